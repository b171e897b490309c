//! Every NumberOTP and OOPPay endpoint against the simulator over real HTTP; NumberOTP in both
//! dialects (`doc` and `realworld`), countries found by name.

mod common;

use common::*;
use otpdesk_core::ProviderId;
use otpdesk_providers::ooppay::CreatePayment;
use otpdesk_providers::{Currency, DepositStatus, Money, OrderStatus};
use otpdesk_sim::control::types::ConfigPatch;
use std::time::{Duration, Instant};

#[tokio::test]
async fn numberotp_catalogue_and_prices() {
    for shape in NumberOtpShape::ALL {
        let env = env_shaped(shape).await;
        let no = env.numberotp();
        let services = no.services(None).await.unwrap();
        assert!(
            services
                .iter()
                .any(|s| s.code == "wa" && s.name.as_deref() == Some("WhatsApp")),
            "{shape}"
        );
        let id = env.notp_country("Indonesia").await;
        let expected = match shape {
            NumberOtpShape::Doc => "67",
            NumberOtpShape::Realworld => "6",
        };
        assert_eq!(id, expected, "{shape}");
        assert!(!no.services(Some(&id)).await.unwrap().is_empty(), "{shape}");
        let countries = no.countries(Some("wa")).await.unwrap();
        let india = countries
            .iter()
            .find(|c| c.name.as_deref() == Some("India"))
            .unwrap();
        assert_eq!(india.id.as_str(), "22", "{shape}");
        assert!(!no.countries(None).await.unwrap().is_empty());
        // Prices need no key: a client with a wrong key still reads them.
        let prices = env
            .numberotp_as("notp_wrong_key", options())
            .prices()
            .await
            .unwrap();
        let wa = prices
            .iter()
            .find(|p| p.service == "wa" && p.country.as_str() == id)
            .unwrap();
        assert_eq!(
            wa.price,
            Some(Money::new(Currency::Usd, 250_000)),
            "{shape}"
        );
        assert!(wa.available.is_some_and(|n| n > 0), "{shape}");
        assert!(prices.iter().all(|p| p.price.is_some()), "{shape}");
    }
}

#[tokio::test]
async fn numberotp_activation_poll_and_long_poll() {
    for shape in NumberOtpShape::ALL {
        let env = env_shaped(shape).await;
        let no = env.numberotp();
        let indonesia = env.notp_country("Indonesia").await;
        let a = no.create_activation("wa", &indonesia).await.unwrap();
        assert!(a.id.as_str().starts_with("act_"));
        assert_eq!(a.status, OrderStatus::Pending, "{shape}");
        assert_eq!(
            (a.otp.as_deref(), a.price),
            (None, Some(Money::new(Currency::Usd, 250_000))),
            "{shape}"
        );
        // Same spelling in both dialects: digits, no `+`.
        assert!(
            a.phone_number
                .as_deref()
                .is_some_and(|p| p.starts_with("62") && p.bytes().all(|b| b.is_ascii_digit())),
            "{shape}: {:?}",
            a.phone_number
        );

        let polled = no.activation(&a.id).await.unwrap();
        assert_eq!(polled.status, OrderStatus::Pending);
        assert_eq!(polled.phone_number, a.phone_number);

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
        assert_eq!(done.status, OrderStatus::OtpReceived, "{shape}");
        assert_eq!(done.otp.as_deref(), Some(delivered.code.as_str()));
        assert_eq!(done.full_sms.as_deref(), Some(delivered.text.as_str()));
        assert_eq!(no.activation(&a.id).await.unwrap().otp, done.otp);
    }
}

#[tokio::test]
async fn numberotp_errors_in_both_dialects() {
    for shape in NumberOtpShape::ALL {
        let env = env_shaped(shape).await;
        let indonesia = env.notp_country("Indonesia").await;
        let e = env
            .numberotp_as("notp_wrong_key", options())
            .countries(None)
            .await
            .unwrap_err();
        assert_eq!(e.code().as_str(), "auth", "{shape}: {e}");
        env.ctl
            .add_account(
                ProviderId::Numberotp,
                "notp_poor",
                Money::new(Currency::Usd, 0),
            )
            .await
            .unwrap();
        let e = env
            .numberotp_as("notp_poor", options())
            .create_activation("wa", &indonesia)
            .await
            .unwrap_err();
        assert_eq!(e.code().as_str(), "insufficient_balance", "{shape}: {e}");
        assert!(
            e.to_string()
                .to_lowercase()
                .contains("insufficient balance"),
            "{e}"
        );
        let no = env.numberotp();
        let sold_out = no
            .prices()
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.available == Some(0))
            .expect("a sold-out line");
        let e = no
            .create_activation(&sold_out.service, sold_out.country.as_str())
            .await
            .unwrap_err();
        assert_eq!(e.code().as_str(), "out_of_stock", "{shape}: {e}");
        let e = no.activation(&"act_missing".into()).await.unwrap_err();
        assert_eq!(e.code().as_str(), "not_found", "{shape}: {e}");
    }
}

#[tokio::test]
async fn numberotp_long_poll_ends_with_current_state() {
    for shape in NumberOtpShape::ALL {
        let env = env_shaped(shape).await;
        env.ctl
            .set_config(&ConfigPatch {
                long_poll_max_ms: Some(300),
                ..ConfigPatch::default()
            })
            .await
            .unwrap();
        let no = env.numberotp();
        let indonesia = env.notp_country("Indonesia").await;
        let a = no.create_activation("tg", &indonesia).await.unwrap();
        let w = no.wait_activation(&a.id).await.unwrap();
        assert_eq!(w.status, OrderStatus::Pending, "{shape}");
        assert_eq!(w.otp, None);
    }
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
    for shape in NumberOtpShape::ALL {
        let env = env_shaped(shape).await;
        env.ctl
            .set_config(&ConfigPatch {
                long_poll_max_ms: Some(2500),
                ..ConfigPatch::default()
            })
            .await
            .unwrap();
        // Ordinary calls give up after 1 s; the long poll may hold for 2.5 s and still succeed.
        let no = env.numberotp_as(DEMO_NUMBEROTP_KEY, impatient());
        let indonesia = env.notp_country("Indonesia").await;
        let a = no.create_activation("wa", &indonesia).await.unwrap();
        let started = Instant::now();
        let w = no.wait_activation(&a.id).await.unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(1000),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(w.status, OrderStatus::Pending, "{shape}");
    }
}
