//! Purchases whose outcome is unknown (a reply was lost; maybe charged): list them, look a
//! replace up, quote and buy a number/inbox again at the user's word, or dismiss one once the
//! user has checked the provider's dashboard. Nothing here buys on its own.

use crate::error::AppResult;
use crate::state::AppState;
use otpdesk_core::Money;
use otpdesk_engine::{AttemptState, AttemptView, OrderView, Quote};
use tauri::State;

/// Attempts that may or may not have been charged, oldest first. Do not buy these again
/// before checking them.
#[tauri::command]
#[specta::specta]
pub async fn unknown_attempts(state: State<'_, AppState>) -> AppResult<Vec<AttemptView>> {
    let engine = &state.session().await?.engine;
    Ok(engine.attempts(Some(AttemptState::OutcomeUnknown))?)
}

/// Look the attempt up without spending money. Only a replace can be looked up (is the old
/// number still open?); every other kind answers `not_allowed`: quote and buy again, or dismiss.
#[tauri::command]
#[specta::specta]
pub async fn reconcile_attempt(
    state: State<'_, AppState>,
    attempt_id: String,
) -> AppResult<AttemptView> {
    Ok(state.session().await?.engine.reconcile(&attempt_id).await?)
}

/// The fresh price and stock of what a number or inbox attempt would buy ("Buy now at Rp X?").
/// Top-ups and replaces answer `not_allowed`.
#[tauri::command]
#[specta::specta]
pub async fn attempt_quote(state: State<'_, AppState>, attempt_id: String) -> AppResult<Quote> {
    Ok(state
        .session()
        .await?
        .engine
        .attempt_quote(&attempt_id)
        .await?)
}

/// The user's explicit "Buy now" after seeing the quote. OTPZap gets the attempt's own
/// Idempotency-Key, so a first try that was charged comes back as that order (no second charge).
/// Refused with `price_changed` when it now costs more than `expected` (the price shown) and
/// `out_of_stock` when none is left.
#[tauri::command]
#[specta::specta]
pub async fn buy_attempt_again(
    state: State<'_, AppState>,
    attempt_id: String,
    expected: Option<Money>,
) -> AppResult<OrderView> {
    let engine = &state.session().await?.engine;
    Ok(engine.buy_again(&attempt_id, expected).await?)
}

/// The user checked the provider and closes the attempt.
#[tauri::command]
#[specta::specta]
pub async fn dismiss_attempt(
    state: State<'_, AppState>,
    attempt_id: String,
) -> AppResult<AttemptView> {
    Ok(state.session().await?.engine.dismiss(&attempt_id)?)
}
