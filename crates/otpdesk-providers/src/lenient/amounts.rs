//! Amounts on the replies of paid creates (orders, replacements, inboxes, activations, invoices).
//! The provider has already taken the money when it answers, so the order id is what matters: an
//! amount we cannot read exactly as our `Money` ("2835.5" rupiah, a USD price with 7 decimals, a
//! currency code we do not know) becomes `None` with a warning, never a failed reply. The raw
//! value stays in `extra`, and nothing is rounded or guessed.

use super::{kind, Obj};
use otpdesk_core::{Currency, Money};
use serde_json::Value;

/// How a decoder treats an amount it cannot read exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Amounts {
    /// A decode error (reads and webhooks: nothing was bought by this reply).
    Strict,
    /// `None` plus a warning naming this reply (paid creates).
    Lenient(&'static str),
}

/// At most 40 characters of a JSON value, for a log line.
fn shown(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    text.chars().take(40).collect()
}

impl Obj<'_> {
    /// The currency at `key`, `default` when absent. A code we do not know is an error in strict
    /// mode; in lenient mode it is `Ok(None)` with a warning, the raw code kept in `extra`.
    pub fn currency_in(
        &mut self,
        key: &'static str,
        default: Option<Currency>,
        mode: Amounts,
    ) -> Result<Option<Currency>, String> {
        let Some(v) = self.map.get(key) else {
            self.seen.push(key);
            return Ok(default);
        };
        let Some(code) = super::scalar_text(v) else {
            self.seen.push(key);
            return Ok(default);
        };
        if let Some(c) = Currency::from_code(&code) {
            self.seen.push(key);
            return Ok(Some(c));
        }
        match mode {
            Amounts::Strict => {
                self.seen.push(key);
                Err(format!("unsupported currency {}", shown(v)))
            }
            Amounts::Lenient(reply) => {
                tracing::warn!(
                    reply,
                    field = key,
                    value = %shown(v),
                    "provider reply names a currency we do not know; its amounts are ignored"
                );
                Ok(None)
            }
        }
    }

    /// The amount at `key` in `currency` (`None`: unknown currency). In lenient mode an amount
    /// that is not exact `Money` is `Ok(None)` with a warning and stays in `extra`.
    pub fn money_in(
        &mut self,
        key: &'static str,
        currency: Option<Currency>,
        mode: Amounts,
    ) -> Result<Option<Money>, String> {
        let reply = match (mode, currency) {
            (Amounts::Strict, Some(c)) => return self.money(key, c),
            (Amounts::Strict, None) => return Err(format!("`{key}`: unsupported currency")),
            (Amounts::Lenient(reply), _) => reply,
        };
        let v = match self.map.get(key) {
            None | Some(Value::Null) => {
                self.seen.push(key);
                return Ok(None);
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.seen.push(key);
                return Ok(None);
            }
            Some(v) => v,
        };
        let Some(currency) = currency else {
            // Already warned about the currency; the amount stays in `extra` beside it.
            return Ok(None);
        };
        match Money::from_json(currency, v) {
            Ok(m) => {
                self.seen.push(key);
                Ok(Some(m))
            }
            Err(e) => {
                tracing::warn!(
                    reply,
                    field = key,
                    currency = currency.code(),
                    value = %shown(v),
                    kind = kind(v),
                    error = %e,
                    "provider reply has an amount we cannot read exactly; it is ignored"
                );
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PAID: Amounts = Amounts::Lenient("test reply");

    #[test]
    fn odd_amounts_are_none_and_kept_raw() {
        let v = json!({"a": "2835.5", "b": 2835, "c": "", "d": {"x": 1}});
        let mut o = Obj::new(&v, "x").unwrap();
        let idr = Some(Currency::Idr);
        assert_eq!(o.money_in("a", idr, PAID), Ok(None));
        assert_eq!(o.money_in("b", idr, PAID), Ok(Some(Money::idr(2835))));
        assert_eq!(o.money_in("c", idr, PAID), Ok(None));
        assert_eq!(o.money_in("d", idr, PAID), Ok(None));
        assert_eq!(o.money_in("missing", idr, PAID), Ok(None));
        let extra = o.extra();
        assert_eq!(extra.get("a"), Some(&json!("2835.5")));
        assert_eq!(extra.get("d"), Some(&json!({"x": 1})));
        assert!(!extra.contains_key("b") && !extra.contains_key("c"));
    }

    #[test]
    fn unknown_currency_drops_its_amounts_in_lenient_mode_only() {
        let v = json!({"currency": "XYZ", "price": 1500});
        let mut o = Obj::new(&v, "x").unwrap();
        let cur = o
            .currency_in("currency", Some(Currency::Idr), PAID)
            .unwrap();
        assert_eq!(cur, None);
        assert_eq!(o.money_in("price", cur, PAID), Ok(None));
        let extra = o.extra();
        assert_eq!(extra["currency"], json!("XYZ"));
        assert_eq!(extra["price"], json!(1500));
        let mut o = Obj::new(&v, "x").unwrap();
        assert!(o
            .currency_in("currency", Some(Currency::Idr), Amounts::Strict)
            .is_err());
        let v = json!({"price": "28.3500001"});
        let mut o = Obj::new(&v, "x").unwrap();
        assert!(o
            .money_in("price", Some(Currency::Usd), Amounts::Strict)
            .is_err());
        assert_eq!(o.money_in("price", Some(Currency::Usd), PAID), Ok(None));
    }
}
