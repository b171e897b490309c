//! Property tests of the NumberOTP decoders over both dialects: random services, countries,
//! prices and activations written in WIRE.md's shapes or the real-world ones (maps keyed by code,
//! `data` wrappers, costs as JSON number or string, statuses in any case, phones with or without
//! `+`) decode to the same values.

use crate::numberotp::decoders;
use otpdesk_core::{Currency, Money, OrderStatus};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// An amount in 1/10000 USD, as the decimal text a provider would print (`12.5`, `0.0001`, `3`).
fn amount_text(units: u32) -> String {
    let text = format!("{}.{:04}", units / 10_000, units % 10_000);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// The amount as a JSON number (its text parsed, as a provider's encoder would write it) or as
/// a string.
fn amount_json(units: u32, as_number: bool) -> Value {
    let text = amount_text(units);
    if as_number {
        serde_json::from_str(&text).expect("a decimal is a JSON number")
    } else {
        Value::String(text)
    }
}

fn usd(units: u32) -> Money {
    Money::new(Currency::Usd, i64::from(units) * 100)
}

/// `word` with each letter's case flipped where `mask` has a bit.
fn any_case(word: &str, mask: u32) -> String {
    word.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 32) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

/// A service code; never one of the words the decoders read as structure.
fn code() -> impl Strategy<Value = String> {
    "[a-z]{2,6}".prop_filter("structural word", |c| {
        !["data", "services", "service", "cost", "price", "prices"].contains(&c.as_str())
    })
}

fn name() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{2,10}( [A-Z][a-z]{2,8})?"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn services_in_both_dialects(items in prop::collection::btree_map(code(), (name(), 0u32..5000), 0..12), real in any::<bool>()) {
        let list: Vec<Value> = items.iter().map(|(c, (n, count))| {
            if real { json!({"code": c, "name": n, "count": count}) } else { json!({"code": c, "name": n}) }
        }).collect();
        let body = if real { json!({"data": {"services": list}}) } else { json!({"services": list}) };
        let got = decoders::services(&body).unwrap();
        let got: BTreeMap<_, _> = got.into_iter().map(|s| (s.code, s.name.unwrap())).collect();
        let want: BTreeMap<_, _> = items.iter().map(|(c, (n, _))| (c.clone(), n.clone())).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn countries_in_both_dialects(items in prop::collection::btree_map(0u32..300, name(), 0..12), real in any::<bool>(), numeric_ids in any::<bool>()) {
        let id = |n: &u32| if numeric_ids { json!(n) } else { json!(n.to_string()) };
        let body = if real {
            let map: Map<String, Value> = items.iter()
                .map(|(n, name)| (n.to_string(), json!({"code": id(n), "name": name})))
                .collect();
            json!({"data": map})
        } else {
            json!({"countries": items.iter().map(|(n, name)| json!({"id": id(n), "name": name})).collect::<Vec<_>>()})
        };
        let got: BTreeMap<_, _> = decoders::countries(&body).unwrap().into_iter()
            .map(|c| (c.id.to_string(), c.name.unwrap())).collect();
        let want: BTreeMap<_, _> = items.iter().map(|(n, name)| (n.to_string(), name.clone())).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn prices_in_both_dialects(
        items in prop::collection::btree_map((0u32..300, code()), (0u32..10_000_000, 0u32..5000, any::<bool>()), 0..16),
        real in any::<bool>(),
    ) {
        let body = if real {
            let mut by_country: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
            for ((country, service), (units, count, as_number)) in &items {
                by_country.entry(country.to_string()).or_default()
                    .insert(service.clone(), json!({"cost": amount_json(*units, *as_number), "count": count}));
            }
            json!({"data": by_country})
        } else {
            json!({"prices": items.iter().map(|((country, service), (units, count, as_number))| json!({
                "service": service, "country": country.to_string(), "price": amount_json(*units, *as_number),
                "currency": "USD", "available": count,
            })).collect::<Vec<_>>()})
        };
        let got: BTreeMap<_, _> = decoders::prices(&body).unwrap().into_iter()
            .map(|p| ((p.country.to_string(), p.service), (p.price.unwrap(), p.available.unwrap())))
            .collect();
        let want: BTreeMap<_, _> = items.iter()
            .map(|((c, s), (units, count, _))| ((c.to_string(), s.clone()), (usd(*units), i64::from(*count))))
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn activations_in_both_dialects(
        units in 0u32..10_000_000,
        as_number in any::<bool>(),
        word in prop::sample::select(&["waiting", "active", "received", "expired", "completed", "on_hold"][..]),
        mask in any::<u32>(),
        digits in "[1-9][0-9]{7,13}",
        plus in any::<bool>(),
        otp in proptest::option::of("[0-9]{4,8}"),
        wrapper in 0u8..4,
        real in any::<bool>(),
    ) {
        let status = any_case(word, mask);
        let phone = if plus { format!("+{digits}") } else { digits.clone() };
        let money_key = if real { "cost" } else { "price" };
        let mut a = json!({"id": "act_x", "phone_number": phone, "service": "wa", "country": "6",
            "status": status, "otp": otp});
        a[money_key] = amount_json(units, as_number);
        if !real {
            a["currency"] = json!("USD");
        }
        let body = match wrapper {
            0 => a,
            1 => json!({"data": a}),
            2 => json!({"activation": a}),
            _ => json!({"data": {"activation": a}}),
        };
        let want_status = match &otp {
            Some(_) => OrderStatus::OtpReceived,
            None => OrderStatus::from_provider(&status),
        };
        for decoded in [decoders::activation(&body), decoders::created_activation(&body)] {
            let got = decoded.unwrap();
            prop_assert_eq!(got.id.as_str(), "act_x");
            prop_assert_eq!(&got.status, &want_status);
            prop_assert_eq!(got.price, Some(usd(units)));
            prop_assert_eq!(got.phone_number.as_deref(), Some(digits.as_str()));
            prop_assert_eq!(&got.otp, &otp);
            prop_assert!(got.extra.is_empty(), "{:?}", got.extra);
        }
    }
}
