//! [`ErrorCode`]: the one list of stable machine codes for everything that can fail in OTPDesk, so
//! the providers, the engine, the app, the command line, the events and the UI (through the
//! generated TypeScript bindings) all name a failure the same way, with no string tables to drift.
//!
//! The wire form (serde, [`ErrorCode::as_str`], `Display`) is snake_case and stable: the UI
//! translates it, `otpdesk --json` prints it, and attempts store it in SQLite.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Defines [`ErrorCode`] with `ALL` and `as_str` from one list, so no variant can be left out of
/// either (the serde names are checked against `as_str` by a test).
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)+) => {
        /// A stable machine code for a failure. Each layer reports the code of its own failures and
        /// passes the codes of the layer below through unchanged.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The stable wire name (the same string serde writes).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                }
            }
        }
    };
}

error_codes! {
    // What a provider answered (or did not).
    /// The provider refused the API key (wrong, revoked, or not valid for this provider).
    Auth => "auth",
    /// The provider does not know this order, product, reference or activation.
    NotFound => "not_found",
    /// The provider says the order is not in a state that allows this action.
    Conflict => "conflict",
    /// The provider refuses the action for now (cancel cooldown, resend lock); it may work later.
    Cooldown => "cooldown",
    /// The provider asks us to send fewer requests.
    RateLimited => "rate_limited",
    /// The provider balance is below the price.
    InsufficientBalance => "insufficient_balance",
    /// No number or inbox is left for that product.
    OutOfStock => "out_of_stock",
    /// The provider refused the request's content, or we refused to send it.
    Validation => "validation",
    /// The provider failed (5xx, an HTML error page, a redirect).
    Upstream => "upstream",
    /// A successful reply that could not be read.
    Decode => "decode",
    /// No reply in time from a call that is safe to repeat.
    Timeout => "timeout",
    /// The provider could not be reached.
    Network => "network",
    /// A paid call may or may not have been charged: check it, never buy again blindly.
    OutcomeUnknown => "outcome_unknown",
    /// Any other refusal by the provider.
    Provider => "provider",

    // The order engine and its order book.
    /// The local order book failed.
    Store => "store",
    /// The order book was written by a newer OTPDesk; it is not opened.
    StoreTooNew => "store_too_new",
    /// The order book file is not a readable database.
    StoreDamaged => "store_damaged",
    /// The team's database server cannot be reached: nothing is bought until it is back.
    TeamOffline => "team_offline",
    /// Team mode: the desktop with the provider's key has not carried the request out in time
    /// (it stays listed; it can be withdrawn while nobody has picked it up).
    TeamRequestWaiting => "team_request_waiting",
    /// Team mode: no desktop with the provider's key answers now (the owner's OTPDesk is closed
    /// or offline), so its offers and prices cannot be read; nothing was bought.
    TeamNoKeyHolder => "team_no_key_holder",
    /// This member's role in the team does not allow it (owners keep settings and money).
    TeamRole => "team_role",
    /// This login is not a member of the team (any more).
    NotTeamMember => "not_team_member",
    /// A pasted text is not an OTPDesk team invite (or was cut short).
    BadInvite => "bad_invite",
    /// No such order is stored here.
    OrderNotFound => "order_not_found",
    /// No such deposit is stored here.
    DepositNotFound => "deposit_not_found",
    /// No such purchase attempt is stored here.
    AttemptNotFound => "attempt_not_found",
    /// The provider has no API key (or is otherwise not set up).
    ProviderNotConfigured => "provider_not_configured",
    /// Cancelling this order becomes possible later (see `unlocks_at`).
    CancelCooldown => "cancel_cooldown",
    /// A new code can be requested later, or once the next code arrives.
    ResendLocked => "resend_locked",
    /// The action is not possible for this order, deposit or attempt.
    NotAllowed => "not_allowed",
    /// Waiting for a code ran out of time; the order is still open.
    WaitTimedOut => "wait_timed_out",
    /// The order reached a final status without the code that was waited for.
    EndedWithoutCode => "ended_without_code",
    /// OTPDesk stopped while a purchase was under way (stored on the attempt).
    Interrupted => "interrupted",
    /// The provider charged for a purchase that the order book could not store yet; OTPDesk keeps
    /// trying (stored on the attempt).
    NotSaved => "not_saved",
    /// A replacement was refused and the old number is unchanged: nothing new was bought (stored
    /// on the attempt).
    NotReplaced => "not_replaced",
    /// The engine's configuration is invalid.
    Config => "config",
    /// The engine is shut down.
    Shutdown => "shutdown",
    /// The fresh price is higher than the one shown; nothing was bought.
    PriceChanged => "price_changed",
    /// The fresh price is above the maximum price set for the purchase; nothing was bought.
    PriceAboveMax => "price_above_max",
    /// Buying would take the balance under the floor set for the batch; nothing more was bought.
    BelowMinBalance => "below_min_balance",
    /// An auto-replace job reached its spending cap; nothing more was bought.
    CapReached => "cap_reached",
    /// An auto-replace job made all the replacements it was allowed; nothing more was bought.
    MaxReplacements => "max_replacements",
    /// The user stopped an auto-replace job or a batch; what was bought before the stop is
    /// kept, nothing more was bought.
    StoppedByUser => "stopped_by_user",

    // The OS keyring.
    /// The system keychain could not be opened.
    KeyringUnavailable => "keyring_unavailable",
    /// The system keychain refused to read or save a key.
    Keyring => "keyring",
    /// An empty API key was given.
    EmptyKey => "empty_key",

    // The desktop app.
    /// Not possible in demo mode (keys are never touched there).
    DemoMode => "demo_mode",
    /// Demo mode would hide real orders that are still running.
    ActiveOrders => "active_orders",
    /// The app is still starting, or could not open its data.
    NotReady => "not_ready",
    /// A settings value was refused.
    InvalidSettings => "invalid_settings",
    /// A provider address is not an `https://host` web address.
    InvalidAddress => "invalid_address",
    /// A provider address carries a user name or password (`user:pass@host`).
    AddressCredentials => "address_credentials",
    /// A provider address carries a query (`?`) or fragment (`#`).
    AddressQuery => "address_query",
    /// A provider address uses plain `http://` to another computer.
    InsecureAddress => "insecure_address",
    /// The user said no in a confirmation dialog; nothing was changed.
    Cancelled => "cancelled",
    /// A purchase, replacement or top-up is under way: the app does not restart for an update
    /// until it is done.
    PurchaseUnderWay => "purchase_under_way",
    /// The downloaded update could not be installed; the app goes on as it was.
    UpdateFailed => "update_failed",
    /// A failure with no better code (a bug, or an OS error).
    Internal => "internal",

    // The command line.
    /// No API key for the provider in the environment or the keyring.
    NoKey => "no_key",
    /// A command line mistake (unknown or missing argument, bad value).
    Usage => "usage",
    /// Standard input could not be read.
    Stdin => "stdin",
}

impl ErrorCode {
    /// Whether the failed request may have taken effect (and been charged) although no answer
    /// says so: the user must check and reconcile, and nothing may repeat it blindly.
    pub fn is_outcome_unknown(self) -> bool {
        matches!(self, ErrorCode::OutcomeUnknown)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not the wire name of any [`ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code {0:?}")]
pub struct UnknownErrorCode(pub String);

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;
    /// The code whose [`ErrorCode::as_str`] is exactly `s`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownErrorCode(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_round_trips_through_serde_as_its_wire_name() {
        for &c in ErrorCode::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()), "{c:?}");
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), c);
            assert_eq!(c.to_string(), c.as_str());
            assert_eq!(c.as_str().parse::<ErrorCode>().unwrap(), c);
        }
        assert!(serde_json::from_str::<ErrorCode>("\"weird_new_code\"").is_err());
        assert_eq!(
            "Auth".parse::<ErrorCode>(),
            Err(UnknownErrorCode("Auth".into()))
        );
    }

    #[test]
    fn wire_names_are_unique_snake_case() {
        let names: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for n in names {
            assert!(
                !n.is_empty() && n.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{n}"
            );
        }
    }

    #[test]
    fn only_outcome_unknown_forbids_a_blind_retry() {
        let unknown: Vec<_> = ErrorCode::ALL
            .iter()
            .filter(|c| c.is_outcome_unknown())
            .collect();
        assert_eq!(unknown, [&ErrorCode::OutcomeUnknown]);
    }
}
