//! The main window: the one place that finds, shows and closes it, so the tray, notifications,
//! a second launch and dialogs all bring back the same window the same way.

use tauri::{AppHandle, Manager, Runtime, WebviewWindow, Window, WindowEvent};

/// The label of the app's one window (also the capability's `windows` entry).
pub const MAIN: &str = "main";

/// The main window, when it exists.
pub fn main_window<R: Runtime>(app: &AppHandle<R>) -> Option<WebviewWindow<R>> {
    app.get_webview_window(MAIN)
}

/// Show, unminimize and focus the main window (tray "Open", a notification click, a second
/// launch).
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = main_window(app) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Window events of the app: closing hides to the tray, so tracking and notifications go on.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        let _ = window.hide();
    }
}
