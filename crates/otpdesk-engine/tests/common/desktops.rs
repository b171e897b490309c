//! Team desktops as separate processes (the `otpdesk-engine-worker` binary on a team's PostgreSQL
//! store) and the one measurement both the takeover test and the team benchmark make: SIGKILL the
//! desktop holding the OTPZap tracking lease and time until another desktop holds it. Shared by
//! tests/takeover.rs and benches/team.rs (`#[path]`), so the two measure the same thing.

use otpdesk_engine::db::{Connection, OptionalExtension};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One desktop: a worker process whose stdout is drained (it prints every event as a line).
/// Dropping it kills the process, so a failed run leaves nothing behind.
pub struct Desktop {
    pub child: Child,
    ready: std::sync::mpsc::Receiver<()>,
}

impl Desktop {
    /// Start a desktop with the OTPZap key on the team store `team_url` (a connection string),
    /// its own data directory `data`, and more `env` for the worker (OTPDESK_BUY_TARGET, …).
    pub fn spawn(
        otpzap_url: &str,
        key: &str,
        team_url: &str,
        data: &Path,
        env: &[(&str, &str)],
    ) -> Desktop {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_otpdesk-engine-worker"));
        cmd.env("OTPDESK_STORE", team_url)
            .env("OTPDESK_DATA_DIR", data)
            .env("OTPDESK_OTPZAP_URL", otpzap_url)
            .env("OTPDESK_OTPZAP_KEY", key);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("worker");
        let out = child.stdout.take().unwrap();
        let (tx, ready) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                if line.contains("\"ready\"") {
                    let _ = tx.send(());
                }
            }
        });
        Desktop { child, ready }
    }

    /// Wait until its engine is open (it has tried the lease by then).
    pub fn wait_ready(&self) {
        self.ready
            .recv_timeout(Duration::from_secs(60))
            .expect("the desktop opened its engine");
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The OTPZap tracking lease as the server has it: (holder's pid, acquired_at, expires_at), in
/// the server's milliseconds.
pub fn lease(db: &Connection) -> Option<(u32, i64, i64)> {
    db.query_row(
        "SELECT i.pid, l.acquired_at, l.expires_at FROM leases l JOIN instances i ON i.id = l.holder
         WHERE l.name = 'tracker:otpzap'",
        (),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
    .unwrap()
}

/// Now on the server's clock, in ms (the clock leases are written in).
pub fn server_ms(db: &Connection) -> i64 {
    db.query_row(
        "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        (),
        |r| r.get(0),
    )
    .unwrap()
}

/// The pid of the desktop holding an unexpired OTPZap lease, waiting up to `limit` for one.
pub async fn holder(db: &Connection, limit: Duration) -> u32 {
    let deadline = Instant::now() + limit;
    loop {
        match lease(db) {
            Some((pid, _, expires)) if expires > server_ms(db) => return pid,
            _ if Instant::now() > deadline => panic!("nobody tracks OTPZap"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// SIGKILL the desktop of `desktops` that holds the OTPZap lease (no shutdown, no release) and
/// wait for another to take it. Returns the takeover time (kill → the new holder's
/// `acquired_at`, both on the server's clock) and the new holder's pid. Panics when nobody takes
/// over within `limit` or the lease goes to a process that is not among `desktops`.
pub async fn kill_tracker(
    db: &Connection,
    desktops: &mut Vec<Desktop>,
    limit: Duration,
) -> (Duration, u32) {
    let old = holder(db, limit).await;
    let i = desktops
        .iter()
        .position(|d| d.child.id() == old)
        .expect("the lease holder is one of the desktops");
    let mut dead = desktops.remove(i);
    let killed_at_ms = server_ms(db);
    let killed_at = Instant::now();
    dead.child.kill().expect("SIGKILL"); // std's kill() is SIGKILL on Unix
    dead.child.wait().unwrap();
    let (new, acquired_at) = loop {
        if let Some((pid, acquired, expires)) = lease(db) {
            if pid != old && expires > server_ms(db) {
                break (pid, acquired);
            }
        }
        assert!(
            killed_at.elapsed() <= limit,
            "no takeover within {limit:?} of the kill"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        desktops.iter().any(|d| d.child.id() == new),
        "the lease went to a process that is not one of the running desktops"
    );
    let took = Duration::from_millis((acquired_at - killed_at_ms).max(0) as u64);
    (took, new)
}
