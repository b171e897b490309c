//! NumberOTP from the command line in both of the simulator's dialects (`doc`, `realworld`): the
//! three catalogs, and `buy numberotp … --wait` with the country given by name and by the id the
//! catalog printed.

use crate::harness::*;
use otpdesk_sim::control::types::NumberOtpShape;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogs_and_buy_wait_in_both_dialects() {
    for shape in NumberOtpShape::ALL {
        let h = Harness::with_config(SimConfig {
            otp_delay: Some(Duration::from_secs(1)),
            numberotp_shape: shape,
            ..SimConfig::default()
        })
        .await;
        let services = h
            .run(&["--json", "catalog", "numberotp", "services"])
            .await
            .ok()
            .records();
        assert!(
            services
                .iter()
                .any(|s| s["code"] == "wa" && s["name"] == "WhatsApp"),
            "{shape}: {services:?}"
        );
        let countries = h
            .run(&["--json", "catalog", "numberotp", "countries"])
            .await
            .ok()
            .records();
        let indonesia = countries
            .iter()
            .find(|c| c["name"] == "Indonesia")
            .unwrap_or_else(|| panic!("{shape}: {countries:?}"));
        let id = field(indonesia, "id").to_string();
        let expected = match shape {
            NumberOtpShape::Doc => "67",
            NumberOtpShape::Realworld => "6",
        };
        assert_eq!(id, expected, "{shape}");
        let prices = h
            .run(&["--json", "catalog", "numberotp", "prices"])
            .await
            .ok()
            .records();
        let wa = prices
            .iter()
            .find(|p| p["service_code"] == "wa" && p["target"]["country"] == id.as_str())
            .unwrap_or_else(|| panic!("{shape}: {prices:?}"));
        assert_eq!(wa["price"]["currency"], "USD", "{shape}");
        assert_eq!(wa["price"]["minor"], 250_000, "{shape}");
        assert!(wa["stock"].as_i64().is_some_and(|n| n > 0), "{shape}");

        for country in ["Indonesia", id.as_str()] {
            let args = [
                "--json",
                "buy",
                "numberotp",
                "--service",
                "wa",
                "--country",
                country,
                "--wait",
                "--poll-secs",
                "1",
                "--timeout",
                "60",
            ];
            let records = h.run(&args).await.ok().records();
            assert_eq!(
                records[0]["type"], "order",
                "{shape} {country}: {records:?}"
            );
            let otp = records
                .iter()
                .find(|r| r["type"] == "otp")
                .unwrap_or_else(|| panic!("{shape} {country}: no code in {records:?}"));
            let code = field(otp, "otp");
            assert!(code.len() >= 4 && code.chars().all(|c| c.is_ascii_digit()));
        }
        // A country NumberOTP does not list is one sentence, nothing bought.
        let r = h
            .run(&[
                "buy",
                "numberotp",
                "--service",
                "wa",
                "--country",
                "Atlantis",
            ])
            .await;
        assert_ne!(r.status, 0);
        assert!(r.stderr.contains("Atlantis"), "{}", r.stderr);
    }
}
