//! History queries: orders with their sale price and net cost, totals per currency, deposits,
//! and profit grouped by local day or by service. Sums are SQLite integer sums.

use super::{deposits, money, ms, orders, Store};
use crate::history::*;
use crate::model::{DepositView, Time};
use otpdesk_core::{Currency, Money, OrderStatus};
use rusqlite::{params, params_from_iter, ToSql};
use std::collections::BTreeMap;

/// A WHERE clause with its numbered arguments.
#[derive(Default)]
struct Filter {
    sql: String,
    args: Vec<Box<dyn ToSql>>,
}

impl Filter {
    fn push(&mut self, clause: &str, arg: impl ToSql + 'static) {
        self.args.push(Box::new(arg));
        let n = self.args.len();
        self.sql.push_str(&clause.replace("?#", &format!("?{n}")));
    }
    fn params(&self) -> impl rusqlite::Params + '_ {
        params_from_iter(self.args.iter().map(|b| b.as_ref()))
    }
}

/// `%needle%` for LIKE with `\` escaping.
fn like(needle: &str) -> String {
    let esc = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{esc}%")
}

fn dates(f: &mut Filter, from: Option<Time>, to: Option<Time>) {
    if let Some(t) = from {
        f.push(" AND created_at >= ?#", ms(t));
    }
    if let Some(t) = to {
        f.push(" AND created_at < ?#", ms(t));
    }
}

fn search_text(q: &HistoryQuery) -> Option<String> {
    q.search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(like)
}

fn order_filter(q: &HistoryQuery) -> Filter {
    let mut f = Filter::default();
    if let Some(p) = q.provider {
        f.push(" AND provider = ?#", p.as_str());
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        f.push(
            " AND status = ?#",
            OrderStatus::from_provider(s).as_str().to_string(),
        );
    }
    if let Some(k) = q.kind {
        f.push(" AND kind = ?#", k.as_str());
    }
    dates(&mut f, q.from, q.to);
    if let Some(s) = search_text(q) {
        f.push(
            " AND (service LIKE ?# ESCAPE '\\' OR phone LIKE ?# ESCAPE '\\' OR email LIKE ?# ESCAPE '\\' \
             OR remote_id LIKE ?# ESCAPE '\\' OR remote_ref LIKE ?# ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM otps t WHERE t.order_id = orders.id AND t.code LIKE ?# ESCAPE '\\'))",
            s,
        );
    }
    f
}

/// Net cost of an order in `currency_col`'s currency (charges less refunds, positive).
const COST: &str = "(SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l \
     WHERE l.order_id = orders.id AND l.currency = orders.{CUR})";

fn cost_in(col: &str) -> String {
    COST.replace("{CUR}", col)
}

fn currency_of(code: &str) -> Currency {
    super::currency_from(code)
}

impl Store {
    pub fn history(&self, q: &HistoryQuery) -> rusqlite::Result<HistoryPage> {
        let f = order_filter(q);
        // Before taking the connection: the deposit query takes it too.
        let deposits = self.deposit_history(q)?;
        let c = self.conn();
        let sql = format!(
            "SELECT {}, sale_minor, sale_currency, {} FROM orders WHERE 1=1{} \
             ORDER BY rowid DESC LIMIT {} OFFSET {}",
            orders::COLS,
            cost_in("currency"),
            f.sql,
            q.limit.unwrap_or(200).min(100_000),
            q.offset.unwrap_or(0)
        );
        let mut st = c.prepare(&sql)?;
        let mut rows: Vec<HistoryRow> = st
            .query_map(f.params(), |r| {
                Ok(HistoryRow {
                    order: orders::row_to_view(r)?,
                    sale_price: money(r.get(21)?, r.get(22)?),
                    cost_minor: r.get(23)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        for row in &mut rows {
            row.order.otps = orders::otps_of(&c, &row.order.id)?;
        }
        let total_orders = c.query_row(
            &format!("SELECT COUNT(*) FROM orders WHERE 1=1{}", f.sql),
            f.params(),
            |r| r.get(0),
        )?;
        let mut totals: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
        let entry = |m: &mut BTreeMap<String, CurrencyTotals>, code: String| {
            m.entry(code.clone())
                .or_insert_with(|| CurrencyTotals {
                    currency: currency_of(&code),
                    spent_minor: 0,
                    sold: 0,
                    sales_minor: 0,
                    profit_minor: 0,
                })
                .clone()
        };
        let spent_sql = format!(
            "SELECT currency, SUM({}) FROM orders WHERE currency IS NOT NULL{} GROUP BY currency",
            cost_in("currency"),
            f.sql
        );
        let mut st = c.prepare(&spent_sql)?;
        for r in st.query_map(f.params(), |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (code, spent): (String, i64) = r?;
            let mut t = entry(&mut totals, code.clone());
            t.spent_minor = spent;
            totals.insert(code, t);
        }
        let sold_sql = format!(
            "SELECT sale_currency, COUNT(*), SUM(sale_minor), SUM({}) FROM orders \
             WHERE sale_minor IS NOT NULL{} GROUP BY sale_currency",
            cost_in("sale_currency"),
            f.sql
        );
        let mut st = c.prepare(&sold_sql)?;
        for r in st.query_map(f.params(), |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })? {
            let (code, n, sales, cost): (String, i64, i64, i64) = r?;
            let mut t = entry(&mut totals, code.clone());
            t.sold = n;
            t.sales_minor = sales;
            t.profit_minor = sales - cost;
            totals.insert(code, t);
        }
        Ok(HistoryPage {
            rows,
            total_orders,
            totals: totals.into_values().collect(),
            deposits,
        })
    }

    fn deposit_history(&self, q: &HistoryQuery) -> rusqlite::Result<Vec<DepositView>> {
        let mut f = Filter::default();
        if let Some(p) = q.provider {
            f.push(" AND provider = ?#", p.as_str());
        }
        if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
            f.push(" AND status = ?#", s.to_string());
        }
        dates(&mut f, q.from, q.to);
        if let Some(s) = search_text(q) {
            f.push(
                " AND (remote_id LIKE ?# ESCAPE '\\' OR pay_address LIKE ?# ESCAPE '\\' OR id LIKE ?# ESCAPE '\\')",
                s,
            );
        }
        let c = self.conn();
        let sql = format!(
            "SELECT {} FROM deposits WHERE 1=1{} ORDER BY created_at DESC LIMIT {}",
            deposits::COLS,
            f.sql,
            q.limit.unwrap_or(200).min(100_000)
        );
        let mut st = c.prepare(&sql)?;
        let out = st.query_map(f.params(), deposits::row)?.collect();
        out
    }

    /// Record (or clear) what an order was sold for. `false` when no such order.
    pub fn set_sale_price(&self, id: &str, price: Option<Money>) -> rusqlite::Result<bool> {
        let n = self.conn().execute(
            "UPDATE orders SET sale_minor = ?2, sale_currency = ?3 WHERE id = ?1",
            params![id, price.map(|m| m.minor), price.map(|m| m.currency.code())],
        )?;
        Ok(n == 1)
    }

    /// Profit of the orders with a sale price, per local day and per service.
    pub fn profit(&self, q: &ProfitQuery) -> rusqlite::Result<ProfitReport> {
        let mut f = Filter::default();
        dates(&mut f, q.from, q.to);
        let offset_ms = i64::from(q.utc_offset_minutes) * 60_000;
        let c = self.conn();
        let run = |group: &str, order: &str| -> rusqlite::Result<Vec<ProfitRow>> {
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
