//! The history's totals, profit, search and jumps read columns kept by migration 11's
//! triggers (order cost, search text): they must give what the ledger and the orders' own
//! columns give, through refunds (provider's and an action's, re-reported), late codes, a
//! price learnt after the order, a dollar cost against a rupiah sale, and a cost in two
//! currencies.
use super::totals::{cost_expr, cost_in};
use super::*;
use crate::db::params;
use crate::remote::{RemoteOrder, RemoteOtp};
use crate::store::NewOrder;
use crate::store::{ms, Store};
use crate::OrderKind;
use chrono::{Duration, TimeZone, Utc};
use otpdesk_core::ProviderId;
use otpdesk_core::{Currency, Money, OrderStatus};

pub(super) fn otp(code: &str) -> RemoteOtp {
    RemoteOtp {
        code: Some(code.into()),
        text: Some(format!("Your code is {code}")),
        sender: None,
        service: None,
        received_at: None,
    }
}

fn buy(store: &Store, r: &RemoteOrder, at: Time) -> String {
    let new = NewOrder {
        provider: ProviderId::Otpzap,
        kind: if r.email.is_some() {
            OrderKind::Email
        } else {
            OrderKind::Sms
        },
        attempt_id: None,
        request: None,
        cancel_unlocks_at: None,
        remote: r,
    };
    store.insert_order(&new, at).unwrap().0
}

/// Every order's cost from the ledger alone (what the history computed before migration 11).
fn ledger_costs(store: &Store) -> Vec<(String, i64, i64, i64)> {
    let c = store.conn();
    let mut st = c
        .prepare(
            "SELECT id, \
             (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency), \
             (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.sale_currency), \
             (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency <> orders.sale_currency) \
             FROM orders ORDER BY id",
        )
        .unwrap();
    let rows = st
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn column_costs(store: &Store) -> Vec<(String, i64, i64, i64)> {
    let c = store.conn();
    let sql = format!(
        "SELECT id, {}, {}, {} FROM orders ORDER BY id",
        cost_in("currency"),
        cost_in("sale_currency"),
        cost_expr("sale_currency", true)
    );
    let mut st = c.prepare(&sql).unwrap();
    let rows = st
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn found(store: &Store, needle: &str) -> Vec<String> {
    let page = store
        .history(&HistoryQuery {
            search: Some(needle.into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total_orders as usize, page.items.len(), "{needle}");
    let mut ids: Vec<String> = page
        .items
        .iter()
        .filter_map(|i| i.order.as_ref().map(|o| o.order.id.clone()))
        .collect();
    ids.sort();
    ids
}

#[test]
fn totals_profit_and_search_match_the_ledger_and_the_orders_after_refunds_and_late_codes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 5, 19, 3, 0, 0).unwrap();
    let at = |m: i64| t + Duration::minutes(m);

    // A: Rp 3,000, a code, sold for Rp 5,000.
    let mut ra = RemoteOrder::new("ra", OrderStatus::Pending);
    ra.price = Some(Money::idr(3_000));
    ra.service = Some("WhatsApp".into());
    ra.phone = Some("6281234567890".into());
    let a = buy(&store, &ra, at(0));
    ra.status = OrderStatus::Completed;
    ra.otps = vec![otp("481516")];
    store.apply_remote(&a, &ra, at(1)).unwrap();
    store.set_sale_price(&a, Some(Money::idr(5_000))).unwrap();

    // B: Rp 2,500, expired and refunded by the provider, then a late code; sold (not counted).
    let mut rb = RemoteOrder::new("rb", OrderStatus::Pending);
    rb.price = Some(Money::idr(2_500));
    rb.service = Some("Telegram".into());
    rb.phone = Some("6289900011122".into());
    let b = buy(&store, &rb, at(2));
    rb.status = OrderStatus::Expired;
    store.apply_remote(&b, &rb, at(3)).unwrap();
    rb.otps = vec![otp("999111")];
    store.apply_remote(&b, &rb, at(4)).unwrap();
    store.set_sale_price(&b, Some(Money::idr(4_000))).unwrap();

    // C: Rp 2,000, cancelled with a fee (Rp 1,500 back), then the refund re-reported (Rp 1,800).
    let mut rc = RemoteOrder::new("rc", OrderStatus::Pending);
    rc.price = Some(Money::idr(2_000));
    rc.service = Some("Shopee".into());
    let c = buy(&store, &rc, at(5));
    store
        .close_order(
            &c,
            OrderStatus::Cancelled,
            Some(Money::idr(1_500)),
            None,
            at(6),
        )
        .unwrap();
    store
        .close_order(
            &c,
            OrderStatus::Cancelled,
            Some(Money::idr(1_800)),
            None,
            at(7),
        )
        .unwrap();

    // D: $0.25 (6 decimals), sold for Rp 6,000: profit only with a rate.
    let mut rd = RemoteOrder::new("rd", OrderStatus::Completed);
    rd.price = Some(Money::new(Currency::Usd, 250_000));
    rd.service = Some("Google".into());
    rd.otps = vec![otp("G-777")];
    let d = buy(&store, &rd, at(8));
    store.set_sale_price(&d, Some(Money::idr(6_000))).unwrap();

    // E: an email order whose price comes with the first check (currency set afterwards).
    let mut re = RemoteOrder::new("re", OrderStatus::Pending);
    re.email = Some("box_one@mail.example".into());
    re.service = Some("Discord".into());
    let e = buy(&store, &re, at(9));
    re.price = Some(Money::idr(1_000));
    re.status = OrderStatus::Completed;
    store.apply_remote(&e, &re, at(10)).unwrap();
    store.set_sale_price(&e, Some(Money::idr(1_500))).unwrap();

    // F: Rp 2,000 plus a dollar fee booked on the same order: cost in two currencies.
    let mut rf = RemoteOrder::new("rf", OrderStatus::Completed);
    rf.price = Some(Money::idr(2_000));
    rf.service = Some("Gojek".into());
    let f = buy(&store, &rf, at(11));
    store
        .conn()
        .execute(
            "INSERT INTO ledger (provider, kind, amount_minor, currency, order_id, note, at) \
             VALUES ('otpzap', 'fee', -10000, 'USD', ?1, 'fee', ?2)",
            params![f, ms(at(12))],
        )
        .unwrap();
    store.set_sale_price(&f, Some(Money::idr(2_500))).unwrap();

    store
        .set_desk(
            &a,
            Some("Budi Santoso"),
            Some("paid by transfer 100%"),
            at(13),
        )
        .unwrap();
    store
        .set_desk(&c, Some("Siti"), Some("wants_refund"), at(13))
        .unwrap();

    // The kept column gives, order by order, what the ledger gives.
    assert_eq!(column_costs(&store), ledger_costs(&store));
    let cost = |id: &str| {
        let c = store.conn();
        c.query_row(
            "SELECT cost_minor, cost_mixed FROM orders WHERE id = ?1",
            [id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )
        .unwrap()
    };
    assert_eq!(cost(&a), (3_000, 0));
    assert_eq!(cost(&b), (0, 0));
    assert_eq!(cost(&c), (200, 0));
    assert_eq!(cost(&d), (250_000, 0));
    assert_eq!(cost(&e), (1_000, 0));
    assert_eq!(cost(&f), (2_000, 1));

    // Totals by hand. Spent in rupiah: A 3,000 + B 0 + C 200 + E 1,000 + F 2,000; in
    // dollars: D 0.25 (F's dollar fee is not in F's currency, as before). Sold (not
    // refunded): A, D, E, F in rupiah. Profit without a rate: A 2,000 + E 500 (D and F
    // have a dollar cost); at Rp 16,000/$: D 6,000 - 4,000 = 2,000, F 2,500 - 2,000 - 160.
    let totals = |rate: Option<u32>| {
        let page = store
            .history(&HistoryQuery {
                idr_per_usd: rate,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.total_orders, 6);
        page.totals
    };
    let no_rate = totals(None);
    let idr = no_rate
        .iter()
        .find(|t| t.currency == Currency::Idr)
        .unwrap();
    let usd = no_rate
        .iter()
        .find(|t| t.currency == Currency::Usd)
        .unwrap();
    assert_eq!(idr.spent_minor, 3_000 + 200 + 1_000 + 2_000);
    assert_eq!(usd.spent_minor, 250_000);
    assert_eq!(idr.sold, 4);
    assert_eq!(idr.sales_minor, 5_000 + 6_000 + 1_500 + 2_500);
    assert_eq!(idr.profit_minor, 2_000 + 500);
    let rated = totals(Some(16_000));
    let idr = rated.iter().find(|t| t.currency == Currency::Idr).unwrap();
    assert_eq!(
        idr.profit_minor,
        2_000 + 500 + 2_000 + (2_500 - 2_000 - 160)
    );
    let page = store
        .history(&HistoryQuery {
            idr_per_usd: Some(16_000),
            ..Default::default()
        })
        .unwrap();
    let row = |id: &str| {
        page.items
            .iter()
            .filter_map(|i| i.order.as_ref())
            .find(|o| o.order.id == id)
            .map(|o| (o.cost_minor, o.profit_minor))
            .unwrap()
    };
    assert_eq!(row(&c).0, 200);
    assert_eq!(row(&b).1, None);
    assert_eq!(row(&d).1, Some(2_000));
    assert_eq!(row(&f), (2_000, Some(340)));
    let report = store.profit(&ProfitQuery::default()).unwrap();
    let all: i64 = report.by_service.iter().map(|r| r.cost_minor).sum();
    // Cost in the sale currency: A 3,000 + B 0 + E 1,000 + F 2,000 (D's is in dollars).
    assert_eq!(all, 3_000 + 1_000 + 2_000);

    // A price change after the fact (the currency too) re-reads the ledger.
    store
        .conn()
        .execute("UPDATE orders SET currency = 'USD' WHERE id = ?1", [&a])
        .unwrap();
    assert_eq!(cost(&a), (0, 1));
    assert_eq!(column_costs(&store), ledger_costs(&store));
    store
        .conn()
        .execute("UPDATE orders SET currency = 'IDR' WHERE id = ?1", [&a])
        .unwrap();
    assert_eq!(cost(&a), (3_000, 0));

    // Search: each field, the codes (a late one too), customer and note, ASCII case
    // insensitive, % and _ literal, nothing across two fields.
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(found(&store, "481516"), vec![a.clone()]);
    assert_eq!(found(&store, "99911"), vec![b.clone()]);
    assert_eq!(found(&store, "g-77"), vec![d.clone()]);
    assert_eq!(found(&store, "whatsAPP"), vec![a.clone()]);
    assert_eq!(found(&store, "899000"), vec![b.clone()]);
    assert_eq!(found(&store, "BOX_ONE"), vec![e.clone()]);
    assert_eq!(found(&store, "budi"), vec![a.clone()]);
    assert_eq!(found(&store, "100%"), vec![a.clone()]);
    assert_eq!(found(&store, "1_1"), Vec::<String>::new());
    assert_eq!(found(&store, "s_refund"), vec![c.clone()]);
    assert_eq!(found(&store, "rb"), vec![b.clone()]);
    assert_eq!(found(&store, "pp628"), Vec::<String>::new());
    assert_eq!(found(&store, "App\u{1f}628"), Vec::<String>::new());
    assert_eq!(found(&store, "no-such-thing"), Vec::<String>::new());
    assert_eq!(
        found(&store, "o"),
        sorted(vec![a.clone(), d.clone(), e.clone(), f.clone(), c.clone()])
    );
    // A changed note and customer are found by their new text only.
    store
        .set_desk(&a, Some("Andi"), Some("lunas"), at(14))
        .unwrap();
    assert_eq!(found(&store, "budi"), Vec::<String>::new());
    assert_eq!(found(&store, "LUNAS"), vec![a.clone()]);
    // The same rows as the per-field search it replaces, for every needle above.
    for needle in ["481516", "9", "a", "App", "_", "%", "s_refund", "box", "6"] {
        let mut old = Filter::default();
        let s = like(needle);
        old.push(
            "(service LIKE ?# ESCAPE '\\' OR phone LIKE ?# ESCAPE '\\' OR email LIKE ?# ESCAPE '\\' \
             OR remote_id LIKE ?# ESCAPE '\\' OR remote_ref LIKE ?# ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM otps t WHERE t.order_id = orders.id AND t.code LIKE ?# ESCAPE '\\') \
             OR EXISTS (SELECT 1 FROM order_desk d WHERE d.order_id = orders.id \
                        AND (d.customer LIKE ?# ESCAPE '\\' OR d.note LIKE ?# ESCAPE '\\')))",
            s,
        );
        let want: Vec<String> = {
            let c = store.conn();
            let mut st = c
                .prepare(&format!(
                    "SELECT id FROM orders WHERE {} ORDER BY id",
                    old.sql
                ))
                .unwrap();
            let rows = st.query_map(old.params(), |r| r.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        assert_eq!(found(&store, needle), want, "{needle}");
    }
}

#[test]
fn jumps_from_either_end_land_on_the_rows_of_the_full_list_with_deposits_between() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 5, 19, 3, 0, 0).unwrap();
    for i in 0..23i64 {
        let mut r = RemoteOrder::new(format!("r{i}"), OrderStatus::Completed);
        r.price = Some(Money::idr(1_000));
        // Pairs of orders per instant.
        buy(&store, &r, t + Duration::seconds(i / 2));
    }
    // Deposits at instants of orders (ties: orders first) and between them.
    for i in 0..7i64 {
        let at = ms(t + Duration::milliseconds(i * 1_700));
        store
            .conn()
            .execute(
                "INSERT INTO deposits (id, provider, kind, remote_id, amount_minor, currency, status, created_at, updated_at) \
                 VALUES (?1, 'otpzap', 'qris', ?1, 10000, 'IDR', 'paid', ?2, ?2)",
                params![format!("d{i}"), at],
            )
            .unwrap();
    }
    let key = |i: &HistoryItem| match &i.order {
        Some(o) => o.order.id.clone(),
        None => i.deposit.as_ref().unwrap().id.clone(),
    };
    for q in [
        HistoryQuery::default(),
        HistoryQuery {
            entry: Some(EntryType::Order),
            ..Default::default()
        },
        HistoryQuery {
            entry: Some(EntryType::Deposit),
            ..Default::default()
        },
        HistoryQuery {
            search: Some("r1".into()),
            ..Default::default()
        },
    ] {
        let all: Vec<String> = store
            .history(&HistoryQuery {
                limit: Some(1000),
                ..q.clone()
            })
            .unwrap()
            .items
            .iter()
            .map(key)
            .collect();
        for at in 0..all.len() + 2 {
            let page = store
                .history(&HistoryQuery {
                    offset: Some(at as u32),
                    limit: Some(3),
                    skip_totals: true,
                    ..q.clone()
                })
                .unwrap();
            let got: Vec<String> = page.items.iter().map(key).collect();
            let want: Vec<String> = all.iter().skip(at).take(3).cloned().collect();
            assert_eq!(got, want, "offset {at} of {}", all.len());
        }
    }
}
