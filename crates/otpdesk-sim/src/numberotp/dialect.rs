//! How the simulated NumberOTP spells its replies, in the dialect chosen with
//! `--numberotp-shape` or `POST /_sim/config` (see [`NumberOtpShape`]): WIRE.md's documented
//! shapes, or what real integrations see (`{"data":…}`, maps keyed by code, `cost` numbers,
//! `Active`, `+` phones, `{"error":"<sentence>","code":"<CODE>"}`).

use super::{short_decimal, Activation, ActivationStatus};
use crate::catalog::{Country, Service};
use crate::control::types::NumberOtpShape;
use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use otpdesk_core::Money;
use serde_json::{json, Map, Value};

/// The country's id in this dialect.
pub fn country_id(shape: NumberOtpShape, c: &Country) -> &'static str {
    match shape {
        NumberOtpShape::Doc => c.notp,
        NumberOtpShape::Realworld => c.notp_real,
    }
}

/// An amount as a JSON number written from its exact decimal text (`0.25`), as real replies do.
fn number(m: Money) -> Value {
    serde_json::from_str(&short_decimal(m)).unwrap_or(Value::Null)
}

/// `(service, numbers left over every country)`.
pub fn services(shape: NumberOtpShape, list: &[(Service, u32)]) -> Value {
    match shape {
        NumberOtpShape::Doc => {
            let items: Vec<Value> = list
                .iter()
                .map(|(s, _)| json!({"code": s.notp, "name": s.name}))
                .collect();
            json!({ "services": items })
        }
        NumberOtpShape::Realworld => {
            let items: Vec<Value> = list
                .iter()
                .map(|(s, n)| json!({"code": s.notp, "name": s.name, "count": n}))
                .collect();
            json!({"data": {"services": items}})
        }
    }
}

pub fn countries(shape: NumberOtpShape, list: &[Country]) -> Value {
    match shape {
        NumberOtpShape::Doc => {
            let items: Vec<Value> = list
                .iter()
                .map(|c| json!({"id": c.notp, "name": c.name, "iso": c.iso}))
                .collect();
            json!({ "countries": items })
        }
        NumberOtpShape::Realworld => {
            let map: Map<String, Value> = list
                .iter()
                .map(|c| {
                    let id = c.notp_real;
                    (id.to_string(), json!({"code": id, "name": c.name}))
                })
                .collect();
            json!({ "data": map })
        }
    }
}

/// `(service, country, price, numbers left)`.
pub fn prices(shape: NumberOtpShape, list: &[(Service, Country, Money, u32)]) -> Value {
    match shape {
        NumberOtpShape::Doc => {
            let items: Vec<Value> = list
                .iter()
                .map(|(s, c, price, left)| {
                    json!({"service": s.notp, "country": c.notp, "price": short_decimal(*price), "currency": "USD", "available": left})
                })
                .collect();
            json!({ "prices": items })
        }
        NumberOtpShape::Realworld => {
            let mut by_country = Map::new();
            for (s, c, price, left) in list {
                let entry = by_country
                    .entry(c.notp_real.to_string())
                    .or_insert_with(|| json!({}));
                entry[s.notp] = json!({"cost": number(*price), "count": left});
            }
            json!({ "data": by_country })
        }
    }
}

fn real_status(s: ActivationStatus) -> &'static str {
    match s {
        ActivationStatus::Waiting => "Active",
        // Real replies keep a short status vocabulary; the code is what tells a delivery.
        ActivationStatus::Received => "Completed",
        ActivationStatus::Expired => "Expired",
    }
}

/// What `POST /activations`, `GET /activations/{id}` and `/wait` answer.
pub fn activation(shape: NumberOtpShape, a: &Activation) -> Value {
    match shape {
        NumberOtpShape::Doc => a.view(),
        NumberOtpShape::Realworld => {
            let mut v = a.view();
            if let Value::Object(m) = &mut v {
                m.remove("price");
                m.remove("currency");
                m.insert("cost".into(), number(a.price));
                m.insert("status".into(), json!(real_status(a.status)));
                m.insert("phone_number".into(), json!(format!("+{}", a.phone_number)));
            }
            json!({"data": {"activation": v}})
        }
    }
}

/// The code a real reply would carry for one of ours.
fn real_code(code: &str) -> String {
    match code {
        "unauthorized" => "INVALID_API_KEY".into(),
        "no_numbers" => "NO_NUMBERS_AVAILABLE".into(),
        "validation_error" => "INVALID_REQUEST".into(),
        other => other.to_ascii_uppercase(),
    }
}

/// `"insufficient balance: need …"` → `"Insufficient balance: need ….": one sentence.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut s: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Request failed".into(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// A documented error reply (`{"error":{"code","message"}}`) respelled as real ones are:
/// `{"error":"<a sentence>","code":"<CODE>"}`. Status and headers are kept; anything else
/// (success, a codeless `{"error":"…"}`, a non-JSON page) passes unchanged.
pub async fn realworld_error(resp: Response) -> Response {
    if resp.status().is_success() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 4 << 20)
        .await
        .unwrap_or_default();
    let respelled = serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| {
        let err = v.get("error")?.as_object()?;
        let code = err.get("code")?.as_str()?;
        let message = err.get("message").and_then(Value::as_str).unwrap_or(code);
        Some(json!({"error": sentence(message), "code": real_code(code)}))
    });
    match respelled {
        Some(v) => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(v.to_string()))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_sentences() {
        assert_eq!(real_code("no_numbers"), "NO_NUMBERS_AVAILABLE");
        assert_eq!(real_code("insufficient_balance"), "INSUFFICIENT_BALANCE");
        assert_eq!(sentence("activation not found"), "Activation not found.");
        assert_eq!(sentence("Done!"), "Done!");
        assert_eq!(
            number(Money::new(otpdesk_core::Currency::Usd, 50_000)),
            json!(0.05)
        );
    }
}
