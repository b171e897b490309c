//! A small headless engine process for the crash test (and a handy demo): opens the store in
//! `OTPDESK_DATA_DIR` (resuming whatever was left), buys OTPZap Server 1 numbers until
//! `OTPDESK_BUY_TARGET` purchases have been attempted in this store, then keeps tracking, printing
//! every event as one JSON line, until it is killed.
//!
//! Env: OTPDESK_DATA_DIR, OTPDESK_OTPZAP_URL + OTPDESK_OTPZAP_KEY, optional
//! OTPDESK_NUMBEROTP_URL + OTPDESK_NUMBEROTP_KEY, OTPDESK_BUY_TARGET (default 0),
//! OTPDESK_POLL_MS (default 5000), OTPDESK_PER_MINUTE (default 270),
//! OTPDESK_PRODUCT (default 814090256, WhatsApp Indonesia).

use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_engine::{AttemptKind, Budget, BuyRequest, Engine, EngineConfig, ProviderConfig};
use std::io::Write;
use std::time::Duration;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn num(name: &str, default: u64) -> u64 {
    env(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let data_dir = env("OTPDESK_DATA_DIR").expect("OTPDESK_DATA_DIR");
    let budget = Budget::per_minute(num("OTPDESK_PER_MINUTE", 270) as f64);
    let mut cfg = EngineConfig::new(data_dir);
    cfg.tracking.poll_interval = Duration::from_millis(num("OTPDESK_POLL_MS", 5000));
    cfg.tracking.idle_poll_interval = cfg.tracking.poll_interval;
    // Team mode: the order book on a PostgreSQL server (as the CLI's OTPDESK_STORE).
    if let Some(s) = env("OTPDESK_STORE") {
        cfg.team = Some(otpdesk_engine::db::PgConfig::parse(&s).expect("OTPDESK_STORE"));
    }
    for (p, url, key) in [
        (
            ProviderId::Otpzap,
            "OTPDESK_OTPZAP_URL",
            "OTPDESK_OTPZAP_KEY",
        ),
        (
            ProviderId::Numberotp,
            "OTPDESK_NUMBEROTP_URL",
            "OTPDESK_NUMBEROTP_KEY",
        ),
    ] {
        if let (Some(url), Some(key)) = (env(url), env(key).and_then(ApiKey::new)) {
            cfg = cfg.provider(ProviderConfig::new(p, url, key).with_budget(budget));
        }
    }
    let engine = Engine::open(cfg).await.expect("open engine");
    let mut events = engine.subscribe();
    tokio::spawn(async move {
        while let Ok(e) = events.recv().await {
            let line = serde_json::to_string(&e).unwrap_or_default();
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    });
    println!("{{\"type\":\"ready\",\"tracked\":{}}}", engine.tracked());
    let target = num("OTPDESK_BUY_TARGET", 0) as usize;
    let product_id = num("OTPDESK_PRODUCT", 814_090_256) as i64;
    loop {
        let done = engine
            .attempts(None)
            .expect("attempts")
            .iter()
            .filter(|a| a.provider == ProviderId::Otpzap && a.kind == AttemptKind::Sms)
            .count();
        if done >= target {
            break;
        }
        let req = BuyRequest::OtpzapS1 {
            product_id,
            country_id: 7,
            platform_id: 1,
        };
        if let Err(e) = engine.buy(req).await {
            eprintln!("buy failed: {} ({})", e, e.code());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    println!("{{\"type\":\"bought\"}}");
    std::future::pending::<()>().await;
}
