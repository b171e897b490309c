//! The history as CSV: the backend writes it to a path the user picks in the native save dialog,
//! so the window needs no file system or dialog permission. The lines come from the engine
//! ([`otpdesk_engine::csv`]) for the very query the screen shows, so the file is the screen.

pub use otpdesk_engine::history::{csv, export_query};
