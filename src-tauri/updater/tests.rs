//! The updater for real: a local HTTP server serves a `latest.json` (the static format
//! tauri-action publishes) and an artifact signed the way the Tauri CLI signs (minisign, a key
//! made here); the plugin's own check, download and verification run through [`Updates`]. Also:
//! tampered bytes and other keys are refused, the placeholder key asks nothing, and restarting
//! waits for a purchase against the provider simulator. Install and restart are recorded, not
//! done (they would replace the test binary).

use super::*;
use base64::engine::general_purpose::STANDARD as B64;
use otpdesk_core::{ApiKey, Money, ProviderId};
use otpdesk_engine::{BuyRequest, EngineConfig, EngineError, ProviderConfig};
use serde_json::json;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicUsize;
use std::time::Instant;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};

/// Path → (status, body).
type Routes = Arc<Mutex<HashMap<String, (u16, Vec<u8>)>>>;
/// Every request's path, and when it came.
type Hits = Arc<Mutex<Vec<(String, Instant)>>>;

/// A tiny HTTP server: fixed answers by path, and a count of requests per path.
struct Server {
    base: String,
    routes: Routes,
    hits: Hits,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Routes = Default::default();
        let hits: Hits = Default::default();
        let (r, h) = (routes.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                let text = String::from_utf8_lossy(&head);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                h.lock().unwrap().push((path.clone(), Instant::now()));
                let (status, body) = r
                    .lock()
                    .unwrap()
                    .get(&path)
                    .cloned()
                    .unwrap_or((404, b"not found".to_vec()));
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            }
        });
        Server { base, routes, hits }
    }

    fn serve(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.into(), (200, body.into()));
    }

    fn hits(&self, path: &str) -> Vec<Instant> {
        let hits = self.hits.lock().unwrap();
        hits.iter()
            .filter(|(p, _)| p == path)
            .map(|h| h.1)
            .collect()
    }

    fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().len()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A release key, as `tauri signer generate` makes one.
struct Key {
    /// What goes into `plugins.updater.pubkey`: the base64 of the public key file.
    pubkey: String,
    sk: minisign::SecretKey,
}

fn key() -> Key {
    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    Key {
        pubkey: B64.encode(kp.pk.to_box().unwrap().to_string()),
        sk: kp.sk,
    }
}

/// The `.sig` the Tauri CLI writes for `data`, signed for `version` (base64 of the signature file).
fn sign(key: &Key, data: &[u8], version: &str) -> String {
    let trusted =
        format!("timestamp:1765000000\tfile:OTPDesk_{version}_amd64.AppImage\tversion:{version}");
    let sig = minisign::sign(
        None,
        &key.sk,
        std::io::Cursor::new(data),
        Some(&trusted),
        Some("signature from tauri secret key"),
    )
    .unwrap();
    B64.encode(sig.to_string())
}

const NOTES: &str = "Faster codes on Windows.";

/// Publish `artifact` as release `version` with `signature`, in the static format, for this
/// platform (an unbundled test binary looks up `{os}-{arch}`).
fn publish(server: &Server, version: &str, artifact: &[u8], signature: &str) {
    let target = format!("{}-{}", updater_os(), std::env::consts::ARCH);
    let latest = json!({
        "version": version,
        "notes": NOTES,
        "pub_date": "2025-12-06T10:00:00Z",
        "platforms": {
            target: { "url": server.url("/OTPDesk.AppImage"), "signature": signature },
        },
    });
    server.serve("/latest.json", latest.to_string());
    server.serve("/OTPDesk.AppImage", artifact.to_vec());
}

fn updater_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    }
}

/// A mock app (version 0.1.0) with the real updater plugin configured with `pubkey` and
/// `endpoint`, and the app's typed events.
fn app(pubkey: &str, endpoint: &str) -> tauri::App<MockRuntime> {
    let mut ctx = mock_context(noop_assets());
    ctx.config_mut().plugins.0.insert(
        PLUGIN.into(),
        json!({ "endpoints": [endpoint], "pubkey": pubkey }),
    );
    let app = plugin(mock_builder(), ctx.config())
        .build(ctx)
        .expect("the app starts");
    crate::specta_builder::<MockRuntime>().mount_events(&app);
    app
}

/// Records installs (after checking the bytes it is given still verify) and restarts.
#[derive(Default)]
struct Recorder {
    installs: Mutex<Vec<(String, usize)>>,
    restarts: AtomicUsize,
    fail_install: AtomicBool,
}

impl Host for Recorder {
    fn install(&self, update: &Update, bytes: &[u8]) -> Result<(), String> {
        update.verify(bytes).map_err(|e| e.to_string())?;
        self.installs
            .lock()
            .unwrap()
            .push((update.version.clone(), bytes.len()));
        if self.fail_install.load(Ordering::SeqCst) {
            return Err("Authentication failed or was cancelled".into());
        }
        Ok(())
    }

    fn restart(&self) {
        self.restarts.fetch_add(1, Ordering::SeqCst);
    }
}

impl Recorder {
    fn installs(&self) -> Vec<(String, usize)> {
        self.installs.lock().unwrap().clone()
    }
    fn restarts(&self) -> usize {
        self.restarts.load(Ordering::SeqCst)
    }
}

fn updates(recorder: &Arc<Recorder>) -> Updates {
    Updates::new(true, Box::new(|_| {}), recorder.clone())
}

/// The plugin's updater for `app` (its config, a short timeout).
fn plugin_updater(app: &tauri::App<MockRuntime>) -> Updater {
    app.updater_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

const FAST: Schedule = Schedule {
    first: Duration::from_millis(300),
    every: Duration::from_millis(250),
    after_error: Duration::from_millis(250),
    tick: Duration::from_millis(50),
};

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_app_checks_20_seconds_after_start_then_every_12_hours() {
    assert_eq!(Schedule::APP.first, Duration::from_secs(20));
    assert_eq!(Schedule::APP.every, Duration::from_secs(12 * 3600));
    assert!(Schedule::APP.after_error < Schedule::APP.every);
    assert!(Schedule::APP.tick <= Duration::from_secs(600));
}

#[test]
fn the_shipped_config_reads_as_not_configured_until_the_key_is_set() {
    let config = crate::context::<MockRuntime>().config().clone();
    assert!(
        has_plugin_config(&config),
        "tauri.conf.json has plugins.updater"
    );
    let block = &config.plugins.0[PLUGIN];
    assert_eq!(
        block["endpoints"],
        json!(["https://github.com/otpdesk/otpdesk/releases/latest/download/latest.json"])
    );
    if block["pubkey"] == PUBKEY_PLACEHOLDER {
        let why = availability(&config, Some("1"), false).unwrap_err();
        assert!(why.contains("placeholder"), "{why}");
    } else {
        // The release key was set (docs/RELEASING.md): it must be a usable one.
        assert_eq!(availability(&config, None, false), Ok(()));
    }
}

#[test]
fn only_a_minisign_public_key_configures_updates() {
    let good = key().pubkey;
    assert_eq!(pubkey_problem(&good), None);
    for (bad, why) in [
        (PUBKEY_PLACEHOLDER.to_string(), "placeholder"),
        (String::new(), "no public key"),
        ("not base64 at all!".to_string(), "not base64"),
        (B64.encode("hello"), "minisign"),
        // The key itself, not the base64 of its file.
        (
            String::from_utf8(B64.decode(&good).unwrap())
                .unwrap()
                .lines()
                .last()
                .unwrap()
                .to_string(),
            "minisign",
        ),
        (B64.encode([0xff, 0xfe, 0x00]), "minisign"),
    ] {
        let problem = pubkey_problem(&bad).unwrap_or_else(|| panic!("{bad:?} accepted"));
        assert!(problem.contains(why), "{bad:?}: {problem}");
    }
    // Checks run only where asked: never in a development build without OTPDESK_UPDATES=1.
    let mut ctx = mock_context::<MockRuntime, _>(noop_assets());
    let cfg = ctx.config_mut();
    assert!(availability(cfg, None, false)
        .unwrap_err()
        .contains("plugins.updater"));
    cfg.plugins.0.insert(
        PLUGIN.into(),
        json!({"endpoints": ["https://example.com/latest.json"], "pubkey": good}),
    );
    assert_eq!(availability(cfg, None, false), Ok(()));
    assert_eq!(availability(cfg, Some("1"), true), Ok(()));
    assert!(availability(cfg, None, true)
        .unwrap_err()
        .contains("development build"));
    assert!(availability(cfg, Some("0"), false)
        .unwrap_err()
        .contains("off"));
    cfg.plugins
        .0
        .insert(PLUGIN.into(), json!({"endpoints": [], "pubkey": good}));
    assert!(availability(cfg, Some("1"), false)
        .unwrap_err()
        .contains("no endpoint"));
}

#[test]
fn the_placeholder_key_starts_normally_and_asks_nothing() {
    let server = Server::start();
    let k = key();
    publish(&server, "9.9.9", b"new app", &sign(&k, b"new app", "9.9.9"));
    let app = app(PUBKEY_PLACEHOLDER, &server.url("/latest.json"));
    let recorder = Arc::new(Recorder::default());
    start(app.handle(), FAST, Some("1"), false, Some(recorder.clone()));
    std::thread::sleep(FAST.first + FAST.every * 3);
    let updates = app.state::<Updates>();
    assert_eq!(updates.status(None), UpdateStatus::NotConfigured);
    assert_eq!(
        server.total_hits(),
        0,
        "no request with the placeholder key"
    );
    let e = tauri::async_runtime::block_on(updates.restart_to_update(None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotAllowed);
    assert!(recorder.installs().is_empty() && recorder.restarts() == 0);
}

#[test]
fn a_signed_update_is_found_downloaded_verified_and_ready_then_installed_on_the_click() {
    let server = Server::start();
    let k = key();
    let artifact = b"OTPDesk 9.9.9 AppImage bytes".repeat(1000);
    publish(&server, "9.9.9", &artifact, &sign(&k, &artifact, "9.9.9"));
    let app = app(&k.pubkey, &server.url("/latest.json"));
    let announced: Arc<Mutex<Vec<UpdateReady>>> = Default::default();
    let seen = announced.clone();
    UpdateReady::listen(app.handle(), move |e| seen.lock().unwrap().push(e.payload));
    let recorder = Arc::new(Recorder::default());
    let started = Instant::now();
    start(app.handle(), FAST, Some("1"), false, Some(recorder.clone()));
    let updates = app.state::<Updates>();
    assert_eq!(updates.status(None), UpdateStatus::Idle);

    wait_until("the update to be ready", Duration::from_secs(20), || {
        matches!(updates.status(None), UpdateStatus::Ready { .. })
    });
    let first = server.hits("/latest.json")[0];
    assert!(first - started >= FAST.first, "the first check waits");
    assert_eq!(
        updates.status(None),
        UpdateStatus::Ready {
            version: "9.9.9".into(),
            notes: Some(NOTES.into()),
            purchase_under_way: false,
        }
    );
    wait_until("the event", Duration::from_secs(5), || {
        !announced.lock().unwrap().is_empty()
    });
    assert_eq!(
        announced.lock().unwrap()[0],
        UpdateReady {
            version: "9.9.9".into(),
            notes: Some(NOTES.into()),
        }
    );

    // Later checks find the same release: no second download, no second event, and nothing is
    // ever installed or restarted without the user.
    wait_until("two more checks", Duration::from_secs(20), || {
        server.hits("/latest.json").len() >= 3
    });
    assert_eq!(server.hits("/OTPDesk.AppImage").len(), 1);
    assert_eq!(announced.lock().unwrap().len(), 1);
    assert!(recorder.installs().is_empty());
    assert_eq!(recorder.restarts(), 0);

    // The click: the verified bytes are installed (they verify again), then the app restarts.
    tauri::async_runtime::block_on(updates.restart_to_update(None)).unwrap();
    assert_eq!(recorder.installs(), [("9.9.9".to_string(), artifact.len())]);
    assert_eq!(recorder.restarts(), 1);
    // A second click while the app restarts installs nothing again.
    let again = tauri::async_runtime::block_on(updates.restart_to_update(None)).unwrap_err();
    assert_eq!(again.code, ErrorCode::NotAllowed);
    assert_eq!(recorder.installs().len(), 1);
}

#[test]
fn a_tampered_artifact_is_refused() {
    let server = Server::start();
    let k = key();
    let artifact = b"the real installer".to_vec();
    let signature = sign(&k, &artifact, "9.9.9");
    let mut tampered = artifact.clone();
    tampered[0] ^= 1;
    publish(&server, "9.9.9", &tampered, &signature);
    let app = app(&k.pubkey, &server.url("/latest.json"));
    let recorder = Arc::new(Recorder::default());
    let updates = updates(&recorder);
    let e = tauri::async_runtime::block_on(updates.check(&plugin_updater(&app))).unwrap_err();
    assert!(
        e.contains("9.9.9 was refused: its signature does not verify"),
        "{e}"
    );
    assert!(e.contains("signature verification failed"), "{e}");
    assert_eq!(
        server.hits("/OTPDesk.AppImage").len(),
        1,
        "downloaded, then refused"
    );
    assert!(matches!(updates.status(None), UpdateStatus::Error { message } if message == e));
    let refused = tauri::async_runtime::block_on(updates.restart_to_update(None)).unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotAllowed);
    assert!(recorder.installs().is_empty() && recorder.restarts() == 0);
}

#[test]
fn a_signature_from_another_key_is_refused() {
    let server = Server::start();
    let (ours, theirs) = (key(), key());
    let artifact = b"an installer signed by someone else".to_vec();
    publish(
        &server,
        "9.9.9",
        &artifact,
        &sign(&theirs, &artifact, "9.9.9"),
    );
    let app = app(&ours.pubkey, &server.url("/latest.json"));
    let recorder = Arc::new(Recorder::default());
    let updates = updates(&recorder);
    let e = tauri::async_runtime::block_on(updates.check(&plugin_updater(&app))).unwrap_err();
    assert!(e.contains("signature does not verify"), "{e}");
    assert!(e.contains("different key"), "{e}");
    assert!(matches!(updates.status(None), UpdateStatus::Error { .. }));
}

#[test]
fn an_older_release_announced_as_newer_is_refused() {
    // A genuine, signed 0.0.9 served as "9.9.9" (a forced downgrade): the signed version differs.
    let server = Server::start();
    let k = key();
    let old = b"the old, genuine installer".to_vec();
    publish(&server, "9.9.9", &old, &sign(&k, &old, "0.0.9"));
    let app = app(&k.pubkey, &server.url("/latest.json"));
    let updates = updates(&Arc::new(Recorder::default()));
    let e = tauri::async_runtime::block_on(updates.check(&plugin_updater(&app))).unwrap_err();
    assert!(e.contains("signature does not verify"), "{e}");
    assert!(e.contains("signed for version 0.0.9"), "{e}");
}

#[test]
fn no_update_when_the_release_is_not_newer_and_failures_are_reported() {
    let server = Server::start();
    let k = key();
    let app = app(&k.pubkey, &server.url("/latest.json"));
    let updates = updates(&Arc::new(Recorder::default()));
    // Nothing published yet: the check fails, and says so.
    let e = tauri::async_runtime::block_on(updates.check(&plugin_updater(&app))).unwrap_err();
    assert!(e.contains("the update check failed"), "{e}");
    assert!(matches!(updates.status(None), UpdateStatus::Error { .. }));
    // The running version (0.1.0) is the latest: nothing is downloaded.
    publish(&server, "0.1.0", b"same", &sign(&k, b"same", "0.1.0"));
    let found = tauri::async_runtime::block_on(updates.check(&plugin_updater(&app))).unwrap();
    assert_eq!(found, None);
    assert_eq!(updates.status(None), UpdateStatus::Idle);
    assert!(server.hits("/OTPDesk.AppImage").is_empty());
}

const ZAP_KEY: &str = "test_otpzap_key_0123456789";
const S1: BuyRequest = BuyRequest::OtpzapS1 {
    product_id: 814_090_256,
    country_id: 7,
    platform_id: 1,
};

#[test]
fn restarting_waits_for_a_purchase_under_way() {
    tauri::async_runtime::block_on(async {
        // An update is ready.
        let server = Server::start();
        let k = key();
        publish(&server, "9.9.9", b"new", &sign(&k, b"new", "9.9.9"));
        let app = app(&k.pubkey, &server.url("/latest.json"));
        let recorder = Arc::new(Recorder::default());
        let updates = updates(&recorder);
        updates.check(&plugin_updater(&app)).await.unwrap().unwrap();

        // A purchase whose create call takes a while, against the provider simulator.
        let sim = otpdesk_sim::spawn(otpdesk_sim::SimConfig::default())
            .await
            .unwrap();
        let control = sim.control();
        control
            .add_account(ProviderId::Otpzap, ZAP_KEY, Money::idr(1_000_000))
            .await
            .unwrap();
        control.set_create_delay_ms(1_500).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig::new(dir.path()).provider(ProviderConfig::new(
            ProviderId::Otpzap,
            sim.otpzap_url(),
            ApiKey::new(ZAP_KEY).unwrap(),
        )))
        .await
        .unwrap();
        let buying = {
            let engine = engine.clone();
            tokio::spawn(async move { engine.buy_checked(S1, None).await })
        };
        let start = Instant::now();
        while engine.paid_calls_in_flight() == 0 {
            assert!(start.elapsed() < Duration::from_secs(5));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }

        // Refused while it runs, and the status says why; nothing installed.
        assert!(matches!(
            updates.status(Some(&engine)),
            UpdateStatus::Ready {
                purchase_under_way: true,
                ..
            }
        ));
        let e = updates.restart_to_update(Some(&engine)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::PurchaseUnderWay);
        assert!(recorder.installs().is_empty() && recorder.restarts() == 0);

        // Done: the purchase is stored, and restarting goes ahead.
        let order = buying.await.unwrap().expect("the purchase finished");
        assert!(order.phone.is_some());
        assert!(matches!(
            updates.status(Some(&engine)),
            UpdateStatus::Ready {
                purchase_under_way: false,
                ..
            }
        ));
        updates.restart_to_update(Some(&engine)).await.unwrap();
        assert_eq!(recorder.installs().len(), 1);
        assert_eq!(recorder.restarts(), 1);
        // The engine was stopped before the restart: no purchase starts any more.
        assert!(matches!(
            engine.buy(S1).await.unwrap_err(),
            EngineError::Shutdown
        ));
        sim.shutdown().await;
    });
}

#[test]
fn a_failed_install_keeps_the_app_as_it_was() {
    tauri::async_runtime::block_on(async {
        let server = Server::start();
        let k = key();
        publish(&server, "9.9.9", b"new", &sign(&k, b"new", "9.9.9"));
        let app = app(&k.pubkey, &server.url("/latest.json"));
        let recorder = Arc::new(Recorder::default());
        recorder.fail_install.store(true, Ordering::SeqCst);
        let updates = updates(&recorder);
        updates.check(&plugin_updater(&app)).await.unwrap().unwrap();
        let e = updates.restart_to_update(None).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::UpdateFailed);
        assert!(e.message.contains("cancelled"), "{}", e.message);
        assert_eq!(
            recorder.restarts(),
            0,
            "no restart into a half-installed app"
        );
        // Still ready: the user may try again, and this time it goes through.
        assert!(matches!(updates.status(None), UpdateStatus::Ready { .. }));
        recorder.fail_install.store(false, Ordering::SeqCst);
        updates.restart_to_update(None).await.unwrap();
        assert_eq!(recorder.installs().len(), 2);
        assert_eq!(recorder.restarts(), 1);
    });
}
