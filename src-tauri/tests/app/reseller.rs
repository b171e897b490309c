//! A reseller's day over IPC against the simulator: Server 2 multiservice (a code per service),
//! an email order through to its code, history search / filters / CSV export, profit per day and
//! service, and the low-balance alert that fires once per crossing.

use crate::harness::{app_with_keys, otpzap_balance, Harness};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Poll `recent_orders` until `order_id` has `n` codes; returns the order.
fn wait_codes(h: &Harness, order_id: &str, n: usize) -> Value {
    let start = Instant::now();
    loop {
        let orders = h.ok("recent_orders", json!({"limit": 50}));
        let o = orders
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == order_id)
            .cloned()
            .unwrap();
        let codes = o["otps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["code"].is_string())
            .count();
        if codes >= n {
            return o;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{o}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn multiservice_email_history_csv_and_profit() {
    let (sim, h) = app_with_keys();

    // Server 2: operators (random first), services, then one number for two services.
    let ops = h.ok("s2_operators", json!({"countryId": "7"}));
    assert_eq!(ops[0], "random");
    let services = h.ok("s2_services", json!({"countryId": "7", "operator": null}));
    let ids: Vec<i64> = services.as_array().unwrap()[..2]
        .iter()
        .map(|s| s["service_code"].as_str().unwrap().parse().unwrap())
        .collect();
    let target = json!({"type": "otpzap_s2_multi", "service_ids": ids, "country_id": 7, "operator_id": "random"});
    let quote = h.ok("quote", json!({"target": target}));
    let multi = h.ok(
        "buy_checked",
        json!({"target": target, "expectedPrice": quote["price"]}),
    );
    let id = multi["id"].as_str().unwrap().to_string();
    let o = wait_codes(&h, &id, 2);
    let per_service: std::collections::BTreeSet<&str> = o["otps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["service"].as_str().expect("a code names its service"))
        .collect();
    assert_eq!(per_service.len(), 2, "{o}");

    // Email: site → domains (price, stock, rate, fee) → buy → its code arrives → finish.
    let sites = h.ok("email_sites", json!({}));
    let site = sites[0]["site"].as_str().unwrap().to_string();
    let domains = h.ok("email_domains", json!({"site": site}));
    let offer = domains
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["stock"].as_i64().unwrap_or(0) > 0)
        .unwrap()
        .clone();
    assert!(offer["price"].is_object() && offer.get("activation_rate").is_some());
    let email = h.ok(
        "buy_checked",
        json!({"target": offer["target"], "expectedPrice": offer["price"]}),
    );
    assert_eq!(email["kind"], "email");
    assert!(email["email"].is_string());
    let eid = email["id"].as_str().unwrap().to_string();
    h.ok("check_order", json!({"orderId": eid}));
    let e = wait_codes(&h, &eid, 1);
    assert!(e["expires_at"].is_string(), "the 20-minute window");
    let code = e["otps"][0]["code"].as_str().unwrap().to_string();
    let done = h.ok("finish_order", json!({"orderId": eid}));
    assert_eq!(done["status"], "completed");

    // Sale prices, then history search by code and by status, and the CSV of a filter.
    let cost = multi["price"]["minor"].as_i64().unwrap();
    h.ok(
        "set_sale_price",
        json!({"orderId": id, "price": {"currency": "IDR", "minor": cost + 2_000}}),
    );
    let e = h.err(
        "set_sale_price",
        json!({"orderId": eid, "price": {"currency": "IDR", "minor": -1}}),
    );
    assert_eq!(e["code"], "validation");
    let by_code = h.ok("history", json!({"query": {"search": code}}));
    assert_eq!(by_code["total_orders"], 1);
    assert_eq!(by_code["items"][0]["order"]["order"]["id"], eid.as_str());
    let done_only = h.ok(
        "history",
        json!({"query": {"status": "completed", "provider": "otpzap"}}),
    );
    assert_eq!(done_only["total_orders"], 1);
    let all = h.ok("history", json!({"query": {}}));
    assert_eq!(all["total_orders"], 2);
    assert_eq!(all["totals"][0]["profit_minor"], 2_000);

    let out = h.data.path().join("export.csv");
    *h.shell.save_to.lock().unwrap() = Some(out.clone());
    let written = h.ok("export_history_csv", json!({"query": {"kind": "sms"}}));
    assert_eq!(written, out.display().to_string());
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("type,id,created_at,provider,service"));
    assert_eq!(lines.len(), 2, "the header and the one SMS order: {csv}");
    assert!(lines[1].starts_with(&format!("sms,{id},")), "{csv}");
    // ... sale_price,sale_currency,profit,customer,note,paid
    assert!(lines[1].ends_with(",IDR,2000,,,no"), "{csv}");
    // Through the commands too: for each of the screen's filters, the file lists exactly the
    // items the screen's `history` call shows, in its order.
    for query in [
        json!({}),
        json!({"entry": "order"}),
        json!({"entry": "deposit"}),
        json!({"group": "done"}),
        json!({"group": "active"}),
        json!({"provider": "otpzap", "group": "done", "search": code}),
        json!({"kind": "email"}),
    ] {
        let screen = h.ok("history", json!({"query": query}));
        let shown: Vec<String> = screen["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                i["order"]["order"]["id"]
                    .as_str()
                    .or(i["deposit"]["id"].as_str())
                    .unwrap()
                    .to_string()
            })
            .collect();
        h.ok("export_history_csv", json!({"query": query}));
        let csv = std::fs::read_to_string(&out).unwrap();
        let written: Vec<String> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(written, shown, "{query}");
    }
    *h.shell.save_to.lock().unwrap() = None;
    assert_eq!(
        h.ok("export_history_csv", json!({"query": {}})),
        Value::Null,
        "cancelled"
    );

    let report = h.ok(
        "profit_report",
        json!({"query": {"utc_offset_minutes": 420}}),
    );
    assert_eq!(report["by_day"].as_array().unwrap().len(), 1);
    assert_eq!(report["by_day"][0]["profit_minor"], 2_000);
    assert_eq!(report["by_service"][0]["profit_minor"], 2_000);
    let ledger = h.ok("ledger", json!({"provider": "otpzap"}));
    assert!(ledger.as_array().unwrap().len() >= 2);
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}

#[test]
fn low_balance_alert_fires_once_per_crossing() {
    let (sim, h) = app_with_keys();
    let start_balance = otpzap_balance(&h);
    let mut settings = h.ok("get_settings", json!({}));
    settings["low_balance"]["otpzap"] = json!(start_balance - 1_000);
    h.ok("update_settings", json!({"settings": settings}));
    otpzap_balance(&h);
    assert!(h.shell.low_alerts.lock().unwrap().is_empty(), "not low yet");

    let target =
        json!({"type": "otpzap_s2", "service_id": 101, "country_id": 7, "operator_id": "random"});
    for _ in 0..3 {
        h.ok("buy", json!({"target": target}));
    }
    let start = Instant::now();
    while h.shell.low_alerts.lock().unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10), "no alert");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Later reads (events of the other purchases, the balances command) stay quiet.
    std::thread::sleep(Duration::from_secs(1));
    let b = h.ok("balances", json!({}));
    assert_eq!(b[0]["low"], true);
    let alerts = h.shell.low_alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["low"], true);
    let notices = h.shell.notices.lock().unwrap().clone();
    let low: Vec<_> = notices
        .iter()
        .filter(|(s, _)| s.contains("is low"))
        .collect();
    assert_eq!(low.len(), 1, "{notices:?}");

    // Bahasa Indonesia: raising the threshold again does not re-fire while still low, but
    // after recovering (threshold off) and dropping again the notice is in Indonesian.
    let mut settings = h.ok("get_settings", json!({}));
    settings["low_balance"]["otpzap"] = Value::Null;
    settings["language"] = json!("id");
    h.ok("update_settings", json!({"settings": settings.clone()}));
    assert_eq!(h.ok("balances", json!({}))[0]["low"], false);
    settings["low_balance"]["otpzap"] = json!(start_balance);
    h.ok("update_settings", json!({"settings": settings}));
    h.ok("balances", json!({}));
    let notices = h.shell.notices.lock().unwrap().clone();
    assert!(
        notices.iter().any(|(s, _)| s == "Saldo OTPZap menipis"),
        "{notices:?}"
    );
    let locale = h.ok("locale_info", json!({}));
    assert_eq!(locale["language"], "id");
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}
