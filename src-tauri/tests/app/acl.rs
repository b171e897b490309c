//! The app's command manifest and capability, as the real window gets them: the commands the UI
//! uses pass over IPC; a command registered in the invoke handler but not in the manifest, and a
//! plugin command the window was not granted, are refused before they run.

use crate::harness::{Harness, Start};
use otpdesk_app::ui_commands::UI_COMMANDS;
use otpdesk_core::ProviderId;
use serde_json::{json, Value};

fn refused(h: &Harness, cmd: &str, args: Value) -> String {
    let e = h.err(cmd, args);
    let text = e
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| e.to_string());
    assert!(
        text.contains("not allowed") || text.contains("ACL"),
        "{cmd} should be refused by the ACL, got {text}"
    );
    text
}

#[test]
fn only_the_commands_of_the_manifest_reach_the_app() {
    let sim = tauri::async_runtime::block_on(otpdesk_sim::spawn(otpdesk_sim::SimConfig::default()))
        .unwrap();
    let urls = vec![
        (ProviderId::Otpzap, sim.otpzap_url()),
        (ProviderId::Numberotp, sim.numberotp_url()),
        (ProviderId::Ooppay, sim.ooppay_url()),
    ];
    let h = Harness::start(Start {
        urls,
        real_acl: true,
        ..Start::default()
    });

    // Commands the UI calls work as before.
    assert!(UI_COMMANDS.contains(&"app_status"));
    let status = h.ok("app_status", json!({}));
    assert_eq!(status["mode"], "real");
    let settings = h.ok("get_settings", json!({}));
    h.ok("update_settings", json!({ "settings": settings }));
    let e = h.err(
        "set_key",
        json!({"provider": "otpzap", "key": "wrong_key_000000000"}),
    );
    assert_eq!(e["code"], "auth", "the command ran: {e}");

    // Registered (tests and tools use them) but not in the manifest: refused over IPC.
    for (cmd, args) in [
        ("keys_status", json!({})),
        ("recent_orders", json!({"limit": 5})),
        ("profit_report", json!({})),
        ("s1_countries", json!({})),
        ("s2_countries", json!({})),
    ] {
        assert!(!UI_COMMANDS.contains(&cmd));
        refused(&h, cmd, args);
    }
    // A plugin the app registers, but the window was not granted.
    refused(&h, "plugin:store|load", json!({"path": "settings.json"}));
    // Updates: the window asks where they stand and for the restart, never the plugin itself.
    let update = h.ok("update_status", json!({}));
    assert_eq!(
        update["state"], "not_configured",
        "the placeholder key: {update}"
    );
    let e = h.err("restart_to_update", json!({}));
    assert_eq!(e["code"], "not_allowed", "no update is ready: {e}");
    for cmd in ["check", "download", "install", "download_and_install"] {
        refused(&h, &format!("plugin:updater|{cmd}"), json!({}));
    }
    h.close();
    tauri::async_runtime::block_on(sim.shutdown());
}
