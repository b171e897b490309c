//! Start-up state and demo mode.

use crate::error::{AppError, AppResult};
use crate::events::AppMode;
use crate::keys::{self, KeyStatus};
use crate::state::AppState;
use serde::Serialize;
use tauri::State;

/// What the UI needs to pick its first screen: welcome (no key, real mode), demo banner, main.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppStatus {
    pub mode: AppMode,
    pub keys: Vec<KeyStatus>,
    /// The keyring could not be read (keys then show as not set).
    pub keyring_error: Option<AppError>,
    /// The data could not be opened; most commands fail with this until it is fixed.
    pub problem: Option<AppError>,
    pub version: String,
    /// Where each configured provider is asked now (NumberOTP: the host that answered).
    pub addresses: Vec<ProviderAddress>,
    /// This computer works in a team (its order book is the team's; an operator needs no key).
    pub team: bool,
    /// Team mode: the providers with no key on this computer whose offers and prices come
    /// through the team (a desktop with the key opened the team's order book).
    pub team_sells: Vec<otpdesk_core::ProviderId>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ProviderAddress {
    pub provider: otpdesk_core::ProviderId,
    pub in_use: String,
}

pub async fn status(state: &AppState) -> AppStatus {
    // Wait for a session being opened, so the mode is the one the UI will work with.
    let session = state.session().await.ok();
    let mode = state.mode();
    let addresses = match &session {
        Some(s) => otpdesk_core::ProviderId::ALL
            .into_iter()
            .filter_map(|provider| {
                let in_use = s.engine.base_url(provider)?;
                Some(ProviderAddress { provider, in_use })
            })
            .collect(),
        None => Vec::new(),
    };
    let team_sells = match &session {
        Some(s) => s
            .engine
            .selling_providers()
            .into_iter()
            .filter(|(p, _)| s.engine.base_url(*p).is_none())
            .map(|(p, _)| p)
            .collect(),
        None => Vec::new(),
    };
    let (keys, keyring_error) = match state.keys_status().await {
        Ok(k) => (k, None),
        Err(e) => (keys::none_set(), Some(e)),
    };
    AppStatus {
        mode,
        keys,
        keyring_error,
        problem: state.problem(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        addresses,
        team: mode == AppMode::Real
            && crate::team::saved(&state.secrets)
                .await
                .is_ok_and(|t| t.is_some()),
        team_sells,
    }
}

#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> AppResult<AppStatus> {
    Ok(status(&state).await)
}

/// The OS language and the language to show: `language` is the user's choice with `system`
/// resolved through the OS locale (Bahasa Indonesia on an Indonesian system).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LocaleInfo {
    /// BCP 47 tag of the OS locale (`id-ID`), when the OS says.
    pub system_locale: Option<String>,
    pub language: crate::i18n::Lang,
}

#[tauri::command]
#[specta::specta]
pub async fn locale_info(state: State<'_, AppState>) -> AppResult<LocaleInfo> {
    Ok(LocaleInfo {
        system_locale: crate::i18n::system_locale(),
        language: crate::i18n::resolve(state.settings.get().language),
    })
}

/// Switch to demo mode: the simulator inside the app, demo keys, `demo/` data.
#[tauri::command]
#[specta::specta]
pub async fn start_demo(state: State<'_, AppState>) -> AppResult<AppStatus> {
    state.start_demo().await?;
    Ok(status(&state).await)
}

/// Back to real providers with the keys in the keyring.
#[tauri::command]
#[specta::specta]
pub async fn stop_demo(state: State<'_, AppState>) -> AppResult<AppStatus> {
    state.stop_demo().await?;
    Ok(status(&state).await)
}

/// Open the folder of the app's log files in the file manager (Settings › Advanced), so a user
/// can send them to support.
#[tauri::command]
#[specta::specta]
pub async fn open_log_folder(state: State<'_, AppState>) -> AppResult<()> {
    let shell = state.shell.clone();
    tokio::task::spawn_blocking(move || shell.open_log_folder())
        .await
        .map_err(|e| AppError::internal(format!("log folder task: {e}")))?
        .map_err(|e| AppError::internal(format!("The log folder could not be opened: {e}")))
}

/// Quit OTPDesk from the window (where the desktop shows no tray, this is the way out). Asks
/// first while orders still wait for their first code; `false`: the user kept it running.
#[tauri::command]
#[specta::specta]
pub async fn quit_app(state: State<'_, AppState>) -> AppResult<bool> {
    Ok(crate::quit::quit(&state).await)
}
