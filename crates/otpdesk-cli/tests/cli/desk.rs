//! The reseller's desk from a terminal: `buy --customer --note` fills the sale price from the
//! price list (`prices`), `paid` and `customers` show what is owed, `template render` gives the
//! customer's message before and after the code.

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_prices_paid_and_the_message() {
    let h = Harness::new(None).await;

    // The default list (30%, at least Rp 1.000), then a flat Rp 1.500 for WhatsApp.
    let shown = h.run(&["--json", "prices"]).await.ok().records();
    assert_eq!(shown[0]["fallback_rate"], true);
    assert_eq!(shown[0]["rate_used"], "16500");
    let set = h
        .run(&[
            "--json",
            "prices",
            "set",
            "--service",
            "WhatsApp",
            "--flat",
            "1500",
        ])
        .await
        .ok()
        .records();
    assert_eq!(set[0]["rules"].as_array().unwrap().len(), 2);
    let r = h
        .run(&["prices", "rate", "16250", "--buffer", "2"])
        .await
        .ok();
    assert!(
        r.stdout.contains("US$1 = Rp 16250, plus a 2% buffer"),
        "{}",
        r.stdout
    );
    let bad = h.run(&["prices", "rate", "lots"]).await;
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("dollar rate"), "{}", bad.stderr);

    // Bought for Budi: Rp 2.835 + 1.500 = 4.335 -> Rp 4.400.
    let r = h
        .run(&buy_s1(&["--customer", "Budi", "--note", "toko"]))
        .await
        .ok()
        .records();
    assert_eq!(r.len(), 2, "{r:?}");
    let id = field(&r[0], "id").to_string();
    let remote = field(&r[0], "order_id").to_string();
    assert_eq!(r[1]["type"], "hand_off");
    assert_eq!(r[1]["customer"], "Budi");
    assert_eq!(r[1]["sale_price"]["minor"], 4_400);
    assert_eq!(r[1]["paid"], false);
    // A second one with the price typed; in text the hand-off is one sentence.
    let t = h
        .run(&[
            "buy",
            "s1",
            "--product",
            "814090256",
            "--country",
            "7",
            "--platform",
            "1",
            "--customer",
            "budi",
            "--sale-price",
            "6000",
        ])
        .await
        .ok();
    assert!(
        t.stdout.contains("For budi: sold at IDR 6000."),
        "{}",
        t.stdout
    );
    // Without the flags nothing is recorded (one record only).
    assert_eq!(h.run(&buy_s1(&[])).await.ok().records().len(), 1);

    let cs = h.run(&["--json", "customers"]).await.ok().records();
    assert_eq!(cs.len(), 1, "{cs:?}");
    assert_eq!(cs[0]["orders"], 2);
    assert_eq!(cs[0]["owed"][0]["minor"], 10_400);
    assert_eq!(cs[0]["profit"][0]["minor"], 10_400 - 2 * 2_835);

    // Paid by the provider's order id; then Budi owes only the second one.
    let p = h.run(&["--json", "paid", &remote]).await.ok().records();
    assert_eq!(p[0]["paid"], true);
    let cs = h.run(&["--json", "customers"]).await.ok().records();
    assert_eq!(cs[0]["owed"][0]["minor"], 6_000);
    assert_eq!(cs[0]["unpaid_orders"], 1);
    let text = h.run(&["customers"]).await.ok().stdout;
    assert!(
        text.contains("CUSTOMER") && text.contains("IDR 6000"),
        "{text}"
    );
    let his = h.run(&["--json", "customers", "BUDI"]).await.ok().records();
    assert_eq!(his.len(), 2);
    let first = his.iter().find(|o| o["id"] == id.as_str()).unwrap();
    assert_eq!(
        (first["paid"].clone(), first["note"].clone()),
        (true.into(), "toko".into())
    );
    h.run(&["paid", &id, "--unpaid"]).await.ok();
    let cs = h.run(&["--json", "customers"]).await.ok().records();
    assert_eq!(cs[0]["owed"][0]["minor"], 10_400);

    // The message: the number first; with the code, the code message after it.
    let m = h
        .run(&["--json", "template", "render", &id])
        .await
        .ok()
        .records();
    let text = m[0]["text"].as_str().unwrap();
    assert!(text.starts_with("Nomor WhatsApp kamu: "), "{text}");
    assert!(!text.contains("Kodenya"), "{text}");
    let code = h.control().deliver_otp(&remote).await.unwrap().code;
    h.run(&["--json", "wait", &id, "--timeout", "60"])
        .await
        .ok();
    h.run(&[
        "template",
        "set",
        "--lang",
        "en",
        "--kind",
        "code",
        "Code {otp}, pay {price}",
    ])
    .await
    .ok();
    let en = h
        .run(&["template", "render", &id, "--lang", "en"])
        .await
        .ok()
        .stdout;
    assert!(en.starts_with("Your WhatsApp number: "), "{en}");
    assert!(
        en.trim_end()
            .ends_with(&format!("Code {code}, pay Rp 4.400")),
        "{en}"
    );
    h.run(&["template", "reset"]).await.ok();
    let en = h
        .run(&["template", "render", &id, "--lang", "en"])
        .await
        .ok()
        .stdout;
    assert!(
        en.trim_end().ends_with(&format!("Your code: {code}")),
        "{en}"
    );
    let r = h.run(&["template", "render", "nope"]).await;
    assert_eq!(r.status, 1, "{}", r.stderr);
}
