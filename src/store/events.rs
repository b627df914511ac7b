//! The append-only timeline of every complaint, and of what happened outside one (sign-ins,
//! denials, agent management): one hash chain over both (see [`crate::store::audit`]).

use crate::store::sql::{self, Db, Engine, Optional, Row, args};
use chrono::{DateTime, Utc};

use crate::domain::stage::Stage;
use crate::error::Result;
use crate::store::{Store, audit};

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

/// An event to append: its detail a JSON object, or sealed beforehand ([`SealedEvent`]).
#[derive(Debug, Clone)]
pub struct NewEvent<'a, D = serde_json::Value> {
    /// The complaint's row id; `None` for an event about an agent or the desk.
    pub complaint_id: Option<i64>,
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
    pub detail: &'a D,
}

impl<'a> NewEvent<'a> {
    /// An event on complaint `complaint_id` that leaves its stage where it is.
    pub fn note(
        complaint_id: i64,
        at: DateTime<Utc>,
        agent: &'a str,
        kind: &'a str,
        detail: &'a serde_json::Value,
    ) -> NewEvent<'a> {
        NewEvent {
            complaint_id: Some(complaint_id),
            at,
            agent,
            kind,
            from_stage: None,
            to_stage: None,
            detail,
        }
    }
}

/// Appends an event inside the caller's transaction, chained to the row before it.
pub fn append(tx: &Db<'_>, e: &NewEvent<'_>) -> sql::Result<()> {
    Chain::at_head(tx)?.append(tx, e)
}

/// An event's detail made ready for the chain before its place in the chain is known:
/// serialised, with a fresh nonce and the digest that commits it. Sealing is the part of an
/// append that costs CPU, so a bulk load seals on one thread while another writes.
#[derive(Debug, Clone)]
pub struct SealedDetail {
    text: String,
    seal: Seal,
}

impl SealedDetail {
    /// Seals `detail`, committing to its text and to the form an erasure would leave.
    pub fn new(detail: &serde_json::Value) -> SealedDetail {
        let text = detail.to_string();
        let mut seal = Seal::of(&text);
        seal.erased = Some(audit::erased_digest(detail));
        SealedDetail { text, seal }
    }
}

/// A detail's nonce, `sha256(nonce || detail)`, and (rows written from schema 12 on) the
/// digest of its erased form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seal {
    nonce: [u8; audit::NONCE_BYTES],
    digest: audit::Hash,
    erased: Option<audit::Hash>,
}

impl Seal {
    /// A fresh nonce and the digest of `detail` under it, without the erased form's digest
    /// (the rows migration 8 chains, as they were then).
    pub(crate) fn of(detail: &str) -> Seal {
        let nonce = audit::new_nonce();
        let digest = audit::detail_digest(&nonce, detail);
        Seal {
            nonce,
            digest,
            erased: None,
        }
    }
}

/// An event whose detail is sealed, to append with [`Chain::append_sealed`].
pub type SealedEvent<'a> = NewEvent<'a, SealedDetail>;

/// The end of the chain inside one transaction, for appending many events in a row (bulk
/// loads) without reading the head back before each.
pub struct Chain {
    last_id: i64,
    head: audit::Hash,
}

impl Chain {
    /// The chain as it ends now.
    pub fn at_head(tx: &Db<'_>) -> sql::Result<Chain> {
        let (last_id, head) = head(tx)?;
        Ok(Chain { last_id, head })
    }

    /// Appends `e` after the last row.
    pub fn append(&mut self, tx: &Db<'_>, e: &NewEvent<'_>) -> sql::Result<()> {
        let detail = SealedDetail::new(e.detail);
        self.append_sealed(
            tx,
            &SealedEvent {
                complaint_id: e.complaint_id,
                at: e.at,
                agent: e.agent,
                kind: e.kind,
                from_stage: e.from_stage,
                to_stage: e.to_stage,
                detail: &detail,
            },
        )
    }

    /// Appends an event sealed beforehand after the last row.
    pub fn append_sealed(&mut self, tx: &Db<'_>, e: &SealedEvent<'_>) -> sql::Result<()> {
        let row = ChainRow {
            id: self.last_id + 1,
            complaint_id: e.complaint_id,
            at: e.at.timestamp(),
            agent: e.agent,
            kind: e.kind,
            from_stage: e.from_stage.map(Stage::as_str),
            to_stage: e.to_stage.map(Stage::as_str),
            detail: &e.detail.text,
        };
        self.head = insert_chained(tx, ChainTable::Events, &row, &e.detail.seal, &self.head)?;
        self.last_id = row.id;
        if tx.engine() == Engine::Postgres {
            tx.execute(
                "UPDATE chain_head SET last_id = ?1, last_hash = ?2 WHERE one = 1",
                args![row.id, self.head],
            )?;
        }
        Ok(())
    }
}

/// The id and hash of the newest event (0 and the genesis hash when there is none). On
/// PostgreSQL the chain's head row is locked until the transaction ends: appends from many
/// connections queue there, one after another.
fn head(conn: &Db<'_>) -> sql::Result<(i64, audit::Hash)> {
    if conn.engine() == Engine::Postgres {
        return conn.row(
            "SELECT coalesce(last_id, 0), last_hash FROM chain_head WHERE one = 1 FOR UPDATE",
            args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        );
    }
    Ok(conn
        .row(
            "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1",
            args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, audit::GENESIS)))
}

/// One event's fields as the chain sees them.
pub(crate) struct ChainRow<'a> {
    pub id: i64,
    pub complaint_id: Option<i64>,
    pub at: i64,
    pub agent: &'a str,
    pub kind: &'a str,
    pub from_stage: Option<&'a str>,
    pub to_stage: Option<&'a str>,
    pub detail: &'a str,
}

/// The tables that hold a chain: the timeline, and the table migration 8 builds it in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ChainTable {
    /// `events`.
    Events,
    /// `events_chained`, while migration 8 rebuilds the timeline.
    Migrating,
}

impl ChainTable {
    fn insert_sql(self) -> &'static str {
        match self {
            ChainTable::Events => {
                "INSERT INTO events (id, complaint_id, at, agent, kind, from_stage, to_stage,
                                     detail, nonce, digest, prev_hash, hash, erased_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            }
            ChainTable::Migrating => {
                "INSERT INTO events_chained (id, complaint_id, at, agent, kind, from_stage,
                                             to_stage, detail, nonce, digest, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            }
        }
    }
}

/// Inserts `row` into `table` after the row whose hash is `prev_hash`, its detail committed
/// by `seal`; the row's hash covers the previous hash and the row's canonical form.
/// Returns the new row's hash.
pub(crate) fn insert_chained(
    conn: &Db<'_>,
    table: ChainTable,
    row: &ChainRow<'_>,
    seal: &Seal,
    prev_hash: &audit::Hash,
) -> sql::Result<audit::Hash> {
    let erased = seal.erased.as_ref().map(|h| &h[..]);
    let hash = audit::row_hash(prev_hash, row, &seal.digest, erased);
    let columns = args![
        row.id,
        row.complaint_id,
        row.at,
        row.agent,
        row.kind,
        row.from_stage,
        row.to_stage,
        row.detail,
        &seal.nonce[..],
        &seal.digest[..],
        &prev_hash[..],
        &hash[..],
    ];
    match table {
        ChainTable::Events => {
            let mut all = columns.to_vec();
            all.push(&erased);
            conn.execute(table.insert_sql(), &all)?
        }
        ChainTable::Migrating => conn.execute(table.insert_sql(), columns)?,
    };
    Ok(hash)
}

const EVENT_COLUMNS: &str = "at, agent, kind, from_stage, to_stage, detail";

fn from_row(r: &Row<'_>) -> sql::Result<Event> {
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
pub fn last(conn: &Db<'_>, complaint_id: i64) -> sql::Result<Option<Event>> {
    conn.row(
        &format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE complaint_id = ?1 ORDER BY id DESC LIMIT 1"
        ),
        args![complaint_id],
        from_row,
    )
    .optional()
}

/// The latest event of `kind` of a complaint (inside a transaction; through the timeline's
/// index of the complaint).
pub fn last_of_kind(conn: &Db<'_>, complaint_id: i64, kind: &str) -> sql::Result<Option<Event>> {
    conn.row(
        &format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE complaint_id = ?1 AND kind = ?2
             ORDER BY id DESC LIMIT 1"
        ),
        args![complaint_id, kind],
        from_row,
    )
    .optional()
}

impl Store {
    /// The timeline of a complaint, oldest first.
    pub fn events(&self, complaint_id: i64) -> Result<Vec<Event>> {
        self.db()
            .rows(
                &format!("SELECT {EVENT_COLUMNS} FROM events WHERE complaint_id = ?1 ORDER BY id"),
                args![complaint_id],
                from_row,
            )
            .map_err(|e| self.err(e))
    }
}
