//! Sums over every order and deposit a history query matches (spent, topped up, sold, sales,
//! profit per currency), and the SQL of an order's net cost and profit they and the rows share.
//! Orders are summed from `order_totals` (migration 13: kept by triggers per UTC day, provider,
//! kind, status and currencies) for every filter but a search or a customer, so the totals of
//! 100,000 orders read a few hundred rows; the orders themselves are read only for the hours at
//! either edge of a date range, for a search or a customer, and for the rare order whose cost is
//! in two currencies.

use super::filter::order_filter;
use super::search::{Purpose, SearchPlan};
use super::*;
use std::collections::BTreeMap;

/// Milliseconds in a day: `order_totals.day` is `created_at / DAY_MS` (UTC days).
const DAY_MS: i64 = 86_400_000;

/// Net cost of an order from its ledger rows in `{CUR}`'s currency (charges less refunds,
/// positive): read only for an order with ledger rows in another currency than its own.
const LEDGER_COST: &str = "(SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l \
     WHERE l.order_id = orders.id AND l.currency {OP} orders.{CUR})";

/// Net cost of an order in `col`'s currency (`currency` or `sale_currency`); `other`: in every
/// currency but `col`'s. The `cost_minor` column (migration 11, kept by triggers on the ledger)
/// holds it in the order's own currency when every ledger row is in that currency.
pub(super) fn cost_expr(col: &str, other: bool) -> String {
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

pub(super) fn cost_in(col: &str) -> String {
    cost_expr(col, false)
}

/// An order's profit in its sale currency ([`HistoryRow::profit_minor`]): NULL when not sold or
/// refunded, or when part of the cost is in another currency and cannot be converted. A dollar
/// cost (6 decimals) counts against a rupiah sale at `rate` whole rupiah per dollar, rounded.
pub(in crate::store) fn profit_sql(rate: Option<u32>) -> String {
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
              WHEN orders.cost_minor = 0 OR (orders.sale_currency <> orders.currency) IS NOT TRUE \
              THEN orders.sale_minor{kept_converted} ELSE NULL END) \
         WHEN {other} = 0 THEN orders.sale_minor - {same}{converted} ELSE NULL END)"
    )
}

pub(super) fn totals_for<'a>(
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

/// Adds the orders `f` matches to `totals` (spent per currency; sold, sales and profit per sale
/// currency, `profit` being [`profit_sql`]); returns how many orders match. One pass over the
/// matches: a search's candidates are read once.
pub(super) fn order_totals(
    c: &crate::db::Connection,
    f: &Filter,
    profit: &str,
    totals: &mut BTreeMap<String, CurrencyTotals>,
) -> crate::db::Result<i64> {
    let sold = format!("(sale_minor IS NOT NULL AND status NOT IN {REFUNDED})");
    let sql = format!(
        "SELECT currency, sale_currency, COUNT(*), SUM({spent}), SUM(CASE WHEN {sold} THEN 1 ELSE 0 END), \
         SUM(CASE WHEN {sold} THEN sale_minor ELSE 0 END), \
         COALESCE(SUM(CASE WHEN {sold} THEN {profit} END), 0) \
         FROM orders WHERE 1=1{} GROUP BY currency, sale_currency",
        f.sql,
        spent = cost_in("currency"),
    );
    let mut st = c.prepare(&sql)?;
    let mut total_orders = 0;
    let rows = st.query_map(f.params(), |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    for r in rows {
        let (currency, sale_currency, n, spent, sold, sales, profit) = r?;
        total_orders += n;
        if let Some(code) = currency {
            totals_for(totals, &code).spent_minor += spent;
        }
        if let (Some(code), true) = (sale_currency, sold > 0) {
            let t = totals_for(totals, &code);
            t.sold += sold;
            t.sales_minor += sales;
            t.profit_minor += profit;
        }
    }
    Ok(total_orders)
}

/// Adds every order `q` matches to `totals` ([`order_totals`]'s figures, to the unit); returns
/// how many orders match. `search` is `q`'s search plan; `profit` is [`profit_sql`] at `q`'s rate.
pub(super) fn orders_matching(
    c: &crate::db::Connection,
    q: &HistoryQuery,
    search: Option<&SearchPlan>,
    profit: &str,
    totals: &mut BTreeMap<String, CurrencyTotals>,
) -> crate::db::Result<i64> {
    let live = |q: &HistoryQuery, totals: &mut BTreeMap<String, CurrencyTotals>| match order_filter(
        q,
        search,
        Purpose::Count,
    ) {
        Some(f) => order_totals(c, &f, profit, totals),
        None => Ok(0),
    };
    // The kept sums are SQLite's only (migration 13; not ported to PostgreSQL yet).
    let kept_here = matches!(c.backend(), crate::db::Backend::Sqlite);
    if !kept_here
        || search.is_some()
        || crate::model::clean_customer(q.customer.as_deref()).is_some()
    {
        return live(q, totals);
    }
    // Whole UTC days from the kept sums; the hours before the first and after the last whole
    // day of a date range from the orders.
    let (from, to) = (q.from.map(ms), q.to.map(ms));
    let first_day = from.map(|t| t.div_euclid(DAY_MS) + i64::from(t.rem_euclid(DAY_MS) != 0));
    let end_day = to.map(|t| t.div_euclid(DAY_MS));
    if let (Some(a), Some(b)) = (first_day, end_day) {
        if a >= b {
            return live(q, totals);
        }
    }
    let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms);
    let mut n = 0;
    if let (Some(t), Some(d)) = (from, first_day) {
        if t < d * DAY_MS {
            let edge = HistoryQuery {
                to: at(d * DAY_MS),
                ..q.clone()
            };
            n += live(&edge, totals)?;
        }
    }
    if let (Some(t), Some(d)) = (to, end_day) {
        if d * DAY_MS < t {
            let edge = HistoryQuery {
                from: at(d * DAY_MS),
                ..q.clone()
            };
            n += live(&edge, totals)?;
        }
    }
    let whole_days = HistoryQuery {
        from: None,
        to: None,
        ..q.clone()
    };
    let Some(base) = order_filter(&whole_days, None, Purpose::Count) else {
        return Ok(n);
    };
    // The same filter over `order_totals` (its columns are named as the orders') ...
    let mut kept = base.clone();
    // ... and over the orders whose cost is in two currencies (sold, sales and profit of
    // those are left out of the kept sums: their cost is read from the ledger).
    let mut mixed = base;
    if let Some(d) = first_day {
        kept.push(" AND day >= ?#", d);
        mixed.push(" AND created_at >= ?#", d * DAY_MS);
    }
    if let Some(d) = end_day {
        kept.push(" AND day < ?#", d);
        mixed.push(" AND created_at < ?#", d * DAY_MS);
    }
    let mut st = c.prepare(&format!(
        "SELECT currency, SUM(orders), SUM(spent_minor) FROM order_totals WHERE 1=1{} \
         GROUP BY currency HAVING SUM(orders) > 0",
        kept.sql
    ))?;
    for r in st.query_map(kept.params(), |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
    })? {
        let (code, orders, spent): (String, i64, i64) = r?;
        n += orders;
        // '': orders whose price (and currency) is not known yet.
        if !code.is_empty() {
            totals_for(totals, &code).spent_minor += spent;
        }
    }
    // A cost in another currency than the sale's counts at the rate, rounded per order as
    // `profit_sql` does: each kept row holds orders of one such cost.
    let converted = match q.idr_per_usd {
        Some(r) => format!(
            " WHEN sale_currency = 'IDR' THEN sales_minor - sold * ((conv_cost * {r} + 500000) / 1000000)"
        ),
        None => String::new(),
    };
    let mut st = c.prepare(&format!(
        "SELECT sale_currency, SUM(sold), SUM(sales_minor), \
         SUM(CASE WHEN converted = 0 THEN profit_minor{converted} ELSE 0 END) \
         FROM order_totals WHERE sale_currency <> ''{} GROUP BY sale_currency HAVING SUM(sold) > 0",
        kept.sql
    ))?;
    for r in st.query_map(kept.params(), |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })? {
        let (code, sold, sales, profit): (String, i64, i64, i64) = r?;
        let t = totals_for(totals, &code);
        t.sold += sold;
        t.sales_minor += sales;
        t.profit_minor += profit;
    }
    let mut st = c.prepare(&format!(
        "SELECT sale_currency, COUNT(*), SUM(sale_minor), COALESCE(SUM({profit}), 0) \
         FROM orders INDEXED BY orders_mixed \
         WHERE cost_mixed <> 0 AND sale_minor IS NOT NULL AND status NOT IN {REFUNDED}{} \
         GROUP BY sale_currency",
        mixed.sql
    ))?;
    for r in st.query_map(mixed.params(), |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })? {
        let (code, sold, sales, profit): (String, i64, i64, i64) = r?;
        let t = totals_for(totals, &code);
        t.sold += sold;
        t.sales_minor += sales;
        t.profit_minor += profit;
    }
    Ok(n)
}

/// Adds the paid deposits `f` matches to `totals` (topped up per currency); returns how many
/// deposits match.
pub(super) fn deposit_totals(
    c: &crate::db::Connection,
    f: &Filter,
    totals: &mut BTreeMap<String, CurrencyTotals>,
) -> crate::db::Result<i64> {
    let total_deposits = c.query_row(
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
        totals_for(totals, &code).topped_up_minor += paid;
    }
    Ok(total_deposits)
}
