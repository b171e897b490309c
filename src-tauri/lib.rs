//! The Tauri shell. Thin by design: windows, plugins and wiring; domain logic lives in `crates/`.

/// Build and run the desktop app.
pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("OTPDesk could not start its window");
}
