//! The desktop's own commands over IPC (with the app's real ACL where the test needs no other
//! command): quitting asks first only while
//! an order waits for its first code, start at login and the language reach the shell (the OS
//! registration and the tray) only when they change, and the log folder opens.

use crate::harness::{Harness, Start, KEYS};
use otpdesk_app::i18n::Lang;
use otpdesk_core::ProviderId;
use otpdesk_sim::SimConfig;
use serde_json::json;
use std::time::Duration;

#[test]
fn quit_asks_first_while_an_order_waits_for_its_code() {
    // Codes only when the test delivers them.
    let sim = tauri::async_runtime::block_on(otpdesk_sim::spawn(SimConfig::default())).unwrap();
    let urls = vec![
        (ProviderId::Otpzap, sim.otpzap_url()),
        (ProviderId::Numberotp, sim.numberotp_url()),
        (ProviderId::Ooppay, sim.ooppay_url()),
    ];
    // Without the real ACL: `wait_for_code` reads `recent_orders`, which the UI does not call.
    let h = Harness::start(Start {
        urls,
        ..Start::default()
    });
    for (p, key) in KEYS {
        h.ok("set_key", json!({"provider": p, "key": key}));
    }
    // Nothing running: quits at once.
    assert_eq!(h.ok("quit_app", json!({})), json!(true));
    assert_eq!(*h.shell.exits.lock().unwrap(), 1);
    assert!(h.shell.confirms.lock().unwrap().is_empty());

    let target =
        json!({"type": "otpzap_s2", "service_id": 101, "country_id": 7, "operator_id": "random"});
    let order = h.ok("buy", json!({"target": target}));
    let id = order["id"].as_str().unwrap().to_string();
    *h.shell.confirm_answer.lock().unwrap() = false;
    assert_eq!(h.ok("quit_app", json!({})), json!(false), "kept running");
    assert_eq!(*h.shell.exits.lock().unwrap(), 1);
    let asked = h.shell.confirms.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].title, "Quit OTPDesk?");
    assert!(
        asked[0].message.starts_with("1 order is still waiting"),
        "{}",
        asked[0].message
    );
    *h.shell.confirm_answer.lock().unwrap() = true;
    assert_eq!(h.ok("quit_app", json!({})), json!(true));
    assert_eq!(*h.shell.exits.lock().unwrap(), 2);

    // Its code came: nothing waits any more, no question.
    let reference = order["remote_id"].as_str().unwrap().to_string();
    tauri::async_runtime::block_on(sim.control().deliver_otp(&reference)).unwrap();
    h.wait_for_code(&id, Duration::from_secs(20));
    assert_eq!(h.ok("quit_app", json!({})), json!(true));
    assert_eq!(h.shell.confirms.lock().unwrap().len(), 2, "not asked again");
    assert_eq!(*h.shell.exits.lock().unwrap(), 3);
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}

#[test]
fn start_at_login_and_language_reach_the_os_and_tray_when_changed() {
    let h = Harness::start(Start {
        real_acl: true,
        ..Start::default()
    });
    let mut settings = h.ok("get_settings", json!({}));
    assert_eq!(
        settings["start_at_login"], false,
        "off until the user opts in"
    );
    settings["start_at_login"] = json!(true);
    let saved = h.ok("update_settings", json!({"settings": settings}));
    assert_eq!(saved["start_at_login"], true);
    assert_eq!(*h.shell.start_at_login.lock().unwrap(), [true]);
    assert!(h.shell.languages.lock().unwrap().is_empty());

    // Another change leaves the registration alone; the tray follows the language.
    let mut settings = saved;
    settings["language"] = json!("id");
    let saved = h.ok("update_settings", json!({"settings": settings}));
    assert_eq!(*h.shell.start_at_login.lock().unwrap(), [true]);
    assert_eq!(*h.shell.languages.lock().unwrap(), [Lang::Id]);

    // The OS refuses: the setting is not saved.
    *h.shell.start_at_login_fails.lock().unwrap() = true;
    let mut settings = saved;
    settings["start_at_login"] = json!(false);
    let e = h.err("update_settings", json!({"settings": settings}));
    assert_eq!(e["code"], "internal");
    assert!(
        e["message"].as_str().unwrap().contains("Start at login"),
        "{e}"
    );
    assert_eq!(h.ok("get_settings", json!({}))["start_at_login"], true);
}

#[test]
fn the_log_folder_opens() {
    let h = Harness::start(Start {
        real_acl: true,
        ..Start::default()
    });
    h.ok("open_log_folder", json!({}));
    assert_eq!(*h.shell.log_folder_opened.lock().unwrap(), 1);
}

/// GNOME without the AppIndicator extension has no StatusNotifierWatcher on the session bus: no
/// tray, so closing the window minimises it; KDE, XFCE or Ubuntu's GNOME have one.
#[cfg(target_os = "linux")]
#[test]
fn a_tray_shows_only_where_a_status_notifier_watcher_runs() {
    use otpdesk_app::tray::desktop_shows_trays;
    // The test's private session bus has none (as scripts/test.sh gives).
    assert!(!desktop_shows_trays(), "no watcher on the test's bus");
    for name in [
        "org.kde.StatusNotifierWatcher",
        "org.freedesktop.StatusNotifierWatcher",
    ] {
        let watcher = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.name(name))
            .and_then(|b| b.build())
            .unwrap_or_else(|e| panic!("no private D-Bus session to own {name} on ({e})"));
        assert!(desktop_shows_trays(), "{name} runs");
        drop(watcher);
        let start = std::time::Instant::now();
        while desktop_shows_trays() {
            assert!(start.elapsed() < Duration::from_secs(5), "{name} is gone");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
