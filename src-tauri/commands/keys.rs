//! API keys: set (validated first), clear, status. A key comes in once and never goes out.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::AppMode;
use crate::keys::{self, KeyStatus};
use crate::state::AppState;
use otpdesk_core::{ApiKey, ProviderId};
use tauri::State;

fn refuse_in_demo(state: &AppState) -> AppResult<()> {
    if state.mode() == AppMode::Demo {
        return Err(AppError::new(
            ErrorCode::DemoMode,
            "Keys cannot be changed in demo mode; leave the demo first.",
        ));
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn keys_status(state: State<'_, AppState>) -> AppResult<Vec<KeyStatus>> {
    keys::status(&state.secrets, state.mode()).await
}

/// Check `key` with the provider, save it in the keyring, and start using it.
#[tauri::command]
#[specta::specta]
pub async fn set_key(
    state: State<'_, AppState>,
    provider: ProviderId,
    key: String,
) -> AppResult<Vec<KeyStatus>> {
    refuse_in_demo(&state)?;
    let key =
        ApiKey::new(key).ok_or_else(|| AppError::new(ErrorCode::EmptyKey, "The key is empty."))?;
    keys::validate(provider, &state.base_url(provider), &key).await?;
    keys::save(&state.secrets, provider, key).await?;
    state.open_real().await?;
    keys::status(&state.secrets, state.mode()).await
}

/// Remove a key from the keyring. Orders already bought with it stay in the history.
#[tauri::command]
#[specta::specta]
pub async fn clear_key(
    state: State<'_, AppState>,
    provider: ProviderId,
) -> AppResult<Vec<KeyStatus>> {
    refuse_in_demo(&state)?;
    keys::clear(&state.secrets, provider).await?;
    state.open_real().await?;
    keys::status(&state.secrets, state.mode()).await
}
