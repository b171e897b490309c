//! Low-balance alerts: each time a balance is read (the balances command, and after every
//! charge, refund or paid top-up) it is compared with the user's threshold. Only a crossing
//! counts: one notification when the balance drops below, none on the polls that follow, and
//! a "back to normal" event (no notification) when it rises again.

use crate::catalog::{BalanceState, ProviderBalance};
use crate::i18n;
use crate::settings::Settings;
use crate::shell::Shell;
use otpdesk_core::{Money, ProviderId};
use otpdesk_engine::Engine;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// Sent when a provider's balance crosses its threshold (`low`), or recovers / the alert is
/// turned off (`low: false`). The UI shows a banner while `low`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct LowBalanceAlert {
    pub provider: ProviderId,
    pub balance: Money,
    pub threshold: Option<Money>,
    pub low: bool,
}

/// A fresh balance, read after it changed (e.g. a paid top-up).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct BalanceUpdated {
    pub balance: ProviderBalance,
}

/// Which providers are below their threshold right now (per session).
#[derive(Default)]
pub struct BalanceWatch {
    low: Mutex<HashMap<ProviderId, bool>>,
}

impl BalanceWatch {
    /// Record `balance`; `Some` when the low state changed.
    pub fn observe(
        &self,
        provider: ProviderId,
        balance: Money,
        threshold: Option<i64>,
    ) -> Option<LowBalanceAlert> {
        let now_low = threshold.is_some_and(|t| balance.minor < t);
        let mut map = self.low.lock().unwrap_or_else(|p| p.into_inner());
        let was_low = map.insert(provider, now_low).unwrap_or(false);
        (was_low != now_low).then(|| LowBalanceAlert {
            provider,
            balance,
            threshold: threshold.map(|t| Money::new(balance.currency, t)),
            low: now_low,
        })
    }

    pub fn is_low(&self, provider: ProviderId) -> bool {
        let map = self.low.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&provider).copied().unwrap_or(false)
    }
}

/// Compare a balance just read with the threshold; notify and announce a crossing.
pub fn seen(
    watch: &BalanceWatch,
    shell: &dyn Shell,
    settings: &Settings,
    provider: ProviderId,
    balance: Money,
) {
    let Some(alert) = watch.observe(provider, balance, settings.low_balance.get(provider)) else {
        return;
    };
    if alert.low && settings.notifications {
        if let Some(threshold) = alert.threshold {
            let lang = i18n::resolve(settings.language);
            shell.notify(i18n::low_balance(lang, provider, balance, threshold), false);
        }
    }
    shell.low_balance(&alert);
}

/// Every balance `engine` reads (see `catalog::balances`), checked against the thresholds.
pub async fn balances(
    engine: &Engine,
    watch: &BalanceWatch,
    shell: &dyn Shell,
    settings: &Settings,
) -> Vec<ProviderBalance> {
    let mut list = crate::catalog::balances(engine).await;
    for b in &mut list {
        if let BalanceState::Ok { amount } = b.balance {
            seen(watch, shell, settings, b.provider, amount);
        }
        b.low = watch.is_low(b.provider);
    }
    list
}

/// Read one provider's balance again after it changed, check it and announce it.
pub async fn refresh(
    engine: &Engine,
    watch: &BalanceWatch,
    shell: &dyn Shell,
    settings: &Settings,
    provider: ProviderId,
) {
    let list = balances(engine, watch, shell, settings).await;
    if let Some(b) = list.into_iter().find(|b| b.provider == provider) {
        shell.balance_updated(&b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_crossings_count() {
        let w = BalanceWatch::default();
        let p = ProviderId::Otpzap;
        assert!(w.observe(p, Money::idr(60_000), Some(50_000)).is_none());
        let a = w.observe(p, Money::idr(40_000), Some(50_000)).unwrap();
        assert!(a.low);
        assert_eq!(a.threshold, Some(Money::idr(50_000)));
        assert!(w.observe(p, Money::idr(30_000), Some(50_000)).is_none());
        assert!(w.observe(p, Money::idr(39_000), Some(50_000)).is_none());
        assert!(!w.observe(p, Money::idr(90_000), Some(50_000)).unwrap().low);
        assert!(w.observe(p, Money::idr(10), None).is_none(), "alert off");
    }
}
