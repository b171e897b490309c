//! Shared test setup: a simulator on a free port, an engine on a temp dir pointing at it.
#![allow(dead_code)]

use otpdesk_core::{ApiKey, Money, ProviderId};
use otpdesk_engine::{Budget, BuyRequest, Engine, EngineConfig, EngineEvent, ProviderConfig};
use otpdesk_providers::HttpOptions;
pub use otpdesk_sim::control::types::NumberOtpShape;
use otpdesk_sim::control::SimControl;
use otpdesk_sim::{SimConfig, SimHandle};
use std::path::Path;

pub mod desktops;
pub mod pg;
pub mod relay;
use std::time::Duration;

pub struct Sim {
    pub handle: SimHandle,
    pub control: SimControl,
    /// NumberOTP's id of Indonesia in the dialect this simulator speaks, read by name.
    pub notp_indonesia: String,
}

impl Sim {
    /// NumberOTP: WhatsApp in Indonesia, the country found by name in the sim's dialect.
    pub fn numberotp_wa(&self) -> BuyRequest {
        BuyRequest::Numberotp {
            service: "wa".into(),
            country: self.notp_indonesia.clone(),
        }
    }
}

pub const ZAP_KEY: &str = "test_otpzap_key_0123456789";
pub const NOTP_KEY: &str = "notp_test_0123456789abcdef";
pub const OOP_KEY: &str = "mk_MERCHANT_abcdefghijklmnopqrstuvwxyz123456";

/// OTPZap Server 1: WhatsApp in Indonesia.
pub const S1: BuyRequest = BuyRequest::OtpzapS1 {
    product_id: 814_090_256,
    country_id: 7,
    platform_id: 1,
};

/// NumberOTP: WhatsApp in Indonesia, in the documented dialect (the default simulator); the id
/// is the simulator catalogue's, found by name. [`Sim::numberotp_wa`] works in either dialect.
pub fn numberotp_wa() -> BuyRequest {
    let indonesia = otpdesk_sim::catalog::COUNTRIES
        .iter()
        .find(|c| c.name == "Indonesia")
        .expect("Indonesia in the catalogue");
    BuyRequest::Numberotp {
        service: "wa".into(),
        country: indonesia.notp.into(),
    }
}

/// OTPZap Server 2: WhatsApp in Indonesia, any operator.
pub fn s2_wa() -> BuyRequest {
    BuyRequest::OtpzapS2 {
        service_id: 101,
        country_id: 7,
        operator_id: "random".into(),
    }
}

pub async fn sim(rate_limit_per_min: u32) -> Sim {
    sim_shaped(rate_limit_per_min, NumberOtpShape::Doc).await
}

/// A simulator answering NumberOTP in `shape`.
pub async fn sim_shaped(rate_limit_per_min: u32, shape: NumberOtpShape) -> Sim {
    let cfg = SimConfig {
        otp_delay: None,
        rate_limit_per_min,
        numberotp_shape: shape,
        ..SimConfig::default()
    };
    let handle = otpdesk_sim::spawn(cfg).await.expect("sim");
    let control = handle.control();
    control
        .add_account(ProviderId::Otpzap, ZAP_KEY, Money::idr(1_000_000_000))
        .await
        .unwrap();
    control
        .add_account(
            ProviderId::Numberotp,
            NOTP_KEY,
            Money::parse(otpdesk_core::Currency::Usd, "100000").unwrap(),
        )
        .await
        .unwrap();
    control
        .add_account(
            ProviderId::Ooppay,
            OOP_KEY,
            Money::parse(otpdesk_core::Currency::Usdt, "0").unwrap(),
        )
        .await
        .unwrap();
    let notp = otpdesk_providers::NumberOtpClient::new(
        &handle.numberotp_url(),
        ApiKey::new(NOTP_KEY).unwrap(),
        http(5_000),
    )
    .unwrap();
    let notp_indonesia = notp
        .country_by_name("Indonesia")
        .await
        .unwrap()
        .expect("Indonesia sold on NumberOTP")
        .id
        .to_string();
    Sim {
        handle,
        control,
        notp_indonesia,
    }
}

/// The simulator answers OTPZap's next GET with `429 Retry-After: retry_after`.
pub async fn rate_limit_next_otpzap_get(sim: &Sim, retry_after: u64) {
    use otpdesk_sim::control::types::{FaultKind, FaultRule};
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::RateLimit { retry_after })
                .provider(ProviderId::Otpzap)
                .method("GET")
                .times(1),
        )
        .await
        .unwrap();
}

pub fn http(timeout_ms: u64) -> HttpOptions {
    HttpOptions {
        request_timeout: Duration::from_millis(timeout_ms),
        connect_timeout: Duration::from_millis(timeout_ms),
        long_poll_timeout: Duration::from_secs(65),
    }
}

pub fn config(sim: &Sim, dir: &Path, budget: Budget, timeout_ms: u64) -> EngineConfig {
    let h = &sim.handle;
    let mut cfg = EngineConfig::new(dir)
        .provider(
            ProviderConfig::new(
                ProviderId::Otpzap,
                h.otpzap_url(),
                ApiKey::new(ZAP_KEY).unwrap(),
            )
            .with_budget(budget)
            .with_http(http(timeout_ms)),
        )
        .provider(
            ProviderConfig::new(
                ProviderId::Numberotp,
                h.numberotp_url(),
                ApiKey::new(NOTP_KEY).unwrap(),
            )
            .with_budget(budget)
            .with_http(http(timeout_ms)),
        )
        .provider(
            ProviderConfig::new(
                ProviderId::Ooppay,
                h.ooppay_url(),
                ApiKey::new(OOP_KEY).unwrap(),
            )
            .with_budget(budget)
            .with_http(http(timeout_ms)),
        );
    cfg.tracking.poll_interval = Duration::from_millis(200);
    cfg.tracking.idle_poll_interval = Duration::from_millis(200);
    cfg.tracking.deposit_poll_interval = Duration::from_millis(200);
    cfg.tracking.max_backoff = Duration::from_secs(2);
    cfg.tracking.buy_retry_base = Duration::from_millis(20);
    if pg::enabled() {
        cfg.team = Some(pg::team_for(dir));
    }
    cfg
}

pub async fn engine(sim: &Sim, dir: &Path) -> Engine {
    Engine::open(config(sim, dir, Budget::per_minute(60_000.0), 5_000))
        .await
        .expect("engine")
}

/// Next event matching `f`, or panic after `secs`.
pub async fn next_event(
    rx: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
    secs: u64,
    mut f: impl FnMut(&EngineEvent) -> bool,
) -> EngineEvent {
    tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            match rx.recv().await {
                Ok(e) if f(&e) => return e,
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("event stream closed: {e}"),
            }
        }
    })
    .await
    .expect("event in time")
}

/// How much slower than native this test program runs: 4 under wine (the Windows build tested
/// on Linux by scripts/windows-check.sh, often on a busy machine), else 1. Timing-sensitive tests
/// stretch their timeouts, delays and windows by it; what they assert stays the same.
pub fn slowdown() -> u32 {
    if under_wine() {
        4
    } else {
        1
    }
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

#[cfg(not(windows))]
pub fn under_wine() -> bool {
    false
}

/// The OTPZap Server 1 product of `S1` (WhatsApp Indonesia, 2835 rupiah), for `/_sim/offers`.
pub const S1_PRODUCT: u64 = 814_090_256;

/// How many times the simulator charged `key`.
pub async fn charges_to(sim: &Sim, key: &str) -> usize {
    sim.control
        .ledger(Some(key))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == otpdesk_sim::control::types::LedgerKind::Charge)
        .count()
}
