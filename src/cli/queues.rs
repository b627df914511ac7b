//! `list --queue callbacks|revisits`: the calls and revisits owed, by due time, as tables
//! for people or JSON/CSV for scripts (complaint fields plus `due_at` and `overdue`).

use std::io::Write;

use serde::Serialize;

use super::ListFormat;
use super::output::{
    self, Column, ComplaintJson, CsvOut, JsonArray, MINUTES_COLS, NUMBER_COLS, header_line,
    table_line,
};
use crate::config::Named;
use crate::desk::{AgendaRange, CallbackView, Desk};
use crate::domain::complaint::Complaint;
use crate::error::Result;
use crate::i18n::Catalog;
use crate::present::local_minutes;
use crate::text::sanitize_line;

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
enum Sink<'w> {
    Json(JsonArray<&'w mut dyn Write>),
    Csv(Box<CsvOut<&'w mut dyn Write>>),
    Table(&'w mut dyn Write, Vec<Column>),
}

/// Streams the callback queue (`revisits` false) or the revisit agenda, at most `cap`
/// rows, in `format`.
pub fn list(
    desk: &Desk,
    revisits: bool,
    format: ListFormat,
    cap: Option<u64>,
    catalog: &Catalog,
    out: &mut dyn Write,
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
        ListFormat::Table => {
            let columns = columns(desk, revisits, catalog);
            writeln!(out, "{}", header_line(&columns)).map_err(io)?;
            Sink::Table(out, columns)
        }
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
                Sink::Table(w, columns) => {
                    let cells = cells(item, revisits, desk, catalog);
                    writeln!(w, "{}", table_line(columns, &cells)).map_err(io)?;
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
        Sink::Table(w, _) if seen == 0 => {
            writeln!(w, "{}", catalog.text("cli.list_empty")).map_err(io)
        }
        Sink::Table(..) => Ok(()),
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

/// The table's columns in the catalog's language: due (with the overdue mark), the call's
/// kind or the revisit's role (whole), number, name, phone, location.
fn columns(desk: &Desk, revisits: bool, catalog: &Catalog) -> Vec<Column> {
    let t = |k: &str| catalog.text(k).to_string();
    let what = if revisits {
        let roles = &desk.config().policy.roles;
        Column::whole(
            &t("label.role"),
            roles.iter().map(|r| r.name(catalog.lang())),
        )
    } else {
        let kinds = catalog.keys().filter(|k| k.starts_with("callback."));
        Column::whole(&t("cli.col_call"), kinds.map(|k| catalog.text(k)))
    };
    vec![
        // The overdue mark `!` comes first, before the time.
        Column::fixed(&format!(" {}", t("cli.col_due")), 1 + MINUTES_COLS),
        what,
        Column::fixed(&t("label.number"), NUMBER_COLS),
        Column::cut(&t("label.name"), 10),
        Column::cut(&t("label.phone"), 15),
        Column::fixed(&t("label.location"), 0),
    ]
}

/// The sanitised cells of one owed item.
fn cells(item: &Owed, revisits: bool, desk: &Desk, catalog: &Catalog) -> Vec<String> {
    let mark = if item.overdue { "!" } else { " " };
    let what = if revisits {
        crate::present::role_name(&item.what, desk.config(), catalog.lang())
    } else {
        catalog
            .text_or(&format!("callback.{}", item.what), &item.what)
            .to_string()
    };
    let c = &item.complaint;
    vec![
        format!(
            "{mark}{}",
            local_minutes(item.due_at, desk.config().policy.timezone)
        ),
        sanitize_line(&what),
        c.number.clone(),
        sanitize_line(&c.name),
        sanitize_line(&c.phone),
        sanitize_line(&c.location),
    ]
}
