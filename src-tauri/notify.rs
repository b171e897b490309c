//! A native notification when a code lands (shown even when the window is hidden), and the
//! clipboard. Both are best effort: a missing notification daemon or clipboard is logged, never
//! an error for the order.

use crate::i18n::Lang;
use otpdesk_engine::OrderView;
use std::sync::{Mutex, OnceLock};

/// Freedesktop sound theme name of an instant message.
const SOUND: &str = "message-new-instant";

/// Summary and body of the notification for a code.
pub fn code_text(order: &OrderView, code: &str, demo: bool) -> (String, String) {
    let target = order.phone.as_deref().or(order.email.as_deref());
    crate::i18n::code_landed(Lang::En, &order.service, code, target, order.provider, demo)
}

pub fn code_notification(order: &OrderView, code: &str, sound: bool, demo: bool) {
    code_notification_in(Lang::En, order, code, sound, demo)
}

/// The code notification in `lang`.
pub fn code_notification_in(lang: Lang, order: &OrderView, code: &str, sound: bool, demo: bool) {
    let target = order.phone.as_deref().or(order.email.as_deref());
    show(
        crate::i18n::code_landed(lang, &order.service, code, target, order.provider, demo),
        sound,
    );
}

/// Show a native notification (best effort).
pub fn show((summary, body): (String, String), sound: bool) {
    // notify-rust talks D-Bus synchronously: keep it off the async workers.
    std::thread::spawn(move || {
        let mut n = notify_rust::Notification::new();
        n.appname("OTPDesk").summary(&summary).body(&body);
        if sound {
            n.sound_name(SOUND);
        }
        if let Err(e) = n.show() {
            tracing::warn!("could not show a notification: {e}");
        }
    });
}

/// One clipboard for the life of the app: on X11 the copied text is served by its owner, so
/// dropping the owner right after copying could lose it.
fn clipboard() -> &'static Mutex<Option<arboard::Clipboard>> {
    static CLIPBOARD: OnceLock<Mutex<Option<arboard::Clipboard>>> = OnceLock::new();
    CLIPBOARD.get_or_init(|| Mutex::new(None))
}

/// Copy `text`; returns whether it worked.
pub fn copy_text(text: &str) -> bool {
    let mut slot = clipboard().lock().unwrap_or_else(|p| p.into_inner());
    if slot.is_none() {
        match arboard::Clipboard::new() {
            Ok(c) => *slot = Some(c),
            Err(e) => {
                tracing::warn!("no clipboard: {e}");
                return false;
            }
        }
    }
    match slot.as_mut().map(|c| c.set_text(text.to_string())) {
        Some(Ok(())) => true,
        Some(Err(e)) => {
            tracing::warn!("could not copy: {e}");
            *slot = None;
            false
        }
        None => false,
    }
}
