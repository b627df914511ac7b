//! Merge, unmerge and split (issue 19, item 2): the rules are `domain::merge`'s; here each is
//! one transaction with its events on both timelines, the calls it settles or owes again.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::privacy::masked;
use super::{Desk, calendar, check_version, conflict, owe_while_waiting, record_intake};
use crate::domain::complaint::{Complaint, validate};
use crate::domain::handling;
use crate::domain::merge::{
    self, ABSORBED, MERGED_INTO, RELEASED, SPLIT_FROM, SPLIT_INTO, UNMERGED,
};
use crate::domain::number;
use crate::domain::stage::Stage;
use crate::error::{Error, Result};
use crate::store::complaints;
use crate::store::events::{self, NewEvent};
use crate::store::followups;
use crate::store::sql::Db;

/// A split made: the complaint split and the new one (phones masked).
#[derive(Debug, Clone)]
pub struct Split {
    /// The complaint that held two issues.
    pub from: Complaint,
    /// The new complaint holding the second.
    pub new: Complaint,
}

fn found(tx: &Db<'_>, number_text: &str) -> Result<Complaint> {
    complaints::by_number(tx, &number::normalise(number_text))?
        .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))
}

fn due(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

impl Desk {
    /// Merges complaint `number_text`, a duplicate, into the primary `into_text`: the
    /// duplicate leaves every open queue and is read-only (stage `merged`), the calls and
    /// revisits it owed are settled and listed in its `merged_into` event; the primary's
    /// timeline records `absorbed`. Refused for the same case, a closed or merged one on
    /// either side, a duplicate that absorbs cases of its own, and cases of sites the agent
    /// does not see. With `expected_version`, refused if the duplicate changed meanwhile.
    pub fn merge(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        into_text: &str,
        reason: &str,
    ) -> Result<Complaint> {
        self.actor()?;
        self.check_site_of(number_text)?;
        self.check_site_of(into_text)?;
        let now = self.clock.now();
        let agent = self.agent.clone();
        let zone = self.config.policy.timezone;
        let c = self.store.write(|tx| {
            let dup = found(tx, number_text)?;
            let primary = found(tx, into_text)?;
            check_version(tx, &dup, expected_version, zone)?;
            let absorbs = complaints::absorbed_by(tx, &dup.number)?.len();
            let m = merge::merge(&dup, &primary, absorbs, reason, now)?;
            if !complaints::update_handled(tx, &m.after, dup.version)? {
                return Err(conflict(tx, &dup, dup.version, zone)?);
            }
            let mut settled = Vec::new();
            for cb in followups::callbacks_of(tx, dup.id)? {
                if cb.done_at.is_none() {
                    followups::complete(tx, cb.id, now)?;
                    settled.push(json!({ "call": cb.kind, "due_at": due(cb.due_at) }));
                }
            }
            for r in followups::revisits_of(tx, dup.id)? {
                if r.done_at.is_none() {
                    settled.push(json!({ "revisit": r.role, "due_at": due(r.due_at) }));
                }
            }
            followups::cancel_revisits(tx, dup.id, "", now)?;
            let detail = m.merged_detail(dup.stage, settled.into());
            events::append(
                tx,
                &NewEvent {
                    complaint_id: Some(dup.id),
                    at: now,
                    agent: &agent,
                    kind: MERGED_INTO,
                    from_stage: Some(dup.stage),
                    to_stage: Some(Stage::Merged),
                    detail: &detail,
                },
            )?;
            events::append(
                tx,
                &NewEvent::note(primary.id, now, &agent, ABSORBED, &m.absorbed_detail()),
            )?;
            Ok(complaints::by_id(tx, dup.id)?)
        })?;
        Ok(masked(c))
    }

    /// Undoes the merge of complaint `number_text`: it goes back to the stage it had, open
    /// again, and owes again what that stage owes (the rules of `handling::owed_at_stage`);
    /// `unmerged` on it, `released` on the primary. Refused for a case that is not merged.
    pub fn unmerge(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        reason: &str,
    ) -> Result<Complaint> {
        self.actor()?;
        self.check_site_of(number_text)?;
        let now = self.clock.now();
        let agent = self.agent.clone();
        let policy = &self.config.policy;
        let zone = policy.timezone;
        let c = self.store.write(|tx| {
            let c = found(tx, number_text)?;
            check_version(tx, &c, expected_version, zone)?;
            let before = events::last_of_kind(tx, c.id, MERGED_INTO)?
                .and_then(|e| merge::stage_before(e.from_stage, &e.detail));
            let (after, reason) = merge::unmerge(&c, before, reason, now)?;
            if !complaints::update_handled(tx, &after, c.version)? {
                return Err(conflict(tx, &c, c.version, zone)?);
            }
            let cal = calendar(policy);
            let owed = handling::owed_at_stage(policy, &after);
            let mut owes = Vec::new();
            if let Some((kind, hours)) = owed.reply {
                let at = handling::reply_due(&cal, c.received_at, hours);
                followups::owe(tx, c.id, kind, at, now)?;
                owes.push(json!({ "call": kind, "due_at": due(at) }));
            }
            for (kind, at) in owe_while_waiting(tx, policy, c.id, owed.keeps, now)? {
                owes.push(json!({ "call": kind, "due_at": due(at) }));
            }
            for step in &owed.revisits {
                let at = cal.add_days(now, step.after_days, step.business_days);
                followups::plan_revisit(tx, c.id, &step.role, at)?;
                owes.push(json!({ "revisit": step.role, "due_at": due(at) }));
            }
            let primary = c.merged_into.clone().unwrap_or_default();
            events::append(
                tx,
                &NewEvent {
                    complaint_id: Some(c.id),
                    at: now,
                    agent: &agent,
                    kind: UNMERGED,
                    from_stage: Some(Stage::Merged),
                    to_stage: Some(after.stage),
                    detail: &json!({
                        "primary": primary,
                        "stage": after.stage.as_str(),
                        "reason": reason,
                        "owes": owes,
                    }),
                },
            )?;
            if let Some(p) = complaints::by_number(tx, &primary)? {
                events::append(
                    tx,
                    &NewEvent::note(
                        p.id,
                        now,
                        &agent,
                        RELEASED,
                        &json!({ "number": c.number, "reason": reason }),
                    ),
                )?;
            }
            Ok(complaints::by_id(tx, c.id)?)
        })?;
        Ok(masked(c))
    }

    /// Splits complaint `number_text`, which holds two issues: the second becomes a new
    /// complaint of the same complainant (name, phone, channel, site), at `location` (default
    /// the case's), of `category`, saying `description`, made through the normal intake path
    /// (untriaged, owing what intake owes); `split_into` on the case, `split_from` on the new
    /// one. Refused for a closed or merged case, an unknown category, an empty description.
    pub fn split(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        category: &str,
        description: &str,
        location: Option<&str>,
    ) -> Result<Split> {
        self.actor()?;
        self.check_site_of(number_text)?;
        let now = self.clock.now();
        let agent = self.agent.clone();
        let policy = &self.config.policy;
        self.store.write(|tx| {
            let c = found(tx, number_text)?;
            check_version(tx, &c, expected_version, policy.timezone)?;
            let intake = merge::split_intake(&c, category, description, location)?;
            let valid = validate(&intake, policy, now)?;
            let new = record_intake(tx, policy, &agent, now, &valid)?;
            events::append(
                tx,
                &NewEvent::note(
                    new.id,
                    now,
                    &agent,
                    SPLIT_FROM,
                    &json!({ "number": c.number }),
                ),
            )?;
            events::append(
                tx,
                &NewEvent::note(
                    c.id,
                    now,
                    &agent,
                    SPLIT_INTO,
                    &json!({ "number": new.number, "category": new.category }),
                ),
            )?;
            Ok(Split {
                from: masked(c),
                new,
            })
        })
    }
}
