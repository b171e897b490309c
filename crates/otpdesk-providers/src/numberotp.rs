//! NumberOTP client (`https://numberotp.com/v1`): public catalogue and prices, activations with
//! manual polling or the `/wait` long poll. No reply body is documented: shapes are the ones in
//! WIRE.md, accepted bare, inside `{"data": ...}`, or (for lists) as bare arrays.

use crate::error::ProviderError;
use crate::http::{path_segment, Call, Envelope, HttpOptions, Transport};
use crate::lenient::{each, find_list, Amounts, Extra, Id, Obj};
use otpdesk_core::{ApiKey, Currency, Money, OrderStatus, Timestamp};
use serde_json::{json, Value};

/// `{"code":"wa","name":"WhatsApp"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberOtpService {
    pub code: String,
    pub name: Option<String>,
    pub extra: Extra,
}

/// `{"id":"67","name":"Indonesia","iso":"ID"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberOtpCountry {
    pub id: Id,
    pub name: Option<String>,
    pub iso: Option<String>,
    pub extra: Extra,
}

/// `{"service":"wa","country":"67","price":"0.25","currency":"USD","available":120}`.
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
    pub phone_number: Option<String>,
    pub service: Option<String>,
    pub country: Option<Id>,
    pub otp: Option<String>,
    pub full_sms: Option<String>,
    /// `waiting` (assumed) is `Pending`, `received` is `OtpReceived`.
    pub status: OrderStatus,
    pub price: Option<Money>,
    pub created_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub extra: Extra,
}

/// Async NumberOTP client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct NumberOtpClient {
    http: Transport,
}

impl NumberOtpClient {
    pub const DEFAULT_BASE_URL: &'static str = "https://numberotp.com/v1";

    /// `base_url` up to and including `/v1`. `options.long_poll_timeout` bounds [`Self::wait_activation`]
    /// and must stay above 55 s.
    pub fn new(
        base_url: &str,
        key: ApiKey,
        options: HttpOptions,
    ) -> Result<NumberOtpClient, ProviderError> {
        Ok(NumberOtpClient {
            http: Transport::new(base_url, key, options, Envelope::Bare)?,
        })
    }

    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// `GET /public/services[?country=]`.
    pub async fn services(
        &self,
        country: Option<&str>,
    ) -> Result<Vec<NumberOtpService>, ProviderError> {
        let call = Call::get("/public/services").query_opt("country", country);
        self.http.send(call, decoders::services).await
    }

    /// `GET /public/countries[?service=]`.
    pub async fn countries(
        &self,
        service: Option<&str>,
    ) -> Result<Vec<NumberOtpCountry>, ProviderError> {
        let call = Call::get("/public/countries").query_opt("service", service);
        self.http.send(call, decoders::countries).await
    }

    /// `GET /public/prices` (sent without the API key, as documented).
    pub async fn prices(&self) -> Result<Vec<NumberOtpPrice>, ProviderError> {
        self.http
            .send(Call::get("/public/prices").no_auth(), decoders::prices)
            .await
    }

    /// `POST /activations`: rent a number. Paid and not idempotent: a lost reply is
    /// `OutcomeUnknown`.
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
        self.http.send(call, decoders::created_activation).await
    }

    /// `GET /activations/{id}`.
    pub async fn activation(&self, id: &Id) -> Result<Activation, ProviderError> {
        let call = Call::get("/activations/{id}")
            .at(format!("/activations/{}", path_segment(id.as_str())));
        self.http.send(call, decoders::activation).await
    }

    /// `GET /activations/{id}/wait`: returns as soon as the code arrives, or the current state
    /// after up to 55 s. Uses `HttpOptions::long_poll_timeout`.
    pub async fn wait_activation(&self, id: &Id) -> Result<Activation, ProviderError> {
        let call = Call::get("/activations/{id}/wait")
            .at(format!("/activations/{}/wait", path_segment(id.as_str())))
            .long_poll();
        self.http.send(call, decoders::activation).await
    }
}

pub(crate) mod decoders {
    use super::*;

    /// Unwrap `{"data": {...}}` around a single object.
    fn unwrap_data(v: &Value) -> &Value {
        match v {
            Value::Object(m) if !m.contains_key("id") => match m.get("data") {
                Some(inner @ Value::Object(_)) => inner,
                _ => v,
            },
            _ => v,
        }
    }

    pub fn services(v: &Value) -> Result<Vec<NumberOtpService>, String> {
        each(find_list(v, "services")?, "services", |v| {
            let mut o = Obj::new(v, "service")?;
            Ok(NumberOtpService {
                code: o.req_str("code")?,
                name: o.str("name"),
                extra: o.extra(),
            })
        })
    }

    pub fn countries(v: &Value) -> Result<Vec<NumberOtpCountry>, String> {
        each(find_list(v, "countries")?, "countries", |v| {
            let mut o = Obj::new(v, "country")?;
            Ok(NumberOtpCountry {
                id: o.req_id("id")?,
                name: o.str("name"),
                iso: o.str("iso"),
                extra: o.extra(),
            })
        })
    }

    pub fn prices(v: &Value) -> Result<Vec<NumberOtpPrice>, String> {
        each(find_list(v, "prices")?, "prices", |v| {
            let mut o = Obj::new(v, "price")?;
            let cur = o.currency("currency", Currency::Usd)?;
            Ok(NumberOtpPrice {
                service: o.req_str("service")?,
                country: o.req_id("country")?,
                price: o.money("price", cur)?,
                available: o.int("available"),
                extra: o.extra(),
            })
        })
    }

    pub fn activation(v: &Value) -> Result<Activation, String> {
        activation_in(v, Amounts::Strict)
    }

    /// The reply of `POST /activations` (paid): only the id is required; an odd price or
    /// currency is `None` (warned).
    pub fn created_activation(v: &Value) -> Result<Activation, String> {
        activation_in(v, Amounts::Lenient("POST /activations"))
    }

    fn activation_in(v: &Value, amounts: Amounts) -> Result<Activation, String> {
        let mut o = Obj::new(unwrap_data(v), "activation")?;
        let id = o.req_id("id")?;
        let cur = o.currency_in("currency", Some(Currency::Usd), amounts)?;
        let otp = o.str("otp");
        let status = match o.str("status") {
            Some(s) => OrderStatus::from_provider(&s),
            None if otp.is_some() => OrderStatus::OtpReceived,
            None => OrderStatus::Pending,
        };
        Ok(Activation {
            id,
            phone_number: o.str("phone_number"),
            service: o.str("service"),
            country: o.id("country"),
            otp,
            full_sms: o.str("full_sms"),
            status,
            price: o.money_in("price", cur, amounts)?,
            created_at: o.time("created_at"),
            expires_at: o.time("expires_at"),
            extra: o.extra(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decoders::*;
    use super::*;

    #[test]
    fn documented_webhook_body_is_an_activation() {
        let a = activation(&json!({"id":"act_8f7d98x","phone_number":"14155552671","service":"wa","country":"67","otp":"482910","full_sms":"Your WhatsApp code is 482910.","status":"received"})).unwrap();
        assert_eq!(a.id.as_str(), "act_8f7d98x");
        assert_eq!(a.otp.as_deref(), Some("482910"));
        assert_eq!(a.status, OrderStatus::OtpReceived);
        assert!(a.extra.is_empty());
    }

    #[test]
    fn assumed_shapes_and_tolerance() {
        let a = activation(&json!({"data":{"id":12345,"phone_number":14155552671u64,"service":"wa","country":67,"otp":null,"full_sms":null,"status":"waiting","price":0.25,"currency":"USD","created_at":"2026-05-19T03:30:00Z","expires_at":1779162600,"operator":"tmobile"}})).unwrap();
        assert_eq!(a.id.as_str(), "12345");
        assert_eq!(a.phone_number.as_deref(), Some("14155552671"));
        assert_eq!(a.country, Some(Id::from("67")));
        assert_eq!(a.status, OrderStatus::Pending);
        assert_eq!(a.price.unwrap().minor, 250_000);
        assert!(a.created_at.is_some() && a.expires_at.is_some());
        assert_eq!(a.extra["operator"], json!("tmobile"));
        let a = activation(&json!({"id":"x","otp":"1234"})).unwrap();
        assert_eq!(a.status, OrderStatus::OtpReceived);
        let a = activation(&json!({"id":"x","status":"on_hold"})).unwrap();
        assert_eq!(a.status, OrderStatus::Unknown("on_hold".into()));
        assert!(activation(&json!({"phone_number":"1"})).is_err());
        assert!(activation(&json!({"id":"x","price":"cheap"})).is_err());
    }

    #[test]
    fn lists_in_any_wrapper() {
        assert_eq!(
            services(&json!({"services":[{"code":"wa","name":"WhatsApp"}]})).unwrap()[0].code,
            "wa"
        );
        assert_eq!(services(&json!([{"code":"tg"}])).unwrap()[0].code, "tg");
        assert_eq!(
            countries(&json!({"data":{"countries":[{"id":67,"name":"Indonesia","iso":"ID"}]}}))
                .unwrap()[0]
                .id
                .as_str(),
            "67"
        );
        let p = prices(&json!({"prices":[{"service":"wa","country":"67","price":"0.25","currency":"USD","available":120},{"service":"tg","country":6,"price":0.1}]})).unwrap();
        assert_eq!(p[0].price.unwrap().minor, 250_000);
        assert_eq!(p[1].price.unwrap(), Money::new(Currency::Usd, 100_000));
        assert!(prices(
            &json!({"prices":[{"service":"wa","country":"67","price":"0.25","currency":"BTC"}]})
        )
        .is_err());
    }

    #[test]
    fn created_activations_with_odd_prices_keep_their_id() {
        for v in [
            json!({"id":"act_1","status":"waiting","price":"0.2500001","currency":"USD"}),
            json!({"id":"act_1","status":"waiting","price":"cheap"}),
            json!({"id":"act_1","status":"waiting","price":"0.25","currency":"XYZ"}),
            json!({"data":{"id":"act_1","price":{"usd":0.25},"currency":"BTC"}}),
        ] {
            let a = created_activation(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!((a.id.as_str(), a.price), ("act_1", None), "{v}");
            assert!(activation(&v).is_err(), "reads stay strict: {v}");
        }
        let a = created_activation(&json!({"id":"act_1","price":"0.25"})).unwrap();
        assert_eq!(a.price.unwrap().minor, 250_000);
        assert!(created_activation(&json!({"price":"0.25"})).is_err());
    }
}
