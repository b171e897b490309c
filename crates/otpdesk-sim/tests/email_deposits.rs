//! OTPZap email inboxes (Server 3), QRIS top-ups and OOPPay orders.

mod common;

use common::start;
use otpdesk_sim::control::types::LedgerKind;
use otpdesk_sim::DEMO_OOPPAY_KEY;
use serde_json::json;

#[tokio::test]
async fn email_flow_reorder_finish() {
    let env = start().await;
    let r = env
        .oz_post(
            "/order/email-create",
            json!({"site":"openai.com","domain":"gmail.com","qty":1}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let order = r.data()["order"].clone();
    assert_eq!(
        (order["server"].as_u64(), order["order_type"].as_str()),
        (Some(3), Some("email"))
    );
    assert!(order["email"].as_str().unwrap().ends_with("@gmail.com"));
    let reference = order["ref"].as_str().unwrap().to_string();
    assert_eq!(env.oz_balance().await, 250_000 - 12_000);

    let d = env.ctl.deliver_otp(&reference).await.unwrap();
    let check = env
        .oz_get(&format!("/order/email-check?ref={reference}"))
        .await;
    assert_eq!(check.data()["status"], "otp_received");
    assert_eq!(check.data()["otp"], d.code.as_str());
    assert_eq!(check.data()["messages"][0]["from"], "noreply@openai.com");

    env.ctl.advance_clock(15 * 60).await.unwrap();
    let re = env
        .oz_post("/order/email-reorder", json!({"ref": reference}))
        .await;
    assert_eq!(
        (re.status, re.data()["status"].as_str()),
        (200, Some("pending"))
    );
    env.ctl.advance_clock(10 * 60).await.unwrap();
    let still = env
        .oz_get(&format!("/order/email-check?ref={reference}"))
        .await;
    assert_eq!(
        still.data()["status"],
        "pending",
        "the reorder reset the 20-minute window"
    );
    env.ctl.deliver_otp(&reference).await.unwrap();
    let cancel = env
        .oz_post("/order/email-cancel", json!({"ref": reference}))
        .await;
    assert_eq!((cancel.status, cancel.code()), (409, "not_pending"));
    let fin = env
        .oz_post("/order/email-finish", json!({"ref": reference}))
        .await;
    assert_eq!(
        (fin.status, fin.data()["status"].as_str()),
        (200, Some("success"))
    );
    let check = env
        .oz_get(&format!("/order/email-check?ref={reference}"))
        .await;
    assert_eq!(check.data()["messages"].as_array().unwrap().len(), 2);
    assert_eq!(
        env.oz_balance().await,
        250_000 - 12_000,
        "reorder does not charge again"
    );
}

#[tokio::test]
async fn email_cancel_fee_qty_aggregator_and_expiry() {
    let env = start().await;
    let r = env
        .oz_post(
            "/order/email-create",
            json!({"site":"openai.com","domain":"outlook.com"}),
        )
        .await;
    let reference = r.data()["order"]["ref"].as_str().unwrap().to_string();
    let c = env
        .oz_post("/order/email-cancel", json!({"ref": reference}))
        .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    assert_eq!(
        (
            c.data()["refunded"].as_i64(),
            c.data()["cancel_fee"].as_i64()
        ),
        (Some(7000), Some(1000))
    );
    assert_eq!(env.oz_balance().await, 250_000 - 1000);

    let body = json!({"site":"github.com","domain":"gmail.com","qty":2});
    let many = env
        .oz_post_idem("/order/email-create", body.clone(), "mail-1")
        .await;
    assert_eq!(many.data()["orders"].as_array().unwrap().len(), 2);
    let again = env
        .oz_post_idem("/order/email-create", body, "mail-1")
        .await;
    assert_eq!(
        again.body, many.body,
        "same key and body: same reply, no new charge"
    );
    let clash = env
        .oz_post_idem("/order/email-create", json!({"site":"x.com"}), "mail-1")
        .await;
    assert_eq!(clash.status, 422);
    let charges = env
        .ctl
        .ledger(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Charge)
        .count();
    assert_eq!(charges, 3, "outlook inbox + two gmail inboxes");

    let agg = env
        .oz_post(
            "/order/email-create",
            json!({"site":"github.com","domains":["yandex.com","mail.com"]}),
        )
        .await;
    assert_eq!(agg.status, 200, "{:?}", agg.body);
    assert!(agg.data()["order"]["email"]
        .as_str()
        .unwrap()
        .ends_with("@mail.com"));
    let none = env
        .oz_post(
            "/order/email-create",
            json!({"site":"github.com","domain":"yandex.com"}),
        )
        .await;
    assert_eq!((none.status, none.code()), (409, "out_of_stock"));

    let before = env.oz_balance().await;
    env.ctl.advance_clock(20 * 60 + 1).await.unwrap();
    let agg_ref = agg.data()["order"]["ref"].as_str().unwrap();
    let expired = env
        .oz_get(&format!("/order/email-check?ref={agg_ref}"))
        .await;
    assert_eq!(expired.data()["status"], "expired");
    assert!(
        env.oz_balance().await > before,
        "expired inboxes are refunded"
    );
}

#[tokio::test]
async fn qris_topup_idempotent_pay_and_expire() {
    let env = start().await;
    let missing = env.oz_post("/topup/create", json!({"amount": 50000})).await;
    assert_eq!((missing.status, missing.code()), (422, "validation_error"));
    let a = env
        .oz_post_idem("/topup/create", json!({"amount": 50000}), "dep-1")
        .await;
    let b = env
        .oz_post_idem("/topup/create", json!({"amount": 50000}), "dep-1")
        .await;
    assert_eq!(a.body, b.body);
    let id = a.data()["order_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("APIDEP-"));
    let total = a.data()["total_amount"].as_i64().unwrap();
    assert!(total > 50000 && total < 51000);
    assert!(a.data()["expired_at"].as_str().unwrap().ends_with("WIB"));

    env.ctl.pay_deposit(&id).await.unwrap();
    let check = env.oz_get(&format!("/topup/check?order_id={id}")).await;
    assert_eq!(check.data()["status"], "success");
    assert!(check.data()["paid_at"].is_string());
    assert_eq!(env.oz_balance().await, 300_000);

    let c = env
        .oz_post_idem("/topup/create", json!({"amount": 20000}), "dep-2")
        .await;
    let id2 = c.data()["order_id"].as_str().unwrap().to_string();
    env.ctl.advance_clock(31 * 60).await.unwrap();
    let check = env.oz_get(&format!("/topup/check?order_id={id2}")).await;
    assert_eq!(check.data()["status"], "expired");
    let topups: Vec<_> = env
        .ctl
        .ledger(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Topup)
        .collect();
    assert_eq!(topups.len(), 1);
    let f = env
        .oz_post_idem("/topup/create", json!({"amount": 15000}), "dep-3")
        .await;
    let id3 = f.data()["order_id"].as_str().unwrap().to_string();
    assert_eq!(
        env.ctl.fail_deposit(&id3).await.unwrap()["status"],
        "failed"
    );
    let check = env.oz_get(&format!("/topup/check?order_id={id3}")).await;
    assert_eq!(check.data()["status"], "failed");
}

#[tokio::test]
async fn ooppay_orders_pay_and_expire() {
    let env = start().await;
    let r = env
        .oop_post(
            "/orders",
            json!({"merchant_order_id":"ORDER_1","amount":"10.00","expire_minutes":30}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["pay_amount"], "11.500000");
    assert_eq!(r.body["order_amount"], "10.000000");
    assert_eq!(r.body["buffer_amount"], "1.500000");
    assert!(r.body["pay_address"].as_str().unwrap().starts_with('T'));
    let expire_at = r.body["expire_at"].as_i64().unwrap();
    assert_eq!(expire_at - env.sim.now().timestamp(), 30 * 60);
    let id = r.body["order_id"].as_str().unwrap().to_string();

    env.ctl.pay_deposit(&id).await.unwrap();
    let got = env.oop_get(&format!("/orders/{id}")).await;
    assert_eq!(got.body["status"], "paid");
    assert_eq!(got.body["net_amount"], "9.950000");
    assert_eq!(got.body["fee_amount"], "0.050000");
    assert_eq!(got.body["confirmations"], 3);
    assert_eq!(env.ledger_balance(DEMO_OOPPAY_KEY).await, 9_950_000);

    let bad = env
        .oop_post(
            "/orders",
            json!({"merchant_order_id":"X","amount":"-10.00"}),
        )
        .await;
    assert_eq!(
        (bad.status, bad.body["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );
    assert_eq!(bad.body["error"]["details"]["value"], "-10.00");

    let r2 = env
        .oop_post(
            "/orders",
            json!({"merchant_order_id":"ORDER_2","amount":"5","expire_minutes":10}),
        )
        .await;
    let id2 = r2.body["order_id"].as_str().unwrap().to_string();
    env.ctl.advance_clock(10 * 60).await.unwrap();
    assert_eq!(
        env.oop_get(&format!("/orders/{id2}")).await.body["status"],
        "expired"
    );
    let unknown = env.oop_get("/orders/nope").await;
    assert_eq!(unknown.status, 404);
    let unauth = env
        .call(
            reqwest::Method::GET,
            format!("{}/orders/{id}", env.sim.ooppay_url()),
            "mk_MERCHANT_x",
            None,
            None,
        )
        .await;
    assert_eq!(
        (unauth.status, unauth.body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
}
