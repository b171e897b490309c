//! Top-ups over IPC against the simulator: QRIS and USDT invoices through to paid (QR drawn
//! locally from the payment link / address, balance refreshed, notification), and purchases
//! whose outcome is unknown: listed, not reconcilable for NumberOTP, dismissed.

use crate::harness::{app_with_keys, otpzap_balance, Harness};
use otpdesk_app::deposits::qr_svg;
use otpdesk_core::ProviderId;
use otpdesk_sim::control::types::{FaultKind, FaultRule};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Poll `deposit` until its status is `status`.
fn wait_deposit(h: &Harness, id: &str, status: &str) -> Value {
    let start = Instant::now();
    loop {
        let d = h.ok("deposit", json!({"depositId": id}));
        if d["deposit"]["status"] == status {
            return d;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{d}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn qris_and_usdt_top_ups_through_to_paid() {
    let (sim, h) = app_with_keys();
    let control = sim.control();
    let before = otpzap_balance(&h);

    // QRIS: the QR holds the payment link, drawn here; the link opens only on the OTPZap site.
    let e = h.err("topup_qris", json!({"amount": 0}));
    assert_eq!(e["code"], "validation");
    let q = h.ok("topup_qris", json!({"amount": 50_000}));
    let url = q["payment_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&sim.base_url()), "{url}");
    assert_eq!(q["qr_payload"], url.as_str());
    assert_eq!(q["qr_svg"].as_str(), qr_svg(&url).as_deref());
    let total = q["deposit"]["total"]["minor"].as_i64().unwrap();
    assert!((50_001..=50_999).contains(&total), "{q}");
    assert!(q["deposit"]["expires_at"].is_string());
    let id = q["deposit"]["id"].as_str().unwrap().to_string();
    h.ok("open_payment_page", json!({"depositId": id}));
    assert_eq!(*h.shell.opened.lock().unwrap(), [url]);
    let e = h.err("demo_pay_deposit", json!({"depositId": id}));
    assert_eq!(e["code"], "not_allowed", "only in demo mode");

    let remote = q["deposit"]["remote_id"].as_str().unwrap().to_string();
    tauri::async_runtime::block_on(control.pay_deposit(&remote)).unwrap();
    let paid = wait_deposit(&h, &id, "paid");
    assert_eq!(paid["qr_svg"], Value::Null, "nothing left to scan");
    assert_eq!(otpzap_balance(&h), before + 50_000);
    let start = Instant::now();
    while !h
        .shell
        .notices
        .lock()
        .unwrap()
        .iter()
        .any(|(s, b)| s == "Top-up paid" && b.contains("Rp 50.000"))
    {
        assert!(start.elapsed() < Duration::from_secs(10), "no paid notice");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The credit re-read the balance and announced it.
    let start = Instant::now();
    while !h
        .shell
        .balances
        .lock()
        .unwrap()
        .iter()
        .any(|b| b["provider"] == "otpzap" && b["balance"]["amount"]["minor"] == before + 50_000)
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no balance event"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // USDT: the QR holds the address; the provider's remote QR image is never handed out.
    let u = h.ok("topup_usdt", json!({"amount": "10"}));
    let address = u["deposit"]["pay_address"].as_str().unwrap().to_string();
    assert_eq!(u["qr_payload"], address.as_str());
    assert_eq!(u["qr_svg"].as_str(), qr_svg(&address).as_deref());
    assert_eq!(u["deposit"]["pay_url"], Value::Null);
    assert_eq!(u["payment_url"], Value::Null);
    assert_eq!(
        u["deposit"]["total"]["minor"], 11_500_000,
        "10 + 1.5 buffer"
    );
    let uid = u["deposit"]["id"].as_str().unwrap().to_string();
    let e = h.err("open_payment_page", json!({"depositId": uid}));
    assert_eq!(e["code"], "not_allowed");
    let remote = u["deposit"]["remote_id"].as_str().unwrap().to_string();
    tauri::async_runtime::block_on(control.pay_deposit(&remote)).unwrap();
    let paid = wait_deposit(&h, &uid, "paid");
    assert!(paid["deposit"]["credited"]["minor"].as_i64().unwrap() > 0);
    let list = h.ok("deposits", json!({"activeOnly": false}));
    assert_eq!(list.as_array().unwrap().len(), 2);
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}

#[test]
fn unknown_outcomes_are_listed_and_dismissed() {
    let (sim, h) = app_with_keys();
    let control = sim.control();
    let mut rule = FaultRule::new(FaultKind::DropAfterCommit);
    rule.provider = Some(ProviderId::Numberotp);
    rule.method = Some("POST".into());
    rule.path_contains = Some("/activations".into());
    rule.count = Some(1);
    tauri::async_runtime::block_on(control.add_fault(&rule)).unwrap();

    let target = json!({"type": "numberotp", "service": "wa", "country": "67"});
    let e = h.err("buy", json!({"target": target}));
    assert_eq!(e["code"], "outcome_unknown", "{e}");
    let attempt = e["attempt_id"].as_str().unwrap().to_string();
    let list = h.ok("unknown_attempts", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], attempt.as_str());
    // NumberOTP cannot look a purchase up: the user checks the dashboard, then dismisses.
    let e = h.err("reconcile_attempt", json!({"attemptId": attempt}));
    assert_eq!(e["code"], "not_allowed");
    let d = h.ok("dismiss_attempt", json!({"attemptId": attempt}));
    assert_eq!(d["state"], "dismissed");
    assert_eq!(h.ok("unknown_attempts", json!({})), json!([]));
    h.wait_event("\"type\":\"outcome_unknown\"", Duration::from_secs(5));
    h.wait_event("\"type\":\"attempt_resolved\"", Duration::from_secs(5));
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}
