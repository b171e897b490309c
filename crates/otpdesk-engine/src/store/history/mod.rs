//! History queries: orders with their sale price, net cost and profit, deposits, totals per
//! currency, and profit grouped by local day or by service. Sums are SQLite integer sums. Every
//! filter of the history screen is here, so its rows and the CSV export cannot differ. Split by
//! concern: `filter` (what a query matches), `page` (the rows, keyset and jumps), `totals` (sums
//! over every match, cost and profit SQL), `search` (which orders hold a needle), `profit`
//! (sale prices, the profit report).

mod filter;
mod page;
mod profit;
#[cfg(test)]
mod recompute_tests;
mod search;
#[cfg(test)]
mod tests;
mod totals;

use crate::db::{params_from_iter, ToValue, Value};
use crate::history::*;
use crate::model::Time;
use crate::store::ms;
use otpdesk_core::Currency;

pub(in crate::store) use totals::profit_sql;

/// A WHERE clause with its numbered arguments.
#[derive(Default, Clone)]
struct Filter {
    sql: String,
    args: Vec<Value>,
}

impl Filter {
    fn push(&mut self, clause: &str, arg: impl ToValue) {
        self.args.push(arg.to_value());
        let n = self.args.len();
        self.sql.push_str(&clause.replace("?#", &format!("?{n}")));
    }
    fn params(&self) -> impl crate::db::Params + '_ {
        params_from_iter(self.args.iter())
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
pub(in crate::store) const REFUNDED: &str = "('cancelled', 'expired', 'failed', 'replaced')";
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

fn currency_of(code: &str) -> Currency {
    super::currency_from(code)
}
