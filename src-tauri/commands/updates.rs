//! Updates: where they stand, and the user's "Restart to update" (src-tauri/updater.rs does the
//! work; the window has no updater permission of its own).

use crate::error::AppResult;
use crate::state::AppState;
use crate::updater::{UpdateStatus, Updates};
use tauri::State;

/// None, checking, ready (with the version, and whether a purchase is under way now) or error.
#[tauri::command]
#[specta::specta]
pub async fn update_status(
    state: State<'_, AppState>,
    updates: State<'_, Updates>,
) -> AppResult<UpdateStatus> {
    let session = state.session().await.ok();
    Ok(updates.status(session.as_ref().map(|s| &s.engine)))
}

/// Install the update that is ready and restart: `purchase_under_way` while a purchase,
/// replacement or top-up is under way (ask again when it is done).
#[tauri::command]
#[specta::specta]
pub async fn restart_to_update(
    state: State<'_, AppState>,
    updates: State<'_, Updates>,
) -> AppResult<()> {
    let session = state.session().await.ok();
    updates
        .restart_to_update(session.as_ref().map(|s| &s.engine))
        .await
}
