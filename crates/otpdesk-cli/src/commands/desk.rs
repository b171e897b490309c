//! The reseller's desk from a terminal: `buy … --customer/--note/--sale-price` (the hand-off,
//! sale price from the price list), `customers [NAME]`, `paid ID [--unpaid]`, `prices …` and
//! `template …`. Everything but the hand-off reads and writes the order store alone
//! ([`otpdesk_engine::customers`]): no provider is asked, no tracking starts.

use crate::args::{LangArg, PricesAction, SaleOpts, TemplateAction, TemplateKindArg};
use crate::context::Context;
use crate::error::CliError;
use crate::output::{money_json, money_text, opt, time_json, time_text, Out};
use otpdesk_core::{Currency, Money};
use otpdesk_engine::customers::{self, HandOff, OrderDesk};
use otpdesk_engine::pricing::{Markup, MarkupRule, PriceList, FALLBACK_IDR_PER_USD};
use otpdesk_engine::store::Store;
use otpdesk_engine::templates::{TemplateKind, TemplateLang};
use otpdesk_engine::{Engine, HistoryQuery, OrderView};
use serde_json::{json, Value};

/// The hand-off `buy` records, if any of its flags was given.
pub fn hand_off_of(s: &SaleOpts) -> Result<Option<HandOff>, CliError> {
    if s.customer.is_none() && s.note.is_none() && s.sale_price.is_none() {
        return Ok(None);
    }
    let sale_price = match s.sale_price.as_deref() {
        Some(t) => Some(rupiah("--sale-price", t)?),
        None => None,
    };
    Ok(Some(HandOff {
        customer: s.customer.clone(),
        note: s.note.clone(),
        sale_price,
    }))
}

fn rupiah(flag: &str, text: &str) -> Result<Money, CliError> {
    match Money::parse(Currency::Idr, text.trim()) {
        Ok(m) if m.minor >= 0 => Ok(m),
        _ => Err(CliError::Usage(format!(
            "{flag} takes whole rupiah, like 5000, not {text:?}."
        ))),
    }
}

fn desk_json(d: &OrderDesk) -> Value {
    json!({"id": d.order_id, "customer": d.customer, "note": d.note, "paid": d.paid,
           "paid_at": time_json(d.paid_at), "sale_price": money_json(d.sale_price)})
}

/// After a purchase: customer, note and sale price (given, or from the price list), printed.
pub fn record_hand_off(
    engine: &Engine,
    out: Out,
    order: &OrderView,
    h: &HandOff,
) -> Result<(), CliError> {
    let d = engine.hand_off(&order.id, h)?;
    out.emit("hand_off", desk_json(&d), || {
        let from = if h.sale_price.is_none() && d.sale_price.is_some() {
            " (from the price list)"
        } else {
            ""
        };
        format!(
            "For {}: sold at {}{from}.",
            opt(&d.customer),
            money_text(d.sale_price)
        )
    });
    Ok(())
}

/// The order book (the team's when there is one), created if needed.
fn open(ctx: &Context) -> Result<Store, CliError> {
    match ctx.team()? {
        Some(team) => Store::open_pg(&team),
        None => Store::open(&ctx.data_dir()),
    }
    .map_err(CliError::Engine)
}

fn sums(list: &[Money]) -> String {
    if list.is_empty() {
        return "-".into();
    }
    let parts: Vec<String> = list.iter().map(|m| m.to_string()).collect();
    parts.join(" + ")
}

fn moneys_json(list: &[Money]) -> Value {
    Value::Array(list.iter().map(|m| money_json(Some(*m))).collect())
}

pub fn customers(ctx: &Context, out: Out, name: Option<&str>) -> Result<(), CliError> {
    let Some(store) = ctx.store()? else {
        out.table("customer", &[], Vec::new());
        return Ok(());
    };
    let rate = customers::price_list(&store)?.whole_rate();
    if let Some(name) = name {
        let page = store
            .history(&HistoryQuery {
                customer: Some(name.to_string()),
                idr_per_usd: rate,
                limit: Some(1_000),
                ..Default::default()
            })
            .map_err(|e| CliError::Engine(e.into()))?;
        let rows = page
            .orders()
            .into_iter()
            .map(|r| {
                let o = &r.order;
                let record = json!({"id": o.id, "order_id": o.remote_id, "customer": r.customer,
                    "service": o.service, "phone": o.phone, "email": o.email, "status": o.status.as_str(),
                    "sale_price": money_json(r.sale_price), "paid": r.paid, "note": r.note,
                    "profit_minor": r.profit_minor, "created_at": time_json(Some(o.created_at))});
                let cells = vec![
                    o.remote_id.clone(),
                    time_text(Some(o.created_at)),
                    o.service.clone(),
                    opt(&o.phone.clone().or_else(|| o.email.clone())),
                    o.status.as_str().to_string(),
                    money_text(r.sale_price),
                    if r.paid { "paid" } else { "unpaid" }.into(),
                    opt(&r.note),
                ];
                (record, cells)
            })
            .collect();
        out.table(
            "customer_order",
            &[
                "ORDER", "CREATED", "SERVICE", "NUMBER", "STATUS", "SALE", "PAID", "NOTE",
            ],
            rows,
        );
        return Ok(());
    }
    let list = store
        .customers(rate)
        .map_err(|e| CliError::Engine(e.into()))?;
    let rows = list
        .iter()
        .map(|c| {
            let record = json!({"name": c.name, "orders": c.orders, "unpaid_orders": c.unpaid_orders,
                "owed": moneys_json(&c.owed), "sales": moneys_json(&c.sales),
                "profit": moneys_json(&c.profit), "last_at": time_json(Some(c.last_at))});
            let cells = vec![
                c.name.clone(),
                c.orders.to_string(),
                c.unpaid_orders.to_string(),
                sums(&c.owed),
                sums(&c.profit),
                time_text(Some(c.last_at)),
            ];
            (record, cells)
        })
        .collect();
    out.table(
        "customer",
        &["CUSTOMER", "ORDERS", "UNPAID", "OWES", "PROFIT", "LAST"],
        rows,
    );
    Ok(())
}

pub fn paid(ctx: &Context, out: Out, id: &str, paid: bool) -> Result<(), CliError> {
    let store = ctx
        .store()?
        .ok_or_else(|| CliError::Engine(otpdesk_engine::EngineError::OrderNotFound(id.into())))?;
    let d = customers::set_paid(&store, id, paid, chrono::Utc::now())?;
    out.emit("paid", desk_json(&d), || {
        format!(
            "Order {id} {} ({}, {}).",
            if d.paid {
                "marked paid"
            } else {
                "marked not paid"
            },
            opt(&d.customer),
            money_text(d.sale_price)
        )
    });
    Ok(())
}

fn rule_text(r: &MarkupRule) -> String {
    let m = match r.markup {
        Markup::Flat(v) => format!("+ Rp {v}"),
        Markup::Percent(p) => format!("+ {p}%"),
    };
    if r.min_profit > 0 {
        format!("{m}, at least Rp {}", r.min_profit)
    } else {
        m
    }
}

fn print_list(out: Out, list: &PriceList) {
    let (rate, fallback) = list.rate();
    out.emit(
        "price_list",
        json!({"rules": list.rules, "idr_per_usd": list.idr_per_usd, "rate_used": rate,
               "fallback_rate": fallback, "buffer_pct": list.buffer_pct}),
        || {
            let mut s = String::new();
            for r in &list.rules {
                let who = r.service.as_deref().unwrap_or("every other service");
                s.push_str(&format!("{who}: cost {}\n", rule_text(r)));
            }
            if list.rules.is_empty() {
                s.push_str("No markup rules: no sale price is suggested.\n");
            }
            let whose = if fallback {
                " (fallback: no rate set; set yours with `otpdesk prices rate 16250`)".to_string()
            } else {
                String::new()
            };
            s.push_str(&format!(
                "US$1 = Rp {rate}{whose}, plus a {}% buffer. Sale prices are rounded up to Rp 100.",
                list.buffer_pct
            ));
            s
        },
    );
}

pub fn prices(ctx: &Context, out: Out, action: Option<PricesAction>) -> Result<(), CliError> {
    let Some(action) = action else {
        let list = match ctx.store()? {
            Some(s) => customers::price_list(&s)?,
            None => PriceList::default(),
        };
        print_list(out, &list);
        return Ok(());
    };
    let store = open(ctx)?;
    let mut list = customers::price_list(&store)?;
    let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        (None, None) => true,
        _ => false,
    };
    match action {
        PricesAction::Set {
            service,
            flat,
            percent,
            min_profit,
        } => {
            let markup = match (flat, percent) {
                (Some(v), _) => Markup::Flat(v),
                (None, Some(p)) => Markup::Percent(p),
                (None, None) => {
                    return Err(CliError::Usage("Give --flat or --percent.".into()));
                }
            };
            let service = service.filter(|s| !s.trim().is_empty());
            let rule = MarkupRule {
                service: service.clone(),
                markup,
                min_profit,
            };
            match list.rules.iter_mut().find(|r| same(&r.service, &service)) {
                Some(r) => *r = rule,
                None => list.rules.push(rule),
            }
        }
        PricesAction::Remove { service } => {
            let before = list.rules.len();
            list.rules.retain(|r| !same(&r.service, &service));
            if list.rules.len() == before {
                return Err(CliError::Usage(format!(
                    "No rule for {}.",
                    service.as_deref().unwrap_or("every service")
                )));
            }
        }
        PricesAction::Rate { rate, buffer } => {
            list.idr_per_usd = match rate.trim() {
                "none" | "" => None,
                r => Some(r.to_string()),
            };
            if let Some(b) = buffer {
                list.buffer_pct = b;
            }
        }
    }
    let list = customers::set_price_list(&store, &list).map_err(|e| match e {
        otpdesk_engine::EngineError::Config(m) => CliError::Usage(format!(
            "{m} (the fallback rate is {FALLBACK_IDR_PER_USD})."
        )),
        other => CliError::Engine(other),
    })?;
    print_list(out, &list);
    Ok(())
}

fn lang(l: LangArg) -> TemplateLang {
    match l {
        LangArg::Id => TemplateLang::Id,
        LangArg::En => TemplateLang::En,
    }
}

pub fn template(ctx: &Context, out: Out, t: TemplateAction) -> Result<(), CliError> {
    match t {
        TemplateAction::Render { id, lang: l } => {
            let store = ctx.store()?.ok_or_else(|| {
                CliError::Engine(otpdesk_engine::EngineError::OrderNotFound(id.clone()))
            })?;
            let text = customers::message(&store, &id, lang(l), chrono::Utc::now())?;
            out.emit(
                "message",
                json!({"id": id, "lang": lang(l), "text": text}),
                || text.clone(),
            );
            Ok(())
        }
        TemplateAction::Show => {
            let list = match ctx.store()? {
                Some(s) => customers::templates(&s)?,
                None => customers::templates(&open(ctx)?)?,
            };
            for t in list {
                out.emit("template", json!(t), || {
                    format!(
                        "[{} {}{}]\n{}\n",
                        t.lang.as_str(),
                        t.kind.as_str(),
                        if t.is_default { ", default" } else { "" },
                        t.body
                    )
                });
            }
            Ok(())
        }
        TemplateAction::Set {
            lang: l,
            kind,
            text,
        } => {
            let kind = match kind {
                TemplateKindArg::Number => TemplateKind::Number,
                TemplateKindArg::Code => TemplateKind::Code,
            };
            customers::set_template(&open(ctx)?, lang(l), kind, Some(&text))?;
            out.emit(
                "template",
                json!({"lang": lang(l), "kind": kind, "body": text}),
                || "Template saved.".into(),
            );
            Ok(())
        }
        TemplateAction::Reset => {
            let store = open(ctx)?;
            for l in TemplateLang::ALL {
                for k in TemplateKind::ALL {
                    customers::set_template(&store, l, k, None)?;
                }
            }
            out.emit("template_reset", json!({}), || {
                "Templates back to the defaults.".into()
            });
            Ok(())
        }
    }
}
