//! One simulator, data dir and keyring service per test, and the `otpdesk` processes run on them.

pub use otpdesk_sim::{
    SimConfig, SimControl, SimHandle, DEMO_NUMBEROTP_KEY, DEMO_OOPPAY_KEY, DEMO_OTPZAP_KEY,
};
pub use serde_json::Value;
pub use std::time::Duration;

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub async fn of(mut cmd: tokio::process::Command, args: &[&str]) -> Run {
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
    pub fn records(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
    pub fn ok(self) -> Run {
        assert_eq!(
            self.status, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

pub struct Harness {
    pub sim: SimHandle,
    data: tempfile::TempDir,
    keyring_service: String,
}

impl Harness {
    pub async fn new(otp_delay: Option<Duration>) -> Harness {
        Harness::with_config(SimConfig {
            otp_delay,
            ..SimConfig::default()
        })
        .await
    }

    pub async fn with_config(config: SimConfig) -> Harness {
        let sim = otpdesk_sim::spawn(config).await.unwrap();
        Harness {
            sim,
            data: tempfile::tempdir().unwrap(),
            keyring_service: format!("com.otpdesk.test.cli.{}", uuid::Uuid::new_v4()),
        }
    }

    pub fn control(&self) -> SimControl {
        self.sim.control()
    }

    /// `otpdesk args` against this simulator, data dir and keyring service, with no API key
    /// from the test's own environment; callers add keys, pipes or overrides.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
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

    pub async fn run_with(&self, args: &[&str], keys: bool) -> Run {
        let mut cmd = self.command(args);
        if keys {
            cmd.env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY)
                .env("OTPDESK_NUMBEROTP_KEY", DEMO_NUMBEROTP_KEY)
                .env("OTPDESK_OOPPAY_KEY", DEMO_OOPPAY_KEY);
        }
        Run::of(cmd, args).await
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, true).await
    }

    /// As another computer would: a data dir of its own, so the CLI's store does not know
    /// the orders bought there and asks the provider directly.
    pub async fn run_elsewhere(&self, args: &[&str]) -> Run {
        let other = tempfile::tempdir().unwrap();
        let mut cmd = self.command(args);
        cmd.env("OTPDESK_OTPZAP_KEY", DEMO_OTPZAP_KEY)
            .env("OTPDESK_DATA_DIR", other.path());
        Run::of(cmd, args).await
    }
}

/// `buy s1` of OTPZap's WhatsApp number in Indonesia.
pub const BUY_S1_WHATSAPP: [&str; 8] = [
    "buy",
    "s1",
    "--product",
    "814090256",
    "--country",
    "7",
    "--platform",
    "1",
];

/// `--json buy s1` of OTPZap's WhatsApp number in Indonesia, then `extra`.
pub fn buy_s1<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--json"];
    args.extend_from_slice(&BUY_S1_WHATSAPP);
    args.extend_from_slice(extra);
    args
}

pub fn field<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no string {k} in {v}"))
}
