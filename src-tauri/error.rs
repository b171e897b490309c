//! [`AppError`]: the one error every command returns. `code` is the shared [`ErrorCode`] (the UI
//! translates it); `message` is an English sentence for logs and fallbacks. Built from the engine,
//! provider and keyring errors, whose messages never contain an API key.

use chrono::Utc;
pub use otpdesk_core::ErrorCode;
use otpdesk_core::ProviderId;
use otpdesk_engine::{EngineError, Time};
use otpdesk_providers::ProviderError;
use otpdesk_secrets::SecretError;
use serde::Serialize;

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

    /// Restarting (for an update) is refused while `n` paid calls are under way.
    pub fn purchase_under_way(n: usize) -> AppError {
        AppError::new(
            ErrorCode::PurchaseUnderWay,
            format!("{n} purchase(s) under way; restart to update once they are done."),
        )
    }
}

impl From<ProviderError> for AppError {
    fn from(e: ProviderError) -> AppError {
        let mut out = AppError::new(e.code(), e.to_string());
        out.unlocks_at = e
            .retry_after()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| Utc::now() + d);
        out
    }
}

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> AppError {
        let e = match e {
            EngineError::Provider(p) => return p.into(),
            other => other,
        };
        let unlocks_at = match &e {
            EngineError::CancelCooldown { unlocks_at } => Some(*unlocks_at),
            EngineError::ResendLocked { unlocks_at } => *unlocks_at,
            _ => None,
        };
        let provider = match &e {
            EngineError::ProviderNotConfigured(p) => Some(*p),
            _ => None,
        };
        AppError {
            provider,
            unlocks_at,
            attempt_id: e.attempt_id().map(str::to_string),
            ..AppError::new(e.code(), e.to_string())
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

    #[test]
    fn engine_codes_are_carried_as_is() {
        let cases = [
            (
                EngineError::StoreTooNew {
                    path: "orders.db".into(),
                    found: 9,
                    known: 3,
                },
                ErrorCode::StoreTooNew,
            ),
            (
                EngineError::OrderEnded {
                    status: "expired".into(),
                },
                ErrorCode::EndedWithoutCode,
            ),
            (
                EngineError::ChargedNotSaved {
                    attempt_id: "a2".into(),
                    what: "a number".into(),
                    reason: "disk full".into(),
                },
                ErrorCode::OutcomeUnknown,
            ),
            (
                EngineError::ProviderNotConfigured(ProviderId::Numberotp),
                ErrorCode::ProviderNotConfigured,
            ),
            (
                EngineError::PriceAboveMax {
                    max: otpdesk_core::Money::idr(2_800),
                    current: otpdesk_core::Money::idr(2_835),
                },
                ErrorCode::PriceAboveMax,
            ),
            (
                EngineError::BelowMinBalance {
                    balance: otpdesk_core::Money::idr(10_000),
                    price: otpdesk_core::Money::idr(2_835),
                    floor: otpdesk_core::Money::idr(8_000),
                },
                ErrorCode::BelowMinBalance,
            ),
            (
                ProviderError::Auth {
                    message: "no".into(),
                }
                .into(),
                ErrorCode::Auth,
            ),
        ];
        for (engine, code) in cases {
            let expected_attempt = engine.attempt_id().map(str::to_string);
            let e: AppError = engine.into();
            assert_eq!(e.code, code);
            assert_eq!(e.attempt_id, expected_attempt);
        }
        let e: AppError = EngineError::ProviderNotConfigured(ProviderId::Numberotp).into();
        assert_eq!(e.provider, Some(ProviderId::Numberotp));
        assert_eq!(
            serde_json::to_value(&e).unwrap()["code"],
            "provider_not_configured"
        );
    }
}
