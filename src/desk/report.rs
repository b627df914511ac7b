//! The report both front ends show (issue 17): figures now and over a period, with a
//! breakdown, scoped to the acting agent's sites like every other read; assembled from the
//! summary's sums, which every write keeps (src/store/report.rs) and `report --rebuild`
//! builds again.

use chrono::{DateTime, Utc};
use regex::Regex;

use super::search::day_bound;
use super::{Desk, followup, triage_late_by};
use crate::domain::policy::Policy;
use crate::domain::report::{self, By, Context, Period, Report, Sums};
use crate::domain::schedule;
use crate::domain::summary::Basis;
use crate::error::{Error, Result};
use crate::store::report::{REBUILD_ON_OPEN, SummaryState};

/// Days `report` covers when no `--from` is given (today included).
pub const DEFAULT_DAYS: u32 = 30;

/// The basis of `policy`'s sums: its zone, business calendar and building patterns.
pub fn summary_basis(policy: &Policy) -> Result<Basis> {
    let buildings = policy
        .report
        .building_patterns
        .iter()
        .map(|p| {
            Regex::new(p).map_err(|e| {
                Error::new("error.report_pattern")
                    .arg("value", p)
                    .arg("why", e)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Basis::new(
        policy.timezone,
        policy.business_hours.clone(),
        buildings,
    ))
}

impl Desk {
    /// Whether the report's sums, as they stand, are ready for `basis`.
    fn summary_ready(state: &SummaryState, basis: &Basis) -> bool {
        match state {
            SummaryState::Empty => true,
            SummaryState::Ready(f) => *f == basis.fingerprint,
            SummaryState::Rebuilding(..) | SummaryState::Stale => false,
        }
    }

    /// On opening: builds the report's sums at once if they are missing or were built
    /// under other settings and the desk is small enough ([`REBUILD_ON_OPEN`]); a larger
    /// one waits for `report --rebuild`.
    pub(crate) fn keep_summary(&mut self) -> Result<()> {
        // The basis `Desk::new` gave the store (its patterns compiled once).
        let Some(basis) = self.store.summary_basis().cloned() else {
            return Ok(());
        };
        if Self::summary_ready(&self.store.summary_state()?, &basis)
            || self.store.complaint_count()? > REBUILD_ON_OPEN
        {
            return Ok(());
        }
        self.store.rebuild_summary(&basis, false, &mut |_, _| {})
    }

    /// Builds the report's sums again from every complaint under this desk's settings;
    /// `progress` hears how many complaints of how many are done. Any agent may: the sums
    /// hold no personal data and every complaint's figures come out as they were.
    pub fn rebuild_report(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        let basis = summary_basis(&self.config.policy)?;
        self.store.rebuild_summary(&basis, true, progress)
    }

    /// The report of `period` (`[from, to)`, whole local days), its breakdown by `by`, as
    /// the acting agent sees the desk (their sites' complaints and those naming none).
    pub fn report(&self, period: Period, by: Option<By>) -> Result<Report> {
        self.report_of(period, by, self.site_scope()?)
    }

    /// The report as an agent of site `site` (a configured site's key or name, or a site
    /// typed freely) sees the desk: that site's complaints and those naming none. Refused
    /// when the acting agent does not see that site.
    pub fn site_report(&self, period: Period, by: Option<By>, site: &str) -> Result<Report> {
        let key = self
            .config
            .policy
            .find_site(site)
            .map_or_else(|| site.trim().to_string(), |s| s.key.clone());
        if self.site_scope()?.is_some_and(|own| !own.contains(&key)) {
            return Err(Error::new("error.report_other_site").arg("site", &key));
        }
        self.report_of(period, by, Some(vec![key]))
    }

    fn report_of(
        &self,
        period: Period,
        by: Option<By>,
        sites: Option<Vec<String>>,
    ) -> Result<Report> {
        let now = self.clock.now();
        let policy = &self.config.policy;
        let zone = policy.timezone;
        if period.to <= period.from {
            return Err(Error::new("error.report_period"));
        }
        let whole = |t: DateTime<Utc>| zone.start_of(zone.day(t)) == t;
        if !whole(period.from) || !whole(period.to) {
            return Err(Error::new("error.report_whole_days"));
        }
        let basis = match self.store.summary_basis() {
            Some(b) => b.clone(),
            None => summary_basis(policy)?,
        };
        match self.store.summary_state()? {
            SummaryState::Rebuilding(..) => return Err(Error::new("error.report_rebuilding")),
            state if !Self::summary_ready(&state, &basis) => {
                return Err(Error::new("error.report_rebuild"));
            }
            _ => {}
        }
        let sites = sites.as_deref();
        let day_end = followup::local_day_start(now, 1, zone);
        let agents = self.store.agents()?;
        let role_of = |name: &str| {
            agents
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.role.clone())
        };
        let ctx = Context {
            period,
            now,
            zone,
            role_of: &role_of,
        };
        let sums = self.store.report_sums(
            ctx.days(),
            &Sums::dims(by),
            by.and_then(By::dim),
            now,
            sites,
        )?;
        let counts = self
            .store
            .report_now(now, day_end, triage_late_by(policy, now), sites)?;
        let repeats = self.store.repeat_complainants(period, sites)?;
        Ok(report::assemble(&sums, &counts, repeats, by, &ctx))
    }

    /// The period `report` means by `--from` and `--to` (each a DATE, the local day, `to`
    /// taking the whole day): by default the last [`DEFAULT_DAYS`] days up to the end of
    /// today, or from `from` to the end of today.
    pub fn report_period(&self, from: Option<&str>, to: Option<&str>) -> Result<Period> {
        let zone = self.config.policy.timezone;
        let now = self.clock.now();
        let to = match to {
            Some(t) => day_bound(t, "to", true, zone)?,
            None => followup::local_day_start(now, 1, zone),
        };
        let from = match from {
            Some(f) => day_bound(f, "from", false, zone)?,
            None => {
                let last: DateTime<Utc> = schedule::plus(to, -chrono::TimeDelta::seconds(1));
                zone.day(last)
                    .checked_sub_days(chrono::Days::new(u64::from(DEFAULT_DAYS - 1)))
                    .map_or(schedule::earliest(), |d| zone.start_of(d))
            }
        };
        if to <= from {
            return Err(Error::new("error.report_period"));
        }
        Ok(Period { from, to })
    }
}
