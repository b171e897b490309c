//! The `otpdesk` binary against the simulator over real HTTP: every command group, what it prints
//! (text and `--json`), and how it fails (one sentence on stderr, non-zero exit).

use otpdesk_sim::{
    SimConfig, SimControl, SimHandle, DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OTPZAP_KEY,
};
use serde_json::Value;
use std::time::Duration;

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    async fn of(mut cmd: tokio::process::Command, args: &[&str]) -> Run {
        let out = tokio::time::timeout(Duration::from_secs(90), cmd.output())
            .await
            .unwrap_or_else(|_| panic!("otpdesk {args:?} hung"))
            .unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    /// `--json` stdout lines, parsed.
    fn records(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
    fn ok(self) -> Run {
        assert_eq!(
            self.status, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

struct Harness {
    sim: SimHandle,
    data: tempfile::TempDir,
    keyring_service: String,
}

impl Harness {
    async fn new(otp_delay: Option<Duration>) -> Harness {
        let sim = otpdesk_sim::spawn(SimConfig {
            otp_delay,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        Harness {
            sim,
            data: tempfile::tempdir().unwrap(),
            keyring_service: format!("com.otpdesk.test.cli.{}", uuid::Uuid::new_v4()),
        }
    }

    fn control(&self) -> SimControl {
        self.sim.control()
    }

    /// `otpdesk args` against this simulator, data dir and keyring service, with no API key
    /// from the test's own environment; callers add keys, pipes or overrides.
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_otpdesk"));
        cmd.args(args)
            .env("OTPDESK_OTPZAP_URL", self.sim.otpzap_url())
            .env("OTPDESK_NUMBEROTP_URL", self.sim.numberotp_url())
            .env("OTPDESK_OOPPAY_URL", self.sim.ooppay_url())
            .env("OTPDESK_DATA_DIR", self.data.path())
            .env("OTPDESK_KEYRING_SERVICE", &self.keyring_service)
            .env_remove("OTPDESK_OTPZAP_KEY")
            .env_remove("OTPDESK_NUMBEROTP_KEY")
            .env_remove("OTPDESK_OOPPAY_KEY")
            .stdin(std::process::Stdio::null());
        cmd
    }

    async fn run_with(&self, args: &[&str], keys: bool) -> Run {
        let mut cmd = self.command(args);
        if keys {
            cmd.env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY)
                .env("OTPDESK_NUMBEROTP_KEY", DEMO_NUMBEROTP_KEY)
                .env("OTPDESK_OOPPAY_KEY", DEMO_OOPPAY_KEY);
        }
        Run::of(cmd, args).await
    }

    async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, true).await
    }

    /// As another computer would: a data dir of its own, so the CLI's store does not know
    /// the orders bought there and asks the provider directly.
    async fn run_elsewhere(&self, args: &[&str]) -> Run {
        let other = tempfile::tempdir().unwrap();
        let mut cmd = self.command(args);
        cmd.env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY)
            .env("OTPDESK_DATA_DIR", other.path());
        Run::of(cmd, args).await
    }
}

/// `--json buy s1` of OTPZap's WhatsApp number in Indonesia, then `extra`.
fn buy_s1<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--json",
        "buy",
        "s1",
        "--product",
        "814090256",
        "--country",
        "7",
        "--platform",
        "1",
    ];
    args.extend_from_slice(extra);
    args
}

fn field<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no string {k} in {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balance_and_every_catalog() {
    let h = Harness::new(None).await;
    let r = h.run(&["--json", "balance"]).await.ok();
    assert_eq!(r.records()[0]["balance"]["minor"], 250_000);
    assert_eq!(
        h.run(&["balance"]).await.ok().stdout.trim(),
        "OTPZap balance: IDR 250000"
    );

    let countries = h
        .run(&["--json", "catalog", "s1", "countries"])
        .await
        .ok()
        .records();
    assert!(countries
        .iter()
        .any(|c| c["id"] == "7" && c["name"] == "Indonesia"));
    let services = h
        .run(&["--json", "catalog", "s1", "services", "--country", "7"])
        .await
        .ok()
        .records();
    assert!(services.iter().any(|s| s["code"] == "whatsapp"));
    let products = h
        .run(&[
            "--json",
            "catalog",
            "s1",
            "products",
            "--country",
            "7",
            "--platform",
            "1",
            "--sort",
            "price-asc",
        ])
        .await
        .ok()
        .records();
    assert!(products
        .iter()
        .any(|p| p["id"] == "814090256" && p["price"]["minor"] == 2835));
    let table = h
        .run(&[
            "catalog",
            "s1",
            "products",
            "--country",
            "7",
            "--platform",
            "1",
        ])
        .await
        .ok()
        .stdout;
    assert!(
        table.starts_with("ID")
            && table.contains("WhatsApp - Indonesia")
            && table.contains("IDR 2835"),
        "{table}"
    );

    assert!(!h
        .run(&["--json", "catalog", "s2", "countries"])
        .await
        .ok()
        .records()
        .is_empty());
    let s2 = h
        .run(&["--json", "catalog", "s2", "services", "--country", "7"])
        .await
        .ok()
        .records();
    assert!(s2.iter().all(|s| s["price"]["currency"] == "IDR") && !s2.is_empty());
    let ops = h
        .run(&["--json", "catalog", "s2", "operators", "--country", "7"])
        .await
        .ok()
        .records();
    assert!(ops.iter().any(|o| o["operator"] == "random"));
    assert!(!h
        .run(&["--json", "catalog", "s2", "special"])
        .await
        .ok()
        .records()
        .is_empty());

    let sites = h
        .run(&["--json", "catalog", "email", "sites"])
        .await
        .ok()
        .records();
    assert!(sites.iter().any(|s| s["site"] == "openai.com"));
    let domains = h
        .run(&[
            "--json",
            "catalog",
            "email",
            "domains",
            "--site",
            "openai.com",
        ])
        .await
        .ok()
        .records();
    assert!(domains.iter().any(|d| d["domain"] == "gmail.com"));

    let n = h
        .run(&["--json", "catalog", "numberotp", "services"])
        .await
        .ok()
        .records();
    assert!(!n.is_empty());
    assert!(!h
        .run(&["--json", "catalog", "numberotp", "countries"])
        .await
        .ok()
        .records()
        .is_empty());
    let prices = h
        .run(&["--json", "catalog", "numberotp", "prices"])
        .await
        .ok()
        .records();
    assert!(prices
        .iter()
        .all(|p| p["price"].is_null() || p["price"]["currency"] == "USD"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_and_wait_prints_the_code_for_each_kind_of_order() {
    let h = Harness::new(Some(Duration::from_secs(1))).await;
    let wait = ["--wait", "--poll-secs", "1", "--timeout", "60"];
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "buy",
            "s1",
            "--product",
            "814090256",
            "--country",
            "7",
            "--platform",
            "1",
        ],
        vec!["buy", "s2", "--service", "101", "--country", "7"],
        vec!["buy", "s2-special", "--service", "501"],
        vec!["buy", "s2-multi", "--services", "101,102", "--country", "7"],
        vec!["buy", "numberotp", "--service", "wa", "--country", "67"],
        vec![
            "buy",
            "email",
            "--site",
            "openai.com",
            "--domain",
            "gmail.com",
        ],
    ];
    for case in cases {
        let args: Vec<&str> = std::iter::once("--json")
            .chain(case.iter().copied())
            .chain(wait)
            .collect();
        let records = h.run(&args).await.ok().records();
        assert!(
            records[0]["type"] == "order" || records[0]["type"] == "email_order",
            "{case:?}: {records:?}"
        );
        let otp = records
            .iter()
            .find(|r| r["type"] == "otp")
            .unwrap_or_else(|| panic!("{case:?}: no code in {records:?}"));
        let code = field(otp, "otp");
        assert!(
            code.len() >= 4 && code.chars().all(|c| c.is_ascii_digit()),
            "{case:?}: {code}"
        );
    }
    // Six purchases moved the balance down.
    let after = h.run(&["--json", "balance"]).await.ok().records();
    assert!(after[0]["balance"]["minor"].as_i64().unwrap() < 250_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_actions_and_their_refusals() {
    let h = Harness::new(None).await;
    let buy = || {
        let h = &h;
        async move {
            let r = h.run(&buy_s1(&[])).await.ok();
            field(&r.records()[0], "order_id").to_string()
        }
    };
    let id = buy().await;

    // Cancel within two minutes: refused with the time left, as one sentence on stderr.
    let r = h.run(&["cancel", &id]).await;
    assert_eq!(r.status, 1);
    assert!(r.stdout.is_empty());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("otpdesk: Not yet allowed: cancel unlocks in 1"),
        "{}",
        r.stderr
    );
    let r = h.run(&["--json", "cancel", &id]).await;
    let err: Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(err["code"], "cancel_cooldown");
    // The order is in the store, active, and refusing did not touch it.
    let listed = h
        .run(&["--json", "orders", "--active"])
        .await
        .ok()
        .records();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["order_id"], id.as_str());
    assert_eq!(listed[0]["status"], "pending");
    assert!(h.run(&["orders"]).await.ok().stdout.contains("WhatsApp"));

    // An order bought elsewhere (not in this store) is asked of OTPZap directly: refused by the
    // provider's cooldown, then refunded once the (simulated) two minutes have passed.
    let other = h.run_elsewhere(&buy_s1(&[])).await.ok();
    let other_id = field(&other.records()[0], "order_id").to_string();
    let r = h.run(&["cancel", &other_id]).await;
    assert!(
        r.stderr
            .starts_with("otpdesk: OTPZap: Not yet allowed, try again in "),
        "{}",
        r.stderr
    );
    h.control().advance_clock(121).await.unwrap();
    let r = h.run(&["--json", "cancel", &other_id]).await.ok();
    assert_eq!(r.records()[0]["refunded"]["minor"], 2835);
    // A second cancel: the order is no longer pending.
    let r = h.run(&["cancel", &other_id]).await;
    assert_eq!(r.status, 1);
    assert!(r.stderr.contains("not in a state"), "{}", r.stderr);

    // Code, check, resend, the next code, finish. Codes are delivered through the control API, so
    // the resend lock is still closed when the second resend is asked, however slow the machine.
    // (`buy --wait` with codes the simulator sends by itself is covered above.)
    let id = buy().await;
    let first = h.control().deliver_otp(&id).await.unwrap().code;
    let got = h
        .run(&["--json", "wait", &id, "--timeout", "60"])
        .await
        .ok();
    assert_eq!(field(&got.records()[0], "otp"), first);
    let check = h.run(&["--json", "check", &id]).await.ok().records();
    assert_eq!(check[0]["otps"].as_array().unwrap().len(), 1);
    assert!(h
        .run(&["check", &id])
        .await
        .ok()
        .stdout
        .contains(&format!("code {first}")));
    let resent = h.run(&["--json", "resend", &id]).await.ok().records();
    assert_eq!(resent[0]["resend_count"], 1);
    // A second resend before the new code arrives is refused by the lock.
    let again = h.run(&["resend", &id]).await;
    assert_eq!(again.status, 1, "{}", again.stdout);
    assert!(
        again.stderr.contains("resend unlocks") || again.stderr.contains("Resend is locked"),
        "{}",
        again.stderr
    );
    // The next code: `wait` returns the one after the code already stored, not the first again.
    let second = h.control().deliver_otp(&id).await.unwrap().code;
    let next = h.run(&["wait", &id, "--timeout", "60"]).await.ok();
    assert_ne!(second, first);
    assert_eq!(next.stdout.trim(), format!("Code for WhatsApp: {second}"));
    let check = h.run(&["--json", "check", &id]).await.ok().records();
    assert_eq!(check[0]["otps"][1]["code"], second.as_str());
    h.run(&["finish", &id]).await.ok();

    // Replace: a new order id, same price.
    let id = buy().await;
    let replaced = h.run(&["--json", "replace", &id]).await.ok().records();
    assert_ne!(field(&replaced[0], "order_id"), id);
    assert_eq!(replaced[0]["price"]["minor"], 2835);

    // Unknown order.
    let r = h.run(&["check", "999999"]).await;
    assert_eq!(r.status, 1);
    assert!(r.stderr.contains("does not know"), "{}", r.stderr);
}

/// An order this store does not know is waited for by polling OTPZap directly: only a code
/// that arrives after the wait started counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_polls_otpzap_for_an_order_bought_elsewhere() {
    let h = Harness::new(None).await;
    let other = h.run_elsewhere(&buy_s1(&[])).await.ok();
    let id = field(&other.records()[0], "order_id").to_string();
    let control = h.control();
    let wait = ["--json", "wait", &id, "--poll-secs", "1", "--timeout", "60"];
    let (r, delivered) = tokio::join!(h.run(&wait), async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        control.deliver_otp(&id).await.unwrap()
    });
    let r = r.ok().records();
    assert_eq!(field(&r[0], "otp"), delivered.code);
    assert_eq!(field(&r[0], "order_id"), id);
    // Waiting did not put the order into this store.
    assert!(h.run(&["--json", "orders"]).await.ok().records().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_inbox_actions() {
    let h = Harness::new(None).await;
    let r = h
        .run(&[
            "--json",
            "buy",
            "email",
            "--site",
            "openai.com",
            "--domains",
            "gmail.com,outlook.com",
        ])
        .await
        .ok();
    let reference = field(&r.records()[0], "ref").to_string();
    assert!(h
        .run(&["email", "check", &reference])
        .await
        .ok()
        .stdout
        .contains(&reference));
    h.run(&["email", "reorder", &reference]).await.ok();
    let cancelled = h
        .run(&["--json", "email", "cancel", &reference])
        .await
        .ok()
        .records();
    assert!(cancelled[0]["refunded"]["minor"].as_i64().unwrap() > 0);

    let r = h
        .run(&[
            "--json",
            "buy",
            "email",
            "--site",
            "openai.com",
            "--domain",
            "gmail.com",
        ])
        .await
        .ok();
    let reference = field(&r.records()[0], "ref").to_string();
    h.control().deliver_otp(&reference).await.unwrap();
    let check = h
        .run(&["--json", "email", "check", &reference])
        .await
        .ok()
        .records();
    assert!(check[0]["otp"].is_string(), "{check:?}");
    h.run(&["email", "finish", &reference]).await.ok();

    let r = h.run(&["buy", "email", "--site", "openai.com"]).await;
    assert_eq!(r.status, 2, "a domain is required: {}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qris_and_usdt_topups() {
    let h = Harness::new(None).await;
    let r = h
        .run(&["--json", "topup", "qris", "--amount", "50000"])
        .await
        .ok()
        .records();
    let id = field(&r[0], "order_id").to_string();
    assert!(id.starts_with("APIDEP-"), "{id}");
    assert!(r[0]["total_amount"]["minor"].as_i64().unwrap() >= 50_000);
    assert!(field(&r[0], "payment_url").starts_with("http"));
    let text = h.run(&["topup", "check", &id]).await.ok().stdout;
    assert!(text.contains("pending"), "{text}");
    let pending = h
        .run(&["--json", "topup", "check", &id])
        .await
        .ok()
        .records();
    assert_eq!(
        pending[0]["status"], "pending",
        "a check prints its status in --json too"
    );
    h.control().pay_deposit(&id).await.unwrap();
    let paid = h
        .run(&["--json", "topup", "check", &id])
        .await
        .ok()
        .records();
    assert_eq!(paid[0]["status"], "paid");
    let balance = h.run(&["--json", "balance"]).await.ok().records();
    assert_eq!(balance[0]["balance"]["minor"], 300_000);

    let r = h
        .run(&["--json", "topup", "usdt", "--amount", "10.00"])
        .await
        .ok()
        .records();
    let id = field(&r[0], "order_id").to_string();
    assert_eq!(r[0]["pay_amount"]["amount"], "11.500000");
    assert!(field(&r[0], "pay_address").starts_with('T'));
    let text = h.run(&["topup", "usdt", "--amount", "5"]).await.ok().stdout;
    assert!(
        text.starts_with("Send exactly USDT 6.500000 (USDT-TRC20) to T"),
        "{text}"
    );
    h.control().pay_deposit(&id).await.unwrap();
    let paid = h
        .run(&["--json", "topup", "check", &id, "--provider", "ooppay"])
        .await
        .ok()
        .records();
    assert_eq!(paid[0]["status"], "paid");

    for bad in ["-5", "abc", "0", "10.5"] {
        let r = h.run(&["topup", "qris", &format!("--amount={bad}")]).await;
        assert_eq!(r.status, 2, "{bad}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("otpdesk: --amount"),
            "{bad}: {}",
            r.stderr
        );
    }
}

/// `topup qris --wait` polls until the invoice is paid; in `--json` it prints the invoice and
/// then only the final status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topup_wait_ends_when_the_invoice_is_paid() {
    use tokio::io::AsyncBufReadExt;
    let h = Harness::new(None).await;
    let mut waiter = h
        .command(&["--json", "topup", "qris", "--amount", "50000", "--wait"])
        .env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(waiter.stdout.take().unwrap()).lines();
    let invoice: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    let id = field(&invoice, "order_id").to_string();
    tokio::time::sleep(Duration::from_secs(1)).await; // the first check saw it pending
    h.control().pay_deposit(&id).await.unwrap();
    let paid: Value = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("topup --wait did not notice the payment")
        .unwrap()
        .map(|l| serde_json::from_str(&l).unwrap())
        .unwrap();
    assert_eq!(paid["type"], "topup_status");
    assert_eq!(paid["order_id"], id.as_str());
    assert_eq!(paid["status"], "paid");
    assert!(lines.next_line().await.unwrap().is_none());
    assert!(waiter.wait().await.unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_keys_are_explained() {
    let h = Harness::new(None).await;
    let r = h.run_with(&["balance"], false).await;
    assert_eq!(r.status, 2);
    assert_eq!(r.stderr.trim(), "otpdesk: No OTPZap API key: set OTPDESK_OTPZAP_KEY or save one with `otpdesk keys set otpzap`.");

    let mut cmd = h.command(&["balance"]);
    cmd.env("OTPDESK_OTPZAP_KEY", "ozk_wrong_key_0000");
    let r = Run::of(cmd, &["balance"]).await;
    let stderr = r.stderr;
    assert_eq!(r.status, 1);
    assert!(stderr.contains("rejected the API key"), "{stderr}");
    assert!(
        !stderr.contains("ozk_wrong_key_0000"),
        "the key must never be printed: {stderr}"
    );
}

/// Keys saved through the CLI land in the real keyring (a Secret Service on the session bus:
/// scripts/test.sh provides one) and are used from there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_set_status_clear_through_the_keyring() {
    let h = Harness::new(None).await;
    let mut cmd = h.command(&["keys", "set", "otpzap"]);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use tokio::io::AsyncWriteExt;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{DEMO_OTPZAP_KEY}\n").as_bytes())
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(DEMO_OTPZAP_KEY));

    let status = h.run_with(&["--json", "keys", "status"], false).await.ok();
    assert!(!status.stdout.contains(DEMO_OTPZAP_KEY));
    let rows = status.records();
    assert_eq!(
        rows.iter().find(|r| r["provider"] == "otpzap").unwrap()["set"],
        true
    );
    assert_eq!(
        rows.iter().find(|r| r["provider"] == "ooppay").unwrap()["set"],
        false
    );

    // No key in the environment: the keyring's key is used.
    let r = h.run_with(&["--json", "balance"], false).await.ok();
    assert_eq!(r.records()[0]["balance"]["minor"], 250_000);

    h.run_with(&["keys", "clear", "otpzap"], false).await.ok();
    assert_eq!(h.run_with(&["balance"], false).await.status, 2);
}

/// A `buy --wait` killed with SIGKILL before its code arrives loses nothing: the order is in the
/// store, and `otpdesk wait ID` picks it up again and prints the code that came meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_resumes_an_order_after_the_buyer_was_killed() {
    use tokio::io::AsyncBufReadExt;
    let h = Harness::new(None).await;
    let mut buyer = h
        .command(&[
            "--json",
            "buy",
            "numberotp",
            "--service",
            "wa",
            "--country",
            "67",
            "--wait",
        ])
        .env("OTPDESK_NUMBEROTP_KEY", DEMO_NUMBEROTP_KEY)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(buyer.stdout.take().unwrap()).lines();
    let order: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    let id = field(&order, "order_id").to_string();
    buyer.kill().await.unwrap(); // SIGKILL: no shutdown, no cleanup
    let delivered = h.control().deliver_otp(&id).await.unwrap();

    let listed = h
        .run(&["--json", "orders", "--active"])
        .await
        .ok()
        .records();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["order_id"], id.as_str());
    // The code that arrived while nothing was running is printed at once.
    let r = h
        .run(&["--json", "wait", &id, "--timeout", "60"])
        .await
        .ok()
        .records();
    assert_eq!(field(&r[0], "otp"), delivered.code);
    let r = h.run(&["--json", "orders"]).await.ok().records();
    assert_eq!(r[0]["otp"], delivered.code.as_str());
    assert_eq!(
        h.control()
            .ledger(Some(DEMO_NUMBEROTP_KEY))
            .await
            .unwrap()
            .len(),
        1,
        "bought once"
    );
}
