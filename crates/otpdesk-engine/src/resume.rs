//! After a start (or a crash): track every non-final order and deposit again, and settle the
//! purchases that were in flight. OTPZap purchases are re-sent with their own Idempotency-Key (the
//! provider returns the original, no second charge); the others are marked `outcome_unknown`.

use crate::buying;
use crate::engine::Inner;
use crate::error::Result;
use crate::model::{AttemptState, DepositFilter};
use crate::scheduler::Track;
use otpdesk_providers::ProviderError;
use std::sync::Arc;

pub(crate) async fn resume(inner: &Arc<Inner>) -> Result<()> {
    for o in inner.store.active_orders()? {
        inner.sched.add(inner, Track::Order(o.id));
    }
    for d in inner.store.deposits(&DepositFilter {
        active_only: true,
        limit: Some(u32::MAX),
        ..Default::default()
    })? {
        inner.sched.add(inner, Track::Deposit(d.id));
    }
    let mut resend = Vec::new();
    for a in inner.store.attempts(Some(AttemptState::Pending))? {
        if buying::resendable(&a) {
            resend.push(a);
        } else {
            let e = ProviderError::OutcomeUnknown {
                endpoint: format!("{} purchase", a.provider.display_name()),
                reason: "the app stopped before the reply was stored".into(),
            };
            buying::mark_unknown(inner, &a.id, &e)?;
        }
    }
    // Earlier unknowns that are safe to resend are settled the same way.
    resend.extend(
        inner
            .store
            .attempts(Some(AttemptState::OutcomeUnknown))?
            .into_iter()
            .filter(buying::resendable),
    );
    if !resend.is_empty() {
        let inner = inner.clone();
        tokio::spawn(async move {
            for a in resend {
                tokio::select! {
                    r = buying::resend_attempt(&inner, &a) => {
                        if let Err(e) = r {
                            tracing::warn!(attempt = %a.id, "resume could not settle the purchase: {e}");
                        }
                    }
                    _ = inner.stopped() => return,
                }
            }
        });
    }
    Ok(())
}
