//! The command line (`../shared/cli.md`): clap definitions and thin commands over `Desk`.

mod access;
mod care;
mod commands;
mod export;
pub mod help;
mod import;
mod library;
mod names;
mod output;
mod queues;
mod report;
mod search;

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use names::{ByName, by_name};

use crate::config::Preset;
use crate::desk::CallResult;
use crate::domain::complaint::{Channel, Intent, Scope};
use crate::domain::handling::{self, Mood, WaitOn};
use crate::domain::report::By;
use crate::domain::script::Moment;
use crate::domain::search::View;
use crate::domain::stage::Stage;
use crate::i18n::Lang;

pub use commands::{BROKEN_PIPE, Failure, run};
pub use help::parse;
pub use names::{interface, interface_catalogs};

/// complaint-desk: take customer complaints and carry each one to a satisfied close.
#[derive(Debug, Parser)]
#[command(name = "complaint-desk", version, about, long_about = None)]
pub struct Cli {
    /// Database file, or a PostgreSQL URL (default: a file in the platform data dir).
    #[arg(long, global = true, env = "COMPLAINT_DESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Config file (default: the platform config dir, else built-in defaults).
    #[arg(
        long,
        global = true,
        env = "COMPLAINT_DESK_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,
    /// Interface language: en, zh-CN or zh-TW (overrides the config).
    #[arg(long, global = true, value_parser = parse_lang, value_name = "LANG")]
    pub lang: Option<Lang>,
    /// Who acts, for writes (default: the operating-system user name).
    #[arg(long, global = true, env = "COMPLAINT_DESK_AGENT", value_name = "NAME")]
    pub agent: Option<String>,
    /// The command; none starts the terminal app.
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language \"{s}\"; known: en, zh-CN, zh-TW"))
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a config file (if none) and create or migrate the database.
    Init {
        /// Organisation preset for a new config file.
        #[arg(long, value_parser = by_name::<PresetArg>("preset", "preset"))]
        preset: Option<PresetArg>,
    },
    /// Record a complaint; prints its number alone on stdout.
    Add(AddArgs),
    /// List a queue of complaints.
    List {
        /// Which queue.
        #[arg(long, value_parser = by_name::<ListQueue>("queue", "queue"), default_value = "open")]
        queue: ListQueue,
        /// Output format.
        #[arg(long, value_parser = by_name::<ListFormat>("format", "format"), default_value = "table")]
        format: ListFormat,
        /// At most this many rows (0: all, streamed).
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Find complaints by any part of their text (number, name, phone digits, location,
    /// description, desired outcome, handling record), newest first; Traditional and
    /// Simplified, full-width and half-width alike.
    Search(SearchArgs),
    /// Figures now and over a period (each defined in the README), with a breakdown.
    Report(ReportArgs),
    /// Show one complaint with its timeline (the phone number masked).
    Show {
        /// The complaint number, e.g. 20261122-0007.
        number: String,
        /// Output format.
        #[arg(long, value_parser = by_name::<ShowFormat>("format", "format"), default_value = "text")]
        format: ShowFormat,
        /// Show the full phone number (reveal_phone; asks for your secret; recorded).
        #[arg(long)]
        reveal: bool,
        /// Show where confidential attachments are (view_confidential; asks for your
        /// secret; recorded).
        #[arg(long)]
        confidential: bool,
    },
    /// A move of the handling method on one complaint (classify, verify, …, close).
    Case {
        /// The complaint number.
        number: String,
        /// Refuse the move (or the call, revisit or attachment) if the complaint's version is
        /// no longer this one (another writer changed it since it was read).
        #[arg(long, value_name = "VERSION")]
        expect_version: Option<i64>,
        /// The move.
        #[command(subcommand)]
        action: CaseAction,
    },
    /// Export complaints with their handling record (streamed; CSV carries a UTF-8 BOM for
    /// spreadsheets; export_personal_data, asks for your secret).
    Export {
        /// Output format.
        #[arg(long, value_parser = by_name::<ExportFormat>("format", "format"))]
        format: ExportFormat,
        /// Write to this new file instead of stdout (needed for xlsx, and for CSV with
        /// --with-events).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Leave out the UTF-8 byte-order mark of CSV.
        #[arg(long)]
        no_bom: bool,
        /// The timeline too: a second sheet in xlsx, a second file `NAME-events.csv` beside
        /// a CSV, each complaint's `events` in JSON.
        #[arg(long)]
        with_events: bool,
        /// Complaints received on or after this day (DATE `YYYY-MM-DD`, or DATETIME).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Complaints received on or before this day (DATE: that whole day; or DATETIME).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Which complaints.
        #[arg(long, value_parser = by_name::<ExportQueue>("queue", "queue"), default_value = "all")]
        queue: ExportQueue,
        /// Headers and values as labels in the interface language, or as keys for scripts
        /// (CSV and xlsx; JSON always has keys).
        #[arg(long, value_parser = by_name::<HeaderStyle>("headers", "headers"), default_value = "labels")]
        headers: HeaderStyle,
    },
    /// Import complaints from a spreadsheet (.csv in UTF-8, GB18030/GBK or Big5; .xlsx):
    /// every row checked as `add` checks it; all or nothing. A dry run on a terminal unless
    /// --write.
    Import {
        /// The .csv or .xlsx file.
        file: PathBuf,
        /// Check and count only; write nothing.
        #[arg(long, conflicts_with = "write")]
        dry_run: bool,
        /// Write, also on a terminal (where the default is a dry run).
        #[arg(long)]
        write: bool,
        /// Read column COLUMN as FIELD (or `ignore`); repeat for several.
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        maps: Vec<String>,
        /// Write every refused row (line, column, value, reason) to this new CSV file.
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
        /// Import the valid rows even when some are refused.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Online backup of the live database to a new file, then an integrity check of the copy
    /// (export_personal_data; asks for your secret; recorded in the audit trail).
    Backup {
        /// The new backup file.
        file: PathBuf,
    },
    /// Copy this desk (a SQLite file) into an empty PostgreSQL database and verify the copy:
    /// rows counted per table, the audit trail whole with the same head
    /// (export_personal_data; asks for your secret).
    Migrate {
        /// The PostgreSQL database, postgres://user@host/db (the password from PGPASSWORD,
        /// ~/.pgpass or a prompt).
        #[arg(long, value_name = "URL")]
        to: String,
        /// Empty what an interrupted copy left in the database first, then copy again.
        #[arg(long)]
        start_over: bool,
    },
    /// Fill the database with realistic bilingual demo data.
    Demo {
        /// How many complaints.
        #[arg(long)]
        count: u64,
        /// Random seed (same seed, same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Agents: add, list, disable, reset a secret (manage_agents; asks for your secret). On
    /// a database with no agents, `agent add NAME` creates the first admin.
    Agent {
        /// What to do.
        #[command(subcommand)]
        action: AgentAction,
    },
    /// Care calls (定期回访): the sites on a care plan, called before they complain.
    Care {
        /// What to do.
        #[command(subcommand)]
        action: CareAction,
    },
    /// The case library (典型案例): closed cases as case cards with the person removed, for
    /// training; drafts reviewed and published by a curator (curate_library).
    Library {
        /// What to do.
        #[command(subcommand)]
        action: LibraryAction,
    },
    /// The hash-chained audit trail: check it, or print its head to keep elsewhere.
    Audit {
        /// What to do.
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Anonymise the complainant of a complaint on their request, in all their complaints
    /// (anonymise; asks for your secret).
    Anonymise {
        /// The complaint number.
        number: String,
    },
    /// Print the effective configuration (after defaults, preset and file).
    Config {
        /// Output format.
        #[arg(long, value_parser = by_name::<ConfigFormat>("format", "format"), default_value = "toml")]
        format: ConfigFormat,
    },
}

/// `care …`.
#[derive(Debug, Subcommand)]
pub enum CareAction {
    /// The open care calls by due time, overdue first.
    List {
        /// Which part of the schedule.
        #[arg(long, value_parser = by_name::<RangeArg>("range", "range"), default_value = "all")]
        range: RangeArg,
        /// Output format.
        #[arg(long, value_parser = by_name::<ListFormat>("format", "format"), default_value = "table")]
        format: ListFormat,
        /// At most this many rows (0: all).
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Record care call ID: made, with the site's satisfaction, or not reached. A low score
    /// opens a complaint for the site (in its contact's name, or --name and --phone).
    Record {
        /// The care call's id (see `care list`).
        id: i64,
        /// Satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5),
              required_unless_present = "unreached", conflicts_with = "unreached")]
        satisfaction: Option<u8>,
        /// Nobody could be reached: tried again later.
        #[arg(long)]
        unreached: bool,
        /// What was said.
        #[arg(long, default_value = "")]
        note: String,
        /// For the complaint a low score opens: the person's name (default: the site's contact).
        #[arg(long)]
        name: Option<String>,
        /// For the complaint a low score opens: their phone (default: the site's contact's).
        #[arg(long)]
        phone: Option<String>,
    },
}

/// `library …`.
#[derive(Debug, Subcommand)]
pub enum LibraryAction {
    /// The case cards, newest first (drafts only to a curator).
    List {
        /// Only this category (key or name).
        #[arg(long)]
        category: Option<String>,
        /// Only drafts or only published cards.
        #[arg(long, value_parser = by_name::<CardStatusArg>("card_status", "status"))]
        status: Option<CardStatusArg>,
        /// Only cards holding this text (Chinese substrings of 1+ characters, Traditional or
        /// Simplified alike).
        #[arg(long)]
        search: Option<String>,
        /// Output format.
        #[arg(long, value_parser = by_name::<ListFormat>("format", "format"), default_value = "table")]
        format: ListFormat,
        /// At most this many cards.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One case card in full.
    Show {
        /// The card's id (see `library list`).
        id: i64,
        /// Output format.
        #[arg(long, value_parser = by_name::<ShowFormat>("format", "format"), default_value = "text")]
        format: ShowFormat,
    },
    /// Make closed complaint NUMBER a draft case card, the person removed (curate_library).
    Add {
        /// The complaint number.
        number: String,
    },
    /// Change fields of a case card (curate_library); the others stay.
    Edit {
        /// The card's id.
        id: i64,
        /// The responsible party.
        #[arg(long)]
        party: Option<String>,
        /// What happened.
        #[arg(long)]
        facts: Option<String>,
        /// The remedy plan.
        #[arg(long)]
        plan: Option<String>,
        /// What the customer was told and how they took it.
        #[arg(long)]
        reply: Option<String>,
        /// What was done in the end.
        #[arg(long)]
        outcome: Option<String>,
        /// Root cause.
        #[arg(long)]
        root_cause: Option<String>,
        /// Lesson.
        #[arg(long)]
        lesson: Option<String>,
        /// Refuse if the card changed since version N.
        #[arg(long, value_name = "N")]
        expect_version: Option<i64>,
    },
    /// Publish a reviewed case card (curate_library): it needs facts and a lesson.
    Publish {
        /// The card's id.
        id: i64,
        /// Refuse if the card changed since version N.
        #[arg(long, value_name = "N")]
        expect_version: Option<i64>,
    },
    /// The published cards for a training session, as Markdown or CSV.
    Export {
        /// Markdown or CSV.
        #[arg(long, value_parser = by_name::<LibraryFormat>("format", "format"))]
        format: LibraryFormat,
        /// Write to this new file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// `--status` values of `library list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CardStatusArg {
    /// Not yet reviewed.
    Draft,
    /// Published.
    Published,
}

/// `--format` values of `library export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LibraryFormat {
    /// Markdown, one section per card.
    Md,
    /// CSV with a UTF-8 BOM, one row per card.
    Csv,
}

/// `--range` values of `care list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RangeArg {
    /// Past due.
    Overdue,
    /// Due later today.
    Today,
    /// Due tomorrow.
    Tomorrow,
    /// Due within the week.
    Week,
    /// Every open one.
    All,
}

/// `agent …`: the new agent's secret comes from `COMPLAINT_DESK_NEW_SECRET` or a prompt.
#[derive(Debug, Subcommand)]
pub enum AgentAction {
    /// Register an agent.
    Add {
        /// Name (as it will appear in every event).
        name: String,
        /// Role key from the configuration (agent, supervisor, …).
        #[arg(long)]
        role: Option<String>,
        /// A site the agent belongs to (key or name; repeat for several): they then see
        /// only those sites' complaints, unless their role sees every site.
        #[arg(long = "site", value_name = "SITE")]
        sites: Vec<String>,
    },
    /// Set the sites an agent belongs to (none: every site's complaints).
    Sites {
        /// Name.
        name: String,
        /// Sites, key or name.
        sites: Vec<String>,
    },
    /// List the agents.
    List {
        /// Output format.
        #[arg(long, value_parser = by_name::<ListFormat>("format", "format"), default_value = "table")]
        format: ListFormat,
    },
    /// Disable an agent: kept in the timeline, may no longer act.
    Disable {
        /// Name.
        name: String,
    },
    /// Set a new secret for an agent and unlock it after failed sign-ins.
    ResetSecret {
        /// Name.
        name: String,
    },
}

/// `audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check every event's hash and link; exits 1 naming the first broken event.
    Verify {
        /// A head printed earlier by `audit head`: it must still be in the chain.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
    /// Print the hash of the newest event (keep it elsewhere to detect removals later).
    Head,
}

/// The moves of `case NUMBER ACTION` (`../shared/cli.md`).
#[derive(Debug, Subcommand)]
pub enum CaseAction {
    /// Decide scope, responsible party, type, severity, intent, spread risk (判定类型).
    Classify {
        /// In scope (ours) or out of scope (someone else's).
        #[arg(long, value_parser = by_name::<ScopeArg>("scope", "scope"))]
        scope: ScopeArg,
        /// Responsible party key (required out of scope).
        #[arg(long)]
        party: Option<String>,
        /// Complaint type key.
        #[arg(long = "type", value_name = "KEY")]
        complaint_type: Option<String>,
        /// Severity key.
        #[arg(long)]
        severity: String,
        /// What the customer is after.
        #[arg(long, value_parser = by_name::<IntentArg>("intent", "intent"), default_value = "unclear")]
        intent: IntentArg,
        /// Media or social-network exposure (传播风险).
        #[arg(long)]
        spread_risk: bool,
        /// The customer was told whose responsibility it is (required out of scope).
        #[arg(long)]
        explained: bool,
    },
    /// Record the customer's motive, desired outcome and mood (核实投诉).
    Verify {
        /// The real motive.
        #[arg(long)]
        motive: String,
        /// The outcome asked for.
        #[arg(long)]
        outcome: String,
        /// The customer's mood (情绪): it weighs in the escalation risk.
        #[arg(long, value_parser = by_name::<MoodArg>("mood", "mood"))]
        mood: Option<MoodArg>,
    },
    /// Record the facts found, and the severity if it changes (调查评估).
    Assess {
        /// Facts found.
        #[arg(long)]
        facts: String,
        /// Severity key.
        #[arg(long)]
        severity: Option<String>,
    },
    /// The remedy agreed with the responsible department (解决方案).
    Plan {
        /// Responsible department.
        #[arg(long)]
        department: String,
        /// What will be done.
        #[arg(long)]
        actions: String,
        /// Date promised to the customer (needs --confirmed).
        #[arg(long, value_name = "DATETIME")]
        promised: Option<String>,
        /// The department confirmed the plan.
        #[arg(long)]
        confirmed: bool,
        /// Goodwill compensation, whole currency units (never a fee offset).
        #[arg(long, value_name = "AMOUNT")]
        compensation: Option<u32>,
        /// A gift offered.
        #[arg(long, value_name = "TEXT")]
        gift: Option<String>,
    },
    /// Approve the compensation above the planner's limit, or decline it (the plan goes
    /// back to be revised).
    Approve {
        /// Decline instead of approving (give --note).
        #[arg(long, requires = "note")]
        decline: bool,
        /// Why it is declined.
        #[arg(long, value_name = "TEXT", requires = "decline")]
        note: Option<String>,
    },
    /// The customer's answer to the plan (回复客户).
    Reply {
        /// The customer accepted.
        #[arg(
            long,
            conflicts_with = "declined",
            required_unless_present = "declined"
        )]
        accepted: bool,
        /// The customer declined (give --alternatives).
        #[arg(long)]
        declined: bool,
        /// Alternatives offered.
        #[arg(long, default_value = "")]
        alternatives: String,
    },
    /// The remedy was carried out.
    Remedied {
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Raise the severity, with a reason (default: the next level up).
    Escalate {
        /// Why.
        #[arg(long)]
        reason: String,
        /// New severity key.
        #[arg(long)]
        severity: Option<String>,
    },
    /// Refer to the responsible party (out of scope) or to an external body.
    Refer {
        /// Party key, or consumer-association, industry-association, regulator, arbitration,
        /// court.
        #[arg(long, value_name = "KEY")]
        to: String,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Wait on the customer or the responsible third party.
    Wait {
        /// On whom.
        #[arg(long, value_parser = by_name::<WaitOnArg>("wait", "waited_on"))]
        on: WaitOnArg,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// End the wait.
    Resume {
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Close with a summary (投诉总结), or --referred for an out-of-scope complaint.
    Close {
        /// What was done.
        #[arg(long, default_value = "")]
        summary: String,
        /// Root cause.
        #[arg(long, default_value = "")]
        root_cause: String,
        /// Lesson for the case library.
        #[arg(long, default_value = "")]
        lesson: String,
        /// Out of scope: closed as referred.
        #[arg(long)]
        referred: bool,
        /// Also make the case a draft card of the case library (加入典型案例库).
        #[arg(long)]
        to_library: bool,
    },
    /// The customer phoned again about this open case: the call goes on its timeline, no
    /// new complaint.
    AttachCall {
        /// How the call came in.
        #[arg(long, value_parser = by_name::<ChannelArg>("channel", "channel"))]
        channel: ChannelArg,
        /// The caller's phone (tells whether they called from the case's own number).
        #[arg(long, default_value = "")]
        phone: String,
        /// What the caller said this time.
        #[arg(long)]
        description: String,
        /// What they ask for now.
        #[arg(long, default_value = "")]
        outcome: String,
    },
    /// Merge this case, a duplicate, into a primary case: it becomes read-only and leaves
    /// every open queue; the calls it owed are settled, both timelines record it.
    Merge {
        /// The primary case's number.
        #[arg(long, value_name = "NUMBER")]
        into: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Undo a merge: the case goes back to its stage, open again, owing what it owes there.
    Unmerge {
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Split a case holding two issues: the second becomes a new complaint of the same
    /// complainant, linked to this one.
    Split {
        /// The new complaint's category (key or name).
        #[arg(long)]
        category: String,
        /// The second issue, as the customer put it.
        #[arg(long)]
        description: String,
        /// Where (default: this case's location).
        #[arg(long)]
        location: Option<String>,
    },
    /// Attach a file by reference (it stays where it is; its SHA-256 is recorded).
    Attach {
        /// The file (a photo, a video, a letter scan).
        file: PathBuf,
        /// Confidential: shown only to roles that may view confidential material (always
        /// so for a spread-risk complaint).
        #[arg(long)]
        confidential: bool,
    },
    /// A call owed: log an attempt, promise one, or complete it.
    Callback {
        /// What to do.
        #[command(subcommand)]
        action: CallbackAction,
    },
    /// A revisit: record its result.
    Revisit {
        /// What to do.
        #[command(subcommand)]
        action: RevisitAction,
    },
    /// Reopen, with a reason.
    Reopen {
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Print the reply script (话术) for the case, rendered: at MOMENT, else the moment the
    /// case is at.
    Script {
        /// intake, explain, first_reply, chaser, progress, declined or revisit (key or name).
        #[arg(value_parser = moment_arg())]
        moment: Option<Moment>,
    },
    /// Hand the case to another agent (转办); `--to` yourself takes it over (接手). Taking
    /// over someone else's case needs take_over (asks for your secret; a refusal is recorded).
    Transfer {
        /// The new handler: a registered, enabled agent.
        #[arg(long, value_name = "AGENT")]
        to: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// The queues `list` shows: complaints, or the calls and revisits owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListQueue {
    /// Scope not decided yet, oldest first.
    Untriaged,
    /// Not closed, oldest first.
    Open,
    /// Not closed and handled by me (--agent), oldest first.
    Mine,
    /// Not closed and waiting on the responsible party or on the customer, oldest first.
    Waiting,
    /// Compensation awaiting an approval my role may give, oldest first.
    Approval,
    /// Open callbacks, by due time (with `due_at` and `overdue`).
    Callbacks,
    /// Open revisits, by due time (with `due_at` and `overdue`).
    Revisits,
    /// Closed, most recently closed first.
    Closed,
    /// Everything, newest first.
    All,
}

/// `case NUMBER callback …`.
#[derive(Debug, Subcommand)]
pub enum CallbackAction {
    /// Log an attempt on the complaint's earliest open callback.
    Log {
        /// What it came to.
        #[arg(long, value_parser = by_name::<CallResultArg>("callresult", "result"))]
        result: CallResultArg,
        /// Which open call (default: the earliest).
        #[arg(long, value_parser = by_name::<CallKindArg>("callback", "kind"))]
        kind: Option<CallKindArg>,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
        /// With `--result later`: when to call (default: the configured retry time).
        #[arg(long, value_name = "DATETIME")]
        due: Option<String>,
    },
    /// Record a callback promised to the customer.
    Promise {
        /// When it is due.
        #[arg(long, value_name = "DATETIME")]
        due: String,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The earliest open callback is done (the customer was reached).
    Complete {
        /// Which open call (default: the earliest).
        #[arg(long, value_parser = by_name::<CallKindArg>("callback", "kind"))]
        kind: Option<CallKindArg>,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// `case NUMBER revisit …`.
#[derive(Debug, Subcommand)]
pub enum RevisitAction {
    /// Record the earliest open revisit: a satisfaction 1–5, or --unreached.
    Record {
        /// Satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5),
              required_unless_present = "unreached", conflicts_with = "unreached")]
        satisfaction: Option<u8>,
        /// The customer could not be reached.
        #[arg(long)]
        unreached: bool,
        /// The customer's words.
        #[arg(long, default_value = "")]
        comment: String,
    },
}

/// `--intent` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IntentArg {
    /// A real service complaint.
    Genuine,
    /// Venting.
    Venting,
    /// Not (yet) known.
    Unclear,
}

impl From<IntentArg> for Intent {
    fn from(a: IntentArg) -> Intent {
        match a {
            IntentArg::Genuine => Intent::Genuine,
            IntentArg::Venting => Intent::Venting,
            IntentArg::Unclear => Intent::Unclear,
        }
    }
}

/// `--mood` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MoodArg {
    /// Calm (平静).
    Calm,
    /// Anxious (焦虑).
    Anxious,
    /// Disappointed (失望).
    Disappointed,
    /// Angry (愤怒).
    Angry,
    /// Agitated: shouting, threatening to go public (激动).
    Agitated,
}

impl From<MoodArg> for Mood {
    fn from(a: MoodArg) -> Mood {
        match a {
            MoodArg::Calm => Mood::Calm,
            MoodArg::Anxious => Mood::Anxious,
            MoodArg::Disappointed => Mood::Disappointed,
            MoodArg::Angry => Mood::Angry,
            MoodArg::Agitated => Mood::Agitated,
        }
    }
}

/// `--channel` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    /// Telephone (电话).
    Phone,
    /// In person at the desk (来访).
    WalkIn,
    /// Text message (短信).
    Sms,
    /// Email (邮件).
    Email,
    /// Chat or WeChat (微信/在线).
    Chat,
    /// Web form (网页).
    Web,
    /// Letter (信函).
    Letter,
}

impl From<ChannelArg> for Channel {
    fn from(a: ChannelArg) -> Channel {
        match a {
            ChannelArg::Phone => Channel::Phone,
            ChannelArg::WalkIn => Channel::WalkIn,
            ChannelArg::Sms => Channel::Sms,
            ChannelArg::Email => Channel::Email,
            ChannelArg::Chat => Channel::Chat,
            ChannelArg::Web => Channel::Web,
            ChannelArg::Letter => Channel::Letter,
        }
    }
}

/// A script's moment by its key or its name (catalog section `moment`).
fn moment_arg() -> ByName<Moment> {
    ByName::new(
        "moment",
        "moment",
        || {
            Moment::ALL
                .iter()
                .map(|m| clap::builder::PossibleValue::new(m.as_str()))
                .collect()
        },
        Moment::parse,
    )
}

/// `--scope` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// Our own service or facilities.
    In,
    /// The developer's, a utility's, a neighbour's, …
    Out,
}

impl From<ScopeArg> for Scope {
    fn from(a: ScopeArg) -> Scope {
        match a {
            ScopeArg::In => Scope::In,
            ScopeArg::Out => Scope::Out,
        }
    }
}

/// `--on` values of `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaitOnArg {
    /// The customer (a document, access to the flat, …).
    Customer,
    /// The responsible party of an out-of-scope complaint.
    ThirdParty,
}

impl From<WaitOnArg> for WaitOn {
    fn from(a: WaitOnArg) -> WaitOn {
        match a {
            WaitOnArg::Customer => WaitOn::Customer,
            WaitOnArg::ThirdParty => WaitOn::ThirdParty,
        }
    }
}

/// `--kind` values of `callback log` and `complete`: which of a case's open calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CallKindArg {
    /// The first reply to the customer.
    #[value(name = "first_reply")]
    FirstReply,
    /// The chaser to the responsible party.
    Chaser,
    /// A callback promised to the customer.
    Promised,
    /// A progress call to the customer while the case waits.
    Progress,
}

impl CallKindArg {
    /// The call kind's key.
    pub fn key(self) -> &'static str {
        match self {
            CallKindArg::FirstReply => handling::FIRST_REPLY,
            CallKindArg::Chaser => handling::CHASER,
            CallKindArg::Promised => handling::PROMISED,
            CallKindArg::Progress => handling::PROGRESS,
        }
    }
}

/// `--result` values of `callback log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CallResultArg {
    /// Spoke with them: the callback is done.
    Reached,
    /// Nobody answered.
    NoAnswer,
    /// Left a message.
    LeftMessage,
    /// The number is wrong.
    WrongNumber,
    /// The customer asked to be called later.
    Later,
}

impl From<CallResultArg> for CallResult {
    fn from(a: CallResultArg) -> CallResult {
        match a {
            CallResultArg::Reached => CallResult::Reached,
            CallResultArg::NoAnswer => CallResult::NoAnswer,
            CallResultArg::LeftMessage => CallResult::LeftMessage,
            CallResultArg::WrongNumber => CallResult::WrongNumber,
            CallResultArg::Later => CallResult::Later,
        }
    }
}

/// `--preset` values of `init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    /// Property-management front desk (物业客服).
    PropertyManagement,
    /// Pest-control dispatch (有害生物防制).
    PestControl,
    /// Network/IT services after-sales desk (网络/IT 服务).
    ItServices,
}

impl From<PresetArg> for Preset {
    fn from(a: PresetArg) -> Preset {
        match a {
            PresetArg::PropertyManagement => Preset::PropertyManagement,
            PresetArg::PestControl => Preset::PestControl,
            PresetArg::ItServices => Preset::ItServices,
        }
    }
}

/// `add` arguments.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// How the complaint came in.
    #[arg(long, value_parser = by_name::<ChannelArg>("channel", "channel"))]
    pub channel: ChannelArg,
    /// Complainant's name.
    #[arg(long)]
    pub name: String,
    /// Complainant's phone number.
    #[arg(long)]
    pub phone: String,
    /// Unit, building or site.
    #[arg(long)]
    pub location: String,
    /// Category key or name (see `complaint-desk config`).
    #[arg(long)]
    pub category: String,
    /// A further category the same call raised (key or name; repeat for more).
    #[arg(long = "extra-category", value_name = "CATEGORY")]
    pub extra_categories: Vec<String>,
    /// The site (estate, client site, client account): key or name, or free text where
    /// the config allows it.
    #[arg(long, default_value = "")]
    pub site: String,
    /// What happened.
    #[arg(long)]
    pub description: String,
    /// What the customer asks for.
    #[arg(long, default_value = "")]
    pub outcome: String,
    /// An apology was made.
    #[arg(long)]
    pub apologized: bool,
    /// When it really came in (RFC 3339 or local `YYYY-MM-DD HH:MM`).
    #[arg(long, value_name = "DATETIME")]
    pub received_at: Option<String>,
}

/// `search` arguments.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Text to find: any 1 to 200 characters, searched literally.
    pub query: String,
    /// Which complaints.
    #[arg(long, value_parser = by_name::<ViewArg>("queue", "view"), default_value = "all")]
    pub view: ViewArg,
    /// Only this stage (received, verified, assessed, remedy_planned, replied, remedied,
    /// revisiting, closed, referred, waiting_on_party, closed_referred).
    #[arg(long, value_parser = stage_by_name(), value_name = "STAGE")]
    pub stage: Option<Stage>,
    /// Only in or out of scope.
    #[arg(long, value_parser = by_name::<ScopeArg>("scope", "scope"))]
    pub scope: Option<ScopeArg>,
    /// Only this category (key or name).
    #[arg(long)]
    pub category: Option<String>,
    /// Only this severity key.
    #[arg(long)]
    pub severity: Option<String>,
    /// Received on or after (DATE `YYYY-MM-DD`, or DATETIME).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Received on or before (DATE: that whole day; or DATETIME: before it).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only locations starting with this (a building, a site).
    #[arg(long, value_name = "PREFIX")]
    pub location: Option<String>,
    /// Only this site (key or name, or a site typed freely).
    #[arg(long)]
    pub site: Option<String>,
    /// Only cases this agent handles.
    #[arg(long, value_name = "NAME")]
    pub handler: Option<String>,
    /// Output format.
    #[arg(long, value_parser = by_name::<ListFormat>("format", "format"), default_value = "table")]
    pub format: ListFormat,
    /// At most this many rows (0: all).
    #[arg(long, default_value_t = 100)]
    pub limit: u64,
}

/// `--stage`: a stage by key or name.
fn stage_by_name() -> ByName<Stage> {
    ByName::new(
        "stage",
        "stage",
        || {
            Stage::ALL
                .iter()
                .map(|s| PossibleValue::new(s.as_str()))
                .collect()
        },
        Stage::parse,
    )
}

/// `report` arguments.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day of the period (DATE `YYYY-MM-DD`); default: 30 days before the end of the
    /// period.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day of the period (DATE, that whole day); default today.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// A breakdown by this.
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// Output format (CSV carries a UTF-8 BOM for spreadsheets).
    #[arg(long, value_parser = by_name::<ListFormat>("format", "format"), default_value = "table")]
    pub format: ListFormat,
    /// Build the figures' sums again from every complaint first (after changing the time
    /// zone, business hours or building patterns).
    #[arg(long)]
    pub rebuild: bool,
    /// Every figure as an agent of this site sees them (its complaints and those naming no
    /// site): a configured site's key or name, or a site typed freely.
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
}

/// `--by` values of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// Category.
    Category,
    /// Severity.
    Severity,
    /// Channel.
    Channel,
    /// Handler.
    Handler,
    /// Building, found in the location by `report.building_patterns`.
    Building,
    /// Site.
    Site,
    /// Responsible party.
    Party,
    /// Day.
    Day,
    /// ISO week.
    Week,
    /// Month.
    Month,
}

impl From<ByArg> for By {
    fn from(b: ByArg) -> By {
        match b {
            ByArg::Category => By::Category,
            ByArg::Severity => By::Severity,
            ByArg::Channel => By::Channel,
            ByArg::Handler => By::Handler,
            ByArg::Building => By::Building,
            ByArg::Site => By::Site,
            ByArg::Party => By::Party,
            ByArg::Day => By::Day,
            ByArg::Week => By::Week,
            ByArg::Month => By::Month,
        }
    }
}

/// `--view` values of `search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
    /// Every complaint.
    All,
    /// Not closed, handled by the agent acting (`--agent`).
    Mine,
    /// Not closed.
    Open,
    /// Scope not decided yet.
    Untriaged,
    /// Waiting on the customer or the responsible party.
    Waiting,
    /// Compensation waiting for approval.
    Approval,
    /// Closed.
    Closed,
    /// Referred to or waiting on the responsible party (out of scope), not closed.
    ThirdParty,
}

impl From<ViewArg> for View {
    fn from(a: ViewArg) -> View {
        match a {
            ViewArg::All => View::All,
            ViewArg::Mine => View::Mine,
            ViewArg::Open => View::Open,
            ViewArg::Untriaged => View::Untriaged,
            ViewArg::Waiting => View::Waiting,
            ViewArg::Approval => View::Approval,
            ViewArg::Closed => View::Closed,
            ViewArg::ThirdParty => View::ThirdParty,
        }
    }
}

/// Formats of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// A JSON array.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Formats of `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Labelled fields and the timeline.
    Text,
    /// One JSON object.
    Json,
}

/// Formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// CSV.
    Csv,
    /// A JSON array.
    Json,
    /// An Excel workbook.
    Xlsx,
}

/// The headers (and values) of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeaderStyle {
    /// Labels in the interface language.
    Labels,
    /// Keys, for scripts.
    Keys,
}

/// The queues `export` takes complaints from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportQueue {
    /// Scope not decided yet.
    Untriaged,
    /// Not closed.
    Open,
    /// Not closed and handled by me.
    Mine,
    /// Waiting on the responsible party or on the customer.
    Waiting,
    /// Compensation awaiting an approval my role may give.
    Approval,
    /// Closed.
    Closed,
    /// Everything.
    All,
}

impl From<ExportQueue> for crate::domain::complaint::Queue {
    fn from(q: ExportQueue) -> Self {
        use crate::domain::complaint::Queue;
        match q {
            ExportQueue::Untriaged => Queue::Untriaged,
            ExportQueue::Open => Queue::Open,
            ExportQueue::Mine => Queue::Mine,
            ExportQueue::Waiting => Queue::Waiting,
            ExportQueue::Approval => Queue::Approval,
            ExportQueue::Closed => Queue::Closed,
            ExportQueue::All => Queue::All,
        }
    }
}

/// Formats of `config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigFormat {
    /// TOML, loadable again with --config.
    Toml,
    /// JSON.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each value of `A` is spelled on the command line as the domain names what it maps to.
    fn spelled_as<A: ValueEnum + Copy, D: From<A>>(name: fn(D) -> &'static str) -> usize {
        for a in A::value_variants() {
            let value = a.to_possible_value().expect("every value is visible");
            assert_eq!(value.get_name(), name(D::from(*a)));
        }
        A::value_variants().len()
    }

    #[test]
    fn argument_values_are_the_domain_names() {
        assert_eq!(
            spelled_as::<ChannelArg, Channel>(Channel::as_str),
            Channel::ALL.len()
        );
        assert_eq!(
            spelled_as::<PresetArg, Preset>(Preset::key),
            Preset::ALL.len()
        );
        spelled_as::<ScopeArg, Scope>(Scope::as_str);
        spelled_as::<IntentArg, Intent>(Intent::as_str);
        assert_eq!(spelled_as::<ViewArg, View>(View::as_str), View::ALL.len());
        spelled_as::<CallResultArg, CallResult>(CallResult::as_str);
        assert_eq!(spelled_as::<ByArg, By>(By::as_str), By::ALL.len());
    }
}
