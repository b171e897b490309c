//! The OTP notification as the desktop receives it: a stand-in `org.freedesktop.Notifications`
//! on the test's D-Bus session records the `Notify` call, then clicks it and its "Copy code"
//! button the way a notification server does (`ActionInvoked`).

use otpdesk_app::i18n::Lang;
use otpdesk_app::notify::{self, Choice, Sender};
use otpdesk_core::{Money, OrderStatus, ProviderId};
use otpdesk_engine::{OrderKind, OrderView};
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;
use zbus::zvariant::OwnedValue;

/// One `Notify` call as the server received it.
#[derive(Debug)]
struct Shown {
    app: String,
    icon: String,
    summary: String,
    body: String,
    hints: HashMap<String, OwnedValue>,
    actions: Vec<String>,
}

struct Recorder(mpsc::Sender<Shown>, std::sync::atomic::AtomicU32);

// `crate`: the app itself depends on zbus 6 (as `zbus6`), which the macro would pick.
#[zbus::interface(name = "org.freedesktop.Notifications", crate = "zbus")]
impl Recorder {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _ = self.0.send(Shown {
            app: app_name,
            icon: app_icon,
            summary,
            body,
            hints,
            actions,
        });
        id
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

/// The server says the user clicked `action` on notification `id`. Said again until heard: the
/// notification's thread may subscribe to the signal a moment after `Notify` returned.
fn invoke(
    server: &zbus::blocking::Connection,
    id: u32,
    action: &str,
    heard: &mpsc::Receiver<Choice>,
) -> Choice {
    for _ in 0..100 {
        server
            .emit_signal(
                None::<()>,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                "ActionInvoked",
                &(id, action),
            )
            .unwrap();
        if let Ok(choice) = heard.recv_timeout(Duration::from_millis(100)) {
            return choice;
        }
    }
    panic!("{action} on the notification did not reach the app");
}

#[test]
fn a_code_becomes_a_native_notification_with_service_number_code_and_copy_button() {
    let (tx, rx) = mpsc::channel();
    let server = zbus::blocking::connection::Builder::session()
        .and_then(|b| b.name("org.freedesktop.Notifications"))
        .and_then(|b| {
            b.serve_at(
                "/org/freedesktop/Notifications",
                Recorder(tx, std::sync::atomic::AtomicU32::new(1)),
            )
        })
        .and_then(|b| b.build());
    // Needs a private session bus with no notification daemon on it, as `scripts/test.sh` gives.
    let server = server.unwrap_or_else(|e| {
        panic!("no private D-Bus session to stand in for the notification server ({e}); run in `dbus-run-session` as scripts/test.sh does")
    });
    // As the app's setup names it on Linux (the desktop entry the bundles install, the icon).
    notify::configure(Sender {
        app_name: "OTPDesk".into(),
        windows_app_id: None,
        desktop_entry: Some("OTPDesk".into()),
        icon: Some("/tmp/otpdesk-test/notification-icon.png".into()),
    });
    let (chose, heard) = mpsc::channel();
    let on_choice = |chose: mpsc::Sender<Choice>| -> notify::OnChoice {
        Box::new(move |c| {
            let _ = chose.send(c);
        })
    };
    notify::code_notification_in(
        Lang::En,
        &order(),
        "482913",
        true,
        false,
        Some(on_choice(chose.clone())),
    );
    let shown = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a Notify call");
    assert_eq!(shown.app, "OTPDesk");
    assert_eq!(shown.icon, "/tmp/otpdesk-test/notification-icon.png");
    assert_eq!(shown.summary, "WhatsApp code: 482913");
    assert_eq!(shown.body, "+6281234567890 · OTPZap");
    assert!(shown.hints.contains_key("sound-name"), "{:?}", shown.hints);
    let entry: String = shown.hints["desktop-entry"]
        .try_clone()
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(entry, "OTPDesk");
    assert_eq!(shown.actions, ["default", "OTPDesk", "copy", "Copy code"]);

    // The user clicks it: the app's handler (the window coming back, in the app) runs.
    assert_eq!(invoke(&server, 1, "default", &heard), Choice::Open);

    // In Bahasa Indonesia, and this time the user presses the button.
    notify::code_notification_in(
        Lang::Id,
        &order(),
        "731905",
        false,
        false,
        Some(on_choice(chose)),
    );
    let shown = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a Notify call");
    assert_eq!(shown.summary, "Kode WhatsApp: 731905");
    assert!(!shown.hints.contains_key("sound-name"), "sound off");
    assert_eq!(shown.actions, ["default", "OTPDesk", "copy", "Salin kode"]);
    assert_eq!(invoke(&server, 2, "copy", &heard), Choice::Copy);
}
