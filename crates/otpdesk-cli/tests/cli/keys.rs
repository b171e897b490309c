//! Missing or wrong keys, and keys saved in the real keyring.

use crate::harness::*;

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
