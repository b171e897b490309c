//! OTPZap catalog endpoints: S1 countries/services/products, S2 countries/services/operators/
//! specials, S3 sites/domains. Read-only apart from the key check.

use super::{auth, ok, OzResult};
use crate::catalog::{self, COUNTRIES, DOMAINS, SERVICES, SITES};
use crate::error::SimError;
use crate::http::query_param;
use crate::state::Sim;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

type Params = Query<HashMap<String, String>>;

fn opt_u32(q: &HashMap<String, String>, name: &str) -> Result<Option<u32>, SimError> {
    match query_param(q, name) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| SimError::validation(name, format!("{name} must be a number"))),
    }
}

fn countries_json() -> Value {
    json!({"countries": COUNTRIES.iter().map(|c| json!({"id": c.id, "name": c.name, "iso": c.iso})).collect::<Vec<_>>()})
}

pub async fn countries(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        Ok(ok(countries_json()))
    })
}

pub async fn services(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Params,
) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        if let Some(c) = opt_u32(&q, "country_id")? {
            catalog::country_by_id(c).ok_or_else(|| SimError::not_found("country"))?;
        }
        let list: Vec<Value> = SERVICES
            .iter()
            .map(|s| json!({"id": s.id, "code": s.code, "name": s.name}))
            .collect();
        Ok(ok(json!({ "services": list })))
    })
}

pub async fn products(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Params,
) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let platform = opt_u32(&q, "platform_id")?;
        let country = opt_u32(&q, "country_id")?;
        let page = opt_u32(&q, "page")?.unwrap_or(1).max(1);
        let limit = opt_u32(&q, "limit")?.unwrap_or(50).clamp(1, 100);
        let mut rows: Vec<(u64, String, u32, u32, i64, u32)> = w
            .catalog
            .products
            .iter()
            .filter(|p| platform.is_none_or(|id| p.service.id == id) && country.is_none_or(|id| p.country.id == id))
            .map(|p| {
                let stock = w.stock_left(&format!("s1:{}", p.id), p.initial_stock);
                (p.id, p.name.clone(), p.service.id, p.country.id, p.price, stock)
            })
            .collect();
        match q.get("sort").map(String::as_str) {
            Some("price_desc") => rows.sort_by_key(|r| std::cmp::Reverse(r.4)),
            Some("stock_desc") => rows.sort_by_key(|r| std::cmp::Reverse(r.5)),
            Some("price_asc") => rows.sort_by_key(|r| r.4),
            _ => {}
        }
        let total = rows.len();
        let start = ((page - 1) as usize).saturating_mul(limit as usize);
        let products: Vec<Value> = rows
            .into_iter()
            .skip(start)
            .take(limit as usize)
            .map(|(id, name, pid, cid, price, stock)| {
                json!({"id": id, "name": name, "platform_id": pid, "country_id": cid, "price": price, "stock": stock})
            })
            .collect();
        Ok(ok(json!({"products": products, "pagination": {"page": page, "limit": limit, "total": total}})))
    })
}

pub async fn s2_countries(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> OzResult {
    countries(State(sim), headers).await
}

fn country_param(q: &HashMap<String, String>) -> Result<&'static catalog::Country, SimError> {
    let id = opt_u32(q, "country_id")?
        .ok_or_else(|| SimError::validation("country_id", "country_id is required"))?;
    catalog::country_by_id(id).ok_or_else(|| SimError::not_found("country"))
}

pub async fn s2_services(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Params,
) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let country = country_param(&q)?;
        let list: Vec<Value> = SERVICES
            .iter()
            .map(|s| json!({"service_id": s.s2_id, "service_name": s.name, "price": w.catalog.s2_price(s, country)}))
            .collect();
        Ok(ok(json!({ "services": list })))
    })
}

pub async fn s2_operators(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Params,
) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        Ok(ok(json!({"operators": country_param(&q)?.operators})))
    })
}

pub async fn s2_special(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let list: Vec<Value> = w
            .catalog
            .specials
            .iter()
            .map(|s| json!({"service_id": s.service_id, "service_name": s.service_name, "price": s.price}))
            .collect();
        Ok(ok(json!({ "services": list })))
    })
}

pub async fn s3_sites(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let sites: Vec<Value> = SITES
            .iter()
            .map(|s| json!({"site": s.site, "name": s.name, "category": s.category}))
            .collect();
        Ok(ok(json!({"sites": sites, "total": SITES.len()})))
    })
}

/// A plausible site domain ("openai.com"); any valid one is accepted, as the docs say.
pub fn validate_site(site: &str) -> Result<String, SimError> {
    let s = site.trim().to_ascii_lowercase();
    let valid = s.len() <= 253
        && s.contains('.')
        && !s.starts_with('.')
        && !s.ends_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if valid {
        Ok(s)
    } else {
        Err(SimError::validation(
            "site",
            "site must be a domain such as openai.com",
        ))
    }
}

pub async fn s3_domains(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Params,
) -> OzResult {
    sim.with(|w, _| {
        auth(w, &headers)?;
        let site = validate_site(q.get("site").map(String::as_str).unwrap_or_default())?;
        let domains: Vec<Value> = DOMAINS
            .iter()
            .map(|d| {
                let offer = w.catalog.domain_offer(&site, d);
                let stock = w.stock_left(&format!("s3:{site}:{}", d.name), offer.initial_stock);
                let rate =
                    serde_json::Number::from_f64(f64::from(offer.activation_rate_tenths) / 10.0);
                json!({
                    "name": d.name,
                    "price_idr": offer.price_idr,
                    "stock": stock,
                    "activation_rate": rate,
                    "cancel_fee_idr": d.cancel_fee_idr,
                })
            })
            .collect();
        Ok(ok(json!({"site": site, "domains": domains})))
    })
}
