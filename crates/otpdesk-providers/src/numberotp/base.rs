//! Which host answers NumberOTP's API. The docs give `https://numberotp.com/v1`; every real
//! integration calls `https://api.numberotp.com/v1`. A key-less public read probes the documented
//! host first and, when it does not answer with JSON (an HTML page, a refused connection), the
//! fallback; the answer is remembered for every clone. The API key only ever goes to the host in
//! use, and a paid call is never retried on the other host.

use crate::error::ProviderError;
use crate::http::{Envelope, HttpOptions, Transport};
use otpdesk_core::ApiKey;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The key-less read used as the probe (documented as public).
const PROBE_PATH: &str = "/public/services";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Primary,
    Fallback,
}

#[derive(Debug, Clone)]
pub(super) struct Hosts {
    primary: Transport,
    fallback: Option<Transport>,
    /// Set by the first successful probe; shared by clones.
    chosen: Arc<OnceCell<Which>>,
}

impl Hosts {
    pub fn new(
        base_url: &str,
        fallback: Option<&str>,
        key: ApiKey,
        options: HttpOptions,
    ) -> Result<Hosts, ProviderError> {
        let primary = Transport::new(base_url, key.clone(), options.clone(), Envelope::Bare)?;
        let fallback = fallback
            .map(|f| Transport::new(f, key, options, Envelope::Bare))
            .transpose()?
            .filter(|f| f.base_url() != primary.base_url());
        Ok(Hosts {
            primary,
            fallback,
            chosen: Arc::new(OnceCell::new()),
        })
    }

    /// The host in use now (the documented one until a probe chose the fallback).
    pub fn current(&self) -> &Transport {
        match (self.chosen.get(), &self.fallback) {
            (Some(Which::Fallback), Some(f)) => f,
            _ => &self.primary,
        }
    }

    /// The host to send a call to: resolved first when there is a choice and no probe has
    /// succeeded yet. If the probe finds no host, the documented one is used (and the call
    /// reports what is wrong with it).
    pub async fn usable(&self) -> &Transport {
        if self.fallback.is_some() && self.chosen.get().is_none() {
            if let Err(e) = self.resolve().await {
                tracing::debug!(error = %e, "NumberOTP host probe found no API");
            }
        }
        self.current()
    }

    /// Probe once (concurrent callers wait for the same probe); a failed probe is not
    /// remembered, so the next call probes again.
    pub async fn resolve(&self) -> Result<&Transport, ProviderError> {
        let Some(fallback) = &self.fallback else {
            return Ok(&self.primary);
        };
        self.chosen
            .get_or_try_init(|| async {
                if self.primary.answers_json(PROBE_PATH).await {
                    return Ok(Which::Primary);
                }
                if fallback.answers_json(PROBE_PATH).await {
                    tracing::info!(
                        documented = self.primary.base_url(),
                        fallback = fallback.base_url(),
                        "NumberOTP's documented host does not answer with JSON; using the fallback"
                    );
                    return Ok(Which::Fallback);
                }
                Err(ProviderError::Network {
                    endpoint: format!("GET {PROBE_PATH}"),
                    reason: format!(
                        "neither {} nor {} answered with JSON",
                        self.primary.base_url(),
                        fallback.base_url()
                    ),
                })
            })
            .await?;
        Ok(self.current())
    }
}
