//! The search thread: searches run on a connection of their own, so the frame never waits on
//! one. A newer search cancels the one running, and searches still queued behind a newer one
//! are skipped. Each search submitted gives back exactly one batch of messages (empty when it
//! was cancelled or skipped), so the runner knows when none is in flight.

use crate::desk::Searcher;
use crate::domain::complaint::Queue;
use crate::domain::search::SearchFilter;
use crate::error::Result;
use crate::tui::msg::Msg;
use crate::tui::panes::cases;
use crate::tui::widgets::window::{Fetch, FetchKind};
use crate::tui::worker::Worker;

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

/// The search thread.
pub type Searching = Worker<Job>;

/// Starts the search thread with `searcher` (a connection of its own).
pub fn start(searcher: Searcher) -> Result<Searching> {
    let canceller = searcher.canceller();
    Worker::start("search", Some(canceller), move |job| run(&searcher, &job))
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
