//! How a case reads for a person, in their language and with untrusted text made safe:
//! shared by `show --format text` and the app's detail pane.

use std::io::{self, Write};

use chrono::{DateTime, Local, Utc};

use crate::config::Config;
use crate::desk::CaseFile;
use crate::domain::complaint::Channel;
use crate::i18n::Catalog;
use crate::store::events::Event;
use crate::text::{fit, sanitize_line, sanitize_lines, width};

/// A time as people read it: local, to the minute.
pub fn local_minutes(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
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
    let fields: Vec<(&str, String)> = vec![
        ("label.number", c.number.clone()),
        ("label.received_at", local_minutes(c.received_at)),
        ("label.channel", t(c.channel.label_key())),
        ("label.name", c.name.clone()),
        ("label.phone", c.phone.clone()),
        ("label.location", c.location.clone()),
        ("label.category", config.category_name(&c.category, lang)),
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
        ("label.closed_at", opt(c.closed_at.map(local_minutes))),
        ("label.version", c.version.to_string()),
    ];
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
            let state = cb
                .done_at
                .map_or_else(|| t("label.due"), |_| t("label.done"));
            writeln!(
                out,
                "  {} {}  {}  {}",
                state,
                local_minutes(cb.due_at),
                sanitize_line(&cb.kind),
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
            writeln!(
                out,
                "  {} {}  {}  {sat}  {}",
                t("label.due"),
                local_minutes(r.due_at),
                sanitize_line(&r.role),
                sanitize_line(&r.comment)
            )?;
        }
    }
    Ok(())
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
        local_minutes(e.at),
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
    let parts: Vec<String> = map
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let label_key = format!("label.{k}");
            let label = match catalog.text(&label_key) {
                l if l == label_key => k.clone(),
                l => l.to_string(),
            };
            let value = match (k.as_str(), v) {
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
                ("severity", serde_json::Value::String(s)) => config.severity_name(s, lang),
                ("type", serde_json::Value::String(s)) => config.type_name(s, lang),
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
