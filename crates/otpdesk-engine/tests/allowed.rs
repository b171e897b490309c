//! The actions an order view offers are the ones the engine carries out: for each provider and
//! status, against the simulator over real HTTP, every offered action (once unlocked) succeeds
//! and every other one is refused with the typed error before anything is sent.

mod common;

use common::*;
use otpdesk_core::OrderStatus;
use otpdesk_engine::*;
use std::future::Future;
use std::time::Duration;

async fn run(e: &Engine, id: &str, k: ActionKind) -> Result<OrderView> {
    match k {
        ActionKind::Cancel => e.cancel(id).await,
        ActionKind::Finish => e.finish(id).await,
        ActionKind::Resend => e.resend(id).await,
        ActionKind::Replace => e.replace(id).await,
        ActionKind::Reorder => e.email_reorder(id).await,
    }
}

/// A fresh order from `make` for every action: the view lists `expect`; each listed action that
/// is unlocked succeeds, a listed one still locked answers its typed "not yet", and each unlisted
/// one is refused as not allowed (or locked until a new code).
async fn prove<F, Fut>(engine: &Engine, label: &str, make: F, expect: &[ActionKind])
where
    F: Fn() -> Fut,
    Fut: Future<Output = OrderView>,
{
    let sample = make().await;
    let listed: Vec<ActionKind> = sample.actions.iter().map(|a| a.kind).collect();
    assert_eq!(listed, expect, "{label}: offered");
    assert_eq!(sample.is_final, sample.status.is_final(), "{label}");
    for k in ActionKind::ALL {
        let o = make().await;
        let offered = o.actions.iter().find(|a| a.kind == k).copied();
        let res = run(engine, &o.id, k).await;
        match offered {
            Some(a) if a.unlock_at.is_none_or(|t| t <= chrono::Utc::now()) => {
                if let Err(e) = res {
                    panic!("{label}: {k:?} was offered but failed: {e}");
                }
            }
            Some(a) => match res {
                Err(EngineError::CancelCooldown { unlocks_at }) => {
                    assert_eq!(Some(unlocks_at), a.unlock_at, "{label}")
                }
                Err(EngineError::ResendLocked { unlocks_at }) => {
                    assert_eq!(unlocks_at, a.unlock_at, "{label}")
                }
                other => panic!("{label}: {k:?} offered from {a:?}, got {other:?}"),
            },
            None => match res {
                Err(EngineError::NotAllowed { action, .. }) => {
                    assert_eq!(action, k.as_str(), "{label}")
                }
                Err(EngineError::ResendLocked { .. }) if k == ActionKind::Resend => {
                    assert!(o.resend_waiting_for_otp, "{label}")
                }
                other => panic!("{label}: {k:?} not offered, got {other:?}"),
            },
        }
    }
}

async fn with_code(sim: &Sim, engine: &Engine, o: OrderView) -> OrderView {
    let key = o.remote_ref.clone().unwrap_or_else(|| o.remote_id.clone());
    let key = if o.provider == otpdesk_core::ProviderId::Numberotp {
        o.remote_id.clone()
    } else {
        key
    };
    sim.control.deliver_otp(&key).await.unwrap();
    engine
        .wait_for_otp(&o.id, None, Duration::from_secs(10))
        .await
        .unwrap();
    engine.order(&o.id).unwrap()
}

fn email() -> BuyRequest {
    BuyRequest::OtpzapEmail {
        site: "openai.com".into(),
        domain: "gmail.com".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_offered_action_is_accepted_and_every_other_refused() {
    use ActionKind::*;
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    // The default 2-minute cancel cooldown: cancel is offered, locked.
    let e = engine(&sim, dir.path()).await;
    let e = &e;
    let s = &sim;

    prove(
        e,
        "S1 pending",
        || async { e.buy(S1).await.unwrap() },
        &[Cancel, Replace, Resend],
    )
    .await;
    prove(
        e,
        "S1 code",
        || async { with_code(s, e, e.buy(S1).await.unwrap()).await },
        &[Resend, Finish],
    )
    .await;
    prove(
        e,
        "S2 pending",
        || async { e.buy(s2_wa()).await.unwrap() },
        &[Cancel, Resend],
    )
    .await;
    prove(
        e,
        "S2 code",
        || async { with_code(s, e, e.buy(s2_wa()).await.unwrap()).await },
        &[Resend, Finish],
    )
    .await;
    prove(
        e,
        "S1 resend waiting for a code",
        || async {
            let o = e.buy(S1).await.unwrap();
            e.resend(&o.id).await.unwrap()
        },
        &[Cancel, Replace],
    )
    .await;
    prove(
        e,
        "email pending",
        || async { e.buy(email()).await.unwrap() },
        &[Cancel, Reorder],
    )
    .await;
    prove(
        e,
        "email message",
        || async { with_code(s, e, e.buy(email()).await.unwrap()).await },
        &[Reorder, Finish],
    )
    .await;
    prove(
        e,
        "email reordered",
        || async {
            let o = with_code(s, e, e.buy(email()).await.unwrap()).await;
            let o = e.email_reorder(&o.id).await.unwrap();
            assert_eq!(o.status, OrderStatus::Pending);
            o
        },
        &[Reorder, Finish],
    )
    .await;
    prove(
        e,
        "NumberOTP pending",
        || async { e.buy(numberotp_wa()).await.unwrap() },
        &[],
    )
    .await;
    prove(
        e,
        "NumberOTP code",
        || async { with_code(s, e, e.buy(numberotp_wa()).await.unwrap()).await },
        &[],
    )
    .await;
    prove(
        e,
        "S1 completed",
        || async {
            let o = with_code(s, e, e.buy(S1).await.unwrap()).await;
            e.finish(&o.id).await.unwrap()
        },
        &[],
    )
    .await;
    prove(
        e,
        "email cancelled",
        || async {
            let o = e.buy(email()).await.unwrap();
            e.cancel(&o.id).await.unwrap()
        },
        &[],
    )
    .await;
    e.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlocked_cancel_is_accepted_and_a_cancelled_order_offers_nothing() {
    use ActionKind::*;
    let sim = sim(100_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, dir.path(), Budget::per_minute(60_000.0), 5_000);
    cfg.tracking.cancel_cooldown = Duration::ZERO;
    let e = Engine::open(cfg).await.unwrap();
    let e = &e;
    let s = &sim;
    prove(
        e,
        "S1 pending after the cooldown",
        || async {
            let o = e.buy(S1).await.unwrap();
            s.control.advance_clock(125).await.unwrap();
            o
        },
        &[Cancel, Replace, Resend],
    )
    .await;
    prove(
        e,
        "S1 cancelled",
        || async {
            let o = e.buy(S1).await.unwrap();
            s.control.advance_clock(125).await.unwrap();
            let o = e.cancel(&o.id).await.unwrap();
            assert_eq!(o.status, OrderStatus::Cancelled);
            o
        },
        &[],
    )
    .await;
    e.shutdown().await;
}
