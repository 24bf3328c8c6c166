//! The two backends behind one tiny interface: SQL text with `?1`-style parameters (rewritten to
//! `$1` for PostgreSQL), parameters and results as [`Value`]s, explicit transactions.
//!
//! Only portable SQL is used (BIGINT, TEXT, no autoincrement, no upsert), so the schema and every
//! query are the same on SQLite and PostgreSQL.

use crate::error::BackendErrorKind;
use crate::{OpenMode, StoreError};

/// A parameter or a result cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// An integer (BIGINT).
    Int(i64),
    /// Text.
    Text(String),
    /// NULL in a TEXT column.
    Null,
    /// NULL in a BIGINT column (PostgreSQL types its parameters).
    NullInt,
}

impl Value {
    pub(crate) fn int(&self) -> Result<i64, StoreError> {
        match self {
            Value::Int(i) => Ok(*i),
            other => Err(StoreError::corrupt(
                format!("expected an integer, found {other:?}"),
                "a stored value",
            )),
        }
    }
    pub(crate) fn text(&self) -> Result<&str, StoreError> {
        match self {
            Value::Text(s) => Ok(s),
            other => Err(StoreError::corrupt(
                format!("expected text, found {other:?}"),
                "a stored value",
            )),
        }
    }
    pub(crate) fn opt_text(&self) -> Result<Option<&str>, StoreError> {
        match self {
            Value::Null => Ok(None),
            v => v.text().map(Some),
        }
    }
    pub(crate) fn opt_int(&self) -> Result<Option<i64>, StoreError> {
        match self {
            Value::Null | Value::NullInt => Ok(None),
            v => v.int().map(Some),
        }
    }
    /// The value as an SQL literal (tamper tests rebuild UPDATE statements from it).
    pub(crate) fn literal(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
            Value::Null | Value::NullInt => "NULL".to_owned(),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::NullInt, Value::Int)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::Null, Value::Text)
    }
}

/// A result row.
pub(crate) type Row = Vec<Value>;

/// An open connection.
pub(crate) enum Db {
    /// Embedded SQLite.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL.
    Postgres(Box<Pg>),
}

/// A PostgreSQL connection with its prepared statements. Each distinct query text is prepared
/// once per connection (as `prepare_cached` does for SQLite): without it every query costs an
/// extra round trip to parse and plan, which made single-protocol submission 8× slower.
pub(crate) struct Pg {
    client: postgres::Client,
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl Pg {
    pub(crate) fn new(client: postgres::Client) -> Pg {
        Pg { client, statements: std::collections::HashMap::new() }
    }

    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(&pg_sql(sql)).map_err(pg_err)?;
        self.statements.insert(sql.to_owned(), st.clone());
        Ok(st)
    }
}

/// `?1` → `$1` for PostgreSQL.
fn pg_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

fn sqlite_err(e: rusqlite::Error) -> StoreError {
    let kind = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            BackendErrorKind::Busy
        }
        Some(rusqlite::ErrorCode::NotADatabase) => BackendErrorKind::NotARecord,
        _ => BackendErrorKind::Other,
    };
    StoreError::backend(kind, format!("database: {e}"))
}

fn pg_err(e: postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => {
            let kind = match db.code().code() {
                "40001" | "40P01" => BackendErrorKind::Busy,
                _ => BackendErrorKind::Other,
            };
            StoreError::backend(kind, format!("database: {}: {}", db.code().code(), db.message()))
        }
        None => StoreError::backend(BackendErrorKind::Other, format!("database: {e}")),
    }
}

/// Opens the database named by `url`.
pub(crate) fn connect(url: &str, mode: OpenMode) -> Result<Db, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(StoreError::Invalid(
                "sqlite: needs a file path, e.g. sqlite:./ashyq.db".into(),
            ));
        }
        let exists = std::path::Path::new(path).exists();
        if mode == OpenMode::Existing && !exists {
            return Err(StoreError::backend(
                BackendErrorKind::UnknownDatabase,
                format!("the record {url} does not exist (`ashyq import` creates one)"),
            ));
        }
        use rusqlite::OpenFlags as F;
        let flags = match mode {
            OpenMode::Create => F::SQLITE_OPEN_READ_WRITE | F::SQLITE_OPEN_CREATE,
            OpenMode::Existing => F::SQLITE_OPEN_READ_WRITE,
        } | F::SQLITE_OPEN_NO_MUTEX;
        let c = rusqlite::Connection::open_with_flags(path, flags).map_err(|e| {
            StoreError::backend(BackendErrorKind::Other, format!("cannot open {path}: {e}"))
        })?;
        c.busy_timeout(std::time::Duration::from_secs(30)).map_err(sqlite_err)?;
        // A 256 MiB page cache (default 2 MiB) keeps the index B-trees of a national import in
        // memory; it is an upper bound, allocated only as pages are used.
        c.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144;",
        )
        .map_err(|e| {
            let kind = if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
                BackendErrorKind::NotARecord
            } else {
                BackendErrorKind::Other
            };
            StoreError::backend(kind, format!("cannot open {path}: {e}"))
        })?;
        Ok(Db::Sqlite(c))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let c =
            postgres::Client::connect(url, postgres::NoTls).map_err(|e| pg_connect_err(url, &e))?;
        let mut db = Db::Postgres(Box::new(Pg::new(c)));
        db.batch("SET client_min_messages = warning")?;
        Ok(db)
    } else {
        Err(StoreError::Invalid(format!(
            "database URL \"{}\" is neither sqlite:PATH nor postgres://user@host:port/db",
            ashyq_record::quote(url)
        )))
    }
}

/// Says why a PostgreSQL connection failed: refused, authentication, unknown database.
fn pg_connect_err(url: &str, e: &postgres::Error) -> StoreError {
    let shown = redact(url);
    if let Some(db) = e.as_db_error() {
        let (kind, why) = match db.code().code() {
            "28P01" | "28000" => {
                (BackendErrorKind::Authentication, "the server refused the user or password")
            }
            "3D000" => (BackendErrorKind::UnknownDatabase, "the database does not exist"),
            _ => (BackendErrorKind::Other, "the server refused the connection"),
        };
        return StoreError::backend(
            kind,
            format!("cannot connect to {shown}: {why} ({})", db.message()),
        );
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
            ) {
                return StoreError::backend(
                    BackendErrorKind::Refused,
                    format!("cannot connect to {shown}: connection refused (is PostgreSQL running there?)"),
                );
            }
        }
        source = s.source();
    }
    StoreError::backend(BackendErrorKind::Refused, format!("cannot connect to {shown}: {e}"))
}

/// The URL with any password replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(a)) if a > s => {
            let userinfo = &url[s + 3..a];
            match userinfo.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &url[..s + 3], &url[a..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// True for PostgreSQL.
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// Runs statements without parameters (DDL, BEGIN, COMMIT).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(c) => c.execute_batch(sql).map_err(sqlite_err),
            Db::Postgres(c) => c.client.batch_execute(sql).map_err(pg_err),
        }
    }

    /// Runs one statement with parameters; returns the number of rows changed.
    pub(crate) fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(sqlite_err)?;
                let n = st
                    .execute(rusqlite::params_from_iter(params.iter().map(to_sqlite)))
                    .map_err(sqlite_err)?;
                Ok(n as u64)
            }
            Db::Postgres(c) => {
                let boxed = pg_params(params);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    boxed.iter().map(|b| b.as_ref() as _).collect();
                let st = c.prepared(sql)?;
                c.client.execute(&st, &refs).map_err(pg_err)
            }
        }
    }

    /// Inserts many rows: `head` is `INSERT INTO t (c1, …, cn)`. SQLite reuses one prepared
    /// single-row statement; PostgreSQL sends multi-row VALUES lists (fewer round trips).
    pub(crate) fn insert_many(
        &mut self,
        head: &str,
        n_cols: usize,
        rows: impl IntoIterator<Item = Vec<Value>>,
        mut progress: impl FnMut(u64),
    ) -> Result<(), StoreError> {
        let placeholders = |first: usize| {
            let p: Vec<String> = (first..first + n_cols).map(|i| format!("${i}")).collect();
            format!("({})", p.join(", "))
        };
        match self {
            Db::Sqlite(c) => {
                let sql = format!("{head} VALUES {}", placeholders(1).replace('$', "?"));
                let mut st = c.prepare_cached(&sql).map_err(sqlite_err)?;
                for params in rows {
                    st.execute(rusqlite::params_from_iter(params.iter().map(to_sqlite)))
                        .map_err(sqlite_err)?;
                    progress(1);
                }
                Ok(())
            }
            Db::Postgres(c) => {
                const CHUNK: usize = 1000;
                let mut buf: Vec<Vec<Value>> = Vec::with_capacity(CHUNK);
                let mut flush = |buf: &mut Vec<Vec<Value>>| -> Result<(), StoreError> {
                    if buf.is_empty() {
                        return Ok(());
                    }
                    let values: Vec<String> =
                        (0..buf.len()).map(|r| placeholders(r * n_cols + 1)).collect();
                    let sql = format!("{head} VALUES {}", values.join(", "));
                    let flat: Vec<Value> = buf.drain(..).flatten().collect();
                    let boxed = pg_params(&flat);
                    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                        boxed.iter().map(|b| b.as_ref() as _).collect();
                    c.client.execute(sql.as_str(), &refs).map_err(pg_err)?;
                    Ok(())
                };
                for params in rows {
                    buf.push(params);
                    if buf.len() == CHUNK {
                        flush(&mut buf)?;
                        progress(CHUNK as u64);
                    }
                }
                let n = buf.len() as u64;
                flush(&mut buf)?;
                progress(n);
                Ok(())
            }
        }
    }

    /// Runs a query and returns every row.
    pub(crate) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(sqlite_err)?;
                let n = st.column_count();
                let mut rows = st
                    .query(rusqlite::params_from_iter(params.iter().map(to_sqlite)))
                    .map_err(sqlite_err)?;
                let mut out = Vec::new();
                while let Some(r) = rows.next().map_err(sqlite_err)? {
                    let mut row = Vec::with_capacity(n);
                    for i in 0..n {
                        row.push(match r.get_ref(i).map_err(sqlite_err)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(v) => Value::Int(v),
                            rusqlite::types::ValueRef::Real(v) => Value::Text(v.to_string()),
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => {
                                Value::Text(String::from_utf8_lossy(t).into_owned())
                            }
                        });
                    }
                    out.push(row);
                }
                Ok(out)
            }
            Db::Postgres(c) => {
                let boxed = pg_params(params);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    boxed.iter().map(|b| b.as_ref() as _).collect();
                let st = c.prepared(sql)?;
                let rows = c.client.query(&st, &refs).map_err(pg_err)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let mut row = Vec::with_capacity(r.len());
                    for (i, col) in r.columns().iter().enumerate() {
                        use postgres::types::Type;
                        let t = col.type_();
                        let v = if *t == Type::INT8 {
                            r.try_get::<_, Option<i64>>(i).map_err(pg_err)?.map(Value::Int)
                        } else if *t == Type::INT4 {
                            r.try_get::<_, Option<i32>>(i)
                                .map_err(pg_err)?
                                .map(|v| Value::Int(i64::from(v)))
                        } else if *t == Type::INT2 {
                            r.try_get::<_, Option<i16>>(i)
                                .map_err(pg_err)?
                                .map(|v| Value::Int(i64::from(v)))
                        } else if *t == Type::NUMERIC {
                            return Err(StoreError::backend(
                                BackendErrorKind::Other,
                                "numeric columns are not used; cast to bigint",
                            ));
                        } else {
                            r.try_get::<_, Option<String>>(i).map_err(pg_err)?.map(Value::Text)
                        };
                        row.push(v.unwrap_or(Value::Null));
                    }
                    out.push(row);
                }
                Ok(out)
            }
        }
    }

    /// Runs a query expected to return one row.
    pub(crate) fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query(sql, params)?.into_iter().next().ok_or_else(|| {
            StoreError::backend(BackendErrorKind::Other, format!("query returned no row: {sql}"))
        })
    }

    /// The column names of a table, in order.
    pub(crate) fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        let rows = match self {
            Db::Sqlite(_) => self.query(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"), &[])?,
            Db::Postgres(_) => self.query(
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = ?1 AND table_schema = current_schema() ORDER BY ordinal_position",
                &[table.into()],
            )?,
        };
        rows.iter().map(|r| r[0].text().map(str::to_owned)).collect()
    }
}

fn to_sqlite(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Null | Value::NullInt => rusqlite::types::Value::Null,
    }
}

fn pg_params(params: &[Value]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    params
        .iter()
        .map(|v| -> Box<dyn postgres::types::ToSql + Sync> {
            match v {
                Value::Int(i) => Box::new(*i),
                Value::Text(s) => Box::new(s.clone()),
                Value::Null => Box::new(Option::<String>::None),
                Value::NullInt => Box::new(Option::<i64>::None),
            }
        })
        .collect()
}
