//! What happens to SMS orders without a request: OTP delivery (control API or schedule), the
//! 20-minute expiry with refund, the late confirmation of a cancel (refund), and the webhooks
//! they emit.

use super::orders::{order_mut, OtpEntry, SmsStatus};
use crate::catalog::Service;
use crate::clock::SimTime;
use crate::control::types::Delivered;
use crate::error::SimError;
use crate::state::World;
use crate::texts;
use crate::webhooks::otpzap_job;
use otpdesk_core::Money;

pub fn emit(w: &mut World, id: u64, event: &str, now: SimTime) {
    if let Some(o) = w.sms.get(&id) {
        if let Some(job) = otpzap_job(&w.hooks, &o.key, event, o.view(), now) {
            w.outbox.push(job);
        }
    }
    w.changed = true;
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
    deliver_as(w, at, id, code, text, service, false)
}

/// The "late code" fault (control API `"late": true`): the code also lands on an order that is
/// no longer open (cancelling, cancelled, replaced, expired, finished), as an SMS sent to the
/// number after the cancel. The closed order keeps its status; nothing is charged or refunded.
/// On an open order it is an ordinary delivery.
pub fn deliver_late(
    w: &mut World,
    at: SimTime,
    id: u64,
    code: Option<String>,
    text: Option<String>,
    service: Option<&str>,
) -> Result<Delivered, SimError> {
    deliver_as(w, at, id, code, text, service, true)
}

fn deliver_as(
    w: &mut World,
    at: SimTime,
    id: u64,
    code: Option<String>,
    text: Option<String>,
    service: Option<&str>,
    late: bool,
) -> Result<Delivered, SimError> {
    let o = w.sms.get(&id).ok_or_else(|| SimError::not_found("order"))?;
    let open = o.status.is_open();
    if !open && !late {
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
    if open {
        o.status = SmsStatus::OtpReceived;
        o.resend_locked = false;
        o.resend_locked_until = None;
    }
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

/// `cancelling` orders whose confirmation is due become `cancelled` and are refunded then.
fn confirm_cancels(w: &mut World, now: SimTime) {
    let due: Vec<(u64, SimTime)> = w
        .sms
        .values()
        .filter(|o| o.status == SmsStatus::Cancelling)
        .filter_map(|o| {
            o.cancel_confirm_at
                .filter(|t| *t <= now)
                .map(|t| (o.order_id, t))
        })
        .collect();
    for (id, at) in due {
        let Some(o) = w.sms.get_mut(&id) else {
            continue;
        };
        o.close(SmsStatus::Cancelled, at);
        o.cancel_confirm_at = None;
        let (key, price, reference) = (o.key.clone(), o.price, o.reference.clone());
        let _ = w.bank.refund(at, &key, Money::idr(price), &reference);
        emit(w, id, "order.cancelled", at);
    }
}

pub fn tick(w: &mut World, now: SimTime) {
    confirm_cancels(w, now);
    let mut due = Vec::new();
    let mut ended = Vec::new();
    for o in w.sms.values_mut().filter(|o| o.status.is_open()) {
        if now < o.expires_at && o.scheduled.iter().all(|(t, _)| *t > now) {
            continue; // the common case, without allocating
        }
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
