//! Loading demo data: one thread generates cases and seals their events (the CPU-heavy half),
//! the calling thread writes them through a [`BulkWriter`]: each case whole in one
//! transaction, a commit about every [`BULK_BUDGET`].

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};

use crate::store::sql::Db;

use super::Desk;
use crate::demo::{DemoCase, DemoGenerator};
use crate::domain::agent::Permission;
use crate::domain::number;
use crate::domain::policy::HandlerFrom;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::store::bulk::{BULK_BUDGET, BulkLoad, BulkWriter};
use crate::store::complaints::{self, NewRow};
use crate::store::events::{self, SealedDetail, SealedEvent};
use crate::store::followups;
use crate::store::search;

/// Cases per message from the generating thread to the writing one.
const CHUNK: u64 = 500;

/// Messages in flight between the two threads.
const IN_FLIGHT: usize = 8;

/// A generated case with everything the writer would otherwise compute: the handling record
/// as JSON and each event's sealed detail.
struct Prepared {
    case: DemoCase,
    handling: String,
    details: Vec<SealedDetail>,
}

impl Prepared {
    fn new(case: DemoCase) -> Result<Prepared> {
        let handling = serde_json::to_string(&case.complaint.handling)
            .map_err(|e| Error::new("error.storage").arg("detail", e))?;
        let details = case
            .events
            .iter()
            .map(|e| SealedDetail::new(&e.detail))
            .collect();
        Ok(Prepared {
            case,
            handling,
            details,
        })
    }
}

impl Desk {
    /// Fills the database with `count` realistic complaints spread over three years before
    /// now; `progress` hears how many are committed so far. Once agents are registered it
    /// takes the permission to manage them (the data is made up, but it fills every queue).
    pub fn demo(&mut self, count: u64, seed: u64, progress: &mut dyn FnMut(u64)) -> Result<u64> {
        if !self.needs_first_admin()? {
            self.require(Permission::ManageAgents, None)?;
        }
        let now = self.clock.now();
        self.store.use_bulk_cache()?;
        let config = &self.config;
        let agent = self.agent.as_str();
        let store = &mut self.store;
        std::thread::scope(|scope| {
            let (send, chunks) = mpsc::sync_channel::<Result<Vec<Prepared>>>(IN_FLIGHT);
            // Written chunks go back to be freed on the generating thread, off the writer's.
            let (bin, written_chunks) = mpsc::channel::<Vec<Prepared>>();
            scope.spawn(move || {
                let mut generator = DemoGenerator::new(config, seed, count, now);
                let mut made = 0;
                while made < count {
                    let n = CHUNK.min(count - made);
                    let chunk = (0..n)
                        .map(|_| Prepared::new(generator.next_case()))
                        .collect();
                    // The writer has stopped (it failed): nothing more to make.
                    if send.send(chunk).is_err() {
                        return;
                    }
                    made += n;
                    written_chunks.try_iter().for_each(drop);
                }
                // Until the writer is done.
                written_chunks.iter().for_each(drop);
            });
            let from_intake = config.policy.handling.handler_from == HandlerFrom::Intake;
            let load = DemoLoad {
                agent,
                from_intake,
                zone: config.policy.timezone,
            };
            let mut bulk = store.bulk(load, BULK_BUDGET)?;
            let mut pushed = 0;
            while pushed < count {
                let chunk = next_chunk(&chunks, &mut bulk)?;
                for p in &chunk {
                    bulk.push(p)?;
                }
                pushed += chunk.len() as u64;
                progress(bulk.committed());
                // The generating thread may be gone only if it panicked, which the scope
                // reports.
                let _ = bin.send(chunk);
            }
            let written = bulk.finish()?;
            progress(written);
            Ok(written)
        })
    }
}

/// The next chunk from the generating thread. If it is not ready within what is left of the
/// open transaction's budget, that transaction commits first: the lock is not held while
/// waiting when the generating thread falls behind.
fn next_chunk(
    chunks: &Receiver<Result<Vec<Prepared>>>,
    bulk: &mut BulkWriter<'_, DemoLoad<'_>>,
) -> Result<Vec<Prepared>> {
    let gone = |e: &dyn std::fmt::Display| Error::new("error.storage").arg("detail", e);
    if let Some(left) = bulk.time_left() {
        match chunks.recv_timeout(left) {
            Ok(chunk) => return chunk,
            Err(RecvTimeoutError::Timeout) => bulk.commit()?,
            Err(e @ RecvTimeoutError::Disconnected) => return Err(gone(&e)),
        }
    }
    chunks.recv().map_err(|e| gone(&e))?
}

/// Demo cases written in bulk, numbered on from the day counters.
struct DemoLoad<'a> {
    agent: &'a str,
    /// Handlers come from intake: an untriaged case is its intake agent's.
    from_intake: bool,
    /// The desk's zone, whose day numbers a complaint.
    zone: Zone,
}

/// What one transaction of the demo keeps in memory: the end of the chain, the day
/// counters it has used, and the search index rows written together at its end.
struct DemoBatch {
    chain: events::Chain,
    counters: HashMap<String, i64>,
    index: search::Deferred,
}

impl BulkLoad for DemoLoad<'_> {
    type Item = Prepared;
    type Batch = DemoBatch;

    fn begin(&mut self, tx: &Db<'_>) -> Result<DemoBatch> {
        Ok(DemoBatch {
            chain: events::Chain::at_head(tx)?,
            counters: HashMap::new(),
            index: search::Deferred::default(),
        })
    }

    fn write(&mut self, tx: &Db<'_>, batch: &mut DemoBatch, p: &Prepared) -> Result<()> {
        let case = &p.case;
        let c = &case.complaint;
        let day = self.zone.day(case.intake.received_at);
        let key = number::day_key(day);
        let seq = match batch.counters.get_mut(&key) {
            Some(seq) => seq,
            None => {
                let last = complaints::day_counters(tx, &key, &key)?
                    .first()
                    .map_or(0, |(_, last)| *last);
                batch.counters.entry(key).or_insert(last)
            }
        };
        *seq += 1;
        let number = number::format(day, u32::try_from(*seq).unwrap_or(u32::MAX));
        let row = NewRow {
            intake: &case.intake,
            scope: c.scope,
            party: c.party.as_deref(),
            complaint_type: c.complaint_type.as_deref(),
            severity: c.severity.as_deref(),
            intent: c.intent,
            spread_risk: c.spread_risk,
            explained: c.explained,
            stage: c.stage,
            closed_at: c.closed_at,
            handling: Some(&p.handling),
            created_by: self.agent,
            // The agent who classified the case (the moves walked set it), else by the
            // setting the one who took it.
            handler: c.handler.as_deref().or_else(|| {
                self.from_intake
                    .then(|| case.events.first().map(|e| e.agent))
                    .flatten()
            }),
            now: case.intake.received_at,
        };
        let id = complaints::insert_deferred(tx, &row, &number, &mut batch.index)?;
        for call in &case.calls {
            followups::insert_callback(
                tx,
                id,
                call.kind,
                call.due_at,
                call.created_at,
                call.done_at,
            )?;
        }
        for r in &case.revisits {
            followups::insert_revisit(tx, id, &r.role, r.due_at, r.done)?;
        }
        for (e, detail) in case.events.iter().zip(&p.details) {
            batch.chain.append_sealed(
                tx,
                &SealedEvent {
                    complaint_id: Some(id),
                    at: e.at,
                    agent: e.agent,
                    kind: e.kind,
                    from_stage: e.from_stage,
                    to_stage: e.to_stage,
                    detail,
                },
            )?;
        }
        Ok(())
    }

    fn end(&mut self, tx: &Db<'_>, mut batch: DemoBatch) -> Result<()> {
        batch.index.write(tx)?;
        for (day, last) in batch.counters {
            complaints::set_day_counter(tx, &day, last)?;
        }
        Ok(())
    }
}
