//! Secrets in the OS keyring, and nowhere else.
//!
//! Entries live under one service name (the app identifier) with one account per secret:
//! `otpzap.api_key`, `ooppay.webhook_secret`, ... Callers get an [`ApiKey`] (which redacts itself)
//! or a yes/no: there is deliberately no way to list or export secrets.

use otpdesk_core::{ApiKey, ProviderId};

/// The keyring service name of the desktop app and the CLI (they share keys).
pub const DEFAULT_SERVICE: &str = "com.otpdesk.app";

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

    pub fn set(&self, name: SecretName, value: &ApiKey) -> Result<(), SecretError> {
        if value.expose().is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(self.entry(name)?.set_password(value.expose())?)
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

    /// Remove the secret; clearing one that is not set is not an error.
    pub fn clear(&self, name: SecretName) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
