//! The search index (`complaints_search`, FTS5 without positions): written in the
//! transaction of every write to a complaint, and queried newest first with the filters.
//!
//! The index's rowid is the complaint's `search_key`, its place in received order
//! ((received_at, id)). Keys are dense so that the index stays small (neighbouring entries of
//! a word differ by a few units, one byte each) and ordered so that FTS5 walks matches newest
//! first and stops after a page. Each UTC day of receipt owns a block of [`DAY_KEYS`] keys;
//! within it complaints follow each other [`GAP`] apart, and one logged late (received before
//! others of its day) takes the middle of the gap between its neighbours. When no gap is
//! left, the day's complaints are spaced out again ([`respace_day`]): a day's work, never
//! more, is moved.

use crate::store::sql::{self, Db, Engine, Optional, Row, Value, args};
use rusqlite::functions::FunctionFlags;

use crate::domain::complaint::{Channel, Complaint, Queue, Scope};
use crate::domain::handling::Handling;
use crate::domain::search::{self, SearchFilter, View};
use crate::domain::stage::Stage;
use crate::error::{Error, Result};
use crate::store::complaints::{self, Cursor, arg_refs, prefix_upper_bound, qualified_columns};
use crate::store::postgres::Cancel;
use crate::store::{Interrupt, Link, Stop, Store};

/// Keys of one day of receipt.
const DAY_KEYS: i64 = 1 << 20;
/// Where a day's first complaint goes: room below it for ones logged late.
const DAY_FIRST: i64 = DAY_KEYS / 16;
/// Distance between a complaint and the next one received.
const GAP: i64 = 8;
/// Distance between complaints when a day is spaced out again: room for a few late ones
/// between each two.
const RESPACED: i64 = 32;
const DAY_SECS: i64 = 86_400;

/// The SQL function that checks a candidate of a query longer than one gram:
/// `search_holds(query, number, name, phone, location, description, outcome, handling)`.
const HOLDS: &str = "search_holds";

/// Registers [`HOLDS`] on `conn` (every connection that searches).
pub(crate) fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        HOLDS,
        8,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text = |i| ctx.get::<String>(i);
            let handling: Handling = serde_json::from_str(&text(7)?)
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
            let (number, name, phone) = (text(1)?, text(2)?, text(3)?);
            let (location, description, outcome) = (text(4)?, text(5)?, text(6)?);
            let fields = search::stored_fields(
                &number,
                &name,
                &phone,
                &location,
                &description,
                &outcome,
                &handling,
            );
            Ok(search::holds(&fields, &text(0)?))
        },
    )
}

/// The day of receipt `received_at` (unix seconds) falls on, and its first key.
fn day_of(received_at: i64) -> (i64, i64) {
    let day = received_at.div_euclid(DAY_SECS);
    (day, day * DAY_KEYS)
}

/// The key of a complaint received at `received_at` and inserted now (after every
/// complaint received at the same second), between its neighbours of the same day; `None`
/// when no gap is left ([`index_new`] then spaces the day out).
pub fn key_for_new(conn: &Db<'_>, received_at: i64) -> sql::Result<Option<i64>> {
    if conn.engine() == Engine::Postgres {
        // PostgreSQL orders matches by (received_at, id); it needs no key.
        return Ok(None);
    }
    let id = i64::MAX;
    let (day, base) = day_of(received_at);
    let neighbour = |sql: &str, bound: i64| -> sql::Result<Option<i64>> {
        conn.row(sql, args![received_at, id, bound], |r| r.get(0))
            .optional()
    };
    let prev = neighbour(
        "SELECT search_key FROM complaints
         WHERE (received_at, id) < (?1, ?2) AND received_at >= ?3
         ORDER BY received_at DESC, id DESC LIMIT 1",
        day * DAY_SECS,
    )?;
    let next = neighbour(
        "SELECT search_key FROM complaints
         WHERE (received_at, id) > (?1, ?2) AND received_at < ?3
         ORDER BY received_at, id LIMIT 1",
        (day + 1) * DAY_SECS,
    )?;
    Ok(match (prev, next) {
        (None, None) => Some(base + DAY_FIRST),
        (Some(p), None) => Some(p + GAP).filter(|k| *k < base + DAY_KEYS),
        (None, Some(n)) => Some(n - GAP).filter(|k| *k >= base),
        (Some(p), Some(n)) => (n - p > 1).then(|| p + (n - p) / 2),
    })
}

/// Gives every complaint received on `day` a new key, [`RESPACED`] apart (closer on a day
/// of more than 30,000), and writes their index rows again.
fn respace_day(conn: &Db<'_>, day: i64) -> sql::Result<()> {
    let rows: Vec<(i64, Option<i64>)> = conn.rows(
        "SELECT id, search_key FROM complaints
             WHERE received_at >= ?1 AND received_at < ?2 ORDER BY received_at, id",
        args![day * DAY_SECS, (day + 1) * DAY_SECS],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let (first, step) = match (DAY_KEYS - DAY_FIRST) / count.max(1) {
        0 => (0, DAY_KEYS / count.max(1)),
        step => (DAY_FIRST, step.min(RESPACED)),
    };
    if step == 0 {
        return Err(sql::Error::value(format!(
            "more than {DAY_KEYS} complaints received on one day"
        )));
    }
    for &(id, key) in &rows {
        if let Some(key) = key {
            conn.execute("DELETE FROM complaints_search WHERE rowid = ?1", args![key])?;
            set_key(conn, id, None)?;
        }
    }
    let base = day * DAY_KEYS;
    for (i, &(id, _)) in (0..).zip(&rows) {
        let key = base + first + step * i;
        set_key(conn, id, Some(key))?;
        write_words(conn, &words_of(conn, id)?, key, false)?;
    }
    Ok(())
}

fn set_key(conn: &Db<'_>, id: i64, key: Option<i64>) -> sql::Result<()> {
    conn.execute(
        "UPDATE complaints SET search_key = ?2 WHERE id = ?1",
        args![id, key],
    )?;
    Ok(())
}

/// Writes complaint `id`'s index row again from the stored complaint (after a move).
pub fn reindex(conn: &Db<'_>, id: i64) -> sql::Result<()> {
    if conn.engine() == Engine::Postgres {
        return write_pg_words(conn, id);
    }
    let key: Option<i64> = conn.row(
        "SELECT search_key FROM complaints WHERE id = ?1",
        args![id],
        |r| r.get(0),
    )?;
    match key {
        Some(key) => write_words(conn, &words_of(conn, id)?, key, true),
        None => respace_day(conn, day_of(received_at(conn, id)?).0),
    }
}

/// When complaint `id` was received (seconds).
fn received_at(conn: &Db<'_>, id: i64) -> sql::Result<i64> {
    conn.row(
        "SELECT received_at FROM complaints WHERE id = ?1",
        args![id],
        |r| r.get(0),
    )
}

/// Writes the index row of complaint `id`, just inserted under `key` from
/// [`key_for_new`]; with no key, spaces its day out (which writes it).
pub fn index_new(conn: &Db<'_>, id: i64, key: Option<i64>) -> sql::Result<()> {
    if conn.engine() == Engine::Postgres {
        return write_pg_words(conn, id);
    }
    match key {
        Some(key) => write_words(conn, &words_of(conn, id)?, key, false),
        None => respace_day(conn, day_of(received_at(conn, id)?).0),
    }
}

/// Index rows of complaints inserted in bulk, written together before the transaction
/// commits. FTS5 flushes its pending terms at every statement that may abort (each insert
/// of a complaint, an event, a number), so index rows written one at a time between other
/// writes each become a segment of their own, merged again and again; written together
/// they make a few.
#[derive(Debug, Default)]
pub struct Deferred {
    rows: Vec<(i64, String)>,
}

/// Index rows per statement of [`Deferred::write`] (two variables each).
const DEFERRED_CHUNK: usize = 500;

impl Deferred {
    /// Keeps the index row of complaint `id`, just inserted under `key` (see [`index_new`]);
    /// a day spaced out again is written at once (after the rows kept so far).
    pub fn index_new(&mut self, conn: &Db<'_>, id: i64, key: Option<i64>) -> sql::Result<()> {
        match (conn.engine(), key) {
            (Engine::Sqlite, Some(key)) => {
                self.rows.push((key, words_of(conn, id)?));
                Ok(())
            }
            _ => {
                self.write(conn)?;
                index_new(conn, id, key)
            }
        }
    }

    /// Writes the rows kept, a few hundred per statement.
    pub fn write(&mut self, conn: &Db<'_>) -> sql::Result<()> {
        for chunk in self.rows.chunks(DEFERRED_CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(?{}, ?{})", 2 * i + 1, 2 * i + 2))
                .collect();
            let mut args: Vec<&dyn sql::Arg> = Vec::with_capacity(2 * chunk.len());
            for (key, words) in chunk {
                args.push(key);
                args.push(words);
            }
            conn.execute(
                &format!(
                    "INSERT INTO complaints_search (rowid, words) VALUES {}",
                    values.join(", ")
                ),
                &args,
            )?;
        }
        self.rows.clear();
        Ok(())
    }
}

/// The columns the index words come from, in [`search::stored_fields`] order: every
/// schema since the index has them, so the migrations that build it read only these.
const INDEXED: &str = "number, name, phone, location, description, outcome, handling";

/// The index words of complaint `id`.
fn words_of(conn: &Db<'_>, id: i64) -> sql::Result<String> {
    conn.row(
        &format!("SELECT {INDEXED} FROM complaints WHERE id = ?1"),
        args![id],
        |r| words_at(r, 0),
    )
}

/// The index words of the [`INDEXED`] columns of `r` from `base` on.
fn words_at(r: &Row<'_>, base: usize) -> sql::Result<String> {
    let text = |i: usize| r.get::<String>(base + i);
    let handling: String = text(6)?;
    let handling = serde_json::from_str(&handling)
        .map_err(|e| sql::Error::value(format!("column {}: {}", base + 6, e)))?;
    let (number, name, phone) = (text(0)?, text(1)?, text(2)?);
    let (location, description, outcome) = (text(3)?, text(4)?, text(5)?);
    let fields = search::stored_fields(
        &number,
        &name,
        &phone,
        &location,
        &description,
        &outcome,
        &handling,
    );
    Ok(search::words(fields.iter().map(|f| f.as_ref())))
}

/// Writes complaint `id`'s words into its `search_words` (PostgreSQL): the same words as
/// SQLite's index, each a lexeme as it is (no parser, no stemming).
fn write_pg_words(conn: &Db<'_>, id: i64) -> sql::Result<()> {
    let words = words_of(conn, id)?;
    conn.execute(
        "UPDATE complaints
         SET search_words = array_to_tsvector(array_remove(string_to_array(?2, ' '), ''))
         WHERE id = ?1",
        args![id, words],
    )?;
    Ok(())
}

/// Writes index row `words` under `key`; `replace` when it may exist already.
fn write_words(conn: &Db<'_>, words: &str, key: i64, replace: bool) -> sql::Result<()> {
    let sql = if replace {
        "INSERT OR REPLACE INTO complaints_search (rowid, words) VALUES (?1, ?2)"
    } else {
        "INSERT INTO complaints_search (rowid, words) VALUES (?1, ?2)"
    };
    conn.execute(sql, args![key, words])?;
    Ok(())
}

/// Gives every complaint its key and index row (the migration that creates the index),
/// telling `progress` how many of how many are done.
pub(crate) fn index_all(conn: &Db<'_>, progress: &mut dyn FnMut(u64, u64)) -> sql::Result<()> {
    // Keys first, in one statement: each day's complaints GAP apart from DAY_FIRST; a day
    // too full for that is left without keys here and spaced out below.
    let day = format!(
        "(received_at - ((received_at % {DAY_SECS}) + {DAY_SECS}) % {DAY_SECS}) / {DAY_SECS}"
    );
    conn.execute(
        &format!(
            "UPDATE complaints SET search_key = r.key FROM (
                 SELECT id, CASE WHEN {DAY_FIRST} + n * {GAP} < {DAY_KEYS}
                     THEN day * {DAY_KEYS} + {DAY_FIRST} + n * {GAP} END AS key
                 FROM (SELECT id, {day} AS day,
                           row_number() OVER (PARTITION BY {day} ORDER BY received_at, id) - 1 AS n
                       FROM complaints)
             ) AS r WHERE complaints.id = r.id"
        ),
        args![],
    )?;
    let total: i64 = conn.row("SELECT count(*) FROM complaints", args![], |r| r.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);
    progress(0, total);
    // Then the words, in key order (FTS5 writes ascending rowids without flushing).
    let mut done = 0u64;
    let mut crowded: Vec<i64> = Vec::new();
    conn.each(
        &format!(
            "SELECT search_key, received_at, {INDEXED} FROM complaints ORDER BY received_at, id"
        ),
        args![],
        |row| {
            match row.get::<Option<i64>>(0)? {
                Some(key) => write_words(conn, &words_at(row, 2)?, key, false)?,
                None => {
                    let (day, _) = day_of(row.get(1)?);
                    if crowded.last() != Some(&day) {
                        crowded.push(day);
                    }
                }
            }
            done += 1;
            if done.is_multiple_of(4096) {
                progress(done, total);
            }
            Ok(())
        },
    )?;
    for day in crowded {
        respace_day(conn, day)?;
    }
    progress(done, total);
    Ok(())
}

/// The words a query needs as the engine's full-text expression (FTS5's MATCH text, or a
/// `tsquery` of the same words), and whether a candidate must be checked whole
/// ([`HOLDS`] on SQLite, [`search::complaint_matches`] on PostgreSQL).
pub(crate) fn match_expr(engine: Engine, text: &str) -> Result<(String, bool)> {
    let q = search::query_words(text)?;
    let expr = match engine {
        Engine::Sqlite => q
            .words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" "),
        // The words are lowercase hex: nothing in them needs escaping.
        Engine::Postgres => q
            .words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" & "),
    };
    Ok((expr, !q.exact))
}

/// The SQL of a search, its parameters in order, and whether each row found must still be
/// checked whole in Rust (PostgreSQL, a query longer than its words).
struct Query {
    sql: String,
    args: Vec<Value<'static>>,
    check: bool,
}

/// Which end of the order a page comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Newest first, after the cursor.
    Older,
    /// Oldest first, before the cursor (the page above).
    Newer,
}

impl Direction {
    /// The comparison that keeps rows past a cursor, and the order they come in.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            Direction::Older => ("<", "DESC"),
            Direction::Newer => (">", "ASC"),
        }
    }
}

/// What to read: a page (in a direction, from a cursor, up to a limit) or the count.
#[derive(Clone, Copy)]
enum Read {
    Page(Direction, Option<Cursor>, u32),
    Count,
}

impl Query {
    fn new() -> Query {
        Query {
            sql: String::new(),
            args: Vec::new(),
            check: false,
        }
    }

    /// Keeps complaints received in the filter's dates.
    fn received_between(&mut self, filter: &SearchFilter, conds: &mut Vec<String>) {
        if let Some(from) = filter.from {
            let n = self.arg(Value::Int(from.timestamp()));
            conds.push(format!("c.received_at >= ?{n}"));
        }
        if let Some(to) = filter.to {
            let n = self.arg(Value::Int(to.timestamp()));
            conds.push(format!("c.received_at < ?{n}"));
        }
    }

    /// Keeps complaints past `cursor` in received order, `cmp` its direction.
    fn past(&mut self, cursor: Cursor, cmp: &str, conds: &mut Vec<String>) {
        let k = self.arg(Value::Int(cursor.key));
        let i = self.arg(Value::Int(cursor.id));
        conds.push(format!("(c.received_at, c.id) {cmp} (?{k}, ?{i})"));
    }

    fn arg(&mut self, value: Value<'static>) -> usize {
        self.args.push(value);
        self.args.len()
    }
}

/// The filter's conditions on the complaint row `c` (all but its text and dates).
fn row_conditions(engine: Engine, filter: &SearchFilter, q: &mut Query, conds: &mut Vec<String>) {
    conds.extend(view_condition(engine, filter.view));
    let mut equal = |column: &str, value: Option<&str>| {
        if let Some(v) = value {
            let n = q.arg(Value::Text(v.to_string().into()));
            conds.push(format!("{column} = ?{n}"));
        }
    };
    equal("c.stage", filter.stage.map(Stage::as_str));
    equal("c.scope", filter.scope.map(Scope::as_str));
    equal("c.severity", filter.severity.as_deref());
    equal("c.site", filter.site.as_deref());
    equal("c.handler", filter.handler.as_deref());
    equal("c.channel", filter.channel.map(Channel::as_str));
    equal("c.party", filter.party.as_deref());
    if let Some(from) = filter.closed_from {
        let n = q.arg(Value::Int(from.timestamp()));
        conds.push(format!("c.closed_at >= ?{n}"));
    }
    if let Some(to) = filter.closed_to {
        let n = q.arg(Value::Int(to.timestamp()));
        conds.push(format!("c.closed_at < ?{n}"));
    }
    conds.extend(complaints::site_condition(
        &mut q.args,
        "c.site",
        filter.sites.as_deref(),
    ));
    if let Some(category) = filter.category.as_deref() {
        let n = q.arg(Value::Text(category.to_string().into()));
        if filter.main_category {
            conds.push(format!("c.category = ?{n}"));
        } else {
            conds.push(format!(
                "(c.category = ?{n} OR {})",
                engine.json_array_holds("c.extra_categories", &format!("?{n}"))
            ));
        }
    }
    if let Some(prefix) = filter.location_prefix.as_deref().filter(|p| !p.is_empty()) {
        let n = q.arg(Value::Text(prefix.to_string().into()));
        conds.push(format!("c.location >= ?{n}"));
        if let Some(upper) = prefix_upper_bound(prefix) {
            let n = q.arg(Value::Text(upper.into()));
            conds.push(format!("c.location < ?{n}"));
        }
    }
}

fn build(engine: Engine, filter: &SearchFilter, read: Read) -> Result<Query> {
    match engine {
        Engine::Sqlite => build_fts5(filter, read),
        Engine::Postgres => build_pg(filter, read),
    }
}

/// The search on PostgreSQL: the words through `search_words` (GIN), in received order.
fn build_pg(filter: &SearchFilter, read: Read) -> Result<Query> {
    let engine = Engine::Postgres;
    let mut q = Query::new();
    let mut conds: Vec<String> = Vec::new();
    if let Some(text) = filter.text.as_deref() {
        let (expr, check) = match_expr(engine, text)?;
        let n = q.arg(Value::Text(expr.into()));
        // Bound as text, read as a tsquery as it is (no parser, no dictionary).
        conds.push(format!(
            "c.search_words @@ CAST(CAST(?{n} AS text) AS tsquery)"
        ));
        q.check = check;
    }
    q.received_between(filter, &mut conds);
    row_conditions(engine, filter, &mut q, &mut conds);
    // A count that must check each candidate reads the candidates instead.
    let what = match read {
        Read::Count if !q.check => "count(*)".to_string(),
        _ => qualified_columns(),
    };
    q.sql = format!("SELECT {what} FROM complaints c");
    let order = match read {
        Read::Page(direction, cursor, limit) => {
            let (cmp, order) = direction.sql();
            if let Some(cursor) = cursor {
                q.past(cursor, cmp, &mut conds);
            }
            let n = q.arg(Value::Int(i64::from(limit)));
            format!(" ORDER BY c.received_at {order}, c.id {order} LIMIT ?{n}")
        }
        Read::Count => String::new(),
    };
    if !conds.is_empty() {
        q.sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
    }
    q.sql.push_str(&order);
    Ok(q)
}

/// The search on SQLite: FTS5's index walked in key order, or the complaints table.
fn build_fts5(filter: &SearchFilter, read: Read) -> Result<Query> {
    let engine = Engine::Sqlite;
    let mut q = Query::new();
    let mut conds: Vec<String> = Vec::new();
    let text = filter
        .text
        .as_deref()
        .map(|t| match_expr(engine, t))
        .transpose()?;
    let needs_row = filter.view != View::All
        || filter.stage.is_some()
        || filter.scope.is_some()
        || filter.category.is_some()
        || filter.site.is_some()
        || filter.sites.is_some()
        || filter.severity.is_some()
        || filter.handler.is_some()
        || filter.location_prefix.is_some()
        || filter.channel.is_some()
        || filter.party.is_some()
        || filter.closed_from.is_some()
        || filter.closed_to.is_some();
    let what = match read {
        Read::Count => "count(*)".to_string(),
        Read::Page(..) => qualified_columns(),
    };
    // The order key: the index rowid (the search key) with text, else (received_at, id).
    let text_order = if let Some((expr, check)) = text {
        let join = matches!(read, Read::Page(..)) || needs_row || check;
        q.sql = if join {
            format!(
                "SELECT {what} FROM complaints_search
                 JOIN complaints c ON c.search_key = complaints_search.rowid"
            )
        } else {
            format!("SELECT {what} FROM complaints_search")
        };
        let n = q.arg(Value::Text(expr.into()));
        conds.push(format!("complaints_search MATCH ?{n}"));
        if check {
            let n = q.arg(Value::Text(filter.text.clone().unwrap_or_default().into()));
            conds.push(format!(
                "{HOLDS}(?{n}, c.number, c.name, c.phone, c.location, c.description, \
                 c.outcome, c.handling)"
            ));
        }
        // A date is the key of the first complaint received then or later.
        let first_key = |n: usize| {
            format!(
                "(SELECT search_key FROM complaints WHERE received_at >= ?{n} \
                 ORDER BY received_at, id LIMIT 1)"
            )
        };
        if let Some(from) = filter.from {
            let n = q.arg(Value::Int(from.timestamp()));
            let key = first_key(n);
            conds.push(format!("complaints_search.rowid >= {key}"));
        }
        if let Some(to) = filter.to {
            let n = q.arg(Value::Int(to.timestamp()));
            let key = first_key(n);
            conds.push(format!(
                "complaints_search.rowid < coalesce({key}, {})",
                i64::MAX
            ));
        }
        true
    } else {
        q.sql = format!("SELECT {what} FROM complaints c");
        q.received_between(filter, &mut conds);
        false
    };
    row_conditions(engine, filter, &mut q, &mut conds);
    if let Read::Page(direction, cursor, limit) = read {
        let (cmp, order) = direction.sql();
        if let Some(cursor) = cursor {
            if text_order {
                let n = q.arg(Value::Int(cursor.id));
                conds.push(format!(
                    "complaints_search.rowid {cmp} \
                     (SELECT search_key FROM complaints WHERE id = ?{n})"
                ));
            } else {
                q.past(cursor, cmp, &mut conds);
            }
        }
        if !conds.is_empty() {
            q.sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
        }
        let order = if text_order {
            format!("complaints_search.rowid {order}")
        } else {
            format!("c.received_at {order}, c.id {order}")
        };
        let n = q.arg(Value::Int(i64::from(limit)));
        q.sql.push_str(&format!(" ORDER BY {order} LIMIT ?{n}"));
    } else if !conds.is_empty() {
        q.sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
    }
    Ok(q)
}

fn view_condition(engine: Engine, view: View) -> Option<String> {
    match view {
        View::All => None,
        // The desk names the handler (the agent searching) in the filter.
        View::Open | View::Mine => Some("c.closed_at IS NULL".into()),
        View::Untriaged => Some("c.scope IS NULL AND c.closed_at IS NULL".into()),
        View::Waiting => Some(format!(
            "c.closed_at IS NULL AND (c.stage = 'waiting_on_party' OR {})",
            engine.json_is("c.handling", &["waiting_on_customer"], &true.into())
        )),
        View::Approval => Some(format!(
            "c.closed_at IS NULL AND {}",
            engine.json_is(
                "c.handling",
                &["plan", "approval", "state"],
                &"pending".into()
            )
        )),
        View::Closed => Some("c.closed_at IS NOT NULL".into()),
        View::ThirdParty => {
            Some("c.closed_at IS NULL AND c.stage IN ('waiting_on_party', 'referred')".into())
        }
    }
}

impl Store {
    /// The complaints matching `filter`, newest received first, after `cursor` (older
    /// than it); at most `limit`.
    pub fn search(
        &self,
        filter: &SearchFilter,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<Vec<Complaint>> {
        self.search_page(filter, Direction::Older, after, limit)
    }

    /// The `limit` matches just newer than `before`, newest first: the page above.
    pub fn search_before(
        &self,
        filter: &SearchFilter,
        limit: u32,
        before: Cursor,
    ) -> Result<Vec<Complaint>> {
        let mut rows = self.search_page(filter, Direction::Newer, Some(before), limit)?;
        rows.reverse();
        Ok(rows)
    }

    fn search_page(
        &self,
        filter: &SearchFilter,
        direction: Direction,
        mut cursor: Option<Cursor>,
        limit: u32,
    ) -> Result<Vec<Complaint>> {
        let db = self.db();
        let mut found = Vec::new();
        // Candidates that must be checked whole are read a page at a time until enough
        // hold (PostgreSQL); otherwise one read answers.
        loop {
            let q = build(db.engine(), filter, Read::Page(direction, cursor, limit))?;
            let rows = db
                .rows(&q.sql, &arg_refs(&q.args), |r| {
                    complaints::complaint_at(r, 0)
                })
                .map_err(|e| self.search_err(e))?;
            let full = rows.len() == usize::try_from(limit).unwrap_or(usize::MAX);
            if !q.check {
                return Ok(rows);
            }
            cursor = rows.last().map(|c| Cursor::of(Queue::All, c));
            let text = filter.text.as_deref().unwrap_or_default();
            found.extend(
                rows.into_iter()
                    .filter(|c| search::complaint_matches(c, text)),
            );
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            if !full || found.len() >= limit {
                found.truncate(limit);
                return Ok(found);
            }
        }
    }

    /// How many complaints match `filter` (every match is visited: run it after the first
    /// page, and cancel it when the query changes).
    pub fn search_count(&self, filter: &SearchFilter) -> Result<u64> {
        let db = self.db();
        let q = build(db.engine(), filter, Read::Count)?;
        if q.check {
            let text = filter.text.as_deref().unwrap_or_default();
            let mut n = 0u64;
            db.each(&q.sql, &arg_refs(&q.args), |r| {
                if search::complaint_matches(&complaints::complaint_at(r, 0)?, text) {
                    n += 1;
                }
                Ok(())
            })
            .map_err(|e| self.search_err(e))?;
            return Ok(n);
        }
        let n: i64 = db
            .value(&q.sql, &arg_refs(&q.args))
            .map_err(|e| self.search_err(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A handle that interrupts whatever this store's connection is running, from any
    /// thread: the query gives up with `error.search_cancelled`.
    pub fn interrupt_handle(&self) -> Interrupt {
        match &self.link {
            Link::Sqlite(conn) => Interrupt(Stop::Sqlite(conn.get_interrupt_handle())),
            Link::Postgres(link) => Interrupt(Stop::Postgres(Box::new(Cancel::new(link)))),
        }
    }

    fn search_err(&self, e: sql::Error) -> Error {
        // SQLite's interrupt, or PostgreSQL's query_canceled.
        if e.sqlite_code() == Some(rusqlite::ErrorCode::OperationInterrupted)
            || e.sql_state() == Some("57014")
        {
            Error::new("error.search_cancelled")
        } else {
            self.err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_of_receipt_own_ordered_blocks_of_keys() {
        assert_eq!(day_of(0), (0, 0));
        assert_eq!(day_of(DAY_SECS - 1), (0, 0));
        assert_eq!(day_of(DAY_SECS), (1, DAY_KEYS));
        // Before 1970 too: the day before the epoch sits just below it.
        assert_eq!(day_of(-1), (-1, -DAY_KEYS));
    }

    /// A page with text walks the index in rowid order and looks complaints up by id; no
    /// sort step, with or without filters.
    #[test]
    fn text_pages_walk_the_index_without_sorting() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("s.db")).expect("open");
        let filters = [
            SearchFilter {
                text: Some("漏水".into()),
                ..SearchFilter::default()
            },
            SearchFilter {
                text: Some("电梯困人".into()),
                ..SearchFilter::default()
            },
            SearchFilter {
                text: Some("漏".into()),
                view: View::Open,
                category: Some("leak".into()),
                location_prefix: Some("3栋".into()),
                from: chrono::DateTime::from_timestamp(1_700_000_000, 0),
                ..SearchFilter::default()
            },
            SearchFilter {
                view: View::Closed,
                ..SearchFilter::default()
            },
            // An agent scoped to sites, with text and without.
            SearchFilter {
                text: Some("漏水".into()),
                sites: Some(vec!["lvjing".into(), "xiangshu".into()]),
                ..SearchFilter::default()
            },
            SearchFilter {
                sites: Some(vec!["lvjing".into()]),
                ..SearchFilter::default()
            },
            SearchFilter {
                view: View::Closed,
                sites: Some(vec!["lvjing".into(), "xiangshu".into()]),
                ..SearchFilter::default()
            },
        ];
        let cursor = Cursor { key: 1, id: 1 };
        for filter in &filters {
            for read in [
                Read::Page(Direction::Older, None, 50),
                Read::Page(Direction::Newer, Some(cursor), 50),
            ] {
                let q = build(Engine::Sqlite, filter, read).expect("sql");
                let plan: Vec<String> = store
                    .db()
                    .rows(
                        &format!("EXPLAIN QUERY PLAN {}", q.sql),
                        &arg_refs(&q.args),
                        |r| r.get::<String>(3),
                    )
                    .expect("plan");
                let text = plan.join(" | ");
                assert!(!text.contains("TEMP B-TREE"), "{filter:?} sorts: {text}");
                let lookup = if filter.text.is_some() {
                    "SEARCH c USING INDEX complaints_search_key"
                } else {
                    "complaints_received"
                };
                assert!(text.contains(lookup), "{filter:?}: {text}");
            }
        }
    }
}
