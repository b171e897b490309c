//! Team mode: keys stay with the owner. A desktop without a provider's key (an operator's) does
//! not call the provider: its purchases and order actions are written to the shared store as
//! requests (`store/requests.rs`), and the engine that holds the provider's tracking lease — on
//! a computer that has the key — carries them out through the ordinary paths ([`crate::buying`],
//! [`crate::actions`]) and writes the result, which the asking desktop returns as if it had
//! made the call itself. Going offline: a desktop that loses the team's server says so at once
//! ([`EngineEvent::TeamConnection`]) and buys nothing until it is back.
//!
//! The API the window and the command line use (all on [`crate::Engine`]):
//! - `buy`, `buy_checked`, `buy_within`, `cancel`, `finish`, `resend`, `replace`: unchanged. On
//!   a team desktop without the provider's key they go through a request and return the same
//!   `OrderView` or error a local call returns (an unknown outcome names the attempt to check).
//!   Not picked up within `TrackingConfig::request_wait` (30 s): [`EngineError::RequestWaiting`]
//!   (code `team_request_waiting`, `taken: false`); the request stays pending until withdrawn.
//! - `requests(open_only)`: the team's requests, newest first ([`RequestView`]).
//! - `withdraw_request(id)`: withdraw a request nobody picked up yet (atomic; a taken one
//!   cannot be withdrawn: it may be on the wire).
//! - `team_online()`: whether this desktop reaches the team's server now.
//! - Events: [`EngineEvent::RequestChanged`] (written, picked up, ended) and
//!   [`EngineEvent::TeamConnection`] `{ online }` (this desktop lost or regained the server).
//!
//! Money safety: a paid request (buy, replace) becomes the purchase attempt whose id IS the
//! request's id, committed before anything is sent. A holder that dies mid-way leaves that
//! attempt to the existing orphan sweep (failed when never sent, `outcome_unknown` when it may
//! have been); the next holder then ends the request from the attempt and never sends it again.
//! A request whose holder died before its attempt was written is put back to pending (nothing
//! was sent; and a second attempt under the same id is refused by the store, so it can never be
//! sent twice).
//!
//! Reads (what the team sells, prices) go the same way without money: see [`read`].

pub(crate) mod read;

use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::{AttemptState, BuyRequest, OrderView};
use crate::provider::PriceLimits;
use crate::store::{RequestKind, RequestState, RequestView, Settle};
use otpdesk_core::{ErrorCode, Money, ProviderId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Once picked up, a request is waited for at least this long (a purchase retries and may take
/// the provider's full timeout several times).
const CARRY_OUT_WAIT: Duration = Duration::from_secs(120);

/// A purchase asked of the key holder: what to buy and the limits the asking user set.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BuyBody {
    req: BuyRequest,
    expected: Option<Money>,
    max: Option<Money>,
}

/// Whether calls about `provider` go through a request here (team mode, no key on this desktop).
pub(crate) fn asks_holder(inner: &Inner, provider: ProviderId) -> bool {
    inner.team.is_some() && !inner.gw.configured(provider)
}

/// A store failure that says the server is gone turns this desktop offline at once.
fn note(inner: &Inner, e: &crate::db::Error) {
    if matches!(e, crate::db::Error::Offline(_)) {
        inner.set_online(false);
    }
}

/// Ask the key holder to buy; returns what it bought (see the module's documentation).
pub(crate) async fn buy(
    inner: &Arc<Inner>,
    req: BuyRequest,
    expected: Option<Money>,
    max: Option<Money>,
) -> Result<OrderView> {
    let provider = req.provider();
    let body = serde_json::to_value(BuyBody { req, expected, max }).expect("a purchase serialises");
    submit(inner, RequestKind::Buy, provider, body, None).await
}

/// Ask the key holder to buy an unknown outcome again ("Buy now" at the price `expected`).
pub(crate) async fn buy_again(
    inner: &Arc<Inner>,
    attempt_id: &str,
    provider: ProviderId,
    expected: Option<Money>,
) -> Result<OrderView> {
    let body = serde_json::json!({ "attempt_id": attempt_id, "expected": expected });
    submit(inner, RequestKind::BuyAgain, provider, body, None).await
}

/// Ask the key holder to cancel, resend, finish or replace `order`.
pub(crate) async fn on_order(
    inner: &Arc<Inner>,
    kind: RequestKind,
    order: &OrderView,
) -> Result<OrderView> {
    let body = serde_json::json!({ "order_id": order.id });
    submit(inner, kind, order.provider, body, Some(&order.id)).await
}

async fn submit(
    inner: &Arc<Inner>,
    kind: RequestKind,
    provider: ProviderId,
    body: serde_json::Value,
    order_id: Option<&str>,
) -> Result<OrderView> {
    inner.require_online()?;
    if inner.is_closing() {
        return Err(EngineError::Shutdown);
    }
    let login = inner
        .me
        .as_ref()
        .map(|m| m.login.clone())
        .unwrap_or_default();
    // Subscribed before the request exists: its outcome cannot slip by unheard.
    let mut rx = inner.events.subscribe();
    let r = inner
        .store
        .insert_request(kind, provider, &body, &login, order_id, inner.now())
        .inspect_err(|e| note(inner, e))?;
    // Published through the shared log: NOTIFY wakes the key holder's desktop at once.
    inner.emit(EngineEvent::RequestChanged {
        request: Box::new(r.clone()),
    });
    wait(inner, &r.id, &mut rx).await
}

/// Wait for a request's outcome: up to `request_wait` for a key holder to pick it up, then
/// (picked up) up to [`CARRY_OUT_WAIT`] more.
async fn wait(
    inner: &Arc<Inner>,
    id: &str,
    rx: &mut broadcast::Receiver<EngineEvent>,
) -> Result<OrderView> {
    let start = Instant::now();
    let mut taken_at: Option<Instant> = None;
    loop {
        match inner.store.request(id) {
            Ok(Some(r)) => match r.state {
                RequestState::Done => {
                    let oid = r.order_id.clone().unwrap_or_default();
                    return inner.order_view(&oid);
                }
                RequestState::Failed => return Err(relayed(&r)),
                RequestState::Withdrawn => {
                    return Err(EngineError::NotAllowed {
                        action: "request",
                        reason: "it was withdrawn; nothing was bought".into(),
                    })
                }
                RequestState::Taken => {
                    taken_at.get_or_insert_with(Instant::now);
                }
                RequestState::Pending => {}
            },
            Ok(None) => return Err(EngineError::Invalid(format!("No request {id} is stored."))),
            // The server may be back in a moment; the request is there either way.
            Err(e) => note(inner, &e),
        }
        let deadline = match taken_at {
            Some(t) => t + CARRY_OUT_WAIT.max(inner.tracking.request_wait),
            None => start + inner.tracking.request_wait,
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(EngineError::RequestWaiting {
                request_id: id.to_string(),
                taken: taken_at.is_some(),
            });
        }
        news_of(inner, rx, id, deadline - now).await?;
    }
}

/// Until request `id` changes (its event), `within` passes or half a second goes by (the store is
/// read again then: an event may be missed while the server is lost); `Shutdown` when the engine
/// stops. Purchases, order actions and reads all wait with it.
pub(super) async fn news_of(
    inner: &Inner,
    rx: &mut broadcast::Receiver<EngineEvent>,
    id: &str,
    within: Duration,
) -> Result<()> {
    let news = async {
        loop {
            match rx.recv().await {
                Ok(EngineEvent::RequestChanged { request }) if request.id == id => return,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            }
        }
    };
    tokio::select! {
        _ = tokio::time::timeout(within.min(Duration::from_millis(500)), news) => Ok(()),
        _ = inner.stopped() => Err(EngineError::Shutdown),
    }
}

/// The error a failed request reports, as the holder's engine returned it.
fn relayed(r: &RequestView) -> EngineError {
    let code = r.error_code.unwrap_or(ErrorCode::Provider);
    let message = r.error.clone().unwrap_or_default();
    match (code, &r.attempt_id, r.unlocks_at) {
        (ErrorCode::OutcomeUnknown, Some(a), _) => EngineError::OutcomeUnknown {
            attempt_id: a.clone(),
        },
        (ErrorCode::CancelCooldown, _, Some(at)) => EngineError::CancelCooldown { unlocks_at: at },
        (ErrorCode::ResendLocked, _, at) => EngineError::ResendLocked { unlocks_at: at },
        _ => EngineError::Relayed { code, message },
    }
}

/// Withdraw a request nobody picked up yet (`false`: it was taken or had ended).
pub(crate) fn withdraw(inner: &Inner, id: &str) -> Result<bool> {
    match inner.store.withdraw_request(id, inner.now())? {
        Some(r) => {
            inner.emit(EngineEvent::RequestChanged {
                request: Box::new(r),
            });
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The key holder's side: a task that picks up the requests of every provider whose tracking
/// lease this engine holds, woken by the coordination loop when a request is published (and
/// every second anyway).
pub(crate) fn spawn(inner: &Arc<Inner>) {
    if inner.team.is_none() || !ProviderId::ALL.iter().any(|p| inner.gw.configured(*p)) {
        return;
    }
    let task = inner.clone();
    let h = tokio::spawn(async move {
        let inner = task;
        let mut next_prune = Instant::now();
        loop {
            run_once(&inner);
            if Instant::now() >= next_prune {
                // Reads whose asker vanished before deleting them.
                let before =
                    inner.now() - chrono::Duration::seconds(read::KEEP_READS.as_secs() as i64);
                if let Err(e) = inner.store.prune_reads(before) {
                    tracing::debug!("could not prune the team's reads: {e}");
                }
                next_prune = Instant::now() + Duration::from_secs(30);
            }
            tokio::select! {
                _ = inner.requests_wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = inner.stopped() => return,
            }
        }
    });
    inner.sched.keep(h);
}

fn run_once(inner: &Arc<Inner>) {
    if inner.is_closing() || !inner.online.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    for p in ProviderId::ALL {
        if !inner.gw.configured(p) || !inner.sched.is_active(p) {
            continue;
        }
        settle_orphans(inner, p);
        loop {
            match inner.store.claim_request(p, &inner.coord.me, inner.now()) {
                Ok(Some(r)) => {
                    inner.emit(EngineEvent::RequestChanged {
                        request: Box::new(r.clone()),
                    });
                    let inner = inner.clone();
                    tokio::spawn(async move { carry_out(&inner, r).await });
                }
                Ok(None) => break,
                Err(e) => {
                    note(inner, &e);
                    tracing::warn!(provider = %p, "could not pick up the team's requests: {e}");
                    break;
                }
            }
        }
    }
}

/// Carry a taken request out through the ordinary paths, then write its outcome.
async fn carry_out(inner: &Arc<Inner>, r: RequestView) {
    if r.kind == RequestKind::Read {
        return read::answer(inner, r).await;
    }
    let order_id = r
        .body
        .get("order_id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let res = match r.kind {
        RequestKind::Buy => buy_for(inner, &r).await,
        RequestKind::Cancel => crate::actions::cancel(inner, &order_id).await,
        RequestKind::Resend => crate::actions::resend(inner, &order_id).await,
        RequestKind::Finish => crate::actions::finish(inner, &order_id).await,
        RequestKind::Replace => crate::actions::replace_as(inner, &order_id, Some(&r.id)).await,
        RequestKind::BuyAgain => buy_again_for(inner, &r).await,
        RequestKind::Read => unreachable!("answered above"),
    };
    match res {
        Ok(o) => {
            let sold_by = r.kind.sells().then_some(r.requested_by.as_str());
            let how = Settle::Done {
                order_id: &o.id,
                sold_by,
            };
            settle(inner, &r.id, how).await;
        }
        // Refused before anything was sent (this engine is closing): the next holder takes it.
        Err(EngineError::Shutdown) => {
            if let Ok(Some(r)) = inner
                .store
                .requeue_request(&r.id, &inner.coord.me, inner.now())
            {
                inner.emit(EngineEvent::RequestChanged {
                    request: Box::new(r),
                });
            }
        }
        Err(e) => {
            let unlocks_at = match &e {
                EngineError::CancelCooldown { unlocks_at } => Some(*unlocks_at),
                EngineError::ResendLocked { unlocks_at } => *unlocks_at,
                _ => None,
            };
            let message = e.to_string();
            let how = Settle::Failed {
                code: e.code(),
                message: &message,
                attempt_id: e.attempt_id(),
                unlocks_at,
            };
            settle(inner, &r.id, how).await;
        }
    }
}

/// "Buy now" on an unknown outcome asked by another desktop: the ordinary path, which checks
/// the attempt is still open and the fresh price against the one the user confirmed.
async fn buy_again_for(inner: &Arc<Inner>, r: &RequestView) -> Result<OrderView> {
    let attempt = r
        .body
        .get("attempt_id")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let expected: Option<Money> = r
        .body
        .get("expected")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .flatten();
    crate::buying::buy_again(inner, attempt, expected).await
}

/// A purchase asked by another desktop: the same checks as [`crate::Engine::buy_within`] (the
/// service's maximum price too), under the request's id.
async fn buy_for(inner: &Arc<Inner>, r: &RequestView) -> Result<OrderView> {
    let body: BuyBody = serde_json::from_value(r.body.clone())
        .map_err(|e| EngineError::Invalid(format!("The request cannot be read: {e}")))?;
    let service_max = inner.store.max_price(&body.req.service_key())?;
    let limits = PriceLimits {
        expected: body.expected,
        max: crate::provider::lower(body.max, service_max),
    };
    let o = if limits.expected.is_none() && limits.max.is_none() {
        crate::buying::buy_as(inner, body.req, Some(&r.id)).await?
    } else {
        crate::buying::buy_checked_as(inner, body.req, limits, Some(&r.id)).await?
    };
    Ok(crate::blocklist::after_purchase(inner, o).await)
}

/// Write a request's outcome, trying again while the store refuses (the outcome is only in
/// memory until then; if this engine stops first, the next holder ends it from its attempt).
async fn settle(inner: &Arc<Inner>, id: &str, how: Settle<'_>) {
    let mut pause = Duration::from_millis(200);
    loop {
        match inner
            .store
            .settle_request(id, clone_settle(&how), inner.now())
        {
            Ok(Some(r)) => {
                inner.emit(EngineEvent::RequestChanged {
                    request: Box::new(r),
                });
                return;
            }
            Ok(None) => return,
            Err(e) => {
                note(inner, &e);
                tracing::warn!("could not write a team request's outcome: {e}");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = inner.stopped() => return,
        }
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

fn clone_settle<'a>(s: &Settle<'a>) -> Settle<'a> {
    match s {
        Settle::Done { order_id, sold_by } => Settle::Done {
            order_id,
            sold_by: *sold_by,
        },
        Settle::Failed {
            code,
            message,
            attempt_id,
            unlocks_at,
        } => Settle::Failed {
            code: *code,
            message,
            attempt_id: *attempt_id,
            unlocks_at: *unlocks_at,
        },
    }
}

/// Requests of `provider` taken by an engine that is gone: ended from their attempt when they
/// were paid calls (never sent again), put back to pending when nothing of them was sent.
fn settle_orphans(inner: &Arc<Inner>, p: ProviderId) {
    let window = inner.tracking.lease_ttl + inner.tracking.lease_renew;
    let Ok(live) = inner.coord.live(window) else {
        return;
    };
    let Ok(taken) = inner.store.taken_requests(p) else {
        return;
    };
    for r in taken {
        let Some(holder) = r.taken_by.clone() else {
            continue;
        };
        if live.contains(&holder) {
            continue;
        }
        let attempt = if r.kind.is_paid() {
            match inner.store.attempt(&r.id) {
                Ok(a) => a,
                Err(_) => continue,
            }
        } else {
            None
        };
        let now = inner.now();
        let done = match attempt {
            // Nothing was sent (a paid call is written as its attempt before it leaves).
            None => inner.store.requeue_request(&r.id, &holder, now),
            Some(a) => {
                let message;
                let how = match a.state {
                    // The orphan sweep settles it first (failed or unknown).
                    AttemptState::Pending => continue,
                    AttemptState::Succeeded => match &a.order_id {
                        Some(oid) => Settle::Done {
                            order_id: oid,
                            sold_by: Some(r.requested_by.as_str()),
                        },
                        None => continue,
                    },
                    AttemptState::OutcomeUnknown => {
                        message = format!(
                            "The owner's desktop stopped before the provider's reply was stored; check purchase {} before buying again.",
                            a.id
                        );
                        Settle::Failed {
                            code: ErrorCode::OutcomeUnknown,
                            message: &message,
                            attempt_id: Some(&a.id),
                            unlocks_at: None,
                        }
                    }
                    AttemptState::Failed | AttemptState::Dismissed => {
                        message = a
                            .error
                            .clone()
                            .unwrap_or_else(|| "nothing was bought".into());
                        Settle::Failed {
                            code: a.error_code.unwrap_or(ErrorCode::Interrupted),
                            message: &message,
                            attempt_id: None,
                            unlocks_at: None,
                        }
                    }
                };
                inner.store.settle_request(&r.id, how, now)
            }
        };
        match done {
            Ok(Some(r)) => {
                tracing::info!(request = %r.id, "a request whose desktop stopped is now {}", r.state.as_str());
                inner.emit(EngineEvent::RequestChanged {
                    request: Box::new(r),
                });
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("could not settle a request whose desktop stopped: {e}"),
        }
    }
}
