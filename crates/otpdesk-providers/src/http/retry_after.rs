//! Reading a provider-given wait (`Retry-After` header, `retry_after` in an error body) into a
//! `Duration` that is always within `0..=MAX_RETRY_AFTER`: a provider that sends
//! "18446744073709551615", "1e30" or a date in the year 3000 did say "wait", so it gets the cap,
//! never a panic, an overflow or a wait of centuries.

use crate::error::MAX_RETRY_AFTER;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::time::Duration;

/// Delay seconds (integer or decimal) or an HTTP date, clamped to `0..=MAX_RETRY_AFTER`.
/// `None` only when the text is no wait at all (words, negative numbers, NaN).
pub(crate) fn parse_retry_after(text: &str) -> Option<Duration> {
    parse_at(text, Utc::now())
}

pub(crate) fn parse_at(text: &str, now: DateTime<Utc>) -> Option<Duration> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only: too many for a u64 still means "longer than the cap".
        return Some(t.parse::<u64>().map_or(MAX_RETRY_AFTER, secs));
    }
    if looks_numeric(t) {
        let s: f64 = t.parse().ok()?;
        if s.is_nan() || s < 0.0 {
            return None;
        }
        if s >= MAX_RETRY_AFTER.as_secs_f64() {
            return Some(MAX_RETRY_AFTER);
        }
        return Duration::try_from_secs_f64(s).ok();
    }
    let when = http_date(t)?;
    let ahead = when.timestamp().saturating_sub(now.timestamp()).max(0);
    Some(secs(u64::try_from(ahead).unwrap_or(u64::MAX)))
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s.min(MAX_RETRY_AFTER.as_secs()))
}

/// `1.5`, `+2`, `1e30`, `-0.0`: what `f64` parsing should see (not "inf", "NaN" or words).
fn looks_numeric(t: &str) -> bool {
    t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
}

/// The three HTTP-date forms (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 and asctime.
fn http_date(t: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &str) -> Option<Duration> {
        let now = DateTime::parse_from_rfc3339("2026-05-19T03:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        parse_at(t, now)
    }

    #[test]
    fn ordinary_forms() {
        assert_eq!(at("120"), Some(Duration::from_secs(120)));
        assert_eq!(at(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(at("600"), Some(MAX_RETRY_AFTER));
        assert_eq!(at("0"), Some(Duration::ZERO));
        assert_eq!(at("-0"), Some(Duration::ZERO));
        assert_eq!(at("-0.0"), Some(Duration::ZERO));
        assert_eq!(
            at("Tue, 19 May 2026 03:31:30 GMT"),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            at("Tuesday, 19-May-26 03:31:00 GMT"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            at("Tue May 19 03:30:30 2026"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(at("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
    }

    #[test]
    fn absurd_waits_are_the_cap() {
        for t in [
            "601",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999999999999999999",
            "1e30",
            "1e300",
            "1e400",
            "1E+9",
            "600.000001",
            "Wed, 01 Jan 3000 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(at(t), Some(MAX_RETRY_AFTER), "{t}");
        }
    }

    #[test]
    fn no_wait_at_all() {
        for t in [
            "", "soon", "-5", "-1e30", "NaN", "inf", "-inf", "infinity", "1.5e", "0x10", "--1",
        ] {
            assert_eq!(at(t), None, "{t}");
        }
    }
}
