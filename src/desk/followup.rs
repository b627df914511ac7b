//! The desk's promises: the callback queue (attempts, promises, escalation when late) and
//! the revisit schedule (results, reopening on dissatisfaction).

use chrono::{DateTime, SubsecRound, Utc};

use super::{Desk, apply, calendar, check_version};
use crate::domain::complaint::Complaint;
use crate::domain::handling::{self, Action, FIRST_REPLY, PROMISED, Rules};
use crate::domain::merge;
use crate::domain::number;
use crate::domain::policy::Policy;
use crate::domain::schedule;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::store::complaints;
use crate::store::events::{self, NewEvent};
use crate::store::followups::{self, Callback, QueueFilter, Revisit};

/// What an attempt to call came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallResult {
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

impl CallResult {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Reached => "reached",
            CallResult::NoAnswer => "no-answer",
            CallResult::LeftMessage => "left-message",
            CallResult::WrongNumber => "wrong-number",
            CallResult::Later => "later",
        }
    }

    /// Whether the attempt failed (counts towards flagging the case).
    pub fn failed(self) -> bool {
        matches!(
            self,
            CallResult::NoAnswer | CallResult::LeftMessage | CallResult::WrongNumber
        )
    }
}

/// What logging a call came to.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    /// The callback after the attempt.
    pub callback: Callback,
    /// Still open, and its failed attempts reached `follow_up.failed_attempts_flag`.
    pub flagged: bool,
}

/// What recording a revisit came to.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisitOutcome {
    /// The complaint after it (phone masked).
    pub complaint: Complaint,
    /// The customer was reached.
    pub reached: bool,
    /// A low satisfaction reopened the case.
    pub reopened: bool,
    /// Not reached: the revisit stays open, due again at this time.
    pub next_due: Option<DateTime<Utc>>,
    /// Not reached often enough to flag the case (`follow_up.failed_attempts_flag`).
    pub flagged: bool,
    /// Reached, not reopened, and no open revisit left: the case may be closed.
    pub ready_to_close: bool,
}

/// Which callbacks the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallbackView {
    /// Owned by the acting agent's role (or by nobody yet).
    Mine,
    /// All open callbacks.
    #[default]
    All,
    /// Only overdue ones.
    Overdue,
}

/// A row of the callback queue.
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackRow {
    /// The callback.
    pub callback: Callback,
    /// Its complaint.
    pub complaint: Complaint,
    /// Past due.
    pub overdue: bool,
    /// Failed attempts reached the configured flag.
    pub flagged: bool,
}

/// A part of the revisit agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaRange {
    /// Past due.
    Overdue,
    /// Due later today.
    Today,
    /// Due tomorrow.
    Tomorrow,
    /// Due from now to the end of the seventh day.
    Week,
    /// Every open revisit, overdue first.
    All,
}

/// Open revisits per part of the agenda.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgendaCounts {
    /// Past due.
    pub overdue: i64,
    /// Due later today.
    pub today: i64,
    /// Due tomorrow.
    pub tomorrow: i64,
    /// Due within the week.
    pub week: i64,
}

impl AgendaCounts {
    /// The counts of the agenda's bounds' ranges (overdue, today, tomorrow, the rest of
    /// the week).
    pub(super) fn from_ranges(n: &[i64]) -> AgendaCounts {
        let at = |i: usize| n.get(i).copied().unwrap_or(0);
        AgendaCounts {
            overdue: at(0),
            today: at(1),
            tomorrow: at(2),
            week: at(1) + at(2) + at(3),
        }
    }
}

/// Candidates read per page when escalating.
const ESCALATION_BATCH: u32 = 500;
/// Pages read per level in one pass (the rest follow on the next pass).
const ESCALATION_PAGES: u32 = 8;

/// The start of the desk's day `days` after the day of `t`.
pub(super) fn local_day_start(t: DateTime<Utc>, days: u32, zone: Zone) -> DateTime<Utc> {
    zone.day(t)
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .map_or_else(
            || schedule::plus(t, schedule::days(i64::from(days))),
            |d| zone.start_of(d),
        )
}

impl Desk {
    /// One page of the callback queue in due order, after `(due, id)` of the last row.
    pub fn callback_queue(
        &self,
        view: CallbackView,
        limit: u32,
        after: Option<(i64, i64)>,
    ) -> Result<Vec<CallbackRow>> {
        let now = self.clock.now();
        let role = self.role()?;
        // Mine: for the desk's first role, the callbacks never escalated (nobody owns
        // them yet); for a role further up, those escalated to it.
        let desk_role = self
            .config
            .policy
            .roles
            .first()
            .is_none_or(|r| r.key == role.key);
        let mine = view == CallbackView::Mine;
        let sites = self.site_scope()?;
        let filter = QueueFilter {
            overdue_at: (view == CallbackView::Overdue).then_some(now),
            owner: (mine && !desk_role).then_some(role.key.as_str()),
            unowned: mine && desk_role,
            sites: sites.as_deref(),
        };
        let follow_up = &self.config.policy.follow_up;
        Ok(self
            .store
            .callback_queue(&filter, limit, after)?
            .into_iter()
            .map(|(callback, complaint)| CallbackRow {
                overdue: callback.due_at < now,
                flagged: follow_up.flags(callback.attempts),
                callback,
                complaint: super::masked(complaint),
            })
            .collect())
    }

    /// Logs an attempt on a callback of complaint `number` (`callback_id`, else its
    /// earliest open one). Reached: done. Failed: the next attempt is proposed the
    /// configured business hours later, and the case is flagged after the configured
    /// number of failures. Later: at `later` (else the same retry time). With
    /// `expected_version`, refused like a move if the complaint changed meanwhile.
    pub fn log_callback(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        callback_id: Option<i64>,
        result: CallResult,
        note: &str,
        later: Option<DateTime<Utc>>,
    ) -> Result<CallOutcome> {
        self.actor()?;
        self.check_site_of(number_text)?;
        let now = self.clock.now();
        let number = number::normalise(number_text);
        let agent = self.agent.clone();
        let config = &self.config;
        self.store.write(|tx| {
            let c = complaints::by_number(tx, &number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
            check_version(tx, &c, expected_version, self.config.policy.timezone)?;
            merge::writable(&c)?;
            let open = followups::callbacks_of(tx, c.id)?
                .into_iter()
                .filter(|cb| cb.done_at.is_none())
                .find(|cb| callback_id.is_none_or(|id| cb.id == id))
                .ok_or_else(|| Error::new("error.no_open_callback").arg("number", &c.number))?;
            let retry = retry_due(&config.policy, now);
            // A call a waiting case owes comes round again once made.
            let recurs = handling::waiting_calls(&c).contains(&open.kind.as_str());
            let next_due = match result {
                CallResult::Reached if recurs => Some(handling::waiting_call_due(
                    &calendar(&config.policy),
                    &config.policy,
                    now,
                )),
                CallResult::Reached => None,
                CallResult::Later => Some(later.unwrap_or(retry)),
                _ => Some(retry),
            }
            // Stored to the second: the timeline says the same time the call holds.
            .map(|t| t.trunc_subsecs(0));
            if let Some(due) = later
                && due <= now
            {
                return Err(Error::new("error.promise_past").arg("field", "due"));
            }
            match (result, next_due) {
                (CallResult::Reached, Some(due)) => {
                    followups::complete(tx, open.id, now)?;
                    followups::owe(tx, c.id, &open.kind, due, now)?;
                }
                (CallResult::Reached, _) | (_, None) => followups::complete(tx, open.id, now)?,
                (r, Some(due)) if r.failed() => followups::failed_attempt(tx, open.id, due)?,
                (_, Some(due)) => followups::set_due(tx, open.id, due)?,
            }
            let attempts = open.attempts + u32::from(result.failed());
            let flagged = result.failed() && config.policy.follow_up.flags(attempts);
            events::append(
                tx,
                &NewEvent::note(
                    c.id,
                    now,
                    &agent,
                    "callback",
                    &serde_json::json!({
                        "kind": open.kind,
                        "result": result.as_str(),
                        "note": note.trim(),
                        "next_due": next_due.map(|t| t.to_rfc3339()),
                        "attempts": attempts,
                        "flagged": flagged,
                    }),
                ),
            )?;
            let callback = followups::callbacks_of(tx, c.id)?
                .into_iter()
                .find(|cb| cb.id == open.id)
                .unwrap_or(open);
            Ok(CallOutcome {
                flagged: callback.done_at.is_none()
                    && config.policy.follow_up.flags(callback.attempts),
                callback,
            })
        })
    }

    /// Records a callback promised to the customer ("we will call you back before …"). With
    /// `expected_version`, refused like a move if the complaint changed meanwhile.
    pub fn promise_callback(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        due: DateTime<Utc>,
        note: &str,
    ) -> Result<()> {
        self.actor()?;
        self.check_site_of(number_text)?;
        let now = self.clock.now();
        if due <= now {
            return Err(Error::new("error.promise_past").arg("field", "due"));
        }
        let number = number::normalise(number_text);
        let agent = self.agent.clone();
        self.store.write(|tx| {
            let c = complaints::by_number(tx, &number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
            check_version(tx, &c, expected_version, self.config.policy.timezone)?;
            merge::writable(&c)?;
            if c.stage.is_closed() {
                return Err(Error::new("error.case_closed").arg("number", &c.number));
            }
            followups::owe(tx, c.id, PROMISED, due, now)?;
            events::append(
                tx,
                &NewEvent::note(
                    c.id,
                    now,
                    &agent,
                    "promised",
                    &serde_json::json!({ "due": due.to_rfc3339(), "note": note.trim() }),
                ),
            )?;
            Ok(())
        })
    }

    /// Escalates callbacks overdue by the configured margin (in business hours) to the
    /// next level (the next configured role), once per level, each with its event.
    /// Returns how many were escalated.
    pub fn escalate_overdue(&mut self) -> Result<usize> {
        let now = self.clock.now();
        // Business hours overdue per level of escalation.
        let margin = i64::from(self.config.policy.follow_up.escalate_after_hours);
        let agent = self.agent.clone();
        let config = &self.config;
        self.store.write(|tx| {
            let cal = calendar(&config.policy);
            let mut escalated = 0;
            // Level by level (the higher first, so a callback rises one level per pass),
            // and callbacks waiting for a higher level never hold back one due for a lower; pages through the candidates (business time runs no faster
            // than the wall clock, so anything escalating now was due `margin` per level
            // ago).
            for level in (0..2u32).rev() {
                let hours = margin * i64::from(level + 1);
                let Some(owner) = config
                    .policy
                    .roles
                    .get(level as usize + 1)
                    .map(|r| r.key.clone())
                else {
                    continue;
                };
                let mut after = None;
                for _ in 0..ESCALATION_PAGES {
                    let page = followups::escalation_candidates(
                        tx,
                        level,
                        schedule::plus(now, -schedule::hours(hours)),
                        after,
                        ESCALATION_BATCH,
                    )?;
                    let Some((last, _)) = page.last() else { break };
                    after = Some((last.due_at.timestamp(), last.id));
                    let full = page.len() == ESCALATION_BATCH as usize;
                    for (cb, complaint_id) in page {
                        if now < cal.add_hours(cb.due_at, hours) {
                            continue;
                        }
                        // A first reply waiting on the customer is paused, not late.
                        if cb.kind == FIRST_REPLY
                            && complaints::by_id(tx, complaint_id)?
                                .handling
                                .paused_since
                                .is_some()
                        {
                            continue;
                        }
                        followups::escalate(tx, cb.id, level + 1, &owner)?;
                        events::append(
                            tx,
                            &NewEvent::note(
                                complaint_id,
                                now,
                                &agent,
                                "callback_escalated",
                                &serde_json::json!({
                                    "kind": cb.kind, "level": level + 1, "owner": owner,
                                }),
                            ),
                        )?;
                        escalated += 1;
                    }
                    if !full {
                        break;
                    }
                }
            }
            Ok(escalated)
        })
    }

    /// The instants a part of the agenda runs between.
    pub(super) fn agenda_range(&self, range: AgendaRange) -> (DateTime<Utc>, DateTime<Utc>) {
        let b = self.agenda_bounds();
        match range {
            AgendaRange::Overdue => (b[0], b[1]),
            AgendaRange::Today => (b[1], b[2]),
            AgendaRange::Tomorrow => (b[2], b[3]),
            AgendaRange::Week => (b[1], b[4]),
            AgendaRange::All => (b[0], DateTime::<Utc>::MAX_UTC),
        }
    }

    pub(super) fn agenda_bounds(&self) -> [DateTime<Utc>; 5] {
        let now = self.clock.now();
        let zone = self.config.policy.timezone;
        [
            DateTime::<Utc>::MIN_UTC,
            now,
            local_day_start(now, 1, zone),
            local_day_start(now, 2, zone),
            local_day_start(now, 7, zone),
        ]
    }

    /// One page of the revisit agenda, after `(due, id)` of the last row.
    pub fn revisit_agenda(
        &self,
        range: AgendaRange,
        limit: u32,
        after: Option<(i64, i64)>,
    ) -> Result<Vec<(Revisit, Complaint)>> {
        let (from, to) = self.agenda_range(range);
        let sites = self.site_scope()?;
        Ok(self
            .store
            .revisit_agenda(from, to, limit, after, sites.as_deref())?
            .into_iter()
            .map(|(r, c)| (r, super::masked(c)))
            .collect())
    }

    /// Open revisits per part of the agenda, of the acting agent's sites.
    pub fn agenda_counts(&self) -> Result<AgendaCounts> {
        let sites = self.site_scope()?;
        let n = self
            .store
            .revisit_counts(&self.agenda_bounds(), sites.as_deref())?;
        Ok(AgendaCounts::from_ranges(&n))
    }

    /// Of the complaints `ids`, those owing a call or a revisit that is overdue now.
    pub fn overdue_among(&self, ids: &[i64]) -> Result<Vec<i64>> {
        self.actor()?;
        self.store.overdue_among(ids, self.clock.now())
    }

    /// When the status counts next change by themselves (the next due time after now).
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        self.store.next_due_after(self.clock.now())
    }

    /// Records a revisit of complaint `number` (`revisit_id`, else its earliest open one):
    /// reached or not, satisfaction 1–5, comment. Not reached, it stays open and is tried
    /// again like a callback ([`retry_due`], flagged after the configured failures). A satisfaction at or below the
    /// configured threshold reopens the case with the revisit as the reason; the last open
    /// revisit, reached and satisfied, leaves the case ready to close. With
    /// `expected_version`, refused like a move if the complaint changed meanwhile.
    pub fn record_revisit(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        revisit_id: Option<i64>,
        satisfaction: Option<u8>,
        comment: &str,
    ) -> Result<RevisitOutcome> {
        if satisfaction.is_some_and(|s| !(1..=5).contains(&s)) {
            return Err(Error::new("error.satisfaction_range"));
        }
        let now = self.clock.now();
        let role = self.role()?;
        self.check_site_of(number_text)?;
        let number = number::normalise(number_text);
        let agent = self.agent.clone();
        let config = &self.config;
        self.store.write(|tx| {
            let c = complaints::by_number(tx, &number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
            check_version(tx, &c, expected_version, self.config.policy.timezone)?;
            merge::writable(&c)?;
            let open: Vec<Revisit> = followups::revisits_of(tx, c.id)?
                .into_iter()
                .filter(|r| r.done_at.is_none())
                .collect();
            let revisit = open
                .iter()
                .find(|r| revisit_id.is_none_or(|id| r.id == id))
                .ok_or_else(|| Error::new("error.no_open_revisit").arg("number", &c.number))?;
            let reached = satisfaction.is_some();
            // Not reached: tried again like a callback.
            let next_due = (!reached).then(|| retry_due(&config.policy, now));
            match next_due {
                Some(due) => followups::failed_revisit(tx, revisit.id, due, comment.trim())?,
                None => followups::record_revisit(
                    tx,
                    revisit.id,
                    reached,
                    satisfaction,
                    comment.trim(),
                    now,
                )?,
            }
            let attempts = revisit.attempts + u32::from(!reached);
            let flagged = !reached && config.policy.follow_up.flags(attempts);
            let reopened = satisfaction.is_some_and(|s| config.policy.follow_up.reopens(s));
            let ready_to_close = reached && !reopened && open.len() == 1;
            let mut detail = serde_json::json!({
                "role": revisit.role,
                "reached": reached,
                "satisfaction": satisfaction,
                "comment": comment.trim(),
                "ready_to_close": ready_to_close,
            });
            if let Some(due) = next_due {
                detail["next_due"] = due.to_rfc3339().into();
                detail["attempts"] = attempts.into();
                detail["flagged"] = flagged.into();
            }
            events::append(tx, &NewEvent::note(c.id, now, &agent, "revisited", &detail))?;
            let complaint = if reopened {
                let rules = Rules {
                    policy: &config.policy,
                    agent: &agent,
                    role: &role,
                    now,
                };
                let reopen = Action::RevisitReopen {
                    role: revisit.role.clone(),
                    satisfaction: satisfaction.unwrap_or(0),
                    comment: comment.to_string(),
                };
                let current = complaints::by_id(tx, c.id)?;
                apply(tx, &rules, &current, &reopen)?
            } else {
                complaints::by_id(tx, c.id)?
            };
            Ok(RevisitOutcome {
                complaint: super::masked(complaint),
                reached,
                reopened,
                next_due,
                flagged,
                ready_to_close,
            })
        })
    }
}

/// When a call or revisit that did not reach the customer is tried again:
/// `follow_up.retry_hours` business hours after `now`.
pub(crate) fn retry_due(policy: &Policy, now: DateTime<Utc>) -> DateTime<Utc> {
    calendar(policy)
        .add_hours(now, i64::from(policy.follow_up.retry_hours))
        .trunc_subsecs(0)
}
