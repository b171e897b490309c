//! `otpdesk-sim --port N [--otp-delay-secs S] [--numberotp-shape doc|realworld] [--cancel-confirm-delay-secs S]`: run the simulator until Ctrl-C or SIGTERM.

use clap::Parser;
use otpdesk_sim::control::types::NumberOtpShape;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "otpdesk-sim",
    about = "OTPZap / NumberOTP / OOPPay simulator with a /_sim control API"
)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seconds (simulated) until an automatic OTP arrives; without it OTPs come only via /_sim/deliver.
    #[arg(long)]
    otp_delay_secs: Option<u64>,
    /// Requests per minute per API key.
    #[arg(long, default_value_t = 300)]
    rate_limit_per_min: u32,
    /// Seconds NumberOTP /wait holds a request.
    #[arg(long, default_value_t = 55)]
    long_poll_max_secs: u64,
    /// Seed for the catalog, numbers and codes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Accept http / loopback URLs in OTPZap PATCH /webhook/update.
    #[arg(long)]
    allow_insecure_webhooks: bool,
    /// Simulated-clock speed: 1 real time, 60 a minute per second, 0 frozen.
    #[arg(long, default_value_t = 1)]
    clock_scale: u32,
    /// NumberOTP dialect: `doc` (WIRE.md's shapes) or `realworld` (what real integrations see).
    #[arg(long, default_value_t = NumberOtpShape::Doc)]
    numberotp_shape: NumberOtpShape,
    /// Asynchronous OTPZap cancels: `order/cancel` answers `refunded: false` and the order is
    /// `cancelling` until the refund lands this many (simulated) seconds later.
    #[arg(long)]
    cancel_confirm_delay_secs: Option<u64>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = otpdesk_sim::SimConfig {
        port: args.port,
        otp_delay: args.otp_delay_secs.map(Duration::from_secs),
        rate_limit_per_min: args.rate_limit_per_min,
        long_poll_max: Duration::from_secs(args.long_poll_max_secs),
        seed: args.seed,
        allow_insecure_webhooks: args.allow_insecure_webhooks,
        clock_scale: args.clock_scale.min(100_000),
        numberotp_shape: args.numberotp_shape,
        cancel_confirm_delay: args.cancel_confirm_delay_secs.map(Duration::from_secs),
    };
    // Listened to before the "listening" line: a stop sent as soon as a script reads it is
    // never missed (it would otherwise kill the process before its handler is in place).
    let stop = listen_for_stop()?;
    let sim = otpdesk_sim::spawn(config).await?;
    println!("otpdesk-sim listening on {}", sim.base_url());
    stop.await;
    sim.shutdown().await;
    Ok(())
}

/// Ctrl-C, or what scripts and process managers send: SIGTERM on Unix, Ctrl+Break on Windows
/// (`GenerateConsoleCtrlEvent` to the simulator's process group).
#[cfg(unix)]
fn listen_for_stop() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

#[cfg(windows)]
fn listen_for_stop() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::windows::{ctrl_break, ctrl_c};
    let mut c = ctrl_c()?;
    let mut brk = ctrl_break()?;
    Ok(async move {
        tokio::select! {
            _ = c.recv() => {}
            _ = brk.recv() => {}
        }
    })
}
