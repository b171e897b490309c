//! The few texts the backend shows itself (native notifications and dialogs), in English and
//! Bahasa Indonesia. Everything else is translated by the UI from stable codes.

use crate::settings::Language;
use crate::shell::Confirm;
use otpdesk_core::{Currency, Money, ProviderId};
use serde::Serialize;

/// A language the backend writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Id,
}

/// The operating system's locale (BCP 47, e.g. `id-ID`), when it says.
pub fn system_locale() -> Option<String> {
    sys_locale::get_locale()
}

/// `id` for an Indonesian locale (`id`, `id-ID`, `id_ID.UTF-8`, and the old code `in`).
pub fn lang_of_locale(locale: Option<&str>) -> Lang {
    let primary = locale
        .unwrap_or("")
        .split(['-', '_', '.'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if primary == "id" || primary == "in" {
        Lang::Id
    } else {
        Lang::En
    }
}

/// The language the user chose, `system` resolved through the OS locale.
pub fn resolve(choice: Language) -> Lang {
    match choice {
        Language::En => Lang::En,
        Language::Id => Lang::Id,
        Language::System => lang_of_locale(system_locale().as_deref()),
    }
}

/// `Rp 50.000` / `11.5 USDT`: grouping as Indonesians write rupiah in both languages.
pub fn money(m: Money) -> String {
    match m.currency {
        Currency::Idr => {
            let digits = m.minor.unsigned_abs().to_string();
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    grouped.push('.');
                }
                grouped.push(c);
            }
            let sign = if m.minor < 0 { "-" } else { "" };
            format!("{sign}Rp {grouped}")
        }
        c => {
            let text = m.to_decimal_string();
            let text = if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            };
            format!("{text} {}", c.code())
        }
    }
}

/// A notification: summary and body.
pub type Text = (String, String);

/// Marks demo notifications; the same word in both languages.
fn demo_tag(demo: bool) -> &'static str {
    if demo {
        " (demo)"
    } else {
        ""
    }
}

pub fn code_landed(
    lang: Lang,
    service: &str,
    code: &str,
    target: Option<&str>,
    provider: ProviderId,
    demo: bool,
) -> Text {
    let demo = demo_tag(demo);
    let (summary, fallback) = match lang {
        Lang::En => (format!("{service} code: {code}{demo}"), "your order"),
        Lang::Id => (format!("Kode {service}: {code}{demo}"), "pesanan Anda"),
    };
    let body = format!(
        "{} · {}",
        target.unwrap_or(fallback),
        provider.display_name()
    );
    (summary, body)
}

pub fn deposit_paid(lang: Lang, provider: ProviderId, amount: Money, demo: bool) -> Text {
    let demo = demo_tag(demo);
    let p = provider.display_name();
    match lang {
        Lang::En => (
            format!("Top-up paid{demo}"),
            format!("{} was added to your {p} balance.", money(amount)),
        ),
        Lang::Id => (
            format!("Deposit berhasil{demo}"),
            format!("{} masuk ke saldo {p} Anda.", money(amount)),
        ),
    }
}

pub fn deposit_expired(lang: Lang, provider: ProviderId, amount: Money, demo: bool) -> Text {
    let demo = demo_tag(demo);
    let p = provider.display_name();
    match lang {
        Lang::En => (
            format!("Top-up expired{demo}"),
            format!(
                "The {p} invoice of {} was not paid in time. Nothing was charged.",
                money(amount)
            ),
        ),
        Lang::Id => (
            format!("Deposit kedaluwarsa{demo}"),
            format!(
                "Tagihan {p} sebesar {} tidak dibayar tepat waktu. Tidak ada yang ditagih.",
                money(amount)
            ),
        ),
    }
}

pub fn low_balance(lang: Lang, provider: ProviderId, balance: Money, threshold: Money) -> Text {
    let p = provider.display_name();
    match lang {
        Lang::En => (
            format!("{p} balance is low"),
            format!(
                "{} left (alert below {}). Top up to keep buying.",
                money(balance),
                money(threshold)
            ),
        ),
        Lang::Id => (
            format!("Saldo {p} menipis"),
            format!(
                "Sisa {} (peringatan di bawah {}). Isi saldo agar tetap bisa membeli.",
                money(balance),
                money(threshold)
            ),
        ),
    }
}

/// The button of a code notification that copies its code.
/// The "Buy" button of a watched-offer alert.
pub fn buy_button(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Buy",
        Lang::Id => "Beli",
    }
}

/// A watched offer is available (`price`: what it costs now), or one number was bought for it.
pub fn watch_alert(
    lang: Lang,
    label: &str,
    price: Option<Money>,
    bought: Option<&str>,
    demo: bool,
) -> Text {
    let demo = demo_tag(demo);
    let at = price.map(money);
    match (lang, bought) {
        (Lang::En, None) => (
            format!("Available again: {label}{demo}"),
            match at {
                Some(p) => format!("In stock at {p}. Press Buy to check the price and confirm."),
                None => "In stock. Press Buy to check the price and confirm.".into(),
            },
        ),
        (Lang::Id, None) => (
            format!("Tersedia lagi: {label}{demo}"),
            match at {
                Some(p) => {
                    format!("Ada stok seharga {p}. Tekan Beli untuk cek harga dan konfirmasi.")
                }
                None => "Ada stok. Tekan Beli untuk cek harga dan konfirmasi.".into(),
            },
        ),
        (Lang::En, Some(number)) => (
            format!("Bought for your watch: {label}{demo}"),
            format!(
                "{number}{}",
                at.map(|p| format!(" · {p}")).unwrap_or_default()
            ),
        ),
        (Lang::Id, Some(number)) => (
            format!("Dibeli untuk pantauan Anda: {label}{demo}"),
            format!(
                "{number}{}",
                at.map(|p| format!(" · {p}")).unwrap_or_default()
            ),
        ),
    }
}

pub fn copy_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Copy code",
        Lang::Id => "Salin kode",
    }
}

/// The tray menu's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayTexts {
    pub open: &'static str,
    pub copy_latest: &'static str,
    pub quit: &'static str,
}

pub fn tray(lang: Lang) -> TrayTexts {
    match lang {
        Lang::En => TrayTexts {
            open: "Open OTPDesk",
            copy_latest: "Copy latest code",
            quit: "Quit",
        },
        Lang::Id => TrayTexts {
            open: "Buka OTPDesk",
            copy_latest: "Salin kode terbaru",
            quit: "Keluar",
        },
    }
}

/// Tray "Copy latest code" with no code received yet.
pub fn no_code_yet(lang: Lang) -> Text {
    match lang {
        Lang::En => (
            "No code yet".into(),
            "No order has received a code to copy.".into(),
        ),
        Lang::Id => (
            "Belum ada kode".into(),
            "Belum ada pesanan yang menerima kode untuk disalin.".into(),
        ),
    }
}

/// Tray "Copy latest code" when the clipboard cannot be used.
pub fn no_clipboard(lang: Lang) -> Text {
    match lang {
        Lang::En => (
            "Could not copy".into(),
            "The clipboard is not available. Open OTPDesk to see the code.".into(),
        ),
        Lang::Id => (
            "Gagal menyalin".into(),
            "Papan klip tidak tersedia. Buka OTPDesk untuk melihat kodenya.".into(),
        ),
    }
}

/// The tray's line about active orders (also its tooltip).
pub fn active_orders(lang: Lang, count: usize, demo: bool) -> String {
    let orders = match (lang, count) {
        (Lang::En, 0) => "No active orders".to_string(),
        (Lang::En, 1) => "1 active order".to_string(),
        (Lang::En, n) => format!("{n} active orders"),
        (Lang::Id, 0) => "Tidak ada pesanan aktif".to_string(),
        (Lang::Id, n) => format!("{n} pesanan aktif"),
    };
    format!("{orders}{}", demo_tag(demo))
}

/// The native question before quitting while `waiting` orders still wait for their first code
/// (their codes would not be fetched, notified or copied until OTPDesk runs again).
pub fn confirm_quit(lang: Lang, waiting: usize) -> Confirm {
    match lang {
        Lang::En => Confirm {
            title: "Quit OTPDesk?".into(),
            message: match waiting {
                1 => "1 order is still waiting for its code. While OTPDesk is closed, its code \
                      is not fetched, shown or copied."
                    .into(),
                n => format!(
                    "{n} orders are still waiting for their codes. While OTPDesk is closed, \
                     their codes are not fetched, shown or copied."
                ),
            },
            ok: "Quit".into(),
            cancel: "Keep running".into(),
        },
        Lang::Id => Confirm {
            title: "Keluar dari OTPDesk?".into(),
            message: format!(
                "{waiting} pesanan masih menunggu kode. Selama OTPDesk tertutup, kodenya tidak \
                 diambil, ditampilkan, atau disalin."
            ),
            ok: "Keluar".into(),
            cancel: "Tetap berjalan".into(),
        },
    }
}

/// One provider whose address changes while a key is saved for it: (provider, old, new address).
pub type AddressChange = (ProviderId, String, String);

/// The native question before an address change that makes saved keys unusable.
pub fn confirm_address_change(lang: Lang, changes: &[AddressChange]) -> Confirm {
    let names = changes
        .iter()
        .map(|(p, _, _)| p.display_name())
        .collect::<Vec<_>>()
        .join(", ");
    let lines = changes
        .iter()
        .map(|(p, old, new)| format!("{}: {old} → {new}", p.display_name()))
        .collect::<Vec<_>>()
        .join("\n");
    match lang {
        Lang::En => Confirm {
            title: "Change the provider address?".into(),
            message: format!(
                "{lines}\n\nAn API key is only sent to the address it was checked against. \
                 If you change the address, the saved {names} API key is removed and must be \
                 entered again for the new address."
            ),
            ok: "Change address".into(),
            cancel: "Cancel".into(),
        },
        Lang::Id => Confirm {
            title: "Ubah alamat penyedia?".into(),
            message: format!(
                "{lines}\n\nKunci API hanya dikirim ke alamat tempat kunci itu diperiksa. \
                 Jika alamat diubah, kunci API {names} yang tersimpan dihapus dan harus \
                 dimasukkan lagi untuk alamat baru."
            ),
            ok: "Ubah alamat".into(),
            cancel: "Batal".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_locales_pick_bahasa_indonesia() {
        for l in ["id", "id-ID", "id_ID.UTF-8", "in-ID", "ID"] {
            assert_eq!(lang_of_locale(Some(l)), Lang::Id, "{l}");
        }
        for l in ["en-US", "ms-MY", "", "C"] {
            assert_eq!(lang_of_locale(Some(l)), Lang::En, "{l}");
        }
        assert_eq!(lang_of_locale(None), Lang::En);
    }

    #[test]
    fn money_reads_naturally() {
        assert_eq!(money(Money::idr(50_017)), "Rp 50.017");
        assert_eq!(money(Money::idr(1_250_000)), "Rp 1.250.000");
        assert_eq!(money(Money::idr(900)), "Rp 900");
        let usdt = Money::parse(Currency::Usdt, "11.5").unwrap();
        assert_eq!(money(usdt), "11.5 USDT");
        let (s, b) = deposit_paid(Lang::Id, ProviderId::Otpzap, Money::idr(50_000), false);
        assert_eq!(s, "Deposit berhasil");
        assert!(b.contains("Rp 50.000"), "{b}");
    }

    #[test]
    fn the_address_question_names_the_provider_both_addresses_and_the_key() {
        let change = [(
            ProviderId::Numberotp,
            "https://numberotp.com".to_string(),
            "https://mirror.example".to_string(),
        )];
        let q = confirm_address_change(Lang::En, &change);
        assert!(q
            .message
            .contains("NumberOTP: https://numberotp.com → https://mirror.example"));
        assert!(q.message.contains("entered again"), "{}", q.message);
        let q = confirm_address_change(Lang::Id, &change);
        assert!(q.message.contains("dimasukkan lagi"), "{}", q.message);
        assert_eq!(q.cancel, "Batal");
    }

    #[test]
    fn tray_and_quit_texts_in_both_languages() {
        assert_eq!(active_orders(Lang::En, 0, false), "No active orders");
        assert_eq!(active_orders(Lang::En, 1, false), "1 active order");
        assert_eq!(active_orders(Lang::En, 3, true), "3 active orders (demo)");
        assert_eq!(active_orders(Lang::Id, 0, false), "Tidak ada pesanan aktif");
        assert_eq!(active_orders(Lang::Id, 2, true), "2 pesanan aktif (demo)");
        assert_eq!(tray(Lang::Id).copy_latest, "Salin kode terbaru");
        assert_eq!(tray(Lang::En).quit, "Quit");
        assert_eq!(copy_code(Lang::Id), "Salin kode");
        let q = confirm_quit(Lang::En, 1);
        assert!(
            q.message.starts_with("1 order is still waiting"),
            "{}",
            q.message
        );
        assert!(confirm_quit(Lang::En, 2)
            .message
            .starts_with("2 orders are"));
        let q = confirm_quit(Lang::Id, 2);
        assert!(
            q.message.starts_with("2 pesanan masih menunggu"),
            "{}",
            q.message
        );
        assert_eq!(
            (q.ok.as_str(), q.cancel.as_str()),
            ("Keluar", "Tetap berjalan")
        );
    }
}
