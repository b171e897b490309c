//! NumberOTP in both dialects: `doc` (WIRE.md's shapes) and `realworld` (what real integrations
//! see), switched at start (`--numberotp-shape`, `SimConfig`) or at run time (`/_sim/config`).

mod common;

use common::{start, start_with};
use otpdesk_core::ProviderId;
use otpdesk_sim::control::types::{FaultKind, FaultRule, NumberOtpShape};
use otpdesk_sim::{SimConfig, DEMO_NUMBEROTP_KEY};
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[tokio::test]
async fn realworld_catalogue_prices_and_activation() {
    let env = start_with(SimConfig {
        numberotp_shape: NumberOtpShape::Realworld,
        ..SimConfig::default()
    })
    .await;
    let s = env.notp_get("/public/services").await;
    let wa = s.body["data"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "wa")
        .cloned()
        .unwrap();
    assert_eq!(wa["name"], "WhatsApp");
    assert!(wa["count"].as_u64().unwrap() > 0, "{wa}");
    let c = env.notp_get("/public/countries").await;
    assert_eq!(c.body["data"]["22"], json!({"code": "22", "name": "India"}));
    assert_eq!(
        c.body["data"]["6"],
        json!({"code": "6", "name": "Indonesia"})
    );
    assert!(c.body["data"].get("67").is_none());
    let p = env.notp_get("/public/prices").await;
    let wa_id = &p.body["data"]["6"]["wa"];
    assert_eq!(wa_id["cost"], json!(0.25), "a JSON number");
    assert!(wa_id["count"].is_u64());

    let a = env
        .notp_post("/activations", json!({"service": "wa", "country": "6"}))
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    let act = &a.body["data"]["activation"];
    assert_eq!(act["status"], "Active");
    assert_eq!(act["cost"], json!(0.25));
    assert!(act.get("price").is_none() && act.get("currency").is_none());
    assert!(
        act["phone_number"].as_str().unwrap().starts_with("+62"),
        "{act}"
    );
    assert_eq!(env.ledger_balance(DEMO_NUMBEROTP_KEY).await, 9_750_000);
    let id = act["id"].as_str().unwrap().to_string();
    let d = env.ctl.deliver_otp(&id).await.unwrap();
    let got = env.notp_get(&format!("/activations/{id}/wait")).await;
    let act = &got.body["data"]["activation"];
    assert_eq!(act["otp"], d.code.as_str());
    assert_eq!(act["status"], "Completed");
    // The documented id of Indonesia means nothing here.
    let bad = env
        .notp_post("/activations", json!({"service": "wa", "country": "67"}))
        .await;
    assert_eq!(bad.status, 404);
    assert_eq!(bad.body["code"], "NOT_FOUND");
    assert!(
        bad.body["error"].as_str().unwrap().ends_with('.'),
        "{:?}",
        bad.body
    );
}

#[tokio::test]
async fn realworld_errors_are_a_sentence_and_a_code() {
    let env = start().await;
    env.ctl
        .set_numberotp_shape(NumberOtpShape::Realworld)
        .await
        .unwrap();
    let r = env
        .call(
            reqwest::Method::GET,
            format!("{}/public/services", env.sim.numberotp_url()),
            "notp_wrong",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "INVALID_API_KEY");
    assert!(r.body["error"].is_string(), "{:?}", r.body);
    env.ctl
        .add_account(
            ProviderId::Numberotp,
            "notp_poor",
            otpdesk_core::Money::new(otpdesk_core::Currency::Usd, 0),
        )
        .await
        .unwrap();
    let r = env
        .call(
            reqwest::Method::POST,
            format!("{}/activations", env.sim.numberotp_url()),
            "notp_poor",
            Some(json!({"service": "wa", "country": "6"})),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (402, Some("INSUFFICIENT_BALANCE"))
    );
    assert!(r.body["error"]
        .as_str()
        .unwrap()
        .starts_with("Insufficient balance"));
    // Faults speak the dialect too, unless they carry their own body.
    env.ctl
        .add_fault(
            &FaultRule::new(FaultKind::RateLimit { retry_after: 7 })
                .provider(ProviderId::Numberotp)
                .times(1),
        )
        .await
        .unwrap();
    let r = env.notp_get("/public/countries").await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (429, Some("RATE_LIMITED"))
    );
    assert_eq!(r.retry_after(), Some(7));
    // Back to the documented dialect at run time.
    env.ctl
        .set_numberotp_shape(NumberOtpShape::Doc)
        .await
        .unwrap();
    assert_eq!(
        env.ctl.config().await.unwrap().numberotp_shape,
        NumberOtpShape::Doc
    );
    let r = env.notp_get("/activations/act_missing").await;
    assert_eq!(r.body["error"]["code"], "not_found");
    let c = env.notp_get("/public/countries").await;
    assert!(c.body["countries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "67" && c["name"] == "Indonesia"));
}

#[test]
fn binary_takes_the_shape_flag() {
    let mut child = common::sim_binary()
        .args(["--port", "0", "--numberotp-shape", "realworld"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("otpdesk-sim listening on http://")
        .unwrap_or_default()
        .to_string();
    let get = |path: &str| {
        let mut s = TcpStream::connect(&addr).expect("connects");
        let req = format!("GET {path} HTTP/1.0\r\nHost: sim\r\nAuthorization: Bearer {DEMO_NUMBEROTP_KEY}\r\n\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let config = get("/_sim/config");
    let countries = get("/numberotp/v1/public/countries");
    common::stop_binary(&mut child);
    assert!(
        config.contains("\"numberotp_shape\":\"realworld\""),
        "{config}"
    );
    assert!(
        countries.contains("\"6\":{\"code\":\"6\",\"name\":\"Indonesia\"}"),
        "{countries}"
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_otpdesk-sim"))
        .args(["--numberotp-shape", "poetry"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
}
