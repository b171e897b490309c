//! The store side of guarded automation: maximum prices per service, auto-replace jobs and their
//! numbers, the number blocklist, watched offers and the automation switches. Every write is
//! one transaction; a job's spending is summed from the ledger of its orders, so a refund counts
//! back only once it is booked (confirmed).

use super::{currency_from, from_ms, ms, opt_from_ms, provider_from, write_tx, Store};
use crate::automation_model::{
    BlockEntry, BlockKind, JobOrder, JobRequest, JobState, JobView, WatchRequest, WatchState,
    WatchView,
};
use crate::db::{params, OptionalExtension, Row};
use crate::model::{BuyRequest, Time};
use otpdesk_core::Money;

const JOB_COLS: &str = "id, request, provider, after_ms, max_replacements, cap_minor, currency, \
    max_price_minor, use_blocklist, state, reason, message, current_order, busy, created_at, updated_at";

const WATCH_COLS: &str = "id, request, label, provider, currency, target_minor, auto_buy, \
    auto_max_minor, state, last_price_minor, last_stock, checked_at, fired_at, order_id, note, created_at";

fn req_from(text: &str) -> crate::db::Result<BuyRequest> {
    serde_json::from_str(text).map_err(|e| crate::db::Error::conversion(1, e))
}

fn job_row(r: &Row<'_>) -> crate::db::Result<(JobView, Option<String>)> {
    let cur = currency_from(&r.get::<_, String>(6)?);
    let after_ms: i64 = r.get(3)?;
    Ok((
        JobView {
            id: r.get(0)?,
            req: req_from(&r.get::<_, String>(1)?)?,
            provider: provider_from(&r.get::<_, String>(2)?),
            replace_after_ms: after_ms.max(0) as u32,
            max_replacements: r.get::<_, i64>(4)?.max(0) as u32,
            cap: Money::new(cur, r.get(5)?),
            max_price: r.get::<_, Option<i64>>(7)?.map(|m| Money::new(cur, m)),
            use_blocklist: r.get::<_, i64>(8)? != 0,
            state: JobState::parse(&r.get::<_, String>(9)?),
            reason: r.get(10)?,
            message: r.get(11)?,
            current_order: r.get(12)?,
            orders: Vec::new(),
            replacements: 0,
            spent: Money::new(cur, 0),
            created_at: from_ms(r.get(14)?),
            updated_at: from_ms(r.get(15)?),
        },
        r.get(13)?,
    ))
}

fn watch_row(r: &Row<'_>) -> crate::db::Result<WatchView> {
    let cur = currency_from(&r.get::<_, String>(4)?);
    Ok(WatchView {
        id: r.get(0)?,
        req: req_from(&r.get::<_, String>(1)?)?,
        label: r.get(2)?,
        provider: provider_from(&r.get::<_, String>(3)?),
        target: r.get::<_, Option<i64>>(5)?.map(|m| Money::new(cur, m)),
        auto_buy: r.get::<_, i64>(6)? != 0,
        auto_max: r.get::<_, Option<i64>>(7)?.map(|m| Money::new(cur, m)),
        state: WatchState::parse(&r.get::<_, String>(8)?),
        last_price: r.get::<_, Option<i64>>(9)?.map(|m| Money::new(cur, m)),
        last_stock: r.get(10)?,
        checked_at: opt_from_ms(r.get(11)?),
        fired_at: opt_from_ms(r.get(12)?),
        order_id: r.get(13)?,
        note: r.get(14)?,
        created_at: from_ms(r.get(15)?),
    })
}

impl Store {
    // ---- maximum prices ----

    /// Set (or with `None` clear) the most a purchase of `service` may cost.
    pub fn set_max_price(
        &self,
        service: &str,
        max: Option<Money>,
        now: Time,
    ) -> crate::db::Result<()> {
        let c = self.conn();
        match max {
            Some(m) => c.execute(
                "INSERT INTO max_prices (service, minor, currency, updated_at) VALUES (?1,?2,?3,?4)
                 ON CONFLICT(service) DO UPDATE SET minor = ?2, currency = ?3, updated_at = ?4",
                params![service, m.minor, m.currency.code(), ms(now)],
            )?,
            None => c.execute("DELETE FROM max_prices WHERE service = ?1", [service])?,
        };
        Ok(())
    }

    pub fn max_price(&self, service: &str) -> crate::db::Result<Option<Money>> {
        self.conn()
            .query_row(
                "SELECT minor, currency FROM max_prices WHERE service = ?1",
                [service],
                |r| {
                    Ok(Money::new(
                        currency_from(&r.get::<_, String>(1)?),
                        r.get(0)?,
                    ))
                },
            )
            .optional()
    }

    pub fn max_prices(&self) -> crate::db::Result<Vec<(String, Money)>> {
        let c = self.conn();
        let mut st =
            c.prepare("SELECT service, minor, currency FROM max_prices ORDER BY service")?;
        let rows = st.query_map((), |r| {
            Ok((
                r.get::<_, String>(0)?,
                Money::new(currency_from(&r.get::<_, String>(2)?), r.get(1)?),
            ))
        })?;
        rows.collect()
    }

    // ---- jobs ----

    pub fn insert_job(
        &self,
        id: &str,
        j: &JobRequest,
        runner: &str,
        now: Time,
    ) -> crate::db::Result<()> {
        let req = serde_json::to_string(&j.req).unwrap_or_default();
        self.conn().execute(
            "INSERT INTO jobs (id, request, provider, after_ms, max_replacements, cap_minor, currency,
                max_price_minor, use_blocklist, state, runner, created_at, updated_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,'running',?10,?11,?11)",
            params![
                id,
                req,
                j.req.provider().as_str(),
                j.replace_after_ms as i64,
                j.max_replacements as i64,
                j.cap.minor,
                j.cap.currency.code(),
                j.max_price.map(|m| m.minor),
                j.use_blocklist as i64,
                runner,
                ms(now)
            ],
        )?;
        Ok(())
    }

    /// A job with its numbers and what it spent; and what was under way (`busy`).
    pub fn job(&self, id: &str) -> crate::db::Result<Option<(JobView, Option<String>)>> {
        let c = self.conn();
        let Some((mut j, busy)) = c
            .query_row(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                [id],
                job_row,
            )
            .optional()?
        else {
            return Ok(None);
        };
        fill_job(&c, &mut j)?;
        Ok(Some((j, busy)))
    }

    /// Jobs, newest first (only the running ones with `running_only`).
    pub fn jobs(&self, running_only: bool, limit: u32) -> crate::db::Result<Vec<JobView>> {
        let c = self.conn();
        let filter = if running_only {
            "WHERE state = 'running'"
        } else {
            ""
        };
        let mut st = c.prepare(&format!(
            "SELECT {JOB_COLS} FROM jobs {filter} ORDER BY created_at DESC LIMIT ?1"
        ))?;
        let rows: Vec<(JobView, Option<String>)> = st
            .query_map([limit as i64], job_row)?
            .collect::<crate::db::Result<_>>()?;
        drop(st);
        let mut out = Vec::with_capacity(rows.len());
        for (mut j, _) in rows {
            fill_job(&c, &mut j)?;
            out.push(j);
        }
        Ok(out)
    }

    /// Take a running job for `me` unless another live runner has it. `true`: it is ours now.
    pub fn claim_job(&self, id: &str, me: &str, live: &[String]) -> crate::db::Result<bool> {
        let mut c = self.conn();
        let tx = write_tx(&mut c)?;
        let runner: Option<Option<String>> = tx
            .query_row(
                "SELECT runner FROM jobs WHERE id = ?1 AND state = 'running'",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(runner) = runner else {
            return Ok(false);
        };
        if let Some(r) = &runner {
            if r != me && live.contains(r) {
                return Ok(false);
            }
        }
        tx.execute("UPDATE jobs SET runner = ?2 WHERE id = ?1", params![id, me])?;
        tx.commit()?;
        Ok(true)
    }

    /// Mark a paid call or cancel as under way (`Some`) or done (`None`).
    pub fn set_job_busy(&self, id: &str, busy: Option<&str>, now: Time) -> crate::db::Result<()> {
        self.conn().execute(
            "UPDATE jobs SET busy = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, busy, ms(now)],
        )?;
        Ok(())
    }

    /// A number the job bought (or got by a replace): it is the job's live number now.
    pub fn add_job_order(&self, id: &str, order_id: &str, now: Time) -> crate::db::Result<()> {
        let mut c = self.conn();
        let tx = write_tx(&mut c)?;
        make_live(&tx, id, order_id, now)?;
        tx.commit()
    }

    /// The job's number is closed (`how`: cancelled, expired, replaced…): no live number now.
    pub fn close_job_order(
        &self,
        id: &str,
        order_id: &str,
        how: &str,
        now: Time,
    ) -> crate::db::Result<()> {
        let mut c = self.conn();
        let tx = write_tx(&mut c)?;
        tx.execute(
            "UPDATE job_orders SET closed_at = COALESCE(closed_at, ?3), how = COALESCE(how, ?4)
             WHERE job_id = ?1 AND order_id = ?2",
            params![id, order_id, ms(now), how],
        )?;
        tx.execute(
            "UPDATE jobs SET current_order = NULL, busy = NULL, updated_at = ?3
             WHERE id = ?1 AND current_order = ?2",
            params![id, order_id, ms(now)],
        )?;
        tx.commit()
    }

    /// The job's live number was replaced by `new` (one transaction: at no instant does the job
    /// look as if it had no live number).
    pub fn replace_job_order(
        &self,
        id: &str,
        old: &str,
        new: &str,
        now: Time,
    ) -> crate::db::Result<()> {
        let mut c = self.conn();
        let tx = write_tx(&mut c)?;
        tx.execute(
            "UPDATE job_orders SET closed_at = COALESCE(closed_at, ?3), how = 'replaced'
             WHERE job_id = ?1 AND order_id = ?2",
            params![id, old, ms(now)],
        )?;
        make_live(&tx, id, new, now)?;
        tx.commit()
    }

    /// The job ends (`state` is not running); only a running job changes.
    pub fn end_job(
        &self,
        id: &str,
        state: JobState,
        reason: &str,
        message: &str,
        now: Time,
    ) -> crate::db::Result<bool> {
        let n = self.conn().execute(
            "UPDATE jobs SET state = ?2, reason = ?3, message = ?4, busy = NULL, runner = NULL,
                updated_at = ?5 WHERE id = ?1 AND state = 'running'",
            params![id, state.as_str(), reason, message, ms(now)],
        )?;
        Ok(n > 0)
    }

    /// The running job an order belongs to, if any.
    pub fn job_of_order(&self, order_id: &str) -> crate::db::Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT j.id FROM job_orders o JOIN jobs j ON j.id = o.job_id
                 WHERE o.order_id = ?1 AND j.state = 'running'",
                [order_id],
                |r| r.get(0),
            )
            .optional()
    }

    // ---- blocklist ----

    pub fn add_block(&self, e: &BlockEntry) -> crate::db::Result<bool> {
        let n = self.conn().execute(
            "INSERT INTO blocklist (kind, value, note, created_at) VALUES (?1,?2,?3,?4)
             ON CONFLICT DO NOTHING",
            params![e.kind.as_str(), e.value, e.note, ms(e.created_at)],
        )?;
        Ok(n > 0)
    }

    pub fn remove_block(&self, kind: BlockKind, value: &str) -> crate::db::Result<bool> {
        let n = self.conn().execute(
            "DELETE FROM blocklist WHERE kind = ?1 AND value = ?2",
            params![kind.as_str(), value],
        )?;
        Ok(n > 0)
    }

    pub fn blocklist(&self) -> crate::db::Result<Vec<BlockEntry>> {
        let c = self.conn();
        let mut st =
            c.prepare("SELECT kind, value, note, created_at FROM blocklist ORDER BY kind, value")?;
        let rows = st.query_map((), |r| {
            Ok(BlockEntry {
                kind: BlockKind::parse(&r.get::<_, String>(0)?),
                value: r.get(1)?,
                note: r.get(2)?,
                created_at: from_ms(r.get(3)?),
            })
        })?;
        rows.collect()
    }

    /// Finished OTPZap Server 1 numbers, newest first: (phone, ended with a code, ended without
    /// one: cancelled, expired, failed or replaced), for blocklist suggestions.
    pub fn number_outcomes(&self, limit: u32) -> crate::db::Result<Vec<(String, bool)>> {
        let c = self.conn();
        let mut st = c.prepare(
            "SELECT o.phone, EXISTS(SELECT 1 FROM otps t WHERE t.order_id = o.id AND t.late = 0)
             FROM orders o
             WHERE o.provider = 'otpzap' AND o.server = 1 AND o.is_final = 1 AND o.phone IS NOT NULL
             ORDER BY o.rowid DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? != 0))
        })?;
        rows.collect()
    }

    // ---- switches ----

    pub fn automation_flag(&self, name: &str) -> crate::db::Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM automation_settings WHERE name = ?1",
                [name],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .is_some_and(|v| v == "1"))
    }

    pub fn set_automation_flag(&self, name: &str, on: bool) -> crate::db::Result<()> {
        self.conn().execute(
            "INSERT INTO automation_settings (name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = ?2",
            params![name, if on { "1" } else { "0" }],
        )?;
        Ok(())
    }

    // ---- watches ----

    pub fn insert_watch(&self, id: &str, w: &WatchRequest, now: Time) -> crate::db::Result<()> {
        let req = serde_json::to_string(&w.req).unwrap_or_default();
        let cur = w.req.provider().currency();
        self.conn().execute(
            "INSERT INTO watches (id, request, label, provider, currency, target_minor, auto_buy,
                auto_max_minor, state, created_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'watching',?9)",
            params![
                id,
                req,
                w.label,
                w.req.provider().as_str(),
                cur.code(),
                w.target.map(|m| m.minor),
                w.auto_buy as i64,
                w.auto_max.map(|m| m.minor),
                ms(now)
            ],
        )?;
        Ok(())
    }

    pub fn watch(&self, id: &str) -> crate::db::Result<Option<WatchView>> {
        self.conn()
            .query_row(
                &format!("SELECT {WATCH_COLS} FROM watches WHERE id = ?1"),
                [id],
                watch_row,
            )
            .optional()
    }

    pub fn watches(&self) -> crate::db::Result<Vec<WatchView>> {
        let c = self.conn();
        let mut st = c.prepare(&format!(
            "SELECT {WATCH_COLS} FROM watches ORDER BY created_at DESC"
        ))?;
        let rows = st.query_map((), watch_row)?;
        rows.collect()
    }

    pub fn remove_watch(&self, id: &str) -> crate::db::Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM watches WHERE id = ?1", [id])?
            > 0)
    }

    /// What the last look at a watched offer saw.
    pub fn watch_checked(
        &self,
        id: &str,
        price: Option<Money>,
        stock: Option<i64>,
        now: Time,
    ) -> crate::db::Result<()> {
        self.conn().execute(
            "UPDATE watches SET last_price_minor = ?2, last_stock = ?3, checked_at = ?4 WHERE id = ?1",
            params![id, price.map(|m| m.minor), stock, ms(now)],
        )?;
        Ok(())
    }

    /// Move a watch from `from` to `to` (only if it is in `from`: one process fires it once).
    pub fn watch_transition(
        &self,
        id: &str,
        from: WatchState,
        to: WatchState,
        order_id: Option<&str>,
        note: Option<&str>,
        now: Time,
    ) -> crate::db::Result<bool> {
        let n = self.conn().execute(
            "UPDATE watches SET state = ?3, order_id = COALESCE(?4, order_id), note = COALESCE(?5, note),
                fired_at = COALESCE(fired_at, ?6) WHERE id = ?1 AND state = ?2",
            params![id, from.as_str(), to.as_str(), order_id, note, ms(now)],
        )?;
        Ok(n > 0)
    }

    /// Watch again (after an alert).
    pub fn rearm_watch(&self, id: &str) -> crate::db::Result<bool> {
        Ok(self.conn().execute(
            "UPDATE watches SET state = 'watching', fired_at = NULL, order_id = NULL, note = NULL
             WHERE id = ?1 AND state IN ('alerted', 'bought')",
            [id],
        )? > 0)
    }
}

/// A job's numbers, replacements and spending (charges less booked refunds of its orders).
fn fill_job(c: &crate::db::Connection, j: &mut JobView) -> crate::db::Result<()> {
    let mut st = c.prepare_cached(
        "SELECT order_id, n, bought_at, closed_at, how FROM job_orders WHERE job_id = ?1 ORDER BY n",
    )?;
    j.orders = st
        .query_map([&j.id], |r| {
            Ok(JobOrder {
                order_id: r.get(0)?,
                n: r.get::<_, i64>(1)? as u32,
                bought_at: from_ms(r.get(2)?),
                closed_at: opt_from_ms(r.get(3)?),
                how: r.get(4)?,
            })
        })?
        .collect::<crate::db::Result<_>>()?;
    j.replacements = (j.orders.len() as u32).saturating_sub(1);
    let spent: i64 = c.query_row(
        "SELECT COALESCE(-SUM(l.amount_minor), 0) FROM ledger l
         JOIN job_orders o ON o.order_id = l.order_id
         WHERE o.job_id = ?1 AND l.kind IN ('charge', 'refund') AND l.currency = ?2",
        params![j.id, j.cap.currency.code()],
        |r| r.get(0),
    )?;
    j.spent = Money::new(j.cap.currency, spent);
    Ok(())
}

/// Inside a write transaction: `order_id` becomes the job's next number and its live one.
fn make_live(
    tx: &crate::db::Transaction<'_>,
    id: &str,
    order_id: &str,
    now: Time,
) -> crate::db::Result<()> {
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM job_orders WHERE job_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO job_orders (job_id, order_id, n, bought_at) VALUES (?1,?2,?3,?4)
         ON CONFLICT DO NOTHING",
        params![id, order_id, n + 1, ms(now)],
    )?;
    tx.execute(
        "UPDATE jobs SET current_order = ?2, busy = NULL, updated_at = ?3 WHERE id = ?1",
        params![id, order_id, ms(now)],
    )?;
    Ok(())
}
