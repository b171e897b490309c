//! The Tauri shell. Thin by design: windows, tray, notifications, typed commands and events;
//! the domain lives in `crates/` (engine, providers, secrets, simulator).

pub mod address;
pub mod autostart;
pub mod balance_watch;
#[cfg(test)]
mod bundle_config;
pub mod catalog;
pub mod commands;
pub mod config;
mod demo;
pub mod deposits;
pub mod error;
pub mod events;
pub mod history;
pub mod i18n;
mod keys;
pub mod lifecycle;
pub mod logs;
pub mod notify;
pub mod quit;
mod session;
pub mod settings;
pub mod share;
pub mod shell;
mod soak;
pub mod state;
pub mod team;
pub mod tray;
pub mod ui_commands;
pub mod updater;
pub mod window;

use crate::config::AppEnv;
use crate::settings::SettingsStore;
use crate::shell::TauriShell;
use crate::state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{Manager, Runtime};
use tauri_plugin_store::StoreExt;
use tauri_specta::{collect_commands, collect_events};

/// Where the generated TypeScript bindings live, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

/// The ONE list of commands and events: used by [`run`] and by the test that exports
/// `ui/src/lib/bindings.ts`.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(collect_commands![
            commands::app::app_status,
            commands::app::start_demo,
            commands::app::stop_demo,
            commands::app::locale_info,
            commands::app::open_log_folder,
            commands::app::quit_app,
            commands::keys::keys_status,
            commands::keys::set_key,
            commands::keys::clear_key,
            commands::catalog::balances,
            commands::catalog::catalog_countries,
            commands::catalog::catalog_items,
            commands::browse::s1_countries,
            commands::browse::s1_services,
            commands::browse::s1_products,
            commands::browse::s2_countries,
            commands::browse::s2_operators,
            commands::browse::s2_services,
            commands::browse::s2_special,
            commands::browse::numberotp_services,
            commands::browse::numberotp_countries,
            commands::browse::numberotp_prices,
            commands::browse::email_sites,
            commands::browse::email_domains,
            commands::browse::quote,
            commands::orders::buy,
            commands::orders::buy_checked,
            commands::orders::check_order,
            commands::orders::email_reorder,
            commands::orders::active_orders,
            commands::orders::recent_orders,
            commands::orders::cancel_order,
            commands::orders::finish_order,
            commands::orders::resend_code,
            commands::orders::replace_number,
            commands::orders::copy_code,
            commands::attempts::unknown_attempts,
            commands::attempts::reconcile_attempt,
            commands::attempts::attempt_quote,
            commands::attempts::buy_attempt_again,
            commands::attempts::dismiss_attempt,
            commands::batch::buy_batch,
            commands::batch::stop_batch,
            commands::batch::quote_again,
            commands::deposits::topup_qris,
            commands::deposits::topup_usdt,
            commands::deposits::deposits,
            commands::deposits::deposit,
            commands::deposits::open_payment_page,
            commands::deposits::demo_pay_deposit,
            commands::history::history,
            commands::history::set_sale_price,
            commands::history::profit_report,
            commands::history::export_history_csv,
            commands::history::ledger,
            commands::desk::recent_customers,
            commands::desk::suggest_sale_price,
            commands::desk::hand_off,
            commands::desk::order_desks,
            commands::desk::set_paid,
            commands::desk::customers,
            commands::desk::price_list,
            commands::desk::set_price_list,
            commands::desk::message_templates,
            commands::desk::set_message_template,
            commands::desk::copy_customer_message,
            commands::desk::share_order,
            commands::quality::offer_quality,
            commands::quality::cancel_warnings,
            commands::settings::get_settings,
            commands::settings::update_settings,
            commands::updates::update_status,
            commands::updates::restart_to_update,
            commands::view::save_view,
            commands::view::saved_view,
            commands::automation::start_auto_replace,
            commands::automation::stop_auto_replace,
            commands::automation::auto_replace_jobs,
            commands::automation::max_prices,
            commands::automation::set_max_price,
            commands::automation::blocklist,
            commands::automation::add_block,
            commands::automation::remove_block,
            commands::automation::suggest_blocks,
            commands::automation::set_blocklist_all_purchases,
            commands::automation::watch_offer,
            commands::automation::watches,
            commands::automation::remove_watch,
            commands::automation::rearm_watch,
            commands::automation::check_watches,
            commands::team::team_status,
            commands::team::team_join,
            commands::team::team_leave,
            commands::team::team_reconnect,
            commands::team::team_invite,
            commands::team::team_remove,
            commands::team::team_sold_by,
            commands::team::team_requests,
            commands::team::team_withdraw,
        ])
        .events(collect_events![
            events::EngineEventPayload,
            events::AppModeChanged,
            events::ActiveOrdersChanged,
            events::BatchProgressEvent,
            balance_watch::BalanceUpdated,
            balance_watch::LowBalanceAlert,
            updater::UpdateReady,
            events::WatchBuyRequested,
        ])
        // Money is i64 minor units: rupiah and USDT micro-units stay far below 2^53.
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type (no `_Serialize` / `_Deserialize` pairs).
        .disable_serde_phases()
}

/// The app's context from `tauri.conf.json` and the build script's ACL (the command manifest
/// and capabilities). Generic so tests can take its runtime authority into a mock app.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// The TypeScript exporter settings of the bindings file.
pub fn typescript() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default()
        .header("// Generated by tauri-specta from src-tauri (`OTPDESK_WRITE_BINDINGS=1 cargo test -p otpdesk bindings`). Do not edit.\n")
}

/// The app's state over the store plugin and the Tauri shell. The real session is opened in the
/// background so the window shows at once; commands wait for it.
fn build_state<R: Runtime>(
    app: &tauri::App<R>,
    env: AppEnv,
) -> Result<AppState, Box<dyn std::error::Error>> {
    let data_dir: PathBuf = match &env.data_dir {
        Some(d) => d.clone(),
        None => app.path().app_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)?;
    let store = app.store(data_dir.join(settings::STORE_FILE))?;
    let settings = SettingsStore::new(Box::new(store));
    let shell = Arc::new(TauriShell::new(app.handle().clone()));
    Ok(AppState::new(env, data_dir, settings, shell))
}

/// Build and run the desktop app.
pub fn run() {
    lifecycle::prepare_webview_env();
    logs::init();
    let builder = specta_builder::<tauri::Wry>();
    let context = context();
    let app = tauri::Builder::default()
        // First: a second launch only focuses the running window (a login start, `--hidden`,
        // while one runs changes nothing).
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if !autostart::wants_hidden(&args) {
                window::show_main_window(app)
            }
        }))
        .plugin(tauri_plugin_store::Builder::new().build())
        // Called from Rust only; the window has no opener or dialog permission.
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        // Also Rust only (Settings › start at login): no autostart permission for the window.
        .plugin(autostart::plugin())
        .plugin(window::state_plugin());
    // Rust side only: the window has no updater permission.
    let built = updater::plugin(app, context.config())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            match logs::folder(app.handle()) {
                Ok(dir) => match logs::to_folder(&dir) {
                    Ok(()) => tracing::info!("logging to {}", dir.display()),
                    Err(e) => tracing::warn!("no log files in {}: {e}", dir.display()),
                },
                Err(e) => tracing::warn!("no log folder: {e}"),
            }
            builder.mount_events(app);
            notify::init(app.handle());
            updater::setup(app.handle());
            tray::create(app.handle())?;
            lifecycle::start(app.handle());
            let state = build_state(app, AppEnv::from_env())?;
            settings_at_start(app.handle(), &state);
            app.manage(state);
            show_at_start(app.handle())?;
            soak::start(app.handle());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let _ = handle.state::<AppState>().open_at_start().await;
            });
            Ok(())
        })
        .on_window_event(window::on_window_event)
        .build(context);
    match built {
        Ok(app) => app.run(|app, event| {
            window::on_run_event(app, &event);
            lifecycle::on_run_event(app, &event);
        }),
        Err(e) => start_failed(e),
    }
}

/// The settings the OS or the tray need at start: the tray menu in the user's language, and
/// start at login read back from the OS (the user may have removed it there).
fn settings_at_start<R: Runtime>(app: &tauri::AppHandle<R>, state: &AppState) {
    let settings = state.settings.get();
    tray::set_language(app, i18n::resolve(settings.language));
    match autostart::is_on(app) {
        Ok(on) if on != settings.start_at_login => {
            if let Err(e) = state.settings.update(|s| s.start_at_login = on) {
                tracing::warn!("could not record the start at login setting: {e}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("could not read the start at login: {e}"),
    }
}

/// Create the main window and show it, unless started at login (`--hidden`): then it stays in
/// the tray, or, where the desktop shows no tray, starts minimised so it can be found.
fn show_at_start<R: Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<()> {
    let window = window::create_main_window(app)?;
    if autostart::wants_hidden(std::env::args()) {
        if tray::is_available(app) {
            return Ok(());
        }
        window.minimize()?;
    }
    window.show()
}

/// How many times a start that found another copy still closing is tried again.
const MAX_RELAUNCHES: u32 = 3;
const RELAUNCH_ENV: &str = "OTPDESK_RELAUNCH";

/// The app could not start. When the copy it handed over to was itself closing (the user quit
/// from the tray and opened it again at once), it starts again a moment later, in a new process
/// (a window event loop cannot be built twice in one): the user gets a window, not a crash.
fn start_failed(e: tauri::Error) -> ! {
    let handover =
        matches!(&e, tauri::Error::PluginInitialization(name, _) if name == "single-instance");
    let tries: u32 = std::env::var(RELAUNCH_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if handover && tries < MAX_RELAUNCHES {
        tracing::warn!("another OTPDesk was closing ({e}); starting again");
        std::thread::sleep(std::time::Duration::from_secs(1));
        let relaunched = std::env::current_exe().and_then(|exe| {
            std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env(RELAUNCH_ENV, (tries + 1).to_string())
                .spawn()
        });
        match relaunched {
            Ok(_) => std::process::exit(0),
            Err(err) => tracing::error!("could not start OTPDesk again: {err}"),
        }
    }
    tracing::error!("OTPDesk could not start its window: {e}");
    eprintln!("OTPDesk could not start its window: {e}");
    std::process::exit(1);
}

#[cfg(test)]
mod bindings_test {
    /// Fails when `ui/src/lib/bindings.ts` is not what the code exports;
    /// `OTPDESK_WRITE_BINDINGS=1` rewrites it.
    #[test]
    fn bindings_are_up_to_date() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked_in = root.join(super::BINDINGS_PATH);
        let tmp = tempfile::tempdir().unwrap();
        let fresh = tmp.path().join("bindings.ts");
        super::specta_builder::<tauri::test::MockRuntime>()
            .export(super::typescript(), &fresh)
            .expect("export bindings");
        let fresh = std::fs::read_to_string(fresh).unwrap();
        if std::env::var_os("OTPDESK_WRITE_BINDINGS").is_some() {
            std::fs::write(&checked_in, &fresh).unwrap();
            return;
        }
        let old = std::fs::read_to_string(&checked_in).unwrap_or_default();
        assert!(
            old == fresh,
            "{} is out of date: run `OTPDESK_WRITE_BINDINGS=1 cargo test -p otpdesk bindings` and commit it",
            super::BINDINGS_PATH
        );
    }
}

#[cfg(test)]
mod command_manifest_test {
    //! The webview's allowed commands, three times over: the build script's manifest
    //! (`ui_commands.rs`), the capability granting them, and what `ui/src/lib/ipc.ts` calls.
    use super::ui_commands::UI_COMMANDS;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn read(path: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
    }

    fn manifest() -> BTreeSet<String> {
        let list: BTreeSet<String> = UI_COMMANDS.iter().map(|c| c.to_string()).collect();
        assert_eq!(list.len(), UI_COMMANDS.len(), "a command is listed twice");
        list
    }

    /// `camelName` → `snake_name` as the bindings call them: `s2Operators: (…) => …("s2_operators"`.
    fn binding_names() -> Vec<(String, String)> {
        let bindings = read(super::BINDINGS_PATH);
        bindings
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                let (camel, rest) = line.split_once(": (")?;
                let start = rest.find("__TAURI_INVOKE(\"")? + "__TAURI_INVOKE(\"".len();
                let end = rest[start..].find('"')?;
                Some((camel.to_string(), rest[start..start + end].to_string()))
            })
            .collect()
    }

    #[test]
    fn the_manifest_is_exactly_what_the_ui_calls() {
        let ipc = read("ui/src/lib/ipc.ts");
        let names = binding_names();
        assert!(names.len() >= UI_COMMANDS.len(), "bindings parsed");
        let used: BTreeSet<String> = names
            .iter()
            .filter(|(camel, _)| ipc.contains(&format!("commands.{camel}(")))
            .map(|(_, snake)| snake.clone())
            .collect();
        assert_eq!(
            manifest(),
            used,
            "src-tauri/ui_commands.rs must list exactly the commands ui/src/lib/ipc.ts calls \
             (left: listed, right: called); a command the UI starts calling goes into \
             ui_commands.rs and, as allow-<command>, into src-tauri/capabilities/default.json, \
             or the window's calls to it are refused"
        );
        // Every listed command is registered (a manifest entry without a handler is a typo).
        let registered: BTreeSet<String> = names.into_iter().map(|(_, s)| s).collect();
        assert!(manifest().is_subset(&registered));
    }

    #[test]
    fn the_capability_grants_exactly_the_manifest() {
        let cap: serde_json::Value =
            serde_json::from_str(&read("src-tauri/capabilities/default.json")).unwrap();
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
        let granted: BTreeSet<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().expect("plain permission names").to_string())
            .filter(|p| !p.starts_with("core:"))
            .collect();
        let expected: BTreeSet<String> = manifest()
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(
            granted, expected,
            "src-tauri/capabilities/default.json must grant allow-<command> for exactly the \
             commands of src-tauri/ui_commands.rs (left: granted, right: listed)"
        );
        let core: Vec<_> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str().filter(|p| p.starts_with("core:")))
            .collect();
        assert_eq!(
            core,
            ["core:event:default"],
            "no other core or plugin permission"
        );
    }
}
