//! OTPZap client (`https://otpzap.com/api/v1`): balance and QRIS top-ups, the Server 1/2/3
//! catalogues, SMS and email orders, and webhook configuration. Amounts are IDR.
//!
//! Replies use the documented `{"success":true,"data":{...}}` envelope; errors follow WIRE.md.

mod catalog;
mod deposits;
mod email;
mod orders;
mod webhook_config;

pub use catalog::{
    Country, EmailDomain, EmailSite, EmailSites, Pagination, Product, ProductPage, ProductQuery,
    ProductSort, S1Service, S2Service,
};
pub use deposits::{Balance, Topup, TopupStatus};
pub use email::{
    EmailCancelled, EmailCheck, EmailDomainChoice, EmailMessage, EmailOrder, EmailOrderRequest,
    EmailStateChange,
};
pub use orders::{
    CancelledOrder, CreatedOrder, FinishedOrder, Order, OrderRequest, OrderedService, Otp,
    ReplacedOrder, ResendResult,
};
pub use webhook_config::{WebhookConfig, WebhookUpdate, WebhookUpdated};

#[cfg(test)]
pub(crate) use catalog::decoders as catalog_decoders;
pub(crate) use deposits::decoders as deposit_decoders;
pub(crate) use email::decoders as email_decoders;
pub(crate) use orders::decoders as order_decoders;
#[cfg(test)]
pub(crate) use webhook_config::decoders as webhook_config_decoders;

use crate::error::ProviderError;
use crate::http::{Envelope, HttpOptions, Transport};
use crate::lenient::Obj;
use otpdesk_core::{ApiKey, Currency};

/// Async OTPZap client. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct OtpZapClient {
    http: Transport,
}

impl OtpZapClient {
    pub const DEFAULT_BASE_URL: &'static str = "https://otpzap.com/api/v1";

    /// `base_url` up to and including `/api/v1`, e.g. [`Self::DEFAULT_BASE_URL`].
    pub fn new(
        base_url: &str,
        key: ApiKey,
        options: HttpOptions,
    ) -> Result<OtpZapClient, ProviderError> {
        Ok(OtpZapClient {
            http: Transport::new(base_url, key, options, Envelope::Success)?,
        })
    }

    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }
}

/// OTPZap prices are rupiah; a `currency` field, when sent, must agree with a known currency.
fn currency(o: &mut Obj<'_>) -> Result<Currency, String> {
    o.currency("currency", Currency::Idr)
}
