//! Messages for the reseller's customers, in Indonesian and English: one for the number (sent
//! first) and one for the code (sent once it arrives), with the placeholders `{phone}`, `{otp}`,
//! `{service}`, `{minutes_left}` and `{price}`. Rendering is a pure function: an unknown
//! placeholder is left as written (the user sees the typo), a value not known yet (no code, no
//! sale price) is replaced by a short bracketed note in the message's language.

use crate::model::{OrderView, Time};
use otpdesk_core::{Currency, Money};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TemplateLang {
    Id,
    En,
}

impl TemplateLang {
    pub const ALL: [TemplateLang; 2] = [TemplateLang::Id, TemplateLang::En];
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateLang::Id => "id",
            TemplateLang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<TemplateLang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "in" | "indonesian" | "bahasa" => Some(TemplateLang::Id),
            "en" | "english" => Some(TemplateLang::En),
            _ => None,
        }
    }
}

/// Which message: the number (before the code) or the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    Number,
    Code,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 2] = [TemplateKind::Number, TemplateKind::Code];
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::Number => "number",
            TemplateKind::Code => "code",
        }
    }
    pub fn parse(s: &str) -> Option<TemplateKind> {
        match s {
            "number" => Some(TemplateKind::Number),
            "code" => Some(TemplateKind::Code),
            _ => None,
        }
    }
}

/// One message template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Template {
    pub lang: TemplateLang,
    pub kind: TemplateKind,
    pub body: String,
    /// Still the shipped text.
    pub is_default: bool,
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 5] = ["phone", "otp", "service", "minutes_left", "price"];

/// The shipped text of a template.
pub fn default_body(lang: TemplateLang, kind: TemplateKind) -> &'static str {
    match (lang, kind) {
        (TemplateLang::Id, TemplateKind::Number) => {
            "Nomor {service} kamu: {phone}\nSilakan minta kode OTP sekarang, nomor aktif {minutes_left} menit lagi."
        }
        (TemplateLang::Id, TemplateKind::Code) => "Kodenya: {otp}",
        (TemplateLang::En, TemplateKind::Number) => {
            "Your {service} number: {phone}\nRequest the OTP now, the number stays active for {minutes_left} more minutes."
        }
        (TemplateLang::En, TemplateKind::Code) => "Your code: {otp}",
    }
}

/// What the placeholders stand for; `None` where not known (yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Values {
    pub phone: Option<String>,
    pub otp: Option<String>,
    pub service: Option<String>,
    pub minutes_left: Option<i64>,
    pub price: Option<String>,
}

impl Values {
    /// From an order, its sale price (if any) and the time now.
    pub fn of_order(o: &OrderView, sale: Option<Money>, now: Time) -> Values {
        Values {
            phone: o.phone.clone().or_else(|| o.email.clone()),
            otp: o
                .otps
                .iter()
                .rev()
                .filter(|t| !t.late)
                .find_map(|t| t.code.clone()),
            service: Some(o.service.clone()).filter(|s| !s.trim().is_empty()),
            minutes_left: o
                .expires_at
                .filter(|_| !o.status.is_final())
                .map(|e| ((e - now).num_seconds().max(0) + 59) / 60),
            price: sale.map(price_text),
        }
    }
}

/// "Rp 5.000" (dots between thousands, as Indonesians write), or "USD 0.185000".
pub fn price_text(m: Money) -> String {
    if m.currency != Currency::Idr {
        return m.to_string();
    }
    let digits = m.minor.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("Rp {}{out}", if m.minor < 0 { "-" } else { "" })
}

/// The note put where a value is not known.
fn missing(lang: TemplateLang, name: &str) -> String {
    let text = match (lang, name) {
        (TemplateLang::Id, "otp") => "belum ada kode",
        (TemplateLang::En, "otp") => "no code yet",
        (TemplateLang::Id, "phone") => "belum ada nomor",
        (TemplateLang::En, "phone") => "no number yet",
        (TemplateLang::Id, "price") => "harga belum diisi",
        (TemplateLang::En, "price") => "no price set",
        (TemplateLang::Id, "minutes_left") => "?",
        (TemplateLang::En, "minutes_left") => "?",
        (TemplateLang::Id, _) => "tidak diketahui",
        (TemplateLang::En, _) => "unknown",
    };
    if text == "?" {
        text.into()
    } else {
        format!("[{text}]")
    }
}

/// Fill `body`'s placeholders. `{name}` with a known name becomes its value (or the missing
/// note); anything else in braces, and a lone brace, is kept exactly as written.
pub fn render(body: &str, lang: TemplateLang, v: &Values) -> String {
    let mut out = String::with_capacity(body.len() + 32);
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        match name_end {
            Some(n) if after[n..].starts_with('}') && PLACEHOLDERS.contains(&&after[..n]) => {
                let name = &after[..n];
                let value = match name {
                    "phone" => v.phone.clone(),
                    "otp" => v.otp.clone(),
                    "service" => v.service.clone(),
                    "minutes_left" => v.minutes_left.map(|m| m.to_string()),
                    _ => v.price.clone(),
                };
                out.push_str(&value.unwrap_or_else(|| missing(lang, name)));
                rest = &after[n + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The message to send now: the number message, followed by the code message once a code came
/// (the code message alone would lack the number).
pub fn message(number_body: &str, code_body: &str, lang: TemplateLang, v: &Values) -> String {
    let number = render(number_body, lang, v);
    if v.otp.is_none() {
        return number;
    }
    format!("{number}\n{}", render(code_body, lang, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Values {
        Values {
            phone: Some("+6281234567890".into()),
            otp: Some("123456".into()),
            service: Some("WhatsApp".into()),
            minutes_left: Some(17),
            price: Some(price_text(Money::idr(5_000))),
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        let body = "{service} {phone} {otp} {minutes_left} {price}";
        assert_eq!(
            render(body, TemplateLang::En, &full()),
            "WhatsApp +6281234567890 123456 17 Rp 5.000"
        );
        assert_eq!(
            render(default_body(TemplateLang::Id, TemplateKind::Number), TemplateLang::Id, &full()),
            "Nomor WhatsApp kamu: +6281234567890\nSilakan minta kode OTP sekarang, nomor aktif 17 menit lagi."
        );
        assert_eq!(
            render(
                default_body(TemplateLang::Id, TemplateKind::Code),
                TemplateLang::Id,
                &full()
            ),
            "Kodenya: 123456"
        );
    }

    #[test]
    fn unknown_placeholders_and_stray_braces_stay_visible() {
        let v = full();
        assert_eq!(
            render("{kode} {otp} {OTP} { otp} {otp", TemplateLang::Id, &v),
            "{kode} 123456 {OTP} { otp} {otp"
        );
        assert_eq!(render("{{otp}}", TemplateLang::En, &v), "{123456}");
        assert_eq!(render("", TemplateLang::En, &v), "");
        assert_eq!(
            render("Rp {price}", TemplateLang::En, &Values::default()),
            "Rp [no price set]"
        );
    }

    #[test]
    fn missing_values_are_named_in_the_language() {
        let v = Values {
            otp: None,
            minutes_left: None,
            ..full()
        };
        assert_eq!(
            render("Kode: {otp}", TemplateLang::Id, &v),
            "Kode: [belum ada kode]"
        );
        assert_eq!(
            render("Code: {otp}", TemplateLang::En, &v),
            "Code: [no code yet]"
        );
        assert_eq!(render("{minutes_left} min", TemplateLang::En, &v), "? min");
        // Before the code only the number message is sent; after it, both.
        let n = default_body(TemplateLang::En, TemplateKind::Number);
        let c = default_body(TemplateLang::En, TemplateKind::Code);
        assert!(!message(n, c, TemplateLang::En, &v).contains("code:"));
        let both = message(n, c, TemplateLang::En, &full());
        assert!(
            both.starts_with("Your WhatsApp number: +6281234567890"),
            "{both}"
        );
        assert!(both.ends_with("\nYour code: 123456"), "{both}");
    }

    #[test]
    fn rupiah_is_written_with_dots() {
        assert_eq!(price_text(Money::idr(0)), "Rp 0");
        assert_eq!(price_text(Money::idr(950)), "Rp 950");
        assert_eq!(price_text(Money::idr(1_234_567)), "Rp 1.234.567");
    }
}
