//! `otpdesk buy ...`. Purchases the engine models go through it ([`tracked`]): the attempt and its
//! Idempotency-Key are stored before sending, a lost reply is asked again with the same key
//! (OTPZap SMS) or reported as unknown (NumberOTP, email: no documented idempotency), and the
//! order is tracked in the store. Multiservice orders and email aggregator mode or filters, which
//! the engine does not model yet, call OTPZap directly, with the same same-key retry for SMS.

use super::tracked;
use super::wait::{self, WaitPlan};
use crate::args::{Buy, WaitOpts};
use crate::context::Context;
use crate::error::{CliError, ProviderResult};
use crate::output::{money_json, money_text, opt, Out};
use otpdesk_core::ProviderId::Otpzap;
use otpdesk_engine::BuyRequest;
use otpdesk_providers::otpzap::{CreatedOrder, EmailDomainChoice, EmailOrderRequest, OrderRequest};
use otpdesk_providers::{Id, OtpZapClient, ProviderError};
use serde_json::json;
use std::time::Duration;

/// How often a lost reply is retried with the same Idempotency-Key before giving up.
const SAME_KEY_RETRIES: usize = 3;

pub async fn run(ctx: &Context, out: Out, buy: Buy) -> Result<(), CliError> {
    match buy {
        Buy::S1 {
            product,
            country,
            platform,
            wait,
        } => {
            let req = BuyRequest::OtpzapS1 {
                product_id: number("--product", &product)?,
                country_id: number("--country", &country)?,
                platform_id: number("--platform", &platform)?,
            };
            tracked::buy(ctx, out, req, wait_for(&wait)).await
        }
        Buy::S2 {
            service,
            country,
            operator,
            wait,
        } => {
            let req = BuyRequest::OtpzapS2 {
                service_id: number("--service", &service)?,
                country_id: number("--country", &country)?,
                operator_id: operator.unwrap_or_else(|| "random".into()),
            };
            tracked::buy(ctx, out, req, wait_for(&wait)).await
        }
        Buy::S2Special { service, wait } => {
            let req = BuyRequest::OtpzapS2Special {
                service_id: number("--service", &service)?,
            };
            tracked::buy(ctx, out, req, wait_for(&wait)).await
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
            otpzap_multiservice(ctx, out, req, wait).await
        }
        Buy::Numberotp {
            service,
            country,
            wait,
        } => {
            tracked::buy(
                ctx,
                out,
                BuyRequest::Numberotp { service, country },
                wait_for(&wait),
            )
            .await
        }
        Buy::Email {
            site,
            domain,
            domains,
            qty,
            subject,
            regex,
            wait,
        } => match (domain, domains.is_empty()) {
            // One inbox per purchase through the engine; --qty buys that many, each tracked.
            (Some(domain), _) if subject.is_none() && regex.is_none() => {
                for _ in 0..qty.unwrap_or(1).max(1) {
                    let req = BuyRequest::OtpzapEmail {
                        site: site.clone(),
                        domain: domain.clone(),
                    };
                    tracked::buy(ctx, out, req, wait_for(&wait)).await?;
                }
                Ok(())
            }
            (Some(d), _) => {
                let req = EmailOrderRequest {
                    site,
                    domain: EmailDomainChoice::Domain(d),
                    qty,
                    subject,
                    regex,
                };
                email(ctx, out, req, wait).await
            }
            (None, false) => {
                let req = EmailOrderRequest {
                    site,
                    domain: EmailDomainChoice::Aggregator(domains),
                    qty,
                    subject,
                    regex,
                };
                email(ctx, out, req, wait).await
            }
            (None, true) => Err(CliError::Usage(
                "Choose a --domain, or --domains for aggregator mode.".into(),
            )),
        },
    }
}

fn number(flag: &str, text: &str) -> Result<i64, CliError> {
    text.trim().parse().map_err(|_| {
        CliError::Usage(format!(
            "{flag} takes a number from the catalog, not {text:?}."
        ))
    })
}

fn wait_for(w: &WaitOpts) -> Option<Duration> {
    w.wait.then(|| Duration::from_secs(w.timeout))
}

async fn create_with_same_key(
    client: &OtpZapClient,
    req: &OrderRequest,
    out: Out,
) -> Result<CreatedOrder, CliError> {
    let key = uuid::Uuid::new_v4().to_string();
    let mut attempt = 0;
    loop {
        match client.create_order(req, None, Some(&key)).await {
            Err(e @ (ProviderError::OutcomeUnknown { .. } | ProviderError::RateLimited { .. }))
                if attempt < SAME_KEY_RETRIES =>
            {
                attempt += 1;
                let pause = e
                    .retry_after()
                    .unwrap_or(Duration::from_secs(attempt as u64));
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

/// One number for several services; with `--wait`, a code for each service.
async fn otpzap_multiservice(
    ctx: &Context,
    out: Out,
    req: OrderRequest,
    wait: WaitOpts,
) -> Result<(), CliError> {
    let client = ctx.otpzap()?;
    let order = create_with_same_key(&client, &req, out).await?;
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
        out.progress("Waiting for the codes…");
        let plan = WaitPlan::new(wait.timeout, wait.poll_secs);
        let mut seen = 0;
        for _ in 0..order.services.len().max(1) {
            seen = wait::otpzap_order(&client, &order.order_id, seen, plan, out).await?;
            if seen >= order.services.len() {
                break;
            }
        }
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
