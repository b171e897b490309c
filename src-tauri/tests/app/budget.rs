//! Catalog and balance reads from the screens spend the same per-key rate budget as the engine's
//! tracking and purchases, so browsing can never push a key into the provider's 429s.

use crate::harness::app_with_keys;
use otpdesk_app::state::AppState;
use otpdesk_core::ProviderId;
use serde_json::json;
use tauri::Manager;

#[test]
fn catalog_reads_take_tokens_from_the_key_budget() {
    let (_sim, h) = app_with_keys();
    let session =
        tauri::async_runtime::block_on(h.app.state::<AppState>().session()).expect("session");
    let sent = |p| session.engine.requests_sent(p);
    let (zap, notp) = (sent(ProviderId::Otpzap), sent(ProviderId::Numberotp));

    // Merged countries: OTPZap Server 1 and Server 2, and NumberOTP.
    h.ok("catalog_countries", json!({}));
    assert_eq!(sent(ProviderId::Otpzap), zap + 2);
    assert_eq!(sent(ProviderId::Numberotp), notp + 1);

    // One step of each browse screen.
    h.ok("s1_countries", json!({}));
    h.ok("s2_operators", json!({"countryId": "7"}));
    h.ok(
        "numberotp_prices",
        json!({"service": "wa", "country": "67"}),
    );
    h.ok("balances", json!({}));
    assert_eq!(sent(ProviderId::Otpzap), zap + 5);
    // Prices, and the service names once (kept for the session).
    assert_eq!(sent(ProviderId::Numberotp), notp + 3);
    h.ok(
        "numberotp_prices",
        json!({"service": "wa", "country": "67"}),
    );
    assert_eq!(sent(ProviderId::Numberotp), notp + 4);

    // Server 1 price tiers of WhatsApp in Indonesia, cheapest first: one page, one token.
    let tiers = h.ok("s1_products", json!({"countryId": "7", "platformId": "1"}));
    let prices: Vec<i64> = tiers
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["price"]["minor"].as_i64().unwrap())
        .collect();
    assert!(prices.len() >= 2 && prices[0] == 2835, "{prices:?}");
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    assert_eq!(sent(ProviderId::Otpzap), zap + 6);
    h.close();
}
