//! The audit trail: every event row carries the hash of the row before it and of its own
//! canonical content, so altering, removing, inserting or reordering a row breaks the chain.
//!
//! The hashed content holds ids, times, agents, kinds and stages, never the detail's text:
//! the detail is committed through `digest = sha256(nonce || detail)` with a random nonce
//! stored beside it. Anonymising a complainant replaces the detail and drops the nonce; the
//! chain stays whole, and the digest alone no longer reveals anything.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::store::Store;
use crate::store::events::{ChainRow, ChainTable, Seal, insert_chained};

/// A SHA-256 hash, stored as a 32-byte blob.
pub type Hash = [u8; 32];

/// The `prev_hash` of the first row.
pub const GENESIS: Hash = [0; 32];

/// Bytes of a detail's nonce.
pub(crate) const NONCE_BYTES: usize = 16;

/// Nonces drawn from the operating system at a time (one system call for many events).
const NONCE_POOL: usize = 256;

thread_local! {
    static NONCES: std::cell::RefCell<(Vec<u8>, usize)> =
        const { std::cell::RefCell::new((Vec::new(), 0)) };
}

/// A fresh random nonce for one detail, from the operating system's generator (drawn in
/// pools of [`NONCE_POOL`], each byte used once).
pub(crate) fn new_nonce() -> [u8; NONCE_BYTES] {
    NONCES.with(|pool| {
        let mut pool = pool.borrow_mut();
        let (bytes, used) = &mut *pool;
        if *used + NONCE_BYTES > bytes.len() {
            bytes.resize(NONCE_POOL * NONCE_BYTES, 0);
            OsRng.fill_bytes(bytes);
            *used = 0;
        }
        let mut nonce = [0u8; NONCE_BYTES];
        nonce.copy_from_slice(&bytes[*used..*used + NONCE_BYTES]);
        // Used bytes are overwritten so they do not linger in memory.
        bytes[*used..*used + NONCE_BYTES].fill(0);
        *used += NONCE_BYTES;
        nonce
    })
}

/// Lower-case hex of a hash, as `audit head` prints it.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `sha256(nonce || detail)`.
pub(crate) fn detail_digest(nonce: &[u8], detail: &str) -> Hash {
    let mut h = Sha256::new();
    h.update(nonce);
    h.update(detail.as_bytes());
    h.finalize().into()
}

/// `sha256(prev_hash "\n" canonical "\n" digest)`; the canonical form is the JSON array
/// `[id, complaint_id, at, agent, kind, from_stage, to_stage]`.
pub(crate) fn row_hash(prev_hash: &[u8], row: &ChainRow<'_>, digest: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(b"\n");
    // A tuple serialises as a JSON array, written straight into the hash.
    let canonical = (
        row.id,
        row.complaint_id,
        row.at,
        row.agent,
        row.kind,
        row.from_stage,
        row.to_stage,
    );
    let mut writer = HashWriter(&mut h);
    // Writing into a hash cannot fail, and these types always serialise.
    let _ = serde_json::to_writer(&mut writer, &canonical);
    h.update(b"\n");
    h.update(digest);
    h.finalize().into()
}

/// Feeds what is written into a hash.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The first eight columns of an event row as read (`id` … `detail`, in table order).
struct StoredRow {
    id: i64,
    complaint_id: Option<i64>,
    at: i64,
    agent: String,
    kind: String,
    from_stage: Option<String>,
    to_stage: Option<String>,
    detail: String,
}

impl StoredRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRow> {
        Ok(StoredRow {
            id: r.get(0)?,
            complaint_id: r.get(1)?,
            at: r.get(2)?,
            agent: r.get(3)?,
            kind: r.get(4)?,
            from_stage: r.get(5)?,
            to_stage: r.get(6)?,
            detail: r.get(7)?,
        })
    }

    fn chain_row(&self) -> ChainRow<'_> {
        ChainRow {
            id: self.id,
            complaint_id: self.complaint_id,
            at: self.at,
            agent: &self.agent,
            kind: &self.kind,
            from_stage: self.from_stage.as_deref(),
            to_stage: self.to_stage.as_deref(),
            detail: &self.detail,
        }
    }
}

/// Why a row breaks the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// Its `prev_hash` is not the hash of the row before: a row was removed, inserted or
    /// moved.
    Link,
    /// Its content no longer gives its hash: the row was altered.
    Content,
    /// Its detail no longer matches its digest: the text was altered.
    Detail,
    /// Its detail was erased, but its complaint was never anonymised.
    Erased,
}

impl Breach {
    /// Stable key (`link`, `content`, `detail`, `erased`).
    pub fn as_str(self) -> &'static str {
        match self {
            Breach::Link => "link",
            Breach::Content => "content",
            Breach::Detail => "detail",
            Breach::Erased => "erased",
        }
    }
}

/// What a check of the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Rows checked.
    pub rows: u64,
    /// Hash of the newest row, hex (the genesis hash when there is none).
    pub head: String,
    /// The first row that breaks the chain, and why.
    pub broken: Option<(i64, Breach)>,
    /// Whether a head kept earlier was found in the chain (`None` when none was given).
    pub kept_head_found: Option<bool>,
}

impl AuditReport {
    /// Whether the chain is whole (and holds the kept head, when one was given).
    pub fn is_whole(&self) -> bool {
        self.broken.is_none() && self.kept_head_found != Some(false)
    }
}

/// Checks every row in id order; `kept_head` is a head printed earlier, which must still be
/// in the chain (removing the newest rows leaves a whole but shorter chain).
pub(crate) fn verify(conn: &Connection, kept_head: Option<&str>) -> rusqlite::Result<AuditReport> {
    let anonymised: std::collections::HashSet<i64> = conn
        .prepare("SELECT DISTINCT complaint_id FROM events WHERE kind = 'anonymised' AND complaint_id IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, complaint_id, at, agent, kind, from_stage, to_stage, detail, nonce, digest,
                prev_hash, hash
         FROM events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let kept_head = kept_head.map(str::to_ascii_lowercase);
    let mut report = AuditReport {
        rows: 0,
        head: hex(&GENESIS),
        broken: None,
        kept_head_found: kept_head.as_ref().map(|h| *h == hex(&GENESIS)),
    };
    let mut head: Vec<u8> = GENESIS.to_vec();
    while let Some(r) = rows.next()? {
        let stored = StoredRow::read(r)?;
        let row = stored.chain_row();
        let (id, complaint_id, detail) = (stored.id, stored.complaint_id, &stored.detail);
        let nonce: Option<Vec<u8>> = r.get(8)?;
        let digest: Vec<u8> = r.get(9)?;
        let prev_hash: Vec<u8> = r.get(10)?;
        let hash: Vec<u8> = r.get(11)?;
        let breach = if prev_hash != head {
            Some(Breach::Link)
        } else if row_hash(&prev_hash, &row, &digest)[..] != hash[..] {
            Some(Breach::Content)
        } else {
            match &nonce {
                Some(n) if detail_digest(n, detail)[..] != digest[..] => Some(Breach::Detail),
                None if !complaint_id.is_some_and(|c| anonymised.contains(&c)) => {
                    Some(Breach::Erased)
                }
                _ => None,
            }
        };
        if report.broken.is_none()
            && let Some(b) = breach
        {
            report.broken = Some((id, b));
        }
        if let Some(kept) = &kept_head
            && *kept == hex(&hash)
        {
            report.kept_head_found = Some(true);
        }
        report.rows += 1;
        head = hash;
    }
    report.head = hex(&head);
    Ok(report)
}

/// Rebuilds the timeline as a chain (migration 8): copies every row of `events` into
/// `events_chained` in id order, computing nonces, digests and hashes.
pub(crate) fn chain_existing(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, complaint_id, at, agent, kind, from_stage, to_stage, detail
         FROM events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS;
    while let Some(r) = rows.next()? {
        let stored = StoredRow::read(r)?;
        prev = insert_chained(
            conn,
            ChainTable::Migrating,
            &stored.chain_row(),
            &Seal::of(&stored.detail),
            &prev,
        )?;
    }
    Ok(())
}

impl Store {
    /// Checks the whole audit chain (see [`verify`]).
    pub fn audit_verify(&self, kept_head: Option<&str>) -> Result<AuditReport> {
        verify(self.conn(), kept_head).map_err(|e| self.err(e))
    }

    /// The hash and id of the newest event (ids count up from 1 without gaps, so the id is
    /// also how many events the chain holds); the genesis hash and 0 when there are none.
    pub fn audit_head(&self) -> Result<(String, i64)> {
        self.conn()
            .query_row(
                "SELECT hash, id FROM events ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((hex(&r.get::<_, Vec<u8>>(0)?), r.get(1)?)),
            )
            .optional()
            .map(|h| h.unwrap_or_else(|| (hex(&GENESIS), 0)))
            .map_err(|e| self.err(e))
    }
}
