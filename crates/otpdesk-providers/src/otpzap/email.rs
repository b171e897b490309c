//! OTPZap Server 3: email inbox orders (create, check, reorder, cancel, finish).

use super::{currency, OtpZapClient};
use crate::error::ProviderError;
use crate::http::Call;
use crate::lenient::{each, kind, Amounts, Extra, Id, Obj};
use otpdesk_core::{Currency, Money, OrderStatus, Timestamp};
use serde_json::{json, Map, Value};

/// One domain, or aggregator mode: the first of `domains` with stock is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailDomainChoice {
    Domain(String),
    Aggregator(Vec<String>),
}

/// Body of `POST /order/email-create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailOrderRequest {
    pub site: String,
    pub domain: EmailDomainChoice,
    pub qty: Option<u32>,
    pub subject: Option<String>,
    pub regex: Option<String>,
}

impl EmailOrderRequest {
    pub fn to_json(&self) -> Value {
        let mut b = Map::new();
        b.insert("site".into(), json!(self.site));
        match &self.domain {
            EmailDomainChoice::Domain(d) => b.insert("domain".into(), json!(d)),
            EmailDomainChoice::Aggregator(ds) => b.insert("domains".into(), json!(ds)),
        };
        b.insert("qty".into(), json!(self.qty.unwrap_or(1)));
        if let Some(s) = &self.subject {
            b.insert("subject".into(), json!(s));
        }
        if let Some(r) = &self.regex {
            b.insert("regex".into(), json!(r));
        }
        Value::Object(b)
    }
}

/// One inbox bought by `email-create`.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailOrder {
    pub order_id: Option<Id>,
    /// OTPZap's `ref`, the handle for the other email endpoints.
    pub reference: String,
    pub server: Option<i64>,
    pub order_type: Option<String>,
    pub email: Option<String>,
    pub status: OrderStatus,
    pub extra: Extra,
}

/// A received message (`messages[]`, oldest first; shape from WIRE.md).
#[derive(Debug, Clone, PartialEq)]
pub struct EmailMessage {
    pub id: Option<Id>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub otp: Option<String>,
    pub received_at: Option<Timestamp>,
    pub extra: Extra,
}

/// `GET /order/email-check?ref=` (shape from WIRE.md).
#[derive(Debug, Clone, PartialEq)]
pub struct EmailCheck {
    pub order_id: Option<Id>,
    pub reference: String,
    pub email: Option<String>,
    pub site: Option<String>,
    pub domain: Option<String>,
    pub status: OrderStatus,
    pub otp: Option<String>,
    pub headline: Option<String>,
    pub preview: Option<String>,
    pub messages: Vec<EmailMessage>,
    pub price: Option<Money>,
    pub expires_at: Option<Timestamp>,
    pub created_at: Option<Timestamp>,
    pub extra: Extra,
}

/// Reply of `email-reorder` (`{"ref","status":"pending","expires_at"}`) and `email-finish`
/// (`{"ref","status":"success"}`), shapes from WIRE.md.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailStateChange {
    pub reference: Option<String>,
    pub status: Option<OrderStatus>,
    pub expires_at: Option<Timestamp>,
    pub extra: Extra,
}

/// Reply of `email-cancel`: `{"ref","refunded":11000,"cancel_fee":1000}` (WIRE.md).
#[derive(Debug, Clone, PartialEq)]
pub struct EmailCancelled {
    pub reference: Option<String>,
    pub refunded: Option<Money>,
    pub cancel_fee: Option<Money>,
    pub extra: Extra,
}

impl OtpZapClient {
    /// `POST /order/email-create`: one inbox, or `qty` inboxes. Paid. OTPZap documents no
    /// idempotency here (the simulator honours `Idempotency-Key`; the header is sent when given).
    pub async fn create_email(
        &self,
        request: &EmailOrderRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<EmailOrder>, ProviderError> {
        if let EmailDomainChoice::Aggregator(ds) = &request.domain {
            if ds.is_empty() {
                return Err(ProviderError::invalid(
                    "domains",
                    "aggregator mode needs at least one domain",
                ));
            }
        }
        if request.qty == Some(0) {
            return Err(ProviderError::invalid("qty", "qty must be at least 1"));
        }
        let call = Call::post("/order/email-create", request.to_json())
            .paid()
            .idempotency_key(idempotency_key);
        self.http.send(call, decoders::email_orders).await
    }

    /// `GET /order/email-check?ref=`.
    pub async fn email(&self, reference: &str) -> Result<EmailCheck, ProviderError> {
        let call = Call::get("/order/email-check").query("ref", reference);
        self.http.send(call, decoders::email_check).await
    }

    /// `POST /order/email-reorder`: wait for another message on the same inbox (not charged).
    pub async fn reorder_email(&self, reference: &str) -> Result<EmailStateChange, ProviderError> {
        let call = Call::post("/order/email-reorder", json!({ "ref": reference }));
        self.http.send(call, decoders::state_change).await
    }

    /// `POST /order/email-cancel`: before any message arrived; the refund may be cut by a fee.
    pub async fn cancel_email(&self, reference: &str) -> Result<EmailCancelled, ProviderError> {
        let call =
            Call::post("/order/email-cancel", json!({ "ref": reference })).action_scoped_429();
        self.http.send(call, decoders::cancelled).await
    }

    /// `POST /order/email-finish`.
    pub async fn finish_email(&self, reference: &str) -> Result<EmailStateChange, ProviderError> {
        let call = Call::post("/order/email-finish", json!({ "ref": reference }));
        self.http.send(call, decoders::state_change).await
    }
}

pub(crate) mod decoders {
    use super::*;

    fn email_order(v: &Value) -> Result<EmailOrder, String> {
        let mut o = Obj::new(v, "email order")?;
        Ok(EmailOrder {
            order_id: o.id("order_id"),
            reference: o.req_str("ref")?,
            server: o.int("server"),
            order_type: o.str("order_type"),
            email: o.str("email"),
            status: o
                .str("status")
                .map(|s| OrderStatus::from_provider(&s))
                .unwrap_or(OrderStatus::Pending),
            extra: o.extra(),
        })
    }

    /// `{"order":{...}}` for one inbox, `{"orders":[...]}` for `qty` > 1 (WIRE.md).
    pub fn email_orders(v: &Value) -> Result<Vec<EmailOrder>, String> {
        let Value::Object(map) = v else {
            return Err(format!("expected an object, got {}", kind(v)));
        };
        match (map.get("order"), map.get("orders")) {
            (_, Some(Value::Array(items))) => each(items, "orders", email_order),
            (Some(one), _) => Ok(vec![email_order(one)?]),
            _ if map.contains_key("ref") => Ok(vec![email_order(v)?]),
            _ => Err("missing `order`".to_string()),
        }
    }

    fn message(v: &Value) -> Result<EmailMessage, String> {
        let mut o = Obj::new(v, "message")?;
        Ok(EmailMessage {
            id: o.id("id"),
            from: o.str("from"),
            subject: o.str("subject"),
            body: o.str("body"),
            otp: o.str("otp"),
            received_at: o.time("received_at"),
            extra: o.extra(),
        })
    }

    pub fn email_check(v: &Value) -> Result<EmailCheck, String> {
        let mut o = Obj::new(v, "email order")?;
        let cur = currency(&mut o)?;
        let messages = match o.list("messages") {
            Some(items) => each(items, "messages", message)?,
            None => Vec::new(),
        };
        let otp = o
            .str("otp")
            .or_else(|| messages.iter().rev().find_map(|m| m.otp.clone()));
        Ok(EmailCheck {
            order_id: o.id("order_id"),
            reference: o.req_str("ref")?,
            email: o.str("email"),
            site: o.str("site"),
            domain: o.str("domain"),
            status: OrderStatus::from_provider(&o.req_str("status")?),
            otp,
            headline: o.str("headline"),
            preview: o.str("preview"),
            messages,
            price: o.money("price", cur)?,
            expires_at: o.time("expires_at"),
            created_at: o.time("created_at"),
            extra: o.extra(),
        })
    }

    pub fn state_change(v: &Value) -> Result<EmailStateChange, String> {
        let mut o = Obj::new(v, "email reply")?;
        Ok(EmailStateChange {
            reference: o.str("ref"),
            status: o.str("status").map(|s| OrderStatus::from_provider(&s)),
            expires_at: o.time("expires_at"),
            extra: o.extra(),
        })
    }

    /// The cancel happened whatever its amounts say: odd ones are `None` (warned).
    pub fn cancelled(v: &Value) -> Result<EmailCancelled, String> {
        const READ: Amounts = Amounts::Lenient("POST /order/email-cancel");
        let mut o = Obj::new(v, "email cancel reply")?;
        let cur = o.currency_in("currency", Some(Currency::Idr), READ)?;
        Ok(EmailCancelled {
            reference: o.str("ref"),
            refunded: o.money_in("refunded", cur, READ)?,
            cancel_fee: o.money_in("cancel_fee", cur, READ)?,
            extra: o.extra(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decoders::*;
    use super::*;

    #[test]
    fn request_bodies() {
        let r = EmailOrderRequest {
            site: "openai.com".into(),
            domain: EmailDomainChoice::Domain("gmail.com".into()),
            qty: None,
            subject: None,
            regex: None,
        };
        assert_eq!(
            r.to_json(),
            json!({"site":"openai.com","domain":"gmail.com","qty":1})
        );
        let r = EmailOrderRequest {
            site: "openai.com".into(),
            domain: EmailDomainChoice::Aggregator(vec!["gmail.com".into(), "outlook.com".into()]),
            qty: Some(2),
            subject: Some("code".into()),
            regex: Some(r"\d{6}".into()),
        };
        assert_eq!(
            r.to_json(),
            json!({"site":"openai.com","domains":["gmail.com","outlook.com"],"qty":2,"subject":"code","regex":"\\d{6}"})
        );
    }

    #[test]
    fn documented_and_assumed_examples() {
        let one = email_orders(&json!({"order":{"order_id":88,"ref":"APIE-3-xxx","server":3,"order_type":"email","email":"x@gmail.com","status":"pending"}})).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].reference, "APIE-3-xxx");
        let many =
            email_orders(&json!({"orders":[{"ref":"A"},{"ref":"B","order_id":"90"}]})).unwrap();
        assert_eq!(many[1].order_id, Some(Id::from("90")));
        let c = email_check(&json!({"order_id":88,"ref":"APIE-3-xxx","email":"x@gmail.com","site":"openai.com","domain":"gmail.com","status":"otp_received","otp":null,"headline":"Your code","preview":"...","messages":[{"id":1,"from":"noreply@openai.com","subject":"Code","body":"123456 is your code","otp":"123456","received_at":"2026-05-19 10:35:12 WIB"}],"price":12000,"expires_at":"2026-05-19 10:50:00 WIB","created_at":"2026-05-19 10:30:00 WIB"})).unwrap();
        assert_eq!(
            c.otp.as_deref(),
            Some("123456"),
            "falls back to the latest message's code"
        );
        assert_eq!(c.price, Some(Money::idr(12000)));
        assert!(c.messages[0].received_at.is_some());
        let x = cancelled(&json!({"ref":"APIE-3-xxx","refunded":11000,"cancel_fee":1000})).unwrap();
        assert_eq!(x.cancel_fee, Some(Money::idr(1000)));
        let s = state_change(&json!({"ref":"APIE-3-xxx","status":"success"})).unwrap();
        assert_eq!(s.status, Some(OrderStatus::Completed));
    }

    #[test]
    fn edge_cases() {
        assert!(email_orders(&json!({"nothing":1})).is_err());
        assert!(email_orders(&json!([1])).is_err());
        assert!(email_check(&json!({"ref":"A"})).is_err());
        let c =
            email_check(&json!({"ref":"A","status":"held","messages":"none","flag":1})).unwrap();
        assert_eq!(c.status, OrderStatus::Unknown("held".into()));
        assert!(c.messages.is_empty());
        assert_eq!(c.extra["flag"], json!(1));
    }
}
