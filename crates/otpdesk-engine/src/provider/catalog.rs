//! One provider's catalog read here, with its key: its country rows and everything it sells in
//! a country, each server's failure apart. Used by this desktop's own catalog and, in team mode,
//! by the key holder answering another desktop's read (`crate::requests::read`).

use crate::catalog::{CatalogCountry, CatalogItem, CountryRow};
use crate::error::EngineError;
use crate::provider::Gateway;
use otpdesk_core::ProviderId;

/// `p`'s country rows (OTPZap: both servers); nothing when `p` has no key here.
pub(crate) async fn country_rows(
    gw: &Gateway,
    p: ProviderId,
) -> (Vec<CountryRow>, Vec<EngineError>) {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    match p {
        ProviderId::Otpzap => {
            if let Some(z) = &gw.otpzap {
                for r in z.countries().await {
                    match r {
                        Ok(v) => rows.extend(v),
                        Err(e) => failures.push(e),
                    }
                }
            }
        }
        ProviderId::Numberotp => {
            if let Some(n) = &gw.numberotp {
                match n.country_rows().await {
                    Ok(v) => rows.extend(v),
                    Err(e) => failures.push(e),
                }
            }
        }
        ProviderId::Ooppay => {}
    }
    (rows, failures)
}

/// Everything `p` sells in `country` (unsorted, unfiltered); nothing without a key here.
pub(crate) async fn items(
    gw: &Gateway,
    p: ProviderId,
    country: &CatalogCountry,
) -> (Vec<CatalogItem>, Vec<EngineError>) {
    let mut items = Vec::new();
    let mut failures = Vec::new();
    match p {
        ProviderId::Otpzap => {
            if let Some(z) = &gw.otpzap {
                for r in z.items(country).await {
                    match r {
                        Ok(v) => items.extend(v),
                        Err(e) => failures.push(e),
                    }
                }
            }
        }
        ProviderId::Numberotp => {
            if let (Some(n), Some(id)) = (&gw.numberotp, &country.numberotp) {
                match n.items(id, &country.name).await {
                    Ok(v) => items.extend(v),
                    Err(e) => failures.push(e),
                }
            }
        }
        ProviderId::Ooppay => {}
    }
    (items, failures)
}

/// Whether `country` lists anything of `p` (a read about it would come back empty).
pub(crate) fn sells_in(p: ProviderId, country: &CatalogCountry) -> bool {
    match p {
        ProviderId::Otpzap => country.otpzap_s1.is_some() || country.otpzap_s2.is_some(),
        ProviderId::Numberotp => country.numberotp.is_some(),
        ProviderId::Ooppay => false,
    }
}
