//! Accounts per API key and the ledger of every money movement. Balances move only through
//! [`Bank::charge`], [`Bank::refund`] and [`Bank::credit`], each of which appends a ledger entry, so
//! the ledger always explains the balance.

use crate::clock::SimTime;
use crate::control::types::{BalanceView, LedgerEntry, LedgerKind};
use crate::error::SimError;
use otpdesk_core::{Currency, Money, ProviderId};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Short, stable, non-reversible label of an API key for logs and the control API.
pub fn key_fingerprint(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("fp_{}", hex::encode(&digest[..6]))
}

pub fn currency_of(provider: ProviderId) -> Currency {
    match provider {
        ProviderId::Otpzap => Currency::Idr,
        ProviderId::Numberotp => Currency::Usd,
        ProviderId::Ooppay => Currency::Usdt,
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub provider: ProviderId,
    /// Small per-account number, used in OTPZap refs ("API3-…").
    pub number: u32,
    pub balance: Money,
}

#[derive(Debug, Default)]
pub struct Bank {
    accounts: BTreeMap<String, Account>,
    entries: Vec<LedgerEntry>,
    next_number: u32,
}

impl Bank {
    pub fn new() -> Bank {
        Bank {
            next_number: 3,
            ..Bank::default()
        }
    }

    /// Create or replace an account; replacing resets the balance (and writes no ledger entry).
    pub fn add_account(
        &mut self,
        provider: ProviderId,
        key: &str,
        balance: Money,
    ) -> Result<(), SimError> {
        if balance.currency != currency_of(provider) {
            return Err(SimError::validation(
                "balance",
                "balance currency does not match the provider",
            ));
        }
        let number = match self.accounts.get(key) {
            Some(a) => a.number,
            None => {
                self.next_number += 1;
                self.next_number - 1
            }
        };
        self.accounts.insert(
            key.to_string(),
            Account {
                provider,
                number,
                balance,
            },
        );
        Ok(())
    }

    /// The account behind a bearer key, if it belongs to `provider`.
    pub fn auth(&self, provider: ProviderId, key: Option<&str>) -> Result<&Account, SimError> {
        match key.and_then(|k| self.accounts.get(k)) {
            Some(a) if a.provider == provider => Ok(a),
            _ => Err(SimError::Unauthorized),
        }
    }

    pub fn provider_of(&self, key: &str) -> Option<ProviderId> {
        self.accounts.get(key).map(|a| a.provider)
    }

    pub fn balance(&self, key: &str) -> Option<Money> {
        self.accounts.get(key).map(|a| a.balance)
    }

    fn account_mut(&mut self, key: &str) -> Result<&mut Account, SimError> {
        self.accounts.get_mut(key).ok_or(SimError::Unauthorized)
    }

    pub fn charge(
        &mut self,
        now: SimTime,
        key: &str,
        amount: Money,
        order_ref: &str,
        idempotency_key: Option<&str>,
    ) -> Result<(), SimError> {
        let account = self.account_mut(key)?;
        if account.balance.minor < amount.minor {
            return Err(SimError::InsufficientBalance {
                needed: amount,
                balance: account.balance,
            });
        }
        self.apply(
            now,
            key,
            LedgerKind::Charge,
            amount,
            order_ref,
            idempotency_key,
        )
    }

    pub fn refund(
        &mut self,
        now: SimTime,
        key: &str,
        amount: Money,
        order_ref: &str,
    ) -> Result<(), SimError> {
        self.apply(now, key, LedgerKind::Refund, amount, order_ref, None)
    }

    pub fn credit(
        &mut self,
        now: SimTime,
        key: &str,
        amount: Money,
        order_ref: &str,
        idempotency_key: Option<&str>,
    ) -> Result<(), SimError> {
        self.apply(
            now,
            key,
            LedgerKind::Topup,
            amount,
            order_ref,
            idempotency_key,
        )
    }

    fn apply(
        &mut self,
        now: SimTime,
        key: &str,
        kind: LedgerKind,
        amount: Money,
        order_ref: &str,
        idempotency_key: Option<&str>,
    ) -> Result<(), SimError> {
        let seq = self.entries.len() as u64 + 1;
        let account = self.account_mut(key)?;
        let delta = match kind {
            LedgerKind::Charge => Money::new(amount.currency, -amount.minor),
            LedgerKind::Refund | LedgerKind::Topup => amount,
        };
        account.balance = account
            .balance
            .checked_add(delta)
            .map_err(|e| SimError::Internal(e.to_string()))?;
        let entry = LedgerEntry {
            seq,
            at: now,
            provider: account.provider,
            key_fp: key_fingerprint(key),
            kind,
            order_ref: order_ref.to_string(),
            amount: amount.to_decimal_string(),
            currency: amount.currency.code().to_string(),
            balance_after: account.balance.to_decimal_string(),
            idempotency_key: idempotency_key.map(str::to_string),
        };
        self.entries.push(entry);
        Ok(())
    }

    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    pub fn balances(&self) -> Vec<BalanceView> {
        self.accounts
            .iter()
            .map(|(key, a)| BalanceView {
                provider: a.provider,
                key_fp: key_fingerprint(key),
                balance: a.balance.to_decimal_string(),
                currency: a.balance.currency.code().to_string(),
            })
            .collect()
    }
}
