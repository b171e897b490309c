//! The store on a real SQLite file: replays are harmless, money moves once, timelines only grow.

use chrono::Utc;
use otpdesk_core::{Money, OrderStatus, ProviderId};
use otpdesk_engine::remote::{RemoteOrder, RemoteOtp};
use otpdesk_engine::store::{NewOrder, Store};
use otpdesk_engine::{LedgerFilter, LedgerKind, OrderFilter, OrderKind};

fn otp(code: &str) -> RemoteOtp {
    RemoteOtp {
        code: Some(code.into()),
        text: None,
        sender: None,
        service: None,
        received_at: None,
    }
}

fn remote(status: OrderStatus, codes: &[&str]) -> RemoteOrder {
    let mut r = RemoteOrder::new("65", status);
    r.remote_ref = Some("API3-abc".into());
    r.price = Some(Money::idr(2835));
    r.otps = codes.iter().map(|c| otp(c)).collect();
    r
}

#[test]
fn replays_store_each_otp_and_each_money_movement_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let now = Utc::now();
    let r0 = remote(OrderStatus::Pending, &[]);
    let new = NewOrder {
        provider: ProviderId::Otpzap,
        kind: OrderKind::Sms,
        attempt_id: None,
        request: None,
        cancel_unlocks_at: None,
        remote: &r0,
    };
    let (id, fresh, applied) = store.insert_order(&new, now).unwrap();
    assert!(fresh);
    assert_eq!(applied.ledger.len(), 1);
    // The same provider order again (idempotent replay) is the same local order, charged once.
    let (id2, fresh2, applied2) = store.insert_order(&new, now).unwrap();
    assert_eq!(
        (id2.as_str(), fresh2, applied2.ledger.len()),
        (id.as_str(), false, 0)
    );

    let r1 = remote(OrderStatus::OtpReceived, &["111111"]);
    let a = store.apply_remote(&id, &r1, now).unwrap();
    assert_eq!(a.new_otps.len(), 1);
    assert_eq!(
        a.status_change,
        Some((OrderStatus::Pending, OrderStatus::OtpReceived))
    );
    let a = store.apply_remote(&id, &r1, now).unwrap();
    assert!(a.is_empty(), "{a:?}");
    // Resend: the timeline grows, only the new entry is new.
    let r2 = remote(OrderStatus::OtpReceived, &["111111", "222222"]);
    let a = store.apply_remote(&id, &r2, now).unwrap();
    assert_eq!(
        a.new_otps
            .iter()
            .map(|o| o.code.clone().unwrap())
            .collect::<Vec<_>>(),
        ["222222"]
    );

    let r3 = remote(OrderStatus::Expired, &["111111", "222222"]);
    let a = store.apply_remote(&id, &r3, now).unwrap();
    assert_eq!(a.ledger.len(), 1);
    assert_eq!(a.ledger[0].kind, LedgerKind::Refund);
    store.apply_remote(&id, &r3, now).unwrap();
    // A stale reply never revives a closed order.
    let a = store.apply_remote(&id, &r1, now).unwrap();
    assert!(a.status_change.is_none());

    let o = store.order(&id).unwrap().unwrap();
    assert_eq!(o.status, OrderStatus::Expired);
    assert_eq!(o.otps.len(), 2);
    assert_eq!(o.latest_code(), Some("222222"));
    assert_eq!(store.ledger(&LedgerFilter::default()).unwrap().len(), 2);
    assert_eq!(
        store.ledger_sum(ProviderId::Otpzap).unwrap(),
        vec![Money::idr(0)]
    );
    assert_eq!(store.find_order("API3-abc").unwrap().unwrap().id, id);

    // Everything survives a reopen. (No key ever reaches this store; flows.rs checks the files.)
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.orders(&OrderFilter::default()).unwrap().len(), 1);
    assert_eq!(
        store
            .orders(&OrderFilter {
                active_only: true,
                ..Default::default()
            })
            .unwrap()
            .len(),
        0
    );
}
