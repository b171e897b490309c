//! Where the app's log goes: stderr as before, and, once the app knows its log folder, rolling
//! daily files there (the last 7 kept), so a support person has something to ask for when a
//! release build on Windows has no console. A panic is logged before the default report.
//! Every line is written with phone-like digit runs masked (`+62812****7890`), wherever a number
//! slipped into a message; codes and keys are never logged in the first place.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use tracing_appender::rolling::{RollingFileAppender, Rotation};

/// Daily files kept (older ones are deleted at rotation).
pub const KEEP_FILES: usize = 7;
/// `otpdesk.YYYY-MM-DD.log`.
const PREFIX: &str = "otpdesk";
const SUFFIX: &str = "log";

static FILE: OnceLock<Mutex<RollingFileAppender>> = OnceLock::new();

/// Every log line goes to stderr and, once [`to_folder`] ran, to the day's file.
struct Tee;

/// Digits in a row from which a number is treated as a phone number (Indonesian mobile numbers
/// have 10 to 13 digits).
const PHONE_DIGITS: usize = 10;
/// Digits kept in view at the start and at the end of a masked number.
const KEEP_HEAD: usize = 5;
const KEEP_TAIL: usize = 4;

/// `text` with every run of 10 or more digits (a leading `+` kept) masked in its middle:
/// `+6281234567890` → `+62812****7890`, so a support person can still tell numbers apart.
pub fn mask_phone_numbers(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = i - start;
        if run < PHONE_DIGITS {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[copied..start + KEEP_HEAD]);
        o.extend(std::iter::repeat_n('*', run - KEEP_HEAD - KEEP_TAIL));
        copied = i - KEEP_TAIL;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

impl Write for Tee {
    /// `buf` is one whole formatted line (the fmt layer writes each event at once).
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let masked = mask_phone_numbers(&text);
        if let Some(f) = FILE.get() {
            // A full disk must not stop the app; stderr still gets the line.
            let _ = f
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .write_all(masked.as_bytes());
        }
        std::io::stderr().write_all(masked.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(f) = FILE.get() {
            let _ = f.lock().unwrap_or_else(|p| p.into_inner()).flush();
        }
        std::io::stderr().flush()
    }
}

/// Start logging (at `info` unless `RUST_LOG` says otherwise) and log panics.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(|| Tee)
        .try_init();
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        report(info);
    }));
}

/// The app's log folder (`app_log_dir`: `~/.local/share/<identifier>/logs` on Linux,
/// `%LOCALAPPDATA%\\<identifier>\\logs` on Windows, `~/Library/Logs/<identifier>` on macOS).
pub fn folder<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<PathBuf> {
    use tauri::Manager;
    app.path().app_log_dir()
}

/// Also write the log to daily files in `dir` (created if missing). Once per process.
pub fn to_folder(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(std::io::Error::other)?;
    if FILE.set(Mutex::new(appender)).is_err() {
        tracing::debug!("the log folder was set already");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_reach_the_days_file_in_the_log_folder_with_phone_numbers_masked() {
        init();
        let dir = tempfile::tempdir().unwrap();
        to_folder(dir.path()).unwrap();
        tracing::info!("log-file-check 7f2c");
        tracing::info!(
            phone = "+6281234567890",
            "mask-check 91ab: bought +6281234567890"
        );
        let _ = Tee.flush();
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.starts_with("otpdesk.") && name.ends_with(".log"),
            "{name}"
        );
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("log-file-check 7f2c"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour codes in the file");
        // A phone number reaches the file masked, in the message and in a field.
        let line = text
            .lines()
            .find(|l| l.contains("mask-check 91ab"))
            .unwrap();
        assert!(!text.contains("6281234567890"), "{line}");
        assert!(line.contains("bought +62812****7890"), "{line}");
        assert!(line.contains("phone=\"+62812****7890\""), "{line}");
    }

    #[test]
    fn phone_numbers_are_masked_in_the_middle() {
        assert_eq!(mask_phone_numbers("+6281234567890"), "+62812****7890");
        assert_eq!(
            mask_phone_numbers("number 6281234567890, order 123, 0812345678 and 081234567"),
            "number 62812****7890, order 123, 08123*5678 and 081234567"
        );
        assert!(matches!(mask_phone_numbers("no numbers"), Cow::Borrowed(_)));
        assert_eq!(
            mask_phone_numbers("Rp 50.000 at 2026-01-02T10:00:00.123456Z"),
            "Rp 50.000 at 2026-01-02T10:00:00.123456Z"
        );
        assert_eq!(
            mask_phone_numbers("é+628123456789012é"),
            "é+62812******9012é"
        );
    }
}
