//! Demo mode: the provider simulator runs inside the app on loopback, every provider points at
//! it with the simulator's demo keys, and the engine keeps its data in `demo/` under the data
//! directory. Nothing here reads or writes the keyring or reaches a real provider.

use crate::error::{AppError, AppResult};
use crate::session::Endpoint;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_sim::{SimConfig, SimHandle};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Codes arrive by themselves this long after a purchase, like a real SMS would.
pub const OTP_DELAY: Duration = Duration::from_secs(8);

/// The demo's own data directory. Wiped at each start: the simulator forgets everything when
/// it stops, so old demo orders could never be tracked again.
pub fn data_dir(root: &Path) -> PathBuf {
    root.join("demo")
}

pub fn reset_data(root: &Path) -> AppResult<PathBuf> {
    let dir = data_dir(root);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(AppError::internal(format!(
                "Cannot reset the demo data: {e}"
            )))
        }
    }
    Ok(dir)
}

/// Start the simulator on a free loopback port.
pub async fn start_simulator() -> AppResult<SimHandle> {
    otpdesk_sim::spawn(SimConfig {
        otp_delay: Some(OTP_DELAY),
        ..SimConfig::default()
    })
    .await
    .map_err(|e| AppError::internal(format!("The demo could not start: {e}")))
}

/// Every provider at the simulator, with its demo account's key.
pub fn endpoints(sim: &SimHandle) -> Vec<Endpoint> {
    let demo = |provider, base_url, key: &str| Endpoint {
        provider,
        base_url,
        key: ApiKey::new(key).expect("demo keys are not empty"),
    };
    vec![
        demo(
            ProviderId::Otpzap,
            sim.otpzap_url(),
            otpdesk_sim::DEMO_OTPZAP_KEY,
        ),
        demo(
            ProviderId::Numberotp,
            sim.numberotp_url(),
            otpdesk_sim::DEMO_NUMBEROTP_KEY,
        ),
        demo(
            ProviderId::Ooppay,
            sim.ooppay_url(),
            otpdesk_sim::DEMO_OOPPAY_KEY,
        ),
    ]
}
