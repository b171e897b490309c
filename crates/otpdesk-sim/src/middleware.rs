//! The layer in front of the three provider APIs: fault injection, the per-key rate limit, and
//! the request log. Order: faults decide first (a short-circuit fault never reaches the limiter or
//! the handler), then the limiter, then the handler, then mangling faults, then the log.

use crate::control::types::{FaultKind, NumberOtpShape, RequestLogEntry};
use crate::error::SimError;
use crate::fault_replies::{dropped, fault_response, malformed, patched};
use crate::faults::FaultPlan;
use crate::http::{bearer, idempotency_key};
use crate::ledger::key_fingerprint;
use crate::numberotp::dialect::realworld_error;
use crate::state::Sim;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
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
    let idem = idempotency_key(req.headers());
    let (plan, rate, shape): (FaultPlan, Result<(), u64>, NumberOtpShape) = sim.with(|w, now| {
        let plan = w.faults.plan(provider, &method, &target, &mut w.rng);
        let rate = match (&key, &plan.short_circuit) {
            (Some(k), None) => w.rate.check(k, w.config.rate_limit_per_min, now),
            _ => Ok(()),
        };
        (plan, rate, w.config.numberotp_shape)
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
    // Real NumberOTP spells errors its own way; a fault's explicit body is sent as given.
    let explicit_body = matches!(
        &plan.short_circuit,
        Some(
            FaultKind::Status { body: Some(_), .. }
                | FaultKind::TooManyRequests { body: Some(_), .. }
        )
    );
    let resp = if provider == ProviderId::Numberotp
        && shape == NumberOtpShape::Realworld
        && !explicit_body
    {
        realworld_error(resp).await
    } else {
        resp
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
        Some(FaultKind::PatchReply { set }) => patched(resp, &set).await,
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
            idempotency_key: idem,
        })
    });
    resp
}
