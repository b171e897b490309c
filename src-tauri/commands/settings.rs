//! The user's settings (one typed struct).

use crate::error::AppResult;
use crate::settings::Settings;
use crate::state::AppState;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> AppResult<Settings> {
    Ok(state.settings.get())
}

/// Save `settings` (validated). Moving a provider with a saved key to another address asks the
/// user first in a native dialog and then removes that key (`cancelled` when they say no).
/// Base URLs and the poll budget apply from the next session (reopened when they change).
#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> AppResult<Settings> {
    state.update_settings(settings).await
}
