//! Idempotency-Key de-duplication, as real providers do it: the first successful reply to
//! (account, route, key) is kept and replayed for the same body (a different body is a 422); while
//! the first request is still being processed a second one is refused ("in progress"); and, when
//! the control API sets a TTL, a key is forgotten after it (the same key then creates and charges
//! again). Every create that really ran under a key is counted, for the control API's report.

use crate::clock::SimTime;
use crate::control::types::{IdempotencyUse, LedgerKind};
use crate::error::SimError;
use crate::ledger::{currency_of, key_fingerprint, Bank};
use otpdesk_core::{Money, ProviderId};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

type Slot = (String, &'static str, String);

#[derive(Debug, Clone)]
struct Stored {
    request: Value,
    status: u16,
    reply: Value,
    at: SimTime,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// Nothing (live) under this key: run the create.
    Fresh,
    /// The same request was answered before: send this again.
    Replay(u16, Value),
}

#[derive(Debug, Default)]
pub struct IdempotencyStore {
    replies: HashMap<Slot, Stored>,
    in_flight: HashSet<Slot>,
    /// (account, key) → routes and how many creates really ran.
    runs: BTreeMap<(String, String), (Vec<&'static str>, u32)>,
}

fn slot(account: &str, route: &'static str, idem_key: &str) -> Slot {
    (account.to_string(), route, idem_key.to_string())
}

impl IdempotencyStore {
    /// Replay, go ahead, or refuse: 422 for another body under a kept key, 409 while a request
    /// with the key is in progress. A reply older than `ttl` is forgotten.
    pub fn lookup(
        &mut self,
        account: &str,
        route: &'static str,
        idem_key: &str,
        request: &Value,
        now: SimTime,
        ttl: Option<Duration>,
    ) -> Result<Lookup, SimError> {
        let slot = slot(account, route, idem_key);
        if let (Some(s), Some(ttl)) = (self.replies.get(&slot), ttl) {
            let age = (now - s.at).to_std().unwrap_or_default();
            if age >= ttl {
                self.replies.remove(&slot);
            }
        }
        if self.in_flight.contains(&slot) {
            return Err(SimError::IdempotencyInProgress);
        }
        match self.replies.get(&slot) {
            None => Ok(Lookup::Fresh),
            Some(s) if &s.request == request => Ok(Lookup::Replay(s.status, s.reply.clone())),
            Some(_) => Err(SimError::IdempotencyConflict),
        }
    }

    /// A request with this key is being processed (until [`Self::finish`]).
    pub fn begin(&mut self, account: &str, route: &'static str, idem_key: &str) {
        self.in_flight.insert(slot(account, route, idem_key));
    }

    pub fn finish(&mut self, account: &str, route: &'static str, idem_key: &str) {
        self.in_flight.remove(&slot(account, route, idem_key));
    }

    /// Keep the reply of a create that ran, and count the run.
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &mut self,
        account: &str,
        route: &'static str,
        idem_key: &str,
        request: Value,
        status: u16,
        reply: Value,
        now: SimTime,
    ) {
        self.replies.insert(
            slot(account, route, idem_key),
            Stored {
                request,
                status,
                reply,
                at: now,
            },
        );
        let (routes, n) = self
            .runs
            .entry((account.to_string(), idem_key.to_string()))
            .or_default();
        if !routes.contains(&route) {
            routes.push(route);
        }
        *n += 1;
    }

    /// Every (account, key) a create ran under or a charge carries: creates, charges, refs.
    pub fn report(&self, bank: &Bank) -> Vec<IdempotencyUse> {
        let mut rows: BTreeMap<(String, String), IdempotencyUse> = BTreeMap::new();
        for ((account, idem), (routes, n)) in &self.runs {
            let fp = key_fingerprint(account);
            let provider = bank.provider_of(account).unwrap_or(ProviderId::Otpzap);
            rows.insert(
                (fp.clone(), idem.clone()),
                IdempotencyUse {
                    provider,
                    key_fp: fp,
                    idempotency_key: idem.clone(),
                    routes: routes.iter().map(|r| r.to_string()).collect(),
                    creates: *n,
                    charges: 0,
                    charged: "0".to_string(),
                    order_refs: Vec::new(),
                },
            );
        }
        let mut sums: BTreeMap<(String, String), Money> = BTreeMap::new();
        for e in bank
            .entries()
            .iter()
            .filter(|e| e.kind == LedgerKind::Charge)
        {
            let Some(idem) = &e.idempotency_key else {
                continue;
            };
            let at = (e.key_fp.clone(), idem.clone());
            let row = rows.entry(at.clone()).or_insert_with(|| IdempotencyUse {
                provider: e.provider,
                key_fp: e.key_fp.clone(),
                idempotency_key: idem.clone(),
                routes: Vec::new(),
                creates: 0,
                charges: 0,
                charged: "0".to_string(),
                order_refs: Vec::new(),
            });
            row.charges += 1;
            row.order_refs.push(e.order_ref.clone());
            let currency = currency_of(e.provider);
            if let Ok(amount) = Money::parse(currency, &e.amount) {
                let sum = sums.entry(at).or_insert(Money::zero(currency));
                *sum = sum.checked_add(amount).unwrap_or(*sum);
                row.charged = sum.to_decimal_string();
            }
        }
        rows.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replay_conflict_in_progress_and_ttl() {
        let mut s = IdempotencyStore::default();
        let t0 = chrono::Utc::now();
        let body = json!({"a": 1});
        let look = |s: &mut IdempotencyStore, body: &Value, secs: i64, ttl: Option<u64>| {
            let now = t0 + chrono::Duration::seconds(secs);
            s.lookup(
                "acct",
                "order/create",
                "k",
                body,
                now,
                ttl.map(Duration::from_secs),
            )
        };
        assert_eq!(look(&mut s, &body, 0, None), Ok(Lookup::Fresh));
        s.begin("acct", "order/create", "k");
        assert_eq!(
            look(&mut s, &body, 0, None),
            Err(SimError::IdempotencyInProgress)
        );
        s.store("acct", "order/create", "k", body.clone(), 200, json!(1), t0);
        s.finish("acct", "order/create", "k");
        assert_eq!(
            look(&mut s, &body, 5, None),
            Ok(Lookup::Replay(200, json!(1)))
        );
        assert_eq!(
            look(&mut s, &json!({}), 5, None),
            Err(SimError::IdempotencyConflict)
        );
        assert_eq!(
            look(&mut s, &body, 59, Some(60)),
            Ok(Lookup::Replay(200, json!(1)))
        );
        assert_eq!(look(&mut s, &body, 60, Some(60)), Ok(Lookup::Fresh));
        s.store("acct", "order/create", "k", body, 200, json!(2), t0);
        let mut bank = Bank::new();
        bank.add_account(ProviderId::Otpzap, "acct", Money::idr(10_000))
            .unwrap();
        bank.charge(t0, "acct", Money::idr(2835), "API3-A", Some("k"))
            .unwrap();
        bank.charge(t0, "acct", Money::idr(2835), "API3-B", Some("k"))
            .unwrap();
        bank.charge(t0, "acct", Money::idr(100), "API3-C", None)
            .unwrap();
        let report = s.report(&bank);
        assert_eq!(report.len(), 1);
        let r = &report[0];
        assert_eq!((r.creates, r.charges, r.charged.as_str()), (2, 2, "5670"));
        assert_eq!(r.routes, vec!["order/create".to_string()]);
        assert_eq!(
            r.order_refs,
            vec!["API3-A".to_string(), "API3-B".to_string()]
        );
        assert_eq!(r.key_fp, key_fingerprint("acct"));
    }
}
