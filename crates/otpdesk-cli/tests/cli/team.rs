//! The command line on a team's order book (`OTPDESK_STORE`, a real PostgreSQL started by the
//! engine's test harness): two computers' `otpdesk` and a desktop's engine share one order book.
//! What one buys, the others list and track; `customers` and `paid` work on it too; an operator's
//! `otpdesk catalog` reads through the owner's desktop.

use crate::harness::*;
use otpdesk_engine::Engine;

#[path = "../../../otpdesk-engine/tests/common/pg.rs"]
pub mod pg;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_computers_and_a_desktop_share_the_team_order_book() {
    if !pg::available() {
        eprintln!("no PostgreSQL server can run here (wine): team mode is tested on Linux");
        return;
    }
    let h = Harness::new(None).await;
    let team = tempfile::tempdir().unwrap();
    let url = pg::team_url_for(team.path());
    // Each `otpdesk` has its own data folder, as on two computers: only the team store is shared.
    let on = |args: &[&str]| {
        let mut cmd = h.command(args);
        let own = tempfile::tempdir().unwrap().keep();
        cmd.env("OTPDESK_STORE", &url)
            .env("OTPDESK_DATA_DIR", own)
            .env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY);
        cmd
    };
    let args = buy_s1(&["--customer", "Budi"]);
    let r = Run::of(on(&args), &args).await.ok();
    let id = field(&r.records()[0], "order_id").to_string();

    // Another computer lists it from the team store.
    let args = ["--json", "orders"];
    let listed = Run::of(on(&args), &args).await.ok().records();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["order_id"], id.as_str());
    let args = ["--json", "customers"];
    let customers = Run::of(on(&args), &args).await.ok().records();
    assert_eq!(customers[0]["name"], "Budi", "{customers:?}");

    // A desktop's engine on the same team store sees it and tracks its code.
    let mut cfg = otpdesk_engine::EngineConfig::new(tempfile::tempdir().unwrap().keep());
    cfg.team = Some(pg::team_for(team.path()));
    cfg = cfg.provider(otpdesk_engine::ProviderConfig::new(
        otpdesk_core::ProviderId::Otpzap,
        h.sim.otpzap_url(),
        otpdesk_core::ApiKey::new(DEMO_OTPZAP_KEY).unwrap(),
    ));
    let desk = Engine::open(cfg).await.unwrap();
    let order = desk.order(&id).unwrap();
    assert_eq!(
        desk.sold_by(std::slice::from_ref(&order.id)).unwrap().len(),
        1
    );
    h.control()
        .deliver_otp(order.remote_ref.as_deref().unwrap())
        .await
        .unwrap();
    let args = ["--json", "wait", &id, "--timeout", "20"];
    let waited = Run::of(on(&args), &args).await.ok().records();
    assert!(waited.iter().any(|l| l["type"] == "otp"), "{waited:?}");
    desk.shutdown().await;
}

/// An operator's computer holds no provider key: its `otpdesk buy` is carried out by the
/// owner's desktop (the key holder) and printed as if bought here, attributed to the operator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_otpdesk_buys_through_the_owners_desktop() {
    if !pg::available() {
        return;
    }
    let h = Harness::new(None).await;
    let team = tempfile::tempdir().unwrap();
    let mut cfg = otpdesk_engine::EngineConfig::new(tempfile::tempdir().unwrap().keep());
    cfg.team = Some(pg::team_for(team.path()));
    cfg = cfg.provider(otpdesk_engine::ProviderConfig::new(
        otpdesk_core::ProviderId::Otpzap,
        h.sim.otpzap_url(),
        otpdesk_core::ApiKey::new(DEMO_OTPZAP_KEY).unwrap(),
    ));
    let desk = Engine::open(cfg).await.unwrap();
    let inv = otpdesk_engine::team::Invite::decode(&desk.team_invite("Eka").unwrap()).unwrap();

    let args = buy_s1(&["--customer", "Sari"]);
    let mut cmd = h.command(&args);
    cmd.env("OTPDESK_STORE", inv.connection_string())
        .env("OTPDESK_DATA_DIR", tempfile::tempdir().unwrap().keep());
    let r = Run::of(cmd, &args).await.ok();
    let printed = field(&r.records()[0], "order_id").to_string();
    let id = desk.order(&printed).unwrap().id;
    assert_eq!(
        desk.sold_by(std::slice::from_ref(&id)).unwrap(),
        vec![(id.clone(), inv.user.clone())]
    );
    // Bought once, by the desktop that has the key, under the request's id.
    let attempts = desk.attempts(None).unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    let requests = desk.requests(false).unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].id, attempts[0].id);
    let used = h.control().idempotency().await.unwrap();
    assert_eq!(used.len(), 1);
    assert_eq!((used[0].creates, used[0].charges), (1, 1));
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_otpdesk_lists_the_teams_offers_through_the_owners_desktop() {
    if !pg::available() {
        return;
    }
    let h = Harness::new(None).await;
    let team = tempfile::tempdir().unwrap();
    let mut cfg = otpdesk_engine::EngineConfig::new(tempfile::tempdir().unwrap().keep());
    cfg.team = Some(pg::team_for(team.path()));
    cfg = cfg.provider(otpdesk_engine::ProviderConfig::new(
        otpdesk_core::ProviderId::Otpzap,
        h.sim.otpzap_url(),
        otpdesk_core::ApiKey::new(DEMO_OTPZAP_KEY).unwrap(),
    ));
    let desk = Engine::open(cfg).await.unwrap();
    let inv = otpdesk_engine::team::Invite::decode(&desk.team_invite("Joko").unwrap()).unwrap();

    // No OTPZap key on the operator's computer: the price tiers come from the owner's desktop.
    let args = [
        "--json",
        "catalog",
        "s1",
        "products",
        "--platform",
        "1",
        "--country",
        "7",
    ];
    let mut cmd = h.command(&args);
    cmd.env("OTPDESK_STORE", inv.connection_string())
        .env("OTPDESK_DATA_DIR", tempfile::tempdir().unwrap().keep());
    let r = Run::of(cmd, &args).await.ok();
    let printed: Vec<(String, serde_json::Value)> = r
        .records()
        .iter()
        .map(|v| (field(v, "id").to_string(), v["price"].clone()))
        .collect();
    let owners = desk.catalog().s1_products("7", "1").await.unwrap();
    assert!(!owners.is_empty());
    assert_eq!(printed.len(), owners.len(), "{printed:?}");
    for ((id, _), item) in printed.iter().zip(&owners) {
        let otpdesk_engine::BuyRequest::OtpzapS1 { product_id, .. } = &item.target else {
            panic!("{item:?}")
        };
        assert_eq!(id, &product_id.to_string());
    }
    // Nothing was bought, nothing is left in the team's requests.
    assert!(desk.requests(false).unwrap().is_empty());
    assert!(desk.attempts(None).unwrap().is_empty());
    desk.shutdown().await;
}
