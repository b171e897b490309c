//! `cargo bench -p otpdesk-engine --bench engine` (release). Prints, per tracking path (OTPZap
//! polling, NumberOTP long-poll) at 1, 50 and 500 active orders: OTP-arrival-to-event latency
//! p50/p99, requests per minute per key, CPU seconds and peak RSS; then the time to list/filter
//! 100,000 stored orders.
//!
//! Latency is measured from the simulator committing a delivered code to the engine's
//! `OtpReceived` event (store commit included). The polling path is budget-bound, so its clock is
//! scaled: poll interval and rate budget are both 20x the production values (250 ms, 5,400/min),
//! and the figure to compare is p99 against the bound that budget allows,
//! `max(interval, orders / rate)`. CPU and RSS include the in-process simulator.

use otpdesk_core::{ApiKey, Money, ProviderId};
use otpdesk_engine::remote::RemoteOrder;
use otpdesk_engine::store::{NewOrder, Store};
use otpdesk_engine::*;
use otpdesk_providers::HttpOptions;
use otpdesk_sim::catalog::Catalog;
use otpdesk_sim::control::types::ConfigPatch;
use otpdesk_sim::SimConfig;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const ZAP_KEY: &str = "bench_otpzap_key_0123456789";
const NOTP_KEY: &str = "notp_bench_0123456789abcdef";
const SCALE: u32 = 20;
const PRODUCTION_RATE: f64 = 270.0;

/// User + system CPU seconds of this process so far.
#[cfg(unix)]
fn cpu_seconds() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

#[cfg(windows)]
fn cpu_seconds() -> f64 {
    use windows_sys::Win32::Foundation::FILETIME;
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, GetProcessTimes};
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: GetProcessTimes writes into the four structs we own; the pseudo handle of the
    // current process needs no closing.
    let ok = unsafe {
        GetProcessTimes(
            GetCurrentProcess(),
            &mut created,
            &mut exited,
            &mut kernel,
            &mut user,
        )
    };
    // FILETIME counts 100 ns ticks.
    let secs = |t: FILETIME| {
        ((u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime)) as f64 / 1e7
    };
    if ok == 0 {
        return f64::NAN;
    }
    secs(kernel) + secs(user)
}

/// Peak resident memory of this process, in MiB (Windows: the peak working set).
#[cfg(unix)]
fn peak_rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

#[cfg(windows)]
fn peak_rss_mb() -> f64 {
    use windows_sys::Win32::System::ProcessStatus::{
        GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS,
    };
    use windows_sys::Win32::System::Threading::GetCurrentProcess;
    let size = std::mem::size_of::<PROCESS_MEMORY_COUNTERS>() as u32;
    // SAFETY: the struct is plain data; GetProcessMemoryInfo fills at most `size` bytes of it.
    let mut c: PROCESS_MEMORY_COUNTERS = unsafe { std::mem::zeroed() };
    c.cb = size;
    if unsafe { GetProcessMemoryInfo(GetCurrentProcess(), &mut c, size) } == 0 {
        return 0.0;
    }
    c.PeakWorkingSetSize as f64 / (1024.0 * 1024.0)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

struct Setup {
    sim: otpdesk_sim::SimHandle,
    control: otpdesk_sim::control::SimControl,
    s1: Vec<(i64, i64, i64)>,
    notp: Vec<(String, String)>,
}

fn http() -> HttpOptions {
    HttpOptions {
        request_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
        long_poll_timeout: Duration::from_secs(65),
    }
}

async fn engine(
    s: &Setup,
    dir: &std::path::Path,
    path: ProviderId,
    budget: Budget,
    interval: Duration,
) -> Engine {
    let (url, key) = match path {
        ProviderId::Otpzap => (s.sim.otpzap_url(), ZAP_KEY),
        _ => (s.sim.numberotp_url(), NOTP_KEY),
    };
    let mut cfg = EngineConfig::new(dir).provider(
        ProviderConfig::new(path, url, ApiKey::new(key).unwrap())
            .with_budget(budget)
            .with_http(http()),
    );
    cfg.tracking.poll_interval = interval;
    cfg.tracking.idle_poll_interval = interval;
    cfg.tracking.max_in_flight = 64;
    Engine::open(cfg).await.unwrap()
}

struct Row {
    path: &'static str,
    n: usize,
    lat: Vec<f64>,
    samples: usize,
    p50: f64,
    p99: f64,
    bound: Option<f64>,
    rpm: f64,
    cpu: f64,
    rss: f64,
}

async fn measure(s: &Setup, path: ProviderId, n: usize, samples: usize) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let (budget, interval) = match path {
        ProviderId::Otpzap => (
            Budget {
                per_minute: PRODUCTION_RATE * f64::from(SCALE),
                ..Budget::DEFAULT
            },
            Duration::from_millis(5_000 / u64::from(SCALE)),
        ),
        // 500 activations each re-arming a 55 s `/wait` need ≥ 545 req/min: NumberOTP publishes no
        // limit, so its key gets 1,200/min here (configurable per key).
        _ => (Budget::per_minute(1_200.0), Duration::from_secs(5)),
    };
    let engine = engine(s, dir.path(), path, budget, interval).await;
    let cpu0 = cpu_seconds();
    let sent0 = engine.requests_sent(path);
    let t0 = Instant::now();
    // Every OtpReceived, timestamped as it is announced.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(
        HashMap::<(String, i64), Instant>::new(),
    ));
    let listener = {
        let (seen, mut rx) = (seen.clone(), engine.subscribe());
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(EngineEvent::OtpReceived { order_id, otp, .. }) => {
                        seen.lock()
                            .unwrap()
                            .insert((order_id, otp.seq), Instant::now());
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                }
            }
        })
    };
    let rounds = if path == ProviderId::Otpzap {
        1
    } else {
        samples.div_ceil(n)
    };
    let mut lat: Vec<f64> = Vec::new();
    let mut bound = None;
    for _round in 0..rounds {
        let mut orders = Vec::new();
        for i in 0..n {
            let req = match path {
                ProviderId::Otpzap => {
                    let (p, c, pl) = s.s1[i % s.s1.len()];
                    BuyRequest::OtpzapS1 {
                        product_id: p,
                        country_id: c,
                        platform_id: pl,
                    }
                }
                _ => {
                    let (sv, c) = &s.notp[i % s.notp.len()];
                    BuyRequest::Numberotp {
                        service: sv.clone(),
                        country: c.clone(),
                    }
                }
            };
            orders.push(engine.buy(req).await.unwrap());
        }
        // Let tracking reach its steady state (every /wait hanging; polls spread).
        let settle = match path {
            ProviderId::Otpzap => Duration::from_secs(3),
            _ => Duration::from_millis(300 + (n as u64 * 60_000 / 1_200)),
        };
        tokio::time::sleep(settle).await;

        bound = (path == ProviderId::Otpzap).then(|| {
            let per_sec = PRODUCTION_RATE * f64::from(SCALE) / 60.0;
            (interval.as_secs_f64()).max(n as f64 / per_sec)
        });
        // Deliveries overlap (about ten outstanding) so arrivals fall at random phases of each
        // order's poll cycle; an order gets its next code only after the last one was seen.
        let gap = match bound {
            Some(b) => Duration::from_secs_f64((b / 10.0).min(0.2)),
            None => Duration::from_millis(20),
        };
        let mut next_seq: HashMap<String, i64> = HashMap::new();
        let mut sent_codes: Vec<(String, i64, Instant)> = Vec::new();
        let mut cursor = 0usize;
        for _ in 0..samples.min(
            orders.len()
                * if path == ProviderId::Otpzap {
                    usize::MAX / orders.len()
                } else {
                    1
                },
        ) {
            // Wait (up to 10 s) for an order whose previous code was already seen.
            let mut picked = None;
            let give_up = Instant::now() + Duration::from_secs(10);
            while picked.is_none() && Instant::now() < give_up {
                for _ in 0..orders.len() {
                    cursor = (cursor + 7919) % orders.len();
                    let o = &orders[cursor];
                    let seq = next_seq.get(&o.id).copied().unwrap_or(0);
                    let busy =
                        seq > 0 && !seen.lock().unwrap().contains_key(&(o.id.clone(), seq - 1));
                    let done_once = path != ProviderId::Otpzap && seq > 0;
                    if !busy && !done_once {
                        picked = Some((o, seq));
                        break;
                    }
                }
                if picked.is_none() {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            let Some((o, seq)) = picked else { break };
            // A random phase: right after its last code was seen an order has just been polled.
            if let Some(b) = bound {
                tokio::time::sleep(Duration::from_secs_f64(
                    b.min(interval.as_secs_f64()) * rand::random::<f64>(),
                ))
                .await;
            }
            let reference = o.remote_ref.clone().unwrap_or_else(|| o.remote_id.clone());
            let at = Instant::now();
            sim_deliver(s, &reference).await;
            sent_codes.push((o.id.clone(), seq, at));
            next_seq.insert(o.id.clone(), seq + 1);
            tokio::time::sleep(gap).await;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let all_seen = {
                let s = seen.lock().unwrap();
                sent_codes
                    .iter()
                    .all(|(id, seq, _)| s.contains_key(&(id.clone(), *seq)))
            };
            if all_seen {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        lat.extend({
            let s = seen.lock().unwrap();
            sent_codes
                .iter()
                .filter_map(|(id, seq, at)| {
                    s.get(&(id.clone(), *seq))
                        .map(|t| t.saturating_duration_since(*at).as_secs_f64() * 1000.0)
                })
                .collect::<Vec<_>>()
        });
    }
    listener.abort();
    let elapsed = t0.elapsed().as_secs_f64();
    let sent = engine.requests_sent(path) - sent0;
    let cpu = cpu_seconds() - cpu0;
    engine.shutdown().await;
    let bound = bound.map(|b| b * 1000.0);
    Row {
        path: if path == ProviderId::Otpzap {
            "polling (OTPZap)"
        } else {
            "long-poll (NumberOTP)"
        },
        n,
        lat,
        samples: 0,
        p50: 0.0,
        p99: 0.0,
        bound,
        rpm: sent as f64 / elapsed * 60.0,
        cpu,
        rss: peak_rss_mb(),
    }
}

impl Row {
    fn finish(&mut self) {
        self.samples = self.lat.len();
        self.p50 = pct(&mut self.lat, 0.50);
        self.p99 = pct(&mut self.lat, 0.99);
    }
}

async fn sim_deliver(s: &Setup, reference: &str) {
    s.control.deliver_otp(reference).await.expect("deliver");
}

fn list_bench() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let statuses = [
        otpdesk_core::OrderStatus::Completed,
        otpdesk_core::OrderStatus::Cancelled,
        otpdesk_core::OrderStatus::Expired,
        otpdesk_core::OrderStatus::Pending,
        otpdesk_core::OrderStatus::OtpReceived,
    ];
    let t = Instant::now();
    let remotes: Vec<RemoteOrder> = (0..100_000)
        .map(|i| {
            let mut r = RemoteOrder::new(format!("{i}"), statuses[i % 100 % 5].clone());
            r.phone = Some(format!("62812{i:07}"));
            r.price = Some(Money::idr(2835));
            r.created_at = None;
            r
        })
        .collect();
    let now = chrono::Utc::now();
    let news: Vec<NewOrder<'_>> = remotes
        .iter()
        .enumerate()
        .map(|(i, r)| NewOrder {
            provider: if i % 3 == 0 {
                ProviderId::Numberotp
            } else {
                ProviderId::Otpzap
            },
            kind: if i % 10 == 0 {
                OrderKind::Email
            } else {
                OrderKind::Sms
            },
            attempt_id: None,
            request: None,
            cancel_unlocks_at: None,
            remote: r,
        })
        .collect();
    store.insert_orders_bulk(&news, now).unwrap();
    println!(
        "\n100,000 stored orders (inserted in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let filters: [(&str, OrderFilter); 5] = [
        ("newest 100", OrderFilter::default()),
        (
            "status=pending, 100",
            OrderFilter {
                status: Some("pending".into()),
                ..Default::default()
            },
        ),
        (
            "provider=numberotp, 100",
            OrderFilter {
                provider: Some(ProviderId::Numberotp),
                ..Default::default()
            },
        ),
        (
            "active only, 100",
            OrderFilter {
                active_only: true,
                ..Default::default()
            },
        ),
        (
            "email, page 50 (offset 5000)",
            OrderFilter {
                kind: Some(OrderKind::Email),
                offset: Some(5_000),
                ..Default::default()
            },
        ),
    ];
    for (name, f) in filters {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..30 {
            let t = Instant::now();
            rows = store.orders(&f).unwrap().len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let max = times.iter().cloned().fold(0.0, f64::max);
        println!(
            "  {name:<30} {rows:>4} rows  p50 {:>6.2} ms  max {:>6.2} ms",
            pct(&mut times, 0.5),
            max
        );
    }
    let t = Instant::now();
    let n = store.count_orders().unwrap();
    println!(
        "  count(*) = {n}                  {:>6.2} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = otpdesk_sim::spawn(SimConfig { rate_limit_per_min: 10_000_000, ..SimConfig::default() }).await.unwrap();
        let control = sim.control();
        control.add_account(ProviderId::Otpzap, ZAP_KEY, Money::idr(1_000_000_000)).await.unwrap();
        control.add_account(ProviderId::Numberotp, NOTP_KEY, Money::parse(otpdesk_core::Currency::Usd, "1000000").unwrap()).await.unwrap();
        control.set_config(&ConfigPatch { otp_delay_ms: Some(None), ..Default::default() }).await.unwrap();
        let cat = Catalog::new(42);
        let s1 = cat
            .products
            .iter()
            .filter(|p| p.initial_stock >= 200)
            .map(|p| (p.id as i64, i64::from(p.country.id), i64::from(p.service.id)))
            .collect();
        let notp = cat
            .notp_prices
            .iter()
            .filter(|p| p.initial_stock >= 200)
            .map(|p| (p.service.notp.to_string(), p.country.notp.to_string()))
            .collect();
        let s = Setup { sim, control, s1, notp };
        println!("otpdesk-engine bench: latency = simulator commit of a code -> OtpReceived event\n");
        println!(
            "{:<22} {:>6} {:>7} {:>9} {:>9} {:>12} {:>9} {:>8} {:>9}",
            "path", "orders", "samples", "p50 ms", "p99 ms", "bound ms", "req/min", "cpu s", "peak MB"
        );
        for (path, n, samples) in [
            (ProviderId::Numberotp, 1, 100),
            (ProviderId::Numberotp, 50, 50),
            (ProviderId::Numberotp, 500, 500),
            (ProviderId::Otpzap, 1, 40),
            (ProviderId::Otpzap, 50, 150),
            (ProviderId::Otpzap, 500, 150),
        ] {
            // One active order means one: each long-poll sample gets a fresh engine (a
            // received activation would otherwise stay tracked beside the next one).
            let r = if path == ProviderId::Numberotp && n == 1 {
                let mut all = measure(&s, path, 1, 1).await;
                for _ in 1..samples {
                    let r = measure(&s, path, 1, 1).await;
                    all.lat.extend(r.lat);
                    all.cpu += r.cpu;
                    all.rpm = all.rpm.max(r.rpm);
                }
                all
            } else {
                measure(&s, path, n, samples).await
            };
            let mut r = r;
            r.finish();
            println!(
                "{:<22} {:>6} {:>7} {:>9.1} {:>9.1} {:>12} {:>9.0} {:>8.2} {:>9.1}",
                r.path,
                r.n,
                r.samples,
                r.p50,
                r.p99,
                r.bound.map(|b| format!("{b:.0} ({:+.0}%)", (r.p99 / b - 1.0) * 100.0)).unwrap_or_else(|| "-".into()),
                r.rpm,
                r.cpu,
                r.rss
            );
        }
        println!(
            "\npolling runs 20x scaled: interval {} ms, budget {}/min on one key; bound = max(interval, orders / rate).",
            5_000 / SCALE,
            PRODUCTION_RATE * f64::from(SCALE)
        );
    });
    list_bench();
}
