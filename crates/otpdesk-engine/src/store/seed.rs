//! Synthetic order history for the benchmark and the end-to-end test (feature `seed`, never in
//! the app's build): `n` orders over the last 90 days across a dozen offers of the simulator's
//! catalog, each with its own delivery rate, cancel rate and typical time to code, with their
//! charges, refunds, codes (some late) and `code_ms` as real orders would have them.
//! Deterministic for a given `n` and `end`.

use super::{write_tx, Store};
use crate::model::{BuyRequest, Time};
use otpdesk_core::{Money, OrderStatus};

/// One synthetic offer: what it sells and how well it delivers.
struct Profile {
    req: BuyRequest,
    name: &'static str,
    price: Money,
    /// Out of 100 settled: delivered, then cancelled by the user; the rest expire.
    deliver_pct: u64,
    cancel_pct: u64,
    /// Typical seconds to the code (spread 0.3x..2x).
    typical_secs: u64,
}

fn s2(service_id: i64, operator: &str) -> BuyRequest {
    BuyRequest::OtpzapS2 {
        service_id,
        country_id: 7,
        operator_id: operator.into(),
    }
}

fn profiles() -> Vec<Profile> {
    let s1 = |platform_id: i64, product_id: i64| BuyRequest::OtpzapS1 {
        product_id,
        country_id: 7,
        platform_id,
    };
    let notp = |service: &str, country: &str| BuyRequest::Numberotp {
        service: service.into(),
        country: country.into(),
    };
    let p = |req, name, price, deliver_pct, cancel_pct, typical_secs| Profile {
        req,
        name,
        price,
        deliver_pct,
        cancel_pct,
        typical_secs,
    };
    vec![
        p(s1(1, 1), "WhatsApp", Money::idr(2835), 82, 12, 35),
        p(s2(101, "random"), "WhatsApp", Money::idr(2500), 64, 28, 70),
        p(
            s2(101, "telkomsel"),
            "WhatsApp",
            Money::idr(2700),
            88,
            8,
            25,
        ),
        p(s2(101, "indosat"), "WhatsApp", Money::idr(2600), 55, 35, 95),
        p(s1(2, 2), "Telegram", Money::idr(3360), 76, 15, 40),
        p(s2(102, "random"), "Telegram", Money::idr(3000), 70, 20, 50),
        p(s1(3, 3), "Gojek", Money::idr(2310), 90, 6, 20),
        p(s2(104, "random"), "Shopee", Money::idr(1900), 73, 18, 45),
        p(
            notp("wa", "6"),
            "WhatsApp",
            Money::new(otpdesk_core::Currency::Usd, 250_000),
            79,
            10,
            30,
        ),
        p(
            notp("wa", "67"),
            "WhatsApp",
            Money::new(otpdesk_core::Currency::Usd, 250_000),
            79,
            10,
            30,
        ),
        p(
            notp("tg", "6"),
            "Telegram",
            Money::new(otpdesk_core::Currency::Usd, 300_000),
            68,
            14,
            55,
        ),
        p(
            notp("tg", "67"),
            "Telegram",
            Money::new(otpdesk_core::Currency::Usd, 300_000),
            68,
            14,
            55,
        ),
    ]
}

/// xorshift64*: deterministic, no dependency on the rand crate's streams.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

impl Store {
    /// Add `n` synthetic orders ending at `end` (oldest first, so insertion order is time
    /// order), in one transaction. Returns how many orders the store holds afterwards.
    ///
    /// Rows are written with plain INSERTs (a few seconds for 100,000; the insert-then-apply path
    /// of real orders took minutes on a busy machine), with what those paths would have stored:
    /// the offer columns from [`crate::scoreboard::Offer::of`], the charge and the provider's
    /// refund in the ledger, the code's timeline entry (late after a cancel) and `code_ms`. The
    /// scoreboard's triggers count them as they land.
    pub fn seed_orders(&self, n: usize, end: Time) -> crate::db::Result<i64> {
        use crate::db::params;
        let profiles = profiles();
        let mut c = self.conn();
        let start_n: i64 = c.query_row("SELECT COUNT(*) FROM orders", (), |r| r.get(0))?;
        let tx = write_tx(&mut c)?;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
        let span_ms: i64 = 90 * 86_400_000;
        let end_ms = super::ms(end);
        {
            let mut order = tx.prepare(
                "INSERT INTO orders (id, provider, kind, server, remote_id, phone, service, price_minor,
                    currency, status, is_final, created_at, updated_at, request, offer_server,
                    offer_service, country, operator, code_ms, sale_minor, sale_currency)
                 VALUES (?1,?2,'sms',?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)",
            )?;
            let mut ledger = tx.prepare(
                "INSERT INTO ledger (provider, kind, amount_minor, currency, order_id, note, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut otp = tx.prepare(
                "INSERT INTO otps (order_id, seq, code, received_at, stored_at, shown_at, late)
                 VALUES (?1, 0, ?2, ?3, ?4, ?4, ?5)",
            )?;
            for i in 0..n {
                let p = &profiles[rng.below(profiles.len() as u64) as usize];
                let created = end_ms - span_ms + span_ms * i as i64 / n as i64;
                let id = format!("seed-{:08}-{}", start_n + i as i64, rng.below(1 << 40));
                let offer = crate::scoreboard::Offer::of(&p.req);
                let provider = p.req.provider();
                let request = serde_json::to_string(&p.req).expect("a buy request serialises");
                let server = match p.req {
                    BuyRequest::OtpzapS1 { .. } => Some(1),
                    BuyRequest::Numberotp { .. } => None,
                    _ => Some(2),
                };
                let phone = format!("62812{:07}", rng.below(10_000_000));
                // Every one settled: an open order would be tracked with its provider, which has
                // never heard of it.
                let running = false;
                let roll = rng.below(100);
                let secs = (p.typical_secs * (30 + rng.below(170)) / 100) as i64;
                let code_at = created + secs * 1000;
                let seen = code_at + rng.below(5_000) as i64;
                let (status, code_ms, closed) = if running {
                    (OrderStatus::Pending, None, created)
                } else if roll < p.deliver_pct {
                    (OrderStatus::Completed, Some(secs * 1000), seen + 20_000)
                } else if roll < p.deliver_pct + p.cancel_pct {
                    (OrderStatus::Cancelled, None, created + 4 * 60_000)
                } else {
                    (OrderStatus::Expired, None, created + 20 * 60_000)
                };
                let sale = (status == OrderStatus::Completed && rng.below(3) > 0)
                    .then(|| 5_000 + 500 * rng.below(6) as i64);
                order.execute(params![
                    id,
                    provider.as_str(),
                    server,
                    id,
                    phone,
                    p.name,
                    p.price.minor,
                    p.price.currency.code(),
                    status.as_str(),
                    status.is_final(),
                    created,
                    closed,
                    request,
                    offer.server,
                    offer.service,
                    offer.country,
                    offer.operator,
                    code_ms,
                    sale,
                    sale.map(|_| "IDR"),
                ])?;
                let cur = p.price.currency.code();
                ledger.execute(params![
                    provider.as_str(),
                    "charge",
                    -p.price.minor,
                    cur,
                    id,
                    Option::<&str>::None,
                    created
                ])?;
                match status {
                    OrderStatus::Completed => {
                        let code = format!("{:06}", rng.below(1_000_000));
                        otp.execute(params![id, code, code_at, seen, false])?;
                    }
                    OrderStatus::Cancelled | OrderStatus::Expired => {
                        ledger.execute(params![
                            provider.as_str(),
                            "refund",
                            p.price.minor,
                            cur,
                            id,
                            "refunded by provider",
                            closed
                        ])?;
                        // Now and then a code still comes after the cancel: late, never a success.
                        if status == OrderStatus::Cancelled && rng.below(20) == 0 {
                            let code = format!("{:06}", rng.below(1_000_000));
                            otp.execute(params![id, code, closed + 30_000, closed + 35_000, true])?;
                        }
                    }
                    _ => {}
                }
            }
        }
        tx.commit()?;
        c.query_row("SELECT COUNT(*) FROM orders", (), |r| r.get(0))
    }
}
