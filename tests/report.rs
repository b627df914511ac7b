//! The report's figures through the library on a small hand-built history: a first reply
//! across a weekend, another across a pause, one late; a revisit not reached, a reopen, an
//! escalation, compensation within the front line's limit, a repeat complainant, a case
//! referred out of scope, untriaged ones. Every expected figure is worked out here (property
//! preset: Mon–Sat 08:30–18:00 in Shanghai, triage within 1 business hour, a general case's
//! first reply within 4 business hours); none is computed by the code under test.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{Desk, FixedClock};
use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::{Action, WaitOn};
use complaint_desk::domain::report::{By, Period, Report};
use complaint_desk::domain::stage::Stage;
use complaint_desk::domain::zone::Zone;
use complaint_desk::store::Store;

fn cst() -> Zone {
    Zone::named("Asia/Shanghai").expect("zone")
}

/// The Shanghai local time "YYYY-MM-DD HH:MM" as an instant.
fn at(s: &str) -> DateTime<Utc> {
    cst().instant(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s))
}

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

    /// A desk acting as 王丽 (role agent: compensation up to 200) at Shanghai time `when`.
    fn at(&self, when: &str) -> Desk {
        let mut store = Store::open(&self.db).expect("open");
        store
            .agent_active("王丽", "agent", at("2026-01-05 09:00"))
            .expect("register");
        let mut config = Config::preset(Preset::PropertyManagement).expect("preset");
        config.policy.timezone = cst();
        Desk::new(store, config, "王丽", Box::new(FixedClock(at(when)))).expect("desk")
    }

    /// Takes complaint `n` through `steps` at `when`.
    fn act(&self, when: &str, n: &str, steps: &[Action]) {
        let mut desk = self.at(when);
        for step in steps {
            desk.act(n, None, step)
                .unwrap_or_else(|e| panic!("{n} at {when}: {step:?}: {e:?}"));
        }
    }

    /// Records complaint `new` at `when`; its number.
    fn intake(&self, when: &str, new: &NewComplaint) -> String {
        self.at(when).intake(new).expect("intake").number
    }
}

fn complaint(phone: &str, location: &str, category: &str) -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::Phone),
        name: "张伟".into(),
        phone: phone.into(),
        location: location.into(),
        category: category.into(),
        description: "卫生间天花板漏水".into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

fn classify(scope: Scope) -> Action {
    Action::Classify {
        scope,
        party: (scope == Scope::Out).then(|| "developer".to_string()),
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: scope == Scope::Out,
    }
}

/// Verify, assess, plan (with `compensation`) and an accepted reply.
fn to_reply(compensation: Option<u32>) -> Vec<Action> {
    vec![
        Action::Verify {
            motive: "维修".into(),
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
            compensation,
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
        note: "已修好".into(),
    }
}

/// The history; the report's numbers (A: on time across a weekend, B: on time across a
/// pause, reopened; C: untriaged; D: referred; E: late; F: before the period).
struct History {
    world: World,
    a: String,
    b: String,
    c: String,
}

fn history() -> History {
    let w = World::new();
    // F: received before the period, still untriaged (20 days old at the end).
    w.intake(
        "2026-11-10 10:00",
        &complaint("13900000001", "9栋101", "漏水"),
    );
    // B: Friday 17:00, general (4 h): due Saturday 11:30 (17:00–18:00, then 08:30–11:30).
    let b = w.intake(
        "2026-11-20 17:00",
        &complaint("021-6234 5678", "5栋101", "墙面开裂"),
    );
    w.act("2026-11-20 17:00", &b, &[classify(Scope::In)]);
    // Paused Friday 17:30 to Monday 10:00: 0.5 h + 9.5 h (Saturday) + 1.5 h = 11.5 business
    // hours: due Saturday 11:30 + 11.5 h = Saturday 18:00 (6.5 h) + Monday 08:30 + 5 h =
    // Monday 13:30. Replied 13:00: on time (without the pause it would be late).
    w.act(
        "2026-11-20 17:30",
        &b,
        &[Action::Wait {
            on: WaitOn::Customer,
            note: String::new(),
        }],
    );
    w.act(
        "2026-11-23 10:00",
        &b,
        &[Action::Resume {
            note: String::new(),
        }],
    );
    w.act("2026-11-23 13:00", &b, &to_reply(None));
    w.act(
        "2026-11-23 13:30",
        &b,
        &[Action::Escalate {
            reason: "业主投诉到媒体".into(),
            severity: None,
        }],
    );
    w.act("2026-11-23 14:00", &b, &[remedied()]);
    // A: Saturday 17:00: due Monday 11:30 (17:00–18:00 Saturday, Sunday off, 08:30–11:30).
    let a = w.intake(
        "2026-11-21 17:00",
        &complaint("13800138000", "3栋2单元1801", "漏水"),
    );
    w.act("2026-11-21 17:00", &a, &[classify(Scope::In)]);
    // Replied Monday 11:00: on time; compensation 100 within the agent's own 200.
    w.act("2026-11-23 11:00", &a, &to_reply(Some(100)));
    w.act("2026-11-23 11:00", &a, &[remedied()]);
    // A's first revisit (Tuesday 11:00) not reached at 11:30, reached at 14:00: 5.
    let mut desk = w.at("2026-11-24 11:30");
    let tried = desk
        .record_revisit(&a, None, None, None, "无人接听")
        .expect("unreached");
    assert!(!tried.reached);
    let mut desk = w.at("2026-11-24 14:00");
    desk.record_revisit(&a, None, None, Some(5), "")
        .expect("revisit A");
    // B's revisit reached, 2: the case reopens.
    let mut desk = w.at("2026-11-24 15:00");
    let out = desk
        .record_revisit(&b, None, None, Some(2), "还在漏")
        .expect("revisit B");
    assert!(out.reopened);
    // A closed Tuesday 15:00: received Saturday, closed Tuesday: Monday and Tuesday, 2
    // working days.
    w.act(
        "2026-11-24 15:00",
        &a,
        &[Action::Close {
            summary: "更换防水层".into(),
            root_cause: "老化".into(),
            lesson: "巡检".into(),
            referred: false,
        }],
    );
    // E: Tuesday 09:00, general: due 13:00, never replied: late.
    let e = w.intake(
        "2026-11-24 09:00",
        &complaint("13700000003", "Block 12, Flat 3", "漏水"),
    );
    w.act("2026-11-24 09:00", &e, &[classify(Scope::In)]);
    // D: out of scope, the developer's.
    let d = w.intake(
        "2026-11-25 09:00",
        &complaint("13600000004", "7栋1单元602", "墙面开裂"),
    );
    w.act(
        "2026-11-25 09:00",
        &d,
        &[
            classify(Scope::Out),
            Action::Refer {
                to: "developer".into(),
                note: "已告知业主".into(),
            },
        ],
    );
    // C: the same phone as A, Monday 09:00, untriaged at noon (triage due 10:00).
    let c = w.intake(
        "2026-11-30 09:00",
        &complaint("13800138000", "3栋2单元1801", "噪音扰民"),
    );
    History { world: w, a, b, c }
}

fn period() -> Period {
    Period {
        from: at("2026-11-16 00:00"),
        to: at("2026-12-01 00:00"),
    }
}

fn figure(r: &Report, key: &str) -> Option<f64> {
    *r.figures
        .get(key)
        .unwrap_or_else(|| panic!("no figure {key}"))
}

#[test]
fn each_figure_of_a_hand_built_history() {
    let h = history();
    let desk = h.world.at("2026-11-30 12:00");
    let case = |n: &str| desk.case_file(n).expect("case").complaint;
    assert_eq!(case(&h.b).stage, Stage::Assessed, "B reopened to replan");
    let r = desk.report(period(), Some(By::Building)).expect("report");
    let n = |key: &str| figure(&r, key);
    // Now: B, C, D, E, F open; C and F untriaged and late for triage.
    assert_eq!(n("open"), Some(5.0));
    assert_eq!(n("untriaged"), Some(2.0));
    assert_eq!(n("triage_overdue"), Some(2.0));
    assert_eq!(n("pending_approvals"), Some(0.0));
    assert_eq!(n("waiting_on_third_parties"), Some(1.0), "D, referred");
    assert_eq!(n("revisits_due_today"), Some(0.0));
    assert_eq!(
        n("revisits_overdue"),
        Some(0.0),
        "A's closed, B's cancelled"
    );
    // The open calls past due, read from each case file.
    let mut numbers = Vec::new();
    desk.for_each(Queue::All, None, |c| {
        numbers.push(c.number.clone());
        Ok(())
    })
    .expect("all");
    let overdue: usize = numbers
        .iter()
        .map(|num| {
            desk.case_file(num)
                .expect("case")
                .callbacks
                .iter()
                .filter(|cb| cb.done_at.is_none() && cb.due_at < at("2026-11-30 12:00"))
                .count()
        })
        .sum();
    assert!(overdue >= 1, "E's first reply at least");
    assert_eq!(n("callbacks_overdue"), Some(overdue as f64));
    // The period: A, B, C, D, E received; A closed.
    assert_eq!(n("received"), Some(5.0));
    assert_eq!(n("closed"), Some(1.0));
    assert_eq!(n("in_scope"), Some(3.0));
    assert_eq!(n("out_scope"), Some(1.0));
    assert_eq!(r.by_party.get("developer"), Some(&1));
    // A and B on time (across the weekend, across the pause), E late.
    assert_eq!(n("first_reply_within_sla"), Some(2.0));
    assert_eq!(n("first_reply_late"), Some(1.0));
    let pct = n("first_reply_sla_pct").expect("pct");
    assert!((pct - 200.0 / 3.0).abs() < 1e-9, "{pct}");
    assert_eq!(n("close_days_median"), Some(2.0));
    assert_eq!(n("close_days_p90"), Some(2.0));
    assert_eq!(n("reopened"), Some(1.0));
    assert_eq!(n("reopen_rate_pct"), Some(100.0));
    // A: not reached, then 5; B: 2.
    assert_eq!(n("revisits_reached"), Some(2.0));
    assert_eq!(n("revisits_unreached"), Some(1.0));
    let reach = n("revisit_reach_pct").expect("reach");
    assert!((reach - 200.0 / 3.0).abs() < 1e-9, "{reach}");
    assert_eq!(n("satisfaction_mean"), Some(3.5));
    assert_eq!(r.satisfaction, [0, 1, 0, 0, 1]);
    assert_eq!(n("compensation_total"), Some(100.0));
    assert_eq!(n("compensated_cases"), Some(1.0));
    assert_eq!(n("front_line_settled_pct"), Some(100.0));
    assert_eq!(r.compensation_by_level.get("front_line"), Some(&100));
    assert_eq!(n("escalations"), Some(1.0));
    // Repeat complainants: A and C from one phone.
    assert_eq!(r.repeat_complainants.len(), 1);
    assert_eq!(r.repeat_complainants[0].numbers, [h.a.clone(), h.c.clone()]);
    assert!(
        !r.repeat_complainants[0].phone.contains("13800138000"),
        "masked"
    );
    // Ageing at 11-30: C 0 days, D 5, B 10, E 6, F 20.
    assert_eq!(
        r.ageing,
        [
            ("0-2", 1),
            ("3-5", 1),
            ("6-10", 2),
            ("11-30", 1),
            ("31+", 0)
        ]
    );
    // By building: 3 (A, C), 5 (B), 7 (D), 12 (E).
    let rows: Vec<(&str, u64, u64, u64)> = r
        .rows
        .iter()
        .map(|x| (x.key.as_str(), x.received, x.closed, x.open))
        .collect();
    assert_eq!(
        rows,
        [
            ("12", 1, 0, 1),
            ("3", 2, 1, 1),
            ("5", 1, 0, 1),
            ("7", 1, 0, 1),
            ("9", 0, 0, 1)
        ]
    );
    // The trend by day over 15 days: every day listed; received on 11-20, 21, 24, 25, 30.
    assert_eq!(r.trend_by, "day");
    assert_eq!(r.trend.len(), 15);
    let received: u64 = r.trend.iter().map(|x| x.received).sum();
    assert_eq!(received, 5);
    let day = |k: &str| r.trend.iter().find(|x| x.key == k).expect(k).clone();
    assert_eq!(day("2026-11-24").closed, 1);
    assert_eq!(day("2026-11-24").reopened, 1);
    assert_eq!(day("2026-11-23").escalations, 1);
}

#[test]
fn a_period_before_the_history_counts_nothing_but_now() {
    let h = history();
    let desk = h.world.at("2026-11-30 12:00");
    let early = Period {
        from: at("2026-10-01 00:00"),
        to: at("2026-11-01 00:00"),
    };
    let r = desk.report(early, Some(By::Month)).expect("report");
    assert_eq!(figure(&r, "received"), Some(0.0));
    assert_eq!(figure(&r, "first_reply_sla_pct"), None, "a rate of nothing");
    assert_eq!(figure(&r, "close_days_median"), None);
    assert_eq!(
        figure(&r, "open"),
        Some(5.0),
        "now does not depend on the period"
    );
    let months: Vec<&str> = r.rows.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(months, ["2026-10"]);
    let wrong = Period {
        from: early.to,
        to: early.from,
    };
    assert!(desk.report(wrong, None).is_err());
}
