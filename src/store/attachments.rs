//! Attachments: references to files kept outside the database, with their hash.

use crate::store::sql::{self, Db, args};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Store;

/// A file attached to a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Where the file is (absolute).
    pub path: String,
    /// SHA-256 of its content, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Photos or videos of a spread-risk case, or anything marked so: shown only to roles
    /// that may view confidential material.
    pub confidential: bool,
    /// When it was attached.
    pub added_at: DateTime<Utc>,
    /// Who attached it.
    pub added_by: String,
}

/// Records an attachment inside the caller's transaction.
pub fn insert(tx: &Db<'_>, complaint_id: i64, a: &Attachment) -> sql::Result<()> {
    tx.execute("INSERT INTO attachments (complaint_id, path, sha256, size, confidential, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", args![
        complaint_id,
        a.path,
        a.sha256,
        i64::try_from(a.size).unwrap_or(i64::MAX),
        a.confidential,
        a.added_at.timestamp(),
        a.added_by,
    ])?;
    Ok(())
}

impl Store {
    /// The attachments of a complaint, oldest first.
    pub fn attachments(&self, complaint_id: i64) -> Result<Vec<Attachment>> {
        self.db()
            .rows(
                "SELECT path, sha256, size, confidential, added_at, added_by FROM attachments
                 WHERE complaint_id = ?1 ORDER BY id",
                args![complaint_id],
                |r| {
                    Ok(Attachment {
                        path: r.get(0)?,
                        sha256: r.get(1)?,
                        size: u64::try_from(r.get::<i64>(2)?).unwrap_or(0),
                        confidential: r.get(3)?,
                        added_at: DateTime::from_timestamp(r.get(4)?, 0).unwrap_or_default(),
                        added_by: r.get(5)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }
}
