//! What OTPZap's sibling panels do late, on demand: cancels refunded seconds after an "ok"
//! (`refunded: false`, from the start via `SimConfig` / `--cancel-confirm-delay-secs`), codes
//! that still reach a cancelled or replaced number, and QRIS invoices paid after they expired.

mod common;

use common::{start, start_with};
use otpdesk_sim::control::types::{DeliverOtp, LedgerKind};
use otpdesk_sim::{SimConfig, DEMO_OTPZAP_KEY};
use serde_json::json;
use std::time::Duration;

const PRICE: i64 = 2835;

fn late(reference: &str, code: &str) -> DeliverOtp {
    DeliverOtp {
        reference: reference.to_string(),
        code: Some(code.to_string()),
        late: true,
        ..DeliverOtp::default()
    }
}

#[tokio::test]
async fn async_cancel_from_the_start_refunds_later_in_check_and_balance() {
    let env = start_with(SimConfig {
        cancel_confirm_delay: Some(Duration::from_secs(20)),
        ..SimConfig::default()
    })
    .await;
    assert_eq!(
        env.ctl.config().await.unwrap().cancel_confirm_delay_secs,
        Some(20)
    );
    let before = env.oz_balance().await;
    let o = env.buy_whatsapp().await;
    let id = o["order_id"].clone();
    env.ctl.advance_clock(121).await.unwrap();
    let r = env.oz_post("/order/cancel", json!({"order_id": id})).await;
    assert_eq!(r.data(), &json!({"order_id": id, "refunded": false}));
    let check = env.oz_get(&format!("/order/check?order_id={id}")).await;
    assert_eq!(check.data()["status"], "cancelling");
    assert_eq!(env.oz_balance().await, before - PRICE, "not refunded yet");
    env.ctl.advance_clock(20).await.unwrap();
    let check = env.oz_get(&format!("/order/check?order_id={id}")).await;
    assert_eq!(check.data()["status"], "cancelled");
    assert_eq!(env.oz_balance().await, before, "refunded once");
    // A reset keeps the mode the simulator was started with.
    env.ctl.reset().await.unwrap();
    assert_eq!(
        env.ctl.config().await.unwrap().cancel_confirm_delay_secs,
        Some(20)
    );
}

#[tokio::test]
async fn a_late_code_reaches_cancelling_cancelled_and_replaced_orders_without_money() {
    let env = start().await;
    env.ctl
        .set_cancel_confirm_delay_secs(Some(30))
        .await
        .unwrap();
    let a = env.buy_whatsapp().await;
    let b = env.buy_whatsapp().await;
    env.ctl.advance_clock(121).await.unwrap();
    env.oz_post("/order/cancel", json!({"order_id": a["order_id"]}))
        .await;
    let ledger_len = env.ctl.ledger(Some(DEMO_OTPZAP_KEY)).await.unwrap().len();
    // Cancelling: the ordinary delivery is refused, the late one lands and changes nothing else.
    let id_a = a["order_id"].to_string();
    assert!(env.ctl.deliver_otp(&id_a).await.is_err());
    env.ctl.deliver(&late(&id_a, "111111")).await.unwrap();
    let check = env.oz_get(&format!("/order/check?order_id={id_a}")).await;
    assert_eq!(check.data()["status"], "cancelling");
    assert_eq!(check.data()["otp_code"], "111111");
    assert_eq!(
        env.ctl.ledger(Some(DEMO_OTPZAP_KEY)).await.unwrap().len(),
        ledger_len
    );
    // Confirmed later: cancelled with the late code, refunded once.
    env.ctl.advance_clock(30).await.unwrap();
    env.ctl.deliver(&late(&id_a, "222222")).await.unwrap();
    let check = env.oz_get(&format!("/order/check?order_id={id_a}")).await;
    assert_eq!(check.data()["status"], "cancelled");
    assert_eq!(check.data()["otps"].as_array().unwrap().len(), 2);
    // Replaced: the old number still gets a code; the new one is untouched.
    let r = env
        .oz_post("/order/replace", json!({"order_id": b["order_id"]}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let id_b = b["order_id"].to_string();
    env.ctl.deliver(&late(&id_b, "333333")).await.unwrap();
    let check = env.oz_get(&format!("/order/check?order_id={id_b}")).await;
    assert_eq!(
        (
            check.data()["status"].clone(),
            check.data()["otp_code"].clone()
        ),
        (json!("replaced"), json!("333333"))
    );
    let new_id = r.data()["order_id"].clone();
    let check = env.oz_get(&format!("/order/check?order_id={new_id}")).await;
    assert_eq!(check.data()["otps"], json!([]));
    let refunds = env
        .ctl
        .ledger(Some(DEMO_OTPZAP_KEY))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Refund)
        .count();
    assert_eq!(refunds, 2, "one per cancelled / replaced order");
    // Late codes are an OTPZap SMS fault only.
    assert!(env.ctl.deliver(&late("act_x", "1")).await.is_err());
}

#[tokio::test]
async fn an_expired_qris_invoice_paid_later_is_credited_once() {
    let env = start().await;
    let before = env.oz_balance().await;
    let c = env
        .oz_post_idem("/topup/create", json!({"amount": 20000}), "late-1")
        .await;
    let id = c.data()["order_id"].as_str().unwrap().to_string();
    env.ctl.advance_clock(31 * 60).await.unwrap();
    let check = env.oz_get(&format!("/topup/check?order_id={id}")).await;
    assert_eq!(check.data()["status"], "expired");
    // Paid 30 minutes after it expired.
    env.ctl.advance_clock(30 * 60).await.unwrap();
    let paid = env.ctl.pay_deposit(&id).await.unwrap();
    assert_eq!(paid["status"], "success");
    let check = env.oz_get(&format!("/topup/check?order_id={id}")).await;
    assert_eq!(check.data()["status"], "success");
    assert!(check.data()["paid_at"].is_string());
    // Paying again (a second bank notification) changes nothing.
    env.ctl.pay_deposit(&id).await.unwrap();
    assert_eq!(env.oz_balance().await, before + 20000);
    let topups = env
        .ctl
        .ledger(Some(DEMO_OTPZAP_KEY))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Topup)
        .count();
    assert_eq!(topups, 1);
    // A failed invoice stays unpayable.
    let f = env
        .oz_post_idem("/topup/create", json!({"amount": 15000}), "late-2")
        .await;
    let id = f.data()["order_id"].as_str().unwrap().to_string();
    env.ctl.fail_deposit(&id).await.unwrap();
    assert!(env.ctl.pay_deposit(&id).await.is_err());
}
