//! SQLite storage: the only place with SQL.
//!
//! [`Store::open`] checks a file before touching it (ours? damaged? newer?), then sets the
//! pragmas (WAL, `synchronous=FULL`, foreign keys, busy timeout) and runs the numbered
//! migrations on `PRAGMA user_version`, each in its own transaction.

pub mod agents;
pub mod attachments;
pub mod audit;
pub mod bulk;
pub mod complaints;
pub mod drafts;
pub mod erasure;
pub mod events;
pub mod followups;
pub mod search;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::files::Partial;

/// `PRAGMA application_id` of our files ("CDK1").
pub const APPLICATION_ID: i64 = 0x4344_4B31;

/// How far a long migration step has got: `done` of `total` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationProgress {
    /// The schema version being built.
    pub version: i64,
    /// Rows done.
    pub done: u64,
    /// Rows in all.
    pub total: u64,
}

/// Hears how a migration is getting on.
type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// One schema step: SQL alone, or SQL around a copy that needs code (which may report its
/// progress).
enum Migration {
    Sql(&'static str),
    Code(fn(&Connection, Progress<'_>) -> rusqlite::Result<()>),
}

/// The migrations, in order; the schema version is their count.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(include_str!("migrations/0001_init.sql")),
    Migration::Sql(include_str!("migrations/0002_agent_activity.sql")),
    Migration::Sql(include_str!("migrations/0003_handling.sql")),
    Migration::Sql(include_str!("migrations/0004_attachments.sql")),
    Migration::Sql(include_str!("migrations/0005_follow_up.sql")),
    Migration::Sql(include_str!("migrations/0006_callback_owner.sql")),
    Migration::Sql(include_str!("migrations/0007_sign_in.sql")),
    Migration::Code(chain_events),
    Migration::Sql(include_str!("migrations/0009_handler.sql")),
    Migration::Sql(include_str!("migrations/0010_search.sql")),
    Migration::Code(build_search),
    Migration::Code(seal_chain),
];

/// Migration 8: the timeline rebuilt as a hash chain.
fn chain_events(conn: &Connection, _progress: Progress<'_>) -> rusqlite::Result<()> {
    conn.execute_batch(include_str!("migrations/0008_audit_chain.sql"))?;
    audit::chain_existing(conn)?;
    conn.execute_batch(include_str!("migrations/0008_audit_chain_after.sql"))
}

/// Migration 11: the search index, filled for the complaints already there.
fn build_search(conn: &Connection, progress: Progress<'_>) -> rusqlite::Result<()> {
    conn.execute_batch(include_str!("migrations/0011_search.sql"))?;
    search::index_all(conn, progress)?;
    conn.execute_batch(include_str!("migrations/0011_search_after.sql"))
}

/// Migration 12: every new event commits to its erased form; the rows before are sealed.
fn seal_chain(conn: &Connection, progress: Progress<'_>) -> rusqlite::Result<()> {
    conn.execute_batch(include_str!("migrations/0012_audit_seal.sql"))?;
    for (_, sql) in audit::GUARDS {
        conn.execute_batch(sql)?;
    }
    audit::seal_existing(conn, progress)
}

/// Columns a migration adds, by the version it brings: a file that has one while its
/// header claims an earlier version was set back (migrating it again would rewrite what
/// exists, e.g. re-seal the audit chain over an edit), and is refused untouched.
const MARKERS: &[(i64, &str, &str)] = &[
    (8, "events", "hash"),
    (9, "complaints", "handler"),
    (11, "complaints", "search_key"),
    (12, "events", "erased_digest"),
];

/// Tables every version of our schema has; their absence means a damaged file.
const REQUIRED_TABLES: &[&str] = &["complaints", "events", "number_seq"];

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a writer waiting for the lock tries again: often enough to get in during a bulk
/// writer's pause between transactions ([`bulk`]). (SQLite's own busy timeout backs off to
/// 100 ms between tries and would mostly miss those pauses.)
pub const BUSY_POLL: Duration = Duration::from_millis(1);

/// A busy handler: tries again every [`BUSY_POLL`] for up to [`BUSY_TIMEOUT`].
fn wait_for_lock() -> impl FnMut(i32) -> bool + Send + 'static {
    let mut since = Instant::now();
    move |tries| {
        if tries == 0 {
            since = Instant::now();
        }
        if since.elapsed() >= BUSY_TIMEOUT {
            return false;
        }
        std::thread::sleep(BUSY_POLL);
        true
    }
}

/// The schema version this binary writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if missing) the database at `path` and migrates it.
    ///
    /// Refuses, without modifying the file: a file that is not SQLite, a SQLite file that is
    /// not ours, a damaged header or schema, and a database newer than this binary.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_progress(path, &mut |_| {})
    }

    /// [`Store::open`], telling `progress` how a long migration (building the search index
    /// of a large file) is getting on.
    pub fn open_with_progress(
        path: &Path,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Store> {
        let existed = path.exists()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
        if existed {
            check_header(path)?;
        } else {
            create_owner_only(path)?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        conn.busy_handler(Some(wait_for_lock()))
            .map_err(|e| Error::storage(path, e))?;
        search::register(&conn).map_err(|e| Error::storage(path, e))?;
        if existed {
            check_schema(&conn, path)?;
        }
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| open_error(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::storage(
                path,
                format!("could not switch to WAL (got {mode})"),
            ));
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
        )
        .map_err(|e| Error::storage(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate(progress)?;
        // Deleted or overwritten content is zeroed in the file from here on (not during the
        // migrations, which only move rows and would write every freed page twice).
        store
            .conn
            .execute_batch("PRAGMA secure_delete = ON;")
            .map_err(|e| Error::storage(path, e))?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for the read queries of this module's children.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it commits, or none of it.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Error::storage(&path, e))?;
        let value = f(&tx).map_err(|e| with_path(e, &path))?;
        tx.commit().map_err(|e| Error::storage(&path, e))?;
        Ok(value)
    }

    /// `PRAGMA data_version`: changes when another connection commits to the file, so a
    /// front end polling it on its timer sees other terminals' writes without reading rows.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Copies the write-ahead log into the database and truncates it to nothing, so pages
    /// that held erased text linger in neither file. Other connections' read transactions
    /// (and a writer) hold it back: waits up to `patience` for them, then returns whether it
    /// got there (the log keeps its pages until they let go, or the next checkpoint).
    pub fn truncate_wal(&mut self, patience: Duration) -> Result<bool> {
        let deadline = Instant::now() + patience;
        self.conn
            .busy_handler(Some(move |_| {
                let waiting = Instant::now() < deadline;
                if waiting {
                    std::thread::sleep(Duration::from_millis(10));
                }
                waiting
            }))
            .map_err(|e| self.err(e))?;
        let busy = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| self.err(e));
        self.conn
            .busy_handler(Some(wait_for_lock()))
            .map_err(|e| self.err(e))?;
        Ok(busy? == 0)
    }

    /// Gives this connection a large page cache (256 MiB) for bulk loads: the random-order
    /// index inserts of a large transaction stay in memory until its commit.
    pub fn use_bulk_cache(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA cache_size = -262144")
            .map_err(|e| self.err(e))
    }

    /// Maps a SQLite error on this store.
    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        Error::storage(&self.path, e)
    }

    /// `PRAGMA quick_check`: a whole-file structural check (seconds on a big file; run by
    /// `init`), and the audit trail's append-only triggers as created.
    pub fn quick_check(&self) -> Result<()> {
        check_pragma(&self.conn, &self.path, "quick_check")?;
        let missing = audit::missing_guards(&self.conn).map_err(|e| self.err(e))?;
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::new("error.guards_missing")
                .arg("path", self.path.display())
                .arg("triggers", missing.join(", ")))
        }
    }

    /// Online backup to `dest` (a consistent snapshot, even while others write), then an
    /// integrity check of the copy. The copy is written under a locked partial name beside
    /// `dest` ([`Partial`]) and renamed into place, so a failed backup leaves nothing behind;
    /// partials that killed runs left in that directory are removed first.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport> {
        let partial = Partial::create(dest, "error.backup_exists")?;
        let path = partial.path();
        let storage = |e: rusqlite::Error| Error::storage(path, e);
        let mut copy = Connection::open(path).map_err(storage)?;
        // No rollback journal: a failed copy is removed whole, and leaves no journal.
        copy.query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))
            .map_err(storage)?;
        {
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy).map_err(storage)?;
            // One step copies every page under one read transaction: a consistent
            // snapshot that another process's writes cannot restart.
            loop {
                match backup.step(-1).map_err(storage)? {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => continue,
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
        check_pragma(&copy, path, "integrity_check")?;
        let complaints: i64 = copy
            .query_row("SELECT count(*) FROM complaints", [], |r| r.get(0))
            .map_err(storage)?;
        copy.close().map_err(|(_, e)| storage(e))?;
        let stale_removed = partial.removed().to_vec();
        partial.finish()?;
        let bytes = std::fs::metadata(dest)
            .map_err(|e| Error::io(dest, e))?
            .len();
        Ok(BackupReport {
            complaints,
            bytes,
            stale_removed,
        })
    }

    /// A second connection to the same file, for reading only (searches on another thread):
    /// the file must already be at this binary's schema version.
    pub fn open_reader(path: &Path) -> Result<Store> {
        check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        conn.busy_handler(Some(wait_for_lock()))
            .map_err(|e| Error::storage(path, e))?;
        search::register(&conn).map_err(|e| Error::storage(path, e))?;
        check_schema(&conn, path)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| open_error(path, e))?;
        if version != schema_version() {
            return Err(Error::storage(
                path,
                format!("schema version {version}, expected {}", schema_version()),
            ));
        }
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA temp_store = MEMORY;")
            .map_err(|e| Error::storage(path, e))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn migrate(&mut self, progress: &mut dyn FnMut(MigrationProgress)) -> Result<()> {
        let path = self.path.clone();
        // Up to date, as nearly always: no need to queue for the write lock behind another
        // process's transaction.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| Error::storage(&path, e))?;
        if version >= schema_version() {
            return Ok(());
        }
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| Error::storage(&path, e))?;
            // Read inside the write lock: another process may have migrated meanwhile.
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| Error::storage(&path, e))?;
            let Some(step) = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
            else {
                return Ok(());
            };
            let mut report = |done, total| {
                progress(MigrationProgress {
                    version: version + 1,
                    done,
                    total,
                })
            };
            match step {
                Migration::Sql(sql) => tx.execute_batch(sql),
                Migration::Code(run) => run(&tx, &mut report),
            }
            .and_then(|()| tx.pragma_update(None, "user_version", version + 1))
            .map_err(|e| {
                Error::new("error.migration")
                    .arg("path", path.display())
                    .arg("version", version + 1)
                    .arg("detail", e)
            })?;
            tx.commit().map_err(|e| Error::storage(&path, e))?;
        }
    }
}

/// A storage error from inside a transaction, with the file's path added.
fn with_path(e: Error, path: &Path) -> Error {
    if e.key == "error.storage" && e.get("path").is_none() {
        e.arg("path", path.display())
    } else {
        e
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// Complaints in the copy.
    pub complaints: i64,
    /// Size of the copy in bytes.
    pub bytes: u64,
    /// Partial copies that killed runs had left beside it, removed.
    pub stale_removed: Vec<PathBuf>,
}

fn check_pragma(conn: &Connection, path: &Path, pragma: &str) -> Result<()> {
    let mut stmt = conn
        .prepare(&format!("PRAGMA {pragma}"))
        .map_err(|e| Error::storage(path, e))?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| Error::storage(path, e))?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(Error::new("error.damaged").arg("path", path.display()).arg(
            "detail",
            rows.into_iter().take(3).collect::<Vec<_>>().join("; "),
        ))
    }
}

/// Creates an empty file readable and writable by its owner only (0600, whatever the umask),
/// with its directory (0700) if missing.
fn create_owner_only(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

/// The 100-byte SQLite header: magic string and the fields SQLite insists on.
fn check_header(path: &Path) -> Result<()> {
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let n = read_up_to(&mut file, &mut header).map_err(|e| Error::io(path, e))?;
    if n < 16 || &header[..16] != b"SQLite format 3\0" {
        return Err(Error::new("error.not_sqlite").arg("path", path.display()));
    }
    let page_size = u32::from(u16::from_be_bytes([header[16], header[17]]));
    let page_size = if page_size == 1 { 65536 } else { page_size };
    let sane = n == 100
        && (512..=65536).contains(&page_size)
        && page_size.is_power_of_two()
        && header[21] == 64
        && header[22] == 32
        && header[23] == 32;
    if !sane {
        return Err(Error::new("error.damaged")
            .arg("path", path.display())
            .arg("detail", "invalid database header"));
    }
    Ok(())
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        match file.read(&mut buf[total..])? {
            0 => break,
            n => total += n,
        }
    }
    Ok(total)
}

/// Ours, not newer, schema readable: checked before anything is written.
fn check_schema(conn: &Connection, path: &Path) -> Result<()> {
    let read = |sql: &str| -> Result<i64> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| open_error(path, e))
    };
    let app_id = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| open_error(path, e))?;
    if app_id != APPLICATION_ID {
        if app_id == 0 && version == 0 && tables.is_empty() {
            return Ok(()); // an empty SQLite file: ours to initialise
        }
        return Err(Error::new("error.foreign_db").arg("path", path.display()));
    }
    if version > schema_version() {
        return Err(Error::new("error.newer_db")
            .arg("path", path.display())
            .arg("version", version)
            .arg("supported", schema_version()));
    }
    for &(since, table, column) in MARKERS {
        if version >= since {
            continue;
        }
        let present: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
                [table, column],
                |r| r.get(0),
            )
            .map_err(|e| open_error(path, e))?;
        if present > 0 {
            return Err(Error::new("error.schema_set_back")
                .arg("path", path.display())
                .arg("version", version)
                .arg("since", since)
                .arg("column", format!("{table}.{column}")));
        }
    }
    if version > 0
        && let Some(missing) = REQUIRED_TABLES
            .iter()
            .find(|t| !tables.iter().any(|have| have == *t))
    {
        return Err(Error::new("error.damaged")
            .arg("path", path.display())
            .arg("detail", format!("table {missing} is missing")));
    }
    Ok(())
}

fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    let text = e.to_string();
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            Error::new("error.not_sqlite").arg("path", path.display())
        }
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => Error::new("error.damaged")
            .arg("path", path.display())
            .arg("detail", text),
        _ if text.contains("malformed") => Error::new("error.damaged")
            .arg("path", path.display())
            .arg("detail", text),
        Some(rusqlite::ErrorCode::ReadOnly) | Some(rusqlite::ErrorCode::CannotOpen) => {
            Error::new("error.cannot_open")
                .arg("path", path.display())
                .arg("detail", text)
        }
        _ => Error::storage(path, text),
    }
}
