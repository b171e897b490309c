//! Signed webhooks received by a tiny axum server.

mod common;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use common::start;
use hmac::{Hmac, Mac};
use otpdesk_core::ProviderId;
use otpdesk_sim::control::types::{ConfigPatch, WebhookConfigRequest};
use serde_json::{json, Value};
use sha2::Sha256;
use std::time::Duration;
use tokio::sync::mpsc;

type Received = (HeaderMap, Bytes);

async fn receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                "OK"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), rx)
}

fn hmac_hex(secret: &str, data: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(3), rx.recv())
        .await
        .expect("webhook arrives")
        .unwrap()
}

#[tokio::test]
async fn otpzap_webhook_is_signed_over_the_raw_body() {
    let env = start().await;
    let (url, mut rx) = receiver().await;
    let secret = "test-secret-0123456789";
    env.ctl
        .set_webhook(&WebhookConfigRequest {
            provider: ProviderId::Otpzap,
            key: None,
            url: Some(url),
            secret: secret.into(),
            events: None,
        })
        .await
        .unwrap();
    let id = env.buy_whatsapp().await["order_id"].to_string();
    let d = env.ctl.deliver_otp(&id).await.unwrap();
    let (headers, body) = next(&mut rx).await;
    let sig = headers["x-otpzap-signature"].to_str().unwrap();
    assert_eq!(sig, format!("sha256={}", hmac_hex(secret, &body)));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["event"], "order.otp_received");
    assert_eq!(v["data"]["otp_code"], d.code.as_str());
    let log = env.ctl.webhook_deliveries().await.unwrap();
    assert_eq!(log.len(), 1);
}

#[tokio::test]
async fn otpzap_webhook_update_checks_ssrf_and_hides_secret() {
    let env = start().await;
    let (url, mut rx) = receiver().await;
    let r = env
        .call(
            reqwest::Method::PATCH,
            format!("{}/webhook/update", env.sim.otpzap_url()),
            otpdesk_sim::DEMO_OTPZAP_KEY,
            Some(json!({"url": url})),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (422, "validation_error"));
    let get = env.oz_get("/webhook/get").await;
    assert_eq!(get.data()["configured"], false);

    env.set_config(ConfigPatch {
        allow_insecure_webhooks: Some(true),
        ..Default::default()
    })
    .await;
    let body = json!({"url": url, "events": ["order.finished"], "secret": "short"});
    let r = env
        .call(
            reqwest::Method::PATCH,
            format!("{}/webhook/update", env.sim.otpzap_url()),
            otpdesk_sim::DEMO_OTPZAP_KEY,
            Some(body),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let secret = r.data()["secret"].as_str().unwrap().to_string();
    assert_eq!(
        secret.len(),
        48,
        "short secrets are replaced by a generated one"
    );
    let get = env.oz_get("/webhook/get").await;
    assert_eq!(get.data()["configured"], true);
    assert!(get.data().get("secret").is_none());

    // Only the subscribed event is sent.
    let id = env.buy_whatsapp().await["order_id"].to_string();
    env.ctl.deliver_otp(&id).await.unwrap();
    env.oz_post(
        "/order/finish",
        json!({"order_id": id.parse::<u64>().unwrap()}),
    )
    .await;
    let (headers, body) = next(&mut rx).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["event"], "order.finished");
    assert_eq!(
        headers["x-otpzap-signature"].to_str().unwrap(),
        format!("sha256={}", hmac_hex(&secret, &body))
    );
}

#[tokio::test]
async fn numberotp_and_ooppay_signatures() {
    let env = start().await;
    let (url, mut rx) = receiver().await;
    env.ctl
        .set_webhook(&WebhookConfigRequest {
            provider: ProviderId::Numberotp,
            key: None,
            url: Some(url.clone()),
            secret: "notp-secret".into(),
            events: None,
        })
        .await
        .unwrap();
    let a = env
        .notp_post("/activations", json!({"service":"wa","country":"67"}))
        .await;
    let id = a.body["id"].as_str().unwrap();
    env.ctl.deliver_otp(id).await.unwrap();
    let (headers, body) = next(&mut rx).await;
    assert_eq!(
        headers["x-numberotp-signature"].to_str().unwrap(),
        format!("sha256={}", hmac_hex("notp-secret", &body))
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (v["id"].as_str(), v["status"].as_str()),
        (Some(id), Some("received"))
    );

    env.ctl
        .set_webhook(&WebhookConfigRequest {
            provider: ProviderId::Ooppay,
            key: None,
            url: None,
            secret: "oop-secret".into(),
            events: None,
        })
        .await
        .unwrap();
    let o = env
        .oop_post(
            "/orders",
            json!({"merchant_order_id":"M-1","amount":"10.00","callback_url": url}),
        )
        .await;
    let oid = o.body["order_id"].as_str().unwrap().to_string();
    env.ctl.pay_deposit(&oid).await.unwrap();
    let (headers, body) = next(&mut rx).await;
    let ts = headers["x-timestamp"].to_str().unwrap();
    let expected = hmac_hex("oop-secret", format!("{oid}M-1paid{ts}").as_bytes());
    assert_eq!(headers["x-signature"].to_str().unwrap(), expected);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (v["status"].as_str(), v["net_amount"].as_str()),
        (Some("paid"), Some("9.950000"))
    );
}
