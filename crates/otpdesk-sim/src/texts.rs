//! Realistic SMS and email texts, and OTP extraction from a text the control API supplies.

use crate::catalog::Service;
use crate::rng::SimRng;

pub fn new_code(rng: &mut SimRng, len: usize) -> String {
    // No leading zero: some apps show codes as numbers.
    let first = char::from(b'1' + rng.below(9) as u8);
    format!("{first}{}", rng.digits(len.saturating_sub(1)))
}

/// The SMS a platform sends with `code`.
pub fn sms_text(service: &Service, code: &str) -> String {
    match service.code {
        "whatsapp" => {
            let (a, b) = code.split_at(code.len() / 2);
            format!("<#> Kode WhatsApp Anda: {a}-{b}\nJangan bagikan kode ini.\n4sgLq1p5sV6")
        }
        "telegram" => format!("Telegram code: {code}\n\nYou can also tap on this link to log in:\nhttps://t.me/login/{code}"),
        "gojek" => format!("<#> JANGAN BERIKAN kode ini ke siapa pun, TERMASUK pihak Gojek. Kode verifikasi Gojek: {code}"),
        "shopee" => format!("[Shopee] Kode verifikasi Anda adalah {code}. JANGAN BERIKAN KODE INI KEPADA SIAPAPUN."),
        "tokopedia" => format!("JANGAN BERIKAN kode ini kepada siapa pun termasuk pihak Tokopedia. Kode OTP: {code}"),
        "grab" => format!("<#> Your Grab code is {code}. It expires in 5 minutes. Never share this code."),
        "google" => format!("G-{code} is your Google verification code."),
        "facebook" => format!("{code} is your Facebook confirmation code"),
        "instagram" => format!("Use {code} to verify your Instagram account."),
        "tiktok" => format!("[TikTok] {code} is your verification code, valid for 5 minutes."),
        "openai" => format!("Your OpenAI verification code is: {code}"),
        "dana" => format!("JANGAN BERITAHU KODE INI KE SIAPAPUN termasuk pihak DANA. Kode verifikasi DANA: {code}"),
        "ovo" => format!("Kode OTP OVO kamu: {code}. Jangan berikan kode ini ke siapa pun."),
        "lazada" => format!("[Lazada] Kode verifikasi Anda: {code}. Berlaku 15 menit."),
        "line" => format!("[LINE] Your verification code is {code}."),
        "discord" => format!("Your Discord security code is: {code}"),
        "twitter" => format!("{code} is your X verification code."),
        _ => format!("Your {} verification code is {code}", service.name),
    }
}

/// Subject and body of a verification email from `site`.
pub fn email_message(site: &str, site_name: &str, code: &str) -> (String, String, String) {
    let from = format!("noreply@{site}");
    let subject = format!("Your {site_name} verification code");
    let body = format!(
        "Hi,\n\nUse the code below to verify your email address for {site_name}:\n\n{code}\n\nThis code expires in 10 minutes. If you did not request it, you can ignore this email.\n\nThe {site_name} team"
    );
    (from, subject, body)
}

/// The OTP in a text: the longest run of 4–8 digits (dashes and spaces inside a code are joined,
/// as in "123-456").
pub fn extract_code(text: &str) -> Option<String> {
    let mut best: Option<String> = None;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut digits = String::new();
            let mut j = i;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits.push(chars[j]);
                } else if !((chars[j] == '-' || chars[j] == ' ')
                    && j + 1 < chars.len()
                    && chars[j + 1].is_ascii_digit()
                    && digits.len() < 6)
                {
                    break;
                }
                j += 1;
            }
            if (4..=8).contains(&digits.len())
                && best.as_ref().is_none_or(|b| digits.len() > b.len())
            {
                best = Some(digits);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_codes() {
        assert_eq!(
            extract_code("<#> Kode WhatsApp Anda: 123-456\nJangan").as_deref(),
            Some("123456")
        );
        assert_eq!(
            extract_code("G-482910 is your Google verification code.").as_deref(),
            Some("482910")
        );
        assert_eq!(
            extract_code("Telegram code: 12345").as_deref(),
            Some("12345")
        );
        assert_eq!(extract_code("no code here 12"), None);
    }
}
