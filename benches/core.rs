//! Core benchmarks: queue pages, case files, intake and its duplicate check, a move, the
//! report and opening the store.
//!
//! By default a 100,000-complaint demo database is generated in a temporary directory.
//! For the 10⁶ figures, point `COMPLAINT_DESK_BENCH_DB` at a copy of a database made with
//! `complaint-desk --db /tmp/big.db demo --count 1000000` (the intake benchmark adds rows).

use std::hint::black_box;

use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::{Action, WaitOn};
use complaint_desk::domain::report::{By, Period};
use complaint_desk::store::Store;
mod common;

use common::{big_db, desk_as};
use criterion::{Criterion, criterion_group, criterion_main};

fn queues(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let desk = desk_as(&path, "bench");
    let mut group = c.benchmark_group("queue_page");
    for queue in [Queue::Untriaged, Queue::Open, Queue::Closed, Queue::All] {
        group.bench_function(format!("{queue:?}_first_50"), |b| {
            b.iter(|| black_box(desk.page(queue, 50, None).expect("page")))
        });
    }
    // A page deep in the list: keyset continuation costs the same as the first page.
    let mut cursor = None;
    for _ in 0..200 {
        cursor = desk.page(Queue::All, 50, cursor).expect("page").1;
    }
    group.bench_function("All_page_201_of_50", |b| {
        b.iter(|| black_box(desk.page(Queue::All, 50, cursor).expect("page")))
    });
    group.finish();

    let (rows, _) = desk.page(Queue::Closed, 1, None).expect("page");
    let number = rows[0].number.clone();
    c.bench_function("case_file/show", |b| {
        b.iter(|| black_box(desk.case_file(&number).expect("case")))
    });
    c.bench_function("store/open", |b| {
        b.iter(|| black_box(Store::open(&path).expect("open")))
    });

    // The duplicate check intake runs while a call is typed: an open case's phone, and its
    // location and category, looked up.
    let (open, _) = desk.page(Queue::Open, 1, None).expect("page");
    let stored = Store::open(&path)
        .expect("open")
        .complaint_by_number(&open[0].number)
        .expect("read")
        .expect("the case");
    let call = NewComplaint {
        channel: Some(Channel::Phone),
        phone: stored.phone.clone(),
        location: stored.location.clone(),
        category: stored.category.clone(),
        ..NewComplaint::default()
    };
    c.bench_function("intake/open_duplicates", |b| {
        b.iter(|| black_box(desk.open_duplicates(&call).expect("duplicates")))
    });
    // The repeat caller's badge, and the whole lookup intake runs after typing: earlier
    // complaints, open duplicates and the badge.
    c.bench_function("intake/repeat_count", |b| {
        b.iter(|| black_box(desk.repeat_count(&call.phone).expect("count")))
    });
    c.bench_function("intake/lookup", |b| {
        b.iter(|| {
            let earlier = desk
                .repeat_complainants(&call.phone, &call.location)
                .expect("earlier");
            let open = desk.open_duplicates(&call).expect("duplicates");
            black_box((
                earlier,
                open,
                desk.repeat_count(&call.phone).expect("count"),
            ))
        })
    });
}

fn intake(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut desk = desk_as(&dir.path().join("intake.db"), "王丽");
    let new = NewComplaint {
        channel: Some(Channel::Phone),
        name: "张伟".into(),
        phone: "138 0013 8000".into(),
        location: "3栋2单元1801".into(),
        category: "漏水".into(),
        description: "卫生间天花板漏水，楼下已经发霉了，请尽快派人维修。".into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    };
    c.bench_function("intake/add_synchronous_full", |b| {
        b.iter(|| black_box(desk.intake(&new).expect("add")))
    });
    // The same on the large database: seven indexes as deep as a busy desk's.
    let keep = tempfile::tempdir().expect("tmp");
    let mut big = desk_as(&big_db(&keep), "王丽");
    c.bench_function("intake/add_on_large_db", |b| {
        b.iter(|| black_box(big.intake(&new).expect("add")))
    });
    // A move on the large database: a case waits on the customer, then resumes (two moves
    // per iteration, each keeping the report's sums).
    let number = big.intake(&new).expect("add").number;
    let classify = Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    };
    big.act(&number, None, &classify).expect("classify");
    let wait = Action::Wait {
        on: WaitOn::Customer,
        note: "等业主回电".into(),
    };
    let resume = Action::Resume {
        note: "业主回电".into(),
    };
    c.bench_function("case/wait_and_resume_on_large_db", |b| {
        b.iter(|| {
            big.act(&number, None, &wait).expect("wait");
            black_box(big.act(&number, None, &resume).expect("resume"))
        })
    });
}

/// The report of the dashboard and `report`: a year, and 30 days by category.
fn report(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let desk = desk_as(&big_db(&keep), "bench");
    let year = desk.report_period(None, None).expect("period");
    let year = Period {
        from: year.to - chrono::Duration::days(365),
        to: year.to,
    };
    c.bench_function("report/year", |b| {
        b.iter(|| black_box(desk.report(year, None).expect("report")))
    });
    let month = desk.report_period(None, None).expect("period");
    c.bench_function("report/30_days_by_category", |b| {
        b.iter(|| black_box(desk.report(month, Some(By::Category)).expect("report")))
    });
}

criterion_group!(benches, queues, intake, report);
criterion_main!(benches);
