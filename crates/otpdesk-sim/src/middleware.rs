//! The layer in front of the three provider APIs: fault injection, the per-key rate limit, and
//! the request log. Order: faults decide first (a short-circuit fault never reaches the limiter or
//! the handler), then the limiter, then the handler, then mangling faults, then the log.

use crate::control::types::{FaultKind, RequestLogEntry};
use crate::error::{envelope, SimError};
use crate::faults::FaultPlan;
use crate::http::bearer;
use crate::ledger::key_fingerprint;
use crate::state::Sim;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use otpdesk_core::ProviderId;
use std::sync::Arc;
use std::time::Duration;

pub fn provider_of(path: &str) -> Option<ProviderId> {
    if path.starts_with("/otpzap/api/v1") {
        Some(ProviderId::Otpzap)
    } else if path.starts_with("/numberotp/v1") {
        Some(ProviderId::Numberotp)
    } else if path.starts_with("/ooppay/api/v1") {
        Some(ProviderId::Ooppay)
    } else {
        None
    }
}

pub const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

fn fault_response(kind: &FaultKind, provider: ProviderId) -> Response {
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
            let ctype = if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            };
            (status, [(header::CONTENT_TYPE, ctype)], body).into_response()
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
        // Not short-circuit kinds; the planner never puts them here.
        FaultKind::DropAfterCommit | FaultKind::MalformedJson | FaultKind::Delay { .. } => {
            SimError::Internal("misplanned fault".into()).into_response_for(provider)
        }
    }
}

/// The committed reply, cut short: a 200 whose body ends with an error, which makes hyper abort
/// the connection mid-response.
fn dropped() -> Response {
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

async fn malformed(resp: Response) -> Response {
    let bytes = axum::body::to_bytes(resp.into_body(), 4 << 20)
        .await
        .unwrap_or_default();
    let cut = if bytes.len() > 1 {
        bytes.slice(..bytes.len() / 2)
    } else {
        Bytes::from_static(b"{\"success\":tr")
    };
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        cut,
    )
        .into_response()
}

pub async fn provider_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(provider) = provider_of(&path) else {
        return next.run(req).await;
    };
    let method = req.method().as_str().to_string();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let key = bearer(req.headers());
    let (plan, rate): (FaultPlan, Result<(), u64>) = sim.with(|w, now| {
        let plan = w.faults.plan(provider, &method, &target, &mut w.rng);
        let rate = match (&key, &plan.short_circuit) {
            (Some(k), None) => w.rate.check(k, w.config.rate_limit_per_min, now),
            _ => Ok(()),
        };
        (plan, rate)
    });
    if plan.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.delay_ms)).await;
    }
    let resp = match (&plan.short_circuit, rate) {
        (Some(kind), _) => fault_response(kind, provider),
        (None, Err(retry_after)) => {
            SimError::RateLimited { retry_after }.into_response_for(provider)
        }
        (None, Ok(())) => next.run(req).await,
    };
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let resp = match plan.mangle {
        Some(FaultKind::DropAfterCommit) => dropped(),
        Some(FaultKind::MalformedJson) => malformed(resp).await,
        _ => resp,
    };
    sim.with(|w, now| {
        w.requests.push(RequestLogEntry {
            seq: 0,
            at: now,
            provider,
            method,
            path: target,
            key_fp: key.as_deref().map(key_fingerprint),
            status,
            retry_after,
            fault: (!plan.fired.is_empty()).then(|| plan.fired.join(",")),
        })
    });
    resp
}
