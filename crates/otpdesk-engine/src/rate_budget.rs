//! One token bucket per provider key, shared by every request to that key (polls, long-polls,
//! purchases, actions) and, through the coordination file, by every OTPDesk process on the same
//! order book: N processes together stay under the provider's limit. `burst + rate·60 s` must stay
//! under the provider's per-minute limit so no sliding 60 s window can exceed it. A `Retry-After`
//! closes the bucket until it ends (clamped to [`MAX_BLOCK`]; a provider cannot freeze us for ever).

use crate::coord::Coord;
use crate::db::{params, OptionalExtension};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The longest a `Retry-After` may close a key's bucket.
pub const MAX_BLOCK: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Sustained requests per minute.
    pub per_minute: f64,
    /// Tokens that may be spent at once.
    pub burst: f64,
    /// Tokens background tracking leaves for user actions (a purchase never queues behind polls).
    pub reserve: f64,
}

impl Budget {
    /// OTPZap documents 300/min; we keep 10 % margin in every 60 s window, burst included:
    /// 262/min + a burst of 8 = at most 270 requests in any minute.
    pub const DEFAULT: Budget = Budget {
        per_minute: 262.0,
        burst: 8.0,
        reserve: 2.0,
    };

    pub fn per_minute(per_minute: f64) -> Budget {
        Budget {
            per_minute,
            ..Budget::DEFAULT
        }
    }

    fn rate_per_ms(&self) -> f64 {
        self.per_minute.max(0.001) / 60_000.0
    }

    fn floor(&self, p: Priority) -> f64 {
        match p {
            Priority::Interactive => 0.0,
            Priority::Background => self.reserve.min(self.burst - 1.0).max(0.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A user is waiting (buy, cancel, ...).
    Interactive,
    /// Tracking.
    Background,
}

#[derive(Debug)]
struct State {
    tokens: f64,
    last: Instant,
    blocked_until: Option<Instant>,
}

/// Where the bucket lives.
enum Shared {
    /// In this process only (tests, tools).
    Local,
    /// A row of the coordination file, read and written in one IMMEDIATE transaction per token.
    Coord { coord: Arc<Coord>, name: String },
}

pub struct RateBudget {
    budget: Budget,
    shared: Shared,
    /// The local bucket; also the fallback when the coordination file cannot be written.
    state: Mutex<State>,
    spent: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for RateBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateBudget")
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl RateBudget {
    /// A bucket of this process alone.
    pub fn new(budget: Budget) -> RateBudget {
        RateBudget::with(budget, Shared::Local)
    }

    /// The bucket `name` shared through `coord` with every process on the same order book.
    pub fn shared(budget: Budget, coord: Arc<Coord>, name: impl Into<String>) -> RateBudget {
        RateBudget::with(
            budget,
            Shared::Coord {
                coord,
                name: name.into(),
            },
        )
    }

    fn with(budget: Budget, shared: Shared) -> RateBudget {
        // Start with only the reserve: a restart must not add a fresh burst on top of the requests
        // the previous process sent in the same minute.
        RateBudget {
            budget,
            shared,
            state: Mutex::new(State {
                tokens: budget.reserve.min(budget.burst),
                last: Instant::now(),
                blocked_until: None,
            }),
            spent: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Requests this process was granted so far.
    pub fn spent(&self) -> u64 {
        self.spent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Take a token, or say how long to wait before asking again.
    pub fn try_acquire(&self, p: Priority) -> Result<(), Duration> {
        let out = match &self.shared {
            Shared::Coord { coord, name } => match self.try_shared(coord, name, p) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!("shared rate budget unavailable, using this process's own: {e}");
                    self.try_local(p)
                }
            },
            Shared::Local => self.try_local(p),
        };
        if out.is_ok() {
            self.spent
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        out
    }

    fn try_local(&self, p: Priority) -> Result<(), Duration> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(until) = s.blocked_until {
            if now < until {
                return Err(until - now);
            }
            s.blocked_until = None;
        }
        let elapsed = now.saturating_duration_since(s.last).as_secs_f64() * 1000.0;
        s.tokens = (s.tokens + elapsed * self.budget.rate_per_ms()).min(self.budget.burst);
        s.last = now;
        take(&mut s.tokens, self.budget, p)
    }

    fn try_shared(
        &self,
        coord: &Coord,
        name: &str,
        p: Priority,
    ) -> crate::db::Result<Result<(), Duration>> {
        let b = self.budget;
        let mut c = coord.conn();
        let tx = crate::store::write_tx(&mut c)?;
        // The clock is read under the write lock, and `last_ms` never moves back: read before
        // the lock, a process that waited its turn would store an older `last_ms` than the one
        // it replaced, and the next process would refill that interval a second time.
        let now = coord.now();
        let row: Option<(f64, i64, Option<i64>)> = tx
            .query_row(
                "SELECT tokens, last_ms, blocked_until FROM budgets WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (mut tokens, last, blocked) = row.unwrap_or((b.reserve.min(b.burst), now, None));
        let now = now.max(last);
        if let Some(until) = blocked.filter(|u| *u > now) {
            return Ok(Err(Duration::from_millis((until - now) as u64)));
        }
        tokens = (tokens + (now - last).max(0) as f64 * b.rate_per_ms()).min(b.burst);
        let out = take(&mut tokens, b, p);
        tx.execute(
            "INSERT INTO budgets (name, tokens, last_ms, blocked_until) VALUES (?1, ?2, ?3, NULL)
             ON CONFLICT(name) DO UPDATE SET tokens = ?2, last_ms = ?3, blocked_until = NULL",
            params![name, tokens, now],
        )?;
        tx.commit()?;
        Ok(out)
    }

    pub async fn acquire(&self, p: Priority) {
        while let Err(wait) = self.try_acquire(p) {
            // Others share the bucket: look again a little early rather than oversleep.
            tokio::time::sleep(wait.min(Duration::from_secs(5))).await;
        }
    }

    /// The provider said `Retry-After`: nothing goes to this key before it ends (at most
    /// [`MAX_BLOCK`], whatever it said).
    pub fn block_for(&self, d: Duration) {
        let d = d.min(MAX_BLOCK);
        if let Shared::Coord { coord, name } = &self.shared {
            let now = coord.now();
            let until = now.saturating_add(d.as_millis() as i64);
            let r = coord.conn().execute(
                "INSERT INTO budgets (name, tokens, last_ms, blocked_until) VALUES (?1, 0, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET tokens = 0, last_ms = ?2,
                     blocked_until = MAX(COALESCE(budgets.blocked_until, 0), ?3)",
                params![name, now, until],
            );
            if let Err(e) = r {
                tracing::warn!("could not share a Retry-After with other processes: {e}");
            }
        }
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let until = now.checked_add(d).unwrap_or(now);
        if s.blocked_until.is_none_or(|b| b < until) {
            s.blocked_until = Some(until);
        }
        // Whatever had accumulated was evidently too much.
        s.tokens = 0.0;
        s.last = now;
    }

    /// Until when the bucket is closed by a `Retry-After`, if it is.
    pub fn blocked_for(&self) -> Option<Duration> {
        if let Shared::Coord { coord, name } = &self.shared {
            let until: Option<i64> = coord
                .conn()
                .query_row(
                    "SELECT blocked_until FROM budgets WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()
                .ok()
                .flatten()
                .flatten();
            let now = coord.now();
            return until
                .filter(|u| *u > now)
                .map(|u| Duration::from_millis((u - now) as u64));
        }
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.blocked_until
            .and_then(|b| b.checked_duration_since(Instant::now()))
            .filter(|d| !d.is_zero())
    }
}

/// Spend one token above the priority's floor, or say how long until there is one.
fn take(tokens: &mut f64, b: Budget, p: Priority) -> Result<(), Duration> {
    let floor = b.floor(p);
    if *tokens >= 1.0 + floor {
        *tokens -= 1.0;
        Ok(())
    } else {
        let missing = 1.0 + floor - *tokens;
        let ms = (missing / b.rate_per_ms()).clamp(1.0, 3_600_000.0);
        Err(Duration::from_millis(ms as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_burst_plus_rate() {
        let b = RateBudget::new(Budget {
            per_minute: 60.0,
            burst: 5.0,
            reserve: 1.0,
        });
        let start = Instant::now();
        let mut n = 0;
        while Instant::now() - start < Duration::from_secs(60) {
            b.acquire(Priority::Interactive).await;
            n += 1;
        }
        assert!(n <= 5 + 60, "{n}");
        assert!(n >= 58, "{n}");
    }

    #[tokio::test(start_paused = true)]
    async fn background_leaves_the_reserve() {
        let b = RateBudget::new(Budget {
            per_minute: 60.0,
            burst: 3.0,
            reserve: 2.0,
        });
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(b.try_acquire(Priority::Background).is_ok());
        assert!(b.try_acquire(Priority::Background).is_err());
        assert!(b.try_acquire(Priority::Interactive).is_ok());
        assert!(b.try_acquire(Priority::Interactive).is_ok());
    }

    #[test]
    fn the_shared_refill_time_never_moves_back() {
        let dir = tempfile::tempdir().unwrap();
        let coord = Arc::new(Coord::open(dir.path(), Duration::from_secs(5)).unwrap());
        let b = RateBudget::shared(
            Budget {
                per_minute: 60.0,
                burst: 5.0,
                reserve: 0.0,
            },
            coord.clone(),
            "key:test",
        );
        // Another process refilled the bucket a moment later than this one's clock reads.
        let later = crate::coord::now_ms() + 10_000;
        coord
            .conn()
            .execute(
                "INSERT INTO budgets (name, tokens, last_ms) VALUES ('key:test', 0, ?1)",
                [later],
            )
            .unwrap();
        assert!(b.try_acquire(Priority::Interactive).is_err());
        let last: i64 = coord
            .conn()
            .query_row(
                "SELECT last_ms FROM budgets WHERE name = 'key:test'",
                (),
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(last, later, "an older refill time would be refilled again");
    }

    #[test]
    fn any_retry_after_is_clamped_without_a_panic() {
        let b = RateBudget::new(Budget::DEFAULT);
        for d in [
            Duration::MAX,
            Duration::from_secs(u64::MAX),
            Duration::from_secs(1 << 40),
        ] {
            b.block_for(d);
            assert!(b.blocked_for().unwrap() <= MAX_BLOCK);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_closes_the_bucket() {
        let b = RateBudget::new(Budget {
            per_minute: 6000.0,
            burst: 5.0,
            reserve: 0.0,
        });
        b.block_for(Duration::from_secs(3));
        let t = Instant::now();
        b.acquire(Priority::Interactive).await;
        assert!(Instant::now() - t >= Duration::from_secs(3));
    }
}
