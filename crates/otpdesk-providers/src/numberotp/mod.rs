//! NumberOTP client: public catalogue and prices, activations with manual polling or the `/wait`
//! long poll. No reply body is documented: [`decoders`] read both WIRE.md's shapes and the ones
//! real integrations see. The documented host (`https://numberotp.com/v1`) may be only the docs
//! site: [`NumberOtpClient::resolve_base`] probes it and falls back to `https://api.numberotp.com/v1`
//! (see [`base`]). NumberOTP has no cancel endpoint: its numbers cannot be cancelled or refunded.

mod base;
pub(crate) mod decoders;

use crate::error::ProviderError;
use crate::http::{path_segment, Call, HttpOptions};
use crate::lenient::{Extra, Id};
use base::Hosts;
use otpdesk_core::{ApiKey, Money, OrderStatus, Timestamp};
use serde_json::json;

/// `{"code":"wa","name":"WhatsApp"}` (real replies add `count`, kept in `extra`).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberOtpService {
    pub code: String,
    pub name: Option<String>,
    pub extra: Extra,
}

/// `{"id":"67","name":"Indonesia","iso":"ID"}`, or the real `{"code":"6","name":"Indonesia"}`.
/// Ids differ between the two (real ones follow SMS-Activate numbering): find a country by name.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberOtpCountry {
    pub id: Id,
    pub name: Option<String>,
    pub iso: Option<String>,
    pub extra: Extra,
}

/// `{"service":"wa","country":"67","price":"0.25","currency":"USD","available":120}`, or one entry
/// of the real `{"6":{"wa":{"cost":0.25,"count":120}}}` (`cost` → `price`, `count` → `available`).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberOtpPrice {
    pub service: String,
    pub country: Id,
    pub price: Option<Money>,
    pub available: Option<i64>,
    pub extra: Extra,
}

/// An activation (a rented number). `otp`/`full_sms` are set once a code arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Activation {
    pub id: Id,
    /// International number without `+` or separators (`14155552671`), as the webhook sends it.
    pub phone_number: Option<String>,
    pub service: Option<String>,
    pub country: Option<Id>,
    pub otp: Option<String>,
    pub full_sms: Option<String>,
    /// `waiting`/`Active` (any case) is `Pending`; an `otp` makes it `OtpReceived` whatever the
    /// word; unknown words are `Unknown`.
    pub status: OrderStatus,
    /// `price` or `cost`, USD.
    pub price: Option<Money>,
    pub created_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub extra: Extra,
}

/// Async NumberOTP client. Cheap to clone; clones share which host answers.
#[derive(Debug, Clone)]
pub struct NumberOtpClient {
    hosts: Hosts,
}

impl NumberOtpClient {
    /// The base URL the provider's docs give.
    pub const DEFAULT_BASE_URL: &'static str = "https://numberotp.com/v1";
    /// The base URL every real integration uses, tried when the documented one does not answer
    /// with JSON.
    pub const FALLBACK_BASE_URL: &'static str = "https://api.numberotp.com/v1";

    /// `base_url` up to and including `/v1`. Built with [`Self::DEFAULT_BASE_URL`], the client
    /// falls back to [`Self::FALLBACK_BASE_URL`]; any other address is used as given.
    /// `options.long_poll_timeout` bounds [`Self::wait_activation`] and must stay above 55 s.
    pub fn new(
        base_url: &str,
        key: ApiKey,
        options: HttpOptions,
    ) -> Result<NumberOtpClient, ProviderError> {
        let documented = base_url.trim().trim_end_matches('/') == Self::DEFAULT_BASE_URL;
        let fallback = documented.then_some(Self::FALLBACK_BASE_URL);
        Self::with_fallback(base_url, fallback, key, options)
    }

    /// A client that probes `base_url` and, when it does not answer with JSON, `fallback`.
    pub fn with_fallback(
        base_url: &str,
        fallback: Option<&str>,
        key: ApiKey,
        options: HttpOptions,
    ) -> Result<NumberOtpClient, ProviderError> {
        Ok(NumberOtpClient {
            hosts: Hosts::new(base_url, fallback, key, options)?,
        })
    }

    /// The base URL in use: the documented one until a probe chose the fallback.
    pub fn base_url(&self) -> String {
        self.hosts.current().base_url().to_string()
    }

    /// Probe (once, shared by clones) which host answers NumberOTP's API: a key-less
    /// `GET /public/services` to the documented base, then to the fallback. Returns the base in
    /// use; when neither answers with JSON nothing is remembered and the documented base stays.
    pub async fn resolve_base(&self) -> Result<String, ProviderError> {
        self.hosts.resolve().await.map(|t| t.base_url().to_string())
    }

    /// `GET /public/services[?country=]`.
    pub async fn services(
        &self,
        country: Option<&str>,
    ) -> Result<Vec<NumberOtpService>, ProviderError> {
        let call = Call::get("/public/services").query_opt("country", country);
        self.hosts
            .usable()
            .await
            .send(call, decoders::services)
            .await
    }

    /// `GET /public/countries[?service=]`.
    pub async fn countries(
        &self,
        service: Option<&str>,
    ) -> Result<Vec<NumberOtpCountry>, ProviderError> {
        let call = Call::get("/public/countries").query_opt("service", service);
        self.hosts
            .usable()
            .await
            .send(call, decoders::countries)
            .await
    }

    /// The country named `name` (any case, surrounding spaces ignored), read from
    /// [`Self::countries`]: ids are not the same on every NumberOTP host, names are.
    pub async fn country_by_name(
        &self,
        name: &str,
    ) -> Result<Option<NumberOtpCountry>, ProviderError> {
        let want = name.trim();
        Ok(self.countries(None).await?.into_iter().find(|c| {
            c.name
                .as_deref()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(want))
        }))
    }

    /// The id to buy with for `id_or_name`: digits are an id as given; anything else is a
    /// country name looked up with [`Self::country_by_name`] (unknown: a `Validation` error).
    pub async fn country_id(&self, id_or_name: &str) -> Result<Id, ProviderError> {
        let given = id_or_name.trim();
        if !given.is_empty() && given.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Id::from(given));
        }
        match self.country_by_name(given).await? {
            Some(c) => Ok(c.id),
            None => Err(ProviderError::invalid(
                "country",
                format!("NumberOTP lists no country named {given:?}"),
            )),
        }
    }

    /// `GET /public/prices` (sent without the API key, as documented).
    pub async fn prices(&self) -> Result<Vec<NumberOtpPrice>, ProviderError> {
        let call = Call::get("/public/prices").no_auth();
        self.hosts.usable().await.send(call, decoders::prices).await
    }

    /// `POST /activations`: rent a number. Paid and not idempotent: a lost reply is
    /// `OutcomeUnknown`. Sent only to the base already in use (a first call resolves it with
    /// the key-less probe before anything is paid); never retried on the other host.
    pub async fn create_activation(
        &self,
        service: &str,
        country: &str,
    ) -> Result<Activation, ProviderError> {
        let call = Call::post(
            "/activations",
            json!({ "service": service, "country": country }),
        )
        .paid();
        self.hosts
            .usable()
            .await
            .send(call, decoders::created_activation)
            .await
    }

    /// `GET /activations/{id}`.
    pub async fn activation(&self, id: &Id) -> Result<Activation, ProviderError> {
        let call = Call::get("/activations/{id}")
            .at(format!("/activations/{}", path_segment(id.as_str())));
        self.hosts
            .usable()
            .await
            .send(call, decoders::activation)
            .await
    }

    /// `GET /activations/{id}/wait`: returns as soon as the code arrives, or the current state
    /// after up to 55 s. Uses `HttpOptions::long_poll_timeout`.
    pub async fn wait_activation(&self, id: &Id) -> Result<Activation, ProviderError> {
        let call = Call::get("/activations/{id}/wait")
            .at(format!("/activations/{}/wait", path_segment(id.as_str())))
            .long_poll();
        self.hosts
            .usable()
            .await
            .send(call, decoders::activation)
            .await
    }
}

#[cfg(test)]
mod decoder_tests;
