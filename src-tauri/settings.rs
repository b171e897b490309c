//! The user's settings: ONE typed struct, kept in the Tauri store plugin's JSON file under one key.
//! Secrets never go here (they live in the OS keyring only). Provider addresses are checked by
//! [`ProviderUrl`] before they are saved.

use crate::address::ProviderUrl;
use crate::error::{AppError, AppResult, ErrorCode};
use otpdesk_core::ProviderId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tauri::Runtime;

/// The key of the settings object in the store file.
pub const STORE_KEY: &str = "settings";
/// The store file, in the data directory.
pub const STORE_FILE: &str = "settings.json";

/// Highest poll budget we let users pick: OTPZap allows 300 requests a minute per key.
pub const MAX_POLL_BUDGET: u32 = 270;
pub const MIN_POLL_BUDGET: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    System,
    En,
    Id,
}

/// Provider base URLs; `null` means the documented one. Environment variables still win (tests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct BaseUrls {
    pub otpzap: Option<String>,
    pub numberotp: Option<String>,
    pub ooppay: Option<String>,
}

impl BaseUrls {
    pub fn get(&self, provider: ProviderId) -> Option<&str> {
        match provider {
            ProviderId::Otpzap => self.otpzap.as_deref(),
            ProviderId::Numberotp => self.numberotp.as_deref(),
            ProviderId::Ooppay => self.ooppay.as_deref(),
        }
    }

    fn slot(&mut self, provider: ProviderId) -> &mut Option<String> {
        match provider {
            ProviderId::Otpzap => &mut self.otpzap,
            ProviderId::Numberotp => &mut self.numberotp,
            ProviderId::Ooppay => &mut self.ooppay,
        }
    }

    /// Forget every address the checks refuse.
    fn drop_refused(&mut self) {
        for p in ProviderId::ALL {
            let slot = self.slot(p);
            if let Some(Err(e)) = slot
                .as_deref()
                .filter(|u| !u.trim().is_empty())
                .map(ProviderUrl::parse)
            {
                tracing::warn!(provider = %p, reason = ?e, "saved provider address refused; using the official one");
                *slot = None;
            }
        }
    }
}

/// Alert when a provider's balance drops below this many minor units (rupiah for OTPZap);
/// `null`: no alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LowBalanceThresholds {
    pub otpzap: Option<i64>,
    pub numberotp: Option<i64>,
    pub ooppay: Option<i64>,
}

impl LowBalanceThresholds {
    pub fn get(&self, provider: ProviderId) -> Option<i64> {
        match provider {
            ProviderId::Otpzap => self.otpzap,
            ProviderId::Numberotp => self.numberotp,
            ProviderId::Ooppay => self.ooppay,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Settings {
    /// A native notification when a code lands.
    pub notifications: bool,
    /// The notification plays the desktop's "new message" sound.
    pub sound: bool,
    /// Put each new code on the clipboard.
    pub auto_copy: bool,
    /// Requests per minute per provider key the background tracking may spend.
    pub poll_budget_per_minute: u32,
    /// Advanced: where each provider's API lives.
    pub base_urls: BaseUrls,
    pub language: Language,
    /// Per-provider low-balance alert (optional in what the UI sends: older UIs omit it).
    #[serde(default)]
    pub low_balance: LowBalanceThresholds,
    /// Start OTPDesk at login, into the tray (registered with the OS; off until the user opts
    /// in). At start it is read back from the OS, which is the truth.
    #[serde(default)]
    pub start_at_login: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            notifications: true,
            sound: true,
            auto_copy: false,
            poll_budget_per_minute: MAX_POLL_BUDGET,
            base_urls: BaseUrls::default(),
            language: Language::System,
            low_balance: LowBalanceThresholds::default(),
            start_at_login: false,
        }
    }
}

impl Settings {
    /// Refuse values that could hurt: a budget over the provider's limit, or a base URL that
    /// would send API keys in clear text to another machine or to a host hidden after `user@`.
    pub fn validate(&self) -> AppResult<()> {
        if !(MIN_POLL_BUDGET..=MAX_POLL_BUDGET).contains(&self.poll_budget_per_minute) {
            return Err(invalid(format!(
                "The poll budget must be between {MIN_POLL_BUDGET} and {MAX_POLL_BUDGET} requests a minute."
            )));
        }
        if ProviderId::ALL
            .iter()
            .any(|p| self.low_balance.get(*p).is_some_and(|t| t < 0))
        {
            return Err(invalid(
                "A low-balance alert needs an amount of zero or more.".into(),
            ));
        }
        for p in ProviderId::ALL {
            if let Some(url) = self.base_urls.get(p).filter(|u| !u.trim().is_empty()) {
                crate::address::parse_for(p, url)?;
            }
        }
        Ok(())
    }
}

fn invalid(message: String) -> AppError {
    AppError::new(ErrorCode::InvalidSettings, message)
}

/// Where the settings object is persisted. The app uses the Tauri store plugin; a test may use
/// anything.
pub trait SettingsBackend: Send + Sync {
    fn load(&self) -> Option<Value>;
    fn save(&self, value: Value) -> Result<(), String>;
}

impl<R: Runtime> SettingsBackend for Arc<tauri_plugin_store::Store<R>> {
    fn load(&self) -> Option<Value> {
        self.get(STORE_KEY)
    }

    fn save(&self, value: Value) -> Result<(), String> {
        self.set(STORE_KEY, value);
        tauri_plugin_store::Store::save(self).map_err(|e| e.to_string())
    }
}

/// Overlay `saved` on `base`, object by object.
fn merge(base: &mut Value, saved: Value) {
    match (base, saved) {
        (Value::Object(b), Value::Object(s)) => {
            for (k, v) in s {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Typed `get` / `update` over a backend, with the current value cached.
pub struct SettingsStore {
    backend: Box<dyn SettingsBackend>,
    current: Mutex<Settings>,
}

impl SettingsStore {
    /// Loads the saved settings over the defaults, so fields added in a later version (or
    /// missing from an older file) get their default; an unreadable file gives the defaults.
    /// A saved address that an older version accepted but the checks now refuse is dropped
    /// (the official one is used; a key bound to the old one must be entered again).
    pub fn new(backend: Box<dyn SettingsBackend>) -> SettingsStore {
        let current = backend
            .load()
            .and_then(|saved| {
                let mut merged = serde_json::to_value(Settings::default()).ok()?;
                merge(&mut merged, saved);
                let mut settings = serde_json::from_value::<Settings>(merged).ok()?;
                settings.base_urls.drop_refused();
                Some(settings)
            })
            .filter(|s| s.validate().is_ok())
            .unwrap_or_default();
        SettingsStore {
            backend,
            current: Mutex::new(current),
        }
    }

    pub fn get(&self) -> Settings {
        self.current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Apply `change` to a copy, validate, persist, then make it current.
    pub fn update(&self, change: impl FnOnce(&mut Settings)) -> AppResult<Settings> {
        let mut guard = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let mut next = guard.clone();
        change(&mut next);
        next.validate()?;
        let value = serde_json::to_value(&next).map_err(|e| AppError::internal(e.to_string()))?;
        self.backend
            .save(value)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("Saving settings: {e}")))?;
        *guard = next.clone();
        Ok(next)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// In-memory backend for tests.
    #[derive(Default)]
    pub struct MemoryBackend(pub Mutex<Option<Value>>);

    impl SettingsBackend for MemoryBackend {
        fn load(&self) -> Option<Value> {
            self.0.lock().unwrap().clone()
        }
        fn save(&self, value: Value) -> Result<(), String> {
            *self.0.lock().unwrap() = Some(value);
            Ok(())
        }
    }

    #[test]
    fn partial_files_fill_in_defaults() {
        let saved =
            serde_json::json!({"auto_copy": true, "base_urls": {"ooppay": "https://o.example"}});
        let s = SettingsStore::new(Box::new(MemoryBackend(Mutex::new(Some(saved)))));
        assert!(s.get().auto_copy);
        assert!(s.get().notifications);
        assert_eq!(
            s.get().base_urls.ooppay.as_deref(),
            Some("https://o.example")
        );
        assert_eq!(s.get().poll_budget_per_minute, MAX_POLL_BUDGET);
    }

    #[test]
    fn refuses_unsafe_values_and_keeps_the_old_ones() {
        let s = SettingsStore::new(Box::<MemoryBackend>::default());
        let e = s.update(|s| s.poll_budget_per_minute = 1000).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSettings);
        for (bad, code) in [
            ("http://otpzap.example/api", ErrorCode::InsecureAddress),
            (
                "http://localhost:x@evil.example/",
                ErrorCode::AddressCredentials,
            ),
            (
                "https://user:pw@otpzap.com/api/v1",
                ErrorCode::AddressCredentials,
            ),
            ("https://otpzap.com/api/v1?k=1", ErrorCode::AddressQuery),
            ("ftp://x", ErrorCode::InvalidAddress),
            ("https://", ErrorCode::InvalidAddress),
            ("otpzap.com", ErrorCode::InvalidAddress),
        ] {
            let e = s
                .update(|s| s.base_urls.otpzap = Some(bad.into()))
                .unwrap_err();
            assert_eq!(e.code, code, "{bad}");
            assert_eq!(e.provider, Some(ProviderId::Otpzap), "{bad}");
        }
        assert_eq!(s.get(), Settings::default());
        for good in [
            "https://otpzap.com/api/v1",
            "http://127.0.0.1:8080/otpzap/api/v1",
            "http://localhost:1/x",
            "http://[::1]:8080/otpzap",
        ] {
            s.update(|s| s.base_urls.otpzap = Some(good.into()))
                .unwrap();
        }
    }

    #[test]
    fn a_saved_address_now_refused_is_dropped_and_the_rest_kept() {
        let saved = serde_json::json!({
            "auto_copy": true,
            "base_urls": {
                "otpzap": "http://localhost:x@evil.example/",
                "numberotp": "https://numberotp.example/v1",
                "ooppay": "https://api.ooppay.io/api/v1?x=1"
            }
        });
        let s = SettingsStore::new(Box::new(MemoryBackend(Mutex::new(Some(saved)))));
        let got = s.get();
        assert!(got.auto_copy);
        assert_eq!(got.base_urls.otpzap, None);
        assert_eq!(
            got.base_urls.numberotp.as_deref(),
            Some("https://numberotp.example/v1")
        );
        assert_eq!(got.base_urls.ooppay, None);
    }
}
