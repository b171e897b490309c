//! The engine's shared context ([`Inner`]): the store, the coordination with other processes,
//! the provider gateway, the trackers' queues and the event bus, with the few helpers every
//! part of the engine uses (emit, announce, poke, track). Everything else imports this; it
//! imports only the lower layers (store, coord, provider, scheduler queues, events).

use crate::config::TrackingConfig;
use crate::coord::Coord;
use crate::error::{EngineError, Result};
use crate::events::{EngineEvent, EventBus};
use crate::model::*;
use crate::provider::Gateway;
use crate::remote::{RemoteDeposit, RemoteOrder};
use crate::scheduler::{Mode, Scheduler, Track};
use crate::store::Store;
use otpdesk_core::{Money, ProviderId};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// A charged reply the store has not taken yet.
pub(crate) enum UnsavedCharge {
    Order {
        attempt: AttemptView,
        req: BuyRequest,
        remote: RemoteOrder,
    },
    Deposit {
        attempt: AttemptView,
        kind: DepositKind,
        amount: Money,
        remote: RemoteDeposit,
    },
}

/// Charged replies waiting for the store (kept in memory, written again every few seconds).
pub(crate) type Unsaved = std::sync::Mutex<Vec<UnsavedCharge>>;

/// What a `poke` line in the shared log asks the holder: look at this item now.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Poke {
    pub provider: ProviderId,
    pub order_id: Option<String>,
    pub deposit_id: Option<String>,
}

pub(crate) struct Inner {
    pub store: Store,
    /// Heartbeats, tracking leases, shared rate budgets and the event log of every process on
    /// this order book.
    pub coord: Arc<Coord>,
    pub events: EventBus,
    pub gw: Gateway,
    pub sched: Scheduler,
    pub tracking: TrackingConfig,
    pub shutdown: watch::Sender<bool>,
    /// Paid calls under way; [`Engine::shutdown`] waits for them.
    pub paid: InFlight,
    /// Charged orders the store refused to take yet, written again until it does.
    pub unsaved: Unsaved,
    /// Auto-replace jobs this engine runs now (their ids; see `crate::jobs`).
    pub jobs: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Team mode: the team's server, and who this desktop is there.
    pub team: Option<crate::db::PgConfig>,
    pub me: Option<crate::team::Member>,
    /// Team mode: wakes the request runner (a request was written; see `crate::requests`).
    pub requests_wake: tokio::sync::Notify,
    /// The last stored view of each order being tracked: while the team's server cannot be
    /// read, the tracker keeps asking the provider with it (see `crate::tracking`).
    pub seen: std::sync::Mutex<std::collections::HashMap<String, OrderView>>,
    /// Team mode: whether the team's server answered last time it was asked.
    pub online: std::sync::atomic::AtomicBool,
    /// Team mode: the providers the team sold when last read (`requests::read::team_sells`),
    /// still shown while the server cannot be read.
    pub team_sells_seen: std::sync::Mutex<Vec<ProviderId>>,
}

/// A count of paid calls in flight, and a way to wait until there are none. New ones are
/// refused once closing began, and while a hold is on (see [`InFlight::hold`]).
#[derive(Default)]
pub(crate) struct InFlight {
    n: std::sync::Mutex<usize>,
    closing: std::sync::atomic::AtomicBool,
    /// Holds on (changed under `n`'s lock, so a hold and a new paid call cannot cross).
    held: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Held while a paid call runs.
pub(crate) struct PaidGuard<'a>(&'a InFlight);

impl Drop for PaidGuard<'_> {
    fn drop(&mut self) {
        let mut n = self.0.n.lock().unwrap_or_else(|p| p.into_inner());
        *n -= 1;
        if *n == 0 {
            self.0.idle.notify_waiters();
        }
    }
}

impl InFlight {
    pub fn enter(&self) -> Result<PaidGuard<'_>> {
        let mut n = self.n.lock().unwrap_or_else(|p| p.into_inner());
        if self.closing.load(std::sync::atomic::Ordering::SeqCst)
            || self.held.load(std::sync::atomic::Ordering::SeqCst) > 0
        {
            return Err(EngineError::Shutdown);
        }
        *n += 1;
        Ok(PaidGuard(self))
    }

    /// Paid calls under way now.
    pub fn count(&self) -> usize {
        *self.n.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When none is under way, refuse new paid calls until [`InFlight::release`]; else the
    /// number under way (and nothing changes).
    pub fn hold(&self) -> std::result::Result<(), usize> {
        let n = self.n.lock().unwrap_or_else(|p| p.into_inner());
        if *n > 0 {
            return Err(*n);
        }
        self.held.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// End a hold taken by [`InFlight::hold`].
    pub fn release(&self) {
        let _n = self.n.lock().unwrap_or_else(|p| p.into_inner());
        self.held.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Refuse new paid calls and wait (up to `limit`) for those under way.
    pub async fn close(&self, limit: Duration) {
        self.closing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let wait = async {
            loop {
                let idle = self.idle.notified();
                if *self.n.lock().unwrap_or_else(|p| p.into_inner()) == 0 {
                    return;
                }
                idle.await;
            }
        };
        if tokio::time::timeout(limit, wait).await.is_err() {
            tracing::warn!("closing with a purchase still under way; it stays listed as pending");
        }
    }
}

impl Inner {
    pub fn now(&self) -> Time {
        chrono::Utc::now()
    }

    /// Resolves once shutdown has been asked for, also when that happened before this call (a
    /// task spawned just before shutdown may subscribe after it; `changed()` would miss it).
    pub async fn stopped(&self) {
        let mut rx = self.shutdown.subscribe();
        // `Err` only when the sender is gone, and it lives as long as `self`.
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Announce a committed change to this process's subscribers and, through the shared
    /// log, to every other process on this order book.
    pub fn emit(&self, e: EngineEvent) {
        if !matches!(e, EngineEvent::ProviderError { .. }) {
            match serde_json::to_string(&e) {
                Ok(body) => {
                    if let Err(err) = self.coord.publish("event", &body) {
                        tracing::debug!("could not share an event with other processes: {err}");
                    }
                }
                Err(err) => tracing::warn!("event not shareable: {err}"),
            }
        }
        self.events.send(e);
    }

    /// Team mode: refuse at once while this desktop has lost the team's server (nothing is
    /// sent anywhere); see `crate::requests`.
    pub fn require_online(&self) -> Result<()> {
        if self.team.is_some() && !self.online.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(EngineError::Store(crate::db::Error::Offline(
                "this desktop has lost the team's server; nothing is bought until it is back"
                    .into(),
            )));
        }
        Ok(())
    }

    /// Team mode: record whether the team's server answered; a change is announced to this
    /// desktop's subscribers only (others cannot be told through a server this one cannot reach).
    pub fn set_online(&self, online: bool) {
        if self.team.is_none() {
            return;
        }
        if self
            .online
            .swap(online, std::sync::atomic::Ordering::SeqCst)
            != online
        {
            if online {
                tracing::info!("the team's server answers again");
            } else {
                tracing::warn!(
                    "the team's server cannot be reached: nothing is bought until it is back"
                );
            }
            self.events.send(EngineEvent::TeamConnection { online });
        }
    }

    pub fn is_closing(&self) -> bool {
        self.paid.closing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Ask about an item at the next free request: here when this engine tracks its provider,
    /// else through the shared log to the process that does.
    pub fn poke(&self, provider: ProviderId, t: &Track) {
        if self.sched.is_active(provider) {
            self.sched.poke(provider, t);
            return;
        }
        let (order_id, deposit_id) = match t {
            Track::Order(id) => (Some(id.clone()), None),
            Track::Deposit(id) => (None, Some(id.clone())),
        };
        let poke = Poke {
            provider,
            order_id,
            deposit_id,
        };
        if let Ok(body) = serde_json::to_string(&poke) {
            let _ = self.coord.publish("poke", &body);
        }
    }

    /// Announce what a committed store change did.
    pub fn announce(&self, order_id: &str, provider: ProviderId, applied: crate::store::Applied) {
        if let Some((from, to)) = applied.status_change {
            self.emit(EngineEvent::OrderStatusChanged {
                order_id: order_id.to_string(),
                provider,
                from,
                to,
            });
        }
        for otp in applied.new_otps {
            self.emit(EngineEvent::OtpReceived {
                order_id: order_id.to_string(),
                provider,
                otp,
            });
        }
        for entry in applied.ledger {
            self.emit(EngineEvent::BalanceChanged { entry });
        }
    }

    pub fn order_view(&self, id: &str) -> Result<OrderView> {
        self.store
            .order(id)?
            .ok_or_else(|| EngineError::OrderNotFound(id.to_string()))
    }
}

impl Inner {
    /// Track an order or deposit (its provider is read from the store). Does nothing unless
    /// this engine holds the provider's tracking lease.
    pub fn track(&self, t: Track) {
        match &t {
            Track::Order(id) => {
                if let Ok(Some(o)) = self.store.order(id) {
                    self.track_order(&o);
                }
            }
            Track::Deposit(id) => {
                if let Ok(Some(d)) = self.store.deposit(id) {
                    self.track_deposit(&d);
                }
            }
        }
    }

    /// Track an open order already read from the store.
    pub fn track_order(&self, o: &OrderView) {
        if o.status.is_final() {
            return;
        }
        let lp = crate::provider::traits(o.provider).long_poll
            && self.tracking.long_poll
            && o.otps.is_empty();
        let mode = if lp { Mode::LongPoll } else { Mode::Poll };
        if self.team.is_some() && self.sched.is_active(o.provider) {
            // What the tracker asks the provider with if the team's server is lost.
            self.seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(o.id.clone())
                .or_insert_with(|| o.clone());
        }
        self.sched.add(o.provider, Track::Order(o.id.clone()), mode);
    }

    /// Track an unpaid deposit already read from the store.
    pub fn track_deposit(&self, d: &DepositView) {
        if !d.status.is_final() {
            self.sched
                .add(d.provider, Track::Deposit(d.id.clone()), Mode::Poll);
        }
    }
}
