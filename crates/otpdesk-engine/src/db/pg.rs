//! The PostgreSQL side of the store's SQL interface: one connection per `PgConn`, driven by its
//! own thread (the store's callers are synchronous and may run inside tokio, where blocking on
//! another runtime is not allowed), statements prepared once per connection, SQLite-dialect SQL
//! translated (`?N` → `$N`, `LIKE` → `ILIKE`, as SQLite's LIKE ignores ASCII case).

use super::{Error, Result, Value};
use bytes::BytesMut;
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;
use tokio_postgres::types::{to_sql_checked, FromSql as PgFromSql, IsNull, ToSql, Type};

/// How long a statement waits for another desktop's lock until told otherwise
/// ([`PgConn::set_lock_timeout`]): creating or migrating a schema may wait this long.
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(20);

/// How long one statement may take before the connection is treated as lost.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the team's store lives: a `postgres://` URL or key=value connection string.
#[derive(Clone)]
pub struct PgConfig {
    config: tokio_postgres::Config,
}

impl std::fmt::Debug for PgConfig {
    // The connection string holds a password: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgConfig({})", self.describe())
    }
}

impl PgConfig {
    pub fn parse(s: &str) -> Result<PgConfig> {
        let mut config: tokio_postgres::Config =
            s.parse().map_err(|e: tokio_postgres::Error| {
                Error::Offline(format!("invalid connection string: {e}"))
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(10));
        if config.get_application_name().is_none() {
            config.application_name("otpdesk");
        }
        Ok(PgConfig { config })
    }

    /// Server, port, database and user, without the password (for messages and the window).
    pub fn describe(&self) -> String {
        let host = self
            .config
            .get_hosts()
            .first()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(h) => h.clone(),
                #[cfg(unix)]
                tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .unwrap_or_else(|| "localhost".into());
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "{}@{host}:{port}/{}",
            self.config.get_user().unwrap_or("?"),
            self.config.get_dbname().unwrap_or("?")
        )
    }

    /// The schema named by `options=-c search_path=…`, if any (the team's order book; else the
    /// login's default).
    pub fn schema(&self) -> Option<String> {
        let opts = self.config.get_options()?;
        let at = opts.find("search_path=")? + "search_path=".len();
        let s: String = opts[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ',')
            .collect();
        (!s.is_empty()).then_some(s)
    }

    pub fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    pub fn dbname(&self) -> String {
        self.config.get_dbname().unwrap_or("postgres").to_string()
    }

    pub(crate) fn inner(&self) -> &tokio_postgres::Config {
        &self.config
    }
}

type Job = Box<dyn FnOnce(&mut Session) + Send>;

/// One connection to the team's server.
pub struct PgConn {
    jobs: mpsc::Sender<Job>,
}

struct Session {
    rt: tokio::runtime::Runtime,
    config: tokio_postgres::Config,
    lock_timeout: Duration,
    client: Option<tokio_postgres::Client>,
    prepared: HashMap<String, tokio_postgres::Statement>,
    /// Inside BEGIN…COMMIT: a broken connection then fails every statement until the caller
    /// ends the transaction, instead of reconnecting and running the rest outside it.
    in_tx: bool,
    broken_in_tx: bool,
}

impl PgConn {
    pub fn connect(config: &PgConfig) -> Result<PgConn> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Offline(e.to_string()))?;
        let mut session = Session {
            rt,
            config: config.inner().clone(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            client: None,
            prepared: HashMap::new(),
            in_tx: false,
            broken_in_tx: false,
        };
        std::thread::Builder::new()
            .name("otpdesk-pg".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job(&mut session);
                }
            })
            .map_err(|e| Error::Offline(e.to_string()))?;
        let conn = PgConn { jobs: tx };
        conn.run(|s| s.ensure())?;
        Ok(conn)
    }

    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.jobs
            .send(Box::new(move |s| {
                let _ = tx.send(f(s));
            }))
            .map_err(|_| Error::Offline("the connection's thread has stopped".into()))?;
        rx.recv()
            .map_err(|_| Error::Offline("the connection's thread has stopped".into()))?
    }

    pub fn execute(&self, sql: &str, params: Vec<Value>) -> Result<usize> {
        let sql = translate(sql);
        self.run(move |s| s.execute(&sql, &params))
    }

    pub fn query(&self, sql: &str, params: Vec<Value>) -> Result<Vec<tokio_postgres::Row>> {
        let sql = translate(sql);
        self.run(move |s| s.query(&sql, &params))
    }

    /// Wait at most `d` for another desktop's lock from now on (also after a reconnect).
    pub fn set_lock_timeout(&self, d: Duration) -> Result<()> {
        self.run(move |s| {
            s.lock_timeout = d;
            let ms = d.as_millis().max(1);
            s.batch(&format!("SET lock_timeout = {ms}"))
        })
    }

    /// Statements without parameters, in one round trip (schema, BEGIN, COMMIT).
    pub fn batch(&self, sql: &str) -> Result<()> {
        let sql = sql.to_string();
        self.run(move |s| s.batch(&sql))
    }
}

/// The server refused this login (SQLSTATE class 28: no such role, wrong password): the
/// member was removed or the invite is stale.
pub fn is_refused_login(e: &tokio_postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code().starts_with("28"))
}

/// Run a prepared statement with `params` on the session's client, within the statement
/// timeout; a lost connection is settled as "offline" (one home for `execute` and `query`).
macro_rules! prepared {
    ($s:ident, $sql:expr, $params:expr, |$client:ident, $st:ident, $refs:ident| $call:expr) => {{
        let $st = &$s.statement($sql)?;
        let $client = $s.client.as_ref().expect("statement() connected");
        let $refs: &[&(dyn ToSql + Sync)] = &$params.iter().map(|v| v as _).collect::<Vec<_>>();
        let r = $s
            .rt
            .block_on(timed($call))
            .map_err(Error::from_timeout)
            .and_then(|r| r.map_err(Error::Pg));
        $s.settle(r)
    }};
}

impl Session {
    /// Connect when there is no usable connection (outside a transaction only).
    fn ensure(&mut self) -> Result<()> {
        if self.broken_in_tx {
            return Err(Error::Offline(
                "the connection broke inside a transaction".into(),
            ));
        }
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.prepared.clear();
            let config = self.config.clone();
            let lock_ms = self.lock_timeout.as_millis().max(1);
            let connected = self.rt.block_on(async move {
                let (client, connection) =
                    config.connect(super::tls::connector()).await.map_err(|e| {
                        // The server answered "no such login / wrong password" (a member removed
                        // from the team): not offline, see [`is_refused_login`].
                        if is_refused_login(&e) {
                            Error::Pg(e)
                        } else {
                            Error::Offline(e.to_string())
                        }
                    })?;
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::warn!("team database connection ended: {e}");
                    }
                });
                client
                    .batch_execute(&format!("SET lock_timeout = {lock_ms}"))
                    .await
                    .map_err(Error::Pg)?;
                Ok::<_, Error>(client)
            });
            match connected {
                Ok(c) => self.client = Some(c),
                Err(e) => {
                    if self.in_tx {
                        self.broken_in_tx = true;
                    }
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// A failure that leaves the connection unusable (closed, timed out) drops it and is
    /// reported as "offline"; an error the server answered with is passed on as it is.
    fn settle<T>(&mut self, r: Result<T>) -> Result<T> {
        let lost = match &r {
            Err(Error::Pg(pe)) if pe.is_closed() || pe.code().is_none() => Some(pe.to_string()),
            Err(Error::Offline(m)) => Some(m.clone()),
            _ => None,
        };
        match lost {
            Some(msg) => {
                self.client = None;
                self.prepared.clear();
                if self.in_tx {
                    self.broken_in_tx = true;
                }
                Err(Error::Offline(msg))
            }
            None => {
                if let Err(Error::Pg(e)) = &r {
                    // The statement, never its parameters (they may hold a customer's data).
                    tracing::debug!("PostgreSQL refused a statement: {e}");
                    if std::env::var_os("OTPDESK_PG_TRACE").is_some() {
                        eprintln!("PostgreSQL refused: {e:?}");
                    }
                }
                r
            }
        }
    }

    fn statement(&mut self, sql: &str) -> Result<tokio_postgres::Statement> {
        // Connected first: a reconnect forgets the statements prepared on the old connection.
        self.ensure()?;
        if let Some(st) = self.prepared.get(sql) {
            return Ok(st.clone());
        }
        let client = self.client.as_ref().expect("ensured");
        let st = self
            .rt
            .block_on(timed(client.prepare(sql)))
            .map_err(Error::from_timeout)?;
        let st = self.settle(st.map_err(Error::Pg))?;
        self.prepared.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        prepared!(self, sql, params, |client, st, refs| client
            .execute(st, refs))
        .map(|n| n as usize)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<tokio_postgres::Row>> {
        prepared!(self, sql, params, |client, st, refs| client.query(st, refs))
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        let head = sql.trim_start().to_ascii_uppercase();
        let ends = head.starts_with("COMMIT") || head.starts_with("ROLLBACK");
        if ends && self.broken_in_tx {
            // The server already dropped the transaction with the connection.
            self.in_tx = false;
            self.broken_in_tx = false;
            return Err(Error::Offline(
                "the connection broke inside a transaction; nothing of it was saved".into(),
            ));
        }
        self.ensure()?;
        let client = self.client.as_ref().expect("ensured");
        let r = self
            .rt
            .block_on(timed(client.batch_execute(sql)))
            .map_err(Error::from_timeout)
            .and_then(|r| r.map_err(Error::Pg));
        if head.starts_with("BEGIN") && r.is_ok() {
            self.in_tx = true;
        }
        if ends {
            self.in_tx = false;
        }
        self.settle(r)
    }
}

async fn timed<F: std::future::Future>(f: F) -> Result<F::Output, tokio::time::error::Elapsed> {
    tokio::time::timeout(STATEMENT_TIMEOUT, f).await
}

impl Error {
    fn from_timeout(_: tokio::time::error::Elapsed) -> Error {
        Error::Offline(format!(
            "no answer from the server within {} s",
            STATEMENT_TIMEOUT.as_secs()
        ))
    }
}

/// SQLite-dialect SQL for PostgreSQL: `?N` → `$N` (a bare `?` takes the next number), `LIKE` →
/// `ILIKE`, the scalar `MAX(a, b)` / `MIN(a, b)` → `GREATEST` / `LEAST`. Quoted text is left alone.
pub(crate) fn translate(sql: &str) -> String {
    let c: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1usize;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\'' || ch == '"' {
            let end = c[i + 1..]
                .iter()
                .position(|&x| x == ch)
                .map_or(c.len(), |p| i + 1 + p + 1);
            out.extend(&c[i..end]);
            i = end;
        } else if ch.is_ascii_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let upper = word.to_ascii_uppercase();
            let scalar = || c.get(i) == Some(&'(') && has_top_level_comma(&c[i..]);
            match upper.as_str() {
                "LIKE" => out.push_str("ILIKE"),
                "MAX" if scalar() => out.push_str("GREATEST"),
                "MIN" if scalar() => out.push_str("LEAST"),
                _ => out.push_str(&word),
            }
        } else if ch == '?' {
            i += 1;
            let start = i;
            while i < c.len() && c[i].is_ascii_digit() {
                i += 1;
            }
            if start == i {
                out.push_str(&format!("${next}"));
                next += 1;
            } else {
                let digits: String = c[start..i].iter().collect();
                next = digits.parse::<usize>().unwrap_or(0) + 1;
                out.push('$');
                out.push_str(&digits);
            }
        } else {
            out.push(ch);
            i += 1;
        }
    }
    out
}

/// Whether the parenthesised list starting at `c[0] == '('` has two or more items.
fn has_top_level_comma(c: &[char]) -> bool {
    let mut depth = 0;
    let mut quote = None;
    for &ch in c {
        match (quote, ch) {
            (Some(q), x) if x == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            (None, ',') if depth == 1 => return true,
            _ => {}
        }
    }
    false
}

/// A column as one of the interface's values.
pub(crate) fn column(r: &tokio_postgres::Row, i: usize) -> Result<Value> {
    let Some(col) = r.columns().get(i) else {
        return Err(Error::conversion(i, "no such column"));
    };
    let ty = col.type_().clone();
    let bad = |e: tokio_postgres::Error| Error::conversion(i, e);
    let v = match ty {
        Type::INT8 => r.try_get::<_, Option<i64>>(i).map_err(bad)?.map(Value::Int),
        Type::INT4 => r
            .try_get::<_, Option<i32>>(i)
            .map_err(bad)?
            .map(|v| Value::Int(v.into())),
        Type::INT2 => r
            .try_get::<_, Option<i16>>(i)
            .map_err(bad)?
            .map(|v| Value::Int(v.into())),
        Type::BOOL => r
            .try_get::<_, Option<bool>>(i)
            .map_err(bad)?
            .map(|v| Value::Int(v as i64)),
        Type::FLOAT8 => r
            .try_get::<_, Option<f64>>(i)
            .map_err(bad)?
            .map(Value::Real),
        Type::FLOAT4 => r
            .try_get::<_, Option<f32>>(i)
            .map_err(bad)?
            .map(|v| Value::Real(v.into())),
        Type::BYTEA => r
            .try_get::<_, Option<Vec<u8>>>(i)
            .map_err(bad)?
            .map(Value::Blob),
        Type::NUMERIC => r
            .try_get::<_, Option<Numeric>>(i)
            .map_err(bad)?
            .map(|n| n.0),
        _ => r
            .try_get::<_, Option<String>>(i)
            .map_err(|_| Error::conversion(i, format!("unsupported column type {ty}")))?
            .map(Value::Text),
    };
    Ok(v.unwrap_or(Value::Null))
}

/// A NUMERIC column (what SUM of integers gives): an integer when it has no fraction.
struct Numeric(Value);

impl<'a> PgFromSql<'a> for Numeric {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Numeric, Box<dyn std::error::Error + Sync + Send>> {
        let word =
            |k: usize| -> std::result::Result<i32, Box<dyn std::error::Error + Sync + Send>> {
                raw.get(k..k + 2)
                    .map(|b| i16::from_be_bytes([b[0], b[1]]) as i32)
                    .ok_or_else(|| "short NUMERIC".into())
            };
        let ndigits = word(0)?;
        let weight = word(2)?;
        let sign = word(4)? as u16;
        if sign == 0xC000 {
            return Err("NUMERIC NaN".into());
        }
        let mut int: i128 = 0;
        let mut frac = 0f64;
        for k in 0..ndigits {
            let d = word(8 + 2 * k as usize)? as i128;
            let power = weight - k;
            if power >= 0 {
                int = int
                    .checked_mul(1)
                    .and_then(|_| 10000i128.checked_pow(power as u32))
                    .and_then(|p| d.checked_mul(p))
                    .and_then(|v| int.checked_add(v))
                    .ok_or("NUMERIC too large")?;
            } else {
                frac += d as f64 * 10000f64.powi(power);
            }
        }
        let neg = sign == 0x4000;
        if frac == 0.0 {
            let v = i64::try_from(if neg { -int } else { int }).map_err(|_| "NUMERIC too large")?;
            Ok(Numeric(Value::Int(v)))
        } else {
            let v = int as f64 + frac;
            Ok(Numeric(Value::Real(if neg { -v } else { v })))
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::FLOAT4 => (*i as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    i.to_string().to_sql(ty, out)
                }
                _ => i.to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => f.to_string().to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => match *ty {
                Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.trim().parse::<i32>()?.to_sql(ty, out),
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => s.as_str().to_sql(ty, out),
            },
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn sqlite_placeholders_and_like_become_postgres_ones() {
        assert_eq!(
            translate("SELECT a FROM t WHERE b = ?1 AND c LIKE ?2 AND d = '?x like' AND e = ?"),
            "SELECT a FROM t WHERE b = $1 AND c ILIKE $2 AND d = '?x like' AND e = $3"
        );
        assert_eq!(translate("x = ? AND y = ?"), "x = $1 AND y = $2");
        assert_eq!(translate("unlike_col LIKE ?3"), "unlike_col ILIKE $3");
        assert_eq!(
            translate(
                "SET a = MAX(0, MIN(?2 - b, COALESCE(?3, ?2) - b)), c = (SELECT MAX(x) FROM t)"
            ),
            "SET a = GREATEST(0, LEAST($2 - b, COALESCE($3, $2) - b)), c = (SELECT MAX(x) FROM t)"
        );
    }
}
