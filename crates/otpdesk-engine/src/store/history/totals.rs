//! Sums over every order and deposit a history query matches (spent, topped up, sold, sales,
//! profit per currency), and the SQL of an order's net cost and profit they and the rows share.

use super::*;
use std::collections::BTreeMap;

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
              WHEN orders.cost_minor = 0 OR (orders.sale_currency <> orders.currency) IS NOT 1 \
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
/// currency, `profit` being [`profit_sql`]); returns how many orders match.
pub(super) fn order_totals(
    c: &rusqlite::Connection,
    f: &Filter,
    profit: &str,
    totals: &mut BTreeMap<String, CurrencyTotals>,
) -> rusqlite::Result<i64> {
    let total_orders = c.query_row(
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
            totals_for(totals, &code).spent_minor += spent;
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
        let t = totals_for(totals, &code);
        t.sold = n;
        t.sales_minor = sales;
        t.profit_minor = profit;
    }
    Ok(total_orders)
}

/// Adds the paid deposits `f` matches to `totals` (topped up per currency); returns how many
/// deposits match.
pub(super) fn deposit_totals(
    c: &rusqlite::Connection,
    f: &Filter,
    totals: &mut BTreeMap<String, CurrencyTotals>,
) -> rusqlite::Result<i64> {
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
        totals_for(totals, &code).topped_up_minor = paid;
    }
    Ok(total_deposits)
}
