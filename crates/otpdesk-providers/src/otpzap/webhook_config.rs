//! OTPZap webhook configuration: `GET /webhook/get`, `PATCH /webhook/update`.

use super::OtpZapClient;
use crate::error::ProviderError;
use crate::http::Call;
use crate::lenient::{Extra, Obj};
use otpdesk_core::{ApiKey, Timestamp};
use reqwest::Method;
use serde_json::{json, Map, Value};

/// Current configuration; the secret is never returned here.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    pub configured: bool,
    pub url: Option<String>,
    pub events: Vec<String>,
    pub is_active: bool,
    pub updated_at: Option<Timestamp>,
    pub extra: Extra,
}

/// Body of `PATCH /webhook/update`. `url` must be public HTTPS; a `secret` shorter than 16
/// characters (or none) makes OTPZap generate one.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookUpdate {
    pub url: String,
    pub events: Vec<String>,
    pub secret: Option<ApiKey>,
    pub is_active: Option<bool>,
}

impl WebhookUpdate {
    /// The request body. Contains the secret: never log it.
    fn to_json(&self) -> Value {
        let mut b = Map::new();
        b.insert("url".into(), json!(self.url));
        b.insert("events".into(), json!(self.events));
        if let Some(s) = &self.secret {
            b.insert("secret".into(), json!(s.expose()));
        }
        if let Some(a) = self.is_active {
            b.insert("is_active".into(), json!(a));
        }
        Value::Object(b)
    }
}

/// Reply of the update. `secret` is shown only this once: store it.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookUpdated {
    pub url: Option<String>,
    pub secret: Option<ApiKey>,
    pub events: Vec<String>,
    pub is_active: Option<bool>,
    pub note: Option<String>,
    pub extra: Extra,
}

impl OtpZapClient {
    /// `GET /webhook/get`.
    pub async fn webhook(&self) -> Result<WebhookConfig, ProviderError> {
        self.http
            .send(Call::get("/webhook/get"), decoders::config)
            .await
    }

    /// `PATCH /webhook/update`: `Validation` for a non-HTTPS/private URL or unknown event.
    pub async fn update_webhook(
        &self,
        update: &WebhookUpdate,
    ) -> Result<WebhookUpdated, ProviderError> {
        let call = Call::new(Method::PATCH, "/webhook/update").body(update.to_json());
        self.http.send(call, decoders::updated).await
    }
}

pub(crate) mod decoders {
    use super::*;

    pub fn config(v: &Value) -> Result<WebhookConfig, String> {
        let mut o = Obj::new(v, "webhook config")?;
        let url = o.str("url");
        Ok(WebhookConfig {
            configured: o.bool("configured").unwrap_or(url.is_some()),
            url,
            events: o.strings("events"),
            is_active: o.bool("is_active").unwrap_or(false),
            updated_at: o.time("updated_at"),
            extra: o.extra(),
        })
    }

    pub fn updated(v: &Value) -> Result<WebhookUpdated, String> {
        let mut o = Obj::new(v, "webhook update reply")?;
        Ok(WebhookUpdated {
            url: o.str("url"),
            secret: o.str("secret").and_then(ApiKey::new),
            events: o.strings("events"),
            is_active: o.bool("is_active"),
            note: o.str("note"),
            extra: o.extra(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decoders::*;
    use super::*;

    #[test]
    fn documented_examples() {
        let c = config(&json!({"configured":true,"url":"https://yoursite.com/hook","events":["order.otp_received","order.finished"],"is_active":true,"updated_at":"2026-05-19 10:00:00 WIB"})).unwrap();
        assert!(c.configured && c.is_active);
        assert_eq!(c.events.len(), 2);
        let c =
            config(&json!({"configured":false,"url":null,"events":[],"is_active":false})).unwrap();
        assert!(!c.configured && c.url.is_none());
        let u = updated(&json!({"url":"https://yoursite.com/hook","secret":"abc123def456abc123","events":["order.otp_received"],"is_active":true,"note":"Save the secret now."})).unwrap();
        assert_eq!(
            u.secret.as_ref().map(ApiKey::expose),
            Some("abc123def456abc123")
        );
        assert!(
            !format!("{u:?}").contains("abc123def456"),
            "secret must not show in Debug"
        );
    }

    #[test]
    fn update_body() {
        let u = WebhookUpdate {
            url: "https://x.example/h".into(),
            events: vec!["order.finished".into()],
            secret: ApiKey::new("0123456789abcdef"),
            is_active: Some(false),
        };
        assert_eq!(
            u.to_json(),
            json!({"url":"https://x.example/h","events":["order.finished"],"secret":"0123456789abcdef","is_active":false})
        );
        assert!(!format!("{u:?}").contains("0123456789abcdef"));
    }
}
