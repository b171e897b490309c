//! Provider timestamps to UTC instants, at the client boundary.
//!
//! OTPZap writes local Indonesian wall-clock times with a zone abbreviation
//! (`"2026-05-19 10:30:00 WIB"`); OOPPay uses Unix seconds (`expire_at`) and RFC 3339 (`paid_at`).
//! Where a provider's zone is not stated we accept RFC 3339 and Unix seconds (or milliseconds when
//! the number is too large to be seconds).

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

pub type Timestamp = DateTime<Utc>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a time we understand")]
pub struct TimeError(pub String);

/// Indonesian zones and UTC, the only abbreviations providers were seen to use.
fn zone_offset(abbrev: &str) -> Option<FixedOffset> {
    let hours = match abbrev.to_ascii_uppercase().as_str() {
        "WIB" => 7,
        "WITA" => 8,
        "WIT" => 9,
        "UTC" | "GMT" | "Z" => 0,
        _ => return None,
    };
    FixedOffset::east_opt(hours * 3600)
}

/// Parse any provider time text: `"YYYY-MM-DD HH:MM:SS ZONE"`, RFC 3339, or Unix seconds/millis.
pub fn parse_provider_time(text: &str) -> Result<Timestamp, TimeError> {
    let t = text.trim();
    let err = || TimeError(t.chars().take(40).collect());
    if t.is_empty() {
        return Err(err());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().map_err(|_| err())?;
        return from_unix(n).ok_or_else(err);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Some((wall, zone)) = t.rsplit_once(' ') {
        if let Some(offset) = zone_offset(zone) {
            let naive = parse_wall_clock(wall).ok_or_else(err)?;
            return offset
                .from_local_datetime(&naive)
                .single()
                .map(|dt| dt.with_timezone(&Utc))
                .ok_or_else(err);
        }
    }
    // A bare wall-clock time without a zone: OTPZap is an Indonesian service and its documented
    // times are all WIB, so a zoneless time from it is taken as WIB.
    if let Some(naive) = parse_wall_clock(t) {
        return zone_offset("WIB")
            .and_then(|o| o.from_local_datetime(&naive).single())
            .map(|dt| dt.with_timezone(&Utc))
            .ok_or_else(err);
    }
    Err(err())
}

/// Parse a JSON value that may be a time string or a Unix number. `null` gives `Ok(None)`.
pub fn parse_provider_time_value(
    value: &serde_json::Value,
) -> Result<Option<Timestamp>, TimeError> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => parse_provider_time(s).map(Some),
        serde_json::Value::Number(n) => n
            .as_i64()
            .and_then(from_unix)
            .map(Some)
            .ok_or_else(|| TimeError(n.to_string())),
        other => Err(TimeError(other.to_string().chars().take(40).collect())),
    }
}

/// Seconds, or milliseconds when the value is past year 5138 as seconds.
fn from_unix(n: i64) -> Option<Timestamp> {
    if n.abs() >= 100_000_000_000 {
        Utc.timestamp_millis_opt(n).single()
    } else {
        Utc.timestamp_opt(n, 0).single()
    }
}

fn parse_wall_clock(s: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
}

/// Format an instant as OTPZap writes it (WIB), for the simulator and tests.
pub fn format_wib(t: Timestamp) -> String {
    let wib = FixedOffset::east_opt(7 * 3600).expect("valid offset");
    format!("{} WIB", t.with_timezone(&wib).format("%Y-%m-%d %H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn indonesian_zones_become_utc() {
        assert_eq!(
            parse_provider_time("2026-05-19 10:30:00 WIB").unwrap(),
            utc("2026-05-19T03:30:00Z")
        );
        assert_eq!(
            parse_provider_time("2026-05-19 10:30:00 WITA").unwrap(),
            utc("2026-05-19T02:30:00Z")
        );
        assert_eq!(
            parse_provider_time("2026-05-19 10:30:00 WIT").unwrap(),
            utc("2026-05-19T01:30:00Z")
        );
        assert_eq!(
            parse_provider_time("2026-05-19 10:30:00").unwrap(),
            utc("2026-05-19T03:30:00Z")
        );
    }

    #[test]
    fn rfc3339_and_unix() {
        assert_eq!(
            parse_provider_time("2025-01-22T10:32:15Z").unwrap(),
            utc("2025-01-22T10:32:15Z")
        );
        assert_eq!(
            parse_provider_time("2025-01-22T17:32:15+07:00").unwrap(),
            utc("2025-01-22T10:32:15Z")
        );
        assert_eq!(
            parse_provider_time("1737123456").unwrap(),
            utc("2025-01-17T14:17:36Z")
        );
        assert_eq!(
            parse_provider_time("1737123456000").unwrap(),
            utc("2025-01-17T14:17:36Z")
        );
        let v = serde_json::json!(1737123456);
        assert_eq!(
            parse_provider_time_value(&v).unwrap(),
            Some(utc("2025-01-17T14:17:36Z"))
        );
        assert_eq!(
            parse_provider_time_value(&serde_json::Value::Null).unwrap(),
            None
        );
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "...",
            "yesterday",
            "2026-13-45 10:30:00 WIB",
            "2026-05-19 10:30:00 PST",
        ] {
            assert!(parse_provider_time(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn wib_format_round_trips() {
        let t = utc("2026-05-19T03:30:00Z");
        assert_eq!(format_wib(t), "2026-05-19 10:30:00 WIB");
        assert_eq!(parse_provider_time(&format_wib(t)).unwrap(), t);
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,48}") {
            let _ = parse_provider_time(&s);
        }
    }
}
