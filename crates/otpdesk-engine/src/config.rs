//! How the engine is opened: where its data lives, which providers it talks to (endpoint, key,
//! rate budget, HTTP timeouts) and how it tracks. Keys stay in memory only.

use crate::rate_budget::Budget;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_providers::HttpOptions;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub provider: ProviderId,
    /// Up to and including the API version (`https://otpzap.com/api/v1`).
    pub base_url: String,
    pub key: ApiKey,
    pub budget: Budget,
    pub http: HttpOptions,
    /// Only its public catalog is read (no key): nothing is bought or tracked with it.
    pub catalog_only: bool,
}

impl ProviderConfig {
    pub fn new(provider: ProviderId, base_url: impl Into<String>, key: ApiKey) -> ProviderConfig {
        ProviderConfig {
            provider,
            base_url: base_url.into(),
            key,
            budget: Budget::DEFAULT,
            http: HttpOptions::default(),
            catalog_only: false,
        }
    }

    /// A provider whose public catalog is read without a key (NumberOTP's services, countries
    /// and prices): the engine buys and tracks nothing there.
    pub fn catalog_only(provider: ProviderId, base_url: impl Into<String>) -> ProviderConfig {
        let placeholder = ApiKey::new("public").expect("a non-empty placeholder");
        ProviderConfig {
            catalog_only: true,
            ..ProviderConfig::new(provider, base_url, placeholder)
        }
    }

    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    pub fn with_http(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }
}

#[derive(Debug, Clone)]
pub struct TrackingConfig {
    /// The documented poll interval (OTPZap: every 5 s) for orders waiting for a code.
    pub poll_interval: Duration,
    /// Orders that already have a code and are not waiting for a resend.
    pub idle_poll_interval: Duration,
    /// NumberOTP activations that have their code (one per activation, no resend).
    pub settled_poll_interval: Duration,
    pub deposit_poll_interval: Duration,
    /// Errors back off exponentially up to this.
    pub max_backoff: Duration,
    /// NumberOTP: use `/wait` (falls back to polling while it fails).
    pub long_poll: bool,
    /// Ordinary polls in flight per provider (long-polls are not counted).
    pub max_in_flight: usize,
    /// Sends of one purchase before it is reported as unknown.
    pub buy_max_tries: u32,
    /// First retry delay of a purchase; doubles each try.
    pub buy_retry_base: Duration,
    /// OTPZap's documented cancel cooldown after purchase (2 minutes).
    pub cancel_cooldown: Duration,
    /// A purchase is sent again automatically (same Idempotency-Key) only this long after its
    /// first send, by the run that sent it. Past that only the user buys again.
    pub resend_window: Duration,
    /// A tracking lease lasts this long unless renewed; another process takes over after it.
    pub lease_ttl: Duration,
    /// How often leases and this instance's heartbeat are renewed, and free leases tried.
    pub lease_renew: Duration,
    /// How often the events of other processes on the same order book are read.
    pub tail_interval: Duration,
    /// How long a store statement waits for another process's write.
    pub store_busy_timeout: Duration,
    /// An expired QRIS invoice is still checked this long after we saw it expire: QRIS
    /// payments do settle late, and Indonesian panels keep checking for 3 hours.
    pub late_deposit_window: Duration,
    /// Back-off of those checks: a quarter of the time since expiry, within these bounds.
    pub late_deposit_min_interval: Duration,
    pub late_deposit_max_interval: Duration,
    /// An auto-replace job looks at its number at least this often.
    pub job_tick: Duration,
    /// How often watched offers are quoted (by the process that tracks their provider).
    pub watch_interval: Duration,
    /// Team mode: how long a desktop without a provider's key waits for the key holder's
    /// desktop to pick up its request before saying so (see `crate::requests`).
    pub request_wait: Duration,
    /// Team mode: how long a desktop without a provider's key waits for the key holder to pick
    /// up a catalog read or a quote (see `crate::requests::read`).
    pub read_wait: Duration,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        TrackingConfig {
            poll_interval: Duration::from_secs(5),
            idle_poll_interval: Duration::from_secs(15),
            settled_poll_interval: Duration::from_secs(60),
            deposit_poll_interval: Duration::from_secs(5),
            max_backoff: Duration::from_secs(60),
            long_poll: true,
            max_in_flight: 32,
            buy_max_tries: 5,
            buy_retry_base: Duration::from_millis(200),
            cancel_cooldown: Duration::from_secs(120),
            resend_window: Duration::from_secs(60),
            lease_ttl: Duration::from_secs(6),
            lease_renew: Duration::from_secs(2),
            tail_interval: Duration::from_millis(150),
            store_busy_timeout: crate::store::BUSY_TIMEOUT,
            late_deposit_window: Duration::from_secs(3 * 3600),
            late_deposit_min_interval: Duration::from_secs(60),
            late_deposit_max_interval: Duration::from_secs(15 * 60),
            job_tick: Duration::from_secs(1),
            watch_interval: Duration::from_secs(60),
            request_wait: Duration::from_secs(30),
            read_wait: Duration::from_secs(12),
        }
    }
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The SQLite file lives here.
    pub data_dir: PathBuf,
    pub providers: Vec<ProviderConfig>,
    pub tracking: TrackingConfig,
    /// Events buffered per slow subscriber before it starts missing some.
    pub event_capacity: usize,
    /// Team mode: the order book and coordination live on this PostgreSQL server instead of the
    /// SQLite files in `data_dir`.
    pub team: Option<crate::db::PgConfig>,
}

impl EngineConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> EngineConfig {
        EngineConfig {
            data_dir: data_dir.into(),
            providers: Vec::new(),
            tracking: TrackingConfig::default(),
            event_capacity: 4096,
            team: None,
        }
    }

    pub fn provider(mut self, p: ProviderConfig) -> Self {
        self.providers.retain(|x| x.provider != p.provider);
        self.providers.push(p);
        self
    }
}
