//! OTPZap SMS orders (Server 1 and 2): create, check, cancel, finish, resend, replace.

use super::{currency, OtpZapClient};
use crate::error::ProviderError;
use crate::http::Call;
use crate::lenient::{each, Amounts, Extra, Id, Obj};
use otpdesk_core::{Currency, Money, OrderStatus, Timestamp};
use serde_json::{json, Map, Value};

/// What to buy with `POST /order/create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRequest {
    /// Server 1 product (from `/products`); country and platform are sent when known.
    Server1 {
        product_id: Id,
        country_id: Option<Id>,
        platform_id: Option<Id>,
    },
    /// Server 2 regular service; `operator_id` `None` sends `"random"`.
    Server2 {
        service_id: Id,
        country_id: Id,
        operator_id: Option<String>,
    },
    /// Server 2 special service (pre-allocated numbers; no country/operator).
    Server2Special { service_id: Id },
    /// Server 2 multiservice: one number for several services.
    Server2Multi {
        service_ids: Vec<Id>,
        country_id: Id,
        operator_id: Option<String>,
    },
}

impl OrderRequest {
    /// The documented request body; `service_name`, when given, must match the selected service.
    pub fn to_json(&self, service_name: Option<&str>) -> Value {
        let operator = |o: &Option<String>| o.clone().unwrap_or_else(|| "random".to_string());
        let mut body = match self {
            OrderRequest::Server1 {
                product_id,
                country_id,
                platform_id,
            } => {
                let mut b = Map::new();
                b.insert("server".into(), json!(1));
                b.insert("product_id".into(), product_id.to_json());
                if let Some(c) = country_id {
                    b.insert("country_id".into(), c.to_json());
                }
                if let Some(p) = platform_id {
                    b.insert("platform_id".into(), p.to_json());
                }
                Value::Object(b)
            }
            OrderRequest::Server2 {
                service_id,
                country_id,
                operator_id,
            } => json!({
                "server": 2, "service_id": service_id.to_json(), "country_id": country_id.to_json(),
                "operator_id": operator(operator_id),
            }),
            OrderRequest::Server2Special { service_id } => json!({
                "server": 2, "service_id": service_id.to_json(), "is_special": true,
            }),
            OrderRequest::Server2Multi {
                service_ids,
                country_id,
                operator_id,
            } => json!({
                "server": 2, "service_ids": service_ids.iter().map(Id::to_json).collect::<Vec<_>>(),
                "country_id": country_id.to_json(), "operator_id": operator(operator_id),
            }),
        };
        if let (Some(name), Value::Object(map)) = (service_name, &mut body) {
            map.insert("service_name".into(), json!(name));
        }
        body
    }
}

/// One service of a multiservice order (shape assumed in WIRE.md).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedService {
    pub service_id: Option<Id>,
    pub service: Option<String>,
    pub price: Option<Money>,
    pub extra: Extra,
}

/// Reply of `POST /order/create`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedOrder {
    pub order_id: Id,
    /// OTPZap's `ref`.
    pub reference: Option<String>,
    pub server: Option<i64>,
    pub phone: Option<String>,
    pub service: Option<String>,
    /// Total price (for multiservice, the sum).
    pub price: Option<Money>,
    pub status: OrderStatus,
    pub multiservice: bool,
    pub services: Vec<OrderedService>,
    pub created_at: Option<Timestamp>,
    pub extra: Extra,
}

/// One received code of `otps[]` (oldest first). `service` is set on multiservice orders.
#[derive(Debug, Clone, PartialEq)]
pub struct Otp {
    pub code: String,
    pub received_at: Option<Timestamp>,
    pub service: Option<String>,
    pub extra: Extra,
}

/// `GET /order/check`: the order and its OTP timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub order_id: Id,
    pub reference: Option<String>,
    pub server: Option<i64>,
    pub phone: Option<String>,
    pub service: Option<String>,
    /// The latest code: OTPZap's `otp_code`, else the last entry of `otps`.
    pub otp_code: Option<String>,
    pub otps: Vec<Otp>,
    pub price: Option<Money>,
    pub status: OrderStatus,
    pub resend_count: Option<i64>,
    pub last_resend_at: Option<Timestamp>,
    pub resend_locked_until: Option<Timestamp>,
    /// Assumed in WIRE.md (20 minutes after creation).
    pub expires_at: Option<Timestamp>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub extra: Extra,
}

/// `POST /order/cancel`: `{"order_id":65,"refunded":2835}`. OTPZap says the balance is
/// "refunded automatically when system confirms cancellation", so an ok may be only an
/// acknowledgement (WIRE.md): `refunded: false` or `null` (or a `status` that is not final, such
/// as `cancelling`) means the refund is still to come; poll `order/check` until `cancelled`.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelledOrder {
    pub order_id: Option<Id>,
    /// The refunded amount when the reply states one exactly (an odd figure is `None`, warned).
    pub refunded: Option<Money>,
    /// The reply confirms the refund: `refunded` is an amount or `true`, or absent with no
    /// status saying otherwise (the documented reply: a successful cancel is refunded).
    pub refund_confirmed: bool,
    /// The order's status after the call, when the reply says it.
    pub status: Option<OrderStatus>,
    pub extra: Extra,
}

/// `POST /order/finish`: `{"order_id":65,"status":"success"}` (shape from WIRE.md).
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedOrder {
    pub order_id: Option<Id>,
    pub status: Option<OrderStatus>,
    pub extra: Extra,
}

/// `POST /order/resend` (shape from WIRE.md).
#[derive(Debug, Clone, PartialEq)]
pub struct ResendResult {
    pub order_id: Option<Id>,
    pub resend_count: Option<i64>,
    pub resend_locked_until: Option<Timestamp>,
    pub extra: Extra,
}

/// `POST /order/replace`: the new order that replaced `old_ref`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplacedOrder {
    pub order_id: Id,
    pub old_ref: Option<String>,
    pub reference: Option<String>,
    pub phone: Option<String>,
    pub price: Option<Money>,
    pub status: OrderStatus,
    pub extra: Extra,
}

impl OtpZapClient {
    /// `POST /order/create`. Paid: pass an `idempotency_key` so that a retry after
    /// `OutcomeUnknown` returns the first order instead of buying twice.
    pub async fn create_order(
        &self,
        request: &OrderRequest,
        service_name: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<CreatedOrder, ProviderError> {
        if let OrderRequest::Server2Multi { service_ids, .. } = request {
            if service_ids.is_empty() {
                return Err(ProviderError::invalid(
                    "service_ids",
                    "a multiservice order needs at least one service",
                ));
            }
        }
        let call = Call::post("/order/create", request.to_json(service_name))
            .paid()
            .idempotency_key(idempotency_key);
        self.http.send(call, decoders::created_order).await
    }

    /// `GET /order/check?order_id=`. Poll every 5 s at most.
    pub async fn order(&self, order_id: &Id) -> Result<Order, ProviderError> {
        let call = Call::get("/order/check").query("order_id", order_id);
        self.http.send(call, decoders::order).await
    }

    /// `POST /order/cancel`: `Cooldown` within 2 minutes of purchase (any 429 without a code is
    /// the cooldown, never the key's `RateLimited`), `Conflict` when not pending. `refunded` is
    /// `None` when the provider only confirms the cancellation later (WIRE.md).
    pub async fn cancel_order(&self, order_id: &Id) -> Result<CancelledOrder, ProviderError> {
        let call = Call::post("/order/cancel", json!({ "order_id": order_id.to_json() }))
            .action_scoped_429();
        self.http.send(call, decoders::cancelled).await
    }

    /// `POST /order/finish`.
    pub async fn finish_order(&self, order_id: &Id) -> Result<FinishedOrder, ProviderError> {
        let call = Call::post("/order/finish", json!({ "order_id": order_id.to_json() }));
        self.http.send(call, decoders::finished).await
    }

    /// `POST /order/resend`: `Cooldown` (any 429 without a code) until a new code arrived after
    /// the previous resend.
    pub async fn resend_order(&self, order_id: &Id) -> Result<ResendResult, ProviderError> {
        let call = Call::post("/order/resend", json!({ "order_id": order_id.to_json() }))
            .action_scoped_429();
        self.http.send(call, decoders::resend).await
    }

    /// `POST /order/replace` (Server 1): cancel and rebuy at the same product. Paid, and not
    /// idempotent: a lost reply is `OutcomeUnknown`; check the old order before trying again.
    pub async fn replace_order(&self, order_id: &Id) -> Result<ReplacedOrder, ProviderError> {
        let call = Call::post("/order/replace", json!({ "order_id": order_id.to_json() }))
            .paid()
            .action_scoped_429();
        self.http.send(call, decoders::replaced).await
    }
}

pub(crate) mod decoders {
    use super::*;

    fn status(o: &mut Obj<'_>) -> Result<OrderStatus, String> {
        Ok(OrderStatus::from_provider(&o.req_str("status")?))
    }

    /// Paid: only a missing or unreadable `order_id` fails; odd amounts are `None` (warned).
    pub fn created_order(v: &Value) -> Result<CreatedOrder, String> {
        const PAID: Amounts = Amounts::Lenient("POST /order/create");
        let mut o = Obj::new(v, "order")?;
        let order_id = o.req_id("order_id")?;
        let cur = o.currency_in("currency", Some(Currency::Idr), PAID)?;
        let services = o
            .list("services")
            .unwrap_or_default()
            .iter()
            .filter_map(|v| {
                let mut s = Obj::new(v, "service")
                    .map_err(|e| tracing::warn!(reply = "POST /order/create", "{e}; skipped"))
                    .ok()?;
                let cur = s.currency_in("currency", cur, PAID).ok()?;
                Some(OrderedService {
                    service_id: s.id("service_id"),
                    service: s.str("service").or_else(|| s.str("service_name")),
                    price: s.money_in("price", cur, PAID).ok()?,
                    extra: s.extra(),
                })
            })
            .collect::<Vec<_>>();
        Ok(CreatedOrder {
            order_id,
            reference: o.str("ref"),
            server: o.int("server"),
            phone: o.str("phone"),
            service: o.str("service"),
            price: o.money_in("price", cur, PAID)?,
            status: o
                .str("status")
                .map(|s| OrderStatus::from_provider(&s))
                .unwrap_or(OrderStatus::Pending),
            multiservice: o.bool("multiservice").unwrap_or(!services.is_empty()),
            services,
            created_at: o.time("created_at"),
            extra: o.extra(),
        })
    }

    fn otp(v: &Value) -> Result<Otp, String> {
        match v {
            // Tolerate a bare code string in the timeline.
            Value::String(s) => Ok(Otp {
                code: s.clone(),
                received_at: None,
                service: None,
                extra: Extra::new(),
            }),
            _ => {
                let mut o = Obj::new(v, "otp")?;
                Ok(Otp {
                    code: o
                        .str("code")
                        .or_else(|| o.str("otp"))
                        .ok_or("missing `code`")?,
                    received_at: o.time("received_at"),
                    service: o.str("service"),
                    extra: o.extra(),
                })
            }
        }
    }

    pub fn order(v: &Value) -> Result<Order, String> {
        let mut o = Obj::new(v, "order")?;
        let cur = currency(&mut o)?;
        let otps = match o.list("otps") {
            Some(items) => each(items, "otps", otp)?,
            None => Vec::new(),
        };
        let otp_code = o
            .str("otp_code")
            .or_else(|| otps.last().map(|x| x.code.clone()));
        Ok(Order {
            order_id: o.req_id("order_id")?,
            reference: o.str("ref"),
            server: o.int("server"),
            phone: o.str("phone"),
            service: o.str("service"),
            otp_code,
            otps,
            price: o.money("price", cur)?,
            status: status(&mut o)?,
            resend_count: o.int("resend_count"),
            last_resend_at: o.time("last_resend_at"),
            resend_locked_until: o.time("resend_locked_until"),
            expires_at: o.time("expires_at"),
            created_at: o.time("created_at"),
            updated_at: o.time("updated_at"),
            extra: o.extra(),
        })
    }

    /// The cancel happened whatever its refund says; whether the refund did is
    /// [`CancelledOrder::refund_confirmed`]. An odd `refunded` figure is `None` (warned) but
    /// still confirms the refund.
    pub fn cancelled(v: &Value) -> Result<CancelledOrder, String> {
        const READ: Amounts = Amounts::Lenient("POST /order/cancel");
        let refunded_raw = v.get("refunded").cloned();
        let mut o = Obj::new(v, "cancel reply")?;
        let cur = o.currency_in("currency", Some(Currency::Idr), READ)?;
        let status = o.str("status").map(|s| OrderStatus::from_provider(&s));
        let flag = |s: &str| match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" | "pending" => Some(false),
            _ => None,
        };
        let (refunded, refund_confirmed) = match &refunded_raw {
            // Absent: the documented reply always states it, so an ok without it is taken as
            // refunded, unless the status says the cancel is still in progress.
            None => (None, status.as_ref().is_none_or(OrderStatus::is_final)),
            Some(Value::Null) => (o.raw("refunded").and(None), false),
            Some(Value::Bool(b)) => (o.raw("refunded").and(None), *b),
            Some(Value::String(s)) if flag(s).is_some() => {
                (o.raw("refunded").and(None), flag(s) == Some(true))
            }
            Some(_) => (o.money_in("refunded", cur, READ)?, true),
        };
        Ok(CancelledOrder {
            order_id: o.id("order_id"),
            refunded,
            refund_confirmed,
            status,
            extra: o.extra(),
        })
    }

    pub fn finished(v: &Value) -> Result<FinishedOrder, String> {
        let mut o = Obj::new(v, "finish reply")?;
        Ok(FinishedOrder {
            order_id: o.id("order_id"),
            status: o.str("status").map(|s| OrderStatus::from_provider(&s)),
            extra: o.extra(),
        })
    }

    pub fn resend(v: &Value) -> Result<ResendResult, String> {
        let mut o = Obj::new(v, "resend reply")?;
        Ok(ResendResult {
            order_id: o.id("order_id"),
            resend_count: o.int("resend_count"),
            resend_locked_until: o.time("resend_locked_until"),
            extra: o.extra(),
        })
    }

    /// Paid like a create: only the new `order_id` is required.
    pub fn replaced(v: &Value) -> Result<ReplacedOrder, String> {
        const PAID: Amounts = Amounts::Lenient("POST /order/replace");
        let mut o = Obj::new(v, "replace reply")?;
        let order_id = o.req_id("order_id")?;
        let cur = o.currency_in("currency", Some(Currency::Idr), PAID)?;
        Ok(ReplacedOrder {
            order_id,
            old_ref: o.str("old_ref"),
            reference: o.str("ref"),
            phone: o.str("phone"),
            price: o.money_in("price", cur, PAID)?,
            status: o
                .str("status")
                .map(|s| OrderStatus::from_provider(&s))
                .unwrap_or(OrderStatus::Pending),
            extra: o.extra(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decoders::*;
    use super::*;

    #[test]
    fn request_bodies_match_the_docs() {
        let r = OrderRequest::Server1 {
            product_id: 814090256.into(),
            country_id: Some(7.into()),
            platform_id: Some(1.into()),
        };
        assert_eq!(
            r.to_json(None),
            json!({"server":1,"product_id":814090256,"country_id":7,"platform_id":1})
        );
        let r = OrderRequest::Server2 {
            service_id: 101.into(),
            country_id: 7.into(),
            operator_id: None,
        };
        assert_eq!(
            r.to_json(Some("WhatsApp")),
            json!({"server":2,"service_id":101,"country_id":7,"operator_id":"random","service_name":"WhatsApp"})
        );
        let r = OrderRequest::Server2Special {
            service_id: 501.into(),
        };
        assert_eq!(
            r.to_json(None),
            json!({"server":2,"service_id":501,"is_special":true})
        );
        let r = OrderRequest::Server2Multi {
            service_ids: vec![101.into(), 102.into(), 103.into()],
            country_id: 7.into(),
            operator_id: Some("telkomsel".into()),
        };
        assert_eq!(
            r.to_json(None),
            json!({"server":2,"service_ids":[101,102,103],"country_id":7,"operator_id":"telkomsel"})
        );
    }

    #[test]
    fn documented_examples() {
        let c = created_order(&json!({"order_id":65,"ref":"API3-xxx","server":1,"phone":"628xxx","service":"WhatsApp","price":2835,"currency":"IDR","status":"pending","multiservice":false,"created_at":"..."})).unwrap();
        assert_eq!(c.order_id.as_str(), "65");
        assert_eq!(c.price, Some(Money::idr(2835)));
        assert_eq!(c.status, OrderStatus::Pending);
        assert_eq!(c.created_at, None, "unreadable time is dropped, not fatal");
        let o = order(&json!({"order_id":65,"ref":"API3-xxx","server":1,"phone":"628xxx","service":"WhatsApp","otp_code":"123456","otps":[{"code":"123456","received_at":"2026-05-19 10:35:12 WIB"}],"price":2835,"currency":"IDR","status":"otp_received","resend_count":0,"last_resend_at":null,"resend_locked_until":null,"created_at":"2026-05-19 10:30:00 WIB","updated_at":"2026-05-19 10:35:12 WIB"})).unwrap();
        assert_eq!(o.otp_code.as_deref(), Some("123456"));
        assert_eq!(o.status, OrderStatus::OtpReceived);
        assert_eq!(o.resend_count, Some(0));
        assert!(o.extra.is_empty(), "{:?}", o.extra);
        let c = cancelled(&json!({"order_id":65,"refunded":2835})).unwrap();
        assert_eq!(c.refunded, Some(Money::idr(2835)));
        let r = replaced(&json!({"order_id":99,"old_ref":"API3-xxx","ref":"API3-yyy","phone":"628yyy","price":2835,"status":"pending"})).unwrap();
        assert_eq!(r.order_id.as_str(), "99");
        assert_eq!(r.old_ref.as_deref(), Some("API3-xxx"));
    }

    #[test]
    fn latest_otp_is_the_last_timeline_entry_when_otp_code_is_missing() {
        let o = order(&json!({"order_id":"65","status":"otp_received","otps":[{"code":"111111"},{"code":"222222","service":"Telegram"}]})).unwrap();
        assert_eq!(o.otp_code.as_deref(), Some("222222"));
        assert_eq!(o.otps[1].service.as_deref(), Some("Telegram"));
        let o = order(&json!({"order_id":65,"status":"pending","otp_code":"","otps":[]})).unwrap();
        assert_eq!(o.otp_code, None);
    }

    #[test]
    fn multiservice_and_unknown_status() {
        let c = created_order(&json!({"order_id":70,"price":"4500","status":"queued","multiservice":true,"services":[{"service_id":101,"service":"WhatsApp","price":1500}],"promo":"x"})).unwrap();
        assert!(c.multiservice);
        assert_eq!(c.services[0].price, Some(Money::idr(1500)));
        assert_eq!(c.status, OrderStatus::Unknown("queued".into()));
        assert_eq!(c.extra["promo"], json!("x"));
        assert!(
            order(&json!({"order_id":65})).is_err(),
            "status is required on check"
        );
        assert!(order(&json!({"order_id":65,"status":"pending","price":{"v":1}})).is_err());
    }

    #[test]
    fn paid_replies_with_odd_prices_keep_the_order() {
        let odd = [
            json!({"order_id":65,"ref":"API3-x","price":"2835.5","currency":"IDR","status":"pending"}),
            json!({"order_id":65,"ref":"API3-x","price":2835.5,"status":"pending"}),
            json!({"order_id":65,"ref":"API3-x","price":28.3500001,"currency":"USD","status":"pending"}),
            json!({"order_id":65,"ref":"API3-x","price":2835,"currency":"XYZ","status":"pending"}),
            json!({"order_id":65,"ref":"API3-x","price":{"amount":2835},"status":"pending"}),
            json!({"order_id":65,"ref":"API3-x","price":"-","currency":7,"status":"queued"}),
        ];
        for v in odd {
            let c = created_order(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(c.order_id.as_str(), "65", "{v}");
            assert_eq!(c.reference.as_deref(), Some("API3-x"));
            assert_eq!(c.price, None, "{v}");
            assert!(c.extra.contains_key("price"), "the raw price is kept: {v}");
            let r = replaced(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!((r.order_id.as_str(), r.price), ("65", None), "{v}");
        }
        // A USD price in range is read as USD, not dropped.
        let c = created_order(&json!({"order_id":1,"price":"0.25","currency":"USD"})).unwrap();
        assert_eq!(c.price.unwrap().to_decimal_string(), "0.250000");
        // Multiservice: a bad entry or an odd entry price loses only that detail.
        let c = created_order(&json!({"order_id":70,"price":4500,"services":[7,{"service_id":101,"price":"1500.25"},{"service_id":102,"price":1500,"currency":"XYZ"}]})).unwrap();
        assert_eq!(c.services.len(), 2);
        assert_eq!((c.services[0].price, c.services[1].price), (None, None));
        assert_eq!(c.price, Some(Money::idr(4500)));
        // Only the order id is required.
        for v in [
            json!({"ref":"API3-x","price":2835}),
            json!({"order_id":null,"price":2835}),
            json!({"order_id":[65],"price":2835}),
            json!({"order_id":"  ","price":2835}),
        ] {
            assert!(created_order(&v).is_err(), "{v}");
            assert!(replaced(&v).is_err(), "{v}");
        }
    }

    #[test]
    fn cancel_refund_may_be_confirmed_later() {
        let c = cancelled(&json!({"order_id":65,"refunded":false})).unwrap();
        assert_eq!(
            (c.refunded, c.refund_confirmed, c.status),
            (None, false, None)
        );
        assert!(c.extra.is_empty(), "{:?}", c.extra);
        let c = cancelled(&json!({"order_id":65,"refunded":null,"status":"cancelling"})).unwrap();
        assert_eq!((c.refunded, c.refund_confirmed), (None, false));
        assert_eq!(c.status, Some(OrderStatus::CancelRequested));
        let c = cancelled(&json!({"order_id":65,"refunded":"false"})).unwrap();
        assert!(!c.refund_confirmed);
        // Absent: the documented meaning (refunded) unless the status says otherwise.
        let c = cancelled(&json!({"order_id":65})).unwrap();
        assert_eq!(
            (c.refunded, c.refund_confirmed, c.status),
            (None, true, None)
        );
        let c = cancelled(&json!({"order_id":65,"status":"cancelling"})).unwrap();
        assert!(!c.refund_confirmed);
        let c = cancelled(&json!({"order_id":65,"status":"queued_for_refund"})).unwrap();
        assert!(!c.refund_confirmed, "an unknown status is not final");
        let c = cancelled(&json!({"order_id":65,"status":"cancelled"})).unwrap();
        assert!(c.refund_confirmed);
        // Confirmed: an amount (even an odd one) or `true`.
        let c = cancelled(&json!({"order_id":65,"refunded":2835})).unwrap();
        assert_eq!(
            (c.refunded, c.refund_confirmed),
            (Some(Money::idr(2835)), true)
        );
        let c = cancelled(&json!({"order_id":65,"refunded":true})).unwrap();
        assert_eq!((c.refunded, c.refund_confirmed), (None, true));
        let c = cancelled(&json!({"order_id":65,"refunded":"2835.5"})).unwrap();
        assert_eq!((c.refunded, c.refund_confirmed), (None, true));
    }
}
