//! The clients stay safe when a provider misbehaves, provoked from the simulator over real HTTP:
//! codeless 429s on cancel/resend/replace are cooldowns, absurd `Retry-After` values are capped,
//! odd prices in paid replies keep the order, an Idempotency-Key "in progress" is an unknown
//! outcome, and a cancel confirmed later carries no refund yet.

mod common;

use common::*;
use otpdesk_providers::{Currency, ErrorCode, Money, OrderStatus, ProviderError, MAX_RETRY_AFTER};
use otpdesk_sim::control::types::{FaultKind, LedgerKind};
use serde_json::json;
use std::time::Duration;

fn assert_cooldown(e: &ProviderError, wait: Option<Duration>) {
    assert!(
        matches!(e, ProviderError::Cooldown { retry_after, .. } if *retry_after == wait),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_codeless_429_on_cancel_resend_or_replace_is_a_cooldown() {
    let env = env().await;
    let oz = env.otpzap();
    let order = oz.create_order(&s1_wa(), None, None).await.unwrap();
    let wait = Some(Duration::from_secs(75));
    env.fault_once("/order/cancel", FaultKind::codeless_429(Some(75)))
        .await;
    assert_cooldown(&oz.cancel_order(&order.order_id).await.unwrap_err(), wait);
    env.fault_once("/order/resend", FaultKind::codeless_429(Some(75)))
        .await;
    assert_cooldown(&oz.resend_order(&order.order_id).await.unwrap_err(), wait);
    env.fault_once("/order/replace", FaultKind::codeless_429(None))
        .await;
    assert_cooldown(&oz.replace_order(&order.order_id).await.unwrap_err(), None);
    let mail = oz.create_email(&email_req(), None).await.unwrap().remove(0);
    env.fault_once("/order/email-cancel", FaultKind::codeless_429(Some(75)))
        .await;
    assert_cooldown(&oz.cancel_email(&mail.reference).await.unwrap_err(), wait);
    // Elsewhere the same reply is the key's rate limit.
    env.fault_once("/order/check", FaultKind::codeless_429(Some(75)))
        .await;
    let e = oz.order(&order.order_id).await.unwrap_err();
    assert_eq!(e, ProviderError::RateLimited { retry_after: wait });
    // The simulator's own cooldown (with its code) still reads as one.
    let e = oz.cancel_order(&order.order_id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Cooldown);
}

#[tokio::test]
async fn absurd_retry_after_values_are_capped_and_never_printed() {
    let env = env().await;
    let oz = env.otpzap();
    let order = oz.create_order(&s1_wa(), None, None).await.unwrap();
    for value in [
        "18446744073709551615",
        "99999999999999999999999",
        "1e30",
        "Wed, 01 Jan 3000 00:00:00 GMT",
    ] {
        env.fault_once("/balance", FaultKind::absurd_retry_after(value))
            .await;
        let e = oz.balance().await.unwrap_err();
        assert_eq!(
            e,
            ProviderError::RateLimited {
                retry_after: Some(MAX_RETRY_AFTER)
            },
            "{value}"
        );
        assert_eq!(
            e.to_string(),
            "The provider is rate limiting requests, try again in 600 s."
        );
        env.fault_once("/order/cancel", FaultKind::absurd_retry_after(value))
            .await;
        let e = oz.cancel_order(&order.order_id).await.unwrap_err();
        assert_cooldown(&e, Some(MAX_RETRY_AFTER));
        assert!(!e.to_string().contains(value), "{e}");
    }
}

#[tokio::test]
async fn paid_replies_with_odd_prices_keep_the_order() {
    let env = env().await;
    let oz = env.otpzap();
    let odd = [
        (Some(json!("2835.5")), None),
        (Some(json!(28.3500001)), Some(json!("USD"))),
        (None, Some(json!("XYZ"))),
    ];
    for (i, (price, currency)) in odd.into_iter().enumerate() {
        env.fault_once("/order/create", FaultKind::odd_price(price, currency))
            .await;
        let key = format!("odd-{i}");
        let created = oz
            .create_order(&s1_wa(), None, Some(&key))
            .await
            .expect("the order is kept");
        assert_eq!(created.price, None);
        assert!(created.reference.is_some());
        // It is a real order, charged its normal price.
        let check = oz.order(&created.order_id).await.unwrap();
        assert_eq!(check.price, Some(Money::idr(2835)));
    }
    let replaced = {
        env.fault_once(
            "/order/replace",
            FaultKind::odd_price(Some(json!("2835.5")), Some(json!("XYZ"))),
        )
        .await;
        let old = oz.create_order(&s1_wa(), None, None).await.unwrap();
        oz.replace_order(&old.order_id).await.expect("replaced")
    };
    assert_eq!(replaced.price, None);
    assert_eq!(replaced.extra["currency"], json!("XYZ"));
    env.fault_once(
        "/topup/create",
        FaultKind::PatchReply {
            set: json!({"total_amount": "50017.5"})
                .as_object()
                .unwrap()
                .clone(),
        },
    )
    .await;
    let topup = oz.create_topup(Money::idr(50_000), "t-odd").await.unwrap();
    assert_eq!(
        (topup.amount, topup.total_amount),
        (Some(Money::idr(50_000)), None)
    );
    env.fault_once(
        "/activations",
        FaultKind::odd_price(Some(json!("0.2500001")), None),
    )
    .await;
    let act = env
        .numberotp()
        .create_activation("wa", &env.notp_country("Indonesia").await)
        .await
        .unwrap();
    assert_eq!(act.price, None);
    env.fault_once(
        "/orders",
        FaultKind::PatchReply {
            set: json!({"pay_amount": "6.5000001"})
                .as_object()
                .unwrap()
                .clone(),
        },
    )
    .await;
    let pay = env
        .ooppay()
        .create_order(&payment("DEP-ODD"))
        .await
        .unwrap();
    assert_eq!(pay.pay_amount, None);
    assert_eq!(
        pay.order_amount,
        Some(Money::parse(Currency::Usdt, "5").unwrap())
    );
    // Nothing was charged twice.
    assert!(env.ctl.keys_charged_twice().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_idempotency_key_in_progress_is_an_unknown_outcome_then_replays() {
    let env = env().await;
    env.ctl.set_create_delay_ms(500).await.unwrap();
    let oz = env.otpzap();
    let wa = s1_wa();
    let first = oz.create_order(&wa, None, Some("busy-1"));
    let second = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        oz.create_order(&s1_wa(), None, Some("busy-1")).await
    };
    let (a, b) = tokio::join!(first, second);
    let (done, busy) = if a.is_ok() { (a, b) } else { (b, a) };
    let done = done.expect("one of them creates");
    let e = busy.unwrap_err();
    assert_eq!(e.code(), ErrorCode::OutcomeUnknown, "{e:?}");
    assert!(e.to_string().contains("in progress"), "{e}");
    // Reconciling with the same key finds the same order.
    let again = oz
        .create_order(&s1_wa(), None, Some("busy-1"))
        .await
        .unwrap();
    assert_eq!(again.order_id, done.order_id);
    let charges = env
        .ctl
        .ledger(Some(DEMO_OTPZAP_KEY))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Charge)
        .count();
    assert_eq!(charges, 1);
}

#[tokio::test]
async fn a_cancel_confirmed_later_has_no_refund_yet() {
    let env = env().await;
    env.ctl.set_clock_scale(0).await.unwrap();
    env.ctl
        .set_cancel_confirm_delay_secs(Some(30))
        .await
        .unwrap();
    let oz = env.otpzap();
    let order = oz.create_order(&s1_wa(), None, None).await.unwrap();
    env.ctl.advance_clock(121).await.unwrap();
    let c = oz.cancel_order(&order.order_id).await.unwrap();
    // `{"order_id":..,"refunded":false}`: accepted, refund not confirmed.
    assert_eq!(
        (c.refunded, c.refund_confirmed, c.status),
        (None, false, None)
    );
    let cancelling = OrderStatus::CancelRequested;
    assert_eq!(oz.order(&order.order_id).await.unwrap().status, cancelling);
    assert!(!cancelling.is_final());
    env.ctl.advance_clock(30).await.unwrap();
    let o = oz.order(&order.order_id).await.unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(
        oz.balance().await.unwrap().balance,
        Money::idr(250_000),
        "refunded on confirmation"
    );
}
