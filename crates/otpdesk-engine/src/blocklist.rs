//! The number blocklist: prefixes and operators the reseller does not want (numbers that rarely
//! get a code). An OTPZap Server 1 number that matches is replaced at once, by an auto-replace
//! job within its limits ([`crate::jobs`]), or after any purchase when the user switched that on
//! ([`after_purchase`]). Suggestions come from the reseller's own finished Server 1 numbers:
//! prefixes and operators whose numbers ended without a code again and again.
//! The operator of an Indonesian number is read from its prefix (the operators' published
//! ranges); other countries match by prefix only.

pub use crate::automation_model::{BlockEntry, BlockKind, BlockSuggestion};
use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::model::OrderView;
use otpdesk_core::OrderStatus;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The switch: replace a blocklisted Server 1 number after any purchase, not only in jobs.
pub const FLAG_ALL_PURCHASES: &str = "blocklist_all_purchases";

/// Replacements [`after_purchase`] makes for one purchase at most.
pub const MAX_AUTO_REPLACES: u32 = 3;

/// Suggested when at least this many numbers failed…
pub const SUGGEST_MIN_FAILURES: u32 = 3;
/// …and at least this share (percent) of them.
pub const SUGGEST_MIN_RATE: u32 = 60;

/// Digits of a number in international form (`0812…` and `812…` are Indonesian: `62812…`).
pub fn normalize(number: &str) -> String {
    let d: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    if let Some(rest) = d.strip_prefix('0') {
        format!("62{rest}")
    } else if d.starts_with('8') {
        format!("62{d}")
    } else {
        d
    }
}

/// The operators of Indonesian mobile ranges (the three digits after `62`).
const ID_OPERATORS: &[(&str, &[&str])] = &[
    (
        "telkomsel",
        &[
            "811", "812", "813", "821", "822", "823", "851", "852", "853",
        ],
    ),
    (
        "indosat",
        &["814", "815", "816", "855", "856", "857", "858"],
    ),
    ("xl", &["817", "818", "819", "859", "877", "878"]),
    ("axis", &["831", "832", "833", "838"]),
    ("tri", &["895", "896", "897", "898", "899"]),
    (
        "smartfren",
        &[
            "881", "882", "883", "884", "885", "886", "887", "888", "889",
        ],
    ),
];

/// The operators a blocklist can name.
pub fn operators() -> Vec<&'static str> {
    ID_OPERATORS.iter().map(|(o, _)| *o).collect()
}

/// The operator of a number, where its prefix tells (Indonesian numbers).
pub fn operator_of(number: &str) -> Option<&'static str> {
    let n = normalize(number);
    let range = n.strip_prefix("62")?.get(..3)?;
    ID_OPERATORS
        .iter()
        .find(|(_, ranges)| ranges.contains(&range))
        .map(|(o, _)| *o)
}

/// The entry of `list` that `number` matches, if any.
pub fn matching<'a>(list: &'a [BlockEntry], number: &str) -> Option<&'a BlockEntry> {
    let n = normalize(number);
    let op = operator_of(&n);
    list.iter().find(|e| match e.kind {
        BlockKind::Prefix => !e.value.is_empty() && n.starts_with(&e.value),
        BlockKind::Operator => op == Some(e.value.as_str()),
    })
}

/// A value as stored: prefixes in international digits, operators in lower case.
pub(crate) fn clean(kind: BlockKind, value: &str) -> Result<String> {
    match kind {
        BlockKind::Prefix => {
            let v = normalize(value);
            if v.len() < 3 || value.chars().any(|c| c.is_alphabetic()) {
                return Err(EngineError::Invalid(format!(
                    "{value:?} is not a number prefix (e.g. 62831 or 0831)."
                )));
            }
            Ok(v)
        }
        BlockKind::Operator => {
            let v = value.trim().to_ascii_lowercase();
            if !operators().contains(&v.as_str()) {
                return Err(EngineError::Invalid(format!(
                    "{value:?} is not an operator OTPDesk knows ({}).",
                    operators().join(", ")
                )));
            }
            Ok(v)
        }
    }
}

/// Whether the live OTPZap Server 1 `o` matches the blocklist (other numbers never do: only
/// Server 1 has a replace).
pub(crate) fn blocks(inner: &Inner, o: &OrderView) -> Result<Option<BlockEntry>> {
    if o.server != Some(1) || o.provider != otpdesk_core::ProviderId::Otpzap {
        return Ok(None);
    }
    let Some(phone) = &o.phone else {
        return Ok(None);
    };
    let list = inner.store.blocklist()?;
    Ok(matching(&list, phone).cloned())
}

/// Prefixes (five digits, e.g. `62831`) and operators whose last `window` finished Server 1
/// numbers ended without a code at least [`SUGGEST_MIN_FAILURES`] times and
/// [`SUGGEST_MIN_RATE`] percent of the time, worst first; those already listed are left out.
pub fn suggest(outcomes: &[(String, bool)], listed: &[BlockEntry]) -> Vec<BlockSuggestion> {
    let mut tally: BTreeMap<(BlockKind, String), (u32, u32)> = BTreeMap::new();
    for (phone, got_code) in outcomes {
        let n = normalize(phone);
        let mut keys = Vec::new();
        if let Some(p) = n.get(..5) {
            keys.push((BlockKind::Prefix, p.to_string()));
        }
        if let Some(op) = operator_of(&n) {
            keys.push((BlockKind::Operator, op.to_string()));
        }
        for k in keys {
            let t = tally.entry(k).or_default();
            t.1 += 1;
            if !got_code {
                t.0 += 1;
            }
        }
    }
    let mut out: Vec<BlockSuggestion> = tally
        .into_iter()
        .filter(|((kind, value), (failures, total))| {
            *failures >= SUGGEST_MIN_FAILURES
                && failures * 100 >= SUGGEST_MIN_RATE * total
                && !listed.iter().any(|e| e.kind == *kind && &e.value == value)
        })
        .map(|((kind, value), (failures, total))| BlockSuggestion {
            kind,
            value,
            failures,
            total,
        })
        .collect();
    out.sort_by(|a, b| {
        (b.failures * 100 / b.total)
            .cmp(&(a.failures * 100 / a.total))
            .then(b.failures.cmp(&a.failures))
    });
    out
}

/// After a purchase outside a job: with the switch on, a blocklisted Server 1 number is
/// replaced at once (at most [`MAX_AUTO_REPLACES`] times). Returns the number the user ends up
/// with. A replacement that fails leaves the user with the number they have (an unknown
/// outcome is listed for them as always).
pub(crate) async fn after_purchase(inner: &Arc<Inner>, mut o: OrderView) -> OrderView {
    if o.server != Some(1)
        || !inner
            .store
            .automation_flag(FLAG_ALL_PURCHASES)
            .unwrap_or(false)
    {
        return o;
    }
    for _ in 0..MAX_AUTO_REPLACES {
        match blocks(inner, &o) {
            Ok(Some(_)) if o.status == OrderStatus::Pending => {}
            _ => return o,
        }
        match crate::actions::replace(inner, &o.id).await {
            Ok(new) => o = new,
            Err(e) => {
                tracing::info!("a blocklisted number was not replaced: {}", e.code());
                return o;
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: BlockKind, v: &str) -> BlockEntry {
        BlockEntry {
            kind,
            value: v.into(),
            note: None,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn numbers_and_prefixes_are_compared_in_international_form() {
        assert_eq!(normalize("0831-1234"), "628311234");
        assert_eq!(normalize("+62 831 1234"), "628311234");
        assert_eq!(normalize("8311234"), "628311234");
        assert_eq!(operator_of("6283112345678"), Some("axis"));
        assert_eq!(operator_of("081299990000"), Some("telkomsel"));
        assert_eq!(operator_of("60123456789"), None);
        let list = [
            entry(BlockKind::Prefix, "62831"),
            entry(BlockKind::Operator, "tri"),
        ];
        assert_eq!(matching(&list, "6283100000001").unwrap().value, "62831");
        assert_eq!(matching(&list, "6289600000001").unwrap().value, "tri");
        assert!(matching(&list, "6281200000001").is_none());
        assert_eq!(clean(BlockKind::Prefix, "0831").unwrap(), "62831");
        assert!(clean(BlockKind::Prefix, "axis").is_err());
        assert_eq!(clean(BlockKind::Operator, " XL ").unwrap(), "xl");
        assert!(clean(BlockKind::Operator, "vodafone").is_err());
    }

    #[test]
    fn suggestions_count_failures_by_prefix_and_operator() {
        let mut outcomes = Vec::new();
        // 62831 (axis): 4 of 5 without a code.
        for i in 0..5 {
            outcomes.push((format!("628310000000{i}"), i == 0));
        }
        // 62812 (telkomsel): 2 of 6 without a code: not suggested.
        for i in 0..6 {
            outcomes.push((format!("628120000000{i}"), i >= 2));
        }
        let s = suggest(&outcomes, &[]);
        let got: Vec<_> = s
            .iter()
            .map(|x| (x.kind, x.value.as_str(), x.failures, x.total))
            .collect();
        assert_eq!(
            got,
            [
                (BlockKind::Prefix, "62831", 4, 5),
                (BlockKind::Operator, "axis", 4, 5)
            ]
        );
        // Already listed: not suggested again.
        let s = suggest(&outcomes, &[entry(BlockKind::Operator, "axis")]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].value, "62831");
    }
}
