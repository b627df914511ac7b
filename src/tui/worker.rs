//! A thread of the app that answers jobs on a connection of its own (the searches, the
//! dashboard's figures), so the frame never waits on the database. A newer job cancels the
//! one running (its answer, a failure, is for something no longer waited for), and jobs still
//! queued behind a newer one are skipped. Each job submitted gives back exactly one batch of
//! messages (empty when skipped), so the runner knows when none is in flight.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use crate::desk::Canceller;
use crate::error::{Error, Result};
use crate::tui::msg::Msg;

/// The thread, its channels and how to cancel what it runs.
pub struct Worker<J> {
    jobs: Option<Sender<J>>,
    canceller: Option<Canceller>,
    results: Receiver<Vec<Msg>>,
    in_flight: usize,
    thread: Option<JoinHandle<()>>,
}

impl<J: Send + 'static> Worker<J> {
    /// Starts thread `name`, answering each job with `answer` (the newest queued first);
    /// `canceller` stops the job running.
    pub fn start(
        name: &str,
        canceller: Option<Canceller>,
        mut answer: impl FnMut(J) -> Vec<Msg> + Send + 'static,
    ) -> Result<Worker<J>> {
        let (jobs, inbox) = mpsc::channel::<J>();
        let (outbox, results) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || work(&inbox, &outbox, &mut answer))
            .map_err(|e| Error::new("error.storage").arg("detail", e))?;
        Ok(Worker {
            jobs: Some(jobs),
            canceller,
            results,
            in_flight: 0,
            thread: Some(thread),
        })
    }

    /// Cancels the job running, if any, and queues `job`.
    pub fn submit(&mut self, job: J) {
        self.cancel();
        if let Some(jobs) = &self.jobs
            && jobs.send(job).is_ok()
        {
            self.in_flight += 1;
        }
    }
}

impl<J> Worker<J> {
    fn cancel(&self) {
        if let Some(canceller) = &self.canceller {
            canceller.cancel();
        }
    }

    /// Whether a job is queued or running.
    pub fn busy(&self) -> bool {
        self.in_flight > 0
    }

    /// The messages of a job that finished, without waiting.
    pub fn try_next(&mut self) -> Option<Vec<Msg>> {
        let msgs = self.results.try_recv().ok()?;
        self.in_flight = self.in_flight.saturating_sub(1);
        Some(msgs)
    }

    /// The messages of the next job to finish, waiting for it (None: nothing in flight).
    pub fn wait_next(&mut self) -> Option<Vec<Msg>> {
        if self.in_flight == 0 {
            return None;
        }
        let msgs = self.results.recv().ok()?;
        self.in_flight -= 1;
        Some(msgs)
    }
}

impl<J> Drop for Worker<J> {
    fn drop(&mut self) {
        self.cancel();
        // Closing the queue ends the thread's loop.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's loop: the newest job queued, answered; one batch of messages for every job.
fn work<J>(inbox: &Receiver<J>, outbox: &Sender<Vec<Msg>>, answer: &mut dyn FnMut(J) -> Vec<Msg>) {
    while let Ok(mut job) = inbox.recv() {
        while let Ok(newer) = inbox.try_recv() {
            // The older one is skipped: it answers with nothing.
            if outbox.send(Vec::new()).is_err() {
                return;
            }
            job = newer;
        }
        if outbox.send(answer(job)).is_err() {
            return;
        }
    }
}
