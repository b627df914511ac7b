//! Damaged files on the built binary: refused in one line and left byte for byte as they
//! were (no `-wal`/`-shm` left beside them); read commands on a wrong path create nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{ADMIN, Desk};
use rusqlite::{Connection, OpenFlags};

/// A database with the test agents and 3,000 demo complaints, made once per test binary.
fn demo_template() -> &'static Path {
    static TEMPLATE: std::sync::OnceLock<Desk> = std::sync::OnceLock::new();
    let desk = TEMPLATE.get_or_init(|| {
        let desk = Desk::new();
        desk.as_agent(ADMIN)
            .args(["demo", "--count", "3000", "--seed", "13"])
            .assert()
            .success();
        // The search index merges its segments as the demo's time-bounded transactions
        // commit, leaving free pages when a loaded machine makes the transactions many:
        // vacuumed, the file has none, whatever the load (the free-list test needs that).
        Connection::open(&desk.db)
            .and_then(|c| c.execute_batch("VACUUM"))
            .expect("vacuum the demo file");
        assert!(!companions(&desk.db).iter().any(|p| p.exists()));
        desk
    });
    &desk.db
}

/// A fresh desk holding a copy of the demo database.
fn demo_desk() -> Desk {
    let desk = Desk::empty();
    std::fs::copy(demo_template(), &desk.db).expect("copy the demo database");
    desk
}

/// The `-wal` and `-shm` files SQLite keeps beside `db`.
fn companions(db: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

/// The database's bytes, read with no SQLite connection.
fn bytes(db: &Path) -> Vec<u8> {
    std::fs::read(db).expect("read the database")
}

/// A read-only query on the file (the test's own connection).
fn query<T: rusqlite::types::FromSql>(db: &Path, sql: &str) -> Vec<T> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let mut stmt = conn.prepare(sql).expect(sql);
    stmt.query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .expect(sql)
}

/// `add` with a typical complaint, in English.
fn add(desk: &Desk) -> Output {
    desk.cmd()
        .args(["--lang", "en", "add"])
        .args(common::leak())
        .output()
        .expect("run add")
}

/// `init` in English, with the config file in the desk's directory.
fn init(desk: &Desk) -> Output {
    desk.cmd()
        .args(["--lang", "en", "--config"])
        .arg(desk.path("config.toml"))
        .arg("init")
        .output()
        .expect("run init")
}

/// The run failed with exactly one `error:` line on stderr, which holds every one of
/// `words`; returns it.
fn refused(out: &Output, words: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "not refused: {stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    for word in words {
        assert!(lines[0].contains(word), "{word:?} missing from: {stderr}");
    }
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    lines[0].to_string()
}

/// `db` holds exactly `before`, with no `-wal` or `-shm` beside it.
fn untouched(db: &Path, before: &[u8]) {
    assert!(bytes(db) == before, "the file was changed");
    for companion in companions(db) {
        assert!(
            !companion.exists(),
            "{} was left behind",
            companion.display()
        );
    }
}

/// Everything logged in the desk's home (the log dir under `~/.local/state`).
fn log_text(desk: &Desk) -> String {
    let dir = desk.dir.path().join(".local/state/complaint-desk");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return String::new();
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect()
}

#[test]
fn a_file_cut_short_by_one_byte_is_refused_by_init_and_add() {
    let desk = demo_desk();
    let mut cut = bytes(&desk.db);
    cut.pop();
    std::fs::write(&desk.db, &cut).expect("cut");
    let db = desk.db.display().to_string();
    refused(&init(&desk), &[&db, "damaged", "not a whole number"]);
    untouched(&desk.db, &cut);
    refused(&add(&desk), &[&db, "damaged", "not a whole number"]);
    untouched(&desk.db, &cut);

    // A whole page missing: the header's page count says so.
    let page_size = usize::from(u16::from_be_bytes([cut[16], cut[17]]));
    let mut short = bytes(demo_template());
    short.truncate(short.len() - page_size);
    std::fs::write(&desk.db, &short).expect("cut a page");
    refused(&add(&desk), &[&db, "the header counts"]);
    untouched(&desk.db, &short);
}

/// One byte changed in the free-page list's fields or the vacuum fields of the header:
/// refused before SQLite opens the file, by a command that writes and one that reads.
#[test]
fn one_byte_damage_in_the_free_list_and_vacuum_fields_is_refused() {
    let desk = demo_desk();
    let good = bytes(&desk.db);
    assert_eq!(&good[32..40], &[0; 8], "the demo file has no free pages");
    let cases: &[(usize, u8, &str)] = &[
        (35, 0x01, "free pages"), // first trunk page set, count 0
        (32, 0x7f, "free pages"), // first trunk page far beyond the file
        (39, 0x01, "free pages"), // count 1, no trunk page
        (36, 0x7f, "free pages"), // count beyond the file
        (55, 0x01, "offset 52"),  // largest root page: auto-vacuum on
        (67, 0x01, "offset 64"),  // incremental vacuum on
    ];
    for &(offset, value, words) in cases {
        let mut bad = good.clone();
        bad[offset] = value;
        std::fs::write(&desk.db, &bad).expect("damage");
        refused(&add(&desk), &["damaged", words]);
        untouched(&desk.db, &bad);
        let listed = desk
            .cmd()
            .args(["--lang", "en", "list", "--queue", "all"])
            .output()
            .expect("list");
        refused(&listed, &["damaged", words]);
        untouched(&desk.db, &bad);
    }
}

/// Overwrites a leaf in the middle of the complaints table of `db` with garbage that is not
/// a b-tree page; returns the page's number and the file's new bytes.
fn garble_a_middle_page(db: &Path) -> (usize, Vec<u8>) {
    let leaves: Vec<i64> = query(
        db,
        "SELECT pageno FROM dbstat WHERE name = 'complaints' AND pagetype = 'leaf' ORDER BY pageno",
    );
    assert!(leaves.len() > 100, "{} leaves", leaves.len());
    let page = usize::try_from(leaves[leaves.len() / 2]).expect("page number");
    let mut bad = bytes(db);
    let page_size = usize::from(u16::from_be_bytes([bad[16], bad[17]]));
    let mut x: u32 = 0x9e37_79b9;
    for b in &mut bad[(page - 1) * page_size..page * page_size] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x.to_le_bytes()[0];
    }
    // Not a b-tree page type (2, 5, 10, 13).
    bad[(page - 1) * page_size] = 0x6b;
    std::fs::write(db, &bad).expect("damage");
    (page, bad)
}

/// A leaf in the middle of the complaints table overwritten with garbage: `add`, which
/// writes elsewhere in the table, is refused by the walk before the first write; the whole
/// report is in the log.
#[test]
fn a_garbled_middle_page_of_the_complaints_table_refuses_add() {
    let desk = demo_desk();
    let (page, bad) = garble_a_middle_page(&desk.db);
    let line = refused(&add(&desk), &["damaged", "complaints", &page.to_string()]);
    untouched(&desk.db, &bad);
    assert!(
        log_text(&desk).contains(&format!("page {page} of complaints")),
        "{line}"
    );
}

/// The same damage in a file left with a write-ahead log by a crash: refused, and the log
/// is not copied into the file on the way out (closing the last connection would).
#[test]
fn a_garbled_file_keeps_the_log_a_crash_left_as_it_was() {
    let desk = demo_desk();
    let crashed = desk.path("crashed.db");
    let [wal, _] = companions(&crashed);
    {
        let conn = Connection::open(&desk.db).expect("raw");
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .expect("no checkpoint");
        conn.execute_batch("CREATE TABLE note (x); INSERT INTO note VALUES ('before the crash');")
            .expect("write into the log");
        std::fs::copy(&desk.db, &crashed).expect("copy");
        std::fs::copy(&companions(&desk.db)[0], &wal).expect("copy the log");
    }
    let (_, bad) = garble_a_middle_page(&crashed);
    let log = bytes(&wal);
    assert!(!log.is_empty());
    let out = common::command(&crashed, desk.dir.path())
        .args(["--lang", "en", "add"])
        .args(common::leak())
        .output()
        .expect("add");
    refused(&out, &["damaged", "complaints"]);
    assert!(bytes(&crashed) == bad, "the file was changed");
    assert!(bytes(&wal) == log, "the log was changed");
}

/// An index entry changed inside its page (the page itself well formed): only a check of
/// every index against its table finds it. `init` runs that check and says so in one line,
/// naming the index; the whole report is in the log.
#[test]
fn init_reports_a_damaged_index_in_one_line() {
    let desk = demo_desk();
    let phone: String = query(
        &desk.db,
        "SELECT phone_norm FROM complaints WHERE id = 1500",
    )
    .pop()
    .expect("complaint 1500");
    let pages: Vec<i64> = query(
        &desk.db,
        "SELECT pageno FROM dbstat WHERE name = 'complaints_phone' AND pagetype = 'leaf'",
    );
    let mut bad = bytes(&desk.db);
    let page_size = usize::from(u16::from_be_bytes([bad[16], bad[17]]));
    let at = pages
        .iter()
        .find_map(|&p| {
            let start = (usize::try_from(p).ok()? - 1) * page_size;
            let page = &bad[start..start + page_size];
            let i = page
                .windows(phone.len())
                .position(|w| w == phone.as_bytes())?;
            Some(start + i + phone.len() - 1)
        })
        .expect("the phone in its index");
    bad[at] = if bad[at] == b'9' { b'0' } else { bad[at] + 1 };
    std::fs::write(&desk.db, &bad).expect("damage");

    let line = refused(&init(&desk), &["damaged", "complaints_phone"]);
    assert!(line.len() < 300, "short: {line}");
    untouched(&desk.db, &bad);
    assert!(
        log_text(&desk).contains("missing from index complaints_phone"),
        "the report is logged"
    );

    // `backup` finds the same damage in the copy, and names the file it came from.
    let dest = desk.path("backup.db");
    let out = desk
        .as_agent(ADMIN)
        .args(["--lang", "en", "backup"])
        .arg(&dest)
        .output()
        .expect("backup");
    let line = refused(&out, &["damaged", "complaints_phone"]);
    assert!(
        line.contains(&format!("database {} is damaged", desk.db.display())),
        "{line}"
    );
    assert!(!dest.exists());
    assert_eq!(
        std::fs::read_dir(desk.dir.path())
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .count(),
        0,
        "no partial copy left"
    );
    // The file's one change: the sign-in a backup needs (its secret), recorded before the
    // copy was made and found damaged.
    let kinds: Vec<String> = query(
        &desk.db,
        "SELECT kind FROM events WHERE id > (SELECT max(id) - 1 FROM events)",
    );
    assert_eq!(kinds, ["signed_in"]);
}

/// Commands that read (or change what is there) on a mistyped path, an empty file or a
/// blank SQLite file say there is no database, and create nothing: no file, no `-wal` or
/// `-shm`, no directory.
#[test]
fn read_commands_on_a_wrong_path_or_an_empty_file_create_nothing() {
    let desk = Desk::empty();
    let typo = desk.path("typo/desk.db");
    let empty = desk.path("empty.db");
    std::fs::write(&empty, b"").expect("empty file");
    let blank = desk.path("blank.db");
    {
        let conn = Connection::open(&blank).expect("blank");
        conn.execute_batch("CREATE TABLE t (x); DROP TABLE t;")
            .expect("a blank SQLite file");
    }
    let blank_bytes = bytes(&blank);
    let commands: &[&[&str]] = &[
        &["list"],
        &["list", "--queue", "all", "--format", "json"],
        &["show", "20261122-0001"],
        &["search", "漏水"],
        &["export", "--format", "csv"],
        &["audit", "verify"],
        &["agent", "list"],
        &["case", "20261122-0001", "escalate", "--reason", "x"],
    ];
    for db in [&typo, &empty, &blank] {
        for args in commands {
            let out = common::command(db, desk.dir.path())
                .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
                .args(["--lang", "en"])
                .args(*args)
                .output()
                .expect("run");
            refused(&out, &[&format!("no database at {}", db.display()), "init"]);
        }
    }
    assert!(!desk.path("typo").exists(), "no directory made");
    assert_eq!(bytes(&empty), b"");
    untouched(&empty, b"");
    untouched(&blank, &blank_bytes);

    // `config` does not open the database at all.
    common::command(&typo, desk.dir.path())
        .arg("config")
        .assert()
        .success();
    assert!(!desk.path("typo").exists());

    // A command that starts a desk may create it.
    common::command(&typo, desk.dir.path())
        .env("COMPLAINT_DESK_NEW_SECRET", common::ADMIN_SECRET)
        .args(["agent", "add", ADMIN])
        .assert()
        .success();
    assert!(typo.exists());
}
