//! [`Shell`]: what the backend asks of the window system (UI events, tray, notifications,
//! clipboard, native dialogs, start at login, the log folder, quitting). The app implements it over Tauri; tests record the calls (and
//! answer the dialogs) instead, so the state and commands need no window.

use crate::balance_watch::{BalanceUpdated, LowBalanceAlert};
use crate::catalog::ProviderBalance;
use crate::events::{
    ActiveOrdersChanged, AppMode, AppModeChanged, BatchProgressEvent, EngineEventPayload,
};
use crate::i18n::Lang;
use crate::notify::{Choice, Notice};
use crate::settings::Settings;
use crate::{autostart, notify, tray};
use otpdesk_engine::{EngineEvent, OrderView, WatchView};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

pub trait Shell: Send + Sync + 'static {
    fn engine_event(&self, event: EngineEvent);
    fn mode_changed(&self, mode: AppMode);
    /// A running "Buy N" bought a number or stopped (see `commands::batch`).
    fn batch_progress(&self, event: &BatchProgressEvent);
    fn active_orders(&self, count: usize);
    /// A code arrived for `order`: notify / copy as the settings say.
    fn code_landed(&self, order: &OrderView, code: &str, settings: &Settings, demo: bool);
    /// A native notification (summary, body), already in the user's language.
    fn notify(&self, text: (String, String), sound: bool);
    /// A watched offer is available (`bought`: the number bought for it, when the user asked
    /// for one): a notification with a "Buy" button that opens the confirm dialog.
    fn watch_alert(
        &self,
        watch: &WatchView,
        bought: Option<&OrderView>,
        settings: &Settings,
        demo: bool,
    ) {
        let text = watch_alert_text(watch, bought, settings, demo);
        self.notify(text, settings.sound);
    }
    fn balance_updated(&self, balance: &ProviderBalance);
    fn low_balance(&self, alert: &LowBalanceAlert);
    /// Open a checked https URL in the user's browser.
    fn open_url(&self, url: &str) -> Result<(), String>;
    /// Ask the user where to save a file (native dialog); `None`: cancelled.
    fn save_path(&self, suggested_name: &str) -> Option<std::path::PathBuf>;
    /// Ask the user to confirm (native dialog, never the webview's); `true`: the OK button.
    /// Blocks until answered: call it off the async workers.
    fn confirm(&self, question: &Confirm) -> bool;
    /// The language setting changed (or was read at start): the tray menu follows.
    fn language(&self, lang: Lang);
    /// Register (`true`) or remove the start at login, into the tray.
    fn start_at_login(&self, on: bool) -> Result<(), String>;
    /// Open the folder of the app's log files in the file manager.
    fn open_log_folder(&self) -> Result<(), String>;
    /// Quit the app (the caller asked the user when needed).
    fn exit(&self);
}

/// A yes/no question in a native dialog, already in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub message: String,
    pub ok: String,
    pub cancel: String,
}

/// The real shell: typed Tauri events, the tray icon, notify-rust and the clipboard.
pub struct TauriShell<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> TauriShell<R> {
    pub fn new(app: AppHandle<R>) -> TauriShell<R> {
        TauriShell { app }
    }

    /// A click on a notification brings the window back (also from the tray) to the code; its
    /// "Copy code" button copies `code`.
    fn on_choice(&self, code: Option<String>) -> Option<notify::OnChoice> {
        let app = self.app.clone();
        Some(Box::new(move |choice| match choice {
            Choice::Open => crate::window::show_main_window(&app),
            Choice::Copy => {
                if let Some(code) = code {
                    notify::copy_text(&code);
                }
            }
            // Only watch alerts offer Buy (see `watch_alert`).
            Choice::Buy => crate::window::show_main_window(&app),
        }))
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

    fn batch_progress(&self, event: &BatchProgressEvent) {
        if let Err(e) = event.emit(&self.app) {
            tracing::warn!("could not send a batch's progress to the window: {e}");
        }
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
            let lang = crate::i18n::resolve(settings.language);
            let on_choice = self.on_choice(Some(code.to_string()));
            notify::code_notification_in(lang, order, code, settings.sound, demo, on_choice);
        }
    }

    fn notify(&self, text: (String, String), sound: bool) {
        let notice = Notice {
            text,
            sound,
            copy_button: None,
        };
        notify::show(notice, self.on_choice(None));
    }

    fn watch_alert(
        &self,
        watch: &WatchView,
        bought: Option<&OrderView>,
        settings: &Settings,
        demo: bool,
    ) {
        let text = watch_alert_text(watch, bought, settings, demo);
        if bought.is_some() {
            return self.notify(text, settings.sound);
        }
        let app = self.app.clone();
        let w = watch.clone();
        let on_choice: notify::OnChoice = Box::new(move |choice| match choice {
            Choice::Buy => {
                crate::window::show_main_window(&app);
                let _ = crate::events::WatchBuyRequested { watch: w }.emit(&app);
            }
            Choice::Open => crate::window::show_main_window(&app),
            Choice::Copy => {}
        });
        notify::show_with_buy(
            text,
            settings.sound,
            crate::i18n::buy_button(crate::i18n::resolve(settings.language)).to_string(),
            Some(on_choice),
        );
    }

    fn balance_updated(&self, balance: &ProviderBalance) {
        let event = BalanceUpdated {
            balance: balance.clone(),
        };
        if let Err(e) = event.emit(&self.app) {
            tracing::warn!("could not send a balance to the window: {e}");
        }
    }

    fn low_balance(&self, alert: &LowBalanceAlert) {
        if let Err(e) = alert.emit(&self.app) {
            tracing::warn!("could not send a low-balance alert to the window: {e}");
        }
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        use tauri_plugin_opener::OpenerExt;
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    }

    fn save_path(&self, suggested_name: &str) -> Option<std::path::PathBuf> {
        use tauri_plugin_dialog::DialogExt;
        self.app
            .dialog()
            .file()
            .add_filter("CSV", &["csv"])
            .set_file_name(suggested_name)
            .blocking_save_file()
            .and_then(|p| p.into_path().ok())
    }

    fn confirm(&self, question: &Confirm) -> bool {
        use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
        let mut dialog = self
            .app
            .dialog()
            .message(&question.message)
            .title(&question.title)
            .kind(MessageDialogKind::Warning)
            .buttons(MessageDialogButtons::OkCancelCustom(
                question.ok.clone(),
                question.cancel.clone(),
            ));
        if let Some(window) = crate::window::main_window(&self.app) {
            dialog = dialog.parent(&window);
        }
        dialog.blocking_show()
    }

    fn language(&self, lang: Lang) {
        tray::set_language(&self.app, lang);
    }

    fn start_at_login(&self, on: bool) -> Result<(), String> {
        autostart::set(&self.app, on)
    }

    fn open_log_folder(&self) -> Result<(), String> {
        use tauri_plugin_opener::OpenerExt;
        let dir = crate::logs::folder(&self.app).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        self.app
            .opener()
            .open_path(dir.display().to_string(), None::<&str>)
            .map_err(|e| e.to_string())
    }

    fn exit(&self) {
        self.app.exit(0);
    }
}

/// The watch alert's title and body, in the user's language.
fn watch_alert_text(
    watch: &WatchView,
    bought: Option<&OrderView>,
    settings: &Settings,
    demo: bool,
) -> (String, String) {
    let lang = crate::i18n::resolve(settings.language);
    let number = bought.and_then(|o| o.phone.as_deref());
    crate::i18n::watch_alert(lang, &watch.label, watch.last_price, number, demo)
}
