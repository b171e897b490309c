//! OTPZap SMS orders against a real simulator over HTTP.

mod common;

use common::start;
use otpdesk_sim::control::types::{ConfigPatch, DeliverOtp, LedgerKind};
use otpdesk_sim::DEMO_OTPZAP_KEY;
use serde_json::json;

#[tokio::test]
async fn purchase_otp_finish_flow() {
    let env = start().await;
    assert_eq!(env.oz_balance().await, 250_000);
    let order = env.buy_whatsapp().await;
    assert_eq!(order["price"], 2835);
    assert_eq!(order["status"], "pending");
    assert!(order["phone"].as_str().unwrap().starts_with("628"));
    let id = order["order_id"].as_u64().unwrap();
    assert_eq!(env.oz_balance().await, 250_000 - 2835);

    let d = env.ctl.deliver_otp(&id.to_string()).await.unwrap();
    let check = env.oz_get(&format!("/order/check?order_id={id}")).await;
    assert_eq!(check.data()["status"], "otp_received");
    assert_eq!(check.data()["otp_code"], d.code.as_str());
    assert_eq!(check.data()["otps"].as_array().unwrap().len(), 1);
    assert!(d.text.contains(&d.code[..3]), "{}", d.text);

    let fin = env.oz_post("/order/finish", json!({"order_id": id})).await;
    assert_eq!(
        (fin.status, fin.data()["status"].as_str()),
        (200, Some("success"))
    );
    let again = env.oz_post("/order/finish", json!({"order_id": id})).await;
    assert_eq!((again.status, again.code()), (409, "not_pending"));

    let ledger = env.ctl.ledger(Some(DEMO_OTPZAP_KEY)).await.unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        (ledger[0].kind, ledger[0].amount.as_str()),
        (LedgerKind::Charge, "2835")
    );
    assert_eq!(env.ledger_balance(DEMO_OTPZAP_KEY).await, 247_165);
}

#[tokio::test]
async fn cancel_cooldown_then_refund() {
    let env = start().await;
    let id = env.buy_whatsapp().await["order_id"].as_u64().unwrap();
    env.ctl.advance_clock(30).await.unwrap();
    let early = env.oz_post("/order/cancel", json!({"order_id": id})).await;
    assert_eq!((early.status, early.code()), (429, "cooldown"));
    assert_eq!(early.retry_after(), Some(90));

    env.ctl.advance_clock(91).await.unwrap();
    let ok = env.oz_post("/order/cancel", json!({"order_id": id})).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.data()["refunded"], 2835);
    assert_eq!(env.oz_balance().await, 250_000);
    let again = env.oz_post("/order/cancel", json!({"order_id": id})).await;
    assert_eq!((again.status, again.code()), (409, "not_pending"));
    let kinds: Vec<_> = env
        .ctl
        .ledger(None)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec![LedgerKind::Charge, LedgerKind::Refund]);
}

#[tokio::test]
async fn not_pending_conflicts_and_unknowns() {
    let env = start().await;
    let id = env.buy_whatsapp().await["order_id"].as_u64().unwrap();
    let fin = env.oz_post("/order/finish", json!({"order_id": id})).await;
    assert_eq!((fin.status, fin.code()), (409, "not_pending"));
    env.ctl.deliver_otp(&id.to_string()).await.unwrap();
    env.ctl.advance_clock(200).await.unwrap();
    let cancel = env.oz_post("/order/cancel", json!({"order_id": id})).await;
    assert_eq!((cancel.status, cancel.code()), (409, "not_pending"));
    let missing = env.oz_get("/order/check?order_id=999999").await;
    assert_eq!((missing.status, missing.code()), (404, "not_found"));
    let bad = env.oz_post("/order/create", json!({"server": 1})).await;
    assert_eq!(
        (bad.status, bad.code(), bad.body["error"]["field"].as_str()),
        (422, "validation_error", Some("product_id"))
    );
    let garbage = env
        .call(
            reqwest::Method::POST,
            format!("{}/order/create", env.sim.otpzap_url()),
            DEMO_OTPZAP_KEY,
            Some(json!([1, 2])),
            None,
        )
        .await;
    assert_eq!(garbage.status, 422);
    let unauthorized = env
        .call(
            reqwest::Method::GET,
            format!("{}/balance", env.sim.otpzap_url()),
            "nope",
            None,
            None,
        )
        .await;
    assert_eq!(
        (unauthorized.status, unauthorized.code()),
        (401, "unauthorized")
    );
}

#[tokio::test]
async fn idempotent_create_charges_once() {
    let env = start().await;
    let body = json!({"server":1,"product_id":814090256,"country_id":7,"platform_id":1});
    let a = env
        .oz_post_idem("/order/create", body.clone(), "idem-1")
        .await;
    let b = env.oz_post_idem("/order/create", body, "idem-1").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, b.body);
    let other = env
        .oz_post_idem(
            "/order/create",
            json!({"server":2,"service_id":101,"country_id":7,"operator_id":"random"}),
            "idem-1",
        )
        .await;
    assert_eq!((other.status, other.code()), (422, "validation_error"));
    let charges: Vec<_> = env
        .ctl
        .ledger(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Charge)
        .collect();
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].idempotency_key.as_deref(), Some("idem-1"));
    assert_eq!(env.oz_balance().await, 250_000 - 2835);
}

#[tokio::test]
async fn resend_is_gated_until_a_new_otp() {
    let env = start().await;
    let id = env.buy_whatsapp().await["order_id"]
        .as_u64()
        .unwrap()
        .to_string();
    env.ctl.deliver_otp(&id).await.unwrap();
    let r1 = env.oz_post("/order/resend", json!({"order_id": id})).await;
    assert_eq!(
        (r1.status, r1.data()["resend_count"].as_u64()),
        (200, Some(1))
    );
    let r2 = env.oz_post("/order/resend", json!({"order_id": id})).await;
    assert_eq!((r2.status, r2.code()), (429, "resend_locked"));
    let second = env
        .ctl
        .deliver(&DeliverOtp {
            reference: id.clone(),
            code: Some("777111".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let check = env.oz_get(&format!("/order/check?order_id={id}")).await;
    assert_eq!(check.data()["otps"].as_array().unwrap().len(), 2);
    assert_eq!(check.data()["otp_code"], second.code.as_str());
    assert_eq!(check.data()["resend_locked_until"], serde_json::Value::Null);
    let r3 = env.oz_post("/order/resend", json!({"order_id": id})).await;
    assert_eq!(r3.status, 200);
}

#[tokio::test]
async fn replace_refunds_and_charges_atomically() {
    let env = start().await;
    let old = env.buy_whatsapp().await;
    let r = env
        .oz_post("/order/replace", json!({"order_id": old["order_id"]}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.data()["old_ref"], old["ref"]);
    assert_eq!(r.data()["price"], 2835);
    assert_ne!(r.data()["order_id"], old["order_id"]);
    let check = env
        .oz_get(&format!("/order/check?order_id={}", old["order_id"]))
        .await;
    assert_eq!(check.data()["status"], "replaced");
    assert_eq!(env.oz_balance().await, 250_000 - 2835);
    let kinds: Vec<_> = env
        .ctl
        .ledger(None)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![LedgerKind::Charge, LedgerKind::Refund, LedgerKind::Charge]
    );

    let s2 = env
        .oz_post(
            "/order/create",
            json!({"server":2,"service_id":101,"country_id":7,"operator_id":"telkomsel"}),
        )
        .await;
    assert_eq!((s2.status, s2.data()["price"].as_i64()), (200, Some(1500)));
    let no = env
        .oz_post("/order/replace", json!({"order_id": s2.data()["order_id"]}))
        .await;
    assert_eq!(no.status, 422);
}

#[tokio::test]
async fn multiservice_and_special_orders() {
    let env = start().await;
    let m = env
        .oz_post(
            "/order/create",
            json!({"server":2,"service_ids":[101,102,103],"country_id":7,"operator_id":"random"}),
        )
        .await;
    assert_eq!(m.status, 200, "{:?}", m.body);
    assert_eq!(m.data()["multiservice"], true);
    let total: i64 = m.data()["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["price"].as_i64().unwrap())
        .sum();
    assert_eq!(m.data()["price"].as_i64(), Some(total));
    let id = m.data()["order_id"].to_string();
    let a = env.ctl.deliver_otp(&id).await.unwrap();
    let b = env
        .ctl
        .deliver(&DeliverOtp {
            reference: id.clone(),
            service: Some("gojek".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let check = env.oz_get(&format!("/order/check?order_id={id}")).await;
    let otps = check.data()["otps"].as_array().unwrap().clone();
    assert_eq!(otps[0]["service"], "WhatsApp");
    assert_eq!(otps[0]["code"], a.code.as_str());
    assert_eq!(otps[1]["service"], "Gojek");
    assert_eq!(check.data()["otp_code"], b.code.as_str());

    let sp = env
        .oz_post(
            "/order/create",
            json!({"server":2,"service_id":501,"is_special":true}),
        )
        .await;
    assert_eq!((sp.status, sp.data()["price"].as_i64()), (200, Some(3500)));
    let sold_out = env
        .oz_post(
            "/order/create",
            json!({"server":2,"service_id":101,"country_id":7,"operator_id":"verizon"}),
        )
        .await;
    assert_eq!(sold_out.status, 422);
}

#[tokio::test]
async fn automatic_otp_and_expiry_follow_the_clock() {
    let env = start().await;
    env.set_config(ConfigPatch {
        otp_delay_ms: Some(Some(10_000)),
        ..Default::default()
    })
    .await;
    let a = env.buy_whatsapp().await["order_id"].as_u64().unwrap();
    env.set_config(ConfigPatch {
        otp_delay_ms: Some(None),
        ..Default::default()
    })
    .await;
    let b = env.buy_whatsapp().await["order_id"].as_u64().unwrap();
    env.ctl.advance_clock(11).await.unwrap();
    let ca = env.oz_get(&format!("/order/check?order_id={a}")).await;
    assert_eq!(ca.data()["status"], "otp_received");
    assert!(ca.data()["otp_code"].as_str().unwrap().len() == 6);
    env.ctl.advance_clock(20 * 60).await.unwrap();
    let cb = env.oz_get(&format!("/order/check?order_id={b}")).await;
    assert_eq!(cb.data()["status"], "expired");
    let ca = env.oz_get(&format!("/order/check?order_id={a}")).await;
    assert_eq!(ca.data()["status"], "success");
    // a charged, b charged and refunded.
    assert_eq!(env.oz_balance().await, 250_000 - 2835);
}

#[tokio::test]
async fn catalog_endpoints() {
    let env = start().await;
    let c = env.oz_get("/countries").await;
    assert!(c.data()["countries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == 7 && c["name"] == "Indonesia"));
    let p = env.oz_get("/products?platform_id=1&country_id=7").await;
    assert_eq!(p.data()["products"][0]["name"], "WhatsApp - Indonesia");
    let s2 = env.oz_get("/s2/services?country_id=7").await;
    assert!(s2.data()["services"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["service_id"] == 101 && s["price"] == 1500));
    let ops = env.oz_get("/s2/operators?country_id=7").await;
    assert_eq!(ops.data()["operators"][0], "random");
    assert!(ops.data()["operators"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "smartfren"));
    let sites = env.oz_get("/s3/sites").await;
    assert_eq!(sites.data()["total"], 30);
    let d = env.oz_get("/s3/domains?site=openai.com").await;
    let gmail = &d.data()["domains"][0];
    assert_eq!(
        (
            gmail["name"].as_str(),
            gmail["price_idr"].as_i64(),
            gmail["stock"].as_i64()
        ),
        (Some("gmail.com"), Some(12000), Some(25))
    );
    assert!(gmail["activation_rate"].is_number());
}

#[tokio::test]
async fn offers_change_price_and_stock_now_or_after_some_sales() {
    use otpdesk_sim::control::types::OfferChange;
    let env = start().await;
    assert_eq!(listed(&env).await, (2835, 547));
    // After one more sale: 3000 rupiah, one left.
    let later = OfferChange {
        product_id: 814090256,
        price: Some(3000),
        stock: Some(1),
        after_sales: 1,
    };
    env.ctl.change_offer(&later).await.unwrap();
    assert_eq!(listed(&env).await, (2835, 547), "not yet");
    assert_eq!(env.buy_whatsapp().await["price"], 2835);
    assert_eq!(listed(&env).await, (3000, 1));
    assert_eq!(env.buy_whatsapp().await["price"], 3000);
    assert_eq!(listed(&env).await, (3000, 0));
    let none = env
        .oz_post(
            "/order/create",
            json!({"server":1,"product_id":814090256,"country_id":7,"platform_id":1}),
        )
        .await;
    assert_eq!(none.code(), "out_of_stock");
    // At once; an unknown product is refused.
    let now = OfferChange {
        product_id: 814090256,
        stock: Some(5),
        ..OfferChange::default()
    };
    env.ctl.change_offer(&now).await.unwrap();
    assert_eq!(listed(&env).await, (3000, 5));
    let unknown = OfferChange {
        product_id: 1,
        ..now
    };
    assert!(env.ctl.change_offer(&unknown).await.is_err());
}

/// The WhatsApp Indonesia product's listed (price, stock).
async fn listed(env: &common::Env) -> (i64, u64) {
    let r = env
        .oz_get("/products?platform_id=1&country_id=7&limit=100")
        .await;
    let p = r.data()["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == 814090256)
        .unwrap()
        .clone();
    (p["price"].as_i64().unwrap(), p["stock"].as_u64().unwrap())
}
