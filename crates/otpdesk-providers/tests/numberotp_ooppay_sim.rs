//! Every NumberOTP and OOPPay endpoint against the simulator over real HTTP.

mod common;

use common::*;
use otpdesk_providers::ooppay::CreatePayment;
use otpdesk_providers::{Currency, DepositStatus, Money, OrderStatus};
use otpdesk_sim::control::types::ConfigPatch;
use std::time::{Duration, Instant};

#[tokio::test]
async fn numberotp_catalogue_and_prices() {
    let env = env().await;
    let no = env.numberotp();
    let services = no.services(None).await.unwrap();
    assert!(services
        .iter()
        .any(|s| s.code == "wa" && s.name.as_deref() == Some("WhatsApp")));
    assert!(!no.services(Some("67")).await.unwrap().is_empty());
    let countries = no.countries(Some("wa")).await.unwrap();
    assert!(countries
        .iter()
        .any(|c| c.id.as_str() == "67" && c.iso.as_deref() == Some("ID")));
    assert!(!no.countries(None).await.unwrap().is_empty());
    // Prices need no key: a client with a wrong key still reads them.
    let prices = env
        .numberotp_as("notp_wrong_key", options())
        .prices()
        .await
        .unwrap();
    let wa = prices
        .iter()
        .find(|p| p.service == "wa" && p.country.as_str() == "67")
        .unwrap();
    assert_eq!(wa.price, Some(Money::new(Currency::Usd, 250_000)));
    assert!(wa.available.is_some());
}

#[tokio::test]
async fn numberotp_activation_poll_and_long_poll() {
    let env = env().await;
    let no = env.numberotp();
    let a = no.create_activation("wa", "67").await.unwrap();
    assert!(a.id.as_str().starts_with("act_"));
    assert_eq!(a.status, OrderStatus::Pending);
    assert_eq!(
        (a.otp.as_deref(), a.price),
        (None, Some(Money::new(Currency::Usd, 250_000)))
    );
    assert!(a
        .phone_number
        .as_deref()
        .is_some_and(|p| p.starts_with("62")));

    let polled = no.activation(&a.id).await.unwrap();
    assert_eq!(polled.status, OrderStatus::Pending);

    // The long poll returns as soon as the code lands.
    let waiter = {
        let no = no.clone();
        let id = a.id.clone();
        tokio::spawn(async move { no.wait_activation(&id).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let delivered = env.ctl.deliver_otp(a.id.as_str()).await.unwrap();
    let done = waiter.await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(done.status, OrderStatus::OtpReceived);
    assert_eq!(done.otp.as_deref(), Some(delivered.code.as_str()));
    assert_eq!(done.full_sms.as_deref(), Some(delivered.text.as_str()));
    assert_eq!(no.activation(&a.id).await.unwrap().otp, done.otp);
}

#[tokio::test]
async fn numberotp_long_poll_ends_with_current_state() {
    let env = env().await;
    env.ctl
        .set_config(&ConfigPatch {
            long_poll_max_ms: Some(300),
            ..ConfigPatch::default()
        })
        .await
        .unwrap();
    let no = env.numberotp();
    let a = no.create_activation("tg", "67").await.unwrap();
    let w = no.wait_activation(&a.id).await.unwrap();
    assert_eq!(w.status, OrderStatus::Pending);
    assert_eq!(w.otp, None);
}

#[tokio::test]
async fn ooppay_create_query_and_pay() {
    let env = env().await;
    let op = env.ooppay();
    let req = CreatePayment {
        merchant_order_id: "DEP-0001".into(),
        amount: Money::parse(Currency::Usdt, "10.00").unwrap(),
        callback_url: None,
        expire_minutes: Some(30),
    };
    let created = op.create_order(&req).await.unwrap();
    assert_eq!(
        created.order_amount,
        Some(Money::parse(Currency::Usdt, "10").unwrap())
    );
    assert_eq!(
        created.pay_amount,
        Some(Money::parse(Currency::Usdt, "11.5").unwrap())
    );
    assert_eq!(
        created.buffer_amount,
        Some(Money::parse(Currency::Usdt, "1.5").unwrap())
    );
    assert!(
        created.pay_address.is_some()
            && created.qr_code_url.is_some()
            && created.expire_at.is_some()
    );

    let q = op.order(&created.order_id).await.unwrap();
    assert_eq!(q.merchant_order_id.as_deref(), Some("DEP-0001"));
    assert_eq!(q.status, Some(DepositStatus::Pending));

    env.ctl.pay_deposit(&created.order_id).await.unwrap();
    let paid = op.order(&created.order_id).await.unwrap();
    assert_eq!(paid.status, Some(DepositStatus::Paid));
    assert!(paid.paid_amount.is_some() && paid.net_amount.is_some() && paid.fee_amount.is_some());
    assert!(paid.tx_hash.is_some() && paid.paid_at.is_some());
}

#[tokio::test]
async fn long_poll_uses_its_own_timeout_not_the_request_timeout() {
    let env = env().await;
    env.ctl
        .set_config(&ConfigPatch {
            long_poll_max_ms: Some(2500),
            ..ConfigPatch::default()
        })
        .await
        .unwrap();
    // Ordinary calls give up after 1 s; the long poll may hold for 2.5 s and still succeed.
    let no = env.numberotp_as(DEMO_NUMBEROTP_KEY, impatient());
    let a = no.create_activation("wa", "67").await.unwrap();
    let started = Instant::now();
    let w = no.wait_activation(&a.id).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(w.status, OrderStatus::Pending);
}
