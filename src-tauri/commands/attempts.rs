//! Purchases whose outcome is unknown (a reply was lost): list them, check one with the
//! provider, or dismiss it once the user has checked the provider's dashboard.

use crate::error::AppResult;
use crate::state::AppState;
use otpdesk_engine::{AttemptState, AttemptView};
use tauri::State;

/// Attempts that may or may not have been charged, oldest first. Do not buy these again
/// before checking them.
#[tauri::command]
#[specta::specta]
pub async fn unknown_attempts(state: State<'_, AppState>) -> AppResult<Vec<AttemptView>> {
    let engine = &state.session().await?.engine;
    Ok(engine.attempts(Some(AttemptState::OutcomeUnknown))?)
}

/// Ask the provider what became of the attempt (OTPZap answers the same Idempotency-Key with
/// the original order). Providers without a lookup answer `not_allowed`: dismiss it instead.
#[tauri::command]
#[specta::specta]
pub async fn reconcile_attempt(
    state: State<'_, AppState>,
    attempt_id: String,
) -> AppResult<AttemptView> {
    Ok(state.session().await?.engine.reconcile(&attempt_id).await?)
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
