//! Balances and the catalog of the current session's providers.

use crate::balance_watch;
use crate::catalog::{self, CatalogCountry, CatalogItems, Countries, ProviderBalance};
use crate::error::AppResult;
use crate::state::AppState;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn balances(state: State<'_, AppState>) -> AppResult<Vec<ProviderBalance>> {
    let s = state.session().await?;
    let settings = state.settings.get();
    Ok(balance_watch::balances(&s.clients, &s.balances, &*state.shell, &settings).await)
}

#[tauri::command]
#[specta::specta]
pub async fn catalog_countries(state: State<'_, AppState>) -> AppResult<Countries> {
    Ok(catalog::countries(&state.session().await?.clients).await)
}

/// Everything for sale in `country` (as returned by `catalog_countries`), filtered by `search`.
#[tauri::command]
#[specta::specta]
pub async fn catalog_items(
    state: State<'_, AppState>,
    country: CatalogCountry,
    search: Option<String>,
) -> AppResult<CatalogItems> {
    let session = state.session().await?;
    Ok(catalog::items(&session.clients, &country, search.as_deref()).await)
}
