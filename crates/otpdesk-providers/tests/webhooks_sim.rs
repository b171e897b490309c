//! Webhooks the simulator sends, received over real HTTP and checked with our verifiers and
//! payload parsers (the simulator signs with its own HMAC code, so this cross-checks both). Also:
//! the Authorization header never follows a redirect.

mod common;

use common::*;
use otpdesk_core::ProviderId;
use otpdesk_providers::ooppay::CreatePayment;
use otpdesk_providers::otpzap::{OrderRequest, WebhookUpdate};
use otpdesk_providers::webhook::{self, OtpZapEventData, WebhookError};
use otpdesk_providers::{
    ApiKey, Currency, DepositStatus, Money, OrderStatus, OtpZapClient, ProviderError,
};
use otpdesk_sim::control::types::WebhookConfigRequest;
use otpdesk_sim::SimConfig;

#[tokio::test]
async fn otpzap_order_webhook_verifies_and_parses() {
    let env = env_with(SimConfig {
        allow_insecure_webhooks: true,
        ..SimConfig::default()
    })
    .await;
    let (port, mut seen) = raw_server(OK_REPLY.to_string()).await;
    let secret = "whsec_otpzap_integration_0001";
    let oz = env.otpzap();
    oz.update_webhook(&WebhookUpdate {
        url: format!("http://127.0.0.1:{port}/hook"),
        events: vec!["order.otp_received".into()],
        secret: ApiKey::new(secret),
        is_active: Some(true),
    })
    .await
    .unwrap();
    let order = oz
        .create_order(
            &OrderRequest::Server1 {
                product_id: 814_090_256u64.into(),
                country_id: None,
                platform_id: None,
            },
            None,
            None,
        )
        .await
        .unwrap();
    let delivered = env.ctl.deliver_otp(order.order_id.as_str()).await.unwrap();

    let hook = next_seen(&mut seen).await;
    assert!(
        hook.request_line.starts_with("POST /hook"),
        "{}",
        hook.request_line
    );
    let sig = hook
        .header(webhook::OTPZAP_SIGNATURE_HEADER)
        .expect("signature header");
    assert_eq!(webhook::verify_otpzap(secret, &hook.body, sig), Ok(()));
    assert_eq!(
        webhook::verify_otpzap("another_secret_123456", &hook.body, sig),
        Err(WebhookError::BadSignature)
    );
    let event = webhook::parse_otpzap(&hook.body).unwrap();
    assert_eq!(event.event, "order.otp_received");
    let OtpZapEventData::Order(o) = event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(o.order_id, order.order_id);
    assert_eq!(o.status, OrderStatus::OtpReceived);
    assert_eq!(o.otp_code.as_deref(), Some(delivered.code.as_str()));
    assert!(event.sent_at.is_some());
}

#[tokio::test]
async fn numberotp_webhook_verifies_and_parses() {
    let env = env().await;
    let (port, mut seen) = raw_server(OK_REPLY.to_string()).await;
    let secret = "notp_whsec_integration";
    env.ctl
        .set_webhook(&WebhookConfigRequest {
            provider: ProviderId::Numberotp,
            key: None,
            url: Some(format!("http://127.0.0.1:{port}/numberotp")),
            secret: secret.into(),
            events: None,
        })
        .await
        .unwrap();
    let no = env.numberotp();
    let a = no
        .create_activation("wa", &env.notp_country("Indonesia").await)
        .await
        .unwrap();
    let delivered = env.ctl.deliver_otp(a.id.as_str()).await.unwrap();
    let hook = next_seen(&mut seen).await;
    let sig = hook
        .header(webhook::NUMBEROTP_SIGNATURE_HEADER)
        .expect("signature header");
    assert_eq!(webhook::verify_numberotp(secret, &hook.body, sig), Ok(()));
    let mut tampered = hook.body.clone();
    tampered.push(b' ');
    assert_eq!(
        webhook::verify_numberotp(secret, &tampered, sig),
        Err(WebhookError::BadSignature)
    );
    let parsed = webhook::parse_numberotp(&hook.body).unwrap();
    assert_eq!(parsed.id, a.id);
    assert_eq!(parsed.otp.as_deref(), Some(delivered.code.as_str()));
    assert_eq!(parsed.status, OrderStatus::OtpReceived);
}

#[tokio::test]
async fn ooppay_webhook_verifies_and_parses() {
    let env = env().await;
    let (port, mut seen) = raw_server(OK_REPLY.to_string()).await;
    let secret = otpdesk_sim::DEMO_OOPPAY_WEBHOOK_SECRET;
    let op = env.ooppay();
    let created = op
        .create_order(&CreatePayment {
            merchant_order_id: "DEP-WH-1".into(),
            amount: Money::parse(Currency::Usdt, "25").unwrap(),
            callback_url: Some(format!("http://127.0.0.1:{port}/cb")),
            expire_minutes: Some(15),
        })
        .await
        .unwrap();
    env.ctl.pay_deposit(&created.order_id).await.unwrap();
    let hook = next_seen(&mut seen).await;
    let sig = hook
        .header(webhook::OOPPAY_SIGNATURE_HEADER)
        .expect("X-Signature");
    let ts = hook
        .header(webhook::OOPPAY_TIMESTAMP_HEADER)
        .expect("X-Timestamp");
    let now = env.sim.now();
    let p = webhook::verify_and_parse_ooppay(secret, &hook.body, ts, sig, now).unwrap();
    assert_eq!(p.order_id, created.order_id);
    assert_eq!(p.merchant_order_id.as_deref(), Some("DEP-WH-1"));
    assert_eq!(p.status, Some(DepositStatus::Paid));
    assert!(p.net_amount.is_some());
    // Replayed ten minutes later: refused.
    let late = now + chrono::Duration::minutes(10);
    assert!(matches!(
        webhook::verify_and_parse_ooppay(secret, &hook.body, ts, sig, late),
        Err(WebhookError::StaleTimestamp { .. })
    ));
    assert_eq!(
        webhook::verify_and_parse_ooppay("wrong", &hook.body, ts, sig, now).unwrap_err(),
        WebhookError::BadSignature
    );
}

#[tokio::test]
async fn authorization_never_follows_a_redirect() {
    // A trap that would see the key if the client followed the redirect.
    let (trap_port, mut trap) = raw_server(OK_REPLY.to_string()).await;
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{trap_port}/steal\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (port, mut first) = raw_server(redirect).await;
    let oz = OtpZapClient::new(
        &format!("http://127.0.0.1:{port}/api/v1"),
        key(DEMO_OTPZAP_KEY),
        options(),
    )
    .unwrap();
    let e = oz.balance().await.unwrap_err();
    assert!(
        matches!(e, ProviderError::Upstream { status: 302, .. }),
        "{e:?}"
    );
    let req = next_seen(&mut first).await;
    assert_eq!(req.request_line, "GET /api/v1/balance HTTP/1.1");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {DEMO_OTPZAP_KEY}").as_str())
    );
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(300), trap.recv())
            .await
            .is_err(),
        "redirect was followed"
    );
}

#[tokio::test]
async fn public_prices_are_fetched_without_the_key_and_paid_calls_carry_it() {
    let body = r#"{"prices":[{"service":"wa","country":"67","price":"0.25","currency":"USD","available":3}]}"#;
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (port, mut seen) = raw_server(reply).await;
    let no = otpdesk_providers::NumberOtpClient::new(
        &format!("http://127.0.0.1:{port}/v1"),
        key(DEMO_NUMBEROTP_KEY),
        options(),
    )
    .unwrap();
    let prices = no.prices().await.unwrap();
    assert_eq!(prices[0].available, Some(3));
    let req = next_seen(&mut seen).await;
    assert_eq!(req.request_line, "GET /v1/public/prices HTTP/1.1");
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.header("accept"), Some("application/json"));

    // The same server answers an activation create with a price list: unreadable, so unknown.
    let e = no.create_activation("wa", "67").await.unwrap_err();
    assert!(matches!(e, ProviderError::OutcomeUnknown { .. }), "{e:?}");
    let req = next_seen(&mut seen).await;
    assert_eq!(req.request_line, "POST /v1/activations HTTP/1.1");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {DEMO_NUMBEROTP_KEY}").as_str())
    );
    assert_eq!(
        json_of(&req.body),
        serde_json::json!({"service": "wa", "country": "67"})
    );
}

#[tokio::test]
async fn otpzap_paid_calls_send_the_idempotency_key() {
    let (port, mut seen) = raw_server(OK_REPLY.to_string()).await;
    let oz = OtpZapClient::new(
        &format!("http://127.0.0.1:{port}/api/v1"),
        key(DEMO_OTPZAP_KEY),
        options(),
    )
    .unwrap();
    let _ = oz.create_topup(Money::idr(10_000), "idem-123").await;
    let req = next_seen(&mut seen).await;
    assert_eq!(req.header("idempotency-key"), Some("idem-123"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(json_of(&req.body), serde_json::json!({"amount": 10000}));
}

fn json_of(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).expect("a JSON body")
}
