//! Team mode's requests on a real PostgreSQL server (tests/common/pg.rs): an operator's desktop
//! holds no provider key, so its purchases and cancels are carried out by the owner's desktop
//! (the holder of the provider's tracking lease) and come back as if made locally; a request
//! nobody picks up times out and can be withdrawn; a holder killed mid-purchase never leads to
//! a second charge; an operator that loses the server refuses to buy at once and says so.

mod common;

use common::relay::Relay;
use common::*;
use otpdesk_core::{ErrorCode, OrderStatus, ProviderId};
use otpdesk_engine::team::Invite;
use otpdesk_engine::{
    AttemptState, Budget, Engine, EngineConfig, EngineError, EngineEvent, RequestState,
};
use std::path::Path;
use std::time::{Duration, Instant};

/// The owner's desktop (every key), its team store in `dir`'s schema.
fn owner_config(sim: &Sim, dir: &Path) -> EngineConfig {
    let mut cfg = config(sim, dir, Budget::per_minute(60_000.0), 5_000);
    cfg.team = Some(pg::team_for(dir));
    cfg.tracking.cancel_cooldown = Duration::ZERO; // the provider's own cooldown answers
    cfg.tracking.lease_ttl = Duration::from_secs(3);
    cfg.tracking.lease_renew = Duration::from_millis(500);
    cfg
}

/// An operator's desktop: the invite's login, no provider key at all; `port` replaces the
/// server's (a proxy the test can cut).
async fn operator(invite: &str, dir: &Path, port: Option<u16>, wait: Duration) -> Engine {
    let mut inv = Invite::decode(invite).unwrap();
    if let Some(p) = port {
        inv.port = p;
    }
    let mut cfg = EngineConfig::new(dir);
    cfg.team = Some(inv.config().unwrap());
    cfg.tracking.lease_renew = Duration::from_millis(300);
    cfg.tracking.request_wait = wait;
    Engine::open(cfg).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_without_keys_buys_and_cancels_through_the_owners_desktop() {
    if !pg::available() {
        eprintln!("no PostgreSQL server can run here (wine): team mode is tested on Linux");
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let invite = owner.team_invite("Ani").unwrap();
    let login = Invite::decode(&invite).unwrap().user;
    let op_dir = tempfile::tempdir().unwrap();
    let op = operator(&invite, op_dir.path(), None, Duration::from_secs(20)).await;
    assert!(!op.is_tracker(ProviderId::Otpzap), "no key, no tracking");

    // A purchase from the operator's desktop: bought by the owner's, stored once, attributed.
    let t = Instant::now();
    let order = op.buy(S1).await.unwrap();
    eprintln!(
        "operator's purchase through the owner took {:?}",
        t.elapsed()
    );
    assert_eq!(order.provider, ProviderId::Otpzap);
    assert_eq!(owner.order(&order.id).unwrap().id, order.id);
    assert_eq!(
        op.sold_by(std::slice::from_ref(&order.id)).unwrap(),
        vec![(order.id.clone(), login.clone())]
    );
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1, "charged exactly once");
    let used = sim.control.idempotency().await.unwrap();
    assert_eq!(used.len(), 1, "one Idempotency-Key: {used:?}");
    assert!(used.iter().all(|u| u.creates == 1 && u.charges == 1));
    // The request is the attempt: same id, its key the one the provider saw.
    let requests = op.requests(false).unwrap();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (r.state, r.order_id.as_deref(), r.requested_by.as_str()),
        (RequestState::Done, Some(order.id.as_str()), login.as_str())
    );
    let attempts = owner.attempts(None).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].id, r.id);
    assert_eq!(attempts[0].idempotency_key, used[0].idempotency_key);

    // A cancel inside OTPZap's cooldown: refused by the provider, relayed with its unlock time.
    let e = op.cancel(&order.id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CancelCooldown, "{e}");
    assert!(matches!(e, EngineError::CancelCooldown { .. }));
    // After it: cancelled and refunded by the owner's desktop (a second number: the first one
    // keeps the unlock time the provider gave, on this test's real clock).
    let order = op.buy(S1).await.unwrap();
    sim.control.advance_clock(125).await.unwrap();
    let o = op.cancel(&order.id).await.unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(
        owner.order(&order.id).unwrap().status,
        OrderStatus::Cancelled
    );
    let refunds = sim
        .control
        .ledger(Some(ZAP_KEY))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == otpdesk_sim::control::types::LedgerKind::Refund)
        .count();
    assert_eq!(refunds, 1, "the second number refunded");
    assert_eq!(
        op.cancel(&order.id).await.unwrap_err().code(),
        ErrorCode::NotAllowed
    );
    // The operator's desktop never asked a provider anything.
    assert_eq!(op.requests_sent(ProviderId::Otpzap), 0);
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_nobody_picks_up_times_out_and_can_be_withdrawn() {
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let invite = owner.team_invite("Budi").unwrap();
    // The owner's desktop is closed: nobody holds a key.
    owner.shutdown().await;
    drop(owner);
    let op_dir = tempfile::tempdir().unwrap();
    let op = operator(&invite, op_dir.path(), None, Duration::from_secs(1)).await;

    let t = Instant::now();
    let e = op.buy(S1).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TeamRequestWaiting, "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(e.to_string().contains("has not picked up"), "{e}");
    let EngineError::RequestWaiting { request_id, taken } = e else {
        panic!()
    };
    assert!(!taken);
    let open = op.requests(true).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].id.as_str(), open[0].state),
        (request_id.as_str(), RequestState::Pending)
    );
    assert!(op.withdraw_request(&request_id).unwrap());
    assert!(
        !op.withdraw_request(&request_id).unwrap(),
        "withdrawn once only"
    );
    assert!(op.requests(true).unwrap().is_empty());

    // A second one stays pending; the owner's desktop comes back and carries it out (not the
    // withdrawn one); once taken or done it cannot be withdrawn.
    let e = op.buy(S1).await.unwrap_err();
    let EngineError::RequestWaiting {
        request_id: second, ..
    } = e
    else {
        panic!("{e}")
    };
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let done = loop {
        let all = op.requests(false).unwrap();
        let r = all.iter().find(|r| r.id == second).unwrap().clone();
        if r.state.is_final() || Instant::now() > deadline {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done.state, RequestState::Done, "{done:?}");
    assert!(!op.withdraw_request(&second).unwrap());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = op.requests(false).unwrap();
    let withdrawn = all.iter().find(|r| r.id == request_id).unwrap();
    assert_eq!(withdrawn.state, RequestState::Withdrawn);
    assert_eq!(
        charges_to(&sim, ZAP_KEY).await,
        1,
        "only the second was bought"
    );
    op.shutdown().await;
    owner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_that_loses_the_server_says_so_and_buys_nothing_until_it_is_back() {
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let invite = owner.team_invite("Citra").unwrap();
    let server_port = Invite::decode(&invite).unwrap().port;
    let mut relay = Relay::start(server_port, 0).await;
    let op_dir = tempfile::tempdir().unwrap();
    let op = operator(
        &invite,
        op_dir.path(),
        Some(relay.port),
        Duration::from_secs(20),
    )
    .await;
    assert!(op.team_online());
    op.buy(S1).await.unwrap();
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1);

    let mut events = op.subscribe();
    relay.cut();
    let t = Instant::now();
    next_event(&mut events, 10, |e| {
        matches!(e, EngineEvent::TeamConnection { online: false })
    })
    .await;
    eprintln!("offline noticed after {:?}", t.elapsed());
    assert!(!op.team_online());
    let sent_before = sim.control.requests().await.unwrap().total;
    let t = Instant::now();
    let e = op.buy(S1).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TeamOffline, "{e}");
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "refused at once, took {:?}",
        t.elapsed()
    );
    let order = owner.orders(&Default::default()).unwrap()[0].clone();
    assert_eq!(
        op.cancel(&order.id).await.unwrap_err().code(),
        ErrorCode::TeamOffline
    );
    // Nothing reached a provider, nothing was charged, nothing was asked of the owner.
    assert_eq!(sim.control.requests().await.unwrap().total, sent_before);
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 1);
    assert_eq!(owner.requests(false).unwrap().len(), 1);
    // The owner's desktop keeps tracking meanwhile: a code delivered now is stored.
    sim.control
        .deliver_otp(order.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    owner
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();

    relay.restore().await;
    next_event(&mut events, 15, |e| {
        matches!(e, EngineEvent::TeamConnection { online: true })
    })
    .await;
    assert!(op.team_online());
    // The code stored while this desktop was away is there, and buying works again.
    assert_eq!(op.order(&order.id).unwrap().otps.len(), 1);
    op.buy(S1).await.unwrap();
    assert_eq!(charges_to(&sim, ZAP_KEY).await, 2);
    op.shutdown().await;
    owner.shutdown().await;
}

use otpdesk_sim::control::types::{FaultKind, FaultRule};

/// The owner's desktop, a worker process holding the key, is SIGKILLed while the operator's
/// purchase is on the wire under `fault`; a new owner's desktop takes over. The operator hears
/// of an unknown outcome naming the request's attempt, and the purchase is never sent again
/// with another key. Returns the simulator and that attempt's key for the charge checks.
async fn kill_the_holder_mid_purchase(fault: FaultRule) -> (Sim, String) {
    use std::io::BufRead;
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let invite = {
        let owner = Engine::open(owner_config(&sim, team_dir.path()))
            .await
            .unwrap();
        let i = owner.team_invite("Dewi").unwrap();
        owner.shutdown().await;
        i
    };
    // The owner's desktop is a separate process holding the key (and the lease).
    let mut worker = std::process::Command::new(env!("CARGO_BIN_EXE_otpdesk-engine-worker"))
        .env("OTPDESK_STORE", pg::team_url_for(team_dir.path()))
        .env("OTPDESK_DATA_DIR", team_dir.path())
        .env("OTPDESK_OTPZAP_URL", sim.handle.otpzap_url())
        .env("OTPDESK_OTPZAP_KEY", ZAP_KEY)
        .env("OTPDESK_POLL_MS", "200")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("worker");
    let mut out = std::io::BufReader::new(worker.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("ready"), "{line}");
    std::thread::spawn(move || for _ in out.lines() {});
    // The purchase reply is slow: the worker dies while it is on the wire.
    sim.control.add_fault(&fault).await.unwrap();

    let op_dir = tempfile::tempdir().unwrap();
    let op = operator(&invite, op_dir.path(), None, Duration::from_secs(20)).await;
    let asking = {
        let op = op.clone();
        tokio::spawn(async move { op.buy(S1).await })
    };
    // Killed once the purchase was sent (its attempt, the request's id, counts a try).
    let deadline = Instant::now() + Duration::from_secs(15);
    let request_id = loop {
        let sent = op.requests(false).unwrap().into_iter().find(|r| {
            r.state == RequestState::Taken
                && op
                    .attempts(None)
                    .unwrap()
                    .iter()
                    .any(|a| a.id == r.id && a.tries >= 1)
        });
        if let Some(r) = sent {
            break r.id;
        }
        assert!(
            Instant::now() < deadline,
            "the worker never sent the purchase"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    // The next holder: settles the interrupted attempt as unknown and the request with it.
    let owner = Engine::open(owner_config(&sim, team_dir.path()))
        .await
        .unwrap();
    let res = tokio::time::timeout(Duration::from_secs(40), asking)
        .await
        .expect("the operator hears of the outcome")
        .unwrap();
    let e = res.unwrap_err();
    assert_eq!(e.code(), ErrorCode::OutcomeUnknown, "{e}");
    assert_eq!(e.attempt_id(), Some(request_id.as_str()));
    let a = owner
        .attempts(None)
        .unwrap()
        .into_iter()
        .find(|a| a.id == request_id)
        .unwrap();
    assert_eq!(a.state, AttemptState::OutcomeUnknown);
    // Never sent again: only ever with the attempt's key.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let used = sim.control.idempotency().await.unwrap();
    assert!(used.len() <= 1, "{used:?}");
    assert!(used.iter().all(|u| u.idempotency_key == a.idempotency_key));
    let creates: Vec<_> = sim
        .control
        .requests()
        .await
        .unwrap()
        .requests
        .into_iter()
        .filter(|r| r.path.contains("order/create"))
        .collect();
    assert!(creates
        .iter()
        .all(|r| r.idempotency_key.as_deref() == Some(a.idempotency_key.as_str())));
    let r = op
        .requests(false)
        .unwrap()
        .into_iter()
        .find(|r| r.id == request_id)
        .unwrap();
    assert_eq!(r.state, RequestState::Failed);
    op.shutdown().await;
    owner.shutdown().await;
    (sim, a.idempotency_key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_while_the_purchase_is_on_the_wire_leaves_it_unknown_and_never_resends() {
    if !pg::available() {
        return;
    }
    // A slow reply: the worker dies before it comes (the connection dies with it).
    let fault = FaultRule::new(FaultKind::Delay { ms: 3_000 }).path("order/create");
    let (sim, _) = kill_the_holder_mid_purchase(fault).await;
    assert!(charges_to(&sim, ZAP_KEY).await <= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_after_the_provider_charged_never_charges_twice() {
    if !pg::available() {
        return;
    }
    // Charged, the reply lost every time: the worker retries with the same key until killed.
    let fault = FaultRule::new(FaultKind::DropAfterCommit).path("order/create");
    let (sim, key) = kill_the_holder_mid_purchase(fault).await;
    assert_eq!(
        charges_to(&sim, ZAP_KEY).await,
        1,
        "charged once, not twice"
    );
    let used = sim.control.idempotency().await.unwrap();
    assert_eq!(used.len(), 1);
    assert_eq!(
        (used[0].idempotency_key.as_str(), used[0].charges),
        (key.as_str(), 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owners_tracker_keeps_asking_while_its_server_is_lost_and_stores_the_code_once_back() {
    if !pg::available() {
        return;
    }
    let sim = sim(100_000).await;
    let team_dir = tempfile::tempdir().unwrap();
    let mut cfg = owner_config(&sim, team_dir.path());
    // A long back-off: catching up must not wait for it.
    cfg.tracking.max_backoff = Duration::from_secs(60);
    cfg.tracking.long_poll = false;
    let url = pg::team_url_for(team_dir.path());
    let port: u16 = url
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("port="))
        .unwrap()
        .parse()
        .unwrap();
    let mut relay = Relay::start(port, 0).await;
    cfg.team = Some(
        otpdesk_engine::db::PgConfig::parse(
            &url.replace(&format!("port={port}"), &format!("port={}", relay.port)),
        )
        .unwrap(),
    );
    let owner = Engine::open(cfg).await.unwrap();
    let order = owner.buy(S1).await.unwrap();
    let mut events = owner.subscribe();
    relay.cut();
    next_event(&mut events, 10, |e| {
        matches!(e, EngineEvent::TeamConnection { online: false })
    })
    .await;
    // Lost: the code arrives at the provider; the tracker keeps asking about the number.
    let asked = |log: &otpdesk_sim::control::types::RequestsView| {
        log.requests
            .iter()
            .filter(|r| r.method == "GET" && r.path.contains("order"))
            .count()
    };
    let before = asked(&sim.control.requests().await.unwrap());
    sim.control
        .deliver_otp(order.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = sim.control.requests().await.unwrap();
    let during = asked(&log);
    assert!(
        during > before,
        "the tracker stopped asking while the server was lost"
    );
    assert_eq!(
        owner.buy(S1).await.unwrap_err().code(),
        ErrorCode::TeamOffline
    );
    // Back: the code is stored at once (not after the back-off).
    relay.restore().await;
    let t = Instant::now();
    let code = owner
        .wait_for_otp(&order.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(code.code.is_some());
    eprintln!("code stored {:?} after the server came back", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(10));
    owner.shutdown().await;
}
