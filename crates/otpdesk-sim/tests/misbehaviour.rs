//! The simulator misbehaves like real providers, on demand, over real HTTP: Idempotency-Keys
//! "in progress" and forgotten after a TTL, absurd `Retry-After`, paid replies with odd prices,
//! cancels confirmed only later, and lost replies after commit; the ledger stays truthful.

mod common;

use common::{start, Env};
use otpdesk_sim::control::types::{FaultKind, FaultRule, LedgerKind};
use otpdesk_sim::DEMO_OTPZAP_KEY;
use serde_json::{json, Value};
use std::time::Duration;

const PRICE: i64 = 2835;

fn buy_body() -> Value {
    json!({"server":1,"product_id":814090256,"country_id":7,"platform_id":1})
}

async fn charges(env: &Env) -> Vec<(String, String, Option<String>)> {
    env.ctl
        .ledger(Some(DEMO_OTPZAP_KEY))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Charge)
        .map(|e| (e.order_ref, e.amount, e.idempotency_key))
        .collect()
}

async fn refunds(env: &Env) -> Vec<(String, String)> {
    env.ctl
        .ledger(Some(DEMO_OTPZAP_KEY))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Refund)
        .map(|e| (e.order_ref, e.amount))
        .collect()
}

async fn status_of(env: &Env, id: &Value) -> Value {
    let r = env.oz_get(&format!("/order/check?order_id={id}")).await;
    r.data()["status"].clone()
}

async fn fault(env: &Env, path: &str, kind: FaultKind) {
    env.ctl
        .add_fault(&FaultRule::new(kind).path(path).times(1))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_second_request_while_the_first_is_processing_is_409_in_progress() {
    let env = start().await;
    let view = env.ctl.set_create_delay_ms(400).await.unwrap();
    assert_eq!(view.create_delay_ms, 400);
    let cases = [
        ("/order/create", buy_body()),
        (
            "/order/email-create",
            json!({"site":"openai.com","domain":"gmail.com"}),
        ),
        ("/topup/create", json!({"amount": 50000})),
    ];
    for (i, (path, body)) in cases.into_iter().enumerate() {
        let key = format!("busy-{i}");
        let first = env.oz_post_idem(path, body.clone(), &key);
        let second = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            env.oz_post_idem(path, body.clone(), &key).await
        };
        let (a, b) = tokio::join!(first, second);
        // Whichever reached the provider first wins; the other is refused while it runs.
        let (done, busy) = if a.status == 200 { (a, b) } else { (b, a) };
        assert_eq!(done.status, 200, "{path}: {:?}", done.body);
        assert_eq!(busy.status, 409, "{path}: {:?}", busy.body);
        assert_eq!(
            busy.body,
            json!({"success":false,"message":"A request with this Idempotency-Key is in progress"})
        );
        // Once done, the key replays the first reply.
        let again = env.oz_post_idem(path, body, &key).await;
        assert_eq!(again.body, done.body, "{path}");
    }
    // One order and one inbox charged, once each; three creates ran, once per key.
    assert_eq!(charges(&env).await.len(), 2);
    let uses = env.ctl.idempotency().await.unwrap();
    assert_eq!(uses.len(), 3);
    assert!(uses.iter().all(|u| u.creates == 1), "{uses:?}");
    assert!(env.ctl.keys_charged_twice().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_create_the_client_gave_up_on_still_commits() {
    let env = start().await;
    env.ctl.set_create_delay_ms(600).await.unwrap();
    let gave_up = env
        .http
        .post(format!("{}/order/create", env.sim.otpzap_url()))
        .bearer_auth(DEMO_OTPZAP_KEY)
        .header("Idempotency-Key", "left-early")
        .json(&buy_body())
        .timeout(Duration::from_millis(150))
        .send()
        .await;
    assert!(gave_up.unwrap_err().is_timeout());
    let mut charged = Vec::new();
    for _ in 0..100 {
        charged = charges(&env).await;
        if !charged.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(charged.len(), 1, "the provider finished the work");
    assert_eq!(charged[0].2.as_deref(), Some("left-early"));
    let retry = env
        .oz_post_idem("/order/create", buy_body(), "left-early")
        .await;
    assert_eq!(retry.data()["ref"], json!(charged[0].0));
    assert_eq!(charges(&env).await.len(), 1);
    env.ctl.set_create_delay_ms(0).await.unwrap();
    assert_eq!(env.ctl.config().await.unwrap().create_delay_ms, 0);
}

#[tokio::test]
async fn idempotency_keys_are_forgotten_after_the_ttl_and_charge_again() {
    let env = start().await;
    // Default: kept forever.
    assert_eq!(env.ctl.config().await.unwrap().idempotency_ttl_secs, None);
    let first = env.oz_post_idem("/order/create", buy_body(), "k-ttl").await;
    env.ctl.advance_clock(30 * 24 * 3600).await.unwrap();
    let replay = env.oz_post_idem("/order/create", buy_body(), "k-ttl").await;
    assert_eq!(replay.body, first.body);
    assert_eq!(charges(&env).await.len(), 1);

    env.ctl.set_idempotency_ttl_secs(Some(60)).await.unwrap();
    let a = env.oz_post_idem("/order/create", buy_body(), "k-60").await;
    env.ctl.advance_clock(59).await.unwrap();
    let b = env.oz_post_idem("/order/create", buy_body(), "k-60").await;
    assert_eq!(a.data()["order_id"], b.data()["order_id"], "still kept");
    env.ctl.advance_clock(1).await.unwrap();
    let c = env.oz_post_idem("/order/create", buy_body(), "k-60").await;
    assert_eq!(c.status, 200);
    assert_ne!(a.data()["order_id"], c.data()["order_id"], "forgotten");
    let with_key: Vec<_> = charges(&env)
        .await
        .into_iter()
        .filter(|c| c.2.as_deref() == Some("k-60"))
        .collect();
    assert_eq!(with_key.len(), 2, "the ledger shows both charges");
    let twice = env.ctl.keys_charged_twice().await.unwrap();
    assert_eq!(twice.len(), 1);
    assert_eq!(twice[0].idempotency_key, "k-60");
    assert_eq!((twice[0].creates, twice[0].charges), (2, 2));
    assert_eq!(twice[0].charged, (2 * PRICE).to_string());
    assert_eq!(twice[0].routes, vec!["order/create".to_string()]);
    // Back to forever.
    let view = env.ctl.set_idempotency_ttl_secs(None).await.unwrap();
    assert_eq!(view.idempotency_ttl_secs, None);
}

#[tokio::test]
async fn absurd_retry_after_is_sent_verbatim_on_any_endpoint() {
    let env = start().await;
    let order = env.buy_whatsapp().await;
    for value in [
        "18446744073709551615",
        "1e30",
        "Wed, 01 Jan 3000 00:00:00 GMT",
    ] {
        for (path, post) in [("/balance", false), ("/order/cancel", true)] {
            fault(&env, path, FaultKind::absurd_retry_after(value)).await;
            let r = if post {
                env.oz_post(path, json!({"order_id": order["order_id"]}))
                    .await
            } else {
                env.oz_get(path).await
            };
            assert_eq!(r.status, 429, "{path}");
            assert_eq!(r.headers["retry-after"], value, "{path}");
            assert_eq!(
                r.body,
                json!({"success":false,"message":"Too Many Requests"}),
                "OTPZap's real body has no code"
            );
        }
    }
    // Coded, custom body, and no header at all.
    let coded = FaultKind::TooManyRequests {
        retry_after: Some("99999999999999999999999".into()),
        body: None,
        codeless: false,
    };
    fault(&env, "/balance", coded).await;
    let r = env.oz_get("/balance").await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"));
    fault(&env, "/balance", FaultKind::codeless_429(None)).await;
    let r = env.oz_get("/balance").await;
    assert_eq!(r.status, 429);
    assert!(r.headers.get("retry-after").is_none());
    // A value that cannot be a header is refused when the rule is added.
    let bad = env
        .ctl
        .add_fault(&FaultRule::new(FaultKind::absurd_retry_after("1\n2")))
        .await;
    assert!(bad.is_err());
    // Nothing was cancelled by the faulted cancels.
    assert!(refunds(&env).await.is_empty());
}

#[tokio::test]
async fn odd_prices_in_paid_replies_while_the_ledger_charges_the_real_price() {
    let env = start().await;
    let odd = [
        (Some(json!("2835.5")), None),
        (Some(json!(28.3500001)), Some(json!("USD"))),
        (None, Some(json!("XYZ"))),
    ];
    for (price, currency) in odd {
        fault(
            &env,
            "/order/create",
            FaultKind::odd_price(price.clone(), currency.clone()),
        )
        .await;
        let r = env.oz_post("/order/create", buy_body()).await;
        assert_eq!(r.status, 200);
        let data = r.data();
        assert_eq!(data["price"], price.clone().unwrap_or(json!(PRICE)));
        assert_eq!(data["currency"], currency.clone().unwrap_or(json!("IDR")));
        // The order is real and was charged its normal price.
        let check = env
            .oz_get(&format!("/order/check?order_id={}", data["order_id"]))
            .await;
        assert_eq!(check.data()["price"], json!(PRICE));
        assert_eq!(check.data()["currency"], json!("IDR"));
        let last = charges(&env).await.pop().unwrap();
        assert_eq!(
            (last.0, last.1),
            (data["ref"].as_str().unwrap().to_string(), PRICE.to_string())
        );
    }
    // Replace: the new order is charged normally, the old one refunded normally.
    let old = env.buy_whatsapp().await;
    fault(
        &env,
        "/order/replace",
        FaultKind::odd_price(Some(json!("2835.5")), Some(json!("XYZ"))),
    )
    .await;
    let r = env
        .oz_post("/order/replace", json!({"order_id": old["order_id"]}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (&r.data()["price"], &r.data()["currency"]),
        (&json!("2835.5"), &json!("XYZ"))
    );
    let last = charges(&env).await.pop().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_str()),
        (r.data()["ref"].as_str().unwrap(), "2835")
    );
    assert_eq!(
        refunds(&env).await,
        vec![(old["ref"].as_str().unwrap().to_string(), PRICE.to_string())]
    );
    // Email create: the inbox inside `order` carries the odd price too.
    fault(
        &env,
        "/order/email-create",
        FaultKind::odd_price(Some(json!("12000.5")), None),
    )
    .await;
    let r = env
        .oz_post(
            "/order/email-create",
            json!({"site":"openai.com","domain":"gmail.com"}),
        )
        .await;
    assert_eq!(r.data()["order"]["price"], json!("12000.5"));
    // Error replies are left alone.
    fault(
        &env,
        "/order/create",
        FaultKind::odd_price(Some(json!("1.5")), None),
    )
    .await;
    let r = env
        .oz_post("/order/create", json!({"server":1,"product_id":1}))
        .await;
    assert_eq!(r.status, 404);
    assert!(r.body.get("price").is_none());
}

#[tokio::test]
async fn a_cancel_confirmed_later_refunds_only_then() {
    let env = start().await;
    let view = env
        .ctl
        .set_cancel_confirm_delay_secs(Some(45))
        .await
        .unwrap();
    assert_eq!(view.cancel_confirm_delay_secs, Some(45));
    let order = env.buy_whatsapp().await;
    let id = order["order_id"].clone();
    env.ctl.advance_clock(121).await.unwrap();
    let r = env.oz_post("/order/cancel", json!({"order_id": id})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.data(), &json!({"order_id": id, "refunded": false}));
    assert_eq!(status_of(&env, &id).await, json!("cancelling"));
    assert!(
        refunds(&env).await.is_empty(),
        "no refund before confirmation"
    );
    // Nothing else happens to a cancelling order.
    let again = env.oz_post("/order/cancel", json!({"order_id": id})).await;
    assert_eq!((again.status, again.code()), (409, "not_pending"));
    assert!(env.ctl.deliver_otp(&id.to_string()).await.is_err());
    let balance_before = env.oz_balance().await;
    env.ctl.advance_clock(44).await.unwrap();
    assert_eq!(status_of(&env, &id).await, json!("cancelling"));
    env.ctl.advance_clock(1).await.unwrap();
    assert_eq!(status_of(&env, &id).await, json!("cancelled"));
    let reference = order["ref"].as_str().unwrap().to_string();
    assert_eq!(refunds(&env).await, vec![(reference, PRICE.to_string())]);
    assert_eq!(env.oz_balance().await, balance_before + PRICE);
    // Off again: cancels are confirmed at once.
    env.ctl.set_cancel_confirm_delay_secs(None).await.unwrap();
    let o = env.buy_whatsapp().await;
    env.ctl.advance_clock(121).await.unwrap();
    let r = env
        .oz_post("/order/cancel", json!({"order_id": o["order_id"]}))
        .await;
    assert_eq!(r.data()["refunded"], json!(PRICE));
}

#[tokio::test]
async fn a_lost_reply_after_commit_is_replayed_for_its_key_and_charged_once() {
    let env = start().await;
    fault(&env, "/order/create", FaultKind::DropAfterCommit).await;
    let lost = env
        .http
        .post(format!("{}/order/create", env.sim.otpzap_url()))
        .bearer_auth(DEMO_OTPZAP_KEY)
        .header("Idempotency-Key", "lost-1")
        .json(&buy_body())
        .send()
        .await;
    let complete = match lost {
        Err(_) => false,
        Ok(resp) => resp.bytes().await.is_ok(),
    };
    assert!(!complete, "no complete reply");
    let retry = env
        .oz_post_idem("/order/create", buy_body(), "lost-1")
        .await;
    assert_eq!(retry.status, 200);
    let uses = env.ctl.idempotency().await.unwrap();
    assert_eq!(uses.len(), 1);
    assert_eq!((uses[0].creates, uses[0].charges), (1, 1));
    assert_eq!(
        uses[0].order_refs,
        vec![retry.data()["ref"].as_str().unwrap().to_string()]
    );
    assert!(env.ctl.keys_charged_twice().await.unwrap().is_empty());
}
