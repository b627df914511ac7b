use super::*;
use crate::config::Preset;
use crate::desk::{
    AgendaCounts, AgendaRange, CallResult, CallbackRow, CallbackView, CareCall, CareOutcome,
    CareResult, CaseFile,
};
use crate::domain::complaint::{Channel, Complaint, NewComplaint, Scope};
use crate::domain::handling::Action;
use crate::domain::merge::Link;
use crate::domain::stage::{Move, Stage};
use crate::error::Error;
use crate::tui::ctx::Ctx;
use crate::tui::forms::followups::FollowKind;
use crate::tui::msg::{Connection, Live};
use crate::tui::panes::callbacks::Msg as CallbacksMsg;
use crate::tui::panes::case::Msg as CaseMsg;
use crate::tui::panes::classification::Msg as ListMsg;
use crate::tui::panes::first_run::Msg as FirstRunMsg;
use crate::tui::panes::intake::{Field, Msg as IntakeMsg};
use crate::tui::panes::lock::Msg as LockMsg;
use crate::tui::panes::revisits::{AgendaRow, Msg as RevisitsMsg};
use crate::tui::widgets::window::{Fetch, FetchKind, Keyed, PAGE};
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyModifiers};

fn saved(c: Box<Complaint>) -> Msg {
    Msg::Intake(IntakeMsg::Saved(c))
}

fn refused(e: Error) -> Msg {
    Msg::Intake(IntakeMsg::Refused(e))
}

fn draft_msg(d: Box<NewComplaint>) -> Msg {
    Msg::Intake(IntakeMsg::Draft(d))
}

fn acted(c: Box<Complaint>) -> Msg {
    Msg::Case(CaseMsg::Acted(c))
}

fn act_refused(e: Error) -> Msg {
    Msg::Case(CaseMsg::ActRefused(e))
}

fn follow_refused(e: Error) -> Msg {
    Msg::Case(CaseMsg::FollowRefused(e))
}

fn refreshed(c: Box<CaseFile>) -> Msg {
    Msg::Case(CaseMsg::Refreshed(c))
}

fn agenda_counts(c: AgendaCounts) -> Msg {
    Msg::Revisits(RevisitsMsg::Counts(c))
}

fn sign_in_refused(e: Error) -> Msg {
    Msg::Lock(LockMsg::Refused(e))
}

/// The first page of a list.
fn first_page() -> Fetch {
    Fetch {
        kind: FetchKind::Start,
        key: None,
        limit: PAGE,
    }
}

/// The page after `c`.
fn page_after(c: &Complaint) -> Fetch {
    Fetch {
        kind: FetchKind::Next,
        key: Some(c.key()),
        limit: PAGE,
    }
}

/// The page before `c`.
fn page_before(c: &Complaint) -> Fetch {
    Fetch {
        kind: FetchKind::Before,
        key: Some(c.key()),
        limit: PAGE,
    }
}

/// The window read again from the list's start.
fn reload_page(limit: u32) -> Fetch {
    Fetch {
        kind: FetchKind::Reload,
        key: None,
        limit,
    }
}

/// The last page.
fn last_page() -> Fetch {
    Fetch {
        kind: FetchKind::Last,
        key: None,
        limit: PAGE,
    }
}

fn list_page(fetch: Fetch, rows: Vec<Complaint>) -> Msg {
    Msg::Classification(ListMsg::Page { fetch, rows })
}

fn app() -> App {
    let config = Config::preset(Preset::PropertyManagement).expect("preset");
    let (mut app, effects) = App::desk(config, Some(Lang::ZhCn), "王丽".into());
    assert_eq!(
        effects,
        vec![
            Effect::DataVersion,
            Effect::LoadDraft,
            Effect::LoadPage(first_page())
        ]
    );
    app.update(Msg::Resize(100, 30));
    assert_eq!(app.update(Msg::Tick(Utc::now())), vec![Effect::Counts]);
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn tick(app: &mut App) -> Vec<Effect> {
    app.update(Msg::Tick(Utc::now()))
}

fn complaint(id: i64) -> Complaint {
    let at = Utc
        .timestamp_opt(1_760_000_000 + id * 60, 0)
        .single()
        .expect("time");
    Complaint {
        received_at: at,
        updated_at: at,
        name: format!("住户{id}"),
        ..Complaint::sample(id, "leak", "卫生间漏水")
    }
}

fn page(from: i64, n: i64) -> Vec<Complaint> {
    (from..from + n).map(complaint).collect()
}

#[test]
fn typing_keeps_a_draft_after_a_quiet_moment_and_ctrl_s_saves_the_form() {
    let mut app = app();
    assert_eq!(app.intake().focus(), Field::Name);
    type_text(&mut app, "张伟");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "13800138000");
    assert!(app.intake().unsaved());
    // The first tick after typing looks up earlier complaints; the draft waits for quiet.
    let first = tick(&mut app);
    assert_eq!(
        first,
        vec![Effect::Lookup {
            phone: "13800138000".into(),
            location: String::new(),
            category: String::new(),
        }]
    );
    let second = tick(&mut app);
    let Some(Effect::SaveDraft(draft)) = second.first() else {
        panic!("draft kept after two quiet ticks: {second:?}");
    };
    assert_eq!(
        (draft.name.as_str(), draft.phone.as_str()),
        ("张伟", "13800138000")
    );
    assert!(tick(&mut app).is_empty(), "kept once, not on every tick");
    let saved = ctrl(&mut app, 's');
    let [Effect::Intake(form)] = saved.as_slice() else {
        panic!("Ctrl+S saves: {saved:?}");
    };
    assert_eq!(form.channel, Some(Channel::Phone));
    assert_eq!(form.name, "张伟");
}

/// A call that may be about an open case: Ctrl+S offers the open complaints first; Esc goes
/// back to the form, Enter attaches the call to the highlighted one (no new complaint), `n`
/// saves it as new; attached, the form empties and the notice names the case.
#[test]
fn ctrl_s_offers_the_open_cases_a_call_may_be_about_before_saving() {
    let mut app = app();
    type_text(&mut app, "张伟");
    app.update(Msg::Intake(IntakeMsg::Repeats {
        earlier: vec![complaint(1), complaint(2)],
        open: vec![complaint(1), complaint(2)],
        year: 2,
    }));
    assert!(ctrl(&mut app, 's').is_empty(), "offered, not saved");
    press(&mut app, KeyCode::Esc);
    type_text(&mut app, "丽");
    let ctx = Ctx::new(&app.config, app.lang);
    assert_eq!(app.intake().form(&ctx).name, "张伟丽", "back to the form");
    ctrl(&mut app, 's');
    press(&mut app, KeyCode::Down);
    let attached = press(&mut app, KeyCode::Enter);
    let [Effect::AttachCall { number, form }] = attached.as_slice() else {
        panic!("Enter attaches: {attached:?}");
    };
    assert_eq!(number, &complaint(2).number);
    assert_eq!(form.name, "张伟丽");
    ctrl(&mut app, 's');
    let saved = press(&mut app, KeyCode::Char('n'));
    assert!(
        matches!(saved.as_slice(), [Effect::Intake(_)]),
        "n saves as new: {saved:?}"
    );
    app.update(Msg::Intake(IntakeMsg::Attached(Box::new(complaint(2)))));
    assert!(app.intake().is_blank(), "the form empties");
}

/// Ctrl+S within a tick of the phone's last digit: the lookup is made first, and its answer
/// offers the open case found, or with none saves; typing meanwhile calls the save off.
#[test]
fn ctrl_s_before_the_phone_is_looked_up_saves_on_the_lookups_answer() {
    let typed = || {
        let mut a = app();
        type_text(&mut a, "张伟");
        press(&mut a, KeyCode::Tab);
        type_text(&mut a, "13800138000");
        a
    };
    let lookup = Effect::Lookup {
        phone: "13800138000".into(),
        location: String::new(),
        category: String::new(),
    };
    let answer = |open: Vec<Complaint>| {
        Msg::Intake(IntakeMsg::Repeats {
            earlier: open.clone(),
            open,
            year: 1,
        })
    };
    let mut a = typed();
    assert_eq!(ctrl(&mut a, 's'), vec![lookup.clone()]);
    assert!(a.update(answer(vec![complaint(1)])).is_empty(), "offered");
    let attached = press(&mut a, KeyCode::Enter);
    assert!(
        matches!(attached.as_slice(), [Effect::AttachCall { number, .. }] if *number == complaint(1).number),
        "{attached:?}"
    );
    let mut a = typed();
    assert_eq!(ctrl(&mut a, 's'), vec![lookup.clone()]);
    let saved = a.update(answer(Vec::new()));
    assert!(
        matches!(saved.as_slice(), [Effect::Intake(form)] if form.phone == "13800138000"),
        "{saved:?}"
    );
    let mut a = typed();
    assert_eq!(ctrl(&mut a, 's'), vec![lookup]);
    type_text(&mut a, "1");
    assert!(
        a.update(answer(Vec::new())).is_empty(),
        "typing called the save off"
    );
}

/// Ctrl+O offers the caller's earlier complaints; Enter opens the highlighted one on the
/// cases pane while the form waits as typed; with none found, a notice says so.
#[test]
fn ctrl_o_opens_an_earlier_complaint_on_the_cases_pane_and_the_form_waits() {
    let mut app = app();
    type_text(&mut app, "张伟");
    assert!(ctrl(&mut app, 'o').is_empty());
    assert!(matches!(app.notice(), Some(Notice::NoEarlier)));
    app.update(Msg::Intake(IntakeMsg::Repeats {
        earlier: vec![complaint(3), complaint(1)],
        open: Vec::new(),
        year: 2,
    }));
    assert!(ctrl(&mut app, 'o').is_empty(), "the box, nothing read yet");
    press(&mut app, KeyCode::Esc);
    type_text(&mut app, "丽");
    ctrl(&mut app, 'o');
    press(&mut app, KeyCode::Down);
    let opened = press(&mut app, KeyCode::Enter);
    assert!(
        opened.contains(&Effect::OpenCase(complaint(1).number)),
        "the highlighted one opens: {opened:?}"
    );
    assert_eq!(app.pane(), Pane::Cases);
    let ctx = Ctx::new(&app.config, app.lang);
    assert_eq!(app.intake().form(&ctx).name, "张伟丽", "the form waits");
}

#[test]
fn a_save_empties_the_form_recounts_and_the_list_follows_when_entered() {
    let mut app = app();
    app.update(list_page(first_page(), page(1, 3)));
    type_text(&mut app, "张伟");
    let effects = app.update(saved(Box::new(complaint(7))));
    assert_eq!(effects, vec![Effect::Counts]);
    assert!(app.intake().is_blank());
    assert!(matches!(app.notice(), Some(Notice::Saved(n)) if n == "20261122-0007"));
    assert_eq!(
        press(&mut app, KeyCode::F(3)),
        vec![Effect::LoadPage(reload_page(PAGE)), Effect::Counts],
        "the list read again where it is"
    );
}

#[test]
fn a_refusal_moves_to_its_field_and_keeps_what_was_typed() {
    let mut app = app();
    type_text(&mut app, "张伟");
    let err = Error::new("error.phone_invalid").arg("value", "电话");
    app.update(refused(err));
    assert_eq!(app.intake().focus(), Field::Phone);
    assert!(app.intake().error().is_some());
    let ctx = Ctx::new(&app.config, app.lang);
    assert_eq!(app.intake().form(&ctx).name, "张伟");
    // Typing in the field clears its refusal.
    type_text(&mut app, "1");
    assert!(app.intake().error().is_none());
}

#[test]
fn quitting_or_a_signal_keeps_an_unsaved_draft_first() {
    for quit in [
        Msg::Terminate,
        Msg::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)),
    ] {
        let mut app = app();
        type_text(&mut app, "张");
        let effects = app.update(quit);
        assert!(
            matches!(effects.as_slice(), [Effect::SaveDraft(d), Effect::Quit] if d.name == "张"),
            "{effects:?}"
        );
        assert!(app.quitting());
    }
    let mut app = app();
    assert_eq!(
        ctrl(&mut app, 'q'),
        vec![Effect::Quit],
        "nothing typed, nothing kept"
    );
}

#[test]
fn an_emptied_form_drops_its_draft() {
    let mut app = app();
    type_text(&mut app, "张");
    press(&mut app, KeyCode::Backspace);
    tick(&mut app);
    assert_eq!(tick(&mut app), vec![Effect::ClearDraft]);
    type_text(&mut app, "李");
    ctrl(&mut app, 'n');
    assert_eq!(press(&mut app, KeyCode::Enter), vec![Effect::ClearDraft]);
    assert!(app.intake().is_blank());
}

#[test]
fn a_restored_draft_fills_the_form_and_says_so() {
    let mut app = app();
    let draft = NewComplaint {
        channel: Some(Channel::WalkIn),
        name: "张伟".into(),
        category: "leak".into(),
        description: "第一行\n第二行".into(),
        ..NewComplaint::default()
    };
    app.update(draft_msg(Box::new(draft.clone())));
    let ctx = Ctx::new(&app.config, app.lang);
    assert_eq!(app.intake().form(&ctx), draft);
    assert_eq!(app.intake().focus(), Field::Phone, "first empty field");
    assert!(matches!(app.notice(), Some(Notice::DraftRestored)));
}

/// The app on the intake form with the focus in the site field.
fn at_site(lang: Lang) -> App {
    let mut app = app();
    app.lang = lang;
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.intake().focus(), Field::Site);
    app
}

/// The keys of the configured sites the intake form offers now.
fn offered_keys(app: &App) -> Vec<String> {
    let ctx = Ctx::new(&app.config, app.lang);
    let sites = &app.config.policy.sites;
    let offers = app.intake().offers(&ctx);
    offers.iter().map(|i| sites[*i].key.clone()).collect()
}

#[test]
fn typed_characters_offer_sites_and_enter_takes_the_highlighted_one() {
    let mut app = at_site(Lang::ZhCn);
    // 江 is inside two estates' names (neither begins with it), in configured order.
    type_text(&mut app, "江");
    assert_eq!(offered_keys(&app), ["binjiang", "chunjiang"]);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(
        app.intake().focus(),
        Field::Site,
        "Down moves among the offers"
    );
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.intake().focus(), Field::Location, "Enter moves on");
    assert_eq!(form_of(&app).site, "春江名苑", "its name fills the field");
    assert!(app.intake().unsaved(), "a change to keep as a draft");

    // Traditional characters find the Simplified name; an English screen fills in English.
    let mut app = at_site(Lang::En);
    type_text(&mut app, "香樹");
    assert_eq!(offered_keys(&app), ["xiangshu"]);
    press(&mut app, KeyCode::Enter);
    assert_eq!(form_of(&app).site, "Camphor Bay");
    // English: a name it begins before one it holds.
    let mut app = at_site(Lang::En);
    type_text(&mut app, "river");
    assert_eq!(offered_keys(&app), ["binjiang", "chunjiang"]);
}

#[test]
fn tab_keeps_the_site_as_typed_and_the_refusal_lands_on_the_field() {
    let mut app = at_site(Lang::ZhCn);
    type_text(&mut app, "海底捞");
    assert!(offered_keys(&app).is_empty());
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.intake().focus(), Field::Location);
    assert_eq!(form_of(&app).site, "海底捞", "free entry, as typed");
    // With no offer, Enter and Down move on too.
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.intake().focus(), Field::Location);
    // A desk that takes configured sites only refuses it: the refusal is on the field.
    app.update(refused(
        Error::new("error.unknown_site")
            .arg("field", "site")
            .arg("value", "海底捞"),
    ));
    assert_eq!(app.intake().focus(), Field::Site);
    assert_eq!(app.intake().error().map(|(f, _)| *f), Some(Field::Site));
}

#[test]
fn space_adds_and_removes_further_categories_but_never_the_main_one() {
    let mut app = app();
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.intake().focus(), Field::Category);
    type_text(&mut app, "漏");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.intake().focus(), Field::Extra);
    // The cursor starts past the main category (漏水 is the first).
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(form_of(&app).extra_categories, ["lift"]);
    // A typed character moves the cursor to a category holding it.
    type_text(&mut app, "噪");
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(form_of(&app).extra_categories, ["lift", "noise"]);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        form_of(&app).extra_categories,
        ["lift"],
        "Space again removes"
    );
    // Left stops at the first category but the main one.
    for _ in 0..20 {
        press(&mut app, KeyCode::Left);
    }
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(form_of(&app).extra_categories, Vec::<String>::new());
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(form_of(&app).extra_categories, ["lift"]);
    // Made the main category, a further one leaves the list.
    press(&mut app, KeyCode::BackTab);
    type_text(&mut app, "电");
    assert_eq!(form_of(&app).category, "lift");
    assert_eq!(form_of(&app).extra_categories, Vec::<String>::new());
}

#[test]
fn a_sixth_further_category_is_refused_beside_the_field() {
    let mut app = app();
    for _ in 0..5 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.intake().focus(), Field::Extra);
    for _ in 0..6 {
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Char(' '));
    }
    assert_eq!(form_of(&app).extra_categories.len(), 5);
    let (field, err) = app.intake().error().expect("refused");
    assert_eq!(
        (*field, err.key),
        (Field::Extra, "error.too_many_categories")
    );
}

#[test]
fn the_site_and_further_categories_go_into_the_draft_and_come_back() {
    let mut typed = at_site(Lang::ZhCn);
    type_text(&mut typed, "绿景");
    press(&mut typed, KeyCode::Enter);
    press(&mut typed, KeyCode::Tab);
    type_text(&mut typed, "漏");
    press(&mut typed, KeyCode::Tab);
    type_text(&mut typed, "噪");
    press(&mut typed, KeyCode::Char(' '));
    tick(&mut typed);
    let draft = match tick(&mut typed).as_slice() {
        [Effect::SaveDraft(d)] => (**d).clone(),
        other => panic!("the draft is kept: {other:?}"),
    };
    assert_eq!(draft.site, "绿景花园");
    assert_eq!(draft.extra_categories, ["noise"]);
    // Back on a fresh form: everything as it was.
    let mut again = app();
    again.update(draft_msg(Box::new(draft.clone())));
    assert_eq!(form_of(&again), draft);
    // A draft naming its categories by name, the main one among them, reads as keys.
    let by_name = NewComplaint {
        extra_categories: vec!["噪音扰民".into(), "漏水".into(), "noise".into()],
        ..draft.clone()
    };
    again.update(draft_msg(Box::new(by_name)));
    assert_eq!(form_of(&again).extra_categories, ["noise"]);
}

#[test]
fn paste_keeps_lines_in_the_description_and_reports_dropped_controls() {
    let mut app = app();
    for _ in 0..6 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.intake().focus(), Field::Description);
    app.update(Msg::Paste("漏水\r\n严重\u{1b}[2J".into()));
    let ctx = Ctx::new(&app.config, app.lang);
    assert_eq!(app.intake().form(&ctx).description, "漏水\n严重[2J");
    assert!(matches!(app.notice(), Some(Notice::PasteCleaned(1))));
}

#[test]
fn choices_step_with_arrows_and_jump_by_typed_character() {
    let mut app = app();
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.intake().focus(), Field::Channel);
    press(&mut app, KeyCode::Right);
    for _ in 0..5 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.intake().focus(), Field::Category);
    type_text(&mut app, "漏");
    let ctx = Ctx::new(&app.config, app.lang);
    let form = app.intake().form(&ctx);
    assert_eq!(form.channel, Some(Channel::WalkIn));
    assert_eq!(form.category, "leak");
}

#[test]
fn the_list_pages_forward_and_back_through_the_queue() {
    let mut app = app();
    press(&mut app, KeyCode::F(3));
    assert_eq!(app.pane(), Pane::Classification);
    app.update(Msg::Counts(Live {
        counts: StatusCounts {
            untriaged: 1_000,
            ..StatusCounts::default()
        },
        ..Live::default()
    }));
    assert!(
        app.update(Msg::Classification(ListMsg::Page {
            fetch: first_page(),
            rows: page(1, 200),
        }))
        .is_empty()
    );
    // Near the end of the window the next page is asked for, after the last row.
    let mut asked = None;
    for _ in 0..180 {
        let effects = press(&mut app, KeyCode::Down);
        if let [Effect::LoadPage(at)] = effects.as_slice() {
            asked = Some(*at);
            break;
        }
    }
    let last = complaint(200);
    assert_eq!(asked, Some(page_after(&last)));
    app.update(Msg::Classification(ListMsg::Page {
        fetch: page_after(&last),
        rows: page(201, 200),
    }));
    assert_eq!(app.list().rows().len(), 400);
    // End jumps to the newest page; the position counts from the queue's size.
    let end = press(&mut app, KeyCode::End);
    assert_eq!(end, vec![Effect::LoadPage(last_page())]);
    app.update(Msg::Classification(ListMsg::Page {
        fetch: last_page(),
        rows: page(801, 200),
    }));
    assert_eq!(app.list().position(), 999);
    assert_eq!(app.list().selected().map(|c| c.id), Some(1000));
    // Paging up past the window's start asks for the page before its first row.
    let mut back = None;
    for _ in 0..10 {
        if let [Effect::LoadPage(at)] = press(&mut app, KeyCode::PageUp).as_slice() {
            back = Some(*at);
            break;
        }
    }
    let first = complaint(801);
    assert_eq!(back, Some(page_before(&first)));
    app.update(Msg::Classification(ListMsg::Page {
        fetch: page_before(&first),
        rows: page(601, 200),
    }));
    assert_eq!(app.list().rows().first().map(|c| c.id), Some(601));
    let selected = app.list().selected().map(|c| c.id).expect("selection");
    assert_eq!(
        app.list().position() + 1,
        selected as u64,
        "position follows ids"
    );
}

#[test]
fn enter_opens_the_case_and_esc_goes_back() {
    let mut app = app();
    press(&mut app, KeyCode::F(3));
    app.update(Msg::Classification(ListMsg::Page {
        fetch: first_page(),
        rows: page(1, 3),
    }));
    press(&mut app, KeyCode::Down);
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![Effect::OpenCase("20261122-0002".into())]
    );
    app.update(Msg::Case(CaseMsg::Opened(Box::new(file(complaint(2))))));
    assert!(app.detail().is_some());
    press(&mut app, KeyCode::Esc);
    assert!(app.detail().is_none());
}

/// The case file of `c` with nothing else in it.
fn file(c: Complaint) -> CaseFile {
    CaseFile {
        complaint: c,
        events: Vec::new(),
        callbacks: Vec::new(),
        revisits: Vec::new(),
        attachments: Vec::new(),
        risk: None,
        related: Vec::new(),
        absorbed: Vec::new(),
        split: Default::default(),
        card: None,
        may_add_card: false,
    }
}

fn case(c: Complaint) -> Msg {
    Msg::Case(CaseMsg::Opened(Box::new(file(c))))
}

/// The classification pane with `rows` listed.
fn listed(rows: Vec<Complaint>) -> App {
    let mut app = app();
    press(&mut app, KeyCode::F(3));
    app.update(Msg::Classification(ListMsg::Page {
        fetch: first_page(),
        rows,
    }));
    app
}

fn classified(id: i64, version: i64) -> Complaint {
    let mut c = complaint(id);
    c.scope = Some(Scope::In);
    c.severity = Some("minor".into());
    c.version = version;
    c
}

#[test]
fn c_in_the_list_opens_the_classification_form_and_ctrl_s_applies_it() {
    let mut wall = complaint(1);
    wall.category = "wall-crack".into();
    wall.description = "开发商交房的墙面开裂".into();
    wall.version = 3;
    let mut app = listed(vec![wall, complaint(2)]);
    // Opening it asks for the case library's most similar cards, nothing else.
    assert_eq!(
        press(&mut app, KeyCode::Char('c')),
        vec![Effect::SimilarCards {
            number: "20261122-0001".into(),
            category: "wall-crack".into(),
            description: "开发商交房的墙面开裂".into(),
        }]
    );
    let form = app.move_form().expect("form open");
    assert_eq!(
        (form.mv(), form.number(), form.version()),
        (Move::Classify, "20261122-0001", 3)
    );
    assert_eq!(form.form().chosen("scope"), Some("out"));
    assert!(form.form().is_suggested("party"));
    // The suggestion never saves itself: without a severity nothing is applied.
    assert!(ctrl(&mut app, 's').is_empty());
    assert_eq!(
        app.move_form()
            .and_then(|f| f.form().error())
            .map(|(at, _)| at),
        Some(Some("severity"))
    );
    assert!(matches!(app.notice(), Some(Notice::Failed(_))));
    press(&mut app, KeyCode::Right);
    let effects = ctrl(&mut app, 's');
    let [
        Effect::Act {
            number,
            version,
            action,
        },
    ] = effects.as_slice()
    else {
        panic!("Ctrl+S applies: {effects:?}");
    };
    assert_eq!((number.as_str(), *version), ("20261122-0001", 3));
    assert!(matches!(
        action.as_ref(),
        Action::Classify { scope: Scope::Out, party: Some(p), severity, explained: false, .. }
            if p == "developer" && severity == "minor"
    ));
    // The desk refuses (not explained): the form stays, the reason beside the tick.
    app.update(act_refused(Error::new("error.explain_first")));
    let form = app.move_form().expect("kept");
    assert_eq!(form.form().focus(), Some("explained"));
    assert_eq!(
        form.form().error().map(|(at, e)| (at, e.key)),
        Some((Some("explained"), "error.explain_first"))
    );
    press(&mut app, KeyCode::Char(' '));
    assert!(app.move_form().and_then(|f| f.error()).is_none());
    // Applied: the form closes, the list and the counts follow.
    let mut done = complaint(1);
    done.scope = Some(Scope::Out);
    let effects = app.update(acted(Box::new(done)));
    assert_eq!(
        effects,
        vec![Effect::Counts, Effect::LoadPage(reload_page(PAGE))]
    );
    assert!(app.move_form().is_none());
    assert!(matches!(
        app.notice(),
        Some(Notice::Acted {
            mv: Move::Classify,
            ..
        })
    ));
}

#[test]
fn a_detail_key_opens_the_move_form_at_the_version_shown() {
    let mut app = listed(page(1, 2));
    press(&mut app, KeyCode::Enter);
    let c = classified(1, 5);
    app.update(case(c.clone()));
    // A move not possible now does nothing; one possible opens its form.
    press(&mut app, KeyCode::Char('x'));
    assert!(app.move_form().is_none());
    press(&mut app, KeyCode::Char('v'));
    assert_eq!(app.move_form().map(|f| f.mv()), Some(Move::Verify));
    type_text(&mut app, "要求赔偿");
    app.update(Msg::Paste("\u{1b}[31m地板".into()));
    assert!(matches!(app.notice(), Some(Notice::PasteCleaned(1))));
    let effects = ctrl(&mut app, 's');
    let [
        Effect::Act {
            version, action, ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(*version, 5);
    assert_eq!(
        action.as_ref(),
        &Action::Verify {
            motive: "要求赔偿[31m地板".into(),
            outcome: String::new(),
            mood: None,
        }
    );
    // Applied: the case is read again to show its new stage and event.
    let mut after = c;
    after.stage = Stage::Verified;
    after.version = 6;
    let effects = app.update(acted(Box::new(after)));
    assert!(effects.contains(&Effect::RefreshCase("20261122-0001".into())));
    assert!(app.detail().is_some(), "the detail stays open");
}

#[test]
fn a_conflict_keeps_the_form_and_applies_it_to_the_complaint_fetched_again() {
    let mut app = listed(page(1, 1));
    press(&mut app, KeyCode::Enter);
    app.update(case(classified(1, 2)));
    press(&mut app, KeyCode::Char('v'));
    type_text(&mut app, "动机");
    let conflict = Error::new("error.conflict")
        .arg("number", "20261122-0001")
        .arg("agent", "李娜");
    let effects = app.update(act_refused(conflict));
    assert_eq!(
        effects.first(),
        Some(&Effect::OpenCase("20261122-0001".into()))
    );
    let form = app.move_form().expect("kept");
    assert_eq!(
        form.form().text_of("motive"),
        "动机",
        "nothing typed is lost"
    );
    assert_eq!(form.error().map(|e| e.key), Some("error.conflict"));
    assert!(matches!(app.notice(), Some(Notice::Failed(e)) if e.key == "error.conflict"));
    app.update(case(classified(1, 3)));
    assert_eq!(app.move_form().map(|f| f.version()), Some(3));
    let effects = ctrl(&mut app, 's');
    assert!(matches!(
        effects.as_slice(),
        [Effect::Act { version: 3, .. }]
    ));
}

#[test]
fn esc_or_ctrl_w_leaves_a_form_without_saving() {
    let mut app = listed(page(1, 1));
    press(&mut app, KeyCode::Char('c'));
    assert!(app.move_form().is_some());
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.move_form().is_none());
    press(&mut app, KeyCode::Enter);
    app.update(case(complaint(1)));
    press(&mut app, KeyCode::Char('c'));
    assert!(app.move_form().is_some());
    assert!(ctrl(&mut app, 'w').is_empty());
    assert!(app.move_form().is_none());
    assert!(app.detail().is_some(), "leaving the form keeps the detail");
}

#[test]
fn help_opens_with_f1_and_any_key_closes_it_while_pane_keys_still_work() {
    let mut app = app();
    press(&mut app, KeyCode::F(1));
    assert!(app.help_shown());
    type_text(&mut app, "x");
    assert!(!app.help_shown());
    assert!(app.intake().is_blank(), "the closing key is not typed");
    press(&mut app, KeyCode::F(1));
    press(&mut app, KeyCode::F(4));
    assert!(!app.help_shown());
    assert_eq!(app.pane(), Pane::Callbacks);
}

fn alt(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)))
}

/// A Chinese input method takes bare letters, but the terminal passes Alt chords: every
/// letter key also works with Alt, and an Alt chord never types into a field.
#[test]
fn alt_and_a_letter_give_what_the_letter_gives() {
    // Intake: Alt+letters are not text; Alt+2 still goes to F3.
    let mut app = listed(page(1, 2));
    press(&mut app, KeyCode::F(2));
    for c in ['c', 'v', 'x', 'y', ' '] {
        alt(&mut app, c);
    }
    assert!(app.intake().is_blank(), "an Alt chord typed into the form");
    alt(&mut app, '2');
    assert_eq!(app.pane(), Pane::Classification);
    // The list: Alt+j moves down, Alt+c classifies the selected complaint.
    alt(&mut app, 'j');
    assert_eq!(app.list().position(), 1);
    alt(&mut app, 'k');
    alt(&mut app, 'c');
    assert_eq!(app.move_form().map(|f| f.mv()), Some(Move::Classify));
    // In the form an Alt chord changes no choice.
    let scope = |app: &App| {
        app.move_form()
            .and_then(|f| f.form().chosen("scope").map(str::to_string))
    };
    let before = scope(&app);
    alt(&mut app, ' ');
    alt(&mut app, 'o');
    assert_eq!(scope(&app), before);
    press(&mut app, KeyCode::Esc);
    // The detail: Alt+v opens the verify form, whose text takes no Alt chord.
    press(&mut app, KeyCode::Enter);
    app.update(case(classified(1, 5)));
    alt(&mut app, 'v');
    assert_eq!(app.move_form().map(|f| f.mv()), Some(Move::Verify));
    alt(&mut app, 'a');
    type_text(&mut app, "要求赔偿");
    alt(&mut app, 'x');
    let effects = ctrl(&mut app, 's');
    let [Effect::Act { action, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(
        matches!(action.as_ref(), Action::Verify { motive, .. } if motive == "要求赔偿"),
        "{action:?}"
    );
    // Alt+q closes the detail as q does (the typed form, left unsaved, asks first).
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.move_form().is_none());
    alt(&mut app, 'q');
    assert!(app.detail().is_none());
}

#[test]
fn alt_letters_in_the_callback_queue() {
    let mut app = queue(callback_page(1, 2));
    assert_eq!(
        alt(&mut app, 'c'),
        vec![Effect::Dial {
            number: "20261122-0001".into(),
            name: "住户1".into(),
        }]
    );
    alt(&mut app, 'l');
    assert!(app.follow_form().is_some());
    press(&mut app, KeyCode::Esc);
    alt(&mut app, 'p');
    assert!(app.follow_form().is_some());
    press(&mut app, KeyCode::Esc);
    let effects = alt(&mut app, 'o');
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::LoadCallbacks {
                view: CallbackView::Overdue,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn ctrl_c_tells_how_to_quit_and_releases_are_ignored() {
    let mut app = app();
    ctrl(&mut app, 'c');
    assert!(matches!(app.notice(), Some(Notice::QuitHint)));
    assert!(!app.quitting());
    let mut release = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    app.update(Msg::Key(release));
    assert!(app.intake().is_blank());
}

// --- The follow-up panes ------------------------------------------------------------

use crate::desk::{Callback, Revisit};

fn callback_row(id: i64) -> CallbackRow {
    let c = classified(id, 2);
    CallbackRow {
        callback: Callback {
            id: id + 100,
            kind: "first_reply".into(),
            due_at: c.received_at + chrono::Duration::hours(2),
            owner: None,
            note: String::new(),
            done_at: None,
            attempts: 0,
            level: 0,
        },
        complaint: c,
        overdue: id % 2 == 0,
        flagged: false,
    }
}

fn callback_page(from: i64, n: i64) -> Vec<CallbackRow> {
    (from..from + n).map(callback_row).collect()
}

fn start(kind: FetchKind, key: Option<(i64, i64)>) -> Fetch {
    Fetch {
        kind,
        key,
        limit: PAGE,
    }
}

/// The callbacks pane with `rows` read.
fn queue(rows: Vec<CallbackRow>) -> App {
    let mut app = app();
    let effects = press(&mut app, KeyCode::F(4));
    assert_eq!(
        effects,
        vec![
            Effect::LoadCallbacks {
                view: CallbackView::All,
                fetch: start(FetchKind::Start, None),
            },
            Effect::Counts
        ]
    );
    assert!(
        app.update(Msg::Callbacks(CallbacksMsg::Page {
            view: CallbackView::All,
            fetch: start(FetchKind::Start, None),
            rows,
        }))
        .is_empty()
    );
    app
}

#[test]
fn callback_filters_read_their_view_from_the_start_and_drop_late_pages() {
    let mut app = queue(callback_page(1, 5));
    assert_eq!(app.callbacks().rows().len(), 5);
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Char('o'));
    assert_eq!(
        effects,
        vec![Effect::LoadCallbacks {
            view: CallbackView::Overdue,
            fetch: start(FetchKind::Start, None),
        }]
    );
    assert_eq!(app.callbacks().view(), CallbackView::Overdue);
    // A page of the view left behind changes nothing.
    app.update(Msg::Callbacks(CallbacksMsg::Page {
        view: CallbackView::All,
        fetch: start(FetchKind::Start, None),
        rows: callback_page(50, 3),
    }));
    assert_eq!(app.callbacks().rows()[0].callback.id, 101);
    app.update(Msg::Callbacks(CallbacksMsg::Page {
        view: CallbackView::Overdue,
        fetch: start(FetchKind::Start, None),
        rows: vec![callback_row(2), callback_row(4)],
    }));
    assert_eq!(app.callbacks().rows().len(), 2);
    assert_eq!(
        app.callbacks().position(),
        0,
        "a new view starts at the top"
    );
    assert!(matches!(
        press(&mut app, KeyCode::Char('m')).as_slice(),
        [Effect::LoadCallbacks {
            view: CallbackView::Mine,
            ..
        }]
    ));
    // F4 again reads the view again where it is.
    assert!(matches!(
        press(&mut app, KeyCode::F(4)).as_slice(),
        [
            Effect::LoadCallbacks {
                view: CallbackView::Mine,
                fetch: Fetch {
                    kind: FetchKind::Reload,
                    ..
                }
            },
            Effect::Counts
        ]
    ));
}

#[test]
fn the_callback_queue_pages_after_its_last_row() {
    let mut app = queue(callback_page(1, PAGE as i64));
    let mut asked = None;
    for _ in 0..PAGE {
        if let [Effect::LoadCallbacks { view, fetch }] = press(&mut app, KeyCode::Down).as_slice() {
            asked = Some((*view, *fetch));
            break;
        }
    }
    let last = callback_row(PAGE as i64).key();
    assert_eq!(
        asked,
        Some((CallbackView::All, start(FetchKind::Next, Some(last))))
    );
    app.update(Msg::Callbacks(CallbacksMsg::Page {
        view: CallbackView::All,
        fetch: start(FetchKind::Next, Some(last)),
        rows: callback_page(PAGE as i64 + 1, 10),
    }));
    assert_eq!(app.callbacks().rows().len(), PAGE as usize + 10);
    // The end of the queue is known now: End goes there without reading.
    assert!(press(&mut app, KeyCode::End).is_empty());
    assert_eq!(app.callbacks().position(), u64::from(PAGE) + 9);
}

#[test]
fn l_logs_a_call_through_its_form_and_the_queue_follows() {
    let mut app = queue(callback_page(1, 3));
    press(&mut app, KeyCode::Down);
    assert!(press(&mut app, KeyCode::Char('l')).is_empty());
    let form = app.follow_form().expect("the log form");
    assert_eq!(form.number(), "20261122-0002");
    // Nothing chosen: Ctrl+S says what to choose, beside the choice.
    assert!(ctrl(&mut app, 's').is_empty());
    assert_eq!(
        app.follow_form()
            .and_then(|f| f.form().error())
            .map(|(at, _)| at),
        Some(Some("result"))
    );
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.follow_form().and_then(|f| f.form().chosen("result")),
        Some("no-answer")
    );
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "无人接听，");
    app.update(Msg::Paste("\u{1b}[2J晚点再打".into()));
    assert!(matches!(app.notice(), Some(Notice::PasteCleaned(1))));
    let effects = ctrl(&mut app, 's');
    assert_eq!(
        effects,
        vec![Effect::LogCallback {
            number: "20261122-0002".into(),
            callback_id: 102,
            result: CallResult::NoAnswer,
            note: "无人接听，[2J晚点再打".into(),
            later: None,
        }]
    );
    // A refusal keeps the form and what was typed.
    app.update(follow_refused(
        Error::new("error.no_open_callback").arg("number", "20261122-0002"),
    ));
    let form = app.follow_form().expect("kept");
    assert_eq!(form.form().text_of("note"), "无人接听，[2J晚点再打");
    assert_eq!(form.error().map(|e| e.key), Some("error.no_open_callback"));
    // Logged: the form closes, the notice says when to call next, the queue and the
    // counts are read again.
    let mut cb = callback_row(2).callback;
    cb.attempts = 3;
    let next = cb.due_at + chrono::Duration::hours(2);
    cb.due_at = next;
    let effects = app.update(Msg::Callbacks(CallbacksMsg::Logged {
        number: "20261122-0002".into(),
        result: CallResult::NoAnswer,
        callback: Box::new(cb),
        flagged: true,
    }));
    assert!(app.follow_form().is_none());
    assert!(matches!(
        app.notice(),
        Some(Notice::Logged { next: Some(t), flagged: Some(3), .. }) if *t == next
    ));
    assert_eq!(
        effects,
        vec![
            Effect::Counts,
            Effect::LoadCallbacks {
                view: CallbackView::All,
                fetch: start(FetchKind::Reload, None),
            }
        ]
    );
}

#[test]
fn p_promises_a_callback_and_c_shows_the_phone() {
    let mut app = queue(callback_page(1, 2));
    // The number comes from the core (lists hold it masked), which records the call.
    assert_eq!(
        press(&mut app, KeyCode::Char('c')),
        vec![Effect::Dial {
            number: "20261122-0001".into(),
            name: "住户1".into(),
        }]
    );
    app.update(Msg::Dial {
        name: "住户1".into(),
        phone: "13800138000".into(),
        number: "20261122-0001".into(),
    });
    assert!(matches!(
        app.notice(),
        Some(Notice::Dial { phone, number, .. })
            if phone == "13800138000" && number == "20261122-0001"
    ));
    press(&mut app, KeyCode::Char('p'));
    assert!(app.follow_form().is_some());
    type_text(&mut app, "2026-11-25 10:00");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "客户上班，下周一上午回电");
    let effects = ctrl(&mut app, 's');
    let [Effect::PromiseCallback { number, due, note }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(number, "20261122-0001");
    assert_eq!(note, "客户上班，下周一上午回电");
    assert_eq!(
        crate::when::local_minutes(*due, app.config.policy.timezone),
        "2026-11-25 10:00"
    );
    // Esc leaves a form without saving (once the agent says the typing may go).
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.follow_form().is_none());
}

#[test]
fn enter_in_the_queue_opens_the_case_there_only() {
    let mut app = queue(callback_page(1, 2));
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![Effect::OpenCase("20261122-0001".into())]
    );
    app.update(case(classified(1, 2)));
    assert!(app.detail().is_some());
    // The case's moves open here too.
    press(&mut app, KeyCode::Char('v'));
    assert_eq!(app.move_form().map(|f| f.mv()), Some(Move::Verify));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::F(3));
    assert!(
        app.detail().is_none(),
        "the classification list is not covered"
    );
    press(&mut app, KeyCode::F(4));
    assert!(app.detail().is_some(), "still open in the queue");
    press(&mut app, KeyCode::Esc);
    assert!(app.detail().is_none());
}

fn agenda_row(id: i64) -> AgendaRow {
    let c = classified(id, 5);
    AgendaRow::Revisit {
        revisit: Revisit {
            id: id + 500,
            role: "agent".into(),
            due_at: c.received_at + chrono::Duration::days(1),
            done_at: None,
            reached: None,
            satisfaction: None,
            comment: String::new(),
            attempts: 0,
        },
        complaint: Box::new(c),
    }
}

#[test]
fn the_agenda_switches_parts_and_r_records_a_revisit() {
    let mut app = app();
    let effects = press(&mut app, KeyCode::F(5));
    assert_eq!(
        effects,
        vec![
            Effect::AgendaCounts,
            Effect::LoadAgenda {
                range: AgendaRange::Overdue,
                fetch: start(FetchKind::Start, None),
            },
            Effect::Counts
        ]
    );
    app.update(agenda_counts(AgendaCounts {
        overdue: 2,
        today: 1,
        tomorrow: 0,
        week: 4,
    }));
    assert_eq!(app.revisits().counts().map(|c| c.week), Some(4));
    assert_eq!(
        press(&mut app, KeyCode::Char('2')),
        vec![Effect::LoadAgenda {
            range: AgendaRange::Today,
            fetch: start(FetchKind::Start, None),
        }]
    );
    app.update(Msg::Revisits(RevisitsMsg::Page {
        range: AgendaRange::Today,
        fetch: start(FetchKind::Start, None),
        rows: vec![agenda_row(1), agenda_row(2)],
    }));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('r'));
    let form = app.follow_form().expect("the revisit form");
    assert_eq!(form.number(), "20261122-0002");
    // Reached (ticked): Tab to the satisfaction, 2 by typing, a comment.
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "地板又起鼓了");
    let effects = ctrl(&mut app, 's');
    assert_eq!(
        effects,
        vec![Effect::RecordRevisit {
            number: "20261122-0002".into(),
            revisit_id: 502,
            satisfaction: Some(2),
            comment: "地板又起鼓了".into(),
        }]
    );
    let effects = app.update(Msg::Revisits(RevisitsMsg::Revisited {
        number: "20261122-0002".into(),
        stage: Stage::Assessed,
        reached: true,
        reopened: true,
        ready: false,
    }));
    assert!(app.follow_form().is_none());
    assert!(matches!(
        app.notice(),
        Some(Notice::Revisited {
            stage: Stage::Assessed,
            ..
        })
    ));
    assert_eq!(
        effects,
        vec![
            Effect::Counts,
            Effect::AgendaCounts,
            Effect::LoadAgenda {
                range: AgendaRange::Today,
                fetch: start(FetchKind::Reload, None),
            }
        ]
    );
}

/// An open care call to the preset's first site on its plan, due an hour after `agenda_row(1)`'s revisit.
fn care_row(id: i64) -> AgendaRow {
    let due = classified(1, 5).received_at + chrono::Duration::days(1);
    AgendaRow::Care(CareCall {
        id,
        site: "lvjing".into(),
        plan: "quarterly-reps".into(),
        role: "supervisor".into(),
        due_at: due + chrono::Duration::hours(1),
        done_at: None,
        reached: None,
        satisfaction: None,
        note: String::new(),
        attempts: 0,
        complaint_id: None,
    })
}

/// A care call falls due in F5 beside the revisits; Enter records it; a low score opens its
/// complaint on intake, prefilled and worded, saved with the call; Ctrl+N forgets the call.
#[test]
fn a_low_scored_care_call_opens_its_complaint_on_intake() {
    let mut app = app();
    press(&mut app, KeyCode::F(5));
    app.update(Msg::Revisits(RevisitsMsg::Page {
        range: AgendaRange::Overdue,
        fetch: start(FetchKind::Start, None),
        rows: vec![agenda_row(1), care_row(9)],
    }));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let form = app.follow_form().expect("the care form");
    assert!(matches!(form.kind(), FollowKind::Care { care_id: 9, .. }));
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "1");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "电梯又坏了");
    assert_eq!(
        ctrl(&mut app, 's'),
        vec![Effect::RecordCareCall {
            care_id: 9,
            result: CareResult::Reached(1),
            note: "电梯又坏了".into(),
        }]
    );
    let AgendaRow::Care(call) = care_row(9) else {
        panic!("a care row");
    };
    let call = CareCall {
        reached: Some(true),
        satisfaction: Some(1),
        note: "电梯又坏了".into(),
        ..call
    };
    let policy = &app.config.policy;
    let site = policy
        .sites
        .iter()
        .find(|s| s.key == "lvjing")
        .expect("site");
    let plan = crate::domain::care::plan_of(policy, site).expect("plan");
    let opens = crate::domain::care::complaint_from(site, plan, String::new());
    let next_due = call.due_at + chrono::Duration::days(60);
    let effects = app.update(Msg::Revisits(RevisitsMsg::CareRecorded(Box::new(
        CareOutcome {
            call: call.clone(),
            next_due: Some(next_due),
            flagged: false,
            opens: Some(opens.clone()),
        },
    ))));
    assert!(effects.contains(&Effect::AgendaCounts), "{effects:?}");
    assert!(matches!(
        app.notice(),
        Some(Notice::CareRecorded { opens: true, .. })
    ));
    assert_eq!(app.pane(), Pane::Intake);
    assert_eq!(app.intake().care_id(), Some(9));
    // Name, phone, location, category and description are filled in: the outcome is next.
    assert_eq!(app.intake().focus(), Field::Outcome);
    let saved = ctrl(&mut app, 's');
    let [Effect::IntakeFromCare { care_id, form }] = saved.as_slice() else {
        panic!("saved with the care call: {saved:?}");
    };
    let catalog = app.config.catalog(app.lang);
    let description = crate::present::care_description(&app.config, catalog, &call);
    assert!(description.contains("电梯又坏了"), "{description}");
    assert_eq!(
        (*care_id, form.as_ref()),
        (
            9,
            &NewComplaint {
                description,
                ..opens
            }
        )
    );
    // Ctrl+N and the discard: a plain intake again.
    ctrl(&mut app, 'n');
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.intake().care_id(), None);
    assert!(matches!(
        ctrl(&mut app, 's').as_slice(),
        [Effect::Intake(_)]
    ));
}

/// A form half typed on intake is never thrown away for a care call's complaint: the
/// complaint waits, and opens there once that form is saved.
#[test]
fn a_care_calls_complaint_waits_for_the_form_typed_on_intake() {
    let mut app = app();
    type_text(&mut app, "刘先生");
    press(&mut app, KeyCode::F(5));
    let AgendaRow::Care(call) = care_row(9) else {
        panic!("a care row");
    };
    let policy = &app.config.policy;
    let site = policy
        .sites
        .iter()
        .find(|s| s.key == "lvjing")
        .expect("site");
    let plan = crate::domain::care::plan_of(policy, site).expect("plan");
    let opens = crate::domain::care::complaint_from(site, plan, String::new());
    app.update(Msg::Revisits(RevisitsMsg::CareRecorded(Box::new(
        CareOutcome {
            next_due: Some(call.due_at),
            call,
            flagged: false,
            opens: Some(opens),
        },
    ))));
    assert_eq!(app.pane(), Pane::Intake);
    assert!(matches!(
        app.notice(),
        Some(Notice::CareRecorded { waiting: true, .. })
    ));
    assert_eq!(app.intake().care_id(), None, "the typed form stays");
    let saved_typed = ctrl(&mut app, 's');
    let [Effect::Intake(typed)] = saved_typed.as_slice() else {
        panic!("the typed form saved as it is: {saved_typed:?}");
    };
    assert_eq!(typed.name, "刘先生");
    app.update(saved(Box::new(classified(3, 5))));
    assert_eq!(app.intake().care_id(), Some(9), "the care complaint now");
    assert_eq!(app.intake().form(&ctx!(app)).name, "张代表");
}

#[test]
fn when_the_next_due_time_passes_the_counts_and_the_pane_in_view_are_read_again() {
    let mut app = queue(callback_page(1, 2));
    let now = Utc::now();
    // Sooner than the idle lock (5 minutes without a key).
    let due = now.with_timezone(&Utc) + chrono::Duration::minutes(3);
    app.update(Msg::Counts(Live {
        next_due: Some(due),
        ..Live::default()
    }));
    assert_eq!(app.next_due(), Some(due));
    assert!(app.update(Msg::Tick(now)).is_empty(), "not yet");
    let later = due + chrono::Duration::seconds(1);
    assert_eq!(
        app.update(Msg::Tick(later)),
        vec![
            Effect::Counts,
            Effect::LoadCallbacks {
                view: CallbackView::All,
                fetch: start(FetchKind::Reload, None),
            }
        ]
    );
    assert_eq!(app.next_due(), None, "asked once, until the next count");
    assert!(app.update(Msg::Tick(later)).is_empty());
    // A recount that escalated late callbacks says so and reads the queue again.
    let effects = app.update(Msg::Counts(Live {
        escalated: 2,
        ..Live::default()
    }));
    assert!(matches!(app.notice(), Some(Notice::Escalated(2))));
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadCallbacks {
            fetch: Fetch {
                kind: FetchKind::Reload,
                ..
            },
            ..
        }]
    ));
}

#[test]
fn every_follow_up_screen_has_its_keys_in_the_help() {
    let mut app = queue(callback_page(1, 2));
    let keys = |app: &App| app.help_rows().iter().map(|h| h.keys).collect::<Vec<_>>();
    assert!(keys(&app).contains(&"l"));
    assert!(keys(&app).contains(&"m / a / o"));
    press(&mut app, KeyCode::Char('l'));
    assert!(keys(&app).contains(&"Ctrl+S"));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::F(5));
    assert!(keys(&app).contains(&"1-5 / Left / Right / Tab / Shift+Tab"));
    assert!(keys(&app).contains(&"r"));
}

#[test]
fn the_cases_filters_open_from_f6_and_their_keys_are_in_the_help() {
    let mut app = app();
    press(&mut app, KeyCode::F(6));
    let keys = |app: &App| app.help_rows().iter().map(|h| h.keys).collect::<Vec<_>>();
    assert!(keys(&app).contains(&"Ctrl+T"));
    press(&mut app, KeyCode::Esc);
    assert!(keys(&app).contains(&"f / Ctrl+T"));
    assert!(keys(&app).contains(&"F"));
    ctrl(&mut app, 't');
    assert!(app.cases().filter_form().is_some());
    assert!(keys(&app).contains(&"Ctrl+S"));
    // Ctrl+F leaves the form unapplied for the query line.
    ctrl(&mut app, 'f');
    assert!(app.cases().filter_form().is_none());
    assert!(app.cases().query_focused());
}

// --- The shared workstation -----------------------------------------------------------

use std::collections::{HashMap, VecDeque};

/// A stand-in for the runner over a desk: who is signed in, their PINs, drafts per agent.
struct FakeDesk {
    agent: String,
    verified: bool,
    pins: HashMap<String, String>,
    drafts: HashMap<String, NewComplaint>,
}

impl FakeDesk {
    fn new(agent: &str) -> FakeDesk {
        FakeDesk {
            agent: agent.into(),
            verified: true,
            pins: [("王丽", "1111"), ("李娜", "2222")]
                .into_iter()
                .map(|(n, p)| (n.to_string(), p.to_string()))
                .collect(),
            drafts: HashMap::new(),
        }
    }

    /// Runs the effects as the runner does, results fed back to the app.
    fn run(&mut self, app: &mut App, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let msg = match effect {
                Effect::SaveDraft(form) => {
                    self.drafts.insert(self.agent.clone(), *form);
                    None
                }
                Effect::ClearDraft => {
                    self.drafts.remove(&self.agent);
                    None
                }
                Effect::LoadDraft => self
                    .drafts
                    .get(&self.agent)
                    .map(|d| draft_msg(Box::new(d.clone()))),
                Effect::Lock => {
                    self.verified = false;
                    None
                }
                Effect::SignIn { name, secret } => {
                    if self.pins.get(&name).map(String::as_str) == Some(secret.expose()) {
                        self.agent = name.clone();
                        self.verified = true;
                        Some(Msg::SignedIn(name))
                    } else {
                        Some(sign_in_refused(Error::new("error.sign_in_failed")))
                    }
                }
                _ => None,
            };
            if let Some(msg) = msg {
                queue.extend(app.update(msg));
            }
        }
    }
}

/// On the lock screen: the name typed over the one filled in (when given), the PIN,
/// Enter; returns the effects of Enter.
fn sign_in(app: &mut App, name: Option<&str>, pin: &str) -> Vec<Effect> {
    if let Some(name) = name {
        press(app, KeyCode::Tab);
        type_text(app, name);
        press(app, KeyCode::Tab);
    }
    type_text(app, pin);
    press(app, KeyCode::Enter)
}

fn form_of(app: &App) -> NewComplaint {
    let ctx = Ctx::new(&app.config, app.lang);
    app.intake().form(&ctx)
}

#[test]
fn ctrl_l_keeps_the_form_as_its_agents_draft_and_the_next_agent_never_sees_it() {
    let mut app = app();
    let mut desk = FakeDesk::new("王丽");
    type_text(&mut app, "张伟");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "138001");
    let effects = ctrl(&mut app, 'l');
    assert!(
        matches!(effects.as_slice(), [Effect::SaveDraft(d), Effect::Lock]
            if d.name == "张伟" && d.phone == "138001"),
        "the draft is kept before the desk forgets who signed in: {effects:?}"
    );
    desk.run(&mut app, effects);
    assert!(app.is_locked() && !desk.verified);
    assert!(app.intake().is_blank(), "the form in memory is emptied");
    assert_eq!(desk.drafts["王丽"].name, "张伟");
    let lock = app.lock_screen().expect("the lock screen");
    assert_eq!(lock.name(), "王丽", "the last agent is filled in");
    // Nothing reaches the desk while locked: panes, help, quitting keeps nothing.
    assert!(press(&mut app, KeyCode::F(3)).is_empty());
    assert!(app.is_locked());

    // 李娜 signs in: a wrong PIN first, then hers. Her form is empty.
    let effects = sign_in(&mut app, Some("李娜"), "9999");
    desk.run(&mut app, effects);
    assert_eq!(
        app.lock_screen().and_then(|l| l.error()).map(|e| e.key),
        Some("error.sign_in_failed")
    );
    let effects = sign_in(&mut app, None, "2222");
    assert!(matches!(effects.as_slice(), [Effect::SignIn { name, .. }] if name == "李娜"));
    desk.run(&mut app, effects);
    assert!(!app.is_locked());
    assert_eq!(app.agent(), "李娜");
    assert_eq!(app.pane(), Pane::Intake);
    assert!(app.intake().is_blank(), "王丽's draft is not shown to 李娜");

    // 李娜 types, locks; 王丽 signs back in and gets her form back.
    type_text(&mut app, "李");
    let effects = ctrl(&mut app, 'l');
    desk.run(&mut app, effects);
    assert_eq!(desk.drafts["李娜"].name, "李");
    let effects = sign_in(&mut app, Some("王丽"), "1111");
    desk.run(&mut app, effects);
    assert_eq!(app.agent(), "王丽");
    let form = form_of(&app);
    assert_eq!(
        (form.name.as_str(), form.phone.as_str()),
        ("张伟", "138001")
    );
    assert!(matches!(app.notice(), Some(Notice::DraftRestored)));

    // The same agent again: Ctrl+L with the draft already kept, PIN, the form back.
    tick(&mut app);
    tick(&mut app);
    let effects = ctrl(&mut app, 'l');
    assert_eq!(effects, vec![Effect::Lock], "nothing new to keep");
    desk.run(&mut app, effects);
    let effects = sign_in(&mut app, None, "1111");
    desk.run(&mut app, effects);
    assert_eq!(form_of(&app).name, "张伟");
    // Ctrl+Q on the lock screen quits, keeping nothing (the form is not in memory).
    let effects = ctrl(&mut app, 'l');
    desk.run(&mut app, effects);
    assert_eq!(ctrl(&mut app, 'q'), vec![Effect::Quit]);
}

#[test]
fn locking_hides_the_case_and_forms_and_only_their_agent_gets_them_back() {
    let mut app = listed(page(1, 3));
    press(&mut app, KeyCode::Enter);
    app.update(case(classified(1, 2)));
    press(&mut app, KeyCode::Char('v'));
    assert!(app.move_form().is_some());
    app.update(Msg::Dial {
        name: "住户1".into(),
        phone: "13800138000".into(),
        number: "20261122-0001".into(),
    });
    let effects = ctrl(&mut app, 'l');
    assert_eq!(effects, vec![Effect::Lock]);
    assert!(
        app.notice().is_none(),
        "no phone number left on the notice line"
    );
    assert!(app.detail().is_none() && app.move_form().is_none());
    // Another agent finds neither the case nor the form.
    app.update(Msg::SignedIn("李娜".into()));
    assert!(app.detail().is_none() && app.move_form().is_none());
    assert_eq!(ctrl(&mut app, 'l'), vec![Effect::Lock]);
    // The agent who left them gets both back, the case read again.
    let effects = app.update(Msg::SignedIn("王丽".into()));
    assert!(app.detail().is_some() && app.move_form().is_some());
    assert_eq!(
        effects,
        vec![
            Effect::DataVersion,
            Effect::LoadDraft,
            Effect::Counts,
            Effect::LoadPage(first_page()),
            Effect::RefreshCase("20261122-0001".into()),
        ]
    );
}

#[test]
fn a_quiet_desk_locks_itself_after_the_configured_minutes() {
    let mut app = app();
    assert_eq!(app.config.idle_lock_minutes, 5);
    let t0 = Utc::now();
    let at = |m: i64, s: i64| t0 + chrono::Duration::minutes(m) + chrono::Duration::seconds(s);
    app.update(Msg::Tick(t0));
    type_text(&mut app, "张");
    // Idle time counts from the tick after the last key.
    app.update(Msg::Tick(at(0, 1)));
    let kept = app.update(Msg::Tick(at(4, 0)));
    assert!(
        matches!(kept.first(), Some(Effect::SaveDraft(_))),
        "the draft was kept meanwhile: {kept:?}"
    );
    type_text(&mut app, "伟");
    app.update(Msg::Tick(at(4, 30)));
    let mut early = app.clone();
    assert!(!early.update(Msg::Tick(at(9, 29))).contains(&Effect::Lock));
    assert!(
        !early.is_locked(),
        "a key four minutes in starts the wait again"
    );
    let effects = app.update(Msg::Tick(at(9, 30)));
    assert!(
        matches!(effects.as_slice(), [Effect::SaveDraft(d), Effect::Lock] if d.name == "张伟"),
        "{effects:?}"
    );
    assert!(app.is_locked());
    assert!(app.intake().is_blank());
    // A PIN half typed on the lock screen and left is emptied as well.
    type_text(&mut app, "12");
    app.update(Msg::Tick(at(9, 31)));
    assert_eq!(app.lock_screen().map(Lock::pin_len), Some(2));
    assert!(app.update(Msg::Tick(at(14, 31))).is_empty());
    assert_eq!(app.lock_screen().map(Lock::pin_len), Some(0));
}

#[test]
fn the_first_run_without_the_first_agent_leads_to_the_lock_screen() {
    let config = Config::preset(Preset::PropertyManagement).expect("preset");
    let first = FirstRun::new(true, false, Lang::ZhCn, String::new());
    let mut app = App::first_run(config.clone(), None, first);
    assert!(
        app.update(Msg::Ready {
            config: Box::new(config.clone()),
            agent: "李娜".into(),
            signed_in: false,
        })
        .is_empty()
    );
    assert_eq!(app.lock_screen().map(Lock::name).as_deref(), Some("李娜"));
    let first = FirstRun::new(false, true, Lang::ZhCn, String::new());
    let mut app = App::first_run(config.clone(), None, first);
    app.update(Msg::FirstRun(FirstRunMsg::Refused {
        error: Error::new("error.first_admin_exists"),
        setup_done: true,
    }));
    assert!(app.in_first_run());
    let effects = app.update(Msg::Ready {
        config: Box::new(config),
        agent: "王丽".into(),
        signed_in: true,
    });
    assert!(!app.is_locked() && !app.in_first_run());
    assert!(effects.contains(&Effect::LoadDraft) && effects.contains(&Effect::Counts));
}

#[test]
fn another_terminals_change_reads_again_what_is_shown_without_a_key() {
    let mut app = listed(page(1, 3));
    let asked = (0..10)
        .filter(|_| tick(&mut app).contains(&Effect::DataVersion))
        .count();
    assert_eq!(asked, 2, "once a second");
    assert!(
        app.update(Msg::DataVersion(7)).is_empty(),
        "the first read is where changes count from"
    );
    assert!(
        app.update(Msg::DataVersion(7)).is_empty(),
        "nothing changed"
    );
    assert_eq!(
        app.update(Msg::DataVersion(8)),
        vec![Effect::Counts, Effect::LoadPage(reload_page(PAGE))]
    );
    assert_eq!(
        app.update(Msg::DataVersion(9)),
        vec![Effect::Counts],
        "a page on its way is fresh already"
    );
    app.update(Msg::Classification(ListMsg::Page {
        fetch: reload_page(PAGE),
        rows: page(1, 3),
    }));
    // An open case is read again; the form over it keeps the version the agent saw,
    // so its save is refused as a conflict rather than applied blind.
    press(&mut app, KeyCode::Enter);
    app.update(case(classified(1, 2)));
    press(&mut app, KeyCode::Char('v'));
    assert_eq!(
        app.update(Msg::DataVersion(10)),
        vec![
            Effect::Counts,
            Effect::RefreshCase("20261122-0001".into()),
            Effect::LoadPage(reload_page(PAGE))
        ]
    );
    app.update(refreshed(Box::new(file(classified(1, 3)))));
    assert_eq!(app.detail().map(|d| d.case().complaint.version), Some(3));
    assert_eq!(app.move_form().map(MoveForm::version), Some(2));
    // The callback queue in view is read again where it is; on intake, the counts.
    let mut app = queue(callback_page(1, 2));
    app.update(Msg::DataVersion(1));
    assert!(matches!(
        app.update(Msg::DataVersion(2)).as_slice(),
        [
            Effect::Counts,
            Effect::LoadCallbacks {
                fetch: Fetch {
                    kind: FetchKind::Reload,
                    ..
                },
                ..
            }
        ]
    ));
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.update(Msg::DataVersion(3)), vec![Effect::Counts]);
}

#[test]
fn the_list_read_again_keeps_its_place_and_the_selected_complaint() {
    let mut app = listed(page(1, 200));
    app.update(Msg::Counts(Live {
        counts: StatusCounts {
            untriaged: 400,
            ..StatusCounts::default()
        },
        ..Live::default()
    }));
    app.update(list_page(page_after(&complaint(200)), page(201, 200)));
    for _ in 0..120 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.list().rows().len(), 400);
    assert_eq!(app.list().selected().map(|c| c.id), Some(121));
    app.update(Msg::DataVersion(1));
    let effects = app.update(Msg::DataVersion(2));
    let Some(Effect::LoadPage(fetch)) = effects.last() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (fetch.kind, fetch.key, fetch.limit),
        (FetchKind::Reload, None, 400),
        "the whole window, from where it starts"
    );
    // Meanwhile complaint 120 was classified elsewhere: gone from the page.
    let rows: Vec<Complaint> = (1..=400).filter(|id| *id != 120).map(complaint).collect();
    app.update(list_page(*fetch, rows));
    assert_eq!(app.list().selected().map(|c| c.id), Some(121));
    assert_eq!(app.list().position(), 119, "one row fewer before it");
}

#[test]
fn n_in_the_case_reveals_the_phone_until_the_case_is_closed() {
    let mut app = listed(page(1, 2));
    press(&mut app, KeyCode::Enter);
    app.update(case(classified(1, 2)));
    assert_eq!(
        press(&mut app, KeyCode::Char('n')),
        vec![Effect::RevealPhone("20261122-0001".into())]
    );
    app.update(Msg::Case(CaseMsg::Revealed {
        number: "20261122-0001".into(),
        phone: "13800138000".into(),
    }));
    assert_eq!(app.detail().and_then(Detail::revealed), Some("13800138000"));
    assert!(matches!(app.notice(), Some(Notice::Revealed(_))));
    assert!(app.help_rows().iter().any(|h| h.keys == "n"));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    app.update(case(classified(1, 2)));
    assert_eq!(app.detail().and_then(Detail::revealed), None);
    // A refusal is said on the notice line.
    press(&mut app, KeyCode::Char('n'));
    app.update(Msg::Failed(Error::new("error.denied")));
    assert!(matches!(app.notice(), Some(Notice::Failed(e)) if e.key == "error.denied"));
    assert_eq!(app.detail().and_then(Detail::revealed), None);
}

fn agent_info(name: &str, role: &str) -> crate::desk::AgentInfo {
    crate::desk::AgentInfo {
        name: name.into(),
        role: role.into(),
        disabled: false,
        locked: false,
        has_secret: true,
        last_active_at: None,
        sites: Vec::new(),
    }
}

fn agents_listed() -> Msg {
    Msg::Agents(crate::tui::forms::agents::Msg::Listed(vec![
        agent_info("孙经理", "admin"),
        agent_info("王丽", "agent"),
    ]))
}

#[test]
fn f8_asks_the_desk_for_the_agents_and_their_list_opens_the_overlay() {
    let mut a = app();
    assert_eq!(press(&mut a, KeyCode::F(9)), vec![Effect::LoadAgents]);
    assert!(
        a.agents().is_none(),
        "nothing opens before the desk answers"
    );
    assert!(a.update(agents_listed()).is_empty());
    let overlay = a.agents().expect("open");
    assert_eq!(overlay.rows().len(), 2);
    assert!(a.help_rows().iter().any(|h| h.text == "help.agent_add"));
    press(&mut a, KeyCode::Down);
    assert_eq!(
        a.agents()
            .and_then(|o| o.selected())
            .map(|s| s.name.as_str()),
        Some("王丽")
    );
    // Esc closes it; F9 closes it too; a pane key closes it and goes there.
    press(&mut a, KeyCode::Esc);
    assert!(a.agents().is_none());
    a.update(agents_listed());
    press(&mut a, KeyCode::F(9));
    assert!(a.agents().is_none());
    a.update(agents_listed());
    press(&mut a, KeyCode::F(3));
    assert!(a.agents().is_none());
    assert_eq!(a.pane(), Pane::Classification);
    // The lock closes it.
    a.update(agents_listed());
    ctrl(&mut a, 'l');
    assert!(a.agents().is_none());
}

#[test]
fn adding_an_agent_sends_the_name_role_and_pin_to_the_desk_and_never_shows_the_pin() {
    use crate::tui::forms::agents::{Change, Msg as AgentsMsg};
    use crate::tui::widgets::secret::Secret;
    let mut a = app();
    press(&mut a, KeyCode::F(9));
    a.update(agents_listed());
    type_text(&mut a, "a");
    assert_eq!(
        a.agents().and_then(|o| o.form()).and_then(|f| f.focus()),
        Some("agent")
    );
    type_text(&mut a, "赵主管");
    press(&mut a, KeyCode::Tab);
    // The first role is chosen; Right moves to the next.
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    // The sites (none ticked: every site): Right goes to the second, Space ticks it.
    assert_eq!(
        a.agents().and_then(|o| o.form()).and_then(|f| f.focus()),
        Some("sites")
    );
    press(&mut a, KeyCode::Right);
    type_text(&mut a, " ");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2468");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2469");
    // The two typings differ: refused in the form, the second emptied, nothing sent.
    assert!(ctrl(&mut a, 's').is_empty());
    let form = a.agents().and_then(|o| o.form()).expect("form");
    assert_eq!(
        form.error().map(|(at, e)| (at, e.key)),
        Some((Some("secret_again"), "tui.pin_mismatch"))
    );
    // A Ctrl chord never reaches a PIN.
    assert!(ctrl(&mut a, 'v').is_empty());
    type_text(&mut a, "2468");
    let effects = ctrl(&mut a, 's');
    assert_eq!(
        effects,
        vec![Effect::AddAgent {
            name: "赵主管".into(),
            role: "supervisor".into(),
            sites: vec!["binjiang".into()],
            secret: Secret::new("2468".into()),
        }]
    );
    for shown in [format!("{effects:?}"), format!("{a:?}")] {
        assert!(!shown.contains("2468"), "the PIN in Debug output: {shown}");
    }
    // Made: the list is read again, the notice names the role in the interface language.
    let effects = a.update(Msg::Agents(AgentsMsg::Done(Change::Added {
        name: "赵主管".into(),
        role: "supervisor".into(),
    })));
    assert_eq!(effects, vec![Effect::LoadAgents]);
    assert!(a.agents().and_then(|o| o.form()).is_none());
    match a.notice() {
        Some(Notice::AgentChanged(Change::Added { role, .. })) => assert_ne!(role, "supervisor"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_agents_sites_are_set_from_the_list_ticked_as_they_are_and_named_in_the_notice() {
    use crate::tui::forms::agents::{Change, Msg as AgentsMsg};
    let mut a = app();
    press(&mut a, KeyCode::F(9));
    let mut wang = agent_info("王丽", "agent");
    wang.sites = vec!["lvjing".into(), "xiangshu".into()];
    a.update(Msg::Agents(AgentsMsg::Listed(vec![
        agent_info("孙经理", "admin"),
        wang,
    ])));
    assert!(a.help_rows().iter().any(|h| h.text == "help.agent_sites"));
    press(&mut a, KeyCode::Down);
    type_text(&mut a, "s");
    let form = a.agents().and_then(|o| o.form()).expect("the sites form");
    assert_eq!(form.picked("sites"), ["lvjing", "xiangshu"], "as they are");
    // Untick the first (绿景花园), tick the second (滨江壹号).
    type_text(&mut a, " ");
    press(&mut a, KeyCode::Right);
    type_text(&mut a, " ");
    assert_eq!(
        ctrl(&mut a, 's'),
        vec![Effect::SetAgentSites {
            name: "王丽".into(),
            sites: vec!["binjiang".into(), "xiangshu".into()],
        }]
    );
    // A refusal naming the sites is shown under them.
    a.update(Msg::Agents(AgentsMsg::Refused(
        Error::new("error.agent_site_unknown")
            .arg("value", "海底捞")
            .arg("known", "lvjing"),
    )));
    let form = a.agents().and_then(|o| o.form()).expect("form kept");
    assert_eq!(
        form.error().map(|(at, e)| (at, e.key)),
        Some((Some("sites"), "error.agent_site_unknown"))
    );
    // Set: the notice names them in the interface language; none is every site.
    let effects = a.update(Msg::Agents(AgentsMsg::Done(Change::Sites {
        name: "王丽".into(),
        sites: vec!["binjiang".into(), "xiangshu".into()],
    })));
    assert_eq!(effects, vec![Effect::LoadAgents]);
    match a.notice() {
        Some(Notice::AgentChanged(Change::Sites { sites, .. })) => {
            assert_eq!(sites, &["滨江壹号、香树湾"]);
        }
        other => panic!("{other:?}"),
    }
    a.update(Msg::Agents(AgentsMsg::Done(Change::Sites {
        name: "王丽".into(),
        sites: Vec::new(),
    })));
    match a.notice() {
        Some(Notice::AgentChanged(Change::Sites { sites, .. })) => {
            assert_eq!(sites, &["全部站点"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_short_pin_is_refused_by_the_domain_rule_and_the_desk_refusal_stays_in_the_form() {
    use crate::tui::forms::agents::Msg as AgentsMsg;
    let mut a = app();
    press(&mut a, KeyCode::F(9));
    a.update(agents_listed());
    // Reset 王丽's PIN: too short first.
    press(&mut a, KeyCode::Down);
    type_text(&mut a, "r");
    type_text(&mut a, "12");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "12");
    assert!(ctrl(&mut a, 's').is_empty());
    let form = a.agents().and_then(|o| o.form()).expect("form");
    assert_eq!(
        form.error().map(|(at, e)| (at, e.key)),
        Some((Some("secret"), "error.secret_invalid"))
    );
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Enter);
    // Disable 孙经理, the last admin: the desk refuses, and says so in the form.
    press(&mut a, KeyCode::Up);
    type_text(&mut a, "d");
    assert_eq!(
        ctrl(&mut a, 's'),
        vec![Effect::DisableAgent("孙经理".into())]
    );
    a.update(Msg::Agents(AgentsMsg::Refused(
        Error::new("error.last_admin").arg("agent", "孙经理"),
    )));
    let form = a.agents().and_then(|o| o.form()).expect("form kept");
    assert_eq!(form.error().map(|(_, e)| e.key), Some("error.last_admin"));
}

#[test]
fn f8_for_an_agent_who_may_not_manage_agents_shows_the_desks_refusal_only() {
    let mut a = app();
    assert_eq!(press(&mut a, KeyCode::F(9)), vec![Effect::LoadAgents]);
    a.update(Msg::Failed(
        Error::new("error.denied")
            .arg("agent", "王丽")
            .arg("role", "agent")
            .arg("permission", "manage_agents"),
    ));
    assert!(a.agents().is_none());
    assert!(matches!(a.notice(), Some(Notice::Failed(e)) if e.key == "error.denied"));
}

#[test]
fn ctrl_n_asks_before_discarding_a_typed_form_and_its_draft() {
    let mut app = app();
    // Nothing typed: a new form at once.
    assert_eq!(ctrl(&mut app, 'n'), vec![Effect::ClearDraft]);
    assert!(!app.intake().is_asking());
    type_text(&mut app, "张伟");
    assert!(ctrl(&mut app, 'n').is_empty(), "asks first");
    assert!(app.intake().is_asking());
    assert_eq!(
        app.help_rows().first().map(|h| h.text),
        Some("help.discard"),
        "the help lists the question's keys"
    );
    // Other keys and pastes wait for the answer; n (or Esc) keeps typing.
    type_text(&mut app, "x");
    app.update(Msg::Paste("粘贴".into()));
    press(&mut app, KeyCode::Char('n'));
    assert!(!app.intake().is_asking());
    type_text(&mut app, "明");
    assert_eq!(form_of(&app).name, "张伟明", "kept, and typing goes on");
    ctrl(&mut app, 'n');
    press(&mut app, KeyCode::Esc);
    assert_eq!(form_of(&app).name, "张伟明");
    // Enter (or y): the form and its draft go.
    ctrl(&mut app, 'n');
    assert_eq!(press(&mut app, KeyCode::Enter), vec![Effect::ClearDraft]);
    assert!(app.intake().is_blank() && !app.intake().is_asking());
    assert!(matches!(app.notice(), Some(Notice::FormCleared)));
}

#[test]
fn esc_on_a_changed_move_or_follow_up_form_asks_before_closing_it() {
    let mut app = listed(page(1, 1));
    press(&mut app, KeyCode::Enter);
    app.update(case(classified(1, 2)));
    press(&mut app, KeyCode::Char('v'));
    type_text(&mut app, "想尽快修好");
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    let form = app.move_form().expect("still open");
    assert!(form.form().is_asking());
    assert_eq!(
        app.help_rows().first().map(|h| h.text),
        Some("help.discard"),
        "F1 lists the question's keys"
    );
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "。");
    assert_eq!(
        app.move_form().map(|f| f.form().text_of("motive")),
        Some("想尽快修好。".to_string())
    );
    ctrl(&mut app, 'w');
    press(&mut app, KeyCode::Char('y'));
    assert!(app.move_form().is_none(), "discarded on yes");
    assert!(app.detail().is_some());

    let mut app = queue(callback_page(1, 1));
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Esc);
    assert!(app.follow_form().is_some_and(|f| f.form().is_asking()));
    press(&mut app, KeyCode::Enter);
    assert!(app.follow_form().is_none());
}

#[test]
fn intake_choices_stop_at_their_ends() {
    let mut app = app();
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.intake().focus(), Field::Channel);
    press(&mut app, KeyCode::Left);
    assert_eq!(form_of(&app).channel, Some(Channel::ALL[0]), "no wrap");
    assert!(!app.intake().unsaved(), "nothing changed");
    for _ in 0..Channel::ALL.len() + 2 {
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(form_of(&app).channel, Channel::ALL.last().copied());
    for _ in 0..5 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.intake().focus(), Field::Category);
    press(&mut app, KeyCode::Left);
    let last = app.config.policy.categories.last().map(|c| c.key.clone());
    assert_eq!(
        Some(form_of(&app).category),
        last,
        "Left starts at the last"
    );
    press(&mut app, KeyCode::Right);
    assert_eq!(Some(form_of(&app).category), last, "and stops there");
}

#[test]
fn a_refused_save_puts_the_focus_on_the_refused_input_of_every_form() {
    // A move form: the desk names the input; the next key goes there.
    let mut a = listed(page(1, 1));
    press(&mut a, KeyCode::Enter);
    let mut c = classified(1, 2);
    c.stage = Stage::Assessed;
    a.update(case(c));
    press(&mut a, KeyCode::Char('p'));
    assert_eq!(
        a.move_form().and_then(|f| f.form().focus()),
        Some("department")
    );
    a.update(act_refused(
        Error::new("error.promise_past").arg("field", "promised"),
    ));
    type_text(&mut a, "2");
    let form = a.move_form().expect("kept").form();
    assert_eq!(form.focus(), Some("promised"));
    assert_eq!(form.text_of("promised"), "2");
    assert!(matches!(a.notice(), Some(Notice::Failed(e)) if e.key == "error.promise_past"));

    // A follow-up form: the desk's `due` is the form's date input.
    let mut a = queue(callback_page(1, 1));
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Tab);
    assert_eq!(a.follow_form().and_then(|f| f.form().focus()), Some("note"));
    a.update(follow_refused(
        Error::new("error.promise_past").arg("field", "due"),
    ));
    let form = a.follow_form().expect("kept").form();
    assert_eq!(form.focus(), Some("promised"));
    assert_eq!(form.error().map(|(at, _)| at), Some(Some("promised")));

    // The agents' add form: an unknown role goes to the role.
    let mut a = app();
    press(&mut a, KeyCode::F(9));
    a.update(agents_listed());
    type_text(&mut a, "a");
    type_text(&mut a, "赵主管");
    a.update(Msg::Agents(crate::tui::forms::agents::Msg::Refused(
        Error::new("error.unknown_role").arg("value", "boss"),
    )));
    let form = a.agents().and_then(|o| o.form()).expect("kept");
    assert_eq!(form.focus(), Some("role"));
    assert_eq!(form.error().map(|(at, _)| at), Some(Some("role")));

    // The filters: a date that does not read, under its input.
    let mut a = app();
    press(&mut a, KeyCode::F(6));
    ctrl(&mut a, 't');
    for _ in 0..6 {
        press(&mut a, KeyCode::Tab);
    }
    type_text(&mut a, "下周");
    ctrl(&mut a, 's');
    let form = a.cases().filter_form().expect("kept").form();
    assert_eq!(form.focus(), Some("received_to"));
    assert_eq!(form.error().map(|(at, _)| at), Some(Some("received_to")));
}

#[test]
fn a_lost_connection_is_said_retried_with_backoff_and_its_return_reads_again() {
    let mut app = app();
    app.update(Msg::DataVersion(1));
    assert_eq!(app.link(), status::Link::Up);
    assert!(app.update(Msg::Connection(Connection::Lost)).is_empty());
    assert_eq!(app.link(), status::Link::Lost);
    // The first tick tries; a try under way is looked at again on the next tick.
    assert_eq!(tick(&mut app), vec![Effect::Reconnect]);
    app.update(Msg::Connection(Connection::Trying));
    // Typing goes on; its draft is still asked to be kept (the runner keeps it on this
    // computer while the database cannot).
    type_text(&mut app, "张伟");
    assert_eq!(tick(&mut app), vec![Effect::Reconnect]);
    app.update(Msg::Connection(Connection::Failed));
    assert!(matches!(tick(&mut app).as_slice(), [Effect::SaveDraft(d)] if d.name == "张伟"));
    // A failed try waits a second, then two, four, up to fifteen; nothing else is read
    // meanwhile (no counts, no data version).
    let mut waits = Vec::new();
    let mut ticks = 2;
    while waits.len() < 6 {
        let effects = tick(&mut app);
        assert!(
            effects.iter().all(|e| matches!(e, Effect::Reconnect)),
            "{effects:?}"
        );
        if effects.is_empty() {
            ticks += 1;
        } else {
            waits.push(ticks);
            ticks = 1;
            app.update(Msg::Connection(Connection::Failed));
        }
    }
    assert_eq!(waits, vec![5, 10, 20, 40, 75, 75]);
    // What was typed stays, also when a save is refused for the lost connection.
    let typed = |app: &App| app.intake().form(&Ctx::new(&app.config, app.lang)).name;
    app.update(Msg::DraftKeptLocally);
    assert!(matches!(app.notice(), Some(Notice::DraftKeptLocally)));
    let save = ctrl(&mut app, 's');
    assert!(matches!(save.as_slice(), [Effect::Intake(_)]), "{save:?}");
    app.update(Msg::Failed(
        Error::new("error.pg_lost").arg("url", "postgres://db/desk"),
    ));
    assert_eq!(typed(&app), "张伟");
    // Back: said, and what is shown read again.
    let effects = app.update(Msg::Connection(Connection::Back));
    assert_eq!(effects, vec![Effect::DataVersion, Effect::Counts]);
    assert_eq!(app.link(), status::Link::Back);
    assert!(app.update(Msg::Connection(Connection::Failed)).is_empty());
    for _ in 0..=NOTICE_TICKS {
        assert!(!tick(&mut app).contains(&Effect::Reconnect));
    }
    assert_eq!(app.link(), status::Link::Up);
}

/// A merged case in the detail: read-only (a move's key opens nothing), `P` opens its
/// primary, `z` the unmerge form whose Ctrl+S asks the desk to unmerge at the version shown.
/// An open case: `m` asks the primary's number, Ctrl+S looks it up before anything is
/// written; the primary found is shown, Enter merges at the version shown; a primary that
/// could not take it (itself merged) is refused at once, on the form.
#[test]
fn the_detail_merges_a_case_only_after_showing_its_primary_and_unmerges_a_merged_one() {
    let mut app = listed(page(1, 2));
    let mut merged = classified(1, 4);
    merged.stage = Stage::Merged;
    merged.merged_into = Some("20261122-0002".into());
    app.update(case(merged));
    assert!(press(&mut app, KeyCode::Char('v')).is_empty());
    assert!(app.move_form().is_none(), "read-only");
    assert_eq!(
        press(&mut app, KeyCode::Char('P')),
        vec![Effect::OpenCase("20261122-0002".into())]
    );
    assert!(press(&mut app, KeyCode::Char('m')).is_empty());
    assert!(
        app.link_form().is_none(),
        "a merged case is not merged again"
    );
    press(&mut app, KeyCode::Char('z'));
    assert_eq!(app.link_form().map(|f| f.link()), Some(Link::Unmerge));
    type_text(&mut app, "不是同一件事");
    assert_eq!(
        ctrl(&mut app, 's'),
        vec![Effect::Unmerge {
            number: "20261122-0001".into(),
            version: 4,
            reason: "不是同一件事".into(),
        }]
    );

    let mut app = listed(page(1, 2));
    app.update(case(classified(1, 3)));
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.link_form().map(|f| f.link()), Some(Link::Merge));
    type_text(&mut app, "20261122-0002");
    assert_eq!(
        ctrl(&mut app, 's'),
        vec![Effect::MergeLookup {
            number: "20261122-0001".into(),
            into: "20261122-0002".into(),
        }]
    );
    let mut chained = complaint(2);
    chained.stage = Stage::Merged;
    chained.merged_into = Some("20261122-0009".into());
    app.update(Msg::Case(CaseMsg::MergeFound {
        number: "20261122-0001".into(),
        primary: Box::new(chained),
    }));
    let form = app.link_form().expect("still open");
    assert!(!form.is_confirming());
    assert_eq!(
        form.form().error().map(|(at, e)| (at, e.key)),
        Some((Some("into"), "error.merge_into_merged"))
    );
    app.update(Msg::Case(CaseMsg::MergeFound {
        number: "20261122-0001".into(),
        primary: Box::new(complaint(2)),
    }));
    assert!(app.link_form().is_some_and(|f| f.is_confirming()));
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![Effect::Merge {
            number: "20261122-0001".into(),
            version: 3,
            into: "20261122-0002".into(),
            reason: String::new(),
        }]
    );
}

/// `l` on a closed case's detail makes it a library card only when the desk says this agent
/// may now (a curator, no card yet); otherwise the key does nothing.
#[test]
fn the_detail_adds_a_closed_case_to_the_library_only_when_the_desk_allows() {
    let mut closed = classified(1, 5);
    closed.stage = Stage::Closed;
    let opened = |may_add_card| {
        Msg::Case(CaseMsg::Opened(Box::new(CaseFile {
            may_add_card,
            ..file(closed.clone())
        })))
    };
    let mut app = listed(page(1, 2));
    app.update(opened(false));
    assert!(press(&mut app, KeyCode::Char('l')).is_empty());
    app.update(opened(true));
    assert_eq!(
        press(&mut app, KeyCode::Char('l')),
        vec![Effect::AddCard("20261122-0001".into())]
    );
}

/// `s` in the detail of an open case opens the split form: a category and the second
/// issue; Ctrl+S asks the desk to split at the version shown.
#[test]
fn the_detail_splits_a_second_issue_off_an_open_case() {
    let mut app = listed(page(1, 2));
    app.update(case(classified(1, 2)));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.link_form().map(|f| f.link()), Some(Link::Split));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "楼上装修很吵");
    // The place is the case's until changed: the noise is upstairs.
    press(&mut app, KeyCode::Tab);
    let form = app.link_form().expect("the split form").form();
    assert_eq!(form.text_of("location"), "3栋");
    type_text(&mut app, "1301");
    assert_eq!(
        ctrl(&mut app, 's'),
        vec![Effect::Split {
            number: "20261122-0001".into(),
            version: 2,
            category: "leak".into(),
            description: "楼上装修很吵".into(),
            location: "3栋1301".into(),
        }]
    );
}
