//! Validating an `order/create` body into a [`Spec`] (Server 1 product, Server 2 regular,
//! special or multiservice) and opening the order: stock, charge, number, scheduled OTPs.

use super::account_number;
use super::orders::{OrderService, SmsOrder, SmsStatus};
use crate::catalog::{self, Country, Product};
use crate::clock::SimTime;
use crate::error::SimError;
use crate::http::{bool_field, required_u32, required_uint, str_field, u32_field, uint_field};
use crate::state::{World, ORDER_WINDOW_SECS};
use chrono::Duration;
use otpdesk_core::Money;
use serde_json::{json, Value};

/// What a create request asks for, validated against the catalog.
pub struct Spec {
    pub server: u8,
    pub product_id: Option<u64>,
    pub country: Option<Country>,
    pub operator: Option<String>,
    pub is_special: bool,
    pub services: Vec<OrderService>,
    pub stock: Option<(String, u32)>,
}

impl Spec {
    /// A Server 1 order of `product`, drawing on its stock.
    pub fn s1(product: &Product, services: Vec<OrderService>) -> Spec {
        Spec {
            server: 1,
            product_id: Some(product.id),
            country: Some(product.country),
            operator: None,
            is_special: false,
            services,
            stock: Some((format!("s1:{}", product.id), product.initial_stock)),
        }
    }
}

pub fn parse_spec(w: &World, body: &Value) -> Result<Spec, SimError> {
    let server = uint_field(body, "server")?.unwrap_or(1);
    let service_name = str_field(body, "service_name")?;
    let spec = match server {
        1 => s1_spec(w, body)?,
        2 => s2_spec(w, body)?,
        _ => {
            return Err(SimError::validation(
                "server",
                "server must be 1 or 2 (email orders use order/email-create)",
            ))
        }
    };
    if let Some(name) = service_name {
        let matches = spec.services.len() == 1
            && (spec.services[0].name.eq_ignore_ascii_case(name.trim())
                || spec.services[0]
                    .platform
                    .name
                    .eq_ignore_ascii_case(name.trim()));
        if !matches {
            return Err(SimError::validation(
                "service_name",
                "service_name does not match the selected service",
            ));
        }
    }
    Ok(spec)
}

fn s1_spec(w: &World, body: &Value) -> Result<Spec, SimError> {
    let id = required_uint(body, "product_id")?;
    let product = w
        .catalog
        .product(id)
        .ok_or_else(|| SimError::not_found("product"))?;
    if u32_field(body, "country_id")?.is_some_and(|c| c != product.country.id) {
        return Err(SimError::validation(
            "country_id",
            "country_id does not match the product",
        ));
    }
    if u32_field(body, "platform_id")?.is_some_and(|p| p != product.service.id) {
        return Err(SimError::validation(
            "platform_id",
            "platform_id does not match the product",
        ));
    }
    Ok(Spec::s1(
        product,
        vec![OrderService {
            service_id: product.service.id,
            name: product.service.name.to_string(),
            price: product.price,
            platform: product.service,
        }],
    ))
}

fn s2_spec(w: &World, body: &Value) -> Result<Spec, SimError> {
    if bool_field(body, "is_special")?.unwrap_or(false) {
        let id = required_u32(body, "service_id")?;
        let sp = w
            .catalog
            .special(id)
            .ok_or_else(|| SimError::not_found("special service"))?;
        let indonesia = catalog::country_by_id(7).copied();
        return Ok(Spec {
            server: 2,
            product_id: None,
            country: indonesia,
            operator: None,
            is_special: true,
            services: vec![OrderService {
                service_id: sp.service_id,
                name: sp.service_name.to_string(),
                price: sp.price,
                platform: sp.service,
            }],
            stock: None,
        });
    }
    let country_id = required_u32(body, "country_id")?;
    let country =
        *catalog::country_by_id(country_id).ok_or_else(|| SimError::not_found("country"))?;
    let operator = str_field(body, "operator_id")?
        .unwrap_or("random")
        .trim()
        .to_ascii_lowercase();
    if !country.operators.contains(&operator.as_str()) {
        return Err(SimError::validation(
            "operator_id",
            format!("unknown operator for {}", country.name),
        ));
    }
    let ids: Vec<u32> = match body.get("service_ids") {
        Some(Value::Array(items)) => {
            let mut ids = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let id = u32_field(&json!({ "id": item }), "id")?.ok_or_else(|| {
                    SimError::validation("service_ids", format!("service_ids[{i}] is not an id"))
                })?;
                if ids.contains(&id) {
                    return Err(SimError::validation(
                        "service_ids",
                        "service_ids contains a duplicate",
                    ));
                }
                ids.push(id);
            }
            if ids.is_empty() || ids.len() > 5 {
                return Err(SimError::validation(
                    "service_ids",
                    "service_ids needs 1 to 5 services",
                ));
            }
            ids
        }
        Some(Value::Null) | None => {
            vec![required_u32(body, "service_id")?]
        }
        Some(_) => {
            return Err(SimError::validation(
                "service_ids",
                "service_ids must be an array",
            ))
        }
    };
    let mut services = Vec::new();
    for id in ids {
        let s = catalog::service_by_s2_id(id)
            .ok_or_else(|| SimError::not_found(format!("service {id}")))?;
        services.push(OrderService {
            service_id: s.s2_id,
            name: s.name.to_string(),
            price: w.catalog.s2_price(s, &country),
            platform: *s,
        });
    }
    Ok(Spec {
        server: 2,
        product_id: None,
        country: Some(country),
        operator: Some(operator),
        is_special: false,
        services,
        stock: None,
    })
}

pub fn phone_number(w: &mut World, country: Option<&Country>) -> String {
    if let Some(p) = w.next_phones.pop_front() {
        return p;
    }
    let c = country
        .copied()
        .or_else(|| catalog::country_by_id(7).copied());
    match c {
        Some(c) => {
            let rest = c.local_len.saturating_sub(c.mobile_prefix.len());
            format!("{}{}{}", c.dial, c.mobile_prefix, w.rng.digits(rest))
        }
        None => format!("628{}", w.rng.digits(10)),
    }
}

/// Charge, take stock and insert a new order from `spec`. Nothing changes on error.
pub fn open_order(
    w: &mut World,
    now: SimTime,
    key: &str,
    spec: &Spec,
    idem: Option<&str>,
) -> Result<u64, SimError> {
    if let Some((stock_key, initial)) = &spec.stock {
        if w.stock_left(stock_key, *initial) == 0 {
            return Err(SimError::OutOfStock);
        }
    }
    let price: i64 = spec.services.iter().map(|s| s.price).sum();
    let order_id = w.next_order_id();
    let reference = format!("API{}-{}", account_number(w, key), w.rng.upper_alnum(10));
    w.bank
        .charge(now, key, Money::idr(price), &reference, idem)?;
    if let Some((stock_key, initial)) = &spec.stock {
        w.take_stock(stock_key, *initial, 1)?;
    }
    let phone = phone_number(w, spec.country.as_ref());
    let mut scheduled = Vec::new();
    if let Some(at) = w.auto_otp_at(now) {
        for i in 0..spec.services.len() {
            scheduled.push((at + Duration::seconds(5 * i as i64), Some(i)));
        }
    }
    let order = SmsOrder {
        order_id,
        reference,
        key: key.to_string(),
        server: spec.server,
        product_id: spec.product_id,
        country_id: spec.country.map(|c| c.id),
        operator: spec.operator.clone(),
        is_special: spec.is_special,
        phone,
        services: spec.services.clone(),
        price,
        status: SmsStatus::Pending,
        otps: Vec::new(),
        resend_count: 0,
        last_resend_at: None,
        resend_locked: false,
        resend_locked_until: None,
        created_at: now,
        updated_at: now,
        expires_at: now + Duration::seconds(ORDER_WINDOW_SECS),
        scheduled,
        idempotency_key: idem.map(str::to_string),
        cancel_confirm_at: None,
    };
    w.sms.insert(order_id, order);
    Ok(order_id)
}
