//! The quality scoreboard: which offer really delivers, from the reseller's own order book, and a
//! warning when their own cancel rate gets high (providers block accounts with low success).
//!
//! **Offer.** Provider × server × service × country × operator, as the buy request named them
//! ([`Offer::of`]): OTPZap Server 1 `platform_id` + `country_id`; Server 2 `service_id` +
//! `country_id` + `operator_id` (`random` is its own operator: OTPZap picks, and no reply says
//! which one it picked); Server 2 special `service_id`; NumberOTP `service` + `country`; email
//! (Server 3) the site. Stored on each order when it is bought (migration 8), copied to the new
//! order of a Server 1 replace.
//!
//! **Definitions** (one row per offer, over all of history):
//! - *code*: the first entry of the order's timeline (an SMS, or an email on Server 3) that was
//!   **not late**. A late code (`late: true`: it reached the order after its cancel or replace)
//!   is never a success: the order was already given up and refunded.
//! - *settled* orders (the denominator, `count`): orders that got a code, plus final orders
//!   without one (expired, failed, cancelled, replaced, completed) and orders whose cancel is
//!   requested. Orders still waiting for their first code are left out: they are undecided.
//! - *success rate* = orders with a code ÷ settled orders.
//! - *cancel rate* = settled orders without a code that the user gave up on (cancelled, cancel
//!   requested, or replaced on Server 1) ÷ settled orders. Expired and failed ones are neither.
//! - *median time to code*: the median over the orders with a code of the milliseconds from
//!   purchase to that code (even count: the mean of the two middle values). The instant of the
//!   code is the provider's `received_at` when it lies between the purchase and the moment we
//!   stored the code, else the moment we stored it: a provider clock that runs ahead or behind
//!   can neither make it negative nor later than we saw it.
//!
//! Everything is computed in SQLite ([`crate::store::Store::scoreboard`]): the counts are kept per
//! offer by triggers on the orders table (`offer_stats`, migration 8: any write to an order's
//! status, code or offer moves it between counts, whatever code path wrote it), and the median is
//! read from the covering index `orders_quality`, where one offer's delays lie in order. About
//! 3 ms at 100,000 orders (`cargo bench -p otpdesk-engine --bench desk --features seed`).

use crate::model::BuyRequest;
use otpdesk_core::ProviderId;
use serde::{Deserialize, Serialize};

/// What an order was bought from, as the scoreboard groups it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Offer {
    pub provider: ProviderId,
    /// OTPZap server 1, 2 or 3; 0 for NumberOTP.
    pub server: i64,
    /// The provider's service id (Server 2 multiservice: the ids joined by `+`; email: the site).
    pub service: String,
    /// The provider's country id; empty where the request names none.
    pub country: String,
    /// Server 2 operator id (`random` when OTPZap picks); empty elsewhere.
    pub operator: String,
}

impl Offer {
    /// The offer a buy request targets: the same key for a catalog item's `target` and for the
    /// orders bought from it.
    pub fn of(req: &BuyRequest) -> Offer {
        let (server, service, country, operator) = match req {
            BuyRequest::OtpzapS1 {
                country_id,
                platform_id,
                ..
            } => (1, platform_id.to_string(), country_id.to_string(), ""),
            BuyRequest::OtpzapS2 {
                service_id,
                country_id,
                operator_id,
            } => (
                2,
                service_id.to_string(),
                country_id.to_string(),
                operator_id.as_str(),
            ),
            BuyRequest::OtpzapS2Special { service_id } => {
                (2, service_id.to_string(), String::new(), "")
            }
            BuyRequest::OtpzapS2Multi {
                service_ids,
                country_id,
                operator_id,
            } => (
                2,
                service_ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join("+"),
                country_id.to_string(),
                operator_id.as_str(),
            ),
            BuyRequest::OtpzapEmail { site, .. } | BuyRequest::OtpzapEmailOptions { site, .. } => {
                (3, site.clone(), String::new(), "")
            }
            BuyRequest::Numberotp { service, country } => (0, service.clone(), country.clone(), ""),
        };
        Offer {
            provider: req.provider(),
            server,
            service,
            country,
            operator: operator.to_string(),
        }
    }
}

/// One offer's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OfferQuality {
    pub offer: Offer,
    /// The service's name as the provider's replies gave it (for display).
    pub service_name: String,
    /// Settled orders (see the module documentation).
    pub count: i64,
    /// Settled orders that got a code in time.
    pub delivered: i64,
    /// Settled orders the user gave up on without a code.
    pub cancelled: i64,
    /// Success rate `delivered / count` in per mille, rounded down (integers on the wire).
    pub success_permille: i64,
    /// Cancel rate `cancelled / count` in per mille, rounded down.
    pub cancel_permille: i64,
    /// Median milliseconds from purchase to the code; `None` when no order got one.
    pub median_code_ms: Option<i64>,
}

/// Fewer settled orders than this: the record is shown but not trusted for "best value".
pub const MIN_ORDERS_FOR_RANKING: i64 = 5;

/// The cancel-rate warning looks at a provider's last this many settled orders: recent enough
/// to reflect how the account is used now (providers judge accounts on recent behaviour), long
/// enough that two unlucky cancels in a row do not raise it.
pub const CANCEL_WINDOW: i64 = 20;
/// ... and needs at least this many of them before it speaks at all.
pub const CANCEL_MIN_ORDERS: i64 = 10;
/// Warn at this cancel rate, in percent. Cancelling a number that never got a code is normal,
/// but when 2 in 5 of your recent numbers are cancelled, providers' anti-abuse rules (which
/// watch the success rate of an account) start to flag or block it; waiting longer per number,
/// or another offer, is then cheaper than losing the account.
pub const CANCEL_WARN_PERCENT: i64 = 40;

/// A provider whose recent cancel rate is high.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CancelWarning {
    pub provider: ProviderId,
    /// Settled orders looked at (at most [`CANCEL_WINDOW`]).
    pub recent: i64,
    /// Of those, given up without a code.
    pub cancelled: i64,
    /// `cancelled * 100 / recent`, rounded down.
    pub percent: i64,
}

impl CancelWarning {
    /// `Some` when `cancelled` of `recent` settled orders reaches the threshold.
    pub fn judge(provider: ProviderId, recent: i64, cancelled: i64) -> Option<CancelWarning> {
        (recent >= CANCEL_MIN_ORDERS && cancelled * 100 >= CANCEL_WARN_PERCENT * recent).then(
            || CancelWarning {
                provider,
                recent,
                cancelled,
                percent: cancelled * 100 / recent,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_from_requests() {
        let s2 = Offer::of(&BuyRequest::OtpzapS2 {
            service_id: 101,
            country_id: 7,
            operator_id: "telkomsel".into(),
        });
        assert_eq!(
            (s2.server, s2.service.as_str(), s2.country.as_str()),
            (2, "101", "7")
        );
        assert_eq!(s2.operator, "telkomsel");
        let n = Offer::of(&BuyRequest::Numberotp {
            service: "wa".into(),
            country: "6".into(),
        });
        assert_eq!(n.provider, ProviderId::Numberotp);
        assert_eq!((n.server, n.operator.as_str()), (0, ""));
    }

    #[test]
    fn warning_threshold() {
        let p = ProviderId::Otpzap;
        assert!(CancelWarning::judge(p, 9, 9).is_none(), "too few to judge");
        assert!(CancelWarning::judge(p, 20, 7).is_none());
        assert_eq!(CancelWarning::judge(p, 20, 8).unwrap().percent, 40);
        assert_eq!(CancelWarning::judge(p, 10, 4).unwrap().percent, 40);
    }
}
