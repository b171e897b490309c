//! 2,000 purchases while the simulator misbehaves as real providers do on every create: reply
//! dropped after the charge, delay past the client timeout, 500/503, an HTML error page, JSON cut
//! in half, 409 "in progress", a paid reply with an odd price, Idempotency-Keys forgotten after a
//! few seconds, rate limits, and at the end a `Retry-After` of 2^64-1 seconds. Checked against the
//! simulator's own ledger: 0 keys charged twice, 0 charged orders that are neither on the board nor
//! in the unknown list, 0 purchases made after "outcome unknown" without the user (also across a
//! restart).

mod common;

use common::*;
use otpdesk_core::ProviderId;
use otpdesk_engine::*;
use otpdesk_sim::control::types::{FaultKind, FaultRule, LedgerKind as SimKind};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PURCHASES: usize = 2_000;
/// The last purchases run after the absurd `Retry-After`: refused at once, nothing bought.
const AFTER_ABSURD: usize = 50;
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
async fn two_thousand_faulty_purchases_never_double_charge_hide_or_rebuy() {
    let started = Instant::now();
    // Every time below stretches under wine; the checks do not.
    let k = slowdown();
    let sim = sim(10_000_000).await;
    let dir = tempfile::tempdir().unwrap();
    // Small client timeout so the delay fault costs little; no tracking noise in the request log.
    let mut cfg = config(
        &sim,
        dir.path(),
        Budget::per_minute(6_000_000.0),
        150 * u64::from(k),
    );
    cfg.tracking.poll_interval = Duration::from_secs(3600);
    cfg.tracking.idle_poll_interval = Duration::from_secs(3600);
    cfg.tracking.buy_max_tries = 6;
    cfg.tracking.buy_retry_base = Duration::from_millis(5);
    // The provider forgets keys 3 s after their reply; we re-send only within 2 s.
    cfg.tracking.resend_window = Duration::from_secs(2) * k;
    sim.control
        .set_idempotency_ttl_secs(Some(3 * u64::from(k)))
        .await
        .unwrap();
    let engine = Engine::open(cfg.clone()).await.unwrap();

    let p = 0.05;
    let in_progress = serde_json::json!({"success": false, "message": "A request with this Idempotency-Key is in progress"});
    for kind in [
        FaultKind::DropAfterCommit,
        FaultKind::Delay {
            ms: 250 * u64::from(k),
        },
        FaultKind::Status {
            status: 500,
            body: None,
        },
        FaultKind::Status {
            status: 503,
            body: None,
        },
        FaultKind::Status {
            status: 409,
            body: Some(in_progress.to_string()),
        },
        FaultKind::Html,
        FaultKind::MalformedJson,
        FaultKind::RateLimit { retry_after: 0 },
        FaultKind::odd_price(Some(serde_json::json!("2835.5")), None),
        FaultKind::odd_price(None, Some(serde_json::json!("XYZ"))),
    ] {
        sim.control
            .add_fault(&FaultRule::new(kind).method("POST").probability(p))
            .await
            .unwrap();
    }

    let shop = Arc::new(Shop::new());
    let next = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(std::sync::Mutex::new(HashMap::<&'static str, usize>::new()));
    let run = |limit: usize| {
        let mut tasks = Vec::new();
        for _ in 0..CONCURRENCY {
            let (engine, next, outcomes, shop) =
                (engine.clone(), next.clone(), outcomes.clone(), shop.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= limit {
                        return;
                    }
                    let code = match engine.buy(shop.request(i)).await {
                        Ok(_) => "ok",
                        Err(e) => e.code().as_str(),
                    };
                    *outcomes.lock().unwrap().entry(code).or_default() += 1;
                }
            }));
        }
        tasks
    };
    for t in run(PURCHASES - AFTER_ABSURD) {
        t.await.unwrap();
    }
    // A provider answers one create with a Retry-After of 2^64-1 seconds: clamped, and every
    // purchase after it is refused at once (nothing sent, nothing bought), none hangs.
    sim.control.clear_faults().await.unwrap();
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::absurd_retry_after("18446744073709551615"))
                .provider(ProviderId::Otpzap)
                .method("POST")
                .times(1),
        )
        .await
        .unwrap();
    // Creates the provider still runs after our client gave up on them land first.
    tokio::time::sleep(Duration::from_secs(1) * k).await;
    let charged_now = |sim: &Sim| {
        let c = sim.control.clone();
        async move {
            c.ledger(None)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.kind == SimKind::Charge)
                .count()
        }
    };
    let before_absurd = charged_now(&sim).await;
    let t = Instant::now();
    for i in PURCHASES - AFTER_ABSURD..PURCHASES {
        // OTPZap Server 1 only (the provider whose key was closed), one after the other.
        let req = shop.request(i / 10 * 10 + 5);
        let e = engine.buy(req).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::RateLimited, "{e}");
        assert!(!e.to_string().contains("18446744073709551615"), "{e}");
        *outcomes.lock().unwrap().entry("rate_limited").or_default() += 1;
    }
    assert!(
        t.elapsed() < Duration::from_secs(10) * k,
        "purchases hung on Retry-After"
    );
    assert_eq!(
        charged_now(&sim).await,
        before_absurd,
        "bought after the Retry-After"
    );
    let buy_time = started.elapsed();
    sim.control.clear_faults().await.unwrap();

    let attempts = engine.attempts(None).unwrap();
    let unknown: Vec<_> = attempts
        .iter()
        .filter(|a| a.state == AttemptState::OutcomeUnknown)
        .collect();
    assert_eq!(
        attempts.len(),
        PURCHASES,
        "one attempt per purchase, retries reuse it"
    );
    assert!(attempts.iter().all(|a| a.state != AttemptState::Pending));

    // No idempotency key was charged twice (the provider forgets keys after 3 s: only a re-send
    // past that could do it, and there is none).
    let twice = sim.control.keys_charged_twice().await.unwrap();
    if !twice.is_empty() {
        // When each charge landed against when the purchase started: a re-send past the
        // provider's 3 s memory of the key is what charges twice.
        let ledger = sim.control.ledger(None).await.unwrap();
        let detail: Vec<String> = twice
            .iter()
            .map(|u| {
                let a = attempts
                    .iter()
                    .find(|a| a.idempotency_key == u.idempotency_key);
                let start = a.map(|a| a.created_at);
                let at: Vec<String> = ledger
                    .iter()
                    .filter(|e| e.idempotency_key.as_deref() == Some(&u.idempotency_key))
                    .map(|e| match start {
                        Some(s) => format!("+{} ms", (e.at - s).num_milliseconds()),
                        None => e.at.to_rfc3339(),
                    })
                    .collect();
                format!(
                    "charged at {at:?} after the attempt was made; attempt {:?}",
                    a.map(|a| (a.tries, a.state, a.updated_at - a.created_at, &a.error))
                )
            })
            .collect();
        panic!("{} keys charged twice: {detail:#?}", twice.len());
    }
    let charges: Vec<_> = sim
        .control
        .ledger(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == SimKind::Charge)
        .collect();

    // Every charge is a stored order, or an unknown outcome the user is shown.
    let unknown_keys: std::collections::HashSet<_> =
        unknown.iter().map(|a| a.idempotency_key.clone()).collect();
    let mut found = std::collections::HashSet::new();
    let mut unknown_charged = 0;
    let mut hidden = Vec::new();
    for c in &charges {
        match engine.order(&c.order_ref) {
            Ok(o) => assert!(found.insert(o.id.clone()), "two charges for order {}", o.id),
            Err(_) => match &c.idempotency_key {
                Some(k) if unknown_keys.contains(k) => unknown_charged += 1,
                // Email and NumberOTP creates take no key: count them against their unknowns.
                None => unknown_charged += 1,
                Some(k) => hidden.push(k.clone()),
            },
        }
    }
    assert!(
        hidden.is_empty(),
        "charged, neither on the board nor unknown: {hidden:?}"
    );
    let keyless_unknown = unknown
        .iter()
        .filter(|a| !(a.kind == AttemptKind::Sms && a.provider == ProviderId::Otpzap))
        .count();
    let keyed_unknown = unknown.len() - keyless_unknown;
    assert!(
        unknown_charged <= keyed_unknown + keyless_unknown,
        "{unknown_charged} invisible charges"
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

    // Nothing is bought after "outcome unknown" without the user: not by this run, and not by
    // the next start either.
    let creates_before = sim.control.idempotency().await.unwrap();
    engine.shutdown().await;
    let engine = Engine::open(cfg).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2) * k).await;
    assert_eq!(sim.control.idempotency().await.unwrap(), creates_before);
    assert_eq!(
        sim.control
            .ledger(None)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.kind == SimKind::Charge)
            .count(),
        charges.len()
    );

    let outcomes = outcomes.lock().unwrap().clone();
    let faults = sim.control.requests().await.unwrap();
    let faulted = faults.requests.iter().filter(|r| r.fault.is_some()).count();
    println!(
        "fault test: {PURCHASES} purchases in {buy_time:?} ({} requests, {faulted} faulted); outcomes {outcomes:?}; \
         {} charges, {} stored orders, {} unknown ({unknown_charged} of them charged, all listed), \
         0 keys charged twice, 0 hidden, 0 re-bought; total {:?}",
        faults.total,
        charges.len(),
        orders.len(),
        unknown.len(),
        started.elapsed()
    );
    engine.shutdown().await;
}
