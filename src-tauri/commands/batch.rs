//! "Buy N" and "Buy again" from the window. A batch runs in the engine ([`Engine::buy_batch_at`],
//! held to the price the user confirmed) and each number bought, and the stop, is sent to the
//! window as a typed [`BatchProgressEvent`] while it runs. "Buy again" only quotes: the window
//! shows today's price and buys through `buy_checked` / `buy_batch` after the user confirms.
//! `stop_batch` is the window's "Stop": the batch finishes the number under way (a paid call is
//! never cut off) and buys nothing after it.
//!
//! [`Engine::buy_batch_at`]: otpdesk_engine::Engine::buy_batch_at

use crate::error::AppResult;
use crate::events::BatchProgressEvent;
use crate::state::AppState;
use otpdesk_core::Money;
use otpdesk_engine::{BatchRequest, BatchResult, BatchStopper, OfferAgain};
use std::collections::HashMap;
use std::sync::Mutex;
use tauri::State;

/// The [`BatchStopper`] of each batch running from the window, by its batch id (in memory only:
/// a batch does not outlive the app, and each number it bought is in the engine's store).
#[derive(Default)]
pub struct RunningBatches(Mutex<HashMap<String, BatchStopper>>);

impl RunningBatches {
    fn start(&self, batch_id: &str) -> BatchStopper {
        let s = BatchStopper::new();
        self.lock().insert(batch_id.to_string(), s.clone());
        s
    }

    fn finish(&self, batch_id: &str) {
        self.lock().remove(batch_id);
    }

    /// Stop the batch `batch_id` before its next number; `false` when none runs under that id.
    pub fn stop(&self, batch_id: &str) -> bool {
        match self.lock().get(batch_id) {
            Some(s) => {
                s.stop();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, BatchStopper>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

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
    let stopper = state.batches.start(&batch_id);
    let result = engine
        .buy_batch_stoppable(batch, expected_price, &stopper, |p| {
            shell.batch_progress(&BatchProgressEvent {
                batch_id: batch_id.clone(),
                progress: p.clone(),
            })
        })
        .await;
    state.batches.finish(&batch_id);
    Ok(result?)
}

/// "Stop" for the batch `batch_id`: the number under way finishes and is kept, nothing after it
/// is bought (its result then stops with `stopped_by_user`). `false`: no batch runs under that id
/// (it had already finished).
#[tauri::command]
#[specta::specta]
pub async fn stop_batch(state: State<'_, AppState>, batch_id: String) -> AppResult<bool> {
    Ok(state.batches.stop(&batch_id))
}

/// "Buy again": the offer an order was bought from, with today's price and stock. Buys nothing.
#[tauri::command]
#[specta::specta]
pub async fn quote_again(state: State<'_, AppState>, order_id: String) -> AppResult<OfferAgain> {
    Ok(state.session().await?.engine.quote_again(&order_id).await?)
}
