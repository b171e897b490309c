//! A [`Session`]: one opened engine (which also reads the catalogs and balances), in real or
//! demo mode, and the forwarder of its events to the window system. Switching mode or changing a key closes the session and opens a new one
//! (the engine resumes every unfinished order on open).

pub mod forward;

use crate::balance_watch::BalanceWatch;
use crate::error::{AppError, AppResult};
use crate::events::AppMode;
use crate::settings::SettingsStore;
use crate::shell::Shell;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_engine::{Budget, Engine, EngineConfig, ProviderConfig};
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

pub struct Session {
    pub mode: AppMode,
    pub engine: Engine,
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
    /// Team mode: the team's order book on PostgreSQL (from the keyring), instead of the local one.
    pub team: Option<otpdesk_engine::db::PgConfig>,
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
        cfg.team = spec.team;
        for e in spec.endpoints {
            cfg = cfg
                .provider(ProviderConfig::new(e.provider, e.base_url, e.key).with_budget(budget));
        }
        let engine = Engine::open(cfg).await?;
        // Which NumberOTP host answers is settled now, not in the middle of the first purchase.
        let probe = engine.clone();
        tokio::spawn(async move { probe.resolve_base_urls().await });
        let forwarder = forward::forward(forward::Forward {
            engine: engine.clone(),
            balances: balances.clone(),
            shell,
            settings,
            demo: spec.mode == AppMode::Demo,
        });
        Ok(Session {
            mode: spec.mode,
            engine,
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
