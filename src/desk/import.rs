//! Importing a spreadsheet (`import FILE`): every row checked by the rules of intake, then —
//! for a real run — staged and published in short transactions.
//!
//! All or nothing, with short transactions: the rows are first *staged* (`import_staged`,
//! which no queue, count or search reads), a few thousand per transaction; a refused row
//! stops the staging (unless refused rows are to be skipped) and the staged rows are
//! removed, so nothing was ever visible. Once every row is staged, one short transaction
//! marks the import `publishing`: that is its commit point. Its rows then become complaints
//! through a [`BulkWriter`] (about a quarter of a second per transaction), each with its
//! `imported` event, read ahead a chunk at a time and taken off the stage in the
//! transaction that publishes them. A process killed before the commit point leaves
//! nothing visible (its staged rows are removed by the next import); killed after it, the
//! next import finishes the publishing first — the import is then whole, never half.
//! Other terminals write between any two transactions.

use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Clock, Desk, intake_handler};
use crate::config::Configured;
use crate::domain::complaint::{ValidComplaint, validate};
use crate::domain::import::{
    Closing, Columns, Field, Refusal, check_closing, digest_hex, read_row, row_digest,
};
use crate::domain::imported::{Handled, Vocabulary};
use crate::domain::policy::Policy;
use crate::domain::stage::Stage;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::sheet::{self, Record};
use crate::store::bulk::{BULK_BUDGET, BulkLoad};
use crate::store::complaints::{self, NewRow};
use crate::store::events::{Chain, NewEvent};
use crate::store::imports::{self, Staged, State};
use crate::store::search;
use crate::store::sql::Db;
use crate::text::sanitize_path;

/// Rows staged per transaction.
const STAGE_CHUNK: usize = 2_000;

/// Staged rows read ahead at a time while publishing.
const READ_AHEAD: i64 = 500;

/// How long an unfinished import must have been left alone before another import takes it
/// as abandoned (staging) or finishes it (publishing); its own process touches it several
/// times a second.
const IDLE: Duration = Duration::seconds(60);

/// The disk an import needs, as a multiple of the file's size: the staged rows, the
/// complaints with their index, and their events.
const SPACE_FACTOR: u64 = 4;

/// The event that starts an imported complaint's timeline.
pub const IMPORTED: &str = "imported";

/// What an import is asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Columns mapped by hand (`--map COLUMN=FIELD`).
    pub maps: Vec<(String, Field)>,
    /// Header labels the export writes, per field, in every interface language.
    pub labels: Vec<(Field, String)>,
    /// Write (a real run); otherwise a dry run that writes nothing.
    pub write: bool,
    /// Import the valid rows even if some are refused.
    pub skip_invalid: bool,
}

/// A row refused, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRefusal {
    /// The row's line (or row number) in the file.
    pub line: u64,
    /// The column's header as the file spells it; empty when the whole row is at fault.
    pub column: String,
    /// The cell's text.
    pub value: String,
    /// Why.
    pub error: Error,
}

/// What an import found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The file's text encoding (`xlsx` for a workbook).
    pub encoding: String,
    /// Rows read (the header row not counted, blank rows skipped).
    pub rows: u64,
    /// Valid rows not imported before.
    pub new: u64,
    /// Valid rows imported before (by an earlier import).
    pub duplicates: u64,
    /// Rows refused (a repeat of an earlier row of the file among them).
    pub refused: u64,
    /// Complaints written (a real run that went through).
    pub written: u64,
    /// The file has no channel column: rows were taken as phoned in.
    pub channel_assumed: bool,
    /// Columns read past (`--map …=ignore`, an export's columns the import does not take).
    pub ignored: Vec<String>,
    /// Rows of an earlier, interrupted import published first.
    pub finished_earlier: u64,
    /// Open rows that carried a stage or a handling record: they start at triage, what
    /// the file said kept in their `imported` event.
    pub open_to_triage: u64,
}

/// How far an import has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    /// Reading the file: bytes (cells of a workbook) so far, of `total` (0: unknown).
    Reading { done: u64, total: u64 },
    /// Writing the complaints: so many of `total`.
    Writing { done: u64, total: u64 },
}

/// A staged row's payload: the validated intake, how it ended, and the record it carries.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    valid: ValidComplaint,
    closing: Option<Closing>,
    number: String,
    #[serde(default)]
    record: Handled,
    #[serde(default)]
    closed_stage: Option<Stage>,
}

impl Desk {
    /// Imports the spreadsheet at `path` (see the module's text): each refused row goes to
    /// `refused` as it is found; `progress` hears how far it has got. A dry run
    /// (`options.write` false) writes nothing. Importing records complaints, as intake does,
    /// for any registered agent.
    pub fn import(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        refused: &mut dyn FnMut(&RowRefusal) -> Result<()>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        self.actor()?;
        let now = self.clock.now();
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let size = sheet::size(path)?;
        let mut report = ImportReport::default();
        if options.write {
            report.finished_earlier = self.finish_idle_imports(now, progress)?;
            if let Some(free) = self.store.free_space() {
                let need = size.saturating_mul(SPACE_FACTOR);
                if free < need {
                    return Err(Error::new("import.disk_full")
                        .arg("path", sanitize_path(path))
                        .arg("need", need >> 20)
                        .arg("free", free >> 20));
                }
            }
        }
        let id = if options.write {
            Some(self.store.begin_import(&file, &self.agent, now)?)
        } else {
            None
        };
        let result = self.read_and_stage(path, options, id, now, &mut report, refused, progress);
        let staged_all = result.is_ok() && (report.refused == 0 || options.skip_invalid);
        let Some(id) = id else {
            return result.map(|()| report);
        };
        if !staged_all || report.new == 0 {
            self.store.abandon_import(id, self.clock.now())?;
            return result.map(|()| report);
        }
        // The commit point: from here on the import is finished, by this process or the next.
        self.store
            .set_import_state(id, State::Publishing, self.clock.now())?;
        report.written = self.publish(id, &file, report.new, progress)?;
        Ok(report)
    }

    /// Reads the file, checks every row, and stages the valid new ones of a real run
    /// (import `id`) until a row is refused that is not to be skipped.
    #[allow(clippy::too_many_arguments)]
    fn read_and_stage(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        id: Option<i64>,
        now: DateTime<Utc>,
        report: &mut ImportReport,
        refused: &mut dyn FnMut(&RowRefusal) -> Result<()>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<()> {
        let total = if sheet::is_workbook(path) {
            0
        } else {
            sheet::size(path)?
        };
        let words = self.vocabulary();
        let policy = &self.config.policy;
        let clock = &*self.clock;
        let store = &mut self.store;
        let mut columns: Option<Columns> = None;
        let mut seen: HashMap<u128, u64> = HashMap::new();
        let mut pending: Vec<Staged> = Vec::new();
        let mut flush = |pending: &mut Vec<Staged>, report: &mut ImportReport| -> Result<()> {
            let digests: Vec<String> = pending.iter().map(|s| s.row_hash.clone()).collect();
            let known = store.imported_digests(&digests)?;
            pending.retain(|s| !known.contains(&s.row_hash));
            report.duplicates += known.len() as u64;
            report.new += pending.len() as u64;
            let staging = report.refused == 0 || options.skip_invalid;
            if let (Some(id), true) = (id, staging) {
                let rows = std::mem::take(pending);
                store.write(|tx| {
                    for row in &rows {
                        imports::stage(tx, id, row)?;
                    }
                    imports::touch(tx, id, clock.now(), rows.len() as u64, 0)?;
                    Ok(())
                })?;
            }
            pending.clear();
            Ok(())
        };
        let info = sheet::read(
            path,
            &mut |record: Record| {
                let Some(cols) = &columns else {
                    let cols = Columns::resolve(&record.cells, &options.labels, &options.maps)?;
                    report.channel_assumed = cols.channel_assumed;
                    report.ignored = cols
                        .fields
                        .iter()
                        .zip(&cols.headers)
                        .filter(|(f, h)| **f == Field::Ignore && !h.trim().is_empty())
                        .map(|(_, h)| h.trim().to_string())
                        .collect();
                    columns = Some(cols);
                    return Ok(());
                };
                report.rows += 1;
                match check_row(&record, cols, policy, &words, now) {
                    Err(r) => {
                        report.refused += 1;
                        refused(&refusal(&record, cols, r))?;
                    }
                    Ok((digest, payload)) => {
                        if let Some(first) = seen.get(&digest) {
                            report.refused += 1;
                            let error = Error::new("import.repeated_row").arg("line", first);
                            refused(&RowRefusal {
                                line: record.line,
                                column: String::new(),
                                value: String::new(),
                                error,
                            })?;
                        } else {
                            if payload.closed_stage.is_none() && payload.record.carries() {
                                report.open_to_triage += 1;
                            }
                            seen.insert(digest, record.line);
                            // A dry run stages nothing: only the digest is counted.
                            let payload = if id.is_some() {
                                serde_json::to_string(&payload)
                                    .map_err(|e| Error::new("error.internal").arg("detail", e))?
                            } else {
                                String::new()
                            };
                            pending.push(Staged {
                                line: i64::try_from(record.line).unwrap_or(i64::MAX),
                                row_hash: digest_hex(digest),
                                payload,
                            });
                            if pending.len() >= STAGE_CHUNK {
                                flush(&mut pending, report)?;
                            }
                        }
                    }
                }
                Ok(())
            },
            &mut |done| progress(ImportProgress::Reading { done, total }),
        )?;
        if columns.is_none() {
            return Err(Error::new("import.empty_file").arg("path", sanitize_path(path)));
        }
        flush(&mut pending, report)?;
        report.encoding = info.encoding.to_string();
        if report.rows == 0 {
            return Err(Error::new("import.header_only").arg("path", sanitize_path(path)));
        }
        Ok(())
    }

    /// Publishes the staged rows of import `id` (of file `file`, about `total` of them) and
    /// marks it done; the complaints written.
    fn publish(
        &mut self,
        id: i64,
        file: &str,
        total: u64,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<u64> {
        let now = self.clock.now();
        let written = Cell::new(0u64);
        let left = self.store.staged_rows(id)?;
        let agents = self.store.agents()?.into_iter().map(|a| a.name).collect();
        let load = PublishLoad {
            id,
            file,
            ahead: VecDeque::new(),
            read_through: 0,
            agents,
            agent: &self.agent,
            policy: &self.config.policy,
            clock: &*self.clock,
            now,
            written: &written,
        };
        let mut bulk = self.store.bulk(load, BULK_BUDGET)?;
        for n in 0..left {
            bulk.push(&())?;
            if n.is_multiple_of(256) {
                progress(ImportProgress::Writing {
                    done: written.get(),
                    total,
                });
            }
        }
        bulk.finish()?;
        progress(ImportProgress::Writing {
            done: written.get(),
            total,
        });
        self.store
            .set_import_state(id, State::Done, self.clock.now())?;
        Ok(written.get())
    }

    /// Finishes the imports another process left: one past its commit point is published,
    /// one before it abandoned. The rows published.
    fn finish_idle_imports(
        &mut self,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<u64> {
        let mut published = 0;
        for idle in self.store.idle_imports(now - IDLE)? {
            match idle.state {
                State::Publishing => {
                    let left = self.store.staged_rows(idle.id)?;
                    published += self.publish(idle.id, &idle.file, left, progress)?;
                }
                _ => self.store.abandon_import(idle.id, now)?,
            }
        }
        Ok(published)
    }
}

/// One row checked: read into an intake, validated as intake validates, its closing
/// checked; its digest and what would be staged.
fn check_row(
    record: &Record,
    cols: &Columns,
    policy: &Policy,
    words: &Vocabulary,
    now: DateTime<Utc>,
) -> std::result::Result<(u128, Payload), Refusal> {
    let row = read_row(&record.cells, cols, policy.timezone, words)?;
    let valid = validate(&row.new, policy, now).map_err(|error| Refusal {
        column: cols.column_for_error(&error),
        error,
    })?;
    check_closing(&valid, row.closing.as_ref(), cols, now)?;
    let digest = row_digest(&valid, row.closing.as_ref(), &row.source_number);
    Ok((
        digest,
        Payload {
            valid,
            closing: row.closing,
            number: row.source_number,
            record: row.record,
            closed_stage: row.closed_stage,
        },
    ))
}

fn refusal(record: &Record, cols: &Columns, r: Refusal) -> RowRefusal {
    let (column, value) = match r.column {
        Some(i) => (
            cols.headers.get(i).map_or("", |h| h.trim()).to_string(),
            record.cells.get(i).cloned().unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    };
    RowRefusal {
        line: record.line,
        column,
        value,
        error: r.error,
    }
}

/// Staged rows published as complaints, each with its `imported` event and its digest, in
/// the bulk writer's transactions: each item publishes the next staged row, and each
/// transaction takes the rows it published off the stage as it commits.
struct PublishLoad<'a> {
    id: i64,
    file: &'a str,
    /// Staged rows read ahead, a chunk at a time, still on the stage.
    ahead: VecDeque<Staged>,
    /// The last line read ahead.
    read_through: i64,
    /// The registered agents: a closed row's handler is kept when it names one.
    agents: HashSet<String>,
    agent: &'a str,
    policy: &'a Policy,
    clock: &'a dyn Clock,
    now: DateTime<Utc>,
    written: &'a Cell<u64>,
}

/// What one publishing transaction keeps: the chain's end, the rows written in it, and the
/// last line it took (the stage up to it is cleared as it commits).
struct PublishBatch {
    chain: Chain,
    index: search::Deferred,
    written: u64,
    through: Option<i64>,
}

impl BulkLoad for PublishLoad<'_> {
    type Item = ();
    type Batch = PublishBatch;

    fn begin(&mut self, tx: &Db<'_>) -> Result<PublishBatch> {
        Ok(PublishBatch {
            chain: Chain::at_head(tx)?,
            index: search::Deferred::default(),
            written: 0,
            through: None,
        })
    }

    fn write(&mut self, tx: &Db<'_>, batch: &mut PublishBatch, _: &()) -> Result<()> {
        if self.ahead.is_empty() {
            self.ahead.extend(imports::staged_after(
                tx,
                self.id,
                self.read_through,
                READ_AHEAD,
            )?);
            if let Some(last) = self.ahead.back() {
                self.read_through = last.line;
            }
        }
        let Some(staged) = self.ahead.pop_front() else {
            return Ok(());
        };
        batch.through = Some(staged.line);
        // Published meanwhile by another import of the same rows.
        if imports::is_imported(tx, &staged.row_hash)? {
            return Ok(());
        }
        let p: Payload = serde_json::from_str(&staged.payload)
            .map_err(|e| Error::new("error.internal").arg("detail", e))?;
        let valid = &p.valid;
        let intake = intake_handler(self.policy, self.agent);
        let record = &p.record;
        let mut detail = serde_json::json!({
            "file": self.file,
            "line": staged.line,
            "channel": valid.channel.as_str(),
            "category": valid.category,
            "apologized": valid.apologized,
        });
        if !p.number.is_empty() {
            detail["number"] = serde_json::Value::from(p.number.as_str());
        }
        // The file's handler when it names a registered agent; else intake's, the file's
        // name kept in the event.
        let handler = if self.agents.contains(&record.handler) {
            Some(record.handler.as_str())
        } else {
            if !record.handler.is_empty() {
                detail["handler_in_file"] = serde_json::Value::from(record.handler.as_str());
            }
            intake
        };
        let row = match (p.closing.as_ref(), p.closed_stage) {
            (Some(c), Some(stage)) => {
                let json = serde_json::to_string(&record.handling)
                    .map_err(|e| Error::new("error.internal").arg("detail", e))?;
                Written {
                    stage,
                    at: Some(c.at),
                    handling: Some(json),
                    record: Some(record),
                }
            }
            _ => {
                if record.carries() {
                    detail["record"] = serde_json::to_value(record)
                        .map_err(|e| Error::new("error.internal").arg("detail", e))?;
                }
                Written {
                    stage: Stage::Received,
                    at: None,
                    handling: None,
                    record: None,
                }
            }
        };
        detail["handler"] = serde_json::Value::from(handler);
        let day = self.policy.timezone.day(valid.received_at);
        let number = complaints::next_number(tx, day)?;
        let new = NewRow {
            intake: valid,
            scope: row.record.and_then(|r| r.scope),
            party: row.record.and_then(|r| r.party.as_deref()),
            complaint_type: row.record.and_then(|r| r.complaint_type.as_deref()),
            severity: row.record.and_then(|r| r.severity.as_deref()),
            intent: row.record.and_then(|r| r.intent).unwrap_or_default(),
            spread_risk: row.record.is_some_and(|r| r.spread_risk),
            explained: row.record.is_some_and(|r| r.explained),
            stage: row.stage,
            closed_at: row.at,
            handling: row.handling.as_deref(),
            created_by: self.agent,
            handler,
            now: self.now,
        };
        let complaint_id = complaints::insert_deferred(tx, &new, &number, &mut batch.index)?;
        let stage = row.stage;
        batch.chain.append(
            tx,
            &NewEvent {
                complaint_id: Some(complaint_id),
                at: self.now,
                agent: self.agent,
                kind: IMPORTED,
                from_stage: None,
                to_stage: Some(stage),
                detail: &detail,
            },
        )?;
        imports::record_imported(tx, &staged.row_hash, complaint_id, self.id, staged.line)?;
        batch.written += 1;
        Ok(())
    }

    fn end(&mut self, tx: &Db<'_>, mut batch: PublishBatch) -> Result<()> {
        batch.index.write(tx)?;
        if let Some(through) = batch.through {
            imports::unstage(tx, self.id, through)?;
        }
        imports::touch(tx, self.id, self.clock.now(), 0, batch.written)?;
        self.written.set(self.written.get() + batch.written);
        Ok(())
    }
}

/// How a staged row is written: closed with its record, or open at triage.
struct Written<'r> {
    stage: Stage,
    at: Option<DateTime<Utc>>,
    handling: Option<String>,
    record: Option<&'r Handled>,
}

impl Desk {
    /// The words value cells are read by: keys and labels in every interface language, and
    /// the configured names.
    fn vocabulary(&self) -> Vocabulary {
        let lang = self.config.language;
        let catalogs = self.config.catalogs();
        let every = |key: &str| -> Vec<String> {
            Lang::ALL
                .iter()
                .map(|l| catalogs.get(*l).text(key).to_string())
                .collect()
        };
        let split = |template: &str, at: &str| -> (String, String) {
            template
                .split_once(at)
                .map_or((template.to_string(), String::new()), |(a, b)| {
                    (a.to_string(), b.to_string())
                })
        };
        // A merged case is made by a merge on the desk, never by a row of a file.
        let stages: Vec<&str> = Stage::ALL
            .iter()
            .filter(|s| **s != Stage::Merged)
            .map(|s| s.as_str())
            .collect();
        Vocabulary {
            scope: catalogs.choices("scope", &["in", "out"], lang),
            intent: catalogs.choices("intent", &["genuine", "venting", "unclear"], lang),
            stage: catalogs.choices("stage", &stages, lang),
            party: self.config.choices(Configured::Party, lang),
            types: self.config.choices(Configured::Type, lang),
            severity: self.config.choices(Configured::Severity, lang),
            addressee: self.config.choices(Configured::Addressee, lang),
            yes_no: catalogs.choices("label", &["yes", "no"], lang),
            pending: every("label.pending"),
            approved: every("label.approved_by")
                .iter()
                .map(|t| split(t, "{agent}"))
                .collect(),
            declined: every("label.declined_by")
                .iter()
                .map(|t| {
                    let (before, rest) = split(t, "{agent}");
                    let (between, after) = split(&rest, "{note}");
                    (before, between, after)
                })
                .collect(),
            separators: every("label.list_separator"),
            ..Vocabulary::default()
        }
        .ready()
    }
}
