//! The history as CSV: orders and deposits, one line each, money as decimal text. Written by
//! the backend to a path the user picks in the native save dialog, so the window needs no file
//! system or dialog permission.

use otpdesk_core::Money;
use otpdesk_engine::{DepositView, HistoryPage, HistoryRow};

const HEADER: &str = "type,id,created_at,provider,service,phone_or_email,status,codes,\
price,currency,sale_price,sale_currency,profit";

/// One CSV field: quoted when needed, and text that a spreadsheet would run as a formula is
/// prefixed with `'` (a code or service name must never execute in Excel).
fn field(text: &str) -> String {
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

fn order_line(r: &HistoryRow) -> String {
    let o = &r.order;
    let codes: Vec<&str> = o.otps.iter().filter_map(|t| t.code.as_deref()).collect();
    let (price, cur) = amount(o.price);
    let (sale, sale_cur) = amount(r.sale_price);
    let profit = match (r.sale_price, o.price) {
        (Some(s), Some(p)) if s.currency == p.currency => {
            Money::new(s.currency, s.minor - r.cost_minor).to_decimal_string()
        }
        _ => String::new(),
    };
    [
        o.kind.as_str().to_string(),
        o.id.clone(),
        o.created_at.to_rfc3339(),
        o.provider.as_str().to_string(),
        field(&o.service),
        field(o.phone.as_deref().or(o.email.as_deref()).unwrap_or("")),
        o.status.as_str().to_string(),
        field(&codes.join(" ")),
        price,
        cur,
        sale,
        sale_cur,
        profit,
    ]
    .join(",")
}

fn deposit_line(d: &DepositView) -> String {
    let (price, cur) = amount(Some(d.amount));
    [
        format!("deposit_{}", d.kind.as_str()),
        d.id.clone(),
        d.created_at.to_rfc3339(),
        d.provider.as_str().to_string(),
        String::new(),
        String::new(),
        d.status.as_str().to_string(),
        String::new(),
        price,
        cur,
        String::new(),
        String::new(),
        String::new(),
    ]
    .join(",")
}

/// The page as CSV (header, orders, then deposits), CRLF line ends as RFC 4180 says.
pub fn csv(page: &HistoryPage) -> String {
    let mut out = String::from(HEADER);
    out.push_str("\r\n");
    for r in &page.rows {
        out.push_str(&order_line(r));
        out.push_str("\r\n");
    }
    for d in &page.deposits {
        out.push_str(&deposit_line(d));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(super::field("WhatsApp"), "WhatsApp");
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
