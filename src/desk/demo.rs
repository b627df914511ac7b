//! Loading demo data: one thread generates cases and seals their events (the CPU-heavy half),
//! the calling thread writes them, a transaction per [`DEMO_BATCH`] complaints.

use std::sync::mpsc;

use super::Desk;
use crate::demo::{DemoCase, DemoGenerator};
use crate::domain::agent::Permission;
use crate::domain::number;
use crate::error::{Error, Result};
use crate::store::complaints::{self, NewRow};
use crate::store::events::{self, SealedDetail, SealedEvent};
use crate::store::followups;

/// Complaints per transaction: short enough (under a second in a release build) that other
/// terminals' writes wait on it well within the busy timeout. Larger ones gain little (40 s
/// instead of 42 at 10⁶ with 50,000), and a debug build would hold the lock for too long.
const DEMO_BATCH: u64 = 20_000;

/// Cases per message from the generating thread to the writing one (divides `DEMO_BATCH`,
/// so a transaction ends on a message boundary).
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
    /// now; `progress` hears how many are written so far (committed every `DEMO_BATCH`).
    /// Once agents are registered it takes the permission to manage them (the data is made
    /// up, but it fills every queue).
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
            let mut written = 0;
            while written < count {
                let end = (written + DEMO_BATCH).min(count);
                store.write(|tx| {
                    while written < end {
                        let chunk = chunks
                            .recv()
                            .map_err(|e| Error::new("error.storage").arg("detail", e))??;
                        write_chunk(tx, &chunk, agent)?;
                        written += chunk.len() as u64;
                        progress(written);
                        // The generating thread may be gone only if it panicked, which the
                        // scope reports.
                        let _ = bin.send(chunk);
                    }
                    Ok(())
                })?;
            }
            Ok(written)
        })
    }
}

/// Writes one chunk of cases, numbered on from the day counters, inside the caller's
/// transaction.
fn write_chunk(
    tx: &rusqlite::Transaction<'_>,
    chunk: &[Prepared],
    agent: &str,
) -> rusqlite::Result<()> {
    let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
        return Ok(());
    };
    let day_of = |p: &Prepared| {
        p.case
            .intake
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
    let mut chain = events::Chain::at_head(tx)?;
    for p in chunk {
        let case = &p.case;
        let c = &case.complaint;
        let day = day_of(p);
        let seq = counters.entry(number::day_key(day)).or_insert(0);
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
            created_by: agent,
            now: case.intake.received_at,
        };
        let id = complaints::insert(tx, &row, &number)?;
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
            chain.append_sealed(
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
    }
    for (day, last) in counters {
        complaints::set_day_counter(tx, &day, last)?;
    }
    Ok(())
}
