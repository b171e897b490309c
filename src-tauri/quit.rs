//! Quitting (tray Quit, the window's Quit): while orders still wait for their first code,
//! OTPDesk asks first in a native dialog, since once closed it neither fetches, shows nor copies
//! their codes. One question at a time.

use crate::i18n::{self, Lang};
use crate::shell::Confirm;
use crate::state::AppState;
use otpdesk_engine::{OrderFilter, OrderView};
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Manager, Runtime};

/// Orders still waiting for their first code.
pub fn waiting_for_first_code(orders: &[OrderView]) -> usize {
    orders
        .iter()
        .filter(|o| !o.is_final && o.latest_code().is_none())
        .count()
}

/// What to ask before quitting; `None`: quit at once.
pub fn question(lang: Lang, waiting: usize) -> Option<Confirm> {
    (waiting > 0).then(|| i18n::confirm_quit(lang, waiting))
}

/// A question is on screen: a second Quit does not ask again.
static ASKING: AtomicBool = AtomicBool::new(false);

/// Ask when needed, then exit through the shell. `false`: the user kept OTPDesk running (or a
/// question was already open).
pub async fn quit(state: &AppState) -> bool {
    let waiting = match state.session().await {
        Ok(s) => {
            let filter = OrderFilter {
                active_only: true,
                limit: Some(500),
                ..OrderFilter::default()
            };
            s.engine
                .orders(&filter)
                .map(|o| waiting_for_first_code(&o))
                .unwrap_or(0)
        }
        // Nothing open: nothing is waiting here.
        Err(_) => 0,
    };
    let lang = i18n::resolve(state.settings.get().language);
    if let Some(q) = question(lang, waiting) {
        if ASKING.swap(true, Ordering::SeqCst) {
            return false;
        }
        let shell = state.shell.clone();
        let yes = tokio::task::spawn_blocking(move || shell.confirm(&q))
            .await
            .unwrap_or(false);
        ASKING.store(false, Ordering::SeqCst);
        if !yes {
            return false;
        }
    }
    state.shell.exit();
    true
}

/// The tray's Quit.
pub fn from_tray<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match app.try_state::<AppState>() {
            Some(state) => {
                quit(&state).await;
            }
            None => app.exit(0),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_only_while_an_order_waits_for_its_first_code() {
        let open = crate::tray::tests::order_view();
        let with_code = OrderView {
            otps: vec![otpdesk_engine::OtpView {
                seq: 1,
                code: Some("482913".into()),
                text: None,
                sender: None,
                service: None,
                received_at: None,
                stored_at: chrono::Utc::now(),
                late: false,
            }],
            ..open.clone()
        };
        let done = OrderView {
            is_final: true,
            ..open.clone()
        };
        assert_eq!(
            waiting_for_first_code(&[with_code.clone(), done.clone()]),
            0
        );
        assert_eq!(
            waiting_for_first_code(&[open.clone(), with_code, open, done]),
            2
        );
        assert_eq!(question(Lang::En, 0), None);
        let q = question(Lang::En, 2).unwrap();
        assert!(q.message.contains("2 orders"), "{}", q.message);
        assert_eq!(q.ok, "Quit");
        assert_eq!(question(Lang::Id, 1).unwrap().ok, "Keluar");
    }
}
