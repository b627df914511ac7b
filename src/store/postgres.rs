//! The PostgreSQL engine: where a `postgres://` location points (TLS, the password), its
//! schema (created on an empty database, refused when foreign or newer), and the
//! notifications that tell other desks a write committed.
//!
//! A location is a URL, `postgres://user@host[:port]/dbname[?sslmode=…&sslrootcert=…]`. It
//! may not hold a password (command lines and config files are read by others): the
//! password comes from `PGPASSWORD`, else `~/.pgpass` (or `PGPASSFILE`; ignored unless only
//! its owner may read it, as libpq does), else a prompt on a terminal. TLS verifies the
//! server's certificate against the system's roots plus `sslrootcert` (or `PGSSLROOTCERT`):
//! `require` and `verify-full` check the host name too, `verify-ca` only the chain, `prefer`
//! (the default) uses TLS when the server offers it, `disable` never does.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres_native_tls::MakeTlsConnector;

use crate::error::{Error, Result};
use crate::store::sql::{self, Db, Pg, Txn, args};
use crate::store::{IfMissing, audit, schema_version};

/// The schema of a new database, at this binary's version.
const SCHEMA: &str = include_str!("postgres/schema.sql");

/// The channel every write notifies on commit and every desk listens to.
pub(crate) const CHANNEL: &str = "complaint_desk";

/// How long [`Link::data_version`] listens for notifications the socket holds already.
const HEARING: Duration = Duration::from_millis(1);

/// How long connecting may take before it is given up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Quiet time on the connection before the system checks the server is still there (then
/// every [`KEEPALIVE_INTERVAL`], [`KEEPALIVE_RETRIES`] times): a network gone quiet is told
/// in well under a minute rather than the system's two hours.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(15);
/// Time between unanswered keepalive probes.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);
/// Unanswered keepalive probes before the connection counts as lost.
const KEEPALIVE_RETRIES: u32 = 3;
/// How long data sent may go unacknowledged before the connection counts as lost (a write
/// into a dead network fails in this time, not the system's quarter of an hour).
const UNACKNOWLEDGED: Duration = Duration::from_secs(30);

/// Whether a location names a PostgreSQL database rather than a file.
pub fn is_url(location: &Path) -> bool {
    location
        .to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// Where to connect, as parsed from the URL, with the password found for it.
#[derive(Clone)]
pub(crate) struct Target {
    config: postgres::Config,
    tls: Option<MakeTlsConnector>,
    /// The URL as shown in messages (it holds no password).
    shown: PathBuf,
}

/// `error.pg_url`: the location is not a URL this program can use (shown without any
/// password it holds).
fn bad_url(url: &str, why: impl std::fmt::Display) -> Error {
    Error::new("error.pg_url")
        .arg("url", redacted(url))
        .arg("detail", why)
}

/// `url` with any password in it replaced by `***`, for messages and logs.
fn redacted(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((auth, host)) if auth.contains(':') => {
                let user = auth.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            _ => base.to_string(),
        },
        None => base.to_string(),
    };
    match query {
        None => base,
        Some(q) => {
            let pairs: Vec<String> = q
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some(("password", _)) => "password=***".to_string(),
                    _ => p.to_string(),
                })
                .collect();
            format!("{base}?{}", pairs.join("&"))
        }
    }
}

impl Target {
    /// Parses `url`, finds its password and prepares TLS.
    pub(crate) fn parse(url: &str) -> Result<Target> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut mode = "prefer".to_string();
        let mut root_cert = std::env::var_os("PGSSLROOTCERT").map(PathBuf::from);
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => mode = value.to_string(),
                "sslrootcert" => root_cert = Some(PathBuf::from(value)),
                "password" => return Err(bad_url(url, "a password does not belong in the URL")),
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config = postgres::Config::from_str(&rest).map_err(|e| bad_url(url, e))?;
        if config.get_password().is_some() {
            return Err(bad_url(url, "a password does not belong in the URL"));
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .ok()
                .or_else(|| whoami::username().ok())
                .ok_or_else(|| bad_url(url, "no user name"))?;
            config.user(&user);
        }
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("complaint-desk");
        config.keepalives(true);
        config.keepalives_idle(KEEPALIVE_IDLE);
        config.keepalives_interval(KEEPALIVE_INTERVAL);
        config.keepalives_retries(KEEPALIVE_RETRIES);
        config.tcp_user_timeout(UNACKNOWLEDGED);
        let (ssl, verify_host) = match mode.as_str() {
            "disable" => (SslMode::Disable, false),
            "prefer" | "allow" => (SslMode::Prefer, true),
            "require" | "verify-full" => (SslMode::Require, true),
            "verify-ca" => (SslMode::Require, false),
            other => return Err(bad_url(url, format!("unknown sslmode \"{other}\""))),
        };
        config.ssl_mode(ssl);
        let tls = match ssl {
            SslMode::Disable => None,
            _ => Some(tls_connector(url, root_cert.as_deref(), verify_host)?),
        };
        Ok(Target {
            config,
            tls,
            shown: PathBuf::from(url),
        })
    }

    /// Gives the password: `given`, else the one found as libpq finds it.
    pub(crate) fn with_password(mut self, given: Option<&str>) -> Result<Target> {
        let found = match given {
            Some(p) => Some(p.to_string()),
            None => self.password()?,
        };
        if let Some(password) = found {
            self.config.password(password);
        }
        Ok(self)
    }

    /// The URL as messages show it.
    pub(crate) fn shown(&self) -> &Path {
        &self.shown
    }

    /// The password: `PGPASSWORD`, else the password file's line for this server, else a
    /// prompt when a terminal is there to answer; `None` when the server may ask for none.
    fn password(&self) -> Result<Option<String>> {
        if let Ok(p) = std::env::var("PGPASSWORD") {
            return Ok(Some(p));
        }
        if let Some(p) = self.password_from_file() {
            return Ok(Some(p));
        }
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            let user = self.config.get_user().unwrap_or_default();
            let host = self.host();
            let prompt = format!("Password for {user}@{host}: ");
            let answer = rpassword::prompt_password(prompt)
                .map_err(|e| Error::io(Path::new("<terminal>"), e))?;
            return Ok(Some(answer));
        }
        Ok(None)
    }

    /// The first host, as `.pgpass` names it.
    fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    /// The password of the first matching line of `PGPASSFILE` or `~/.pgpass`.
    fn password_from_file(&self) -> Option<String> {
        let path = std::env::var_os("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass")))?;
        let meta = std::fs::metadata(&path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(file = %path.display(), "password file readable by others: ignored");
                return None;
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let text = std::fs::read_to_string(&path).ok()?;
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let user = self.config.get_user().unwrap_or_default().to_string();
        let db = self
            .config
            .get_dbname()
            .map_or_else(|| user.clone(), str::to_string);
        pgpass_lookup(&text, &[&self.host(), &port.to_string(), &db, &user])
    }

    /// A new connection (listening for the desks' writes when `listen`), and its server
    /// process id.
    pub(crate) fn connect(&self, listen: bool) -> Result<Connected> {
        let client = match &self.tls {
            Some(tls) => self.config.connect(tls.clone()),
            None => self.config.connect(postgres::NoTls),
        };
        let mut client = client.map_err(|e| {
            Error::new("error.pg_connect")
                .arg("url", self.shown.display())
                .arg("detail", sql::Error::from(e))
        })?;
        if listen {
            client
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(|e| self.error(e))?;
        }
        let pid: i32 = client
            .query_one("SELECT pg_backend_pid()", &[])
            .and_then(|row| row.try_get(0))
            .map_err(|e| self.error(e))?;
        Ok((client, pid))
    }

    /// `error.pg_lost`: the connection to the server is gone.
    pub(crate) fn lost(&self) -> Error {
        Error::new("error.pg_lost").arg("url", self.shown.display())
    }

    /// A storage error on this database.
    pub(crate) fn error(&self, e: impl Into<sql::Error>) -> Error {
        Error::storage(&self.shown, e.into())
    }
}

/// The TLS connector: the system's roots, plus `root_cert`; the host name checked unless
/// `verify_host` is false.
fn tls_connector(
    url: &str,
    root_cert: Option<&Path>,
    verify_host: bool,
) -> Result<MakeTlsConnector> {
    let mut builder = native_tls::TlsConnector::builder();
    if let Some(path) = root_cert {
        let pem = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let cert = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| bad_url(url, format!("{}: {e}", path.display())))?;
        builder.add_root_certificate(cert);
    }
    builder.danger_accept_invalid_hostnames(!verify_host);
    let connector = builder.build().map_err(|e| bad_url(url, e))?;
    Ok(MakeTlsConnector::new(connector))
}

/// The password of the first line of a password file matching `wanted` (host, port,
/// database, user), where `*` matches anything and `\` escapes `:` and `\`.
fn pgpass_lookup(text: &str, wanted: &[&str; 4]) -> Option<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split_pgpass(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

/// A password-file line's fields.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

/// Tells the desks listening that this transaction's writes are there once it commits
/// (PostgreSQL; nothing on SQLite, whose desks read the file's data version).
pub(crate) fn announce(db: &Db<'_>) -> sql::Result<()> {
    match db.engine() {
        sql::Engine::Postgres => db.batch(&format!("NOTIFY {CHANNEL}")),
        sql::Engine::Sqlite => Ok(()),
    }
}

/// A new connection and its server process id.
type Connected = (postgres::Client, i32);

/// An open PostgreSQL database.
pub(crate) struct Link {
    pg: RefCell<Pg>,
    target: Target,
    /// Whether the connection listens for the desks' writes (a reader for searches does not).
    listen: bool,
    /// The connection's server process: the notifications of its own commits carry it.
    pid: Cell<i32>,
    /// Notifications of other desks' commits received so far, plus one per reconnection.
    heard: Cell<i64>,
    /// A connection being made on another thread, after this one was lost.
    reconnecting: RefCell<Option<Receiver<Result<Connected>>>>,
}

impl Link {
    /// Connects to `target`, checks the schema (or creates it on an empty database when
    /// `if_missing` allows); the connection listens for the desks' writes when `listen`.
    pub(crate) fn open(target: Target, if_missing: IfMissing, listen: bool) -> Result<Link> {
        let (client, pid) = target.connect(listen)?;
        let link = Link {
            pg: RefCell::new(Pg::new(client)),
            target,
            listen,
            pid: Cell::new(pid),
            heard: Cell::new(0),
            reconnecting: RefCell::new(None),
        };
        link.prepare(if_missing)?;
        Ok(link)
    }

    /// Where statements run.
    pub(crate) fn db(&self) -> Db<'_> {
        Db::Postgres(&self.pg)
    }

    /// Where it points.
    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    /// The schema: ours at this version, or created on an empty database.
    fn prepare(&self, if_missing: IfMissing) -> Result<()> {
        let shown = self.target.shown();
        let db = self.db();
        let err = |e: sql::Error| self.target.error(e);
        // One creator at a time: another desk may be initialising the same database.
        let tx = Txn::begin(db).map_err(err)?;
        db.execute("SELECT pg_advisory_xact_lock(?1)", args![0x4344_4B31i64])
            .map_err(err)?;
        let ours: bool = db
            .value("SELECT to_regclass('desk_meta') IS NOT NULL", args![])
            .map_err(err)?;
        if ours {
            let application: Option<String> = db
                .value(
                    "SELECT max(value) FROM desk_meta WHERE key = 'application'",
                    args![],
                )
                .map_err(err)?;
            if application.as_deref() != Some("complaint-desk") {
                return Err(Error::new("error.foreign_pg").arg("path", shown.display()));
            }
            refuse_unfinished_copy(&db, shown)?;
            let version = super::schema_of(&db).map_err(err)?;
            if version > schema_version() {
                return Err(Error::new("error.newer_db")
                    .arg("path", shown.display())
                    .arg("version", version)
                    .arg("supported", schema_version()));
            }
            if version < schema_version() {
                return Err(Error::new("error.pg_older")
                    .arg("url", shown.display())
                    .arg("version", version)
                    .arg("supported", schema_version()));
            }
            return tx.commit().map_err(err);
        }
        let tables: i64 = db
            .value(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                args![],
            )
            .map_err(err)?;
        if tables > 0 {
            return Err(Error::new("error.foreign_pg").arg("path", shown.display()));
        }
        if if_missing == IfMissing::Refuse {
            return Err(Error::new("error.no_database").arg("path", shown.display()));
        }
        db.batch(SCHEMA).map_err(err)?;
        self.pg.borrow_mut().forget_statements();
        // As a new SQLite file's timeline begins: the (empty) seal, then the version.
        audit::seal_existing(&db, &mut |_, _| {}).map_err(err)?;
        super::upgraded(&db, schema_version()).map_err(err)?;
        tx.commit().map_err(err)?;
        tracing::info!(db = %shown.display(), "PostgreSQL schema created");
        Ok(())
    }

    /// How many commits of other desks were heard of (this connection's own are not): changes
    /// whenever one is, without a query (the notifications waiting on the connection are
    /// read), and after a reconnection (what changed meanwhile is to be read again).
    /// `error.pg_lost` once the connection is gone.
    pub(crate) fn data_version(&self) -> Result<i64> {
        let mut pg = self.pg.borrow_mut();
        let own = self.pid.get();
        let mut heard = 0i64;
        {
            let mut notes = pg.client.notifications();
            // A millisecond's wait lets the client read what the socket holds (`iter`
            // alone returns only what an earlier statement happened to read).
            let mut it = notes.timeout_iter(HEARING);
            loop {
                match postgres::fallible_iterator::FallibleIterator::next(&mut it) {
                    Ok(Some(note)) if note.process_id() == own => {}
                    Ok(Some(_)) => heard += 1,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading notifications failed");
                        return Err(self.target.lost());
                    }
                }
            }
        }
        if pg.client.is_closed() {
            return Err(self.target.lost());
        }
        self.heard.set(self.heard.get() + heard);
        Ok(self.heard.get())
    }

    /// Whether the connection is gone (the server ended it, or the network did), as last
    /// seen: any use of the connection (a statement, [`Link::data_version`]) finds out.
    pub(crate) fn is_lost(&self) -> bool {
        self.pg.try_borrow().is_ok_and(|pg| pg.client.is_closed())
    }

    /// Connects again, waiting for it, listening as before.
    pub(crate) fn reconnect(&self) -> Result<()> {
        let (client, pid) = self.target.connect(self.listen)?;
        self.adopt(client, pid);
        Ok(())
    }

    /// Connects again without waiting: the first call starts connecting on another thread,
    /// later ones say whether it is done (`Ok(true)`, connected), still going (`Ok(false)`)
    /// or failed (the error; the next call starts again).
    pub(crate) fn try_reconnect(&self) -> Result<bool> {
        let mut slot = self.reconnecting.borrow_mut();
        let Some(rx) = slot.as_ref() else {
            let (tx, rx) = mpsc::channel();
            let target = self.target.clone();
            let listen = self.listen;
            std::thread::Builder::new()
                .name("reconnect".into())
                .spawn(move || {
                    // Nobody waits for it any more if the store was closed meanwhile.
                    let _ = tx.send(target.connect(listen));
                })
                .map_err(|e| Error::new("error.internal").arg("detail", e))?;
            *slot = Some(rx);
            return Ok(false);
        };
        let connected = match rx.try_recv() {
            Err(TryRecvError::Empty) => return Ok(false),
            Ok(connected) => connected,
            Err(TryRecvError::Disconnected) => {
                Err(Error::new("error.internal").arg("detail", "the reconnecting thread died"))
            }
        };
        *slot = None;
        let (client, pid) = connected?;
        self.adopt(client, pid);
        Ok(true)
    }

    /// Takes a new connection in place of the lost one.
    fn adopt(&self, client: postgres::Client, pid: i32) {
        *self.pg.borrow_mut() = Pg::new(client);
        self.pid.set(pid);
        self.heard.set(self.heard.get() + 1);
        tracing::info!(db = %self.target.shown().display(), "reconnected");
    }

    /// A token that cancels the statement this connection is running, from another thread.
    pub(crate) fn cancel_token(&self) -> postgres::CancelToken {
        self.pg.borrow().client.cancel_token()
    }
}

/// Refuses a database that `migrate --to` is copying into, or left unfinished
/// ([`super::copy`]): it holds part of a desk.
fn refuse_unfinished_copy(db: &Db<'_>, shown: &Path) -> Result<()> {
    let copying: Option<String> = db
        .value(
            "SELECT max(value) FROM desk_meta WHERE key = 'migration'",
            args![],
        )
        .map_err(|e| Error::storage(shown, e))?;
    match copying {
        Some(_) => Err(Error::new("error.pg_migrating").arg("url", shown.display())),
        None => Ok(()),
    }
}

/// Cancels a statement running on a PostgreSQL connection.
pub(crate) struct Cancel {
    token: postgres::CancelToken,
    tls: Option<MakeTlsConnector>,
}

impl Cancel {
    pub(crate) fn new(link: &Link) -> Cancel {
        Cancel {
            token: link.cancel_token(),
            tls: link.target.tls.clone(),
        }
    }

    /// Asks the server to cancel the running statement (nothing if none runs).
    pub(crate) fn cancel(&self) {
        let sent = match &self.tls {
            Some(tls) => self.token.cancel_query(tls.clone()),
            None => self.token.cancel_query(postgres::NoTls),
        };
        if let Err(e) = sent {
            tracing::warn!("cancelling a query: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_files() {
        assert!(is_url(Path::new("postgres://desk@db/desk")));
        assert!(is_url(Path::new("postgresql://desk@db/desk")));
        assert!(!is_url(Path::new("/var/lib/desk.db")));
        assert!(!is_url(Path::new("postgres.db")));
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        for url in [
            "postgres://desk:secret@localhost/desk",
            "postgres://desk@localhost/desk?password=secret",
        ] {
            let err = Target::parse(url).err().expect("refused");
            assert_eq!(err.key, "error.pg_url", "{url}");
        }
    }

    #[test]
    fn messages_never_show_a_password() {
        assert_eq!(
            redacted("postgres://desk:s3cret@db:5432/desk?sslmode=require&password=x"),
            "postgres://desk:***@db:5432/desk?sslmode=require&password=***"
        );
        assert_eq!(
            redacted("postgres://desk@db/desk"),
            "postgres://desk@db/desk"
        );
        let err = Target::parse("postgres://desk:s3cret@db/desk")
            .err()
            .expect("refused");
        assert!(!err.get("url").unwrap_or_default().contains("s3cret"));
    }

    #[test]
    fn an_unknown_sslmode_is_refused() {
        let err = Target::parse("postgres://desk@localhost/desk?sslmode=sometimes")
            .err()
            .expect("refused");
        assert_eq!(err.key, "error.pg_url");
        assert!(err.get("detail").unwrap_or_default().contains("sometimes"));
    }

    #[test]
    fn password_file_lines_match_with_wildcards_and_escapes() {
        let file = "# comment\n\
                    other:5432:desk:desk:nope\n\
                    db\\:1:*:desk:desk:p\\:w\\\\d\n\
                    *:*:*:desk:fallback\n";
        assert_eq!(
            pgpass_lookup(file, &["db:1", "5433", "desk", "desk"]).as_deref(),
            Some("p:w\\d")
        );
        assert_eq!(
            pgpass_lookup(file, &["elsewhere", "5432", "x", "desk"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup(file, &["h", "1", "d", "nobody"]), None);
    }

    #[test]
    fn the_schema_file_is_at_this_binarys_version() {
        let line = SCHEMA
            .lines()
            .find(|l| l.contains("'schema_version'"))
            .expect("the version row");
        assert!(
            line.contains(&format!("('schema_version', '{}')", schema_version())),
            "{line}"
        );
    }
}
