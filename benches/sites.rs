//! Choosing a site while typing, at 10⁴ configured sites: the matcher alone for one
//! keystroke's text, and a keystroke in the intake form's site field through to the next
//! frame (the offers drawn in the side panel). Target: under 5 ms a keystroke.
//!
//! An agent scoped to one small site on a large database: the first page of each queue,
//! each queue's count and the status line's counts, beside head office's (every site), and
//! a complaint taken in (what the indexes cost a write). By default on a 100,000-complaint
//! demo database; for the 10⁶ figures point `COMPLAINT_DESK_BENCH_DB` at a COPY of a
//! database made with `complaint-desk --db /tmp/big.db demo --count 1000000` (the demo
//! spreads complaints unevenly over the preset's sites: 春江名苑 holds about 1%; the
//! benchmark registers agents and takes complaints in, so the file is changed).
//!
//! ```sh
//! cp /tmp/big.db /tmp/big-sites.db
//! COMPLAINT_DESK_BENCH_DB=/tmp/big-sites.db cargo bench --bench sites -- scoped
//! ```

use std::hint::black_box;
use std::path::Path;

use complaint_desk::config::{Config, Preset, Site};
use complaint_desk::desk::{Desk, SystemClock};
use complaint_desk::domain::complaint::{Channel, NewComplaint, Queue};
use complaint_desk::domain::sites::SiteIndex;
use complaint_desk::i18n::Lang;
use complaint_desk::store::{Store, agents};
use complaint_desk::tui::app::App;
use complaint_desk::tui::msg::Msg;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
mod common;

use common::{big_db, config, desk_as};

/// Configured sites.
const SITES: usize = 10_000;

/// `n` sites with Chinese and English names of the usual shapes (`绿景花园三期`).
fn sites(n: usize) -> Vec<Site> {
    const HEAD: [&str; 20] = [
        "绿景", "滨江", "香树", "锦绣", "悦府", "春江", "金域", "翠湖", "碧桂", "万科", "华府",
        "御景", "紫荆", "星河", "海岸", "龙湖", "融创", "保利", "中海", "招商",
    ];
    const TAIL: [&str; 10] = [
        "花园", "名苑", "华庭", "湾", "壹号", "公馆", "城", "府", "山庄", "广场",
    ];
    (0..n)
        .map(|i| {
            let (head, tail) = (HEAD[i % HEAD.len()], TAIL[(i / HEAD.len()) % TAIL.len()]);
            let phase = i / (HEAD.len() * TAIL.len()) + 1;
            Site {
                key: format!("site{i:05}"),
                zh: format!("{head}{tail}{phase}期"),
                zh_tw: None,
                en: format!("Estate {i} phase {phase}"),
                care_plan: None,
                contact: None,
                phone: None,
            }
        })
        .collect()
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn matching(c: &mut Criterion) {
    let index = SiteIndex::new(&sites(SITES));
    // Many names hold it; a name begins with it; nothing matches (every name compared).
    for (label, typed) in [
        ("common", "花园"),
        ("prefix", "香树湾3"),
        ("none", "海底捞"),
    ] {
        c.bench_function(&format!("sites/match_10k_{label}"), |b| {
            b.iter(|| black_box(index.matches(black_box(typed), 8)))
        });
    }
}

fn keystroke(c: &mut Criterion) {
    let mut config = Config::preset(Preset::PropertyManagement).expect("preset");
    config.policy.sites = sites(SITES);
    let (mut app, _) = App::desk(config, Some(Lang::ZhCn), "王丽".into());
    app.update(Msg::Resize(120, 40));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    // Name -> phone -> site, with 海底 typed (the index is made at the first keystroke).
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    for ch in "海底".chars() {
        app.update(key(KeyCode::Char(ch)));
    }
    terminal.draw(|f| app.render(f)).expect("draw");
    // Type a character and take it back: two keystrokes, two frames per iteration, each
    // text matching no site (the worst case: every name compared).
    c.bench_function("sites/intake_two_keystrokes_to_frames_10k", |b| {
        b.iter(|| {
            for code in [KeyCode::Char('捞'), KeyCode::Backspace] {
                black_box(app.update(key(code)));
                terminal.draw(|f| app.render(f)).expect("draw");
            }
        })
    });
}

/// The site the scoped agent works at: the demo's smallest (about 1% of complaints).
const SMALL_SITE: &str = "chunjiang";

/// A desk on `path` for `agent`, registered as an agent of `SMALL_SITE`.
fn scoped_desk(path: &Path, agent: &str) -> Desk {
    let mut store = Store::open(path).expect("open");
    store
        .agent_active(agent, "agent", chrono::Utc::now())
        .expect("register");
    store
        .write(|tx| Ok(agents::set_sites(tx, agent, &[SMALL_SITE.into()])?))
        .expect("sites");
    Desk::new(store, config(), agent, Box::new(SystemClock)).expect("desk")
}

/// Every queue, with its name in the benchmarks' names.
const QUEUES: [(Queue, &str); 7] = [
    (Queue::Untriaged, "untriaged"),
    (Queue::Open, "open"),
    (Queue::Mine, "mine"),
    (Queue::Waiting, "waiting"),
    (Queue::Approval, "approval"),
    (Queue::Closed, "closed"),
    (Queue::All, "all"),
];

fn scoped(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let scoped = scoped_desk(&path, "bench-site");
    let head = desk_as(&path, "bench");
    // Few samples, briefly: an unindexed count at 10⁶ takes a second.
    let mut group = c.benchmark_group("sites");
    group
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    for (who, desk) in [("scoped", &scoped), ("every_site", &head)] {
        for (queue, q) in QUEUES {
            group.bench_function(format!("{who}_first_page_{q}"), |b| {
                b.iter(|| black_box(desk.page(queue, 50, None).expect("page")))
            });
            group.bench_function(format!("{who}_count_{q}"), |b| {
                b.iter(|| black_box(desk.count(queue).expect("count")))
            });
        }
        group.bench_function(format!("{who}_status_counts"), |b| {
            b.iter(|| black_box(desk.status_counts().expect("counts")))
        });
        group.bench_function(format!("{who}_view_counts"), |b| {
            b.iter(|| black_box(desk.view_counts().expect("counts")))
        });
    }
    // What a write costs with the indexes a scoped queue reads.
    let mut desk = scoped;
    let new = NewComplaint {
        channel: Some(Channel::Phone),
        name: "张伟".into(),
        phone: "13800138000".into(),
        location: "3栋2单元1801".into(),
        category: "漏水".into(),
        description: "卫生间天花板漏水，楼下已经发霉。".into(),
        site: SMALL_SITE.into(),
        ..NewComplaint::default()
    };
    group.bench_function("intake", |b| {
        b.iter(|| black_box(desk.intake(&new).expect("intake")))
    });
    group.finish();
}

criterion_group!(benches, matching, keystroke, scoped);
criterion_main!(benches);
