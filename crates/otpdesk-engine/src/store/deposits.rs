//! QRIS top-ups and USDT invoices, tracked until paid, expired or failed (expired QRIS invoices
//! a while longer: they can still be paid, see `crate::late_deposits`).

use super::{from_ms, ledger, money, ms, opt_from_ms, provider_from, Store};
use crate::db::{params, OptionalExtension, Row, Transaction};
use crate::model::{DepositFilter, DepositKind, DepositView, LedgerEntry, LedgerKind, Time};
use crate::remote::RemoteDeposit;
use otpdesk_core::{DepositStatus, Money, ProviderId};

pub(crate) const COLS: &str =
    "id, provider, kind, remote_id, amount_minor, currency, total_minor, pay_url, pay_address, \
    status, created_at, updated_at, expires_at, paid_at, credited_minor, attempt_id";

pub(crate) fn row(r: &Row<'_>) -> crate::db::Result<DepositView> {
    let currency: String = r.get(5)?;
    let mut d = DepositView {
        id: r.get(0)?,
        provider: provider_from(&r.get::<_, String>(1)?),
        kind: DepositKind::parse(&r.get::<_, String>(2)?),
        remote_id: r.get(3)?,
        amount: money(Some(r.get(4)?), Some(currency.clone())).expect("amount"),
        total: money(r.get(6)?, Some(currency.clone())),
        pay_url: r.get(7)?,
        pay_address: r.get(8)?,
        status: DepositStatus::from_provider(&r.get::<_, String>(9)?),
        created_at: from_ms(r.get(10)?),
        updated_at: from_ms(r.get(11)?),
        expires_at: opt_from_ms(r.get(12)?),
        paid_at: opt_from_ms(r.get(13)?),
        credited: money(r.get(14)?, Some(currency)),
        attempt_id: r.get(15)?,
        is_final: false,
        actions: Vec::new(),
    };
    crate::allowed::settle_deposit(&mut d);
    Ok(d)
}

/// What a deposit reply changed.
#[derive(Debug, Default)]
pub struct DepositApplied {
    pub status_change: Option<(DepositStatus, DepositStatus)>,
    pub ledger: Vec<LedgerEntry>,
}

pub(crate) fn get_in(
    c: &crate::db::Connection,
    id: &str,
) -> crate::db::Result<Option<DepositView>> {
    c.query_row(
        &format!("SELECT {COLS} FROM deposits WHERE id = ?1"),
        [id],
        row,
    )
    .optional()
}

/// Insert (or find, on an idempotent replay) a deposit. Returns its id and whether it is new.
pub(crate) fn insert_in(
    tx: &Transaction<'_>,
    provider: ProviderId,
    kind: DepositKind,
    amount: Money,
    r: &RemoteDeposit,
    attempt_id: Option<&str>,
    now: Time,
) -> crate::db::Result<(String, bool)> {
    if let Some(id) = tx
        .query_row(
            "SELECT id FROM deposits WHERE provider = ?1 AND remote_id = ?2",
            params![provider.as_str(), r.remote_id],
            |x| x.get::<_, String>(0),
        )
        .optional()?
    {
        return Ok((id, false));
    }
    let id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO deposits (id, provider, kind, remote_id, amount_minor, currency, total_minor, pay_url,
            pay_address, status, is_final, created_at, updated_at, expires_at, paid_at, attempt_id)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
        params![
            id,
            provider.as_str(),
            kind.as_str(),
            r.remote_id,
            amount.minor,
            amount.currency.code(),
            r.total.map(|m| m.minor),
            r.pay_url,
            r.pay_address,
            r.status.as_str(),
            r.status.is_final() as i64,
            ms(now),
            ms(now),
            r.expires_at.map(ms),
            r.paid_at.map(ms),
            attempt_id,
        ],
    )?;
    Ok((id, true))
}

impl Store {
    pub fn deposit(&self, id: &str) -> crate::db::Result<Option<DepositView>> {
        get_in(&self.conn(), id)
    }

    pub fn deposits(&self, f: &DepositFilter) -> crate::db::Result<Vec<DepositView>> {
        let c = self.conn();
        let mut sql = format!("SELECT {COLS} FROM deposits WHERE 1=1");
        if let Some(p) = f.provider {
            sql.push_str(&format!(" AND provider = '{}'", p.as_str()));
        }
        if f.active_only {
            sql.push_str(" AND is_final = 0");
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC LIMIT {}",
            f.limit.unwrap_or(100)
        ));
        let mut st = c.prepare_cached(&sql)?;

        st.query_map((), row)?.collect()
    }

    /// Expired QRIS invoices we saw expire at or after `since` (still worth asking about).
    pub fn expired_qris_since(&self, since: Time) -> crate::db::Result<Vec<DepositView>> {
        let c = self.conn();
        let mut st = c.prepare_cached(&format!(
            "SELECT {COLS} FROM deposits WHERE kind = 'qris' AND status = 'expired' AND updated_at >= ?1"
        ))?;

        st.query_map([ms(since)], row)?.collect()
    }

    /// Merge a check reply; a payment credits the balance once.
    pub fn apply_deposit(
        &self,
        id: &str,
        r: &RemoteDeposit,
        now: Time,
    ) -> crate::db::Result<DepositApplied> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let mut out = DepositApplied::default();
        let Some(cur) = get_in(&tx, id)? else {
            return Ok(out);
        };
        // Final is final, except an expired invoice paid late (QRIS settles late): it is
        // credited once like one paid in time.
        let late_payment = cur.status == DepositStatus::Expired && r.status == DepositStatus::Paid;
        if (cur.status.is_final() && !late_payment) || r.status == cur.status {
            return Ok(out);
        }
        out.status_change = Some((cur.status.clone(), r.status.clone()));
        let credited = r
            .credited
            .filter(|m| m.currency == cur.amount.currency)
            .unwrap_or(cur.amount);
        let paid = r.status == DepositStatus::Paid;
        tx.execute(
            "UPDATE deposits SET status = ?2, is_final = ?3, updated_at = ?4, paid_at = COALESCE(?5, paid_at),
                credited_minor = CASE WHEN ?6 THEN ?7 ELSE credited_minor END WHERE id = ?1",
            params![id, r.status.as_str(), r.status.is_final() as i64, ms(now), r.paid_at.map(ms), paid, credited.minor],
        )?;
        if paid {
            out.ledger.extend(ledger::record_in(
                &tx,
                cur.provider,
                LedgerKind::Topup,
                credited.minor,
                credited.currency,
                None,
                Some(id),
                Some(cur.kind.as_str()),
                now,
            )?);
        }
        tx.commit()?;
        Ok(out)
    }
}
