//! The reseller's books: every order and deposit with search and filters, what each code was
//! sold for, and profit per day and per service. Integers only: money is minor units, summed
//! in SQLite per currency, never mixed across currencies (a dollar cost counts against a rupiah
//! sale only at the rate the user gives). The screen and the CSV export both read
//! [`crate::store::Store::history`] with the same [`HistoryQuery`], and [`csv`] writes exactly its
//! items, so the file is what the screen shows.

use crate::model::{DepositView, OrderKind, OrderView, Time};
use otpdesk_core::{Currency, DepositStatus, Money, OrderStatus, ProviderId};
use serde::{Deserialize, Serialize};

/// Orders or deposits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EntryType {
    Order,
    Deposit,
}

/// The status groups a reseller filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum StatusGroup {
    /// Orders still running, deposits waiting for payment.
    Active,
    /// Completed orders.
    Done,
    /// Cancelled, expired, failed or replaced orders (the price came back).
    Refunded,
    /// Paid deposits.
    Paid,
    /// Expired or failed deposits.
    Unpaid,
}

impl StatusGroup {
    pub fn of_order(s: &OrderStatus) -> StatusGroup {
        match s {
            OrderStatus::Completed => StatusGroup::Done,
            s if s.is_final() => StatusGroup::Refunded,
            _ => StatusGroup::Active,
        }
    }
    pub fn of_deposit(s: &DepositStatus) -> StatusGroup {
        match s {
            DepositStatus::Paid => StatusGroup::Paid,
            s if s.is_final() => StatusGroup::Unpaid,
            _ => StatusGroup::Active,
        }
    }
}

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
    /// Orders only or deposits only (a `kind` lists orders only).
    #[serde(default)]
    pub entry: Option<EntryType>,
    #[serde(default)]
    pub group: Option<StatusGroup>,
    /// Whole rupiah per US dollar: a dollar cost then counts against a rupiah sale in profit.
    #[serde(default)]
    pub idr_per_usd: Option<u32>,
    /// Orders for this customer (any case; orders only).
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
    /// Keyset paging: only items after this one (the last item of the previous page). Cheap at
    /// any depth, unlike `offset`, which reads every skipped row.
    #[serde(default)]
    pub after: Option<HistoryCursor>,
    /// Leave `total_orders`, `total_deposits` and `totals` at zero: a next page of a list whose
    /// first page already has them.
    #[serde(default)]
    pub skip_totals: bool,
}

/// Where an item sits in the history's order (newest first; at one instant orders before
/// deposits, then newest inserted first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryCursor {
    /// Unix milliseconds of `created_at`.
    pub at_ms: i64,
    pub entry: EntryType,
    /// The row's insertion number in its table.
    pub seq: i64,
}

/// One order with what the reseller sold it for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryRow {
    pub order: OrderView,
    pub sale_price: Option<otpdesk_core::Money>,
    /// Net cost: the charge less refunds, in the order's currency (minor units, >= 0).
    pub cost_minor: i64,
    /// Sale less cost, in the sale's currency; `None` when not sold, refunded, or the cost is in
    /// another currency and no rate was given.
    pub profit_minor: Option<i64>,
    /// Who it is for ([`crate::customers`]).
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The customer paid.
    #[serde(default)]
    pub paid: bool,
}

/// One line of the history: an order or a deposit, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryItem {
    pub entry: EntryType,
    pub group: StatusGroup,
    pub created_at: Time,
    /// Pass as [`HistoryQuery::after`] for the items after this one.
    pub cursor: HistoryCursor,
    /// Set when `entry` is `order`.
    pub order: Option<HistoryRow>,
    /// Set when `entry` is `deposit`.
    pub deposit: Option<DepositView>,
}

/// Sums over every order matching the query (not only the page), per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CurrencyTotals {
    pub currency: Currency,
    /// Charges less refunds.
    pub spent_minor: i64,
    /// Paid deposits.
    pub topped_up_minor: i64,
    /// Orders (not refunded) with a sale price in this currency.
    pub sold: i64,
    pub sales_minor: i64,
    /// The sum of the orders' [`HistoryRow::profit_minor`] in this currency.
    pub profit_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryPage {
    /// Orders and deposits matching, newest first (this page).
    pub items: Vec<HistoryItem>,
    /// Orders matching (all pages).
    pub total_orders: i64,
    /// Deposits matching (all pages).
    pub total_deposits: i64,
    /// Over every item matching (all pages), per currency.
    pub totals: Vec<CurrencyTotals>,
}

impl HistoryPage {
    /// The orders of this page.
    pub fn orders(&self) -> Vec<&HistoryRow> {
        self.items.iter().filter_map(|i| i.order.as_ref()).collect()
    }
    /// The deposits of this page.
    pub fn deposits(&self) -> Vec<&DepositView> {
        self.items
            .iter()
            .filter_map(|i| i.deposit.as_ref())
            .collect()
    }
}

/// What the export reads: the screen's query, every page.
pub fn export_query(q: &HistoryQuery) -> HistoryQuery {
    HistoryQuery {
        limit: Some(EXPORT_LIMIT),
        offset: None,
        after: None,
        skip_totals: false,
        ..q.clone()
    }
}

/// The most lines an export writes.
pub const EXPORT_LIMIT: u32 = 100_000;

pub const CSV_HEADER: &str = "type,id,created_at,provider,service,phone_or_email,status,codes,\
price,currency,cost,sale_price,sale_currency,profit,customer,note,paid";

/// One CSV field: quoted when needed, and text that a spreadsheet would run as a formula is
/// prefixed with `'` (a code or service name must never execute in Excel).
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn amount(m: Option<Money>) -> (String, String) {
    match m {
        Some(m) => (m.to_decimal_string(), m.currency.code().to_string()),
        None => (String::new(), String::new()),
    }
}

fn order_line(r: &HistoryRow) -> [String; 17] {
    let o = &r.order;
    let codes: Vec<&str> = o.otps.iter().filter_map(|t| t.code.as_deref()).collect();
    let (price, cur) = amount(o.price);
    let cost = o
        .price
        .map(|p| Money::new(p.currency, r.cost_minor).to_decimal_string())
        .unwrap_or_default();
    let (sale, sale_cur) = amount(r.sale_price);
    let profit = match (r.sale_price, r.profit_minor) {
        (Some(s), Some(p)) => Money::new(s.currency, p).to_decimal_string(),
        _ => String::new(),
    };
    [
        o.kind.as_str().to_string(),
        o.id.clone(),
        o.created_at.to_rfc3339(),
        o.provider.as_str().to_string(),
        csv_field(&o.service),
        csv_field(o.phone.as_deref().or(o.email.as_deref()).unwrap_or("")),
        o.status.as_str().to_string(),
        csv_field(&codes.join(" ")),
        price,
        cur,
        cost,
        sale,
        sale_cur,
        profit,
        csv_field(r.customer.as_deref().unwrap_or("")),
        csv_field(r.note.as_deref().unwrap_or("")),
        if r.paid { "yes" } else { "no" }.to_string(),
    ]
}

fn deposit_line(d: &DepositView) -> [String; 17] {
    let (price, cur) = amount(Some(d.amount));
    [
        format!("deposit_{}", d.kind.as_str()),
        d.id.clone(),
        d.created_at.to_rfc3339(),
        d.provider.as_str().to_string(),
        String::new(),
        csv_field(&d.remote_id),
        d.status.as_str().to_string(),
        String::new(),
        price,
        cur,
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// The page as CSV: the header, then its items in the screen's order; CRLF line ends as
/// RFC 4180 says.
pub fn csv(page: &HistoryPage) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for i in &page.items {
        let line = match (&i.order, &i.deposit) {
            (Some(r), _) => order_line(r),
            (None, Some(d)) => deposit_line(d),
            (None, None) => continue,
        };
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
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

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(super::csv_field("WhatsApp"), "WhatsApp");
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
