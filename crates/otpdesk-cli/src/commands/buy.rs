//! `otpdesk buy ...`. OTPZap SMS orders carry a fresh Idempotency-Key; when the reply is lost the
//! same request is sent again with the same key (the provider answers with the original order,
//! no second charge). NumberOTP and email purchases have no documented idempotency, so a lost
//! reply is reported as unknown instead of buying again.

use super::wait::{self, WaitPlan};
use crate::args::{Buy, WaitOpts};
use crate::context::Context;
use crate::error::{CliError, ProviderResult};
use crate::output::{money_json, money_text, opt, Out};
use otpdesk_core::ProviderId::{Numberotp, Otpzap};
use otpdesk_providers::otpzap::{CreatedOrder, EmailDomainChoice, EmailOrderRequest, OrderRequest};
use otpdesk_providers::{Id, OtpZapClient, ProviderError};
use serde_json::json;

/// How often a lost reply is retried with the same Idempotency-Key before giving up.
const SAME_KEY_RETRIES: usize = 3;

pub async fn run(ctx: &Context, out: Out, buy: Buy) -> Result<(), CliError> {
    match buy {
        Buy::S1 {
            product,
            country,
            platform,
            service_name,
            wait,
        } => {
            let req = OrderRequest::Server1 {
                product_id: Id::new(product),
                country_id: country.map(Id::new),
                platform_id: platform.map(Id::new),
            };
            otpzap_sms(ctx, out, req, service_name, wait).await
        }
        Buy::S2 {
            service,
            country,
            operator,
            service_name,
            wait,
        } => {
            let req = OrderRequest::Server2 {
                service_id: Id::new(service),
                country_id: Id::new(country),
                operator_id: operator,
            };
            otpzap_sms(ctx, out, req, service_name, wait).await
        }
        Buy::S2Special {
            service,
            service_name,
            wait,
        } => {
            otpzap_sms(
                ctx,
                out,
                OrderRequest::Server2Special {
                    service_id: Id::new(service),
                },
                service_name,
                wait,
            )
            .await
        }
        Buy::S2Multi {
            services,
            country,
            operator,
            wait,
        } => {
            let req = OrderRequest::Server2Multi {
                service_ids: services.into_iter().map(Id::new).collect(),
                country_id: Id::new(country),
                operator_id: operator,
            };
            otpzap_sms(ctx, out, req, None, wait).await
        }
        Buy::Numberotp {
            service,
            country,
            wait,
        } => numberotp(ctx, out, &service, &country, wait).await,
        Buy::Email {
            site,
            domain,
            domains,
            qty,
            subject,
            regex,
            wait,
        } => {
            let domain = match (domain, domains.is_empty()) {
                (Some(d), _) => EmailDomainChoice::Domain(d),
                (None, false) => EmailDomainChoice::Aggregator(domains),
                (None, true) => {
                    return Err(CliError::Usage(
                        "Choose a --domain, or --domains for aggregator mode.".into(),
                    ))
                }
            };
            email(
                ctx,
                out,
                EmailOrderRequest {
                    site,
                    domain,
                    qty,
                    subject,
                    regex,
                },
                wait,
            )
            .await
        }
    }
}

async fn create_with_same_key(
    client: &OtpZapClient,
    req: &OrderRequest,
    name: Option<&str>,
    out: Out,
) -> Result<CreatedOrder, CliError> {
    let key = uuid::Uuid::new_v4().to_string();
    let mut attempt = 0;
    loop {
        match client.create_order(req, name, Some(&key)).await {
            Err(e @ (ProviderError::OutcomeUnknown { .. } | ProviderError::RateLimited { .. }))
                if attempt < SAME_KEY_RETRIES =>
            {
                attempt += 1;
                let pause = e
                    .retry_after()
                    .unwrap_or(std::time::Duration::from_secs(attempt as u64));
                out.progress(&format!(
                    "{e} Asking again with the same request key in {} s.",
                    pause.as_secs()
                ));
                tokio::time::sleep(pause).await;
            }
            other => return other.of(Otpzap),
        }
    }
}

async fn otpzap_sms(
    ctx: &Context,
    out: Out,
    req: OrderRequest,
    name: Option<String>,
    wait: WaitOpts,
) -> Result<(), CliError> {
    let client = ctx.otpzap()?;
    let order = create_with_same_key(&client, &req, name.as_deref(), out).await?;
    let services: Vec<_> = order
        .services
        .iter()
        .map(|s| json!({"service_id": s.service_id.as_ref().map(Id::as_str), "service": s.service, "price": money_json(s.price)}))
        .collect();
    out.emit(
        "order",
        json!({"provider": "otpzap", "order_id": order.order_id.as_str(), "ref": order.reference, "phone": order.phone,
               "service": order.service, "price": money_json(order.price), "status": order.status.as_str(),
               "multiservice": order.multiservice, "services": services}),
        || {
            format!(
                "Bought {} number {} for {} (order {}).",
                opt(&order.service),
                opt(&order.phone),
                money_text(order.price),
                order.order_id.as_str()
            )
        },
    );
    if wait.wait {
        out.progress("Waiting for the code…");
        let plan = WaitPlan::new(wait.timeout, wait.poll_secs);
        wait::otpzap_order(&client, &order.order_id, 0, plan, out).await?;
    }
    Ok(())
}

async fn numberotp(
    ctx: &Context,
    out: Out,
    service: &str,
    country: &str,
    wait: WaitOpts,
) -> Result<(), CliError> {
    let client = ctx.numberotp()?;
    let act = client
        .create_activation(service, country)
        .await
        .of(Numberotp)?;
    out.emit(
        "order",
        json!({"provider": "numberotp", "order_id": act.id.as_str(), "phone": act.phone_number, "service": act.service,
               "country": act.country.as_ref().map(Id::as_str), "price": money_json(act.price), "status": act.status.as_str()}),
        || format!("Bought {} number {} for {} (activation {}).", opt(&act.service), opt(&act.phone_number), money_text(act.price), act.id.as_str()),
    );
    if wait.wait {
        out.progress("Waiting for the code…");
        wait::numberotp_activation(
            &client,
            &act.id,
            WaitPlan::new(wait.timeout, wait.poll_secs),
            out,
        )
        .await?;
    }
    Ok(())
}

async fn email(
    ctx: &Context,
    out: Out,
    req: EmailOrderRequest,
    wait: WaitOpts,
) -> Result<(), CliError> {
    let client = ctx.otpzap()?;
    let key = uuid::Uuid::new_v4().to_string();
    let orders = client.create_email(&req, Some(&key)).await.of(Otpzap)?;
    for o in &orders {
        out.emit(
            "email_order",
            json!({"provider": "otpzap", "order_id": o.order_id.as_ref().map(Id::as_str), "ref": o.reference, "email": o.email,
                   "status": o.status.as_str()}),
            || format!("Bought inbox {} for {} (ref {}).", opt(&o.email), req.site, o.reference),
        );
    }
    if wait.wait {
        out.progress("Waiting for a message…");
        let plan = WaitPlan::new(wait.timeout, wait.poll_secs);
        for o in &orders {
            wait::otpzap_email(&client, &o.reference, 0, plan, out).await?;
        }
    }
    Ok(())
}
