//! OTPZap's paid creates (`order/create`, `order/email-create`, `topup/create`) under their
//! Idempotency-Key: the same key and body replays the first reply (nothing is created or charged
//! twice), another body is a 422, a second request while the first is still processing is a 409
//! "in progress", and a key older than the configured TTL is forgotten. With `create_delay_ms`
//! the create commits only after the delay, in a task of its own, so a client that gives up does
//! not stop it (a real provider finishes the work it accepted).

use super::{auth, replay, OzResult};
use crate::clock::SimTime;
use crate::error::{OtpzapError, SimError};
use crate::http::{idempotency_key, json_object};
use crate::idempotency::Lookup;
use crate::state::{Sim, World};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// One create request, authenticated and parsed.
pub struct CreateReq {
    /// The account's API key.
    pub key: String,
    pub idem: Option<String>,
    pub body: Value,
}

/// What the first, locked look at a request decided.
enum Start {
    Done(Response),
    Later(CreateReq, Duration),
}

/// Run `create` (giving the `data` of the `{"success":true,…}` reply) once per key; see the
/// module docs. `key_required`: a request without Idempotency-Key is a 422 (`topup/create`).
pub async fn create_once<F>(
    sim: Arc<Sim>,
    headers: &HeaderMap,
    body: &[u8],
    route: &'static str,
    key_required: bool,
    create: F,
) -> OzResult
where
    F: FnOnce(&mut World, SimTime, &CreateReq) -> Result<Value, OtpzapError> + Send + 'static,
{
    let mut create = Some(create);
    let start = sim.with(|w, now| -> Result<Start, OtpzapError> {
        let key = auth(w, headers)?;
        let body = json_object(body)?;
        let idem = idempotency_key(headers);
        if key_required && idem.is_none() {
            return Err(SimError::validation(
                "Idempotency-Key",
                "Idempotency-Key header is required",
            )
            .into());
        }
        if let Some(k) = &idem {
            let ttl = w.config.idempotency_ttl;
            if let Lookup::Replay(status, reply) = w.idem.lookup(&key, route, k, &body, now, ttl)? {
                return Ok(Start::Done(replay(status, reply)));
            }
        }
        let req = CreateReq { key, idem, body };
        let delay = w.config.create_delay;
        match create.take() {
            Some(f) if delay.is_zero() => run(w, now, route, &req, f).map(Start::Done),
            other => {
                create = other;
                if let Some(k) = &req.idem {
                    w.idem.begin(&req.key, route, k);
                }
                Ok(Start::Later(req, delay))
            }
        }
    })?;
    let (req, delay) = match start {
        Start::Done(resp) => return Ok(resp),
        Start::Later(req, delay) => (req, delay),
    };
    let Some(create) = create else {
        return Err(SimError::Internal("the create ran already".into()).into());
    };
    let task = tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        sim.with(|w, now| {
            let out = run(w, now, route, &req, create);
            if let Some(k) = &req.idem {
                w.idem.finish(&req.key, route, k);
            }
            out
        })
    });
    task.await
        .unwrap_or_else(|e| Err(SimError::Internal(format!("create task failed: {e}")).into()))
}

fn run<F>(w: &mut World, now: SimTime, route: &'static str, req: &CreateReq, create: F) -> OzResult
where
    F: FnOnce(&mut World, SimTime, &CreateReq) -> Result<Value, OtpzapError>,
{
    let data = create(w, now, req)?;
    let reply = json!({"success": true, "data": data});
    if let Some(k) = &req.idem {
        let body = req.body.clone();
        w.idem
            .store(&req.key, route, k, body, 200, reply.clone(), now);
    }
    Ok(replay(200, reply))
}
