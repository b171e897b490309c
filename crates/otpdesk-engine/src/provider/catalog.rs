//! The catalog of an engine's providers, put together: countries merged across providers,
//! everything for sale in one country, the step-by-step lists of each provider (the buy screen's
//! source tabs and the CLI's `catalog`), and balances. Every read goes through the key's
//! rate-budget door at interactive priority; each provider's module does its own reading.

use super::Gateway;
use crate::catalog::{
    matches_search, merge_countries, CatalogCountry, CatalogItem, Choice, EmailDomainOffer,
    EmailSiteChoice, Partial,
};
use crate::error::Result;
use otpdesk_core::{Money, ProviderId};

/// The catalog of an engine's providers (see [`crate::Engine::catalog`]).
pub struct Catalog<'a> {
    pub(crate) gw: &'a Gateway,
}

impl Catalog<'_> {
    fn zap(&self) -> Result<&crate::provider::otpzap::OtpZap> {
        self.gw.zap()
    }
    fn notp(&self) -> Result<&crate::provider::numberotp::NumberOtp> {
        self.gw.notp()
    }

    /// Countries of every configured provider, merged by name.
    pub async fn countries(&self) -> Partial<Vec<CatalogCountry>> {
        let gw = &self.gw;
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
        let gw = &self.gw;
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
        self.gw.require(p)?;
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
