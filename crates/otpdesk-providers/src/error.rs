//! [`ProviderError`]: the one error type every client returns, shaped for what a UI or the order
//! engine can do about it. Messages are one sentence and never contain the API key.

use otpdesk_core::ErrorCode;
use std::time::Duration;

/// The longest wait we accept from a provider (`Retry-After` header, `retry_after` in a body, an
/// HTTP date): anything longer, however absurd, is read as this. A provider that asks for more is
/// asked again after 10 minutes.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Bad, missing or revoked API key (HTTP 401/403).
    #[error("The provider rejected the API key: {message}")]
    Auth { message: String },

    /// Unknown order, product, reference or activation (HTTP 404).
    #[error("The provider does not know this item: {message}")]
    NotFound { message: String },

    /// The order is not in a state that allows this action, e.g. cancel of a finished order (409).
    #[error("The order is not in a state that allows this: {message}")]
    Conflict { message: String },

    /// Cancel cooldown or resend lock: the same action may succeed after `retry_after`.
    #[error("Not yet allowed, try again {}: {message}", after(retry_after))]
    Cooldown {
        retry_after: Option<Duration>,
        message: String,
    },

    /// Too many requests (429 without a cooldown code).
    #[error(
        "The provider is rate limiting requests, try again {}.",
        after(retry_after)
    )]
    RateLimited { retry_after: Option<Duration> },

    /// The account balance is below the price (402).
    #[error("The provider balance is too low: {message}")]
    InsufficientBalance { message: String },

    /// No number / inbox left for that product.
    #[error("Out of stock: {message}")]
    OutOfStock { message: String },

    /// The provider refused the request's content (400/422), or a request we refused to send.
    #[error("The provider refused the request{}: {message}", field.as_deref().map(|f| format!(" (field `{f}`)")).unwrap_or_default())]
    Validation {
        field: Option<String>,
        message: String,
    },

    /// The provider failed (5xx, HTML error page, redirect). `excerpt` is tag-free, ≤ 200 chars.
    #[error("The provider failed with HTTP {status}: {excerpt}")]
    Upstream { status: u16, excerpt: String },

    /// A successful reply we could not read.
    #[error("The reply from {endpoint} could not be read: {reason}")]
    Decode { endpoint: String, reason: String },

    /// No reply in time from a call that is safe to repeat.
    #[error("The provider did not answer {endpoint} in time.")]
    Timeout { endpoint: String },

    /// Could not reach the provider (DNS, refused connection, reset before a paid call was sent).
    #[error("Could not reach the provider for {endpoint}: {reason}")]
    Network { endpoint: String, reason: String },

    /// A paid call (order/email/top-up/activation/payment create, replace) was sent but its reply
    /// was lost or unreadable: it may or may not have been charged. Reconcile, don't blindly retry.
    #[error("The outcome of {endpoint} is unknown and it may have been charged: {reason}")]
    OutcomeUnknown { endpoint: String, reason: String },

    /// Any other refusal, with the provider's own code when it sent one.
    #[error("The provider refused the request (HTTP {status}{}): {message}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Provider {
        status: u16,
        code: Option<String>,
        message: String,
    },
}

fn after(d: &Option<Duration>) -> String {
    match d {
        Some(d) => format!("in {} s", d.min(&MAX_RETRY_AFTER).as_secs().max(1)),
        None => "later".to_string(),
    }
}

impl ProviderError {
    /// How long the provider asked us to wait, when it said; never more than
    /// [`MAX_RETRY_AFTER`] (even for an error built by hand).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::Cooldown { retry_after, .. }
            | ProviderError::RateLimited { retry_after } => {
                retry_after.map(|d| d.min(MAX_RETRY_AFTER))
            }
            _ => None,
        }
    }

    /// Whether repeating the same *idempotent* call later may succeed (rate limit, cooldown,
    /// timeout, network, 5xx). Never true for `OutcomeUnknown`: that needs reconciliation.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Cooldown { .. }
                | ProviderError::Timeout { .. }
                | ProviderError::Network { .. }
                | ProviderError::Upstream { .. }
        )
    }

    /// Stable machine code for the UI, the command line and logs.
    pub fn code(&self) -> ErrorCode {
        match self {
            ProviderError::Auth { .. } => ErrorCode::Auth,
            ProviderError::NotFound { .. } => ErrorCode::NotFound,
            ProviderError::Conflict { .. } => ErrorCode::Conflict,
            ProviderError::Cooldown { .. } => ErrorCode::Cooldown,
            ProviderError::RateLimited { .. } => ErrorCode::RateLimited,
            ProviderError::InsufficientBalance { .. } => ErrorCode::InsufficientBalance,
            ProviderError::OutOfStock { .. } => ErrorCode::OutOfStock,
            ProviderError::Validation { .. } => ErrorCode::Validation,
            ProviderError::Upstream { .. } => ErrorCode::Upstream,
            ProviderError::Decode { .. } => ErrorCode::Decode,
            ProviderError::Timeout { .. } => ErrorCode::Timeout,
            ProviderError::Network { .. } => ErrorCode::Network,
            ProviderError::OutcomeUnknown { .. } => ErrorCode::OutcomeUnknown,
            ProviderError::Provider { .. } => ErrorCode::Provider,
        }
    }

    /// A request we refuse to send (bad argument), reported like a provider validation error.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::Validation {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        let e = ProviderError::Cooldown {
            retry_after: Some(Duration::from_secs(90)),
            message: "wait".into(),
        };
        assert_eq!(e.retry_after(), Some(Duration::from_secs(90)));
        assert!(e.is_retryable());
        assert_eq!(e.code(), ErrorCode::Cooldown);
        assert_eq!(e.to_string(), "Not yet allowed, try again in 90 s: wait");
        let e = ProviderError::OutcomeUnknown {
            endpoint: "POST /order/create".into(),
            reason: "timed out".into(),
        };
        assert!(!e.is_retryable());
        assert_eq!(e.code(), ErrorCode::OutcomeUnknown);
        assert!(e.code().is_outcome_unknown());
        let e = ProviderError::Validation {
            field: Some("amount".into()),
            message: "must be positive".into(),
        };
        assert_eq!(
            e.to_string(),
            "The provider refused the request (field `amount`): must be positive"
        );
        let e = ProviderError::RateLimited { retry_after: None };
        assert_eq!(
            e.to_string(),
            "The provider is rate limiting requests, try again later."
        );
        // Even an error built by hand never shows or hands out an absurd wait.
        let e = ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(u64::MAX)),
        };
        assert_eq!(
            e.to_string(),
            "The provider is rate limiting requests, try again in 600 s."
        );
        assert_eq!(e.retry_after(), Some(MAX_RETRY_AFTER));
        let e = ProviderError::Provider {
            status: 418,
            code: Some("teapot".into()),
            message: "no".into(),
        };
        assert_eq!(
            e.to_string(),
            "The provider refused the request (HTTP 418, teapot): no"
        );
    }
}
