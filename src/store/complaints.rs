//! Complaint rows: insert, fetch, and the queues paged through indexes.

use crate::store::sql::{self, Db, Engine, Optional, Row, Value, args};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::complaint::{Channel, Complaint, Intent, Queue, Scope, ValidComplaint};
use crate::domain::number;
use crate::domain::stage::Stage;
use crate::error::Result;
use crate::store::{Store, search};

/// The complaint columns, in `complaint_at` order, qualified with table alias `c`.
pub(crate) fn qualified_columns() -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) const COLUMNS: &str = "id, number, received_at, channel, name, phone, location, category, \
    description, outcome, apologized, scope, party, type, severity, intent, spread_risk, \
    explained, stage, version, closed_at, updated_at, handling, handler, site, \
    extra_categories, merged_into";

/// A complaint row to insert: the validated intake plus its classification and stage.
#[derive(Debug, Clone)]
pub struct NewRow<'a> {
    /// The validated intake.
    pub intake: &'a ValidComplaint,
    /// Scope, `None` while untriaged.
    pub scope: Option<Scope>,
    /// Responsible party.
    pub party: Option<&'a str>,
    /// Complaint type.
    pub complaint_type: Option<&'a str>,
    /// Severity.
    pub severity: Option<&'a str>,
    /// Intent.
    pub intent: Intent,
    /// Spread risk.
    pub spread_risk: bool,
    /// Responsibility explained.
    pub explained: bool,
    /// Stage.
    pub stage: Stage,
    /// When closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// What the handling method recorded, as JSON (demo data walked through moves);
    /// `None` for a fresh complaint.
    pub handling: Option<&'a str>,
    /// Who recorded it.
    pub created_by: &'a str,
    /// Who handles it (承办人), if anyone yet.
    pub handler: Option<&'a str>,
    /// When it was recorded.
    pub now: DateTime<Utc>,
}

impl<'a> NewRow<'a> {
    /// A fresh, untriaged complaint as intake records it, handled by `handler` if anyone.
    pub fn intake(
        intake: &'a ValidComplaint,
        created_by: &'a str,
        handler: Option<&'a str>,
        now: DateTime<Utc>,
    ) -> Self {
        NewRow {
            intake,
            scope: None,
            party: None,
            complaint_type: None,
            severity: None,
            intent: Intent::Unclear,
            spread_risk: false,
            explained: false,
            stage: Stage::Received,
            closed_at: None,
            handling: None,
            created_by,
            handler,
            now,
        }
    }
}

/// Who looks at a queue: "mine" is their cases, "approval" what their role may approve,
/// and only their sites' complaints when they are scoped to sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer<'a> {
    /// The acting agent.
    pub agent: &'a str,
    /// The largest compensation their role may approve; `None`: none.
    pub approves_up_to: Option<u32>,
    /// The sites whose complaints they see (besides those naming no site); `None`: every
    /// site's.
    pub sites: Option<Vec<String>>,
}

impl Viewer<'_> {
    /// Nobody in particular: for the queues that do not depend on who looks.
    pub const NOBODY: Viewer<'static> = Viewer {
        agent: "",
        approves_up_to: None,
        sites: None,
    };

    /// The queue's own argument (`?1` of its filter).
    fn arg(&self, queue: Queue) -> Value<'static> {
        match queue {
            Queue::Mine => Value::Text(self.agent.to_string().into()),
            Queue::Approval => self
                .approves_up_to
                .map_or(Value::Null, |l| Value::Int(i64::from(l))),
            _ => Value::Null,
        }
    }
}

/// Appends to `sql` (which has a `WHERE`) the condition that keeps the complaints whose
/// site (`column`) is one of `sites` or none, its arguments pushed onto `args` (numbered
/// after those already there). Nothing when `sites` is `None` (every site).
pub(crate) fn scope_to_sites(
    sql: &mut String,
    args: &mut Vec<Value<'static>>,
    column: &str,
    sites: Option<&[String]>,
) {
    if let Some(cond) = site_condition(args, column, sites) {
        sql.push_str(" AND ");
        sql.push_str(&cond);
    }
}

/// The condition keeping the complaints whose site (`column`) is one of `sites` or none,
/// its arguments pushed onto `args`; `None` when `sites` is `None` (every site). Written
/// so that no index of the site serves it: the list's own index gives the order, where
/// `site IS NULL OR site IN (…)` would let the planner gather every row of those sites
/// from the sites index and sort them (the counts read that index on purpose, see
/// [`count_by_site`]).
pub(crate) fn site_condition(
    args: &mut Vec<Value<'static>>,
    column: &str,
    sites: Option<&[String]>,
) -> Option<String> {
    let sites = sites?;
    let placeholders: Vec<String> = sites
        .iter()
        .map(|s| {
            args.push(Value::Text(s.clone().into()));
            format!(", ?{}", args.len())
        })
        .collect();
    Some(format!(
        "COALESCE({column}, '') IN (''{})",
        placeholders.concat()
    ))
}

/// The count of the complaints matching `filter` (terms on `closed_at`, `scope` and
/// `received_at`, which the sites index holds; its arguments already in `args`) whose
/// site is one of `sites` or
/// none: those naming no site and those of the sites counted apart, each from ranges of
/// the sites index (one count over `site IS NULL OR site IN (…)` would gather the row ids
/// of both first). The sites' arguments are pushed onto `args`.
fn count_by_site(filter: &str, args: &mut Vec<Value<'static>>, sites: &[String]) -> String {
    let index = indexed_by("complaints_site_closed");
    let mut sql =
        format!("SELECT (SELECT count(*) FROM complaints{index} WHERE site IS NULL AND {filter})");
    if !sites.is_empty() {
        let placeholders: Vec<String> = sites
            .iter()
            .map(|s| {
                args.push(Value::Text(s.clone().into()));
                format!("?{}", args.len())
            })
            .collect();
        sql.push_str(&format!(
            " + (SELECT count(*) FROM complaints{index} WHERE site IN ({}) AND {filter})",
            placeholders.join(", ")
        ));
    }
    sql
}

/// Position after the last row of a page, for the next page (keyset paging).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The sort key of the last row (received or closed time).
    pub key: i64,
    /// Its row id.
    pub id: i64,
}

impl Cursor {
    /// The position of complaint `c` in `queue`'s order.
    pub fn of(queue: Queue, c: &Complaint) -> Cursor {
        Cursor {
            key: sort_key(queue, c),
            id: c.id,
        }
    }
}

/// Reserves the next number for `day` inside the caller's transaction.
pub fn next_number(tx: &Db<'_>, day: NaiveDate) -> sql::Result<String> {
    let seq: i64 = tx.row(
        "INSERT INTO number_seq (day, last) VALUES (?1, 1)
         ON CONFLICT (day) DO UPDATE SET last = number_seq.last + 1
         RETURNING last",
        args![number::day_key(day)],
        |r| r.get(0),
    )?;
    Ok(number::format(day, u32::try_from(seq).unwrap_or(u32::MAX)))
}

/// Inserts a complaint row with the given number, and its search index row; returns its id.
pub fn insert(tx: &Db<'_>, row: &NewRow<'_>, number: &str) -> sql::Result<i64> {
    let (id, key) = insert_row(tx, row, number)?;
    search::index_new(tx, id, key)?;
    Ok(id)
}

/// Inserts a complaint row as [`insert`] does, its search index row kept in `deferred` to
/// be written with the others of a bulk load ([`search::Deferred::write`]) before the
/// transaction commits.
pub fn insert_deferred(
    tx: &Db<'_>,
    row: &NewRow<'_>,
    number: &str,
    deferred: &mut search::Deferred,
) -> sql::Result<i64> {
    let (id, key) = insert_row(tx, row, number)?;
    deferred.index_new(tx, id, key)?;
    Ok(id)
}

/// Inserts a complaint row; its id and search key.
fn insert_row(tx: &Db<'_>, row: &NewRow<'_>, number: &str) -> sql::Result<(i64, Option<i64>)> {
    let c = row.intake;
    let key = search::key_for_new(tx, c.received_at.timestamp())?;
    let id = tx.value(
        "INSERT INTO complaints (number, received_at, channel, name, phone, phone_norm, location,
            category, description, outcome, apologized, scope, party, type, severity, intent,
            spread_risk, explained, stage, closed_at, created_at, updated_at, created_by,
            handling, handler, search_key, site, extra_categories)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?21, ?22, ?23, ?24, ?25, ?26, ?27)
         RETURNING id",
        args![
            number,
            c.received_at.timestamp(),
            c.channel.as_str(),
            c.name,
            c.phone,
            c.phone_norm,
            c.location,
            c.category,
            c.description,
            c.outcome,
            c.apologized,
            row.scope.map(Scope::as_str),
            row.party,
            row.complaint_type,
            row.severity,
            row.intent.as_str(),
            row.spread_risk,
            row.explained,
            row.stage.as_str(),
            row.closed_at.map(|t| t.timestamp()),
            row.now.timestamp(),
            row.created_by,
            row.handling.unwrap_or("{}"),
            row.handler,
            key,
            c.site,
            categories_json(&c.extra_categories),
        ],
    )?;
    Ok((id, key))
}

/// Per-day counters for the given days (the demo reserves numbers in bulk).
pub fn day_counters(tx: &Db<'_>, from: &str, to: &str) -> sql::Result<Vec<(String, i64)>> {
    tx.rows(
        "SELECT day, last FROM number_seq WHERE day BETWEEN ?1 AND ?2",
        args![from, to],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Stores the per-day counters after a bulk insert.
pub fn set_day_counter(tx: &Db<'_>, day: &str, last: i64) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO number_seq (day, last) VALUES (?1, ?2)
         ON CONFLICT (day) DO UPDATE SET last = CASE WHEN excluded.last > number_seq.last
             THEN excluded.last ELSE number_seq.last END",
        args![day, last],
    )?;
    Ok(())
}

fn time(secs: i64) -> sql::Result<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| sql::Error::value(format!("time {secs} out of range")))
}

fn bad(column: usize, what: &str, value: &str) -> sql::Error {
    sql::Error::value(format!("column {column}: unknown {what} \"{value}\""))
}

pub(crate) fn from_row(r: &Row<'_>) -> sql::Result<Complaint> {
    complaint_at(r, 0)
}

/// A complaint read from `r`, its columns (`COLUMNS` order) starting at `base`.
pub(crate) fn complaint_at(r: &Row<'_>, base: usize) -> sql::Result<Complaint> {
    let channel: String = r.get(base + 3)?;
    let scope: Option<String> = r.get(base + 11)?;
    let intent: String = r.get(base + 15)?;
    let stage: String = r.get(base + 18)?;
    Ok(Complaint {
        id: r.get(base)?,
        number: r.get(base + 1)?,
        received_at: time(r.get(base + 2)?)?,
        channel: Channel::parse(&channel).ok_or_else(|| bad(base + 3, "channel", &channel))?,
        name: r.get(base + 4)?,
        phone: r.get(base + 5)?,
        location: r.get(base + 6)?,
        category: r.get(base + 7)?,
        description: r.get(base + 8)?,
        outcome: r.get(base + 9)?,
        apologized: r.get(base + 10)?,
        scope: match scope {
            None => None,
            Some(s) => Some(Scope::parse(&s).ok_or_else(|| bad(base + 11, "scope", &s))?),
        },
        party: r.get(base + 12)?,
        complaint_type: r.get(base + 13)?,
        severity: r.get(base + 14)?,
        intent: Intent::parse(&intent).ok_or_else(|| bad(base + 15, "intent", &intent))?,
        spread_risk: r.get(base + 16)?,
        explained: r.get(base + 17)?,
        stage: Stage::parse(&stage).ok_or_else(|| bad(base + 18, "stage", &stage))?,
        version: r.get(base + 19)?,
        closed_at: r.get::<Option<i64>>(base + 20)?.map(time).transpose()?,
        updated_at: time(r.get(base + 21)?)?,
        handling: {
            let json: String = r.get(base + 22)?;
            serde_json::from_str(&json)
                .map_err(|e| sql::Error::value(format!("column {}: {}", base + 22, e)))?
        },
        handler: r.get(base + 23)?,
        site: r.get(base + 24)?,
        extra_categories: {
            let json: String = r.get(base + 25)?;
            serde_json::from_str(&json)
                .map_err(|e| sql::Error::value(format!("column {}: {}", base + 25, e)))?
        },
        merged_into: r.get(base + 26)?,
    })
}

/// Category keys as the `extra_categories` column holds them: a JSON array.
fn categories_json(keys: &[String]) -> String {
    serde_json::Value::from(keys).to_string()
}

/// The complaint with row id `id`.
pub fn by_id(conn: &Db<'_>, id: i64) -> sql::Result<Complaint> {
    conn.row(
        &format!("SELECT {COLUMNS} FROM complaints WHERE id = ?1"),
        args![id],
        from_row,
    )
}

/// The complaint numbered `number`, if any (inside a transaction).
pub fn by_number(conn: &Db<'_>, number: &str) -> sql::Result<Option<Complaint>> {
    conn.row(
        &format!("SELECT {COLUMNS} FROM complaints WHERE number = ?1"),
        args![number],
        from_row,
    )
    .optional()
}

/// Writes a handled complaint back (and its search index row) if its version is still
/// `expected`, bumping the version; false when another writer got there first. The primary
/// it is merged into goes with it (a merge and an unmerge write through here too).
pub fn update_handled(tx: &Db<'_>, c: &Complaint, expected: i64) -> sql::Result<bool> {
    let handling = serde_json::to_string(&c.handling).map_err(sql::Error::value)?;
    let n = tx.execute(
        "UPDATE complaints SET scope = ?1, party = ?2, type = ?3, severity = ?4, intent = ?5,
                spread_risk = ?6, explained = ?7, outcome = ?8, stage = ?9, closed_at = ?10,
                handling = ?11, updated_at = ?12, handler = ?15, merged_into = ?16,
                version = version + 1
             WHERE id = ?13 AND version = ?14",
        args![
            c.scope.map(Scope::as_str),
            c.party,
            c.complaint_type,
            c.severity,
            c.intent.as_str(),
            c.spread_risk,
            c.explained,
            c.outcome,
            c.stage.as_str(),
            c.closed_at.map(|t| t.timestamp()),
            handling,
            c.updated_at.timestamp(),
            c.id,
            expected,
            c.handler,
            c.merged_into,
        ],
    )?;
    if n == 1 {
        search::reindex(tx, c.id)?;
    }
    Ok(n == 1)
}

/// The complaints merged into the primary numbered `number`, oldest first (through the
/// partial index of `merged_into`: never a scan of the complaints).
pub fn absorbed_by(conn: &Db<'_>, number: &str) -> sql::Result<Vec<Complaint>> {
    conn.rows(&absorbed_sql(), args![number], from_row)
}

/// The query of [`absorbed_by`].
fn absorbed_sql() -> String {
    format!("SELECT {COLUMNS} FROM complaints WHERE merged_into = ?1 ORDER BY id")
}

impl Store {
    /// The complaints merged into the primary numbered `number`, oldest first.
    pub fn absorbed_by(&self, number: &str) -> Result<Vec<Complaint>> {
        absorbed_by(&self.db(), number).map_err(|e| self.err(e))
    }

    /// The complaint numbered `number`, if any.
    pub fn complaint_by_number(&self, number: &str) -> Result<Option<Complaint>> {
        self.db()
            .row(
                &format!("SELECT {COLUMNS} FROM complaints WHERE number = ?1"),
                args![number],
                from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// One page of a queue as `viewer` sees it, after `cursor`, through the queue's index.
    pub fn page(
        &self,
        queue: Queue,
        viewer: &Viewer<'_>,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<(Vec<Complaint>, Option<Cursor>)> {
        let db = self.db();
        let (sql, args) = queue_query(
            db.engine(),
            queue,
            viewer,
            after,
            false,
            Value::Int(limit.into()),
        );
        let rows = db
            .rows(&sql, &arg_refs(&args), from_row)
            .map_err(|e| self.err(e))?;
        let next = rows.last().map(|c| Cursor::of(queue, c));
        Ok((rows, next))
    }

    /// The `limit` rows of a queue just before `before` (the last rows when `None`), in
    /// queue order, and the cursor of the first of them: paging backwards through the
    /// same index, read in reverse.
    pub fn page_before(
        &self,
        queue: Queue,
        viewer: &Viewer<'_>,
        limit: u32,
        before: Option<Cursor>,
    ) -> Result<(Vec<Complaint>, Option<Cursor>)> {
        let db = self.db();
        let (sql, args) = queue_query(
            db.engine(),
            queue,
            viewer,
            before,
            true,
            Value::Int(limit.into()),
        );
        let mut rows = db
            .rows(&sql, &arg_refs(&args), from_row)
            .map_err(|e| self.err(e))?;
        rows.reverse();
        let first = rows.first().map(|c| Cursor::of(queue, c));
        Ok((rows, first))
    }

    /// The latest `limit` complaints of `sites` (`None`: every site) whose normalised phone
    /// starts with `digits`, newest first (through the phone index; callers pass enough
    /// digits to be selective).
    pub fn recent_by_phone(
        &self,
        digits: &str,
        limit: u32,
        sites: Option<&[String]>,
    ) -> Result<Vec<Complaint>> {
        self.recent_by_prefix("phone_norm", "complaints_phone", digits, limit, sites)
    }

    /// How many complaints of `sites` (`None`: every site) came from the normalised phone
    /// `phone_norm` at `since` or later (a range of the phone index).
    pub fn count_by_phone(
        &self,
        phone_norm: &str,
        since: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<u64> {
        let mut sql = format!(
            "SELECT count(*) FROM complaints{} WHERE phone_norm = ?1 AND received_at >= ?2",
            indexed_by("complaints_phone")
        );
        let mut args = vec![
            Value::Text(phone_norm.to_string().into()),
            Value::Int(since.timestamp()),
        ];
        scope_to_sites(&mut sql, &mut args, "site", sites);
        let n: i64 = self
            .db()
            .row(&sql, &arg_refs(&args), |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The latest `limit` complaints of `sites` (`None`: every site) whose location starts
    /// with `location`, newest first (through the location index).
    pub fn recent_by_location(
        &self,
        location: &str,
        limit: u32,
        sites: Option<&[String]>,
    ) -> Result<Vec<Complaint>> {
        self.recent_by_prefix("location", "complaints_location", location, limit, sites)
    }

    /// The open complaints of `sites` (`None`: every site) received at `since` or later
    /// with the normalised phone `phone_norm`, or at `location` in `category` (either may
    /// be empty: not looked for), newest first, at most `limit` of each (through the phone
    /// and location indexes).
    pub fn open_duplicates(
        &self,
        phone_norm: &str,
        location: &str,
        category: &str,
        since: DateTime<Utc>,
        limit: u32,
        sites: Option<&[String]>,
    ) -> Result<Vec<Complaint>> {
        let db = self.db();
        let mut found: Vec<Complaint> = Vec::new();
        let lookups = [
            ("complaints_phone", "phone_norm = ?1", phone_norm, ""),
            (
                "complaints_location",
                "location = ?1 AND category = ?4",
                location,
                category,
            ),
        ];
        for (index, condition, value, category) in lookups {
            if value.is_empty() {
                continue;
            }
            let mut sql = format!(
                "SELECT {COLUMNS} FROM complaints{}
                 WHERE {condition} AND received_at >= ?2 AND closed_at IS NULL",
                indexed_by(index)
            );
            let mut args = vec![
                Value::Text(value.to_string().into()),
                Value::Int(since.timestamp()),
                Value::Int(limit.into()),
            ];
            if !category.is_empty() {
                args.push(Value::Text(category.to_string().into()));
            }
            scope_to_sites(&mut sql, &mut args, "site", sites);
            sql.push_str(" ORDER BY received_at DESC, id DESC LIMIT ?3");
            found.extend(
                db.rows(&sql, &arg_refs(&args), from_row)
                    .map_err(|e| self.err(e))?,
            );
        }
        found.sort_by_key(|c| std::cmp::Reverse((c.received_at, c.id)));
        found.dedup_by_key(|c| c.id);
        Ok(found)
    }

    fn recent_by_prefix(
        &self,
        column: &str,
        index: &str,
        prefix: &str,
        limit: u32,
        sites: Option<&[String]>,
    ) -> Result<Vec<Complaint>> {
        let Some(upper) = prefix_upper_bound(prefix) else {
            return Ok(Vec::new());
        };
        let db = self.db();
        let mut sql = format!(
            "SELECT {COLUMNS} FROM complaints{}
             WHERE {column} >= ?1 AND {column} < ?2",
            indexed_by(index)
        );
        let mut args = vec![
            Value::Text(prefix.to_string().into()),
            Value::Text(upper.into()),
            Value::Int(limit.into()),
        ];
        scope_to_sites(&mut sql, &mut args, "site", sites);
        sql.push_str(" ORDER BY received_at DESC, id DESC LIMIT ?3");
        db.rows(&sql, &arg_refs(&args), from_row)
            .map_err(|e| self.err(e))
    }

    /// Streams a queue in its order, at most `limit` rows (all when `None`), one row in
    /// memory at a time.
    pub fn for_each(
        &self,
        queue: Queue,
        viewer: &Viewer<'_>,
        limit: Option<u64>,
        mut f: impl FnMut(&Complaint) -> Result<()>,
    ) -> Result<()> {
        let db = self.db();
        let cap = limit.map_or(db.engine().no_limit(), |l| {
            Value::Int(i64::try_from(l).unwrap_or(i64::MAX))
        });
        match db.engine() {
            Engine::Sqlite => {
                let (sql, args) = queue_query(db.engine(), queue, viewer, None, false, cap);
                // `f`'s own failure is handed back as it is, not as a storage error.
                let mut failed = None;
                let read = db.each(&sql, &arg_refs(&args), |row| {
                    f(&from_row(row)?).map_err(|e| {
                        failed = Some(e);
                        sql::Error::value("stopped")
                    })
                });
                match failed {
                    Some(e) => Err(e),
                    None => read.map_err(|e| self.err(e)),
                }
            }
            // Read whole, a result would be held in memory: page by key instead.
            Engine::Postgres => {
                let mut left = limit;
                let mut after = None;
                loop {
                    let take = left.map_or(STREAM_PAGE, |l| {
                        u32::try_from(l.min(u64::from(STREAM_PAGE))).unwrap_or(STREAM_PAGE)
                    });
                    if take == 0 {
                        return Ok(());
                    }
                    let (rows, next) = self.page(queue, viewer, take, after)?;
                    for c in &rows {
                        f(c)?;
                    }
                    if rows.len() < usize::try_from(take).unwrap_or(usize::MAX) {
                        return Ok(());
                    }
                    left = left.map(|l| l.saturating_sub(u64::from(take)));
                    after = next;
                }
            }
        }
    }

    /// How many complaints a queue holds as `viewer` sees it (an indexed count; not for
    /// every keystroke).
    pub fn count(&self, queue: Queue, viewer: &Viewer<'_>) -> Result<i64> {
        let db = self.db();
        let engine = db.engine();
        let (filter, takes_arg) = queue_filter(engine, queue);
        // Scoped to sites, the queues whose filter the sites index holds are counted from it.
        if let (Some(sites), Queue::Untriaged | Queue::Open | Queue::Closed | Queue::All) =
            (&viewer.sites, queue)
        {
            let mut args = Vec::new();
            let sql = count_by_site(&filter, &mut args, sites);
            return db.value(&sql, &arg_refs(&args)).map_err(|e| self.err(e));
        }
        // The queue's own (partial) index: the planner may otherwise pick a wider one.
        let mut sql = format!(
            "SELECT count(*) FROM complaints{} WHERE {filter}",
            indexed_by(queue_index(queue)),
        );
        let mut args = Vec::new();
        if takes_arg {
            args.push(viewer.arg(queue));
        }
        scope_to_sites(&mut sql, &mut args, "site", viewer.sites.as_deref());
        db.value(&sql, &arg_refs(&args)).map_err(|e| self.err(e))
    }

    /// How many complaints of `sites` (`None`: every site) were closed at or after `since`
    /// (a range of the closed index).
    pub fn count_closed_since(
        &self,
        since: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<i64> {
        self.count_where(
            "closed_at IS NOT NULL AND closed_at >= ?1",
            "complaints_closed",
            since,
            sites,
        )
    }

    /// Untriaged complaints of `sites` (`None`: every site) received at or before `by`
    /// (through the untriaged index).
    pub fn count_untriaged_received_by(
        &self,
        by: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<i64> {
        self.count_where(
            "scope IS NULL AND closed_at IS NULL AND received_at <= ?1",
            "complaints_untriaged",
            by,
            sites,
        )
    }

    /// Complaints of `sites` (`None`: every site) that `filter` keeps, its `?1` the time `at`:
    /// through `index` for every site, by site otherwise.
    fn count_where(
        &self,
        filter: &str,
        index: &str,
        at: DateTime<Utc>,
        sites: Option<&[String]>,
    ) -> Result<i64> {
        let mut args = vec![Value::Int(at.timestamp())];
        let sql = match sites {
            Some(sites) => count_by_site(filter, &mut args, sites),
            None => format!(
                "SELECT count(*) FROM complaints{} WHERE {filter}",
                indexed_by(index)
            ),
        };
        self.db()
            .value(&sql, &arg_refs(&args))
            .map_err(|e| self.err(e))
    }

    /// Gives the open cases nobody handles their intake agent (handlers from intake). One
    /// read of the "mine" index when there is none to give, as nearly always.
    pub fn assign_intake_handlers(&mut self) -> Result<usize> {
        let unhandled = format!(
            "FROM complaints{} WHERE handler IS NULL AND closed_at IS NULL",
            indexed_by("complaints_mine")
        );
        let any: Option<i64> = self
            .db()
            .value(&format!("SELECT 1 {unhandled} LIMIT 1"), args![])
            .optional()
            .map_err(|e| self.err(e))?;
        if any.is_none() {
            return Ok(0);
        }
        let basis = self.summary_basis().cloned();
        self.write(|tx| {
            let given: Vec<i64> = tx.rows(
                &format!(
                    "UPDATE complaints SET handler = created_by WHERE id IN (SELECT id {unhandled})
                     RETURNING id"
                ),
                args![],
                |r| r.get(0),
            )?;
            // No timeline event says so: the report's sums hear of it here.
            super::report::upkeep_of(tx, &given, basis.as_ref())?;
            Ok(given.len())
        })
    }
}

/// Borrows `values` as statement arguments.
pub(crate) fn arg_refs<'v>(values: &'v [Value<'v>]) -> Vec<&'v dyn sql::Arg> {
    values.iter().map(|v| v as &dyn sql::Arg).collect()
}

/// `INDEXED BY index`, with its leading space (SQLite's hint; PostgreSQL's text drops it,
/// see [`sql::pg_text`]).
pub(crate) fn indexed_by(index: &str) -> String {
    format!(" INDEXED BY {index}")
}

/// Rows a walk over a queue on PostgreSQL reads at a time.
const STREAM_PAGE: u32 = 2000;

fn sort_key(queue: Queue, c: &Complaint) -> i64 {
    match queue {
        Queue::Closed => c.closed_at.map_or(0, |t| t.timestamp()),
        _ => c.received_at.timestamp(),
    }
}

fn queue_index(queue: Queue) -> &'static str {
    match queue {
        Queue::Untriaged => "complaints_untriaged",
        Queue::Open => "complaints_open",
        Queue::Mine => "complaints_mine",
        Queue::Waiting => "complaints_waiting",
        Queue::Approval => "complaints_approval",
        Queue::Closed => "complaints_closed",
        Queue::All => "complaints_received",
    }
}

/// A queue's filter, and whether it takes the queue's argument (`?1`).
fn queue_filter(engine: Engine, queue: Queue) -> (String, bool) {
    match queue {
        Queue::Untriaged => ("scope IS NULL AND closed_at IS NULL".into(), false),
        Queue::Open => ("closed_at IS NULL".into(), false),
        // The partial indexes' own terms, so that each index applies.
        Queue::Mine => ("closed_at IS NULL AND handler = ?1".into(), true),
        Queue::Waiting => (
            format!(
                "closed_at IS NULL AND (stage = 'waiting_on_party' OR {})",
                engine.json_is("handling", &["waiting_on_customer"], &true.into())
            ),
            false,
        ),
        Queue::Approval => (
            format!(
                "closed_at IS NULL AND {} AND {} <= ?1",
                engine.json_is(
                    "handling",
                    &["plan", "approval", "state"],
                    &"pending".into()
                ),
                engine.json_number("handling", &["plan", "compensation"])
            ),
            true,
        ),
        Queue::Closed => ("closed_at IS NOT NULL".into(), false),
        Queue::All => ("1 = 1".into(), false),
    }
}

/// The smallest string greater than every string starting with `prefix` (its last character
/// incremented), for an index range scan; `None` for an empty prefix.
pub(crate) fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The page query of a queue and its arguments: its filter (with the queue's argument),
/// its index's order (`reversed` reads it backwards), keyset continuation from `cursor`,
/// and `limit`.
fn queue_query(
    engine: Engine,
    queue: Queue,
    viewer: &Viewer<'_>,
    cursor: Option<Cursor>,
    reversed: bool,
    limit: Value<'static>,
) -> (String, Vec<Value<'static>>) {
    let key = match queue {
        Queue::Closed => "closed_at",
        Queue::Untriaged
        | Queue::Open
        | Queue::Mine
        | Queue::Waiting
        | Queue::Approval
        | Queue::All => "received_at",
    };
    let ascending = queue.newest_first() == reversed;
    let (cmp, dir) = if ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let (filter, takes_arg) = queue_filter(engine, queue);
    let mut args = Vec::new();
    if takes_arg {
        args.push(viewer.arg(queue));
    }
    let mut sql = format!(
        "SELECT {COLUMNS} FROM complaints{} WHERE {filter}",
        indexed_by(queue_index(queue))
    );
    scope_to_sites(&mut sql, &mut args, "site", viewer.sites.as_deref());
    if let Some(c) = cursor {
        args.extend([Value::Int(c.key), Value::Int(c.id)]);
        let n = args.len();
        sql.push_str(&format!(" AND ({key}, id) {cmp} (?{}, ?{n})", n - 1));
    }
    args.push(limit);
    sql.push_str(&format!(
        " ORDER BY {key} {dir}, id {dir} LIMIT ?{}",
        args.len()
    ));
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every queue's page query is answered from its index, with no sort step.
    #[test]
    fn queue_pages_use_their_index_without_sorting() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("q.db")).expect("open");
        let queries = [
            Queue::Untriaged,
            Queue::Open,
            Queue::Mine,
            Queue::Waiting,
            Queue::Approval,
            Queue::Closed,
            Queue::All,
        ]
        .into_iter()
        .flat_map(|q| {
            [None, Some(Cursor { key: 1, id: 1 })]
                .into_iter()
                .flat_map(move |cursor| {
                    [false, true].into_iter().flat_map(move |reversed| {
                        [None, Some(vec!["lvjing".to_string(), "xiangshu".into()])]
                            .into_iter()
                            .map(move |sites| {
                                let viewer = Viewer {
                                    agent: "王丽",
                                    approves_up_to: Some(500),
                                    sites: sites.clone(),
                                };
                                let query = queue_query(
                                    Engine::Sqlite,
                                    q,
                                    &viewer,
                                    cursor,
                                    reversed,
                                    Value::Int(1),
                                );
                                let name =
                                    format!("{q:?} {cursor:?} reversed {reversed} {sites:?}");
                                (name, query)
                            })
                    })
                })
        });
        for (name, (sql, args)) in queries {
            let plan: Vec<String> = store
                .db()
                .rows(
                    &format!("EXPLAIN QUERY PLAN {sql}"),
                    &arg_refs(&args),
                    |r| r.get::<String>(3),
                )
                .expect("plan");
            let text = plan.join(" | ");
            assert!(text.contains("USING INDEX"), "{name}: {text}");
            assert!(!text.contains("TEMP B-TREE"), "{name} sorts: {text}");
        }
    }

    /// A scoped count of a large queue reads only ranges of the sites index (covering, no
    /// row read), and counts what the queue's filter with the sites' condition counts.
    #[test]
    fn scoped_counts_read_ranges_of_the_sites_index() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("q.db")).expect("open");
        let db = store.db();
        // Per site (and none): 3 open, 2 closed at 100 and 200.
        for (i, site) in [None, Some("lvjing"), Some("xiangshu"), Some("binjiang")]
            .into_iter()
            .enumerate()
        {
            for n in 0..5_i64 {
                let id = i as i64 * 10 + n + 1;
                let closed = (n >= 3).then_some(n * 100 - 200);
                db.execute(
                    "INSERT INTO complaints (id, number, received_at, channel, name, phone,
                         phone_norm, location, category, description, stage, closed_at,
                         created_at, updated_at, created_by, site, search_key)
                     VALUES (?1, ?2, ?1, 'phone', '张伟', '1', '1', '3栋', 'leak', '漏水',
                         'received', ?3, 0, 0, '王丽', ?4, ?2)",
                    args![id, format!("n{id}"), closed, site.map(str::to_string)],
                )
                .expect("insert");
            }
        }
        let sites = vec!["lvjing".to_string(), "xiangshu".into()];
        let viewer = Viewer {
            agent: "王丽",
            approves_up_to: None,
            sites: Some(sites.clone()),
        };
        let (open, closed, all) = ((Queue::Open, 9), (Queue::Closed, 6), (Queue::All, 15));
        for (queue, want) in [(Queue::Untriaged, 9), open, closed, all] {
            assert_eq!(
                store.count(queue, &viewer).expect("count"),
                want,
                "{queue:?}"
            );
        }
        let since = DateTime::from_timestamp(150, 0).expect("time");
        assert_eq!(store.count_closed_since(since, Some(&sites)).expect("n"), 3);
        assert_eq!(store.count_closed_since(since, Some(&[])).expect("n"), 1);
        assert_eq!(store.count_closed_since(since, None).expect("n"), 4);
        // Untriaged received by 32: all three of the first three sites, two of 滨江壹号's.
        let by = DateTime::from_timestamp(32, 0).expect("time");
        assert_eq!(
            store
                .count_untriaged_received_by(by, Some(&sites))
                .expect("n"),
            9
        );
        assert_eq!(store.count_untriaged_received_by(by, None).expect("n"), 11);

        let mut args = Vec::new();
        let sql = count_by_site("scope IS NULL AND closed_at IS NULL", &mut args, &sites);
        let plan: Vec<String> = db
            .rows(
                &format!("EXPLAIN QUERY PLAN {sql}"),
                &arg_refs(&args),
                |r| r.get::<String>(3),
            )
            .expect("plan");
        let text = plan.join(" | ");
        assert_eq!(
            text.matches("USING COVERING INDEX complaints_site_closed")
                .count(),
            2,
            "{text}"
        );
        assert!(!text.contains("SCAN complaints"), "{text}");

        // A list scoped to sites keeps its own order: the sites index is not read for it.
        let mut args = Vec::new();
        let cond = site_condition(&mut args, "site", Some(&sites)).expect("scoped");
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT id FROM complaints
             WHERE closed_at IS NULL AND {cond} ORDER BY received_at DESC LIMIT 50"
        );
        let plan: Vec<String> = db
            .rows(&sql, &arg_refs(&args), |r| r.get::<String>(3))
            .expect("plan");
        let text = plan.join(" | ");
        assert!(!text.contains("complaints_site"), "{text}");
        assert!(!text.contains("TEMP B-TREE"), "{text}");
    }

    /// The cases merged into a primary are read from the partial index of `merged_into`,
    /// the merge's own lookups by number and id from theirs: no query of a merge scans the
    /// complaints.
    #[test]
    fn the_cases_merged_into_one_are_read_from_their_index() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("m.db")).expect("open");
        let db = store.db();
        let plan: Vec<String> = db
            .rows(
                &format!("EXPLAIN QUERY PLAN {}", absorbed_sql()),
                args!["20261120-0001"],
                |r| r.get::<String>(3),
            )
            .expect("plan");
        let text = plan.join(" | ");
        assert!(
            text.contains("USING INDEX complaints_merged_into"),
            "{text}"
        );
        assert!(!text.contains("SCAN complaints"), "{text}");
        let plan: Vec<String> = db
            .rows(
                "EXPLAIN QUERY PLAN SELECT id FROM events WHERE complaint_id = ?1 AND kind = ?2
                 ORDER BY id DESC LIMIT 1",
                args![1, "merged_into"],
                |r| r.get::<String>(3),
            )
            .expect("plan");
        let text = plan.join(" | ");
        assert!(text.contains("events_complaint"), "{text}");
    }

    #[test]
    fn prefix_bounds() {
        assert_eq!(prefix_upper_bound("138").as_deref(), Some("139"));
        assert_eq!(prefix_upper_bound("3栋").as_deref(), Some("3栌"));
        assert_eq!(prefix_upper_bound(""), None);
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
    }
}
