//! The history's rows: a page of orders and deposits merged newest first, keyset paging after a
//! cursor, and a jump to a deep offset turned into a cursor on the `created_at` indexes.

use super::filter::{deposit_filter, order_filter};
use super::search::{self, Purpose, SearchPlan};
use super::totals::{cost_in, deposit_totals, orders_matching};
use super::*;
use crate::db::OptionalExtension;
use crate::store::{deposits, money, ms, orders, Store};
use std::collections::BTreeMap;

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
    search: Option<&SearchPlan>,
    index: u32,
) -> crate::db::Result<Option<HistoryCursor>> {
    let (of, df) = (order_filter(q, search, Purpose::Count), deposit_filter(q));
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
    let mut args: Vec<&Value> = Vec::new();
    if let (Some(f), true) = (&of, n_orders > 0) {
        arms.push(format!(
            "SELECT 0 AS e, created_at AS at, rowid AS seq FROM orders WHERE 1=1{}",
            renumber(&f.sql, args.len() + 1)
        ));
        args.extend(f.args.iter());
    }
    if let (Some(f), true) = (&df, n_deposits > 0) {
        arms.push(format!(
            "SELECT 1 AS e, created_at AS at, rowid AS seq FROM deposits WHERE 1=1{}",
            renumber(&f.sql, args.len() + 1)
        ));
        args.extend(f.args.iter());
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

/// The order's customer, note and paid time ([`crate::customers`]).
const DESK: &str = "(SELECT d.customer FROM order_desk d WHERE d.order_id = orders.id), \
     (SELECT d.note FROM order_desk d WHERE d.order_id = orders.id), \
     (SELECT d.paid_at FROM order_desk d WHERE d.order_id = orders.id)";

impl Store {
    /// Orders and deposits matching `q`, newest first, with totals over every match. The one
    /// place the history is filtered and totalled: the screen and the CSV export both call it.
    pub fn history(&self, q: &HistoryQuery) -> crate::db::Result<HistoryPage> {
        let limit = q.limit.unwrap_or(200).min(EXPORT_LIMIT) as usize;
        // Which orders the search matches, found once for the page, the totals and a jump.
        let plan = search::plan(&self.conn(), q)?;
        let plan = plan.as_ref();
        // A deep offset (a jump while scrolling a long list) becomes the cursor of the item just
        // before it, found on the two `created_at` indexes alone; the page is then read from
        // there like a next page, instead of reading and merging every skipped row.
        let jumped;
        let q = match (q.offset, q.after) {
            (Some(n), None) if n > 0 => {
                let after = cursor_at(&self.conn(), q, plan, n - 1)?;
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
        if let Some(mut page) = order_filter(q, plan, Purpose::Page) {
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
        if !q.skip_totals {
            total_orders = orders_matching(&c, q, plan, &profit, &mut totals)?;
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
            total_deposits = deposit_totals(&c, &f, &mut totals)?;
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
}
