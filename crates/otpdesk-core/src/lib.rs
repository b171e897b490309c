//! Domain types shared by every OTPDesk crate. No IO, no Tauri.
//!
//! - [`ProviderId`]: which provider a thing belongs to.
//! - [`ErrorCode`]: the stable machine code of every failure, shared by every layer and the UI.
//! - [`address`]: provider base URLs checked before a key goes there, and the origin a key is bound to.
//! - [`money`]: integer minor units per currency (IDR whole rupiah, USDT micro-units); never `f64`.
//! - [`time`]: provider timestamps ("2026-05-19 10:30:00 WIB", Unix seconds, RFC 3339) to UTC.
//! - [`secret`]: [`ApiKey`], a string that never shows itself in `Debug`, `Display` or serde.
//! - [`status`]: tolerant order / deposit status enums that keep unknown values.

pub mod address;
pub mod error_code;
pub mod money;
pub mod provider;
pub mod secret;
pub mod status;
pub mod time;

pub use error_code::{ErrorCode, UnknownErrorCode};
pub use money::{Currency, Money, MoneyError};
pub use provider::ProviderId;
pub use secret::ApiKey;
pub use status::{DepositStatus, OrderStatus};
pub use time::{parse_provider_time, Timestamp};
