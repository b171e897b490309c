//! The types of guarded automation that callers see and the store keeps: auto-replace jobs
//! ([`crate::jobs`]), the number blocklist ([`crate::blocklist`]) and watched offers
//! ([`crate::watch`]). Here, below the store and the events, so both can name them; the
//! behaviour lives in those three modules.

use crate::model::{BuyRequest, Time};
use otpdesk_core::{Money, ProviderId};
use serde::{Deserialize, Serialize};

/// What a job buys and the limits it is held to (money in the offer's currency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobRequest {
    pub req: BuyRequest,
    /// A number without a code this long after it was bought is replaced (milliseconds; the
    /// window and the command line take minutes).
    pub replace_after_ms: u32,
    /// At most this many numbers after the first (0 to [`MAX_REPLACEMENTS`]).
    pub max_replacements: u32,
    /// The job never spends more than this (charges less confirmed refunds).
    pub cap: Money,
    /// No number above this price (the service's maximum price applies too).
    pub max_price: Option<Money>,
    /// OTPZap Server 1 numbers on the blocklist are replaced at once.
    pub use_blocklist: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    /// A code came: the job's work is done.
    Done,
    /// It reached a limit: the cap, the replacements, the maximum price or no stock.
    GaveUp,
    /// Stopped by the user or on an uncertain outcome (see `reason`).
    Stopped,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::GaveUp => "gave_up",
            JobState::Stopped => "stopped",
        }
    }
    pub fn parse(s: &str) -> JobState {
        match s {
            "done" => JobState::Done,
            "gave_up" => JobState::GaveUp,
            "stopped" => JobState::Stopped,
            _ => JobState::Running,
        }
    }
}

/// One number of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobOrder {
    pub order_id: String,
    /// 1 for the first number, 2 for the first replacement…
    pub n: u32,
    pub bought_at: Time,
    /// When the job saw it closed (`None`: the live number, or the one it ended with).
    pub closed_at: Option<Time>,
    /// `cancelled`, `cancel_requested`, `replaced`, `expired`, `failed`, `completed`.
    pub how: Option<String>,
}

/// A job as stored, with what it spent so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobView {
    pub id: String,
    pub req: BuyRequest,
    pub provider: ProviderId,
    pub replace_after_ms: u32,
    pub max_replacements: u32,
    pub cap: Money,
    pub max_price: Option<Money>,
    pub use_blocklist: bool,
    pub state: JobState,
    /// Why it ended: `code_received`, `cap_reached`, `max_replacements`, `price_above_max`,
    /// `out_of_stock`, `stopped_by_user`, `outcome_unknown`, or another error code.
    pub reason: Option<String>,
    /// One English sentence about the end.
    pub message: Option<String>,
    /// The live number (a local order id).
    pub current_order: Option<String>,
    pub orders: Vec<JobOrder>,
    /// Numbers bought after the first.
    pub replacements: u32,
    /// Charges of its numbers less the refunds booked so far.
    pub spent: Money,
    pub created_at: Time,
    pub updated_at: Time,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// The number starts with these digits (international form, e.g. `62831`).
    Prefix,
    /// The number's operator (`telkomsel`, `indosat`, `xl`, `axis`, `tri`, `smartfren`).
    Operator,
}

impl BlockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Prefix => "prefix",
            BlockKind::Operator => "operator",
        }
    }
    pub fn parse(s: &str) -> BlockKind {
        if s == "operator" {
            BlockKind::Operator
        } else {
            BlockKind::Prefix
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BlockEntry {
    pub kind: BlockKind,
    pub value: String,
    pub note: Option<String>,
    pub created_at: Time,
}

/// A prefix or operator whose numbers often ended without a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BlockSuggestion {
    pub kind: BlockKind,
    pub value: String,
    /// Finished numbers that ended without a code (cancelled, expired, replaced, failed).
    pub failures: u32,
    /// Finished numbers in all.
    pub total: u32,
}

/// What to watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WatchRequest {
    pub req: BuyRequest,
    /// What the user calls it ("WhatsApp Indonesia, Server 1").
    pub label: String,
    /// Alert only at or under this price (`None`: as soon as it is in stock).
    pub target: Option<Money>,
    /// Buy one number automatically on the alert (explicit opt-in), at most `auto_max`.
    pub auto_buy: bool,
    pub auto_max: Option<Money>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum WatchState {
    Watching,
    /// Its automatic purchase is under way.
    Buying,
    /// It fired; nothing was bought.
    Alerted,
    /// It fired and bought its one number.
    Bought,
}

impl WatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchState::Watching => "watching",
            WatchState::Buying => "buying",
            WatchState::Alerted => "alerted",
            WatchState::Bought => "bought",
        }
    }
    pub fn parse(s: &str) -> WatchState {
        match s {
            "buying" => WatchState::Buying,
            "alerted" => WatchState::Alerted,
            "bought" => WatchState::Bought,
            _ => WatchState::Watching,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WatchView {
    pub id: String,
    pub req: BuyRequest,
    pub label: String,
    pub provider: ProviderId,
    pub target: Option<Money>,
    pub auto_buy: bool,
    pub auto_max: Option<Money>,
    pub state: WatchState,
    /// What the last look saw.
    pub last_price: Option<Money>,
    pub last_stock: Option<i64>,
    pub checked_at: Option<Time>,
    pub fired_at: Option<Time>,
    /// The number bought automatically.
    pub order_id: Option<String>,
    /// Why an automatic purchase did not happen (an English sentence).
    pub note: Option<String>,
    pub created_at: Time,
}
