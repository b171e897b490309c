//! Versioned schema. `PRAGMA user_version` holds the number of migrations applied. All pending
//! migrations run in ONE exclusive transaction with the version bump, after reading the version
//! inside it: two processes opening a new file at once cannot both migrate it, and a crash never
//! leaves half a schema. A file from a newer OTPDesk is refused, never touched.

use rusqlite::Connection;

/// Migration 13's upsert of one order's share of `order_totals`: `$r` the order (`NEW`, `OLD`
/// in a trigger; `o` over `$from`), `$sign` `+` to add it or `-` to take it away. One text for
/// the triggers and the backfill, so they cannot classify an order differently.
macro_rules! order_totals_share {
    ($r:literal, $from:literal, $sign:literal) => {
        concat!(
            "
        INSERT INTO order_totals (day, provider, kind, status, is_final, currency, sale_currency,
            converted, conv_cost, orders, spent_minor, sold, sales_minor, profit_minor)
        SELECT day, provider, kind, status, is_final, COALESCE(currency, ''),
            CASE WHEN sold THEN COALESCE(sale_currency, '') ELSE '' END,
            converted, CASE WHEN converted THEN cost_minor ELSE 0 END,
            ", $sign, "1,
            ", $sign, "(CASE WHEN currency IS NULL THEN 0 ELSE cost_minor END),
            ", $sign, "sold,
            ", $sign, "(CASE WHEN sold THEN sale_minor ELSE 0 END),
            ", $sign, "(CASE WHEN sold AND NOT converted THEN
                (CASE WHEN sale_currency = currency THEN sale_minor - cost_minor ELSE sale_minor END)
                ELSE 0 END)
        FROM (SELECT *, (sold AND (sale_currency <> currency) IS TRUE AND cost_minor <> 0) AS converted
              FROM (SELECT ", $r, ".created_at / 86400000 AS day, ", $r, ".provider AS provider,
                    ", $r, ".kind AS kind, ", $r, ".status AS status, ", $r, ".is_final AS is_final,
                    ", $r, ".currency AS currency, ", $r, ".sale_currency AS sale_currency,
                    ", $r, ".sale_minor AS sale_minor, ", $r, ".cost_minor AS cost_minor,
                    (", $r, ".sale_minor IS NOT NULL
                     AND ", $r, ".status NOT IN ('cancelled', 'expired', 'failed', 'replaced')
                     AND ", $r, ".cost_mixed = 0) AS sold", $from, "))
        WHERE true
        ON CONFLICT (day, provider, kind, status, is_final, currency, sale_currency, converted, conv_cost)
        DO UPDATE SET orders = orders + excluded.orders, spent_minor = spent_minor + excluded.spent_minor,
            sold = sold + excluded.sold, sales_minor = sales_minor + excluded.sales_minor,
            profit_minor = profit_minor + excluded.profit_minor;
"
        )
    };
}

/// Append only: never edit a migration that has shipped.
pub(in crate::store) const MIGRATIONS: &[&str] = &[
    // 1: initial schema. Times are Unix milliseconds (UTC); money is integer minor units + currency.
    r#"
    CREATE TABLE attempts (
        id            TEXT PRIMARY KEY,
        provider      TEXT NOT NULL,
        kind          TEXT NOT NULL,          -- sms | email | topup_qris | topup_usdt | replace
        idem_key      TEXT NOT NULL UNIQUE,
        request       TEXT NOT NULL,          -- JSON of what we sent (never the key)
        state         TEXT NOT NULL,          -- pending | succeeded | failed | outcome_unknown | dismissed
        tries         INTEGER NOT NULL DEFAULT 0,
        order_id      TEXT,
        deposit_id    TEXT,
        error_code    TEXT,
        error         TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
    );
    CREATE INDEX attempts_state ON attempts(state, created_at);

    CREATE TABLE orders (
        id                  TEXT PRIMARY KEY,   -- our stable local id
        provider            TEXT NOT NULL,
        kind                TEXT NOT NULL,      -- sms | email
        server              INTEGER,            -- OTPZap server 1/2/3
        remote_id           TEXT NOT NULL,      -- provider order id / activation id
        remote_ref          TEXT,               -- OTPZap ref
        phone               TEXT,
        email               TEXT,
        service             TEXT NOT NULL DEFAULT '',
        price_minor         INTEGER,
        currency            TEXT,
        status              TEXT NOT NULL,
        is_final            INTEGER NOT NULL DEFAULT 0,
        created_at          INTEGER NOT NULL,
        updated_at          INTEGER NOT NULL,
        expires_at          INTEGER,
        resend_count        INTEGER NOT NULL DEFAULT 0,
        resend_locked_until INTEGER,
        resend_waiting      INTEGER NOT NULL DEFAULT 0, -- resent, next unlock comes with a new OTP
        cancel_unlocks_at   INTEGER,
        attempt_id          TEXT,
        replaced_by         TEXT,
        request             TEXT,
        UNIQUE (provider, remote_id)
    );
    CREATE INDEX orders_created ON orders(created_at DESC, id);
    CREATE INDEX orders_status_created ON orders(status, created_at DESC);
    CREATE INDEX orders_provider_created ON orders(provider, created_at DESC);
    CREATE INDEX orders_active ON orders(is_final, created_at DESC);

    CREATE TABLE otps (
        order_id     TEXT NOT NULL REFERENCES orders(id),
        seq          INTEGER NOT NULL,      -- position in the provider's timeline (oldest first)
        code         TEXT,
        text         TEXT,
        sender       TEXT,
        service      TEXT,
        received_at  INTEGER,
        stored_at    INTEGER NOT NULL,
        PRIMARY KEY (order_id, seq)
    ) WITHOUT ROWID;

    CREATE TABLE deposits (
        id            TEXT PRIMARY KEY,
        provider      TEXT NOT NULL,
        kind          TEXT NOT NULL,          -- qris | usdt
        remote_id     TEXT NOT NULL,
        amount_minor  INTEGER NOT NULL,
        currency      TEXT NOT NULL,
        total_minor   INTEGER,
        pay_url       TEXT,
        pay_address   TEXT,
        status        TEXT NOT NULL,
        is_final      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        expires_at    INTEGER,
        paid_at       INTEGER,
        credited_minor INTEGER,
        attempt_id    TEXT,
        UNIQUE (provider, remote_id)
    );
    CREATE INDEX deposits_created ON deposits(created_at DESC);
    CREATE INDEX deposits_active ON deposits(is_final);

    CREATE TABLE ledger (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        provider      TEXT NOT NULL,
        kind          TEXT NOT NULL,          -- charge | refund | topup
        amount_minor  INTEGER NOT NULL,       -- signed: charge < 0, refund/top-up > 0
        currency      TEXT NOT NULL,
        order_id      TEXT,
        deposit_id    TEXT,
        note          TEXT,
        at            INTEGER NOT NULL,
        -- one charge and one refund per order, one credit per deposit, whatever we replay
        UNIQUE (kind, order_id),
        UNIQUE (kind, deposit_id)
    );
    CREATE INDEX ledger_provider_at ON ledger(provider, at DESC);
    "#,
    // 2: lists page newest-first by rowid (insertion order, never reused: orders are never
    // deleted). An index on the filter column alone then serves `ORDER BY rowid DESC LIMIT n`
    // without a sort; (col, created_at DESC) indexes needed a temp B-tree per query (30-160 ms at
    // 100k rows).
    r#"
    DROP INDEX orders_created;
    DROP INDEX orders_status_created;
    DROP INDEX orders_provider_created;
    DROP INDEX orders_active;
    CREATE INDEX orders_status ON orders(status);
    CREATE INDEX orders_provider_open ON orders(provider, is_final);
    CREATE INDEX orders_open ON orders(is_final);
    CREATE INDEX orders_kind ON orders(kind);
    "#,
    // 3: provider alone (the (provider, is_final) prefix cannot give rowid order: 40 ms at 100k).
    r#"
    CREATE INDEX orders_provider ON orders(provider);
    "#,
    // 4: what the reseller sold each order for (integer minor units + currency), for profit.
    r#"
    ALTER TABLE orders ADD COLUMN sale_minor INTEGER;
    ALTER TABLE orders ADD COLUMN sale_currency TEXT;
    CREATE INDEX orders_created_at ON orders(created_at);
    CREATE INDEX ledger_order ON ledger(order_id);
    "#,
    // 5: who is sending an attempt right now (an engine instance; a pending attempt whose runner
    // is gone was interrupted), when it was first sent (automatic re-sends stop after a short
    // window), and whether any try's outcome was uncertain (sticky: only proof closes it).
    r#"
    ALTER TABLE attempts ADD COLUMN runner TEXT;
    ALTER TABLE attempts ADD COLUMN first_sent_at INTEGER;
    ALTER TABLE attempts ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
    "#,
    // 6: when a code was shown to the user by a command line (`buy --wait`, `wait`): with one
    // order book for every process, a code the tracker stored is not yet a code anyone saw.
    // Codes stored before count as shown.
    r#"
    ALTER TABLE otps ADD COLUMN shown_at INTEGER;
    UPDATE otps SET shown_at = stored_at;
    "#,
    // 7: a code that reached an order after its cancel (requested or confirmed) or replace is
    // kept and shown, marked late: it is never a sale.
    r#"
    ALTER TABLE otps ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
    "#,
    // 8: the quality scoreboard (scoreboard.rs). What offer each order was bought from, from
    // the buy request we sent (the providers' replies never name the operator): server (0 for
    // NumberOTP), the provider's service id, country id and operator ('' where none). `code_ms`:
    // milliseconds from purchase to the first code that was not late, NULL while none came.
    // Older orders are filled in from their stored request and timelines.
    // `offer_stats` keeps each offer's counts (settled / delivered / given up) up to date through
    // triggers on every insert and update of an order, so reading them never scans the orders
    // (a GROUP BY over 100,000 rows took 30-60 ms); the median walks `orders_quality` to the
    // middle of one offer's codes, which are in order there.
    r#"
    ALTER TABLE orders ADD COLUMN offer_server INTEGER;
    ALTER TABLE orders ADD COLUMN offer_service TEXT;
    ALTER TABLE orders ADD COLUMN country TEXT;
    ALTER TABLE orders ADD COLUMN operator TEXT;
    ALTER TABLE orders ADD COLUMN code_ms INTEGER;
    UPDATE orders SET
        offer_server = CASE json_extract(request, '$.type')
            WHEN 'otpzap_s1' THEN 1
            WHEN 'otpzap_s2' THEN 2 WHEN 'otpzap_s2_special' THEN 2 WHEN 'otpzap_s2_multi' THEN 2
            WHEN 'otpzap_email' THEN 3 WHEN 'otpzap_email_options' THEN 3
            ELSE 0 END,
        offer_service = CASE json_extract(request, '$.type')
            WHEN 'otpzap_s1' THEN CAST(json_extract(request, '$.platform_id') AS TEXT)
            WHEN 'otpzap_s2' THEN CAST(json_extract(request, '$.service_id') AS TEXT)
            WHEN 'otpzap_s2_special' THEN CAST(json_extract(request, '$.service_id') AS TEXT)
            WHEN 'otpzap_s2_multi' THEN
                (SELECT group_concat(value, '+') FROM json_each(request, '$.service_ids'))
            WHEN 'otpzap_email' THEN json_extract(request, '$.site')
            WHEN 'otpzap_email_options' THEN json_extract(request, '$.site')
            WHEN 'numberotp' THEN json_extract(request, '$.service')
            ELSE NULL END,
        country = COALESCE(CAST(COALESCE(json_extract(request, '$.country_id'),
            json_extract(request, '$.country')) AS TEXT), ''),
        operator = COALESCE(json_extract(request, '$.operator_id'), '')
    WHERE json_valid(request) AND json_extract(request, '$.type') IS NOT NULL;
    UPDATE orders SET (offer_server, offer_service, country, operator) = (
        SELECT o.offer_server, o.offer_service, o.country, o.operator FROM orders o
        WHERE o.replaced_by = orders.id)
    WHERE offer_service IS NULL AND EXISTS (SELECT 1 FROM orders o WHERE o.replaced_by = orders.id);
    UPDATE orders SET code_ms = (
        SELECT MAX(0, MIN(t.stored_at - orders.created_at,
                          COALESCE(t.received_at, t.stored_at) - orders.created_at))
        FROM otps t WHERE t.order_id = orders.id AND t.late = 0 ORDER BY t.seq LIMIT 1);
    CREATE INDEX orders_quality
        ON orders(provider, offer_server, offer_service, country, operator, code_ms, status);
    -- The history lists newest first (created_at DESC, rowid DESC): with the filter column
    -- first, a filtered page is one index range read backwards (no sort of every match; at
    -- 100,000 orders a provider filter took 700 ms, now under a millisecond).
    CREATE INDEX orders_provider_created ON orders(provider, created_at);
    CREATE INDEX orders_status_created ON orders(status, created_at);
    CREATE INDEX orders_kind_created ON orders(kind, created_at);
    CREATE INDEX orders_open_created ON orders(is_final, created_at);

    CREATE TABLE offer_stats (
        provider      TEXT NOT NULL,
        offer_server  INTEGER NOT NULL,
        offer_service TEXT NOT NULL,
        country       TEXT NOT NULL,
        operator      TEXT NOT NULL,
        service_name  TEXT NOT NULL DEFAULT '',
        settled       INTEGER NOT NULL DEFAULT 0,  -- got a code, or final, or cancel requested
        delivered     INTEGER NOT NULL DEFAULT 0,  -- got a code that was not late
        cancelled     INTEGER NOT NULL DEFAULT 0,  -- given up without a code
        PRIMARY KEY (provider, offer_server, offer_service, country, operator)
    ) WITHOUT ROWID;
    INSERT INTO offer_stats
    SELECT provider, offer_server, offer_service, country, operator, MAX(service),
        SUM(code_ms IS NOT NULL OR status IN ('completed', 'cancelled', 'expired', 'failed', 'replaced', 'cancel_requested')),
        SUM(code_ms IS NOT NULL),
        SUM(code_ms IS NULL AND status IN ('cancelled', 'replaced', 'cancel_requested'))
    FROM orders WHERE offer_service IS NOT NULL
    GROUP BY provider, offer_server, offer_service, country, operator;
    CREATE TRIGGER offer_stats_insert AFTER INSERT ON orders
    WHEN NEW.offer_service IS NOT NULL
    BEGIN
        INSERT OR IGNORE INTO offer_stats (provider, offer_server, offer_service, country, operator)
        VALUES (NEW.provider, NEW.offer_server, NEW.offer_service, NEW.country, NEW.operator);
        UPDATE offer_stats SET service_name = NEW.service,
            settled = settled + (NEW.code_ms IS NOT NULL OR NEW.status IN ('completed', 'cancelled', 'expired', 'failed', 'replaced', 'cancel_requested')),
            delivered = delivered + (NEW.code_ms IS NOT NULL),
            cancelled = cancelled + (NEW.code_ms IS NULL AND NEW.status IN ('cancelled', 'replaced', 'cancel_requested'))
        WHERE provider = NEW.provider AND offer_server = NEW.offer_server
            AND offer_service = NEW.offer_service AND country = NEW.country AND operator = NEW.operator;
    END;
    CREATE TRIGGER offer_stats_update
    AFTER UPDATE OF status, code_ms, offer_server, offer_service, country, operator ON orders
    BEGIN
        UPDATE offer_stats SET
            settled = settled - (OLD.code_ms IS NOT NULL OR OLD.status IN ('completed', 'cancelled', 'expired', 'failed', 'replaced', 'cancel_requested')),
            delivered = delivered - (OLD.code_ms IS NOT NULL),
            cancelled = cancelled - (OLD.code_ms IS NULL AND OLD.status IN ('cancelled', 'replaced', 'cancel_requested'))
        WHERE OLD.offer_service IS NOT NULL AND provider = OLD.provider AND offer_server = OLD.offer_server
            AND offer_service = OLD.offer_service AND country = OLD.country AND operator = OLD.operator;
        INSERT OR IGNORE INTO offer_stats (provider, offer_server, offer_service, country, operator)
        SELECT NEW.provider, NEW.offer_server, NEW.offer_service, NEW.country, NEW.operator
        WHERE NEW.offer_service IS NOT NULL;
        UPDATE offer_stats SET service_name = NEW.service,
            settled = settled + (NEW.code_ms IS NOT NULL OR NEW.status IN ('completed', 'cancelled', 'expired', 'failed', 'replaced', 'cancel_requested')),
            delivered = delivered + (NEW.code_ms IS NOT NULL),
            cancelled = cancelled + (NEW.code_ms IS NULL AND NEW.status IN ('cancelled', 'replaced', 'cancel_requested'))
        WHERE NEW.offer_service IS NOT NULL AND provider = NEW.provider AND offer_server = NEW.offer_server
            AND offer_service = NEW.offer_service AND country = NEW.country AND operator = NEW.operator;
    END;
    "#,
    // 9: the reseller's desk: who an order is for, a note, when the customer paid; and small
    // desk settings (the price list, the message templates) as text.
    r#"
    CREATE TABLE order_desk (
        order_id  TEXT PRIMARY KEY REFERENCES orders(id),
        customer  TEXT,
        note      TEXT,
        paid_at   INTEGER,
        set_at    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX order_desk_customer ON order_desk(customer COLLATE NOCASE);
    CREATE TABLE desk_settings (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 10: guarded automation (`crate::jobs`, `crate::blocklist`, `crate::watch`): a maximum price
    // per service; auto-replace jobs with their numbers (a job's spending is summed from the
    // ledger of those orders), whose `busy` marks a paid call under way (found set after a crash:
    // its outcome is unknown, the job stops); the number blocklist; watched offers; switches.
    r#"
    CREATE TABLE max_prices (
        service      TEXT PRIMARY KEY,       -- `BuyRequest::service_key`
        minor        INTEGER NOT NULL,
        currency     TEXT NOT NULL,
        updated_at   INTEGER NOT NULL
    );
    CREATE TABLE jobs (
        id               TEXT PRIMARY KEY,
        request          TEXT NOT NULL,      -- BuyRequest JSON
        provider         TEXT NOT NULL,
        after_ms         INTEGER NOT NULL,
        max_replacements INTEGER NOT NULL,
        cap_minor        INTEGER NOT NULL,
        currency         TEXT NOT NULL,
        max_price_minor  INTEGER,
        use_blocklist    INTEGER NOT NULL DEFAULT 1,
        state            TEXT NOT NULL,      -- running | done | gave_up | stopped
        reason           TEXT,
        message          TEXT,
        current_order    TEXT,
        busy             TEXT,               -- buy | replace | cancel while that call is under way
        runner           TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
    );
    CREATE INDEX jobs_state ON jobs(state);
    CREATE TABLE job_orders (
        job_id     TEXT NOT NULL,
        order_id   TEXT NOT NULL,
        n          INTEGER NOT NULL,
        bought_at  INTEGER NOT NULL,
        closed_at  INTEGER,
        how        TEXT,
        PRIMARY KEY (job_id, order_id)
    );
    CREATE INDEX job_orders_order ON job_orders(order_id);
    CREATE TABLE blocklist (
        kind       TEXT NOT NULL,            -- prefix | operator
        value      TEXT NOT NULL,
        note       TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, value)
    );
    CREATE TABLE watches (
        id              TEXT PRIMARY KEY,
        request         TEXT NOT NULL,
        label           TEXT NOT NULL,
        provider        TEXT NOT NULL,
        currency        TEXT NOT NULL,
        target_minor    INTEGER,
        auto_buy        INTEGER NOT NULL DEFAULT 0,
        auto_max_minor  INTEGER,
        state           TEXT NOT NULL,       -- watching | buying | alerted | bought
        last_price_minor INTEGER,
        last_stock      INTEGER,
        checked_at      INTEGER,
        fired_at        INTEGER,
        order_id        TEXT,
        note            TEXT,
        created_at      INTEGER NOT NULL
    );
    CREATE TABLE automation_settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
    // 11: history at 100,000 orders. Each order's net cost (charges less refunds, positive) in
    // its own currency kept on the row by triggers on the ledger, so totals and profit are column
    // sums instead of one ledger lookup per order; `cost_mixed` counts the order's ledger rows in
    // another currency (then the history falls back to the ledger). And the searchable text of
    // every order (its columns, codes, customer and note joined by char(31)) in a narrow table,
    // so a search that matches nothing reads it instead of every order with its codes and desk.
    // (Delete then insert: a trigger's own OR REPLACE would give way to the OR IGNORE of the
    // statement that fired it.)
    r#"
    ALTER TABLE orders ADD COLUMN cost_minor INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE orders ADD COLUMN cost_mixed INTEGER NOT NULL DEFAULT 0;
    UPDATE orders SET cost_minor = (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency),
        cost_mixed = (SELECT COUNT(*) FROM ledger l WHERE l.order_id = orders.id AND (l.currency = orders.currency) IS NOT 1);
    CREATE TRIGGER order_cost_ledger_insert AFTER INSERT ON ledger
    WHEN NEW.order_id IS NOT NULL
    BEGIN
        UPDATE orders SET cost_minor = (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency),
            cost_mixed = (SELECT COUNT(*) FROM ledger l WHERE l.order_id = orders.id AND (l.currency = orders.currency) IS NOT 1)
        WHERE id = NEW.order_id;
    END;
    CREATE TRIGGER order_cost_ledger_update AFTER UPDATE ON ledger
    BEGIN
        UPDATE orders SET cost_minor = (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency),
            cost_mixed = (SELECT COUNT(*) FROM ledger l WHERE l.order_id = orders.id AND (l.currency = orders.currency) IS NOT 1)
        WHERE id = OLD.order_id;
        UPDATE orders SET cost_minor = (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency),
            cost_mixed = (SELECT COUNT(*) FROM ledger l WHERE l.order_id = orders.id AND (l.currency = orders.currency) IS NOT 1)
        WHERE id = NEW.order_id;
    END;
    CREATE TRIGGER order_cost_ledger_delete AFTER DELETE ON ledger
    BEGIN
        UPDATE orders SET cost_minor = (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency),
            cost_mixed = (SELECT COUNT(*) FROM ledger l WHERE l.order_id = orders.id AND (l.currency = orders.currency) IS NOT 1)
        WHERE id = OLD.order_id;
    END;
    CREATE TRIGGER order_cost_currency AFTER UPDATE OF currency ON orders
    BEGIN
        UPDATE orders SET cost_minor = (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency),
            cost_mixed = (SELECT COUNT(*) FROM ledger l WHERE l.order_id = orders.id AND (l.currency = orders.currency) IS NOT 1)
        WHERE id = NEW.id;
    END;
    CREATE TRIGGER order_cost_insert AFTER INSERT ON orders
    BEGIN
        UPDATE orders SET cost_minor = (SELECT -COALESCE(SUM(l.amount_minor), 0) FROM ledger l WHERE l.order_id = orders.id AND l.currency = orders.currency),
            cost_mixed = (SELECT COUNT(*) FROM ledger l WHERE l.order_id = orders.id AND (l.currency = orders.currency) IS NOT 1)
        WHERE id = NEW.id;
    END;

    -- The totals (spent per currency; sold, sales, profit per sale currency) read from these
    -- alone, without the wide order rows.
    CREATE INDEX orders_spent ON orders(currency, cost_mixed, cost_minor, id);
    CREATE INDEX orders_sold ON orders(sale_currency, status, sale_minor, currency, cost_mixed, cost_minor, id)
        WHERE sale_minor IS NOT NULL AND status NOT IN ('cancelled', 'expired', 'failed', 'replaced');

    CREATE TABLE order_search (
        order_id  TEXT PRIMARY KEY,
        text      TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o;
    CREATE TRIGGER order_search_insert AFTER INSERT ON orders
    BEGIN
        DELETE FROM order_search WHERE order_id = NEW.id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = NEW.id;
    END;
    CREATE TRIGGER order_search_update
    AFTER UPDATE OF id, service, phone, email, remote_id, remote_ref ON orders
    BEGIN
        DELETE FROM order_search WHERE order_id = OLD.id;
        DELETE FROM order_search WHERE order_id = NEW.id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = NEW.id;
    END;
    CREATE TRIGGER order_search_delete AFTER DELETE ON orders
    BEGIN
        DELETE FROM order_search WHERE order_id = OLD.id;
    END;
    CREATE TRIGGER order_search_otp_insert AFTER INSERT ON otps
    BEGIN
        DELETE FROM order_search WHERE order_id = NEW.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = NEW.order_id;
    END;
    CREATE TRIGGER order_search_otp_update AFTER UPDATE OF order_id, code ON otps
    BEGIN
        DELETE FROM order_search WHERE order_id = OLD.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = OLD.order_id;
        DELETE FROM order_search WHERE order_id = NEW.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = NEW.order_id;
    END;
    CREATE TRIGGER order_search_otp_delete AFTER DELETE ON otps
    BEGIN
        DELETE FROM order_search WHERE order_id = OLD.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = OLD.order_id;
    END;
    CREATE TRIGGER order_search_desk_insert AFTER INSERT ON order_desk
    BEGIN
        DELETE FROM order_search WHERE order_id = NEW.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = NEW.order_id;
    END;
    CREATE TRIGGER order_search_desk_update AFTER UPDATE ON order_desk
    BEGIN
        DELETE FROM order_search WHERE order_id = OLD.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = OLD.order_id;
        DELETE FROM order_search WHERE order_id = NEW.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = NEW.order_id;
    END;
    CREATE TRIGGER order_search_desk_delete AFTER DELETE ON order_desk
    BEGIN
        DELETE FROM order_search WHERE order_id = OLD.order_id;
        INSERT INTO order_search (order_id, text) SELECT o.id,
            o.service || char(31) || COALESCE(o.phone, '') || char(31) || COALESCE(o.email, '') || char(31)
            || o.remote_id || char(31) || COALESCE(o.remote_ref, '') || char(31)
            || COALESCE((SELECT group_concat(t.code, char(31)) FROM otps t WHERE t.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.customer FROM order_desk d WHERE d.order_id = o.id), '') || char(31)
            || COALESCE((SELECT d.note FROM order_desk d WHERE d.order_id = o.id), '')
        FROM orders o WHERE o.id = OLD.order_id;
    END;
    "#,
    // 12: team mode (crate::team): the members of a shared order book, and who sold each order
    // (on PostgreSQL the login that stored it, by default). A solo store keeps them empty.
    r#"
    ALTER TABLE orders ADD COLUMN sold_by TEXT;
    CREATE TABLE team_members (
        login     TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        role      TEXT NOT NULL,          -- owner | operator
        added_at  INTEGER NOT NULL
    );
    "#,
    // 13: history totals and search at 100,000 orders. `order_totals` keeps the history's sums
    // (orders, spent per currency; sold, sales and profit per sale currency) per UTC day,
    // provider, kind, status and currencies, kept by triggers on every insert, update and delete
    // of an order, so the totals of any filter but a search or a customer add up a few hundred
    // rows (summing 100,000 orders took 30-40 ms; store/history/totals.rs). Only what does not
    // depend on the user's dollar rate is summed: an order whose cost is in another currency
    // than its sale (`converted`) is kept by that cost (`conv_cost`) and its profit computed at
    // the query's rate, rounded per order as before; an order whose cost is in two currencies
    // (`cost_mixed`) is counted and spent here, its sale read from the orders (`orders_mixed`).
    // Rows that fall to zero stay (a few per day). And a trigram index (SQLite FTS5) over
    // `order_search.text`, keyed by the order's rowid, kept by triggers on `order_search`: a
    // search proposes candidates from it and checks each with the LIKE it always used, so a
    // search matching a few orders or none no longer reads every order (130 ms at 100,000).
    concat!(
        "
    CREATE TABLE order_totals (
        day           INTEGER NOT NULL,   -- created_at / 86400000
        provider      TEXT NOT NULL,
        kind          TEXT NOT NULL,
        status        TEXT NOT NULL,
        is_final      INTEGER NOT NULL,
        currency      TEXT NOT NULL,      -- the order's ('' while not known)
        sale_currency TEXT NOT NULL,      -- the sale's when counted as sold, else ''
        converted     INTEGER NOT NULL,   -- sold with a cost in another currency
        conv_cost     INTEGER NOT NULL,   -- that cost (minor units of the order's currency), else 0
        orders        INTEGER NOT NULL,
        spent_minor   INTEGER NOT NULL,
        sold          INTEGER NOT NULL,
        sales_minor   INTEGER NOT NULL,
        profit_minor  INTEGER NOT NULL,   -- of the sold that are not converted
        PRIMARY KEY (day, provider, kind, status, is_final, currency, sale_currency, converted, conv_cost)
    ) WITHOUT ROWID;
    ",
        order_totals_share!("o", " FROM orders o", ""),
        "
    CREATE TRIGGER order_totals_insert AFTER INSERT ON orders
    BEGIN",
        order_totals_share!("NEW", "", "+"),
        "
    END;
    CREATE TRIGGER order_totals_update
    AFTER UPDATE OF created_at, provider, kind, status, is_final, currency, sale_currency,
        sale_minor, cost_minor, cost_mixed ON orders
    WHEN OLD.created_at IS NOT NEW.created_at OR OLD.provider IS NOT NEW.provider
        OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status
        OR OLD.is_final IS NOT NEW.is_final OR OLD.currency IS NOT NEW.currency
        OR OLD.sale_currency IS NOT NEW.sale_currency OR OLD.sale_minor IS NOT NEW.sale_minor
        OR OLD.cost_minor IS NOT NEW.cost_minor OR OLD.cost_mixed IS NOT NEW.cost_mixed
    BEGIN",
        order_totals_share!("OLD", "", "-"),
        order_totals_share!("NEW", "", "+"),
        "
    END;
    CREATE TRIGGER order_totals_delete AFTER DELETE ON orders
    BEGIN",
        order_totals_share!("OLD", "", "-"),
        "
    END;
    CREATE INDEX orders_mixed ON orders(created_at) WHERE cost_mixed <> 0;

    CREATE VIRTUAL TABLE order_fts USING fts5(text, tokenize = 'trigram');
    INSERT INTO order_fts (rowid, text)
        SELECT o.rowid, s.text FROM order_search s JOIN orders o ON o.id = s.order_id;
    -- Migration 11's triggers rewrite an order's `order_search` row (delete, then insert) on
    -- every change of its fields, codes or desk, most often to the same text: the index is
    -- rewritten only when the text changed. An order's row leaves the index with the order.
    CREATE TRIGGER order_fts_insert AFTER INSERT ON order_search
    BEGIN
        DELETE FROM order_fts WHERE rowid = (SELECT o.rowid FROM orders o WHERE o.id = NEW.order_id)
            AND text IS NOT NEW.text;
        INSERT INTO order_fts (rowid, text)
            SELECT o.rowid, NEW.text FROM orders o WHERE o.id = NEW.order_id
                AND NOT EXISTS (SELECT 1 FROM order_fts f WHERE f.rowid = o.rowid);
    END;
    CREATE TRIGGER order_fts_update AFTER UPDATE ON order_search
    BEGIN
        DELETE FROM order_fts WHERE rowid = (SELECT o.rowid FROM orders o WHERE o.id = NEW.order_id)
            AND text IS NOT NEW.text;
        INSERT INTO order_fts (rowid, text)
            SELECT o.rowid, NEW.text FROM orders o WHERE o.id = NEW.order_id
                AND NOT EXISTS (SELECT 1 FROM order_fts f WHERE f.rowid = o.rowid);
    END;
    CREATE TRIGGER order_fts_order_delete BEFORE DELETE ON orders
    BEGIN
        DELETE FROM order_fts WHERE rowid = OLD.rowid;
    END;
    "
    ),
    // 14: team requests (crate::requests): what a desktop without a provider's key asks the key
    // holder to do. A paid request becomes the attempt with the request's id.
    r#"
    CREATE TABLE requests (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,          -- buy | cancel | resend | finish | replace
        provider      TEXT NOT NULL,
        body          TEXT NOT NULL,          -- JSON: the purchase and its limits, or the order
        requested_by  TEXT NOT NULL,          -- the member's login
        state         TEXT NOT NULL,          -- pending | taken | done | failed | withdrawn
        taken_by      TEXT,                   -- the engine instance carrying it out
        order_id      TEXT,
        attempt_id    TEXT,
        error_code    TEXT,
        error         TEXT,
        unlocks_at    INTEGER,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
    );
    CREATE INDEX requests_open ON requests(provider, state, created_at);
    "#,
    // 15: team reads (crate::requests::read): the answer of a catalog read or a quote the key
    // holder carried out for a desktop without the key (JSON; the read is deleted once read).
    "ALTER TABLE requests ADD COLUMN result TEXT;",
];

/// How many versions there are (the PostgreSQL list must have as many).
#[cfg(test)]
pub(crate) fn count() -> usize {
    MIGRATIONS.len()
}

#[derive(Debug)]
pub enum MigrateError {
    /// Written by a newer version (`found` migrations; this code knows `known`).
    TooNew {
        found: u32,
        known: u32,
    },
    Sql(crate::db::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e.into())
    }
}

impl From<crate::db::Error> for MigrateError {
    fn from(e: crate::db::Error) -> Self {
        MigrateError::Sql(e)
    }
}

pub fn migrate(conn: &mut Connection) -> Result<u32, MigrateError> {
    let known = MIGRATIONS.len() as u32;
    let version = |c: &Connection| c.query_row("PRAGMA user_version", (), |r| r.get::<_, u32>(0));
    let current = version(conn)?;
    if current > known {
        return Err(MigrateError::TooNew {
            found: current,
            known,
        });
    }
    if current == known {
        return Ok(known);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    // Another process may have migrated while this one waited for the lock.
    let current = version(&tx)?;
    if current > known {
        return Err(MigrateError::TooNew {
            found: current,
            known,
        });
    }
    for sql in MIGRATIONS.iter().skip(current as usize) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(known)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        assert_eq!(super::migrate(&mut c).unwrap(), 15);
        assert_eq!(super::migrate(&mut c).unwrap(), 15);
        let v: u32 = c
            .query_row("PRAGMA user_version", (), |r| r.get(0))
            .unwrap();
        assert_eq!(v, 15);
    }

    /// Migration 11 fills the kept cost and the search text of the orders already stored.
    #[test]
    fn the_history_migration_backfills_cost_and_search_text() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &super::MIGRATIONS[..10] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", 10).unwrap();
        c.execute_batch(
            "INSERT INTO orders (id, provider, kind, remote_id, phone, service, currency, status, created_at, updated_at)
                 VALUES ('a', 'otpzap', 'sms', 'ra', '628111', 'WhatsApp', 'IDR', 'cancelled', 1, 1),
                        ('b', 'otpzap', 'sms', 'rb', NULL, 'Telegram', 'IDR', 'completed', 2, 2);
             INSERT INTO ledger (provider, kind, amount_minor, currency, order_id, at)
                 VALUES ('otpzap', 'charge', -2000, 'IDR', 'a', 1), ('otpzap', 'refund', 1500, 'IDR', 'a', 1),
                        ('otpzap', 'charge', -3000, 'IDR', 'b', 2), ('otpzap', 'fee', -10, 'USD', 'b', 2);
             INSERT INTO otps (order_id, seq, code, stored_at, late) VALUES ('a', 0, '4242', 1, 1);
             INSERT INTO order_desk (order_id, customer, note, set_at) VALUES ('b', 'Budi', NULL, 2);",
        )
        .unwrap();
        assert_eq!(
            super::migrate(&mut c).unwrap(),
            super::MIGRATIONS.len() as u32
        );
        let row = |id: &str| {
            c.query_row(
                "SELECT cost_minor, cost_mixed, (SELECT text FROM order_search WHERE order_id = id) FROM orders WHERE id = ?1",
                [id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)),
            )
            .unwrap()
        };
        assert_eq!(
            row("a"),
            (
                500,
                0,
                "WhatsApp\u{1f}628111\u{1f}\u{1f}ra\u{1f}\u{1f}4242\u{1f}\u{1f}".into()
            )
        );
        assert_eq!(
            row("b"),
            (
                3_000,
                1,
                "Telegram\u{1f}\u{1f}\u{1f}rb\u{1f}\u{1f}\u{1f}Budi\u{1f}".into()
            )
        );
    }

    #[test]
    fn a_newer_schema_is_refused_untouched() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            super::migrate(&mut c),
            Err(super::MigrateError::TooNew {
                found: 99,
                known
            }) if known as usize == super::MIGRATIONS.len()
        ));
        let tables: i64 = c
            .query_row("SELECT count(*) FROM sqlite_master", (), |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
