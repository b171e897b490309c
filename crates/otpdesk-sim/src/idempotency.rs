//! Idempotency-Key de-duplication: the first successful reply to (account, route, key) is kept and
//! replayed for the same body; a different body under the same key is a 422.

use crate::error::SimError;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct Stored {
    request: Value,
    status: u16,
    reply: Value,
}

#[derive(Debug, Default)]
pub struct IdempotencyStore {
    replies: HashMap<(String, &'static str, String), Stored>,
}

impl IdempotencyStore {
    /// `Ok(Some((status, reply)))` to replay, `Ok(None)` to go ahead, `Err` on a body mismatch.
    pub fn lookup(
        &self,
        account: &str,
        route: &'static str,
        idem_key: &str,
        request: &Value,
    ) -> Result<Option<(u16, Value)>, SimError> {
        match self
            .replies
            .get(&(account.to_string(), route, idem_key.to_string()))
        {
            None => Ok(None),
            Some(s) if &s.request == request => Ok(Some((s.status, s.reply.clone()))),
            Some(_) => Err(SimError::IdempotencyConflict),
        }
    }

    pub fn store(
        &mut self,
        account: &str,
        route: &'static str,
        idem_key: &str,
        request: Value,
        status: u16,
        reply: Value,
    ) {
        self.replies.insert(
            (account.to_string(), route, idem_key.to_string()),
            Stored {
                request,
                status,
                reply,
            },
        );
    }
}
