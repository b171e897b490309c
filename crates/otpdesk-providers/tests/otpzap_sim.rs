//! Every OTPZap endpoint against the simulator over real HTTP.

mod common;

use common::*;
use otpdesk_providers::otpzap::{
    EmailDomainChoice, EmailOrderRequest, OrderRequest, ProductQuery, ProductSort, WebhookUpdate,
};
use otpdesk_providers::{ApiKey, DepositStatus, Id, Money, OrderStatus};
use otpdesk_sim::control::types::DeliverOtp;

#[tokio::test]
async fn balance_and_topups() {
    let env = env().await;
    let oz = env.otpzap();
    assert_eq!(oz.balance().await.unwrap().balance, Money::idr(250_000));

    let t = oz
        .create_topup(Money::idr(50_000), "topup-1")
        .await
        .unwrap();
    assert!(t.order_id.starts_with("APIDEP-"), "{t:?}");
    assert_eq!(t.amount, Some(Money::idr(50_000)));
    assert!(t.total_amount.unwrap().minor > 50_000);
    assert!(t.payment_url.is_some() && t.expired_at.is_some());
    // Same Idempotency-Key, same invoice.
    let again = oz
        .create_topup(Money::idr(50_000), "topup-1")
        .await
        .unwrap();
    assert_eq!(again.order_id, t.order_id);

    let s = oz.topup_status(&t.order_id).await.unwrap();
    assert_eq!(s.status, DepositStatus::Pending);
    env.ctl.pay_deposit(&t.order_id).await.unwrap();
    let s = oz.topup_status(&t.order_id).await.unwrap();
    assert_eq!(s.status, DepositStatus::Paid);
    assert!(s.paid_at.is_some() && s.created_at.is_some());
    assert_eq!(oz.balance().await.unwrap().balance, Money::idr(300_000));
}

#[tokio::test]
async fn server1_catalogue() {
    let env = env().await;
    let oz = env.otpzap();
    let countries = oz.countries().await.unwrap();
    assert!(countries
        .iter()
        .any(|c| c.id.as_str() == "7" && c.name.as_deref() == Some("Indonesia")));
    let services = oz.services(Some(&Id::from(7))).await.unwrap();
    assert!(services
        .iter()
        .any(|s| s.code.as_deref() == Some("whatsapp")));
    let page = oz
        .products(&ProductQuery {
            platform_id: Some(1.into()),
            country_id: Some(7.into()),
            page: Some(1),
            limit: Some(10),
            sort: Some(ProductSort::PriceAsc),
        })
        .await
        .unwrap();
    let wa = page
        .products
        .iter()
        .find(|p| p.id.as_str() == WA_ID.to_string())
        .expect("documented product");
    assert_eq!(wa.price, Some(Money::idr(2835)));
    assert_eq!(wa.stock, Some(547));
    let pagination = page.pagination.expect("pagination");
    assert_eq!((pagination.page, pagination.limit), (Some(1), Some(10)));
    assert!(
        wa.extra.contains_key("platform_id"),
        "unknown fields are kept: {:?}",
        wa.extra
    );
    let prices: Vec<i64> = page
        .products
        .iter()
        .filter_map(|p| p.price.map(|m| m.minor))
        .collect();
    assert!(
        prices.windows(2).all(|w| w[0] <= w[1]),
        "sorted by price: {prices:?}"
    );
    let all = oz.products(&ProductQuery::default()).await.unwrap();
    assert!(all.products.len() > 1);
}

#[tokio::test]
async fn server2_and_email_catalogues() {
    let env = env().await;
    let oz = env.otpzap();
    assert!(!oz.s2_countries().await.unwrap().is_empty());
    let services = oz.s2_services(&Id::from(7)).await.unwrap();
    let wa = services
        .iter()
        .find(|s| s.service_id.as_str() == "101")
        .unwrap();
    assert_eq!(wa.price, Some(Money::idr(1500)));
    let ops = oz.s2_operators(&Id::from(7)).await.unwrap();
    assert!(ops.contains(&"random".to_string()) && ops.contains(&"telkomsel".to_string()));
    let special = oz.s2_special().await.unwrap();
    assert!(special
        .iter()
        .any(|s| s.service_id.as_str() == "501" && s.price == Some(Money::idr(3500))));
    let sites = oz.email_sites().await.unwrap();
    assert_eq!(sites.total, Some(30));
    assert!(sites.sites.iter().any(|s| s.site == "openai.com"));
    let domains = oz.email_domains("openai.com").await.unwrap();
    let gmail = domains.iter().find(|d| d.name == "gmail.com").unwrap();
    assert_eq!(
        (gmail.price, gmail.stock),
        (Some(Money::idr(12000)), Some(25))
    );
    assert!(gmail.activation_rate.is_some() && gmail.cancel_fee.is_some());
}

#[tokio::test]
async fn server1_order_lifecycle_with_resend_and_finish() {
    let env = env().await;
    let oz = env.otpzap();
    let req = OrderRequest::Server1 {
        product_id: WA_ID.into(),
        country_id: Some(7.into()),
        platform_id: Some(1.into()),
    };
    let created = oz
        .create_order(&req, Some("WhatsApp"), Some("buy-1"))
        .await
        .unwrap();
    assert_eq!(created.price, Some(Money::idr(2835)));
    assert_eq!(created.status, OrderStatus::Pending);
    assert!(!created.multiservice && created.phone.is_some() && created.reference.is_some());
    // Idempotent retry returns the same order.
    let again = oz
        .create_order(&req, Some("WhatsApp"), Some("buy-1"))
        .await
        .unwrap();
    assert_eq!(again.order_id, created.order_id);
    assert_eq!(
        oz.balance().await.unwrap().balance,
        Money::idr(250_000 - 2835)
    );

    let id = created.order_id.clone();
    let o = oz.order(&id).await.unwrap();
    assert_eq!(
        (o.status.clone(), o.otp_code.clone(), o.otps.len()),
        (OrderStatus::Pending, None, 0)
    );
    assert!(o.expires_at.is_some());

    let first = env.ctl.deliver_otp(id.as_str()).await.unwrap();
    let o = oz.order(&id).await.unwrap();
    assert_eq!(o.status, OrderStatus::OtpReceived);
    assert_eq!(o.otp_code.as_deref(), Some(first.code.as_str()));

    let r = oz.resend_order(&id).await.unwrap();
    assert_eq!(r.resend_count, Some(1));
    let second = env
        .ctl
        .deliver(&DeliverOtp {
            reference: id.to_string(),
            code: Some("777777".into()),
            ..DeliverOtp::default()
        })
        .await
        .unwrap();
    let o = oz.order(&id).await.unwrap();
    assert_eq!(o.otps.len(), 2);
    assert_eq!(o.otps[0].code, first.code, "timeline is oldest first");
    assert_eq!(
        o.otp_code.as_deref(),
        Some(second.code.as_str()),
        "otp_code is the latest"
    );
    assert_eq!(o.resend_count, Some(1));

    let f = oz.finish_order(&id).await.unwrap();
    assert_eq!(f.status, Some(OrderStatus::Completed));
    assert_eq!(oz.order(&id).await.unwrap().status, OrderStatus::Completed);
}

#[tokio::test]
async fn cancel_after_cooldown_refunds() {
    let env = env().await;
    let oz = env.otpzap();
    let req = OrderRequest::Server2 {
        service_id: 101.into(),
        country_id: 7.into(),
        operator_id: None,
    };
    let created = oz.create_order(&req, None, None).await.unwrap();
    assert_eq!(created.server, Some(2));
    env.ctl.advance_clock(121).await.unwrap();
    let c = oz.cancel_order(&created.order_id).await.unwrap();
    assert_eq!(c.refunded, Some(Money::idr(1500)));
    assert_eq!(
        oz.order(&created.order_id).await.unwrap().status,
        OrderStatus::Cancelled
    );
    assert_eq!(oz.balance().await.unwrap().balance, Money::idr(250_000));
}

#[tokio::test]
async fn server2_special_and_multiservice() {
    let env = env().await;
    let oz = env.otpzap();
    let special = oz
        .create_order(
            &OrderRequest::Server2Special {
                service_id: 501.into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(special.price, Some(Money::idr(3500)));

    let multi = OrderRequest::Server2Multi {
        service_ids: vec![101.into(), 102.into()],
        country_id: 7.into(),
        operator_id: Some("telkomsel".into()),
    };
    let created = oz
        .create_order(&multi, None, Some("multi-1"))
        .await
        .unwrap();
    assert!(created.multiservice);
    assert_eq!(created.services.len(), 2);
    let total: i64 = created
        .services
        .iter()
        .filter_map(|s| s.price.map(|p| p.minor))
        .sum();
    assert_eq!(created.price, Some(Money::idr(total)));
    env.ctl
        .deliver_otp(created.order_id.as_str())
        .await
        .unwrap();
    env.ctl
        .deliver_otp(created.order_id.as_str())
        .await
        .unwrap();
    let o = oz.order(&created.order_id).await.unwrap();
    assert_eq!(o.otps.len(), 2);
    assert!(
        o.otps.iter().all(|x| x.service.is_some()),
        "multiservice codes name their service: {:?}",
        o.otps
    );
}

#[tokio::test]
async fn replace_swaps_the_number() {
    let env = env().await;
    let oz = env.otpzap();
    let old = oz.create_order(&s1_wa(), None, None).await.unwrap();
    let new = oz.replace_order(&old.order_id).await.unwrap();
    assert_ne!(new.order_id, old.order_id);
    assert_eq!(new.old_ref, old.reference);
    assert_eq!(new.price, Some(Money::idr(2835)));
    assert_eq!(new.status, OrderStatus::Pending);
    assert_eq!(
        oz.order(&old.order_id).await.unwrap().status,
        OrderStatus::Replaced
    );
    assert_eq!(
        oz.balance().await.unwrap().balance,
        Money::idr(250_000 - 2835),
        "one charge after the swap"
    );
}

#[tokio::test]
async fn email_lifecycle() {
    let env = env().await;
    let oz = env.otpzap();
    let one = EmailOrderRequest {
        site: "openai.com".into(),
        domain: EmailDomainChoice::Domain("gmail.com".into()),
        qty: None,
        subject: Some("code".into()),
        regex: Some(r"\d{6}".into()),
    };
    let orders = oz.create_email(&one, Some("mail-1")).await.unwrap();
    assert_eq!(orders.len(), 1);
    let e = &orders[0];
    assert!(
        e.reference.starts_with("APIE-")
            && e.email
                .as_deref()
                .is_some_and(|m| m.ends_with("@gmail.com"))
    );
    let c = oz.email(&e.reference).await.unwrap();
    assert_eq!(
        (c.status.clone(), c.messages.len()),
        (OrderStatus::Pending, 0)
    );

    let d = env.ctl.deliver_otp(&e.reference).await.unwrap();
    let c = oz.email(&e.reference).await.unwrap();
    assert_eq!(c.status, OrderStatus::OtpReceived);
    assert_eq!(c.otp.as_deref(), Some(d.code.as_str()));
    assert_eq!(c.messages.len(), 1);
    assert!(c.messages[0].received_at.is_some());

    let r = oz.reorder_email(&e.reference).await.unwrap();
    assert_eq!(r.status, Some(OrderStatus::Pending));
    assert!(r.expires_at.is_some());
    env.ctl.deliver_otp(&e.reference).await.unwrap();
    let f = oz.finish_email(&e.reference).await.unwrap();
    assert_eq!(f.status, Some(OrderStatus::Completed));

    // Aggregator mode with qty 2, then cancel one before any message (outlook has a fee).
    let many = EmailOrderRequest {
        site: "github.com".into(),
        domain: EmailDomainChoice::Aggregator(vec!["yandex.com".into(), "outlook.com".into()]),
        qty: Some(2),
        subject: None,
        regex: None,
    };
    let orders = oz.create_email(&many, None).await.unwrap();
    assert_eq!(orders.len(), 2);
    assert!(
        orders.iter().all(|o| o
            .email
            .as_deref()
            .is_some_and(|m| m.ends_with("@outlook.com"))),
        "{orders:?}"
    );
    let x = oz.cancel_email(&orders[0].reference).await.unwrap();
    assert_eq!(x.cancel_fee, Some(Money::idr(1000)));
    assert_eq!(x.refunded, Some(Money::idr(7000)));
}

#[tokio::test]
async fn webhook_config_get_and_update() {
    let env = env().await;
    let oz = env.otpzap();
    let before = oz.webhook().await.unwrap();
    assert!(!before.configured && before.url.is_none() && before.events.is_empty());
    let update = WebhookUpdate {
        url: "https://hooks.example.com/otpzap".into(),
        events: vec!["order.otp_received".into(), "order.finished".into()],
        secret: ApiKey::new("0123456789abcdef0123"),
        is_active: Some(true),
    };
    let done = oz.update_webhook(&update).await.unwrap();
    assert_eq!(
        done.secret.as_ref().map(ApiKey::expose),
        Some("0123456789abcdef0123")
    );
    assert_eq!(done.events.len(), 2);
    assert!(done.note.is_some());
    let after = oz.webhook().await.unwrap();
    assert!(after.configured && after.is_active);
    assert_eq!(
        after.url.as_deref(),
        Some("https://hooks.example.com/otpzap")
    );
    // Without a secret OTPZap generates a 48-character one.
    let generated = oz
        .update_webhook(&WebhookUpdate {
            secret: None,
            ..update
        })
        .await
        .unwrap();
    assert_eq!(generated.secret.map(|s| s.expose().len()), Some(48));
}
