//! API keys: set (validated first, then bound to the origin it was checked against), clear,
//! status. A key comes in once and never goes out.

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
    state.keys_status().await
}

/// Check `key` with the provider at its current address, save it in the keyring bound to that
/// address's origin, and start using it.
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
    let url = state.base_url(provider)?;
    keys::validate(provider, url.as_str(), &key).await?;
    keys::save(&state.secrets, provider, key, url.origin()).await?;
    state.open_real().await?;
    state.keys_status().await
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
    state.keys_status().await
}
