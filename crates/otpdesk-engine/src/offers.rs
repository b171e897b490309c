//! The catalog of an engine's providers, put together: countries merged across providers,
//! everything for sale in one country, the step-by-step lists of each provider (the buy screen's
//! source tabs and the CLI's `catalog`), and balances. Every read goes through the key's
//! rate-budget door at interactive priority; each provider's module does its own reading
//! ([`crate::provider::catalog`]). Team mode: a provider whose key is not on this desktop but that the team sells
//! (see `requests::read::team_sells`) is read through its key holder, failures still per provider.

use crate::catalog::{
    matches_search, merge_countries, CatalogCountry, CatalogItem, Choice, CountryRow,
    EmailDomainOffer, EmailSiteChoice, Partial,
};
use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::requests::read::{self, Parts, ReadCall};
use otpdesk_core::{Money, ProviderId};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The providers that sell numbers, in the order their lists are put together.
const SELLERS: [ProviderId; 2] = [ProviderId::Otpzap, ProviderId::Numberotp];

/// Where a provider's catalog is read.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    /// With its key on this desktop.
    Here,
    /// Through the team's key holder.
    Team,
}

/// The catalog of an engine's providers (see [`crate::Engine::catalog`]).
pub struct Catalog<'a> {
    pub(crate) inner: &'a Arc<Inner>,
}

impl Catalog<'_> {
    fn zap(&self) -> Result<&crate::provider::otpzap::OtpZap> {
        self.inner.gw.zap()
    }
    fn notp(&self) -> Result<&crate::provider::numberotp::NumberOtp> {
        self.inner.gw.notp()
    }

    fn source(&self, p: ProviderId) -> Option<Source> {
        if self.inner.gw.configured(p) {
            Some(Source::Here)
        } else if read::team_sells(self.inner, p).is_some() {
            Some(Source::Team)
        } else {
            None
        }
    }

    /// Whether `p`'s calls go to the team's key holder (no key here, team mode).
    fn via_team(&self, p: ProviderId) -> bool {
        crate::requests::asks_holder(self.inner, p)
    }

    async fn ask<T: DeserializeOwned>(&self, p: ProviderId, call: ReadCall) -> Result<T> {
        read::ask(self.inner, p, call).await
    }

    /// One provider's part of a put-together answer, read through the team's key holder.
    async fn team_parts<T: DeserializeOwned>(
        &self,
        p: ProviderId,
        call: ReadCall,
    ) -> (Vec<T>, Vec<EngineError>) {
        match self.ask::<Parts<T>>(p, call).await {
            Ok(a) => a.errors(),
            Err(e) => (Vec::new(), vec![e]),
        }
    }

    /// Countries of every provider this desktop (or its team) sells, merged by name.
    pub async fn countries(&self) -> Partial<Vec<CatalogCountry>> {
        let mut rows = Vec::new();
        let mut failures = Vec::new();
        for p in SELLERS {
            let (r, errs) = match self.source(p) {
                Some(Source::Here) => {
                    crate::provider::catalog::country_rows(&self.inner.gw, p).await
                }
                Some(Source::Team) => {
                    self.team_parts::<CountryRow>(p, ReadCall::CountryRows)
                        .await
                }
                None => continue,
            };
            rows.extend(r);
            failures.extend(errs.into_iter().map(|e| (p, e)));
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
        let mut items = Vec::new();
        let mut failures = Vec::new();
        for p in SELLERS {
            let (v, errs) = match self.source(p) {
                Some(Source::Here) => {
                    crate::provider::catalog::items(&self.inner.gw, p, country).await
                }
                Some(Source::Team) if crate::provider::catalog::sells_in(p, country) => {
                    let call = ReadCall::Items {
                        country: country.clone(),
                    };
                    self.team_parts::<CatalogItem>(p, call).await
                }
                _ => continue,
            };
            items.extend(v);
            failures.extend(errs.into_iter().map(|e| (p, e)));
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
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::S1Countries;
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.s1_countries().await
    }

    pub async fn s1_services(&self, country_id: Option<&str>) -> Result<Vec<Choice>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::S1Services {
                country_id: country_id.map(str::to_string),
            };
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.s1_services(country_id).await
    }

    /// Server 1 products (price tiers) of one service in one country, cheapest first.
    pub async fn s1_products(
        &self,
        country_id: &str,
        platform_id: &str,
    ) -> Result<Vec<CatalogItem>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::S1Products {
                country_id: country_id.into(),
                platform_id: platform_id.into(),
            };
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.s1_products(country_id, platform_id).await
    }

    pub async fn s2_countries(&self) -> Result<Vec<Choice>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::S2Countries;
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.s2_countries().await
    }

    /// Operators of a Server 2 country, `random` (OTPZap picks) always first.
    pub async fn s2_operators(&self, country_id: &str) -> Result<Vec<String>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::S2Operators {
                country_id: country_id.into(),
            };
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.s2_operators(country_id).await
    }

    /// Server 2 services of a country, bought on `operator` (default `random`).
    pub async fn s2_services(
        &self,
        country_id: &str,
        operator: Option<&str>,
    ) -> Result<Vec<CatalogItem>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::S2Services {
                country_id: country_id.into(),
                operator: operator.map(str::to_string),
            };
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.s2_services(country_id, operator).await
    }

    pub async fn s2_special(&self) -> Result<Vec<CatalogItem>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::S2Special;
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.s2_special().await
    }

    pub async fn email_sites(&self) -> Result<Vec<EmailSiteChoice>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::EmailSites;
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.email_sites().await
    }

    pub async fn email_domains(&self, site: &str) -> Result<Vec<EmailDomainOffer>> {
        if self.via_team(ProviderId::Otpzap) {
            let call = ReadCall::EmailDomains { site: site.into() };
            return self.ask(ProviderId::Otpzap, call).await;
        }
        self.zap()?.email_domains(site).await
    }

    pub async fn numberotp_services(&self, country: Option<&str>) -> Result<Vec<Choice>> {
        if self.via_team(ProviderId::Numberotp) {
            let call = ReadCall::NumberotpServices {
                country: country.map(str::to_string),
            };
            return self.ask(ProviderId::Numberotp, call).await;
        }
        self.notp()?.services(country).await
    }

    pub async fn numberotp_countries(&self, service: Option<&str>) -> Result<Vec<Choice>> {
        if self.via_team(ProviderId::Numberotp) {
            let call = ReadCall::NumberotpCountries {
                service: service.map(str::to_string),
            };
            return self.ask(ProviderId::Numberotp, call).await;
        }
        self.notp()?.countries(service).await
    }

    /// NumberOTP prices, optionally of one service and/or one country (by id or by name).
    pub async fn numberotp_prices(
        &self,
        service: Option<&str>,
        country: Option<&str>,
    ) -> Result<Vec<CatalogItem>> {
        if self.via_team(ProviderId::Numberotp) {
            let call = ReadCall::NumberotpPrices {
                service: service.map(str::to_string),
                country: country.map(str::to_string),
            };
            return self.ask(ProviderId::Numberotp, call).await;
        }
        self.notp()?.prices(service, country).await
    }
}
