//! The tray icon: shows how many orders are being tracked (the first menu line and the tooltip;
//! beside the icon on macOS and Linux, as a badge drawn on the icon on Windows, where a tray
//! icon has no title) and offers Open / Copy latest code / Quit, in the user's language (it
//! follows the language setting as it changes). Closing the window only hides it, so tracking
//! goes on here. [`is_available`] says whether the desktop shows the tray at all.

use crate::events::AppMode;
use crate::i18n::{self, Lang};
use crate::state::AppState;
use otpdesk_engine::{OrderFilter, OrderView};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

const TRAY_ID: &str = "main";

struct TrayState<R: Runtime> {
    count_item: MenuItem<R>,
    open_item: MenuItem<R>,
    copy_item: MenuItem<R>,
    quit_item: MenuItem<R>,
    count: AtomicUsize,
    demo: AtomicBool,
    lang: Mutex<Lang>,
    /// The plain icon the Windows badges are drawn on.
    icon: Option<Image<'static>>,
    /// The badge now shown (`None`: the plain icon), so an unchanged count redraws nothing.
    badge: Mutex<Option<Option<&'static str>>>,
}

/// The systems whose trays show a count differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TraySystem {
    /// A tray icon has no title: the count is drawn on the icon.
    Windows,
    /// The title shows beside the icon (macOS menu bar, Linux indicators).
    Titled,
}

const THIS_SYSTEM: TraySystem = if cfg!(windows) {
    TraySystem::Windows
} else {
    TraySystem::Titled
};

/// How the active-order count shows beside or on the icon.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CountShown {
    title: Option<String>,
    badge: Option<&'static str>,
}

/// The badge text: nothing for no orders, the digit up to 9, `9+` past it.
fn badge_text(count: usize) -> Option<&'static str> {
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match count {
        0 => None,
        1..=9 => Some(DIGITS[count]),
        _ => Some("9+"),
    }
}

fn count_shown(system: TraySystem, count: usize) -> CountShown {
    match system {
        TraySystem::Windows => CountShown {
            title: None,
            badge: badge_text(count),
        },
        TraySystem::Titled => CountShown {
            title: (count > 0).then(|| count.to_string()),
            badge: None,
        },
    }
}

/// 3×5 glyphs of the badge: one row a line, bit 2 is the left column.
fn glyph(c: char) -> Option<[u8; 5]> {
    Some(match c {
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '3' => [0b111, 0b001, 0b011, 0b001, 0b111],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b010, 0b010, 0b010],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        '+' => [0b000, 0b010, 0b111, 0b010, 0b000],
        _ => return None,
    })
}

const BADGE_RED: [u8; 3] = [0xd9, 0x30, 0x25];

/// The icon (RGBA, `width`×`height`) with a red disc in its lower right corner carrying `text`
/// in white: the Windows tray's active-order count.
fn draw_badge(rgba: &[u8], width: u32, height: u32, text: &str) -> Vec<u8> {
    let mut out = rgba.to_vec();
    let (w, h) = (width as i64, height as i64);
    let size = w.min(h);
    let diameter = (size * 5 / 8).max(8);
    let (cx, cy) = (w - diameter / 2, h - diameter / 2);
    let r = diameter as f64 / 2.0;
    let put = |out: &mut Vec<u8>, x: i64, y: i64, rgb: [u8; 3], alpha: f64| {
        if x < 0 || y < 0 || x >= w || y >= h || alpha <= 0.0 {
            return;
        }
        let i = ((y * w + x) * 4) as usize;
        let a = alpha.min(1.0);
        for (k, c) in rgb.iter().enumerate() {
            out[i + k] = (*c as f64 * a + out[i + k] as f64 * (1.0 - a)).round() as u8;
        }
        let old = out[i + 3] as f64 / 255.0;
        out[i + 3] = ((a + old * (1.0 - a)) * 255.0).round() as u8;
    };
    // The disc, edge smoothed by 4×4 samples a pixel.
    for y in (cy - diameter / 2 - 1)..=(cy + diameter / 2 + 1) {
        for x in (cx - diameter / 2 - 1)..=(cx + diameter / 2 + 1) {
            let mut inside = 0;
            for sy in 0..4 {
                for sx in 0..4 {
                    let dx = x as f64 + (sx as f64 + 0.5) / 4.0 - cx as f64;
                    let dy = y as f64 + (sy as f64 + 0.5) / 4.0 - cy as f64;
                    if dx * dx + dy * dy <= r * r {
                        inside += 1;
                    }
                }
            }
            put(&mut out, x, y, BADGE_RED, inside as f64 / 16.0);
        }
    }
    // The text, glyphs scaled by whole pixels to about half the disc's height.
    let glyphs: Vec<[u8; 5]> = text.chars().filter_map(glyph).collect();
    if glyphs.is_empty() {
        return out;
    }
    let n = glyphs.len() as i64;
    let scale = ((diameter * 11 / 20) / 5)
        .min((diameter * 3 / 4) / (4 * n - 1))
        .max(1);
    let text_w = (4 * n - 1) * scale;
    let text_h = 5 * scale;
    let (x0, y0) = (cx - text_w / 2, cy - text_h / 2);
    for (gi, rows) in glyphs.iter().enumerate() {
        for (row, bits) in rows.iter().enumerate() {
            for col in 0..3 {
                if bits & (0b100 >> col) == 0 {
                    continue;
                }
                let gx = x0 + (gi as i64 * 4 + col) * scale;
                let gy = y0 + row as i64 * scale;
                for dy in 0..scale {
                    for dx in 0..scale {
                        put(&mut out, gx + dx, gy + dy, [255, 255, 255], 1.0);
                    }
                }
            }
        }
    }
    out
}

/// The newest code of `orders` (late codes on cancelled or replaced numbers are not sales and
/// are left out).
fn newest_code(orders: &[OrderView]) -> Option<String> {
    orders
        .iter()
        .flat_map(|o| o.otps.iter())
        .filter(|t| !t.late && t.code.is_some())
        .max_by_key(|t| t.stored_at)
        .and_then(|t| t.code.clone())
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let lang = Lang::En;
    let texts = i18n::tray(lang);
    let count_text = i18n::active_orders(lang, 0, false);
    let count_item = MenuItem::with_id(app, "count", &count_text, false, None::<&str>)?;
    let open_item = MenuItem::with_id(app, "open", texts.open, true, None::<&str>)?;
    let copy_item = MenuItem::with_id(app, "copy", texts.copy_latest, true, None::<&str>)?;
    let quit_item = MenuItem::with_id(app, "quit", texts.quit, true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &count_item,
            &PredefinedMenuItem::separator(app)?,
            &open_item,
            &copy_item,
            &PredefinedMenuItem::separator(app)?,
            &quit_item,
        ],
    )?;
    let icon = app.default_window_icon().map(|i| i.clone().to_owned());
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .show_menu_on_left_click(false)
        .tooltip(format!("OTPDesk: {count_text}"))
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => crate::window::show_main_window(app),
            "copy" => copy_latest(app),
            "quit" => crate::quit::from_tray(app),
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
    if let Some(icon) = &icon {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(TrayState {
        count_item,
        open_item,
        copy_item,
        quit_item,
        count: AtomicUsize::new(0),
        demo: AtomicBool::new(false),
        lang: Mutex::new(lang),
        icon,
        badge: Mutex::new(None),
    });
    Ok(())
}

/// Put the newest code on the clipboard; a notification says so when there is none yet.
fn copy_latest<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<AppState>() else {
            return;
        };
        let filter = OrderFilter {
            limit: Some(50),
            ..OrderFilter::default()
        };
        let code = match state.session().await {
            Ok(s) => s.engine.orders(&filter).ok().and_then(|o| newest_code(&o)),
            Err(_) => None,
        };
        let settings = state.settings.get();
        let lang = i18n::resolve(settings.language);
        match code {
            Some(code) => {
                if !crate::notify::copy_text(&code) {
                    state.shell.notify(i18n::no_clipboard(lang), false);
                }
            }
            None => state.shell.notify(i18n::no_code_yet(lang), false),
        }
    });
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

/// The menu in `lang` from now on (the language setting changed, or was read at start).
pub fn set_language<R: Runtime>(app: &AppHandle<R>, lang: Lang) {
    if let Some(state) = app.try_state::<TrayState<R>>() {
        *state.lang.lock().unwrap_or_else(|p| p.into_inner()) = lang;
        let texts = i18n::tray(lang);
        let _ = state.open_item.set_text(texts.open);
        let _ = state.copy_item.set_text(texts.copy_latest);
        let _ = state.quit_item.set_text(texts.quit);
        refresh(app, &state);
    }
}

fn refresh<R: Runtime>(app: &AppHandle<R>, state: &TrayState<R>) {
    let count = state.count.load(Ordering::Relaxed);
    let lang = *state.lang.lock().unwrap_or_else(|p| p.into_inner());
    let text = i18n::active_orders(lang, count, state.demo.load(Ordering::Relaxed));
    let _ = state.count_item.set_text(&text);
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let _ = tray.set_tooltip(Some(format!("OTPDesk: {text}")));
    let shown = count_shown(THIS_SYSTEM, count);
    match THIS_SYSTEM {
        TraySystem::Titled => {
            let _ = tray.set_title(shown.title);
        }
        TraySystem::Windows => {
            let mut current = state.badge.lock().unwrap_or_else(|p| p.into_inner());
            if *current == Some(shown.badge) {
                return;
            }
            if let Some(icon) = &state.icon {
                let image = match shown.badge {
                    Some(text) => {
                        let rgba = draw_badge(icon.rgba(), icon.width(), icon.height(), text);
                        Image::new_owned(rgba, icon.width(), icon.height())
                    }
                    None => icon.clone(),
                };
                if tray.set_icon(Some(image)).is_ok() {
                    *current = Some(shown.badge);
                }
            }
        }
    }
}

/// Whether the desktop shows tray icons. Windows and macOS always do; on Linux the tray is a
/// StatusNotifierItem, shown only where a StatusNotifierWatcher runs on the session bus (KDE,
/// XFCE, Cinnamon, Ubuntu's GNOME; not GNOME without the AppIndicator extension). Asked each
/// time (a D-Bus round trip): the extension may be turned on while the app runs.
pub fn is_available<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.tray_by_id(TRAY_ID).is_some() && desktop_shows_trays()
}

/// Whether the session bus has a StatusNotifierWatcher (Linux; elsewhere always `true`).
#[cfg(target_os = "linux")]
pub fn desktop_shows_trays() -> bool {
    const WATCHERS: [&str; 2] = [
        "org.kde.StatusNotifierWatcher",
        "org.freedesktop.StatusNotifierWatcher",
    ];
    let asked = tauri::async_runtime::block_on(async {
        let ask = async {
            let bus = zbus6::Connection::session().await?;
            let dbus = zbus6::fdo::DBusProxy::new(&bus).await?;
            for name in WATCHERS {
                let name = zbus6::names::BusName::try_from(name)?;
                if dbus.name_has_owner(name).await? {
                    return Ok(true);
                }
            }
            Ok::<bool, zbus6::Error>(false)
        };
        tokio::time::timeout(std::time::Duration::from_secs(2), ask).await
    });
    match asked {
        Ok(Ok(shown)) => shown,
        Ok(Err(e)) => {
            tracing::debug!("no session bus to ask for a tray: {e}");
            false
        }
        Err(_) => false,
    }
}

#[cfg(not(target_os = "linux"))]
pub fn desktop_shows_trays() -> bool {
    true
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_count_is_a_badge_on_windows_and_a_title_elsewhere() {
        assert_eq!(badge_text(0), None);
        assert_eq!(badge_text(1), Some("1"));
        assert_eq!(badge_text(9), Some("9"));
        assert_eq!(badge_text(10), Some("9+"));
        assert_eq!(badge_text(250), Some("9+"));
        assert_eq!(
            count_shown(TraySystem::Windows, 4),
            CountShown {
                title: None,
                badge: Some("4")
            }
        );
        assert_eq!(
            count_shown(TraySystem::Windows, 0),
            CountShown {
                title: None,
                badge: None
            }
        );
        assert_eq!(
            count_shown(TraySystem::Titled, 12),
            CountShown {
                title: Some("12".into()),
                badge: None
            }
        );
        assert_eq!(count_shown(TraySystem::Titled, 0).title, None);
    }

    fn pixel(rgba: &[u8], w: u32, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * w + x) * 4) as usize;
        [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
    }

    /// The badge is drawn on the app's real icon: a red disc with white strokes in the lower
    /// right, the rest of the icon untouched, and each count looks different.
    #[test]
    fn badges_are_drawn_on_the_app_icon() {
        for path in ["icons/32x32.png", "icons/128x128.png"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
            let file = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
            let mut reader = png::Decoder::new(file).read_info().unwrap();
            let mut plain = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut plain).unwrap();
            assert_eq!(info.color_type, png::ColorType::Rgba);
            let (w, h) = (info.width, info.height);
            let plain = &plain[..info.buffer_size()];
            let mut seen = Vec::new();
            for text in ["1", "7", "9+"] {
                let b = draw_badge(plain, w, h, text);
                assert_eq!(b.len(), plain.len());
                assert_eq!(
                    pixel(&b, w, 0, 0),
                    pixel(plain, w, 0, 0),
                    "top left untouched"
                );
                let d = w * 5 / 8;
                let (cx, cy) = (w - d / 2, h - d / 2);
                // Near the disc's edge (inside): red.
                let red = pixel(&b, w, cx, cy + d / 2 - 2);
                assert_eq!(&red[..3], &BADGE_RED[..], "{text} on {w}px: {red:?}");
                assert_eq!(red[3], 255);
                let white = (0..d)
                    .flat_map(|y| (0..d).map(move |x| (x, y)))
                    .filter(|(x, y)| pixel(&b, w, w - d + x, h - d + y)[..3] == [255, 255, 255])
                    .count();
                assert!(white >= 5, "{text} on {w}px has {white} white pixels");
                assert!(!seen.contains(&b), "{text} looks like another count");
                seen.push(b);
            }
        }
    }

    #[test]
    fn copy_latest_takes_the_newest_code_that_is_a_sale() {
        use chrono::{Duration, Utc};
        let now = Utc::now();
        let otp = |code: &str, ago: i64, late: bool| otpdesk_engine::OtpView {
            seq: ago,
            code: Some(code.into()),
            text: None,
            sender: None,
            service: None,
            received_at: None,
            stored_at: now - Duration::seconds(ago),
            late,
        };
        let order = |otps| OrderView {
            otps,
            ..order_view()
        };
        let orders = vec![
            order(vec![otp("111111", 300, false), otp("222222", 60, false)]),
            order(vec![otp("333333", 120, false), otp("999999", 5, true)]),
            order(vec![]),
        ];
        assert_eq!(newest_code(&orders).as_deref(), Some("222222"));
        assert_eq!(newest_code(&orders[2..]), None);
    }

    /// An open OTPZap order without codes, for tests.
    pub(crate) fn order_view() -> OrderView {
        let now = chrono::Utc::now();
        OrderView {
            id: "o".into(),
            provider: otpdesk_core::ProviderId::Otpzap,
            kind: otpdesk_engine::OrderKind::Sms,
            server: Some(1),
            remote_id: "1".into(),
            remote_ref: None,
            phone: None,
            email: None,
            service: "WhatsApp".into(),
            price: None,
            status: otpdesk_core::OrderStatus::Pending,
            created_at: now,
            updated_at: now,
            expires_at: None,
            resend_count: 0,
            resend_locked_until: None,
            resend_waiting_for_otp: false,
            cancel_unlocks_at: None,
            attempt_id: None,
            replaced_by: None,
            otps: Vec::new(),
            is_final: false,
            actions: Vec::new(),
        }
    }
}
