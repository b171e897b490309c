//! The reseller's desk in SQLite: customer, note and paid per order (`order_desk`), per-customer
//! totals summed in SQL per currency, and small desk settings (price list, templates) as text in
//! `desk_settings`. See [`crate::customers`].

use super::history::{profit_sql, REFUNDED};
use super::{from_ms, ms, opt_from_ms, Store};
use crate::db::{params, params_from_iter, OptionalExtension};
use crate::model::{Customer, OrderDesk, Time};
use otpdesk_core::Money;

impl Store {
    /// Set an order's customer and note (kept: whether it was paid).
    pub fn set_desk(
        &self,
        order_id: &str,
        customer: Option<&str>,
        note: Option<&str>,
        now: Time,
    ) -> crate::db::Result<()> {
        self.conn().execute(
            "INSERT INTO order_desk (order_id, customer, note, set_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(order_id) DO UPDATE SET customer = ?2, note = ?3, set_at = ?4",
            params![order_id, customer, note, ms(now)],
        )?;
        Ok(())
    }

    /// Mark an order paid (`paid_at` now) or not paid.
    pub fn set_paid(&self, order_id: &str, paid: bool, now: Time) -> crate::db::Result<()> {
        let at = paid.then(|| ms(now));
        self.conn().execute(
            "INSERT INTO order_desk (order_id, paid_at, set_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(order_id) DO UPDATE SET paid_at = ?2",
            params![order_id, at, ms(now)],
        )?;
        Ok(())
    }

    /// The desk lines of these orders (those that have one), with their sale price.
    pub fn desks(&self, ids: &[String]) -> crate::db::Result<Vec<OrderDesk>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; ids.len()].join(",");
        let sql = format!(
            "SELECT d.order_id, d.customer, d.note, d.paid_at, o.sale_minor, o.sale_currency
             FROM order_desk d JOIN orders o ON o.id = d.order_id WHERE d.order_id IN ({marks})"
        );
        let c = self.conn();
        let mut st = c.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(ids.iter()), |r| {
            let paid_at: Option<i64> = r.get(3)?;
            Ok(OrderDesk {
                order_id: r.get(0)?,
                customer: r.get(1)?,
                note: r.get(2)?,
                paid: paid_at.is_some(),
                paid_at: opt_from_ms(paid_at),
                sale_price: super::money(r.get(4)?, r.get(5)?),
            })
        })?;
        rows.collect()
    }

    /// Customer names, the most recently used first (one spelling per name, ignoring case).
    pub fn recent_customers(&self, limit: u32) -> crate::db::Result<Vec<String>> {
        let c = self.conn();
        // The spelling used last (SQLite takes the bare column from the row with the MAX).
        let mut st = c.prepare(match c.backend() {
            crate::db::Backend::Sqlite => {
                "SELECT customer, MAX(set_at) FROM order_desk WHERE customer IS NOT NULL
                 GROUP BY customer COLLATE NOCASE ORDER BY 2 DESC LIMIT ?1"
            }
            crate::db::Backend::Postgres => {
                "SELECT (array_agg(customer ORDER BY set_at DESC))[1], MAX(set_at) FROM order_desk
                 WHERE customer IS NOT NULL GROUP BY customer COLLATE NOCASE ORDER BY 2 DESC LIMIT ?1"
            }
        })?;
        let rows = st.query_map([limit], |r| r.get(0))?;
        rows.collect()
    }

    /// Every customer with their totals, the most recent first. A dollar cost counts against a
    /// rupiah sale in profit at `idr_per_usd` (as in the history).
    pub fn customers(&self, idr_per_usd: Option<u32>) -> crate::db::Result<Vec<Customer>> {
        let profit = profit_sql(idr_per_usd);
        let sold = format!("(orders.sale_minor IS NOT NULL AND orders.status NOT IN {REFUNDED})");
        let sql = format!(
            "SELECT MAX(d.customer), orders.sale_currency, COUNT(*), MAX(orders.created_at),
                    SUM(CASE WHEN {sold} AND d.paid_at IS NULL THEN 1 ELSE 0 END),
                    SUM(CASE WHEN {sold} AND d.paid_at IS NULL THEN orders.sale_minor ELSE 0 END),
                    SUM(CASE WHEN {sold} THEN orders.sale_minor ELSE 0 END),
                    COALESCE(SUM({profit}), 0),
                    MIN(LOWER(d.customer))
             FROM order_desk d JOIN orders ON orders.id = d.order_id
             WHERE d.customer IS NOT NULL
             GROUP BY d.customer COLLATE NOCASE, orders.sale_currency"
        );
        let c = self.conn();
        let mut st = c.prepare(&sql)?;
        type Line = (String, Option<String>, i64, i64, i64, i64, i64, i64, String);
        let lines: Vec<Line> = st
            .query_map((), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })?
            .collect::<crate::db::Result<_>>()?;
        let mut out: Vec<(String, Customer)> = Vec::new();
        for (name, cur, n, last, unpaid, owed, sales, profit, key) in lines {
            let i = match out.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    out.push((
                        key,
                        Customer {
                            name,
                            orders: 0,
                            unpaid_orders: 0,
                            last_at: from_ms(last),
                            owed: vec![],
                            sales: vec![],
                            profit: vec![],
                        },
                    ));
                    out.len() - 1
                }
            };
            let c = &mut out[i].1;
            c.orders += n;
            c.unpaid_orders += unpaid;
            c.last_at = c.last_at.max(from_ms(last));
            if let Some(code) = cur {
                let cur = super::currency_from(&code);
                if owed != 0 {
                    c.owed.push(Money::new(cur, owed));
                }
                if sales != 0 {
                    c.sales.push(Money::new(cur, sales));
                }
                c.profit.push(Money::new(cur, profit));
            }
        }
        let mut list: Vec<Customer> = out.into_iter().map(|(_, c)| c).collect();
        list.sort_by(|a, b| b.last_at.cmp(&a.last_at).then(a.name.cmp(&b.name)));
        Ok(list)
    }

    pub fn desk_setting(&self, key: &str) -> crate::db::Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT value FROM desk_settings WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()
    }

    /// Store a setting; `None` removes it.
    pub fn set_desk_setting(&self, key: &str, value: Option<&str>) -> crate::db::Result<()> {
        let c = self.conn();
        match value {
            Some(v) => c.execute(
                "INSERT INTO desk_settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = ?2",
                params![key, v],
            )?,
            None => c.execute("DELETE FROM desk_settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }
}
