//! A real, throwaway PostgreSQL server for the tests (Debian's `postgresql` package): created
//! with `initdb` in `$OTPDESK_TEST_PG_DIR` (default `/tmp/otpdesk-test-pg-UID`), started with
//! `pg_ctl` on a free loopback port the first time a test needs it, and left running for the
//! next test binaries (a file lock keeps two binaries from starting it twice). It offers TLS
//! with a self-signed certificate, as a business's own server may. Each data
//! directory of a test gets its own schema, so engines opened on the same directory share one
//! team store, as two desktops of one team would.
#![allow(dead_code)]

use otpdesk_engine::db::{Connection, PgConfig, PgConn};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Whether the engine tests run against PostgreSQL (`OTPDESK_TEST_STORE=postgres`; Linux only:
/// the server is Debian's package).
pub fn enabled() -> bool {
    cfg!(unix) && std::env::var("OTPDESK_TEST_STORE").is_ok_and(|v| v == "postgres")
}

/// Whether a throwaway server can be started here (team tests need one; under wine there is none).
pub fn available() -> bool {
    cfg!(unix) && bin_dir().is_ok()
}

fn euid() -> u32 {
    #[cfg(unix)]
    return unsafe { libc::geteuid() };
    #[cfg(not(unix))]
    return 1;
}

/// One starter at a time across test binaries.
fn lock_exclusive(f: &std::fs::File) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
    }
    #[cfg(not(unix))]
    let _ = f;
}

/// The team store of a test's data directory: a connection string whose search_path is that
/// directory's own schema (created on first use).
pub fn team_for(dir: &Path) -> PgConfig {
    PgConfig::parse(&team_url_for(dir)).unwrap()
}

/// [`team_for`] as a connection string (for a worker process's `OTPDESK_STORE`).
pub fn team_url_for(dir: &Path) -> String {
    let base = server();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut h);
    let schema = format!("t{:016x}", h.finish());
    let admin = PgConn::connect(&PgConfig::parse(base).unwrap()).expect("test server");
    let admin = Connection::Pg(admin);
    admin
        .execute_batch(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock(7);
             CREATE SCHEMA IF NOT EXISTS {schema};
             CREATE TABLE IF NOT EXISTS public.test_schemas (name TEXT PRIMARY KEY, at TIMESTAMPTZ NOT NULL DEFAULT now());
             INSERT INTO public.test_schemas (name) VALUES ('{schema}') ON CONFLICT DO NOTHING;
             COMMIT;"
        ))
        .expect("create the test schema");
    format!("{base} options='-c search_path={schema}'")
}

/// `host=… port=… user=postgres dbname=postgres` of the running test server.
pub fn server() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let url = start().unwrap_or_else(|e| panic!("test PostgreSQL server: {e}"));
        // Schemas of earlier runs (their temp directories are gone) are dropped after a day.
        let admin = Connection::Pg(PgConn::connect(&PgConfig::parse(&url).unwrap()).unwrap());
        let _ = admin.execute_batch(
            "DO $$ DECLARE s TEXT; BEGIN
               IF to_regclass('public.test_schemas') IS NOT NULL THEN
                 FOR s IN SELECT name FROM public.test_schemas WHERE at < now() - interval '1 day' LOOP
                   EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', s);
                   DELETE FROM public.test_schemas WHERE name = s;
                 END LOOP;
               END IF;
             END $$;",
        );
        url
    })
}

fn root() -> PathBuf {
    std::env::var_os("OTPDESK_TEST_PG_DIR")
        .map(PathBuf::from)
        // Not under $HOME: the server's user must reach it (root's home is private).
        .unwrap_or_else(|| std::env::temp_dir().join(format!("otpdesk-test-pg-{}", euid())))
}

fn bin_dir() -> Result<PathBuf, String> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL is not installed (apt-get install postgresql)".to_string())?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("pg_ctl").exists())
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| "no /usr/lib/postgresql/*/bin/pg_ctl".into())
}

/// initdb and the server refuse to run as root: run them as the `postgres` user then.
fn as_server_user(program: &Path) -> Command {
    if euid() == 0 {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ]);
        c.arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(mut c: Command, what: &str) -> Result<String, String> {
    let out = c.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn start() -> Result<String, String> {
    let root = root();
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    let bin = bin_dir()?;
    let root_user = euid() == 0;
    if root_user {
        run(
            {
                let mut c = Command::new("chown");
                c.arg("postgres:postgres").arg(&root);
                c
            },
            "chown",
        )?;
    }
    // One starter at a time (several test binaries run at once).
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join("start.lock"))
        .map_err(|e| e.to_string())?;
    lock_exclusive(&lock);

    let data = root.join("data");
    let port_file = root.join("port");
    if !data.join("PG_VERSION").exists() {
        let _ = std::fs::remove_dir_all(&data);
        let mut c = as_server_user(&bin.join("initdb"));
        c.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(c, "initdb")?;
    }
    let url_of = |port: u16| format!("host=127.0.0.1 port={port} user=postgres dbname=postgres");
    // The server offers TLS (as a business's own server may): a self-signed certificate.
    let (crt, key) = (root.join("server.crt"), root.join("server.key"));
    if !crt.exists() || !key.exists() {
        let mut c = as_server_user(Path::new("openssl"));
        c.args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
        ])
        .args(["-subj", "/CN=otpdesk-test-pg", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&crt);
        run(c, "openssl req")?;
    }
    if let Some(port) = std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|p| p.trim().parse::<u16>().ok())
    {
        if let Ok(c) = PgConn::connect(&PgConfig::parse(&url_of(port)).unwrap()) {
            let ssl: String = Connection::Pg(c)
                .query_row("SHOW ssl", (), |r| r.get(0))
                .unwrap_or_default();
            if ssl == "on" {
                return Ok(url_of(port));
            }
            // Started by an older harness without TLS: restarted below.
            let mut stop = as_server_user(&bin.join("pg_ctl"));
            stop.arg("-D").arg(&data).args(["-m", "fast", "-w", "stop"]);
            let _ = run(stop, "pg_ctl stop");
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut c = as_server_user(&bin.join("pg_ctl"));
    c.arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(root.join("server.log"));
    c.arg("-o").arg(format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300 -c ssl=on -c ssl_cert_file={} \
         -c ssl_key_file={}",
        root.display(),
        crt.display(),
        key.display()
    ));
    c.args(["-w", "-t", "30", "start"]);
    // A server of an earlier run that died leaves its pid file: pg_ctl checks and replaces it.
    run(c, "pg_ctl start").map_err(|e| {
        let log = std::fs::read_to_string(root.join("server.log")).unwrap_or_default();
        format!(
            "{e}\n{}",
            log.lines().rev().take(20).collect::<Vec<_>>().join("\n")
        )
    })?;
    std::fs::write(&port_file, port.to_string()).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match PgConn::connect(&PgConfig::parse(&url_of(port)).unwrap()) {
            Ok(_) => return Ok(url_of(port)),
            Err(e) if Instant::now() > deadline => return Err(e.to_string()),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Hold the team store's write lock for `hold` from another connection (another desktop
/// writing), as a test holds SQLite's with `BEGIN IMMEDIATE`.
pub fn hold_write_lock(dir: &Path, hold: Duration) {
    let c = Connection::Pg(PgConn::connect(&team_for(dir)).unwrap());
    c.execute_batch(&format!("BEGIN; {}", otpdesk_engine::db::PG_WRITE_LOCK))
        .unwrap();
    std::thread::sleep(hold);
    c.execute_batch("COMMIT").unwrap();
}
