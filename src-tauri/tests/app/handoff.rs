//! The reseller's hand-off over IPC against the simulator: a number bought and handed to a
//! customer with the price list's sale price, the price list and templates saved and refused,
//! paid, the customers list with what is owed, and "Share" opening a checked wa.me / t.me link
//! built by the backend from the order and the template.

use crate::harness::app_with_keys;
use serde_json::{json, Value};

fn query_text(url: &str, key: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    u.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {key} in {url}"))
}

#[test]
fn hand_off_paid_customers_and_share_links() {
    let (_sim, h) = app_with_keys();

    // The price list: default shown with the fallback rate, then a flat Rp 1.000 overall.
    let list = h.ok("price_list", json!({}));
    assert_eq!(list["fallback_rate"], true);
    assert_eq!(list["rate_used"], list["fallback"]);
    let bad = h.err(
        "set_price_list",
        json!({"list": {"rules": [], "idr_per_usd": "abc", "buffer_pct": 3}}),
    );
    assert_eq!(bad["code"], "validation");
    let set = h.ok(
        "set_price_list",
        json!({"list": {"rules": [{"service": null, "markup": {"kind": "flat", "value": 1000}, "min_profit": 0}],
                        "idr_per_usd": "16250", "buffer_pct": 2}}),
    );
    assert_eq!(set["fallback_rate"], false);
    assert_eq!(set["rate_used"], "16250");

    // Buy an S1 number (Rp 2.835): suggested 3.835 -> Rp 3.900, handed to Budi.
    let target =
        json!({"type": "otpzap_s1", "product_id": 814090256, "country_id": 7, "platform_id": 1});
    let quote = h.ok("quote", json!({"target": target}));
    let s = h.ok(
        "suggest_sale_price",
        json!({"service": "WhatsApp", "cost": quote["price"]}),
    );
    assert_eq!(s["sale"]["minor"], 3_900);
    let o = h.ok(
        "buy_checked",
        json!({"target": target, "expectedPrice": quote["price"]}),
    );
    let id = o["id"].as_str().unwrap().to_string();
    let d = h.ok(
        "hand_off",
        json!({"orderId": id, "hand": {"customer": "Budi", "note": "toko", "sale_price": null}}),
    );
    assert_eq!(d["sale_price"]["minor"], 3_900);
    assert_eq!(h.ok("recent_customers", json!({})), json!(["Budi"]));
    let e = h.err(
        "hand_off",
        json!({"orderId": id, "hand": {"customer": "Budi", "sale_price": {"currency": "IDR", "minor": -5}}}),
    );
    assert_eq!(e["code"], "validation");

    let cs = h.ok("customers", json!({}));
    assert_eq!(cs[0]["name"], "Budi");
    assert_eq!(cs[0]["owed"][0]["minor"], 3_900);
    let paid = h.ok("set_paid", json!({"orderId": id, "paid": true}));
    assert_eq!(paid["paid"], true);
    let cs = h.ok("customers", json!({}));
    assert_eq!(cs[0]["owed"], json!([]));
    let desks = h.ok("order_desks", json!({"orderIds": [id.clone(), "nope"]}));
    assert_eq!(desks.as_array().unwrap().len(), 1);
    assert_eq!(desks[0]["note"], "toko");

    // Templates: edited, refused when too long, reset.
    let ts = h.ok(
        "set_message_template",
        json!({"lang": "en", "kind": "number", "body": "{service} {phone} for {price}"}),
    );
    let en: Vec<&Value> = ts
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["lang"] == "en")
        .collect();
    assert!(en.iter().any(|t| t["is_default"] == false));
    let long = "x".repeat(2_001);
    let e = h.err(
        "set_message_template",
        json!({"lang": "en", "kind": "code", "body": long}),
    );
    assert_eq!(e["code"], "validation");

    // Share: the backend builds the link from the order and the template, https to wa.me / t.me.
    h.ok(
        "share_order",
        json!({"orderId": id, "lang": "en", "app": "whatsapp"}),
    );
    h.ok(
        "share_order",
        json!({"orderId": id, "lang": "id", "app": "telegram"}),
    );
    let opened = h.shell.opened.lock().unwrap().clone();
    assert_eq!(opened.len(), 2, "{opened:?}");
    let phone = o["phone"].as_str().unwrap();
    assert!(
        opened[0].starts_with("https://wa.me/?text="),
        "{}",
        opened[0]
    );
    assert_eq!(
        query_text(&opened[0], "text"),
        format!("WhatsApp {phone} for Rp 3.900")
    );
    assert!(
        opened[1].starts_with("https://t.me/share/url?"),
        "{}",
        opened[1]
    );
    assert_eq!(query_text(&opened[1], "url"), phone);
    assert!(query_text(&opened[1], "text").starts_with(&format!("Nomor WhatsApp kamu: {phone}")));
    h.ok(
        "set_message_template",
        json!({"lang": "en", "kind": "number", "body": null}),
    );
    let ts = h.ok("message_templates", json!({}));
    assert!(ts
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["is_default"] == true));

    // The customer's history through the history command.
    let hist = h.ok("history", json!({"query": {"customer": "budi"}}));
    assert_eq!(hist["total_orders"], 1);
    assert_eq!(hist["items"][0]["order"]["paid"], true);
    assert_eq!(hist["items"][0]["order"]["customer"], "Budi");
}
