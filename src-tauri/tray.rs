//! The tray icon: shows how many orders are being tracked (tooltip, title and the first menu
//! line) and offers Open / Quit. Closing the window only hides it, so tracking goes on here.

use crate::events::AppMode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

const TRAY_ID: &str = "main";

struct TrayState<R: Runtime> {
    count_item: MenuItem<R>,
    count: AtomicUsize,
    demo: AtomicBool,
}

pub fn label(count: usize, demo: bool) -> String {
    let orders = match count {
        0 => "No active orders".to_string(),
        1 => "1 active order".to_string(),
        n => format!("{n} active orders"),
    };
    if demo {
        format!("{orders} (demo)")
    } else {
        orders
    }
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let count_item = MenuItem::with_id(app, "count", label(0, false), false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open OTPDesk", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&count_item, &sep, &open, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .show_menu_on_left_click(false)
        .tooltip(format!("OTPDesk: {}", label(0, false)))
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => crate::window::show_main_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                crate::window::show_main_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(TrayState {
        count_item,
        count: AtomicUsize::new(0),
        demo: AtomicBool::new(false),
    });
    Ok(())
}

pub fn set_active_count<R: Runtime>(app: &AppHandle<R>, count: usize) {
    if let Some(state) = app.try_state::<TrayState<R>>() {
        state.count.store(count, Ordering::Relaxed);
        refresh(app, &state);
    }
}

pub fn set_mode<R: Runtime>(app: &AppHandle<R>, mode: AppMode) {
    if let Some(state) = app.try_state::<TrayState<R>>() {
        state.demo.store(mode == AppMode::Demo, Ordering::Relaxed);
        refresh(app, &state);
    }
}

fn refresh<R: Runtime>(app: &AppHandle<R>, state: &TrayState<R>) {
    let count = state.count.load(Ordering::Relaxed);
    let text = label(count, state.demo.load(Ordering::Relaxed));
    let _ = state.count_item.set_text(&text);
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_tooltip(Some(format!("OTPDesk: {text}")));
        // The title shows beside the icon where the platform supports it (macOS, Linux).
        let _ = tray.set_title((count > 0).then(|| count.to_string()));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels() {
        assert_eq!(super::label(0, false), "No active orders");
        assert_eq!(super::label(1, false), "1 active order");
        assert_eq!(super::label(3, true), "3 active orders (demo)");
    }
}
