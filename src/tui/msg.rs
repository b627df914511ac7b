//! The app's vocabulary: `Msg` (what happened: a key, a tick, a result for a pane), `Effect`
//! (work for the runner on the Desk, matched exhaustively there), `Notice` (the line above
//! the status line) and `Out` (what a pane's key or update gives back).

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::config::Config;
use crate::desk::{
    AgendaRange, CallResult, CallbackView, CardEdit, CardFilter, CareResult, StatusCounts,
};
use crate::domain::complaint::{NewComplaint, Queue};
use crate::domain::handling::Action;
use crate::domain::merge::Link;
use crate::domain::report::By;
use crate::domain::script::Moment;
use crate::domain::search::SearchFilter;
use crate::domain::stage::{Move, Stage};
use crate::error::Error;
use crate::tui::forms::agents;
use crate::tui::panes::{
    callbacks, case, cases, classification, dashboard, first_run, intake, library, lock, revisits,
};
use crate::tui::widgets::secret::Secret;
use crate::tui::widgets::window::Fetch;

/// What the status line and the follow-up panes keep up with: the counts, when they next
/// change by themselves, and how many late callbacks were just escalated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    /// The status-line counts.
    pub counts: StatusCounts,
    /// The next due time of an open callback or revisit after now.
    pub next_due: Option<DateTime<Utc>>,
    /// Callbacks escalated by this recount.
    pub escalated: usize,
    /// The sites the acting agent sees, by key, when scoped to sites (empty: every site).
    pub sites: Vec<String>,
}

/// Something that happened: input, time, or the result of an effect (wrapped for the pane
/// it belongs to).
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key event.
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    /// The terminal's new size.
    Resize(u16, u16),
    /// Time passes (every `TICK_MS`).
    Tick(DateTime<Utc>),
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
    /// An agent signed in on the lock screen.
    SignedIn(String),
    /// The database's data version (it changes when another process commits).
    DataVersion(i64),
    /// Fresh status-line counts and the next due time.
    Counts(Live),
    /// The full phone number to return a call, given by the core (and recorded).
    Dial {
        /// Who is called.
        name: String,
        /// The number in full.
        phone: String,
        /// The complaint.
        number: String,
    },
    /// An effect failed.
    Failed(Error),
    /// How the connection to the database server stands.
    Connection(Connection),
    /// The database could not keep the draft: it is kept on this computer.
    DraftKeptLocally,
    /// A result for the first-run screen.
    FirstRun(first_run::Msg),
    /// A result for the lock screen.
    Lock(lock::Msg),
    /// A result for the intake pane.
    Intake(intake::Msg),
    /// A result for the classification list.
    Classification(classification::Msg),
    /// A result for the callback queue.
    Callbacks(callbacks::Msg),
    /// A result for the revisit schedule.
    Revisits(revisits::Msg),
    /// A result for the cases pane.
    Cases(cases::Msg),
    /// A result for the case open in a list pane (or its forms).
    Case(case::Msg),
    /// A result for the dashboard.
    Dashboard(dashboard::Msg),
    /// A result for the agents overlay (the list opens it).
    Agents(agents::Msg),
    /// A result for the case library.
    Library(library::Msg),
}

/// Work for the runner: database calls through the Desk, or leaving.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write the config (if asked), open the desk, create the first agent and sign them in.
    FinishFirstRun(first_run::Choice),
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
    /// Try to connect to the database server again (without waiting for it).
    Reconnect,
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
    /// Record the complaint a low-scored care call opens, linked to the call.
    IntakeFromCare {
        /// The care call.
        care_id: i64,
        /// The complaint.
        form: Box<NewComplaint>,
    },
    /// Keep the draft.
    SaveDraft(Box<NewComplaint>),
    /// Drop the draft.
    ClearDraft,
    /// Fetch the kept draft.
    LoadDraft,
    /// Look up earlier complaints, and the open ones a call may be about.
    Lookup {
        /// Phone as typed.
        phone: String,
        /// Location as typed.
        location: String,
        /// Category key chosen (empty: none yet).
        category: String,
    },
    /// Attach the call typed at intake to an open complaint instead of saving it.
    AttachCall {
        /// The open complaint.
        number: String,
        /// The call as typed.
        form: Box<NewComplaint>,
    },
    /// Escalate late callbacks, then recount the status line and find the next due time.
    Counts,
    /// Fetch a page of the classification list.
    LoadPage(Fetch),
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
    /// Fetch a page of a view of the cases pane.
    LoadCases {
        /// The view's queue.
        queue: Queue,
        /// Which page.
        fetch: Fetch,
    },
    /// Count the cases of each view of the cases pane.
    CaseCounts,
    /// Which of these complaints (row ids) owe an overdue call or revisit.
    CaseOverdue(Vec<i64>),
    /// Rank the open cases of a view of the cases pane by escalation risk.
    RankCases(Queue),
    /// Search, on the search thread (a newer search cancels the one running).
    Search {
        /// Which search of the cases pane it is (older answers are dropped).
        seq: u64,
        /// What to find.
        filter: Box<SearchFilter>,
        /// Which page.
        fetch: Fetch,
        /// Count the matches after the page.
        count: bool,
    },
    /// Compute the dashboard's figures, on the report thread.
    Report {
        /// Which load of the dashboard it is (older answers are dropped).
        seq: u64,
        /// The period.
        choice: dashboard::Choice,
        /// The breakdown.
        by: By,
    },
    /// Open the case whose number (or today's sequence) was typed.
    GoTo(String),
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
    /// Look up the primary a case is to be merged into (shown before the merge).
    MergeLookup {
        /// The case to merge.
        number: String,
        /// The primary's number as typed.
        into: String,
    },
    /// Merge a case into a primary, if it is still at `version`.
    Merge {
        /// The case to merge.
        number: String,
        /// The version the agent saw.
        version: i64,
        /// The primary's number.
        into: String,
        /// Why.
        reason: String,
    },
    /// Undo the merge of a case, if it is still at `version`.
    Unmerge {
        /// The merged case.
        number: String,
        /// The version the agent saw.
        version: i64,
        /// Why.
        reason: String,
    },
    /// Split a second issue off a case, if it is still at `version`.
    Split {
        /// The case.
        number: String,
        /// The version the agent saw.
        version: i64,
        /// The new complaint's category key.
        category: String,
        /// The second issue.
        description: String,
        /// Where it is (empty: the case's own place).
        location: String,
    },
    /// Close a complaint and make it a draft card of the case library, in one transaction
    /// (the close form's tick).
    CloseToLibrary {
        /// The complaint.
        number: String,
        /// The version the agent saw.
        version: i64,
        /// The close.
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
    /// Record a care call.
    RecordCareCall {
        /// The care call.
        care_id: i64,
        /// What it came to.
        result: CareResult,
        /// What was said.
        note: String,
    },
    /// List the agents (manage_agents; the list opens the agents overlay).
    LoadAgents,
    /// Read the case cards of a filter (drafts only for a curator).
    LoadLibrary(CardFilter),
    /// Edit a case card at the version seen (curate_library).
    EditCard {
        /// The card.
        id: i64,
        /// The version the curator saw.
        version: i64,
        /// The fields as the form holds them.
        edit: Box<CardEdit>,
    },
    /// Make closed case `number` a draft card of the case library (curate_library).
    AddCard(String),
    /// Find the published case cards most like a case being classified.
    SimilarCards {
        /// The case.
        number: String,
        /// Its category key.
        category: String,
        /// Its description.
        description: String,
    },
    /// Publish a case card at the version seen (curate_library).
    PublishCard {
        /// The card.
        id: i64,
        /// Its version as shown.
        version: i64,
    },
    /// Register an agent (manage_agents), as `agent add`.
    AddAgent {
        /// Their name.
        name: String,
        /// Their role key.
        role: String,
        /// The sites they belong to, by key (none: every site).
        sites: Vec<String>,
        /// Their first PIN.
        secret: Secret,
    },
    /// Set the sites an agent belongs to (manage_agents; none: every site), as
    /// `agent sites`.
    SetAgentSites {
        /// Whose.
        name: String,
        /// Their sites, by key.
        sites: Vec<String>,
    },
    /// Disable an agent (manage_agents), as `agent disable`.
    DisableAgent(String),
    /// Set a new PIN for an agent and unlock it (manage_agents), as `agent reset-secret`.
    ResetSecret {
        /// Whose.
        name: String,
        /// The new PIN.
        secret: Secret,
    },
    /// Put this text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Leave the app.
    Quit,
}

/// The connection to the database server, as the runner finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// It was lost.
    Lost,
    /// Connecting again is under way.
    Trying,
    /// A try to connect again failed.
    Failed,
    /// Connected again.
    Back,
}

/// A one-line message above the status line.
#[derive(Debug, Clone)]
pub enum Notice {
    /// Saved as this number.
    Saved(String),
    /// The call was attached to this open complaint.
    CallAttached(String),
    /// The draft came back.
    DraftRestored,
    /// The form was emptied.
    FormCleared,
    /// The database is unreachable: the form is kept on this computer.
    DraftKeptLocally,
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
    /// A merge, an unmerge or a split was made.
    Linked {
        /// Which.
        link: Link,
        /// The complaint.
        number: String,
        /// The primary (merge), the stage key it is back at (unmerge), the new complaint
        /// (split).
        other: String,
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
        /// Whether the case reopened.
        reopened: bool,
        /// Whether the case is ready to close.
        ready: bool,
    },
    /// A care call was recorded.
    CareRecorded {
        /// The site, by name.
        site: String,
        /// Whether the site was reached.
        reached: bool,
        /// When the site is called next (none: it has left its plan).
        next_due: Option<DateTime<Utc>>,
        /// Failed calls so far, when the call is flagged.
        flagged: Option<u32>,
        /// A low score opened a complaint on intake.
        opens: bool,
        /// That complaint waits for the form on intake to be saved or cleared.
        waiting: bool,
    },
    /// Late callbacks were escalated.
    Escalated(usize),
    /// A case card was published.
    CardPublished(i64),
    /// A case card was edited.
    CardEdited(i64),
    /// A closed case became a draft card of the case library.
    CardAdded {
        /// The case.
        number: String,
        /// The card.
        id: i64,
    },
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
    /// An agent was added, disabled or given a new PIN.
    AgentChanged(agents::Change),
    /// A script was copied to the clipboard.
    ScriptCopied(Moment),
    /// Ctrl+O at intake with no earlier complaint of the caller found.
    NoEarlier,
    /// Something failed.
    Failed(Error),
}

/// What a pane's key or update gives back: work for the runner, a notice, and the
/// complaint it changed (or found changed), which the app carries to every other pane.
#[derive(Debug, Default)]
pub struct Out {
    /// Effects to run.
    pub effects: Vec<Effect>,
    /// A notice to show.
    pub notice: Option<Notice>,
    /// The complaint changed, by number.
    pub changed: Option<String>,
    /// A complaint for intake to open prefilled: the care call that opens it, and the form.
    pub intake: Option<Box<(i64, NewComplaint)>>,
    /// Another pane to open: where a number is checked case by case, or a case.
    pub drill: Option<dashboard::Drill>,
}

impl Out {
    /// Nothing to do.
    pub fn none() -> Out {
        Out::default()
    }

    /// One effect.
    pub fn effect(effect: Effect) -> Out {
        Out::effects(vec![effect])
    }

    /// Some effects.
    pub fn effects(effects: Vec<Effect>) -> Out {
        Out {
            effects,
            ..Out::default()
        }
    }

    /// A notice.
    pub fn notice(notice: Notice) -> Out {
        Out {
            notice: Some(notice),
            ..Out::default()
        }
    }

    /// And a notice.
    pub fn with_notice(mut self, notice: Notice) -> Out {
        self.notice = Some(notice);
        self
    }

    /// This and `other` together (the later notice and change win).
    pub fn and(mut self, other: Out) -> Out {
        self.effects.extend(other.effects);
        self.notice = other.notice.or(self.notice);
        self.changed = other.changed.or(self.changed);
        self.intake = other.intake.or(self.intake);
        self.drill = other.drill.or(self.drill);
        self
    }

    /// And a complaint for intake to open, for care call `care_id`.
    pub fn intake(mut self, care_id: i64, form: NewComplaint) -> Out {
        self.intake = Some(Box::new((care_id, form)));
        self
    }

    /// The complaint `number`, opened on the cases pane.
    pub fn open_case(number: &str) -> Out {
        Out {
            drill: Some(dashboard::Drill::Case(number.to_string())),
            ..Out::default()
        }
    }

    /// And the complaint it changed.
    pub fn changed(mut self, number: &str) -> Out {
        self.changed = Some(number.to_string());
        self
    }
}
