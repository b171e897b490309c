//! The UI's view kept in Rust, so a window rebuilt after its webview was closed to save memory
//! opens where the user left it (see `lifecycle`).

use crate::error::AppResult;
use crate::lifecycle::SavedView;
use crate::state::AppState;
use tauri::State;

/// Remember what the window shows now (screen, catalog tab and search, History filters, form
/// fields that are not secret). Called by the UI as the view changes.
#[tauri::command]
#[specta::specta]
pub fn save_view(state: State<'_, AppState>, view: SavedView) -> AppResult<()> {
    state.view.save(view);
    Ok(())
}

/// The view saved last in this run of the app (`null` in a fresh start).
#[tauri::command]
#[specta::specta]
pub fn saved_view(state: State<'_, AppState>) -> AppResult<Option<SavedView>> {
    Ok(state.view.get())
}
