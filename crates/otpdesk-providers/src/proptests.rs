//! Property tests: arbitrary bytes and arbitrary JSON through every decoder and through the reply
//! mapping never panic. One property per provider.

use crate::http::{handle, Ctx, Envelope};
use crate::{numberotp, ooppay, otpzap, webhook};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

type Decoder = fn(&Value) -> Result<(), String>;

macro_rules! decoders {
    ($($f:path),* $(,)?) => {
        &[$(|v: &Value| $f(v).map(|_| ())),*]
    };
}

const OTPZAP: &[Decoder] = decoders![
    otpzap::catalog_decoders::countries,
    otpzap::catalog_decoders::s1_services,
    otpzap::catalog_decoders::product_page,
    otpzap::catalog_decoders::s2_services,
    otpzap::catalog_decoders::operators,
    otpzap::catalog_decoders::email_sites,
    otpzap::catalog_decoders::email_domains,
    otpzap::deposit_decoders::balance,
    otpzap::deposit_decoders::topup,
    otpzap::deposit_decoders::topup_status,
    otpzap::order_decoders::created_order,
    otpzap::order_decoders::order,
    otpzap::order_decoders::cancelled,
    otpzap::order_decoders::finished,
    otpzap::order_decoders::resend,
    otpzap::order_decoders::replaced,
    otpzap::email_decoders::email_orders,
    otpzap::email_decoders::email_check,
    otpzap::email_decoders::state_change,
    otpzap::email_decoders::cancelled,
    otpzap::webhook_config_decoders::config,
    otpzap::webhook_config_decoders::updated,
];

const NUMBEROTP: &[Decoder] = decoders![
    numberotp::decoders::services,
    numberotp::decoders::countries,
    numberotp::decoders::prices,
    numberotp::decoders::activation,
];

const OOPPAY: &[Decoder] = decoders![ooppay::decoders::payment_order];

/// Field names the decoders look for, so that generated objects hit real code paths.
const KEYS: &[&str] = &[
    "success",
    "data",
    "error",
    "code",
    "message",
    "field",
    "details",
    "retry_after",
    "id",
    "name",
    "order_id",
    "ref",
    "status",
    "price",
    "currency",
    "otp_code",
    "otps",
    "received_at",
    "service",
    "services",
    "service_id",
    "countries",
    "products",
    "pagination",
    "page",
    "total",
    "operators",
    "sites",
    "site",
    "domains",
    "price_idr",
    "cancel_fee_idr",
    "activation_rate",
    "balance",
    "amount",
    "total_amount",
    "expired_at",
    "paid_at",
    "created_at",
    "order",
    "orders",
    "messages",
    "otp",
    "refunded",
    "cancel_fee",
    "events",
    "secret",
    "configured",
    "is_active",
    "url",
    "phone_number",
    "country",
    "prices",
    "pay_amount",
    "order_amount",
    "expire_at",
    "confirmations",
    "multiservice",
    "event",
    "sent_at",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2026-05-19 10:30:00 WIB"),
            Just("11.500000"),
            Just("-0.5"),
            Just("1e3"),
            Just("IDR"),
            Just("USDT"),
            Just("pending"),
            Just("order.otp_received")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        Just(302),
        Just(400),
        Just(401),
        Just(402),
        Just(404),
        Just(409),
        Just(422),
        Just(429),
        Just(500),
        Just(502),
        100u16..600
    ]
}

/// Arbitrary bytes, or arbitrary JSON rendered to bytes (optionally inside OTPZap's envelope).
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        json_value()
            .prop_map(
                |v| serde_json::to_vec(&serde_json::json!({"success": true, "data": v})).unwrap()
            ),
        ".{0,200}"
            .prop_map(|s| format!("<html><title>{s}</title><script>{s}</script>{s}").into_bytes()),
    ]
}

fn check_all(
    envelope: Envelope,
    decoders: &[Decoder],
    status: u16,
    retry: Option<&str>,
    body: &[u8],
    value: &Value,
) {
    for (i, d) in decoders.iter().enumerate() {
        let _ = d(value);
        for paid in [false, true] {
            let ctx = Ctx {
                endpoint: format!("decoder {i}"),
                paid,
                envelope,
                key: None,
            };
            if let Err(e) = handle(&ctx, status, retry, body, d) {
                // Every error renders, and excerpts stay short.
                let text = e.to_string();
                assert!(!text.is_empty());
                if let crate::ProviderError::Upstream { excerpt, .. } = &e {
                    assert!(excerpt.chars().count() <= crate::http::EXCERPT_CHARS);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn otpzap_never_panics(status in status(), retry in proptest::option::of(".{0,10}"), body in body(), value in json_value()) {
        check_all(Envelope::Success, OTPZAP, status, retry.as_deref(), &body, &value);
        let _ = webhook::parse_otpzap(&body);
        let _ = webhook::verify_otpzap("secret", &body, &String::from_utf8_lossy(&body));
    }

    #[test]
    fn numberotp_never_panics(status in status(), retry in proptest::option::of(".{0,10}"), body in body(), value in json_value()) {
        check_all(Envelope::Bare, NUMBEROTP, status, retry.as_deref(), &body, &value);
        let _ = webhook::parse_numberotp(&body);
        let _ = webhook::verify_numberotp("secret", &body, &String::from_utf8_lossy(&body));
    }

    #[test]
    fn ooppay_never_panics(status in status(), retry in proptest::option::of(".{0,10}"), body in body(), value in json_value(), ts in ".{0,12}", sig in ".{0,70}") {
        check_all(Envelope::Bare, OOPPAY, status, retry.as_deref(), &body, &value);
        let _ = webhook::parse_ooppay(&body);
        let _ = webhook::verify_and_parse_ooppay("secret", &body, &ts, &sig, chrono::Utc::now());
    }
}
