//! What OTPZap sells and at what price now: Server 1 countries → services → products (price
//! tiers), Server 2 services by country and operator, Server 2 special, email sites → domains;
//! and the fresh quote of a purchase, read from the same lists right before buying (OTPZap's
//! docs say catalog data must be fetched again before creating an order).

use super::{int, OtpZap};
use crate::catalog::{
    CatalogCountry, CatalogItem, CatalogSource, Choice, CountryRow, EmailDomainOffer,
    EmailSiteChoice,
};
use crate::error::{EngineError, Result};
use crate::model::BuyRequest;
use crate::provider::{gone, Quote};
use otpdesk_core::{Money, ProviderId};
use otpdesk_providers::otpzap::{Product, ProductQuery, S2Service};
use otpdesk_providers::Id;
use std::collections::HashMap;

/// Pages of `/products` read at most, and products per page (the most OTPZap allows).
const MAX_PAGES: u32 = 20;
const PAGE_SIZE: u32 = 100;

fn item(source: CatalogSource, service: String, country: &str, target: BuyRequest) -> CatalogItem {
    CatalogItem {
        provider: ProviderId::Otpzap,
        source,
        service,
        service_code: None,
        label: None,
        country: country.to_string(),
        price: None,
        stock: None,
        target,
    }
}

/// A Server 2 service as an offer; `None` when its id is not an integer.
fn s2_item(s: S2Service, country: &str, target: impl Fn(i64) -> BuyRequest) -> Option<CatalogItem> {
    let service_id: i64 = s.service_id.as_str().parse().ok()?;
    let name = s.service_name.unwrap_or_else(|| format!("#{service_id}"));
    Some(CatalogItem {
        service_code: Some(service_id.to_string()),
        price: s.price,
        ..item(CatalogSource::OtpzapS2, name, country, target(service_id))
    })
}

/// A product's platform (`platform_id` beside the documented fields, WIRE.md).
fn platform_of(p: &Product) -> Option<i64> {
    p.extra.get("platform_id").and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

impl OtpZap {
    /// Every Server 1 product matching `query` (its `page` and `limit` are set here), page by
    /// page up to `MAX_PAGES`, each page a token from the key's budget.
    async fn product_pages(&self, query: ProductQuery) -> Result<Vec<Product>> {
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let q = ProductQuery {
                page: Some(page),
                limit: Some(PAGE_SIZE),
                ..query.clone()
            };
            let got = self.door.read(self.client.products(&q)).await?;
            let (n, total) = (got.products.len(), got.pagination.and_then(|p| p.total));
            out.extend(got.products);
            if n < PAGE_SIZE as usize || total.is_some_and(|t| t > 0 && out.len() as i64 >= t) {
                break;
            }
        }
        Ok(out)
    }

    /// Server 1 and Server 2 countries, each read on its own (one may fail alone).
    pub(crate) async fn countries(&self) -> [Result<Vec<CountryRow>>; 2] {
        let c = &self.client;
        let (s1, s2) = tokio::join!(
            self.door.read(c.countries()),
            self.door.read(c.s2_countries())
        );
        let rows = |source, r: std::result::Result<Vec<otpdesk_providers::otpzap::Country>, _>| {
            r.map(|list| {
                list.into_iter()
                    .map(|c| CountryRow {
                        source,
                        id: c.id.0,
                        name: c.name,
                        iso: None,
                    })
                    .collect()
            })
            .map_err(EngineError::from)
        };
        [
            rows(CatalogSource::OtpzapS1, s1),
            rows(CatalogSource::OtpzapS2, s2),
        ]
    }

    /// Everything OTPZap sells in `country`: Server 1 products and Server 2 services.
    pub(crate) async fn items(&self, country: &CatalogCountry) -> Vec<Result<Vec<CatalogItem>>> {
        let mut out = Vec::new();
        if let Some(id) = &country.otpzap_s1 {
            out.push(self.s1_items(id, &country.name).await);
        }
        if let Some(id) = &country.otpzap_s2 {
            out.push(self.s2_services(id, None).await.map(|v| {
                v.into_iter()
                    .map(|i| CatalogItem {
                        country: country.name.clone(),
                        service_code: None,
                        ..i
                    })
                    .collect()
            }));
        }
        out
    }

    /// Server 1 products of a country, named after their service.
    async fn s1_items(&self, country_id: &str, country: &str) -> Result<Vec<CatalogItem>> {
        let Ok(cid) = int(country_id) else {
            return Ok(Vec::new());
        };
        let cid_ref = Id::new(country_id);
        let services: HashMap<String, (Option<String>, Option<String>)> = self
            .door
            .read(self.client.services(Some(&cid_ref)))
            .await?
            .into_iter()
            .map(|s| (s.id.0, (s.name, s.code)))
            .collect();
        let query = ProductQuery {
            country_id: Some(cid_ref),
            ..ProductQuery::default()
        };
        let mut out = Vec::new();
        for p in self.product_pages(query).await? {
            // Without its platform the engine cannot buy a product.
            let (Ok(product_id), Some(platform_id)) = (int(&p.id.0), platform_of(&p)) else {
                continue;
            };
            let (name, code) = services
                .get(&platform_id.to_string())
                .cloned()
                .unwrap_or((None, None));
            let target = BuyRequest::OtpzapS1 {
                product_id,
                country_id: cid,
                platform_id,
            };
            let service = name
                .or_else(|| p.name.clone())
                .unwrap_or_else(|| format!("#{platform_id}"));
            out.push(CatalogItem {
                service_code: code,
                label: p.name,
                price: p.price,
                stock: p.stock,
                ..item(CatalogSource::OtpzapS1, service, country, target)
            });
        }
        Ok(out)
    }

    pub(crate) async fn s1_countries(&self) -> Result<Vec<Choice>> {
        let list = self.door.read(self.client.countries()).await?;
        Ok(list
            .into_iter()
            .map(|x| Choice::new(x.id.0, x.name, None))
            .collect())
    }

    pub(crate) async fn s1_services(&self, country_id: Option<&str>) -> Result<Vec<Choice>> {
        let cid = country_id.map(Id::new);
        let list = self.door.read(self.client.services(cid.as_ref())).await?;
        Ok(list
            .into_iter()
            .map(|x| Choice::new(x.id.0, x.name, x.code))
            .collect())
    }

    /// Server 1 products (price tiers) of one service in one country, cheapest first.
    pub(crate) async fn s1_products(
        &self,
        country_id: &str,
        platform_id: &str,
    ) -> Result<Vec<CatalogItem>> {
        let (cid, pid) = (int(country_id)?, int(platform_id)?);
        let query = ProductQuery {
            platform_id: Some(Id::new(platform_id)),
            country_id: Some(Id::new(country_id)),
            ..ProductQuery::default()
        };
        let mut out: Vec<CatalogItem> = self
            .product_pages(query)
            .await?
            .into_iter()
            .filter_map(|p| {
                let target = BuyRequest::OtpzapS1 {
                    product_id: int(p.id.as_str()).ok()?,
                    country_id: cid,
                    platform_id: pid,
                };
                let service = p.name.clone().unwrap_or_else(|| format!("#{pid}"));
                Some(CatalogItem {
                    label: p.name,
                    price: p.price,
                    stock: p.stock,
                    ..item(CatalogSource::OtpzapS1, service, country_id, target)
                })
            })
            .collect();
        out.sort_by_key(|i| i.price.map(|p| p.minor));
        Ok(out)
    }

    pub(crate) async fn s2_countries(&self) -> Result<Vec<Choice>> {
        let list = self.door.read(self.client.s2_countries()).await?;
        Ok(list
            .into_iter()
            .map(|x| Choice::new(x.id.0, x.name, None))
            .collect())
    }

    /// Operators of a Server 2 country, `random` (OTPZap picks) always first.
    pub(crate) async fn s2_operators(&self, country_id: &str) -> Result<Vec<String>> {
        let cid = Id::new(country_id);
        let list = self.door.read(self.client.s2_operators(&cid)).await?;
        let mut out = vec!["random".to_string()];
        out.extend(list.into_iter().filter(|o| o != "random"));
        Ok(out)
    }

    /// Server 2 services of a country, bought on `operator` (default `random`). For a
    /// multiservice purchase, send their `service_code`s as `service_ids` of `otpzap_s2_multi`.
    pub(crate) async fn s2_services(
        &self,
        country_id: &str,
        operator: Option<&str>,
    ) -> Result<Vec<CatalogItem>> {
        let cid = int(country_id)?;
        let op = operator
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .unwrap_or("random")
            .to_string();
        let id = Id::new(country_id);
        let list = self.door.read(self.client.s2_services(&id)).await?;
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

    pub(crate) async fn s2_special(&self) -> Result<Vec<CatalogItem>> {
        let list = self.door.read(self.client.s2_special()).await?;
        Ok(list
            .into_iter()
            .filter_map(|s| {
                let i = s2_item(s, "", |service_id| BuyRequest::OtpzapS2Special {
                    service_id,
                })?;
                Some(CatalogItem {
                    source: CatalogSource::OtpzapS2Special,
                    ..i
                })
            })
            .collect())
    }

    pub(crate) async fn email_sites(&self) -> Result<Vec<EmailSiteChoice>> {
        let sites = self.door.read(self.client.email_sites()).await?;
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

    pub(crate) async fn email_domains(&self, site: &str) -> Result<Vec<EmailDomainOffer>> {
        let list = self.door.read(self.client.email_domains(site)).await?;
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

    /// The current price and stock of what `req` would buy.
    pub(crate) async fn quote(&self, req: &BuyRequest) -> Result<Quote> {
        let find = |list: &[CatalogItem], what: &str| {
            list.iter()
                .find(|i| &i.target == req)
                .map(|i| Quote {
                    price: i.price,
                    stock: i.stock,
                })
                .ok_or_else(|| gone(what))
        };
        match req {
            BuyRequest::OtpzapS1 {
                country_id,
                platform_id,
                ..
            } => {
                let list = self
                    .s1_products(&country_id.to_string(), &platform_id.to_string())
                    .await?;
                find(&list, "this product")
            }
            BuyRequest::OtpzapS2 {
                country_id,
                operator_id,
                ..
            } => {
                let list = self
                    .s2_services(&country_id.to_string(), Some(operator_id))
                    .await?;
                find(&list, "this service")
            }
            BuyRequest::OtpzapS2Special { .. } => {
                find(&self.s2_special().await?, "this special service")
            }
            BuyRequest::OtpzapS2Multi {
                service_ids,
                country_id,
                ..
            } => {
                let list = self.s2_services(&country_id.to_string(), None).await?;
                // The multiservice price is the sum of its services (WIRE.md).
                let mut total: Option<Money> = None;
                for sid in service_ids {
                    let s = list
                        .iter()
                        .find(|s| s.service_code.as_deref() == Some(&sid.to_string()))
                        .ok_or_else(|| gone("a chosen service"))?;
                    total = match (total, s.price) {
                        (None, m) => m,
                        (Some(t), Some(m)) => Some(t.checked_add(m).map_err(|e| {
                            EngineError::Config(format!("multiservice price: {e}"))
                        })?),
                        (t, None) => t,
                    };
                }
                Ok(Quote {
                    price: total,
                    stock: None,
                })
            }
            BuyRequest::OtpzapEmail { site, domain } => self.email_quote(site, &[domain]).await,
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
                self.email_quote(site, &names).await
            }
            BuyRequest::Numberotp { .. } => Err(gone("this NumberOTP offer at OTPZap")),
        }
    }

    /// Email: the first of `names` with stock, as the aggregator picks it.
    async fn email_quote(&self, site: &str, names: &[&String]) -> Result<Quote> {
        let list = self.door.read(self.client.email_domains(site)).await?;
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
}
