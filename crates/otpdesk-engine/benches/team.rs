//! `cargo bench -p otpdesk-engine --bench team` (release): team mode on a real PostgreSQL (the
//! test harness's throwaway server, tests/common/pg.rs), with the product's tracking defaults
//! (OTPZap polled every 5 s, a budget of 262 requests/min per key, tracking lease 6 s renewed
//! every 2 s). Prints:
//! - code to another desktop: the simulator delivers a code, desktop A (the tracker) stores it
//!   (its `OtpReceived`), desktop B (another engine on the same team store) announces it (its
//!   `OtpReceived`). p50/p99 of "stored on A → seen on B" (the fan-out through the store and
//!   LISTEN/NOTIFY; target < 200 ms) and of "delivered at the provider → seen on B" (dominated
//!   by A's poll interval, 5 s).
//! - requests per minute to one OTPZap key with 1 and 5 desktops holding it, 40 open orders (one
//!   poll each per 5 s would be 480/min), counted over 60 s from the simulator's request log; the
//!   provider's limit is 300/min (the simulator enforces it: 429s are counted).
//! - takeover: among 3 desktop processes the tracker's is SIGKILLed 5 times; time from the kill
//!   to another desktop's lease (server clock), p50 and max.

#[path = "../tests/common/pg.rs"]
mod pg;

#[allow(dead_code)]
#[path = "../tests/common/desktops.rs"]
mod desktops;

use otpdesk_core::{ApiKey, Money, ProviderId};
use otpdesk_engine::db::{Connection, PgConn};
use otpdesk_engine::*;
use otpdesk_sim::SimConfig;
use rand::Rng;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ZAP_KEY: &str = "bench_otpzap_key_0123456789";
/// OTPZap Server 1, WhatsApp Indonesia.
const S1: BuyRequest = BuyRequest::OtpzapS1 {
    product_id: 814_090_256,
    country_id: 7,
    platform_id: 1,
};
const PROVIDER_LIMIT: u32 = 300;

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

/// A desktop of the team stored in `team` (a test data directory naming the team's schema),
/// its own data directory `home`, with the OTPZap key or without any.
async fn desktop(
    sim: &otpdesk_sim::SimHandle,
    team: &std::path::Path,
    home: &std::path::Path,
    key: bool,
) -> Engine {
    let mut cfg = EngineConfig::new(home);
    if key {
        cfg = cfg.provider(ProviderConfig::new(
            ProviderId::Otpzap,
            sim.otpzap_url(),
            ApiKey::new(ZAP_KEY).unwrap(),
        ));
    }
    cfg.team = Some(pg::team_for(team));
    Engine::open(cfg).await.unwrap()
}

/// Every `OtpReceived` of `engine`: when it was announced (this machine's clock) and when the
/// tracker stored the code (`stored_at`, the tracker's clock: the same machine here).
type Seen = Arc<
    Mutex<
        HashMap<
            (String, i64),
            (
                Instant,
                chrono::DateTime<chrono::Utc>,
                chrono::DateTime<chrono::Utc>,
            ),
        >,
    >,
>;

fn record(engine: &Engine) -> (Seen, tokio::task::JoinHandle<()>) {
    let seen: Seen = Default::default();
    let mut rx = engine.subscribe();
    let s = seen.clone();
    let task = tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(EngineEvent::OtpReceived { order_id, otp, .. }) => {
                    let now = (Instant::now(), chrono::Utc::now());
                    s.lock()
                        .unwrap()
                        .insert((order_id, otp.seq), (now.0, now.1, otp.stored_at));
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    });
    (seen, task)
}

/// (stored on A → seen on B, delivered → seen on B), ms each, over `batches` of `per_batch`
/// fresh orders bought on A, each getting one code at a random phase of A's poll cycle (an
/// order waiting for its code is polled every 5 s; one that has its code only every 15 s, so
/// each batch is finished before the next is bought, as a reseller finishes sold numbers).
async fn fan_out(
    sim: &otpdesk_sim::SimHandle,
    batches: usize,
    per_batch: usize,
) -> (Vec<f64>, Vec<f64>) {
    let control = sim.control();
    let team = tempfile::tempdir().unwrap();
    let (home_a, home_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = desktop(sim, team.path(), home_a.path(), true).await;
    // B has no key: it never tracks, it only hears.
    let b = desktop(sim, team.path(), home_b.path(), false).await;
    assert!(a.is_tracker(ProviderId::Otpzap));
    let (on_b, task_b) = record(&b);
    let (mut fan, mut end) = (Vec::new(), Vec::new());
    for _ in 0..batches {
        let mut orders = Vec::new();
        for _ in 0..per_batch {
            orders.push(a.buy(S1).await.unwrap());
        }
        // Codes at random moments over one poll interval after the first poll.
        let mut at: Vec<(Duration, usize)> = (0..orders.len())
            .map(|i| {
                (
                    Duration::from_millis(rand::thread_rng().gen_range(1_000..6_000)),
                    i,
                )
            })
            .collect();
        at.sort();
        let start = Instant::now();
        let mut sent = Vec::new();
        for (offset, i) in at {
            tokio::time::sleep_until((start + offset).into()).await;
            let o = &orders[i];
            let t = Instant::now();
            control
                .deliver_otp(o.remote_ref.as_deref().unwrap_or(&o.remote_id))
                .await
                .expect("deliver");
            sent.push((o.id.clone(), t));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let all = {
                let b = on_b.lock().unwrap();
                sent.iter().all(|(id, _)| b.contains_key(&(id.clone(), 0)))
            };
            if all {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        {
            let b_seen = on_b.lock().unwrap();
            for (id, t) in &sent {
                if let Some((seen, seen_wall, stored)) = b_seen.get(&(id.clone(), 0)) {
                    end.push(seen.saturating_duration_since(*t).as_secs_f64() * 1000.0);
                    fan.push(
                        (*seen_wall - *stored).num_microseconds().unwrap_or(0) as f64 / 1000.0,
                    );
                }
            }
        }
        for o in &orders {
            a.finish(&o.id).await.unwrap();
        }
    }
    task_b.abort();
    a.shutdown().await;
    b.shutdown().await;
    (fan, end)
}

/// (requests, 429 replies) the simulator got for the OTPZap key in 60 s while `n` desktops hold
/// the key and 40 orders are open.
async fn requests_per_minute(sim: &otpdesk_sim::SimHandle, n: usize) -> (usize, usize) {
    let control = sim.control();
    let team = tempfile::tempdir().unwrap();
    let homes: Vec<_> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut engines = Vec::new();
    for h in &homes {
        engines.push(desktop(sim, team.path(), h.path(), true).await);
    }
    for i in 0..40 {
        // Bought from every desktop in turn (each buys directly: they all hold the key).
        engines[i % n].buy(S1).await.unwrap();
    }
    // Tracking settles into its steady pace.
    tokio::time::sleep(Duration::from_secs(10)).await;
    control.clear_requests().await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let log = control.requests().await.unwrap();
    let fp = otpdesk_sim::ledger::key_fingerprint(ZAP_KEY);
    let mine: Vec<_> = log
        .requests
        .iter()
        .filter(|r| r.provider == ProviderId::Otpzap && r.key_fp.as_deref() == Some(fp.as_str()))
        .collect();
    let trackers = engines
        .iter()
        .filter(|e| e.is_tracker(ProviderId::Otpzap))
        .count();
    assert_eq!(trackers, 1, "one tracker for the team");
    for e in engines {
        e.shutdown().await;
    }
    (mine.len(), mine.iter().filter(|r| r.status == 429).count())
}

/// Takeover times (ms) of `kills` SIGKILLs of the tracker's process among 3 desktops.
async fn takeovers(sim: &otpdesk_sim::SimHandle, kills: usize) -> Vec<f64> {
    let team = tempfile::tempdir().unwrap();
    let url = pg::team_url_for(team.path());
    let db = Connection::Pg(PgConn::connect(&pg::team_for(team.path())).unwrap());
    let homes: Vec<_> = (0..3 + kills)
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let mut homes = homes.iter();
    let spawn = |home: &std::path::Path| {
        let d = desktops::Desktop::spawn(
            &sim.otpzap_url(),
            ZAP_KEY,
            &url,
            home,
            &[("OTPDESK_BUY_TARGET", "5")],
        );
        d.wait_ready();
        d
    };
    let mut running: Vec<_> = (0..3)
        .map(|_| spawn(homes.next().unwrap().path()))
        .collect();
    let mut out = Vec::new();
    for _ in 0..kills {
        // A random moment of the holder's 2 s renewal cycle.
        let wait = rand::thread_rng().gen_range(0..2_000);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let (took, _) = desktops::kill_tracker(&db, &mut running, Duration::from_secs(30)).await;
        out.push(took.as_secs_f64() * 1000.0);
        running.push(spawn(homes.next().unwrap().path()));
    }
    out
}

fn main() {
    if !pg::available() {
        println!("team bench: no PostgreSQL server can run here (apt-get install postgresql)");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = otpdesk_sim::spawn(SimConfig {
            otp_delay: None,
            rate_limit_per_min: PROVIDER_LIMIT,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        sim.control()
            .add_account(ProviderId::Otpzap, ZAP_KEY, Money::idr(1_000_000_000))
            .await
            .unwrap();
        let tracking = TrackingConfig::default();
        let version: String = Connection::Pg(
            PgConn::connect(&otpdesk_engine::db::PgConfig::parse(pg::server()).unwrap()).unwrap(),
        )
        .query_row("SHOW server_version", (), |r| r.get(0))
        .unwrap();
        println!(
            "otpdesk team bench: PostgreSQL {version} on loopback; product defaults: OTPZap poll {:?}, budget {}/min per key, lease {:?} renewed every {:?}\n",
            tracking.poll_interval,
            Budget::DEFAULT.per_minute,
            tracking.lease_ttl,
            tracking.lease_renew
        );

        let (mut fan, mut end) = fan_out(&sim, 4, 15).await;
        println!(
            "{:<46} {:>7} {:>9} {:>9} {:>10}",
            "code to another desktop (A tracks, B hears)", "samples", "p50 ms", "p99 ms", "target"
        );
        println!(
            "{:<46} {:>7} {:>9.1} {:>9.1} {:>10}",
            "  stored on A -> seen on B (fan-out)",
            fan.len(),
            pct(&mut fan, 0.5),
            pct(&mut fan, 0.99),
            "< 200"
        );
        println!(
            "{:<46} {:>7} {:>9.1} {:>9.1} {:>10}",
            "  delivered at provider -> seen on B",
            end.len(),
            pct(&mut end, 0.5),
            pct(&mut end, 0.99),
            format!("~poll {}s", tracking.poll_interval.as_secs())
        );

        println!(
            "\n{:<46} {:>8} {:>9} {:>6} {:>8} {:>7}",
            "requests to one OTPZap key, 40 open orders", "desktops", "req/min", "429s", "budget", "limit"
        );
        for n in [1, 5] {
            let (reqs, limited) = requests_per_minute(&sim, n).await;
            println!(
                "{:<46} {:>8} {:>9} {:>6} {:>8} {:>7}",
                "  counted by the simulator over 60 s",
                n,
                reqs,
                limited,
                Budget::DEFAULT.per_minute,
                PROVIDER_LIMIT
            );
        }

        let mut t = takeovers(&sim, 5).await;
        println!(
            "\n{:<46} {:>7} {:>9} {:>9} {:>10}",
            "takeover (tracker's process SIGKILLed)", "kills", "p50 s", "max s", "target"
        );
        println!(
            "{:<46} {:>7} {:>9.2} {:>9.2} {:>10}",
            "  kill -> another desktop holds the lease",
            t.len(),
            pct(&mut t, 0.5) / 1000.0,
            pct(&mut t, 1.0) / 1000.0,
            "<= 10"
        );
    });
}
