//! The dashboard (F7) on a small hand-built desk: drawn in both languages at two sizes
//! (reviewed snapshots, `tests/snapshots/dashboard__*.snap`), while the figures are still
//! being counted and once they came, scrolled, and its definitions page; Enter on a bar, a
//! tile and an ageing row opens the cases pane holding exactly the cases the number counts.
//!
//! The app is driven as `tui::run` drives it: messages in, effects performed on a real
//! `Desk` over a temporary SQLite file (with a fixed clock), the report computed on its
//! thread and its answer fed back.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{Desk, FixedClock};
use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Scope};
use complaint_desk::domain::handling::Action;
use complaint_desk::domain::zone::Zone;
use complaint_desk::i18n::Lang;
use complaint_desk::store::Store;
use complaint_desk::tui::app::App;
use complaint_desk::tui::msg::{Effect, Msg, Notice};
use complaint_desk::tui::panes::Pane;
use complaint_desk::tui::runner::Runner;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// A long configured category name: bars cut it with the cut mark, by display width.
const LONG_ZH: &str = "公共区域卫生间及地下车库排水管道漏水";
const LONG_EN: &str = "Leaks in shared washrooms and the underground car park drains";

fn cst() -> Zone {
    Zone::named("Asia/Shanghai").expect("zone")
}

/// The Shanghai local time "YYYY-MM-DD HH:MM" as an instant.
fn at(s: &str) -> DateTime<Utc> {
    cst().instant(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s))
}

/// The desk's clock: Monday noon.
const NOW: &str = "2026-11-30 12:00";

fn config() -> Config {
    let mut config = Config::preset(Preset::PropertyManagement).expect("preset");
    config.policy.timezone = cst();
    let leak = config
        .policy
        .categories
        .iter_mut()
        .find(|c| c.key == "leak")
        .expect("leak");
    leak.zh = LONG_ZH.into();
    leak.en = LONG_EN.into();
    config
}

/// A desk on `db` acting as 王丽 at Shanghai time `when`.
fn desk_at(db: &Path, when: &str) -> Desk {
    let mut store = Store::open(db).expect("open");
    store
        .agent_active("王丽", "agent", at("2026-01-05 09:00"))
        .expect("register");
    Desk::new(store, config(), "王丽", Box::new(FixedClock(at(when)))).expect("desk")
}

fn complaint(channel: Channel, location: &str, category: &str, phone: &str) -> NewComplaint {
    NewComplaint {
        channel: Some(channel),
        name: "张伟".into(),
        phone: phone.into(),
        location: location.into(),
        category: category.into(),
        description: "卫生间天花板漏水".into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

fn classify(scope: Scope) -> Action {
    Action::Classify {
        scope,
        party: (scope == Scope::Out).then(|| "developer".to_string()),
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: scope == Scope::Out,
    }
}

/// The desk's history, by letter: the numbers of each case.
struct History {
    _dir: tempfile::TempDir,
    db: PathBuf,
    /// Leak, 2 Nov, in scope, open (28 days old).
    a: String,
    /// Lift, 20 Nov, walk-in, closed 25 Nov.
    b: String,
    /// Leak, 25 Nov, out of scope, referred to the developer (open).
    c: String,
    /// Noise (and a leak, a further category), 29 Nov (Sunday), SMS, untriaged and overdue
    /// for triage.
    d: String,
    /// Leak, 30 Nov 09:00, untriaged.
    e: String,
    /// Leak, 20 Oct, untriaged (before the month: 41 days old).
    f: String,
    /// Lift, 10 Nov, email, compensation of 500 awaiting approval (over the agent's 200).
    g: String,
}

fn history() -> History {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("desk.db");
    let intake = |when: &str, new: NewComplaint| desk_at(&db, when).intake(&new).expect("intake");
    let act = |when: &str, n: &str, steps: &[Action]| {
        let mut desk = desk_at(&db, when);
        for step in steps {
            desk.act(n, None, step)
                .unwrap_or_else(|e| panic!("{n} at {when}: {step:?}: {e:?}"));
        }
    };
    let f = intake(
        "2026-10-20 10:00",
        complaint(Channel::Phone, "9栋101", "leak", "13900000006"),
    )
    .number;
    let a = intake(
        "2026-11-02 09:00",
        complaint(Channel::Phone, "3栋2单元1801", "leak", "13800138000"),
    )
    .number;
    act("2026-11-02 09:30", &a, &[classify(Scope::In)]);
    let b = intake(
        "2026-11-20 10:00",
        complaint(Channel::WalkIn, "5栋1单元602", "电梯故障", "13700000002"),
    )
    .number;
    let mut steps = vec![classify(Scope::In)];
    steps.extend(common_to_close());
    act("2026-11-20 11:00", &b, &steps[..5]);
    act("2026-11-25 10:00", &b, &steps[5..]);
    let c = intake(
        "2026-11-25 09:00",
        complaint(Channel::Phone, "7栋1单元602", "leak", "13600000004"),
    )
    .number;
    act(
        "2026-11-25 09:30",
        &c,
        &[
            classify(Scope::Out),
            Action::Refer {
                to: "developer".into(),
                note: "已告知业主".into(),
            },
        ],
    );
    let g = intake(
        "2026-11-10 10:00",
        complaint(Channel::Email, "12栋", "电梯故障", "13400000007"),
    )
    .number;
    let mut steps = vec![classify(Scope::In)];
    steps.extend(common_to_close().into_iter().take(3));
    if let Some(Action::Plan { compensation, .. }) = steps.last_mut() {
        *compensation = Some(500);
    }
    act("2026-11-10 11:00", &g, &steps);
    // The leak bar counts by main category: d's further one is not counted there.
    let d = intake(
        "2026-11-29 15:00",
        NewComplaint {
            extra_categories: vec!["leak".into()],
            ..complaint(Channel::Sms, "东门岗亭", "噪音扰民", "13500000005")
        },
    )
    .number;
    let e = intake(
        "2026-11-30 09:00",
        complaint(Channel::Phone, "3栋2单元1801", "leak", "13800138000"),
    )
    .number;
    History {
        _dir: dir,
        db,
        a,
        b,
        c,
        d,
        e,
        f,
        g,
    }
}

/// From classified to closed, without compensation.
fn common_to_close() -> Vec<Action> {
    vec![
        Action::Verify {
            motive: "维修".into(),
            outcome: "维修".into(),
            mood: None,
        },
        Action::Assess {
            facts: "门机故障".into(),
            severity: None,
        },
        Action::Plan {
            department: "工程部".into(),
            actions: "更换门机".into(),
            promised: None,
            confirmed: true,
            compensation: None,
            gift: None,
        },
        Action::Reply {
            accepted: true,
            alternatives: String::new(),
        },
        Action::Remedied {
            note: "已修好".into(),
        },
        Action::Close {
            summary: "更换门机".into(),
            root_cause: "老化".into(),
            lesson: "巡检".into(),
            referred: false,
        },
    ]
}

/// The app and the desk its effects run on, as `tui::run` wires them.
struct Session {
    app: App,
    runner: Runner,
    size: (u16, u16),
}

impl Session {
    fn open(db: &Path, lang: Lang, size: (u16, u16)) -> Session {
        let desk = desk_at(db, NOW);
        let (app, effects) = App::desk(desk.config().clone(), Some(lang), desk.agent().to_string());
        let mut s = Session {
            app,
            runner: Runner::ready(desk),
            size,
        };
        s.send(Msg::Resize(size.0, size.1));
        s.perform(effects);
        s.send(Msg::Tick(at(NOW)));
        s
    }

    /// Runs the effects, without waiting for the threads.
    fn perform_only(&mut self, effects: Vec<Effect>) {
        self.runner.perform(&mut self.app, effects);
    }

    fn perform(&mut self, effects: Vec<Effect>) {
        self.perform_only(effects);
        self.runner.settle(&mut self.app);
        if let Some(Notice::Failed(e)) = self.app.notice() {
            panic!("an effect failed: {e}");
        }
    }

    fn send(&mut self, msg: Msg) {
        let effects = self.app.update(msg);
        self.perform(effects);
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn keys(&mut self, code: KeyCode, n: usize) {
        for _ in 0..n {
            self.key(code);
        }
    }

    fn draw(&self) -> Buffer {
        let mut terminal =
            Terminal::new(TestBackend::new(self.size.0, self.size.1)).expect("terminal");
        terminal.draw(|frame| self.app.render(frame)).expect("draw");
        terminal.backend().buffer().clone()
    }

    /// The screen as text (each row closed by `|`), checked for characters that must never
    /// reach the terminal.
    fn text(&self) -> String {
        let buffer = self.draw();
        let width = usize::from(buffer.area.width);
        buffer
            .content
            .chunks(width)
            .map(|cells| {
                let mut row = String::new();
                let mut covered = 0;
                for cell in cells {
                    assert!(!cell.symbol().chars().any(char::is_control), "{cells:?}");
                    if covered > 0 {
                        covered -= 1;
                        continue;
                    }
                    row.push_str(cell.symbol());
                    covered = cell
                        .symbol()
                        .chars()
                        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                        .sum::<usize>()
                        .saturating_sub(1);
                }
                format!("{row}|")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The numbers the cases pane lists, sorted.
    fn listed(&self) -> Vec<String> {
        let mut numbers: Vec<String> = self
            .app
            .cases()
            .rows()
            .iter()
            .map(|r| r.complaint.number.clone())
            .collect();
        numbers.sort();
        numbers
    }
}

fn sorted(numbers: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
    v.sort();
    v
}

fn tag(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        _ => "zh",
    }
}

/// The tiles before the first bar: the nine figures now and thirteen for the period.
const TILES: usize = 22;

#[test]
fn the_dashboard_in_both_languages_at_two_sizes() {
    let h = history();
    for lang in [Lang::ZhCn, Lang::En] {
        for size in [(80, 24), (120, 40)] {
            let name = |what: &str| format!("{what}_{}_{}x{}", tag(lang), size.0, size.1);
            let mut s = Session::open(&h.db, lang, size);
            // F7: the frame is drawn before the figures come.
            let effects = s
                .app
                .update(Msg::Key(KeyEvent::new(KeyCode::F(7), KeyModifiers::NONE)));
            assert!(effects.iter().any(|e| matches!(e, Effect::Report { .. })));
            s.perform_only(effects);
            assert_eq!(s.app.pane(), Pane::Dashboard);
            assert!(s.app.dashboard().loading());
            insta::assert_snapshot!(name("dashboard_loading"), s.text());
            s.runner.settle(&mut s.app);
            assert!(!s.app.dashboard().loading());
            let r = s.app.dashboard().report().expect("report");
            assert_eq!(r.figures["received"], Some(6.0), "{:?}", r.figures);
            insta::assert_snapshot!(name("dashboard"), s.text());
            // This month, by channel; the last row (the trend) in view.
            s.key(KeyCode::Char('4'));
            s.key(KeyCode::Char('b'));
            s.key(KeyCode::Char('b'));
            s.key(KeyCode::End);
            insta::assert_snapshot!(name("dashboard_month_by_channel_end"), s.text());
            // F1: the keys and every figure's definition.
            s.key(KeyCode::F(1));
            assert!(s.app.dashboard().definitions_shown());
            assert!(!s.app.help_shown());
            insta::assert_snapshot!(name("dashboard_definitions"), s.text());
            s.key(KeyCode::Esc);
            assert!(!s.app.dashboard().definitions_shown());
        }
    }
}

#[test]
fn dates_typed_choose_the_period_and_a_reversed_pair_is_refused_in_the_form() {
    let h = history();
    let mut s = Session::open(&h.db, Lang::ZhCn, (80, 24));
    s.key(KeyCode::F(7));
    s.key(KeyCode::Char('7'));
    for c in "2026-11-30".chars() {
        s.key(KeyCode::Char(c));
    }
    s.key(KeyCode::Tab);
    for c in "2026-11-01".chars() {
        s.key(KeyCode::Char(c));
    }
    s.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    insta::assert_snapshot!("dashboard_dates_refused_zh_80x24", s.text());
    // Emptied and typed the right way round.
    s.key(KeyCode::BackTab);
    for _ in 0..10 {
        s.key(KeyCode::Backspace);
    }
    for c in "2026-11-20".chars() {
        s.key(KeyCode::Char(c));
    }
    s.key(KeyCode::Tab);
    for _ in 0..10 {
        s.key(KeyCode::Backspace);
    }
    for c in "2026-11-25".chars() {
        s.key(KeyCode::Char(c));
    }
    s.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    let r = s.app.dashboard().report().expect("report");
    // Received 20–25 Nov: the lift (b) and the referred leak (c); b closed the 25th.
    assert_eq!(r.figures["received"], Some(2.0));
    assert_eq!(r.figures["closed"], Some(1.0));
    // The report counts whole days: a time is refused in the form, the period kept.
    s.key(KeyCode::Char('7'));
    s.key(KeyCode::Tab);
    for c in " 10:00".chars() {
        s.key(KeyCode::Char(c));
    }
    s.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    let screen = s.text();
    assert!(screen.contains("不是日期"), "{screen}");
    assert!(screen.contains("2026-11-20 至 2026-11-25"), "{screen}");
}

#[test]
fn enter_on_a_bar_a_tile_or_an_ageing_row_lists_the_cases_it_counts() {
    let h = history();
    let mut s = Session::open(&h.db, Lang::ZhCn, (120, 40));
    s.key(KeyCode::F(7));
    // This month, by category: the leaks first (a, c, e; f came in October).
    s.key(KeyCode::Char('4'));
    let rows = &s.app.dashboard().report().expect("report").rows;
    let leak = rows.iter().find(|r| r.key == "leak").expect("leak row");
    assert_eq!(leak.received, 3);
    s.keys(KeyCode::Down, TILES);
    s.key(KeyCode::Enter);
    assert_eq!(s.app.pane(), Pane::Cases);
    assert_eq!(s.listed(), sorted(&[&h.a, &h.c, &h.e]));
    assert_eq!(s.app.cases().found(), Some(3));
    insta::assert_snapshot!("dashboard_drilled_category_zh_120x40", s.text());
    // Back on the dashboard: the tile "closed" (the second of the period's).
    s.key(KeyCode::F(7));
    s.key(KeyCode::Home);
    s.keys(KeyCode::Down, 10);
    s.key(KeyCode::Enter);
    assert_eq!(s.listed(), sorted(&[&h.b]));
    // Untriaged now: d, e and f, whenever they came in.
    s.key(KeyCode::F(7));
    s.key(KeyCode::Home);
    s.key(KeyCode::Down);
    s.key(KeyCode::Enter);
    assert_eq!(s.listed(), sorted(&[&h.d, &h.e, &h.f]));
    // Triage overdue: as many as the tile says (the status line's rule).
    s.key(KeyCode::F(7));
    s.key(KeyCode::Home);
    s.keys(KeyCode::Down, 2);
    s.key(KeyCode::Enter);
    let r = s.app.dashboard().report().expect("report");
    let overdue = r.figures["triage_overdue"].expect("triage overdue") as usize;
    assert_eq!(s.listed().len(), overdue);
    // Compensation awaiting approval, whoever may approve it (the tab of approvals lists
    // those the agent's role may give: not this one).
    s.key(KeyCode::F(7));
    s.key(KeyCode::Home);
    s.keys(KeyCode::Down, 8);
    s.key(KeyCode::Enter);
    assert_eq!(s.listed(), sorted(&[&h.g]));
    // With a third party: the referred leak.
    s.key(KeyCode::F(7));
    s.key(KeyCode::Home);
    s.keys(KeyCode::Down, 7);
    s.key(KeyCode::Enter);
    assert_eq!(s.listed(), sorted(&[&h.c]));
    // The ageing row 11–30 days: a (28 days) and g (20); 31+: f.
    s.key(KeyCode::F(7));
    s.key(KeyCode::End);
    let r = s.app.dashboard().report().expect("report");
    assert_eq!(r.ageing[3], ("11-30", 2));
    assert_eq!(r.ageing[4], ("31+", 1));
    s.key(KeyCode::Up);
    s.key(KeyCode::Enter);
    assert_eq!(s.listed(), sorted(&[&h.a, &h.g]));
    s.key(KeyCode::F(7));
    s.key(KeyCode::End);
    s.key(KeyCode::Enter);
    assert_eq!(s.listed(), sorted(&[&h.f]));
    // By channel: walk-in is the lift alone.
    s.key(KeyCode::F(7));
    s.key(KeyCode::Char('b'));
    s.key(KeyCode::Char('b'));
    let rows = &s.app.dashboard().report().expect("report").rows;
    let walk_in = rows
        .iter()
        .position(|r| r.key == "walk-in")
        .expect("walk-in row");
    let mut order: Vec<_> = rows.iter().collect();
    order.sort_by(|a, b| b.received.cmp(&a.received).then(a.key.cmp(&b.key)));
    let at = order
        .iter()
        .position(|r| r.key == rows[walk_in].key)
        .expect("sorted");
    s.key(KeyCode::Home);
    s.keys(KeyCode::Down, TILES + at);
    s.key(KeyCode::Enter);
    assert_eq!(s.listed(), sorted(&[&h.b]));
}

#[test]
fn a_newer_period_wins_over_one_still_being_counted() {
    let h = history();
    let mut s = Session::open(&h.db, Lang::ZhCn, (80, 24));
    s.key(KeyCode::F(7));
    // Today, then 7 days, then this year: asked one after the other, none waited for.
    for c in ['1', '2', '6'] {
        let effects = s.app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
        s.perform_only(effects);
    }
    assert!(s.app.dashboard().loading());
    s.runner.settle(&mut s.app);
    assert!(!s.app.dashboard().loading());
    assert!(
        s.text().contains("2026-01-01 至 2026-11-30"),
        "{}",
        s.text()
    );
    // Received this year: all seven.
    let r = s.app.dashboard().report().expect("report");
    assert_eq!(r.figures["received"], Some(7.0));
}
