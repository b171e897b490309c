//! A native notification when a code lands (shown even when the window is hidden), and the
//! clipboard. Both are best effort: a missing notification daemon or clipboard is logged, never
//! an error for the order.

use crate::i18n::Lang;
use otpdesk_engine::OrderView;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The operating systems whose notification sounds are named differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Desktop {
    Windows,
    Mac,
    Freedesktop,
}

const THIS_OS: Desktop = if cfg!(windows) {
    Desktop::Windows
} else if cfg!(target_os = "macos") {
    Desktop::Mac
} else {
    Desktop::Freedesktop
};

/// The sound of an arriving message, as each OS names it: a Windows toast sound (`SMS` is one
/// of the names the toast API knows; an unknown one makes the toast silent), a macOS system
/// sound, the freedesktop sound theme's instant message.
fn sound_name(os: Desktop) -> &'static str {
    match os {
        Desktop::Windows => "SMS",
        Desktop::Mac => "Glass",
        Desktop::Freedesktop => "message-new-instant",
    }
}

/// Freedesktop notification servers may render the body as markup: a `<` or `&` in a message
/// (an SMS text can hold anything) must show as itself. Other systems show plain text.
fn body_for(os: Desktop, body: &str) -> String {
    if os != Desktop::Freedesktop {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Summary and body of the notification for a code.
pub fn code_text(order: &OrderView, code: &str, demo: bool) -> (String, String) {
    let target = order.phone.as_deref().or(order.email.as_deref());
    crate::i18n::code_landed(Lang::En, &order.service, code, target, order.provider, demo)
}

/// What a click on the notification does (show the window). Runs on the notification's thread.
pub type OnClick = Box<dyn FnOnce() + Send + 'static>;

pub fn code_notification(
    order: &OrderView,
    code: &str,
    sound: bool,
    demo: bool,
    on_click: Option<OnClick>,
) {
    code_notification_in(Lang::En, order, code, sound, demo, on_click)
}

/// The code notification in `lang`.
pub fn code_notification_in(
    lang: Lang,
    order: &OrderView,
    code: &str,
    sound: bool,
    demo: bool,
    on_click: Option<OnClick>,
) {
    let target = order.phone.as_deref().or(order.email.as_deref());
    show(
        crate::i18n::code_landed(lang, &order.service, code, target, order.provider, demo),
        sound,
        on_click,
    );
}

/// Notifications whose thread is still waiting for a click. Each waits until the notification is
/// clicked or closed; past this many, new ones are shown without a click action so a flood of
/// codes cannot pile up threads.
const MAX_WAITING_FOR_CLICK: usize = 64;
static WAITING_FOR_CLICK: AtomicUsize = AtomicUsize::new(0);
/// Where a click on the notification reaches us (see [`wait_for_click`]).
const CLICKABLE: bool = cfg!(all(unix, not(target_os = "macos")));

/// One of the `MAX_WAITING_FOR_CLICK` places, given back when dropped.
struct ClickSlot;

impl ClickSlot {
    fn claim() -> Option<ClickSlot> {
        WAITING_FOR_CLICK
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < MAX_WAITING_FOR_CLICK).then_some(n + 1)
            })
            .ok()
            .map(|_| ClickSlot)
    }
}

impl Drop for ClickSlot {
    fn drop(&mut self) {
        WAITING_FOR_CLICK.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Show a native notification (best effort); `on_click` runs when the user clicks it.
pub fn show((summary, body): (String, String), sound: bool, on_click: Option<OnClick>) {
    // notify-rust talks D-Bus synchronously: keep it off the async workers.
    std::thread::spawn(move || {
        let mut n = notify_rust::Notification::new();
        n.appname("OTPDesk")
            .summary(&summary)
            .body(&body_for(THIS_OS, &body));
        if sound {
            n.sound_name(sound_name(THIS_OS));
        }
        let click = on_click
            .filter(|_| CLICKABLE)
            .and_then(|f| Some((f, ClickSlot::claim()?)));
        if click.is_some() {
            // "default" is the freedesktop action of a click on the notification itself.
            n.action("default", "OTPDesk");
        }
        match n.show() {
            Ok(handle) => {
                if let Some((f, _slot)) = click {
                    wait_for_click(handle, f);
                }
            }
            Err(e) => tracing::warn!("could not show a notification: {e}"),
        }
    });
}

/// Linux and the BSDs: the notification server reports the click as an `ActionInvoked` signal.
#[cfg(all(unix, not(target_os = "macos")))]
fn wait_for_click(handle: notify_rust::NotificationHandle, on_click: OnClick) {
    handle.wait_for_action(|action| {
        if action == "default" {
            on_click();
        }
    });
}

/// Windows and macOS: never called (`CLICKABLE` is false). notify-rust's wait differs there (on
/// macOS it sends the notification again) and cannot be tried on this project's Linux CI.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn wait_for_click(_handle: notify_rust::NotificationHandle, _on_click: OnClick) {}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-shot toast sounds `tauri-winrt-notification`'s `Sound` parses from text
    /// (`ms-winsoundevent:Notification.<name>`); anything else is dropped: a silent toast.
    const WINDOWS_TOAST_SOUNDS: &[&str] = &["Default", "IM", "Mail", "Reminder", "SMS"];

    #[test]
    fn each_os_gets_a_sound_it_knows() {
        assert!(WINDOWS_TOAST_SOUNDS.contains(&sound_name(Desktop::Windows)));
        assert_eq!(sound_name(Desktop::Freedesktop), "message-new-instant");
        assert!(!sound_name(Desktop::Mac).is_empty());
        assert_ne!(
            sound_name(Desktop::Windows),
            sound_name(Desktop::Freedesktop)
        );
    }

    #[test]
    fn markup_in_a_message_shows_as_itself_on_freedesktop_only() {
        let sms = "<#> Kode Anda: 731-905 & jangan dibagikan";
        assert_eq!(
            body_for(Desktop::Freedesktop, sms),
            "&lt;#&gt; Kode Anda: 731-905 &amp; jangan dibagikan"
        );
        assert_eq!(body_for(Desktop::Windows, sms), sms);
        assert_eq!(body_for(Desktop::Mac, sms), sms);
    }
}
