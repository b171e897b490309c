//! OOPPay client (`https://api.ooppay.io/api/v1`): USDT-TRC20 payment orders. Amounts are decimal
//! strings (USDT, 6 places); errors are `{"error":{"code","message","details":{"field","value"}}}`.

use crate::error::ProviderError;
use crate::http::{path_segment, Call, Envelope, HttpOptions, Transport};
use crate::lenient::{Amounts, Extra, Obj};
use otpdesk_core::{ApiKey, Currency, DepositStatus, Money, Timestamp};
use serde_json::{json, Map, Value};

/// Body of `POST /orders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePayment {
    /// Our own reference (OTPDesk's deposit id).
    pub merchant_order_id: String,
    /// USDT amount; sent as a decimal string.
    pub amount: Money,
    /// Per-order webhook URL; without it nothing is pushed and the order must be polled.
    pub callback_url: Option<String>,
    /// Default 30 at OOPPay.
    pub expire_minutes: Option<u32>,
}

impl CreatePayment {
    pub fn to_json(&self) -> Value {
        let mut b = Map::new();
        b.insert("merchant_order_id".into(), json!(self.merchant_order_id));
        b.insert("amount".into(), json!(self.amount.to_decimal_string()));
        if let Some(u) = &self.callback_url {
            b.insert("callback_url".into(), json!(u));
        }
        if let Some(m) = self.expire_minutes {
            b.insert("expire_minutes".into(), json!(m));
        }
        Value::Object(b)
    }
}

/// A payment order, as created (documented fields) or queried (adds `merchant_order_id`,
/// `status`, and once paid the amounts, `tx_hash`, `confirmations`, `paid_at`: assumed in WIRE.md).
/// The webhook body decodes to this type too.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentOrder {
    pub order_id: String,
    pub merchant_order_id: Option<String>,
    /// `None` on the create reply (the order is then pending).
    pub status: Option<DepositStatus>,
    pub pay_address: Option<String>,
    /// What the customer must send: `order_amount` + network buffer.
    pub pay_amount: Option<Money>,
    pub order_amount: Option<Money>,
    pub buffer_amount: Option<Money>,
    pub paid_amount: Option<Money>,
    pub net_amount: Option<Money>,
    pub fee_amount: Option<Money>,
    pub qr_code_url: Option<String>,
    pub tx_hash: Option<String>,
    pub confirmations: Option<i64>,
    pub expire_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    pub extra: Extra,
}

/// Async OOPPay client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct OopPayClient {
    http: Transport,
}

impl OopPayClient {
    pub const DEFAULT_BASE_URL: &'static str = "https://api.ooppay.io/api/v1";

    /// `base_url` up to and including `/api/v1`.
    pub fn new(
        base_url: &str,
        key: ApiKey,
        options: HttpOptions,
    ) -> Result<OopPayClient, ProviderError> {
        Ok(OopPayClient {
            http: Transport::new(base_url, key, options, Envelope::Bare)?,
        })
    }

    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// `POST /orders`. Not idempotent: a lost reply is `OutcomeUnknown` (look the order up by
    /// `merchant_order_id` in OOPPay's dashboard before creating another).
    pub async fn create_order(
        &self,
        request: &CreatePayment,
    ) -> Result<PaymentOrder, ProviderError> {
        if request.amount.currency != Currency::Usdt || request.amount.minor <= 0 {
            return Err(ProviderError::invalid(
                "amount",
                format!("the amount must be positive USDT, not {}", request.amount),
            ));
        }
        if request.merchant_order_id.trim().is_empty() {
            return Err(ProviderError::invalid(
                "merchant_order_id",
                "the merchant order id is empty",
            ));
        }
        let call = Call::post("/orders", request.to_json()).paid();
        self.http.send(call, decoders::created_payment).await
    }

    /// `GET /orders/{order_id}`.
    pub async fn order(&self, order_id: &str) -> Result<PaymentOrder, ProviderError> {
        let call =
            Call::get("/orders/{order_id}").at(format!("/orders/{}", path_segment(order_id)));
        self.http.send(call, decoders::payment_order).await
    }
}

pub(crate) mod decoders {
    use super::*;

    pub fn payment_order(v: &Value) -> Result<PaymentOrder, String> {
        payment_order_in(v, Amounts::Strict)
    }

    /// The reply of `POST /orders` (paid): only `order_id` is required; an amount that is not
    /// exact USDT is `None` (warned).
    pub fn created_payment(v: &Value) -> Result<PaymentOrder, String> {
        payment_order_in(v, Amounts::Lenient("POST /orders"))
    }

    fn payment_order_in(v: &Value, amounts: Amounts) -> Result<PaymentOrder, String> {
        let mut o = Obj::new(v, "payment order")?;
        let order_id = o.req_str("order_id")?;
        let usdt = Some(Currency::Usdt);
        Ok(PaymentOrder {
            order_id,
            merchant_order_id: o.str("merchant_order_id"),
            status: o.str("status").map(|s| DepositStatus::from_provider(&s)),
            pay_address: o.str("pay_address"),
            pay_amount: o.money_in("pay_amount", usdt, amounts)?,
            order_amount: o.money_in("order_amount", usdt, amounts)?,
            buffer_amount: o.money_in("buffer_amount", usdt, amounts)?,
            paid_amount: o.money_in("paid_amount", usdt, amounts)?,
            net_amount: o.money_in("net_amount", usdt, amounts)?,
            fee_amount: o.money_in("fee_amount", usdt, amounts)?,
            qr_code_url: o.str("qr_code_url"),
            tx_hash: o.str("tx_hash"),
            confirmations: o.int("confirmations"),
            expire_at: o.time("expire_at"),
            paid_at: o.time("paid_at"),
            extra: o.extra(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decoders::*;
    use super::*;

    #[test]
    fn request_body_sends_amount_as_decimal_string() {
        let r = CreatePayment {
            merchant_order_id: "ORDER_20250122_001".into(),
            amount: Money::parse(Currency::Usdt, "10.00").unwrap(),
            callback_url: Some("https://your-site.com/webhook".into()),
            expire_minutes: Some(30),
        };
        assert_eq!(
            r.to_json(),
            json!({"merchant_order_id":"ORDER_20250122_001","amount":"10.000000","callback_url":"https://your-site.com/webhook","expire_minutes":30})
        );
        let r = CreatePayment {
            callback_url: None,
            expire_minutes: None,
            ..r
        };
        assert_eq!(
            r.to_json(),
            json!({"merchant_order_id":"ORDER_20250122_001","amount":"10.000000"})
        );
    }

    #[test]
    fn documented_create_reply() {
        let p = payment_order(&json!({"order_id":"550e8400-e29b-41d4-a716-446655440000","pay_address":"TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9","pay_amount":"11.500000","order_amount":"10.000000","buffer_amount":"1.500000","qr_code_url":"https://api.ooppay.io/qr/550e8400-e29b-41d4-a716-446655440000","expire_at":1737123456})).unwrap();
        assert_eq!(p.pay_amount.unwrap().minor, 11_500_000);
        assert_eq!(p.buffer_amount.unwrap().minor, 1_500_000);
        assert_eq!(
            p.expire_at.unwrap().to_rfc3339(),
            "2025-01-17T14:17:36+00:00"
        );
        assert_eq!(p.status, None);
        assert!(p.extra.is_empty());
    }

    #[test]
    fn documented_webhook_body_and_tolerance() {
        let p = payment_order(&json!({"order_id":"550e8400-e29b-41d4-a716-446655440000","merchant_order_id":"ORDER_20250122_001","status":"paid","order_amount":"10.000000","paid_amount":"11.500000","net_amount":"9.950000","fee_amount":"0.050000","tx_hash":"7c2b","confirmations":3,"paid_at":"2025-01-22T10:32:15Z"})).unwrap();
        assert_eq!(p.status, Some(DepositStatus::Paid));
        assert_eq!(p.net_amount.unwrap().minor, 9_950_000);
        assert_eq!(p.fee_amount.unwrap().minor, 50_000);
        assert!(p.paid_at.is_some());
        let p = payment_order(
            &json!({"order_id":"x","status":"partially_paid","pay_amount":11.5,"chain":"tron"}),
        )
        .unwrap();
        assert_eq!(
            p.status,
            Some(DepositStatus::Unknown("partially_paid".into()))
        );
        assert_eq!(p.pay_amount.unwrap().minor, 11_500_000);
        assert_eq!(p.extra["chain"], json!("tron"));
        assert!(
            payment_order(&json!({"order_id":"x","pay_amount":"1.0000001"})).is_err(),
            "sub-micro amounts are refused, never rounded"
        );
        assert!(payment_order(&json!({"pay_amount":"1"})).is_err());
    }

    #[test]
    fn created_payments_with_odd_amounts_keep_their_id() {
        let p = created_payment(&json!({"order_id":"550e8400","pay_address":"TN3W","pay_amount":"11.5000001","order_amount":"10.000000","buffer_amount":"x"})).unwrap();
        assert_eq!(p.order_id, "550e8400");
        assert_eq!((p.pay_amount, p.buffer_amount), (None, None));
        assert_eq!(p.order_amount.unwrap().minor, 10_000_000);
        assert_eq!(p.extra["pay_amount"], json!("11.5000001"));
        assert!(created_payment(&json!({"pay_amount":"1"})).is_err());
    }
}
