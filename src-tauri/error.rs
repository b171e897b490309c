//! [`AppError`]: the one error every command returns. `code` is stable (the UI translates it);
//! `message` is an English sentence for logs and fallbacks. Mapped from the engine, provider and
//! keyring errors, whose messages never contain an API key.

use chrono::Utc;
use otpdesk_core::ProviderId;
use otpdesk_engine::{EngineError, Time};
use otpdesk_providers::ProviderError;
use otpdesk_secrets::SecretError;
use serde::Serialize;

/// Stable error codes. Provider and engine codes keep the names their crates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // The provider's answer.
    /// The API key was refused (wrong, revoked, or not valid for this provider).
    Auth,
    NotFound,
    Conflict,
    /// Not yet allowed; see `unlocks_at`.
    Cooldown,
    RateLimited,
    InsufficientBalance,
    OutOfStock,
    Validation,
    Upstream,
    Decode,
    Timeout,
    Network,
    /// A purchase may or may not have been charged: check `attempt_id` before buying again.
    OutcomeUnknown,
    Provider,
    // The engine.
    Store,
    OrderNotFound,
    DepositNotFound,
    AttemptNotFound,
    ProviderNotConfigured,
    CancelCooldown,
    ResendLocked,
    NotAllowed,
    WaitTimeout,
    Config,
    Shutdown,
    /// The fresh price is higher than the one shown; nothing was bought.
    PriceChanged,
    // The OS keyring.
    KeyringUnavailable,
    Keyring,
    EmptyKey,
    // The app.
    /// Not possible in demo mode (keys are never touched there).
    DemoMode,
    /// Demo mode would hide real orders that are still running.
    ActiveOrders,
    /// The app is still starting, or could not open its data.
    NotReady,
    /// A settings value was refused.
    InvalidSettings,
    /// A provider address is not an `https://host…` web address.
    InvalidAddress,
    /// A provider address carries a user name or password (`user:pass@host`).
    AddressCredentials,
    /// A provider address carries a query (`?`) or fragment (`#`).
    AddressQuery,
    /// A provider address uses plain `http://` to another computer.
    InsecureAddress,
    /// The user said no in a confirmation dialog; nothing was changed.
    Cancelled,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The provider the error came from, when one did.
    pub provider: Option<ProviderId>,
    /// When the refused action becomes possible (cooldowns, resend locks, rate limits).
    pub unlocks_at: Option<Time>,
    /// For `outcome_unknown`: the purchase attempt to check before buying again.
    pub attempt_id: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            provider: None,
            unlocks_at: None,
            attempt_id: None,
        }
    }

    pub fn with_provider(mut self, provider: ProviderId) -> AppError {
        self.provider = Some(provider);
        self
    }

    pub fn internal(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Internal, message)
    }
}

impl From<ProviderError> for AppError {
    fn from(e: ProviderError) -> AppError {
        let code = match &e {
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
        };
        let mut out = AppError::new(code, e.to_string());
        out.unlocks_at = e
            .retry_after()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| Utc::now() + d);
        out
    }
}

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> AppError {
        let message = e.to_string();
        let (code, unlocks_at, attempt_id) = match e {
            EngineError::Provider(p) => return p.into(),
            EngineError::Store(_)
            | EngineError::StoreTooNew { .. }
            | EngineError::StoreDamaged { .. } => (ErrorCode::Store, None, None),
            EngineError::ChargedNotSaved { attempt_id, .. } => {
                (ErrorCode::OutcomeUnknown, None, Some(attempt_id))
            }
            EngineError::OrderEnded { .. } => (ErrorCode::NotAllowed, None, None),
            EngineError::OrderNotFound(_) => (ErrorCode::OrderNotFound, None, None),
            EngineError::DepositNotFound(_) => (ErrorCode::DepositNotFound, None, None),
            EngineError::AttemptNotFound(_) => (ErrorCode::AttemptNotFound, None, None),
            EngineError::ProviderNotConfigured(p) => {
                return AppError::new(ErrorCode::ProviderNotConfigured, message).with_provider(p)
            }
            EngineError::CancelCooldown { unlocks_at } => {
                (ErrorCode::CancelCooldown, Some(unlocks_at), None)
            }
            EngineError::ResendLocked { unlocks_at } => (ErrorCode::ResendLocked, unlocks_at, None),
            EngineError::NotAllowed { .. } => (ErrorCode::NotAllowed, None, None),
            EngineError::OutcomeUnknown { attempt_id } => {
                (ErrorCode::OutcomeUnknown, None, Some(attempt_id))
            }
            EngineError::WaitTimeout => (ErrorCode::WaitTimeout, None, None),
            EngineError::Config(_) => (ErrorCode::Config, None, None),
            EngineError::Invalid(_) => (ErrorCode::Validation, None, None),
            EngineError::Shutdown => (ErrorCode::Shutdown, None, None),
            EngineError::PriceChanged { .. } => (ErrorCode::PriceChanged, None, None),
        };
        AppError {
            unlocks_at,
            attempt_id,
            ..AppError::new(code, message)
        }
    }
}

impl From<SecretError> for AppError {
    fn from(e: SecretError) -> AppError {
        let code = match &e {
            SecretError::Unavailable(_) => ErrorCode::KeyringUnavailable,
            SecretError::Keyring(_) => ErrorCode::Keyring,
            SecretError::Empty => ErrorCode::EmptyKey,
        };
        AppError::new(code, e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn cooldowns_carry_their_unlock_instant() {
        let t = Utc::now();
        let e: AppError = EngineError::CancelCooldown { unlocks_at: t }.into();
        assert_eq!((e.code, e.unlocks_at), (ErrorCode::CancelCooldown, Some(t)));
        let e: AppError = ProviderError::Cooldown {
            retry_after: Some(Duration::from_secs(60)),
            message: "wait".into(),
        }
        .into();
        assert_eq!(e.code, ErrorCode::Cooldown);
        assert!(e.unlocks_at.unwrap() > t);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "cooldown");
    }

    #[test]
    fn outcome_unknown_names_the_attempt() {
        let e: AppError = EngineError::OutcomeUnknown {
            attempt_id: "a1".into(),
        }
        .into();
        assert_eq!(e.code, ErrorCode::OutcomeUnknown);
        assert_eq!(e.attempt_id.as_deref(), Some("a1"));
    }
}
