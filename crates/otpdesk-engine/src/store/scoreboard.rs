//! The scoreboard's SQL (definitions in [`crate::scoreboard`]): per-offer counts and the median
//! time to code, and the recent cancel rate per provider. Both walk the `orders_quality` index.

use super::{provider_from, Store};
use crate::scoreboard::{CancelWarning, Offer, OfferQuality, CANCEL_WINDOW};
use otpdesk_core::ProviderId;
use rusqlite::params;
use std::collections::HashMap;

/// An order that is decided: it got a code, or it is final, or its cancel is requested.
const SETTLED: &str = "(code_ms IS NOT NULL OR status IN \
    ('completed', 'cancelled', 'expired', 'failed', 'replaced', 'cancel_requested'))";
/// Given up without a code.
const GAVE_UP: &str =
    "(code_ms IS NULL AND status IN ('cancelled', 'replaced', 'cancel_requested'))";
const KEY: &str = "provider, offer_server, offer_service, country, operator";

impl Store {
    /// Every offer with at least one settled order, most orders first.
    pub fn scoreboard(&self) -> rusqlite::Result<Vec<OfferQuality>> {
        let c = self.conn();
        // The median: number each offer's codes in order of delay (the index gives that order)
        // and average the middle one (odd count) or two (even count).
        let mut medians: HashMap<Offer, i64> = HashMap::new();
        let sql = format!(
            "WITH d AS (SELECT {KEY}, code_ms, \
                 ROW_NUMBER() OVER (PARTITION BY {KEY} ORDER BY code_ms) AS rn, \
                 COUNT(*) OVER (PARTITION BY {KEY}) AS n \
               FROM orders WHERE offer_service IS NOT NULL AND code_ms IS NOT NULL) \
             SELECT {KEY}, CAST(ROUND(AVG(code_ms)) AS INTEGER) FROM d \
             WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY {KEY}"
        );
        let mut st = c.prepare_cached(&sql)?;
        for r in st.query_map([], |r| Ok((offer(r)?, r.get::<_, i64>(5)?)))? {
            let (o, m) = r?;
            medians.insert(o, m);
        }
        let sql = format!(
            "SELECT {KEY}, MAX(service), COUNT(*), SUM(code_ms IS NOT NULL), SUM({GAVE_UP}) \
             FROM orders WHERE offer_service IS NOT NULL AND {SETTLED} GROUP BY {KEY}"
        );
        let mut st = c.prepare_cached(&sql)?;
        let mut out: Vec<OfferQuality> = st
            .query_map([], |r| {
                let count: i64 = r.get(6)?;
                let delivered: i64 = r.get(7)?;
                let cancelled: i64 = r.get(8)?;
                Ok(OfferQuality {
                    offer: offer(r)?,
                    service_name: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    count,
                    delivered,
                    cancelled,
                    success_rate: delivered as f64 / count as f64,
                    cancel_rate: cancelled as f64 / count as f64,
                    median_code_ms: None,
                })
            })?
            .collect::<Result<_, _>>()?;
        for q in &mut out {
            q.median_code_ms = medians.get(&q.offer).copied();
        }
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.offer.cmp(&b.offer)));
        Ok(out)
    }

    /// Providers whose last [`CANCEL_WINDOW`] settled orders were given up too often.
    pub fn cancel_warnings(&self) -> rusqlite::Result<Vec<CancelWarning>> {
        let c = self.conn();
        // Newest first by insertion order: the provider index walks it backwards and stops
        // after the window.
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(g), 0) FROM (SELECT {GAVE_UP} AS g FROM orders \
             WHERE provider = ?1 AND {SETTLED} ORDER BY rowid DESC LIMIT ?2)"
        );
        let mut st = c.prepare_cached(&sql)?;
        let mut out = Vec::new();
        for p in [ProviderId::Otpzap, ProviderId::Numberotp] {
            let (recent, cancelled): (i64, i64) =
                st.query_row(params![p.as_str(), CANCEL_WINDOW], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            out.extend(CancelWarning::judge(p, recent, cancelled));
        }
        Ok(out)
    }
}

fn offer(r: &rusqlite::Row<'_>) -> rusqlite::Result<Offer> {
    Ok(Offer {
        provider: provider_from(&r.get::<_, String>(0)?),
        server: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
        service: r.get(2)?,
        country: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        operator: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
    })
}
