//! Typed events for the UI (`tauri_specta::Event`). Types only: the session's forwarder
//! (`session::forward`) sends them.

use otpdesk_engine::{BatchProgress, EngineEvent};
use serde::{Deserialize, Serialize};

/// Real providers, or the simulator inside the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum AppMode {
    Real,
    Demo,
}

/// Every engine event, forwarded as is (written to the store before it is sent).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct EngineEventPayload(pub EngineEvent);

/// The app switched between real and demo mode: reload everything.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct AppModeChanged {
    pub mode: AppMode,
}

/// The number of orders still being tracked (what the tray shows).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct ActiveOrdersChanged {
    pub count: u32,
}

/// The user pressed "Buy" on a watched-offer alert: the window opens the confirm dialog for it
/// (with a fresh price); nothing is bought until the user confirms there.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct WatchBuyRequested {
    pub watch: otpdesk_engine::WatchView,
}

/// News of a running "Buy N" (`buy_batch`): a number bought, or why the batch stopped.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct BatchProgressEvent {
    /// The id the window gave the batch.
    pub batch_id: String,
    pub progress: BatchProgress,
}
