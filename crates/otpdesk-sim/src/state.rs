//! The shared simulator state. All mutable data lives in one [`World`] behind a mutex that is
//! never held across an await; every access first runs [`World::tick`] so time-driven changes
//! (scheduled OTPs, expiries) are applied before anyone looks. A background ticker does the same
//! so webhooks and long-polls fire without traffic.

use crate::catalog::Catalog;
use crate::clock::{std_to_chrono, SimClock, SimTime};
use crate::control::types::{ConfigView, NumberOtpShape, OfferChange, WebhookDelivery};
use crate::error::SimError;
use crate::faults::FaultSet;
use crate::idempotency::IdempotencyStore;
use crate::ledger::{currency_of, Bank};
use crate::rate_limit::RateLimiter;
use crate::request_log::RequestLog;
use crate::rng::SimRng;
use crate::webhooks::{HookConfig, WebhookConfigs, WebhookJob};
use crate::{numberotp, ooppay, otpzap, SimConfig};
use crate::{DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OOPPAY_WEBHOOK_SECRET, DEMO_OTPZAP_KEY};
use otpdesk_core::{Money, ProviderId};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Settings that the control API can change at run time.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    pub otp_delay: Option<Duration>,
    pub rate_limit_per_min: u32,
    pub long_poll_max: Duration,
    pub allow_insecure_webhooks: bool,
    /// How long (real time) OTPZap's order, email and top-up creates take to process; a second
    /// request with the same Idempotency-Key meanwhile is a 409 "in progress".
    pub create_delay: Duration,
    /// Idempotency-Keys are forgotten this long (simulated) after their reply; `None`: never.
    pub idempotency_ttl: Option<Duration>,
    /// `order/cancel` only starts the cancel; it is confirmed (and refunded) this long
    /// (simulated) later. `None`: at once, as before.
    pub cancel_confirm_delay: Option<Duration>,
    /// The NumberOTP dialect (`--numberotp-shape`, `POST /_sim/config`).
    pub numberotp_shape: NumberOtpShape,
}

impl RuntimeConfig {
    pub fn view(&self) -> ConfigView {
        ConfigView {
            otp_delay_ms: self.otp_delay.map(|d| d.as_millis() as u64),
            rate_limit_per_min: self.rate_limit_per_min,
            long_poll_max_ms: self.long_poll_max.as_millis() as u64,
            allow_insecure_webhooks: self.allow_insecure_webhooks,
            create_delay_ms: self.create_delay.as_millis() as u64,
            idempotency_ttl_secs: self.idempotency_ttl.map(|d| d.as_secs()),
            cancel_confirm_delay_secs: self.cancel_confirm_delay.map(|d| d.as_secs()),
            numberotp_shape: self.numberotp_shape,
        }
    }
}

/// Orders live 20 minutes without a code (docs: email; WIRE.md: SMS too).
pub const ORDER_WINDOW_SECS: i64 = 20 * 60;

pub struct World {
    pub config: RuntimeConfig,
    pub catalog: Arc<Catalog>,
    /// Units sold per stock key ("s1:<product>", "s3:<site>:<domain>", "notp:<svc>:<country>").
    pub sold: HashMap<String, u32>,
    pub rng: SimRng,
    pub bank: Bank,
    pub next_order_id: u64,
    pub sms: BTreeMap<u64, otpzap::orders::SmsOrder>,
    pub emails: BTreeMap<String, otpzap::email::EmailOrder>,
    pub topups: BTreeMap<String, otpzap::topup::Topup>,
    pub activations: BTreeMap<String, numberotp::Activation>,
    pub oop_orders: BTreeMap<String, ooppay::OopOrder>,
    pub idem: IdempotencyStore,
    pub rate: RateLimiter,
    pub requests: RequestLog,
    pub faults: FaultSet,
    pub hooks: WebhookConfigs,
    pub outbox: Vec<WebhookJob>,
    /// Offer changes waiting for a number of sales ([`World::change_offer`]).
    pub offer_changes: Vec<OfferChange>,
    /// Numbers the next OTPZap SMS orders get, first one first ([`crate::control`] `/phones`),
    /// to test what a number's prefix decides (the blocklist); random ones once it is empty.
    pub next_phones: std::collections::VecDeque<String>,
    /// Set when something a long-poll may wait for changed.
    pub changed: bool,
    /// `http://127.0.0.1:PORT`, for payment and QR links.
    pub base_url: String,
}

impl World {
    pub fn new(config: &SimConfig, base_url: String, now: SimTime) -> World {
        let mut bank = Bank::new();
        let demo = [
            (ProviderId::Otpzap, DEMO_OTPZAP_KEY, Money::idr(250_000)),
            (
                ProviderId::Numberotp,
                DEMO_NUMBEROTP_KEY,
                Money::new(currency_of(ProviderId::Numberotp), 10_000_000),
            ),
            (
                ProviderId::Ooppay,
                DEMO_OOPPAY_KEY,
                Money::new(currency_of(ProviderId::Ooppay), 0),
            ),
        ];
        for (provider, key, balance) in demo {
            // Currencies match by construction.
            let _ = bank.add_account(provider, key, balance);
        }
        let mut hooks = WebhookConfigs::default();
        hooks.set(
            ProviderId::Ooppay,
            None,
            HookConfig {
                url: None,
                secret: DEMO_OOPPAY_WEBHOOK_SECRET.to_string(),
                events: None,
                is_active: true,
                updated_at: now,
            },
        );
        World {
            config: RuntimeConfig {
                otp_delay: config.otp_delay,
                rate_limit_per_min: config.rate_limit_per_min,
                long_poll_max: config.long_poll_max,
                allow_insecure_webhooks: config.allow_insecure_webhooks,
                create_delay: Duration::ZERO,
                idempotency_ttl: None,
                cancel_confirm_delay: config.cancel_confirm_delay.filter(|d| !d.is_zero()),
                numberotp_shape: config.numberotp_shape,
            },
            catalog: Arc::new(Catalog::new(config.seed)),
            sold: HashMap::new(),
            rng: SimRng::new(config.seed),
            bank,
            next_order_id: 64,
            sms: BTreeMap::new(),
            emails: BTreeMap::new(),
            topups: BTreeMap::new(),
            activations: BTreeMap::new(),
            oop_orders: BTreeMap::new(),
            idem: IdempotencyStore::default(),
            rate: RateLimiter::default(),
            requests: RequestLog::default(),
            faults: FaultSet::default(),
            hooks,
            outbox: Vec::new(),
            offer_changes: Vec::new(),
            next_phones: Default::default(),
            changed: false,
            base_url,
        }
    }

    pub fn stock_left(&self, key: &str, initial: u32) -> u32 {
        initial.saturating_sub(self.sold.get(key).copied().unwrap_or(0))
    }

    pub fn take_stock(&mut self, key: &str, initial: u32, n: u32) -> Result<(), SimError> {
        if self.stock_left(key, initial) < n {
            return Err(SimError::OutOfStock);
        }
        *self.sold.entry(key.to_string()).or_insert(0) += n;
        self.count_sales(key, n);
        Ok(())
    }

    /// Change an OTPZap Server 1 product's price or stock now, or once `after_sales` more of it
    /// are sold.
    pub fn change_offer(&mut self, change: OfferChange) -> Result<(), SimError> {
        if self.catalog.product(change.product_id).is_none() {
            return Err(SimError::not_found("product"));
        }
        if change.after_sales == 0 {
            self.apply_offer_change(&change);
        } else {
            self.offer_changes.push(change);
        }
        Ok(())
    }

    /// `n` units sold under stock `key`: apply the waiting changes that are due.
    fn count_sales(&mut self, key: &str, n: u32) {
        let mut due = Vec::new();
        self.offer_changes.retain_mut(|c| {
            if format!("s1:{}", c.product_id) != key {
                return true;
            }
            c.after_sales = c.after_sales.saturating_sub(n);
            if c.after_sales == 0 {
                due.push(c.clone());
                return false;
            }
            true
        });
        for c in due {
            self.apply_offer_change(&c);
        }
    }

    fn apply_offer_change(&mut self, c: &OfferChange) {
        let key = format!("s1:{}", c.product_id);
        let sold = self.sold.get(&key).copied().unwrap_or(0);
        let catalog = Arc::make_mut(&mut self.catalog);
        if let Some(p) = catalog.products.iter_mut().find(|p| p.id == c.product_id) {
            if let Some(price) = c.price {
                p.price = price;
            }
            if let Some(stock) = c.stock {
                p.initial_stock = sold + stock;
            }
        }
    }

    pub fn next_order_id(&mut self) -> u64 {
        self.next_order_id += 1;
        self.next_order_id
    }

    /// When an automatic OTP for something created at `now` arrives, if automatic OTPs are on.
    pub fn auto_otp_at(&self, now: SimTime) -> Option<SimTime> {
        self.config.otp_delay.map(|d| now + std_to_chrono(d))
    }

    /// Apply everything that is due at `now`.
    pub fn tick(&mut self, now: SimTime) {
        otpzap::sms_events::tick(self, now);
        otpzap::email::tick(self, now);
        otpzap::topup::tick(self, now);
        numberotp::tick(self, now);
        ooppay::tick(self, now);
    }
}

pub struct Sim {
    pub clock: SimClock,
    world: Mutex<World>,
    changes: watch::Sender<u64>,
    webhook_tx: mpsc::UnboundedSender<WebhookJob>,
    pub deliveries: Arc<Mutex<Vec<WebhookDelivery>>>,
    pub initial: SimConfig,
    base_url: String,
    pub shutdown: watch::Receiver<bool>,
}

impl Sim {
    pub fn new(
        initial: SimConfig,
        base_url: String,
        webhook_tx: mpsc::UnboundedSender<WebhookJob>,
        shutdown: watch::Receiver<bool>,
    ) -> Sim {
        let clock = SimClock::new();
        clock.set_scale(initial.clock_scale);
        let world = World::new(&initial, base_url.clone(), clock.now());
        Sim {
            clock,
            world: Mutex::new(world),
            changes: watch::channel(0).0,
            webhook_tx,
            deliveries: Arc::default(),
            initial,
            base_url,
            shutdown,
        }
    }

    /// Run `f` on the up-to-date world, then send the webhooks it queued and wake long-polls.
    pub fn with<R>(&self, f: impl FnOnce(&mut World, SimTime) -> R) -> R {
        let now = self.clock.now();
        let (result, outbox, changed) = {
            let mut w = self.world.lock().unwrap_or_else(|e| e.into_inner());
            w.tick(now);
            let result = f(&mut w, now);
            (
                result,
                std::mem::take(&mut w.outbox),
                std::mem::take(&mut w.changed),
            )
        };
        for job in outbox {
            let _ = self.webhook_tx.send(job);
        }
        if changed {
            self.changes.send_modify(|v| *v = v.wrapping_add(1));
        }
        result
    }

    pub fn tick(&self) {
        self.with(|_, _| ());
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Back to the state of a fresh start: accounts, orders, ledger, faults, log, config, clock.
    pub fn reset(&self) {
        self.clock.reset();
        self.clock.set_scale(self.initial.clock_scale);
        let fresh = World::new(&self.initial, self.base_url.clone(), self.clock.now());
        *self.world.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
        self.deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.changes.send_modify(|v| *v = v.wrapping_add(1));
    }
}
