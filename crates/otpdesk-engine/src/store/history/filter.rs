//! What a history query matches, as WHERE clauses over `orders` and `deposits`: the status
//! groups, the provider, status, kind, dates, customer and the search.

use super::search::{restrict, Purpose, SearchPlan};
use super::*;
use otpdesk_core::OrderStatus;

/// The orders `q` matches; `None` when it matches no order at all. `search` is `q`'s search as
/// [`super::search::plan`] found it (`None` without one), used for `purpose`.
pub(super) fn order_filter(
    q: &HistoryQuery,
    search: Option<&SearchPlan>,
    purpose: Purpose,
) -> Option<Filter> {
    if q.entry == Some(EntryType::Deposit) {
        return None;
    }
    let mut f = Filter::default();
    if let Some(g) = q.group {
        f.sql.push_str(&order_group_sql(g)?);
    }
    if let Some(p) = q.provider {
        f.push(" AND provider = ?#", p.as_str().to_string());
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        f.push(
            " AND status = ?#",
            OrderStatus::from_provider(s).as_str().to_string(),
        );
    }
    if let Some(k) = q.kind {
        f.push(" AND kind = ?#", k.as_str().to_string());
    }
    dates(&mut f, q.from, q.to);
    if let Some(c) = crate::model::clean_customer(q.customer.as_deref()) {
        f.push(
            " AND id IN (SELECT order_id FROM order_desk WHERE customer = ?# COLLATE NOCASE)",
            c,
        );
    }
    if let Some(plan) = search {
        if !restrict(&mut f, plan, purpose) {
            return None;
        }
    }
    Some(f)
}

/// The deposits `q` matches; `None` when it matches no deposit at all.
pub(super) fn deposit_filter(q: &HistoryQuery) -> Option<Filter> {
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
        f.push(" AND provider = ?#", p.as_str().to_string());
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
