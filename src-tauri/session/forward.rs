//! The task that forwards a session's engine events to the window system: UI events, the tray
//! count, the notification and clipboard when a code lands, balances read again after a charge.

use crate::balance_watch::{self, BalanceWatch};
use crate::i18n;
use crate::settings::{Settings, SettingsStore};
use crate::shell::Shell;
use otpdesk_engine::{DepositView, Engine, EngineEvent};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

/// Orders not final yet.
pub fn active_count(engine: &Engine) -> usize {
    engine.active_order_count().unwrap_or(0)
}

/// What the forwarder works with.
pub struct Forward {
    pub engine: Engine,
    pub balances: Arc<BalanceWatch>,
    pub shell: Arc<dyn Shell>,
    pub settings: Arc<SettingsStore>,
    pub demo: bool,
}

/// Forward `engine`'s events until the task is aborted or the engine shuts down.
pub fn forward(f: Forward) -> JoinHandle<()> {
    let Forward {
        engine,
        balances,
        shell,
        settings,
        demo,
    } = f;
    let mut rx = engine.subscribe();
    shell.active_orders(active_count(&engine));
    tokio::spawn(async move {
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                // Missed some: the store has them; recount so the tray is right.
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "UI event forwarder lagged");
                    shell.active_orders(active_count(&engine));
                    continue;
                }
                Err(RecvError::Closed) => break,
            };
            // Team reads (catalog, prices) come and go by the dozen: the window has no use for them.
            if let EngineEvent::RequestChanged { request } = &event {
                if request.kind == otpdesk_engine::RequestKind::Read {
                    continue;
                }
            }
            match &event {
                // A late code (on a cancelled or replaced number) is shown on its card, tagged; it
                // is not a sale, so it is neither announced nor copied like a fresh code.
                EngineEvent::OtpReceived { otp, .. } if otp.late => {}
                EngineEvent::OtpReceived { order_id, otp, .. } => {
                    if let (Ok(order), Some(code)) = (engine.order(order_id), otp.code.as_deref()) {
                        shell.code_landed(&order, code, &settings.get(), demo);
                    }
                }
                EngineEvent::OrderCreated { .. } | EngineEvent::OrderStatusChanged { .. } => {
                    shell.active_orders(active_count(&engine));
                }
                EngineEvent::WatchAlert { watch, order } => {
                    let s = settings.get();
                    if s.notifications {
                        shell.watch_alert(watch, order.as_deref(), &s, demo);
                    }
                }
                EngineEvent::DepositPaid { deposit } | EngineEvent::DepositExpired { deposit } => {
                    let s = settings.get();
                    if s.notifications {
                        shell.notify(deposit_text(&s, deposit, demo), s.sound);
                    }
                }
                _ => {}
            }
            let moved = match &event {
                EngineEvent::BalanceChanged { entry } => Some(entry.provider),
                _ => None,
            };
            shell.engine_event(event);
            // A charge, refund or credit moved a balance: read it again (and check the alert)
            // without holding up the next events.
            if let Some(provider) = moved {
                let (engine, balances, shell) = (engine.clone(), balances.clone(), shell.clone());
                let s = settings.get();
                tokio::spawn(async move {
                    balance_watch::refresh(&engine, &balances, &*shell, &s, provider).await;
                });
            }
        }
    })
}

/// The paid / expired notification of a deposit, in the user's language.
fn deposit_text(s: &Settings, d: &DepositView, demo: bool) -> (String, String) {
    let lang = i18n::resolve(s.language);
    if d.status == otpdesk_core::DepositStatus::Paid {
        i18n::deposit_paid(lang, d.provider, d.credited.unwrap_or(d.amount), demo)
    } else {
        i18n::deposit_expired(lang, d.provider, d.amount, demo)
    }
}
