//! Guarded automation for the window, straight through the engine: auto-replace jobs, maximum
//! prices per service, the number blocklist and watched offers. The limits live in the engine's
//! order book (they hold for the command line too); nothing here buys without the user.

use crate::error::AppResult;
use crate::state::AppState;
use otpdesk_core::Money;
use otpdesk_engine::{
    BlockEntry, BlockKind, BlockSuggestion, JobRequest, JobView, WatchRequest, WatchView,
};
use serde::Serialize;
use tauri::State;

/// Start an auto-replace job for what a catalog item's `target` says (see `JobRequest`).
#[tauri::command]
#[specta::specta]
pub async fn start_auto_replace(state: State<'_, AppState>, job: JobRequest) -> AppResult<JobView> {
    Ok(state.session().await?.engine.start_job(job)?)
}

/// Stop a job: nothing more is bought; its number stays open.
#[tauri::command]
#[specta::specta]
pub async fn stop_auto_replace(state: State<'_, AppState>, job_id: String) -> AppResult<JobView> {
    Ok(state.session().await?.engine.stop_job(&job_id)?)
}

/// Auto-replace jobs, newest first.
#[tauri::command]
#[specta::specta]
pub async fn auto_replace_jobs(
    state: State<'_, AppState>,
    running_only: bool,
) -> AppResult<Vec<JobView>> {
    Ok(state.session().await?.engine.jobs(running_only)?)
}

/// A maximum price: every purchase of `service` is refused above `max`.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct MaxPrice {
    pub service: String,
    pub max: Money,
}

#[tauri::command]
#[specta::specta]
pub async fn max_prices(state: State<'_, AppState>) -> AppResult<Vec<MaxPrice>> {
    let list = state.session().await?.engine.max_prices()?;
    Ok(list
        .into_iter()
        .map(|(service, max)| MaxPrice { service, max })
        .collect())
}

/// Set (`None`: remove) the maximum price of a service (`BuyRequest` service key).
#[tauri::command]
#[specta::specta]
pub async fn set_max_price(
    state: State<'_, AppState>,
    service: String,
    max: Option<Money>,
) -> AppResult<()> {
    Ok(state.session().await?.engine.set_max_price(&service, max)?)
}

/// The blocklist and whether it applies to every purchase.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Blocklist {
    pub entries: Vec<BlockEntry>,
    pub all_purchases: bool,
    /// The operators an entry can name.
    pub operators: Vec<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn blocklist(state: State<'_, AppState>) -> AppResult<Blocklist> {
    let engine = &state.session().await?.engine;
    Ok(Blocklist {
        entries: engine.blocklist()?,
        all_purchases: engine.blocklist_all_purchases()?,
        operators: otpdesk_engine::blocklist::operators()
            .into_iter()
            .map(str::to_string)
            .collect(),
    })
}

/// Add a prefix or operator; `false` when it was listed already.
#[tauri::command]
#[specta::specta]
pub async fn add_block(
    state: State<'_, AppState>,
    kind: BlockKind,
    value: String,
    note: Option<String>,
) -> AppResult<bool> {
    Ok(state
        .session()
        .await?
        .engine
        .add_block(kind, &value, note)?)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_block(
    state: State<'_, AppState>,
    kind: BlockKind,
    value: String,
) -> AppResult<bool> {
    Ok(state.session().await?.engine.remove_block(kind, &value)?)
}

/// Prefixes and operators whose numbers often ended without a code.
#[tauri::command]
#[specta::specta]
pub async fn suggest_blocks(state: State<'_, AppState>) -> AppResult<Vec<BlockSuggestion>> {
    Ok(state.session().await?.engine.suggest_blocks()?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_blocklist_all_purchases(state: State<'_, AppState>, on: bool) -> AppResult<()> {
    Ok(state
        .session()
        .await?
        .engine
        .set_blocklist_all_purchases(on)?)
}

/// Watch an offer: an alert when it is in stock (at or under `target`); one automatic purchase
/// only when `auto_buy` was ticked, within `auto_max`.
#[tauri::command]
#[specta::specta]
pub async fn watch_offer(state: State<'_, AppState>, watch: WatchRequest) -> AppResult<WatchView> {
    Ok(state.session().await?.engine.watch_offer(watch)?)
}

#[tauri::command]
#[specta::specta]
pub async fn watches(state: State<'_, AppState>) -> AppResult<Vec<WatchView>> {
    Ok(state.session().await?.engine.watches()?)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_watch(state: State<'_, AppState>, watch_id: String) -> AppResult<bool> {
    Ok(state.session().await?.engine.remove_watch(&watch_id)?)
}

/// Watch again after an alert.
#[tauri::command]
#[specta::specta]
pub async fn rearm_watch(state: State<'_, AppState>, watch_id: String) -> AppResult<WatchView> {
    Ok(state.session().await?.engine.rearm_watch(&watch_id)?)
}

/// Look at every watched offer now (alerts arrive as events and notifications).
#[tauri::command]
#[specta::specta]
pub async fn check_watches(state: State<'_, AppState>) -> AppResult<Vec<WatchView>> {
    let engine = &state.session().await?.engine;
    engine.check_watches_now().await;
    Ok(engine.watches()?)
}
