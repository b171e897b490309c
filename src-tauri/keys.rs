//! API keys: checked against the provider before they are saved, then kept in the OS keyring
//! only, bound to the origin (scheme://host:port) they were checked against. A key is used only
//! while its provider's address has that origin. The UI learns whether a key is usable, never
//! the key.

use crate::address::ProviderUrl;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::AppMode;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_providers::ProviderError;
use otpdesk_secrets::{KeyFor, SecretName, SecretStore};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// Saved in the OS keyring, for the provider's current address.
    Keyring,
    /// The simulator's demo key (demo mode).
    Demo,
    /// A key is saved, but it was checked against another address than the current one: it is
    /// not used, and must be entered again for the new address.
    OtherAddress,
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

/// Each provider's current origin; `None` when its address is refused (no key goes there).
pub type Origins = Vec<(ProviderId, Option<String>)>;

/// The current origin of every provider, from its effective address.
pub fn origins(base_url: impl Fn(ProviderId) -> AppResult<ProviderUrl>) -> Origins {
    ProviderId::ALL
        .into_iter()
        .map(|p| (p, base_url(p).ok().map(|u| u.origin())))
        .collect()
}

/// Which keys can be used at the current addresses. In demo mode the keyring is not even read.
pub async fn status(
    secrets: &SecretStore,
    mode: AppMode,
    origins: Origins,
) -> AppResult<Vec<KeyStatus>> {
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
        origins
            .into_iter()
            .map(|(provider, origin)| {
                let source = match origin {
                    Some(origin) => match secrets.api_key_for(provider, &origin)? {
                        // An unbound key (saved before keys were bound) is bound to the current
                        // origin when the session opens.
                        KeyFor::Bound(_) | KeyFor::Unbound(_) => KeySource::Keyring,
                        KeyFor::OtherOrigin { .. } => KeySource::OtherAddress,
                        KeyFor::Missing => KeySource::None,
                    },
                    None if secrets.is_set(SecretName::api_key(provider))? => {
                        KeySource::OtherAddress
                    }
                    None => KeySource::None,
                };
                Ok(KeyStatus {
                    provider,
                    set: source == KeySource::Keyring,
                    source,
                })
            })
            .collect()
    })
    .await
}

/// The keys that may be sent to the current addresses. A key saved without an origin (before
/// keys were bound) is bound to the current one now: existing users keep their keys. A key
/// bound to another origin is left out (the provider counts as having no key). A keyring that
/// cannot be read counts as no key (the key screen shows the keyring's error).
pub async fn usable(secrets: &SecretStore, origins: Origins) -> Vec<(ProviderId, ApiKey)> {
    let secrets = secrets.clone();
    blocking(move || {
        Ok(origins
            .into_iter()
            .filter_map(|(p, origin)| {
                let origin = origin?;
                match secrets.api_key_for(p, &origin) {
                    Ok(KeyFor::Bound(key)) => Some((p, key)),
                    Ok(KeyFor::Unbound(key)) => {
                        match secrets.bind_api_key(p, &origin) {
                            Ok(()) => tracing::info!(provider = %p, %origin, "API key bound to the address in use"),
                            Err(e) => tracing::warn!(provider = %p, "keyring: could not record the key's origin: {e}"),
                        }
                        Some((p, key))
                    }
                    Ok(KeyFor::OtherOrigin { bound_to }) => {
                        tracing::warn!(provider = %p, %bound_to, current = %origin, "API key was checked against another address; not used until it is entered again");
                        None
                    }
                    Ok(KeyFor::Missing) => None,
                    Err(e) => {
                        tracing::warn!(provider = %p, "keyring: {e}");
                        None
                    }
                }
            })
            .collect())
    })
    .await
    .unwrap_or_default()
}

/// The providers whose key is usable now but would not be after moving to the `next` origins:
/// (provider, current origin, next origin). A key saved without an origin is bound to the current
/// one first, so it can never follow the address to the new host. A keyring that cannot be read
/// counts as holding a key (the user is asked rather than a key silently moved).
pub async fn lost_by(
    secrets: &SecretStore,
    current: Origins,
    next: Origins,
) -> Vec<(ProviderId, String, String)> {
    let changed: Vec<_> = current
        .into_iter()
        .zip(next)
        .filter_map(|((p, now), (_, then))| match (now, then) {
            (Some(now), Some(then)) if now != then => Some((p, now, then)),
            _ => None,
        })
        .collect();
    if changed.is_empty() {
        return changed;
    }
    let secrets = secrets.clone();
    let fallback = changed.clone();
    blocking(move || {
        Ok(changed
            .into_iter()
            .filter(|(p, now, _)| match secrets.api_key_for(*p, now) {
                Ok(KeyFor::Bound(_)) => true,
                Ok(KeyFor::Unbound(_)) => {
                    if let Err(e) = secrets.bind_api_key(*p, now) {
                        tracing::warn!(provider = %p, "keyring: could not record the key's origin: {e}");
                    }
                    true
                }
                Ok(KeyFor::OtherOrigin { .. } | KeyFor::Missing) => false,
                Err(e) => {
                    tracing::warn!(provider = %p, "keyring: {e}");
                    true
                }
            })
            .collect())
    })
    .await
    .unwrap_or(fallback)
}

/// Save `key`, bound to `origin` (the one it was just checked against).
pub async fn save(
    secrets: &SecretStore,
    provider: ProviderId,
    key: ApiKey,
    origin: String,
) -> AppResult<()> {
    let secrets = secrets.clone();
    blocking(move || Ok(secrets.set_api_key(provider, &key, &origin)?)).await
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

/// Ask the provider whether `key` works, with a call that costs nothing (the engine's
/// `check_key`): accepted, refused (401/403), or could not tell.
pub async fn validate(provider: ProviderId, base_url: &str, key: &ApiKey) -> AppResult<()> {
    let outcome = otpdesk_engine::check_key(provider, base_url, key).await;
    match outcome {
        Ok(()) => Ok(()),
        Err(ProviderError::Auth { .. }) => Err(AppError::new(
            ErrorCode::Auth,
            format!("{} did not accept this API key.", provider.display_name()),
        )
        .with_provider(provider)),
        Err(e) => Err(AppError::from(e).with_provider(provider)),
    }
}
