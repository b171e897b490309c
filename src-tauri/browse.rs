//! Step-by-step catalogs, one provider and server at a time (the buy screen's source tabs):
//! OTPZap Server 1 country → service → product, Server 2 by country and operator, Server 2
//! special, NumberOTP services / countries / prices, and email sites → domains. Every offer
//! carries the typed `target` that `buy_checked` takes.

use crate::catalog::{CatalogItem, CatalogSource};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::session::Clients;
use otpdesk_core::{Money, ProviderId};
use otpdesk_engine::BuyRequest;
use otpdesk_providers::otpzap::{ProductQuery, S2Service};
use otpdesk_providers::{Id, NumberOtpClient, OtpZapClient, ProviderError};
use serde::Serialize;
use std::future::Future;

/// A country or a service to pick from. `id` is what the next step takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Choice {
    pub id: String,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct EmailSiteChoice {
    pub site: String,
    pub name: Option<String>,
    pub category: Option<String>,
}

/// One email domain for a site, with what the docs promise to show before buying.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
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

/// A read through `provider`'s shared rate budget (`None`: no key), its error in the UI's words.
async fn read_via<'a, C, T, F>(
    c: &'a Clients,
    provider: ProviderId,
    client: Option<&'a C>,
    call: impl FnOnce(&'a C) -> F,
) -> AppResult<T>
where
    F: Future<Output = Result<T, ProviderError>>,
{
    let client = client.ok_or_else(|| not_configured(provider))?;
    c.read(provider, call(client))
        .await
        .map_err(|e| AppError::from(e).with_provider(provider))
}

async fn zap_read<'a, T, F>(
    c: &'a Clients,
    call: impl FnOnce(&'a OtpZapClient) -> F,
) -> AppResult<T>
where
    F: Future<Output = Result<T, ProviderError>>,
{
    read_via(c, ProviderId::Otpzap, c.otpzap.as_ref(), call).await
}

async fn notp_read<'a, T, F>(
    c: &'a Clients,
    call: impl FnOnce(&'a NumberOtpClient) -> F,
) -> AppResult<T>
where
    F: Future<Output = Result<T, ProviderError>>,
{
    read_via(c, ProviderId::Numberotp, c.numberotp.as_ref(), call).await
}

fn not_configured(p: ProviderId) -> AppError {
    AppError::new(
        ErrorCode::ProviderNotConfigured,
        format!("{} has no key yet.", p.display_name()),
    )
    .with_provider(p)
}

/// OTPZap ids are integers on the wire.
fn int(id: &str) -> AppResult<i64> {
    id.trim().parse().map_err(|_| {
        AppError::new(
            ErrorCode::Validation,
            format!("{id:?} is not an OTPZap id."),
        )
    })
}

fn choice(id: Id, name: Option<String>, code: Option<String>) -> Choice {
    Choice {
        name: name.unwrap_or_else(|| id.0.clone()),
        id: id.0,
        code,
    }
}

pub async fn s1_countries(c: &Clients) -> AppResult<Vec<Choice>> {
    let list = zap_read(c, |z| z.countries()).await?;
    Ok(list
        .into_iter()
        .map(|x| choice(x.id, x.name, None))
        .collect())
}

pub async fn s1_services(c: &Clients, country_id: &str) -> AppResult<Vec<Choice>> {
    let cid = Id::new(country_id);
    let list = zap_read(c, |z| z.services(Some(&cid))).await?;
    Ok(list
        .into_iter()
        .map(|x| choice(x.id, x.name, x.code))
        .collect())
}

/// Server 1 products (price tiers) of one service in one country, cheapest first.
pub async fn s1_products(
    c: &Clients,
    country_id: &str,
    platform_id: &str,
) -> AppResult<Vec<CatalogItem>> {
    let (cid, pid) = (int(country_id)?, int(platform_id)?);
    let query = ProductQuery {
        platform_id: Some(Id::new(platform_id)),
        country_id: Some(Id::new(country_id)),
        ..ProductQuery::default()
    };
    let z = c
        .otpzap
        .as_ref()
        .ok_or_else(|| not_configured(ProviderId::Otpzap))?;
    // Price tiers of one service in one country are few, but every page there is is read.
    let products = crate::catalog::s1_product_pages(c, z, query)
        .await
        .map_err(|e| AppError::from(e).with_provider(ProviderId::Otpzap))?;
    let mut out: Vec<CatalogItem> = products
        .into_iter()
        .filter_map(|p| {
            let product_id = p.id.as_str().parse().ok()?;
            Some(CatalogItem {
                provider: ProviderId::Otpzap,
                source: CatalogSource::OtpzapS1,
                service: p.name.clone().unwrap_or_else(|| format!("#{pid}")),
                service_code: None,
                label: p.name,
                country: country_id.to_string(),
                price: p.price,
                stock: p.stock,
                target: BuyRequest::OtpzapS1 {
                    product_id,
                    country_id: cid,
                    platform_id: pid,
                },
            })
        })
        .collect();
    out.sort_by_key(|i| i.price.map(|p| p.minor));
    Ok(out)
}

pub async fn s2_countries(c: &Clients) -> AppResult<Vec<Choice>> {
    let list = zap_read(c, |z| z.s2_countries()).await?;
    Ok(list
        .into_iter()
        .map(|x| choice(x.id, x.name, None))
        .collect())
}

/// Operators of a Server 2 country, `random` (OTPZap picks) always first.
pub async fn s2_operators(c: &Clients, country_id: &str) -> AppResult<Vec<String>> {
    let cid = Id::new(country_id);
    let list = zap_read(c, |z| z.s2_operators(&cid)).await?;
    let mut out = vec!["random".to_string()];
    out.extend(list.into_iter().filter(|o| o != "random"));
    Ok(out)
}

fn s2_item(s: S2Service, country: &str, target: impl Fn(i64) -> BuyRequest) -> Option<CatalogItem> {
    let service_id: i64 = s.service_id.as_str().parse().ok()?;
    Some(CatalogItem {
        provider: ProviderId::Otpzap,
        source: CatalogSource::OtpzapS2,
        service: s.service_name.unwrap_or_else(|| format!("#{service_id}")),
        service_code: Some(service_id.to_string()),
        label: None,
        country: country.to_string(),
        price: s.price,
        stock: None,
        target: target(service_id),
    })
}

/// Server 2 services of a country, bought on `operator` (default `random`). For a multiservice
/// purchase, send their `service_code`s as `service_ids` of `otpzap_s2_multi`.
pub async fn s2_services(
    c: &Clients,
    country_id: &str,
    operator: Option<&str>,
) -> AppResult<Vec<CatalogItem>> {
    let cid = int(country_id)?;
    let op = operator
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .unwrap_or("random")
        .to_string();
    let id = Id::new(country_id);
    let list = zap_read(c, |z| z.s2_services(&id)).await?;
    Ok(list
        .into_iter()
        .filter_map(|s| {
            s2_item(s, country_id, |service_id| BuyRequest::OtpzapS2 {
                service_id,
                country_id: cid,
                operator_id: op.clone(),
            })
        })
        .collect())
}

pub async fn s2_special(c: &Clients) -> AppResult<Vec<CatalogItem>> {
    let list = zap_read(c, |z| z.s2_special()).await?;
    Ok(list
        .into_iter()
        .filter_map(|s| {
            let mut i = s2_item(s, "", |service_id| BuyRequest::OtpzapS2Special {
                service_id,
            })?;
            i.source = CatalogSource::OtpzapS2Special;
            Some(i)
        })
        .collect())
}

pub async fn numberotp_services(c: &Clients, country: Option<&str>) -> AppResult<Vec<Choice>> {
    let list = notp_read(c, |n| n.services(country)).await?;
    Ok(list
        .into_iter()
        .map(|s| choice(Id::new(s.code.clone()), s.name, Some(s.code)))
        .collect())
}

pub async fn numberotp_countries(c: &Clients, service: Option<&str>) -> AppResult<Vec<Choice>> {
    let list = notp_read(c, |n| n.countries(service)).await?;
    Ok(list
        .into_iter()
        .map(|x| choice(x.id, x.name, x.iso))
        .collect())
}

/// NumberOTP prices, optionally of one service and/or one country.
pub async fn numberotp_prices(
    c: &Clients,
    service: Option<&str>,
    country: Option<&str>,
) -> AppResult<Vec<CatalogItem>> {
    let prices = notp_read(c, |n| n.prices()).await?;
    Ok(prices
        .into_iter()
        .filter(|p| service.is_none_or(|s| p.service == s))
        .filter(|p| country.is_none_or(|x| p.country.as_str() == x))
        .map(|p| CatalogItem {
            provider: ProviderId::Numberotp,
            source: CatalogSource::Numberotp,
            service: p.service.clone(),
            service_code: Some(p.service.clone()),
            label: None,
            country: p.country.0.clone(),
            price: p.price,
            stock: p.available,
            target: BuyRequest::Numberotp {
                service: p.service,
                country: p.country.0,
            },
        })
        .collect())
}

pub async fn email_sites(c: &Clients) -> AppResult<Vec<EmailSiteChoice>> {
    let sites = zap_read(c, |z| z.email_sites()).await?;
    Ok(sites
        .sites
        .into_iter()
        .map(|s| EmailSiteChoice {
            site: s.site,
            name: s.name,
            category: s.category,
        })
        .collect())
}

pub async fn email_domains(c: &Clients, site: &str) -> AppResult<Vec<EmailDomainOffer>> {
    let list = zap_read(c, |z| z.email_domains(site)).await?;
    Ok(list
        .into_iter()
        .map(|d| EmailDomainOffer {
            target: BuyRequest::OtpzapEmail {
                site: site.to_string(),
                domain: d.name.clone(),
            },
            domain: d.name,
            price: d.price,
            stock: d.stock,
            activation_rate: d.activation_rate,
            cancel_fee: d.cancel_fee,
        })
        .collect())
}
