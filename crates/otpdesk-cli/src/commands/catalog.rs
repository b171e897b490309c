//! `otpdesk catalog ...` and `otpdesk balance`: the engine's catalog (the same reads, shapes and
//! rate budget as the window), printed as tables or JSON records.

use crate::args::{Catalog, EmailCatalog, NumberOtpCatalog, S1Catalog, S2Catalog};
use crate::context::Context;
use crate::error::{CliError, ProviderResult};
use crate::output::{count, money_json, money_text, opt, Out};
use otpdesk_core::ProviderId::{self, Numberotp, Otpzap};
use otpdesk_engine::{BuyRequest, CatalogItem, Choice, Engine};
use serde_json::json;
use std::future::Future;

/// Open the catalog engine for `provider`, run one read, close it again.
async fn read<T, F, Fut>(ctx: &Context, provider: ProviderId, f: F) -> Result<T, CliError>
where
    F: FnOnce(Engine) -> Fut,
    Fut: Future<Output = otpdesk_engine::Result<T>>,
{
    let engine = ctx.catalog_engine(provider).await?;
    let out = f(engine.clone()).await;
    engine.shutdown().await;
    out.of(provider)
}

pub async fn balance(ctx: &Context, out: Out) -> Result<(), CliError> {
    let b = read(
        ctx,
        Otpzap,
        |e| async move { e.catalog().balance(Otpzap).await },
    )
    .await?;
    let b = b.ok_or_else(|| CliError::Usage("OTPZap did not say its balance.".into()))?;
    out.emit(
        "balance",
        json!({"provider": "otpzap", "balance": money_json(Some(b))}),
        || format!("OTPZap balance: {b}"),
    );
    Ok(())
}

pub async fn run(ctx: &Context, out: Out, which: Catalog) -> Result<(), CliError> {
    match which {
        Catalog::S1(c) => s1(ctx, out, c).await,
        Catalog::S2(c) => s2(ctx, out, c).await,
        Catalog::Email(c) => email(ctx, out, c).await,
        Catalog::Numberotp(c) => numberotp(ctx, out, c).await,
    }
}

/// Countries or services: `ID  NAME` (and the code where there is one).
fn choices(out: Out, kind: &str, headers: &[&str], list: Vec<Choice>) {
    let with_code = headers.len() == 3;
    let rows = list
        .into_iter()
        .map(|c| {
            let record = json!({"id": c.id, "name": c.name, "code": c.code});
            let mut cells = vec![c.id, c.name];
            if with_code {
                cells.push(opt(&c.code));
            }
            (record, cells)
        })
        .collect();
    out.table(kind, headers, rows);
}

/// Offers with a price: the id the next step or `buy` takes, the name, price and stock.
fn offers(out: Out, kind: &str, list: Vec<CatalogItem>) {
    let rows = list
        .into_iter()
        .map(|i| {
            let id = match &i.target {
                BuyRequest::OtpzapS1 { product_id, .. } => product_id.to_string(),
                _ => i.service_code.clone().unwrap_or_default(),
            };
            let name = i.label.clone().unwrap_or_else(|| i.service.clone());
            let record = json!({"id": id, "name": name, "service": i.service, "service_code": i.service_code, "country": i.country,
                "price": money_json(i.price), "stock": i.stock, "target": i.target});
            (
                record,
                vec![id, name, i.country, money_text(i.price), count(i.stock)],
            )
        })
        .collect();
    out.table(kind, &["ID", "NAME", "COUNTRY", "PRICE", "STOCK"], rows);
}

async fn s1(ctx: &Context, out: Out, c: S1Catalog) -> Result<(), CliError> {
    match c {
        S1Catalog::Countries => {
            let list = read(
                ctx,
                Otpzap,
                |e| async move { e.catalog().s1_countries().await },
            )
            .await?;
            choices(out, "country", &["ID", "COUNTRY"], list);
        }
        S1Catalog::Services { country } => {
            let list = read(ctx, Otpzap, |e| async move {
                e.catalog().s1_services(country.as_deref()).await
            })
            .await?;
            choices(out, "service", &["ID", "SERVICE", "CODE"], list);
        }
        S1Catalog::Products { platform, country } => {
            let list = read(ctx, Otpzap, |e| async move {
                e.catalog().s1_products(&country, &platform).await
            })
            .await?;
            offers(out, "product", list);
        }
    }
    Ok(())
}

async fn s2(ctx: &Context, out: Out, c: S2Catalog) -> Result<(), CliError> {
    match c {
        S2Catalog::Countries => {
            let list = read(
                ctx,
                Otpzap,
                |e| async move { e.catalog().s2_countries().await },
            )
            .await?;
            choices(out, "country", &["ID", "COUNTRY"], list);
        }
        S2Catalog::Services { country, operator } => {
            let list = read(ctx, Otpzap, |e| async move {
                e.catalog().s2_services(&country, operator.as_deref()).await
            })
            .await?;
            offers(out, "s2_service", list);
        }
        S2Catalog::Special => {
            let list = read(
                ctx,
                Otpzap,
                |e| async move { e.catalog().s2_special().await },
            )
            .await?;
            offers(out, "s2_service", list);
        }
        S2Catalog::Operators { country } => {
            let ops = read(ctx, Otpzap, |e| async move {
                e.catalog().s2_operators(&country).await
            })
            .await?;
            let rows = ops
                .into_iter()
                .map(|o| (json!({"operator": o}), vec![o]))
                .collect();
            out.table("operator", &["OPERATOR"], rows);
        }
    }
    Ok(())
}

async fn email(ctx: &Context, out: Out, c: EmailCatalog) -> Result<(), CliError> {
    match c {
        EmailCatalog::Sites => {
            let sites = read(
                ctx,
                Otpzap,
                |e| async move { e.catalog().email_sites().await },
            )
            .await?;
            let rows = sites
                .into_iter()
                .map(|s| {
                    let record = json!({"site": s.site, "name": s.name, "category": s.category});
                    (record, vec![s.site.clone(), opt(&s.name), opt(&s.category)])
                })
                .collect();
            out.table("email_site", &["SITE", "NAME", "CATEGORY"], rows);
        }
        EmailCatalog::Domains { site } => {
            let domains = read(ctx, Otpzap, |e| async move {
                e.catalog().email_domains(&site).await
            })
            .await?;
            let rows = domains
                .into_iter()
                .map(|d| {
                    let rate = d.activation_rate.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "-".into());
                    let record = json!({"domain": d.domain, "price": money_json(d.price), "stock": d.stock,
                        "cancel_fee": money_json(d.cancel_fee), "activation_rate": d.activation_rate});
                    (record, vec![d.domain.clone(), money_text(d.price), count(d.stock), rate, money_text(d.cancel_fee)])
                })
                .collect();
            out.table(
                "email_domain",
                &["DOMAIN", "PRICE", "STOCK", "ACTIVATION", "CANCEL FEE"],
                rows,
            );
        }
    }
    Ok(())
}

async fn numberotp(ctx: &Context, out: Out, c: NumberOtpCatalog) -> Result<(), CliError> {
    match c {
        NumberOtpCatalog::Services { country } => {
            let list = read(ctx, Numberotp, |e| async move {
                e.catalog().numberotp_services(country.as_deref()).await
            })
            .await?;
            choices(out, "numberotp_service", &["CODE", "SERVICE"], list);
        }
        NumberOtpCatalog::Countries { service } => {
            let list = read(ctx, Numberotp, |e| async move {
                e.catalog().numberotp_countries(service.as_deref()).await
            })
            .await?;
            choices(out, "numberotp_country", &["ID", "COUNTRY", "ISO"], list);
        }
        NumberOtpCatalog::Prices { service, country } => {
            let list = read(ctx, Numberotp, |e| async move {
                e.catalog()
                    .numberotp_prices(service.as_deref(), country.as_deref())
                    .await
            })
            .await?;
            offers(out, "numberotp_price", list);
        }
    }
    Ok(())
}
