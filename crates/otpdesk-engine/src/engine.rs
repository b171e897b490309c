//! [`Engine`]: the public face. Every method is a few lines over the modules that do the work.

use crate::config::{EngineConfig, TrackingConfig};
use crate::error::{EngineError, Result};
use crate::events::{EngineEvent, EventBus};
use crate::gateway::Gateway;
use crate::model::*;
use crate::rate_budget::Priority;
use crate::scheduler::Scheduler;
use crate::store::Store;
use crate::{actions, buying, resume};
use otpdesk_core::{Currency, Money, ProviderId};
use otpdesk_providers::ProviderError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

pub(crate) struct Inner {
    pub store: Store,
    pub events: EventBus,
    pub gw: Gateway,
    pub sched: Scheduler,
    pub tracking: TrackingConfig,
    pub shutdown: watch::Sender<bool>,
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

    pub fn emit(&self, e: EngineEvent) {
        self.events.send(e);
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

/// Cheap to clone; all clones drive the same engine.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tracked", &self.inner.sched.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Open (or create) the store, start tracking, and resume everything left unfinished.
    /// Must be called inside a Tokio runtime.
    pub async fn open(cfg: EngineConfig) -> Result<Engine> {
        let store = Store::open(&cfg.data_dir)?;
        let gw = Gateway::new(&cfg.providers)?;
        let (shutdown, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            store,
            events: EventBus::new(cfg.event_capacity),
            gw,
            sched: Scheduler::new(),
            tracking: cfg.tracking.clone(),
            shutdown,
        });
        Scheduler::start(&inner);
        resume::resume(&inner).await?;
        Ok(Engine { inner })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    /// Buy a number or inbox. On an unknown outcome the attempt is listed for reconciliation and
    /// [`EngineError::OutcomeUnknown`] is returned: do not simply buy again.
    pub async fn buy(&self, req: BuyRequest) -> Result<OrderView> {
        buying::buy(&self.inner, req).await
    }

    /// The provider's current price and stock of what `req` would buy (fresh, never cached).
    pub async fn quote(&self, req: &BuyRequest) -> Result<crate::quote::Quote> {
        crate::quote::quote(&self.inner, req).await
    }

    /// Buy after re-reading the offer, as OTPZap asks: refused with `OutOfStock` when none is
    /// left and with [`EngineError::PriceChanged`] when it costs more than `expected` (the price
    /// the user saw). Nothing is sent to the create endpoint then.
    pub async fn buy_checked(&self, req: BuyRequest, expected: Option<Money>) -> Result<OrderView> {
        let q = crate::quote::quote(&self.inner, &req).await?;
        crate::quote::check(&q, expected)?;
        self.buy(req).await
    }

    /// Ask the provider about an open order at the next free request (instead of waiting for
    /// its turn); what it answers arrives as events. Returns the order as stored now.
    pub fn check_now(&self, order_id: &str) -> Result<OrderView> {
        let o = self.order(order_id)?;
        if !o.status.is_final() {
            self.inner
                .sched
                .poke(o.provider, &crate::scheduler::Track::Order(o.id.clone()));
        }
        Ok(o)
    }

    /// Ask about an unpaid deposit at the next free request (e.g. right after paying).
    pub fn check_deposit_now(&self, deposit_id: &str) {
        if let Ok(d) = self.deposit(deposit_id) {
            if !d.status.is_final() {
                let t = crate::scheduler::Track::Deposit(d.id.clone());
                self.inner.sched.poke(d.provider, &t);
            }
        }
    }

    /// OTPZap QRIS top-up of `rupiah`.
    pub async fn topup_qris(&self, rupiah: i64) -> Result<DepositView> {
        buying::topup(&self.inner, DepositKind::Qris, Money::idr(rupiah)).await
    }

    /// OOPPay USDT invoice; `amount` as decimal text (`"10.5"`).
    pub async fn topup_usdt(&self, amount: &str) -> Result<DepositView> {
        let m = Money::parse(Currency::Usdt, amount)
            .map_err(|e| EngineError::Config(format!("USDT amount: {e}")))?;
        buying::topup(&self.inner, DepositKind::Usdt, m).await
    }

    pub async fn cancel(&self, order_id: &str) -> Result<OrderView> {
        actions::cancel(&self.inner, order_id).await
    }

    pub async fn finish(&self, order_id: &str) -> Result<OrderView> {
        actions::finish(&self.inner, order_id).await
    }

    pub async fn resend(&self, order_id: &str) -> Result<OrderView> {
        actions::resend(&self.inner, order_id).await
    }

    /// OTPZap Server 1: a fresh number at the same product; returns the new order.
    pub async fn replace(&self, order_id: &str) -> Result<OrderView> {
        actions::replace(&self.inner, order_id).await
    }

    /// Email: wait for another message on the same inbox (not charged again).
    pub async fn email_reorder(&self, order_id: &str) -> Result<OrderView> {
        actions::email_reorder(&self.inner, order_id).await
    }

    pub fn orders(&self, filter: &OrderFilter) -> Result<Vec<OrderView>> {
        Ok(self.inner.store.orders(filter)?)
    }

    /// By local id, provider id or OTPZap ref.
    pub fn order(&self, id: &str) -> Result<OrderView> {
        self.inner
            .store
            .find_order(id)?
            .ok_or_else(|| EngineError::OrderNotFound(id.to_string()))
    }

    /// The next code of an order: returns at once if the order already has one newer than
    /// `after_seq` (pass `None` for "any code"), else waits for it up to `timeout`.
    pub async fn wait_for_otp(
        &self,
        order_id: &str,
        after_seq: Option<i64>,
        timeout: Duration,
    ) -> Result<OtpView> {
        let id = self.order(order_id)?.id;
        // Subscribe before reading the store, so a code that lands in between is not missed.
        let mut rx = self.subscribe();
        let newer = |o: &OtpView| after_seq.is_none_or(|s| o.seq > s);
        let stored = || -> Result<Option<OtpView>> {
            Ok(self
                .inner
                .order_view(&id)?
                .otps
                .into_iter()
                .rev()
                .find(|o| newer(o)))
        };
        if let Some(o) = stored()? {
            return Ok(o);
        }
        let wait = async {
            loop {
                match rx.recv().await {
                    Ok(EngineEvent::OtpReceived { order_id, otp, .. })
                        if order_id == id && newer(&otp) =>
                    {
                        return Ok(otp)
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        if let Some(o) = stored()? {
                            return Ok(o);
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return Err(EngineError::Shutdown),
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or(Err(EngineError::WaitTimeout))
    }

    pub fn deposits(&self, filter: &DepositFilter) -> Result<Vec<DepositView>> {
        Ok(self.inner.store.deposits(filter)?)
    }

    pub fn deposit(&self, id: &str) -> Result<DepositView> {
        self.inner
            .store
            .deposit(id)?
            .ok_or_else(|| EngineError::DepositNotFound(id.to_string()))
    }

    pub fn ledger(&self, filter: &LedgerFilter) -> Result<Vec<LedgerEntry>> {
        Ok(self.inner.store.ledger(filter)?)
    }

    /// Orders (with sale price and net cost) and deposits matching `q`, with totals.
    pub fn history(&self, q: &crate::history::HistoryQuery) -> Result<crate::history::HistoryPage> {
        Ok(self.inner.store.history(q)?)
    }

    /// Record what the reseller sold an order for (`None` clears it).
    pub fn set_sale_price(&self, order_id: &str, price: Option<Money>) -> Result<OrderView> {
        let o = self.order(order_id)?;
        self.inner.store.set_sale_price(&o.id, price)?;
        Ok(o)
    }

    /// Profit of sold orders per local day and per service.
    pub fn profit(&self, q: &crate::history::ProfitQuery) -> Result<crate::history::ProfitReport> {
        Ok(self.inner.store.profit(q)?)
    }

    /// Net recorded balance change per currency for a provider (charges, refunds, top-ups).
    pub fn ledger_total(&self, provider: ProviderId) -> Result<Vec<Money>> {
        Ok(self.inner.store.ledger_sum(provider)?)
    }

    /// Purchase attempts, optionally in one state (e.g. `OutcomeUnknown` for the "check" list).
    pub fn attempts(&self, state: Option<AttemptState>) -> Result<Vec<AttemptView>> {
        Ok(self.inner.store.attempts(state)?)
    }

    /// Settle an unknown outcome: OTPZap purchases are re-sent with the same Idempotency-Key
    /// (the provider returns the original, no second charge). Others cannot be looked up; the
    /// error says so and the user checks the provider's dashboard, then [`Engine::dismiss`]es.
    pub async fn reconcile(&self, attempt_id: &str) -> Result<AttemptView> {
        buying::reconcile(&self.inner, attempt_id).await
    }

    /// The user checked an unknown outcome and closes it.
    pub fn dismiss(&self, attempt_id: &str) -> Result<AttemptView> {
        buying::dismiss(&self.inner, attempt_id)
    }

    /// Orders and deposits being tracked right now.
    /// How many orders are not final yet (the tray badge), without loading them.
    pub fn active_order_count(&self) -> Result<usize> {
        Ok(self.inner.store.count_active_orders()? as usize)
    }

    pub fn tracked(&self) -> usize {
        self.inner.sched.len()
    }

    /// A read the engine does not make itself (catalog pages, balance) sent through the same
    /// key's rate budget as tracking and purchases, so browsing the catalog can never push the key
    /// into the provider's 429s, and a `Retry-After` it earns holds tracking back too. Interactive
    /// priority: someone is looking at the screen. A provider without a budget (no key in this
    /// engine) is asked directly.
    pub async fn read<T>(
        &self,
        provider: ProviderId,
        call: impl std::future::Future<Output = std::result::Result<T, ProviderError>>,
    ) -> std::result::Result<T, ProviderError> {
        self.inner
            .gw
            .guarded(provider, Some(Priority::Interactive), call)
            .await
    }

    /// The clients this engine talks to its providers through (`None`: no key), for the reads
    /// it does not make itself. Send their calls through [`Engine::read`].
    pub fn otpzap_client(&self) -> Option<&otpdesk_providers::OtpZapClient> {
        self.inner.gw.zap().ok()
    }
    pub fn numberotp_client(&self) -> Option<&otpdesk_providers::NumberOtpClient> {
        self.inner.gw.notp().ok()
    }
    pub fn ooppay_client(&self) -> Option<&otpdesk_providers::OopPayClient> {
        self.inner.gw.oop().ok()
    }

    /// Requests granted by a provider's rate budget since open.
    pub fn requests_sent(&self, provider: ProviderId) -> u64 {
        self.inner
            .gw
            .budget(provider)
            .map(|b| b.spent())
            .unwrap_or(0)
    }

    /// Stop tracking. The store is always consistent, so this only ends background tasks.
    pub async fn shutdown(&self) {
        // `send` would drop the value when no task has subscribed yet (a worker not yet polled
        // on a busy machine), and that worker would then never stop: `send_replace` always stores it.
        self.inner.shutdown.send_replace(true);
        self.inner.sched.join().await;
    }
}
