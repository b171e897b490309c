//! NumberOTP activations and the `/wait` long-poll.

mod common;

use common::start;
use otpdesk_sim::control::types::ConfigPatch;
use otpdesk_sim::DEMO_NUMBEROTP_KEY;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn activation_and_long_poll_returns_on_delivery() {
    let env = start().await;
    let prices = reqwest::get(format!("{}/public/prices", env.sim.numberotp_url()))
        .await
        .unwrap();
    assert_eq!(prices.status(), 200, "prices need no key");
    let prices: serde_json::Value = prices.json().await.unwrap();
    assert!(prices["prices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["service"] == "wa" && p["country"] == "67" && p["price"] == "0.25"));
    let countries = env.notp_get("/public/countries?service=wa").await;
    assert!(countries.body["countries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "Indonesia"));

    let a = env
        .notp_post("/activations", json!({"service":"wa","country":"67"}))
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    assert_eq!(a.body["status"], "waiting");
    let id = a.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("act_"));
    assert_eq!(env.ledger_balance(DEMO_NUMBEROTP_KEY).await, 9_750_000);

    let url = format!("{}/activations/{id}/wait", env.sim.numberotp_url());
    let http = env.http.clone();
    let started = Instant::now();
    let waiter = tokio::spawn(async move {
        http.get(url)
            .bearer_auth(DEMO_NUMBEROTP_KEY)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let d = env.ctl.deliver_otp(&id).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(2), waiter)
        .await
        .expect("wait returned promptly")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(got["status"], "received");
    assert_eq!(got["otp"], d.code.as_str());
    assert_eq!(
        env.notp_get(&format!("/activations/{id}")).await.body["full_sms"],
        d.text.as_str()
    );
}

#[tokio::test]
async fn long_poll_times_out_with_current_state_and_expiry_refunds() {
    let env = start().await;
    env.set_config(ConfigPatch {
        long_poll_max_ms: Some(200),
        ..Default::default()
    })
    .await;
    let a = env
        .notp_post("/activations", json!({"service":"tg","country":"187"}))
        .await;
    let id = a.body["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    let w = env.notp_get(&format!("/activations/{id}/wait")).await;
    assert!(started.elapsed() >= Duration::from_millis(190));
    assert_eq!(w.body["status"], "waiting");
    env.ctl.advance_clock(20 * 60).await.unwrap();
    assert_eq!(
        env.notp_get(&format!("/activations/{id}")).await.body["status"],
        "expired"
    );
    assert_eq!(env.ledger_balance(DEMO_NUMBEROTP_KEY).await, 10_000_000);
    let missing = env.notp_get("/activations/act_missing").await;
    assert_eq!(
        (missing.status, missing.body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let bad = env
        .notp_post("/activations", json!({"service":"nope","country":"67"}))
        .await;
    assert_eq!(bad.status, 404);
}
