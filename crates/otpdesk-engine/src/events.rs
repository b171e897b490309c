//! The typed event stream. Events are sent only after the change they describe is committed, so a
//! listener that reads the store on an event always finds it there.

use crate::model::{AttemptView, DepositView, LedgerEntry, OrderView, OtpView};
use otpdesk_core::{DepositStatus, ErrorCode, OrderStatus, ProviderId};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    OrderCreated {
        order: Box<OrderView>,
    },
    OrderStatusChanged {
        order_id: String,
        provider: ProviderId,
        #[cfg_attr(feature = "specta", specta(type = String))]
        from: OrderStatus,
        #[cfg_attr(feature = "specta", specta(type = String))]
        to: OrderStatus,
    },
    OtpReceived {
        order_id: String,
        provider: ProviderId,
        otp: OtpView,
    },
    DepositCreated {
        deposit: Box<DepositView>,
    },
    DepositStatusChanged {
        deposit_id: String,
        provider: ProviderId,
        #[cfg_attr(feature = "specta", specta(type = String))]
        from: DepositStatus,
        #[cfg_attr(feature = "specta", specta(type = String))]
        to: DepositStatus,
    },
    DepositPaid {
        deposit: Box<DepositView>,
    },
    DepositExpired {
        deposit: Box<DepositView>,
    },
    BalanceChanged {
        entry: LedgerEntry,
    },
    /// A paid call whose outcome we cannot know: the user must check and reconcile or dismiss.
    OutcomeUnknown {
        attempt: Box<AttemptView>,
    },
    /// An unknown outcome was settled (found the order, or dismissed).
    AttemptResolved {
        attempt: Box<AttemptView>,
    },
    /// An auto-replace job changed (a number bought, closed or replaced; the job ended).
    JobChanged {
        job: Box<crate::automation_model::JobView>,
    },
    /// A watched offer is available (in stock, at or under its target price); `order` is the
    /// number bought for it when the user asked for one automatically.
    WatchAlert {
        watch: Box<crate::automation_model::WatchView>,
        order: Option<Box<OrderView>>,
    },
    /// Team mode: a request to the key holder's desktop was written, picked up or ended
    /// ([`crate::requests`]).
    RequestChanged {
        request: Box<crate::store::RequestView>,
    },
    /// Team mode: this desktop lost (`online: false`) or regained the team's server. While it
    /// is lost nothing is bought from this desktop.
    TeamConnection {
        online: bool,
    },
    /// A provider call failed in the background (tracking).
    ProviderError {
        provider: ProviderId,
        code: ErrorCode,
        message: String,
        order_id: Option<String>,
    },
}

#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<EngineEvent>,
}

impl EventBus {
    pub fn new(capacity: usize) -> EventBus {
        let (tx, _) = broadcast::channel(capacity);
        EventBus { tx }
    }

    /// Fire and forget: no subscriber is fine (the store is the record; events are news).
    pub fn send(&self, e: EngineEvent) {
        let _ = self.tx.send(e);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.tx.subscribe()
    }
}
