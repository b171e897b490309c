//! Actions on orders and inboxes, and waiting on them: also after a crash, and for orders bought elsewhere.

use crate::harness::*;

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
            "Indonesia",
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
