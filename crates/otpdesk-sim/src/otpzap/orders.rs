//! OTPZap SMS orders (Server 1 products, Server 2 regular / special / multiservice): the order
//! model and its endpoints: create, check, cancel (2-minute cooldown), finish, resend (gated per
//! OTP), replace (S1). Body validation is in `order_spec`, time-driven changes in `sms_events`.

use super::order_spec::{open_order, parse_spec, Spec};
use super::sms_events::emit;
use super::{auth, create_once, ok, OzResult};
use crate::catalog::Service;
use crate::clock::{secs_until, std_to_chrono, SimTime};
use crate::error::SimError;
use crate::http::{json_object, str_field, uint_field};
use crate::state::{Sim, World};
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
    /// Cancel requested, not yet confirmed (`cancel_confirm_delay_secs`): no refund yet.
    Cancelling,
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
            SmsStatus::Cancelling => "cancelling",
            SmsStatus::Cancelled => "cancelled",
            SmsStatus::Expired => "expired",
            SmsStatus::Replaced => "replaced",
        }
    }
    pub fn is_open(self) -> bool {
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
    /// When a `cancelling` order becomes `cancelled` and is refunded.
    pub cancel_confirm_at: Option<SimTime>,
}

impl SmsOrder {
    /// Ends the order in `status`: nothing more is delivered to it.
    pub fn close(&mut self, status: SmsStatus, now: SimTime) {
        self.status = status;
        self.updated_at = now;
        self.scheduled.clear();
    }

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

    /// What the control API lists: the provider view plus what only the simulator knows.
    pub fn control_view(&self) -> Value {
        let mut v = self.view();
        v["country_id"] = json!(self.country_id);
        v["product_id"] = json!(self.product_id);
        v["operator_id"] = json!(self.operator);
        v["is_special"] = json!(self.is_special);
        v["idempotency_key"] = json!(self.idempotency_key);
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

pub async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    create_once(
        sim,
        &headers,
        &body,
        "order/create",
        false,
        |w, now, req| {
            let spec = parse_spec(w, &req.body)?;
            let id = open_order(w, now, &req.key, &spec, req.idem.as_deref())?;
            Ok(w.sms
                .get(&id)
                .map(SmsOrder::created_view)
                .unwrap_or(Value::Null))
        },
    )
    .await
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

pub fn order_mut(w: &mut World, id: u64) -> Result<&mut SmsOrder, SimError> {
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

pub async fn cancel(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let id = find_order(w, &key, &json_object(&body)?)?;
        let confirm_delay = w.config.cancel_confirm_delay;
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
        if let Some(delay) = confirm_delay {
            // Docs: "Balance is refunded automatically when system confirms cancellation".
            o.close(SmsStatus::Cancelling, now);
            o.cancel_confirm_at = Some(now + std_to_chrono(delay));
            w.changed = true;
            // The documented reply shape, with `refunded: false`: accepted, refund still to come.
            return Ok(ok(json!({"order_id": id, "refunded": false})));
        }
        o.close(SmsStatus::Cancelled, now);
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
        o.close(SmsStatus::Success, now);
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
        let spec = Spec::s1(&product, old.services.clone());
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
            o.close(SmsStatus::Replaced, now);
        }
        emit(w, id, "order.replaced", now);
        let n = w.sms.get(&new_id).ok_or_else(|| SimError::Internal("new order vanished".into()))?;
        Ok(ok(json!({"order_id": new_id, "old_ref": old.reference, "ref": n.reference, "phone": n.phone, "price": n.price, "status": "pending"})))
    })
}
