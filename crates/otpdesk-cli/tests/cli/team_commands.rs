//! `otpdesk team …` (the team commands) on a real PostgreSQL (the engine tests' throwaway server): the owner opens
//! the team and invites, an operator joins from standard input (saved in the real keyring),
//! sees the owner's order, may not invite, and is locked out once removed; a wrong paste is
//! named; leave forgets the team.

use crate::harness::*;

use crate::team::pg;

async fn piped(mut cmd: tokio::process::Command, input: &str, args: &[&str]) -> Run {
    use tokio::io::AsyncWriteExt;
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(90), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("otpdesk {args:?} hung"))
        .unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_invites_an_operator_who_joins_sees_orders_and_is_removed() {
    if !pg::available() {
        // Under wine there is no PostgreSQL server to start: team mode is tested on Linux.
        eprintln!("no PostgreSQL server can run here (wine): team mode is tested on Linux");
        return;
    }
    let h = Harness::new(None).await;
    let team_dir = tempfile::tempdir().unwrap();
    let store = pg::team_url_for(team_dir.path());
    let owner = |args: &[&str]| {
        let mut c = h.command(args);
        c.env("OTPDESK_STORE", &store)
            .env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY);
        c
    };
    // The operator: another computer (own data dir and keyring), no key at all.
    let op_data = tempfile::tempdir().unwrap();
    let op_keyring = format!("com.otpdesk.test.cli.op.{}", uuid::Uuid::new_v4());
    let operator = |args: &[&str]| {
        let mut c = h.command(args);
        c.env("OTPDESK_DATA_DIR", op_data.path())
            .env("OTPDESK_KEYRING_SERVICE", &op_keyring)
            .env_remove("OTPDESK_STORE");
        c
    };

    let args = ["--json", "team", "status"];
    let st = Run::of(owner(&args), &args).await.ok();
    let me = &st.records()[0]["me"];
    assert_eq!(me["role"], "owner", "{}", st.stdout);
    assert!(!st.stdout.contains("password"));

    let args = ["--json", "team", "invite", "Ani"];
    let inv = Run::of(owner(&args), &args).await.ok();
    let invite = field(&inv.records()[0], "invite").to_string();
    assert!(invite.starts_with("otpdesk-team:1:"));

    // A wrong paste is named, nothing is saved.
    let args = ["team", "join"];
    let bad = piped(operator(&args), "hello there\n", &args).await;
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("not an OTPDesk team invite"),
        "{}",
        bad.stderr
    );
    let args = ["team", "status"];
    let alone = Run::of(operator(&args), &args).await;
    assert_eq!(alone.status, 2);
    assert!(alone.stderr.contains("not in a team"), "{}", alone.stderr);

    // The invite as a chat app delivers it (wrapped), on standard input.
    let wrapped = format!("{}\n{}\n", &invite[..30], &invite[30..]);
    let args = ["--json", "team", "join"];
    let joined = piped(operator(&args), &wrapped, &args).await.ok();
    let me = &joined.records()[0]["me"];
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("Ani"), Some("operator"))
    );
    let ani_login = field(me, "login").to_string();

    // The owner buys; the operator (no key, the saved team) sees the order.
    let args = buy_s1(&["--json"]);
    let bought = Run::of(owner(&args), &args).await.ok();
    let order_id = field(&bought.records()[0], "order_id").to_string();
    let args = ["--json", "orders"];
    let orders = Run::of(operator(&args), &args).await.ok();
    assert!(
        orders
            .records()
            .iter()
            .any(|o| o["order_id"] == order_id.as_str()),
        "{}",
        orders.stdout
    );

    // Roles are the engine's: an operator may not invite.
    let args = ["team", "invite", "Budi"];
    let refused = Run::of(operator(&args), &args).await;
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("ask the team's owner"),
        "{}",
        refused.stderr
    );

    let args = ["--json", "team", "members"];
    let members = Run::of(owner(&args), &args).await.ok();
    let names: Vec<_> = members
        .records()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[1], "Ani");

    let args = ["team", "remove", ani_login.as_str()];
    Run::of(owner(&args), &args).await.ok();
    let args = ["team", "status"];
    let out = Run::of(operator(&args), &args).await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("not a member"), "{}", out.stderr);

    let args = ["team", "leave"];
    Run::of(operator(&args), &args).await.ok();
    let args = ["team", "status"];
    let alone = Run::of(operator(&args), &args).await;
    assert_eq!(alone.status, 2, "{}", alone.stderr);
}
