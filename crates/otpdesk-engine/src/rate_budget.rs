//! One token bucket per provider key, shared by every request to that key (polls, long-polls,
//! purchases, actions). `burst + rate·60 s` must stay under the provider's per-minute limit so no
//! sliding 60 s window can exceed it. A `Retry-After` closes the bucket until it ends.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

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
    /// OTPZap documents 300/min; we keep 10 % margin.
    pub const DEFAULT: Budget = Budget {
        per_minute: 270.0,
        burst: 8.0,
        reserve: 2.0,
    };

    pub fn per_minute(per_minute: f64) -> Budget {
        Budget {
            per_minute,
            ..Budget::DEFAULT
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
    spent: u64,
}

#[derive(Debug)]
pub struct RateBudget {
    budget: Budget,
    state: Mutex<State>,
}

impl RateBudget {
    pub fn new(budget: Budget) -> RateBudget {
        // Start with only the reserve: a restart must not add a fresh burst on top of the requests
        // the previous process sent in the same minute.
        RateBudget {
            budget,
            state: Mutex::new(State {
                tokens: budget.reserve.min(budget.burst),
                last: Instant::now(),
                blocked_until: None,
                spent: 0,
            }),
        }
    }

    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Requests granted so far.
    pub fn spent(&self) -> u64 {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).spent
    }

    /// Take a token, or say how long to wait before asking again.
    pub fn try_acquire(&self, p: Priority) -> Result<(), Duration> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(until) = s.blocked_until {
            if now < until {
                return Err(until - now);
            }
            s.blocked_until = None;
        }
        let rate = self.budget.per_minute / 60.0;
        let elapsed = now.saturating_duration_since(s.last).as_secs_f64();
        s.tokens = (s.tokens + elapsed * rate).min(self.budget.burst);
        s.last = now;
        let floor = match p {
            Priority::Interactive => 0.0,
            Priority::Background => self.budget.reserve.min(self.budget.burst - 1.0).max(0.0),
        };
        if s.tokens >= 1.0 + floor {
            s.tokens -= 1.0;
            s.spent += 1;
            Ok(())
        } else {
            let missing = 1.0 + floor - s.tokens;
            Err(Duration::from_secs_f64((missing / rate).max(0.001)))
        }
    }

    pub async fn acquire(&self, p: Priority) {
        while let Err(wait) = self.try_acquire(p) {
            tokio::time::sleep(wait).await;
        }
    }

    /// The provider said `Retry-After`: nothing goes to this key before it ends.
    pub fn block_for(&self, d: Duration) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let until = Instant::now() + d;
        if s.blocked_until.is_none_or(|b| b < until) {
            s.blocked_until = Some(until);
        }
        // Whatever had accumulated was evidently too much.
        s.tokens = 0.0;
        s.last = Instant::now();
    }

    pub fn blocked_until(&self) -> Option<Instant> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.blocked_until.filter(|b| *b > Instant::now())
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
