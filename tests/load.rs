//! Many desks at once, bounded in count (never in time): 50 desks × 200 operations
//! (intake, moves, calls, searches) on PostgreSQL, and the same shape with 4 desks on one
//! SQLite file. Each desk is a connection of its own on its own thread. Nothing may fail,
//! nothing may be lost, and the audit chain must be whole afterwards. The time each
//! operation took is printed (run with `--nocapture`), never asserted.

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{CallResult, Desk, FilterText, FixedClock};
use complaint_desk::domain::complaint::{Channel, NewComplaint, Queue};
use complaint_desk::domain::report::By;
use complaint_desk::store::{IfMissing, Store};

use common::pg::PgDb;

const OPERATIONS: usize = 200;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
        .expect("time")
        .with_timezone(&Utc)
}

fn complaint(desk: usize, i: usize) -> NewComplaint {
    let what = ["厨房漏水", "电梯故障", "楼道噪音", "垃圾未清运", "门禁失灵"];
    NewComplaint {
        channel: Some(Channel::Phone),
        name: format!("住户{desk}-{i}"),
        phone: format!("139{desk:04}{i:04}"),
        location: format!("{}栋{}", desk % 9 + 1, 100 + i),
        category: "漏水".into(),
        description: format!("{}，第{i}次来电", what[i % what.len()]),
        outcome: "尽快处理".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

/// What one desk did: operations by kind with their times, intakes made.
#[derive(Default)]
struct Tally {
    times: Vec<(&'static str, Duration)>,
    intakes: usize,
}

/// One desk's 200 operations: an intake, then the next move of its newest case, a call
/// logged or a search, in turn.
fn run_desk(mut desk: Desk, n: usize) -> Tally {
    let mut tally = Tally::default();
    let moves = common::to_remedied("minor");
    let mut open: Vec<(String, usize)> = Vec::new();
    for i in 0..OPERATIONS {
        let started = Instant::now();
        let kind = match i % 5 {
            0 | 3 => {
                let c = desk.intake(&complaint(n, i)).expect("intake");
                open.push((c.number, 0));
                tally.intakes += 1;
                "intake"
            }
            1 => match open.iter_mut().find(|(_, step)| *step < moves.len()) {
                Some((number, step)) => {
                    let version = desk.case_file(number).expect("file").complaint.version;
                    desk.act(number, Some(version), &moves[*step])
                        .expect("move");
                    *step += 1;
                    "move"
                }
                None => "move (none due)",
            },
            2 => {
                let filter = desk
                    .search_filter(&FilterText {
                        text: Some("漏水".into()),
                        ..FilterText::default()
                    })
                    .expect("filter");
                desk.search(&filter, 50, None).expect("search");
                "search"
            }
            _ => {
                // Calls owed by this desk's classified cases: the first reply, reached.
                match open.iter().find(|(_, step)| *step == 1) {
                    Some((number, _)) => {
                        desk.log_callback(number, None, None, CallResult::Reached, "已回电", None)
                            .expect("call");
                        "call"
                    }
                    None => {
                        desk.page(Queue::Open, 50, None).expect("page");
                        "page"
                    }
                }
            }
        };
        tally.times.push((kind, started.elapsed()));
    }
    tally
}

/// Runs `desks` desks at once on the store `open` makes; checks and reports.
fn load(name: &str, desks: usize, open: &(dyn Fn() -> Store + Sync)) {
    let config = Config::preset(Preset::PropertyManagement).expect("preset");
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..desks)
            .map(|n| {
                let config = config.clone();
                s.spawn(move || {
                    let agent = format!("客服{n}");
                    let mut store = open();
                    store
                        .agent_active(&agent, "agent", now())
                        .expect("register");
                    let desk = Desk::new(store, config, &agent, Box::new(FixedClock(now())))
                        .expect("desk");
                    run_desk(desk, n)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a desk failed"))
            .collect()
    });
    let intakes: usize = tallies.iter().map(|t| t.intakes).sum();
    let store = open();
    let desk = Desk::new(store, config, "客服0", Box::new(FixedClock(now()))).expect("desk");
    assert_eq!(
        desk.count(Queue::All).expect("count"),
        i64::try_from(intakes).expect("count"),
        "every intake committed is there"
    );
    let report = desk.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
    // The report's sums, kept by every desk's writes at once, are those rebuilt after.
    let mut desk = desk;
    let period = desk
        .report_period(Some("2026-11-01"), Some("2026-11-30"))
        .expect("period");
    let reports = |desk: &Desk| {
        std::iter::once(None)
            .chain(By::ALL.into_iter().map(Some))
            .map(|by| desk.report(period, by).expect("report"))
            .collect::<Vec<_>>()
    };
    let kept = reports(&desk);
    assert_eq!(
        kept[0].figures["received"],
        Some(intakes as f64),
        "every intake summed"
    );
    desk.rebuild_report(&mut |_, _| {}).expect("rebuild");
    assert!(kept == reports(&desk), "kept and rebuilt sums differ");
    let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    for (kind, t) in tallies.iter().flat_map(|t| t.times.iter()) {
        by_kind.entry(kind).or_default().push(*t);
    }
    println!("{name}: {desks} desks × {OPERATIONS} operations, {intakes} complaints");
    for (kind, mut times) in by_kind {
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
        println!(
            "  {kind:<16} {:>6} ops  p50 {:>8.2} ms  p99 {:>8.2} ms",
            times.len(),
            at(0.5).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3
        );
    }
}

#[test]
fn fifty_desks_at_once_on_postgres() {
    let Some(db) = PgDb::new() else { return };
    load("PostgreSQL", 50, &|| {
        Store::open_postgres(&db.url, Some(&db.password), IfMissing::Create).expect("open")
    });
}

#[test]
fn four_desks_at_once_on_sqlite() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("desk.db");
    drop(Store::open(&path).expect("create"));
    load("SQLite", 4, &|| Store::open(&path).expect("open"));
}
