//! One tracking request for one item, and what it means for the store, the events and the
//! item's next turn. Called by the scheduler with a rate token already taken.

use crate::engine::Inner;
use crate::events::EngineEvent;
use crate::model::{OrderView, Time};
use crate::remote::{RemoteOrder, RemoteOtp};
use crate::scheduler::{backoff, Mode, Next, Queue, Track, FALLBACK_POLLS};
use otpdesk_core::{DepositStatus, OrderStatus, ProviderId};
use otpdesk_providers::ProviderError;
use std::time::Duration;
use tokio::time::Instant;

pub(crate) async fn run_one(inner: &Inner, q: &Queue, t: Track, mode: Mode, errors: u32) {
    let started = Instant::now();
    let next = match &t {
        Track::Order(id) => order_turn(inner, id, mode, errors, started).await,
        Track::Deposit(id) => deposit_turn(inner, id, errors, started).await,
    };
    q.done(t, next);
}

fn interval_for(inner: &Inner, o: &OrderView) -> Duration {
    let waiting = o.status == OrderStatus::Pending || o.resend_waiting_for_otp;
    if waiting {
        inner.tracking.poll_interval
    } else if o.provider == ProviderId::Numberotp {
        // One code per activation and no resend: only its end is left to see.
        inner.tracking.settled_poll_interval
    } else {
        inner.tracking.idle_poll_interval
    }
}

async fn order_turn(inner: &Inner, id: &str, mode: Mode, errors: u32, started: Instant) -> Next {
    let o = match inner.store.order(id) {
        Ok(Some(o)) if !o.status.is_final() => o,
        Ok(_) => return Next::Done,
        Err(e) => {
            tracing::error!(order = id, "store read failed: {e}");
            return Next::At {
                at: Instant::now() + inner.tracking.max_backoff,
                mode,
                error: true,
            };
        }
    };
    let long_poll = mode == Mode::LongPoll && o.provider == ProviderId::Numberotp;
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
    let merged;
    let remote = if o.provider == ProviderId::Numberotp {
        merged = numberotp_timeline(o, remote);
        &merged
    } else {
        remote
    };
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
        return Next::Done;
    }
    if o.provider == ProviderId::Numberotp && inner.tracking.long_poll && cur.otps.is_empty() {
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

/// NumberOTP shows only its latest code: a code that differs from the last one stored is a new
/// entry after the stored timeline (never an overwrite of an earlier one).
fn numberotp_timeline(o: &OrderView, remote: &RemoteOrder) -> RemoteOrder {
    let mut r = remote.clone();
    let Some(latest) = remote.otps.last() else {
        return r;
    };
    let stored: Vec<RemoteOtp> = o
        .otps
        .iter()
        .map(|x| RemoteOtp {
            code: x.code.clone(),
            text: x.text.clone(),
            sender: x.sender.clone(),
            service: x.service.clone(),
            received_at: x.received_at,
        })
        .collect();
    let same = stored
        .last()
        .is_some_and(|s| s.code == latest.code && s.text == latest.text);
    r.otps = stored;
    if !same {
        r.otps.push(latest.clone());
    }
    r
}

async fn deposit_turn(inner: &Inner, id: &str, errors: u32, started: Instant) -> Next {
    let d = match inner.store.deposit(id) {
        Ok(Some(d)) if !d.status.is_final() => d,
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
            if view.is_none_or(|v| v.status.is_final()) {
                return Next::Done;
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
