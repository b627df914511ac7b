//! The report thread: the dashboard's figures are computed on a connection of their own, so
//! the frame never waits on them. A newer report cancels the one running (its answer, a
//! failure, is for a load the dashboard no longer waits for), and reports still queued
//! behind a newer one are skipped; each
//! report asked for gives back exactly one batch of messages (empty when skipped), so the
//! runner knows when none is in flight.

use chrono::{DateTime, Utc};

use crate::desk::Reporter;
use crate::domain::report::By;
use crate::domain::zone::Zone;
use crate::error::Result;
use crate::tui::msg::Msg;
use crate::tui::panes::dashboard::{self, Choice};
use crate::tui::worker::Worker;

/// One report to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Which load of the dashboard it is (older answers are dropped).
    pub seq: u64,
    /// The desk's time when it was asked for.
    pub now: DateTime<Utc>,
    /// The desk's zone (which day is today).
    pub zone: Zone,
    /// The period.
    pub choice: Choice,
    /// The breakdown.
    pub by: By,
}

/// The report thread.
pub type Reporting = Worker<Job>;

/// Starts the report thread with `reporter` (a connection of its own).
pub fn start(mut reporter: Reporter) -> Result<Reporting> {
    let canceller = reporter.canceller();
    Worker::start("report", canceller, move |job| answer(&mut reporter, &job))
}

/// The figures of one job.
fn answer(reporter: &mut Reporter, job: &Job) -> Vec<Msg> {
    let days = job.choice.days(job.zone.day(job.now));
    let answer = match reporter.report(job.now, Some(&days.0), Some(&days.1), Some(job.by)) {
        Ok((period, report)) => dashboard::Msg::Loaded {
            seq: job.seq,
            period,
            days,
            report: Box::new(report),
        },
        Err(error) => {
            // Also a report a newer one cancelled (its answer is dropped).
            tracing::info!(error = %error, "report failed");
            dashboard::Msg::Refused {
                seq: job.seq,
                error,
            }
        }
    };
    vec![Msg::Dashboard(answer)]
}
