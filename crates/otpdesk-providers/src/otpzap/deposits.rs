//! OTPZap account balance and QRIS top-ups (rupiah).

use super::{currency, OtpZapClient};
use crate::error::ProviderError;
use crate::http::Call;
use crate::lenient::{Amounts, Extra, Obj};
use otpdesk_core::{Currency, DepositStatus, Money, Timestamp};
use serde_json::{json, Value};

/// `GET /balance`: `{"balance":50000,"currency":"IDR"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    pub balance: Money,
    pub extra: Extra,
}

/// A QRIS top-up invoice from `POST /topup/create`. Send the customer to `payment_url`.
#[derive(Debug, Clone, PartialEq)]
pub struct Topup {
    pub order_id: String,
    pub amount: Option<Money>,
    /// Amount to pay including OTPZap's unique-code surcharge.
    pub total_amount: Option<Money>,
    pub payment_url: Option<String>,
    pub expired_at: Option<Timestamp>,
    pub extra: Extra,
}

/// `GET /topup/check`: `pending | success | expired | failed` as [`DepositStatus`].
#[derive(Debug, Clone, PartialEq)]
pub struct TopupStatus {
    pub order_id: String,
    pub amount: Option<Money>,
    pub status: DepositStatus,
    pub paid_at: Option<Timestamp>,
    pub created_at: Option<Timestamp>,
    pub extra: Extra,
}

impl OtpZapClient {
    /// `GET /balance`.
    pub async fn balance(&self) -> Result<Balance, ProviderError> {
        self.http
            .send(Call::get("/balance"), decoders::balance)
            .await
    }

    /// `POST /topup/create`: a QRIS invoice for `amount` (IDR, positive). Paid call: the same
    /// `idempotency_key` returns the same invoice, so a lost reply can be retried with it.
    pub async fn create_topup(
        &self,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<Topup, ProviderError> {
        if amount.currency != Currency::Idr || amount.minor <= 0 {
            return Err(ProviderError::invalid(
                "amount",
                format!("a top-up must be a positive IDR amount, not {amount}"),
            ));
        }
        let call = Call::post("/topup/create", json!({ "amount": amount.minor }))
            .paid()
            .idempotency_key(Some(idempotency_key));
        self.http.send(call, decoders::topup).await
    }

    /// `GET /topup/check?order_id=`.
    pub async fn topup_status(&self, order_id: &str) -> Result<TopupStatus, ProviderError> {
        let call = Call::get("/topup/check").query("order_id", order_id);
        self.http.send(call, decoders::topup_status).await
    }
}

pub(crate) mod decoders {
    use super::*;

    pub fn balance(v: &Value) -> Result<Balance, String> {
        let mut o = Obj::new(v, "balance")?;
        let cur = currency(&mut o)?;
        Ok(Balance {
            balance: o.req_money("balance", cur)?,
            extra: o.extra(),
        })
    }

    /// Paid like a create: only the invoice id is required; odd amounts are `None` (warned).
    pub fn topup(v: &Value) -> Result<Topup, String> {
        const PAID: Amounts = Amounts::Lenient("POST /topup/create");
        let mut o = Obj::new(v, "top-up")?;
        let order_id = o.req_str("order_id")?;
        let cur = o.currency_in("currency", Some(Currency::Idr), PAID)?;
        Ok(Topup {
            order_id,
            amount: o.money_in("amount", cur, PAID)?,
            total_amount: o.money_in("total_amount", cur, PAID)?,
            payment_url: o.str("payment_url"),
            expired_at: o.time("expired_at"),
            extra: o.extra(),
        })
    }

    pub fn topup_status(v: &Value) -> Result<TopupStatus, String> {
        let mut o = Obj::new(v, "top-up")?;
        let cur = currency(&mut o)?;
        Ok(TopupStatus {
            order_id: o.req_str("order_id")?,
            amount: o.money("amount", cur)?,
            status: DepositStatus::from_provider(&o.req_str("status")?),
            paid_at: o.time("paid_at"),
            created_at: o.time("created_at"),
            extra: o.extra(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decoders::*;
    use super::*;

    #[test]
    fn documented_examples() {
        let b = balance(&json!({"balance":50000,"currency":"IDR"})).unwrap();
        assert_eq!(b.balance, Money::idr(50000));
        let t = topup(&json!({"order_id":"APIDEP-3-xxx","amount":50000,"total_amount":50017,"payment_url":"https://otpzap.com/pay/APIDEP-3-xxx","expired_at":"2026-05-19 10:30:00 WIB"})).unwrap();
        assert_eq!(t.total_amount, Some(Money::idr(50017)));
        assert_eq!(
            t.expired_at.unwrap().to_rfc3339(),
            "2026-05-19T03:30:00+00:00"
        );
        let s = topup_status(&json!({"order_id":"APIDEP-3-xxx","amount":50000,"status":"success","paid_at":"2026-05-19 09:45:12 WIB","created_at":"2026-05-19 09:30:00 WIB"})).unwrap();
        assert_eq!(s.status, DepositStatus::Paid);
        assert!(s.paid_at.is_some());
    }

    #[test]
    fn edge_cases() {
        assert!(balance(&json!({"currency":"IDR"})).is_err());
        assert_eq!(
            balance(&json!({"balance":"50000"})).unwrap().balance,
            Money::idr(50000)
        );
        let s = topup_status(&json!({"order_id":"A","status":"refunding","bonus":1})).unwrap();
        assert_eq!(s.status, DepositStatus::Unknown("refunding".into()));
        assert_eq!(s.extra["bonus"], json!(1));
    }

    #[test]
    fn invoices_with_odd_amounts_keep_their_id() {
        let t = topup(&json!({"order_id":"APIDEP-3-x","amount":"50000.5","total_amount":50017,"currency":"IDR"})).unwrap();
        assert_eq!(t.order_id, "APIDEP-3-x");
        assert_eq!(t.amount, None);
        assert_eq!(t.total_amount, Some(Money::idr(50017)));
        let t = topup(&json!({"order_id":"APIDEP-3-x","amount":50000,"currency":"XYZ"})).unwrap();
        assert_eq!(t.amount, None);
        assert_eq!(t.extra["currency"], json!("XYZ"));
        assert!(topup(&json!({"amount":50000})).is_err());
    }
}
