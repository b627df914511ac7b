//! A PostgreSQL database of its own for a test, on the server `.ci/pg-cluster` starts
//! (`COMPLAINT_DESK_TEST_PG`, a URL with the password, and `COMPLAINT_DESK_TEST_PG_CA`, the
//! cluster's CA). Without the variables the PostgreSQL runs are skipped, saying so, unless
//! `COMPLAINT_DESK_REQUIRE_PG` is set (CI sets it): then they fail.

use std::sync::atomic::{AtomicU32, Ordering};

/// A database created for one test and dropped when it ends.
pub struct PgDb {
    /// The URL the program is given (no password in it; TLS verified against the CA).
    pub url: String,
    /// The password, for `PGPASSWORD` or `Store::open_postgres`.
    pub password: String,
    admin: String,
    name: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl PgDb {
    /// A new empty database, or `None` (said on stderr) when no server is configured.
    pub fn new() -> Option<PgDb> {
        let Ok(base) = std::env::var("COMPLAINT_DESK_TEST_PG") else {
            assert!(
                std::env::var_os("COMPLAINT_DESK_REQUIRE_PG").is_none(),
                "COMPLAINT_DESK_REQUIRE_PG is set but COMPLAINT_DESK_TEST_PG is not"
            );
            eprintln!(
                "PostgreSQL run skipped: no server (set COMPLAINT_DESK_TEST_PG, see \
                 docs/development.md)"
            );
            return None;
        };
        let ca = std::env::var("COMPLAINT_DESK_TEST_PG_CA").unwrap_or_default();
        // postgres://user:password@host:port/db
        let rest = base.strip_prefix("postgres://").expect("a postgres:// URL");
        let (auth, hostdb) = rest.split_once('@').expect("user@host");
        let (user, password) = auth.split_once(':').expect("user:password");
        let (host, _) = hostdb.split_once('/').expect("host/db");
        let name = format!(
            "cdt_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).expect("connect");
        // One statement per call: neither may run inside a transaction block.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop a leftover test database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let tls = if ca.is_empty() {
            "sslmode=disable".to_string()
        } else {
            format!("sslmode=verify-full&sslrootcert={ca}")
        };
        Some(PgDb {
            url: format!("postgres://{user}@{host}/{name}?{tls}"),
            password: password.to_string(),
            admin: base,
            name,
        })
    }

    /// A connection of the test's own to the database (to look at it, or damage it).
    pub fn client(&self) -> postgres::Client {
        let (base, _) = self.admin.rsplit_once('/').expect("host/db");
        postgres::Client::connect(&format!("{base}/{}", self.name), postgres::NoTls)
            .expect("connect")
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
