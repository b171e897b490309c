//! Paid calls. The attempt (with a fresh Idempotency-Key and the exact request) is committed
//! before anything is sent; [`crate::money`] decides what a failed try means. What a successful
//! reply bought is written with the attempt's success in one transaction; if the store refuses,
//! the order is kept in memory and written again until it sticks ([`crate::context::Unsaved`]), and the user is
//! told not to buy again. Unknown outcomes are closed only by proof or by the user
//! ([`buy_again`], [`dismiss`]).

use crate::context::{Inner, UnsavedCharge};
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::*;
use crate::money::send_paid;
use crate::provider::PriceLimits;
use crate::remote::{RemoteDeposit, RemoteOrder};
use crate::scheduler::Track;
use otpdesk_core::{ErrorCode, Money, ProviderId};
use std::sync::Arc;
use std::time::Duration;

/// Store writes tried right after a charged reply before it is reported as not saved yet.
const SAVE_TRIES: u32 = 5;

pub(crate) async fn buy(inner: &Arc<Inner>, req: BuyRequest) -> Result<OrderView> {
    buy_as(inner, req, None).await
}

/// [`buy`] whose attempt gets the id `attempt_id` (a team request's, see [`crate::requests`]).
pub(crate) async fn buy_as(
    inner: &Arc<Inner>,
    req: BuyRequest,
    attempt_id: Option<&str>,
) -> Result<OrderView> {
    let _paid = inner.paid.enter()?;
    inner.require_online()?;
    inner.gw.require(req.provider())?;
    let json = serde_json::to_value(&req).expect("BuyRequest serializes");
    let attempt = inner.store.insert_attempt_as(
        attempt_id,
        req.provider(),
        req.kind(),
        &json,
        &inner.coord.me,
        inner.now(),
    )?;
    run_order_attempt(inner, &attempt, &req).await
}

/// Buy after re-reading the offer: refused (nothing sent to the create endpoint) when none is
/// left or the fresh price breaks `limits` (see [`crate::provider::check`]).
pub(crate) async fn buy_checked(
    inner: &Arc<Inner>,
    req: BuyRequest,
    limits: PriceLimits,
) -> Result<OrderView> {
    buy_checked_as(inner, req, limits, None).await
}

/// [`buy_checked`] whose attempt gets the id `attempt_id` (see [`buy_as`]).
pub(crate) async fn buy_checked_as(
    inner: &Arc<Inner>,
    req: BuyRequest,
    limits: PriceLimits,
    attempt_id: Option<&str>,
) -> Result<OrderView> {
    // A purchase from its price check on: counted as a paid call (see `paid_calls_in_flight`).
    let _paid = inner.paid.enter()?;
    inner.require_online()?;
    let q = inner.gw.quote(&req).await?;
    crate::provider::check(&q, limits)?;
    buy_as(inner, req, attempt_id).await
}

/// Send (or, on the user's word, send again with the same key) the purchase of `attempt` and
/// store what it bought.
async fn run_order_attempt(
    inner: &Arc<Inner>,
    attempt: &AttemptView,
    req: &BuyRequest,
) -> Result<OrderView> {
    let key = attempt.idempotency_key.clone();
    let remote = send_paid(inner, attempt, req.idempotent(), |send_by| {
        inner.gw.create_order(req, &key, send_by)
    })
    .await?;
    let store = || store_order(inner, attempt, req, &remote);
    save_charged(inner, store, || UnsavedCharge::Order {
        attempt: attempt.clone(),
        req: req.clone(),
        remote: remote.clone(),
    })
    .await
}

/// Write a charged reply with `store`, trying again a few times; if the store still refuses,
/// keep it in memory (`keep`, written again in the background) and tell the caller not to buy
/// again.
async fn save_charged<T>(
    inner: &Arc<Inner>,
    store: impl Fn() -> Result<T>,
    keep: impl FnOnce() -> UnsavedCharge,
) -> Result<T> {
    let mut last = None;
    for i in 0..SAVE_TRIES {
        match store() {
            Ok(v) => return Ok(v),
            Err(e) => {
                tracing::warn!(
                    "a charged purchase could not be stored (try {}): {e}",
                    i + 1
                );
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(200) * (1 << i)).await;
            }
        }
    }
    let reason = last.map(|e| e.to_string()).unwrap_or_default();
    let c = keep();
    let (attempt_id, what) = match &c {
        UnsavedCharge::Order {
            attempt, remote, ..
        } => {
            let what = match (&remote.phone, &remote.email) {
                (Some(p), _) => format!("number {p}"),
                (_, Some(e)) => format!("inbox {e}"),
                _ => "a purchase".to_string(),
            };
            let r = remote.remote_ref.as_deref().unwrap_or(&remote.remote_id);
            (attempt.id.clone(), format!("{what} (order {r})"))
        }
        UnsavedCharge::Deposit {
            attempt, remote, ..
        } => (attempt.id.clone(), format!("top-up {}", remote.remote_id)),
    };
    // Best effort: the store refused the order, it may take this small write.
    let _ = inner.store.set_attempt_state(
        &attempt_id,
        AttemptState::OutcomeUnknown,
        Some((
            ErrorCode::NotSaved,
            &format!("charged for {what}; not stored yet"),
        )),
        inner.now(),
    );
    let mut unsaved = inner.unsaved.lock().unwrap_or_else(|p| p.into_inner());
    // A saver runs while the list is not empty (it stops only after seeing it empty).
    let start_saver = unsaved.is_empty();
    unsaved.push(c);
    drop(unsaved);
    if start_saver {
        spawn_saver(inner);
    }
    Err(EngineError::ChargedNotSaved {
        attempt_id,
        what,
        reason,
    })
}

/// The writer of [`crate::context::Unsaved`]: every 2 s until it is empty or the engine stops.
fn spawn_saver(inner: &Arc<Inner>) {
    let inner = inner.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = inner.stopped() => return,
            }
            if save_unsaved(&inner) {
                return;
            }
        }
    });
}

/// Try to write every charged reply still in memory; `true` when none is left.
pub(crate) fn save_unsaved(inner: &Arc<Inner>) -> bool {
    let mut list = inner.unsaved.lock().unwrap_or_else(|p| p.into_inner());
    list.retain(|c| match store_charged(inner, c) {
        Ok(_) => false,
        Err(e) => {
            tracing::warn!("a charged purchase is still not stored: {e}");
            true
        }
    });
    list.is_empty()
}

/// Store what a charged reply bought, announce it and start tracking it.
fn store_charged(inner: &Arc<Inner>, c: &UnsavedCharge) -> Result<()> {
    match c {
        UnsavedCharge::Order {
            attempt,
            req,
            remote,
        } => store_order(inner, attempt, req, remote).map(drop),
        UnsavedCharge::Deposit {
            attempt,
            kind,
            amount,
            remote,
        } => store_deposit(inner, attempt, *kind, *amount, remote).map(drop),
    }
}

/// Whether the attempt is listed as unknown now (then storing its order also resolves it).
fn is_unknown(inner: &Inner, attempt_id: &str) -> Result<bool> {
    Ok(inner
        .store
        .attempt(attempt_id)?
        .is_some_and(|a| a.state == AttemptState::OutcomeUnknown))
}

fn store_order(
    inner: &Arc<Inner>,
    attempt: &AttemptView,
    req: &BuyRequest,
    remote: &RemoteOrder,
) -> Result<OrderView> {
    let was_unknown = is_unknown(inner, &attempt.id)?;
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
        remote,
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
    inner.track(Track::Order(id));
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
    let _paid = inner.paid.enter()?;
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
        .insert_attempt(provider, ak, &json, &inner.coord.me, inner.now())?;
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

async fn run_deposit_attempt(inner: &Arc<Inner>, attempt: &AttemptView) -> Result<DepositView> {
    let (kind, amount) = deposit_request(attempt)?;
    let key = attempt.idempotency_key.clone();
    let remote = match kind {
        // topup/create documents Idempotency-Key.
        DepositKind::Qris => {
            send_paid(inner, attempt, true, |send_by| {
                inner.gw.create_qris(amount, &key, send_by)
            })
            .await?
        }
        // OOPPay has none; our attempt id is the merchant_order_id so the user can find it.
        DepositKind::Usdt => {
            send_paid(inner, attempt, false, |_| {
                inner.gw.create_usdt(amount, &attempt.id)
            })
            .await?
        }
    };
    let store = || store_deposit(inner, attempt, kind, amount, &remote);
    save_charged(inner, store, || UnsavedCharge::Deposit {
        attempt: attempt.clone(),
        kind,
        amount,
        remote: remote.clone(),
    })
    .await
}

fn store_deposit(
    inner: &Arc<Inner>,
    attempt: &AttemptView,
    kind: DepositKind,
    amount: Money,
    remote: &RemoteDeposit,
) -> Result<DepositView> {
    let was_unknown = is_unknown(inner, &attempt.id)?;
    let provider = attempt.provider;
    let (id, new) = inner.store.complete_deposit_attempt(
        &attempt.id,
        provider,
        kind,
        amount,
        remote,
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
    inner.track(Track::Deposit(id));
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

fn attempt(inner: &Inner, attempt_id: &str) -> Result<AttemptView> {
    inner
        .store
        .attempt(attempt_id)?
        .ok_or_else(|| EngineError::AttemptNotFound(attempt_id.to_string()))
}

/// The purchase an attempt made (number or inbox attempts only).
pub(crate) fn attempt_request(
    inner: &Inner,
    attempt_id: &str,
) -> Result<(AttemptView, BuyRequest)> {
    let a = attempt(inner, attempt_id)?;
    match a.kind {
        AttemptKind::Sms | AttemptKind::Email => {
            let req = serde_json::from_value(a.request.clone())
                .map_err(|e| EngineError::Config(format!("stored request: {e}")))?;
            Ok((a, req))
        }
        _ => Err(EngineError::NotAllowed {
            action: "buy again",
            reason: "only number and inbox purchases can be bought again from here".into(),
        }),
    }
}

/// Look an unknown outcome up without spending money.
pub(crate) async fn reconcile(inner: &Arc<Inner>, attempt_id: &str) -> Result<AttemptView> {
    let a = attempt(inner, attempt_id)?;
    match a.state {
        AttemptState::Succeeded | AttemptState::Failed | AttemptState::Dismissed => return Ok(a),
        AttemptState::Pending | AttemptState::OutcomeUnknown => {}
    }
    if a.kind == AttemptKind::Replace {
        crate::money::reconcile_replace(inner, &a).await?;
        return attempt(inner, attempt_id);
    }
    Err(EngineError::NotAllowed {
        action: "check",
        reason: format!(
            "{} cannot look a purchase up without buying; check its dashboard (our reference {}), then buy again or dismiss",
            a.provider.display_name(),
            a.id
        ),
    })
}

/// The user's "Buy now" on an unknown outcome, after seeing the fresh price.
pub(crate) async fn buy_again(
    inner: &Arc<Inner>,
    attempt_id: &str,
    expected: Option<Money>,
) -> Result<OrderView> {
    let (a, req) = attempt_request(inner, attempt_id)?;
    if a.state != AttemptState::OutcomeUnknown {
        return Err(EngineError::NotAllowed {
            action: "buy again",
            reason: format!("the purchase is {}", a.state.as_str()),
        });
    }
    // Under way from the fresh price check on (see `Engine::paid_calls_in_flight`).
    let _checking = inner.paid.enter()?;
    let q = inner.gw.quote(&req).await?;
    crate::provider::check(
        &q,
        PriceLimits {
            expected,
            max: None,
        },
    )?;
    if req.idempotent() {
        // Same key: the provider answers with the first order if there was one.
        let _paid = inner.paid.enter()?;
        return run_order_attempt(inner, &a, &req).await;
    }
    dismiss(inner, attempt_id)?;
    buy(inner, req).await
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
