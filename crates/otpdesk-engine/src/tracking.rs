//! One tracking request for one item, and what it means for the store, the events and the
//! item's next turn, and the worker that runs each provider's queue with a rate token taken first.

use crate::context::Inner;
use crate::events::EngineEvent;
use crate::late_deposits;
use crate::model::{OrderView, Time};
use crate::provider::traits;
use crate::remote::RemoteOrder;
use crate::scheduler::{backoff, Mode, Next, Queue, Track, FALLBACK_POLLS};
use otpdesk_core::{DepositStatus, OrderStatus, ProviderId};
use otpdesk_providers::ProviderError;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// One worker per configured provider, each running its provider's queue.
pub(crate) fn start(inner: &Arc<Inner>) {
    for p in ProviderId::ALL {
        if !inner.gw.configured(p) {
            continue;
        }
        let q = inner.sched.add_queue(p, inner.tracking.max_in_flight);
        inner.sched.keep(tokio::spawn(worker(inner.clone(), q)));
    }
}

async fn worker(inner: Arc<Inner>, q: Arc<Queue>) {
    let Some(budget) = inner.gw.budget(q.provider).cloned() else {
        return;
    };
    loop {
        if *inner.shutdown.borrow() {
            return;
        }
        let wait = match q.next_due() {
            None => None,
            Some(at) if at > Instant::now() => Some(at),
            Some(_) => {
                // Ordinary polls are capped in flight; long-polls hold no permit.
                let permit = tokio::select! {
                    p = q.in_flight.clone().acquire_owned() => p.ok(),
                    _ = inner.stopped() => return,
                };
                tokio::select! {
                    _ = budget.acquire(crate::rate_budget::Priority::Background) => {}
                    _ = inner.stopped() => return,
                }
                // `None`: the token is spent but nothing was due after all (rare).
                if let Some((t, mode, errors)) = q.pop_due() {
                    let permit = if mode == Mode::LongPoll { None } else { permit };
                    let (inner2, q2) = (inner.clone(), q.clone());
                    tokio::spawn(async move {
                        let _permit = permit;
                        tokio::select! {
                            _ = run_one(&inner2, &q2, t, mode, errors) => {}
                            _ = inner2.stopped() => {}
                        }
                    });
                }
                continue;
            }
        };
        tokio::select! {
            _ = q.changed() => {}
            _ = sleep_until_opt(wait) => {}
            _ = inner.stopped() => return,
        }
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn run_one(inner: &Inner, q: &Queue, t: Track, mode: Mode, errors: u32) {
    let started = Instant::now();
    let next = match &t {
        Track::Order(id) => order_turn(inner, id, mode, errors, started).await,
        Track::Deposit(id) => deposit_turn(inner, id, errors, started).await,
    };
    if let (Track::Order(id), Next::Done) = (&t, &next) {
        inner
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
    q.done(t, next);
}

/// An OTPZap number we cancelled or that was replaced, still inside its window (`expires_at`):
/// an SMS may still reach it, shown as a late code (`otps.late`), never a sale. Asked at the
/// settled pace (every 60 s by default) by the tracker that already had it; not resumed after a
/// restart.
fn late_code_watch(inner: &Inner, o: &OrderView) -> bool {
    o.provider == ProviderId::Otpzap
        && o.kind == crate::model::OrderKind::Sms
        && matches!(o.status, OrderStatus::Cancelled | OrderStatus::Replaced)
        && o.expires_at.is_some_and(|t| inner.now() < t)
}

fn interval_for(inner: &Inner, o: &OrderView) -> Duration {
    // A requested cancel is asked about at the waiting pace: its refund is what we wait for.
    let waiting = matches!(
        o.status,
        OrderStatus::Pending | OrderStatus::CancelRequested
    ) || o.resend_waiting_for_otp;
    if waiting {
        inner.tracking.poll_interval
    } else if traits(o.provider).one_code {
        // One code per order and no resend: only its end is left to see.
        inner.tracking.settled_poll_interval
    } else {
        inner.tracking.idle_poll_interval
    }
}

async fn order_turn(inner: &Inner, id: &str, mode: Mode, errors: u32, started: Instant) -> Next {
    let seen = || inner.seen.lock().unwrap_or_else(|p| p.into_inner());
    let o = match inner.store.order(id) {
        Ok(Some(o)) if !o.status.is_final() || late_code_watch(inner, &o) => {
            if inner.team.is_some() {
                seen().insert(id.to_string(), o.clone());
            }
            o
        }
        Ok(_) => {
            seen().remove(id);
            return Next::Done;
        }
        // The team's server is lost: keep asking the provider with what we knew (a code stays
        // in the provider's reply, and the write below is tried again each turn until the
        // server is back), and never wait long for it.
        Err(crate::db::Error::Offline(e)) => match seen().get(id).cloned() {
            Some(o) => o,
            None => {
                tracing::warn!(order = id, "the team's server cannot be read: {e}");
                return Next::At {
                    at: Instant::now() + inner.tracking.poll_interval,
                    mode,
                    error: true,
                };
            }
        },
        Err(e) => {
            tracing::error!(order = id, "store read failed: {e}");
            return Next::At {
                at: Instant::now() + inner.tracking.max_backoff,
                mode,
                error: true,
            };
        }
    };
    let long_poll = mode == Mode::LongPoll && traits(o.provider).long_poll;
    let reply = if long_poll {
        inner.gw.wait_activation(&o, None).await
    } else {
        inner.gw.check_order(&o, None).await
    };
    let reply = match reply {
        Ok(r) => r,
        Err(_) => return Next::Done, // provider no longer configured
    };
    match reply {
        Ok(remote) => on_order_reply(inner, &o, &remote, mode, started),
        Err(e) => {
            report(inner, o.provider, Some(&o.id), &e, errors);
            let wait = error_wait(inner, &e, errors);
            // A failing long-poll falls back to plain polling for a while.
            let mode = match mode {
                Mode::LongPoll => Mode::Fallback(FALLBACK_POLLS),
                m => m,
            };
            Next::At {
                at: Instant::now() + wait,
                mode,
                error: true,
            }
        }
    }
}

fn on_order_reply(
    inner: &Inner,
    o: &OrderView,
    remote: &RemoteOrder,
    mode: Mode,
    started: Instant,
) -> Next {
    let now: Time = inner.now();
    let applied = match inner.store.apply_remote(&o.id, remote, now) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(order = %o.id, "store write failed: {e}");
            return Next::At {
                at: Instant::now() + inner.tracking.poll_interval,
                mode: Mode::Poll,
                error: true,
            };
        }
    };
    inner.announce(&o.id, o.provider, applied);
    let Ok(Some(cur)) = inner.store.order(&o.id) else {
        return Next::Done;
    };
    if cur.status.is_final() {
        // A cancelled or replaced number may still get an SMS: asked now and then (late code).
        if late_code_watch(inner, &cur) {
            return Next::At {
                at: (started + inner.tracking.settled_poll_interval).max(Instant::now()),
                mode: Mode::Poll,
                error: false,
            };
        }
        return Next::Done;
    }
    if traits(o.provider).long_poll && inner.tracking.long_poll && cur.otps.is_empty() {
        return match mode {
            // Still in fallback: poll on at the normal pace.
            Mode::Fallback(left) if left > 0 => Next::At {
                at: (started + inner.tracking.poll_interval).max(Instant::now()),
                mode: Mode::Fallback(left - 1),
                error: false,
            },
            // Still waiting: hang on `/wait` again right away (the budget still paces it).
            _ => Next::At {
                at: Instant::now(),
                mode: Mode::LongPoll,
                error: false,
            },
        };
    }
    let at = (started + interval_for(inner, &cur)).max(Instant::now());
    Next::At {
        at,
        mode: Mode::Poll,
        error: false,
    }
}

async fn deposit_turn(inner: &Inner, id: &str, errors: u32, started: Instant) -> Next {
    let d = match inner.store.deposit(id) {
        Ok(Some(d)) if !d.status.is_final() || late_deposits::watched(inner, &d) => d,
        Ok(_) => return Next::Done,
        Err(_) => {
            return Next::At {
                at: Instant::now() + inner.tracking.max_backoff,
                mode: Mode::Poll,
                error: true,
            }
        }
    };
    let reply = match inner.gw.check_deposit(d.provider, &d.remote_id, None).await {
        Ok(r) => r,
        Err(_) => return Next::Done,
    };
    match reply {
        Ok(remote) => {
            let applied = match inner.store.apply_deposit(&d.id, &remote, inner.now()) {
                Ok(a) => a,
                Err(_) => {
                    return Next::At {
                        at: Instant::now() + inner.tracking.deposit_poll_interval,
                        mode: Mode::Poll,
                        error: true,
                    }
                }
            };
            let view = inner.store.deposit(&d.id).ok().flatten();
            if let Some((from, to)) = applied.status_change {
                inner.emit(EngineEvent::DepositStatusChanged {
                    deposit_id: d.id.clone(),
                    provider: d.provider,
                    from,
                    to: to.clone(),
                });
                if let Some(v) = view.clone() {
                    match to {
                        DepositStatus::Paid => inner.emit(EngineEvent::DepositPaid {
                            deposit: Box::new(v),
                        }),
                        DepositStatus::Expired | DepositStatus::Failed => {
                            inner.emit(EngineEvent::DepositExpired {
                                deposit: Box::new(v),
                            })
                        }
                        _ => {}
                    }
                }
            }
            for entry in applied.ledger {
                inner.emit(EngineEvent::BalanceChanged { entry });
            }
            let Some(view) = view else {
                return Next::Done;
            };
            if view.status.is_final() {
                // An expired QRIS invoice may still be paid: asked again, less and less often.
                return match late_deposits::next_check(inner, &view) {
                    Some(wait) => Next::At {
                        at: Instant::now() + wait,
                        mode: Mode::Poll,
                        error: false,
                    },
                    None => Next::Done,
                };
            }
            let at = (started + inner.tracking.deposit_poll_interval).max(Instant::now());
            Next::At {
                at,
                mode: Mode::Poll,
                error: false,
            }
        }
        Err(e) => {
            report(inner, d.provider, None, &e, errors);
            Next::At {
                at: Instant::now() + error_wait(inner, &e, errors),
                mode: Mode::Poll,
                error: true,
            }
        }
    }
}

/// How long an item rests after a failed request: the provider's `Retry-After` when it gave one
/// (the whole key is closed meanwhile, see the gateway), else exponential back-off.
fn error_wait(inner: &Inner, e: &ProviderError, errors: u32) -> Duration {
    let t = &inner.tracking;
    match e.retry_after() {
        Some(d) => d.max(t.poll_interval),
        None => backoff(t.poll_interval, errors, t.max_backoff),
    }
}

/// Tell listeners about the first error of a streak, not every retry of it.
fn report(
    inner: &Inner,
    provider: ProviderId,
    order_id: Option<&str>,
    e: &ProviderError,
    errors: u32,
) {
    tracing::debug!(%provider, order = order_id, "tracking request failed: {e}");
    if errors == 0 {
        inner.emit(EngineEvent::ProviderError {
            provider,
            code: e.code(),
            message: e.to_string(),
            order_id: order_id.map(str::to_string),
        });
    }
}
