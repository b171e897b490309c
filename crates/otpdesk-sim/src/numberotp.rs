//! NumberOTP (`/numberotp/v1`): public catalog and prices, activations (USD balance), status and
//! the `/wait` long-poll, which parks on a watch channel and returns the moment an OTP lands.

use crate::catalog::Service;
use crate::catalog::{COUNTRIES, SERVICES};
use crate::clock::SimTime;
use crate::control::types::Delivered;
use crate::error::{NumberotpError, SimError};
use crate::http::{account_key, json_object, query_param, str_field};
use crate::otpzap::order_spec::phone_number;
use crate::otpzap::sms_events::resolve_code;
use crate::state::{Sim, World, ORDER_WINDOW_SECS};
use crate::webhooks::numberotp_job;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, SecondsFormat};
use otpdesk_core::{Money, ProviderId};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

type NResult = Result<Response, NumberotpError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationStatus {
    Waiting,
    Received,
    Expired,
}

impl ActivationStatus {
    fn as_str(self) -> &'static str {
        match self {
            ActivationStatus::Waiting => "waiting",
            ActivationStatus::Received => "received",
            ActivationStatus::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Activation {
    pub id: String,
    pub key: String,
    pub phone_number: String,
    pub service: Service,
    pub country: String,
    pub price: Money,
    pub status: ActivationStatus,
    pub otp: Option<String>,
    pub full_sms: Option<String>,
    pub received_at: Option<SimTime>,
    pub created_at: SimTime,
    pub expires_at: SimTime,
    pub scheduled: Option<SimTime>,
}

fn rfc3339(t: SimTime) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// "0.250000" → "0.25": the short form NumberOTP-style APIs print.
fn short_decimal(m: Money) -> String {
    let s = m.to_decimal_string();
    if !s.contains('.') {
        return s;
    }
    let trimmed = s.trim_end_matches('0');
    match trimmed.split_once('.') {
        Some((i, f)) if f.len() < 2 => format!("{i}.{f:0<2}"),
        _ => trimmed.to_string(),
    }
}

impl Activation {
    pub fn view(&self) -> Value {
        json!({
            "id": self.id,
            "phone_number": self.phone_number,
            "service": self.service.notp,
            "country": self.country,
            "otp": self.otp,
            "full_sms": self.full_sms,
            "status": self.status.as_str(),
            "price": short_decimal(self.price),
            "currency": "USD",
            "received_at": self.received_at.map(rfc3339),
            "created_at": rfc3339(self.created_at),
            "expires_at": rfc3339(self.expires_at),
        })
    }
}

fn auth(w: &World, headers: &HeaderMap) -> Result<String, SimError> {
    account_key(w, ProviderId::Numberotp, headers)
}

async fn services(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> NResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let country = query_param(&q, "country");
        let list: Vec<Value> = SERVICES
            .iter()
            .filter(|s| country.is_none_or(|c| w.catalog.notp_price(s.notp, c).is_some()))
            .map(|s| json!({"code": s.notp, "name": s.name}))
            .collect();
        Ok(Json(json!({ "services": list })).into_response())
    })
}

async fn countries(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> NResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let service = query_param(&q, "service");
        let list: Vec<Value> = COUNTRIES
            .iter()
            .filter(|c| service.is_none_or(|s| w.catalog.notp_price(s, c.notp).is_some()))
            .map(|c| json!({"id": c.notp, "name": c.name, "iso": c.iso}))
            .collect();
        Ok(Json(json!({ "countries": list })).into_response())
    })
}

/// No API key needed (documented).
async fn prices(State(sim): State<Arc<Sim>>) -> NResult {
    sim.with(|w, _| {
        let list: Vec<Value> = w
            .catalog
            .notp_prices
            .iter()
            .map(|p| {
                let left = w.stock_left(&format!("notp:{}:{}", p.service.notp, p.country.notp), p.initial_stock);
                json!({"service": p.service.notp, "country": p.country.notp, "price": short_decimal(p.price), "currency": "USD", "available": left})
            })
            .collect();
        Ok(Json(json!({ "prices": list })).into_response())
    })
}

async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> NResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let body = json_object(&body)?;
        let service = str_field(&body, "service")?
            .ok_or_else(|| SimError::validation("service", "service is required"))?;
        // Country ids are strings on the wire; accept a JSON number too.
        let country = match body.get("country") {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(SimError::validation("country", "country is required").into()),
        };
        let price = w
            .catalog
            .notp_price(service.trim(), &country)
            .cloned()
            .ok_or_else(|| SimError::not_found("service/country"))?;
        let stock_key = format!("notp:{}:{}", price.service.notp, price.country.notp);
        if w.stock_left(&stock_key, price.initial_stock) == 0 {
            return Err(SimError::OutOfStock.into());
        }
        let id = format!("act_{}", w.rng.lower_alnum(7));
        w.bank.charge(now, &key, price.price, &id, None)?;
        w.take_stock(&stock_key, price.initial_stock, 1)?;
        let phone = phone_number(w, Some(&price.country));
        let a = Activation {
            id: id.clone(),
            key: key.clone(),
            phone_number: phone,
            service: price.service,
            country,
            price: price.price,
            status: ActivationStatus::Waiting,
            otp: None,
            full_sms: None,
            received_at: None,
            created_at: now,
            expires_at: now + Duration::seconds(ORDER_WINDOW_SECS),
            scheduled: w.auto_otp_at(now),
        };
        let view = a.view();
        w.activations.insert(id, a);
        Ok((StatusCode::CREATED, Json(view)).into_response())
    })
}

fn owned(w: &World, key: &str, id: &str) -> Result<Value, SimError> {
    match w.activations.get(id) {
        Some(a) if a.key == key => Ok(a.view()),
        _ => Err(SimError::not_found("activation")),
    }
}

async fn status(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> NResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        Ok(Json(owned(w, &key, &id)?).into_response())
    })
}

/// Hold until the activation is no longer `waiting` or `long_poll_max` (real time) passes.
async fn wait(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> NResult {
    // Subscribe before the first look so a delivery between look and wait is not missed.
    let mut changes = sim.subscribe();
    let mut shutdown = sim.shutdown.clone();
    let (key, max) = sim.with(|w, _| auth(w, &headers).map(|k| (k, w.config.long_poll_max)))?;
    let deadline = tokio::time::Instant::now() + max;
    loop {
        let view = sim.with(|w, _| owned(w, &key, &id))?;
        if view["status"] != "waiting" {
            return Ok(Json(view).into_response());
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return Ok(Json(view).into_response()) },
            _ = tokio::time::sleep_until(deadline) => return Ok(Json(view).into_response()),
            _ = shutdown.changed() => return Ok(Json(view).into_response()),
        }
    }
}

pub fn deliver(
    w: &mut World,
    at: SimTime,
    id: &str,
    code: Option<String>,
    text: Option<String>,
) -> Result<Delivered, SimError> {
    let a = w
        .activations
        .get(id)
        .ok_or_else(|| SimError::not_found("activation"))?;
    if a.status != ActivationStatus::Waiting {
        return Err(SimError::NotPending(format!(
            "activation is {}",
            a.status.as_str()
        )));
    }
    let platform = a.service;
    let (code, text) = resolve_code(w, &platform, code, text);
    let a = w
        .activations
        .get_mut(id)
        .ok_or_else(|| SimError::not_found("activation"))?;
    a.status = ActivationStatus::Received;
    a.otp = Some(code.clone());
    a.full_sms = Some(text.clone());
    a.received_at = Some(at);
    a.scheduled = None;
    let payload = json!({
        "id": a.id, "phone_number": a.phone_number, "service": a.service.notp, "country": a.country,
        "otp": code, "full_sms": text, "status": "received",
    });
    let key = a.key.clone();
    if let Some(job) = numberotp_job(&w.hooks, &key, payload) {
        w.outbox.push(job);
    }
    w.changed = true;
    Ok(Delivered {
        reference: id.to_string(),
        code,
        text,
    })
}

pub fn tick(w: &mut World, now: SimTime) {
    let mut due = Vec::new();
    let mut ended = Vec::new();
    for a in w
        .activations
        .values()
        .filter(|a| a.status == ActivationStatus::Waiting)
    {
        match a.scheduled {
            Some(t) if t <= now && t < a.expires_at => due.push((a.id.clone(), t)),
            _ if now >= a.expires_at => ended.push(a.id.clone()),
            _ => {}
        }
    }
    for (id, at) in due {
        let _ = deliver(w, at, &id, None, None);
    }
    for id in ended {
        let Some(a) = w.activations.get_mut(&id) else {
            continue;
        };
        a.status = ActivationStatus::Expired;
        a.scheduled = None;
        let (key, price, at) = (a.key.clone(), a.price, a.expires_at);
        let _ = w.bank.refund(at, &key, price, &id);
        w.changed = true;
    }
}

async fn not_found() -> NumberotpError {
    NumberotpError(SimError::not_found("endpoint"))
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/public/services", get(services))
        .route("/public/countries", get(countries))
        .route("/public/prices", get(prices))
        .route("/activations", post(create))
        .route("/activations/{id}", get(status))
        .route("/activations/{id}/wait", get(wait))
        .fallback(not_found)
}
