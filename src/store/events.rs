//! The append-only timeline of every complaint.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use crate::domain::stage::Stage;
use crate::error::Result;
use crate::store::Store;

/// One entry of a complaint's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub agent: String,
    /// What happened (`received`, `classified`, `closed`, …).
    pub kind: String,
    /// Stage before, when the stage moved.
    pub from_stage: Option<Stage>,
    /// Stage after, when the stage moved.
    pub to_stage: Option<Stage>,
    /// What changed, as a JSON object.
    pub detail: serde_json::Value,
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The complaint's row id.
    pub complaint_id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub agent: &'a str,
    /// What (`received`, …).
    pub kind: &'a str,
    /// Stage before.
    pub from_stage: Option<Stage>,
    /// Stage after.
    pub to_stage: Option<Stage>,
    /// Detail object.
    pub detail: &'a serde_json::Value,
}

/// Appends an event inside the caller's transaction.
pub fn append(tx: &Transaction<'_>, e: &NewEvent<'_>) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (complaint_id, at, agent, kind, from_stage, to_stage, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.complaint_id,
        e.at.timestamp(),
        e.agent,
        e.kind,
        e.from_stage.map(Stage::as_str),
        e.to_stage.map(Stage::as_str),
        e.detail.to_string(),
    ])?;
    Ok(())
}

const EVENT_COLUMNS: &str = "at, agent, kind, from_stage, to_stage, detail";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let at: i64 = r.get(0)?;
    let from: Option<String> = r.get(3)?;
    let to: Option<String> = r.get(4)?;
    let detail: String = r.get(5)?;
    Ok(Event {
        at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
        agent: r.get(1)?,
        kind: r.get(2)?,
        from_stage: from.as_deref().and_then(Stage::parse),
        to_stage: to.as_deref().and_then(Stage::parse),
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
    })
}

/// The latest event of a complaint (inside a transaction).
pub fn last(conn: &rusqlite::Connection, complaint_id: i64) -> rusqlite::Result<Option<Event>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE complaint_id = ?1 ORDER BY id DESC LIMIT 1"
    ))?
    .query_row([complaint_id], from_row)
    .optional()
}

impl Store {
    /// The timeline of a complaint, oldest first.
    pub fn events(&self, complaint_id: i64) -> Result<Vec<Event>> {
        self.conn()
            .prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE complaint_id = ?1 ORDER BY id"
            ))
            .and_then(|mut stmt| {
                stmt.query_map([complaint_id], from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))
    }
}
