//! OTPZap QRIS top-ups: invoices with a unique code added to the amount, 30-minute validity on the
//! simulated clock, Idempotency-Key required. Paying (control API or the pay page) credits the
//! account with the invoice amount, also after expiry (a late payment).

use super::{account_number, auth, create_once, ok, OzResult};
use crate::clock::SimTime;
use crate::error::SimError;
use crate::http::{required_str, required_uint};
use crate::state::{Sim, World};
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

pub const INVOICE_MINUTES: i64 = 30;
pub const MIN_TOPUP: u64 = 1_000;
pub const MAX_TOPUP: u64 = 10_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopupStatus {
    Pending,
    Success,
    Expired,
    Failed,
}

impl TopupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TopupStatus::Pending => "pending",
            TopupStatus::Success => "success",
            TopupStatus::Expired => "expired",
            TopupStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Topup {
    pub order_id: String,
    pub key: String,
    pub amount: i64,
    pub total_amount: i64,
    pub status: TopupStatus,
    pub payment_url: String,
    pub created_at: SimTime,
    pub expired_at: SimTime,
    pub paid_at: Option<SimTime>,
}

impl Topup {
    pub fn view(&self) -> Value {
        json!({
            "order_id": self.order_id,
            "amount": self.amount,
            "total_amount": self.total_amount,
            "status": self.status.as_str(),
            "payment_url": self.payment_url,
            "paid_at": self.paid_at.map(format_wib),
            "created_at": format_wib(self.created_at),
            "expired_at": format_wib(self.expired_at),
        })
    }
}

pub async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    create_once(sim, &headers, &body, "topup/create", true, |w, now, req| {
        let (key, body) = (&req.key, &req.body);
        let amount = required_uint(body, "amount")?;
        if !(MIN_TOPUP..=MAX_TOPUP).contains(&amount) {
            return Err(SimError::validation(
                "amount",
                format!("amount must be between {MIN_TOPUP} and {MAX_TOPUP}"),
            )
            .into());
        }
        let amount = amount as i64;
        let order_id = format!(
            "APIDEP-{}-{}",
            account_number(w, key),
            w.rng.upper_alnum(12)
        );
        let unique = 1 + w.rng.below(999) as i64;
        let t = Topup {
            payment_url: format!("{}/otpzap/pay/{order_id}", w.base_url),
            order_id: order_id.clone(),
            key: key.clone(),
            amount,
            total_amount: amount + unique,
            status: TopupStatus::Pending,
            created_at: now,
            expired_at: now + Duration::minutes(INVOICE_MINUTES),
            paid_at: None,
        };
        let data = json!({
            "order_id": t.order_id, "amount": t.amount, "total_amount": t.total_amount,
            "payment_url": t.payment_url, "expired_at": format_wib(t.expired_at),
        });
        w.topups.insert(order_id, t);
        Ok(data)
    })
    .await
}

pub async fn check(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> OzResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        let q = json!(q);
        let id = required_str(&q, "order_id")?;
        match w.topups.get(id.trim()) {
            Some(t) if t.key == key => Ok(ok(t.view())),
            _ => Err(SimError::not_found("deposit").into()),
        }
    })
}

fn emit(w: &mut World, id: &str, event: &str, now: SimTime) {
    if let Some(t) = w.topups.get(id) {
        if let Some(job) = otpzap_job(&w.hooks, &t.key, event, t.view(), now) {
            w.outbox.push(job);
        }
    }
    w.changed = true;
}

/// Mark paid and credit the account; paying twice is a no-op, paying a failed invoice is 409.
/// An `expired` invoice can still be paid (a late QRIS payment: the payer's bank settles after
/// the 30 minutes, and Indonesian panels keep checking such invoices for hours): it becomes
/// `success` and is credited once, like an invoice paid in time.
pub fn pay(w: &mut World, now: SimTime, id: &str) -> Result<Value, SimError> {
    let t = w
        .topups
        .get_mut(id)
        .ok_or_else(|| SimError::not_found("deposit"))?;
    match t.status {
        TopupStatus::Success => return Ok(t.view()),
        TopupStatus::Pending | TopupStatus::Expired => {}
        other => {
            return Err(SimError::NotPending(format!(
                "deposit is {}",
                other.as_str()
            )))
        }
    }
    t.status = TopupStatus::Success;
    t.paid_at = Some(now);
    let (key, amount) = (t.key.clone(), t.amount);
    w.bank.credit(now, &key, Money::idr(amount), id, None)?;
    emit(w, id, "topup.success", now);
    Ok(w.topups.get(id).map(Topup::view).unwrap_or(Value::Null))
}

pub fn expire(w: &mut World, at: SimTime, id: &str) -> Result<Value, SimError> {
    close(w, at, id, TopupStatus::Expired)
}

/// The payment failed (control API only; QRIS has no other way to fail here).
pub fn fail(w: &mut World, at: SimTime, id: &str) -> Result<Value, SimError> {
    close(w, at, id, TopupStatus::Failed)
}

fn close(w: &mut World, at: SimTime, id: &str, status: TopupStatus) -> Result<Value, SimError> {
    let t = w
        .topups
        .get_mut(id)
        .ok_or_else(|| SimError::not_found("deposit"))?;
    if t.status != TopupStatus::Pending {
        return Err(SimError::NotPending(format!(
            "deposit is {}",
            t.status.as_str()
        )));
    }
    t.status = status;
    // The assumed event list (docs/WIRE.md) has no "topup.failed".
    if status == TopupStatus::Expired {
        emit(w, id, "topup.expired", at);
    } else {
        w.changed = true;
    }
    Ok(w.topups.get(id).map(Topup::view).unwrap_or(Value::Null))
}

pub fn tick(w: &mut World, now: SimTime) {
    let due: Vec<(String, SimTime)> = w
        .topups
        .values()
        .filter(|t| t.status == TopupStatus::Pending && now >= t.expired_at)
        .map(|t| (t.order_id.clone(), t.expired_at))
        .collect();
    for (id, at) in due {
        let _ = expire(w, at, &id);
    }
}
