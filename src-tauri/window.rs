//! The main window: the one place that creates, finds, shows and closes it, so the tray,
//! notifications, a second launch and dialogs all bring back the same window the same way.
//! Its size and place are remembered by tauri-plugin-window-state; a first start (or a saved
//! size from a bigger screen) is fitted into the screen's work area.

use tauri::{
    AppHandle, Manager, PhysicalPosition, PhysicalSize, RunEvent, Runtime, WebviewWindow,
    WebviewWindowBuilder, Window, WindowEvent,
};

/// The label of the app's one window (also the capability's `windows` entry).
pub const MAIN: &str = "main";

/// The main window, when it exists.
pub fn main_window<R: Runtime>(app: &AppHandle<R>) -> Option<WebviewWindow<R>> {
    app.get_webview_window(MAIN)
}

/// Show, unminimize and focus the main window (tray "Open", a notification click, a second
/// launch). When the webview was closed to save memory, it is built again (in the state the
/// UI saved, see [`crate::lifecycle`]). Done on the event loop's thread, where the webview is
/// also closed, so a click cannot be lost to a window closing at that very moment.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        if crate::lifecycle::reopen_once_closed(&handle) {
            return;
        }
        match main_window(&handle) {
            Some(w) => {
                let _ = w.show();
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
            None => crate::lifecycle::recreate_main_window(&handle),
        }
    });
    if let Err(e) = queued {
        tracing::warn!("could not show the window: {e}");
    }
}

/// What the window-state plugin remembers (not whether it was visible: the app decides that at
/// start, `--hidden` or not).
pub fn remembered() -> tauri_plugin_window_state::StateFlags {
    use tauri_plugin_window_state::StateFlags;
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// The window-state plugin, as the app uses it.
pub fn state_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(remembered())
        .build()
}

/// Build the main window from its `tauri.conf.json` entry (`create: false` there), hidden: the
/// window-state plugin puts it where it was, then it is fitted into the screen's work area. The
/// caller shows it (or not, when started into the tray). Also used to recreate the window.
pub fn create_main_window<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or(tauri::Error::WindowNotFound)?;
    let window = WebviewWindowBuilder::from_config(app, &config)?
        .visible(false)
        .build()?;
    let min = (
        config.min_width.unwrap_or(0.0),
        config.min_height.unwrap_or(0.0),
    );
    if let Err(e) = fit_to_screen(&window, min) {
        tracing::debug!("could not fit the window to the screen: {e}");
    }
    Ok(window)
}

/// A rectangle in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// Room for the title bar and borders around the inner size, in logical pixels, when the
/// system does not say yet (a window not yet shown has no frame on Linux): a Windows title bar
/// and border are about 31 + 8 px, GNOME's header bar about 37.
const FRAME_ALLOWANCE: (f64, f64) = (16.0, 40.0);

/// Where a window of `inner` size (plus `frame`: title bar and borders) goes so that it fits in
/// the screen's `work` area (the screen less taskbar, dock or panels); `None` when it fits as it
/// is. Never smaller than `min` (its minimum inner size), centred in the work area when resized.
pub fn fit(
    work: Rect,
    inner: PhysicalSize<u32>,
    frame: PhysicalSize<u32>,
    min: PhysicalSize<u32>,
) -> Option<(PhysicalSize<u32>, PhysicalPosition<i32>)> {
    let room_w = work.width.saturating_sub(frame.width);
    let room_h = work.height.saturating_sub(frame.height);
    if inner.width <= room_w && inner.height <= room_h {
        return None;
    }
    let width = inner.width.min(room_w).max(min.width);
    let height = inner.height.min(room_h).max(min.height);
    let outer_w = (width + frame.width) as i64;
    let outer_h = (height + frame.height) as i64;
    let x = work.x as i64 + ((work.width as i64 - outer_w) / 2).max(0);
    let y = work.y as i64 + ((work.height as i64 - outer_h) / 2).max(0);
    Some((
        PhysicalSize::new(width, height),
        PhysicalPosition::new(x as i32, y as i32),
    ))
}

/// Shrink and centre the window when it does not fit its screen's work area (a 1366×768
/// laptop has about 1366×728 under the taskbar; the window asks for 1180×760 inside its
/// frame). A maximised window is left alone.
fn fit_to_screen<R: Runtime>(window: &WebviewWindow<R>, min: (f64, f64)) -> tauri::Result<()> {
    if window.is_maximized()? {
        return Ok(());
    }
    let monitor = match window.current_monitor()? {
        Some(m) => m,
        None => match window.primary_monitor()? {
            Some(m) => m,
            None => return Ok(()),
        },
    };
    let scale = monitor.scale_factor();
    let area = monitor.work_area();
    let work = Rect {
        x: area.position.x,
        y: area.position.y,
        width: area.size.width,
        height: area.size.height,
    };
    let inner = window.inner_size()?;
    let outer = window.outer_size()?;
    let measured = (
        outer.width.saturating_sub(inner.width),
        outer.height.saturating_sub(inner.height),
    );
    let frame = PhysicalSize::new(
        if measured.0 > 0 {
            measured.0
        } else {
            (FRAME_ALLOWANCE.0 * scale).round() as u32
        },
        if measured.1 > 0 {
            measured.1
        } else {
            (FRAME_ALLOWANCE.1 * scale).round() as u32
        },
    );
    let min = PhysicalSize::new(
        (min.0 * scale).round() as u32,
        (min.1 * scale).round() as u32,
    );
    if let Some((size, position)) = fit(work, inner, frame, min) {
        tracing::info!(
            "window {}x{} does not fit the screen's work area {}x{}: {}x{}",
            inner.width,
            inner.height,
            work.width,
            work.height,
            size.width,
            size.height
        );
        window.set_size(size)?;
        window.set_position(position)?;
    }
    Ok(())
}

/// Window events of the app: closing hides to the tray, so tracking and notifications go on.
/// Where the desktop shows no tray (GNOME without the AppIndicator extension) a hidden window
/// could not be brought back: closing minimises it instead.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        if crate::tray::is_available(window.app_handle()) {
            let _ = window.hide();
        } else {
            let _ = window.minimize();
        }
    }
}

/// Events of the app's run loop that concern the window: on macOS, a click on the Dock icon
/// (`Reopen`) while no window is visible shows it.
pub fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: &RunEvent) {
    #[cfg(target_os = "macos")]
    if let RunEvent::Reopen {
        has_visible_windows: false,
        ..
    } = event
    {
        show_main_window(app);
    }
    #[cfg(not(target_os = "macos"))]
    let _ = (app, event);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(w: u32, h: u32) -> PhysicalSize<u32> {
        PhysicalSize::new(w, h)
    }

    #[test]
    fn the_first_window_fits_a_1366x768_laptop_under_its_taskbar() {
        // Windows, 100 %: a 40 px taskbar at the bottom, title bar + borders 16×39.
        let work = Rect {
            x: 0,
            y: 0,
            width: 1366,
            height: 728,
        };
        let (s, p) = fit(work, size(1180, 760), size(16, 39), size(900, 600)).unwrap();
        assert_eq!(s, size(1180, 689));
        assert!(s.height + 39 <= 728);
        assert_eq!(p, PhysicalPosition::new((1366 - 1196) / 2, 0));
        // A big screen: as configured.
        let big = Rect {
            x: 0,
            y: 0,
            width: 1920,
            height: 1040,
        };
        assert_eq!(
            fit(big, size(1180, 760), size(16, 39), size(900, 600)),
            None
        );
    }

    #[test]
    fn fitting_keeps_the_minimum_and_the_monitors_offset() {
        // A second monitor left of the first, with a panel on top (work area starts at y 32).
        let work = Rect {
            x: -1280,
            y: 32,
            width: 1280,
            height: 688,
        };
        let (s, p) = fit(work, size(1180, 760), size(0, 40), size(900, 600)).unwrap();
        assert_eq!(s, size(1180, 648));
        assert_eq!(p, PhysicalPosition::new(-1280 + 50, 32));
        // Smaller than the minimum would allow: the minimum wins, at the work area's corner.
        let tiny = Rect {
            x: 0,
            y: 0,
            width: 800,
            height: 560,
        };
        let (s, p) = fit(tiny, size(1180, 760), size(16, 40), size(900, 600)).unwrap();
        assert_eq!(s, size(900, 600));
        assert_eq!(p, PhysicalPosition::new(0, 0));
        // HiDPI (150 %): physical sizes throughout.
        let hidpi = Rect {
            x: 0,
            y: 0,
            width: 2049,
            height: 1092,
        };
        let (s, _) = fit(hidpi, size(1770, 1140), size(24, 60), size(1350, 900)).unwrap();
        assert_eq!(s, size(1770, 1032));
    }

    #[test]
    fn size_and_place_are_remembered_but_not_visibility() {
        use tauri_plugin_window_state::StateFlags;
        let flags = remembered();
        assert!(flags.contains(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED));
        assert!(!flags.contains(StateFlags::VISIBLE));
    }
}
