//! The search thread: searches run on a connection of their own, so the frame never waits on
//! one. A newer search cancels the one running, and searches still queued behind a newer one
//! are skipped. Each search submitted gives back exactly one batch of messages (empty when it
//! was cancelled or skipped), so the runner knows when none is in flight.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use crate::desk::{Canceller, Searcher};
use crate::domain::complaint::Queue;
use crate::domain::search::SearchFilter;
use crate::error::Result;
use crate::tui::msg::Msg;
use crate::tui::panes::cases;
use crate::tui::widgets::window::{Fetch, FetchKind};

/// The order search results come in (newest first): how a pager key maps to the core's
/// cursor.
const ORDER: Queue = Queue::All;

/// One search to run.
#[derive(Debug, Clone)]
pub struct Job {
    /// Which search of the cases pane it is.
    pub seq: u64,
    /// What to find.
    pub filter: SearchFilter,
    /// Which page.
    pub fetch: Fetch,
    /// Count the matches after the page.
    pub count: bool,
}

/// The thread and its channels.
pub struct Searching {
    jobs: Option<Sender<Job>>,
    results: Receiver<Vec<Msg>>,
    canceller: Canceller,
    in_flight: usize,
    thread: Option<JoinHandle<()>>,
}

impl Searching {
    /// Starts the thread with `searcher` (a connection of its own).
    pub fn start(searcher: Searcher) -> Result<Searching> {
        let canceller = searcher.canceller();
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, results) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("search".into())
            .spawn(move || work(&searcher, &inbox, &outbox))
            .map_err(|e| crate::error::Error::new("error.storage").arg("detail", e))?;
        Ok(Searching {
            jobs: Some(jobs),
            results,
            canceller,
            in_flight: 0,
            thread: Some(thread),
        })
    }

    /// Cancels the search running, if any, and queues `job`.
    pub fn submit(&mut self, job: Job) {
        self.canceller.cancel();
        if let Some(jobs) = &self.jobs
            && jobs.send(job).is_ok()
        {
            self.in_flight += 1;
        }
    }

    /// Whether a search is queued or running.
    pub fn busy(&self) -> bool {
        self.in_flight > 0
    }

    /// The messages of a search that finished, without waiting.
    pub fn try_next(&mut self) -> Option<Vec<Msg>> {
        let msgs = self.results.try_recv().ok()?;
        self.in_flight = self.in_flight.saturating_sub(1);
        Some(msgs)
    }

    /// The messages of the next search to finish, waiting for it (None: nothing in flight).
    pub fn wait_next(&mut self) -> Option<Vec<Msg>> {
        if self.in_flight == 0 {
            return None;
        }
        let msgs = self.results.recv().ok()?;
        self.in_flight -= 1;
        Some(msgs)
    }
}

impl Drop for Searching {
    fn drop(&mut self) {
        self.canceller.cancel();
        // Closing the queue ends the thread's loop.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's loop: the newest job queued, run; one batch of messages for every job.
fn work(searcher: &Searcher, inbox: &Receiver<Job>, outbox: &Sender<Vec<Msg>>) {
    while let Ok(mut job) = inbox.recv() {
        while let Ok(newer) = inbox.try_recv() {
            // The older one is skipped: it answers with nothing.
            if outbox.send(Vec::new()).is_err() {
                return;
            }
            job = newer;
        }
        if outbox.send(run(searcher, &job)).is_err() {
            return;
        }
    }
}

/// Runs one search: its page, then (asked for, and when the page is full) the count.
fn run(searcher: &Searcher, job: &Job) -> Vec<Msg> {
    let Job {
        seq,
        filter,
        fetch,
        count,
    } = job;
    let key = fetch.key.map(|k| cases::cursor(ORDER, k));
    let page = match (fetch.kind, key) {
        (FetchKind::Before | FetchKind::Last, Some(before)) => {
            searcher.search_before(filter, fetch.limit, before)
        }
        _ => searcher.search(filter, fetch.limit, key),
    };
    let rows = match page {
        Ok((rows, _)) => rows,
        Err(e) => return answer(*seq, e),
    };
    let full = rows.len() >= fetch.limit as usize;
    let got = rows.len() as u64;
    let mut msgs = vec![Msg::Cases(cases::Msg::Found {
        seq: *seq,
        fetch: *fetch,
        rows,
    })];
    if *count {
        // Counting visits every match: only when the page did not hold them all.
        let counted = if full {
            searcher.count(filter)
        } else {
            Ok(got)
        };
        match counted {
            Ok(count) => msgs.push(Msg::Cases(cases::Msg::Counted { seq: *seq, count })),
            Err(e) => msgs.extend(answer(*seq, e)),
        }
    }
    msgs
}

/// What a failed search says: nothing when a newer one cancelled it, the reason beside the
/// query when the query was refused, else a failure on the notice line.
fn answer(seq: u64, error: crate::error::Error) -> Vec<Msg> {
    match error.key {
        "error.search_cancelled" => Vec::new(),
        "error.search_empty" | "error.search_too_long" => {
            vec![Msg::Cases(cases::Msg::Refused { seq, error })]
        }
        _ => {
            tracing::warn!(error = %error, "search failed");
            vec![Msg::Failed(error)]
        }
    }
}
