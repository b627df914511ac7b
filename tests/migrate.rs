//! `migrate --to postgres://…`: a SQLite desk copied into PostgreSQL whole (every table's
//! rows alike, the audit chain whole with the same head, the same listings), a second copy
//! into the same database refused, and a copy killed midway refused until `--start-over`.
//! Skipped without a PostgreSQL server (tests/common/pg.rs).

mod common;

use std::path::Path;
use std::process::Stdio;

use common::pg::PgDb;
use common::{ADMIN, ADMIN_SECRET, Desk, leak, spawn, stdout};
use predicates::prelude::*;

/// The tables of a desk, each with its key.
const TABLES: &[(&str, &str)] = &[
    ("complaints", "id"),
    ("number_seq", "day"),
    ("events", "id"),
    ("callbacks", "id"),
    ("revisits", "id"),
    ("agents", "id"),
    ("agent_sites", "agent, site"),
    ("drafts", "agent"),
    ("attachments", "id"),
    ("reply_clock_moves", "callback_id"),
    ("waiting_calls_owed", "complaint_id"),
    ("care_calls", "id"),
    ("report_state", "key"),
    ("report_cases", "complaint_id"),
    ("report_days", "dim, day, site, key"),
    ("imports", "id"),
    ("import_staged", "import_id, line"),
    ("imported_rows", "row_hash"),
    ("library_cards", "id"),
];

/// The binary on `db` (a file or a URL) as `agent` with the admin's secret and the
/// server's password.
fn on(desk: &Desk, pg: &PgDb, db: &str, agent: &str) -> assert_cmd::Command {
    let mut cmd = common::command(Path::new(db), desk.dir.path());
    cmd.env("PGPASSWORD", &pg.password)
        .env("COMPLAINT_DESK_AGENT", agent)
        .env("COMPLAINT_DESK_SECRET", ADMIN_SECRET);
    cmd
}

/// Every row of every table in the file, each value as text (bytes in hex, NULL as `∅`).
fn file_rows(desk: &Desk) -> Vec<(String, Vec<String>)> {
    let conn = rusqlite::Connection::open(&desk.db).expect("open the file");
    TABLES
        .iter()
        .map(|(table, key)| {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY {key}"))
                .expect("select");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    let mut cells = Vec::new();
                    for i in 0..n {
                        use rusqlite::types::ValueRef;
                        cells.push(match r.get_ref(i)? {
                            ValueRef::Null => "∅".to_string(),
                            ValueRef::Integer(v) => v.to_string(),
                            ValueRef::Real(v) => v.to_string(),
                            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                            ValueRef::Blob(b) => hex(b),
                        });
                    }
                    Ok(cells.join("|"))
                })
                .expect("rows")
                .collect::<Result<Vec<_>, _>>()
                .expect("read");
            (table.to_string(), sorted(key, rows))
        })
        .collect()
}

/// Rows in one order whatever the engine's collation: by id, or sorted as text when the
/// key is text.
fn sorted(key: &str, mut rows: Vec<String>) -> Vec<String> {
    if !key.ends_with("id") {
        rows.sort();
    }
    rows
}

/// The same rows read from the server (the search words left out: the file has none).
fn server_rows(pg: &PgDb) -> Vec<(String, Vec<String>)> {
    let mut client = pg.client();
    TABLES
        .iter()
        .map(|(table, key)| {
            let columns: Vec<(String, String)> = client
                .query(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns
                     WHERE table_name = $1 AND column_name <> 'search_words'
                     ORDER BY ordinal_position",
                    &[table],
                )
                .expect("columns")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            let cells: Vec<String> = columns
                .iter()
                .map(|(c, ty)| {
                    let text = if ty == "bytea" {
                        format!("encode({c}, 'hex')")
                    } else {
                        format!("{c}::text")
                    };
                    format!("coalesce({text}, '∅')")
                })
                .collect();
            let rows = client
                .query(
                    &format!(
                        "SELECT concat_ws('|', {}) FROM {table} ORDER BY {key}",
                        cells.join(", ")
                    ),
                    &[],
                )
                .expect("select")
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect();
            (table.to_string(), sorted(key, rows))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A desk with complaints through several moves, calls, revisits, an attachment, an
/// anonymised complainant, agents (one with sites) and a little demo data (care calls, every queue).
fn busy_desk() -> (Desk, Vec<String>) {
    let desk = Desk::new();
    desk.as_agent(ADMIN)
        .args(["demo", "--count", "60"])
        .assert()
        .success();
    // An imported logbook: the import and its rows' digests are copied too.
    let logbook = desk.path("台账.csv");
    std::fs::write(
        &logbook,
        "姓名,电话,房号,类别,投诉内容\n张伟,02155556666,3栋,漏水,卫生间漏水\n",
    )
    .expect("logbook");
    desk.cmd().arg("import").arg(&logbook).assert().success();
    let closed = desk.add(&leak());
    for step in [
        vec![
            "classify",
            "--scope",
            "in",
            "--severity",
            "general",
            "--intent",
            "genuine",
        ],
        vec![
            "callback",
            "log",
            "--result",
            "no-answer",
            "--note",
            "无人接",
        ],
        vec!["verify", "--motive", "想尽快修好", "--outcome", "今天上门"],
        vec!["assess", "--facts", "楼上防水层老化"],
        vec!["plan", "--department", "工程部", "--actions", "更换防水层"],
        vec!["reply", "--accepted"],
        vec!["remedied", "--note", "已更换"],
        vec![
            "revisit",
            "record",
            "--satisfaction",
            "5",
            "--comment",
            "满意",
        ],
        vec!["revisit", "record", "--unreached"],
    ] {
        desk.case(&closed, &step).success();
    }
    let photo = desk.path("漏水.jpg");
    std::fs::write(&photo, b"jpeg").expect("photo");
    let photo = photo.to_str().expect("utf8 path").to_string();
    desk.case(&closed, &["attach", &photo]).success();
    let waiting = desk.add(&leak());
    desk.case(
        &waiting,
        &["classify", "--scope", "in", "--severity", "general"],
    )
    .success();
    desk.case(
        &waiting,
        &["wait", "--on", "customer", "--note", "等业主回电"],
    )
    .success();
    desk.case(
        &waiting,
        &["callback", "promise", "--due", "2099-01-06 10:00"],
    )
    .success();
    // A case in the case library, published.
    let carded = desk.add(&leak());
    for step in [
        vec!["classify", "--scope", "in", "--severity", "general"],
        vec!["verify", "--motive", "想尽快修好", "--outcome", "今天上门"],
        vec!["assess", "--facts", "楼上防水层老化"],
        vec!["plan", "--department", "工程部", "--actions", "更换防水层"],
        vec!["reply", "--accepted"],
        vec!["remedied", "--note", "已更换"],
        vec![
            "close",
            "--summary",
            "已更换防水层",
            "--root-cause",
            "防水层老化",
            "--lesson",
            "雨季前巡检",
            "--to-library",
        ],
    ] {
        desk.case(&carded, &step).success();
    }
    desk.as_agent("李娜")
        .args(["library", "publish", "1"])
        .assert()
        .success();
    // Another complainant (anonymising 张伟 would reach the planned case above too).
    let mut other = leak();
    other[3] = "欧阳娜娜";
    other[5] = "139 0000 1111";
    let anonymised = desk.add(&other);
    desk.as_agent(ADMIN)
        .args(["anonymise", &anonymised])
        .assert()
        .success();
    desk.as_agent(ADMIN)
        .args(["agent", "sites", "李娜", "xiangshu", "binjiang"])
        .assert()
        .success();
    (desk, vec![closed, waiting, anonymised])
}

#[test]
fn a_desk_moves_to_postgresql_whole() {
    let Some(pg) = PgDb::new() else { return };
    let (desk, numbers) = busy_desk();
    let file = desk.db.to_str().expect("utf8 path").to_string();

    // An agent without export_personal_data may not (the refusal is recorded in the file):
    // nothing reaches the server.
    on(&desk, &pg, &file, "王丽")
        .args(["migrate", "--to", &pg.url])
        .assert()
        .code(1);
    let created: Option<String> = pg
        .client()
        .query_one("SELECT to_regclass('desk_meta')::text", &[])
        .expect("look")
        .get(0);
    assert_eq!(created, None, "nothing written on a refusal");

    let done = stdout(
        &on(&desk, &pg, &file, ADMIN)
            .args(["--lang", "en", "migrate", "--to", &pg.url])
            .assert()
            .success(),
    );
    assert!(
        done.starts_with(&format!("copied to {}: {} tables, ", pg.url, TABLES.len())),
        "{done}"
    );
    let head = done
        .trim_end()
        .rsplit(' ')
        .next()
        .expect("head")
        .to_string();

    // Every row of every table, as it was in the file: since then the file's timeline has
    // only the copy itself recorded.
    let copied = server_rows(&pg);
    let mut in_file = file_rows(&desk);
    let events = &mut in_file[2].1;
    assert_eq!(events.len(), copied[2].1.len() + 1);
    let recorded = events.pop().expect("the copy recorded");
    assert!(recorded.contains("|migrated|"), "{recorded}");
    assert_eq!(copied, in_file);
    let before = copied;
    let mut client = pg.client();
    let unindexed: i64 = client
        .query_one(
            "SELECT count(*) FROM complaints WHERE search_words = ''::tsvector",
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(unindexed, 0, "every complaint has its search words");
    let marker: i64 = client
        .query_one(
            "SELECT count(*) FROM desk_meta WHERE key = 'migration'",
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(marker, 0, "the marker is gone once verified");

    // The trail whole on the server, with the head the file had.
    on(&desk, &pg, &pg.url, "王丽")
        .args(["--lang", "en", "audit", "verify", "--head", &head])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("audit trail whole:"));
    desk.cmd()
        .args(["--lang", "en", "audit", "verify", "--head", &head])
        .assert()
        .success();
    let server_head = stdout(
        &on(&desk, &pg, &pg.url, "王丽")
            .args(["audit", "head"])
            .assert()
            .success(),
    );
    assert_eq!(server_head.trim(), head);

    // The same listings, searches and case files.
    let mut views: Vec<Vec<String>> = vec![
        vec!["list", "--queue", "all", "--format", "json"],
        vec!["list", "--queue", "all"],
        vec!["list", "--queue", "callbacks"],
        vec!["list", "--queue", "revisits"],
        vec!["search", "漏水", "--format", "json"],
        vec!["search", "138"],
        vec!["search", "***"],
        vec!["library", "list", "--format", "json"],
        vec!["library", "list", "--search", "防水", "--format", "json"],
        vec!["library", "list", "--search", "巡检", "--category", "漏水"],
        vec!["library", "export", "--format", "md"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect();
    for n in &numbers {
        views.push(vec![
            "show".into(),
            n.clone(),
            "--format".into(),
            "json".into(),
        ]);
        views.push(vec!["show".into(), n.clone()]);
    }
    for view in &views {
        let run = |db: &str| stdout(&on(&desk, &pg, db, "王丽").args(view).assert().success());
        let (there, here) = (run(&pg.url), run(&file));
        assert!(!here.is_empty(), "{view:?}");
        assert_eq!(there, here, "{view:?}");
    }

    // A second copy into the same database is refused: it never merges.
    on(&desk, &pg, &file, ADMIN)
        .args(["--lang", "en", "migrate", "--to", &pg.url, "--start-over"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("already holds").and(predicate::str::contains("never merges")),
        );
    assert_eq!(server_rows(&pg), before, "untouched");
}

#[test]
fn an_interrupted_copy_is_refused_until_started_over() {
    let Some(pg) = PgDb::new() else { return };
    let desk = Desk::new();
    desk.as_agent(ADMIN)
        .args(["demo", "--count", "20000"])
        .assert()
        .success();
    let file = desk.db.to_str().expect("utf8 path").to_string();

    // Killed once the first rows are committed on the server.
    let mut copy = spawn(
        desk.process(&["migrate", "--to", &pg.url])
            .env("PGPASSWORD", &pg.password)
            .env("COMPLAINT_DESK_AGENT", ADMIN)
            .env("COMPLAINT_DESK_SECRET", ADMIN_SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let mut client = pg.client();
    loop {
        let created: Option<String> = client
            .query_one("SELECT to_regclass('complaints')::text", &[])
            .expect("look")
            .get(0);
        let rows: i64 = match created {
            Some(_) => client
                .query_one("SELECT count(*) FROM complaints", &[])
                .expect("count")
                .get(0),
            None => 0,
        };
        if rows > 0 {
            break;
        }
        assert!(
            copy.try_wait().expect("poll").is_none(),
            "the copy ended before any row was seen"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    copy.kill().expect("kill the copy");
    assert!(!copy.wait_exit().success(), "killed midway");

    // The server's database is refused, by the desk and by another copy.
    on(&desk, &pg, &pg.url, ADMIN)
        .args(["--lang", "en", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was interrupted (migrate --to)"));
    on(&desk, &pg, &file, ADMIN)
        .args(["--lang", "en", "migrate", "--to", &pg.url])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("did not finish")
                .and(predicate::str::contains("--start-over")),
        );

    // Started over: whole.
    let done = stdout(
        &on(&desk, &pg, &file, ADMIN)
            .args(["--lang", "en", "migrate", "--to", &pg.url, "--start-over"])
            .assert()
            .success(),
    );
    assert!(done.starts_with("copied to"), "{done}");
    let head = done
        .trim_end()
        .rsplit(' ')
        .next()
        .expect("head")
        .to_string();
    let complaints: i64 = client
        .query_one("SELECT count(*) FROM complaints", &[])
        .expect("count")
        .get(0);
    assert_eq!(complaints, 20_000);
    on(&desk, &pg, &pg.url, "王丽")
        .args(["--lang", "en", "audit", "verify", "--head", &head])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("audit trail whole:"));
}
