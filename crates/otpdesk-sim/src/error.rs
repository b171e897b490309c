//! The one error type of the simulator, and how each provider spells it on the wire
//! (docs/WIRE.md): OTPZap `{"success":false,"error":{..},"message":..}`, NumberOTP
//! `{"error":{"code","message"}}`, OOPPay `{"error":{"code","message","details"}}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use otpdesk_core::{Money, ProviderId};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("invalid or missing API key")]
    Unauthorized,
    #[error("insufficient balance: need {needed}, have {balance}")]
    InsufficientBalance { needed: Money, balance: Money },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    NotPending(String),
    #[error("no numbers or inboxes left for this product")]
    OutOfStock,
    #[error("{message}")]
    Validation {
        field: String,
        message: String,
        value: Option<String>,
    },
    #[error("Idempotency-Key was already used with a different request body")]
    IdempotencyConflict,
    /// A second request with a key whose first request is still being processed (409, and a
    /// body without an error code, as real providers send it).
    #[error("A request with this Idempotency-Key is in progress")]
    IdempotencyInProgress,
    #[error("rate limit exceeded, retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("cancel is allowed 2 minutes after purchase, retry in {retry_after} s")]
    Cooldown { retry_after: u64 },
    #[error("resend is locked until a new OTP arrives")]
    ResendLocked { retry_after: Option<u64> },
    #[error("the system rejected the request")]
    UpstreamRejected,
    #[error("internal error: {0}")]
    Internal(String),
}

impl SimError {
    pub fn validation(field: &str, message: impl Into<String>) -> SimError {
        SimError::Validation {
            field: field.to_string(),
            message: message.into(),
            value: None,
        }
    }

    pub fn not_found(what: impl Into<String>) -> SimError {
        SimError::NotFound(what.into())
    }

    /// HTTP status. OOPPay documents 400 for bad parameters where the others use 422.
    pub fn status(&self, provider: ProviderId) -> StatusCode {
        match self {
            SimError::Unauthorized => StatusCode::UNAUTHORIZED,
            SimError::InsufficientBalance { .. } => StatusCode::PAYMENT_REQUIRED,
            SimError::NotFound(_) => StatusCode::NOT_FOUND,
            SimError::NotPending(_) | SimError::OutOfStock | SimError::IdempotencyInProgress => {
                StatusCode::CONFLICT
            }
            SimError::Validation { .. } | SimError::IdempotencyConflict => {
                if provider == ProviderId::Ooppay {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
            }
            SimError::RateLimited { .. }
            | SimError::Cooldown { .. }
            | SimError::ResendLocked { .. } => StatusCode::TOO_MANY_REQUESTS,
            SimError::UpstreamRejected => StatusCode::BAD_GATEWAY,
            SimError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self, provider: ProviderId) -> &'static str {
        match (self, provider) {
            (SimError::Unauthorized, _) => "unauthorized",
            (SimError::InsufficientBalance { .. }, _) => "insufficient_balance",
            (SimError::NotFound(_), _) => "not_found",
            (SimError::NotPending(_), _) => "not_pending",
            (SimError::OutOfStock, ProviderId::Numberotp) => "no_numbers",
            (SimError::OutOfStock, _) => "out_of_stock",
            (SimError::Validation { .. }, ProviderId::Ooppay) => "invalid_request",
            (SimError::Validation { .. }, _) => "validation_error",
            (SimError::IdempotencyConflict, ProviderId::Ooppay) => "invalid_request",
            (SimError::IdempotencyConflict, _) => "validation_error",
            (SimError::IdempotencyInProgress, _) => "idempotency_in_progress",
            (SimError::RateLimited { .. }, _) => "rate_limited",
            (SimError::Cooldown { .. }, _) => "cooldown",
            (SimError::ResendLocked { .. }, _) => "resend_locked",
            (SimError::UpstreamRejected, _) => "upstream_rejected",
            (SimError::Internal(_), _) => "internal_error",
        }
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self {
            SimError::RateLimited { retry_after } | SimError::Cooldown { retry_after } => {
                Some(*retry_after)
            }
            SimError::ResendLocked { retry_after } => *retry_after,
            _ => None,
        }
    }

    fn field(&self) -> Option<(&str, Option<&str>)> {
        match self {
            SimError::Validation { field, value, .. } => Some((field.as_str(), value.as_deref())),
            SimError::IdempotencyConflict => Some(("Idempotency-Key", None)),
            _ => None,
        }
    }

    /// The provider-shaped JSON body for this error.
    pub fn body(&self, provider: ProviderId) -> Value {
        if *self == SimError::IdempotencyInProgress {
            return codeless(provider, &self.to_string());
        }
        envelope(
            provider,
            self.code(provider),
            &self.to_string(),
            self.field(),
        )
    }

    pub fn into_response_for(self, provider: ProviderId) -> Response {
        let mut resp = (self.status(provider), axum::Json(self.body(provider))).into_response();
        if let Some(secs) = self.retry_after() {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// A provider's error envelope (docs/WIRE.md) around a code and message; `field` (with the
/// offending value, for OOPPay `details`) when one input is to blame.
pub fn envelope(
    provider: ProviderId,
    code: &str,
    message: &str,
    field: Option<(&str, Option<&str>)>,
) -> Value {
    match provider {
        ProviderId::Otpzap => {
            let mut error = json!({"code": code, "message": message});
            if let Some((field, _)) = field {
                error["field"] = json!(field);
            }
            json!({"success": false, "error": error, "message": message})
        }
        ProviderId::Numberotp => json!({"error": {"code": code, "message": message}}),
        ProviderId::Ooppay => {
            let mut error = json!({"code": code, "message": message});
            if let Some((field, value)) = field {
                error["details"] = json!({"field": field, "value": value});
            }
            json!({ "error": error })
        }
    }
}

/// A provider's error body with a message and no machine code (what OTPZap really sends:
/// `{"success":false,"message":"..."}`).
pub fn codeless(provider: ProviderId, message: &str) -> Value {
    match provider {
        ProviderId::Otpzap => json!({"success": false, "message": message}),
        ProviderId::Numberotp => json!({ "error": message }),
        ProviderId::Ooppay => json!({"error": {"message": message}}),
    }
}

/// Error newtypes that know which provider's envelope to use, so handlers can use `?`.
macro_rules! provider_error {
    ($name:ident, $provider:expr) => {
        #[derive(Debug)]
        pub struct $name(pub SimError);
        impl From<SimError> for $name {
            fn from(e: SimError) -> Self {
                $name(e)
            }
        }
        impl IntoResponse for $name {
            fn into_response(self) -> Response {
                self.0.into_response_for($provider)
            }
        }
    };
}
provider_error!(OtpzapError, ProviderId::Otpzap);
provider_error!(NumberotpError, ProviderId::Numberotp);
provider_error!(OoppayError, ProviderId::Ooppay);

/// Parse a JSON request body into `T`, mapping any failure to a validation error (never a panic,
/// never axum's plain-text rejection).
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, SimError> {
    let bytes: &[u8] = if body.iter().all(|b| b.is_ascii_whitespace()) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(bytes)
        .map_err(|e| SimError::validation("body", format!("invalid JSON body: {e}")))
}
