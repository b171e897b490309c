//! `otpdesk buy … --count N`: a batch through the engine ([`otpdesk_engine::Engine::buy_batch`]),
//! each number its own purchase with its own Idempotency-Key. Prints each order as it is bought
//! and then one `batch` result; a batch that stopped early ends as an error naming why.

use super::tracked::emit_order;
use crate::context::Context;
use crate::error::CliError;
use crate::output::Out;
use otpdesk_engine::{BatchProgress, BatchRequest, BatchResult};
use serde_json::json;

pub async fn run(ctx: &Context, out: Out, batch: BatchRequest) -> Result<(), CliError> {
    let engine = ctx.engine(batch.req.provider()).await?;
    let result = engine
        .buy_batch(batch, |p| {
            if let BatchProgress::Bought { n, of, order } = p {
                emit_order(out, order, &format!("Bought {n} of {of}:"));
            }
        })
        .await;
    engine.shutdown().await;
    let r = result?;
    report(out, &r);
    match r.stopped {
        None => Ok(()),
        Some(stop) => Err(CliError::BatchStopped {
            bought: r.orders.len(),
            of: r.requested,
            stop,
        }),
    }
}

/// The one `batch` line: how many were asked for and bought, their ids, and why it stopped.
fn report(out: Out, r: &BatchResult) {
    let ids: Vec<_> = r.orders.iter().map(|o| o.id.clone()).collect();
    let stopped = r
        .stopped
        .as_ref()
        .map(|s| json!({"code": s.code, "message": s.message, "attempt_id": s.attempt_id}));
    let record = json!({"requested": r.requested, "bought": r.orders.len(), "orders": ids,
                        "stopped": stopped});
    out.emit("batch", record, || {
        format!("Bought {} of {}.", r.orders.len(), r.requested)
    });
}
