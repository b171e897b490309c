//! Batch buying and the maximum price against a real simulator over HTTP and a real order book:
//! each number its own attempt and key; the batch stops on a price rise, a stock-out, the balance
//! floor and an unknown outcome; a price above the maximum buys (and charges) nothing.

mod common;

use common::*;
use otpdesk_core::Money;
use otpdesk_engine::*;
use otpdesk_sim::control::types::{FaultKind, FaultRule, OfferChange};
use std::collections::HashSet;

fn batch(count: u32) -> BatchRequest {
    BatchRequest {
        req: S1,
        count,
        max_price: None,
        min_balance: None,
    }
}

/// Runs a batch, collecting what it reported.
async fn run(engine: &Engine, b: BatchRequest) -> (BatchResult, Vec<BatchProgress>) {
    let mut seen = Vec::new();
    let r = engine.buy_batch(b, |p| seen.push(p.clone())).await.unwrap();
    (r, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_price_refuses_with_nothing_charged() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let price = engine.quote(&S1).await.unwrap().price.unwrap();
    let balance = sim.control.balance(ZAP_KEY).await.unwrap().unwrap();

    let e = engine
        .buy_within(S1, None, Some(Money::idr(price.minor - 1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PriceAboveMax, "{e}");
    assert!(e.to_string().contains("nothing was bought"), "{e}");
    // Nothing charged, nothing sent, nothing recorded.
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 0);
    assert_eq!(sim.control.balance(ZAP_KEY).await.unwrap(), Some(balance));
    assert!(sim.control.idempotency().await.unwrap().is_empty());
    assert!(engine.attempts(None).unwrap().is_empty());
    assert!(engine.orders(&OrderFilter::default()).unwrap().is_empty());

    // A maximum in another currency than the offer's is refused too.
    let usd = Money::new(otpdesk_core::Currency::Usd, 1_000_000);
    let e = engine.buy_within(S1, None, Some(usd)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 0);

    // At the maximum it buys, once.
    let o = engine.buy_within(S1, None, Some(price)).await.unwrap();
    assert_eq!(o.price, Some(price));
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1);
    assert_eq!(
        sim.control.balance(ZAP_KEY).await.unwrap(),
        Some(Money::idr(balance.minor - price.minor))
    );

    // A batch whose first quote is above the maximum buys nothing.
    let (r, _) = run(
        &engine,
        BatchRequest {
            max_price: Some(Money::idr(price.minor - 1)),
            ..batch(3)
        },
    )
    .await;
    assert!(r.orders.is_empty());
    assert_eq!(r.stopped.unwrap().code, ErrorCode::PriceAboveMax);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_buys_each_number_with_its_own_key() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let (r, seen) = run(&engine, batch(3)).await;
    assert_eq!((r.requested, r.orders.len(), r.stopped), (3, 3, None));
    let ns: Vec<_> = seen
        .iter()
        .map(|p| match p {
            BatchProgress::Bought { n, of, order } => {
                assert_eq!(*of, 3);
                assert_eq!(order.provider, otpdesk_core::ProviderId::Otpzap);
                *n
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ns, [1, 2, 3]);
    let phones: HashSet<_> = r.orders.iter().map(|o| o.phone.clone()).collect();
    assert_eq!(phones.len(), 3, "three numbers");
    // Three attempts, three keys, each charged once at the provider.
    let attempts = engine.attempts(None).unwrap();
    let keys: HashSet<_> = attempts.iter().map(|a| a.idempotency_key.clone()).collect();
    assert_eq!((attempts.len(), keys.len()), (3, 3));
    let used = sim.control.idempotency().await.unwrap();
    let used_keys: HashSet<_> = used.iter().map(|u| u.idempotency_key.clone()).collect();
    assert_eq!(used_keys, keys);
    assert!(used.iter().all(|u| u.creates == 1 && u.charges == 1));
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 3);

    // Out of range counts are refused before anything is asked.
    for count in [0, MAX_BATCH + 1] {
        let e = engine.buy_batch(batch(count), |_| {}).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    }
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 3);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stops_when_the_price_rises() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    // After two sales the product costs more.
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            price: Some(3_000),
            after_sales: 2,
            ..OfferChange::default()
        })
        .await
        .unwrap();
    let (r, seen) = run(&engine, batch(5)).await;
    assert_eq!(r.orders.len(), 2);
    assert!(r.orders.iter().all(|o| o.price == Some(Money::idr(2_835))));
    let stop = r.stopped.clone().unwrap();
    assert_eq!(stop.code, ErrorCode::PriceChanged, "{stop:?}");
    assert_eq!(
        seen.last(),
        Some(&BatchProgress::Stopped {
            bought: 2,
            of: 5,
            stop
        })
    );
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2, "nothing bought at 3000");
    assert_eq!(engine.attempts(None).unwrap().len(), 2);

    // With a maximum: it stops when the price goes above it (not merely above the first quote).
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            price: Some(4_000),
            after_sales: 1,
            ..OfferChange::default()
        })
        .await
        .unwrap();
    let (r, _) = run(
        &engine,
        BatchRequest {
            max_price: Some(Money::idr(3_500)),
            ..batch(5)
        },
    )
    .await;
    assert_eq!(r.orders.len(), 1);
    assert_eq!(r.stopped.unwrap().code, ErrorCode::PriceAboveMax);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 3);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stops_when_stock_runs_out() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            stock: Some(2),
            ..OfferChange::default()
        })
        .await
        .unwrap();
    let (r, seen) = run(&engine, batch(4)).await;
    assert_eq!(r.orders.len(), 2);
    assert_eq!(r.stopped.unwrap().code, ErrorCode::OutOfStock);
    assert_eq!(seen.len(), 3, "two bought, one stop");
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2);
    // The stock-out was seen in the quote: no third create was sent.
    assert_eq!(sim.control.idempotency().await.unwrap().len(), 2);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stops_at_the_balance_floor() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let price = engine.quote(&S1).await.unwrap().price.unwrap().minor;
    let balance = sim.control.balance(ZAP_KEY).await.unwrap().unwrap().minor;
    // Room for two numbers above the floor, not three.
    let floor = Money::idr(balance - 2 * price - 1);
    let (r, _) = run(
        &engine,
        BatchRequest {
            min_balance: Some(floor),
            ..batch(5)
        },
    )
    .await;
    assert_eq!(r.orders.len(), 2);
    let stop = r.stopped.unwrap();
    assert_eq!(stop.code, ErrorCode::BelowMinBalance, "{stop:?}");
    assert!(stop.message.contains("floor"), "{}", stop.message);
    let left = sim.control.balance(ZAP_KEY).await.unwrap().unwrap().minor;
    assert_eq!(left, balance - 2 * price);
    assert!(left >= floor.minor);

    // NumberOTP shows no balance: a floor there is refused before anything is bought.
    let e = engine
        .buy_batch(
            BatchRequest {
                req: sim.numberotp_wa(),
                count: 2,
                max_price: None,
                min_balance: Some(Money::new(otpdesk_core::Currency::Usd, 1)),
            },
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    assert_eq!(charges_to(&sim, NOTP_KEY).await, 0);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_outcome_stops_the_batch_and_is_never_sent_again() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    // NumberOTP has no idempotency: a lost reply is an unknown outcome.
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::DropAfterCommit)
                .path("/activations")
                .method("POST")
                .times(1),
        )
        .await
        .unwrap();
    let (r, _) = run(
        &engine,
        BatchRequest {
            req: sim.numberotp_wa(),
            count: 3,
            max_price: None,
            min_balance: None,
        },
    )
    .await;
    assert!(r.orders.is_empty());
    let stop = r.stopped.unwrap();
    assert_eq!(stop.code, ErrorCode::OutcomeUnknown);
    let id = stop.attempt_id.expect("the attempt to check");
    let attempts = engine.attempts(None).unwrap();
    assert_eq!(attempts.len(), 1, "no further purchase");
    assert_eq!(attempts[0].id, id);
    assert_eq!(attempts[0].state, AttemptState::OutcomeUnknown);
    // Charged once (the reply was lost), never sent again.
    assert_eq!(charges_to(&sim, NOTP_KEY).await, 1);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stopped_by_the_user_buys_nothing_after_the_stop() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let price = engine.quote(&S1).await.unwrap().price;

    // "Stop" pressed right after the 2nd number was bought: the stop is looked at before each
    // next number, so exactly 2 are bought and no third paid call is sent.
    let stopper = BatchStopper::new();
    let mut seen = Vec::new();
    let r = engine
        .buy_batch_stoppable(batch(5), price, &stopper, |p| {
            if matches!(p, BatchProgress::Bought { n: 2, .. }) {
                stopper.stop();
            }
            seen.push(p.clone());
        })
        .await
        .unwrap();
    assert_eq!((r.requested, r.orders.len()), (5, 2));
    let stop = r.stopped.expect("stopped");
    assert_eq!(stop.code, ErrorCode::StoppedByUser);
    assert_eq!(
        stop.message,
        "Stopped by you after 2 of 5; nothing more was bought."
    );
    assert_eq!(stop.attempt_id, None);
    assert!(matches!(
        seen.last(),
        Some(BatchProgress::Stopped { bought: 2, of: 5, stop }) if stop.code == ErrorCode::StoppedByUser
    ));
    assert_eq!(seen.len(), 3, "{seen:?}");
    // Two attempts, two creates, two charges; nothing sent after the stop.
    assert_eq!(engine.attempts(None).unwrap().len(), 2);
    assert_eq!(sim.control.idempotency().await.unwrap().len(), 2);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2);
    assert_eq!(engine.orders(&OrderFilter::default()).unwrap().len(), 2);

    // Stopped before it starts: nothing at all is asked or bought.
    let stopper = BatchStopper::new();
    stopper.stop();
    let r = engine
        .buy_batch_stoppable(batch(3), price, &stopper, |_| {})
        .await
        .unwrap();
    assert_eq!(r.orders.len(), 0);
    assert_eq!(r.stopped.unwrap().code, ErrorCode::StoppedByUser);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2);
    assert_eq!(sim.control.idempotency().await.unwrap().len(), 2);
    engine.shutdown().await;
}
