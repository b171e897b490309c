//! OTPZap: SMS numbers on Server 1 and 2, email inboxes on Server 3, QRIS top-ups. This module
//! sends its orders and deposits; [`catalog`] reads what it sells (and quotes), [`map`] turns its
//! replies into our shapes.

pub(crate) mod catalog;
mod map;

use super::{Door, ResendOutcome, SendBy};
use crate::config::ProviderConfig;
use crate::error::{EngineError, Result};
use crate::model::{BuyRequest, OrderKind, OrderView};
use crate::rate_budget::Priority;
use crate::remote::{CancelReply, RemoteDeposit, RemoteOrder};
use map::{email_check, email_ref, email_request, remote_id, zap_order};
use otpdesk_core::{DepositStatus, Money, ProviderId, Timestamp};
use otpdesk_providers::otpzap::{OrderRequest, OtpZapClient};
use otpdesk_providers::{Id, ProviderError};

const ASK: Option<Priority> = Some(Priority::Interactive);

pub(crate) struct OtpZap {
    client: OtpZapClient,
    pub(super) door: Door,
}

impl OtpZap {
    pub(super) fn new(c: &ProviderConfig, door: Door) -> Result<OtpZap> {
        let client = OtpZapClient::new(&c.base_url, c.key.clone(), c.http.clone())?;
        Ok(OtpZap { client, door })
    }

    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// Send one purchase with `idem_key` as its `Idempotency-Key` (a re-send only by `send_by`).
    pub async fn create(
        &self,
        req: &BuyRequest,
        idem_key: &str,
        send_by: SendBy,
    ) -> Result<RemoteOrder, ProviderError> {
        let c = &self.client;
        if let Some(r) = email_request(req) {
            // The key is sent (harmless, and honoured by some deployments) but never relied on.
            let mut v = self
                .door
                .call_by(ASK, send_by, c.create_email(&r, Some(idem_key)))
                .await?;
            if v.is_empty() {
                return Err(ProviderError::OutcomeUnknown {
                    endpoint: "POST /order/email-create".into(),
                    reason: "the reply listed no order".into(),
                });
            }
            let e = v.remove(0);
            let mut o = RemoteOrder::new(e.reference.clone(), e.status);
            o.remote_ref = Some(e.reference);
            o.server = e.server.or(Some(3));
            o.email = e.email;
            o.service = Some(r.site);
            return Ok(o);
        }
        let id = |n: &i64| Id::new(n.to_string());
        let r = match req {
            BuyRequest::OtpzapS1 {
                product_id,
                country_id,
                platform_id,
            } => OrderRequest::Server1 {
                product_id: id(product_id),
                country_id: Some(id(country_id)),
                platform_id: Some(id(platform_id)),
            },
            BuyRequest::OtpzapS2 {
                service_id,
                country_id,
                operator_id,
            } => OrderRequest::Server2 {
                service_id: id(service_id),
                country_id: id(country_id),
                operator_id: Some(operator_id.clone()),
            },
            BuyRequest::OtpzapS2Special { service_id } => OrderRequest::Server2Special {
                service_id: id(service_id),
            },
            BuyRequest::OtpzapS2Multi {
                service_ids,
                country_id,
                operator_id,
            } => OrderRequest::Server2Multi {
                service_ids: service_ids.iter().map(id).collect(),
                country_id: id(country_id),
                operator_id: Some(operator_id.clone()),
            },
            _ => return Err(super::not_ours(ProviderId::Otpzap, req)),
        };
        let c = self
            .door
            .call_by(ASK, send_by, c.create_order(&r, None, Some(idem_key)))
            .await?;
        let mut o = RemoteOrder::new(c.order_id.as_str(), c.status).about(
            c.service,
            c.price,
            c.created_at,
            None,
        );
        (o.remote_ref, o.server, o.phone) = (c.reference, c.server, c.phone);
        Ok(o)
    }

    /// One status check of an order.
    pub async fn check(
        &self,
        o: &OrderView,
        prio: Option<Priority>,
    ) -> Result<RemoteOrder, ProviderError> {
        let c = &self.client;
        match o.kind {
            OrderKind::Email => self
                .door
                .call(prio, c.email(&email_ref(o)))
                .await
                .map(email_check),
            OrderKind::Sms => self
                .door
                .call(prio, c.order(&remote_id(o)))
                .await
                .map(zap_order),
        }
    }

    /// Cancel; whether the reply confirms the refund, and its amount when stated (an SMS
    /// cancel may be only an acknowledgement, see `CancelledOrder::refund_confirmed`).
    pub async fn cancel(&self, o: &OrderView) -> Result<CancelReply, ProviderError> {
        let c = &self.client;
        Ok(match o.kind {
            OrderKind::Email => {
                let r = self.door.call(ASK, c.cancel_email(&email_ref(o))).await?;
                CancelReply {
                    refunded: r.refunded,
                    confirmed: r.refunded.is_some(),
                }
            }
            OrderKind::Sms => {
                let r = self.door.call(ASK, c.cancel_order(&remote_id(o))).await?;
                CancelReply {
                    refunded: r.refunded,
                    confirmed: r.refund_confirmed,
                }
            }
        })
    }

    pub async fn finish(&self, o: &OrderView) -> Result<(), ProviderError> {
        let c = &self.client;
        match o.kind {
            OrderKind::Email => drop(self.door.call(ASK, c.finish_email(&email_ref(o))).await?),
            OrderKind::Sms => drop(self.door.call(ASK, c.finish_order(&remote_id(o))).await?),
        }
        Ok(())
    }

    pub async fn resend(&self, o: &OrderView) -> Result<ResendOutcome, ProviderError> {
        let r = self
            .door
            .call(ASK, self.client.resend_order(&remote_id(o)))
            .await?;
        Ok(ResendOutcome {
            count: r.resend_count,
            locked_until: r.resend_locked_until,
        })
    }

    /// Email: wait for another message on the same inbox; its new expiry.
    pub async fn email_reorder(&self, o: &OrderView) -> Result<Option<Timestamp>, ProviderError> {
        let r = self
            .door
            .call(ASK, self.client.reorder_email(&email_ref(o)))
            .await?;
        Ok(r.expires_at)
    }

    /// Server 1 replace: the new order (the old one is refunded by OTPZap).
    pub async fn replace(&self, o: &OrderView) -> Result<RemoteOrder, ProviderError> {
        let r = self
            .door
            .call(ASK, self.client.replace_order(&remote_id(o)))
            .await?;
        let mut n = RemoteOrder::new(r.order_id.as_str(), r.status);
        n.remote_ref = r.reference;
        n.phone = r.phone;
        n.price = r.price.or(o.price);
        n.server = o.server;
        n.service = Some(o.service.clone());
        Ok(n)
    }

    /// A QRIS top-up invoice of `amount`.
    pub async fn create_qris(
        &self,
        amount: Money,
        idem_key: &str,
        send_by: SendBy,
    ) -> Result<RemoteDeposit, ProviderError> {
        let t = self
            .door
            .call_by(ASK, send_by, self.client.create_topup(amount, idem_key))
            .await?;
        Ok(RemoteDeposit {
            remote_id: t.order_id,
            amount: t.amount,
            total: t.total_amount,
            pay_url: t.payment_url,
            pay_address: None,
            status: DepositStatus::Pending,
            expires_at: t.expired_at,
            paid_at: None,
            credited: None,
        })
    }

    pub async fn check_qris(
        &self,
        remote_id: &str,
        prio: Option<Priority>,
    ) -> Result<RemoteDeposit, ProviderError> {
        let t = self
            .door
            .call(prio, self.client.topup_status(remote_id))
            .await?;
        Ok(RemoteDeposit {
            remote_id: t.order_id,
            amount: t.amount,
            total: None,
            pay_url: None,
            pay_address: None,
            status: t.status,
            expires_at: None,
            paid_at: t.paid_at,
            credited: t.amount,
        })
    }

    /// The account's balance.
    pub async fn balance(&self) -> Result<Money> {
        let b = self.door.read(self.client.balance()).await?;
        Ok(b.balance)
    }
}

/// Key check: the balance (costs nothing).
pub(super) async fn check_key(c: &ProviderConfig) -> Result<(), ProviderError> {
    let client = OtpZapClient::new(&c.base_url, c.key.clone(), c.http.clone())?;
    client.balance().await.map(drop)
}

/// An OTPZap id given as text (from a catalog list); they are integers on the wire.
pub(crate) fn int(id: &str) -> Result<i64> {
    id.trim()
        .parse()
        .map_err(|_| EngineError::Invalid(format!("{id:?} is not an OTPZap id.")))
}
