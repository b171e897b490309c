//! OTPZap's late events, against the simulator over real HTTP and a real SQLite file: a cancel
//! whose "ok" is only an acknowledgement shows `cancel_requested` until the refund is confirmed
//! (by the cancel reply or by `order/check`, also after a restart) and is refunded once; a code
//! that lands on a cancelled order is a late code, never a sale; an expired QRIS invoice paid
//! 30 (simulated) minutes later reaches the ledger and the balance once. A cancelled or replaced
//! number is still asked about for late codes.

mod common;

use common::*;
use otpdesk_core::{DepositStatus, Money, OrderStatus, ProviderId};
use otpdesk_engine::*;
use otpdesk_sim::control::types::{DeliverOtp, FaultKind, FaultRule, LedgerKind as SimKind};
use serde_json::json;
use std::time::{Duration, Instant};

const PRICE: i64 = 2835;

fn quick_cancel(sim: &Sim, dir: &std::path::Path) -> EngineConfig {
    let mut cfg = config(sim, dir, Budget::per_minute(60_000.0), 5_000);
    cfg.tracking.cancel_cooldown = Duration::ZERO;
    cfg.tracking.late_deposit_min_interval = Duration::from_millis(200);
    cfg.tracking.late_deposit_max_interval = Duration::from_millis(400);
    cfg.tracking.settled_poll_interval = Duration::from_millis(200);
    cfg
}

fn ledger_of(e: &Engine, kind: LedgerKind, order: &str) -> Vec<Money> {
    e.ledger(&LedgerFilter::default())
        .unwrap()
        .into_iter()
        .filter(|l| l.kind == kind && l.order_id.as_deref() == Some(order))
        .map(|l| l.amount)
        .collect()
}

async fn sim_entries(sim: &Sim, kind: SimKind) -> usize {
    sim.control
        .ledger(Some(ZAP_KEY))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .count()
}

async fn until_status(e: &Engine, id: &str, want: OrderStatus) -> OrderView {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let o = e.order(id).unwrap();
        if o.status == want {
            return o;
        }
        assert!(
            Instant::now() < deadline,
            "still {} (want {want})",
            o.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Buys an S1 number and asks to cancel it while the simulator confirms cancels 30 s later.
async fn cancel_requested(sim: &Sim, engine: &Engine) -> OrderView {
    let o = engine.buy(S1).await.unwrap();
    sim.control
        .set_cancel_confirm_delay_secs(Some(30))
        .await
        .unwrap();
    sim.control.advance_clock(130).await.unwrap();
    let after = engine.cancel(&o.id).await.unwrap();
    assert_eq!(after.status, OrderStatus::CancelRequested);
    assert!(ledger_of(engine, LedgerKind::Refund, &o.id).is_empty());
    after
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_cancel_is_cancel_requested_until_a_check_confirms_it() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(quick_cancel(&sim, dir.path())).await.unwrap();
    let mut rx = engine.subscribe();
    let o = cancel_requested(&sim, &engine).await;
    next_event(&mut rx, 5, |e| {
        matches!(
            e,
            EngineEvent::OrderStatusChanged {
                to: OrderStatus::CancelRequested,
                ..
            }
        )
    })
    .await;
    // Tracked meanwhile, and no second cancel (nor finish / resend) is sent.
    assert_eq!(engine.tracked(), 1);
    let again = engine.cancel(&o.id).await.unwrap_err();
    assert!(matches!(again, EngineError::NotAllowed { .. }), "{again:?}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        engine.order(&o.id).unwrap().status,
        OrderStatus::CancelRequested
    );
    assert_eq!(sim_entries(&sim, SimKind::Refund).await, 0);
    sim.control.advance_clock(31).await.unwrap();
    until_status(&engine, &o.id, OrderStatus::Cancelled).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        ledger_of(&engine, LedgerKind::Refund, &o.id),
        vec![Money::idr(PRICE)]
    );
    assert_eq!(sim_entries(&sim, SimKind::Refund).await, 1);
    assert_eq!(
        engine.tracked(),
        1,
        "still asked about, for late codes, until the number's window ends"
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_reply_that_confirms_the_refund_closes_the_order_at_once() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(quick_cancel(&sim, dir.path())).await.unwrap();
    // `refunded: <amount>` (documented).
    let a = engine.buy(S1).await.unwrap();
    // `refunded: true`: refunded, amount not stated (the price is booked).
    let b = engine.buy(S1).await.unwrap();
    sim.control.advance_clock(130).await.unwrap();
    let a = engine.cancel(&a.id).await.unwrap();
    assert_eq!(a.status, OrderStatus::Cancelled);
    let mut set = serde_json::Map::new();
    set.insert("refunded".into(), json!(true));
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::PatchReply { set })
                .provider(ProviderId::Otpzap)
                .path("/order/cancel")
                .times(1),
        )
        .await
        .unwrap();
    let b = engine.cancel(&b.id).await.unwrap();
    assert_eq!(b.status, OrderStatus::Cancelled);
    tokio::time::sleep(Duration::from_millis(600)).await;
    for id in [&a.id, &b.id] {
        assert_eq!(
            ledger_of(&engine, LedgerKind::Refund, id),
            vec![Money::idr(PRICE)]
        );
    }
    assert_eq!(sim_entries(&sim, SimKind::Refund).await, 2);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_cancel_requested_resumes_checking_and_refunds_once() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine1 = Engine::open(quick_cancel(&sim, dir.path())).await.unwrap();
    let o = cancel_requested(&sim, &engine1).await;
    engine1.shutdown().await;
    drop(engine1);
    sim.control.advance_clock(31).await.unwrap();
    // The store says `cancel_requested` (the first engine stopped before the confirmation):
    // only the new engine's checks can close it.
    let engine2 = Engine::open(quick_cancel(&sim, dir.path())).await.unwrap();
    until_status(&engine2, &o.id, OrderStatus::Cancelled).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        ledger_of(&engine2, LedgerKind::Refund, &o.id),
        vec![Money::idr(PRICE)]
    );
    assert_eq!(sim_entries(&sim, SimKind::Refund).await, 1);
    engine2.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_on_a_cancelled_order_is_a_late_code_and_no_sale() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(quick_cancel(&sim, dir.path())).await.unwrap();
    let o = cancel_requested(&sim, &engine).await;
    sim.control
        .deliver(&DeliverOtp {
            reference: o.remote_id.clone(),
            code: Some("424242".into()),
            late: true,
            ..DeliverOtp::default()
        })
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while engine.order(&o.id).unwrap().otps.is_empty() {
        assert!(Instant::now() < deadline, "the late code never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seen = engine.order(&o.id).unwrap();
    assert_eq!(
        seen.status,
        OrderStatus::CancelRequested,
        "still cancelling"
    );
    assert!(seen.has_late_code() && seen.only_late_codes());
    assert_eq!(seen.otps[0].code.as_deref(), Some("424242"));
    sim.control.advance_clock(31).await.unwrap();
    let done = until_status(&engine, &o.id, OrderStatus::Cancelled).await;
    assert!(done.otps.iter().all(|x| x.late), "{:?}", done.otps);
    // No sale: one charge, one refund, no sale price accepted, not in the sales totals.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        ledger_of(&engine, LedgerKind::Charge, &o.id),
        vec![Money::idr(-PRICE)]
    );
    assert_eq!(
        ledger_of(&engine, LedgerKind::Refund, &o.id),
        vec![Money::idr(PRICE)]
    );
    let e = engine
        .set_sale_price(&o.id, Some(Money::idr(5_000)))
        .unwrap_err();
    assert!(matches!(e, EngineError::NotAllowed { .. }), "{e:?}");
    let page = engine.history(&Default::default()).unwrap();
    assert!(page.totals.iter().all(|t| t.sold == 0), "{:?}", page.totals);
    // A code in time on another order is no late code.
    let ok = engine.buy(S1).await.unwrap();
    sim.control.deliver_otp(&ok.remote_id).await.unwrap();
    let code = engine
        .wait_for_otp(&ok.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(!code.late);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_qris_invoice_paid_30_minutes_later_is_credited_once() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(quick_cancel(&sim, dir.path())).await.unwrap();
    let mut rx = engine.subscribe();
    let before = sim_balance(&sim).await;
    let d = engine.topup_qris(20_000).await.unwrap();
    sim.control.advance_clock(31 * 60).await.unwrap();
    next_event(
        &mut rx,
        10,
        |e| matches!(e, EngineEvent::DepositExpired { deposit } if deposit.id == d.id),
    )
    .await;
    // Still watched after it expired.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        engine.deposit(&d.id).unwrap().status,
        DepositStatus::Expired
    );
    assert_eq!(engine.tracked(), 1);
    sim.control.advance_clock(30 * 60).await.unwrap();
    sim.control.pay_deposit(&d.remote_id).await.unwrap();
    let paid = next_event(
        &mut rx,
        10,
        |e| matches!(e, EngineEvent::DepositPaid { deposit } if deposit.id == d.id),
    )
    .await;
    let EngineEvent::DepositPaid { deposit } = paid else {
        unreachable!("matched above")
    };
    assert_eq!(deposit.credited, Some(Money::idr(20_000)));
    tokio::time::sleep(Duration::from_millis(800)).await;
    let topups: Vec<_> = engine
        .ledger(&LedgerFilter::default())
        .unwrap()
        .into_iter()
        .filter(|l| l.kind == LedgerKind::Topup)
        .map(|l| (l.deposit_id, l.amount))
        .collect();
    assert_eq!(topups, vec![(Some(d.id.clone()), Money::idr(20_000))]);
    assert_eq!(sim_balance(&sim).await, before + 20_000);
    assert_eq!(sim_entries(&sim, SimKind::Topup).await, 1);
    assert_eq!(engine.tracked(), 0, "paid: no longer watched");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_qris_invoice_is_watched_only_for_the_window_and_again_after_a_restart() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = quick_cancel(&sim, dir.path());
    cfg.tracking.late_deposit_window = Duration::from_secs(3);
    let engine = Engine::open(cfg.clone()).await.unwrap();
    let d = engine.topup_qris(15_000).await.unwrap();
    sim.control.expire_deposit(&d.remote_id).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while engine.deposit(&d.id).unwrap().status != DepositStatus::Expired {
        assert!(Instant::now() < deadline, "never saw it expire");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    engine.shutdown().await;
    drop(engine);
    // A new engine inside the window watches it again.
    let engine = Engine::open(cfg).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(engine.tracked(), 1);
    // After the window it is let go.
    let deadline = Instant::now() + Duration::from_secs(10);
    while engine.tracked() != 0 {
        assert!(Instant::now() < deadline, "still watched after the window");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    engine.shutdown().await;
}

async fn sim_balance(sim: &Sim) -> i64 {
    sim.control
        .balances()
        .await
        .unwrap()
        .into_iter()
        .find(|b| {
            b.provider == ProviderId::Otpzap && b.key_fp == otpdesk_sim::key_fingerprint(ZAP_KEY)
        })
        .map(|b| {
            Money::parse(otpdesk_core::Currency::Idr, &b.balance)
                .unwrap()
                .minor
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_on_cancelled_and_replaced_numbers_are_late_codes() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(quick_cancel(&sim, dir.path())).await.unwrap();
    let a = engine.buy(S1).await.unwrap();
    let b = engine.buy(S1).await.unwrap();
    sim.control.advance_clock(130).await.unwrap();
    let a = engine.cancel(&a.id).await.unwrap();
    assert_eq!(a.status, OrderStatus::Cancelled, "confirmed at once");
    let new = engine.replace(&b.id).await.unwrap();
    assert_eq!(engine.order(&b.id).unwrap().status, OrderStatus::Replaced);
    for (o, code) in [(&a, "515151"), (&b, "616161")] {
        sim.control
            .deliver(&DeliverOtp {
                reference: o.remote_id.clone(),
                code: Some(code.into()),
                late: true,
                ..DeliverOtp::default()
            })
            .await
            .unwrap();
    }
    for (id, code) in [(&a.id, "515151"), (&b.id, "616161")] {
        let deadline = Instant::now() + Duration::from_secs(10);
        let o = loop {
            let o = engine.order(id).unwrap();
            if !o.otps.is_empty() {
                break o;
            }
            assert!(Instant::now() < deadline, "the late code never came");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(o.otps[0].code.as_deref(), Some(code));
        assert!(o.only_late_codes(), "{:?}", o.otps);
        assert!(o.status.is_final(), "still {}", o.status);
    }
    // The new number has no code; nothing more was charged or refunded.
    assert!(engine.order(&new.id).unwrap().otps.is_empty());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(ledger_of(&engine, LedgerKind::Charge, &a.id).len(), 1);
    assert_eq!(ledger_of(&engine, LedgerKind::Refund, &a.id).len(), 1);
    assert_eq!(ledger_of(&engine, LedgerKind::Charge, &b.id).len(), 1);
    assert_eq!(ledger_of(&engine, LedgerKind::Charge, &new.id).len(), 1);
    assert_eq!(sim_entries(&sim, SimKind::Charge).await, 3);
    engine.shutdown().await;
}
