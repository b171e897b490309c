//! The reseller's books: every order and deposit with search and filters, what each code was
//! sold for, and profit per day and per service. Integers only: money is minor units, summed
//! in SQLite per currency, never mixed across currencies.

use crate::model::{DepositView, OrderKind, OrderView, Time};
use otpdesk_core::{Currency, ProviderId};
use serde::{Deserialize, Serialize};

/// What to list. Empty fields do not filter. Newest first; `limit` defaults to 200.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryQuery {
    /// Matches service, phone, email, the provider's order id / ref, or a received code.
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub provider: Option<ProviderId>,
    /// Canonical order status (`completed`, `cancelled`, ...) or deposit status (`paid`, ...).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub kind: Option<OrderKind>,
    /// Created at or after.
    #[serde(default)]
    pub from: Option<Time>,
    /// Created before.
    #[serde(default)]
    pub to: Option<Time>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
}

/// One order with what the reseller sold it for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryRow {
    pub order: OrderView,
    pub sale_price: Option<otpdesk_core::Money>,
    /// Net cost: the charge less refunds, in the order's currency (minor units, >= 0).
    pub cost_minor: i64,
}

/// Sums over every order matching the query (not only the page), per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CurrencyTotals {
    pub currency: Currency,
    /// Charges less refunds.
    pub spent_minor: i64,
    /// Orders with a sale price in this currency.
    pub sold: i64,
    pub sales_minor: i64,
    /// Sales less the cost of the orders sold (cost counted in the same currency only).
    pub profit_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    /// Orders matching (all pages).
    pub total_orders: i64,
    pub totals: Vec<CurrencyTotals>,
    /// Deposits matching provider, status, dates and search (on their ids / address).
    pub deposits: Vec<DepositView>,
}

/// Profit of sold orders over a period, grouped by local day or by service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProfitQuery {
    #[serde(default)]
    pub from: Option<Time>,
    #[serde(default)]
    pub to: Option<Time>,
    /// The user's UTC offset in minutes (WIB: 420): days start at local midnight.
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProfitRow {
    /// `YYYY-MM-DD` (local) in the per-day list.
    pub day: Option<String>,
    /// In the per-service list.
    pub service: Option<String>,
    pub currency: Currency,
    pub orders: i64,
    pub sales_minor: i64,
    pub cost_minor: i64,
    pub profit_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProfitReport {
    /// Newest day first.
    pub by_day: Vec<ProfitRow>,
    /// Most profitable first.
    pub by_service: Vec<ProfitRow>,
}
