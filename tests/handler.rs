//! Who handles a case (承办人) on real files: set by classification or intake, changed only
//! by a recorded transfer (转办) or take-over (接手); the mine, waiting and approval queues
//! and the view counts; the backfill of a file made by an earlier schema; the command line
//! on the built binary.

mod common;

use chrono::{DateTime, Duration, Utc};
use complaint_desk::config::{Config, HandlerFrom, Preset};
use complaint_desk::desk::{Desk, FixedClock, ViewCounts};
use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::{Action, WaitOn};
use complaint_desk::domain::stage::Stage;
use complaint_desk::store::Store;
use rusqlite::Connection;

const PIN: &str = "2580";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
        .expect("time")
        .with_timezone(&Utc)
}

fn config() -> Config {
    Config::preset(Preset::PropertyManagement).expect("preset")
}

fn from_intake() -> Config {
    let mut config = config();
    config.policy.handling.handler_from = HandlerFrom::Intake;
    config
}

/// A database with 王丽 and 李娜 (agents), 赵主管 (supervisor) and 钱经理 (manager).
struct World {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("desk.db");
        let mut store = Store::open(&db).expect("open");
        for (name, role) in [
            ("王丽", "agent"),
            ("李娜", "agent"),
            ("赵主管", "supervisor"),
            ("钱经理", "manager"),
        ] {
            store.agent_active(name, role, now()).expect("register");
        }
        World { _dir: dir, db }
    }

    fn desk_with(&self, agent: &str, config: Config) -> Desk {
        let store = Store::open(&self.db).expect("open");
        Desk::new(store, config, agent, Box::new(FixedClock(now()))).expect("desk")
    }

    fn desk(&self, agent: &str) -> Desk {
        self.desk_with(agent, config())
    }

    /// A desk whose agent proved who they are (the first sign-in sets the secret).
    fn signed_in(&self, agent: &str) -> Desk {
        let mut desk = self.desk(agent);
        desk.sign_in(agent, PIN).expect("sign in");
        desk
    }
}

fn leak() -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::Phone),
        name: "张伟".into(),
        phone: "13800138000".into(),
        location: "3栋2单元1801".into(),
        category: "漏水".into(),
        description: "卫生间天花板漏水".into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

fn crack() -> NewComplaint {
    NewComplaint {
        category: "墙面开裂".into(),
        description: "客厅墙面开裂".into(),
        ..leak()
    }
}

fn classify_in() -> Action {
    Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: None,
        severity: "minor".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    }
}

fn classify_out() -> Action {
    Action::Classify {
        scope: Scope::Out,
        party: Some("developer".into()),
        complaint_type: None,
        severity: "minor".into(),
        intent: Intent::Unclear,
        spread_risk: false,
        explained: true,
    }
}

fn to_planned(compensation: Option<u32>) -> Vec<Action> {
    vec![
        classify_in(),
        Action::Verify {
            motive: "想尽快修好".into(),
            outcome: "上门维修".into(),
            mood: None,
        },
        Action::Assess {
            facts: "防水层破损".into(),
            severity: None,
        },
        Action::Plan {
            department: "工程部".into(),
            actions: "更换防水层".into(),
            promised: None,
            confirmed: true,
            compensation,
            gift: None,
        },
    ]
}

fn transfer(to: &str) -> Action {
    Action::Transfer {
        to: to.into(),
        reason: "该楼栋由其负责".into(),
    }
}

fn walk(desk: &mut Desk, intake: &NewComplaint, steps: &[Action]) -> String {
    let number = desk.intake(intake).expect("intake").number;
    for step in steps {
        desk.act(&number, None, step)
            .unwrap_or_else(|e| panic!("{number} {step:?}: {e:?}"));
    }
    number
}

fn handler(desk: &Desk, number: &str) -> Option<String> {
    desk.case_file(number).expect("case").complaint.handler
}

fn numbers(desk: &Desk, queue: Queue) -> Vec<String> {
    let mut all = Vec::new();
    desk.for_each(queue, None, |c| {
        all.push(c.number.clone());
        Ok(())
    })
    .expect("queue");
    all
}

#[test]
fn the_setting_is_optional_and_checked() {
    let old = Config::from_toml("preset = \"pest-control\"\n", "old.toml").expect("old file");
    assert_eq!(
        old.policy.handling.handler_from,
        HandlerFrom::Classification
    );
    let intake =
        Config::from_toml("[handling]\nhandler_from = \"intake\"\n", "new.toml").expect("new file");
    assert_eq!(intake.policy.handling.handler_from, HandlerFrom::Intake);
    let again = Config::from_toml(&intake.to_toml().expect("toml"), "again").expect("reload");
    assert_eq!(again.policy.handling, intake.policy.handling);
    let err = Config::from_toml("[handling]\nhandler_from = \"desk\"\n", "bad.toml")
        .expect_err("unknown value");
    assert_eq!(err.key, "error.config_syntax");
}

#[test]
fn the_first_classifier_handles_the_case_and_a_correction_keeps_them() {
    let world = World::new();
    let mut wang = world.desk("王丽");
    let n = wang.intake(&leak()).expect("intake").number;
    assert_eq!(handler(&wang, &n), None, "nobody before triage");
    let mut li = world.desk("李娜");
    let c = li.act(&n, Some(1), &classify_in()).expect("classify");
    assert_eq!(c.handler.as_deref(), Some("李娜"));
    let event = li.case_file(&n).expect("case").events.pop().expect("event");
    assert_eq!(event.detail["handler"], "李娜", "the event records it");
    // A correction while still received, by someone else, changes the classification only.
    let c = wang.act(&n, Some(2), &classify_in()).expect("correct");
    assert_eq!(c.handler.as_deref(), Some("李娜"));
    assert_eq!(numbers(&li, Queue::Mine), vec![n.clone()]);
    assert!(numbers(&wang, Queue::Mine).is_empty());
}

#[test]
fn with_handlers_from_intake_the_intake_agent_handles_it_and_old_cases_get_theirs() {
    let world = World::new();
    // Taken while handlers came from classification: nobody handles it yet.
    let earlier = world.desk("李娜").intake(&leak()).expect("intake").number;
    let mut wang = world.desk_with("王丽", from_intake());
    assert_eq!(
        handler(&wang, &earlier).as_deref(),
        Some("李娜"),
        "opening with handlers from intake gives it its intake agent"
    );
    let n = wang.intake(&leak()).expect("intake").number;
    assert_eq!(handler(&wang, &n).as_deref(), Some("王丽"));
    let received = wang.case_file(&n).expect("case").events.remove(0);
    assert_eq!(received.detail["handler"], "王丽");
    let mut li = world.desk_with("李娜", from_intake());
    let c = li.act(&n, None, &classify_in()).expect("classify");
    assert_eq!(
        c.handler.as_deref(),
        Some("王丽"),
        "classifying does not take it"
    );
    assert_eq!(numbers(&wang, Queue::Mine), vec![n]);
}

#[test]
fn the_handler_transfers_and_a_take_over_needs_the_permission() {
    let world = World::new();
    let mut wang = world.signed_in("王丽");
    let n = walk(&mut wang, &leak(), &[classify_in()]);
    assert_eq!(handler(&wang, &n).as_deref(), Some("王丽"));

    // The handler hands it on: a recorded move, the stage kept, the version bumped.
    let c = wang.act(&n, Some(2), &transfer("李娜")).expect("transfer");
    assert_eq!(
        (c.handler.as_deref(), c.stage, c.version),
        (Some("李娜"), Stage::Received, 3)
    );
    let e = wang
        .case_file(&n)
        .expect("case")
        .events
        .pop()
        .expect("event");
    assert_eq!((e.kind.as_str(), e.agent.as_str()), ("transferred", "王丽"));
    assert_eq!(
        (e.from_stage, e.to_stage),
        (Some(Stage::Received), Some(Stage::Received))
    );
    assert_eq!(e.detail["from"], "王丽");
    assert_eq!(e.detail["to"], "李娜");
    assert_eq!(e.detail["reason"], "该楼栋由其负责");
    assert_eq!(e.detail["take_over"], false);

    // Now it is 李娜's: 王丽 (an agent) may not take it back; the denial is recorded.
    let events = wang.case_file(&n).expect("case").events.len();
    let err = wang
        .act(&n, Some(3), &transfer("王丽"))
        .expect_err("take-over");
    assert_eq!(err.key, "error.denied");
    assert_eq!(err.get("permission"), Some("take_over"));
    let case = wang.case_file(&n).expect("case");
    assert_eq!((case.complaint.version, case.events.len()), (3, events + 1));
    let denial = case.events.last().expect("denial");
    assert_eq!(
        (denial.kind.as_str(), denial.agent.as_str()),
        ("denied", "王丽")
    );
    assert_eq!(denial.detail["permission"], "take_over");

    // A supervisor may, once they proved who they are.
    let mut unverified = world.desk("赵主管");
    assert_eq!(
        unverified
            .act(&n, Some(3), &transfer("赵主管"))
            .map_err(|e| e.key),
        Err("error.secret_required")
    );
    let mut zhao = world.signed_in("赵主管");
    let c = zhao
        .act(&n, Some(3), &transfer("赵主管"))
        .expect("take over");
    assert_eq!((c.handler.as_deref(), c.version), (Some("赵主管"), 4));
    let e = zhao
        .case_file(&n)
        .expect("case")
        .events
        .pop()
        .expect("event");
    assert_eq!(e.detail["take_over"], true);
    assert_eq!(e.detail["from"], "李娜");

    // A stale version is a conflict; nothing changes.
    let err = zhao.act(&n, Some(3), &transfer("李娜")).expect_err("stale");
    assert_eq!(err.key, "error.conflict");
    assert_eq!(handler(&zhao, &n).as_deref(), Some("赵主管"));

    // The new handler must be registered and enabled, and someone else; a reason is required.
    for (action, key) in [
        (transfer("无名氏"), "error.transfer_target"),
        (transfer("赵主管"), "error.already_handler"),
        (
            Action::Transfer {
                to: "李娜".into(),
                reason: " ".into(),
            },
            "error.required",
        ),
    ] {
        let err = zhao.act(&n, Some(4), &action).expect_err("refused");
        assert_eq!(err.key, key, "{action:?}");
        assert!(err.get("field").is_some(), "{action:?} names its input");
    }
    Store::open(&world.db)
        .expect("open")
        .agent_active("孙管理员", "admin", now())
        .expect("register");
    let mut admin = world.desk("孙管理员");
    admin.sign_in("孙管理员", PIN).expect("sign in");
    admin.disable_agent("李娜").expect("disable");
    let err = zhao
        .act(&n, Some(4), &transfer("李娜"))
        .expect_err("disabled");
    assert_eq!(err.key, "error.transfer_target");
    assert_eq!(zhao.case_file(&n).expect("case").complaint.version, 4);

    assert!(zhao.audit_verify(None).expect("verify").is_whole());
}

#[test]
fn a_closed_case_is_not_transferred() {
    let world = World::new();
    let mut wang = world.signed_in("王丽");
    let n = walk(
        &mut wang,
        &crack(),
        &[
            classify_out(),
            Action::Refer {
                to: "developer".into(),
                note: String::new(),
            },
            Action::Close {
                summary: String::new(),
                root_cause: String::new(),
                lesson: String::new(),
                referred: true,
            },
        ],
    );
    let c = wang.case_file(&n).expect("case").complaint;
    assert_eq!(c.stage, Stage::ClosedReferred);
    let err = wang
        .act(&n, Some(c.version), &transfer("李娜"))
        .expect_err("closed");
    assert_eq!(err.key, "error.move_forbidden");
    assert_eq!(err.get("hint"), Some("hint.closed"));
    let mut zhao = world.signed_in("赵主管");
    assert_eq!(
        zhao.act(&n, Some(c.version), &transfer("赵主管"))
            .map_err(|e| e.key),
        Err("error.move_forbidden")
    );
    assert_eq!(handler(&wang, &n).as_deref(), Some("王丽"));
}

#[test]
fn mine_waiting_and_approval_queues_and_their_counts() {
    let world = World::new();
    let mut wang = world.signed_in("王丽");
    let mut li = world.signed_in("李娜");
    let untriaged = wang.intake(&leak()).expect("intake").number;
    let mine = walk(&mut wang, &leak(), &[classify_in()]);
    let hers = walk(&mut li, &leak(), &[classify_in()]);
    let waiting_customer = walk(
        &mut wang,
        &leak(),
        &[
            classify_in(),
            Action::Wait {
                on: WaitOn::Customer,
                note: "等业主提供照片".into(),
            },
        ],
    );
    let waiting_party = walk(
        &mut li,
        &crack(),
        &[
            classify_out(),
            Action::Refer {
                to: "developer".into(),
                note: String::new(),
            },
            Action::Wait {
                on: WaitOn::ThirdParty,
                note: String::new(),
            },
        ],
    );
    // 500 is within a supervisor's limit (2000), 5000 only within a manager's (10000).
    let small = walk(&mut wang, &leak(), &to_planned(Some(500)));
    let large = walk(&mut wang, &leak(), &to_planned(Some(5000)));
    let closed = walk(
        &mut wang,
        &crack(),
        &[
            classify_out(),
            Action::Refer {
                to: "developer".into(),
                note: String::new(),
            },
            Action::Close {
                summary: String::new(),
                root_cause: String::new(),
                lesson: String::new(),
                referred: true,
            },
        ],
    );

    assert_eq!(
        numbers(&wang, Queue::Mine),
        vec![
            mine.clone(),
            waiting_customer.clone(),
            small.clone(),
            large.clone()
        ],
        "my open cases, oldest first"
    );
    assert_eq!(
        numbers(&li, Queue::Mine),
        vec![hers.clone(), waiting_party.clone()]
    );
    assert_eq!(
        numbers(&wang, Queue::Waiting),
        vec![waiting_customer.clone(), waiting_party.clone()]
    );
    assert!(
        numbers(&wang, Queue::Approval).is_empty(),
        "an agent approves nothing"
    );
    let zhao = world.signed_in("赵主管");
    assert_eq!(numbers(&zhao, Queue::Approval), vec![small.clone()]);
    let qian = world.signed_in("钱经理");
    assert_eq!(
        numbers(&qian, Queue::Approval),
        vec![small.clone(), large.clone()]
    );

    // Paged both ways through the index.
    let (first, cursor) = wang.page(Queue::Mine, 3, None).expect("page");
    let (second, _) = wang.page(Queue::Mine, 3, cursor).expect("page");
    let forward: Vec<_> = first.iter().chain(&second).map(|c| &c.number).collect();
    assert_eq!(forward, vec![&mine, &waiting_customer, &small, &large]);
    let (last, before) = wang.page_before(Queue::Mine, 3, None).expect("last page");
    assert_eq!(
        last.iter().map(|c| &c.number).collect::<Vec<_>>(),
        vec![&waiting_customer, &small, &large]
    );
    let (earlier, _) = wang.page_before(Queue::Mine, 3, before).expect("page");
    assert_eq!(
        earlier.iter().map(|c| &c.number).collect::<Vec<_>>(),
        vec![&mine]
    );

    // A transfer moves the case between the handlers' queues; closing takes it out.
    wang.act(&mine, None, &transfer("李娜")).expect("transfer");
    assert!(numbers(&li, Queue::Mine).contains(&mine));
    assert!(!numbers(&wang, Queue::Mine).contains(&mine));
    assert!(!numbers(&wang, Queue::Mine).contains(&closed));

    assert_eq!(
        wang.view_counts().expect("counts"),
        ViewCounts {
            mine: 3,
            open: 7,
            waiting: 2,
            approval: 0,
            closed_recently: 1,
            all: 8,
        }
    );
    assert_eq!(qian.view_counts().expect("counts").approval, 2);
    assert_eq!(zhao.view_counts().expect("counts").approval, 1);
    assert_eq!(li.view_counts().expect("counts").mine, 3);
    // Closed 31 days ago is no longer recent.
    let later = Desk::new(
        Store::open(&world.db).expect("open"),
        config(),
        "王丽",
        Box::new(FixedClock(now() + Duration::days(31))),
    )
    .expect("desk");
    assert_eq!(later.view_counts().expect("counts").closed_recently, 0);
    assert!(numbers(&wang, Queue::Open).contains(&untriaged));
}

#[test]
fn a_file_of_an_earlier_schema_gets_its_handlers_from_the_first_classification() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("old.db");
    let conn = common::schema_6_file(&db);
    // Complaint 1 classified by 李娜, then corrected by 王丽; 2 untriaged; 3 closed.
    conn.execute_batch(
        "PRAGMA user_version = 6;
         INSERT INTO agents (name, role, created_at) VALUES ('王丽', 'agent', 0), ('李娜', 'agent', 0);
         INSERT INTO complaints (id, number, received_at, channel, name, phone, phone_norm,
             location, category, description, scope, severity, stage, closed_at, created_at,
             updated_at, created_by)
         VALUES (1, '20200101-0001', 0, 'phone', '张伟', '13800138000', '13800138000',
                 '3栋', 'leak', '漏水', 'in', 'minor', 'received', NULL, 0, 0, '王丽'),
                (2, '20200101-0002', 10, 'phone', '李娜娜', '13900139000', '13900139000',
                 '5栋', 'leak', '漏水', NULL, NULL, 'received', NULL, 10, 10, '王丽'),
                (3, '20200101-0003', 20, 'phone', '赵四', '13700137000', '13700137000',
                 '7栋', 'wall-crack', '裂缝', 'out', 'minor', 'closed_referred', 500, 20, 500,
                 '王丽');
         INSERT INTO events (complaint_id, at, agent, kind, to_stage, detail) VALUES
             (1, 0, '王丽', 'received', 'received', '{}'),
             (1, 60, '李娜', 'classified', 'received', '{}'),
             (1, 90, '王丽', 'classified', 'received', '{}'),
             (2, 10, '王丽', 'received', 'received', '{}'),
             (3, 20, '王丽', 'received', 'received', '{}'),
             (3, 80, '王丽', 'classified', 'received', '{}');",
    )
    .expect("old rows");
    drop(conn);

    let store = Store::open(&db).expect("upgrade");
    let version: i64 = Connection::open(&db)
        .expect("raw")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, complaint_desk::store::schema_version());
    assert!(store.audit_verify(None).expect("verify").is_whole());
    let desk = Desk::new(store, config(), "李娜", Box::new(FixedClock(now()))).expect("desk");
    assert_eq!(
        handler(&desk, "20200101-0001").as_deref(),
        Some("李娜"),
        "the first"
    );
    assert_eq!(
        handler(&desk, "20200101-0002"),
        None,
        "untriaged: nobody yet"
    );
    assert_eq!(handler(&desk, "20200101-0003").as_deref(), Some("王丽"));
    assert_eq!(
        numbers(&desk, Queue::Mine),
        vec!["20200101-0001".to_string()]
    );
    // With handlers from intake, the untriaged one goes to whoever took it.
    let wang = Desk::new(
        Store::open(&db).expect("open"),
        from_intake(),
        "王丽",
        Box::new(FixedClock(now())),
    )
    .expect("desk");
    assert_eq!(handler(&wang, "20200101-0002").as_deref(), Some("王丽"));
    assert_eq!(
        numbers(&wang, Queue::Mine),
        vec!["20200101-0002".to_string()]
    );
}

// ---------------------------------------------------------------------------------------
// The command line on the built binary.

fn numbers_of(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|c| c["number"].as_str().expect("number"))
        .collect()
}

#[test]
fn cli_queues_transfer_and_the_handler_everywhere() {
    use common::{Desk as Cli, leak as leak_args, stdout};
    use predicates::prelude::*;
    let desk = Cli::new();
    let n = desk.add(&leak_args());
    let m = desk.add(&leak_args());
    desk.case(&n, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    desk.case(&m, &["classify", "--scope", "in", "--severity", "minor"])
        .success();

    let mine = desk.json(&["list", "--queue", "mine", "--format", "json"]);
    assert_eq!(numbers_of(&mine), vec![n.as_str(), m.as_str()]);
    let row = &mine[0];
    assert_eq!(row["handler"], "王丽");
    for key in [
        "number",
        "received_at",
        "stage",
        "version",
        "scope",
        "severity",
    ] {
        assert!(row.get(key).is_some(), "{key} in {row}");
    }
    let theirs = desk.json_as("李娜", &["list", "--queue", "mine", "--format", "json"]);
    assert_eq!(theirs, serde_json::json!([]));

    // Waiting on the customer, and compensation awaiting approval.
    desk.case(&n, &["wait", "--on", "customer"]).success();
    let waiting = desk.json(&["list", "--queue", "waiting", "--format", "json"]);
    assert_eq!(numbers_of(&waiting), vec![n.as_str()]);
    assert_eq!(waiting[0]["handling"]["waiting_on_customer"], true);
    for step in [
        vec!["verify", "--motive", "尽快修好", "--outcome", "上门维修"],
        vec!["assess", "--facts", "防水层破损"],
        vec![
            "plan",
            "--department",
            "工程部",
            "--actions",
            "更换防水层",
            "--compensation",
            "500",
        ],
    ] {
        desk.case(&m, &step).success();
    }
    let none = desk.json(&["list", "--queue", "approval", "--format", "json"]);
    assert_eq!(none, serde_json::json!([]), "an agent approves nothing");
    let approval = desk.json_as("李娜", &["list", "--queue", "approval", "--format", "json"]);
    assert_eq!(numbers_of(&approval), vec![m.as_str()]);
    assert_eq!(
        approval[0]["handling"]["plan"]["approval"]["state"],
        "pending"
    );

    // The handler transfers to 赵强 (manager); 王丽 may not take it back; 李娜
    // (supervisor) takes it over with her secret.
    desk.case(
        &n,
        &["transfer", "--to", "赵强", "--reason", "转工程经理跟进"],
    )
    .success();
    let shown = desk.show(&n);
    assert_eq!(shown["handler"], "赵强");
    let last = shown["events"].as_array().expect("events").last().cloned();
    let last = last.expect("event");
    assert_eq!(last["kind"], "transferred");
    assert_eq!(last["detail"]["from"], "王丽");
    assert_eq!(last["detail"]["to"], "赵强");
    desk.case(&n, &["transfer", "--to", "王丽", "--reason", "我来"])
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::starts_with("error: 王丽（")
                .and(predicate::str::contains("接手他人承办的投诉")),
        );
    assert_eq!(
        common::event_kinds(&desk.show(&n))
            .last()
            .map(String::as_str),
        Some("denied")
    );
    desk.as_agent("李娜")
        .args([
            "case",
            &n,
            "transfer",
            "--to",
            "李娜",
            "--reason",
            "主管接手",
        ])
        .assert()
        .success();
    // A take-over asks for the secret: a wrong one is refused.
    desk.cmd()
        .env("COMPLAINT_DESK_AGENT", "李娜")
        .env("COMPLAINT_DESK_SECRET", "0000")
        .args([
            "case",
            &m,
            "transfer",
            "--to",
            "李娜",
            "--reason",
            "密码不对",
        ])
        .assert()
        .code(1);
    assert_eq!(desk.show(&m)["handler"], "王丽");
    assert_eq!(desk.show(&n)["handler"], "李娜");
    let hers = desk.json_as("李娜", &["list", "--queue", "mine", "--format", "json"]);
    assert_eq!(numbers_of(&hers), vec![n.as_str()]);

    // CSV and the table carry the handler; the case text names it.
    let csv = stdout(
        &desk
            .cmd()
            .args(["list", "--queue", "all", "--format", "csv"])
            .assert()
            .success(),
    );
    let rows = common::csv_rows(&csv);
    let at = rows[0]
        .iter()
        .position(|h| h == "handler")
        .expect("handler column");
    assert!(rows[1..].iter().any(|r| r[at] == "李娜"), "{rows:?}");
    let table = stdout(
        &desk
            .cmd()
            .args(["list", "--queue", "open"])
            .assert()
            .success(),
    );
    assert!(
        table.lines().next().expect("header").contains("承办人"),
        "{table}"
    );
    let text = stdout(&desk.cmd().args(["show", &n]).assert().success());
    assert!(
        text.lines()
            .any(|l| l.starts_with("承办人") && l.ends_with("李娜")),
        "{text}"
    );
    assert!(text.contains("转办"), "{text}");

    desk.cmd().args(["audit", "verify"]).assert().success();
}
