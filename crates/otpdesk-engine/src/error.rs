//! One error type for every engine call, with stable codes the UI can translate.

use crate::model::Time;
use otpdesk_providers::ProviderError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Provider(#[from] ProviderError),

    #[error("The local store failed: {0}")]
    Store(#[from] rusqlite::Error),

    #[error("No order {0} is stored here.")]
    OrderNotFound(String),

    #[error("No deposit {0} is stored here.")]
    DepositNotFound(String),

    #[error("No purchase attempt {0} is stored here.")]
    AttemptNotFound(String),

    #[error("{0} is not configured.")]
    ProviderNotConfigured(otpdesk_core::ProviderId),

    #[error("Cancel is possible from {unlocks_at}.")]
    CancelCooldown { unlocks_at: Time },

    #[error("Resend is locked {}.", match unlocks_at { Some(t) => format!("until {t}"), None => "until a new code arrives".to_string() })]
    ResendLocked { unlocks_at: Option<Time> },

    #[error("{action} is not possible for this order: {reason}")]
    NotAllowed {
        action: &'static str,
        reason: String,
    },

    /// The purchase may or may not have happened; it is listed for the user to reconcile.
    #[error("The outcome of purchase {attempt_id} is unknown; check it before buying again.")]
    OutcomeUnknown { attempt_id: String },

    #[error("Timed out waiting for a code.")]
    WaitTimeout,

    #[error("Invalid configuration: {0}")]
    Config(String),

    #[error("The engine is shut down.")]
    Shutdown,

    /// The fresh price is higher than the one the user saw (or in another currency).
    #[error("The price changed from {} to {}; nothing was bought.", expected.to_decimal_string(), current.to_decimal_string())]
    PriceChanged {
        expected: otpdesk_core::Money,
        current: otpdesk_core::Money,
    },
}

impl EngineError {
    /// Stable machine code: provider errors keep the provider's code.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Provider(e) => e.code(),
            EngineError::Store(_) => "store",
            EngineError::OrderNotFound(_) => "order_not_found",
            EngineError::DepositNotFound(_) => "deposit_not_found",
            EngineError::AttemptNotFound(_) => "attempt_not_found",
            EngineError::ProviderNotConfigured(_) => "provider_not_configured",
            EngineError::CancelCooldown { .. } => "cancel_cooldown",
            EngineError::ResendLocked { .. } => "resend_locked",
            EngineError::NotAllowed { .. } => "not_allowed",
            EngineError::OutcomeUnknown { .. } => "outcome_unknown",
            EngineError::WaitTimeout => "wait_timeout",
            EngineError::Config(_) => "config",
            EngineError::Shutdown => "shutdown",
            EngineError::PriceChanged { .. } => "price_changed",
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
