//! QRIS and USDT top-ups, and `topup --wait`.

use crate::harness::*;

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
