//! The report's summary on disk (issue 17): each complaint's [`Summary`] in `report_cases`
//! and the sums of all of them in `report_days`, kept by [`upkeep`] in the transaction of
//! every write (the complaints its timeline events name) and rebuilt from the tables by
//! [`Store::rebuild_summary`]. What the report reads back ([`Store::report_sums`]) and the
//! few counts that move with the clock alone. The same SQL on both engines.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::domain::complaint::{Channel, Scope};
use crate::domain::privacy::mask_phone;
use crate::domain::report::{CaseFacts, EventKind, NowCounts, Period, Repeat, Sums};
use crate::domain::stage::Stage;
use crate::domain::summary::{self, Basis, Cell, Summary, Tally};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::complaints::{arg_refs, indexed_by, scope_to_sites, site_condition};
use crate::store::sql::{self, Db, Engine, Row, Value};

/// Complaints summed per transaction of a rebuild.
const REBUILD_CHUNK: usize = 2_000;

/// Complaints a desk sums by itself when it opens on a file whose sums are missing or
/// were built under another basis (a second or two); beyond, `report --rebuild`.
pub const REBUILD_ON_OPEN: i64 = 20_000;

/// Where the sums stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryState {
    /// Nothing summed and nothing to sum (a new database).
    Empty,
    /// Summed under the basis of this fingerprint.
    Ready(String),
    /// A rebuild under this fingerprint has summed the complaints up to this id.
    Rebuilding(String, i64),
    /// Not to be trusted until rebuilt (a write under another basis, or none, or an
    /// older file).
    Stale,
}

/// Reads the state (on PostgreSQL locking it, so that summaries change one transaction at
/// a time: every writer of complaints passes here).
fn state(db: &Db<'_>, lock: bool) -> sql::Result<SummaryState> {
    let lock = if lock && db.engine() == Engine::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let rows: Vec<(String, String)> = db.rows(
        &format!("SELECT key, value FROM report_state{lock}"),
        sql::args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let value = |key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let (basis, cursor) = (value("basis"), value("cursor"));
    Ok(match (basis, cursor) {
        (None, _) => SummaryState::Empty,
        (Some(b), _) if b == "stale" => SummaryState::Stale,
        (Some(b), Some(c)) => SummaryState::Rebuilding(b, c.parse().unwrap_or(0)),
        (Some(b), None) => SummaryState::Ready(b),
    })
}

fn set_state(db: &Db<'_>, key: &str, value: &str) -> sql::Result<()> {
    db.execute(
        "INSERT INTO report_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        sql::args![key, value],
    )?;
    Ok(())
}

/// The id of the timeline's last event (where a transaction's own events start after).
pub(crate) fn last_event(db: &Db<'_>) -> sql::Result<i64> {
    db.value("SELECT COALESCE(max(id), 0) FROM events", sql::args![])
}

/// Keeps the sums in step with the complaints whose timeline gained events after event
/// `since` (every write of a complaint records one), in the writer's transaction: their
/// summaries under `basis` replace the old ones. Without a basis, or under another than
/// the sums were built with, the sums are marked stale instead (a rebuild puts them right).
pub(crate) fn upkeep(db: &Db<'_>, since: i64, basis: Option<&Basis>) -> sql::Result<()> {
    // Read along the key alone (a term on `complaint_id` would send SQLite's planner down
    // that index, every entry of it). SQLite's write lock keeps other writers' events out;
    // on PostgreSQL others may commit after `since` was read: only this transaction's rows.
    let own = match db.engine() {
        Engine::Sqlite => "",
        Engine::Postgres => " AND xmin = pg_current_xact_id()::xid",
    };
    let mut touched: Vec<i64> = db
        .rows(
            &format!("SELECT complaint_id FROM events WHERE id > ?1{own}"),
            sql::args![since],
            |r| r.get::<Option<i64>>(0),
        )?
        .into_iter()
        .flatten()
        .collect();
    touched.sort_unstable();
    touched.dedup();
    upkeep_of(db, &touched, basis)
}

/// Keeps the sums in step with complaints `touched` (see [`upkeep`]), for a write that
/// changes complaints without a timeline event (a handler given by the desk itself).
pub(crate) fn upkeep_of(db: &Db<'_>, touched: &[i64], basis: Option<&Basis>) -> sql::Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let state = state(db, true)?;
    let Some(basis) = basis else {
        if state != SummaryState::Stale {
            set_state(db, "basis", "stale")?;
        }
        return Ok(());
    };
    match state {
        SummaryState::Empty => {
            set_state(db, "basis", &basis.fingerprint)?;
            refresh(db, touched, basis)
        }
        SummaryState::Ready(f) if f == basis.fingerprint => refresh(db, touched, basis),
        SummaryState::Rebuilding(f, cursor) if f == basis.fingerprint => {
            let done: Vec<i64> = touched.iter().copied().filter(|id| *id <= cursor).collect();
            refresh(db, &done, basis)
        }
        SummaryState::Stale => Ok(()),
        _ => set_state(db, "basis", "stale"),
    }
}

/// The JSON array of `ids` (the argument of [`Engine::json_integers`]).
fn id_list(ids: &[i64]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}

fn time(secs: i64) -> sql::Result<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| sql::Error::value(format!("time {secs} out of range")))
}

fn facts(r: &Row<'_>) -> sql::Result<(i64, CaseFacts)> {
    let text = |i: usize| r.get::<String>(i);
    let bad = |what: &str, v: &str| sql::Error::value(format!("unknown {what} \"{v}\""));
    let channel = text(4)?;
    let scope: Option<String> = r.get(10)?;
    let stage = text(12)?;
    let handling = text(13)?;
    let first_due: Option<i64> = r.get(14)?;
    let first_done: Option<i64> = r.get(15)?;
    Ok((
        r.get(0)?,
        CaseFacts {
            number: text(1)?,
            received_at: time(r.get(2)?)?,
            closed_at: r.get::<Option<i64>>(3)?.map(time).transpose()?,
            channel: Channel::parse(&channel).ok_or_else(|| bad("channel", &channel))?,
            category: text(5)?,
            severity: r.get(6)?,
            handler: r.get(7)?,
            site: r.get(8)?,
            party: r.get(9)?,
            scope: match scope {
                None => None,
                Some(s) => Some(Scope::parse(&s).ok_or_else(|| bad("scope", &s))?),
            },
            location: text(11)?,
            stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
            handling: serde_json::from_str(&handling)
                .map_err(|e| sql::Error::value(format!("handling: {e}")))?,
            first_reply: match first_due {
                Some(due) => Some((time(due)?, first_done.map(time).transpose()?)),
                None => None,
            },
        },
    ))
}

/// The summaries of the complaints `ids` (complaints are never deleted), by id: the one kept
/// at their last write, if any, and theirs as they stand.
type Summaries = BTreeMap<i64, (Option<Summary>, Summary)>;

fn summaries(db: &Db<'_>, ids: &[i64], basis: &Basis) -> sql::Result<Summaries> {
    let engine = db.engine();
    let list = id_list(ids);
    let kinds: Vec<String> = EventKind::KINDS.iter().map(|k| format!("'{k}'")).collect();
    let mut events: BTreeMap<i64, Vec<(DateTime<Utc>, EventKind)>> = BTreeMap::new();
    db.each(
        &format!(
            "SELECT complaint_id, at, kind, detail FROM events
             WHERE complaint_id IN ({}) AND kind IN ({}) ORDER BY id",
            engine.json_integers("?1"),
            kinds.join(", ")
        ),
        sql::args![list],
        |r| {
            let kind: String = r.get(2)?;
            let detail: String = r.get(3)?;
            let detail = serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null);
            if let Some(kind) = EventKind::of(&kind, &detail) {
                events
                    .entry(r.get(0)?)
                    .or_default()
                    .push((time(r.get(1)?)?, kind));
            }
            Ok(())
        },
    )?;
    let rows = db.rows(
        &format!(
            "SELECT c.id, c.number, c.received_at, c.closed_at, c.channel, c.category,
                    c.severity, c.handler, c.site, c.party, c.scope, c.location, c.stage,
                    c.handling,
                    (SELECT min(b.due_at) FROM callbacks b
                      WHERE b.complaint_id = c.id AND b.kind = 'first_reply'),
                    (SELECT CASE WHEN count(*) = count(b.done_at) THEN max(b.done_at) END
                       FROM callbacks b
                      WHERE b.complaint_id = c.id AND b.kind = 'first_reply'),
                    r.summary
             FROM complaints c LEFT JOIN report_cases r ON r.complaint_id = c.id
             WHERE c.id IN ({})",
            engine.json_integers("?1")
        ),
        sql::args![list],
        |r| {
            let (id, c) = facts(r)?;
            let old = r
                .get::<Option<String>>(16)?
                .map(|text| {
                    serde_json::from_str::<Summary>(&text)
                        .map_err(|e| sql::Error::value(format!("report summary: {e}")))
                })
                .transpose()?;
            Ok((id, c, old))
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, c, old)| {
            let marks = events.get(&id).map_or(&[][..], Vec::as_slice);
            (id, (old, summary::summarise(&c, marks, basis)))
        })
        .collect())
}

/// Replaces the summaries of complaints `ids` by theirs as they stand, and the sums by
/// the difference.
fn refresh(db: &Db<'_>, ids: &[i64], basis: &Basis) -> sql::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let both = summaries(db, ids, basis)?;
    for (id, (old, new)) in &both {
        if old.as_ref() != Some(new) {
            keep(db, *id, new)?;
        }
    }
    add_to_sums(
        db,
        &summary::difference(
            both.values().filter_map(|(o, _)| o.as_ref()),
            both.values().map(|(_, n)| n),
        ),
    )
}

/// Keeps `s` as complaint `id`'s summary.
fn keep(db: &Db<'_>, id: i64, s: &Summary) -> sql::Result<()> {
    let text =
        serde_json::to_string(s).map_err(|e| sql::Error::value(format!("report summary: {e}")))?;
    db.execute(
        "INSERT INTO report_cases (complaint_id, first_reply_due, summary) VALUES (?1, ?2, ?3)
         ON CONFLICT (complaint_id) DO UPDATE
         SET first_reply_due = excluded.first_reply_due, summary = excluded.summary",
        sql::args![id, s.first_reply_due, text],
    )?;
    Ok(())
}

/// Rows of sums per statement (18 arguments each).
const ROWS_PER_STATEMENT: usize = 50;

/// Adds `cells` to the sums, creating the rows they need.
fn add_to_sums(db: &Db<'_>, cells: &[(Cell, Tally)]) -> sql::Result<()> {
    let columns = Tally::COLUMNS.join(", ");
    let adds: Vec<String> = Tally::COLUMNS
        .iter()
        .map(|c| format!("{c} = report_days.{c} + excluded.{c}"))
        .collect();
    for chunk in cells.chunks(ROWS_PER_STATEMENT) {
        let mut args: Vec<Value<'_>> = Vec::with_capacity(chunk.len() * 18);
        let mut tuples = Vec::with_capacity(chunk.len());
        for (cell, tally) in chunk {
            let first = args.len() + 1;
            args.push(Value::Text(cell.dim.into()));
            args.push(Value::Int(cell.day));
            args.push(Value::Text(cell.site.as_str().into()));
            args.push(Value::Text(cell.key.as_str().into()));
            args.extend(tally.values().map(Value::Int));
            let marks: Vec<String> = (first..args.len() + 1).map(|i| format!("?{i}")).collect();
            tuples.push(format!("({})", marks.join(", ")));
        }
        db.execute(
            &format!(
                "INSERT INTO report_days (dim, day, site, key, {columns}) VALUES {}
                 ON CONFLICT (dim, day, site, key) DO UPDATE SET {}",
                tuples.join(", "),
                adds.join(", ")
            ),
            &arg_refs(&args),
        )?;
    }
    Ok(())
}

/// Reads cells of `report_days` (the columns in [`CELL_COLUMNS`] order).
fn cell(r: &Row<'_>) -> sql::Result<(Cell, Tally)> {
    let dim: String = r.get(0)?;
    let dim = summary::dim_named(&dim)
        .ok_or_else(|| sql::Error::value(format!("unknown report dimension \"{dim}\"")))?;
    let mut v = [0i64; 14];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = r.get(4 + i)?;
    }
    Ok((
        Cell {
            dim,
            day: r.get(1)?,
            site: r.get(2)?,
            key: r.get(3)?,
        },
        Tally::from_values(v),
    ))
}

impl Store {
    /// How many complaints the database holds (every site's).
    pub fn complaint_count(&self) -> Result<i64> {
        self.db()
            .value("SELECT count(*) FROM complaints", sql::args![])
            .map_err(|e| self.err(e))
    }

    /// Where the sums stand.
    pub fn summary_state(&self) -> Result<SummaryState> {
        state(&self.db(), false).map_err(|e| self.err(e))
    }

    /// Sums every complaint again under `basis`, from nothing, in short transactions
    /// (other desks keep writing, and keep the sums of the complaints already summed);
    /// `progress` hears how many complaints of how many are done. Unless `anew`, sums
    /// already built under `basis` are kept, and a rebuild under way (another desk's) is
    /// joined: each transaction takes the next complaints after the shared cursor. Refused
    /// if a desk under another basis writes meanwhile (`error.report_rebuild_basis`).
    pub fn rebuild_summary(
        &mut self,
        basis: &Basis,
        anew: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<()> {
        let total = self.complaint_count()?;
        let fingerprint = &basis.fingerprint;
        let started = self.write(|tx| {
            match state(tx, true)? {
                SummaryState::Ready(f) if !anew && f == *fingerprint => return Ok(false),
                SummaryState::Rebuilding(f, _) if !anew && f == *fingerprint => {}
                _ => {
                    tx.batch("DELETE FROM report_days; DELETE FROM report_cases;")?;
                    set_state(tx, "basis", fingerprint)?;
                    set_state(tx, "cursor", "0")?;
                }
            }
            Ok(true)
        })?;
        if !started {
            return Ok(());
        }
        let mut done = 0u64;
        loop {
            let finished = self.write(|tx| {
                let cursor = match state(tx, true)? {
                    SummaryState::Rebuilding(f, c) if f == basis.fingerprint => c,
                    // Another desk rebuilding beside this one took the last complaints.
                    SummaryState::Ready(f) if f == basis.fingerprint => return Ok(true),
                    _ => return Err(Error::new("error.report_rebuild_basis")),
                };
                let ids: Vec<i64> = tx.rows(
                    "SELECT id FROM complaints WHERE id > ?1 ORDER BY id LIMIT ?2",
                    sql::args![cursor, REBUILD_CHUNK as i64],
                    |r| r.get(0),
                )?;
                let Some(last) = ids.last() else {
                    tx.execute(
                        "DELETE FROM report_state WHERE key = 'cursor'",
                        sql::args![],
                    )?;
                    return Ok(true);
                };
                let sums = summaries(tx, &ids, basis)?;
                for (id, (_, s)) in &sums {
                    keep(tx, *id, s)?;
                }
                add_to_sums(tx, &summary::difference([], sums.values().map(|(_, s)| s)))?;
                set_state(tx, "cursor", &last.to_string())?;
                done += ids.len() as u64;
                Ok(false)
            })?;
            progress(done, u64::try_from(total).unwrap_or(0));
            if finished {
                return Ok(());
            }
        }
    }

    /// The sums a report of `period` reads (its days as day numbers `days`), for the
    /// dimensions `dims`, with the breakdown's dimension `by_dim` among the open cells, of
    /// `sites` (`None`: all) at `now`.
    pub fn report_sums(
        &self,
        days: (i64, i64),
        dims: &[&str],
        by_dim: Option<&str>,
        now: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<Sums> {
        let db = self.db();
        let columns = format!("dim, day, site, key, {}", Tally::COLUMNS.join(", "));
        let run = |sql: String, args: Vec<Value<'static>>| db.rows(&sql, &arg_refs(&args), cell);
        let dims_list = |args: &mut Vec<Value<'static>>, dims: &[&str]| {
            dims.iter()
                .map(|d| {
                    args.push(Value::Text(d.to_string().into()));
                    format!("?{}", args.len())
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut args = vec![Value::Int(days.0), Value::Int(days.1)];
        let list = dims_list(&mut args, dims);
        let mut sql = format!(
            "SELECT {columns} FROM report_days WHERE dim IN ({list}) AND day >= ?1 AND day < ?2"
        );
        if let Some(cond) = site_condition(&mut args, "site", sites) {
            sql.push_str(&format!(" AND {cond}"));
        }
        let period = run(sql, args).map_err(|e| self.err(e))?;
        let mut args = Vec::new();
        let open_dims: Vec<&str> = std::iter::once(summary::ALL).chain(by_dim).collect();
        let list = dims_list(&mut args, &open_dims);
        let mut sql =
            format!("SELECT {columns} FROM report_days WHERE dim IN ({list}) AND open <> 0");
        if let Some(cond) = site_condition(&mut args, "site", sites) {
            sql.push_str(&format!(" AND {cond}"));
        }
        let open = run(sql, args).map_err(|e| self.err(e))?;
        let mut args = vec![Value::Int(now.timestamp())];
        let mut sql = "SELECT r.summary FROM report_cases r
             WHERE r.first_reply_due IS NOT NULL AND r.first_reply_due < ?1"
            .to_string();
        if let Some(cond) = site_condition(&mut args, "c.site", sites) {
            sql = format!(
                "SELECT r.summary FROM report_cases r JOIN complaints c ON c.id = r.complaint_id
                 WHERE r.first_reply_due IS NOT NULL AND r.first_reply_due < ?1 AND {cond}"
            );
        }
        let late = db
            .rows(&sql, &arg_refs(&args), |r| {
                let text: String = r.get(0)?;
                serde_json::from_str::<Summary>(&text)
                    .map_err(|e| sql::Error::value(format!("report summary: {e}")))
            })
            .map_err(|e| self.err(e))?;
        Ok(Sums { period, open, late })
    }

    /// The complaints received in `period` from phones with two or more of them, of
    /// `sites` (`None`: all), read along the phone index; the phones masked.
    pub fn repeat_complainants(
        &self,
        period: Period,
        sites: Option<&[String]>,
    ) -> Result<Vec<Repeat>> {
        let mut args = vec![
            Value::Int(period.from.timestamp()),
            Value::Int(period.to.timestamp()),
        ];
        let mut inner = format!(
            "SELECT phone_norm FROM complaints{} WHERE phone_norm <> ''
               AND received_at >= ?1 AND received_at < ?2",
            indexed_by("complaints_phone")
        );
        scope_to_sites(&mut inner, &mut args, "site", sites);
        let mut sql = format!(
            "SELECT c.phone_norm, c.phone, c.number FROM complaints c{}
             WHERE c.phone_norm IN ({inner} GROUP BY phone_norm HAVING count(*) >= 2)
               AND c.received_at >= ?1 AND c.received_at < ?2",
            indexed_by("complaints_phone")
        );
        scope_to_sites(&mut sql, &mut args, "c.site", sites);
        sql.push_str(" ORDER BY c.phone_norm, c.received_at, c.number");
        let rows: Vec<(String, String, String)> = self
            .db()
            .rows(&sql, &arg_refs(&args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out: Vec<Repeat> = Vec::new();
        let mut last = None;
        for (norm, phone, number) in rows {
            match (last.as_ref() == Some(&norm), out.last_mut()) {
                (true, Some(r)) => r.numbers.push(number),
                _ => out.push(Repeat {
                    phone: mask_phone(&phone),
                    numbers: vec![number],
                }),
            }
            last = Some(norm);
        }
        out.sort_by(|a, b| {
            b.numbers
                .len()
                .cmp(&a.numbers.len())
                .then(a.numbers.cmp(&b.numbers))
        });
        Ok(out)
    }

    /// The figures of now counted live: untriaged received by `triage_late_by`, open
    /// callbacks and revisits past `now` and due before `day_end`, of `sites`.
    pub fn report_now(
        &self,
        now: DateTime<Utc>,
        day_end: DateTime<Utc>,
        triage_late_by: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<NowCounts> {
        let due = self.due_counts(now, day_end, sites)?;
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(NowCounts {
            triage_overdue: count(self.count_untriaged_received_by(triage_late_by, sites)?),
            callbacks_due_today: count(due.callbacks_due_today),
            callbacks_overdue: count(due.callbacks_overdue),
            revisits_due_today: count(due.revisits_due_today),
            revisits_overdue: count(due.revisits_overdue),
        })
    }
}
