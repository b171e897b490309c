//! OTPDesk engine: owns order state in SQLite, decides when to ask the providers, and announces
//! every committed change on a typed event stream. No Tauri: the CLI and the desktop app are thin
//! callers of [`Engine`].
//!
//! - [`store`]: SQLite (WAL, versioned migrations): orders + OTP timelines, deposits, purchase
//!   attempts with their Idempotency-Key, and the ledger of balance changes.
//! - [`buying`]: attempt first, then send; retry with the same key where the provider is
//!   idempotent, otherwise surface an unknown outcome instead of buying twice.
//! - [`scheduler`]: one tracker per provider key sharing one [`rate_budget::RateBudget`].
//! - [`allowed`]: what each provider allows an order now, one rules function per provider.
//! - [`actions`]: cancel / finish / resend / replace / email reorder with typed "not yet" errors.
//! - [`resume`]: picks everything up again after a restart or a crash.
//!
//! ```no_run
//! # async fn demo() -> otpdesk_engine::Result<()> {
//! use otpdesk_core::{ApiKey, ProviderId};
//! use otpdesk_engine::*;
//! let key = ApiKey::new("YOUR_OTPZAP_KEY").unwrap();
//! let cfg = EngineConfig::new("/home/me/.local/share/otpdesk")
//!     .provider(ProviderConfig::new(ProviderId::Otpzap, "https://otpzap.com/api/v1", key));
//! let engine = Engine::open(cfg).await?; // resumes every open order, deposit and purchase
//! let mut events = engine.subscribe(); // EngineEvent: serde, tagged by "type"
//! let order = engine
//!     .buy(BuyRequest::OtpzapS1 { product_id: 814090256, country_id: 7, platform_id: 1 })
//!     .await?;
//! let otp = engine.wait_for_otp(&order.id, None, std::time::Duration::from_secs(300)).await?;
//! println!("{} -> {:?}", order.phone.unwrap_or_default(), otp.code);
//! # let _ = events.try_recv();
//! engine.shutdown().await; // stops tracking; the store is consistent at every instant anyway
//! # Ok(()) }
//! ```
//!
//! Call [`Engine::shutdown`] before dropping the last handle: background trackers hold the engine.

pub mod actions;
pub mod again;
pub mod allowed;
pub mod automation_model;
pub mod batch;
pub mod blocklist;
pub mod buying;
pub mod catalog;
pub mod config;
mod context;
pub mod coord;
pub mod customers;
pub mod db;
mod engine;
pub mod error;
pub mod events;
pub mod history;
pub mod jobs;
mod late_deposits;
mod lease;
pub mod model;
mod money;
mod offers;
pub mod pricing;
mod provider;
pub mod rate_budget;
pub mod remote;
pub mod requests;
pub mod resume;
pub mod scheduler;
pub mod scoreboard;
pub mod store;
pub mod team;
pub mod templates;
mod tracking;
pub mod watch;

pub use again::OfferAgain;
pub use allowed::NUMBEROTP_NO_REFUND;
pub use batch::{BatchProgress, BatchRequest, BatchResult, BatchStop, BatchStopper, MAX_BATCH};
pub use blocklist::{BlockEntry, BlockKind, BlockSuggestion};
pub use catalog::{
    CatalogCountry, CatalogItem, CatalogSource, Choice, EmailDomainOffer, EmailSiteChoice, Partial,
};
pub use config::{EngineConfig, ProviderConfig, TrackingConfig};
pub use engine::{Engine, PaidCallsHeld};
pub use error::{EngineError, Result};
pub use events::EngineEvent;
pub use history::*;
pub use jobs::{JobOrder, JobRequest, JobState, JobView};
pub use model::*;
pub use offers::Catalog;
pub use otpdesk_core::ErrorCode;
pub use provider::{check_key, PriceLimits, Quote};
pub use rate_budget::Budget;
pub use scoreboard::{CancelWarning, Offer, OfferQuality};
pub use store::{RequestKind, RequestState, RequestView};
pub use watch::{WatchRequest, WatchState, WatchView};
