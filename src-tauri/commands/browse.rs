//! Step-by-step catalogs per provider and server (the buy screen's source tabs), plus the fresh
//! quote. Each command is one call to the engine's catalog.

use crate::catalog::provider_error;
use crate::error::AppResult;
use crate::state::AppState;
use otpdesk_core::ProviderId::{self, Numberotp, Otpzap};
use otpdesk_engine::{
    BuyRequest, CatalogItem, Choice, EmailDomainOffer, EmailSiteChoice, Engine, Quote,
};
use std::future::Future;
use tauri::State;

/// The session's engine, one catalog read with it, its error naming `provider`.
async fn read<T, F, Fut>(state: &AppState, provider: ProviderId, f: F) -> AppResult<T>
where
    F: FnOnce(Engine) -> Fut,
    Fut: Future<Output = otpdesk_engine::Result<T>>,
{
    let engine = state.session().await?.engine.clone();
    f(engine).await.map_err(|e| provider_error(provider, e))
}

#[tauri::command]
#[specta::specta]
pub async fn s1_countries(state: State<'_, AppState>) -> AppResult<Vec<Choice>> {
    read(&state, Otpzap, |e| async move {
        e.catalog().s1_countries().await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn s1_services(state: State<'_, AppState>, country_id: String) -> AppResult<Vec<Choice>> {
    read(&state, Otpzap, |e| async move {
        e.catalog().s1_services(Some(&country_id)).await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn s1_products(
    state: State<'_, AppState>,
    country_id: String,
    platform_id: String,
) -> AppResult<Vec<CatalogItem>> {
    read(&state, Otpzap, |e| async move {
        e.catalog().s1_products(&country_id, &platform_id).await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn s2_countries(state: State<'_, AppState>) -> AppResult<Vec<Choice>> {
    read(&state, Otpzap, |e| async move {
        e.catalog().s2_countries().await
    })
    .await
}

/// Operators of a country, `random` first.
#[tauri::command]
#[specta::specta]
pub async fn s2_operators(
    state: State<'_, AppState>,
    country_id: String,
) -> AppResult<Vec<String>> {
    read(&state, Otpzap, |e| async move {
        e.catalog().s2_operators(&country_id).await
    })
    .await
}

/// Server 2 services of a country on `operator` (default `random`).
#[tauri::command]
#[specta::specta]
pub async fn s2_services(
    state: State<'_, AppState>,
    country_id: String,
    operator: Option<String>,
) -> AppResult<Vec<CatalogItem>> {
    read(&state, Otpzap, |e| async move {
        e.catalog()
            .s2_services(&country_id, operator.as_deref())
            .await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn s2_special(state: State<'_, AppState>) -> AppResult<Vec<CatalogItem>> {
    read(
        &state,
        Otpzap,
        |e| async move { e.catalog().s2_special().await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn numberotp_services(
    state: State<'_, AppState>,
    country: Option<String>,
) -> AppResult<Vec<Choice>> {
    read(&state, Numberotp, |e| async move {
        e.catalog().numberotp_services(country.as_deref()).await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn numberotp_countries(
    state: State<'_, AppState>,
    service: Option<String>,
) -> AppResult<Vec<Choice>> {
    read(&state, Numberotp, |e| async move {
        e.catalog().numberotp_countries(service.as_deref()).await
    })
    .await
}

/// NumberOTP prices, optionally of one service and/or one country (id or name).
#[tauri::command]
#[specta::specta]
pub async fn numberotp_prices(
    state: State<'_, AppState>,
    service: Option<String>,
    country: Option<String>,
) -> AppResult<Vec<CatalogItem>> {
    read(&state, Numberotp, |e| async move {
        e.catalog()
            .numberotp_prices(service.as_deref(), country.as_deref())
            .await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn email_sites(state: State<'_, AppState>) -> AppResult<Vec<EmailSiteChoice>> {
    read(&state, Otpzap, |e| async move {
        e.catalog().email_sites().await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn email_domains(
    state: State<'_, AppState>,
    site: String,
) -> AppResult<Vec<EmailDomainOffer>> {
    read(&state, Otpzap, |e| async move {
        e.catalog().email_domains(&site).await
    })
    .await
}

/// The provider's price and stock of `target` right now.
#[tauri::command]
#[specta::specta]
pub async fn quote(state: State<'_, AppState>, target: BuyRequest) -> AppResult<Quote> {
    Ok(state.session().await?.engine.quote(&target).await?)
}
