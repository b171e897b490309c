//! The providers, one module each: everything we know about a provider (its requests, how its
//! replies become our orders and deposits, its quote and its catalog) lives in its module. This
//! file is the one door to them: every request takes a token from its key's shared
//! [`RateBudget`] first ([`Door`]), a `Retry-After` closes that budget, and [`Gateway`] hands
//! each order or purchase to the module of its provider. See `docs/PROVIDERS.md`.

pub(crate) mod catalog;
pub(crate) mod numberotp;
pub(crate) mod ooppay;
pub(crate) mod otpzap;

use crate::config::ProviderConfig;
use crate::error::{EngineError, Result};
use crate::model::{BuyRequest, OrderView};
use crate::rate_budget::{Priority, RateBudget};
use crate::remote::{CancelReply, RemoteDeposit, RemoteOrder};
use otpdesk_core::{Money, ProviderId, Timestamp};
use otpdesk_providers::ProviderError;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::Arc;

/// The longest a purchase waits on a provider's `Retry-After` before it gives up (nothing bought).
pub const MAX_BUY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The latest moment a paid re-send may leave: the end of its Idempotency-Key window
/// ([`crate::config::TrackingConfig::resend_window`]). `None`: no deadline (a first try, or a
/// re-send after tries that cannot have charged).
pub(crate) type SendBy = Option<tokio::time::Instant>;

/// What [`Door::call_by`] answers when the rate budget held a re-send past its [`SendBy`]: it
/// was not sent, since the provider may have forgotten the key and would charge a second time.
pub(crate) fn not_resent() -> ProviderError {
    ProviderError::Validation {
        field: None,
        message:
            "not sent again: the Idempotency-Key window closed while it waited for the rate budget"
                .into(),
    }
}

/// A provider's rate-budget door: wait for a token, send, and close the budget when the
/// provider says `Retry-After`.
pub(crate) struct Door {
    budget: Arc<RateBudget>,
}

impl Door {
    /// `prio`: `None` when the caller (the scheduler) already holds a token.
    pub async fn call<T>(
        &self,
        prio: Option<Priority>,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        let b = &self.budget;
        if let Some(prio) = prio {
            if prio == Priority::Interactive {
                // Someone is waiting: a key closed for long is said at once, never waited out.
                if let Some(left) = b.blocked_for().filter(|d| *d > MAX_BUY_WAIT) {
                    return Err(ProviderError::RateLimited {
                        retry_after: Some(left),
                    });
                }
            }
            b.acquire(prio).await;
        }
        let out = call.await;
        if let Err(ProviderError::RateLimited { retry_after }) = &out {
            // No Retry-After: assume the rest of a minute window is at stake.
            b.block_for(retry_after.unwrap_or(std::time::Duration::from_secs(10)));
        }
        out
    }

    /// [`Door::call`] for a paid call that may be a re-send: the deadline is checked once the
    /// token is granted, right before the request leaves. Past it, nothing is sent.
    pub async fn call_by<T>(
        &self,
        prio: Option<Priority>,
        send_by: SendBy,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        let checked = async move {
            if send_by.is_some_and(|t| tokio::time::Instant::now() > t) {
                return Err(not_resent());
            }
            call.await
        };
        self.call(prio, checked).await
    }

    /// A read someone is looking at (catalog, balance, quote).
    pub async fn read<T>(
        &self,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        self.call(Some(Priority::Interactive), call).await
    }
}

/// How a provider's orders are tracked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Traits {
    /// Waiting for a code is a long-poll (NumberOTP `/wait`), not plain polls.
    pub long_poll: bool,
    /// An order gets one code and no resend: once it has it, only its end is left to see.
    pub one_code: bool,
}

pub(crate) fn traits(p: ProviderId) -> Traits {
    match p {
        ProviderId::Numberotp => numberotp::TRAITS,
        ProviderId::Otpzap | ProviderId::Ooppay => Traits {
            long_poll: false,
            one_code: false,
        },
    }
}

/// What the provider asks right now. `None` fields: the provider does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Quote {
    pub price: Option<Money>,
    pub stock: Option<i64>,
}

/// The quote of an offer that is no longer listed.
pub(crate) fn gone(what: &str) -> EngineError {
    EngineError::Provider(ProviderError::OutOfStock {
        message: format!("{what} is no longer offered"),
    })
}

/// Refuse when the fresh quote is worse than the purchase allows: no stock, a price above the
/// maximum the user set ([`EngineError::PriceAboveMax`]), or a price higher than the one the user
/// saw ([`EngineError::PriceChanged`]). The one home of every price check before a paid call.
pub(crate) fn check(q: &Quote, limits: PriceLimits) -> Result<()> {
    if q.stock == Some(0) {
        return Err(EngineError::Provider(ProviderError::OutOfStock {
            message: "sold out right now".into(),
        }));
    }
    if let Some(max) = limits.max {
        let Some(now) = q.price else {
            return Err(EngineError::Invalid(
                "The provider shows no price for this offer, so your maximum price cannot be checked; nothing was bought.".into(),
            ));
        };
        if now.currency != max.currency {
            return Err(EngineError::Invalid(format!(
                "The offer is priced in {}, your maximum price in {}; nothing was bought.",
                now.currency.code(),
                max.currency.code()
            )));
        }
        if now.minor > max.minor {
            return Err(EngineError::PriceAboveMax { max, current: now });
        }
    }
    if let (Some(exp), Some(now)) = (limits.expected, q.price) {
        if now.currency != exp.currency || now.minor > exp.minor {
            return Err(EngineError::PriceChanged {
                expected: exp,
                current: now,
            });
        }
    }
    Ok(())
}

/// What a purchase's fresh quote is held to (see [`check`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriceLimits {
    /// The price the user saw: refused with `price_changed` when it is higher now.
    pub expected: Option<Money>,
    /// The most the user will pay: refused with `price_above_max` above it.
    pub max: Option<Money>,
}

/// Whether `key` works at `base_url`, with a call that costs nothing (each provider's module
/// says which). `Ok`: accepted; [`ProviderError::Auth`]: refused; anything else: could not tell.
pub async fn check_key(
    provider: ProviderId,
    base_url: &str,
    key: &otpdesk_core::ApiKey,
) -> Result<(), ProviderError> {
    let c = ProviderConfig::new(provider, base_url, key.clone());
    let probe = format!("otpdesk-key-check-{}", uuid::Uuid::new_v4().simple());
    let out = match provider {
        ProviderId::Otpzap => otpzap::check_key(&c).await,
        ProviderId::Numberotp => numberotp::check_key(&c, &probe).await,
        ProviderId::Ooppay => ooppay::check_key(&c, &probe).await,
    };
    match out {
        // A lookup of an order that cannot exist: "not found" proves the key was accepted.
        Err(ProviderError::NotFound { .. }) => Ok(()),
        other => other,
    }
}

/// A purchase handed to a provider that does not sell it (a bug of ours, never sent).
pub(crate) fn not_ours(provider: ProviderId, req: &BuyRequest) -> ProviderError {
    ProviderError::Validation {
        field: None,
        message: format!(
            "a {} purchase cannot be bought at {}",
            req.provider().display_name(),
            provider.display_name()
        ),
    }
}

/// A resend's outcome.
pub(crate) struct ResendOutcome {
    pub count: Option<i64>,
    pub locked_until: Option<Timestamp>,
}

/// The providers this engine has a key for, each behind its door.
pub(crate) struct Gateway {
    pub otpzap: Option<otpzap::OtpZap>,
    pub numberotp: Option<numberotp::NumberOtp>,
    pub ooppay: Option<ooppay::OopPay>,
    /// Providers read for their public catalog only (no key).
    catalog_only: Vec<ProviderId>,
}

fn not_allowed(action: &'static str, reason: &str) -> EngineError {
    EngineError::NotAllowed {
        action,
        reason: reason.into(),
    }
}

/// `action` on an order of a provider that has no such call.
fn unsupported(p: ProviderId, kind: crate::model::ActionKind) -> EngineError {
    match p {
        ProviderId::Numberotp => {
            not_allowed(kind.as_str(), &crate::allowed::numberotp_refusal(kind))
        }
        _ => not_allowed(kind.as_str(), "not an order"),
    }
}

impl Gateway {
    /// Clients for `configs`; each key's rate budget is shared through `coord` with every
    /// process on the same order book.
    pub fn new(configs: &[ProviderConfig], coord: &Arc<crate::coord::Coord>) -> Result<Gateway> {
        let mut g = Gateway {
            otpzap: None,
            numberotp: None,
            ooppay: None,
            catalog_only: Vec::new(),
        };
        for c in configs {
            if c.catalog_only {
                g.catalog_only.push(c.provider);
            }
            let name = format!("key:{}", c.provider.as_str());
            let door = Door {
                budget: Arc::new(RateBudget::shared(c.budget, coord.clone(), name)),
            };
            match c.provider {
                ProviderId::Otpzap => g.otpzap = Some(otpzap::OtpZap::new(c, door)?),
                ProviderId::Numberotp => g.numberotp = Some(numberotp::NumberOtp::new(c, door)?),
                ProviderId::Ooppay => g.ooppay = Some(ooppay::OopPay::new(c, door)?),
            }
        }
        Ok(g)
    }

    fn door(&self, p: ProviderId) -> Option<&Door> {
        match p {
            ProviderId::Otpzap => self.otpzap.as_ref().map(|x| &x.door),
            ProviderId::Numberotp => self.numberotp.as_ref().map(|x| &x.door),
            ProviderId::Ooppay => self.ooppay.as_ref().map(|x| &x.door),
        }
    }

    /// Has a key: buys and tracks (catalog-only providers do not).
    pub fn configured(&self, p: ProviderId) -> bool {
        self.door(p).is_some() && !self.catalog_only.contains(&p)
    }

    pub fn budget(&self, p: ProviderId) -> Option<&Arc<RateBudget>> {
        self.door(p).map(|d| &d.budget)
    }

    pub(crate) fn zap(&self) -> Result<&otpzap::OtpZap> {
        self.otpzap
            .as_ref()
            .ok_or(EngineError::ProviderNotConfigured(ProviderId::Otpzap))
    }
    pub(crate) fn notp(&self) -> Result<&numberotp::NumberOtp> {
        self.numberotp
            .as_ref()
            .ok_or(EngineError::ProviderNotConfigured(ProviderId::Numberotp))
    }
    pub(crate) fn oop(&self) -> Result<&ooppay::OopPay> {
        self.ooppay
            .as_ref()
            .ok_or(EngineError::ProviderNotConfigured(ProviderId::Ooppay))
    }

    /// The address a provider is asked at now (`None`: not configured).
    pub fn base_url(&self, p: ProviderId) -> Option<String> {
        match p {
            ProviderId::Otpzap => self.otpzap.as_ref().map(|x| x.base_url()),
            ProviderId::Numberotp => self.numberotp.as_ref().map(|x| x.base_url()),
            ProviderId::Ooppay => self.ooppay.as_ref().map(|x| x.base_url()),
        }
    }

    /// Settle which address answers where a provider has two (NumberOTP), before it is needed.
    pub async fn resolve_base_urls(&self) {
        if let Some(n) = &self.numberotp {
            if let Err(e) = n.resolve_base().await {
                tracing::info!("NumberOTP answers at neither address yet: {e}");
            }
        }
    }

    pub fn require(&self, p: ProviderId) -> Result<()> {
        if self.configured(p) {
            Ok(())
        } else {
            Err(EngineError::ProviderNotConfigured(p))
        }
    }

    /// Send one purchase. `idem_key` goes out as `Idempotency-Key` where the provider takes one;
    /// a re-send of that key leaves only by `send_by`.
    pub async fn create_order(
        &self,
        req: &BuyRequest,
        idem_key: &str,
        send_by: SendBy,
    ) -> Result<Result<RemoteOrder, ProviderError>> {
        match req.provider() {
            ProviderId::Otpzap => Ok(self.zap()?.create(req, idem_key, send_by).await),
            ProviderId::Numberotp => Ok(self.notp()?.create(req).await),
            ProviderId::Ooppay => Err(not_allowed("buy", "OOPPay sells no numbers")),
        }
    }

    /// The provider's current price and stock of what `req` would buy (fresh, never cached).
    pub async fn quote(&self, req: &BuyRequest) -> Result<Quote> {
        match req.provider() {
            ProviderId::Otpzap => self.zap()?.quote(req).await,
            ProviderId::Numberotp => self.notp()?.quote(req).await,
            ProviderId::Ooppay => Err(not_allowed("quote", "OOPPay sells no numbers")),
        }
    }

    /// One status check of an order (`prio`: see [`Door::call`]).
    pub async fn check_order(
        &self,
        o: &OrderView,
        prio: Option<Priority>,
    ) -> Result<Result<RemoteOrder, ProviderError>> {
        match o.provider {
            ProviderId::Otpzap => Ok(self.zap()?.check(o, prio).await),
            ProviderId::Numberotp => Ok(self.notp()?.check(o, prio).await),
            ProviderId::Ooppay => Err(not_allowed("check", "not an order")),
        }
    }

    /// NumberOTP long-poll: holds up to 55 s, returns as soon as a code arrives.
    pub async fn wait_activation(
        &self,
        o: &OrderView,
        prio: Option<Priority>,
    ) -> Result<Result<RemoteOrder, ProviderError>> {
        Ok(self.notp()?.wait(o, prio).await)
    }

    /// Cancel; whether the reply confirms the refund, and its amount when stated.
    pub async fn cancel(&self, o: &OrderView) -> Result<Result<CancelReply, ProviderError>> {
        match o.provider {
            ProviderId::Otpzap => Ok(self.zap()?.cancel(o).await),
            p => Err(unsupported(p, crate::model::ActionKind::Cancel)),
        }
    }

    pub async fn finish(&self, o: &OrderView) -> Result<Result<(), ProviderError>> {
        match o.provider {
            ProviderId::Otpzap => Ok(self.zap()?.finish(o).await),
            p => Err(unsupported(p, crate::model::ActionKind::Finish)),
        }
    }

    pub async fn resend(&self, o: &OrderView) -> Result<Result<ResendOutcome, ProviderError>> {
        match o.provider {
            ProviderId::Otpzap => Ok(self.zap()?.resend(o).await),
            p => Err(unsupported(p, crate::model::ActionKind::Resend)),
        }
    }

    pub async fn email_reorder(
        &self,
        o: &OrderView,
    ) -> Result<Result<Option<Timestamp>, ProviderError>> {
        Ok(self.zap()?.email_reorder(o).await)
    }

    /// OTPZap S1 replace: the new order (the old one is refunded by the provider).
    pub async fn replace(&self, o: &OrderView) -> Result<Result<RemoteOrder, ProviderError>> {
        Ok(self.zap()?.replace(o).await)
    }

    pub async fn create_qris(
        &self,
        amount: Money,
        idem_key: &str,
        send_by: SendBy,
    ) -> Result<Result<RemoteDeposit, ProviderError>> {
        Ok(self.zap()?.create_qris(amount, idem_key, send_by).await)
    }

    pub async fn create_usdt(
        &self,
        amount: Money,
        merchant_order_id: &str,
    ) -> Result<Result<RemoteDeposit, ProviderError>> {
        Ok(self.oop()?.create(amount, merchant_order_id).await)
    }

    pub async fn check_deposit(
        &self,
        p: ProviderId,
        remote_id: &str,
        prio: Option<Priority>,
    ) -> Result<Result<RemoteDeposit, ProviderError>> {
        match p {
            ProviderId::Otpzap => Ok(self.zap()?.check_qris(remote_id, prio).await),
            ProviderId::Ooppay => Ok(self.oop()?.check(remote_id, prio).await),
            ProviderId::Numberotp => Err(not_allowed("deposit", "NumberOTP has no deposits")),
        }
    }
}

/// The lower of two maximum prices (the one given wins when their currencies differ: the check
/// then names the mismatch).
pub(crate) fn lower(a: Option<Money>, b: Option<Money>) -> Option<Money> {
    match (a, b) {
        (Some(a), Some(b)) if a.currency == b.currency && b.minor < a.minor => Some(b),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_budget::Budget;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;
    use tokio::time::Instant;

    /// A door whose first token comes one second from now.
    fn slow_door() -> Door {
        Door {
            budget: Arc::new(RateBudget::new(Budget {
                per_minute: 60.0,
                burst: 1.0,
                reserve: 0.0,
            })),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_resend_held_past_its_window_by_the_budget_is_not_sent() {
        let sent = AtomicBool::new(false);
        let send = || async {
            sent.store(true, Ordering::SeqCst);
            Ok::<_, ProviderError>(())
        };
        let door = slow_door();
        let by = Some(Instant::now() + Duration::from_millis(500));
        let out = door.call_by(Some(Priority::Interactive), by, send()).await;
        let err = out.unwrap_err();
        assert!(
            matches!(&err, ProviderError::Validation { message, .. } if message.contains("not sent again")),
            "{err:?}"
        );
        assert!(
            !sent.load(Ordering::SeqCst),
            "the request left after its window"
        );

        // The token in time: sent.
        let door = slow_door();
        let by = Some(Instant::now() + Duration::from_secs(2));
        door.call_by(Some(Priority::Interactive), by, send())
            .await
            .unwrap();
        assert!(sent.swap(false, Ordering::SeqCst));
        // No deadline: sent whenever the token comes.
        let door = slow_door();
        tokio::time::advance(Duration::from_secs(30)).await;
        door.call_by(Some(Priority::Interactive), None, send())
            .await
            .unwrap();
        assert!(sent.load(Ordering::SeqCst));
    }
}
