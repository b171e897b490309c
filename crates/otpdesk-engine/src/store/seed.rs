//! Synthetic order history for the benchmark and the end-to-end test (feature `seed`, never in
//! the app's build): `n` orders over the last 90 days across a dozen offers of the simulator's
//! catalog, each with its own delivery rate, cancel rate and typical time to code, written
//! through the store's own insert and apply paths (so charges, refunds, late codes and
//! `code_ms` are what real orders would have). Deterministic for a given `n` and `end`.

use super::{orders, write_tx, Store};
use crate::model::{BuyRequest, OrderKind, Time};
use crate::remote::{RemoteOrder, RemoteOtp};
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
    pub fn seed_orders(&self, n: usize, end: Time) -> rusqlite::Result<i64> {
        let profiles = profiles();
        let mut c = self.conn();
        let start_n: i64 = c.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))?;
        let tx = write_tx(&mut c)?;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
        let span_ms: i64 = 90 * 86_400_000;
        for i in 0..n {
            let p = &profiles[rng.below(profiles.len() as u64) as usize];
            let created =
                end - chrono::Duration::milliseconds(span_ms - span_ms * i as i64 / n as i64);
            let mut r =
                RemoteOrder::new(format!("seed-{}", start_n + i as i64), OrderStatus::Pending);
            r.server = match p.req {
                BuyRequest::OtpzapS1 { .. } => Some(1),
                BuyRequest::Numberotp { .. } => None,
                _ => Some(2),
            };
            r.phone = Some(format!("62812{:07}", rng.below(10_000_000)));
            r.service = Some(p.name.to_string());
            r.price = Some(p.price);
            let request = serde_json::to_string(&p.req).expect("a buy request serialises");
            let new = orders::NewOrder {
                provider: p.req.provider(),
                kind: OrderKind::Sms,
                attempt_id: None,
                request: Some(&request),
                cancel_unlocks_at: None,
                remote: &r,
            };
            let (id, _, _) = orders::insert_in(&tx, &new, created)?;
            // The newest few hundred are still running; the rest settled.
            if n - i <= 200 && rng.below(2) == 0 {
                continue;
            }
            let roll = rng.below(100);
            let secs = p.typical_secs * (30 + rng.below(170)) / 100;
            let at = created + chrono::Duration::seconds(secs as i64);
            let seen = at + chrono::Duration::milliseconds(rng.below(5_000) as i64);
            if roll < p.deliver_pct {
                let mut got = r.clone();
                got.status = OrderStatus::OtpReceived;
                got.otps.push(RemoteOtp {
                    code: Some(format!("{:06}", rng.below(1_000_000))),
                    text: None,
                    sender: None,
                    service: None,
                    received_at: Some(at),
                });
                orders::apply_in(&tx, &id, &got, seen)?;
                got.status = OrderStatus::Completed;
                orders::apply_in(&tx, &id, &got, seen + chrono::Duration::seconds(20))?;
                if rng.below(3) > 0 {
                    tx.execute(
                        "UPDATE orders SET sale_minor = ?2, sale_currency = 'IDR' WHERE id = ?1",
                        rusqlite::params![id, 5_000 + 500 * rng.below(6) as i64],
                    )?;
                }
            } else {
                let mut end = r.clone();
                end.status = if roll < p.deliver_pct + p.cancel_pct {
                    OrderStatus::Cancelled
                } else {
                    OrderStatus::Expired
                };
                let closed = created
                    + chrono::Duration::minutes(if end.status == OrderStatus::Cancelled {
                        4
                    } else {
                        20
                    });
                orders::apply_in(&tx, &id, &end, closed)?;
                // Now and then a code still comes after the cancel: late, never a success.
                if end.status == OrderStatus::Cancelled && rng.below(20) == 0 {
                    end.otps.push(RemoteOtp {
                        code: Some(format!("{:06}", rng.below(1_000_000))),
                        text: None,
                        sender: None,
                        service: None,
                        received_at: Some(closed + chrono::Duration::seconds(30)),
                    });
                    orders::apply_in(&tx, &id, &end, closed + chrono::Duration::seconds(35))?;
                }
            }
        }
        tx.commit()?;
        c.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))
    }
}
