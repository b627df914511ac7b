//! The report both front ends show (issue 17): figures now and over a period, with a
//! breakdown, scoped to the acting agent's sites like every other read.

use chrono::{DateTime, Utc};
use regex::Regex;

use super::search::day_bound;
use super::{Desk, calendar, followup, triage_late_by};

/// Days `report` covers when no `--from` is given (today included).
pub const DEFAULT_DAYS: u32 = 30;
use crate::domain::report::{self, By, Context, Period, Report};
use crate::domain::schedule;
use crate::error::{Error, Result};

impl Desk {
    /// The report of `period` (`[from, to)`), its breakdown by `by`, as the acting agent
    /// sees the desk (their sites' complaints and those naming none).
    pub fn report(&self, period: Period, by: Option<By>) -> Result<Report> {
        let now = self.clock.now();
        let policy = &self.config.policy;
        if period.to <= period.from {
            return Err(Error::new("error.report_period"));
        }
        let sites = self.site_scope()?;
        let day_end = followup::local_day_start(now, 1, policy.timezone);
        let cases = self
            .store
            .report_facts(period, now, day_end, sites.as_deref())?;
        let events = self.store.report_events(period, sites.as_deref())?;
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
        let agents = self.store.agents()?;
        let role_of = |name: &str| {
            agents
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.role.clone())
        };
        let cal = calendar(policy);
        let ctx = Context {
            period,
            now,
            calendar: &cal,
            zone: policy.timezone,
            triage_late_by: triage_late_by(policy, now),
            buildings: &buildings,
            role_of: &role_of,
        };
        Ok(report::compute(&cases, &events, by, &ctx))
    }

    /// The period `report` means by `--from` and `--to` (each a DATE, the local day, `to`
    /// taking the whole day; or a DATETIME): by default the last [`DEFAULT_DAYS`] days up
    /// to the end of today, or from `from` to the end of today.
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
