//! [`Shell`]: what the backend asks of the window system (UI events, tray, notifications,
//! clipboard). The app implements it over Tauri; tests record the calls instead, so the state and
//! commands need no window.

use crate::events::{ActiveOrdersChanged, AppMode, AppModeChanged, EngineEventPayload};
use crate::settings::Settings;
use crate::{notify, tray};
use otpdesk_engine::{EngineEvent, OrderView};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

pub trait Shell: Send + Sync + 'static {
    fn engine_event(&self, event: EngineEvent);
    fn mode_changed(&self, mode: AppMode);
    fn active_orders(&self, count: usize);
    /// A code arrived for `order`: notify / copy as the settings say.
    fn code_landed(&self, order: &OrderView, code: &str, settings: &Settings, demo: bool);
}

/// The real shell: typed Tauri events, the tray icon, notify-rust and the clipboard.
pub struct TauriShell<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> TauriShell<R> {
    pub fn new(app: AppHandle<R>) -> TauriShell<R> {
        TauriShell { app }
    }
}

impl<R: Runtime> Shell for TauriShell<R> {
    fn engine_event(&self, event: EngineEvent) {
        if let Err(e) = EngineEventPayload(event).emit(&self.app) {
            tracing::warn!("could not send an engine event to the window: {e}");
        }
    }

    fn mode_changed(&self, mode: AppMode) {
        if let Err(e) = (AppModeChanged { mode }).emit(&self.app) {
            tracing::warn!("could not send the mode to the window: {e}");
        }
        tray::set_mode(&self.app, mode);
    }

    fn active_orders(&self, count: usize) {
        tray::set_active_count(&self.app, count);
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let _ = ActiveOrdersChanged { count }.emit(&self.app);
    }

    fn code_landed(&self, order: &OrderView, code: &str, settings: &Settings, demo: bool) {
        if settings.auto_copy {
            notify::copy_text(code);
        }
        if settings.notifications {
            notify::code_notification(order, code, settings.sound, demo);
        }
    }
}
