//! Where the app's log goes: stderr as before, and, once the app knows its log folder, rolling
//! daily files there (the last 7 kept), so a support person has something to ask for when a
//! release build on Windows has no console. A panic is logged before the default report.

use std::io::Write;
use std::path::Path;
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

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(f) = FILE.get() {
            // A full disk must not stop the app; stderr still gets the line.
            let _ = f.lock().unwrap_or_else(|p| p.into_inner()).write_all(buf);
        }
        std::io::stderr().write(buf)
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
    fn lines_reach_the_days_file_in_the_log_folder() {
        init();
        let dir = tempfile::tempdir().unwrap();
        to_folder(dir.path()).unwrap();
        tracing::info!("log-file-check 7f2c");
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
    }
}
