//! Server side of the control API (see the module docs of [`crate::control`]).

use super::types::*;
use crate::error::{parse_body, SimError};
use crate::ledger::{currency_of, key_fingerprint};
use crate::state::Sim;
use crate::webhooks::HookConfig;
use crate::{numberotp, ooppay, otpzap};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use otpdesk_core::time::format_wib;
use otpdesk_core::{Money, ProviderId};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const MAX_OTP_DELAY_MS: u64 = 7 * 24 * 3600 * 1000;
const MAX_LONG_POLL_MS: u64 = 10 * 60 * 1000;
const MAX_CREATE_DELAY_MS: u64 = 10 * 60 * 1000;
/// Bound of the simulated-clock knobs (TTL, cancel confirmation): a year.
const MAX_SIM_SECS: u64 = 366 * 24 * 3600;

struct RouteError(SimError);

impl From<SimError> for RouteError {
    fn from(e: SimError) -> Self {
        RouteError(e)
    }
}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        (
            self.0.status(ProviderId::Otpzap),
            Json(json!({"error": self.0.to_string()})),
        )
            .into_response()
    }
}

type CResult = Result<Response, RouteError>;

fn reply<T: serde::Serialize>(v: T) -> CResult {
    Ok(Json(v).into_response())
}

async fn reset(State(sim): State<Arc<Sim>>) -> CResult {
    sim.reset();
    reply(json!({"ok": true}))
}

async fn add_account(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let req: AddAccount = parse_body(&body)?;
    let currency = currency_of(req.provider);
    let balance = Money::from_json(currency, &req.balance)
        .map_err(|e| SimError::validation("balance", e.to_string()))?;
    if req.key.trim().is_empty() {
        return Err(SimError::validation("key", "key must not be empty").into());
    }
    sim.with(|w, _| w.bank.add_account(req.provider, req.key.trim(), balance))?;
    reply(json!({"ok": true, "key_fp": key_fingerprint(req.key.trim())}))
}

async fn change_offer(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let req: OfferChange = parse_body(&body)?;
    if req.price.is_some_and(|p| p <= 0) {
        return Err(SimError::validation("price", "price must be positive").into());
    }
    sim.with(|w, _| w.change_offer(req))?;
    reply(json!({"ok": true}))
}

async fn next_phones(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let req: NextPhones = parse_body(&body)?;
    if req
        .phones
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(SimError::validation("phones", "phone numbers are digits only").into());
    }
    sim.with(|w, _| {
        w.next_phones.extend(req.phones);
        Ok::<_, SimError>(())
    })?;
    reply(json!({"ok": true}))
}

fn clock_view(sim: &Sim) -> ClockView {
    let now = sim.clock.now();
    ClockView {
        now,
        now_wib: format_wib(now),
        scale: sim.clock.scale(),
    }
}

async fn state(State(sim): State<Arc<Sim>>) -> CResult {
    let clock = clock_view(&sim);
    reply(sim.with(|w, _| StateView {
        clock,
        config: w.config.view(),
        balances: w.bank.balances(),
        sms_orders: w.sms.len(),
        email_orders: w.emails.len(),
        topups: w.topups.len(),
        activations: w.activations.len(),
        ooppay_orders: w.oop_orders.len(),
        faults: w.faults.len(),
        requests: w.requests.len(),
    }))
}

async fn balances(State(sim): State<Arc<Sim>>) -> CResult {
    reply(sim.with(|w, _| w.bank.balances()))
}

async fn ledger(State(sim): State<Arc<Sim>>, Query(q): Query<HashMap<String, String>>) -> CResult {
    let provider: Option<ProviderId> = match q.get("provider") {
        Some(p) => Some(
            p.parse()
                .map_err(|_| SimError::validation("provider", "unknown provider"))?,
        ),
        None => None,
    };
    let fp = q.get("key_fp").cloned();
    reply(sim.with(|w, _| {
        w.bank
            .entries()
            .iter()
            .filter(|e| {
                provider.is_none_or(|p| e.provider == p)
                    && fp.as_ref().is_none_or(|f| &e.key_fp == f)
            })
            .cloned()
            .collect::<Vec<_>>()
    }))
}

async fn idempotency(State(sim): State<Arc<Sim>>) -> CResult {
    reply(sim.with(|w, _| w.idem.report(&w.bank)))
}

async fn deliver(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let req: DeliverOtp = parse_body(&body)?;
    let r = req.reference.trim().to_string();
    let delivered = sim.with(|w, now| {
        if req.late && (r.starts_with("APIE-") || r.starts_with("act_")) {
            return Err(SimError::validation(
                "late",
                "late codes are for OTPZap SMS orders only",
            ));
        }
        if r.starts_with("APIE-") {
            return otpzap::email::deliver(w, now, &r, req.code, req.text);
        }
        if r.starts_with("act_") {
            return numberotp::deliver(w, now, &r, req.code, req.text);
        }
        let id = match r.parse::<u64>() {
            Ok(id) => id,
            Err(_) => w
                .sms
                .values()
                .find(|o| o.reference == r)
                .map(|o| o.order_id)
                .ok_or_else(|| SimError::not_found("order"))?,
        };
        let svc = req.service.as_deref();
        if req.late {
            otpzap::sms_events::deliver_late(w, now, id, req.code, req.text, svc)
        } else {
            otpzap::sms_events::deliver(w, now, id, req.code, req.text, svc)
        }
    })?;
    reply(delivered)
}

async fn pay_deposit(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> CResult {
    reply(sim.with(|w, now| {
        if w.topups.contains_key(&id) {
            otpzap::topup::pay(w, now, &id)
        } else {
            ooppay::pay(w, now, &id)
        }
    })?)
}

async fn fail_deposit(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> CResult {
    reply(sim.with(|w, now| {
        if w.topups.contains_key(&id) {
            otpzap::topup::fail(w, now, &id)
        } else {
            ooppay::fail(w, now, &id)
        }
    })?)
}

async fn expire_deposit(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> CResult {
    reply(sim.with(|w, now| {
        if w.topups.contains_key(&id) {
            otpzap::topup::expire(w, now, &id)
        } else {
            ooppay::expire(w, now, &id)
        }
    })?)
}

fn with_fp(mut v: Value, key: &str) -> Value {
    v["key_fp"] = json!(key_fingerprint(key));
    v
}

async fn orders(State(sim): State<Arc<Sim>>) -> CResult {
    reply(sim.with(|w, _| {
        json!({
            "sms": w.sms.values().map(|o| with_fp(o.control_view(), &o.key)).collect::<Vec<_>>(),
            "emails": w.emails.values().map(|o| with_fp(o.view(), &o.key)).collect::<Vec<_>>(),
            "activations": w.activations.values().map(|a| with_fp(a.view(), &a.key)).collect::<Vec<_>>(),
            "topups": w.topups.values().map(|t| with_fp(t.view(), &t.key)).collect::<Vec<_>>(),
            "ooppay": w.oop_orders.values().map(|o| with_fp(o.view(), &o.key)).collect::<Vec<_>>(),
        })
    }))
}

async fn requests(State(sim): State<Arc<Sim>>) -> CResult {
    reply(sim.with(|w, _| w.requests.view()))
}

async fn clear_requests(State(sim): State<Arc<Sim>>) -> CResult {
    sim.with(|w, _| w.requests = Default::default());
    reply(json!({"ok": true}))
}

async fn get_config(State(sim): State<Arc<Sim>>) -> CResult {
    reply(sim.with(|w, _| w.config.view()))
}

async fn set_config(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let patch: ConfigPatch = parse_body(&body)?;
    // Bounds keep every deadline computed from these far from time-arithmetic overflow.
    if patch
        .otp_delay_ms
        .flatten()
        .is_some_and(|ms| ms > MAX_OTP_DELAY_MS)
    {
        return Err(
            SimError::validation("otp_delay_ms", "otp_delay_ms must be at most 7 days").into(),
        );
    }
    if patch
        .long_poll_max_ms
        .is_some_and(|ms| ms > MAX_LONG_POLL_MS)
    {
        return Err(SimError::validation(
            "long_poll_max_ms",
            "long_poll_max_ms must be at most 10 minutes",
        )
        .into());
    }
    if patch
        .create_delay_ms
        .is_some_and(|ms| ms > MAX_CREATE_DELAY_MS)
    {
        return Err(SimError::validation(
            "create_delay_ms",
            "create_delay_ms must be at most 10 minutes",
        )
        .into());
    }
    for (field, v) in [
        ("idempotency_ttl_secs", patch.idempotency_ttl_secs),
        ("cancel_confirm_delay_secs", patch.cancel_confirm_delay_secs),
    ] {
        if v.flatten().is_some_and(|s| s > MAX_SIM_SECS) {
            return Err(
                SimError::validation(field, format!("{field} must be at most a year")).into(),
            );
        }
    }
    reply(sim.with(|w, _| {
        if let Some(ms) = patch.create_delay_ms {
            w.config.create_delay = Duration::from_millis(ms);
        }
        if let Some(ttl) = patch.idempotency_ttl_secs {
            w.config.idempotency_ttl = ttl.map(Duration::from_secs);
        }
        if let Some(d) = patch.cancel_confirm_delay_secs {
            w.config.cancel_confirm_delay = d.filter(|s| *s > 0).map(Duration::from_secs);
        }
        if let Some(d) = patch.otp_delay_ms {
            w.config.otp_delay = d.map(Duration::from_millis);
        }
        if let Some(n) = patch.rate_limit_per_min {
            w.config.rate_limit_per_min = n;
        }
        if let Some(ms) = patch.long_poll_max_ms {
            w.config.long_poll_max = Duration::from_millis(ms);
        }
        if let Some(b) = patch.allow_insecure_webhooks {
            w.config.allow_insecure_webhooks = b;
        }
        if let Some(shape) = patch.numberotp_shape {
            w.config.numberotp_shape = shape;
        }
        w.config.view()
    }))
}

async fn set_webhook(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let req: WebhookConfigRequest = parse_body(&body)?;
    if let Some(u) = &req.url {
        url::Url::parse(u).map_err(|_| SimError::validation("url", "url is not a URL"))?;
    }
    sim.with(|w, now| {
        let config = HookConfig {
            url: req.url,
            secret: req.secret,
            events: req.events,
            is_active: true,
            updated_at: now,
        };
        w.hooks.set(req.provider, req.key.as_deref(), config);
    });
    reply(json!({"ok": true}))
}

async fn deliveries(State(sim): State<Arc<Sim>>) -> CResult {
    let list = sim
        .deliveries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    reply(list)
}

async fn list_faults(State(sim): State<Arc<Sim>>) -> CResult {
    reply(sim.with(|w, _| w.faults.list()))
}

async fn add_fault(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let rule: FaultRule = parse_body(&body)?;
    if let FaultKind::TooManyRequests {
        retry_after: Some(v),
        ..
    } = &rule.kind
    {
        if axum::http::HeaderValue::from_str(v).is_err() {
            return Err(SimError::validation(
                "retry_after",
                "retry_after must be a valid header value (visible ASCII)",
            )
            .into());
        }
    }
    if let FaultKind::Status { status, .. } = &rule.kind {
        if StatusCode::from_u16(*status).is_err() {
            return Err(
                SimError::validation("status", "status must be an HTTP status code").into(),
            );
        }
    }
    reply(json!({"id": sim.with(|w, _| w.faults.add(rule))}))
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> CResult {
    sim.with(|w, _| w.faults.clear());
    reply(json!({"ok": true}))
}

async fn remove_fault(State(sim): State<Arc<Sim>>, Path(id): Path<u64>) -> CResult {
    if sim.with(|w, _| w.faults.remove(id)) {
        reply(json!({"ok": true}))
    } else {
        Err(SimError::not_found("fault").into())
    }
}

async fn get_clock(State(sim): State<Arc<Sim>>) -> CResult {
    reply(clock_view(&sim))
}

async fn set_clock(State(sim): State<Arc<Sim>>, body: Bytes) -> CResult {
    let req: ClockUpdate = parse_body(&body)?;
    if let Some(scale) = req.scale {
        if scale > 100_000 {
            return Err(SimError::validation("scale", "scale must be at most 100000").into());
        }
        sim.clock.set_scale(scale);
    }
    if let Some(secs) = req.advance_secs {
        sim.clock.advance(secs);
    }
    // Apply whatever became due now, so the caller sees it on its next request.
    sim.tick();
    reply(clock_view(&sim))
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/reset", post(reset))
        .route("/accounts", post(add_account))
        .route("/state", get(state))
        .route("/balances", get(balances))
        .route("/ledger", get(ledger))
        .route("/idempotency", get(idempotency))
        .route("/deliver", post(deliver))
        .route("/offers", post(change_offer))
        .route("/phones", post(next_phones))
        .route("/deposits/{id}/pay", post(pay_deposit))
        .route("/deposits/{id}/expire", post(expire_deposit))
        .route("/deposits/{id}/fail", post(fail_deposit))
        .route("/orders", get(orders))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/config", get(get_config).post(set_config))
        .route("/webhooks", post(set_webhook))
        .route("/webhooks/deliveries", get(deliveries))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/faults/{id}", axum::routing::delete(remove_fault))
        .route("/clock", get(get_clock).post(set_clock))
}
