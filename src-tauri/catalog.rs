//! The buy screen's data: countries merged across providers, and for one country a flat list of
//! everything that can be bought (OTPZap Server 1 products and Server 2 services, NumberOTP
//! prices), each with a typed buy target. Balances too. Only providers with a key are asked.

use crate::error::AppError;
use crate::session::Clients;
use otpdesk_core::{Money, ProviderId};
use otpdesk_engine::BuyRequest;
use otpdesk_providers::otpzap::{Product, ProductQuery};
use otpdesk_providers::{Id, NumberOtpClient, OtpZapClient};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A country as each provider names it; `null` where a provider does not sell there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CatalogCountry {
    pub name: String,
    pub iso: Option<String>,
    pub otpzap_s1: Option<String>,
    pub otpzap_s2: Option<String>,
    pub numberotp: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CatalogSource {
    OtpzapS1,
    OtpzapS2,
    Numberotp,
    /// Server 2 special services (pre-allocated numbers, no country or operator).
    OtpzapS2Special,
}

/// One thing to buy. `target` goes to `buy` as is.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct CatalogItem {
    pub provider: ProviderId,
    pub source: CatalogSource,
    pub service: String,
    pub service_code: Option<String>,
    /// The product's own name (Server 1 price tiers), when it has one.
    pub label: Option<String>,
    pub country: String,
    pub price: Option<Money>,
    /// `null`: the provider does not say.
    pub stock: Option<i64>,
    pub target: BuyRequest,
}

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

fn fail(provider: ProviderId, e: otpdesk_providers::ProviderError) -> ProviderFailure {
    ProviderFailure {
        provider,
        error: AppError::from(e).with_provider(provider),
    }
}

/// Countries of every configured provider, merged by name.
pub async fn countries(clients: &Clients) -> Countries {
    let mut merged: BTreeMap<String, CatalogCountry> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut put = Vec::new();
    if let Some(c) = &clients.otpzap {
        let (s1, s2) = tokio::join!(
            clients.read(ProviderId::Otpzap, c.countries()),
            clients.read(ProviderId::Otpzap, c.s2_countries())
        );
        match s1 {
            Ok(list) => put.extend(list.into_iter().map(|c| (0, c.name, c.id.0, None))),
            Err(e) => failures.push(fail(ProviderId::Otpzap, e)),
        }
        match s2 {
            Ok(list) => put.extend(list.into_iter().map(|c| (1, c.name, c.id.0, None))),
            Err(e) => failures.push(fail(ProviderId::Otpzap, e)),
        }
    }
    if let Some(c) = &clients.numberotp {
        match clients.read(ProviderId::Numberotp, c.countries(None)).await {
            Ok(list) => put.extend(list.into_iter().map(|c| (2, c.name, c.id.0, c.iso))),
            Err(e) => failures.push(fail(ProviderId::Numberotp, e)),
        }
    }
    for (source, name, id, iso) in put {
        let name = name.unwrap_or_else(|| id.clone());
        let c = merged
            .entry(name.trim().to_lowercase())
            .or_insert_with(|| CatalogCountry {
                name: name.trim().to_string(),
                iso: None,
                otpzap_s1: None,
                otpzap_s2: None,
                numberotp: None,
            });
        match source {
            0 => c.otpzap_s1 = Some(id),
            1 => c.otpzap_s2 = Some(id),
            _ => c.numberotp = Some(id),
        }
        if c.iso.is_none() {
            c.iso = iso;
        }
    }
    Countries {
        countries: merged.into_values().collect(),
        failures,
    }
}

/// Everything for sale in `country`, optionally only services matching `search`.
pub async fn items(
    clients: &Clients,
    country: &CatalogCountry,
    search: Option<&str>,
) -> CatalogItems {
    let mut items = Vec::new();
    let mut failures = Vec::new();
    if let Some(c) = &clients.otpzap {
        if let Some(id) = &country.otpzap_s1 {
            match s1_items(clients, c, id, &country.name).await {
                Ok(v) => items.extend(v),
                Err(e) => failures.push(fail(ProviderId::Otpzap, e)),
            }
        }
        if let Some(id) = &country.otpzap_s2 {
            match s2_items(clients, c, id, &country.name).await {
                Ok(v) => items.extend(v),
                Err(e) => failures.push(fail(ProviderId::Otpzap, e)),
            }
        }
    }
    if let (Some(c), Some(id)) = (&clients.numberotp, &country.numberotp) {
        match numberotp_items(clients, c, id, &country.name).await {
            Ok(v) => items.extend(v),
            Err(e) => failures.push(fail(ProviderId::Numberotp, e)),
        }
    }
    if let Some(q) = search
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
    {
        items.retain(|i| {
            i.service.to_lowercase().contains(&q)
                || i.service_code
                    .as_deref()
                    .is_some_and(|c| c.to_lowercase().contains(&q))
                || i.label
                    .as_deref()
                    .is_some_and(|l| l.to_lowercase().contains(&q))
        });
    }
    items.sort_by(|a, b| {
        (
            a.service.to_lowercase(),
            a.provider,
            a.price.map(|p| p.minor),
        )
            .cmp(&(
                b.service.to_lowercase(),
                b.provider,
                b.price.map(|p| p.minor),
            ))
    });
    CatalogItems { items, failures }
}

/// OTPZap ids are integers on the wire; anything else cannot be bought through the engine.
fn int(id: &str) -> Option<i64> {
    id.trim().parse().ok()
}

/// Pages of `/products` we read at most, and products per page (the most OTPZap allows).
const MAX_PAGES: u32 = 20;
const PAGE_SIZE: u32 = 100;

/// Every Server 1 product matching `query` (its `page` and `limit` are set here), page by page
/// up to `MAX_PAGES`, each page a token from the key's rate budget.
pub(crate) async fn s1_product_pages(
    clients: &Clients,
    c: &OtpZapClient,
    query: ProductQuery,
) -> Result<Vec<Product>, otpdesk_providers::ProviderError> {
    let mut out = Vec::new();
    for page in 1..=MAX_PAGES {
        let q = ProductQuery {
            page: Some(page),
            limit: Some(PAGE_SIZE),
            ..query.clone()
        };
        let got = clients.read(ProviderId::Otpzap, c.products(&q)).await?;
        let (n, total) = (got.products.len(), got.pagination.and_then(|p| p.total));
        out.extend(got.products);
        if n < PAGE_SIZE as usize || total.is_some_and(|t| t > 0 && out.len() as i64 >= t) {
            break;
        }
    }
    Ok(out)
}

async fn s1_items(
    clients: &Clients,
    c: &OtpZapClient,
    country_id: &str,
    country: &str,
) -> Result<Vec<CatalogItem>, otpdesk_providers::ProviderError> {
    let Some(cid) = int(country_id) else {
        return Ok(Vec::new());
    };
    let cid_ref = Id::new(country_id);
    let services: HashMap<String, (Option<String>, Option<String>)> = clients
        .read(ProviderId::Otpzap, c.services(Some(&cid_ref)))
        .await?
        .into_iter()
        .map(|s| (s.id.0, (s.name, s.code)))
        .collect();
    let query = ProductQuery {
        country_id: Some(cid_ref),
        ..ProductQuery::default()
    };
    let mut out = Vec::new();
    for p in s1_product_pages(clients, c, query).await? {
        // Products name their platform in `platform_id` (WIRE.md); without it the engine
        // cannot buy them.
        let platform = p.extra.get("platform_id").and_then(|v| match v {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => int(s),
            _ => None,
        });
        let (Some(product_id), Some(platform_id)) = (int(&p.id.0), platform) else {
            continue;
        };
        let (name, code) = services
            .get(&platform_id.to_string())
            .cloned()
            .unwrap_or((None, None));
        out.push(CatalogItem {
            provider: ProviderId::Otpzap,
            source: CatalogSource::OtpzapS1,
            service: name
                .or_else(|| p.name.clone())
                .unwrap_or_else(|| format!("#{platform_id}")),
            service_code: code,
            label: p.name,
            country: country.to_string(),
            price: p.price,
            stock: p.stock,
            target: BuyRequest::OtpzapS1 {
                product_id,
                country_id: cid,
                platform_id,
            },
        });
    }
    Ok(out)
}

async fn s2_items(
    clients: &Clients,
    c: &OtpZapClient,
    country_id: &str,
    country: &str,
) -> Result<Vec<CatalogItem>, otpdesk_providers::ProviderError> {
    let Some(cid) = int(country_id) else {
        return Ok(Vec::new());
    };
    let id = Id::new(country_id);
    let services = clients.read(ProviderId::Otpzap, c.s2_services(&id)).await?;
    Ok(services
        .into_iter()
        .filter_map(|s| {
            let service_id = int(&s.service_id.0)?;
            Some(CatalogItem {
                provider: ProviderId::Otpzap,
                source: CatalogSource::OtpzapS2,
                service: s.service_name.unwrap_or_else(|| format!("#{service_id}")),
                service_code: None,
                label: None,
                country: country.to_string(),
                price: s.price,
                stock: None,
                // OTPZap picks the operator.
                target: BuyRequest::OtpzapS2 {
                    service_id,
                    country_id: cid,
                    operator_id: "random".to_string(),
                },
            })
        })
        .collect())
}

async fn numberotp_items(
    clients: &Clients,
    c: &NumberOtpClient,
    country_id: &str,
    country: &str,
) -> Result<Vec<CatalogItem>, otpdesk_providers::ProviderError> {
    let (prices, services) = tokio::join!(
        clients.read(ProviderId::Numberotp, c.prices()),
        clients.read(ProviderId::Numberotp, c.services(Some(country_id)))
    );
    let names: HashMap<String, Option<String>> = services
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect();
    Ok(prices?
        .into_iter()
        .filter(|p| p.country.0 == country_id)
        .map(|p| CatalogItem {
            provider: ProviderId::Numberotp,
            source: CatalogSource::Numberotp,
            service: names
                .get(&p.service)
                .cloned()
                .flatten()
                .unwrap_or_else(|| p.service.clone()),
            service_code: Some(p.service.clone()),
            label: None,
            country: country.to_string(),
            price: p.price,
            stock: p.available,
            target: BuyRequest::Numberotp {
                service: p.service,
                country: country_id.to_string(),
            },
        })
        .collect())
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

pub async fn balances(clients: &Clients) -> Vec<ProviderBalance> {
    let mut out = Vec::new();
    for provider in ProviderId::ALL {
        let balance = match (provider, &clients.otpzap) {
            _ if !clients.has(provider) => BalanceState::NoKey,
            (ProviderId::Otpzap, Some(c)) => match clients.read(provider, c.balance()).await {
                Ok(b) => BalanceState::Ok { amount: b.balance },
                Err(e) => BalanceState::Error {
                    error: AppError::from(e).with_provider(provider),
                },
            },
            _ => BalanceState::NotAvailable,
        };
        out.push(ProviderBalance {
            provider,
            balance,
            low: false,
        });
    }
    out
}
