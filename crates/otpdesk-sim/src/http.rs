//! Small request helpers shared by the three provider APIs: the bearer key, the Idempotency-Key,
//! and lenient field readers (providers' clients send ids as numbers or numeric strings).

use crate::error::SimError;
use crate::state::World;
use axum::http::HeaderMap;
use otpdesk_core::ProviderId;
use serde_json::Value;
use std::collections::HashMap;

pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then(|| key.to_string())
}

/// The bearer key of a `provider` account, or 401.
pub fn account_key(
    w: &World,
    provider: ProviderId,
    headers: &HeaderMap,
) -> Result<String, SimError> {
    let key = bearer(headers).ok_or(SimError::Unauthorized)?;
    w.bank.auth(provider, Some(&key))?;
    Ok(key)
}

pub fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("idempotency-key")?.to_str().ok()?.trim();
    (!v.is_empty() && v.len() <= 255).then(|| v.to_string())
}

/// A query parameter, trimmed; `None` when absent or blank.
pub fn query_param<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// An unsigned integer field given as a JSON number or numeric string; `Ok(None)` when absent.
pub fn uint_field(body: &Value, field: &str) -> Result<Option<u64>, SimError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| bad_int(field)),
        Some(Value::String(s)) => s
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| bad_int(field)),
        Some(_) => Err(bad_int(field)),
    }
}

pub fn required_uint(body: &Value, field: &str) -> Result<u64, SimError> {
    uint_field(body, field)?.ok_or_else(|| missing(field))
}

pub fn u32_field(body: &Value, field: &str) -> Result<Option<u32>, SimError> {
    uint_field(body, field)?
        .map(|v| u32::try_from(v).map_err(|_| bad_int(field)))
        .transpose()
}

pub fn required_u32(body: &Value, field: &str) -> Result<u32, SimError> {
    u32_field(body, field)?.ok_or_else(|| missing(field))
}

fn missing(field: &str) -> SimError {
    SimError::validation(field, format!("{field} is required"))
}

fn bad_int(field: &str) -> SimError {
    SimError::validation(field, format!("{field} must be a positive integer"))
}

pub fn str_field<'a>(body: &'a Value, field: &str) -> Result<Option<&'a str>, SimError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(SimError::validation(
            field,
            format!("{field} must be a string"),
        )),
    }
}

pub fn required_str<'a>(body: &'a Value, field: &str) -> Result<&'a str, SimError> {
    str_field(body, field)?.ok_or_else(|| missing(field))
}

pub fn bool_field(body: &Value, field: &str) -> Result<Option<bool>, SimError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) => Ok(Some(n.as_u64() == Some(1))),
        Some(Value::String(s)) => Ok(Some(matches!(s.as_str(), "true" | "1"))),
        Some(_) => Err(SimError::validation(
            field,
            format!("{field} must be a boolean"),
        )),
    }
}

/// Parse a body that must be a JSON object.
pub fn json_object(body: &[u8]) -> Result<Value, SimError> {
    let v: Value = crate::error::parse_body(body)?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(SimError::validation("body", "body must be a JSON object"))
    }
}
