//! NumberOTP's base-URL fallback with two simulators: one plays the documented host answering an
//! HTML page, the other the real API. The key-less probe picks the host that answers JSON, clones
//! share the choice, the API key never reaches the HTML host, and a paid call never moves hosts.

mod common;

use common::*;
use otpdesk_core::ProviderId;
use otpdesk_providers::{NumberOtpClient, OrderStatus};
use otpdesk_sim::control::types::{FaultKind, FaultRule};

/// A simulator whose NumberOTP answers every request with `page` (the handler never runs).
async fn html_host(page: FaultKind) -> Env {
    let env = env().await;
    env.ctl
        .add_fault(&FaultRule::new(page).provider(ProviderId::Numberotp))
        .await
        .unwrap();
    env
}

fn not_found_page() -> FaultKind {
    FaultKind::Status {
        status: 404,
        body: Some(
            "<!doctype html><title>NumberOTP</title><h1>Developer API Documentation</h1>".into(),
        ),
    }
}

fn client(primary: &str, fallback: &str) -> NumberOtpClient {
    NumberOtpClient::with_fallback(primary, Some(fallback), key(DEMO_NUMBEROTP_KEY), options())
        .expect("client")
}

/// Every request the simulator saw came without a key.
async fn saw_no_key(env: &Env) -> usize {
    let seen = env.ctl.requests().await.unwrap();
    assert!(
        seen.requests.iter().all(|r| r.key_fp.is_none()),
        "the key reached the docs host: {:?}",
        seen.requests
    );
    seen.total
}

#[tokio::test]
async fn html_docs_host_falls_back_and_never_sees_the_key() {
    for page in [FaultKind::Html, not_found_page()] {
        let docs = html_host(page).await;
        let api = env_shaped(NumberOtpShape::Realworld).await;
        let no = client(&docs.sim.numberotp_url(), &api.sim.numberotp_url());
        assert_eq!(
            no.base_url(),
            docs.sim.numberotp_url(),
            "documented until probed"
        );
        let clone = no.clone();
        assert_eq!(no.resolve_base().await.unwrap(), api.sim.numberotp_url());
        assert_eq!(
            clone.base_url(),
            api.sim.numberotp_url(),
            "clones share the choice"
        );

        let indonesia = clone.country_by_name("indonesia").await.unwrap().unwrap();
        let a = clone
            .create_activation("wa", indonesia.id.as_str())
            .await
            .unwrap();
        assert_eq!(a.status, OrderStatus::Pending);
        api.ctl.deliver_otp(a.id.as_str()).await.unwrap();
        assert_eq!(
            no.activation(&a.id).await.unwrap().status,
            OrderStatus::OtpReceived
        );
        assert!(!no.prices().await.unwrap().is_empty());
        // One probe, remembered: the docs host saw exactly one key-less request.
        assert_eq!(saw_no_key(&docs).await, 1);
        let api_seen = api.ctl.requests().await.unwrap();
        assert!(api_seen.requests.iter().any(|r| r.key_fp.is_some()));
    }
}

#[tokio::test]
async fn a_first_paid_call_resolves_before_it_pays() {
    let docs = html_host(FaultKind::Html).await;
    let api = env().await;
    let no = client(&docs.sim.numberotp_url(), &api.sim.numberotp_url());
    let indonesia = no.country_id("Indonesia").await.unwrap();
    let a = no
        .create_activation("wa", indonesia.as_str())
        .await
        .unwrap();
    assert!(a.id.as_str().starts_with("act_"));
    assert_eq!(no.base_url(), api.sim.numberotp_url());
    assert_eq!(saw_no_key(&docs).await, 1);
}

#[tokio::test]
async fn a_docs_host_that_answers_json_is_kept_and_the_fallback_left_alone() {
    let docs = env().await;
    let api = env().await;
    let no = client(&docs.sim.numberotp_url(), &api.sim.numberotp_url());
    assert_eq!(no.resolve_base().await.unwrap(), docs.sim.numberotp_url());
    no.services(None).await.unwrap();
    assert_eq!(api.ctl.requests().await.unwrap().total, 0);
}

#[tokio::test]
async fn an_unreachable_docs_host_falls_back() {
    let api = env().await;
    let docs = format!("http://127.0.0.1:{}/numberotp/v1", closed_port().await);
    let no = client(&docs, &api.sim.numberotp_url());
    assert_eq!(no.resolve_base().await.unwrap(), api.sim.numberotp_url());
}

#[tokio::test]
async fn no_host_answering_keeps_the_documented_base_and_paid_calls_do_not_move() {
    let docs = html_host(FaultKind::Html).await;
    let other = html_host(not_found_page()).await;
    let no = client(&docs.sim.numberotp_url(), &other.sim.numberotp_url());
    let e = no.resolve_base().await.unwrap_err();
    assert_eq!(e.code().as_str(), "network", "{e}");
    assert_eq!(no.base_url(), docs.sim.numberotp_url());
    // The buy goes to the documented base only; its HTML reply is an unknown outcome.
    let e = no.create_activation("wa", "67").await.unwrap_err();
    assert_eq!(e.code().as_str(), "outcome_unknown", "{e}");
    let other_seen = other.ctl.requests().await.unwrap();
    assert!(other_seen
        .requests
        .iter()
        .all(|r| r.method == "GET" && r.key_fp.is_none()));
}

#[test]
fn the_documented_base_comes_with_the_official_fallback() {
    assert_eq!(
        Some(NumberOtpClient::FALLBACK_BASE_URL),
        ProviderId::Numberotp.fallback_base_url()
    );
    assert_eq!(
        NumberOtpClient::DEFAULT_BASE_URL,
        ProviderId::Numberotp.default_base_url()
    );
    let no = NumberOtpClient::new(
        "https://numberotp.com/v1/",
        key(DEMO_NUMBEROTP_KEY),
        options(),
    )
    .unwrap();
    assert_eq!(no.base_url(), "https://numberotp.com/v1");
}
