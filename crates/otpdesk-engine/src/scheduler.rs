//! One tracker per provider key for every active order and deposit. Each tracker keeps its items
//! ordered by when they are next due; it takes a token from the key's shared budget and only then
//! picks the most overdue item, so when the budget cannot poll everything every 5 s, the least
//! recently polled goes first (round-robin) and no item starves. A provider's queue is active only
//! while this engine holds that provider's tracking lease ([`crate::lease`]); otherwise another
//! process tracks, and adding items here does nothing.

use crate::engine::Inner;
use crate::tracking;
use otpdesk_core::ProviderId;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::Instant;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Track {
    Order(String),
    Deposit(String),
}

/// How an item is asked next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Poll,
    /// NumberOTP `/wait`.
    LongPoll,
    /// NumberOTP after `/wait` failed: plain polls, `/wait` is tried again after this many.
    Fallback(u8),
}

/// Plain polls before a failed `/wait` is tried again (about a minute at 5 s).
pub(crate) const FALLBACK_POLLS: u8 = 12;

#[derive(Debug)]
struct Entry {
    due: Option<(Instant, u64)>,
    pub errors: u32,
    pub mode: Mode,
}

#[derive(Default)]
struct QState {
    due: BTreeSet<(Instant, u64, Track)>,
    entries: HashMap<Track, Entry>,
    seq: u64,
}

pub(crate) struct Queue {
    pub provider: ProviderId,
    /// This engine holds the provider's tracking lease.
    active: std::sync::atomic::AtomicBool,
    state: Mutex<QState>,
    notify: Notify,
    pub in_flight: Arc<Semaphore>,
}

/// What the tracker learned from one request, deciding when the item is asked next.
pub(crate) enum Next {
    /// Stop tracking (final, or gone).
    Done,
    /// Ask again at this instant, in this mode; `error` counts towards the back-off.
    At {
        at: Instant,
        mode: Mode,
        error: bool,
    },
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn schedule_locked(st: &mut QState, t: Track, at: Instant) {
        st.seq += 1;
        let seq = st.seq;
        if let Some(e) = st.entries.get_mut(&t) {
            if let Some((old, s)) = e.due.take() {
                st.due.remove(&(old, s, t.clone()));
            }
            e.due = Some((at, seq));
            st.due.insert((at, seq, t));
        }
    }

    fn is_active(&self) -> bool {
        self.active.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Add an item due now; a no-op when it is already tracked or another process tracks.
    pub fn add(&self, t: Track, mode: Mode) {
        if !self.is_active() {
            return;
        }
        let mut st = self.lock();
        if st.entries.contains_key(&t) {
            return;
        }
        st.entries.insert(
            t.clone(),
            Entry {
                due: None,
                errors: 0,
                mode,
            },
        );
        Self::schedule_locked(&mut st, t, Instant::now());
        drop(st);
        self.notify.notify_one();
    }

    /// Ask about an item now (e.g. after a resend).
    pub fn poke(&self, t: &Track) {
        let mut st = self.lock();
        if st.entries.get(t).is_some_and(|e| e.due.is_some()) {
            Self::schedule_locked(&mut st, t.clone(), Instant::now());
            drop(st);
            self.notify.notify_one();
        }
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    fn next_due(&self) -> Option<Instant> {
        self.lock().due.first().map(|(at, _, _)| *at)
    }

    /// Take the most overdue item; it is in flight (not in the due set) until [`Self::done`].
    fn pop_due(&self) -> Option<(Track, Mode, u32)> {
        let mut st = self.lock();
        let now = Instant::now();
        let first = st.due.first().cloned()?;
        if first.0 > now {
            return None;
        }
        st.due.remove(&first);
        let e = st.entries.get_mut(&first.2)?;
        e.due = None;
        Some((first.2, e.mode, e.errors))
    }

    pub fn done(&self, t: Track, next: Next) {
        let mut st = self.lock();
        match next {
            Next::Done => {
                st.entries.remove(&t);
            }
            Next::At { at, mode, error } => {
                if let Some(e) = st.entries.get_mut(&t) {
                    e.mode = mode;
                    e.errors = if error { e.errors.saturating_add(1) } else { 0 };
                }
                Self::schedule_locked(&mut st, t, at);
            }
        }
        drop(st);
        self.notify.notify_one();
    }
}

#[derive(Default)]
pub struct Scheduler {
    queues: Mutex<HashMap<ProviderId, Arc<Queue>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Scheduler {
    pub(crate) fn new() -> Scheduler {
        Scheduler::default()
    }

    /// One worker per configured provider.
    pub(crate) fn start(inner: &Arc<Inner>) {
        for p in ProviderId::ALL {
            if !inner.gw.configured(p) {
                continue;
            }
            let q = Arc::new(Queue {
                provider: p,
                active: std::sync::atomic::AtomicBool::new(false),
                state: Mutex::new(QState::default()),
                notify: Notify::new(),
                in_flight: Arc::new(Semaphore::new(inner.tracking.max_in_flight.max(1))),
            });
            inner
                .sched
                .queues
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(p, q.clone());
            let h = tokio::spawn(worker(inner.clone(), q));
            inner
                .sched
                .workers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(h);
        }
    }

    pub(crate) fn queue(&self, p: ProviderId) -> Option<Arc<Queue>> {
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&p)
            .cloned()
    }

    /// Track an order or deposit (its provider is read from the store).
    pub(crate) fn add(&self, inner: &Inner, t: Track) {
        match &t {
            Track::Order(id) => {
                if let Ok(Some(o)) = inner.store.order(id) {
                    self.add_order(inner, &o);
                }
            }
            Track::Deposit(id) => {
                if let Ok(Some(d)) = inner.store.deposit(id) {
                    self.add_deposit(&d);
                }
            }
        }
    }

    /// Track an open order already read from the store.
    pub(crate) fn add_order(&self, inner: &Inner, o: &crate::model::OrderView) {
        if o.status.is_final() {
            return;
        }
        let lp =
            o.provider == ProviderId::Numberotp && inner.tracking.long_poll && o.otps.is_empty();
        if let Some(q) = self.queue(o.provider) {
            q.add(
                Track::Order(o.id.clone()),
                if lp { Mode::LongPoll } else { Mode::Poll },
            );
        }
    }

    /// Track an expired QRIS invoice that may still be paid (`crate::late_deposits`).
    pub(crate) fn add_late_deposit(&self, d: &crate::model::DepositView) {
        if let Some(q) = self.queue(d.provider) {
            q.add(Track::Deposit(d.id.clone()), Mode::Poll);
        }
    }

    /// Track an unpaid deposit already read from the store.
    pub(crate) fn add_deposit(&self, d: &crate::model::DepositView) {
        if d.status.is_final() {
            return;
        }
        if let Some(q) = self.queue(d.provider) {
            q.add(Track::Deposit(d.id.clone()), Mode::Poll);
        }
    }

    pub(crate) fn poke(&self, p: ProviderId, t: &Track) {
        if let Some(q) = self.queue(p) {
            q.poke(t);
        }
    }

    /// Whether this engine tracks `p` now (holds its lease).
    pub(crate) fn is_active(&self, p: ProviderId) -> bool {
        self.queue(p).is_some_and(|q| q.is_active())
    }

    /// Start or stop tracking `p`. Stopping forgets every item (the new holder reads them from
    /// the store); a request in flight finishes and stores what it learned.
    pub(crate) fn set_active(&self, p: ProviderId, on: bool) {
        if let Some(q) = self.queue(p) {
            q.active.store(on, std::sync::atomic::Ordering::SeqCst);
            if !on {
                let mut st = q.lock();
                st.due.clear();
                st.entries.clear();
            }
            q.notify.notify_one();
        }
    }

    pub fn len(&self) -> usize {
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|q| q.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A background task that [`Self::join`] waits for at shutdown.
    pub(crate) fn keep(&self, h: JoinHandle<()>) {
        self.workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(h);
    }

    pub(crate) async fn join(&self) {
        let hs: Vec<_> =
            std::mem::take(&mut *self.workers.lock().unwrap_or_else(|e| e.into_inner()));
        for h in hs {
            let _ = h.await;
        }
    }
}

async fn worker(inner: Arc<Inner>, q: Arc<Queue>) {
    let Some(budget) = inner.gw.budget(q.provider).cloned() else {
        return;
    };
    loop {
        if *inner.shutdown.borrow() {
            return;
        }
        let wait = match q.next_due() {
            None => None,
            Some(at) if at > Instant::now() => Some(at),
            Some(_) => {
                // Ordinary polls are capped in flight; long-polls hold no permit.
                let permit = tokio::select! {
                    p = q.in_flight.clone().acquire_owned() => p.ok(),
                    _ = inner.stopped() => return,
                };
                tokio::select! {
                    _ = budget.acquire(crate::rate_budget::Priority::Background) => {}
                    _ = inner.stopped() => return,
                }
                // `None`: the token is spent but nothing was due after all (rare).
                if let Some((t, mode, errors)) = q.pop_due() {
                    let permit = if mode == Mode::LongPoll { None } else { permit };
                    let (inner2, q2) = (inner.clone(), q.clone());
                    tokio::spawn(async move {
                        let _permit = permit;
                        tokio::select! {
                            _ = tracking::run_one(&inner2, &q2, t, mode, errors) => {}
                            _ = inner2.stopped() => {}
                        }
                    });
                }
                continue;
            }
        };
        tokio::select! {
            _ = q.notify.notified() => {}
            _ = sleep_until_opt(wait) => {}
            _ = inner.stopped() => return,
        }
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Exponential back-off from `base` up to `max`.
pub(crate) fn backoff(base: Duration, errors: u32, max: Duration) -> Duration {
    base.saturating_mul(1u32 << errors.min(10)).min(max)
}
