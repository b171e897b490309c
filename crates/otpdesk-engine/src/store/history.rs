//! History queries: orders with their sale price, net cost and profit, deposits, totals per
//! currency, and profit grouped by local day or by service. Sums are SQLite integer sums. Every
//! filter of the history screen is here, so its rows and the CSV export cannot differ.

use super::{deposits, money, ms, orders, Store};
use crate::db::{params, params_from_iter, OptionalExtension, ToValue};
use crate::history::*;
use crate::model::Time;
use otpdesk_core::{Currency, Money, OrderStatus};
use std::collections::BTreeMap;

/// A WHERE clause with its numbered arguments.
#[derive(Default)]
struct Filter {
    sql: String,
    args: Vec<Box<dyn ToValue>>,
}

impl Filter {
    fn push(&mut self, clause: &str, arg: impl ToValue + 'static) {
        self.args.push(Box::new(arg));
        let n = self.args.len();
        self.sql.push_str(&clause.replace("?#", &format!("?{n}")));
    }
    fn params(&self) -> impl crate::db::Params + '_ {
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

/// The separator of `order_search.text` (migration 11): char(31).
const SEARCH_SEP: char = '\u{1f}';

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
        // First whether any order's joined text (migration 11) holds the needle: a constant
        // term, checked once before any order is read, so a search that matches nothing reads
        // the narrow `order_search` alone. The joined parts are split by a separator the needle
        // cannot hold here, so any order the per-field test below accepts is found by it.
        if !s.contains(SEARCH_SEP) {
            f.push(
                " AND EXISTS (SELECT 1 FROM order_search WHERE text LIKE ?# ESCAPE '\\')",
                s.clone(),
            );
        }
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
/// there are not that many. Both tables' matches merged in SQL on their `created_at` indexes,
/// counted from whichever end of the list is nearer (a jump to the bottom walks the last rows
/// only), and a table without a match is left out of the merge.
fn cursor_at(
    c: &crate::db::Connection,
    q: &HistoryQuery,
    index: u32,
) -> crate::db::Result<Option<HistoryCursor>> {
    let (of, df) = (order_filter(q), deposit_filter(q));
    let count = |table: &str, f: &Option<Filter>| -> crate::db::Result<i64> {
        match f {
            Some(f) => c.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE 1=1{}", f.sql),
                f.params(),
                |r| r.get(0),
            ),
            None => Ok(0),
        }
    };
    let (n_orders, n_deposits) = (count("orders", &of)?, count("deposits", &df)?);
    let total = n_orders + n_deposits;
    let index = i64::from(index);
    if index >= total {
        return Ok(None);
    }
    // From the end: the same list in the opposite order, at the mirrored position.
    let from_end = index >= total / 2;
    let position = if from_end { total - 1 - index } else { index };
    let mut arms = Vec::new();
    let mut args: Vec<&dyn ToValue> = Vec::new();
    if let (Some(f), true) = (&of, n_orders > 0) {
        arms.push(format!(
            "SELECT 0 AS e, created_at AS at, rowid AS seq FROM orders WHERE 1=1{}",
            renumber(&f.sql, args.len() + 1)
        ));
        args.extend(f.args.iter().map(|b| b.as_ref()));
    }
    if let (Some(f), true) = (&df, n_deposits > 0) {
        arms.push(format!(
            "SELECT 1 AS e, created_at AS at, rowid AS seq FROM deposits WHERE 1=1{}",
            renumber(&f.sql, args.len() + 1)
        ));
        args.extend(f.args.iter().map(|b| b.as_ref()));
    }
    // Newest first, orders before deposits of one instant, then rowid DESC (or all reversed);
    // one table alone is walked on its index without the merge.
    let order = match (arms.len() > 1, from_end) {
        (true, false) => "at DESC, e, seq DESC",
        (true, true) => "at, e DESC, seq",
        (false, false) => "at DESC, seq DESC",
        (false, true) => "at, seq",
    };
    let sql = format!(
        "{} ORDER BY {order} LIMIT 1 OFFSET {position}",
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

/// Net cost of an order from its ledger rows in `{CUR}`'s currency (charges less refunds,
/// positive): read only for an order with ledger rows in another currency than its own.
const LEDGER_COST: &str = "(SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l \
     WHERE l.order_id = orders.id AND l.currency {OP} orders.{CUR})";

/// Net cost of an order in `col`'s currency (`currency` or `sale_currency`); `other`: in every
/// currency but `col`'s. The `cost_minor` column (migration 11, kept by triggers on the ledger)
/// holds it in the order's own currency when every ledger row is in that currency.
fn cost_expr(col: &str, other: bool) -> String {
    let ledger = LEDGER_COST
        .replace("{CUR}", col)
        .replace("{OP}", if other { "<>" } else { "=" });
    let column = match (col, other) {
        ("currency", false) => "orders.cost_minor".to_string(),
        ("currency", true) => "0".to_string(),
        (c, false) => {
            format!("(CASE WHEN orders.{c} = orders.currency THEN orders.cost_minor ELSE 0 END)")
        }
        (c, true) => {
            format!("(CASE WHEN orders.{c} <> orders.currency THEN orders.cost_minor ELSE 0 END)")
        }
    };
    format!("(CASE WHEN orders.cost_mixed = 0 THEN {column} ELSE {ledger} END)")
}

fn cost_in(col: &str) -> String {
    cost_expr(col, false)
}

/// An order's profit in its sale currency ([`HistoryRow::profit_minor`]): NULL when not sold or
/// refunded, or when part of the cost is in another currency and cannot be converted. A dollar
/// cost (6 decimals) counts against a rupiah sale at `rate` whole rupiah per dollar, rounded.
pub(super) fn profit_sql(rate: Option<u32>) -> String {
    let same = cost_in("sale_currency");
    let other = cost_expr("sale_currency", true);
    let converted = match rate {
        Some(r) => format!(
            " WHEN orders.sale_currency = 'IDR' THEN orders.sale_minor - {same} - ({other} * {r} + 500000) / 1000000"
        ),
        None => String::new(),
    };
    // Every ledger row in the order's currency (`cost_mixed = 0`): from the kept column alone.
    // The cost is then all in the sale currency (`same`), or all in another (`other`), or none.
    let kept_converted = match rate {
        Some(r) => format!(
            " WHEN orders.sale_currency = 'IDR' THEN orders.sale_minor - (orders.cost_minor * {r} + 500000) / 1000000"
        ),
        None => String::new(),
    };
    format!(
        "(CASE WHEN orders.sale_minor IS NULL OR orders.status IN {REFUNDED} THEN NULL \
         WHEN orders.cost_mixed = 0 THEN (CASE WHEN orders.sale_currency = orders.currency \
              THEN orders.sale_minor - orders.cost_minor \
              WHEN orders.cost_minor = 0 OR (orders.sale_currency <> orders.currency) IS NOT 1 \
              THEN orders.sale_minor{kept_converted} ELSE NULL END) \
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
    pub fn history(&self, q: &HistoryQuery) -> crate::db::Result<HistoryPage> {
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
            // The kept column of the orders with every ledger row in their currency (a range
            // of the `orders_spent` index), then the ledger of the others.
            for spent_sql in [
                format!(
                    "SELECT currency, SUM(cost_minor) FROM orders \
                     WHERE currency IS NOT NULL AND cost_mixed = 0{} GROUP BY currency",
                    f.sql
                ),
                format!(
                    "SELECT currency, SUM({}) FROM orders \
                     WHERE currency IS NOT NULL AND cost_mixed <> 0{} GROUP BY currency",
                    cost_in("currency"),
                    f.sql
                ),
            ] {
                let mut st = c.prepare(&spent_sql)?;
                for r in st.query_map(f.params(), |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
                    let (code, spent): (String, i64) = r?;
                    totals_for(&mut totals, &code).spent_minor += spent;
                }
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

#[cfg(test)]
mod tests {
    //! The history's totals, profit, search and jumps read columns kept by migration 11's
    //! triggers (order cost, search text): they must give what the ledger and the orders' own
    //! columns give, through refunds (provider's and an action's, re-reported), late codes, a
    //! price learnt after the order, a dollar cost against a rupiah sale, and a cost in two
    //! currencies.
    use super::*;
    use crate::remote::{RemoteOrder, RemoteOtp};
    use crate::store::NewOrder;
    use crate::OrderKind;
    use chrono::{Duration, TimeZone, Utc};
    use otpdesk_core::ProviderId;

    fn otp(code: &str) -> RemoteOtp {
        RemoteOtp {
            code: Some(code.into()),
            text: Some(format!("Your code is {code}")),
            sender: None,
            service: None,
            received_at: None,
        }
    }

    fn buy(store: &Store, r: &RemoteOrder, at: Time) -> String {
        let new = NewOrder {
            provider: ProviderId::Otpzap,
            kind: if r.email.is_some() {
                OrderKind::Email
            } else {
                OrderKind::Sms
            },
            attempt_id: None,
            request: None,
            cancel_unlocks_at: None,
            remote: r,
        };
        store.insert_order(&new, at).unwrap().0
    }

    /// Every order's cost from the ledger alone (what the history computed before migration 11).
    fn ledger_costs(store: &Store) -> Vec<(String, i64, i64, i64)> {
        let c = store.conn();
        let mut st = c
            .prepare(
                "SELECT id, \
                 (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency), \
                 (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.sale_currency), \
                 (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency <> orders.sale_currency) \
                 FROM orders ORDER BY id",
            )
            .unwrap();
        let rows = st
            .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    fn column_costs(store: &Store) -> Vec<(String, i64, i64, i64)> {
        let c = store.conn();
        let sql = format!(
            "SELECT id, {}, {}, {} FROM orders ORDER BY id",
            cost_in("currency"),
            cost_in("sale_currency"),
            cost_expr("sale_currency", true)
        );
        let mut st = c.prepare(&sql).unwrap();
        let rows = st
            .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    fn found(store: &Store, needle: &str) -> Vec<String> {
        let page = store
            .history(&HistoryQuery {
                search: Some(needle.into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.total_orders as usize, page.items.len(), "{needle}");
        let mut ids: Vec<String> = page
            .items
            .iter()
            .filter_map(|i| i.order.as_ref().map(|o| o.order.id.clone()))
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn totals_profit_and_search_match_the_ledger_and_the_orders_after_refunds_and_late_codes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 5, 19, 3, 0, 0).unwrap();
        let at = |m: i64| t + Duration::minutes(m);

        // A: Rp 3,000, a code, sold for Rp 5,000.
        let mut ra = RemoteOrder::new("ra", OrderStatus::Pending);
        ra.price = Some(Money::idr(3_000));
        ra.service = Some("WhatsApp".into());
        ra.phone = Some("6281234567890".into());
        let a = buy(&store, &ra, at(0));
        ra.status = OrderStatus::Completed;
        ra.otps = vec![otp("481516")];
        store.apply_remote(&a, &ra, at(1)).unwrap();
        store.set_sale_price(&a, Some(Money::idr(5_000))).unwrap();

        // B: Rp 2,500, expired and refunded by the provider, then a late code; sold (not counted).
        let mut rb = RemoteOrder::new("rb", OrderStatus::Pending);
        rb.price = Some(Money::idr(2_500));
        rb.service = Some("Telegram".into());
        rb.phone = Some("6289900011122".into());
        let b = buy(&store, &rb, at(2));
        rb.status = OrderStatus::Expired;
        store.apply_remote(&b, &rb, at(3)).unwrap();
        rb.otps = vec![otp("999111")];
        store.apply_remote(&b, &rb, at(4)).unwrap();
        store.set_sale_price(&b, Some(Money::idr(4_000))).unwrap();

        // C: Rp 2,000, cancelled with a fee (Rp 1,500 back), then the refund re-reported (Rp 1,800).
        let mut rc = RemoteOrder::new("rc", OrderStatus::Pending);
        rc.price = Some(Money::idr(2_000));
        rc.service = Some("Shopee".into());
        let c = buy(&store, &rc, at(5));
        store
            .close_order(
                &c,
                OrderStatus::Cancelled,
                Some(Money::idr(1_500)),
                None,
                at(6),
            )
            .unwrap();
        store
            .close_order(
                &c,
                OrderStatus::Cancelled,
                Some(Money::idr(1_800)),
                None,
                at(7),
            )
            .unwrap();

        // D: $0.25 (6 decimals), sold for Rp 6,000: profit only with a rate.
        let mut rd = RemoteOrder::new("rd", OrderStatus::Completed);
        rd.price = Some(Money::new(Currency::Usd, 250_000));
        rd.service = Some("Google".into());
        rd.otps = vec![otp("G-777")];
        let d = buy(&store, &rd, at(8));
        store.set_sale_price(&d, Some(Money::idr(6_000))).unwrap();

        // E: an email order whose price comes with the first check (currency set afterwards).
        let mut re = RemoteOrder::new("re", OrderStatus::Pending);
        re.email = Some("box_one@mail.example".into());
        re.service = Some("Discord".into());
        let e = buy(&store, &re, at(9));
        re.price = Some(Money::idr(1_000));
        re.status = OrderStatus::Completed;
        store.apply_remote(&e, &re, at(10)).unwrap();
        store.set_sale_price(&e, Some(Money::idr(1_500))).unwrap();

        // F: Rp 2,000 plus a dollar fee booked on the same order: cost in two currencies.
        let mut rf = RemoteOrder::new("rf", OrderStatus::Completed);
        rf.price = Some(Money::idr(2_000));
        rf.service = Some("Gojek".into());
        let f = buy(&store, &rf, at(11));
        store
            .conn()
            .execute(
                "INSERT INTO ledger (provider, kind, amount_minor, currency, order_id, note, at) \
                 VALUES ('otpzap', 'fee', -10000, 'USD', ?1, 'fee', ?2)",
                params![f, ms(at(12))],
            )
            .unwrap();
        store.set_sale_price(&f, Some(Money::idr(2_500))).unwrap();

        store
            .set_desk(
                &a,
                Some("Budi Santoso"),
                Some("paid by transfer 100%"),
                at(13),
            )
            .unwrap();
        store
            .set_desk(&c, Some("Siti"), Some("wants_refund"), at(13))
            .unwrap();

        // The kept column gives, order by order, what the ledger gives.
        assert_eq!(column_costs(&store), ledger_costs(&store));
        let cost = |id: &str| {
            let c = store.conn();
            c.query_row(
                "SELECT cost_minor, cost_mixed FROM orders WHERE id = ?1",
                [id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .unwrap()
        };
        assert_eq!(cost(&a), (3_000, 0));
        assert_eq!(cost(&b), (0, 0));
        assert_eq!(cost(&c), (200, 0));
        assert_eq!(cost(&d), (250_000, 0));
        assert_eq!(cost(&e), (1_000, 0));
        assert_eq!(cost(&f), (2_000, 1));

        // Totals by hand. Spent in rupiah: A 3,000 + B 0 + C 200 + E 1,000 + F 2,000; in
        // dollars: D 0.25 (F's dollar fee is not in F's currency, as before). Sold (not
        // refunded): A, D, E, F in rupiah. Profit without a rate: A 2,000 + E 500 (D and F
        // have a dollar cost); at Rp 16,000/$: D 6,000 - 4,000 = 2,000, F 2,500 - 2,000 - 160.
        let totals = |rate: Option<u32>| {
            let page = store
                .history(&HistoryQuery {
                    idr_per_usd: rate,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(page.total_orders, 6);
            page.totals
        };
        let no_rate = totals(None);
        let idr = no_rate
            .iter()
            .find(|t| t.currency == Currency::Idr)
            .unwrap();
        let usd = no_rate
            .iter()
            .find(|t| t.currency == Currency::Usd)
            .unwrap();
        assert_eq!(idr.spent_minor, 3_000 + 200 + 1_000 + 2_000);
        assert_eq!(usd.spent_minor, 250_000);
        assert_eq!(idr.sold, 4);
        assert_eq!(idr.sales_minor, 5_000 + 6_000 + 1_500 + 2_500);
        assert_eq!(idr.profit_minor, 2_000 + 500);
        let rated = totals(Some(16_000));
        let idr = rated.iter().find(|t| t.currency == Currency::Idr).unwrap();
        assert_eq!(
            idr.profit_minor,
            2_000 + 500 + 2_000 + (2_500 - 2_000 - 160)
        );
        let page = store
            .history(&HistoryQuery {
                idr_per_usd: Some(16_000),
                ..Default::default()
            })
            .unwrap();
        let row = |id: &str| {
            page.items
                .iter()
                .filter_map(|i| i.order.as_ref())
                .find(|o| o.order.id == id)
                .map(|o| (o.cost_minor, o.profit_minor))
                .unwrap()
        };
        assert_eq!(row(&c).0, 200);
        assert_eq!(row(&b).1, None);
        assert_eq!(row(&d).1, Some(2_000));
        assert_eq!(row(&f), (2_000, Some(340)));
        let report = store.profit(&ProfitQuery::default()).unwrap();
        let all: i64 = report.by_service.iter().map(|r| r.cost_minor).sum();
        // Cost in the sale currency: A 3,000 + B 0 + E 1,000 + F 2,000 (D's is in dollars).
        assert_eq!(all, 3_000 + 1_000 + 2_000);

        // A price change after the fact (the currency too) re-reads the ledger.
        store
            .conn()
            .execute("UPDATE orders SET currency = 'USD' WHERE id = ?1", [&a])
            .unwrap();
        assert_eq!(cost(&a), (0, 1));
        assert_eq!(column_costs(&store), ledger_costs(&store));
        store
            .conn()
            .execute("UPDATE orders SET currency = 'IDR' WHERE id = ?1", [&a])
            .unwrap();
        assert_eq!(cost(&a), (3_000, 0));

        // Search: each field, the codes (a late one too), customer and note, ASCII case
        // insensitive, % and _ literal, nothing across two fields.
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(found(&store, "481516"), vec![a.clone()]);
        assert_eq!(found(&store, "99911"), vec![b.clone()]);
        assert_eq!(found(&store, "g-77"), vec![d.clone()]);
        assert_eq!(found(&store, "whatsAPP"), vec![a.clone()]);
        assert_eq!(found(&store, "899000"), vec![b.clone()]);
        assert_eq!(found(&store, "BOX_ONE"), vec![e.clone()]);
        assert_eq!(found(&store, "budi"), vec![a.clone()]);
        assert_eq!(found(&store, "100%"), vec![a.clone()]);
        assert_eq!(found(&store, "1_1"), Vec::<String>::new());
        assert_eq!(found(&store, "s_refund"), vec![c.clone()]);
        assert_eq!(found(&store, "rb"), vec![b.clone()]);
        assert_eq!(found(&store, "pp628"), Vec::<String>::new());
        assert_eq!(found(&store, "App\u{1f}628"), Vec::<String>::new());
        assert_eq!(found(&store, "no-such-thing"), Vec::<String>::new());
        assert_eq!(
            found(&store, "o"),
            sorted(vec![a.clone(), d.clone(), e.clone(), f.clone(), c.clone()])
        );
        // A changed note and customer are found by their new text only.
        store
            .set_desk(&a, Some("Andi"), Some("lunas"), at(14))
            .unwrap();
        assert_eq!(found(&store, "budi"), Vec::<String>::new());
        assert_eq!(found(&store, "LUNAS"), vec![a.clone()]);
        // The same rows as the per-field search it replaces, for every needle above.
        for needle in ["481516", "9", "a", "App", "_", "%", "s_refund", "box", "6"] {
            let mut old = Filter::default();
            let s = like(needle);
            old.push(
                "(service LIKE ?# ESCAPE '\\' OR phone LIKE ?# ESCAPE '\\' OR email LIKE ?# ESCAPE '\\' \
                 OR remote_id LIKE ?# ESCAPE '\\' OR remote_ref LIKE ?# ESCAPE '\\' \
                 OR EXISTS (SELECT 1 FROM otps t WHERE t.order_id = orders.id AND t.code LIKE ?# ESCAPE '\\') \
                 OR EXISTS (SELECT 1 FROM order_desk d WHERE d.order_id = orders.id \
                            AND (d.customer LIKE ?# ESCAPE '\\' OR d.note LIKE ?# ESCAPE '\\')))",
                s,
            );
            let want: Vec<String> = {
                let c = store.conn();
                let mut st = c
                    .prepare(&format!(
                        "SELECT id FROM orders WHERE {} ORDER BY id",
                        old.sql
                    ))
                    .unwrap();
                let rows = st.query_map(old.params(), |r| r.get(0)).unwrap();
                rows.collect::<Result<_, _>>().unwrap()
            };
            assert_eq!(found(&store, needle), want, "{needle}");
        }
    }

    #[test]
    fn jumps_from_either_end_land_on_the_rows_of_the_full_list_with_deposits_between() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 5, 19, 3, 0, 0).unwrap();
        for i in 0..23i64 {
            let mut r = RemoteOrder::new(format!("r{i}"), OrderStatus::Completed);
            r.price = Some(Money::idr(1_000));
            // Pairs of orders per instant.
            buy(&store, &r, t + Duration::seconds(i / 2));
        }
        // Deposits at instants of orders (ties: orders first) and between them.
        for i in 0..7i64 {
            let at = ms(t + Duration::milliseconds(i * 1_700));
            store
                .conn()
                .execute(
                    "INSERT INTO deposits (id, provider, kind, remote_id, amount_minor, currency, status, created_at, updated_at) \
                     VALUES (?1, 'otpzap', 'qris', ?1, 10000, 'IDR', 'paid', ?2, ?2)",
                    params![format!("d{i}"), at],
                )
                .unwrap();
        }
        let key = |i: &HistoryItem| match &i.order {
            Some(o) => o.order.id.clone(),
            None => i.deposit.as_ref().unwrap().id.clone(),
        };
        for q in [
            HistoryQuery::default(),
            HistoryQuery {
                entry: Some(EntryType::Order),
                ..Default::default()
            },
            HistoryQuery {
                entry: Some(EntryType::Deposit),
                ..Default::default()
            },
            HistoryQuery {
                search: Some("r1".into()),
                ..Default::default()
            },
        ] {
            let all: Vec<String> = store
                .history(&HistoryQuery {
                    limit: Some(1000),
                    ..q.clone()
                })
                .unwrap()
                .items
                .iter()
                .map(key)
                .collect();
            for at in 0..all.len() + 2 {
                let page = store
                    .history(&HistoryQuery {
                        offset: Some(at as u32),
                        limit: Some(3),
                        skip_totals: true,
                        ..q.clone()
                    })
                    .unwrap();
                let got: Vec<String> = page.items.iter().map(key).collect();
                let want: Vec<String> = all.iter().skip(at).take(3).cloned().collect();
                assert_eq!(got, want, "offset {at} of {}", all.len());
            }
        }
    }
}
