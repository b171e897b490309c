//! Team mode's requests on the shared store: what a desktop without a provider's key asks the
//! desktop that holds the key (and the provider's tracking lease) to do — buy, cancel, resend,
//! finish, replace — and (reads) what it sells and at what price, the answer kept in `result`
//! until the asker has it, then deleted. Claiming and settling are single guarded updates (`WHERE state = …`), so a
//! request is carried out by one holder at most and a pending one can be withdrawn atomically.
//! The flow itself lives in `crate::requests`.

use super::{from_ms, ms, opt_from_ms, provider_from, Store};
use crate::db::{params, OptionalExtension, Row};
use crate::model::Time;
use otpdesk_core::{ErrorCode, ProviderId};
use serde::{Deserialize, Serialize};

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Buy,
    Cancel,
    Resend,
    Finish,
    Replace,
    /// "Buy now" on a purchase whose outcome is unknown: checked and sent again by the key
    /// holder (with the same Idempotency-Key where the provider takes one).
    BuyAgain,
    /// A catalog read or a quote (free; answered in `result`, deleted once read).
    Read,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Buy => "buy",
            RequestKind::Cancel => "cancel",
            RequestKind::Resend => "resend",
            RequestKind::Finish => "finish",
            RequestKind::Replace => "replace",
            RequestKind::BuyAgain => "buy_again",
            RequestKind::Read => "read",
        }
    }

    pub fn parse(s: &str) -> RequestKind {
        match s {
            "cancel" => RequestKind::Cancel,
            "resend" => RequestKind::Resend,
            "finish" => RequestKind::Finish,
            "replace" => RequestKind::Replace,
            "buy_again" => RequestKind::BuyAgain,
            "read" => RequestKind::Read,
            _ => RequestKind::Buy,
        }
    }

    /// Paid calls: carried out as a purchase attempt whose id is the request's id, so a holder
    /// that dies mid-way leaves an attempt the orphan sweep settles (never sent again blindly).
    pub fn is_paid(self) -> bool {
        matches!(self, RequestKind::Buy | RequestKind::Replace)
    }

    /// What it buys is sold by the member who asked. A buy-again re-uses the first purchase's
    /// attempt (or, dismissed, a fresh one): a holder that dies during it has it put back, and
    /// the next one finds the first attempt no longer open (nothing is sent twice).
    pub fn sells(self) -> bool {
        self.is_paid() || self == RequestKind::BuyAgain
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Written; no key holder has picked it up yet (it can still be withdrawn).
    Pending,
    /// A key holder is carrying it out.
    Taken,
    Done,
    Failed,
    /// Withdrawn by its requester before anyone picked it up.
    Withdrawn,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Taken => "taken",
            RequestState::Done => "done",
            RequestState::Failed => "failed",
            RequestState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> RequestState {
        match s {
            "taken" => RequestState::Taken,
            "done" => RequestState::Done,
            "failed" => RequestState::Failed,
            "withdrawn" => RequestState::Withdrawn,
            _ => RequestState::Pending,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestState::Done | RequestState::Failed | RequestState::Withdrawn
        )
    }
}

/// One request as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequestView {
    pub id: String,
    pub kind: RequestKind,
    pub provider: ProviderId,
    /// What to do: the purchase and its price limits, or the order to act on.
    pub body: serde_json::Value,
    /// The login of the member who asked.
    pub requested_by: String,
    pub state: RequestState,
    /// The engine instance carrying it out.
    pub taken_by: Option<String>,
    /// The order it bought or acted on.
    pub order_id: Option<String>,
    /// The purchase attempt to check when the outcome is unknown.
    pub attempt_id: Option<String>,
    pub error_code: Option<ErrorCode>,
    pub error: Option<String>,
    /// When a refused cancel or resend unlocks.
    pub unlocks_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
}

const COLS: &str = "id, kind, provider, body, requested_by, state, taken_by, order_id, attempt_id, error_code, error, unlocks_at, created_at, updated_at";

fn row(r: &Row<'_>) -> crate::db::Result<RequestView> {
    Ok(RequestView {
        id: r.get(0)?,
        kind: RequestKind::parse(&r.get::<_, String>(1)?),
        provider: provider_from(&r.get::<_, String>(2)?),
        body: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or(serde_json::Value::Null),
        requested_by: r.get(4)?,
        state: RequestState::parse(&r.get::<_, String>(5)?),
        taken_by: r.get(6)?,
        order_id: r.get(7)?,
        attempt_id: r.get(8)?,
        error_code: r.get::<_, Option<String>>(9)?.and_then(|c| c.parse().ok()),
        error: r.get(10)?,
        unlocks_at: opt_from_ms(r.get(11)?),
        created_at: from_ms(r.get(12)?),
        updated_at: from_ms(r.get(13)?),
    })
}

/// How a request ended.
pub enum Settle<'a> {
    /// Done: the order it bought or acted on; `sold_by` is written on the order (purchases).
    Done {
        order_id: &'a str,
        sold_by: Option<&'a str>,
    },
    Failed {
        code: ErrorCode,
        message: &'a str,
        attempt_id: Option<&'a str>,
        unlocks_at: Option<Time>,
    },
}

impl Store {
    pub fn insert_request(
        &self,
        kind: RequestKind,
        provider: ProviderId,
        body: &serde_json::Value,
        requested_by: &str,
        order_id: Option<&str>,
        now: Time,
    ) -> crate::db::Result<RequestView> {
        let id = uuid::Uuid::new_v4().to_string();
        self.conn().query_row(
            &format!(
                "INSERT INTO requests (id, kind, provider, body, requested_by, state, order_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?7) RETURNING {COLS}"
            ),
            params![id, kind.as_str(), provider.as_str(), body.to_string(), requested_by, order_id, ms(now)],
            row,
        )
    }

    pub fn request(&self, id: &str) -> crate::db::Result<Option<RequestView>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLS} FROM requests WHERE id = ?1"),
                [id],
                row,
            )
            .optional()
    }

    /// Requests newest first (reads are not listed: they last a moment and cost nothing); only
    /// those still open (pending or taken) with `open_only`.
    pub fn requests(&self, open_only: bool, limit: u32) -> crate::db::Result<Vec<RequestView>> {
        let c = self.conn();
        let mut st = c.prepare_cached(&format!(
            "SELECT {COLS} FROM requests WHERE (?1 = 0 OR state IN ('pending', 'taken'))
               AND kind <> 'read'
             ORDER BY created_at DESC, id LIMIT ?2"
        ))?;
        let rows = st.query_map(params![open_only as i64, limit as i64], row)?;
        rows.collect()
    }

    /// Take the oldest pending request of `provider` for instance `me` (none: nothing waits).
    pub fn claim_request(
        &self,
        provider: ProviderId,
        me: &str,
        now: Time,
    ) -> crate::db::Result<Option<RequestView>> {
        self.conn()
            .query_row(
                &format!(
                    "UPDATE requests SET state = 'taken', taken_by = ?2, updated_at = ?3
                     WHERE id = (SELECT id FROM requests WHERE provider = ?1 AND state = 'pending'
                                 ORDER BY created_at, id LIMIT 1)
                       AND state = 'pending'
                     RETURNING {COLS}"
                ),
                params![provider.as_str(), me, ms(now)],
                row,
            )
            .optional()
    }

    /// Withdraw a request nobody has picked up yet; `None` when it was taken or had ended.
    pub fn withdraw_request(&self, id: &str, now: Time) -> crate::db::Result<Option<RequestView>> {
        self.conn()
            .query_row(
                &format!(
                    "UPDATE requests SET state = 'withdrawn', updated_at = ?2
                     WHERE id = ?1 AND state = 'pending' RETURNING {COLS}"
                ),
                params![id, ms(now)],
                row,
            )
            .optional()
    }

    /// Put a taken request back to pending (nothing of it was sent); only while `taken_by` has it.
    pub fn requeue_request(
        &self,
        id: &str,
        taken_by: &str,
        now: Time,
    ) -> crate::db::Result<Option<RequestView>> {
        self.conn()
            .query_row(
                &format!(
                    "UPDATE requests SET state = 'pending', taken_by = NULL, updated_at = ?3
                     WHERE id = ?1 AND state = 'taken' AND taken_by = ?2 RETURNING {COLS}"
                ),
                params![id, taken_by, ms(now)],
                row,
            )
            .optional()
    }

    /// Taken requests of `provider` (to find those whose holder is gone).
    pub fn taken_requests(&self, provider: ProviderId) -> crate::db::Result<Vec<RequestView>> {
        let c = self.conn();
        let mut st = c.prepare_cached(&format!(
            "SELECT {COLS} FROM requests WHERE provider = ?1 AND state = 'taken' ORDER BY created_at"
        ))?;
        let rows = st.query_map([provider.as_str()], row)?;
        rows.collect()
    }

    /// End a taken request, and (a purchase) write who sold its order, in one transaction.
    /// `None` when it was not taken any more (settled already).
    pub fn settle_request(
        &self,
        id: &str,
        how: Settle<'_>,
        now: Time,
    ) -> crate::db::Result<Option<RequestView>> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let r = match how {
            Settle::Done { order_id, sold_by } => {
                if let Some(who) = sold_by {
                    tx.execute(
                        "UPDATE orders SET sold_by = ?2 WHERE id = ?1",
                        params![order_id, who],
                    )?;
                }
                tx.query_row(
                    &format!(
                        "UPDATE requests SET state = 'done', order_id = ?2, error_code = NULL, error = NULL, updated_at = ?3
                         WHERE id = ?1 AND state = 'taken' RETURNING {COLS}"
                    ),
                    params![id, order_id, ms(now)],
                    row,
                )
                .optional()?
            }
            Settle::Failed {
                code,
                message,
                attempt_id,
                unlocks_at,
            } => tx
                .query_row(
                    &format!(
                        "UPDATE requests SET state = 'failed', error_code = ?2, error = ?3, attempt_id = ?4, unlocks_at = ?5, updated_at = ?6
                         WHERE id = ?1 AND state = 'taken' RETURNING {COLS}"
                    ),
                    params![id, code.as_str(), message, attempt_id, unlocks_at.map(ms), ms(now)],
                    row,
                )
                .optional()?,
        };
        tx.commit()?;
        Ok(r)
    }
}

/// Where a read stands, for its asker.
pub struct ReadState {
    pub state: RequestState,
    /// The answer's JSON once done.
    pub result: Option<String>,
    pub failed: Option<RequestView>,
}

impl Store {
    /// End a taken read with its answer (`None`: it was not taken any more, e.g. deleted).
    pub fn answer_read(
        &self,
        id: &str,
        result: &str,
        now: Time,
    ) -> crate::db::Result<Option<RequestView>> {
        self.conn()
            .query_row(
                &format!(
                    "UPDATE requests SET state = 'done', result = ?2, updated_at = ?3
                     WHERE id = ?1 AND kind = 'read' AND state = 'taken' RETURNING {COLS}"
                ),
                params![id, result, ms(now)],
                row,
            )
            .optional()
    }

    /// A read's state and answer (`None`: no such read).
    pub fn read_state(&self, id: &str) -> crate::db::Result<Option<ReadState>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLS}, result FROM requests WHERE id = ?1 AND kind = 'read'"),
                [id],
                |r| {
                    let v = row(r)?;
                    let result: Option<String> = r.get(14)?;
                    Ok(ReadState {
                        state: v.state,
                        result,
                        failed: (v.state == RequestState::Failed).then_some(v),
                    })
                },
            )
            .optional()
    }

    /// Forget a read (its asker has the answer, or gave up).
    pub fn delete_read(&self, id: &str) -> crate::db::Result<()> {
        self.conn()
            .execute("DELETE FROM requests WHERE id = ?1 AND kind = 'read'", [id])?;
        Ok(())
    }

    /// Forget reads written before `before` (their askers stopped waiting long ago).
    pub fn prune_reads(&self, before: Time) -> crate::db::Result<usize> {
        self.conn().execute(
            "DELETE FROM requests WHERE kind = 'read' AND created_at < ?1",
            [ms(before)],
        )
    }

    /// How many reads are stored (tests: they must not pile up).
    pub fn read_count(&self) -> crate::db::Result<i64> {
        self.conn().query_row(
            "SELECT COUNT(*) FROM requests WHERE kind = 'read'",
            (),
            |r| r.get(0),
        )
    }
}
