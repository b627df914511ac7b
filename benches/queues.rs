//! Follow-up benchmarks: the callback queue and the revisit agenda on a large database, and
//! what the status line does on every tick (counts, the next due time, escalation).
//!
//! By default a 100,000-complaint demo database is generated in a temporary directory.
//! For the 10⁶ figures, point `COMPLAINT_DESK_BENCH_DB` at a COPY of a database made with
//! `complaint-desk --db /tmp/big.db demo --count 1000000`: the benchmark adds 10⁵ open
//! callbacks and 10⁵ open revisits to it (once; a second run finds them) and escalates the
//! late callbacks, so the file is changed.
//!
//! ```sh
//! cp /tmp/big.db /tmp/big-queues.db
//! COMPLAINT_DESK_BENCH_DB=/tmp/big-queues.db cargo bench --bench queues
//! ```

use std::hint::black_box;
use std::path::Path;

use chrono::Utc;
use complaint_desk::desk::{AgendaRange, CallbackView, Desk};
use complaint_desk::domain::complaint::Queue;
use complaint_desk::store::Store;
mod common;

use common::{big_db, desk_as};
use criterion::{Criterion, criterion_group, criterion_main};

/// Open callbacks and open revisits the benchmark adds.
const ROWS: usize = 100_000;
/// They are due within this many days either side of now.
const SPREAD_DAYS: i64 = 30;
/// The note that marks the benchmark's callbacks and the comment that marks its revisits
/// (a second run finds them and adds nothing).
const MARK: &str = "bench-queues";
/// Rows per page, as the panes ask.
const PAGE: u32 = 50;

fn desk(path: &Path) -> Desk {
    desk_as(path, "bench")
}

/// Adds `ROWS` open callbacks and `ROWS` open revisits on open complaints, due uniformly
/// within `SPREAD_DAYS` of now, in one transaction straight into the tables (setup only:
/// the desk writes them one by one with their events).
fn seed(path: &Path) {
    // Migrates the file first (0005 adds the columns and indexes the queue uses).
    drop(Store::open(path).expect("open"));
    let mut conn = rusqlite::Connection::open(path).expect("connection");
    let seeded: i64 = conn
        .query_row(
            "SELECT count(*) FROM callbacks WHERE note = ?1",
            [MARK],
            |r| r.get(0),
        )
        .expect("count");
    if seeded >= ROWS as i64 {
        return;
    }
    let open: Vec<i64> = conn
        .prepare("SELECT id FROM complaints WHERE stage NOT IN ('closed', 'closed_referred')")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("ids");
    assert!(!open.is_empty(), "the database has open complaints");
    let now = Utc::now().timestamp();
    let spread = SPREAD_DAYS * 86_400;
    let mut rng = fastrand::Rng::with_seed(7);
    let tx = conn.transaction().expect("tx");
    {
        let mut cb = tx
            .prepare(
                "INSERT INTO callbacks (complaint_id, kind, due_at, note, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .expect("prepare");
        let mut rv = tx
            .prepare(
                "INSERT INTO revisits (complaint_id, role, due_at, comment)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .expect("prepare");
        for _ in 0..ROWS {
            let id = open[rng.usize(..open.len())];
            let kind = ["first_reply", "first_reply", "promised", "chaser"][rng.usize(..4)];
            let due = now + rng.i64(-spread..spread);
            cb.execute(rusqlite::params![id, kind, due, MARK, due - 3600])
                .expect("callback");
            let id = open[rng.usize(..open.len())];
            let role = ["agent", "supervisor", "manager"][rng.usize(..3)];
            let due = now + rng.i64(-spread..spread);
            rv.execute(rusqlite::params![id, role, due, MARK])
                .expect("revisit");
        }
    }
    // No ANALYZE: the desk never runs it, so the planner works without statistics here
    // as it does at a desk.
    tx.commit().expect("commit");
}

/// Escalates every late callback as far as it goes now (two levels, 500 per pass): the
/// state a desk whose clock ticks is in. Returns the passes it took.
fn escalate_all(desk: &mut Desk) -> usize {
    let mut passes = 0;
    while desk.escalate_overdue().expect("escalate") > 0 {
        passes += 1;
    }
    passes
}

fn queues(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    seed(&path);
    let mut desk = desk(&path);
    let started = std::time::Instant::now();
    let passes = escalate_all(&mut desk);
    eprintln!(
        "queues: escalated late callbacks in {passes} passes ({:.1?})",
        started.elapsed()
    );
    let counts = desk.status_counts().expect("counts");
    let agenda = desk.agenda_counts().expect("agenda");
    eprintln!("queues: status {counts:?}; agenda {agenda:?}");

    let mut group = c.benchmark_group("callbacks");
    for view in [CallbackView::All, CallbackView::Overdue, CallbackView::Mine] {
        let first = desk.callback_queue(view, PAGE, None).expect("page");
        assert_eq!(first.len(), PAGE as usize, "{view:?}: a full page");
        group.bench_function(format!("{view:?}_first_{PAGE}"), |b| {
            b.iter(|| black_box(desk.callback_queue(view, PAGE, None).expect("page")))
        });
    }
    // Deep in the queue: 200 pages on, keyset continuation costs what the first page does.
    let mut after = None;
    for _ in 0..200 {
        let page = desk
            .callback_queue(CallbackView::All, PAGE, after)
            .expect("page");
        let last = page.last().expect("a row");
        after = Some((last.callback.due_at.timestamp(), last.callback.id));
    }
    group.bench_function(format!("All_page_201_of_{PAGE}"), |b| {
        b.iter(|| {
            black_box(
                desk.callback_queue(CallbackView::All, PAGE, after)
                    .expect("page"),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("revisits");
    for range in [AgendaRange::Overdue, AgendaRange::Today, AgendaRange::Week] {
        group.bench_function(format!("{range:?}_first_{PAGE}"), |b| {
            b.iter(|| black_box(desk.revisit_agenda(range, PAGE, None).expect("page")))
        });
    }
    group.bench_function("agenda_counts", |b| {
        b.iter(|| black_box(desk.agenda_counts().expect("counts")))
    });
    group.finish();

    let mut group = c.benchmark_group("tick");
    group.bench_function("status_counts", |b| {
        b.iter(|| black_box(desk.status_counts().expect("counts")))
    });
    // Its parts: the untriaged count (the rest is the due counts).
    group.bench_function("count_untriaged", |b| {
        b.iter(|| black_box(desk.count(Queue::Untriaged).expect("count")))
    });
    group.bench_function("next_due", |b| {
        b.iter(|| black_box(desk.next_due().expect("next")))
    });
    group.bench_function("escalate_overdue_already_escalated", |b| {
        b.iter(|| black_box(desk.escalate_overdue().expect("escalate")))
    });
    group.bench_function("refresh", |b| {
        b.iter(|| {
            black_box(desk.status_counts().expect("counts"));
            black_box(desk.next_due().expect("next"));
            black_box(desk.escalate_overdue().expect("escalate"));
        })
    });
    group.finish();
}

criterion_group!(benches, queues);
criterion_main!(benches);
