//! Domain types shared by every OTPDesk crate. No IO, no Tauri.
//!
//! - [`ProviderId`]: which provider a thing belongs to.
//! - [`ErrorCode`]: the stable machine code of every failure, shared by every layer and the UI.
//! - [`address`]: provider base URLs checked before a key goes there, and the origin a key is bound to.
//! - [`money`]: integer minor units per currency (IDR whole rupiah, USDT micro-units); never `f64`.
//! - [`time`]: provider timestamps ("2026-05-19 10:30:00 WIB", Unix seconds, RFC 3339) to UTC.
//! - [`secret`]: [`ApiKey`], a string that never shows itself in `Debug`, `Display` or serde.
//! - [`status`]: tolerant order / deposit status enums that keep unknown values.
//! - [`APP_IDENTIFIER`]: the app's one identifier (bundle id, keyring service, data folder name).

pub mod address;
pub mod error_code;
pub mod money;
pub mod provider;
pub mod secret;
pub mod status;
pub mod time;

/// The app's identifier, in ONE place: `tauri.conf.json`'s `identifier` (bundle id on macOS,
/// AppUserModelID on Windows, D-Bus names on Linux), the keyring service of the app and the CLI,
/// and the name of the data folder they share (`<OS data dir>/com.otpdesk.desktop`). Tauri reads
/// the identifier from `tauri.conf.json`; a test in the app crate asserts both agree. Changing it
/// after a release strands every user's keys and orders: it must not change again.
pub const APP_IDENTIFIER: &str = "com.otpdesk.desktop";

pub use error_code::{ErrorCode, UnknownErrorCode};
pub use money::{Currency, Money, MoneyError};
pub use provider::ProviderId;
pub use secret::ApiKey;
pub use status::{DepositStatus, OrderStatus};
pub use time::{parse_provider_time, Timestamp};
