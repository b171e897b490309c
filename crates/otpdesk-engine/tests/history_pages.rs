//! History paging for long lists (the virtualised History screen): keyset pages (`after`) and
//! deep offsets (a jump) give exactly the rows of the one full list, in order, with orders of the
//! same instant kept apart by insertion order, under a filter too; next pages skip the totals.

use chrono::{Duration, TimeZone, Utc};
use otpdesk_core::{Money, OrderStatus, ProviderId};
use otpdesk_engine::remote::RemoteOrder;
use otpdesk_engine::store::{NewOrder, Store};
use otpdesk_engine::{HistoryQuery, OrderKind, StatusGroup};

fn ids(items: &[otpdesk_engine::HistoryItem]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.order.as_ref().unwrap().order.id.clone())
        .collect()
}

#[test]
fn keyset_pages_and_jumps_list_every_row_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 5, 19, 3, 0, 0).unwrap();
    let statuses = [
        OrderStatus::Completed,
        OrderStatus::Expired,
        OrderStatus::Cancelled,
    ];
    let remotes: Vec<RemoteOrder> = (0..57)
        .map(|i| {
            let mut r = RemoteOrder::new(format!("r{i}"), statuses[i % 3].clone());
            r.price = Some(Money::idr(2000));
            r.service = Some("WhatsApp".into());
            r
        })
        .collect();
    for (i, r) in remotes.iter().enumerate() {
        // Three orders per instant: ties are ordered by insertion, newest first.
        let at = t + Duration::seconds(i as i64 / 3);
        store
            .insert_order(
                &NewOrder {
                    provider: if i % 2 == 0 {
                        ProviderId::Otpzap
                    } else {
                        ProviderId::Numberotp
                    },
                    kind: OrderKind::Sms,
                    attempt_id: None,
                    request: None,
                    cancel_unlocks_at: None,
                    remote: r,
                },
                at,
            )
            .unwrap();
    }
    for filter in [
        HistoryQuery::default(),
        HistoryQuery {
            group: Some(StatusGroup::Refunded),
            provider: Some(ProviderId::Otpzap),
            ..Default::default()
        },
    ] {
        let all = store
            .history(&HistoryQuery {
                limit: Some(1000),
                ..filter.clone()
            })
            .unwrap();
        let want = ids(&all.items);
        assert!(want.len() >= 19, "{}", want.len());
        // Page by page with the cursor of each page's last row.
        let mut got = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .history(&HistoryQuery {
                    limit: Some(7),
                    after,
                    skip_totals: true,
                    ..filter.clone()
                })
                .unwrap();
            assert_eq!(page.total_orders, 0, "next pages skip the totals");
            if page.items.is_empty() {
                break;
            }
            after = Some(page.items.last().unwrap().cursor);
            got.extend(ids(&page.items));
        }
        assert_eq!(got, want);
        // A jump to any offset gives the same rows as the full list there, with the totals.
        for offset in [1, 5, 6, 13, want.len() as u32 - 2] {
            let page = store
                .history(&HistoryQuery {
                    limit: Some(4),
                    offset: Some(offset),
                    ..filter.clone()
                })
                .unwrap();
            let o = offset as usize;
            assert_eq!(ids(&page.items), want[o..(o + 4).min(want.len())].to_vec());
            assert_eq!(page.total_orders, all.total_orders);
        }
        let past = store
            .history(&HistoryQuery {
                offset: Some(want.len() as u32 + 3),
                ..filter.clone()
            })
            .unwrap();
        assert!(past.items.is_empty());
        assert_eq!(past.total_orders, want.len() as i64);
    }
}
