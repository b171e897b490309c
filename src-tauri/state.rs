//! [`AppState`]: everything the commands share. Holds the current [`Session`] (real or demo)
//! and switches it: closing the old one before opening the next, one switch at a time.

use crate::address::ProviderUrl;
use crate::config::AppEnv;
use crate::demo;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::AppMode;
use crate::keys::{self, KeyStatus, Origins};
use crate::session::forward::active_count;
use crate::session::{Endpoint, Session, SessionSpec};
use crate::settings::{Settings, SettingsStore};
use crate::shell::Shell;
use otpdesk_core::ProviderId;
use otpdesk_secrets::SecretStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

#[derive(Clone)]
enum Slot {
    /// Opening (at start, or while switching): commands wait.
    Opening,
    Ready(Arc<Session>),
    Failed(AppError),
}

pub struct AppState {
    pub env: AppEnv,
    /// Real mode's data; demo mode uses `demo/` inside it.
    pub data_dir: PathBuf,
    pub secrets: SecretStore,
    pub settings: Arc<SettingsStore>,
    pub shell: Arc<dyn Shell>,
    /// The view the UI saved, for a window rebuilt after its webview was closed.
    pub view: crate::lifecycle::ViewMemory,
    /// The "Stop" of each batch running from the window, by the window's batch id.
    pub batches: crate::commands::batch::RunningBatches,
    slot: watch::Sender<Slot>,
    switching: Mutex<()>,
}

/// How long a command waits for a session being opened.
const OPEN_WAIT: Duration = Duration::from_secs(30);

impl AppState {
    pub fn new(
        env: AppEnv,
        data_dir: PathBuf,
        settings: SettingsStore,
        shell: Arc<dyn Shell>,
    ) -> AppState {
        AppState {
            secrets: SecretStore::new(env.keyring_service()),
            env,
            data_dir,
            settings: Arc::new(settings),
            shell,
            view: Default::default(),
            batches: Default::default(),
            slot: watch::channel(Slot::Opening).0,
            switching: Mutex::new(()),
        }
    }

    /// The current session, waiting while one is being opened.
    pub async fn session(&self) -> AppResult<Arc<Session>> {
        let mut rx = self.slot.subscribe();
        let ready = tokio::time::timeout(OPEN_WAIT, async {
            rx.wait_for(|s| !matches!(s, Slot::Opening))
                .await
                .map(|s| s.clone())
        });
        match ready.await {
            Ok(Ok(Slot::Ready(s))) => Ok(s),
            Ok(Ok(Slot::Failed(e))) => Err(e),
            _ => Err(AppError::new(
                ErrorCode::NotReady,
                "OTPDesk is still opening its data; try again in a moment.",
            )),
        }
    }

    pub fn mode(&self) -> AppMode {
        match &*self.slot.borrow() {
            Slot::Ready(s) => s.mode,
            _ => AppMode::Real,
        }
    }

    /// A problem that keeps the app from working (e.g. the data could not be opened).
    pub fn problem(&self) -> Option<AppError> {
        match &*self.slot.borrow() {
            Slot::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }

    /// The base URL used for `provider` in real mode (refused addresses are an error).
    pub fn base_url(&self, provider: ProviderId) -> AppResult<ProviderUrl> {
        self.base_url_with(provider, &self.settings.get())
    }

    fn base_url_with(&self, provider: ProviderId, settings: &Settings) -> AppResult<ProviderUrl> {
        self.env
            .base_url(provider, settings.base_urls.get(provider))
    }

    /// Every provider's origin with `settings` (the environment's overrides still win).
    fn origins_with(&self, settings: &Settings) -> Origins {
        keys::origins(|p| self.base_url_with(p, settings))
    }

    /// Which keys can be used at the current addresses.
    pub async fn keys_status(&self) -> AppResult<Vec<KeyStatus>> {
        let origins = self.origins_with(&self.settings.get());
        keys::status(&self.secrets, self.mode(), origins).await
    }

    /// Save `next` settings. When a provider's address moves to another origin while a key is
    /// saved for it, the user is asked first (native dialog): on OK the key is removed, as it may
    /// only be sent to the origin it was checked against; on Cancel nothing changes
    /// (`ErrorCode::Cancelled`). Addresses and the poll budget apply from a reopened session;
    /// start at login is registered with the OS first (not saved when that fails), the tray
    /// follows the language.
    pub async fn update_settings(&self, next: Settings) -> AppResult<Settings> {
        next.validate()?;
        let before = self.settings.get();
        let lost = keys::lost_by(
            &self.secrets,
            self.origins_with(&before),
            self.origins_with(&next),
        )
        .await;
        if !lost.is_empty() {
            let question =
                crate::i18n::confirm_address_change(crate::i18n::resolve(before.language), &lost);
            let shell = self.shell.clone();
            let yes = tokio::task::spawn_blocking(move || shell.confirm(&question))
                .await
                .map_err(|e| AppError::internal(format!("dialog task: {e}")))?;
            if !yes {
                return Err(AppError::new(
                    ErrorCode::Cancelled,
                    "The address change was cancelled; nothing was changed.",
                ));
            }
        }
        if before.start_at_login != next.start_at_login {
            let on = next.start_at_login;
            let shell = self.shell.clone();
            tokio::task::spawn_blocking(move || shell.start_at_login(on))
                .await
                .map_err(|e| AppError::internal(format!("start at login task: {e}")))?
                .map_err(|e| {
                    AppError::internal(format!("Start at login could not be changed: {e}"))
                })?;
        }
        let saved = self.settings.update(|s| *s = next)?;
        if before.language != saved.language {
            self.shell.language(crate::i18n::resolve(saved.language));
        }
        for (provider, _, _) in &lost {
            // Still bound to the old origin if this fails: it is not used at the new one.
            if let Err(e) = keys::clear(&self.secrets, *provider).await {
                tracing::warn!(%provider, "could not remove the key after an address change: {e}");
            }
        }
        let reopen = before.base_urls != saved.base_urls
            || before.poll_budget_per_minute != saved.poll_budget_per_minute;
        if reopen && self.mode() == AppMode::Real {
            self.open_real().await?;
        }
        Ok(saved)
    }

    /// (Re)open real mode with the keys now in the keyring.
    pub async fn open_real(&self) -> AppResult<()> {
        let _one = self.switching.lock().await;
        let endpoints = self.real_endpoints().await;
        self.open_real_with(endpoints).await
    }

    /// Open real mode on `endpoints`, on the saved team's order book when this computer joined
    /// one; the caller holds `switching`.
    async fn open_real_with(&self, endpoints: Vec<Endpoint>) -> AppResult<()> {
        self.close_current().await;
        let team = match crate::team::saved(&self.secrets).await {
            Ok(team) => team,
            Err(e) => return self.install(Err(e)),
        };
        let spec = SessionSpec {
            mode: AppMode::Real,
            data_dir: &self.data_dir,
            endpoints,
            poll_budget_per_minute: self.settings.get().poll_budget_per_minute,
            sim: None,
            team,
        };
        self.install(Session::open(spec, self.shell.clone(), self.settings.clone()).await)
    }

    /// Join a team (an invite, or the owner's connection string for a new team): saved in the
    /// keyring, then real mode reopens on the team's order book. When that fails (wrong
    /// password, server unreachable, not a member) the keyring is put back as it was and the
    /// order book used before opens again; the error is returned.
    pub async fn join_team(&self, connection: String) -> AppResult<()> {
        let _one = self.switching.lock().await;
        if self.mode() == AppMode::Demo {
            return Err(AppError::new(
                ErrorCode::DemoMode,
                "A team cannot be joined in demo mode; leave the demo first.",
            ));
        }
        self.refuse_with_active_orders("joining a team")?;
        let before = crate::team::saved_connection(&self.secrets).await?;
        crate::team::save(&self.secrets, Some(connection)).await?;
        let endpoints = self.real_endpoints().await;
        let Err(e) = self.open_real_with(endpoints).await else {
            return Ok(());
        };
        tracing::warn!(code = ?e.code, "joining the team failed; back to the order book used before");
        crate::team::save(&self.secrets, before).await?;
        let endpoints = self.real_endpoints().await;
        // The error shown is the join's; a failure to reopen shows as the app's problem.
        let _ = self.open_real_with(endpoints).await;
        Err(e)
    }

    /// Leave the team: its connection string is removed from the keyring and this computer's
    /// own order book opens again (the team's orders stay on the team's server).
    pub async fn leave_team(&self) -> AppResult<()> {
        let _one = self.switching.lock().await;
        crate::team::save(&self.secrets, None).await?;
        if self.mode() == AppMode::Demo {
            return Ok(());
        }
        let endpoints = self.real_endpoints().await;
        self.open_real_with(endpoints).await
    }

    /// Refused while orders of this computer's own order book still wait for their code (nobody
    /// would watch for the code or the refund). Orders that have their code stay in that book
    /// and are tracked again when the computer leaves the team (a NumberOTP activation with its
    /// code has no action that could end it sooner).
    fn refuse_with_active_orders(&self, what: &str) -> AppResult<()> {
        if let Slot::Ready(s) = &*self.slot.borrow() {
            if s.engine.team().is_some() {
                return Ok(());
            }
            let filter = otpdesk_engine::OrderFilter {
                active_only: true,
                ..Default::default()
            };
            let waiting = s
                .engine
                .orders(&filter)
                .map_err(AppError::from)?
                .iter()
                .filter(|o| o.otps.is_empty())
                .count();
            if waiting > 0 {
                return Err(AppError::new(
                    ErrorCode::ActiveOrders,
                    format!(
                        "{waiting} order(s) are still waiting for a code; finish or cancel them before {what}."
                    ),
                ));
            }
        }
        Ok(())
    }

    /// How the app opens: the demo when asked for and no key is saved, else real mode.
    pub async fn open_at_start(&self) -> AppResult<()> {
        let one = self.switching.lock().await;
        // The keyring is read once, for the choice and for real mode.
        let endpoints = self.real_endpoints().await;
        if self.env.demo_without_keys && endpoints.is_empty() {
            drop(one);
            return self.start_demo().await;
        }
        self.open_real_with(endpoints).await
    }

    /// Switch to demo mode: a fresh simulator and a fresh `demo/` store. Refused while real
    /// orders are still running, so none of them is left unwatched.
    pub async fn start_demo(&self) -> AppResult<()> {
        let _one = self.switching.lock().await;
        if let Slot::Ready(s) = &*self.slot.borrow() {
            if s.mode == AppMode::Demo {
                return Ok(());
            }
            let active = active_count(&s.engine);
            if active > 0 {
                return Err(AppError::new(
                    ErrorCode::ActiveOrders,
                    format!("{active} real order(s) are still running; finish or cancel them before trying the demo."),
                ));
            }
        }
        self.close_current().await;
        let opened = async {
            let dir = demo::reset_data(&self.data_dir)?;
            let sim = demo::start_simulator().await?;
            let spec = SessionSpec {
                mode: AppMode::Demo,
                data_dir: &dir,
                endpoints: demo::endpoints(&sim),
                poll_budget_per_minute: self.settings.get().poll_budget_per_minute,
                sim: Some(sim),
                team: None,
            };
            Session::open(spec, self.shell.clone(), self.settings.clone()).await
        };
        self.install(opened.await)
    }

    /// Leave demo mode (no-op in real mode).
    pub async fn stop_demo(&self) -> AppResult<()> {
        if self.mode() == AppMode::Real {
            return Ok(());
        }
        self.open_real().await
    }

    async fn close_current(&self) {
        let old = self.slot.send_replace(Slot::Opening);
        if let Slot::Ready(s) = old {
            s.close().await;
        }
    }

    fn install(&self, opened: AppResult<Session>) -> AppResult<()> {
        match opened {
            Ok(session) => {
                let mode = session.mode;
                self.slot.send_replace(Slot::Ready(Arc::new(session)));
                self.shell.mode_changed(mode);
                Ok(())
            }
            Err(e) => {
                tracing::error!(code = ?e.code, "could not open the session: {e}");
                self.slot.send_replace(Slot::Failed(e.clone()));
                Err(e)
            }
        }
    }

    /// Providers with a key that may be sent to their current address (see [`keys::usable`]).
    async fn real_endpoints(&self) -> Vec<Endpoint> {
        let settings = self.settings.get();
        let mut urls = Vec::new();
        for p in ProviderId::ALL {
            match self.base_url_with(p, &settings) {
                Ok(url) => urls.push((p, url)),
                Err(e) => tracing::error!(provider = %p, code = ?e.code, "{e}"),
            }
        }
        let origins = urls.iter().map(|(p, u)| (*p, Some(u.origin()))).collect();
        let keys = keys::usable(&self.secrets, origins).await;
        keys.into_iter()
            .filter_map(|(provider, key)| {
                let url = urls.iter().find(|(p, _)| *p == provider)?;
                Some(Endpoint {
                    provider,
                    base_url: url.1.as_str().to_string(),
                    key,
                })
            })
            .collect()
    }
}
