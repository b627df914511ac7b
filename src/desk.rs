//! `Desk`: the one application layer. Every user operation validates, writes its change and
//! its event in one transaction, and is what both the CLI and the TUI call.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::demo::{DemoCase, DemoGenerator};
use crate::domain::agent::validate_agent_name;
use crate::domain::complaint::{Complaint, NewComplaint, Queue, validate};
use crate::domain::number;
use crate::domain::stage::Stage;
use crate::error::{Error, Result};
use crate::store::complaints::{self, Cursor, NewRow};
use crate::store::events::{self, Event, NewEvent};
use crate::store::followups::{Callback, Revisit};
use crate::store::{BackupReport, Store};

/// Where the time comes from (the system clock, or a fixed one in tests).
pub trait Clock {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Everything about one complaint: the case file `show` prints and the detail pane draws.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// The complaint.
    pub complaint: Complaint,
    /// Its timeline, oldest first.
    pub events: Vec<Event>,
    /// Calls owed.
    pub callbacks: Vec<Callback>,
    /// Revisits planned or done.
    pub revisits: Vec<Revisit>,
}

/// How many rows the demo writes per transaction.
const DEMO_BATCH: u64 = 20_000;

/// The application layer over one database, one configuration and one acting agent.
pub struct Desk {
    store: Store,
    config: Config,
    agent: String,
    clock: Box<dyn Clock>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("store", &self.store)
            .field("agent", &self.agent)
            .finish()
    }
}

impl Desk {
    /// A desk acting as `agent`.
    pub fn new(store: Store, config: Config, agent: &str, clock: Box<dyn Clock>) -> Result<Desk> {
        Ok(Desk {
            store,
            config,
            agent: validate_agent_name(agent)?,
            clock,
        })
    }

    /// The effective configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Who acts.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// Records a complaint and its `received` event; returns it with its new number.
    pub fn intake(&mut self, new: &NewComplaint) -> Result<Complaint> {
        let now = self.clock.now();
        let valid = validate(new, &self.config, now)?;
        let agent = self.agent.clone();
        self.store.write(|tx| {
            let day = valid.received_at.with_timezone(&chrono::Local).date_naive();
            let number = complaints::next_number(tx, day)?;
            let id = complaints::insert(tx, &NewRow::intake(&valid, &agent, now), &number)?;
            let detail = serde_json::json!({
                "channel": valid.channel.as_str(),
                "category": valid.category,
                "apologized": valid.apologized,
            });
            events::append(
                tx,
                &NewEvent {
                    complaint_id: id,
                    at: now,
                    agent: &agent,
                    kind: "received",
                    from_stage: None,
                    to_stage: Some(Stage::Received),
                    detail: &detail,
                },
            )?;
            Ok(complaints::by_id(tx, id)?)
        })
    }

    /// One page of a queue after `cursor` (keyset paging through the queue's index).
    pub fn page(
        &self,
        queue: Queue,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<(Vec<Complaint>, Option<Cursor>)> {
        self.store.page(queue, limit, after)
    }

    /// Streams a queue in order, `limit` rows at most (all when `None`).
    pub fn for_each(
        &self,
        queue: Queue,
        limit: Option<u64>,
        f: impl FnMut(&Complaint) -> Result<()>,
    ) -> Result<()> {
        self.store.for_each(queue, limit, f)
    }

    /// How many complaints a queue holds.
    pub fn count(&self, queue: Queue) -> Result<i64> {
        self.store.count(queue)
    }

    /// The case file of complaint `number` (typed with or without its dash).
    pub fn case_file(&self, number_text: &str) -> Result<CaseFile> {
        let number = number::normalise(number_text);
        let complaint = self
            .store
            .complaint_by_number(&number)?
            .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
        Ok(CaseFile {
            events: self.store.events(complaint.id)?,
            callbacks: self.store.callbacks(complaint.id)?,
            revisits: self.store.revisits(complaint.id)?,
            complaint,
        })
    }

    /// Online backup to `dest`, checked with `PRAGMA integrity_check`.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport> {
        self.store.backup(dest)
    }

    /// `PRAGMA quick_check` of the whole file.
    pub fn quick_check(&self) -> Result<()> {
        self.store.quick_check()
    }

    /// Fills the database with `count` realistic complaints spread over three years before
    /// now; `progress` hears how many are written so far.
    pub fn demo(&mut self, count: u64, seed: u64, progress: &mut dyn FnMut(u64)) -> Result<u64> {
        let now = self.clock.now();
        self.store.use_bulk_cache()?;
        let mut generator = DemoGenerator::new(&self.config, seed, count, now);
        let agent = self.agent.clone();
        let mut written = 0;
        while written < count {
            let batch = DEMO_BATCH.min(count - written);
            let cases: Vec<DemoCase> = (0..batch).map(|_| generator.next_case()).collect();
            self.store
                .write(|tx| Ok(write_demo_batch(tx, &cases, &agent)?))?;
            written += batch;
            progress(written);
        }
        Ok(written)
    }
}

fn write_demo_batch(
    tx: &rusqlite::Transaction<'_>,
    cases: &[DemoCase],
    agent: &str,
) -> rusqlite::Result<()> {
    let (Some(first), Some(last)) = (cases.first(), cases.last()) else {
        return Ok(());
    };
    let day_of = |c: &DemoCase| {
        c.intake
            .received_at
            .with_timezone(&chrono::Local)
            .date_naive()
    };
    let from = number::day_key(day_of(first));
    let to = number::day_key(day_of(last));
    let mut counters: std::collections::HashMap<String, i64> =
        complaints::day_counters(tx, &from, &to)?
            .into_iter()
            .collect();
    for case in cases {
        let day = day_of(case);
        let seq = counters.entry(number::day_key(day)).or_insert(0);
        *seq += 1;
        let number = number::format(day, u32::try_from(*seq).unwrap_or(u32::MAX));
        let row = NewRow {
            intake: &case.intake,
            scope: case.scope,
            party: case.party.as_deref(),
            complaint_type: case.complaint_type.as_deref(),
            severity: case.severity.as_deref(),
            intent: case.intent,
            spread_risk: case.spread_risk,
            explained: case.explained,
            stage: case.stage,
            closed_at: case.closed_at,
            created_by: agent,
            now: case.intake.received_at,
        };
        let id = complaints::insert(tx, &row, &number)?;
        for e in &case.events {
            events::append(
                tx,
                &NewEvent {
                    complaint_id: id,
                    at: e.at,
                    agent: &e.agent,
                    kind: e.kind,
                    from_stage: e.from_stage,
                    to_stage: e.to_stage,
                    detail: &e.detail,
                },
            )?;
        }
    }
    for (day, last) in counters {
        complaints::set_day_counter(tx, &day, last)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;
    use crate::domain::complaint::Channel;

    fn desk(dir: &tempfile::TempDir) -> Desk {
        let store = Store::open(&dir.path().join("desk.db")).expect("open");
        let at = DateTime::parse_from_rfc3339("2026-11-20T17:50:00+08:00").expect("time");
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        Desk::new(
            store,
            config,
            " 王丽 ",
            Box::new(FixedClock(at.with_timezone(&Utc))),
        )
        .expect("desk")
    }

    fn leak() -> NewComplaint {
        NewComplaint {
            channel: Some(Channel::Phone),
            name: "张伟".into(),
            phone: "13800138000".into(),
            location: "3栋2单元1801".into(),
            category: "漏水".into(),
            description: "卫生间漏水".into(),
            outcome: String::new(),
            apologized: true,
            received_at: None,
        }
    }

    #[test]
    fn intake_records_the_complaint_and_its_event_together() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        assert_eq!(desk.agent(), "王丽");
        let c = desk.intake(&leak()).expect("intake");
        assert_eq!(c.stage, Stage::Received);
        assert_eq!(c.scope, None);
        assert_eq!(c.version, 1);
        assert_eq!(c.received_at, FixedClock(c.received_at).now());
        let case = desk.case_file(&c.number).expect("case");
        assert_eq!(case.events.len(), 1);
        let e = &case.events[0];
        assert_eq!((e.agent.as_str(), e.kind.as_str()), ("王丽", "received"));
        assert_eq!(e.to_stage, Some(Stage::Received));
        assert_eq!(e.detail["category"], "leak");
        assert_eq!(desk.count(Queue::Untriaged).expect("count"), 1);
    }

    #[test]
    fn a_refused_intake_writes_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        let mut bad = leak();
        bad.phone = "电话".into();
        assert_eq!(
            desk.intake(&bad).map_err(|e| e.key),
            Err("error.phone_invalid")
        );
        assert_eq!(desk.count(Queue::All).expect("count"), 0);
        assert_eq!(
            desk.case_file("20261120-0001").map_err(|e| e.key).err(),
            Some("error.not_found")
        );
    }

    #[test]
    fn pages_continue_where_the_last_one_ended() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut desk = desk(&dir);
        let mut numbers = Vec::new();
        for i in 0..7 {
            let mut c = leak();
            let clock_now = desk.clock.now();
            c.received_at = Some(clock_now - chrono::Duration::hours(100 - i));
            numbers.push(desk.intake(&c).expect("intake").number);
        }
        let (first, cursor) = desk.page(Queue::Untriaged, 3, None).expect("page");
        let (second, cursor) = desk.page(Queue::Untriaged, 3, cursor).expect("page");
        let (third, _) = desk.page(Queue::Untriaged, 3, cursor).expect("page");
        let seen: Vec<String> = first
            .iter()
            .chain(&second)
            .chain(&third)
            .map(|c| c.number.clone())
            .collect();
        assert_eq!(seen, numbers, "oldest first, each once");
    }
}
