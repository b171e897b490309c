//! Provider addresses (base URLs), parsed with the `url` crate before anything is sent there, and
//! the origin (scheme://host:port) an API key is bound to. Every place that accepts an address
//! (the app's settings, the app's and the CLI's environment overrides) goes through
//! [`ProviderUrl::parse`], so a key can only travel over https, or over plain http to this
//! computer, and never to a host hidden behind `user@`.

use crate::{ErrorCode, ProviderId};
use std::fmt;
use url::{Host, Url};

/// A provider's base URL that passed every check: `https://` (or `http://` to a loopback host),
/// no user name or password, no query, no fragment. Kept without a trailing `/`, as the provider
/// clients append their paths to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUrl {
    url: Url,
    text: String,
}

/// Why an address was refused. Each reason has its own error code, so the UI can say what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressError {
    /// Not an `http(s)://host…` address at all.
    NotAnAddress,
    /// `user:password@host`: the real host is after the `@`, whatever the start looks like.
    Credentials,
    /// `?…` or `#…`.
    QueryOrFragment,
    /// Plain `http://` to another machine: the key would cross the network in clear text.
    Insecure,
}

impl AddressError {
    /// The stable code of this refusal (the UI says what to fix).
    pub fn code(self) -> ErrorCode {
        match self {
            AddressError::NotAnAddress => ErrorCode::InvalidAddress,
            AddressError::Credentials => ErrorCode::AddressCredentials,
            AddressError::QueryOrFragment => ErrorCode::AddressQuery,
            AddressError::Insecure => ErrorCode::InsecureAddress,
        }
    }

    /// What is wrong with `provider`'s address, as an English sentence.
    pub fn sentence(self, provider: ProviderId) -> String {
        let p = provider.display_name();
        match self {
            AddressError::NotAnAddress => {
                format!("The {p} address must be a web address starting with https://.")
            }
            AddressError::Credentials => format!(
                "The {p} address must not contain a user name or password (text before an @)."
            ),
            AddressError::QueryOrFragment => {
                format!("The {p} address must not contain ? or #.")
            }
            AddressError::Insecure => format!(
                "The {p} address must start with https:// (http:// only for this computer: 127.0.0.1, ::1, localhost)."
            ),
        }
    }
}

impl ProviderUrl {
    pub fn parse(raw: &str) -> Result<ProviderUrl, AddressError> {
        let raw = raw.trim();
        // Only the two schemes, written in full: `https:host` and other lenient forms are refused.
        let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(AddressError::NotAnAddress);
        }
        if raw.chars().any(char::is_whitespace) {
            return Err(AddressError::NotAnAddress);
        }
        let url = Url::parse(raw).map_err(|_| AddressError::NotAnAddress)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(AddressError::Credentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(AddressError::QueryOrFragment);
        }
        let host = url.host().ok_or(AddressError::NotAnAddress)?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => return Err(AddressError::Insecure),
            _ => return Err(AddressError::NotAnAddress),
        }
        let text = url.as_str().trim_end_matches('/').to_string();
        Ok(ProviderUrl { url, text })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `scheme://host[:port]` (the port only when it is not the scheme's default): what a key is
    /// bound to.
    pub fn origin(&self) -> String {
        self.url.origin().ascii_serialization()
    }
}

impl fmt::Display for ProviderUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether a key bound to `bound` may be sent to `origin`: the same origin, or two of the
/// provider's official origins (NumberOTP's documented `numberotp.com` and the
/// `api.numberotp.com` its API really answers on are one pair).
pub fn same_key_origin(provider: ProviderId, bound: &str, origin: &str) -> bool {
    let (bound, origin) = (bound.trim(), origin.trim());
    if bound == origin {
        return true;
    }
    let official = provider.official_origins();
    official.contains(&bound) && official.contains(&origin)
}

/// This computer: `localhost`, `127.0.0.0/8`, `::1`.
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> AddressError {
        ProviderUrl::parse(raw).expect_err(raw)
    }

    #[test]
    fn https_anywhere_is_accepted_and_normalised() {
        let u = ProviderUrl::parse(" https://otpzap.com/api/v1/ ").unwrap();
        assert_eq!(u.as_str(), "https://otpzap.com/api/v1");
        assert_eq!(u.origin(), "https://otpzap.com");
        let u = ProviderUrl::parse("HTTPS://OTPZap.com:443").unwrap();
        assert_eq!(u.as_str(), "https://otpzap.com");
        assert_eq!(u.origin(), "https://otpzap.com");
        let u = ProviderUrl::parse("https://mirror.example:8443/numberotp").unwrap();
        assert_eq!(u.origin(), "https://mirror.example:8443");
    }

    #[test]
    fn numberotp_hosts_are_one_origin_for_its_key() {
        let p = ProviderId::Numberotp;
        let docs = ProviderUrl::parse(p.default_base_url()).unwrap().origin();
        let api = ProviderUrl::parse(p.fallback_base_url().unwrap())
            .unwrap()
            .origin();
        assert_eq!(api, "https://api.numberotp.com");
        assert!(same_key_origin(p, &docs, &api) && same_key_origin(p, &api, &docs));
        assert!(same_key_origin(
            p,
            "http://127.0.0.1:9",
            "http://127.0.0.1:9"
        ));
        assert!(!same_key_origin(
            p,
            &docs,
            "https://evil.numberotp.com.example"
        ));
        assert!(!same_key_origin(p, &docs, "http://api.numberotp.com"));
        assert!(!same_key_origin(ProviderId::Otpzap, &docs, &api));
    }

    #[test]
    fn plain_http_only_to_this_computer() {
        for (raw, origin) in [
            (
                "http://127.0.0.1:8080/otpzap/api/v1",
                "http://127.0.0.1:8080",
            ),
            ("http://localhost:1/x", "http://localhost:1"),
            ("http://[::1]:9000/", "http://[::1]:9000"),
            ("http://127.0.0.1/", "http://127.0.0.1"),
        ] {
            let u = ProviderUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert_eq!(u.origin(), origin, "{raw}");
        }
        for raw in [
            "http://otpzap.example/api",
            "http://10.0.0.5:8080/",
            "http://localhost.evil.example/",
            "http://[2001:db8::1]/",
            "http://0.0.0.0:8080/",
        ] {
            assert_eq!(refused(raw), AddressError::Insecure, "{raw}");
        }
    }

    #[test]
    fn user_info_is_refused_whatever_it_looks_like() {
        for raw in [
            "http://localhost:x@evil.example/",
            "http://127.0.0.1:8080@evil.example/api",
            "https://user:pass@otpzap.com/api/v1",
            "https://otpzap.com@evil.example/api/v1",
            "https://user@otpzap.com/",
            "https://:pw@otpzap.com/",
        ] {
            assert_eq!(refused(raw), AddressError::Credentials, "{raw}");
        }
    }

    #[test]
    fn query_and_fragment_are_refused() {
        for raw in [
            "https://otpzap.com/api?x=1",
            "https://otpzap.com/api?",
            "https://otpzap.com/api#top",
            "https://otpzap.com/#",
        ] {
            assert_eq!(refused(raw), AddressError::QueryOrFragment, "{raw}");
        }
    }

    #[test]
    fn other_schemes_and_non_addresses_are_refused() {
        for raw in [
            "ftp://otpzap.com/",
            "file:///etc/passwd",
            "https://",
            "otpzap.com",
            "https:otpzap.com",
            "https:/otpzap.com",
            "",
            "https://otp zap.com/",
            "https://otpzap.com/a b",
            "javascript:alert(1)",
        ] {
            assert_eq!(refused(raw), AddressError::NotAnAddress, "{raw}");
        }
    }
}
