//! Storage tests on real SQLite files: migrations, refusals that leave the file untouched,
//! file modes, several processes writing at once, kills and live backups.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::KillOnDrop;
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
    assert_eq!(err.get("table"), Some("number_seq"));
    assert!(
        err.to_string().contains("table number_seq is missing"),
        "{err}"
    );
}

/// A checkpoint writes page 1 before the pages after it, so while the write-ahead log holds
/// them the file may be shorter than its header says: that is not taken for damage. The
/// same file without its log is refused, untouched.
#[test]
fn a_file_behind_its_write_ahead_log_is_not_taken_for_damaged() {
    let dir = tempfile::tempdir().expect("tmp");
    let live = dir.path().join("live.db");
    drop(Store::open(&live).expect("create"));
    let short = std::fs::metadata(&live).expect("size").len();
    let conn = Connection::open(&live).expect("raw");
    conn.pragma_update(None, "wal_autocheckpoint", 0)
        .expect("no checkpoint");
    conn.execute_batch(
        "CREATE TABLE filler (x BLOB);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO filler SELECT randomblob(1000) FROM n;",
    )
    .expect("grow in the log");
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        .expect("checkpoint, the log kept");
    assert!(std::fs::metadata(&live).expect("size").len() > short);
    // The file as a checkpoint cut short left it: page 1 written, the rest not yet.
    let lagging = dir.path().join("lagging.db");
    std::fs::copy(&live, &lagging).expect("copy");
    std::fs::copy(
        dir.path().join("live.db-wal"),
        dir.path().join("lagging.db-wal"),
    )
    .expect("copy the log");
    drop(conn);
    let cut = |path: &Path| {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .expect("open");
        file.set_len(short).expect("cut");
    };
    cut(&lagging);
    drop(Store::open(&lagging).expect("the log holds the rest"));
    let rows: i64 = Connection::open(&lagging)
        .expect("raw")
        .query_row("SELECT count(*) FROM filler", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 2000);

    let alone = dir.path().join("alone.db");
    std::fs::copy(&live, &alone).expect("copy");
    cut(&alone);
    let before = bytes(&alone);
    let err = open_err(&alone);
    assert_eq!(err.key, "error.damaged", "{err}");
    assert!(err.to_string().contains("the header counts"), "{err}");
    assert_eq!(bytes(&alone), before);
    assert!(!dir.path().join("alone.db-wal").exists());
}

#[test]
fn events_are_append_only() {
    let desk = common::Desk::new();
    desk.add(&common::leak());
    let conn = Connection::open(&desk.db).expect("raw");
    assert!(conn.execute("UPDATE events SET agent = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM events", []).is_err());
}

/// `demo --count COUNT` as the admin in a child process killed when the test ends.
fn spawn_demo(desk: &common::Desk, count: u32, umask_000: bool) -> KillOnDrop<Child> {
    let script = format!(
        "{} exec \"$0\" --db \"$1\" --agent {} demo --count {count}",
        if umask_000 { "umask 000;" } else { "" },
        common::ADMIN
    );
    common::spawn(
        std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(common::BIN)
            .arg(&desk.db)
            .env("TZ", "Asia/Shanghai")
            .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )
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

/// Waits until the demo `child` has committed `at_least` complaints; fails if it exits
/// first, or is stuck.
fn wait_for_rows(db: &Path, child: &mut KillOnDrop<Child>, at_least: i64) {
    let start = Instant::now();
    while !db.exists() || count_so_far(db) < at_least {
        if let Some(status) = child.try_wait().expect("poll the demo") {
            panic!(
                "the demo exited ({status}) before writing {at_least} rows: {}",
                stderr_of(child)
            );
        }
        assert!(
            start.elapsed() < common::STUCK,
            "the demo never wrote {at_least} rows"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What an exited child wrote to its piped stderr.
fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
    }
    text
}

/// Every complaint is whole: it has its timeline, and its stage is where its last move left
/// it (a case cut short would have lost the moves after the cut). Returns the complaints.
fn assert_whole_cases(db: &Path) -> i64 {
    let conn = Connection::open(db).expect("raw");
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM complaints c
             WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.complaint_id = c.id)",
            [],
            |r| r.get(0),
        )
        .expect("orphans");
    assert_eq!(orphans, 0, "no complaint without its events");
    let cut: i64 = conn
        .query_row(
            "SELECT count(*) FROM complaints c
             WHERE c.stage IS NOT (SELECT e.to_stage FROM events e
                 WHERE e.complaint_id = c.id AND e.to_stage IS NOT NULL
                 ORDER BY e.id DESC LIMIT 1)",
            [],
            |r| r.get(0),
        )
        .expect("stages");
    assert_eq!(cut, 0, "every complaint's stage is its last move's");
    count(db)
}

/// `audit verify` passes: the hash chain is whole.
fn assert_chain_whole(desk: &common::Desk) {
    desk.cmd()
        .args(["--lang", "en", "audit", "verify"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("audit trail whole:"));
}

#[cfg(unix)]
#[test]
fn database_wal_and_shm_are_owner_only_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let desk = common::Desk::new();
    let mut child = spawn_demo(&desk, 2_000_000, true);
    wait_for_rows(&desk.db, &mut child, 1);
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", desk.db.display());
        let mode = std::fs::metadata(&file).expect(&file).permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }
}

/// A demo killed midway keeps the whole cases of the transactions it committed, and a whole
/// audit chain.
#[test]
fn a_killed_writer_loses_no_committed_row() {
    let desk = common::Desk::new();
    let mut child = spawn_demo(&desk, 2_000_000, false);
    wait_for_rows(&desk.db, &mut child, 10_000);
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    let store = Store::open(&desk.db).expect("reopens after a kill");
    store.integrity_check().expect("intact");
    let n = assert_whole_cases(&desk.db);
    assert!(n >= 10_000, "committed rows survive: {n}");
    assert_chain_whole(&desk);
}

/// While a bulk `demo` writes in one process, 20 saves from two others (two terminals at
/// once) all go through: each waits for at most one short bulk transaction, never for the
/// busy timeout. The demo's chain and the saves' events interleave into one whole chain.
#[test]
fn saves_from_other_processes_go_through_while_a_demo_writes() {
    let desk = common::Desk::new();
    desk.add(&common::leak());
    let mut demo = spawn_demo(&desk, 2_000_000, false);
    wait_for_rows(&desk.db, &mut demo, 2);
    let per_agent = 10;
    let numbers: Vec<String> = std::thread::scope(|scope| {
        let agents = [(0, "王丽"), (1, "李娜")].map(|(a, agent)| {
            let desk = &desk;
            scope.spawn(move || {
                (0..per_agent)
                    .map(|i| {
                        let name = format!("{agent}的来电{i}");
                        // A phone and a unit of its own: a repeat would be named on stderr.
                        let phone = format!("1380013{:04}", a * 100 + i);
                        let unit = format!("{}栋", a * 100 + i + 1);
                        let out = common::spawn(&mut desk.process(&[
                            "--agent",
                            agent,
                            "add",
                            "--channel",
                            "phone",
                            "--name",
                            &name,
                            "--phone",
                            &phone,
                            "--location",
                            &unit,
                            "--category",
                            "leak",
                            "--description",
                            "并发写入",
                        ]))
                        .output();
                        let err = String::from_utf8_lossy(&out.stderr).to_string();
                        assert!(out.status.success(), "{agent} add {i}: {err}");
                        assert_eq!(err, "", "{agent} add {i}");
                        String::from_utf8_lossy(&out.stdout).trim().to_string()
                    })
                    .collect::<Vec<_>>()
            })
        });
        agents
            .into_iter()
            .flat_map(|t| t.join().expect("an agent's saves"))
            .collect()
    });
    assert_eq!(numbers.len(), 2 * per_agent);
    // The saves overlapped the demo, which had not failed meanwhile.
    if let Some(status) = demo.try_wait().expect("poll the demo") {
        panic!(
            "the demo should still be writing, but exited ({status}): {}",
            stderr_of(&mut demo)
        );
    }
    demo.kill().expect("kill the demo");
    demo.wait().expect("wait");
    let n = assert_whole_cases(&desk.db);
    let conn = Connection::open(&desk.db).expect("raw");
    let distinct: i64 = conn
        .query_row("SELECT count(DISTINCT number) FROM complaints", [], |r| {
            r.get(0)
        })
        .expect("q");
    assert_eq!(distinct, n, "numbers unique");
    for number in &numbers {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM complaints WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .expect("q");
        assert_eq!(found, 1, "{number} saved");
    }
    assert_chain_whole(&desk);
}

#[test]
fn backup_of_a_database_being_written_by_another_process() {
    let desk = common::Desk::new();
    let mut child = spawn_demo(&desk, 400_000, false);
    wait_for_rows(&desk.db, &mut child, 20_000);
    let copy = desk.path("backup.db");
    let out = desk
        .as_agent(common::ADMIN)
        .args(["--lang", "en", "backup"])
        .arg(&copy)
        .assert()
        .success();
    let text = common::stdout(&out);
    assert!(text.contains("integrity check ok"), "{text}");
    let still_running = child.try_wait().expect("poll").is_none();
    child.kill().ok();
    child.wait().expect("wait");
    let n = assert_whole_cases(&copy);
    assert!(n >= 20_000, "a consistent snapshot: {n}");
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
    desk.as_agent(common::ADMIN)
        .args(["--lang", "en", "backup"])
        .arg(&copy)
        .assert()
        .code(1);
    assert!(!desk.path(".backup.db.partial").exists());
}

/// Desks opening a new file at the same moment all open it: the switch to WAL waits for the
/// others (it failed with "database is locked" one time in a few dozen before).
#[test]
fn desks_opening_a_new_file_at_once_all_open_it() {
    for _ in 0..30 {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("desk.db");
        let refused: Vec<String> = std::thread::scope(|s| {
            let opening: Vec<_> = (0..4)
                .map(|_| s.spawn(|| Store::open(&path).err().map(|e| e.to_string())))
                .collect();
            opening
                .into_iter()
                .filter_map(|h| h.join().expect("an opening thread"))
                .collect()
        });
        assert!(refused.is_empty(), "{refused:?}");
    }
}
