//! Batch buying: "Buy N" of one offer (1–[`MAX_BATCH`]). Each number is an ordinary purchase
//! ([`crate::buying::buy`]: its own attempt and Idempotency-Key, stored before sending), bought
//! one after the other, never two paid calls at once. Before each one the offer is quoted afresh
//! and held to the first quote's price and the maximum price ([`crate::provider::check`], the one
//! home of price checks) and to the balance floor. The batch stops at once on the first refusal
//! or failure; an unknown outcome stops it too and stays listed for the user (never sent again).
//! A [`BatchStopper`] lets the user stop it: the signal is looked at before each next number,
//! so a purchase already under way finishes (a paid call is never cut off) and nothing after it
//! is bought. On a team desktop without the key (an operator) each number is a request the key
//! holder carries out under the same limits ([`crate::requests`]).

use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::model::{BuyRequest, OrderView};
use crate::provider::{self, PriceLimits};
use otpdesk_core::{ErrorCode, Money};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The user's "Stop" for one running batch. Cloning shares the signal. [`BatchStopper::stop`]
/// is looked at before each next number: a purchase already sent finishes and is kept, and no
/// number after it is bought.
#[derive(Debug, Clone, Default)]
pub struct BatchStopper(Arc<AtomicBool>);

impl BatchStopper {
    pub fn new() -> BatchStopper {
        BatchStopper::default()
    }

    /// Ask the batch to stop before its next number.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The most numbers one batch buys.
pub const MAX_BATCH: u32 = 50;

/// What to buy and the limits it is held to. Money is in the offer's currency (minor units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchRequest {
    pub req: BuyRequest,
    /// How many numbers: 1 to [`MAX_BATCH`].
    pub count: u32,
    /// Stop when the price is above this.
    pub max_price: Option<Money>,
    /// Stop when buying the next number would take the balance under this.
    pub min_balance: Option<Money>,
}

/// Why a batch stopped before buying all it was asked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchStop {
    /// `price_changed` (above the first quote), `price_above_max`, `out_of_stock`,
    /// `below_min_balance`, `outcome_unknown` (check `attempt_id` before buying again), or the
    /// code of whatever else failed.
    pub code: ErrorCode,
    /// One English sentence.
    pub message: String,
    /// For `outcome_unknown`: the purchase to check.
    pub attempt_id: Option<String>,
}

impl From<&EngineError> for BatchStop {
    fn from(e: &EngineError) -> BatchStop {
        BatchStop {
            code: e.code(),
            message: e.to_string(),
            attempt_id: e.attempt_id().map(str::to_string),
        }
    }
}

/// News of a running batch, one per number bought and one when it stops early.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BatchProgress {
    /// Number `n` of `of` was bought.
    Bought {
        n: u32,
        of: u32,
        order: Box<OrderView>,
    },
    /// The batch stopped after buying `bought` of `of`.
    Stopped {
        bought: u32,
        of: u32,
        stop: BatchStop,
    },
}

/// What a batch bought, in order, and why it stopped early (`None`: it bought them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchResult {
    pub requested: u32,
    pub orders: Vec<OrderView>,
    pub stopped: Option<BatchStop>,
}

/// Run a batch (see the module docs). `Err` only when the request itself is refused before
/// anything is asked: a count out of range, or a floor that cannot be kept.
pub(crate) async fn run(
    inner: &Arc<Inner>,
    batch: BatchRequest,
    progress: impl FnMut(&BatchProgress) + Send,
) -> Result<BatchResult> {
    run_with(inner, batch, None, &BatchStopper::new(), progress).await
}

/// [`run`] with every number, the first included, held to `expected`: the price the user saw
/// and confirmed (the window's "Buy N"), so the batch never starts above it.
pub(crate) async fn run_at(
    inner: &Arc<Inner>,
    batch: BatchRequest,
    expected: Option<Money>,
    progress: impl FnMut(&BatchProgress) + Send,
) -> Result<BatchResult> {
    run_with(inner, batch, Some(expected), &BatchStopper::new(), progress).await
}

/// [`run_at`] that the user can stop with `stopper` (see [`BatchStopper`]).
pub(crate) async fn run_stoppable(
    inner: &Arc<Inner>,
    batch: BatchRequest,
    expected: Option<Money>,
    stopper: &BatchStopper,
    progress: impl FnMut(&BatchProgress) + Send,
) -> Result<BatchResult> {
    run_with(inner, batch, Some(expected), stopper, progress).await
}

async fn run_with(
    inner: &Arc<Inner>,
    batch: BatchRequest,
    confirmed: Option<Option<Money>>,
    stopper: &BatchStopper,
    mut progress: impl FnMut(&BatchProgress) + Send,
) -> Result<BatchResult> {
    validate(inner, &batch)?;
    let of = batch.count;
    let mut orders = Vec::new();
    // The price every number is held to: the one the user confirmed, else the first quote's.
    let mut first: Option<Option<Money>> = confirmed;
    let mut stopped = None;
    for n in 1..=of {
        // Looked at before each number only: a purchase under way is never cut off.
        let next = if stopper.is_stopped() {
            Err(EngineError::StoppedByUser { bought: n - 1, of })
        } else {
            buy_one(inner, &batch, &mut first).await
        };
        match next {
            Ok(order) => {
                progress(&BatchProgress::Bought {
                    n,
                    of,
                    order: Box::new(order.clone()),
                });
                orders.push(order);
            }
            Err(e) => {
                tracing::info!("batch stopped after {} of {of}: {}", n - 1, e.code());
                let stop = BatchStop::from(&e);
                progress(&BatchProgress::Stopped {
                    bought: n - 1,
                    of,
                    stop: stop.clone(),
                });
                stopped = Some(stop);
                break;
            }
        }
    }
    Ok(BatchResult {
        requested: of,
        orders,
        stopped,
    })
}

fn validate(inner: &Inner, batch: &BatchRequest) -> Result<()> {
    if !(1..=MAX_BATCH).contains(&batch.count) {
        return Err(EngineError::Invalid(format!(
            "A batch buys 1 to {MAX_BATCH} numbers, not {}.",
            batch.count
        )));
    }
    let p = batch.req.provider();
    let operator = crate::requests::asks_holder(inner, p);
    if !operator {
        inner.gw.require(p)?;
    }
    let cur = p.currency();
    for (what, m) in [
        ("maximum price", batch.max_price),
        ("balance floor", batch.min_balance),
    ] {
        if let Some(m) = m.filter(|m| m.currency != cur) {
            return Err(EngineError::Invalid(format!(
                "{} prices this offer in {}, the {what} is in {}.",
                p.display_name(),
                cur.code(),
                m.currency.code()
            )));
        }
    }
    if batch.min_balance.is_some() && operator {
        return Err(EngineError::Invalid(
            "The balance is the owner's: a balance floor is kept on the owner's computer, not from this one.".into(),
        ));
    }
    if batch.min_balance.is_some() && p != otpdesk_core::ProviderId::Otpzap {
        return Err(EngineError::Invalid(format!(
            "{} does not show a balance, so a balance floor cannot be kept.",
            p.display_name()
        )));
    }
    Ok(())
}

/// One number of the batch: a fresh quote held to the limits, the floor, then the purchase.
async fn buy_one(
    inner: &Arc<Inner>,
    batch: &BatchRequest,
    first: &mut Option<Option<Money>>,
) -> Result<OrderView> {
    // A purchase from its price check on: counted as a paid call (see `paid_calls_in_flight`).
    let _paid = inner.paid.enter()?;
    let q = crate::requests::read::quote(inner, &batch.req).await?;
    let expected = *first.get_or_insert(q.price);
    // The service's maximum price (set once for every purchase of it) holds here too.
    let service_max = inner.store.max_price(&batch.req.service_key())?;
    let max = match (batch.max_price, service_max) {
        (Some(a), Some(b)) if a.currency == b.currency && b.minor < a.minor => Some(b),
        (a, b) => a.or(b),
    };
    provider::check(&q, PriceLimits { expected, max })?;
    if let Some(floor) = batch.min_balance {
        let price = q.price.ok_or_else(|| {
            EngineError::Invalid(
                "The provider shows no price for this offer, so the balance floor cannot be kept; nothing more was bought.".into(),
            )
        })?;
        let balance = crate::offers::Catalog { inner }
            .balance(batch.req.provider())
            .await?
            .ok_or_else(|| EngineError::Invalid("No balance to keep a floor on.".into()))?;
        if balance.minor - price.minor < floor.minor {
            return Err(EngineError::BelowMinBalance {
                balance,
                price,
                floor,
            });
        }
    }
    if crate::requests::asks_holder(inner, batch.req.provider()) {
        // Team mode without the key here: the key holder buys it, held to the same limits
        // (its own fresh quote must pass them too), as its own purchase attempt.
        return crate::requests::buy(inner, batch.req.clone(), expected, max).await;
    }
    crate::buying::buy(inner, batch.req.clone()).await
}
