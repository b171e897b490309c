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

    // The key belongs to the address it was saved for: pointed elsewhere, it is not sent. (A
    // listener stands in for the other host and records whatever reaches it.)
    let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = other.local_addr().unwrap().port();
    let heard = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Ok(Ok((mut s, _))) =
            tokio::time::timeout(Duration::from_secs(3), other.accept()).await
        {
            use tokio::io::AsyncReadExt;
            let mut buf = vec![0; 4096];
            let n = s.read(&mut buf).await.unwrap_or(0);
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&got).into_owned()
    });
    let elsewhere = format!("http://127.0.0.1:{port}/api/v1");
    let mut cmd = h.command(&["balance"]);
    cmd.env("OTPDESK_OTPZAP_URL", &elsewhere);
    let r = Run::of(cmd, &["balance"]).await;
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not sent there"), "{}", r.stderr);
    assert!(
        !heard.await.unwrap().contains(DEMO_OTPZAP_KEY),
        "the key reached another host"
    );
    // An address with a user name in front of the real host is refused before anything is sent.
    let mut cmd = h.command(&["balance"]);
    cmd.env(
        "OTPDESK_OTPZAP_URL",
        "http://localhost:x@evil.example/api/v1",
    );
    let r = Run::of(cmd, &["balance"]).await;
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("user name or password"), "{}", r.stderr);

    h.run_with(&["keys", "clear", "otpzap"], false).await.ok();
    assert_eq!(h.run_with(&["balance"], false).await.status, 2);
}
