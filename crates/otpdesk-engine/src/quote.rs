//! Fresh price and stock of what a [`BuyRequest`] would buy, read right before buying: OTPZap's
//! docs say catalog data is fresh and must be fetched again before creating an order, so a stale
//! list in the window must never buy at a higher price than the one the user saw.

use crate::engine::Inner;
use crate::error::{EngineError, Result};
use crate::model::BuyRequest;
use crate::rate_budget::Priority;
use otpdesk_core::{Money, ProviderId};
use otpdesk_providers::otpzap::ProductQuery;
use otpdesk_providers::{Id, ProviderError};
use serde::{Deserialize, Serialize};

/// What the provider asks right now. `None` fields: the provider does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Quote {
    pub price: Option<Money>,
    pub stock: Option<i64>,
}

/// Pages of `/products` read at most while looking for one product.
const MAX_PAGES: u32 = 20;

fn gone(what: &str) -> EngineError {
    EngineError::Provider(ProviderError::OutOfStock {
        message: format!("{what} is no longer offered"),
    })
}

/// Ask the provider for the current price and stock of `req`.
pub(crate) async fn quote(inner: &Inner, req: &BuyRequest) -> Result<Quote> {
    let gw = &inner.gw;
    let p = req.provider();
    let prio = Some(Priority::Interactive);
    let id = |n: &i64| Id::new(n.to_string());
    let q = match req {
        BuyRequest::OtpzapS1 {
            product_id,
            country_id,
            platform_id,
        } => {
            let c = gw.zap()?;
            let mut found = None;
            for page in 1..=MAX_PAGES {
                let query = ProductQuery {
                    platform_id: Some(id(platform_id)),
                    country_id: Some(id(country_id)),
                    page: Some(page),
                    limit: Some(100),
                    ..ProductQuery::default()
                };
                let got = gw.guarded(p, prio, c.products(&query)).await?;
                let n = got.products.len();
                found = got
                    .products
                    .into_iter()
                    .find(|x| x.id.as_str() == product_id.to_string());
                if found.is_some() || n < 100 {
                    break;
                }
            }
            let x = found.ok_or_else(|| gone("this product"))?;
            Quote {
                price: x.price,
                stock: x.stock,
            }
        }
        BuyRequest::OtpzapS2 {
            service_id,
            country_id,
            ..
        } => {
            let c = gw.zap()?;
            let list = gw.guarded(p, prio, c.s2_services(&id(country_id))).await?;
            let s = list
                .into_iter()
                .find(|s| s.service_id.as_str() == service_id.to_string())
                .ok_or_else(|| gone("this service"))?;
            Quote {
                price: s.price,
                stock: None,
            }
        }
        BuyRequest::OtpzapS2Special { service_id } => {
            let c = gw.zap()?;
            let list = gw.guarded(p, prio, c.s2_special()).await?;
            let s = list
                .into_iter()
                .find(|s| s.service_id.as_str() == service_id.to_string())
                .ok_or_else(|| gone("this special service"))?;
            Quote {
                price: s.price,
                stock: None,
            }
        }
        BuyRequest::OtpzapS2Multi {
            service_ids,
            country_id,
            ..
        } => {
            let c = gw.zap()?;
            let list = gw.guarded(p, prio, c.s2_services(&id(country_id))).await?;
            // The multiservice price is the sum of its services (WIRE.md).
            let mut total: Option<Money> = None;
            for sid in service_ids {
                let s = list
                    .iter()
                    .find(|s| s.service_id.as_str() == sid.to_string())
                    .ok_or_else(|| gone("a chosen service"))?;
                total = match (total, s.price) {
                    (None, Some(m)) => Some(m),
                    (Some(t), Some(m)) => Some(
                        t.checked_add(m)
                            .map_err(|e| EngineError::Config(format!("multiservice price: {e}")))?,
                    ),
                    (t, None) => t,
                };
            }
            Quote {
                price: total,
                stock: None,
            }
        }
        BuyRequest::OtpzapEmail { site, domain } => email_quote(inner, site, &[domain]).await?,
        BuyRequest::OtpzapEmailOptions {
            site,
            domain,
            domains,
            ..
        } => {
            let names: Vec<&String> = if domains.is_empty() {
                domain.iter().collect()
            } else {
                domains.iter().collect()
            };
            email_quote(inner, site, &names).await?
        }
        BuyRequest::Numberotp { service, country } => {
            let c = gw.notp()?;
            let prices = gw.guarded(p, prio, c.prices()).await?;
            let x = prices
                .into_iter()
                .find(|x| &x.service == service && x.country.as_str() == country)
                .ok_or_else(|| gone("this service in this country"))?;
            Quote {
                price: x.price,
                stock: x.available,
            }
        }
    };
    Ok(q)
}

/// Email: the first of `names` with stock, as the aggregator picks it.
async fn email_quote(inner: &Inner, site: &str, names: &[&String]) -> Result<Quote> {
    let gw = &inner.gw;
    let c = gw.zap()?;
    let list = gw
        .guarded(
            ProviderId::Otpzap,
            Some(Priority::Interactive),
            c.email_domains(site),
        )
        .await?;
    let offered: Vec<_> = names
        .iter()
        .filter_map(|n| list.iter().find(|d| d.name.eq_ignore_ascii_case(n)))
        .collect();
    let pick = offered
        .iter()
        .find(|d| d.stock.is_none_or(|s| s > 0))
        .or(offered.first())
        .ok_or_else(|| gone("this email domain"))?;
    Ok(Quote {
        price: pick.price,
        stock: pick.stock,
    })
}

/// Refuse when the fresh quote is worse than what the user saw: no stock, or a higher price.
pub(crate) fn check(q: &Quote, expected: Option<Money>) -> Result<()> {
    if q.stock == Some(0) {
        return Err(EngineError::Provider(ProviderError::OutOfStock {
            message: "sold out right now".into(),
        }));
    }
    if let (Some(exp), Some(now)) = (expected, q.price) {
        if now.currency != exp.currency || now.minor > exp.minor {
            return Err(EngineError::PriceChanged {
                expected: exp,
                current: now,
            });
        }
    }
    Ok(())
}
