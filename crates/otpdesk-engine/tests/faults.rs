//! 1,000 purchases while the simulator injects faults into every create: reply dropped after the
//! charge, delay past the client timeout, 500/503, an HTML error page, JSON cut in half. Checked
//! against the simulator's own ledger: no purchase is charged twice, and every charge is either a
//! stored order or an attempt listed as `outcome_unknown` for the user to reconcile.

mod common;

use common::*;
use otpdesk_core::ProviderId;
use otpdesk_engine::*;
use otpdesk_sim::control::types::{FaultKind, FaultRule, LedgerKind as SimKind};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PURCHASES: usize = 1_000;
const CONCURRENCY: usize = 16;

/// What to buy, spread over the simulator's catalog so stock does not run out.
struct Shop {
    s1: Vec<(i64, i64, i64)>,
    email: Vec<(String, String)>,
}

impl Shop {
    fn new() -> Shop {
        let cat = otpdesk_sim::catalog::Catalog::new(42);
        let s1 = cat
            .products
            .iter()
            .filter(|p| p.initial_stock >= 100)
            .map(|p| {
                (
                    p.id as i64,
                    i64::from(p.country.id),
                    i64::from(p.service.id),
                )
            })
            .collect();
        let mut email = Vec::new();
        for site in otpdesk_sim::catalog::SITES {
            for d in otpdesk_sim::catalog::DOMAINS {
                if cat.domain_offer(site.site, d).initial_stock >= 10 {
                    email.push((site.site.to_string(), d.name.to_string()));
                }
            }
        }
        Shop { s1, email }
    }

    fn request(&self, i: usize) -> BuyRequest {
        // 80 % OTPZap SMS (idempotent), 10 % NumberOTP, 10 % OTPZap email (not idempotent for us).
        match i % 10 {
            0 => numberotp_wa(),
            1 => {
                let (site, domain) = self.email[i / 10 % self.email.len()].clone();
                BuyRequest::OtpzapEmail { site, domain }
            }
            2 => BuyRequest::OtpzapS2 {
                service_id: 101 + (i / 10 % 5) as i64,
                country_id: 7,
                operator_id: "random".into(),
            },
            _ => {
                let (product_id, country_id, platform_id) = self.s1[i % self.s1.len()];
                BuyRequest::OtpzapS1 {
                    product_id,
                    country_id,
                    platform_id,
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_faulty_purchases_never_double_charge_or_hide_an_order() {
    let started = Instant::now();
    let sim = sim(10_000_000).await;
    let dir = tempfile::tempdir().unwrap();
    // Small client timeout so the delay fault costs little; no tracking noise in the request log.
    let mut cfg = config(&sim, dir.path(), Budget::per_minute(6_000_000.0), 150);
    cfg.tracking.poll_interval = Duration::from_secs(3600);
    cfg.tracking.idle_poll_interval = Duration::from_secs(3600);
    cfg.tracking.buy_max_tries = 6;
    cfg.tracking.buy_retry_base = Duration::from_millis(5);
    let engine = Engine::open(cfg).await.unwrap();

    let p = 0.06;
    for kind in [
        FaultKind::DropAfterCommit,
        FaultKind::Delay { ms: 250 },
        FaultKind::Status {
            status: 500,
            body: None,
        },
        FaultKind::Status {
            status: 503,
            body: None,
        },
        FaultKind::Html,
        FaultKind::MalformedJson,
    ] {
        sim.control
            .add_fault(&FaultRule::new(kind).method("POST").probability(p))
            .await
            .unwrap();
    }

    let shop = Arc::new(Shop::new());
    let next = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(std::sync::Mutex::new(HashMap::<&'static str, usize>::new()));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (engine, next, outcomes, shop) =
            (engine.clone(), next.clone(), outcomes.clone(), shop.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= PURCHASES {
                    return;
                }
                let code = match engine.buy(shop.request(i)).await {
                    Ok(_) => "ok",
                    Err(e) => e.code(),
                };
                *outcomes.lock().unwrap().entry(code).or_default() += 1;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let buy_time = started.elapsed();
    sim.control.clear_faults().await.unwrap();

    // Unknown OTPZap SMS purchases are settled by re-sending with their own key.
    let unknown_before = engine.attempts(Some(AttemptState::OutcomeUnknown)).unwrap();
    for a in &unknown_before {
        let _ = engine.reconcile(&a.id).await;
    }
    let attempts = engine.attempts(None).unwrap();
    let unknown: Vec<_> = attempts
        .iter()
        .filter(|a| a.state == AttemptState::OutcomeUnknown)
        .collect();
    assert!(
        unknown
            .iter()
            .all(|a| a.kind != AttemptKind::Sms || a.provider != ProviderId::Otpzap),
        "idempotent purchases all settle"
    );
    assert_eq!(
        attempts.len(),
        PURCHASES,
        "one attempt per purchase, retries reuse it"
    );
    assert!(attempts.iter().all(|a| a.state != AttemptState::Pending));

    let charges: Vec<_> = sim
        .control
        .ledger(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == SimKind::Charge)
        .collect();
    // No idempotency key was charged twice.
    let mut per_key = HashMap::new();
    for c in &charges {
        if let Some(k) = &c.idempotency_key {
            *per_key.entry(k.clone()).or_insert(0) += 1;
        }
    }
    assert!(per_key.values().all(|n| *n == 1), "a key charged twice");

    // Every charge is a stored order, or an unknown outcome the user is shown.
    let mut missing: HashMap<(ProviderId, bool), usize> = HashMap::new();
    let mut found = std::collections::HashSet::new();
    for c in &charges {
        match engine.order(&c.order_ref) {
            Ok(o) => assert!(found.insert(o.id.clone()), "two charges for order {}", o.id),
            Err(_) => {
                *missing
                    .entry((c.provider, c.order_ref.starts_with("APIE")))
                    .or_default() += 1
            }
        }
    }
    let unknown_of = |p: ProviderId, email: bool| {
        unknown
            .iter()
            .filter(|a| a.provider == p && (a.kind == AttemptKind::Email) == email)
            .count()
    };
    for ((p, email), n) in &missing {
        assert!(
            *n <= unknown_of(*p, *email),
            "{n} charges of {p} (email {email}) are invisible"
        );
    }
    assert_eq!(
        missing
            .get(&(ProviderId::Otpzap, false))
            .copied()
            .unwrap_or(0),
        0
    );
    // ...and every stored order was charged exactly once.
    let orders = engine
        .orders(&OrderFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        orders.len(),
        found.len(),
        "a stored order the provider never charged"
    );
    assert!(charges.len() <= PURCHASES);

    let outcomes = outcomes.lock().unwrap().clone();
    let faults = sim.control.requests().await.unwrap();
    let faulted = faults.requests.iter().filter(|r| r.fault.is_some()).count();
    println!(
        "fault test: {PURCHASES} purchases in {buy_time:?} ({} requests, {faulted} faulted); outcomes {outcomes:?}; \
         {} charges, {} stored orders, {} left unknown (non-idempotent, visible), total {:?}",
        faults.total,
        charges.len(),
        orders.len(),
        unknown.len(),
        started.elapsed()
    );
    engine.shutdown().await;
}
