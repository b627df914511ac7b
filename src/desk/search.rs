//! Search over every case: text and filters, newest first, phones masked; and a searcher
//! with its own connection that a front end runs on another thread and cancels.

use std::borrow::Cow;
use std::path::Path;

use super::privacy::masked;
use super::{Clock, Desk};
use crate::config::Config;
use crate::domain::complaint::{Complaint, Queue, halfwidth};
use crate::domain::number;
use crate::domain::search::{SearchFilter, View};
use crate::error::{Error, Result};
use crate::store::complaints::Cursor;
use crate::store::{MigrationProgress, Store};

/// Longest "today's sequence" that [`Desk::find_number`] takes (more digits: a whole number).
const MAX_SEQUENCE_DIGITS: usize = 6;

/// A page of results and the cursor to continue from (its last row; for a page read
/// upwards, its first row).
pub type SearchPage = (Vec<Complaint>, Option<Cursor>);

impl Desk {
    /// Opens the database like [`Desk::open`], telling `progress` how a long migration
    /// (building the search index of a large file) is getting on.
    pub fn open_with_progress(
        path: &Path,
        config: Config,
        agent: &str,
        clock: Box<dyn Clock>,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Desk> {
        Desk::new(
            Store::open_with_progress(path, progress)?,
            config,
            agent,
            clock,
        )
    }

    /// The complaints matching `filter`, newest received first, older than `after`; at most
    /// `limit`, with the cursor of the last.
    pub fn search(
        &self,
        filter: &SearchFilter,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<SearchPage> {
        self.actor()?;
        let filter = as_agent(filter, self.agent());
        Ok(last_cursor(self.store.search(&filter, limit, after)?))
    }

    /// The `limit` matches just newer than `before` (the page above), newest first, with the
    /// cursor of the first.
    pub fn search_before(
        &self,
        filter: &SearchFilter,
        limit: u32,
        before: Cursor,
    ) -> Result<SearchPage> {
        self.actor()?;
        let filter = as_agent(filter, self.agent());
        Ok(first_cursor(
            self.store.search_before(&filter, limit, before)?,
        ))
    }

    /// How many complaints match `filter` (visits every match: ask after the first page).
    pub fn search_count(&self, filter: &SearchFilter) -> Result<u64> {
        self.actor()?;
        self.store.search_count(&as_agent(filter, self.agent()))
    }

    /// The number of the complaint `text` names: a whole number (`20261130-0017`, the dash
    /// optional) or a sequence of today, the desk's local day (`17`); refused when there is
    /// no such complaint.
    pub fn find_number(&self, text: &str) -> Result<String> {
        self.actor()?;
        let typed: String = text.trim().chars().map(halfwidth).collect();
        let number = match typed.parse::<u32>() {
            Ok(seq) if typed.len() <= MAX_SEQUENCE_DIGITS => {
                let today = self.clock.now().with_timezone(&chrono::Local).date_naive();
                number::format(today, seq)
            }
            _ => number::normalise(&typed),
        };
        self.store
            .complaint_by_number(&number)?
            .map(|c| c.number)
            .ok_or_else(|| Error::new("error.not_found").arg("number", text.trim()))
    }

    /// A searcher on a connection of its own, to run searches on another thread while this
    /// desk goes on; cancel them through its [`Canceller`].
    pub fn searcher(&self) -> Result<Searcher> {
        self.actor()?;
        Ok(Searcher {
            store: Store::open_reader(self.store.path())?,
            agent: self.agent().to_string(),
        })
    }
}

/// The filter as the store reads it: "mine" names the agent searching as the handler.
fn as_agent<'f>(filter: &'f SearchFilter, agent: &str) -> Cow<'f, SearchFilter> {
    if filter.view == View::Mine {
        Cow::Owned(SearchFilter {
            handler: Some(agent.to_string()),
            ..filter.clone()
        })
    } else {
        Cow::Borrowed(filter)
    }
}

fn last_cursor(rows: Vec<Complaint>) -> SearchPage {
    let cursor = rows.last().map(|c| Cursor::of(Queue::All, c));
    (rows.into_iter().map(masked).collect(), cursor)
}

fn first_cursor(rows: Vec<Complaint>) -> SearchPage {
    let cursor = rows.first().map(|c| Cursor::of(Queue::All, c));
    (rows.into_iter().map(masked).collect(), cursor)
}

/// Searches on a read connection of its own (made by [`Desk::searcher`]): move it to a
/// background thread; a newer query cancels the running one through [`Searcher::canceller`].
#[derive(Debug)]
pub struct Searcher {
    store: Store,
    /// Whose cases are "mine".
    agent: String,
}

impl Searcher {
    /// As [`Desk::search`].
    pub fn search(
        &self,
        filter: &SearchFilter,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<SearchPage> {
        let filter = as_agent(filter, &self.agent);
        Ok(last_cursor(self.store.search(&filter, limit, after)?))
    }

    /// As [`Desk::search_before`].
    pub fn search_before(
        &self,
        filter: &SearchFilter,
        limit: u32,
        before: Cursor,
    ) -> Result<SearchPage> {
        let filter = as_agent(filter, &self.agent);
        Ok(first_cursor(
            self.store.search_before(&filter, limit, before)?,
        ))
    }

    /// As [`Desk::search_count`].
    pub fn count(&self, filter: &SearchFilter) -> Result<u64> {
        self.store.search_count(&as_agent(filter, &self.agent))
    }

    /// Cancels from any thread what this searcher is running at the time; the search or
    /// count returns the error `error.search_cancelled`.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.store.interrupt_handle())
    }
}

/// Stops a [`Searcher`]'s running query from another thread.
pub struct Canceller(rusqlite::InterruptHandle);

impl Canceller {
    /// Interrupts the query running now, if any (one started later is not affected).
    pub fn cancel(&self) {
        self.0.interrupt();
    }
}

impl std::fmt::Debug for Canceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Canceller")
    }
}
