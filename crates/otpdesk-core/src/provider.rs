use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The providers OTPDesk talks to. The string form is stable: it is stored in SQLite and settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ProviderId {
    /// OTPZap: SMS numbers (Server 1, Server 2), email OTP (Server 3), QRIS top-ups. IDR.
    Otpzap,
    /// NumberOTP: SMS activations with a long-poll `/wait`.
    Numberotp,
    /// OOPPay: USDT-TRC20 payment orders.
    Ooppay,
}

impl ProviderId {
    pub const ALL: [ProviderId; 3] = [
        ProviderId::Otpzap,
        ProviderId::Numberotp,
        ProviderId::Ooppay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Otpzap => "otpzap",
            ProviderId::Numberotp => "numberotp",
            ProviderId::Ooppay => "ooppay",
        }
    }

    /// The currency its prices and balance are in: rupiah (OTPZap), US dollars (NumberOTP),
    /// USDT (OOPPay).
    pub fn currency(self) -> crate::Currency {
        match self {
            ProviderId::Otpzap => crate::Currency::Idr,
            ProviderId::Numberotp => crate::Currency::Usd,
            ProviderId::Ooppay => crate::Currency::Usdt,
        }
    }

    /// The provider's real base URL, from its docs (up to and including the API version).
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderId::Otpzap => "https://otpzap.com/api/v1",
            ProviderId::Numberotp => "https://numberotp.com/v1",
            ProviderId::Ooppay => "https://api.ooppay.io/api/v1",
        }
    }

    /// Where the API really answers when [`Self::default_base_url`] does not: NumberOTP's docs
    /// give `numberotp.com`, every real integration calls `api.numberotp.com`. The provider
    /// client probes the documented base and falls back to this one (key-less reads only).
    pub fn fallback_base_url(self) -> Option<&'static str> {
        match self {
            ProviderId::Numberotp => Some("https://api.numberotp.com/v1"),
            ProviderId::Otpzap | ProviderId::Ooppay => None,
        }
    }

    /// Origins that are one provider for an API key: a key bound to one may be sent to the
    /// others (the documented host and its fallback).
    pub fn official_origins(self) -> &'static [&'static str] {
        match self {
            ProviderId::Numberotp => &["https://numberotp.com", "https://api.numberotp.com"],
            ProviderId::Otpzap => &["https://otpzap.com"],
            ProviderId::Ooppay => &["https://api.ooppay.io"],
        }
    }

    /// Environment variable that overrides the base URL (CLI and app alike; tests use it).
    pub fn url_env(self) -> &'static str {
        match self {
            ProviderId::Otpzap => "OTPDESK_OTPZAP_URL",
            ProviderId::Numberotp => "OTPDESK_NUMBEROTP_URL",
            ProviderId::Ooppay => "OTPDESK_OOPPAY_URL",
        }
    }

    /// Environment variable the CLI reads an API key from before trying the keyring.
    pub fn key_env(self) -> &'static str {
        match self {
            ProviderId::Otpzap => "OTPDESK_OTPZAP_KEY",
            ProviderId::Numberotp => "OTPDESK_NUMBEROTP_KEY",
            ProviderId::Ooppay => "OTPDESK_OOPPAY_KEY",
        }
    }

    /// Name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            ProviderId::Otpzap => "OTPZap",
            ProviderId::Numberotp => "NumberOTP",
            ProviderId::Ooppay => "OOPPay",
        }
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {0:?} (expected otpzap, numberotp or ooppay)")]
pub struct UnknownProvider(pub String);

impl FromStr for ProviderId {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "otpzap" => Ok(ProviderId::Otpzap),
            "numberotp" => Ok(ProviderId::Numberotp),
            "ooppay" => Ok(ProviderId::Ooppay),
            other => Err(UnknownProvider(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_str_and_serde() {
        for p in ProviderId::ALL {
            assert_eq!(p.as_str().parse::<ProviderId>().unwrap(), p);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<ProviderId>(&json).unwrap(), p);
        }
        assert!("acme".parse::<ProviderId>().is_err());
    }

    #[test]
    fn fallbacks_are_official_origins() {
        for p in ProviderId::ALL {
            let origin = |u: &str| url::Url::parse(u).unwrap().origin().ascii_serialization();
            assert!(p
                .official_origins()
                .contains(&origin(p.default_base_url()).as_str()));
            if let Some(f) = p.fallback_base_url() {
                assert!(p.official_origins().contains(&origin(f).as_str()), "{p}");
            }
        }
        assert_eq!(
            ProviderId::Numberotp.fallback_base_url(),
            Some("https://api.numberotp.com/v1")
        );
    }
}
