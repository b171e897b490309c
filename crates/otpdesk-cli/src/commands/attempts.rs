//! `otpdesk attempts list|buy-again|dismiss`: purchases whose outcome is unknown (the reply was
//! lost, so they may have been charged). Nothing is ever bought again on its own; these commands
//! are how the user closes them after checking the provider's dashboard.

use crate::args::Attempts;
use crate::context::Context;
use crate::error::CliError;
use crate::output::{money_text, time_json, time_text, Out};
use otpdesk_core::Money;
use otpdesk_engine::{AttemptState, AttemptView};
use serde_json::json;

pub async fn run(ctx: &Context, out: Out, a: Attempts) -> Result<(), CliError> {
    match a {
        Attempts::List => list(ctx, out),
        Attempts::BuyAgain { id, max_price } => buy_again(ctx, out, &id, max_price).await,
        Attempts::Dismiss { id } => {
            let a = stored(ctx, &id)?;
            let engine = ctx.engine(a.provider).await?;
            let r = engine.dismiss(&a.id);
            engine.shutdown().await;
            let a = r?;
            out.emit("attempt", attempt_json(&a), || {
                format!("Purchase {} dismissed.", a.id)
            });
            Ok(())
        }
    }
}

fn attempt_json(a: &AttemptView) -> serde_json::Value {
    json!({"id": a.id, "provider": a.provider, "kind": a.kind, "state": a.state.as_str(),
           "request": a.request, "error": a.error, "created_at": time_json(Some(a.created_at))})
}

fn stored(ctx: &Context, id: &str) -> Result<AttemptView, CliError> {
    let store = ctx
        .store()?
        .ok_or_else(|| CliError::Engine(otpdesk_engine::EngineError::AttemptNotFound(id.into())))?;
    store
        .attempt(id)
        .map_err(|e| CliError::Engine(e.into()))?
        .ok_or_else(|| CliError::Engine(otpdesk_engine::EngineError::AttemptNotFound(id.into())))
}

fn list(ctx: &Context, out: Out) -> Result<(), CliError> {
    let list = match ctx.store()? {
        Some(s) => s
            .attempts(Some(AttemptState::OutcomeUnknown))
            .map_err(|e| CliError::Engine(e.into()))?,
        None => Vec::new(),
    };
    if list.is_empty() {
        out.progress("No purchase has an unknown outcome.");
    }
    for a in &list {
        out.emit("attempt", attempt_json(a), || {
            format!(
                "{}  {}  {}  {}",
                a.id,
                time_text(Some(a.created_at)),
                a.provider.display_name(),
                a.error.as_deref().unwrap_or("outcome unknown")
            )
        });
    }
    Ok(())
}

async fn buy_again(
    ctx: &Context,
    out: Out,
    id: &str,
    max_price: Option<i64>,
) -> Result<(), CliError> {
    let a = stored(ctx, id)?;
    let engine = ctx.engine(a.provider).await?;
    let result = async {
        let q = engine.attempt_quote(&a.id).await?;
        out.progress(&format!("Today's price: {}.", money_text(q.price)));
        let expected = match (max_price, q.price) {
            (Some(max), Some(p)) => Some(Money::new(p.currency, max)),
            _ => q.price,
        };
        engine.buy_again(&a.id, expected).await
    }
    .await;
    engine.shutdown().await;
    let o = result?;
    out.emit("order", super::tracked::order_json(&o), || {
        format!(
            "Bought {} {} for {} (order {}).",
            o.service,
            o.phone.clone().or(o.email.clone()).unwrap_or_default(),
            money_text(o.price),
            o.remote_id
        )
    });
    Ok(())
}
