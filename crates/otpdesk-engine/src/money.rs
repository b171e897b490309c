//! The one place that decides "did this attempt cost money?". Every paid call (purchase, top-up,
//! replace) is sent through [`send_paid`]:
//! - a try that may have been charged (lost reply, 5xx, unreadable reply, "in progress") makes the
//!   attempt *uncertain*, and uncertainty is sticky: a later refusal (402, out of stock, 429)
//!   cannot prove the first try did nothing, so the attempt ends `outcome_unknown`, never `failed`;
//! - the same request is sent again automatically only where the provider deduplicates it (the
//!   same Idempotency-Key), only by this run, and only within [`TrackingConfig::resend_window`] of
//!   the first send: checked when the re-send is planned and again when it actually leaves (after
//!   its wait for the rate budget, [`crate::provider::Door::call_by`]). Past that, nothing is
//!   bought again without the user;
//! - a `Retry-After` longer than [`MAX_BUY_WAIT`] ends the purchase instead of freezing it.

use crate::config::TrackingConfig;
use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::{AttemptState, AttemptView};
use otpdesk_providers::ProviderError;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use crate::provider::SendBy;
pub use crate::provider::MAX_BUY_WAIT;

/// What one failed try says about money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charged {
    /// Refused before anything was bought.
    No,
    /// It may have been bought.
    Maybe,
}

/// Whether a failed try charged, and whether sending the same request again is worth it (after
/// how long). `idempotent`: the provider answers a repeat of the same key with the first result.
pub(crate) fn judge(e: &ProviderError, idempotent: bool) -> (Charged, Option<Duration>) {
    use ProviderError as P;
    let maybe = |wait: Duration| (Charged::Maybe, idempotent.then_some(wait));
    match e {
        // Rejected before processing: a rate limit or an unreachable host.
        P::RateLimited { retry_after } => (
            Charged::No,
            Some(retry_after.unwrap_or(Duration::from_secs(2))),
        ),
        P::Network { .. } => (Charged::No, Some(Duration::ZERO)),
        // "A request with this Idempotency-Key is in progress": the first try is still running
        // and may charge; asking again shortly gets its result.
        P::Conflict { .. } if idempotent => maybe(Duration::from_secs(1)),
        // Reply lost / unreadable / server error.
        P::Timeout { .. } | P::OutcomeUnknown { .. } | P::Upstream { .. } | P::Decode { .. } => {
            maybe(Duration::ZERO)
        }
        P::Provider { status, .. } if *status >= 500 => maybe(Duration::ZERO),
        // A definite refusal of this try.
        _ => (Charged::No, None),
    }
}

/// How an attempt's tries went so far.
pub(crate) struct Tries {
    pub count: u32,
    pub uncertain: bool,
    first_sent: Instant,
}

/// What to do after a failed try.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Then {
    Retry(Duration),
    /// Nothing was bought.
    Failed,
    /// It may have been bought: only proof or the user closes it.
    Unknown,
}

impl Tries {
    pub fn new() -> Tries {
        Tries {
            count: 0,
            uncertain: false,
            first_sent: Instant::now(),
        }
    }

    /// When the next try must have left: after an uncertain try, the end of the resend window
    /// (the provider may forget the key after it, and a re-send would be a second purchase).
    /// Tries that cannot have charged anything may go out later.
    pub fn send_by(&self, cfg: &TrackingConfig) -> SendBy {
        self.uncertain
            .then(|| self.first_sent.checked_add(cfg.resend_window))
            .flatten()
    }

    pub fn after(&mut self, e: &ProviderError, idempotent: bool, cfg: &TrackingConfig) -> Then {
        let (charged, retry) = judge(e, idempotent);
        self.uncertain |= charged == Charged::Maybe;
        let backoff = cfg
            .buy_retry_base
            .saturating_mul(1 << self.count.saturating_sub(1).min(6));
        let in_window =
            |wait: Duration| self.first_sent.elapsed().saturating_add(wait) <= cfg.resend_window;
        match retry.map(|w| w.max(backoff)) {
            Some(wait)
                if self.count < cfg.buy_max_tries.max(1)
                    && wait <= MAX_BUY_WAIT
                    && in_window(wait) =>
            {
                Then::Retry(wait)
            }
            _ if self.uncertain => Then::Unknown,
            _ => Then::Failed,
        }
    }
}

/// Send `send` until it succeeds, is refused, or its outcome is unknown; each try is counted in
/// the store before it leaves. On an unknown outcome the attempt is listed and announced.
/// `send` gets the moment its request must have left by ([`Tries::send_by`]); a call that is
/// not `idempotent` is never sent again after an uncertain try, so it may ignore it.
pub(crate) async fn send_paid<T, F, Fut>(
    inner: &Inner,
    attempt: &AttemptView,
    idempotent: bool,
    mut send: F,
) -> Result<T>
where
    F: FnMut(SendBy) -> Fut,
    Fut: std::future::Future<Output = Result<Result<T, ProviderError>>>,
{
    let mut tries = Tries::new();
    loop {
        tries.count += 1;
        if !inner
            .store
            .bump_attempt(&attempt.id, &inner.coord.me, inner.now())?
        {
            // Closed meanwhile (dismissed, or settled by another process): send nothing.
            return Err(EngineError::NotAllowed {
                action: "buy",
                reason: "this purchase was already settled".into(),
            });
        }
        let err = match send(tries.send_by(&inner.tracking)).await? {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let then = tries.after(&err, idempotent, &inner.tracking);
        if tries.uncertain {
            inner.store.mark_uncertain(&attempt.id)?;
        }
        match then {
            Then::Retry(wait) => {
                tracing::info!(attempt = %attempt.id, code = %err.code(), "purchase try failed; sending the same request again in {wait:?}");
                tokio::time::sleep(wait).await;
            }
            Then::Failed => {
                inner.store.set_attempt_state(
                    &attempt.id,
                    AttemptState::Failed,
                    Some((err.code(), &err.to_string())),
                    inner.now(),
                )?;
                return Err(err.into());
            }
            Then::Unknown => {
                mark_unknown(inner, &attempt.id, &err)?;
                return Err(EngineError::OutcomeUnknown {
                    attempt_id: attempt.id.clone(),
                });
            }
        }
    }
}

pub(crate) fn mark_unknown(inner: &Inner, attempt_id: &str, err: &ProviderError) -> Result<()> {
    inner.store.set_attempt_state(
        attempt_id,
        AttemptState::OutcomeUnknown,
        Some((err.code(), &err.to_string())),
        inner.now(),
    )?;
    if let Some(a) = inner.store.attempt(attempt_id)? {
        inner.emit(EngineEvent::OutcomeUnknown {
            attempt: Box::new(a),
        });
    }
    Ok(())
}

/// An unknown replace: if the old order is still open at the provider, nothing happened. A read
/// only; it never replaces again.
pub(crate) async fn reconcile_replace(inner: &Arc<Inner>, a: &AttemptView) -> Result<()> {
    let old_id = a
        .request
        .get("order_id")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let o = inner.order_view(old_id)?;
    let remote = inner
        .gw
        .check_order(&o, Some(crate::rate_budget::Priority::Interactive))
        .await??;
    // Only an old number that is still open proves nothing happened. Replaced, or closed in
    // any other way (the provider may have replaced it and the new order expired since): the
    // outcome stays unknown.
    if remote.status.is_final() {
        return Err(EngineError::NotAllowed {
            action: "check",
            reason: format!(
                "the old number is {} now, so whether a new one was bought cannot be told; check the dashboard, then dismiss",
                remote.status
            ),
        });
    }
    let applied = inner.store.apply_remote(&o.id, &remote, inner.now())?;
    inner.announce(&o.id, o.provider, applied);
    inner.store.set_attempt_state(
        &a.id,
        AttemptState::Failed,
        Some((
            otpdesk_core::ErrorCode::NotReplaced,
            "the old number is unchanged",
        )),
        inner.now(),
    )?;
    if let Some(a) = inner.store.attempt(&a.id)? {
        inner.emit(EngineEvent::AttemptResolved {
            attempt: Box::new(a),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> TrackingConfig {
        TrackingConfig {
            buy_retry_base: Duration::ZERO,
            ..TrackingConfig::default()
        }
    }

    fn timeout() -> ProviderError {
        ProviderError::Timeout {
            endpoint: "POST /order/create".into(),
        }
    }

    fn out_of_stock() -> ProviderError {
        ProviderError::OutOfStock {
            message: "none left".into(),
        }
    }

    #[test]
    fn a_refusal_after_an_uncertain_try_stays_unknown() {
        for idempotent in [true, false] {
            let mut t = Tries::new();
            t.count = 1;
            let first = t.after(&timeout(), idempotent, &cfg());
            assert_eq!(first == Then::Unknown, !idempotent);
            t.count = 2;
            for refusal in [
                out_of_stock(),
                ProviderError::InsufficientBalance {
                    message: "low".into(),
                },
                ProviderError::Conflict {
                    message: "in progress".into(),
                },
            ] {
                let mut t2 = Tries { ..t };
                let then = t2.after(&refusal, false, &cfg());
                assert_eq!(then, Then::Unknown, "{refusal:?} after a timeout");
            }
        }
    }

    #[test]
    fn a_plain_refusal_fails() {
        let mut t = Tries::new();
        t.count = 1;
        assert_eq!(t.after(&out_of_stock(), true, &cfg()), Then::Failed);
    }

    #[test]
    fn no_resend_past_the_window_or_a_long_retry_after() {
        let mut t = Tries::new();
        t.count = 1;
        let long = ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(31)),
        };
        assert_eq!(t.after(&long, true, &cfg()), Then::Failed);
        let c = TrackingConfig {
            resend_window: Duration::ZERO,
            ..cfg()
        };
        let mut t = Tries::new();
        t.count = 1;
        assert_eq!(t.after(&timeout(), true, &c), Then::Unknown);
    }

    #[test]
    fn a_resend_after_an_uncertain_try_must_leave_within_the_window() {
        let c = TrackingConfig {
            resend_window: Duration::from_secs(2),
            ..cfg()
        };
        let mut t = Tries::new();
        assert_eq!(t.send_by(&c), None, "a first try has no deadline");
        t.count = 1;
        let limited = ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(1)),
        };
        assert!(matches!(t.after(&limited, true, &c), Then::Retry(_)));
        assert_eq!(t.send_by(&c), None, "nothing may have been charged yet");
        t.count = 2;
        assert_eq!(t.after(&timeout(), true, &c), Then::Retry(Duration::ZERO));
        assert_eq!(t.send_by(&c), Some(t.first_sent + c.resend_window));
        // The re-send was held past that by the rate budget and not sent: the first try may
        // have charged, so the outcome is unknown (never failed, never sent again).
        t.count = 3;
        let held = crate::provider::not_resent();
        assert_eq!(t.after(&held, true, &c), Then::Unknown);
    }

    #[test]
    fn a_lost_reply_of_an_idempotent_call_is_asked_again() {
        let mut t = Tries::new();
        t.count = 1;
        assert_eq!(
            t.after(&timeout(), true, &cfg()),
            Then::Retry(Duration::ZERO)
        );
        assert!(t.uncertain);
    }
}
