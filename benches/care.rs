//! Care-plan benchmarks at 10⁴ configured sites, every one on the IT desk's monthly plan, on
//! a temporary SQLite file: keeping the open care calls in step with the configuration when
//! nothing changed (paid at every opening) and when every site is new (the first opening
//! after the plan is configured), the care part of the status refresh and the first page of
//! the care agenda.
//!
//! ```sh
//! cargo bench --bench care
//! ```

use std::hint::black_box;
use std::path::Path;

use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{AgendaRange, Desk, SystemClock};
use complaint_desk::domain::policy::Site;
use complaint_desk::store::Store;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

/// Configured sites, all on the care plan.
const SITES: usize = 10_000;
/// Rows per page, as the panes ask.
const PAGE: u32 = 50;

/// The IT-services preset with `SITES` client accounts on its care plan.
fn config() -> Config {
    let mut config = Config::preset(Preset::ItServices).expect("preset");
    let plan = config.policy.care_plans[0].key.clone();
    config.policy.sites = (0..SITES)
        .map(|i| Site {
            key: format!("account-{i:05}"),
            zh: format!("客户账户{i:05}"),
            zh_tw: None,
            en: format!("Client account {i:05}"),
            care_plan: Some(plan.clone()),
            contact: Some(format!("联系人{i}")),
            phone: Some(format!("139{i:08}")),
        })
        .collect();
    config
}

/// A desk on `path` for an agent (its opening syncs the care calls).
fn desk(path: &Path) -> Desk {
    let mut store = Store::open(path).expect("open");
    store
        .agent_active("bench", "agent", chrono::Utc::now())
        .expect("register");
    Desk::new(store, config(), "bench", Box::new(SystemClock)).expect("desk")
}

/// Removes every care call (setup only): the state before the plan was configured.
fn forget_care_calls(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("connection");
    conn.execute("DELETE FROM care_calls", [])
        .expect("delete care calls");
}

fn care(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = keep.path().join("care.db");
    let mut desk = desk(&path);
    let counts = desk.care_counts().expect("counts");
    eprintln!("care: {SITES} sites on a plan; due {counts:?}");
    let first = desk
        .care_agenda(AgendaRange::All, PAGE, None)
        .expect("page");
    assert_eq!(first.len(), PAGE as usize, "a full page");

    let mut group = c.benchmark_group("care");
    group.bench_function("sync_nothing_changed", |b| {
        b.iter(|| {
            let sync = desk.sync_care_calls().expect("sync");
            assert_eq!(sync.opened + sync.cancelled, 0, "in step");
        })
    });
    group.sample_size(10);
    group.bench_function("sync_all_new", |b| {
        b.iter_batched(
            || forget_care_calls(&path),
            |()| {
                let sync = desk.sync_care_calls().expect("sync");
                assert_eq!(sync.opened, SITES, "every site's first call");
            },
            BatchSize::PerIteration,
        )
    });
    group.sample_size(100);
    group.bench_function("care_counts", |b| {
        b.iter(|| black_box(desk.care_counts().expect("counts")))
    });
    group.bench_function(format!("care_agenda_all_first_{PAGE}"), |b| {
        b.iter(|| {
            black_box(
                desk.care_agenda(AgendaRange::All, PAGE, None)
                    .expect("page"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, care);
criterion_main!(benches);
