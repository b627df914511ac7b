//! The audit trail: every event row carries the hash of the row before it and of its own
//! canonical content, so altering, removing, inserting or reordering a row breaks the chain.
//!
//! The hashed content holds ids, times, agents, kinds and stages, never the detail's text:
//! the detail is committed through `digest = sha256(nonce || detail)` with a random nonce
//! stored beside it, and (rows written from schema 12 on) through `erased_digest`, the
//! sha256 of the form an erasure leaves of it (`domain::privacy::erased_detail`).
//! Anonymising a complainant replaces the detail by that form and drops the nonce; the chain
//! stays whole, the digest alone no longer reveals anything, and an erased row verifies only
//! as that exact form and only when a later `anonymised` event lists it. The rows written
//! before schema 12 are committed the same way, all at once: the `chain_sealed` event that
//! migration 12 appends holds the digest of their erased forms, in order.

use std::collections::BTreeMap;

use crate::store::sql::{self, Db, Engine, Optional, Row, Txn, args};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::privacy::{erase_text, erased_detail};
use crate::error::Result;
use crate::store::Store;
use crate::store::events::{self, ChainRow, ChainTable, NewEvent, Seal, insert_chained};

/// The event that anonymises a complaint; its detail lists the rows it erased (`events`).
pub const ANONYMISED: &str = "anonymised";

/// The event migration 12 appends: the digest of the erased forms of the rows before it.
pub const SEALED: &str = "chain_sealed";

/// The event a later migration appends: the schema version the file moved to.
pub const SCHEMA_UPGRADED: &str = "schema_upgraded";

/// Who the events the software itself appends are by.
pub const SYSTEM_AGENT: &str = "complaint-desk";

/// The triggers that keep the timeline append-only (their SQL as created by migration 12):
/// `audit verify` and `init`'s check report one that is missing or altered.
pub(crate) const GUARDS: [(&str, &str); 2] = [
    (
        "events_no_update",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (OLD.nonce IS NOT NULL AND NEW.nonce IS NULL
          AND NEW.id = OLD.id AND NEW.complaint_id IS OLD.complaint_id AND NEW.at = OLD.at
          AND NEW.agent = OLD.agent AND NEW.kind = OLD.kind
          AND NEW.from_stage IS OLD.from_stage AND NEW.to_stage IS OLD.to_stage
          AND NEW.digest = OLD.digest AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
          AND NEW.erased_digest IS OLD.erased_digest)
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    ),
    (
        "events_no_delete",
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    ),
];

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

/// The sha256 of the form an erasure leaves of `detail`.
pub(crate) fn erased_digest(detail: &Value) -> Hash {
    Sha256::digest(erase_text(detail).to_string().as_bytes()).into()
}

/// The sha256 of the erased form of a stored detail: itself when erased (`erased`), else
/// the form an erasure would leave.
fn stored_erased_digest(detail: &str, erased: bool) -> Hash {
    if erased {
        Sha256::digest(detail.as_bytes()).into()
    } else {
        Sha256::digest(erased_detail(detail).as_bytes()).into()
    }
}

/// `sha256(prev_hash "\n" canonical "\n" digest)`, then `"\n" erased_digest` for the rows
/// that have one; the canonical form is the JSON array
/// `[id, complaint_id, at, agent, kind, from_stage, to_stage]`.
pub(crate) fn row_hash(
    prev_hash: &[u8],
    row: &ChainRow<'_>,
    digest: &[u8],
    erased_digest: Option<&[u8]>,
) -> Hash {
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
    if let Some(erased) = erased_digest {
        h.update(b"\n");
        h.update(erased);
    }
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
    fn read(r: &Row<'_>) -> sql::Result<StoredRow> {
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
    /// Its detail was erased, but no later anonymisation lists it.
    Erased,
    /// Its erased detail is not the form an erasure leaves of what was written.
    ErasedForm,
    /// The seal of the rows written before schema 12 does not match them, is repeated, or
    /// is missing from a file of schema 12 or later.
    Seal,
    /// The schema version the chain last recorded is not the file's.
    Schema,
}

impl Breach {
    /// Stable key (`link`, `content`, `detail`, `erased`, `erased_form`, `seal`, `schema`).
    pub fn as_str(self) -> &'static str {
        match self {
            Breach::Link => "link",
            Breach::Content => "content",
            Breach::Detail => "detail",
            Breach::Erased => "erased",
            Breach::ErasedForm => "erased_form",
            Breach::Seal => "seal",
            Breach::Schema => "schema",
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
    /// The append-only triggers that are missing or altered.
    pub guards_missing: Vec<String>,
    /// Agents whose role, disabled state or sites are not what the chain last recorded for them
    /// (edited in the file; agents the chain never recorded, from before it, are not
    /// judged).
    pub agents_altered: Vec<String>,
}

impl AuditReport {
    /// Whether the chain is whole and guarded (and holds the kept head, when one was given).
    pub fn is_whole(&self) -> bool {
        self.broken.is_none()
            && self.kept_head_found != Some(false)
            && self.guards_missing.is_empty()
            && self.agents_altered.is_empty()
    }
}

/// The append-only triggers that are missing or not as created (a file before schema 8
/// has none to check).
pub(crate) fn missing_guards(conn: &Db<'_>) -> sql::Result<Vec<String>> {
    let version = super::schema_of(conn)?;
    if version < 8 {
        return Ok(Vec::new());
    }
    if conn.engine() == Engine::Postgres {
        return pg_missing_guards(conn);
    }
    let mut missing = Vec::new();
    for (name, sql) in GUARDS {
        let found: Option<String> = conn
            .row(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1
                 AND tbl_name = 'events'",
                args![name],
                |r| r.get(0),
            )
            .optional()?;
        // Before schema 12 the update guard did not name erased_digest yet.
        let as_created = match found {
            Some(found) if version < 12 => found.contains("events are append-only"),
            Some(found) => found == sql,
            None => false,
        };
        if !as_created {
            missing.push(name.to_string());
        }
    }
    Ok(missing)
}

/// The append-only triggers of the PostgreSQL schema that are missing or disabled.
fn pg_missing_guards(conn: &Db<'_>) -> sql::Result<Vec<String>> {
    let present: Vec<String> = conn.rows(
        "SELECT t.tgname::text FROM pg_trigger t
         WHERE t.tgrelid = 'events'::regclass AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
        args![],
        |r| r.get(0),
    )?;
    Ok(GUARDS
        .iter()
        .map(|(name, _)| *name)
        .chain(["events_no_truncate"])
        .filter(|name| !present.iter().any(|p| p == name))
        .map(str::to_string)
        .collect())
}

/// The first breach found, by row id.
fn note(first: &mut Option<(i64, Breach)>, id: i64, breach: Breach) {
    if first.is_none_or(|(at, _)| id < at) {
        *first = Some((id, breach));
    }
}

/// Checks every row in id order; `kept_head` is a head printed earlier, which must still be
/// in the chain (removing the newest rows leaves a whole but shorter chain). Also checks
/// that every erased row is the form erasure leaves and is listed by a later anonymisation,
/// the seal of the rows before schema 12, the schema version last recorded, and the
/// append-only triggers.
pub(crate) fn verify(conn: &Db<'_>, kept_head: Option<&str>) -> sql::Result<AuditReport> {
    let version = super::schema_of(conn)?;
    let kept_head = kept_head.map(str::to_ascii_lowercase);
    let mut report = AuditReport {
        rows: 0,
        head: hex(&GENESIS),
        broken: None,
        kept_head_found: kept_head.as_ref().map(|h| *h == hex(&GENESIS)),
        guards_missing: missing_guards(conn)?,
        agents_altered: Vec::new(),
    };
    // Each agent's role and state as the chain last recorded them.
    let mut agents: BTreeMap<String, RecordedAgent> = BTreeMap::new();
    let mut first: Option<(i64, Breach)> = None;
    let mut head: Vec<u8> = GENESIS.to_vec();
    // The rows written before schema 12 (their erased forms, in order) until the seal.
    let mut legacy = Sha256::new();
    let mut legacy_rows = 0u64;
    let mut sealed = false;
    // Erased rows no anonymisation has listed yet, by complaint.
    let mut unlisted: BTreeMap<i64, Option<i64>> = BTreeMap::new();
    let mut schema: Option<(i64, i64)> = None;
    let sql = "SELECT id, complaint_id, at, agent, kind, from_stage, to_stage, detail, nonce,
                      digest, prev_hash, hash, erased_digest
               FROM events WHERE id > ?1 ORDER BY id LIMIT ?2";
    conn.walk_by_id(sql, |r| {
        let stored = StoredRow::read(r)?;
        let row = stored.chain_row();
        let (id, detail) = (stored.id, &stored.detail);
        let nonce: Option<Vec<u8>> = r.get(8)?;
        let digest: Vec<u8> = r.get(9)?;
        let prev_hash: Vec<u8> = r.get(10)?;
        let hash: Vec<u8> = r.get(11)?;
        let erased_digest: Option<Vec<u8>> = r.get(12)?;
        if prev_hash != head {
            note(&mut first, id, Breach::Link);
        } else if row_hash(&prev_hash, &row, &digest, erased_digest.as_deref())[..] != hash[..] {
            note(&mut first, id, Breach::Content);
        }
        match &erased_digest {
            None if sealed => note(&mut first, id, Breach::Content),
            None => {
                legacy.update(id.to_be_bytes());
                legacy.update(stored_erased_digest(detail, nonce.is_none()));
                legacy_rows += 1;
            }
            Some(_) => {}
        }
        match &nonce {
            Some(n) if detail_digest(n, detail)[..] != digest[..] => {
                note(&mut first, id, Breach::Detail)
            }
            Some(_) => {}
            None => {
                let canonical = match &erased_digest {
                    Some(d) => Sha256::digest(detail.as_bytes())[..] == d[..],
                    None => erased_detail(detail) == *detail,
                };
                if !canonical {
                    note(&mut first, id, Breach::ErasedForm);
                }
                unlisted.insert(id, stored.complaint_id);
            }
        }
        let object = || serde_json::from_str::<Value>(detail).unwrap_or_default();
        match stored.kind.as_str() {
            ANONYMISED => match object().get("events").and_then(Value::as_array) {
                Some(listed) => {
                    for listed in listed.iter().filter_map(Value::as_i64) {
                        unlisted.remove(&listed);
                    }
                }
                // Before schema 12 an anonymisation covered its complaint's rows.
                None => unlisted.retain(|_, c| *c != stored.complaint_id),
            },
            SEALED => {
                let seal = object();
                let matches = seal.get("legacy_rows").and_then(Value::as_u64) == Some(legacy_rows)
                    && seal.get("legacy_forms").and_then(Value::as_str)
                        == Some(hex(&legacy.clone().finalize()).as_str());
                if sealed || !matches {
                    note(&mut first, id, Breach::Seal);
                }
                sealed = true;
                schema = seal.get("schema").and_then(Value::as_i64).map(|v| (id, v));
            }
            SCHEMA_UPGRADED => {
                schema = object().get("to").and_then(Value::as_i64).map(|v| (id, v));
            }
            "agent_added" => {
                let added = object();
                // The first admin registers themselves: the event's agent is the name.
                let name = added
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(&stored.agent);
                if let Some(role) = added.get("role").and_then(Value::as_str) {
                    let agent = RecordedAgent {
                        role: role.to_string(),
                        disabled: false,
                        sites: site_list(added.get("sites")),
                    };
                    agents.insert(name.to_string(), agent);
                }
            }
            "agent_disabled" => {
                if let Some(name) = object().get("name").and_then(Value::as_str)
                    && let Some(agent) = agents.get_mut(name)
                {
                    agent.disabled = true;
                }
            }
            "agent_sites" => {
                let changed = object();
                if let Some(name) = changed.get("name").and_then(Value::as_str)
                    && let Some(agent) = agents.get_mut(name)
                {
                    agent.sites = site_list(changed.get("sites"));
                }
            }
            _ => {}
        }
        if let Some(kept) = &kept_head
            && *kept == hex(&hash)
        {
            report.kept_head_found = Some(true);
        }
        report.rows += 1;
        head = hash;
        Ok(())
    })?;
    if let Some((&id, _)) = unlisted.first_key_value() {
        note(&mut first, id, Breach::Erased);
    }
    if version >= 12 && !sealed {
        note(&mut first, report.rows as i64 + 1, Breach::Seal);
    }
    if let Some((id, recorded)) = schema
        && recorded != version
    {
        note(&mut first, id, Breach::Schema);
    }
    report.broken = first;
    report.head = hex(&head);
    report.agents_altered = altered_agents(conn, &agents)?;
    Ok(report)
}

/// Rebuilds the timeline as a chain (migration 8): copies every row of `events` into
/// `events_chained` in id order, computing nonces, digests and hashes.
pub(crate) fn chain_existing(conn: &Db<'_>) -> sql::Result<()> {
    let mut prev = GENESIS;
    conn.walk_by_id(
        "SELECT id, complaint_id, at, agent, kind, from_stage, to_stage, detail
         FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
        |r| {
            let stored = StoredRow::read(r)?;
            prev = insert_chained(
                conn,
                ChainTable::Migrating,
                &stored.chain_row(),
                &Seal::of(&stored.detail),
                &prev,
            )?;
            Ok(())
        },
    )
}

/// An agent as the chain last recorded them: role, disabled, sites (by key, sorted).
struct RecordedAgent {
    role: String,
    disabled: bool,
    sites: Vec<String>,
}

/// The sites an `agent_added` or `agent_sites` event names, sorted (none before sites).
fn site_list(value: Option<&Value>) -> Vec<String> {
    let mut sites: Vec<String> = value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    sites.sort();
    sites
}

/// The agents whose row (role, disabled) or sites differ from the chain's record of them.
fn altered_agents(
    conn: &Db<'_>,
    recorded: &BTreeMap<String, RecordedAgent>,
) -> sql::Result<Vec<String>> {
    let rows = conn.rows(
        "SELECT name, role, disabled FROM agents ORDER BY name",
        args![],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<bool>(2)?)),
    )?;
    let mut sites: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (agent, site) in conn.rows(
        "SELECT agent, site FROM agent_sites ORDER BY agent, site",
        args![],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
    )? {
        sites.entry(agent).or_default().push(site);
    }
    let mut altered = Vec::new();
    for (name, role, disabled) in rows {
        let own = sites.get(&name).map_or(&[][..], Vec::as_slice);
        if let Some(chain) = recorded.get(&name)
            && (chain.role != role || chain.disabled != disabled || chain.sites != own)
        {
            altered.push(name);
        }
    }
    Ok(altered)
}

/// Seals the rows written before schema 12 (migration 12): appends a [`SEALED`] event that
/// holds how many there are and the digest of their erased forms, in id order.
pub(crate) fn seal_existing(conn: &Db<'_>, progress: &mut dyn FnMut(u64, u64)) -> sql::Result<()> {
    let total: i64 = conn.row("SELECT count(*) FROM events", args![], |r| r.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);
    progress(0, total);
    let mut legacy = Sha256::new();
    let mut done = 0u64;
    conn.walk_by_id(
        "SELECT id, detail, nonce IS NULL FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
        |r| {
            let id: i64 = r.get(0)?;
            let detail: String = r.get(1)?;
            legacy.update(id.to_be_bytes());
            legacy.update(stored_erased_digest(&detail, r.get(2)?));
            done += 1;
            if done.is_multiple_of(16_384) {
                progress(done, total);
            }
            Ok(())
        },
    )?;
    progress(done, total);
    let detail = serde_json::json!({
        "schema": 12,
        "legacy_rows": done,
        "legacy_forms": hex(&legacy.finalize()),
    });
    events::append(
        conn,
        &NewEvent {
            complaint_id: None,
            at: chrono::Utc::now(),
            agent: SYSTEM_AGENT,
            kind: SEALED,
            from_stage: None,
            to_stage: None,
            detail: &detail,
        },
    )
}

impl Store {
    /// Checks the whole audit chain (see [`verify`]).
    pub fn audit_verify(&self, kept_head: Option<&str>) -> Result<AuditReport> {
        let read = || {
            let snapshot = Txn::snapshot(self.db())?;
            let report = verify(snapshot.db(), kept_head)?;
            snapshot.commit()?;
            Ok(report)
        };
        read().map_err(|e: sql::Error| self.err(e))
    }

    /// The hash and id of the newest event (ids count up from 1 without gaps, so the id is
    /// also how many events the chain holds); the genesis hash and 0 when there are none.
    pub fn audit_head(&self) -> Result<(String, i64)> {
        self.db()
            .row(
                "SELECT hash, id FROM events ORDER BY id DESC LIMIT 1",
                args![],
                |r| Ok((hex(&r.get::<Vec<u8>>(0)?), r.get(1)?)),
            )
            .optional()
            .map(|h| h.unwrap_or_else(|| (hex(&GENESIS), 0)))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh file with one complaint's events (personal text in their details).
    fn store_with_events() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("a.db")).expect("open");
        store
            .write(|tx| {
                for detail in [
                    serde_json::json!({ "note": "欧阳娜娜说漏水", "compensation": 200 }),
                    serde_json::json!({ "note": "回电已接通", "result": "reached" }),
                ] {
                    events::append(tx, &event(None, "note", &detail))?;
                }
                Ok(())
            })
            .expect("events");
        (dir, store)
    }

    fn event<'a>(complaint: Option<i64>, kind: &'a str, detail: &'a Value) -> NewEvent<'a> {
        NewEvent {
            complaint_id: complaint,
            at: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("t"),
            agent: "王丽",
            kind,
            from_stage: None,
            to_stage: None,
            detail,
        }
    }

    /// What the trigger allows: the detail replaced, the nonce dropped.
    fn erase(store: &Store, id: i64, detail: &str) -> sql::Result<u64> {
        store.db().execute(
            "UPDATE events SET nonce = NULL, detail = ?2 WHERE id = ?1",
            args![id, detail],
        )
    }

    fn id_of(store: &Store, note: &str) -> i64 {
        store
            .db()
            .row(
                "SELECT id FROM events WHERE json_extract(detail, '$.note') = ?1",
                args![note],
                |r| r.get(0),
            )
            .expect("id")
    }

    #[test]
    fn a_fresh_file_is_sealed_and_whole() {
        let (_dir, store) = store_with_events();
        let report = store.audit_verify(None).expect("verify");
        assert!(report.is_whole(), "{report:?}");
        // The seal, one upgrade event per migration after 12, and two events.
        let upgrades = u64::try_from(crate::store::schema_version() - 12).expect("upgrades");
        assert_eq!(report.rows, 1 + upgrades + 2);
    }

    /// Anyone with the file can append an `anonymised` event with a valid hash (no secret
    /// is needed) and then make the one change the trigger allows: the erased row must then
    /// be exactly the form erasure leaves of what was written, which the chain committed to.
    #[test]
    fn a_forged_erasure_is_caught_even_with_an_anonymisation_after_it() {
        let (_dir, mut store) = store_with_events();
        let id = id_of(&store, "欧阳娜娜说漏水");
        let forged = serde_json::json!({ "complaints": 1, "events": [id] });
        store
            .write(|tx| Ok(events::append(tx, &event(None, ANONYMISED, &forged))?))
            .expect("append");
        // Rewritten: another note, a larger compensation.
        erase(&store, id, r#"{"compensation":5000,"note":"***"}"#)
            .expect("the trigger allows an erasure");
        let report = store.audit_verify(None).expect("verify");
        assert_eq!(report.broken, Some((id, Breach::ErasedForm)));
        // The exact erased form, but listed by no anonymisation.
        let other = id_of(&store, "回电已接通");
        erase(&store, other, r#"{"note":"***","result":"reached"}"#).expect("erase");
        let report = store.audit_verify(None).expect("verify");
        assert_eq!(report.broken, Some((id, Breach::ErasedForm)));
        store
            .db()
            .execute(
                "UPDATE events SET detail = ?2 WHERE id = ?1",
                args![id, r#"{"compensation":200,"note":"***"}"#],
            )
            .expect_err("an erased row cannot be changed again while the trigger stands");
    }

    #[test]
    fn an_erased_row_needs_a_later_anonymisation_that_lists_it() {
        let (_dir, store) = store_with_events();
        let id = id_of(&store, "回电已接通");
        erase(&store, id, r#"{"note":"***","result":"reached"}"#).expect("erase");
        let report = store.audit_verify(None).expect("verify");
        assert_eq!(report.broken, Some((id, Breach::Erased)));
    }

    #[test]
    fn the_schema_version_recorded_last_must_be_the_files() {
        let (_dir, mut store) = store_with_events();
        let current = crate::store::schema_version();
        let upgraded = serde_json::json!({ "from": current, "to": current + 1 });
        store
            .write(|tx| {
                Ok(events::append(
                    tx,
                    &event(None, SCHEMA_UPGRADED, &upgraded),
                )?)
            })
            .expect("append");
        let report = store.audit_verify(None).expect("verify");
        let (_, rows) = store.audit_head().expect("head");
        assert_eq!(report.broken, Some((rows, Breach::Schema)));
    }

    #[test]
    fn a_second_seal_or_none_breaks_the_chain() {
        let (_dir, mut store) = store_with_events();
        let seal = serde_json::json!({ "schema": 12, "legacy_rows": 3, "legacy_forms": "00" });
        store
            .write(|tx| Ok(events::append(tx, &event(None, SEALED, &seal))?))
            .expect("append");
        let report = store.audit_verify(None).expect("verify");
        let (_, rows) = store.audit_head().expect("head");
        assert_eq!(report.broken, Some((rows, Breach::Seal)));
    }

    #[test]
    fn a_role_edited_in_the_file_is_reported() {
        let (_dir, mut store) = store_with_events();
        let added = serde_json::json!({ "name": "李娜", "role": "agent" });
        store
            .write(|tx| {
                crate::store::agents::insert(tx, "李娜", "agent", "x", chrono::Utc::now())?;
                Ok(events::append(tx, &event(None, "agent_added", &added))?)
            })
            .expect("agent");
        assert!(store.audit_verify(None).expect("verify").is_whole());
        store
            .db()
            .execute(
                "UPDATE agents SET role = 'admin' WHERE name = '李娜'",
                args![],
            )
            .expect("edit");
        let report = store.audit_verify(None).expect("verify");
        assert_eq!(report.agents_altered, ["李娜"]);
        assert!(!report.is_whole());
    }

    #[test]
    fn sites_edited_in_the_file_are_reported() {
        let (_dir, mut store) = store_with_events();
        let added = serde_json::json!({ "name": "李娜", "role": "agent", "sites": ["lvjing"] });
        store
            .write(|tx| {
                crate::store::agents::insert(tx, "李娜", "agent", "x", chrono::Utc::now())?;
                crate::store::agents::set_sites(tx, "李娜", &["lvjing".into()])?;
                Ok(events::append(tx, &event(None, "agent_added", &added))?)
            })
            .expect("agent");
        assert!(store.audit_verify(None).expect("verify").is_whole());
        // Changed through the desk: recorded, still whole.
        let changed = serde_json::json!({ "name": "李娜", "sites": ["lvjing", "xiangshu"] });
        store
            .write(|tx| {
                crate::store::agents::set_sites(tx, "李娜", &["xiangshu".into(), "lvjing".into()])?;
                Ok(events::append(tx, &event(None, "agent_sites", &changed))?)
            })
            .expect("sites");
        assert!(store.audit_verify(None).expect("verify").is_whole());
        // Edited in the file: reported.
        store
            .db()
            .execute(
                "INSERT INTO agent_sites (agent, site) VALUES ('李娜', 'binjiang')",
                args![],
            )
            .expect("edit");
        let report = store.audit_verify(None).expect("verify");
        assert_eq!(report.agents_altered, ["李娜"]);
    }

    #[test]
    fn a_dropped_or_altered_guard_is_reported_and_fails_inits_check() {
        let (_dir, store) = store_with_events();
        store
            .db()
            .batch(
                "DROP TRIGGER events_no_delete;
                 DROP TRIGGER events_no_update;
                 CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                 WHEN 0 BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;",
            )
            .expect("drop");
        let report = store.audit_verify(None).expect("verify");
        assert_eq!(
            report.guards_missing,
            ["events_no_update", "events_no_delete"]
        );
        assert!(!report.is_whole());
        let err = store.integrity_check().expect_err("init's check");
        assert_eq!(err.key, "error.guards_missing");
    }
}
