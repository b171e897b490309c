//! API keys: validated, stored in the OS keyring, and found nowhere else: not in the settings
//! store, the SQLite files, the logs, any IPC response or any UI event.

use crate::harness::{contains, country, files, logs, on_sim, KEYS};
use otpdesk_secrets::{SecretName, SecretStore};
use serde_json::{json, Value};
use std::time::Duration;

fn key_set(status: &Value, provider: &str) -> bool {
    status
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["provider"] == provider)
        .unwrap()["set"]
        .as_bool()
        .unwrap()
}

#[test]
fn keys_live_in_the_keyring_and_nowhere_else() {
    let (sim, h) = on_sim();
    let keyring = SecretStore::new(h.service.clone());

    // First start: real mode, no key (the UI shows its welcome screen).
    let status = h.ok("app_status", json!({}));
    assert_eq!(status["mode"], "real");
    for (p, _) in KEYS {
        assert!(!key_set(&status["keys"], p.as_str()));
    }

    // A wrong key is refused by the provider and not saved.
    for (p, _) in KEYS {
        let wrong = format!("{}_wrong_key_0000000000000000", p.as_str());
        let e = h.err("set_key", json!({"provider": p, "key": wrong}));
        assert_eq!(e["code"], "auth", "{p}: {e}");
        assert_eq!(keyring.get(SecretName::api_key(p)).unwrap(), None);
    }

    // Valid keys (pasted with white space) are checked, then kept in the keyring.
    for (p, key) in KEYS {
        let status = h.ok(
            "set_key",
            json!({"provider": p, "key": format!("  {key}\n")}),
        );
        assert!(key_set(&status, p.as_str()));
        let saved = keyring.get(SecretName::api_key(p)).unwrap().unwrap();
        assert_eq!(saved.expose(), key);
    }
    let status = h.ok("keys_status", json!({}));
    assert!(KEYS.iter().all(|(p, _)| key_set(&status, p.as_str())));

    // Use every command that talks to a provider with the keys.
    let balances = h.ok("balances", json!({}));
    assert_eq!(balances[0]["provider"], "otpzap");
    assert_eq!(balances[0]["balance"]["status"], "ok");
    assert_eq!(balances[1]["balance"]["status"], "not_available");
    assert_eq!(balances[2]["balance"]["status"], "not_available");

    let countries = h.ok("catalog_countries", json!({}));
    assert_eq!(countries["failures"], json!([]));
    let indonesia = country(&countries, "Indonesia");
    let items = h.ok(
        "catalog_items",
        json!({"country": indonesia, "search": "whatsapp"}),
    );
    assert_eq!(items["failures"], json!([]));
    let items = items["items"].as_array().unwrap();
    for source in ["otpzap_s1", "otpzap_s2", "numberotp"] {
        assert!(
            items.iter().any(|i| i["source"] == source),
            "{source} missing"
        );
    }
    assert!(items.iter().all(|i| i["service"] == "WhatsApp"));

    // Buy on two providers; codes arrive and are announced.
    let mut bought = Vec::new();
    for source in ["otpzap_s1", "numberotp"] {
        let item = items.iter().find(|i| i["source"] == source).unwrap();
        let order = h.ok("buy", json!({"target": item["target"]}));
        assert_eq!(order["status"], "pending");
        let code = h.wait_for_code(order["id"].as_str().unwrap(), Duration::from_secs(20));
        bought.push((order, code));
    }
    let active = h.ok("active_orders", json!({}));
    assert_eq!(active.as_array().unwrap().len(), 2);
    let codes = h.shell.codes.lock().unwrap().clone();
    for (order, code) in &bought {
        assert!(codes.contains(&(
            order["id"].as_str().unwrap().to_string(),
            code.clone(),
            false
        )));
    }

    // Typed refusals: OTPZap cancels only a number still waiting for its code (the order
    // view offers no cancel then, and the backend refuses it before asking the provider).
    let s1 = bought[0].0["id"].clone();
    assert!(!bought[0].0["actions"].as_array().unwrap().is_empty());
    let now = h.ok("recent_orders", json!({"limit": 10}));
    let view = now
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == s1)
        .unwrap()
        .clone();
    assert!(
        !view["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "cancel"),
        "{view}"
    );
    let e = h.err("cancel_order", json!({"orderId": s1}));
    assert_eq!(e["code"], "not_allowed", "{e}");
    h.ok("finish_order", json!({"orderId": s1}));
    let e = h.err("finish_order", json!({"orderId": bought[1].0["id"]}));
    assert_eq!(e["code"], "not_allowed", "NumberOTP has no finish endpoint");

    // Settings are saved in the store file (which must not hold a key either).
    let mut settings = h.ok("get_settings", json!({}));
    settings["auto_copy"] = json!(false);
    settings["language"] = json!("id");
    let saved = h.ok("update_settings", json!({"settings": settings}));
    assert_eq!(saved["language"], "id");
    let mut bad = saved.clone();
    bad["poll_budget_per_minute"] = json!(5000);
    let e = h.err("update_settings", json!({"settings": bad}));
    assert_eq!(e["code"], "invalid_settings");

    // The key is in the keyring and nowhere else.
    let mut searched = 0;
    for (path, bytes) in files(h.data.path()) {
        searched += 1;
        for (_, key) in KEYS {
            assert!(!contains(&bytes, key), "key found in {}", path.display());
        }
    }
    assert!(searched >= 2, "the store file and the SQLite file exist");
    assert!(h.data.path().join("settings.json").exists());
    let responses = h.responses.lock().unwrap().join("\n");
    let events = h.shell.events.lock().unwrap().join("\n");
    let log = String::from_utf8_lossy(&logs().lock().unwrap()).to_string();
    assert!(events.contains("otp_received"));
    assert!(log.contains("DEBUG"), "the log capture works");
    for (_, key) in KEYS {
        assert!(!responses.contains(key), "key in an IPC response");
        assert!(!events.contains(key), "key in a UI event");
        assert!(!log.contains(key), "key in the logs");
    }

    // Clearing removes it from the keyring.
    for (p, _) in KEYS {
        let status = h.ok("clear_key", json!({"provider": p}));
        assert!(!key_set(&status, p.as_str()));
        assert_eq!(keyring.get(SecretName::api_key(p)).unwrap(), None);
    }
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}
