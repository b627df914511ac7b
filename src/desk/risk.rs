//! The escalation risk of open cases and their related cases, as the detail, `show` and the
//! cases pane's risk order read them.

use chrono::Duration;

use crate::desk::Desk;
use crate::desk::privacy::masked;
use crate::domain::complaint::{Complaint, Queue};
use crate::domain::related::{RELATED_DAYS, RELATED_LIMIT, place};
use crate::domain::risk::{self, Risk};
use crate::error::Result;

/// Cases of a view the risk order ranks: the first this many in the view's own order.
pub const RANKED: u32 = 500;

impl Desk {
    /// The escalation risk of `c` now; `None` once it is closed ([`risk::score`]).
    pub fn risk_of(&self, c: &Complaint) -> Result<Option<Risk>> {
        let now = self.now();
        let facts = self.store.risk_facts(&[c.id], now)?;
        let facts = facts.get(&c.id).copied().unwrap_or_default();
        Ok(risk::score(&self.config.policy, c, &facts, now))
    }

    /// The cases related to `c` that the acting agent may see: of its category at its
    /// building (or site, or location), open or received in the last [`RELATED_DAYS`] days,
    /// newest first, at most [`RELATED_LIMIT`]; phones masked.
    pub fn related_to(&self, c: &Complaint) -> Result<Vec<Complaint>> {
        let patterns = self
            .store
            .summary_basis()
            .map(|b| b.buildings.as_slice())
            .unwrap_or_default();
        let Some(place) = place(c.site.as_deref(), &c.location, patterns) else {
            return Ok(Vec::new());
        };
        let since = self.now() - Duration::days(RELATED_DAYS);
        let sites = self.site_scope()?;
        let found = self
            .store
            .related(c, &place, since, sites.as_deref(), RELATED_LIMIT)?;
        Ok(found.into_iter().map(masked).collect())
    }

    /// The open cases among the first [`RANKED`] of `queue` (in its own order), riskiest
    /// first (ties: the older first), each with its score; phones masked.
    pub fn ranked_by_risk(&self, queue: Queue) -> Result<Vec<(Complaint, u32)>> {
        let (page, _) = self.page(queue, RANKED, None)?;
        let open: Vec<Complaint> = page.into_iter().filter(|c| c.stage.is_open()).collect();
        let ids: Vec<i64> = open.iter().map(|c| c.id).collect();
        let now = self.now();
        let facts = self.store.risk_facts(&ids, now)?;
        let mut ranked: Vec<(Complaint, u32)> = open
            .into_iter()
            .map(|c| {
                let f = facts.get(&c.id).copied().unwrap_or_default();
                let score = risk::score(&self.config.policy, &c, &f, now).map_or(0, |r| r.score);
                (c, score)
            })
            .collect();
        ranked.sort_by(|(a, x), (b, y)| y.cmp(x).then(a.received_at.cmp(&b.received_at)));
        Ok(ranked)
    }
}
