//! Reply mapping: status, `Retry-After` and body bytes to the decoded payload or a
//! [`ProviderError`] (WIRE.md: provider error code first, then HTTP status). Pure, so property
//! tests can feed it anything.

use super::retry_after::parse_retry_after;
use super::{Ctx, Envelope};
use crate::error::ProviderError;
use crate::lenient::{kind, scalar_text};
use serde_json::Value;
use std::time::Duration;

/// Longest excerpt of an error body kept in an error.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// Map a reply to the payload (`data` for OTPZap) or an error, then decode it.
pub(crate) fn handle<T>(
    ctx: &Ctx<'_>,
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    decode: impl FnOnce(&Value) -> Result<T, String>,
) -> Result<T, ProviderError> {
    let retry_after = retry_after.and_then(parse_retry_after);
    if !(200..300).contains(&status) {
        return Err(error_reply(ctx, status, retry_after, body));
    }
    let undecodable = |reason: String| {
        let reason = scrub(ctx, &reason);
        if ctx.paid {
            ProviderError::OutcomeUnknown {
                endpoint: ctx.endpoint.clone(),
                reason: format!("unreadable reply: {reason}"),
            }
        } else {
            ProviderError::Decode {
                endpoint: ctx.endpoint.clone(),
                reason,
            }
        }
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if body.iter().all(u8::is_ascii_whitespace) {
            undecodable("empty body".to_string())
        } else {
            undecodable(format!("not JSON ({e}): {}", excerpt(body)))
        }
    })?;
    let payload = match ctx.envelope {
        Envelope::Bare => &value,
        Envelope::Success => match &value {
            Value::Object(map) => {
                let success = map
                    .get("success")
                    .map(|s| matches!(s, Value::Bool(true)) || s == "true" || s == 1);
                if success == Some(false)
                    || (success.is_none() && map.contains_key("error") && !map.contains_key("data"))
                {
                    return Err(error_from_value(
                        ctx,
                        status,
                        retry_after,
                        Some(&value),
                        body,
                    ));
                }
                map.get("data").unwrap_or(&value)
            }
            other => {
                return Err(undecodable(format!(
                    "expected an object, got {}",
                    kind(other)
                )))
            }
        },
    };
    decode(payload).map_err(undecodable)
}

fn error_reply(
    ctx: &Ctx<'_>,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> ProviderError {
    let value = serde_json::from_slice::<Value>(body).ok();
    error_from_value(ctx, status, retry_after, value.as_ref(), body)
}

/// What an error body says, from any of the shapes in WIRE.md.
#[derive(Debug, Default)]
struct ErrorInfo {
    code: Option<String>,
    message: Option<String>,
    field: Option<String>,
    retry_after: Option<Duration>,
}

fn error_info(value: &Value) -> ErrorInfo {
    let mut info = ErrorInfo::default();
    let Value::Object(map) = value else {
        return info;
    };
    let text = |v: Option<&Value>| v.and_then(scalar_text);
    match map.get("error") {
        Some(Value::Object(err)) => {
            info.code = text(err.get("code"));
            info.message = text(err.get("message"));
            info.field = text(err.get("field")).or_else(|| match err.get("details") {
                Some(Value::Object(d)) => text(d.get("field")),
                _ => None,
            });
            info.retry_after = text(err.get("retry_after")).and_then(|s| parse_retry_after(&s));
        }
        Some(Value::String(s)) if text(map.get("code")).is_some() => {
            // Real NumberOTP: `{"error":"<a sentence>","code":"<CODE>"}`.
            info.message = Some(s.clone());
        }
        Some(Value::String(s)) => {
            // `{"error":"no_numbers","message":"..."}` or `{"error":"Something went wrong"}`.
            let looks_like_code = !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
            if looks_like_code {
                info.code = Some(s.clone());
            } else {
                info.message = Some(s.clone());
            }
        }
        _ => {}
    }
    info.code = info.code.or_else(|| text(map.get("code")));
    info.message = info.message.or_else(|| text(map.get("message")));
    info.field = info.field.or_else(|| text(map.get("field")));
    info.retry_after = info
        .retry_after
        .or_else(|| text(map.get("retry_after")).and_then(|s| parse_retry_after(&s)));
    if info.message.is_none() {
        info.message = info.code.clone();
    }
    info
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Auth,
    NotFound,
    Conflict,
    Cooldown,
    RateLimited,
    Insufficient,
    OutOfStock,
    Validation,
    Upstream,
    /// A paid request that may still be running at the provider.
    Pending,
}

fn kind_by_code(code: &str) -> Option<Kind> {
    Some(match code.trim().to_ascii_lowercase().as_str() {
        "unauthorized" | "unauthenticated" | "invalid_api_key" | "invalid_key" | "forbidden"
        | "auth" | "missing_api_key" | "api_key_invalid" | "invalid_token" => Kind::Auth,
        "not_found"
        | "order_not_found"
        | "notfound"
        | "activation_not_found"
        | "service_not_found"
        | "country_not_found" => Kind::NotFound,
        "not_pending" | "conflict" | "invalid_state" | "already_finished" => Kind::Conflict,
        "cooldown" | "cancel_cooldown" | "resend_locked" => Kind::Cooldown,
        "rate_limited" | "rate_limit" | "rate_limit_exceeded" | "too_many_requests" => {
            Kind::RateLimited
        }
        "insufficient_balance" | "insufficient_funds" | "low_balance" | "not_enough_balance" => {
            Kind::Insufficient
        }
        "out_of_stock"
        | "no_numbers"
        | "no_stock"
        | "sold_out"
        | "no_numbers_available"
        | "numbers_unavailable" => Kind::OutOfStock,
        "validation_error" | "validation" | "invalid_request" | "invalid_parameter"
        | "bad_request" => Kind::Validation,
        "upstream_rejected" | "internal_error" | "server_error" => Kind::Upstream,
        _ => return None,
    })
}

fn kind_by_status(status: u16) -> Option<Kind> {
    Some(match status {
        401 | 403 => Kind::Auth,
        402 => Kind::Insufficient,
        404 => Kind::NotFound,
        409 => Kind::Conflict,
        400 | 422 => Kind::Validation,
        429 => Kind::RateLimited,
        300..=399 | 500..=599 => Kind::Upstream,
        _ => return None,
    })
}

/// Code first, then HTTP status (WIRE.md).
fn error_from_value(
    ctx: &Ctx<'_>,
    status: u16,
    retry_after: Option<Duration>,
    value: Option<&Value>,
    body: &[u8],
) -> ProviderError {
    let info = value.map(error_info).unwrap_or_default();
    let by_code = info.code.as_deref().and_then(kind_by_code);
    let kind = by_code.or_else(|| match kind_by_status(status) {
        // OTPZap's bodies carry no code: on cancel / resend / replace a 429 is that action's
        // cooldown, and must not close the whole key's rate budget.
        Some(Kind::RateLimited) if ctx.action_429 => Some(Kind::Cooldown),
        // A codeless 409 to a paid create sent with an Idempotency-Key may be "a request with
        // this key is in progress": the first one may still charge. Reconcile, don't give up.
        Some(Kind::Conflict) if ctx.paid && ctx.idempotent => Some(Kind::Pending),
        other => other,
    });
    let message = match &info.message {
        Some(m) => truncate(&scrub(ctx, m), EXCERPT_CHARS),
        None if body.iter().all(u8::is_ascii_whitespace) => {
            format!("HTTP {status} with an empty body")
        }
        None => scrub(ctx, &excerpt(body)),
    };
    let retry_after = retry_after.or(info.retry_after);
    match kind {
        Some(Kind::Pending) => ProviderError::OutcomeUnknown {
            endpoint: ctx.endpoint.clone(),
            reason: format!("HTTP {status}: {message}"),
        },
        Some(Kind::Upstream) if ctx.paid => ProviderError::OutcomeUnknown {
            endpoint: ctx.endpoint.clone(),
            reason: format!("HTTP {status}: {message}"),
        },
        Some(Kind::Upstream) => ProviderError::Upstream {
            status,
            excerpt: message,
        },
        Some(Kind::Auth) => ProviderError::Auth { message },
        Some(Kind::NotFound) => ProviderError::NotFound { message },
        Some(Kind::Conflict) => ProviderError::Conflict { message },
        Some(Kind::Cooldown) => ProviderError::Cooldown {
            retry_after,
            message,
        },
        Some(Kind::RateLimited) => ProviderError::RateLimited { retry_after },
        Some(Kind::Insufficient) => ProviderError::InsufficientBalance { message },
        Some(Kind::OutOfStock) => ProviderError::OutOfStock { message },
        Some(Kind::Validation) => ProviderError::Validation {
            field: info.field.map(|f| truncate(&f, 64)),
            message,
        },
        None => ProviderError::Provider {
            status,
            code: info.code.map(|c| truncate(&c, 64)),
            message,
        },
    }
}

/// Replace the API key wherever a reply echoes it.
pub(super) fn scrub(ctx: &Ctx<'_>, text: &str) -> String {
    match ctx.key {
        Some(key) if key.expose().len() >= 4 && text.contains(key.expose()) => {
            text.replace(key.expose(), "<redacted>")
        }
        _ => text.to_string(),
    }
}

/// Tag-free, whitespace-collapsed start of a body, at most [`EXCERPT_CHARS`] characters.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let mut out = String::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let after = &rest[start..];
        let lower: String = after
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        // Drop script/style contents, not just their tags.
        let skip_to = if lower.starts_with("<script") {
            after.to_ascii_lowercase().find("</script").map(|i| i + 1)
        } else if lower.starts_with("<style") {
            after.to_ascii_lowercase().find("</style").map(|i| i + 1)
        } else {
            Some(1)
        };
        let tail = match skip_to {
            Some(i) => &after[i..],
            None => "",
        };
        rest = match tail.find('>') {
            Some(end) => &tail[end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", " ")
        .replace("&gt;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        "(no readable text)".to_string()
    } else {
        truncate(&collapsed, EXCERPT_CHARS)
    }
}

/// At most `max` characters, ending in `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpdesk_core::{ApiKey, ErrorCode};
    use serde_json::json;

    fn ctx(paid: bool, envelope: Envelope) -> Ctx<'static> {
        Ctx {
            endpoint: "POST /order/create".into(),
            paid,
            envelope,
            key: None,
            action_429: false,
            idempotent: false,
        }
    }

    fn run(
        paid: bool,
        envelope: Envelope,
        status: u16,
        retry: Option<&str>,
        body: &str,
    ) -> Result<Value, ProviderError> {
        handle(&ctx(paid, envelope), status, retry, body.as_bytes(), |v| {
            Ok(v.clone())
        })
    }

    #[test]
    fn success_envelope_unwraps_data_and_honours_success_false() {
        let ok = run(
            false,
            Envelope::Success,
            200,
            None,
            r#"{"success":true,"data":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(ok, json!({"a":1}));
        let err = run(
            false,
            Envelope::Success,
            200,
            None,
            r#"{"success":false,"message":"Saldo tidak cukup","error":{"code":"insufficient_balance"}}"#,
        );
        assert!(
            matches!(err, Err(ProviderError::InsufficientBalance { .. })),
            "{err:?}"
        );
        let err = run(
            false,
            Envelope::Success,
            200,
            None,
            r#"{"success":false,"message":"nope"}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ProviderError::Provider {
                status: 200,
                code: None,
                message: "nope".into()
            }
        );
    }

    #[test]
    fn code_wins_over_status() {
        let body = r#"{"success":false,"error":{"code":"out_of_stock","message":"No stock"}}"#;
        assert!(matches!(
            run(false, Envelope::Success, 409, None, body),
            Err(ProviderError::OutOfStock { .. })
        ));
        let body =
            r#"{"success":false,"error":{"code":"not_pending","message":"Order is finished"}}"#;
        assert!(matches!(
            run(false, Envelope::Success, 409, None, body),
            Err(ProviderError::Conflict { .. })
        ));
        let body = r#"{"success":false,"error":{"code":"cooldown","message":"wait"}}"#;
        let e = run(false, Envelope::Success, 429, Some("75"), body).unwrap_err();
        assert_eq!(
            e,
            ProviderError::Cooldown {
                retry_after: Some(Duration::from_secs(75)),
                message: "wait".into()
            }
        );
        let e = run(
            false,
            Envelope::Success,
            429,
            Some("12"),
            r#"{"error":{"code":"rate_limited"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(12)));
        assert_eq!(e.code(), ErrorCode::RateLimited);
    }

    #[test]
    fn status_fallbacks() {
        let cases = [
            (401, ErrorCode::Auth),
            (403, ErrorCode::Auth),
            (402, ErrorCode::InsufficientBalance),
            (404, ErrorCode::NotFound),
            (409, ErrorCode::Conflict),
            (422, ErrorCode::Validation),
            (400, ErrorCode::Validation),
            (429, ErrorCode::RateLimited),
            (500, ErrorCode::Upstream),
            (302, ErrorCode::Upstream),
            (418, ErrorCode::Provider),
        ];
        for (status, code) in cases {
            let e = run(false, Envelope::Bare, status, None, "{}").unwrap_err();
            assert_eq!(e.code(), code, "{status}");
        }
    }

    #[test]
    fn ooppay_error_shape_names_field() {
        let body = r#"{"error":{"code":"invalid_request","message":"Amount parameter must be positive","details":{"field":"amount","value":"-10.00"}}}"#;
        let e = run(false, Envelope::Bare, 400, None, body).unwrap_err();
        assert_eq!(
            e,
            ProviderError::Validation {
                field: Some("amount".into()),
                message: "Amount parameter must be positive".into()
            }
        );
    }

    #[test]
    fn numberotp_string_error_code() {
        let e = run(
            false,
            Envelope::Bare,
            409,
            None,
            r#"{"error":"no_numbers","message":"No numbers left"}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            ProviderError::OutOfStock {
                message: "No numbers left".into()
            }
        );
    }

    #[test]
    fn numberotp_real_error_shape_keeps_the_sentence() {
        for (status, code, kind) in [
            (402, "INSUFFICIENT_BALANCE", "insufficient_balance"),
            (409, "NO_NUMBERS_AVAILABLE", "out_of_stock"),
            (401, "INVALID_API_KEY", "auth"),
            (404, "ACTIVATION_NOT_FOUND", "not_found"),
            (429, "RATE_LIMITED", "rate_limited"),
            (418, "SOMETHING_NEW", "provider"),
        ] {
            let body = format!(r#"{{"error":"Your balance is too low.","code":"{code}"}}"#);
            let e = run(true, Envelope::Bare, status, None, &body).unwrap_err();
            assert_eq!(e.code().as_str(), kind, "{code}");
            if kind != "rate_limited" {
                assert!(e.to_string().contains("Your balance is too low."), "{e}");
            }
        }
        // A one-word sentence is the message, the `code` field is the code.
        let e = run(
            false,
            Envelope::Bare,
            400,
            None,
            r#"{"error":"Forbidden","code":"NO_NUMBERS"}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            ProviderError::OutOfStock {
                message: "Forbidden".into()
            }
        );
    }

    #[test]
    fn html_error_pages_become_short_tag_free_excerpts() {
        let html = format!(
            "<html><head><title>502 Bad Gateway</title><style>body{{color:red}}</style><script>var x='<b>';</script></head><body><h1>Bad&nbsp;Gateway</h1>{}</body></html>",
            "<p>nginx</p>".repeat(100)
        );
        let e = run(false, Envelope::Success, 502, None, &html).unwrap_err();
        let ProviderError::Upstream { status, excerpt } = e else {
            panic!("{e:?}")
        };
        assert_eq!(status, 502);
        assert!(
            excerpt.starts_with("502 Bad Gateway Bad Gateway nginx"),
            "{excerpt}"
        );
        assert!(
            !excerpt.contains('<') && !excerpt.contains('>') && !excerpt.contains("color"),
            "{excerpt}"
        );
        assert!(excerpt.chars().count() <= EXCERPT_CHARS);
    }

    #[test]
    fn paid_calls_turn_lost_or_broken_replies_into_outcome_unknown() {
        for (status, body) in [
            (500, "oops"),
            (503, "<h1>down</h1>"),
            (200, "{not json"),
            (200, ""),
            (200, "[]"),
        ] {
            let e = run(true, Envelope::Success, status, None, body).unwrap_err();
            assert_eq!(e.code(), ErrorCode::OutcomeUnknown, "{status} {body}");
        }
        // A definite refusal stays definite.
        let e = run(
            true,
            Envelope::Success,
            402,
            None,
            r#"{"success":false,"error":{"code":"insufficient_balance"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InsufficientBalance);
    }

    #[test]
    fn malformed_json_is_a_decode_error_naming_the_endpoint() {
        let e = run(false, Envelope::Success, 200, None, "{\"success\":tru").unwrap_err();
        let ProviderError::Decode { endpoint, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(endpoint, "POST /order/create");
        assert!(e.to_string().contains("POST /order/create"));
    }

    #[test]
    fn echoed_keys_are_scrubbed() {
        let key = ApiKey::new("sk_live_SECRET123").unwrap();
        let ctx = Ctx {
            endpoint: "GET /balance".into(),
            paid: false,
            envelope: Envelope::Success,
            key: Some(&key),
            action_429: false,
            idempotent: false,
        };
        let body = br#"{"success":false,"message":"key sk_live_SECRET123 is revoked"}"#;
        let e = handle(&ctx, 401, None, body, |v| Ok(v.clone())).unwrap_err();
        assert!(!e.to_string().contains("SECRET123"), "{e}");
        assert!(!format!("{e:?}").contains("SECRET123"));
    }

    #[test]
    fn codeless_429_on_an_action_is_its_cooldown() {
        let ctx = Ctx {
            endpoint: "POST /order/cancel".into(),
            action_429: true,
            ..ctx(false, Envelope::Success)
        };
        let body = br#"{"success":false,"message":"Please wait before cancelling"}"#;
        let e = handle(&ctx, 429, Some("75"), body, |v| Ok(v.clone())).unwrap_err();
        assert_eq!(
            e,
            ProviderError::Cooldown {
                retry_after: Some(Duration::from_secs(75)),
                message: "Please wait before cancelling".into()
            }
        );
        let e = handle(&ctx, 429, None, b"", |v| Ok(v.clone())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Cooldown);
        // An explicit code still wins; elsewhere a codeless 429 is the key's rate limit.
        let coded = br#"{"success":false,"error":{"code":"rate_limited"}}"#;
        let e = handle(&ctx, 429, Some("5"), coded, |v| Ok(v.clone())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::RateLimited);
        let e = run(false, Envelope::Success, 429, Some("5"), "{}").unwrap_err();
        assert_eq!(e.code(), ErrorCode::RateLimited);
    }

    #[test]
    fn codeless_409_to_an_idempotent_paid_create_is_an_unknown_outcome() {
        let body =
            br#"{"success":false,"message":"A request with this Idempotency-Key is in progress"}"#;
        let idem = Ctx {
            idempotent: true,
            ..ctx(true, Envelope::Success)
        };
        let e = handle(&idem, 409, None, body, |v| Ok(v.clone())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OutcomeUnknown, "{e:?}");
        assert!(e.to_string().contains("in progress"), "{e}");
        // With a code, or without a key, a 409 stays what it says.
        let stock = br#"{"success":false,"error":{"code":"out_of_stock"}}"#;
        let e = handle(&idem, 409, None, stock, |v| Ok(v.clone())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OutOfStock);
        let e = run(true, Envelope::Success, 409, None, "{}").unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
    }

    #[test]
    fn waits_from_headers_and_bodies_are_capped() {
        use crate::error::MAX_RETRY_AFTER;
        let e = run(
            false,
            Envelope::Success,
            429,
            Some("18446744073709551615"),
            "{}",
        )
        .unwrap_err();
        assert_eq!(
            e,
            ProviderError::RateLimited {
                retry_after: Some(MAX_RETRY_AFTER)
            }
        );
        assert_eq!(
            e.to_string(),
            "The provider is rate limiting requests, try again in 600 s."
        );
        for body in [
            r#"{"error":{"code":"rate_limited","retry_after":18446744073709551615}}"#,
            r#"{"error":{"code":"cooldown","retry_after":1e30}}"#,
            r#"{"retry_after":"Wed, 01 Jan 3000 00:00:00 GMT","error":"rate_limited"}"#,
            r#"{"retry_after":123456789012345678901234567890,"error":"rate_limited"}"#,
        ] {
            let e = run(false, Envelope::Bare, 429, None, body).unwrap_err();
            assert_eq!(e.retry_after(), Some(MAX_RETRY_AFTER), "{body}");
            assert!(e.to_string().contains("600 s"), "{e}");
        }
    }
}
