//! The command line on a PostgreSQL database: choosing it with `--db` or the config, the
//! password never on the command line, TLS that verifies the server, the schema created on
//! an empty database and refused when foreign or newer, and `backup` pointing to pg_dump.
//! Skipped, saying so, without the server `.ci/pg-cluster` starts.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::pg::PgDb;
use predicates::prelude::*;

/// The binary with nothing inherited but PATH, a home of its own, and `--db url`.
fn cli(home: &Path, url: &str) -> Command {
    let mut cmd = Command::new(common::BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TZ", "Asia/Shanghai")
        .env("COMPLAINT_DESK_AGENT", common::ADMIN)
        .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
        .timeout(std::time::Duration::from_secs(120))
        .args(["--lang", "en", "--db", url]);
    cmd
}

/// Registers the first admin, the password given through `PGPASSWORD`.
fn first_admin(home: &Path, db: &PgDb) {
    cli(home, &db.url)
        .env("PGPASSWORD", &db.password)
        .env("COMPLAINT_DESK_NEW_SECRET", common::ADMIN_SECRET)
        .args(["agent", "add", common::ADMIN])
        .assert()
        .success();
}

#[test]
fn a_desk_on_postgres_from_the_command_line() {
    let Some(db) = PgDb::new() else { return };
    let home = tempfile::tempdir().expect("tmp");
    cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .arg("init")
        .assert()
        .success();
    first_admin(home.path(), &db);
    let mut args = vec!["add"];
    args.extend(common::leak());
    let number = cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .args(&args)
        .assert()
        .success();
    let number = common::stdout(&number).trim().to_string();
    cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .args(["search", "漏水"])
        .assert()
        .success()
        .stdout(predicate::str::contains(&number));
    cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("whole"));
    // The database named in the config instead of --db.
    let config = home.path().join("desk.toml");
    std::fs::write(&config, format!("database = \"{}\"\n", db.url)).expect("config");
    // Without --db: only the config names the database.
    let mut bare = Command::new(common::BIN);
    bare.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TZ", "Asia/Shanghai")
        .env("PGPASSWORD", &db.password)
        .env("COMPLAINT_DESK_AGENT", common::ADMIN)
        .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
        .args(["--lang", "en", "--config"])
        .arg(&config)
        .args(["show", &number])
        .assert()
        .success()
        .stdout(predicate::str::contains("漏水"));
    // A backup is pg_dump's work on a server.
    cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .arg("backup")
        .arg(home.path().join("copy.db"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("pg_dump"));
    assert!(!home.path().join("copy.db").exists());
}

#[test]
fn the_password_comes_from_pgpass_never_the_url() {
    let Some(db) = PgDb::new() else { return };
    let home = tempfile::tempdir().expect("tmp");
    // A password in the URL is refused before anything is sent.
    let with_password = db
        .url
        .replacen("://desk@", &format!("://desk:{}@", db.password), 1);
    cli(home.path(), &with_password)
        .arg("init")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "password does not belong in the URL",
        ))
        .stderr(predicate::str::contains(&db.password).not());
    // ~/.pgpass, owner-only, is read; one others may read is ignored, as libpq does.
    let pgpass = home.path().join(".pgpass");
    std::fs::write(&pgpass, format!("*:*:*:desk:{}\n", db.password)).expect("pgpass");
    set_mode(&pgpass, 0o644);
    cli(home.path(), &db.url)
        .arg("init")
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot connect"));
    set_mode(&pgpass, 0o600);
    cli(home.path(), &db.url).arg("init").assert().success();
}

#[test]
fn tls_verifies_the_server_certificate() {
    let Some(db) = PgDb::new() else { return };
    if !db.url.contains("sslrootcert=") {
        eprintln!("TLS not checked: the test server has no CA (COMPLAINT_DESK_TEST_PG_CA)");
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    // Without the cluster's CA the certificate cannot be verified: refused.
    let (base, _) = db.url.split_once('?').expect("query");
    cli(home.path(), &format!("{base}?sslmode=require"))
        .env("PGPASSWORD", &db.password)
        .arg("init")
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot connect"));
    // With it, through the environment as libpq reads it.
    let ca = db.url.split("sslrootcert=").nth(1).expect("ca").to_string();
    cli(home.path(), &format!("{base}?sslmode=verify-full"))
        .env("PGPASSWORD", &db.password)
        .env("PGSSLROOTCERT", ca)
        .arg("init")
        .assert()
        .success();
}

#[test]
fn a_foreign_or_newer_database_is_refused_untouched() {
    let Some(db) = PgDb::new() else { return };
    let home = tempfile::tempdir().expect("tmp");
    let mut client = db.client();
    client
        .batch_execute("CREATE TABLE payroll (id BIGINT PRIMARY KEY)")
        .expect("foreign table");
    cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .arg("init")
        .assert()
        .failure()
        .stderr(predicate::str::contains("another program"));
    client.batch_execute("DROP TABLE payroll").expect("drop");
    cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .arg("init")
        .assert()
        .success();
    client
        .batch_execute("UPDATE desk_meta SET value = '99' WHERE key = 'schema_version'")
        .expect("newer");
    cli(home.path(), &db.url)
        .env("PGPASSWORD", &db.password)
        .args(["list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("schema version 99"));
    let version: String = client
        .query_one(
            "SELECT value FROM desk_meta WHERE key = 'schema_version'",
            &[],
        )
        .expect("read")
        .get(0);
    assert_eq!(version, "99");
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}
