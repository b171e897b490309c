//! API keys: checked against the provider before they are saved, then kept in the OS keyring
//! only. The UI learns whether a key is set, never the key.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::AppMode;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_providers::{
    HttpOptions, Id, NumberOtpClient, OopPayClient, OtpZapClient, ProviderError,
};
use otpdesk_secrets::{SecretName, SecretStore};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum KeySource {
    /// Saved in the OS keyring.
    Keyring,
    /// The simulator's demo key (demo mode).
    Demo,
    /// Not set.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct KeyStatus {
    pub provider: ProviderId,
    pub set: bool,
    pub source: KeySource,
}

/// Every key as not set (when the keyring cannot be read).
pub fn none_set() -> Vec<KeyStatus> {
    ProviderId::ALL
        .into_iter()
        .map(|provider| KeyStatus {
            provider,
            set: false,
            source: KeySource::None,
        })
        .collect()
}

/// Which keys are set. In demo mode the keyring is not even read.
pub async fn status(secrets: &SecretStore, mode: AppMode) -> AppResult<Vec<KeyStatus>> {
    if mode == AppMode::Demo {
        return Ok(ProviderId::ALL
            .into_iter()
            .map(|provider| KeyStatus {
                provider,
                set: true,
                source: KeySource::Demo,
            })
            .collect());
    }
    let secrets = secrets.clone();
    blocking(move || {
        ProviderId::ALL
            .into_iter()
            .map(|provider| {
                let set = secrets.is_set(SecretName::api_key(provider))?;
                let source = if set {
                    KeySource::Keyring
                } else {
                    KeySource::None
                };
                Ok(KeyStatus {
                    provider,
                    set,
                    source,
                })
            })
            .collect()
    })
    .await
}

pub async fn save(secrets: &SecretStore, provider: ProviderId, key: ApiKey) -> AppResult<()> {
    let secrets = secrets.clone();
    blocking(move || Ok(secrets.set(SecretName::api_key(provider), &key)?)).await
}

pub async fn clear(secrets: &SecretStore, provider: ProviderId) -> AppResult<()> {
    let secrets = secrets.clone();
    blocking(move || Ok(secrets.clear(SecretName::api_key(provider))?)).await
}

/// The keyring speaks D-Bus synchronously: keep it off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("keyring task: {e}")))?
}

/// Ask the provider whether `key` works, with a call that costs nothing:
/// OTPZap the balance; NumberOTP and OOPPay a lookup of an order that cannot exist, where
/// "not found" proves the key was accepted and 401/403 that it was not.
pub async fn validate(provider: ProviderId, base_url: &str, key: &ApiKey) -> AppResult<()> {
    let http = HttpOptions::default();
    let probe = format!("otpdesk-key-check-{}", uuid::Uuid::new_v4().simple());
    let outcome = match provider {
        ProviderId::Otpzap => match OtpZapClient::new(base_url, key.clone(), http) {
            Ok(c) => c.balance().await.map(|_| ()),
            Err(e) => Err(e),
        },
        ProviderId::Numberotp => match NumberOtpClient::new(base_url, key.clone(), http) {
            Ok(c) => c.activation(&Id::new(probe)).await.map(|_| ()),
            Err(e) => Err(e),
        },
        ProviderId::Ooppay => match OopPayClient::new(base_url, key.clone(), http) {
            Ok(c) => c.order(&probe).await.map(|_| ()),
            Err(e) => Err(e),
        },
    };
    match outcome {
        Ok(()) | Err(ProviderError::NotFound { .. }) => Ok(()),
        Err(ProviderError::Auth { .. }) => Err(AppError::new(
            ErrorCode::Auth,
            format!("{} did not accept this API key.", provider.display_name()),
        )
        .with_provider(provider)),
        Err(e) => Err(AppError::from(e).with_provider(provider)),
    }
}
