//! Start at login, into the tray: opt-in (Settings › `start_at_login`, off by default) through
//! tauri-plugin-autostart, which registers the app with the OS (a `~/.config/autostart` desktop
//! entry on Linux, the `Run` registry key on Windows, a Launch Agent on macOS) started with
//! `--hidden`, so a login brings back tracking and the tray, not a window in the user's way.
//! The OS's registration is the truth: at start the setting is read back from it.

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

/// The argument the login start passes: the window stays hidden (in the tray).
pub const HIDDEN_ARG: &str = "--hidden";

/// The plugin as the app uses it: the entry is named after the product (`OTPDesk.desktop` in
/// `~/.config/autostart`), and on macOS it is a Launch Agent (an AppleScript login item would
/// ask the user to let OTPDesk control System Events).
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    let builder = tauri_plugin_autostart::Builder::new().arg(HIDDEN_ARG);
    #[cfg(target_os = "macos")]
    let builder = builder.macos_launcher(tauri_plugin_autostart::MacosLauncher::LaunchAgent);
    builder.build()
}

/// Whether these command-line arguments ask for a start into the tray.
pub fn wants_hidden<I, S>(args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    args.into_iter().any(|a| a.as_ref() == HIDDEN_ARG)
}

/// Register (or remove) the start at login.
pub fn set<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<(), String> {
    let launcher = app.autolaunch();
    let done = if on {
        launcher.enable()
    } else if launcher.is_enabled().map_err(|e| e.to_string())? {
        launcher.disable()
    } else {
        Ok(())
    };
    done.map_err(|e| e.to_string())
}

/// Whether the OS starts OTPDesk at login now.
pub fn is_on<R: Runtime>(app: &AppHandle<R>) -> Result<bool, String> {
    app.autolaunch().is_enabled().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden_only_when_asked() {
        assert!(super::wants_hidden(["otpdesk-app", "--hidden"]));
        assert!(!super::wants_hidden(["otpdesk-app"]));
        assert!(!super::wants_hidden(["otpdesk-app", "--hiddenx"]));
    }
}
