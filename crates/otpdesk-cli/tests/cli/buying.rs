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
            "--sort",
            "price-asc",
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
        vec!["buy", "numberotp", "--service", "wa", "--country", "67"],
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
