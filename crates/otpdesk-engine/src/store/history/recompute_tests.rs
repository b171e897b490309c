//! The history's totals and search (migration 13's kept sums and trigram index) against a
//! straightforward recomputation: a varied store bought through the store's own paths, every
//! filter of the screen with and without a dollar rate, after changes of every kind, and after
//! the migration's backfill of a store that already held the orders.
use super::tests::otp;
use super::totals::totals_for;
use super::*;
use crate::db::params;
use crate::remote::RemoteOrder;
use crate::store::NewOrder;
use crate::store::{ms, Store};
use crate::OrderKind;
use chrono::{Duration, TimeZone, Utc};
use otpdesk_core::ProviderId;
use otpdesk_core::{Currency, Money, OrderStatus};
use std::collections::BTreeMap;

/// Totals as a straightforward recomputation gives them: every order listed (cost and profit
/// per row), filtered in Rust, summed per currency.
fn by_hand(rows: &[HistoryRow], q: &HistoryQuery) -> (Vec<String>, i64, Vec<CurrencyTotals>) {
    let has = |hay: Option<&str>, needle: &str| {
        hay.is_some_and(|h| {
            h.to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase())
        })
    };
    let refunded = |s: &OrderStatus| {
        matches!(
            s,
            OrderStatus::Cancelled
                | OrderStatus::Expired
                | OrderStatus::Failed
                | OrderStatus::Replaced
        )
    };
    let mut ids = Vec::new();
    let mut m: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
    let mut n = 0;
    for r in rows {
        let o = &r.order;
        let ok = q.entry != Some(EntryType::Deposit)
            && q.provider.is_none_or(|p| p == o.provider)
            && q.kind.is_none_or(|k| k == o.kind)
            && q.status
                .as_deref()
                .is_none_or(|s| OrderStatus::from_provider(s) == o.status)
            && q.from.is_none_or(|t| o.created_at >= t)
            && q.to.is_none_or(|t| o.created_at < t)
            && match q.group {
                None => true,
                Some(StatusGroup::Active) => !o.status.is_final(),
                Some(StatusGroup::Done) => o.status == OrderStatus::Completed,
                Some(StatusGroup::Refunded) => refunded(&o.status),
                Some(_) => false,
            }
            && crate::model::clean_customer(q.customer.as_deref()).is_none_or(|c| {
                r.customer
                    .as_deref()
                    .is_some_and(|rc| rc.eq_ignore_ascii_case(&c))
            })
            && q.search
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .is_none_or(|s| {
                    has(Some(&o.service), s)
                        || has(o.phone.as_deref(), s)
                        || has(o.email.as_deref(), s)
                        || has(Some(&o.remote_id), s)
                        || has(o.remote_ref.as_deref(), s)
                        || o.otps.iter().any(|t| has(t.code.as_deref(), s))
                        || has(r.customer.as_deref(), s)
                        || has(r.note.as_deref(), s)
                });
        if !ok {
            continue;
        }
        ids.push(o.id.clone());
        n += 1;
        if let Some(p) = o.price {
            totals_for(&mut m, p.currency.code()).spent_minor += r.cost_minor;
        }
        if let (Some(sale), false) = (r.sale_price, refunded(&o.status)) {
            let t = totals_for(&mut m, sale.currency.code());
            t.sold += 1;
            t.sales_minor += sale.minor;
            t.profit_minor += r.profit_minor.unwrap_or(0);
        }
    }
    ids.sort();
    (ids, n, m.into_values().collect())
}

/// Every filter the screen has (alone and together, dates on and off day boundaries, searches
/// matching many, a few or no orders, short and long) with and without a dollar rate: the
/// history's totals and rows equal [`by_hand`], and the SQL over the orders themselves.
fn check_every_filter(store: &Store, base: Time, label: &str) {
    let h = Duration::hours(1);
    let d = Duration::days(1);
    let day_start = |t: Time| {
        chrono::DateTime::from_timestamp_millis(ms(t) - ms(t).rem_euclid(86_400_000)).unwrap()
    };
    let mut queries: Vec<HistoryQuery> = vec![
        HistoryQuery::default(),
        HistoryQuery {
            provider: Some(ProviderId::Numberotp),
            ..Default::default()
        },
        HistoryQuery {
            provider: Some(ProviderId::Otpzap),
            group: Some(StatusGroup::Done),
            ..Default::default()
        },
        HistoryQuery {
            group: Some(StatusGroup::Active),
            ..Default::default()
        },
        HistoryQuery {
            group: Some(StatusGroup::Refunded),
            ..Default::default()
        },
        HistoryQuery {
            group: Some(StatusGroup::Paid),
            ..Default::default()
        },
        HistoryQuery {
            status: Some("expired".into()),
            ..Default::default()
        },
        HistoryQuery {
            kind: Some(OrderKind::Email),
            ..Default::default()
        },
        HistoryQuery {
            entry: Some(EntryType::Order),
            ..Default::default()
        },
        HistoryQuery {
            entry: Some(EntryType::Deposit),
            ..Default::default()
        },
        HistoryQuery {
            customer: Some(" siti ".into()),
            ..Default::default()
        },
        HistoryQuery {
            from: Some(base + d * 3 + h * 5),
            ..Default::default()
        },
        HistoryQuery {
            to: Some(base + d * 9 + h * 17),
            ..Default::default()
        },
        HistoryQuery {
            from: Some(base + d * 2 + h * 7),
            to: Some(base + d * 11 + h * 2),
            ..Default::default()
        },
        HistoryQuery {
            from: Some(day_start(base + d * 4)),
            to: Some(day_start(base + d * 12)),
            provider: Some(ProviderId::Otpzap),
            ..Default::default()
        },
        HistoryQuery {
            from: Some(base + d * 5 + h * 2),
            to: Some(base + d * 5 + h * 20),
            ..Default::default()
        },
        HistoryQuery {
            from: Some(base + d * 6 + h * 20),
            to: Some(base + d * 7 + h * 3),
            group: Some(StatusGroup::Done),
            ..Default::default()
        },
    ];
    for needle in [
        "wulandari",
        "628",
        "12",
        "zz",
        "no-such-thing",
        "BUDI",
        "telegram",
        "box",
        "%",
        "_",
        "7",
        "note 1",
        "OK",
        "0%",
        "y\u{1f}6",
    ] {
        queries.push(HistoryQuery {
            search: Some(needle.into()),
            ..Default::default()
        });
        queries.push(HistoryQuery {
            search: Some(needle.into()),
            provider: Some(ProviderId::Otpzap),
            from: Some(base + d * 2 + h * 7),
            group: Some(StatusGroup::Done),
            ..Default::default()
        });
    }
    for rate in [None, Some(16_000), Some(15_555)] {
        let all: Vec<HistoryRow> = store
            .history(&HistoryQuery {
                entry: Some(EntryType::Order),
                limit: Some(10_000),
                idr_per_usd: rate,
                ..Default::default()
            })
            .unwrap()
            .items
            .into_iter()
            .filter_map(|i| i.order)
            .collect();
        for q in &queries {
            let q = HistoryQuery {
                idr_per_usd: rate,
                limit: Some(10_000),
                ..q.clone()
            };
            let page = store.history(&q).unwrap();
            let (ids, n, totals) = by_hand(&all, &q);
            let mut got: Vec<String> = page
                .items
                .iter()
                .filter_map(|i| i.order.as_ref().map(|o| o.order.id.clone()))
                .collect();
            got.sort();
            assert_eq!(got, ids, "{label}: rows of {q:?}");
            assert_eq!(page.total_orders, n, "{label}: count of {q:?}");
            assert_eq!(page.totals, totals, "{label}: totals of {q:?}");
            // The same sums straight over the orders (what every total was before migration 13).
            let c = store.conn();
            let plan = super::search::plan(&c, &q).unwrap();
            let mut live = BTreeMap::new();
            let live_n =
                match super::filter::order_filter(&q, plan.as_ref(), super::search::Purpose::Count)
                {
                    Some(f) => {
                        super::totals::order_totals(&c, &f, &profit_sql(rate), &mut live).unwrap()
                    }
                    None => 0,
                };
            assert_eq!(live_n, n, "{label}: live count of {q:?}");
            assert_eq!(
                live.into_values().collect::<Vec<_>>(),
                totals,
                "{label}: live totals of {q:?}"
            );
        }
    }
}

/// A store of varied orders through the store's own paths: two providers, rupiah and dollar
/// prices, one learnt after the order and one never, SMS and email, open, completed, cancelled
/// with a fee, expired, replaced, sale prices (some on refunded orders, one in dollars), costs
/// in two currencies, late codes, customers and notes, over three weeks at uneven hours.
fn varied_store(store: &Store, base: Time) -> Vec<String> {
    let services = ["WhatsApp", "Telegram", "Shopee"];
    let customers = ["Budi Santoso", "Siti", "Rina Wulandari"];
    let mut ids = Vec::new();
    for i in 0..64i64 {
        let at = base + Duration::minutes(i * 487 + (i % 5) * 13);
        let provider = if i % 3 == 0 {
            ProviderId::Numberotp
        } else {
            ProviderId::Otpzap
        };
        let mut r = RemoteOrder::new(format!("r{i}"), OrderStatus::Pending);
        r.service = Some(services[(i % 3) as usize].into());
        r.price = match (provider, i % 13) {
            (_, 0) => None,
            (ProviderId::Numberotp, _) => {
                Some(Money::new(Currency::Usd, 250_000 + 50_000 * (i / 3 % 2)))
            }
            _ => Some(Money::idr(1_000 + 100 * (i % 7))),
        };
        if i % 11 == 0 {
            r.email = Some(format!("box{i}@mail.example"));
        } else {
            r.phone = Some(format!("62812{:07}", i * 7_919 % 10_000_000));
        }
        let new = NewOrder {
            provider,
            kind: if r.email.is_some() {
                OrderKind::Email
            } else {
                OrderKind::Sms
            },
            attempt_id: None,
            request: None,
            cancel_unlocks_at: None,
            remote: &r,
        };
        let id = store.insert_order(&new, at).unwrap().0;
        if i % 26 == 0 {
            // The price comes with the first check.
            r.price = Some(Money::idr(1_700));
            store.apply_remote(&id, &r, at).unwrap();
        }
        match i % 5 {
            1 | 2 => {
                r.status = OrderStatus::Completed;
                r.otps = vec![otp(&format!("{:06}", i * 104_729 % 1_000_000))];
                store
                    .apply_remote(&id, &r, at + Duration::minutes(2))
                    .unwrap();
            }
            3 => {
                let fee = r.price.map(|p| Money::new(p.currency, p.minor * 3 / 4));
                store
                    .close_order(
                        &id,
                        OrderStatus::Cancelled,
                        fee,
                        None,
                        at + Duration::minutes(3),
                    )
                    .unwrap();
                if i % 4 == 1 {
                    r.status = OrderStatus::Cancelled;
                    r.otps = vec![otp("777001")];
                    store
                        .apply_remote(&id, &r, at + Duration::minutes(4))
                        .unwrap();
                }
            }
            4 => {
                r.status = OrderStatus::Expired;
                store
                    .apply_remote(&id, &r, at + Duration::minutes(20))
                    .unwrap();
            }
            0 if i % 4 == 1 => {
                store
                    .close_order(
                        &id,
                        OrderStatus::Replaced,
                        r.price,
                        None,
                        at + Duration::minutes(5),
                    )
                    .unwrap();
            }
            _ => {}
        }
        if i % 3 != 2 {
            let sale = if i % 17 == 0 {
                Money::new(Currency::Usd, 400_000)
            } else {
                Money::idr(5_000 + 10 * i)
            };
            store.set_sale_price(&id, Some(sale)).unwrap();
        }
        if i % 19 == 0 {
            // A dollar fee on a rupiah order: its cost is in two currencies.
            let cur = if provider == ProviderId::Numberotp {
                "IDR"
            } else {
                "USD"
            };
            store
                .conn()
                .execute(
                    "INSERT INTO ledger (provider, kind, amount_minor, currency, order_id, note, at) \
                     VALUES (?1, 'fee', -700, ?2, ?3, 'fee', ?4)",
                    params![provider.as_str(), cur, id, ms(at)],
                )
                .unwrap();
        }
        if i % 4 == 0 {
            let note = format!("note {i}");
            store
                .set_desk(&id, Some(customers[(i / 4 % 3) as usize]), Some(&note), at)
                .unwrap();
        }
        ids.push(id);
    }
    ids
}

#[test]
fn totals_and_search_equal_a_recomputation_by_hand_for_every_filter_after_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let base = Utc.with_ymd_and_hms(2026, 4, 2, 9, 17, 0).unwrap();
    let ids = varied_store(&store, base);
    check_every_filter(&store, base, "as bought");

    // Changes after the fact: a sale price set, changed and cleared, an open order completed
    // and another cancelled, a price's currency changed, a ledger row removed, a customer
    // renamed, a note cleared, and one order deleted with its codes and desk.
    store
        .set_sale_price(&ids[5], Some(Money::idr(9_900)))
        .unwrap();
    store.set_sale_price(&ids[1], Some(Money::idr(1))).unwrap();
    store.set_sale_price(&ids[4], None).unwrap();
    let mut r = RemoteOrder::new("r6", OrderStatus::Completed);
    r.otps = vec![otp("123123")];
    store
        .apply_remote(&ids[6], &r, base + Duration::days(30))
        .unwrap();
    store
        .close_order(
            &ids[12],
            OrderStatus::Cancelled,
            None,
            None,
            base + Duration::days(30),
        )
        .unwrap();
    {
        let c = store.conn();
        c.execute(
            "UPDATE orders SET currency = 'USD' WHERE id = ?1",
            [&ids[7]],
        )
        .unwrap();
        c.execute(
            "DELETE FROM ledger WHERE order_id = ?1 AND kind = 'refund'",
            [&ids[10]],
        )
        .unwrap();
        for table in ["otps", "order_desk"] {
            c.execute(
                &format!("DELETE FROM {table} WHERE order_id = ?1"),
                [&ids[8]],
            )
            .unwrap();
        }
        c.execute("DELETE FROM orders WHERE id = ?1", [&ids[8]])
            .unwrap();
    }
    store
        .set_desk(&ids[0], Some("Budi Baru"), None, base + Duration::days(30))
        .unwrap();
    store
        .set_desk(
            &ids[20],
            Some("Siti"),
            Some("lunas 100%"),
            base + Duration::days(30),
        )
        .unwrap();
    // Two letters found only at the very end of a note (no trigram starts with them).
    store
        .set_desk(
            &ids[21],
            Some("Andi"),
            Some("minta cepat ok"),
            base + Duration::days(30),
        )
        .unwrap();
    check_every_filter(&store, base, "after changes");
    // The kept rows are what the orders give, row for row, once the ones at zero are left out.
    let c = store.conn();
    type KeptRow = (i64, String, String, String, i64, i64, i64, i64, i64);
    let kept = |sql: &str| -> Vec<KeptRow> {
        let mut st = c.prepare(sql).unwrap();
        let rows = st
            .query_map((), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let fts: i64 = c
        .query_row("SELECT COUNT(*) FROM order_fts", (), |r| r.get(0))
        .unwrap();
    let orders: i64 = c
        .query_row("SELECT COUNT(*) FROM orders", (), |r| r.get(0))
        .unwrap();
    assert_eq!(fts, orders, "one indexed text per order");
    let stale: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM order_fts f JOIN orders o ON o.rowid = f.rowid \
             JOIN order_search s ON s.order_id = o.id WHERE s.text IS NOT f.text",
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stale, 0);
    let sums = "SELECT day, provider, status, currency, converted, SUM(orders), SUM(spent_minor), \
                SUM(sold), SUM(sales_minor) FROM order_totals GROUP BY 1, 2, 3, 4, 5 \
                HAVING SUM(orders) <> 0 ORDER BY 1, 2, 3, 4, 5";
    let want = "SELECT created_at / 86400000, provider, status, COALESCE(currency, ''), \
                (sale_minor IS NOT NULL AND status NOT IN ('cancelled', 'expired', 'failed', 'replaced') \
                 AND cost_mixed = 0 AND (sale_currency <> currency) IS 1 AND cost_minor <> 0), \
                COUNT(*), SUM(CASE WHEN currency IS NULL THEN 0 ELSE cost_minor END), \
                SUM(sale_minor IS NOT NULL AND status NOT IN ('cancelled', 'expired', 'failed', 'replaced') AND cost_mixed = 0), \
                SUM(CASE WHEN sale_minor IS NOT NULL AND status NOT IN ('cancelled', 'expired', 'failed', 'replaced') AND cost_mixed = 0 THEN sale_minor ELSE 0 END) \
                FROM orders GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5";
    assert_eq!(kept(sums), kept(want));
}

/// Migration 13 on a store that already holds orders: its sums and its search index are filled
/// from them, and every filter then gives what a recomputation gives.
#[test]
fn the_totals_and_search_migration_backfills_an_existing_store() {
    let dir = tempfile::tempdir().unwrap();
    let base = Utc.with_ymd_and_hms(2026, 4, 2, 9, 17, 0).unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        varied_store(&store, base);
    }
    // Back to the schema of version 12, with the orders kept: what an older OTPDesk left.
    let names = |c: &rusqlite::Connection| -> Vec<String> {
        let mut st = c
            .prepare("SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1")
            .unwrap();
        let rows = st.query_map((), |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let c = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
    c.execute_batch(
        "DROP TRIGGER order_totals_insert; DROP TRIGGER order_totals_update; DROP TRIGGER order_totals_delete;
         DROP TRIGGER order_fts_insert; DROP TRIGGER order_fts_update; DROP TRIGGER order_fts_order_delete;
         DROP INDEX orders_mixed; DROP TABLE order_totals; DROP TABLE order_fts;
         PRAGMA user_version = 12;",
    )
    .unwrap();
    let v12 = rusqlite::Connection::open_in_memory().unwrap();
    for sql in &crate::store::migrations::MIGRATIONS[..12] {
        v12.execute_batch(sql).unwrap();
    }
    assert_eq!(names(&c), names(&v12), "the store is back at version 12");
    drop(c);
    let store = Store::open(dir.path()).unwrap();
    check_every_filter(&store, base, "migrated");
}
