//! Search benchmarks: the first page of 50 for short and long Chinese queries, a name, phone
//! digits and a number; a count; a page through a searcher's own connection.
//!
//! By default on a generated 100,000-complaint demo database; for the 10⁶ figures point
//! `COMPLAINT_DESK_BENCH_DB` at a database made with
//! `complaint-desk --db /tmp/big.db demo --count 1000000` (this benchmark only reads, besides
//! registering its agent).

use std::hint::black_box;
use std::time::{Duration, Instant};

use complaint_desk::desk::SearchFilter;
use complaint_desk::domain::complaint::Queue;
use complaint_desk::store::Store;
use complaint_desk::store::complaints::Viewer;
use criterion::{Criterion, criterion_group, criterion_main};
mod common;

use common::{big_db, desk_as};

fn text(query: &str) -> SearchFilter {
    SearchFilter {
        text: Some(query.into()),
        ..SearchFilter::default()
    }
}

fn first_page(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let desk = desk_as(&path, "bench");
    // A complaint from the middle of the file, unmasked: its name, phone digits, number.
    let store = Store::open(&path).expect("open");
    let total =
        u64::try_from(store.count(Queue::All, &Viewer::NOBODY).expect("count")).unwrap_or(0);
    let mut middle = None;
    store
        .for_each(Queue::All, &Viewer::NOBODY, Some(total / 2), |c| {
            middle = Some(c.clone());
            Ok(())
        })
        .expect("middle");
    let middle = middle.expect("a complaint");
    let digits: String = middle.phone.chars().filter(char::is_ascii_digit).collect();
    let queries = [
        ("1_char_漏", "漏".to_string()),
        ("2_chars_漏水", "漏水".to_string()),
        ("4_chars_电梯困人", "电梯困人".to_string()),
        ("name", middle.name.clone()),
        ("phone_digits", digits),
        ("number", middle.number.clone()),
        ("miss_不存在的词", "不存在的词".to_string()),
    ];
    let mut group = c.benchmark_group("search_first_50");
    for (name, query) in &queries {
        let filter = text(query);
        group.bench_function(*name, |b| {
            b.iter(|| black_box(desk.search(&filter, 50, None).expect("search")))
        });
    }
    group.finish();
    // The slowest of 100 runs each, beside criterion's distribution.
    for (name, query) in &queries {
        let filter = text(query);
        let worst = (0..100)
            .map(|_| {
                let t = Instant::now();
                black_box(desk.search(&filter, 50, None).expect("search"));
                t.elapsed()
            })
            .max()
            .unwrap_or(Duration::ZERO);
        eprintln!("search_first_50/{name} ({query}): worst of 100 {worst:?}");
    }

    let searcher = desk.searcher().expect("searcher");
    let leak = text("漏水");
    c.bench_function("searcher/first_50_漏水", |b| {
        b.iter(|| black_box(searcher.search(&leak, 50, None).expect("search")))
    });
    let mut group = c.benchmark_group("search_count");
    group.sample_size(10);
    for query in ["漏水", "电梯困人"] {
        let filter = text(query);
        group.bench_function(query, |b| {
            b.iter(|| black_box(desk.search_count(&filter).expect("count")))
        });
    }
    group.finish();
}

criterion_group!(benches, first_page);
criterion_main!(benches);
