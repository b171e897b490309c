//! Fault injection kinds, composition, and the per-key rate limit.

mod common;

use common::start;
use otpdesk_core::ProviderId;
use otpdesk_sim::control::types::{ConfigPatch, FaultKind, FaultRule, LedgerKind};
use otpdesk_sim::DEMO_OTPZAP_KEY;
use serde_json::json;
use std::time::Duration;

const BUY: &str = r#"{"server":1,"product_id":814090256,"country_id":7,"platform_id":1}"#;

async fn raw_buy(
    env: &common::Env,
    timeout: Option<Duration>,
) -> Result<reqwest::Response, reqwest::Error> {
    let mut req = env
        .http
        .post(format!("{}/order/create", env.sim.otpzap_url()))
        .bearer_auth(DEMO_OTPZAP_KEY)
        .header("content-type", "application/json")
        .body(BUY);
    if let Some(t) = timeout {
        req = req.timeout(t);
    }
    req.send().await
}

async fn charges(env: &common::Env) -> usize {
    env.ctl
        .ledger(None)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == LedgerKind::Charge)
        .count()
}

#[tokio::test]
async fn drop_after_commit_charges_but_gives_no_reply() {
    let env = start().await;
    env.ctl
        .add_fault(
            &FaultRule::new(FaultKind::DropAfterCommit)
                .path("order/create")
                .times(1),
        )
        .await
        .unwrap();
    let outcome = match raw_buy(&env, None).await {
        Err(_) => None,
        Ok(resp) => resp.bytes().await.ok(),
    };
    assert!(
        outcome.is_none(),
        "the client must not get a complete reply"
    );
    assert_eq!(charges(&env).await, 1, "the handler committed");
    // Count used up: the next call is normal.
    assert_eq!(raw_buy(&env, None).await.unwrap().status(), 200);
    let log = env.ctl.requests().await.unwrap();
    assert_eq!(log.requests[0].fault.as_deref(), Some("drop_after_commit"));
}

#[tokio::test]
async fn delay_lets_clients_time_out_then_replies() {
    let env = start().await;
    env.ctl
        .add_fault(
            &FaultRule::new(FaultKind::Delay { ms: 400 })
                .path("/balance")
                .times(2),
        )
        .await
        .unwrap();
    let timed_out = env
        .http
        .get(format!("{}/balance", env.sim.otpzap_url()))
        .bearer_auth(DEMO_OTPZAP_KEY)
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(timed_out.unwrap_err().is_timeout());
    let slow = env.oz_get("/balance").await;
    assert_eq!(slow.status, 200);
    assert!(env.ctl.faults().await.unwrap()[0].remaining == Some(0));
}

#[tokio::test]
async fn status_html_malformed_and_rate_limit_faults() {
    let env = start().await;
    let ctl = &env.ctl;
    ctl.add_fault(
        &FaultRule::new(FaultKind::Status {
            status: 503,
            body: None,
        })
        .path("/balance")
        .times(1),
    )
    .await
    .unwrap();
    let r = env.oz_get("/balance").await;
    assert_eq!((r.status, r.code()), (503, "service_unavailable"));
    assert_eq!(r.body["success"], false, "provider-shaped envelope");

    ctl.add_fault(
        &FaultRule::new(FaultKind::Status {
            status: 500,
            body: Some("oops".into()),
        })
        .path("/balance")
        .times(1),
    )
    .await
    .unwrap();
    let r = env.oz_get("/balance").await;
    assert_eq!((r.status, r.body.as_str()), (500, Some("oops")));

    ctl.add_fault(
        &FaultRule::new(FaultKind::Html)
            .provider(ProviderId::Otpzap)
            .times(1),
    )
    .await
    .unwrap();
    let r = env.oz_get("/balance").await;
    assert_eq!(r.status, 502);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.body.as_str().unwrap().contains("nginx"));

    ctl.add_fault(
        &FaultRule::new(FaultKind::MalformedJson)
            .path("order/create")
            .times(1),
    )
    .await
    .unwrap();
    let resp = raw_buy(&env, None).await.unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "{text}"
    );
    assert_eq!(charges(&env).await, 1, "malformed_json runs the handler");

    ctl.add_fault(
        &FaultRule::new(FaultKind::RateLimit { retry_after: 7 })
            .method("GET")
            .times(1),
    )
    .await
    .unwrap();
    let r = env.oz_get("/balance").await;
    assert_eq!(
        (r.status, r.code(), r.retry_after()),
        (429, "rate_limited", Some(7))
    );
    assert_eq!(env.oz_get("/balance").await.status, 200);
}

#[tokio::test]
async fn faults_compose_filter_and_clear() {
    let env = start().await;
    let ctl = &env.ctl;
    ctl.add_fault(&FaultRule::new(FaultKind::Delay { ms: 50 }))
        .await
        .unwrap();
    ctl.add_fault(
        &FaultRule::new(FaultKind::Status {
            status: 502,
            body: None,
        })
        .provider(ProviderId::Numberotp),
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(env.notp_get("/public/services").await.status, 502);
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert_eq!(env.oz_get("/balance").await.status, 200, "provider filter");
    let never = ctl
        .add_fault(&FaultRule::new(FaultKind::Html).probability(0.0))
        .await
        .unwrap();
    assert_eq!(
        env.oz_get("/balance").await.status,
        200,
        "probability 0 never fires"
    );
    ctl.remove_fault(never).await.unwrap();
    assert_eq!(ctl.faults().await.unwrap().len(), 2);
    ctl.clear_faults().await.unwrap();
    assert_eq!(env.notp_get("/public/services").await.status, 200);
    // Control API is never faulted.
    ctl.add_fault(&FaultRule::new(FaultKind::Html))
        .await
        .unwrap();
    assert!(ctl.balances().await.is_ok());
}

#[tokio::test]
async fn rate_limit_per_key_with_retry_after() {
    let env = start().await;
    env.set_config(ConfigPatch {
        rate_limit_per_min: Some(3),
        ..Default::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(env.oz_get("/balance").await.status, 200);
    }
    env.ctl.advance_clock(20).await.unwrap();
    let limited = env.oz_get("/balance").await;
    assert_eq!(
        (limited.status, limited.code(), limited.retry_after()),
        (429, "rate_limited", Some(40))
    );
    assert_eq!(
        env.notp_get("/public/services").await.status,
        200,
        "another key has its own window"
    );
    let log = env.ctl.requests().await.unwrap();
    assert_eq!(log.count_429, 1);
    let entry = log.requests.iter().find(|r| r.status == 429).unwrap();
    assert_eq!(entry.retry_after, Some(40));
    assert!(entry.key_fp.as_deref().unwrap().starts_with("fp_"));
    assert!(
        !serde_json::to_string(&log)
            .unwrap()
            .contains(DEMO_OTPZAP_KEY),
        "never the raw key"
    );
    env.ctl.advance_clock(41).await.unwrap();
    assert_eq!(env.oz_get("/balance").await.status, 200);
    let _ = json!({});
}
