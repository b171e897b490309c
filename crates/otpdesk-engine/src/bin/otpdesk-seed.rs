//! Fills a store with synthetic orders (feature `seed`) for the end-to-end test and manual checks
//! of the scoreboard and the history at volume: `otpdesk-seed <data_dir> [count]` (100,000 by
//! default). Safe beside a running app: one write transaction, waiting its turn.

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: otpdesk-seed <data_dir> [count]");
    let n: usize = args
        .next()
        .map(|v| v.parse().expect("count"))
        .unwrap_or(100_000);
    let store = otpdesk_engine::store::Store::open(std::path::Path::new(&dir)).expect("open store");
    let t = std::time::Instant::now();
    let total = store.seed_orders(n, chrono::Utc::now()).expect("seed");
    println!(
        "seeded {n} orders in {:.1} s; the store holds {total}",
        t.elapsed().as_secs_f64()
    );
}
