//! OTPZap Server 3 email inboxes: create (qty, aggregator `domains[]`), check (message timeline,
//! extracted OTP), reorder (new 20-minute window, no new charge), cancel (refund less the cancel
//! fee, only before any message), finish, and the 20-minute expiry with refund.

use super::catalog_api::validate_site;
use super::{account_number, auth, create_once, ok, OzResult};
use crate::catalog::{self, Domain};
use crate::clock::SimTime;
use crate::control::types::Delivered;
use crate::error::SimError;
use crate::http::{json_object, required_str, str_field, uint_field};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailStatus {
    Pending,
    OtpReceived,
    Success,
    Cancelled,
    Expired,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Pending => "pending",
            EmailStatus::OtpReceived => "otp_received",
            EmailStatus::Success => "success",
            EmailStatus::Cancelled => "cancelled",
            EmailStatus::Expired => "expired",
        }
    }
    fn is_open(self) -> bool {
        matches!(self, EmailStatus::Pending | EmailStatus::OtpReceived)
    }
}

#[derive(Debug, Clone)]
pub struct EmailMessage {
    pub id: u32,
    pub from: String,
    pub subject: String,
    pub body: String,
    pub otp: Option<String>,
    pub received_at: SimTime,
}

#[derive(Debug, Clone)]
pub struct EmailOrder {
    pub order_id: u64,
    pub reference: String,
    pub key: String,
    pub site: String,
    pub domain: String,
    pub email: String,
    pub status: EmailStatus,
    pub messages: Vec<EmailMessage>,
    pub price: i64,
    pub cancel_fee: i64,
    pub created_at: SimTime,
    pub expires_at: SimTime,
    pub scheduled: Vec<SimTime>,
}

impl EmailOrder {
    /// The full order: the creation reply plus its messages and latest OTP.
    pub fn view(&self) -> Value {
        let last = self.messages.last();
        let mut v = self.created_view();
        v["otp"] = json!(last.and_then(|m| m.otp.clone()));
        v["headline"] = json!(last.map(|m| m.subject.clone()));
        v["preview"] = json!(last.map(|m| m.body.chars().take(100).collect::<String>()));
        v["messages"] = self
            .messages
            .iter()
            .map(|m| {
                json!({
                    "id": m.id, "from": m.from, "subject": m.subject, "body": m.body,
                    "otp": m.otp, "received_at": format_wib(m.received_at),
                })
            })
            .collect();
        v["currency"] = json!("IDR");
        v
    }

    fn created_view(&self) -> Value {
        json!({
            "order_id": self.order_id,
            "ref": self.reference,
            "server": 3,
            "order_type": "email",
            "email": self.email,
            "site": self.site,
            "domain": self.domain,
            "price": self.price,
            "status": self.status.as_str(),
            "expires_at": format_wib(self.expires_at),
            "created_at": format_wib(self.created_at),
        })
    }
}

const FIRST: &[&str] = &[
    "andi", "budi", "citra", "dewi", "eka", "fajar", "gita", "hadi", "indah", "joko", "lina",
    "maya", "nanda", "putri", "rizky", "sari", "tono", "wulan", "yoga", "agus",
];
const LAST: &[&str] = &[
    "pratama", "saputra", "wijaya", "lestari", "santoso", "kusuma", "hidayat", "nugroho",
    "permata", "siregar",
];

fn new_address(w: &mut World, domain: &str) -> String {
    let f = FIRST[w.rng.below(FIRST.len() as u64) as usize];
    let l = LAST[w.rng.below(LAST.len() as u64) as usize];
    format!("{f}.{l}{}@{domain}", w.rng.digits(4))
}

/// The domain to sell: `domain`, or in aggregator mode the first of `domains` with stock.
fn pick_domain(w: &World, body: &Value, site: &str, qty: u32) -> Result<&'static Domain, SimError> {
    let names: Vec<String> = match body.get("domains") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| SimError::validation("domains", "domains must be strings"))
            })
            .collect::<Result<_, _>>()?,
        Some(Value::Array(_)) => {
            return Err(SimError::validation("domains", "domains must not be empty"))
        }
        Some(Value::Null) | None => vec![str_field(body, "domain")?
            .unwrap_or("gmail.com")
            .to_string()],
        Some(_) => return Err(SimError::validation("domains", "domains must be an array")),
    };
    let mut known = Vec::new();
    for n in &names {
        known.push(
            catalog::domain_by_name(n.trim())
                .ok_or_else(|| SimError::validation("domain", format!("unknown domain {n}")))?,
        );
    }
    known
        .into_iter()
        .find(|d| {
            let offer = w.catalog.domain_offer(site, d);
            w.stock_left(&format!("s3:{site}:{}", d.name), offer.initial_stock) >= qty
        })
        .ok_or(SimError::OutOfStock)
}

pub async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    create_once(
        sim,
        &headers,
        &body,
        "order/email-create",
        false,
        |w, now, req| {
            let (key, body, idem) = (&req.key, &req.body, &req.idem);
            let site = validate_site(str_field(body, "site")?.unwrap_or_default())?;
            let qty = uint_field(body, "qty")?.unwrap_or(1);
            if !(1..=10).contains(&qty) {
                return Err(SimError::validation("qty", "qty must be between 1 and 10").into());
            }
            let qty = qty as u32;
            let domain = pick_domain(w, body, &site, qty)?;
            let offer = w.catalog.domain_offer(&site, domain);
            let total = offer.price_idr * i64::from(qty);
            let balance = w.bank.balance(key).unwrap_or(Money::idr(0));
            if balance.minor < total {
                return Err(SimError::InsufficientBalance {
                    needed: Money::idr(total),
                    balance,
                }
                .into());
            }
            let stock_key = format!("s3:{site}:{}", domain.name);
            w.take_stock(&stock_key, offer.initial_stock, qty)?;
            let mut created = Vec::new();
            for _ in 0..qty {
                let order_id = w.next_order_id();
                let reference =
                    format!("APIE-{}-{}", account_number(w, key), w.rng.upper_alnum(10));
                w.bank.charge(
                    now,
                    key,
                    Money::idr(offer.price_idr),
                    &reference,
                    idem.as_deref(),
                )?;
                let email = new_address(w, domain.name);
                let scheduled = w.auto_otp_at(now).into_iter().collect();
                let order = EmailOrder {
                    order_id,
                    reference: reference.clone(),
                    key: key.clone(),
                    site: site.clone(),
                    domain: domain.name.to_string(),
                    email,
                    status: EmailStatus::Pending,
                    messages: Vec::new(),
                    price: offer.price_idr,
                    cancel_fee: domain.cancel_fee_idr.min(offer.price_idr),
                    created_at: now,
                    expires_at: now + Duration::seconds(ORDER_WINDOW_SECS),
                    scheduled,
                };
                created.push(order.created_view());
                w.emails.insert(reference, order);
            }
            Ok(if qty == 1 {
                json!({"order": created[0]})
            } else {
                json!({ "orders": created })
            })
        },
    )
    .await
}

fn find<'a>(w: &'a mut World, key: &str, body: &Value) -> Result<&'a mut EmailOrder, SimError> {
    let r = required_str(body, "ref")?;
    match w.emails.get_mut(r.trim()) {
        Some(o) if o.key == key => Ok(o),
        _ => Err(SimError::not_found("email order")),
    }
}

fn emit(w: &mut World, reference: &str, event: &str, now: SimTime) {
    if let Some(o) = w.emails.get(reference) {
        if let Some(job) = otpzap_job(&w.hooks, &o.key, event, o.view(), now) {
            w.outbox.push(job);
        }
    }
    w.changed = true;
}

pub async fn check(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> OzResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        Ok(ok(find(w, &key, &json!(q))?.view()))
    })
}

pub async fn reorder(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let auto_at = w.auto_otp_at(now);
        let o = find(w, &key, &json_object(&body)?)?;
        if !o.status.is_open() {
            return Err(SimError::NotPending(format!("email order is {}", o.status.as_str())).into());
        }
        o.status = EmailStatus::Pending;
        o.expires_at = now + Duration::seconds(ORDER_WINDOW_SECS);
        o.scheduled = auto_at.into_iter().collect();
        Ok(ok(json!({"ref": o.reference, "status": "pending", "expires_at": format_wib(o.expires_at)})))
    })
}

pub async fn cancel(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, now| {
        let key = auth(w, &headers)?;
        let o = find(w, &key, &json_object(&body)?)?;
        if o.status != EmailStatus::Pending || !o.messages.is_empty() {
            return Err(SimError::NotPending(
                "email order can only be cancelled before any message arrives".into(),
            )
            .into());
        }
        o.status = EmailStatus::Cancelled;
        o.scheduled.clear();
        let (reference, refund, fee) = (o.reference.clone(), o.price - o.cancel_fee, o.cancel_fee);
        if refund > 0 {
            w.bank.refund(now, &key, Money::idr(refund), &reference)?;
        }
        w.changed = true;
        Ok(ok(
            json!({"ref": reference, "refunded": refund, "cancel_fee": fee}),
        ))
    })
}

pub async fn finish(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> OzResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        let o = find(w, &key, &json_object(&body)?)?;
        if !o.status.is_open() || o.messages.is_empty() {
            return Err(SimError::NotPending(
                "email order can be finished once a message arrived".into(),
            )
            .into());
        }
        o.status = EmailStatus::Success;
        o.scheduled.clear();
        let reference = o.reference.clone();
        w.changed = true;
        Ok(ok(json!({"ref": reference, "status": "success"})))
    })
}

/// Deliver one message to an open inbox (control API or schedule).
pub fn deliver(
    w: &mut World,
    at: SimTime,
    reference: &str,
    code: Option<String>,
    text: Option<String>,
) -> Result<Delivered, SimError> {
    let o = w
        .emails
        .get(reference)
        .ok_or_else(|| SimError::not_found("email order"))?;
    if !o.status.is_open() {
        return Err(SimError::NotPending(format!(
            "email order is {}",
            o.status.as_str()
        )));
    }
    let site = o.site.clone();
    let site_name = catalog::site_by_name(&site)
        .map(|s| s.name.to_string())
        .unwrap_or_else(|| site.clone());
    let code = match (code, &text) {
        (Some(c), _) => c,
        (None, Some(t)) => texts::extract_code(t).unwrap_or_default(),
        (None, None) => texts::new_code(&mut w.rng, 6),
    };
    let (from, subject, generated) = texts::email_message(&site, &site_name, &code);
    let body = text.unwrap_or(generated);
    let o = w
        .emails
        .get_mut(reference)
        .ok_or_else(|| SimError::not_found("email order"))?;
    let id = o.messages.len() as u32 + 1;
    let otp = (!code.is_empty()).then(|| code.clone());
    o.messages.push(EmailMessage {
        id,
        from,
        subject,
        body: body.clone(),
        otp,
        received_at: at,
    });
    o.status = EmailStatus::OtpReceived;
    emit(w, reference, "email.message_received", at);
    Ok(Delivered {
        reference: reference.to_string(),
        code,
        text: body,
    })
}

pub fn tick(w: &mut World, now: SimTime) {
    let mut due = Vec::new();
    let mut ended = Vec::new();
    for o in w.emails.values_mut().filter(|o| o.status.is_open()) {
        if now < o.expires_at && o.scheduled.iter().all(|t| *t > now) {
            continue;
        }
        let expires = o.expires_at;
        let (ready, later): (Vec<_>, Vec<_>) = o
            .scheduled
            .iter()
            .partition(|t| **t <= now && **t < expires);
        o.scheduled = later;
        due.extend(ready.into_iter().map(|t| (o.reference.clone(), t)));
        if now >= o.expires_at {
            ended.push(o.reference.clone());
        }
    }
    for (r, at) in due {
        let _ = deliver(w, at, &r, None, None);
    }
    for r in ended {
        let Some(o) = w.emails.get_mut(&r) else {
            continue;
        };
        o.scheduled.clear();
        if o.messages.is_empty() {
            o.status = EmailStatus::Expired;
            let (key, price, at) = (o.key.clone(), o.price, o.expires_at);
            let _ = w.bank.refund(at, &key, Money::idr(price), &r);
        } else {
            o.status = EmailStatus::Success;
        }
        w.changed = true;
    }
}
