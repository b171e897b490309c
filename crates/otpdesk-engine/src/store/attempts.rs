//! Purchase attempts: written with their Idempotency-Key before the request leaves, so a crash or
//! a lost reply can be reconciled instead of buying twice.

use super::{deposits, from_ms, ms, orders, provider_from, Applied, Store};
use crate::db::{params, OptionalExtension, Row};
use crate::model::{AttemptKind, AttemptState, AttemptView, DepositKind, OrderKind, Time};
use crate::remote::{RemoteDeposit, RemoteOrder};
use otpdesk_core::{ErrorCode, Money, ProviderId};

const COLS: &str =
    "id, provider, kind, idem_key, request, state, tries, order_id, deposit_id, error_code, error, created_at, updated_at";

fn row(r: &Row<'_>) -> crate::db::Result<AttemptView> {
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
        // A code this version does not know (a newer OTPDesk wrote it) reads as none.
        error_code: r.get::<_, Option<String>>(9)?.and_then(|c| c.parse().ok()),
        error: r.get(10)?,
        created_at: from_ms(r.get(11)?),
        updated_at: from_ms(r.get(12)?),
        returns_first_order: false,
    })
    .map(|mut a: AttemptView| {
        a.returns_first_order = match a.kind {
            AttemptKind::Sms => {
                serde_json::from_value::<crate::model::BuyRequest>(a.request.clone())
                    .is_ok_and(|r| r.idempotent())
            }
            _ => false,
        };
        a
    })
}

impl Store {
    /// A new pending attempt, sent by `runner` (the engine instance that will send it).
    pub fn insert_attempt(
        &self,
        provider: ProviderId,
        kind: AttemptKind,
        request: &serde_json::Value,
        runner: &str,
        now: Time,
    ) -> crate::db::Result<AttemptView> {
        self.insert_attempt_as(None, provider, kind, request, runner, now)
    }

    /// [`Store::insert_attempt`] under a given id (a team request's: one request can only ever
    /// become one attempt, whoever carries it out — a second insert is refused by the key).
    pub fn insert_attempt_as(
        &self,
        id: Option<&str>,
        provider: ProviderId,
        kind: AttemptKind,
        request: &serde_json::Value,
        runner: &str,
        now: Time,
    ) -> crate::db::Result<AttemptView> {
        let id = id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
        let key = uuid::Uuid::new_v4().to_string();
        let c = self.conn();
        c.execute(
            "INSERT INTO attempts (id, provider, kind, idem_key, request, state, tries, runner, created_at, updated_at)
             VALUES (?1,?2,?3,?4,?5,'pending',0,?6,?7,?7)",
            params![id, provider.as_str(), kind.as_str(), key, request.to_string(), runner, ms(now)],
        )?;
        c.query_row(
            &format!("SELECT {COLS} FROM attempts WHERE id = ?1"),
            [&id],
            row,
        )
    }

    pub fn attempt(&self, id: &str) -> crate::db::Result<Option<AttemptView>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLS} FROM attempts WHERE id = ?1"),
                [id],
                row,
            )
            .optional()
    }

    pub fn attempts(&self, state: Option<AttemptState>) -> crate::db::Result<Vec<AttemptView>> {
        let c = self.conn();
        match state {
            Some(s) => {
                let mut st = c.prepare_cached(&format!(
                    "SELECT {COLS} FROM attempts WHERE state = ?1 ORDER BY created_at"
                ))?;

                st.query_map([s.as_str()], row)?.collect()
            }
            None => {
                let mut st =
                    c.prepare_cached(&format!("SELECT {COLS} FROM attempts ORDER BY created_at"))?;

                st.query_map((), row)?.collect()
            }
        }
    }

    /// Count one more send by `runner`, committed before the send (the first one stamps
    /// `first_sent_at`). An attempt that is no longer pending is not sent again: `false`.
    pub fn bump_attempt(&self, id: &str, runner: &str, now: Time) -> crate::db::Result<bool> {
        let n = self.conn().execute(
            "UPDATE attempts SET tries = tries + 1, runner = ?2, updated_at = ?3,
                 first_sent_at = COALESCE(first_sent_at, ?3)
             WHERE id = ?1 AND state IN ('pending', 'outcome_unknown')",
            params![id, runner, ms(now)],
        )?;
        Ok(n == 1)
    }

    /// A try's outcome was uncertain: from now on only proof closes this attempt.
    pub fn mark_uncertain(&self, id: &str) -> crate::db::Result<()> {
        self.conn()
            .execute("UPDATE attempts SET uncertain = 1 WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Pending attempts whose runner is not among `live` engine instances (read at
    /// `live_read_at`) and that were last written before then: they were interrupted (a crash, a
    /// kill). Those never sent are marked failed (nothing was bought), the others
    /// `outcome_unknown`. Returns the ones this call changed (another process may sweep too).
    pub fn sweep_orphans(
        &self,
        live: &[String],
        live_read_at: Time,
        now: Time,
    ) -> crate::db::Result<Vec<AttemptView>> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let pending: Vec<(String, Option<String>, i64)> = {
            // Only attempts last written before `live` was read: a process that started since
            // is not on that list, yet its attempt is no orphan (it may be on the wire).
            let mut st = tx.prepare(
                "SELECT id, runner, tries FROM attempts WHERE state = 'pending' AND updated_at < ?1",
            )?;
            let rows = st.query_map([ms(live_read_at)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect::<crate::db::Result<_>>()?
        };
        let mut changed = Vec::new();
        for (id, runner, tries) in pending {
            if runner.as_ref().is_some_and(|r| live.contains(r)) {
                continue;
            }
            let (state, code, msg) = if tries == 0 {
                (
                    "failed",
                    ErrorCode::Interrupted.as_str(),
                    "stopped before it was sent; nothing was bought",
                )
            } else {
                (
                    "outcome_unknown",
                    ErrorCode::Interrupted.as_str(),
                    "OTPDesk stopped before the provider's reply was stored",
                )
            };
            tx.execute(
                "UPDATE attempts SET state = ?2, error_code = ?3, error = ?4, runner = NULL, updated_at = ?5 WHERE id = ?1",
                params![id, state, code, msg, ms(now)],
            )?;
            changed.push(tx.query_row(
                &format!("SELECT {COLS} FROM attempts WHERE id = ?1"),
                [&id],
                row,
            )?);
        }
        tx.commit()?;
        Ok(changed)
    }

    pub fn set_attempt_state(
        &self,
        id: &str,
        state: AttemptState,
        error: Option<(ErrorCode, &str)>,
        now: Time,
    ) -> crate::db::Result<()> {
        self.conn().execute(
            "UPDATE attempts SET state = ?2, error_code = ?3, error = ?4, updated_at = ?5,
                 runner = CASE WHEN ?2 = 'pending' THEN runner END WHERE id = ?1",
            params![
                id,
                state.as_str(),
                error.map(|e| e.0.as_str()),
                error.map(|e| e.1),
                ms(now)
            ],
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
    ) -> crate::db::Result<(String, bool, Applied)> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
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
            "UPDATE attempts SET state = 'succeeded', order_id = ?2, error_code = NULL, error = NULL, runner = NULL, updated_at = ?3 WHERE id = ?1",
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
    ) -> crate::db::Result<(String, bool)> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let out = deposits::insert_in(&tx, provider, kind, amount, remote, Some(attempt_id), now)?;
        tx.execute(
            "UPDATE attempts SET state = 'succeeded', deposit_id = ?2, error_code = NULL, error = NULL, runner = NULL, updated_at = ?3 WHERE id = ?1",
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
    ) -> crate::db::Result<(String, Applied, Applied)> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let Some(old) = orders::get_in(&tx, old_id)? else {
            return Err(crate::db::Error::NoRows);
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
        // Same product, same offer on the scoreboard.
        tx.execute(
            "UPDATE orders SET (offer_server, offer_service, country, operator) = \
             (SELECT offer_server, offer_service, country, operator FROM orders WHERE id = ?2) \
             WHERE id = ?1",
            params![new_id, old_id],
        )?;
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
            "UPDATE attempts SET state = 'succeeded', order_id = ?2, error_code = NULL, error = NULL, runner = NULL, updated_at = ?3 WHERE id = ?1",
            params![attempt_id, new_id, ms(now)],
        )?;
        tx.commit()?;
        Ok((new_id, new_applied, old_applied))
    }
}
