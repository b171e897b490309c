//! Every `ProviderError` kind, provoked from the simulator over real HTTP (status codes, provider
//! error codes, and injected faults), plus the paid-call rule: a lost reply is `OutcomeUnknown`.

mod common;

use common::*;
use otpdesk_core::ProviderId;
use otpdesk_providers::ooppay::CreatePayment;
use otpdesk_providers::otpzap::{
    EmailDomainChoice, EmailOrderRequest, OrderRequest, ProductQuery, WebhookUpdate,
};
use otpdesk_providers::{
    Currency, ErrorCode, Id, Money, OopPayClient, OtpZapClient, ProviderError,
};
use otpdesk_sim::control::types::{ConfigPatch, FaultKind};
use std::time::Duration;

/// Gojek - USA: sold out in the simulator's catalogue.
const GOJEK_US: u64 = 814_031_870;

/// No error text or debug output may carry the key.
fn assert_no_key(e: &ProviderError, key: &str) {
    assert!(
        !e.to_string().contains(key) && !format!("{e:?}").contains(key),
        "{e:?}"
    );
}

#[tokio::test]
async fn auth_for_each_provider() {
    let env = env().await;
    let e = env
        .otpzap_as("ozk_wrong", options())
        .balance()
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Auth { .. }), "{e:?}");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert_no_key(&e, "ozk_wrong");
    let e = env
        .numberotp_as("notp_wrong", options())
        .activation(&Id::from("act_x"))
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Auth { .. }), "{e:?}");
    let e = env
        .ooppay_as("mk_MERCHANT_wrong", options())
        .order("x")
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Auth { .. }), "{e:?}");
}

#[tokio::test]
async fn not_found_for_each_provider() {
    let env = env().await;
    let e = env.otpzap().order(&Id::from(999_999)).await.unwrap_err();
    assert!(matches!(e, ProviderError::NotFound { .. }), "{e:?}");
    let e = env.otpzap().email("APIE-0-NOPE").await.unwrap_err();
    assert!(matches!(e, ProviderError::NotFound { .. }), "{e:?}");
    let e = env
        .numberotp()
        .activation(&Id::from("act_nope"))
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::NotFound { .. }), "{e:?}");
    let e = env
        .ooppay()
        .order("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::NotFound { .. }), "{e:?}");
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn conflict_when_not_pending() {
    let env = env().await;
    let oz = env.otpzap();
    let o = oz.create_order(&s1_wa(), None, None).await.unwrap();
    // Finishing needs a code first.
    let e = oz.finish_order(&o.order_id).await.unwrap_err();
    assert!(matches!(e, ProviderError::Conflict { .. }), "{e:?}");
    env.ctl.deliver_otp(o.order_id.as_str()).await.unwrap();
    oz.finish_order(&o.order_id).await.unwrap();
    env.ctl.advance_clock(200).await.unwrap();
    let e = oz.cancel_order(&o.order_id).await.unwrap_err();
    assert!(matches!(e, ProviderError::Conflict { .. }), "{e:?}");
    assert_eq!(e.code(), ErrorCode::Conflict);
    // Email: cancel after a message arrived.
    let mail = oz.create_email(&email_req(), None).await.unwrap().remove(0);
    env.ctl.deliver_otp(&mail.reference).await.unwrap();
    let e = oz.cancel_email(&mail.reference).await.unwrap_err();
    assert!(matches!(e, ProviderError::Conflict { .. }), "{e:?}");
}

#[tokio::test]
async fn cooldown_on_early_cancel_and_locked_resend() {
    let env = env().await;
    let oz = env.otpzap();
    let o = oz.create_order(&s1_wa(), None, None).await.unwrap();
    let e = oz.cancel_order(&o.order_id).await.unwrap_err();
    let ProviderError::Cooldown { retry_after, .. } = &e else {
        panic!("{e:?}")
    };
    let wait = retry_after.expect("Retry-After on the cancel cooldown");
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
    assert_eq!(e.retry_after(), Some(wait));
    assert!(e.is_retryable());

    env.ctl.deliver_otp(o.order_id.as_str()).await.unwrap();
    oz.resend_order(&o.order_id).await.unwrap();
    let e = oz.resend_order(&o.order_id).await.unwrap_err();
    assert!(matches!(e, ProviderError::Cooldown { .. }), "{e:?}");
    assert_eq!(e.code(), ErrorCode::Cooldown);
}

#[tokio::test]
async fn rate_limited_from_fault_and_from_the_real_limiter() {
    let env = env().await;
    let oz = env.otpzap();
    env.fault_once("/balance", FaultKind::RateLimit { retry_after: 17 })
        .await;
    let e = oz.balance().await.unwrap_err();
    assert_eq!(
        e,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(17))
        }
    );
    assert!(e.is_retryable());

    env.ctl
        .set_config(&ConfigPatch {
            rate_limit_per_min: Some(2),
            ..ConfigPatch::default()
        })
        .await
        .unwrap();
    let no = env.numberotp();
    let mut limited = None;
    for _ in 0..4 {
        if let Err(e @ ProviderError::RateLimited { .. }) =
            no.activation(&Id::from("act_none")).await
        {
            limited = Some(e);
            break;
        }
    }
    let e = limited.expect("the third request within a minute is limited");
    assert!(
        e.retry_after()
            .is_some_and(|d| d > Duration::ZERO && d <= Duration::from_secs(60)),
        "{e:?}"
    );
}

#[tokio::test]
async fn insufficient_balance() {
    let env = env().await;
    env.ctl
        .add_account(ProviderId::Otpzap, "ozk_poor", Money::idr(100))
        .await
        .unwrap();
    env.ctl
        .add_account(
            ProviderId::Numberotp,
            "notp_poor",
            Money::new(Currency::Usd, 10),
        )
        .await
        .unwrap();
    let e = env
        .otpzap_as("ozk_poor", options())
        .create_order(&s1_wa(), None, Some("poor-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::InsufficientBalance { .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), ErrorCode::InsufficientBalance);
    let e = env
        .otpzap_as("ozk_poor", options())
        .create_email(&email_req(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::InsufficientBalance { .. }),
        "{e:?}"
    );
    let e = env
        .numberotp_as("notp_poor", options())
        .create_activation("wa", &env.notp_country("Indonesia").await)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::InsufficientBalance { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn out_of_stock_for_numbers_and_inboxes() {
    let env = env().await;
    let oz = env.otpzap();
    let page = oz
        .products(&ProductQuery {
            platform_id: Some(3.into()),
            country_id: Some(187.into()),
            ..ProductQuery::default()
        })
        .await
        .unwrap();
    let sold_out = page
        .products
        .iter()
        .find(|p| p.id.as_str() == GOJEK_US.to_string())
        .expect("gojek US listed");
    assert_eq!(sold_out.stock, Some(0));
    let req = OrderRequest::Server1 {
        product_id: GOJEK_US.into(),
        country_id: None,
        platform_id: None,
    };
    let e = oz.create_order(&req, None, None).await.unwrap_err();
    assert!(matches!(e, ProviderError::OutOfStock { .. }), "{e:?}");
    let req = EmailOrderRequest {
        domain: EmailDomainChoice::Domain("yandex.com".into()),
        ..email_req()
    };
    let e = oz.create_email(&req, None).await.unwrap_err();
    assert!(matches!(e, ProviderError::OutOfStock { .. }), "{e:?}");

    let no = env.numberotp();
    let empty = no
        .prices()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.available == Some(0))
        .expect("a sold-out price row");
    let e = no
        .create_activation(&empty.service, empty.country.as_str())
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::OutOfStock { .. }), "{e:?}");
    assert_eq!(e.code(), ErrorCode::OutOfStock);
}

#[tokio::test]
async fn validation_names_the_field() {
    let env = env().await;
    let oz = env.otpzap();
    let update = WebhookUpdate {
        url: "http://127.0.0.1/hook".into(),
        events: vec!["order.finished".into()],
        secret: None,
        is_active: None,
    };
    let e = oz.update_webhook(&update).await.unwrap_err();
    let ProviderError::Validation { field, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(field.as_deref(), Some("url"));
    let e = oz
        .create_order(&s1_wa(), Some("Telegram"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Validation { field: Some(f), .. } if f == "service_name"),
        "{e:?}"
    );
    // OOPPay spells it 400 + invalid_request + details.field.
    let bad = CreatePayment {
        callback_url: Some("ftp://example.com/x".into()),
        ..payment("DEP-V")
    };
    let e = env.ooppay().create_order(&bad).await.unwrap_err();
    assert!(
        matches!(&e, ProviderError::Validation { field: Some(f), .. } if f == "callback_url"),
        "{e:?}"
    );
    assert_eq!(e.code(), ErrorCode::Validation);
    // Refused locally, never sent: a non-USDT amount.
    let local = CreatePayment {
        amount: Money::idr(5),
        ..payment("DEP-L")
    };
    assert!(matches!(
        env.ooppay().create_order(&local).await,
        Err(ProviderError::Validation { .. })
    ));
    // An Idempotency-Key that cannot be a header value: refused before sending, nothing charged.
    let e = oz
        .create_order(&s1_wa(), None, Some("bad\nkey"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::Validation { field: None, .. }),
        "{e:?}"
    );
    assert_eq!(oz.balance().await.unwrap().balance, Money::idr(250_000));
}

#[tokio::test]
async fn upstream_from_5xx_and_html_pages() {
    let env = env().await;
    let oz = env.otpzap();
    env.fault_once(
        "/balance",
        FaultKind::Status {
            status: 503,
            body: None,
        },
    )
    .await;
    let e = oz.balance().await.unwrap_err();
    assert!(
        matches!(e, ProviderError::Upstream { status: 503, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());

    env.fault_once("/s2/special", FaultKind::Html).await;
    let e = oz.s2_special().await.unwrap_err();
    let ProviderError::Upstream { status, excerpt } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*status, 502);
    assert!(
        excerpt.contains("502 Bad Gateway") && excerpt.contains("nginx"),
        "{excerpt}"
    );
    assert!(
        !excerpt.contains('<') && !excerpt.contains('>') && excerpt.chars().count() <= 200,
        "{excerpt}"
    );

    env.fault_once("/public/services", FaultKind::Html).await;
    assert!(matches!(
        env.numberotp().services(None).await,
        Err(ProviderError::Upstream { status: 502, .. })
    ));
    env.fault_once(
        "/orders/",
        FaultKind::Status {
            status: 500,
            body: Some("<h1>Internal</h1>".into()),
        },
    )
    .await;
    let e = env.ooppay().order("x").await.unwrap_err();
    assert_eq!(
        e,
        ProviderError::Upstream {
            status: 500,
            excerpt: "Internal".into()
        }
    );
}

#[tokio::test]
async fn unknown_statuses_are_the_catch_all() {
    let env = env().await;
    env.fault_once(
        "/balance",
        FaultKind::Status {
            status: 418,
            body: Some(
                r#"{"success":false,"error":{"code":"teapot","message":"I am a teapot"}}"#.into(),
            ),
        },
    )
    .await;
    let e = env.otpzap().balance().await.unwrap_err();
    assert_eq!(
        e,
        ProviderError::Provider {
            status: 418,
            code: Some("teapot".into()),
            message: "I am a teapot".into()
        }
    );
    assert_eq!(e.code(), ErrorCode::Provider);
}

#[tokio::test]
async fn malformed_json_is_decode_naming_the_endpoint() {
    let env = env().await;
    env.fault_once("/order/check", FaultKind::MalformedJson)
        .await;
    let oz = env.otpzap();
    let o = oz.create_order(&s1_wa(), None, None).await.unwrap();
    let e = oz.order(&o.order_id).await.unwrap_err();
    let ProviderError::Decode { endpoint, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(endpoint, "GET /order/check");
    assert!(e.to_string().contains("GET /order/check"));
    env.fault_once("/activations/", FaultKind::MalformedJson)
        .await;
    let e = env
        .numberotp()
        .activation(&Id::from("act_x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Decode { endpoint, .. } if endpoint == "GET /activations/{id}"),
        "{e:?}"
    );
}

#[tokio::test]
async fn timeout_on_reads() {
    let env = env().await;
    env.fault_once("/balance", FaultKind::Delay { ms: 4000 })
        .await;
    let e = env
        .otpzap_as(DEMO_OTPZAP_KEY, impatient())
        .balance()
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ProviderError::Timeout {
            endpoint: "GET /balance".into()
        }
    );
    assert!(e.is_retryable());
    env.fault_once("/orders/", FaultKind::Delay { ms: 4000 })
        .await;
    let e = env
        .ooppay_as(DEMO_OOPPAY_KEY, impatient())
        .order("x")
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Timeout { .. }), "{e:?}");
}

#[tokio::test]
async fn network_when_nothing_listens_even_for_paid_calls() {
    let port = closed_port().await;
    let base = format!("http://127.0.0.1:{port}/otpzap/api/v1");
    let oz = OtpZapClient::new(&base, key(DEMO_OTPZAP_KEY), options()).unwrap();
    let e = oz.balance().await.unwrap_err();
    assert!(
        matches!(&e, ProviderError::Network { endpoint, .. } if endpoint == "GET /balance"),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert_no_key(&e, DEMO_OTPZAP_KEY);
    // Nothing was sent, so a paid call is a plain network error, not an unknown outcome.
    let e = oz
        .create_order(&s1_wa(), None, Some("k"))
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Network { .. }), "{e:?}");
    let op = OopPayClient::new(
        &format!("http://127.0.0.1:{port}/ooppay/api/v1"),
        key(DEMO_OOPPAY_KEY),
        options(),
    )
    .unwrap();
    assert!(matches!(
        op.create_order(&payment("DEP-N")).await,
        Err(ProviderError::Network { .. })
    ));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let env = env().await;
    env.fault_once(
        "/balance",
        FaultKind::Status {
            status: 302,
            body: Some("moved".into()),
        },
    )
    .await;
    let e = env.otpzap().balance().await.unwrap_err();
    assert!(
        matches!(e, ProviderError::Upstream { status: 302, .. }),
        "{e:?}"
    );
}
