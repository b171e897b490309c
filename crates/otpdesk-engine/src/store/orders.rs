//! Orders and their OTP timelines. An OTP is keyed by (order, position in the provider timeline),
//! so replaying the same poll reply, or a restart, can never store a code twice.

use super::{from_ms, ledger, money, ms, opt_from_ms, provider_from, Store};
use crate::db::{params, OptionalExtension, Row, Transaction};
use crate::model::{LedgerEntry, LedgerKind, OrderFilter, OrderKind, OrderView, OtpView, Time};
use crate::remote::RemoteOrder;
use otpdesk_core::{OrderStatus, ProviderId};

/// What one provider reply changed, for the events to announce after commit.
#[derive(Debug, Default)]
pub struct Applied {
    pub status_change: Option<(OrderStatus, OrderStatus)>,
    pub new_otps: Vec<OtpView>,
    pub ledger: Vec<LedgerEntry>,
}

impl Applied {
    pub fn is_empty(&self) -> bool {
        self.status_change.is_none() && self.new_otps.is_empty() && self.ledger.is_empty()
    }
}

/// The new order row, as bought.
pub struct NewOrder<'a> {
    pub provider: ProviderId,
    pub kind: OrderKind,
    pub attempt_id: Option<&'a str>,
    pub request: Option<&'a str>,
    pub cancel_unlocks_at: Option<Time>,
    pub remote: &'a RemoteOrder,
}

pub(crate) const COLS: &str =
    "id, provider, kind, server, remote_id, remote_ref, phone, email, service, \
    price_minor, currency, status, created_at, updated_at, expires_at, resend_count, \
    resend_locked_until, resend_waiting, cancel_unlocks_at, attempt_id, replaced_by";

pub(crate) fn row_to_view(r: &Row<'_>) -> crate::db::Result<OrderView> {
    let mut v = OrderView {
        id: r.get(0)?,
        provider: provider_from(&r.get::<_, String>(1)?),
        kind: OrderKind::parse(&r.get::<_, String>(2)?),
        server: r.get(3)?,
        remote_id: r.get(4)?,
        remote_ref: r.get(5)?,
        phone: r.get(6)?,
        email: r.get(7)?,
        service: r.get(8)?,
        price: money(r.get(9)?, r.get(10)?),
        status: OrderStatus::from_provider(&r.get::<_, String>(11)?),
        created_at: from_ms(r.get(12)?),
        updated_at: from_ms(r.get(13)?),
        expires_at: opt_from_ms(r.get(14)?),
        resend_count: r.get(15)?,
        resend_locked_until: opt_from_ms(r.get(16)?),
        resend_waiting_for_otp: r.get::<_, i64>(17)? != 0,
        cancel_unlocks_at: opt_from_ms(r.get(18)?),
        attempt_id: r.get(19)?,
        replaced_by: r.get(20)?,
        otps: Vec::new(),
        is_final: false,
        actions: Vec::new(),
    };
    // Settled again once the OTPs are loaded (email actions depend on them).
    crate::allowed::settle_order(&mut v);
    Ok(v)
}

pub(crate) fn otps_of(tx: &crate::db::Connection, id: &str) -> crate::db::Result<Vec<OtpView>> {
    let mut st = tx.prepare_cached(
        "SELECT seq, code, text, sender, service, received_at, stored_at, late FROM otps WHERE order_id = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map([id], |r| {
        Ok(OtpView {
            seq: r.get(0)?,
            code: r.get(1)?,
            text: r.get(2)?,
            sender: r.get(3)?,
            service: r.get(4)?,
            received_at: opt_from_ms(r.get(5)?),
            stored_at: from_ms(r.get(6)?),
            late: r.get::<_, i64>(7)? != 0,
        })
    })?;
    rows.collect()
}

pub(crate) fn get_in(c: &crate::db::Connection, id: &str) -> crate::db::Result<Option<OrderView>> {
    let sql = format!("SELECT {COLS} FROM orders WHERE id = ?1");
    let v = c.query_row(&sql, [id], row_to_view).optional()?;
    match v {
        Some(mut v) => {
            v.otps = otps_of(c, id)?;
            crate::allowed::settle_order(&mut v);
            Ok(Some(v))
        }
        None => Ok(None),
    }
}

/// Insert the order (or find it when the same provider order is already stored: an idempotent
/// replay after a lost reply or a crash) and its charge. Returns the local id and whether it is new.
pub(crate) fn insert_in(
    tx: &Transaction<'_>,
    new: &NewOrder<'_>,
    now: Time,
) -> crate::db::Result<(String, bool, Applied)> {
    let r = new.remote;
    if let Some(id) = tx
        .query_row(
            "SELECT id FROM orders WHERE provider = ?1 AND remote_id = ?2",
            params![new.provider.as_str(), r.remote_id],
            |row| row.get::<_, String>(0),
        )
        .optional()?
    {
        return Ok((id, false, Applied::default()));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let created = r.created_at.unwrap_or(now);
    tx.execute(
        "INSERT INTO orders (id, provider, kind, server, remote_id, remote_ref, phone, email, service,
            price_minor, currency, status, is_final, created_at, updated_at, expires_at, resend_count,
            resend_locked_until, cancel_unlocks_at, attempt_id, request)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)",
        params![
            id,
            new.provider.as_str(),
            new.kind.as_str(),
            r.server,
            r.remote_id,
            r.remote_ref,
            r.phone,
            r.email,
            r.service.clone().unwrap_or_default(),
            r.price.map(|m| m.minor),
            r.price.map(|m| m.currency.code()),
            r.status.as_str(),
            r.status.is_final() as i64,
            ms(now),
            ms(now),
            r.expires_at.map(ms),
            r.resend_count.unwrap_or(0),
            r.resend_locked_until.map(ms),
            new.cancel_unlocks_at.map(ms),
            new.attempt_id,
            new.request,
        ],
    )?;
    let _ = created;
    // The offer it was bought from, for the scoreboard (a replace's request is not a buy
    // request: complete_replace copies the old order's offer).
    if let Some(req) = new
        .request
        .and_then(|r| serde_json::from_str::<crate::model::BuyRequest>(r).ok())
    {
        let o = crate::scoreboard::Offer::of(&req);
        tx.execute(
            "UPDATE orders SET offer_server = ?2, offer_service = ?3, country = ?4, operator = ?5 WHERE id = ?1",
            params![id, o.server, o.service, o.country, o.operator],
        )?;
    }
    let mut applied = Applied::default();
    if let Some(price) = r.price {
        let entry = ledger::record_in(
            tx,
            new.provider,
            LedgerKind::Charge,
            -price.minor,
            price.currency,
            Some(&id),
            None,
            None,
            now,
        )?;
        applied.ledger.extend(entry);
    }
    insert_otps(tx, &id, r, now, false, &mut applied)?;
    Ok((id, true, applied))
}

/// New timeline entries; `late` marks codes that reached a cancelled or replaced order.
fn insert_otps(
    tx: &Transaction<'_>,
    id: &str,
    r: &RemoteOrder,
    now: Time,
    late: bool,
    applied: &mut Applied,
) -> crate::db::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO otps (order_id, seq, code, text, sender, service, received_at, stored_at, late)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT DO NOTHING",
    )?;
    for (seq, o) in r.otps.iter().enumerate() {
        let n = st.execute(params![
            id,
            seq as i64,
            o.code,
            o.text,
            o.sender,
            o.service,
            o.received_at.map(ms),
            ms(now),
            late
        ])?;
        if n == 1 && !late {
            // The first code in time: how long it took, for the scoreboard (see its docs).
            tx.execute(
                "UPDATE orders SET code_ms = MAX(0, MIN(?2 - created_at, COALESCE(?3, ?2) - created_at))
                 WHERE id = ?1 AND code_ms IS NULL",
                params![id, ms(now), o.received_at.map(ms)],
            )?;
        }
        if n == 1 {
            applied.new_otps.push(OtpView {
                seq: seq as i64,
                code: o.code.clone(),
                text: o.text.clone(),
                sender: o.sender.clone(),
                service: o.service.clone(),
                received_at: o.received_at,
                stored_at: now,
                late,
            });
        }
    }
    Ok(())
}

/// A code is late when the order was already cancelled (or its cancel requested) or replaced,
/// on our side or in the reply that brings it: OTPZap cancels only orders without a code.
fn late_code(cur: &OrderStatus, remote: &OrderStatus) -> bool {
    let gone = |s: &OrderStatus| {
        matches!(
            s,
            OrderStatus::CancelRequested | OrderStatus::Cancelled | OrderStatus::Replaced
        )
    };
    gone(cur) || gone(remote)
}

/// A status never leaves a final state (a stale reply must not revive a closed order), and a
/// requested cancel is not undone by a reply that still shows the order open (stale, or a late
/// code): it ends only in a final state.
fn next_status(cur: &OrderStatus, remote: &OrderStatus) -> OrderStatus {
    let open = matches!(remote, OrderStatus::Pending | OrderStatus::OtpReceived);
    if cur.is_final() || (*cur == OrderStatus::CancelRequested && open) {
        cur.clone()
    } else {
        remote.clone()
    }
}

/// Merge a poll reply into the stored order: status, timers, new OTPs, and the provider's own
/// refund when it ends the order (expired / failed / cancelled are auto-refunded). A reply older
/// than a resend just made (a poll sent before it) never takes the resend count back down.
pub(crate) fn apply_in(
    tx: &Transaction<'_>,
    id: &str,
    r: &RemoteOrder,
    now: Time,
) -> crate::db::Result<Applied> {
    let mut applied = Applied::default();
    let Some(cur) = get_in(tx, id)? else {
        return Ok(applied);
    };
    insert_otps(
        tx,
        id,
        r,
        now,
        late_code(&cur.status, &r.status),
        &mut applied,
    )?;
    let new_status = next_status(&cur.status, &r.status);
    if new_status != cur.status {
        applied.status_change = Some((cur.status.clone(), new_status.clone()));
    }
    let grew = !applied.new_otps.is_empty();
    tx.execute(
        "UPDATE orders SET status = ?2, is_final = ?3, updated_at = ?4,
            expires_at = COALESCE(?5, expires_at),
            resend_count = MAX(resend_count, COALESCE(?6, resend_count)),
            resend_locked_until = CASE WHEN ?6 IS NULL OR ?6 < resend_count THEN resend_locked_until ELSE ?7 END,
            resend_waiting = CASE WHEN ?8 THEN 0 ELSE resend_waiting END,
            phone = COALESCE(phone, ?9), email = COALESCE(email, ?10), remote_ref = COALESCE(remote_ref, ?11)
         WHERE id = ?1",
        params![
            id,
            new_status.as_str(),
            new_status.is_final() as i64,
            ms(now),
            r.expires_at.map(ms),
            r.resend_count,
            r.resend_locked_until.map(ms),
            grew,
            r.phone,
            r.email,
            r.remote_ref,
        ],
    )?;
    // Email create replies carry no price; the first check that shows it records the charge.
    if cur.price.is_none() {
        if let Some(price) = r.price {
            tx.execute(
                "UPDATE orders SET price_minor = ?2, currency = ?3 WHERE id = ?1",
                params![id, price.minor, price.currency.code()],
            )?;
            let e = ledger::record_in(
                tx,
                cur.provider,
                LedgerKind::Charge,
                -price.minor,
                price.currency,
                Some(id),
                None,
                None,
                now,
            )?;
            applied.ledger.extend(e);
        }
    }
    let cur_price = cur.price.or(r.price);
    if matches!(
        new_status,
        OrderStatus::Expired | OrderStatus::Failed | OrderStatus::Cancelled
    ) && !cur.status.is_final()
    {
        if let Some(price) = cur_price {
            let e = ledger::record_in(
                tx,
                cur.provider,
                LedgerKind::Refund,
                price.minor,
                price.currency,
                Some(id),
                None,
                Some("refunded by provider"),
                now,
            )?;
            applied.ledger.extend(e);
        }
    }
    Ok(applied)
}

impl Store {
    pub fn insert_order(
        &self,
        new: &NewOrder<'_>,
        now: Time,
    ) -> crate::db::Result<(String, bool, Applied)> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let out = insert_in(&tx, new, now)?;
        tx.commit()?;
        Ok(out)
    }

    /// Many orders in one transaction (imports, benchmarks). Returns the local ids.
    pub fn insert_orders_bulk(
        &self,
        items: &[NewOrder<'_>],
        now: Time,
    ) -> crate::db::Result<Vec<String>> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let mut ids = Vec::with_capacity(items.len());
        for n in items {
            ids.push(insert_in(&tx, n, now)?.0);
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn apply_remote(&self, id: &str, r: &RemoteOrder, now: Time) -> crate::db::Result<Applied> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let out = apply_in(&tx, id, r, now)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn order(&self, id: &str) -> crate::db::Result<Option<OrderView>> {
        get_in(&self.conn(), id)
    }

    /// The JSON of what was sent to buy an order (a `BuyRequest`, or for a replacement the
    /// order it replaced), when stored.
    pub fn order_request(&self, id: &str) -> crate::db::Result<Option<String>> {
        self.conn()
            .query_row("SELECT request FROM orders WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map(Option::flatten)
    }

    /// Orders by local id, or by the provider's id / ref.
    pub fn find_order(&self, key: &str) -> crate::db::Result<Option<OrderView>> {
        let c = self.conn();
        if let Some(v) = get_in(&c, key)? {
            return Ok(Some(v));
        }
        let id: Option<String> = c
            .query_row(
                "SELECT id FROM orders WHERE remote_id = ?1 OR remote_ref = ?1 LIMIT 1",
                [key],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => get_in(&c, &id),
            None => Ok(None),
        }
    }

    /// Newest first (insertion order); OTP timelines included. Each filter walks one index.
    pub fn orders(&self, f: &OrderFilter) -> crate::db::Result<Vec<OrderView>> {
        let c = self.conn();
        let mut sql = format!("SELECT {COLS} FROM orders WHERE 1=1");
        let mut args: Vec<Box<dyn crate::db::ToValue>> = Vec::new();
        if let Some(p) = f.provider {
            args.push(Box::new(p.as_str()));
            sql.push_str(&format!(" AND provider = ?{}", args.len()));
        }
        if let Some(s) = &f.status {
            args.push(Box::new(OrderStatus::from_provider(s).as_str().to_string()));
            sql.push_str(&format!(" AND status = ?{}", args.len()));
        }
        if f.active_only {
            sql.push_str(" AND is_final = 0");
        }
        if let Some(k) = f.kind {
            args.push(Box::new(k.as_str()));
            sql.push_str(&format!(" AND kind = ?{}", args.len()));
        }
        sql.push_str(&format!(
            " ORDER BY rowid DESC LIMIT {} OFFSET {}",
            f.limit.unwrap_or(100),
            f.offset.unwrap_or(0)
        ));
        let mut st = c.prepare_cached(&sql)?;
        let mut out: Vec<OrderView> = st
            .query_map(
                crate::db::params_from_iter(args.iter().map(|b| b.as_ref())),
                row_to_view,
            )?
            .collect::<Result<_, _>>()?;
        for o in &mut out {
            o.otps = otps_of(&c, &o.id)?;
            crate::allowed::settle_order(o);
        }
        Ok(out)
    }

    /// Orders not yet final (what `OrderFilter { active_only: true }` lists), counted in SQLite.
    pub fn count_active_orders(&self) -> crate::db::Result<i64> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM orders WHERE is_final = 0", (), |r| {
                r.get(0)
            })
    }

    pub fn count_orders(&self) -> crate::db::Result<i64> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM orders", (), |r| r.get(0))
    }

    /// Every order still being tracked (for resume).
    pub fn active_orders(&self) -> crate::db::Result<Vec<OrderView>> {
        let c = self.conn();
        let sql = format!("SELECT {COLS} FROM orders WHERE is_final = 0 ORDER BY created_at");
        let mut st = c.prepare(&sql)?;

        st.query_map((), row_to_view)?.collect()
    }

    /// The oldest code of an order not yet shown by a command line, if any.
    pub fn oldest_unshown_code(&self, order_id: &str) -> crate::db::Result<Option<i64>> {
        self.conn().query_row(
            "SELECT MIN(seq) FROM otps WHERE order_id = ?1 AND shown_at IS NULL",
            [order_id],
            |r| r.get(0),
        )
    }

    /// A command line printed this code.
    pub fn mark_code_shown(&self, order_id: &str, seq: i64, now: Time) -> crate::db::Result<()> {
        self.conn().execute(
            "UPDATE otps SET shown_at = COALESCE(shown_at, ?3) WHERE order_id = ?1 AND seq = ?2",
            params![order_id, seq, ms(now)],
        )?;
        Ok(())
    }

    /// The provider accepted a cancel without confirming the refund: the order shows
    /// `cancel_requested` (still tracked) until a check or a later reply confirms it.
    pub fn set_cancel_requested(&self, id: &str, now: Time) -> crate::db::Result<Applied> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let mut applied = Applied::default();
        let Some(cur) = get_in(&tx, id)? else {
            return Ok(applied);
        };
        if cur.status.is_final() || cur.status == OrderStatus::CancelRequested {
            return Ok(applied);
        }
        let to = OrderStatus::CancelRequested;
        tx.execute(
            "UPDATE orders SET status = ?2, is_final = 0, updated_at = ?3 WHERE id = ?1",
            params![id, to.as_str(), ms(now)],
        )?;
        tx.commit()?;
        applied.status_change = Some((cur.status, to));
        Ok(applied)
    }

    pub fn set_cancel_unlock(&self, id: &str, at: Time) -> crate::db::Result<()> {
        self.conn().execute(
            "UPDATE orders SET cancel_unlocks_at = ?2 WHERE id = ?1",
            params![id, ms(at)],
        )?;
        Ok(())
    }

    pub fn set_resend(
        &self,
        id: &str,
        count: Option<i64>,
        locked_until: Option<Time>,
        waiting: bool,
        now: Time,
    ) -> crate::db::Result<()> {
        self.conn().execute(
            "UPDATE orders SET resend_count = COALESCE(?2, resend_count + 1), resend_locked_until = ?3,
                resend_waiting = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, count, locked_until.map(ms), waiting, ms(now)],
        )?;
        Ok(())
    }

    /// Close an order on our side after a successful action (cancel / finish / replace), with the
    /// refund the provider reported. The refund upserts: the action's exact figure (after a
    /// cancellation fee) wins over the price a concurrent poll may have assumed.
    pub fn close_order(
        &self,
        id: &str,
        status: OrderStatus,
        refund: Option<otpdesk_core::Money>,
        replaced_by: Option<&str>,
        now: Time,
    ) -> crate::db::Result<Applied> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let mut applied = Applied::default();
        let Some(cur) = get_in(&tx, id)? else {
            return Ok(applied);
        };
        if cur.status != status {
            applied.status_change = Some((cur.status.clone(), status.clone()));
        }
        tx.execute(
            "UPDATE orders SET status = ?2, is_final = ?3, updated_at = ?4, replaced_by = COALESCE(?5, replaced_by) WHERE id = ?1",
            params![id, status.as_str(), status.is_final() as i64, ms(now), replaced_by],
        )?;
        if let Some(m) = refund {
            applied
                .ledger
                .extend(ledger::upsert_refund_in(&tx, cur.provider, m, id, now)?);
        }
        tx.commit()?;
        Ok(applied)
    }
}
