//! History queries: orders with their sale price, net cost and profit, deposits, totals per
//! currency, and profit grouped by local day or by service. Sums are SQLite integer sums. Every
//! filter of the history screen is here, so its rows and the CSV export cannot differ.

use super::{deposits, money, ms, orders, Store};
use crate::history::*;
use crate::model::Time;
use otpdesk_core::{Currency, Money, OrderStatus};
use rusqlite::{params, params_from_iter, OptionalExtension, ToSql};
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

/// Statuses of orders whose price came back (the `refunded` group).
pub(super) const REFUNDED: &str = "('cancelled', 'expired', 'failed', 'replaced')";
/// Final deposit statuses other than paid.
const DEPOSIT_UNPAID: &str = "('expired', 'failed')";

/// [`StatusGroup::of_order`] as SQL; `None` when no order is in the group.
fn order_group_sql(g: StatusGroup) -> Option<String> {
    match g {
        // `is_final` is kept with the status (OrderStatus::is_final) and has an index.
        StatusGroup::Active => Some(" AND is_final = 0".into()),
        StatusGroup::Done => Some(" AND status = 'completed'".into()),
        StatusGroup::Refunded => Some(format!(" AND status IN {REFUNDED}")),
        StatusGroup::Paid | StatusGroup::Unpaid => None,
    }
}

/// [`StatusGroup::of_deposit`] as SQL; `None` when no deposit is in the group.
fn deposit_group_sql(g: StatusGroup) -> Option<String> {
    match g {
        StatusGroup::Paid => Some(" AND status = 'paid'".into()),
        StatusGroup::Unpaid => Some(format!(" AND status IN {DEPOSIT_UNPAID}")),
        StatusGroup::Active => Some(format!(
            " AND status <> 'paid' AND status NOT IN {DEPOSIT_UNPAID}"
        )),
        StatusGroup::Done | StatusGroup::Refunded => None,
    }
}

/// The orders `q` matches; `None` when it matches no order at all.
fn order_filter(q: &HistoryQuery) -> Option<Filter> {
    if q.entry == Some(EntryType::Deposit) {
        return None;
    }
    let mut f = Filter::default();
    if let Some(g) = q.group {
        f.sql.push_str(&order_group_sql(g)?);
    }
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
    if let Some(c) = crate::model::clean_customer(q.customer.as_deref()) {
        f.push(
            " AND id IN (SELECT order_id FROM order_desk WHERE customer = ?# COLLATE NOCASE)",
            c,
        );
    }
    if let Some(s) = search_text(q) {
        f.push(
            " AND (service LIKE ?# ESCAPE '\\' OR phone LIKE ?# ESCAPE '\\' OR email LIKE ?# ESCAPE '\\' \
             OR remote_id LIKE ?# ESCAPE '\\' OR remote_ref LIKE ?# ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM otps t WHERE t.order_id = orders.id AND t.code LIKE ?# ESCAPE '\\') \
             OR EXISTS (SELECT 1 FROM order_desk d WHERE d.order_id = orders.id \
                        AND (d.customer LIKE ?# ESCAPE '\\' OR d.note LIKE ?# ESCAPE '\\')))",
            s,
        );
    }
    Some(f)
}

/// The deposits `q` matches; `None` when it matches no deposit at all.
fn deposit_filter(q: &HistoryQuery) -> Option<Filter> {
    if q.entry == Some(EntryType::Order)
        || q.kind.is_some()
        || crate::model::clean_customer(q.customer.as_deref()).is_some()
    {
        return None;
    }
    let mut f = Filter::default();
    if let Some(g) = q.group {
        f.sql.push_str(&deposit_group_sql(g)?);
    }
    if let Some(p) = q.provider {
        f.push(" AND provider = ?#", p.as_str());
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        f.push(" AND status = ?#", s.to_string());
    }
    dates(&mut f, q.from, q.to);
    if let Some(s) = search_text(q) {
        f.push(
            " AND (kind LIKE ?# ESCAPE '\\' OR remote_id LIKE ?# ESCAPE '\\' OR pay_address LIKE ?# ESCAPE '\\' OR id LIKE ?# ESCAPE '\\')",
            s,
        );
    }
    Some(f)
}

/// Keyset paging: the rows of `table` that come after `cursor` in the history's order
/// (created_at DESC; at one instant orders before deposits; then rowid DESC). The row-value
/// comparison walks the `created_at` index from the cursor on.
fn after(f: &mut Filter, cursor: Option<HistoryCursor>, table: EntryType) {
    let Some(c) = cursor else { return };
    if c.entry == table {
        f.push(" AND (created_at, rowid) < (?#", c.at_ms);
        f.push(", ?#)", c.seq);
    } else if table == EntryType::Order {
        // After a deposit: orders of the same instant came before it.
        f.push(" AND created_at < ?#", c.at_ms);
    } else {
        // After an order: deposits of the same instant come after it.
        f.push(" AND created_at <= ?#", c.at_ms);
    }
}

/// `sql` with its numbered parameters `?1..` renumbered from `?{first}`.
fn renumber(sql: &str, first: usize) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        out.push(ch);
        if ch == '?' {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            if let Ok(v) = n.parse::<usize>() {
                out.push_str(&(v + first - 1).to_string());
            } else {
                out.push_str(&n);
            }
        }
    }
    out
}

/// The cursor of the item at position `index` (0-based) of the list `q` describes; `None` when
/// there are not that many. Both tables' matches merged in SQL on their `created_at` indexes.
fn cursor_at(
    c: &rusqlite::Connection,
    q: &HistoryQuery,
    index: u32,
) -> rusqlite::Result<Option<HistoryCursor>> {
    let (of, df) = (order_filter(q), deposit_filter(q));
    let mut arms = Vec::new();
    let mut args: Vec<&dyn ToSql> = Vec::new();
    if let Some(f) = &of {
        arms.push(format!(
            "SELECT 0 AS e, created_at AS at, rowid AS seq FROM orders WHERE 1=1{}",
            renumber(&f.sql, args.len() + 1)
        ));
        args.extend(f.args.iter().map(|b| b.as_ref()));
    }
    if let Some(f) = &df {
        arms.push(format!(
            "SELECT 1 AS e, created_at AS at, rowid AS seq FROM deposits WHERE 1=1{}",
            renumber(&f.sql, args.len() + 1)
        ));
        args.extend(f.args.iter().map(|b| b.as_ref()));
    }
    if arms.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "{} ORDER BY at DESC, e, seq DESC LIMIT 1 OFFSET {index}",
        arms.join(" UNION ALL ")
    );
    c.query_row(&sql, params_from_iter(args), |r| {
        Ok(HistoryCursor {
            entry: if r.get::<_, i64>(0)? == 0 {
                EntryType::Order
            } else {
                EntryType::Deposit
            },
            at_ms: r.get(1)?,
            seq: r.get(2)?,
        })
    })
    .optional()
}

/// Net cost of an order in `currency_col`'s currency (charges less refunds, positive).
const COST: &str = "(SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l \
     WHERE l.order_id = orders.id AND l.currency = orders.{CUR})";

fn cost_in(col: &str) -> String {
    COST.replace("{CUR}", col)
}

/// An order's profit in its sale currency ([`HistoryRow::profit_minor`]): NULL when not sold or
/// refunded, or when part of the cost is in another currency and cannot be converted. A dollar
/// cost (6 decimals) counts against a rupiah sale at `rate` whole rupiah per dollar, rounded.
pub(super) fn profit_sql(rate: Option<u32>) -> String {
    let same = cost_in("sale_currency");
    let other = "(SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l \
         WHERE l.order_id = orders.id AND l.currency <> orders.sale_currency)";
    let converted = match rate {
        Some(r) => format!(
            " WHEN orders.sale_currency = 'IDR' THEN orders.sale_minor - {same} - ({other} * {r} + 500000) / 1000000"
        ),
        None => String::new(),
    };
    format!(
        "(CASE WHEN orders.sale_minor IS NULL OR orders.status IN {REFUNDED} THEN NULL \
         WHEN {other} = 0 THEN orders.sale_minor - {same}{converted} ELSE NULL END)"
    )
}

/// The order's customer, note and paid time ([`crate::customers`]).
const DESK: &str = "(SELECT d.customer FROM order_desk d WHERE d.order_id = orders.id), \
     (SELECT d.note FROM order_desk d WHERE d.order_id = orders.id), \
     (SELECT d.paid_at FROM order_desk d WHERE d.order_id = orders.id)";

fn currency_of(code: &str) -> Currency {
    super::currency_from(code)
}

fn totals_for<'a>(
    m: &'a mut BTreeMap<String, CurrencyTotals>,
    code: &str,
) -> &'a mut CurrencyTotals {
    m.entry(code.to_string()).or_insert_with(|| CurrencyTotals {
        currency: currency_of(code),
        spent_minor: 0,
        topped_up_minor: 0,
        sold: 0,
        sales_minor: 0,
        profit_minor: 0,
    })
}

impl Store {
    /// Orders and deposits matching `q`, newest first, with totals over every match. The one
    /// place the history is filtered and totalled: the screen and the CSV export both call it.
    pub fn history(&self, q: &HistoryQuery) -> rusqlite::Result<HistoryPage> {
        let limit = q.limit.unwrap_or(200).min(EXPORT_LIMIT) as usize;
        // A deep offset (a jump while scrolling a long list) becomes the cursor of the item just
        // before it, found on the two `created_at` indexes alone; the page is then read from
        // there like a next page, instead of reading and merging every skipped row.
        let jumped;
        let q = match (q.offset, q.after) {
            (Some(n), None) if n > 0 => {
                let after = cursor_at(&self.conn(), q, n - 1)?;
                jumped = HistoryQuery {
                    offset: None,
                    after,
                    ..q.clone()
                };
                if jumped.after.is_none() {
                    // Fewer items than the offset: an empty page (with the totals).
                    return Ok(HistoryPage {
                        items: Vec::new(),
                        ..self.history(&HistoryQuery {
                            offset: None,
                            limit: Some(0),
                            ..q.clone()
                        })?
                    });
                }
                &jumped
            }
            _ => q,
        };
        let offset = q.offset.unwrap_or(0) as usize;
        // Enough of each kind to fill the merged page.
        let fetch = limit + offset;
        let profit = profit_sql(q.idr_per_usd);
        let mut totals: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
        let mut items: Vec<HistoryItem> = Vec::new();
        let (mut total_orders, mut total_deposits) = (0, 0);
        let c = self.conn();
        if let (Some(_), Some(mut page)) = (order_filter(q), order_filter(q)) {
            after(&mut page, q.after, EntryType::Order);
            let sql = format!(
                // The page's rows first (on an index, no columns computed), then their costs
                // and profit: a sort before the LIMIT would compute them for every match.
                "SELECT {}, sale_minor, sale_currency, {}, {profit}, {DESK}, rowid FROM orders WHERE rowid IN \
                 (SELECT rowid FROM orders WHERE 1=1{} ORDER BY created_at DESC, rowid DESC LIMIT {fetch}) \
                 ORDER BY created_at DESC, rowid DESC",
                orders::COLS,
                cost_in("currency"),
                page.sql,
            );
            let mut st = c.prepare(&sql)?;
            let rows: Vec<(HistoryRow, i64)> = st
                .query_map(page.params(), |r| {
                    Ok((
                        HistoryRow {
                            order: orders::row_to_view(r)?,
                            sale_price: money(r.get(21)?, r.get(22)?),
                            cost_minor: r.get(23)?,
                            profit_minor: r.get(24)?,
                            customer: r.get(25)?,
                            note: r.get(26)?,
                            paid: r.get::<_, Option<i64>>(27)?.is_some(),
                        },
                        r.get(28)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            for (mut row, seq) in rows {
                row.order.otps = orders::otps_of(&c, &row.order.id)?;
                crate::allowed::settle_order(&mut row.order);
                items.push(HistoryItem {
                    entry: EntryType::Order,
                    group: StatusGroup::of_order(&row.order.status),
                    created_at: row.order.created_at,
                    cursor: HistoryCursor {
                        at_ms: ms(row.order.created_at),
                        entry: EntryType::Order,
                        seq,
                    },
                    order: Some(row),
                    deposit: None,
                });
            }
        }
        if let (Some(f), false) = (order_filter(q), q.skip_totals) {
            total_orders = c.query_row(
                &format!("SELECT COUNT(*) FROM orders WHERE 1=1{}", f.sql),
                f.params(),
                |r| r.get(0),
            )?;
            let spent_sql = format!(
                "SELECT currency, SUM({}) FROM orders WHERE currency IS NOT NULL{} GROUP BY currency",
                cost_in("currency"),
                f.sql
            );
            let mut st = c.prepare(&spent_sql)?;
            for r in st.query_map(f.params(), |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
                let (code, spent): (String, i64) = r?;
                totals_for(&mut totals, &code).spent_minor = spent;
            }
            let sold_sql = format!(
                "SELECT sale_currency, COUNT(*), SUM(sale_minor), COALESCE(SUM({profit}), 0) FROM orders \
                 WHERE sale_minor IS NOT NULL AND status NOT IN {REFUNDED}{} GROUP BY sale_currency",
                f.sql
            );
            let mut st = c.prepare(&sold_sql)?;
            for r in st.query_map(f.params(), |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })? {
                let (code, n, sales, profit): (String, i64, i64, i64) = r?;
                let t = totals_for(&mut totals, &code);
                t.sold = n;
                t.sales_minor = sales;
                t.profit_minor = profit;
            }
        }
        if let (Some(_), Some(mut page)) = (deposit_filter(q), deposit_filter(q)) {
            after(&mut page, q.after, EntryType::Deposit);
            let seq_col = deposits::COLS.split(',').count();
            let sql = format!(
                "SELECT {}, rowid FROM deposits WHERE 1=1{} ORDER BY created_at DESC, rowid DESC LIMIT {fetch}",
                deposits::COLS,
                page.sql,
            );
            let mut st = c.prepare(&sql)?;
            for d in st.query_map(page.params(), |r| Ok((deposits::row(r)?, r.get(seq_col)?)))? {
                let (d, seq) = d?;
                items.push(HistoryItem {
                    entry: EntryType::Deposit,
                    group: StatusGroup::of_deposit(&d.status),
                    created_at: d.created_at,
                    cursor: HistoryCursor {
                        at_ms: ms(d.created_at),
                        entry: EntryType::Deposit,
                        seq,
                    },
                    order: None,
                    deposit: Some(d),
                });
            }
        }
        if let (Some(f), false) = (deposit_filter(q), q.skip_totals) {
            total_deposits = c.query_row(
                &format!("SELECT COUNT(*) FROM deposits WHERE 1=1{}", f.sql),
                f.params(),
                |r| r.get(0),
            )?;
            let paid_sql = format!(
                "SELECT currency, SUM(amount_minor) FROM deposits WHERE status = 'paid'{} GROUP BY currency",
                f.sql
            );
            let mut st = c.prepare(&paid_sql)?;
            for r in st.query_map(f.params(), |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
                let (code, paid): (String, i64) = r?;
                totals_for(&mut totals, &code).topped_up_minor = paid;
            }
        }
        // Newest first across both; a stable order for equal instants.
        items.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| (a.entry == EntryType::Deposit).cmp(&(b.entry == EntryType::Deposit)))
        });
        let items = items.into_iter().skip(offset).take(limit).collect();
        Ok(HistoryPage {
            items,
            total_orders,
            total_deposits,
            totals: totals.into_values().collect(),
        })
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
