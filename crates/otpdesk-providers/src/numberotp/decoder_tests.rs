//! Decoder tests over both NumberOTP dialects: the documented shapes and the real-world ones.

use super::decoders::*;
use super::*;
use otpdesk_core::Currency;
use serde_json::json;

#[test]
fn documented_webhook_body_is_an_activation() {
    let a = activation(&json!({"id":"act_8f7d98x","phone_number":"14155552671","service":"wa","country":"67","otp":"482910","full_sms":"Your WhatsApp code is 482910.","status":"received"})).unwrap();
    assert_eq!(a.id.as_str(), "act_8f7d98x");
    assert_eq!(a.otp.as_deref(), Some("482910"));
    assert_eq!(a.status, OrderStatus::OtpReceived);
    assert!(a.extra.is_empty());
}

#[test]
fn assumed_shapes_and_tolerance() {
    let a = activation(&json!({"data":{"id":12345,"phone_number":14155552671u64,"service":"wa","country":67,"otp":null,"full_sms":null,"status":"waiting","price":0.25,"currency":"USD","created_at":"2026-05-19T03:30:00Z","expires_at":1779162600,"operator":"tmobile"}})).unwrap();
    assert_eq!(a.id.as_str(), "12345");
    assert_eq!(a.phone_number.as_deref(), Some("14155552671"));
    assert_eq!(a.country, Some(Id::from("67")));
    assert_eq!(a.status, OrderStatus::Pending);
    assert_eq!(a.price.unwrap().minor, 250_000);
    assert!(a.created_at.is_some() && a.expires_at.is_some());
    assert_eq!(a.extra["operator"], json!("tmobile"));
    let a = activation(&json!({"id":"x","otp":"1234"})).unwrap();
    assert_eq!(a.status, OrderStatus::OtpReceived);
    let a = activation(&json!({"id":"x","status":"on_hold"})).unwrap();
    assert_eq!(a.status, OrderStatus::Unknown("on_hold".into()));
    assert!(activation(&json!({"phone_number":"1"})).is_err());
    assert!(activation(&json!({"id":"x","price":"cheap"})).is_err());
}

#[test]
fn lists_in_any_wrapper() {
    assert_eq!(
        services(&json!({"services":[{"code":"wa","name":"WhatsApp"}]})).unwrap()[0].code,
        "wa"
    );
    assert_eq!(services(&json!([{"code":"tg"}])).unwrap()[0].code, "tg");
    assert_eq!(
        countries(&json!({"data":{"countries":[{"id":67,"name":"Indonesia","iso":"ID"}]}}))
            .unwrap()[0]
            .id
            .as_str(),
        "67"
    );
    let p = prices(&json!({"prices":[{"service":"wa","country":"67","price":"0.25","currency":"USD","available":120},{"service":"tg","country":6,"price":0.1}]})).unwrap();
    assert_eq!(p[0].price.unwrap().minor, 250_000);
    assert_eq!(p[1].price.unwrap(), Money::new(Currency::Usd, 100_000));
    assert!(prices(
        &json!({"prices":[{"service":"wa","country":"67","price":"0.25","currency":"BTC"}]})
    )
    .is_err());
}

#[test]
fn created_activations_with_odd_prices_keep_their_id() {
    for v in [
        json!({"id":"act_1","status":"waiting","price":"0.2500001","currency":"USD"}),
        json!({"id":"act_1","status":"waiting","price":"cheap"}),
        json!({"id":"act_1","status":"waiting","price":"0.25","currency":"XYZ"}),
        json!({"data":{"id":"act_1","price":{"usd":0.25},"currency":"BTC"}}),
    ] {
        let a = created_activation(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!((a.id.as_str(), a.price), ("act_1", None), "{v}");
        assert!(activation(&v).is_err(), "reads stay strict: {v}");
    }
    let a = created_activation(&json!({"id":"act_1","price":"0.25"})).unwrap();
    assert_eq!(a.price.unwrap().minor, 250_000);
    assert!(created_activation(&json!({"price":"0.25"})).is_err());
}

#[test]
fn real_world_catalogue_shapes() {
    let s = services(&json!({"data":{"services":[{"code":"wa","name":"WhatsApp","count":123}]}}))
        .unwrap();
    assert_eq!(
        (s[0].code.as_str(), s[0].name.as_deref()),
        ("wa", Some("WhatsApp"))
    );
    assert_eq!(s[0].extra["count"], json!(123));
    let c = countries(
        &json!({"data":{"22":{"code":"22","name":"India"},"6":{"code":"6","name":"Indonesia"}}}),
    )
    .unwrap();
    let names: Vec<_> = c
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_deref().unwrap()))
        .collect();
    assert_eq!(names, [("22", "India"), ("6", "Indonesia")]);
    assert!(c.iter().all(|c| c.extra.is_empty()));
    // The map key is the id when the entry has none.
    let c = countries(&json!({"data":{"6":{"name":"Indonesia"}}})).unwrap();
    assert_eq!(c[0].id.as_str(), "6");
    let p = prices(&json!({"data":{"22":{"wa":{"cost":0.05,"count":123},"tg":{"cost":"0.10","count":"7"}},"6":{"wa":{"cost":0.25,"count":0}}}}))
        .unwrap();
    let find = |svc: &str, c: &str| {
        p.iter()
            .find(|x| x.service == svc && x.country.as_str() == c)
            .unwrap()
    };
    assert_eq!(
        find("wa", "22").price,
        Some(Money::new(Currency::Usd, 50_000))
    );
    assert_eq!(find("wa", "22").available, Some(123));
    assert_eq!(
        find("tg", "22").price,
        Some(Money::new(Currency::Usd, 100_000))
    );
    assert_eq!(find("tg", "22").available, Some(7));
    assert_eq!(
        find("wa", "6").price,
        Some(Money::new(Currency::Usd, 250_000))
    );
    assert_eq!(p.len(), 3);
    assert!(prices(&json!({"data":{"22":{"wa":{"cost":"cheap"}}}})).is_err());
    assert!(prices(&json!({"data":{"22":{"wa":[1]}}})).is_err());
}

#[test]
fn real_world_activations() {
    let real = json!({"data":{"activation":{"id":"act_1","phone_number":"+62 812-3456-7890","service":"wa","country":"6","status":"Active","cost":0.25,"otp":null}}});
    for v in [
        real.clone(),
        real["data"].clone(),
        real["data"]["activation"].clone(),
    ] {
        let a = created_activation(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(a.id.as_str(), "act_1");
        assert_eq!(a.status, OrderStatus::Pending, "{v}");
        assert_eq!(a.price, Some(Money::new(Currency::Usd, 250_000)));
        assert_eq!(a.phone_number.as_deref(), Some("6281234567890"));
        assert!(a.extra.is_empty(), "{:?}", a.extra);
        assert_eq!(activation(&v).unwrap(), a);
    }
    for word in ["ACTIVE", "active", "Waiting", "WAITING"] {
        let a = activation(&json!({"id":"x","status":word})).unwrap();
        assert_eq!(a.status, OrderStatus::Pending, "{word}");
    }
    // A code means received, whatever the word; unknown words are kept.
    for word in ["Active", "COMPLETED", "weird"] {
        let a = activation(&json!({"id":"x","status":word,"otp":"123456"})).unwrap();
        assert_eq!(a.status, OrderStatus::OtpReceived, "{word}");
    }
    let a = activation(&json!({"id":"x","status":"On_Hold"})).unwrap();
    assert_eq!(a.status, OrderStatus::Unknown("On_Hold".into()));
    // `price` wins when both are sent; `cost` stays in extra then.
    let a = activation(&json!({"id":"x","price":"0.30","cost":0.25})).unwrap();
    assert_eq!(a.price.unwrap().minor, 300_000);
    assert_eq!(a.extra["cost"], json!(0.25));
}

#[test]
fn phones_are_normalised_but_odd_text_is_kept() {
    assert_eq!(normalise_phone("+14155552671"), "14155552671");
    assert_eq!(normalise_phone(" 14155552671 "), "14155552671");
    assert_eq!(normalise_phone("+1 (415) 555-2671"), "14155552671");
    assert_eq!(normalise_phone("ask support"), "ask support");
    assert_eq!(normalise_phone("+"), "+");
}
