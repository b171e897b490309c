//! Top-ups: OTPZap QRIS (rupiah) and OOPPay USDT invoices, with QR codes drawn locally.
//! Paid / expired arrive as `deposit_paid` / `deposit_expired` engine events (plus a
//! notification), and a paid QRIS top-up refreshes the balance (`BalanceUpdated`).

use crate::deposits::{check_payment_url, DepositInfo};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::AppMode;
use crate::state::AppState;
use otpdesk_core::ProviderId;
use otpdesk_engine::DepositFilter;
use tauri::State;

/// A QRIS invoice for `amount` rupiah (1 000 – 10 000 000): pay `total` within 30 minutes.
#[tauri::command]
#[specta::specta]
pub async fn topup_qris(state: State<'_, AppState>, amount: i64) -> AppResult<DepositInfo> {
    if amount <= 0 {
        return Err(AppError::new(
            ErrorCode::Validation,
            "The amount must be more than zero.",
        ));
    }
    let d = state.session().await?.engine.topup_qris(amount).await?;
    Ok(DepositInfo::new(d))
}

/// A USDT-TRC20 invoice for `amount` (decimal text, e.g. `"10.5"`): send exactly `total` (the
/// amount plus OOPPay's network buffer) to `pay_address` before `expires_at`.
#[tauri::command]
#[specta::specta]
pub async fn topup_usdt(state: State<'_, AppState>, amount: String) -> AppResult<DepositInfo> {
    let d = state.session().await?.engine.topup_usdt(&amount).await?;
    Ok(DepositInfo::new(d))
}

/// Deposits, newest first (`active_only`: still waiting for payment).
#[tauri::command]
#[specta::specta]
pub async fn deposits(
    state: State<'_, AppState>,
    active_only: bool,
    limit: Option<u32>,
) -> AppResult<Vec<DepositInfo>> {
    let filter = DepositFilter {
        active_only,
        limit: Some(limit.unwrap_or(50).min(1000)),
        ..DepositFilter::default()
    };
    let list = state.session().await?.engine.deposits(&filter)?;
    Ok(list.into_iter().map(DepositInfo::new).collect())
}

#[tauri::command]
#[specta::specta]
pub async fn deposit(state: State<'_, AppState>, deposit_id: String) -> AppResult<DepositInfo> {
    let d = state.session().await?.engine.deposit(&deposit_id)?;
    Ok(DepositInfo::new(d))
}

/// Open a QRIS invoice's payment page in the browser, only if it is on the configured OTPZap
/// site (https).
#[tauri::command]
#[specta::specta]
pub async fn open_payment_page(state: State<'_, AppState>, deposit_id: String) -> AppResult<()> {
    let session = state.session().await?;
    let info = DepositInfo::new(session.engine.deposit(&deposit_id)?);
    let (Some(url), Some(base)) = (info.payment_url, session.urls.get(&ProviderId::Otpzap)) else {
        return Err(AppError::new(
            ErrorCode::NotAllowed,
            "This deposit has no payment page.",
        ));
    };
    let url = check_payment_url(&url, base)?;
    state
        .shell
        .open_url(url.as_str())
        .map_err(|e| AppError::internal(format!("The browser could not be opened: {e}")))
}

/// Demo mode only: play the payer, as if the invoice was paid.
#[tauri::command]
#[specta::specta]
pub async fn demo_pay_deposit(state: State<'_, AppState>, deposit_id: String) -> AppResult<()> {
    let session = state.session().await?;
    let control = match (session.mode, session.sim_control().await) {
        (AppMode::Demo, Some(c)) => c,
        _ => {
            return Err(AppError::new(
                ErrorCode::NotAllowed,
                "Only demo invoices can be paid from here.",
            ))
        }
    };
    let d = session.engine.deposit(&deposit_id)?;
    control
        .pay_deposit(&d.remote_id)
        .await
        .map_err(|e| AppError::internal(format!("The demo could not pay: {e}")))?;
    // Ask the provider now rather than at the next tracking turn.
    session.engine.check_deposit_now(&d.id);
    Ok(())
}
