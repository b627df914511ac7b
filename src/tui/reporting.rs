//! The report thread: the dashboard's figures are computed on a connection of their own, so
//! the frame never waits on them. A newer report cancels the one running (its answer, a
//! failure, is for a load the dashboard no longer waits for), and reports still queued
//! behind a newer one are skipped; each
//! report asked for gives back exactly one batch of messages (empty when skipped), so the
//! runner knows when none is in flight.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};

use crate::desk::{Canceller, Reporter};
use crate::domain::report::By;
use crate::domain::zone::Zone;
use crate::error::Result;
use crate::tui::msg::Msg;
use crate::tui::panes::dashboard::{self, Choice};

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

/// The thread and its channels.
pub struct Reporting {
    jobs: Option<Sender<Job>>,
    canceller: Option<Canceller>,
    results: Receiver<Vec<Msg>>,
    in_flight: usize,
    thread: Option<JoinHandle<()>>,
}

impl Reporting {
    /// Starts the thread with `reporter` (a connection of its own).
    pub fn start(reporter: Reporter) -> Result<Reporting> {
        let canceller = reporter.canceller();
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, results) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("report".into())
            .spawn(move || work(reporter, &inbox, &outbox))
            .map_err(|e| crate::error::Error::new("error.storage").arg("detail", e))?;
        Ok(Reporting {
            jobs: Some(jobs),
            canceller,
            results,
            in_flight: 0,
            thread: Some(thread),
        })
    }

    /// Cancels the report running, if any, and queues `job`.
    pub fn submit(&mut self, job: Job) {
        self.cancel();
        if let Some(jobs) = &self.jobs
            && jobs.send(job).is_ok()
        {
            self.in_flight += 1;
        }
    }

    fn cancel(&self) {
        if let Some(canceller) = &self.canceller {
            canceller.cancel();
        }
    }

    /// Whether a report is queued or running.
    pub fn busy(&self) -> bool {
        self.in_flight > 0
    }

    /// The messages of a report that finished, without waiting.
    pub fn try_next(&mut self) -> Option<Vec<Msg>> {
        let msgs = self.results.try_recv().ok()?;
        self.in_flight = self.in_flight.saturating_sub(1);
        Some(msgs)
    }

    /// The messages of the next report to finish, waiting for it (None: nothing in flight).
    pub fn wait_next(&mut self) -> Option<Vec<Msg>> {
        if self.in_flight == 0 {
            return None;
        }
        let msgs = self.results.recv().ok()?;
        self.in_flight -= 1;
        Some(msgs)
    }
}

impl Drop for Reporting {
    fn drop(&mut self) {
        self.cancel();
        // Closing the queue ends the thread's loop.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's loop: the newest job queued, computed; one batch of messages for every job.
fn work(mut reporter: Reporter, inbox: &Receiver<Job>, outbox: &Sender<Vec<Msg>>) {
    while let Ok(mut job) = inbox.recv() {
        while let Ok(newer) = inbox.try_recv() {
            // The older one is skipped: it answers with nothing.
            if outbox.send(Vec::new()).is_err() {
                return;
            }
            job = newer;
        }
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
        if outbox.send(vec![Msg::Dashboard(answer)]).is_err() {
            return;
        }
    }
}
