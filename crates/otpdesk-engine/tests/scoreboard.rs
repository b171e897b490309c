//! The quality scoreboard on a small known history in a real SQLite file, every number
//! recomputed by hand: success and cancel rates, late codes never counted, pending orders left
//! out, the median with an odd and an even count, the provider clock clamped; and the
//! cancel-rate warning.

mod common;

use chrono::{Duration, TimeZone, Utc};
use otpdesk_core::{Money, OrderStatus, ProviderId};
use otpdesk_engine::remote::{RemoteOrder, RemoteOtp};
use otpdesk_engine::store::{NewOrder, Store};
use otpdesk_engine::{BuyRequest, CancelWarning, Offer, OrderKind};

type Time = chrono::DateTime<Utc>;

fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 5, 19, 3, 0, 0).unwrap()
}

struct Book<'a> {
    store: &'a Store,
    n: usize,
}

impl Book<'_> {
    /// Buy one order of `req` at `at`; returns its id and the reply it was bought with.
    fn buy(&mut self, req: &BuyRequest, at: Time) -> (String, RemoteOrder) {
        self.n += 1;
        let mut r = RemoteOrder::new(format!("r{}", self.n), OrderStatus::Pending);
        r.service = Some("WhatsApp".into());
        r.price = Some(Money::idr(2500));
        let request = serde_json::to_string(req).unwrap();
        let (id, new, _) = self
            .store
            .insert_order(
                &NewOrder {
                    provider: req.provider(),
                    kind: OrderKind::Sms,
                    attempt_id: None,
                    request: Some(&request),
                    cancel_unlocks_at: None,
                    remote: &r,
                },
                at,
            )
            .unwrap();
        assert!(new);
        (id, r)
    }

    /// A code the provider says came at `received` (None: not stated), stored at `stored`.
    fn code(&self, id: &str, r: &RemoteOrder, received: Option<Time>, stored: Time) {
        let mut r = r.clone();
        r.status = OrderStatus::OtpReceived;
        r.otps.push(RemoteOtp {
            code: Some("123456".into()),
            text: None,
            sender: None,
            service: None,
            received_at: received,
        });
        self.store.apply_remote(id, &r, stored).unwrap();
        r.status = OrderStatus::Completed;
        self.store
            .apply_remote(id, &r, stored + Duration::seconds(5))
            .unwrap();
    }

    fn end(&self, id: &str, r: &RemoteOrder, status: OrderStatus, at: Time) {
        let mut r = r.clone();
        r.status = status;
        self.store.apply_remote(id, &r, at).unwrap();
    }

    /// The scenario of one order: bought at `at`, given a code `secs` later.
    fn delivered(&mut self, req: &BuyRequest, at: Time, secs: i64) {
        let (id, r) = self.buy(req, at);
        let got = at + Duration::seconds(secs);
        self.code(&id, &r, Some(got), got + Duration::seconds(2));
    }
}

#[test]
fn the_scoreboard_is_what_a_hand_count_gives() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut book = Book {
        store: &store,
        n: 0,
    };
    let a = BuyRequest::OtpzapS2 {
        service_id: 101,
        country_id: 7,
        operator_id: "telkomsel".into(),
    };
    let b = BuyRequest::Numberotp {
        service: "wa".into(),
        country: "6".into(),
    };
    let t = t0();
    // Offer A: three codes after 10, 30 and 20 s ...
    book.delivered(&a, t, 10);
    book.delivered(&a, t + Duration::minutes(1), 30);
    book.delivered(&a, t + Duration::minutes(2), 20);
    // ... two cancelled without a code (the second gets a late code after its cancel) ...
    let (id, r) = book.buy(&a, t + Duration::minutes(3));
    book.end(&id, &r, OrderStatus::Cancelled, t + Duration::minutes(6));
    let (id, r) = book.buy(&a, t + Duration::minutes(4));
    book.end(&id, &r, OrderStatus::Cancelled, t + Duration::minutes(7));
    book.code(
        &id,
        &r,
        Some(t + Duration::minutes(8)),
        t + Duration::minutes(8),
    );
    assert!(store.order(&id).unwrap().unwrap().otps[0].late);
    // ... one expired, one still waiting (not settled: left out).
    let (id, r) = book.buy(&a, t + Duration::minutes(5));
    book.end(&id, &r, OrderStatus::Expired, t + Duration::minutes(25));
    book.buy(&a, t + Duration::minutes(30));

    // Offer B: four codes. 5 s; 15 s; no provider time, stored after 40 s; a provider clock
    // 100 s ahead while we stored it after 8 s (counts as 8 s).
    book.delivered(&b, t, 5);
    book.delivered(&b, t + Duration::minutes(1), 15);
    let (id, r) = book.buy(&b, t + Duration::minutes(2));
    book.code(
        &id,
        &r,
        None,
        t + Duration::minutes(2) + Duration::seconds(40),
    );
    let (id, r) = book.buy(&b, t + Duration::minutes(3));
    book.code(
        &id,
        &r,
        Some(t + Duration::minutes(3) + Duration::seconds(100)),
        t + Duration::minutes(3) + Duration::seconds(8),
    );

    let check = |store: &Store| {
        let board = store.scoreboard().unwrap();
        assert_eq!(board.len(), 2, "{board:?}");
        let qa = board.iter().find(|q| q.offer == Offer::of(&a)).unwrap();
        // Settled: 3 delivered + 2 cancelled + 1 expired = 6 (the waiting one is not).
        assert_eq!((qa.count, qa.delivered, qa.cancelled), (6, 3, 2));
        assert_eq!(qa.success_permille, 500); // 3 / 6
        assert_eq!(qa.cancel_permille, 333); // 2 / 6, rounded down
                                             // Odd count: 10, 20, 30 s -> 20 s. The late code is not among them.
        assert_eq!(qa.median_code_ms, Some(20_000));
        assert_eq!(qa.service_name, "WhatsApp");
        assert_eq!(qa.offer.operator, "telkomsel");

        let qb = board.iter().find(|q| q.offer == Offer::of(&b)).unwrap();
        assert_eq!((qb.count, qb.delivered, qb.cancelled), (4, 4, 0));
        assert_eq!(qb.success_permille, 1000);
        // Even count: 5, 8, 15, 40 s -> (8 + 15) / 2 = 11.5 s.
        assert_eq!(qb.median_code_ms, Some(11_500));
        // Most settled orders first.
        assert_eq!(board[0].offer, Offer::of(&a));
    };
    check(&store);
    // The same numbers from the file after a reopen.
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    check(&store);

    // OTPZap so far: 6 settled, 2 given up -> 33 %, and fewer than 10: no warning.
    assert_eq!(store.cancel_warnings().unwrap(), vec![]);
    let mut book = Book {
        store: &store,
        n: 100,
    };
    let s1 = BuyRequest::OtpzapS1 {
        product_id: 1,
        country_id: 7,
        platform_id: 1,
    };
    for i in 0..4 {
        let at = t + Duration::hours(1) + Duration::minutes(i);
        let (id, r) = book.buy(&s1, at);
        book.end(&id, &r, OrderStatus::Cancelled, at + Duration::minutes(3));
    }
    // Last 10 settled OTPZap orders: 6 given up -> 60 %.
    assert_eq!(
        store.cancel_warnings().unwrap(),
        vec![CancelWarning {
            provider: ProviderId::Otpzap,
            recent: 10,
            cancelled: 6,
            percent: 60,
        }]
    );
    // Ten good ones push the window to 20 settled with 6 given up (30 %): the warning goes.
    for i in 0..10 {
        book.delivered(&s1, t + Duration::hours(2) + Duration::minutes(i), 12);
    }
    assert_eq!(store.cancel_warnings().unwrap(), vec![]);
    let s1q = store
        .scoreboard()
        .unwrap()
        .into_iter()
        .find(|q| q.offer == Offer::of(&s1))
        .unwrap();
    assert_eq!((s1q.count, s1q.delivered, s1q.cancelled), (14, 10, 4));
    assert_eq!(s1q.median_code_ms, Some(12_000));
}

/// Through the engine against the simulator over real HTTP: the offer a catalog target names is
/// the one its orders are counted under, a code lands as a success, a cancel as a cancel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_orders_are_counted_under_the_offer_they_were_bought_from() {
    let sim = common::sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = common::config(
        &sim,
        dir.path(),
        otpdesk_engine::Budget::per_minute(60_000.0),
        5_000,
    );
    cfg.tracking.cancel_cooldown = std::time::Duration::ZERO;
    let engine = otpdesk_engine::Engine::open(cfg).await.unwrap();
    let target = common::s2_wa();
    let got = engine.buy(target.clone()).await.unwrap();
    let reference = got.remote_ref.clone().unwrap();
    sim.control.deliver_otp(&reference).await.unwrap();
    engine
        .wait_for_otp(&got.id, None, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let quality = engine.quality_of(std::slice::from_ref(&target)).unwrap();
    let q = quality[0].as_ref().expect("the offer has a record");
    assert_eq!((q.count, q.delivered, q.cancelled), (1, 1, 0));
    assert_eq!(q.offer.operator, "random");
    assert!(q.median_code_ms.is_some());
    // Another offer of the catalog, never bought: no record.
    let other = BuyRequest::OtpzapS2 {
        service_id: 102,
        country_id: 7,
        operator_id: "random".into(),
    };
    assert_eq!(engine.quality_of(&[other]).unwrap(), vec![None]);
    engine.shutdown().await;
}
