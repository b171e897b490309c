//! Demo traffic for the soak benchmark (`scripts/bench-app.sh soak`): with
//! `OTPDESK_DEMO_TRAFFIC_SECS=<s>` set, the app in demo mode buys a demo order every `s` seconds
//! from its built-in simulator, finishes each order once its code has landed (the code is
//! notified like any other) and cancels those still without a code after a minute. A busy
//! reseller's hour of orders thus runs in minutes through the real engine, store, tray and
//! notifications. Never in real mode: the loop only acts while the session is the demo's.

use crate::events::AppMode;
use crate::state::AppState;
use otpdesk_core::{Money, ProviderId};
use otpdesk_engine::{CatalogItem, OrderFilter};
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

/// Seconds between two demo purchases; unset: no demo traffic.
pub const TRAFFIC_ENV: &str = "OTPDESK_DEMO_TRAFFIC_SECS";

/// An order still without a code this long after it was bought is cancelled (refunded).
const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::seconds(60);

/// The interval from [`TRAFFIC_ENV`]'s value (at least 0.1 s).
pub fn interval(env: Option<&str>) -> Option<Duration> {
    let secs: f64 = env?.trim().parse().ok()?;
    (secs.is_finite() && secs > 0.0).then(|| Duration::from_secs_f64(secs.max(0.1)))
}

/// Start the demo traffic when [`TRAFFIC_ENV`] asks for it.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let Some(every) = interval(std::env::var(TRAFFIC_ENV).ok().as_deref()) else {
        return;
    };
    tracing::info!("demo traffic: one order every {} ms", every.as_millis());
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut traffic = Traffic::default();
        loop {
            tokio::time::sleep(every).await;
            let state = app.state::<AppState>();
            if state.mode() != AppMode::Demo {
                continue;
            }
            if let Err(e) = traffic.step(&state).await {
                tracing::debug!("demo traffic: {e}");
            }
        }
    });
}

/// What the loop keeps between steps: the session it topped up and the offers it cycles through.
#[derive(Default)]
struct Traffic {
    session: Option<usize>,
    offers: Vec<CatalogItem>,
    bought: usize,
}

impl Traffic {
    async fn step(&mut self, state: &AppState) -> Result<(), String> {
        let session = state.session().await.map_err(|e| e.to_string())?;
        let id = Arc::as_ptr(&session) as usize;
        if self.session != Some(id) {
            // A new demo session: fill its accounts so the traffic never runs dry, and read
            // the cheapest offers in stock.
            let control = session
                .sim_control()
                .await
                .ok_or("no simulator in this session")?;
            for (provider, key, minor) in [
                (
                    ProviderId::Otpzap,
                    otpdesk_sim::DEMO_OTPZAP_KEY,
                    10_000_000_000,
                ),
                (
                    ProviderId::Numberotp,
                    otpdesk_sim::DEMO_NUMBEROTP_KEY,
                    10_000_000_000,
                ),
            ] {
                let currency = otpdesk_sim::ledger::currency_of(provider);
                control
                    .add_account(provider, key, Money::new(currency, minor))
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.offers = offers(&session.engine).await;
            self.session = Some(id);
            self.bought = 0;
        }
        let engine = &session.engine;
        // Finish what got its code, give up on what waited too long.
        let active = engine
            .orders(&OrderFilter {
                active_only: true,
                limit: Some(500),
                ..OrderFilter::default()
            })
            .map_err(|e| e.to_string())?;
        let now = chrono::Utc::now();
        for order in active {
            if order.otps.iter().any(|o| o.code.is_some()) {
                let _ = engine.finish(&order.id).await;
            } else if now - order.created_at > GIVE_UP_AFTER {
                let _ = engine.cancel(&order.id).await;
            }
        }
        if self.offers.is_empty() {
            return Err("no demo offer in stock".into());
        }
        let offer = &self.offers[self.bought % self.offers.len()];
        self.bought += 1;
        engine
            .buy(offer.target.clone())
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!("demo order bought ({} in this session)", self.bought);
        Ok(())
    }
}

/// Up to 20 priced offers in stock in Indonesia (else the first country), one per service.
async fn offers(engine: &otpdesk_engine::Engine) -> Vec<CatalogItem> {
    let countries = engine.catalog().countries().await.value;
    let Some(country) = countries
        .iter()
        .find(|c| c.name == "Indonesia")
        .or(countries.first())
    else {
        return Vec::new();
    };
    let mut items: Vec<CatalogItem> = engine
        .catalog()
        .items(country, None)
        .await
        .value
        .into_iter()
        .filter(|i| i.price.is_some() && i.stock != Some(0))
        .collect();
    items.sort_by(|a, b| a.service.cmp(&b.service));
    items.dedup_by(|a, b| a.service == b.service);
    items.truncate(20);
    items
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_interval_is_read_from_the_environment() {
        use std::time::Duration;
        assert_eq!(super::interval(None), None);
        assert_eq!(super::interval(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(
            super::interval(Some("0.01")),
            Some(Duration::from_millis(100))
        );
        assert_eq!(super::interval(Some("0")), None);
        assert_eq!(super::interval(Some("often")), None);
    }
}
