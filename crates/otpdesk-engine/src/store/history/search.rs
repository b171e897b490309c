//! Which orders hold a search needle, planned once per history query so a search is fast
//! whether it matches many orders, a few or none. The needle is found as `LIKE '%needle%'` (ASCII
//! case-insensitive, `%` and `_` literal) in any of an order's fields (service, phone, email,
//! the provider's id and ref, its codes, customer and note): migration 11 keeps them joined by
//! char(31) in `order_search`, migration 13 indexes that text by trigrams in `order_fts`
//! (SQLite FTS5; PostgreSQL's pg_trgm does the same). The index only proposes candidates:
//! each is checked with the same LIKE, so the rows are exactly those of the per-field test.

use super::*;

/// The separator of `order_search.text` (migration 11): char(31).
pub(super) const SEARCH_SEP: char = '\u{1f}';

/// Up to this many matching orders are listed by their rowids (read one by one); above it the
/// list walks the newest orders until a page is full, which then takes at most about
/// `page × total / FEW` rows. (Five in unit tests, so a small store takes both ways.)
const FEW: usize = if cfg!(test) { 5 } else { 2_000 };

/// How the orders matching a needle are found.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SearchPlan {
    /// Exactly these orders (their rowids); none at all when empty.
    Rows(Vec<i64>),
    /// Many: a page tests each order newest first (`like` on its fields); a count reads the
    /// trigram index's candidates (`fts`: the needle as an FTS5 phrase) checked with `like`,
    /// or, for a needle under three characters, every order's joined text.
    Many { like: String, fts: Option<String> },
    /// A needle holding the separator: only the per-field test is exact.
    Fields { like: String },
}

/// What the filter is for: a page read newest first (stops when full), or every match (counts,
/// totals, jumps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    Page,
    Count,
}

/// The orders `q`'s search matches; `None` without a search.
pub(super) fn plan(
    c: &crate::db::Connection,
    q: &HistoryQuery,
) -> crate::db::Result<Option<SearchPlan>> {
    let Some(needle) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let like = like(needle);
    // The trigram index is SQLite's only (migration 13; not ported to PostgreSQL yet).
    if needle.contains(SEARCH_SEP) || !matches!(c.backend(), crate::db::Backend::Sqlite) {
        return Ok(Some(SearchPlan::Fields { like }));
    }
    // A trigram needs three characters; a shorter needle reads every order's joined text.
    let fts = (needle.chars().count() >= 3).then(|| format!("\"{}\"", needle.replace('"', "\"\"")));
    let limit = FEW as i64 + 1;
    let rows: Vec<i64> = match &fts {
        Some(phrase) => {
            // Counted on the index alone first (a needle in a third of the orders stops at
            // FEW + 1 without reading their texts); the few are then each checked with LIKE.
            let candidates: i64 = c
                .prepare_cached(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM order_fts WHERE order_fts MATCH ?1 LIMIT ?2)",
                )?
                .query_row(crate::db::params![phrase, limit], |r| r.get(0))?;
            if candidates > FEW as i64 {
                return Ok(Some(SearchPlan::Many { like, fts }));
            }
            let mut st = c.prepare_cached(
                "SELECT rowid FROM order_fts WHERE order_fts MATCH ?1 AND text LIKE ?2 ESCAPE '\\'",
            )?;
            let rows = st.query_map(crate::db::params![phrase, like], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        }
        None if two_letters_absent(c, needle)? => Vec::new(),
        None => {
            let mut st = c.prepare_cached(
                "SELECT o.rowid FROM order_search s JOIN orders o ON o.id = s.order_id \
                 WHERE s.text LIKE ?1 ESCAPE '\\' LIMIT ?2",
            )?;
            let rows = st.query_map(crate::db::params![like, limit], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        }
    };
    Ok(Some(if rows.len() <= FEW {
        SearchPlan::Rows(rows)
    } else {
        SearchPlan::Many { like, fts }
    }))
}

/// Whether a needle of two ASCII characters is surely in no order's text, read from the trigram
/// index's terms instead of every text. Where a text holds it, either a trigram starts with it,
/// or it ends the text: the text ends with the note (an empty or one-letter note leaves the
/// separator among the last two characters). So: no term in the needle's prefix range (terms are
/// case-folded; ASCII only, where folding is lower-casing) and no note ending with it.
fn two_letters_absent(c: &crate::db::Connection, needle: &str) -> crate::db::Result<bool> {
    let bytes = needle.as_bytes();
    if needle.chars().count() != 2 || !needle.is_ascii() || bytes[1] >= 0x7e {
        return Ok(false);
    }
    let low = needle.to_ascii_lowercase();
    let lb = low.as_bytes();
    let high = format!("{}{}", lb[0] as char, (lb[1] + 1) as char);
    // The index's terms, per connection (a temporary table: nothing kept in the file).
    c.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.order_fts_terms USING fts5vocab(main, order_fts, row)",
    )?;
    let term = c
        .prepare_cached(
            "SELECT 1 FROM temp.order_fts_terms WHERE term >= ?1 AND term < ?2 LIMIT 1",
        )?
        .exists(crate::db::params![low, high])?;
    if term {
        return Ok(false);
    }
    let esc = like(needle);
    let ending = &esc[..esc.len() - 1];
    let note = c
        .prepare_cached("SELECT 1 FROM order_desk WHERE note LIKE ?1 ESCAPE '\\' LIMIT 1")?
        .exists(crate::db::params![ending])?;
    Ok(!note)
}

/// The per-field test of one order (`orders` in the outer query) against `?#`.
const FIELDS: &str =
    " AND (service LIKE ?# ESCAPE '\\' OR phone LIKE ?# ESCAPE '\\' OR email LIKE ?# ESCAPE '\\' \
     OR remote_id LIKE ?# ESCAPE '\\' OR remote_ref LIKE ?# ESCAPE '\\' \
     OR EXISTS (SELECT 1 FROM otps t WHERE t.order_id = orders.id AND t.code LIKE ?# ESCAPE '\\') \
     OR EXISTS (SELECT 1 FROM order_desk d WHERE d.order_id = orders.id \
                AND (d.customer LIKE ?# ESCAPE '\\' OR d.note LIKE ?# ESCAPE '\\')))";

/// Adds `plan` to `f` (over `orders`); `false` when it matches no order at all.
pub(super) fn restrict(f: &mut Filter, plan: &SearchPlan, purpose: Purpose) -> bool {
    match (plan, purpose) {
        (SearchPlan::Rows(rows), _) => {
            if rows.is_empty() {
                return false;
            }
            // Integers from the store itself: safe as literals.
            let list: Vec<String> = rows.iter().map(i64::to_string).collect();
            f.sql
                .push_str(&format!(" AND rowid IN ({})", list.join(",")));
        }
        (SearchPlan::Fields { like }, _) | (SearchPlan::Many { like, .. }, Purpose::Page) => {
            f.push(FIELDS, like.clone());
        }
        (
            SearchPlan::Many {
                like,
                fts: Some(phrase),
            },
            Purpose::Count,
        ) => {
            f.push(
                " AND rowid IN (SELECT rowid FROM order_fts WHERE order_fts MATCH ?#",
                phrase.clone(),
            );
            f.push(" AND text LIKE ?# ESCAPE '\\')", like.clone());
        }
        (SearchPlan::Many { like, fts: None }, Purpose::Count) => {
            f.push(
                " AND id IN (SELECT order_id FROM order_search WHERE text LIKE ?# ESCAPE '\\')",
                like.clone(),
            );
        }
    }
    true
}
