//! Bulk loads in short transactions, so that other processes' saves wait a fraction of a
//! second on any disk, never the busy timeout.
//!
//! A [`BulkWriter`] writes whole items (a complaint with all its events) and commits once a
//! transaction has run for its budget (by elapsed time, checked between items), then pauses
//! a few milliseconds so that a writer waiting on the lock takes its turn. A load stopped
//! midway keeps the items of the transactions already committed.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{Store, report, with_path};
use crate::domain::summary::Basis;
use crate::error::{Error, Result};
use crate::store::sql::{Db, Txn};

/// Work per transaction of a bulk load: about a quarter of a second, whatever the disk.
pub const BULK_BUDGET: Duration = Duration::from_millis(250);

/// Pause between a bulk commit and the next transaction: several of the lock tries of a
/// writer waiting in another process (one every [`super::BUSY_POLL`]).
const HANDOFF: Duration = Duration::from_millis(5);

/// What a bulk load writes, one whole item at a time.
pub trait BulkLoad {
    /// One unit that is written whole, in one transaction (a complaint with its events).
    type Item;
    /// What one transaction keeps in memory (the chain's head, number counters).
    type Batch;
    /// At the start of each transaction: reads what the items build on, which another
    /// process may have moved since the last one.
    fn begin(&mut self, tx: &Db<'_>) -> Result<Self::Batch>;
    /// Writes one item.
    fn write(&mut self, tx: &Db<'_>, batch: &mut Self::Batch, item: &Self::Item) -> Result<()>;
    /// Before each commit: writes back what the batch kept in memory.
    fn end(&mut self, tx: &Db<'_>, batch: Self::Batch) -> Result<()>;
}

/// Writes items through a [`BulkLoad`] in transactions of about `budget` of work each.
/// Dropped without [`BulkWriter::finish`], it rolls back the open transaction.
pub struct BulkWriter<'s, L: BulkLoad> {
    db: Db<'s>,
    path: &'s Path,
    basis: Option<&'s Basis>,
    load: L,
    budget: Duration,
    open: Option<Open<'s, L::Batch>>,
    committed: u64,
    last_commit: Option<Instant>,
}

/// The open transaction of a bulk writer.
struct Open<'s, B> {
    tx: Txn<'s>,
    /// The timeline's last event before the transaction (the report's sums keep up with
    /// the complaints of the events after it).
    since: i64,
    batch: B,
    began: Instant,
    items: u64,
}

impl Store {
    /// A bulk writer on this store, committing about every `budget` (see [`BULK_BUDGET`]);
    /// refused like a first [`Store::write`] on a damaged file.
    pub fn bulk<L: BulkLoad>(&mut self, load: L, budget: Duration) -> Result<BulkWriter<'_, L>> {
        self.check_before_write()?;
        Ok(BulkWriter {
            db: self.db(),
            path: &self.path,
            basis: self.summary_basis.as_ref(),
            load,
            budget,
            open: None,
            committed: 0,
            last_commit: None,
        })
    }
}

impl<'s, L: BulkLoad> BulkWriter<'s, L> {
    /// Writes `item` in the open transaction (beginning one if none is open), then commits
    /// if the transaction has had its budget.
    pub fn push(&mut self, item: &L::Item) -> Result<()> {
        let mut open = match self.open.take() {
            Some(open) => open,
            None => self.begin()?,
        };
        self.load
            .write(open.tx.db(), &mut open.batch, item)
            .map_err(|e| with_path(e, self.path))?;
        open.items += 1;
        if open.began.elapsed() >= self.budget {
            self.commit_open(open)
        } else {
            self.open = Some(open);
            Ok(())
        }
    }

    /// What is left of the open transaction's budget (`None` when none is open): a caller
    /// waiting for its next item waits no longer, then commits, so that the lock is not
    /// held while idle.
    pub fn time_left(&self) -> Option<Duration> {
        self.open
            .as_ref()
            .map(|open| self.budget.saturating_sub(open.began.elapsed()))
    }

    /// Commits the open transaction, if any.
    pub fn commit(&mut self) -> Result<()> {
        match self.open.take() {
            Some(open) => self.commit_open(open),
            None => Ok(()),
        }
    }

    /// Items committed so far.
    pub fn committed(&self) -> u64 {
        self.committed
    }

    /// Commits the rest; returns how many items were committed in all.
    pub fn finish(mut self) -> Result<u64> {
        self.commit()?;
        Ok(self.committed)
    }

    fn begin(&mut self) -> Result<Open<'s, L::Batch>> {
        if let Some(at) = self.last_commit {
            std::thread::sleep(HANDOFF.saturating_sub(at.elapsed()));
        }
        let tx = Txn::begin(self.db).map_err(|e| Error::storage(self.path, e))?;
        let began = Instant::now();
        let since = report::last_event(tx.db()).map_err(|e| Error::storage(self.path, e))?;
        let batch = self
            .load
            .begin(tx.db())
            .map_err(|e| with_path(e, self.path))?;
        Ok(Open {
            tx,
            since,
            batch,
            began,
            items: 0,
        })
    }

    fn commit_open(&mut self, open: Open<'s, L::Batch>) -> Result<()> {
        self.load
            .end(open.tx.db(), open.batch)
            .map_err(|e| with_path(e, self.path))?;
        report::upkeep(open.tx.db(), open.since, self.basis)
            .map_err(|e| Error::storage(self.path, e))?;
        super::postgres::announce(open.tx.db()).map_err(|e| Error::storage(self.path, e))?;
        open.tx.commit().map_err(|e| Error::storage(self.path, e))?;
        self.committed += open.items;
        self.last_commit = Some(Instant::now());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::args;

    /// Writes numbers into a table of its own; counts the transactions it saw.
    struct Numbers {
        transactions: u32,
    }

    impl BulkLoad for Numbers {
        type Item = i64;
        type Batch = Vec<i64>;

        fn begin(&mut self, tx: &Db<'_>) -> Result<Vec<i64>> {
            tx.batch("CREATE TABLE IF NOT EXISTS bulk_test (n INTEGER NOT NULL)")?;
            self.transactions += 1;
            Ok(Vec::new())
        }

        fn write(&mut self, tx: &Db<'_>, batch: &mut Vec<i64>, n: &i64) -> Result<()> {
            if *n < 0 {
                return Err(Error::new("error.storage").arg("detail", "negative"));
            }
            tx.execute("INSERT INTO bulk_test (n) VALUES (?1)", args![n])?;
            batch.push(*n);
            Ok(())
        }

        fn end(&mut self, tx: &Db<'_>, batch: Vec<i64>) -> Result<()> {
            tx.execute(
                "INSERT INTO bulk_test (n) VALUES (?1)",
                args![1000 + batch.len() as i64],
            )?;
            Ok(())
        }
    }

    fn rows(store: &Store) -> Vec<i64> {
        store
            .db()
            .rows("SELECT n FROM bulk_test ORDER BY rowid", args![], |r| {
                r.get(0)
            })
            .unwrap_or_default()
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("bulk.db")).expect("open");
        (dir, store)
    }

    #[test]
    fn a_spent_budget_commits_after_every_item() {
        let (_dir, mut store) = store();
        let mut bulk = store
            .bulk(Numbers { transactions: 0 }, Duration::ZERO)
            .expect("bulk");
        for n in 1..=3 {
            bulk.push(&n).expect("push");
            assert_eq!(bulk.committed(), n as u64);
            assert_eq!(bulk.time_left(), None, "nothing left open");
        }
        assert_eq!(bulk.finish().expect("finish"), 3);
        assert_eq!(rows(&store), [1, 1001, 2, 1001, 3, 1001]);
    }

    #[test]
    fn a_long_budget_commits_once_at_the_end() {
        let (_dir, mut store) = store();
        let mut bulk = store
            .bulk(Numbers { transactions: 0 }, Duration::from_secs(3600))
            .expect("bulk");
        for n in 1..=3 {
            bulk.push(&n).expect("push");
        }
        assert_eq!(bulk.committed(), 0);
        assert!(bulk.time_left().is_some());
        bulk.commit().expect("commit");
        bulk.push(&4).expect("push");
        assert_eq!(bulk.committed(), 3);
        assert_eq!(bulk.load.transactions, 2);
        assert_eq!(bulk.finish().expect("finish"), 4);
        assert_eq!(rows(&store), [1, 2, 3, 1003, 4, 1001]);
    }

    #[test]
    fn a_failed_item_rolls_back_its_transaction_only() {
        let (_dir, mut store) = store();
        let mut bulk = store
            .bulk(Numbers { transactions: 0 }, Duration::from_secs(3600))
            .expect("bulk");
        bulk.push(&1).expect("push");
        bulk.commit().expect("commit");
        bulk.push(&2).expect("push");
        let err = bulk.push(&-1).expect_err("refused");
        assert!(err.get("path").is_some(), "{err:?}");
        drop(bulk);
        assert_eq!(rows(&store), [1, 1001]);
        // The store is usable again.
        store.write(|_| Ok(())).expect("write");
    }
}
