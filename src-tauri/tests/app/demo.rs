//! Demo mode: the simulator inside the app; codes arrive by themselves; keys and the keyring are
//! never touched; demo data stays in `demo/`.

use crate::harness::{contains, country, files, Harness};
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_secrets::{SecretName, SecretStore};
use serde_json::json;
use std::time::Duration;

#[test]
fn demo_runs_on_the_simulator_and_never_touches_the_keyring() {
    // Real mode points at a port where nothing listens: any real call would fail loudly.
    let nowhere = "http://127.0.0.1:9/nothing".to_string();
    let urls = ProviderId::ALL.map(|p| (p, nowhere.clone()));
    let h = Harness::new(&urls);
    let keyring = SecretStore::new(h.service.clone());
    // A key saved before the demo must come out of it unchanged and unread.
    let sentinel = "ozk_sentinel_key_must_stay_put_0123456789";
    keyring
        .set(
            SecretName::api_key(ProviderId::Otpzap),
            &ApiKey::new(sentinel).unwrap(),
        )
        .unwrap();

    let status = h.ok("start_demo", json!({}));
    assert_eq!(status["mode"], "demo");
    assert!(status["keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["set"] == true && k["source"] == "demo"));
    for cmd in ["set_key", "clear_key"] {
        let e = h.err(cmd, json!({"provider": "otpzap", "key": "ozk_other"}));
        assert_eq!(e["code"], "demo_mode");
    }

    let balances = h.ok("balances", json!({}));
    assert_eq!(balances[0]["balance"]["status"], "ok");
    let countries = h.ok("catalog_countries", json!({}));
    let indonesia = country(&countries, "Indonesia");
    let items = h.ok(
        "catalog_items",
        json!({"country": indonesia, "search": "tele"}),
    );
    let item = &items["items"][0];
    assert_eq!(item["service"], "Telegram");
    let order = h.ok("buy", json!({"target": item["target"]}));
    let id = order["id"].as_str().unwrap().to_string();
    // The simulator delivers the code by itself a few seconds later.
    let code = h.wait_for_code(&id, Duration::from_secs(40));
    assert!(h
        .shell
        .codes
        .lock()
        .unwrap()
        .contains(&(id.clone(), code, true)));

    // Demo data lives in demo/, and leaving the demo shows the real (empty) history again.
    let demo_files = files(&h.data.path().join("demo"));
    assert!(!demo_files.is_empty());
    let status = h.ok("stop_demo", json!({}));
    assert_eq!(status["mode"], "real");
    let recent = h.ok("recent_orders", json!({"limit": 10}));
    assert_eq!(recent, json!([]));
    assert_eq!(
        *h.shell.modes.lock().unwrap(),
        [
            otpdesk_app::events::AppMode::Real,
            otpdesk_app::events::AppMode::Demo,
            otpdesk_app::events::AppMode::Real
        ]
    );

    // The keyring still holds exactly the sentinel, which never left it.
    assert_eq!(
        keyring
            .get(SecretName::api_key(ProviderId::Otpzap))
            .unwrap()
            .unwrap()
            .expose(),
        sentinel
    );
    for p in [ProviderId::Numberotp, ProviderId::Ooppay] {
        assert_eq!(keyring.get(SecretName::api_key(p)).unwrap(), None);
    }
    let responses = h.responses.lock().unwrap().join("\n");
    assert!(!responses.contains(sentinel));
    for (_, bytes) in files(h.data.path()) {
        assert!(!contains(&bytes, sentinel));
    }
    keyring
        .clear(SecretName::api_key(ProviderId::Otpzap))
        .unwrap();
    h.close();
}

/// `scripts/start.sh` runs `otpdesk-app --demo`: with no key saved the app opens in demo mode,
/// on the built-in simulator, and can buy and receive a code without any setup.
#[test]
fn start_command_opens_the_demo_when_no_key_is_saved() {
    let nowhere = "http://127.0.0.1:9/nothing".to_string();
    let urls = ProviderId::ALL.map(|p| (p, nowhere.clone()));
    let h = Harness::started(&urls, true);
    let status = h.ok("app_status", json!({}));
    assert_eq!(status["mode"], "demo", "{status}");
    let balances = h.ok("balances", json!({}));
    let otpzap = balances
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["provider"] == "otpzap")
        .unwrap();
    assert_eq!(otpzap["balance"]["status"], "ok", "{balances}");
    h.close();
}
