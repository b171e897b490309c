//! Lenient decoding from `serde_json::Value`: IDs as number or string, amounts through
//! [`Money::from_json`], times through `otpdesk_core::time`, unknown fields kept.
//!
//! Every decoder in this crate reads its object through [`Obj`], which remembers which keys it
//! looked at so that everything else lands in the type's `extra` map. Decoders return a short
//! reason string on failure; the HTTP layer turns it into `ProviderError::Decode`.

mod amounts;

pub(crate) use amounts::Amounts;

use otpdesk_core::time::parse_provider_time_value;
use otpdesk_core::{Currency, Money, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Unknown fields of a provider object, kept verbatim.
pub type Extra = Map<String, Value>;

/// A provider identifier (order, product, country, activation...). Providers send some IDs as JSON
/// numbers and others as strings; both are kept as text here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(pub String);

impl Id {
    pub fn new(id: impl Into<String>) -> Id {
        Id(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON to send back to OTPZap: a number when the text is a plain non-negative integer
    /// (how OTPZap sends its numeric IDs), else a string.
    pub fn to_json(&self) -> Value {
        let s = self.0.as_str();
        let plain = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'));
        match s.parse::<u64>() {
            Ok(n) if plain => Value::from(n),
            _ => Value::from(s),
        }
    }

    /// Decode a JSON number or non-empty string.
    pub(crate) fn from_value(v: &Value) -> Option<Id> {
        match v {
            Value::Number(n) => Some(Id(n.to_string())),
            Value::String(s) if !s.trim().is_empty() => Some(Id(s.trim().to_string())),
            _ => None,
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<u64> for Id {
    fn from(n: u64) -> Id {
        Id(n.to_string())
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Id {
        Id(s.to_string())
    }
}

impl From<String> for Id {
    fn from(s: String) -> Id {
        Id(s)
    }
}

/// JSON type name for error reasons.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Text of a scalar; `None` for null, empty strings, arrays and objects.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reader over one JSON object that records the keys it consumed.
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    seen: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    pub fn new(v: &'a Value, what: &str) -> Result<Obj<'a>, String> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                seen: Vec::new(),
            }),
            other => Err(format!(
                "expected {what} to be an object, got {}",
                kind(other)
            )),
        }
    }

    /// The value at `key`, `None` when absent or null. Marks the key as known.
    pub fn raw(&mut self, key: &'static str) -> Option<&'a Value> {
        self.seen.push(key);
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub fn str(&mut self, key: &'static str) -> Option<String> {
        self.raw(key).and_then(scalar_text)
    }

    pub fn req_str(&mut self, key: &'static str) -> Result<String, String> {
        self.str(key).ok_or_else(|| format!("missing `{key}`"))
    }

    pub fn id(&mut self, key: &'static str) -> Option<Id> {
        self.raw(key).and_then(Id::from_value)
    }

    pub fn req_id(&mut self, key: &'static str) -> Result<Id, String> {
        match self.raw(key) {
            None => Err(format!("missing `{key}`")),
            Some(v) => {
                Id::from_value(v).ok_or_else(|| format!("`{key}` is {}, not an id", kind(v)))
            }
        }
    }

    /// An integer sent as a JSON integer or a digit string; anything else is treated as absent.
    pub fn int(&mut self, key: &'static str) -> Option<i64> {
        match self.raw(key)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn bool(&mut self, key: &'static str) -> Option<bool> {
        match self.raw(key)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|n| n != 0),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A non-money number (percentages); never used for amounts.
    pub fn float(&mut self, key: &'static str) -> Option<f64> {
        match self.raw(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().trim_end_matches('%').parse().ok(),
            _ => None,
        }
    }

    /// An amount as JSON number or decimal string. Absent/null is `Ok(None)`; anything that is
    /// not an exact decimal in `currency` is an error (money is never guessed).
    pub fn money(
        &mut self,
        key: &'static str,
        currency: Currency,
    ) -> Result<Option<Money>, String> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(v) => Money::from_json(currency, v)
                .map(Some)
                .map_err(|e| format!("`{key}`: {e}")),
        }
    }

    pub fn req_money(&mut self, key: &'static str, currency: Currency) -> Result<Money, String> {
        self.money(key, currency)?
            .ok_or_else(|| format!("missing `{key}`"))
    }

    /// The currency named at `key`, or `default` when absent. An unknown code is an error, since
    /// amounts next to it would be misread.
    pub fn currency(&mut self, key: &'static str, default: Currency) -> Result<Currency, String> {
        match self.str(key) {
            None => Ok(default),
            Some(code) => Currency::from_code(&code).ok_or_else(|| {
                format!(
                    "unsupported currency {:?}",
                    code.chars().take(12).collect::<String>()
                )
            }),
        }
    }

    /// A timestamp in any provider format. Times are informative, so an unreadable one becomes
    /// `None` (the raw text is lost only for that field) rather than failing the whole response.
    pub fn time(&mut self, key: &'static str) -> Option<Timestamp> {
        let v = self.raw(key)?;
        match parse_provider_time_value(v) {
            Ok(t) => t,
            Err(e) => {
                tracing::debug!(field = key, error = %e, "ignoring unreadable provider time");
                None
            }
        }
    }

    pub fn list(&mut self, key: &'static str) -> Option<&'a [Value]> {
        match self.raw(key)? {
            Value::Array(items) => Some(items.as_slice()),
            _ => None,
        }
    }

    /// A list of scalars as text; non-scalars are skipped.
    pub fn strings(&mut self, key: &'static str) -> Vec<String> {
        self.list(key)
            .map(|items| items.iter().filter_map(scalar_text).collect())
            .unwrap_or_default()
    }

    /// Every field not read so far.
    pub fn extra(self) -> Extra {
        self.map
            .iter()
            .filter(|(k, _)| !self.seen.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Decode every item of a list; the first failure names its index.
pub(crate) fn each<T>(
    items: &[Value],
    what: &str,
    f: impl Fn(&Value) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| f(v).map_err(|e| format!("{what}[{i}]: {e}")))
        .collect()
}

/// The items of a collection that may be a list or a map keyed by code (real NumberOTP replies:
/// `{"22": {"code": "22", ...}}`), in any wrapper: bare, `{key: ...}`, `{"data": ...}` or
/// `{"data": {key: ...}}`. Items of a map come with their key, in the map's order.
pub(crate) type Keyed<'a> = Vec<(Option<&'a str>, &'a Value)>;

pub(crate) fn keyed_items<'a>(v: &'a Value, key: &str) -> Result<Keyed<'a>, String> {
    match v {
        Value::Array(items) => Ok(items.iter().map(|i| (None, i)).collect()),
        Value::Object(map) => match map.get(key).or_else(|| map.get("data")) {
            Some(inner @ (Value::Array(_) | Value::Object(_))) => keyed_items(inner, key),
            Some(other) => Err(format!("`{key}` is {}, not a list", kind(other))),
            None => Ok(map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect()),
        },
        other => Err(format!("expected a list of {key}, got {}", kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_accept_numbers_and_strings() {
        assert_eq!(Id::from_value(&json!(65)), Some(Id::from("65")));
        assert_eq!(Id::from_value(&json!(" act_1 ")), Some(Id::from("act_1")));
        assert_eq!(Id::from_value(&json!("")), None);
        assert_eq!(Id::from_value(&json!([1])), None);
        assert_eq!(Id::from("65").to_json(), json!(65));
        assert_eq!(Id::from("007").to_json(), json!("007"));
        assert_eq!(Id::from("APIE-3-x").to_json(), json!("APIE-3-x"));
        assert_eq!(
            Id::from("99999999999999999999999").to_json(),
            json!("99999999999999999999999")
        );
    }

    #[test]
    fn obj_keeps_unread_fields() {
        let v = json!({"a": 1, "b": "x", "c": null, "new": {"k": true}});
        let mut o = Obj::new(&v, "thing").unwrap();
        assert_eq!(o.int("a"), Some(1));
        assert_eq!(o.str("b").as_deref(), Some("x"));
        assert_eq!(o.str("c"), None);
        let extra = o.extra();
        assert_eq!(extra.len(), 1);
        assert_eq!(extra["new"], json!({"k": true}));
    }

    #[test]
    fn money_is_strict_times_are_lenient() {
        let v = json!({"p": "0.25", "q": 2835, "bad": "abc", "t": "2026-05-19 10:30:00 WIB", "u": "soon"});
        let mut o = Obj::new(&v, "x").unwrap();
        assert_eq!(o.money("p", Currency::Usd).unwrap().unwrap().minor, 250_000);
        assert_eq!(o.money("q", Currency::Idr).unwrap(), Some(Money::idr(2835)));
        assert!(o.money("bad", Currency::Idr).is_err());
        assert!(o.time("t").is_some());
        assert!(o.time("u").is_none());
    }

    #[test]
    fn keyed_items_tolerate_wrappers_and_maps() {
        for v in [
            json!([1, 2]),
            json!({"xs": [1, 2]}),
            json!({"data": [1, 2]}),
            json!({"data": {"xs": [1, 2]}}),
        ] {
            let items = keyed_items(&v, "xs").unwrap();
            assert_eq!(items.len(), 2, "{v}");
            assert!(items.iter().all(|(k, _)| k.is_none()), "{v}");
        }
        let v = json!({"data": {"22": {"name": "India"}, "6": {"name": "Indonesia"}}});
        let items = keyed_items(&v, "xs").unwrap();
        let keys: Vec<_> = items.iter().map(|(k, _)| k.unwrap()).collect();
        assert_eq!(keys, ["22", "6"]);
        assert_eq!(items[1].1["name"], json!("Indonesia"));
        assert!(keyed_items(&json!({"xs": 3}), "xs").is_err());
        assert!(keyed_items(&json!("no"), "xs").is_err());
    }
}
