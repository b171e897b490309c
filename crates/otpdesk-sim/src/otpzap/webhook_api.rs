//! OTPZap `GET /webhook/get` and `PATCH /webhook/update` (HTTPS + public host, unless the control
//! API allowed insecure URLs for tests). The secret is only ever returned by update.

use super::{auth, ok, OzResult};
use crate::error::SimError;
use crate::http::{bool_field, json_object, required_str, str_field};
use crate::state::Sim;
use crate::webhooks::{resolves_publicly, validate_webhook_url, HookConfig, OTPZAP_EVENTS};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use otpdesk_core::time::format_wib;
use otpdesk_core::ProviderId;
use serde_json::{json, Value};
use std::sync::Arc;

pub async fn get_config(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> OzResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        let data = match w.hooks.get(ProviderId::Otpzap, &key).filter(|c| c.url.is_some()) {
            Some(c) => json!({
                "configured": true,
                "url": c.url,
                "events": c.events.clone().unwrap_or_else(|| OTPZAP_EVENTS.iter().map(|e| e.to_string()).collect()),
                "is_active": c.is_active,
                "updated_at": format_wib(c.updated_at),
            }),
            None => json!({"configured": false, "url": null, "events": [], "is_active": false}),
        };
        Ok(ok(data))
    })
}

pub async fn update(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    // DNS first, outside the world lock: a host name must not resolve to a private address.
    let allow_insecure = sim.with(|w, _| w.config.allow_insecure_webhooks);
    if !allow_insecure {
        if let Some(url) = json_object(&body)
            .ok()
            .and_then(|b| b.get("url")?.as_str().map(str::to_string))
        {
            resolves_publicly(&url).await?;
        }
    }
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let body = json_object(&body)?;
        let url = required_str(&body, "url")?.trim().to_string();
        validate_webhook_url(&url, w.config.allow_insecure_webhooks)?;
        let events: Vec<String> = match body.get("events") {
            None | Some(Value::Null) => OTPZAP_EVENTS.iter().map(|e| e.to_string()).collect(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for e in items {
                    match e.as_str() {
                        Some(s) if OTPZAP_EVENTS.contains(&s) => out.push(s.to_string()),
                        _ => {
                            return Err(SimError::validation(
                                "events",
                                format!("invalid event {e}"),
                            )
                            .into())
                        }
                    }
                }
                out
            }
            Some(_) => return Err(SimError::validation("events", "events must be an array").into()),
        };
        let secret = match str_field(&body, "secret")? {
            Some(s) if s.len() >= 16 => s.to_string(),
            _ => w.rng.hex(48),
        };
        let is_active = bool_field(&body, "is_active")?.unwrap_or(true);
        w.hooks.set(
            ProviderId::Otpzap,
            Some(&key),
            HookConfig {
                url: Some(url.clone()),
                secret: secret.clone(),
                events: Some(events.clone()),
                is_active,
                updated_at: now,
            },
        );
        Ok(ok(json!({
            "url": url, "secret": secret, "events": events, "is_active": is_active,
            "note": "Save the secret now. It will not be shown again for security.",
        })))
    })
}
