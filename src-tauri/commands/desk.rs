//! The reseller's desk: customers (recent list, per-customer totals), the hand-off after a
//! purchase (customer, note, sale price from the price list), paid / not paid, the price list,
//! the message templates, copying the filled message and opening a WhatsApp / Telegram share
//! link ([`crate::share`]; the URL is built here from the order, never passed in by the UI).

use crate::error::{AppError, AppResult, ErrorCode};
use crate::notify;
use crate::share::{self, ShareApp};
use crate::state::AppState;
use otpdesk_core::Money;
use otpdesk_engine::customers::{Customer, HandOff, OrderDesk};
use otpdesk_engine::pricing::{PriceList, Suggestion, FALLBACK_IDR_PER_USD};
use otpdesk_engine::templates::{Template, TemplateKind, TemplateLang};
use otpdesk_engine::EngineError;
use serde::{Deserialize, Serialize};
use tauri::State;

/// The price list with the rate actually used for dollar costs.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct PriceListView {
    pub list: PriceList,
    /// Rupiah per dollar in use (the user's, or the fallback).
    pub rate_used: String,
    /// No rate set: the fallback is used.
    pub fallback_rate: bool,
    pub fallback: String,
}

fn view(list: PriceList) -> PriceListView {
    let (rate_used, fallback_rate) = list.rate();
    PriceListView {
        list,
        rate_used,
        fallback_rate,
        fallback: FALLBACK_IDR_PER_USD.to_string(),
    }
}

/// A refused price list or template is a validation error with the engine's sentence.
fn validation(e: EngineError) -> AppError {
    match e {
        EngineError::Config(m) => AppError::new(ErrorCode::Validation, m),
        other => other.into(),
    }
}

/// Customer names, most recently used first (for the buy dialog's suggestions).
#[tauri::command]
#[specta::specta]
pub async fn recent_customers(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    Ok(state.session().await?.engine.recent_customers(30)?)
}

/// What the price list suggests charging for `service` bought at `cost`.
#[tauri::command]
#[specta::specta]
pub async fn suggest_sale_price(
    state: State<'_, AppState>,
    service: String,
    cost: Money,
) -> AppResult<Option<Suggestion>> {
    Ok(state
        .session()
        .await?
        .engine
        .suggest_sale_price(&service, cost)?)
}

/// Customer, note and sale price of an order (the price list's when none is given).
#[tauri::command]
#[specta::specta]
pub async fn hand_off(
    state: State<'_, AppState>,
    order_id: String,
    hand: HandOff,
) -> AppResult<OrderDesk> {
    if hand.sale_price.is_some_and(|p| p.minor < 0) {
        return Err(AppError::new(
            ErrorCode::Validation,
            "A sale price cannot be negative.",
        ));
    }
    Ok(state.session().await?.engine.hand_off(&order_id, &hand)?)
}

/// Customer, note and paid of these orders (those that have any).
#[tauri::command]
#[specta::specta]
pub async fn order_desks(
    state: State<'_, AppState>,
    order_ids: Vec<String>,
) -> AppResult<Vec<OrderDesk>> {
    Ok(state.session().await?.engine.order_desks(&order_ids)?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_paid(
    state: State<'_, AppState>,
    order_id: String,
    paid: bool,
) -> AppResult<OrderDesk> {
    Ok(state.session().await?.engine.set_paid(&order_id, paid)?)
}

/// Every customer with what they owe and the profit on them (dollar costs at the price list's
/// rate).
#[tauri::command]
#[specta::specta]
pub async fn customers(state: State<'_, AppState>) -> AppResult<Vec<Customer>> {
    let session = state.session().await?;
    let rate = session.engine.price_list()?.whole_rate();
    Ok(session.engine.customers(rate)?)
}

#[tauri::command]
#[specta::specta]
pub async fn price_list(state: State<'_, AppState>) -> AppResult<PriceListView> {
    Ok(view(state.session().await?.engine.price_list()?))
}

#[tauri::command]
#[specta::specta]
pub async fn set_price_list(
    state: State<'_, AppState>,
    list: PriceList,
) -> AppResult<PriceListView> {
    let session = state.session().await?;
    Ok(view(
        session.engine.set_price_list(&list).map_err(validation)?,
    ))
}

#[tauri::command]
#[specta::specta]
pub async fn message_templates(state: State<'_, AppState>) -> AppResult<Vec<Template>> {
    Ok(state.session().await?.engine.templates()?)
}

/// Save a template; `null` goes back to the default text.
#[tauri::command]
#[specta::specta]
pub async fn set_message_template(
    state: State<'_, AppState>,
    lang: TemplateLang,
    kind: TemplateKind,
    body: Option<String>,
) -> AppResult<Vec<Template>> {
    let session = state.session().await?;
    session
        .engine
        .set_template(lang, kind, body.as_deref())
        .map_err(validation)
}

/// Copy the order's filled message (number, then the code once it came) and return it.
#[tauri::command]
#[specta::specta]
pub async fn copy_customer_message(
    state: State<'_, AppState>,
    order_id: String,
    lang: TemplateLang,
) -> AppResult<String> {
    let text = state
        .session()
        .await?
        .engine
        .customer_message(&order_id, lang)?;
    if notify::copy_text(&text) {
        Ok(text)
    } else {
        Err(AppError::internal("The clipboard is not available."))
    }
}

/// Open WhatsApp's or Telegram's share page with the order's filled message.
#[tauri::command]
#[specta::specta]
pub async fn share_order(
    state: State<'_, AppState>,
    order_id: String,
    lang: TemplateLang,
    app: ShareApp,
) -> AppResult<()> {
    let session = state.session().await?;
    let order = session.engine.order(&order_id)?;
    let text = session.engine.customer_message(&order.id, lang)?;
    let number = order.phone.or(order.email).unwrap_or_default();
    let url = share::share_url(app, &number, &text)?;
    state
        .shell
        .open_url(url.as_str())
        .map_err(|e| AppError::internal(format!("The browser could not be opened: {e}")))
}
