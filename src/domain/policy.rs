//! The organisation's rules as the domain takes them: categories, parties, types,
//! severities, business hours, revisit plans, roles, keyword rules and follow-up. Pure
//! data; `Config` embeds a [`Policy`] as the sections of its file.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::agent::Permission;
use crate::domain::complaint::Scope;
use crate::domain::names::folded;
use crate::domain::risk::RiskWeights;
use crate::domain::sites::SiteIndex;
use crate::domain::zone::Zone;

/// Every rule setting the domain reads (the sections of a config file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Complaint categories.
    pub categories: Vec<Category>,
    /// Responsible parties for out-of-scope complaints.
    pub parties: Vec<Party>,
    /// Complaint types.
    pub types: Vec<ComplaintType>,
    /// Severities, lowest first.
    pub severities: Vec<Severity>,
    /// Business hours.
    pub business_hours: BusinessHours,
    /// Revisit plans.
    pub revisit_plans: Vec<RevisitPlan>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Keyword rules for classification suggestions.
    pub keyword_rules: Vec<KeywordRule>,
    /// How callbacks and revisits are followed up.
    #[serde(default)]
    pub follow_up: FollowUp,
    /// Who handles a case (承办人).
    #[serde(default)]
    pub handling: Handlers,
    /// The desk's time zone: business hours, holidays and "today" are read in it.
    #[serde(default)]
    pub timezone: Zone,
    /// The sites complaints name (estates, client sites, client accounts).
    #[serde(default)]
    pub sites: Vec<Site>,
    /// What intake asks of a complaint's site.
    #[serde(default)]
    pub intake: IntakeRules,
    /// Care plans (定期回访): calls to sites on a fixed plan, before they complain.
    #[serde(default)]
    pub care_plans: Vec<CarePlan>,
    /// How reports group complaints.
    #[serde(default)]
    pub report: ReportRules,
    /// How intake finds a call about a case already open.
    #[serde(default)]
    pub duplicates: DuplicateRules,
    /// The weights of the escalation risk's factors (`[risk]`).
    #[serde(default)]
    pub risk: RiskWeights,
    /// The sites folded for finding and matching, made at the first need (the sites are
    /// not changed once the policy is loaded).
    #[serde(skip)]
    pub site_index: SiteCache,
    /// The categories by folded key and name, made at the first need (like the sites).
    #[serde(skip)]
    pub category_index: CategoryCache,
}

/// Each category's key and names folded ([`crate::domain::names`]'s rule) to its place in
/// the list, the first category holding a name winning; derived data, so it takes no part
/// in comparing policies.
#[derive(Debug, Clone, Default)]
pub struct CategoryCache(OnceLock<HashMap<String, usize>>);

impl PartialEq for CategoryCache {
    fn eq(&self, _: &CategoryCache) -> bool {
        true
    }
}

/// The policy's [`SiteIndex`], made once; derived data, so it takes no part in comparing
/// policies.
#[derive(Debug, Clone, Default)]
pub struct SiteCache(OnceLock<SiteIndex>);

impl PartialEq for SiteCache {
    fn eq(&self, _: &SiteCache) -> bool {
        true
    }
}

/// A care plan (定期回访): which role calls or visits a site, how often, and what to ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarePlan {
    /// Stable key.
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
    /// The role that calls or visits.
    pub role: String,
    /// Business days from one care call to the next.
    pub every_days: u32,
    /// What to ask, in Chinese (Simplified).
    pub ask_zh: String,
    /// What to ask on zh-TW screens; when absent, `ask_zh` converted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_zh_tw: Option<String>,
    /// What to ask, in English.
    pub ask_en: String,
    /// The category of the complaint a low score opens.
    pub category: String,
}

/// A site complaints are about: an estate (小区) of a property desk, a client's site
/// (客户单位/门店) for pest control, a client account for an IT desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Stable key.
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
    /// The care plan the site is called on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_plan: Option<String>,
    /// The person the desk speaks to there (a care call's complaint is in their name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Their phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// How reports group complaints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportRules {
    /// Patterns (regular expressions) that find the building in a location, tried in
    /// order; the first capture group (or the whole match) is the building, e.g. `(\d+)栋`.
    #[serde(default)]
    pub building_patterns: Vec<String>,
}

/// How intake finds a call about a case already open: an open complaint from the same
/// phone, or at the same location in the same category, received within `days`, is offered
/// to attach the call to instead of saving a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRules {
    /// How many days back an open complaint counts.
    pub days: u32,
}

impl Default for DuplicateRules {
    fn default() -> DuplicateRules {
        DuplicateRules { days: 30 }
    }
}

/// What intake asks of a complaint's site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeRules {
    /// A site not in the configured list may be typed (kept as typed).
    #[serde(default = "yes")]
    pub free_site_entry: bool,
    /// Every complaint names its site.
    #[serde(default)]
    pub site_required: bool,
}

impl Default for IntakeRules {
    fn default() -> Self {
        IntakeRules {
            free_site_entry: true,
            site_required: false,
        }
    }
}

fn yes() -> bool {
    true
}

impl Policy {
    /// Category by key, or by its Chinese name (in either script) or English name
    /// (case-insensitive): [`crate::domain::names`]'s rule.
    pub fn find_category(&self, text: &str) -> Option<&Category> {
        let index = self.category_index.0.get_or_init(|| {
            let mut index = HashMap::new();
            for (i, c) in self.categories.iter().enumerate() {
                for name in [Some(&c.key), Some(&c.en), Some(&c.zh), c.zh_tw.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    index.entry(folded(name)).or_insert(i);
                }
            }
            index
        });
        index
            .get(&folded(text))
            .and_then(|i| self.categories.get(*i))
    }

    /// Site by key, or by a name in any script ([`crate::domain::names`]'s rule).
    pub fn find_site(&self, text: &str) -> Option<&Site> {
        self.sites().find(text).and_then(|i| self.sites.get(i))
    }

    /// The site whose key is `key`.
    pub fn site(&self, key: &str) -> Option<&Site> {
        self.sites().by_key(key).and_then(|i| self.sites.get(i))
    }

    /// The configured sites folded for finding and matching (made at the first need).
    pub fn sites(&self) -> &SiteIndex {
        self.site_index
            .0
            .get_or_init(|| SiteIndex::new(&self.sites))
    }

    /// `key/名称` for each category, for error messages.
    pub fn category_list(&self) -> String {
        self.categories
            .iter()
            .map(|c| format!("{}/{}", c.key, c.zh))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A complaint category with its default scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable key used in files and on the command line.
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
    /// Scope suggested for complaints of this category.
    pub scope: Scope,
    /// Responsible party suggested when out of scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
}

/// A responsible party for out-of-scope complaints (developer, utility, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Stable key.
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
}

/// A complaint type (service versus facility versus technical, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintType {
    /// Stable key.
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
}

/// A severity level, lowest first, with its first-reply service level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    /// Stable key.
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
    /// Business hours allowed for the first reply to an in-scope complaint.
    pub first_reply_hours: u32,
    /// Business hours allowed to tell an out-of-scope complainant who is responsible.
    pub referral_reply_hours: u32,
}

/// Opening hours, holidays and make-up working days (调休) for due times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// Opening time, `HH:MM`.
    pub open: NaiveTime,
    /// Closing time, `HH:MM`, after `open`.
    pub close: NaiveTime,
    /// Working weekdays (`mon` … `sun`).
    pub weekdays: Vec<WeekdayKey>,
    /// Public holidays: no business hours that day.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Make-up working days (调休): business hours although a weekend.
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
}

/// A weekday as written in config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum WeekdayKey {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl From<WeekdayKey> for Weekday {
    fn from(d: WeekdayKey) -> Weekday {
        match d {
            WeekdayKey::Mon => Weekday::Mon,
            WeekdayKey::Tue => Weekday::Tue,
            WeekdayKey::Wed => Weekday::Wed,
            WeekdayKey::Thu => Weekday::Thu,
            WeekdayKey::Fri => Weekday::Fri,
            WeekdayKey::Sat => Weekday::Sat,
            WeekdayKey::Sun => Weekday::Sun,
        }
    }
}

/// A follow-up plan after a remedy: revisits at several levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisitPlan {
    /// Stable key.
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
    /// Severities this plan applies to (empty: all).
    #[serde(default)]
    pub severities: Vec<String>,
    /// The revisits, in order.
    pub steps: Vec<RevisitStep>,
}

/// One revisit of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisitStep {
    /// Days after the remedy is done.
    pub after_days: u32,
    /// Count only business days.
    #[serde(default)]
    pub business_days: bool,
    /// Role that owns the revisit.
    pub role: String,
}

/// A role with its compensation authority and permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Stable key (`agent`, `supervisor`, `admin`, …).
    pub key: String,
    /// Chinese name (Simplified).
    pub zh: String,
    /// Name for zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English name.
    pub en: String,
    /// Largest goodwill compensation this role may grant alone, in whole currency units.
    pub compensation_limit: u32,
    /// Permissions beyond taking and handling complaints.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Sees and acts on every site's complaints, whatever sites its agents belong to
    /// (head office).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_sites: bool,
}

/// A keyword rule: text that suggests a classification (never decides alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeywordRule {
    /// Any of these in the description or category triggers the rule.
    pub keywords: Vec<String>,
    /// Suggested category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Suggested scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Suggested responsible party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// Suggested severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Suggests a spread risk (media, social networks).
    #[serde(default)]
    pub spread_risk: bool,
}

/// How callbacks and revisits are followed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUp {
    /// After "no answer" (or a message left), the next attempt is proposed this many
    /// business hours later.
    pub retry_hours: u32,
    /// This many failed attempts flag the case.
    pub failed_attempts_flag: u32,
    /// A callback this many business hours overdue escalates to the next level (agent →
    /// supervisor → manager), once per level.
    pub escalate_after_hours: u32,
    /// A revisit satisfaction at or below this (1–5) reopens the case.
    pub reopen_at_or_below: u8,
    /// Business hours from receipt within which a complaint should be classified; an
    /// untriaged complaint past it is overdue for triage.
    pub triage_hours: u32,
    /// While a case waits (on the responsible party or on the customer), a chaser to the
    /// party and a progress call to the customer fall due every this many business days.
    #[serde(default = "default_waiting_update_days")]
    pub waiting_update_days: u32,
}

fn default_waiting_update_days() -> u32 {
    3
}

impl Default for FollowUp {
    fn default() -> Self {
        FollowUp {
            retry_hours: 2,
            failed_attempts_flag: 3,
            escalate_after_hours: 2,
            reopen_at_or_below: 2,
            triage_hours: 1,
            waiting_update_days: default_waiting_update_days(),
        }
    }
}

impl FollowUp {
    /// Whether a callback or revisit still open after `attempts` failed attempts flags its
    /// case.
    pub fn flags(&self, attempts: u32) -> bool {
        attempts >= self.failed_attempts_flag
    }

    /// Whether a revisit's satisfaction reopens the case.
    pub fn reopens(&self, satisfaction: u8) -> bool {
        satisfaction <= self.reopen_at_or_below
    }
}

/// When a case gets its handler (承办人).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlerFrom {
    /// The agent who classifies it; nobody handles it before triage.
    #[default]
    Classification,
    /// The agent who takes it at intake.
    Intake,
}

/// Who handles a case (the `[handling]` section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Handlers {
    /// When a case gets its handler.
    pub handler_from: HandlerFrom,
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::Policy;

    /// The property-management preset's rules, read from the preset file itself.
    pub(crate) fn property_management() -> Policy {
        toml::from_str(include_str!(
            "../../assets/presets/property-management.toml"
        ))
        .expect("the preset's sections are a policy")
    }
}
