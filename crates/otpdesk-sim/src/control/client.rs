//! [`SimControl`]: typed client of the control API, for other crates' tests.

use super::types::*;
use crate::ledger::{currency_of, key_fingerprint};
use otpdesk_core::{Money, ProviderId};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("control request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("control API answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("control API sent an amount we cannot read: {0}")]
    Amount(String),
}

/// Client of `http://127.0.0.1:PORT/_sim` (see [`crate::SimHandle::control`]).
#[derive(Debug, Clone)]
pub struct SimControl {
    base: String,
    http: reqwest::Client,
}

type R<T> = Result<T, ControlError>;

impl SimControl {
    /// `control_url` is the `/_sim` base, e.g. `http://127.0.0.1:4000/_sim`.
    pub fn new(control_url: impl Into<String>) -> SimControl {
        SimControl {
            base: control_url.into().trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> R<T> {
        let resp = req.send().await?;
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Err(ControlError::Status {
                status: status.as_u16(),
                body,
            });
        }
        Ok(resp.json().await?)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> R<T> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post<T: DeserializeOwned, B: Serialize + ?Sized>(&self, path: &str, body: &B) -> R<T> {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    async fn delete(&self, path: &str) -> R<()> {
        self.send::<Value>(self.http.delete(format!("{}{path}", self.base)))
            .await
            .map(|_| ())
    }

    pub async fn reset(&self) -> R<()> {
        self.post::<Value, _>("/reset", &json!({}))
            .await
            .map(|_| ())
    }

    /// Create an account (or reset its balance). `balance` must be in the provider's currency.
    pub async fn add_account(&self, provider: ProviderId, key: &str, balance: Money) -> R<()> {
        let body = AddAccount {
            provider,
            key: key.to_string(),
            balance: json!(balance.to_decimal_string()),
        };
        self.post::<Value, _>("/accounts", &body).await.map(|_| ())
    }

    pub async fn state(&self) -> R<StateView> {
        self.get("/state").await
    }

    pub async fn balances(&self) -> R<Vec<BalanceView>> {
        self.get("/balances").await
    }

    /// The balance of one key, `None` when no such account exists.
    pub async fn balance(&self, key: &str) -> R<Option<Money>> {
        let fp = key_fingerprint(key);
        let Some(b) = self.balances().await?.into_iter().find(|b| b.key_fp == fp) else {
            return Ok(None);
        };
        Money::parse(currency_of(b.provider), &b.balance)
            .map(Some)
            .map_err(|e| ControlError::Amount(e.to_string()))
    }

    /// Ledger entries, all or of one key.
    pub async fn ledger(&self, key: Option<&str>) -> R<Vec<LedgerEntry>> {
        match key {
            Some(k) => {
                self.get(&format!("/ledger?key_fp={}", key_fingerprint(k)))
                    .await
            }
            None => self.get("/ledger").await,
        }
    }

    /// Per account and Idempotency-Key: the creates that really ran under it and the ledger
    /// charges that carry it (`GET /idempotency`).
    pub async fn idempotency(&self) -> R<Vec<IdempotencyUse>> {
        self.get("/idempotency").await
    }

    /// Keys under which the provider created (and charged) more than once. Empty unless a key
    /// was reused after `idempotency_ttl_secs`, or a create ran twice for one key.
    pub async fn keys_charged_twice(&self) -> R<Vec<IdempotencyUse>> {
        Ok(self
            .idempotency()
            .await?
            .into_iter()
            .filter(|u| u.creates > 1 && u.charges > 1)
            .collect())
    }

    /// Deliver a generated OTP to an order / email / activation reference now.
    pub async fn deliver_otp(&self, reference: &str) -> R<Delivered> {
        self.deliver(&DeliverOtp {
            reference: reference.to_string(),
            ..DeliverOtp::default()
        })
        .await
    }

    /// Change an OTPZap Server 1 product's price or stock, now or after some more sales.
    pub async fn change_offer(&self, change: &OfferChange) -> R<()> {
        let _: Value = self.post("/offers", change).await?;
        Ok(())
    }

    /// The numbers the next OTPZap SMS orders get, in order.
    pub async fn next_phones(&self, phones: &[&str]) -> R<()> {
        let req = NextPhones {
            phones: phones.iter().map(|p| p.to_string()).collect(),
        };
        let _: Value = self.post("/phones", &req).await?;
        Ok(())
    }

    pub async fn deliver(&self, req: &DeliverOtp) -> R<Delivered> {
        self.post("/deliver", req).await
    }

    /// Pay an OTPZap top-up (`APIDEP-…`) or OOPPay order (uuid); returns its new view.
    pub async fn pay_deposit(&self, id: &str) -> R<Value> {
        self.post(&format!("/deposits/{id}/pay"), &json!({})).await
    }

    pub async fn expire_deposit(&self, id: &str) -> R<Value> {
        self.post(&format!("/deposits/{id}/expire"), &json!({}))
            .await
    }

    /// Mark a pending deposit `failed` (OTPZap top-up or OOPPay order).
    pub async fn fail_deposit(&self, id: &str) -> R<Value> {
        self.post(&format!("/deposits/{id}/fail"), &json!({})).await
    }

    pub async fn orders(&self) -> R<Value> {
        self.get("/orders").await
    }

    pub async fn requests(&self) -> R<RequestsView> {
        self.get("/requests").await
    }

    pub async fn clear_requests(&self) -> R<()> {
        self.delete("/requests").await
    }

    pub async fn config(&self) -> R<ConfigView> {
        self.get("/config").await
    }

    pub async fn set_config(&self, patch: &ConfigPatch) -> R<ConfigView> {
        self.post("/config", patch).await
    }

    /// Answer NumberOTP in the `doc` or the `realworld` dialect from now on.
    pub async fn set_numberotp_shape(&self, shape: NumberOtpShape) -> R<ConfigView> {
        self.set_config(&ConfigPatch {
            numberotp_shape: Some(shape),
            ..ConfigPatch::default()
        })
        .await
    }

    /// OTPZap's order, email and top-up creates take `ms` (real time) to process; meanwhile a
    /// second request with the same Idempotency-Key gets a 409 "in progress". 0 turns it off.
    pub async fn set_create_delay_ms(&self, ms: u64) -> R<ConfigView> {
        self.set_config(&ConfigPatch {
            create_delay_ms: Some(ms),
            ..ConfigPatch::default()
        })
        .await
    }

    /// Forget Idempotency-Keys `secs` (simulated) after their reply; `None`: keep them forever.
    pub async fn set_idempotency_ttl_secs(&self, secs: Option<u64>) -> R<ConfigView> {
        self.set_config(&ConfigPatch {
            idempotency_ttl_secs: Some(secs),
            ..ConfigPatch::default()
        })
        .await
    }

    /// `order/cancel` answers `{"order_id":..,"refunded":false}` and the cancel is confirmed
    /// (status `cancelled`, refund in the ledger) `secs` (simulated) later; `None`: at once.
    pub async fn set_cancel_confirm_delay_secs(&self, secs: Option<u64>) -> R<ConfigView> {
        self.set_config(&ConfigPatch {
            cancel_confirm_delay_secs: Some(secs),
            ..ConfigPatch::default()
        })
        .await
    }

    pub async fn set_webhook(&self, req: &WebhookConfigRequest) -> R<()> {
        self.post::<Value, _>("/webhooks", req).await.map(|_| ())
    }

    pub async fn webhook_deliveries(&self) -> R<Vec<WebhookDelivery>> {
        self.get("/webhooks/deliveries").await
    }

    /// Add a fault rule; returns its id.
    pub async fn add_fault(&self, rule: &FaultRule) -> R<u64> {
        let v: Value = self.post("/faults", rule).await?;
        Ok(v["id"].as_u64().unwrap_or(0))
    }

    pub async fn faults(&self) -> R<Vec<FaultView>> {
        self.get("/faults").await
    }

    pub async fn remove_fault(&self, id: u64) -> R<()> {
        self.delete(&format!("/faults/{id}")).await
    }

    pub async fn clear_faults(&self) -> R<()> {
        self.delete("/faults").await
    }

    pub async fn clock(&self) -> R<ClockView> {
        self.get("/clock").await
    }

    pub async fn set_clock(&self, update: &ClockUpdate) -> R<ClockView> {
        self.post("/clock", update).await
    }

    pub async fn advance_clock(&self, secs: u64) -> R<ClockView> {
        self.set_clock(&ClockUpdate {
            scale: None,
            advance_secs: Some(secs),
        })
        .await
    }

    /// 0 freezes the clock, 1 is real time, 60 is a minute per second.
    pub async fn set_clock_scale(&self, scale: u32) -> R<ClockView> {
        self.set_clock(&ClockUpdate {
            scale: Some(scale),
            advance_secs: None,
        })
        .await
    }
}
