//! The reseller's price list: a markup rule per service or one for everything (flat rupiah or a
//! percent, with a minimum profit), applied to an order's cost to suggest what to charge, rounded
//! UP to Rp 100. Dollar costs (NumberOTP) are turned into rupiah at the user's rate (decimal text,
//! e.g. "16250") plus a safety buffer, or at [`FALLBACK_IDR_PER_USD`] while none is set (the
//! window says so). Integers only: rates are kept in hundredths of a rupiah, sums in i128.

use otpdesk_core::money::parse_decimal;
use otpdesk_core::{Currency, Money};
use serde::{Deserialize, Serialize};

/// Rupiah per US dollar used while the user has set no rate (shown as such in the window).
pub const FALLBACK_IDR_PER_USD: &str = "16500";
/// Sale prices are rounded up to a multiple of this many rupiah.
pub const ROUND_TO: i64 = 100;
/// Safety buffer (percent) on a dollar cost when the user has not chosen one.
pub const DEFAULT_BUFFER_PCT: u32 = 3;

/// How a rule adds the reseller's margin to the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Markup {
    /// Whole rupiah added to the cost.
    Flat(i64),
    /// Whole percent of the cost (rounded up to the rupiah).
    Percent(u32),
}

/// One markup rule: for `service` (matched case-insensitively), or for every service without a
/// rule of its own when `service` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MarkupRule {
    #[serde(default)]
    pub service: Option<String>,
    pub markup: Markup,
    /// The least profit in rupiah whatever the markup gives.
    #[serde(default)]
    pub min_profit: i64,
}

/// Every rule plus the dollar rate. Stored in the engine's store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PriceList {
    pub rules: Vec<MarkupRule>,
    /// Rupiah per US dollar as decimal text ("16250", "16250.50"); `None`: the fallback is used.
    #[serde(default)]
    pub idr_per_usd: Option<String>,
    /// Percent added to a converted dollar cost against rate moves and fees.
    #[serde(default)]
    pub buffer_pct: u32,
}

impl Default for PriceList {
    fn default() -> Self {
        PriceList {
            rules: vec![MarkupRule {
                service: None,
                markup: Markup::Percent(30),
                min_profit: 1_000,
            }],
            idr_per_usd: None,
            buffer_pct: DEFAULT_BUFFER_PCT,
        }
    }
}

/// What [`suggest`] proposes, with how it got there (for the window and the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Suggestion {
    /// Rupiah, a multiple of [`ROUND_TO`].
    pub sale: Money,
    /// The cost in rupiah the markup was applied to (a dollar cost converted, buffer included).
    pub cost_idr: i64,
    /// The rule used (its `service`, `None` for the overall rule).
    pub rule: MarkupRule,
    /// Set when the cost was in dollars: the rate used as decimal text.
    pub rate: Option<String>,
    /// The rate was the fallback, not the user's.
    pub fallback_rate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceListError {
    #[error("the dollar rate must be a positive decimal like 16250, not {0:?}")]
    BadRate(String),
    #[error("a flat markup or a minimum profit cannot be negative")]
    Negative,
    #[error("two rules for {0:?}")]
    Duplicate(String),
}

/// Hundredths of a rupiah per dollar.
fn rate_hundredths(text: &str) -> Result<i64, PriceListError> {
    match parse_decimal(text, 2) {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(PriceListError::BadRate(text.to_string())),
    }
}

impl PriceList {
    /// Refuses a bad rate, negative amounts and two rules for one service.
    pub fn validate(&self) -> Result<(), PriceListError> {
        if let Some(r) = &self.idr_per_usd {
            rate_hundredths(r)?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for r in &self.rules {
            if r.min_profit < 0 || matches!(r.markup, Markup::Flat(v) if v < 0) {
                return Err(PriceListError::Negative);
            }
            let key = r.service.as_deref().map(|s| s.trim().to_lowercase());
            if !seen.insert(key.clone()) {
                return Err(PriceListError::Duplicate(key.unwrap_or_default()));
            }
        }
        Ok(())
    }

    /// The rule for `service`: its own, else the overall one.
    pub fn rule_for(&self, service: &str) -> Option<&MarkupRule> {
        let s = service.trim();
        self.rules
            .iter()
            .find(|r| {
                r.service
                    .as_deref()
                    .is_some_and(|x| x.trim().eq_ignore_ascii_case(s))
            })
            .or_else(|| self.rules.iter().find(|r| r.service.is_none()))
    }

    /// The rate in use as decimal text, and whether it is the fallback.
    pub fn rate(&self) -> (String, bool) {
        match self
            .idr_per_usd
            .as_deref()
            .filter(|r| rate_hundredths(r).is_ok())
        {
            Some(r) => (r.trim().to_string(), false),
            None => (FALLBACK_IDR_PER_USD.to_string(), true),
        }
    }

    /// The rate in whole rupiah (cut), as the history's profit takes it.
    pub fn whole_rate(&self) -> Option<u32> {
        let (rate, _) = self.rate();
        rate.split('.').next().and_then(|r| r.trim().parse().ok())
    }

    /// A cost in rupiah: rupiah as is; dollars (6 decimals) times the rate plus the buffer,
    /// rounded up to the rupiah (the reseller never under-counts a cost).
    pub fn cost_in_idr(&self, cost: Money) -> i64 {
        match cost.currency {
            Currency::Idr => cost.minor,
            Currency::Usd | Currency::Usdt => {
                let rate = rate_hundredths(&self.rate().0).unwrap_or(1) as i128;
                let num = cost.minor as i128 * rate * (100 + self.buffer_pct as i128);
                // micro-dollars (1e6) x hundredths (1e2) x percent (1e2)
                ceil_div(num, 10_000_000_000) as i64
            }
        }
    }
}

fn ceil_div(n: i128, d: i128) -> i128 {
    if n <= 0 {
        n / d
    } else {
        (n + d - 1) / d
    }
}

/// Up to the next multiple of [`ROUND_TO`].
pub fn round_up(rupiah: i64) -> i64 {
    ceil_div(rupiah as i128, ROUND_TO as i128) as i64 * ROUND_TO
}

/// The sale price the list suggests for an order of `service` that cost `cost`: cost plus the
/// rule's markup (at least its minimum profit), rounded up to Rp 100. `None` without a rule.
pub fn suggest(list: &PriceList, service: &str, cost: Money) -> Option<Suggestion> {
    let rule = list.rule_for(service)?.clone();
    let cost_idr = list.cost_in_idr(cost);
    let markup = match rule.markup {
        Markup::Flat(v) => v,
        Markup::Percent(p) => ceil_div(cost_idr as i128 * p as i128, 100) as i64,
    };
    let sale = round_up(cost_idr + markup.max(rule.min_profit));
    let dollars = cost.currency != Currency::Idr;
    let (rate, fallback) = list.rate();
    Some(Suggestion {
        sale: Money::idr(sale),
        cost_idr,
        rule,
        rate: dollars.then_some(rate),
        fallback_rate: dollars && fallback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(rules: Vec<MarkupRule>) -> PriceList {
        PriceList {
            rules,
            idr_per_usd: None,
            buffer_pct: 0,
        }
    }
    fn rule(service: Option<&str>, markup: Markup, min_profit: i64) -> MarkupRule {
        MarkupRule {
            service: service.map(str::to_string),
            markup,
            min_profit,
        }
    }

    #[test]
    fn percent_markup_rounds_up_to_100() {
        let l = list(vec![rule(None, Markup::Percent(30), 0)]);
        // 2835 * 30% = 850.5 -> 851; 2835 + 851 = 3686 -> 3700.
        let s = suggest(&l, "WhatsApp", Money::idr(2_835)).unwrap();
        assert_eq!(s.sale, Money::idr(3_700));
        assert_eq!(s.cost_idr, 2_835);
        assert_eq!(s.rate, None);
        // Exactly on a hundred stays there: 2000 + 600 = 2600.
        assert_eq!(
            suggest(&l, "x", Money::idr(2_000)).unwrap().sale,
            Money::idr(2_600)
        );
    }

    #[test]
    fn min_profit_wins_over_a_small_markup_and_service_rule_over_overall() {
        let l = list(vec![
            rule(None, Markup::Percent(10), 1_000),
            rule(Some("Telegram"), Markup::Flat(1_500), 0),
        ]);
        // 10% of 2835 = 284 < 1000: 2835 + 1000 = 3835 -> 3900.
        assert_eq!(
            suggest(&l, "WhatsApp", Money::idr(2_835)).unwrap().sale,
            Money::idr(3_900)
        );
        // Telegram's own rule (matched case-insensitively): 2835 + 1500 = 4335 -> 4400.
        let s = suggest(&l, " telegram ", Money::idr(2_835)).unwrap();
        assert_eq!(s.sale, Money::idr(4_400));
        assert_eq!(s.rule.service.as_deref(), Some("Telegram"));
        assert_eq!(suggest(&list(vec![]), "x", Money::idr(1)), None);
    }

    #[test]
    fn a_dollar_cost_is_converted_at_the_rate_plus_buffer() {
        let mut l = list(vec![rule(None, Markup::Flat(1_000), 0)]);
        l.idr_per_usd = Some("16250".into());
        l.buffer_pct = 3;
        // $0.185 x 16250 = 3006.25; x 1.03 = 3096.4375 -> 3097; + 1000 = 4097 -> 4100.
        let cost = Money::parse(Currency::Usd, "0.185").unwrap();
        let s = suggest(&l, "wa", cost).unwrap();
        assert_eq!(s.cost_idr, 3_097);
        assert_eq!(s.sale, Money::idr(4_100));
        assert_eq!(s.rate.as_deref(), Some("16250"));
        assert!(!s.fallback_rate);
        // No rate set: the fallback 16500, said so. 0.185 x 16500 = 3052.5 x 1.03 = 3144.075
        // -> 3145; + 1000 -> 4145 -> 4200.
        l.idr_per_usd = None;
        let s = suggest(&l, "wa", cost).unwrap();
        assert_eq!((s.cost_idr, s.sale), (3_145, Money::idr(4_200)));
        assert!(s.fallback_rate);
        // A fractional rate: 1 USD at 16250.50 with no buffer = 16250.5 -> 16251.
        l.idr_per_usd = Some("16250.50".into());
        l.buffer_pct = 0;
        assert_eq!(
            l.cost_in_idr(Money::parse(Currency::Usd, "1").unwrap()),
            16_251
        );
    }

    #[test]
    fn bad_lists_are_refused() {
        let mut l = PriceList {
            idr_per_usd: Some("abc".into()),
            ..Default::default()
        };
        assert!(matches!(l.validate(), Err(PriceListError::BadRate(_))));
        l.idr_per_usd = Some("0".into());
        assert!(l.validate().is_err());
        l.idr_per_usd = Some("16250".into());
        assert!(l.validate().is_ok());
        l.rules.push(rule(None, Markup::Flat(1), 0));
        assert!(matches!(l.validate(), Err(PriceListError::Duplicate(_))));
        let l = list(vec![rule(None, Markup::Flat(-1), 0)]);
        assert_eq!(l.validate(), Err(PriceListError::Negative));
        assert_eq!(round_up(0), 0);
        assert_eq!(round_up(1), 100);
    }
}
