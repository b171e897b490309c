//! The store on a real SQLite file: replays are harmless, money moves once, timelines only grow.

use chrono::Utc;
use otpdesk_core::{ErrorCode, Money, OrderStatus, ProviderId};
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

/// Finding 9: many processes opening a brand-new order book at once (each thread has its own
/// connection, as a process would): one migrates, the others wait, none sees "table attempts
/// already exists"; then all write at once without "database is locked".
#[test]
fn many_processes_open_and_write_a_new_order_book_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let store = Store::open(&path).expect("open");
                for n in 0..20 {
                    let a = store
                        .insert_attempt(
                            ProviderId::Otpzap,
                            otpdesk_engine::AttemptKind::Sms,
                            &serde_json::json!({"n": n}),
                            &format!("runner-{i}"),
                            Utc::now(),
                        )
                        .expect("insert");
                    assert!(store.bump_attempt(&a.id, "r", Utc::now()).expect("bump"));
                    let mut r = RemoteOrder::new(format!("{i}-{n}"), OrderStatus::Pending);
                    r.price = Some(Money::idr(100));
                    store
                        .complete_order_attempt(
                            &a.id,
                            OrderKind::Sms,
                            ProviderId::Otpzap,
                            "{}",
                            None,
                            &r,
                            Utc::now(),
                        )
                        .expect("complete");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count_orders().unwrap(), 16 * 20);
    let all = LedgerFilter {
        limit: Some(10_000),
        ..Default::default()
    };
    assert_eq!(
        store.ledger(&all).unwrap().len(),
        16 * 20,
        "one charge each"
    );
}

/// A process that started after another one read the list of live processes is not on that
/// list: its new purchase is no orphan, and must not be closed under it ("already settled").
#[test]
fn an_attempt_newer_than_the_list_of_live_processes_is_no_orphan() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let insert = |runner: &str| {
        store
            .insert_attempt(
                ProviderId::Otpzap,
                otpdesk_engine::AttemptKind::Sms,
                &serde_json::json!({}),
                runner,
                Utc::now(),
            )
            .unwrap()
    };
    let dead = insert("dead-runner");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let live_read_at = Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let newcomer = insert("started-since");
    let swept = store
        .sweep_orphans(&["sweeper".to_string()], live_read_at, Utc::now())
        .unwrap();
    assert_eq!(
        swept.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [dead.id.as_str()]
    );
    assert!(store
        .bump_attempt(&newcomer.id, "started-since", Utc::now())
        .unwrap());
}

#[test]
fn an_order_book_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let db = dir.path().join(otpdesk_engine::store::DB_FILE);
    let c = rusqlite::Connection::open(&db).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let e = Store::open(dir.path()).err().expect("refused");
    assert_eq!(e.code(), ErrorCode::StoreTooNew);
    let msg = e.to_string();
    assert!(
        msg.contains(&db.display().to_string()) && msg.contains("newer OTPDesk"),
        "{msg}"
    );
}

#[test]
fn a_damaged_order_book_is_named_with_its_path_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(otpdesk_engine::store::DB_FILE);
    std::fs::write(&db, vec![0x5a; 64 * 1024]).unwrap();
    let e = Store::open(dir.path()).err().expect("refused");
    assert_eq!(e.code(), ErrorCode::StoreDamaged);
    let msg = e.to_string();
    assert!(msg.contains(&db.display().to_string()), "{msg}");
    assert!(msg.contains("move that file aside"), "{msg}");
    assert!(!msg.to_lowercase().contains("full"), "{msg}");
}

#[cfg(unix)]
#[test]
fn the_order_book_is_private_to_its_user() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("otpdesk");
    let store = Store::open(&dir).unwrap();
    store.count_orders().unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for f in [
        "otpdesk.sqlite3",
        "otpdesk.sqlite3-wal",
        "otpdesk.sqlite3-shm",
    ] {
        let p = dir.join(f);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{f}");
        }
    }
}
