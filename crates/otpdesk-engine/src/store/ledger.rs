//! Balance changes we know of, per provider. Unique (kind, order) and (kind, deposit) make each
//! charge, refund and credit happen once however often a reply is replayed.

use super::{currency_from, from_ms, ms, provider_from, Store};
use crate::db::{params, OptionalExtension, Row, Transaction};
use crate::model::{LedgerEntry, LedgerFilter, LedgerKind, Time};
use otpdesk_core::{Currency, Money, ProviderId};

fn row(r: &Row<'_>) -> crate::db::Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: r.get(0)?,
        provider: provider_from(&r.get::<_, String>(1)?),
        kind: LedgerKind::parse(&r.get::<_, String>(2)?),
        amount: Money::new(currency_from(&r.get::<_, String>(4)?), r.get(3)?),
        order_id: r.get(5)?,
        deposit_id: r.get(6)?,
        note: r.get(7)?,
        at: from_ms(r.get(8)?),
    })
}

const COLS: &str = "id, provider, kind, amount_minor, currency, order_id, deposit_id, note, at";

/// Insert unless this (kind, order|deposit) is already recorded. `Some` only when new.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_in(
    tx: &Transaction<'_>,
    provider: ProviderId,
    kind: LedgerKind,
    amount_minor: i64,
    currency: Currency,
    order_id: Option<&str>,
    deposit_id: Option<&str>,
    note: Option<&str>,
    now: Time,
) -> crate::db::Result<Option<LedgerEntry>> {
    // The unique keys (one charge per order, one refund per order…) make a replay a no-op.
    let id: Option<i64> = tx
        .query_row(
            "INSERT INTO ledger (provider, kind, amount_minor, currency, order_id, deposit_id, note, at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT DO NOTHING RETURNING id",
            params![provider.as_str(), kind.as_str(), amount_minor, currency.code(), order_id, deposit_id, note, ms(now)],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else {
        return Ok(None);
    };
    tx.query_row(
        &format!("SELECT {COLS} FROM ledger WHERE id = ?1"),
        [id],
        row,
    )
    .map(Some)
}

/// The refund of an order with the exact amount the provider reported.
pub(crate) fn upsert_refund_in(
    tx: &Transaction<'_>,
    provider: ProviderId,
    amount: Money,
    order_id: &str,
    now: Time,
) -> crate::db::Result<Option<LedgerEntry>> {
    let existing: Option<(i64, i64)> = tx
        .query_row(
            "SELECT id, amount_minor FROM ledger WHERE kind = 'refund' AND order_id = ?1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match existing {
        Some((_, m)) if m == amount.minor => Ok(None),
        Some((id, _)) => {
            tx.execute(
                "UPDATE ledger SET amount_minor = ?2, note = 'refund as reported' WHERE id = ?1",
                params![id, amount.minor],
            )?;
            tx.query_row(
                &format!("SELECT {COLS} FROM ledger WHERE id = ?1"),
                [id],
                row,
            )
            .map(Some)
        }
        None => record_in(
            tx,
            provider,
            LedgerKind::Refund,
            amount.minor,
            amount.currency,
            Some(order_id),
            None,
            None,
            now,
        ),
    }
}

impl Store {
    pub fn ledger(&self, f: &LedgerFilter) -> crate::db::Result<Vec<LedgerEntry>> {
        let c = self.conn();
        let limit = f.limit.unwrap_or(1000);
        match f.provider {
            Some(p) => {
                let mut st = c.prepare_cached(&format!(
                    "SELECT {COLS} FROM ledger WHERE provider = ?1 ORDER BY id DESC LIMIT ?2"
                ))?;

                st.query_map(params![p.as_str(), limit], row)?.collect()
            }
            None => {
                let mut st = c.prepare_cached(&format!(
                    "SELECT {COLS} FROM ledger ORDER BY id DESC LIMIT ?1"
                ))?;

                st.query_map(params![limit], row)?.collect()
            }
        }
    }

    /// Net of every balance change we recorded for a provider, per currency.
    pub fn ledger_sum(&self, provider: ProviderId) -> crate::db::Result<Vec<Money>> {
        let c = self.conn();
        let mut st = c.prepare_cached(
            "SELECT currency, SUM(amount_minor) FROM ledger WHERE provider = ?1 GROUP BY currency",
        )?;

        st.query_map([provider.as_str()], |r| {
            Ok(Money::new(
                currency_from(&r.get::<_, String>(0)?),
                r.get(1)?,
            ))
        })?
        .collect()
    }
}
