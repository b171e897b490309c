//! "Buy again": the offer an earlier order was bought from, rebuilt from the stored request (a
//! replacement is followed back to the number it replaced) and quoted afresh, so the user sees
//! today's price before anything is bought. The purchase itself is an ordinary checked one
//! ([`crate::Engine::buy_within`]) held to that price: nothing is bought here.

use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::model::BuyRequest;
use crate::provider::Quote;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How far a chain of replacements is followed back to its first purchase.
const MAX_REPLACEMENTS: usize = 50;

/// The same offer as an earlier order, with the provider's price and stock now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OfferAgain {
    /// The order it repeats (local id).
    pub order_id: String,
    /// What to buy: exactly what the first purchase sent.
    pub target: BuyRequest,
    /// Today's price and stock (fresh, never cached).
    pub quote: Quote,
}

/// What buying `order_id` again would send, without asking the provider.
pub(crate) fn request_of(inner: &Inner, order_id: &str) -> Result<(String, BuyRequest)> {
    let first = inner
        .store
        .find_order(order_id)?
        .ok_or_else(|| EngineError::OrderNotFound(order_id.to_string()))?;
    let mut id = first.id.clone();
    for _ in 0..=MAX_REPLACEMENTS {
        let json = inner.store.order_request(&id)?.ok_or_else(unknown)?;
        let v: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| EngineError::Config(format!("stored request: {e}")))?;
        if let Ok(req) = serde_json::from_value::<BuyRequest>(v.clone()) {
            return Ok((first.id, req));
        }
        // A replacement stores the order it replaced: follow it back to the first purchase.
        match v.get("order_id").and_then(|x| x.as_str()) {
            Some(prev) if prev != id => id = prev.to_string(),
            _ => return Err(unknown()),
        }
    }
    Err(unknown())
}

fn unknown() -> EngineError {
    EngineError::NotAllowed {
        action: "buy again",
        reason: "OTPDesk does not know which offer it was bought from; buy it from the list".into(),
    }
}

/// The offer of `order_id` with today's price (see the module docs).
pub(crate) async fn quote(inner: &Arc<Inner>, order_id: &str) -> Result<OfferAgain> {
    let (order_id, target) = request_of(inner, order_id)?;
    if !crate::requests::asks_holder(inner, target.provider()) {
        inner.gw.require(target.provider())?;
    }
    // Team mode without the key: the key holder's quote (`requests::read`).
    let quote = crate::requests::read::quote(inner, &target).await?;
    Ok(OfferAgain {
        order_id,
        target,
        quote,
    })
}
