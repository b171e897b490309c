//! Where the CLI's configuration comes from: base URLs and keys from the environment, keys
//! otherwise from the OS keyring (shared with the desktop app).

use crate::error::{CliError, ProviderResult};
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_engine::store::Store;
use otpdesk_engine::{Engine, EngineConfig, ProviderConfig};
use otpdesk_providers::{HttpOptions, NumberOtpClient, OopPayClient, OtpZapClient};
use otpdesk_secrets::{SecretName, SecretStore};
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

    pub fn base_url(&self, provider: ProviderId) -> String {
        std::env::var(provider.url_env())
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| provider.default_base_url().to_string())
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
                .join("com.otpdesk.app"),
        }
    }

    /// The order store alone, for listings (no tracking starts). `None` before the first order.
    pub fn store(&self) -> Result<Option<Store>, CliError> {
        let dir = self.data_dir();
        if !dir.join(otpdesk_engine::store::DB_FILE).exists() {
            return Ok(None);
        }
        Store::open(&dir)
            .map(Some)
            .map_err(CliError::Engine)
    }

    /// The engine with every provider that has a key; `needs` must be one of them. Opening it
    /// resumes tracking of whatever the store holds unfinished.
    pub async fn engine(&self, needs: ProviderId) -> Result<Engine, CliError> {
        self.key(needs)?;
        let mut cfg = EngineConfig::new(self.data_dir());
        for p in ProviderId::ALL {
            if let Ok(key) = self.key(p) {
                cfg = cfg.provider(
                    ProviderConfig::new(p, self.base_url(p), key).with_http(self.http.clone()),
                );
            }
        }
        Ok(Engine::open(cfg).await?)
    }

    /// The key from the environment, else from the keyring.
    pub fn key(&self, provider: ProviderId) -> Result<ApiKey, CliError> {
        if let Some(key) = std::env::var(provider.key_env()).ok().and_then(ApiKey::new) {
            return Ok(key);
        }
        match self.secrets.get(SecretName::api_key(provider)) {
            Ok(Some(key)) => Ok(key),
            // No keyring (e.g. a bare server) is the same, for the user, as no key saved.
            Ok(None) | Err(otpdesk_secrets::SecretError::Unavailable(_)) => Err(CliError::NoKey {
                provider,
                env: provider.key_env(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    pub fn otpzap(&self) -> Result<OtpZapClient, CliError> {
        let p = ProviderId::Otpzap;
        OtpZapClient::new(&self.base_url(p), self.key(p)?, self.http.clone()).of(p)
    }

    pub fn numberotp(&self) -> Result<NumberOtpClient, CliError> {
        let p = ProviderId::Numberotp;
        NumberOtpClient::new(&self.base_url(p), self.key(p)?, self.http.clone()).of(p)
    }

    /// NumberOTP's public catalog needs no key; use the saved one when there is one.
    pub fn numberotp_public(&self) -> Result<NumberOtpClient, CliError> {
        let p = ProviderId::Numberotp;
        let key = self
            .key(p)
            .or_else(|_| ApiKey::new("public").ok_or(CliError::Usage(String::new())))?;
        NumberOtpClient::new(&self.base_url(p), key, self.http.clone()).of(p)
    }

    pub fn ooppay(&self) -> Result<OopPayClient, CliError> {
        let p = ProviderId::Ooppay;
        OopPayClient::new(&self.base_url(p), self.key(p)?, self.http.clone()).of(p)
    }
}
