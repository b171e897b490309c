//! `otpdesk-sim`: an in-memory simulator of the OTPZap, NumberOTP and OOPPay APIs on one port,
//! following the provider docs and `docs/WIRE.md`, plus a control API (`/_sim`, see [`control`])
//! to drive it from tests: deliver OTPs, pay deposits, move the clock, inject faults.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = otpdesk_sim::spawn(otpdesk_sim::SimConfig::default()).await?;
//! let base = sim.otpzap_url(); // http://127.0.0.1:PORT/otpzap/api/v1
//! let control = sim.control();
//! # let _ = (base, control);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod catalog;
pub mod clock;
pub mod control;
pub mod error;
mod fault_replies;
mod faults;
mod http;
mod idempotency;
pub mod ledger;
mod middleware;
mod numberotp;
mod ooppay;
mod otpzap;
mod rate_limit;
mod request_log;
mod rng;
mod server;
mod state;
mod texts;
pub mod webhooks;

pub use control::SimControl;
pub use error::SimError;
pub use ledger::key_fingerprint;
pub use server::{spawn, SimHandle};

use std::time::Duration;

/// Demo OTPZap account, Rp 250.000.
pub const DEMO_OTPZAP_KEY: &str = "ozk_demo_4f7c2a9e1b6d3f8a0c5e7b2d9f1a4c6e";
/// Demo NumberOTP account, USD 10.00 (format as in the docs' example).
pub const DEMO_NUMBEROTP_KEY: &str = "notp_1234567890abcdef";
/// Demo OOPPay merchant (`mk_MERCHANT_` + 32 characters), USDT 0 (it receives payments).
pub const DEMO_OOPPAY_KEY: &str = "mk_MERCHANT_demo7Kx2Lm9Vd4Rt8Kp3Zs6Nh1Bw5Cy0";
/// Secret OOPPay signs webhooks with until the control API sets another.
pub const DEMO_OOPPAY_WEBHOOK_SECRET: &str = "whsec_ooppay_demo_5b1f9c3e7a2d4068";

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Simulated delay from purchase (or resend / reorder) to an automatic OTP; `None` = OTPs
    /// arrive only through the control API.
    pub otp_delay: Option<Duration>,
    pub rate_limit_per_min: u32,
    /// How long NumberOTP `/wait` holds a request (real time).
    pub long_poll_max: Duration,
    /// Seed of the catalog, phone numbers, codes and fault probabilities.
    pub seed: u64,
    /// Let OTPZap `PATCH /webhook/update` accept http and loopback URLs (tests).
    pub allow_insecure_webhooks: bool,
    /// Initial speed of the simulated clock (1 = real time, 0 = frozen, 60 = a minute a second).
    pub clock_scale: u32,
    /// The NumberOTP dialect at start (and after a reset).
    pub numberotp_shape: control::types::NumberOtpShape,
    /// Asynchronous cancels from the start (simulated time): `order/cancel` answers
    /// `refunded: false` and the refund lands this long after (`None` = at once, the default).
    pub cancel_confirm_delay: Option<Duration>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            otp_delay: None,
            rate_limit_per_min: 300,
            long_poll_max: Duration::from_secs(55),
            seed: 42,
            allow_insecure_webhooks: false,
            clock_scale: 1,
            numberotp_shape: control::types::NumberOtpShape::Doc,
            cancel_confirm_delay: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_keys_have_documented_shapes() {
        let merchant = DEMO_OOPPAY_KEY.strip_prefix("mk_MERCHANT_").unwrap();
        assert_eq!(merchant.len(), 32);
        assert!(DEMO_NUMBEROTP_KEY.starts_with("notp_"));
    }
}
