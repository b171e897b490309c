//! NumberOTP (`/numberotp/v1`): public catalog and prices, activations (USD balance), status and
//! the `/wait` long-poll, which parks on a watch channel and returns the moment an OTP lands.
//! Replies are spelled in the dialect set at run time ([`dialect`]). No cancel endpoint, as the
//! real API.

pub mod dialect;

use crate::catalog::{NotpPrice, Service};
use crate::catalog::{COUNTRIES, SERVICES};
use crate::clock::SimTime;
use crate::control::types::Delivered;
use crate::control::types::NumberOtpShape;
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

/// Numbers left of one price line.
fn left(w: &World, p: &NotpPrice) -> u32 {
    w.stock_left(&stock_key(p), p.initial_stock)
}

fn stock_key(p: &NotpPrice) -> String {
    format!("notp:{}:{}", p.service.notp, p.country.notp)
}

/// The price line of `service` in `country`, the country named by its id in `shape`.
fn price_in<'a>(
    w: &'a World,
    shape: NumberOtpShape,
    service: &str,
    country: &str,
) -> Option<&'a NotpPrice> {
    w.catalog
        .notp_prices
        .iter()
        .find(|p| p.service.notp == service && dialect::country_id(shape, &p.country) == country)
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
        let shape = w.config.numberotp_shape;
        let country = query_param(&q, "country");
        let list: Vec<(Service, u32)> = SERVICES
            .iter()
            .filter(|s| country.is_none_or(|c| price_in(w, shape, s.notp, c).is_some()))
            .map(|s| {
                let count = w
                    .catalog
                    .notp_prices
                    .iter()
                    .filter(|p| p.service.notp == s.notp)
                    .filter(|p| country.is_none_or(|c| dialect::country_id(shape, &p.country) == c))
                    .map(|p| left(w, p))
                    .sum();
                (*s, count)
            })
            .collect();
        Ok(Json(dialect::services(shape, &list)).into_response())
    })
}

async fn countries(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> NResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let shape = w.config.numberotp_shape;
        let service = query_param(&q, "service");
        let list: Vec<_> = COUNTRIES
            .iter()
            .filter(|c| service.is_none_or(|s| w.catalog.notp_price(s, c.notp).is_some()))
            .copied()
            .collect();
        Ok(Json(dialect::countries(shape, &list)).into_response())
    })
}

/// No API key needed (documented).
async fn prices(State(sim): State<Arc<Sim>>) -> NResult {
    sim.with(|w, _| {
        let list: Vec<_> = w
            .catalog
            .notp_prices
            .iter()
            .map(|p| (p.service, p.country, p.price, left(w, p)))
            .collect();
        Ok(Json(dialect::prices(w.config.numberotp_shape, &list)).into_response())
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
        let shape = w.config.numberotp_shape;
        let price = price_in(w, shape, service.trim(), &country)
            .cloned()
            .ok_or_else(|| SimError::not_found("service/country"))?;
        let stock_key = stock_key(&price);
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
        let view = dialect::activation(shape, &a);
        w.activations.insert(id, a);
        Ok((StatusCode::CREATED, Json(view)).into_response())
    })
}

/// The activation as its owner sees it, and whether it still waits for a code.
fn owned(w: &World, key: &str, id: &str) -> Result<(Value, bool), SimError> {
    match w.activations.get(id) {
        Some(a) if a.key == key => Ok((
            dialect::activation(w.config.numberotp_shape, a),
            a.status == ActivationStatus::Waiting,
        )),
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
        Ok(Json(owned(w, &key, &id)?.0).into_response())
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
        let (view, waiting) = sim.with(|w, _| owned(w, &key, &id))?;
        if !waiting {
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
