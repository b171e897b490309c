//! The reseller's desk at volume: the quality scoreboard, the cancel-rate warning and the history
//! list (first page, totals with and without filters, the next page while scrolling, filters and
//! searches that match many, a few or no orders) on a store of 100,000 synthetic orders
//! (store::seed). Prints the median, p99 and worst of repeated runs; the target is a p99 under
//! 20 ms for each. Portable (no getrusage): runs the same on Windows.
//!
//! `cargo bench -p otpdesk-engine --bench desk --features seed` (N orders: `OTPDESK_BENCH_ORDERS`).

use otpdesk_core::ProviderId;
use otpdesk_engine::store::Store;
use otpdesk_engine::{HistoryQuery, StatusGroup};
use std::time::Instant;

const RUNS: usize = 100;
const TARGET_MS: f64 = 20.0;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

/// Run `f` RUNS times (after one warm-up) and print its median, p99 and worst in milliseconds.
fn measure(name: &str, mut f: impl FnMut() -> usize) -> bool {
    let mut items = f();
    let mut ms: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            items = f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let (median, p99, worst) = (pct(&mut ms, 0.5), pct(&mut ms, 0.99), pct(&mut ms, 1.0));
    let ok = p99 < TARGET_MS;
    println!(
        "{name:<48} {median:>7.2} {p99:>7.2} {worst:>7.2} {items:>7}  {}",
        if ok { "ok" } else { "OVER TARGET" }
    );
    ok
}

fn main() {
    let n: usize = std::env::var("OTPDESK_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = Instant::now();
    let now = chrono::Utc::now();
    let total = store.seed_orders(n, now).unwrap();
    // A regular customer with a handful of orders spread over the history (the seed has none):
    // a search for her name, or for a fragment of one phone number, matches only a few orders.
    let spread: Vec<_> = store
        .history(&HistoryQuery {
            limit: Some(5_000),
            skip_totals: true,
            ..Default::default()
        })
        .unwrap()
        .items
        .into_iter()
        .step_by(1_000)
        .filter_map(|i| i.order)
        .collect();
    for (i, row) in spread.iter().enumerate() {
        let note = format!("langganan {i}");
        store
            .set_desk(&row.order.id, Some("Rina Wulandari"), Some(&note), now)
            .unwrap();
    }
    let phone_fragment = spread[0].order.phone.clone().unwrap()[4..].to_string();
    println!(
        "otpdesk-engine desk bench: {total} orders (seeded in {:.1} s), {RUNS} runs each\n",
        t.elapsed().as_secs_f64()
    );
    println!(
        "{:<48} {:>7} {:>7} {:>7} {:>7}",
        "query (ms)", "median", "p99", "worst", "items"
    );
    let mut all_ok = true;
    all_ok &= measure("scoreboard (every offer)", || {
        store.scoreboard().unwrap().len()
    });
    all_ok &= measure("cancel-rate warning (last 20 per provider)", || {
        store.cancel_warnings().unwrap().len()
    });
    let page = |q: HistoryQuery| HistoryQuery {
        limit: Some(100),
        ..q
    };
    all_ok &= measure("history first page (100 rows)", || {
        store
            .history(&page(HistoryQuery {
                skip_totals: true,
                ..Default::default()
            }))
            .unwrap()
            .items
            .len()
    });
    // The totals over every match (spent / sales / profit per currency): added up from the
    // sums kept per day, provider, kind, status and currency (migration 13), not the orders.
    all_ok &= measure("history totals over all 100,000 (not paged)", || {
        store
            .history(&page(HistoryQuery::default()))
            .unwrap()
            .items
            .len()
    });
    // What the screen asks for beside the first page of every filter: the totals alone
    // (`limit: 0`), with a rate so a dollar cost counts against a rupiah sale.
    let day = chrono::Duration::days(1);
    let totals_of: [(&str, HistoryQuery); 8] = [
        ("totals: all, at Rp 16,000/$", HistoryQuery::default()),
        (
            "totals: provider=numberotp",
            HistoryQuery {
                provider: Some(ProviderId::Numberotp),
                ..Default::default()
            },
        ),
        (
            "totals: refunded",
            HistoryQuery {
                group: Some(StatusGroup::Refunded),
                ..Default::default()
            },
        ),
        (
            "totals: last 7 days",
            HistoryQuery {
                from: Some(now - day * 7),
                ..Default::default()
            },
        ),
        (
            "totals: 30 days, done, otpzap",
            HistoryQuery {
                from: Some(now - day * 40),
                to: Some(now - day * 10),
                group: Some(StatusGroup::Done),
                provider: Some(ProviderId::Otpzap),
                ..Default::default()
            },
        ),
        (
            "totals: search customer (few)",
            HistoryQuery {
                search: Some("wulandari".into()),
                ..Default::default()
            },
        ),
        (
            "totals: search with no match",
            HistoryQuery {
                search: Some("no-such-thing".into()),
                ..Default::default()
            },
        ),
        (
            // Every one of a third of the orders is read (their sums are not kept per search).
            "totals: search \"Telegram\" (a third)",
            HistoryQuery {
                search: Some("Telegram".into()),
                ..Default::default()
            },
        ),
    ];
    for (name, q) in totals_of {
        let q = HistoryQuery {
            limit: Some(0),
            idr_per_usd: Some(16_000),
            ..q
        };
        all_ok &= measure(name, || {
            let p = store.history(&q).unwrap();
            (p.total_orders + p.total_deposits) as usize
        });
    }
    // Scrolling: the next page after the last item of a page deep in the list.
    let mut deep = store
        .history(&page(HistoryQuery {
            skip_totals: true,
            ..Default::default()
        }))
        .unwrap();
    for _ in 0..(n / 100 / 2) {
        let last = deep.items.last().unwrap().cursor;
        deep = store
            .history(&page(HistoryQuery {
                after: Some(last),
                skip_totals: true,
                ..Default::default()
            }))
            .unwrap();
    }
    let middle = deep.items.last().unwrap().cursor;
    all_ok &= measure("history next page (keyset, mid-list)", || {
        store
            .history(&page(HistoryQuery {
                after: Some(middle),
                skip_totals: true,
                ..Default::default()
            }))
            .unwrap()
            .items
            .len()
    });
    // A drag of the scrollbar to the bottom: the block at the end, by offset.
    let end = (total as u32).saturating_sub(100);
    all_ok &= measure("history jump to the last 100 (offset)", || {
        store
            .history(&page(HistoryQuery {
                offset: Some(end),
                skip_totals: true,
                ..Default::default()
            }))
            .unwrap()
            .items
            .len()
    });
    // A search that matches nothing: the trigram index (migration 13) has no candidate.
    all_ok &= measure("history search with no match", || {
        store
            .history(&page(HistoryQuery {
                search: Some("no-such-thing".into()),
                skip_totals: true,
                ..Default::default()
            }))
            .unwrap()
            .items
            .len()
    });
    let filters: [(&str, HistoryQuery); 7] = [
        (
            "history filter: provider=numberotp",
            HistoryQuery {
                provider: Some(ProviderId::Numberotp),
                ..Default::default()
            },
        ),
        (
            "history filter: refunded",
            HistoryQuery {
                group: Some(StatusGroup::Refunded),
                ..Default::default()
            },
        ),
        (
            "history filter: status=expired",
            HistoryQuery {
                status: Some("expired".into()),
                ..Default::default()
            },
        ),
        (
            "history filter: search \"Telegram\"",
            HistoryQuery {
                search: Some("Telegram".into()),
                ..Default::default()
            },
        ),
        (
            "history search: customer (few matches)",
            HistoryQuery {
                search: Some("wulandari".into()),
                ..Default::default()
            },
        ),
        (
            "history search: phone fragment (few matches)",
            HistoryQuery {
                search: Some(phone_fragment.clone()),
                ..Default::default()
            },
        ),
        (
            "history search: 2 letters, no match",
            HistoryQuery {
                search: Some("qz".into()),
                ..Default::default()
            },
        ),
    ];
    for (name, q) in filters {
        let q = HistoryQuery {
            skip_totals: true,
            ..q
        };
        all_ok &= measure(name, || {
            store.history(&page(q.clone())).unwrap().items.len()
        });
    }
    println!(
        "\n{}",
        if all_ok {
            "every p99 under the 20 ms target"
        } else {
            "SOME QUERIES OVER THE 20 ms TARGET"
        }
    );
}
