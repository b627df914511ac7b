//! Care calls (定期回访): the open one of each site on a care plan, and those made.

use crate::store::complaints::{arg_refs, scope_to_sites};
use crate::store::followups::agenda_args;
use crate::store::sql::{self, Db, Optional, Row, args};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Store;

/// A care call to a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareCall {
    /// Row id.
    pub id: i64,
    /// The site's key.
    pub site: String,
    /// The care plan's key.
    pub plan: String,
    /// The role that calls or visits.
    pub role: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// When it was made (or cancelled).
    pub done_at: Option<DateTime<Utc>>,
    /// Made (`true`); `None` while open, or cancelled.
    pub reached: Option<bool>,
    /// Satisfaction 1–5, when made.
    pub satisfaction: Option<u8>,
    /// What was said.
    pub note: String,
    /// Failed attempts so far (not reached).
    pub attempts: u32,
    /// The complaint a low score opened.
    pub complaint_id: Option<i64>,
}

const COLUMNS: &str = "id, site, plan, role, due_at, done_at, reached, satisfaction, note, \
    attempts, complaint_id";

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn care_at(r: &Row<'_>) -> sql::Result<CareCall> {
    Ok(CareCall {
        id: r.get(0)?,
        site: r.get(1)?,
        plan: r.get(2)?,
        role: r.get(3)?,
        due_at: at(r.get(4)?),
        done_at: r.get::<Option<i64>>(5)?.map(at),
        reached: r.get(6)?,
        satisfaction: r.get(7)?,
        note: r.get(8)?,
        attempts: r.get(9)?,
        complaint_id: r.get(10)?,
    })
}

/// The care call with row id `id`.
pub fn by_id(tx: &Db<'_>, id: i64) -> sql::Result<Option<CareCall>> {
    tx.row(
        &format!("SELECT {COLUMNS} FROM care_calls WHERE id = ?1"),
        args![id],
        care_at,
    )
    .optional()
}

/// Opens a care call to `site` on `plan`, due at `due`, unless the site has one open
/// already (another desk opening at the same moment got there first); whether it opened.
pub fn open(
    tx: &Db<'_>,
    site: &str,
    plan: &str,
    role: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sql::Result<bool> {
    let n = tx.execute(
        "INSERT INTO care_calls (site, plan, role, due_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        args![site, plan, role, due.timestamp(), now.timestamp()],
    )?;
    Ok(n == 1)
}

/// Closes an open care call without it being made (its site left the plan).
pub fn cancel(tx: &Db<'_>, id: i64, now: DateTime<Utc>) -> sql::Result<()> {
    tx.execute(
        "UPDATE care_calls SET done_at = ?2 WHERE id = ?1 AND done_at IS NULL",
        args![id, now.timestamp()],
    )?;
    Ok(())
}

/// Records a care call as made: by `agent`, with its satisfaction and note.
pub fn made(
    tx: &Db<'_>,
    id: i64,
    satisfaction: u8,
    note: &str,
    agent: &str,
    now: DateTime<Utc>,
) -> sql::Result<()> {
    tx.execute(
        "UPDATE care_calls SET done_at = ?2, reached = 1, satisfaction = ?3, note = ?4,
             agent = ?5
         WHERE id = ?1 AND done_at IS NULL",
        args![id, now.timestamp(), satisfaction, note, agent],
    )?;
    Ok(())
}

/// Records a failed attempt: the call stays open, due again at `due`.
pub fn failed(tx: &Db<'_>, id: i64, due: DateTime<Utc>) -> sql::Result<()> {
    tx.execute(
        "UPDATE care_calls SET attempts = attempts + 1, due_at = ?2
         WHERE id = ?1 AND done_at IS NULL",
        args![id, due.timestamp()],
    )?;
    Ok(())
}

/// Links a care call to the complaint its low score opened.
pub fn link(tx: &Db<'_>, id: i64, complaint_id: i64) -> sql::Result<()> {
    tx.execute(
        "UPDATE care_calls SET complaint_id = ?2 WHERE id = ?1",
        args![id, complaint_id],
    )?;
    Ok(())
}

/// An open care call: its id, site and plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCare {
    /// Row id.
    pub id: i64,
    /// The site's key.
    pub site: String,
    /// The care plan's key.
    pub plan: String,
}

impl Store {
    /// Every open care call (one per site on a plan), for matching them to the
    /// configuration.
    pub fn open_care_calls(&self) -> Result<Vec<OpenCare>> {
        self.db()
            .rows(
                "SELECT id, site, plan FROM care_calls WHERE done_at IS NULL",
                args![],
                |r| {
                    Ok(OpenCare {
                        id: r.get(0)?,
                        site: r.get(1)?,
                        plan: r.get(2)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Open care calls to `sites` (`None`: every site) due in `[from, to)` after
    /// `(due, id)` of the last one read, in (due time, id) order.
    pub fn care_agenda(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
        after: Option<(i64, i64)>,
        sites: Option<&[String]>,
    ) -> Result<Vec<CareCall>> {
        let mut sql = format!(
            "SELECT {COLUMNS} FROM care_calls INDEXED BY care_calls_open
             WHERE done_at IS NULL AND due_at >= ?1 AND due_at < ?2
               AND (due_at, id) > (?3, ?4)"
        );
        let mut args = agenda_args(from, to, after, limit);
        scope_to_sites(&mut sql, &mut args, "site", sites);
        sql.push_str(" ORDER BY due_at, id LIMIT ?5");
        self.db()
            .rows(&sql, &arg_refs(&args), care_at)
            .map_err(|e| self.err(e))
    }

    /// Open care calls to `sites` (`None`: every site) due in each of the ranges
    /// `[bounds[i], bounds[i + 1])`.
    pub fn care_counts(
        &self,
        bounds: &[DateTime<Utc>],
        sites: Option<&[String]>,
    ) -> Result<Vec<i64>> {
        self.counts_between(
            "SELECT count(*) FROM care_calls INDEXED BY care_calls_open
             WHERE done_at IS NULL AND due_at >= ?1 AND due_at < ?2",
            bounds,
            "site",
            sites,
        )
    }

    /// A site's care calls, newest first.
    pub fn care_calls_of(&self, site: &str, limit: u32) -> Result<Vec<CareCall>> {
        self.db()
            .rows(
                &format!(
                    "SELECT {COLUMNS} FROM care_calls INDEXED BY care_calls_site
                 WHERE site = ?1 ORDER BY due_at DESC, id DESC LIMIT ?2"
                ),
                args![site, limit],
                care_at,
            )
            .map_err(|e| self.err(e))
    }
}
