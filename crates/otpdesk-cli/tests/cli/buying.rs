//! Balance, every catalog, and `buy … --wait` for each kind of order.

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balance_and_every_catalog() {
    let h = Harness::new(None).await;
    let r = h.run(&["--json", "balance"]).await.ok();
    assert_eq!(r.records()[0]["balance"]["minor"], 250_000);
    assert_eq!(
        h.run(&["balance"]).await.ok().stdout.trim(),
        "OTPZap balance: IDR 250000"
    );

    let countries = h
        .run(&["--json", "catalog", "s1", "countries"])
        .await
        .ok()
        .records();
    assert!(countries
        .iter()
        .any(|c| c["id"] == "7" && c["name"] == "Indonesia"));
    let services = h
        .run(&["--json", "catalog", "s1", "services", "--country", "7"])
        .await
        .ok()
        .records();
    assert!(services.iter().any(|s| s["code"] == "whatsapp"));
    let products = h
        .run(&[
            "--json",
            "catalog",
            "s1",
            "products",
            "--country",
            "7",
            "--platform",
            "1",
        ])
        .await
        .ok()
        .records();
    assert!(products
        .iter()
        .any(|p| p["id"] == "814090256" && p["price"]["minor"] == 2835));
    let table = h
        .run(&[
            "catalog",
            "s1",
            "products",
            "--country",
            "7",
            "--platform",
            "1",
        ])
        .await
        .ok()
        .stdout;
    assert!(
        table.starts_with("ID")
            && table.contains("WhatsApp - Indonesia")
            && table.contains("IDR 2835"),
        "{table}"
    );

    assert!(!h
        .run(&["--json", "catalog", "s2", "countries"])
        .await
        .ok()
        .records()
        .is_empty());
    let s2 = h
        .run(&["--json", "catalog", "s2", "services", "--country", "7"])
        .await
        .ok()
        .records();
    assert!(s2.iter().all(|s| s["price"]["currency"] == "IDR") && !s2.is_empty());
    let ops = h
        .run(&["--json", "catalog", "s2", "operators", "--country", "7"])
        .await
        .ok()
        .records();
    assert!(ops.iter().any(|o| o["operator"] == "random"));
    assert!(!h
        .run(&["--json", "catalog", "s2", "special"])
        .await
        .ok()
        .records()
        .is_empty());

    let sites = h
        .run(&["--json", "catalog", "email", "sites"])
        .await
        .ok()
        .records();
    assert!(sites.iter().any(|s| s["site"] == "openai.com"));
    let domains = h
        .run(&[
            "--json",
            "catalog",
            "email",
            "domains",
            "--site",
            "openai.com",
        ])
        .await
        .ok()
        .records();
    assert!(domains.iter().any(|d| d["domain"] == "gmail.com"));

    let n = h
        .run(&["--json", "catalog", "numberotp", "services"])
        .await
        .ok()
        .records();
    assert!(!n.is_empty());
    assert!(!h
        .run(&["--json", "catalog", "numberotp", "countries"])
        .await
        .ok()
        .records()
        .is_empty());
    let prices = h
        .run(&["--json", "catalog", "numberotp", "prices"])
        .await
        .ok()
        .records();
    assert!(prices
        .iter()
        .all(|p| p["price"].is_null() || p["price"]["currency"] == "USD"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_and_wait_prints_the_code_for_each_kind_of_order() {
    let h = Harness::new(Some(Duration::from_secs(1))).await;
    let wait = ["--wait", "--poll-secs", "1", "--timeout", "60"];
    let cases: Vec<Vec<&str>> = vec![
        BUY_S1_WHATSAPP.to_vec(),
        vec!["buy", "s2", "--service", "101", "--country", "7"],
        vec!["buy", "s2-special", "--service", "501"],
        vec!["buy", "s2-multi", "--services", "101,102", "--country", "7"],
        vec![
            "buy",
            "numberotp",
            "--service",
            "wa",
            "--country",
            "Indonesia",
        ],
        vec![
            "buy",
            "email",
            "--site",
            "openai.com",
            "--domain",
            "gmail.com",
        ],
    ];
    for case in cases {
        let args: Vec<&str> = std::iter::once("--json")
            .chain(case.iter().copied())
            .chain(wait)
            .collect();
        let records = h.run(&args).await.ok().records();
        assert!(
            records[0]["type"] == "order" || records[0]["type"] == "email_order",
            "{case:?}: {records:?}"
        );
        let otp = records
            .iter()
            .find(|r| r["type"] == "otp")
            .unwrap_or_else(|| panic!("{case:?}: no code in {records:?}"));
        let code = field(otp, "otp");
        assert!(
            code.len() >= 4 && code.chars().all(|c| c.is_ascii_digit()),
            "{case:?}: {code}"
        );
    }
    // Six purchases moved the balance down.
    let after = h.run(&["--json", "balance"]).await.ok().records();
    assert!(after[0]["balance"]["minor"].as_i64().unwrap() < 250_000);
}

/// A multiservice number whose three codes arrive about a second apart: each code is printed
/// exactly once, in order, and the command exits as soon as the last one is in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multiservice_wait_prints_each_code_once_and_exits() {
    let h = Harness::new(None).await;
    let args = [
        "--json",
        "buy",
        "s2-multi",
        "--services",
        "101,102,103",
        "--country",
        "7",
        "--wait",
        "--timeout",
        "60",
    ];
    let mut cmd = h.command(&args);
    cmd.env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let control = h.control();
    let reference = loop {
        if let Some(c) = control.ledger(None).await.unwrap().first() {
            break c.order_ref.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut sent = Vec::new();
    for code in ["111111", "222222", "333333"] {
        tokio::time::sleep(Duration::from_millis(900)).await;
        control
            .deliver(&otpdesk_sim::control::types::DeliverOtp {
                reference: reference.clone(),
                code: Some(code.into()),
                text: None,
                service: None,
                late: false,
            })
            .await
            .unwrap();
        sent.push(code);
    }
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("exits once every service has its code")
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let codes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["type"] == "otp")
        .map(|r| r["otp"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(codes, sent, "each code once, in order");
}

/// A purchase whose replies are all lost is left for the user: the CLI names the commands, a
/// later command buys nothing on its own, `attempts buy-again` buys once for that key, and
/// `attempts dismiss` closes one without buying.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_purchase_waits_for_the_user() {
    use otpdesk_sim::control::types::{FaultKind, FaultRule};
    let h = Harness::new(None).await;
    let control = h.control();
    let lost = FaultRule::new(FaultKind::DropAfterCommit)
        .path("/order/create")
        .times(50);
    control.add_fault(&lost).await.unwrap();
    let r = h.run(&BUY_S1_WHATSAPP).await;
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("otpdesk attempts buy-again"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("otpdesk attempts dismiss"),
        "{}",
        r.stderr
    );
    control.clear_faults().await.unwrap();
    let charged = control.ledger(None).await.unwrap().len();

    let unknown = || async { h.run(&["--json", "attempts", "list"]).await.ok().records() };

    // Another command opens the engine: nothing is bought on its own.
    h.run(&["--json", "orders"]).await.ok();
    let listed = unknown().await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["state"], "outcome_unknown");
    assert_eq!(control.ledger(None).await.unwrap().len(), charged);

    let id = listed[0]["id"].as_str().unwrap().to_string();
    let bought = h
        .run(&["--json", "attempts", "buy-again", &id])
        .await
        .ok()
        .records();
    assert_eq!(bought[0]["type"], "order", "{bought:?}");
    assert!(control.keys_charged_twice().await.unwrap().is_empty());
    assert!(unknown().await.is_empty());

    control.add_fault(&lost).await.unwrap();
    assert_eq!(h.run(&BUY_S1_WHATSAPP).await.status, 1);
    control.clear_faults().await.unwrap();
    let listed = unknown().await;
    let id = listed[0]["id"].as_str().unwrap().to_string();
    let d = h
        .run(&["--json", "attempts", "dismiss", &id])
        .await
        .ok()
        .records();
    assert_eq!(d[0]["state"], "dismissed");
    assert!(unknown().await.is_empty());
}
