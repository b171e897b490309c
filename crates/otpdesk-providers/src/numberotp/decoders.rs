//! NumberOTP reply decoders. They read both the shapes WIRE.md documents (lists of objects, `id`,
//! `price`, lower-case statuses) and the ones real integrations see (`{"data": …}` wrappers, maps
//! keyed by code, `cost` as a JSON number, `"Active"`, a `+` on phone numbers), into the same
//! public types. Money stays exact: a JSON number is read through its text, never as `f64`.

use super::{Activation, NumberOtpCountry, NumberOtpPrice, NumberOtpService};
use crate::lenient::{keyed_items, Amounts, Obj};
use otpdesk_core::{Currency, OrderStatus};
use serde_json::Value;

/// The activation object inside any wrapper: bare, `{"data": …}`, `{"activation": …}` or
/// `{"data": {"activation": …}}`.
fn unwrap_activation(mut v: &Value) -> &Value {
    for _ in 0..3 {
        let Value::Object(m) = v else { return v };
        if m.contains_key("id") {
            return v;
        }
        match (m.get("activation"), m.get("data")) {
            (Some(inner @ Value::Object(_)), _) | (None, Some(inner @ Value::Object(_))) => {
                v = inner
            }
            _ => return v,
        }
    }
    v
}

/// `+62 812-3456` → `628123456`: the international number without `+` or separators, as the
/// documented webhook spells it; anything that is not a phone number is kept as sent.
pub fn normalise_phone(raw: &str) -> String {
    let t = raw.trim();
    let rest = t.strip_prefix('+').unwrap_or(t).trim_start();
    let separators = |c: char| matches!(c, ' ' | '-' | '.' | '(' | ')');
    let digits: String = rest.chars().filter(|c| !separators(*c)).collect();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits
    } else {
        t.to_string()
    }
}

pub fn services(v: &Value) -> Result<Vec<NumberOtpService>, String> {
    let items = keyed_items(v, "services")?;
    items
        .iter()
        .enumerate()
        .map(|(i, (key, v))| {
            let mut o = Obj::new(v, "service").map_err(|e| format!("services[{i}]: {e}"))?;
            let code = o.str("code").or_else(|| key.map(str::to_string));
            Ok(NumberOtpService {
                code: code.ok_or_else(|| format!("services[{i}]: missing `code`"))?,
                name: o.str("name"),
                extra: o.extra(),
            })
        })
        .collect()
}

pub fn countries(v: &Value) -> Result<Vec<NumberOtpCountry>, String> {
    let items = keyed_items(v, "countries")?;
    items
        .iter()
        .enumerate()
        .map(|(i, (key, v))| {
            let mut o = Obj::new(v, "country").map_err(|e| format!("countries[{i}]: {e}"))?;
            // Documented `id`; real replies name it `code` (and key the map by it).
            let id = match o.id("id") {
                Some(id) => Some(id),
                None => o.id("code"),
            };
            let id = id.or_else(|| key.map(crate::Id::from));
            Ok(NumberOtpCountry {
                id: id.ok_or_else(|| format!("countries[{i}]: missing `id`"))?,
                name: o.str("name"),
                iso: o.str("iso"),
                extra: o.extra(),
            })
        })
        .collect()
}

/// A flat list of `{service, country, price|cost, currency?, available|count}`, or the real
/// `country → service → {cost, count}` map.
pub fn prices(v: &Value) -> Result<Vec<NumberOtpPrice>, String> {
    let mut out = Vec::new();
    for (key, item) in keyed_items(v, "prices")? {
        let flat = match item {
            Value::Object(m) => {
                key.is_none()
                    || ["service", "cost", "price"]
                        .iter()
                        .any(|k| m.contains_key(*k))
            }
            _ => true,
        };
        if flat {
            out.push(price(item, None, key).map_err(|e| format!("prices[{}]: {e}", out.len()))?);
            continue;
        }
        let country = key.unwrap_or_default();
        for (service, p) in
            keyed_items(item, "services").map_err(|e| format!("prices[{country}]: {e}"))?
        {
            out.push(
                price(p, service, Some(country)).map_err(|e| format!("prices[{country}]: {e}"))?,
            );
        }
    }
    Ok(out)
}

fn price(
    v: &Value,
    service: Option<&str>,
    country: Option<&str>,
) -> Result<NumberOtpPrice, String> {
    let mut o = Obj::new(v, "price")?;
    let cur = o.currency("currency", Currency::Usd)?;
    let service = o.str("service").or_else(|| service.map(str::to_string));
    let country = o.id("country").or_else(|| country.map(crate::Id::from));
    let price = match o.money("price", cur)? {
        Some(m) => Some(m),
        None => o.money("cost", cur)?,
    };
    let available = o.int("available").or_else(|| o.int("count"));
    Ok(NumberOtpPrice {
        service: service.ok_or("missing `service`")?,
        country: country.ok_or("missing `country`")?,
        price,
        available,
        extra: o.extra(),
    })
}

pub fn activation(v: &Value) -> Result<Activation, String> {
    activation_in(v, Amounts::Strict)
}

/// The reply of `POST /activations` (paid): only the id is required; an odd price or currency is
/// `None` (warned).
pub fn created_activation(v: &Value) -> Result<Activation, String> {
    activation_in(v, Amounts::Lenient("POST /activations"))
}

fn activation_in(v: &Value, amounts: Amounts) -> Result<Activation, String> {
    let mut o = Obj::new(unwrap_activation(v), "activation")?;
    let id = o.req_id("id")?;
    let cur = o.currency_in("currency", Some(Currency::Usd), amounts)?;
    let otp = o.str("otp");
    // A code is a code, whatever the status word next to it ("Active" while waiting, say).
    let status = match (o.str("status"), &otp) {
        (_, Some(_)) => OrderStatus::OtpReceived,
        (Some(s), None) => OrderStatus::from_provider(&s),
        (None, None) => OrderStatus::Pending,
    };
    let price = match o.money_in("price", cur, amounts)? {
        Some(m) => Some(m),
        None => o.money_in("cost", cur, amounts)?,
    };
    Ok(Activation {
        id,
        phone_number: o.str("phone_number").map(|p| normalise_phone(&p)),
        service: o.str("service"),
        country: o.id("country"),
        otp,
        full_sms: o.str("full_sms"),
        status,
        price,
        created_at: o.time("created_at"),
        expires_at: o.time("expires_at"),
        extra: o.extra(),
    })
}
