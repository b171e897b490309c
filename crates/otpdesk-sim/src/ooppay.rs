//! OOPPay (`/ooppay/api/v1`): USDT-TRC20 payment orders. `pay_amount` = amount + 1.5 USDT network
//! buffer; amounts are 6-place decimal strings; `expire_at` is Unix seconds on the simulated clock.
//! Paying (control API) credits the merchant account with the net amount (amount less 0.5 % fee)
//! and calls the order's `callback_url`.

use crate::clock::SimTime;
use crate::error::{OoppayError, SimError};
use crate::http::{account_key, json_object, str_field, uint_field};
use crate::state::{Sim, World};
use crate::webhooks::ooppay_job;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, SecondsFormat};
use otpdesk_core::{Currency, Money, ProviderId};
use serde_json::{json, Value};
use std::sync::Arc;

type OResult = Result<Response, OoppayError>;

/// 1.5 USDT in micro-units.
pub const NETWORK_BUFFER: i64 = 1_500_000;
/// Fee in tenths of a percent (0.5 %).
pub const FEE_PERMILLE: i64 = 5;
const MAX_AMOUNT: i64 = 1_000_000 * 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OopStatus {
    Pending,
    Paid,
    Expired,
    Failed,
}

impl OopStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OopStatus::Pending => "pending",
            OopStatus::Paid => "paid",
            OopStatus::Expired => "expired",
            OopStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub paid_amount: Money,
    pub fee_amount: Money,
    pub net_amount: Money,
    pub tx_hash: String,
    pub paid_at: SimTime,
}

#[derive(Debug, Clone)]
pub struct OopOrder {
    pub order_id: String,
    pub key: String,
    pub merchant_order_id: String,
    pub amount: Money,
    pub pay_amount: Money,
    pub pay_address: String,
    pub callback_url: Option<String>,
    pub status: OopStatus,
    pub created_at: SimTime,
    pub expire_at: SimTime,
    pub payment: Option<Payment>,
    pub qr_code_url: String,
}

fn usdt(minor: i64) -> Money {
    Money::new(Currency::Usdt, minor)
}

impl OopOrder {
    pub fn view(&self) -> Value {
        let mut v = json!({
            "order_id": self.order_id,
            "merchant_order_id": self.merchant_order_id,
            "status": self.status.as_str(),
            "pay_address": self.pay_address,
            "pay_amount": self.pay_amount.to_decimal_string(),
            "order_amount": self.amount.to_decimal_string(),
            "buffer_amount": usdt(NETWORK_BUFFER).to_decimal_string(),
            "qr_code_url": self.qr_code_url,
            "expire_at": self.expire_at.timestamp(),
            "created_at": self.created_at.timestamp(),
        });
        self.add_payment(&mut v);
        v
    }

    /// The payment fields, once paid.
    fn add_payment(&self, v: &mut Value) {
        if let Some(p) = &self.payment {
            v["paid_amount"] = json!(p.paid_amount.to_decimal_string());
            v["net_amount"] = json!(p.net_amount.to_decimal_string());
            v["fee_amount"] = json!(p.fee_amount.to_decimal_string());
            v["tx_hash"] = json!(p.tx_hash);
            v["confirmations"] = json!(3);
            v["paid_at"] = json!(p.paid_at.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }

    /// The documented webhook body.
    fn webhook_payload(&self) -> Value {
        let mut v = json!({
            "order_id": self.order_id,
            "merchant_order_id": self.merchant_order_id,
            "status": self.status.as_str(),
            "order_amount": self.amount.to_decimal_string(),
        });
        self.add_payment(&mut v);
        v
    }
}

fn auth(w: &World, headers: &HeaderMap) -> Result<String, SimError> {
    account_key(w, ProviderId::Ooppay, headers)
}

fn invalid(field: &str, message: &str, value: Option<String>) -> SimError {
    SimError::Validation {
        field: field.to_string(),
        message: message.to_string(),
        value,
    }
}

fn parse_amount(body: &Value) -> Result<Money, SimError> {
    let raw = body
        .get("amount")
        .ok_or_else(|| invalid("amount", "Amount parameter is required", None))?;
    let shown = raw
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| raw.to_string());
    let m = Money::from_json(Currency::Usdt, raw).map_err(|_| {
        invalid(
            "amount",
            "Amount must be a decimal string",
            Some(shown.clone()),
        )
    })?;
    if m.minor <= 0 {
        return Err(invalid(
            "amount",
            "Amount parameter must be positive",
            Some(shown),
        ));
    }
    if m.minor > MAX_AMOUNT {
        return Err(invalid("amount", "Amount is too large", Some(shown)));
    }
    Ok(m)
}

async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let body = json_object(&body)?;
        let merchant_order_id = str_field(&body, "merchant_order_id")?
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 128)
            .ok_or_else(|| invalid("merchant_order_id", "merchant_order_id is required", None))?
            .to_string();
        let amount = parse_amount(&body)?;
        let callback_url = match str_field(&body, "callback_url")? {
            Some(u) if !u.trim().is_empty() => {
                let parsed = url::Url::parse(u.trim()).map_err(|_| {
                    invalid(
                        "callback_url",
                        "callback_url is not a URL",
                        Some(u.to_string()),
                    )
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(invalid(
                        "callback_url",
                        "callback_url must be http(s)",
                        Some(u.to_string()),
                    )
                    .into());
                }
                Some(u.trim().to_string())
            }
            _ => None,
        };
        let minutes = uint_field(&body, "expire_minutes")?.unwrap_or(30);
        if !(1..=1440).contains(&minutes) {
            return Err(invalid(
                "expire_minutes",
                "expire_minutes must be between 1 and 1440",
                Some(minutes.to_string()),
            )
            .into());
        }
        let order_id = uuid::Builder::from_random_bytes(w.rng.bytes16())
            .into_uuid()
            .to_string();
        let pay_address = format!(
            "T{}",
            w.rng.pick_from(
                b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
                33
            )
        );
        let order = OopOrder {
            qr_code_url: format!("{}/ooppay/qr/{order_id}", w.base_url),
            order_id: order_id.clone(),
            key,
            merchant_order_id,
            pay_amount: usdt(amount.minor + NETWORK_BUFFER),
            amount,
            pay_address,
            callback_url,
            status: OopStatus::Pending,
            created_at: now,
            expire_at: now + Duration::minutes(minutes as i64),
            payment: None,
        };
        let reply = json!({
            "order_id": order.order_id,
            "pay_address": order.pay_address,
            "pay_amount": order.pay_amount.to_decimal_string(),
            "order_amount": order.amount.to_decimal_string(),
            "buffer_amount": usdt(NETWORK_BUFFER).to_decimal_string(),
            "qr_code_url": order.qr_code_url,
            "expire_at": order.expire_at.timestamp(),
        });
        w.oop_orders.insert(order_id, order);
        Ok(Json(reply).into_response())
    })
}

async fn get_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> OResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        match w.oop_orders.get(&id) {
            Some(o) if o.key == key => Ok(Json(o.view()).into_response()),
            _ => Err(SimError::not_found("order").into()),
        }
    })
}

fn emit(w: &mut World, id: &str, now: SimTime) {
    if let Some(o) = w.oop_orders.get(id) {
        if let Some(job) = ooppay_job(
            &w.hooks,
            &o.key,
            o.callback_url.as_deref(),
            o.webhook_payload(),
            now,
        ) {
            w.outbox.push(job);
        }
    }
    w.changed = true;
}

/// Settle an order as paid in full; paying twice is a no-op, paying an expired order is 409.
pub fn pay(w: &mut World, now: SimTime, id: &str) -> Result<Value, SimError> {
    let tx_hash = w.rng.hex(64);
    let o = w
        .oop_orders
        .get_mut(id)
        .ok_or_else(|| SimError::not_found("order"))?;
    match o.status {
        OopStatus::Paid => return Ok(o.view()),
        OopStatus::Pending => {}
        other => return Err(SimError::NotPending(format!("order is {}", other.as_str()))),
    }
    // Fee rounded half up to the micro-unit: 0.5 % of the order amount.
    let fee = usdt((o.amount.minor * FEE_PERMILLE + 500) / 1000);
    let net = usdt(o.amount.minor - fee.minor);
    o.payment = Some(Payment {
        paid_amount: o.pay_amount,
        fee_amount: fee,
        net_amount: net,
        tx_hash,
        paid_at: now,
    });
    o.status = OopStatus::Paid;
    let key = o.key.clone();
    w.bank.credit(now, &key, net, id, None)?;
    emit(w, id, now);
    Ok(w.oop_orders
        .get(id)
        .map(OopOrder::view)
        .unwrap_or(Value::Null))
}

pub fn expire(w: &mut World, at: SimTime, id: &str) -> Result<Value, SimError> {
    close(w, at, id, OopStatus::Expired)
}

/// The payment failed (control API only).
pub fn fail(w: &mut World, at: SimTime, id: &str) -> Result<Value, SimError> {
    close(w, at, id, OopStatus::Failed)
}

fn close(w: &mut World, at: SimTime, id: &str, status: OopStatus) -> Result<Value, SimError> {
    let o = w
        .oop_orders
        .get_mut(id)
        .ok_or_else(|| SimError::not_found("order"))?;
    if o.status != OopStatus::Pending {
        return Err(SimError::NotPending(format!(
            "order is {}",
            o.status.as_str()
        )));
    }
    o.status = status;
    emit(w, id, at);
    Ok(w.oop_orders
        .get(id)
        .map(OopOrder::view)
        .unwrap_or(Value::Null))
}

pub fn tick(w: &mut World, now: SimTime) {
    let due: Vec<(String, SimTime)> = w
        .oop_orders
        .values()
        .filter(|o| o.status == OopStatus::Pending && now >= o.expire_at)
        .map(|o| (o.order_id.clone(), o.expire_at))
        .collect();
    for (id, at) in due {
        let _ = expire(w, at, &id);
    }
}

async fn not_found() -> OoppayError {
    OoppayError(SimError::not_found("endpoint"))
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/orders", post(create))
        .route("/orders/{order_id}", get(get_order))
        .fallback(not_found)
}
