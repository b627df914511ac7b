//! Care calls (定期回访): the open call of each site on a care plan kept in step with the
//! configuration, the agenda and counts, a call recorded (the next one then due), and the
//! complaint a low score opens, the care call in its timeline.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::followup::{AgendaCounts, AgendaRange, retry_due};
use super::{Desk, calendar, intake_in};
use crate::domain::care;
use crate::domain::complaint::{Complaint, NewComplaint, validate};
use crate::error::{Error, Result};
use crate::store::care::{self as calls, CareCall};
use crate::store::events::{self, NewEvent};

/// What a care call came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CareResult {
    /// The site was reached: its satisfaction, 1 to 5.
    Reached(u8),
    /// Nobody could be reached: tried again like a callback.
    Unreached,
}

/// What recording a care call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareOutcome {
    /// The call as recorded.
    pub call: CareCall,
    /// When the site is called next: the next call of the plan (made), or this one again
    /// (not reached); none when the site has left its plan.
    pub next_due: Option<DateTime<Utc>>,
    /// Not reached often enough to flag it (`follow_up.failed_attempts_flag`).
    pub flagged: bool,
    /// A low score: the complaint to open for the site, prefilled but for its description
    /// (the front end words it: `present::care_description`), see [`Desk::intake_from_care`].
    pub opens: Option<NewComplaint>,
}

/// How many care calls were opened and closed to match the configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CareSync {
    /// Sites newly on a plan: their first call.
    pub opened: usize,
    /// Sites no longer on their plan: their open call closed.
    pub cancelled: usize,
}

impl Desk {
    /// Opens the first care call of every site on a care plan that has none open, and
    /// closes the open call of a site no longer on that plan: in one transaction (a few
    /// milliseconds at 10⁴ sites; nothing when the two agree, as nearly always).
    pub fn sync_care_calls(&mut self) -> Result<CareSync> {
        let now = self.clock.now();
        let policy = &self.config.policy;
        let open = self.store.open_care_calls()?;
        // Each configured (site, plan) pair, looked up once per open call.
        let on_plan: HashSet<(&str, &str)> = policy
            .sites
            .iter()
            .filter_map(|s| Some((s.key.as_str(), s.care_plan.as_deref()?)))
            .collect();
        let wanted = |site: &str, plan: &str| on_plan.contains(&(site, plan));
        let stale: Vec<i64> = open
            .iter()
            .filter(|o| !wanted(&o.site, &o.plan))
            .map(|o| o.id)
            .collect();
        let has_open: HashSet<&str> = open
            .iter()
            .filter(|o| wanted(&o.site, &o.plan))
            .map(|o| o.site.as_str())
            .collect();
        let cal = calendar(policy);
        let new: Vec<_> = policy
            .sites
            .iter()
            .filter(|s| !has_open.contains(s.key.as_str()))
            .filter_map(|s| care::plan_of(policy, s).map(|p| (s, p)))
            .collect();
        if stale.is_empty() && new.is_empty() {
            return Ok(CareSync::default());
        }
        // Read above outside the lock: another desk opening now may have done the same.
        let opened = self.store.write(|tx| {
            for &id in &stale {
                calls::cancel(tx, id, now)?;
            }
            let mut opened = 0;
            for (site, plan) in &new {
                let due = care::first_due(&cal, &site.key, plan, now);
                opened += usize::from(calls::open(tx, &site.key, &plan.key, &plan.role, due, now)?);
            }
            Ok(opened)
        })?;
        Ok(CareSync {
            opened,
            cancelled: stale.len(),
        })
    }

    /// One page of the open care calls in `range`, after `(due, id)` of the last read.
    pub fn care_agenda(
        &self,
        range: AgendaRange,
        limit: u32,
        after: Option<(i64, i64)>,
    ) -> Result<Vec<CareCall>> {
        let sites = self.site_scope()?;
        let (from, to) = self.agenda_range(range);
        self.store
            .care_agenda(from, to, limit, after, sites.as_deref())
    }

    /// Open care calls overdue, due today, tomorrow and within the week, to the acting
    /// agent's sites.
    pub fn care_counts(&self) -> Result<AgendaCounts> {
        let sites = self.site_scope()?;
        let n = self
            .store
            .care_counts(&self.agenda_bounds(), sites.as_deref())?;
        Ok(AgendaCounts::from_ranges(&n))
    }

    /// Records care call `id`: made (with the site's satisfaction) or not reached (tried
    /// again `follow_up.retry_hours` business hours later). A made call opens the plan's
    /// next one; a low score returns the complaint to open for the site, prefilled. Every
    /// record is an event of the audit trail.
    pub fn record_care_call(
        &mut self,
        id: i64,
        result: CareResult,
        note: &str,
    ) -> Result<CareOutcome> {
        if let CareResult::Reached(s) = result
            && !(1..=5).contains(&s)
        {
            return Err(Error::new("error.satisfaction_range"));
        }
        self.actor()?;
        if let Some(call) = calls::by_id(&self.store.db(), id)? {
            self.check_site_at(None, &id.to_string(), Some(&call.site))?;
        }
        let now = self.clock.now();
        let agent = self.agent.clone();
        let policy = &self.config.policy;
        let note = note.trim();
        self.store.write(|tx| {
            let call = calls::by_id(tx, id)?
                .filter(|c| c.done_at.is_none())
                .ok_or_else(|| Error::new("error.no_open_care_call").arg("id", id))?;
            let site = policy.site(&call.site);
            let plan = site.and_then(|s| care::plan_of(policy, s));
            let (next_due, opens) = match (result, site, plan) {
                (CareResult::Unreached, ..) => {
                    let due = retry_due(policy, now);
                    calls::failed(tx, id, due)?;
                    (Some(due), None)
                }
                (CareResult::Reached(score), Some(site), Some(plan)) => {
                    calls::made(tx, id, score, note, &agent, now)?;
                    let due = care::next_due(&calendar(policy), plan, now);
                    calls::open(tx, &site.key, &plan.key, &plan.role, due, now)?;
                    let opens = care::opens_complaint(policy, score)
                        .then(|| care::complaint_from(site, plan, String::new()));
                    (Some(due), opens)
                }
                // The site left its plan since the call was opened: made, none after it.
                (CareResult::Reached(score), ..) => {
                    calls::made(tx, id, score, note, &agent, now)?;
                    (None, None)
                }
            };
            let call = calls::by_id(tx, id)?.unwrap_or(call);
            let flagged = call.done_at.is_none() && policy.follow_up.flags(call.attempts);
            events::append(
                tx,
                &NewEvent {
                    complaint_id: None,
                    at: now,
                    agent: &agent,
                    kind: "care_call",
                    from_stage: None,
                    to_stage: None,
                    detail: &care_detail(&call, next_due),
                },
            )?;
            Ok(CareOutcome {
                call,
                next_due,
                flagged,
                opens,
            })
        })
    }

    /// Takes the complaint a low-scored care call opens (the prefilled form of
    /// [`CareOutcome::opens`], completed by the agent): the complaint and, first in its
    /// timeline after its receipt, the care call; the call links to it. One transaction.
    /// Refused, and recorded, for a care call of a site the acting agent does not see.
    pub fn intake_from_care(&mut self, care_id: i64, new: &NewComplaint) -> Result<Complaint> {
        self.actor()?;
        if let Some(call) = calls::by_id(&self.store.db(), care_id)? {
            self.check_site_at(None, &care_id.to_string(), Some(&call.site))?;
        }
        let now = self.clock.now();
        let valid = validate(new, &self.config.policy, now)?;
        let (policy, agent) = (&self.config.policy, self.agent.as_str());
        self.store.write(|tx| {
            let call = calls::by_id(tx, care_id)?
                .filter(|c| c.reached == Some(true) && c.complaint_id.is_none())
                .ok_or_else(|| Error::new("error.no_care_complaint").arg("id", care_id))?;
            let complaint = intake_in(tx, policy, agent, now, &valid)?;
            calls::link(tx, care_id, complaint.id)?;
            events::append(
                tx,
                &NewEvent::note(
                    complaint.id,
                    now,
                    agent,
                    "care_call",
                    &care_detail(&call, None),
                ),
            )?;
            Ok(complaint)
        })
    }
}

/// The details of a care call's event.
fn care_detail(call: &CareCall, next_due: Option<DateTime<Utc>>) -> serde_json::Value {
    serde_json::json!({
        "care_call": call.id,
        "site": call.site,
        "plan": call.plan,
        "role": call.role,
        "reached": call.reached.unwrap_or(false),
        "satisfaction": call.satisfaction,
        "note": call.note,
        "attempts": call.attempts,
        "next_due": next_due.map(|t| t.to_rfc3339()),
    })
}
