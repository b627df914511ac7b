//! Performs the app's effects on the Desk and feeds their results back as messages: the
//! only place the terminal app reaches the core.

use std::collections::VecDeque;
use std::path::PathBuf;

use crate::config::Config;
use crate::desk::{AgendaRange, Cursor, Desk, SystemClock, Unsigned};
use crate::domain::complaint::{Complaint, NewComplaint, Queue};
use crate::domain::merge::Link;
use crate::error::{Error, Result};
use crate::files::write_new_file;
use crate::tui::app::App;
use crate::tui::forms::agents::{self, Change};
use crate::tui::local_draft::LocalDrafts;
use crate::tui::msg::{Connection, Effect, Live, Msg};
use crate::tui::panes::classification::QUEUE;
use crate::tui::panes::first_run::Choice;
use crate::tui::panes::{
    callbacks, case, cases, classification, first_run, intake, library, lock, revisits,
};
use crate::tui::reporting::{self, Reporting};
use crate::tui::searching::{self, Job, Searching};
use crate::tui::widgets::window::{Fetch, FetchKind};

/// What is known before the first-run screen settles the rest.
pub struct Pending {
    /// The open database, nobody at the desk yet.
    pub opened: Unsigned,
    /// The configuration loaded (embedded defaults when there is no file yet).
    pub config: Config,
    /// The agent to fill in on the lock screen, when known (`--agent` or remembered).
    pub agent: Option<String>,
    /// Where to write the config file the first run chooses, if one is to be written.
    pub config_file: Option<PathBuf>,
}

/// The name a desk acts under before anyone signed in (every operation is refused for it
/// until a sign-in switches to the real agent; the app runs none on the lock screen).
pub const NOBODY: &str = "-";

/// A complaint saved from intake, or the refusal its form shows (a field's, an unknown
/// category, a phone that does not read); any other failure is the notice's.
fn intake_saved(saved: Result<Complaint>) -> Result<Option<Msg>> {
    match saved {
        Ok(c) => Ok(Some(Msg::Intake(intake::Msg::Saved(Box::new(c))))),
        Err(e)
            if e.get("field").is_some()
                || matches!(e.key, "error.unknown_category" | "error.phone_invalid") =>
        {
            Ok(Some(Msg::Intake(intake::Msg::Refused(e))))
        }
        Err(e) => Err(e),
    }
}

/// A page of the revisit agenda: the revisits and the care calls due in `range` after the
/// same key, one keyset page of each, merged.
fn agenda_page(desk: &Desk, range: AgendaRange, fetch: Fetch) -> Result<Vec<revisits::AgendaRow>> {
    let (visits, care) = revisits::page_after(fetch.key);
    let visits = desk.revisit_agenda(range, fetch.limit, visits)?;
    let care = desk.care_agenda(range, fetch.limit, care)?;
    Ok(revisits::merge_page(visits, care, fetch.limit))
}

/// Puts `text` on the clipboard of the terminal (and of the machine it runs on, over SSH
/// too) with an OSC 52 sequence; terminals that do not take it ignore it.
fn copy_to_clipboard(text: &str) -> std::io::Result<()> {
    use crossterm::clipboard::CopyToClipboard;
    crossterm::execute!(std::io::stdout(), CopyToClipboard::to_clipboard_from(text))
}

/// Performs effects on the Desk and feeds their results back to the app.
pub struct Runner {
    desk: Option<Desk>,
    pending: Option<Pending>,
    /// When late callbacks were last escalated (a pass at most every `ESCALATION_EVERY`).
    escalated_at: Option<std::time::Instant>,
    /// The agent to fill in on the lock screen after a first run that only wrote the setup.
    remembered: Option<String>,
    /// The search thread, once a search was asked for (ended at the lock, and when the
    /// database connection is lost).
    searching: Option<Searching>,
    /// The report thread, once the dashboard asked for figures (ended as the search
    /// thread is).
    reporting: Option<Reporting>,
    /// Where the intake form is kept while the database server cannot be reached.
    local: Option<LocalDrafts>,
    /// The database connection was lost and is not back yet.
    lost: bool,
}

/// How often the app escalates late callbacks: a minute's lateness more changes nothing,
/// and the pass costs a few milliseconds at 10⁵ open callbacks (kept off most ticks).
const ESCALATION_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// A follow-up form refused: logged, and back to the form.
fn refused(number: &str, e: Error) -> Msg {
    tracing::info!(number = %number, error = %e, "follow-up refused");
    Msg::Case(case::Msg::FollowRefused(e))
}

/// The agents overlay's answer to a change: made (logged), or refused.
fn agent_change(result: Result<Change>) -> Msg {
    match result {
        Ok(change) => {
            tracing::info!(change = ?change, "agents changed");
            Msg::Agents(agents::Msg::Done(change))
        }
        Err(e) => {
            tracing::info!(error = e.key, "agent change refused");
            Msg::Agents(agents::Msg::Refused(e))
        }
    }
}

/// Reads the page of `queue` a pager asks for, `cursor` its key as the core reads it.
fn page(desk: &Desk, queue: Queue, fetch: Fetch, cursor: Option<Cursor>) -> Result<Vec<Complaint>> {
    let (rows, _) = match fetch.kind {
        FetchKind::Before | FetchKind::Last => desk.page_before(queue, fetch.limit, cursor)?,
        FetchKind::Start | FetchKind::Next | FetchKind::Back | FetchKind::Reload => {
            desk.page(queue, fetch.limit, cursor)?
        }
    };
    Ok(rows)
}

/// Escalates late callbacks when `escalate` (a failure there is logged and does not hold
/// up the counts: on a read-only file the counts still show), then counts what the status
/// line shows and finds when that next changes by itself.
fn live(desk: &mut Desk, escalate: bool) -> Result<Live> {
    let escalated = if escalate {
        desk.escalate_overdue().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "escalating late callbacks failed");
            0
        })
    } else {
        0
    };
    if escalated > 0 {
        tracing::info!(escalated, "late callbacks escalated");
    }
    Ok(Live {
        counts: desk.status_counts()?,
        next_due: desk.next_due()?,
        escalated,
        sites: desk.site_scope()?.unwrap_or_default(),
    })
}

/// The database could not keep the draft (`form`; `None`: the form was emptied): when its
/// connection is lost, the form is kept on this computer until it can; else `failed`.
fn keep_locally(
    desk: &Desk,
    local: Option<&LocalDrafts>,
    form: Option<&NewComplaint>,
    failed: Error,
) -> Result<Option<Msg>> {
    let Some(local) = local.filter(|_| desk.connection_lost()) else {
        return Err(failed);
    };
    local.keep(desk.db_path(), desk.agent(), form)?;
    tracing::info!("draft kept locally while the database is unreachable");
    Ok(form.map(|_| Msg::DraftKeptLocally))
}

/// The agent's draft: the form kept on this computer when there is one (it is newer than the
/// database's; handed over to the database when it can be), else the database's.
fn load_draft(desk: &mut Desk, local: Option<&LocalDrafts>) -> Result<Option<NewComplaint>> {
    if let Some(local) = local
        && let Some(kept) = local.kept(desk.db_path(), desk.agent())?
    {
        hand_over(desk, local);
        return Ok(kept);
    }
    desk.draft()
}

/// Gives the database the form kept on this computer (or drops its draft, for an emptied
/// form) and removes the file; left for later when the database cannot take it yet.
fn hand_over(desk: &mut Desk, local: &LocalDrafts) {
    let kept = match local.kept(desk.db_path(), desk.agent()) {
        Ok(Some(kept)) => kept,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "reading the form kept locally failed");
            return;
        }
    };
    let saved = match &kept {
        Some(form) => desk.save_draft(form),
        None => desk.clear_draft(),
    };
    let removed = saved.and_then(|()| local.remove(desk.db_path(), desk.agent()));
    match removed {
        Ok(()) => tracing::info!("the draft kept locally was handed to the database"),
        Err(e) => tracing::warn!(error = %e, "handing the draft kept locally over failed"),
    }
}

impl Runner {
    /// A runner for an open desk.
    pub fn ready(desk: Desk) -> Runner {
        Runner {
            desk: Some(desk),
            pending: None,
            escalated_at: None,
            remembered: None,
            searching: None,
            reporting: None,
            local: None,
            lost: false,
        }
    }

    /// A runner waiting for the first-run screen.
    pub fn pending(pending: Pending) -> Runner {
        Runner {
            desk: None,
            pending: Some(pending),
            escalated_at: None,
            remembered: None,
            searching: None,
            reporting: None,
            local: None,
            lost: false,
        }
    }

    /// Keeps the intake form in `dir` while the database server cannot be reached.
    pub fn with_local_drafts(mut self, dir: std::path::PathBuf) -> Runner {
        self.local = Some(LocalDrafts::new(dir));
        self
    }

    /// Whether a search or a report is queued or running on its thread.
    pub fn busy(&self) -> bool {
        self.searching.as_ref().is_some_and(Searching::busy)
            || self.reporting.as_ref().is_some_and(Reporting::busy)
    }

    /// Hands the app what the search thread has finished, without waiting; true when the
    /// app quits.
    pub fn poll(&mut self, app: &mut App) -> bool {
        let mut quit = false;
        while let Some(msgs) = self.searching.as_mut().and_then(Searching::try_next) {
            for msg in msgs {
                let effects = app.update(msg);
                quit |= self.perform(app, effects);
            }
        }
        while let Some(msgs) = self.reporting.as_mut().and_then(Reporting::try_next) {
            for msg in msgs {
                let effects = app.update(msg);
                quit |= self.perform(app, effects);
            }
        }
        quit
    }

    /// Waits for every search in flight and hands the app their results (tests and
    /// benchmarks, which draw what a person would see once the search is done).
    pub fn settle(&mut self, app: &mut App) {
        loop {
            let msgs = match self.searching.as_mut().and_then(Searching::wait_next) {
                Some(msgs) => msgs,
                None => match self.reporting.as_mut().and_then(Reporting::wait_next) {
                    Some(msgs) => msgs,
                    None => return,
                },
            };
            for msg in msgs {
                let effects = app.update(msg);
                self.perform(app, effects);
            }
        }
    }

    /// Runs `effects` and every effect their results lead to; true when the app quits.
    pub fn perform(&mut self, app: &mut App, effects: Vec<Effect>) -> bool {
        let mut queue: VecDeque<Effect> = effects.into();
        let mut quit = false;
        while let Some(effect) = queue.pop_front() {
            if effect == Effect::Quit {
                quit = true;
                continue;
            }
            if let Effect::Copy(text) = &effect {
                if let Err(e) = copy_to_clipboard(text) {
                    tracing::warn!(error = %e, "copying to the clipboard");
                    let err = Error::new("script.copy_failed").arg("detail", e);
                    queue.extend(app.update(Msg::Failed(err)));
                }
                continue;
            }
            if let Some(msg) = self.run(effect) {
                queue.extend(app.update(msg));
            }
            if !self.lost && self.desk.as_ref().is_some_and(Desk::connection_lost) {
                // The threads' connections went with it: new ones after.
                self.lost = true;
                self.searching = None;
                self.reporting = None;
                queue.extend(app.update(Msg::Connection(Connection::Lost)));
            }
        }
        quit
    }

    fn run(&mut self, effect: Effect) -> Option<Msg> {
        if let Effect::FinishFirstRun(choice) = effect {
            return Some(self.finish_first_run(choice));
        }
        let escalate = self
            .escalated_at
            .is_none_or(|t| t.elapsed() >= ESCALATION_EVERY);
        let desk = self.desk.as_mut()?;
        let result = match effect {
            Effect::FinishFirstRun(_) | Effect::Quit | Effect::Copy(_) => return None,
            Effect::SignIn { name, secret } => match desk.sign_in(&name, secret.expose()) {
                Ok(()) => {
                    tracing::info!(agent = %desk.agent(), "signed in");
                    Ok(Some(Msg::SignedIn(desk.agent().to_string())))
                }
                // Not the name typed: a PIN typed into the name field by mistake would be
                // logged (the core records every failed sign-in in the audit trail).
                Err(e) => {
                    tracing::info!(error = e.key, "sign-in refused");
                    Ok(Some(Msg::Lock(lock::Msg::Refused(e))))
                }
            },
            Effect::Lock => {
                tracing::info!(agent = %desk.agent(), "locked");
                desk.lock();
                // A search or report asked for before the lock answers nobody.
                self.searching = None;
                self.reporting = None;
                Ok(None)
            }
            Effect::Search {
                seq,
                filter,
                fetch,
                count,
            } => {
                let job = Job {
                    seq,
                    filter: *filter,
                    fetch,
                    count,
                };
                match &mut self.searching {
                    Some(searching) => {
                        searching.submit(job);
                        Ok(None)
                    }
                    None => desk
                        .searcher()
                        .and_then(searching::start)
                        .map(|mut searching| {
                            searching.submit(job);
                            self.searching = Some(searching);
                            None
                        }),
                }
            }
            Effect::Report { seq, choice, by } => {
                let job = reporting::Job {
                    seq,
                    now: desk.now(),
                    zone: desk.config().policy.timezone,
                    choice,
                    by,
                };
                match &mut self.reporting {
                    Some(reporting) => {
                        reporting.submit(job);
                        Ok(None)
                    }
                    None => desk
                        .reporter()
                        .and_then(reporting::start)
                        .map(|mut reporting| {
                            reporting.submit(job);
                            self.reporting = Some(reporting);
                            None
                        }),
                }
            }
            Effect::GoTo(text) => desk
                .find_number(&text)
                .and_then(|number| desk.open_case(&number))
                .map(|case| Some(Msg::Case(case::Msg::Opened(Box::new(case))))),
            Effect::DataVersion => match desk.data_version() {
                Ok(v) => Ok(Some(Msg::DataVersion(v))),
                // The status line says so.
                Err(_) if desk.connection_lost() => Ok(None),
                // Polled every second: a failure is logged, not put on the screen each time.
                Err(e) => {
                    tracing::warn!(error = %e, "reading the data version failed");
                    Ok(None)
                }
            },
            Effect::RefreshCase(number) => match desk.case_file(&number) {
                Ok(case) => Ok(Some(Msg::Case(case::Msg::Refreshed(Box::new(case))))),
                Err(e) => {
                    tracing::warn!(number = %number, error = %e, "reading a case again failed");
                    Ok(None)
                }
            },
            Effect::RevealPhone(number) => desk.reveal_phone(&number).map(|phone| {
                tracing::info!(number = %number, "phone revealed");
                Some(Msg::Case(case::Msg::Revealed { number, phone }))
            }),
            Effect::Dial { number, name } => desk.dial(&number).map(|phone| {
                tracing::info!(number = %number, "phone given to call back");
                Some(Msg::Dial {
                    name,
                    phone,
                    number,
                })
            }),
            Effect::Reconnect => Ok(Some(Msg::Connection(match desk.try_reconnect() {
                Ok(true) => {
                    self.lost = false;
                    if let Some(local) = &self.local {
                        hand_over(desk, local);
                    }
                    Connection::Back
                }
                Ok(false) => Connection::Trying,
                Err(e) => {
                    tracing::info!(error = %e, "reconnecting failed");
                    Connection::Failed
                }
            }))),
            // The database clears the agent's draft with the complaint; the form kept on
            // this computer goes too.
            Effect::Intake(form) => {
                let saved = intake_saved(desk.intake(&form));
                self.forget_local(saved.as_ref());
                saved
            }
            Effect::IntakeFromCare { care_id, form } => {
                let saved = intake_saved(desk.intake_from_care(care_id, &form));
                self.forget_local(saved.as_ref());
                saved
            }
            Effect::SaveDraft(form) => match desk.save_draft(&form) {
                Ok(()) => Ok(None),
                Err(e) => keep_locally(desk, self.local.as_ref(), Some(&form), e),
            },
            Effect::ClearDraft => match desk.clear_draft() {
                Ok(()) => Ok(None),
                Err(e) => keep_locally(desk, self.local.as_ref(), None, e),
            },
            Effect::LoadDraft => load_draft(desk, self.local.as_ref())
                .map(|d| d.map(|d| Msg::Intake(intake::Msg::Draft(Box::new(d))))),
            Effect::Lookup {
                phone,
                location,
                category,
            } => {
                let call = NewComplaint {
                    phone: phone.clone(),
                    location: location.clone(),
                    category,
                    ..NewComplaint::default()
                };
                let found = desk
                    .repeat_complainants(&phone, &location)
                    .and_then(|earlier| {
                        Ok(intake::Msg::Repeats {
                            earlier,
                            open: desk.open_duplicates(&call)?,
                            year: desk.repeat_count(&phone)?,
                        })
                    });
                match found {
                    Ok(repeats) => Ok(Some(Msg::Intake(repeats))),
                    // Looked up again as typing goes on; the status line says why not now.
                    Err(_) if desk.connection_lost() => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Effect::AttachCall { number, form } => {
                let attached = match desk.attach_call(&number, None, &form) {
                    Ok(c) => Ok(Some(Msg::Intake(intake::Msg::Attached(Box::new(c))))),
                    Err(e) if e.get("field").is_some() || e.key == "error.case_closed" => {
                        Ok(Some(Msg::Intake(intake::Msg::Refused(e))))
                    }
                    Err(e) => Err(e),
                };
                self.forget_local(attached.as_ref());
                attached
            }
            Effect::Counts => {
                if escalate {
                    self.escalated_at = Some(std::time::Instant::now());
                }
                live(desk, escalate).map(|l| Some(Msg::Counts(l)))
            }
            Effect::LoadLibrary(filter) => {
                desk.library_list(&filter, library::LIMIT).map(|cards| {
                    Some(Msg::Library(library::Msg::Listed {
                        filter,
                        cards,
                        curator: desk.curates_library(),
                    }))
                })
            }
            Effect::SimilarCards {
                number,
                category,
                description,
            } => desk
                .similar_cards(&category, &description)
                .map(|cards| Some(Msg::Case(case::Msg::Similar { number, cards }))),
            Effect::EditCard { id, version, edit } => Ok(Some(Msg::Library(
                match desk.library_edit(id, &edit, Some(version)) {
                    Ok(card) => library::Msg::Edited(Box::new(card)),
                    Err(e) => library::Msg::EditRefused(e),
                },
            ))),
            Effect::AddCard(number) => desk.library_add(&number).map(|card| {
                Some(Msg::Case(case::Msg::CardAdded {
                    number,
                    id: card.id,
                }))
            }),
            Effect::PublishCard { id, version } => desk
                .library_publish(id, Some(version))
                .map(|card| Some(Msg::Library(library::Msg::Published(Box::new(card))))),
            Effect::LoadCallbacks { view, fetch } => desk
                .callback_queue(view, fetch.limit, fetch.key)
                .map(|rows| Some(Msg::Callbacks(callbacks::Msg::Page { view, fetch, rows }))),
            Effect::LoadAgenda { range, fetch } => agenda_page(desk, range, fetch)
                .map(|rows| Some(Msg::Revisits(revisits::Msg::Page { range, fetch, rows }))),
            Effect::AgendaCounts => desk.agenda_counts().and_then(|visits| {
                let counts = revisits::with_care(visits, desk.care_counts()?);
                Ok(Some(Msg::Revisits(revisits::Msg::Counts(counts))))
            }),
            Effect::LoadCases { queue, fetch } => {
                let cursor = fetch.key.map(|k| cases::cursor(queue, k));
                page(desk, queue, fetch, cursor)
                    .map(|rows| Some(Msg::Cases(cases::Msg::Page { queue, fetch, rows })))
            }
            Effect::CaseOverdue(ids) => desk
                .overdue_among(&ids)
                .map(|ids| Some(Msg::Cases(cases::Msg::Overdue(ids)))),
            Effect::RankCases(queue) => desk
                .ranked_by_risk(queue)
                .map(|rows| Some(Msg::Cases(cases::Msg::Ranked { queue, rows }))),
            Effect::CaseCounts => desk
                .view_counts()
                .map(|counts| Some(Msg::Cases(cases::Msg::Counts(counts)))),
            Effect::LoadPage(fetch) => {
                let cursor = fetch.key.map(|(key, id)| Cursor { key, id });
                page(desk, QUEUE, fetch, cursor).map(|rows| {
                    Some(Msg::Classification(classification::Msg::Page {
                        fetch,
                        rows,
                    }))
                })
            }
            Effect::OpenCase(number) => desk
                .open_case(&number)
                .map(|case| Some(Msg::Case(case::Msg::Opened(Box::new(case))))),
            // Every refusal of a move goes back to its form, which keeps what was typed: a
            // rule, a stale version (error.conflict) or a failed write alike.
            Effect::Act {
                number,
                version,
                action,
            } => match desk.act(&number, Some(version), &action) {
                Ok(c) => Ok(Some(Msg::Case(case::Msg::Acted(Box::new(c))))),
                Err(e) => {
                    tracing::info!(number = %number, error = %e, "move refused");
                    Ok(Some(Msg::Case(case::Msg::ActRefused(e))))
                }
            },
            // The linking moves: like moves, every refusal goes back to the form.
            Effect::MergeLookup { number, into } => {
                Ok(Some(Msg::Case(match desk.case_file(&into) {
                    Ok(primary) => case::Msg::MergeFound {
                        number,
                        primary: Box::new(primary.complaint),
                    },
                    Err(e) => case::Msg::LinkRefused(e),
                })))
            }
            Effect::Merge {
                number,
                version,
                into,
                reason,
            } => Ok(Some(Msg::Case(
                match desk.merge(&number, Some(version), &into, &reason) {
                    Ok(c) => case::Msg::Linked {
                        link: Link::Merge,
                        number: c.number,
                        other: into,
                    },
                    Err(e) => case::Msg::LinkRefused(e),
                },
            ))),
            Effect::Unmerge {
                number,
                version,
                reason,
            } => Ok(Some(Msg::Case(
                match desk.unmerge(&number, Some(version), &reason) {
                    Ok(c) => case::Msg::Linked {
                        link: Link::Unmerge,
                        number: c.number,
                        other: c.stage.as_str().to_string(),
                    },
                    Err(e) => case::Msg::LinkRefused(e),
                },
            ))),
            Effect::Split {
                number,
                version,
                category,
                description,
                location,
            } => Ok(Some(Msg::Case(
                match desk.split(
                    &number,
                    Some(version),
                    &category,
                    &description,
                    Some(&location),
                ) {
                    Ok(split) => case::Msg::Linked {
                        link: Link::Split,
                        number: split.from.number,
                        other: split.new.number,
                    },
                    Err(e) => case::Msg::LinkRefused(e),
                },
            ))),
            Effect::CloseToLibrary {
                number,
                version,
                action,
            } => match desk.close_to_library(&number, Some(version), &action) {
                Ok((c, _)) => Ok(Some(Msg::Case(case::Msg::Acted(Box::new(c))))),
                Err(e) => {
                    tracing::info!(number = %number, error = %e, "move refused");
                    Ok(Some(Msg::Case(case::Msg::ActRefused(e))))
                }
            },
            // As with moves, every refusal goes back to the form, which keeps what was typed.
            Effect::LogCallback {
                number,
                callback_id,
                result,
                note,
                later,
            } => Ok(Some(
                match desk.log_callback(&number, None, Some(callback_id), result, &note, later) {
                    Ok(outcome) => Msg::Callbacks(callbacks::Msg::Logged {
                        number,
                        result,
                        callback: Box::new(outcome.callback),
                        flagged: outcome.flagged,
                    }),
                    Err(e) => refused(&number, e),
                },
            )),
            Effect::PromiseCallback { number, due, note } => Ok(Some(
                match desk.promise_callback(&number, None, due, &note) {
                    Ok(()) => Msg::Callbacks(callbacks::Msg::Promised { number, due }),
                    Err(e) => refused(&number, e),
                },
            )),
            Effect::LoadAgents => desk
                .agents()
                .map(|rows| Some(Msg::Agents(agents::Msg::Listed(rows)))),
            // The same desk calls as `agent …` (permission, audit trail); a refusal goes back
            // to the form, which keeps what was typed. The PIN is never logged.
            Effect::AddAgent {
                name,
                role,
                sites,
                secret,
            } => Ok(Some(agent_change(
                desk.add_agent_with_sites(&name, &role, secret.expose(), &sites)
                    .map(|()| Change::Added { name, role }),
            ))),
            Effect::SetAgentSites { name, sites } => Ok(Some(agent_change(
                desk.set_agent_sites(&name, &sites)
                    .map(|sites| Change::Sites { name, sites }),
            ))),
            Effect::DisableAgent(name) => Ok(Some(agent_change(
                desk.disable_agent(&name).map(|()| Change::Disabled(name)),
            ))),
            Effect::ResetSecret { name, secret } => Ok(Some(agent_change(
                desk.reset_secret(&name, secret.expose())
                    .map(|()| Change::Reset(name)),
            ))),
            Effect::RecordRevisit {
                number,
                revisit_id,
                satisfaction,
                comment,
            } => Ok(Some(
                match desk.record_revisit(&number, None, Some(revisit_id), satisfaction, &comment) {
                    Ok(outcome) => Msg::Revisits(revisits::Msg::Revisited {
                        number: outcome.complaint.number,
                        stage: outcome.complaint.stage,
                        reached: outcome.reached,
                        reopened: outcome.reopened,
                        ready: outcome.ready_to_close,
                    }),
                    Err(e) => refused(&number, e),
                },
            )),
            Effect::RecordCareCall {
                care_id,
                result,
                note,
            } => Ok(Some(match desk.record_care_call(care_id, result, &note) {
                Ok(outcome) => Msg::Revisits(revisits::Msg::CareRecorded(Box::new(outcome))),
                Err(e) => refused(&format!("care call {care_id}"), e),
            })),
        };
        result.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "effect failed");
            Some(Msg::Failed(e))
        })
    }

    /// After a complaint was saved (or the call attached to an open one): the form kept on
    /// this computer is not needed any more.
    fn forget_local(&self, saved: std::result::Result<&Option<Msg>, &Error>) {
        let saved = matches!(
            saved,
            Ok(Some(Msg::Intake(
                intake::Msg::Saved(_) | intake::Msg::Attached(_)
            )))
        );
        if let (true, Some(local), Some(desk)) = (saved, &self.local, &self.desk)
            && let Err(e) = local.remove(desk.db_path(), desk.agent())
        {
            tracing::warn!(error = %e, "removing the form kept locally failed");
        }
    }

    /// Writes the config file (when the setup was asked), opens the desk, and creates the
    /// first agent and signs them in (when asked); else the lock screen comes next. A
    /// refusal goes back to the first-run screen, which keeps what is still to do.
    fn finish_first_run(&mut self, choice: Choice) -> Msg {
        let setup_done = self.pending.is_none();
        if let Err(error) = self.open_pending(choice.setup) {
            return Msg::FirstRun(first_run::Msg::Refused {
                error,
                setup_done: false,
            });
        }
        let Some(desk) = self.desk.as_mut() else {
            return Msg::FirstRun(first_run::Msg::Refused {
                error: Error::new("error.internal").arg("detail", "no desk after the first run"),
                setup_done,
            });
        };
        let config = Box::new(desk.config().clone());
        let Some(admin) = choice.admin else {
            tracing::info!("first run done: setup written");
            return Msg::Ready {
                config,
                agent: self.remembered.clone().unwrap_or_default(),
                signed_in: false,
            };
        };
        match desk.create_first_admin(&admin.name, admin.secret.expose()) {
            Ok(()) => {
                tracing::info!(agent = %desk.agent(), "first run done: first agent created");
                Msg::Ready {
                    config,
                    agent: desk.agent().to_string(),
                    signed_in: true,
                }
            }
            Err(error) => {
                tracing::info!(error = error.key, "first agent refused");
                Msg::FirstRun(first_run::Msg::Refused {
                    error,
                    setup_done: true,
                })
            }
        }
    }

    /// Opens the desk of the pending first run (once): with the config file written from
    /// `setup`, when one is to be written.
    fn open_pending(
        &mut self,
        setup: Option<(crate::config::Preset, crate::i18n::Lang)>,
    ) -> Result<()> {
        let Some(pending) = self.pending.take() else {
            return Ok(());
        };
        let config = match setup {
            Some((preset, lang)) => {
                let text = Config::starter_text(preset, lang);
                let name = pending
                    .config_file
                    .as_ref()
                    .map_or_else(|| "config".to_string(), |p| p.display().to_string());
                let written = Config::from_toml(&text, &name).and_then(|config| {
                    if let Some(path) = &pending.config_file {
                        write_new_file(path, text.as_bytes())?;
                    }
                    Ok(config)
                });
                match written {
                    Ok(config) => config,
                    Err(e) => {
                        self.pending = Some(pending);
                        return Err(e);
                    }
                }
            }
            None => pending.config.clone(),
        };
        let name = pending.agent.clone().unwrap_or_else(|| NOBODY.to_string());
        let desk = pending
            .opened
            .into_desk(config, &name, Box::new(SystemClock))?;
        self.remembered = pending.agent;
        self.desk = Some(desk);
        Ok(())
    }
}
