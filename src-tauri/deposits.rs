//! Deposits as the top-up screen shows them: the engine's deposit plus a QR code drawn here
//! (never an image loaded from a provider: OOPPay's `qr_code_url` is dropped), and the check
//! that a payment page we open really is on the configured OTPZap host.

use crate::error::{AppError, AppResult, ErrorCode};
use otpdesk_engine::{DepositKind, DepositView};
use qrcode::render::svg;
use qrcode::QrCode;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct DepositInfo {
    /// `pay_url` is `null` for USDT: OOPPay's remote QR image must not be loaded.
    pub deposit: DepositView,
    /// What the QR code holds: the QRIS payment link, or the USDT (TRC20) pay address.
    pub qr_payload: Option<String>,
    /// The QR code as SVG markup (black on white), while the deposit can still be paid.
    pub qr_svg: Option<String>,
    /// QRIS: the provider's payment page (`open_payment_page` opens it in the browser).
    pub payment_url: Option<String>,
}

impl DepositInfo {
    pub fn new(mut deposit: DepositView) -> DepositInfo {
        let payload = match deposit.kind {
            DepositKind::Qris => deposit.pay_url.clone(),
            DepositKind::Usdt => {
                deposit.pay_url = None;
                deposit.pay_address.clone()
            }
        };
        let payment_url = match deposit.kind {
            DepositKind::Qris => deposit.pay_url.clone(),
            DepositKind::Usdt => None,
        };
        // A paid or expired invoice shows no code to scan.
        let qr_svg = payload
            .as_deref()
            .filter(|_| !deposit.status.is_final())
            .and_then(qr_svg);
        DepositInfo {
            deposit,
            qr_payload: payload,
            qr_svg,
            payment_url,
        }
    }
}

/// `payload` as an SVG QR code (medium error correction, quiet zone included).
pub fn qr_svg(payload: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(240, 240)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

/// The QR modules of `payload` (row-major, `true` = dark) and the side length, for tests that
/// decode the code back.
pub fn qr_modules(payload: &str) -> Option<(Vec<bool>, usize)> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((dark, width))
}

/// Only open `url` when it is the configured OTPZap's own site: same host and port, over https
/// (plain http only for this computer, i.e. the demo's simulator).
pub fn check_payment_url(url: &str, otpzap_base: &str) -> AppResult<url::Url> {
    let refuse = || {
        AppError::new(
            ErrorCode::NotAllowed,
            "This payment link is not on the OTPZap site; it was not opened.",
        )
    };
    let u = url::Url::parse(url).map_err(|_| refuse())?;
    let base = url::Url::parse(otpzap_base).map_err(|_| refuse())?;
    let loopback = matches!(
        u.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || u.host_str() == Some("localhost");
    let scheme_ok = u.scheme() == "https" || (u.scheme() == "http" && loopback);
    let same_site = u.scheme() == base.scheme()
        && u.host_str() == base.host_str()
        && u.port_or_known_default() == base.port_or_known_default();
    if !scheme_ok || !same_site || !u.username().is_empty() || u.password().is_some() {
        return Err(refuse());
    }
    Ok(u)
}

/// Decode a QR code drawn from `qr_modules` back to its text, as a phone camera would: the
/// modules rasterised at 4 px with a 4-module quiet zone, then read by `rqrr`.
#[cfg(test)]
pub fn decode_qr(modules: &[bool], width: usize) -> String {
    const PX: usize = 4;
    let side = (width + 8) * PX;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (mx, my) = ((x / PX) as isize - 4, (y / PX) as isize - 4);
        let inside = (0..width as isize).contains(&mx) && (0..width as isize).contains(&my);
        if inside && modules[my as usize * width + mx as usize] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("the QR code decodes").1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_codes_decode_to_their_payload() {
        for payload in [
            "https://otpzap.com/pay/APIDEP-3-8f2a1c",
            "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9",
        ] {
            let (m, w) = qr_modules(payload).unwrap();
            assert_eq!(decode_qr(&m, w), payload);
            let svg = qr_svg(payload).unwrap();
            assert!(
                svg.starts_with("<?xml") || svg.starts_with("<svg"),
                "{svg:.40}"
            );
            assert!(
                !svg.contains("href") && !svg.contains("<image"),
                "nothing loaded"
            );
        }
    }

    #[test]
    fn payment_links_must_be_on_the_otpzap_site() {
        let base = "https://otpzap.com/api/v1";
        assert!(check_payment_url("https://otpzap.com/pay/APIDEP-3-x", base).is_ok());
        for bad in [
            "http://otpzap.com/pay/x",
            "https://otpzap.com.evil.example/pay/x",
            "https://evil.example/pay/x",
            "https://user@otpzap.com/pay/x",
            "https://otpzap.com:8443/pay/x",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            assert!(check_payment_url(bad, base).is_err(), "{bad}");
        }
        let sim = "http://127.0.0.1:4000/otpzap/api/v1";
        assert!(check_payment_url("http://127.0.0.1:4000/otpzap/pay/x", sim).is_ok());
        assert!(check_payment_url("http://127.0.0.1:4001/otpzap/pay/x", sim).is_err());
    }
}
