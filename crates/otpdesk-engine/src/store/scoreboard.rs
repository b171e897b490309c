//! The scoreboard's SQL (definitions in [`crate::scoreboard`]): per-offer counts and the median
//! time to code, and the recent cancel rate per provider. Both walk the `orders_quality` index.

use super::{provider_from, Store};
use crate::db::params;
use crate::scoreboard::{CancelWarning, Offer, OfferQuality, CANCEL_WINDOW};
use otpdesk_core::ProviderId;

/// An order that is decided: it got a code, or it is final, or its cancel is requested.
const SETTLED: &str = "(code_ms IS NOT NULL OR status IN \
    ('completed', 'cancelled', 'expired', 'failed', 'replaced', 'cancel_requested'))";
/// Given up without a code.
const GAVE_UP: &str =
    "(code_ms IS NULL AND status IN ('cancelled', 'replaced', 'cancel_requested'))";
const KEY: &str = "provider, offer_server, offer_service, country, operator";

impl Store {
    /// Every offer with at least one settled order, most orders first. The counts are kept by
    /// triggers in `offer_stats` (migration 8); the median is read from `orders_quality`, where
    /// an offer's codes lie in order of delay: skip to the middle, average one (odd count) or
    /// two (even count) values.
    pub fn scoreboard(&self) -> crate::db::Result<Vec<OfferQuality>> {
        let c = self.conn();
        let sql = format!(
            "SELECT {KEY}, service_name, settled, delivered, cancelled FROM offer_stats \
             WHERE settled > 0 ORDER BY settled DESC, {KEY}"
        );
        let mut st = c.prepare_cached(&sql)?;
        let mut out: Vec<OfferQuality> = st
            .query_map((), |r| {
                let count: i64 = r.get(6)?;
                let delivered: i64 = r.get(7)?;
                let cancelled: i64 = r.get(8)?;
                Ok(OfferQuality {
                    offer: offer(r)?,
                    service_name: r.get(5)?,
                    count,
                    delivered,
                    cancelled,
                    success_permille: delivered * 1000 / count,
                    cancel_permille: cancelled * 1000 / count,
                    median_code_ms: None,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut median = c.prepare_cached(
            "SELECT CAST(ROUND(AVG(code_ms)) AS INTEGER) FROM (SELECT code_ms FROM orders \
             WHERE provider = ?1 AND offer_server = ?2 AND offer_service = ?3 AND country = ?4 \
               AND operator = ?5 AND code_ms IS NOT NULL \
             ORDER BY code_ms LIMIT 2 - ?6 % 2 OFFSET (?6 - 1) / 2) AS middle",
        )?;
        for q in out.iter_mut().filter(|q| q.delivered > 0) {
            let o = &q.offer;
            q.median_code_ms = median.query_row(
                params![
                    o.provider.as_str(),
                    o.server,
                    o.service,
                    o.country,
                    o.operator,
                    q.delivered
                ],
                |r| r.get(0),
            )?;
        }
        Ok(out)
    }

    /// Providers whose last [`CANCEL_WINDOW`] settled orders were given up too often.
    pub fn cancel_warnings(&self) -> crate::db::Result<Vec<CancelWarning>> {
        let c = self.conn();
        // Newest first by insertion order: the provider index walks it backwards and stops
        // after the window.
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(g), 0) FROM (SELECT CASE WHEN {GAVE_UP} THEN 1 ELSE 0 END AS g FROM orders \
             WHERE provider = ?1 AND {SETTLED} ORDER BY rowid DESC LIMIT ?2) AS recent"
        );
        let mut st = c.prepare_cached(&sql)?;
        let mut out = Vec::new();
        for p in [ProviderId::Otpzap, ProviderId::Numberotp] {
            let (recent, cancelled): (i64, i64) = st
                .query_row(params![p.as_str(), CANCEL_WINDOW], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            out.extend(CancelWarning::judge(p, recent, cancelled));
        }
        Ok(out)
    }
}

fn offer(r: &crate::db::Row<'_>) -> crate::db::Result<Offer> {
    Ok(Offer {
        provider: provider_from(&r.get::<_, String>(0)?),
        server: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
        service: r.get(2)?,
        country: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        operator: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
    })
}
