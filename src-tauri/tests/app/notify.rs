//! The OTP notification as the desktop receives it: a stand-in `org.freedesktop.Notifications`
//! on the test's D-Bus session records the `Notify` call.

use otpdesk_core::{Money, OrderStatus, ProviderId};
use otpdesk_engine::{OrderKind, OrderView};
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;
use zbus::zvariant::OwnedValue;

/// App name, summary, body, hint names and actions of one `Notify` call.
type Shown = (String, String, String, Vec<String>, Vec<String>);

struct Recorder(mpsc::Sender<Shown>);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let hints = hints.into_keys().collect();
        let _ = self.0.send((app_name, summary, body, hints, actions));
        1
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "sound".into(), "actions".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "recorder".into(),
            "otpdesk".into(),
            "1".into(),
            "1.2".into(),
        )
    }
}

fn order() -> OrderView {
    let now = chrono::Utc::now();
    OrderView {
        id: "o1".into(),
        provider: ProviderId::Otpzap,
        kind: OrderKind::Sms,
        server: Some(1),
        remote_id: "123".into(),
        remote_ref: None,
        phone: Some("+6281234567890".into()),
        email: None,
        service: "WhatsApp".into(),
        price: Some(Money::idr(2835)),
        status: OrderStatus::OtpReceived,
        created_at: now,
        updated_at: now,
        expires_at: None,
        resend_count: 0,
        resend_locked_until: None,
        resend_waiting_for_otp: false,
        cancel_unlocks_at: None,
        attempt_id: None,
        replaced_by: None,
        otps: Vec::new(),
        is_final: false,
        actions: Vec::new(),
    }
}

#[test]
fn a_code_becomes_a_native_notification_with_service_number_and_code() {
    let (tx, rx) = mpsc::channel();
    let server = zbus::blocking::connection::Builder::session()
        .and_then(|b| b.name("org.freedesktop.Notifications"))
        .and_then(|b| b.serve_at("/org/freedesktop/Notifications", Recorder(tx)))
        .and_then(|b| b.build());
    // Needs a private session bus with no notification daemon on it, as `scripts/test.sh` gives.
    let server = server.unwrap_or_else(|e| {
        panic!("no private D-Bus session to stand in for the notification server ({e}); run in `dbus-run-session` as scripts/test.sh does")
    });
    let (clicked_tx, clicked) = mpsc::channel();
    let on_click = Box::new(move || {
        let _ = clicked_tx.send(());
    });
    otpdesk_app::notify::code_notification(&order(), "482913", true, false, Some(on_click));
    let (app, summary, body, hints, actions) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a Notify call");
    assert_eq!(app, "OTPDesk");
    assert_eq!(summary, "WhatsApp code: 482913");
    assert_eq!(body, "+6281234567890 · OTPZap");
    assert!(hints.iter().any(|h| h == "sound-name"), "{hints:?}");
    assert_eq!(
        actions.first().map(String::as_str),
        Some("default"),
        "{actions:?}"
    );

    // The user clicks it: the server says `ActionInvoked(id, "default")`, and the app's handler
    // (the window coming back, in the app) runs. Said again until heard: the notification's
    // thread may subscribe to the signal a moment after `Notify` returned.
    for _ in 0..100 {
        server
            .emit_signal(
                None::<()>,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                "ActionInvoked",
                &(1u32, "default"),
            )
            .unwrap();
        if clicked.recv_timeout(Duration::from_millis(100)).is_ok() {
            return;
        }
    }
    panic!("a click on the notification did not reach the app");
}
