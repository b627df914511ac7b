//! The people who act at the desk.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::error::Result;
use crate::store::Store;

impl Store {
    /// Records that `name` is at the desk now; registers them with `role` if new.
    pub fn agent_active(&mut self, name: &str, role: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO agents (name, role, created_at, last_active_at)
                 VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT (name) DO UPDATE SET last_active_at = excluded.last_active_at",
                params![name, role, now.timestamp()],
            )?;
            Ok(())
        })
    }

    /// The role of agent `name`, if registered.
    pub fn agent_role(&self, name: &str) -> Result<Option<String>> {
        self.conn()
            .prepare_cached("SELECT role FROM agents WHERE name = ?1")
            .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// The enabled agent who was at the desk last, if anyone ever was.
    pub fn last_agent(&self) -> Result<Option<String>> {
        self.conn()
            .prepare_cached(
                "SELECT name FROM agents WHERE disabled = 0
                 ORDER BY last_active_at DESC NULLS LAST, id DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }
}
