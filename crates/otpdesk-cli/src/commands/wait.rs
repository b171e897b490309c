//! Waiting for codes: OTPZap SMS orders and email inboxes by polling (every 5 s as the docs ask),
//! NumberOTP by its 55 s long poll. A new code is one the timeline did not have before, so a code
//! that arrives after a resend is noticed even when `otp_code` looked the same.

use crate::error::{CliError, ProviderResult};
use crate::output::{time_json, Out};
use otpdesk_core::ProviderId::{Numberotp, Otpzap};
use otpdesk_providers::{Id, NumberOtpClient, OtpZapClient, ProviderError};
use serde_json::json;
use std::time::Duration;
use tokio::time::{sleep, Instant};

/// How long and how often to wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitPlan {
    pub timeout: Duration,
    pub poll: Duration,
}

impl WaitPlan {
    pub fn new(timeout_secs: u64, poll_secs: u64) -> WaitPlan {
        WaitPlan {
            timeout: Duration::from_secs(timeout_secs),
            poll: Duration::from_secs(poll_secs.max(1)),
        }
    }
}

/// Transient failures while waiting are waited out (the order is already paid for); anything
/// else ends the wait with its error.
async fn pause_on(err: ProviderError, plan: WaitPlan, out: Out) -> Result<(), ProviderError> {
    if !err.is_retryable() {
        return Err(err);
    }
    let pause = err.retry_after().unwrap_or(plan.poll).max(plan.poll);
    out.progress(&format!("{err} Retrying in {} s.", pause.as_secs()));
    sleep(pause).await;
    Ok(())
}

/// Sleep until the next poll, or give up when that would fall past `deadline`.
async fn next_poll(plan: WaitPlan, deadline: Instant) -> Result<(), CliError> {
    if Instant::now() + plan.poll > deadline {
        return Err(CliError::WaitTimedOut(plan.timeout.as_secs()));
    }
    sleep(plan.poll).await;
    Ok(())
}

/// Wait for a code on an OTPZap SMS order that already holds `seen` codes.
pub async fn otpzap_order(
    client: &OtpZapClient,
    id: &Id,
    seen: usize,
    plan: WaitPlan,
    out: Out,
) -> Result<(), CliError> {
    let deadline = Instant::now() + plan.timeout;
    loop {
        match client.order(id).await {
            Ok(order) if order.otps.len() > seen || (seen == 0 && order.otp_code.is_some()) => {
                let fresh = &order.otps[seen.min(order.otps.len())..];
                let codes: Vec<_> = if fresh.is_empty() {
                    vec![(order.otp_code.clone().unwrap_or_default(), None, None)]
                } else {
                    fresh
                        .iter()
                        .map(|o| (o.code.clone(), o.service.clone(), o.received_at))
                        .collect()
                };
                for (code, service, at) in codes {
                    let service = service.or_else(|| order.service.clone());
                    out.emit(
                        "otp",
                        json!({"provider": "otpzap", "order_id": id.as_str(), "service": service, "phone": order.phone,
                               "otp": code, "received_at": time_json(at)}),
                        || match &service {
                            Some(s) => format!("Code for {s}: {code}"),
                            None => format!("Code: {code}"),
                        },
                    );
                }
                return Ok(());
            }
            Ok(order) if order.status.is_final() => {
                return Err(CliError::EndedWithoutCode(order.status.to_string()))
            }
            Ok(_) => {}
            Err(e) => pause_on(e, plan, out).await.of(Otpzap)?,
        }
        next_poll(plan, deadline).await?;
    }
}

/// Wait for the code of a NumberOTP activation with the long poll.
pub async fn numberotp_activation(
    client: &NumberOtpClient,
    id: &Id,
    plan: WaitPlan,
    out: Out,
) -> Result<(), CliError> {
    let deadline = Instant::now() + plan.timeout;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(CliError::WaitTimedOut(plan.timeout.as_secs()));
        }
        match tokio::time::timeout(remaining, client.wait_activation(id)).await {
            Err(_) => return Err(CliError::WaitTimedOut(plan.timeout.as_secs())),
            Ok(Ok(act)) if act.otp.is_some() => {
                let code = act.otp.clone().unwrap_or_default();
                out.emit(
                    "otp",
                    json!({"provider": "numberotp", "order_id": id.as_str(), "service": act.service, "phone": act.phone_number,
                           "otp": code, "full_sms": act.full_sms}),
                    || format!("Code: {code}"),
                );
                return Ok(());
            }
            Ok(Ok(act)) if act.status.is_final() => {
                return Err(CliError::EndedWithoutCode(act.status.to_string()))
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => pause_on(e, plan, out).await.of(Numberotp)?,
        }
    }
}

/// Wait for a message with a code in an OTPZap email inbox holding `seen` messages.
pub async fn otpzap_email(
    client: &OtpZapClient,
    reference: &str,
    seen: usize,
    plan: WaitPlan,
    out: Out,
) -> Result<(), CliError> {
    let deadline = Instant::now() + plan.timeout;
    loop {
        match client.email(reference).await {
            Ok(inbox) if inbox.messages.len() > seen || (seen == 0 && inbox.otp.is_some()) => {
                let latest = inbox.messages.last();
                let code = latest.and_then(|m| m.otp.clone()).or(inbox.otp.clone());
                let subject = latest
                    .and_then(|m| m.subject.clone())
                    .or(inbox.headline.clone());
                out.emit(
                    "otp",
                    json!({"provider": "otpzap", "ref": reference, "email": inbox.email, "otp": code, "subject": subject,
                           "received_at": time_json(latest.and_then(|m| m.received_at))}),
                    || match (&code, &subject) {
                        (Some(c), _) => format!("Code: {c}"),
                        (None, Some(s)) => format!("Message without a code: {s}"),
                        (None, None) => "A message arrived without a code.".into(),
                    },
                );
                return Ok(());
            }
            Ok(inbox) if inbox.status.is_final() => {
                return Err(CliError::EndedWithoutCode(inbox.status.to_string()))
            }
            Ok(_) => {}
            Err(e) => pause_on(e, plan, out).await.of(Otpzap)?,
        }
        next_poll(plan, deadline).await?;
    }
}
