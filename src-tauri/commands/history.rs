//! History: every order and deposit with search, filters and totals; sale prices and profit;
//! CSV export; the balance ledger.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use otpdesk_core::{Money, ProviderId};
use otpdesk_engine::{
    HistoryPage, HistoryQuery, LedgerEntry, LedgerFilter, OrderView, ProfitQuery, ProfitReport,
};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn history(state: State<'_, AppState>, query: HistoryQuery) -> AppResult<HistoryPage> {
    Ok(state.session().await?.engine.history(&query)?)
}

/// Record what an order was sold for (`null` clears it). Integer minor units.
#[tauri::command]
#[specta::specta]
pub async fn set_sale_price(
    state: State<'_, AppState>,
    order_id: String,
    price: Option<Money>,
) -> AppResult<OrderView> {
    if price.is_some_and(|p| p.minor < 0) {
        return Err(AppError::new(
            ErrorCode::Validation,
            "A sale price cannot be negative.",
        ));
    }
    Ok(state
        .session()
        .await?
        .engine
        .set_sale_price(&order_id, price)?)
}

/// Profit of sold orders per local day and per service.
#[tauri::command]
#[specta::specta]
pub async fn profit_report(
    state: State<'_, AppState>,
    query: ProfitQuery,
) -> AppResult<ProfitReport> {
    Ok(state.session().await?.engine.profit(&query)?)
}

/// Ask where to save (native dialog), then write every order and deposit matching `query` (the
/// screen's own query: same filters, every page) as CSV. Returns the path written, or `null` when
/// the user cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_history_csv(
    state: State<'_, AppState>,
    query: HistoryQuery,
) -> AppResult<Option<String>> {
    let all = crate::history::export_query(&query);
    let session = state.session().await?;
    let name = format!(
        "otpdesk-history-{}.csv",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let shell = state.shell.clone();
    // The dialog blocks until the user answers: keep it off the async workers.
    let path = tokio::task::spawn_blocking(move || shell.save_path(&name))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    let Some(path) = path else {
        return Ok(None);
    };
    // Read only once the user has picked a file.
    let page = session.engine.history(&all)?;
    std::fs::write(&path, crate::history::csv(&page))
        .map_err(|e| AppError::internal(format!("Could not write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

/// Recorded balance changes of a provider (charges negative), newest first.
#[tauri::command]
#[specta::specta]
pub async fn ledger(
    state: State<'_, AppState>,
    provider: Option<ProviderId>,
    limit: Option<u32>,
) -> AppResult<Vec<LedgerEntry>> {
    let filter = LedgerFilter {
        provider,
        limit: Some(limit.unwrap_or(200).min(10_000)),
    };
    Ok(state.session().await?.engine.ledger(&filter)?)
}
