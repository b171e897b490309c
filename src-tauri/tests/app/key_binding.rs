//! A key is bound to the origin it was checked against: after the provider's address moves to
//! another origin (in Settings, after a native confirmation, or by an environment override), the
//! key is never sent there. Origin B is a small local HTTP listener that records every request
//! it receives, so the tests can assert the key never reached it.

use crate::harness::{logs, Harness, Start};
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_secrets::{SecretName, SecretStore};
use otpdesk_sim::{SimConfig, SimHandle, DEMO_OTPZAP_KEY};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A stand-in for another host: answers every request with 404 (which a key check reads as "key
/// accepted") and keeps each request's raw bytes, headers and body.
struct Recorder {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(Duration::from_millis(300)));
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                // Read the head, then whatever body follows within the timeout.
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    raw.extend_from_slice(&buf[..n]);
                    if raw.windows(4).any(|w| w == b"\r\n\r\n") && n < buf.len() {
                        break;
                    }
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&raw).to_string());
                let body = r#"{"success":false,"message":"not found"}"#;
                let _ = write!(
                    conn,
                    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Recorder { port, requests }
    }

    /// The same path as `sim_url` (so only the origin differs), on this listener.
    fn url_like(&self, sim_url: &str) -> String {
        let path = url::Url::parse(sim_url).unwrap().path().to_string();
        format!(
            "http://127.0.0.1:{}{}",
            self.port,
            path.trim_end_matches('/')
        )
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn all(&self) -> String {
        self.requests.lock().unwrap().join("\n----\n")
    }

    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

fn sim() -> SimHandle {
    tauri::async_runtime::block_on(otpdesk_sim::spawn(SimConfig::default())).unwrap()
}

fn origin_of(url: &str) -> String {
    url::Url::parse(url).unwrap().origin().ascii_serialization()
}

fn otpzap_status(status: &Value) -> Value {
    status
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["provider"] == "otpzap")
        .unwrap()
        .clone()
}

/// Every provider call the UI can make, so the key would go out if the app still used it.
fn use_every_read(h: &Harness) {
    let _ = h.invoke("balances", json!({}));
    let _ = h.invoke("catalog_countries", json!({}));
    let _ = h.invoke("email_sites", json!({}));
    let _ = h.invoke("deposits", json!({"activeOnly": false}));
    // Trackers and balance watches run in the background: give them time to call out.
    std::thread::sleep(Duration::from_millis(800));
}

fn set_otpzap_address(h: &Harness, url: &str) -> Result<Value, Value> {
    let mut settings = h.ok("get_settings", json!({}));
    settings["base_urls"]["otpzap"] = json!(url);
    h.invoke("update_settings", json!({ "settings": settings }))
}

#[test]
fn a_key_checked_at_one_address_is_never_sent_to_the_next() {
    let sim = sim();
    let recorder = Recorder::start();
    // No environment override for OTPZap: its address comes from Settings, as a user sets it.
    let h = Harness::new(&[]);
    let keyring = SecretStore::new(h.service.clone());
    let a = sim.otpzap_url();
    let b = recorder.url_like(&a);

    // Unsafe addresses are refused with their own codes, and nothing is asked.
    for (bad, code) in [
        ("http://localhost:x@evil.example/", "address_credentials"),
        ("https://user:pw@otpzap.com/api/v1", "address_credentials"),
        ("http://evil.example/api/v1", "insecure_address"),
        ("https://otpzap.com/api/v1?debug=1", "address_query"),
        ("otpzap.com", "invalid_address"),
    ] {
        let e = set_otpzap_address(&h, bad).unwrap_err();
        assert_eq!(e["code"], code, "{bad}: {e}");
        assert_eq!(e["provider"], "otpzap", "{bad}");
    }
    assert!(h.shell.confirms.lock().unwrap().is_empty());

    // Address A (no key yet: no question), then the key, checked at A and bound to A's origin.
    set_otpzap_address(&h, &a).unwrap();
    assert!(h.shell.confirms.lock().unwrap().is_empty());
    let status = h.ok(
        "set_key",
        json!({"provider": "otpzap", "key": DEMO_OTPZAP_KEY}),
    );
    assert_eq!(otpzap_status(&status)["source"], "keyring");
    assert_eq!(
        keyring.api_key_origin(ProviderId::Otpzap).unwrap(),
        Some(origin_of(&a))
    );
    let balances = h.ok("balances", json!({}));
    assert_eq!(balances[0]["balance"]["status"], "ok", "{balances}");

    // Moving to B asks first, natively. Cancel: nothing changes.
    let e = set_otpzap_address(&h, &b).unwrap_err();
    assert_eq!(e["code"], "cancelled", "{e}");
    {
        let asked = h.shell.confirms.lock().unwrap();
        assert_eq!(asked.len(), 1);
        assert!(asked[0].message.contains("OTPZap"), "{}", asked[0].message);
        assert!(asked[0].message.contains(&origin_of(&a)));
        assert!(asked[0].message.contains(&recorder.origin()));
        assert!(asked[0].message.contains("entered again"));
    }
    let settings = h.ok("get_settings", json!({}));
    assert_eq!(settings["base_urls"]["otpzap"], json!(a));
    assert!(keyring
        .get(SecretName::api_key(ProviderId::Otpzap))
        .unwrap()
        .is_some());
    assert_eq!(
        otpzap_status(&h.ok("keys_status", json!({})))["source"],
        "keyring"
    );
    use_every_read(&h);
    assert_eq!(recorder.count(), 0, "cancel sent something to B");

    // OK: the address changes and the key is removed (it must be entered again for B).
    *h.shell.confirm_answer.lock().unwrap() = true;
    let saved = set_otpzap_address(&h, &b).unwrap();
    assert_eq!(saved["base_urls"]["otpzap"], json!(b));
    assert_eq!(h.shell.confirms.lock().unwrap().len(), 2);
    assert_eq!(
        keyring
            .get(SecretName::api_key(ProviderId::Otpzap))
            .unwrap(),
        None
    );
    assert_eq!(keyring.api_key_origin(ProviderId::Otpzap).unwrap(), None);
    let status = otpzap_status(&h.ok("keys_status", json!({})));
    assert_eq!(
        (status["set"].clone(), status["source"].clone()),
        (json!(false), json!("none"))
    );
    use_every_read(&h);
    assert!(
        !recorder.all().contains(DEMO_OTPZAP_KEY),
        "the key reached B:\n{}",
        recorder.all()
    );

    // A key entered again for B goes to B (the recorder does record), bound to B's origin.
    let fresh = "otpzap_key_for_b_4242424242";
    h.ok("set_key", json!({"provider": "otpzap", "key": fresh}));
    assert!(
        recorder.all().contains(fresh),
        "the recorder saw the new key"
    );
    assert!(!recorder.all().contains(DEMO_OTPZAP_KEY));
    assert_eq!(
        keyring.api_key_origin(ProviderId::Otpzap).unwrap(),
        Some(recorder.origin())
    );

    // A path change on the same origin keeps the key and asks nothing.
    set_otpzap_address(&h, &format!("{b}/")).unwrap();
    assert_eq!(h.shell.confirms.lock().unwrap().len(), 2);
    assert!(keyring
        .get(SecretName::api_key(ProviderId::Otpzap))
        .unwrap()
        .is_some());

    // Nothing about either key in the logs or the responses.
    let log = String::from_utf8_lossy(&logs().lock().unwrap()).to_string();
    let responses = h.responses.lock().unwrap().join("\n");
    for key in [DEMO_OTPZAP_KEY, fresh] {
        assert!(!log.contains(key), "key in the logs");
        assert!(!responses.contains(key), "key in an IPC response");
    }
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}

#[test]
fn an_environment_override_to_another_origin_does_not_get_the_key() {
    let sim = sim();
    let recorder = Recorder::start();
    let a = sim.otpzap_url();
    let h = Harness::new(&[(ProviderId::Otpzap, a.clone())]);
    h.ok(
        "set_key",
        json!({"provider": "otpzap", "key": DEMO_OTPZAP_KEY}),
    );

    // The next start points OTPZap at B from the environment (no dialog is possible there).
    let h = h.restart(&[(ProviderId::Otpzap, recorder.url_like(&a))]);
    let status = otpzap_status(&h.ok("keys_status", json!({})));
    assert_eq!(status["set"], false);
    assert_eq!(status["source"], "other_address", "must be entered again");
    let app = h.ok("app_status", json!({}));
    assert_eq!(otpzap_status(&app["keys"])["source"], "other_address");
    use_every_read(&h);
    let balances = h.ok("balances", json!({}));
    assert_ne!(balances[0]["balance"]["status"], "ok", "{balances}");
    assert!(
        !recorder.all().contains(DEMO_OTPZAP_KEY),
        "the key reached B:\n{}",
        recorder.all()
    );
    // The key is kept (bound to A), and works again where it was checked.
    let keyring = SecretStore::new(h.service.clone());
    assert_eq!(
        keyring.api_key_origin(ProviderId::Otpzap).unwrap(),
        Some(origin_of(&a))
    );
    let h = h.restart(&[(ProviderId::Otpzap, a.clone())]);
    assert_eq!(
        otpzap_status(&h.ok("keys_status", json!({})))["source"],
        "keyring"
    );
    let balances = h.ok("balances", json!({}));
    assert_eq!(balances[0]["balance"]["status"], "ok", "{balances}");
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}

#[test]
fn keys_saved_before_binding_are_bound_at_first_start() {
    let sim = sim();
    let service = format!("otpdesk-test-{}", uuid::Uuid::new_v4());
    let keyring = SecretStore::new(service.clone());
    // As an older version (or the CLI) saved it: the key alone.
    keyring
        .set(
            SecretName::api_key(ProviderId::Otpzap),
            &ApiKey::new(DEMO_OTPZAP_KEY).unwrap(),
        )
        .unwrap();
    assert_eq!(keyring.api_key_origin(ProviderId::Otpzap).unwrap(), None);

    let a = sim.otpzap_url();
    let h = Harness::start(Start {
        urls: vec![(ProviderId::Otpzap, a.clone())],
        service: Some(service),
        ..Start::default()
    });
    // Not locked out: the key works, and is now bound to the address in use at this start.
    assert_eq!(
        otpzap_status(&h.ok("keys_status", json!({})))["source"],
        "keyring"
    );
    let balances = h.ok("balances", json!({}));
    assert_eq!(balances[0]["balance"]["status"], "ok", "{balances}");
    assert_eq!(
        keyring.api_key_origin(ProviderId::Otpzap).unwrap(),
        Some(origin_of(&a))
    );

    // From then on it is bound: another origin does not get it.
    let recorder = Recorder::start();
    let h = h.restart(&[(ProviderId::Otpzap, recorder.url_like(&a))]);
    assert_eq!(
        otpzap_status(&h.ok("keys_status", json!({})))["source"],
        "other_address"
    );
    use_every_read(&h);
    assert!(!recorder.all().contains(DEMO_OTPZAP_KEY));
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}
