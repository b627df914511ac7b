//! The app's state and its pure `update`: a message in, the state changed, effects out.
//! Effects (database work) are run by the loop in `tui::run`, whose results come back as
//! messages; nothing here touches the terminal or the database.

use chrono::{DateTime, Local, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::config::Config;
use crate::desk::Callback;
use crate::desk::{
    AgendaCounts, AgendaRange, CallResult, CallbackRow, CallbackView, CaseFile, StatusCounts,
};
use crate::domain::complaint::{Complaint, NewComplaint};
use crate::domain::handling::Action;
use crate::domain::stage::{Move, Stage};
use crate::error::Error;
use crate::i18n::{Catalog, Lang};
use crate::text::sanitize_line;
use crate::tui::keymap::{self, Global};
use crate::tui::panes::Pane;
use crate::tui::panes::callbacks::{Callbacks, CallbacksStep};
use crate::tui::panes::classification::{Classification, ListStep, PageAt};
use crate::tui::panes::detail::{Detail, DetailStep};
use crate::tui::panes::first_run::{Choice, FirstRun, FirstRunStep};
use crate::tui::panes::followups::{FollowForm, due_cell};
use crate::tui::panes::intake::{Intake, Step, TickWork};
use crate::tui::panes::lock::{Lock, LockStep, Secret};
use crate::tui::panes::moves::MoveForm;
use crate::tui::panes::revisits::{AgendaRow, Revisits, RevisitsStep};
use crate::tui::theme;
use crate::tui::widgets::form::FormStep;
use crate::tui::widgets::window::Fetch;
use crate::tui::widgets::{help, status};

/// Smallest terminal the panes are drawn in; below it a message asks for more room.
pub const MIN_SIZE: (u16, u16) = (64, 18);
/// How often the loop sends a tick.
pub const TICK_MS: u64 = 200;
/// Ticks between recounts of the status-line counts (they are also recounted on change,
/// and when the next due time passes).
const COUNT_TICKS: u64 = 150;
/// Ticks a notice stays on screen.
const NOTICE_TICKS: u64 = 40;
/// Ticks a phone number to dial stays on the notice line.
const DIAL_TICKS: u64 = 300;
/// Ticks between looks at whether another terminal changed the database (one pragma; what
/// is shown is read again when it did).
const VERSION_TICKS: u64 = 5;

/// What drawing and key handling need to know besides the state: configuration and language.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The effective configuration.
    pub config: &'a Config,
    /// The interface language.
    pub lang: Lang,
    /// Its messages.
    pub catalog: &'static Catalog,
}

impl<'a> Ctx<'a> {
    fn new(config: &'a Config, lang: Lang) -> Ctx<'a> {
        Ctx {
            config,
            lang,
            catalog: Catalog::get(lang),
        }
    }
}

/// What the status line and the follow-up panes keep up with: the counts, when they next
/// change by themselves, and how many late callbacks were just escalated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Live {
    /// The status-line counts.
    pub counts: StatusCounts,
    /// The next due time of an open callback or revisit after now.
    pub next_due: Option<DateTime<Utc>>,
    /// Callbacks escalated by this recount.
    pub escalated: usize,
}

/// Something that happened: a key, a paste, a tick, or the result of an effect.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key event.
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    /// The terminal's new size.
    Resize(u16, u16),
    /// Time passes (every `TICK_MS`).
    Tick(DateTime<Local>),
    /// SIGTERM or SIGHUP: keep the draft and leave.
    Terminate,
    /// First run settled: the desk is open with this configuration.
    Ready {
        /// The configuration now in force.
        config: Box<Config>,
        /// The agent signed in (the first agent, just created), or the one to fill in on
        /// the lock screen.
        agent: String,
        /// Whether `agent` is signed in; if not, the lock screen comes next.
        signed_in: bool,
    },
    /// The first-run choices were refused by the core (nothing half done is left but the
    /// config file, when `setup_done`).
    FirstRunRefused {
        /// Why.
        error: Error,
        /// The config file was written already.
        setup_done: bool,
    },
    /// An agent signed in on the lock screen.
    SignedIn(String),
    /// A sign-in was refused (wrong name or PIN, a wait, a locked or disabled account).
    SignInRefused(Error),
    /// The database's data version (it changes when another process commits).
    DataVersion(i64),
    /// A fresher copy of a case that is open (read again after a change elsewhere).
    CaseRefreshed(Box<CaseFile>),
    /// The full phone number of a complaint, revealed by the core (and recorded).
    Revealed {
        /// The complaint.
        number: String,
        /// Its phone in full.
        phone: String,
    },
    /// The full phone number to return a call, given by the core (and recorded).
    Dial {
        /// Who is called.
        name: String,
        /// The number in full.
        phone: String,
        /// The complaint.
        number: String,
    },
    /// Fresh status-line counts and the next due time.
    Counts(Live),
    /// A page of the classification list.
    Page {
        /// Where it starts.
        at: PageAt,
        /// Its rows, in queue order.
        rows: Vec<Complaint>,
    },
    /// A page of the callback queue.
    Callbacks {
        /// The filter it was read for.
        view: CallbackView,
        /// What was read.
        fetch: Fetch,
        /// Its rows, by due time.
        rows: Vec<CallbackRow>,
    },
    /// A page of the revisit agenda.
    Agenda {
        /// The part it was read for.
        range: AgendaRange,
        /// What was read.
        fetch: Fetch,
        /// Its rows, by due time.
        rows: Vec<AgendaRow>,
    },
    /// Open revisits per part of the agenda.
    AgendaCounts(AgendaCounts),
    /// The intake form was recorded as this complaint.
    Saved(Box<Complaint>),
    /// The desk refused the intake form.
    Refused(Error),
    /// Earlier complaints of the person being typed in.
    Repeats(Vec<Complaint>),
    /// A draft kept from before.
    Draft(Box<NewComplaint>),
    /// A case to show.
    Case(Box<CaseFile>),
    /// A move was applied: the complaint as it is now.
    Acted(Box<Complaint>),
    /// The desk refused a move (a rule, a stale version, a failed write); nothing changed.
    ActRefused(Error),
    /// A call was logged: the callback as it is now.
    Logged {
        /// The complaint.
        number: String,
        /// What the call came to.
        result: CallResult,
        /// The callback after the call (done, or due again).
        callback: Box<Callback>,
    },
    /// A callback was promised.
    Promised {
        /// The complaint.
        number: String,
        /// By when.
        due: DateTime<Utc>,
    },
    /// A revisit was recorded.
    Revisited {
        /// The complaint.
        number: String,
        /// Its stage now (assessed: reopened).
        stage: Stage,
        /// Whether the customer was reached.
        reached: bool,
        /// Whether it was the last open revisit, reached and satisfied: ready to close.
        ready: bool,
    },
    /// The desk refused a follow-up form; nothing changed.
    FollowRefused(Error),
    /// An effect failed.
    Failed(Error),
}

/// Work for the loop: database calls through the Desk, or leaving.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write the config (if asked), open the desk, create the first agent and sign them in.
    FinishFirstRun(Choice),
    /// Sign an agent in with their secret.
    SignIn {
        /// Who.
        name: String,
        /// Their PIN as typed.
        secret: Secret,
    },
    /// Forget that the agent proved who they are (after their draft was kept).
    Lock,
    /// Read the database's data version.
    DataVersion,
    /// Read an open case again, to show it as it is now.
    RefreshCase(String),
    /// Reveal the full phone number of a complaint.
    RevealPhone(String),
    /// Get the full phone number to return a call on a complaint.
    Dial {
        /// The complaint.
        number: String,
        /// Who is called (for the notice).
        name: String,
    },
    /// Record the complaint.
    Intake(Box<NewComplaint>),
    /// Keep the draft.
    SaveDraft(Box<NewComplaint>),
    /// Drop the draft.
    ClearDraft,
    /// Fetch the kept draft.
    LoadDraft,
    /// Look up earlier complaints.
    Lookup {
        /// Phone as typed.
        phone: String,
        /// Location as typed.
        location: String,
    },
    /// Escalate late callbacks, then recount the status line and find the next due time.
    Counts,
    /// Fetch a page of the classification list.
    LoadPage(PageAt),
    /// Fetch a page of the callback queue.
    LoadCallbacks {
        /// Which callbacks.
        view: CallbackView,
        /// Which page.
        fetch: Fetch,
    },
    /// Fetch a page of the revisit agenda.
    LoadAgenda {
        /// Which part.
        range: AgendaRange,
        /// Which page.
        fetch: Fetch,
    },
    /// Count the parts of the revisit agenda.
    AgendaCounts,
    /// Fetch a case.
    OpenCase(String),
    /// Apply a move of the handling method to a complaint, if it is still at `version`.
    Act {
        /// The complaint.
        number: String,
        /// The version the agent saw.
        version: i64,
        /// What to do.
        action: Box<Action>,
    },
    /// Log a call on a callback.
    LogCallback {
        /// The complaint.
        number: String,
        /// The callback.
        callback_id: i64,
        /// What the call came to.
        result: CallResult,
        /// The note.
        note: String,
        /// For "call later": when.
        later: Option<DateTime<Utc>>,
    },
    /// Promise the customer a callback.
    PromiseCallback {
        /// The complaint.
        number: String,
        /// By when.
        due: DateTime<Utc>,
        /// The note.
        note: String,
    },
    /// Record a revisit.
    RecordRevisit {
        /// The complaint.
        number: String,
        /// The revisit.
        revisit_id: i64,
        /// Satisfaction 1–5; None: not reached.
        satisfaction: Option<u8>,
        /// The comment.
        comment: String,
    },
    /// Leave the app.
    Quit,
}

/// A one-line message above the status line.
#[derive(Debug, Clone)]
pub enum Notice {
    /// Saved as this number.
    Saved(String),
    /// The draft came back.
    DraftRestored,
    /// The form was emptied.
    FormCleared,
    /// Pasted text lost unsafe characters.
    PasteCleaned(usize),
    /// Ctrl+C pressed: say how to quit.
    QuitHint,
    /// A move was applied.
    Acted {
        /// The complaint.
        number: String,
        /// The move.
        mv: Move,
        /// Its stage now.
        stage: Stage,
    },
    /// A call was logged.
    Logged {
        /// The complaint.
        number: String,
        /// What it came to.
        result: CallResult,
        /// The next call, when one is owed still.
        next: Option<DateTime<Utc>>,
        /// Failed calls so far, when the callback is flagged.
        flagged: Option<u32>,
    },
    /// A callback was promised.
    Promised {
        /// The complaint.
        number: String,
        /// By when.
        due: DateTime<Utc>,
    },
    /// A revisit was recorded.
    Revisited {
        /// The complaint.
        number: String,
        /// Its stage now.
        stage: Stage,
        /// Whether the customer was reached.
        reached: bool,
        /// Whether the case is ready to close.
        ready: bool,
    },
    /// Late callbacks were escalated.
    Escalated(usize),
    /// The full phone number of a complaint is shown in its detail (the reveal recorded).
    Revealed(String),
    /// A phone number to dial, large.
    Dial {
        /// Who.
        name: String,
        /// The number as stored.
        phone: String,
        /// The complaint.
        number: String,
    },
    /// Something failed.
    Failed(Error),
}

/// Which screen is up.
#[derive(Debug, Clone)]
pub enum Screen {
    /// The first-run questions.
    FirstRun(Box<FirstRun>),
    /// Signed out: the lock screen, nothing personal on it.
    Lock(Box<Lock>),
    /// The desk with its panes.
    Desk,
}

/// What a list pane shows over its list: a case, the form of a move (over the case or the
/// list), a follow-up form. Each list pane has its own, so a case open in one pane stays
/// open there while another is used.
#[derive(Debug, Clone, Default)]
struct Overlay {
    detail: Option<Detail>,
    form: Option<MoveForm>,
    follow: Option<FollowForm>,
}

/// The whole state of the app.
#[derive(Debug, Clone)]
pub struct App {
    config: Config,
    lang_override: Option<Lang>,
    lang: Lang,
    screen: Screen,
    pane: Pane,
    intake: Intake,
    list: Classification,
    callbacks: Callbacks,
    revisits: Revisits,
    /// Over the classification, callbacks and revisits panes, in that order.
    overlays: [Overlay; 3],
    help: bool,
    agent: String,
    counts: Option<StatusCounts>,
    /// When the counts next change by themselves.
    next_due: Option<DateTime<Utc>>,
    now: DateTime<Local>,
    notice: Option<(Notice, u64)>,
    size: (u16, u16),
    ticks: u64,
    quitting: bool,
    /// The data version last read (None: not read since the desk opened or was unlocked).
    data_version: Option<i64>,
    /// The tick time of the last key or paste (None until the first tick).
    last_input: Option<DateTime<Local>>,
    /// A key or paste came since the last tick.
    input_seen: bool,
    /// The pane, cases and half-typed move forms each agent left open when the screen
    /// locked, kept in memory (never drawn) until that agent signs in again.
    stashed: std::collections::HashMap<String, (Pane, [Overlay; 3])>,
}

fn overlay_index(pane: Pane) -> Option<usize> {
    match pane {
        Pane::Intake => None,
        Pane::Classification => Some(0),
        Pane::Callbacks => Some(1),
        Pane::Revisits => Some(2),
    }
}

impl App {
    /// The app on its first-run screen.
    pub fn first_run(config: Config, lang_override: Option<Lang>, first: FirstRun) -> App {
        let lang = first.lang();
        let mut app = App::new(config, lang_override, String::new());
        app.lang = lang;
        app.screen = Screen::FirstRun(Box::new(first));
        app
    }

    /// The desk, open for `agent` (signed in), and the effects that fill it.
    pub fn desk(config: Config, lang_override: Option<Lang>, agent: String) -> (App, Vec<Effect>) {
        let mut app = App::new(config, lang_override, agent);
        let effects = app.open();
        (app, effects)
    }

    /// The app on its lock screen, `agent` (the remembered one, or empty) filled in.
    pub fn locked(config: Config, lang_override: Option<Lang>, agent: String) -> App {
        let mut app = App::new(config, lang_override, agent);
        app.screen = Screen::Lock(Box::new(Lock::new(&app.agent)));
        app
    }

    fn new(config: Config, lang_override: Option<Lang>, agent: String) -> App {
        App {
            lang: lang_override.unwrap_or(config.language),
            config,
            lang_override,
            screen: Screen::Desk,
            pane: Pane::Intake,
            intake: Intake::default(),
            list: Classification::default(),
            callbacks: Callbacks::default(),
            revisits: Revisits::default(),
            overlays: Default::default(),
            help: false,
            agent,
            counts: None,
            next_due: None,
            now: Local::now(),
            notice: None,
            size: (80, 24),
            ticks: 0,
            quitting: false,
            data_version: None,
            last_input: None,
            input_seen: false,
            stashed: std::collections::HashMap::new(),
        }
    }

    fn open(&mut self) -> Vec<Effect> {
        self.screen = Screen::Desk;
        self.data_version = None;
        // The data version first: a change committed elsewhere while the rest is read is
        // seen at the next look. The counts come with the first tick, after the first
        // frame: over a large queue an indexed count costs more than the whole start should.
        vec![
            Effect::DataVersion,
            Effect::LoadDraft,
            Effect::LoadPage(self.list.reload()),
        ]
    }

    /// The interface language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The active pane.
    pub fn pane(&self) -> Pane {
        self.pane
    }

    /// The intake form.
    pub fn intake(&self) -> &Intake {
        &self.intake
    }

    /// The classification list.
    pub fn list(&self) -> &Classification {
        &self.list
    }

    /// The callback queue.
    pub fn callbacks(&self) -> &Callbacks {
        &self.callbacks
    }

    /// The revisit schedule.
    pub fn revisits(&self) -> &Revisits {
        &self.revisits
    }

    fn overlay(&self) -> Option<&Overlay> {
        overlay_index(self.pane).map(|i| &self.overlays[i])
    }

    fn overlay_mut(&mut self) -> Option<&mut Overlay> {
        overlay_index(self.pane).map(|i| &mut self.overlays[i])
    }

    /// The case open in the active pane, if any.
    pub fn detail(&self) -> Option<&Detail> {
        self.overlay().and_then(|o| o.detail.as_ref())
    }

    /// The move form open in the active pane, if any (over the case detail or the list).
    pub fn move_form(&self) -> Option<&MoveForm> {
        self.overlay().and_then(|o| o.form.as_ref())
    }

    /// The follow-up form open in the active pane, if any.
    pub fn follow_form(&self) -> Option<&FollowForm> {
        self.overlay().and_then(|o| o.follow.as_ref())
    }

    /// Whether the help popup is up.
    pub fn help_shown(&self) -> bool {
        self.help
    }

    /// The notice shown, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref().map(|(n, _)| n)
    }

    /// When the status counts next change by themselves, as last counted.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.next_due
    }

    /// Whether the app has been asked to quit.
    pub fn quitting(&self) -> bool {
        self.quitting
    }

    /// Whether the first-run screen is up.
    pub fn in_first_run(&self) -> bool {
        matches!(self.screen, Screen::FirstRun(_))
    }

    /// The lock screen, when it is up.
    pub fn lock_screen(&self) -> Option<&Lock> {
        match &self.screen {
            Screen::Lock(lock) => Some(lock),
            _ => None,
        }
    }

    /// Whether the screen is locked (nobody signed in).
    pub fn is_locked(&self) -> bool {
        self.lock_screen().is_some()
    }

    /// The agent signed in (or, while locked, the one last signed in).
    pub fn agent(&self) -> &str {
        &self.agent
    }

    fn notify(&mut self, notice: Notice) {
        self.notice = Some((notice, self.ticks));
    }

    fn list_height(&self) -> usize {
        // Pane bar, notice and status lines, the list's border and its header.
        (self.size.1 as usize).saturating_sub(6)
    }

    fn follow_height(&self) -> usize {
        // As the classification list, and the line of filters or parts.
        (self.size.1 as usize).saturating_sub(7)
    }

    /// Applies a message; returns the effects to run.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if keymap::is_press(&key) => {
                self.input_seen = true;
                self.key(key)
            }
            Msg::Key(_) => Vec::new(),
            Msg::Paste(text) => {
                self.input_seen = true;
                self.paste(&text)
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Msg::Tick(now) => self.tick(now),
            Msg::Terminate => self.quit(),
            Msg::Ready {
                config,
                agent,
                signed_in,
            } => {
                self.lang = self.lang_override.unwrap_or(config.language);
                self.config = *config;
                self.agent = agent;
                if signed_in {
                    let mut effects = self.open();
                    effects.push(Effect::Counts);
                    effects
                } else {
                    self.screen = Screen::Lock(Box::new(Lock::new(&self.agent)));
                    Vec::new()
                }
            }
            Msg::FirstRunRefused { error, setup_done } => {
                if let Screen::FirstRun(first) = &mut self.screen {
                    first.refused(error, setup_done);
                    self.lang = first.lang();
                }
                Vec::new()
            }
            Msg::SignedIn(agent) => self.signed_in(agent),
            Msg::SignInRefused(err) => {
                if let Screen::Lock(lock) = &mut self.screen {
                    lock.refused(err);
                }
                Vec::new()
            }
            Msg::DataVersion(version) => {
                let changed = self.data_version.is_some_and(|v| v != version);
                self.data_version = Some(version);
                if changed && matches!(self.screen, Screen::Desk) {
                    self.refresh_shown()
                } else {
                    Vec::new()
                }
            }
            Msg::CaseRefreshed(case) => {
                let ctx = Ctx::new(&self.config, self.lang);
                let number = case.complaint.number.clone();
                for d in self.overlays.iter_mut().filter_map(|o| o.detail.as_mut()) {
                    if d.case().complaint.number == number {
                        d.replace((*case).clone(), &ctx);
                    }
                }
                Vec::new()
            }
            Msg::Revealed { number, phone } => {
                for d in self.overlays.iter_mut().filter_map(|o| o.detail.as_mut()) {
                    if d.case().complaint.number == number {
                        d.reveal(phone.clone());
                    }
                }
                self.notify(Notice::Revealed(number));
                Vec::new()
            }
            Msg::Dial {
                name,
                phone,
                number,
            } => {
                self.notify(Notice::Dial {
                    name,
                    phone,
                    number,
                });
                Vec::new()
            }
            Msg::Counts(live) => {
                self.counts = Some(live.counts);
                self.next_due = live.next_due;
                if live.escalated > 0 {
                    self.notify(Notice::Escalated(live.escalated));
                    if self.pane == Pane::Callbacks && self.callbacks.loaded() {
                        return vec![self.load_callbacks()];
                    }
                }
                Vec::new()
            }
            Msg::Page { at, rows } => {
                let total = self.counts.map_or(0, |c| c.untriaged.max(0) as u64);
                let height = self.list_height();
                match self.list.apply(&self.config, at, rows, total, height) {
                    ListStep::Load(at) => vec![Effect::LoadPage(at)],
                    _ => Vec::new(),
                }
            }
            Msg::Callbacks { view, fetch, rows } => {
                let height = self.follow_height();
                self.callbacks
                    .apply(view, fetch, rows, height)
                    .map(|fetch| Effect::LoadCallbacks { view, fetch })
                    .into_iter()
                    .collect()
            }
            Msg::Agenda { range, fetch, rows } => {
                let height = self.follow_height();
                self.revisits
                    .apply(range, fetch, rows, height)
                    .map(|fetch| Effect::LoadAgenda { range, fetch })
                    .into_iter()
                    .collect()
            }
            Msg::AgendaCounts(counts) => {
                self.revisits.set_counts(counts);
                Vec::new()
            }
            Msg::Saved(c) => {
                self.intake.reset();
                self.notify(Notice::Saved(c.number.clone()));
                vec![Effect::Counts, Effect::LoadPage(self.list.reload())]
            }
            Msg::Refused(err) => {
                // Beside the field (cut to fit), and whole on the notice line.
                self.intake.refused(err.clone());
                self.notify(Notice::Failed(err));
                Vec::new()
            }
            Msg::Repeats(found) => {
                self.intake.set_repeats(found);
                Vec::new()
            }
            Msg::Draft(draft) => {
                let ctx = Ctx::new(&self.config, self.lang);
                self.intake.restore(&draft, &ctx);
                self.notify(Notice::DraftRestored);
                Vec::new()
            }
            Msg::Case(case) => {
                self.show_case(*case);
                Vec::new()
            }
            Msg::Acted(c) => self.acted(*c),
            Msg::ActRefused(err) => self.act_refused(err),
            Msg::Logged {
                number,
                result,
                callback,
            } => {
                self.overlays[1].follow = None;
                let flag = self.config.policy.follow_up.failed_attempts_flag;
                let open = callback.done_at.is_none();
                self.notify(Notice::Logged {
                    number,
                    result,
                    next: open.then_some(callback.due_at),
                    flagged: (open && callback.attempts >= flag).then_some(callback.attempts),
                });
                vec![Effect::Counts, self.load_callbacks()]
            }
            Msg::Promised { number, due } => {
                self.overlays[1].follow = None;
                self.notify(Notice::Promised { number, due });
                vec![Effect::Counts, self.load_callbacks()]
            }
            Msg::Revisited {
                number,
                stage,
                reached,
                ready,
            } => {
                self.overlays[2].follow = None;
                self.notify(Notice::Revisited {
                    number,
                    stage,
                    reached,
                    ready,
                });
                let mut effects = vec![Effect::Counts];
                effects.extend(self.load_agenda());
                effects
            }
            Msg::FollowRefused(err) => {
                if let Some(form) = self.overlay_mut().and_then(|o| o.follow.as_mut()) {
                    form.refused(err.clone());
                }
                self.notify(Notice::Failed(err));
                Vec::new()
            }
            Msg::Failed(err) => {
                // The lock and first-run screens have no notice line: said on the screen.
                match &mut self.screen {
                    Screen::Lock(lock) => lock.refused(err),
                    Screen::FirstRun(first) => first.refused(err, false),
                    Screen::Desk => self.notify(Notice::Failed(err)),
                }
                Vec::new()
            }
        }
    }

    /// Locks the screen: the half-typed intake form is kept as the agent's draft and
    /// emptied, cases and forms over the lists close, the notice goes, and the desk forgets
    /// who signed in. The lock screen shows nothing personal.
    fn lock(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.intake.unsaved() {
            let ctx = Ctx::new(&self.config, self.lang);
            effects.push(draft_effect(self.intake.take_draft(&ctx)));
        }
        effects.push(Effect::Lock);
        self.intake = Intake::default();
        let overlays = std::mem::take(&mut self.overlays);
        if overlays.iter().any(|o| o.detail.is_some()) {
            self.stashed
                .insert(self.agent.clone(), (self.pane, overlays));
        }
        self.help = false;
        self.notice = None;
        self.data_version = None;
        self.screen = Screen::Lock(Box::new(Lock::new(&self.agent)));
        effects
    }

    /// An agent signed in: their draft comes back (another agent's never shows), and what
    /// is shown is read again. Another agent than before starts on a fresh intake form.
    fn signed_in(&mut self, agent: String) -> Vec<Effect> {
        if agent != self.agent {
            self.pane = Pane::Intake;
            self.list = Classification::default();
            self.callbacks = Callbacks::default();
            self.revisits = Revisits::default();
            self.counts = None;
            self.next_due = None;
        }
        self.agent = agent;
        self.screen = Screen::Desk;
        self.data_version = None;
        self.input_seen = true;
        // The data version before anything is read (see `open`).
        let mut effects = vec![
            Effect::DataVersion,
            Effect::LoadDraft,
            Effect::Counts,
            Effect::LoadPage(self.list.reload()),
        ];
        effects.extend(self.reload_follow_ups());
        // Their cases and move forms come back as they left them; the cases are read
        // again (a move saved from a form changed since is refused with what changed).
        if let Some((pane, overlays)) = self.stashed.remove(&self.agent) {
            self.pane = pane;
            self.overlays = overlays;
            effects.extend(
                self.overlays
                    .iter()
                    .filter_map(|o| o.detail.as_ref())
                    .map(|d| Effect::RefreshCase(d.case().complaint.number.clone())),
            );
        }
        effects
    }

    /// Another terminal changed the database: the counts, the list in view (where it is)
    /// and the case open in the active pane are read again, without a key.
    fn refresh_shown(&mut self) -> Vec<Effect> {
        let mut effects = vec![Effect::Counts];
        if let Some(number) = self.detail().map(|d| d.case().complaint.number.clone()) {
            effects.push(Effect::RefreshCase(number));
        }
        match self.pane {
            Pane::Classification => effects.extend(self.list.refresh().map(Effect::LoadPage)),
            Pane::Callbacks | Pane::Revisits => effects.extend(self.reload_follow_ups()),
            Pane::Intake => {}
        }
        effects
    }

    /// A case arrived: it replaces the same case wherever it is open, else it opens in the
    /// active pane. An open form of that case now applies to what the agent sees (after a
    /// conflict).
    fn show_case(&mut self, case: CaseFile) {
        let ctx = Ctx::new(&self.config, self.lang);
        let number = case.complaint.number.clone();
        for o in &mut self.overlays {
            if let Some(form) = &mut o.form
                && form.number() == number
            {
                form.set_version(case.complaint.version);
            }
            if let Some(d) = &mut o.detail
                && d.case().complaint.number == number
            {
                d.replace(case.clone(), &ctx);
            }
        }
        let Some(i) = overlay_index(self.pane) else {
            return;
        };
        let o = &mut self.overlays[i];
        if o.detail
            .as_ref()
            .is_none_or(|d| d.case().complaint.number != number)
        {
            o.detail = Some(Detail::new(case, &ctx));
        }
    }

    /// The callback queue read again where it is (from the start the first time).
    fn load_callbacks(&mut self) -> Effect {
        Effect::LoadCallbacks {
            view: self.callbacks.view(),
            fetch: self.callbacks.reload(),
        }
    }

    /// The agenda's counts and its part read again.
    fn load_agenda(&mut self) -> Vec<Effect> {
        vec![
            Effect::AgendaCounts,
            Effect::LoadAgenda {
                range: self.revisits.range(),
                fetch: self.revisits.reload(),
            },
        ]
    }

    /// The follow-up pane in view read again (nothing in other panes: they are read when
    /// entered).
    fn reload_follow_ups(&mut self) -> Vec<Effect> {
        match self.pane {
            Pane::Callbacks => vec![self.load_callbacks()],
            Pane::Revisits => self.load_agenda(),
            _ => Vec::new(),
        }
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.quitting = true;
        let mut effects = Vec::new();
        if matches!(self.screen, Screen::Desk) && self.intake.unsaved() {
            let ctx = Ctx::new(&self.config, self.lang);
            effects.push(draft_effect(self.intake.take_draft(&ctx)));
        }
        effects.push(Effect::Quit);
        effects
    }

    fn tick(&mut self, now: DateTime<Local>) -> Vec<Effect> {
        let new_day = now.date_naive() != self.now.date_naive();
        self.now = now;
        self.ticks += 1;
        if let Some((notice, at)) = &self.notice {
            let keep = match notice {
                Notice::Dial { .. } => DIAL_TICKS,
                _ => NOTICE_TICKS,
            };
            if self.ticks - at > keep {
                self.notice = None;
            }
        }
        // Idle time counts from the tick after the last key or paste.
        if self.input_seen || self.last_input.is_none() {
            self.last_input = Some(now);
            self.input_seen = false;
        }
        let idle_limit = chrono::Duration::minutes(i64::from(self.config.idle_lock_minutes));
        let idle = self.last_input.is_some_and(|t| now - t >= idle_limit);
        match &mut self.screen {
            Screen::Desk if idle => return self.lock(),
            Screen::Desk => {}
            Screen::Lock(lock) => {
                // A PIN half typed and left does not wait for the next agent.
                if idle {
                    lock.clear_pin();
                }
                return Vec::new();
            }
            Screen::FirstRun(_) => return Vec::new(),
        }
        let ctx = Ctx::new(&self.config, self.lang);
        let mut effects: Vec<Effect> = self
            .intake
            .tick(&ctx)
            .into_iter()
            .map(draft_effect)
            .collect();
        // Something fell due (a callback or revisit became overdue), or a new day began
        // (the agenda's parts moved): recount and read the follow-up pane in view again,
        // without waiting for a key.
        let due = self.next_due.is_some_and(|t| now.with_timezone(&Utc) >= t);
        if due || (new_day && self.counts.is_some()) {
            self.next_due = None;
            effects.push(Effect::Counts);
            effects.extend(self.reload_follow_ups());
        } else if (self.counts.is_none() && self.ticks == 1)
            || self.ticks.is_multiple_of(COUNT_TICKS)
        {
            effects.push(Effect::Counts);
        }
        if self.ticks.is_multiple_of(VERSION_TICKS) {
            effects.push(Effect::DataVersion);
        }
        effects
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if let Screen::FirstRun(first) = &mut self.screen {
            if keymap::global(&key) == Some(Global::Quit) {
                return self.quit();
            }
            let step = first.key(key);
            self.lang = first.lang();
            return match step {
                FirstRunStep::Done(choice) => vec![Effect::FinishFirstRun(choice)],
                FirstRunStep::Stay => Vec::new(),
            };
        }
        if let Screen::Lock(lock) = &mut self.screen {
            if keymap::global(&key) == Some(Global::Quit) {
                return self.quit();
            }
            return match lock.key(key) {
                LockStep::SignIn { name, secret } => vec![Effect::SignIn { name, secret }],
                LockStep::Stay => Vec::new(),
            };
        }
        let global = keymap::global(&key);
        if self.help {
            // Any key closes the help; a pane or quit key also does what it says.
            self.help = false;
            if matches!(global, None | Some(Global::Help)) {
                return Vec::new();
            }
        }
        match global {
            Some(Global::Help) => {
                self.help = true;
                return Vec::new();
            }
            Some(Global::Quit) => return self.quit(),
            Some(Global::Lock) => return self.lock(),
            Some(Global::Pane(pane)) => return self.switch(pane),
            None => {}
        }
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.notify(Notice::QuitHint);
            return Vec::new();
        }
        if self.pane == Pane::Intake {
            let ctx = Ctx::new(&self.config, self.lang);
            return match self.intake.key(key, &ctx) {
                Step::Save => vec![Effect::Intake(Box::new(self.intake.form(&ctx)))],
                Step::Clear => {
                    self.intake.reset();
                    self.notify(Notice::FormCleared);
                    vec![Effect::ClearDraft]
                }
                Step::Nothing | Step::PasteCleaned(_) => Vec::new(),
            };
        }
        if self.move_form().is_some() {
            return self.form_key(key);
        }
        if self.follow_form().is_some() {
            return self.follow_key(key);
        }
        let ctx = Ctx::new(&self.config, self.lang);
        let area = body_area(self.size);
        if let Some(i) = overlay_index(self.pane)
            && let o = &mut self.overlays[i]
            && let Some(detail) = &mut o.detail
        {
            match detail.key(key, &ctx, area) {
                DetailStep::Close => o.detail = None,
                DetailStep::Open(mv) => {
                    o.form = Some(MoveForm::open(&ctx, &detail.case().complaint, mv));
                }
                DetailStep::Reveal => {
                    return vec![Effect::RevealPhone(detail.case().complaint.number.clone())];
                }
                DetailStep::Stay => {}
            }
            return Vec::new();
        }
        match self.pane {
            Pane::Classification => self.list_key(key),
            Pane::Callbacks => self.callbacks_key(key),
            Pane::Revisits => self.revisits_key(key),
            Pane::Intake => Vec::new(),
        }
    }

    fn list_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let height = self.list_height();
        match self.list.key(key, height) {
            ListStep::Load(at) => vec![Effect::LoadPage(at)],
            ListStep::Open(number) => vec![Effect::OpenCase(number)],
            ListStep::Classify => {
                let ctx = Ctx::new(&self.config, self.lang);
                if let Some(c) = self.list.selected() {
                    self.overlays[0].form = Some(MoveForm::open(&ctx, c, Move::Classify));
                }
                Vec::new()
            }
            ListStep::Nothing => Vec::new(),
        }
    }

    fn callbacks_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let height = self.follow_height();
        let ctx = Ctx::new(&self.config, self.lang);
        match self.callbacks.key(key, height) {
            CallbacksStep::Load(fetch) => vec![Effect::LoadCallbacks {
                view: self.callbacks.view(),
                fetch,
            }],
            CallbacksStep::Open(number) => vec![Effect::OpenCase(number)],
            CallbacksStep::Log => {
                self.overlays[1].follow = self
                    .callbacks
                    .selected()
                    .map(|row| FollowForm::log(&ctx, row));
                Vec::new()
            }
            CallbacksStep::Promise => {
                self.overlays[1].follow = self
                    .callbacks
                    .selected()
                    .map(|row| FollowForm::promise(&row.complaint));
                Vec::new()
            }
            CallbacksStep::Dial => self
                .callbacks
                .selected()
                .map(|r| dial(&r.complaint))
                .into_iter()
                .collect(),
            CallbacksStep::Nothing => Vec::new(),
        }
    }

    fn revisits_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let height = self.follow_height();
        let ctx = Ctx::new(&self.config, self.lang);
        match self.revisits.key(key, height) {
            RevisitsStep::Load(fetch) => vec![Effect::LoadAgenda {
                range: self.revisits.range(),
                fetch,
            }],
            RevisitsStep::Open(number) => vec![Effect::OpenCase(number)],
            RevisitsStep::Record => {
                self.overlays[2].follow = self
                    .revisits
                    .selected()
                    .map(|row| FollowForm::revisit(&ctx, &row.revisit, &row.complaint));
                Vec::new()
            }
            RevisitsStep::Dial => self
                .revisits
                .selected()
                .map(|r| dial(&r.complaint))
                .into_iter()
                .collect(),
            RevisitsStep::Nothing => Vec::new(),
        }
    }

    /// A key for the open move form: Ctrl+S applies it, Esc or Ctrl+W leaves it.
    fn form_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctx = Ctx::new(&self.config, self.lang);
        let Some(i) = overlay_index(self.pane) else {
            return Vec::new();
        };
        let o = &mut self.overlays[i];
        let Some(form) = &mut o.form else {
            return Vec::new();
        };
        let refusal = match form.key(key) {
            FormStep::Submit => match form.action(&ctx) {
                Ok(action) => {
                    return vec![Effect::Act {
                        number: form.number().to_string(),
                        version: form.version(),
                        action: Box::new(action),
                    }];
                }
                Err(err) => {
                    form.refused(err.clone());
                    err
                }
            },
            FormStep::Cancel => {
                o.form = None;
                return Vec::new();
            }
            FormStep::Changed(_) | FormStep::Nothing => return Vec::new(),
        };
        self.notify(Notice::Failed(refusal));
        Vec::new()
    }

    /// A key for the open follow-up form: Ctrl+S records it, Esc or Ctrl+W leaves it.
    fn follow_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctx = Ctx::new(&self.config, self.lang);
        let Some(i) = overlay_index(self.pane) else {
            return Vec::new();
        };
        let o = &mut self.overlays[i];
        let Some(form) = &mut o.follow else {
            return Vec::new();
        };
        let refusal = match form.key(key) {
            FormStep::Submit => match form.effect(&ctx) {
                Ok(effect) => return vec![effect],
                Err(err) => {
                    form.refused(err.clone());
                    err
                }
            },
            FormStep::Cancel => {
                o.follow = None;
                return Vec::new();
            }
            FormStep::Changed(_) | FormStep::Nothing => return Vec::new(),
        };
        self.notify(Notice::Failed(refusal));
        Vec::new()
    }

    /// A move was applied: the form closes, the case shows its new stage and event, the
    /// lists and the counts follow (a move can settle a callback or plan revisits).
    fn acted(&mut self, c: Complaint) -> Vec<Effect> {
        let (mv, shown) = match self.overlay_mut() {
            Some(o) => (
                o.form.take().map_or(Move::Classify, |f| f.mv()),
                o.detail
                    .as_ref()
                    .is_some_and(|d| d.case().complaint.number == c.number),
            ),
            None => (Move::Classify, false),
        };
        self.notify(Notice::Acted {
            number: c.number.clone(),
            mv,
            stage: c.stage,
        });
        let mut effects = vec![Effect::Counts, Effect::LoadPage(self.list.reload())];
        effects.extend(self.reload_follow_ups());
        if shown {
            effects.push(Effect::OpenCase(c.number));
        }
        effects
    }

    /// A move was refused: the form stays with what was typed, the reason beside the input
    /// it concerns and whole on the notice line. When someone else changed the complaint
    /// meanwhile, the complaint is fetched again and shown; saving again applies the form
    /// to what is shown now.
    fn act_refused(&mut self, err: Error) -> Vec<Effect> {
        let mut effects = Vec::new();
        let number = self
            .move_form()
            .map(|f| f.number().to_string())
            .filter(|_| err.key == "error.conflict");
        if let Some(number) = number {
            effects = vec![
                Effect::OpenCase(number),
                Effect::Counts,
                Effect::LoadPage(self.list.reload()),
            ];
        }
        if let Some(form) = self.overlay_mut().and_then(|o| o.form.as_mut()) {
            form.refused(err.clone());
        }
        self.notify(Notice::Failed(err));
        effects
    }

    fn switch(&mut self, pane: Pane) -> Vec<Effect> {
        let entering = self.pane != pane;
        self.pane = pane;
        let covered = self.detail().is_some();
        match pane {
            Pane::Classification if entering && !covered => {
                vec![Effect::Counts, Effect::LoadPage(self.list.reload())]
            }
            // The follow-up panes are read again on every F4/F5 (also when already there).
            Pane::Callbacks if !covered => vec![self.load_callbacks(), Effect::Counts],
            Pane::Revisits if !covered => {
                let mut effects = self.load_agenda();
                effects.push(Effect::Counts);
                effects
            }
            _ => Vec::new(),
        }
    }

    fn paste(&mut self, text: &str) -> Vec<Effect> {
        if self.help {
            return Vec::new();
        }
        let removed = match &mut self.screen {
            Screen::FirstRun(first) => {
                first.paste(text);
                0
            }
            Screen::Lock(lock) => {
                lock.paste(text);
                0
            }
            Screen::Desk if self.pane == Pane::Intake => match self.intake.paste(text) {
                Step::PasteCleaned(n) => n,
                _ => 0,
            },
            Screen::Desk => match self.overlay_mut() {
                Some(Overlay {
                    form: Some(form), ..
                }) => form.paste(text),
                Some(Overlay {
                    follow: Some(form), ..
                }) => form.paste(text),
                _ => 0,
            },
        };
        if removed > 0 {
            self.notify(Notice::PasteCleaned(removed));
        }
        Vec::new()
    }

    /// Draws the whole screen (a pure function of the state).
    pub fn render(&self, frame: &mut Frame<'_>) {
        let area = frame.area();
        let ctx = Ctx::new(&self.config, self.lang);
        let c = ctx.catalog;
        if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
            let text = c.format(
                "tui.enlarge",
                &[
                    ("cols", MIN_SIZE.0.to_string()),
                    ("rows", MIN_SIZE.1.to_string()),
                    ("width", area.width.to_string()),
                    ("height", area.height.to_string()),
                ],
            );
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
            return;
        }
        match &self.screen {
            Screen::FirstRun(first) => {
                first.render(&ctx, frame, area);
                return;
            }
            Screen::Lock(lock) => {
                lock.render(&ctx, frame, area, self.now);
                return;
            }
            Screen::Desk => {}
        }
        let [bar, body, notice, status_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        status::pane_bar(c, Some(self.pane), frame, bar);
        if self.pane == Pane::Intake {
            self.intake.render(&ctx, frame, body);
        } else if let Some(detail) = self.detail() {
            detail.render(&ctx, frame, body);
        } else {
            match self.pane {
                Pane::Classification => {
                    let total = self.counts.map(|c| c.untriaged);
                    self.list.render(&ctx, frame, body, total);
                }
                Pane::Callbacks => self.callbacks.render(&ctx, frame, body),
                Pane::Revisits => {
                    self.revisits
                        .render(&ctx, frame, body, self.now.with_timezone(&Utc));
                }
                Pane::Intake => {}
            }
        }
        if let Some(form) = self.move_form() {
            form.render(&ctx, frame, body);
        }
        if let Some(form) = self.follow_form() {
            form.render(&ctx, frame, body);
        }
        self.render_notice(c, frame, notice);
        status::status_line(
            c,
            status::Status {
                agent: &self.agent,
                now: self.now,
                counts: self.counts,
            },
            frame,
            status_area,
        );
        if self.help {
            help::render(c, self.help_context(), frame, body);
        }
    }

    fn render_notice(&self, c: &Catalog, frame: &mut Frame<'_>, area: Rect) {
        let Some((notice, _)) = &self.notice else {
            return;
        };
        let result_name =
            |r: &CallResult| c.text(&format!("callresult.{}", r.as_str())).to_string();
        let (text, style) = match notice {
            Notice::Saved(number) => (
                c.format("tui.saved", &[("number", number.clone())]),
                theme::success(),
            ),
            Notice::DraftRestored => (c.text("tui.draft_restored").to_string(), theme::success()),
            Notice::FormCleared => (c.text("tui.form_cleared").to_string(), theme::hint()),
            Notice::PasteCleaned(n) => (
                c.format("tui.paste_cleaned", &[("count", n.to_string())]),
                theme::error(),
            ),
            Notice::QuitHint => (c.text("tui.quit_hint").to_string(), theme::hint()),
            Notice::Revealed(number) => (
                c.format("tui.phone_revealed", &[("number", number.clone())]),
                theme::hint(),
            ),
            Notice::Acted { number, mv, stage } => (
                c.format(
                    "tui.acted",
                    &[
                        ("number", number.clone()),
                        ("move", c.text(&mv.label_key()).to_string()),
                        ("stage", c.text(stage.label_key()).to_string()),
                    ],
                ),
                theme::success(),
            ),
            Notice::Logged {
                number,
                result,
                next,
                flagged,
            } => {
                let mut args = vec![("number", number.clone()), ("result", result_name(result))];
                let (key, style) = match (next, flagged) {
                    (None, _) => ("tui.logged_done", theme::success()),
                    (Some(due), None) => {
                        args.push(("due", due_cell(*due)));
                        ("tui.logged_next", theme::success())
                    }
                    (Some(due), Some(n)) => {
                        args.push(("due", due_cell(*due)));
                        args.push(("attempts", n.to_string()));
                        ("tui.logged_flagged", theme::error())
                    }
                };
                (c.format(key, &args), style)
            }
            Notice::Promised { number, due } => (
                c.format(
                    "tui.promised_done",
                    &[("number", number.clone()), ("due", due_cell(*due))],
                ),
                theme::success(),
            ),
            Notice::Revisited {
                number,
                stage,
                reached,
                ready,
            } => {
                let key = if *stage == Stage::Assessed {
                    "tui.revisited_reopened"
                } else if *ready {
                    "tui.revisited_ready"
                } else if *reached {
                    "tui.revisited"
                } else {
                    "tui.revisited_unreached"
                };
                let style = if *stage == Stage::Assessed || !*reached {
                    theme::error()
                } else {
                    theme::success()
                };
                (
                    c.format(
                        key,
                        &[
                            ("number", number.clone()),
                            ("stage", c.text(stage.label_key()).to_string()),
                        ],
                    ),
                    style,
                )
            }
            Notice::Escalated(n) => (
                c.format("tui.escalated", &[("count", n.to_string())]),
                theme::error(),
            ),
            Notice::Dial {
                name,
                phone,
                number,
            } => {
                let line = Line::from(vec![
                    Span::styled(
                        format!(
                            " {} ",
                            c.format("tui.dial", &[("name", sanitize_line(name))])
                        ),
                        theme::hint(),
                    ),
                    Span::styled(format!("  {}  ", sanitize_line(phone)), theme::dial()),
                    Span::styled(
                        format!(
                            " {}",
                            c.format("tui.dial_case", &[("number", number.clone())])
                        ),
                        theme::hint(),
                    ),
                ]);
                frame.render_widget(line, area);
                return;
            }
            Notice::Failed(e) => (sanitize_line(&c.render(e)), theme::error()),
        };
        frame.render_widget(Span::styled(text, style), area);
    }

    /// The keys of the current context, for the help popup.
    pub fn help_context(&self) -> &'static [(&'static str, &'static str)] {
        if self.pane == Pane::Intake {
            return &[
                ("Tab / Shift+Tab", "help.fields"),
                ("Left / Right", "help.choose"),
                ("Space", "help.toggle"),
                ("Enter", "help.newline"),
                ("Ctrl+S", "help.save"),
                ("Ctrl+N", "help.clear_form"),
            ];
        }
        if self.move_form().is_some() {
            return &[
                ("Tab / Shift+Tab", "help.fields"),
                ("Left / Right", "help.choose"),
                ("Space", "help.tick"),
                ("Enter", "help.form_newline"),
                ("Ctrl+S", "help.apply"),
                ("Esc / Ctrl+W", "help.cancel_form"),
            ];
        }
        if self.follow_form().is_some() {
            return &[
                ("Tab / Shift+Tab", "help.fields"),
                ("Left / Right", "help.choose"),
                ("Space", "help.tick"),
                ("Ctrl+S", "help.follow_save"),
                ("Esc / Ctrl+W", "help.cancel_form"),
            ];
        }
        if self.detail().is_some() {
            return &[
                ("Up/Down/PgUp/PgDn/Home/End", "help.detail_scroll"),
                ("Esc / Backspace / Left / q", "help.close_detail"),
                ("n", "help.reveal_phone"),
                ("c", "move.classify"),
                ("v", "move.verify"),
                ("a", "move.assess"),
                ("p", "move.plan"),
                ("y", "move.approve"),
                ("r", "move.reply"),
                ("d", "move.remedied"),
                ("e", "move.escalate"),
                ("f", "move.refer"),
                ("b", "move.external"),
                ("w", "help.wait"),
                ("u", "move.resume"),
                ("x", "move.close"),
                ("o", "move.reopen"),
            ];
        }
        match self.pane {
            Pane::Callbacks => &[
                ("Up / Down / j / k", "help.list_move"),
                ("PgUp / PgDn", "help.list_page"),
                ("Home / End / g / G", "help.list_ends"),
                ("m / a / o", "help.callback_filter"),
                ("Enter", "help.open"),
                ("l", "help.callback_log"),
                ("p", "help.callback_promise"),
                ("c", "help.show_phone"),
                ("r", "help.refresh"),
                ("!  #  *", "help.callback_marks"),
            ],
            Pane::Revisits => &[
                ("Up / Down / j / k", "help.list_move"),
                ("PgUp / PgDn", "help.list_page"),
                ("Home / End / g / G", "help.list_ends"),
                ("1-5 / Left / Right", "help.agenda_part"),
                ("Enter", "help.open"),
                ("r", "help.revisit_record"),
                ("c", "help.show_phone"),
                ("!", "help.overdue_mark"),
            ],
            _ => &[
                ("Up / Down / j / k", "help.list_move"),
                ("PgUp / PgDn / Space", "help.list_page"),
                ("Home / End / g / G", "help.list_ends"),
                ("Enter", "help.open"),
                ("c", "help.classify"),
                ("r", "help.refresh"),
                ("!", "help.spread_risk"),
            ],
        }
    }
}

/// Where the panes are drawn in a terminal of `size`: between the pane bar above and the
/// notice and status lines below.
fn body_area((w, h): (u16, u16)) -> Rect {
    Rect {
        x: 0,
        y: 1,
        width: w,
        height: h.saturating_sub(3),
    }
}

/// Asks the core for the number to call `c` back on.
fn dial(c: &Complaint) -> Effect {
    Effect::Dial {
        number: c.number.clone(),
        name: c.name.clone(),
    }
}

fn draft_effect(work: TickWork) -> Effect {
    match work {
        TickWork::SaveDraft(form) => Effect::SaveDraft(Box::new(form)),
        TickWork::ClearDraft => Effect::ClearDraft,
        TickWork::Lookup { phone, location } => Effect::Lookup { phone, location },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;
    use crate::desk::Cursor;
    use crate::domain::complaint::{Channel, Queue, Scope};
    use crate::domain::stage::Stage;
    use crate::tui::panes::intake::Field;
    use chrono::{TimeZone, Utc};

    fn app() -> App {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let (mut app, effects) = App::desk(config, Some(Lang::ZhCn), "王丽".into());
        assert_eq!(
            effects,
            vec![
                Effect::DataVersion,
                Effect::LoadDraft,
                Effect::LoadPage(PageAt::First)
            ]
        );
        app.update(Msg::Resize(100, 30));
        assert_eq!(app.update(Msg::Tick(Local::now())), vec![Effect::Counts]);
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
        app.update(Msg::Tick(Local::now()))
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
                location: String::new()
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

    #[test]
    fn a_save_empties_the_form_and_refreshes_counts_and_list() {
        let mut app = app();
        type_text(&mut app, "张伟");
        let effects = app.update(Msg::Saved(Box::new(complaint(7))));
        assert_eq!(
            effects,
            vec![Effect::Counts, Effect::LoadPage(PageAt::First)]
        );
        assert!(app.intake().is_blank());
        assert!(matches!(app.notice(), Some(Notice::Saved(n)) if n == "20261122-0007"));
    }

    #[test]
    fn a_refusal_moves_to_its_field_and_keeps_what_was_typed() {
        let mut app = app();
        type_text(&mut app, "张伟");
        let err = Error::new("error.phone_invalid").arg("value", "电话");
        app.update(Msg::Refused(err));
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
        assert_eq!(ctrl(&mut app, 'n'), vec![Effect::ClearDraft]);
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
        app.update(Msg::Draft(Box::new(draft.clone())));
        let ctx = Ctx::new(&app.config, app.lang);
        assert_eq!(app.intake().form(&ctx), draft);
        assert_eq!(app.intake().focus(), Field::Phone, "first empty field");
        assert!(matches!(app.notice(), Some(Notice::DraftRestored)));
    }

    #[test]
    fn paste_keeps_lines_in_the_description_and_reports_dropped_controls() {
        let mut app = app();
        for _ in 0..4 {
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
        for _ in 0..4 {
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
            app.update(Msg::Page {
                at: PageAt::First,
                rows: page(1, 200),
            })
            .is_empty()
        );
        // Near the end of the window the next page is asked for, after the last row.
        let mut asked = None;
        for _ in 0..150 {
            let effects = press(&mut app, KeyCode::Down);
            if let [Effect::LoadPage(at)] = effects.as_slice() {
                asked = Some(*at);
                break;
            }
        }
        let last = complaint(200);
        assert_eq!(
            asked,
            Some(PageAt::After(Cursor::of(Queue::Untriaged, &last)))
        );
        app.update(Msg::Page {
            at: PageAt::After(Cursor::of(Queue::Untriaged, &last)),
            rows: page(201, 200),
        });
        assert_eq!(app.list().rows().len(), 400);
        // End jumps to the newest page; the position counts from the queue's size.
        let end = press(&mut app, KeyCode::End);
        assert_eq!(end, vec![Effect::LoadPage(PageAt::Last)]);
        app.update(Msg::Page {
            at: PageAt::Last,
            rows: page(801, 200),
        });
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
        assert_eq!(
            back,
            Some(PageAt::Before(Cursor::of(Queue::Untriaged, &first)))
        );
        app.update(Msg::Page {
            at: PageAt::Before(Cursor::of(Queue::Untriaged, &first)),
            rows: page(601, 200),
        });
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
        app.update(Msg::Page {
            at: PageAt::First,
            rows: page(1, 3),
        });
        press(&mut app, KeyCode::Down);
        assert_eq!(
            press(&mut app, KeyCode::Enter),
            vec![Effect::OpenCase("20261122-0002".into())]
        );
        app.update(Msg::Case(Box::new(CaseFile {
            complaint: complaint(2),
            events: Vec::new(),
            callbacks: Vec::new(),
            revisits: Vec::new(),
            attachments: Vec::new(),
        })));
        assert!(app.detail().is_some());
        press(&mut app, KeyCode::Esc);
        assert!(app.detail().is_none());
    }

    fn case(c: Complaint) -> Msg {
        Msg::Case(Box::new(CaseFile {
            complaint: c,
            events: Vec::new(),
            callbacks: Vec::new(),
            revisits: Vec::new(),
            attachments: Vec::new(),
        }))
    }

    /// The classification pane with `rows` listed.
    fn listed(rows: Vec<Complaint>) -> App {
        let mut app = app();
        press(&mut app, KeyCode::F(3));
        app.update(Msg::Page {
            at: PageAt::First,
            rows,
        });
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
        assert!(press(&mut app, KeyCode::Char('c')).is_empty());
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
        app.update(Msg::ActRefused(Error::new("error.explain_first")));
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
        let effects = app.update(Msg::Acted(Box::new(done)));
        assert_eq!(
            effects,
            vec![Effect::Counts, Effect::LoadPage(PageAt::First)]
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
                outcome: String::new()
            }
        );
        // Applied: the case is fetched again to show its new stage and event.
        let mut after = c;
        after.stage = Stage::Verified;
        after.version = 6;
        let effects = app.update(Msg::Acted(Box::new(after)));
        assert!(effects.contains(&Effect::OpenCase("20261122-0001".into())));
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
        let effects = app.update(Msg::ActRefused(conflict));
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
    use crate::tui::widgets::window::{FetchKind, Keyed, PAGE};

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

    fn start(kind: FetchKind, after: Option<(i64, i64)>) -> Fetch {
        Fetch {
            kind,
            after,
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
            app.update(Msg::Callbacks {
                view: CallbackView::All,
                fetch: start(FetchKind::Start, None),
                rows,
            })
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
        app.update(Msg::Callbacks {
            view: CallbackView::All,
            fetch: start(FetchKind::Start, None),
            rows: callback_page(50, 3),
        });
        assert_eq!(app.callbacks().rows()[0].callback.id, 101);
        app.update(Msg::Callbacks {
            view: CallbackView::Overdue,
            fetch: start(FetchKind::Start, None),
            rows: vec![callback_row(2), callback_row(4)],
        });
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
            if let [Effect::LoadCallbacks { view, fetch }] =
                press(&mut app, KeyCode::Down).as_slice()
            {
                asked = Some((*view, *fetch));
                break;
            }
        }
        let last = callback_row(PAGE as i64).key();
        assert_eq!(
            asked,
            Some((CallbackView::All, start(FetchKind::Next, Some(last))))
        );
        app.update(Msg::Callbacks {
            view: CallbackView::All,
            fetch: start(FetchKind::Next, Some(last)),
            rows: callback_page(PAGE as i64 + 1, 10),
        });
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
        app.update(Msg::FollowRefused(
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
        let effects = app.update(Msg::Logged {
            number: "20261122-0002".into(),
            result: CallResult::NoAnswer,
            callback: Box::new(cb),
        });
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
        assert_eq!(crate::when::local_minutes(*due), "2026-11-25 10:00");
        // Esc leaves a form without saving.
        press(&mut app, KeyCode::Char('x'));
        press(&mut app, KeyCode::Esc);
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
        AgendaRow {
            revisit: Revisit {
                id: id + 500,
                role: "agent".into(),
                due_at: c.received_at + chrono::Duration::days(1),
                done_at: None,
                reached: None,
                satisfaction: None,
                comment: String::new(),
            },
            complaint: c,
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
        app.update(Msg::AgendaCounts(AgendaCounts {
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
        app.update(Msg::Agenda {
            range: AgendaRange::Today,
            fetch: start(FetchKind::Start, None),
            rows: vec![agenda_row(1), agenda_row(2)],
        });
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
        let effects = app.update(Msg::Revisited {
            number: "20261122-0002".into(),
            stage: Stage::Assessed,
            reached: true,
            ready: false,
        });
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

    #[test]
    fn when_the_next_due_time_passes_the_counts_and_the_pane_in_view_are_read_again() {
        let mut app = queue(callback_page(1, 2));
        let now = Local::now();
        // Sooner than the idle lock (5 minutes without a key).
        let due = now.with_timezone(&Utc) + chrono::Duration::minutes(3);
        app.update(Msg::Counts(Live {
            next_due: Some(due),
            ..Live::default()
        }));
        assert_eq!(app.next_due(), Some(due));
        assert!(app.update(Msg::Tick(now)).is_empty(), "not yet");
        let later = (due + chrono::Duration::seconds(1)).with_timezone(&Local);
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
        let keys = |app: &App| {
            app.help_context()
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
        };
        assert!(keys(&app).contains(&"l"));
        assert!(keys(&app).contains(&"m / a / o"));
        press(&mut app, KeyCode::Char('l'));
        assert!(keys(&app).contains(&"Ctrl+S"));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::F(5));
        assert!(keys(&app).contains(&"1-5 / Left / Right"));
        assert!(keys(&app).contains(&"r"));
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
                        .map(|d| Msg::Draft(Box::new(d.clone()))),
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
                            Some(Msg::SignInRefused(Error::new("error.sign_in_failed")))
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
                Effect::LoadPage(PageAt::First),
                Effect::RefreshCase("20261122-0001".into()),
            ]
        );
    }

    #[test]
    fn a_quiet_desk_locks_itself_after_the_configured_minutes() {
        let mut app = app();
        assert_eq!(app.config.idle_lock_minutes, 5);
        let t0 = Local::now();
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
        app.update(Msg::FirstRunRefused {
            error: Error::new("error.first_admin_exists"),
            setup_done: true,
        });
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
            vec![Effect::Counts, Effect::LoadPage(PageAt::First)]
        );
        assert_eq!(
            app.update(Msg::DataVersion(9)),
            vec![Effect::Counts],
            "a page on its way is fresh already"
        );
        app.update(Msg::Page {
            at: PageAt::First,
            rows: page(1, 3),
        });
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
                Effect::LoadPage(PageAt::First)
            ]
        );
        app.update(Msg::CaseRefreshed(Box::new(CaseFile {
            complaint: classified(1, 3),
            events: Vec::new(),
            callbacks: Vec::new(),
            revisits: Vec::new(),
            attachments: Vec::new(),
        })));
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
        app.update(Msg::Page {
            at: PageAt::After(Cursor::of(Queue::Untriaged, &complaint(200))),
            rows: page(201, 200),
        });
        for _ in 0..120 {
            press(&mut app, KeyCode::Down);
        }
        assert_eq!(app.list().selected().map(|c| c.id), Some(121));
        app.update(Msg::DataVersion(1));
        let effects = app.update(Msg::DataVersion(2));
        let Some(Effect::LoadPage(PageAt::From(top))) = effects.last() else {
            panic!("{effects:?}");
        };
        let top_id = top.id;
        assert!(
            top_id > 1 && top_id <= 121,
            "from the top row in view: {top_id}"
        );
        // Meanwhile complaint 120 was classified elsewhere: gone from the page.
        let rows: Vec<Complaint> = (top_id..top_id + 200)
            .filter(|id| *id != 120)
            .map(complaint)
            .collect();
        app.update(Msg::Page {
            at: PageAt::From(*top),
            rows,
        });
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
        app.update(Msg::Revealed {
            number: "20261122-0001".into(),
            phone: "13800138000".into(),
        });
        assert_eq!(app.detail().and_then(Detail::revealed), Some("13800138000"));
        assert!(matches!(app.notice(), Some(Notice::Revealed(_))));
        assert!(app.help_context().iter().any(|(k, _)| *k == "n"));
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
}
