//! The PostgreSQL side of the store's versioned schema: one entry per version of
//! `migrations::MIGRATIONS` (same numbers; a test holds the two lists to the same length, so a
//! new SQLite migration cannot land without its PostgreSQL twin). A team store starts at schema
//! 11 in one step (no PostgreSQL store predates it). The version lives in `otpdesk_schema`;
//! migrating holds an advisory lock, so two desktops opening a new team store cannot both do it.

use crate::db::{Connection, OptionalExtension};

/// Index `n` holds version `n + 1`, as in `migrations::MIGRATIONS`.
pub(crate) const POSTGRES: &[&str] = &[
    include_str!("schema_pg_11.sql"),
    // 2-11: part of the first step above.
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    // 12: as SQLite's; who sold an order is the login that stored it unless said otherwise.
    r#"
    ALTER TABLE orders ADD COLUMN sold_by TEXT DEFAULT CAST(current_user AS TEXT);
    CREATE TABLE team_members (
        login     TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        role      TEXT NOT NULL,
        added_at  BIGINT NOT NULL
    );
    "#,
    // 13: nothing yet. SQLite's kept history sums and trigram index (SQLite FTS5) are not
    // ported: on PostgreSQL the history's totals and search read the orders, as before
    // (store/history: `search::plan`, `totals::orders_matching`). The port would be a trigger
    // function keeping `order_totals` and a pg_trgm GIN index on `order_search.text`.
    "",
    // 14: as SQLite's (team requests).
    r#"
    CREATE TABLE requests (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        provider      TEXT NOT NULL,
        body          TEXT NOT NULL,
        requested_by  TEXT NOT NULL,
        state         TEXT NOT NULL,
        taken_by      TEXT,
        order_id      TEXT,
        attempt_id    TEXT,
        error_code    TEXT,
        error         TEXT,
        unlocks_at    BIGINT,
        created_at    BIGINT NOT NULL,
        updated_at    BIGINT NOT NULL
    );
    CREATE INDEX requests_open ON requests(provider, state, created_at);
    "#,
    // 15: as SQLite's (the answer of a team read).
    "ALTER TABLE requests ADD COLUMN result TEXT;",
];

pub(crate) fn migrate(conn: &mut Connection) -> Result<u32, super::migrations::MigrateError> {
    use super::migrations::MigrateError;
    let known = POSTGRES.len() as u32;
    let tx = conn.transaction_plain()?;
    tx.execute_batch(crate::db::PG_WRITE_LOCK)?;
    // Created by the first desktop; an operator's login may not create tables at all.
    let fresh: bool = tx.query_row("SELECT to_regclass('otpdesk_schema') IS NULL", (), |r| {
        r.get(0)
    })?;
    if fresh {
        tx.execute_batch("CREATE TABLE otpdesk_schema (version BIGINT NOT NULL)")?;
    }
    let current: u32 = tx
        .query_row("SELECT version FROM otpdesk_schema", (), |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    if current > known {
        return Err(MigrateError::TooNew {
            found: current,
            known,
        });
    }
    if current == known {
        tx.commit()?;
        return Ok(known);
    }
    for sql in POSTGRES.iter().skip(current as usize) {
        if !sql.is_empty() {
            tx.execute_batch(sql)?;
        }
    }
    tx.execute("DELETE FROM otpdesk_schema", ())?;
    tx.execute("INSERT INTO otpdesk_schema (version) VALUES (?1)", [known])?;
    tx.commit()?;
    Ok(known)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_sqlite_migration_has_its_postgresql_twin() {
        assert_eq!(super::POSTGRES.len(), super::super::migrations::count());
    }
}
