//! Hostile input never crashes the simulator or yields a 5xx: every endpoint answers with the
//! provider's error shape and the server keeps serving.

mod common;

use common::start;
use otpdesk_sim::{DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OTPZAP_KEY};

const BODIES: &[&str] = &[
    "",
    "null",
    "[]",
    "\"text\"",
    "{",
    "{\"order_id\":-1}",
    "{\"order_id\":\"abc\",\"ref\":42}",
    "{\"order_id\":18446744073709551616}",
    "{\"server\":2,\"service_ids\":[1e400]}",
    "{\"server\":2,\"service_ids\":\"101\",\"country_id\":7}",
    "{\"server\":1,\"product_id\":\"814090256\",\"country_id\":\"x\"}",
    "{\"amount\":1e30,\"merchant_order_id\":\"m\",\"expire_minutes\":-3}",
    "{\"amount\":\"99999999999999999999.99\",\"merchant_order_id\":\"m\"}",
    "{\"site\":\"💥.com\",\"domains\":[null],\"qty\":0}",
    "{\"site\":\"openai.com\",\"qty\":99999999999}",
    "{\"service\":{},\"country\":[]}",
    "{\"url\":\"javascript:alert(1)\",\"events\":[1]}",
];

#[tokio::test]
async fn garbage_never_crashes_or_500s() {
    let env = start().await;
    let oz = env.sim.otpzap_url();
    let np = env.sim.numberotp_url();
    let op = env.sim.ooppay_url();
    let posts = [
        (format!("{oz}/order/create"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/cancel"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/finish"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/resend"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/replace"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/email-create"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/email-reorder"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/email-cancel"), DEMO_OTPZAP_KEY),
        (format!("{oz}/order/email-finish"), DEMO_OTPZAP_KEY),
        (format!("{oz}/topup/create"), DEMO_OTPZAP_KEY),
        (format!("{np}/activations"), DEMO_NUMBEROTP_KEY),
        (format!("{op}/orders"), DEMO_OOPPAY_KEY),
    ];
    for (url, key) in &posts {
        for body in BODIES {
            let resp = env
                .http
                .post(url)
                .bearer_auth(key)
                .header("Idempotency-Key", "k")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            assert!((400..500).contains(&status), "{url} {body} -> {status}");
            let v: serde_json::Value = resp.json().await.expect("JSON error body");
            assert!(v.get("error").is_some(), "{url} {body} -> {v}");
        }
    }
    let gets = [
        format!("{oz}/order/check?order_id=%FF%FE"),
        format!("{oz}/order/check?order_id=99999999999999999999999"),
        format!("{oz}/order/email-check?ref="),
        format!("{oz}/products?page=0&limit=999999&sort=%00"),
        format!("{oz}/products?page=4294967295&limit=100"),
        format!("{oz}/s2/services?country_id=-1"),
        format!("{oz}/s3/domains?site=..."),
        format!("{oz}/topup/check"),
        format!("{np}/activations/%2e%2e/wait"),
        format!("{op}/orders/{}", "x".repeat(5000)),
    ];
    for url in &gets {
        let key = if url.starts_with(&np) {
            DEMO_NUMBEROTP_KEY
        } else if url.starts_with(&op) {
            DEMO_OOPPAY_KEY
        } else {
            DEMO_OTPZAP_KEY
        };
        let status = env
            .http
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!(status < 500, "{url} -> {status}");
    }
    let patch = env
        .http
        .patch(format!("{oz}/webhook/update"))
        .bearer_auth(DEMO_OTPZAP_KEY)
        .body("{\"url\":\"https://[::ffff:127.0.0.1]/\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 422);
    // "localhost.localdomain"-style names are refused by name, others by what they resolve to.
    for host in ["localhost", "api.localhost", "printer.local"] {
        let patch = env
            .http
            .patch(format!("{oz}/webhook/update"))
            .bearer_auth(DEMO_OTPZAP_KEY)
            .json(&serde_json::json!({"url": format!("https://{host}/hook")}))
            .send()
            .await
            .unwrap();
        assert_eq!(patch.status(), 422, "{host}");
    }
    assert_eq!(env.oz_balance().await, 250_000, "nothing was charged");
}
