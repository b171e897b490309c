//! `otpdesk buy … --count N`: a batch through the engine ([`otpdesk_engine::Engine::buy_batch`]),
//! each number its own purchase with its own Idempotency-Key. Prints each order as it is bought
//! and then one `batch` result; a batch that stopped early ends as an error naming why.

use super::tracked::emit_order;
use crate::context::Context;
use crate::error::CliError;
use crate::output::Out;
use otpdesk_engine::customers::HandOff;
use otpdesk_engine::{BatchProgress, BatchRequest, BatchResult};
use serde_json::json;

#[allow(dead_code)] // for callers without a hand-off
pub async fn run(ctx: &Context, out: Out, batch: BatchRequest) -> Result<(), CliError> {
    run_for(ctx, out, batch, None).await
}

/// [`run`], each number handed off to `hand`'s customer as it is bought.
pub async fn run_for(
    ctx: &Context,
    out: Out,
    batch: BatchRequest,
    hand: Option<&HandOff>,
) -> Result<(), CliError> {
    let engine = ctx.engine(batch.req.provider()).await?;
    let mut handed = Ok(());
    let result = engine
        .buy_batch(batch, |p| {
            if let BatchProgress::Bought { n, of, order } = p {
                emit_order(out, order, &format!("Bought {n} of {of}:"));
                if let (Some(h), Ok(())) = (hand, &handed) {
                    handed = super::desk::record_hand_off(&engine, out, order, h);
                }
            }
        })
        .await;
    engine.shutdown().await;
    let r = result?;
    handed?;
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
