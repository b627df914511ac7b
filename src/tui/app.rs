//! The app's state and its pure `update`: a message in, the state changed, effects out.
//! It holds the screens, switches panes, keeps the overlays of each agent through a lock,
//! runs the tick and the global keys, and hands everything else to the pane in view; what a
//! change in one pane means for the others is the short table in [`App::after`]. Effects
//! (database work) are run by the runner, whose results come back as messages; nothing
//! here touches the terminal or the database.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::config::Config;
use crate::desk::StatusCounts;
use crate::domain::complaint::NewComplaint;
use crate::domain::schedule;
use crate::i18n::Lang;
use crate::tui::ctx::ctx;
use crate::tui::forms::agents::{self, Agents};
use crate::tui::forms::followups::FollowForm;
use crate::tui::forms::links::LinkForm;
use crate::tui::forms::moves::MoveForm;
use crate::tui::keymap::{self, Global, Help};
use crate::tui::msg::{Connection, Effect, Msg, Notice, Out};
use crate::tui::panes::callbacks::Callbacks;
use crate::tui::panes::case::{Cover, Detail};
use crate::tui::panes::cases::Cases;
use crate::tui::panes::classification::Classification;
use crate::tui::panes::dashboard::{Dashboard, Drill};
use crate::tui::panes::first_run::FirstRun;
use crate::tui::panes::intake::Intake;
use crate::tui::panes::lock::Lock;
use crate::tui::panes::revisits::Revisits;
use crate::tui::panes::{Pane, Room, Rooms};
use crate::tui::widgets::{help, notice, status};

#[cfg(test)]
mod tests;

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
/// Ticks before the first try to connect again after the database connection was lost;
/// each failed try doubles the wait, up to [`RECONNECT_MAX_TICKS`].
const RECONNECT_FIRST_TICKS: u64 = 5;
/// The longest wait between tries to connect again.
const RECONNECT_MAX_TICKS: u64 = 75;

/// The database connection lost: when to try again, and how long to wait after a failure.
#[derive(Debug, Clone, Copy)]
struct Outage {
    /// The tick of the next try.
    retry_at: u64,
    /// Ticks to wait after the next failed try.
    delay: u64,
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

/// The whole state of the app.
#[derive(Debug, Clone)]
pub struct App {
    config: Config,
    lang_override: Option<Lang>,
    lang: Lang,
    screen: Screen,
    pane: Pane,
    rooms: Rooms,
    help: bool,
    /// The agents overlay, over the pane in view (open only with the list the desk gave).
    agents: Option<Box<Agents>>,
    agent: String,
    counts: Option<StatusCounts>,
    /// The sites the agent sees, by key, when scoped to sites (shown beside their name).
    sites: Vec<String>,
    /// When the counts next change by themselves.
    next_due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    notice: Option<(Notice, u64)>,
    size: (u16, u16),
    ticks: u64,
    quitting: bool,
    /// The data version last read (None: not read since the desk opened or was unlocked).
    data_version: Option<i64>,
    /// The tick time of the last key or paste (None until the first tick).
    last_input: Option<DateTime<Utc>>,
    /// A key or paste came since the last tick.
    input_seen: bool,
    /// The pane, cases and half-typed forms each agent left open when the screen locked,
    /// kept in memory (never drawn) until that agent signs in again.
    stashed: HashMap<String, (Pane, Vec<(Pane, Cover)>)>,
    /// The complaint a low-scored care call opens (its call, its form), waiting while the
    /// intake form holds another one: it opens there once that is saved or cleared.
    care_waiting: Option<Box<(i64, NewComplaint)>>,
    /// The database connection is lost (None: connected, or a file).
    outage: Option<Outage>,
    /// The tick the database connection came back at (said for a while).
    restored_at: Option<u64>,
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
            rooms: Rooms::default(),
            help: false,
            agents: None,
            agent,
            counts: None,
            sites: Vec::new(),
            next_due: None,
            now: Utc::now(),
            notice: None,
            size: (80, 24),
            ticks: 0,
            quitting: false,
            data_version: None,
            last_input: None,
            input_seen: false,
            stashed: HashMap::new(),
            care_waiting: None,
            outage: None,
            restored_at: None,
        }
    }

    fn open(&mut self) -> Vec<Effect> {
        self.screen = Screen::Desk;
        self.data_version = None;
        // The data version first: a change committed elsewhere while the rest is read is
        // seen at the next look. The counts come with the first tick, after the first
        // frame: over a large queue an indexed count costs more than the whole start should.
        let mut effects = vec![Effect::DataVersion, Effect::LoadDraft];
        effects.extend(self.rooms.classification.enter(false));
        effects
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
        &self.rooms.intake
    }

    /// The classification list.
    pub fn list(&self) -> &Classification {
        &self.rooms.classification
    }

    /// The case library.
    pub fn library(&self) -> &crate::tui::panes::library::Library {
        &self.rooms.library
    }

    /// The callback queue.
    pub fn callbacks(&self) -> &Callbacks {
        &self.rooms.callbacks
    }

    /// The revisit schedule.
    pub fn revisits(&self) -> &Revisits {
        &self.rooms.revisits
    }

    /// The cases pane.
    pub fn cases(&self) -> &Cases {
        &self.rooms.cases
    }

    /// The dashboard.
    pub fn dashboard(&self) -> &Dashboard {
        &self.rooms.dashboard
    }

    /// What covers the active pane (None on intake).
    fn cover(&self) -> Option<&Cover> {
        self.rooms.get(self.pane).cover()
    }

    /// The case open in the active pane, if any.
    pub fn detail(&self) -> Option<&Detail> {
        self.cover().and_then(Cover::detail)
    }

    /// The move form open in the active pane, if any (over the case detail or the list).
    pub fn move_form(&self) -> Option<&MoveForm> {
        self.cover().and_then(Cover::move_form)
    }

    /// The follow-up form open in the active pane, if any.
    pub fn follow_form(&self) -> Option<&FollowForm> {
        self.cover().and_then(Cover::follow_form)
    }

    /// The form of a linking move (merge, unmerge, split) open, if any.
    pub fn link_form(&self) -> Option<&LinkForm> {
        self.cover().and_then(Cover::link_form)
    }

    /// The agents overlay, when it is up.
    pub fn agents(&self) -> Option<&Agents> {
        self.agents.as_deref()
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

    /// Applies a message; returns the effects to run.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if keymap::is_press(&key) => {
                self.input_seen = true;
                let effects = self.key(key);
                self.open_waiting_care();
                effects
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
            Msg::SignedIn(agent) => self.signed_in(agent),
            Msg::DataVersion(version) => {
                let changed = self.data_version.is_some_and(|v| v != version);
                self.data_version = Some(version);
                if changed && matches!(self.screen, Screen::Desk) {
                    self.refresh_shown()
                } else {
                    Vec::new()
                }
            }
            Msg::Counts(live) => {
                self.counts = Some(live.counts);
                self.next_due = live.next_due;
                self.sites = live.sites;
                if live.escalated > 0 {
                    self.notify(Notice::Escalated(live.escalated));
                    if self.pane == Pane::Callbacks && self.rooms.callbacks.loaded() {
                        return vec![self.rooms.callbacks.reload()];
                    }
                }
                Vec::new()
            }
            Msg::Connection(connection) => self.connection(connection),
            Msg::DraftKeptLocally => {
                if matches!(self.screen, Screen::Desk) {
                    self.notify(Notice::DraftKeptLocally);
                }
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
            Msg::Failed(err) => {
                // The lock and first-run screens have no notice line: said on the screen.
                match &mut self.screen {
                    Screen::Lock(lock) => lock.refused(err),
                    Screen::FirstRun(first) => first.refused(err, false),
                    Screen::Desk => self.notify(Notice::Failed(err)),
                }
                Vec::new()
            }
            Msg::FirstRun(msg) => {
                if let Screen::FirstRun(first) = &mut self.screen {
                    first.update(msg);
                    self.lang = first.lang();
                }
                Vec::new()
            }
            Msg::Lock(msg) => {
                if let Screen::Lock(lock) = &mut self.screen {
                    lock.update(msg);
                }
                Vec::new()
            }
            Msg::Intake(msg) => {
                let out = self.rooms.intake.update(msg, &ctx!(self));
                let effects = self.apply(out);
                self.open_waiting_care();
                effects
            }
            Msg::Classification(msg) => {
                let out = self.rooms.classification.update(msg, &ctx!(self));
                self.apply(out)
            }
            Msg::Callbacks(msg) => {
                let out = self.rooms.callbacks.update(msg, &ctx!(self));
                self.apply(out)
            }
            Msg::Revisits(msg) => {
                let out = self.rooms.revisits.update(msg, &ctx!(self));
                self.apply(out)
            }
            Msg::Cases(msg) => {
                let out = self.rooms.cases.update(msg, &ctx!(self));
                self.apply(out)
            }
            Msg::Dashboard(msg) => {
                let out = self.rooms.dashboard.update(msg, &ctx!(self));
                self.apply(out)
            }
            Msg::Library(msg) => {
                let out = self.rooms.library.update(msg, &ctx!(self));
                self.apply(out)
            }
            // The list opens the overlay (the desk allowed it); a later result goes to it.
            Msg::Agents(msg) => {
                if !matches!(self.screen, Screen::Desk) {
                    return Vec::new();
                }
                match (&mut self.agents, msg) {
                    (None, agents::Msg::Listed(rows)) => {
                        let sites = !self.config.policy.sites.is_empty();
                        self.agents = Some(Box::new(Agents::new(rows, sites)));
                        Vec::new()
                    }
                    (None, _) => Vec::new(),
                    (Some(overlay), msg) => {
                        let out = overlay.update(msg, &ctx!(self));
                        self.apply(out)
                    }
                }
            }
            // A case result goes to the pane in view (where it was asked for); a fresher
            // copy of a case also to every other pane showing it.
            Msg::Case(msg) => {
                let active = self.pane;
                let ctx = ctx!(self);
                let mut out = Out::none();
                for pane in Pane::ALL {
                    if let Some(cover) = self.rooms.get_mut(pane).cover_mut() {
                        out = out.and(cover.update(&msg, pane == active, &ctx));
                    }
                }
                self.apply(out)
            }
        }
    }

    /// What a pane gave back: its notice shown, a change it made (or found) carried to
    /// every pane, a complaint to open on intake opened there; returns the effects to run.
    fn apply(&mut self, mut out: Out) -> Vec<Effect> {
        if let Some(from) = out.intake.take() {
            // A form half typed on intake is never thrown away for it: the complaint waits.
            let busy = !self.rooms.intake.is_blank();
            if let Some(Notice::CareRecorded { waiting, .. }) = &mut out.notice {
                *waiting = busy;
            }
            self.care_waiting = Some(from);
            self.open_waiting_care();
            out.effects.extend(self.switch(Pane::Intake));
        }
        if let Some(notice) = out.notice {
            self.notify(notice);
        }
        let mut effects = out.effects;
        if let Some(number) = out.changed {
            let more = self.after(&number, &effects);
            effects.extend(more);
        }
        if let Some(drill) = out.drill {
            effects.extend(self.drill(drill));
        }
        effects
    }

    /// Opens the pane where a number of the dashboard is checked case by case, showing
    /// what it counts; or a case on the cases pane.
    fn drill(&mut self, drill: Drill) -> Vec<Effect> {
        match drill {
            Drill::Cases { view, filters } => {
                self.pane = Pane::Cases;
                let mut effects = self.rooms.cases.drill(view, *filters);
                effects.push(Effect::Counts);
                effects
            }
            Drill::Callbacks(view) => {
                self.rooms.callbacks.set_view(view);
                self.switch(Pane::Callbacks)
            }
            Drill::Revisits(range) => {
                self.rooms.revisits.set_range(range);
                self.switch(Pane::Revisits)
            }
            Drill::Case(number) => {
                let mut effects = self.switch(Pane::Cases);
                effects.push(Effect::OpenCase(number));
                effects
            }
        }
    }

    /// Opens the complaint of a low-scored care call on intake, when one waits and the
    /// intake form is empty (saved, cleared, or never typed in).
    fn open_waiting_care(&mut self) {
        if !matches!(self.screen, Screen::Desk) || !self.rooms.intake.is_blank() {
            return;
        }
        if let Some(from) = self.care_waiting.take() {
            let (care_id, form) = *from;
            self.rooms
                .intake
                .open_from_care(care_id, &form, &ctx!(self));
        }
    }

    /// The table of what a change to complaint `number` means beyond the pane that made it
    /// (a save, a move, a call logged or promised, a revisit; or a conflict that showed
    /// someone else's change):
    ///
    /// | what is shown             | read again                                   |
    /// | ------------------------- | -------------------------------------------- |
    /// | status-line counts        | always                                       |
    /// | the pane in view          | where it is (the other panes, when entered)  |
    /// | that case, in any pane    | once, for every pane that shows it           |
    fn after(&mut self, number: &str, effects: &[Effect]) -> Vec<Effect> {
        let mut more = vec![Effect::Counts];
        more.extend(self.rooms.get_mut(self.pane).refresh());
        let shown = Pane::ALL
            .into_iter()
            .any(|pane| self.rooms.get(pane).cover().and_then(Cover::number) == Some(number));
        if shown && !effects.contains(&Effect::OpenCase(number.to_string())) {
            more.push(Effect::RefreshCase(number.to_string()));
        }
        more
    }

    /// Locks the screen: the half-typed intake form is kept as the agent's draft and
    /// emptied, cases and forms over the lists close (kept for the agent), the notice goes,
    /// and the desk forgets who signed in. The lock screen shows nothing personal.
    fn lock(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.rooms.intake.unsaved() {
            effects.push(self.rooms.intake.take_draft(&ctx!(self)));
        }
        effects.push(Effect::Lock);
        self.rooms.intake = Intake::default();
        let covers: Vec<(Pane, Cover)> = Pane::ALL
            .into_iter()
            .filter_map(|p| Some((p, std::mem::take(self.rooms.get_mut(p).cover_mut()?))))
            .collect();
        if covers.iter().any(|(_, c)| c.detail().is_some()) {
            self.stashed.insert(self.agent.clone(), (self.pane, covers));
        }
        self.help = false;
        self.agents = None;
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
            self.rooms = Rooms::default();
            self.care_waiting = None;
            self.counts = None;
            self.next_due = None;
        }
        self.agent = agent;
        self.screen = Screen::Desk;
        self.data_version = None;
        self.input_seen = true;
        // The data version before anything is read (see `open`).
        let mut effects = vec![Effect::DataVersion, Effect::LoadDraft, Effect::Counts];
        effects.extend(self.rooms.classification.enter(false));
        effects.extend(self.rooms.get_mut(self.pane).refresh());
        // Their cases and forms come back as they left them; the cases are read again (a
        // move saved from a form changed since is refused with what changed).
        if let Some((pane, covers)) = self.stashed.remove(&self.agent) {
            self.pane = pane;
            for (p, cover) in covers {
                if let Some(number) = cover.number() {
                    effects.push(Effect::RefreshCase(number.to_string()));
                }
                if let Some(slot) = self.rooms.get_mut(p).cover_mut() {
                    *slot = cover;
                }
            }
        }
        effects
    }

    /// Another terminal changed the database: the counts, the list in view (where it is)
    /// and the case open in the active pane are read again, without a key.
    fn refresh_shown(&mut self) -> Vec<Effect> {
        let mut effects = vec![Effect::Counts];
        if let Some(number) = self.cover().and_then(Cover::number) {
            effects.push(Effect::RefreshCase(number.to_string()));
        }
        effects.extend(self.rooms.get_mut(self.pane).refresh());
        if self.agents.is_some() {
            effects.push(Effect::LoadAgents);
        }
        effects
    }

    /// The database connection was lost, a try to connect again is under way or failed, or
    /// it is back: then what is shown is read again.
    fn connection(&mut self, connection: Connection) -> Vec<Effect> {
        let ticks = self.ticks;
        match (connection, &mut self.outage) {
            (Connection::Lost, None) => {
                tracing::warn!("database connection lost");
                self.restored_at = None;
                self.outage = Some(Outage {
                    retry_at: ticks,
                    delay: RECONNECT_FIRST_TICKS,
                });
            }
            (Connection::Lost, Some(_)) => {}
            (Connection::Trying, Some(outage)) => outage.retry_at = ticks + 1,
            (Connection::Failed, Some(outage)) => {
                outage.retry_at = ticks + outage.delay;
                outage.delay = (outage.delay * 2).min(RECONNECT_MAX_TICKS);
            }
            (Connection::Trying | Connection::Failed, None) => {}
            (Connection::Back, _) => {
                self.outage = None;
                self.restored_at = Some(ticks);
                if matches!(self.screen, Screen::Desk) {
                    self.data_version = None;
                    let mut effects = vec![Effect::DataVersion];
                    effects.extend(self.refresh_shown());
                    return effects;
                }
            }
        }
        Vec::new()
    }

    /// A try to connect again, when the database connection is lost and the wait is over.
    fn reconnect_due(&self) -> Vec<Effect> {
        match self.outage {
            Some(outage) if self.ticks >= outage.retry_at => vec![Effect::Reconnect],
            _ => Vec::new(),
        }
    }

    /// How the status line tells the database connection.
    fn link(&self) -> status::Link {
        if self.outage.is_some() {
            status::Link::Lost
        } else if self
            .restored_at
            .is_some_and(|at| self.ticks - at <= NOTICE_TICKS)
        {
            status::Link::Back
        } else {
            status::Link::Up
        }
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.quitting = true;
        let mut effects = Vec::new();
        if matches!(self.screen, Screen::Desk) && self.rooms.intake.unsaved() {
            effects.push(self.rooms.intake.take_draft(&ctx!(self)));
        }
        effects.push(Effect::Quit);
        effects
    }

    fn tick(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let zone = self.config.policy.timezone;
        let new_day = zone.day(now) != zone.day(self.now);
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
        let idle_limit = schedule::minutes(i64::from(self.config.idle_lock_minutes));
        let idle = self.last_input.is_some_and(|t| now - t >= idle_limit);
        let reconnect = self.reconnect_due();
        match &mut self.screen {
            Screen::Desk if idle => {
                let mut effects = self.lock();
                effects.extend(reconnect);
                return effects;
            }
            Screen::Desk => {}
            Screen::Lock(lock) => {
                // A PIN half typed and left does not wait for the next agent.
                if idle {
                    lock.clear_pin();
                }
                return reconnect;
            }
            Screen::FirstRun(_) => return Vec::new(),
        }
        let mut effects = self.rooms.intake.tick(&ctx!(self));
        if self.outage.is_some() {
            // Nothing is read meanwhile; the status line says why (the drafts are kept).
            effects.extend(reconnect);
            return effects;
        }
        effects.extend(self.rooms.get_mut(self.pane).tick());
        // Something fell due (a callback or revisit became overdue), or a new day began
        // (the agenda's parts moved): recount and read the follow-up pane in view again,
        // without waiting for a key.
        let due = self.next_due.is_some_and(|t| now >= t);
        if due || (new_day && self.counts.is_some()) {
            self.next_due = None;
            effects.push(Effect::Counts);
            effects.extend(self.rooms.get_mut(self.pane).refresh());
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

    /// A key: the first-run and lock screens take their own; on the desk the global keys
    /// come first (F-keys and chords, which work under an input method), then the pane in
    /// view, whose text fields take keys before its shortcuts.
    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let global = keymap::global(&key);
        match &mut self.screen {
            Screen::FirstRun(_) | Screen::Lock(_) if global == Some(Global::Quit) => {
                return self.quit();
            }
            Screen::FirstRun(first) => {
                let effects = first.key(key);
                self.lang = first.lang();
                return effects;
            }
            Screen::Lock(lock) => return lock.key(key),
            Screen::Desk => {}
        }
        if self.help {
            // Any key closes the help; a pane or quit key also does what it says.
            self.help = false;
            if matches!(global, None | Some(Global::Help)) {
                return Vec::new();
            }
        }
        // The agents overlay takes the keys but the help, quit, lock and its own; a pane
        // key closes it and goes there.
        if let Some(overlay) = &mut self.agents {
            match global {
                Some(Global::Agents) => {
                    self.agents = None;
                    return Vec::new();
                }
                Some(Global::Pane(_) | Global::Search | Global::GoTo) => self.agents = None,
                Some(Global::Help | Global::Quit | Global::Lock | Global::QuitHint) => {}
                None => {
                    let (out, close) = overlay.key(key, &ctx!(self));
                    if close {
                        self.agents = None;
                    }
                    return self.apply(out);
                }
            }
        }
        match global {
            Some(Global::Help) => self.help = !self.rooms.get_mut(self.pane).own_help(),
            Some(Global::Agents) => return vec![Effect::LoadAgents],
            Some(Global::Quit) => return self.quit(),
            Some(Global::Lock) => return self.lock(),
            Some(Global::Pane(pane)) => return self.switch(pane),
            Some(Global::QuitHint) => self.notify(Notice::QuitHint),
            Some(Global::Search) => {
                let effects = self.switch(Pane::Cases);
                self.rooms.cases.focus_query();
                return effects;
            }
            Some(Global::GoTo) => {
                let effects = self.switch(Pane::Cases);
                self.rooms.cases.open_goto();
                return effects;
            }
            None => {
                let out = self.rooms.get_mut(self.pane).key(key, &ctx!(self));
                return self.apply(out);
            }
        }
        Vec::new()
    }

    /// Goes to a pane: it says what to read on entering (nothing while a case covers it),
    /// and the counts follow.
    fn switch(&mut self, pane: Pane) -> Vec<Effect> {
        let again = self.pane == pane;
        self.pane = pane;
        if self.cover().is_some_and(Cover::hides_list) {
            return Vec::new();
        }
        let mut effects = self.rooms.get_mut(pane).enter(again);
        if !effects.is_empty() {
            effects.push(Effect::Counts);
        }
        effects
    }

    fn paste(&mut self, text: &str) -> Vec<Effect> {
        if self.help {
            return Vec::new();
        }
        let out = match &mut self.screen {
            Screen::FirstRun(first) => {
                first.paste(text);
                Out::none()
            }
            Screen::Lock(lock) => {
                lock.paste(text);
                Out::none()
            }
            Screen::Desk => match &mut self.agents {
                Some(overlay) => overlay.paste(text),
                None => self.rooms.get_mut(self.pane).paste(text),
            },
        };
        self.apply(out)
    }

    /// The keys of what is in view, for the help popup (the global keys follow them).
    pub fn help_rows(&self) -> Vec<Help> {
        if let Some(overlay) = &self.agents {
            return overlay.help();
        }
        self.rooms.get(self.pane).help()
    }

    /// Draws the whole screen (a pure function of the state).
    pub fn render(&self, frame: &mut Frame<'_>) {
        let area = frame.area();
        let ctx = ctx!(self);
        let c = ctx.catalog;
        if status::too_small(c, MIN_SIZE, frame, area) {
            return;
        }
        match &self.screen {
            Screen::FirstRun(first) => return first.render(&ctx, frame, area),
            Screen::Lock(lock) => return lock.render(&ctx, frame, area),
            Screen::Desk => {}
        }
        let now = ctx.now;
        let notice_rows = self.notice.as_ref().map_or(1, |(shown, _)| {
            notice::height(c, ctx.zone(), shown, now, area.width)
        });
        let [bar, body, notice_line, status_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(notice_rows),
            Constraint::Length(1),
        ])
        .areas(area);
        status::pane_bar(c, Some(self.pane), frame, bar);
        self.rooms.get(self.pane).render(&ctx, frame, body);
        if let Some(overlay) = &self.agents {
            overlay.render(&ctx, frame, body);
        }
        if let Some((shown, _)) = &self.notice {
            notice::render(c, ctx.zone(), shown, now, frame, notice_line);
        }
        let sites: Vec<String> = self
            .sites
            .iter()
            .map(|k| self.config.site_name(k, c.lang()))
            .collect();
        status::status_line(
            c,
            status::Status {
                agent: &self.agent,
                sites: &sites,
                now: self.now,
                zone: self.config.policy.timezone,
                counts: self.counts,
                link: self.link(),
            },
            frame,
            status_area,
        );
        if self.help {
            help::render(c, &self.help_rows(), frame, body);
        }
    }
}
