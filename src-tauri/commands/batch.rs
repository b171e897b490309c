//! "Buy N" and "Buy again" from the window. A batch runs in the engine ([`Engine::buy_batch_at`],
//! held to the price the user confirmed) and each number bought, and the stop, is sent to the
//! window as a typed [`BatchProgressEvent`] while it runs. "Buy again" only quotes: the window
//! shows today's price and buys through `buy_checked` / `buy_batch` after the user confirms.
//!
//! [`Engine::buy_batch_at`]: otpdesk_engine::Engine::buy_batch_at

use crate::error::AppResult;
use crate::events::BatchProgressEvent;
use crate::state::AppState;
use otpdesk_core::Money;
use otpdesk_engine::{BatchRequest, BatchResult, OfferAgain};
use tauri::State;

/// Buy `batch.count` numbers of one offer, one after the other, each its own purchase with its
/// own Idempotency-Key; every number is held to `expected_price` (the price the user confirmed),
/// `batch.max_price` and `batch.min_balance`. Progress arrives as `BatchProgressEvent`s carrying
/// `batch_id` (chosen by the window); the result lists what was bought and why it stopped early.
#[tauri::command]
#[specta::specta]
pub async fn buy_batch(
    state: State<'_, AppState>,
    batch_id: String,
    batch: BatchRequest,
    expected_price: Option<Money>,
) -> AppResult<BatchResult> {
    let engine = state.session().await?.engine.clone();
    let shell = state.shell.clone();
    let result = engine
        .buy_batch_at(batch, expected_price, |p| {
            shell.batch_progress(&BatchProgressEvent {
                batch_id: batch_id.clone(),
                progress: p.clone(),
            })
        })
        .await?;
    Ok(result)
}

/// "Buy again": the offer an order was bought from, with today's price and stock. Buys nothing.
#[tauri::command]
#[specta::specta]
pub async fn quote_again(state: State<'_, AppState>, order_id: String) -> AppResult<OfferAgain> {
    Ok(state.session().await?.engine.quote_again(&order_id).await?)
}
