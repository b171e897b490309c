//! Start at login for real, as the app registers it through tauri-plugin-autostart: with HOME
//! (and XDG_CONFIG_HOME) in a temporary folder, turning it on writes the autostart desktop entry
//! that starts this executable with `--hidden`, and turning it off removes it. Its own test
//! binary, since it changes the process's HOME.

#[cfg(target_os = "linux")]
#[test]
fn start_at_login_writes_and_removes_the_autostart_entry() {
    use otpdesk_app::autostart;
    use tauri::test::{mock_builder, MockRuntime};

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".config");
    // Before anything reads them: this process has no other thread yet.
    std::env::set_var("HOME", home.path());
    std::env::set_var("XDG_CONFIG_HOME", &config);
    let app = mock_builder()
        .plugin(autostart::plugin())
        .build(otpdesk_app::context::<MockRuntime>())
        .unwrap();
    let app = app.handle();
    let dir = config.join("autostart");
    let entries = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };

    assert!(!autostart::is_on(app).unwrap());
    assert!(entries().is_empty());
    // Turning it off when it is off is fine.
    autostart::set(app, false).unwrap();

    autostart::set(app, true).unwrap();
    assert!(autostart::is_on(app).unwrap());
    let files = entries();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert_eq!(name, "OTPDesk.desktop", "named after the product");
    let entry = std::fs::read_to_string(&files[0]).unwrap();
    let exe = std::env::current_exe().unwrap();
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .unwrap_or_else(|| panic!("no Exec line in {entry}"));
    assert_eq!(exec, format!("{} --hidden", exe.display()), "{entry}");
    assert!(entry.contains("[Desktop Entry]"), "{entry}");

    autostart::set(app, false).unwrap();
    assert!(!autostart::is_on(app).unwrap());
    assert!(entries().is_empty(), "{:?}", entries());
}
