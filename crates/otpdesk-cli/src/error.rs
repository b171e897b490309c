//! [`CliError`]: everything that ends a command, printed to stderr as one sentence.

use chrono::Local;
use otpdesk_core::{ErrorCode, ProviderId};
use otpdesk_engine::EngineError;
use otpdesk_providers::ProviderError;
use otpdesk_secrets::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("No {} API key: set {env} or save one with `otpdesk keys set {}`.", .provider.display_name(), .provider.as_str())]
    NoKey {
        provider: ProviderId,
        env: &'static str,
    },
    #[error("{}: {source}", .provider.display_name())]
    Provider {
        provider: ProviderId,
        source: ProviderError,
    },
    #[error("{}", engine_sentence(.0))]
    Engine(#[from] EngineError),
    #[error("{0}")]
    Secret(#[from] SecretError),
    #[error("{0}")]
    Usage(String),
    #[error("Gave up waiting for a code after {0} s; the order is still open, run `otpdesk wait` again or cancel it.")]
    WaitTimedOut(u64),
    #[error("The order ended as {0} without a code.")]
    EndedWithoutCode(String),
    #[error("Could not read from standard input: {0}")]
    Stdin(std::io::Error),
    /// A batch stopped before buying all it was asked to (what it bought is printed).
    #[error("Bought {bought} of {of}, then stopped: {}{}", .stop.message, match &.stop.attempt_id {
        Some(id) => format!(" Check purchase {id} with `otpdesk attempts list` before buying again."),
        None => String::new(),
    })]
    BatchStopped {
        bought: usize,
        of: u32,
        stop: otpdesk_engine::BatchStop,
    },
    /// An auto-replace job ended without a code (what it bought is printed).
    #[error("{message}")]
    JobEnded { code: ErrorCode, message: String },
}

impl CliError {
    /// Exit status: 2 for usage and configuration mistakes, 3 when waiting ran out, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self.code() {
            ErrorCode::Usage | ErrorCode::NoKey => 2,
            ErrorCode::WaitTimedOut => 3,
            _ => 1,
        }
    }

    /// Stable machine code, printed in `--json` mode.
    pub fn code(&self) -> ErrorCode {
        match self {
            CliError::NoKey { .. } => ErrorCode::NoKey,
            CliError::Provider { source, .. } => source.code(),
            CliError::Engine(e) => e.code(),
            CliError::Secret(_) => ErrorCode::Keyring,
            CliError::Usage(_) => ErrorCode::Usage,
            CliError::WaitTimedOut(_) => ErrorCode::WaitTimedOut,
            CliError::EndedWithoutCode(_) => ErrorCode::EndedWithoutCode,
            CliError::Stdin(_) => ErrorCode::Stdin,
            CliError::BatchStopped { stop, .. } => stop.code,
            CliError::JobEnded { code, .. } => *code,
        }
    }
}

/// The engine's sentences, with instants in local time and how long is left.
fn engine_sentence(e: &EngineError) -> String {
    let when = |t: &chrono::DateTime<chrono::Utc>| {
        let left = (*t - chrono::Utc::now()).num_seconds().max(1);
        format!(
            "in {left} s (at {})",
            t.with_timezone(&Local).format("%H:%M:%S")
        )
    };
    match e {
        EngineError::CancelCooldown { unlocks_at } => {
            format!("Not yet allowed: cancel unlocks {}.", when(unlocks_at))
        }
        EngineError::ResendLocked { unlocks_at: Some(t) } => format!("Not yet allowed: resend unlocks {}.", when(t)),
        EngineError::OutcomeUnknown { attempt_id } => format!(
            "The provider's reply was lost, so it is unknown whether purchase {attempt_id} was charged; nothing will be bought again on its own. \
             Check your provider's dashboard, then run `otpdesk attempts buy-again {attempt_id}` to buy it at today's price \
             (OTPZap returns the first order instead if it was charged) or `otpdesk attempts dismiss {attempt_id}`."
        ),
        // The team's server refused this login (removed from the team): say it plainly.
        other if other.code() == otpdesk_engine::ErrorCode::NotTeamMember => {
            EngineError::NotTeamMember.to_string()
        }
        other => other.to_string(),
    }
}

/// Attach the provider's name to a client error.
pub trait ProviderResult<T> {
    fn of(self, provider: ProviderId) -> Result<T, CliError>;
}

impl<T> ProviderResult<T> for Result<T, ProviderError> {
    fn of(self, provider: ProviderId) -> Result<T, CliError> {
        self.map_err(|source| CliError::Provider { provider, source })
    }
}

impl<T> ProviderResult<T> for Result<T, EngineError> {
    fn of(self, provider: ProviderId) -> Result<T, CliError> {
        self.map_err(|e| match e {
            EngineError::Provider(source) => CliError::Provider { provider, source },
            other => CliError::Engine(other),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_exit_statuses_are_stable() {
        let cases = [
            (CliError::Usage("bad".into()), "usage", 2),
            (
                CliError::NoKey {
                    provider: ProviderId::Otpzap,
                    env: "OTPDESK_OTPZAP_KEY",
                },
                "no_key",
                2,
            ),
            (CliError::WaitTimedOut(5), "wait_timed_out", 3),
            (
                CliError::Engine(EngineError::WaitTimeout),
                "wait_timed_out",
                3,
            ),
            (
                CliError::EndedWithoutCode("expired".into()),
                "ended_without_code",
                1,
            ),
            (CliError::Secret(SecretError::Empty), "keyring", 1),
            (CliError::Stdin(std::io::Error::other("closed")), "stdin", 1),
            (
                CliError::BatchStopped {
                    bought: 1,
                    of: 3,
                    stop: otpdesk_engine::BatchStop {
                        code: ErrorCode::PriceAboveMax,
                        message: "above your maximum".into(),
                        attempt_id: None,
                    },
                },
                "price_above_max",
                1,
            ),
            (
                CliError::Provider {
                    provider: ProviderId::Otpzap,
                    source: ProviderError::RateLimited { retry_after: None },
                },
                "rate_limited",
                1,
            ),
            (
                CliError::Engine(EngineError::OutcomeUnknown {
                    attempt_id: "a1".into(),
                }),
                "outcome_unknown",
                1,
            ),
        ];
        for (e, code, exit) in cases {
            assert_eq!(serde_json::to_value(e.code()).unwrap(), code, "{e}");
            assert_eq!(e.exit_code(), exit, "{e}");
        }
    }
}
