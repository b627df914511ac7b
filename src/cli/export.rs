//! `export`: every complaint a manager may need, with the handling record's fields as
//! columns, as CSV (with a BOM), one JSON array or an .xlsx workbook; headers and values as
//! labels in the interface language (`--headers labels`, the default) or as keys for
//! scripts; with `--with-events` the timeline beside it (a second sheet, a second CSV file,
//! or each complaint's `events` in JSON). Text that a spreadsheet could take for a formula
//! never becomes one (the OWASP rule: a leading `'` in CSV, a quote-prefixed text cell in
//! .xlsx, whose text cells are never evaluated anyway).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::commands::stdout_error;
use super::output::{self, csv_err, rfc3339};
use super::{ExportFormat, HeaderStyle};
use crate::config::Config;
use crate::desk::{Desk, Event, ExportScope};
use crate::domain::complaint::Complaint;
use crate::domain::handling::Approval;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::files::Out;
use crate::i18n::{Catalog, Lang};
use crate::present::local_minutes;
use crate::text::spreadsheet_text;

/// A cell of an export row.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    /// Text (free text, a name, a key or a label).
    Text(String),
    /// A moment.
    Time(Option<DateTime<Utc>>),
    /// A whole number.
    Number(Option<i64>),
}

/// The columns of the complaints, in order: each one's key (the header with `--headers
/// keys`, the field `import` maps it to) and the catalog key of its label.
pub(super) const COLUMNS: [(&str, &str); 39] = [
    ("number", "label.number"),
    ("received_at", "label.received_at"),
    ("channel", "label.channel"),
    ("name", "label.name"),
    ("phone", "label.phone"),
    ("site", "label.site"),
    ("location", "label.location"),
    ("category", "label.category"),
    ("extra_categories", "label.extra_categories"),
    ("description", "label.description"),
    ("outcome", "label.outcome"),
    ("apologized", "label.apologized"),
    ("scope", "label.scope"),
    ("party", "label.party"),
    ("type", "label.type"),
    ("severity", "label.severity"),
    ("intent", "label.intent"),
    ("spread_risk", "label.spread_risk"),
    ("explained", "label.explained"),
    ("stage", "label.stage"),
    ("handler", "label.handler"),
    ("motive", "label.motive"),
    ("facts", "label.facts"),
    ("department", "label.department"),
    ("actions", "label.actions"),
    ("promised", "label.promised"),
    ("confirmed", "label.confirmed"),
    ("compensation", "label.compensation"),
    ("approval", "label.approval"),
    ("gift", "label.gift"),
    ("accepted", "label.accepted"),
    ("alternatives", "label.alternatives"),
    ("remedy_note", "label.remedy_note"),
    ("referrals", "label.referrals"),
    ("result", "label.summary"),
    ("root_cause", "label.root_cause"),
    ("lesson", "label.lesson"),
    ("closed_at", "label.closed_at"),
    ("updated_at", "label.updated_at"),
];

/// The columns of the timeline, in order (key, label).
const EVENT_COLUMNS: [(&str, &str); 7] = [
    ("number", "label.number"),
    ("at", "label.event_at"),
    ("agent", "label.agent"),
    ("kind", "label.kind"),
    ("from_stage", "label.from_stage"),
    ("to_stage", "label.to_stage"),
    ("detail", "label.detail"),
];

/// How cells read: labels in a language, or keys.
struct Style<'a> {
    labels: bool,
    config: &'a Config,
    catalog: &'a Catalog,
    lang: Lang,
    zone: Zone,
}

impl Style<'_> {
    /// The header row of `columns`.
    fn header(&self, columns: &[(&str, &str)]) -> Vec<String> {
        columns
            .iter()
            .map(|(key, label)| {
                if self.labels {
                    self.catalog.text(label).to_string()
                } else {
                    (*key).to_string()
                }
            })
            .collect()
    }

    fn flag(&self, b: bool) -> Cell {
        Cell::Text(match (self.labels, b) {
            (true, b) => self
                .catalog
                .text(if b { "label.yes" } else { "label.no" })
                .to_string(),
            (false, b) => b.to_string(),
        })
    }

    /// A catalog-named key (`section.key`) as a label or the key.
    fn named(&self, section: &str, key: &str) -> Cell {
        Cell::Text(if self.labels && !key.is_empty() {
            self.catalog.text(&format!("{section}.{key}")).to_string()
        } else {
            key.to_string()
        })
    }

    /// A configured key through `name` as a label, or the key.
    fn configured(&self, key: Option<&str>, name: impl Fn(&str) -> String) -> Cell {
        let key = key.unwrap_or_default();
        Cell::Text(if self.labels && !key.is_empty() {
            name(key)
        } else {
            key.to_string()
        })
    }

    /// The cells of `c` in [`COLUMNS`] order.
    fn complaint(&self, c: &Complaint) -> Vec<Cell> {
        let (config, lang) = (self.config, self.lang);
        let text = |s: &str| Cell::Text(s.to_string());
        let h = &c.handling;
        let plan = h.plan.as_ref();
        let summary = h.summary.as_ref();
        let separator = if self.labels {
            self.catalog.text("label.list_separator").to_string()
        } else {
            ";".to_string()
        };
        let extra: Vec<String> = c
            .extra_categories
            .iter()
            .map(|k| {
                if self.labels {
                    config.category_name(k, lang)
                } else {
                    k.clone()
                }
            })
            .collect();
        let approval = plan.map_or(Cell::Text(String::new()), |p| {
            Cell::Text(match (&p.approval, self.labels) {
                (Approval::NotNeeded, _) => String::new(),
                (Approval::Pending, true) => self.catalog.text("label.pending").to_string(),
                (Approval::Pending, false) => "pending".into(),
                (Approval::Approved { by }, true) => self
                    .catalog
                    .format("label.approved_by", &[("agent", by.clone())]),
                (Approval::Approved { by }, false) => format!("approved:{by}"),
                (Approval::Declined { by, note }, true) => self.catalog.format(
                    "label.declined_by",
                    &[("agent", by.clone()), ("note", note.clone())],
                ),
                (Approval::Declined { by, .. }, false) => format!("declined:{by}"),
            })
        });
        let referrals: Vec<String> = h
            .referrals
            .iter()
            .map(|r| {
                let to = if self.labels {
                    crate::present::referral_name(&r.to, config, self.catalog)
                } else {
                    r.to.clone()
                };
                let at = if self.labels {
                    local_minutes(r.at, self.zone)
                } else {
                    rfc3339(r.at, self.zone)
                };
                [at, to, r.note.clone()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        vec![
            text(&c.number),
            Cell::Time(Some(c.received_at)),
            self.named("channel", c.channel.as_str()),
            text(&c.name),
            text(&c.phone),
            self.configured(c.site.as_deref(), |k| config.site_name(k, lang)),
            text(&c.location),
            self.configured(Some(&c.category), |k| config.category_name(k, lang)),
            Cell::Text(extra.join(&separator)),
            text(&c.description),
            text(&c.outcome),
            self.flag(c.apologized),
            self.named("scope", c.scope.map_or("", |s| s.as_str())),
            self.configured(c.party.as_deref(), |k| config.party_name(k, lang)),
            self.configured(c.complaint_type.as_deref(), |k| config.type_name(k, lang)),
            self.configured(c.severity.as_deref(), |k| config.severity_name(k, lang)),
            self.named("intent", c.intent.as_str()),
            self.flag(c.spread_risk),
            self.flag(c.explained),
            self.named("stage", c.stage.as_str()),
            text(c.handler.as_deref().unwrap_or_default()),
            text(&h.motive),
            text(&h.facts),
            text(plan.map_or("", |p| p.department.as_str())),
            text(plan.map_or("", |p| p.actions.as_str())),
            Cell::Time(plan.and_then(|p| p.promised)),
            plan.map_or(Cell::Text(String::new()), |p| self.flag(p.confirmed)),
            Cell::Number(plan.and_then(|p| p.compensation).map(i64::from)),
            approval,
            text(plan.and_then(|p| p.gift.as_deref()).unwrap_or_default()),
            h.reply
                .as_ref()
                .map_or(Cell::Text(String::new()), |r| self.flag(r.accepted)),
            text(h.reply.as_ref().map_or("", |r| r.alternatives.as_str())),
            text(&h.remedy_note),
            Cell::Text(referrals.join(&separator)),
            text(summary.map_or("", |s| s.summary.as_str())),
            text(summary.map_or("", |s| s.root_cause.as_str())),
            text(summary.map_or("", |s| s.lesson.as_str())),
            Cell::Time(c.closed_at),
            Cell::Time(Some(c.updated_at)),
        ]
    }

    /// The cells of event `e` of complaint `number` in [`EVENT_COLUMNS`] order.
    fn event(&self, number: &str, e: &Event) -> Vec<Cell> {
        let stage = |s: Option<crate::domain::stage::Stage>| {
            self.named("stage", s.map_or("", |s| s.as_str()))
        };
        vec![
            Cell::Text(number.to_string()),
            Cell::Time(Some(e.at)),
            Cell::Text(e.agent.clone()),
            self.named("event", &e.kind),
            stage(e.from_stage),
            stage(e.to_stage),
            Cell::Text(e.detail.to_string()),
        ]
    }

    /// A cell as CSV text: labels write local minutes, keys RFC 3339; every text guarded.
    fn csv(&self, cell: Cell) -> String {
        match cell {
            Cell::Text(t) => spreadsheet_text(&t),
            Cell::Time(None) | Cell::Number(None) => String::new(),
            Cell::Time(Some(t)) if self.labels => local_minutes(t, self.zone),
            Cell::Time(Some(t)) => rfc3339(t, self.zone),
            Cell::Number(Some(n)) => n.to_string(),
        }
    }
}

/// The export's options as given on the command line.
pub struct ExportArgs<'a> {
    /// Format.
    pub format: ExportFormat,
    /// The new file (stdout when `None`; .xlsx and CSV with events need one).
    pub out: Option<&'a Path>,
    /// A BOM before CSV.
    pub bom: bool,
    /// Labels or keys.
    pub headers: HeaderStyle,
    /// What the export holds.
    pub scope: ExportScope,
}

/// The file beside `out` that holds the timeline of a CSV export (`x.csv` → `x-events.csv`).
pub fn events_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = out
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    out.with_file_name(format!("{stem}-events{ext}"))
}

/// What an export did.
pub struct Exported {
    /// Complaints written.
    pub count: u64,
    /// Unfinished copies that killed runs had left, removed before writing.
    pub stale_removed: Vec<PathBuf>,
}

/// Creates `path` for writing, noting the stale partials it removed.
fn create(path: &Path, removed: &mut Vec<PathBuf>) -> Result<Out> {
    let out = Out::create(path)?;
    removed.extend(out.removed().iter().cloned());
    Ok(out)
}

/// Runs `export`.
pub fn export(desk: &mut Desk, args: &ExportArgs<'_>, catalog: &Catalog) -> Result<Exported> {
    let mut stale_removed = Vec::new();
    let count = write(desk, args, catalog, &mut stale_removed)?;
    Ok(Exported {
        count,
        stale_removed,
    })
}

fn write(
    desk: &mut Desk,
    args: &ExportArgs<'_>,
    catalog: &Catalog,
    removed: &mut Vec<PathBuf>,
) -> Result<u64> {
    let config = desk.config().clone();
    let style = Style {
        labels: args.headers == HeaderStyle::Labels,
        config: &config,
        catalog,
        lang: catalog.lang(),
        zone: config.policy.timezone,
    };
    let with_events = args.scope.with_events;
    match (args.format, args.out) {
        (ExportFormat::Xlsx, None) => {
            Err(Error::new("error.export_needs_out").arg("format", "xlsx"))
        }
        (ExportFormat::Csv, None) if with_events => {
            Err(Error::new("error.export_needs_out").arg("format", "csv --with-events"))
        }
        (ExportFormat::Xlsx, Some(path)) => xlsx(desk, args, &style, path, removed),
        (ExportFormat::Csv, Some(path)) => {
            let mut out = create(path, removed)?;
            let mut events = if with_events {
                Some((create(&events_path(path), removed)?, events_path(path)))
            } else {
                None
            };
            let count = csv(
                desk,
                args,
                &style,
                &mut out,
                events.as_mut().map(|(o, p)| (o, p.as_path())),
                path,
            )?;
            out.finish()?;
            if let Some((o, _)) = events {
                o.finish()?;
            }
            Ok(count)
        }
        (ExportFormat::Csv, None) => {
            let stdout = std::io::stdout();
            let mut count = 0;
            output::held_back(&mut stdout.lock(), |w| {
                count = csv(desk, args, &style, w, None, Path::new("-"))?;
                Ok(())
            })?;
            Ok(count)
        }
        (ExportFormat::Json, Some(path)) => {
            let mut out = create(path, removed)?;
            let count = json(desk, args, &mut out, path)?;
            out.finish()?;
            Ok(count)
        }
        (ExportFormat::Json, None) => {
            let stdout = std::io::stdout();
            let mut count = 0;
            output::held_back(&mut stdout.lock(), |w| {
                count = json(desk, args, w, Path::new("-"))?;
                Ok(())
            })?;
            Ok(count)
        }
    }
}

/// The error of writing `path` (`-`: stdout).
fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| {
        if path == Path::new("-") {
            stdout_error(e)
        } else {
            Error::io(path, e)
        }
    }
}

fn csv(
    desk: &mut Desk,
    args: &ExportArgs<'_>,
    style: &Style<'_>,
    out: &mut dyn Write,
    events: Option<(&mut Out, &Path)>,
    path: &Path,
) -> Result<u64> {
    let io = io_error(path);
    let mut main = output::csv_writer(out, args.bom).map_err(&io)?;
    main.write_record(style.header(&COLUMNS))
        .map_err(|e| io(csv_err(e)))?;
    let mut timeline = match events {
        Some((out, p)) => {
            let mut w = output::csv_writer(out, args.bom).map_err(io_error(p))?;
            w.write_record(style.header(&EVENT_COLUMNS))
                .map_err(|e| Error::io(p, csv_err(e)))?;
            Some((w, p))
        }
        None => None,
    };
    let count = desk.export_each(&args.scope, |c, events| {
        let row: Vec<String> = style
            .complaint(c)
            .into_iter()
            .map(|x| style.csv(x))
            .collect();
        main.write_record(&row).map_err(|e| io(csv_err(e)))?;
        if let Some((w, p)) = timeline.as_mut() {
            for e in events {
                let row: Vec<String> = style
                    .event(&c.number, e)
                    .into_iter()
                    .map(|x| style.csv(x))
                    .collect();
                w.write_record(&row).map_err(|e| Error::io(p, csv_err(e)))?;
            }
        }
        Ok(())
    })?;
    main.flush().map_err(&io)?;
    if let Some((mut w, p)) = timeline {
        w.flush().map_err(|e| Error::io(p, e))?;
    }
    Ok(count)
}

fn json(desk: &mut Desk, args: &ExportArgs<'_>, out: &mut dyn Write, path: &Path) -> Result<u64> {
    let io = io_error(path);
    let zone = desk.config().policy.timezone;
    let mut json = output::JsonArray::new(out);
    let with_events = args.scope.with_events;
    let count = desk.export_each(&args.scope, |c, events| {
        let mut value = serde_json::to_value(output::ComplaintJson::new(c, zone))
            .map_err(|e| io(std::io::Error::other(e)))?;
        if with_events {
            value["events"] = events.iter().map(|e| output::event_json(e, zone)).collect();
        }
        json.push(&value).map_err(&io)
    })?;
    json.finish().map_err(&io)?;
    Ok(count)
}

/// Widths of the complaint columns in a sheet (characters; long text wraps nowhere, the
/// width just shows its start).
fn width(key: &str) -> f64 {
    match key {
        "number" => 16.0,
        "received_at" | "closed_at" | "updated_at" | "promised" => 17.0,
        "description" | "outcome" | "facts" | "actions" | "result" | "referrals" => 40.0,
        "location" | "motive" | "alternatives" | "remedy_note" | "root_cause" | "lesson" => 24.0,
        "phone" => 15.0,
        "detail" => 60.0,
        _ => 12.0,
    }
}

fn xlsx_err(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(e))
}

/// Writes one row of cells: text as text (quote-prefixed when it looks like a formula),
/// times as dates, numbers as numbers.
fn xlsx_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: Vec<Cell>,
    formats: &XlsxFormats,
    zone: Zone,
) -> std::result::Result<(), XlsxError> {
    for (col, cell) in cells.into_iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        match cell {
            Cell::Text(t) if t.is_empty() => {}
            Cell::Text(t) => {
                if spreadsheet_text(&t) == t {
                    sheet.write_string(row, col, &t)?;
                } else {
                    sheet.write_string_with_format(row, col, &t, &formats.quoted)?;
                }
            }
            Cell::Time(Some(t)) => {
                let local: NaiveDateTime = zone.local(t);
                sheet.write_datetime_with_format(row, col, local, &formats.time)?;
            }
            Cell::Number(Some(n)) => {
                sheet.write_number(row, col, n as f64)?;
            }
            Cell::Time(None) | Cell::Number(None) => {}
        }
    }
    Ok(())
}

struct XlsxFormats {
    header: Format,
    time: Format,
    quoted: Format,
}

impl XlsxFormats {
    fn new() -> Self {
        XlsxFormats {
            header: Format::new().set_bold(),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            quoted: Format::new().set_quote_prefix(),
        }
    }
}

/// Data rows a sheet holds below its header (Excel's limit is 1,048,576 rows).
const SHEET_ROWS: u32 = 1_048_575;

/// A series of sheets of one table: a new one (`name 2`, `name 3`, …) when a sheet is full.
struct Sheets<'k> {
    name: String,
    header: Vec<String>,
    keys: &'k [(&'k str, &'k str)],
    done: Vec<Worksheet>,
    current: Worksheet,
    row: u32,
    /// Data rows per sheet ([`SHEET_ROWS`]).
    limit: u32,
}

impl<'k> Sheets<'k> {
    fn new(
        workbook: &mut Workbook,
        name: String,
        header: Vec<String>,
        keys: &'k [(&'k str, &'k str)],
        formats: &XlsxFormats,
        limit: u32,
    ) -> std::result::Result<Self, XlsxError> {
        let current = sheet(workbook, &name, &header, keys, formats)?;
        Ok(Sheets {
            name,
            header,
            keys,
            done: Vec::new(),
            current,
            row: 0,
            limit,
        })
    }

    /// Appends a row, on a new sheet when this one is full.
    fn push(
        &mut self,
        workbook: &mut Workbook,
        cells: Vec<Cell>,
        formats: &XlsxFormats,
        zone: Zone,
    ) -> std::result::Result<(), XlsxError> {
        if self.row == self.limit {
            let name = format!("{} {}", self.name, self.done.len() + 2);
            let next = sheet(workbook, &name, &self.header, self.keys, formats)?;
            self.done.push(std::mem::replace(&mut self.current, next));
            self.row = 0;
        }
        self.row += 1;
        xlsx_row(&mut self.current, self.row, cells, formats, zone)
    }

    /// Every sheet, in order.
    fn finish(mut self) -> Vec<Worksheet> {
        self.done.push(self.current);
        self.done
    }
}

/// A new sheet in constant memory mode: its bold header row frozen, its columns' widths.
fn sheet(
    workbook: &mut Workbook,
    name: &str,
    header: &[String],
    keys: &[(&str, &str)],
    formats: &XlsxFormats,
) -> std::result::Result<Worksheet, XlsxError> {
    let mut sheet = workbook.new_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    for (col, ((key, _), title)) in keys.iter().zip(header).enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.set_column_width(col, width(key))?;
        sheet.write_string_with_format(0, col, title, &formats.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}

fn xlsx(
    desk: &mut Desk,
    args: &ExportArgs<'_>,
    style: &Style<'_>,
    path: &Path,
    removed: &mut Vec<PathBuf>,
) -> Result<u64> {
    let err = xlsx_err(path);
    let mut out = create(path, removed)?;
    let mut workbook = Workbook::new();
    // Rows wait in unnamed temporary files beside the export (never in memory, never left
    // behind: they are gone when closed, even if the process is killed).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        workbook.set_tempdir(dir).map_err(&err)?;
    }
    let formats = XlsxFormats::new();
    let sheet_name = |key: &str, fallback: &str| {
        if style.labels {
            style.catalog.text(key).to_string()
        } else {
            fallback.to_string()
        }
    };
    let mut main = Sheets::new(
        &mut workbook,
        sheet_name("label.complaints_sheet", "complaints"),
        style.header(&COLUMNS),
        &COLUMNS,
        &formats,
        SHEET_ROWS,
    )
    .map_err(&err)?;
    let mut timeline = if args.scope.with_events {
        Some(
            Sheets::new(
                &mut workbook,
                sheet_name("label.events", "events"),
                style.header(&EVENT_COLUMNS),
                &EVENT_COLUMNS,
                &formats,
                SHEET_ROWS,
            )
            .map_err(&err)?,
        )
    } else {
        None
    };
    let count = desk.export_each(&args.scope, |c, events| {
        main.push(&mut workbook, style.complaint(c), &formats, style.zone)
            .map_err(&err)?;
        if let Some(sheets) = timeline.as_mut() {
            for e in events {
                sheets
                    .push(
                        &mut workbook,
                        style.event(&c.number, e),
                        &formats,
                        style.zone,
                    )
                    .map_err(&err)?;
            }
        }
        Ok(())
    })?;
    for sheet in main.finish() {
        workbook.push_worksheet(sheet);
    }
    for sheet in timeline.map(Sheets::finish).unwrap_or_default() {
        workbook.push_worksheet(sheet);
    }
    workbook.save_to_writer(&mut out).map_err(&err)?;
    out.finish()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn a_full_sheet_goes_on_in_the_next() {
        let mut workbook = Workbook::new();
        let formats = XlsxFormats::new();
        let keys = [("number", "label.number")];
        let mut sheets = Sheets::new(
            &mut workbook,
            "投诉".into(),
            vec!["编号".into()],
            &keys,
            &formats,
            2,
        )
        .expect("sheets");
        let zone = Zone::named("Asia/Shanghai").expect("zone");
        for i in 0..5 {
            let cells = vec![Cell::Text(format!("=n{i}"))];
            sheets
                .push(&mut workbook, cells, &formats, zone)
                .expect("row");
        }
        for sheet in sheets.finish() {
            workbook.push_worksheet(sheet);
        }
        let bytes = workbook.save_to_buffer().expect("save");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("read");
        assert_eq!(book.sheet_names(), ["投诉", "投诉 2", "投诉 3"]);
        let mut rows = |name: &str| -> Vec<Data> {
            let range = book.worksheet_range(name).expect(name);
            range.rows().map(|r| r[0].clone()).collect()
        };
        let text = |s: &str| Data::String(s.into());
        assert_eq!(rows("投诉"), [text("编号"), text("=n0"), text("=n1")]);
        assert_eq!(rows("投诉 3"), [text("编号"), text("=n4")]);
    }
}
