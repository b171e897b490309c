//! "Share" links for a customer's message: WhatsApp (`https://wa.me/?text=…`) or Telegram
//! (`https://t.me/share/url?url=…&text=…`). Built here, never taken from the webview, and checked
//! before the opener sees them: https only, the host exactly wa.me or t.me, no user or port.

use crate::error::{AppError, AppResult, ErrorCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ShareApp {
    Whatsapp,
    Telegram,
}

/// Percent-encode everything but RFC 3986's unreserved characters (spaces as %20, which both
/// apps read; `+` would stay a plus in WhatsApp).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The share link of `message`; `number` (the phone or inbox) is Telegram's required `url`.
pub fn share_url(app: ShareApp, number: &str, message: &str) -> AppResult<url::Url> {
    let raw = match app {
        ShareApp::Whatsapp => format!("https://wa.me/?text={}", encode(message)),
        ShareApp::Telegram => format!(
            "https://t.me/share/url?url={}&text={}",
            encode(number),
            encode(message)
        ),
    };
    check(&raw)
}

/// Only an https link to wa.me or t.me passes.
pub fn check(raw: &str) -> AppResult<url::Url> {
    let refuse = || AppError::new(ErrorCode::NotAllowed, "This share link was not opened.");
    let u = url::Url::parse(raw).map_err(|_| refuse())?;
    let host_ok = matches!(u.host_str(), Some("wa.me") | Some("t.me"));
    if u.scheme() != "https"
        || !host_ok
        || u.port().is_some()
        || !u.username().is_empty()
        || u.password().is_some()
    {
        return Err(refuse());
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_whole_message_encoded() {
        let msg = "Nomor WhatsApp kamu: +6281234\nKodenya: 12 34 & ?=#";
        let wa = share_url(ShareApp::Whatsapp, "+6281234", msg).unwrap();
        assert_eq!(
            wa.as_str(),
            "https://wa.me/?text=Nomor%20WhatsApp%20kamu%3A%20%2B6281234%0AKodenya%3A%2012%2034%20%26%20%3F%3D%23"
        );
        let back: String = wa
            .query_pairs()
            .find(|(k, _)| k == "text")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        assert_eq!(back, msg);
        let tg = share_url(ShareApp::Telegram, "+6281234", "Kode: 1").unwrap();
        assert_eq!(
            tg.as_str(),
            "https://t.me/share/url?url=%2B6281234&text=Kode%3A%201"
        );
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn only_https_wa_me_and_t_me_pass() {
        for bad in [
            "http://wa.me/?text=a",
            "https://wa.me.evil.com/?text=a",
            "https://evil.com/wa.me",
            "https://user@wa.me/",
            "https://wa.me:8443/",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        assert!(check("https://t.me/share/url?url=x").is_ok());
    }
}
