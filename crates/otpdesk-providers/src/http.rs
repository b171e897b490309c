//! Shared HTTP plumbing for the three clients: one `reqwest::Client` per provider client (cheap
//! clones), bearer auth, no redirects, per-call timeouts, and the one mapping from transport
//! failures and error replies to [`ProviderError`].
//!
//! The reply handling ([`reply::handle`]) is a pure function of status, `Retry-After` and body bytes so it
//! can be property-tested without a network.

use crate::error::ProviderError;
use otpdesk_core::ApiKey;
use reqwest::header::{HeaderValue, ACCEPT, RETRY_AFTER};
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Timeouts for one provider client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOptions {
    /// Whole-request timeout for ordinary calls.
    pub request_timeout: Duration,
    /// TCP + TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout for long polls (NumberOTP `/wait` holds up to 55 s): keep it above 55 s.
    pub long_poll_timeout: Duration,
}

impl Default for HttpOptions {
    fn default() -> HttpOptions {
        HttpOptions {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            long_poll_timeout: Duration::from_secs(65),
        }
    }
}

mod reply;
mod retry_after;

pub(crate) use reply::{handle, EXCERPT_CHARS};
use reply::{scrub, truncate};

/// Largest body we read; anything longer is cut (and then fails to decode).
const MAX_BODY: usize = 8 * 1024 * 1024;

/// How a provider wraps successful replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Envelope {
    /// OTPZap: `{"success":true,"data":{...}}`; `success:false` is an error even with HTTP 200.
    Success,
    /// NumberOTP, OOPPay: the object itself (NumberOTP's optional `data` wrapper is handled by its
    /// decoders).
    Bare,
}

/// What one call is, for building the request and classifying failures.
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    method: Method,
    /// `"GET /order/check"`: the path template, named in errors.
    endpoint: String,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    idempotency_key: Option<&'a str>,
    paid: bool,
    long_poll: bool,
    auth: bool,
    action_429: bool,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, template: &str) -> Call<'a> {
        Call {
            endpoint: format!("{method} {template}"),
            method,
            path: template.to_string(),
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            paid: false,
            long_poll: false,
            auth: true,
            action_429: false,
        }
    }

    pub fn get(template: &str) -> Call<'a> {
        Call::new(Method::GET, template)
    }

    pub fn post(template: &str, body: Value) -> Call<'a> {
        Call::new(Method::POST, template).body(body)
    }

    /// The concrete path when the template has parameters (`/activations/{id}`).
    pub fn at(mut self, path: String) -> Self {
        self.path = path;
        self
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    pub fn query_opt(self, key: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// A call that spends money: a lost or unreadable reply becomes `OutcomeUnknown`.
    pub fn paid(mut self) -> Self {
        self.paid = true;
        self
    }

    pub fn idempotency_key(mut self, key: Option<&'a str>) -> Self {
        self.idempotency_key = key;
        self
    }

    pub fn long_poll(mut self) -> Self {
        self.long_poll = true;
        self
    }

    pub fn no_auth(mut self) -> Self {
        self.auth = false;
        self
    }

    /// A 429 without an error code is this action's own lock (OTPZap's cancel cooldown, resend
    /// lock), not the key's rate limit: it becomes `Cooldown`, never `RateLimited`.
    pub fn action_scoped_429(mut self) -> Self {
        self.action_429 = true;
        self
    }
}

/// Everything reply handling needs to know about the call.
#[derive(Debug, Clone)]
pub(crate) struct Ctx<'k> {
    pub endpoint: String,
    pub paid: bool,
    pub envelope: Envelope,
    /// Scrubbed from every text we copy out of a reply.
    pub key: Option<&'k ApiKey>,
    /// A codeless 429 is the action's cooldown ([`Call::action_scoped_429`]).
    pub action_429: bool,
    /// The request carried an `Idempotency-Key`.
    pub idempotent: bool,
}

#[derive(Debug)]
struct Inner {
    client: reqwest::Client,
    base: String,
    key: ApiKey,
    options: HttpOptions,
    envelope: Envelope,
}

/// One provider's connection: cheap to clone, shares a single `reqwest::Client`.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    inner: Arc<Inner>,
}

impl Transport {
    pub fn new(
        base_url: &str,
        key: ApiKey,
        options: HttpOptions,
        envelope: Envelope,
    ) -> Result<Transport, ProviderError> {
        let parsed = url::Url::parse(base_url.trim()).map_err(|e| {
            ProviderError::invalid("base_url", format!("{base_url:?} is not a URL ({e})"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ProviderError::invalid(
                "base_url",
                "the base URL must be http or https",
            ));
        }
        let client = reqwest::Client::builder()
            // Never follow redirects: the Authorization header must not travel to another host.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("otpdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ProviderError::invalid("http_client", format!("cannot build the HTTP client: {e}"))
            })?;
        let base = base_url.trim().trim_end_matches('/').to_string();
        Ok(Transport {
            inner: Arc::new(Inner {
                client,
                base,
                key,
                options,
                envelope,
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// Send `call`, then map the reply through [`handle`] and `decode`.
    pub async fn send<T>(
        &self,
        call: Call<'_>,
        decode: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Result<T, ProviderError> {
        let inner = &*self.inner;
        let ctx = Ctx {
            endpoint: call.endpoint.clone(),
            paid: call.paid,
            envelope: inner.envelope,
            key: Some(&inner.key),
            action_429: call.action_429,
            idempotent: call.idempotency_key.is_some(),
        };
        let timeout = if call.long_poll {
            inner.options.long_poll_timeout
        } else {
            inner.options.request_timeout
        };
        let url = format!("{}{}", inner.base, call.path);
        let mut req = inner
            .client
            .request(call.method.clone(), url)
            .timeout(timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if call.auth {
            req = req.bearer_auth(inner.key.expose());
        }
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        if let Some(key) = call.idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        tracing::debug!(endpoint = %ctx.endpoint, "provider request");
        let mut resp = req.send().await.map_err(|e| transport_error(&ctx, &e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_body(&mut resp)
            .await
            .map_err(|e| transport_error(&ctx, &e))?;
        handle(&ctx, status, retry_after.as_deref(), &body, decode)
    }

    /// Whether a key-less `GET path` answers with a JSON body, whatever its status (a JSON error
    /// is still the API speaking). An HTML page, an empty body or no connection is `false`.
    pub async fn answers_json(&self, path: &str) -> bool {
        let inner = &*self.inner;
        let sent = inner
            .client
            .get(format!("{}{}", inner.base, path))
            .timeout(inner.options.request_timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .send()
            .await;
        let Ok(mut resp) = sent else {
            return false;
        };
        match read_body(&mut resp).await {
            Ok(body) => serde_json::from_slice::<Value>(&body).is_ok(),
            Err(_) => false,
        }
    }
}

/// The reply body, at most [`MAX_BODY`] bytes.
async fn read_body(resp: &mut reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = MAX_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(body)
}

/// Classify a reqwest failure. A connect failure means nothing was sent, so even a paid call is a
/// plain `Network`/`Timeout`; after sending, a paid call's fate is unknown.
fn transport_error(ctx: &Ctx<'_>, e: &reqwest::Error) -> ProviderError {
    let endpoint = ctx.endpoint.clone();
    let reason = scrub(ctx, &error_chain(e));
    if e.is_builder() {
        // Nothing was sent: an argument (header value, URL) could not go on the wire.
        return ProviderError::Validation {
            field: None,
            message: format!("the request for {endpoint} could not be built: {reason}"),
        };
    }
    if e.is_connect() {
        return if e.is_timeout() {
            ProviderError::Timeout { endpoint }
        } else {
            ProviderError::Network { endpoint, reason }
        };
    }
    if ctx.paid {
        let reason = if e.is_timeout() {
            "no reply before the timeout".to_string()
        } else {
            reason
        };
        return ProviderError::OutcomeUnknown { endpoint, reason };
    }
    if e.is_timeout() {
        ProviderError::Timeout { endpoint }
    } else {
        ProviderError::Network { endpoint, reason }
    }
}

/// The innermost causes of an error, without the URL-bearing top line.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.without_url_string());
    }
    truncate(&parts.join(": "), EXCERPT_CHARS)
}

trait WithoutUrl {
    fn without_url_string(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_string(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "<url>");
        }
        text
    }
}

/// Percent-encode an ID for use as one path segment.
pub(crate) fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("act_8f7d98x"), "act_8f7d98x");
        assert_eq!(path_segment("a/b?c"), "a%2Fb%3Fc");
    }
}
