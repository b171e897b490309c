//! Buying and the orders board, straight through the engine.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::notify;
use crate::state::AppState;
use otpdesk_core::Money;
use otpdesk_engine::{BuyRequest, OrderFilter, OrderView};
use tauri::State;

/// Buy what a catalog item's `target` says. On `outcome_unknown` do not buy again: the
/// attempt is listed for checking.
#[tauri::command]
#[specta::specta]
pub async fn buy(state: State<'_, AppState>, target: BuyRequest) -> AppResult<OrderView> {
    Ok(state.session().await?.engine.buy(target).await?)
}

/// Buy after re-reading the offer (as OTPZap asks): refused with `out_of_stock` when none is
/// left and `price_changed` when it now costs more than `expected_price` (the price shown).
#[tauri::command]
#[specta::specta]
pub async fn buy_checked(
    state: State<'_, AppState>,
    target: BuyRequest,
    expected_price: Option<Money>,
) -> AppResult<OrderView> {
    let engine = &state.session().await?.engine;
    Ok(engine.buy_checked(target, expected_price).await?)
}

/// Ask the provider about an open order now (email "check"); news arrives as events.
#[tauri::command]
#[specta::specta]
pub async fn check_order(state: State<'_, AppState>, order_id: String) -> AppResult<OrderView> {
    Ok(state.session().await?.engine.check_now(&order_id)?)
}

/// Email: wait for another message on the same inbox (not charged again; the 20-minute window
/// restarts: see the order's `expires_at`).
#[tauri::command]
#[specta::specta]
pub async fn email_reorder(state: State<'_, AppState>, order_id: String) -> AppResult<OrderView> {
    Ok(state
        .session()
        .await?
        .engine
        .email_reorder(&order_id)
        .await?)
}

/// Orders still being tracked, newest first.
#[tauri::command]
#[specta::specta]
pub async fn active_orders(state: State<'_, AppState>) -> AppResult<Vec<OrderView>> {
    let filter = OrderFilter {
        active_only: true,
        limit: Some(500),
        ..OrderFilter::default()
    };
    Ok(state.session().await?.engine.orders(&filter)?)
}

/// The latest orders of any status, newest first.
#[tauri::command]
#[specta::specta]
pub async fn recent_orders(
    state: State<'_, AppState>,
    limit: Option<u32>,
) -> AppResult<Vec<OrderView>> {
    let filter = OrderFilter {
        limit: Some(limit.unwrap_or(50).min(500)),
        ..OrderFilter::default()
    };
    Ok(state.session().await?.engine.orders(&filter)?)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_order(state: State<'_, AppState>, order_id: String) -> AppResult<OrderView> {
    Ok(state.session().await?.engine.cancel(&order_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn finish_order(state: State<'_, AppState>, order_id: String) -> AppResult<OrderView> {
    Ok(state.session().await?.engine.finish(&order_id).await?)
}

/// Ask for the code again (`resend_locked` with `unlocks_at` when too early).
#[tauri::command]
#[specta::specta]
pub async fn resend_code(state: State<'_, AppState>, order_id: String) -> AppResult<OrderView> {
    Ok(state.session().await?.engine.resend(&order_id).await?)
}

/// OTPZap Server 1: a fresh number for the same product; returns the new order.
#[tauri::command]
#[specta::specta]
pub async fn replace_number(state: State<'_, AppState>, order_id: String) -> AppResult<OrderView> {
    Ok(state.session().await?.engine.replace(&order_id).await?)
}

/// Copy the order's latest code to the clipboard (no clipboard permission for the UI).
#[tauri::command]
#[specta::specta]
pub async fn copy_code(state: State<'_, AppState>, order_id: String) -> AppResult<()> {
    let order = state.session().await?.engine.order(&order_id)?;
    let code = order
        .latest_code()
        .ok_or_else(|| AppError::new(ErrorCode::NotAllowed, "This order has no code yet."))?;
    if notify::copy_text(code) {
        Ok(())
    } else {
        Err(AppError::internal("The clipboard is not available."))
    }
}
