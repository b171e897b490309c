//! Purchase attempts: written with their Idempotency-Key before the request leaves, so a crash or
//! a lost reply can be reconciled instead of buying twice.

use super::{deposits, from_ms, ms, orders, provider_from, Applied, Store};
use crate::model::{AttemptKind, AttemptState, AttemptView, DepositKind, OrderKind, Time};
use crate::remote::{RemoteDeposit, RemoteOrder};
use otpdesk_core::{Money, ProviderId};
use rusqlite::{params, OptionalExtension, Row};

const COLS: &str =
    "id, provider, kind, idem_key, request, state, tries, order_id, deposit_id, error_code, error, created_at, updated_at";

fn row(r: &Row<'_>) -> rusqlite::Result<AttemptView> {
    Ok(AttemptView {
        id: r.get(0)?,
        provider: provider_from(&r.get::<_, String>(1)?),
        kind: AttemptKind::parse(&r.get::<_, String>(2)?),
        idempotency_key: r.get(3)?,
        request: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or(serde_json::Value::Null),
        state: AttemptState::parse(&r.get::<_, String>(5)?),
        tries: r.get(6)?,
        order_id: r.get(7)?,
        deposit_id: r.get(8)?,
        error_code: r.get(9)?,
        error: r.get(10)?,
        created_at: from_ms(r.get(11)?),
        updated_at: from_ms(r.get(12)?),
    })
}

impl Store {
    pub fn insert_attempt(
        &self,
        provider: ProviderId,
        kind: AttemptKind,
        request: &serde_json::Value,
        now: Time,
    ) -> rusqlite::Result<AttemptView> {
        let id = uuid::Uuid::new_v4().to_string();
        let key = uuid::Uuid::new_v4().to_string();
        let c = self.conn();
        c.execute(
            "INSERT INTO attempts (id, provider, kind, idem_key, request, state, tries, created_at, updated_at)
             VALUES (?1,?2,?3,?4,?5,'pending',0,?6,?6)",
            params![id, provider.as_str(), kind.as_str(), key, request.to_string(), ms(now)],
        )?;
        c.query_row(
            &format!("SELECT {COLS} FROM attempts WHERE id = ?1"),
            [&id],
            row,
        )
    }

    pub fn attempt(&self, id: &str) -> rusqlite::Result<Option<AttemptView>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLS} FROM attempts WHERE id = ?1"),
                [id],
                row,
            )
            .optional()
    }

    pub fn attempts(&self, state: Option<AttemptState>) -> rusqlite::Result<Vec<AttemptView>> {
        let c = self.conn();
        match state {
            Some(s) => {
                let mut st = c.prepare_cached(&format!(
                    "SELECT {COLS} FROM attempts WHERE state = ?1 ORDER BY created_at"
                ))?;
                let out = st.query_map([s.as_str()], row)?.collect();
                out
            }
            None => {
                let mut st =
                    c.prepare_cached(&format!("SELECT {COLS} FROM attempts ORDER BY created_at"))?;
                let out = st.query_map([], row)?.collect();
                out
            }
        }
    }

    /// Count one more send, committed before the send.
    pub fn bump_attempt(&self, id: &str, now: Time) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE attempts SET tries = tries + 1, updated_at = ?2 WHERE id = ?1",
            params![id, ms(now)],
        )?;
        Ok(())
    }

    pub fn set_attempt_state(
        &self,
        id: &str,
        state: AttemptState,
        error: Option<(&str, &str)>,
        now: Time,
    ) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE attempts SET state = ?2, error_code = ?3, error = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, state.as_str(), error.map(|e| e.0), error.map(|e| e.1), ms(now)],
        )?;
        Ok(())
    }

    /// The order and the attempt's success in one transaction: after a crash either both are
    /// there or the attempt is still pending and will be reconciled.
    #[allow(clippy::too_many_arguments)]
    pub fn complete_order_attempt(
        &self,
        attempt_id: &str,
        kind: OrderKind,
        provider: ProviderId,
        request: &str,
        cancel_unlocks_at: Option<Time>,
        remote: &RemoteOrder,
        now: Time,
    ) -> rusqlite::Result<(String, bool, Applied)> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let new = orders::NewOrder {
            provider,
            kind,
            attempt_id: Some(attempt_id),
            request: Some(request),
            cancel_unlocks_at,
            remote,
        };
        let out = orders::insert_in(&tx, &new, now)?;
        tx.execute(
            "UPDATE attempts SET state = 'succeeded', order_id = ?2, error_code = NULL, error = NULL, updated_at = ?3 WHERE id = ?1",
            params![attempt_id, out.0, ms(now)],
        )?;
        tx.commit()?;
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn complete_deposit_attempt(
        &self,
        attempt_id: &str,
        provider: ProviderId,
        kind: DepositKind,
        amount: Money,
        remote: &RemoteDeposit,
        now: Time,
    ) -> rusqlite::Result<(String, bool)> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let out = deposits::insert_in(&tx, provider, kind, amount, remote, Some(attempt_id), now)?;
        tx.execute(
            "UPDATE attempts SET state = 'succeeded', deposit_id = ?2, error_code = NULL, error = NULL, updated_at = ?3 WHERE id = ?1",
            params![attempt_id, out.0, ms(now)],
        )?;
        tx.commit()?;
        Ok(out)
    }
}

impl Store {
    /// A successful replace in one transaction: the new order (charged), the old one closed as
    /// replaced (refunded by the provider in the same move), and the attempt.
    pub fn complete_replace(
        &self,
        attempt_id: &str,
        old_id: &str,
        request: &str,
        cancel_unlocks_at: Option<Time>,
        remote: &RemoteOrder,
        now: Time,
    ) -> rusqlite::Result<(String, Applied, Applied)> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let Some(old) = orders::get_in(&tx, old_id)? else {
            return Err(rusqlite::Error::QueryReturnedNoRows);
        };
        let new = orders::NewOrder {
            provider: old.provider,
            kind: old.kind,
            attempt_id: Some(attempt_id),
            request: Some(request),
            cancel_unlocks_at,
            remote,
        };
        let (new_id, _, new_applied) = orders::insert_in(&tx, &new, now)?;
        let mut old_applied = Applied::default();
        if !old.status.is_final() {
            old_applied.status_change =
                Some((old.status.clone(), otpdesk_core::OrderStatus::Replaced));
        }
        tx.execute(
            "UPDATE orders SET status = 'replaced', is_final = 1, replaced_by = ?2, updated_at = ?3 WHERE id = ?1",
            params![old_id, new_id, ms(now)],
        )?;
        if let Some(price) = old.price {
            old_applied.ledger.extend(super::ledger::upsert_refund_in(
                &tx,
                old.provider,
                price,
                old_id,
                now,
            )?);
        }
        tx.execute(
            "UPDATE attempts SET state = 'succeeded', order_id = ?2, error_code = NULL, error = NULL, updated_at = ?3 WHERE id = ?1",
            params![attempt_id, new_id, ms(now)],
        )?;
        tx.commit()?;
        Ok((new_id, new_applied, old_applied))
    }
}
