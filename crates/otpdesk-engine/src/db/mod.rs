//! One SQL interface over the two order-book backends: the embedded SQLite file (the default) and
//! a team's PostgreSQL server. It mirrors the part of rusqlite's API the store uses (`execute`,
//! `query_row`, `prepare(_cached)`, `query_map`, transactions, `params!`, `optional()`), so the
//! store's modules are written once; SQL is written in SQLite's dialect with `?N` placeholders and
//! translated for PostgreSQL in `pg.rs` (the few constructs that differ are chosen per backend).

pub mod listen;
mod pg;
mod tls;
mod value;

pub use pg::{is_refused_login, PgConfig, PgConn};
pub use value::{FromSql, ToValue, Value};

use std::fmt;

/// What went wrong talking to the order book, whichever backend.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Pg(#[from] tokio_postgres::Error),
    /// The team's server cannot be reached (or the connection broke mid-way).
    #[error("the team's database server cannot be reached: {0}")]
    Offline(String),
    #[error("query returned no rows")]
    NoRows,
    #[error("column {index}: {reason}")]
    Conversion { index: usize, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// SQLite's error code when the SQLite backend answered.
    pub fn sqlite_error_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(e) => e.sqlite_error_code(),
            _ => None,
        }
    }

    /// PostgreSQL's SQLSTATE when the server answered with one.
    pub fn pg_code(&self) -> Option<&str> {
        match self {
            Error::Pg(e) => e.code().map(|c| c.code()),
            _ => None,
        }
    }

    /// A uniqueness or other constraint refused the write (both backends).
    pub fn is_constraint(&self) -> bool {
        matches!(
            self.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation)
        ) || self.pg_code().is_some_and(|c| c.starts_with("23"))
    }

    pub(crate) fn conversion(index: usize, reason: impl fmt::Display) -> Error {
        Error::Conversion {
            index,
            reason: reason.to_string(),
        }
    }
}

/// `query_row(..).optional()`: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) | Err(Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// Which backend a connection talks to, for the few statements written twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The parameters of one statement: `params![a, b]`, `[x]`, `()` or `params_from_iter(..)`.
pub trait Params {
    fn values(self) -> Vec<Value>;
}

impl Params for () {
    fn values(self) -> Vec<Value> {
        Vec::new()
    }
}

impl Params for &[&dyn ToValue] {
    fn values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl<T: ToValue, const N: usize> Params for [T; N] {
    fn values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl<T: ToValue, const N: usize> Params for &[T; N] {
    fn values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl Params for Vec<Value> {
    fn values(self) -> Vec<Value> {
        self
    }
}

/// Parameters from any iterator of values (a filter built clause by clause).
pub struct ParamsFromIter(Vec<Value>);

pub fn params_from_iter<I>(it: I) -> ParamsFromIter
where
    I: IntoIterator,
    I::Item: ToValue,
{
    ParamsFromIter(it.into_iter().map(|v| v.to_value()).collect())
}

impl Params for ParamsFromIter {
    fn values(self) -> Vec<Value> {
        self.0
    }
}

/// `params![a, b, c]`, as rusqlite's.
#[macro_export]
macro_rules! db_params {
    () => { &[] as &[&dyn $crate::db::ToValue] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::db::ToValue),+] as &[&dyn $crate::db::ToValue] };
}
pub use crate::db_params as params;

/// One connection to the order book.
pub enum Connection {
    Sqlite(rusqlite::Connection),
    Pg(PgConn),
}

impl From<rusqlite::Connection> for Connection {
    fn from(c: rusqlite::Connection) -> Connection {
        Connection::Sqlite(c)
    }
}

impl Connection {
    pub fn backend(&self) -> Backend {
        match self {
            Connection::Sqlite(_) => Backend::Sqlite,
            Connection::Pg(_) => Backend::Postgres,
        }
    }

    /// The SQLite connection (for what only the embedded store does: pragmas, its migrations).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Connection::Sqlite(c) => Some(c),
            Connection::Pg(_) => None,
        }
    }

    /// PostgreSQL: how long a statement waits for another desktop's lock (SQLite's busy
    /// timeout is set when its file is opened).
    pub fn set_lock_timeout(&self, d: std::time::Duration) -> Result<()> {
        match self {
            Connection::Sqlite(_) => Ok(()),
            Connection::Pg(c) => c.set_lock_timeout(d),
        }
    }

    pub fn execute<P: Params>(&self, sql: &str, p: P) -> Result<usize> {
        match self {
            Connection::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(p.values()))?)
            }
            Connection::Pg(c) => c.execute(sql, p.values()),
        }
    }

    /// Several statements without parameters (schema, BEGIN/COMMIT).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Connection::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Connection::Pg(c) => c.batch(sql),
        }
    }

    pub fn query_row<T, P, F>(&self, sql: &str, p: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        match self {
            Connection::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(p.values()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)),
                    None => Err(Error::NoRows),
                }
            }
            Connection::Pg(c) => {
                let rows = c.query(sql, p.values())?;
                match rows.first() {
                    Some(r) => f(&Row::Pg(r)),
                    None => Err(Error::NoRows),
                }
            }
        }
    }

    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        self.prepare_cached(sql)
    }

    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(match self {
            Connection::Sqlite(c) => Statement::Sqlite(c.prepare_cached(sql)?),
            Connection::Pg(c) => Statement::Pg {
                conn: c,
                sql: sql.to_string(),
            },
        })
    }

    /// A read transaction (SQLite: deferred; PostgreSQL: one snapshot).
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        let begin = match self {
            Connection::Sqlite(_) => "BEGIN DEFERRED",
            Connection::Pg(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        self.execute_batch(begin)?;
        Ok(Transaction {
            conn: self,
            done: false,
        })
    }

    /// A plain transaction (PostgreSQL's default isolation; SQLite: deferred).
    pub fn transaction_plain(&mut self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Transaction {
            conn: self,
            done: false,
        })
    }

    /// A write transaction that holds the order book's write lock from its first statement, as
    /// SQLite's IMMEDIATE transaction does: on PostgreSQL every writer takes the same
    /// transaction-scoped advisory lock, so the store's read-then-write rules hold unchanged
    /// across desktops.
    pub fn write_tx(&mut self) -> Result<Transaction<'_>> {
        let begun = match self {
            Connection::Sqlite(_) => self.execute_batch("BEGIN IMMEDIATE"),
            Connection::Pg(_) => self.execute_batch(&format!("BEGIN; {PG_WRITE_LOCK}")),
        };
        if let Err(e) = begun {
            // PostgreSQL began the transaction before the lock timed out: end it.
            if self.backend() == Backend::Postgres {
                let _ = self.execute_batch("ROLLBACK");
            }
            return Err(e);
        }
        Ok(Transaction {
            conn: self,
            done: false,
        })
    }
}

/// The lock every PostgreSQL writer takes: a transaction-scoped advisory lock keyed by the
/// order book's schema (two order books in two schemas of one database do not wait for each
/// other).
pub const PG_WRITE_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext('otpdesk:write:' || current_schema()));";

/// A transaction; rolled back when dropped without `commit`.
pub struct Transaction<'c> {
    conn: &'c mut Connection,
    done: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("COMMIT")
    }

    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A statement to run once or many times.
pub enum Statement<'c> {
    Sqlite(rusqlite::CachedStatement<'c>),
    Pg { conn: &'c PgConn, sql: String },
}

impl Statement<'_> {
    pub fn execute<P: Params>(&mut self, p: P) -> Result<usize> {
        match self {
            Statement::Sqlite(st) => Ok(st.execute(rusqlite::params_from_iter(p.values()))?),
            Statement::Pg { conn, sql } => conn.execute(sql, p.values()),
        }
    }

    /// Every row, each mapped by `f` (rows are read at once; the store's queries are bounded).
    pub fn query_map<T, P, F>(&mut self, p: P, mut f: F) -> Result<std::vec::IntoIter<Result<T>>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        let mut out = Vec::new();
        match self {
            Statement::Sqlite(st) => {
                let mut rows = st.query(rusqlite::params_from_iter(p.values()))?;
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Sqlite(r)));
                }
            }
            Statement::Pg { conn, sql } => {
                for r in conn.query(sql, p.values())? {
                    out.push(f(&Row::Pg(&r)));
                }
            }
        }
        Ok(out.into_iter())
    }

    pub fn query_row<T, P, F>(&mut self, p: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        match self {
            Statement::Sqlite(st) => {
                let mut rows = st.query(rusqlite::params_from_iter(p.values()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)),
                    None => Err(Error::NoRows),
                }
            }
            Statement::Pg { conn, sql } => match conn.query(sql, p.values())?.first() {
                Some(r) => f(&Row::Pg(r)),
                None => Err(Error::NoRows),
            },
        }
    }

    pub fn exists<P: Params>(&mut self, p: P) -> Result<bool> {
        Ok(self.query_map(p, |_| Ok(()))?.next().is_some())
    }
}

/// One result row.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a tokio_postgres::Row),
}

/// A column position (rusqlite's `RowIndex`, positions only).
pub trait RowIndex {
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

impl Row<'_> {
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let i = idx.index();
        let v = match self {
            Row::Sqlite(r) => Value::from(r.get_ref(i)?),
            Row::Pg(r) => pg::column(r, i)?,
        };
        T::from_value(v).map_err(|reason| Error::conversion(i, reason))
    }
}
