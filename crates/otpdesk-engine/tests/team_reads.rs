//! Team mode's reads on a real PostgreSQL server (tests/common/pg.rs) and the simulator over
//! HTTP: an operator's desktop without any provider key sees the team's catalog and prices
//! through the owner's desktop (the key holder) — the same answers the owner gets — and buys at
//! the price it was shown; one provider's failure stays its own; with no key holder answering, or
//! the server lost, it says so clearly in bounded time; read requests never pile up in the team's
//! requests table.

mod common;

use common::relay::Relay;
use common::*;
use otpdesk_core::{ErrorCode, ProviderId};
use otpdesk_engine::db::{Connection, PgConn};
use otpdesk_engine::team::Invite;
use otpdesk_engine::{Budget, CatalogCountry, Engine, EngineConfig, EngineEvent};
use otpdesk_sim::control::types::{FaultKind, FaultRule};
use std::path::Path;
use std::time::{Duration, Instant};

/// The owner's desktop (every key), its team store in `dir`'s schema.
fn owner_config(sim: &Sim, dir: &Path) -> EngineConfig {
    let mut cfg = config(sim, dir, Budget::per_minute(60_000.0), 5_000);
    cfg.team = Some(pg::team_for(dir));
    cfg.tracking.lease_ttl = Duration::from_secs(3);
    cfg.tracking.lease_renew = Duration::from_millis(500);
    cfg
}

/// An operator's desktop: the invite's login, no provider key at all.
async fn operator(invite: &str, dir: &Path, read_wait: Duration) -> Engine {
    operator_at(invite, dir, read_wait, None).await
}

/// [`operator`] whose server is asked at `port` (a relay the test can cut).
async fn operator_at(invite: &str, dir: &Path, read_wait: Duration, port: Option<u16>) -> Engine {
    let mut inv = Invite::decode(invite).unwrap();
    if let Some(p) = port {
        inv.port = p;
    }
    let mut cfg = EngineConfig::new(dir);
    cfg.team = Some(inv.config().unwrap());
    cfg.tracking.lease_renew = Duration::from_millis(300);
    cfg.tracking.read_wait = read_wait;
    Engine::open(cfg).await.unwrap()
}

/// The owner's desktop (every key) and an operator called `name` without any, on one team store
/// (the owner's in the first directory's schema).
async fn owner_and_operator(
    sim: &Sim,
    name: &str,
) -> (tempfile::TempDir, Engine, tempfile::TempDir, Engine) {
    let team_dir = tempfile::tempdir().unwrap();
    let owner = Engine::open(owner_config(sim, team_dir.path()))
        .await
        .unwrap();
    let invite = owner.team_invite(name).unwrap();
    let op_dir = tempfile::tempdir().unwrap();
    let op = operator(&invite, op_dir.path(), Duration::from_secs(10)).await;
    (team_dir, owner, op_dir, op)
}

/// Read requests stored on the team's server now (asked straight of PostgreSQL).
fn reads_stored(team_dir: &Path) -> i64 {
    let c = Connection::Pg(PgConn::connect(&pg::team_for(team_dir)).unwrap());
    c.query_row(
        "SELECT COUNT(*) FROM requests WHERE kind = 'read'",
        (),
        |r| r.get(0),
    )
    .unwrap()
}

fn indonesia(list: &[CatalogCountry]) -> CatalogCountry {
    list.iter()
        .find(|c| c.name == "Indonesia")
        .expect("Indonesia listed")
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_without_keys_sees_the_owners_catalog_and_prices_and_buys_at_that_price() {
    if !pg::available() {
        eprintln!("no PostgreSQL server can run here (wine): team mode is tested on Linux");
        return;
    }
    let sim = sim(100_000).await;
    let (team_dir, owner, _op_dir, op) = owner_and_operator(&sim, "Eka").await;
    assert_eq!(
        op.selling_providers(),
        vec![(ProviderId::Otpzap, true), (ProviderId::Numberotp, true)],
        "the team sells what the owner's keys sell"
    );

    // Countries and everything in one country: the owner's own answers, nothing failed.
    let t = Instant::now();
    let mine = op.catalog().countries().await;
    eprintln!(
        "operator's countries through the owner took {:?}",
        t.elapsed()
    );
    assert!(mine.failures.is_empty(), "{:?}", mine.failures);
    let theirs = owner.catalog().countries().await;
    assert!(theirs.failures.is_empty());
    assert!(!mine.value.is_empty());
    assert_eq!(mine.value, theirs.value);
    let id = indonesia(&mine.value);
    assert!(id.otpzap_s1.is_some() && id.numberotp.is_some(), "{id:?}");
    let items = op.catalog().items(&id, None).await;
    assert!(items.failures.is_empty(), "{:?}", items.failures);
    assert!(items.value.iter().any(|i| i.provider == ProviderId::Otpzap));
    assert!(items
        .value
        .iter()
        .any(|i| i.provider == ProviderId::Numberotp));
    assert_eq!(items.value, owner.catalog().items(&id, None).await.value);
    let found = op.catalog().items(&id, Some("whats")).await.value;
    assert!(!found.is_empty());
    assert_eq!(found, owner.catalog().items(&id, Some("whats")).await.value);

    // The step-by-step lists.
    let cid = id.otpzap_s1.clone().unwrap();
    assert_eq!(
        op.catalog().s1_products(&cid, "1").await.unwrap(),
        owner.catalog().s1_products(&cid, "1").await.unwrap()
    );
    assert_eq!(
        op.catalog().s1_countries().await.unwrap(),
        owner.catalog().s1_countries().await.unwrap()
    );
    let s2 = id.otpzap_s2.clone().unwrap();
    assert_eq!(
        op.catalog().s2_services(&s2, None).await.unwrap(),
        owner.catalog().s2_services(&s2, None).await.unwrap()
    );
    assert_eq!(
        op.catalog()
            .numberotp_prices(Some("wa"), None)
            .await
            .unwrap(),
        owner
            .catalog()
            .numberotp_prices(Some("wa"), None)
            .await
            .unwrap()
    );
    assert_eq!(
        op.catalog().email_sites().await.unwrap(),
        owner.catalog().email_sites().await.unwrap()
    );
    // A provider's own refusal comes back with its code (an unknown Server 1 country).
    let e = op.catalog().s1_services(Some("999999")).await;
    let o = owner.catalog().s1_services(Some("999999")).await;
    assert_eq!(e.is_ok(), o.is_ok());
    if let (Err(e), Err(o)) = (&e, &o) {
        assert_eq!(e.code(), o.code());
    }
    // Balances are the owner's business: an operator has none to show.
    assert_eq!(
        op.catalog()
            .balance(ProviderId::Otpzap)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::ProviderNotConfigured
    );

    // The price to confirm, then the purchase at it: the order, charged once.
    let t = Instant::now();
    let q = op.quote(&S1).await.unwrap();
    eprintln!("operator's quote through the owner took {:?}", t.elapsed());
    assert_eq!(q, owner.quote(&S1).await.unwrap());
    assert!(q.price.is_some());
    let order = op.buy_checked(S1, q.price).await.unwrap();
    assert_eq!(owner.order(&order.id).unwrap().id, order.id);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1, "charged exactly once");
    // "Buy again" offers today's price through the owner too.
    let again = op.quote_again(&order.id).await.unwrap();
    assert_eq!(
        again.quote,
        owner.quote_again(&order.id).await.unwrap().quote
    );
    let nq = op.quote(&sim.numberotp_wa()).await.unwrap();
    assert_eq!(nq, owner.quote(&sim.numberotp_wa()).await.unwrap());

    // Reads are not listed as requests and leave nothing behind on the server; only the
    // purchase is a request. The operator's desktop never asked a provider anything.
    let listed = op.requests(false).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(reads_stored(team_dir.path()), 0);
    assert_eq!(op.requests_sent(ProviderId::Otpzap), 0);
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_reads_leave_nothing_behind_and_asking_again_is_harmless() {
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let (team_dir, owner, _op_dir, op) = owner_and_operator(&sim, "Fajar").await;
    let first = op.quote(&S1).await.unwrap();
    // Twenty reads at once: every one answered, the same answer, nothing left stored.
    let t = Instant::now();
    let asks: Vec<_> = (0..20)
        .map(|_| {
            let op = op.clone();
            tokio::spawn(async move { op.quote(&S1).await })
        })
        .collect();
    for a in asks {
        assert_eq!(a.await.unwrap().unwrap(), first);
    }
    eprintln!(
        "20 concurrent quotes through the owner took {:?}",
        t.elapsed()
    );
    assert_eq!(reads_stored(team_dir.path()), 0);
    assert!(op.requests(false).unwrap().is_empty());
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 0, "reads are free");
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_key_holder_answering_an_operators_read_fails_clearly_in_bounded_time() {
    use std::io::BufRead;
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let invite = {
        let owner = Engine::open(owner_config(&sim, team_dir.path()))
            .await
            .unwrap();
        let i = owner.team_invite("Gita").unwrap();
        owner.shutdown().await;
        i
    };
    let op_dir = tempfile::tempdir().unwrap();
    let op = operator(&invite, op_dir.path(), Duration::from_secs(2)).await;

    // The owner's desktop is closed (its lease given up): said at once, per provider.
    assert_eq!(
        op.selling_providers(),
        vec![(ProviderId::Otpzap, false), (ProviderId::Numberotp, false)]
    );
    let t = Instant::now();
    let c = op.catalog().countries().await;
    assert!(c.value.is_empty());
    let codes: Vec<_> = c.failures.iter().map(|(p, e)| (*p, e.code())).collect();
    assert_eq!(
        codes,
        vec![
            (ProviderId::Otpzap, ErrorCode::TeamNoKeyHolder),
            (ProviderId::Numberotp, ErrorCode::TeamNoKeyHolder)
        ]
    );
    let e = op.quote(&S1).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TeamNoKeyHolder, "{e}");
    assert!(e.to_string().contains("OTPZap"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());

    // The key holder dies without giving its lease up (killed): the lease still looks held,
    // the read waits `read_wait` for an answer nobody gives, then says so.
    let mut worker = std::process::Command::new(env!("CARGO_BIN_EXE_otpdesk-engine-worker"))
        .env("OTPDESK_STORE", pg::team_url_for(team_dir.path()))
        .env("OTPDESK_DATA_DIR", team_dir.path())
        .env("OTPDESK_OTPZAP_URL", sim.handle.otpzap_url())
        .env("OTPDESK_OTPZAP_KEY", ZAP_KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("worker");
    let mut out = std::io::BufReader::new(worker.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("ready"), "{line}");
    // Alive, it answers.
    let q = op.quote(&S1).await.unwrap();
    assert!(q.price.is_some());
    worker.kill().unwrap();
    worker.wait().unwrap();
    let t = Instant::now();
    let e = op.quote(&S1).await.unwrap_err();
    let took = t.elapsed();
    assert_eq!(e.code(), ErrorCode::TeamNoKeyHolder, "{e}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    eprintln!("a read nobody answered failed after {took:?}");
    assert_eq!(
        reads_stored(team_dir.path()),
        0,
        "the unanswered read is gone"
    );

    // The owner's desktop back: reads work again.
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let q2 = loop {
        match op.quote(&S1).await {
            Ok(q) => break q,
            Err(e) if Instant::now() < deadline => {
                assert_eq!(e.code(), ErrorCode::TeamNoKeyHolder, "{e}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(q2, owner.quote(&S1).await.unwrap());
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_providers_failure_at_the_owner_stays_its_own_on_the_operators_screen() {
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let (team_dir, owner, _op_dir, op) = owner_and_operator(&sim, "Hana").await;
    // NumberOTP answers with an error page: OTPZap's countries still come, NumberOTP's failure
    // comes with the code the owner's own read gets.
    sim.control
        .add_fault(&FaultRule::new(FaultKind::Html).provider(ProviderId::Numberotp))
        .await
        .unwrap();
    let mine = op.catalog().countries().await;
    let theirs = owner.catalog().countries().await;
    assert!(!mine.value.is_empty());
    assert_eq!(mine.value, theirs.value);
    assert!(mine.value.iter().all(|c| c.numberotp.is_none()));
    let code = |f: &[(ProviderId, otpdesk_engine::EngineError)]| -> Vec<_> {
        f.iter().map(|(p, e)| (*p, e.code())).collect()
    };
    assert_eq!(code(&mine.failures), code(&theirs.failures));
    assert_eq!(mine.failures.len(), 1);
    assert_eq!(mine.failures[0].0, ProviderId::Numberotp);
    assert_eq!(reads_stored(team_dir.path()), 0);
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_that_lost_the_server_refuses_reads_at_once() {
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let invite = owner.team_invite("Indra").unwrap();
    let server_port = Invite::decode(&invite).unwrap().port;
    let mut relay = Relay::start(server_port, 0).await;
    let op_dir = tempfile::tempdir().unwrap();
    let op = operator_at(
        &invite,
        op_dir.path(),
        Duration::from_secs(10),
        Some(relay.port),
    )
    .await;
    assert!(op.quote(&S1).await.is_ok());
    let mut events = op.subscribe();
    relay.cut();
    next_event(&mut events, 10, |e| {
        matches!(e, EngineEvent::TeamConnection { online: false })
    })
    .await;
    let t = Instant::now();
    assert_eq!(
        op.quote(&S1).await.unwrap_err().code(),
        ErrorCode::TeamOffline
    );
    let c = op.catalog().countries().await;
    assert!(c.value.is_empty());
    assert!(c
        .failures
        .iter()
        .all(|(_, e)| e.code() == ErrorCode::TeamOffline));
    assert_eq!(c.failures.len(), 2);
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "refused at once, took {:?}",
        t.elapsed()
    );
    relay.restore().await;
    next_event(&mut events, 15, |e| {
        matches!(e, EngineEvent::TeamConnection { online: true })
    })
    .await;
    assert_eq!(
        op.quote(&S1).await.unwrap(),
        owner.quote(&S1).await.unwrap()
    );
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_whose_asker_vanished_are_pruned_by_the_key_holder() {
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    owner.shutdown().await;
    drop(owner);
    // Left by a desktop that stopped while waiting: one answered, one never picked up.
    let c = Connection::Pg(PgConn::connect(&pg::team_for(team_dir.path())).unwrap());
    c.execute_batch(
        "INSERT INTO requests (id, kind, provider, body, requested_by, state, result, created_at, updated_at)
         VALUES ('old-1', 'read', 'otpzap', '{\"call\":\"s1_countries\"}', 'x', 'done', '[]', 1, 1),
                ('old-2', 'read', 'otpzap', '{\"call\":\"s2_countries\"}', 'x', 'pending', NULL, 1, 1)",
    )
    .unwrap();
    assert_eq!(reads_stored(team_dir.path()), 2);
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while reads_stored(team_dir.path()) > 0 {
        assert!(Instant::now() < deadline, "stale reads were not pruned");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_buy_n_is_bought_by_the_owners_desktop_and_stops_at_a_price_rise() {
    if !pg::available() {
        eprintln!("no PostgreSQL server can run here (wine): team mode is tested on Linux");
        return;
    }
    use otpdesk_core::Money;
    use otpdesk_engine::BatchRequest;
    use otpdesk_sim::control::types::OfferChange;
    let sim = sim(100_000).await;
    let (_team_dir, owner, _op_dir, op) = owner_and_operator(&sim, "Eka").await;
    // After two sales the product costs more: the third number is not bought.
    sim.control
        .change_offer(&OfferChange {
            product_id: S1_PRODUCT,
            price: Some(3_000),
            after_sales: 2,
            ..OfferChange::default()
        })
        .await
        .unwrap();
    let batch = BatchRequest {
        req: S1,
        count: 4,
        max_price: None,
        min_balance: None,
    };
    let r = op.buy_batch(batch.clone(), |_| {}).await.unwrap();
    assert_eq!(r.orders.len(), 2, "{r:?}");
    assert!(r.orders.iter().all(|o| o.price == Some(Money::idr(2_835))));
    assert_eq!(r.stopped.unwrap().code, ErrorCode::PriceChanged);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2, "nothing bought at 3000");
    // Each one the owner's own purchase attempt, sold by the operator, on both desktops.
    let ids: Vec<String> = r.orders.iter().map(|o| o.id.clone()).collect();
    let sellers = owner.sold_by(&ids).unwrap();
    assert_eq!(sellers.len(), 2);
    assert!(
        sellers
            .iter()
            .all(|(_, login)| login.starts_with("otpdesk_eka")),
        "{sellers:?}"
    );
    for id in &ids {
        assert_eq!(owner.order(id).unwrap().id, *id);
    }
    // A balance floor is the owner's business: refused at once, nothing asked.
    let e = op
        .buy_batch(
            BatchRequest {
                min_balance: Some(Money::idr(1_000)),
                ..batch
            },
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2);
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_buys_now_an_unknown_outcome_through_the_owners_desktop_once() {
    if !pg::available() {
        eprintln!("no PostgreSQL server can run here (wine): team mode is tested on Linux");
        return;
    }
    use otpdesk_engine::{AttemptState, EngineError};
    let sim = sim(100_000).await;
    let (_team_dir, owner, _op_dir, op) = owner_and_operator(&sim, "Eka").await;
    // NumberOTP has no idempotency: its reply lost after the charge makes the outcome unknown.
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::DropAfterCommit)
                .path("/activations")
                .method("POST")
                .times(1),
        )
        .await
        .unwrap();
    let err = op.buy(sim.numberotp_wa()).await.unwrap_err();
    let EngineError::OutcomeUnknown { attempt_id } = err else {
        panic!("{err:?}")
    };
    assert_eq!(charges_to(&sim, NOTP_KEY).await, 1);
    // "Buy now" at today's price, from the operator's desktop: the owner's buys it, once.
    let q = op.attempt_quote(&attempt_id).await.unwrap();
    let o = op.buy_again(&attempt_id, q.price).await.unwrap();
    assert_eq!(
        charges_to(&sim, NOTP_KEY).await,
        2,
        "one more purchase, not two"
    );
    let first = owner
        .attempts(None)
        .unwrap()
        .into_iter()
        .find(|a| a.id == attempt_id)
        .unwrap();
    assert_ne!(
        first.state,
        AttemptState::OutcomeUnknown,
        "the unknown one is closed"
    );
    let sellers = owner.sold_by(std::slice::from_ref(&o.id)).unwrap();
    assert!(
        sellers.iter().all(|(_, l)| l.starts_with("otpdesk_eka")) && sellers.len() == 1,
        "{sellers:?}"
    );
    // Asked again, it is refused: that purchase is no longer open (nothing sent).
    let e = op.buy_again(&attempt_id, q.price).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotAllowed, "{e}");
    assert_eq!(charges_to(&sim, NOTP_KEY).await, 2);
    op.shutdown().await;
    owner.shutdown().await;
}
