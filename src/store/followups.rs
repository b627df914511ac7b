//! Callbacks owed and revisits planned for a complaint.

use chrono::{DateTime, Utc};

use std::time::Instant;

use crate::store::sql::{self, Db, Optional, Row, Value, args};

use crate::domain::complaint::{Complaint, Scope};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::bulk::BULK_BUDGET;
use crate::store::complaints::{
    self, arg_refs, complaint_at, qualified_columns, scope_to_sites, site_condition,
};

/// A call owed to the customer or a third party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// Row id.
    pub id: i64,
    /// `first_reply`, `promised`, `chaser`, `approval`.
    pub kind: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Who owns it.
    pub owner: Option<String>,
    /// Note.
    pub note: String,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// Failed attempts so far (no answer, message left, wrong number).
    pub attempts: u32,
    /// Escalation level: 0 at the desk, 1 the next role up, …
    pub level: u32,
}

/// A follow-up after the remedy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revisit {
    /// Row id.
    pub id: i64,
    /// Role that owns it.
    pub role: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// Whether the customer was reached.
    pub reached: Option<bool>,
    /// Satisfaction 1–5.
    pub satisfaction: Option<u8>,
    /// Comment.
    pub comment: String,
    /// Failed attempts so far (customer not reached).
    pub attempts: u32,
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

const CALLBACK_COLUMNS_Q: &str =
    "cb.id, cb.kind, cb.due_at, cb.owner, cb.note, cb.done_at, cb.attempts, cb.level";
const CALLBACK_COLUMNS_N: usize = 8;
const REVISIT_COLUMNS_Q: &str =
    "r.id, r.role, r.due_at, r.done_at, r.reached, r.satisfaction, r.comment, r.attempts";
const REVISIT_COLUMNS_N: usize = 8;

fn callback_at(r: &Row<'_>, base: usize) -> sql::Result<Callback> {
    Ok(Callback {
        id: r.get(base)?,
        kind: r.get(base + 1)?,
        due_at: at(r.get(base + 2)?),
        owner: r.get(base + 3)?,
        note: r.get(base + 4)?,
        done_at: r.get::<Option<i64>>(base + 5)?.map(at),
        attempts: r.get(base + 6)?,
        level: r.get(base + 7)?,
    })
}

fn revisit_at(r: &Row<'_>, base: usize) -> sql::Result<Revisit> {
    Ok(Revisit {
        id: r.get(base)?,
        role: r.get(base + 1)?,
        due_at: at(r.get(base + 2)?),
        done_at: r.get::<Option<i64>>(base + 3)?.map(at),
        reached: r.get(base + 4)?,
        satisfaction: r.get(base + 5)?,
        comment: r.get(base + 6)?,
        attempts: r.get(base + 7)?,
    })
}

/// The queue's page query: open callbacks in (due, id) order through the open index; a
/// due bound keeps only overdue ones, an owner only that owner's (and unowned) ones.
fn callback_queue_sql(owner: Owner) -> String {
    let (index, owned) = match owner {
        Owner::Any => ("callbacks_open", ""),
        Owner::Nobody => ("callbacks_owner", " AND cb.owner IS NULL"),
        Owner::Role => ("callbacks_owner", " AND cb.owner = ?5"),
    };
    format!(
        "SELECT {CALLBACK_COLUMNS_Q}, {} FROM callbacks cb INDEXED BY {index}
         JOIN complaints c ON c.id = cb.complaint_id
         WHERE cb.done_at IS NULL{owned} AND (cb.due_at, cb.id) > (?1, ?2)
           AND cb.due_at < ?3",
        qualified_columns()
    )
}

/// Whose callbacks a queue page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// Everyone's.
    Any,
    /// Those still at the desk (never escalated).
    Nobody,
    /// Those escalated to the filter's role.
    Role,
}

/// What the callback queue shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueFilter<'a> {
    /// Only callbacks due before this (overdue).
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only callbacks owned by this role (escalated to it).
    pub owner: Option<&'a str>,
    /// Only callbacks still at the desk (not escalated, owned by nobody).
    pub unowned: bool,
    /// Only callbacks of these sites' complaints (and those naming no site); `None`: every
    /// site's.
    pub sites: Option<&'a [String]>,
}

/// The callbacks of a complaint, by due time (inside a transaction or not).
pub fn callbacks_of(conn: &Db<'_>, complaint_id: i64) -> sql::Result<Vec<Callback>> {
    conn.rows(
        &format!(
            "SELECT {CALLBACK_COLUMNS_Q} FROM callbacks cb WHERE cb.complaint_id = ?1
         ORDER BY cb.due_at, cb.id"
        ),
        args![complaint_id],
        |r| callback_at(r, 0),
    )
}

/// The revisits of a complaint, by due time.
pub fn revisits_of(conn: &Db<'_>, complaint_id: i64) -> sql::Result<Vec<Revisit>> {
    conn.rows(
        &format!(
            "SELECT {REVISIT_COLUMNS_Q} FROM revisits r WHERE r.complaint_id = ?1
         ORDER BY r.due_at, r.id"
        ),
        args![complaint_id],
        |r| revisit_at(r, 0),
    )
}

/// Records a failed attempt on callback `id` and moves its due time to `next_due`.
pub fn failed_attempt(tx: &Db<'_>, id: i64, next_due: DateTime<Utc>) -> sql::Result<()> {
    tx.execute(
        "UPDATE callbacks SET attempts = attempts + 1, due_at = ?1 WHERE id = ?2",
        args![next_due.timestamp(), id],
    )?;
    Ok(())
}

/// Marks callback `id` done.
pub fn complete(tx: &Db<'_>, id: i64, now: DateTime<Utc>) -> sql::Result<()> {
    tx.execute(
        "UPDATE callbacks SET done_at = ?1 WHERE id = ?2 AND done_at IS NULL",
        args![now.timestamp(), id],
    )?;
    Ok(())
}

/// Moves callback `id` to a new due time (a paused reply clock resumes).
pub fn set_due(tx: &Db<'_>, id: i64, due: DateTime<Utc>) -> sql::Result<()> {
    tx.execute(
        "UPDATE callbacks SET due_at = ?1 WHERE id = ?2",
        args![due.timestamp(), id],
    )?;
    Ok(())
}

/// Open callbacks at escalation `level` due before `before`, after `(due, id)`, in due
/// order, with their complaint ids.
pub fn escalation_candidates(
    conn: &Db<'_>,
    level: u32,
    before: DateTime<Utc>,
    after: Option<(i64, i64)>,
    limit: u32,
) -> sql::Result<Vec<(Callback, i64)>> {
    let (due, id) = after.unwrap_or((i64::MIN, i64::MIN));
    conn.rows(
        &format!(
            "SELECT {CALLBACK_COLUMNS_Q}, cb.complaint_id FROM callbacks cb
         INDEXED BY callbacks_escalation
         WHERE cb.done_at IS NULL AND cb.level < 2 AND cb.level = ?1 AND cb.due_at <= ?2
           AND (cb.due_at, cb.id) > (?3, ?4)
         ORDER BY cb.due_at, cb.id LIMIT ?5"
        ),
        args![level, before.timestamp(), due, id, limit],
        |r| Ok((callback_at(r, 0)?, r.get(CALLBACK_COLUMNS_N)?)),
    )
}

/// Raises callback `id` to `level`, owned now by `owner`.
pub fn escalate(tx: &Db<'_>, id: i64, level: u32, owner: &str) -> sql::Result<()> {
    tx.execute(
        "UPDATE callbacks SET level = ?1, owner = ?2 WHERE id = ?3",
        args![level, owner, id],
    )?;
    Ok(())
}

/// Writes a callback as it stands (demo data), done or not.
pub fn insert_callback(
    tx: &Db<'_>,
    complaint_id: i64,
    kind: &str,
    due: DateTime<Utc>,
    created: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO callbacks (complaint_id, kind, due_at, created_at, done_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![
            complaint_id,
            kind,
            due.timestamp(),
            created.timestamp(),
            done.map(|t| t.timestamp())
        ],
    )?;
    Ok(())
}

/// Writes a revisit as it stands (demo data), with its result when done.
pub fn insert_revisit(
    tx: &Db<'_>,
    complaint_id: i64,
    role: &str,
    due: DateTime<Utc>,
    done: Option<(DateTime<Utc>, u8)>,
) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO revisits (complaint_id, role, due_at, done_at, reached, satisfaction)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![
            complaint_id,
            role,
            due.timestamp(),
            done.map(|(t, _)| t.timestamp()),
            done.map(|_| true),
            done.map(|(_, s)| s),
        ],
    )?;
    Ok(())
}

/// Plans a revisit.
pub fn plan_revisit(
    tx: &Db<'_>,
    complaint_id: i64,
    role: &str,
    due: DateTime<Utc>,
) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO revisits (complaint_id, role, due_at) VALUES (?1, ?2, ?3)",
        args![complaint_id, role, due.timestamp()],
    )?;
    Ok(())
}

/// Records the result of revisit `id`.
pub fn record_revisit(
    tx: &Db<'_>,
    id: i64,
    reached: bool,
    satisfaction: Option<u8>,
    comment: &str,
    now: DateTime<Utc>,
) -> sql::Result<()> {
    tx.execute(
        "UPDATE revisits SET done_at = ?1, reached = ?2, satisfaction = ?3, comment = ?4
         WHERE id = ?5",
        args![now.timestamp(), reached, satisfaction, comment, id],
    )?;
    Ok(())
}

/// Records a failed attempt on revisit `id` (not reached): it stays open, due at
/// `next_due`, with the comment of the attempt.
pub fn failed_revisit(
    tx: &Db<'_>,
    id: i64,
    next_due: DateTime<Utc>,
    comment: &str,
) -> sql::Result<()> {
    tx.execute(
        "UPDATE revisits SET attempts = attempts + 1, due_at = ?1, comment = ?2 WHERE id = ?3",
        args![next_due.timestamp(), comment, id],
    )?;
    Ok(())
}

/// Closes the open revisits of a complaint without a result (the case reopened).
pub fn cancel_revisits(
    tx: &Db<'_>,
    complaint_id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> sql::Result<()> {
    tx.execute("UPDATE revisits SET done_at = ?1, comment = ?2 WHERE complaint_id = ?3 AND done_at IS NULL", args![now.timestamp(), note, complaint_id])?;
    Ok(())
}

/// Opens a call owed for a complaint, inside the caller's transaction.
pub fn owe(
    tx: &Db<'_>,
    complaint_id: i64,
    kind: &str,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO callbacks (complaint_id, kind, due_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        args![complaint_id, kind, due_at.timestamp(), now.timestamp()],
    )?;
    Ok(())
}

/// Marks the open calls of `kinds` for a complaint done, inside the caller's transaction.
pub fn settle(
    tx: &Db<'_>,
    complaint_id: i64,
    kinds: &[&str],
    now: DateTime<Utc>,
) -> sql::Result<()> {
    for kind in kinds {
        tx.execute(
            "UPDATE callbacks SET done_at = ?1
             WHERE complaint_id = ?2 AND kind = ?3 AND done_at IS NULL",
            args![now.timestamp(), complaint_id, kind],
        )?;
    }
    Ok(())
}

/// Open callbacks by urgency, for the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DueCounts {
    /// Due from now until the end of today.
    pub due_today: i64,
    /// Past due.
    pub overdue: i64,
    /// Of those, callbacks due today.
    pub callbacks_due_today: i64,
    /// Of those, callbacks past due.
    pub callbacks_overdue: i64,
    /// Of those, revisits due today.
    pub revisits_due_today: i64,
    /// Of those, revisits past due.
    pub revisits_overdue: i64,
}

/// An open call whose due time migration 13 listed to be counted again from the receipt.
#[derive(Debug, Clone)]
pub struct ClockToMove {
    /// The call's kind (`first_reply`, `chaser`).
    pub kind: String,
    /// When the complaint was received.
    pub received_at: DateTime<Utc>,
    /// Its scope.
    pub scope: Option<Scope>,
    /// Its severity.
    pub severity: Option<String>,
}

/// The arguments of an agenda page: due in `[?1, ?2)`, after `(?3, ?4)` (due time, id; the
/// start when `None`), at most `?5`.
pub(crate) fn agenda_args(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    after: Option<(i64, i64)>,
    limit: u32,
) -> Vec<Value<'static>> {
    let (due, id) = after.unwrap_or((from.timestamp() - 1, i64::MAX));
    vec![
        Value::Int(from.timestamp()),
        Value::Int(to.timestamp()),
        Value::Int(due),
        Value::Int(id),
        Value::Int(limit.into()),
    ]
}

/// Calls of the moving list read and moved per statement.
const CLOCK_BATCH: i64 = 512;

impl Store {
    /// Moves the due times migration 13 listed: `due` gives each call's new due time
    /// (`None`: left as it is), in transactions of about [`BULK_BUDGET`] each, emptying the
    /// list. One indexed read when the list is empty, as nearly always. Returns how many
    /// calls were looked at.
    pub fn move_reply_clocks(
        &mut self,
        due: &dyn Fn(&ClockToMove) -> Option<DateTime<Utc>>,
    ) -> Result<u64> {
        let any: Option<i64> = self
            .db()
            .row(
                "SELECT callback_id FROM reply_clock_moves LIMIT 1",
                args![],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if any.is_none() {
            return Ok(0);
        }
        let mut moved = 0u64;
        loop {
            let (done, more) = self.write(|tx| {
                let began = Instant::now();
                let mut done = 0u64;
                loop {
                    let rows: Vec<(i64, ClockToMove)> = tx.rows(
                        "SELECT m.callback_id, cb.kind, c.received_at, c.scope, c.severity
                             FROM reply_clock_moves m
                             JOIN callbacks cb ON cb.id = m.callback_id
                             JOIN complaints c ON c.id = cb.complaint_id
                             ORDER BY m.callback_id LIMIT ?1",
                        args![CLOCK_BATCH],
                        |r| {
                            let scope: Option<String> = r.get(3)?;
                            Ok((
                                r.get(0)?,
                                ClockToMove {
                                    kind: r.get(1)?,
                                    received_at: at(r.get(2)?),
                                    scope: scope.as_deref().and_then(Scope::parse),
                                    severity: r.get(4)?,
                                },
                            ))
                        },
                    )?;
                    let last = rows.last().map(|(id, _)| *id);
                    for (id, call) in &rows {
                        if let Some(new) = due(call) {
                            tx.execute(
                                "UPDATE callbacks SET due_at = ?1
                                 WHERE id = ?2 AND done_at IS NULL AND attempts = 0",
                                args![new.timestamp(), id],
                            )?;
                        }
                    }
                    let Some(last) = last else {
                        // Listed calls whose rows are gone: nothing to move.
                        tx.execute("DELETE FROM reply_clock_moves", args![])?;
                        return Ok((done, false));
                    };
                    tx.execute(
                        "DELETE FROM reply_clock_moves WHERE callback_id <= ?1",
                        args![last],
                    )?;
                    done += rows.len() as u64;
                    if began.elapsed() >= BULK_BUDGET {
                        return Ok((done, true));
                    }
                }
            })?;
            moved += done;
            if !more {
                return Ok(moved);
            }
            // Another process's save takes its turn between transactions.
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Gives each case migration 14 listed what it owes while it waits: `owe` writes it,
    /// inside the transaction, for each listed complaint still there. Transactions of about
    /// [`BULK_BUDGET`] each, emptying the list; one indexed read when the list is empty, as
    /// nearly always. Returns how many cases were looked at.
    pub fn owe_waiting_calls(
        &mut self,
        owe: &dyn Fn(&Db<'_>, &Complaint) -> Result<()>,
    ) -> Result<u64> {
        let listed = |conn: &Db<'_>| {
            conn.rows(
                "SELECT complaint_id FROM waiting_calls_owed ORDER BY complaint_id LIMIT ?1",
                args![CLOCK_BATCH],
                |r| r.get::<i64>(0),
            )
        };
        if listed(&self.db()).map_err(|e| self.err(e))?.is_empty() {
            return Ok(0);
        }
        let mut seen = 0u64;
        loop {
            let (done, more) = self.write(|tx| {
                let began = Instant::now();
                let mut done = 0u64;
                loop {
                    let ids = listed(tx)?;
                    let Some(&last) = ids.last() else {
                        return Ok((done, false));
                    };
                    for &id in &ids {
                        if let Some(c) = complaints::by_id(tx, id).optional()? {
                            owe(tx, &c)?;
                        }
                    }
                    tx.execute(
                        "DELETE FROM waiting_calls_owed WHERE complaint_id <= ?1",
                        args![last],
                    )?;
                    done += ids.len() as u64;
                    if began.elapsed() >= BULK_BUDGET {
                        return Ok((done, true));
                    }
                }
            })?;
            seen += done;
            if !more {
                return Ok(seen);
            }
            // Another process's save takes its turn between transactions.
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Of the complaints `ids`, those owing a callback or a revisit past `now` (through the
    /// callbacks' and revisits' complaint indexes).
    pub fn overdue_among(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Vec<i64>> {
        let ids =
            serde_json::to_string(ids).map_err(|e| Error::new("error.storage").arg("detail", e))?;
        let db = self.db();
        let listed = db.engine().json_integers("?1");
        let sql = format!(
            "SELECT complaint_id FROM callbacks
             WHERE complaint_id IN ({listed}) AND done_at IS NULL AND due_at < ?2
             UNION
             SELECT complaint_id FROM revisits
             WHERE complaint_id IN ({listed}) AND done_at IS NULL AND due_at < ?2"
        );
        db.rows(&sql, args![ids, now.timestamp()], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Open callbacks, revisits and care calls of `sites` (`None`: every site) due before
    /// `day_end` but not yet past (`due_today`) and past `now` (`overdue`), through the
    /// open-items indexes.
    pub fn due_counts(
        &self,
        now: DateTime<Utc>,
        day_end: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<DueCounts> {
        let mut args = vec![Value::Int(now.timestamp()), Value::Int(day_end.timestamp())];
        // Scoped, a callback or revisit counts by its complaint's site, a care call by its
        // own; the same arguments serve every count (`due_at` and `done_at` are the calls').
        let cond = site_condition(&mut args, "c.site", sites);
        let count = |table: &str, due: &str| match (&cond, table) {
            (None, _) => format!("(SELECT count(*) FROM {table} WHERE done_at IS NULL AND {due})"),
            (Some(cond), "care_calls") => format!(
                "(SELECT count(*) FROM care_calls c WHERE done_at IS NULL AND {due} AND {cond})"
            ),
            (Some(cond), _) => format!(
                "(SELECT count(*) FROM {table} x JOIN complaints c ON c.id = x.complaint_id
                  WHERE done_at IS NULL AND {due} AND {cond})"
            ),
        };
        let overdue = "due_at < ?1";
        let today = "due_at >= ?1 AND due_at < ?2";
        let sql = format!(
            "SELECT {}, {}, {}, {}, {}, {}",
            count("callbacks", overdue),
            count("revisits", overdue),
            count("care_calls", overdue),
            count("callbacks", today),
            count("revisits", today),
            count("care_calls", today),
        );
        self.db()
            .row(&sql, &arg_refs(&args), |r| {
                let n: [i64; 6] = [
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ];
                Ok(DueCounts {
                    overdue: n[0] + n[1] + n[2],
                    due_today: n[3] + n[4] + n[5],
                    callbacks_overdue: n[0],
                    revisits_overdue: n[1],
                    callbacks_due_today: n[3],
                    revisits_due_today: n[4],
                })
            })
            .map_err(|e| self.err(e))
    }

    /// Callbacks of a complaint, by due time.
    pub fn callbacks(&self, complaint_id: i64) -> Result<Vec<Callback>> {
        callbacks_of(&self.db(), complaint_id).map_err(|e| self.err(e))
    }

    /// One page of the callback queue: open callbacks after `after` in (due time, id)
    /// order, with their complaints; `overdue_at` keeps only those due before it, `owner`
    /// only those owned by it (or by nobody).
    pub fn callback_queue(
        &self,
        filter: &QueueFilter<'_>,
        limit: u32,
        after: Option<(i64, i64)>,
    ) -> Result<Vec<(Callback, Complaint)>> {
        let owner = match (filter.unowned, filter.owner) {
            (true, _) => Owner::Nobody,
            (false, Some(_)) => Owner::Role,
            (false, None) => Owner::Any,
        };
        let mut sql = callback_queue_sql(owner);
        let (due, id) = after.unwrap_or((i64::MIN, i64::MIN));
        let overdue = filter.overdue_at.map_or(i64::MAX, |t| t.timestamp());
        let mut args = vec![
            Value::Int(due),
            Value::Int(id),
            Value::Int(overdue),
            Value::Int(limit.into()),
        ];
        // Only the parameters this variant of the query names (`?5` the owner's role).
        if owner == Owner::Role {
            args.push(Value::Text(filter.owner.unwrap_or("").to_string().into()));
        }
        scope_to_sites(&mut sql, &mut args, "c.site", filter.sites);
        sql.push_str(" ORDER BY cb.due_at, cb.id LIMIT ?4");
        self.db()
            .rows(&sql, &arg_refs(&args), |r| {
                Ok((callback_at(r, 0)?, complaint_at(r, CALLBACK_COLUMNS_N)?))
            })
            .map_err(|e| self.err(e))
    }

    /// One page of the revisit agenda: open revisits due in `[from, to)` after `after` in
    /// (due time, id) order, with their complaints, of `sites` (`None`: every site).
    pub fn revisit_agenda(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
        after: Option<(i64, i64)>,
        sites: Option<&[String]>,
    ) -> Result<Vec<(Revisit, Complaint)>> {
        let mut sql = format!(
            "SELECT {REVISIT_COLUMNS_Q}, {} FROM revisits r INDEXED BY revisits_open
             JOIN complaints c ON c.id = r.complaint_id
             WHERE r.done_at IS NULL AND r.due_at >= ?1 AND r.due_at < ?2
               AND (r.due_at, r.id) > (?3, ?4)",
            qualified_columns()
        );
        let mut args = agenda_args(from, to, after, limit);
        scope_to_sites(&mut sql, &mut args, "c.site", sites);
        sql.push_str(" ORDER BY r.due_at, r.id LIMIT ?5");
        self.db()
            .rows(&sql, &arg_refs(&args), |r| {
                Ok((revisit_at(r, 0)?, complaint_at(r, REVISIT_COLUMNS_N)?))
            })
            .map_err(|e| self.err(e))
    }

    /// Open revisits of `sites` (`None`: every site) due in each of the ranges
    /// `[bounds[i], bounds[i + 1])`.
    pub fn revisit_counts(
        &self,
        bounds: &[DateTime<Utc>],
        sites: Option<&[String]>,
    ) -> Result<Vec<i64>> {
        let join = if sites.is_some() {
            " JOIN complaints c ON c.id = r.complaint_id"
        } else {
            ""
        };
        self.counts_between(
            &format!(
                "SELECT count(*) FROM revisits r INDEXED BY revisits_open{join}
                 WHERE r.done_at IS NULL AND r.due_at >= ?1 AND r.due_at < ?2"
            ),
            bounds,
            "c.site",
            sites,
        )
    }

    /// `count_sql` (a count of rows due in `[?1, ?2)`, with a `WHERE`) for each of the
    /// ranges `[bounds[i], bounds[i + 1])`, of `sites` (their site in `site_column`;
    /// `None`: every site).
    pub(crate) fn counts_between(
        &self,
        count_sql: &str,
        bounds: &[DateTime<Utc>],
        site_column: &str,
        sites: Option<&[String]>,
    ) -> Result<Vec<i64>> {
        let db = self.db();
        let mut sql = count_sql.to_string();
        let mut args = vec![Value::Null, Value::Null];
        scope_to_sites(&mut sql, &mut args, site_column, sites);
        bounds
            .windows(2)
            .map(|w| {
                args[0] = Value::Int(w[0].timestamp());
                args[1] = Value::Int(w[1].timestamp());
                db.value(&sql, &arg_refs(&args)).map_err(|e| self.err(e))
            })
            .collect()
    }

    /// The earliest due time of an open callback or revisit after `now`: when the
    /// status counts next change by themselves.
    pub fn next_due_after(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        self.db()
            .row(
                "SELECT min(t) FROM (
                   SELECT min(due_at) AS t FROM callbacks WHERE done_at IS NULL AND due_at > ?1
                   UNION ALL
                   SELECT min(due_at) FROM revisits WHERE done_at IS NULL AND due_at > ?1
                   UNION ALL
                   SELECT min(due_at) FROM care_calls WHERE done_at IS NULL AND due_at > ?1) AS due",
                args![now.timestamp()],
                |r| r.get::<Option<i64>>(0),
            )
            .map(|t| t.map(at))
            .map_err(|e| self.err(e))
    }

    /// Revisits of a complaint, by due time.
    pub fn revisits(&self, complaint_id: i64) -> Result<Vec<Revisit>> {
        revisits_of(&self.db(), complaint_id).map_err(|e| self.err(e))
    }
}
