//! Team mode on a real PostgreSQL server (tests/common/pg.rs starts one): the first desktop on a
//! new team store is its owner; an invite makes an operator with its own login; roles are
//! enforced by the engine; every desktop sees the others' orders and codes as they happen; a
//! removed operator opens nothing. Skipped only where no server can run (under wine).

mod common;

use common::*;
use otpdesk_core::{ErrorCode, Money, ProviderId};
use otpdesk_engine::team::{Invite, Role};
use otpdesk_engine::{Budget, Engine, EngineConfig, EngineError, EngineEvent};
use std::time::{Duration, Instant};

/// An operator's desktop: the invite's login, no provider key at all.
async fn operator(invite: &str, dir: &std::path::Path) -> Result<Engine, EngineError> {
    let inv = Invite::decode(invite).unwrap();
    let mut cfg = EngineConfig::new(dir);
    cfg.team = Some(inv.config().unwrap());
    Engine::open(cfg).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_invites_an_operator_who_sells_but_cannot_touch_settings_or_money() {
    if !pg::available() {
        eprintln!("no PostgreSQL server can run here (wine): team mode is tested on Linux");
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, team_dir.path(), Budget::per_minute(60_000.0), 5_000);
    cfg.team = Some(pg::team_for(team_dir.path()));
    let owner = Engine::open(cfg).await.unwrap();
    let me = owner.team().expect("team mode").me;
    assert_eq!(
        me.role,
        Role::Owner,
        "the first login on a new team store owns it"
    );

    let invite = owner.team_invite("Ani").unwrap();
    let inv = Invite::decode(&invite).unwrap();
    assert_eq!(inv.name, "Ani");
    assert!(inv.user.starts_with("otpdesk_ani_"));
    assert!(!format!("{:?}", owner.team()).contains(&inv.password));

    let op_dir = tempfile::tempdir().unwrap();
    let op = operator(&invite, op_dir.path()).await.unwrap();
    let op_me = op.team().unwrap().me;
    assert_eq!(
        (op_me.role, op_me.login.as_str()),
        (Role::Operator, inv.user.as_str())
    );
    let members = owner.team_members().unwrap();
    assert_eq!(members.len(), 2, "{members:?}");

    // The engine refuses an operator what only the owner may do, whatever asked.
    let mut events = op.subscribe();
    let list = owner.price_list().unwrap();
    for refused in [
        op.set_price_list(&list).map(|_| ()),
        op.set_max_price("otpzap:s2:101", Some(Money::idr(5_000))),
        op.profit(&Default::default()).map(|_| ()),
        op.ledger_total(ProviderId::Otpzap).map(|_| ()),
        op.team_invite("Budi").map(|_| ()),
    ] {
        let e = refused.unwrap_err();
        assert_eq!(e.code(), ErrorCode::TeamRole, "{e}");
    }
    assert!(op.topup_qris(50_000).await.is_err());
    owner.set_price_list(&list).unwrap();

    // The owner's purchase appears on the operator's desktop, attributed, and so does its code.
    let t = Instant::now();
    let order = owner.buy(s2_wa()).await.unwrap();
    let seen = next_event(
        &mut events,
        10,
        |e| matches!(e, EngineEvent::OrderCreated { order: o } if o.id == order.id),
    )
    .await;
    assert!(matches!(seen, EngineEvent::OrderCreated { .. }));
    eprintln!("order on the other desktop after {:?}", t.elapsed());
    assert_eq!(
        op.sold_by(std::slice::from_ref(&order.id)).unwrap(),
        vec![(order.id.clone(), me.login.clone())]
    );
    sim.control
        .deliver_otp(order.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    let code = op
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(!code.code.clone().unwrap_or_default().is_empty());
    // Operators keep customers.
    op.set_paid(&order.id, false).unwrap();

    // Removed: the operator's login no longer opens the team's order book.
    op.shutdown().await;
    assert!(owner.team_remove(&inv.user).unwrap());
    let again = operator(&invite, op_dir.path()).await;
    assert!(again.is_err(), "a removed operator opened the team store");
    owner.shutdown().await;
}

/// The team's server offers TLS: every connection uses it (the test server has a self-signed
/// certificate, as a business's own server may); `sslmode=disable` is plain.
#[test]
fn connections_are_encrypted_when_the_server_offers_tls() {
    if !pg::available() {
        eprintln!("no PostgreSQL server can run here (wine)");
        return;
    }
    use otpdesk_engine::db::{Connection, PgConfig, PgConn};
    let dir = tempfile::tempdir().unwrap();
    let url = pg::team_url_for(dir.path());
    for (extra, want) in [("", true), (" sslmode=disable", false)] {
        let c = Connection::Pg(
            PgConn::connect(&PgConfig::parse(&format!("{url}{extra}")).unwrap()).unwrap(),
        );
        let ssl: bool = c
            .query_row(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                (),
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ssl, want, "{extra}");
    }
}

#[test]
fn a_wrong_paste_is_named_as_such() {
    let e = Invite::decode("postgres://someone@somewhere/db").unwrap_err();
    assert!(e.to_string().contains("not an OTPDesk team invite"), "{e}");
}
