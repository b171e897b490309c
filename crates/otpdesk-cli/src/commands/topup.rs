//! `otpdesk topup qris|usdt|check`. QRIS invoices carry an Idempotency-Key (documented), so a lost
//! reply is asked again with the same key; OOPPay has none, so a lost reply is reported unknown.

use crate::args::{DepositProvider, Topup};
use crate::context::Context;
use crate::error::{CliError, ProviderResult};
use crate::output::{money_json, money_text, opt, time_json, time_text, Out};
use otpdesk_core::ProviderId::{Ooppay, Otpzap};
use otpdesk_core::{Currency, DepositStatus, Money};
use otpdesk_providers::{CreatePayment, OopPayClient, OtpZapClient, ProviderError};
use serde_json::json;
use std::time::Duration;

const POLL: Duration = Duration::from_secs(5);
const SAME_KEY_RETRIES: usize = 3;

fn amount(currency: Currency, text: &str) -> Result<Money, CliError> {
    let m = Money::parse(currency, text).map_err(|e| CliError::Usage(format!("--amount: {e}.")))?;
    if m.minor <= 0 {
        return Err(CliError::Usage("--amount must be more than zero.".into()));
    }
    Ok(m)
}

pub async fn run(ctx: &Context, out: Out, t: Topup) -> Result<(), CliError> {
    match t {
        Topup::Qris { amount: a, wait } => qris(ctx, out, amount(Currency::Idr, &a)?, wait).await,
        Topup::Usdt {
            amount: a,
            callback_url,
            expire_minutes,
            wait,
        } => {
            usdt(
                ctx,
                out,
                amount(Currency::Usdt, &a)?,
                callback_url,
                expire_minutes,
                wait,
            )
            .await
        }
        Topup::Check { id, provider } => match provider {
            DepositProvider::Otpzap => qris_status(&ctx.otpzap()?, out, &id, false)
                .await
                .map(|_| ()),
            DepositProvider::Ooppay => usdt_status(&ctx.ooppay()?, out, &id, false)
                .await
                .map(|_| ()),
        },
    }
}

async fn qris(ctx: &Context, out: Out, amount: Money, wait: bool) -> Result<(), CliError> {
    let client = ctx.otpzap()?;
    let key = uuid::Uuid::new_v4().to_string();
    let mut attempt = 0;
    let invoice = loop {
        match client.create_topup(amount, &key).await {
            Err(e @ ProviderError::OutcomeUnknown { .. }) if attempt < SAME_KEY_RETRIES => {
                attempt += 1;
                out.progress(&format!("{e} Asking again with the same request key."));
                tokio::time::sleep(Duration::from_secs(attempt as u64)).await;
            }
            other => break other.of(Otpzap)?,
        }
    };
    out.emit(
        "topup",
        json!({"provider": "otpzap", "order_id": invoice.order_id, "amount": money_json(invoice.amount),
               "total_amount": money_json(invoice.total_amount), "payment_url": invoice.payment_url,
               "expires_at": time_json(invoice.expired_at)}),
        || {
            format!(
                "QRIS invoice {}: pay {} at {} before {}.",
                invoice.order_id,
                money_text(invoice.total_amount.or(invoice.amount)),
                opt(&invoice.payment_url),
                time_text(invoice.expired_at)
            )
        },
    );
    if wait {
        out.progress("Waiting for the payment…");
        loop {
            let status = qris_status(&client, out, &invoice.order_id, true).await?;
            if status.is_final() {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
    }
    Ok(())
}

/// Print and return an invoice's status. While `waiting` in `--json` mode only the final status is
/// printed (one line per outcome); a plain check always prints.
async fn qris_status(
    client: &OtpZapClient,
    out: Out,
    id: &str,
    waiting: bool,
) -> Result<DepositStatus, CliError> {
    let s = client.topup_status(id).await.of(Otpzap)?;
    if !waiting || s.status.is_final() || !out.json {
        out.emit(
            "topup_status",
            json!({"provider": "otpzap", "order_id": s.order_id, "status": s.status.as_str(), "amount": money_json(s.amount),
                   "paid_at": time_json(s.paid_at)}),
            || format!("Invoice {}: {} ({}).", s.order_id, s.status, money_text(s.amount)),
        );
    }
    Ok(s.status)
}

async fn usdt(
    ctx: &Context,
    out: Out,
    amount: Money,
    callback_url: Option<String>,
    expire_minutes: u32,
    wait: bool,
) -> Result<(), CliError> {
    let client = ctx.ooppay()?;
    let request = CreatePayment {
        merchant_order_id: format!("OTPDESK-{}", uuid::Uuid::new_v4().simple()),
        amount,
        callback_url,
        expire_minutes: Some(expire_minutes),
    };
    let order = client.create_order(&request).await.of(Ooppay)?;
    out.emit(
        "usdt_order",
        json!({"provider": "ooppay", "order_id": order.order_id, "merchant_order_id": request.merchant_order_id,
               "pay_address": order.pay_address, "pay_amount": money_json(order.pay_amount),
               "order_amount": money_json(order.order_amount), "buffer_amount": money_json(order.buffer_amount),
               "expires_at": time_json(order.expire_at)}),
        || {
            format!(
                "Send exactly {} (USDT-TRC20) to {} before {}.\nThat is {} plus {} network buffer. Order {}.",
                money_text(order.pay_amount),
                opt(&order.pay_address),
                time_text(order.expire_at),
                money_text(order.order_amount),
                money_text(order.buffer_amount),
                order.order_id
            )
        },
    );
    if wait {
        out.progress("Waiting for the payment…");
        loop {
            let status = usdt_status(&client, out, &order.order_id, true).await?;
            if status.is_final() {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
    }
    Ok(())
}

/// As [`qris_status`], for an OOPPay order.
async fn usdt_status(
    client: &OopPayClient,
    out: Out,
    id: &str,
    waiting: bool,
) -> Result<DepositStatus, CliError> {
    let o = client.order(id).await.of(Ooppay)?;
    // Assumption (docs list only `paid`): an order without a status is still pending.
    let status = o.status.clone().unwrap_or(DepositStatus::Pending);
    if !waiting || status.is_final() || !out.json {
        out.emit(
            "usdt_status",
            json!({"provider": "ooppay", "order_id": o.order_id, "status": status.as_str(), "paid_amount": money_json(o.paid_amount),
                   "net_amount": money_json(o.net_amount), "tx_hash": o.tx_hash, "paid_at": time_json(o.paid_at)}),
            || format!("USDT order {}: {} (paid {}).", o.order_id, status, money_text(o.paid_amount)),
        );
    }
    Ok(status)
}
