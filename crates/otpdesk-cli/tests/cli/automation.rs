//! Guarded automation from the command line against the simulator (codes never come):
//! `buy … --auto-replace-after` stops at K replacements and at its cap, `max-price` holds every
//! purchase of a service, `blocklist` is edited and replaces matching numbers, `watch` alerts
//! when stock comes back.

use crate::harness::*;
use otpdesk_sim::control::types::{LedgerKind, OfferChange};

async fn ledger_count(h: &Harness, kind: LedgerKind) -> usize {
    h.control()
        .ledger(Some(DEMO_OTPZAP_KEY))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == kind)
        .count()
}

fn error_line(r: &Run) -> Value {
    let line = r.stderr.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {}", r.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_replace_stops_after_k_replacements_and_at_its_cap() {
    let h = Harness::new(None).await;
    let r = h
        .run(&buy_s1(&[
            "--auto-replace-after",
            "1s",
            "--max-replacements",
            "2",
            "--cap",
            "20000",
        ]))
        .await;
    assert_eq!(r.status, 1, "{}\n{}", r.stdout, r.stderr);
    let records = r.records();
    let orders: Vec<_> = records.iter().filter(|v| v["type"] == "order").collect();
    assert_eq!(orders.len(), 3, "{}", r.stdout);
    let job = records.iter().find(|v| v["type"] == "job").unwrap();
    assert_eq!(job["state"], "gave_up");
    assert_eq!(job["reason"], "max_replacements");
    assert_eq!(job["replacements"], 2);
    assert_eq!(job["spent"]["minor"], 2835);
    assert_eq!(error_line(&r)["code"], "max_replacements");
    // Three charges, two refunded by the replaces.
    assert_eq!(ledger_count(&h, LedgerKind::Charge).await, 3);
    assert_eq!(ledger_count(&h, LedgerKind::Refund).await, 2);
    // The job is listed.
    let listed = h.run(&["--json", "jobs", "list"]).await.ok().records();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["reason"], "max_replacements");

    // A cap under the price: nothing is bought.
    let r = h
        .run(&buy_s1(&["--auto-replace-after", "1", "--cap", "2000"]))
        .await;
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert_eq!(error_line(&r)["code"], "cap_reached");
    assert_eq!(ledger_count(&h, LedgerKind::Charge).await, 3);
    // Usage mistakes.
    for bad in [
        &["--auto-replace-after", "soon", "--cap", "9000"][..],
        &["--auto-replace-after", "5"][..],
        &["--auto-replace-after", "5", "--cap", "9000", "--count", "2"][..],
    ] {
        let r = h.run(&buy_s1(bad)).await;
        assert_eq!(r.status, 2, "{bad:?}: {}", r.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_price_per_service_holds_every_purchase() {
    let h = Harness::new(None).await;
    h.run(&["max-price", "otpzap:s1:1", "2834"]).await.ok();
    let listed = h.run(&["--json", "max-price"]).await.ok().records();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0]["service"].as_str(),
            listed[0]["max"]["minor"].as_i64()
        ),
        (Some("otpzap:s1:1"), Some(2834))
    );
    let r = h.run(&buy_s1(&[])).await;
    assert_eq!(r.status, 1);
    assert_eq!(error_line(&r)["code"], "price_above_max");
    assert_eq!(ledger_count(&h, LedgerKind::Charge).await, 0);
    assert!(h.control().idempotency().await.unwrap().is_empty());
    let r = h.run(&["--json", "max-price", "whatsapp", "100"]).await;
    assert_eq!(r.status, 2, "{}", r.stderr);
    h.run(&["max-price", "otpzap:s1:1", "--clear"]).await.ok();
    h.run(&buy_s1(&[])).await.ok();
    assert_eq!(ledger_count(&h, LedgerKind::Charge).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocklist_is_edited_and_replaces_matching_numbers() {
    let h = Harness::new(None).await;
    h.run(&[
        "blocklist",
        "add",
        "prefix",
        "0831",
        "--note",
        "never a code",
    ])
    .await
    .ok();
    h.run(&["blocklist", "add", "operator", "tri"]).await.ok();
    let r = h.run(&["blocklist", "add", "operator", "vodafone"]).await;
    assert_eq!(r.status, 1, "{}", r.stderr);
    let list = h.run(&["--json", "blocklist", "list"]).await.ok().records();
    let values: Vec<_> = list.iter().map(|v| field(v, "value").to_string()).collect();
    assert_eq!(values, ["tri", "62831"], "operators, then prefixes");
    assert_eq!(list[1]["note"], "never a code");
    assert!(h
        .run(&["--json", "blocklist", "suggest"])
        .await
        .ok()
        .stdout
        .is_empty());

    // Switched on for every purchase: a matching number is swapped at once.
    h.run(&["blocklist", "all-purchases", "on"]).await.ok();
    h.control()
        .next_phones(&["6283100000001", "6281200000002"])
        .await
        .unwrap();
    let r = h.run(&buy_s1(&[])).await.ok();
    assert_eq!(field(&r.records()[0], "phone"), "6281200000002");
    assert_eq!(ledger_count(&h, LedgerKind::Refund).await, 1);

    h.run(&["blocklist", "remove", "prefix", "62831"])
        .await
        .ok();
    let r = h.run(&["blocklist", "remove", "prefix", "62831"]).await;
    assert_eq!(r.status, 2);
    let list = h.run(&["--json", "blocklist", "list"]).await.ok().records();
    assert_eq!(list.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_alerts_when_stock_comes_back() {
    let h = Harness::new(None).await;
    let stock = |n: u32| OfferChange {
        product_id: 814_090_256,
        stock: Some(n),
        ..OfferChange::default()
    };
    h.control().change_offer(&stock(0)).await.unwrap();
    let r = h
        .run(&[
            "--json",
            "watch",
            "add",
            "--label",
            "WA Indonesia",
            "s1",
            "--product",
            "814090256",
            "--country",
            "7",
            "--platform",
            "1",
        ])
        .await
        .ok();
    let w = &r.records()[0];
    assert_eq!(
        (w["state"].as_str(), w["label"].as_str()),
        (Some("watching"), Some("WA Indonesia"))
    );
    let r = h.run(&["--json", "watch", "check"]).await.ok();
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    h.control().change_offer(&stock(4)).await.unwrap();
    let r = h.run(&["--json", "watch", "check"]).await.ok();
    let alerts = r.records();
    assert_eq!(alerts.len(), 1, "{}", r.stdout);
    assert_eq!(alerts[0]["type"], "watch_alert");
    assert_eq!(alerts[0]["last_stock"], 4);
    assert!(alerts[0]["bought"].is_null());
    let listed = h.run(&["--json", "watch", "list"]).await.ok().records();
    assert_eq!(listed[0]["state"], "alerted");
    assert_eq!(
        ledger_count(&h, LedgerKind::Charge).await,
        0,
        "nothing bought"
    );
    // --auto-buy needs a cap.
    let r = h
        .run(&[
            "watch",
            "add",
            "--auto-buy",
            "s1",
            "--product",
            "1",
            "--country",
            "7",
            "--platform",
            "1",
        ])
        .await;
    assert_eq!(r.status, 2, "{}", r.stderr);
}
