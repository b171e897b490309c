//! Property tests: arbitrary bytes and arbitrary JSON through every decoder and through the reply
//! mapping never panic (one property per provider), and no provider-given wait, however absurd,
//! becomes more than `MAX_RETRY_AFTER`.

mod numberotp_shapes;

use crate::error::MAX_RETRY_AFTER;
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
    numberotp::decoders::created_activation,
];

const OOPPAY: &[Decoder] = decoders![
    ooppay::decoders::payment_order,
    ooppay::decoders::created_payment
];

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
    "cost",
    "count",
    "activation",
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
                action_429: i % 2 == 1,
                idempotent: paid,
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

/// A `Retry-After` value: any u64, any decimal, a huge digit run, exponents, HTTP dates of any year.
fn retry_after_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        (0u64..=1200).prop_map(|n| n.to_string()),
        (any::<u64>(), 0u32..1_000_000).prop_map(|(n, f)| format!("{n}.{f}")),
        "[0-9]{20,60}",
        (0u32..1000, -30i32..400).prop_map(|(m, e)| format!("{m}e{e}")),
        any::<f64>().prop_map(|f| f.abs().to_string()),
        (1970i32..=9999, 1u32..=28, 0u32..24).prop_map(|(y, d, h)| {
            let date = chrono::NaiveDate::from_ymd_opt(y, 1, d)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .map(|t| t.and_utc().format("%a, %d %b %Y %H:%M:%S GMT").to_string());
            date.unwrap_or_default()
        }),
    ]
}

/// The wait a reply hands back, checked to be within the cap and rendered without absurd numbers.
fn capped_wait(ctx: &Ctx<'_>, retry: Option<&str>, body: &[u8]) -> Option<std::time::Duration> {
    let e = handle(ctx, 429, retry, body, |v| Ok(v.clone())).unwrap_err();
    let wait = e.retry_after();
    assert!(wait.is_none_or(|d| d <= MAX_RETRY_AFTER), "{e:?}");
    let shown: Vec<u64> = e
        .to_string()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(shown.iter().all(|n| *n <= 600), "{e}");
    wait
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn retry_after_is_never_more_than_the_cap(text in retry_after_text(), action in any::<bool>(), envelope in prop_oneof![Just(Envelope::Success), Just(Envelope::Bare)]) {
        let ctx = Ctx { endpoint: "POST /order/cancel".into(), paid: false, envelope, key: None, action_429: action, idempotent: false };
        let numeric = text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty();
        // As the header.
        let wait = capped_wait(&ctx, Some(&text), b"{}");
        if numeric {
            let expect = text.parse::<u64>().map_or(600, |n| n.min(600));
            prop_assert_eq!(wait, Some(std::time::Duration::from_secs(expect)));
        }
        // As `retry_after` in the body, as a string and (when it is one) as a JSON number.
        let body = serde_json::json!({"success": false, "message": "slow down", "retry_after": text});
        capped_wait(&ctx, None, &serde_json::to_vec(&body).unwrap());
        if let Ok(n) = serde_json::from_str::<Number>(&text) {
            let body = serde_json::json!({"error": {"code": "cooldown", "retry_after": n}});
            let wait = capped_wait(&ctx, None, &serde_json::to_vec(&body).unwrap());
            prop_assert!(wait.is_some(), "{}", text);
        }
    }
}
