//! Choosing a site while typing, at 10⁴ configured sites: the matcher alone for one
//! keystroke's text, and a keystroke in the intake form's site field through to the next
//! frame (the offers drawn in the side panel). Target: under 5 ms a keystroke.

use std::hint::black_box;

use complaint_desk::config::{Config, Preset, Site};
use complaint_desk::domain::sites::SiteIndex;
use complaint_desk::i18n::Lang;
use complaint_desk::tui::app::App;
use complaint_desk::tui::msg::Msg;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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

criterion_group!(benches, matching, keystroke);
criterion_main!(benches);
