//! The CSV export is the history screen: for every filter the screen has (type, status group,
//! provider, kind, status, search, dates, rate), the file written from the screen's query lists
//! the same items in the same order, and its columns add up to the screen's totals. Real engine,
//! real SQLite file, simulator over HTTP.

mod common;

use common::*;
use otpdesk_core::{Currency, Money, ProviderId};
use otpdesk_engine::*;
use std::collections::BTreeMap;
use std::time::Duration;

/// RFC 4180 fields of one line (quotes and doubled quotes).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}

type Sums = BTreeMap<&'static str, [i64; 5]>;

/// Totals as the screen shows them: spent, topped up, sold, sales, profit per currency.
fn screen_sums(p: &HistoryPage) -> Sums {
    p.totals
        .iter()
        .map(|t| {
            (
                t.currency.code(),
                [
                    t.spent_minor,
                    t.topped_up_minor,
                    t.sold,
                    t.sales_minor,
                    t.profit_minor,
                ],
            )
        })
        .filter(|(_, v)| v.iter().any(|x| *x != 0))
        .collect()
}

/// The same totals added up from the file's columns.
fn file_sums(lines: &[Vec<String>]) -> Sums {
    let cur = |code: &str| Currency::from_code(code).unwrap_or_else(|| panic!("currency {code}"));
    let minor = |c: Currency, text: &str| Money::parse(c, text).unwrap().minor;
    let mut s: Sums = BTreeMap::new();
    for f in lines {
        let deposit = f[0].starts_with("deposit_");
        if !f[9].is_empty() {
            let c = cur(&f[9]);
            let e = s.entry(c.code()).or_default();
            if deposit && f[6] == "paid" {
                e[1] += minor(c, &f[8]);
            }
            if !deposit && !f[10].is_empty() {
                e[0] += minor(c, &f[10]);
            }
        }
        let refunded = ["cancelled", "expired", "failed", "replaced"].contains(&f[6].as_str());
        if !deposit && !f[11].is_empty() && !refunded {
            let c = cur(&f[12]);
            let e = s.entry(c.code()).or_default();
            e[2] += 1;
            e[3] += minor(c, &f[11]);
            if !f[13].is_empty() {
                e[4] += minor(c, &f[13]);
            }
        }
    }
    s.retain(|_, v| v.iter().any(|x| *x != 0));
    s
}

/// The screen's read and the export's file for `q`: same ids in the same order, same totals.
/// Returns the ids shown.
fn same(engine: &Engine, label: &str, q: HistoryQuery) -> Vec<String> {
    let screen = engine
        .history(&HistoryQuery {
            limit: Some(5000),
            ..q.clone()
        })
        .unwrap();
    let file = csv(&engine.history(&export_query(&q)).unwrap());
    let mut lines = file.split("\r\n");
    assert_eq!(lines.next(), Some(CSV_HEADER), "{label}");
    let lines: Vec<Vec<String>> = lines.filter(|l| !l.is_empty()).map(fields).collect();
    for l in &lines {
        assert_eq!(l.len(), 17, "{label}: {l:?}");
    }
    let shown: Vec<String> = screen
        .items
        .iter()
        .map(|i| match (&i.order, &i.deposit) {
            (Some(r), _) => r.order.id.clone(),
            (_, Some(d)) => d.id.clone(),
            _ => panic!("{label}: an empty item"),
        })
        .collect();
    let written: Vec<String> = lines.iter().map(|l| l[1].clone()).collect();
    assert_eq!(written, shown, "{label}: rows");
    assert_eq!(
        lines.len() as i64,
        screen.total_orders + screen.total_deposits,
        "{label}: counts"
    );
    assert_eq!(file_sums(&lines), screen_sums(&screen), "{label}: totals");
    for w in screen.items.windows(2) {
        assert!(w[0].created_at >= w[1].created_at, "{label}: newest first");
    }
    for i in &screen.items {
        let expect = match (&i.order, &i.deposit) {
            (Some(r), _) => StatusGroup::of_order(&r.order.status),
            (_, Some(d)) => StatusGroup::of_deposit(&d.status),
            _ => unreachable!(),
        };
        assert_eq!(i.group, expect, "{label}");
        if let Some(g) = q.group {
            assert_eq!(i.group, g, "{label}: group filter");
        }
    }
    shown
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_is_the_screen_for_every_filter() {
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sim, dir.path()).await;
    let e = &engine;
    let mut rx = e.subscribe();
    let start = chrono::Utc::now() - chrono::Duration::seconds(1);

    // Completed S1 with a code, sold.
    let a = e.buy(S1).await.unwrap();
    let code = sim
        .control
        .deliver_otp(a.remote_ref.as_deref().unwrap())
        .await
        .unwrap()
        .code;
    e.wait_for_otp(&a.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    e.finish(&a.id).await.unwrap();
    e.set_sale_price(&a.id, Some(Money::idr(5_000))).unwrap();
    // A running S2 number, sold.
    let b = e.buy(s2_wa()).await.unwrap();
    e.set_sale_price(&b.id, Some(Money::idr(4_000))).unwrap();
    // A cancelled inbox with a sale price: refunded, so not counted as sold.
    let m = e
        .buy(BuyRequest::OtpzapEmail {
            site: "openai.com".into(),
            domain: "gmail.com".into(),
        })
        .await
        .unwrap();
    e.set_sale_price(&m.id, Some(Money::idr(9_999))).unwrap();
    e.cancel(&m.id).await.unwrap();
    // A NumberOTP number paid in dollars, sold in rupiah: its profit needs a rate.
    let n = e.buy(numberotp_wa()).await.unwrap();
    sim.control.deliver_otp(&n.remote_id).await.unwrap();
    e.wait_for_otp(&n.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    e.set_sale_price(&n.id, Some(Money::idr(9_000))).unwrap();
    // Deposits: paid, waiting, expired.
    let paid = e.topup_qris(50_000).await.unwrap();
    let waiting = e.topup_usdt("10").await.unwrap();
    let late = e.topup_qris(20_000).await.unwrap();
    sim.control.pay_deposit(&paid.remote_id).await.unwrap();
    sim.control.expire_deposit(&late.remote_id).await.unwrap();
    let mut closed = 0;
    while closed < 2 {
        next_event(&mut rx, 10, |ev| {
            matches!(
                ev,
                EngineEvent::DepositPaid { .. } | EngineEvent::DepositExpired { .. }
            )
        })
        .await;
        closed += 1;
    }

    let q = HistoryQuery::default;
    let all = same(e, "everything", q());
    assert_eq!(all.len(), 7);
    let sorted = {
        let mut v = all.clone();
        v.sort();
        v
    };
    let mut expect = vec![
        a.id.clone(),
        b.id.clone(),
        m.id.clone(),
        n.id.clone(),
        paid.id.clone(),
        waiting.id.clone(),
        late.id.clone(),
    ];
    expect.sort();
    assert_eq!(sorted, expect);

    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let entry = |t| HistoryQuery {
        entry: Some(t),
        ..q()
    };
    let group = |g| HistoryQuery {
        group: Some(g),
        ..q()
    };
    let provider = |p| HistoryQuery {
        provider: Some(p),
        ..q()
    };
    let mut got = same(e, "orders", entry(EntryType::Order));
    got.sort();
    let mut want = ids(&[&a.id, &b.id, &m.id, &n.id]);
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        same(e, "deposits", entry(EntryType::Deposit)),
        ids(&[&late.id, &waiting.id, &paid.id])
    );
    assert_eq!(same(e, "done", group(StatusGroup::Done)), ids(&[&a.id]));
    assert_eq!(
        same(e, "refunded", group(StatusGroup::Refunded)),
        ids(&[&m.id])
    );
    assert_eq!(same(e, "paid", group(StatusGroup::Paid)), ids(&[&paid.id]));
    assert_eq!(
        same(e, "unpaid", group(StatusGroup::Unpaid)),
        ids(&[&late.id])
    );
    let mut active = same(e, "active", group(StatusGroup::Active));
    active.sort();
    let mut want = ids(&[&waiting.id, &n.id, &b.id]);
    want.sort();
    assert_eq!(active, want);
    assert_eq!(
        same(e, "NumberOTP", provider(ProviderId::Numberotp)),
        ids(&[&n.id])
    );
    assert_eq!(
        same(e, "OOPPay", provider(ProviderId::Ooppay)),
        ids(&[&waiting.id])
    );
    assert_eq!(same(e, "OTPZap", provider(ProviderId::Otpzap)).len(), 5);
    let kind = |k| HistoryQuery {
        kind: Some(k),
        ..q()
    };
    assert_eq!(same(e, "email", kind(OrderKind::Email)), ids(&[&m.id]));
    assert_eq!(same(e, "sms", kind(OrderKind::Sms)).len(), 3);
    let status = |s: &str| HistoryQuery {
        status: Some(s.into()),
        ..q()
    };
    assert_eq!(
        same(e, "status completed", status("completed")),
        ids(&[&a.id])
    );
    assert_eq!(same(e, "status paid", status("paid")), ids(&[&paid.id]));
    let search = |s: &str| HistoryQuery {
        search: Some(s.into()),
        ..q()
    };
    assert_eq!(same(e, "search code", search(&code)), ids(&[&a.id]));
    assert_eq!(
        same(e, "search qris", search("qris")),
        ids(&[&late.id, &paid.id])
    );
    assert_eq!(
        same(e, "search nothing", search("no such thing")),
        Vec::<String>::new()
    );
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let span = |from, to| HistoryQuery { from, to, ..q() };
    assert_eq!(
        same(e, "dates around", span(Some(start), Some(later))).len(),
        7
    );
    assert!(same(e, "dates after", span(Some(later), None)).is_empty());
    assert!(same(e, "dates before", span(None, Some(start))).is_empty());
    // The rate turns the dollar cost into rupiah: the NumberOTP sale then has a profit.
    let plain = e.history(&q()).unwrap();
    let rated_q = HistoryQuery {
        idr_per_usd: Some(16_000),
        ..q()
    };
    let rated = e.history(&rated_q).unwrap();
    same(e, "rate", rated_q.clone());
    let idr = |p: &HistoryPage| {
        p.totals
            .iter()
            .find(|t| t.currency == Currency::Idr)
            .cloned()
            .unwrap()
    };
    let n_cost = plain
        .orders()
        .into_iter()
        .find(|r| r.order.id == n.id)
        .unwrap()
        .cost_minor;
    let n_cost_idr = (n_cost * 16_000 + 500_000) / 1_000_000;
    assert_eq!(idr(&plain).sold, 3, "the refunded inbox is not sold");
    assert_eq!(idr(&plain).sales_minor, 5_000 + 4_000 + 9_000);
    assert_eq!(
        idr(&rated).profit_minor - idr(&plain).profit_minor,
        9_000 - n_cost_idr
    );
    assert_eq!(idr(&plain).topped_up_minor, 50_000);
    // Combinations, and paging keeps the screen's order.
    same(
        e,
        "otpzap active orders",
        HistoryQuery {
            provider: Some(ProviderId::Otpzap),
            group: Some(StatusGroup::Active),
            entry: Some(EntryType::Order),
            search: Some("a".into()),
            ..q()
        },
    );
    let page2 = e
        .history(&HistoryQuery {
            limit: Some(3),
            offset: Some(3),
            ..q()
        })
        .unwrap();
    let page2: Vec<String> = page2
        .items
        .iter()
        .map(|i| {
            i.order
                .as_ref()
                .map(|r| r.order.id.clone())
                .or(i.deposit.as_ref().map(|d| d.id.clone()))
                .unwrap()
        })
        .collect();
    assert_eq!(page2, all[3..6]);
    engine.shutdown().await;
}
