//! The desk's promises through the library, on real SQLite files: the reply clock in
//! business hours and its pause, call attempts, promised callbacks, escalation of late
//! callbacks, revisits planned on the remedy and their results, the callback queue and the
//! revisit agenda with their paging, and the query plans behind them.
//!
//! Time moves by opening several desks on the same file, each with its own fixed clock.
//! Every expected due time is written out (property preset: Mon–Sat 08:30–18:00, the 2026
//! holidays and make-up working days, in Shanghai); none is computed by the code under test.

mod common;

use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{
    AgendaCounts, AgendaRange, CallResult, CallbackRow, CallbackView, Desk, FixedClock,
    StatusCounts,
};
use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Scope};
use complaint_desk::domain::handling::{Action, WaitOn};
use complaint_desk::domain::stage::Stage;
use complaint_desk::domain::zone::Zone;
use complaint_desk::i18n::{Catalog, Lang};
use complaint_desk::present::event_line;
use complaint_desk::store::Store;
use complaint_desk::store::events::Event;
use complaint_desk::store::followups::{Callback, Revisit};
use complaint_desk::when::local_minutes;

// ---------------------------------------------------------------------------------------
// Setup.

/// The desk's zone: Beijing time, whatever the zone of the machine running the tests (the
/// suite runs under `TZ=UTC` and `TZ=Asia/Shanghai` in CI and gives the same due times).
fn cst() -> Zone {
    Zone::named("Asia/Shanghai").expect("zone")
}

/// The Shanghai local time "YYYY-MM-DD HH:MM" as an instant.
fn at(s: &str) -> DateTime<Utc> {
    cst().instant(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s))
}

/// An instant as Shanghai local "YYYY-MM-DD HH:MM".
fn show(t: DateTime<Utc>) -> String {
    local_minutes(t, cst())
}

/// The property-management preset on a desk in Shanghai.
fn config() -> Config {
    let mut config = Config::preset(Preset::PropertyManagement).expect("preset");
    config.policy.timezone = cst();
    config
}

/// One database file; desks on it at any time.
struct World {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("desk.db");
        World { _dir: dir, db }
    }

    /// A desk acting as 王丽 at the Shanghai time `when`.
    fn at(&self, when: &str) -> Desk {
        self.desk("王丽", when)
    }

    /// A desk acting as `agent` at the Shanghai time `when`.
    fn desk(&self, agent: &str, when: &str) -> Desk {
        let mut store = Store::open(&self.db).expect("open");
        store
            .agent_active(agent, "agent", at("2026-01-05 09:00"))
            .expect("register");
        Desk::new(store, config(), agent, Box::new(FixedClock(at(when)))).expect("desk")
    }

    /// Registers `agent` with `role`.
    fn register(&self, agent: &str, role: &str) {
        let mut store = Store::open(&self.db).expect("open");
        store
            .agent_active(agent, role, at("2026-01-05 09:00"))
            .expect("register");
    }

    /// A plain connection to the file (for query plans and bulk setup).
    fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("connection")
    }
}

fn leak() -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::Phone),
        name: "张伟".into(),
        phone: "13800138000".into(),
        location: "3栋2单元1801".into(),
        category: "漏水".into(),
        description: "卫生间天花板漏水，楼下已经发霉。".into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

fn crack() -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::WalkIn),
        name: "欧阳娜娜".into(),
        phone: "021-6234 5678".into(),
        location: "5栋101".into(),
        category: "墙面开裂".into(),
        description: "客厅墙面开裂，交房不到一年。".into(),
        outcome: "开发商给个说法".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

fn classify(scope: Scope, severity: &str) -> Action {
    Action::Classify {
        scope,
        party: (scope == Scope::Out).then(|| "developer".to_string()),
        complaint_type: None,
        severity: severity.into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: scope == Scope::Out,
    }
}

/// Verify, assess, plan and an accepted reply: the case is ready for its remedy.
fn to_reply() -> Vec<Action> {
    vec![
        Action::Verify {
            motive: "担心楼下邻居索赔".into(),
            outcome: "维修".into(),
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
            compensation: None,
            gift: None,
        },
        Action::Reply {
            accepted: true,
            alternatives: String::new(),
        },
    ]
}

fn remedied() -> Action {
    Action::Remedied {
        note: "防水层已更换".into(),
    }
}

fn close() -> Action {
    Action::Close {
        summary: "更换防水层".into(),
        root_cause: "防水层老化".into(),
        lesson: "雨季前巡检".into(),
        referred: false,
    }
}

/// Takes a new complaint through `steps` at the desk's time; its number.
fn walk(desk: &mut Desk, intake: &NewComplaint, steps: &[Action]) -> String {
    let number = desk.intake(intake).expect("intake").number;
    for step in steps {
        desk.act(&number, None, step)
            .unwrap_or_else(|e| panic!("walking {number} through {step:?}: {e:?}"));
    }
    number
}

/// An in-scope complaint of `severity`, classified and remedied at `when` (its revisits
/// planned from then); its number.
fn remedied_at(world: &World, when: &str, severity: &str) -> String {
    let mut desk = world.at(when);
    let mut steps = vec![classify(Scope::In, severity)];
    steps.extend(to_reply());
    steps.push(remedied());
    walk(&mut desk, &leak(), &steps)
}

fn callbacks(desk: &Desk, number: &str) -> Vec<Callback> {
    desk.case_file(number).expect("case").callbacks
}

fn revisits(desk: &Desk, number: &str) -> Vec<Revisit> {
    desk.case_file(number).expect("case").revisits
}

fn events(desk: &Desk, number: &str, kind: &str) -> Vec<Event> {
    desk.case_file(number)
        .expect("case")
        .events
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

/// (role, due) of the revisits, Shanghai time.
fn planned(revisits: &[Revisit]) -> Vec<(String, String)> {
    revisits
        .iter()
        .map(|r| (r.role.clone(), show(r.due_at)))
        .collect()
}

/// (number, kind, due) of queue rows.
fn rows(rows: &[CallbackRow]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|r| {
            (
                r.complaint.number.clone(),
                r.callback.kind.clone(),
                show(r.callback.due_at),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The reply clock.

#[test]
fn the_reply_clock_runs_in_business_hours() {
    use Scope::{In, Out};
    let world = World::new();
    // (classified at, scope, severity, call owed, due). Preset hours: first reply minor 8,
    // general 4, serious 2, critical 1; referral (chaser) general 8, critical 2.
    #[rustfmt::skip]
    let rows = [
        // Saturday 17:30: 30 min on Saturday, Sunday off, 1 h 30 on Monday from 08:30.
        ("2026-11-21 17:30", In,  "serious",  "first_reply", "2026-11-23 10:00"),
        // Friday 17:50: 10 min on Friday, 3 h 50 on Saturday (a working day here).
        ("2026-11-20 17:50", In,  "general",  "first_reply", "2026-11-21 12:20"),
        // Sunday: the clock starts at Monday's opening.
        ("2026-11-22 10:00", In,  "critical", "first_reply", "2026-11-23 09:30"),
        // Before opening.
        ("2026-11-23 07:00", In,  "minor",    "first_reply", "2026-11-23 16:30"),
        // Inside hours: plain hours.
        ("2026-11-23 12:00", In,  "serious",  "first_reply", "2026-11-23 14:00"),
        // Ending exactly at close stays at close.
        ("2026-11-23 14:00", In,  "general",  "first_reply", "2026-11-23 18:00"),
        // National Day (10-01..10-07) and Mid-Autumn (09-25..09-27).
        ("2026-09-30 17:00", In,  "serious",  "first_reply", "2026-10-08 09:30"),
        ("2026-09-24 17:00", In,  "serious",  "first_reply", "2026-09-28 09:30"),
        // Out of scope, a chaser to the party: Friday 10 min, Saturday 7 h 50.
        ("2026-11-20 17:50", Out, "general",  "chaser",      "2026-11-21 16:20"),
        // Saturday 09-19 into the make-up Sunday 09-20: 1 h, then 7 h from 08:30.
        ("2026-09-19 17:00", Out, "general",  "chaser",      "2026-09-20 15:30"),
        // Critical referral: 2 h.
        ("2026-11-21 17:30", Out, "critical", "chaser",      "2026-11-23 10:00"),
    ];
    for (when, scope, severity, kind, due) in rows {
        let mut desk = world.at(when);
        let intake = if scope == In { leak() } else { crack() };
        let n = walk(&mut desk, &intake, &[classify(scope, severity)]);
        let owed = callbacks(&desk, &n);
        assert_eq!(owed.len(), 1, "{when} {severity}");
        let cb = &owed[0];
        assert_eq!(
            (cb.kind.as_str(), show(cb.due_at).as_str()),
            (kind, due),
            "{when} {scope:?} {severity}"
        );
        assert_eq!(
            (cb.done_at, cb.attempts, cb.level, cb.owner.as_deref()),
            (None, 0, 0, None)
        );
    }
}

/// A complaint received at the Shanghai time `received`, taken at the desk's time.
fn received(intake: NewComplaint, received: &str) -> NewComplaint {
    NewComplaint {
        received_at: Some(at(received)),
        ..intake
    }
}

#[test]
fn the_first_reply_is_owed_from_receipt_not_from_classification() {
    use Scope::{In, Out};
    let world = World::new();
    // (received, classified, scope, severity, due, overdue once classified). Preset hours:
    // Mon–Sat 08:30–18:00.
    #[rustfmt::skip]
    let rows = [
        // Friday 17:50, general (4 h): 10 min Friday, 3 h 50 Saturday. Classified on
        // Monday: overdue at once.
        ("2026-11-20 17:50", "2026-11-23 09:00", In,  "general", "2026-11-21 12:20", true),
        // Saturday 17:50, serious (2 h): 10 min, then Monday from 08:30.
        ("2026-11-21 17:50", "2026-11-23 09:00", In,  "serious", "2026-11-23 10:20", false),
        // Friday 17:50 before Qingming (Saturday to Monday off), serious: Tuesday 10:20.
        ("2026-04-03 17:50", "2026-04-03 17:55", In,  "serious", "2026-04-07 10:20", false),
        // Out of scope, the chaser too: Friday 17:50, general referral (8 h) → Sat 16:20.
        ("2026-11-20 17:50", "2026-11-23 09:00", Out, "general", "2026-11-21 16:20", true),
        // A paper complaint of a year ago, logged and classified now: overdue at once.
        ("2025-11-24 10:00", "2026-11-23 09:00", In,  "general", "2025-11-24 14:00", true),
    ];
    for (got, when, scope, severity, due, late) in rows {
        let mut desk = world.at(when);
        let intake = if scope == In { leak() } else { crack() };
        let n = walk(
            &mut desk,
            &received(intake, got),
            &[classify(scope, severity)],
        );
        let owed = callbacks(&desk, &n);
        assert_eq!(owed.len(), 1, "{got}");
        assert_eq!(show(owed[0].due_at), due, "{got} {scope:?} {severity}");
        let row = desk
            .callback_queue(CallbackView::All, 50, None)
            .expect("queue")
            .into_iter()
            .find(|r| r.complaint.number == n)
            .expect("queued");
        assert_eq!(row.overdue, late, "{got}");
    }
    // On Monday 09:00 four calls are late: the two from Friday 20, the April one and the
    // paper one.
    assert_eq!(
        world
            .at("2026-11-23 09:00")
            .status_counts()
            .expect("counts")
            .overdue,
        4
    );
}

/// A file from before schema 13 owed its first replies from their classification: the
/// upgrade counts the open ones not yet attempted again from their receipt.
#[test]
fn the_upgrade_to_13_moves_open_first_replies_back_to_receipt() {
    let world = World::new();
    // Received Friday 17:50, classified Monday 09:00, general (4 h): owed from receipt
    // Saturday 12:20; schema 12 owed it from the classification, Monday 13:00.
    let mut desk = world.at("2026-11-23 09:00");
    let steps = [classify(Scope::In, "general")];
    let fresh = walk(&mut desk, &received(leak(), "2026-11-20 17:50"), &steps);
    let tried = walk(&mut desk, &received(leak(), "2026-11-20 17:50"), &steps);
    let answered = walk(&mut desk, &received(leak(), "2026-11-20 17:50"), &steps);
    drop(desk);
    let mut desk = world.at("2026-11-23 09:30");
    desk.log_callback(&tried, None, None, CallResult::NoAnswer, "", None)
        .expect("attempt");
    desk.log_callback(&answered, None, None, CallResult::Reached, "", None)
        .expect("reached");
    drop(desk);
    // Back to schema 12, the calls as it left them.
    let old_due = at("2026-11-23 13:00").timestamp();
    let conn = world.conn();
    conn.execute_batch(common::BACK_TO_14).expect("back to 14");
    conn.execute_batch(&format!(
        "UPDATE callbacks SET due_at = {old_due} WHERE attempts = 0;
         DROP TABLE reply_clock_moves;
         DROP TABLE waiting_calls_owed;
         ALTER TABLE revisits DROP COLUMN attempts;
         PRAGMA user_version = 12;"
    ))
    .expect("set back to 12");
    drop(conn);
    let due = |desk: &Desk, n: &str| show(callbacks(desk, n)[0].due_at);

    let desk = world.at("2026-11-23 10:00");
    assert_eq!(
        due(&desk, &fresh),
        "2026-11-21 12:20",
        "moved back to receipt"
    );
    assert_eq!(due(&desk, &tried), "2026-11-23 11:30", "a retry time kept");
    assert_eq!(
        due(&desk, &answered),
        "2026-11-23 13:00",
        "a done call kept"
    );
    let conn = world.conn();
    let (version, listed): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version),
                    (SELECT count(*) FROM reply_clock_moves)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("state");
    let current = complaint_desk::store::schema_version();
    assert_eq!((version, listed), (current, 0));
    let upgraded: Vec<String> = conn
        .prepare("SELECT detail FROM events WHERE kind = 'schema_upgraded' ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    // One upgrade event per migration run again, from 12 to the current schema, last.
    let steps = usize::try_from(current - 12).expect("steps");
    let last: Vec<serde_json::Value> = upgraded[upgraded.len().saturating_sub(steps)..]
        .iter()
        .map(|d| serde_json::from_str(d).expect("json"))
        .collect();
    let expected: Vec<serde_json::Value> = (12..current)
        .map(|from| serde_json::json!({ "from": from, "to": from + 1 }))
        .collect();
    assert_eq!(last, expected);
    let report = desk.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
}

#[test]
fn untriaged_complaints_past_the_triage_target_are_counted() {
    let world = World::new();
    assert_eq!(config().policy.follow_up.triage_hours, 1);
    // Monday 09:00 and 09:40, Saturday 17:30 (30 min Saturday, 30 min Monday from 08:30).
    for got in ["2026-11-23 09:00", "2026-11-23 09:40", "2026-11-21 17:30"] {
        world
            .at("2026-11-23 09:40")
            .intake(&received(leak(), got))
            .expect("intake");
    }
    let late = |when: &str| {
        world
            .at(when)
            .status_counts()
            .expect("counts")
            .triage_overdue
    };
    // Triage due: Monday 09:00 (from Saturday), 10:00, 10:40.
    assert_eq!(late("2026-11-23 08:59"), 0);
    assert_eq!(late("2026-11-23 09:01"), 1);
    assert_eq!(late("2026-11-23 10:00"), 1, "due exactly now is not late");
    assert_eq!(late("2026-11-23 10:01"), 2);
    assert_eq!(late("2026-11-23 10:41"), 3);
    // The rule the F3 mark uses agrees.
    let policy = config().policy;
    assert!(complaint_desk::desk::triage_overdue(
        &policy,
        at("2026-11-21 17:30"),
        at("2026-11-23 09:01")
    ));
    assert!(!complaint_desk::desk::triage_overdue(
        &policy,
        at("2026-11-23 09:40"),
        at("2026-11-23 10:40")
    ));
    // Classified, it no longer counts.
    let mut desk = world.at("2026-11-23 11:00");
    let (page, _) = desk
        .page(
            complaint_desk::domain::complaint::Queue::Untriaged,
            10,
            None,
        )
        .expect("page");
    desk.act(&page[0].number, None, &classify(Scope::In, "general"))
        .expect("classify");
    assert_eq!(late("2026-11-23 11:00"), 2);
    // The count is an index range.
    let plan = plan(
        &world.conn(),
        "SELECT count(*) FROM complaints INDEXED BY complaints_untriaged
         WHERE scope IS NULL AND closed_at IS NULL AND received_at <= 0",
    );
    assert!(plan.contains("complaints_untriaged"), "{plan}");
}

#[test]
fn a_wait_on_the_customer_pauses_the_reply_clock() {
    let world = World::new();
    // Friday 16:00, general: 2 h on Friday and 2 h on Saturday → Saturday 10:30.
    let n = walk(
        &mut world.at("2026-11-20 16:00"),
        &leak(),
        &[classify(Scope::In, "general")],
    );
    let due = |desk: &Desk| {
        callbacks(desk, &n)
            .iter()
            .filter(|c| c.kind == "first_reply")
            .map(|c| show(c.due_at))
            .collect::<Vec<_>>()
    };
    let mut desk = world.at("2026-11-20 17:00");
    assert_eq!(due(&desk), ["2026-11-21 10:30"]);
    let c = desk
        .act(
            &n,
            None,
            &Action::Wait {
                on: WaitOn::Customer,
                note: "等业主提供照片".into(),
            },
        )
        .expect("wait");
    assert_eq!(c.handling.paused_since, Some(at("2026-11-20 17:00")));
    assert!(c.handling.waiting_on_customer);
    assert_eq!(due(&desk), ["2026-11-21 10:30"], "unchanged while paused");

    // Resumed on Monday 10:00: paused Friday 17:00–18:00 (1 h), Saturday 08:30–18:00
    // (9 h 30), Sunday (0) and Monday 08:30–10:00 (1 h 30): 12 business hours. The 3 h
    // left at the pause run from Monday 10:00: due Monday 13:00.
    let mut desk = world.at("2026-11-23 10:00");
    let c = desk
        .act(
            &n,
            None,
            &Action::Resume {
                note: "照片已收到".into(),
            },
        )
        .expect("resume");
    assert_eq!(c.handling.paused_since, None);
    assert!(!c.handling.waiting_on_customer);
    assert_eq!(due(&desk), ["2026-11-23 13:00"]);
    let resumed = events(&desk, &n, "resumed");
    assert_eq!(
        resumed[0].detail["paused_since"],
        "2026-11-20T09:00:00+00:00"
    );

    // A promised callback keeps its date through a pause; the first reply moves again by
    // the 45 business minutes of a second pause.
    desk.promise_callback(&n, None, at("2026-11-23 15:00"), "下午回电")
        .expect("promise");
    let mut desk = world.at("2026-11-23 11:00");
    desk.act(
        &n,
        None,
        &Action::Wait {
            on: WaitOn::Customer,
            note: String::new(),
        },
    )
    .expect("wait");
    let desk = {
        let mut d = world.at("2026-11-23 11:45");
        d.act(
            &n,
            None,
            &Action::Resume {
                note: String::new(),
            },
        )
        .expect("resume");
        d
    };
    assert_eq!(due(&desk), ["2026-11-23 13:45"]);
    let promised: Vec<String> = callbacks(&desk, &n)
        .iter()
        .filter(|c| c.kind == "promised")
        .map(|c| show(c.due_at))
        .collect();
    assert_eq!(promised, ["2026-11-23 15:00"]);
}

// ---------------------------------------------------------------------------------------
// Attempts and promises.

#[test]
fn attempts_propose_a_retry_flag_after_three_failures_and_reached_completes() {
    let world = World::new();
    // Monday 09:00, serious: due 11:00.
    let n = walk(
        &mut world.at("2026-11-23 09:00"),
        &leak(),
        &[classify(Scope::In, "serious")],
    );
    let log = |when: &str, result: CallResult, note: &str, later: Option<&str>| {
        world
            .at(when)
            .log_callback(&n, None, None, result, note, later.map(at))
    };
    let last_callback_event = |desk: &Desk| {
        events(desk, &n, "callback")
            .pop()
            .expect("a callback event")
    };
    let queue_row = |desk: &Desk| {
        desk.callback_queue(CallbackView::All, 50, None)
            .expect("queue")
            .into_iter()
            .find(|r| r.complaint.number == n)
    };

    // (at, result, note, next due, attempts, flagged): the retry is 2 business hours on.
    #[rustfmt::skip]
    let failures = [
        ("2026-11-23 11:10", CallResult::NoAnswer,    "无人接听", "2026-11-23 13:10", 1, false),
        // 17:00 + 2 h: 1 h on Monday, 1 h on Tuesday from 08:30.
        ("2026-11-23 17:00", CallResult::LeftMessage, "已留言",   "2026-11-24 09:30", 2, false),
        ("2026-11-24 09:40", CallResult::WrongNumber, "号码错误", "2026-11-24 11:40", 3, true),
    ];
    for (when, result, note, next, attempts, flagged) in failures {
        let outcome = log(when, result, note, None).expect("attempt");
        assert_eq!(outcome.flagged, flagged, "{when}");
        let cb = outcome.callback;
        assert_eq!(
            (show(cb.due_at).as_str(), cb.attempts, cb.done_at),
            (next, attempts, None),
            "{when}"
        );
        let desk = world.at(when);
        let e = last_callback_event(&desk);
        assert_eq!(e.at, at(when));
        assert_eq!(e.agent, "王丽");
        assert_eq!(
            e.detail,
            serde_json::json!({
                "kind": "first_reply",
                "result": result.as_str(),
                "note": note,
                "next_due": at(next).to_rfc3339(),
                "attempts": attempts,
                "flagged": flagged,
            }),
            "{when}"
        );
        let row = queue_row(&desk).expect("still queued");
        assert_eq!((row.flagged, row.callback.attempts), (flagged, attempts));
    }

    // Later, at a time the customer gave: not a failure (attempts stay), the row stays
    // flagged; without a time, the retry time.
    let outcome = log(
        "2026-11-24 10:00",
        CallResult::Later,
        "业主开会",
        Some("2026-11-24 15:00"),
    )
    .expect("later");
    assert!(outcome.flagged, "still open, three failures");
    let cb = outcome.callback;
    assert_eq!(
        (show(cb.due_at).as_str(), cb.attempts),
        ("2026-11-24 15:00", 3)
    );
    let desk = world.at("2026-11-24 10:00");
    let e = last_callback_event(&desk);
    assert_eq!(e.detail["result"], "later");
    assert_eq!(e.detail["next_due"], at("2026-11-24 15:00").to_rfc3339());
    assert_eq!(e.detail["flagged"], false);
    assert!(queue_row(&desk).expect("queued").flagged);
    let cb = log("2026-11-24 10:05", CallResult::Later, "", None)
        .expect("later")
        .callback;
    assert_eq!(show(cb.due_at), "2026-11-24 12:05");

    // A time already past (or now) is refused; nothing changes.
    let before = world.at("2026-11-24 10:10").case_file(&n).expect("case");
    for past in ["2026-11-24 10:00", "2026-11-24 10:10"] {
        let err = log("2026-11-24 10:10", CallResult::Later, "", Some(past)).expect_err("past");
        assert_eq!(err.key, "error.promise_past", "{past}");
    }
    let after = world.at("2026-11-24 10:10").case_file(&n).expect("case");
    assert_eq!(after.callbacks, before.callbacks);
    assert_eq!(after.events, before.events);

    // Reached: done now, the due time kept; no longer queued; nothing left to log.
    let outcome = log(
        "2026-11-24 10:15",
        CallResult::Reached,
        "已接通，约好上门",
        None,
    )
    .expect("reached");
    assert!(!outcome.flagged, "done: no longer flagged");
    let cb = outcome.callback;
    assert_eq!(cb.done_at, Some(at("2026-11-24 10:15")));
    assert_eq!(
        (show(cb.due_at).as_str(), cb.attempts),
        ("2026-11-24 12:05", 3)
    );
    let desk = world.at("2026-11-24 10:15");
    let e = last_callback_event(&desk);
    assert_eq!(e.detail["result"], "reached");
    assert_eq!(e.detail["next_due"], serde_json::Value::Null);
    assert_eq!(e.detail["flagged"], false);
    assert!(queue_row(&desk).is_none());
    let err = log("2026-11-24 10:20", CallResult::NoAnswer, "", None).expect_err("none open");
    assert_eq!(err.key, "error.no_open_callback");
    assert_eq!(err.get("number"), Some(n.as_str()));
    assert_eq!(events(&desk, &n, "callback").len(), 6);
}

#[test]
fn a_promised_callback_is_owed_until_its_date() {
    let world = World::new();
    let mut desk = world.at("2026-11-23 09:00");
    // Even untriaged: the customer was told "we will call you back".
    let n = desk.intake(&leak()).expect("intake").number;
    desk.promise_callback(&n, None, at("2026-11-24 10:00"), " 周二上午回电 ")
        .expect("promise");
    let owed = callbacks(&desk, &n);
    assert_eq!(owed.len(), 1);
    assert_eq!(
        (
            owed[0].kind.as_str(),
            show(owed[0].due_at).as_str(),
            owed[0].done_at
        ),
        ("promised", "2026-11-24 10:00", None)
    );
    let e = events(&desk, &n, "promised");
    assert_eq!(
        e[0].detail,
        serde_json::json!({ "due": "2026-11-24T02:00:00+00:00", "note": "周二上午回电" })
    );
    assert_eq!((e[0].from_stage, e[0].to_stage), (None, None));

    // Past or now: refused, nothing written.
    let before = desk.case_file(&n).expect("case");
    for when in ["2026-11-23 08:00", "2026-11-23 09:00"] {
        let err = desk
            .promise_callback(&n, None, at(when), "")
            .expect_err("not in the future");
        assert_eq!(err.key, "error.promise_past", "{when}");
    }
    assert_eq!(
        desk.promise_callback("20260101-0042", None, at("2026-11-24 10:00"), "")
            .map_err(|e| e.key),
        Err("error.not_found")
    );
    let after = desk.case_file(&n).expect("case");
    assert_eq!(
        (after.callbacks, after.events),
        (before.callbacks, before.events)
    );

    // A closed case owes nothing more.
    let mut steps = vec![classify(Scope::In, "minor")];
    steps.extend(to_reply());
    steps.extend([remedied(), close()]);
    let closed = walk(&mut desk, &leak(), &steps);
    assert_eq!(
        desk.promise_callback(&closed, None, at("2026-11-24 10:00"), "")
            .map_err(|e| e.key),
        Err("error.case_closed")
    );
}

/// `decide` documents the calls a move settles as "a reply settles the first reply;
/// closing settles everything", and `promise_callback` refuses a closed case. A callback
/// promised before the close should not stay in the queue (and escalate) afterwards.
#[test]
fn closing_settles_a_promised_callback() {
    let world = World::new();
    let mut desk = world.at("2026-11-23 09:00");
    let mut steps = vec![classify(Scope::In, "minor")];
    steps.extend(to_reply());
    let n = walk(&mut desk, &leak(), &steps);
    desk.promise_callback(&n, None, at("2026-11-24 10:00"), "明天回电")
        .expect("promise");
    desk.act(&n, None, &remedied()).expect("remedied");
    desk.act(&n, None, &close()).expect("close");
    let open: Vec<String> = callbacks(&desk, &n)
        .into_iter()
        .filter(|c| c.done_at.is_none())
        .map(|c| c.kind)
        .collect();
    assert!(open.is_empty(), "open after closing: {open:?}");
    assert!(
        world
            .at("2026-11-25 10:00")
            .callback_queue(CallbackView::All, 50, None)
            .expect("queue")
            .is_empty()
    );
    assert_eq!(
        world.at("2026-11-25 10:00").escalate_overdue().expect("e"),
        0
    );
}

// ---------------------------------------------------------------------------------------
// Escalation.

/// (level, owner) of the complaint's open-or-done callbacks of `kind`.
fn level(desk: &Desk, number: &str, kind: &str) -> (u32, Option<String>) {
    let cb = callbacks(desk, number)
        .into_iter()
        .find(|c| c.kind == kind)
        .expect("callback");
    (cb.level, cb.owner)
}

#[test]
fn late_callbacks_escalate_once_per_level() {
    let world = World::new();
    let escalate = |when: &str| world.at(when).escalate_overdue().expect("escalate");
    // A: Monday 09:00, serious → due 11:00. Level 1 (supervisor) at 2 business hours
    // overdue, 13:00; level 2 (manager) at 4, 15:00.
    let a = walk(
        &mut world.at("2026-11-23 09:00"),
        &leak(),
        &[classify(Scope::In, "serious")],
    );
    // D: the same, but answered at 10:00: a settled call never escalates.
    let mut steps = vec![classify(Scope::In, "serious")];
    steps.extend(to_reply());
    let d = {
        let mut desk = world.at("2026-11-23 09:00");
        let d = walk(&mut desk, &leak(), &steps[..1]);
        let mut later = world.at("2026-11-23 10:00");
        for step in &steps[1..] {
            later.act(&d, None, step).expect("move");
        }
        d
    };
    let none = (0, None);
    let supervisor = (1, Some("supervisor".to_string()));
    let manager = (2, Some("manager".to_string()));

    assert_eq!(escalate("2026-11-23 12:59"), 0);
    assert_eq!(
        level(&world.at("2026-11-23 12:59"), &a, "first_reply"),
        none
    );
    assert_eq!(escalate("2026-11-23 13:01"), 1);
    let desk = world.at("2026-11-23 13:01");
    assert_eq!(level(&desk, &a, "first_reply"), supervisor);
    let e = events(&desk, &a, "callback_escalated");
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].detail,
        serde_json::json!({ "kind": "first_reply", "level": 1, "owner": "supervisor" })
    );
    assert_eq!(
        (e[0].at, e[0].agent.as_str()),
        (at("2026-11-23 13:01"), "王丽")
    );
    assert_eq!((e[0].from_stage, e[0].to_stage), (None, None));
    // The same tick again, and later ticks before the next level: nothing.
    assert_eq!(escalate("2026-11-23 13:01"), 0);
    assert_eq!(escalate("2026-11-23 14:59"), 0);
    assert_eq!(events(&desk, &a, "callback_escalated").len(), 1);
    assert_eq!(escalate("2026-11-23 15:01"), 1);
    assert_eq!(
        level(&world.at("2026-11-23 15:01"), &a, "first_reply"),
        manager
    );
    assert_eq!(escalate("2026-11-23 15:01"), 0);

    // B: Monday 16:00, critical → due 17:00. At 19:00 it is two hours late by the wall
    // clock but one in business hours: not yet. Level 1 at Tuesday 09:30, level 2 at 11:30.
    let b = walk(
        &mut world.at("2026-11-23 16:00"),
        &leak(),
        &[classify(Scope::In, "critical")],
    );
    assert_eq!(escalate("2026-11-23 19:00"), 0);
    assert_eq!(escalate("2026-11-24 09:29"), 0);
    assert_eq!(escalate("2026-11-24 09:31"), 1);
    assert_eq!(
        level(&world.at("2026-11-24 09:31"), &b, "first_reply"),
        supervisor
    );
    assert_eq!(escalate("2026-11-24 11:29"), 0);
    assert_eq!(escalate("2026-11-24 11:31"), 1);
    assert_eq!(
        level(&world.at("2026-11-24 11:31"), &b, "first_reply"),
        manager
    );

    // Never a third level, however late.
    assert_eq!(escalate("2026-12-31 12:00"), 0);
    let desk = world.at("2026-12-31 12:00");
    for n in [&a, &b] {
        let e = events(&desk, n, "callback_escalated");
        let levels: Vec<(u64, &str)> = e
            .iter()
            .map(|e| {
                (
                    e.detail["level"].as_u64().expect("level"),
                    e.detail["owner"].as_str().expect("owner"),
                )
            })
            .collect();
        assert_eq!(levels, [(1, "supervisor"), (2, "manager")]);
    }
    assert!(events(&desk, &d, "callback_escalated").is_empty());
    assert_eq!(level(&desk, &d, "first_reply"), none);
    // The queue shows who owns them now.
    let queue = desk.callback_queue(CallbackView::All, 10, None).expect("q");
    let owners: Vec<(String, u32, Option<String>)> = queue
        .iter()
        .map(|r| {
            (
                r.complaint.number.clone(),
                r.callback.level,
                r.callback.owner.clone(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            (a.clone(), 2, Some("manager".into())),
            (b.clone(), 2, Some("manager".into()))
        ]
    );
}

/// While the customer is waited on, the reply clock is paused (the resume moves the due
/// time by the paused business time): the stale due time does not count as late, and the
/// first reply does not escalate during the pause.
#[test]
fn a_paused_first_reply_does_not_escalate_while_waiting() {
    let world = World::new();
    // Friday 16:00, general: due Saturday 10:30; waiting on the customer from 17:00, with
    // 3 business hours left.
    let n = walk(
        &mut world.at("2026-11-20 16:00"),
        &leak(),
        &[classify(Scope::In, "general")],
    );
    world
        .at("2026-11-20 17:00")
        .act(
            &n,
            None,
            &Action::Wait {
                on: WaitOn::Customer,
                note: "等业主提供照片".into(),
            },
        )
        .expect("wait");
    // Saturday 14:00: 3 h 30 past the stale due time, still waiting.
    assert_eq!(
        world.at("2026-11-21 14:00").escalate_overdue().expect("e"),
        0,
        "the clock is paused"
    );
    assert_eq!(
        level(&world.at("2026-11-21 14:00"), &n, "first_reply"),
        (0, None)
    );
}

/// A pass looks at each level apart: 500 callbacks already at level 1, waiting for level 2,
/// do not keep a newer callback that is due for level 1 from escalating.
#[test]
fn escalation_is_not_starved_by_callbacks_waiting_for_their_next_level() {
    let world = World::new();
    // Sunday: 500 promised callbacks due Monday 10:30 (one complaint).
    let mut sunday = world.at("2026-11-22 12:00");
    let waiting = sunday.intake(&leak()).expect("intake").number;
    for _ in 0..500 {
        sunday
            .promise_callback(&waiting, None, at("2026-11-23 10:30"), "")
            .expect("promise");
    }
    // Monday 08:40: a serious complaint, first reply due 10:40, level 1 at 12:40.
    let late = walk(
        &mut world.at("2026-11-23 08:40"),
        &leak(),
        &[classify(Scope::In, "serious")],
    );
    // 12:31: the 500 reach level 1 (their level 2 comes at 14:30).
    assert_eq!(
        world.at("2026-11-23 12:31").escalate_overdue().expect("e"),
        500
    );
    // 12:45: the new one is 2 h 05 late in business hours.
    assert_eq!(
        world.at("2026-11-23 12:45").escalate_overdue().expect("e"),
        1,
        "the callback due for level 1 escalates"
    );
    assert_eq!(
        level(&world.at("2026-11-23 12:45"), &late, "first_reply"),
        (1, Some("supervisor".into()))
    );
}

// ---------------------------------------------------------------------------------------
// Revisits.

/// (remedied at, severity, plan, [(role, due)]).
type PlanRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn the_remedy_plans_the_revisits_of_the_severity() {
    let world = World::new();
    // Preset: standard (minor, general) = agent after 1 business day, supervisor after 7
    // days; serious (serious, critical) adds the manager after 30 days. Business days keep
    // the time of day (clamped into hours); plain days are calendar days.
    #[rustfmt::skip]
    let rows: [PlanRow; 5] = [
        ("2026-11-21 10:00", "general", "standard", &[
            ("agent", "2026-11-23 10:00"),        // Saturday → Monday (Sunday off)
            ("supervisor", "2026-11-28 10:00"),
        ]),
        ("2026-11-21 10:00", "serious", "serious", &[
            ("agent", "2026-11-23 10:00"),
            ("supervisor", "2026-11-28 10:00"),
            ("manager", "2026-12-21 10:00"),
        ]),
        ("2026-11-20 17:50", "minor", "standard", &[
            ("agent", "2026-11-21 17:50"),        // Friday → Saturday, a working day
            ("supervisor", "2026-11-27 17:50"),
        ]),
        // The National Day eve: the next working day is 10-08; seven plain days land in
        // the holiday.
        ("2026-09-30 10:00", "general", "standard", &[
            ("agent", "2026-10-08 10:00"),
            ("supervisor", "2026-10-07 10:00"),
        ]),
        // Remedied in the evening: the business-day revisit is at the next day's close.
        ("2026-11-21 20:00", "critical", "serious", &[
            ("agent", "2026-11-23 18:00"),
            ("supervisor", "2026-11-28 20:00"),
            ("manager", "2026-12-21 20:00"),
        ]),
    ];
    for (when, severity, plan, expected) in rows {
        let n = remedied_at(&world, when, severity);
        let desk = world.at(when);
        let case = desk.case_file(&n).expect("case");
        assert_eq!(case.complaint.stage, Stage::Revisiting, "{when} {severity}");
        let e = events(&desk, &n, "remedied");
        assert_eq!(e[0].detail["revisit_plan"], plan);
        assert_eq!(
            (e[0].from_stage, e[0].to_stage),
            (Some(Stage::Replied), Some(Stage::Revisiting))
        );
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(r, d)| (r.to_string(), d.to_string()))
            .collect();
        let mut got = planned(&case.revisits);
        // Stored by due time; compare in plan order.
        let order = |role: &str| {
            ["agent", "supervisor", "manager"]
                .iter()
                .position(|r| *r == role)
        };
        got.sort_by_key(|(role, _)| order(role));
        assert_eq!(got, expected, "{when} {severity}");
        assert!(case.revisits.iter().all(|r| r.done_at.is_none()
            && r.reached.is_none()
            && r.satisfaction.is_none()
            && r.comment.is_empty()));
    }
}

/// (reached, satisfaction, comment, done at).
type RevisitResult = (Option<bool>, Option<u8>, String, Option<String>);

#[test]
fn satisfied_revisits_make_the_case_ready_to_close() {
    let world = World::new();
    let n = remedied_at(&world, "2026-11-21 10:00", "serious");
    // Each revisit when it is due: agent, supervisor, manager.
    let times = ["2026-11-23 10:05", "2026-11-28 10:05", "2026-12-21 10:05"];
    for (i, when) in times.iter().enumerate() {
        let mut desk = world.at(when);
        let outcome = desk
            .record_revisit(&n, None, None, Some(5), " 很满意 ")
            .expect("record");
        assert_eq!(
            (outcome.reached, outcome.reopened, outcome.ready_to_close),
            (true, false, i == 2),
            "{when}: ready once the last is satisfied"
        );
        assert_eq!(
            outcome.complaint.stage,
            Stage::Revisiting,
            "{when}: still revisiting"
        );
        let e = events(&desk, &n, "revisited");
        let last = e.last().expect("event");
        let role = ["agent", "supervisor", "manager"][i];
        assert_eq!(
            last.detail,
            serde_json::json!({
                "role": role,
                "reached": true,
                "satisfaction": 5,
                "comment": "很满意",
                "ready_to_close": i == 2,
            })
        );
        assert_eq!(last.at, at(when));
    }
    let desk = world.at("2026-12-21 10:05");
    let done: Vec<RevisitResult> = revisits(&desk, &n)
        .iter()
        .map(|r| {
            (
                r.reached,
                r.satisfaction,
                r.comment.clone(),
                r.done_at.map(show),
            )
        })
        .collect();
    assert_eq!(
        done,
        times
            .iter()
            .map(|t| (
                Some(true),
                Some(5),
                "很满意".to_string(),
                Some(t.to_string())
            ))
            .collect::<Vec<_>>()
    );
    let err = world
        .at("2026-12-21 10:06")
        .record_revisit(&n, None, None, Some(5), "")
        .expect_err("none left");
    assert_eq!(err.key, "error.no_open_revisit");
    // Close from revisiting.
    let c = world
        .at("2026-12-21 10:10")
        .act(&n, None, &close())
        .expect("close");
    assert_eq!(c.stage, Stage::Closed);
    assert_eq!(c.closed_at, Some(at("2026-12-21 10:10")));
}

/// (role, reached, satisfaction, done at).
type RoleResult<'a> = (&'a str, Option<bool>, Option<u8>, Option<String>);

#[test]
fn a_dissatisfied_revisit_reopens_the_case_and_cancels_the_rest() {
    let world = World::new();
    let n = remedied_at(&world, "2026-11-21 10:00", "serious");
    // 3 is above the threshold (2): recorded, no reopen.
    let c = world
        .at("2026-11-23 10:05")
        .record_revisit(&n, None, None, Some(3), "一般")
        .expect("record");
    assert!(!c.reopened && !c.ready_to_close);
    assert_eq!(c.complaint.stage, Stage::Revisiting);
    // 2 reopens: back to assessed, the remaining revisit(s) closed without a result.
    let mut desk = world.at("2026-11-28 10:05");
    let before = desk.case_file(&n).expect("case").complaint.version;
    let outcome = desk
        .record_revisit(&n, None, None, Some(2), "还在漏水")
        .expect("record");
    assert!(outcome.reopened && !outcome.ready_to_close);
    let c = outcome.complaint;
    assert_eq!(c.stage, Stage::Assessed);
    assert_eq!(c.version, before + 1, "one change: the reopen");
    assert_eq!(c.handling.reply, None, "the old reply no longer holds");
    let r = revisits(&desk, &n);
    let got: Vec<RoleResult> = r
        .iter()
        .map(|r| {
            (
                r.role.as_str(),
                r.reached,
                r.satisfaction,
                r.done_at.map(show),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "agent",
                Some(true),
                Some(3),
                Some("2026-11-23 10:05".into())
            ),
            (
                "supervisor",
                Some(true),
                Some(2),
                Some("2026-11-28 10:05".into())
            ),
            ("manager", None, None, Some("2026-11-28 10:05".into())),
        ]
    );
    let timeline = desk.case_file(&n).expect("case").events;
    let tail: Vec<&str> = timeline[timeline.len() - 2..]
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(tail, ["revisited", "reopened"]);
    let revisited = &timeline[timeline.len() - 2];
    assert_eq!(revisited.detail["ready_to_close"], false);
    assert_eq!(revisited.detail["satisfaction"], 2);
    let reopened = timeline.last().expect("reopened");
    assert_eq!(
        (
            &reopened.detail["reason"],
            &reopened.detail["role"],
            &reopened.detail["satisfaction"]
        ),
        (
            &serde_json::json!("还在漏水"),
            &serde_json::json!("supervisor"),
            &serde_json::json!(2)
        )
    );
    // Read in the reader's language: the role by its name, never its key.
    for (lang, role) in [(Lang::ZhCn, "客服主管"), (Lang::En, "Supervisor")] {
        let line = event_line(reopened, desk.config(), Catalog::get(lang));
        assert!(
            line.contains(role) && !line.contains("supervisor"),
            "{line}"
        );
    }
    assert_eq!(
        (reopened.from_stage, reopened.to_stage),
        (Some(Stage::Revisiting), Some(Stage::Assessed))
    );
    assert_eq!(reopened.at, at("2026-11-28 10:05"));
    // Nothing left to record; the agenda no longer lists the case.
    assert_eq!(
        desk.record_revisit(&n, None, None, Some(5), "")
            .map_err(|e| e.key),
        Err("error.no_open_revisit")
    );
    assert!(
        desk.revisit_agenda(AgendaRange::All, 50, None)
            .expect("agenda")
            .is_empty()
    );

    // A new remedy plans a new round.
    let mut steps = to_reply();
    steps.remove(0); // verified already
    steps.remove(0); // assessed: reopened there
    steps.push(remedied());
    let mut desk = world.at("2026-11-30 10:00");
    for step in &steps {
        desk.act(&n, None, step).expect("move");
    }
    let open: Vec<(String, String)> = planned(
        &revisits(&desk, &n)
            .into_iter()
            .filter(|r| r.done_at.is_none())
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        open,
        [
            ("agent".to_string(), "2026-12-01 10:00".to_string()),
            ("supervisor".into(), "2026-12-07 10:00".into()),
            ("manager".into(), "2026-12-30 10:00".into()),
        ]
    );
}

#[test]
fn an_unreached_revisit_is_tried_again_and_flagged_after_three_failures() {
    let world = World::new();
    let n = remedied_at(&world, "2026-11-21 10:00", "general");
    let first = revisits(&world.at("2026-11-23 10:00"), &n)[0].clone();
    // (at, next due, flagged): the retry is 2 business hours on, like a callback's.
    #[rustfmt::skip]
    let failures = [
        ("2026-11-23 10:05", "2026-11-23 12:05", false),
        // 17:00 + 2 h: 1 h on Monday, 1 h on Tuesday from 08:30.
        ("2026-11-23 17:00", "2026-11-24 09:30", false),
        ("2026-11-24 09:40", "2026-11-24 11:40", true),
    ];
    for (i, (when, next, flagged)) in failures.into_iter().enumerate() {
        let mut desk = world.at(when);
        let c = desk
            .record_revisit(&n, None, Some(first.id), None, "电话无人接听")
            .expect("record");
        assert!(!c.reached && !c.reopened && !c.ready_to_close, "{when}");
        assert_eq!((c.next_due, c.flagged), (Some(at(next)), flagged), "{when}");
        assert_eq!(c.complaint.stage, Stage::Revisiting);
        let r = revisits(&desk, &n)
            .into_iter()
            .find(|r| r.id == first.id)
            .expect("revisit");
        let attempts = u32::try_from(i + 1).expect("small");
        assert_eq!(
            (
                r.done_at,
                r.reached,
                r.satisfaction,
                r.attempts,
                show(r.due_at)
            ),
            (None, None, None, attempts, next.to_string()),
            "{when}: still open, due again"
        );
        assert_eq!(r.comment, "电话无人接听");
        let e = events(&desk, &n, "revisited").pop().expect("event");
        assert_eq!(e.detail["reached"], false);
        assert_eq!(e.detail["next_due"], at(next).to_rfc3339());
        assert_eq!(e.detail["attempts"], attempts);
        assert_eq!(e.detail["flagged"], flagged);
        assert_eq!(e.detail["ready_to_close"], false);
    }
    assert!(events(&world.at("2026-11-24 09:40"), &n, "reopened").is_empty());
    // Reached at last: settled as before, with its satisfaction.
    let mut desk = world.at("2026-11-24 11:00");
    let c = desk
        .record_revisit(&n, None, Some(first.id), Some(4), "已修好")
        .expect("record");
    assert!(c.reached && !c.reopened && c.next_due.is_none() && !c.flagged);
    let r = revisits(&desk, &n)
        .into_iter()
        .find(|r| r.id == first.id)
        .expect("revisit");
    assert_eq!(
        (r.done_at, r.reached, r.satisfaction, r.attempts),
        (Some(at("2026-11-24 11:00")), Some(true), Some(4), 3)
    );
    // Out of range: refused before anything is read.
    for s in [0, 6] {
        assert_eq!(
            desk.record_revisit(&n, None, None, Some(s), "")
                .map_err(|e| e.key),
            Err("error.satisfaction_range")
        );
    }
}

// ---------------------------------------------------------------------------------------
// The callback queue.

#[test]
fn the_callback_queue_is_in_due_order_with_views_and_pages() {
    let world = World::new();
    world.register("王丽", "agent");
    world.register("赵主管", "supervisor");
    // Monday 08:00 (the clock starts at 08:30): c1 serious → 10:30, c2 critical → 09:30,
    // c3 minor → 16:30.
    let mut early = world.at("2026-11-23 08:00");
    let c1 = walk(&mut early, &leak(), &[classify(Scope::In, "serious")]);
    let c2 = walk(&mut early, &leak(), &[classify(Scope::In, "critical")]);
    let c3 = walk(&mut early, &leak(), &[classify(Scope::In, "minor")]);
    // 09:00: two promises at 10:30 too (ties in due time go by id: c1's first reply, then
    // the promises in the order made).
    let mut nine = world.at("2026-11-23 09:00");
    nine.promise_callback(&c3, None, at("2026-11-23 10:30"), "")
        .expect("promise");
    nine.promise_callback(&c1, None, at("2026-11-23 10:30"), "")
        .expect("promise");
    // 11:31: c2 (due 09:30) is 2 business hours late: the supervisor's now.
    assert_eq!(
        world.at("2026-11-23 11:31").escalate_overdue().expect("e"),
        1
    );

    let all = [
        (c2.clone(), "first_reply", "2026-11-23 09:30"),
        (c1.clone(), "first_reply", "2026-11-23 10:30"),
        (c3.clone(), "promised", "2026-11-23 10:30"),
        (c1.clone(), "promised", "2026-11-23 10:30"),
        (c3.clone(), "first_reply", "2026-11-23 16:30"),
    ]
    .map(|(n, k, d)| (n, k.to_string(), d.to_string()));
    let agent = world.desk("王丽", "2026-11-23 12:00");
    let supervisor = world.desk("赵主管", "2026-11-23 12:00");
    let view = |desk: &Desk, v: CallbackView| desk.callback_queue(v, 50, None).expect("queue");

    let q = view(&agent, CallbackView::All);
    assert_eq!(rows(&q), all);
    let overdue: Vec<bool> = q.iter().map(|r| r.overdue).collect();
    assert_eq!(overdue, [true, true, true, true, false]);
    assert!(q.iter().all(|r| !r.flagged));
    assert_eq!(rows(&view(&agent, CallbackView::Overdue)), all[..4]);
    // Mine: at the desk's first role, what was never escalated; further up, what was
    // escalated to that role.
    assert_eq!(rows(&view(&agent, CallbackView::Mine)), all[1..]);
    assert_eq!(rows(&view(&supervisor, CallbackView::Mine)), all[..1]);
    let manager_view = {
        world.register("钱经理", "manager");
        view(
            &world.desk("钱经理", "2026-11-23 12:00"),
            CallbackView::Mine,
        )
    };
    assert!(
        rows(&manager_view).is_empty(),
        "nothing escalated to the manager yet"
    );

    // Paging by (due, id) of the last row: every row once, in order, for each view and
    // page size.
    for v in [CallbackView::All, CallbackView::Overdue, CallbackView::Mine] {
        let whole = view(&agent, v);
        for size in [1, 2, 3] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = agent.callback_queue(v, size, after).expect("page");
                assert!(page.len() <= size as usize);
                let Some(last) = page.last() else { break };
                after = Some((last.callback.due_at.timestamp(), last.callback.id));
                seen.extend(page);
            }
            assert_eq!(seen, whole, "{v:?} by {size}");
        }
    }
    // Done callbacks leave the queue.
    world
        .at("2026-11-23 12:05")
        .log_callback(&c2, None, None, CallResult::Reached, "", None)
        .expect("reached");
    assert_eq!(
        rows(&view(&world.at("2026-11-23 12:05"), CallbackView::All)),
        all[1..]
    );
}

// ---------------------------------------------------------------------------------------
// The revisit agenda and the status counts.

#[test]
fn the_revisit_agenda_by_range_with_counts() {
    let world = World::new();
    // Four remedies and their revisits a..i (Shanghai):
    // r1 general, Monday 11-16 10:00: a agent 11-17 10:00, b supervisor 11-23 10:00;
    // r2 serious, Friday 11-20 10:00: c agent 11-21 10:00, d supervisor 11-27 10:00,
    //    e manager 12-20 10:00;
    // r3 general, Sunday 11-22 09:00: f agent 11-23 09:00, g supervisor 11-29 09:00;
    // r4 general, Monday 11-23 09:10: h agent 11-24 09:10, i supervisor 11-30 09:10.
    let r1 = remedied_at(&world, "2026-11-16 10:00", "general");
    let r2 = remedied_at(&world, "2026-11-20 10:00", "serious");
    let r3 = remedied_at(&world, "2026-11-22 09:00", "general");
    let r4 = remedied_at(&world, "2026-11-23 09:10", "general");
    let item = |n: &String, role: &str, due: &str| (n.clone(), role.to_string(), due.to_string());
    let a = item(&r1, "agent", "2026-11-17 10:00");
    let b = item(&r1, "supervisor", "2026-11-23 10:00");
    let c = item(&r2, "agent", "2026-11-21 10:00");
    let d = item(&r2, "supervisor", "2026-11-27 10:00");
    let e = item(&r2, "manager", "2026-12-20 10:00");
    let f = item(&r3, "agent", "2026-11-23 09:00");
    let g = item(&r3, "supervisor", "2026-11-29 09:00");
    let h = item(&r4, "agent", "2026-11-24 09:10");
    let i = item(&r4, "supervisor", "2026-11-30 09:10");

    let agenda = |desk: &Desk, range: AgendaRange| {
        desk.revisit_agenda(range, 50, None)
            .expect("agenda")
            .into_iter()
            .map(|(r, c)| (c.number, r.role, show(r.due_at)))
            .collect::<Vec<_>>()
    };
    // Monday 09:30: today ends at midnight, the week at the end of Sunday 11-29.
    let desk = world.at("2026-11-23 09:30");
    assert_eq!(
        agenda(&desk, AgendaRange::Overdue),
        [a.clone(), c.clone(), f.clone()]
    );
    assert_eq!(agenda(&desk, AgendaRange::Today), std::slice::from_ref(&b));
    assert_eq!(
        agenda(&desk, AgendaRange::Tomorrow),
        std::slice::from_ref(&h)
    );
    assert_eq!(
        agenda(&desk, AgendaRange::Week),
        [b.clone(), h.clone(), d.clone(), g.clone()]
    );
    let whole = [
        a.clone(),
        c.clone(),
        f.clone(),
        b.clone(),
        h.clone(),
        d.clone(),
        g.clone(),
        i.clone(),
        e.clone(),
    ];
    assert_eq!(agenda(&desk, AgendaRange::All), whole);
    assert_eq!(
        desk.agenda_counts().expect("counts"),
        AgendaCounts {
            overdue: 3,
            today: 1,
            tomorrow: 1,
            week: 4
        }
    );
    // The status line: the first replies were all answered; only revisits count.
    assert_eq!(
        desk.status_counts().expect("status"),
        StatusCounts {
            untriaged: 0,
            due_today: 1,
            overdue: 3,
            triage_overdue: 0,
        }
    );
    assert_eq!(desk.next_due().expect("next"), Some(at("2026-11-23 10:00")));

    // Paging each range: every row once.
    for range in [
        AgendaRange::Overdue,
        AgendaRange::Today,
        AgendaRange::Tomorrow,
        AgendaRange::Week,
        AgendaRange::All,
    ] {
        let whole = agenda(&desk, range);
        for size in [1, 2, 4] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = desk.revisit_agenda(range, size, after).expect("page");
                let Some((last, _)) = page.last() else { break };
                after = Some((last.due_at.timestamp(), last.id));
                seen.extend(
                    page.into_iter()
                        .map(|(r, c)| (c.number, r.role, show(r.due_at))),
                );
            }
            assert_eq!(seen, whole, "{range:?} by {size}");
        }
    }

    // At 10:00 sharp, b is due now: today's, not overdue yet.
    let ten = world.at("2026-11-23 10:00");
    assert_eq!(agenda(&ten, AgendaRange::Today), std::slice::from_ref(&b));
    assert_eq!(ten.agenda_counts().expect("counts").overdue, 3);
    assert_eq!(ten.next_due().expect("next"), Some(at("2026-11-24 09:10")));
    // Sunday 11-29 23:00: the week runs to the end of Saturday 12-05.
    let sunday = world.at("2026-11-29 23:00");
    assert_eq!(
        agenda(&sunday, AgendaRange::Tomorrow),
        std::slice::from_ref(&i)
    );
    assert_eq!(agenda(&sunday, AgendaRange::Week), std::slice::from_ref(&i));
    assert_eq!(
        sunday.agenda_counts().expect("counts"),
        AgendaCounts {
            overdue: 7,
            today: 0,
            tomorrow: 1,
            week: 1
        }
    );
    // A recorded revisit leaves the agenda and the counts.
    world
        .at("2026-11-29 23:00")
        .record_revisit(&r1, None, None, Some(4), "")
        .expect("record a");
    assert_eq!(sunday.agenda_counts().expect("counts").overdue, 6);
    assert!(!agenda(&sunday, AgendaRange::Overdue).contains(&a));
}

// ---------------------------------------------------------------------------------------
// Query plans: the queue and the agenda page through their partial indexes, in index
// order (no sort).

/// The complaint columns the queue joins (as `store::complaints` selects them).
const COMPLAINT_COLUMNS: &str = "c.id, c.number, c.received_at, c.channel, c.name, c.phone, \
    c.location, c.category, c.description, c.outcome, c.apologized, c.scope, c.party, c.type, \
    c.severity, c.intent, c.spread_risk, c.explained, c.stage, c.version, c.closed_at, \
    c.updated_at, c.handling";

fn plan(conn: &rusqlite::Connection, sql: &str) -> String {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let count = stmt.parameter_count();
    let params: Vec<i64> = vec![0; count];
    stmt.query_map(rusqlite::params_from_iter(params), |r| {
        r.get::<_, String>(3)
    })
    .expect("plan")
    .collect::<rusqlite::Result<Vec<_>>>()
    .expect("rows")
    .join("\n")
}

#[test]
fn queue_and_agenda_queries_use_their_indexes_without_sorting() {
    let world = World::new();
    // Some rows. The desk never runs ANALYZE: the plans must hold without statistics, and
    // still with them.
    for when in ["2026-11-16 10:00", "2026-11-20 10:00"] {
        remedied_at(&world, when, "serious");
    }
    walk(
        &mut world.at("2026-11-23 09:00"),
        &leak(),
        &[classify(Scope::In, "general")],
    );
    let conn = world.conn();
    check_follow_up_plans(&conn);
    conn.execute_batch("ANALYZE").expect("analyze");
    check_follow_up_plans(&conn);
}

fn check_follow_up_plans(conn: &rusqlite::Connection) {
    // The same SQL text shapes as `store::followups`.
    #[rustfmt::skip]
    let queries = [
        ("callback queue", format!(
            "SELECT cb.id, cb.kind, cb.due_at, cb.owner, cb.note, cb.done_at, cb.attempts, \
             cb.level, {COMPLAINT_COLUMNS} FROM callbacks cb INDEXED BY callbacks_open
             JOIN complaints c ON c.id = cb.complaint_id
             WHERE cb.done_at IS NULL AND (cb.due_at, cb.id) > (:due, :id)
               AND cb.due_at < :overdue
               AND (:owner = '' OR cb.owner = :owner OR cb.owner IS NULL)
             ORDER BY cb.due_at, cb.id LIMIT :limit"),
            "callbacks_open", true),
        ("revisit agenda", format!(
            "SELECT r.id, r.role, r.due_at, r.done_at, r.reached, r.satisfaction, r.comment, \
             {COMPLAINT_COLUMNS} FROM revisits r INDEXED BY revisits_open
             JOIN complaints c ON c.id = r.complaint_id
             WHERE r.done_at IS NULL AND r.due_at >= ?1 AND r.due_at < ?2
               AND (r.due_at, r.id) > (?3, ?4)
             ORDER BY r.due_at, r.id LIMIT ?5"),
            "revisits_open", true),
        ("agenda counts",
            "SELECT count(*) FROM revisits INDEXED BY revisits_open
             WHERE done_at IS NULL AND due_at >= ?1 AND due_at < ?2".to_string(),
            "revisits_open", false),
        ("escalation candidates",
            "SELECT cb.id, cb.kind, cb.due_at, cb.owner, cb.note, cb.done_at, cb.attempts, \
             cb.level, cb.complaint_id FROM callbacks cb
             INDEXED BY callbacks_escalation
             WHERE cb.done_at IS NULL AND cb.level < 2 AND cb.due_at < ?1
             ORDER BY cb.due_at LIMIT ?2".to_string(),
            "callbacks_escalation", false),
        // The status line's other count (store::complaints::count names its index).
        ("untriaged count",
            "SELECT count(*) FROM complaints INDEXED BY complaints_untriaged
             WHERE scope IS NULL AND closed_at IS NULL".to_string(),
            "complaints_untriaged", false),
    ];
    for (name, sql, index, joins) in &queries {
        let p = plan(conn, sql);
        assert!(
            p.contains(&format!("USING INDEX {index}"))
                || p.contains(&format!("USING COVERING INDEX {index}")),
            "{name}:\n{p}"
        );
        assert!(!p.contains("TEMP B-TREE"), "{name} sorts:\n{p}");
        if *joins {
            assert!(
                p.contains("SEARCH c USING INTEGER PRIMARY KEY"),
                "{name}: each complaint by its id:\n{p}"
            );
        }
    }
    // Without INDEXED BY, the planner still picks the partial indexes for the status line.
    #[rustfmt::skip]
    let free = [
        ("due counts",
            "SELECT
               (SELECT count(*) FROM callbacks WHERE done_at IS NULL AND due_at < ?1)
             + (SELECT count(*) FROM revisits  WHERE done_at IS NULL AND due_at < ?1),
               (SELECT count(*) FROM callbacks WHERE done_at IS NULL AND due_at >= ?1 AND due_at < ?2)
             + (SELECT count(*) FROM revisits  WHERE done_at IS NULL AND due_at >= ?1 AND due_at < ?2)"),
        ("next due",
            "SELECT min(t) FROM (
               SELECT min(due_at) AS t FROM callbacks WHERE done_at IS NULL AND due_at > ?1
               UNION ALL
               SELECT min(due_at) FROM revisits WHERE done_at IS NULL AND due_at > ?1)"),
    ];
    for (name, sql) in free {
        let p = plan(conn, sql);
        for table in ["callbacks", "revisits"] {
            assert!(
                p.lines()
                    .any(|l| l.contains(&format!("SEARCH {table} USING"))
                        && l.contains("INDEX")
                        && l.contains("_open")),
                "{name}: {table} through its open index:\n{p}"
            );
        }
        assert!(
            !p.contains("SCAN callbacks") && !p.contains("SCAN revisits"),
            "{name}:\n{p}"
        );
    }
}

/// The "mine" view of the desk's first role pages through the callbacks nobody was
/// escalated to (the owner index), so many escalated callbacks due before the agent's own
/// cost nothing: measured in SQLite VM steps of the queue's SQL (the same text as
/// `store::followups`), the agent's page costs about what the page of all does.
#[test]
fn the_mine_view_does_not_walk_other_roles_callbacks() {
    let world = World::new();
    let n = walk(&mut world.at("2026-11-23 09:00"), &leak(), &[]);
    let id = world
        .at("2026-11-23 09:00")
        .case_file(&n)
        .expect("case")
        .complaint
        .id;
    let mut conn = world.conn();
    let tx = conn.transaction().expect("tx");
    let start = at("2026-10-01 09:00").timestamp();
    for i in 0..2_000 {
        // Escalated to the manager, due a month ago and earlier.
        tx.execute(
            "INSERT INTO callbacks (complaint_id, kind, due_at, created_at, owner, level)
             VALUES (?1, 'first_reply', ?2, ?2, 'manager', 2)",
            rusqlite::params![id, start + i * 60],
        )
        .expect("insert");
    }
    for i in 0..100 {
        tx.execute(
            "INSERT INTO callbacks (complaint_id, kind, due_at, created_at)
             VALUES (?1, 'promised', ?2, ?2)",
            rusqlite::params![id, at("2026-11-23 10:00").timestamp() + i * 60],
        )
        .expect("insert");
    }
    tx.commit().expect("commit");
    let sql = |index: &str, owned: &str| {
        format!(
            "SELECT cb.id, cb.kind, cb.due_at, cb.owner, cb.note, cb.done_at, cb.attempts, \
             cb.level, {COMPLAINT_COLUMNS} FROM callbacks cb INDEXED BY {index}
             JOIN complaints c ON c.id = cb.complaint_id
             WHERE cb.done_at IS NULL{owned} AND (cb.due_at, cb.id) > (:due, :id)
               AND cb.due_at < :overdue
             ORDER BY cb.due_at, cb.id LIMIT :limit"
        )
    };
    let steps = |sql: String| {
        let mut stmt = conn.prepare(&sql).expect("prepare");
        let rows = stmt
            .query_map(
                rusqlite::named_params! {
                    ":due": i64::MIN, ":id": i64::MIN, ":overdue": i64::MAX, ":limit": 50,
                },
                |_| Ok(()),
            )
            .expect("query")
            .count();
        assert_eq!(rows, 50);
        stmt.get_status(rusqlite::StatementStatus::VmStep)
    };
    // The view itself returns the agent's own page.
    let mine = world
        .at("2026-11-23 09:00")
        .callback_queue(CallbackView::Mine, 50, None)
        .expect("mine");
    assert!(mine.iter().all(|r| r.callback.owner.is_none()));
    let (all, agent) = (
        steps(sql("callbacks_open", "")),
        steps(sql("callbacks_owner", " AND cb.owner IS NULL")),
    );
    assert!(
        agent < 3 * all,
        "the agent's page took {agent} VM steps, the page of all {all}"
    );
}

/// The cases pane marks a case owing an overdue call or revisit: of the complaints asked
/// about, those with an open callback or revisit past due, and no other.
#[test]
fn overdue_among_finds_the_cases_owing_a_late_call_or_revisit() {
    let world = World::new();
    // Classified Friday morning: the first reply is owed within business hours.
    let mut desk = world.at("2026-11-20 09:00");
    let called = walk(&mut desk, &leak(), &[classify(Scope::In, "general")]);
    let fresh = walk(&mut desk, &crack(), &[]);
    // Remedied: revisits planned days later.
    let revisited = remedied_at(&world, "2026-11-20 09:30", "general");
    let id = |n: &str| desk.case_file(n).expect("case").complaint.id;
    let ids = [id(&called), id(&fresh), id(&revisited)];
    let same_day = world.at("2026-11-20 09:05");
    assert!(same_day.overdue_among(&ids).expect("overdue").is_empty());
    // A month later the reply and the revisits are all late; the untriaged case owes none.
    let later = world.at("2026-12-21 10:00");
    let mut overdue = later.overdue_among(&ids).expect("overdue");
    overdue.sort_unstable();
    let mut expected = vec![id(&called), id(&revisited)];
    expected.sort_unstable();
    assert_eq!(overdue, expected);
    assert!(later.overdue_among(&[]).expect("none asked").is_empty());
}

// ---------------------------------------------------------------------------------------
// Waiting is never silent.

/// (kind, due, done) of a case's calls, oldest first; Shanghai time.
fn calls(desk: &Desk, number: &str) -> Vec<(String, String, bool)> {
    callbacks(desk, number)
        .iter()
        .map(|c| (c.kind.clone(), show(c.due_at), c.done_at.is_some()))
        .collect()
}

/// The open call of `kind` of a case.
fn open_call(desk: &Desk, number: &str, kind: &str) -> Callback {
    callbacks(desk, number)
        .into_iter()
        .find(|c| c.kind == kind && c.done_at.is_none())
        .unwrap_or_else(|| panic!("an open {kind} call on {number}"))
}

fn owed(kind: &str, due: &str) -> (String, String, bool) {
    (kind.to_string(), due.to_string(), false)
}

fn made(kind: &str, due: &str) -> (String, String, bool) {
    (kind.to_string(), due.to_string(), true)
}

#[test]
fn a_referred_case_owes_a_chaser_and_a_progress_call_until_it_closes() {
    let world = World::new();
    // Monday 10:00: classified out of scope (a chaser within 8 business hours), referred
    // at once. The preset's waiting_update_days is 3; Mon–Sat are working days.
    let mut desk = world.at("2026-11-23 10:00");
    let n = walk(
        &mut desk,
        &crack(),
        &[
            classify(Scope::Out, "general"),
            Action::Refer {
                to: "developer".into(),
                note: "已转开发商工程部".into(),
            },
        ],
    );
    assert_eq!(
        calls(&desk, &n),
        [
            made("chaser", "2026-11-23 18:00"),
            owed("chaser", "2026-11-26 10:00"),
            owed("progress", "2026-11-26 10:00"),
        ],
        "the referral settles the first chaser; the wait owes both, three working days on"
    );

    // Thursday 10:30: the customer is told how things stand; the next progress call is
    // three working days on (Friday, Saturday, Monday). The chaser still waits, now late.
    let mut desk = world.at("2026-11-26 10:30");
    let progress = open_call(&desk, &n, "progress");
    desk.log_callback(
        &n,
        None,
        Some(progress.id),
        CallResult::Reached,
        "已告知客户开发商本周内派人查看",
        None,
    )
    .expect("progress call");
    assert_eq!(
        show(open_call(&desk, &n, "progress").due_at),
        "2026-11-30 10:30"
    );
    let logged = events(&desk, &n, "callback");
    assert_eq!(
        logged.last().map(|e| e.detail["next_due"].clone()),
        Some(serde_json::json!(at("2026-11-30 10:30").to_rfc3339()))
    );
    let late = desk
        .callback_queue(CallbackView::Overdue, 50, None)
        .expect("queue");
    assert_eq!(
        rows(&late),
        [(n.clone(), "chaser".into(), "2026-11-26 10:00".into())]
    );

    // The chaser made: the next one three working days on. Waiting on the party, then
    // resuming, keeps one of each owed (no second pair).
    desk.log_callback(
        &n,
        None,
        Some(open_call(&desk, &n, "chaser").id),
        CallResult::Reached,
        "开发商答复周五上门",
        None,
    )
    .expect("chaser");
    for step in [
        Action::Wait {
            on: WaitOn::ThirdParty,
            note: "等开发商上门".into(),
        },
        Action::Resume {
            note: "开发商已上门".into(),
        },
    ] {
        desk.act(&n, None, &step).expect("wait and resume");
    }
    let open: Vec<_> = calls(&desk, &n).into_iter().filter(|c| !c.2).collect();
    assert_eq!(
        open,
        [
            owed("progress", "2026-11-30 10:30"),
            owed("chaser", "2026-11-30 10:30"),
        ]
    );

    // Closed as referred: nothing is owed any more.
    desk.act(
        &n,
        None,
        &Action::Close {
            summary: String::new(),
            root_cause: String::new(),
            lesson: String::new(),
            referred: true,
        },
    )
    .expect("close");
    assert!(
        calls(&desk, &n).iter().all(|c| c.2),
        "{:?}",
        calls(&desk, &n)
    );
}

#[test]
fn waiting_on_the_customer_owes_a_progress_call_that_the_resume_settles() {
    let world = World::new();
    let mut desk = world.at("2026-11-23 10:00");
    let n = walk(
        &mut desk,
        &leak(),
        &[
            classify(Scope::In, "general"),
            Action::Wait {
                on: WaitOn::Customer,
                note: "等业主提供照片".into(),
            },
        ],
    );
    assert_eq!(
        calls(&desk, &n),
        [
            owed("first_reply", "2026-11-23 14:00"),
            owed("progress", "2026-11-26 10:00"),
        ]
    );
    // The progress call shows in the calls queue like any other.
    let queued = desk
        .callback_queue(CallbackView::All, 50, None)
        .expect("queue");
    assert!(rows(&queued).contains(&(n.clone(), "progress".into(), "2026-11-26 10:00".into())));
    let mut desk = world.at("2026-11-24 09:00");
    desk.act(
        &n,
        None,
        &Action::Resume {
            note: "照片已收到".into(),
        },
    )
    .expect("resume");
    let progress: Vec<_> = calls(&desk, &n)
        .into_iter()
        .filter(|c| c.0 == "progress")
        .collect();
    assert_eq!(progress, [made("progress", "2026-11-26 10:00")]);
    // A case that does not wait owes no progress call when its call is made.
    desk.log_callback(&n, None, None, CallResult::Reached, "", None)
        .expect("first reply");
    assert!(calls(&desk, &n).iter().all(|c| c.2));
}

#[test]
fn the_upgrade_to_14_gives_cases_already_waiting_their_calls() {
    let world = World::new();
    let mut desk = world.at("2026-11-23 10:00");
    let referred = walk(
        &mut desk,
        &crack(),
        &[
            classify(Scope::Out, "general"),
            Action::Refer {
                to: "developer".into(),
                note: String::new(),
            },
        ],
    );
    let customer = walk(
        &mut desk,
        &leak(),
        &[
            classify(Scope::In, "general"),
            Action::Wait {
                on: WaitOn::Customer,
                note: String::new(),
            },
        ],
    );
    let plain = walk(&mut desk, &leak(), &[classify(Scope::In, "general")]);
    drop(desk);
    // Back to schema 13: no waiting calls were owed then.
    let conn = world.conn();
    conn.execute_batch(common::BACK_TO_14).expect("back to 14");
    conn.execute_batch(
        "DELETE FROM callbacks WHERE done_at IS NULL AND kind IN ('progress', 'chaser');
         DROP TABLE waiting_calls_owed;
         PRAGMA user_version = 13;",
    )
    .expect("set back to 13");
    drop(conn);
    // Opened on Wednesday 09:00: owed from the opening, three working days on.
    let desk = world.at("2026-11-25 09:00");
    let open = |n: &str| -> Vec<_> { calls(&desk, n).into_iter().filter(|c| !c.2).collect() };
    assert_eq!(
        open(&referred),
        [
            owed("chaser", "2026-11-28 09:00"),
            owed("progress", "2026-11-28 09:00"),
        ]
    );
    assert_eq!(
        open(&customer),
        [
            owed("first_reply", "2026-11-23 14:00"),
            owed("progress", "2026-11-28 09:00"),
        ]
    );
    assert_eq!(open(&plain), [owed("first_reply", "2026-11-23 14:00")]);
    let listed: i64 = world
        .conn()
        .query_row("SELECT count(*) FROM waiting_calls_owed", [], |r| r.get(0))
        .expect("count");
    assert_eq!(listed, 0, "the list is emptied");
}

// ---------------------------------------------------------------------------------------
// Care plans (定期回访).

/// A desk on `world` at `when` whose care plan calls every 5 working days.
fn care_desk(world: &World, when: &str, config: Config) -> Desk {
    let mut store = Store::open(&world.db).expect("open");
    store
        .agent_active("王丽", "agent", at("2026-01-05 09:00"))
        .expect("register");
    Desk::new(store, config, "王丽", Box::new(FixedClock(at(when)))).expect("desk")
}

/// The preset's quarterly plan every 5 working days instead.
fn weekly_care() -> Config {
    let mut c = config();
    c.policy.care_plans[0].every_days = 5;
    c
}

fn open_care(desk: &Desk) -> Vec<complaint_desk::desk::CareCall> {
    desk.care_agenda(AgendaRange::All, 100, None)
        .expect("agenda")
}

#[test]
fn care_calls_fall_due_on_working_days_and_a_low_score_opens_a_complaint() {
    use complaint_desk::desk::CareResult;
    let world = World::new();
    // Thursday 24 September: the three estates on the plan get their first call within
    // five working days: 28, 29, 30 September, 8 and 9 October (Mid-Autumn, 25–27
    // September, and National Day, 1–7 October, are off).
    let desk = care_desk(&world, "2026-09-24 10:00", weekly_care());
    let open = open_care(&desk);
    let sites: Vec<&str> = open.iter().map(|c| c.site.as_str()).collect();
    assert_eq!(open.len(), 3, "{sites:?}");
    let last = at("2026-10-09 10:00");
    for call in &open {
        assert!(
            call.due_at > at("2026-09-24 10:00") && call.due_at <= last,
            "{call:?}"
        );
        let day = show(call.due_at);
        let holiday = [
            "2026-09-25",
            "2026-09-26",
            "2026-09-27",
            "2026-10-01",
            "2026-10-02",
            "2026-10-03",
            "2026-10-04",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07",
        ];
        assert!(!holiday.iter().any(|h| day.starts_with(h)), "{day}");
        assert_eq!(call.role, "supervisor");
    }
    // Opening again changes nothing: one open call per site.
    drop(desk);
    let mut desk = care_desk(&world, "2026-09-24 10:05", weekly_care());
    assert_eq!(open_care(&desk).len(), 3);
    let call = open
        .iter()
        .find(|c| c.site == "lvjing")
        .expect("lvjing")
        .clone();

    // Made on Thursday 24 September with a 4: the next one five working days on, over
    // Mid-Autumn and National Day (1–7 October): Friday 9 October.
    let made = desk
        .record_care_call(call.id, CareResult::Reached(4), "保洁有改善")
        .expect("made");
    assert_eq!(made.next_due.map(show).as_deref(), Some("2026-10-09 10:05"));
    assert_eq!(made.opens, None);
    let next = open_care(&desk)
        .into_iter()
        .find(|c| c.site == "lvjing")
        .expect("the next one");
    assert_eq!(show(next.due_at), "2026-10-09 10:05");

    // Not reached: tried again two business hours later, counted.
    let tried = desk
        .record_care_call(next.id, CareResult::Unreached, "")
        .expect("unreached");
    assert_eq!(
        tried.next_due.map(show).as_deref(),
        Some("2026-09-24 12:05")
    );
    assert_eq!(tried.call.attempts, 1);

    // A 2: the complaint to open, prefilled from the site's contact; taken, it has the care
    // call in its timeline and the call links to it.
    let low = desk
        .record_care_call(next.id, CareResult::Reached(2), "楼道灯坏了两周没人修")
        .expect("low score");
    let mut new = low.opens.expect("a complaint to open");
    assert_eq!(
        (new.name.as_str(), new.site.as_str(), new.category.as_str()),
        ("张代表", "lvjing", "staff")
    );
    new.description = "定期回访满意度 2/5：楼道灯坏了两周没人修".into();
    let c = desk.intake_from_care(next.id, &new).expect("opened");
    assert_eq!(c.site.as_deref(), Some("lvjing"));
    let kinds: Vec<String> = desk
        .case_file(&c.number)
        .expect("case")
        .events
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(kinds, ["received", "care_call"]);
    let err = desk.intake_from_care(next.id, &new).expect_err("once");
    assert_eq!(err.key, "error.no_care_complaint");
    assert!(desk.audit_verify(None).expect("verify").is_whole());

    // A site taken off its plan: its open call is closed on the next opening.
    drop(desk);
    let mut off = weekly_care();
    off.policy.sites[0].care_plan = None;
    let desk = care_desk(&world, "2026-09-25 09:00", off);
    let sites: Vec<String> = open_care(&desk).into_iter().map(|c| c.site).collect();
    assert!(!sites.contains(&"lvjing".to_string()), "{sites:?}");
    assert_eq!(sites.len(), 2);
}
