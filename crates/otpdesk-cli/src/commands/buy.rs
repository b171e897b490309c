//! `otpdesk buy ...`, all through the engine ([`tracked`]): the attempt and its Idempotency-Key
//! are stored before sending, a lost reply is asked again with the same key (OTPZap SMS) or
//! reported as unknown (NumberOTP, email: no documented idempotency), and the order is tracked.
//! `--max-price` refuses above it; `--count N` buys a batch ([`super::batch`]); `--customer`,
//! `--note`, `--sale-price` record the hand-off ([`super::desk`]).

use super::tracked;
use crate::args::{Buy, BuyLimits, SaleOpts, WaitOpts};
use crate::context::Context;
use crate::error::{CliError, ProviderResult};
use crate::output::Out;
use otpdesk_core::{Currency, Money};
use otpdesk_engine::{BatchRequest, BuyRequest};
use std::time::Duration;

pub async fn run(ctx: &Context, out: Out, buy: Buy) -> Result<(), CliError> {
    match buy {
        Buy::S1 {
            product,
            country,
            platform,
            wait,
            limits,
            sale,
        } => {
            let req = BuyRequest::OtpzapS1 {
                product_id: number("--product", &product)?,
                country_id: number("--country", &country)?,
                platform_id: number("--platform", &platform)?,
            };
            numbers(ctx, out, req, &wait, &limits, &sale).await
        }
        Buy::S2 {
            service,
            country,
            operator,
            wait,
            limits,
            sale,
        } => {
            let req = BuyRequest::OtpzapS2 {
                service_id: number("--service", &service)?,
                country_id: number("--country", &country)?,
                operator_id: operator.unwrap_or_else(|| "random".into()),
            };
            numbers(ctx, out, req, &wait, &limits, &sale).await
        }
        Buy::S2Special {
            service,
            wait,
            limits,
            sale,
        } => {
            let req = BuyRequest::OtpzapS2Special {
                service_id: number("--service", &service)?,
            };
            numbers(ctx, out, req, &wait, &limits, &sale).await
        }
        Buy::S2Multi {
            services,
            country,
            operator,
            wait,
            limits,
            sale,
        } => {
            let req = BuyRequest::OtpzapS2Multi {
                service_ids: services
                    .iter()
                    .map(|s| number("--services", s))
                    .collect::<Result<_, _>>()?,
                country_id: number("--country", &country)?,
                operator_id: operator.unwrap_or_else(|| "random".into()),
            };
            numbers(ctx, out, req, &wait, &limits, &sale).await
        }
        Buy::Numberotp {
            service,
            country,
            wait,
            limits,
            sale,
        } => {
            let req = numberotp_offer(ctx, &service, &country).await?;
            out.progress(&format!("{}.", otpdesk_engine::NUMBEROTP_NO_REFUND));
            numbers(ctx, out, req, &wait, &limits, &sale).await
        }
        Buy::Email {
            site,
            domain,
            domains,
            qty,
            subject,
            regex,
            wait,
            sale,
        } => {
            let hand = super::desk::hand_off_of(&sale)?;
            if domain.is_none() && domains.is_empty() {
                return Err(CliError::Usage(
                    "Choose a --domain, or --domains for aggregator mode.".into(),
                ));
            }
            // One inbox per purchase, each tracked: --qty buys that many.
            for _ in 0..qty.unwrap_or(1).max(1) {
                let req = match (&domain, domains.is_empty(), &subject, &regex) {
                    (Some(d), true, None, None) => BuyRequest::OtpzapEmail {
                        site: site.clone(),
                        domain: d.clone(),
                    },
                    _ => BuyRequest::OtpzapEmailOptions {
                        site: site.clone(),
                        domain: domain.clone(),
                        domains: domains.clone(),
                        subject: subject.clone(),
                        regex: regex.clone(),
                    },
                };
                tracked::buy_for(ctx, out, req, wait_for(&wait), None, hand.as_ref()).await?;
            }
            Ok(())
        }
    }
}

/// The NumberOTP offer of `service` in `country` (its id, name or ISO code, as the provider's
/// country list says: ids are never assumed).
pub(crate) async fn numberotp_offer(
    ctx: &Context,
    service: &str,
    country: &str,
) -> Result<BuyRequest, CliError> {
    let p = otpdesk_core::ProviderId::Numberotp;
    let engine = ctx.catalog_engine(p).await?;
    let found = engine
        .catalog()
        .numberotp_prices(Some(service), Some(country))
        .await;
    engine.shutdown().await;
    let list = found.of(p)?;
    list.into_iter().next().map(|i| i.target).ok_or_else(|| {
        CliError::Usage(format!(
            "NumberOTP does not sell {service:?} in {country:?}; see `otpdesk catalog numberotp prices --service {service}`."
        ))
    })
}

/// One number (held to --max-price when given), or a batch of --count.
async fn numbers(
    ctx: &Context,
    out: Out,
    req: BuyRequest,
    wait: &WaitOpts,
    limits: &BuyLimits,
    sale: &SaleOpts,
) -> Result<(), CliError> {
    let hand = super::desk::hand_off_of(sale)?;
    let cur = req.provider().currency();
    let max_price = money("--max-price", cur, limits.max_price.as_deref())?;
    let min_balance = money("--min-balance", cur, limits.min_balance.as_deref())?;
    if let Some(after) = &limits.auto_replace_after {
        if limits.count != 1 || min_balance.is_some() || wait.wait {
            return Err(CliError::Usage(
                "--auto-replace-after buys one number at a time and waits for its code by itself; leave out --count, --min-balance and --wait.".into(),
            ));
        }
        let job = otpdesk_engine::JobRequest {
            req,
            replace_after_ms: super::automation::minutes(after)?,
            max_replacements: limits.max_replacements,
            cap: money("--cap", cur, limits.cap.as_deref())?
                .ok_or_else(|| CliError::Usage("--auto-replace-after needs --cap.".into()))?,
            max_price,
            use_blocklist: !limits.no_blocklist,
        };
        return super::automation::auto_replace(ctx, out, job).await;
    }
    if limits.count == 1 && min_balance.is_none() {
        return tracked::buy_for(ctx, out, req, wait_for(wait), max_price, hand.as_ref()).await;
    }
    if wait.wait {
        return Err(CliError::Usage(
            "--wait waits for one number; with --count, run `otpdesk wait ID` for each order."
                .into(),
        ));
    }
    let batch = BatchRequest {
        req,
        count: limits.count,
        max_price,
        min_balance,
    };
    super::batch::run_for(ctx, out, batch, hand.as_ref()).await
}

/// An amount in the offer's currency, as decimal text (`3000`, `0.30`).
pub(crate) fn money(
    flag: &str,
    cur: Currency,
    text: Option<&str>,
) -> Result<Option<Money>, CliError> {
    let Some(text) = text else { return Ok(None) };
    let m = Money::parse(cur, text.trim()).map_err(|_| {
        CliError::Usage(format!(
            "{flag} takes an amount in {}, like 3000 or 0.30, not {text:?}.",
            cur.code()
        ))
    })?;
    if m.minor < 0 {
        return Err(CliError::Usage(format!("{flag} cannot be negative.")));
    }
    Ok(Some(m))
}

pub(crate) fn number(flag: &str, text: &str) -> Result<i64, CliError> {
    text.trim().parse().map_err(|_| {
        CliError::Usage(format!(
            "{flag} takes a number from the catalog, not {text:?}."
        ))
    })
}

fn wait_for(w: &WaitOpts) -> Option<Duration> {
    w.wait.then(|| Duration::from_secs(w.timeout))
}
