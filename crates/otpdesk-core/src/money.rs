//! Money as integer minor units. Providers send amounts as JSON integers (OTPZap IDR), decimal
//! strings (OOPPay USDT "11.500000") or possibly JSON fractions (NumberOTP prices): all are parsed
//! from their decimal text, never through `f64` arithmetic.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// Indonesian rupiah: whole rupiah, no minor unit in practice.
    Idr,
    /// US dollar. Kept at 6 decimals because per-number prices can be fractions of a cent.
    Usd,
    /// Tether on TRC20: 6 decimals, as OOPPay sends.
    Usdt,
}

impl Currency {
    /// How many decimal places one minor unit stands for.
    pub fn scale(self) -> u32 {
        match self {
            Currency::Idr => 0,
            Currency::Usd | Currency::Usdt => 6,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Currency::Idr => "IDR",
            Currency::Usd => "USD",
            Currency::Usdt => "USDT",
        }
    }

    /// Tolerant parse of a provider's currency code; `None` for codes we do not model.
    pub fn from_code(code: &str) -> Option<Currency> {
        match code.trim().to_ascii_uppercase().as_str() {
            "IDR" | "RP" => Some(Currency::Idr),
            "USD" | "$" => Some(Currency::Usd),
            "USDT" | "USDT-TRC20" | "USDT_TRC20" => Some(Currency::Usdt),
            _ => None,
        }
    }
}

/// An amount of one currency in integer minor units (see [`Currency::scale`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Money {
    pub currency: Currency,
    pub minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not a decimal amount")]
    NotDecimal(String),
    #[error("{text:?} has more than {scale} decimal places")]
    TooPrecise { text: String, scale: u32 },
    #[error("{0:?} is too large")]
    Overflow(String),
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(&'static str, &'static str),
}

impl Money {
    pub fn new(currency: Currency, minor: i64) -> Money {
        Money { currency, minor }
    }

    pub fn idr(rupiah: i64) -> Money {
        Money::new(Currency::Idr, rupiah)
    }

    pub fn zero(currency: Currency) -> Money {
        Money::new(currency, 0)
    }

    /// Parse a decimal text such as `"11.5"`, `"-0.050000"` or `"2835"`. Extra trailing zeros past
    /// the currency's scale are accepted; a non-zero digit past it is an error (never rounded).
    pub fn parse(currency: Currency, text: &str) -> Result<Money, MoneyError> {
        parse_decimal(text, currency.scale()).map(|minor| Money::new(currency, minor))
    }

    /// Parse a JSON number or string. JSON numbers are read back from their shortest decimal text
    /// (`serde_json` prints `0.1` as `"0.1"`), so no float arithmetic touches the amount.
    pub fn from_json(currency: Currency, value: &serde_json::Value) -> Result<Money, MoneyError> {
        match value {
            serde_json::Value::Number(n) => Money::parse(currency, &n.to_string()),
            serde_json::Value::String(s) => Money::parse(currency, s),
            other => Err(MoneyError::NotDecimal(truncate(&other.to_string()))),
        }
    }

    /// Exact decimal text with the currency's full scale: `"2835"`, `"11.500000"`.
    pub fn to_decimal_string(&self) -> String {
        format_decimal(self.minor, self.currency.scale())
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|m| Money::new(self.currency, m))
            .ok_or_else(|| MoneyError::Overflow(format!("{self} + {other}")))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|m| Money::new(self.currency, m))
            .ok_or_else(|| MoneyError::Overflow(format!("{self} - {other}")))
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.code(),
                other.currency.code(),
            ))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency.code(), self.to_decimal_string())
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Parse a plain decimal (optional sign, digits, optional fraction; also `1e3`-free) into an
/// integer scaled by `10^scale`.
pub fn parse_decimal(text: &str, scale: u32) -> Result<i64, MoneyError> {
    let t = text.trim();
    let err = || MoneyError::NotDecimal(truncate(text));
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(err());
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err());
    }
    let (kept, dropped) = frac_part.split_at(frac_part.len().min(scale as usize));
    if dropped.bytes().any(|b| b != b'0') {
        return Err(MoneyError::TooPrecise {
            text: truncate(text),
            scale,
        });
    }
    let overflow = || MoneyError::Overflow(truncate(text));
    let mut value: i64 = 0;
    for b in int_part.bytes().chain(kept.bytes()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(overflow)?;
    }
    for _ in kept.len()..scale as usize {
        value = value.checked_mul(10).ok_or_else(overflow)?;
    }
    Ok(if neg { -value } else { value })
}

/// Format integer minor units with exactly `scale` decimals.
pub fn format_decimal(minor: i64, scale: u32) -> String {
    if scale == 0 {
        return minor.to_string();
    }
    let unit = 10u64.pow(scale);
    let abs = minor.unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = scale as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_provider_amounts_exactly() {
        assert_eq!(
            Money::parse(Currency::Usdt, "11.500000").unwrap().minor,
            11_500_000
        );
        assert_eq!(
            Money::parse(Currency::Usdt, "10.00").unwrap().minor,
            10_000_000
        );
        assert_eq!(Money::parse(Currency::Usdt, "0.05").unwrap().minor, 50_000);
        assert_eq!(
            Money::parse(Currency::Usdt, "-10.00").unwrap().minor,
            -10_000_000
        );
        assert_eq!(Money::parse(Currency::Idr, "2835").unwrap().minor, 2835);
        assert_eq!(Money::parse(Currency::Idr, "2835.00").unwrap().minor, 2835);
        assert_eq!(Money::parse(Currency::Usdt, ".5").unwrap().minor, 500_000);
    }

    #[test]
    fn refuses_what_is_not_an_exact_amount() {
        assert!(matches!(
            Money::parse(Currency::Idr, "2835.5"),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert!(matches!(
            Money::parse(Currency::Usdt, "1.0000001"),
            Err(MoneyError::TooPrecise { .. })
        ));
        for bad in ["", "-", ".", "abc", "1,5", "1e3", "NaN", "1.2.3", " - 1"] {
            assert!(Money::parse(Currency::Usdt, bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            Money::parse(Currency::Usdt, "99999999999999999999"),
            Err(MoneyError::Overflow(_))
        ));
    }

    #[test]
    fn json_numbers_never_pass_through_float_arithmetic() {
        let v: serde_json::Value =
            serde_json::from_str(r#"[2835, "11.500000", 0.1, 0.25, true]"#).unwrap();
        assert_eq!(
            Money::from_json(Currency::Idr, &v[0]).unwrap(),
            Money::idr(2835)
        );
        assert_eq!(
            Money::from_json(Currency::Usdt, &v[1]).unwrap().minor,
            11_500_000
        );
        assert_eq!(
            Money::from_json(Currency::Usd, &v[2]).unwrap().minor,
            100_000
        );
        assert_eq!(
            Money::from_json(Currency::Usd, &v[3]).unwrap().minor,
            250_000
        );
        assert!(Money::from_json(Currency::Usd, &v[4]).is_err());
    }

    #[test]
    fn formats_with_full_scale() {
        assert_eq!(Money::idr(50017).to_decimal_string(), "50017");
        assert_eq!(
            Money::new(Currency::Usdt, 11_500_000).to_string(),
            "USDT 11.500000"
        );
        assert_eq!(
            Money::new(Currency::Usdt, -50_000).to_decimal_string(),
            "-0.050000"
        );
    }

    #[test]
    fn arithmetic_is_checked_and_currency_safe() {
        assert_eq!(
            Money::idr(5).checked_add(Money::idr(7)).unwrap(),
            Money::idr(12)
        );
        assert!(Money::idr(5)
            .checked_add(Money::new(Currency::Usdt, 1))
            .is_err());
        assert!(Money::idr(i64::MAX).checked_add(Money::idr(1)).is_err());
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(minor in any::<i64>().prop_filter("abs fits", |m| *m != i64::MIN)) {
            for c in [Currency::Idr, Currency::Usdt] {
                let m = Money::new(c, minor);
                prop_assert_eq!(Money::parse(c, &m.to_decimal_string()).unwrap(), m);
            }
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = Money::parse(Currency::Usdt, &s);
        }
    }
}
