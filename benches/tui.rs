//! Terminal-app benchmarks: app time from start to the first frame, from a keystroke in the
//! intake form to the next frame, and for a page down in the classification list. Frames
//! are drawn into ratatui's `TestBackend` (the app's work, not the terminal's).
//!
//! By default a 100,000-complaint demo database is generated in a temporary directory.
//! For the 10⁶ figures, point `COMPLAINT_DESK_BENCH_DB` at a database made with
//! `complaint-desk --db /tmp/big.db demo --count 1000000`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use complaint_desk::i18n::Lang;
use complaint_desk::tui::app::App;
use complaint_desk::tui::msg::Msg;
use complaint_desk::tui::runner::Runner;
mod common;

use common::{big_db, config, desk_as};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Everything `tui::run` does between parsing the arguments and the first frame, minus
/// taking over the terminal.
fn start(path: &Path) -> (App, Runner, Terminal<TestBackend>) {
    // Registered (without a PIN): reading and typing need no sign-in's proof.
    let desk = desk_as(path, "王丽");
    let (mut app, effects) = App::desk(config(), Some(Lang::ZhCn), "王丽".into());
    app.update(Msg::Resize(120, 40));
    let mut runner = Runner::ready(desk);
    runner.perform(&mut app, effects);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal.draw(|f| app.render(f)).expect("draw");
    (app, runner, terminal)
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// One message through update, its effects, and the next frame.
fn step(app: &mut App, runner: &mut Runner, terminal: &mut Terminal<TestBackend>, msg: Msg) {
    let effects = app.update(msg);
    runner.perform(app, effects);
    terminal.draw(|f| app.render(f)).expect("draw");
}

fn startup(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    c.bench_function("tui/start_to_first_frame", |b| {
        b.iter(|| black_box(start(&path)))
    });
}

fn keystroke(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let (mut app, mut runner, mut terminal) = start(&path);
    // Into the description, with some Chinese text already there.
    for _ in 0..4 {
        step(&mut app, &mut runner, &mut terminal, key(KeyCode::Tab));
    }
    for ch in "卫生间天花板漏水，楼上1901业主不在家。".chars() {
        step(&mut app, &mut runner, &mut terminal, key(KeyCode::Char(ch)));
    }
    // Type a character and take it back: two keystrokes, two frames per iteration.
    c.bench_function("tui/intake_two_keystrokes_to_frames", |b| {
        b.iter(|| {
            step(
                &mut app,
                &mut runner,
                &mut terminal,
                key(KeyCode::Char('漏')),
            );
            step(
                &mut app,
                &mut runner,
                &mut terminal,
                key(KeyCode::Backspace),
            );
        })
    });
}

fn page_down(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let (mut app, mut runner, mut terminal) = start(&path);
    step(&mut app, &mut runner, &mut terminal, key(KeyCode::F(3)));
    // Page down through fresh pages (fetched through the index as the window moves), and
    // back to the top when the list ends.
    c.bench_function("tui/classification_page_down_to_frame", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let before = app.list().position();
                let t = Instant::now();
                step(&mut app, &mut runner, &mut terminal, key(KeyCode::PageDown));
                spent += t.elapsed();
                if app.list().position() == before {
                    step(&mut app, &mut runner, &mut terminal, key(KeyCode::Home));
                }
            }
            spent
        })
    });
}

/// A key typed in the cases pane's search line to the next frame, while a search of the
/// whole history may be running: the frame never waits for it (each key is followed by a
/// tick, so every key starts a search, the worst case; the tick itself is not timed).
fn search_typing(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let (mut app, mut runner, mut terminal) = start(&path);
    step(&mut app, &mut runner, &mut terminal, key(KeyCode::F(6)));
    let mut worst = Duration::ZERO;
    c.bench_function("tui/cases_search_key_to_frame", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for i in 0..iters {
                let ch = if i % 2 == 0 { '漏' } else { '水' };
                let t = Instant::now();
                step(&mut app, &mut runner, &mut terminal, key(KeyCode::Char(ch)));
                let took = t.elapsed();
                worst = worst.max(took);
                spent += took;
                // The search starts at the tick (not timed); the next key comes while it
                // runs.
                step(
                    &mut app,
                    &mut runner,
                    &mut terminal,
                    Msg::Tick(chrono::Utc::now()),
                );
                runner.poll(&mut app);
                step(
                    &mut app,
                    &mut runner,
                    &mut terminal,
                    key(KeyCode::Backspace),
                );
            }
            spent
        })
    });
    runner.settle(&mut app);
    println!("tui/cases_search_key_to_frame: worst {worst:?}");
}

/// A page of a view of the cases pane to the next frame.
fn cases_views(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let (mut app, mut runner, mut terminal) = start(&path);
    step(&mut app, &mut runner, &mut terminal, key(KeyCode::F(6)));
    step(&mut app, &mut runner, &mut terminal, key(KeyCode::Esc));
    for (view, name) in [('1', "mine"), ('2', "open"), ('3', "waiting"), ('6', "all")] {
        step(
            &mut app,
            &mut runner,
            &mut terminal,
            key(KeyCode::Char(view)),
        );
        c.bench_function(&format!("tui/cases_{name}_page_down_to_frame"), |b| {
            b.iter(|| {
                step(&mut app, &mut runner, &mut terminal, key(KeyCode::PageDown));
            })
        });
    }
}

/// F7 to the dashboard's first frame (the figures asked of the report thread, not waited
/// for), and F7 to the frame with the figures of the period (the report thread's whole
/// work: "30 days", by category, as the dashboard opens).
fn dashboard(c: &mut Criterion) {
    let keep = tempfile::tempdir().expect("tmp");
    let path = big_db(&keep);
    let (mut app, mut runner, mut terminal) = start(&path);
    c.bench_function("tui/dashboard_f7_to_first_frame", |b| {
        b.iter(|| {
            step(&mut app, &mut runner, &mut terminal, key(KeyCode::F(7)));
            runner.poll(&mut app);
        })
    });
    runner.settle(&mut app);
    let mut group = c.benchmark_group("tui");
    group.sample_size(10);
    group.bench_function("dashboard_f7_to_figures", |b| {
        b.iter(|| {
            step(&mut app, &mut runner, &mut terminal, key(KeyCode::F(7)));
            runner.settle(&mut app);
            terminal.draw(|f| app.render(f)).expect("draw");
            assert!(app.dashboard().report().is_some());
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    startup,
    keystroke,
    page_down,
    search_typing,
    cases_views,
    dashboard
);
criterion_main!(benches);
