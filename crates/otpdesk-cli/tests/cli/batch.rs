//! `buy … --count N`, `--max-price` and `--min-balance`: three orders with three keys, a maximum
//! below the price that buys (and charges) nothing, a batch that stops at its balance floor.

use crate::harness::*;
use otpdesk_sim::control::types::LedgerKind;
use std::collections::HashSet;

/// The simulator's charges to the demo OTPZap key.
async fn charges(h: &Harness) -> usize {
    h.control()
        .ledger(Some(DEMO_OTPZAP_KEY))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == LedgerKind::Charge)
        .count()
}

/// The one `--json` error line on stderr.
fn error_line(r: &Run) -> Value {
    let lines: Vec<_> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    serde_json::from_str(lines[0]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_three_makes_three_orders_with_three_keys() {
    let h = Harness::new(None).await;
    let r = h.run(&buy_s1(&["--count", "3"])).await.ok();
    let records = r.records();
    assert_eq!(records.len(), 4, "{}", r.stdout);
    let orders: Vec<_> = records.iter().filter(|v| v["type"] == "order").collect();
    assert_eq!(orders.len(), 3);
    let batch = &records[3];
    assert_eq!(batch["type"], "batch");
    assert_eq!(
        (batch["requested"].as_u64(), batch["bought"].as_u64()),
        (Some(3), Some(3))
    );
    assert!(batch["stopped"].is_null());
    let ids: Vec<_> = orders.iter().map(|o| field(o, "id").to_string()).collect();
    assert_eq!(
        batch["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect::<Vec<_>>(),
        ids
    );
    let phones: HashSet<_> = orders.iter().map(|o| field(o, "phone")).collect();
    assert_eq!(phones.len(), 3);
    // Three keys at the provider, each created and charged once.
    let used = h.control().idempotency().await.unwrap();
    let keys: HashSet<_> = used.iter().map(|u| u.idempotency_key.clone()).collect();
    assert_eq!(keys.len(), 3);
    assert!(used.iter().all(|u| u.creates == 1 && u.charges == 1));
    assert_eq!(charges(&h).await, 3);
    // The order book has the three, tracked like any other order.
    let listed = h.run(&["--json", "orders"]).await.ok().records();
    assert_eq!(listed.len(), 3);

    // For people: a line per number, then the total.
    let r = h
        .run(&[&BUY_S1_WHATSAPP[..], &["--count", "2"]].concat())
        .await
        .ok();
    let lines: Vec<_> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(lines[0].starts_with("Bought 1 of 2: "), "{}", lines[0]);
    assert_eq!(lines[2], "Bought 2 of 2.");
    // Out of range counts are a usage mistake.
    for bad in ["0", "51"] {
        let r = h.run(&buy_s1(&["--count", bad])).await;
        assert_eq!(r.status, 2, "{}", r.stderr);
    }
    assert_eq!(charges(&h).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_price_below_the_price_buys_nothing() {
    let h = Harness::new(None).await;
    let r = h.run(&buy_s1(&["--max-price", "2834"])).await;
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let e = error_line(&r);
    assert_eq!(e["code"], "price_above_max");
    assert!(field(&e, "message").contains("2834"), "{e}");
    // The same as a sentence for people.
    let r = h
        .run(&[&BUY_S1_WHATSAPP[..], &["--max-price", "2834"]].concat())
        .await;
    assert_eq!(r.status, 1);
    assert_eq!(
        r.stderr.trim(),
        "otpdesk: The price is IDR 2835, above your maximum of IDR 2834; nothing was bought."
    );
    // A batch under the same maximum stops before buying anything.
    let r = h
        .run(&buy_s1(&["--count", "3", "--max-price", "2834"]))
        .await;
    assert_eq!(r.status, 1);
    let records = r.records();
    assert_eq!(records.len(), 1, "{}", r.stdout);
    assert_eq!(records[0]["type"], "batch");
    assert_eq!(records[0]["bought"], 0);
    assert_eq!(records[0]["stopped"]["code"], "price_above_max");
    assert_eq!(error_line(&r)["code"], "price_above_max");
    // Nothing charged, nothing sent to the create endpoint, nothing in the order book.
    assert_eq!(charges(&h).await, 0);
    assert!(h.control().idempotency().await.unwrap().is_empty());
    assert_eq!(
        h.control()
            .balance(DEMO_OTPZAP_KEY)
            .await
            .unwrap()
            .unwrap()
            .minor,
        250_000
    );
    assert!(h.run(&["--json", "orders"]).await.ok().stdout.is_empty());
    // Not an amount: a usage mistake.
    let r = h.run(&buy_s1(&["--max-price", "cheap"])).await;
    assert_eq!(
        (r.status, error_line(&r)["code"].as_str()),
        (2, Some("usage"))
    );
    // At the price it buys.
    let r = h.run(&buy_s1(&["--max-price", "2835"])).await.ok();
    assert_eq!(r.records()[0]["price"]["minor"], 2835);
    assert_eq!(charges(&h).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stops_at_the_min_balance() {
    let h = Harness::new(None).await;
    // 250000 rupiah: room for two numbers of 2835 above the floor, not three.
    let floor = (250_000 - 2 * 2835 - 1).to_string();
    let r = h
        .run(&buy_s1(&["--count", "5", "--min-balance", &floor]))
        .await;
    assert_eq!(r.status, 1, "{}", r.stderr);
    let records = r.records();
    assert_eq!(records.len(), 3, "{}", r.stdout);
    assert_eq!(records[2]["bought"], 2);
    assert_eq!(records[2]["stopped"]["code"], "below_min_balance");
    let e = error_line(&r);
    assert_eq!(e["code"], "below_min_balance");
    assert!(
        field(&e, "message").starts_with("Bought 2 of 5, then stopped: "),
        "{e}"
    );
    assert_eq!(charges(&h).await, 2);
}
