//! `otpdesk catalog ...` and `otpdesk balance`.

use crate::args::{Catalog, EmailCatalog, NumberOtpCatalog, S1Catalog, S2Catalog, SortArg};
use crate::context::Context;
use crate::error::{CliError, ProviderResult};
use crate::output::{count, money_json, money_text, opt, Out};
use otpdesk_core::ProviderId::{Numberotp, Otpzap};
use otpdesk_providers::otpzap::{ProductQuery, ProductSort};
use otpdesk_providers::Id;
use serde_json::json;

pub async fn balance(ctx: &Context, out: Out) -> Result<(), CliError> {
    let b = ctx.otpzap()?.balance().await.of(Otpzap)?;
    out.emit(
        "balance",
        json!({"provider": "otpzap", "balance": money_json(Some(b.balance))}),
        || format!("OTPZap balance: {}", b.balance),
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

fn countries_table(out: Out, countries: Vec<otpdesk_providers::otpzap::Country>) {
    let rows = countries
        .into_iter()
        .map(|c| {
            (
                json!({"id": c.id.as_str(), "name": c.name}),
                vec![c.id.as_str().to_string(), opt(&c.name)],
            )
        })
        .collect();
    out.table("country", &["ID", "COUNTRY"], rows);
}

async fn s1(ctx: &Context, out: Out, c: S1Catalog) -> Result<(), CliError> {
    let client = ctx.otpzap()?;
    match c {
        S1Catalog::Countries => countries_table(out, client.countries().await.of(Otpzap)?),
        S1Catalog::Services { country } => {
            let services = client
                .services(country.map(Id::new).as_ref())
                .await
                .of(Otpzap)?;
            let rows = services
                .into_iter()
                .map(|s| {
                    let record = json!({"id": s.id.as_str(), "code": s.code, "name": s.name});
                    (
                        record,
                        vec![s.id.as_str().to_string(), opt(&s.code), opt(&s.name)],
                    )
                })
                .collect();
            out.table("service", &["ID", "CODE", "SERVICE"], rows);
        }
        S1Catalog::Products {
            platform,
            country,
            page,
            limit,
            sort,
        } => {
            let query = ProductQuery {
                platform_id: platform.map(Id::new),
                country_id: country.map(Id::new),
                page,
                limit,
                sort: sort.map(|s| match s {
                    SortArg::PriceAsc => ProductSort::PriceAsc,
                    SortArg::PriceDesc => ProductSort::PriceDesc,
                    SortArg::StockDesc => ProductSort::StockDesc,
                }),
            };
            let page = client.products(&query).await.of(Otpzap)?;
            let rows = page
                .products
                .into_iter()
                .map(|p| {
                    let record = json!({"id": p.id.as_str(), "name": p.name, "price": money_json(p.price), "stock": p.stock});
                    (record, vec![p.id.as_str().to_string(), opt(&p.name), money_text(p.price), count(p.stock)])
                })
                .collect();
            out.table("product", &["ID", "PRODUCT", "PRICE", "STOCK"], rows);
        }
    }
    Ok(())
}

fn s2_services_table(out: Out, services: Vec<otpdesk_providers::otpzap::S2Service>) {
    let rows = services
        .into_iter()
        .map(|s| {
            let record = json!({"service_id": s.service_id.as_str(), "name": s.service_name, "price": money_json(s.price)});
            (record, vec![s.service_id.as_str().to_string(), opt(&s.service_name), money_text(s.price)])
        })
        .collect();
    out.table("s2_service", &["ID", "SERVICE", "PRICE"], rows);
}

async fn s2(ctx: &Context, out: Out, c: S2Catalog) -> Result<(), CliError> {
    let client = ctx.otpzap()?;
    match c {
        S2Catalog::Countries => countries_table(out, client.s2_countries().await.of(Otpzap)?),
        S2Catalog::Services { country } => {
            s2_services_table(out, client.s2_services(&Id::new(country)).await.of(Otpzap)?)
        }
        S2Catalog::Special => s2_services_table(out, client.s2_special().await.of(Otpzap)?),
        S2Catalog::Operators { country } => {
            let ops = client.s2_operators(&Id::new(country)).await.of(Otpzap)?;
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
    let client = ctx.otpzap()?;
    match c {
        EmailCatalog::Sites => {
            let sites = client.email_sites().await.of(Otpzap)?;
            let rows = sites
                .sites
                .into_iter()
                .map(|s| {
                    let record = json!({"site": s.site, "name": s.name, "category": s.category});
                    (record, vec![s.site.clone(), opt(&s.name), opt(&s.category)])
                })
                .collect();
            out.table("email_site", &["SITE", "NAME", "CATEGORY"], rows);
        }
        EmailCatalog::Domains { site } => {
            let domains = client.email_domains(&site).await.of(Otpzap)?;
            let rows = domains
                .into_iter()
                .map(|d| {
                    let rate = d.activation_rate.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "-".into());
                    let record = json!({"domain": d.name, "price": money_json(d.price), "stock": d.stock,
                        "cancel_fee": money_json(d.cancel_fee), "activation_rate": d.activation_rate});
                    (record, vec![d.name.clone(), money_text(d.price), count(d.stock), rate, money_text(d.cancel_fee)])
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
            let services = ctx
                .numberotp()?
                .services(country.as_deref())
                .await
                .of(Numberotp)?;
            let rows = services
                .into_iter()
                .map(|s| {
                    (
                        json!({"code": s.code, "name": s.name}),
                        vec![s.code.clone(), opt(&s.name)],
                    )
                })
                .collect();
            out.table("numberotp_service", &["CODE", "SERVICE"], rows);
        }
        NumberOtpCatalog::Countries { service } => {
            let countries = ctx
                .numberotp()?
                .countries(service.as_deref())
                .await
                .of(Numberotp)?;
            let rows = countries
                .into_iter()
                .map(|c| {
                    let record = json!({"id": c.id.as_str(), "name": c.name, "iso": c.iso});
                    (
                        record,
                        vec![c.id.as_str().to_string(), opt(&c.name), opt(&c.iso)],
                    )
                })
                .collect();
            out.table("numberotp_country", &["ID", "COUNTRY", "ISO"], rows);
        }
        NumberOtpCatalog::Prices => {
            let prices = ctx.numberotp_public()?.prices().await.of(Numberotp)?;
            let rows = prices
                .into_iter()
                .map(|p| {
                    let record = json!({"service": p.service, "country": p.country.as_str(), "price": money_json(p.price), "available": p.available});
                    (record, vec![p.service.clone(), p.country.as_str().to_string(), money_text(p.price), count(p.available)])
                })
                .collect();
            out.table(
                "numberotp_price",
                &["SERVICE", "COUNTRY", "PRICE", "AVAILABLE"],
                rows,
            );
        }
    }
    Ok(())
}
