//! One tracker per provider key for every active order and deposit. Each tracker keeps its items
//! ordered by when they are next due; it takes a token from the key's shared budget and only then
//! picks the most overdue item, so when the budget cannot poll everything every 5 s, the least
//! recently polled goes first (round-robin) and no item starves. A provider's queue is active only
//! while this engine holds that provider's tracking lease ([`crate::lease`]); otherwise another
//! process tracks, and adding items here does nothing.

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

    /// Wakes when an item was added or poked, or tracking was switched on or off.
    pub(crate) async fn changed(&self) {
        self.notify.notified().await
    }

    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.lock().due.first().map(|(at, _, _)| *at)
    }

    /// Take the most overdue item; it is in flight (not in the due set) until [`Self::done`].
    pub(crate) fn pop_due(&self) -> Option<(Track, Mode, u32)> {
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

    /// A queue for `p`, with at most `max_in_flight` ordinary polls under way; its worker is
    /// run by [`crate::tracking`].
    pub(crate) fn add_queue(&self, p: ProviderId, max_in_flight: usize) -> Arc<Queue> {
        let q = Arc::new(Queue {
            provider: p,
            active: std::sync::atomic::AtomicBool::new(false),
            state: Mutex::new(QState::default()),
            notify: Notify::new(),
            in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))),
        });
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p, q.clone());
        q
    }

    pub(crate) fn queue(&self, p: ProviderId) -> Option<Arc<Queue>> {
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&p)
            .cloned()
    }

    /// Track an item of `p` (nothing happens unless this engine holds `p`'s lease).
    pub(crate) fn add(&self, p: ProviderId, t: Track, mode: Mode) {
        if let Some(q) = self.queue(p) {
            q.add(t, mode);
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

/// Exponential back-off from `base` up to `max`.
pub(crate) fn backoff(base: Duration, errors: u32, max: Duration) -> Duration {
    base.saturating_mul(1u32 << errors.min(10)).min(max)
}
