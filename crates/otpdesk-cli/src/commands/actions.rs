//! Order actions: check, wait, cancel, finish, resend, replace, and the email inbox actions.
//! Orders the CLI bought are in its store and go through the engine, which records the effect
//! (status, refund, replacement) and can resume waiting after a crash; an order bought elsewhere
//! (another computer, the provider's dashboard) is asked of the provider directly.

use super::tracked::{self, Action};
use super::wait::{self, WaitPlan};
use crate::args::{EmailAction, OrderProvider, OrderRef, WaitArgs};
use crate::context::Context;
use crate::error::{CliError, ProviderResult};
use crate::output::{money_json, money_text, opt, time_json, time_text, Out};
use otpdesk_core::ProviderId::{Numberotp, Otpzap};
use otpdesk_providers::Id;
use serde_json::json;

/// Run `action` through the engine when the order is in the store; `false` when it is not.
async fn via_engine(ctx: &Context, out: Out, id: &str, action: Action) -> Result<bool, CliError> {
    match tracked::stored(ctx, id)? {
        Some(order) => tracked::act(ctx, out, &order, action).await.map(|_| true),
        None => Ok(false),
    }
}

pub async fn check(ctx: &Context, out: Out, r: OrderRef) -> Result<(), CliError> {
    // Always asked of the provider (fresh); a stored order may be named by any of its ids.
    let (id, provider) = match tracked::stored(ctx, &r.id)? {
        Some(o) if o.provider == otpdesk_core::ProviderId::Numberotp => {
            (Id::new(o.remote_id), OrderProvider::Numberotp)
        }
        Some(o) => (Id::new(o.remote_id), OrderProvider::Otpzap),
        None => (Id::new(r.id), r.provider),
    };
    match provider {
        OrderProvider::Otpzap => {
            let o = ctx.otpzap()?.order(&id).await.of(Otpzap)?;
            let otps: Vec<_> = o.otps.iter().map(|x| json!({"code": x.code, "service": x.service, "received_at": time_json(x.received_at)})).collect();
            out.emit(
                "order",
                json!({"provider": "otpzap", "order_id": id.as_str(), "ref": o.reference, "phone": o.phone, "service": o.service,
                       "status": o.status.as_str(), "otp": o.otp_code, "otps": otps, "price": money_json(o.price),
                       "resend_count": o.resend_count, "resend_locked_until": time_json(o.resend_locked_until),
                       "expires_at": time_json(o.expires_at)}),
                || {
                    let mut s = format!(
                        "Order {}: {} {} — {} — {}",
                        id.as_str(),
                        opt(&o.service),
                        opt(&o.phone),
                        o.status,
                        money_text(o.price)
                    );
                    for x in o.otps.iter().rev() {
                        s.push_str(&format!("\n  code {} at {}", x.code, time_text(x.received_at)));
                    }
                    s
                },
            );
        }
        OrderProvider::Numberotp => {
            let a = ctx.numberotp()?.activation(&id).await.of(Numberotp)?;
            out.emit(
                "order",
                json!({"provider": "numberotp", "order_id": id.as_str(), "phone": a.phone_number, "service": a.service,
                       "status": a.status.as_str(), "otp": a.otp, "full_sms": a.full_sms, "expires_at": time_json(a.expires_at)}),
                || format!("Activation {}: {} {} — {} — code {}", id.as_str(), opt(&a.service), opt(&a.phone_number), a.status, opt(&a.otp)),
            );
        }
    }
    Ok(())
}

pub async fn wait(ctx: &Context, out: Out, w: WaitArgs) -> Result<(), CliError> {
    if let Some(order) = tracked::stored(ctx, &w.order.id)? {
        return tracked::wait(ctx, out, &order, std::time::Duration::from_secs(w.timeout)).await;
    }
    let id = Id::new(w.order.id);
    let plan = WaitPlan::new(w.timeout, w.poll_secs);
    match w.order.provider {
        OrderProvider::Otpzap => {
            let client = ctx.otpzap()?;
            // Wait for a code beyond those already received.
            let seen = client.order(&id).await.of(Otpzap)?.otps.len();
            out.progress("Waiting for the code…");
            wait::otpzap_order(&client, &id, seen, plan, out).await
        }
        OrderProvider::Numberotp => {
            wait::numberotp_activation(&ctx.numberotp()?, &id, plan, out).await
        }
    }
}

pub async fn cancel(ctx: &Context, out: Out, id: String) -> Result<(), CliError> {
    if via_engine(ctx, out, &id, Action::Cancel).await? {
        return Ok(());
    }
    let id = Id::new(id);
    let r = ctx.otpzap()?.cancel_order(&id).await.of(Otpzap)?;
    out.emit(
        "cancelled",
        json!({"provider": "otpzap", "order_id": id.as_str(), "refunded": money_json(r.refunded)}),
        || {
            format!(
                "Order {} cancelled; refunded {}.",
                id.as_str(),
                money_text(r.refunded)
            )
        },
    );
    Ok(())
}

pub async fn finish(ctx: &Context, out: Out, id: String) -> Result<(), CliError> {
    if via_engine(ctx, out, &id, Action::Finish).await? {
        return Ok(());
    }
    let id = Id::new(id);
    let r = ctx.otpzap()?.finish_order(&id).await.of(Otpzap)?;
    let status = r.status.map(|s| s.to_string());
    out.emit(
        "finished",
        json!({"provider": "otpzap", "order_id": id.as_str(), "status": status}),
        || format!("Order {} finished.", id.as_str()),
    );
    Ok(())
}

pub async fn resend(ctx: &Context, out: Out, id: String) -> Result<(), CliError> {
    if via_engine(ctx, out, &id, Action::Resend).await? {
        return Ok(());
    }
    let id = Id::new(id);
    let r = ctx.otpzap()?.resend_order(&id).await.of(Otpzap)?;
    out.emit(
        "resent",
        json!({"provider": "otpzap", "order_id": id.as_str(), "resend_count": r.resend_count, "resend_locked_until": time_json(r.resend_locked_until)}),
        || format!("Asked for the SMS again on order {}; the new code will appear as another entry.", id.as_str()),
    );
    Ok(())
}

pub async fn replace(ctx: &Context, out: Out, id: String) -> Result<(), CliError> {
    if via_engine(ctx, out, &id, Action::Replace).await? {
        return Ok(());
    }
    let id = Id::new(id);
    let r = ctx.otpzap()?.replace_order(&id).await.of(Otpzap)?;
    out.emit(
        "replaced",
        json!({"provider": "otpzap", "old_order_id": id.as_str(), "order_id": r.order_id.as_str(), "ref": r.reference,
               "phone": r.phone, "price": money_json(r.price), "status": r.status.as_str()}),
        || format!("Order {} replaced by order {} with number {}.", id.as_str(), r.order_id.as_str(), opt(&r.phone)),
    );
    Ok(())
}

pub async fn email(ctx: &Context, out: Out, action: EmailAction) -> Result<(), CliError> {
    let client = ctx.otpzap()?;
    match action {
        EmailAction::Check { reference } => {
            let e = client.email(&reference).await.of(Otpzap)?;
            let messages: Vec<_> = e
                .messages
                .iter()
                .map(|m| json!({"from": m.from, "subject": m.subject, "otp": m.otp, "received_at": time_json(m.received_at)}))
                .collect();
            out.emit(
                "email_order",
                json!({"provider": "otpzap", "ref": reference, "email": e.email, "status": e.status.as_str(), "otp": e.otp,
                       "headline": e.headline, "messages": messages, "expires_at": time_json(e.expires_at)}),
                || {
                    let mut s = format!("Inbox {} ({}): {} — code {}", opt(&e.email), reference, e.status, opt(&e.otp));
                    for m in e.messages.iter().rev() {
                        s.push_str(&format!("\n  {} — {} — code {}", time_text(m.received_at), opt(&m.subject), opt(&m.otp)));
                    }
                    s
                },
            );
        }
        EmailAction::Wait {
            reference,
            timeout,
            poll_secs,
        } => {
            if let Some(order) = tracked::stored(ctx, &reference)? {
                return tracked::wait(ctx, out, &order, std::time::Duration::from_secs(timeout))
                    .await;
            }
            let seen = client.email(&reference).await.of(Otpzap)?.messages.len();
            out.progress("Waiting for a message…");
            wait::otpzap_email(
                &client,
                &reference,
                seen,
                WaitPlan::new(timeout, poll_secs),
                out,
            )
            .await?;
        }
        EmailAction::Reorder { reference } => {
            if via_engine(ctx, out, &reference, Action::EmailReorder).await? {
                return Ok(());
            }
            let r = client.reorder_email(&reference).await.of(Otpzap)?;
            out.emit("email_reordered", json!({"ref": reference, "expires_at": time_json(r.expires_at)}), || {
                format!("Asked for a new message on {reference}; the 20-minute window starts again.")
            });
        }
        EmailAction::Cancel { reference } => {
            if via_engine(ctx, out, &reference, Action::Cancel).await? {
                return Ok(());
            }
            let r = client.cancel_email(&reference).await.of(Otpzap)?;
            out.emit(
                "email_cancelled",
                json!({"ref": reference, "refunded": money_json(r.refunded), "cancel_fee": money_json(r.cancel_fee)}),
                || format!("Inbox {reference} cancelled; refunded {} (fee {}).", money_text(r.refunded), money_text(r.cancel_fee)),
            );
        }
        EmailAction::Finish { reference } => {
            if via_engine(ctx, out, &reference, Action::Finish).await? {
                return Ok(());
            }
            client.finish_email(&reference).await.of(Otpzap)?;
            out.emit("email_finished", json!({"ref": reference}), || {
                format!("Inbox {reference} finished.")
            });
        }
    }
    Ok(())
}
