//! What can be bought, across providers: countries merged by name, everything for sale in one
//! country as a flat list with typed buy targets, the step-by-step lists of each provider (the
//! buy screen's source tabs and the CLI's `catalog`), and balances. Each provider's module reads
//! its own catalog; this file holds the shared shapes and the merging. Every read goes through
//! the key's rate-budget door at interactive priority.

use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::model::BuyRequest;
use otpdesk_core::{Money, ProviderId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A country as each provider names it; `None` where a provider does not sell there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CatalogCountry {
    pub name: String,
    pub iso: Option<String>,
    pub otpzap_s1: Option<String>,
    pub otpzap_s2: Option<String>,
    pub numberotp: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CatalogSource {
    OtpzapS1,
    OtpzapS2,
    Numberotp,
    /// Server 2 special services (pre-allocated numbers, no country or operator).
    OtpzapS2Special,
}

/// One thing to buy. `target` goes to `buy` as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CatalogItem {
    pub provider: ProviderId,
    pub source: CatalogSource,
    pub service: String,
    pub service_code: Option<String>,
    /// The product's own name (Server 1 price tiers), when it has one.
    pub label: Option<String>,
    pub country: String,
    pub price: Option<Money>,
    /// `None`: the provider does not say.
    pub stock: Option<i64>,
    pub target: BuyRequest,
}

/// A country or a service to pick from. `id` is what the next step takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Choice {
    pub id: String,
    pub name: String,
    pub code: Option<String>,
}

impl Choice {
    pub(crate) fn new(id: String, name: Option<String>, code: Option<String>) -> Choice {
        Choice {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EmailSiteChoice {
    pub site: String,
    pub name: Option<String>,
    pub category: Option<String>,
}

/// One email domain for a site, with what the docs promise to show before buying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EmailDomainOffer {
    pub domain: String,
    pub price: Option<Money>,
    pub stock: Option<i64>,
    /// Percent of inboxes that received their message, when the provider says.
    pub activation_rate: Option<f64>,
    /// What a cancel keeps back from the refund.
    pub cancel_fee: Option<Money>,
    /// Buy one inbox on this domain (add `domains`, `subject`, `regex` for the other options).
    pub target: BuyRequest,
}

/// An answer put together from several providers: what could be read, and who failed.
#[derive(Debug)]
pub struct Partial<T> {
    pub value: T,
    pub failures: Vec<(ProviderId, EngineError)>,
}

/// A country list of one provider's server, before merging.
pub(crate) struct CountryRow {
    pub source: CatalogSource,
    pub id: String,
    pub name: Option<String>,
    pub iso: Option<String>,
}

/// The catalog of an engine's providers (see [`crate::Engine::catalog`]).
pub struct Catalog<'a> {
    pub(crate) inner: &'a Inner,
}

impl Catalog<'_> {
    fn zap(&self) -> Result<&crate::provider::otpzap::OtpZap> {
        self.inner.gw.zap()
    }
    fn notp(&self) -> Result<&crate::provider::numberotp::NumberOtp> {
        self.inner.gw.notp()
    }

    /// Countries of every configured provider, merged by name.
    pub async fn countries(&self) -> Partial<Vec<CatalogCountry>> {
        let gw = &self.inner.gw;
        let mut rows = Vec::new();
        let mut failures = Vec::new();
        if let Some(z) = &gw.otpzap {
            for r in z.countries().await {
                match r {
                    Ok(v) => rows.extend(v),
                    Err(e) => failures.push((ProviderId::Otpzap, e)),
                }
            }
        }
        if let Some(n) = &gw.numberotp {
            match n.country_rows().await {
                Ok(v) => rows.extend(v),
                Err(e) => failures.push((ProviderId::Numberotp, e)),
            }
        }
        Partial {
            value: merge_countries(rows),
            failures,
        }
    }

    /// Everything for sale in `country`, optionally only services matching `search`, sorted by
    /// service, provider and price.
    pub async fn items(
        &self,
        country: &CatalogCountry,
        search: Option<&str>,
    ) -> Partial<Vec<CatalogItem>> {
        let gw = &self.inner.gw;
        let mut items = Vec::new();
        let mut failures = Vec::new();
        if let Some(z) = &gw.otpzap {
            for r in z.items(country).await {
                match r {
                    Ok(v) => items.extend(v),
                    Err(e) => failures.push((ProviderId::Otpzap, e)),
                }
            }
        }
        if let (Some(n), Some(id)) = (&gw.numberotp, &country.numberotp) {
            match n.items(id, &country.name).await {
                Ok(v) => items.extend(v),
                Err(e) => failures.push((ProviderId::Numberotp, e)),
            }
        }
        if let Some(q) = search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
        {
            items.retain(|i| matches_search(i, &q));
        }
        items.sort_by_cached_key(|i| {
            (
                i.service.to_lowercase(),
                i.provider,
                i.price.map(|p| p.minor),
            )
        });
        Partial {
            value: items,
            failures,
        }
    }

    /// A provider's balance: `None` where its API has none (NumberOTP, OOPPay);
    /// [`EngineError::ProviderNotConfigured`] without a key.
    pub async fn balance(&self, p: ProviderId) -> Result<Option<Money>> {
        self.inner.gw.require(p)?;
        match p {
            ProviderId::Otpzap => Ok(Some(self.zap()?.balance().await?)),
            ProviderId::Numberotp | ProviderId::Ooppay => Ok(None),
        }
    }

    pub async fn s1_countries(&self) -> Result<Vec<Choice>> {
        self.zap()?.s1_countries().await
    }

    pub async fn s1_services(&self, country_id: Option<&str>) -> Result<Vec<Choice>> {
        self.zap()?.s1_services(country_id).await
    }

    /// Server 1 products (price tiers) of one service in one country, cheapest first.
    pub async fn s1_products(
        &self,
        country_id: &str,
        platform_id: &str,
    ) -> Result<Vec<CatalogItem>> {
        self.zap()?.s1_products(country_id, platform_id).await
    }

    pub async fn s2_countries(&self) -> Result<Vec<Choice>> {
        self.zap()?.s2_countries().await
    }

    /// Operators of a Server 2 country, `random` (OTPZap picks) always first.
    pub async fn s2_operators(&self, country_id: &str) -> Result<Vec<String>> {
        self.zap()?.s2_operators(country_id).await
    }

    /// Server 2 services of a country, bought on `operator` (default `random`).
    pub async fn s2_services(
        &self,
        country_id: &str,
        operator: Option<&str>,
    ) -> Result<Vec<CatalogItem>> {
        self.zap()?.s2_services(country_id, operator).await
    }

    pub async fn s2_special(&self) -> Result<Vec<CatalogItem>> {
        self.zap()?.s2_special().await
    }

    pub async fn email_sites(&self) -> Result<Vec<EmailSiteChoice>> {
        self.zap()?.email_sites().await
    }

    pub async fn email_domains(&self, site: &str) -> Result<Vec<EmailDomainOffer>> {
        self.zap()?.email_domains(site).await
    }

    pub async fn numberotp_services(&self, country: Option<&str>) -> Result<Vec<Choice>> {
        self.notp()?.services(country).await
    }

    pub async fn numberotp_countries(&self, service: Option<&str>) -> Result<Vec<Choice>> {
        self.notp()?.countries(service).await
    }

    /// NumberOTP prices, optionally of one service and/or one country (by id or by name).
    pub async fn numberotp_prices(
        &self,
        service: Option<&str>,
        country: Option<&str>,
    ) -> Result<Vec<CatalogItem>> {
        self.notp()?.prices(service, country).await
    }
}

fn matches_search(i: &CatalogItem, q: &str) -> bool {
    let has = |s: Option<&str>| s.is_some_and(|s| s.to_lowercase().contains(q));
    has(Some(&i.service)) || has(i.service_code.as_deref()) || has(i.label.as_deref())
}

/// One row per country name (case and spaces ignored), each provider's id filled in.
fn merge_countries(rows: Vec<CountryRow>) -> Vec<CatalogCountry> {
    let mut merged: BTreeMap<String, CatalogCountry> = BTreeMap::new();
    for r in rows {
        let name = r.name.unwrap_or_else(|| r.id.clone());
        let c = merged
            .entry(name.trim().to_lowercase())
            .or_insert_with(|| CatalogCountry {
                name: name.trim().to_string(),
                iso: None,
                otpzap_s1: None,
                otpzap_s2: None,
                numberotp: None,
            });
        let slot = match r.source {
            CatalogSource::OtpzapS1 => &mut c.otpzap_s1,
            CatalogSource::OtpzapS2 | CatalogSource::OtpzapS2Special => &mut c.otpzap_s2,
            CatalogSource::Numberotp => &mut c.numberotp,
        };
        *slot = Some(r.id);
        if c.iso.is_none() {
            c.iso = r.iso;
        }
    }
    merged.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(source: CatalogSource, id: &str, name: &str) -> CountryRow {
        CountryRow {
            source,
            id: id.into(),
            name: Some(name.into()),
            iso: None,
        }
    }

    #[test]
    fn countries_merge_by_name_whatever_the_case_and_spaces() {
        let got = merge_countries(vec![
            row(CatalogSource::OtpzapS1, "7", "Indonesia"),
            row(CatalogSource::OtpzapS2, "6", " indonesia "),
            row(CatalogSource::Numberotp, "6", "INDONESIA"),
            row(CatalogSource::Numberotp, "22", "India"),
        ]);
        assert_eq!(got.len(), 2);
        let id = got.iter().find(|c| c.name == "Indonesia").unwrap();
        assert_eq!(id.otpzap_s1.as_deref(), Some("7"));
        assert_eq!(id.otpzap_s2.as_deref(), Some("6"));
        assert_eq!(id.numberotp.as_deref(), Some("6"));
        let india = got.iter().find(|c| c.name == "India").unwrap();
        assert_eq!(
            (india.otpzap_s1.as_ref(), india.numberotp.as_deref()),
            (None, Some("22"))
        );
    }
}
