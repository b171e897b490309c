//! Every public engine operation against the simulator over real HTTP and a real SQLite file.

mod common;

use common::*;
use otpdesk_core::{DepositStatus, OrderStatus, ProviderId};
use otpdesk_engine::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_order_lifecycle_with_resend_and_cancel_cooldown() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, dir.path(), Budget::per_minute(60_000.0), 5_000);
    cfg.tracking.cancel_cooldown = Duration::ZERO; // let the provider's own cooldown answer
    let engine = Engine::open(cfg).await.unwrap();
    let mut rx = engine.subscribe();

    let order = engine.buy(S1).await.unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert!(order.phone.is_some());
    next_event(
        &mut rx,
        5,
        |e| matches!(e, EngineEvent::OrderCreated { order: o } if o.id == order.id),
    )
    .await;
    let ledger = engine.ledger(&LedgerFilter::default()).unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].kind, LedgerKind::Charge);

    let reference = order.remote_ref.clone().unwrap();
    let d = sim.control.deliver_otp(&reference).await.unwrap();
    let otp = engine
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(otp.code.as_deref(), Some(d.code.as_str()));

    // Resend: locked until a new code arrives, detected by the timeline growing.
    let o = engine.resend(&order.id).await.unwrap();
    assert!(o.resend_waiting_for_otp);
    let e = engine.resend(&order.id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResendLocked);
    let d2 = sim.control.deliver_otp(&reference).await.unwrap();
    let otp2 = engine
        .wait_for_otp(&order.id, Some(otp.seq), Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(otp2.code.as_deref(), Some(d2.code.as_str()));
    let o = engine.order(&order.id).unwrap();
    assert_eq!(o.otps.len(), 2);
    assert!(!o.resend_waiting_for_otp);

    let done = engine.finish(&order.id).await.unwrap();
    assert_eq!(done.status, OrderStatus::Completed);

    // Cancel within the provider's 2-minute cooldown: a typed error with the unlock instant.
    let second = engine.buy(S1).await.unwrap();
    let before = chrono::Utc::now();
    match engine.cancel(&second.id).await {
        Err(EngineError::CancelCooldown { unlocks_at }) => {
            assert!(
                unlocks_at > before + chrono::Duration::seconds(60),
                "{unlocks_at}"
            );
        }
        other => panic!("expected cooldown, got {other:?}"),
    }
    // Our own record now says so too, without asking the provider again.
    let sent = engine.requests_sent(ProviderId::Otpzap);
    assert_eq!(
        engine.cancel(&second.id).await.unwrap_err().code(),
        ErrorCode::CancelCooldown
    );
    assert_eq!(engine.requests_sent(ProviderId::Otpzap), sent);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_after_cooldown_refunds() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, dir.path(), Budget::per_minute(60_000.0), 5_000);
    cfg.tracking.cancel_cooldown = Duration::ZERO;
    let engine = Engine::open(cfg).await.unwrap();
    let order = engine.buy(S1).await.unwrap();
    sim.control.advance_clock(125).await.unwrap();
    let o = engine.cancel(&order.id).await.unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
    let total = engine.ledger_total(ProviderId::Otpzap).unwrap();
    assert_eq!(total[0].minor, 0, "charge and refund cancel out");
    assert_eq!(
        engine.cancel(&order.id).await.unwrap_err().code(),
        ErrorCode::NotAllowed
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numberotp_long_poll_delivers_fast() {
    for shape in NumberOtpShape::ALL {
        numberotp_long_poll_delivers_fast_in(shape).await;
    }
}

async fn numberotp_long_poll_delivers_fast_in(shape: NumberOtpShape) {
    let sim = sim_shaped(100_000, shape).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let order = engine.buy(sim.numberotp_wa()).await.unwrap();
    // The name from NumberOTP's own service list, not its code `wa`.
    assert_eq!(order.service, "WhatsApp");
    tokio::time::sleep(Duration::from_millis(300)).await; // the /wait is hanging now
    let t = std::time::Instant::now();
    let d = sim.control.deliver_otp(&order.remote_id).await.unwrap();
    let otp = engine
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(otp.code.as_deref(), Some(d.code.as_str()));
    assert!(
        t.elapsed() < Duration::from_millis(1_000),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(
        engine.cancel(&order.id).await.unwrap_err().code(),
        ErrorCode::NotAllowed
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_order_messages_and_finish() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let order = engine
        .buy(BuyRequest::OtpzapEmail {
            site: "openai.com".into(),
            domain: "gmail.com".into(),
        })
        .await
        .unwrap();
    assert_eq!(order.kind, OrderKind::Email);
    assert!(order.email.is_some());
    let d = sim
        .control
        .deliver_otp(order.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    let otp = engine
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(otp.code.as_deref(), Some(d.code.as_str()));
    // The price arrives with the first check: charged once.
    let charges = engine
        .ledger(&LedgerFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Charge)
        .count();
    assert_eq!(charges, 1);
    let o = engine.finish(&order.id).await.unwrap();
    assert_eq!(o.status, OrderStatus::Completed);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_are_tracked_until_paid() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let mut rx = engine.subscribe();
    let qris = engine.topup_qris(50_000).await.unwrap();
    assert!(qris.pay_url.is_some());
    let usdt = engine.topup_usdt("10").await.unwrap();
    assert!(usdt.pay_address.is_some());
    sim.control.pay_deposit(&qris.remote_id).await.unwrap();
    sim.control.pay_deposit(&usdt.remote_id).await.unwrap();
    for _ in 0..2 {
        next_event(&mut rx, 10, |e| {
            matches!(e, EngineEvent::DepositPaid { .. })
        })
        .await;
    }
    assert_eq!(
        engine.deposit(&qris.id).unwrap().status,
        DepositStatus::Paid
    );
    assert_eq!(
        engine.deposit(&usdt.id).unwrap().status,
        DepositStatus::Paid
    );
    let topups = engine
        .ledger(&LedgerFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Topup)
        .count();
    assert_eq!(topups, 2);
    assert_eq!(
        engine
            .deposits(&DepositFilter {
                active_only: true,
                ..Default::default()
            })
            .unwrap()
            .len(),
        0
    );
    // An unpaid invoice ends as expired, with no credit.
    let late = engine.topup_qris(20_000).await.unwrap();
    sim.control.expire_deposit(&late.remote_id).await.unwrap();
    next_event(
        &mut rx,
        10,
        |e| matches!(e, EngineEvent::DepositExpired { deposit } if deposit.id == late.id),
    )
    .await;
    assert_eq!(engine.deposit(&late.id).unwrap().credited, None);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_restart_finds_codes_that_came_meanwhile() {
    for shape in NumberOtpShape::ALL {
        resume_after_restart_finds_codes_that_came_meanwhile_in(shape).await;
    }
}

async fn resume_after_restart_finds_codes_that_came_meanwhile_in(shape: NumberOtpShape) {
    let sim = sim_shaped(100_000, shape).await;
    let dir = tempfile::tempdir().unwrap();
    let engine1 = engine(&sim, dir.path()).await;
    let a = engine1.buy(S1).await.unwrap();
    let b = engine1.buy(sim.numberotp_wa()).await.unwrap();
    engine1.shutdown().await;
    drop(engine1);
    let da = sim
        .control
        .deliver_otp(a.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    let db = sim.control.deliver_otp(&b.remote_id).await.unwrap();
    let engine2 = engine(&sim, dir.path()).await;
    assert_eq!(engine2.tracked(), 2);
    let oa = engine2
        .wait_for_otp(&a.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    let ob = engine2
        .wait_for_otp(&b.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(oa.code.as_deref(), Some(da.code.as_str()));
    assert_eq!(ob.code.as_deref(), Some(db.code.as_str()));
    engine2.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_outcomes_are_listed_and_reconciled() {
    for shape in NumberOtpShape::ALL {
        unknown_outcomes_are_listed_and_reconciled_in(shape).await;
    }
}

async fn unknown_outcomes_are_listed_and_reconciled_in(shape: NumberOtpShape) {
    use otpdesk_sim::control::types::{FaultKind, FaultRule};
    let sim = sim_shaped(100_000, shape).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let mut rx = engine.subscribe();
    // NumberOTP has no idempotency: a reply lost after the charge must not be bought again.
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::DropAfterCommit)
                .path("/activations")
                .method("POST")
                .times(1),
        )
        .await
        .unwrap();
    let err = engine.buy(sim.numberotp_wa()).await.unwrap_err();
    let EngineError::OutcomeUnknown { attempt_id } = err else {
        panic!("{err:?}")
    };
    next_event(&mut rx, 5, |e| {
        matches!(e, EngineEvent::OutcomeUnknown { .. })
    })
    .await;
    let listed = engine.attempts(Some(AttemptState::OutcomeUnknown)).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        engine.reconcile(&attempt_id).await.unwrap_err().code(),
        ErrorCode::NotAllowed
    );
    assert_eq!(
        engine.dismiss(&attempt_id).unwrap().state,
        AttemptState::Dismissed
    );

    // OTPZap: the same loss is retried with the same key and settles on the one order.
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::DropAfterCommit)
                .path("order/create")
                .times(2),
        )
        .await
        .unwrap();
    let o = engine.buy(S1).await.unwrap();
    let charges: Vec<_> = sim
        .control
        .ledger(Some(ZAP_KEY))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == otpdesk_sim::control::types::LedgerKind::Charge)
        .collect();
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(engine.order(&o.id).unwrap().attempt_id, o.attempt_id);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_email_cancel_reorder_and_filters() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let old = engine.buy(S1).await.unwrap();
    let new = engine.replace(&old.id).await.unwrap();
    assert_ne!(new.remote_id, old.remote_id);
    let old_now = engine.order(&old.id).unwrap();
    assert_eq!(old_now.status, OrderStatus::Replaced);
    assert_eq!(old_now.replaced_by.as_deref(), Some(new.id.as_str()));
    let kinds: Vec<_> = engine
        .ledger(&LedgerFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == LedgerKind::Charge).count(),
        2
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == LedgerKind::Refund).count(),
        1
    );
    // S2 numbers cannot be replaced.
    let s2 = engine.buy(s2_wa()).await.unwrap();
    assert_eq!(
        engine.replace(&s2.id).await.unwrap_err().code(),
        ErrorCode::NotAllowed
    );

    // Email: cancel before any message refunds (less any fee); reorder after a message.
    let e1 = engine
        .buy(BuyRequest::OtpzapEmail {
            site: "openai.com".into(),
            domain: "gmail.com".into(),
        })
        .await
        .unwrap();
    let c = engine.cancel(&e1.id).await.unwrap();
    assert_eq!(c.status, OrderStatus::Cancelled);
    let e2 = engine
        .buy(BuyRequest::OtpzapEmail {
            site: "openai.com".into(),
            domain: "gmail.com".into(),
        })
        .await
        .unwrap();
    sim.control
        .deliver_otp(e2.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    let first = engine
        .wait_for_otp(&e2.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    let r = engine.email_reorder(&e2.id).await.unwrap();
    assert_eq!(r.status, OrderStatus::Pending);
    sim.control
        .deliver_otp(e2.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    let second = engine
        .wait_for_otp(&e2.id, Some(first.seq), Duration::from_secs(10))
        .await
        .unwrap();
    assert!(second.seq > first.seq);

    let emails = engine
        .orders(&OrderFilter {
            kind: Some(OrderKind::Email),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(emails.len(), 2);
    let replaced = engine
        .orders(&OrderFilter {
            status: Some("replaced".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(replaced.len(), 1);
    let active = engine
        .orders(&OrderFilter {
            active_only: true,
            provider: Some(ProviderId::Otpzap),
            ..Default::default()
        })
        .unwrap();
    assert!(active.iter().all(|o| !o.status.is_final()));
    // Events serialize for the desktop app.
    let json = serde_json::to_string(&EngineEvent::OrderCreated {
        order: Box::new(new),
    })
    .unwrap();
    assert!(json.contains("\"type\":\"order_created\""));
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_never_reach_the_data_directory() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    engine.buy(S1).await.unwrap();
    engine.buy(numberotp_wa()).await.unwrap();
    engine.topup_usdt("5").await.unwrap();
    engine.shutdown().await;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for key in [ZAP_KEY, NOTP_KEY, OOP_KEY] {
            assert!(
                !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
                "{key} stored"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_long_poll_falls_back_to_polling_and_reports_the_error() {
    for shape in NumberOtpShape::ALL {
        failing_long_poll_falls_back_to_polling_and_reports_the_error_in(shape).await;
    }
}

async fn failing_long_poll_falls_back_to_polling_and_reports_the_error_in(shape: NumberOtpShape) {
    use otpdesk_sim::control::types::{FaultKind, FaultRule};
    let sim = sim_shaped(100_000, shape).await;
    let dir = tempfile::tempdir().unwrap();
    // Every /wait fails from now on.
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::Status {
                status: 502,
                body: None,
            })
            .path("/wait"),
        )
        .await
        .unwrap();
    let engine = engine(&sim, dir.path()).await;
    let mut rx = engine.subscribe();
    let order = engine.buy(sim.numberotp_wa()).await.unwrap();
    let e = next_event(&mut rx, 5, |e| {
        matches!(e, EngineEvent::ProviderError { .. })
    })
    .await;
    let EngineEvent::ProviderError { code, order_id, .. } = e else {
        unreachable!()
    };
    assert_eq!(
        (code.as_str(), order_id.as_deref()),
        ("upstream", Some(order.id.as_str()))
    );
    // It stays on plain polls for a while instead of flapping (one report, not one per poll).
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut more = 0;
    while let Ok(e) = rx.try_recv() {
        more += matches!(e, EngineEvent::ProviderError { .. }) as usize;
    }
    assert_eq!(more, 0);
    let d = sim.control.deliver_otp(&order.remote_id).await.unwrap();
    let otp = engine
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(otp.code.as_deref(), Some(d.code.as_str()));
    let log = sim.control.requests().await.unwrap().requests;
    assert!(
        log.iter()
            .any(|r| r.method == "GET" && r.path.ends_with(&order.remote_id)),
        "plain polls"
    );
    engine.shutdown().await;
}

/// Shutdown right after open, before any tracker task has run once (a CLI refusal is that fast):
/// it must still stop every tracker. It once hung forever because the stop signal was sent while
/// no tracker had subscribed yet. A current-thread runtime makes that ordering certain.
#[tokio::test(flavor = "current_thread")]
async fn shutdown_before_the_trackers_ever_ran_still_returns() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let first = engine(&sim, dir.path()).await;
    let order = first.buy(s2_wa()).await.unwrap();
    first.shutdown().await;
    // Reopen with an active order to resume, then stop at once.
    let engine = engine(&sim, dir.path()).await;
    tokio::time::timeout(Duration::from_secs(10), engine.shutdown())
        .await
        .expect("shutdown hung with trackers that had not started");
    // The order is still there and still open: stopping touched nothing.
    assert!(!engine.order(&order.id).unwrap().status.is_final());
}

/// Catalog and balance reads (the app's screens, the CLI's `catalog`) spend the same key's
/// budget as tracking, and a `Retry-After` one of them earns holds every later request back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_reads_share_the_key_budget() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let before = engine.requests_sent(ProviderId::Otpzap);
    for _ in 0..3 {
        engine.catalog().s1_countries().await.unwrap();
    }
    assert_eq!(engine.requests_sent(ProviderId::Otpzap), before + 3);

    rate_limit_next_otpzap_get(&sim, 2).await;
    let refused = engine.catalog().balance(ProviderId::Otpzap).await;
    assert!(
        matches!(
            refused,
            Err(EngineError::Provider(
                otpdesk_providers::ProviderError::RateLimited { .. }
            ))
        ),
        "{refused:?}"
    );
    let t = std::time::Instant::now();
    engine.catalog().balance(ProviderId::Otpzap).await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(1_900),
        "{:?}",
        t.elapsed()
    );
    engine.shutdown().await;
}
