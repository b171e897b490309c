//! The reseller's desk against the simulator: orders handed to customers with the sale price
//! from the price list (rupiah and dollar costs, recomputed here by hand), paid / not paid, what
//! each customer owes and the profit on them, the customer's message with and without its code,
//! and the CSV export's customer, note and paid columns read back. Real engine, real SQLite file.

mod common;

use common::*;
use otpdesk_core::{Currency, Money};
use otpdesk_engine::customers::HandOff;
use otpdesk_engine::pricing::{Markup, MarkupRule, PriceList};
use otpdesk_engine::templates::{TemplateKind, TemplateLang};
use otpdesk_engine::*;
use std::time::Duration;

fn hand(customer: &str, note: Option<&str>, sale: Option<i64>) -> HandOff {
    HandOff {
        customer: Some(customer.into()),
        note: note.map(str::to_string),
        sale_price: sale.map(Money::idr),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_owe_their_unpaid_sales_and_the_price_list_fills_the_price() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let e = &engine(&sim, dir.path()).await;

    // Flat Rp 1.000 on everything, Telegram 50% with at least Rp 2.000; $1 = Rp 16.000 + 5%.
    let list = PriceList {
        rules: vec![
            MarkupRule {
                service: None,
                markup: Markup::Flat(1_000),
                min_profit: 0,
            },
            MarkupRule {
                service: Some("telegram".into()),
                markup: Markup::Percent(50),
                min_profit: 2_000,
            },
        ],
        idr_per_usd: Some("16000".into()),
        buffer_pct: 5,
    };
    e.set_price_list(&list).unwrap();
    assert_eq!(e.price_list().unwrap(), list);

    // An S1 WhatsApp number for Budi: cost Rp 2.835 + 1.000 = 3.835 -> Rp 3.900.
    let a = e.buy(S1).await.unwrap();
    assert_eq!(a.price, Some(Money::idr(2_835)));
    let da = e
        .hand_off(
            &a.id,
            &hand("  Budi   Santoso ", Some("WA for his shop"), None),
        )
        .unwrap();
    assert_eq!(da.customer.as_deref(), Some("Budi Santoso"));
    assert_eq!(da.note.as_deref(), Some("WA for his shop"));
    assert_eq!(da.sale_price, Some(Money::idr(3_900)));
    assert!(!da.paid);

    // A NumberOTP number (dollars) for budi santoso (same customer, other case): cost
    // converted by hand: minor x 16000 x 1.05, rounded up, + 1000, rounded up to 100.
    let n = e.buy(sim.numberotp_wa()).await.unwrap();
    let cost = n.price.unwrap();
    assert_eq!(cost.currency, Currency::Usd);
    assert!(cost.minor > 0);
    let idr = ((cost.minor as i128 * 1_600_000 * 105 + 9_999_999_999) / 10_000_000_000) as i64;
    let expect = (idr + 1_000 + 99) / 100 * 100;
    let dn = e
        .hand_off(&n.id, &hand("budi santoso", None, None))
        .unwrap();
    assert_eq!(dn.sale_price, Some(Money::idr(expect)));
    assert_eq!(
        e.suggest_sale_price("WhatsApp", cost)
            .unwrap()
            .unwrap()
            .sale,
        Money::idr(expect)
    );

    // Siti's number, the price typed by hand; then a cancelled one (refunded: owes nothing).
    let b = e.buy(s2_wa()).await.unwrap();
    e.hand_off(&b.id, &hand("Siti", None, Some(5_000))).unwrap();
    let m = e
        .buy(BuyRequest::OtpzapEmail {
            site: "openai.com".into(),
            domain: "gmail.com".into(),
        })
        .await
        .unwrap();
    e.hand_off(&m.id, &hand("Siti", Some("inbox"), Some(4_000)))
        .unwrap();
    e.cancel(&m.id).await.unwrap();

    assert_eq!(
        e.recent_customers(10).unwrap(),
        vec!["Siti".to_string(), "budi santoso".to_string()]
    );

    // Budi owes both sales; Siti owes only the number that was not refunded.
    let cs = e.customers(Some(16_000)).unwrap();
    assert_eq!(cs.len(), 2);
    let siti = &cs[0];
    assert_eq!(siti.name, "Siti");
    assert_eq!((siti.orders, siti.unpaid_orders), (2, 1));
    assert_eq!(siti.owed, vec![Money::idr(5_000)]);
    let b_cost = b.price.unwrap().minor;
    assert_eq!(siti.profit, vec![Money::idr(5_000 - b_cost)]);
    let budi = &cs[1];
    assert_eq!(budi.orders, 2);
    assert_eq!(budi.owed, vec![Money::idr(3_900 + expect)]);
    // Profit: 3900 - 2835, and the dollar order at the history's rate (rounded half up).
    let usd_at_rate = (cost.minor * 16_000 + 500_000) / 1_000_000;
    assert_eq!(
        budi.profit,
        vec![Money::idr(3_900 - 2_835 + expect - usd_at_rate)]
    );

    // Budi pays for the S1 number: he owes only the other one; not paid again: both.
    assert!(e.set_paid(&a.id, true).unwrap().paid);
    let owed = |name: &str| {
        e.customers(None)
            .unwrap()
            .into_iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .unwrap()
            .owed
    };
    assert_eq!(owed("budi santoso"), vec![Money::idr(expect)]);
    e.set_paid(&n.id, true).unwrap();
    assert_eq!(owed("budi santoso"), vec![]);
    e.set_paid(&n.id, false).unwrap();
    assert_eq!(owed("budi santoso"), vec![Money::idr(expect)]);

    // The customer's history: his orders only, with customer, note and paid.
    let h = e
        .history(&HistoryQuery {
            customer: Some("BUDI SANTOSO".into()),
            ..Default::default()
        })
        .unwrap();
    let rows = h.orders();
    assert_eq!(rows.len(), 2);
    assert_eq!(h.total_deposits, 0);
    let ra = rows.iter().find(|r| r.order.id == a.id).unwrap();
    assert!(ra.paid);
    assert_eq!(ra.note.as_deref(), Some("WA for his shop"));
    // Searching finds a note.
    let found = e
        .history(&HistoryQuery {
            search: Some("his shop".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.orders().len(), 1);

    // The export carries customer, note and paid at the end, old columns unchanged.
    let file = csv(&e.history(&export_query(&HistoryQuery::default())).unwrap());
    let mut lines = file.split("\r\n");
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], &["type", "id", "created_at"]);
    assert_eq!(&header[13..], &["profit", "customer", "note", "paid"]);
    let line_a: Vec<&str> = lines
        .find(|l| l.contains(&a.id))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(line_a.len(), 17);
    assert_eq!(line_a[11], "3900");
    assert_eq!(&line_a[14..], &["Budi Santoso", "WA for his shop", "yes"]);

    // The message: before the code the number message only; with the code both.
    let msg = e.customer_message(&a.id, TemplateLang::Id).unwrap();
    let phone = a.phone.clone().unwrap();
    assert!(
        msg.starts_with(&format!("Nomor WhatsApp kamu: {phone}")),
        "{msg}"
    );
    assert!(!msg.contains("Kodenya"), "{msg}");
    let code = sim
        .control
        .deliver_otp(a.remote_ref.as_deref().unwrap())
        .await
        .unwrap()
        .code;
    e.wait_for_otp(&a.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    let msg = e.customer_message(&a.id, TemplateLang::Id).unwrap();
    assert!(msg.ends_with(&format!("\nKodenya: {code}")), "{msg}");
    // An edited template, then back to the default.
    e.set_template(
        TemplateLang::En,
        TemplateKind::Code,
        Some("Code {otp} for {price} {oops}"),
    )
    .unwrap();
    let msg = e.customer_message(&a.id, TemplateLang::En).unwrap();
    assert!(
        msg.ends_with(&format!("\nCode {code} for Rp 3.900 {{oops}}")),
        "{msg}"
    );
    let ts = e
        .set_template(TemplateLang::En, TemplateKind::Code, None)
        .unwrap();
    assert!(ts.iter().all(|t| t.is_default));
    assert!(e
        .customer_message(&a.id, TemplateLang::En)
        .unwrap()
        .ends_with(&format!("\nYour code: {code}")));

    // A bad price list is refused and the saved one kept.
    let bad = PriceList {
        idr_per_usd: Some("sixteen".into()),
        ..list.clone()
    };
    assert!(e.set_price_list(&bad).is_err());
    assert_eq!(e.price_list().unwrap(), list);
    e.shutdown().await;

    // Everything is in the store: a new engine on the same folder sees it.
    let e = &engine(&sim, dir.path()).await;
    assert_eq!(e.customers(None).unwrap().len(), 2);
    assert_eq!(e.price_list().unwrap(), list);
    e.shutdown().await;
}
