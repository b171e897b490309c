//! `otpdesk keys set|clear|status`: API keys in the OS keyring, shared with the desktop app.
//! A key is read from standard input (never an argument, which would land in shell history).

use crate::args::Keys;
use crate::context::Context;
use crate::error::CliError;
use crate::output::Out;
use otpdesk_core::{ApiKey, ProviderId};
use otpdesk_secrets::SecretName;
use serde_json::json;
use std::io::BufRead;

fn provider(name: &str) -> Result<ProviderId, CliError> {
    name.parse()
        .map_err(|e: otpdesk_core::provider::UnknownProvider| CliError::Usage(format!("{e}.")))
}

pub fn run(ctx: &Context, out: Out, k: Keys) -> Result<(), CliError> {
    match k {
        Keys::Set { provider: p } => {
            let p = provider(&p)?;
            out.progress(&format!(
                "Paste the {} API key and press Enter:",
                p.display_name()
            ));
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(CliError::Stdin)?;
            let key =
                ApiKey::new(line).ok_or_else(|| CliError::Usage("No key was entered.".into()))?;
            // Bound to the address it will be used with (the app does the same).
            let origin = ctx.base_url(p)?.origin();
            ctx.secrets.set_api_key(p, &key, &origin)?;
            out.emit("key", json!({"provider": p.as_str(), "set": true}), || {
                format!("{} key saved in the system keyring.", p.display_name())
            });
        }
        Keys::Clear { provider: p } => {
            let p = provider(&p)?;
            ctx.secrets.clear(SecretName::api_key(p))?;
            out.emit("key", json!({"provider": p.as_str(), "set": false}), || {
                format!("{} key removed.", p.display_name())
            });
        }
        Keys::Status => {
            for p in ProviderId::ALL {
                let in_env = std::env::var(p.key_env())
                    .ok()
                    .and_then(ApiKey::new)
                    .is_some();
                let in_keyring = ctx.secrets.is_set(SecretName::api_key(p))?;
                out.emit("key", json!({"provider": p.as_str(), "set": in_env || in_keyring, "from_env": in_env}), || {
                    let state = match (in_env, in_keyring) {
                        (true, _) => format!("set (from {})", p.key_env()),
                        (false, true) => "set (keyring)".into(),
                        (false, false) => "not set".into(),
                    };
                    format!("{:<10} {state}", p.display_name())
                });
            }
        }
    }
    Ok(())
}
