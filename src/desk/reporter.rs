//! A reporter on a read connection of its own: the report the dashboard shows, computed on
//! another thread while the desk goes on (the frame never waits on the figures).

use chrono::{DateTime, Utc};

use super::{Canceller, Desk, FixedClock};
use crate::config::Config;
use crate::domain::report::{By, Period, Report};
use crate::error::{Error, Result};
use crate::store::Store;

/// Reads the report on a connection of its own (made by [`Desk::reporter`]): move it to a
/// background thread.
#[derive(Debug)]
pub struct Reporter {
    /// The read connection (lent to a desk for each report).
    store: Option<Store>,
    config: Config,
    agent: String,
    verified: bool,
}

impl Desk {
    /// A reporter on a read connection of its own, acting as this desk's agent.
    pub fn reporter(&self) -> Result<Reporter> {
        Ok(Reporter {
            store: Some(self.store.open_reader()?),
            config: self.config.clone(),
            agent: self.agent.clone(),
            verified: self.verified,
        })
    }
}

impl Reporter {
    /// Cancels from any thread the report this reporter is computing at the time (it
    /// returns an error).
    pub fn canceller(&self) -> Option<Canceller> {
        self.store.as_ref().map(Canceller::of)
    }

    /// As [`Desk::report_period`] then [`Desk::report`], at `now` (the desk's clock, read
    /// by whoever asked): the period `from`/`to` mean and its report.
    pub fn report(
        &mut self,
        now: DateTime<Utc>,
        from: Option<&str>,
        to: Option<&str>,
        by: Option<By>,
    ) -> Result<(Period, Report)> {
        let store = self.store.take().ok_or_else(|| {
            Error::new("error.internal").arg("detail", "the reporter lost its connection")
        })?;
        let desk = Desk {
            store,
            config: self.config.clone(),
            agent: self.agent.clone(),
            verified: self.verified,
            clock: Box::new(FixedClock(now)),
        };
        let result = desk
            .report_period(from, to)
            .and_then(|period| Ok((period, desk.report(period, by)?)));
        self.store = Some(desk.store);
        result
    }
}
