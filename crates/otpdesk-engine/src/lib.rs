//! OTPDesk engine: owns order state in SQLite, decides when to ask the providers, and announces
//! every committed change on a typed event stream. No Tauri: the CLI and the desktop app are thin
//! callers of [`Engine`].
//!
//! - [`store`]: SQLite (WAL, versioned migrations): orders + OTP timelines, deposits, purchase
//!   attempts with their Idempotency-Key, and the ledger of balance changes.
//! - [`buying`]: attempt first, then send; retry with the same key where the provider is
//!   idempotent, otherwise surface an unknown outcome instead of buying twice.
//! - [`scheduler`]: one tracker per provider key sharing one [`rate_budget::RateBudget`].
//! - [`actions`]: cancel / finish / resend / replace / email reorder with typed "not yet" errors.
//! - [`resume`]: picks everything up again after a restart or a crash.

pub mod actions;
pub mod buying;
pub mod config;
mod engine;
pub mod error;
pub mod events;
mod gateway;
pub mod model;
pub mod rate_budget;
pub mod remote;
pub mod resume;
pub mod scheduler;
pub mod store;
mod tracking;

pub use config::{EngineConfig, ProviderConfig, TrackingConfig};
pub use engine::Engine;
pub use error::{EngineError, Result};
pub use events::EngineEvent;
pub use model::*;
pub use rate_budget::Budget;
