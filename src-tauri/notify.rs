//! A native notification when a code lands (shown even when the window is hidden), and the
//! clipboard. Both are best effort: a missing notification daemon or clipboard is logged, never
//! an error for the order.
//!
//! notify-rust does the talking; this module does per OS what the official notification plugin
//! does: the app is named by its bundle identifier (Windows AppUserModelID in installed builds,
//! macOS `set_application` in an `.app`), by its desktop entry and icon on freedesktop desktops,
//! sounds are named as each OS names them, and a click or the "Copy code" button is answered on
//! every OS that reports it (a thread per shown notification waits for the answer).

use crate::i18n::Lang;
use notify_rust::NotificationResponse;
use otpdesk_engine::OrderView;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use tauri::{AppHandle, Manager, Runtime};

/// The operating systems whose notifications differ.
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
/// (an SMS text can hold anything) must show as itself. Other systems show plain text (the
/// Windows toast library escapes title and body itself).
fn body_for(os: Desktop, body: &str) -> String {
    if os != Desktop::Freedesktop {
        return body.to_string();
    }
    xml_escape(body, false)
}

/// `&`, `<`, `>` (and quotes when `quotes`) as XML entities.
fn xml_escape(text: &str, quotes: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' if quotes => out.push_str("&apos;"),
            '"' if quotes => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The action id of the "Copy code" button.
const COPY_ACTION: &str = "copy";
/// The action id of the "Buy" button of a watched-offer alert.
const BUY_ACTION: &str = "buy";
/// The freedesktop action id of a click on the notification itself.
const DEFAULT_ACTION: &str = "default";

/// The (id, label) action pairs notify-rust gets, per OS:
/// - freedesktop: `default` is how a click on the notification body is reported (its label is
///   not shown), then the button;
/// - Windows: a body click needs no action (every pair becomes a toast button); the label goes
///   unescaped into a `content='…'` XML attribute of the toast, so it is escaped here;
/// - macOS: a single action is the notification's button; the body click is reported anyway.
#[cfg(test)]
fn actions_for(
    os: Desktop,
    app_name: &str,
    clickable: bool,
    copy_label: Option<&str>,
) -> Vec<(String, String)> {
    buttons_for(
        os,
        app_name,
        clickable,
        copy_label.map(|l| (COPY_ACTION, l)),
    )
}

/// [`actions_for`] with any one button (`(action id, label)`): "Copy code" or "Buy".
fn buttons_for(
    os: Desktop,
    app_name: &str,
    clickable: bool,
    button: Option<(&str, &str)>,
) -> Vec<(String, String)> {
    let mut actions = Vec::new();
    if os == Desktop::Freedesktop && clickable {
        actions.push((DEFAULT_ACTION.to_string(), app_name.to_string()));
    }
    if let Some((id, label)) = button {
        let label = match os {
            Desktop::Windows => xml_escape(label, true),
            _ => label.to_string(),
        };
        actions.push((id.to_string(), label));
    }
    actions
}

/// What the user did with a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Clicked the notification: bring the window back.
    Open,
    /// Pressed "Copy code".
    Copy,
    /// Pressed "Buy" on a watched-offer alert: open the confirm dialog (never buy from here).
    Buy,
}

/// The user's choice in what the OS reported (`None`: closed or timed out, nothing to do).
fn choice_of(response: &NotificationResponse) -> Option<Choice> {
    match response {
        NotificationResponse::Default => Some(Choice::Open),
        NotificationResponse::Action(a) if a == DEFAULT_ACTION => Some(Choice::Open),
        NotificationResponse::Action(a) if a == COPY_ACTION => Some(Choice::Copy),
        NotificationResponse::Action(a) if a == BUY_ACTION => Some(Choice::Buy),
        _ => None,
    }
}

/// How the app names itself to the notification system, read once at start ([`init`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The product name (`OTPDesk`): the freedesktop app name.
    pub app_name: String,
    /// Windows: the AppUserModelID toasts are sent as (`None`: notify-rust's default, the
    /// PowerShell one, which always shows).
    pub windows_app_id: Option<String>,
    /// Freedesktop: the desktop entry (file name without `.desktop`) and the icon.
    pub desktop_entry: Option<String>,
    pub icon: Option<String>,
}

impl Default for Sender {
    fn default() -> Sender {
        Sender {
            app_name: "OTPDesk".into(),
            windows_app_id: None,
            desktop_entry: None,
            icon: None,
        }
    }
}

static SENDER: OnceLock<Sender> = OnceLock::new();

fn sender() -> Sender {
    SENDER.get().cloned().unwrap_or_default()
}

/// Lower-case, backslash-separated, no trailing separator: Windows paths compared as text.
fn windows_path(p: &str) -> String {
    p.replace('/', "\\")
        .trim_end_matches('\\')
        .to_ascii_lowercase()
}

/// Whether the Windows exe at `exe` was installed by OTPDesk's NSIS or MSI installer, which
/// stamp the bundle identifier as AppUserModelID on the Start-menu shortcut: toasts sent under
/// that id show as OTPDesk; under an id no shortcut carries they would not show at all.
/// Installed: the NSIS `uninstall.exe` sits beside it (any folder the user chose), or it lives
/// in a Program Files folder (the MSI). A cargo build (`…\target\[triple\]debug|release\`) never.
fn installed_on_windows(exe: &str, uninstaller_beside: bool, program_files: &[String]) -> bool {
    let exe = windows_path(exe);
    let parts: Vec<&str> = exe.split('\\').collect();
    let in_cargo_target = parts.iter().enumerate().any(|(i, p)| {
        *p == "target"
            && parts[i + 1..]
                .iter()
                .take(2)
                .any(|q| *q == "debug" || *q == "release")
    });
    if in_cargo_target {
        return false;
    }
    uninstaller_beside
        || program_files
            .iter()
            .map(|d| windows_path(d))
            .filter(|d| !d.is_empty())
            .any(|d| exe.starts_with(&format!("{d}\\")))
}

/// macOS: only an app inside an `.app` bundle is known to Launch Services by its identifier;
/// `set_application` with it elsewhere (a cargo build) fails, so the default stays.
fn in_mac_bundle(exe: &str) -> bool {
    exe.contains(".app/Contents/MacOS/")
}

/// The freedesktop icon: the installed theme icon (the bundles install it under the binary's
/// name) when the theme has it, else a PNG file of the app's icon, else none.
fn freedesktop_icon(bin_name: &str, theme_has_it: bool, png: Option<&Path>) -> Option<String> {
    if theme_has_it {
        Some(bin_name.to_string())
    } else {
        png.map(|p| p.display().to_string())
    }
}

/// Whether an icon theme directory under the XDG data dirs has `name` (the bundles install
/// `usr/share/icons/hicolor/<size>/apps/<binary>.png`).
fn theme_has_icon(name: &str) -> bool {
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    if let Some(home) = std::env::var_os("XDG_DATA_HOME") {
        dirs.push(home.into());
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share"));
    }
    let data_dirs = std::env::var("XDG_DATA_DIRS")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    dirs.extend(data_dirs.split(':').map(std::path::PathBuf::from));
    dirs.iter().any(|d| {
        ["32x32", "64x64", "128x128", "256x256@2", "512x512"]
            .iter()
            .any(|size| {
                d.join(format!("icons/hicolor/{size}/apps/{name}.png"))
                    .is_file()
            })
    })
}

/// Read how the app names itself from the Tauri config (identifier, product name) and where it
/// runs from. Call once in setup, before the first notification.
pub fn init<R: Runtime>(app: &AppHandle<R>) {
    configure(sender_for(app));
}

/// Notifications are sent as `sender` from now on (once per process; [`init`] in the app).
pub fn configure(sender: Sender) {
    tracing::debug!(?sender, "notifications");
    if SENDER.set(sender).is_err() {
        tracing::debug!("notifications were configured already");
    }
}

/// How this app names itself, per OS (see [`Sender`]).
fn sender_for<R: Runtime>(app: &AppHandle<R>) -> Sender {
    let config = app.config();
    let identifier = config.identifier.clone();
    let app_name = config
        .product_name
        .clone()
        .unwrap_or_else(|| Sender::default().app_name);
    let exe = std::env::current_exe().ok();
    let exe_text = exe
        .as_ref()
        .map(|e| e.display().to_string())
        .unwrap_or_default();
    let mut sender = Sender {
        app_name: app_name.clone(),
        ..Sender::default()
    };
    match THIS_OS {
        Desktop::Windows => {
            let beside = exe
                .as_deref()
                .and_then(Path::parent)
                .is_some_and(|d| d.join("uninstall.exe").is_file());
            let program_files: Vec<String> = ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"]
                .iter()
                .filter_map(|v| std::env::var(v).ok())
                .collect();
            if installed_on_windows(&exe_text, beside, &program_files) {
                sender.windows_app_id = Some(identifier.clone());
            }
        }
        Desktop::Mac => {
            if in_mac_bundle(&exe_text) {
                set_mac_application(&identifier);
            }
        }
        Desktop::Freedesktop => {
            // The bundles install `<productName>.desktop` and the icon under the binary's name.
            sender.desktop_entry = Some(app_name);
            let bin = exe
                .as_deref()
                .and_then(Path::file_stem)
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let theme = !bin.is_empty() && theme_has_icon(&bin);
            let png = if theme { None } else { icon_file(app) };
            sender.icon = freedesktop_icon(&bin, theme, png.as_deref());
        }
    }
    sender
}

/// Notifications sent as the app with this bundle identifier, not as Finder (once per process).
#[cfg(target_os = "macos")]
fn set_mac_application(identifier: &str) {
    if let Err(e) = notify_rust::set_application(identifier) {
        tracing::warn!("notifications keep the default sender: {e}");
    }
}

#[cfg(not(target_os = "macos"))]
fn set_mac_application(_identifier: &str) {}

/// The app's icon as a PNG file in the cache folder (a build not installed has no theme icon).
fn icon_file<R: Runtime>(app: &AppHandle<R>) -> Option<std::path::PathBuf> {
    const ICON: &[u8] = include_bytes!("../icons/128x128.png");
    let dir = app.path().app_cache_dir().ok()?;
    let path = dir.join("notification-icon.png");
    if std::fs::read(&path).ok().as_deref() == Some(ICON) {
        return Some(path);
    }
    let written = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, ICON));
    match written {
        Ok(()) => Some(path),
        Err(e) => {
            tracing::debug!("no notification icon file: {e}");
            None
        }
    }
}

/// Summary and body of the notification for a code.
pub fn code_text(order: &OrderView, code: &str, demo: bool) -> (String, String) {
    let target = order.phone.as_deref().or(order.email.as_deref());
    crate::i18n::code_landed(Lang::En, &order.service, code, target, order.provider, demo)
}

/// What a click or button on the notification does. Runs on the notification's thread.
pub type OnChoice = Box<dyn FnOnce(Choice) + Send + 'static>;

/// A notification: text (summary, body), already in the user's language, and what it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: (String, String),
    pub sound: bool,
    /// The label of a "Copy code" button (where the OS shows buttons).
    pub copy_button: Option<String>,
}

/// The code notification in `lang`, with a "Copy code" button.
pub fn code_notification_in(
    lang: Lang,
    order: &OrderView,
    code: &str,
    sound: bool,
    demo: bool,
    on_choice: Option<OnChoice>,
) {
    let target = order.phone.as_deref().or(order.email.as_deref());
    let notice = Notice {
        text: crate::i18n::code_landed(lang, &order.service, code, target, order.provider, demo),
        sound,
        copy_button: Some(crate::i18n::copy_code(lang).to_string()),
    };
    show(notice, on_choice);
}

/// Notifications whose thread is still waiting for a click. Each waits until the notification is
/// clicked or closed; past this many, new ones are shown without a click action so a flood of
/// codes cannot pile up threads.
const MAX_WAITING_FOR_CLICK: usize = 64;
static WAITING_FOR_CLICK: AtomicUsize = AtomicUsize::new(0);

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

/// Show a native notification (best effort); `on_choice` runs when the user clicks it or one of
/// its buttons.
pub fn show(notice: Notice, on_choice: Option<OnChoice>) {
    show_inner(notice, None, on_choice)
}

/// A watched offer is available: `text` in the user's language, with a "Buy" button
/// (`buy_label`) whose choice opens the confirm dialog.
pub fn show_with_buy(
    text: (String, String),
    sound: bool,
    buy_label: String,
    on_choice: Option<OnChoice>,
) {
    let notice = Notice {
        text,
        sound,
        copy_button: None,
    };
    show_inner(notice, Some(buy_label), on_choice)
}

fn show_inner(notice: Notice, buy_button: Option<String>, on_choice: Option<OnChoice>) {
    // notify-rust talks D-Bus (or WinRT, or AppKit) synchronously: keep it off the async
    // workers; the same thread then waits for the answer.
    std::thread::spawn(move || {
        let sender = sender();
        let Notice {
            text: (summary, body),
            sound,
            copy_button,
        } = notice;
        let answer = on_choice.and_then(|f| Some((f, ClickSlot::claim()?)));
        let mut n = notify_rust::Notification::new();
        n.appname(&sender.app_name)
            .summary(&summary)
            .body(&body_for(THIS_OS, &body));
        if sound {
            n.sound_name(sound_name(THIS_OS));
        }
        #[cfg(windows)]
        if let Some(id) = &sender.windows_app_id {
            n.app_id(id);
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            if let Some(entry) = &sender.desktop_entry {
                n.hint(notify_rust::Hint::DesktopEntry(entry.clone()));
            }
            if let Some(icon) = &sender.icon {
                n.icon(icon);
            }
        }
        // Without anyone waiting for the answer, no button is offered.
        let copy = copy_button.as_deref().filter(|_| answer.is_some());
        let button = match buy_button.as_deref().filter(|_| answer.is_some()) {
            Some(buy) => Some((BUY_ACTION, buy)),
            None => copy.map(|c| (COPY_ACTION, c)),
        };
        for (id, label) in buttons_for(THIS_OS, &sender.app_name, answer.is_some(), button) {
            n.action(&id, &label);
        }
        match n.show() {
            Ok(handle) => {
                if let Some((f, _slot)) = answer {
                    let waited = handle.wait_for_response(|r: &NotificationResponse| {
                        if let Some(choice) = choice_of(r) {
                            f(choice);
                        }
                    });
                    if let Err(e) = waited {
                        tracing::debug!("no answer from the notification: {e}");
                    }
                }
            }
            Err(e) => tracing::warn!("could not show a notification: {e}"),
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

    #[test]
    fn windows_toasts_are_sent_as_the_app_only_when_an_installer_put_it_there() {
        let pf = vec![
            r"C:\Program Files".to_string(),
            r"C:\Program Files (x86)\".to_string(),
        ];
        // NSIS per-user install (uninstall.exe beside), in the default or a chosen folder.
        let nsis = r"C:\Users\Ani\AppData\Local\OTPDesk\otpdesk-app.exe";
        assert!(installed_on_windows(nsis, true, &pf));
        assert!(installed_on_windows(
            r"D:\Apps\OTPDesk\otpdesk-app.exe",
            true,
            &pf
        ));
        // MSI: Program Files, no uninstaller beside.
        assert!(installed_on_windows(
            r"c:\program files\OTPDesk\otpdesk-app.exe",
            false,
            &pf
        ));
        assert!(installed_on_windows(
            r"C:/Program Files (x86)/OTPDesk/otpdesk-app.exe",
            false,
            &pf
        ));
        // cargo builds, even with a stray uninstall.exe or under Program Files.
        for dev in [
            r"C:\src\otpdesk\target\debug\otpdesk-app.exe",
            r"C:\src\otpdesk\target\x86_64-pc-windows-gnu\release\otpdesk-app.exe",
            r"C:\Program Files\dev\target\release\otpdesk-app.exe",
        ] {
            assert!(!installed_on_windows(dev, true, &pf), "{dev}");
        }
        // A copy somewhere else (portable, Downloads): no shortcut carries the id.
        assert!(!installed_on_windows(
            r"C:\Users\Ani\Downloads\otpdesk-app.exe",
            false,
            &pf
        ));
        assert!(!installed_on_windows(
            r"C:\Program Filesx\otpdesk-app.exe",
            false,
            &pf
        ));
        assert!(!installed_on_windows(
            r"C:\x\otpdesk-app.exe",
            false,
            &[String::new()]
        ));
    }

    #[test]
    fn macos_names_the_app_only_from_inside_its_bundle() {
        assert!(in_mac_bundle(
            "/Applications/OTPDesk.app/Contents/MacOS/otpdesk-app"
        ));
        assert!(!in_mac_bundle(
            "/Users/ani/otpdesk/target/debug/otpdesk-app"
        ));
    }

    #[test]
    fn freedesktop_icon_is_the_theme_icon_when_installed_else_the_png() {
        let png = Path::new("/home/a/.cache/com.otpdesk/notification-icon.png");
        assert_eq!(
            freedesktop_icon("otpdesk-app", true, Some(png)).as_deref(),
            Some("otpdesk-app")
        );
        assert_eq!(
            freedesktop_icon("otpdesk-app", false, Some(png)).as_deref(),
            Some("/home/a/.cache/com.otpdesk/notification-icon.png")
        );
        assert_eq!(freedesktop_icon("otpdesk-app", false, None), None);
    }

    #[test]
    fn actions_per_os() {
        let fd = actions_for(Desktop::Freedesktop, "OTPDesk", true, Some("Salin kode"));
        assert_eq!(
            fd,
            [
                ("default".to_string(), "OTPDesk".to_string()),
                ("copy".to_string(), "Salin kode".to_string())
            ]
        );
        // Windows: every pair is a button; the body click needs none.
        let win = actions_for(Desktop::Windows, "OTPDesk", true, Some("Copy code"));
        assert_eq!(win, [("copy".to_string(), "Copy code".to_string())]);
        let mac = actions_for(Desktop::Mac, "OTPDesk", true, Some("Copy code"));
        assert_eq!(mac, [("copy".to_string(), "Copy code".to_string())]);
        // Nobody waiting: nothing to click.
        assert!(actions_for(Desktop::Freedesktop, "OTPDesk", false, None).is_empty());
    }

    #[test]
    fn a_watch_alert_offers_buy_and_its_answer_is_the_buy_choice() {
        for lang in [Lang::En, Lang::Id] {
            let label = crate::i18n::buy_button(lang);
            let fd = buttons_for(
                Desktop::Freedesktop,
                "OTPDesk",
                true,
                Some((BUY_ACTION, label)),
            );
            assert_eq!(
                fd,
                [
                    ("default".to_string(), "OTPDesk".to_string()),
                    ("buy".to_string(), label.to_string())
                ]
            );
            let win = buttons_for(Desktop::Windows, "OTPDesk", true, Some((BUY_ACTION, label)));
            assert_eq!(
                win,
                [("buy".to_string(), label.to_string())],
                "no escaping needed"
            );
        }
        assert_eq!(
            choice_of(&NotificationResponse::Action("buy".into())),
            Some(Choice::Buy)
        );
    }

    /// The toast library writes button labels unescaped into `<action content='…'/>`: a label
    /// with a quote or `&` would make the toast XML invalid (and no toast at all).
    #[test]
    fn windows_button_labels_are_valid_inside_the_toast_xml_attribute() {
        let tricky = actions_for(
            Desktop::Windows,
            "OTPDesk",
            true,
            Some("Copy 'code' & <go>"),
        );
        let label = &tricky[0].1;
        assert_eq!(label, "Copy &apos;code&apos; &amp; &lt;go&gt;");
        for lang in [Lang::En, Lang::Id] {
            let label = crate::i18n::copy_code(lang);
            let escaped = &actions_for(Desktop::Windows, "OTPDesk", true, Some(label))[0].1;
            assert_eq!(escaped, label, "the shipped labels need no escaping");
        }
    }

    #[test]
    fn answers_become_choices() {
        use notify_rust::CloseReason;
        assert_eq!(
            choice_of(&NotificationResponse::Default),
            Some(Choice::Open)
        );
        assert_eq!(
            choice_of(&NotificationResponse::Action("default".into())),
            Some(Choice::Open)
        );
        assert_eq!(
            choice_of(&NotificationResponse::Action("copy".into())),
            Some(Choice::Copy)
        );
        assert_eq!(
            choice_of(&NotificationResponse::Closed(CloseReason::Expired)),
            None
        );
        assert_eq!(
            choice_of(&NotificationResponse::Action("__closed".into())),
            None
        );
    }
}
