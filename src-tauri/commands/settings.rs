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

/// Save `settings` (validated). Base URLs and the poll budget apply from the next session
/// (the app reopens real mode when they change).
#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> AppResult<Settings> {
    let before = state.settings.get();
    let saved = state.settings.update(|s| *s = settings)?;
    let reopen = before.base_urls != saved.base_urls
        || before.poll_budget_per_minute != saved.poll_budget_per_minute;
    if reopen && state.mode() == crate::events::AppMode::Real {
        state.open_real().await?;
    }
    Ok(saved)
}
