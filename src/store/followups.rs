//! Callbacks owed and revisits planned for a complaint.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Store;

/// A call owed to the customer or a third party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
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
}

/// A follow-up after the remedy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revisit {
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
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Opens a call owed for a complaint, inside the caller's transaction.
pub fn owe(
    tx: &rusqlite::Transaction<'_>,
    complaint_id: i64,
    kind: &str,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO callbacks (complaint_id, kind, due_at, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(rusqlite::params![
        complaint_id,
        kind,
        due_at.timestamp(),
        now.timestamp()
    ])?;
    Ok(())
}

/// Marks the open calls of `kinds` for a complaint done, inside the caller's transaction.
pub fn settle(
    tx: &rusqlite::Transaction<'_>,
    complaint_id: i64,
    kinds: &[&str],
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "UPDATE callbacks SET done_at = ?1
         WHERE complaint_id = ?2 AND kind = ?3 AND done_at IS NULL",
    )?;
    for kind in kinds {
        stmt.execute(rusqlite::params![now.timestamp(), complaint_id, kind])?;
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
}

impl Store {
    /// Open callbacks and revisits due before `day_end` but not yet past (`due_today`) and
    /// past `now` (`overdue`), through the open-items indexes.
    pub fn due_counts(&self, now: DateTime<Utc>, day_end: DateTime<Utc>) -> Result<DueCounts> {
        self.conn()
            .prepare_cached(
                "SELECT
                   (SELECT count(*) FROM callbacks WHERE done_at IS NULL AND due_at < ?1)
                 + (SELECT count(*) FROM revisits  WHERE done_at IS NULL AND due_at < ?1),
                   (SELECT count(*) FROM callbacks WHERE done_at IS NULL AND due_at >= ?1 AND due_at < ?2)
                 + (SELECT count(*) FROM revisits  WHERE done_at IS NULL AND due_at >= ?1 AND due_at < ?2)",
            )
            .and_then(|mut s| {
                s.query_row([now.timestamp(), day_end.timestamp()], |r| {
                    Ok(DueCounts {
                        overdue: r.get(0)?,
                        due_today: r.get(1)?,
                    })
                })
            })
            .map_err(|e| self.err(e))
    }

    /// Callbacks of a complaint, by due time.
    pub fn callbacks(&self, complaint_id: i64) -> Result<Vec<Callback>> {
        self.conn()
            .prepare_cached(
                "SELECT kind, due_at, owner, note, done_at FROM callbacks
                 WHERE complaint_id = ?1 ORDER BY due_at, id",
            )
            .and_then(|mut s| {
                s.query_map([complaint_id], |r| {
                    Ok(Callback {
                        kind: r.get(0)?,
                        due_at: at(r.get(1)?),
                        owner: r.get(2)?,
                        note: r.get(3)?,
                        done_at: r.get::<_, Option<i64>>(4)?.map(at),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Revisits of a complaint, by due time.
    pub fn revisits(&self, complaint_id: i64) -> Result<Vec<Revisit>> {
        self.conn()
            .prepare_cached(
                "SELECT role, due_at, done_at, reached, satisfaction, comment FROM revisits
                 WHERE complaint_id = ?1 ORDER BY due_at, id",
            )
            .and_then(|mut s| {
                s.query_map([complaint_id], |r| {
                    Ok(Revisit {
                        role: r.get(0)?,
                        due_at: at(r.get(1)?),
                        done_at: r.get::<_, Option<i64>>(2)?.map(at),
                        reached: r.get(3)?,
                        satisfaction: r.get(4)?,
                        comment: r.get(5)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }
}
