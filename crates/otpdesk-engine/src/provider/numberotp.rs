//! NumberOTP: activations bought per service and country, a code per activation, a 55 s `/wait`
//! long-poll, no cancel, no finish, no resend (numbers cannot be cancelled or refunded: see
//! `allowed::numberotp_refusal`), a
//! public catalog (services, countries, prices in USD). Everything we know about it: its
//! purchases, its replies in our shapes, its quote and its catalog.

use super::{gone, Door, Quote};
use crate::catalog::{CatalogItem, CatalogSource, Choice, CountryRow};
use crate::config::ProviderConfig;
use crate::error::Result;
use crate::model::{BuyRequest, OrderView};
use crate::rate_budget::Priority;
use crate::remote::{RemoteOrder, RemoteOtp};
use otpdesk_core::{OrderStatus, ProviderId};
use otpdesk_providers::numberotp::{Activation, NumberOtpClient, NumberOtpCountry};
use otpdesk_providers::{Id, ProviderError};
use std::collections::HashMap;

/// How NumberOTP orders are tracked: `/wait` long-polls, one code per activation.
pub(crate) const TRAITS: super::Traits = super::Traits {
    long_poll: true,
    one_code: true,
};

pub(crate) struct NumberOtp {
    client: NumberOtpClient,
    pub(super) door: Door,
    /// Service code → name (`wa` → `WhatsApp`), read once when first needed.
    names: tokio::sync::OnceCell<HashMap<String, String>>,
}

impl NumberOtp {
    pub(super) fn new(c: &ProviderConfig, door: Door) -> Result<NumberOtp> {
        let client = NumberOtpClient::new(&c.base_url, c.key.clone(), c.http.clone())?;
        Ok(NumberOtp {
            client,
            door,
            names: tokio::sync::OnceCell::new(),
        })
    }

    /// The host in use (the documented one, or `api.numberotp.com` once a probe chose it).
    pub fn base_url(&self) -> String {
        self.client.base_url()
    }

    /// Find which host answers (a key-less read, no token spent: it happens once per process).
    pub async fn resolve_base(&self) -> Result<String> {
        Ok(self.client.resolve_base().await?)
    }

    /// An order shows the service's name from the public list (`WhatsApp`), as the catalog
    /// does. `None` when the list cannot be read (the code is kept).
    async fn service_name(&self, code: &str) -> Option<String> {
        self.names().await?.get(code).cloned()
    }

    /// Service code → name, read once (one token) and kept; `None` while it cannot be read.
    async fn names(&self) -> Option<&HashMap<String, String>> {
        self.names
            .get_or_try_init(|| async {
                let list = self.door.read(self.client.services(None)).await?;
                Ok::<_, ProviderError>(
                    list.into_iter()
                        .filter_map(|s| Some((s.code, s.name?)))
                        .collect::<HashMap<_, _>>(),
                )
            })
            .await
            .ok()
    }

    pub async fn create(&self, req: &BuyRequest) -> Result<RemoteOrder, ProviderError> {
        let BuyRequest::Numberotp { service, country } = req else {
            return Err(super::not_ours(ProviderId::Numberotp, req));
        };
        let a = self
            .door
            .call(
                Some(Priority::Interactive),
                self.client.create_activation(service, country),
            )
            .await?;
        let mut o = activation(a);
        let code = o.service.clone().unwrap_or_else(|| service.clone());
        o.service = Some(self.service_name(&code).await.unwrap_or(code));
        Ok(o)
    }

    pub async fn check(
        &self,
        o: &OrderView,
        prio: Option<Priority>,
    ) -> Result<RemoteOrder, ProviderError> {
        let id = Id::new(o.remote_id.clone());
        let a = self.door.call(prio, self.client.activation(&id)).await?;
        Ok(timeline(o, &activation(a)))
    }

    /// `/wait`: holds up to 55 s, returns as soon as a code arrives.
    pub async fn wait(
        &self,
        o: &OrderView,
        prio: Option<Priority>,
    ) -> Result<RemoteOrder, ProviderError> {
        let id = Id::new(o.remote_id.clone());
        let a = self
            .door
            .call(prio, self.client.wait_activation(&id))
            .await?;
        Ok(timeline(o, &activation(a)))
    }

    async fn country_list(&self, service: Option<&str>) -> Result<Vec<NumberOtpCountry>> {
        Ok(self.door.read(self.client.countries(service)).await?)
    }

    pub(crate) async fn country_rows(&self) -> Result<Vec<CountryRow>> {
        Ok(self
            .country_list(None)
            .await?
            .into_iter()
            .map(|c| CountryRow {
                source: CatalogSource::Numberotp,
                id: c.id.0,
                name: c.name,
                iso: c.iso,
            })
            .collect())
    }

    pub(crate) async fn services(&self, country: Option<&str>) -> Result<Vec<Choice>> {
        let list = self.door.read(self.client.services(country)).await?;
        Ok(list
            .into_iter()
            .map(|s| Choice::new(s.code.clone(), s.name, Some(s.code)))
            .collect())
    }

    pub(crate) async fn countries(&self, service: Option<&str>) -> Result<Vec<Choice>> {
        Ok(self
            .country_list(service)
            .await?
            .into_iter()
            .map(|x| Choice::new(x.id.0, x.name, x.iso))
            .collect())
    }

    /// A country given by id or by name (any case) → (id, name). Ids are the provider's own
    /// (SMS-Activate numbering), never assumed: they are read from its list.
    async fn resolve_country(&self, country: &str) -> Result<(String, Option<String>)> {
        let list = self.country_list(None).await?;
        let want = country.trim();
        let hit = list
            .iter()
            .find(|c| c.id.as_str() == want)
            .or_else(|| {
                list.iter().find(|c| {
                    c.name
                        .as_deref()
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case(want))
                        || c.iso
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(want))
                })
            })
            .ok_or_else(|| gone(&format!("NumberOTP in {want:?}")))?;
        Ok((hit.id.0.clone(), hit.name.clone()))
    }

    /// Prices of one service and/or one country (id or name), with service names.
    pub(crate) async fn prices(
        &self,
        service: Option<&str>,
        country: Option<&str>,
    ) -> Result<Vec<CatalogItem>> {
        let all = self.door.read(self.client.prices()).await?;
        let (id, country_name) = match country.map(str::trim) {
            None => (None, None),
            // An id the price list uses is taken as is; anything else is looked up by name.
            Some(c) if all.iter().any(|p| p.country.as_str() == c) => (Some(c.to_string()), None),
            Some(c) => {
                let (id, name) = self.resolve_country(c).await?;
                (Some(id), name)
            }
        };
        let names = self.names().await;
        Ok(all
            .into_iter()
            .filter(|p| service.is_none_or(|s| p.service.eq_ignore_ascii_case(s)))
            .filter(|p| id.as_deref().is_none_or(|i| p.country.as_str() == i))
            .map(|p| CatalogItem {
                provider: ProviderId::Numberotp,
                source: CatalogSource::Numberotp,
                service: names
                    .and_then(|n| n.get(&p.service).cloned())
                    .unwrap_or_else(|| p.service.clone()),
                service_code: Some(p.service.clone()),
                label: None,
                country: country_name.clone().unwrap_or_else(|| p.country.0.clone()),
                price: p.price,
                stock: p.available,
                target: BuyRequest::Numberotp {
                    service: p.service,
                    country: p.country.0,
                },
            })
            .collect())
    }

    /// Everything NumberOTP sells in one country (its id from the country list), named `country`.
    pub(crate) async fn items(&self, country_id: &str, country: &str) -> Result<Vec<CatalogItem>> {
        let mut v = self.prices(None, Some(country_id)).await?;
        for i in &mut v {
            i.country = country.to_string();
        }
        Ok(v)
    }

    pub(crate) async fn quote(&self, req: &BuyRequest) -> Result<Quote> {
        let BuyRequest::Numberotp { service, country } = req else {
            return Err(gone("this offer at NumberOTP"));
        };
        let prices = self.door.read(self.client.prices()).await?;
        let x = prices
            .into_iter()
            .find(|x| &x.service == service && x.country.as_str() == country)
            .ok_or_else(|| gone("this service in this country"))?;
        Ok(Quote {
            price: x.price,
            stock: x.available,
        })
    }
}

/// Key check: a lookup of an activation that cannot exist (free; "not found" means accepted).
pub(super) async fn check_key(c: &ProviderConfig, probe: &str) -> Result<(), ProviderError> {
    let client = NumberOtpClient::new(&c.base_url, c.key.clone(), c.http.clone())?;
    client.activation(&Id::new(probe)).await.map(drop)
}

/// An activation in our shape. A code present means received, whatever the status word says;
/// the order is final only when NumberOTP closes the activation.
fn activation(a: Activation) -> RemoteOrder {
    let mut o = RemoteOrder::new(a.id.as_str(), a.status).about(
        a.service,
        a.price,
        a.created_at,
        a.expires_at,
    );
    o.phone = a.phone_number;
    if a.otp.is_some() || a.full_sms.is_some() {
        o.otps.push(RemoteOtp {
            code: a.otp,
            text: a.full_sms,
            sender: None,
            service: None,
            received_at: None,
        });
    }
    if o.status == OrderStatus::Pending && !o.otps.is_empty() {
        o.status = OrderStatus::OtpReceived;
    }
    o
}

/// NumberOTP shows only its latest code: a code that differs from the last one stored is a new
/// entry after the stored timeline (never an overwrite of an earlier one).
fn timeline(o: &OrderView, remote: &RemoteOrder) -> RemoteOrder {
    let mut r = remote.clone();
    let Some(latest) = remote.otps.last() else {
        return r;
    };
    let stored: Vec<RemoteOtp> = o
        .otps
        .iter()
        .map(|x| RemoteOtp {
            code: x.code.clone(),
            text: x.text.clone(),
            sender: x.sender.clone(),
            service: x.service.clone(),
            received_at: x.received_at,
        })
        .collect();
    let same = stored
        .last()
        .is_some_and(|s| s.code == latest.code && s.text == latest.text);
    r.otps = stored;
    if !same {
        r.otps.push(latest.clone());
    }
    r
}
