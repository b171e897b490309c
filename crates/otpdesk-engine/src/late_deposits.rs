//! Expired QRIS invoices are still watched: QRIS payments do settle after the invoice expired
//! (sibling Indonesian panels keep checking them for up to 3 hours), so the tracker asks now and
//! then, a quarter of the time since expiry between 1 and 15 minutes (`TrackingConfig`), until
//! the window ends. A late payment is credited once like any other (`Store::apply_deposit`).

use crate::context::Inner;
use crate::model::{DepositKind, DepositView, Time};
use crate::scheduler::{Mode, Track};
use otpdesk_core::DepositStatus;
use std::time::Duration;

/// When we stop asking about an expired QRIS invoice: the window after we saw it expire (our
/// clock, so a provider clock that runs ahead or behind does not shorten it).
fn watch_until(inner: &Inner, d: &DepositView) -> Option<Time> {
    if d.kind != DepositKind::Qris || d.status != DepositStatus::Expired {
        return None;
    }
    let window = chrono::Duration::from_std(inner.tracking.late_deposit_window).ok()?;
    Some(d.updated_at + window)
}

/// An expired QRIS invoice still inside its watch window.
pub(crate) fn watched(inner: &Inner, d: &DepositView) -> bool {
    watch_until(inner, d).is_some_and(|t| inner.now() < t)
}

/// How long until an expired invoice is asked about again; `None` once the window is over.
pub(crate) fn next_check(inner: &Inner, d: &DepositView) -> Option<Duration> {
    let now = inner.now();
    let until = watch_until(inner, d).filter(|t| now < *t)?;
    let t = &inner.tracking;
    let since = (now - d.updated_at).to_std().unwrap_or_default();
    let min = t.late_deposit_min_interval;
    let wait = (since / 4)
        .max(min)
        .min(t.late_deposit_max_interval.max(min));
    let left = (until - now).to_std().unwrap_or_default();
    // The last check falls on the window's end.
    Some(wait.min(left))
}

/// Expired QRIS invoices still being watched (for a tracker that starts or takes over).
pub(crate) fn track_watched(inner: &Inner) {
    let window = chrono::Duration::from_std(inner.tracking.late_deposit_window)
        .unwrap_or(chrono::Duration::zero());
    match inner.store.expired_qris_since(inner.now() - window) {
        Ok(ds) => {
            for d in ds.iter().filter(|d| watched(inner, d)) {
                let t = Track::Deposit(d.id.clone());
                inner.sched.add(d.provider, t, Mode::Poll);
            }
        }
        Err(e) => tracing::warn!("could not read the expired QRIS invoices: {e}"),
    }
}
