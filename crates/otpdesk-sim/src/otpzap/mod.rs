//! OTPZap (`/otpzap/api/v1`): balance, QRIS top-ups, Server 1/2 SMS orders, Server 3 email
//! inboxes and webhook settings. Envelope `{"success":true,"data":…}`; errors per docs/WIRE.md.

pub mod catalog_api;
mod create_once;
pub mod email;
pub mod order_spec;
pub mod orders;
pub mod sms_events;
pub mod topup;
pub mod webhook_api;

pub use create_once::create_once;

use crate::error::{OtpzapError, SimError};
use crate::http::account_key;
use crate::state::{Sim, World};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use otpdesk_core::ProviderId;
use serde_json::{json, Value};
use std::sync::Arc;

pub type OzResult = Result<Response, OtpzapError>;

pub fn ok(data: Value) -> Response {
    Json(json!({"success": true, "data": data})).into_response()
}

/// A stored reply (idempotent replay) as a response.
pub fn replay(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, Json(body)).into_response()
}

/// The account key behind the request, or 401.
pub fn auth(w: &World, headers: &HeaderMap) -> Result<String, SimError> {
    account_key(w, ProviderId::Otpzap, headers)
}

pub fn account_number(w: &World, key: &str) -> u32 {
    w.bank
        .auth(ProviderId::Otpzap, Some(key))
        .map(|a| a.number)
        .unwrap_or(0)
}

async fn balance(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> OzResult {
    sim.with(|w, _| {
        let key = auth(w, &headers)?;
        let bal = w.bank.balance(&key).map(|m| m.minor).unwrap_or(0);
        Ok(ok(json!({"balance": bal, "currency": "IDR"})))
    })
}

async fn not_found() -> OtpzapError {
    OtpzapError(SimError::not_found("endpoint"))
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/balance", get(balance))
        .route("/topup/create", post(topup::create))
        .route("/topup/check", get(topup::check))
        .route("/countries", get(catalog_api::countries))
        .route("/services", get(catalog_api::services))
        .route("/products", get(catalog_api::products))
        .route("/s2/countries", get(catalog_api::s2_countries))
        .route("/s2/services", get(catalog_api::s2_services))
        .route("/s2/operators", get(catalog_api::s2_operators))
        .route("/s2/special", get(catalog_api::s2_special))
        .route("/s3/sites", get(catalog_api::s3_sites))
        .route("/s3/domains", get(catalog_api::s3_domains))
        .route("/order/create", post(orders::create))
        .route("/order/check", get(orders::check))
        .route("/order/cancel", post(orders::cancel))
        .route("/order/finish", post(orders::finish))
        .route("/order/resend", post(orders::resend))
        .route("/order/replace", post(orders::replace))
        .route("/order/email-create", post(email::create))
        .route("/order/email-check", get(email::check))
        .route("/order/email-reorder", post(email::reorder))
        .route("/order/email-cancel", post(email::cancel))
        .route("/order/email-finish", post(email::finish))
        .route("/webhook/get", get(webhook_api::get_config))
        .route("/webhook/update", patch(webhook_api::update))
        .fallback(not_found)
}
