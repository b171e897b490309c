//! OOPPay: USDT-TRC20 invoices that top up the reseller's USDT balance. Its requests and how its
//! payment orders become our deposits.

use super::Door;
use crate::config::ProviderConfig;
use crate::error::Result;
use crate::rate_budget::Priority;
use crate::remote::RemoteDeposit;
use otpdesk_core::{DepositStatus, Money};
use otpdesk_providers::ooppay::{CreatePayment, OopPayClient, PaymentOrder};
use otpdesk_providers::ProviderError;

pub(crate) struct OopPay {
    client: OopPayClient,
    pub(super) door: Door,
}

impl OopPay {
    pub(super) fn new(c: &ProviderConfig, door: Door) -> Result<OopPay> {
        let client = OopPayClient::new(&c.base_url, c.key.clone(), c.http.clone())?;
        Ok(OopPay { client, door })
    }

    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// An invoice of `amount`, named `merchant_order_id` (our attempt id: OOPPay refuses a
    /// second invoice with the same one).
    pub async fn create(
        &self,
        amount: Money,
        merchant_order_id: &str,
    ) -> Result<RemoteDeposit, ProviderError> {
        let req = CreatePayment {
            merchant_order_id: merchant_order_id.to_string(),
            amount,
            callback_url: None,
            expire_minutes: None,
        };
        self.door
            .call(Some(Priority::Interactive), self.client.create_order(&req))
            .await
            .map(payment)
    }

    pub async fn check(
        &self,
        remote_id: &str,
        prio: Option<Priority>,
    ) -> Result<RemoteDeposit, ProviderError> {
        self.door
            .call(prio, self.client.order(remote_id))
            .await
            .map(payment)
    }
}

/// Key check: a lookup of an invoice that cannot exist (free; "not found" means accepted).
pub(super) async fn check_key(c: &ProviderConfig, probe: &str) -> Result<(), ProviderError> {
    let client = OopPayClient::new(&c.base_url, c.key.clone(), c.http.clone())?;
    client.order(probe).await.map(drop)
}

fn payment(p: PaymentOrder) -> RemoteDeposit {
    RemoteDeposit {
        remote_id: p.order_id,
        amount: p.order_amount,
        total: p.pay_amount,
        pay_url: p.qr_code_url,
        pay_address: p.pay_address,
        status: p.status.unwrap_or(DepositStatus::Pending),
        expires_at: p.expire_at,
        paid_at: p.paid_at,
        credited: p.net_amount,
    }
}
