//! Guarded automation against a real simulator over HTTP and a real order book, with codes that
//! never come: auto-replace jobs never exceed their replacements or their spending cap, never
//! hold two live numbers, give up at the cap and end on a code; a maximum price per service
//! refuses with nothing charged; blocklisted Server 1 numbers are replaced at once; watched
//! offers alert when stock comes back and buy at most one number, only when asked to.

mod common;

use common::*;
use otpdesk_core::{Money, OrderStatus, ProviderId};
use otpdesk_engine::*;
use otpdesk_sim::control::types::{LedgerKind, OfferChange};
use std::path::Path;
use std::time::Duration;

/// An engine with short automation times: jobs look every 50 ms, watches every 200 ms, the
/// OTPZap cancel cooldown is the simulator's 120 s at clock scale 60 (2 s).
async fn fast_engine(sim: &Sim, dir: &Path) -> Engine {
    let mut cfg = config(sim, dir, Budget::per_minute(60_000.0), 5_000);
    cfg.tracking.job_tick = Duration::from_millis(50);
    cfg.tracking.watch_interval = Duration::from_millis(200);
    cfg.tracking.cancel_cooldown = Duration::from_millis(2_100);
    Engine::open(cfg).await.expect("engine")
}

fn job(req: BuyRequest, after_ms: u32, k: u32, cap: Money) -> JobRequest {
    JobRequest {
        req,
        replace_after_ms: after_ms,
        max_replacements: k,
        cap,
        max_price: None,
        use_blocklist: true,
    }
}

/// The job once it is no longer running (or once `f` holds), or panic after `secs`.
async fn job_when(
    engine: &Engine,
    id: &str,
    secs: u64,
    mut f: impl FnMut(&JobView) -> bool,
) -> JobView {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let j = engine.job(id).unwrap();
        if f(&j) {
            return j;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job still {:?} with {} numbers after {secs} s: {j:?}",
            j.state,
            j.orders.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn ended(engine: &Engine, id: &str, secs: u64) -> JobView {
    job_when(engine, id, secs, |j| j.state != JobState::Running).await
}

/// What the simulator charged and refunded `key` in all (minor units, charges positive).
async fn net_charged(sim: &Sim, key: &str) -> (usize, i64) {
    let l = sim.control.ledger(Some(key)).await.unwrap();
    let charges = l.iter().filter(|e| e.kind == LedgerKind::Charge).count();
    let minor = |s: &str| {
        Money::parse(otpdesk_core::Currency::Idr, s.trim_start_matches('-'))
            .unwrap()
            .minor
    };
    let net = l
        .iter()
        .map(|e| match e.kind {
            LedgerKind::Charge => minor(&e.amount),
            LedgerKind::Refund => -minor(&e.amount),
            _ => 0,
        })
        .sum();
    (charges, net)
}

/// No two live numbers: each number of the job was closed before the next was bought (the
/// store's timestamps), and in the simulator's request log every create after the first comes
/// after a cancel or is itself a replace.
async fn assert_no_overlap(engine: &Engine, sim: &Sim, j: &JobView) {
    for w in j.orders.windows(2) {
        let closed = w[0].closed_at.expect("an earlier number is closed");
        assert!(closed <= w[1].bought_at, "{:?} overlaps {:?}", w[0], w[1]);
        let old = engine.order(&w[0].order_id).unwrap();
        assert!(
            old.status.is_final() || old.status == OrderStatus::CancelRequested,
            "{:?}",
            old.status
        );
    }
    let log = sim.control.requests().await.unwrap().requests;
    let mut live = 0i32;
    for r in log.iter().filter(|r| r.status == 200 && r.method == "POST") {
        match r.path.as_str() {
            p if p.ends_with("/order/create") => {
                live += 1;
                assert!(live <= 1, "a second live number was bought: {log:?}");
            }
            p if p.ends_with("/order/cancel") => live -= 1,
            // A replace closes one number and opens one.
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_replaces_server1_numbers_at_most_k_times() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let price = engine.quote(&S1).await.unwrap().price.unwrap();
    let mut rx = engine.subscribe();
    let j = engine
        .start_job(job(S1, 1_000, 2, Money::idr(price.minor * 10)))
        .unwrap();
    let j = ended(&engine, &j.id, 30).await;
    assert_eq!(j.state, JobState::GaveUp, "{j:?}");
    assert_eq!(j.reason.as_deref(), Some("max_replacements"));
    assert_eq!((j.orders.len(), j.replacements), (3, 2), "{j:?}");
    // Two replaces, one create; the last number is left open for the user.
    let log = sim.control.requests().await.unwrap().requests;
    let posts = |suffix: &str| {
        log.iter()
            .filter(|r| r.method == "POST" && r.status == 200 && r.path.ends_with(suffix))
            .count()
    };
    assert_eq!((posts("/order/create"), posts("/order/replace")), (1, 2));
    let kinds: Vec<_> = j.orders.iter().map(|o| o.how.clone()).collect();
    assert_eq!(
        kinds,
        [Some("replaced".into()), Some("replaced".into()), None]
    );
    let last = engine.order(&j.orders[2].order_id).unwrap();
    assert_eq!(last.status, OrderStatus::Pending);
    assert_eq!(j.current_order.as_deref(), Some(last.id.as_str()));
    // Replaces refund the old number: one price spent, at the provider too.
    assert_eq!(j.spent, price);
    assert_eq!(net_charged(&sim, ZAP_KEY).await, (3, price.minor));
    assert_no_overlap(&engine, &sim, &j).await;
    // Its steps were told as they happened.
    let mut seen = 0;
    while let Ok(e) = rx.try_recv() {
        if matches!(e, EngineEvent::JobChanged { ref job } if job.id == j.id) {
            seen += 1;
        }
    }
    assert!(seen >= 4, "{seen} job events");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replace_that_would_pass_the_cap_is_not_made() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    // After the first sale the product costs 6000: a replace would spend 6000 of a 4000 cap.
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            price: Some(6_000),
            after_sales: 1,
            ..OfferChange::default()
        })
        .await
        .unwrap();
    let j = engine
        .start_job(job(S1, 1_000, 3, Money::idr(4_000)))
        .unwrap();
    let j = ended(&engine, &j.id, 20).await;
    assert_eq!(
        (j.state, j.reason.as_deref()),
        (JobState::GaveUp, Some("cap_reached")),
        "{j:?}"
    );
    assert_eq!(j.orders.len(), 1);
    assert!(j.spent.minor <= 4_000);
    assert_eq!(net_charged(&sim, ZAP_KEY).await, (1, 2_835));
    // The number stays open for the user.
    let o = engine.order(j.current_order.as_ref().unwrap()).unwrap();
    assert_eq!(o.status, OrderStatus::Pending);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_gives_up_at_its_cap_while_refunds_are_unconfirmed() {
    let sim = sim(100_000).await;
    sim.control.set_clock_scale(60).await.unwrap();
    // Cancels are accepted but their refunds not confirmed within the test: every cancelled
    // number still counts against the cap.
    sim.control
        .set_cancel_confirm_delay_secs(Some(24 * 3600))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let req = s2_wa();
    let price = engine.quote(&req).await.unwrap().price.unwrap();
    let cap = Money::idr(price.minor * 5 / 2);
    let j = engine.start_job(job(req, 1_000, 5, cap)).unwrap();
    let j = ended(&engine, &j.id, 40).await;
    assert_eq!(j.state, JobState::GaveUp, "{j:?}");
    assert_eq!(j.reason.as_deref(), Some("cap_reached"), "{j:?}");
    assert_eq!(j.orders.len(), 2, "two numbers fit under the cap: {j:?}");
    assert!(j.spent.minor <= cap.minor, "{} > {}", j.spent, cap);
    assert_eq!(j.spent, Money::idr(price.minor * 2));
    let msg = j.message.clone().unwrap_or_default();
    assert!(
        msg.contains(&format!(
            "{} of it waits for refunds",
            Money::idr(price.minor * 2)
        )),
        "the message says the refunds are pending: {msg}"
    );
    assert_eq!(j.current_order, None, "nothing left open");
    for o in &j.orders {
        assert_eq!(o.how.as_deref(), Some("cancel_requested"), "{o:?}");
    }
    // The provider charged twice and refunded nothing yet: under the cap.
    let (charges, net) = net_charged(&sim, ZAP_KEY).await;
    assert_eq!(charges, 2);
    assert!(net <= cap.minor);
    assert_no_overlap(&engine, &sim, &j).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_cancels_after_the_cooldown_and_counts_confirmed_refunds_back() {
    let sim = sim(100_000).await;
    sim.control.set_clock_scale(60).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let req = s2_wa();
    let price = engine.quote(&req).await.unwrap().price.unwrap();
    // Refunds confirmed at once: the cap of 1.5 numbers never stops it, K does.
    let cap = Money::idr(price.minor * 3 / 2);
    let j = engine.start_job(job(req, 1_000, 2, cap)).unwrap();
    let j = ended(&engine, &j.id, 40).await;
    assert_eq!(j.reason.as_deref(), Some("max_replacements"), "{j:?}");
    assert_eq!(j.orders.len(), 3);
    assert_eq!(j.spent, price, "only the live number is spent");
    let hows: Vec<_> = j.orders.iter().map(|o| o.how.as_deref()).collect();
    assert_eq!(hows, [Some("cancelled"), Some("cancelled"), None]);
    // Each cancel came after the cooldown (refused cancels would show as 429s).
    let log = sim.control.requests().await.unwrap().requests;
    assert!(log
        .iter()
        .filter(|r| r.path.ends_with("/order/cancel"))
        .all(|r| r.status == 200));
    let (charges, net) = net_charged(&sim, ZAP_KEY).await;
    assert_eq!((charges, net), (3, price.minor));
    assert_no_overlap(&engine, &sim, &j).await;
    engine.shutdown().await;
}

/// The rule for a cancel the provider accepted with the refund still pending: the number is
/// closed (the job buys the next one at once; a requested cancel is never undone and a code on it
/// is late), but its charge stays spent until the refund is booked. So the next number is bought
/// only within the cap less every unconfirmed refund, the provider never holds more than the cap
/// for the job, and a refund counts back once it is confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_accepted_closes_the_number_but_its_refund_counts_back_only_once_confirmed() {
    let sim = sim(100_000).await;
    sim.control.set_clock_scale(60).await.unwrap();
    // Each refund lands 60 simulated seconds (1 s) after its cancel was accepted; cancels are
    // allowed 2 s after a purchase.
    sim.control
        .set_cancel_confirm_delay_secs(Some(60))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let req = s2_wa();
    let price = engine.quote(&req).await.unwrap().price.unwrap();
    // Room for two and a half numbers: the second fits while the first refund is pending
    // (2 × price), the third only once that refund is booked (else 3 × price would be held).
    let cap = Money::idr(price.minor * 5 / 2);
    let j = engine.start_job(job(req, 1_000, 3, cap)).unwrap();

    // While it runs: what the job counts as spent is never under what the provider holds.
    let mut seen_pending = false;
    let j = job_when(&engine, &j.id, 60, |j| {
        let pending = j
            .orders
            .iter()
            .filter(|o| o.closed_at.is_some())
            .any(|o| engine.order(&o.order_id).unwrap().status == OrderStatus::CancelRequested);
        if pending && j.current_order.is_some() {
            // A live number beside a closed one whose refund is pending: both are spent.
            seen_pending = true;
            assert!(j.spent.minor >= price.minor * 2, "{j:?}");
        }
        assert!(j.spent.minor <= cap.minor, "{} > {cap}", j.spent);
        j.state != JobState::Running
    })
    .await;
    assert!(
        seen_pending,
        "a number was bought while the previous refund was pending"
    );
    assert_eq!(j.reason.as_deref(), Some("max_replacements"), "{j:?}");
    assert_eq!(j.orders.len(), 4, "confirmed refunds counted back: {j:?}");
    // Each number closed when its cancel was accepted, before its refund was confirmed.
    let hows: Vec<_> = j.orders.iter().map(|o| o.how.as_deref()).collect();
    assert_eq!(
        hows,
        [
            Some("cancel_requested"),
            Some("cancel_requested"),
            Some("cancel_requested"),
            None
        ]
    );
    assert_no_overlap(&engine, &sim, &j).await;
    // At the provider, in the order things happened: at some moment two numbers were charged
    // (one closed, its refund pending), never more than the cap.
    let minor = |s: &str| {
        Money::parse(otpdesk_core::Currency::Idr, s.trim_start_matches('-'))
            .unwrap()
            .minor
    };
    let (mut held, mut most) = (0i64, 0i64);
    for e in sim.control.ledger(Some(ZAP_KEY)).await.unwrap() {
        match e.kind {
            LedgerKind::Charge => held += minor(&e.amount),
            LedgerKind::Refund => held -= minor(&e.amount),
            _ => {}
        }
        assert!(held <= cap.minor, "the provider held {held} > {cap}");
        most = most.max(held);
    }
    assert_eq!(most, price.minor * 2);
    // Once the last refunds are confirmed, only the live number is spent.
    let j = job_when(&engine, &j.id, 10, |j| j.spent == price).await;
    assert_eq!(net_charged(&sim, ZAP_KEY).await, (4, j.spent.minor));
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_ends_the_job_and_a_stop_keeps_the_number() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let j = engine
        .start_job(job(S1, 60_000, 3, Money::idr(100_000)))
        .unwrap();
    let j = job_when(&engine, &j.id, 10, |j| j.current_order.is_some()).await;
    let o = engine.order(j.current_order.as_ref().unwrap()).unwrap();
    assert_eq!(engine.job_of_order(&o.id).unwrap().unwrap().id, j.id);
    sim.control.deliver_otp(&o.remote_id).await.unwrap();
    let j = ended(&engine, &j.id, 15).await;
    assert_eq!(
        (j.state, j.reason.as_deref()),
        (JobState::Done, Some("code_received"))
    );
    assert_eq!(j.orders.len(), 1);

    // Stopped by the user: nothing more happens, the number stays open.
    let j = engine
        .start_job(job(S1, 1_500, 3, Money::idr(100_000)))
        .unwrap();
    let j = job_when(&engine, &j.id, 10, |j| j.current_order.is_some()).await;
    let stopped = engine.stop_job(&j.id).unwrap();
    assert_eq!(stopped.state, JobState::Stopped);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let after = engine.job(&j.id).unwrap();
    assert_eq!(after.orders.len(), 1, "no replacement after the stop");
    let o = engine.order(after.current_order.as_ref().unwrap()).unwrap();
    assert_eq!(o.status, OrderStatus::Pending);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_resumes_after_a_restart() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let j = engine
        .start_job(job(S1, 2_000, 1, Money::idr(100_000)))
        .unwrap();
    job_when(&engine, &j.id, 10, |j| j.current_order.is_some()).await;
    engine.shutdown().await;
    drop(engine);
    let engine = fast_engine(&sim, dir.path()).await;
    let j = ended(&engine, &j.id, 20).await;
    assert_eq!(j.reason.as_deref(), Some("max_replacements"), "{j:?}");
    assert_eq!(j.orders.len(), 2);
    assert_no_overlap(&engine, &sim, &j).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maximum_price_per_service_refuses_with_nothing_charged() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let price = engine.quote(&S1).await.unwrap().price.unwrap();
    assert_eq!(S1.service_key(), "otpzap:s1:1");
    engine
        .set_max_price("otpzap:s1:1", Some(Money::idr(price.minor - 1)))
        .unwrap();
    assert_eq!(
        engine.max_prices().unwrap(),
        [("otpzap:s1:1".to_string(), Money::idr(price.minor - 1))]
    );
    let e = engine.buy(S1).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::PriceAboveMax, "{e}");
    // A higher maximum on the purchase does not lift the service's.
    let e = engine
        .buy_within(S1, None, Some(Money::idr(price.minor * 2)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PriceAboveMax, "{e}");
    let r = engine
        .buy_batch(
            BatchRequest {
                req: S1,
                count: 2,
                max_price: None,
                min_balance: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(r.stopped.unwrap().code, ErrorCode::PriceAboveMax);
    // A job gives up before buying.
    let j = engine
        .start_job(job(S1, 1_000, 2, Money::idr(100_000)))
        .unwrap();
    let j = ended(&engine, &j.id, 10).await;
    assert_eq!(j.reason.as_deref(), Some("price_above_max"), "{j:?}");
    assert_eq!(net_charged(&sim, ZAP_KEY).await, (0, 0));
    assert!(sim.control.idempotency().await.unwrap().is_empty());
    // Other services are not held to it; wrong currencies are refused.
    let e = engine
        .set_max_price(
            "otpzap:s1:1",
            Some(Money::new(otpdesk_core::Currency::Usd, 5)),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
    assert!(engine
        .set_max_price("whatsapp", Some(Money::idr(1)))
        .is_err());
    engine.buy(s2_wa()).await.unwrap();
    // Cleared: it buys.
    engine.set_max_price("otpzap:s1:1", None).unwrap();
    engine.buy(S1).await.unwrap();
    assert_eq!(net_charged(&sim, ZAP_KEY).await.0, 2);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocklisted_server1_numbers_are_replaced_at_once() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    assert!(engine.add_block(BlockKind::Prefix, "0831", None).unwrap());
    assert!(engine.add_block(BlockKind::Operator, "Tri", None).unwrap());
    assert!(
        !engine.add_block(BlockKind::Prefix, "62831", None).unwrap(),
        "listed already"
    );
    assert!(engine
        .add_block(BlockKind::Operator, "vodafone", None)
        .is_err());
    let list = engine.blocklist().unwrap();
    assert_eq!(list.len(), 2);

    // In a job: the Axis number (62831…) and the Tri number (62896…) go at once, the third stays.
    sim.control
        .next_phones(&["6283100000001", "6289600000002", "6281200000003"])
        .await
        .unwrap();
    let j = engine
        .start_job(job(S1, 60_000, 3, Money::idr(100_000)))
        .unwrap();
    let j = job_when(&engine, &j.id, 15, |j| j.orders.len() == 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let j = engine.job(&j.id).unwrap();
    assert_eq!(j.state, JobState::Running);
    assert_eq!((j.orders.len(), j.replacements), (3, 2));
    let live = engine.order(j.current_order.as_ref().unwrap()).unwrap();
    assert_eq!(live.phone.as_deref(), Some("6281200000003"));
    engine.stop_job(&j.id).unwrap();

    // Plain purchases only when switched on.
    sim.control.next_phones(&["6283100000004"]).await.unwrap();
    let o = engine.buy(S1).await.unwrap();
    assert_eq!(o.phone.as_deref(), Some("6283100000004"), "switch is off");
    engine.set_blocklist_all_purchases(true).unwrap();
    assert!(engine.blocklist_all_purchases().unwrap());
    sim.control
        .next_phones(&["6283100000005", "6281200000006"])
        .await
        .unwrap();
    let o = engine.buy(S1).await.unwrap();
    assert_eq!(o.phone.as_deref(), Some("6281200000006"));
    let orders = engine.orders(&OrderFilter::default()).unwrap();
    let first = orders
        .iter()
        .find(|x| x.phone.as_deref() == Some("6283100000005"))
        .unwrap();
    assert_eq!(first.status, OrderStatus::Replaced);
    // Removing an entry stops it matching.
    assert!(engine.remove_block(BlockKind::Prefix, "62831").unwrap());
    sim.control.next_phones(&["6283100000007"]).await.unwrap();
    let o = engine.buy(S1).await.unwrap();
    assert_eq!(o.phone.as_deref(), Some("6283100000007"));
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocklist_suggestions_come_from_numbers_that_ended_without_a_code() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    // Three Axis numbers replaced without a code, one Telkomsel number with its code.
    sim.control
        .next_phones(&[
            "6283800000001",
            "6283800000002",
            "6283800000003",
            "6281200000004",
        ])
        .await
        .unwrap();
    let o = engine.buy(S1).await.unwrap();
    let o = engine.replace(&o.id).await.unwrap();
    let o = engine.replace(&o.id).await.unwrap();
    let o = engine.replace(&o.id).await.unwrap();
    assert_eq!(o.phone.as_deref(), Some("6281200000004"));
    sim.control.deliver_otp(&o.remote_id).await.unwrap();
    let mut rx = engine.subscribe();
    engine.check_now(&o.id).unwrap();
    next_event(&mut rx, 10, |e| {
        matches!(e, EngineEvent::OtpReceived { .. })
    })
    .await;
    engine.finish(&o.id).await.unwrap();
    let s = engine.suggest_blocks().unwrap();
    let got: Vec<_> = s
        .iter()
        .map(|x| (x.kind, x.value.as_str(), x.failures, x.total))
        .collect();
    assert_eq!(
        got,
        [
            (BlockKind::Prefix, "62838", 3, 3),
            (BlockKind::Operator, "axis", 3, 3)
        ]
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_alerts_when_stock_comes_back_and_buys_only_when_asked() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = fast_engine(&sim, dir.path()).await;
    let price = engine.quote(&S1).await.unwrap().price.unwrap();
    let stock = |n: u32| OfferChange {
        product_id: S1_PRODUCT,
        stock: Some(n),
        ..OfferChange::default()
    };
    sim.control.change_offer(&stock(0)).await.unwrap();
    let mut rx = engine.subscribe();
    let w = engine
        .watch_offer(WatchRequest {
            req: S1,
            label: "WhatsApp Indonesia".into(),
            target: None,
            auto_buy: false,
            auto_max: None,
        })
        .unwrap();
    engine.check_watches_now().await;
    let seen = engine.watches().unwrap();
    assert_eq!(seen[0].state, WatchState::Watching);
    assert_eq!(seen[0].last_stock, Some(0));
    sim.control.change_offer(&stock(5)).await.unwrap();
    let e = next_event(&mut rx, 10, |e| matches!(e, EngineEvent::WatchAlert { .. })).await;
    let EngineEvent::WatchAlert { watch, order } = e else {
        unreachable!()
    };
    assert_eq!(
        (watch.id.as_str(), watch.state),
        (w.id.as_str(), WatchState::Alerted)
    );
    assert!(order.is_none(), "nothing bought without the opt-in");
    assert_eq!(net_charged(&sim, ZAP_KEY).await, (0, 0));
    // It rests until re-armed.
    engine.check_watches_now().await;
    assert_eq!(engine.watches().unwrap()[0].state, WatchState::Alerted);
    assert_eq!(
        engine.rearm_watch(&w.id).unwrap().state,
        WatchState::Watching
    );
    assert!(engine.remove_watch(&w.id).unwrap());

    // Opted in, price target reached: exactly one number, within the cap.
    let auto = |max: i64| WatchRequest {
        req: S1,
        label: "WhatsApp Indonesia".into(),
        target: Some(price),
        auto_buy: true,
        auto_max: Some(Money::idr(max)),
    };
    let e = engine
        .watch_offer(WatchRequest {
            auto_max: None,
            ..auto(1)
        })
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "a cap is required");
    let w = engine.watch_offer(auto(price.minor)).unwrap();
    let e = next_event(&mut rx, 10, |e| matches!(e, EngineEvent::WatchAlert { .. })).await;
    let EngineEvent::WatchAlert { watch, order } = e else {
        unreachable!()
    };
    assert_eq!(watch.state, WatchState::Bought);
    let order = order.expect("one number bought");
    assert_eq!(watch.order_id.as_deref(), Some(order.id.as_str()));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(net_charged(&sim, ZAP_KEY).await.0, 1, "one purchase only");
    engine.remove_watch(&w.id).unwrap();

    // A cap under the price: alerted, nothing bought, the reason kept.
    let w = engine
        .watch_offer(WatchRequest {
            target: None,
            ..auto(price.minor - 1)
        })
        .unwrap();
    let e = next_event(&mut rx, 10, |e| matches!(e, EngineEvent::WatchAlert { .. })).await;
    let EngineEvent::WatchAlert { watch, order } = e else {
        unreachable!()
    };
    assert_eq!((watch.id, watch.state), (w.id, WatchState::Alerted));
    assert!(order.is_none());
    assert!(watch.note.unwrap().contains("maximum"));
    assert_eq!(net_charged(&sim, ZAP_KEY).await.0, 1);
    engine.shutdown().await;
}

/// "Check now" answers even in a process that does not track the provider (another process holds
/// the lease): the look is a free quote, and alerts are taken under the store's word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_now_looks_even_where_another_process_tracks() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let slow = |sim: &Sim, dir: &Path| {
        let mut cfg = config(sim, dir, Budget::per_minute(60_000.0), 5_000);
        // No timed look during the test: only the asked-for one.
        cfg.tracking.watch_interval = Duration::from_secs(3_600);
        cfg
    };
    let tracker = Engine::open(slow(&sim, dir.path())).await.expect("engine");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !tracker.is_tracker(ProviderId::Otpzap) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first process tracks"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let other = Engine::open(slow(&sim, dir.path())).await.expect("engine");
    assert!(
        !other.is_tracker(ProviderId::Otpzap),
        "the second one only reads"
    );
    let w = other
        .watch_offer(WatchRequest {
            req: S1,
            label: "WhatsApp Indonesia".into(),
            target: None,
            auto_buy: false,
            auto_max: None,
        })
        .unwrap();
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            stock: Some(0),
            ..OfferChange::default()
        })
        .await
        .unwrap();
    other.check_watches_now().await;
    let seen = other
        .watches()
        .unwrap()
        .into_iter()
        .find(|x| x.id == w.id)
        .unwrap();
    assert_eq!(seen.last_stock, Some(0), "the look was made and kept");
    assert_eq!(seen.state, WatchState::Watching);
    other.shutdown().await;
    tracker.shutdown().await;
}
