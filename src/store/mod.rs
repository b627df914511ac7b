//! SQLite storage: the only place with SQL.
//!
//! [`Store::open`] checks a file before touching it (its header against its size, then its
//! schema: ours? damaged? newer?), then sets the pragmas (WAL, `synchronous=FULL`, foreign
//! keys, busy timeout) and runs the numbered migrations on `PRAGMA user_version`, each in its
//! own transaction. Before a store's first write, its b-tree pages are walked for as long as
//! [`WALK_BUDGET`] allows ([`Store::write`]); `init` and `backup` check the whole file
//! ([`Store::integrity_check`]).

pub mod agents;
pub mod attachments;
pub mod audit;
pub mod bulk;
pub mod care;
pub mod complaints;
pub mod copy;
pub mod drafts;
pub mod erasure;
pub mod events;
pub mod followups;
pub mod imports;
pub mod library;
pub mod postgres;
pub mod report;
pub mod risk;
pub mod search;
pub mod sql;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::domain::summary::Basis;
use crate::error::{Error, Result};
use crate::files::Partial;
use crate::store::sql::{Db, Txn, args};

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
    Code(fn(&Db<'_>, Progress<'_>) -> sql::Result<()>),
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
    Migration::Code(reply_clock),
    Migration::Code(waiting_calls),
    Migration::Code(sites),
    Migration::Code(care_calls),
    Migration::Code(agent_sites),
    Migration::Code(site_counts),
    Migration::Code(report_summary),
    Migration::Code(imports),
    Migration::Code(related),
    Migration::Code(merged),
    Migration::Code(library),
];

/// Migration 8: the timeline rebuilt as a hash chain.
fn chain_events(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0008_audit_chain.sql"))?;
    audit::chain_existing(conn)?;
    conn.batch(include_str!("migrations/0008_audit_chain_after.sql"))
}

/// Migration 11: the search index, filled for the complaints already there.
fn build_search(conn: &Db<'_>, progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0011_search.sql"))?;
    search::index_all(conn, progress)?;
    conn.batch(include_str!("migrations/0011_search_after.sql"))
}

/// Migration 12: every new event commits to its erased form; the rows before are sealed.
fn seal_chain(conn: &Db<'_>, progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0012_audit_seal.sql"))?;
    for (_, sql) in audit::GUARDS {
        conn.batch(sql)?;
    }
    audit::seal_existing(conn, progress)
}

/// Migration 13: revisits count failed attempts; the open first replies and chasers are
/// listed for the desk to count their due time again from the receipt
/// ([`Store::move_reply_clocks`]).
fn reply_clock(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0013_reply_clock.sql"))?;
    upgraded(conn, 13)
}

/// Migration 14: the cases waiting already are listed for the desk to owe the calls a
/// waiting case owes ([`Store::owe_waiting_calls`]).
fn waiting_calls(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0014_waiting_calls.sql"))?;
    upgraded(conn, 14)
}

/// Migration 15: a complaint's site and its further categories.
fn sites(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0015_sites.sql"))?;
    upgraded(conn, 15)
}

/// Migration 16: care calls (定期回访).
fn care_calls(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0016_care_calls.sql"))?;
    upgraded(conn, 16)
}

/// Migration 17: the sites an agent belongs to.
fn agent_sites(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0017_agent_sites.sql"))?;
    upgraded(conn, 17)
}

/// Migration 18: the index a scoped agent's counts read.
fn site_counts(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0018_site_counts.sql"))?;
    upgraded(conn, 18)
}

/// Migration 19: the report's summary (built by the first desk to open the file, or by
/// `report --rebuild`).
fn report_summary(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0019_report_summary.sql"))?;
    upgraded(conn, 19)
}

/// Migration 20: spreadsheet imports, staged and published.
fn imports(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0020_imports.sql"))?;
    upgraded(conn, 20)
}

/// Migration 21: the related cases' index.
fn related(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0021_related.sql"))?;
    upgraded(conn, 21)
}

/// Migration 22: the primary a merged case names, and the index of the cases merged into one.
fn merged(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0022_merged.sql"))?;
    upgraded(conn, 22)
}

/// Migration 23: the case library (典型案例).
fn library(conn: &Db<'_>, _progress: Progress<'_>) -> sql::Result<()> {
    conn.batch(include_str!("migrations/0023_library.sql"))?;
    upgraded(conn, 23)
}

/// Records in the timeline that the schema moved up to `to` (migrations after 12).
pub(crate) fn upgraded(conn: &Db<'_>, to: i64) -> sql::Result<()> {
    events::append(
        conn,
        &events::NewEvent {
            complaint_id: None,
            at: chrono::Utc::now(),
            agent: audit::SYSTEM_AGENT,
            kind: audit::SCHEMA_UPGRADED,
            from_stage: None,
            to_stage: None,
            detail: &serde_json::json!({ "from": to - 1, "to": to }),
        },
    )
}

/// Columns a migration adds to a table or an index, by the version it brings: a file that
/// has one while its header claims an earlier version was set back (migrating it again
/// would rewrite what exists, e.g. re-seal the audit chain over an edit), and is refused
/// untouched.
const MARKERS: &[(i64, &str, &str)] = &[
    (8, "events", "hash"),
    (9, "complaints", "handler"),
    (11, "complaints", "search_key"),
    (12, "events", "erased_digest"),
    (13, "revisits", "attempts"),
    (14, "waiting_calls_owed", "complaint_id"),
    (15, "complaints", "site"),
    (16, "care_calls", "site"),
    (17, "agent_sites", "site"),
    (18, "complaints_site_closed", "closed_at"),
    (19, "imports", "state"),
    (22, "complaints", "merged_into"),
    (23, "library_cards", "words"),
];

/// Tables every version of our schema has; their absence means a damaged file.
const REQUIRED_TABLES: &[&str] = &["complaints", "events", "number_seq"];

/// How long the walk over the b-tree pages before a store's first write may take. On the
/// 2-core development machine it reads 110,000 to 290,000 pages (0.45–1.2 GB), as much of the
/// file is in the page cache: of a 10⁶-complaint file (2.9 GB), the complaints with their
/// indexes first, then the calls owed, revisits and part of the timeline. What it does not
/// reach is left to `init`'s integrity check.
pub const WALK_BUDGET: Duration = Duration::from_millis(500);

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a writer waiting for the lock tries again: often enough to get in during a bulk
/// writer's pause between transactions ([`bulk`]). (SQLite's own busy timeout backs off to
/// 100 ms between tries and would mostly miss those pauses.)
pub const BUSY_POLL: Duration = Duration::from_millis(1);

/// Prepared statements kept per connection: every statement of a write (the move, its
/// events, the calls, the search words, the report's sums) stays prepared between writes.
const STATEMENT_CACHE: usize = 256;

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

/// `PRAGMA journal_mode = WAL`, tried again while another connection holds the file (two
/// desks opening a new file at once: the switch needs the file to itself, and SQLite does
/// not wait for it through the busy handler), for up to [`BUSY_TIMEOUT`]; the mode it gives.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<String> {
    let started = Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(BUSY_POLL);
            }
            result => return result,
        }
    }
}

/// The schema version this binary writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version of the database behind `db` (SQLite's `user_version`, PostgreSQL's
/// `desk_meta` row).
pub(crate) fn schema_of(db: &Db<'_>) -> sql::Result<i64> {
    match db.engine() {
        sql::Engine::Sqlite => db.value("PRAGMA user_version", args![]),
        sql::Engine::Postgres => {
            let text: String = db.value(
                "SELECT value FROM desk_meta WHERE key = 'schema_version'",
                args![],
            )?;
            text.parse()
                .map_err(|_| sql::Error::value(format!("schema version \"{text}\"")))
        }
    }
}

/// What opening a database does when there is none at the path (no file, or an empty one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// Create it (`init`, `add`, `demo`, the terminal app).
    Create,
    /// Refuse with `error.no_database`, creating nothing (the commands that only read or
    /// change what is there).
    Refuse,
}

/// An open database.
pub struct Store {
    link: Link,
    /// The file, or the PostgreSQL URL (which holds no password).
    path: PathBuf,
    /// The pages were walked before this store's first write ([`Store::check_before_write`]).
    walked: bool,
    /// What the report's sums are kept under (the desk sets it; without one, a write to a
    /// complaint marks the sums stale).
    summary_basis: Option<Basis>,
}

/// The engine behind a store.
enum Link {
    /// A SQLite file.
    Sqlite(Connection),
    /// A PostgreSQL database.
    Postgres(Box<postgres::Link>),
}

/// Stops a statement running on a store's connection, from another thread.
pub struct Interrupt(Stop);

/// How an [`Interrupt`] stops a statement.
enum Stop {
    /// SQLite's interrupt.
    Sqlite(rusqlite::InterruptHandle),
    /// A cancel request to the PostgreSQL server.
    Postgres(Box<postgres::Cancel>),
}

impl Interrupt {
    /// Interrupts the statement running now, if any.
    pub fn interrupt(&self) {
        match &self.0 {
            Stop::Sqlite(h) => h.interrupt(),
            Stop::Postgres(c) => c.cancel(),
        }
    }
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
        Store::open_as(path, IfMissing::Create, progress)
    }

    /// [`Store::open_with_progress`], creating the database only if `if_missing` says so.
    pub fn open_as(
        path: &Path,
        if_missing: IfMissing,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Store> {
        if postgres::is_url(path) {
            return Store::open_postgres(&path.to_string_lossy(), None, if_missing);
        }
        let existed = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        match (existed, if_missing) {
            (true, _) => check_header(path)?,
            (false, IfMissing::Create) => create_owner_only(path)?,
            (false, IfMissing::Refuse) => return Err(no_database(path)),
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.busy_handler(Some(wait_for_lock()))
            .map_err(|e| Error::storage(path, e))?;
        search::register(&conn).map_err(|e| Error::storage(path, e))?;
        if existed
            && check_schema(&conn, path).inspect_err(|_| leave_log(&conn, path))? == Schema::Blank
            && if_missing == IfMissing::Refuse
        {
            return Err(no_database(path));
        }
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| open_error(path, e))?;
        let mut store = Store {
            link: Link::Sqlite(conn),
            path: path.to_path_buf(),
            walked: false,
            summary_basis: None,
        };
        if !mode.eq_ignore_ascii_case("wal") {
            // Switching to WAL rewrites the header: the first write.
            if existed {
                store.check_before_write()?;
            }
            let mode = switch_to_wal(store.sqlite()).map_err(|e| open_error(path, e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::storage(
                    path,
                    format!("could not switch to WAL (got {mode})"),
                ));
            }
        }
        store
            .sqlite()
            .execute_batch(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| Error::storage(path, e))?;
        store.migrate(progress)?;
        // Deleted or overwritten content is zeroed in the file from here on (not during the
        // migrations, which only move rows and would write every freed page twice).
        store
            .sqlite()
            .execute_batch("PRAGMA secure_delete = ON;")
            .map_err(|e| Error::storage(path, e))?;
        Ok(store)
    }

    /// Opens the PostgreSQL database at `url` (see [`postgres`]), creating the schema on an
    /// empty database if `if_missing` allows. `password`, when given, is used instead of the
    /// one `PGPASSWORD`, `~/.pgpass` or a prompt would give: for a program that embeds the
    /// store (the tests); the command line never takes one.
    pub fn open_postgres(
        url: &str,
        password: Option<&str>,
        if_missing: IfMissing,
    ) -> Result<Store> {
        let target = postgres::Target::parse(url)?.with_password(password)?;
        let shown = target.shown().to_path_buf();
        let link = postgres::Link::open(target, if_missing, true)?;
        Ok(Store {
            link: Link::Postgres(Box::new(link)),
            path: shown,
            walked: true,
            summary_basis: None,
        })
    }

    /// Keeps the report's sums under `basis` on every write from now on.
    pub fn set_summary_basis(&mut self, basis: Basis) {
        self.summary_basis = Some(basis);
    }

    /// What the report's sums are kept under, once the desk has said.
    pub fn summary_basis(&self) -> Option<&Basis> {
        self.summary_basis.as_ref()
    }

    /// The database file, or the PostgreSQL URL.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database is on a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        matches!(self.link, Link::Postgres(_))
    }

    /// The connection, for the read queries of this module's children.
    pub(crate) fn db(&self) -> Db<'_> {
        match &self.link {
            Link::Sqlite(conn) => Db::Sqlite(conn),
            Link::Postgres(link) => link.db(),
        }
    }

    /// The SQLite connection, for what only a file has (its pages, its log, its header).
    /// Only called on a SQLite store: the PostgreSQL store answers those before.
    fn sqlite(&self) -> &Connection {
        match &self.link {
            Link::Sqlite(conn) => conn,
            Link::Postgres(_) => unreachable!("a SQLite-only step on a PostgreSQL store"),
        }
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it commits, or none of it. The
    /// store's first write is refused if the walk before it finds a damaged page.
    ///
    /// On PostgreSQL, a connection lost before the commit gives `error.pg_lost` (nothing
    /// written); lost during the commit, `error.pg_lost_commit` (not known to be written).
    pub fn write<T>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T>) -> Result<T> {
        self.check_before_write()?;
        let path = self.path.clone();
        let tx = Txn::begin(self.db()).map_err(|e| self.err(e))?;
        let since = report::last_event(tx.db()).map_err(|e| self.lost_or(self.err(e)))?;
        let value = f(tx.db()).map_err(|e| self.lost_or(with_path(e, &path)))?;
        report::upkeep(tx.db(), since, self.summary_basis.as_ref())
            .map_err(|e| self.lost_or(self.err(e)))?;
        postgres::announce(tx.db()).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| match &self.link {
            Link::Postgres(link) if link.is_lost() => {
                Error::new("error.pg_lost_commit").arg("url", path.display())
            }
            _ => Error::storage(&path, e),
        })?;
        Ok(value)
    }

    /// Whether the connection to the database server was lost (never, on a file). The
    /// store finds out when it next uses the connection ([`Store::data_version`] does).
    pub fn connection_lost(&self) -> bool {
        match &self.link {
            Link::Sqlite(_) => false,
            Link::Postgres(link) => link.is_lost(),
        }
    }

    /// Connects to the database server again, waiting for it (nothing to do on a file).
    pub fn reconnect(&self) -> Result<()> {
        match &self.link {
            Link::Sqlite(_) => Ok(()),
            Link::Postgres(link) => link.reconnect(),
        }
    }

    /// Connects to the database server again without waiting (a connection is made on
    /// another thread): `Ok(true)` once connected, `Ok(false)` while still trying, the error
    /// when it failed (the next call tries again). Always `Ok(true)` on a file.
    pub fn try_reconnect(&self) -> Result<bool> {
        match &self.link {
            Link::Sqlite(_) => Ok(true),
            Link::Postgres(link) => link.try_reconnect(),
        }
    }

    /// `error.pg_lost` in place of a storage error when the connection is gone.
    fn lost_or(&self, e: Error) -> Error {
        match &self.link {
            Link::Postgres(link) if e.key == "error.storage" && link.is_lost() => {
                link.target().lost()
            }
            _ => e,
        }
    }

    /// `PRAGMA data_version`: changes when another connection commits to the file, so a
    /// front end polling it on its timer sees other terminals' writes without reading rows.
    /// On PostgreSQL: the count of other desks' commits heard through `LISTEN`, read from
    /// the connection without a query.
    pub fn data_version(&self) -> Result<i64> {
        match &self.link {
            Link::Sqlite(conn) => conn
                .query_row("PRAGMA data_version", [], |r| r.get(0))
                .map_err(|e| self.err(e)),
            Link::Postgres(link) => link.data_version(),
        }
    }

    /// Copies the write-ahead log into the database and truncates it to nothing, so pages
    /// that held erased text linger in neither file. Other connections' read transactions
    /// (and a writer) hold it back: waits up to `patience` for them, then returns whether it
    /// got there (the log keeps its pages until they let go, or the next checkpoint).
    pub fn truncate_wal(&mut self, patience: Duration) -> Result<bool> {
        let path = self.path.clone();
        let Link::Sqlite(conn) = &mut self.link else {
            // A server keeps no log file beside a desk.
            return Ok(true);
        };
        let deadline = Instant::now() + patience;
        conn.busy_handler(Some(move |_| {
            let waiting = Instant::now() < deadline;
            if waiting {
                std::thread::sleep(Duration::from_millis(10));
            }
            waiting
        }))
        .map_err(|e| Error::storage(&path, e))?;
        let busy = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| Error::storage(&path, e));
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.busy_handler(Some(wait_for_lock()))
            .map_err(|e| Error::storage(&path, e))?;
        Ok(busy? == 0)
    }

    /// Gives this connection a large page cache (256 MiB) for bulk loads: the random-order
    /// index inserts of a large transaction stay in memory until its commit.
    pub fn use_bulk_cache(&self) -> Result<()> {
        match &self.link {
            Link::Sqlite(conn) => conn
                .execute_batch("PRAGMA cache_size = -262144")
                .map_err(|e| self.err(e)),
            Link::Postgres(_) => Ok(()),
        }
    }

    /// Maps a storage error on this store.
    /// `error.pg_lost` when the connection to the server is gone.
    pub(crate) fn err(&self, e: impl std::fmt::Display) -> Error {
        self.lost_or(Error::storage(&self.path, e))
    }

    /// Before this store's first write (once): the b-tree pages `dbstat` reads within
    /// [`WALK_BUDGET`], tree by tree in the schema's order. A page that is not a b-tree page,
    /// or whose cells or free blocks lie outside it, refuses the write, nothing written.
    pub(crate) fn check_before_write(&mut self) -> Result<()> {
        if self.walked {
            return Ok(());
        }
        let started = Instant::now();
        let conn = self.sqlite();
        let walk = walk_pages(conn, &self.path, WALK_BUDGET)
            .inspect_err(|_| leave_log(conn, &self.path))?;
        tracing::info!(
            db = %self.path.display(),
            pages = walk.pages,
            whole = walk.whole,
            ms = started.elapsed().as_millis(),
            "pages walked before the first write"
        );
        self.walked = true;
        Ok(())
    }

    /// `PRAGMA integrity_check` (every page, every index against its table: about 12 s at
    /// 10⁶ complaints; run by `init`), and the audit trail's append-only triggers as created.
    /// On PostgreSQL, the server keeps its own pages: the triggers alone are checked.
    pub fn integrity_check(&self) -> Result<()> {
        if let Link::Sqlite(conn) = &self.link {
            check_pragma(conn, &self.path, "integrity_check")?;
        }
        let missing = audit::missing_guards(&self.db()).map_err(|e| self.err(e))?;
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::new("error.guards_missing")
                .arg("path", self.path.display())
                .arg("triggers", missing.join(", ")))
        }
    }

    /// Online backup to `dest` (a consistent snapshot, even while others write), then an
    /// integrity check of the copy; if the copy fails it, this file is checked too, and
    /// whichever is damaged is named. The copy is written under a locked partial name beside
    /// `dest` ([`Partial`]) and renamed into place, so a failed backup leaves nothing behind;
    /// partials that killed runs left in that directory are removed first.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport> {
        let Link::Sqlite(conn) = &self.link else {
            return Err(Error::new("error.backup_postgres").arg("path", self.path.display()));
        };
        let partial = Partial::create(dest, "error.backup_exists")?;
        let path = partial.path();
        let storage = |e: rusqlite::Error| Error::storage(path, e);
        let mut copy = Connection::open(path).map_err(storage)?;
        // No rollback journal: a failed copy is removed whole, and leaves no journal.
        copy.query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))
            .map_err(storage)?;
        {
            let backup = rusqlite::backup::Backup::new(conn, &mut copy).map_err(storage)?;
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
        if let Err(copied) = check_pragma(&copy, path, "integrity_check") {
            if copied.key != "error.damaged" {
                return Err(copied);
            }
            // A page copy carries the source's damage; if the source is whole, the copy was
            // spoilt on its way to the destination.
            check_pragma(conn, &self.path, "integrity_check")?;
            let mut err = Error::new("error.backup_damaged")
                .arg("path", dest.display())
                .arg("source", self.path.display());
            for name in ["problem", "first", "count"] {
                err = err.arg(name, copied.get(name).unwrap_or_default());
            }
            return Err(err);
        }
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
    pub fn open_reader(&self) -> Result<Store> {
        let path = self.path.as_path();
        if let Link::Postgres(link) = &self.link {
            let link = postgres::Link::open(link.target().clone(), IfMissing::Refuse, false)?;
            return Ok(Store {
                link: Link::Postgres(Box::new(link)),
                path: self.path.clone(),
                walked: true,
                summary_basis: None,
            });
        }
        check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.busy_handler(Some(wait_for_lock()))
            .map_err(|e| Error::storage(path, e))?;
        search::register(&conn).map_err(|e| Error::storage(path, e))?;
        if check_schema(&conn, path).inspect_err(|_| leave_log(&conn, path))? == Schema::Blank {
            return Err(no_database(path));
        }
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
            link: Link::Sqlite(conn),
            path: path.to_path_buf(),
            walked: false,
            summary_basis: None,
        })
    }

    fn migrate(&mut self, progress: &mut dyn FnMut(MigrationProgress)) -> Result<()> {
        let path = self.path.clone();
        // Up to date, as nearly always: no need to queue for the write lock behind another
        // process's transaction.
        let version: i64 = self
            .sqlite()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| Error::storage(&path, e))?;
        if version >= schema_version() {
            return Ok(());
        }
        self.check_before_write()?;
        let Link::Sqlite(conn) = &mut self.link else {
            return Ok(());
        };
        loop {
            let tx = conn
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
                Migration::Sql(sql) => tx.execute_batch(sql).map_err(sql::Error::from),
                Migration::Code(run) => run(&Db::Sqlite(&tx), &mut report),
            }
            .and_then(|()| Ok(tx.pragma_update(None, "user_version", version + 1)?))
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

/// Runs a checking pragma (`integrity_check`): every problem it lists goes to the log, the
/// error names the first and how many there are.
fn check_pragma(conn: &Connection, path: &Path, pragma: &str) -> Result<()> {
    let mut stmt = conn
        .prepare(&format!("PRAGMA {pragma}"))
        .map_err(|e| open_error(path, e))?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| open_error(path, e))?;
    if rows.len() == 1 && rows[0] == "ok" {
        return Ok(());
    }
    tracing::error!(
        db = %path.display(),
        problems = rows.len(),
        report = %rows.join("\n"),
        "{pragma} failed"
    );
    let problem = if rows.len() > 1 {
        "damage.check"
    } else {
        "damage.check_one"
    };
    Err(Error::new("error.damaged")
        .arg("path", path.display())
        .arg("problem", problem)
        .arg("first", shorten(rows.first().map_or("", String::as_str)))
        .arg("count", rows.len()))
}

/// At most [`SHORT`] characters of `text`, on one line.
fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(SHORT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// Characters of a check's first problem shown to the user (the rest is in the log).
const SHORT: usize = 100;

/// `error.damaged` for `path` with the problem `key` (`damage.…`) and its arguments; logged.
fn damaged(path: &Path, key: &'static str, args: &[(&'static str, String)]) -> Error {
    let mut err = Error::new("error.damaged")
        .arg("path", path.display())
        .arg("problem", key);
    for (name, value) in args {
        err = err.arg(name, value);
    }
    tracing::error!(db = %path.display(), "refused: {err}");
    err
}

/// `error.no_database`: nothing at `path` to open, and nothing created.
fn no_database(path: &Path) -> Error {
    Error::new("error.no_database").arg("path", path.display())
}

/// How far [`walk_pages`] got.
struct Walk {
    /// B-tree pages read.
    pages: u64,
    /// Every page was read within the budget.
    whole: bool,
}

/// The b-tree pages `dbstat` reads (header, cell pointers, free blocks, overflow chains)
/// until `budget` is spent, tree by tree in the schema's order; the first one it finds
/// corrupt is reported.
fn walk_pages(conn: &Connection, path: &Path, budget: Duration) -> Result<Walk> {
    let started = Instant::now();
    let mut stmt = conn
        .prepare("SELECT pagetype = 'corrupted', name, pageno FROM dbstat")
        .map_err(|e| open_error(path, e))?;
    let mut rows = stmt.query([]).map_err(|e| open_error(path, e))?;
    let mut pages = 0u64;
    while let Some(row) = rows.next().map_err(|e| open_error(path, e))? {
        let corrupt: bool = row.get(0).map_err(|e| open_error(path, e))?;
        if corrupt {
            let tree: String = row.get(1).map_err(|e| open_error(path, e))?;
            let page: i64 = row.get(2).map_err(|e| open_error(path, e))?;
            return Err(damaged(
                path,
                "damage.page",
                &[("tree", tree), ("page", page.to_string())],
            ));
        }
        pages += 1;
        if pages.is_multiple_of(16) && started.elapsed() >= budget {
            return Ok(Walk {
                pages,
                whole: false,
            });
        }
    }
    Ok(Walk { pages, whole: true })
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

/// The first bytes of a SQLite file: the 100-byte header and page 1's b-tree header.
const HEADER: usize = 108;

/// The database header read from the file (before SQLite opens it).
struct Header([u8; HEADER]);

impl Header {
    fn byte(&self, offset: usize) -> u32 {
        u32::from(self.0[offset])
    }

    fn u32_at(&self, offset: usize) -> u32 {
        let b = &self.0;
        u32::from_be_bytes([b[offset], b[offset + 1], b[offset + 2], b[offset + 3]])
    }

    /// Bytes per page (1 stands for 65536).
    fn page_size(&self) -> u32 {
        match u16::from_be_bytes([self.0[16], self.0[17]]) {
            1 => 65536,
            n => u32::from(n),
        }
    }

    /// No table or index yet: page 1 is an empty leaf, the application id unset.
    fn blank(&self) -> bool {
        self.u32_at(68) == 0 && self.0[100] == 0x0D && self.0[103] == 0 && self.0[104] == 0
    }

    /// The page count at offset 28, when valid: non-zero and written with the change
    /// counter it was valid for (offset 92 equal to offset 24).
    fn pages(&self) -> Option<u32> {
        let pages = self.u32_at(28);
        (pages > 0 && self.u32_at(92) == self.u32_at(24)).then_some(pages)
    }
}

/// The 100-byte SQLite header checked against the file, before SQLite opens it: the fields
/// SQLite insists on, what our files always hold (no auto-vacuum, no reserved bytes, UTF-8),
/// the page count against the file's length and the free-page list within it. With a
/// write-ahead log in use the file may lag behind the database (a checkpoint writes page 1
/// first), so its length is then left out.
fn check_header(path: &Path) -> Result<()> {
    let logged = log_in_use(path);
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut bytes = [0u8; HEADER];
    let n = read_up_to(&mut file, &mut bytes).map_err(|e| Error::io(path, e))?;
    if n < 16 || &bytes[..16] != b"SQLite format 3\0" {
        return Err(Error::new("error.not_sqlite").arg("path", path.display()));
    }
    if n < HEADER {
        return Err(damaged(
            path,
            "damage.header_short",
            &[("size", len.to_string())],
        ));
    }
    // A log that appeared meanwhile may have moved the file on.
    let logged = logged || log_in_use(path);
    header_problem(&Header(bytes), len, logged)
        .map_or(Ok(()), |(key, args)| Err(damaged(path, key, &args)))
}

/// A problem found: its `damage.…` key and arguments.
type Problem = (&'static str, Vec<(&'static str, String)>);

/// The first thing wrong with `h` in a file of `len` bytes, as a `damage.…` key and its
/// arguments; `logged`: a write-ahead log is in use, so the length is left out.
fn header_problem(h: &Header, len: u64, logged: bool) -> Option<Problem> {
    let page_size = h.page_size();
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Some(("damage.page_size", vec![("value", page_size.to_string())]));
    }
    let ours = h.u32_at(68) == APPLICATION_ID as u32;
    let blank = h.blank();
    // A blank file has no schema format or text encoding yet.
    let lowest = u32::from(!blank);
    let mut fields: Vec<(usize, u32, std::ops::RangeInclusive<u32>)> = vec![
        (18, h.byte(18), 1..=2),
        (19, h.byte(19), 1..=2),
        (21, h.byte(21), 64..=64),
        (22, h.byte(22), 32..=32),
        (23, h.byte(23), 32..=32),
        (44, h.u32_at(44), lowest..=4),
        // Ours are UTF-8.
        (56, h.u32_at(56), if ours { 1..=1 } else { lowest..=3 }),
    ];
    if ours || blank {
        // No reserved bytes, no auto-vacuum, no incremental vacuum.
        fields.extend([
            (20, h.byte(20), 0..=0),
            (52, h.u32_at(52), 0..=0),
            (64, h.u32_at(64), 0..=0),
        ]);
    }
    if ours {
        fields.push((28, h.u32_at(28), 1..=u32::MAX));
    }
    // Reserved for expansion.
    fields.extend(
        (72..92)
            .step_by(4)
            .map(|offset| (offset, h.u32_at(offset), 0..=0)),
    );
    if let Some((offset, value, range)) = fields
        .into_iter()
        .find(|(_, value, range)| !range.contains(value))
    {
        let expected = match (range.start(), range.end()) {
            (a, b) if a == b => a.to_string(),
            (a, &u32::MAX) => format!("≥ {a}"),
            (a, b) => format!("{a}–{b}"),
        };
        return Some((
            "damage.field",
            vec![
                ("offset", offset.to_string()),
                ("value", value.to_string()),
                ("expected", expected),
            ],
        ));
    }
    // Our files are written only by SQLite 3.7 or later, which keeps the two equal.
    if ours && h.u32_at(92) != h.u32_at(24) {
        return Some((
            "damage.counter",
            vec![
                ("counter", h.u32_at(24).to_string()),
                ("valid_for", h.u32_at(92).to_string()),
            ],
        ));
    }
    let page_size = u64::from(page_size);
    if !logged {
        if !len.is_multiple_of(page_size) {
            return Some((
                "damage.file_size",
                vec![
                    ("size", len.to_string()),
                    ("page_size", page_size.to_string()),
                ],
            ));
        }
        if let Some(pages) = h.pages()
            && u64::from(pages) * page_size != len
        {
            return Some((
                "damage.page_count",
                vec![
                    ("pages", pages.to_string()),
                    ("found", (len / page_size).to_string()),
                ],
            ));
        }
    }
    let pages = h
        .pages()
        .map(u64::from)
        .or_else(|| (!logged).then_some(len / page_size));
    let (trunk, free) = (u64::from(h.u32_at(32)), u64::from(h.u32_at(36)));
    let fits = (trunk == 0) == (free == 0)
        && trunk != 1
        && pages.is_none_or(|pages| trunk <= pages && free < pages);
    if !fits {
        return Some((
            "damage.freelist",
            vec![
                ("trunk", trunk.to_string()),
                ("count", free.to_string()),
                ("pages", pages.map_or_else(|| "?".into(), |p| p.to_string())),
            ],
        ));
    }
    None
}

/// Keeps a refused file's write-ahead log as found: closing the last connection would copy
/// it into the file.
fn leave_log(conn: &Connection, path: &Path) {
    if log_in_use(path) {
        // Failing, the close copies the log in, as SQLite always did.
        let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
    }
}

/// A write-ahead log or rollback journal with something in it beside `path`: the file itself
/// may lag behind the database until it is checkpointed or rolled back.
fn log_in_use(path: &Path) -> bool {
    ["-wal", "-journal"].iter().any(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::fs::metadata(PathBuf::from(name)).is_ok_and(|m| m.len() > 0)
    })
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

/// What [`check_schema`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    /// An empty SQLite file: ours to initialise.
    Blank,
    /// Ours, at this binary's version or an earlier one.
    Ours,
}

/// Ours, not newer, schema readable (SQLite parses all of it) and every table's and index's
/// root page within the file: checked before anything is written, all of it in one read
/// transaction (another desk migrating the file meanwhile must not be seen half-way: a
/// version read before its commit beside a column added by it looks like a file set back).
fn check_schema(conn: &Connection, path: &Path) -> Result<Schema> {
    let snapshot = conn
        .unchecked_transaction()
        .map_err(|e| open_error(path, e))?;
    let schema = check_schema_in(&snapshot, path)?;
    snapshot.commit().map_err(|e| open_error(path, e))?;
    Ok(schema)
}

fn check_schema_in(conn: &Connection, path: &Path) -> Result<Schema> {
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
            return Ok(Schema::Blank);
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
                "SELECT (SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2)
                      + (SELECT count(*) FROM pragma_index_info(?1) WHERE name = ?2)",
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
        return Err(damaged(
            path,
            "damage.table_missing",
            &[("table", (*missing).to_string())],
        ));
    }
    // Virtual tables (the search index) have no page of their own; page 1 is the schema's.
    let misplaced: Option<(String, i64, i64)> = conn
        .query_row(
            "WITH file(pages) AS (SELECT page_count FROM pragma_page_count())
             SELECT s.name, s.rootpage, file.pages FROM sqlite_master AS s, file
             WHERE s.type IN ('table', 'index') AND coalesce(s.sql, '') NOT LIKE 'CREATE VIRTUAL%'
               AND (s.rootpage < 2 OR s.rootpage > file.pages
                    OR EXISTS (SELECT 1 FROM sqlite_master AS other
                               WHERE other.rootpage = s.rootpage AND other.name <> s.name))
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|e| open_error(path, e))?;
    if let Some((name, page, pages)) = misplaced {
        return Err(damaged(
            path,
            "damage.root_page",
            &[
                ("tree", name),
                ("page", page.to_string()),
                ("pages", pages.to_string()),
            ],
        ));
    }
    Ok(Schema::Ours)
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
