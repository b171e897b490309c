//! Watched offers: the reseller watches an offer that is sold out or too dear and hears when it
//! is available again (in stock, and at or under the target price when one is set). The process
//! that tracks the offer's provider quotes each watch every `watch_interval` (one process per
//! order book, so one alert); an alert is an [`EngineEvent::WatchAlert`] (the app shows a
//! notification whose "Buy" opens the confirm dialog: nothing is bought silently). Only when the
//! user ticked "buy one automatically" at watch time is one number bought, through the ordinary
//! checked purchase, within the watch's cap and the service's maximum price. Then the watch rests
//! (`alerted` / `bought`) until the user re-arms it.

pub use crate::automation_model::{WatchRequest, WatchState, WatchView};
use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::provider::{PriceLimits, Quote};
use otpdesk_core::ProviderId;
use std::sync::Arc;

fn validate(inner: &Inner, w: &WatchRequest) -> Result<()> {
    let p = w.req.provider();
    if p == ProviderId::Ooppay {
        return Err(EngineError::Invalid("OOPPay sells no numbers.".into()));
    }
    let cur = p.currency();
    for (what, m) in [
        ("target price", w.target),
        ("automatic purchase cap", w.auto_max),
    ] {
        if let Some(m) = m {
            if m.currency != cur || m.minor <= 0 {
                return Err(EngineError::Invalid(format!(
                    "The {what} must be a positive amount in {}.",
                    cur.code()
                )));
            }
        }
    }
    if w.auto_buy {
        inner.gw.require(p)?;
        if w.auto_max.is_none() {
            return Err(EngineError::Invalid(
                "Buying automatically needs a cap: the most that one number may cost.".into(),
            ));
        }
    }
    Ok(())
}

pub(crate) fn add(inner: &Arc<Inner>, w: WatchRequest) -> Result<WatchView> {
    validate(inner, &w)?;
    let id = uuid::Uuid::new_v4().to_string();
    inner.store.insert_watch(&id, &w, inner.now())?;
    get(inner, &id)
}

pub(crate) fn get(inner: &Inner, id: &str) -> Result<WatchView> {
    inner
        .store
        .watch(id)?
        .ok_or_else(|| EngineError::Invalid(format!("No watch {id} is stored here.")))
}

/// Whether a quote is what the watch waits for.
pub fn wanted(w: &WatchView, q: &Quote) -> bool {
    if q.stock == Some(0) {
        return false;
    }
    match (w.target, q.price) {
        (None, _) => true,
        (Some(t), Some(p)) => p.currency == t.currency && p.minor <= t.minor,
        (Some(_), None) => false,
    }
}

/// The loop: quote every watch of the providers this process tracks.
pub(crate) fn spawn(inner: &Arc<Inner>) {
    let inner2 = inner.clone();
    let h = tokio::spawn(async move {
        // First look one interval after start: a short command-line run (`otpdesk orders`)
        // fires nothing nobody would see; `watch check` looks when asked.
        loop {
            tokio::select! {
                _ = tokio::time::sleep(inner2.tracking.watch_interval) => {}
                _ = inner2.stopped() => return,
            }
            check_all(&inner2, false).await;
        }
    });
    inner.sched.keep(h);
}

/// One look at every active watch: of the providers this process tracks for the timed loop, of
/// every provider with a key when the user asks (`asked`: "Check now" must answer even when
/// another process, e.g. a command-line run, holds the tracking lease). A look is a free quote;
/// an alert or an automatic purchase is taken under the store's word
/// (`watch_transition`), so two processes looking at once never alert or buy twice.
pub(crate) async fn check_all(inner: &Arc<Inner>, asked: bool) {
    let Ok(watches) = inner.store.watches() else {
        return;
    };
    for w in watches {
        if w.state != WatchState::Watching || !(asked || inner.sched.is_active(w.provider)) {
            continue;
        }
        if inner.is_closing() {
            return;
        }
        let q = match crate::requests::read::quote(inner, &w.req).await {
            Ok(q) => q,
            Err(EngineError::Provider(otpdesk_providers::ProviderError::OutOfStock { .. })) => {
                Quote {
                    price: None,
                    stock: Some(0),
                }
            }
            Err(e) => {
                tracing::debug!("a watched offer could not be quoted: {}", e.code());
                continue;
            }
        };
        let _ = inner
            .store
            .watch_checked(&w.id, q.price, q.stock, inner.now());
        if wanted(&w, &q) {
            fire(inner, &w, &q).await;
        }
    }
}

async fn fire(inner: &Arc<Inner>, w: &WatchView, q: &Quote) {
    let now = inner.now();
    if !w.auto_buy {
        if let Ok(true) = inner.store.watch_transition(
            &w.id,
            WatchState::Watching,
            WatchState::Alerted,
            None,
            None,
            now,
        ) {
            emit(inner, &w.id, None);
        }
        return;
    }
    // One purchase: taken under the store's word (a second process cannot fire it again).
    if !matches!(
        inner.store.watch_transition(
            &w.id,
            WatchState::Watching,
            WatchState::Buying,
            None,
            None,
            now
        ),
        Ok(true)
    ) {
        return;
    }
    let service_max = inner.store.max_price(&w.req.service_key()).ok().flatten();
    let max = match (w.auto_max, service_max) {
        (Some(a), Some(b)) if b.minor < a.minor => Some(b),
        (a, b) => a.or(b),
    };
    let _ = q;
    let out = crate::buying::buy_checked(
        inner,
        w.req.clone(),
        PriceLimits {
            expected: None,
            max,
        },
    )
    .await;
    let now = inner.now();
    match out {
        Ok(o) => {
            let _ = inner.store.watch_transition(
                &w.id,
                WatchState::Buying,
                WatchState::Bought,
                Some(&o.id),
                None,
                now,
            );
            emit(inner, &w.id, Some(o));
        }
        Err(e) => {
            let note = e.to_string();
            let _ = inner.store.watch_transition(
                &w.id,
                WatchState::Buying,
                WatchState::Alerted,
                None,
                Some(&note),
                now,
            );
            emit(inner, &w.id, None);
        }
    }
}

fn emit(inner: &Inner, id: &str, order: Option<crate::model::OrderView>) {
    if let Ok(w) = get(inner, id) {
        inner.emit(EngineEvent::WatchAlert {
            watch: Box::new(w),
            order: order.map(Box::new),
        });
    }
}
