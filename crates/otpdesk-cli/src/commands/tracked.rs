//! Orders through the engine: bought with a stored purchase attempt (Idempotency-Key persisted
//! before sending, never bought twice), tracked in the local store, and waited on by the engine's
//! events, so `otpdesk wait ID` picks an order up again even after a crash.

use crate::context::Context;
use crate::error::CliError;
use crate::output::{money_json, money_text, opt, time_json, time_text, Out};
use otpdesk_core::Money;
use otpdesk_engine::customers::HandOff;
use otpdesk_engine::{BuyRequest, Engine, EngineError, OrderFilter, OrderView, OtpView};
use serde_json::{json, Value};
use std::time::Duration;

pub fn order_json(o: &OrderView) -> Value {
    let otps: Vec<Value> = o.otps.iter().map(otp_json).collect();
    json!({"id": o.id, "provider": o.provider, "order_id": o.remote_id, "ref": o.remote_ref, "server": o.server,
           "kind": o.kind, "phone": o.phone, "email": o.email, "service": o.service, "price": money_json(o.price),
           "status": o.status.as_str(), "otp": o.latest_code(), "otps": otps, "created_at": time_json(Some(o.created_at)),
           "expires_at": time_json(o.expires_at), "cancel_unlocks_at": time_json(o.cancel_unlocks_at),
           "resend_count": o.resend_count, "resend_locked_until": time_json(o.resend_locked_until),
           "replaced_by": o.replaced_by})
}

fn otp_json(x: &OtpView) -> Value {
    json!({"seq": x.seq, "code": x.code, "service": x.service, "sender": x.sender, "text": x.text,
           "received_at": time_json(x.received_at.or(Some(x.stored_at))), "late": x.late})
}

fn number_or_inbox(o: &OrderView) -> String {
    opt(&o.phone.clone().or_else(|| o.email.clone()))
}

/// Buy through the engine (with `max_price`: after a fresh quote, refused above it); with
/// `wait`, block until the first code arrives.
#[allow(dead_code)] // for callers without a hand-off
pub async fn buy(
    ctx: &Context,
    out: Out,
    req: BuyRequest,
    wait: Option<Duration>,
    max_price: Option<Money>,
) -> Result<(), CliError> {
    buy_for(ctx, out, req, wait, max_price, None).await
}

/// [`buy`], then the hand-off (customer, note, sale price) when one is given.
pub async fn buy_for(
    ctx: &Context,
    out: Out,
    req: BuyRequest,
    wait: Option<Duration>,
    max_price: Option<Money>,
    hand: Option<&HandOff>,
) -> Result<(), CliError> {
    let engine = ctx.engine(req.provider()).await?;
    let result = buy_on(&engine, out, req, wait, max_price, hand).await;
    engine.shutdown().await;
    result
}

async fn buy_on(
    engine: &Engine,
    out: Out,
    req: BuyRequest,
    wait: Option<Duration>,
    max_price: Option<Money>,
    hand: Option<&HandOff>,
) -> Result<(), CliError> {
    // A multiservice number receives a code per service.
    let codes = match &req {
        BuyRequest::OtpzapS2Multi { service_ids, .. } => service_ids.len().max(1),
        _ => 1,
    };
    let order = match max_price {
        Some(max) => engine.buy_within(req, None, Some(max)).await?,
        None => engine.buy(req).await?,
    };
    emit_order(out, &order, "Bought");
    if let Some(h) = hand {
        super::desk::record_hand_off(engine, out, &order, h)?;
    }
    if let Some(timeout) = wait {
        out.progress(if codes > 1 {
            "Waiting for the codes…"
        } else {
            "Waiting for the code…"
        });
        // Each code once, oldest first; done when every service has one or the order ended.
        let deadline = tokio::time::Instant::now() + timeout;
        let mut after = None;
        for got in 0..codes {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match wait_on(engine, out, &order.id, after, left).await {
                Ok(seq) => after = Some(seq),
                Err(CliError::EndedWithoutCode(_)) if got > 0 => break,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Print a bought order: `lead` starts the sentence ("Bought", "Bought 2 of 3:").
pub fn emit_order(out: Out, order: &OrderView, lead: &str) {
    let kind = if order.email.is_some() {
        "email_order"
    } else {
        "order"
    };
    out.emit(kind, order_json(order), || {
        format!(
            "{lead} {} {} for {} (order {}).",
            order.service,
            number_or_inbox(order),
            money_text(order.price),
            order.remote_id
        )
    });
}

/// Print the next code after `after_seq`.
async fn wait_on(
    engine: &Engine,
    out: Out,
    id: &str,
    after_seq: Option<i64>,
    timeout: Duration,
) -> Result<i64, CliError> {
    let otp = match engine.wait_for_otp(id, after_seq, timeout).await {
        Ok(otp) => otp,
        Err(EngineError::OrderEnded { status }) => return Err(CliError::EndedWithoutCode(status)),
        Err(EngineError::WaitTimeout) => return Err(CliError::WaitTimedOut(timeout.as_secs())),
        Err(e) => return Err(e.into()),
    };
    let order = engine.order(id)?;
    let code = otp.code.clone().unwrap_or_default();
    let mut record = otp_json(&otp);
    if let Value::Object(m) = &mut record {
        m.insert("id".into(), json!(order.id));
        m.insert("order_id".into(), json!(order.remote_id));
        m.insert("provider".into(), json!(order.provider));
        m.insert("phone".into(), json!(order.phone));
        m.insert("email".into(), json!(order.email));
        m.insert("otp".into(), json!(otp.code));
    }
    out.emit("otp", record, || {
        let service = otp.service.as_deref().unwrap_or(&order.service);
        format!("Code for {service}: {code}")
    });
    // Best effort: at worst a later `wait` prints this code again.
    let _ = engine.mark_code_shown(&order.id, otp.seq);
    Ok(otp.seq)
}

/// The stored order with this local id, provider id or ref, if the CLI bought it.
pub fn stored(ctx: &Context, id: &str) -> Result<Option<OrderView>, CliError> {
    match ctx.store()? {
        Some(store) => store.find_order(id).map_err(|e| CliError::Engine(e.into())),
        None => Ok(None),
    }
}

/// Wait for a code of a stored order that no command line has printed yet. The order book marks
/// the codes `buy --wait` and `wait` printed, so a code stored while nothing printed it (after a
/// crash, or stored by the app's tracker) is printed at once; otherwise the next one.
/// (`check` shows the provider's live view and records nothing.)
pub async fn wait(
    ctx: &Context,
    out: Out,
    order: &OrderView,
    timeout: Duration,
) -> Result<(), CliError> {
    let engine = ctx.engine(order.provider).await?;
    out.progress("Waiting for the code…");
    let result = async {
        let after = engine.resume_codes_after(&order.id)?;
        wait_on(&engine, out, &order.id, after, timeout).await
    }
    .await;
    engine.shutdown().await;
    result.map(|_| ())
}

#[derive(Debug, Clone, Copy)]
pub enum Action {
    Cancel,
    Finish,
    Resend,
    Replace,
    EmailReorder,
}

/// Run an action on a stored order through the engine, which records its effect (status,
/// refund, replacement) before printing it.
pub async fn act(
    ctx: &Context,
    out: Out,
    order: &OrderView,
    action: Action,
) -> Result<(), CliError> {
    let engine = ctx.engine(order.provider).await?;
    let result = match action {
        Action::Cancel => engine.cancel(&order.id).await,
        Action::Finish => engine.finish(&order.id).await,
        Action::Resend => engine.resend(&order.id).await,
        Action::Replace => engine.replace(&order.id).await,
        Action::EmailReorder => engine.email_reorder(&order.id).await,
    };
    // What the provider refunded (an email cancel may keep a fee), as the ledger recorded it.
    let refunded = match (&result, action) {
        (Ok(_), Action::Cancel) => refund_of(&engine, order),
        _ => Ok(None),
    };
    engine.shutdown().await;
    let after = result?;
    let refunded = refunded?;
    // An acknowledged cancel: the refund comes when the provider confirms it.
    let requested = after.status == otpdesk_core::OrderStatus::CancelRequested;
    let kind = match action {
        Action::Cancel if requested => "cancel_requested",
        Action::Cancel => "cancelled",
        Action::Finish => "finished",
        Action::Resend => "resent",
        Action::Replace => "replaced",
        Action::EmailReorder => "email_reordered",
    };
    let mut record = order_json(&after);
    if let Value::Object(m) = &mut record {
        m.insert("refunded".into(), money_json(refunded));
        if matches!(action, Action::Replace) {
            m.insert("old_order_id".into(), json!(order.remote_id));
        }
    }
    out.emit(kind, record, || match action {
        Action::Cancel if requested => format!(
            "Order {}: cancel accepted; the refund comes when {} confirms it.",
            order.remote_id,
            order.provider.display_name()
        ),
        Action::Cancel => format!(
            "Order {} cancelled; refunded {}.",
            order.remote_id,
            money_text(refunded)
        ),
        Action::Finish => format!("Order {} finished.", order.remote_id),
        Action::Resend => format!(
            "Asked for the SMS again on order {}; the new code will appear as another entry.",
            order.remote_id
        ),
        Action::Replace => format!(
            "Order {} replaced by order {} with number {}.",
            order.remote_id,
            after.remote_id,
            opt(&after.phone)
        ),
        Action::EmailReorder => format!(
            "Asked for a new message on {}; the 20-minute window starts again.",
            number_or_inbox(order)
        ),
    });
    Ok(())
}

fn refund_of(engine: &Engine, order: &OrderView) -> Result<Option<otpdesk_core::Money>, CliError> {
    let filter = otpdesk_engine::LedgerFilter {
        provider: Some(order.provider),
        limit: None,
    };
    let refunds = engine.ledger(&filter)?.into_iter().filter(|e| {
        e.order_id.as_deref() == Some(order.id.as_str())
            && e.kind == otpdesk_engine::LedgerKind::Refund
    });
    Ok(refunds
        .map(|e| e.amount)
        .reduce(|a, b| a.checked_add(b).unwrap_or(a)))
}

/// `otpdesk orders [--active]`: what the store holds, newest first.
pub fn list(ctx: &Context, out: Out, filter: OrderFilter) -> Result<(), CliError> {
    let orders = match ctx.store()? {
        Some(store) => store
            .orders(&filter)
            .map_err(|e| CliError::Engine(e.into()))?,
        None => Vec::new(),
    };
    let rows = orders
        .iter()
        .map(|o| {
            let cells = vec![
                o.remote_id.clone(),
                o.provider.display_name().to_string(),
                o.service.clone(),
                number_or_inbox(o),
                o.status.to_string(),
                o.latest_code().unwrap_or("-").to_string(),
                money_text(o.price),
                time_text(Some(o.created_at)),
            ];
            (order_json(o), cells)
        })
        .collect();
    out.table(
        "order",
        &[
            "ORDER", "PROVIDER", "SERVICE", "NUMBER", "STATUS", "CODE", "PRICE", "BOUGHT",
        ],
        rows,
    );
    Ok(())
}

/// `otpdesk track`: an engine with every provider that has a key, tracking until Ctrl-C. Prints
/// each engine event, and when this process starts or stops being the one that tracks a
/// provider (only one process on an order book does; the others read what it stores).
pub async fn track(ctx: &Context, out: Out) -> Result<(), CliError> {
    let p = otpdesk_core::ProviderId::ALL
        .into_iter()
        .find(|p| ctx.key(*p).is_ok())
        .ok_or(CliError::NoKey {
            provider: otpdesk_core::ProviderId::Otpzap,
            env: otpdesk_core::ProviderId::Otpzap.key_env(),
        })?;
    let engine = ctx.engine(p).await?;
    let mut events = engine.subscribe();
    out.progress("Tracking; press Ctrl-C to stop.");
    let mut tracking = std::collections::HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            e = events.recv() => match e {
                Ok(e) => {
                    let record = serde_json::to_value(&e).unwrap_or_default();
                    out.emit("event", record, || format!("{e:?}"));
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break,
            },
            _ = tick.tick() => {
                for p in otpdesk_core::ProviderId::ALL {
                    let now = engine.is_tracker(p);
                    if tracking.insert(p, now) != Some(now) {
                        out.emit("tracking", json!({"provider": p, "tracking": now, "instance": engine.instance_id(), "pid": std::process::id()}), || {
                            format!("{}: {}", p.display_name(), if now { "tracked by this process" } else { "tracked by another process" })
                        });
                    }
                }
            }
        }
    }
    engine.shutdown().await;
    Ok(())
}
