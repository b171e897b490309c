//! Step-by-step catalogs per provider and server (see `browse.rs`), plus the fresh quote.

use crate::browse::{self, Choice, EmailDomainOffer, EmailSiteChoice};
use crate::catalog::CatalogItem;
use crate::error::AppResult;
use crate::state::AppState;
use otpdesk_engine::{BuyRequest, Quote};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn s1_countries(state: State<'_, AppState>) -> AppResult<Vec<Choice>> {
    browse::s1_countries(&state.session().await?.clients).await
}

#[tauri::command]
#[specta::specta]
pub async fn s1_services(state: State<'_, AppState>, country_id: String) -> AppResult<Vec<Choice>> {
    browse::s1_services(&state.session().await?.clients, &country_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn s1_products(
    state: State<'_, AppState>,
    country_id: String,
    platform_id: String,
) -> AppResult<Vec<CatalogItem>> {
    browse::s1_products(&state.session().await?.clients, &country_id, &platform_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn s2_countries(state: State<'_, AppState>) -> AppResult<Vec<Choice>> {
    browse::s2_countries(&state.session().await?.clients).await
}

/// Operators of a country, `random` first.
#[tauri::command]
#[specta::specta]
pub async fn s2_operators(
    state: State<'_, AppState>,
    country_id: String,
) -> AppResult<Vec<String>> {
    browse::s2_operators(&state.session().await?.clients, &country_id).await
}

/// Server 2 services of a country on `operator` (default `random`).
#[tauri::command]
#[specta::specta]
pub async fn s2_services(
    state: State<'_, AppState>,
    country_id: String,
    operator: Option<String>,
) -> AppResult<Vec<CatalogItem>> {
    let clients = &state.session().await?.clients;
    browse::s2_services(clients, &country_id, operator.as_deref()).await
}

#[tauri::command]
#[specta::specta]
pub async fn s2_special(state: State<'_, AppState>) -> AppResult<Vec<CatalogItem>> {
    browse::s2_special(&state.session().await?.clients).await
}

#[tauri::command]
#[specta::specta]
pub async fn numberotp_services(
    state: State<'_, AppState>,
    country: Option<String>,
) -> AppResult<Vec<Choice>> {
    browse::numberotp_services(&state.session().await?.clients, country.as_deref()).await
}

#[tauri::command]
#[specta::specta]
pub async fn numberotp_countries(
    state: State<'_, AppState>,
    service: Option<String>,
) -> AppResult<Vec<Choice>> {
    browse::numberotp_countries(&state.session().await?.clients, service.as_deref()).await
}

#[tauri::command]
#[specta::specta]
pub async fn numberotp_prices(
    state: State<'_, AppState>,
    service: Option<String>,
    country: Option<String>,
) -> AppResult<Vec<CatalogItem>> {
    let clients = &state.session().await?.clients;
    browse::numberotp_prices(clients, service.as_deref(), country.as_deref()).await
}

#[tauri::command]
#[specta::specta]
pub async fn email_sites(state: State<'_, AppState>) -> AppResult<Vec<EmailSiteChoice>> {
    browse::email_sites(&state.session().await?.clients).await
}

#[tauri::command]
#[specta::specta]
pub async fn email_domains(
    state: State<'_, AppState>,
    site: String,
) -> AppResult<Vec<EmailDomainOffer>> {
    browse::email_domains(&state.session().await?.clients, &site).await
}

/// The provider's price and stock of `target` right now.
#[tauri::command]
#[specta::specta]
pub async fn quote(state: State<'_, AppState>, target: BuyRequest) -> AppResult<Quote> {
    Ok(state.session().await?.engine.quote(&target).await?)
}
