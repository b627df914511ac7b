//! What the report reads (issue 17): each complaint alive in a period or open now, with its
//! first-reply call and its open calls and revisits counted against now, and the timeline's
//! events in the period that the figures count. The same SQL on both engines; the figures
//! themselves are src/domain/report.rs's.

use chrono::{DateTime, Utc};

use crate::domain::complaint::{Channel, Scope};
use crate::domain::privacy::mask_phone;
use crate::domain::report::{CaseFacts, EventKind, Period, PeriodEvent};
use crate::domain::stage::Stage;
use crate::error::Result;
use crate::store::Store;
use crate::store::complaints::{arg_refs, scope_to_sites};
use crate::store::sql::{self, Row, Value};

/// The open callbacks (`b`) or revisits of complaint `c` due in a range of `?lo`..`?hi`.
fn open_due(table: &str, range: &str) -> String {
    format!(
        "(SELECT count(*) FROM {table} b WHERE b.complaint_id = c.id AND b.done_at IS NULL AND {range})"
    )
}

fn time(secs: i64) -> sql::Result<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| sql::Error::value(format!("time {secs} out of range")))
}

fn facts(r: &Row<'_>) -> sql::Result<CaseFacts> {
    let text = |i: usize| r.get::<String>(i);
    let bad = |what: &str, v: &str| sql::Error::value(format!("unknown {what} \"{v}\""));
    let channel = text(3)?;
    let scope: Option<String> = r.get(9)?;
    let stage = text(13)?;
    let handling = text(14)?;
    let first_due: Option<i64> = r.get(15)?;
    let first_done: Option<i64> = r.get(16)?;
    Ok(CaseFacts {
        number: text(0)?,
        received_at: time(r.get(1)?)?,
        closed_at: r.get::<Option<i64>>(2)?.map(time).transpose()?,
        channel: Channel::parse(&channel).ok_or_else(|| bad("channel", &channel))?,
        category: text(4)?,
        severity: r.get(5)?,
        handler: r.get(6)?,
        site: r.get(7)?,
        party: r.get(8)?,
        scope: match scope {
            None => None,
            Some(s) => Some(Scope::parse(&s).ok_or_else(|| bad("scope", &s))?),
        },
        location: text(10)?,
        phone_norm: text(11)?,
        phone_masked: mask_phone(&text(12)?),
        stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
        handling: serde_json::from_str(&handling)
            .map_err(|e| sql::Error::value(format!("handling: {e}")))?,
        first_reply: match first_due {
            Some(due) => Some((time(due)?, first_done.map(time).transpose()?)),
            None => None,
        },
        callbacks_overdue: r.get(17)?,
        callbacks_due_today: r.get(18)?,
        revisits_overdue: r.get(19)?,
        revisits_due_today: r.get(20)?,
    })
}

impl Store {
    /// The facts of every complaint of `sites` (`None`: all) alive in `period` (received
    /// before its end and not closed before its start) or open now, with their calls and
    /// revisits due before `now` (overdue) and from `now` to `day_end` (due today).
    pub fn report_facts(
        &self,
        period: Period,
        now: DateTime<Utc>,
        day_end: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<Vec<CaseFacts>> {
        let overdue = "b.due_at < ?3";
        let today = "b.due_at >= ?3 AND b.due_at < ?4";
        let mut sql = format!(
            "SELECT c.number, c.received_at, c.closed_at, c.channel, c.category, c.severity,
                    c.handler, c.site, c.party, c.scope, c.location, c.phone_norm, c.phone,
                    c.stage, c.handling,
                    (SELECT min(b.due_at) FROM callbacks b
                      WHERE b.complaint_id = c.id AND b.kind = 'first_reply'),
                    (SELECT max(b.done_at) FROM callbacks b
                      WHERE b.complaint_id = c.id AND b.kind = 'first_reply'),
                    {}, {}, {}, {}
             FROM complaints c
             WHERE (c.closed_at IS NULL OR (c.received_at < ?2 AND c.closed_at >= ?1))",
            open_due("callbacks", overdue),
            open_due("callbacks", today),
            open_due("revisits", overdue),
            open_due("revisits", today),
        );
        let mut args = vec![
            Value::Int(period.from.timestamp()),
            Value::Int(period.to.timestamp()),
            Value::Int(now.timestamp()),
            Value::Int(day_end.timestamp()),
        ];
        scope_to_sites(&mut sql, &mut args, "c.site", sites);
        sql.push_str(" ORDER BY c.received_at, c.id");
        self.db()
            .rows(&sql, &arg_refs(&args), facts)
            .map_err(|e| self.err(e))
    }

    /// The events of complaints of `sites` (`None`: all) in `period` that the figures count
    /// (reopened, escalated, revisited), oldest first.
    pub fn report_events(
        &self,
        period: Period,
        sites: Option<&[String]>,
    ) -> Result<Vec<PeriodEvent>> {
        let kinds: Vec<String> = EventKind::KINDS.iter().map(|k| format!("'{k}'")).collect();
        let mut sql = format!(
            "SELECT c.number, e.at, e.kind, e.detail
             FROM events e JOIN complaints c ON c.id = e.complaint_id
             WHERE e.at >= ?1 AND e.at < ?2 AND e.kind IN ({})",
            kinds.join(", ")
        );
        let mut args = vec![
            Value::Int(period.from.timestamp()),
            Value::Int(period.to.timestamp()),
        ];
        scope_to_sites(&mut sql, &mut args, "c.site", sites);
        sql.push_str(" ORDER BY e.id");
        let rows = self
            .db()
            .rows(&sql, &arg_refs(&args), |r| {
                let kind: String = r.get(2)?;
                let detail: String = r.get(3)?;
                let detail = serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null);
                Ok(
                    EventKind::of(&kind, &detail).map(|kind| -> sql::Result<PeriodEvent> {
                        Ok(PeriodEvent {
                            number: r.get(0)?,
                            at: time(r.get(1)?)?,
                            kind,
                        })
                    }),
                )
            })
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .flatten()
            .collect::<sql::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }
}
