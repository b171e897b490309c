//! A mock-runtime app with the real command handler, store plugin, keyring and engine; every IPC
//! response, UI event and log line is recorded so tests can search them, and native dialogs are
//! answered by the test. Optionally with the app's real ACL (command manifest + capabilities).

use otpdesk_app::balance_watch::LowBalanceAlert;
use otpdesk_app::catalog::ProviderBalance;
use otpdesk_app::events::AppMode;
use otpdesk_app::i18n::Lang;
use otpdesk_app::settings::{SettingsStore, STORE_FILE};
use otpdesk_app::shell::{Confirm, Shell};
use otpdesk_app::state::AppState;
use otpdesk_app::updater;
use otpdesk_app::{config::AppEnv, settings::Settings};
use otpdesk_core::ProviderId;
use otpdesk_engine::{EngineEvent, OrderView};
use otpdesk_sim::{SimConfig, SimHandle, DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OTPZAP_KEY};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};
use tauri_plugin_store::StoreExt;

/// Every log line of the test process (all targets, debug and up).
pub fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_ansi(false)
            .with_writer(move || LogWriter(sink.clone()))
            .try_init();
        buf
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Records what the app would show: events, tray counts, notifications.
#[derive(Default)]
pub struct RecordingShell {
    pub events: Mutex<Vec<String>>,
    pub modes: Mutex<Vec<AppMode>>,
    /// Every "Buy N" progress event, as the window receives it.
    pub batches: Mutex<Vec<Value>>,
    pub active: Mutex<Vec<usize>>,
    pub codes: Mutex<Vec<(String, String, bool)>>,
    /// Native notifications other than codes: (summary, body).
    pub notices: Mutex<Vec<(String, String)>>,
    pub balances: Mutex<Vec<Value>>,
    pub low_alerts: Mutex<Vec<Value>>,
    pub opened: Mutex<Vec<String>>,
    /// What the save dialog answers.
    pub save_to: Mutex<Option<std::path::PathBuf>>,
    /// Every confirmation dialog shown.
    pub confirms: Mutex<Vec<Confirm>>,
    /// What the confirmation dialogs answer (`false`: Cancel).
    pub confirm_answer: Mutex<bool>,
    /// The languages the tray was switched to.
    pub languages: Mutex<Vec<Lang>>,
    /// Start at login registrations asked of the OS (`true`: on).
    pub start_at_login: Mutex<Vec<bool>>,
    /// The OS refuses to change the start at login.
    pub start_at_login_fails: Mutex<bool>,
    pub log_folder_opened: Mutex<usize>,
    /// Times the app was told to quit.
    pub exits: Mutex<usize>,
}

impl Shell for RecordingShell {
    fn engine_event(&self, event: EngineEvent) {
        self.events
            .lock()
            .unwrap()
            .push(serde_json::to_string(&event).unwrap());
    }
    fn mode_changed(&self, mode: AppMode) {
        self.modes.lock().unwrap().push(mode);
    }
    fn batch_progress(&self, event: &otpdesk_app::events::BatchProgressEvent) {
        let v = serde_json::to_value(event).unwrap();
        self.batches.lock().unwrap().push(v);
    }
    fn active_orders(&self, count: usize) {
        self.active.lock().unwrap().push(count);
    }
    fn code_landed(&self, order: &OrderView, code: &str, _settings: &Settings, demo: bool) {
        self.codes
            .lock()
            .unwrap()
            .push((order.id.clone(), code.to_string(), demo));
    }
    fn notify(&self, text: (String, String), _sound: bool) {
        self.notices.lock().unwrap().push(text);
    }
    fn balance_updated(&self, balance: &ProviderBalance) {
        let v = serde_json::to_value(balance).unwrap();
        self.balances.lock().unwrap().push(v);
    }
    fn low_balance(&self, alert: &LowBalanceAlert) {
        let v = serde_json::to_value(alert).unwrap();
        self.low_alerts.lock().unwrap().push(v);
    }
    fn open_url(&self, url: &str) -> Result<(), String> {
        self.opened.lock().unwrap().push(url.to_string());
        Ok(())
    }
    fn save_path(&self, _suggested_name: &str) -> Option<std::path::PathBuf> {
        self.save_to.lock().unwrap().clone()
    }
    fn confirm(&self, question: &Confirm) -> bool {
        self.confirms.lock().unwrap().push(question.clone());
        *self.confirm_answer.lock().unwrap()
    }
    fn language(&self, lang: Lang) {
        self.languages.lock().unwrap().push(lang);
    }
    fn start_at_login(&self, on: bool) -> Result<(), String> {
        if *self.start_at_login_fails.lock().unwrap() {
            return Err("permission denied".into());
        }
        self.start_at_login.lock().unwrap().push(on);
        Ok(())
    }
    fn open_log_folder(&self) -> Result<(), String> {
        *self.log_folder_opened.lock().unwrap() += 1;
        Ok(())
    }
    fn exit(&self) {
        *self.exits.lock().unwrap() += 1;
    }
}

/// The simulator's key for each provider.
pub const KEYS: [(ProviderId, &str); 3] = [
    (ProviderId::Otpzap, DEMO_OTPZAP_KEY),
    (ProviderId::Numberotp, DEMO_NUMBEROTP_KEY),
    (ProviderId::Ooppay, DEMO_OOPPAY_KEY),
];

/// A simulator (codes after 300 ms) and an app pointed at it, no key saved yet (real mode).
pub fn on_sim() -> (SimHandle, Harness) {
    let sim = tauri::async_runtime::block_on(otpdesk_sim::spawn(SimConfig {
        otp_delay: Some(Duration::from_millis(300)),
        ..SimConfig::default()
    }))
    .unwrap();
    let urls = [
        (ProviderId::Otpzap, sim.otpzap_url()),
        (ProviderId::Numberotp, sim.numberotp_url()),
        (ProviderId::Ooppay, sim.ooppay_url()),
    ];
    let h = Harness::new(&urls);
    (sim, h)
}

/// A simulator and an app with all three keys saved (real mode).
pub fn app_with_keys() -> (SimHandle, Harness) {
    let (sim, h) = on_sim();
    for (p, key) in KEYS {
        h.ok("set_key", json!({"provider": p, "key": key}));
    }
    (sim, h)
}

pub fn otpzap_balance(h: &Harness) -> i64 {
    let b = h.ok("balances", json!({}));
    b[0]["balance"]["amount"]["minor"]
        .as_i64()
        .expect("OTPZap balance")
}

/// The country called `name` in a `catalog_countries` answer.
pub fn country(countries: &Value, name: &str) -> Value {
    countries["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} in the catalog"))
}

pub struct Harness {
    pub app: tauri::App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub data: tempfile::TempDir,
    pub service: String,
    pub shell: Arc<RecordingShell>,
    /// Every IPC response body, success or error, as the webview would receive it.
    pub responses: Mutex<Vec<String>>,
}

/// How a [`Harness`] starts.
#[derive(Default)]
pub struct Start {
    /// Provider base URLs from the environment (as the e2e test passes them).
    pub urls: Vec<(ProviderId, String)>,
    /// As `otpdesk-app --demo` (the README's start command).
    pub demo_without_keys: bool,
    /// An existing data directory (a restart); a fresh one when `None`.
    pub data: Option<tempfile::TempDir>,
    /// An existing keyring service name (a restart); a fresh one when `None`.
    pub service: Option<String>,
    /// The app's real ACL: only the commands of the manifest pass. Without it every registered
    /// command does (as in a mock context), which lets tests call helpers the UI does not.
    pub real_acl: bool,
}

impl Harness {
    /// `urls`: provider base URLs (as the e2e test passes them by environment).
    pub fn new(urls: &[(ProviderId, String)]) -> Harness {
        Harness::started(urls, false)
    }

    /// As the app starts; `demo_without_keys` as `otpdesk-app --demo` (the README's start command).
    pub fn started(urls: &[(ProviderId, String)], demo_without_keys: bool) -> Harness {
        Harness::start(Start {
            urls: urls.to_vec(),
            demo_without_keys,
            ..Start::default()
        })
    }

    pub fn start(opts: Start) -> Harness {
        logs();
        let data = opts.data.unwrap_or_else(|| tempfile::tempdir().unwrap());
        let service = opts
            .service
            .unwrap_or_else(|| format!("otpdesk-test-{}", uuid::Uuid::new_v4()));
        let env = AppEnv {
            data_dir: Some(data.path().to_path_buf()),
            keyring_service: Some(service.clone()),
            urls: opts.urls.iter().cloned().collect(),
            demo_without_keys: opts.demo_without_keys,
        };
        let builder = otpdesk_app::specta_builder::<MockRuntime>();
        let mut context = mock_context(noop_assets());
        if opts.real_acl {
            let mut real = otpdesk_app::context::<MockRuntime>();
            std::mem::swap(
                context.runtime_authority_mut(),
                real.runtime_authority_mut(),
            );
        }
        // The app's updater block (its placeholder key): the plugin is registered as in the app,
        // and updates read as not configured.
        let updater =
            otpdesk_app::context::<MockRuntime>().config().plugins.0[updater::PLUGIN].clone();
        context
            .config_mut()
            .plugins
            .0
            .insert(updater::PLUGIN.into(), updater);
        let plugins = context.config().clone();
        let app = updater::plugin(mock_builder(), &plugins)
            .plugin(tauri_plugin_store::Builder::new().build())
            .invoke_handler(builder.invoke_handler())
            .build(context)
            .unwrap();
        updater::start(app.handle(), updater::Schedule::APP, None, false, None);
        let store = app.store(data.path().join(STORE_FILE)).unwrap();
        let shell = Arc::new(RecordingShell::default());
        let state = AppState::new(
            env,
            data.path().to_path_buf(),
            SettingsStore::new(Box::new(store)),
            shell.clone(),
        );
        app.manage(state);
        tauri::async_runtime::block_on(app.state::<AppState>().open_at_start()).unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Harness {
            app,
            window,
            data,
            service,
            shell,
            responses: Mutex::new(Vec::new()),
        }
    }

    /// Quit and start again on the same data and keyring, with `urls` from the environment.
    pub fn restart(self, urls: &[(ProviderId, String)]) -> Harness {
        let state = self.app.state::<AppState>();
        tauri::async_runtime::block_on(async {
            if let Ok(s) = state.session().await {
                s.close().await;
            }
        });
        let Harness {
            app,
            window,
            data,
            service,
            ..
        } = self;
        drop(window);
        drop(app);
        Harness::start(Start {
            urls: urls.to_vec(),
            data: Some(data),
            service: Some(service),
            ..Start::default()
        })
    }

    /// Call a command through the IPC layer, as the UI does.
    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let out = invoke_on(&self.window, cmd, args);
        let text = match &out {
            Ok(v) | Err(v) => v.to_string(),
        };
        self.responses
            .lock()
            .unwrap()
            .push(format!("{cmd}: {text}"));
        out
    }

    /// [`Harness::invoke`] without the harness (from another thread, while a command runs).
    pub fn window(&self) -> WebviewWindow<MockRuntime> {
        self.window.clone()
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    pub fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args) {
            Ok(v) => panic!("{cmd} should have failed, got {v}"),
            Err(e) => e,
        }
    }

    /// Poll `active_orders` / `recent_orders` until `order_id` has a code.
    pub fn wait_for_code(&self, order_id: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let orders = self.ok("recent_orders", json!({"limit": 50}));
            let code = orders.as_array().unwrap().iter().find_map(|o| {
                (o["id"] == order_id)
                    .then(|| {
                        o["otps"]
                            .as_array()?
                            .iter()
                            .rev()
                            .find_map(|t| t["code"].as_str().map(String::from))
                    })
                    .flatten()
            });
            if let Some(code) = code {
                return code;
            }
            assert!(
                start.elapsed() < timeout,
                "no code for {order_id} in {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Wait until a forwarded engine event contains `needle`.
    pub fn wait_event(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        while !self
            .shell
            .events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.contains(needle))
        {
            assert!(start.elapsed() < timeout, "no event with {needle}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn close(self) {
        let state = self.app.state::<AppState>();
        tauri::async_runtime::block_on(async {
            if let Ok(s) = state.session().await {
                s.close().await;
            }
        });
    }
}

/// Every file under `dir`, recursively, with its bytes.
pub fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            out.push((path, bytes));
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Call a command through the IPC layer on `window`, as the UI does.
pub fn invoke_on(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    tauri::test::get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}
