//! The replies fault rules put in place of (or make of) a provider's reply: error statuses, an
//! nginx page, 429s with any `Retry-After`, a connection dropped after commit, JSON cut in half,
//! and a committed reply with fields rewritten (odd prices).

use crate::control::types::FaultKind;
use crate::error::{codeless, envelope, SimError};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use otpdesk_core::ProviderId;
use serde_json::{Map, Value};

pub const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

/// `body` with the content type it reads as.
fn with_body(status: StatusCode, body: String) -> Response {
    let ctype = if serde_json::from_str::<Value>(&body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    (status, [(header::CONTENT_TYPE, ctype)], body).into_response()
}

/// The reply of a short-circuit fault (the handler does not run).
pub fn fault_response(kind: &FaultKind, provider: ProviderId) -> Response {
    match kind {
        FaultKind::Status { status, body } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            // Without a body: the provider's own error envelope; 502 reads as OTPZap's documented
            // "system rejected" (`upstream_rejected`).
            let code = match status.as_u16() {
                502 => "upstream_rejected",
                503 => "service_unavailable",
                _ => "server_error",
            };
            let body = body
                .clone()
                .unwrap_or_else(|| envelope(provider, code, reason, None).to_string());
            with_body(status, body)
        }
        FaultKind::Html => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            NGINX_502,
        )
            .into_response(),
        FaultKind::RateLimit { retry_after } => SimError::RateLimited {
            retry_after: *retry_after,
        }
        .into_response_for(provider),
        FaultKind::TooManyRequests {
            retry_after,
            body,
            codeless: plain,
        } => {
            let message = "Too Many Requests";
            let body = body.clone().unwrap_or_else(|| {
                if *plain {
                    codeless(provider, message).to_string()
                } else {
                    envelope(provider, "rate_limited", message, None).to_string()
                }
            });
            let mut resp = with_body(StatusCode::TOO_MANY_REQUESTS, body);
            // Checked when the rule was added; a value that is no header value is left out.
            if let Some(v) = retry_after
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        // Not short-circuit kinds; the planner never puts them here.
        FaultKind::DropAfterCommit
        | FaultKind::MalformedJson
        | FaultKind::Delay { .. }
        | FaultKind::PatchReply { .. } => {
            SimError::Internal("misplanned fault".into()).into_response_for(provider)
        }
    }
}

/// The committed reply, cut short: a 200 whose body ends with an error, which makes hyper abort
/// the connection mid-response.
pub fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault: drop_after_commit",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn json_reply(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.into(),
    )
        .into_response()
}

pub async fn malformed(resp: Response) -> Response {
    let bytes = axum::body::to_bytes(resp.into_body(), 4 << 20)
        .await
        .unwrap_or_default();
    let cut = if bytes.len() > 1 {
        bytes.slice(..bytes.len() / 2)
    } else {
        Bytes::from_static(b"{\"success\":tr")
    };
    json_reply(StatusCode::OK, cut)
}

/// A successful JSON reply with the fields of `set` written into its payload.
pub async fn patched(resp: Response, set: &Map<String, Value>) -> Response {
    if !resp.status().is_success() {
        return resp;
    }
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 4 << 20)
        .await
        .unwrap_or_default();
    let Ok(mut body) = serde_json::from_slice::<Value>(&bytes) else {
        return json_reply(status, bytes);
    };
    let payload = match body.get_mut("data") {
        Some(data @ Value::Object(_)) => data,
        _ => &mut body,
    };
    if let Value::Object(map) = payload {
        for (k, v) in map.iter_mut() {
            match (k.as_str(), v) {
                ("order", one) => set_fields(one, set),
                ("orders", Value::Array(items)) => {
                    items.iter_mut().for_each(|i| set_fields(i, set))
                }
                _ => {}
            }
        }
        map.extend(set.clone());
    }
    json_reply(status, body.to_string())
}

fn set_fields(v: &mut Value, set: &Map<String, Value>) {
    if let Value::Object(m) = v {
        m.extend(set.clone());
    }
}
