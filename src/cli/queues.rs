//! `list --queue callbacks|revisits`: the calls and revisits owed, by due time, as tables
//! for people or JSON/CSV for scripts (complaint fields plus `due_at` and `overdue`).

use std::io::Write;

use serde::Serialize;

use super::ListFormat;
use super::output::{self, ComplaintJson, CsvOut, JsonArray};
use crate::desk::{AgendaRange, CallbackView, Desk};
use crate::domain::complaint::Complaint;
use crate::error::Result;
use crate::i18n::Catalog;
use crate::present::local_minutes;
use crate::text::{fit, sanitize_line};

/// Rows fetched per page while streaming a queue.
const PAGE: u32 = 500;

/// One owed item: a callback or a revisit, with its complaint.
struct Owed {
    /// The callback's or revisit's row id (the page key with the due time).
    id: i64,
    complaint: Complaint,
    due_at: chrono::DateTime<chrono::Utc>,
    overdue: bool,
    /// Callback kind, or the revisit's role.
    what: String,
    attempts: u32,
    level: u32,
    owner: String,
}

/// A queue item as JSON: the complaint object plus the queue's fields.
#[derive(Serialize)]
struct OwedJson<'a> {
    #[serde(flatten)]
    complaint: ComplaintJson<'a>,
    due_at: String,
    overdue: bool,
    #[serde(rename = "callback_kind", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u32>,
    #[serde(skip_serializing_if = "skip_owner")]
    owner: Option<Option<&'a str>>,
}

/// Revisit rows have no owner key; callback rows always have one (null when nobody).
fn skip_owner(owner: &Option<Option<&str>>) -> bool {
    owner.is_none()
}

/// Where the rows go.
enum Sink<'w, W: Write> {
    Json(JsonArray<&'w mut W>),
    Csv(Box<CsvOut<&'w mut W>>),
    Table(&'w mut W),
}

/// Streams the callback queue (`revisits` false) or the revisit agenda, at most `cap`
/// rows, in `format`.
pub fn list<W: Write>(
    desk: &Desk,
    revisits: bool,
    format: ListFormat,
    cap: Option<u64>,
    catalog: &Catalog,
    out: &mut W,
) -> Result<()> {
    let io = super::commands::stdout_error;
    let zone = desk.config().policy.timezone;
    let mut sink = match format {
        ListFormat::Json => Sink::Json(JsonArray::new(out)),
        ListFormat::Csv => {
            let extra: &[&str] = if revisits {
                &["due_at", "overdue", "role"]
            } else {
                &[
                    "due_at",
                    "overdue",
                    "callback_kind",
                    "attempts",
                    "level",
                    "owner",
                ]
            };
            Sink::Csv(Box::new(CsvOut::with_extra(out, extra, zone).map_err(io)?))
        }
        ListFormat::Table => Sink::Table(out),
    };
    let mut seen = 0u64;
    let mut after = None;
    loop {
        let page = page(desk, revisits, after)?;
        let Some(last) = page.last() else { break };
        after = Some(last_key(last));
        for item in &page {
            if cap.is_some_and(|c| seen >= c) {
                break;
            }
            seen += 1;
            match &mut sink {
                Sink::Json(json) => json
                    .push(&OwedJson {
                        complaint: ComplaintJson::new(&item.complaint, zone),
                        due_at: output::rfc3339(item.due_at, zone),
                        overdue: item.overdue,
                        kind: (!revisits).then_some(item.what.as_str()),
                        role: revisits.then_some(item.what.as_str()),
                        attempts: (!revisits).then_some(item.attempts),
                        level: (!revisits).then_some(item.level),
                        owner: (!revisits)
                            .then_some((!item.owner.is_empty()).then_some(item.owner.as_str())),
                    })
                    .map_err(io)?,
                Sink::Csv(csv) => {
                    let mut extra =
                        vec![output::rfc3339(item.due_at, zone), item.overdue.to_string()];
                    if revisits {
                        extra.push(item.what.clone());
                    } else {
                        extra.extend([
                            item.what.clone(),
                            item.attempts.to_string(),
                            item.level.to_string(),
                            item.owner.clone(),
                        ]);
                    }
                    csv.push_extra(&item.complaint, &extra).map_err(io)?;
                }
                Sink::Table(w) => {
                    writeln!(w, "{}", table_row(item, revisits, desk, catalog).trim_end())
                        .map_err(io)?;
                }
            }
        }
        if cap.is_some_and(|c| seen >= c) || page.len() < PAGE as usize {
            break;
        }
    }
    match sink {
        Sink::Json(json) => json.finish().map_err(io),
        Sink::Csv(csv) => csv.finish().map_err(io),
        Sink::Table(w) if seen == 0 => {
            writeln!(w, "{}", catalog.text("cli.list_empty")).map_err(io)
        }
        Sink::Table(_) => Ok(()),
    }
}

fn page(desk: &Desk, revisits: bool, after: Option<(i64, i64)>) -> Result<Vec<Owed>> {
    if revisits {
        let now = desk.now();
        return Ok(desk
            .revisit_agenda(AgendaRange::All, PAGE, after)?
            .into_iter()
            .map(|(r, complaint)| Owed {
                id: r.id,
                overdue: r.due_at < now,
                due_at: r.due_at,
                what: r.role,
                attempts: 0,
                level: 0,
                owner: String::new(),
                complaint,
            })
            .collect());
    }
    Ok(desk
        .callback_queue(CallbackView::All, PAGE, after)?
        .into_iter()
        .map(|row| Owed {
            id: row.callback.id,
            due_at: row.callback.due_at,
            overdue: row.overdue,
            what: row.callback.kind,
            attempts: row.callback.attempts,
            level: row.callback.level,
            owner: row.callback.owner.unwrap_or_default(),
            complaint: row.complaint,
        })
        .collect())
}

fn last_key(o: &Owed) -> (i64, i64) {
    (o.due_at.timestamp(), o.id)
}

fn table_row(item: &Owed, revisits: bool, desk: &Desk, catalog: &Catalog) -> String {
    let mark = if item.overdue { "!" } else { " " };
    let what = if revisits {
        crate::present::role_name(&item.what, desk.config(), catalog.lang())
    } else {
        catalog
            .text_or(&format!("callback.{}", item.what), &item.what)
            .to_string()
    };
    let c = &item.complaint;
    format!(
        "{mark}{} {} {} {} {} {}",
        local_minutes(item.due_at, desk.config().policy.timezone),
        fit(&sanitize_line(&what), 14),
        c.number,
        fit(&sanitize_line(&c.name), 10),
        fit(&sanitize_line(&c.phone), 15),
        sanitize_line(&c.location)
    )
}
