//! Test harness: a spawned simulator with a frozen clock, and small HTTP helpers.
#![allow(dead_code)]

use otpdesk_sim::control::types::ConfigPatch;
use otpdesk_sim::{
    SimConfig, SimControl, SimHandle, DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OTPZAP_KEY,
};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub struct Env {
    pub sim: SimHandle,
    pub ctl: SimControl,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn retry_after(&self) -> Option<u64> {
        self.headers.get("retry-after")?.to_str().ok()?.parse().ok()
    }
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }
}

/// A simulator with the clock frozen (tests move it explicitly).
pub async fn start() -> Env {
    start_with(SimConfig::default()).await
}

pub async fn start_with(config: SimConfig) -> Env {
    let sim = otpdesk_sim::spawn(config).await.expect("sim starts");
    let ctl = sim.control();
    ctl.set_clock_scale(0).await.expect("freeze clock");
    Env {
        sim,
        ctl,
        http: reqwest::Client::new(),
    }
}

impl Env {
    pub async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        key: &str,
        body: Option<Value>,
        idem: Option<&str>,
    ) -> Reply {
        let mut req = self.http.request(method, url).bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(k) = idem {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn oz_get(&self, path: &str) -> Reply {
        self.call(
            reqwest::Method::GET,
            format!("{}{path}", self.sim.otpzap_url()),
            DEMO_OTPZAP_KEY,
            None,
            None,
        )
        .await
    }

    pub async fn oz_post(&self, path: &str, body: Value) -> Reply {
        self.call(
            reqwest::Method::POST,
            format!("{}{path}", self.sim.otpzap_url()),
            DEMO_OTPZAP_KEY,
            Some(body),
            None,
        )
        .await
    }

    pub async fn oz_post_idem(&self, path: &str, body: Value, idem: &str) -> Reply {
        self.call(
            reqwest::Method::POST,
            format!("{}{path}", self.sim.otpzap_url()),
            DEMO_OTPZAP_KEY,
            Some(body),
            Some(idem),
        )
        .await
    }

    pub async fn notp_get(&self, path: &str) -> Reply {
        self.call(
            reqwest::Method::GET,
            format!("{}{path}", self.sim.numberotp_url()),
            DEMO_NUMBEROTP_KEY,
            None,
            None,
        )
        .await
    }

    pub async fn notp_post(&self, path: &str, body: Value) -> Reply {
        self.call(
            reqwest::Method::POST,
            format!("{}{path}", self.sim.numberotp_url()),
            DEMO_NUMBEROTP_KEY,
            Some(body),
            None,
        )
        .await
    }

    pub async fn oop_get(&self, path: &str) -> Reply {
        self.call(
            reqwest::Method::GET,
            format!("{}{path}", self.sim.ooppay_url()),
            DEMO_OOPPAY_KEY,
            None,
            None,
        )
        .await
    }

    pub async fn oop_post(&self, path: &str, body: Value) -> Reply {
        self.call(
            reqwest::Method::POST,
            format!("{}{path}", self.sim.ooppay_url()),
            DEMO_OOPPAY_KEY,
            Some(body),
            None,
        )
        .await
    }

    pub async fn oz_balance(&self) -> i64 {
        self.oz_get("/balance").await.data()["balance"]
            .as_i64()
            .expect("balance")
    }

    /// An account's balance in minor units, as the control API reports it.
    pub async fn ledger_balance(&self, key: &str) -> i64 {
        self.ctl
            .balance(key)
            .await
            .expect("control API")
            .expect("known account")
            .minor
    }

    /// Buy WhatsApp - Indonesia (Rp 2835) on Server 1; returns the order data.
    pub async fn buy_whatsapp(&self) -> Value {
        let r = self.oz_post("/order/create", serde_json::json!({"server":1,"product_id":814090256,"country_id":7,"platform_id":1})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.data().clone()
    }

    pub async fn set_config(&self, patch: ConfigPatch) {
        self.ctl.set_config(&patch).await.expect("config");
    }
}

/// The simulator binary, started so that [`stop_binary`] can stop it cleanly: on Windows in a
/// process group of its own, the one Ctrl+Break is sent to (not the test's).
pub fn sim_binary() -> std::process::Command {
    #[allow(unused_mut)]
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_otpdesk-sim"));
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        cmd.creation_flags(CREATE_NEW_PROCESS_GROUP);
    }
    cmd
}

/// Stop the binary as scripts and service managers do, and check that it shut down cleanly:
/// SIGTERM on Unix, Ctrl+Break on Windows.
///
/// Under wine (scripts/windows-check.sh) it cannot be done: wine 8 refuses console control
/// events from a program started without a terminal ("Incorrect access to Shell-no-window
/// console"), and with a console of its own (FreeConsole + AllocConsole, a conhost without a
/// display) the event was taken but never reached the simulator. There the binary is terminated
/// instead and only its end is checked; the clean stop is checked on Linux and real Windows.
pub fn stop_binary(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let sent = std::process::Command::new("kill")
            .arg(child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill {}: {sent:?}", child.id());
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Console::{GenerateConsoleCtrlEvent, CTRL_BREAK_EVENT};
        if under_wine() {
            eprintln!("under wine: the simulator is terminated, its clean stop is not tested");
            child.kill().expect("terminate");
            child.wait().expect("ended");
            return;
        }
        // SAFETY: a plain Win32 call; the group id is the child's process id.
        let sent = unsafe { GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, child.id()) };
        assert!(
            sent != 0,
            "Ctrl+Break to {}: {}",
            child.id(),
            std::io::Error::last_os_error()
        );
    }
    let status = child.wait().expect("ended");
    assert!(status.success(), "not a clean stop: {status:?}");
}

/// Whether this Windows program runs under wine (whose ntdll exports `wine_get_version`).
#[cfg(windows)]
pub fn under_wine() -> bool {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    // SAFETY: both take NUL-terminated names; ntdll is loaded in every process.
    unsafe {
        let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
        !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
    }
}
