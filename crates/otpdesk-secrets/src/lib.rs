//! Secrets in the OS keyring, and nowhere else.
//!
//! Entries live under one service name (the app identifier) with one account per secret:
//! `otpzap.api_key`, `ooppay.webhook_secret`, ... Callers get an [`ApiKey`] (which redacts itself)
//! or a yes/no: there is deliberately no way to list or export secrets.
//!
//! An API key is bound to the origin (`scheme://host:port`) it was checked against. The origin is
//! not secret; it is kept beside the key as its own entry (`otpzap.api_key.origin`), so the key's
//! value is never mixed with anything, and [`SecretStore::api_key_for`] hands a key out only for
//! the origin it is bound to.

use otpdesk_core::address::same_key_origin;
use otpdesk_core::{ApiKey, ProviderId};

/// The keyring service name of the desktop app and the CLI (they share keys): the app identifier.
pub const DEFAULT_SERVICE: &str = otpdesk_core::APP_IDENTIFIER;

/// Which secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    ApiKey,
    WebhookSecret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretName {
    pub provider: ProviderId,
    pub kind: SecretKind,
}

impl SecretName {
    pub fn api_key(provider: ProviderId) -> SecretName {
        SecretName {
            provider,
            kind: SecretKind::ApiKey,
        }
    }

    pub fn webhook_secret(provider: ProviderId) -> SecretName {
        SecretName {
            provider,
            kind: SecretKind::WebhookSecret,
        }
    }

    fn account(self) -> String {
        let kind = match self.kind {
            SecretKind::ApiKey => "api_key",
            SecretKind::WebhookSecret => "webhook_secret",
        };
        format!("{}.{kind}", self.provider.as_str())
    }

    /// The entry holding the origin an API key is bound to.
    fn origin_account(self) -> Option<String> {
        (self.kind == SecretKind::ApiKey).then(|| format!("{}.origin", self.account()))
    }
}

/// A provider's API key as seen from one origin (see [`SecretStore::api_key_for`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFor {
    /// Bound to this origin: use it.
    Bound(ApiKey),
    /// Saved without an origin (by an older version, or by a tool that does not record one).
    /// The caller decides whether to bind it ([`SecretStore::bind_api_key`]).
    Unbound(ApiKey),
    /// Bound to another origin: must not be sent here. The key itself is not handed out.
    OtherOrigin { bound_to: String },
    /// No key saved.
    Missing,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No keyring service answered or it is locked (e.g. no Secret Service in a bare Linux session).
    #[error("the system keyring is not available ({0}); unlock it or install a Secret Service such as gnome-keyring")]
    Unavailable(String),
    /// The keyring answered with an error.
    #[error("the system keyring refused the request ({0})")]
    Keyring(String),
    #[error("an empty key cannot be saved")]
    Empty,
}

impl From<keyring::Error> for SecretError {
    fn from(e: keyring::Error) -> Self {
        // keyring's messages describe the platform failure, never the secret itself.
        match e {
            keyring::Error::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
            keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
            other => SecretError::Keyring(other.to_string()),
        }
    }
}

/// The keyring entry of the team's connection string.
const TEAM_ACCOUNT: &str = "team.connection";

/// The keyring, scoped to one service name.
#[derive(Debug, Clone)]
pub struct SecretStore {
    service: String,
}

impl Default for SecretStore {
    fn default() -> Self {
        SecretStore::new(DEFAULT_SERVICE)
    }
}

impl SecretStore {
    pub fn new(service: impl Into<String>) -> SecretStore {
        SecretStore {
            service: service.into(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: SecretName) -> Result<keyring::Entry, SecretError> {
        Ok(keyring::Entry::new(&self.service, &name.account())?)
    }

    /// Save a secret. For an API key, the origin it was bound to is forgotten (it described the
    /// key being replaced): prefer [`SecretStore::set_api_key`], which records the new one.
    pub fn set(&self, name: SecretName, value: &ApiKey) -> Result<(), SecretError> {
        if value.expose().is_empty() {
            return Err(SecretError::Empty);
        }
        self.clear_origin(name)?;
        Ok(self.entry(name)?.set_password(value.expose())?)
    }

    /// Save `provider`'s API key, bound to `origin` (the one it was just checked against).
    pub fn set_api_key(
        &self,
        provider: ProviderId,
        key: &ApiKey,
        origin: &str,
    ) -> Result<(), SecretError> {
        let name = SecretName::api_key(provider);
        self.set(name, key)?;
        self.bind_api_key(provider, origin)
    }

    /// Record that the saved key of `provider` belongs to `origin`.
    pub fn bind_api_key(&self, provider: ProviderId, origin: &str) -> Result<(), SecretError> {
        if origin.trim().is_empty() {
            return Err(SecretError::Keyring(
                "an empty origin cannot be recorded".into(),
            ));
        }
        let account = SecretName::api_key(provider)
            .origin_account()
            .expect("API keys have an origin entry");
        Ok(keyring::Entry::new(&self.service, &account)?.set_password(origin)?)
    }

    /// The origin `provider`'s key is bound to, when one was recorded.
    pub fn api_key_origin(&self, provider: ProviderId) -> Result<Option<String>, SecretError> {
        let account = SecretName::api_key(provider)
            .origin_account()
            .expect("API keys have an origin entry");
        match keyring::Entry::new(&self.service, &account)?.get_password() {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v)),
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// `provider`'s key if it may be sent to `origin`; a key bound elsewhere is not returned. The
    /// provider's official origins count as one (NumberOTP's `numberotp.com` and
    /// `api.numberotp.com`, see [`same_key_origin`]).
    pub fn api_key_for(&self, provider: ProviderId, origin: &str) -> Result<KeyFor, SecretError> {
        let Some(key) = self.get(SecretName::api_key(provider))? else {
            return Ok(KeyFor::Missing);
        };
        Ok(match self.api_key_origin(provider)? {
            None => KeyFor::Unbound(key),
            Some(bound) if same_key_origin(provider, &bound, origin) => KeyFor::Bound(key),
            Some(bound_to) => KeyFor::OtherOrigin { bound_to },
        })
    }

    fn clear_origin(&self, name: SecretName) -> Result<(), SecretError> {
        let Some(account) = name.origin_account() else {
            return Ok(());
        };
        match keyring::Entry::new(&self.service, &account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The secret, or `None` when it was never set (or was cleared).
    pub fn get(&self, name: SecretName) -> Result<Option<ApiKey>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(ApiKey::new(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn is_set(&self, name: SecretName) -> Result<bool, SecretError> {
        Ok(self.get(name)?.is_some())
    }

    /// Team mode: save the connection string of the team's order book (it holds the database
    /// password, so it lives here and nowhere else).
    pub fn set_team_store(&self, connection: &str) -> Result<(), SecretError> {
        if connection.trim().is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(keyring::Entry::new(&self.service, TEAM_ACCOUNT)?.set_password(connection)?)
    }

    /// The saved team's connection string, if this computer joined one.
    pub fn team_store(&self) -> Result<Option<String>, SecretError> {
        match keyring::Entry::new(&self.service, TEAM_ACCOUNT)?.get_password() {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v)),
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Leave the team: forget its connection string (the local order book is used again).
    pub fn clear_team_store(&self) -> Result<(), SecretError> {
        match keyring::Entry::new(&self.service, TEAM_ACCOUNT)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Remove the secret (and, for an API key, the origin it was bound to); clearing one that is
    /// not set is not an error.
    pub fn clear(&self, name: SecretName) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(e.into()),
        }
        self.clear_origin(name)
    }
}
