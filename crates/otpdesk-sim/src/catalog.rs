//! The deterministic catalog: services, countries, OTPZap S1 products / S2 services, operators and
//! specials / S3 sites and domains, and NumberOTP prices. Prices are integers (IDR) or USD
//! micro-units; stock starts from the seed and is then tracked in [`crate::state::World`].

use crate::rng::hash_str;
use otpdesk_core::{Currency, Money};

/// A platform a number can be bought for.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// OTPZap S1 platform id.
    pub id: u32,
    /// OTPZap S2 service id.
    pub s2_id: u32,
    pub code: &'static str,
    pub name: &'static str,
    /// NumberOTP service code.
    pub notp: &'static str,
    /// S1 price in Indonesia before the tier factor, IDR.
    pub base_idr: i64,
    /// NumberOTP price in the US, USD micro-units.
    pub base_usd_micro: i64,
    /// OTP length in the SMS.
    pub code_len: usize,
}

const fn svc(
    id: u32,
    code: &'static str,
    name: &'static str,
    notp: &'static str,
    base_idr: i64,
    base_usd_micro: i64,
    code_len: usize,
) -> Service {
    Service {
        id,
        s2_id: 100 + id,
        code,
        name,
        notp,
        base_idr,
        base_usd_micro,
        code_len,
    }
}

pub const SERVICES: &[Service] = &[
    svc(1, "whatsapp", "WhatsApp", "wa", 2700, 250_000, 6),
    svc(2, "telegram", "Telegram", "tg", 3200, 300_000, 5),
    svc(3, "gojek", "Gojek", "ni", 2200, 150_000, 4),
    svc(4, "shopee", "Shopee", "ka", 1900, 120_000, 6),
    svc(5, "tokopedia", "Tokopedia", "xd", 1800, 120_000, 6),
    svc(6, "grab", "Grab", "jg", 2100, 140_000, 4),
    svc(
        7,
        "google",
        "Google / Gmail / YouTube",
        "go",
        2500,
        200_000,
        6,
    ),
    svc(8, "facebook", "Facebook", "fb", 1600, 100_000, 6),
    svc(9, "instagram", "Instagram", "ig", 1700, 110_000, 6),
    svc(10, "tiktok", "TikTok", "lf", 1500, 90_000, 6),
    svc(11, "openai", "OpenAI / ChatGPT", "dr", 4500, 450_000, 6),
    svc(12, "dana", "DANA", "fr", 2000, 130_000, 4),
    svc(13, "ovo", "OVO", "ov", 2000, 130_000, 4),
    svc(14, "lazada", "Lazada", "dl", 1500, 90_000, 6),
    svc(15, "line", "LINE", "me", 1400, 80_000, 4),
    svc(16, "discord", "Discord", "ds", 1800, 150_000, 6),
    svc(17, "twitter", "X / Twitter", "tw", 1900, 160_000, 6),
    svc(18, "microsoft", "Microsoft", "mm", 1700, 120_000, 7),
];

#[derive(Debug, Clone, Copy)]
pub struct Country {
    /// OTPZap country id (S1 and S2). Indonesia is 7 as in the docs.
    pub id: u32,
    pub name: &'static str,
    pub iso: &'static str,
    pub dial: &'static str,
    /// NumberOTP country id (a string on the wire).
    pub notp: &'static str,
    /// Price factor in percent of the service's base price.
    pub factor_pct: i64,
    /// National number length after the dial code.
    pub local_len: usize,
    /// First digit(s) of a mobile number after the dial code.
    pub mobile_prefix: &'static str,
    pub operators: &'static [&'static str],
}

pub const COUNTRIES: &[Country] = &[
    Country {
        id: 7,
        name: "Indonesia",
        iso: "ID",
        dial: "62",
        notp: "67",
        factor_pct: 105,
        local_len: 11,
        mobile_prefix: "8",
        operators: &[
            "random",
            "telkomsel",
            "indosat",
            "xl",
            "tri",
            "smartfren",
            "axis",
        ],
    },
    Country {
        id: 13,
        name: "Malaysia",
        iso: "MY",
        dial: "60",
        notp: "7",
        factor_pct: 130,
        local_len: 9,
        mobile_prefix: "1",
        operators: &["random", "maxis", "celcom", "digi", "umobile"],
    },
    Country {
        id: 4,
        name: "Philippines",
        iso: "PH",
        dial: "63",
        notp: "4",
        factor_pct: 90,
        local_len: 10,
        mobile_prefix: "9",
        operators: &["random", "globe", "smart", "dito"],
    },
    Country {
        id: 10,
        name: "Vietnam",
        iso: "VN",
        dial: "84",
        notp: "10",
        factor_pct: 85,
        local_len: 9,
        mobile_prefix: "9",
        operators: &["random", "viettel", "vinaphone", "mobifone"],
    },
    Country {
        id: 52,
        name: "Thailand",
        iso: "TH",
        dial: "66",
        notp: "52",
        factor_pct: 120,
        local_len: 9,
        mobile_prefix: "8",
        operators: &["random", "ais", "dtac", "truemove"],
    },
    Country {
        id: 187,
        name: "USA",
        iso: "US",
        dial: "1",
        notp: "187",
        factor_pct: 260,
        local_len: 10,
        mobile_prefix: "4",
        operators: &["random"],
    },
    Country {
        id: 16,
        name: "United Kingdom",
        iso: "GB",
        dial: "44",
        notp: "16",
        factor_pct: 240,
        local_len: 10,
        mobile_prefix: "7",
        operators: &["random", "ee", "vodafone", "o2", "three"],
    },
    Country {
        id: 22,
        name: "India",
        iso: "IN",
        dial: "91",
        notp: "22",
        factor_pct: 70,
        local_len: 10,
        mobile_prefix: "9",
        operators: &["random", "jio", "airtel", "vi"],
    },
    Country {
        id: 73,
        name: "Brazil",
        iso: "BR",
        dial: "55",
        notp: "73",
        factor_pct: 110,
        local_len: 11,
        mobile_prefix: "11",
        operators: &["random", "vivo", "claro", "tim"],
    },
    Country {
        id: 1,
        name: "Russia",
        iso: "RU",
        dial: "7",
        notp: "0",
        factor_pct: 95,
        local_len: 10,
        mobile_prefix: "9",
        operators: &["random", "mts", "beeline", "megafon", "tele2"],
    },
];

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

#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub site: &'static str,
    pub name: &'static str,
    pub category: &'static str,
}

pub const SITES: &[Site] = &[
    Site {
        site: "openai.com",
        name: "OpenAI / ChatGPT",
        category: "ai",
    },
    Site {
        site: "anthropic.com",
        name: "Claude",
        category: "ai",
    },
    Site {
        site: "perplexity.ai",
        name: "Perplexity",
        category: "ai",
    },
    Site {
        site: "midjourney.com",
        name: "Midjourney",
        category: "ai",
    },
    Site {
        site: "google.com",
        name: "Google",
        category: "tech",
    },
    Site {
        site: "microsoft.com",
        name: "Microsoft",
        category: "tech",
    },
    Site {
        site: "apple.com",
        name: "Apple ID",
        category: "tech",
    },
    Site {
        site: "github.com",
        name: "GitHub",
        category: "dev",
    },
    Site {
        site: "gitlab.com",
        name: "GitLab",
        category: "dev",
    },
    Site {
        site: "discord.com",
        name: "Discord",
        category: "social",
    },
    Site {
        site: "facebook.com",
        name: "Facebook",
        category: "social",
    },
    Site {
        site: "instagram.com",
        name: "Instagram",
        category: "social",
    },
    Site {
        site: "x.com",
        name: "X / Twitter",
        category: "social",
    },
    Site {
        site: "tiktok.com",
        name: "TikTok",
        category: "social",
    },
    Site {
        site: "linkedin.com",
        name: "LinkedIn",
        category: "social",
    },
    Site {
        site: "reddit.com",
        name: "Reddit",
        category: "social",
    },
    Site {
        site: "telegram.org",
        name: "Telegram",
        category: "social",
    },
    Site {
        site: "netflix.com",
        name: "Netflix",
        category: "streaming",
    },
    Site {
        site: "spotify.com",
        name: "Spotify",
        category: "streaming",
    },
    Site {
        site: "steampowered.com",
        name: "Steam",
        category: "gaming",
    },
    Site {
        site: "epicgames.com",
        name: "Epic Games",
        category: "gaming",
    },
    Site {
        site: "shopee.co.id",
        name: "Shopee",
        category: "ecommerce",
    },
    Site {
        site: "tokopedia.com",
        name: "Tokopedia",
        category: "ecommerce",
    },
    Site {
        site: "lazada.co.id",
        name: "Lazada",
        category: "ecommerce",
    },
    Site {
        site: "amazon.com",
        name: "Amazon",
        category: "ecommerce",
    },
    Site {
        site: "paypal.com",
        name: "PayPal",
        category: "finance",
    },
    Site {
        site: "binance.com",
        name: "Binance",
        category: "crypto",
    },
    Site {
        site: "bybit.com",
        name: "Bybit",
        category: "crypto",
    },
    Site {
        site: "canva.com",
        name: "Canva",
        category: "tools",
    },
    Site {
        site: "notion.so",
        name: "Notion",
        category: "tools",
    },
];

#[derive(Debug, Clone, Copy)]
pub struct Domain {
    pub name: &'static str,
    pub price_idr: i64,
    pub cancel_fee_idr: i64,
}

pub const DOMAINS: &[Domain] = &[
    Domain {
        name: "gmail.com",
        price_idr: 12000,
        cancel_fee_idr: 0,
    },
    Domain {
        name: "outlook.com",
        price_idr: 8000,
        cancel_fee_idr: 1000,
    },
    Domain {
        name: "hotmail.com",
        price_idr: 7500,
        cancel_fee_idr: 1000,
    },
    Domain {
        name: "yahoo.com",
        price_idr: 9000,
        cancel_fee_idr: 1500,
    },
    Domain {
        name: "icloud.com",
        price_idr: 15000,
        cancel_fee_idr: 2000,
    },
    Domain {
        name: "proton.me",
        price_idr: 11000,
        cancel_fee_idr: 1000,
    },
    Domain {
        name: "mail.com",
        price_idr: 5000,
        cancel_fee_idr: 500,
    },
    Domain {
        name: "gmx.com",
        price_idr: 4500,
        cancel_fee_idr: 500,
    },
    Domain {
        name: "yandex.com",
        price_idr: 4000,
        cancel_fee_idr: 500,
    },
];

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
