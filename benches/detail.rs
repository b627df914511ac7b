//! Case-detail benchmarks: opening one complaint with a long timeline (500 events) on a
//! large database — reading its case file, drawing it in the detail pane, and both, as the
//! terminal app does when Enter opens a case. Frames are drawn into ratatui's
//! `TestBackend` at 120x40 (the app's work, not the terminal's).
//!
//! By default a 100,000-complaint demo database is generated in a temporary directory.
//! For the 10⁶ figures, point `COMPLAINT_DESK_BENCH_DB` at a database made with
//! `complaint-desk --db /tmp/big.db demo --count 1000000`. The benchmark adds one complaint
//! with its 500 events to that database (use a copy to keep it pristine).
//!
//! `detail/risk_and_related` is what the detail adds for an open case: its escalation risk
//! (the store's facts and the score) and its related cases; `detail/rank_open_by_risk` is
//! the cases pane's risk order of the open view (its first 500 rows scored).

use std::hint::black_box;
use std::path::Path;

use complaint_desk::desk::Desk;
use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::{Action, WaitOn};
use complaint_desk::i18n::Lang;
use complaint_desk::tui::app::App;
use complaint_desk::tui::msg::Msg;
use complaint_desk::tui::panes::case;
mod common;

use common::{big_db, config, desk_as};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Events on the complaint the benchmarks open.
const EVENTS: usize = 500;

/// Adds one in-scope complaint and walks it to `EVENTS` events with real moves (waits on
/// the customer and their ends, each its own transaction); its number.
fn long_case(path: &Path) -> String {
    let mut desk = desk_as(path, "王丽");
    let c = desk
        .intake(&NewComplaint {
            channel: Some(Channel::Phone),
            name: "张伟".into(),
            phone: "13800138000".into(),
            location: "3栋2单元1801".into(),
            category: "漏水".into(),
            description: "卫生间天花板漏水，楼下已经发霉。业主多次来电催促。".into(),
            outcome: "尽快维修".into(),
            apologized: true,
            received_at: None,
            extra_categories: Vec::new(),
            site: String::new(),
        })
        .expect("intake");
    let number = c.number;
    desk.act(
        &number,
        None,
        &Action::Classify {
            scope: Scope::In,
            party: None,
            complaint_type: Some("facility".into()),
            severity: "general".into(),
            intent: Intent::Genuine,
            spread_risk: false,
            explained: false,
        },
    )
    .expect("classify");
    // received + classified, then pairs of wait/resume.
    for i in 0..(EVENTS - 2) / 2 {
        desk.act(
            &number,
            None,
            &Action::Wait {
                on: WaitOn::Customer,
                note: format!("第{i}次：业主不在家，约好明天上门查看"),
            },
        )
        .expect("wait");
        desk.act(
            &number,
            None,
            &Action::Resume {
                note: format!("第{i}次：已联系上业主"),
            },
        )
        .expect("resume");
    }
    let events = desk.case_file(&number).expect("case").events.len();
    assert_eq!(events, EVENTS);
    number
}

fn desk(path: &Path) -> Desk {
    desk_as(path, "王丽")
}

/// The app on the classification pane, where Enter opens a case, and its terminal.
fn on_classification_pane() -> (App, Terminal<TestBackend>) {
    let (mut app, _effects) = App::desk(config(), Some(Lang::ZhCn), "王丽".into());
    app.update(Msg::Resize(120, 40));
    app.update(Msg::Key(KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE)));
    let terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    (app, terminal)
}

fn detail(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let number = long_case(&path);
    let desk = desk(&path);

    c.bench_function("detail/case_file_500_events", |b| {
        b.iter(|| black_box(desk.case_file(black_box(&number)).expect("case")))
    });

    let case = desk.case_file(&number).expect("case");
    let (mut app, mut terminal) = on_classification_pane();
    c.bench_function("detail/render_500_events_120x40", |b| {
        b.iter_batched(
            || Box::new(case.clone()),
            |case| {
                app.update(Msg::Case(case::Msg::Opened(case)));
                terminal.draw(|f| app.render(f)).expect("draw");
            },
            BatchSize::SmallInput,
        )
    });

    let (mut app, mut terminal) = on_classification_pane();
    c.bench_function("detail/open_to_frame_500_events_120x40", |b| {
        b.iter(|| {
            let case = desk.case_file(&number).expect("case");
            app.update(Msg::Case(case::Msg::Opened(Box::new(case))));
            terminal.draw(|f| app.render(f)).expect("draw");
        })
    });
    // The frame shows the case (not the empty list): its number is in the title. Drawn
    // once more here, so that the check holds when a filter skipped the benchmark above.
    app.update(Msg::Case(case::Msg::Opened(Box::new(
        desk.case_file(&number).expect("case"),
    ))));
    terminal.draw(|f| app.render(f)).expect("draw");
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains(&number[..8]), "the detail pane is drawn");

    // An open demo case at a site's building (the newest open one of the desk).
    let (open, _) = desk.page(Queue::Open, 200, None).expect("open");
    let open = open
        .into_iter()
        .rev()
        .find(|c| c.site.is_some())
        .expect("an open case at a site");
    c.bench_function("detail/risk_and_related", |b| {
        b.iter(|| {
            let risk = desk.risk_of(black_box(&open)).expect("risk");
            let related = desk.related_to(black_box(&open)).expect("related");
            black_box((risk, related))
        })
    });
    c.bench_function("detail/rank_open_by_risk", |b| {
        b.iter(|| black_box(desk.ranked_by_risk(Queue::Open).expect("ranked")))
    });
}

criterion_group!(benches, detail);
criterion_main!(benches);
