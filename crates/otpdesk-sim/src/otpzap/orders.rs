//! OTPZap SMS orders (Server 1 products, Server 2 regular / special / multiservice): create,
//! check, cancel (2-minute cooldown), finish, resend (gated per OTP), replace (S1), and the
//! time-driven side: scheduled OTPs, 20-minute expiry with refund.

use super::{account_number, auth, ok, replay, OzResult};
use crate::catalog::{self, Country, Service};
use crate::clock::{secs_until, SimTime};
use crate::control::types::Delivered;
use crate::error::SimError;
use crate::http::{bool_field, idempotency_key, json_object, str_field, u32_field, uint_field};
use crate::state::{Sim, World, ORDER_WINDOW_SECS};
use crate::texts;
use crate::webhooks::otpzap_job;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::Duration;
use otpdesk_core::time::format_wib;
use otpdesk_core::Money;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub const CANCEL_COOLDOWN_SECS: i64 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsStatus {
    Pending,
    OtpReceived,
    Success,
    Cancelled,
    Expired,
    Replaced,
}

impl SmsStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsStatus::Pending => "pending",
            SmsStatus::OtpReceived => "otp_received",
            SmsStatus::Success => "success",
            SmsStatus::Cancelled => "cancelled",
            SmsStatus::Expired => "expired",
            SmsStatus::Replaced => "replaced",
        }
    }
    fn is_open(self) -> bool {
        matches!(self, SmsStatus::Pending | SmsStatus::OtpReceived)
    }
}

#[derive(Debug, Clone)]
pub struct OrderService {
    pub service_id: u32,
    pub name: String,
    pub price: i64,
    pub platform: Service,
}

#[derive(Debug, Clone)]
pub struct OtpEntry {
    pub code: String,
    pub text: String,
    pub service: Option<String>,
    pub received_at: SimTime,
}

#[derive(Debug, Clone)]
pub struct SmsOrder {
    pub order_id: u64,
    pub reference: String,
    pub key: String,
    pub server: u8,
    pub product_id: Option<u64>,
    pub country_id: Option<u32>,
    pub operator: Option<String>,
    pub is_special: bool,
    pub phone: String,
    pub services: Vec<OrderService>,
    pub price: i64,
    pub status: SmsStatus,
    pub otps: Vec<OtpEntry>,
    pub resend_count: u32,
    pub last_resend_at: Option<SimTime>,
    /// Set by a resend, cleared by the next OTP.
    pub resend_locked: bool,
    pub resend_locked_until: Option<SimTime>,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    pub expires_at: SimTime,
    /// Automatic OTPs still to come: when, and for which service (multiservice).
    pub scheduled: Vec<(SimTime, Option<usize>)>,
    pub idempotency_key: Option<String>,
}

impl SmsOrder {
    fn multiservice(&self) -> bool {
        self.services.len() > 1
    }

    fn service_label(&self) -> String {
        self.services
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The `order/check` data (also the webhook `data`).
    pub fn view(&self) -> Value {
        let multi = self.multiservice();
        let otps: Vec<Value> = self
            .otps
            .iter()
            .map(|o| {
                let mut v = json!({"code": o.code, "received_at": format_wib(o.received_at)});
                if multi {
                    v["service"] = json!(o.service);
                }
                v
            })
            .collect();
        let mut v = json!({
            "order_id": self.order_id,
            "ref": self.reference,
            "server": self.server,
            "phone": self.phone,
            "service": self.service_label(),
            "otp_code": self.otps.last().map(|o| o.code.clone()),
            "sms_text": self.otps.last().map(|o| o.text.clone()),
            "otps": otps,
            "price": self.price,
            "currency": "IDR",
            "status": self.status.as_str(),
            "multiservice": multi,
            "resend_count": self.resend_count,
            "last_resend_at": self.last_resend_at.map(format_wib),
            "resend_locked_until": if self.resend_locked { self.resend_locked_until.map(format_wib) } else { None },
            "created_at": format_wib(self.created_at),
            "updated_at": format_wib(self.updated_at),
            "expires_at": format_wib(self.expires_at),
        });
        if multi {
            v["services"] = self.services_json();
        }
        v
    }

    fn services_json(&self) -> Value {
        json!(self
            .services
            .iter()
            .map(|s| json!({"service_id": s.service_id, "service": s.name, "price": s.price}))
            .collect::<Vec<_>>())
    }

    /// The `order/create` reply.
    fn created_view(&self) -> Value {
        let mut v = json!({
            "order_id": self.order_id,
            "ref": self.reference,
            "server": self.server,
            "phone": self.phone,
            "service": self.service_label(),
            "price": self.price,
            "currency": "IDR",
            "status": self.status.as_str(),
            "multiservice": self.multiservice(),
            "created_at": format_wib(self.created_at),
            "expires_at": format_wib(self.expires_at),
        });
        if self.multiservice() {
            v["services"] = self.services_json();
        }
        v
    }
}

/// What a create request asks for, validated against the catalog.
struct Spec {
    server: u8,
    product_id: Option<u64>,
    country: Option<Country>,
    operator: Option<String>,
    is_special: bool,
    services: Vec<OrderService>,
    stock: Option<(String, u32)>,
}

fn parse_spec(w: &World, body: &Value) -> Result<Spec, SimError> {
    let server = uint_field(body, "server")?.unwrap_or(1);
    let service_name = str_field(body, "service_name")?;
    let spec = match server {
        1 => s1_spec(w, body)?,
        2 => s2_spec(w, body)?,
        _ => {
            return Err(SimError::validation(
                "server",
                "server must be 1 or 2 (email orders use order/email-create)",
            ))
        }
    };
    if let Some(name) = service_name {
        let matches = spec.services.len() == 1
            && (spec.services[0].name.eq_ignore_ascii_case(name.trim())
                || spec.services[0]
                    .platform
                    .name
                    .eq_ignore_ascii_case(name.trim()));
        if !matches {
            return Err(SimError::validation(
                "service_name",
                "service_name does not match the selected service",
            ));
        }
    }
    Ok(spec)
}

fn s1_spec(w: &World, body: &Value) -> Result<Spec, SimError> {
    let id = uint_field(body, "product_id")?
        .ok_or_else(|| SimError::validation("product_id", "product_id is required"))?;
    let product = w
        .catalog
        .product(id)
        .ok_or_else(|| SimError::not_found("product"))?;
    if u32_field(body, "country_id")?.is_some_and(|c| c != product.country.id) {
        return Err(SimError::validation(
            "country_id",
            "country_id does not match the product",
        ));
    }
    if u32_field(body, "platform_id")?.is_some_and(|p| p != product.service.id) {
        return Err(SimError::validation(
            "platform_id",
            "platform_id does not match the product",
        ));
    }
    Ok(Spec {
        server: 1,
        product_id: Some(product.id),
        country: Some(product.country),
        operator: None,
        is_special: false,
        services: vec![OrderService {
            service_id: product.service.id,
            name: product.service.name.to_string(),
            price: product.price,
            platform: product.service,
        }],
        stock: Some((format!("s1:{}", product.id), product.initial_stock)),
    })
}

fn s2_spec(w: &World, body: &Value) -> Result<Spec, SimError> {
    if bool_field(body, "is_special")?.unwrap_or(false) {
        let id = u32_field(body, "service_id")?
            .ok_or_else(|| SimError::validation("service_id", "service_id is required"))?;
        let sp = w
            .catalog
            .special(id)
            .ok_or_else(|| SimError::not_found("special service"))?;
        let indonesia = catalog::country_by_id(7).copied();
        return Ok(Spec {
            server: 2,
            product_id: None,
            country: indonesia,
            operator: None,
            is_special: true,
            services: vec![OrderService {
                service_id: sp.service_id,
                name: sp.service_name.to_string(),
                price: sp.price,
                platform: sp.service,
            }],
            stock: None,
        });
    }
    let country_id = u32_field(body, "country_id")?
        .ok_or_else(|| SimError::validation("country_id", "country_id is required"))?;
    let country =
        *catalog::country_by_id(country_id).ok_or_else(|| SimError::not_found("country"))?;
    let operator = str_field(body, "operator_id")?
        .unwrap_or("random")
        .trim()
        .to_ascii_lowercase();
    if !country.operators.contains(&operator.as_str()) {
        return Err(SimError::validation(
            "operator_id",
            format!("unknown operator for {}", country.name),
        ));
    }
    let ids: Vec<u32> = match body.get("service_ids") {
        Some(Value::Array(items)) => {
            let mut ids = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let id = u32_field(&json!({ "id": item }), "id")?.ok_or_else(|| {
                    SimError::validation("service_ids", format!("service_ids[{i}] is not an id"))
                })?;
                if ids.contains(&id) {
                    return Err(SimError::validation(
                        "service_ids",
                        "service_ids contains a duplicate",
                    ));
                }
                ids.push(id);
            }
            if ids.is_empty() || ids.len() > 5 {
                return Err(SimError::validation(
                    "service_ids",
                    "service_ids needs 1 to 5 services",
                ));
            }
            ids
        }
        Some(Value::Null) | None => {
            vec![u32_field(body, "service_id")?
                .ok_or_else(|| SimError::validation("service_id", "service_id is required"))?]
        }
        Some(_) => {
            return Err(SimError::validation(
                "service_ids",
                "service_ids must be an array",
            ))
        }
    };
    let mut services = Vec::new();
    for id in ids {
        let s = catalog::service_by_s2_id(id)
            .ok_or_else(|| SimError::not_found(format!("service {id}")))?;
        services.push(OrderService {
            service_id: s.s2_id,
            name: s.name.to_string(),
            price: w.catalog.s2_price(s, &country),
            platform: *s,
        });
    }
    Ok(Spec {
        server: 2,
        product_id: None,
        country: Some(country),
        operator: Some(operator),
        is_special: false,
        services,
        stock: None,
    })
}

pub fn phone_number(w: &mut World, country: Option<&Country>) -> String {
    let c = country
        .copied()
        .or_else(|| catalog::country_by_id(7).copied());
    match c {
        Some(c) => {
            let rest = c.local_len.saturating_sub(c.mobile_prefix.len());
            format!("{}{}{}", c.dial, c.mobile_prefix, w.rng.digits(rest))
        }
        None => format!("628{}", w.rng.digits(10)),
    }
}

/// Charge, take stock and insert a new order from `spec`. Nothing changes on error.
fn open_order(
    w: &mut World,
    now: SimTime,
    key: &str,
    spec: &Spec,
    idem: Option<&str>,
) -> Result<u64, SimError> {
    if let Some((stock_key, initial)) = &spec.stock {
        if w.stock_left(stock_key, *initial) == 0 {
            return Err(SimError::OutOfStock);
        }
    }
    let price: i64 = spec.services.iter().map(|s| s.price).sum();
    let order_id = w.next_order_id();
    let reference = format!("API{}-{}", account_number(w, key), w.rng.upper_alnum(10));
    w.bank
        .charge(now, key, Money::idr(price), &reference, idem)?;
    if let Some((stock_key, initial)) = &spec.stock {
        w.take_stock(stock_key, *initial, 1)?;
    }
    let phone = phone_number(w, spec.country.as_ref());
    let mut scheduled = Vec::new();
    if let Some(at) = w.auto_otp_at(now) {
        for i in 0..spec.services.len() {
            scheduled.push((at + Duration::seconds(5 * i as i64), Some(i)));
        }
    }
    let order = SmsOrder {
        order_id,
        reference,
        key: key.to_string(),
        server: spec.server,
        product_id: spec.product_id,
        country_id: spec.country.map(|c| c.id),
        operator: spec.operator.clone(),
        is_special: spec.is_special,
        phone,
        services: spec.services.clone(),
        price,
        status: SmsStatus::Pending,
        otps: Vec::new(),
        resend_count: 0,
        last_resend_at: None,
        resend_locked: false,
        resend_locked_until: None,
        created_at: now,
        updated_at: now,
        expires_at: now + Duration::seconds(ORDER_WINDOW_SECS),
        scheduled,
        idempotency_key: idem.map(str::to_string),
    };
    w.sms.insert(order_id, order);
    Ok(order_id)
}

pub async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let body = json_object(&body)?;
        let idem = idempotency_key(&headers);
        if let Some(k) = &idem {
            if let Some((status, reply)) = w.idem.lookup(&key, "order/create", k, &body)? {
                return Ok(replay(status, reply));
            }
        }
        let spec = parse_spec(w, &body)?;
        let id = open_order(w, now, &key, &spec, idem.as_deref())?;
        let data = w
            .sms
            .get(&id)
            .map(SmsOrder::created_view)
            .unwrap_or(Value::Null);
        let reply = json!({"success": true, "data": data});
        if let Some(k) = &idem {
            w.idem
                .store(&key, "order/create", k, body, 200, reply.clone());
        }
        Ok(replay(200, reply))
    })
}

/// The caller's order named by `order_id` (number or numeric string) or `ref`.
fn find_order(w: &World, key: &str, body: &Value) -> Result<u64, SimError> {
    let id = match uint_field(body, "order_id")? {
        Some(id) => Some(id),
        None => match str_field(body, "ref")? {
            Some(r) => w
                .sms
                .values()
                .find(|o| o.reference == r)
                .map(|o| o.order_id),
            None => return Err(SimError::validation("order_id", "order_id is required")),
        },
    };
    match id.and_then(|id| w.sms.get(&id)) {
        Some(o) if o.key == key => Ok(o.order_id),
        _ => Err(SimError::not_found("order")),
    }
}

fn order_mut(w: &mut World, id: u64) -> Result<&mut SmsOrder, SimError> {
    w.sms
        .get_mut(&id)
        .ok_or_else(|| SimError::not_found("order"))
}

pub async fn check(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> OzResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        let id = find_order(w, &key, &json!(q))?;
        Ok(ok(order_mut(w, id)?.view()))
    })
}

fn emit(w: &mut World, id: u64, event: &str, now: SimTime) {
    if let Some(o) = w.sms.get(&id) {
        if let Some(job) = otpzap_job(&w.hooks, &o.key, event, o.view(), now) {
            w.outbox.push(job);
        }
    }
    w.changed = true;
}

pub async fn cancel(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let id = find_order(w, &key, &json_object(&body)?)?;
        let o = order_mut(w, id)?;
        if o.status != SmsStatus::Pending {
            return Err(SimError::NotPending(format!(
                "order is {}, only pending orders can be cancelled",
                o.status.as_str()
            ))
            .into());
        }
        let allowed_at = o.created_at + Duration::seconds(CANCEL_COOLDOWN_SECS);
        if now < allowed_at {
            return Err(SimError::Cooldown {
                retry_after: secs_until(now, allowed_at),
            }
            .into());
        }
        o.status = SmsStatus::Cancelled;
        o.updated_at = now;
        o.scheduled.clear();
        let (price, reference) = (o.price, o.reference.clone());
        w.bank.refund(now, &key, Money::idr(price), &reference)?;
        emit(w, id, "order.cancelled", now);
        Ok(ok(json!({"order_id": id, "refunded": price})))
    })
}

pub async fn finish(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let id = find_order(w, &key, &json_object(&body)?)?;
        let o = order_mut(w, id)?;
        if o.status != SmsStatus::OtpReceived {
            return Err(SimError::NotPending(format!(
                "order is {}, only orders with an OTP can be finished",
                o.status.as_str()
            ))
            .into());
        }
        o.status = SmsStatus::Success;
        o.updated_at = now;
        o.scheduled.clear();
        emit(w, id, "order.finished", now);
        Ok(ok(json!({"order_id": id, "status": "success"})))
    })
}

pub async fn resend(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let id = find_order(w, &key, &json_object(&body)?)?;
        let auto_at = w.auto_otp_at(now);
        let o = order_mut(w, id)?;
        if !o.status.is_open() {
            return Err(SimError::NotPending(format!("order is {}, resend needs an active order", o.status.as_str())).into());
        }
        if o.resend_locked {
            let retry_after = o.resend_locked_until.filter(|t| *t > now).map(|t| secs_until(now, t));
            return Err(SimError::ResendLocked { retry_after }.into());
        }
        o.resend_count += 1;
        o.last_resend_at = Some(now);
        o.resend_locked = true;
        o.updated_at = now;
        // Unlock time: when the next automatic OTP is due, else the end of the order's window.
        o.resend_locked_until = Some(auto_at.unwrap_or(o.expires_at).min(o.expires_at));
        if let Some(at) = auto_at {
            o.scheduled.push((at, None));
        }
        let reply = json!({"order_id": id, "resend_count": o.resend_count, "resend_locked_until": o.resend_locked_until.map(format_wib)});
        Ok(ok(reply))
    })
}

pub async fn replace(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let id = find_order(w, &key, &json_object(&body)?)?;
        let old = order_mut(w, id)?.clone();
        if old.server != 1 {
            return Err(SimError::validation("order_id", "replace is available on Server 1 only").into());
        }
        if old.status != SmsStatus::Pending {
            return Err(SimError::NotPending(format!("order is {}, only pending orders can be replaced", old.status.as_str())).into());
        }
        let product = old.product_id.and_then(|p| w.catalog.product(p).cloned()).ok_or_else(|| SimError::not_found("product"))?;
        let spec = Spec {
            server: 1,
            product_id: Some(product.id),
            country: Some(product.country),
            operator: None,
            is_special: false,
            services: old.services.clone(),
            stock: Some((format!("s1:{}", product.id), product.initial_stock)),
        };
        if w.stock_left(&format!("s1:{}", product.id), product.initial_stock) == 0 {
            return Err(SimError::OutOfStock.into());
        }
        // Refund first so the new charge always fits: one atomic step under the world lock.
        w.bank.refund(now, &key, Money::idr(old.price), &old.reference)?;
        let new_id = match open_order(w, now, &key, &spec, None) {
            Ok(id) => id,
            Err(e) => {
                // Undo the refund so nothing changed.
                w.bank.charge(now, &key, Money::idr(old.price), &old.reference, None)?;
                return Err(e.into());
            }
        };
        if let Some(o) = w.sms.get_mut(&id) {
            o.status = SmsStatus::Replaced;
            o.updated_at = now;
            o.scheduled.clear();
        }
        emit(w, id, "order.replaced", now);
        let n = w.sms.get(&new_id).ok_or_else(|| SimError::Internal("new order vanished".into()))?;
        Ok(ok(json!({"order_id": new_id, "old_ref": old.reference, "ref": n.reference, "phone": n.phone, "price": n.price, "status": "pending"})))
    })
}

/// Deliver one OTP to an open order (control API or schedule). `service` picks the multiservice
/// entry by name or code; default the first one without a code yet.
pub fn deliver(
    w: &mut World,
    at: SimTime,
    id: u64,
    code: Option<String>,
    text: Option<String>,
    service: Option<&str>,
) -> Result<Delivered, SimError> {
    let o = w.sms.get(&id).ok_or_else(|| SimError::not_found("order"))?;
    if !o.status.is_open() {
        return Err(SimError::NotPending(format!(
            "order is {}",
            o.status.as_str()
        )));
    }
    let idx = match service {
        Some(s) => o
            .services
            .iter()
            .position(|x| {
                x.name.eq_ignore_ascii_case(s)
                    || x.platform.code.eq_ignore_ascii_case(s)
                    || x.platform.name.eq_ignore_ascii_case(s)
            })
            .ok_or_else(|| SimError::not_found(format!("service {s} in order")))?,
        None => o
            .services
            .iter()
            .position(|x| {
                !o.otps
                    .iter()
                    .any(|p| p.service.as_deref() == Some(x.name.as_str()))
            })
            .unwrap_or(0),
    };
    let platform = o.services[idx].platform;
    let service_name = o.services[idx].name.clone();
    let (code, text) = resolve_code(w, &platform, code, text);
    let o = order_mut(w, id)?;
    o.otps.push(OtpEntry {
        code: code.clone(),
        text: text.clone(),
        service: Some(service_name),
        received_at: at,
    });
    o.status = SmsStatus::OtpReceived;
    o.resend_locked = false;
    o.resend_locked_until = None;
    o.updated_at = at;
    let reference = o.reference.clone();
    emit(w, id, "order.otp_received", at);
    Ok(Delivered {
        reference,
        code,
        text,
    })
}

/// A code and SMS text from what the caller gave (either, both or neither).
pub fn resolve_code(
    w: &mut World,
    platform: &Service,
    code: Option<String>,
    text: Option<String>,
) -> (String, String) {
    match (code, text) {
        (Some(c), Some(t)) => (c, t),
        (Some(c), None) => {
            let t = texts::sms_text(platform, &c);
            (c, t)
        }
        (None, Some(t)) => (texts::extract_code(&t).unwrap_or_default(), t),
        (None, None) => {
            let c = texts::new_code(&mut w.rng, platform.code_len);
            let t = texts::sms_text(platform, &c);
            (c, t)
        }
    }
}

pub fn tick(w: &mut World, now: SimTime) {
    let mut due = Vec::new();
    let mut ended = Vec::new();
    for o in w.sms.values_mut().filter(|o| o.status.is_open()) {
        o.scheduled.sort_by_key(|(t, _)| *t);
        let (ready, later): (Vec<_>, Vec<_>) = o
            .scheduled
            .iter()
            .partition(|(t, _)| *t <= now && *t < o.expires_at);
        o.scheduled = later;
        due.extend(ready.into_iter().map(|(t, s)| (o.order_id, t, s)));
        if now >= o.expires_at {
            ended.push(o.order_id);
        }
    }
    for (id, at, svc) in due {
        let name = svc.and_then(|i| {
            w.sms
                .get(&id)
                .and_then(|o| o.services.get(i))
                .map(|s| s.name.clone())
        });
        let _ = deliver(w, at, id, None, None, name.as_deref());
    }
    for id in ended {
        let Some(o) = w.sms.get_mut(&id) else {
            continue;
        };
        let at = o.expires_at;
        o.updated_at = at;
        o.scheduled.clear();
        if o.status == SmsStatus::Pending {
            o.status = SmsStatus::Expired;
            let (key, price, reference) = (o.key.clone(), o.price, o.reference.clone());
            let _ = w.bank.refund(at, &key, Money::idr(price), &reference);
            emit(w, id, "order.expired", at);
        } else {
            // A number that got its code and was never finished closes as used.
            o.status = SmsStatus::Success;
            emit(w, id, "order.finished", at);
        }
    }
}
