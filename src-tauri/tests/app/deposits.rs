//! Top-ups over IPC against the simulator: QRIS and USDT invoices through to paid (QR drawn
//! locally from the payment link / address, balance refreshed, notification), and purchases
//! whose outcome is unknown: listed, not reconcilable for NumberOTP, dismissed; an OTPZap one is
//! never sent again on its own, and "Buy now" at the quoted price charges its key only once.

use crate::harness::{app_with_keys, country, otpzap_balance, Harness};
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

/// POSTs of OTPZap's `order/create` the simulator received.
fn creates_sent(sim: &otpdesk_sim::SimHandle) -> usize {
    tauri::async_runtime::block_on(sim.control().requests())
        .unwrap()
        .requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/order/create"))
        .count()
}

#[test]
fn an_unknown_otpzap_purchase_is_bought_again_only_at_the_users_word() {
    let (sim, h) = app_with_keys();
    let control = sim.control();
    let countries = h.ok("catalog_countries", json!({}));
    let indonesia = country(&countries, "Indonesia");
    let items = h.ok(
        "catalog_items",
        json!({"country": indonesia, "search": "whatsapp"}),
    );
    let item = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "otpzap_s1")
        .expect("an OTPZap Server 1 offer")
        .clone();
    let before = otpzap_balance(&h);

    // Every reply of the purchase is lost, the engine's own retries (same key) included.
    let mut rule = FaultRule::new(FaultKind::DropAfterCommit);
    rule.provider = Some(ProviderId::Otpzap);
    rule.method = Some("POST".into());
    rule.path_contains = Some("/order/create".into());
    tauri::async_runtime::block_on(control.add_fault(&rule)).unwrap();
    let e = h.err(
        "buy_checked",
        json!({"target": item["target"], "expectedPrice": item["price"]}),
    );
    assert_eq!(e["code"], "outcome_unknown", "{e}");
    let attempt = e["attempt_id"].as_str().unwrap().to_string();
    tauri::async_runtime::block_on(control.clear_faults()).unwrap();
    h.wait_event("\"type\":\"outcome_unknown\"", Duration::from_secs(5));
    let sent = creates_sent(&sim);
    assert!(sent >= 1);
    let list = h.ok("unknown_attempts", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], attempt.as_str());
    assert_eq!(list[0]["kind"], "sms");
    let key = list[0]["idempotency_key"].as_str().unwrap().to_string();

    // A number purchase cannot be looked up, and nothing is sent again on its own.
    let e = h.err("reconcile_attempt", json!({"attemptId": attempt}));
    assert_eq!(e["code"], "not_allowed");
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(creates_sent(&sim), sent, "nothing re-sent on its own");
    assert_eq!(h.ok("active_orders", json!({})), json!([]));

    // "Buy now at Rp X?": a fresh quote buys nothing; a lower expected price is refused.
    let q = h.ok("attempt_quote", json!({"attemptId": attempt}));
    assert_eq!(q["price"]["currency"], "IDR", "{q}");
    let price = q["price"]["minor"].as_i64().unwrap();
    assert!(price > 0, "{q}");
    let e = h.err(
        "buy_attempt_again",
        json!({"attemptId": attempt, "expected": {"currency": "IDR", "minor": price - 1}}),
    );
    assert_eq!(e["code"], "price_changed", "{e}");
    assert_eq!(
        creates_sent(&sim),
        sent,
        "a quote or a refusal sends nothing"
    );

    // The user confirms: the same Idempotency-Key, so the provider answers with the order the
    // first (charged) try made, and charges nothing more.
    let o = h.ok(
        "buy_attempt_again",
        json!({"attemptId": attempt, "expected": q["price"]}),
    );
    assert_eq!(o["attempt_id"], attempt.as_str(), "{o}");
    assert!(o["phone"].is_string(), "{o}");
    assert_eq!(creates_sent(&sim), sent + 1, "exactly one more send");
    let twice = tauri::async_runtime::block_on(control.keys_charged_twice()).unwrap();
    assert!(twice.is_empty(), "{twice:?}");
    let uses = tauri::async_runtime::block_on(control.idempotency()).unwrap();
    let mine: Vec<_> = uses.iter().filter(|u| u.idempotency_key == key).collect();
    assert_eq!(mine.len(), 1, "{uses:?}");
    assert_eq!((mine[0].creates, mine[0].charges), (1, 1), "{mine:?}");
    assert_eq!(
        otpzap_balance(&h),
        before - o["price"]["minor"].as_i64().unwrap(),
        "charged once"
    );

    // The attempt resolved: off the list, announced, its order on the board; not bought twice.
    assert_eq!(h.ok("unknown_attempts", json!({})), json!([]));
    let start = Instant::now();
    while !h.shell.events.lock().unwrap().iter().any(|e| {
        e.contains("\"type\":\"attempt_resolved\"")
            && e.contains(&attempt)
            && e.contains("succeeded")
    }) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no attempt_resolved"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let active = h.ok("active_orders", json!({}));
    assert!(
        active
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == o["id"]),
        "{active}"
    );
    let e = h.err(
        "buy_attempt_again",
        json!({"attemptId": attempt, "expected": q["price"]}),
    );
    assert_eq!(e["code"], "not_allowed");
    assert_eq!(creates_sent(&sim), sent + 1);
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}
