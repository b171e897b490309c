//! Webhook signatures and payloads.
//!
//! - OTPZap: `X-OTPZap-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`.
//! - NumberOTP: `x-numberotp-signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. (The docs'
//!   Node sample re-serialises the parsed body; WIRE.md fixes the raw body, which is what a
//!   byte-exact sender signs.)
//! - OOPPay: `X-Signature: <hex HMAC-SHA256(secret, order_id + merchant_order_id + status +
//!   X-Timestamp)>`, `X-Timestamp` in Unix seconds, rejected when more than 5 minutes from now.
//!
//! Comparisons are constant-time (`hmac`'s `verify_slice`). The `sign_*` helpers produce exactly
//! what the verifiers accept (used by the simulator and tests).

use crate::lenient::{scalar_text, Extra, Obj};
use crate::numberotp::Activation;
use crate::ooppay::PaymentOrder;
use crate::otpzap::{EmailCheck, Order, TopupStatus};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use otpdesk_core::Timestamp;
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;

pub const OTPZAP_SIGNATURE_HEADER: &str = "X-OTPZap-Signature";
pub const NUMBEROTP_SIGNATURE_HEADER: &str = "x-numberotp-signature";
pub const OOPPAY_SIGNATURE_HEADER: &str = "X-Signature";
pub const OOPPAY_TIMESTAMP_HEADER: &str = "X-Timestamp";
/// OOPPay timestamps further than this from now are rejected (replay protection).
pub const OOPPAY_MAX_SKEW: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("The webhook carries no signature.")]
    MissingSignature,
    #[error("The webhook signature is not in the expected format.")]
    MalformedSignature,
    #[error(
        "The webhook signature does not match: it was not sent by the provider or was altered."
    )]
    BadSignature,
    #[error("The webhook timestamp is missing or not a Unix time.")]
    BadTimestamp,
    #[error("The webhook timestamp is {skew_secs} s away from now, outside the 5 minute window.")]
    StaleTimestamp { skew_secs: i64 },
    #[error("The webhook body could not be read: {0}")]
    Payload(String),
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes keys of any length")
}

fn hex_hmac(secret: &[u8], parts: &[&[u8]]) -> String {
    let mut m = mac(secret);
    for p in parts {
        m.update(p);
    }
    hex::encode(m.finalize().into_bytes())
}

/// Constant-time check of a hex digest (case-insensitive) against HMAC over `parts`.
fn verify_hex(secret: &[u8], parts: &[&[u8]], hex_sig: &str) -> Result<(), WebhookError> {
    let sig = hex::decode(hex_sig.trim()).map_err(|_| WebhookError::MalformedSignature)?;
    if sig.len() != 32 {
        return Err(WebhookError::MalformedSignature);
    }
    let mut m = mac(secret);
    for p in parts {
        m.update(p);
    }
    m.verify_slice(&sig).map_err(|_| WebhookError::BadSignature)
}

/// `sha256=<hex>` header check shared by OTPZap and NumberOTP.
fn verify_prefixed(secret: &[u8], raw_body: &[u8], header: &str) -> Result<(), WebhookError> {
    let h = header.trim();
    if h.is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    let hex_sig = match h.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("sha256=") => &h[7..],
        _ => return Err(WebhookError::MalformedSignature),
    };
    verify_hex(secret, &[raw_body], hex_sig)
}

/// The `X-OTPZap-Signature` value for `raw_body`.
pub fn sign_otpzap(secret: impl AsRef<[u8]>, raw_body: &[u8]) -> String {
    format!("sha256={}", hex_hmac(secret.as_ref(), &[raw_body]))
}

/// Verify `X-OTPZap-Signature` over the raw request body (before any JSON parsing).
pub fn verify_otpzap(
    secret: impl AsRef<[u8]>,
    raw_body: &[u8],
    header: &str,
) -> Result<(), WebhookError> {
    verify_prefixed(secret.as_ref(), raw_body, header)
}

/// The `x-numberotp-signature` value for `raw_body`.
pub fn sign_numberotp(secret: impl AsRef<[u8]>, raw_body: &[u8]) -> String {
    format!("sha256={}", hex_hmac(secret.as_ref(), &[raw_body]))
}

/// Verify `x-numberotp-signature` over the raw request body.
pub fn verify_numberotp(
    secret: impl AsRef<[u8]>,
    raw_body: &[u8],
    header: &str,
) -> Result<(), WebhookError> {
    verify_prefixed(secret.as_ref(), raw_body, header)
}

/// The OOPPay `X-Signature` for these fields and `X-Timestamp` text.
pub fn sign_ooppay(
    secret: impl AsRef<[u8]>,
    order_id: &str,
    merchant_order_id: &str,
    status: &str,
    timestamp: &str,
) -> String {
    hex_hmac(
        secret.as_ref(),
        &[
            order_id.as_bytes(),
            merchant_order_id.as_bytes(),
            status.as_bytes(),
            timestamp.as_bytes(),
        ],
    )
}

/// Verify an OOPPay webhook: the timestamp must be within [`OOPPAY_MAX_SKEW`] of `now`, and the
/// signature must be the HMAC of `order_id + merchant_order_id + status + timestamp_header`.
pub fn verify_ooppay(
    secret: impl AsRef<[u8]>,
    order_id: &str,
    merchant_order_id: &str,
    status: &str,
    timestamp_header: &str,
    signature_header: &str,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    if signature_header.trim().is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    let ts: i64 = timestamp_header
        .trim()
        .parse()
        .map_err(|_| WebhookError::BadTimestamp)?;
    let skew = now.timestamp().saturating_sub(ts);
    if skew.unsigned_abs() > OOPPAY_MAX_SKEW.as_secs() {
        return Err(WebhookError::StaleTimestamp { skew_secs: skew });
    }
    let parts: [&[u8]; 4] = [
        order_id.as_bytes(),
        merchant_order_id.as_bytes(),
        status.as_bytes(),
        timestamp_header.trim().as_bytes(),
    ];
    verify_hex(secret.as_ref(), &parts, signature_header)
}

/// Parse a raw OOPPay webhook body, verify its signature with the fields as sent, and decode it.
pub fn verify_and_parse_ooppay(
    secret: impl AsRef<[u8]>,
    raw_body: &[u8],
    timestamp_header: &str,
    signature_header: &str,
    now: DateTime<Utc>,
) -> Result<PaymentOrder, WebhookError> {
    let value = json_body(raw_body)?;
    let field = |k: &str| value.get(k).and_then(scalar_text).unwrap_or_default();
    verify_ooppay(
        secret,
        &field("order_id"),
        &field("merchant_order_id"),
        &field("status"),
        timestamp_header,
        signature_header,
        now,
    )?;
    crate::ooppay::decoders::payment_order(&value).map_err(WebhookError::Payload)
}

fn json_body(raw_body: &[u8]) -> Result<Value, WebhookError> {
    serde_json::from_slice(raw_body).map_err(|e| WebhookError::Payload(format!("not JSON ({e})")))
}

/// What an OTPZap event carries, by event family (`order.*`, `topup.*`, `email.*`).
#[derive(Debug, Clone, PartialEq)]
pub enum OtpZapEventData {
    /// `order.*`: the `order/check` shape.
    Order(Box<Order>),
    /// `topup.*`: the `topup/check` shape.
    Topup(TopupStatus),
    /// `email.*`: the `order/email-check` shape.
    Email(Box<EmailCheck>),
    /// Unknown event, or data not in the expected shape: kept raw (poll the order to be sure).
    Other(Value),
}

/// An OTPZap webhook body: `{"event":"order.otp_received","data":{...},"sent_at":"<WIB>"}`
/// (assumed in WIRE.md; the docs list no events).
#[derive(Debug, Clone, PartialEq)]
pub struct OtpZapWebhook {
    pub event: String,
    pub data: OtpZapEventData,
    pub sent_at: Option<Timestamp>,
    pub extra: Extra,
}

/// Decode an OTPZap webhook body (verify it first with [`verify_otpzap`]).
pub fn parse_otpzap(raw_body: &[u8]) -> Result<OtpZapWebhook, WebhookError> {
    let value = json_body(raw_body)?;
    let mut o = Obj::new(&value, "webhook").map_err(WebhookError::Payload)?;
    let event = o.req_str("event").map_err(WebhookError::Payload)?;
    let raw = o.raw("data").cloned().unwrap_or(Value::Null);
    let family = event
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let data = match family.as_str() {
        "order" => {
            crate::otpzap::order_decoders::order(&raw).map(|x| OtpZapEventData::Order(Box::new(x)))
        }
        "topup" => crate::otpzap::deposit_decoders::topup_status(&raw).map(OtpZapEventData::Topup),
        "email" => crate::otpzap::email_decoders::email_check(&raw)
            .map(|x| OtpZapEventData::Email(Box::new(x))),
        _ => Err(String::new()),
    }
    .unwrap_or(OtpZapEventData::Other(raw));
    Ok(OtpZapWebhook {
        event,
        data,
        sent_at: o.time("sent_at"),
        extra: o.extra(),
    })
}

/// Decode a NumberOTP webhook body: the documented activation object.
pub fn parse_numberotp(raw_body: &[u8]) -> Result<Activation, WebhookError> {
    crate::numberotp::decoders::activation(&json_body(raw_body)?).map_err(WebhookError::Payload)
}

/// Decode an OOPPay webhook body without checking its signature (see [`verify_and_parse_ooppay`]).
pub fn parse_ooppay(raw_body: &[u8]) -> Result<PaymentOrder, WebhookError> {
    crate::ooppay::decoders::payment_order(&json_body(raw_body)?).map_err(WebhookError::Payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpdesk_core::{DepositStatus, OrderStatus};

    const OZ_BODY: &str = r#"{"event":"order.otp_received","data":{"order_id":65,"otp_code":"123456"},"sent_at":"2026-05-19 10:35:12 WIB"}"#;
    // printf '%s' "$OZ_BODY" > oz.json && openssl dgst -sha256 -hmac 'whsec_otpzap_test_secret_0123' oz.json
    const OZ_SIG: &str = "49fdd76dccabf048a57f63602b88bbb2a2b1aed94da63581457de8543b7a2ef4";

    const NO_BODY: &str = r#"{"id":"act_8f7d98x","phone_number":"14155552671","service":"wa","country":"67","otp":"482910","full_sms":"Your WhatsApp code is 482910.","status":"received"}"#;
    // printf '%s' "$NO_BODY" > no.json && openssl dgst -sha256 -hmac 'notp_webhook_secret' no.json
    const NO_SIG: &str = "548fb56560c9e9e76ef893ad5de53365e63c9aa13ffcabdb66364e1b82e8e4ee";

    // printf '%s' '550e8400-e29b-41d4-a716-446655440000ORDER_20250122_001paid1737123456' \
    //   | openssl dgst -sha256 -hmac 'YOUR_WEBHOOK_SECRET'
    const OOP_SIG: &str = "6cc6a8a15e901b356183c2eab792e715165612888ee8781db4eb407851e2034c";
    const OOP_ID: &str = "550e8400-e29b-41d4-a716-446655440000";
    const OOP_MID: &str = "ORDER_20250122_001";

    fn at(ts: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(ts, 0).unwrap()
    }

    #[test]
    fn otpzap_vector() {
        let secret = "whsec_otpzap_test_secret_0123";
        assert_eq!(
            sign_otpzap(secret, OZ_BODY.as_bytes()),
            format!("sha256={OZ_SIG}")
        );
        assert_eq!(
            verify_otpzap(secret, OZ_BODY.as_bytes(), &format!("sha256={OZ_SIG}")),
            Ok(())
        );
        assert_eq!(
            verify_otpzap(
                secret,
                OZ_BODY.as_bytes(),
                &format!("SHA256={}", OZ_SIG.to_uppercase())
            ),
            Ok(())
        );
        let tampered = OZ_BODY.replace("123456", "654321");
        assert_eq!(
            verify_otpzap(secret, tampered.as_bytes(), &format!("sha256={OZ_SIG}")),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_otpzap("other", OZ_BODY.as_bytes(), &format!("sha256={OZ_SIG}")),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_otpzap(secret, OZ_BODY.as_bytes(), ""),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_otpzap(secret, OZ_BODY.as_bytes(), OZ_SIG),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            verify_otpzap(secret, OZ_BODY.as_bytes(), "sha256=zz"),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            verify_otpzap(secret, OZ_BODY.as_bytes(), "sha256=abcd"),
            Err(WebhookError::MalformedSignature)
        );
    }

    #[test]
    fn numberotp_vector() {
        let secret = "notp_webhook_secret";
        assert_eq!(
            sign_numberotp(secret, NO_BODY.as_bytes()),
            format!("sha256={NO_SIG}")
        );
        assert_eq!(
            verify_numberotp(secret, NO_BODY.as_bytes(), &format!("sha256={NO_SIG}")),
            Ok(())
        );
        assert_eq!(
            verify_numberotp(
                secret,
                format!("{NO_BODY} ").as_bytes(),
                &format!("sha256={NO_SIG}")
            ),
            Err(WebhookError::BadSignature)
        );
        let a = parse_numberotp(NO_BODY.as_bytes()).unwrap();
        assert_eq!(a.otp.as_deref(), Some("482910"));
        assert_eq!(a.status, OrderStatus::OtpReceived);
    }

    #[test]
    fn ooppay_vector_and_window() {
        let secret = "YOUR_WEBHOOK_SECRET";
        assert_eq!(
            sign_ooppay(secret, OOP_ID, OOP_MID, "paid", "1737123456"),
            OOP_SIG
        );
        let ok = |now| {
            verify_ooppay(
                secret,
                OOP_ID,
                OOP_MID,
                "paid",
                "1737123456",
                OOP_SIG,
                at(now),
            )
        };
        assert_eq!(ok(1737123456), Ok(()));
        assert_eq!(ok(1737123456 + 300), Ok(()));
        assert_eq!(ok(1737123456 - 300), Ok(()));
        assert_eq!(
            ok(1737123456 + 301),
            Err(WebhookError::StaleTimestamp { skew_secs: 301 })
        );
        assert_eq!(
            ok(1737123456 - 301),
            Err(WebhookError::StaleTimestamp { skew_secs: -301 })
        );
        let now = at(1737123456);
        assert_eq!(
            verify_ooppay(
                secret,
                OOP_ID,
                OOP_MID,
                "expired",
                "1737123456",
                OOP_SIG,
                now
            ),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_ooppay(secret, OOP_ID, OOP_MID, "paid", "1737123457", OOP_SIG, now),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_ooppay(secret, OOP_ID, OOP_MID, "paid", "soon", OOP_SIG, now),
            Err(WebhookError::BadTimestamp)
        );
        assert_eq!(
            verify_ooppay(secret, OOP_ID, OOP_MID, "paid", "1737123456", "", now),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_ooppay(
                secret,
                OOP_ID,
                OOP_MID,
                "paid",
                "99999999999999999999",
                OOP_SIG,
                now
            ),
            Err(WebhookError::BadTimestamp)
        );
    }

    #[test]
    fn ooppay_documented_webhook_verifies_and_parses() {
        let body = r#"{"order_id":"550e8400-e29b-41d4-a716-446655440000","merchant_order_id":"ORDER_20250122_001","status":"paid","order_amount":"10.000000","paid_amount":"11.500000","net_amount":"9.950000","fee_amount":"0.050000","tx_hash":"7c2bb22f6d3c8c9b4fe8d3b4f5e6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4","confirmations":3,"paid_at":"2025-01-22T10:32:15Z"}"#;
        let p = verify_and_parse_ooppay(
            "YOUR_WEBHOOK_SECRET",
            body.as_bytes(),
            "1737123456",
            OOP_SIG,
            at(1737123500),
        )
        .unwrap();
        assert_eq!(p.status, Some(DepositStatus::Paid));
        assert_eq!(p.net_amount.unwrap().minor, 9_950_000);
        let forged = body.replace("\"paid\"", "\"expired\"");
        assert_eq!(
            verify_and_parse_ooppay(
                "YOUR_WEBHOOK_SECRET",
                forged.as_bytes(),
                "1737123456",
                OOP_SIG,
                at(1737123500)
            )
            .unwrap_err(),
            WebhookError::BadSignature
        );
        assert_eq!(
            parse_ooppay(body.as_bytes()).unwrap().confirmations,
            Some(3)
        );
    }

    #[test]
    fn otpzap_payloads_by_family() {
        let w = parse_otpzap(OZ_BODY.as_bytes()).unwrap();
        assert_eq!(w.event, "order.otp_received");
        // No `status` in this minimal body: kept raw rather than failing.
        assert!(matches!(w.data, OtpZapEventData::Other(_)), "{:?}", w.data);
        assert!(w.sent_at.is_some());
        let body = br#"{"event":"order.otp_received","data":{"order_id":65,"status":"otp_received","otps":[{"code":"1"},{"code":"2"}]},"sent_at":"2026-05-19 10:35:12 WIB","attempt":2}"#;
        let w = parse_otpzap(body).unwrap();
        let OtpZapEventData::Order(o) = &w.data else {
            panic!("{:?}", w.data)
        };
        assert_eq!(o.otp_code.as_deref(), Some("2"));
        assert_eq!(w.extra["attempt"], serde_json::json!(2));
        let w = parse_otpzap(br#"{"event":"topup.success","data":{"order_id":"APIDEP-3-x","status":"success","amount":50000}}"#).unwrap();
        assert!(matches!(w.data, OtpZapEventData::Topup(ref t) if t.status == DepositStatus::Paid));
        let w = parse_otpzap(br#"{"event":"email.message_received","data":{"ref":"APIE-3-x","status":"otp_received"}}"#).unwrap();
        assert!(matches!(w.data, OtpZapEventData::Email(_)));
        let w = parse_otpzap(br#"{"event":"account.note","data":[1]}"#).unwrap();
        assert_eq!(w.data, OtpZapEventData::Other(serde_json::json!([1])));
        assert!(parse_otpzap(b"{}").is_err());
        assert!(parse_otpzap(b"<html>").is_err());
    }
}
