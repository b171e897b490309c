//! Team mode's reads: a desktop without a provider's key (an operator's) sees what the team
//! sells and at what price through the desktop that holds the key. A read (one catalog call or a
//! quote, [`ReadCall`]) is written as a `read` request; the holder of the provider's tracking
//! lease answers it through its ordinary catalog code (the key's rate budget, interactive
//! priority) and stores the answer's JSON; the asker takes it and deletes the request.
//!
//! Reads cost nothing, so unlike purchases: no attempt row, asking again is harmless, a read
//! nobody picks up within `TrackingConfig::read_wait` (12 s) fails with
//! [`EngineError::NoKeyHolder`] (code `team_no_key_holder`) — at once when no desktop holds the
//! provider's lease now — and the request is deleted whatever happened (the holder prunes reads
//! whose asker vanished). Offline: `team_offline` at once, as for purchases.

use super::{note, relayed};
use crate::catalog::{CatalogCountry, CatalogItem, CountryRow};
use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::BuyRequest;
use crate::provider::catalog as local;
use crate::provider::Quote;
use crate::store::{RequestKind, RequestState, RequestView, Settle};
use otpdesk_core::{ErrorCode, ProviderId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Once picked up, a read is waited for at most this long more (a provider's read timeout).
const ANSWER_WAIT: Duration = Duration::from_secs(30);

/// Reads older than this are deleted by the key holder (their asker stopped waiting long ago).
pub(super) const KEEP_READS: Duration = Duration::from_secs(120);

/// Which catalog call a read asks for, and its arguments.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub(crate) enum ReadCall {
    /// The provider's country rows (every server of it), each server's failure apart.
    CountryRows,
    /// Everything the provider sells in a country (no search: the asker filters).
    Items {
        country: CatalogCountry,
    },
    Quote {
        req: BuyRequest,
    },
    S1Countries,
    S1Services {
        country_id: Option<String>,
    },
    S1Products {
        country_id: String,
        platform_id: String,
    },
    S2Countries,
    S2Operators {
        country_id: String,
    },
    S2Services {
        country_id: String,
        operator: Option<String>,
    },
    S2Special,
    EmailSites,
    EmailDomains {
        site: String,
    },
    NumberotpServices {
        country: Option<String>,
    },
    NumberotpCountries {
        service: Option<String>,
    },
    NumberotpPrices {
        service: Option<String>,
        country: Option<String>,
    },
}

/// A server's or part's failure inside an answer that still has the rest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

impl Failure {
    fn of(e: &EngineError) -> Failure {
        Failure {
            code: e.code(),
            message: e.to_string(),
        }
    }

    pub fn into_error(self) -> EngineError {
        EngineError::Relayed {
            code: self.code,
            message: self.message,
        }
    }
}

/// The answer to [`ReadCall::CountryRows`] and [`ReadCall::Items`]: what could be read.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Parts<T> {
    pub value: Vec<T>,
    pub failures: Vec<Failure>,
}

impl<T> Parts<T> {
    pub fn errors(self) -> (Vec<T>, Vec<EngineError>) {
        let errs = self.failures.into_iter().map(Failure::into_error).collect();
        (self.value, errs)
    }
}

/// Whether the team can sell `provider` through a key holder: its tracking lease has been taken
/// on this team store (only a desktop with the key takes it). `Some(live)`: whether one holds it
/// now. `None`: not through the team (outside a team, or no desktop with the key ever opened).
/// While the server cannot be read, what was seen last (held by nobody reachable).
pub(crate) fn team_sells(inner: &Inner, provider: ProviderId) -> Option<bool> {
    inner.team.as_ref()?;
    let leased = inner.coord.leased_providers();
    let mut seen = inner
        .team_sells_seen
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    match leased {
        Ok(leased) => {
            *seen = leased.iter().map(|x| x.0).collect();
            leased
                .into_iter()
                .find(|(p, _)| *p == provider)
                .map(|x| x.1)
        }
        Err(e) => {
            note(inner, &e);
            seen.contains(&provider).then_some(false)
        }
    }
}

/// Ask the key holder of `provider` for `call`; its answer, as the holder's own code returned it.
pub(crate) async fn ask<T: DeserializeOwned>(
    inner: &Arc<Inner>,
    provider: ProviderId,
    call: ReadCall,
) -> Result<T> {
    inner.require_online()?;
    if inner.is_closing() {
        return Err(EngineError::Shutdown);
    }
    let sells = team_sells(inner, provider);
    // The server lost just now: said as such.
    inner.require_online()?;
    match sells {
        None => return Err(EngineError::ProviderNotConfigured(provider)),
        // Nobody holds the key now: said at once rather than after the wait.
        Some(false) => return Err(EngineError::NoKeyHolder { provider }),
        Some(true) => {}
    }
    let login = inner
        .me
        .as_ref()
        .map(|m| m.login.clone())
        .unwrap_or_default();
    let body = serde_json::to_value(&call).expect("a read serialises");
    let mut rx = inner.events.subscribe();
    let r = inner
        .store
        .insert_request(
            RequestKind::Read,
            provider,
            &body,
            &login,
            None,
            inner.now(),
        )
        .inspect_err(|e| note(inner, e))?;
    inner.emit(EngineEvent::RequestChanged {
        request: Box::new(r.clone()),
    });
    let res = wait(inner, &r, &mut rx).await;
    // Asked once, answered once: the request goes whatever came of it.
    if let Err(e) = inner.store.delete_read(&r.id) {
        tracing::debug!("could not delete a team read: {e}");
    }
    let json = res?;
    serde_json::from_str(&json)
        .map_err(|e| EngineError::Invalid(format!("The key holder's answer cannot be read: {e}")))
}

/// Wait for a read's answer: up to `read_wait` to be picked up, then [`ANSWER_WAIT`] more.
async fn wait(
    inner: &Arc<Inner>,
    r: &RequestView,
    rx: &mut broadcast::Receiver<EngineEvent>,
) -> Result<String> {
    let start = Instant::now();
    let mut taken_at: Option<Instant> = None;
    loop {
        match inner.store.read_state(&r.id) {
            Ok(Some(s)) => match s.state {
                RequestState::Done => {
                    return s.result.ok_or_else(|| {
                        EngineError::Invalid("The key holder's answer is empty.".into())
                    })
                }
                RequestState::Failed => {
                    return Err(s.failed.as_ref().map(relayed).unwrap_or(
                        EngineError::NoKeyHolder {
                            provider: r.provider,
                        },
                    ))
                }
                RequestState::Taken => {
                    taken_at.get_or_insert_with(Instant::now);
                }
                RequestState::Pending | RequestState::Withdrawn => {}
            },
            Ok(None) => {
                return Err(EngineError::NoKeyHolder {
                    provider: r.provider,
                })
            }
            Err(e) => note(inner, &e),
        }
        let deadline = match taken_at {
            Some(t) => t + ANSWER_WAIT,
            None => start + inner.tracking.read_wait,
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(EngineError::NoKeyHolder {
                provider: r.provider,
            });
        }
        super::news_of(inner, rx, &r.id, deadline - now).await?;
    }
}

/// The key holder's side: answer a taken read through this desktop's own catalog code.
pub(super) async fn answer(inner: &Arc<Inner>, r: RequestView) {
    let res = match serde_json::from_value::<ReadCall>(r.body.clone()) {
        Ok(call) => carry_out(inner, r.provider, call).await,
        Err(e) => Err(EngineError::Invalid(format!(
            "The read cannot be understood: {e}"
        ))),
    };
    let done = match res {
        Ok(json) => inner.store.answer_read(&r.id, &json, inner.now()),
        Err(e) => {
            let message = e.to_string();
            let how = Settle::Failed {
                code: e.code(),
                message: &message,
                attempt_id: None,
                unlocks_at: None,
            };
            inner.store.settle_request(&r.id, how, inner.now())
        }
    };
    match done {
        Ok(Some(r)) => inner.emit(EngineEvent::RequestChanged {
            request: Box::new(r),
        }),
        // The asker gave up and deleted it.
        Ok(None) => {}
        Err(e) => {
            note(inner, &e);
            tracing::debug!("could not store a team read's answer: {e}");
        }
    }
}

fn json<T: Serialize>(v: Result<T>) -> Result<String> {
    v.map(|v| serde_json::to_string(&v).expect("a catalog answer serialises"))
}

fn parts<T: Serialize>((value, errs): (Vec<T>, Vec<EngineError>)) -> Result<String> {
    json(Ok(Parts {
        value,
        failures: errs.iter().map(Failure::of).collect(),
    }))
}

async fn carry_out(inner: &Arc<Inner>, provider: ProviderId, call: ReadCall) -> Result<String> {
    let gw = &inner.gw;
    gw.require(provider)?;
    let zap = || gw.zap();
    let notp = || gw.notp();
    match call {
        ReadCall::CountryRows => parts::<CountryRow>(local::country_rows(gw, provider).await),
        ReadCall::Items { country } => {
            parts::<CatalogItem>(local::items(gw, provider, &country).await)
        }
        ReadCall::Quote { req } if req.provider() == provider => {
            json::<Quote>(gw.quote(&req).await)
        }
        ReadCall::Quote { .. } => Err(EngineError::Invalid("A quote of another provider.".into())),
        ReadCall::S1Countries => json(zap()?.s1_countries().await),
        ReadCall::S1Services { country_id } => {
            json(zap()?.s1_services(country_id.as_deref()).await)
        }
        ReadCall::S1Products {
            country_id,
            platform_id,
        } => json(zap()?.s1_products(&country_id, &platform_id).await),
        ReadCall::S2Countries => json(zap()?.s2_countries().await),
        ReadCall::S2Operators { country_id } => json(zap()?.s2_operators(&country_id).await),
        ReadCall::S2Services {
            country_id,
            operator,
        } => json(zap()?.s2_services(&country_id, operator.as_deref()).await),
        ReadCall::S2Special => json(zap()?.s2_special().await),
        ReadCall::EmailSites => json(zap()?.email_sites().await),
        ReadCall::EmailDomains { site } => json(zap()?.email_domains(&site).await),
        ReadCall::NumberotpServices { country } => json(notp()?.services(country.as_deref()).await),
        ReadCall::NumberotpCountries { service } => {
            json(notp()?.countries(service.as_deref()).await)
        }
        ReadCall::NumberotpPrices { service, country } => {
            json(notp()?.prices(service.as_deref(), country.as_deref()).await)
        }
    }
}

/// The fresh quote of `req`: here with the key, else through the key holder (team mode).
pub(crate) async fn quote(inner: &Arc<Inner>, req: &BuyRequest) -> Result<Quote> {
    let p = req.provider();
    if super::asks_holder(inner, p) && p != ProviderId::Ooppay {
        return ask(inner, p, ReadCall::Quote { req: req.clone() }).await;
    }
    inner.gw.quote(req).await
}
