//! [`Engine`]: the public face. Every method is a few lines over the modules that do the work.

use crate::batch::{self, BatchProgress, BatchRequest, BatchResult};
use crate::config::EngineConfig;
use crate::context::{InFlight, Inner};
use crate::coord::Coord;
use crate::error::{EngineError, Result};
use crate::events::{EngineEvent, EventBus};
use crate::model::*;
use crate::provider::{Gateway, PriceLimits, Quote};
use crate::scheduler::Scheduler;
use crate::store::{RequestKind, RequestView, Store};
use crate::{actions, buying, customers, pricing, requests, resume, templates, tracking};
use otpdesk_core::{Currency, Money, ProviderId};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// New paid calls are refused while this lives ([`Engine::hold_paid_calls`]).
#[must_use = "the hold ends when this is dropped"]
pub struct PaidCallsHeld {
    inner: Arc<Inner>,
}

impl Drop for PaidCallsHeld {
    fn drop(&mut self) {
        self.inner.paid.release();
    }
}

impl std::fmt::Debug for PaidCallsHeld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PaidCallsHeld")
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
        let busy = cfg.tracking.store_busy_timeout;
        let (store, coord) = match &cfg.team {
            None => (
                Store::open_with(&cfg.data_dir, busy)?,
                Coord::open(&cfg.data_dir, busy)?,
            ),
            Some(pg) => {
                // Creating or migrating the schema may wait for another desktop doing the same
                // (the default wait); afterwards statements wait as long as SQLite's would.
                let (store, coord) = (Store::open_pg(pg)?, Coord::open_pg(pg)?);
                store.conn().set_lock_timeout(busy)?;
                coord.conn().set_lock_timeout(busy)?;
                (store, coord)
            }
        };
        let coord = Arc::new(coord);
        // Team mode: who this desktop is in the team (the first login on a new team store is
        // its owner); a login that is not a member opens nothing.
        let me = match &cfg.team {
            None => None,
            Some(_) => {
                let login = store.login()?.unwrap_or_default();
                Some(
                    store
                        .team_me(&login, chrono::Utc::now())?
                        .ok_or(EngineError::NotTeamMember)?,
                )
            }
        };
        let gw = Gateway::new(&cfg.providers, &coord)?;
        let (shutdown, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            store,
            coord,
            events: EventBus::new(cfg.event_capacity),
            gw,
            sched: Scheduler::new(),
            tracking: cfg.tracking.clone(),
            shutdown,
            paid: InFlight::default(),
            unsaved: Default::default(),
            jobs: Default::default(),
            team: cfg.team.clone(),
            me,
            requests_wake: Default::default(),
            seen: Default::default(),
            online: std::sync::atomic::AtomicBool::new(true),
            team_sells_seen: Default::default(),
        });
        if let Some(pg) = &cfg.team {
            // Other desktops' events are read the moment they are published.
            crate::db::listen::spawn(
                pg.clone(),
                inner.coord.wake.clone(),
                inner.shutdown.subscribe(),
            );
        }
        tracking::start(&inner);
        resume::resume(&inner);
        requests::spawn(&inner);
        Ok(Engine { inner })
    }

    /// Refuse what this desktop's team role may not do (outside a team everything is allowed).
    fn require(&self, c: crate::team::Capability) -> Result<()> {
        crate::team::require(self.inner.me.as_ref().map(|m| m.role), c)
    }

    /// Team mode: the order when actions on it go to the key holder's desktop as a request
    /// (this desktop has no key for its provider).
    fn asks_holder(&self, order_id: &str) -> Result<Option<OrderView>> {
        if self.inner.team.is_none() {
            return Ok(None);
        }
        let o = self.order(order_id)?;
        Ok(requests::asks_holder(&self.inner, o.provider).then_some(o))
    }

    /// Team mode: the team's requests to key holders, newest first (only pending or taken
    /// ones with `open_only`); see [`crate::requests`].
    pub fn requests(&self, open_only: bool) -> Result<Vec<RequestView>> {
        Ok(self.inner.store.requests(open_only, 200)?)
    }

    /// Team mode: withdraw a request no key holder has picked up yet; `false` when it was
    /// picked up (it may be on the wire) or had ended.
    pub fn withdraw_request(&self, id: &str) -> Result<bool> {
        requests::withdraw(&self.inner, id)
    }

    /// Team mode: whether this desktop reaches the team's server now (always `true` outside a
    /// team); [`EngineEvent::TeamConnection`] tells of each change.
    pub fn team_online(&self) -> bool {
        self.inner.online.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Team mode: the server (without its password) and who this desktop is.
    pub fn team(&self) -> Option<crate::team::TeamInfo> {
        let (pg, me) = (self.inner.team.as_ref()?, self.inner.me.as_ref()?);
        Some(crate::team::TeamInfo {
            server: pg.describe(),
            me: me.clone(),
        })
    }

    /// The team's members, the owner first.
    pub fn team_members(&self) -> Result<Vec<crate::team::Member>> {
        Ok(self.inner.store.team_members()?)
    }

    /// Owner: add an operator called `name` and return the invite to hand them (it holds the
    /// new login's password: shown once, to be pasted on the operator's computer).
    pub fn team_invite(&self, name: &str) -> Result<String> {
        self.require(crate::team::Capability::Team)?;
        let pg = self
            .inner
            .team
            .as_ref()
            .ok_or_else(|| EngineError::Invalid("Invites exist in team mode only.".into()))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(EngineError::Invalid(
                "Give the new member a name (up to 60 characters).".into(),
            ));
        }
        let login = crate::team::new_login(name);
        let password = crate::team::random_text(24);
        let schema = self
            .inner
            .store
            .add_operator(&login, &password, name, self.inner.now())?;
        Ok(crate::team::Invite {
            host: pg.host(),
            port: pg.port(),
            dbname: pg.dbname(),
            schema,
            user: login,
            password,
            name: name.to_string(),
        }
        .encode())
    }

    /// Owner: remove an operator (their login stops working; their orders keep their name).
    pub fn team_remove(&self, login: &str) -> Result<bool> {
        self.require(crate::team::Capability::Team)?;
        Ok(self.inner.store.remove_member(login)?)
    }

    /// Who sold each of these orders (team mode).
    pub fn sold_by(&self, ids: &[String]) -> Result<Vec<(String, String)>> {
        Ok(self.inner.store.sellers(ids)?)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    /// Buy a number or inbox. On an unknown outcome the attempt is listed for reconciliation and
    /// [`EngineError::OutcomeUnknown`] is returned: do not simply buy again.
    /// A maximum price set for the service ([`Engine::set_max_price`]) is checked against a
    /// fresh quote first (refused above it, nothing sent); a blocklisted Server 1 number is
    /// replaced at once when the user switched that on ([`crate::blocklist`]).
    pub async fn buy(&self, req: BuyRequest) -> Result<OrderView> {
        if requests::asks_holder(&self.inner, req.provider()) {
            return requests::buy(&self.inner, req, None, None).await;
        }
        let o = match self.service_max(&req)? {
            Some(max) => {
                buying::buy_checked(
                    &self.inner,
                    req,
                    PriceLimits {
                        expected: None,
                        max: Some(max),
                    },
                )
                .await?
            }
            None => buying::buy(&self.inner, req).await?,
        };
        Ok(crate::blocklist::after_purchase(&self.inner, o).await)
    }

    /// The maximum price the user set for what `req` buys.
    fn service_max(&self, req: &BuyRequest) -> Result<Option<Money>> {
        Ok(self.inner.store.max_price(&req.service_key())?)
    }

    /// The provider's current price and stock of what `req` would buy (fresh, never cached).
    /// Team mode without the provider's key: asked of the key holder (`requests::read`).
    pub async fn quote(&self, req: &BuyRequest) -> Result<Quote> {
        requests::read::quote(&self.inner, req).await
    }

    /// What this engine's providers sell (catalog pages, countries, prices) and their balances,
    /// each read through the key's shared rate budget at interactive priority.
    pub fn catalog(&self) -> crate::offers::Catalog<'_> {
        crate::offers::Catalog { inner: &self.inner }
    }

    /// The providers whose numbers (and inboxes) this desktop can sell: with their key here, or (team mode)
    /// through the desktop holding it — each with whether that desktop answers now (`true` here).
    /// A provider's tracking lease taken on the team store is the sign a desktop has its key.
    pub fn selling_providers(&self) -> Vec<(ProviderId, bool)> {
        [ProviderId::Otpzap, ProviderId::Numberotp]
            .into_iter()
            .filter_map(|p| {
                if self.inner.gw.configured(p) {
                    Some((p, true))
                } else {
                    requests::read::team_sells(&self.inner, p).map(|live| (p, live))
                }
            })
            .collect()
    }

    /// Buy after re-reading the offer, as OTPZap asks: refused with `OutOfStock` when none is
    /// left and with [`EngineError::PriceChanged`] when it costs more than `expected` (the price
    /// the user saw). Nothing is sent to the create endpoint then.
    pub async fn buy_checked(&self, req: BuyRequest, expected: Option<Money>) -> Result<OrderView> {
        self.buy_within(req, expected, None).await
    }

    /// [`Engine::buy_checked`] with a maximum price too (in the offer's currency): above
    /// `max_price` it is refused with [`EngineError::PriceAboveMax`] and nothing is sent.
    pub async fn buy_within(
        &self,
        req: BuyRequest,
        expected: Option<Money>,
        max_price: Option<Money>,
    ) -> Result<OrderView> {
        if requests::asks_holder(&self.inner, req.provider()) {
            return requests::buy(&self.inner, req, expected, max_price).await;
        }
        let limits = PriceLimits {
            expected,
            max: crate::provider::lower(max_price, self.service_max(&req)?),
        };
        let o = buying::buy_checked(&self.inner, req, limits).await?;
        Ok(crate::blocklist::after_purchase(&self.inner, o).await)
    }

    /// The most a purchase of `service` ([`BuyRequest::service_key`]) may cost, in its
    /// provider's currency; `None` clears it. Every purchase of it is held to it (refused with
    /// `price_above_max` above it, nothing sent), batches and auto-replace jobs included.
    pub fn set_max_price(&self, service: &str, max: Option<Money>) -> Result<()> {
        self.require(crate::team::Capability::Settings)?;
        let service = service.trim().to_ascii_lowercase();
        let provider = service
            .split(':')
            .next()
            .and_then(|p| p.parse::<ProviderId>().ok())
            .filter(|_| service.matches(':').count() >= 1 && !service.ends_with(':'))
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "{service:?} is not a service (e.g. otpzap:s1:1, otpzap:s2:101, numberotp:wa)."
                ))
            })?;
        if let Some(m) = max {
            if m.currency != provider.currency() || m.minor <= 0 {
                return Err(EngineError::Invalid(format!(
                    "{} prices in {}: the maximum must be a positive amount in it.",
                    provider.display_name(),
                    provider.currency().code()
                )));
            }
        }
        Ok(self
            .inner
            .store
            .set_max_price(&service, max, self.inner.now())?)
    }

    /// Every maximum price set, by service.
    pub fn max_prices(&self) -> Result<Vec<(String, Money)>> {
        Ok(self.inner.store.max_prices()?)
    }

    /// Start an auto-replace job ([`crate::jobs`]): it is stored, then runs in the background;
    /// [`EngineEvent::JobChanged`] tells of each step.
    pub fn start_job(&self, job: crate::jobs::JobRequest) -> Result<crate::jobs::JobView> {
        crate::jobs::start(&self.inner, job)
    }

    /// Stop a job: nothing more is bought or replaced (its live number stays open).
    pub fn stop_job(&self, id: &str) -> Result<crate::jobs::JobView> {
        crate::jobs::stop(&self.inner, id)
    }

    pub fn job(&self, id: &str) -> Result<crate::jobs::JobView> {
        crate::jobs::view(&self.inner, id)
    }

    /// Jobs, newest first (the running ones only with `running_only`).
    pub fn jobs(&self, running_only: bool) -> Result<Vec<crate::jobs::JobView>> {
        Ok(self.inner.store.jobs(running_only, 200)?)
    }

    /// The running job an order belongs to.
    pub fn job_of_order(&self, order_id: &str) -> Result<Option<crate::jobs::JobView>> {
        match self.inner.store.job_of_order(order_id)? {
            Some(id) => Ok(Some(self.job(&id)?)),
            None => Ok(None),
        }
    }

    pub fn blocklist(&self) -> Result<Vec<crate::blocklist::BlockEntry>> {
        Ok(self.inner.store.blocklist()?)
    }

    /// Add a prefix (`0831`, `62831`) or an operator (`axis`); `false` when it was listed.
    pub fn add_block(
        &self,
        kind: crate::blocklist::BlockKind,
        value: &str,
        note: Option<String>,
    ) -> Result<bool> {
        self.require(crate::team::Capability::Settings)?;
        let value = crate::blocklist::clean(kind, value)?;
        let e = crate::blocklist::BlockEntry {
            kind,
            value,
            note,
            created_at: self.inner.now(),
        };
        Ok(self.inner.store.add_block(&e)?)
    }

    pub fn remove_block(&self, kind: crate::blocklist::BlockKind, value: &str) -> Result<bool> {
        self.require(crate::team::Capability::Settings)?;
        let v = crate::blocklist::clean(kind, value).unwrap_or_else(|_| value.to_string());
        Ok(self.inner.store.remove_block(kind, &v)?)
    }

    /// Prefixes and operators whose numbers often ended without a code (your last 2,000
    /// finished Server 1 numbers).
    pub fn suggest_blocks(&self) -> Result<Vec<crate::blocklist::BlockSuggestion>> {
        let outcomes = self.inner.store.number_outcomes(2_000)?;
        let listed = self.inner.store.blocklist()?;
        Ok(crate::blocklist::suggest(&outcomes, &listed))
    }

    /// Replace blocklisted Server 1 numbers after any purchase, not only in jobs.
    pub fn set_blocklist_all_purchases(&self, on: bool) -> Result<()> {
        self.require(crate::team::Capability::Settings)?;
        Ok(self
            .inner
            .store
            .set_automation_flag(crate::blocklist::FLAG_ALL_PURCHASES, on)?)
    }

    pub fn blocklist_all_purchases(&self) -> Result<bool> {
        Ok(self
            .inner
            .store
            .automation_flag(crate::blocklist::FLAG_ALL_PURCHASES)?)
    }

    /// Watch an offer ([`crate::watch`]).
    pub fn watch_offer(&self, w: crate::watch::WatchRequest) -> Result<crate::watch::WatchView> {
        crate::watch::add(&self.inner, w)
    }

    pub fn watches(&self) -> Result<Vec<crate::watch::WatchView>> {
        Ok(self.inner.store.watches()?)
    }

    pub fn remove_watch(&self, id: &str) -> Result<bool> {
        Ok(self.inner.store.remove_watch(id)?)
    }

    /// Watch again after an alert.
    pub fn rearm_watch(&self, id: &str) -> Result<crate::watch::WatchView> {
        self.inner.store.rearm_watch(id)?;
        crate::watch::get(&self.inner, id)
    }

    /// Look at every watched offer now, at the user's word (whichever process tracks).
    pub async fn check_watches_now(&self) {
        crate::watch::check_all(&self.inner, true).await
    }

    /// Buy `batch.count` of one offer one after the other, each its own purchase attempt with its
    /// own Idempotency-Key; stops at once on a price rise, a stock-out, the balance floor or any
    /// failure (see [`crate::batch`]). `progress` hears of every number bought and of the stop.
    pub async fn buy_batch(
        &self,
        batch: BatchRequest,
        progress: impl FnMut(&BatchProgress) + Send,
    ) -> Result<BatchResult> {
        batch::run(&self.inner, batch, progress).await
    }

    /// [`Engine::buy_batch`] held to the price the user confirmed: every number, the first
    /// included, is refused with [`EngineError::PriceChanged`] when it costs more than `expected`.
    pub async fn buy_batch_at(
        &self,
        batch: BatchRequest,
        expected: Option<Money>,
        progress: impl FnMut(&BatchProgress) + Send,
    ) -> Result<BatchResult> {
        batch::run_at(&self.inner, batch, expected, progress).await
    }

    /// [`Engine::buy_batch_at`] that the user can stop: `stopper` is looked at before each next
    /// number, so a purchase under way finishes and is kept, and nothing after it is bought (the
    /// result's stop is [`ErrorCode::StoppedByUser`](otpdesk_core::ErrorCode::StoppedByUser)).
    pub async fn buy_batch_stoppable(
        &self,
        batch: BatchRequest,
        expected: Option<Money>,
        stopper: &batch::BatchStopper,
        progress: impl FnMut(&BatchProgress) + Send,
    ) -> Result<BatchResult> {
        batch::run_stoppable(&self.inner, batch, expected, stopper, progress).await
    }

    /// "Buy again": the offer `order_id` was bought from (a replacement is followed back to
    /// its first purchase) with today's price. Nothing is bought: show the price, then buy
    /// `target` with [`Engine::buy_checked`] (or [`Engine::buy_batch_at`]) at `quote.price`.
    pub async fn quote_again(&self, order_id: &str) -> Result<crate::again::OfferAgain> {
        crate::again::quote(&self.inner, order_id).await
    }

    /// Ask the provider about an open order at the next free request (instead of waiting for
    /// its turn); what it answers arrives as events. Returns the order as stored now.
    pub fn check_now(&self, order_id: &str) -> Result<OrderView> {
        let o = self.order(order_id)?;
        if !o.status.is_final() {
            self.inner
                .poke(o.provider, &crate::scheduler::Track::Order(o.id.clone()));
        }
        Ok(o)
    }

    /// Ask about an unpaid deposit at the next free request (e.g. right after paying).
    pub fn check_deposit_now(&self, deposit_id: &str) {
        if let Ok(d) = self.deposit(deposit_id) {
            if !d.status.is_final() || crate::late_deposits::watched(&self.inner, &d) {
                let t = crate::scheduler::Track::Deposit(d.id.clone());
                self.inner.poke(d.provider, &t);
            }
        }
    }

    /// OTPZap QRIS top-up of `rupiah`.
    pub async fn topup_qris(&self, rupiah: i64) -> Result<DepositView> {
        self.require(crate::team::Capability::Money)?;
        buying::topup(&self.inner, DepositKind::Qris, Money::idr(rupiah)).await
    }

    /// OOPPay USDT invoice; `amount` as decimal text (`"10.5"`).
    pub async fn topup_usdt(&self, amount: &str) -> Result<DepositView> {
        self.require(crate::team::Capability::Money)?;
        let m = Money::parse(Currency::Usdt, amount)
            .map_err(|e| EngineError::Config(format!("USDT amount: {e}")))?;
        buying::topup(&self.inner, DepositKind::Usdt, m).await
    }

    pub async fn cancel(&self, order_id: &str) -> Result<OrderView> {
        if let Some(o) = self.asks_holder(order_id)? {
            return requests::on_order(&self.inner, RequestKind::Cancel, &o).await;
        }
        actions::cancel(&self.inner, order_id).await
    }

    pub async fn finish(&self, order_id: &str) -> Result<OrderView> {
        if let Some(o) = self.asks_holder(order_id)? {
            return requests::on_order(&self.inner, RequestKind::Finish, &o).await;
        }
        actions::finish(&self.inner, order_id).await
    }

    pub async fn resend(&self, order_id: &str) -> Result<OrderView> {
        if let Some(o) = self.asks_holder(order_id)? {
            return requests::on_order(&self.inner, RequestKind::Resend, &o).await;
        }
        actions::resend(&self.inner, order_id).await
    }

    /// OTPZap Server 1: a fresh number at the same product; returns the new order.
    pub async fn replace(&self, order_id: &str) -> Result<OrderView> {
        if let Some(o) = self.asks_holder(order_id)? {
            return requests::on_order(&self.inner, RequestKind::Replace, &o).await;
        }
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

    /// The next code of an order: the oldest one newer than `after_seq` (`None`: any code), at
    /// once if it is stored already, else as soon as one is (by this process or another one on
    /// the same order book). Codes that arrive together are returned one call at a time, none
    /// skipped. Ends with [`EngineError::OrderEnded`] when the order is final without a newer code,
    /// and with [`EngineError::WaitTimeout`] after `timeout`.
    pub async fn wait_for_otp(
        &self,
        order_id: &str,
        after_seq: Option<i64>,
        timeout: Duration,
    ) -> Result<OtpView> {
        let id = self.order(order_id)?.id;
        let wait = async {
            // Subscribe before reading the store, so a code that lands in between is not missed.
            let mut rx = self.subscribe();
            loop {
                let o = self.inner.order_view(&id)?;
                if let Some(otp) = o
                    .otps
                    .iter()
                    .filter(|x| after_seq.is_none_or(|s| x.seq > s))
                    .min_by_key(|x| x.seq)
                {
                    return Ok(otp.clone());
                }
                if o.status.is_final() {
                    return Err(EngineError::OrderEnded {
                        status: o.status.to_string(),
                    });
                }
                // News about this order, or a look at the store every second whatever happens
                // (a missed or lagging event costs at most that).
                let news = async {
                    loop {
                        match rx.recv().await {
                            Ok(EngineEvent::OtpReceived { order_id, .. })
                            | Ok(EngineEvent::OrderStatusChanged { order_id, .. })
                                if order_id == id =>
                            {
                                return Ok(())
                            }
                            Ok(_) => {}
                            Err(broadcast::error::RecvError::Lagged(_)) => return Ok(()),
                            Err(broadcast::error::RecvError::Closed) => {
                                return Err(EngineError::Shutdown)
                            }
                        }
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(1), news).await;
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or(Err(EngineError::WaitTimeout))
    }

    /// Where a command line resumes printing an order's codes: just before the oldest code no
    /// command line has shown yet (another process may have stored it), else after the newest.
    /// Pass the result as `after_seq` to [`Engine::wait_for_otp`].
    pub fn resume_codes_after(&self, order_id: &str) -> Result<Option<i64>> {
        let o = self.order(order_id)?;
        Ok(match self.inner.store.oldest_unshown_code(&o.id)? {
            Some(0) => None,
            Some(s) => Some(s - 1),
            None => o.otps.iter().map(|x| x.seq).max(),
        })
    }

    /// A command line showed this code to its user.
    pub fn mark_code_shown(&self, order_id: &str, seq: i64) -> Result<()> {
        Ok(self
            .inner
            .store
            .mark_code_shown(order_id, seq, self.inner.now())?)
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
        self.require(crate::team::Capability::Money)?;
        Ok(self.inner.store.ledger(filter)?)
    }

    /// Orders (with sale price and net cost) and deposits matching `q`, with totals.
    pub fn history(&self, q: &crate::history::HistoryQuery) -> Result<crate::history::HistoryPage> {
        Ok(self.inner.store.history(q)?)
    }

    /// Record what the reseller sold an order for (`None` clears it).
    pub fn set_sale_price(&self, order_id: &str, price: Option<Money>) -> Result<OrderView> {
        customers::set_sale_price(&self.inner.store, order_id, price)
    }

    /// Customer, note and sale price of an order (the price list's suggestion when none is
    /// given); see [`crate::customers::hand_off`].
    pub fn hand_off(&self, order_id: &str, h: &customers::HandOff) -> Result<customers::OrderDesk> {
        customers::hand_off(&self.inner.store, order_id, h, self.inner.now())
    }

    /// Mark an order paid by its customer, or not paid.
    pub fn set_paid(&self, order_id: &str, paid: bool) -> Result<customers::OrderDesk> {
        customers::set_paid(&self.inner.store, order_id, paid, self.inner.now())
    }

    /// Customer, note and paid of these orders (those that have any).
    pub fn order_desks(&self, ids: &[String]) -> Result<Vec<customers::OrderDesk>> {
        Ok(self.inner.store.desks(ids)?)
    }

    /// Customer names, most recently used first.
    pub fn recent_customers(&self, limit: u32) -> Result<Vec<String>> {
        Ok(self.inner.store.recent_customers(limit)?)
    }

    /// Every customer with what they owe and the profit made on them.
    pub fn customers(&self, idr_per_usd: Option<u32>) -> Result<Vec<customers::Customer>> {
        Ok(self.inner.store.customers(idr_per_usd)?)
    }

    pub fn price_list(&self) -> Result<pricing::PriceList> {
        customers::price_list(&self.inner.store)
    }

    pub fn set_price_list(&self, list: &pricing::PriceList) -> Result<pricing::PriceList> {
        self.require(crate::team::Capability::Settings)?;
        customers::set_price_list(&self.inner.store, list)
    }

    /// What the price list suggests charging for `service` bought at `cost`.
    pub fn suggest_sale_price(
        &self,
        service: &str,
        cost: Money,
    ) -> Result<Option<pricing::Suggestion>> {
        customers::suggest(&self.inner.store, service, cost)
    }

    pub fn templates(&self) -> Result<Vec<templates::Template>> {
        customers::templates(&self.inner.store)
    }

    /// Save a message template (`None`: back to the default).
    pub fn set_template(
        &self,
        lang: templates::TemplateLang,
        kind: templates::TemplateKind,
        body: Option<&str>,
    ) -> Result<Vec<templates::Template>> {
        self.require(crate::team::Capability::Settings)?;
        customers::set_template(&self.inner.store, lang, kind, body)
    }

    /// The filled message for an order's customer now.
    pub fn customer_message(
        &self,
        order_id: &str,
        lang: templates::TemplateLang,
    ) -> Result<String> {
        customers::message(&self.inner.store, order_id, lang, self.inner.now())
    }

    /// Profit of sold orders per local day and per service.
    /// The quality scoreboard: every offer bought from, with its success and cancel rates and
    /// median time to code ([`crate::scoreboard`]).
    pub fn scoreboard(&self) -> Result<Vec<crate::scoreboard::OfferQuality>> {
        Ok(self.inner.store.scoreboard()?)
    }

    /// Each target's record on the scoreboard, in order (`None`: never bought from it).
    pub fn quality_of(
        &self,
        targets: &[crate::model::BuyRequest],
    ) -> Result<Vec<Option<crate::scoreboard::OfferQuality>>> {
        let board = self.inner.store.scoreboard()?;
        Ok(targets
            .iter()
            .map(|t| {
                let o = crate::scoreboard::Offer::of(t);
                board.iter().find(|q| q.offer == o).cloned()
            })
            .collect())
    }

    /// Providers whose own recent cancel rate is high enough to risk the account.
    pub fn cancel_warnings(&self) -> Result<Vec<crate::scoreboard::CancelWarning>> {
        Ok(self.inner.store.cancel_warnings()?)
    }

    pub fn profit(&self, q: &crate::history::ProfitQuery) -> Result<crate::history::ProfitReport> {
        self.require(crate::team::Capability::Money)?;
        Ok(self.inner.store.profit(q)?)
    }

    /// Net recorded balance change per currency for a provider (charges, refunds, top-ups).
    pub fn ledger_total(&self, provider: ProviderId) -> Result<Vec<Money>> {
        self.require(crate::team::Capability::Money)?;
        Ok(self.inner.store.ledger_sum(provider)?)
    }

    /// Purchase attempts, optionally in one state (e.g. `OutcomeUnknown` for the "check" list).
    pub fn attempts(&self, state: Option<AttemptState>) -> Result<Vec<AttemptView>> {
        Ok(self.inner.store.attempts(state)?)
    }

    /// Look an unknown outcome up without spending money: for a replace, whether the old number
    /// is still open (then nothing happened). Where the provider offers no lookup the error says
    /// so: the user checks the dashboard, then [`Engine::buy_again`] or [`Engine::dismiss`].
    pub async fn reconcile(&self, attempt_id: &str) -> Result<AttemptView> {
        buying::reconcile(&self.inner, attempt_id).await
    }

    /// The fresh price of what an unknown (or failed) attempt would buy, for "Buy now at Rp X?".
    pub async fn attempt_quote(&self, attempt_id: &str) -> Result<Quote> {
        let (_, req) = buying::attempt_request(&self.inner, attempt_id)?;
        requests::read::quote(&self.inner, &req).await
    }

    /// The user's "Buy now" on an unknown outcome, after seeing the fresh price `expected`.
    /// Where the provider deduplicates (OTPZap) the same Idempotency-Key is sent: if the first
    /// try was charged, the provider answers with that order and nothing is charged again.
    /// Elsewhere the old attempt is closed as dismissed and a new purchase is made.
    pub async fn buy_again(&self, attempt_id: &str, expected: Option<Money>) -> Result<OrderView> {
        let (_, req) = buying::attempt_request(&self.inner, attempt_id)?;
        if requests::asks_holder(&self.inner, req.provider()) {
            return requests::buy_again(&self.inner, attempt_id, req.provider(), expected).await;
        }
        buying::buy_again(&self.inner, attempt_id, expected).await
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

    /// The address `provider` is asked at now: the configured one, or for NumberOTP the host a
    /// probe found answering (`api.numberotp.com` when the documented one does not).
    pub fn base_url(&self, provider: ProviderId) -> Option<String> {
        self.inner.gw.base_url(provider)
    }

    /// Probe, once, which address answers where a provider has two (NumberOTP).
    pub async fn resolve_base_urls(&self) {
        self.inner.gw.resolve_base_urls().await
    }

    /// How long a provider's key stays closed by a `Retry-After`, if it is (shared by every
    /// process on this order book).
    pub fn rate_blocked_for(&self, provider: ProviderId) -> Option<Duration> {
        self.inner.gw.budget(provider).and_then(|b| b.blocked_for())
    }

    /// Requests granted by a provider's rate budget since open.
    pub fn requests_sent(&self, provider: ProviderId) -> u64 {
        self.inner
            .gw
            .budget(provider)
            .map(|b| b.spent())
            .unwrap_or(0)
    }

    /// Whether this engine tracks `provider` now (holds its lease; otherwise another process
    /// on the same order book does).
    pub fn is_tracker(&self, provider: ProviderId) -> bool {
        self.inner.sched.is_active(provider)
    }

    /// This engine's id among the processes sharing the order book.
    pub fn instance_id(&self) -> &str {
        &self.inner.coord.me
    }

    /// Paid calls (purchases, replacements, top-ups) under way in this engine; a checked purchase
    /// or a "buy again" counts from its fresh price check on.
    pub fn paid_calls_in_flight(&self) -> usize {
        self.inner.paid.count()
    }

    /// When no paid call is under way, refuse new ones (with [`EngineError::Shutdown`]) until the
    /// returned guard is dropped; else `Err` with the number under way, and nothing changes.
    /// Taken before the app restarts (an update), so no purchase is cut off and none starts.
    pub fn hold_paid_calls(&self) -> std::result::Result<PaidCallsHeld, usize> {
        self.inner.paid.hold()?;
        Ok(PaidCallsHeld {
            inner: self.inner.clone(),
        })
    }

    /// Stop: new purchases are refused, those under way finish (up to a minute) and are stored,
    /// charged orders not yet written get a last try, then tracking ends and the leases are
    /// handed to the next process at once. The store is consistent at every instant anyway.
    pub async fn shutdown(&self) {
        self.inner.paid.close(Duration::from_secs(60)).await;
        crate::buying::save_unsaved(&self.inner);
        // `send` would drop the value when no task has subscribed yet (a worker not yet polled
        // on a busy machine), and that worker would then never stop: `send_replace` always stores it.
        self.inner.shutdown.send_replace(true);
        self.inner.sched.join().await;
        for p in ProviderId::ALL {
            if self.inner.sched.is_active(p) {
                self.inner.sched.set_active(p, false);
                let _ = self.inner.coord.release(p);
            }
        }
        let _ = self.inner.coord.leave();
    }
}
