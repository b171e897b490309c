//! What the environment may override, so tests can isolate the app: the data directory, the
//! keyring service name and the providers' base URLs (same variable names as the CLI).

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
    pub fn base_url(&self, provider: ProviderId, setting: Option<&str>) -> String {
        self.urls
            .get(&provider)
            .map(String::as_str)
            .or(setting.filter(|s| !s.trim().is_empty()))
            .unwrap_or(provider.default_base_url())
            .trim()
            .trim_end_matches('/')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_beats_setting_beats_default() {
        let mut env = AppEnv::default();
        assert_eq!(
            env.base_url(ProviderId::Otpzap, None),
            "https://otpzap.com/api/v1"
        );
        assert_eq!(
            env.base_url(ProviderId::Otpzap, Some("https://a.example/v1/")),
            "https://a.example/v1"
        );
        env.urls
            .insert(ProviderId::Otpzap, "http://127.0.0.1:9/otpzap".into());
        assert_eq!(
            env.base_url(ProviderId::Otpzap, Some("https://a.example/v1")),
            "http://127.0.0.1:9/otpzap"
        );
    }
}
