//! Auto-replace jobs: buy a number and, when no code came after N minutes, close it (OTPZap
//! Server 1: `replace`; other OTPZap numbers: cancel as soon as the cooldown allows; NumberOTP,
//! which cannot be cancelled: let it run out) and buy the next one, at most K replacements and
//! never above the job's spending cap. A job lives in the store (it resumes after a restart, run
//! by one process at a time) and never has two live numbers: it buys only once the previous
//! number is closed (see [`closed`]: cancelled or cancel accepted, expired, replaced). A job's
//! spending is what its numbers were charged less the refunds already booked, so a refund counts
//! back only once it is confirmed: a number whose cancel was accepted but whose refund is still
//! pending is closed (the next one may be bought) and still spent in full (the next one must fit
//! the cap without that refund), so the provider never holds more than the cap for one job.
//! Any uncertain outcome (a purchase whose reply was lost, a process that died mid-purchase, an
//! unexpected refusal) stops the job and leaves the rest to the user.
//! Every paid call goes through [`crate::buying`] and [`crate::actions`], like the user's own.

use crate::actions;
pub use crate::automation_model::{JobOrder, JobRequest, JobState, JobView};
use crate::context::Inner;
use crate::error::{EngineError, Result};
use crate::events::EngineEvent;
use crate::model::{ActionKind, BuyRequest, OrderView, Time};
use crate::provider::PriceLimits;
use otpdesk_core::{ErrorCode, Money, OrderStatus, ProviderId};
use otpdesk_providers::ProviderError;
use std::sync::Arc;
use std::time::Duration;

/// The most replacements one job may make.
pub const MAX_REPLACEMENTS: u32 = 20;

/// Take `id` to run here (`false`: a task of this engine runs it already).
fn take(inner: &Inner, id: &str) -> bool {
    inner
        .jobs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.to_string())
}

fn release(inner: &Inner, id: &str) {
    inner
        .jobs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(id);
}

fn validate(inner: &Inner, j: &JobRequest) -> Result<()> {
    let p = j.req.provider();
    inner.gw.require(p)?;
    if matches!(
        j.req,
        BuyRequest::OtpzapEmail { .. } | BuyRequest::OtpzapEmailOptions { .. }
    ) {
        return Err(EngineError::Invalid(
            "Auto-replace is for phone numbers, not email inboxes.".into(),
        ));
    }
    if j.max_replacements > MAX_REPLACEMENTS {
        return Err(EngineError::Invalid(format!(
            "A job makes at most {MAX_REPLACEMENTS} replacements, not {}.",
            j.max_replacements
        )));
    }
    if j.replace_after_ms < 1_000 {
        return Err(EngineError::Invalid(
            "Wait at least a second before replacing a number.".into(),
        ));
    }
    let cur = p.currency();
    for (what, m) in [
        ("spending cap", Some(j.cap)),
        ("maximum price", j.max_price),
    ] {
        if let Some(m) = m {
            if m.currency != cur {
                return Err(EngineError::Invalid(format!(
                    "{} prices this offer in {}, the {what} is in {}.",
                    p.display_name(),
                    cur.code(),
                    m.currency.code()
                )));
            }
            if m.minor <= 0 {
                return Err(EngineError::Invalid(format!(
                    "The {what} must be above zero."
                )));
            }
        }
    }
    Ok(())
}

/// Start a job: stored first (so a restart resumes it), then run by this engine.
pub(crate) fn start(inner: &Arc<Inner>, j: JobRequest) -> Result<JobView> {
    validate(inner, &j)?;
    let id = uuid::Uuid::new_v4().to_string();
    inner
        .store
        .insert_job(&id, &j, &inner.coord.me, inner.now())?;
    let view = view(inner, &id)?;
    announce(inner, &view);
    spawn(inner, id);
    Ok(view)
}

/// The user stops a job: it buys and replaces nothing more; its live number stays open.
pub(crate) fn stop(inner: &Arc<Inner>, id: &str) -> Result<JobView> {
    let msg = "Stopped by you; the current number stays open.";
    inner
        .store
        .end_job(id, JobState::Stopped, "stopped_by_user", msg, inner.now())?;
    let v = view(inner, id)?;
    announce(inner, &v);
    Ok(v)
}

pub(crate) fn view(inner: &Inner, id: &str) -> Result<JobView> {
    inner
        .store
        .job(id)?
        .map(|(j, _)| j)
        .ok_or_else(|| EngineError::Invalid(format!("No auto-replace job {id} is stored here.")))
}

fn announce(inner: &Inner, j: &JobView) {
    inner.emit(EngineEvent::JobChanged {
        job: Box::new(j.clone()),
    });
}

/// Pick up the running jobs no live process runs (after a start or a crash).
pub(crate) fn resume(inner: &Arc<Inner>) {
    if inner.is_closing() {
        return;
    }
    let Ok(jobs) = inner.store.jobs(true, 1_000) else {
        return;
    };
    if jobs.is_empty() {
        return;
    }
    let live = inner
        .coord
        .live(inner.tracking.lease_ttl * 2)
        .unwrap_or_default();
    for j in jobs {
        if !inner.gw.configured(j.provider) {
            continue;
        }
        if inner
            .store
            .claim_job(&j.id, &inner.coord.me, &live)
            .unwrap_or(false)
        {
            spawn(inner, j.id);
        }
    }
}

fn spawn(inner: &Arc<Inner>, id: String) {
    if !take(inner, &id) {
        return;
    }
    let inner2 = inner.clone();
    let h = tokio::spawn(async move {
        run(&inner2, &id).await;
        release(&inner2, &id);
    });
    inner.sched.keep(h);
}

/// What to do after a step.
enum Next {
    Now,
    Wait(Duration),
    End,
}

async fn run(inner: &Arc<Inner>, id: &str) {
    let mut rx = inner.events.subscribe();
    loop {
        if inner.is_closing() {
            return;
        }
        let next = match step(inner, id).await {
            Ok(n) => n,
            // Closing: the job stays running in the store and resumes with the next process
            // (a purchase cut off here left its `busy` mark, which stops it then).
            Err(_) if inner.is_closing() => return,
            Err(e) => {
                tracing::info!("auto-replace job stopped: {}", e.code());
                let reason = e.code().as_str().to_string();
                let msg = format!("{e} The job stopped; nothing more is bought.");
                let _ = inner
                    .store
                    .end_job(id, JobState::Stopped, &reason, &msg, inner.now());
                if let Ok(v) = view(inner, id) {
                    announce(inner, &v);
                }
                Next::End
            }
        };
        let wait = match next {
            Next::Now => continue,
            Next::End => return,
            Next::Wait(d) => d.min(inner.tracking.job_tick),
        };
        let current = inner
            .store
            .job(id)
            .ok()
            .flatten()
            .and_then(|(j, _)| j.current_order);
        // Wake on news of the live number or of this job (a stop), at the tick at the latest.
        let news = async {
            loop {
                match rx.recv().await {
                    Ok(EngineEvent::OtpReceived { order_id, .. })
                    | Ok(EngineEvent::OrderStatusChanged { order_id, .. })
                        if Some(&order_id) == current.as_ref() =>
                    {
                        return
                    }
                    Ok(EngineEvent::JobChanged { job }) if job.id == id => return,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                    Err(_) => std::future::pending::<()>().await,
                }
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = news => {}
            _ = inner.stopped() => return,
        }
    }
}

/// The number is done for the job, which may buy the next one: final (cancelled, expired,
/// replaced, failed, completed) or its cancel accepted by the provider with the refund still to
/// be confirmed (`cancel_requested`). Such a number is closed: a requested cancel is never undone
/// (`store::orders::next_status`), no action is allowed on it, and a code that still comes is
/// late, not a sale. Its refund is not counted back before it is booked ([`limits`]).
fn closed(s: &OrderStatus) -> bool {
    s.is_final() || *s == OrderStatus::CancelRequested
}

/// A code the job can use: any code that is not late (after a cancel or replace).
fn got_code(o: &OrderView) -> bool {
    o.otps.iter().any(|x| !x.late)
}

fn until(now: Time, t: Time) -> Duration {
    (t - now).to_std().unwrap_or(Duration::ZERO)
}

fn end(inner: &Arc<Inner>, id: &str, state: JobState, reason: &str, msg: &str) -> Result<Next> {
    if inner.store.end_job(id, state, reason, msg, inner.now())? {
        announce(inner, &view(inner, id)?);
    }
    Ok(Next::End)
}

async fn step(inner: &Arc<Inner>, id: &str) -> Result<Next> {
    let Some((j, busy)) = inner.store.job(id)? else {
        return Ok(Next::End);
    };
    if j.state != JobState::Running {
        return Ok(Next::End);
    }
    if let Some(what) = busy {
        // A purchase or replacement was under way when its process stopped: it may have
        // bought a number this job does not know of. Never buy on top of that.
        let msg = format!(
            "A {what} was under way when OTPDesk stopped; check your orders and the purchases to check before buying again."
        );
        return end(inner, id, JobState::Stopped, "outcome_unknown", &msg);
    }
    match j.current_order.clone() {
        None => buy_next(inner, &j).await,
        Some(oid) => watch_number(inner, &j, &oid).await,
    }
}

/// The most the next number may cost: the job's and the service's maximum price and what is
/// left of the cap. What is left counts only booked refunds: a closed number whose refund is
/// still pending is spent in full until the provider confirms it.
fn limits(inner: &Inner, j: &JobView) -> Result<(Money, Option<Money>)> {
    let service_max = inner.store.max_price(&j.req.service_key())?;
    let max = match (j.max_price, service_max) {
        (Some(a), Some(b)) if a.currency == b.currency => {
            Some(if a.minor <= b.minor { a } else { b })
        }
        (a, b) => a.or(b),
    };
    let left = Money::new(j.cap.currency, j.cap.minor - j.spent.minor);
    Ok((left, max))
}

/// " (Rp X of it waits for refunds the provider has not confirmed yet)" when some of the job's
/// closed numbers are cancelled with their refunds pending; empty otherwise.
fn pending_note(inner: &Inner, j: &JobView) -> Result<String> {
    let mut pending = 0;
    for jo in j.orders.iter().filter(|o| o.closed_at.is_some()) {
        let o = inner.order_view(&jo.order_id)?;
        if o.status == OrderStatus::CancelRequested {
            pending += o
                .price
                .filter(|p| p.currency == j.cap.currency)
                .map_or(0, |p| p.minor);
        }
    }
    Ok(if pending > 0 {
        format!(
            " ({} of it waits for refunds the provider has not confirmed yet)",
            Money::new(j.cap.currency, pending)
        )
    } else {
        String::new()
    })
}

async fn buy_next(inner: &Arc<Inner>, j: &JobView) -> Result<Next> {
    let bought = j.orders.len() as u32;
    if bought > j.max_replacements {
        let msg = format!(
            "No code after {} replacement(s); nothing more is bought.",
            j.replacements
        );
        return end(inner, &j.id, JobState::GaveUp, "max_replacements", &msg);
    }
    let (left, max) = limits(inner, j)?;
    if left.minor <= 0 {
        return end(
            inner,
            &j.id,
            JobState::GaveUp,
            "cap_reached",
            &format!(
                "The spending cap of {} is reached{}.",
                j.cap,
                pending_note(inner, j)?
            ),
        );
    }
    let limit = match max {
        Some(m) if m.minor <= left.minor => m,
        _ => left,
    };
    inner
        .store
        .set_job_busy(&j.id, Some("purchase"), inner.now())?;
    let out = crate::buying::buy_checked(
        inner,
        j.req.clone(),
        PriceLimits {
            expected: None,
            max: Some(limit),
        },
    )
    .await;
    match out {
        Ok(o) => {
            inner.store.add_job_order(&j.id, &o.id, inner.now())?;
            announce(inner, &view(inner, &j.id)?);
            Ok(Next::Now)
        }
        Err(e) => {
            inner.store.set_job_busy(&j.id, None, inner.now())?;
            match e {
                EngineError::PriceAboveMax { current, .. } => {
                    if max.is_some_and(|m| current.minor > m.minor) {
                        let msg = format!("{e}");
                        end(inner, &j.id, JobState::GaveUp, "price_above_max", &msg)
                    } else {
                        let msg = format!(
                            "The spending cap of {} is reached: {} spent{}, the next number costs {current}.",
                            j.cap,
                            j.spent,
                            pending_note(inner, j)?
                        );
                        end(inner, &j.id, JobState::GaveUp, "cap_reached", &msg)
                    }
                }
                EngineError::Provider(ProviderError::OutOfStock { .. }) => {
                    let msg = format!("{e}; nothing more is bought.");
                    end(inner, &j.id, JobState::GaveUp, "out_of_stock", &msg)
                }
                // Not sent (a key closed for a while): try again shortly.
                EngineError::Provider(ProviderError::RateLimited { retry_after }) => {
                    Ok(Next::Wait(retry_after.unwrap_or(Duration::from_secs(10))))
                }
                e => Err(e),
            }
        }
    }
}

/// How a number ended, as a job records it.
fn how(s: &OrderStatus) -> &'static str {
    match s {
        OrderStatus::Cancelled => "cancelled",
        OrderStatus::CancelRequested => "cancel_requested",
        OrderStatus::Expired => "expired",
        OrderStatus::Replaced => "replaced",
        OrderStatus::Completed => "completed",
        _ => "failed",
    }
}

async fn watch_number(inner: &Arc<Inner>, j: &JobView, oid: &str) -> Result<Next> {
    let o = inner.order_view(oid)?;
    if got_code(&o) {
        return end(
            inner,
            &j.id,
            JobState::Done,
            "code_received",
            "A code came; the job is done.",
        );
    }
    let now = inner.now();
    // Closed (or its cancel accepted, the refund pending): the job may buy the next one.
    if closed(&o.status) {
        if o.status == OrderStatus::Replaced {
            if let Some(new) = &o.replaced_by {
                // Replaced outside the job (the user's Replace): the new number is the job's.
                inner.store.replace_job_order(&j.id, oid, new, now)?;
                announce(inner, &view(inner, &j.id)?);
                return Ok(Next::Now);
            }
        }
        inner
            .store
            .close_job_order(&j.id, oid, how(&o.status), now)?;
        announce(inner, &view(inner, &j.id)?);
        return Ok(Next::Now);
    }
    let blocked = j.use_blocklist && crate::blocklist::blocks(inner, &o)?.is_some();
    let due = o.created_at + chrono::Duration::milliseconds(j.replace_after_ms as i64);
    if !blocked && now < due {
        return Ok(Next::Wait(until(now, due)));
    }
    if j.orders.len() as u32 > j.max_replacements {
        let msg = format!(
            "No code after {} replacement(s); the last number stays open for you to cancel or keep.",
            j.replacements
        );
        return end(inner, &j.id, JobState::GaveUp, "max_replacements", &msg);
    }
    if o.provider == ProviderId::Numberotp {
        // No cancel at NumberOTP: the number runs out by itself, then the next is bought.
        let wait = o
            .expires_at
            .map(|t| until(now, t))
            .unwrap_or(inner.tracking.job_tick);
        return Ok(Next::Wait(wait.max(Duration::from_millis(200))));
    }
    let replace = o.actions.iter().any(|a| a.kind == ActionKind::Replace);
    if replace {
        // Replace refunds the old number and charges the new one in one transaction (at the
        // product's price now, read fresh): it must fit the cap and the maximum price.
        let q = match inner.gw.quote(&j.req).await {
            Ok(q) => q,
            Err(EngineError::Provider(ProviderError::OutOfStock { .. })) => {
                let msg =
                    "The offer is sold out; the last number stays open for you to cancel or keep.";
                return end(inner, &j.id, JobState::GaveUp, "out_of_stock", msg);
            }
            Err(EngineError::Provider(ProviderError::RateLimited { retry_after })) => {
                return Ok(Next::Wait(retry_after.unwrap_or(Duration::from_secs(10))))
            }
            Err(e) => return Err(e),
        };
        let old = o.price.map(|m| m.minor).unwrap_or(0);
        let new = q.price.map(|m| m.minor).unwrap_or(old);
        let (left, max) = limits(inner, j)?;
        if let Some(m) = max.filter(|m| new > m.minor) {
            let msg = format!(
                "The next number costs {}, above your maximum of {m}; the last number stays open.",
                Money::new(m.currency, new)
            );
            return end(inner, &j.id, JobState::GaveUp, "price_above_max", &msg);
        }
        if new - old > left.minor {
            let msg = format!(
                "The spending cap of {} is reached: {} spent, the next number costs {}; the last number stays open.",
                j.cap,
                j.spent,
                Money::new(j.cap.currency, new)
            );
            return end(inner, &j.id, JobState::GaveUp, "cap_reached", &msg);
        }
        return replace_now(inner, j, &o).await;
    }
    cancel_now(inner, j, &o).await
}

async fn replace_now(inner: &Arc<Inner>, j: &JobView, o: &OrderView) -> Result<Next> {
    inner
        .store
        .set_job_busy(&j.id, Some("replacement"), inner.now())?;
    match actions::replace(inner, &o.id).await {
        Ok(new) => {
            inner
                .store
                .replace_job_order(&j.id, &o.id, &new.id, inner.now())?;
            announce(inner, &view(inner, &j.id)?);
            Ok(Next::Now)
        }
        Err(e) => {
            if e.code() == ErrorCode::OutcomeUnknown {
                return Err(e);
            }
            // Refused: nothing was bought. Look again (a code may have come meanwhile).
            inner.store.set_job_busy(&j.id, None, inner.now())?;
            refused(inner, o, e)
        }
    }
}

async fn cancel_now(inner: &Arc<Inner>, j: &JobView, o: &OrderView) -> Result<Next> {
    let now = inner.now();
    if let Some(t) = o.cancel_unlocks_at.filter(|t| *t > now) {
        return Ok(Next::Wait(until(now, t)));
    }
    match actions::cancel(inner, &o.id).await {
        Ok(after) => {
            if closed(&after.status) {
                inner
                    .store
                    .close_job_order(&j.id, &o.id, how(&after.status), inner.now())?;
                announce(inner, &view(inner, &j.id)?);
            }
            Ok(Next::Now)
        }
        Err(EngineError::CancelCooldown { unlocks_at }) => Ok(Next::Wait(
            until(inner.now(), unlocks_at).max(Duration::from_millis(200)),
        )),
        Err(e) => refused(inner, o, e),
    }
}

/// An action on the live number was refused: fine when the number changed meanwhile (a code
/// came, it ended), an uncertain outcome otherwise.
fn refused(inner: &Arc<Inner>, o: &OrderView, e: EngineError) -> Result<Next> {
    if let EngineError::Provider(ProviderError::RateLimited { retry_after }) = &e {
        return Ok(Next::Wait(retry_after.unwrap_or(Duration::from_secs(10))));
    }
    let now = inner.order_view(&o.id)?;
    if got_code(&now) || now.status != o.status {
        return Ok(Next::Now);
    }
    Err(e)
}
