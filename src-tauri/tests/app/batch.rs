//! "Buy N" and "Buy again" over IPC against the simulator: a batch of three at the confirmed
//! price (three orders, three Idempotency-Keys, progress events per number), a batch that stops
//! when the price rises (nothing bought above what the user confirmed), and the quote of an
//! earlier order's offer, which buys nothing.

use crate::harness::app_with_keys;
use otpdesk_sim::control::types::{LedgerKind, OfferChange};
use serde_json::{json, Value};
use std::collections::HashSet;

const S1_PRODUCT: u64 = 814_090_256;

fn s1() -> Value {
    json!({"type": "otpzap_s1", "product_id": S1_PRODUCT, "country_id": 7, "platform_id": 1})
}

#[test]
fn buy_n_reports_each_number_and_stops_on_a_price_rise_buy_again_only_quotes() {
    let (sim, h) = app_with_keys();
    let ctl = sim.control();
    let charges = || {
        tauri::async_runtime::block_on(ctl.ledger(None))
            .unwrap()
            .iter()
            .filter(|e| e.kind == LedgerKind::Charge)
            .count()
    };

    let quote = h.ok("quote", json!({"target": s1()}));
    let batch =
        |count: u32| json!({"req": s1(), "count": count, "max_price": null, "min_balance": null});
    let r = h.ok(
        "buy_batch",
        json!({"batchId": "b-1", "batch": batch(3), "expectedPrice": quote["price"]}),
    );
    let orders = r["orders"].as_array().unwrap();
    assert_eq!((orders.len(), &r["stopped"]), (3, &Value::Null), "{r}");
    let phones: HashSet<_> = orders.iter().map(|o| o["phone"].to_string()).collect();
    assert_eq!(phones.len(), 3);
    // One progress event per number, in order, each with the order the board shows.
    let seen = h.shell.batches.lock().unwrap().clone();
    let ns: Vec<_> = seen
        .iter()
        .map(|e| {
            assert_eq!(e["batch_id"], "b-1");
            assert_eq!(e["progress"]["type"], "bought");
            assert_eq!(e["progress"]["of"], 3);
            assert!(e["progress"]["order"]["id"].is_string());
            e["progress"]["n"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(ns, [1, 2, 3]);
    let keys: HashSet<_> = tauri::async_runtime::block_on(ctl.idempotency())
        .unwrap()
        .into_iter()
        .map(|u| u.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 3);
    assert_eq!(charges(), 3);

    // After one more sale the price rises: the batch stops with a sentence, one number bought.
    tauri::async_runtime::block_on(ctl.change_offer(&OfferChange {
        product_id: S1_PRODUCT,
        price: Some(3_300),
        after_sales: 1,
        ..OfferChange::default()
    }))
    .unwrap();
    h.shell.batches.lock().unwrap().clear();
    let r = h.ok(
        "buy_batch",
        json!({"batchId": "b-2", "batch": batch(4), "expectedPrice": quote["price"]}),
    );
    assert_eq!(r["orders"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["stopped"]["code"], "price_changed", "{r}");
    let seen = h.shell.batches.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1]["progress"]["type"], "stopped");
    assert_eq!(seen[1]["progress"]["bought"], 1);
    assert_eq!(seen[1]["progress"]["stop"]["code"], "price_changed");
    assert_eq!(charges(), 4, "nothing bought above the confirmed price");

    // Buy again: today's price of the first order's offer, nothing bought.
    let first = orders[0]["id"].as_str().unwrap();
    let again = h.ok("quote_again", json!({"orderId": first}));
    assert_eq!(again["target"], s1());
    assert_eq!(again["quote"]["price"]["minor"], 3_300);
    assert_eq!(charges(), 4);
    let e = h.err("quote_again", json!({"orderId": "nope"}));
    assert_eq!(e["code"], "order_not_found", "{e}");

    // A count out of range is refused before anything is asked.
    let e = h.err(
        "buy_batch",
        json!({"batchId": "b-3", "batch": batch(51), "expectedPrice": again["quote"]["price"]}),
    );
    assert_eq!(e["code"], "validation", "{e}");
    assert_eq!(charges(), 4);
}

#[test]
fn stop_batch_finishes_the_number_under_way_and_buys_nothing_after_it() {
    let (sim, h) = app_with_keys();
    let ctl = sim.control();
    let charges = || {
        tauri::async_runtime::block_on(ctl.ledger(None))
            .unwrap()
            .iter()
            .filter(|e| e.kind == LedgerKind::Charge)
            .count()
    };
    // Nothing runs under an unknown id.
    assert_eq!(h.ok("stop_batch", json!({"batchId": "nope"})), json!(false));

    // Each create takes 400 ms, so "Stop" pressed after the first number lands while the
    // second is under way: that one finishes and is kept, nothing after it is bought.
    tauri::async_runtime::block_on(
        ctl.add_fault(
            &otpdesk_sim::control::types::FaultRule::new(
                otpdesk_sim::control::types::FaultKind::Delay { ms: 400 },
            )
            .path("/order/create")
            .method("POST"),
        ),
    )
    .unwrap();
    let quote = h.ok("quote", json!({"target": s1()}));
    let window = h.window();
    let shell = h.shell.clone();
    let stopper = std::thread::spawn(move || {
        let start = std::time::Instant::now();
        while !shell
            .batches
            .lock()
            .unwrap()
            .iter()
            .any(|e| e["batch_id"] == "b-stop" && e["progress"]["type"] == "bought")
        {
            assert!(start.elapsed() < std::time::Duration::from_secs(20));
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        crate::harness::invoke_on(&window, "stop_batch", json!({"batchId": "b-stop"})).unwrap()
    });
    let r = h.ok(
        "buy_batch",
        json!({"batchId": "b-stop",
               "batch": {"req": s1(), "count": 5, "max_price": null, "min_balance": null},
               "expectedPrice": quote["price"]}),
    );
    assert_eq!(
        stopper.join().unwrap(),
        json!(true),
        "the batch was running"
    );
    let bought = r["orders"].as_array().unwrap().len();
    // Stopped after the first number, or after the second when it was already under way.
    assert!((1..=2).contains(&bought), "{r}");
    assert_eq!(r["stopped"]["code"], "stopped_by_user", "{r}");
    assert_eq!(charges(), bought, "nothing bought after the stop");
    let seen = h.shell.batches.lock().unwrap().clone();
    let last = seen.last().unwrap();
    assert_eq!(last["progress"]["type"], "stopped");
    assert_eq!(last["progress"]["bought"], bought);
    assert_eq!(last["progress"]["stop"]["code"], "stopped_by_user");
    // Done: the id no longer runs.
    assert_eq!(
        h.ok("stop_batch", json!({"batchId": "b-stop"})),
        json!(false)
    );
}
