//! A [`Session`]: one opened engine plus the provider clients for catalog and balance reads, in
//! real or demo mode. Switching mode or changing a key closes the session and opens a new one
//! (the engine resumes every unfinished order on open).

use crate::balance_watch::BalanceWatch;
use crate::error::{AppError, AppResult};
use crate::events::{self, AppMode};
use crate::settings::SettingsStore;
use crate::shell::Shell;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_engine::{Budget, Engine, EngineConfig, ProviderConfig};
use otpdesk_providers::{NumberOtpClient, OopPayClient, OtpZapClient, ProviderError};
use otpdesk_sim::SimHandle;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// One provider the session talks to.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub provider: ProviderId,
    pub base_url: String,
    pub key: ApiKey,
}

/// The engine's provider clients, for the reads it does not make itself (catalogs, balance).
/// `None`: no key. Send every call through [`Clients::read`], so it spends the key's shared
/// rate budget.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    pub otpzap: Option<OtpZapClient>,
    pub numberotp: Option<NumberOtpClient>,
    pub ooppay: Option<OopPayClient>,
    /// The session's engine, whose per-key budgets these reads share.
    engine: Option<Engine>,
}

impl Clients {
    fn of(engine: &Engine) -> Clients {
        Clients {
            otpzap: engine.otpzap_client().cloned(),
            numberotp: engine.numberotp_client().cloned(),
            ooppay: engine.ooppay_client().cloned(),
            engine: Some(engine.clone()),
        }
    }

    /// One call to `provider`, after a token from its key's rate budget (see [`Engine::read`]).
    pub async fn read<T>(
        &self,
        provider: ProviderId,
        call: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        match &self.engine {
            Some(e) => e.read(provider, call).await,
            None => call.await,
        }
    }

    pub fn has(&self, provider: ProviderId) -> bool {
        match provider {
            ProviderId::Otpzap => self.otpzap.is_some(),
            ProviderId::Numberotp => self.numberotp.is_some(),
            ProviderId::Ooppay => self.ooppay.is_some(),
        }
    }
}

pub struct Session {
    pub mode: AppMode,
    pub engine: Engine,
    pub clients: Clients,
    /// Base URL of each provider this session talks to (where payment pages may live).
    pub urls: HashMap<ProviderId, String>,
    pub balances: Arc<BalanceWatch>,
    forwarder: JoinHandle<()>,
    /// Demo mode: the simulator serving this session, stopped on close.
    sim: tokio::sync::Mutex<Option<SimHandle>>,
}

/// What a session is opened with.
pub struct SessionSpec<'a> {
    pub mode: AppMode,
    pub data_dir: &'a Path,
    pub endpoints: Vec<Endpoint>,
    pub poll_budget_per_minute: u32,
    pub sim: Option<SimHandle>,
}

impl Session {
    pub async fn open(
        spec: SessionSpec<'_>,
        shell: Arc<dyn Shell>,
        settings: Arc<SettingsStore>,
    ) -> AppResult<Session> {
        std::fs::create_dir_all(spec.data_dir).map_err(|e| {
            AppError::internal(format!("Cannot create {}: {e}", spec.data_dir.display()))
        })?;
        let urls = spec
            .endpoints
            .iter()
            .map(|e| (e.provider, e.base_url.clone()))
            .collect();
        let balances = Arc::new(BalanceWatch::default());
        let budget = Budget::per_minute(f64::from(spec.poll_budget_per_minute));
        let mut cfg = EngineConfig::new(spec.data_dir);
        for e in spec.endpoints {
            cfg = cfg
                .provider(ProviderConfig::new(e.provider, e.base_url, e.key).with_budget(budget));
        }
        let engine = Engine::open(cfg).await?;
        let clients = Clients::of(&engine);
        let forwarder = events::forward(events::Forward {
            engine: engine.clone(),
            clients: clients.clone(),
            balances: balances.clone(),
            shell,
            settings,
            demo: spec.mode == AppMode::Demo,
        });
        Ok(Session {
            mode: spec.mode,
            engine,
            clients,
            urls,
            balances,
            forwarder,
            sim: tokio::sync::Mutex::new(spec.sim),
        })
    }

    /// Demo mode: the simulator's control API (to play the payer of a top-up).
    pub async fn sim_control(&self) -> Option<otpdesk_sim::control::SimControl> {
        self.sim.lock().await.as_ref().map(|s| s.control())
    }

    /// Stop tracking and, in demo mode, the simulator. The store is always consistent.
    pub async fn close(&self) {
        self.engine.shutdown().await;
        self.forwarder.abort();
        if let Some(sim) = self.sim.lock().await.take() {
            sim.shutdown().await;
        }
    }
}
