//! Storage tests on real SQLite files: migrations, refusals that leave the file untouched,
//! file modes, several processes writing at once, kills and live backups.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use complaint_desk::error::Error;
use complaint_desk::store::{self, APPLICATION_ID, Store};
use rusqlite::Connection;

fn open_err(path: &Path) -> Error {
    Store::open(path).expect_err("refused")
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

#[test]
fn migrates_an_empty_file_and_reopens() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("new/desk.db");
    drop(Store::open(&path).expect("create"));
    drop(Store::open(&path).expect("reopen"));
    let conn = Connection::open(&path).expect("raw");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("v");
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("id");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(version, store::schema_version());
    assert_eq!(app, APPLICATION_ID);
    assert_eq!(mode, "wal");
    for table in [
        "complaints",
        "events",
        "callbacks",
        "revisits",
        "agents",
        "drafts",
        "number_seq",
    ] {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?1",
                [table],
                |r| r.get(0),
            )
            .expect("q");
        assert_eq!(n, 1, "{table}");
    }
    // An empty (zero-byte or fresh SQLite) file is ours to initialise.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    drop(Store::open(&empty).expect("empty file initialised"));
}

#[test]
fn refuses_a_newer_database_without_touching_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("newer.db");
    drop(Store::open(&path).expect("create"));
    {
        let conn = Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", 99).expect("bump");
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("no wal");
    }
    let before = bytes(&path);
    let err = open_err(&path);
    assert_eq!(err.key, "error.newer_db");
    assert_eq!(err.get("version"), Some("99"));
    assert_eq!(bytes(&path), before, "file untouched");
}

#[test]
fn refuses_files_that_are_not_ours_without_touching_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "投诉记录\n张伟 漏水\n".repeat(20)).expect("write");
    let before = bytes(&text);
    assert_eq!(open_err(&text).key, "error.not_sqlite");
    assert_eq!(bytes(&text), before);

    let foreign = dir.path().join("other.db");
    {
        let conn = Connection::open(&foreign).expect("raw");
        conn.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
            .expect("other app");
    }
    let before = bytes(&foreign);
    let err = open_err(&foreign);
    assert_eq!(err.key, "error.foreign_db");
    assert!(err.to_string().contains("another program"));
    assert_eq!(bytes(&foreign), before);
    assert!(!dir.path().join("other.db-wal").exists());
}

#[test]
fn refuses_a_damaged_header_or_schema() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("d.db");
    drop(Store::open(&path).expect("create"));
    let good = bytes(&path);

    let mut bad = good.clone();
    bad[21] = 0; // max embedded payload fraction must be 64
    std::fs::write(&path, &bad).expect("write");
    let err = open_err(&path);
    assert_eq!(err.key, "error.damaged", "{err}");
    assert_eq!(bytes(&path), bad);

    std::fs::write(&path, &good).expect("restore");
    {
        let conn = Connection::open(&path).expect("raw");
        conn.execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_master SET sql = 'CREATE TABLE complaints (' WHERE name = 'complaints';",
        )
        .expect("break schema");
    }
    let err = open_err(&path);
    assert_eq!(err.key, "error.damaged", "{err}");

    std::fs::write(&path, &good).expect("restore");
    {
        let conn = Connection::open(&path).expect("raw");
        conn.execute_batch("DROP TABLE number_seq;").expect("drop");
    }
    let err = open_err(&path);
    assert_eq!(err.key, "error.damaged");
    assert!(err.get("detail").unwrap_or("").contains("number_seq"));
}

#[test]
fn events_are_append_only() {
    let desk = common::Desk::new();
    desk.add(&common::leak());
    let conn = Connection::open(&desk.db).expect("raw");
    assert!(conn.execute("UPDATE events SET agent = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM events", []).is_err());
}

fn spawn_demo(desk: &common::Desk, count: u32, umask_000: bool) -> Child {
    let script = format!(
        "{} exec \"$0\" --db \"$1\" --agent {} demo --count {count}",
        if umask_000 { "umask 000;" } else { "" },
        common::ADMIN
    );
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(common::BIN)
        .arg(&desk.db)
        .env("TZ", "Asia/Shanghai")
        .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn demo")
}

fn count(db: &Path) -> i64 {
    let conn = Connection::open(db).expect("raw");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    conn.query_row("SELECT count(*) FROM complaints", [], |r| r.get(0))
        .expect("count")
}

/// Rows so far, or 0 while the writer has created the file but not yet
/// migrated it (the `complaints` table does not exist yet).
fn count_so_far(db: &Path) -> i64 {
    let conn = Connection::open(db).expect("raw");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    let migrated: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'complaints'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    if migrated == 0 { 0 } else { count(db) }
}

fn wait_for_rows(db: &Path, at_least: i64) {
    let start = Instant::now();
    while !db.exists() || count_so_far(db) < at_least {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "demo never wrote {at_least} rows"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn database_wal_and_shm_are_owner_only_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let desk = common::Desk::new();
    let mut child = spawn_demo(&desk, 2_000_000, true);
    wait_for_rows(&desk.db, 20_000);
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", desk.db.display());
        let mode = std::fs::metadata(&file).expect(&file).permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
}

#[test]
fn a_killed_writer_loses_no_committed_row() {
    let desk = common::Desk::new();
    let mut child = spawn_demo(&desk, 2_000_000, false);
    wait_for_rows(&desk.db, 40_000);
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    let store = Store::open(&desk.db).expect("reopens after a kill");
    store.quick_check().expect("intact");
    let n = count(&desk.db);
    assert!(n >= 40_000, "committed rows survive: {n}");
    assert_eq!(n % 20_000, 0, "only whole transactions: {n}");
    let conn = Connection::open(&desk.db).expect("raw");
    let orphans: i64 = conn
        .query_row("SELECT count(*) FROM complaints c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.complaint_id = c.id)", [], |r| r.get(0))
        .expect("q");
    assert_eq!(orphans, 0, "no complaint without its event");
}

#[test]
fn two_processes_write_at_once_without_lock_errors() {
    let desk = common::Desk::new();
    desk.add(&common::leak());
    let per_process = 15;
    let spawn_loop = |name: &str| {
        let mut cmds = Vec::new();
        for i in 0..per_process {
            cmds.push(format!(
                "\"$0\" --db \"$1\" --agent {name} add --channel phone --name 张伟{i} --phone 13800138000 --location 1栋 --category leak --description 并发写入{i} || exit 1"
            ));
        }
        std::process::Command::new("sh")
            .arg("-c")
            .arg(cmds.join("\n"))
            .arg(common::BIN)
            .arg(&desk.db)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    // A bulk writer holding long transactions at the same time.
    let mut bulk = std::process::Command::new(common::BIN)
        .arg("--db")
        .arg(&desk.db)
        .args(["--agent", common::ADMIN, "demo", "--count", "60000"])
        .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bulk");
    let a = spawn_loop("王丽");
    let b = spawn_loop("李娜");
    for child in [a, b] {
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(!err.contains("locked"), "{err}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).lines().count(),
            per_process
        );
    }
    assert!(bulk.wait().expect("bulk").success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(bulk.stderr.as_mut().expect("stderr"), &mut stderr)
        .expect("read");
    assert!(!stderr.contains("locked"), "{stderr}");
    assert_eq!(count(&desk.db), 1 + 2 * per_process as i64 + 60_000);
    let conn = Connection::open(&desk.db).expect("raw");
    let distinct: i64 = conn
        .query_row("SELECT count(DISTINCT number) FROM complaints", [], |r| {
            r.get(0)
        })
        .expect("q");
    assert_eq!(distinct, count(&desk.db), "numbers unique");
}

#[test]
fn backup_of_a_database_being_written_by_another_process() {
    let desk = common::Desk::new();
    let mut child = spawn_demo(&desk, 400_000, false);
    wait_for_rows(&desk.db, 20_000);
    let copy = desk.path("backup.db");
    let out = desk
        .cmd()
        .args(["--lang", "en", "backup"])
        .arg(&copy)
        .assert()
        .success();
    let text = common::stdout(&out);
    assert!(text.contains("integrity check ok"), "{text}");
    let still_running = child.try_wait().expect("poll").is_none();
    child.kill().ok();
    child.wait().expect("wait");
    let n = count(&copy);
    assert!(n >= 20_000 && n % 20_000 == 0, "a consistent snapshot: {n}");
    let conn = Connection::open(&copy).expect("copy");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    assert!(
        Store::open(&copy).is_ok(),
        "the copy is a usable desk database"
    );
    eprintln!("backup taken while the writer was running: {still_running}");
    // A backup never overwrites.
    desk.cmd()
        .args(["--lang", "en", "backup"])
        .arg(&copy)
        .assert()
        .code(1);
    assert!(!desk.path(".backup.db.partial").exists());
}
