//! Crash safety: a worker process buying and tracking orders is SIGKILLed at random moments, 60
//! times. After every restart it resumes from the store. At the end, every order the simulator
//! charged is in the store, every OTP the simulator delivered is stored exactly once, and no
//! purchase was charged twice.

mod common;

use common::*;
use otpdesk_core::ProviderId;
use otpdesk_engine::*;
use otpdesk_sim::control::types::LedgerKind as SimKind;
use rand::Rng;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 60;
const TARGET: usize = 120;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_nothing_and_repeats_nothing() {
    let started = Instant::now();
    let sim = sim(10_000_000).await;
    let dir = tempfile::tempdir().unwrap();

    // Some NumberOTP activations (long-polled) bought before the crashes start.
    {
        let engine = engine(&sim, dir.path()).await;
        for _ in 0..10 {
            engine.buy(numberotp_wa()).await.unwrap();
        }
        engine.shutdown().await;
    }

    // Slow purchase replies widen the window between "charged" and "stored", where a kill hurts.
    use otpdesk_sim::control::types::{FaultKind, FaultRule};
    sim.control
        .add_fault(
            &FaultRule::new(FaultKind::Delay { ms: 120 })
                .path("order/create")
                .probability(0.5),
        )
        .await
        .unwrap();
    let mut rng = rand::thread_rng();
    let mut delivered: HashMap<String, usize> = HashMap::new();
    let mut kills = 0;
    while kills < KILLS {
        let mut worker = Command::new(env!("CARGO_BIN_EXE_otpdesk-engine-worker"));
        if common::pg::enabled() {
            worker.env("OTPDESK_STORE", common::pg::team_url_for(dir.path()));
        }
        let mut child = worker
            .env("OTPDESK_DATA_DIR", dir.path())
            .env("OTPDESK_OTPZAP_URL", sim.handle.otpzap_url())
            .env("OTPDESK_OTPZAP_KEY", ZAP_KEY)
            .env("OTPDESK_NUMBEROTP_URL", sim.handle.numberotp_url())
            .env("OTPDESK_NUMBEROTP_KEY", NOTP_KEY)
            .env("OTPDESK_BUY_TARGET", TARGET.to_string())
            .env("OTPDESK_POLL_MS", "100")
            .env("OTPDESK_PER_MINUTE", "600000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("worker");
        let life = Duration::from_millis(rng.gen_range(60..500));
        let deadline = Instant::now() + life;
        // Codes arrive while the worker runs (and maybe while it dies).
        while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(10..80))).await;
            let charges = sim.control.ledger(None).await.unwrap();
            let refs: Vec<_> = charges
                .iter()
                .filter(|c| c.kind == SimKind::Charge)
                .map(|c| c.order_ref.clone())
                .collect();
            if refs.is_empty() {
                continue;
            }
            let r = &refs[rng.gen_range(0..refs.len())];
            // NumberOTP keeps one code per activation; OTPZap numbers take several.
            let max = if r.starts_with("act_") { 1 } else { 3 };
            if delivered.get(r).copied().unwrap_or(0) < max
                && sim.control.deliver_otp(r).await.is_ok()
            {
                *delivered.entry(r.clone()).or_default() += 1;
            }
        }
        child.kill().expect("SIGKILL"); // std's kill() is SIGKILL on Unix
        child.wait().unwrap();
        kills += 1;
    }
    let crash_phase = started.elapsed();

    sim.control.clear_faults().await.unwrap();
    // A last start settles what was in flight: nothing is sent again. A purchase killed after it
    // was sent is an unknown outcome (listed for the user), one killed before is failed.
    let engine = engine(&sim, dir.path()).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut charges;
    let mut unknown_keys;
    loop {
        charges = sim
            .control
            .ledger(None)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.kind == SimKind::Charge)
            .collect::<Vec<_>>();
        let pending = engine.attempts(Some(AttemptState::Pending)).unwrap().len();
        unknown_keys = engine
            .attempts(Some(AttemptState::OutcomeUnknown))
            .unwrap()
            .into_iter()
            .map(|a| a.idempotency_key)
            .collect::<std::collections::HashSet<_>>();
        let on_board =
            |c: &otpdesk_sim::control::types::LedgerEntry| engine.order(&c.order_ref).is_ok();
        let all_accounted = charges.iter().all(|c| {
            on_board(c)
                || c.idempotency_key
                    .as_ref()
                    .is_some_and(|k| unknown_keys.contains(k))
        });
        let all_codes = delivered
            .iter()
            .all(|(r, n)| engine.order(r).map(|o| o.otps.len() >= *n).unwrap_or(true));
        if pending == 0 && all_accounted && all_codes {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not settled: pending {pending}, accounted {all_accounted}, codes {all_codes}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give any late (forbidden) re-send a chance to show up before checking for it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = sim.control.ledger(None).await.unwrap();
    assert_eq!(
        after.iter().filter(|c| c.kind == SimKind::Charge).count(),
        charges.len(),
        "nothing is bought after the restart"
    );

    let mut unknown_charged = 0;
    for c in &charges {
        match engine.order(&c.order_ref) {
            Ok(o) => assert_eq!(
                o.otps.len(),
                delivered.get(&c.order_ref).copied().unwrap_or(0),
                "order {}",
                c.order_ref
            ),
            // Charged but never stored: its attempt is in the unknown list (checked above).
            Err(_) => unknown_charged += 1,
        }
    }
    // No purchase repeated: one charge per key.
    let mut keys = std::collections::HashSet::new();
    for c in charges.iter().filter(|c| c.provider == ProviderId::Otpzap) {
        assert!(
            keys.insert(c.idempotency_key.clone().expect("key sent")),
            "key charged twice"
        );
    }
    let attempts = engine.attempts(None).unwrap();
    assert!(
        attempts.iter().all(|a| a.state != AttemptState::Pending),
        "every attempt settled"
    );
    let stored = engine
        .orders(&OrderFilter {
            limit: Some(100_000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(stored.len() + unknown_charged, charges.len());
    println!(
        "crash test: {kills} SIGKILLs in {crash_phase:?}; {} orders stored, {unknown_charged} charged purchases listed as unknown, {} OTPs delivered and stored once; total {:?}",
        stored.len(),
        delivered.values().sum::<usize>(),
        started.elapsed()
    );
    engine.shutdown().await;
}

/// A lease holder whose process is killed (SIGKILL on Unix, TerminateProcess on Windows) is seen
/// gone at once: another process takes its tracking lease while the lease has not expired yet,
/// without waiting out its heartbeat. Asked of the OS by process id (`kill(pid, 0)` on Unix,
/// `OpenProcess` + `GetExitCodeProcess` on Windows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_is_seen_gone_at_once() {
    use std::io::BufRead;
    let sim = sim(10_000_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_otpdesk-engine-worker"))
        .env("OTPDESK_DATA_DIR", dir.path())
        .env("OTPDESK_OTPZAP_URL", sim.handle.otpzap_url())
        .env("OTPDESK_OTPZAP_KEY", ZAP_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker");
    // "ready" comes once Engine::open returned, and open takes the free lease before that.
    let mut ready = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert!(ready.contains("\"ready\""), "{ready}");
    let coord = otpdesk_engine::coord::Coord::open(dir.path(), Duration::from_secs(5)).unwrap();
    let within = Duration::from_secs(3600);
    assert_eq!(
        coord.holder_pid(ProviderId::Otpzap).unwrap(),
        Some(child.id())
    );
    assert!(!coord
        .lease(ProviderId::Otpzap, Duration::from_secs(60))
        .unwrap());
    assert_eq!(coord.live(within).unwrap().len(), 2, "the worker and us");

    child.kill().expect("kill"); // SIGKILL / TerminateProcess: no shutdown, no release
    child.wait().unwrap();
    // Its lease still runs (lease_ttl is 6 s) and its heartbeat is fresh...
    assert_eq!(
        coord.holder_pid(ProviderId::Otpzap).unwrap(),
        Some(child.id()),
        "the lease was released, so this proves nothing"
    );
    // ...yet it is gone: not live, and its lease is taken over now.
    assert_eq!(coord.live(within).unwrap(), vec![coord.me.clone()]);
    assert!(coord
        .lease(ProviderId::Otpzap, Duration::from_secs(60))
        .unwrap());
    assert_eq!(
        coord.holder_pid(ProviderId::Otpzap).unwrap(),
        Some(std::process::id())
    );
}
