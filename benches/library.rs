//! Case library benchmarks: the similar published cards offered while classifying
//! (`library/similar_cards_10k`, the target is under 20 ms at 10⁶ complaints) and a text
//! search of the cards (`library/search_10k`), with [`CARDS`] cards in the library.
//!
//! By default a 100,000-complaint demo database is generated in a temporary directory; for
//! the 10⁶ figures, point `COMPLAINT_DESK_BENCH_DB` at a database made with
//! `complaint-desk --db /tmp/big.db demo --count 1000000` (a copy: the cards are added to
//! it, once; a file holding cards already is used as it is). The cards are written through
//! the store in one transaction, published, their text drawn from the desk's categories and
//! a few dozen realistic phrases.

use std::hint::black_box;

use chrono::Utc;
use complaint_desk::desk::{CardFilter, CardStatus};
use complaint_desk::domain::library::{CardText, NewCard};
use complaint_desk::store::{Store, library};
mod common;

use common::{big_db, config, desk_as};
use criterion::{Criterion, criterion_group, criterion_main};

/// Cards in the library.
const CARDS: usize = 10_000;

const PLACES: [&str; 8] = [
    "卫生间",
    "厨房",
    "阳台",
    "地下车库",
    "电梯厅",
    "楼道",
    "外墙",
    "屋顶",
];
const PROBLEMS: [&str; 10] = [
    "天花板渗水",
    "水管爆裂",
    "墙面开裂",
    "电梯困人",
    "噪音扰民",
    "垃圾未清运",
    "门禁失灵",
    "蟑螂滋生",
    "车位被占",
    "路灯不亮",
];
const CAUSES: [&str; 6] = [
    "防水层老化",
    "施工缺陷",
    "维保不到位",
    "巡检遗漏",
    "设备老化",
    "排班不足",
];
const LESSONS: [&str; 5] = [
    "当天上门查看并拍照留存",
    "先说明责任归属再协调",
    "约定回访时间并按时回访",
    "雨季前全面巡检",
    "与维保单位约定响应时限",
];

/// Adds [`CARDS`] published cards to the database at `path` unless it has some.
fn fill(path: &std::path::Path) {
    let mut store = Store::open(path).expect("open");
    let have = store.library_list(&CardFilter::default(), 1).expect("list");
    if !have.is_empty() {
        return;
    }
    let categories: Vec<String> = config()
        .policy
        .categories
        .iter()
        .map(|c| c.key.clone())
        .collect();
    let mut rng = fastrand::Rng::with_seed(19);
    let now = Utc::now();
    store
        .write(|tx| {
            for i in 0..CARDS {
                let place = PLACES[rng.usize(..PLACES.len())];
                let problem = PROBLEMS[rng.usize(..PROBLEMS.len())];
                let cause = CAUSES[rng.usize(..CAUSES.len())];
                let new = NewCard {
                    complaint_id: -1 - i64::try_from(i).expect("index"),
                    category: categories[rng.usize(..categories.len())].clone(),
                    party: "工程部".into(),
                    text: CardText {
                        facts: format!("〔业主〕反映{place}{problem}，已持续{}天。", i % 9 + 1),
                        plan: format!("工程部上门处理{place}{problem}"),
                        reply: "业主接受处理方案。".into(),
                        outcome: "已处理，业主满意".into(),
                        root_cause: cause.into(),
                        lesson: LESSONS[rng.usize(..LESSONS.len())].into(),
                    },
                };
                let id = library::insert(tx, &new, "bench", now)?;
                let mut card = library::by_id(tx, id)?.expect("card");
                card.status = CardStatus::Published;
                card.published_at = Some(now);
                library::update(tx, &card, now)?;
            }
            Ok(())
        })
        .expect("cards");
}

fn cards(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    fill(&path);
    let desk = desk_as(&path, "王丽");
    let similar = desk
        .similar_cards("leak", "卫生间天花板渗水，楼下已经发霉")
        .expect("similar");
    assert_eq!(similar.len(), 3, "three cards offered");
    c.bench_function("library/similar_cards_10k", |b| {
        b.iter(|| {
            black_box(
                desk.similar_cards(
                    black_box("leak"),
                    black_box("卫生间天花板渗水，楼下已经发霉"),
                )
                .expect("similar"),
            )
        })
    });
    let filter = CardFilter {
        text: Some("防水层".into()),
        ..CardFilter::default()
    };
    c.bench_function("library/search_10k", |b| {
        b.iter(|| black_box(desk.library_list(black_box(&filter), 50).expect("search")))
    });
}

criterion_group!(benches, cards);
criterion_main!(benches);
