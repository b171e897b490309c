//! The buy screen's answers as the window receives them: the engine's catalog (see
//! `otpdesk_engine::catalog`) with each failed provider's error in the UI's words, and balances.
//! Shapes only; every read is the engine's.

use crate::error::AppError;
use otpdesk_core::{Money, ProviderId};
use otpdesk_engine::{CatalogCountry, CatalogItem, Engine, EngineError, Partial};
use serde::Serialize;

/// A provider whose part of the answer failed; the rest is still shown.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ProviderFailure {
    pub provider: ProviderId,
    pub error: AppError,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Countries {
    pub countries: Vec<CatalogCountry>,
    pub failures: Vec<ProviderFailure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct CatalogItems {
    pub items: Vec<CatalogItem>,
    pub failures: Vec<ProviderFailure>,
}

/// `e` in the UI's words, naming its provider.
pub fn provider_error(provider: ProviderId, e: EngineError) -> AppError {
    AppError::from(e).with_provider(provider)
}

fn failures(f: Vec<(ProviderId, EngineError)>) -> Vec<ProviderFailure> {
    f.into_iter()
        .map(|(provider, e)| ProviderFailure {
            provider,
            error: provider_error(provider, e),
        })
        .collect()
}

impl From<Partial<Vec<CatalogCountry>>> for Countries {
    fn from(p: Partial<Vec<CatalogCountry>>) -> Countries {
        Countries {
            countries: p.value,
            failures: failures(p.failures),
        }
    }
}

impl From<Partial<Vec<CatalogItem>>> for CatalogItems {
    fn from(p: Partial<Vec<CatalogItem>>) -> CatalogItems {
        CatalogItems {
            items: p.value,
            failures: failures(p.failures),
        }
    }
}

/// A provider's balance, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BalanceState {
    Ok {
        amount: Money,
    },
    /// The provider's API has no balance call (NumberOTP, OOPPay).
    NotAvailable,
    NoKey,
    /// Team mode: the provider is sold through the team; its balance is the owner's to see.
    OwnerOnly,
    Error {
        error: AppError,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ProviderBalance {
    pub provider: ProviderId,
    pub balance: BalanceState,
    /// Below the user's low-balance threshold (show the banner).
    pub low: bool,
}

/// Every provider's balance as the engine reads it.
pub async fn balances(engine: &Engine) -> Vec<ProviderBalance> {
    let mut out = Vec::new();
    let through_team: Vec<ProviderId> = engine
        .selling_providers()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| engine.base_url(*p).is_none())
        .collect();
    for provider in ProviderId::ALL {
        let balance = match engine.catalog().balance(provider).await {
            Ok(Some(amount)) => BalanceState::Ok { amount },
            Ok(None) => BalanceState::NotAvailable,
            Err(EngineError::ProviderNotConfigured(_)) if through_team.contains(&provider) => {
                BalanceState::OwnerOnly
            }
            Err(EngineError::ProviderNotConfigured(_)) => BalanceState::NoKey,
            Err(e) => BalanceState::Error {
                error: provider_error(provider, e),
            },
        };
        out.push(ProviderBalance {
            provider,
            balance,
            low: false,
        });
    }
    out
}
