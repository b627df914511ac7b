//! Core benchmarks: queue pages, case files, intake and opening the store.
//!
//! By default a 100,000-complaint demo database is generated in a temporary directory.
//! For the 10⁶ figures, point `COMPLAINT_DESK_BENCH_DB` at a copy of a database made with
//! `complaint-desk --db /tmp/big.db demo --count 1000000` (the intake benchmark adds rows).

use std::hint::black_box;

use complaint_desk::domain::complaint::{Channel, NewComplaint, Queue};
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
}

criterion_group!(benches, queues, intake);
criterion_main!(benches);
