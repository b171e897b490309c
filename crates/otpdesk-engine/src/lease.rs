//! One tracker per provider for the whole order book, whatever number of processes open it. Each
//! engine runs this loop: it renews its heartbeat, holds or tries the tracking lease of each
//! provider it has a key for (the holder polls every open order of that provider, the others
//! only read the store), settles purchases whose process died mid-way, and relays what other
//! processes announced (a new order to track, a code another process stored) to its own
//! subscribers. A holder that dies is replaced within `lease_ttl + lease_renew`.

use crate::context::{Inner, Poke};
use crate::events::EngineEvent;
use crate::model::DepositFilter;
use crate::scheduler::Track;
use otpdesk_core::ProviderId;
use std::sync::Arc;
use tokio::time::Instant;

pub(crate) fn spawn(inner: &Arc<Inner>) -> tokio::task::JoinHandle<()> {
    let inner = inner.clone();
    tokio::spawn(async move {
        let mut cursor = inner.coord.last_event().unwrap_or(0);
        let mut next_renew = Instant::now() + inner.tracking.lease_renew;
        let mut next_prune = Instant::now();
        loop {
            if Instant::now() >= next_renew {
                renew(&inner);
                next_renew = Instant::now() + inner.tracking.lease_renew;
            }
            if Instant::now() >= next_prune {
                let _ = inner
                    .coord
                    .prune_events(std::time::Duration::from_secs(600));
                next_prune = Instant::now() + std::time::Duration::from_secs(60);
            }
            tail(&inner, &mut cursor);
            tokio::select! {
                _ = tokio::time::sleep(inner.tracking.tail_interval) => {}
                // Team mode: another desktop published (LISTEN/NOTIFY); never set otherwise.
                _ = inner.coord.wake.notified() => {}
                _ = inner.stopped() => return,
            }
        }
    })
}

/// Heartbeat, leases, orphaned purchases. Also called once by `Engine::open` before it returns,
/// so a lone process tracks from its first instant.
pub(crate) fn renew(inner: &Arc<Inner>) {
    match inner.coord.heartbeat() {
        Ok(()) => inner.set_online(true),
        Err(e) => {
            if matches!(e, crate::db::Error::Offline(_)) {
                inner.set_online(false);
            }
            tracing::warn!("could not renew this process's heartbeat: {e}");
        }
    }
    let mut holds_any = false;
    for p in ProviderId::ALL {
        if !inner.gw.configured(p) || inner.is_closing() {
            continue;
        }
        let held = match inner.coord.lease(p, inner.tracking.lease_ttl) {
            Ok(h) => h,
            Err(e) => {
                // Unsure: keep doing what we did; the lease expires on its own if we lost it.
                tracing::warn!(provider = %p, "tracking lease unavailable: {e}");
                continue;
            }
        };
        let was = inner.sched.is_active(p);
        if held && !was {
            tracing::info!(provider = %p, "this process now tracks {}", p.display_name());
            inner.sched.set_active(p, true);
        } else if !held && was {
            tracing::info!(provider = %p, "another process tracks {} now", p.display_name());
            inner.sched.set_active(p, false);
        }
        holds_any |= held;
    }
    if holds_any {
        // Adding is a no-op for tracked items and for providers another process tracks: this
        // picks up what other processes bought.
        track_open_items(inner);
    }
    sweep_orphans(inner);
    // Auto-replace jobs whose process died are taken over here.
    crate::jobs::resume(inner);
}

fn track_open_items(inner: &Arc<Inner>) {
    match inner.store.active_orders() {
        Ok(mut orders) => {
            // A new tracker asks first about the orders still waiting for a code, newest first:
            // those are the ones someone is watching (items already tracked are not touched).
            orders.sort_by_key(|o| (!o.otps.is_empty(), std::cmp::Reverse(o.created_at)));
            for o in &orders {
                inner.track_order(o);
            }
        }
        Err(e) => tracing::warn!("could not read the open orders: {e}"),
    }
    let filter = DepositFilter {
        active_only: true,
        limit: Some(u32::MAX),
        ..Default::default()
    };
    if let Ok(ds) = inner.store.deposits(&filter) {
        for d in &ds {
            inner.track_deposit(d);
        }
    }
    crate::late_deposits::track_watched(inner);
}

/// Purchases left pending by a process that is gone: unknown when they were sent, failed when not.
fn sweep_orphans(inner: &Inner) {
    let window = inner.tracking.lease_ttl + inner.tracking.lease_renew;
    // Before the list is read: attempts written after it may be of a process not on it yet.
    let live_read_at = inner.now();
    let live = match inner.coord.live(window) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("could not read which processes are alive: {e}");
            return;
        }
    };
    match inner.store.sweep_orphans(&live, live_read_at, inner.now()) {
        Ok(changed) => {
            for a in changed {
                let e = match a.state {
                    crate::model::AttemptState::OutcomeUnknown => EngineEvent::OutcomeUnknown {
                        attempt: Box::new(a),
                    },
                    _ => EngineEvent::AttemptResolved {
                        attempt: Box::new(a),
                    },
                };
                inner.emit(e);
            }
        }
        Err(e) => tracing::warn!("could not settle interrupted purchases: {e}"),
    }
}

/// Relay other processes' events: to this process's subscribers, and to its tracker when it
/// should start tracking what they bought.
fn tail(inner: &Arc<Inner>, cursor: &mut i64) {
    let lines = match inner.coord.events_after(*cursor) {
        Ok(l) => l,
        Err(e) => {
            tracing::debug!("could not read other processes' events: {e}");
            return;
        }
    };
    for (id, kind, body) in lines {
        *cursor = id;
        if kind == "poke" {
            if let Ok(p) = serde_json::from_str::<Poke>(&body) {
                let t = match (p.order_id, p.deposit_id) {
                    (Some(o), _) => Track::Order(o),
                    (_, Some(d)) => Track::Deposit(d),
                    _ => continue,
                };
                inner.sched.poke(p.provider, &t);
            }
            continue;
        }
        let Ok(e) = serde_json::from_str::<EngineEvent>(&body) else {
            continue;
        };
        match &e {
            EngineEvent::OrderCreated { order } => inner.track_order(order),
            EngineEvent::DepositCreated { deposit } => inner.track_deposit(deposit),
            // Another desktop asks the key holder: pick it up now (see crate::requests).
            EngineEvent::RequestChanged { request }
                if request.state == crate::store::RequestState::Pending =>
            {
                inner.requests_wake.notify_one()
            }
            _ => {}
        }
        inner.events.send(e);
    }
}
