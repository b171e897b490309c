//! The deterministic catalog: services, countries, OTPZap S1 products / S2 services, operators and
//! specials / S3 sites and domains, and NumberOTP prices. Prices are integers (IDR) or USD
//! micro-units; stock starts from the seed and is then tracked per sale in the simulator state.

use crate::rng::hash_str;
use otpdesk_core::{Currency, Money};

mod data;

pub use data::*;

/// An OTPZap Server 1 product: one service + one country + one price tier.
#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub service: Service,
    pub country: Country,
    pub price: i64,
    pub initial_stock: u32,
}

#[derive(Debug, Clone)]
pub struct SpecialService {
    pub service_id: u32,
    pub service_name: &'static str,
    pub price: i64,
    /// The platform the pre-allocated numbers serve (for SMS texts).
    pub service: Service,
}

/// One S3 offer: a domain for a site, with its price and stock.
#[derive(Debug, Clone)]
pub struct DomainOffer {
    pub domain: Domain,
    pub price_idr: i64,
    pub initial_stock: u32,
    /// Activation rate in tenths of a percent (925 = 92.5 %).
    pub activation_rate_tenths: u32,
}

/// A NumberOTP price row.
#[derive(Debug, Clone)]
pub struct NotpPrice {
    pub service: Service,
    pub country: Country,
    pub price: Money,
    pub initial_stock: u32,
}

/// The product id the docs use for "WhatsApp - Indonesia".
pub const WHATSAPP_INDONESIA_PRODUCT: u64 = 814_090_256;

#[derive(Debug, Clone)]
pub struct Catalog {
    pub seed: u64,
    pub products: Vec<Product>,
    pub specials: Vec<SpecialService>,
    pub notp_prices: Vec<NotpPrice>,
}

fn round_to(v: i64, step: i64) -> i64 {
    ((v + step / 2) / step) * step
}

impl Catalog {
    pub fn new(seed: u64) -> Catalog {
        let mut products = Vec::new();
        for s in SERVICES {
            for c in COUNTRIES {
                let h = hash_str(&format!("{seed}:s1:{}:{}", s.code, c.iso));
                let price = round_to(s.base_idr * c.factor_pct / 100, 5);
                let mut stock = (h % 900) as u32 + 20;
                // A few products are sold out, deterministically.
                if h.is_multiple_of(13)
                    || (s.code == "gojek" && c.iso == "US")
                    || (s.code == "openai" && c.iso == "RU")
                {
                    stock = 0;
                }
                let mut id = 814_000_000 + u64::from(s.id) * 10_000 + u64::from(c.id) * 10;
                if s.code == "whatsapp" && c.iso == "ID" {
                    id = WHATSAPP_INDONESIA_PRODUCT;
                    stock = 547;
                }
                let name = format!("{} - {}", s.name, c.name);
                products.push(Product {
                    id,
                    name,
                    service: *s,
                    country: *c,
                    price,
                    initial_stock: stock,
                });
                if c.iso == "ID" && (s.code == "whatsapp" || s.code == "telegram") {
                    products.push(Product {
                        id: 814_000_000 + u64::from(s.id) * 10_000 + u64::from(c.id) * 10 + 1,
                        name: format!("{} - {} (Premium)", s.name, c.name),
                        service: *s,
                        country: *c,
                        price: round_to(price * 160 / 100, 5),
                        initial_stock: (h % 80) as u32 + 5,
                    });
                }
            }
        }
        let special = |id: u32, name: &'static str, code: &str, price: i64| SpecialService {
            service_id: id,
            service_name: name,
            price,
            service: *service_by_code(code).unwrap_or(&SERVICES[0]),
        };
        let specials = vec![
            special(501, "Gojek Special", "gojek", 3500),
            special(502, "Shopee Special", "shopee", 3000),
            special(503, "WhatsApp Special", "whatsapp", 4500),
            special(504, "Telegram Special", "telegram", 5000),
            special(505, "Grab Special", "grab", 3200),
            special(506, "DANA Special", "dana", 3800),
        ];
        let mut notp_prices = Vec::new();
        for s in SERVICES {
            for c in COUNTRIES {
                let h = hash_str(&format!("{seed}:notp:{}:{}", s.notp, c.notp));
                let micro = round_to(s.base_usd_micro * c.factor_pct / 260, 10_000).max(50_000);
                let micro = if s.notp == "wa" && c.iso == "ID" {
                    250_000
                } else {
                    micro
                };
                let stock = if h.is_multiple_of(11) {
                    0
                } else {
                    (h % 400) as u32 + 10
                };
                notp_prices.push(NotpPrice {
                    service: *s,
                    country: *c,
                    price: Money::new(Currency::Usd, micro),
                    initial_stock: stock,
                });
            }
        }
        Catalog {
            seed,
            products,
            specials,
            notp_prices,
        }
    }

    pub fn product(&self, id: u64) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// S2 price of a service in a country: about half the S1 price, on a 50-rupiah step.
    pub fn s2_price(&self, service: &Service, country: &Country) -> i64 {
        round_to(
            round_to(service.base_idr * country.factor_pct / 100, 5) * 53 / 100,
            50,
        )
    }

    pub fn special(&self, id: u32) -> Option<&SpecialService> {
        self.specials.iter().find(|s| s.service_id == id)
    }

    /// S3 offer of a domain for a site.
    pub fn domain_offer(&self, site: &str, domain: &Domain) -> DomainOffer {
        let h = hash_str(&format!("{}:s3:{site}:{}", self.seed, domain.name));
        let surcharge = match site_by_name(site).map(|s| s.category) {
            Some("crypto") | Some("finance") => 2000,
            _ => 0,
        };
        let mut stock = (h % 60) as u32 + 3;
        if domain.name == "yandex.com" {
            stock = 0;
        }
        if site == "openai.com" && domain.name == "gmail.com" {
            stock = 25;
        }
        DomainOffer {
            domain: *domain,
            price_idr: domain.price_idr + surcharge,
            initial_stock: stock,
            activation_rate_tenths: 700 + (h % 295) as u32,
        }
    }

    pub fn notp_price(&self, service: &str, country: &str) -> Option<&NotpPrice> {
        self.notp_prices
            .iter()
            .find(|p| p.service.notp == service && p.country.notp == country)
    }
}

pub fn service_by_id(id: u32) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.id == id)
}

pub fn service_by_s2_id(id: u32) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.s2_id == id)
}

pub fn service_by_code(code: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.code == code)
}

pub fn country_by_id(id: u32) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.id == id)
}

pub fn site_by_name(site: &str) -> Option<&'static Site> {
    SITES.iter().find(|s| s.site == site)
}

pub fn domain_by_name(name: &str) -> Option<&'static Domain> {
    DOMAINS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples_hold() {
        let c = Catalog::new(42);
        let wa = c.product(WHATSAPP_INDONESIA_PRODUCT).unwrap();
        assert_eq!(
            (wa.name.as_str(), wa.price, wa.initial_stock),
            ("WhatsApp - Indonesia", 2835, 547)
        );
        let id = country_by_id(7).unwrap();
        assert_eq!(c.s2_price(service_by_s2_id(101).unwrap(), id), 1500);
        assert_eq!(c.special(501).unwrap().price, 3500);
        assert_eq!(SITES.len(), 30);
        let gmail = c.domain_offer("openai.com", domain_by_name("gmail.com").unwrap());
        assert_eq!((gmail.price_idr, gmail.initial_stock), (12000, 25));
        assert!(c.products.iter().filter(|p| p.initial_stock == 0).count() >= 3);
        let ids: std::collections::HashSet<_> = c.products.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), c.products.len());
    }
}
