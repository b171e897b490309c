//! Shared set-up of the integration tests: one simulator per test, clients on its URLs.
#![allow(dead_code)]

use otpdesk_providers::{ApiKey, HttpOptions, NumberOtpClient, OopPayClient, OtpZapClient};
use otpdesk_sim::control::types::{FaultKind, FaultRule};
use otpdesk_sim::{SimConfig, SimControl, SimHandle};
use std::time::Duration;

pub use otpdesk_sim::{DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OTPZAP_KEY};

pub struct Env {
    pub sim: SimHandle,
    pub ctl: SimControl,
}

pub async fn env() -> Env {
    env_with(SimConfig::default()).await
}

pub async fn env_with(config: SimConfig) -> Env {
    let sim = otpdesk_sim::spawn(config).await.expect("simulator starts");
    let ctl = sim.control();
    Env { sim, ctl }
}

pub fn options() -> HttpOptions {
    HttpOptions {
        request_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
        long_poll_timeout: Duration::from_secs(65),
    }
}

/// Options with a short request timeout, for the `delay` fault.
pub fn impatient() -> HttpOptions {
    HttpOptions {
        request_timeout: Duration::from_millis(400),
        ..options()
    }
}

pub fn key(k: &str) -> ApiKey {
    ApiKey::new(k).expect("non-empty key")
}

impl Env {
    pub fn otpzap(&self) -> OtpZapClient {
        self.otpzap_as(DEMO_OTPZAP_KEY, options())
    }

    pub fn otpzap_as(&self, k: &str, opts: HttpOptions) -> OtpZapClient {
        OtpZapClient::new(&self.sim.otpzap_url(), key(k), opts).expect("client")
    }

    pub fn numberotp(&self) -> NumberOtpClient {
        self.numberotp_as(DEMO_NUMBEROTP_KEY, options())
    }

    pub fn numberotp_as(&self, k: &str, opts: HttpOptions) -> NumberOtpClient {
        NumberOtpClient::new(&self.sim.numberotp_url(), key(k), opts).expect("client")
    }

    pub fn ooppay(&self) -> OopPayClient {
        self.ooppay_as(DEMO_OOPPAY_KEY, options())
    }

    pub fn ooppay_as(&self, k: &str, opts: HttpOptions) -> OopPayClient {
        OopPayClient::new(&self.sim.ooppay_url(), key(k), opts).expect("client")
    }

    /// Inject `kind` once on requests whose path contains `path`.
    pub async fn fault_once(&self, path: &str, kind: FaultKind) {
        self.ctl
            .add_fault(&FaultRule::new(kind).path(path).times(1))
            .await
            .expect("fault added");
    }
}

/// A loopback port with nothing listening.
pub async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}
