//! Performs the app's effects on the Desk and feeds their results back as messages: the
//! only place the terminal app reaches the core.

use std::collections::VecDeque;
use std::path::PathBuf;

use crate::config::Config;
use crate::desk::{Desk, SystemClock};
use crate::domain::stage::Stage;
use crate::error::{Error, Result};
use crate::files::write_new_file;
use crate::store::Store;
use crate::tui::app::{App, Effect, Live, Msg};
use crate::tui::panes::classification::{PAGE, PageAt, QUEUE};
use crate::tui::panes::first_run::Choice;
use crate::tui::panes::revisits::AgendaRow;

/// What is known before the first-run screen settles the rest.
pub struct Pending {
    /// The open database.
    pub store: Store,
    /// The configuration loaded (embedded defaults when there is no file yet).
    pub config: Config,
    /// The agent, when known (`--agent` or remembered).
    pub agent: Option<String>,
    /// Where to write the config file the first run chooses, if one is to be written.
    pub config_file: Option<PathBuf>,
}

/// Performs effects on the Desk and feeds their results back to the app.
pub struct Runner {
    desk: Option<Desk>,
    pending: Option<Pending>,
    /// When late callbacks were last escalated (a pass at most every `ESCALATION_EVERY`).
    escalated_at: Option<std::time::Instant>,
}

/// How often the app escalates late callbacks: a minute's lateness more changes nothing,
/// and the pass costs a few milliseconds at 10⁵ open callbacks (kept off most ticks).
const ESCALATION_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// A follow-up form refused: logged, and back to the form.
fn refused(number: &str, e: Error) -> Msg {
    tracing::info!(number = %number, error = %e, "follow-up refused");
    Msg::FollowRefused(e)
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
    })
}

/// Records a revisit and says whether the case reopened or is ready to close (the last
/// open revisit, the customer reached and satisfied).
fn record_revisit(
    desk: &mut Desk,
    number: &str,
    revisit_id: i64,
    satisfaction: Option<u8>,
    comment: &str,
) -> Result<Msg> {
    let c = desk.record_revisit(number, Some(revisit_id), satisfaction, comment)?;
    let reached = satisfaction.is_some();
    let reopened = c.stage == Stage::Assessed;
    // The revisit is recorded: a failure to read the case only leaves "ready" unsaid.
    let ready = reached
        && !reopened
        && desk
            .case_file(&c.number)
            .is_ok_and(|case| case.revisits.iter().all(|r| r.done_at.is_some()));
    Ok(Msg::Revisited {
        number: c.number,
        stage: c.stage,
        reached,
        ready,
    })
}

impl Runner {
    /// A runner for an open desk.
    pub fn ready(desk: Desk) -> Runner {
        Runner {
            desk: Some(desk),
            pending: None,
            escalated_at: None,
        }
    }

    /// A runner waiting for the first-run screen.
    pub fn pending(pending: Pending) -> Runner {
        Runner {
            desk: None,
            pending: Some(pending),
            escalated_at: None,
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
            if let Some(msg) = self.run(effect) {
                queue.extend(app.update(msg));
            }
        }
        quit
    }

    fn run(&mut self, effect: Effect) -> Option<Msg> {
        if let Effect::FinishFirstRun(choice) = effect {
            return Some(self.finish_first_run(choice).unwrap_or_else(Msg::Failed));
        }
        let escalate = self
            .escalated_at
            .is_none_or(|t| t.elapsed() >= ESCALATION_EVERY);
        let desk = self.desk.as_mut()?;
        let result = match effect {
            Effect::FinishFirstRun(_) | Effect::Quit => return None,
            Effect::Intake(form) => match desk.intake(&form) {
                Ok(c) => Ok(Some(Msg::Saved(Box::new(c)))),
                Err(e)
                    if e.get("field").is_some()
                        || matches!(e.key, "error.unknown_category" | "error.phone_invalid") =>
                {
                    Ok(Some(Msg::Refused(e)))
                }
                Err(e) => Err(e),
            },
            Effect::SaveDraft(form) => desk.save_draft(&form).map(|()| None),
            Effect::ClearDraft => desk.clear_draft().map(|()| None),
            Effect::LoadDraft => desk.draft().map(|d| d.map(|d| Msg::Draft(Box::new(d)))),
            Effect::Lookup { phone, location } => desk
                .repeat_complainants(&phone, &location)
                .map(|found| Some(Msg::Repeats(found))),
            Effect::Counts => {
                if escalate {
                    self.escalated_at = Some(std::time::Instant::now());
                }
                live(desk, escalate).map(|l| Some(Msg::Counts(l)))
            }
            Effect::LoadCallbacks { view, fetch } => desk
                .callback_queue(view, fetch.limit, fetch.after)
                .map(|rows| Some(Msg::Callbacks { view, fetch, rows })),
            Effect::LoadAgenda { range, fetch } => desk
                .revisit_agenda(range, fetch.limit, fetch.after)
                .map(|rows| {
                    let rows = rows
                        .into_iter()
                        .map(|(revisit, complaint)| AgendaRow { revisit, complaint })
                        .collect();
                    Some(Msg::Agenda { range, fetch, rows })
                }),
            Effect::AgendaCounts => desk.agenda_counts().map(|c| Some(Msg::AgendaCounts(c))),
            Effect::LoadPage(at) => {
                let page = match at {
                    PageAt::First => desk.page(QUEUE, PAGE, None),
                    PageAt::After(c) => desk.page(QUEUE, PAGE, Some(c)),
                    PageAt::Last => desk.page_before(QUEUE, PAGE, None),
                    PageAt::Before(c) => desk.page_before(QUEUE, PAGE, Some(c)),
                };
                page.map(|(rows, _)| Some(Msg::Page { at, rows }))
            }
            Effect::OpenCase(number) => desk
                .case_file(&number)
                .map(|case| Some(Msg::Case(Box::new(case)))),
            // Every refusal of a move goes back to its form, which keeps what was typed: a
            // rule, a stale version (error.conflict) or a failed write alike.
            Effect::Act {
                number,
                version,
                action,
            } => match desk.act(&number, Some(version), &action) {
                Ok(c) => Ok(Some(Msg::Acted(Box::new(c)))),
                Err(e) => {
                    tracing::info!(number = %number, error = %e, "move refused");
                    Ok(Some(Msg::ActRefused(e)))
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
                match desk.log_callback(&number, Some(callback_id), result, &note, later) {
                    Ok(callback) => Msg::Logged {
                        number,
                        result,
                        callback: Box::new(callback),
                    },
                    Err(e) => refused(&number, e),
                },
            )),
            Effect::PromiseCallback { number, due, note } => {
                Ok(Some(match desk.promise_callback(&number, due, &note) {
                    Ok(()) => Msg::Promised { number, due },
                    Err(e) => refused(&number, e),
                }))
            }
            Effect::RecordRevisit {
                number,
                revisit_id,
                satisfaction,
                comment,
            } => Ok(Some(
                match record_revisit(desk, &number, revisit_id, satisfaction, &comment) {
                    Ok(msg) => msg,
                    Err(e) => refused(&number, e),
                },
            )),
        };
        result.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "effect failed");
            Some(Msg::Failed(e))
        })
    }

    fn finish_first_run(&mut self, choice: Choice) -> Result<Msg> {
        let pending = self
            .pending
            .take()
            .ok_or_else(|| Error::new("error.internal").arg("detail", "no first run pending"))?;
        let config = match choice.setup {
            Some((preset, lang)) => {
                let text = Config::starter_text(preset, lang);
                let name = pending
                    .config_file
                    .as_ref()
                    .map_or_else(|| "config".to_string(), |p| p.display().to_string());
                let config = Config::from_toml(&text, &name);
                let written = config.and_then(|config| {
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
        let agent = choice
            .agent
            .or(pending.agent)
            .ok_or_else(|| Error::new("error.agent_missing"))?;
        let mut desk = Desk::new(pending.store, config.clone(), &agent, Box::new(SystemClock))?;
        // sign-in: see issue 6 work in progress
        tracing::info!(agent = %agent, "first run done");
        self.desk = Some(desk);
        Ok(Msg::Ready {
            config: Box::new(config),
            agent,
        })
    }
}
