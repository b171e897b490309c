//! Printing results: a sentence or a table for people, or one JSON object per line with `--json`.

use chrono::Local;
use otpdesk_core::{Money, Timestamp};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// One result: `record` in `--json` mode (an object; `kind` is added as `"type"`), else `human`.
    pub fn emit(&self, kind: &str, mut record: Value, human: impl FnOnce() -> String) {
        if self.json {
            if let Value::Object(map) = &mut record {
                map.insert("type".into(), json!(kind));
            }
            println!("{record}");
        } else {
            println!("{}", human());
        }
    }

    /// A list: one JSON line per row, or an aligned table.
    pub fn table(&self, kind: &str, headers: &[&str], rows: Vec<(Value, Vec<String>)>) {
        if self.json {
            for (record, _) in rows {
                self.emit(kind, record, String::new);
            }
            return;
        }
        if rows.is_empty() {
            println!("Nothing found.");
            return;
        }
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for (_, cells) in &rows {
            for (w, c) in widths.iter_mut().zip(cells) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: Vec<String>| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            println!("{}", padded.join("  ").trim_end());
        };
        line(headers.iter().map(|h| h.to_string()).collect());
        for (_, cells) in rows {
            line(cells);
        }
    }

    /// Progress for people (stderr, so stdout stays the result); silent in `--json` mode.
    pub fn progress(&self, text: &str) {
        if !self.json {
            eprintln!("{text}");
        }
    }
}

/// JSON form of an amount: exact minor units plus the decimal text.
pub fn money_json(m: Option<Money>) -> Value {
    match m {
        Some(m) => {
            json!({"currency": m.currency.code(), "minor": m.minor, "amount": m.to_decimal_string()})
        }
        None => Value::Null,
    }
}

pub fn money_text(m: Option<Money>) -> String {
    m.map(|m| m.to_string()).unwrap_or_else(|| "-".into())
}

pub fn time_json(t: Option<Timestamp>) -> Value {
    t.map(|t| json!(t.to_rfc3339())).unwrap_or(Value::Null)
}

/// Local wall-clock time for people.
pub fn time_text(t: Option<Timestamp>) -> String {
    t.map(|t| {
        t.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    })
    .unwrap_or_else(|| "-".into())
}

pub fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

pub fn count(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
}
