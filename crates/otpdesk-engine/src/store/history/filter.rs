//! What a history query matches, as WHERE clauses over `orders` and `deposits`: the status
//! groups, the provider, status, kind, dates, customer and the search.

use super::*;
use otpdesk_core::OrderStatus;

/// The separator of `order_search.text` (migration 11): char(31).
const SEARCH_SEP: char = '\u{1f}';

/// The orders `q` matches; `None` when it matches no order at all.
pub(super) fn order_filter(q: &HistoryQuery) -> Option<Filter> {
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
