//! The main window: the one place that finds, shows and closes it, so the tray, notifications,
//! a second launch and dialogs all bring back the same window the same way.

use tauri::{
    AppHandle, Manager, Runtime, WebviewWindow, WebviewWindowBuilder, Window, WindowEvent,
};

/// The label of the app's one window (also the capability's `windows` entry).
pub const MAIN: &str = "main";

/// The main window, when it exists.
pub fn main_window<R: Runtime>(app: &AppHandle<R>) -> Option<WebviewWindow<R>> {
    app.get_webview_window(MAIN)
}

/// Build the main window from its entry in `tauri.conf.json` (at start and when it comes back
/// after [`crate::lifecycle`] closed it). Not from a synchronous event handler on Windows (the
/// WebView2 deadlock): [`show_main_window`] builds it on a thread of its own.
pub fn create_main_window<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(app, &config)?.build()
}

/// Show, unminimize and focus the main window (tray "Open", a notification click, a second
/// launch). When the webview was closed to save memory, it is built again (in the state the
/// UI saved, see [`crate::lifecycle`]).
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    match main_window(app) {
        Some(w) => {
            let _ = w.show();
            let _ = w.unminimize();
            let _ = w.set_focus();
        }
        None => crate::lifecycle::recreate_main_window(app),
    }
}

/// Window events of the app: closing hides to the tray, so tracking and notifications go on.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        let _ = window.hide();
    }
}
