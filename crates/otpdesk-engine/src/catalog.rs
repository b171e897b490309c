//! What can be bought, across providers: the shapes (countries merged by name, offers with typed
//! buy targets, the choices of the step-by-step lists) and the merging. Each provider's module
//! reads its own catalog; `crate::offers` puts them together.

use crate::error::EngineError;
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

/// A country list of one provider's server, before merging (team mode: sent by the key
/// holder as is, so a keyless desktop merges exactly what the holder's own list merges).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CountryRow {
    pub source: CatalogSource,
    pub id: String,
    pub name: Option<String>,
    pub iso: Option<String>,
}

pub(crate) fn matches_search(i: &CatalogItem, q: &str) -> bool {
    let has = |s: Option<&str>| s.is_some_and(|s| s.to_lowercase().contains(q));
    has(Some(&i.service)) || has(i.service_code.as_deref()) || has(i.label.as_deref())
}

/// One row per country name (case and spaces ignored), each provider's id filled in.
pub(crate) fn merge_countries(rows: Vec<CountryRow>) -> Vec<CatalogCountry> {
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
