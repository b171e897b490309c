//! User actions on an order. Each asks [`crate::allowed`] (the same rules the views list) before
//! spending a request, and answers "not yet" with the instant it unlocks.

use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::*;
use crate::remote::RemoteOrder;
use crate::scheduler::Track;
use otpdesk_core::OrderStatus;
use otpdesk_providers::ProviderError;
use std::sync::Arc;

/// The stored order, if [`crate::allowed`] lets `action` through now (typed refusal otherwise).
/// Refused on an open order: our copy may be behind the provider (a code it has not been polled
/// for yet), so it is asked once and the rules decide again on the fresh state.
async fn open_order(inner: &Arc<Inner>, id: &str, action: ActionKind) -> Result<OrderView> {
    let o = inner
        .store
        .find_order(id)?
        .ok_or_else(|| EngineError::OrderNotFound(id.to_string()))?;
    match crate::allowed::check(&o, action, inner.now()) {
        Err(EngineError::NotAllowed { .. }) if !o.status.is_final() => {
            let remote = inner
                .gw
                .check_order(&o, Some(crate::rate_budget::Priority::Interactive))
                .await??;
            let applied = inner.store.apply_remote(&o.id, &remote, inner.now())?;
            inner.announce(&o.id, o.provider, applied);
            let o = inner.order_view(&o.id)?;
            crate::allowed::check(&o, action, inner.now())?;
            Ok(o)
        }
        res => res.map(|()| o),
    }
}

fn after(inner: &Inner, d: Option<std::time::Duration>) -> Option<Time> {
    d.map(|d| inner.now() + chrono::Duration::milliseconds(d.as_millis() as i64))
}

/// A refused action often means our view is stale: ask the provider again soon.
fn refresh(inner: &Inner, o: &OrderView) {
    inner.poke(o.provider, &Track::Order(o.id.clone()));
}

pub(crate) async fn cancel(inner: &Arc<Inner>, id: &str) -> Result<OrderView> {
    let o = open_order(inner, id, ActionKind::Cancel).await?;
    match inner.gw.cancel(&o).await? {
        Ok(reply) if reply.confirmed => {
            // Refunded; the amount when stated, else the price we paid.
            let refund = reply.refunded.or(o.price);
            let applied = inner.store.close_order(
                &o.id,
                OrderStatus::Cancelled,
                refund,
                None,
                inner.now(),
            )?;
            inner.announce(&o.id, o.provider, applied);
            inner.order_view(&o.id)
        }
        // Accepted, refund not confirmed: OTPZap refunds "when the system confirms
        // cancellation". The order shows `cancel_requested` and stays tracked until a check
        // shows it cancelled; the refund is booked then, once.
        Ok(_) => {
            let applied = inner.store.set_cancel_requested(&o.id, inner.now())?;
            inner.announce(&o.id, o.provider, applied);
            refresh(inner, &o);
            inner.order_view(&o.id)
        }
        Err(ProviderError::Cooldown { retry_after, .. }) => {
            let at = after(inner, retry_after)
                .unwrap_or_else(|| inner.now() + chrono::Duration::seconds(120));
            inner.store.set_cancel_unlock(&o.id, at)?;
            Err(EngineError::CancelCooldown { unlocks_at: at })
        }
        Err(e) => {
            refresh(inner, &o);
            Err(e.into())
        }
    }
}

pub(crate) async fn finish(inner: &Arc<Inner>, id: &str) -> Result<OrderView> {
    let o = open_order(inner, id, ActionKind::Finish).await?;
    match inner.gw.finish(&o).await? {
        Ok(()) => {
            let applied =
                inner
                    .store
                    .close_order(&o.id, OrderStatus::Completed, None, None, inner.now())?;
            inner.announce(&o.id, o.provider, applied);
            inner.order_view(&o.id)
        }
        Err(e) => {
            refresh(inner, &o);
            Err(e.into())
        }
    }
}

pub(crate) async fn resend(inner: &Arc<Inner>, id: &str) -> Result<OrderView> {
    let o = open_order(inner, id, ActionKind::Resend).await?;
    match inner.gw.resend(&o).await? {
        Ok(r) => {
            // Per-OTP gating: the next resend unlocks when the timeline grows.
            inner
                .store
                .set_resend(&o.id, r.count, r.locked_until, true, inner.now())?;
            refresh(inner, &o);
            inner.order_view(&o.id)
        }
        Err(ProviderError::Cooldown { retry_after, .. }) => Err(EngineError::ResendLocked {
            unlocks_at: after(inner, retry_after),
        }),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn email_reorder(inner: &Arc<Inner>, id: &str) -> Result<OrderView> {
    let o = open_order(inner, id, ActionKind::Reorder).await?;
    match inner.gw.email_reorder(&o).await? {
        Ok(expires_at) => {
            let mut r = RemoteOrder::new(o.remote_id.clone(), OrderStatus::Pending);
            r.expires_at = expires_at;
            let applied = inner.store.apply_remote(&o.id, &r, inner.now())?;
            inner.announce(&o.id, o.provider, applied);
            refresh(inner, &o);
            inner.order_view(&o.id)
        }
        Err(e) => {
            refresh(inner, &o);
            Err(e.into())
        }
    }
}

/// OTPZap Server 1 replace: paid and not idempotent, so it is an attempt like a purchase.
pub(crate) async fn replace(inner: &Arc<Inner>, id: &str) -> Result<OrderView> {
    replace_as(inner, id, None).await
}

/// [`replace`] whose attempt gets the id `attempt_id` (a team request's, see [`crate::requests`]).
pub(crate) async fn replace_as(
    inner: &Arc<Inner>,
    id: &str,
    attempt_id: Option<&str>,
) -> Result<OrderView> {
    inner.require_online()?;
    let o = open_order(inner, id, ActionKind::Replace).await?;
    let _paid = inner.paid.enter()?;
    let req = serde_json::json!({ "order_id": o.id, "remote_id": o.remote_id });
    let a = inner.store.insert_attempt_as(
        attempt_id,
        o.provider,
        AttemptKind::Replace,
        &req,
        &inner.coord.me,
        inner.now(),
    )?;
    // Paid and not idempotent: a lost reply is an unknown outcome, never sent again.
    let sent = crate::money::send_paid(inner, &a, false, |_| inner.gw.replace(&o)).await;
    let remote = match sent {
        Ok(r) => r,
        Err(e) => {
            refresh(inner, &o);
            return Err(e);
        }
    };
    let now = inner.now();
    let cancel_at = Some(
        now + chrono::Duration::milliseconds(inner.tracking.cancel_cooldown.as_millis() as i64),
    );
    let (new_id, new_applied, old_applied) = inner.store.complete_replace(
        &a.id,
        &o.id,
        &a.request.to_string(),
        cancel_at,
        &remote,
        now,
    )?;
    let view = inner.order_view(&new_id)?;
    inner.emit(EngineEvent::OrderCreated {
        order: Box::new(view.clone()),
    });
    inner.announce(&new_id, view.provider, new_applied);
    inner.announce(&o.id, o.provider, old_applied);
    inner.track(Track::Order(new_id));
    Ok(view)
}
