//! Signed updates through tauri-plugin-updater, driven from Rust only (the window has no updater
//! permission; it calls `update_status` and `restart_to_update`). About 20 s after start and then
//! every 12 hours the release endpoint is asked; a newer release is downloaded and its minisign
//! signature verified in the background, the verified bytes are kept, and [`UpdateReady`] tells the
//! window, which offers "Restart to update". Only that click installs and restarts, and never while
//! a paid call (purchase, replacement, top-up) is under way: new ones are held off meanwhile.
//!
//! A missing, placeholder or unusable public key (not the base64 of a minisign public key, as
//! `tauri signer generate` prints it) means "updates not configured": logged once at INFO, never
//! checked, and the app starts as usual. So does a development build, unless `OTPDESK_UPDATES=1`.

use crate::error::{AppError, AppResult, ErrorCode};
use base64::Engine as _;
use otpdesk_engine::Engine;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Update, Updater, UpdaterExt};
use tauri_specta::Event;

/// The public key `tauri.conf.json` ships with until the release key exists (docs/RELEASING.md).
pub const PUBKEY_PLACEHOLDER: &str = "OTPDESK_UPDATER_PUBKEY_NOT_CONFIGURED";
/// `OTPDESK_UPDATES=0` turns update checks off; `=1` turns them on in a development build.
pub const UPDATES_ENV: &str = "OTPDESK_UPDATES";
/// The key of the plugin's block under `plugins` in `tauri.conf.json`.
pub const PLUGIN: &str = "updater";
/// One request to the release endpoint.
const CHECK_TIMEOUT: Duration = Duration::from_secs(60);
/// The whole download of an installer (tens of MB on a slow line).
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A verified update is ready: the window shows "Update ready: version X — Restart to update".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct UpdateReady {
    pub version: String,
    /// The release notes, as published.
    pub notes: Option<String>,
}

/// Where updating stands (`update_status`).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateStatus {
    /// No usable public key or endpoint (or a development build): never checked.
    NotConfigured,
    /// Up to date, or not checked yet.
    #[serde(rename = "none")]
    Idle,
    /// Asking the endpoint, or downloading and verifying an update.
    Checking,
    /// A verified update waits for the user's "Restart to update".
    Ready {
        version: String,
        notes: Option<String>,
        /// A paid call is under way now: restarting is refused until it is done.
        purchase_under_way: bool,
    },
    /// The last check failed (checked again later); English, for logs and support.
    Error { message: String },
}

/// When to check: `first` after start, then every `every` (`after_error` after a failure). Time
/// is wall-clock time, looked at every `tick`, so a laptop that slept still checks when due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub first: Duration,
    pub every: Duration,
    pub after_error: Duration,
    pub tick: Duration,
}

impl Schedule {
    /// The app's: about 20 s after start, then every 12 hours (an hour after a failure).
    pub const APP: Schedule = Schedule {
        first: Duration::from_secs(20),
        every: Duration::from_secs(12 * 3600),
        after_error: Duration::from_secs(3600),
        tick: Duration::from_secs(300),
    };
}

/// What installing and restarting do (the real app: [`TauriHost`]; tests record it).
pub trait Host: Send + Sync + 'static {
    /// Install the verified update. Blocking (a package manager may ask for a password); on
    /// Windows it starts the installer and ends this process.
    fn install(&self, update: &Update, bytes: &[u8]) -> Result<(), String>;
    /// Whether the process began to exit for an install (Windows: the engine was stopped and the
    /// app cleaned up before the installer started), so it cannot simply go on.
    fn exit_began(&self) -> bool {
        false
    }
    /// Restart the app (after an install, or after an exit that began and failed).
    fn restart(&self);
}

struct Ready {
    update: Update,
    /// Downloaded and verified against the configured public key.
    bytes: Vec<u8>,
}

#[derive(Clone)]
enum Phase {
    Off,
    Idle,
    Checking,
    Ready(Arc<Ready>),
    Failed(String),
}

type OnReady = Box<dyn Fn(&UpdateReady) + Send + Sync>;

/// The app's update state (managed by Tauri): what was found, and the one way to apply it.
pub struct Updates {
    phase: Mutex<Phase>,
    on_ready: OnReady,
    host: Arc<dyn Host>,
    /// An install is under way, or done and the app restarting: a second click is refused.
    installing: AtomicBool,
}

impl Updates {
    /// `configured: false`: updates are off for good (see [`availability`]).
    pub fn new(configured: bool, on_ready: OnReady, host: Arc<dyn Host>) -> Updates {
        Updates {
            phase: Mutex::new(if configured { Phase::Idle } else { Phase::Off }),
            on_ready,
            host,
            installing: AtomicBool::new(false),
        }
    }

    fn phase(&self) -> Phase {
        self.phase.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner()) = phase;
    }

    /// Where updating stands; `engine` tells whether a paid call is under way.
    pub fn status(&self, engine: Option<&Engine>) -> UpdateStatus {
        match self.phase() {
            Phase::Off => UpdateStatus::NotConfigured,
            Phase::Idle => UpdateStatus::Idle,
            Phase::Checking => UpdateStatus::Checking,
            Phase::Failed(message) => UpdateStatus::Error { message },
            Phase::Ready(r) => UpdateStatus::Ready {
                version: r.update.version.clone(),
                notes: r.update.body.clone(),
                purchase_under_way: engine.is_some_and(|e| e.paid_calls_in_flight() > 0),
            },
        }
    }

    /// Ask `updater`'s endpoint; download and verify a newer release and keep it ready
    /// (announced once). `Ok(None)`: nothing new. A failure keeps an update already ready.
    pub async fn check(&self, updater: &Updater) -> Result<Option<UpdateReady>, String> {
        let held = match self.phase() {
            Phase::Off => return Ok(None),
            Phase::Ready(r) => Some(r),
            _ => None,
        };
        if held.is_none() {
            self.set(Phase::Checking);
        }
        let found = match updater.check().await {
            Ok(found) => found,
            Err(e) => return Err(self.failed(format!("the update check failed: {e}"))),
        };
        let Some(mut update) = found else {
            if held.is_none() {
                self.set(Phase::Idle);
            }
            tracing::info!("update check: this is the latest version");
            return Ok(None);
        };
        if held
            .as_ref()
            .is_some_and(|r| r.update.version == update.version)
        {
            return Ok(None);
        }
        let version = update.version.clone();
        tracing::info!(%version, "update found; downloading and verifying it");
        update.timeout = Some(DOWNLOAD_TIMEOUT);
        let bytes = match update.download(|_, _| {}, || {}).await {
            Ok(bytes) => bytes,
            Err(e) => return Err(self.failed(refused(&version, &e))),
        };
        let ready = UpdateReady {
            version: version.clone(),
            notes: update.body.clone(),
        };
        tracing::info!(%version, size = bytes.len(), "update verified and ready; it is installed when the user restarts");
        self.set(Phase::Ready(Arc::new(Ready { update, bytes })));
        (self.on_ready)(&ready);
        Ok(Some(ready))
    }

    /// Log a failed check; the status shows it unless an update is already ready.
    fn failed(&self, message: String) -> String {
        tracing::warn!("{message}");
        let mut phase = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        if !matches!(*phase, Phase::Ready(_)) {
            *phase = Phase::Failed(message.clone());
        }
        message
    }

    /// The user's "Restart to update": refused while a paid call of `engine` is under way (and
    /// none starts meanwhile); install the verified bytes, stop the engine (its orders are handed
    /// to the next start at once) and restart. Never called by anything but that click.
    pub async fn restart_to_update(&self, engine: Option<&Engine>) -> AppResult<()> {
        let Phase::Ready(ready) = self.phase() else {
            return Err(AppError::new(
                ErrorCode::NotAllowed,
                "No update is ready to install.",
            ));
        };
        let _held = match engine.map(Engine::hold_paid_calls).transpose() {
            Ok(held) => held,
            Err(n) => return Err(AppError::purchase_under_way(n)),
        };
        if self.installing.swap(true, Ordering::SeqCst) {
            return Err(AppError::new(
                ErrorCode::NotAllowed,
                "The update is being installed already.",
            ));
        }

        let version = ready.update.version.clone();
        tracing::info!(%version, "installing the update the user asked for");
        let host = self.host.clone();
        let installed =
            tokio::task::spawn_blocking(move || host.install(&ready.update, &ready.bytes))
                .await
                .unwrap_or_else(|e| Err(format!("the install task failed: {e}")));
        if let Err(e) = installed {
            tracing::error!(%version, "the update could not be installed: {e}");
            // It may be tried again; after a success the app is restarting, so it stays marked.
            self.installing.store(false, Ordering::SeqCst);
            if self.host.exit_began() {
                // The engine is stopped and the app cleaned up: start again as it was.
                self.host.restart();
            }
            return Err(AppError::new(
                ErrorCode::UpdateFailed,
                format!("The update {version} could not be installed: {e}"),
            ));
        }
        if let Some(engine) = engine {
            engine.shutdown().await;
        }
        tracing::info!(%version, "update installed; restarting");
        self.host.restart();
        Ok(())
    }
}

/// A download that failed or was refused, saying which: a signature that does not match the
/// configured key is never installed.
fn refused(version: &str, e: &tauri_plugin_updater::Error) -> String {
    use tauri_plugin_updater::Error as E;
    match e {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => {
            format!("the update {version} was refused: its signature does not verify ({e})")
        }
        _ => format!("the update {version} could not be downloaded: {e}"),
    }
}

/// Why `pubkey` cannot verify updates, if it cannot: it must be the base64 of a minisign public
/// key file, exactly as the plugin decodes it.
pub fn pubkey_problem(pubkey: &str) -> Option<&'static str> {
    if pubkey.trim().is_empty() {
        return Some("no public key is set");
    }
    if pubkey.trim() == PUBKEY_PLACEHOLDER {
        return Some("the public key is still the placeholder");
    }
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(pubkey) else {
        return Some("the public key is not base64");
    };
    let Ok(text) = String::from_utf8(raw) else {
        return Some("the public key is not the base64 of a minisign public key");
    };
    match minisign_verify::PublicKey::decode(&text) {
        Ok(_) => None,
        Err(_) => Some("the public key is not the base64 of a minisign public key"),
    }
}

/// Whether the app's config has the plugin's block (the plugin cannot start without one).
pub fn has_plugin_config(config: &tauri::Config) -> bool {
    config.plugins.0.contains_key(PLUGIN)
}

/// Whether updates are checked: `Err` says why not. `env` is `OTPDESK_UPDATES`; `debug`: a
/// development build (checks only with `OTPDESK_UPDATES=1`).
pub fn availability(config: &tauri::Config, env: Option<&str>, debug: bool) -> Result<(), String> {
    let Some(block) = config.plugins.0.get(PLUGIN) else {
        return Err("tauri.conf.json has no plugins.updater".into());
    };
    let cfg: tauri_plugin_updater::Config = serde_json::from_value(block.clone())
        .map_err(|e| format!("plugins.updater is not usable: {e}"))?;
    if cfg.endpoints.is_empty() {
        return Err("plugins.updater has no endpoint".into());
    }
    if let Some(problem) = pubkey_problem(&cfg.pubkey) {
        return Err(problem.into());
    }
    match env.map(str::trim) {
        Some("0" | "off" | "false") => Err(format!("{UPDATES_ENV}=0 turns them off")),
        Some("1" | "on" | "true") => Ok(()),
        _ if debug => Err(format!(
            "a development build checks only with {UPDATES_ENV}=1"
        )),
        _ => Ok(()),
    }
}

/// Check on `schedule` for as long as the app runs; `build` makes each check's updater.
pub async fn run(
    updates: &Updates,
    schedule: Schedule,
    build: impl Fn() -> Result<Updater, String>,
) {
    tokio::time::sleep(schedule.first).await;
    loop {
        let ok = match build() {
            Ok(updater) => updates.check(&updater).await.is_ok(),
            Err(e) => {
                updates.failed(format!("the updater could not be set up: {e}"));
                false
            }
        };
        let wait = if ok {
            schedule.every
        } else {
            schedule.after_error
        };
        let due = SystemTime::now() + wait;
        while let Ok(left) = due.duration_since(SystemTime::now()) {
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(left.min(schedule.tick)).await;
        }
    }
}

/// The real app's install and restart.
pub struct TauriHost<R: Runtime> {
    app: AppHandle<R>,
    exiting: Arc<AtomicBool>,
}

impl<R: Runtime> Host for TauriHost<R> {
    fn install(&self, update: &Update, bytes: &[u8]) -> Result<(), String> {
        update.install(bytes).map_err(|e| e.to_string())
    }

    fn exit_began(&self) -> bool {
        self.exiting.load(Ordering::SeqCst)
    }

    fn restart(&self) {
        self.app.request_restart();
    }
}

/// The updater for one check, from the plugin's config. On Windows the install ends this process
/// (the installer restarts the app): before it does, the engine is stopped so its orders are
/// handed to the next start at once, then the app cleans up (the single-instance lock too).
fn build_updater<R: Runtime>(
    app: &AppHandle<R>,
    exiting: Arc<AtomicBool>,
) -> Result<Updater, String> {
    let handle = app.clone();
    app.updater_builder()
        .timeout(CHECK_TIMEOUT)
        .on_before_exit(move || {
            exiting.store(true, Ordering::SeqCst);
            if let Some(state) = handle.try_state::<crate::state::AppState>() {
                // Runs inside the blocking install task, where blocking on the runtime is allowed.
                tauri::async_runtime::block_on(async {
                    if let Ok(session) = state.session().await {
                        session.engine.shutdown().await;
                    }
                });
            }
            handle.cleanup_before_exit();
        })
        .build()
        .map_err(|e| e.to_string())
}

/// Register the plugin (Rust side only) when the config has its block; without one the plugin
/// could not start, and updates are simply not configured.
pub fn plugin<R: Runtime>(builder: tauri::Builder<R>, config: &tauri::Config) -> tauri::Builder<R> {
    if has_plugin_config(config) {
        builder.plugin(tauri_plugin_updater::Builder::new().build())
    } else {
        builder
    }
}

/// Manage [`Updates`] and, when updates are configured, start checking on [`Schedule::APP`].
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    let env = std::env::var(UPDATES_ENV).ok();
    start(
        app,
        Schedule::APP,
        env.as_deref(),
        cfg!(debug_assertions),
        None,
    );
}

/// [`setup`] with its inputs given: the schedule, `OTPDESK_UPDATES`, whether this is a
/// development build, and the install/restart host (`None`: the real one).
pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    schedule: Schedule,
    env: Option<&str>,
    debug: bool,
    host: Option<Arc<dyn Host>>,
) {
    // The plugin was registered with the same config's block (see `plugin`).
    let available = availability(app.config(), env, debug);
    let exiting = Arc::new(AtomicBool::new(false));
    let emitter = app.clone();
    let on_ready: OnReady = Box::new(move |ready| {
        if let Err(e) = ready.emit(&emitter) {
            tracing::warn!("could not tell the window an update is ready: {e}");
        }
    });
    let host = host.unwrap_or_else(|| {
        Arc::new(TauriHost {
            app: app.clone(),
            exiting: exiting.clone(),
        })
    });
    app.manage(Updates::new(available.is_ok(), on_ready, host));
    if let Err(reason) = available {
        tracing::info!("updates not configured ({reason}); no update checks");
        return;
    }
    tracing::info!(
        "update checks on: first in {:?}, then every {} h",
        schedule.first,
        schedule.every.as_secs() / 3600
    );
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let updates = app.state::<Updates>();
        run(&updates, schedule, || build_updater(&app, exiting.clone())).await;
    });
}

#[cfg(test)]
mod tests;
