//! Complaints: what intake records, how it is validated, and the classification fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::handling::Handling;
use crate::domain::policy::Policy;
use crate::domain::schedule;
use crate::domain::stage::Stage;
use crate::error::{Error, Result};
use crate::text::has_visible;

/// Longest complainant name, in characters.
pub const MAX_NAME: usize = 50;
/// Longest phone field, in characters.
pub const MAX_PHONE: usize = 32;
/// Longest location (unit, site), in characters.
pub const MAX_LOCATION: usize = 100;
/// Longest site typed freely, in characters.
pub const MAX_SITE: usize = 60;
/// Most further categories one complaint carries beside its main one.
pub const MAX_EXTRA_CATEGORIES: usize = 5;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 4000;
/// Longest desired outcome, in characters.
pub const MAX_OUTCOME: usize = 1000;
/// How far in the future a received time may lie (clock skew between machines).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 5;

/// How the complaint reached the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Telephone (电话).
    Phone,
    /// In person at the desk (来访).
    WalkIn,
    /// Text message (短信).
    Sms,
    /// Email (邮件).
    Email,
    /// Chat or WeChat (微信/在线).
    Chat,
    /// Web form (网页).
    Web,
    /// Letter (信函).
    Letter,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 7] = [
        Channel::Phone,
        Channel::WalkIn,
        Channel::Sms,
        Channel::Email,
        Channel::Chat,
        Channel::Web,
        Channel::Letter,
    ];

    /// Stable name (`walk-in`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::WalkIn => "walk-in",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Chat => "chat",
            Channel::Web => "web",
            Channel::Letter => "letter",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Catalog key of the display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Channel::Phone => "channel.phone",
            Channel::WalkIn => "channel.walk-in",
            Channel::Sms => "channel.sms",
            Channel::Email => "channel.email",
            Channel::Chat => "channel.chat",
            Channel::Web => "channel.web",
            Channel::Letter => "channel.letter",
        }
    }
}

/// In scope (物业纠纷: ours to fix) or out of scope (非物业纠纷: someone else's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Our own service or facilities.
    In,
    /// The developer's, a utility's, a neighbour's, …
    Out,
}

impl Scope {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::In => "in",
            Scope::Out => "out",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "in" => Some(Scope::In),
            "out" => Some(Scope::Out),
            _ => None,
        }
    }
}

/// What the complainant is after; "unclear" is a fine answer (do not label hastily).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// A real service complaint that wants a response and a remedy.
    Genuine,
    /// Venting anger rather than seeking a remedy.
    Venting,
    /// Not (yet) known.
    #[default]
    Unclear,
}

impl Intent {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Genuine => "genuine",
            Intent::Venting => "venting",
            Intent::Unclear => "unclear",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Intent> {
        match s {
            "genuine" => Some(Intent::Genuine),
            "venting" => Some(Intent::Venting),
            "unclear" => Some(Intent::Unclear),
            _ => None,
        }
    }
}

/// A complaint as the agent enters it at intake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComplaint {
    /// How it came in.
    pub channel: Option<Channel>,
    /// Complainant's name.
    pub name: String,
    /// Complainant's phone number as typed.
    pub phone: String,
    /// Unit, building or site.
    pub location: String,
    /// Category key or name.
    pub category: String,
    /// What happened, in the customer's words (multi-line).
    pub description: String,
    /// What the customer asks for.
    pub outcome: String,
    /// Whether an apology was made (表达歉意).
    pub apologized: bool,
    /// When it really came in, if earlier than now (paper log).
    pub received_at: Option<DateTime<Utc>>,
    /// The site (estate, client site, client account): a configured site's key or name,
    /// or free text where the config allows it; empty: none.
    #[serde(default)]
    pub site: String,
    /// Further categories (keys or names) the call also raised, beside the main one.
    #[serde(default)]
    pub extra_categories: Vec<String>,
}

/// A validated intake, ready to store (an import stages it as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidComplaint {
    /// How it came in.
    pub channel: Channel,
    /// Name, trimmed.
    pub name: String,
    /// Phone, trimmed, as typed.
    pub phone: String,
    /// Phone digits only, for repeat-complainant lookups.
    pub phone_norm: String,
    /// Location, trimmed.
    pub location: String,
    /// Category key.
    pub category: String,
    /// Description exactly as typed (CR LF normalised to LF, trailing blank lines cut).
    pub description: String,
    /// Desired outcome.
    pub outcome: String,
    /// Apology made.
    pub apologized: bool,
    /// When it came in.
    pub received_at: DateTime<Utc>,
    /// The site: a configured site's key, or the text typed where free entry is allowed.
    pub site: Option<String>,
    /// Further category keys, without the main one, each once.
    pub extra_categories: Vec<String>,
}

/// A stored complaint (its JSON form is the CLI's `ComplaintJson`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    /// Row id.
    pub id: i64,
    /// Human-friendly number, `20261122-0007`.
    pub number: String,
    /// When it came in.
    pub received_at: DateTime<Utc>,
    /// How it came in.
    pub channel: Channel,
    /// Complainant's name.
    pub name: String,
    /// Complainant's phone as typed.
    pub phone: String,
    /// Unit, building or site.
    pub location: String,
    /// Main category key: it decides the default scope and the reply clock.
    pub category: String,
    /// Further category keys the same call raised.
    pub extra_categories: Vec<String>,
    /// The site: a configured site's key, or free text.
    pub site: Option<String>,
    /// Description as typed.
    pub description: String,
    /// Desired outcome.
    pub outcome: String,
    /// Apology made.
    pub apologized: bool,
    /// In or out of scope; `None` while untriaged.
    pub scope: Option<Scope>,
    /// Responsible party (out of scope).
    pub party: Option<String>,
    /// Complaint type key.
    pub complaint_type: Option<String>,
    /// Severity key.
    pub severity: Option<String>,
    /// Intent.
    pub intent: Intent,
    /// Spread risk (media, social networks).
    pub spread_risk: bool,
    /// Responsibility explained to the customer (丑话说在前).
    pub explained: bool,
    /// Stage of the handling method.
    pub stage: Stage,
    /// Optimistic-concurrency version, bumped by every change.
    pub version: i64,
    /// The agent who handles it (承办人); `None` before triage when handlers come from
    /// classification.
    pub handler: Option<String>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// What the handling method recorded (motive, facts, plan, reply, referrals, summary).
    pub handling: Handling,
    /// The number of the primary case this one is merged into (stage `merged`).
    pub merged_into: Option<String>,
}

impl Complaint {
    /// The complaint a validated intake becomes before any move: received, untriaged.
    pub fn received(id: i64, number: String, i: &ValidComplaint) -> Complaint {
        Complaint {
            id,
            number,
            received_at: i.received_at,
            channel: i.channel,
            name: i.name.clone(),
            phone: i.phone.clone(),
            location: i.location.clone(),
            category: i.category.clone(),
            extra_categories: i.extra_categories.clone(),
            site: i.site.clone(),
            description: i.description.clone(),
            outcome: i.outcome.clone(),
            apologized: i.apologized,
            scope: None,
            party: None,
            complaint_type: None,
            severity: None,
            intent: Intent::Unclear,
            spread_risk: false,
            explained: false,
            stage: Stage::Received,
            version: 1,
            handler: None,
            closed_at: None,
            updated_at: i.received_at,
            handling: Handling::default(),
            merged_into: None,
        }
    }

    /// A received complaint for unit tests: 张伟 in 3栋 on the phone, at a fixed time.
    #[cfg(test)]
    pub fn sample(id: i64, category: &str, description: &str) -> Complaint {
        let at = DateTime::from_timestamp(1_763_800_000, 0).unwrap_or_default();
        Complaint::received(
            id,
            format!("20261122-{id:04}"),
            &ValidComplaint {
                channel: Channel::Phone,
                name: "张伟".into(),
                phone: "13800138000".into(),
                phone_norm: "13800138000".into(),
                location: "3栋".into(),
                category: category.into(),
                description: description.into(),
                outcome: String::new(),
                apologized: false,
                received_at: at,
                extra_categories: Vec::new(),
                site: None,
            },
        )
    }
}

/// A list of complaints the panes and `list` show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Scope not yet decided, oldest first.
    Untriaged,
    /// Not closed, oldest first.
    Open,
    /// Not closed and handled by the acting agent, oldest first.
    Mine,
    /// Not closed and waiting on the responsible party or on the customer, oldest first.
    Waiting,
    /// Not closed, with compensation awaiting an approval the acting agent's role may
    /// give, oldest first.
    Approval,
    /// Closed, most recently closed first.
    Closed,
    /// Everything, newest first.
    All,
}

impl Queue {
    /// Whether the queue lists its newest complaints first (the most recently received, or
    /// for closed ones the most recently closed); the others list the oldest first.
    pub fn newest_first(self) -> bool {
        matches!(self, Queue::Closed | Queue::All)
    }
}

/// Which field a validation message is about.
fn field_error(key: &'static str, field: &'static str) -> Error {
    Error::new(key).arg("field", field)
}

pub(crate) fn check_text(
    value: &str,
    field: &'static str,
    max: usize,
    required: bool,
    single_line: bool,
) -> Result<String> {
    let value = if single_line {
        value.trim().to_string()
    } else {
        let v = value.replace("\r\n", "\n").replace('\r', "\n");
        v.trim_end().trim_start_matches('\n').to_string()
    };
    if required && value.trim().is_empty() {
        return Err(field_error("error.required", field));
    }
    let len = value.chars().count();
    if len > max {
        return Err(field_error("error.too_long", field)
            .arg("max", max)
            .arg("len", len));
    }
    if single_line
        && value
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(field_error("error.control_chars", field));
    }
    if value.contains('\0') {
        return Err(field_error("error.control_chars", field));
    }
    if required && !has_visible(&value) {
        return Err(field_error("error.invisible_only", field));
    }
    Ok(value)
}

/// The ASCII form of a full-width digit, sign or bracket (a Chinese input method in
/// full-width mode types `１３８－００１３`); other characters unchanged.
pub fn halfwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    }
}

/// Digits of a plausible phone number, or `None`.
///
/// Accepts separators (space, `-`, `(`, `)`, `.`), a leading `+` and an extension after
/// `x`/`ext`/`转`; requires 5–15 digits; an 11-digit number starting with 1 must be a
/// mainland mobile (1[3-9]…).
pub fn normalise_phone(text: &str) -> Option<String> {
    let t: String = text.trim().chars().map(halfwidth).collect();
    let t = t.as_str();
    let main = ["转", "ext", "x", "X", "#"]
        .iter()
        .find_map(|sep| t.split_once(sep).map(|(m, _)| m))
        .unwrap_or(t);
    let mut digits = String::new();
    for (i, c) in main.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    if !(5..=15).contains(&digits.len()) {
        return None;
    }
    let b = digits.as_bytes();
    if digits.len() == 11 && b[0] == b'1' && !(b'3'..=b'9').contains(&b[1]) {
        return None;
    }
    Some(digits)
}

/// Validates an intake against the policy's categories at time `now`.
pub fn validate(new: &NewComplaint, policy: &Policy, now: DateTime<Utc>) -> Result<ValidComplaint> {
    let channel = new
        .channel
        .ok_or_else(|| field_error("error.required", "channel"))?;
    let name = check_text(&new.name, "name", MAX_NAME, true, true)?;
    let phone = check_text(&new.phone, "phone", MAX_PHONE, true, true)?;
    let phone_norm = normalise_phone(&phone)
        .ok_or_else(|| field_error("error.phone_invalid", "phone").arg("value", &phone))?;
    let location = check_text(&new.location, "location", MAX_LOCATION, true, true)?;
    let category_text = check_text(&new.category, "category", 60, true, true)?;
    let category = policy
        .find_category(&category_text)
        .ok_or_else(|| {
            field_error("error.unknown_category", "category")
                .arg("value", &category_text)
                .arg("known", policy.category_list())
        })?
        .key
        .clone();
    let site = check_site(&new.site, policy)?;
    let extra_categories = check_extra_categories(&new.extra_categories, &category, policy)?;
    let description = check_text(
        &new.description,
        "description",
        MAX_DESCRIPTION,
        true,
        false,
    )?;
    let outcome = check_text(&new.outcome, "outcome", MAX_OUTCOME, false, false)?;
    let received_at = match new.received_at {
        None => now,
        Some(t) if t > schedule::plus(now, schedule::minutes(FUTURE_TOLERANCE_MINUTES)) => {
            return Err(
                field_error("error.received_in_future", "received_at").arg("value", t.to_rfc3339())
            );
        }
        Some(t) => t,
    };
    Ok(ValidComplaint {
        channel,
        name,
        phone,
        phone_norm,
        location,
        category,
        description,
        outcome,
        apologized: new.apologized,
        received_at,
        site,
        extra_categories,
    })
}

/// The site of an intake: a configured site's key when the text names one (by key or a
/// name in any script), else the text itself where the config allows free entry.
fn check_site(text: &str, policy: &Policy) -> Result<Option<String>> {
    let rules = policy.intake;
    let site = check_text(text, "site", MAX_SITE, rules.site_required, true)?;
    if site.is_empty() {
        return Ok(None);
    }
    match policy.find_site(&site) {
        Some(s) => Ok(Some(s.key.clone())),
        None if rules.free_site_entry => Ok(Some(site)),
        None => Err(field_error("error.unknown_site", "site").arg("value", &site)),
    }
}

/// Further categories by key or name: each known, at most [`MAX_EXTRA_CATEGORIES`],
/// the main one and repeats left out.
fn check_extra_categories(texts: &[String], main: &str, policy: &Policy) -> Result<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    for text in texts.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let key = &policy
            .find_category(text)
            .ok_or_else(|| {
                field_error("error.unknown_category", "extra_categories")
                    .arg("value", text)
                    .arg("known", policy.category_list())
            })?
            .key;
        if key != main && !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    if keys.len() > MAX_EXTRA_CATEGORIES {
        return Err(field_error("error.too_many_categories", "extra_categories")
            .arg("max", MAX_EXTRA_CATEGORIES));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::policy::fixtures;

    fn policy() -> Policy {
        fixtures::property_management()
    }

    fn good() -> NewComplaint {
        NewComplaint {
            channel: Some(Channel::Phone),
            name: " 张伟 ".into(),
            phone: "138 0013 8000".into(),
            location: "3栋2单元1801".into(),
            category: "漏水".into(),
            description: "卫生间天花板漏水，\r\n已经三天了。\n\n".into(),
            outcome: "尽快维修".into(),
            apologized: true,
            received_at: None,
            extra_categories: Vec::new(),
            site: String::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T09:50:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_good_intake_is_normalised() {
        let v = validate(&good(), &policy(), now()).expect("valid");
        assert_eq!(v.name, "张伟");
        assert_eq!(v.phone, "138 0013 8000");
        assert_eq!(v.phone_norm, "13800138000");
        assert_eq!(v.category, "leak");
        assert_eq!(v.description, "卫生间天花板漏水，\n已经三天了。");
        assert_eq!(v.received_at, now());
    }

    #[test]
    fn required_fields_are_named() {
        for (field, edit) in [
            (
                "name",
                (|n: &mut NewComplaint| n.name = "  ".into()) as fn(&mut NewComplaint),
            ),
            ("phone", |n| n.phone.clear()),
            ("location", |n| n.location.clear()),
            ("category", |n| n.category.clear()),
            ("description", |n| n.description = "\n \n".into()),
            ("channel", |n| n.channel = None),
        ] {
            let mut n = good();
            edit(&mut n);
            let err = validate(&n, &policy(), now()).expect_err(field);
            assert_eq!(err.key, "error.required", "{field}");
            assert_eq!(err.get("field"), Some(field));
        }
    }

    #[test]
    fn unknown_category_lists_the_known_ones() {
        let mut n = good();
        n.category = "漏水x".into();
        let err = validate(&n, &policy(), now()).expect_err("unknown");
        assert_eq!(err.key, "error.unknown_category");
        assert_eq!(err.get("value"), Some("漏水x"));
        assert!(err.get("known").unwrap_or("").contains("leak/漏水"));
    }

    #[test]
    fn phone_numbers() {
        for ok in [
            "13800138000",
            "+86 138-0013-8000",
            "021-6234 5678",
            "(0755) 8888 6666 转 123",
            "12345",
            "１３８　００１３－８０００",
        ] {
            assert!(normalise_phone(ok).is_some(), "{ok}");
        }
        assert_eq!(
            normalise_phone("１３８００１３８０００").as_deref(),
            Some("13800138000"),
            "full-width digits from a Chinese input method"
        );
        for bad in [
            "",
            "1234",
            "12800138000",
            "abc",
            "138001380001234567",
            "138\u{1b}[2J",
        ] {
            assert!(normalise_phone(bad).is_none(), "{bad}");
        }
        let mut n = good();
        n.phone = "不知道".into();
        let err = validate(&n, &policy(), now()).expect_err("phone");
        assert_eq!(err.key, "error.phone_invalid");
    }

    #[test]
    fn length_limits_and_controls() {
        let mut n = good();
        n.description = "长".repeat(MAX_DESCRIPTION + 1);
        let err = validate(&n, &policy(), now()).expect_err("long");
        assert_eq!(err.key, "error.too_long");
        assert_eq!(err.get("max"), Some("4000"));
        let mut n = good();
        n.name = "张\u{1b}]0;x\u{7}伟".into();
        assert_eq!(
            validate(&n, &policy(), now()).map_err(|e| e.key),
            Err("error.control_chars")
        );
        // Escape sequences in free text are stored as typed (drawn inert later).
        let mut n = good();
        n.description = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}".into();
        assert!(validate(&n, &policy(), now()).is_ok());
    }

    #[test]
    fn a_name_needs_a_visible_character() {
        for blank in [
            "\u{200B}",
            "\u{3164}",
            "\u{2800}\u{2800}",
            "\u{FEFF}",
            "\u{E0041}\u{E0042}",
            " \u{200B} \u{3164} ",
        ] {
            let mut n = good();
            n.name = blank.into();
            let err = validate(&n, &policy(), now()).expect_err(blank);
            assert_eq!(err.key, "error.invisible_only", "{blank:?}");
            assert_eq!(err.get("field"), Some("name"));
        }
        let mut n = good();
        n.name = "张\u{2028}伟".into();
        assert_eq!(
            validate(&n, &policy(), now()).map_err(|e| e.key),
            Err("error.control_chars")
        );
        // Visible text around an invisible character is kept as typed (drawn inert).
        let mut n = good();
        n.name = "张\u{200B}伟".into();
        assert_eq!(
            validate(&n, &policy(), now()).map(|v| v.name).as_deref(),
            Ok("张\u{200B}伟")
        );
    }

    #[test]
    fn received_at_may_be_past_but_not_future() {
        let mut n = good();
        n.received_at = Some(now() - Duration::days(400));
        assert!(validate(&n, &policy(), now()).is_ok());
        n.received_at = Some(now() + Duration::hours(1));
        assert_eq!(
            validate(&n, &policy(), now()).map_err(|e| e.key),
            Err("error.received_in_future")
        );
    }
}
