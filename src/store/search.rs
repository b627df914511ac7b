//! The search index (`complaints_search` for bigrams and trigrams, `complaints_search_uni`
//! for unigrams; FTS5): written in the transaction of every write to a complaint, and queried
//! newest first with the filters.
//!
//! The index's rowid is the complaint's place in received order, `(received_at << 30) | id`:
//! FTS5 walks its matches in that order and stops after a page, and a date range is a rowid
//! range. Row ids stay below 2^30 (a billion complaints); times within 2^33 s of 1970.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::domain::complaint::{Complaint, Scope};
use crate::domain::search::{self, QueryTerms, SearchFilter, View};
use crate::domain::stage::Stage;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::complaints::{self, Cursor, prefix_upper_bound, qualified_columns};

/// Bits of the index rowid that hold the complaint id.
const ID_BITS: u32 = 30;
const ID_MASK: i64 = (1 << ID_BITS) - 1;
/// Times are clamped to ±2^33 s so that the key fits (years 1698–2242).
const TIME_LIMIT: i64 = 1 << 33;

/// The index rowid of complaint `id` received at `received_at` (unix seconds).
fn key(received_at: i64, id: i64) -> rusqlite::Result<i64> {
    if !(0..=ID_MASK).contains(&id) {
        return Err(rusqlite::Error::ToSqlConversionFailure(
            format!("complaint id {id} is beyond the search index's range").into(),
        ));
    }
    Ok((received_at.clamp(-TIME_LIMIT, TIME_LIMIT - 1) << ID_BITS) | id)
}

/// The first index rowid of complaints received at `t` or later.
fn time_key(t: DateTime<Utc>) -> i64 {
    t.timestamp().clamp(-TIME_LIMIT, TIME_LIMIT - 1) << ID_BITS
}

/// Writes complaint `id`'s index rows from the stored complaint, replacing the earlier ones.
pub fn reindex(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    write_row(conn, &complaints::by_id(conn, id)?, true)
}

/// Writes the index rows of complaint `id`, just inserted.
pub fn index_new(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    write_row(conn, &complaints::by_id(conn, id)?, false)
}

/// Writes `c`'s index rows; `replace` when they may exist already.
fn write_row(conn: &Connection, c: &Complaint, replace: bool) -> rusqlite::Result<()> {
    let fields = search::fields(c);
    let terms = search::terms(fields.iter().map(|f| f.as_ref()));
    let (bi, uni) = if replace {
        (
            "INSERT OR REPLACE INTO complaints_search (rowid, bi, tri) VALUES (?1, ?2, ?3)",
            "INSERT OR REPLACE INTO complaints_search_uni (rowid, uni) VALUES (?1, ?2)",
        )
    } else {
        (
            "INSERT INTO complaints_search (rowid, bi, tri) VALUES (?1, ?2, ?3)",
            "INSERT INTO complaints_search_uni (rowid, uni) VALUES (?1, ?2)",
        )
    };
    let key = key(c.received_at.timestamp(), c.id)?;
    conn.prepare_cached(bi)?
        .execute(rusqlite::params![key, terms.bigrams, terms.trigrams])?;
    conn.prepare_cached(uni)?
        .execute(rusqlite::params![key, terms.unigrams])?;
    Ok(())
}

/// Fills the index with every complaint (the migration that creates it), telling
/// `progress` how many of how many are done.
pub(crate) fn index_all(
    conn: &Connection,
    progress: &mut dyn FnMut(u64, u64),
) -> rusqlite::Result<()> {
    let total: i64 = conn.query_row("SELECT count(*) FROM complaints", [], |r| r.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);
    progress(0, total);
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM complaints c ORDER BY c.id",
        qualified_columns()
    ))?;
    let mut rows = stmt.query([])?;
    let mut done = 0u64;
    while let Some(row) = rows.next()? {
        write_row(conn, &complaints::complaint_at(row, 0)?, false)?;
        done += 1;
        if done.is_multiple_of(4096) {
            progress(done, total);
        }
    }
    progress(done, total);
    Ok(())
}

/// The index table a query reads and its MATCH expression: a unigram (in the table without
/// positions), or the phrase of its bigrams or trigrams.
fn match_expr(text: &str) -> Result<(&'static str, String)> {
    Ok(match search::query_terms(text)? {
        QueryTerms::Unigram(w) => ("complaints_search_uni", format!("\"{w}\"")),
        QueryTerms::Bigrams(ws) => ("complaints_search", format!("bi : \"{}\"", ws.join(" "))),
        QueryTerms::Trigrams(ws) => ("complaints_search", format!("tri : \"{}\"", ws.join(" "))),
    })
}

/// The SQL of a search, its parameters in order.
struct Query {
    sql: String,
    args: Vec<Value>,
}

/// Which end of the order a page comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Newest first, after the cursor.
    Older,
    /// Oldest first, before the cursor (the page above).
    Newer,
}

/// What to read: a page (in a direction, from a cursor, up to a limit) or the count.
#[derive(Clone, Copy)]
enum Read {
    Page(Direction, Option<Cursor>, u32),
    Count,
}

fn build(filter: &SearchFilter, read: Read) -> Result<Query> {
    let mut q = Query {
        sql: String::new(),
        args: Vec::new(),
    };
    let mut conds: Vec<String> = Vec::new();
    let text = filter.text.as_deref().map(match_expr).transpose()?;
    let needs_row = filter.view != View::All
        || filter.stage.is_some()
        || filter.scope.is_some()
        || filter.category.is_some()
        || filter.severity.is_some()
        || filter.handler.is_some()
        || filter.location_prefix.is_some();
    let what = match read {
        Read::Count => "count(*)".to_string(),
        Read::Page(..) => qualified_columns(),
    };
    // The order key: the index rowid with text, else (received_at, id) on the complaints.
    let sort_key = if let Some((table, expr)) = text {
        let join = matches!(read, Read::Page(..)) || needs_row;
        q.sql = if join {
            format!(
                "SELECT {what} FROM {table}
                 JOIN complaints c ON c.id = ({table}.rowid & {ID_MASK})"
            )
        } else {
            format!("SELECT {what} FROM {table}")
        };
        q.args.push(Value::Text(expr));
        conds.push(format!("{table} MATCH ?{}", q.args.len()));
        if let Some(from) = filter.from {
            q.args.push(Value::Integer(time_key(from)));
            conds.push(format!("{table}.rowid >= ?{}", q.args.len()));
        }
        if let Some(to) = filter.to {
            q.args.push(Value::Integer(time_key(to)));
            conds.push(format!("{table}.rowid < ?{}", q.args.len()));
        }
        Some(table)
    } else {
        q.sql = format!("SELECT {what} FROM complaints c");
        if let Some(from) = filter.from {
            q.args.push(Value::Integer(from.timestamp()));
            conds.push(format!("c.received_at >= ?{}", q.args.len()));
        }
        if let Some(to) = filter.to {
            q.args.push(Value::Integer(to.timestamp()));
            conds.push(format!("c.received_at < ?{}", q.args.len()));
        }
        None
    };
    conds.extend(view_condition(filter.view).map(str::to_string));
    let mut equal = |column: &str, value: Option<&str>| {
        if let Some(v) = value {
            q.args.push(Value::Text(v.to_string()));
            conds.push(format!("{column} = ?{}", q.args.len()));
        }
    };
    equal("c.stage", filter.stage.map(Stage::as_str));
    equal("c.scope", filter.scope.map(Scope::as_str));
    equal("c.category", filter.category.as_deref());
    equal("c.severity", filter.severity.as_deref());
    equal("c.handler", filter.handler.as_deref());
    if let Some(prefix) = filter.location_prefix.as_deref().filter(|p| !p.is_empty()) {
        q.args.push(Value::Text(prefix.to_string()));
        conds.push(format!("c.location >= ?{}", q.args.len()));
        if let Some(upper) = prefix_upper_bound(prefix) {
            q.args.push(Value::Text(upper));
            conds.push(format!("c.location < ?{}", q.args.len()));
        }
    }
    if let Read::Page(direction, cursor, limit) = read {
        let (cmp, order) = match direction {
            Direction::Older => ("<", "DESC"),
            Direction::Newer => (">", "ASC"),
        };
        if let Some(cursor) = cursor {
            if let Some(table) = sort_key {
                q.args.push(Value::Integer(key(cursor.key, cursor.id)?));
                conds.push(format!("{table}.rowid {cmp} ?{}", q.args.len()));
            } else {
                q.args.push(Value::Integer(cursor.key));
                q.args.push(Value::Integer(cursor.id));
                let n = q.args.len();
                conds.push(format!("(c.received_at, c.id) {cmp} (?{}, ?{n})", n - 1));
            }
        }
        if !conds.is_empty() {
            q.sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
        }
        let order = match sort_key {
            Some(table) => format!("{table}.rowid {order}"),
            None => format!("c.received_at {order}, c.id {order}"),
        };
        q.args.push(Value::Integer(i64::from(limit)));
        q.sql
            .push_str(&format!(" ORDER BY {order} LIMIT ?{}", q.args.len()));
    } else if !conds.is_empty() {
        q.sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
    }
    Ok(q)
}

fn view_condition(view: View) -> Option<&'static str> {
    match view {
        View::All => None,
        // The desk names the handler (the agent searching) in the filter.
        View::Open | View::Mine => Some("c.closed_at IS NULL"),
        View::Untriaged => Some("c.scope IS NULL AND c.closed_at IS NULL"),
        View::Waiting => Some(
            "c.closed_at IS NULL AND (c.stage = 'waiting_on_party'
             OR json_extract(c.handling, '$.waiting_on_customer') = 1)",
        ),
        View::Approval => Some(
            "c.closed_at IS NULL AND json_extract(c.handling, '$.plan.approval.state') = 'pending'",
        ),
        View::Closed => Some("c.closed_at IS NOT NULL"),
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
        self.search_page(filter, Read::Page(Direction::Older, after, limit))
    }

    /// The `limit` matches just newer than `before`, newest first: the page above.
    pub fn search_before(
        &self,
        filter: &SearchFilter,
        limit: u32,
        before: Cursor,
    ) -> Result<Vec<Complaint>> {
        let mut rows =
            self.search_page(filter, Read::Page(Direction::Newer, Some(before), limit))?;
        rows.reverse();
        Ok(rows)
    }

    fn search_page(&self, filter: &SearchFilter, read: Read) -> Result<Vec<Complaint>> {
        let q = build(filter, read)?;
        self.conn()
            .prepare_cached(&q.sql)
            .and_then(|mut s| {
                s.query_map(params_from_iter(&q.args), |r| {
                    complaints::complaint_at(r, 0)
                })?
                .collect()
            })
            .map_err(|e| self.search_err(e))
    }

    /// How many complaints match `filter` (every match is visited: run it after the first
    /// page, and cancel it when the query changes).
    pub fn search_count(&self, filter: &SearchFilter) -> Result<u64> {
        let q = build(filter, Read::Count)?;
        let n: i64 = self
            .conn()
            .prepare_cached(&q.sql)
            .and_then(|mut s| s.query_row(params_from_iter(&q.args), |r| r.get(0)))
            .map_err(|e| self.search_err(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A handle that interrupts whatever this store's connection is running, from any
    /// thread: the query gives up with `error.search_cancelled`.
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn().get_interrupt_handle()
    }

    fn search_err(&self, e: rusqlite::Error) -> Error {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) {
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
    fn keys_follow_received_order_then_id() {
        let a = key(1_700_000_000, 5).expect("key");
        let b = key(1_700_000_000, 6).expect("key");
        let c = key(1_700_000_001, 1).expect("key");
        assert!(a < b && b < c);
        assert_eq!(b & ID_MASK, 6);
        assert!(key(-5, 1).expect("before 1970") < key(0, 1).expect("key"));
        assert!(key(0, ID_MASK + 1).is_err());
        assert!(time_key(DateTime::from_timestamp(1_700_000_001, 0).expect("t")) > b);
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
                text: Some("漏".into()),
                view: View::Open,
                category: Some("leak".into()),
                location_prefix: Some("3栋".into()),
                from: DateTime::from_timestamp(1_700_000_000, 0),
                ..SearchFilter::default()
            },
            SearchFilter {
                view: View::Closed,
                ..SearchFilter::default()
            },
        ];
        let cursor = Cursor { key: 1, id: 1 };
        for filter in &filters {
            for read in [
                Read::Page(Direction::Older, None, 50),
                Read::Page(Direction::Newer, Some(cursor), 50),
            ] {
                let q = build(filter, read).expect("sql");
                let plan: Vec<String> = store
                    .conn()
                    .prepare(&format!("EXPLAIN QUERY PLAN {}", q.sql))
                    .and_then(|mut s| {
                        s.query_map(params_from_iter(&q.args), |r| r.get::<_, String>(3))?
                            .collect()
                    })
                    .expect("plan");
                let text = plan.join(" | ");
                assert!(!text.contains("TEMP B-TREE"), "{filter:?} sorts: {text}");
                let lookup = if filter.text.is_some() {
                    "SEARCH c USING INTEGER PRIMARY KEY"
                } else {
                    "complaints_received"
                };
                assert!(text.contains(lookup), "{filter:?}: {text}");
            }
        }
    }
}
