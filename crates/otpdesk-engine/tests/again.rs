//! "Buy again" and the window's batch, against a real simulator over HTTP and a real order book:
//! the offer of an earlier order (also through a replacement) is rebuilt and quoted afresh with
//! nothing bought; a batch held to the confirmed price buys nothing when the price rose before it
//! started; each number of a batch shows its own Idempotency-Key in the simulator's request log.

mod common;

use common::*;
use otpdesk_core::Money;
use otpdesk_engine::*;
use otpdesk_sim::control::types::OfferChange;
use std::collections::HashSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_again_quotes_the_same_offer_at_todays_price_and_buys_nothing() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, dir.path(), Budget::per_minute(60_000.0), 5_000);
    cfg.tracking.cancel_cooldown = std::time::Duration::ZERO;
    let engine = Engine::open(cfg).await.unwrap();
    let first = engine.buy(S1).await.unwrap();
    assert_eq!(first.price, Some(Money::idr(2_835)));
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1);

    // The price went up since: the quote says so, and asking costs nothing.
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            price: Some(3_100),
            ..OfferChange::default()
        })
        .await
        .unwrap();
    let again = engine.quote_again(&first.id).await.unwrap();
    assert_eq!(again.order_id, first.id);
    assert_eq!(again.target, S1);
    assert_eq!(again.quote.price, Some(Money::idr(3_100)));
    // By the provider's order id too.
    let by_remote = engine.quote_again(&first.remote_id).await.unwrap();
    assert_eq!(
        (by_remote.order_id, by_remote.target),
        (first.id.clone(), S1)
    );
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1, "quoting bought nothing");
    assert_eq!(engine.attempts(None).unwrap().len(), 1);

    // Held to the old price it is refused with nothing sent; at today's price it buys once.
    let e = engine
        .buy_checked(again.target.clone(), first.price)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PriceChanged, "{e}");
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1);
    let second = engine
        .buy_checked(again.target.clone(), again.quote.price)
        .await
        .unwrap();
    assert_eq!(second.price, Some(Money::idr(3_100)));
    assert_ne!(second.phone, first.phone);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2);

    // A finished order can be bought again as well (cancelled here).
    sim.control.advance_clock(125).await.unwrap();
    let cancelled = engine.cancel(&first.id).await.unwrap();
    assert!(cancelled.is_final, "{:?}", cancelled.status);
    let again = engine.quote_again(&first.id).await.unwrap();
    assert_eq!(again.target, S1);

    // NumberOTP: the activation's service and country.
    let n = engine.buy(sim.numberotp_wa()).await.unwrap();
    let again = engine.quote_again(&n.id).await.unwrap();
    assert_eq!(again.target, sim.numberotp_wa());
    assert!(again.quote.price.is_some());

    let e = engine.quote_again("no-such-order").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::OrderNotFound, "{e}");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_again_follows_a_replacement_back_to_its_offer() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let first = engine.buy(S1).await.unwrap();
    let second = engine.replace(&first.id).await.unwrap();
    let third = engine.replace(&second.id).await.unwrap();
    assert_ne!(third.id, first.id);
    for o in [&first, &second, &third] {
        let again = engine.quote_again(&o.id).await.unwrap();
        assert_eq!(again.order_id, o.id);
        assert_eq!(again.target, S1, "order {}", o.id);
        assert_eq!(again.quote.price, Some(Money::idr(2_835)));
    }
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_held_to_the_confirmed_price_buys_nothing_above_it() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let seen_price = engine.quote(&S1).await.unwrap().price;
    assert_eq!(seen_price, Some(Money::idr(2_835)));
    // The price rises while the user looks at the dialog.
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            price: Some(2_900),
            ..OfferChange::default()
        })
        .await
        .unwrap();
    let batch = BatchRequest {
        req: S1,
        count: 3,
        max_price: None,
        min_balance: None,
    };
    let mut seen = Vec::new();
    let r = engine
        .buy_batch_at(batch.clone(), seen_price, |p| seen.push(p.clone()))
        .await
        .unwrap();
    assert!(r.orders.is_empty());
    let stop = r.stopped.unwrap();
    assert_eq!(stop.code, ErrorCode::PriceChanged, "{stop:?}");
    assert!(matches!(
        seen.as_slice(),
        [BatchProgress::Stopped {
            bought: 0,
            of: 3,
            ..
        }]
    ));
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 0);
    assert!(sim.control.idempotency().await.unwrap().is_empty());

    // At the new price, confirmed: three numbers, three keys, each in the simulator's request log.
    sim.control.clear_requests().await.unwrap();
    let r = engine
        .buy_batch_at(batch, Some(Money::idr(2_900)), |_| {})
        .await
        .unwrap();
    assert_eq!((r.orders.len(), r.stopped), (3, None));
    let log = sim.control.requests().await.unwrap();
    let creates: Vec<_> = log
        .requests
        .iter()
        .filter(|q| q.method == "POST" && q.path.contains("order/create"))
        .collect();
    assert_eq!(creates.len(), 3, "{creates:?}");
    let keys: HashSet<_> = creates
        .iter()
        .map(|q| q.idempotency_key.clone().expect("a create carries its key"))
        .collect();
    assert_eq!(keys.len(), 3);
    let attempt_keys: HashSet<_> = engine
        .attempts(None)
        .unwrap()
        .into_iter()
        .map(|a| a.idempotency_key)
        .collect();
    assert_eq!(keys, attempt_keys);
    // Requests without the header log none.
    assert!(log
        .requests
        .iter()
        .filter(|q| q.method == "GET")
        .all(|q| q.idempotency_key.is_none()));
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 3);
    engine.shutdown().await;
}
