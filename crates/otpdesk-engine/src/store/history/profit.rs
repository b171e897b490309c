//! What each order was sold for, and the profit report per local day and per service.

use super::totals::cost_in;
use super::*;
use crate::db::params;
use crate::store::Store;
use otpdesk_core::Money;

impl Store {
    /// Record (or clear) what an order was sold for. `false` when no such order.
    pub fn set_sale_price(&self, id: &str, price: Option<Money>) -> crate::db::Result<bool> {
        let n = self.conn().execute(
            "UPDATE orders SET sale_minor = ?2, sale_currency = ?3 WHERE id = ?1",
            params![id, price.map(|m| m.minor), price.map(|m| m.currency.code())],
        )?;
        Ok(n == 1)
    }

    /// Profit of the orders with a sale price, per local day and per service.
    pub fn profit(&self, q: &ProfitQuery) -> crate::db::Result<ProfitReport> {
        let mut f = Filter::default();
        dates(&mut f, q.from, q.to);
        let offset_ms = i64::from(q.utc_offset_minutes) * 60_000;
        let c = self.conn();
        let run = |group: &str, order: &str| -> crate::db::Result<Vec<ProfitRow>> {
            let sql = format!(
                "SELECT {group}, sale_currency, COUNT(*), SUM(sale_minor), SUM({cost}) AS cost, \
                 SUM(sale_minor) - SUM({cost}) AS profit \
                 FROM orders WHERE sale_minor IS NOT NULL{w} \
                 GROUP BY 1, sale_currency ORDER BY {order}",
                cost = cost_in("sale_currency"),
                w = f.sql,
            );
            let mut st = c.prepare(&sql)?;
            let by_day = group.starts_with('(');
            let rows = st.query_map(f.params(), |r| {
                let (day, service) = if by_day {
                    (Some(day_text(r.get(0)?)), None)
                } else {
                    (None, Some(r.get::<_, String>(0)?))
                };
                Ok(ProfitRow {
                    day,
                    service,
                    currency: currency_of(&r.get::<_, String>(1)?),
                    orders: r.get(2)?,
                    sales_minor: r.get(3)?,
                    cost_minor: r.get(4)?,
                    profit_minor: r.get(5)?,
                })
            })?;
            rows.collect()
        };
        // Integer division of local milliseconds: the day index since 1970-01-01.
        let day = format!("((created_at + {offset_ms}) / 86400000)");
        Ok(ProfitReport {
            by_day: run(&day, "1 DESC, sale_currency")?,
            by_service: run("service", "profit DESC, 1")?,
        })
    }
}

fn day_text(days: i64) -> String {
    chrono::DateTime::from_timestamp(days * 86_400, 0)
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}
