//! Personal data at the desk: masked by default, revealed only with a permission (and
//! recorded), exported only with a permission, erased on a complainant's request.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::access::record;
use super::{Desk, Event};
use crate::domain::agent::Permission;
use crate::domain::complaint::{Complaint, Queue, halfwidth};
use crate::domain::number;
use crate::domain::privacy::mask_phone;
use crate::domain::report::Period;
use crate::error::{Error, Result};
use crate::store::attachments::Attachment;
use crate::store::audit::ANONYMISED;
use crate::store::erasure;
use crate::store::sql::Db;

/// `c` as a passer-by may see it: the phone number masked.
pub(crate) fn masked(mut c: Complaint) -> Complaint {
    c.phone = mask_phone(&c.phone);
    c
}

/// How long an erasure waits for other programs' reads to end, so that it can truncate the
/// write-ahead log that still holds the erased text.
pub const ERASURE_PATIENCE: Duration = Duration::from_secs(5);

/// What an anonymisation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// Complaints of the complainant (same phone number), all anonymised.
    pub complaints: usize,
    /// Timeline entries whose text was erased.
    pub events: usize,
    /// Half-typed intake forms that named the complainant, removed.
    pub drafts: usize,
    /// The write-ahead log, when another program held it open past [`ERASURE_PATIENCE`]:
    /// the erased text stays in it until every program lets go of the database.
    pub log_held: Option<PathBuf>,
}

/// What an export holds.
#[derive(Debug, Clone, Copy)]
pub struct ExportScope {
    /// The queue's complaints (all: [`Queue::All`]).
    pub queue: Queue,
    /// Received in this period (all when `None`).
    pub period: Option<Period>,
    /// With each complaint's timeline.
    pub with_events: bool,
}

impl Desk {
    /// Complaint `number`, refused (and recorded) when of a site the acting agent does not
    /// see.
    fn complaint(&mut self, number_text: &str) -> Result<Complaint> {
        let c = self
            .store
            .complaint_by_number(&number::normalise(number_text))?
            .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
        self.check_site(&c)?;
        Ok(c)
    }

    fn record_about(
        &mut self,
        complaint_id: Option<i64>,
        kind: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        let now = self.clock.now();
        let agent = self.agent.clone();
        self.store
            .write(|tx| record(tx, now, &agent, complaint_id, kind, detail))
    }

    /// The full phone number of complaint `number` (reveal_phone); the reveal is recorded.
    pub fn reveal_phone(&mut self, number_text: &str) -> Result<String> {
        let c = self.complaint(number_text)?;
        self.require(Permission::RevealPhone, Some(c.id))?;
        self.record_about(
            Some(c.id),
            "phone_revealed",
            serde_json::json!({ "purpose": "reveal" }),
        )?;
        Ok(c.phone)
    }

    /// The full phone number to return a call owed on complaint `number`: given to an agent
    /// of the role that owns an open callback of it (the desk's first role while nobody
    /// else does) or an open revisit, or to a role that may reveal phones; recorded.
    pub fn dial(&mut self, number_text: &str) -> Result<String> {
        let c = self.complaint(number_text)?;
        let role = self.role()?;
        let desk_role = self.config.policy.roles.first().map(|r| r.key.as_str());
        let owes = self.store.callbacks(c.id)?.iter().any(|cb| {
            cb.done_at.is_none()
                && match &cb.owner {
                    Some(owner) => *owner == role.key,
                    None => desk_role == Some(role.key.as_str()),
                }
        }) || self
            .store
            .revisits(c.id)?
            .iter()
            .any(|r| r.done_at.is_none() && r.role == role.key);
        if !owes {
            self.require(Permission::RevealPhone, Some(c.id))?;
        } else {
            self.actor()?;
        }
        self.record_about(
            Some(c.id),
            "phone_revealed",
            serde_json::json!({ "purpose": "callback" }),
        )?;
        Ok(c.phone)
    }

    /// The attachments of complaint `number`; a confidential one's path is left out
    /// (empty) unless `open_confidential` and the agent may view confidential material,
    /// which is then recorded.
    pub fn attachments(
        &mut self,
        number_text: &str,
        open_confidential: bool,
    ) -> Result<Vec<Attachment>> {
        let c = self.complaint(number_text)?;
        self.actor()?;
        let mut list = self.store.attachments(c.id)?;
        let any_confidential = list.iter().any(|a| a.confidential);
        if open_confidential && any_confidential {
            self.require(Permission::ViewConfidential, Some(c.id))?;
            self.record_about(Some(c.id), "confidential_viewed", serde_json::json!({}))?;
        } else {
            for a in list.iter_mut().filter(|a| a.confidential) {
                a.path.clear();
            }
        }
        Ok(list)
    }

    /// Every complaint of `what.queue` received in `what.period` (all when `None`), with
    /// personal data in full and, when `what.with_events`, its timeline, for an export
    /// (export_personal_data); the export is recorded with how many it held.
    pub fn export_each(
        &mut self,
        what: &ExportScope,
        mut f: impl FnMut(&Complaint, &[Event]) -> Result<()>,
    ) -> Result<u64> {
        self.require(Permission::ExportPersonalData, None)?;
        let mut count = 0u64;
        let viewer = self.viewer()?;
        let store = &self.store;
        store.for_each(what.queue, &viewer, None, |c| {
            if what.period.is_some_and(|p| !p.holds(c.received_at)) {
                return Ok(());
            }
            count += 1;
            let events = if what.with_events {
                store.events(c.id)?
            } else {
                Vec::new()
            };
            f(c, &events)
        })?;
        self.record_about(None, "exported", serde_json::json!({ "complaints": count }))?;
        Ok(count)
    }

    /// The period `export --from --to` means (each a DATE, the local day, `to` taking the
    /// whole day, or a DATETIME): `None` without either, open-ended on a side not given.
    pub fn export_period(&self, from: Option<&str>, to: Option<&str>) -> Result<Option<Period>> {
        if from.is_none() && to.is_none() {
            return Ok(None);
        }
        let zone = self.config.policy.timezone;
        let from = match from {
            Some(f) => super::search::day_bound(f, "from", false, zone)?,
            None => crate::domain::schedule::earliest(),
        };
        let to = match to {
            Some(t) => super::search::day_bound(t, "to", true, zone)?,
            None => DateTime::<Utc>::MAX_UTC,
        };
        if to <= from {
            return Err(Error::new("error.report_period"));
        }
        Ok(Some(Period { from, to }))
    }

    /// Anonymises the complainant of complaint `number` on their request (anonymise):
    /// in every complaint with the same phone number, the name, phone, location and free
    /// text are replaced, in the complaints, their timelines (the audit chain stays whole),
    /// callbacks, revisits and attachments; drafts naming them are removed. Categories,
    /// stages, times and severities stay, so statistics do not change. With SQLite's
    /// `secure_delete` on, the old text is overwritten in the file, and the write-ahead log is
    /// truncated afterwards, waiting up to [`ERASURE_PATIENCE`] for other programs' reads.
    pub fn anonymise(&mut self, number_text: &str) -> Result<Erasure> {
        let c = self.complaint(number_text)?;
        self.require(Permission::Anonymise, Some(c.id))?;
        let now = self.clock.now();
        let agent = self.agent.clone();
        let mut erasure = self
            .store
            .write(|tx| erase_complainant(tx, &c, &agent, now))?;
        if !self.store.truncate_wal(ERASURE_PATIENCE)? {
            let mut wal = self.store.path().as_os_str().to_owned();
            wal.push("-wal");
            erasure.log_held = Some(PathBuf::from(wal));
        }
        Ok(erasure)
    }
}

fn erase_complainant(
    tx: &Db<'_>,
    c: &Complaint,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<Erasure> {
    let phone_norm: String = c
        .phone
        .chars()
        .map(halfwidth)
        .filter(char::is_ascii_digit)
        .collect();
    let erased = erasure::erase_complainant(tx, c.id, &c.name, &phone_norm, now)?;
    // Each anonymisation lists the rows it erased: the audit chain accepts an erased row
    // only when a later anonymisation lists it.
    for (&id, events) in erased.complaints.iter().zip(&erased.events) {
        record(
            tx,
            now,
            agent,
            Some(id),
            ANONYMISED,
            serde_json::json!({ "complaints": erased.complaints.len(), "events": events }),
        )?;
    }
    Ok(Erasure {
        complaints: erased.complaints.len(),
        events: erased.events.iter().map(Vec::len).sum(),
        drafts: erased.drafts,
        log_held: None,
    })
}
