//! Spreadsheet imports: rows staged invisibly, then published as complaints, each in
//! short transactions (see [`crate::desk::import`] for the whole walk).
//!
//! An import is `staging` while its rows go into `import_staged`, which no queue, count or
//! search reads; one short transaction marks it `publishing` — its commit point — after which
//! its rows are published whatever happens: an import left `publishing` by a killed process
//! is finished by the next import. One left `staging` is `abandoned`, its staged rows
//! removed. `imported_rows` keeps the digest of every source row published, so the same row
//! is never imported twice.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Store;
use crate::store::sql::{self, Db, Optional, args};

/// An import's state (the `imports.state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Rows being staged: nothing visible yet.
    Staging,
    /// Every row staged; being published.
    Publishing,
    /// Published.
    Done,
    /// Given up before its commit point; its staged rows removed.
    Abandoned,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Staging => "staging",
            State::Publishing => "publishing",
            State::Done => "done",
            State::Abandoned => "abandoned",
        }
    }
}

/// An import not finished that no process has worked on lately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idle {
    /// Its id.
    pub id: i64,
    /// The file's name.
    pub file: String,
    /// Who ran it.
    pub agent: String,
    /// Its state: `Staging` (to abandon) or `Publishing` (to finish).
    pub state: State,
}

/// A staged row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// Its line in the file.
    pub line: i64,
    /// The digest of the source row.
    pub row_hash: String,
    /// The validated row as JSON.
    pub payload: String,
}

/// Staged rows removed per transaction when an import is abandoned.
const REMOVE_CHUNK: i64 = 5_000;

/// Digests looked up per statement.
const LOOKUP_CHUNK: usize = 400;

impl Store {
    /// Records a new import of `file` (its name only) by `agent`, staging; its id.
    pub fn begin_import(&mut self, file: &str, agent: &str, now: DateTime<Utc>) -> Result<i64> {
        self.write(|tx| {
            Ok(tx.value(
                "INSERT INTO imports (file, agent, started_at, touched_at, state)
                 VALUES (?1, ?2, ?3, ?3, 'staging') RETURNING id",
                args![file, agent, now.timestamp()],
            )?)
        })
    }

    /// Moves import `id` to `state` (its commit point when `Publishing`).
    pub fn set_import_state(&mut self, id: i64, state: State, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE imports SET state = ?1, touched_at = ?2 WHERE id = ?3",
                args![state.as_str(), now.timestamp(), id],
            )?;
            Ok(())
        })
    }

    /// The imports left `staging` or `publishing` that nobody has touched since `before`.
    pub fn idle_imports(&self, before: DateTime<Utc>) -> Result<Vec<Idle>> {
        self.db()
            .rows(
                "SELECT id, file, agent, state FROM imports
                 WHERE state IN ('staging', 'publishing') AND touched_at < ?1 ORDER BY id",
                args![before.timestamp()],
                |r| {
                    let state: String = r.get(3)?;
                    Ok(Idle {
                        id: r.get(0)?,
                        file: r.get(1)?,
                        agent: r.get(2)?,
                        state: if state == "publishing" {
                            State::Publishing
                        } else {
                            State::Staging
                        },
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Removes the staged rows of import `id` in short transactions and marks it
    /// abandoned: nothing of it was ever visible.
    pub fn abandon_import(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        loop {
            let removed = self.write(|tx| {
                Ok(tx.execute(
                    "DELETE FROM import_staged WHERE import_id = ?1 AND line IN
                        (SELECT line FROM import_staged WHERE import_id = ?1
                         ORDER BY line LIMIT ?2)",
                    args![id, REMOVE_CHUNK],
                )?)
            })?;
            if removed == 0 {
                break;
            }
        }
        self.set_import_state(id, State::Abandoned, now)
    }

    /// How many rows import `id` has staged and not yet published.
    pub fn staged_rows(&self, id: i64) -> Result<u64> {
        self.db()
            .value::<i64>(
                "SELECT count(*) FROM import_staged WHERE import_id = ?1",
                args![id],
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| self.err(e))
    }

    /// Which of `digests` were imported already (any import).
    pub fn imported_digests(&self, digests: &[String]) -> Result<HashSet<String>> {
        let mut known = HashSet::new();
        for chunk in digests.chunks(LOOKUP_CHUNK) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
            let sql = format!(
                "SELECT row_hash FROM imported_rows WHERE row_hash IN ({})",
                placeholders.join(", ")
            );
            let args: Vec<&dyn sql::Arg> = chunk.iter().map(|d| d as &dyn sql::Arg).collect();
            let found = self
                .db()
                .rows(&sql, &args, |r| r.get::<String>(0))
                .map_err(|e| self.err(e))?;
            known.extend(found);
        }
        Ok(known)
    }

    /// Bytes free on the disk of the database file; `None` on PostgreSQL (the server's
    /// disk) or when the system does not say.
    pub fn free_space(&self) -> Option<u64> {
        if self.is_postgres() {
            return None;
        }
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new("."));
        let st = rustix::fs::statvfs(dir).ok()?;
        Some(st.f_bavail.saturating_mul(st.f_frsize))
    }
}

/// Stages one validated row of import `id` (inside a bulk transaction).
pub fn stage(tx: &Db<'_>, id: i64, row: &Staged) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO import_staged (import_id, line, row_hash, payload) VALUES (?1, ?2, ?3, ?4)",
        args![id, row.line, row.row_hash, row.payload],
    )?;
    Ok(())
}

/// Notes that import `id` was worked on at `now`, with `staged` more rows staged and
/// `published` more published.
pub fn touch(
    tx: &Db<'_>,
    id: i64,
    now: DateTime<Utc>,
    staged: u64,
    published: u64,
) -> sql::Result<()> {
    tx.execute(
        "UPDATE imports SET touched_at = ?1, staged = staged + ?2, published = published + ?3
         WHERE id = ?4",
        args![
            now.timestamp(),
            i64::try_from(staged).unwrap_or(i64::MAX),
            i64::try_from(published).unwrap_or(i64::MAX),
            id
        ],
    )?;
    Ok(())
}

/// The next `limit` staged rows of import `id` after line `after`, in line order; they stay
/// on the stage until [`unstage`] takes them off in the transaction that publishes them.
pub fn staged_after(tx: &Db<'_>, id: i64, after: i64, limit: i64) -> sql::Result<Vec<Staged>> {
    tx.rows(
        "SELECT line, row_hash, payload FROM import_staged
         WHERE import_id = ?1 AND line > ?2 ORDER BY line LIMIT ?3",
        args![id, after, limit],
        |r| {
            Ok(Staged {
                line: r.get(0)?,
                row_hash: r.get(1)?,
                payload: r.get(2)?,
            })
        },
    )
}

/// Takes the staged rows of import `id` up to line `through` off the stage.
pub fn unstage(tx: &Db<'_>, id: i64, through: i64) -> sql::Result<()> {
    tx.execute(
        "DELETE FROM import_staged WHERE import_id = ?1 AND line <= ?2",
        args![id, through],
    )?;
    Ok(())
}

/// Whether a source row with digest `row_hash` was imported already.
pub fn is_imported(tx: &Db<'_>, row_hash: &str) -> sql::Result<bool> {
    Ok(tx
        .row(
            "SELECT 1 FROM imported_rows WHERE row_hash = ?1",
            args![row_hash],
            |r| r.get::<i64>(0),
        )
        .optional()?
        .is_some())
}

/// Records that the source row `row_hash` (line `line` of import `id`) is complaint
/// `complaint_id`.
pub fn record_imported(
    tx: &Db<'_>,
    row_hash: &str,
    complaint_id: i64,
    id: i64,
    line: i64,
) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO imported_rows (row_hash, complaint_id, import_id, line)
         VALUES (?1, ?2, ?3, ?4)",
        args![row_hash, complaint_id, id, line],
    )?;
    Ok(())
}
