//! What a reseller does beyond one number: Server 2 multiservice, email with options, buying at
//! the price seen (fresh quote first).

mod common;

use common::*;
use otpdesk_core::{Money, OrderStatus};
use otpdesk_engine::*;
use otpdesk_sim::control::types::DeliverOtp;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multiservice_gets_a_code_per_service() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let req = BuyRequest::OtpzapS2Multi {
        service_ids: vec![101, 102],
        country_id: 7,
        operator_id: "random".into(),
    };
    let q = engine.quote(&req).await.unwrap();
    let order = engine.buy_checked(req, q.price).await.unwrap();
    assert_eq!(order.server, Some(2));
    assert_eq!(order.price, q.price, "the total of both services");
    let reference = order.remote_ref.clone().unwrap();
    let mut services = Vec::new();
    let mut after = None;
    for _ in 0..2 {
        sim.control
            .deliver(&DeliverOtp {
                reference: reference.clone(),
                code: None,
                text: None,
                service: None,
                late: false,
            })
            .await
            .unwrap();
        let otp = engine
            .wait_for_otp(&order.id, after, Duration::from_secs(10))
            .await
            .unwrap();
        after = Some(otp.seq);
        services.push(otp.service.clone().expect("each code names its service"));
    }
    services.dedup();
    assert_eq!(services.len(), 2, "{services:?}");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_options_and_checked_buys() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    // Aggregator mode: the first listed domain with stock is used.
    let req = BuyRequest::OtpzapEmailOptions {
        site: "openai.com".into(),
        domain: None,
        domains: vec!["outlook.com".into(), "gmail.com".into()],
        subject: Some("verification".into()),
        regex: Some(r"\d{6}".into()),
    };
    let q = engine.quote(&req).await.unwrap();
    assert!(q.price.is_some() && q.stock.unwrap_or(1) > 0);
    let order = engine.buy_checked(req, q.price).await.unwrap();
    assert_eq!(order.kind, OrderKind::Email);
    assert!(order.email.is_some());
    let attempt = engine.attempts(None).unwrap();
    assert!(attempt[0].request["subject"] == "verification");
    sim.control
        .deliver_otp(order.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    let otp = engine
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(otp.code.is_some());
    let done = engine.finish(&order.id).await.unwrap();
    assert_eq!(done.status, OrderStatus::Completed);

    // A price lower than today's is refused before anything is bought.
    let fresh = engine.quote(&S1).await.unwrap().price.unwrap();
    let before = engine.orders(&OrderFilter::default()).unwrap().len();
    let e = engine
        .buy_checked(S1, Some(Money::idr(fresh.minor - 1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PriceChanged);
    assert_eq!(
        engine.orders(&OrderFilter::default()).unwrap().len(),
        before
    );
    // An unknown product is refused as out of stock.
    let gone = BuyRequest::OtpzapS1 {
        product_id: 1,
        country_id: 7,
        platform_id: 1,
    };
    assert_eq!(
        engine.buy_checked(gone, None).await.unwrap_err().code(),
        ErrorCode::OutOfStock
    );
    engine.buy_checked(S1, Some(fresh)).await.unwrap();
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_search_totals_and_profit() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let a = engine.buy(S1).await.unwrap();
    let b = engine.buy(S1).await.unwrap();
    let c = engine.buy(s2_wa()).await.unwrap();
    let d = sim
        .control
        .deliver_otp(a.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    engine
        .wait_for_otp(&a.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    let price = a.price.unwrap();
    engine
        .set_sale_price(&a.id, Some(Money::idr(price.minor + 1_000)))
        .unwrap();
    engine
        .set_sale_price(&c.id, Some(Money::idr(5_000)))
        .unwrap();

    // Search by the code finds the one order that received it.
    let by_code = engine
        .history(&HistoryQuery {
            search: Some(d.code.clone()),
            ..HistoryQuery::default()
        })
        .unwrap();
    assert_eq!(by_code.total_orders, 1);
    assert_eq!(by_code.orders()[0].order.id, a.id);
    assert_eq!(
        by_code.orders()[0].sale_price,
        Some(Money::idr(price.minor + 1_000))
    );
    assert_eq!(by_code.orders()[0].cost_minor, price.minor);
    let all = engine.history(&HistoryQuery::default()).unwrap();
    assert_eq!(all.total_orders, 3);
    let t = &all.totals[0];
    assert_eq!(t.sold, 2);
    let s2_price = c.price.unwrap().minor;
    assert_eq!(t.spent_minor, 2 * price.minor + s2_price);
    assert_eq!(t.profit_minor, 1_000 + (5_000 - s2_price));
    // Filters: provider, status, a date range that excludes everything.
    let pending = engine
        .history(&HistoryQuery {
            status: Some("pending".into()),
            ..HistoryQuery::default()
        })
        .unwrap();
    assert!(pending.orders().iter().all(|r| r.order.id != a.id));
    assert!(pending.orders().iter().any(|r| r.order.id == b.id));
    let future = engine
        .history(&HistoryQuery {
            from: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
            ..HistoryQuery::default()
        })
        .unwrap();
    assert_eq!(future.total_orders, 0);

    let report = engine
        .profit(&ProfitQuery {
            utc_offset_minutes: 420,
            ..ProfitQuery::default()
        })
        .unwrap();
    assert_eq!(report.by_day.len(), 1);
    let today = (chrono::Utc::now() + chrono::Duration::minutes(420))
        .date_naive()
        .to_string();
    assert_eq!(report.by_day[0].day.as_deref(), Some(today.as_str()));
    assert_eq!(report.by_day[0].orders, 2);
    assert_eq!(report.by_day[0].profit_minor, t.profit_minor);
    // Both are WhatsApp numbers (Server 1 and Server 2): one service line.
    assert_eq!(a.service, c.service);
    assert_eq!(report.by_service.len(), 1);
    assert_eq!(
        report.by_service[0].service.as_deref(),
        Some(a.service.as_str())
    );
    assert_eq!(report.by_service[0].orders, 2);
    assert_eq!(report.by_service[0].profit_minor, t.profit_minor);
    engine.shutdown().await;
}
