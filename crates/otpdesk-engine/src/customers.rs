//! Who each number is for: a customer (free text, offered again from the recent ones) and a note
//! per order, paid / not paid, and per customer what they owe (unpaid sale prices) and the profit
//! made on them, per currency in integer minor units. The hand-off after a purchase fills the
//! sale price from the price list ([`crate::pricing`]) unless the user gave one. The message for
//! the customer comes from [`crate::templates`]. Works on the [`Store`] alone, so the command line
//! uses it without starting any tracking; [`crate::Engine`] wraps it for the window.

use crate::error::{EngineError, Result};
/// The shapes the store reads and writes live with the other views (the store sits below this module).
pub use crate::model::{clean_customer, clean_note, Customer, OrderDesk, MAX_CUSTOMER, MAX_NOTE};
use crate::model::{OrderView, Time};
use crate::pricing::{self, PriceList, Suggestion};
use crate::store::Store;
use crate::templates::{self, Template, TemplateKind, TemplateLang, Values};
use otpdesk_core::Money;
use serde::{Deserialize, Serialize};

/// What the user gives at purchase (or later).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HandOff {
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// What it is sold for; `None`: the price list's suggestion (if it has a rule).
    #[serde(default)]
    pub sale_price: Option<Money>,
}

fn order(store: &Store, id: &str) -> Result<OrderView> {
    store
        .find_order(id)?
        .ok_or_else(|| EngineError::OrderNotFound(id.to_string()))
}

/// Record (or clear) what an order was sold for; refused for an order whose codes all came
/// after it was cancelled or replaced (the number was not used: no sale).
pub fn set_sale_price(store: &Store, order_id: &str, price: Option<Money>) -> Result<OrderView> {
    let o = order(store, order_id)?;
    if price.is_some() && o.only_late_codes() {
        return Err(EngineError::NotAllowed {
            action: "sell",
            reason: "its codes came after it was cancelled or replaced".into(),
        });
    }
    if matches!(price, Some(p) if p.minor < 0) {
        return Err(EngineError::Config(
            "a sale price cannot be negative".into(),
        ));
    }
    store.set_sale_price(&o.id, price)?;
    Ok(o)
}

/// The price list's suggestion for an order of `service` costing `cost`.
pub fn suggest(store: &Store, service: &str, cost: Money) -> Result<Option<Suggestion>> {
    Ok(pricing::suggest(&price_list(store)?, service, cost))
}

/// After a purchase (or from the order card): the customer and note, and the sale price: the
/// one given, else the price list's suggestion for the order's cost. An order without a cost
/// keeps no sale price unless one is given.
pub fn hand_off(store: &Store, order_id: &str, h: &HandOff, now: Time) -> Result<OrderDesk> {
    let o = order(store, order_id)?;
    let customer = clean_customer(h.customer.as_deref());
    let note = clean_note(h.note.as_deref());
    store.set_desk(&o.id, customer.as_deref(), note.as_deref(), now)?;
    let sale = match h.sale_price {
        Some(p) => Some(p),
        None => match o.price {
            Some(cost) => suggest(store, &o.service, cost)?.map(|s| s.sale),
            None => None,
        },
    };
    if sale.is_some() && !o.only_late_codes() {
        set_sale_price(store, &o.id, sale)?;
    }
    desk_of(store, &o.id)
}

/// Mark an order paid (or not paid again).
pub fn set_paid(store: &Store, order_id: &str, paid: bool, now: Time) -> Result<OrderDesk> {
    let o = order(store, order_id)?;
    store.set_paid(&o.id, paid, now)?;
    desk_of(store, &o.id)
}

/// One order's desk line (an order never handed off has an empty one).
pub fn desk_of(store: &Store, order_id: &str) -> Result<OrderDesk> {
    let o = order(store, order_id)?;
    Ok(store
        .desks(std::slice::from_ref(&o.id))?
        .pop()
        .unwrap_or(OrderDesk {
            order_id: o.id,
            customer: None,
            note: None,
            paid: false,
            paid_at: None,
            sale_price: None,
        }))
}

pub fn price_list(store: &Store) -> Result<PriceList> {
    Ok(match store.desk_setting("price_list")? {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => PriceList::default(),
    })
}

pub fn set_price_list(store: &Store, list: &PriceList) -> Result<PriceList> {
    list.validate()
        .map_err(|e| EngineError::Config(format!("price list: {e}")))?;
    let json = serde_json::to_string(list).map_err(|e| EngineError::Config(e.to_string()))?;
    store.set_desk_setting("price_list", Some(&json))?;
    Ok(list.clone())
}

fn template_key(lang: TemplateLang, kind: TemplateKind) -> String {
    format!("template.{}.{}", lang.as_str(), kind.as_str())
}

/// Every template (both languages, both kinds), the user's text or the default.
pub fn templates(store: &Store) -> Result<Vec<Template>> {
    let mut out = Vec::new();
    for lang in TemplateLang::ALL {
        for kind in TemplateKind::ALL {
            let saved = store.desk_setting(&template_key(lang, kind))?;
            out.push(Template {
                lang,
                kind,
                is_default: saved.is_none(),
                body: saved.unwrap_or_else(|| templates::default_body(lang, kind).to_string()),
            });
        }
    }
    Ok(out)
}

/// Save a template's text; `None` (or the default text) goes back to the default.
pub fn set_template(
    store: &Store,
    lang: TemplateLang,
    kind: TemplateKind,
    body: Option<&str>,
) -> Result<Vec<Template>> {
    let body = body.filter(|b| *b != templates::default_body(lang, kind));
    if body.is_some_and(|b| b.chars().count() > 2_000) {
        return Err(EngineError::Config(
            "a template is at most 2000 characters".into(),
        ));
    }
    store.set_desk_setting(&template_key(lang, kind), body)?;
    templates(store)
}

/// The message for the customer of an order as it stands now: the number message, and the code
/// message after it once a code came.
pub fn message(store: &Store, order_id: &str, lang: TemplateLang, now: Time) -> Result<String> {
    let o = order(store, order_id)?;
    let desk = desk_of(store, &o.id)?;
    let all = templates(store)?;
    let body = |k| {
        all.iter()
            .find(|t| t.lang == lang && t.kind == k)
            .map(|t| t.body.clone())
            .unwrap_or_default()
    };
    let v = Values::of_order(&o, desk.sale_price, now);
    Ok(templates::message(
        &body(TemplateKind::Number),
        &body(TemplateKind::Code),
        lang,
        &v,
    ))
}
