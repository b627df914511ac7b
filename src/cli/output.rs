//! How complaints are printed: JSON and CSV exactly as typed, tables and text sanitised.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::commands::stdout_error;
use crate::config::{Config, Named};
use crate::desk::{CaseFile, Event};
use crate::domain::complaint::Complaint;
use crate::domain::handling::Handling;
use crate::domain::risk::Risk;
use crate::domain::stage::Stage;
use crate::domain::zone::Zone;
use crate::error::Result;
use crate::i18n::Catalog;
use crate::present::local_minutes;
use crate::text::{fit, sanitize_line, width};

/// RFC 3339 with the desk zone's offset, as the contract prints times.
pub fn rfc3339(t: DateTime<Utc>, zone: Zone) -> String {
    zone.fixed(t).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A complaint as JSON: stable snake_case keys, times in local RFC 3339.
#[derive(Debug, Serialize)]
pub struct ComplaintJson<'a> {
    number: &'a str,
    received_at: String,
    channel: &'a str,
    name: &'a str,
    phone: &'a str,
    location: &'a str,
    category: &'a str,
    extra_categories: &'a [String],
    site: Option<&'a str>,
    description: &'a str,
    outcome: &'a str,
    apologized: bool,
    scope: Option<&'a str>,
    party: Option<&'a str>,
    #[serde(rename = "type")]
    complaint_type: Option<&'a str>,
    severity: Option<&'a str>,
    intent: &'a str,
    spread_risk: bool,
    explained: bool,
    stage: &'a str,
    version: i64,
    handler: Option<&'a str>,
    closed_at: Option<String>,
    updated_at: String,
    handling: &'a Handling,
    /// The primary's number while merged into it.
    merged_into: Option<&'a str>,
}

impl<'a> ComplaintJson<'a> {
    /// The JSON of `c`, times in `zone`.
    pub fn new(c: &'a Complaint, zone: Zone) -> Self {
        ComplaintJson {
            number: &c.number,
            received_at: rfc3339(c.received_at, zone),
            channel: c.channel.as_str(),
            name: &c.name,
            phone: &c.phone,
            location: &c.location,
            category: &c.category,
            extra_categories: &c.extra_categories,
            site: c.site.as_deref(),
            description: &c.description,
            outcome: &c.outcome,
            apologized: c.apologized,
            scope: c.scope.map(|s| s.as_str()),
            party: c.party.as_deref(),
            complaint_type: c.complaint_type.as_deref(),
            severity: c.severity.as_deref(),
            intent: c.intent.as_str(),
            spread_risk: c.spread_risk,
            explained: c.explained,
            stage: c.stage.as_str(),
            version: c.version,
            handler: c.handler.as_deref(),
            closed_at: c.closed_at.map(|t| rfc3339(t, zone)),
            updated_at: rfc3339(c.updated_at, zone),
            handling: &c.handling,
            merged_into: c.merged_into.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct EventJson<'a> {
    at: String,
    agent: &'a str,
    kind: &'a str,
    from_stage: Option<&'a str>,
    to_stage: Option<&'a str>,
    detail: &'a serde_json::Value,
}

impl<'a> EventJson<'a> {
    fn new(e: &'a Event, zone: Zone) -> Self {
        EventJson {
            at: rfc3339(e.at, zone),
            agent: &e.agent,
            kind: &e.kind,
            from_stage: e.from_stage.map(|s| s.as_str()),
            to_stage: e.to_stage.map(|s| s.as_str()),
            detail: &e.detail,
        }
    }
}

/// A timeline event as JSON (as `show --format json` lists them), times in `zone`.
pub fn event_json(e: &Event, zone: Zone) -> serde_json::Value {
    serde_json::to_value(EventJson::new(e, zone)).unwrap_or(serde_json::Value::Null)
}

#[derive(Serialize)]
struct CaseJson<'a> {
    #[serde(flatten)]
    complaint: ComplaintJson<'a>,
    events: Vec<EventJson<'a>>,
    callbacks: Vec<serde_json::Value>,
    revisits: Vec<serde_json::Value>,
    attachments: Vec<serde_json::Value>,
    /// The escalation risk (null once closed).
    risk: Option<&'a Risk>,
    /// Related cases, newest first.
    related: Vec<serde_json::Value>,
    /// The cases merged into this one, oldest first.
    absorbed: Vec<serde_json::Value>,
    /// The complaint this one was split from.
    split_from: Option<&'a str>,
    /// The complaints split from this one, oldest first.
    split_into: &'a [String],
    /// The case library's card made from it.
    library_card: Option<i64>,
}

/// Keeps the kind of an I/O error (a closed pipe stays a closed pipe).
fn json_err(e: serde_json::Error) -> io::Error {
    io::Error::from(e)
}

/// Writes one case file as a JSON object.
pub fn write_case_json(out: &mut dyn Write, case: &CaseFile, zone: Zone) -> io::Result<()> {
    let value = CaseJson {
        complaint: ComplaintJson::new(&case.complaint, zone),
        events: case.events.iter().map(|e| EventJson::new(e, zone)).collect(),
        callbacks: case
            .callbacks
            .iter()
            .map(|c| {
                serde_json::json!({
                    "kind": c.kind, "due_at": rfc3339(c.due_at, zone), "owner": c.owner,
                    "note": c.note, "done_at": c.done_at.map(|t| rfc3339(t, zone)),
                })
            })
            .collect(),
        revisits: case
            .revisits
            .iter()
            .map(|r| {
                serde_json::json!({
                    "role": r.role, "due_at": rfc3339(r.due_at, zone), "done_at": r.done_at.map(|t| rfc3339(t, zone)),
                    "reached": r.reached, "satisfaction": r.satisfaction, "comment": r.comment,
                })
            })
            .collect(),
        attachments: case
            .attachments
            .iter()
            .map(|a| {
                serde_json::json!({
                    "path": (!a.path.is_empty()).then_some(&a.path), "sha256": a.sha256,
                    "size": a.size, "confidential": a.confidential,
                    "added_at": rfc3339(a.added_at, zone), "added_by": a.added_by,
                })
            })
            .collect(),
        risk: case.risk.as_ref(),
        related: case
            .related
            .iter()
            .map(|c| {
                serde_json::json!({
                    "number": c.number, "received_at": rfc3339(c.received_at, zone),
                    "stage": c.stage.as_str(), "site": c.site, "location": c.location,
                    "category": c.category, "severity": c.severity,
                })
            })
            .collect(),
        absorbed: case
            .absorbed
            .iter()
            .map(|c| {
                serde_json::json!({
                    "number": c.number, "received_at": rfc3339(c.received_at, zone),
                    "location": c.location, "category": c.category,
                })
            })
            .collect(),
        split_from: case.split.split_from.as_deref(),
        split_into: &case.split.split_into,
        library_card: case.card,
    };
    serde_json::to_writer_pretty(&mut *out, &value).map_err(json_err)?;
    writeln!(out)
}

/// Streams a JSON array, one element at a time.
pub struct JsonArray<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonArray<W> {
    /// Starts an array.
    pub fn new(out: W) -> Self {
        JsonArray { out, first: true }
    }

    /// Appends an element.
    pub fn push<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[\n  " } else { b",\n  " })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, value).map_err(json_err)
    }

    /// Closes the array.
    pub fn finish(mut self) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" })
    }
}

const CSV_HEADER: [&str; 24] = [
    "number",
    "received_at",
    "channel",
    "name",
    "phone",
    "location",
    "category",
    "description",
    "outcome",
    "apologized",
    "scope",
    "party",
    "type",
    "severity",
    "intent",
    "spread_risk",
    "explained",
    "stage",
    "version",
    "closed_at",
    "updated_at",
    "handler",
    "site",
    "extra_categories",
];

/// Keeps the kind of an I/O error inside a CSV error.
pub(super) fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A CSV writer on `out`, a UTF-8 BOM written first when `bom` (spreadsheets then read the
/// text as UTF-8).
pub(super) fn csv_writer<W: Write>(mut out: W, bom: bool) -> io::Result<csv::Writer<W>> {
    if bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    Ok(csv::Writer::from_writer(out))
}

/// Streams complaints as CSV with a header row (and a UTF-8 BOM when asked).
pub struct CsvOut<W: Write> {
    writer: csv::Writer<W>,
    zone: Zone,
}

impl<W: Write> CsvOut<W> {
    /// Starts the CSV, BOM first when `bom`.
    pub fn new(out: W, bom: bool, zone: Zone) -> io::Result<Self> {
        let mut writer = csv_writer(out, bom)?;
        writer.write_record(CSV_HEADER).map_err(csv_err)?;
        Ok(CsvOut { writer, zone })
    }

    /// Starts the CSV of a queue listing: the complaint columns, then `extra` ones.
    pub fn with_extra(out: W, extra: &[&str], zone: Zone) -> io::Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        let header: Vec<&str> = CSV_HEADER
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect();
        writer.write_record(&header).map_err(csv_err)?;
        Ok(CsvOut { writer, zone })
    }

    /// Appends a complaint with the values of the extra columns.
    pub fn push_extra(&mut self, c: &Complaint, extra: &[String]) -> io::Result<()> {
        let mut record = complaint_record(c, self.zone);
        record.extend(extra.iter().cloned());
        self.writer.write_record(&record).map_err(csv_err)
    }

    /// Appends a complaint.
    pub fn push(&mut self, c: &Complaint) -> io::Result<()> {
        self.writer
            .write_record(complaint_record(c, self.zone))
            .map_err(csv_err)
    }

    /// Flushes the CSV.
    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// The CSV fields of a complaint, in `CSV_HEADER` order.
fn complaint_record(c: &Complaint, zone: Zone) -> Vec<String> {
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    vec![
        c.number.clone(),
        rfc3339(c.received_at, zone),
        c.channel.as_str().to_string(),
        c.name.clone(),
        c.phone.clone(),
        c.location.clone(),
        c.category.clone(),
        c.description.clone(),
        c.outcome.clone(),
        flag(c.apologized),
        c.scope.map_or("", |s| s.as_str()).to_string(),
        c.party.clone().unwrap_or_default(),
        c.complaint_type.clone().unwrap_or_default(),
        c.severity.clone().unwrap_or_default(),
        c.intent.as_str().to_string(),
        flag(c.spread_risk),
        flag(c.explained),
        c.stage.as_str().to_string(),
        c.version.to_string(),
        c.closed_at.map(|t| rfc3339(t, zone)).unwrap_or_default(),
        rfc3339(c.updated_at, zone),
        c.handler.clone().unwrap_or_default(),
        c.site.clone().unwrap_or_default(),
        c.extra_categories.join(";"),
    ]
}

/// A column of a table for people: its header and how wide its cells are.
pub struct Column {
    header: String,
    width: usize,
    /// Free text and names are cut to the width; labels never are.
    cut: bool,
}

impl Column {
    /// A column of labels (a stage, a kind, a configured name): as wide as the widest of
    /// `values` and the header, never cut.
    pub fn whole<S: AsRef<str>>(header: &str, values: impl IntoIterator<Item = S>) -> Column {
        let width = values
            .into_iter()
            .map(|v| width(v.as_ref()))
            .chain([width(header)])
            .max()
            .unwrap_or(0);
        Column {
            header: header.to_string(),
            width,
            cut: false,
        }
    }

    /// A column of values all `cols` wide (times, numbers), or the header's width.
    pub fn fixed(header: &str, cols: usize) -> Column {
        Column {
            header: header.to_string(),
            width: cols.max(width(header)),
            cut: false,
        }
    }

    /// A column of free text or names: `cols` wide (or the header's width), cut with `~`.
    pub fn cut(header: &str, cols: usize) -> Column {
        Column {
            header: header.to_string(),
            width: cols.max(width(header)),
            cut: true,
        }
    }

    fn cell(&self, text: &str) -> String {
        if self.cut || width(text) < self.width {
            fit(text, self.width)
        } else {
            text.to_string()
        }
    }
}

/// One line of `columns` holding sanitised `cells`, aligned by display width.
pub fn table_line(columns: &[Column], cells: &[String]) -> String {
    let line: Vec<String> = columns
        .iter()
        .zip(cells)
        .map(|(col, cell)| col.cell(cell))
        .collect();
    line.join(" ").trim_end().to_string()
}

/// The header line of `columns`.
pub fn header_line(columns: &[Column]) -> String {
    let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
    table_line(columns, &headers)
}

/// Width of a local time as tables print it (`2026-11-20 17:50`).
pub const MINUTES_COLS: usize = 16;
/// Width of a complaint number (`20261122-0007`).
pub const NUMBER_COLS: usize = 13;

/// An aligned, sanitised table of complaints for people.
pub struct Table<'a> {
    config: &'a Config,
    catalog: &'a Catalog,
    columns: Vec<Column>,
}

impl<'a> Table<'a> {
    /// A table in the catalog's language.
    pub fn new(config: &'a Config, catalog: &'a Catalog) -> Self {
        let t = |k: &str| catalog.text(k).to_string();
        let lang = catalog.lang();
        let stages = Stage::ALL
            .iter()
            .map(|s| t(s.label_key()))
            .chain([t("cli.untriaged")])
            // A spread risk marks the stage with `!`.
            .map(|s| format!("!{s}"));
        let categories = config.policy.categories.iter().map(|c| c.name(lang));
        let columns = vec![
            Column::fixed(&t("label.number"), NUMBER_COLS),
            Column::fixed(&t("label.received_at"), MINUTES_COLS),
            Column::whole(&t("label.stage"), stages),
            Column::cut(&t("label.handler"), 8),
            Column::whole(&t("label.category"), categories),
            Column::cut(&t("label.name"), 10),
            Column::cut(&t("label.location"), 16),
            Column::cut(&t("label.description"), 36),
        ];
        Table {
            config,
            catalog,
            columns,
        }
    }

    /// Prints the header row.
    pub fn header(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", header_line(&self.columns))
    }

    /// Prints one complaint.
    pub fn row(&mut self, out: &mut dyn Write, c: &Complaint) -> io::Result<()> {
        let lang = self.catalog.lang();
        let mut stage = self.catalog.text(c.stage.label_key()).to_string();
        if c.scope.is_none() && c.stage.is_open() {
            stage = self.catalog.text("cli.untriaged").to_string();
        }
        // A spread risk (传播风险) is marked where the eye starts: the stage column.
        if c.spread_risk {
            stage = format!("!{stage}");
        }
        let cells = [
            c.number.clone(),
            local_minutes(c.received_at, self.config.policy.timezone),
            stage,
            sanitize_line(c.handler.as_deref().unwrap_or("-")),
            sanitize_line(&self.config.category_name(&c.category, lang)),
            sanitize_line(&c.name),
            sanitize_line(&c.location),
            sanitize_line(&c.description),
        ];
        writeln!(out, "{}", table_line(&self.columns, &cells))
    }
}

/// Runs `write` on `dest`, what it writes held back until it returns or 64 KiB: a command
/// that fails early prints nothing (not a header, then an error).
pub fn held_back(
    dest: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let mut held = io::BufWriter::with_capacity(1 << 16, dest);
    // The writers' own flushes (a CSV writer flushes when dropped) stop here.
    match write(&mut HoldBack(&mut held)) {
        Ok(()) => held.flush().map_err(stdout_error),
        Err(e) => {
            // What is still held back is dropped unprinted.
            drop(held.into_parts());
            Err(e)
        }
    }
}

/// A writer that passes writes on and keeps flushes to itself.
struct HoldBack<'a, W: Write>(&'a mut W);

impl<W: Write> Write for HoldBack<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Sizes for people: 1.2 MB.
pub fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// A header written before a failure never reaches the reader; a success does, whole.
    #[test]
    fn what_a_failing_command_wrote_is_dropped() {
        let mut dest: Vec<u8> = Vec::new();
        let failed = held_back(&mut dest, |out| {
            writeln!(out, "header").map_err(stdout_error)?;
            out.flush().map_err(stdout_error)?;
            Err(Error::new("error.internal").arg("detail", "page 2 failed"))
        });
        assert!(failed.is_err());
        assert!(dest.is_empty(), "{dest:?}");
        held_back(&mut dest, |out| {
            writeln!(out, "header").map_err(stdout_error)
        })
        .expect("written");
        assert_eq!(dest, b"header\n");
    }

    /// Labels keep their whole width; free text is cut; cells line up by display width.
    #[test]
    fn labels_are_whole_and_text_is_cut() {
        let columns = [
            Column::whole("阶段", ["等待责任方", "已受理"]),
            Column::cut("内容", 6),
            Column::fixed("编号", 3),
        ];
        assert_eq!(header_line(&columns), "阶段       内容   编号");
        let row = |a: &str, b: &str| table_line(&columns, &[a.into(), b.into(), "7".into()]);
        assert_eq!(row("已受理", "楼上漏水了"), "已受理     楼上~  7");
        assert_eq!(row("等待责任方", "ab"), "等待责任方 ab     7");
    }
}
