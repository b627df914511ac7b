//! How a case reads for a person, in their language and with untrusted text made safe:
//! shared by `show --format text` and the app's detail pane.

use std::io::{self, Write};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::desk::Event;
use crate::desk::{CareCall, CaseFile};
use crate::domain::complaint::{Channel, Complaint};
use crate::domain::handling::Approval;
use crate::domain::risk::{Fact, Factor};
use crate::domain::stage::Stage;
use crate::i18n::Catalog;
use crate::text::{fit, sanitize_line, sanitize_lines, width};

pub use crate::when::{local_minutes, short_minutes, this_year};

/// A figure of the report as both front ends print it: whole numbers bare, others to one
/// decimal.
pub fn figure_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// A figure's label: its written definition (`report.def.<key>`) up to the colon.
pub fn figure_label<'c>(catalog: &'c Catalog, key: &str) -> &'c str {
    let def = catalog.text_or(&format!("report.def.{key}"), "");
    def.split([':', '：']).next().unwrap_or(def)
}

/// The handling method's record, as labelled fields (only what was recorded).
fn handling_fields(
    c: &Complaint,
    config: &Config,
    catalog: &Catalog,
) -> Vec<(&'static str, String)> {
    let t = |k: &str| catalog.text(k).to_string();
    let yes_no = |b: bool| t(if b { "label.yes" } else { "label.no" });
    let h = &c.handling;
    let mut fields = Vec::new();
    let mut text = |key: &'static str, value: &str| {
        if !value.trim().is_empty() {
            fields.push((key, value.to_string()));
        }
    };
    text("label.motive", &h.motive);
    if let Some(m) = h.mood {
        text("label.mood", &t(&format!("mood.{}", m.as_str())));
    }
    text("label.facts", &h.facts);
    if let Some(plan) = &h.plan {
        text("label.department", &plan.department);
        text("label.actions", &plan.actions);
        if let Some(p) = plan.promised {
            fields.push(("label.promised", local_minutes(p, config.policy.timezone)));
        }
        fields.push(("label.confirmed", yes_no(plan.confirmed)));
        if let Some(amount) = plan.compensation {
            let approval = match &plan.approval {
                Approval::Pending => format!(" ({})", t("label.pending")),
                Approval::Approved { by } => format!(
                    " ({})",
                    catalog.format("label.approved_by", &[("agent", by.clone())])
                ),
                Approval::Declined { by, note } => format!(
                    " ({})",
                    catalog.format(
                        "label.declined_by",
                        &[("agent", by.clone()), ("note", note.clone())]
                    )
                ),
                Approval::NotNeeded => String::new(),
            };
            fields.push(("label.compensation", format!("{amount}{approval}")));
        }
        if let Some(gift) = &plan.gift {
            fields.push(("label.gift", gift.clone()));
        }
    }
    if let Some(reply) = &h.reply {
        fields.push(("label.accepted", yes_no(reply.accepted)));
        if !reply.alternatives.is_empty() {
            fields.push(("label.alternatives", reply.alternatives.clone()));
        }
    }
    if !h.remedy_note.is_empty() {
        fields.push(("label.note", h.remedy_note.clone()));
    }
    for r in &h.referrals {
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!("  {}", r.note)
        };
        fields.push((
            "label.referrals",
            format!(
                "{} {}{note}",
                local_minutes(r.at, config.policy.timezone),
                referral_name(&r.to, config, catalog)
            ),
        ));
    }
    if h.waiting_on_customer {
        fields.push(("label.waiting_on_customer", yes_no(true)));
    }
    if let Some(s) = &h.summary {
        for (key, value) in [
            ("label.summary", &s.summary),
            ("label.root_cause", &s.root_cause),
            ("label.lesson", &s.lesson),
        ] {
            if !value.is_empty() {
                fields.push((key, value.clone()));
            }
        }
    }
    fields
}

/// A role by its name in `lang` (the key when not configured).
pub fn role_name(key: &str, config: &Config, lang: crate::i18n::Lang) -> String {
    config
        .policy
        .roles
        .iter()
        .find(|r| r.key == key)
        .map_or_else(
            || sanitize_line(key),
            |r| crate::config::Named::name(r, lang).into_owned(),
        )
}

/// Where a complaint is, for a list cell: its site's name, then the location (`绿景花园
/// 3栋2单元1801`), either alone when the other is empty; sanitised.
pub fn place(c: &Complaint, config: &Config, lang: crate::i18n::Lang) -> String {
    let site = c.site.as_deref().map(|s| config.site_name(s, lang));
    let parts = [site.as_deref().unwrap_or(""), c.location.as_str()];
    sanitize_line(
        &parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// A complaint's categories for a list cell `cols` wide: every name (`漏水+噪音扰民`) when
/// they fit, else the main one and how many more (`漏水+1`; so with `cols` 0).
pub fn categories_cell(
    c: &Complaint,
    config: &Config,
    lang: crate::i18n::Lang,
    cols: usize,
) -> String {
    let main = config.category_name(&c.category, lang);
    if c.extra_categories.is_empty() {
        return main;
    }
    let all = std::iter::once(main.clone())
        .chain(
            c.extra_categories
                .iter()
                .map(|k| config.category_name(k, lang)),
        )
        .collect::<Vec<_>>()
        .join("+");
    if width(&all) <= cols {
        all
    } else {
        format!("{main}+{}", c.extra_categories.len())
    }
}

/// A referral's addressee by name: a configured party, or an external body.
pub fn referral_name(to: &str, config: &Config, catalog: &Catalog) -> String {
    if config.policy.parties.iter().any(|p| p.key == to) {
        config.party_name(to, catalog.lang())
    } else {
        catalog.text_or(&format!("external.{to}"), to).to_string()
    }
}

/// Puts `entry` right after the field labelled `after` (at the end when there is none).
fn insert_after<'a>(fields: &mut Vec<(&'a str, String)>, after: &str, entry: (&'a str, String)) {
    let at = fields
        .iter()
        .position(|(k, _)| *k == after)
        .map_or(fields.len(), |i| i + 1);
    fields.insert(at, entry);
}

/// Writes a case file for people: labelled fields, then the timeline.
pub fn write_case_text(
    out: &mut dyn Write,
    case: &CaseFile,
    config: &Config,
    catalog: &Catalog,
) -> io::Result<()> {
    let lang = catalog.lang();
    let c = &case.complaint;
    let t = |k: &str| catalog.text(k).to_string();
    let yes_no = |b: bool| t(if b { "label.yes" } else { "label.no" });
    let opt = |v: Option<String>| v.unwrap_or_else(|| t("label.none"));
    let mut fields: Vec<(&str, String)> = vec![
        ("label.number", c.number.clone()),
        (
            "label.received_at",
            local_minutes(c.received_at, config.policy.timezone),
        ),
        ("label.channel", t(c.channel.label_key())),
        ("label.name", c.name.clone()),
        ("label.phone", c.phone.clone()),
        ("label.location", c.location.clone()),
        ("label.category", config.categories_shown(c, lang)),
        ("label.description", c.description.clone()),
        (
            "label.outcome",
            if c.outcome.is_empty() {
                t("label.none")
            } else {
                c.outcome.clone()
            },
        ),
        ("label.apologized", yes_no(c.apologized)),
        (
            "label.scope",
            c.scope.map_or_else(
                || t("label.untriaged"),
                |s| t(&format!("scope.{}", s.as_str())),
            ),
        ),
        (
            "label.party",
            opt(c.party.as_deref().map(|p| config.party_name(p, lang))),
        ),
        (
            "label.type",
            opt(c
                .complaint_type
                .as_deref()
                .map(|p| config.type_name(p, lang))),
        ),
        (
            "label.severity",
            opt(c.severity.as_deref().map(|p| config.severity_name(p, lang))),
        ),
        ("label.intent", t(&format!("intent.{}", c.intent.as_str()))),
        ("label.spread_risk", yes_no(c.spread_risk)),
        ("label.explained", yes_no(c.explained)),
        ("label.stage", t(c.stage.label_key())),
        ("label.handler", opt(c.handler.clone())),
        (
            "label.closed_at",
            // A merged case's closing time only takes it off the open lists.
            opt(c
                .closed_at
                .filter(|_| c.stage.is_closed())
                .map(|t| local_minutes(t, config.policy.timezone))),
        ),
        ("label.version", c.version.to_string()),
    ];
    // A merged case names its primary right after its stage; a closed case its library
    // card right after its closing time.
    if let Some(primary) = &c.merged_into {
        insert_after(
            &mut fields,
            "label.stage",
            ("label.merged_into", primary.clone()),
        );
    }
    if let Some(id) = case.card {
        insert_after(
            &mut fields,
            "label.closed_at",
            ("label.library_card", id.to_string()),
        );
    }
    // The site beside the location, when the complaint names one.
    if let Some(site) = &c.site {
        let at = fields
            .iter()
            .position(|(k, _)| *k == "label.location")
            .unwrap_or(0);
        fields.insert(at, ("label.site", config.site_name(site, lang)));
    }
    let fields = [fields, handling_fields(c, config, catalog)].concat();
    let label_width = fields
        .iter()
        .map(|(k, _)| width(catalog.text(k)))
        .max()
        .unwrap_or(0);
    for (key, value) in &fields {
        let label = fit(catalog.text(key), label_width);
        let mut lines = sanitize_lines(value).into_iter();
        writeln!(out, "{label}  {}", lines.next().unwrap_or_default())?;
        for more in lines {
            writeln!(out, "{}  {more}", " ".repeat(label_width))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", t("label.events"))?;
    for e in &case.events {
        writeln!(out, "  {}", event_line(e, config, catalog))?;
    }
    if !case.callbacks.is_empty() {
        writeln!(out, "\n{}", t("label.callbacks"))?;
        for cb in &case.callbacks {
            // A done call shows when it was done, an open one when it is due.
            let (state, at) = match cb.done_at {
                Some(at) => (t("label.done"), at),
                None => (t("label.due"), cb.due_at),
            };
            writeln!(
                out,
                "  {} {}  {}  {}",
                state,
                local_minutes(at, config.policy.timezone),
                sanitize_line(catalog.text_or(&format!("callback.{}", cb.kind), &cb.kind)),
                sanitize_line(&cb.note)
            )?;
        }
    }
    if !case.revisits.is_empty() {
        writeln!(out, "\n{}", t("label.revisits"))?;
        for r in &case.revisits {
            let sat = r.satisfaction.map_or_else(String::new, |s| {
                format!("{} {s}/5", t("label.satisfaction"))
            });
            let state = match (r.done_at, r.reached) {
                (None, _) => format!(
                    "{} {}",
                    t("label.due"),
                    local_minutes(r.due_at, config.policy.timezone)
                ),
                (Some(at), Some(true)) => format!(
                    "{} {}",
                    t("label.done"),
                    local_minutes(at, config.policy.timezone)
                ),
                (Some(at), Some(false)) => {
                    format!(
                        "{} {}",
                        t("label.unreached"),
                        local_minutes(at, config.policy.timezone)
                    )
                }
                (Some(at), None) => format!(
                    "{} {}",
                    t("label.cancelled"),
                    local_minutes(at, config.policy.timezone)
                ),
            };
            writeln!(
                out,
                "  {state}  {}  {sat}  {}",
                role_name(&r.role, config, lang),
                sanitize_line(&r.comment)
            )?;
        }
    }
    if let Some(risk) = &case.risk {
        writeln!(out, "\n{}  {}", t("label.risk"), risk.score)?;
        for f in &risk.factors {
            writeln!(out, "  {}", factor_line(f, config, catalog))?;
        }
    }
    if !case.related.is_empty() {
        writeln!(out, "\n{}", t("label.related"))?;
        for (i, r) in case.related.iter().enumerate() {
            writeln!(out, "  {:>2}  {}", i + 1, related_line(r, config, catalog))?;
        }
    }
    // Numbered on from the related cases, as `CaseFile::linked` numbers them.
    let mut n = case.related.len();
    if !case.absorbed.is_empty() {
        writeln!(out, "\n{}", t("label.absorbed"))?;
        for a in &case.absorbed {
            n += 1;
            writeln!(out, "  {n:>2}  {}", related_line(a, config, catalog))?;
        }
    }
    let split = case
        .split
        .split_from
        .iter()
        .map(|s| ("label.split_from", s))
        .chain(
            case.split
                .split_into
                .iter()
                .map(|s| ("label.split_into", s)),
        );
    for (i, (label, number)) in split.enumerate() {
        if i == 0 {
            writeln!(out)?;
        }
        n += 1;
        writeln!(out, "  {n:>2}  {}  {number}", t(label))?;
    }
    if !case.attachments.is_empty() {
        writeln!(out, "\n{}", t("label.attachments"))?;
        for a in &case.attachments {
            let place = if a.path.is_empty() {
                t("label.confidential_hidden").to_string()
            } else {
                sanitize_line(&a.path)
            };
            writeln!(
                out,
                "  {}  {place}  sha256 {}",
                local_minutes(a.added_at, config.policy.timezone),
                a.sha256.get(..12).unwrap_or(&a.sha256)
            )?;
        }
    }
    Ok(())
}

/// One factor of a risk score: its name, what it found, its weight and its points
/// (`重复投诉  3 ×10 = 30`).
pub fn factor_line(f: &Factor, config: &Config, catalog: &Catalog) -> String {
    let lang = catalog.lang();
    let fact = match &f.fact {
        Fact::Count(n) => n.to_string(),
        Fact::Flagged => catalog.text("label.risk_flagged").to_string(),
        Fact::Words(words) => sanitize_line(&words.join(", ")),
        Fact::Mood(m) => catalog.text(&format!("mood.{}", m.as_str())).to_string(),
        Fact::Severity { key, steps } => format!("{} +{steps}", config.severity_name(key, lang)),
        Fact::Satisfaction(s) => format!("{s}/5"),
    };
    format!(
        "{}  {fact}  x{} = {}",
        catalog.text(&format!("risk_factor.{}", f.key)),
        f.weight,
        f.points
    )
}

/// A related case on one line: number, received, stage, place (`20261122-0007  11-22 09:10
/// 处理中  绿景花园 3栋2单元`).
pub fn related_line(c: &Complaint, config: &Config, catalog: &Catalog) -> String {
    format!(
        "{}  {}  {}  {}",
        c.number,
        local_minutes(c.received_at, config.policy.timezone),
        catalog.text(c.stage.label_key()),
        place(c, config, catalog.lang())
    )
}

/// The name of care plan `key` in `lang` (the key itself when unknown).
pub fn care_plan_name(config: &Config, key: &str, lang: crate::i18n::Lang) -> String {
    config
        .policy
        .care_plans
        .iter()
        .find(|p| p.key == key)
        .map_or_else(
            || key.to_string(),
            |p| crate::config::Named::name(p, lang).into_owned(),
        )
}

/// What care plan `key` asks in `lang` (zh-TW: `ask_zh_tw`, else `ask_zh` converted);
/// empty when the plan is unknown.
pub fn care_question(config: &Config, key: &str, lang: crate::i18n::Lang) -> String {
    config
        .policy
        .care_plans
        .iter()
        .find(|p| p.key == key)
        .map_or_else(String::new, |p| {
            crate::i18n::name_in(lang, &p.ask_zh, p.ask_zh_tw.as_deref(), &p.ask_en).into_owned()
        })
}

/// The description of the complaint a low-scored care call opens: the plan, the score and
/// what was said, in the reader's words.
pub fn care_description(config: &Config, catalog: &Catalog, call: &CareCall) -> String {
    catalog.format(
        "care.complaint_description",
        &[
            ("plan", care_plan_name(config, &call.plan, catalog.lang())),
            (
                "score",
                call.satisfaction
                    .map_or_else(String::new, |s| s.to_string()),
            ),
            ("note", call.note.clone()),
        ],
    )
}

/// What an imported open row's file said of it (its `imported` event's `record`): the
/// stage, scope, party and severity by their names.
fn imported_record(
    r: &serde_json::Map<String, serde_json::Value>,
    config: &Config,
    catalog: &Catalog,
) -> String {
    let lang = catalog.lang();
    let text = |k: &str| r.get(k).and_then(|v| v.as_str());
    [
        text("stage")
            .and_then(crate::domain::stage::Stage::parse)
            .map(|s| catalog.text(s.label_key()).to_string()),
        text("scope").map(|s| catalog.text_or(&format!("scope.{s}"), s).to_string()),
        text("party").map(|p| config.party_name(p, lang)),
        text("severity").map(|s| config.severity_name(s, lang)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" / ")
}

/// One timeline line: time, agent, what happened, stage move, details in the reader's
/// language (configured keys shown by their names).
pub fn event_line(e: &Event, config: &Config, catalog: &Catalog) -> String {
    let lang = catalog.lang();
    let kind_key = format!("event.{}", e.kind);
    let kind = match catalog.text(&kind_key) {
        k if k == kind_key => sanitize_line(&e.kind),
        k => k.to_string(),
    };
    let mut line = format!(
        "{}  {}  {kind}",
        local_minutes(e.at, config.policy.timezone),
        sanitize_line(&e.agent)
    );
    if let (Some(f), Some(t)) = (e.from_stage, e.to_stage)
        && f != t
    {
        let (from, to) = (catalog.text(f.label_key()), catalog.text(t.label_key()));
        line.push_str(&format!("  {from} -> {to}"));
    }
    let Some(map) = e.detail.as_object() else {
        return line;
    };
    // A transfer's from and to are agents, not severities or referrals.
    let agents = e.kind == "transferred";
    let parts: Vec<String> = map
        .iter()
        .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
        .map(|(k, v)| {
            let label_key = format!("label.{k}");
            let label = match catalog.text(&label_key) {
                l if l == label_key => k.clone(),
                l => l.to_string(),
            };
            let value = match (k.as_str(), v) {
                ("from" | "to", serde_json::Value::String(s)) if agents => s.clone(),
                (_, serde_json::Value::Bool(b)) => catalog
                    .text(if *b { "label.yes" } else { "label.no" })
                    .to_string(),
                ("channel", serde_json::Value::String(s)) => Channel::parse(s)
                    .map_or_else(|| s.clone(), |c| catalog.text(c.label_key()).to_string()),
                ("scope", serde_json::Value::String(s)) => {
                    catalog.text(&format!("scope.{s}")).to_string()
                }
                ("category", serde_json::Value::String(s)) => config.category_name(s, lang),
                ("party", serde_json::Value::String(s)) => config.party_name(s, lang),
                ("severity" | "from", serde_json::Value::String(s)) => {
                    config.severity_name(s, lang)
                }
                ("to", serde_json::Value::String(s)) => referral_name(s, config, catalog),
                ("result", serde_json::Value::String(s)) => {
                    catalog.text_or(&format!("callresult.{s}"), s).to_string()
                }
                ("kind", serde_json::Value::String(s)) => {
                    catalog.text_or(&format!("callback.{s}"), s).to_string()
                }
                ("role" | "owner", serde_json::Value::String(s)) => role_name(s, config, lang),
                ("site", serde_json::Value::String(s)) => config.site_name(s, lang),
                ("plan", serde_json::Value::String(s)) => care_plan_name(config, s, lang),
                ("permission", serde_json::Value::String(s)) => {
                    catalog.text_or(&format!("permission.{s}"), s).to_string()
                }
                ("purpose", serde_json::Value::String(s)) => {
                    catalog.text_or(&format!("purpose.{s}"), s).to_string()
                }
                ("next_due" | "due" | "paused_since", serde_json::Value::String(s)) => {
                    DateTime::parse_from_rfc3339(s).map_or_else(
                        |_| s.clone(),
                        |t| local_minutes(t.with_timezone(&Utc), config.policy.timezone),
                    )
                }
                ("revisit_plan", serde_json::Value::String(s)) => config
                    .policy
                    .revisit_plans
                    .iter()
                    .find(|p| &p.key == s)
                    .map_or_else(
                        || s.clone(),
                        |p| crate::config::Named::name(p, lang).into_owned(),
                    ),
                ("intent", serde_json::Value::String(s)) => {
                    catalog.text_or(&format!("intent.{s}"), s).to_string()
                }
                ("mood", serde_json::Value::String(s)) => {
                    catalog.text_or(&format!("mood.{s}"), s).to_string()
                }
                ("on", serde_json::Value::String(s)) => {
                    catalog.text_or(&format!("wait.{s}"), s).to_string()
                }
                ("promised", serde_json::Value::String(s)) => DateTime::parse_from_rfc3339(s)
                    .map_or_else(
                        |_| s.clone(),
                        |t| local_minutes(t.with_timezone(&Utc), config.policy.timezone),
                    ),
                ("type", serde_json::Value::String(s)) => config.type_name(s, lang),
                ("stage", serde_json::Value::String(s)) => Stage::parse(s)
                    .map_or_else(|| s.clone(), |st| catalog.text(st.label_key()).to_string()),
                ("settled" | "owes", serde_json::Value::Array(calls)) => {
                    owed_calls(calls, config, catalog)
                }
                ("record", serde_json::Value::Object(r)) => imported_record(r, config, catalog),
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            format!("{label}: {}", sanitize_line(&value))
        })
        .collect();
    if !parts.is_empty() {
        line.push_str(&format!("  ({})", parts.join("; ")));
    }
    line
}

/// The calls a merge settled or an unmerge owes again (`{"call": kind, "due_at"}` or
/// `{"revisit": role, "due_at"}` each), named and due in the desk's zone; `-` for none.
fn owed_calls(calls: &[serde_json::Value], config: &Config, catalog: &Catalog) -> String {
    if calls.is_empty() {
        return "-".to_string();
    }
    let named: Vec<String> = calls
        .iter()
        .map(|c| {
            let what = match (c["call"].as_str(), c["revisit"].as_str()) {
                (Some(kind), _) => catalog
                    .text_or(&format!("callback.{kind}"), kind)
                    .to_string(),
                (None, Some(role)) => format!(
                    "{} {}",
                    catalog.text("label.revisit"),
                    role_name(role, config, catalog.lang())
                ),
                (None, None) => c.to_string(),
            };
            let due = c["due_at"].as_str().map_or_else(String::new, |s| {
                DateTime::parse_from_rfc3339(s).map_or_else(
                    |_| s.to_string(),
                    |t| local_minutes(t.with_timezone(&Utc), config.policy.timezone),
                )
            });
            format!("{what} {due}").trim_end().to_string()
        })
        .collect();
    named.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;
    use crate::i18n::Lang;

    #[test]
    fn a_list_cell_puts_the_site_before_the_location() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let mut c = Complaint::sample(1, "leak", "漏水");
        assert_eq!(place(&c, &config, Lang::ZhCn), "3栋", "no site");
        c.site = Some("lvjing".into());
        assert_eq!(place(&c, &config, Lang::ZhCn), "绿景花园 3栋");
        assert_eq!(place(&c, &config, Lang::En), "Greenview Garden 3栋");
        c.site = Some("海底捞\u{1b}[2J".into());
        c.location = String::new();
        assert_eq!(
            place(&c, &config, Lang::ZhCn),
            sanitize_line("海底捞\u{1b}[2J"),
            "free text, made safe, alone"
        );
    }

    #[test]
    fn an_imported_rows_record_and_an_attached_call_read_by_their_names() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let catalog = Catalog::get(Lang::ZhCn);
        let at = DateTime::from_timestamp(1_763_800_000, 0).expect("time");
        let event = |kind: &str, detail: serde_json::Value| Event {
            at,
            agent: "王丽".into(),
            kind: kind.into(),
            from_stage: None,
            to_stage: None,
            detail,
        };
        let imported = event(
            "imported",
            serde_json::json!({
                "file": "台账.csv",
                "line": 7,
                "record": {"stage": "waiting_on_party", "scope": "out", "party": "developer"},
            }),
        );
        let line = event_line(&imported, &config, catalog);
        assert!(line.contains("由表格导入"), "{line}");
        assert!(
            line.contains("文件中的处理进度: 等待责任方 / 非物业纠纷（他方责任） / 开发商"),
            "{line}"
        );
        let call = event(
            "call_attached",
            serde_json::json!({"channel": "phone", "description": "又漏了", "same_phone": true}),
        );
        let line = event_line(&call, &config, catalog);
        assert!(line.contains("来电并入此案"), "{line}");
        assert!(line.contains("同一电话: 是"), "{line}");
    }

    #[test]
    fn further_categories_are_named_where_they_fit_else_counted() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let mut c = Complaint::sample(1, "leak", "漏水");
        assert_eq!(categories_cell(&c, &config, Lang::ZhCn, 0), "漏水");
        c.extra_categories = vec!["noise".into()];
        assert_eq!(categories_cell(&c, &config, Lang::ZhCn, 0), "漏水+1");
        assert_eq!(categories_cell(&c, &config, Lang::ZhCn, 12), "漏水+1");
        assert_eq!(
            categories_cell(&c, &config, Lang::ZhCn, 13),
            "漏水+噪音扰民"
        );
    }
}
