//! Paid calls whose reply is lost or unreadable are `OutcomeUnknown` (dropped after commit,
//! timeouts, 5xx, HTML, malformed JSON), provoked from the simulator over real HTTP; definite
//! refusals of paid calls stay definite.

mod common;

use common::*;
use otpdesk_providers::{ErrorCode, Money, ProviderError};
use otpdesk_sim::control::types::FaultKind;

/// A paid call whose reply is lost after the provider committed it.
fn assert_unknown<T: std::fmt::Debug>(r: Result<T, ProviderError>, endpoint: &str) {
    let e = r.unwrap_err();
    assert!(
        matches!(&e, ProviderError::OutcomeUnknown { endpoint: ep, .. } if ep == endpoint),
        "{e:?}"
    );
    assert_eq!(e.code(), ErrorCode::OutcomeUnknown);
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn outcome_unknown_when_a_paid_reply_is_dropped_after_commit() {
    let env = env().await;
    let oz = env.otpzap();
    env.fault_once("/order/create", FaultKind::DropAfterCommit)
        .await;
    assert_unknown(
        oz.create_order(&s1_wa(), None, Some("lost-1")).await,
        "POST /order/create",
    );
    // It was charged; retrying with the same Idempotency-Key finds the same order, no new charge.
    assert_eq!(
        oz.balance().await.unwrap().balance,
        Money::idr(250_000 - 2835)
    );
    let found = oz
        .create_order(&s1_wa(), None, Some("lost-1"))
        .await
        .unwrap();
    assert_eq!(
        oz.balance().await.unwrap().balance,
        Money::idr(250_000 - 2835)
    );

    env.fault_once("/order/replace", FaultKind::DropAfterCommit)
        .await;
    assert_unknown(
        oz.replace_order(&found.order_id).await,
        "POST /order/replace",
    );
    env.fault_once("/order/email-create", FaultKind::DropAfterCommit)
        .await;
    assert_unknown(
        oz.create_email(&email_req(), None).await,
        "POST /order/email-create",
    );
    env.fault_once("/topup/create", FaultKind::DropAfterCommit)
        .await;
    assert_unknown(
        oz.create_topup(Money::idr(20_000), "t-1").await,
        "POST /topup/create",
    );
    env.fault_once("/activations", FaultKind::DropAfterCommit)
        .await;
    assert_unknown(
        env.numberotp()
            .create_activation("wa", &env.notp_country("Indonesia").await)
            .await,
        "POST /activations",
    );
    env.fault_once("/orders", FaultKind::DropAfterCommit).await;
    assert_unknown(
        env.ooppay().create_order(&payment("DEP-D")).await,
        "POST /orders",
    );

    // The same fault on a read is a plain network error (safe to retry).
    env.fault_once("/balance", FaultKind::DropAfterCommit).await;
    let e = oz.balance().await.unwrap_err();
    assert!(matches!(e, ProviderError::Network { .. }), "{e:?}");
}

#[tokio::test]
async fn outcome_unknown_on_paid_timeouts_5xx_and_garbage() {
    let env = env().await;
    let slow = env.otpzap_as(DEMO_OTPZAP_KEY, impatient());
    env.fault_once("/order/create", FaultKind::Delay { ms: 4000 })
        .await;
    assert_unknown(
        slow.create_order(&s1_wa(), None, Some("slow-1")).await,
        "POST /order/create",
    );
    env.fault_once(
        "/activations",
        FaultKind::Status {
            status: 500,
            body: None,
        },
    )
    .await;
    assert_unknown(
        env.numberotp()
            .create_activation("wa", &env.notp_country("Indonesia").await)
            .await,
        "POST /activations",
    );
    env.fault_once("/orders", FaultKind::Html).await;
    assert_unknown(
        env.ooppay().create_order(&payment("DEP-H")).await,
        "POST /orders",
    );
    env.fault_once("/topup/create", FaultKind::MalformedJson)
        .await;
    assert_unknown(
        env.otpzap().create_topup(Money::idr(20_000), "t-2").await,
        "POST /topup/create",
    );
    // A definite refusal of a paid call stays definite.
    env.fault_once("/order/create", FaultKind::RateLimit { retry_after: 5 })
        .await;
    let e = env
        .otpzap()
        .create_order(&s1_wa(), None, None)
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::RateLimited { .. }), "{e:?}");
}
