//! A caller phoning again about a case still open: the open complaints the call may be
//! about, and attaching the call to one of them instead of saving a new complaint.

use super::Desk;
use super::privacy::masked;
use crate::domain::complaint::{Complaint, NewComplaint, normalise_phone};
use crate::domain::duplicate::{self, CALL_ATTACHED, OFFERED};
use crate::domain::number;
use crate::error::{Error, Result};
use crate::store::complaints;
use crate::store::events::{self, NewEvent};

impl Desk {
    /// The open complaints the call being typed may be about: from the same phone, or at
    /// the same location in the same category, received within `duplicates.days`; newest
    /// first, phones masked. Empty until the phone, or the location and category, are
    /// typed well enough to tell.
    pub fn open_duplicates(&self, call: &NewComplaint) -> Result<Vec<Complaint>> {
        let policy = &self.config.policy;
        let phone = normalise_phone(&call.phone).unwrap_or_default();
        let location = call.location.trim();
        let category = policy
            .find_category(&call.category)
            .map(|c| c.key.as_str())
            .unwrap_or_default();
        let location = if category.is_empty() { "" } else { location };
        if phone.is_empty() && location.is_empty() {
            return Ok(Vec::new());
        }
        let sites = self.site_scope()?;
        let found = self.store.open_duplicates(
            &phone,
            location,
            category,
            duplicate::since(policy, self.clock.now()),
            OFFERED,
            sites.as_deref(),
        )?;
        Ok(found.into_iter().map(masked).collect())
    }

    /// Attaches the call typed at intake (`call`) to the open complaint `number_text`: an
    /// event on its timeline holding what was said this time, no new complaint. Any
    /// registered agent who sees the case may; with `expected_version`, refused if it
    /// changed meanwhile. The complaint as it now stands (phone masked).
    pub fn attach_call(
        &mut self,
        number_text: &str,
        expected_version: Option<i64>,
        call: &NewComplaint,
    ) -> Result<Complaint> {
        self.actor()?;
        self.check_site_of(number_text)?;
        let now = self.clock.now();
        let number = number::normalise(number_text);
        let agent = self.agent.clone();
        let zone = self.config.policy.timezone;
        let c = self.store.write(|tx| {
            let c = complaints::by_number(tx, &number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
            super::check_version(tx, &c, expected_version, zone)?;
            let attached = duplicate::attached_call(call, &c)?;
            events::append(
                tx,
                &NewEvent::note(c.id, now, &agent, CALL_ATTACHED, &attached.detail()),
            )?;
            Ok(c)
        })?;
        Ok(masked(c))
    }
}
