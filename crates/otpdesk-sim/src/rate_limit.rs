//! Per-key sliding-window rate limit (default 300 requests per 60 s, on the simulated clock).
//! Rejected requests do not count against the window.

use crate::clock::{secs_until, SimTime};
use chrono::Duration;
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<String, VecDeque<SimTime>>,
}

impl RateLimiter {
    /// Admit one request for `key`, or give the `Retry-After` seconds.
    pub fn check(&mut self, key: &str, limit: u32, now: SimTime) -> Result<(), u64> {
        let window = self.windows.entry(key.to_string()).or_default();
        let start = now - Duration::seconds(60);
        while window.front().is_some_and(|t| *t <= start) {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            let oldest = window.front().copied().unwrap_or(now);
            return Err(secs_until(now, oldest + Duration::seconds(60)));
        }
        window.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_slides() {
        let mut r = RateLimiter::default();
        let t0 = chrono::Utc::now();
        for i in 0..3 {
            assert!(r.check("k", 3, t0 + Duration::seconds(i)).is_ok());
        }
        assert_eq!(r.check("k", 3, t0 + Duration::seconds(10)), Err(50));
        assert!(r.check("other", 3, t0).is_ok());
        assert!(r.check("k", 3, t0 + Duration::seconds(61)).is_ok());
    }
}
