//! The static tables: platforms, countries (with dial codes and operators), S3 sites and email
//! domains. Prices derived from them live in [`super::Catalog`].

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
    /// NumberOTP country id in the documented dialect (a string on the wire; Indonesia 67 as in
    /// the docs' webhook example).
    pub notp: &'static str,
    /// NumberOTP country id as real replies number them (SMS-Activate numbering: Indonesia 6,
    /// India 22).
    pub notp_real: &'static str,
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
        notp_real: "6",
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
        notp_real: "7",
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
        notp_real: "4",
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
        notp_real: "10",
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
        notp_real: "52",
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
        notp_real: "187",
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
        notp_real: "16",
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
        notp_real: "22",
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
        notp_real: "73",
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
        notp_real: "0",
        factor_pct: 95,
        local_len: 10,
        mobile_prefix: "9",
        operators: &["random", "mts", "beeline", "megafon", "tele2"],
    },
];

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
