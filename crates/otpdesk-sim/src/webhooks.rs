//! Signed webhooks. Jobs are built (and signed) under the world lock, then sent by a background
//! worker so no request waits on a receiver. Every attempt is recorded for the control API.
//!
//! - OTPZap: `X-OTPZap-Signature: sha256=<hex hmac(raw body)>`, per-account config.
//! - NumberOTP: `x-numberotp-signature: sha256=<hex hmac(raw body)>`, global per account.
//! - OOPPay: `X-Signature: <hex hmac(order_id + merchant_order_id + status + timestamp)>` and
//!   `X-Timestamp: <unix seconds>`, to the order's `callback_url`.

use crate::clock::SimTime;
use crate::control::types::WebhookDelivery;
use crate::error::SimError;
use hmac::{Hmac, Mac};
use otpdesk_core::ProviderId;
use serde_json::Value;
use sha2::Sha256;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

pub const OTPZAP_EVENTS: &[&str] = &[
    "order.otp_received",
    "order.finished",
    "order.replaced",
    "order.cancelled",
    "order.expired",
    "topup.success",
    "topup.expired",
    "email.message_received",
];

#[derive(Debug, Clone)]
pub struct HookConfig {
    pub url: Option<String>,
    pub secret: String,
    pub events: Option<Vec<String>>,
    pub is_active: bool,
    pub updated_at: SimTime,
}

/// Webhook configs: per (provider, key), falling back to a per-provider default.
#[derive(Debug, Default)]
pub struct WebhookConfigs {
    by_key: HashMap<(ProviderId, String), HookConfig>,
    defaults: HashMap<ProviderId, HookConfig>,
}

impl WebhookConfigs {
    pub fn set(&mut self, provider: ProviderId, key: Option<&str>, config: HookConfig) {
        match key {
            Some(k) => {
                self.by_key.insert((provider, k.to_string()), config);
            }
            None => {
                self.defaults.insert(provider, config);
            }
        }
    }

    pub fn get(&self, provider: ProviderId, key: &str) -> Option<&HookConfig> {
        self.by_key
            .get(&(provider, key.to_string()))
            .or_else(|| self.defaults.get(&provider))
    }
}

#[derive(Debug, Clone)]
pub struct WebhookJob {
    pub provider: ProviderId,
    pub url: String,
    pub event: String,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
    pub signature: String,
    pub timestamp: Option<String>,
}

pub fn hmac_hex(secret: &str, data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// OTPZap event for `key`, if a webhook is configured, active and subscribed to `event`.
pub fn otpzap_job(
    cfgs: &WebhookConfigs,
    key: &str,
    event: &str,
    data: Value,
    now: SimTime,
) -> Option<WebhookJob> {
    let cfg = cfgs.get(ProviderId::Otpzap, key)?;
    let url = cfg.url.clone()?;
    if !cfg.is_active
        || cfg
            .events
            .as_ref()
            .is_some_and(|evs| !evs.iter().any(|e| e == event))
    {
        return None;
    }
    let body = serde_json::json!({"event": event, "data": data, "sent_at": otpdesk_core::time::format_wib(now)}).to_string();
    let signature = format!("sha256={}", hmac_hex(&cfg.secret, body.as_bytes()));
    Some(WebhookJob {
        provider: ProviderId::Otpzap,
        url,
        event: event.to_string(),
        headers: vec![("X-OTPZap-Signature", signature.clone())],
        body,
        signature,
        timestamp: None,
    })
}

pub fn numberotp_job(cfgs: &WebhookConfigs, key: &str, payload: Value) -> Option<WebhookJob> {
    let cfg = cfgs.get(ProviderId::Numberotp, key)?;
    let url = cfg.url.clone()?;
    if !cfg.is_active {
        return None;
    }
    let body = payload.to_string();
    let signature = format!("sha256={}", hmac_hex(&cfg.secret, body.as_bytes()));
    Some(WebhookJob {
        provider: ProviderId::Numberotp,
        url,
        event: "activation.received".to_string(),
        headers: vec![("x-numberotp-signature", signature.clone())],
        body,
        signature,
        timestamp: None,
    })
}

/// OOPPay status change. `callback_url` wins; without it the configured url (if any) is used.
pub fn ooppay_job(
    cfgs: &WebhookConfigs,
    key: &str,
    callback_url: Option<&str>,
    payload: Value,
    now: SimTime,
) -> Option<WebhookJob> {
    let cfg = cfgs.get(ProviderId::Ooppay, key)?;
    let url = callback_url
        .map(str::to_string)
        .or_else(|| cfg.url.clone())?;
    let field = |name: &str| {
        payload
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let timestamp = now.timestamp().to_string();
    let data = format!(
        "{}{}{}{}",
        field("order_id"),
        field("merchant_order_id"),
        field("status"),
        timestamp
    );
    let signature = hmac_hex(&cfg.secret, data.as_bytes());
    Some(WebhookJob {
        provider: ProviderId::Ooppay,
        url,
        event: format!("order.{}", field("status")),
        headers: vec![
            ("X-Signature", signature.clone()),
            ("X-Timestamp", timestamp.clone()),
        ],
        body: payload.to_string(),
        signature,
        timestamp: Some(timestamp),
    })
}

/// OTPZap's anti-SSRF rule for `PATCH /webhook/update`: HTTPS and a public host. With
/// `allow_insecure` (control API, for tests) http and loopback are accepted too.
pub fn validate_webhook_url(raw: &str, allow_insecure: bool) -> Result<(), SimError> {
    let bad = |m: &str| SimError::Validation {
        field: "url".into(),
        message: m.into(),
        value: None,
    };
    let url = url::Url::parse(raw).map_err(|_| bad("url is not a valid URL"))?;
    if allow_insecure {
        return match url.scheme() {
            "http" | "https" if url.host().is_some() => Ok(()),
            _ => Err(bad("url must be http(s)")),
        };
    }
    if url.scheme() != "https" {
        return Err(bad("url must use HTTPS"));
    }
    let private = match url.host() {
        None => true,
        Some(url::Host::Domain(d)) => {
            let d = d.to_ascii_lowercase();
            d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".local")
                || d.ends_with(".internal")
        }
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
    };
    if private {
        return Err(bad("url resolves to a private or loopback address"));
    }
    Ok(())
}

/// The resolving half of the anti-SSRF rule: a host name whose addresses include a private one is
/// refused. A name that does not resolve (the simulator may run offline) is let through; IP
/// literals are judged by [`validate_webhook_url`].
pub async fn resolves_publicly(raw: &str) -> Result<(), SimError> {
    let Ok(url) = url::Url::parse(raw) else {
        return Ok(());
    };
    let Some(url::Host::Domain(host)) = url.host() else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((host.to_string(), port));
    if let Ok(Ok(addrs)) = tokio::time::timeout(Duration::from_secs(2), lookup).await {
        for addr in addrs {
            if !is_public(addr.ip()) {
                return Err(SimError::Validation {
                    field: "url".into(),
                    message: "url resolves to a private or loopback address".into(),
                    value: None,
                });
            }
        }
    }
    Ok(())
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        // An IPv4-mapped address ("::ffff:127.0.0.1") is judged as the IPv4 address it maps.
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

pub type DeliveryLog = Arc<Mutex<Vec<WebhookDelivery>>>;

/// Send queued webhooks, each in its own task so a slow receiver does not hold up the rest.
pub async fn run_worker(mut rx: mpsc::UnboundedReceiver<WebhookJob>, log: DeliveryLog) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default();
    while let Some(job) = rx.recv().await {
        let client = client.clone();
        let log = log.clone();
        tokio::spawn(async move {
            let mut req = client
                .post(&job.url)
                .header("Content-Type", "application/json")
                .body(job.body.clone());
            for (name, value) in &job.headers {
                req = req.header(*name, value);
            }
            let (status, error) = match req.send().await {
                Ok(resp) => (Some(resp.status().as_u16()), None),
                Err(e) => (None, Some(e.to_string())),
            };
            let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
            let seq = log.len() as u64 + 1;
            log.push(WebhookDelivery {
                seq,
                provider: job.provider,
                url: job.url,
                event: job.event,
                body: job.body,
                signature: job.signature,
                timestamp: job.timestamp,
                status,
                error,
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anti_ssrf() {
        assert!(validate_webhook_url("https://example.com/hook", false).is_ok());
        for bad in [
            "http://example.com/h",
            "https://127.0.0.1/h",
            "https://10.1.2.3/h",
            "https://localhost/h",
            "https://[::1]/h",
            "https://[::ffff:127.0.0.1]/h",
            "https://[fe80::1]/h",
            "https://169.254.169.254/latest",
            "https://0.0.0.0/h",
            "nope",
        ] {
            assert!(validate_webhook_url(bad, false).is_err(), "{bad}");
        }
        assert!(validate_webhook_url("http://127.0.0.1:9000/h", true).is_ok());
    }

    #[test]
    fn hmac_matches_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
