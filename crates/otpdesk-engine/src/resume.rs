//! After a start (or a crash): take the tracking leases that are free (the holder tracks every
//! open order and deposit of its provider), settle purchases whose process died mid-way, and keep
//! doing so in the background. Nothing is ever sent again here: a purchase interrupted after it
//! was sent is `outcome_unknown` until proof or the user closes it (see [`crate::money`]).

use crate::context::Inner;
use crate::lease;
use std::sync::Arc;

pub(crate) fn resume(inner: &Arc<Inner>) {
    lease::renew(inner);
    let h = lease::spawn(inner);
    inner.sched.keep(h);
    crate::jobs::resume(inner);
    crate::watch::spawn(inner);
}
