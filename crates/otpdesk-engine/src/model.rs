//! What callers see: orders, OTPs, deposits, attempts, ledger entries, and what they ask for.
//! All serde-serializable so the desktop app can forward them as-is.

use chrono::{DateTime, Utc};
use otpdesk_core::{DepositStatus, ErrorCode, Money, OrderStatus, ProviderId};
use serde::{Deserialize, Serialize};

pub type Time = DateTime<Utc>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Sms,
    Email,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Sms => "sms",
            OrderKind::Email => "email",
        }
    }
    pub fn parse(s: &str) -> OrderKind {
        if s == "email" {
            OrderKind::Email
        } else {
            OrderKind::Sms
        }
    }
}

/// One code (SMS) or message (email) in an order's timeline, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OtpView {
    /// Position in the provider's timeline; unique per order.
    pub seq: i64,
    pub code: Option<String>,
    pub text: Option<String>,
    pub sender: Option<String>,
    pub service: Option<String>,
    pub received_at: Option<Time>,
    pub stored_at: Time,
    /// Arrived after the order was cancelled (or its cancel requested) or replaced: shown, but
    /// never a sale (nothing is charged for it).
    #[serde(default)]
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderView {
    /// Our stable local id (UUID v4 text).
    pub id: String,
    pub provider: ProviderId,
    pub kind: OrderKind,
    /// OTPZap server (1, 2, 3 for email); `None` for other providers.
    pub server: Option<i64>,
    /// The provider's order / activation id.
    pub remote_id: String,
    /// OTPZap's `ref` (email orders are addressed by it).
    pub remote_ref: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub service: String,
    pub price: Option<Money>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub status: OrderStatus,
    pub created_at: Time,
    pub updated_at: Time,
    pub expires_at: Option<Time>,
    pub resend_count: i64,
    /// When the next resend unlocks, when known.
    pub resend_locked_until: Option<Time>,
    /// A resend was sent; the next one unlocks once a new OTP arrives.
    pub resend_waiting_for_otp: bool,
    /// When cancel becomes possible (OTPZap: 2 minutes after purchase).
    pub cancel_unlocks_at: Option<Time>,
    pub attempt_id: Option<String>,
    /// Local id of the order that replaced this one.
    pub replaced_by: Option<String>,
    pub otps: Vec<OtpView>,
    /// Completed, cancelled, expired, failed or replaced: nothing more will happen.
    pub is_final: bool,
    /// What the user can do now or from a known time ([`crate::allowed`]); the engine refuses
    /// every other action.
    pub actions: Vec<AllowedAction>,
}

impl OrderView {
    /// The latest code, the one automations want (late codes included: they are real SMS).
    pub fn latest_code(&self) -> Option<&str> {
        self.otps.iter().rev().find_map(|o| o.code.as_deref())
    }

    /// A code reached this order after it was cancelled or replaced.
    pub fn has_late_code(&self) -> bool {
        self.otps.iter().any(|o| o.late)
    }

    /// Codes arrived, all of them late: the number was not used, so it is no sale.
    pub fn only_late_codes(&self) -> bool {
        !self.otps.is_empty() && self.otps.iter().all(|o| o.late)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DepositKind {
    /// OTPZap QRIS top-up (IDR).
    Qris,
    /// OOPPay USDT-TRC20 invoice.
    Usdt,
}

impl DepositKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DepositKind::Qris => "qris",
            DepositKind::Usdt => "usdt",
        }
    }
    pub fn parse(s: &str) -> DepositKind {
        if s == "usdt" {
            DepositKind::Usdt
        } else {
            DepositKind::Qris
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DepositView {
    pub id: String,
    pub provider: ProviderId,
    pub kind: DepositKind,
    pub remote_id: String,
    pub amount: Money,
    /// What the payer must send (QRIS total with fee, USDT amount plus network buffer).
    pub total: Option<Money>,
    pub pay_url: Option<String>,
    pub pay_address: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub status: DepositStatus,
    pub created_at: Time,
    pub updated_at: Time,
    pub expires_at: Option<Time>,
    pub paid_at: Option<Time>,
    pub credited: Option<Money>,
    pub attempt_id: Option<String>,
    /// Paid, expired or failed.
    pub is_final: bool,
    /// What the user can do with it ([`crate::allowed`]; no provider has a deposit action).
    pub actions: Vec<AllowedAction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AttemptKind {
    Sms,
    Email,
    TopupQris,
    TopupUsdt,
    Replace,
}

impl AttemptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Sms => "sms",
            AttemptKind::Email => "email",
            AttemptKind::TopupQris => "topup_qris",
            AttemptKind::TopupUsdt => "topup_usdt",
            AttemptKind::Replace => "replace",
        }
    }
    pub fn parse(s: &str) -> AttemptKind {
        match s {
            "email" => AttemptKind::Email,
            "topup_qris" => AttemptKind::TopupQris,
            "topup_usdt" => AttemptKind::TopupUsdt,
            "replace" => AttemptKind::Replace,
            _ => AttemptKind::Sms,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// Written, maybe sent: a crash here is reconciled on the next start.
    Pending,
    Succeeded,
    /// The provider refused it; nothing was bought.
    Failed,
    /// Sent, reply lost, provider has no idempotency: may or may not have been charged.
    OutcomeUnknown,
    /// The user looked at an unknown outcome and closed it.
    Dismissed,
}

impl AttemptState {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Pending => "pending",
            AttemptState::Succeeded => "succeeded",
            AttemptState::Failed => "failed",
            AttemptState::OutcomeUnknown => "outcome_unknown",
            AttemptState::Dismissed => "dismissed",
        }
    }
    pub fn parse(s: &str) -> AttemptState {
        match s {
            "succeeded" => AttemptState::Succeeded,
            "failed" => AttemptState::Failed,
            "outcome_unknown" => AttemptState::OutcomeUnknown,
            "dismissed" => AttemptState::Dismissed,
            _ => AttemptState::Pending,
        }
    }
}

/// One paid call: written with its Idempotency-Key before it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttemptView {
    pub id: String,
    pub provider: ProviderId,
    pub kind: AttemptKind,
    pub idempotency_key: String,
    pub request: serde_json::Value,
    pub state: AttemptState,
    pub tries: i64,
    pub order_id: Option<String>,
    pub deposit_id: Option<String>,
    pub error_code: Option<ErrorCode>,
    pub error: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
    /// "Buy again" sends the same Idempotency-Key: if the first try was charged, the provider
    /// answers with that order and charges nothing more (OTPZap numbers).
    pub returns_first_order: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    Charge,
    Refund,
    Topup,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Charge => "charge",
            LedgerKind::Refund => "refund",
            LedgerKind::Topup => "topup",
        }
    }
    pub fn parse(s: &str) -> LedgerKind {
        match s {
            "refund" => LedgerKind::Refund,
            "topup" => LedgerKind::Topup,
            _ => LedgerKind::Charge,
        }
    }
}

/// A balance change we know of. Charges are negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LedgerEntry {
    pub id: i64,
    pub provider: ProviderId,
    pub kind: LedgerKind,
    pub amount: Money,
    pub order_id: Option<String>,
    pub deposit_id: Option<String>,
    pub note: Option<String>,
    pub at: Time,
}

/// What to buy. Mirrors the providers' create endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BuyRequest {
    /// OTPZap Server 1: one product = service + country + price tier.
    OtpzapS1 {
        product_id: i64,
        country_id: i64,
        platform_id: i64,
    },
    /// OTPZap Server 2 regular.
    OtpzapS2 {
        service_id: i64,
        country_id: i64,
        operator_id: String,
    },
    /// OTPZap Server 2 special service.
    OtpzapS2Special { service_id: i64 },
    /// OTPZap Server 3 email inbox.
    OtpzapEmail { site: String, domain: String },
    /// NumberOTP activation.
    Numberotp { service: String, country: String },
    /// OTPZap Server 2 multiservice: one number, a code per service (`OtpView::service` says
    /// which). `operator_id` `"random"` lets OTPZap pick.
    OtpzapS2Multi {
        service_ids: Vec<i64>,
        country_id: i64,
        operator_id: String,
    },
    /// OTPZap Server 3 email inbox with the optional create fields: aggregator `domains` (the
    /// first with stock is used; `domain` is then ignored), a `subject` filter and an OTP `regex`.
    OtpzapEmailOptions {
        site: String,
        #[serde(default)]
        domain: Option<String>,
        #[serde(default)]
        domains: Vec<String>,
        #[serde(default)]
        subject: Option<String>,
        #[serde(default)]
        regex: Option<String>,
    },
}

impl BuyRequest {
    pub fn provider(&self) -> ProviderId {
        match self {
            BuyRequest::Numberotp { .. } => ProviderId::Numberotp,
            _ => ProviderId::Otpzap,
        }
    }
    pub fn kind(&self) -> AttemptKind {
        match self {
            BuyRequest::OtpzapEmail { .. } | BuyRequest::OtpzapEmailOptions { .. } => {
                AttemptKind::Email
            }
            _ => AttemptKind::Sms,
        }
    }
    /// The service a maximum price is set for: `otpzap:s1:PLATFORM_ID`, `otpzap:s2:SERVICE_ID`
    /// (regular and special), `otpzap:email:SITE`, `numberotp:SERVICE`; a multiservice number
    /// `otpzap:s2multi:ID+ID…`. Per provider, since each prices in its own currency.
    pub fn service_key(&self) -> String {
        match self {
            BuyRequest::OtpzapS1 { platform_id, .. } => format!("otpzap:s1:{platform_id}"),
            BuyRequest::OtpzapS2 { service_id, .. }
            | BuyRequest::OtpzapS2Special { service_id } => format!("otpzap:s2:{service_id}"),
            BuyRequest::OtpzapS2Multi { service_ids, .. } => format!(
                "otpzap:s2multi:{}",
                service_ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join("+")
            ),
            BuyRequest::OtpzapEmail { site, .. } | BuyRequest::OtpzapEmailOptions { site, .. } => {
                format!("otpzap:email:{}", site.to_ascii_lowercase())
            }
            BuyRequest::Numberotp { service, .. } => {
                format!("numberotp:{}", service.to_ascii_lowercase())
            }
        }
    }

    /// Only OTPZap SMS create documents Idempotency-Key; email-create does not.
    pub fn idempotent(&self) -> bool {
        matches!(
            self,
            BuyRequest::OtpzapS1 { .. }
                | BuyRequest::OtpzapS2 { .. }
                | BuyRequest::OtpzapS2Special { .. }
                | BuyRequest::OtpzapS2Multi { .. }
        )
    }
}

/// Which orders to list. Newest first; `limit` defaults to 100.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderFilter {
    pub provider: Option<ProviderId>,
    /// Canonical status text (`pending`, `otp_received`, `completed`, ...).
    pub status: Option<String>,
    /// Only orders still being tracked.
    pub active_only: bool,
    pub kind: Option<OrderKind>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DepositFilter {
    pub provider: Option<ProviderId>,
    pub active_only: bool,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LedgerFilter {
    pub provider: Option<ProviderId>,
    pub limit: Option<u32>,
}

/// Something the user can ask of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Cancel,
    Finish,
    Resend,
    /// OTPZap Server 1: a fresh number at the same product and price.
    Replace,
    /// OTPZap email: a new message on the same inbox.
    Reorder,
}

impl ActionKind {
    /// Every action, in the order the UI shows them.
    pub const ALL: [ActionKind; 5] = [
        ActionKind::Cancel,
        ActionKind::Replace,
        ActionKind::Reorder,
        ActionKind::Resend,
        ActionKind::Finish,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Cancel => "cancel",
            ActionKind::Finish => "finish",
            ActionKind::Resend => "resend",
            ActionKind::Replace => "replace",
            ActionKind::Reorder => "reorder",
        }
    }
}

/// An action the order allows, possible from `unlock_at` when that is set (it may be past).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AllowedAction {
    pub kind: ActionKind,
    pub unlock_at: Option<Time>,
}

/// The reseller's side of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderDesk {
    pub order_id: String,
    pub customer: Option<String>,
    pub note: Option<String>,
    pub paid: bool,
    pub paid_at: Option<Time>,
    pub sale_price: Option<Money>,
}

/// One customer with their totals over every order they got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Customer {
    pub name: String,
    pub orders: i64,
    /// Sold (not refunded) and not marked paid.
    pub unpaid_orders: i64,
    pub last_at: Time,
    /// Sum of the unpaid sale prices, per currency.
    pub owed: Vec<Money>,
    /// Sum of the sale prices (not refunded), per currency.
    pub sales: Vec<Money>,
    /// Sale less cost, per sale currency (see [`crate::history::HistoryRow::profit_minor`]).
    pub profit: Vec<Money>,
}

/// The longest customer name and note kept (characters).
pub const MAX_CUSTOMER: usize = 80;
pub const MAX_NOTE: usize = 500;

/// A customer name as kept: trimmed, inner runs of spaces made one, cut to [`MAX_CUSTOMER`];
/// empty is none.
pub fn clean_customer(name: Option<&str>) -> Option<String> {
    let words: Vec<&str> = name?.split_whitespace().collect();
    let s: String = words.join(" ").chars().take(MAX_CUSTOMER).collect();
    (!s.is_empty()).then_some(s)
}

pub fn clean_note(note: Option<&str>) -> Option<String> {
    let s: String = note?.trim().chars().take(MAX_NOTE).collect();
    (!s.is_empty()).then_some(s)
}
