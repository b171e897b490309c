//! Paid calls. The attempt (with a fresh Idempotency-Key and the exact request) is committed
//! before anything is sent. A lost reply is retried with the same key where the provider honours
//! one (OTPZap order/create, topup/create); elsewhere it becomes `outcome_unknown`, listed and
//! announced for the user to reconcile, never silently bought again.

use crate::engine::Inner;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::*;
use crate::scheduler::Track;
use otpdesk_core::{Money, ProviderId};
use otpdesk_providers::ProviderError;
use std::sync::Arc;
use std::time::Duration;

/// What a failed send means for a purchase.
enum Verdict {
    /// Nothing was bought; safe to send again (after `Duration`).
    Retry(Duration),
    /// The provider refused: nothing was bought, stop.
    Refused,
    /// It may have been bought.
    Unknown,
}

fn judge(e: &ProviderError, idempotent: bool) -> Verdict {
    use ProviderError as P;
    match e {
        // Rejected before processing: a rate limit or an unreachable host.
        P::RateLimited { retry_after } => {
            Verdict::Retry(retry_after.unwrap_or(Duration::from_secs(2)))
        }
        P::Network { .. } => Verdict::Retry(Duration::ZERO),
        // Reply lost / unreadable / server error: with an idempotency key the same request is
        // answered with the first result, so resending is the way to find out.
        P::Timeout { .. } | P::OutcomeUnknown { .. } | P::Upstream { .. } | P::Decode { .. } => {
            if idempotent {
                Verdict::Retry(Duration::ZERO)
            } else {
                Verdict::Unknown
            }
        }
        P::Provider { status, .. } if *status >= 500 => {
            if idempotent {
                Verdict::Retry(Duration::ZERO)
            } else {
                Verdict::Unknown
            }
        }
        _ => Verdict::Refused,
    }
}

/// Send `send` until it succeeds, is refused, or its outcome is unknown. Bounded.
async fn drive<T, F, Fut>(
    inner: &Inner,
    attempt: &AttemptView,
    idempotent: bool,
    mut send: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Result<T, ProviderError>>>,
{
    let max = inner.tracking.buy_max_tries.max(1);
    let mut tries = 0;
    loop {
        tries += 1;
        inner.store.bump_attempt(&attempt.id, inner.now())?;
        let err = match send().await? {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let nothing_bought = match judge(&err, idempotent) {
            Verdict::Retry(wait) if tries < max => {
                let backoff = inner
                    .tracking
                    .buy_retry_base
                    .saturating_mul(1 << (tries - 1).min(6));
                tokio::time::sleep(wait.max(backoff)).await;
                continue;
            }
            Verdict::Refused => true,
            // Out of tries on a retryable error: for an idempotent call that is still safe to
            // resend later (reconcile / resume do); either way the user must see it. A
            // non-idempotent call that never reached the provider bought nothing.
            Verdict::Retry(_) | Verdict::Unknown => {
                !idempotent
                    && matches!(
                        err,
                        ProviderError::RateLimited { .. } | ProviderError::Network { .. }
                    )
            }
        };
        if nothing_bought {
            inner.store.set_attempt_state(
                &attempt.id,
                AttemptState::Failed,
                Some((err.code(), &err.to_string())),
                inner.now(),
            )?;
            return Err(err.into());
        }
        mark_unknown(inner, &attempt.id, &err)?;
        return Err(EngineError::OutcomeUnknown {
            attempt_id: attempt.id.clone(),
        });
    }
}

pub(crate) fn mark_unknown(inner: &Inner, attempt_id: &str, err: &ProviderError) -> Result<()> {
    inner.store.set_attempt_state(
        attempt_id,
        AttemptState::OutcomeUnknown,
        Some((err.code(), &err.to_string())),
        inner.now(),
    )?;
    if let Some(a) = inner.store.attempt(attempt_id)? {
        inner.emit(EngineEvent::OutcomeUnknown {
            attempt: Box::new(a),
        });
    }
    Ok(())
}

pub(crate) async fn buy(inner: &Arc<Inner>, req: BuyRequest) -> Result<OrderView> {
    inner.gw.require(req.provider())?;
    let json = serde_json::to_value(&req).expect("BuyRequest serializes");
    let attempt = inner
        .store
        .insert_attempt(req.provider(), req.kind(), &json, inner.now())?;
    run_order_attempt(inner, &attempt, &req).await
}

/// Send (or re-send, with the same key) the purchase of `attempt` and store what it bought.
pub(crate) async fn run_order_attempt(
    inner: &Arc<Inner>,
    attempt: &AttemptView,
    req: &BuyRequest,
) -> Result<OrderView> {
    let was_unknown = attempt.state == AttemptState::OutcomeUnknown;
    let key = attempt.idempotency_key.clone();
    let remote = drive(inner, attempt, req.idempotent(), || {
        inner.gw.create_order(req, &key)
    })
    .await?;
    let now = inner.now();
    let kind = if req.kind() == AttemptKind::Email {
        OrderKind::Email
    } else {
        OrderKind::Sms
    };
    // OTPZap: cancel opens 2 minutes after purchase (email cancel has no documented cooldown).
    let cancel_at = (req.provider() == ProviderId::Otpzap && kind == OrderKind::Sms).then(|| {
        now + chrono::Duration::milliseconds(inner.tracking.cancel_cooldown.as_millis() as i64)
    });
    let (id, new, applied) = inner.store.complete_order_attempt(
        &attempt.id,
        kind,
        req.provider(),
        &attempt.request.to_string(),
        cancel_at,
        &remote,
        now,
    )?;
    let view = inner.order_view(&id)?;
    if new {
        inner.emit(EngineEvent::OrderCreated {
            order: Box::new(view.clone()),
        });
    }
    inner.announce(&id, view.provider, applied);
    if was_unknown {
        resolved(inner, &attempt.id)?;
    }
    inner.sched.add(inner, Track::Order(id));
    Ok(view)
}

pub(crate) async fn topup(
    inner: &Arc<Inner>,
    kind: DepositKind,
    amount: Money,
) -> Result<DepositView> {
    let provider = match kind {
        DepositKind::Qris => ProviderId::Otpzap,
        DepositKind::Usdt => ProviderId::Ooppay,
    };
    inner.gw.require(provider)?;
    let json =
        serde_json::json!({ "amount": amount.to_decimal_string(), "currency": amount.currency });
    let ak = if kind == DepositKind::Qris {
        AttemptKind::TopupQris
    } else {
        AttemptKind::TopupUsdt
    };
    let attempt = inner
        .store
        .insert_attempt(provider, ak, &json, inner.now())?;
    run_deposit_attempt(inner, &attempt).await
}

fn deposit_request(attempt: &AttemptView) -> Result<(DepositKind, Money)> {
    let (kind, cur) = match attempt.kind {
        AttemptKind::TopupUsdt => (DepositKind::Usdt, otpdesk_core::Currency::Usdt),
        _ => (DepositKind::Qris, otpdesk_core::Currency::Idr),
    };
    let text = attempt
        .request
        .get("amount")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let amount = Money::parse(cur, text)
        .map_err(|e| EngineError::Config(format!("stored top-up amount: {e}")))?;
    Ok((kind, amount))
}

pub(crate) async fn run_deposit_attempt(
    inner: &Arc<Inner>,
    attempt: &AttemptView,
) -> Result<DepositView> {
    let (kind, amount) = deposit_request(attempt)?;
    let was_unknown = attempt.state == AttemptState::OutcomeUnknown;
    let key = attempt.idempotency_key.clone();
    let remote = match kind {
        // topup/create documents Idempotency-Key.
        DepositKind::Qris => {
            drive(inner, attempt, true, || inner.gw.create_qris(amount, &key)).await?
        }
        // OOPPay has none; our attempt id is the merchant_order_id so the user can find it.
        DepositKind::Usdt => {
            drive(inner, attempt, false, || {
                inner.gw.create_usdt(amount, &attempt.id)
            })
            .await?
        }
    };
    let provider = attempt.provider;
    let (id, new) = inner.store.complete_deposit_attempt(
        &attempt.id,
        provider,
        kind,
        amount,
        &remote,
        inner.now(),
    )?;
    let view = inner
        .store
        .deposit(&id)?
        .ok_or_else(|| EngineError::DepositNotFound(id.clone()))?;
    if new {
        inner.emit(EngineEvent::DepositCreated {
            deposit: Box::new(view.clone()),
        });
    }
    if was_unknown {
        resolved(inner, &attempt.id)?;
    }
    inner.sched.add(inner, Track::Deposit(id));
    Ok(view)
}

fn resolved(inner: &Inner, attempt_id: &str) -> Result<()> {
    if let Some(a) = inner.store.attempt(attempt_id)? {
        inner.emit(EngineEvent::AttemptResolved {
            attempt: Box::new(a),
        });
    }
    Ok(())
}

/// Whether re-sending this attempt with its key is safe (the provider deduplicates it).
pub(crate) fn resendable(a: &AttemptView) -> bool {
    match a.kind {
        AttemptKind::TopupQris => true,
        AttemptKind::Sms => {
            serde_json::from_value::<BuyRequest>(a.request.clone()).is_ok_and(|r| r.idempotent())
        }
        _ => false,
    }
}

/// Re-send an idempotent attempt with its own key; the provider answers with what it did.
pub(crate) async fn resend_attempt(inner: &Arc<Inner>, a: &AttemptView) -> Result<()> {
    match a.kind {
        AttemptKind::TopupQris => run_deposit_attempt(inner, a).await.map(|_| ()),
        _ => {
            let req: BuyRequest = serde_json::from_value(a.request.clone())
                .map_err(|e| EngineError::Config(format!("stored request: {e}")))?;
            run_order_attempt(inner, a, &req).await.map(|_| ())
        }
    }
}

pub(crate) async fn reconcile(inner: &Arc<Inner>, attempt_id: &str) -> Result<AttemptView> {
    let a = inner
        .store
        .attempt(attempt_id)?
        .ok_or_else(|| EngineError::AttemptNotFound(attempt_id.to_string()))?;
    match a.state {
        AttemptState::Succeeded | AttemptState::Failed | AttemptState::Dismissed => return Ok(a),
        AttemptState::Pending | AttemptState::OutcomeUnknown => {}
    }
    if resendable(&a) {
        // Errors here leave the attempt listed as unknown; report them to the caller.
        resend_attempt(inner, &a).await?;
    } else if a.kind == AttemptKind::Replace {
        crate::actions::reconcile_replace(inner, &a).await?;
    } else {
        return Err(EngineError::NotAllowed {
            action: "reconcile",
            reason: format!(
                "{} cannot look this purchase up; check its dashboard (merchant/order id {}), then dismiss it",
                a.provider.display_name(),
                a.id
            ),
        });
    }
    inner
        .store
        .attempt(attempt_id)?
        .ok_or_else(|| EngineError::AttemptNotFound(attempt_id.to_string()))
}

pub(crate) fn dismiss(inner: &Inner, attempt_id: &str) -> Result<AttemptView> {
    let a = inner
        .store
        .attempt(attempt_id)?
        .ok_or_else(|| EngineError::AttemptNotFound(attempt_id.to_string()))?;
    if a.state != AttemptState::OutcomeUnknown {
        return Err(EngineError::NotAllowed {
            action: "dismiss",
            reason: format!("the attempt is {}", a.state.as_str()),
        });
    }
    inner
        .store
        .set_attempt_state(attempt_id, AttemptState::Dismissed, None, inner.now())?;
    resolved(inner, attempt_id)?;
    inner
        .store
        .attempt(attempt_id)?
        .ok_or_else(|| EngineError::AttemptNotFound(attempt_id.to_string()))
}
