//! JSON shapes of the control API, shared by the server routes and [`super::SimControl`].

use chrono::{DateTime, Utc};
use otpdesk_core::ProviderId;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    Charge,
    Refund,
    Topup,
}

/// One money movement. Amounts are positive decimal strings; `kind` gives the direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub provider: ProviderId,
    pub key_fp: String,
    pub kind: LedgerKind,
    pub order_ref: String,
    pub amount: String,
    pub currency: String,
    pub balance_after: String,
    pub idempotency_key: Option<String>,
}

/// `GET /_sim/idempotency`: one Idempotency-Key of one account, what ran and what was charged
/// under it. `creates` > 1 means the provider created twice for one key (a key reused after the
/// TTL); `charges` counts ledger charge rows (an email order of `qty` 3 is one create, 3 charges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyUse {
    pub provider: ProviderId,
    pub key_fp: String,
    pub idempotency_key: String,
    /// `order/create`, `order/email-create`, `topup/create`.
    pub routes: Vec<String>,
    /// Times a create under this key really ran (replays and refused requests not counted).
    pub creates: u32,
    /// Ledger charge rows carrying this key.
    pub charges: u32,
    /// Sum of those charges, decimal string in the provider's currency.
    pub charged: String,
    /// `order_ref` of those charges, in ledger order.
    pub order_refs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    pub provider: ProviderId,
    pub key_fp: String,
    pub balance: String,
    pub currency: String,
}

/// `POST /_sim/accounts`. `balance` is a decimal string or integer in the provider's currency
/// (OTPZap IDR, NumberOTP USD, OOPPay USDT).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddAccount {
    pub provider: ProviderId,
    pub key: String,
    pub balance: serde_json::Value,
}

/// `POST /_sim/deliver`: deliver an OTP (SMS) or message (email) now.
/// `ref` is an OTPZap order id ("65") or ref ("API3-…"), an email ref ("APIE-…") or a NumberOTP
/// activation id ("act_…").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliverOtp {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Multiservice orders: which service the code is for (name or code); default the next one
    /// without a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The "late code" fault (OTPZap SMS only): deliver even to an order that is no longer open
    /// (cancelling, cancelled, replaced, expired); its status and the balance stay as they are.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    #[serde(rename = "ref")]
    pub reference: String,
    pub code: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClockUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance_secs: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockView {
    pub now: DateTime<Utc>,
    pub now_wib: String,
    pub scale: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    pub otp_delay_ms: Option<u64>,
    pub rate_limit_per_min: u32,
    pub long_poll_max_ms: u64,
    pub allow_insecure_webhooks: bool,
    /// Real-time processing delay of OTPZap `order/create`, `order/email-create`, `topup/create`.
    #[serde(default)]
    pub create_delay_ms: u64,
    /// Idempotency-Keys are forgotten this long after their reply; `None`: never.
    #[serde(default)]
    pub idempotency_ttl_secs: Option<u64>,
    /// `order/cancel` is confirmed (status `cancelled`, refund) this long later; `None`: at once.
    #[serde(default)]
    pub cancel_confirm_delay_secs: Option<u64>,
    /// The NumberOTP dialect spoken now.
    #[serde(default)]
    pub numberotp_shape: NumberOtpShape,
}

/// Which NumberOTP the simulator plays: `doc` answers in the shapes WIRE.md documents (lists,
/// `id`, `price` strings, `waiting`, `{"error":{"code","message"}}`, Indonesia `67`); `realworld`
/// answers as real integrations see it (`{"data":…}`, maps keyed by code, `cost` numbers,
/// `Active`, `+` phones, `{"error":"<sentence>","code":"<CODE>"}`, SMS-Activate country ids).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberOtpShape {
    #[default]
    Doc,
    Realworld,
}

impl NumberOtpShape {
    pub const ALL: [NumberOtpShape; 2] = [NumberOtpShape::Doc, NumberOtpShape::Realworld];

    pub fn as_str(self) -> &'static str {
        match self {
            NumberOtpShape::Doc => "doc",
            NumberOtpShape::Realworld => "realworld",
        }
    }
}

impl std::str::FromStr for NumberOtpShape {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "doc" => Ok(NumberOtpShape::Doc),
            "realworld" | "real-world" | "real" => Ok(NumberOtpShape::Realworld),
            other => Err(format!(
                "unknown NumberOTP shape {other:?} (doc or realworld)"
            )),
        }
    }
}

impl std::fmt::Display for NumberOtpShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `POST /_sim/config`: only the fields present change; `"otp_delay_ms": null` turns automatic
/// OTPs off, `"idempotency_ttl_secs": null` keeps keys forever, `"cancel_confirm_delay_secs":
/// null` (or 0) confirms cancels at once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfigPatch {
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub otp_delay_ms: Option<Option<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_poll_max_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_insecure_webhooks: Option<bool>,
    /// 0 turns the delay off (at most 10 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_delay_ms: Option<u64>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub idempotency_ttl_secs: Option<Option<u64>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cancel_confirm_delay_secs: Option<Option<u64>>,
    /// `"doc"` or `"realworld"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numberotp_shape: Option<NumberOtpShape>,
}

fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

/// What a matching request suffers. See the control module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// The handler runs and commits; the connection then closes without a response.
    DropAfterCommit,
    /// Wait this long (real time), then reply normally.
    Delay { ms: u64 },
    /// Reply with this status without running the handler; `body` defaults to a short JSON error.
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// A 502 nginx-style HTML error page, handler not run.
    Html,
    /// The handler runs and commits; the client gets a 200 with its JSON cut in half.
    MalformedJson,
    /// A provider-shaped 429 `rate_limited` with `Retry-After`, handler not run.
    RateLimit {
        #[serde(default = "default_retry_after")]
        retry_after: u64,
    },
    /// A 429 whose `Retry-After` header is sent verbatim, however absurd
    /// ("18446744073709551615", "1e30", "Wed, 01 Jan 3000 00:00:00 GMT"; absent: no header),
    /// handler not run. Body: `body` if given, else with `codeless` the provider's error shape
    /// with a message and no code (what OTPZap really sends), else its `rate_limited` envelope.
    TooManyRequests {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        #[serde(default)]
        codeless: bool,
    },
    /// The handler runs and commits (charges at its real price); then each field of `set` is
    /// written into the successful reply's payload (OTPZap `data`, and its `order` / `orders[]`;
    /// else the body itself), e.g. `{"price":"2835.5"}`, `{"price":28.3500001,"currency":"USD"}`,
    /// `{"currency":"XYZ"}`, `{"pay_amount":"1.0000001"}`. Error replies are left alone.
    PatchReply {
        set: serde_json::Map<String, serde_json::Value>,
    },
}

impl FaultKind {
    /// A 429 with this raw `Retry-After` and OTPZap's real, codeless body.
    pub fn absurd_retry_after(value: &str) -> FaultKind {
        FaultKind::TooManyRequests {
            retry_after: Some(value.to_string()),
            body: None,
            codeless: true,
        }
    }

    /// A plain 429 without error code (what OTPZap sends on a cancel cooldown or resend lock).
    pub fn codeless_429(retry_after: Option<u64>) -> FaultKind {
        FaultKind::TooManyRequests {
            retry_after: retry_after.map(|s| s.to_string()),
            body: None,
            codeless: true,
        }
    }

    /// A paid reply whose `price` and/or `currency` are these raw JSON values.
    pub fn odd_price(
        price: Option<serde_json::Value>,
        currency: Option<serde_json::Value>,
    ) -> FaultKind {
        let mut set = serde_json::Map::new();
        if let Some(p) = price {
            set.insert("price".into(), p);
        }
        if let Some(c) = currency {
            set.insert("currency".into(), c);
        }
        FaultKind::PatchReply { set }
    }
}

fn default_retry_after() -> u64 {
    30
}

/// A fault rule. All matchers present must match; `count` limits how often it fires (unlimited when
/// absent); `probability` (0.0–1.0, seeded RNG) makes it fire only sometimes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_contains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(flatten)]
    pub kind: FaultKind,
}

impl FaultRule {
    pub fn new(kind: FaultKind) -> FaultRule {
        FaultRule {
            provider: None,
            method: None,
            path_contains: None,
            count: None,
            probability: None,
            kind,
        }
    }
    pub fn provider(mut self, p: ProviderId) -> Self {
        self.provider = Some(p);
        self
    }
    pub fn method(mut self, m: &str) -> Self {
        self.method = Some(m.to_string());
        self
    }
    pub fn path(mut self, substring: &str) -> Self {
        self.path_contains = Some(substring.to_string());
        self
    }
    pub fn times(mut self, n: u32) -> Self {
        self.count = Some(n);
        self
    }
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultView {
    pub id: u64,
    pub rule: FaultRule,
    /// Times left; `None` = unlimited.
    pub remaining: Option<u32>,
    pub hits: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLogEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub provider: ProviderId,
    pub method: String,
    pub path: String,
    /// Fingerprint of the bearer key (never the key).
    pub key_fp: Option<String>,
    pub status: u16,
    pub retry_after: Option<u64>,
    /// The fault that shaped this reply, if any.
    pub fault: Option<String>,
    /// The request's `Idempotency-Key` header, if it sent one (a purchase's own key: each
    /// number of a batch has its own, a retry repeats it).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsView {
    pub total: usize,
    pub count_429: usize,
    pub requests: Vec<RequestLogEntry>,
}

/// `POST /_sim/webhooks`: where a provider sends its webhooks. Without `key`, the config applies
/// to every account of the provider that has none of its own. OOPPay uses each order's
/// `callback_url` and only takes the `secret` from here (`url` is then a fallback).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookConfigRequest {
    pub provider: ProviderId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub secret: String,
    /// OTPZap event filter; absent = every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub seq: u64,
    pub provider: ProviderId,
    pub url: String,
    pub event: String,
    pub body: String,
    /// The signature header value that was sent.
    pub signature: String,
    pub timestamp: Option<String>,
    /// HTTP status from the receiver, or `None` when it could not be reached (see `error`).
    pub status: Option<u16>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateView {
    pub clock: ClockView,
    pub config: ConfigView,
    pub balances: Vec<BalanceView>,
    pub sms_orders: usize,
    pub email_orders: usize,
    pub topups: usize,
    pub activations: usize,
    pub ooppay_orders: usize,
    pub faults: usize,
    pub requests: usize,
}

/// `POST /_sim/offers`: change an OTPZap Server 1 product's price and/or stock, now or after
/// `after_sales` more units of it are sold (to change an offer in the middle of a batch).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferChange {
    pub product_id: u64,
    /// The new price in rupiah.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// Units left from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<u32>,
    /// Sales of this product to wait for before the change applies (0: at once).
    #[serde(default)]
    pub after_sales: u32,
}

/// `POST /_sim/phones`: the numbers the next OTPZap SMS orders (and replacements) get, in order;
/// random numbers again once they are used up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextPhones {
    pub phones: Vec<String>,
}
