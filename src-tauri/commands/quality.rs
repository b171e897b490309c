//! The quality scoreboard from the reseller's own history (success rate, median time to code,
//! cancel rate per offer) and the warning when their own cancel rate gets high. Thin: the engine
//! computes everything (otpdesk_engine::scoreboard).

use crate::error::AppResult;
use crate::state::AppState;
use otpdesk_engine::{BuyRequest, CancelWarning, OfferQuality};
use tauri::State;

/// The record of each catalog target, in order (`null`: never bought from it).
#[tauri::command]
#[specta::specta]
pub async fn offer_quality(
    state: State<'_, AppState>,
    targets: Vec<BuyRequest>,
) -> AppResult<Vec<Option<OfferQuality>>> {
    Ok(state.session().await?.engine.quality_of(&targets)?)
}

/// Providers whose recent cancel rate is high (empty when all is well).
#[tauri::command]
#[specta::specta]
pub async fn cancel_warnings(state: State<'_, AppState>) -> AppResult<Vec<CancelWarning>> {
    Ok(state.session().await?.engine.cancel_warnings()?)
}
