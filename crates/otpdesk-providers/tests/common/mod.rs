//! Shared set-up of the integration tests: one simulator per test, clients on its URLs.
#![allow(dead_code)]

use otpdesk_providers::ooppay::CreatePayment;
use otpdesk_providers::otpzap::{EmailDomainChoice, EmailOrderRequest, OrderRequest};
use otpdesk_providers::{
    ApiKey, Currency, HttpOptions, Money, NumberOtpClient, OopPayClient, OtpZapClient,
};
pub use otpdesk_sim::control::types::NumberOtpShape;
use otpdesk_sim::control::types::{FaultKind, FaultRule};
use otpdesk_sim::{SimConfig, SimControl, SimHandle};
use std::time::Duration;

pub use otpdesk_sim::{DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OTPZAP_KEY};

/// The docs' "WhatsApp - Indonesia" product.
pub const WA_ID: u64 = 814_090_256;

/// A server-1 order of [`WA_ID`], no country or platform.
pub fn s1_wa() -> OrderRequest {
    OrderRequest::Server1 {
        product_id: WA_ID.into(),
        country_id: None,
        platform_id: None,
    }
}

pub fn usdt(s: &str) -> Money {
    Money::parse(Currency::Usdt, s).unwrap()
}

/// An OOPPay payment of 5 USDT.
pub fn payment(id: &str) -> CreatePayment {
    CreatePayment {
        merchant_order_id: id.into(),
        amount: usdt("5"),
        callback_url: None,
        expire_minutes: None,
    }
}

/// An email order for openai.com on gmail.com.
pub fn email_req() -> EmailOrderRequest {
    EmailOrderRequest {
        site: "openai.com".into(),
        domain: EmailDomainChoice::Domain("gmail.com".into()),
        qty: None,
        subject: None,
        regex: None,
    }
}

pub struct Env {
    pub sim: SimHandle,
    pub ctl: SimControl,
}

pub async fn env() -> Env {
    env_with(SimConfig::default()).await
}

/// A simulator answering NumberOTP in `shape`.
pub async fn env_shaped(shape: NumberOtpShape) -> Env {
    env_with(SimConfig {
        numberotp_shape: shape,
        ..SimConfig::default()
    })
    .await
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
        request_timeout: Duration::from_millis(1000),
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

    /// NumberOTP's id of the country named `name`, read from the provider (ids differ between
    /// the documented and the real dialect; names do not).
    pub async fn notp_country(&self, name: &str) -> String {
        self.numberotp()
            .country_by_name(name)
            .await
            .expect("countries")
            .unwrap_or_else(|| panic!("no country named {name}"))
            .id
            .to_string()
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

/// One HTTP request as a raw test server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub request_line: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 server on loopback: records each request and answers with `reply`
/// (a full raw response). Returns its port and the receiving end of the recorded requests.
pub async fn raw_server(reply: String) -> (u16, tokio::sync::mpsc::UnboundedReceiver<Seen>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let tx = tx.clone();
            let reply = reply.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let request_line = lines.next().unwrap_or_default().to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let body = buf[head_end..].to_vec();
                let _ = tx.send(Seen {
                    request_line,
                    headers,
                    body,
                });
                let _ = sock.write_all(reply.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (port, rx)
}

pub const OK_REPLY: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK";

/// The next request a raw server saw, within 5 s.
pub async fn next_seen(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a request arrives in time")
        .expect("server alive")
}
