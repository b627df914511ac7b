//! `Desk`: the one application layer. Every user operation validates, writes its change and
//! its event in one transaction, and is what both the CLI and the TUI call.

mod access;
mod care;
mod demo;
mod duplicates;
mod followup;
mod import;
mod library;
mod merge;
mod migrate;
mod privacy;
mod report;
mod reporter;
mod risk;
pub mod script;
mod search;

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::agent::{Permission, validate_agent_name};
use crate::domain::complaint::{
    Complaint, NewComplaint, Queue, ValidComplaint, halfwidth, normalise_phone, validate,
};
use crate::domain::handling::{self, Action, FIRST_REPLY, Rules, approval_limit, decide};
use crate::domain::number;
use crate::domain::policy::{HandlerFrom, Policy};
use crate::domain::schedule::{self, Calendar};
use crate::domain::stage::Stage;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::store::complaints::{self, NewRow, Viewer};
use crate::store::events::{self, NewEvent};
use crate::store::followups;
use crate::store::sql::Db;
use crate::store::{Store, agents, attachments, drafts};
use crate::when::local_minutes;

/// Where the time comes from (the system clock, or a fixed one in tests).
pub trait Clock {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Everything about one complaint: the case file `show` prints and the detail pane draws.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// The complaint.
    pub complaint: Complaint,
    /// Its timeline, oldest first.
    pub events: Vec<Event>,
    /// Calls owed.
    pub callbacks: Vec<Callback>,
    /// Revisits planned or done.
    pub revisits: Vec<Revisit>,
    /// Files attached; a confidential one's path is empty (see [`Desk::attachments`]).
    pub attachments: Vec<Attachment>,
    /// The escalation risk, while the case is open ([`Desk::risk_of`]).
    pub risk: Option<Risk>,
    /// Other open or recent cases of the same category and place ([`Desk::related_to`]).
    pub related: Vec<Complaint>,
    /// The cases merged into this one, oldest first (phones masked).
    pub absorbed: Vec<Complaint>,
    /// The complaint this one was split from, and those split from it.
    pub split: SplitLinks,
    /// The case library's card made from it, if any.
    pub card: Option<i64>,
    /// Whether the acting agent may make it a card now: it is closed, has none yet, and
    /// the agent curates the library.
    pub may_add_card: bool,
}

impl CaseFile {
    /// The cases this one links to, in the order they are numbered where shown (`1`–`9`
    /// open them in the detail): the related cases, the cases merged into it, the one it
    /// was split from, those split from it.
    pub fn linked(&self) -> Vec<&str> {
        self.related
            .iter()
            .chain(&self.absorbed)
            .map(|c| c.number.as_str())
            .chain(self.split.split_from.as_deref())
            .chain(self.split.split_into.iter().map(String::as_str))
            .collect()
    }
}

/// The counts the status line shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Complaints whose scope is not decided yet.
    pub untriaged: i64,
    /// Callbacks and revisits due later today.
    pub due_today: i64,
    /// Callbacks and revisits past due.
    pub overdue: i64,
    /// Untriaged complaints past `follow_up.triage_hours` from their receipt.
    pub triage_overdue: i64,
}

/// How many cases each view of the cases pane holds (indexed counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewCounts {
    /// Open cases the acting agent handles.
    pub mine: i64,
    /// Open cases.
    pub open: i64,
    /// Open cases waiting on the responsible party or on the customer.
    pub waiting: i64,
    /// Open cases with compensation the acting agent's role may approve.
    pub approval: i64,
    /// Cases closed in the last [`RECENTLY_CLOSED_DAYS`] days.
    pub closed_recently: i64,
    /// Every case.
    pub all: i64,
}

/// Days a closed case counts as recently closed in [`ViewCounts`].
pub const RECENTLY_CLOSED_DAYS: i64 = 30;

/// Digits of a phone number before earlier complaints are looked up by it.
pub const REPEAT_MIN_DIGITS: usize = 7;
/// Characters of a location before earlier complaints are looked up by it.
pub const REPEAT_MIN_LOCATION: usize = 4;
/// How many earlier complaints intake shows.
pub const REPEAT_LIMIT: u32 = 5;

pub use crate::domain::library::{Card as LibraryCard, CardEdit, CardFilter, CardStatus, CardText};
pub use crate::domain::merge::SplitLinks;
use crate::domain::merge::split_links;
pub use crate::domain::risk::{Fact, Factor, REPEAT_DAYS, Risk};
pub use access::{AgentInfo, permission_key};
pub use care::{CareOutcome, CareResult, CareSync};
pub use followup::{
    AgendaCounts, AgendaRange, CallOutcome, CallResult, CallbackRow, CallbackView, RevisitOutcome,
};
pub use import::{IMPORTED, ImportOptions, ImportProgress, ImportReport, RowRefusal};
pub use library::{CARD_ADDED, CARD_EDITED, CARD_PUBLISHED, SIMILAR};
pub use merge::Split;
use privacy::masked;
pub use privacy::{ERASURE_PATIENCE, Erasure, ExportScope};
pub use reporter::Reporter;
pub use risk::RANKED;
pub use search::{Canceller, FilterText, SearchPage, Searcher, search_filter};
// The rows the desk hands out, so the front ends need nothing from the store.
pub use crate::domain::search::{SearchFilter, View};
pub use crate::store::attachments::Attachment;
pub use crate::store::audit::{AuditReport, Breach};
pub use crate::store::care::CareCall;
pub use crate::store::complaints::Cursor;
pub use crate::store::copy::CopyReport;
pub use crate::store::events::Event;
pub use crate::store::followups::{Callback, Revisit};
pub use crate::store::{BackupReport, IfMissing, MigrationProgress};

/// What `init` and [`Desk::check`] report of a database found whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatabaseReport {
    /// The schema version this binary writes (the file is migrated to it on opening).
    pub version: i64,
    /// Complaints the file holds.
    pub complaints: i64,
}

/// A database opened with nobody at the desk yet: what the terminal app reads before its
/// first run or sign-in, then the desk itself.
#[derive(Debug)]
pub struct Unsigned {
    store: Store,
}

impl Unsigned {
    /// The agent who was at the desk last on this database, if anyone ever was.
    pub fn remembered_agent(&self) -> Result<Option<String>> {
        self.store.last_agent()
    }

    /// Whether nobody is registered yet: the first run then creates the admin.
    pub fn needs_first_admin(&self) -> Result<bool> {
        Ok(!self.store.has_agents()?)
    }

    /// The desk over this database, acting as `agent`.
    pub fn into_desk(self, config: Config, agent: &str, clock: Box<dyn Clock>) -> Result<Desk> {
        Desk::new(self.store, config, agent, clock)
    }
}

/// The application layer over one database, one configuration and one acting agent.
pub struct Desk {
    store: Store,
    config: Config,
    agent: String,
    /// The agent proved who they are with their secret in this session.
    verified: bool,
    clock: Box<dyn Clock>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("store", &self.store)
            .field("agent", &self.agent)
            .finish()
    }
}

impl Desk {
    /// A desk acting as `agent`. With handlers from intake, open cases nobody handles yet
    /// (from before that setting) get their intake agent.
    pub fn new(
        mut store: Store,
        config: Config,
        agent: &str,
        clock: Box<dyn Clock>,
    ) -> Result<Desk> {
        // The report's sums kept from the first write on.
        store.set_summary_basis(report::summary_basis(&config.policy)?);
        if config.policy.handling.handler_from == HandlerFrom::Intake {
            store.assign_intake_handlers()?;
        }
        // Calls owed from before schema 13: their due time counted again from the receipt.
        let policy = &config.policy;
        store.move_reply_clocks(&|call| {
            let (kind, hours) =
                handling::reply_clock(policy, call.scope?, call.severity.as_deref()?)?;
            (kind == call.kind)
                .then(|| handling::reply_due(&calendar(policy), call.received_at, hours))
        })?;
        // Cases waiting from before schema 14: the calls a waiting case owes.
        let now = clock.now();
        store.owe_waiting_calls(&|tx, c| {
            owe_while_waiting(tx, policy, c.id, handling::waiting_calls(c), now).map(drop)
        })?;
        let mut desk = Desk {
            store,
            config,
            agent: validate_agent_name(agent)?,
            verified: false,
            clock,
        };
        // The open care calls in step with the configured plans.
        desk.sync_care_calls()?;
        desk.keep_summary()?;
        Ok(desk)
    }

    /// Opens (creating or migrating) the database at `path`: a desk acting as `agent`.
    pub fn open(path: &Path, config: Config, agent: &str, clock: Box<dyn Clock>) -> Result<Desk> {
        Desk::open_unsigned(path)?.into_desk(config, agent, clock)
    }

    /// Opens (creating or migrating) the database at `path` before anyone is at the desk.
    pub fn open_unsigned(path: &Path) -> Result<Unsigned> {
        Desk::open_unsigned_with_progress(path, &mut |_| {})
    }

    /// As [`Desk::open_unsigned`], telling `progress` how a long migration (building the
    /// search index of a large file) is getting on.
    pub fn open_unsigned_with_progress(
        path: &Path,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Unsigned> {
        Ok(Unsigned {
            store: Store::open_with_progress(path, progress)?,
        })
    }

    /// Creates or migrates the database at `path` and checks it (`init`; nobody acts).
    pub fn init(path: &Path) -> Result<DatabaseReport> {
        check(&Store::open(path)?)
    }

    /// Checks the whole file (`PRAGMA integrity_check`) and reports its version and size.
    pub fn check(&self) -> Result<DatabaseReport> {
        check(&self.store)
    }

    /// The effective configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Who acts.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// A number that changes when another process commits to the database (not when this
    /// desk does): poll it on a timer to refresh what is shown.
    pub fn data_version(&self) -> Result<i64> {
        self.store.data_version()
    }

    /// Whether the connection to the database server was lost (never, on a file).
    pub fn connection_lost(&self) -> bool {
        self.store.connection_lost()
    }

    /// Connects to the database server again without waiting: `Ok(true)` once connected,
    /// `Ok(false)` while still trying, the error when the try failed.
    pub fn try_reconnect(&self) -> Result<bool> {
        self.store.try_reconnect()
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// Records a complaint and its `received` event; returns it with its new number.
    pub fn intake(&mut self, new: &NewComplaint) -> Result<Complaint> {
        self.actor()?;
        let valid = validate(new, &self.config.policy, self.clock.now())?;
        let (policy, agent, now) = (&self.config.policy, self.agent.as_str(), self.clock.now());
        self.store
            .write(|tx| intake_in(tx, policy, agent, now, &valid))
    }

    /// Applies a move of the handling method to complaint `number`: validated by the
    /// domain's rules under the acting agent's role, written with its event in one
    /// transaction. With `expected_version` (the version the agent saw), a complaint that
    /// another writer changed meanwhile is refused with what changed; nothing is overwritten.
    /// A transfer goes to a registered, enabled agent; taking over someone else's case
    /// needs the take-over permission (a refusal is recorded) and the agent's secret.
    pub fn act(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        action: &Action,
    ) -> Result<Complaint> {
        self.act_in(number_text, expected_version, action, false)
            .map(|(c, _)| c)
    }

    /// Closes complaint `number` as [`Desk::act`] does and, in the same transaction, makes
    /// it a draft card of the case library (the close form's tick; whoever may close may
    /// do it).
    pub fn close_to_library(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        action: &Action,
    ) -> Result<(Complaint, LibraryCard)> {
        let (c, card) = self.act_in(number_text, expected_version, action, true)?;
        let card =
            card.ok_or_else(|| Error::new("error.library_not_closed").arg("number", &c.number))?;
        Ok((c, card))
    }

    fn act_in(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        action: &Action,
        to_library: bool,
    ) -> Result<(Complaint, Option<LibraryCard>)> {
        let now = self.clock.now();
        let role = self.role()?;
        self.check_site_of(number_text)?;
        let approving = matches!(action, Action::Approve | Action::Decline { .. });
        if approving
            && role.permissions.contains(&Permission::ApproveCompensation)
            && !self.verified
        {
            return Err(Error::new("error.secret_required")
                .arg("agent", &self.agent)
                .arg("permission", "approve_compensation"));
        }
        let number = number::normalise(number_text);
        let agent = self.agent.clone();
        let config = &self.config;
        let verified = self.verified;
        let result = self.store.write(|tx| {
            let c = complaints::by_number(tx, &number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
            check_version(tx, &c, expected_version, self.config.policy.timezone)?;
            if let Action::Transfer { to, .. } = action {
                check_transfer(tx, &c, to, &agent, &role, verified)?;
            }
            let rules = Rules {
                policy: &config.policy,
                agent: &agent,
                role: &role,
                now,
            };
            let after = apply(tx, &rules, &c, action)?;
            let card = if to_library {
                Some(library::add_in(tx, config, &agent, now, &after)?)
            } else {
                None
            };
            Ok((masked(after), card))
        });
        let transferring = matches!(action, Action::Transfer { .. });
        match result {
            // A refused approval or take-over is a denied permission: recorded like every
            // denial.
            Err(e)
                if approving && matches!(e.key, "error.not_permitted" | "error.over_limit")
                    || transferring && e.key == "error.denied" =>
            {
                let id = self.store.complaint_by_number(&number)?.map(|c| c.id);
                let permission = if approving {
                    "approve_compensation"
                } else {
                    "take_over"
                };
                let detail = serde_json::json!({ "permission": permission, "role": role.key });
                let agent = self.agent.clone();
                self.store
                    .write(|tx| access::record(tx, now, &agent, id, "denied", detail))?;
                Err(e)
            }
            other => other,
        }
    }

    /// Whether the acting agent transferring complaint `number` would take it over (it is
    /// someone else's, or nobody's yet): that needs the take-over permission and a secret.
    /// Refused, and recorded, for another site's complaint (as the transfer would be).
    pub fn takes_over(&mut self, number_text: &str) -> Result<bool> {
        self.actor()?;
        let c = self
            .store
            .complaint_by_number(&number::normalise(number_text))?
            .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
        self.check_site(&c)?;
        Ok(handling::takes_over(&c, &self.agent))
    }

    /// Who looks at a queue: the acting agent, what their role may approve, and their
    /// sites.
    fn viewer(&self) -> Result<Viewer<'_>> {
        let row = self.actor()?;
        let role = self.config.policy.roles.iter().find(|r| r.key == row.role);
        Ok(Viewer {
            agent: &self.agent,
            approves_up_to: role.and_then(approval_limit),
            sites: self.site_scope()?,
        })
    }

    /// Attaches a file to complaint `number` by reference: the file stays where it is; its
    /// SHA-256 and size are recorded so a changed or swapped file can be told. Attachments
    /// of a spread-risk complaint are always confidential. With `expected_version`, refused
    /// like a move if the complaint changed meanwhile.
    pub fn attach(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        file: &Path,
        confidential: bool,
    ) -> Result<Attachment> {
        self.actor()?;
        self.check_site_of(number_text)?;
        let path = std::fs::canonicalize(file).map_err(|e| Error::io(file, e))?;
        let (sha256, size) = sha256_file(&path)?;
        let now = self.clock.now();
        let number = number::normalise(number_text);
        let agent = self.agent.clone();
        self.store.write(|tx| {
            let c = complaints::by_number(tx, &number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
            check_version(tx, &c, expected_version, self.config.policy.timezone)?;
            crate::domain::merge::writable(&c)?;
            let attachment = Attachment {
                path: path.display().to_string(),
                sha256,
                size,
                confidential: confidential || c.spread_risk,
                added_at: now,
                added_by: agent.clone(),
            };
            attachments::insert(tx, c.id, &attachment)?;
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            events::append(
                tx,
                &NewEvent::note(
                    c.id,
                    now,
                    &agent,
                    "attached",
                    &serde_json::json!({
                        "file": file_name,
                        "sha256": attachment.sha256,
                        "confidential": attachment.confidential,
                    }),
                ),
            )?;
            Ok(attachment)
        })
    }

    /// The page of a queue just before `cursor` (the last page when `None`), in queue order.
    pub fn page_before(
        &self,
        queue: Queue,
        limit: u32,
        before: Option<Cursor>,
    ) -> Result<(Vec<Complaint>, Option<Cursor>)> {
        let viewer = self.viewer()?;
        let (page, cursor) = self.store.page_before(queue, &viewer, limit, before)?;
        Ok((page.into_iter().map(masked).collect(), cursor))
    }

    /// Earlier complaints of the person being typed in: by phone once enough digits are
    /// typed to be selective, and by location once it is specific; newest first.
    pub fn repeat_complainants(&self, phone: &str, location: &str) -> Result<Vec<Complaint>> {
        let digits: String = phone
            .chars()
            .map(halfwidth)
            .filter(char::is_ascii_digit)
            .collect();
        let location = location.trim();
        let sites = self.site_scope()?;
        let sites = sites.as_deref();
        let mut found = Vec::new();
        if digits.len() >= REPEAT_MIN_DIGITS {
            found.extend(self.store.recent_by_phone(&digits, REPEAT_LIMIT, sites)?);
        }
        if location.chars().count() >= REPEAT_MIN_LOCATION {
            found.extend(
                self.store
                    .recent_by_location(location, REPEAT_LIMIT, sites)?,
            );
        }
        found.sort_by_key(|c| std::cmp::Reverse((c.received_at, c.id)));
        found.dedup_by_key(|c| c.id);
        found.truncate(REPEAT_LIMIT as usize);
        Ok(found.into_iter().map(masked).collect())
    }

    /// How many complaints came from `phone` in the last [`REPEAT_DAYS`] (the repeat
    /// caller's badge at intake): 0 until the phone is a whole number.
    pub fn repeat_count(&self, phone: &str) -> Result<u64> {
        let Some(phone) = normalise_phone(phone) else {
            return Ok(0);
        };
        let since = self.clock.now() - chrono::Duration::days(REPEAT_DAYS);
        let sites = self.site_scope()?;
        self.store.count_by_phone(&phone, since, sites.as_deref())
    }

    /// Keeps the acting agent's half-typed intake form.
    pub fn save_draft(&mut self, form: &NewComplaint) -> Result<()> {
        let json = serde_json::to_string(form)
            .map_err(|e| Error::new("error.internal").arg("detail", e))?;
        let now = self.clock.now();
        self.store.save_draft(&self.agent, &json, now)
    }

    /// The acting agent's draft, if one was kept. A draft written by an incompatible
    /// version is reported, not silently dropped.
    pub fn draft(&self) -> Result<Option<NewComplaint>> {
        let Some(json) = self.store.draft(&self.agent)? else {
            return Ok(None);
        };
        serde_json::from_str(&json).map(Some).map_err(|e| {
            Error::new("error.draft_unreadable")
                .arg("path", self.store.path().display())
                .arg("detail", e)
        })
    }

    /// Drops the acting agent's draft (the form was emptied on purpose).
    pub fn clear_draft(&mut self) -> Result<()> {
        let agent = self.agent.clone();
        self.store.clear_draft(&agent)
    }

    /// What the status line shows: untriaged complaints, callbacks and revisits due today
    /// and overdue (indexed counts: refresh on change or on a timer, not per keystroke).
    pub fn status_counts(&self) -> Result<StatusCounts> {
        let now = self.clock.now();
        let day_end = followup::local_day_start(now, 1, self.config.policy.timezone);
        let viewer = self.viewer()?;
        let sites = viewer.sites.as_deref();
        let due = self.store.due_counts(now, day_end, sites)?;
        let late = triage_late_by(&self.config.policy, now);
        Ok(StatusCounts {
            untriaged: self.store.count(Queue::Untriaged, &viewer)?,
            due_today: due.due_today,
            overdue: due.overdue,
            triage_overdue: self.store.count_untriaged_received_by(late, sites)?,
        })
    }

    /// The current instant by the desk's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// One page of a queue after `cursor` (keyset paging through the queue's index).
    pub fn page(
        &self,
        queue: Queue,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<(Vec<Complaint>, Option<Cursor>)> {
        let viewer = self.viewer()?;
        let (page, cursor) = self.store.page(queue, &viewer, limit, after)?;
        Ok((page.into_iter().map(masked).collect(), cursor))
    }

    /// Streams a queue in order, `limit` rows at most (all when `None`), phones masked.
    pub fn for_each(
        &self,
        queue: Queue,
        limit: Option<u64>,
        mut f: impl FnMut(&Complaint) -> Result<()>,
    ) -> Result<()> {
        let viewer = self.viewer()?;
        self.store
            .for_each(queue, &viewer, limit, |c| f(&masked(c.clone())))
    }

    /// How many complaints a queue holds, as the acting agent sees it.
    pub fn count(&self, queue: Queue) -> Result<i64> {
        self.store.count(queue, &self.viewer()?)
    }

    /// The counts of the cases pane's views: mine, open, waiting, approval, closed in the
    /// last [`RECENTLY_CLOSED_DAYS`] days, all (each an indexed count).
    pub fn view_counts(&self) -> Result<ViewCounts> {
        let viewer = self.viewer()?;
        let count = |q| self.store.count(q, &viewer);
        let since = schedule::plus(self.clock.now(), -schedule::days(RECENTLY_CLOSED_DAYS));
        Ok(ViewCounts {
            mine: count(Queue::Mine)?,
            open: count(Queue::Open)?,
            waiting: count(Queue::Waiting)?,
            approval: count(Queue::Approval)?,
            closed_recently: self
                .store
                .count_closed_since(since, viewer.sites.as_deref())?,
            all: count(Queue::All)?,
        })
    }

    /// The case file of complaint `number` as a person opens it (`show`, the detail pane):
    /// as [`Desk::case_file`], and a refusal for another site's complaint is recorded as a
    /// denial.
    pub fn open_case(&mut self, number_text: &str) -> Result<CaseFile> {
        self.check_site_of(number_text)?;
        self.case_file(number_text)
    }

    /// The case file of complaint `number` (typed with or without its dash); refused when
    /// it is of a site the acting agent does not see (not recorded: see
    /// [`Desk::open_case`]).
    pub fn case_file(&self, number_text: &str) -> Result<CaseFile> {
        self.actor()?;
        let number = number::normalise(number_text);
        let complaint = masked(
            self.store
                .complaint_by_number(&number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?,
        );
        self.site_allows(&complaint.number, complaint.site.as_deref())?;
        let events = self.store.events(complaint.id)?;
        let split = split_links(events.iter().map(|e| (e.kind.as_str(), &e.detail)));
        let card = self.store.library_card_of(complaint.id)?;
        Ok(CaseFile {
            may_add_card: complaint.stage == Stage::Closed
                && card.is_none()
                && self.curates_library(),
            card,
            events,
            absorbed: self
                .store
                .absorbed_by(&complaint.number)?
                .into_iter()
                .map(masked)
                .collect(),
            split,
            callbacks: self.store.callbacks(complaint.id)?,
            revisits: self.store.revisits(complaint.id)?,
            attachments: self
                .store
                .attachments(complaint.id)?
                .into_iter()
                .map(|mut a| {
                    if a.confidential {
                        a.path.clear();
                    }
                    a
                })
                .collect(),
            risk: self.risk_of(&complaint)?,
            related: self.related_to(&complaint)?,
            complaint,
        })
    }

    /// Checks the whole audit trail; `kept_head` is a head printed earlier by
    /// [`Desk::audit_head`], which must still be in it.
    pub fn audit_verify(&self, kept_head: Option<&str>) -> Result<AuditReport> {
        self.actor()?;
        self.store.audit_verify(kept_head)
    }

    /// The hash of the newest event, and how many events the trail holds.
    pub fn audit_head(&self) -> Result<(String, i64)> {
        self.actor()?;
        self.store.audit_head()
    }

    /// Online backup to `dest`, checked with `PRAGMA integrity_check` (and this file too,
    /// when the copy fails it). A backup holds everyone's personal data: once agents are
    /// registered it takes export_personal_data, as an export does (a refusal is recorded),
    /// and a backup made is recorded in the timeline with the file's name.
    pub fn backup(&mut self, dest: &Path) -> Result<BackupReport> {
        if !self.needs_first_admin()? {
            self.require(Permission::ExportPersonalData, None)?;
        }
        let report = self.store.backup(dest)?;
        let now = self.clock.now();
        let agent = self.agent.clone();
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let detail = serde_json::json!({ "file": name, "complaints": report.complaints });
        self.store
            .write(|tx| access::record(tx, now, &agent, None, "backed_up", detail))?;
        Ok(report)
    }
}

fn check(store: &Store) -> Result<DatabaseReport> {
    store.integrity_check()?;
    Ok(DatabaseReport {
        version: crate::store::schema_version(),
        complaints: store.count(Queue::All, &Viewer::NOBODY)?,
    })
}

/// When the classification of a complaint received at `received_at` is due:
/// `follow_up.triage_hours` business hours later.
pub fn triage_due(policy: &Policy, received_at: DateTime<Utc>) -> DateTime<Utc> {
    let cal = calendar(policy);
    cal.add_hours(received_at, i64::from(policy.follow_up.triage_hours))
}

/// An untriaged complaint received at or before this is overdue for triage at `now` (an
/// index range of receipt times; the same rule as [`triage_overdue`]).
pub fn triage_late_by(policy: &Policy, now: DateTime<Utc>) -> DateTime<Utc> {
    let triage = schedule::hours(i64::from(policy.follow_up.triage_hours));
    calendar(policy).latest_start(now - chrono::TimeDelta::seconds(1), triage)
}

/// Whether an untriaged complaint received at `received_at` is overdue for triage at `now`
/// (what F3 marks and the status line counts).
pub fn triage_overdue(policy: &Policy, received_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    triage_due(policy, received_at) < now
}

/// Who handles a complaint `agent` records (承办人): by the setting, the agent who took it,
/// else nobody until it is classified.
pub(crate) fn intake_handler<'a>(policy: &Policy, agent: &'a str) -> Option<&'a str> {
    (policy.handling.handler_from == HandlerFrom::Intake).then_some(agent)
}

/// Writes a validated intake, its `received` event and the agent's draft cleared, inside
/// the caller's transaction.
fn intake_in(
    tx: &Db<'_>,
    policy: &Policy,
    agent: &str,
    now: DateTime<Utc>,
    valid: &ValidComplaint,
) -> Result<Complaint> {
    let c = record_intake(tx, policy, agent, now, valid)?;
    drafts::clear(tx, agent)?;
    Ok(c)
}

/// Writes a validated intake and its `received` event inside the caller's transaction (the
/// normal intake path; a split makes its new complaint through it, the agent's draft kept).
fn record_intake(
    tx: &Db<'_>,
    policy: &Policy,
    agent: &str,
    now: DateTime<Utc>,
    valid: &ValidComplaint,
) -> Result<Complaint> {
    let handler = intake_handler(policy, agent);
    {
        let day = policy.timezone.day(valid.received_at);
        let number = complaints::next_number(tx, day)?;
        let row = NewRow::intake(valid, agent, handler, now);
        let id = complaints::insert(tx, &row, &number)?;
        let detail = serde_json::json!({
            "channel": valid.channel.as_str(),
            "category": valid.category,
            "apologized": valid.apologized,
            "handler": handler,
        });
        events::append(
            tx,
            &NewEvent {
                complaint_id: Some(id),
                at: now,
                agent,
                kind: "received",
                from_stage: None,
                to_stage: Some(Stage::Received),
                detail: &detail,
            },
        )?;
        Ok(masked(complaints::by_id(tx, id)?))
    }
}

/// The desk's business calendar at `now` (the local zone's offset then; the desk's zones
/// have no daylight saving).
fn calendar(policy: &Policy) -> Calendar<'_> {
    Calendar::new(&policy.business_hours, policy.timezone)
}

/// Decides and writes one move inside the caller's transaction: the complaint (version
/// checked again by the UPDATE), its event, the calls it settles or starts, the revisits
/// it plans, the reply clock it resumes.
fn apply(tx: &Db<'_>, rules: &Rules<'_>, c: &Complaint, action: &Action) -> Result<Complaint> {
    let now = rules.now;
    let cal = calendar(rules.policy);
    let decision = decide(c, action, rules)?;
    if !complaints::update_handled(tx, &decision.after, c.version)? {
        return Err(conflict(tx, c, c.version, rules.policy.timezone)?);
    }
    events::append(
        tx,
        &NewEvent {
            complaint_id: Some(c.id),
            at: now,
            agent: rules.agent,
            kind: decision.event,
            from_stage: Some(c.stage),
            to_stage: Some(decision.after.stage),
            detail: &decision.detail,
        },
    )?;
    followups::settle(tx, c.id, &decision.settles, now)?;
    if let Some((kind, hours)) = decision.owes {
        let due = handling::reply_due(&cal, c.received_at, hours);
        followups::owe(tx, c.id, kind, due, now)?;
    }
    owe_while_waiting(tx, rules.policy, c.id, decision.keeps, now)?;
    // A wait ended: the reply clock moves on by the business time it was paused.
    if let (Some(since), None) = (
        c.handling.paused_since,
        decision.after.handling.paused_since,
    ) {
        let paused = cal.between(since, now);
        for cb in followups::callbacks_of(tx, c.id)? {
            if cb.done_at.is_none() && cb.kind == FIRST_REPLY {
                followups::set_due(tx, cb.id, cal.add(cb.due_at, paused))?;
            }
        }
    }
    for step in &decision.revisits {
        let due = cal.add_days(now, step.after_days, step.business_days);
        followups::plan_revisit(tx, c.id, &step.role, due)?;
    }
    if decision.after.stage != Stage::Revisiting && c.stage == Stage::Revisiting {
        followups::cancel_revisits(tx, c.id, "", now)?;
    }
    Ok(complaints::by_id(tx, c.id)?)
}

/// The calls a waiting case owes ([`handling::waiting_calls`]) that it has none of open,
/// due `follow_up.waiting_update_days` business days from `now`; the calls it opened.
fn owe_while_waiting<'k>(
    tx: &Db<'_>,
    policy: &Policy,
    complaint_id: i64,
    keeps: &[&'k str],
    now: DateTime<Utc>,
) -> Result<Vec<(&'k str, DateTime<Utc>)>> {
    if keeps.is_empty() {
        return Ok(Vec::new());
    }
    let open: Vec<String> = followups::callbacks_of(tx, complaint_id)?
        .into_iter()
        .filter(|cb| cb.done_at.is_none())
        .map(|cb| cb.kind)
        .collect();
    let due = handling::waiting_call_due(&calendar(policy), policy, now);
    let mut owed = Vec::new();
    for kind in keeps.iter().filter(|k| !open.iter().any(|o| o == *k)) {
        followups::owe(tx, complaint_id, kind, due, now)?;
        owed.push((*kind, due));
    }
    Ok(owed)
}

/// What the desk checks of a transfer before the domain's rules: the new handler is a
/// registered, enabled agent, and a take-over by a role that may is proved by a secret.
fn check_transfer(
    tx: &Db<'_>,
    c: &Complaint,
    to: &str,
    agent: &str,
    role: &crate::domain::policy::Role,
    verified: bool,
) -> Result<()> {
    let to = to.trim();
    if !to.is_empty() && agents::by_name(tx, to)?.is_none_or(|a| a.disabled) {
        return Err(Error::new("error.transfer_target")
            .arg("field", "handler")
            .arg("agent", to));
    }
    if handling::takes_over(c, agent)
        && role.permissions.contains(&Permission::TakeOver)
        && !verified
    {
        return Err(Error::new("error.secret_required")
            .arg("agent", agent)
            .arg("permission", "take_over"));
    }
    Ok(())
}

/// SHA-256 (hex) and size of a file, read in chunks.
fn sha256_file(path: &Path) -> Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if !file.metadata().map_err(|e| Error::io(path, e))?.is_file() {
        return Err(Error::new("error.not_a_file").arg("path", path.display()));
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, size))
}

/// Refuses a write that names a version the complaint no longer has (another writer changed
/// it since it was read), with who changed it, when and how. Every write that takes an
/// expected version checks it here, inside its transaction.
fn check_version(tx: &Db<'_>, c: &Complaint, expected: Option<i64>, zone: Zone) -> Result<()> {
    match expected {
        Some(expected) if expected != c.version => Err(conflict(tx, c, expected, zone)?),
        _ => Ok(()),
    }
}

/// The refusal of a stale edit: who changed the complaint, when and how, since `expected`.
fn conflict(tx: &Db<'_>, c: &Complaint, expected: i64, zone: Zone) -> Result<Error> {
    let last = events::last(tx, c.id)?;
    let (agent, at, what) = last.map_or_else(
        || ("-".to_string(), "-".to_string(), "-".to_string()),
        |e| (e.agent, local_minutes(e.at, zone), e.kind),
    );
    Ok(Error::new("error.conflict")
        .arg("number", &c.number)
        .arg("agent", agent)
        .arg("at", at)
        .arg("what", what)
        .arg("expected", expected)
        .arg("current", c.version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;
    use crate::domain::complaint::Channel;
    use crate::store::sql::args;

    fn desk(dir: &tempfile::TempDir) -> Desk {
        let store = Store::open(&dir.path().join("desk.db")).expect("open");
        let at = DateTime::parse_from_rfc3339("2026-11-20T17:50:00+08:00").expect("time");
        let mut config = Config::preset(Preset::PropertyManagement).expect("preset");
        config.policy.timezone = Zone::named("Asia/Shanghai").expect("zone");
        let mut store = store;
        store
            .agent_active("王丽", "agent", at.with_timezone(&Utc))
            .expect("register");
        Desk::new(
            store,
            config,
            " 王丽 ",
            Box::new(FixedClock(at.with_timezone(&Utc))),
        )
        .expect("desk")
    }

    fn leak() -> NewComplaint {
        NewComplaint {
            channel: Some(Channel::Phone),
            name: "张伟".into(),
            phone: "13800138000".into(),
            location: "3栋2单元1801".into(),
            category: "漏水".into(),
            description: "卫生间漏水".into(),
            outcome: String::new(),
            apologized: true,
            received_at: None,
            extra_categories: Vec::new(),
            site: String::new(),
        }
    }

    #[test]
    fn intake_records_the_complaint_and_its_event_together() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        assert_eq!(desk.agent(), "王丽");
        let c = desk.intake(&leak()).expect("intake");
        assert_eq!(c.stage, Stage::Received);
        assert_eq!(c.scope, None);
        assert_eq!(c.version, 1);
        assert_eq!(c.received_at, FixedClock(c.received_at).now());
        let case = desk.case_file(&c.number).expect("case");
        assert_eq!(case.events.len(), 1);
        let e = &case.events[0];
        assert_eq!((e.agent.as_str(), e.kind.as_str()), ("王丽", "received"));
        assert_eq!(e.to_stage, Some(Stage::Received));
        assert_eq!(e.detail["category"], "leak");
        assert_eq!(desk.count(Queue::Untriaged).expect("count"), 1);
    }

    #[test]
    fn a_refused_intake_writes_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        let mut bad = leak();
        bad.phone = "电话".into();
        assert_eq!(
            desk.intake(&bad).map_err(|e| e.key),
            Err("error.phone_invalid")
        );
        assert_eq!(desk.count(Queue::All).expect("count"), 0);
        assert_eq!(
            desk.case_file("20261120-0001").map_err(|e| e.key).err(),
            Some("error.not_found")
        );
    }

    #[test]
    fn pages_continue_where_the_last_one_ended() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        let mut numbers = Vec::new();
        for i in 0..7 {
            let mut c = leak();
            let clock_now = desk.clock.now();
            c.received_at = Some(clock_now - chrono::Duration::hours(100 - i));
            numbers.push(desk.intake(&c).expect("intake").number);
        }
        let (first, cursor) = desk.page(Queue::Untriaged, 3, None).expect("page");
        let (second, cursor) = desk.page(Queue::Untriaged, 3, cursor).expect("page");
        let (third, _) = desk.page(Queue::Untriaged, 3, cursor).expect("page");
        let seen: Vec<String> = first
            .iter()
            .chain(&second)
            .chain(&third)
            .map(|c| c.number.clone())
            .collect();
        assert_eq!(seen, numbers, "oldest first, each once");
    }

    #[test]
    fn earlier_complaints_by_phone_or_location_newest_first() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        let now = desk.now();
        let mut numbers = Vec::new();
        for (i, (phone, location)) in [
            ("13800138000", "3栋2单元1801"),
            ("139 0013 9000", "3栋2单元1801"),
            ("138-0013-8000", "5栋101"),
            ("13700137000", "9栋909"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut c = leak();
            c.phone = phone.into();
            c.location = location.into();
            c.received_at = Some(now - chrono::Duration::hours(10 - i as i64));
            numbers.push(desk.intake(&c).expect("intake").number);
        }
        let found = |phone: &str, location: &str| -> Vec<String> {
            desk.repeat_complainants(phone, location)
                .expect("lookup")
                .into_iter()
                .map(|c| c.number)
                .collect()
        };
        // By phone, whatever the separators, and by unit; each complaint once.
        assert_eq!(
            found("138 0013 8000", ""),
            vec![numbers[2].clone(), numbers[0].clone()]
        );
        assert_eq!(
            found("13800138000", "3栋2单元1801"),
            vec![numbers[2].clone(), numbers[1].clone(), numbers[0].clone()]
        );
        // Too little typed to be selective: nothing is looked up.
        assert!(found("138", "3栋").is_empty());
        // A prefix already narrows it.
        assert_eq!(found("1370013", ""), vec![numbers[3].clone()]);
    }

    #[test]
    fn a_draft_is_kept_per_agent_and_a_saved_complaint_clears_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        assert_eq!(desk.draft().expect("none yet"), None);
        let mut half = leak();
        half.description = "卫生间\n漏水".into();
        desk.save_draft(&half).expect("keep");
        assert_eq!(desk.draft().expect("draft"), Some(half.clone()));
        // Another agent at the same desk has their own (empty) draft.
        let other = Desk::new(
            Store::open(desk.db_path()).expect("open"),
            desk.config().clone(),
            "李娜",
            Box::new(FixedClock(desk.now())),
        )
        .expect("desk");
        assert_eq!(other.draft().expect("draft"), None);
        desk.intake(&half).expect("intake");
        assert_eq!(desk.draft().expect("cleared"), None);
        desk.save_draft(&half).expect("keep");
        desk.clear_draft().expect("clear");
        assert_eq!(desk.draft().expect("cleared"), None);
    }

    #[test]
    fn the_first_agent_manages_agents_and_is_remembered() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("first.db");
        let opened = Desk::open_unsigned(&path).expect("open");
        assert_eq!(opened.remembered_agent().expect("none"), None);
        assert!(opened.needs_first_admin().expect("empty"));
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let mut desk = opened
            .into_desk(config, "王丽", Box::new(SystemClock))
            .expect("desk");
        assert!(desk.needs_first_admin().expect("empty"));
        desk.create_first_admin("王丽", "2580")
            .expect("first admin");
        assert!(desk.is_verified());
        assert!(!desk.needs_first_admin().expect("registered"));
        assert_eq!(
            desk.create_first_admin("李娜", "1357").map_err(|e| e.key),
            Err("error.first_admin_exists")
        );
        let again = Desk::open_unsigned(&path).expect("open again");
        assert_eq!(
            again.remembered_agent().expect("remembered").as_deref(),
            Some("王丽")
        );
        assert!(!again.needs_first_admin().expect("registered"));
        let role: String = desk
            .store
            .db()
            .row(
                "SELECT role FROM agents WHERE name = '王丽'",
                args![],
                |r| r.get(0),
            )
            .expect("role");
        assert_eq!(role, "admin");
    }

    #[test]
    fn status_counts_untriaged_and_due_callbacks() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        let c = desk.intake(&leak()).expect("intake");
        let now = desk.now().timestamp();
        for due in [now - 3600, now + 60, now + 3 * 86_400] {
            desk.store
                .db()
                .execute(
                    "INSERT INTO callbacks (complaint_id, kind, due_at, created_at)
                     VALUES (?1, 'first_reply', ?2, ?3)",
                    args![c.id, due, now],
                )
                .expect("callback");
        }
        assert_eq!(
            desk.status_counts().expect("counts"),
            StatusCounts {
                untriaged: 1,
                due_today: 1,
                overdue: 1,
                triage_overdue: 0,
            }
        );
    }

    #[test]
    fn classification_starts_the_reply_clock_and_the_reply_stops_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        let c = desk.intake(&leak()).expect("intake");
        let classify = Action::Classify {
            scope: crate::domain::complaint::Scope::In,
            party: None,
            complaint_type: None,
            severity: "serious".into(),
            intent: crate::domain::complaint::Intent::Genuine,
            spread_risk: false,
            explained: false,
        };
        desk.act(&c.number, Some(1), &classify).expect("classify");
        // A correction while still received does not start a second clock.
        desk.act(&c.number, Some(2), &classify).expect("reclassify");
        let case = desk.case_file(&c.number).expect("case");
        assert_eq!(case.callbacks.len(), 1);
        let owed = &case.callbacks[0];
        assert_eq!(owed.kind, "first_reply");
        // Serious: 2 business hours from Friday 17:50 in Shanghai (closing at 18:00, open
        // Saturday from 08:30) is Saturday 10:20.
        assert_eq!(
            owed.due_at.to_rfc3339(),
            "2026-11-21T02:20:00+00:00",
            "serious: 2 h"
        );
        assert_eq!(owed.done_at, None);
        for action in [
            Action::Verify {
                motive: "尽快修好".into(),
                outcome: "上门维修".into(),
                mood: None,
            },
            Action::Assess {
                facts: "防水层破损".into(),
                severity: None,
            },
            Action::Plan {
                department: "工程部".into(),
                actions: "修复防水".into(),
                promised: None,
                confirmed: false,
                compensation: None,
                gift: None,
            },
            Action::Reply {
                accepted: true,
                alternatives: String::new(),
            },
        ] {
            desk.act(&c.number, None, &action).expect("move");
        }
        let case = desk.case_file(&c.number).expect("case");
        assert_eq!(
            case.callbacks[0].done_at,
            Some(desk.now()),
            "the reply settles it"
        );
        assert_eq!(case.complaint.version, 7);
        assert_eq!(case.events.len(), 7);
    }
}
