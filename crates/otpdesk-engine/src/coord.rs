//! How several OTPDesk processes (the app, CLI runs) share one order book safely: a small
//! second SQLite file beside it holds who is alive (instances with a heartbeat), who tracks each
//! provider (a lease with an expiry, taken over when its holder stops renewing), the rate budget
//! of each provider key (one bucket for every process), and a short log of engine events so each
//! process hears what the others did. Nothing here is money: the file may be lost at any time
//! (a damaged one is replaced), and it never holds a key.

use crate::db::{params, Connection, OptionalExtension};
use crate::error::{EngineError, Result};
use crate::store::{classify, open_private, write_tx};
use otpdesk_core::ProviderId;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const COORD_FILE: &str = "otpdesk-coord.sqlite3";

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS instances (
    id         TEXT PRIMARY KEY,
    pid        INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    origin TEXT NOT NULL,
    at     INTEGER NOT NULL,
    kind   TEXT NOT NULL,          -- event | poke
    body   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS budgets (
    name          TEXT PRIMARY KEY,
    tokens        REAL NOT NULL,
    last_ms       INTEGER NOT NULL,
    blocked_until INTEGER
);
"#;

/// Wall-clock milliseconds: shared between processes (a monotonic clock is not).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub struct Coord {
    conn: Mutex<Connection>,
    /// This engine instance (one per [`crate::Engine::open`], so two engines in one process are
    /// two participants, as two processes would be).
    pub me: String,
}

impl Coord {
    pub fn open(dir: &Path, busy: Duration) -> Result<Coord> {
        let path = dir.join(COORD_FILE);
        let open = || crate::store::retry_busy(busy, || Coord::try_open(dir, &path, busy));
        let conn = match open() {
            Err(EngineError::StoreDamaged { .. }) => {
                // Only coordination lives here: a damaged file is replaced, nothing is lost.
                tracing::warn!("replacing the damaged {}", path.display());
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                open()?
            }
            other => other?,
        };
        let me = uuid::Uuid::new_v4().to_string();
        let c = Coord {
            conn: Mutex::new(conn),
            me,
        };
        c.heartbeat()?;
        Ok(c)
    }

    fn try_open(dir: &Path, path: &Path, busy: Duration) -> Result<Connection> {
        let conn = open_private(dir, path, busy)?;
        let setup = || -> rusqlite::Result<()> {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // Crash-safe, no fsync per commit: losing the last instant of a rate budget or a
            // lease on a power cut costs nothing.
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.execute_batch(SCHEMA)
        };
        setup().map_err(|e| classify(path, e))?;
        Ok(conn.into())
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// "I am alive": renewed by the engine's coordination loop.
    pub fn heartbeat(&self) -> crate::db::Result<()> {
        let now = now_ms();
        self.conn().execute(
            "INSERT INTO instances (id, pid, started_at, seen_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT(id) DO UPDATE SET seen_at = ?3",
            params![self.me, std::process::id(), now],
        )?;
        Ok(())
    }

    /// Instances seen within `within` whose process still runs (this one included); old
    /// heartbeats are dropped.
    pub fn live(&self, within: Duration) -> crate::db::Result<Vec<String>> {
        let since = now_ms() - within.as_millis() as i64;
        let c = self.conn();
        c.execute(
            "DELETE FROM instances WHERE seen_at < ?1",
            [since - 3_600_000],
        )?;
        let mut st = c.prepare_cached("SELECT id, pid FROM instances WHERE seen_at >= ?1")?;
        let rows = st.query_map([since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, pid) = r?;
            if id == self.me || process_runs(pid) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Take or renew the tracking lease of `provider` for `ttl`. `true`: this instance holds it.
    pub fn lease(&self, provider: ProviderId, ttl: Duration) -> crate::db::Result<bool> {
        let now = now_ms();
        let name = lease_name(provider);
        let mut c = self.conn();
        let tx = write_tx(&mut c)?;
        let cur: Option<(String, i64)> = tx
            .query_row(
                "SELECT holder, expires_at FROM leases WHERE name = ?1",
                [&name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let holder_gone = |holder: &str| -> crate::db::Result<bool> {
            let pid: Option<u32> = tx
                .query_row("SELECT pid FROM instances WHERE id = ?1", [holder], |r| {
                    r.get(0)
                })
                .optional()?;
            Ok(pid.is_some_and(|p| !process_runs(p)))
        };
        let mine = match cur {
            Some((holder, expires))
                if holder != self.me && expires > now && !holder_gone(&holder)? =>
            {
                false
            }
            Some((holder, _)) => {
                let acquired = if holder == self.me { None } else { Some(now) };
                tx.execute(
                    "UPDATE leases SET holder = ?2, expires_at = ?3, acquired_at = COALESCE(?4, acquired_at) WHERE name = ?1",
                    params![name, self.me, now + ttl.as_millis() as i64, acquired],
                )?;
                true
            }
            None => {
                tx.execute(
                    "INSERT INTO leases (name, holder, expires_at, acquired_at) VALUES (?1, ?2, ?3, ?4)",
                    params![name, self.me, now + ttl.as_millis() as i64, now],
                )?;
                true
            }
        };
        tx.commit()?;
        Ok(mine)
    }

    /// Give up a lease at once (shutdown), so another process takes over without waiting for it
    /// to expire.
    pub fn release(&self, provider: ProviderId) -> crate::db::Result<()> {
        self.conn().execute(
            "UPDATE leases SET expires_at = 0 WHERE name = ?1 AND holder = ?2",
            params![lease_name(provider), self.me],
        )?;
        Ok(())
    }

    /// Leave: no heartbeat any more (our pending attempts are then orphans for the others).
    pub fn leave(&self) -> crate::db::Result<()> {
        self.conn()
            .execute("DELETE FROM instances WHERE id = ?1", [&self.me])?;
        Ok(())
    }

    /// The process id of `provider`'s lease holder, if the lease is held (for support and tests).
    pub fn holder_pid(&self, provider: ProviderId) -> crate::db::Result<Option<u32>> {
        self.conn()
            .query_row(
                "SELECT i.pid FROM leases l JOIN instances i ON i.id = l.holder
                 WHERE l.name = ?1 AND l.expires_at > ?2",
                params![lease_name(provider), now_ms()],
                |r| r.get(0),
            )
            .optional()
    }

    /// Append a line to the shared event log (`kind`: `event` or `poke`).
    pub fn publish(&self, kind: &str, body: &str) -> crate::db::Result<()> {
        self.conn().execute(
            "INSERT INTO events (origin, at, kind, body) VALUES (?1, ?2, ?3, ?4)",
            params![self.me, now_ms(), kind, body],
        )?;
        Ok(())
    }

    /// The newest log line's id (where a new reader starts).
    pub fn last_event(&self) -> crate::db::Result<i64> {
        self.conn()
            .query_row("SELECT COALESCE(MAX(id), 0) FROM events", (), |r| r.get(0))
    }

    /// Lines after `after` written by other instances: (id, kind, body).
    pub fn events_after(&self, after: i64) -> crate::db::Result<Vec<(i64, String, String)>> {
        let c = self.conn();
        let mut st = c.prepare_cached(
            "SELECT id, kind, body FROM events WHERE id > ?1 AND origin <> ?2 ORDER BY id LIMIT 500",
        )?;

        st.query_map(params![after, self.me], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect()
    }

    /// Drop log lines older than `keep` (readers are at most a few hundred ms behind).
    pub fn prune_events(&self, keep: Duration) -> crate::db::Result<()> {
        self.conn().execute(
            "DELETE FROM events WHERE at < ?1",
            [now_ms() - keep.as_millis() as i64],
        )?;
        Ok(())
    }
}

/// Whether a process with this id runs (a killed one is seen as gone at once, without waiting
/// for its heartbeat to age). Where that cannot be asked, the heartbeat alone decides.
#[cfg(unix)]
fn process_runs(pid: u32) -> bool {
    // Signal 0 checks existence and permission without sending anything.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Windows: a process that ended keeps its id only while someone holds a handle to it, and then
/// reports an exit code; one that cannot be opened for lack of rights still runs.
#[cfg(windows)]
fn process_runs(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{
        CloseHandle, GetLastError, ERROR_ACCESS_DENIED, STILL_ACTIVE,
    };
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };
    // SAFETY: plain Win32 calls on a handle this function owns and closes.
    unsafe {
        let h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if h.is_null() {
            // No such process (ERROR_INVALID_PARAMETER), or one we may not look at.
            return GetLastError() == ERROR_ACCESS_DENIED;
        }
        let mut code = 0u32;
        let ok = GetExitCodeProcess(h, &mut code);
        CloseHandle(h);
        // An exit code that happens to be 259 reads as running: the heartbeat then decides.
        ok == 0 || code == STILL_ACTIVE as u32
    }
}

#[cfg(not(any(unix, windows)))]
fn process_runs(_pid: u32) -> bool {
    true
}

fn lease_name(p: ProviderId) -> String {
    format!("tracker:{}", p.as_str())
}
