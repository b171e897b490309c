//! Typed async clients for the three provider APIs OTPDesk talks to, and webhook verification.
//!
//! - [`OtpZapClient`] (SMS numbers on Servers 1/2, email inboxes on Server 3, QRIS top-ups),
//!   [`NumberOtpClient`] (SMS activations with a long poll), [`OopPayClient`] (USDT payments).
//!   Each is built with `new(base_url, ApiKey, HttpOptions)` and is cheap to clone.
//! - Every call returns [`ProviderError`], one enum a UI can act on (`code()`, `retry_after()`,
//!   `is_retryable()`); paid calls whose reply was lost are `OutcomeUnknown`.
//! - Replies are decoded leniently: unknown fields are kept in `extra`, unknown statuses become
//!   `Unknown(..)`, IDs may be numbers or strings, amounts are exact [`Money`], and no body panics.
//! - [`webhook`]: HMAC verification and payload parsing for each provider's webhooks.
//!
//! Shapes the provider docs leave out follow `docs/WIRE.md`.

pub mod error;
mod http;
mod lenient;
pub mod numberotp;
pub mod ooppay;
pub mod otpzap;
pub mod webhook;

#[cfg(test)]
mod proptests;

pub use error::{ProviderError, MAX_RETRY_AFTER};
pub use http::HttpOptions;
pub use lenient::{Extra, Id};
pub use numberotp::{
    Activation, NumberOtpClient, NumberOtpCountry, NumberOtpPrice, NumberOtpService,
};
pub use ooppay::{CreatePayment, OopPayClient, PaymentOrder};
pub use otpdesk_core::{ApiKey, Currency, DepositStatus, ErrorCode, Money, OrderStatus, Timestamp};
pub use otpzap::OtpZapClient;
pub use webhook::WebhookError;
