//! The shared workstation through the library, on real SQLite files: secrets and lockout,
//! every role × permission cell, anonymisation down to the file's bytes, and the audit
//! chain's tamper detection.

mod common;

use chrono::{DateTime, Duration, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{Desk, ExportScope, FixedClock};
use complaint_desk::domain::agent::Permission;
use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::Action;
use complaint_desk::domain::secret::MAX_FAILED_SIGN_INS;
use complaint_desk::store::Store;
use complaint_desk::store::audit::Breach;
use rusqlite::Connection;

const PIN: &str = "2580";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
        .expect("time")
        .with_timezone(&Utc)
}

fn config() -> Config {
    Config::preset(Preset::PropertyManagement).expect("preset")
}

struct World {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl World {
    /// A database whose first admin 孙管理员 registered 王丽 (agent), 赵主管 (supervisor) and
    /// 钱经理 (manager), all with [`PIN`].
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tmp");
        let world = World {
            db: dir.path().join("desk.db"),
            _dir: dir,
        };
        let mut admin = world.desk("孙管理员", t0());
        admin
            .create_first_admin("孙管理员", PIN)
            .expect("first admin");
        for (name, role) in [
            ("王丽", "agent"),
            ("赵主管", "supervisor"),
            ("钱经理", "manager"),
        ] {
            admin.add_agent(name, role, PIN).expect("add agent");
        }
        world
    }

    fn desk(&self, agent: &str, at: DateTime<Utc>) -> Desk {
        let store = Store::open(&self.db).expect("open");
        Desk::new(store, config(), agent, Box::new(FixedClock(at))).expect("desk")
    }

    /// A desk whose agent signed in with their PIN.
    fn signed_in(&self, agent: &str) -> Desk {
        let mut desk = self.desk(agent, t0());
        desk.sign_in(agent, PIN).expect("sign in");
        desk
    }

    fn conn(&self) -> Connection {
        Connection::open(&self.db).expect("raw connection")
    }

    /// The kinds of the events outside any complaint, oldest first.
    fn desk_events(&self) -> Vec<(String, String)> {
        self.conn()
            .prepare("SELECT agent, kind FROM events WHERE complaint_id IS NULL ORDER BY id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }
}

fn complaint(name: &str, phone: &str, location: &str, description: &str) -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::Phone),
        name: name.into(),
        phone: phone.into(),
        location: location.into(),
        category: "漏水".into(),
        description: description.into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

fn classify_in() -> Action {
    Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: Some("facility".into()),
        severity: "minor".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    }
}

#[test]
fn sign_in_checks_the_argon2_secret_waits_longer_after_each_failure_and_locks() {
    let world = World::new();
    let hash: String = world
        .conn()
        .query_row(
            "SELECT secret_hash FROM agents WHERE name = '王丽'",
            [],
            |r| r.get(0),
        )
        .expect("hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PIN));

    // Right secret: signed in and verified.
    let mut desk = world.desk("王丽", t0());
    assert!(!desk.is_verified());
    desk.sign_in("王丽", PIN).expect("right secret");
    assert!(desk.is_verified());
    desk.lock();
    assert!(!desk.is_verified());

    // Wrong secrets: each recorded; after the second, a wait that doubles (2, 4, 8 s).
    assert_eq!(MAX_FAILED_SIGN_INS, 5);
    let try_at = |at: DateTime<Utc>, secret: &str| {
        world
            .desk("王丽", at)
            .sign_in("王丽", secret)
            .map_err(|e| (e.key, e.get("seconds").map(str::to_string)))
    };
    let failed = Err(("error.sign_in_failed", None));
    let mut at = t0();
    assert_eq!(try_at(at, "0000"), failed);
    assert_eq!(try_at(at, "0000"), failed, "no wait after the first");
    assert_eq!(
        try_at(at + Duration::seconds(1), "0000"),
        Err(("error.sign_in_wait", Some("1".to_string()))),
        "refused without checking"
    );
    at += Duration::seconds(2);
    assert_eq!(try_at(at, "0000"), failed);
    at += Duration::seconds(4);
    assert_eq!(try_at(at, "0000"), failed);
    // Even the right secret waits its turn.
    assert_eq!(
        try_at(at, PIN),
        Err(("error.sign_in_wait", Some("8".to_string())))
    );
    // The fifth failure locks the account; then even the right secret is refused.
    at += Duration::seconds(8);
    let locked = world.desk("王丽", at).sign_in("王丽", "1111");
    assert_eq!(locked.map_err(|e| e.key), Err("error.account_locked"));
    at += Duration::hours(1);
    let refused = world.desk("王丽", at).sign_in("王丽", PIN);
    assert_eq!(refused.map_err(|e| e.key), Err("error.account_locked"));
    // A locked agent cannot act at all.
    let intake = world
        .desk("王丽", at)
        .intake(&complaint("张伟", "13800138000", "3栋", "漏水"));
    assert_eq!(intake.map_err(|e| e.key), Err("error.account_locked"));

    // An unknown name answers like a wrong secret, and is recorded too.
    let unknown = world.desk("王丽", at).sign_in("不存在", PIN);
    assert_eq!(unknown.map_err(|e| e.key), Err("error.sign_in_failed"));

    let failed: Vec<_> = world
        .desk_events()
        .into_iter()
        .filter(|(_, k)| k == "sign_in_failed" || k == "account_locked")
        .collect();
    assert_eq!(failed.len(), MAX_FAILED_SIGN_INS as usize + 2, "{failed:?}");
    // Recorded without the name typed (it could be a PIN typed into the wrong field).
    assert_eq!(failed.last().map(|(a, _)| a.as_str()), Some("?"));
    assert!(
        !contains(&file_bytes(&world.db), "不存在"),
        "the unknown name typed is not kept"
    );

    // The admin resets the secret: unlocked, and the new secret works.
    let mut admin = world.signed_in("孙管理员");
    admin.reset_secret("王丽", "135790").expect("reset");
    world
        .desk("王丽", at)
        .sign_in("王丽", "135790")
        .expect("new secret");
}

/// What the preset grants, written out here: every role × permission cell.
const MATRIX: &[(&str, [bool; 8])] = &[
    //            approve reveal  confid. export  anonym. manage  take over library
    (
        "agent",
        [false, false, false, false, false, false, false, false],
    ),
    (
        "supervisor",
        [true, true, true, false, false, false, true, true],
    ),
    (
        "manager",
        [true, true, true, true, false, false, true, true],
    ),
    ("admin", [false, true, false, true, true, true, true, false]),
];

const PERMISSIONS: [Permission; 8] = [
    Permission::ApproveCompensation,
    Permission::RevealPhone,
    Permission::ViewConfidential,
    Permission::ExportPersonalData,
    Permission::Anonymise,
    Permission::ManageAgents,
    Permission::TakeOver,
    Permission::CurateLibrary,
];

#[test]
fn every_role_and_permission_is_checked_by_the_desk_and_denials_are_recorded() {
    let world = World::new();
    let agents = [
        ("王丽", "agent"),
        ("赵主管", "supervisor"),
        ("钱经理", "manager"),
        ("孙管理员", "admin"),
    ];
    let mut setup = world.signed_in("王丽");
    let spread = complaint("周涛", "13912345678", "5栋", "漏水，已发到业主群");
    let n = setup.intake(&spread).expect("intake").number;
    // A closed case in the library, for the curators to publish.
    let closed = setup
        .intake(&complaint("郑凯", "13600002222", "6栋", "垃圾未清"))
        .expect("intake")
        .number;
    for step in common::to_remedied("minor") {
        setup.act(&closed, None, &step).expect("move");
    }
    let (_, card) = setup
        .close_to_library(
            &closed,
            None,
            &Action::Close {
                summary: "已清运".into(),
                root_cause: "排班遗漏".into(),
                lesson: "节后加班次".into(),
                referred: false,
            },
        )
        .expect("close to the library");
    let photo = world._dir.path().join("现场照片.jpg");
    std::fs::write(&photo, b"jpeg").expect("photo");
    setup.attach(&n, None, &photo, true).expect("attach");

    for (name, role) in agents {
        let grants = MATRIX.iter().find(|(r, _)| *r == role).expect("role").1;
        let mut desk = world.signed_in(name);
        assert_eq!(desk.role().expect("role").key, role);
        for (permission, granted) in PERMISSIONS.into_iter().zip(grants) {
            // Each permission through the operation that needs it.
            let victim = setup
                .intake(&complaint("吴敏", "13700001111", "9栋", "楼道灯坏"))
                .expect("intake")
                .number;
            let result: Result<(), complaint_desk::error::Error> = match permission {
                Permission::ApproveCompensation => desk.require(permission, None).map(drop),
                Permission::RevealPhone => {
                    desk.reveal_phone(&n).map(|p| assert_eq!(p, "13912345678"))
                }
                Permission::ViewConfidential => desk
                    .attachments(&n, true)
                    .map(|list| assert!(list[0].path.ends_with("现场照片.jpg"), "{list:?}")),
                Permission::ExportPersonalData => desk
                    .export_each(
                        &ExportScope {
                            queue: Queue::All,
                            period: None,
                            with_events: false,
                        },
                        |c, _| {
                            assert!(!c.phone.contains('*'), "export carries full phones");
                            Ok(())
                        },
                    )
                    .map(drop),
                Permission::Anonymise => desk.anonymise(&victim).map(drop),
                Permission::ManageAgents => desk.agents().map(drop),
                // Nobody handles the untriaged victim yet: taking it is a take-over.
                Permission::TakeOver => desk
                    .act(
                        &victim,
                        None,
                        &Action::Transfer {
                            to: name.into(),
                            reason: "主管接手".into(),
                        },
                    )
                    .map(|c| assert_eq!(c.handler.as_deref(), Some(name))),
                Permission::CurateLibrary => desk.library_publish(card.id, None).map(drop),
            };
            match (granted, result) {
                (true, Ok(())) => {}
                (false, Err(e)) => {
                    assert_eq!(e.key, "error.denied", "{role} × {permission:?}");
                    let denied: (String, String) = world
                        .conn()
                        .query_row(
                            "SELECT agent, detail FROM events WHERE kind = 'denied'
                             ORDER BY id DESC LIMIT 1",
                            [],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .expect("denial recorded");
                    assert_eq!(denied.0, name);
                    assert!(
                        denied
                            .1
                            .contains(complaint_desk::desk::permission_key(permission))
                    );
                }
                (granted, result) => {
                    panic!("{role} × {permission:?}: granted {granted}, got {result:?}")
                }
            }
        }
    }

    // Without a permission, the phone stays masked everywhere the desk shows it.
    let desk = world.signed_in("王丽");
    let shown = desk.case_file(&n).expect("case");
    assert_eq!(shown.complaint.phone, "139****5678");
    assert!(
        shown.attachments[0].path.is_empty(),
        "confidential path hidden"
    );
    let (page, _) = desk.page(Queue::Open, 50, None).expect("page");
    // (Complaints anonymised above have no digits left to mask.)
    assert!(
        page.iter()
            .all(|c| c.phone.is_empty() || c.phone.contains("****"))
    );

    // A permitted role that has not proved who they are is asked for the secret.
    let mut unverified = world.desk("赵主管", t0());
    assert_eq!(
        unverified.reveal_phone(&n).map_err(|e| e.key),
        Err("error.secret_required")
    );

    // A disabled agent stops at once, even with a desk already open.
    let mut admin = world.signed_in("孙管理员");
    let mut wang = world.signed_in("王丽");
    admin.disable_agent("王丽").expect("disable");
    assert_eq!(
        wang.intake(&spread).map_err(|e| e.key),
        Err("error.agent_disabled")
    );
    // The last agent manager cannot be disabled.
    assert_eq!(
        admin.disable_agent("孙管理员").map_err(|e| e.key),
        Err("error.last_admin")
    );
}

#[test]
fn dialling_a_callback_is_for_the_role_that_owes_it() {
    let world = World::new();
    let mut agent = world.signed_in("王丽");
    let n = agent
        .intake(&complaint(
            "张伟",
            "138 0013 8000",
            "3栋2单元1801",
            "卫生间漏水",
        ))
        .expect("intake")
        .number;
    let classify = classify_in();
    agent.act(&n, None, &classify).expect("classify");
    // The first reply is owed by the desk's first role: the agent may dial it.
    assert_eq!(agent.dial(&n).expect("dial"), "138 0013 8000");
    let kinds: Vec<String> = agent
        .case_file(&n)
        .expect("case")
        .events
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert!(kinds.contains(&"phone_revealed".to_string()), "{kinds:?}");
    // A complaint with nothing owed: the agent may not see the number.
    let quiet = agent
        .intake(&complaint("李雷", "13611112222", "8栋", "垃圾未清"))
        .expect("intake")
        .number;
    assert_eq!(agent.dial(&quiet).map_err(|e| e.key), Err("error.denied"));
}

/// The raw bytes of the database file (and its write-ahead log, if any).
fn file_bytes(db: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).expect("db bytes");
    let wal = db.with_extension("db-wal");
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn anonymise_erases_the_complainant_from_every_table_and_the_file() {
    let world = World::new();
    let mut agent = world.signed_in("王丽");
    let secrets = [
        "欧阳娜娜",
        "13800138000",
        "138 0013 8000",
        "海棠苑3栋2单元1801",
        "我家卫生间天花板漏水",
    ];
    let first = agent
        .intake(&complaint(
            "欧阳娜娜",
            "138 0013 8000",
            "海棠苑3栋2单元1801",
            "我家卫生间天花板漏水，欧阳娜娜要求赔偿",
        ))
        .expect("intake")
        .number;
    let second = agent
        .intake(&complaint(
            "欧阳娜娜",
            "13800138000",
            "海棠苑3栋2单元1801",
            "我家卫生间天花板漏水又犯了",
        ))
        .expect("intake")
        .number;
    let other = agent
        .intake(&complaint("司马光", "13911112222", "竹园1栋", "电梯异响"))
        .expect("intake")
        .number;
    let classify = classify_in();
    agent.act(&first, None, &classify).expect("classify");
    agent
        .act(
            &first,
            None,
            &Action::Verify {
                motive: "欧阳娜娜担心楼下邻居".into(),
                outcome: "13800138000 回电".into(),
                mood: None,
            },
        )
        .expect("verify");
    agent
        .log_callback(
            &first,
            None,
            None,
            complaint_desk::desk::CallResult::NoAnswer,
            "打 138 0013 8000 无人接",
            None,
        )
        .expect("callback");
    // Another agent's half-typed form about her.
    let mut supervisor = world.signed_in("赵主管");
    supervisor
        .save_draft(&complaint("欧阳娜娜", "13800138000", "海棠苑", "又来投诉"))
        .expect("draft");
    let by_category = |w: &World| -> i64 {
        w.conn()
            .query_row(
                "SELECT count(*) FROM complaints WHERE category = 'leak'",
                [],
                |r| r.get(0),
            )
            .expect("count")
    };
    let before = by_category(&world);
    world
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    assert!(
        contains(&file_bytes(&world.db), "欧阳娜娜"),
        "the test can see text"
    );

    let mut admin = world.signed_in("孙管理员");
    let erased = admin.anonymise(&second).expect("anonymise");
    assert_eq!(erased.complaints, 2, "both complaints with her phone");
    assert!(erased.events >= 4, "{erased:?}");
    assert_eq!(erased.drafts, 1);

    // Statistics stay: categories, stages, counts.
    assert_eq!(by_category(&world), before);
    let c = admin.case_file(&first).expect("case");
    assert_eq!(c.complaint.name, "***");
    assert_eq!(
        c.complaint.stage,
        complaint_desk::domain::stage::Stage::Verified
    );
    assert_eq!(
        admin.case_file(&other).expect("other").complaint.name,
        "司马光"
    );
    // The audit chain is still whole.
    assert!(admin.audit_verify(None).expect("verify").is_whole());

    // No trace in any table, nor in the file once checkpointed, and none after VACUUM.
    let conn = world.conn();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    let bytes = file_bytes(&world.db);
    for s in secrets {
        assert!(
            !contains(&bytes, s),
            "{s} lingers in the file after a checkpoint"
        );
    }
    conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("vacuum");
    let bytes = file_bytes(&world.db);
    for s in secrets {
        assert!(!contains(&bytes, s), "{s} lingers in the file after VACUUM");
    }
    assert!(contains(&bytes, "司马光"), "others are kept");
}

/// Every column of case card `id` as stored, in order.
fn card_row(conn: &Connection, id: i64) -> Vec<rusqlite::types::Value> {
    let mut stmt = conn
        .prepare("SELECT * FROM library_cards WHERE id = ?1")
        .expect("prepare");
    let n = stmt.column_count();
    stmt.query_row([id], |r| {
        (0..n)
            .map(|i| r.get::<_, rusqlite::types::Value>(i))
            .collect()
    })
    .expect("card row")
}

#[test]
fn erasing_a_complainant_leaves_the_library_cards_whole() {
    let world = World::new();
    let mut agent = world.signed_in("王丽");
    let secrets = [
        "欧阳娜娜",
        "13800138000",
        "138 0013 8000",
        "海棠苑3栋2单元1801",
    ];
    let number = agent
        .intake(&complaint(
            "欧阳娜娜",
            "138 0013 8000",
            "海棠苑3栋2单元1801",
            "欧阳女士反映卫生间天花板漏水，疑为楼上1901防水失效，回电13800138000",
        ))
        .expect("intake")
        .number;
    for step in common::to_remedied("minor") {
        agent.act(&number, None, &step).expect("move");
    }
    let close = Action::Close {
        summary: "更换楼上防水层，欧阳娜娜确认不再滴水".into(),
        root_cause: "防水层施工缺陷".into(),
        lesson: "顶棚滴水先查楼上防水，当天上门".into(),
        referred: false,
    };
    let (_, card) = agent
        .close_to_library(&number, None, &close)
        .expect("close to the library");
    let mut lead = world.signed_in("赵主管");
    lead.library_publish(card.id, None).expect("publish");
    let conn = world.conn();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    let before = card_row(&conn, card.id);
    let bytes = file_bytes(&world.db);
    assert!(contains(&bytes, "欧阳娜娜"), "the test can see text");
    let facts = lead.library_card(card.id).expect("card").text.facts;
    assert!(facts.contains("〔业主〕反映卫生间天花板漏水"), "{facts}");
    assert!(contains(&bytes, &facts), "the card is in the file");
    for s in secrets {
        assert!(!format!("{before:?}").contains(s), "{s} in the card");
    }

    let mut admin = world.signed_in("孙管理员");
    admin.anonymise(&number).expect("anonymise");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    let bytes = file_bytes(&world.db);
    for s in secrets {
        assert!(!contains(&bytes, s), "{s} lingers in the file");
    }
    // The card: the same row, byte for byte, its text still in the file.
    assert_eq!(card_row(&conn, card.id), before);
    assert!(contains(&bytes, &facts), "the card's text is kept");
    assert!(contains(&bytes, "顶棚滴水先查楼上防水，当天上门"));
    assert!(admin.audit_verify(None).expect("verify").is_whole());
}

/// A second connection of another program with a read transaction open (on a snapshot
/// from before the erasure, which needs the log's pages).
fn reader_in_a_transaction(world: &World) -> Connection {
    let reader = world.conn();
    reader.execute_batch("BEGIN").expect("begin");
    let _: i64 = reader
        .query_row("SELECT count(*) FROM complaints", [], |r| r.get(0))
        .expect("read");
    reader
}

/// A desk whose complaint names 欧阳娜娜 (name, phone, description), with her text in the
/// write-ahead log; its number.
fn her_complaint(world: &World) -> String {
    let mut agent = world.signed_in("王丽");
    agent
        .intake(&complaint(
            "欧阳娜娜",
            "13800138000",
            "海棠苑3栋2单元1801",
            "欧阳娜娜家卫生间漏水",
        ))
        .expect("intake")
        .number
}

#[test]
fn anonymise_waits_for_another_programs_read_and_leaves_no_text_in_any_file() {
    let world = World::new();
    let number = her_complaint(&world);
    let reader = reader_in_a_transaction(&world);
    let done = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(800));
        reader.execute_batch("COMMIT").expect("end the read");
    });
    let mut admin = world.signed_in("孙管理员");
    let erased = admin.anonymise(&number).expect("anonymise");
    done.join().expect("reader thread");
    assert_eq!(erased.log_held, None, "the read ended in time");
    // Without any checkpoint of the test's own: the erasure's is enough.
    let bytes = file_bytes(&world.db);
    for s in ["欧阳娜娜", "13800138000", "海棠苑3栋2单元1801"] {
        assert!(
            !contains(&bytes, s),
            "{s} lingers in the database or its log"
        );
    }
    let wal = std::fs::metadata(format!("{}-wal", world.db.display())).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the log is truncated");
}

#[test]
fn anonymise_says_so_when_another_program_never_lets_go_of_the_log() {
    let world = World::new();
    let number = her_complaint(&world);
    let reader = reader_in_a_transaction(&world);
    let mut admin = world.signed_in("孙管理员");
    let started = std::time::Instant::now();
    let erased = admin
        .anonymise(&number)
        .expect("the erasure itself succeeds");
    assert!(started.elapsed() >= complaint_desk::desk::ERASURE_PATIENCE);
    let wal = erased.log_held.expect("the log is named");
    assert_eq!(
        wal,
        std::path::PathBuf::from(format!("{}-wal", world.db.display()))
    );
    assert_eq!(erased.complaints, 1);
    assert_eq!(
        admin.case_file(&number).expect("case").complaint.name,
        "***",
        "erased all the same"
    );
    // Once the other program lets go, the next checkpoint takes the text away.
    drop(reader);
    world
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    assert!(!contains(&file_bytes(&world.db), "欧阳娜娜"));
}

/// A database with a few dozen events, and a raw connection on a copy of it without the
/// append-only triggers (what someone with the file and sqlite3 could do).
fn tampered_copy(world: &World, name: &str, tamper: &str) -> Store {
    let copy = world._dir.path().join(name);
    std::fs::copy(&world.db, &copy).expect("copy");
    let conn = Connection::open(&copy).expect("copy connection");
    conn.execute_batch(&format!(
        "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; {tamper}"
    ))
    .expect("tamper");
    drop(conn);
    Store::open(&copy).expect("open copy")
}

#[test]
fn altering_deleting_or_reordering_any_single_event_breaks_the_audit_chain() {
    let world = World::new();
    let mut agent = world.signed_in("王丽");
    for i in 0..3 {
        agent
            .intake(&complaint(
                "张伟",
                "13800138000",
                "3栋",
                &format!("第{i}次漏水"),
            ))
            .expect("intake");
    }
    {
        // Clean checkpoint so the copies are whole files.
        world
            .conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
    }
    let store = Store::open(&world.db).expect("open");
    let report = store.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
    let (head, rows) = store.audit_head().expect("head");
    assert_eq!(report.head, head);
    assert_eq!(report.rows as i64, rows);
    assert!(rows >= 9, "{rows} events");
    // The last upgrade (to 14) recorded after the seal and the upgrade to 13 (a fresh file
    // runs every migration).
    let upgrade: i64 = world
        .conn()
        .query_row(
            "SELECT max(id) FROM events WHERE kind = 'schema_upgraded'",
            [],
            |r| r.get(0),
        )
        .expect("the upgrade event");
    drop(store);

    for id in 1..=rows {
        let cases = [
            (
                "agent",
                format!("UPDATE events SET agent = '冒名' WHERE id = {id}"),
                Breach::Content,
            ),
            (
                "at",
                format!("UPDATE events SET at = at + 60 WHERE id = {id}"),
                Breach::Content,
            ),
            (
                "detail",
                format!("UPDATE events SET detail = '{{\"forged\":true}}' WHERE id = {id}"),
                Breach::Detail,
            ),
            (
                "erase",
                format!("UPDATE events SET nonce = NULL, detail = '{{}}' WHERE id = {id}"),
                Breach::ErasedForm,
            ),
            (
                "delete",
                format!("DELETE FROM events WHERE id = {id}"),
                Breach::Link,
            ),
        ];
        for (what, sql, breach) in cases {
            let store = tampered_copy(&world, &format!("{what}-{id}.db"), &sql);
            let report = store.audit_verify(Some(&head)).expect("verify");
            assert!(!report.is_whole(), "{what} of event {id} undetected");
            if id == rows && what == "delete" {
                // The newest row removed: the chain is whole but shorter; the kept head
                // is what tells.
                assert_eq!(report.broken, None);
                assert_eq!(report.kept_head_found, Some(false));
            } else if id == upgrade && what == "delete" {
                // Without it the version recorded last (13) is not the file's.
                assert_eq!(report.broken, Some((upgrade - 1, Breach::Schema)));
            } else {
                let expected_at = if what == "delete" { id + 1 } else { id };
                // Erasing to `{}` a row whose erased form is `{}` leaves the form right; it
                // is then the missing anonymisation that tells.
                let breach = match (breach, report.broken) {
                    (Breach::ErasedForm, Some((_, Breach::Erased))) => Breach::Erased,
                    _ => breach,
                };
                assert_eq!(report.broken, Some((expected_at, breach)), "{what} of {id}");
            }
        }
        // Reordering: this row swapped with the next one.
        if id < rows {
            let swap = format!(
                "UPDATE events SET id = -1 WHERE id = {id};
                 UPDATE events SET id = {id} WHERE id = {next};
                 UPDATE events SET id = {next} WHERE id = -1;",
                next = id + 1
            );
            let store = tampered_copy(&world, &format!("swap-{id}.db"), &swap);
            let report = store.audit_verify(None).expect("verify");
            assert_eq!(report.broken.map(|(at, _)| at), Some(id), "swap of {id}");
        }
    }
}

#[test]
fn a_version_6_database_is_upgraded_to_a_whole_chain_with_its_events_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("old.db");
    let conn = common::schema_6_file(&db);
    conn.execute_batch(
        "PRAGMA user_version = 6;
         INSERT INTO agents (name, role, created_at) VALUES ('老王', 'admin', 0);
         INSERT INTO complaints (id, number, received_at, channel, name, phone, phone_norm,
             location, category, description, stage, created_at, updated_at, created_by)
         VALUES (1, '20200101-0001', 0, 'phone', '张伟', '13800138000', '13800138000',
             '3栋', 'leak', '漏水', 'received', 0, 0, '老王');
         INSERT INTO events (complaint_id, at, agent, kind, to_stage, detail)
         VALUES (1, 0, '老王', 'received', 'received', '{\"category\":\"leak\"}'),
                (1, 60, '老王', 'classified', 'received', '{\"severity\":\"minor\"}');",
    )
    .expect("old rows");
    drop(conn);

    let store = Store::open(&db).expect("upgrade");
    let report = store.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
    // The two old events, the seal migration 12 appends over them, and one upgrade event
    // per migration after 12.
    let upgrades = u64::try_from(complaint_desk::store::schema_version() - 12).expect("upgrades");
    assert_eq!(report.rows, 2 + 1 + upgrades);
    let events = store.events(1).expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].detail["severity"], "minor");
    // The legacy agent has no secret: it sets one at its next sign-in.
    let mut desk = Desk::new(store, config(), "老王", Box::new(FixedClock(t0()))).expect("desk");
    desk.sign_in("老王", "4680")
        .expect("first sign-in sets the secret");
    let mut again = Desk::new(
        Store::open(&db).expect("open"),
        config(),
        "老王",
        Box::new(FixedClock(t0())),
    )
    .expect("desk");
    assert_eq!(
        again.sign_in("老王", "0000").map_err(|e| e.key),
        Err("error.sign_in_failed")
    );

    // Erasing the old rows later keeps the chain whole: the seal committed to their erased
    // forms.
    desk.anonymise("20200101-0001").expect("anonymise");
    let store = Store::open(&db).expect("open");
    assert!(store.audit_verify(None).expect("verify").is_whole());
    drop(store);
    // An erased old row rewritten (its facts changed), the guards put back as they were.
    let conn = Connection::open(&db).expect("raw");
    let guards: Vec<String> = conn
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("guards");
    conn.execute_batch(
        "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;
         UPDATE events SET detail = '{\"category\":\"fire\"}' WHERE id = 1;",
    )
    .expect("rewrite");
    for sql in &guards {
        conn.execute_batch(sql).expect("guard back");
    }
    drop(conn);
    let report = Store::open(&db)
        .expect("open")
        .audit_verify(None)
        .expect("verify");
    assert!(report.guards_missing.is_empty(), "{report:?}");
    assert_eq!(
        report.broken,
        Some((3, Breach::Seal)),
        "the seal is event 3"
    );
}

/// One header byte (`user_version`) set back must not make the app migrate again and so
/// re-seal the audit chain over an edit: the file is refused, untouched (at 17, by the
/// index migration 18 made).
#[test]
fn a_file_whose_version_was_set_back_is_refused_untouched() {
    let world = World::new();
    let mut agent = world.signed_in("王丽");
    agent
        .intake(&complaint("张伟", "13800138000", "3栋", "漏水"))
        .expect("intake");
    drop(agent);
    world
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    for version in [7, 10, 11, 12, 17] {
        world
            .conn()
            .pragma_update(None, "user_version", version)
            .expect("set back");
        let before = file_bytes(&world.db);
        let err = Store::open(&world.db).map(|_| ()).expect_err("refused");
        assert_eq!(err.key, "error.schema_set_back", "version {version}");
        assert_eq!(
            file_bytes(&world.db),
            before,
            "version {version}: untouched"
        );
    }
}
