//! Where the CLI's configuration comes from: base URLs and keys from the environment, keys
//! otherwise from the OS keyring (shared with the desktop app).

use crate::error::{CliError, ProviderResult};
use otpdesk_core::address::ProviderUrl;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_engine::db::PgConfig;
use otpdesk_engine::store::Store;
use otpdesk_engine::{Engine, EngineConfig, ProviderConfig};
use otpdesk_providers::{HttpOptions, NumberOtpClient, OopPayClient, OtpZapClient};
use otpdesk_secrets::{KeyFor, SecretStore};
use std::path::PathBuf;

pub struct Context {
    pub secrets: SecretStore,
    http: HttpOptions,
}

impl Context {
    pub fn from_env() -> Context {
        let service = std::env::var("OTPDESK_KEYRING_SERVICE")
            .unwrap_or_else(|_| otpdesk_secrets::DEFAULT_SERVICE.into());
        let mut http = HttpOptions::default();
        if let Some(secs) = std::env::var("OTPDESK_HTTP_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
        {
            http.request_timeout = std::time::Duration::from_secs(secs);
        }
        Context {
            secrets: SecretStore::new(service),
            http,
        }
    }

    /// The provider's address: `OTPDESK_*_URL`, else the documented one. Checked as the app
    /// checks its settings (https, or http to this computer; no `user@`, `?` or `#`).
    pub fn base_url(&self, provider: ProviderId) -> Result<ProviderUrl, CliError> {
        let raw = std::env::var(provider.url_env())
            .ok()
            .filter(|s| !s.trim().is_empty());
        match raw {
            Some(raw) => ProviderUrl::parse(&raw).map_err(|e| {
                CliError::Usage(format!(
                    "{} (from {})",
                    e.sentence(provider),
                    provider.url_env()
                ))
            }),
            None => ProviderUrl::parse(provider.default_base_url())
                .map_err(|e| CliError::Usage(e.sentence(provider))),
        }
    }

    /// `OTPDESK_DATA_DIR`, else the app's own data folder: one order book for the app and the
    /// CLI (orders bought in a terminal show up in the window). Any number of processes share it
    /// safely; one of them tracks each provider and all share its key's rate budget.
    pub fn data_dir(&self) -> PathBuf {
        match std::env::var("OTPDESK_DATA_DIR")
            .ok()
            .filter(|s| !s.trim().is_empty())
        {
            Some(d) => PathBuf::from(d),
            None => dirs::data_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join(otpdesk_core::APP_IDENTIFIER),
        }
    }

    /// Team mode: the team's order book on PostgreSQL, from `OTPDESK_STORE` (a `postgres://`
    /// URL or `host=… dbname=…` string) or else the team this computer joined (its connection
    /// string is kept in the keyring). `None`: the local order book.
    pub fn team(&self) -> Result<Option<PgConfig>, CliError> {
        let raw = match std::env::var("OTPDESK_STORE")
            .ok()
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => Some(s),
            // No keyring here (a bare session, keys from the environment): no team was saved
            // on this computer, so the local order book is the one.
            None => match self.secrets.team_store() {
                Ok(saved) => saved,
                Err(otpdesk_secrets::SecretError::Unavailable(_)) => None,
                Err(e) => return Err(e.into()),
            },
        };
        match raw {
            None => Ok(None),
            Some(s) => PgConfig::parse(&s)
                .map(Some)
                // The string may hold a password: the error names the setting, not the value.
                .map_err(|_| {
                    CliError::Usage(
                        "the team's connection string is not valid (OTPDESK_STORE or the saved team)"
                            .into(),
                    )
                }),
        }
    }

    /// The order store alone, for listings (no tracking starts). `None` before the first order.
    pub fn store(&self) -> Result<Option<Store>, CliError> {
        if let Some(team) = self.team()? {
            return Store::open_pg(&team).map(Some).map_err(CliError::Engine);
        }
        let dir = self.data_dir();
        if !dir.join(otpdesk_engine::store::DB_FILE).exists() {
            return Ok(None);
        }
        Store::open(&dir).map(Some).map_err(CliError::Engine)
    }

    /// The engine with every provider that has a key; `needs` must be one of them. Opening it
    /// resumes tracking of whatever the store holds unfinished.
    /// In team mode a computer without `needs`'s key still opens it: its purchases and order
    /// actions go to the desktop that holds the key, as requests (the engine's `requests`).
    pub async fn engine(&self, needs: ProviderId) -> Result<Engine, CliError> {
        let cfg = self.with_keys(EngineConfig::new(self.data_dir()))?;
        if cfg.team.is_none() {
            self.key(needs)?;
        }
        Ok(Engine::open(cfg).await?)
    }

    /// `cfg` with every provider that has a key.
    pub fn with_keys(&self, mut cfg: EngineConfig) -> Result<EngineConfig, CliError> {
        cfg.team = self.team()?;
        for p in ProviderId::ALL {
            if let Ok(key) = self.key(p) {
                cfg = cfg.provider(
                    ProviderConfig::new(p, self.base_url(p)?.as_str(), key)
                        .with_http(self.http.clone()),
                );
            }
        }
        Ok(cfg)
    }

    /// The engine for reading `provider`'s catalog: with every key there is, and for NumberOTP,
    /// whose catalog is public, also without one (then it only reads).
    pub async fn catalog_engine(&self, provider: ProviderId) -> Result<Engine, CliError> {
        if provider != ProviderId::Numberotp || self.key(provider).is_ok() {
            return self.engine(provider).await;
        }
        let public = EngineConfig::new(self.data_dir()).provider(
            ProviderConfig::catalog_only(provider, self.base_url(provider)?.as_str())
                .with_http(self.http.clone()),
        );
        Ok(Engine::open(self.with_keys(public)?).await?)
    }

    /// The key from the environment, else from the keyring, but only for the address it was
    /// checked against: a saved key is never sent to another origin. A key saved without one
    /// (older versions) is bound to the current address, as the app does on its first start.
    pub fn key(&self, provider: ProviderId) -> Result<ApiKey, CliError> {
        if let Some(key) = std::env::var(provider.key_env()).ok().and_then(ApiKey::new) {
            return Ok(key);
        }
        let origin = self.base_url(provider)?.origin();
        let no_key = || CliError::NoKey {
            provider,
            env: provider.key_env(),
        };
        match self.secrets.api_key_for(provider, &origin) {
            Ok(KeyFor::Bound(key)) => Ok(key),
            Ok(KeyFor::Unbound(key)) => {
                self.secrets.bind_api_key(provider, &origin)?;
                Ok(key)
            }
            Ok(KeyFor::OtherOrigin { bound_to }) => Err(CliError::Usage(format!(
                "The saved {} key belongs to {bound_to}, not {origin}: it is not sent there. Save a key for this address with `otpdesk keys set {}`, or unset {}.",
                provider.display_name(),
                provider.as_str(),
                provider.url_env()
            ))),
            // No keyring (e.g. a bare server) is the same, for the user, as no key saved.
            Ok(KeyFor::Missing) | Err(otpdesk_secrets::SecretError::Unavailable(_)) => {
                Err(no_key())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A bare client, for orders bought elsewhere (not in this order book): asked directly.
    pub fn otpzap(&self) -> Result<OtpZapClient, CliError> {
        let p = ProviderId::Otpzap;
        OtpZapClient::new(self.base_url(p)?.as_str(), self.key(p)?, self.http.clone()).of(p)
    }

    pub fn numberotp(&self) -> Result<NumberOtpClient, CliError> {
        let p = ProviderId::Numberotp;
        NumberOtpClient::new(self.base_url(p)?.as_str(), self.key(p)?, self.http.clone()).of(p)
    }

    pub fn ooppay(&self) -> Result<OopPayClient, CliError> {
        let p = ProviderId::Ooppay;
        OopPayClient::new(self.base_url(p)?.as_str(), self.key(p)?, self.http.clone()).of(p)
    }
}
