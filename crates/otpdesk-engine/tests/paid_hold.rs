//! Paid calls in flight and the hold the app takes before an update restarts it: a purchase
//! counts from its price check until it is stored, a hold is refused while one is under way, and
//! while a hold is on no purchase starts (nothing is sent, nothing charged).

mod common;

use common::*;
use otpdesk_engine::*;
use otpdesk_sim::control::types::LedgerKind as SimKind;
use std::time::{Duration, Instant};

async fn charges(sim: &Sim) -> usize {
    sim.control
        .ledger(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == SimKind::Charge)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_hold_while_a_purchase_is_under_way_and_no_purchase_while_held() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(
        &sim,
        dir.path(),
        Budget::per_minute(60_000.0),
        5_000,
    ))
    .await
    .unwrap();
    assert_eq!(engine.paid_calls_in_flight(), 0);

    // A checked purchase whose create call takes a while.
    sim.control.set_create_delay_ms(1_200).await.unwrap();
    let buying = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.buy_checked(S1, None).await })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while engine.paid_calls_in_flight() == 0 {
        assert!(Instant::now() < deadline, "the purchase never counted");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let under_way = engine.hold_paid_calls().unwrap_err();
    assert!(under_way >= 1, "{under_way}");
    let order = buying.await.unwrap().expect("the purchase finished");
    assert!(order.phone.is_some());
    assert_eq!(engine.paid_calls_in_flight(), 0);
    assert_eq!(charges(&sim).await, 1);

    // Held: a purchase is refused before anything is sent.
    sim.control.set_create_delay_ms(0).await.unwrap();
    let held = engine.hold_paid_calls().expect("nothing under way");
    let refused = engine.buy(S1).await.unwrap_err();
    assert!(matches!(refused, EngineError::Shutdown), "{refused:?}");
    assert!(engine.buy_checked(S1, None).await.is_err());
    assert!(engine.topup_qris(50_000).await.is_err());
    assert_eq!(charges(&sim).await, 1, "nothing charged while held");
    assert_eq!(engine.paid_calls_in_flight(), 0);

    // Released: purchases go through again.
    drop(held);
    engine.buy(S1).await.expect("bought after the hold");
    assert_eq!(charges(&sim).await, 2);
    engine.shutdown().await;
}
