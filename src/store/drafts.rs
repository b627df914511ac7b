//! Half-typed intake forms, one per agent, kept so nothing typed is lost to a crash or quit.

use crate::store::sql::{self, Db, Optional, args};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Store;

/// Removes `agent`'s draft inside the caller's transaction (a saved complaint clears it).
pub fn clear(tx: &Db<'_>, agent: &str) -> sql::Result<()> {
    tx.execute("DELETE FROM drafts WHERE agent = ?1", args![agent])?;
    Ok(())
}

impl Store {
    /// Replaces `agent`'s draft with `form` (JSON).
    pub fn save_draft(&mut self, agent: &str, form: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO drafts (agent, form, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (agent) DO UPDATE SET form = excluded.form,
                                                   updated_at = excluded.updated_at",
                args![agent, form, now.timestamp()],
            )?;
            Ok(())
        })
    }

    /// `agent`'s draft (JSON), if any.
    pub fn draft(&self, agent: &str) -> Result<Option<String>> {
        self.db()
            .row(
                "SELECT form FROM drafts WHERE agent = ?1",
                args![agent],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Removes `agent`'s draft (the form was emptied on purpose).
    pub fn clear_draft(&mut self, agent: &str) -> Result<()> {
        self.write(|tx| Ok(clear(tx, agent)?))
    }
}
