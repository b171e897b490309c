//! The one door to the providers: every request takes a token from its key's [`RateBudget`]
//! first, a `Retry-After` closes that budget, and replies are turned into [`crate::remote`] shapes.

use crate::config::ProviderConfig;
use crate::error::{EngineError, Result};
use crate::model::{BuyRequest, OrderKind, OrderView};
use crate::rate_budget::{Priority, RateBudget};
use crate::remote::{CancelReply, RemoteDeposit, RemoteOrder, RemoteOtp};
use otpdesk_core::{DepositStatus, Money, OrderStatus, ProviderId, Timestamp};
use otpdesk_providers::numberotp::{Activation, NumberOtpClient};
use otpdesk_providers::ooppay::{CreatePayment, OopPayClient, PaymentOrder};
use otpdesk_providers::otpzap::{
    EmailCheck, EmailDomainChoice, EmailOrderRequest, Order, OrderRequest, OtpZapClient,
};
use otpdesk_providers::{Id, ProviderError};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

pub(crate) struct Gateway {
    otpzap: Option<OtpZapClient>,
    numberotp: Option<NumberOtpClient>,
    ooppay: Option<OopPayClient>,
    budgets: HashMap<ProviderId, Arc<RateBudget>>,
    /// NumberOTP service code → name (`wa` → `WhatsApp`), read once when first needed.
    numberotp_names: tokio::sync::OnceCell<HashMap<String, String>>,
}

/// Cancel / finish / resend outcomes the actions need.
pub(crate) struct ResendOutcome {
    pub count: Option<i64>,
    pub locked_until: Option<Timestamp>,
}

impl Gateway {
    /// Clients for `configs`; each key's rate budget is shared through `coord` with every
    /// process on the same order book.
    pub fn new(configs: &[ProviderConfig], coord: &Arc<crate::coord::Coord>) -> Result<Gateway> {
        let mut g = Gateway {
            otpzap: None,
            numberotp: None,
            ooppay: None,
            budgets: HashMap::new(),
            numberotp_names: tokio::sync::OnceCell::new(),
        };
        for c in configs {
            match c.provider {
                ProviderId::Otpzap => {
                    g.otpzap = Some(OtpZapClient::new(
                        &c.base_url,
                        c.key.clone(),
                        c.http.clone(),
                    )?)
                }
                ProviderId::Numberotp => {
                    g.numberotp = Some(NumberOtpClient::new(
                        &c.base_url,
                        c.key.clone(),
                        c.http.clone(),
                    )?)
                }
                ProviderId::Ooppay => {
                    g.ooppay = Some(OopPayClient::new(
                        &c.base_url,
                        c.key.clone(),
                        c.http.clone(),
                    )?)
                }
            }
            let name = format!("key:{}", c.provider.as_str());
            g.budgets.insert(
                c.provider,
                Arc::new(RateBudget::shared(c.budget, coord.clone(), name)),
            );
        }
        Ok(g)
    }

    /// NumberOTP names services by code (`wa`); an order shows the name from its public list
    /// (`WhatsApp`), as the catalog does. `None` when the list cannot be read (the code is kept).
    async fn numberotp_service_name(&self, code: &str) -> Option<String> {
        let c = self.numberotp.as_ref()?;
        let names = self
            .numberotp_names
            .get_or_try_init(|| async {
                let list = self
                    .guarded(
                        ProviderId::Numberotp,
                        Some(Priority::Interactive),
                        c.services(None),
                    )
                    .await?;
                Ok::<_, ProviderError>(
                    list.into_iter()
                        .filter_map(|s| Some((s.code, s.name?)))
                        .collect::<HashMap<_, _>>(),
                )
            })
            .await
            .ok()?;
        names.get(code).cloned()
    }

    pub fn configured(&self, p: ProviderId) -> bool {
        self.budgets.contains_key(&p)
    }

    pub fn budget(&self, p: ProviderId) -> Option<&Arc<RateBudget>> {
        self.budgets.get(&p)
    }

    /// Wait for a token, send, and close the budget when the provider says `Retry-After`.
    pub(crate) async fn guarded<T>(
        &self,
        p: ProviderId,
        prio: Option<Priority>,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        // `None`: the caller (the scheduler) already holds a token.
        if let (Some(b), Some(prio)) = (self.budgets.get(&p), prio) {
            if prio == Priority::Interactive {
                // Someone is waiting: a key closed for long is said at once, never waited out.
                if let Some(left) = b.blocked_for().filter(|d| *d > crate::money::MAX_BUY_WAIT) {
                    return Err(ProviderError::RateLimited {
                        retry_after: Some(left),
                    });
                }
            }
            b.acquire(prio).await;
        }
        let out = call.await;
        if let Err(ProviderError::RateLimited { retry_after }) = &out {
            if let Some(b) = self.budgets.get(&p) {
                // No Retry-After: assume the rest of a minute window is at stake.
                b.block_for(retry_after.unwrap_or(std::time::Duration::from_secs(10)));
            }
        }
        out
    }

    pub(crate) fn zap(&self) -> Result<&OtpZapClient> {
        self.otpzap
            .as_ref()
            .ok_or(EngineError::ProviderNotConfigured(ProviderId::Otpzap))
    }
    pub(crate) fn notp(&self) -> Result<&NumberOtpClient> {
        self.numberotp
            .as_ref()
            .ok_or(EngineError::ProviderNotConfigured(ProviderId::Numberotp))
    }
    pub(crate) fn oop(&self) -> Result<&OopPayClient> {
        self.ooppay
            .as_ref()
            .ok_or(EngineError::ProviderNotConfigured(ProviderId::Ooppay))
    }

    pub fn require(&self, p: ProviderId) -> Result<()> {
        match p {
            ProviderId::Otpzap => self.zap().map(|_| ()),
            ProviderId::Numberotp => self.notp().map(|_| ()),
            ProviderId::Ooppay => self.oop().map(|_| ()),
        }
    }

    /// Send one purchase. `idem_key` goes out as `Idempotency-Key` where the provider takes one.
    pub async fn create_order(
        &self,
        req: &BuyRequest,
        idem_key: &str,
    ) -> Result<Result<RemoteOrder, ProviderError>> {
        let p = req.provider();
        let prio = Some(Priority::Interactive);
        Ok(match req {
            BuyRequest::Numberotp { service, country } => {
                let c = self.notp()?;
                let mut o = self
                    .guarded(p, prio, c.create_activation(service, country))
                    .await
                    .map(activation);
                if let Ok(o) = &mut o {
                    let code = o.service.clone().unwrap_or_else(|| service.clone());
                    o.service = Some(self.numberotp_service_name(&code).await.unwrap_or(code));
                }
                o
            }
            BuyRequest::OtpzapEmail { .. } | BuyRequest::OtpzapEmailOptions { .. } => {
                let c = self.zap()?;
                let r = email_request(req);
                let site = &r.site;
                // The key is sent (harmless, and honoured by some deployments) but never relied on.
                match self
                    .guarded(p, prio, c.create_email(&r, Some(idem_key)))
                    .await
                {
                    Ok(mut v) if !v.is_empty() => {
                        let e = v.remove(0);
                        let mut o = RemoteOrder::new(e.reference.clone(), e.status);
                        o.remote_ref = Some(e.reference);
                        o.server = e.server.or(Some(3));
                        o.email = e.email;
                        o.service = Some(site.clone());
                        Ok(o)
                    }
                    Ok(_) => Err(ProviderError::OutcomeUnknown {
                        endpoint: "POST /order/email-create".into(),
                        reason: "the reply listed no order".into(),
                    }),
                    Err(e) => Err(e),
                }
            }
            _ => {
                let c = self.zap()?;
                let r = match req {
                    BuyRequest::OtpzapS1 {
                        product_id,
                        country_id,
                        platform_id,
                    } => OrderRequest::Server1 {
                        product_id: Id::new(product_id.to_string()),
                        country_id: Some(Id::new(country_id.to_string())),
                        platform_id: Some(Id::new(platform_id.to_string())),
                    },
                    BuyRequest::OtpzapS2 {
                        service_id,
                        country_id,
                        operator_id,
                    } => OrderRequest::Server2 {
                        service_id: Id::new(service_id.to_string()),
                        country_id: Id::new(country_id.to_string()),
                        operator_id: Some(operator_id.clone()),
                    },
                    BuyRequest::OtpzapS2Special { service_id } => OrderRequest::Server2Special {
                        service_id: Id::new(service_id.to_string()),
                    },
                    BuyRequest::OtpzapS2Multi {
                        service_ids,
                        country_id,
                        operator_id,
                    } => OrderRequest::Server2Multi {
                        service_ids: service_ids.iter().map(|s| Id::new(s.to_string())).collect(),
                        country_id: Id::new(country_id.to_string()),
                        operator_id: Some(operator_id.clone()),
                    },
                    _ => unreachable!("handled above"),
                };
                self.guarded(p, prio, c.create_order(&r, None, Some(idem_key)))
                    .await
                    .map(|c| {
                        let mut o = RemoteOrder::new(c.order_id.as_str(), c.status);
                        o.remote_ref = c.reference;
                        o.server = c.server;
                        o.phone = c.phone;
                        o.service = c.service;
                        o.price = c.price;
                        o.created_at = c.created_at;
                        o
                    })
            }
        })
    }

    /// One status check of an order (background priority).
    pub async fn check_order(
        &self,
        o: &OrderView,
        prio: Option<Priority>,
    ) -> Result<Result<RemoteOrder, ProviderError>> {
        Ok(match (o.provider, o.kind) {
            (ProviderId::Otpzap, OrderKind::Email) => {
                let c = self.zap()?;
                self.guarded(o.provider, prio, c.email(&email_ref(o)))
                    .await
                    .map(email_check)
            }
            (ProviderId::Otpzap, OrderKind::Sms) => {
                let c = self.zap()?;
                self.guarded(o.provider, prio, c.order(&remote_id(o)))
                    .await
                    .map(zap_order)
            }
            (ProviderId::Numberotp, _) => {
                let c = self.notp()?;
                self.guarded(o.provider, prio, c.activation(&remote_id(o)))
                    .await
                    .map(activation)
            }
            (ProviderId::Ooppay, _) => {
                return Err(EngineError::NotAllowed {
                    action: "check",
                    reason: "not an order".into(),
                })
            }
        })
    }

    /// NumberOTP long-poll: holds up to 55 s, returns as soon as a code arrives.
    pub async fn wait_activation(
        &self,
        o: &OrderView,
        prio: Option<Priority>,
    ) -> Result<Result<RemoteOrder, ProviderError>> {
        let c = self.notp()?;
        Ok(self
            .guarded(o.provider, prio, c.wait_activation(&remote_id(o)))
            .await
            .map(activation))
    }

    /// Cancel; says whether the reply confirms the refund, and its amount when stated.
    pub async fn cancel(&self, o: &OrderView) -> Result<Result<CancelReply, ProviderError>> {
        let c = self.zap()?;
        let prio = Some(Priority::Interactive);
        Ok(match o.kind {
            OrderKind::Email => self
                .guarded(o.provider, prio, c.cancel_email(&email_ref(o)))
                .await
                .map(|r| CancelReply {
                    refunded: r.refunded,
                    confirmed: r.refunded.is_some(),
                }),
            OrderKind::Sms => self
                .guarded(o.provider, prio, c.cancel_order(&remote_id(o)))
                .await
                .map(|r| CancelReply {
                    refunded: r.refunded,
                    confirmed: r.refund_confirmed,
                }),
        })
    }

    pub async fn finish(&self, o: &OrderView) -> Result<Result<(), ProviderError>> {
        let c = self.zap()?;
        let prio = Some(Priority::Interactive);
        Ok(match o.kind {
            OrderKind::Email => self
                .guarded(o.provider, prio, c.finish_email(&email_ref(o)))
                .await
                .map(|_| ()),
            OrderKind::Sms => self
                .guarded(o.provider, prio, c.finish_order(&remote_id(o)))
                .await
                .map(|_| ()),
        })
    }

    pub async fn resend(&self, o: &OrderView) -> Result<Result<ResendOutcome, ProviderError>> {
        let c = self.zap()?;
        Ok(self
            .guarded(
                o.provider,
                Some(Priority::Interactive),
                c.resend_order(&remote_id(o)),
            )
            .await
            .map(|r| ResendOutcome {
                count: r.resend_count,
                locked_until: r.resend_locked_until,
            }))
    }

    pub async fn email_reorder(
        &self,
        o: &OrderView,
    ) -> Result<Result<Option<Timestamp>, ProviderError>> {
        let c = self.zap()?;
        Ok(self
            .guarded(
                o.provider,
                Some(Priority::Interactive),
                c.reorder_email(&email_ref(o)),
            )
            .await
            .map(|r| r.expires_at))
    }

    /// OTPZap S1 replace: the new order (the old one is refunded by the provider).
    pub async fn replace(&self, o: &OrderView) -> Result<Result<RemoteOrder, ProviderError>> {
        let c = self.zap()?;
        Ok(self
            .guarded(
                o.provider,
                Some(Priority::Interactive),
                c.replace_order(&remote_id(o)),
            )
            .await
            .map(|r| {
                let mut n = RemoteOrder::new(r.order_id.as_str(), r.status);
                n.remote_ref = r.reference;
                n.phone = r.phone;
                n.price = r.price.or(o.price);
                n.server = o.server;
                n.service = Some(o.service.clone());
                n
            }))
    }

    pub async fn create_qris(
        &self,
        amount: Money,
        idem_key: &str,
    ) -> Result<Result<RemoteDeposit, ProviderError>> {
        let c = self.zap()?;
        Ok(self
            .guarded(
                ProviderId::Otpzap,
                Some(Priority::Interactive),
                c.create_topup(amount, idem_key),
            )
            .await
            .map(|t| RemoteDeposit {
                remote_id: t.order_id,
                amount: t.amount,
                total: t.total_amount,
                pay_url: t.payment_url,
                pay_address: None,
                status: DepositStatus::Pending,
                expires_at: t.expired_at,
                paid_at: None,
                credited: None,
            }))
    }

    pub async fn create_usdt(
        &self,
        amount: Money,
        merchant_order_id: &str,
    ) -> Result<Result<RemoteDeposit, ProviderError>> {
        let c = self.oop()?;
        let req = CreatePayment {
            merchant_order_id: merchant_order_id.to_string(),
            amount,
            callback_url: None,
            expire_minutes: None,
        };
        Ok(self
            .guarded(
                ProviderId::Ooppay,
                Some(Priority::Interactive),
                c.create_order(&req),
            )
            .await
            .map(payment))
    }

    pub async fn check_deposit(
        &self,
        p: ProviderId,
        remote_id: &str,
        prio: Option<Priority>,
    ) -> Result<Result<RemoteDeposit, ProviderError>> {
        Ok(match p {
            ProviderId::Otpzap => {
                let c = self.zap()?;
                self.guarded(p, prio, c.topup_status(remote_id))
                    .await
                    .map(|t| RemoteDeposit {
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
            ProviderId::Ooppay => {
                let c = self.oop()?;
                self.guarded(p, prio, c.order(remote_id)).await.map(payment)
            }
            ProviderId::Numberotp => {
                return Err(EngineError::NotAllowed {
                    action: "deposit",
                    reason: "NumberOTP has no deposits".into(),
                })
            }
        })
    }
}

/// The `email-create` body of an email purchase (one inbox).
fn email_request(req: &BuyRequest) -> EmailOrderRequest {
    let (site, domain, subject, regex) = match req {
        BuyRequest::OtpzapEmail { site, domain } => {
            (site, EmailDomainChoice::Domain(domain.clone()), None, None)
        }
        BuyRequest::OtpzapEmailOptions {
            site,
            domain,
            domains,
            subject,
            regex,
        } => {
            let choice = if domains.is_empty() {
                EmailDomainChoice::Domain(domain.clone().unwrap_or_default())
            } else {
                EmailDomainChoice::Aggregator(domains.clone())
            };
            let keep = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
            (site, choice, keep(subject), keep(regex))
        }
        _ => unreachable!("only called for email purchases"),
    };
    EmailOrderRequest {
        site: site.clone(),
        domain,
        qty: Some(1),
        subject,
        regex,
    }
}

fn email_ref(o: &OrderView) -> String {
    o.remote_ref.clone().unwrap_or_else(|| o.remote_id.clone())
}

fn remote_id(o: &OrderView) -> Id {
    Id::new(o.remote_id.clone())
}

fn zap_order(c: Order) -> RemoteOrder {
    let mut o = RemoteOrder::new(c.order_id.as_str(), c.status);
    o.remote_ref = c.reference;
    o.server = c.server;
    o.phone = c.phone;
    o.service = c.service;
    o.price = c.price;
    o.created_at = c.created_at;
    o.expires_at = c.expires_at;
    o.resend_count = c.resend_count;
    o.resend_locked_until = c.resend_locked_until;
    o.otps = c
        .otps
        .into_iter()
        .map(|x| RemoteOtp {
            code: Some(x.code),
            text: None,
            sender: None,
            service: x.service,
            received_at: x.received_at,
        })
        .collect();
    o
}

fn email_check(c: EmailCheck) -> RemoteOrder {
    let mut o = RemoteOrder::new(c.reference.clone(), c.status);
    o.remote_ref = Some(c.reference);
    o.server = Some(3);
    o.email = c.email;
    o.service = c.site;
    o.price = c.price;
    o.created_at = c.created_at;
    o.expires_at = c.expires_at;
    o.otps = c
        .messages
        .into_iter()
        .map(|m| RemoteOtp {
            code: m.otp,
            text: m.subject.map(|s| match &m.body {
                Some(b) => format!("{s}\n{b}"),
                None => s,
            }),
            sender: m.from,
            service: None,
            received_at: m.received_at,
        })
        .collect();
    o
}

fn activation(a: Activation) -> RemoteOrder {
    // A received code is only final for us when the provider closes the activation.
    let status = a.status;
    let mut o = RemoteOrder::new(a.id.as_str(), status);
    o.phone = a.phone_number;
    o.service = a.service;
    o.price = a.price;
    o.created_at = a.created_at;
    o.expires_at = a.expires_at;
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
