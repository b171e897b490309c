//! Balances and the catalog of the current session's providers.

use crate::balance_watch;
use crate::catalog::{CatalogItems, Countries, ProviderBalance};
use crate::error::AppResult;
use crate::state::AppState;
use otpdesk_engine::CatalogCountry;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn balances(state: State<'_, AppState>) -> AppResult<Vec<ProviderBalance>> {
    let s = state.session().await?;
    let settings = state.settings.get();
    Ok(balance_watch::balances(&s.engine, &s.balances, &*state.shell, &settings).await)
}

#[tauri::command]
#[specta::specta]
pub async fn catalog_countries(state: State<'_, AppState>) -> AppResult<Countries> {
    let engine = state.session().await?.engine.clone();
    Ok(engine.catalog().countries().await.into())
}

/// Everything for sale in `country` (as returned by `catalog_countries`), filtered by `search`.
#[tauri::command]
#[specta::specta]
pub async fn catalog_items(
    state: State<'_, AppState>,
    country: CatalogCountry,
    search: Option<String>,
) -> AppResult<CatalogItems> {
    let engine = state.session().await?.engine.clone();
    Ok(engine
        .catalog()
        .items(&country, search.as_deref())
        .await
        .into())
}
