//! The simulated clock. Every expiry, cooldown, OTP delay and rate-limit window reads it, so tests
//! can scale time (`scale: 60` = a minute per real second, `0` = frozen) or jump forward instead of
//! sleeping.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use std::sync::Mutex;
use std::time::Instant;

pub type SimTime = DateTime<Utc>;

#[derive(Debug)]
pub struct SimClock {
    inner: Mutex<ClockState>,
}

#[derive(Debug, Clone, Copy)]
struct ClockState {
    anchor_real: Instant,
    anchor_sim: SimTime,
    scale: u32,
}

impl ClockState {
    fn now(&self) -> SimTime {
        let real = self.anchor_real.elapsed();
        let millis = real.as_millis().saturating_mul(u128::from(self.scale));
        let millis = i64::try_from(millis).unwrap_or(i64::MAX / 2);
        self.anchor_sim + ChronoDuration::milliseconds(millis)
    }
}

impl Default for SimClock {
    fn default() -> Self {
        SimClock::new()
    }
}

impl SimClock {
    pub fn new() -> SimClock {
        SimClock {
            inner: Mutex::new(ClockState {
                anchor_real: Instant::now(),
                anchor_sim: Utc::now(),
                scale: 1,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn now(&self) -> SimTime {
        self.state().now()
    }

    pub fn scale(&self) -> u32 {
        self.state().scale
    }

    /// Change the speed from now on; the current simulated instant is kept.
    pub fn set_scale(&self, scale: u32) {
        let mut s = self.state();
        let now = s.now();
        *s = ClockState {
            anchor_real: Instant::now(),
            anchor_sim: now,
            scale,
        };
    }

    /// Jump forward (a negative jump is refused by the caller: time never runs backwards).
    pub fn advance(&self, secs: u64) -> SimTime {
        let mut s = self.state();
        let now = s.now();
        let secs = i64::try_from(secs)
            .unwrap_or(i64::MAX / 4_000)
            .min(100 * 365 * 86_400);
        *s = ClockState {
            anchor_real: Instant::now(),
            anchor_sim: now + ChronoDuration::seconds(secs),
            scale: s.scale,
        };
        s.anchor_sim
    }

    /// Back to real time.
    pub fn reset(&self) {
        *self.state() = ClockState {
            anchor_real: Instant::now(),
            anchor_sim: Utc::now(),
            scale: 1,
        };
    }
}

/// Whole seconds from `now` until `until`, rounded up, at least 1 (for `Retry-After`).
pub fn secs_until(now: SimTime, until: SimTime) -> u64 {
    let ms = (until - now).num_milliseconds();
    if ms <= 0 {
        1
    } else {
        u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1)
    }
}

pub fn std_to_chrono(d: std::time::Duration) -> ChronoDuration {
    ChronoDuration::milliseconds(i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_only_moves_when_advanced() {
        let c = SimClock::new();
        c.set_scale(0);
        let t0 = c.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(c.now(), t0);
        let t1 = c.advance(120);
        assert_eq!((t1 - t0).num_seconds(), 120);
        assert_eq!(secs_until(t0, t1), 120);
        assert_eq!(secs_until(t1, t0), 1);
    }
}
