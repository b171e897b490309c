//! SQLite store: one file in the data directory, WAL, `synchronous=FULL` (a confirmed purchase must
//! survive a power cut, not only a crash). Every state change is one transaction, committed before
//! the matching event is sent. API keys are never written here.

mod attempts;
mod automation;
mod deposits;
mod desk;
mod history;
mod ledger;
mod migrations;
mod migrations_pg;
mod orders;
mod requests;
mod scoreboard;
#[cfg(feature = "seed")]
pub mod seed;
mod team;

pub use deposits::DepositApplied;
pub use orders::{Applied, NewOrder};
pub use requests::{ReadState, RequestKind, RequestState, RequestView, Settle};

use crate::db::Connection;
use crate::error::EngineError;
use crate::model::Time;
use chrono::{TimeZone, Utc};
use otpdesk_core::{Currency, Money};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub const DB_FILE: &str = "otpdesk.sqlite3";

pub struct Store {
    conn: Mutex<Connection>,
}

/// How long a statement waits for another process's write before giving up. Writes are short
/// (milliseconds), so this is only reached when something holds the file far too long.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(20);

impl Store {
    /// Open (or create) the order book in `data_dir`. Any number of processes may open the same
    /// one: every write is an IMMEDIATE transaction and waits its turn for up to [`BUSY_TIMEOUT`].
    pub fn open(data_dir: &Path) -> Result<Store, EngineError> {
        Store::open_with(data_dir, BUSY_TIMEOUT)
    }

    pub fn open_with(data_dir: &Path, busy: Duration) -> Result<Store, EngineError> {
        retry_busy(busy, || Store::try_open(data_dir, busy))
    }

    fn try_open(data_dir: &Path, busy: Duration) -> Result<Store, EngineError> {
        let path = data_dir.join(DB_FILE);
        let conn = open_private(data_dir, &path, busy)?;
        let damaged = |e: rusqlite::Error| classify(&path, e);
        // WAL needs the write lock the first time; the busy timeout above makes it wait.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(damaged)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(damaged)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(damaged)?;
        let mut conn = conn;
        match migrations::migrate(&mut conn) {
            Ok(_) => {}
            Err(migrations::MigrateError::TooNew { found, known }) => {
                return Err(EngineError::StoreTooNew {
                    path: path.display().to_string(),
                    found,
                    known,
                })
            }
            Err(migrations::MigrateError::Sql(crate::db::Error::Sqlite(e))) => {
                return Err(damaged(e))
            }
            Err(migrations::MigrateError::Sql(e)) => return Err(EngineError::Store(e)),
        }
        Ok(Store {
            conn: Mutex::new(conn.into()),
        })
    }

    /// Open (or create) a team's order book on its PostgreSQL server.
    pub fn open_pg(cfg: &crate::db::PgConfig) -> Result<Store, EngineError> {
        let mut conn = crate::db::Connection::Pg(crate::db::PgConn::connect(cfg)?);
        match migrations_pg::migrate(&mut conn) {
            Ok(_) => {}
            Err(migrations::MigrateError::TooNew { found, known }) => {
                return Err(EngineError::StoreTooNew {
                    path: cfg.describe(),
                    found,
                    known,
                })
            }
            Err(migrations::MigrateError::Sql(e)) => return Err(EngineError::Store(e)),
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// The connection; poisoning is ignored because every write is a transaction that SQLite
    /// rolls back on its own if the holder panicked mid-way.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Opening while another process turns a new file to WAL or recovers it can answer "busy" without
/// waiting in SQLite's busy handler: try again until `busy` has passed.
pub(crate) fn retry_busy<T>(
    busy: Duration,
    mut open: impl FnMut() -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let deadline = std::time::Instant::now() + busy;
    loop {
        match open() {
            Err(EngineError::Store(e))
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// A write transaction that takes the write lock at BEGIN. A deferred one that reads first and
/// then writes fails at once with "database is locked" when another process wrote in between.
pub(crate) fn write_tx(c: &mut Connection) -> crate::db::Result<crate::db::Transaction<'_>> {
    c.write_tx()
}

/// Open a SQLite file that only this user can read: the folder is created 0700 and the file
/// 0600 (SQLite gives its -wal and -shm files the main file's mode).
pub(crate) fn open_private(
    dir: &Path,
    path: &Path,
    busy: Duration,
) -> Result<rusqlite::Connection, EngineError> {
    let fail = |what: String| {
        EngineError::Store(
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(what),
            )
            .into(),
        )
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        restrict(dir, 0o700);
    }
    if !path.exists() {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        o.open(path)
            .map_err(|e| fail(format!("cannot create {}: {e}", path.display())))?;
    }
    restrict(path, 0o600);
    let conn = rusqlite::Connection::open(path).map_err(|e| classify(path, e))?;
    conn.busy_timeout(busy).map_err(|e| classify(path, e))?;
    // Reading the schema is the first thing that touches the file's contents: a file that is
    // not a database fails here, before anything else is tried.
    conn.query_row("SELECT count(*) FROM sqlite_master", (), |_| Ok(()))
        .map_err(|e| classify(path, e))?;
    Ok(conn)
}

#[cfg(unix)]
fn restrict(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(p) {
        if m.permissions().mode() & 0o777 != mode {
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
        }
    }
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) {}

/// A damaged or foreign file is named as such (with its path), not reported as a full disk.
pub(crate) fn classify(path: &Path, e: rusqlite::Error) -> EngineError {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => EngineError::StoreDamaged {
            path: path.display().to_string(),
            reason: e.to_string(),
        },
        _ => EngineError::Store(e.into()),
    }
}

pub(crate) fn ms(t: Time) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> Time {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

pub(crate) fn opt_from_ms(v: Option<i64>) -> Option<Time> {
    v.map(from_ms)
}

pub(crate) fn currency_from(code: &str) -> Currency {
    Currency::from_code(code).unwrap_or(Currency::Idr)
}

pub(crate) fn money(minor: Option<i64>, currency: Option<String>) -> Option<Money> {
    match (minor, currency) {
        (Some(m), Some(c)) => Some(Money::new(currency_from(&c), m)),
        _ => None,
    }
}

pub(crate) fn provider_from(s: &str) -> otpdesk_core::ProviderId {
    s.parse().unwrap_or(otpdesk_core::ProviderId::Otpzap)
}
