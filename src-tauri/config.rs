//! What the environment may override, so tests can isolate the app: the data directory, the
//! keyring service name and the providers' base URLs (same variable names as the CLI). Overridden
//! addresses pass the same checks as the ones typed in Settings ([`ProviderUrl`]).

use crate::address::ProviderUrl;
use crate::error::AppError;
use otpdesk_core::ProviderId;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "OTPDESK_DATA_DIR";
pub const KEYRING_SERVICE_ENV: &str = "OTPDESK_KEYRING_SERVICE";
/// `OTPDESK_DEMO=1` (or the `--demo` argument): start in demo mode when no API key is saved.
pub const DEMO_ENV: &str = "OTPDESK_DEMO";

/// Overrides read once at start.
#[derive(Debug, Clone, Default)]
pub struct AppEnv {
    pub data_dir: Option<PathBuf>,
    pub keyring_service: Option<String>,
    pub urls: BTreeMap<ProviderId, String>,
    /// Open the demo at start when no key is saved (`scripts/start.sh` asks for this).
    pub demo_without_keys: bool,
}

impl AppEnv {
    pub fn from_env() -> AppEnv {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        AppEnv {
            data_dir: var(DATA_DIR_ENV).map(PathBuf::from),
            keyring_service: var(KEYRING_SERVICE_ENV),
            urls: ProviderId::ALL
                .into_iter()
                .filter_map(|p| var(p.url_env()).map(|u| (p, u)))
                .collect(),
            demo_without_keys: var(DEMO_ENV).is_some_and(|v| v != "0")
                || std::env::args().any(|a| a == "--demo"),
        }
    }

    pub fn keyring_service(&self) -> String {
        self.keyring_service
            .clone()
            .unwrap_or_else(|| otpdesk_secrets::DEFAULT_SERVICE.to_string())
    }

    /// Environment first (tests), then the user's advanced setting, then the documented URL.
    /// An address that fails the checks is an error (never a silent fall back to another one).
    pub fn base_url(
        &self,
        provider: ProviderId,
        setting: Option<&str>,
    ) -> Result<ProviderUrl, AppError> {
        if let Some(raw) = self.urls.get(&provider) {
            return ProviderUrl::parse(raw).map_err(|e| {
                let mut err = crate::address::refused(e, provider);
                err.message = format!("{} (from {})", err.message, provider.url_env());
                err
            });
        }
        let raw = setting
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(provider.default_base_url());
        crate::address::parse_for(provider, raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_beats_setting_beats_default() {
        let url = |env: &AppEnv, setting| {
            env.base_url(ProviderId::Otpzap, setting)
                .unwrap()
                .as_str()
                .to_string()
        };
        let mut env = AppEnv::default();
        assert_eq!(url(&env, None), "https://otpzap.com/api/v1");
        assert_eq!(url(&env, Some("  ")), "https://otpzap.com/api/v1");
        assert_eq!(
            url(&env, Some("https://a.example/v1/")),
            "https://a.example/v1"
        );
        env.urls
            .insert(ProviderId::Otpzap, "http://127.0.0.1:9/otpzap".into());
        assert_eq!(
            url(&env, Some("https://a.example/v1")),
            "http://127.0.0.1:9/otpzap"
        );
    }

    #[test]
    fn env_overrides_pass_the_same_checks() {
        let mut env = AppEnv::default();
        env.urls.insert(
            ProviderId::Numberotp,
            "http://localhost:x@evil.example/".into(),
        );
        let e = env.base_url(ProviderId::Numberotp, None).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::AddressCredentials);
        assert!(e.message.contains("OTPDESK_NUMBEROTP_URL"), "{}", e.message);
        env.urls
            .insert(ProviderId::Numberotp, "http://numberotp.example/v1".into());
        let e = env.base_url(ProviderId::Numberotp, None).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InsecureAddress);
    }
}
