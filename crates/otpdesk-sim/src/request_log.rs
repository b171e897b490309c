//! The request log the control API shows: who called what and what they got, keyed by a key
//! fingerprint (never the key). Bounded so a long-running sim does not grow without end.

use crate::control::types::{RequestLogEntry, RequestsView};

const MAX_ENTRIES: usize = 20_000;

#[derive(Debug, Default)]
pub struct RequestLog {
    entries: std::collections::VecDeque<RequestLogEntry>,
    next_seq: u64,
}

impl RequestLog {
    pub fn push(&mut self, mut entry: RequestLogEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn view(&self) -> RequestsView {
        RequestsView {
            total: self.entries.len(),
            count_429: self.entries.iter().filter(|e| e.status == 429).count(),
            requests: self.entries.iter().cloned().collect(),
        }
    }
}
