//! SQLite store: one file in the data directory, WAL, `synchronous=FULL` (a confirmed purchase must
//! survive a power cut, not only a crash). Every state change is one transaction, committed before
//! the matching event is sent. API keys are never written here.

mod attempts;
mod deposits;
mod history;
mod ledger;
mod migrations;
mod orders;

pub use deposits::DepositApplied;
pub use orders::{Applied, NewOrder};

use crate::model::Time;
use chrono::{TimeZone, Utc};
use otpdesk_core::{Currency, Money};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

pub const DB_FILE: &str = "otpdesk.sqlite3";

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    pub fn open(data_dir: &Path) -> rusqlite::Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("cannot create {}: {e}", data_dir.display())),
            )
        })?;
        let mut conn = Connection::open(data_dir.join(DB_FILE))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrate(&mut conn)?;
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
