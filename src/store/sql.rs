//! One SQL text, run on either engine: arguments, rows and errors that do not care whether
//! SQLite or PostgreSQL answers.
//!
//! The shared text is written in the dialect the two agree on: `?N` placeholders (rewritten to
//! `$N` for PostgreSQL), `RETURNING`, `ON CONFLICT`, `IS NOT DISTINCT FROM`, `coalesce`,
//! `NULLS FIRST/LAST` where a nullable column is ordered, integers as `BIGINT`, flags as 0/1.
//! Where the dialects part (full text, JSON, the chain's lock, migrations), the caller asks
//! [`Db::engine`] and writes each.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use postgres::types::{IsNull, ToSql, Type};

/// Which engine answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Engine {
    /// The path `path` (keys from the root) of the JSON text in `column`, as SQL text.
    pub fn json_text(self, column: &str, path: &[&str]) -> String {
        match self {
            Engine::Sqlite => format!("json_extract({column}, '$.{}')", path.join(".")),
            Engine::Postgres => format!("({column}::jsonb #>> '{{{}}}')", path.join(",")),
        }
    }

    /// Whether the path `path` of the JSON text in `column` holds `value`. PostgreSQL's is a
    /// containment (`@>`), the form its partial indexes over the JSON are written in.
    pub fn json_is(self, column: &str, path: &[&str], value: &serde_json::Value) -> String {
        match self {
            Engine::Sqlite => {
                let literal = match value {
                    serde_json::Value::Bool(b) => i64::from(*b).to_string(),
                    serde_json::Value::String(t) => format!("'{}'", t.replace('\'', "''")),
                    other => other.to_string(),
                };
                format!("json_extract({column}, '$.{}') = {literal}", path.join("."))
            }
            Engine::Postgres => {
                let nested = path.iter().rev().fold(
                    value.clone(),
                    |inner, key| serde_json::json!({ *key: inner }),
                );
                let text = nested.to_string().replace('\'', "''");
                format!("{column}::jsonb @> '{text}'")
            }
        }
    }

    /// The number at path `path` of the JSON text in `column`.
    pub fn json_number(self, column: &str, path: &[&str]) -> String {
        match self {
            Engine::Sqlite => self.json_text(column, path),
            Engine::Postgres => format!("{}::numeric", self.json_text(column, path)),
        }
    }

    /// Whether the JSON array of text in `column` holds the value of placeholder `param`.
    pub fn json_array_holds(self, column: &str, param: &str) -> String {
        match self {
            Engine::Sqlite => {
                format!("EXISTS (SELECT 1 FROM json_each({column}) WHERE value = {param})")
            }
            Engine::Postgres => format!("jsonb_exists({column}::jsonb, {param})"),
        }
    }

    /// The rows of the JSON array of integers bound to placeholder `param`, as a subquery
    /// of one column.
    pub fn json_integers(self, param: &str) -> String {
        match self {
            Engine::Sqlite => format!("SELECT value FROM json_each({param})"),
            Engine::Postgres => {
                format!("SELECT jsonb_array_elements_text({param}::text::jsonb)::bigint")
            }
        }
    }

    /// The value of a `LIMIT` placeholder that limits nothing.
    pub fn no_limit(self) -> Value<'static> {
        match self {
            Engine::Sqlite => Value::Int(-1),
            Engine::Postgres => Value::Null,
        }
    }
}

/// A failure of a statement, on either engine.
#[derive(Debug)]
pub enum Error {
    /// SQLite's.
    Sqlite(rusqlite::Error),
    /// PostgreSQL's (or the connection's).
    Postgres(postgres::Error),
    /// A query for one row found none.
    NotFound,
    /// A column held what its reader does not take, or an argument could not be written.
    Value(String),
}

/// Result of a statement.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => e.fmt(f),
            Error::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}: {}", db.code().code(), db.message()),
                None => e.fmt(f),
            },
            Error::NotFound => f.write_str("no row found"),
            Error::Value(detail) => f.write_str(detail),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NotFound,
            e => Error::Sqlite(e),
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

impl Error {
    /// A value that cannot be read or written, with what it was.
    pub fn value(detail: impl fmt::Display) -> Self {
        Error::Value(detail.to_string())
    }

    /// SQLite's error code, if SQLite failed.
    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(e) => e.sqlite_error_code(),
            _ => None,
        }
    }

    /// PostgreSQL's SQLSTATE, if the server refused the statement.
    pub fn sql_state(&self) -> Option<&str> {
        match self {
            Error::Postgres(e) => e.code().map(|c| c.code()),
            _ => None,
        }
    }
}

/// `query_row`'s "no row" as `None`.
pub trait Optional<T> {
    /// `Ok(None)` for [`Error::NotFound`].
    fn optional(self) -> Result<Option<T>>;
}

impl<T> Optional<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// NULL.
    Null,
    /// An integer (flags are 0 or 1).
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(Cow<'a, str>),
    /// Bytes.
    Blob(Cow<'a, [u8]>),
}

/// What can be bound to a placeholder.
pub trait Arg {
    /// The value bound.
    fn value(&self) -> Value<'_>;
}

impl Arg for Value<'_> {
    fn value(&self) -> Value<'_> {
        match self {
            Value::Null => Value::Null,
            Value::Int(i) => Value::Int(*i),
            Value::Real(r) => Value::Real(*r),
            Value::Text(t) => Value::Text(Cow::Borrowed(t)),
            Value::Blob(b) => Value::Blob(Cow::Borrowed(b)),
        }
    }
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_arg!(i64, i32, u32, u16, u8, bool);

impl Arg for u64 {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl Arg for usize {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl Arg for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl Arg for str {
    fn value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl Arg for String {
    fn value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl Arg for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl Arg for Vec<u8> {
    fn value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl<const N: usize> Arg for [u8; N] {
    fn value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Arg> Arg for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, Arg::value)
    }
}

/// The arguments of a statement, in placeholder order: `args![id, name]`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[&dyn $crate::store::sql::Arg] };
    ($($e:expr),+ $(,)?) => { &[$(&$e as &dyn $crate::store::sql::Arg),+] as &[&dyn $crate::store::sql::Arg] };
}
pub use args;

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let mismatch = || format!("cannot bind {self:?} as {ty}");
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => Err(mismatch().into()),
            },
            Value::Real(r) => match *ty {
                Type::FLOAT8 => r.to_sql(ty, out),
                Type::FLOAT4 => (*r as f32).to_sql(ty, out),
                _ => Err(mismatch().into()),
            },
            Value::Text(t) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    t.as_ref().to_sql(ty, out)
                }
                _ => Err(mismatch().into()),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.as_ref().to_sql(ty, out),
                _ => Err(mismatch().into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A column's value as read, before its reader takes it.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'r> {
    /// NULL.
    Null,
    /// An integer (a PostgreSQL boolean reads as 0 or 1).
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(&'r str),
    /// Bytes.
    Blob(&'r [u8]),
}

/// What a column can be read as.
pub trait Column: Sized {
    /// The value from `cell`, or why not.
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String>;
}

impl Column for i64 {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Int(i) => Ok(i),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}

macro_rules! narrow_column {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
                let i = i64::from_cell(cell)?;
                <$t>::try_from(i).map_err(|_| format!("{i} out of range"))
            }
        }
    )*};
}
narrow_column!(i32, u32, u64, usize, u8);

impl Column for bool {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        i64::from_cell(cell).map(|i| i != 0)
    }
}

impl Column for f64 {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Real(r) => Ok(r),
            Cell::Int(i) => Ok(i as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}

impl Column for String {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Text(t) => Ok(t.to_string()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}

impl Column for Vec<u8> {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Blob(b) => Ok(b.to_vec()),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}

impl<const N: usize> Column for [u8; N] {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Blob(b) => b
                .try_into()
                .map_err(|_| format!("expected {N} bytes, found {}", b.len())),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}

impl<T: Column> Column for Option<T> {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Null => Ok(None),
            cell => T::from_cell(cell).map(Some),
        }
    }
}

/// One row of a result.
pub enum Row<'r> {
    /// From SQLite.
    Sqlite(&'r rusqlite::Row<'r>),
    /// From PostgreSQL.
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `i` (from 0) as a `T`.
    pub fn get<T: Column>(&self, i: usize) -> Result<T> {
        let read = |cell: Cell<'_>| {
            T::from_cell(cell).map_err(|e| Error::value(format!("column {i}: {e}")))
        };
        match self {
            Row::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                let cell = match r.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(v) => Cell::Int(v),
                    ValueRef::Real(v) => Cell::Real(v),
                    ValueRef::Text(t) => Cell::Text(
                        std::str::from_utf8(t)
                            .map_err(|e| Error::value(format!("column {i}: {e}")))?,
                    ),
                    ValueRef::Blob(b) => Cell::Blob(b),
                };
                read(cell)
            }
            Row::Postgres(r) => {
                let ty = r
                    .columns()
                    .get(i)
                    .ok_or_else(|| Error::value(format!("no column {i}")))?
                    .type_()
                    .clone();
                let cell = match ty {
                    Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
                    Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|v| Cell::Int(v.into())),
                    Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|v| Cell::Int(v.into())),
                    Type::BOOL => r
                        .try_get::<_, Option<bool>>(i)?
                        .map(|v| Cell::Int(v.into())),
                    Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
                    Type::FLOAT4 => r
                        .try_get::<_, Option<f32>>(i)?
                        .map(|v| Cell::Real(v.into())),
                    Type::BYTEA => r.try_get::<_, Option<&[u8]>>(i)?.map(Cell::Blob),
                    Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                        r.try_get::<_, Option<&str>>(i)?.map(Cell::Text)
                    }
                    other => {
                        return Err(Error::value(format!(
                            "column {i}: type {other} (cast it in the query)"
                        )));
                    }
                };
                read(cell.unwrap_or(Cell::Null))
            }
        }
    }
}

/// A PostgreSQL connection with its prepared statements, keyed by the shared text.
pub struct Pg {
    /// The connection.
    pub client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl Pg {
    /// Wraps a connected client.
    pub fn new(client: postgres::Client) -> Pg {
        Pg {
            client,
            statements: HashMap::new(),
        }
    }

    /// The prepared statement of shared text `sql`.
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(&pg_text(sql))?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    /// Forgets the prepared statements (after the schema changed).
    pub fn forget_statements(&mut self) {
        self.statements.clear();
    }
}

/// Where statements run: a SQLite connection (or transaction), or a PostgreSQL connection
/// (inside a transaction the store began on it, or not).
#[derive(Clone, Copy)]
pub enum Db<'a> {
    /// SQLite.
    Sqlite(&'a rusqlite::Connection),
    /// PostgreSQL.
    Postgres(&'a RefCell<Pg>),
}

/// The values of `args`, for either engine's binding.
fn values<'v>(args: &'v [&'v dyn Arg]) -> Vec<Value<'v>> {
    args.iter().map(|a| a.value()).collect()
}

impl Db<'_> {
    /// The engine answering.
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs a statement; returns the rows it changed.
    pub fn execute(&self, sql: &str, args: &[&dyn Arg]) -> Result<u64> {
        let values = values(args);
        match self {
            Db::Sqlite(c) => {
                let n = c
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(values.iter()))?;
                Ok(u64::try_from(n).unwrap_or(0))
            }
            Db::Postgres(pg) => {
                let mut pg = pg.borrow_mut();
                let stmt = pg.statement(sql)?;
                Ok(pg.client.execute(&stmt, &pg_params(&values))?)
            }
        }
    }

    /// Runs statements separated by `;`, without arguments.
    pub fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Postgres(pg) => Ok(pg.borrow_mut().client.batch_execute(sql)?),
        }
    }

    /// The first row of a query, read by `f`; [`Error::NotFound`] when there is none.
    pub fn row<T>(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let values = values(args);
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)),
                    None => Err(Error::NotFound),
                }
            }
            Db::Postgres(pg) => {
                let row = {
                    let mut pg = pg.borrow_mut();
                    let stmt = pg.statement(sql)?;
                    pg.client.query_opt(&stmt, &pg_params(&values))?
                };
                match row {
                    Some(r) => f(&Row::Postgres(&r)),
                    None => Err(Error::NotFound),
                }
            }
        }
    }

    /// The first column of the first row.
    pub fn value<T: Column>(&self, sql: &str, args: &[&dyn Arg]) -> Result<T> {
        self.row(sql, args, |r| r.get(0))
    }

    /// Every row of a query, each read by `f`.
    pub fn rows<T>(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, args, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every row of a query, handed to `f` as it comes from SQLite. PostgreSQL's rows are
    /// read whole before `f` sees them (so `f` may run statements of its own): a walk over
    /// a large table pages by key instead of asking for it all at once.
    pub fn each(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        let values = values(args);
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
                while let Some(r) = rows.next()? {
                    f(&Row::Sqlite(r))?;
                }
                Ok(())
            }
            Db::Postgres(pg) => {
                let rows = {
                    let mut pg = pg.borrow_mut();
                    let stmt = pg.statement(sql)?;
                    pg.client.query(&stmt, &pg_params(&values))?
                };
                for r in &rows {
                    f(&Row::Postgres(r))?;
                }
                Ok(())
            }
        }
    }
}

/// An open transaction on a connection: [`Txn::commit`] ends it; dropped without, it rolls
/// back.
pub struct Txn<'a> {
    db: Db<'a>,
    open: bool,
}

impl<'a> Txn<'a> {
    /// Begins a transaction that writes: on SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers never both read and then collide.
    pub fn begin(db: Db<'a>) -> Result<Txn<'a>> {
        db.batch(match db.engine() {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        })?;
        Ok(Txn { db, open: true })
    }

    /// Begins a transaction that only reads, all of it from one snapshot of the database.
    pub fn snapshot(db: Db<'a>) -> Result<Txn<'a>> {
        db.batch(match db.engine() {
            Engine::Sqlite => "BEGIN",
            Engine::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        Ok(Txn { db, open: true })
    }

    /// Where its statements run.
    pub fn db(&self) -> &Db<'a> {
        &self.db
    }

    /// Commits it.
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.db.batch("COMMIT")
    }
}

impl Drop for Txn<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing more can be done about a failed rollback here: the connection's next
            // statement reports the state it is in.
            let _ = self.db.batch("ROLLBACK");
        }
    }
}

/// Rows a walk over a large table reads at a time on PostgreSQL ([`Db::walk_by_id`]).
const WALK_PAGE: i64 = 5000;

impl Db<'_> {
    /// Every row of `sql`, in id order, handed to `f`. The query selects its rows' `id` as
    /// its first column, keeps those with `id > ?1` and ends `ORDER BY id LIMIT ?2`. SQLite
    /// streams it in one statement; PostgreSQL reads it [`WALK_PAGE`] rows at a time (a
    /// large table is never held whole). A caller that needs one snapshot of the table
    /// walks it inside a transaction.
    pub fn walk_by_id(&self, sql: &str, mut f: impl FnMut(&Row<'_>) -> Result<()>) -> Result<()> {
        match self.engine() {
            Engine::Sqlite => self.each(sql, args![i64::MIN, -1i64], f),
            Engine::Postgres => {
                let mut after = i64::MIN;
                loop {
                    let mut seen = 0i64;
                    let from = after;
                    self.each(sql, args![from, WALK_PAGE], |r| {
                        after = r.get(0)?;
                        seen += 1;
                        f(r)
                    })?;
                    if seen < WALK_PAGE {
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// The values as PostgreSQL parameters.
fn pg_params<'v>(values: &'v [Value<'v>]) -> Vec<&'v (dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// The shared text as PostgreSQL reads it: SQLite's `INDEXED BY name` hints dropped (its
/// planner takes none), then [`dollar`].
pub fn pg_text(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut words = sql.split_inclusive(char::is_whitespace).peekable();
    while let Some(w) = words.next() {
        if w.trim() == "INDEXED" && words.peek().is_some_and(|n| n.trim() == "BY") {
            words.next();
            // The index name, and the space before it if the hint was its own word.
            let name = words.next().unwrap_or_default();
            out.push_str(&name[name.trim_end().len()..]);
            continue;
        }
        out.push_str(w);
    }
    dollar(&out)
}

/// The shared text with its `?N` (and bare `?`) placeholders written `$N`, leaving quoted
/// strings and identifiers alone.
pub fn dollar(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next = 0u32;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            (None, c) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            dollar("SELECT '?1', \"a?\" FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', \"a?\" FROM t WHERE a = $1 AND b = $12"
        );
        assert_eq!(dollar("VALUES (?, ?)"), "VALUES ($1, $2)");
        assert_eq!(dollar("SELECT 'it''s ?'"), "SELECT 'it''s ?'");
    }

    #[test]
    fn postgres_text_drops_index_hints() {
        assert_eq!(
            pg_text("SELECT a FROM t INDEXED BY t_open\n WHERE b = ?1"),
            "SELECT a FROM t \n WHERE b = $1"
        );
        assert_eq!(pg_text("SELECT 'INDEXED BY x'"), "SELECT 'INDEXED BY x'");
    }

    #[test]
    fn optional_turns_not_found_into_none() {
        let missing: Result<i64> = Err(Error::NotFound);
        assert!(matches!(missing.optional(), Ok(None)));
        let found: Result<i64> = Ok(3);
        assert!(matches!(found.optional(), Ok(Some(3))));
    }

    #[test]
    fn sqlite_rows_read_through_the_shared_reader() -> Result<()> {
        let conn = rusqlite::Connection::open_in_memory()?;
        let db = Db::Sqlite(&conn);
        db.batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB, d INTEGER)")?;
        let blob = [1u8, 2, 3];
        db.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
            args![7i64, "漏水", blob, None::<i64>],
        )?;
        let got = db.row("SELECT a, b, c, d, a = 7 FROM t", args![], |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<String>(1)?,
                r.get::<[u8; 3]>(2)?,
                r.get::<Option<i64>>(3)?,
                r.get::<bool>(4)?,
            ))
        })?;
        assert_eq!(got, (7, "漏水".to_string(), [1, 2, 3], None, true));
        assert!(matches!(
            db.value::<i64>("SELECT a FROM t WHERE a = 8", args![]),
            Err(Error::NotFound)
        ));
        assert!(db.value::<String>("SELECT a FROM t", args![]).is_err());
        Ok(())
    }
}
