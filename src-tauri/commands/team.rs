//! Team mode: status, join (paste an invite), leave, and the owner's invite and remove. The
//! connection string goes from the pasted text straight into the keyring; the only secret that
//! ever comes back out is a new member's invite, shown once for the owner to hand over.

use crate::error::AppResult;
use crate::state::AppState;
use crate::team::{self, SoldBy, TeamStatus};
use otpdesk_engine::RequestView;
use tauri::State;

/// The team this computer works in (or that it works alone).
#[tauri::command]
#[specta::specta]
pub async fn team_status(state: State<'_, AppState>) -> AppResult<TeamStatus> {
    let session = state.session().await.ok();
    team::status(&state.secrets, session.as_ref().map(|s| &s.engine)).await
}

/// Join the team of a pasted invite (or, for the owner, start one from a connection string).
#[tauri::command]
#[specta::specta]
pub async fn team_join(state: State<'_, AppState>, invite: String) -> AppResult<TeamStatus> {
    let connection = team::connection_from_paste(&invite)?;
    state.join_team(connection).await?;
    team_status(state).await
}

/// Leave the team: this computer's own order book is used again.
#[tauri::command]
#[specta::specta]
pub async fn team_leave(state: State<'_, AppState>) -> AppResult<TeamStatus> {
    state.leave_team().await?;
    team_status(state).await
}

/// Open the team's order book again (after the server could not be reached at start).
#[tauri::command]
#[specta::specta]
pub async fn team_reconnect(state: State<'_, AppState>) -> AppResult<TeamStatus> {
    state.open_real().await?;
    team_status(state).await
}

/// Owner: add a member called `name`; returns the invite text to hand them (shown once).
#[tauri::command]
#[specta::specta]
pub async fn team_invite(state: State<'_, AppState>, name: String) -> AppResult<String> {
    let engine = state.session().await?.engine.clone();
    team::store_task(move || engine.team_invite(&name)).await
}

/// Owner: remove a member (their login stops working; their orders stay, still "sold by" them).
#[tauri::command]
#[specta::specta]
pub async fn team_remove(state: State<'_, AppState>, login: String) -> AppResult<TeamStatus> {
    let engine = state.session().await?.engine.clone();
    team::store_task(move || engine.team_remove(&login)).await?;
    team_status(state).await
}

/// Which of these orders another member sold, with the member's name.
#[tauri::command]
#[specta::specta]
pub async fn team_sold_by(state: State<'_, AppState>, ids: Vec<String>) -> AppResult<Vec<SoldBy>> {
    let session = state.session().await?;
    team::sold_by(&session.engine, ids).await
}

/// This desktop's requests the owner's computer has not finished yet (team mode, no key here).
#[tauri::command]
#[specta::specta]
pub async fn team_requests(state: State<'_, AppState>) -> AppResult<Vec<RequestView>> {
    let session = state.session().await?;
    team::my_requests(&session.engine).await
}

/// Withdraw one of them before the owner's computer picks it up (`false`: too late).
#[tauri::command]
#[specta::specta]
pub async fn team_withdraw(state: State<'_, AppState>, id: String) -> AppResult<bool> {
    let session = state.session().await?;
    team::withdraw(&session.engine, id).await
}
