//! One error type for every engine call, with stable codes the UI can translate.

use crate::model::Time;
use otpdesk_core::ErrorCode;
use otpdesk_providers::ProviderError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Provider(#[from] ProviderError),

    #[error("The local store failed: {0}")]
    Store(#[from] crate::db::Error),

    /// The order book was written by a newer OTPDesk: refused, never downgraded.
    #[error("The order book {path} was written by a newer OTPDesk (schema {found}, this version knows up to {known}); update OTPDesk to open it.")]
    StoreTooNew {
        path: String,
        found: u32,
        known: u32,
    },

    /// The order book file is not a readable SQLite database.
    #[error("The order book {path} is damaged ({reason}). Quit OTPDesk, move that file aside and start again to begin a fresh one.")]
    StoreDamaged { path: String, reason: String },

    /// The provider charged for an order, but it could not be written to the order book yet. It is
    /// kept in memory and written again until it sticks; the purchase must not be repeated.
    #[error("You were charged for {what}, but it could not be saved yet ({reason}). Do not buy it again: OTPDesk keeps trying to save it (purchase {attempt_id}).")]
    ChargedNotSaved {
        attempt_id: String,
        what: String,
        reason: String,
    },

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

    /// The order reached a final status without the code that was waited for.
    #[error("The order ended ({status}) without a new code.")]
    OrderEnded { status: String },

    /// An argument that cannot be right (e.g. an OTPZap id that is not a number).
    #[error("{0}")]
    Invalid(String),

    /// Team mode: this member's role may not do it (checked here, whatever asked).
    #[error("As {role} of this team you cannot change {what}; ask the team's owner.")]
    TeamRole { role: String, what: String },

    /// Team mode: this login is not (or no longer) a member of the team.
    #[error("This computer's login is not a member of the team (any more); ask the owner for a new invite.")]
    NotTeamMember,

    /// Team mode: a request to the key holder's desktop was not carried out in time
    /// (`taken`: it was picked up and is still under way). It stays listed; a request nobody
    /// picked up can be withdrawn ([`crate::Engine::withdraw_request`]).
    #[error("{}", if *taken {
        format!("The owner's desktop is still carrying out this request ({request_id}); its result will appear here when it is done. Do not ask again.")
    } else {
        format!("The owner's desktop has not picked up this request ({request_id}): it may be closed or offline. Nothing was bought; withdraw the request or wait for it.")
    })]
    RequestWaiting { request_id: String, taken: bool },

    /// Team mode: no desktop holding `provider`'s key answered a catalog read or a quote in
    /// time (see `crate::requests::read`); nothing was bought.
    #[error("No computer with the {} key answers now (the owner's OTPDesk may be closed or offline): its offers and prices cannot be read. Nothing was bought.", provider.display_name())]
    NoKeyHolder { provider: otpdesk_core::ProviderId },

    /// Team mode: the key holder's desktop carried the request out and it failed there; `code`
    /// and `message` are as that desktop reported them.
    #[error("{message}")]
    Relayed {
        code: otpdesk_core::ErrorCode,
        message: String,
    },

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

    /// The fresh price is above the maximum price set for the purchase.
    #[error("The price is {current}, above your maximum of {max}; nothing was bought.")]
    PriceAboveMax {
        max: otpdesk_core::Money,
        current: otpdesk_core::Money,
    },

    /// Buying at `price` would take the balance under the floor set for a batch.
    #[error("Buying at {price} would take the balance of {balance} under your floor of {floor}; nothing more was bought.")]
    BelowMinBalance {
        balance: otpdesk_core::Money,
        price: otpdesk_core::Money,
        floor: otpdesk_core::Money,
    },
    /// The user stopped a batch after `bought` of `of` numbers.
    #[error("Stopped by you after {bought} of {of}; nothing more was bought.")]
    StoppedByUser { bought: u32, of: u32 },
}

impl EngineError {
    /// Stable machine code: provider errors keep the provider's code.
    pub fn code(&self) -> ErrorCode {
        match self {
            EngineError::Provider(e) => e.code(),
            EngineError::Store(crate::db::Error::Offline(_)) => ErrorCode::TeamOffline,
            EngineError::Store(crate::db::Error::Pg(e)) if crate::db::is_refused_login(e) => {
                ErrorCode::NotTeamMember
            }
            EngineError::Store(_) => ErrorCode::Store,
            EngineError::StoreTooNew { .. } => ErrorCode::StoreTooNew,
            EngineError::TeamRole { .. } => ErrorCode::TeamRole,
            EngineError::NotTeamMember => ErrorCode::NotTeamMember,
            EngineError::StoreDamaged { .. } => ErrorCode::StoreDamaged,
            // Charged but not saved yet: like an unknown outcome, it must not be bought again.
            EngineError::ChargedNotSaved { .. } => ErrorCode::OutcomeUnknown,
            EngineError::OrderNotFound(_) => ErrorCode::OrderNotFound,
            EngineError::DepositNotFound(_) => ErrorCode::DepositNotFound,
            EngineError::AttemptNotFound(_) => ErrorCode::AttemptNotFound,
            EngineError::ProviderNotConfigured(_) => ErrorCode::ProviderNotConfigured,
            EngineError::CancelCooldown { .. } => ErrorCode::CancelCooldown,
            EngineError::ResendLocked { .. } => ErrorCode::ResendLocked,
            EngineError::NotAllowed { .. } => ErrorCode::NotAllowed,
            EngineError::OutcomeUnknown { .. } => ErrorCode::OutcomeUnknown,
            EngineError::WaitTimeout => ErrorCode::WaitTimedOut,
            EngineError::OrderEnded { .. } => ErrorCode::EndedWithoutCode,
            EngineError::RequestWaiting { .. } => ErrorCode::TeamRequestWaiting,
            EngineError::NoKeyHolder { .. } => ErrorCode::TeamNoKeyHolder,
            EngineError::Relayed { code, .. } => *code,
            EngineError::Config(_) => ErrorCode::Config,
            EngineError::Invalid(_) => ErrorCode::Validation,
            EngineError::Shutdown => ErrorCode::Shutdown,
            EngineError::PriceChanged { .. } => ErrorCode::PriceChanged,
            EngineError::PriceAboveMax { .. } => ErrorCode::PriceAboveMax,
            EngineError::BelowMinBalance { .. } => ErrorCode::BelowMinBalance,
            EngineError::StoppedByUser { .. } => ErrorCode::StoppedByUser,
        }
    }

    /// The purchase attempt to check before buying again, when this error leaves one
    /// ([`ErrorCode::OutcomeUnknown`]).
    pub fn attempt_id(&self) -> Option<&str> {
        match self {
            EngineError::OutcomeUnknown { attempt_id }
            | EngineError::ChargedNotSaved { attempt_id, .. } => Some(attempt_id),
            _ => None,
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl From<rusqlite::Error> for EngineError {
    fn from(e: rusqlite::Error) -> Self {
        EngineError::Store(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_pass_provider_codes_through_and_name_the_attempt() {
        let e = EngineError::from(ProviderError::RateLimited { retry_after: None });
        assert_eq!(e.code(), ErrorCode::RateLimited);
        assert_eq!(e.attempt_id(), None);
        for e in [
            EngineError::OutcomeUnknown {
                attempt_id: "a1".into(),
            },
            EngineError::ChargedNotSaved {
                attempt_id: "a1".into(),
                what: "a number".into(),
                reason: "disk full".into(),
            },
        ] {
            assert!(e.code().is_outcome_unknown(), "{e}");
            assert_eq!(e.attempt_id(), Some("a1"));
        }
        assert_eq!(EngineError::WaitTimeout.code(), ErrorCode::WaitTimedOut);
        assert_eq!(
            EngineError::OrderEnded {
                status: "expired".into()
            }
            .code(),
            ErrorCode::EndedWithoutCode
        );
    }
}
