//! Which actions an order or deposit allows, and from when. One rules function per provider
//! answers for every action; the views list what it allows (what the UI offers) and
//! `actions.rs` refuses what it does not (what the engine sends), so the two cannot disagree.

use crate::error::{EngineError, Result};
use crate::model::{ActionKind, AllowedAction, DepositView, OrderKind, OrderView, Time};
use otpdesk_core::{DepositStatus, OrderStatus, ProviderId};

/// A rules function's answer for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed, from `unlock_at` when set.
    Allowed { unlock_at: Option<Time> },
    /// Locked until something the provider has not done yet (a resend waits for a new code);
    /// not before `not_before` when known. Not offered.
    UntilNewCode { not_before: Option<Time> },
    /// Never for this order as it is now; the reason is shown to the user.
    Refused(String),
}

/// The rules for one order and one action.
pub fn verdict(o: &OrderView, kind: ActionKind) -> Verdict {
    if o.status.is_final() || matches!(o.status, OrderStatus::Unknown(_)) {
        return Verdict::Refused(format!("the order is {}", o.status));
    }
    if o.status == OrderStatus::CancelRequested {
        return Verdict::Refused(
            "its cancel is waiting for the provider to confirm the refund".into(),
        );
    }
    match o.provider {
        ProviderId::Otpzap => otpzap(o, kind),
        ProviderId::Numberotp => numberotp(o, kind),
        ProviderId::Ooppay => Verdict::Refused("OOPPay sells no numbers".into()),
    }
}

/// What an order allows: the views carry it, the UI shows exactly these.
pub fn order_actions(o: &OrderView) -> Vec<AllowedAction> {
    ActionKind::ALL
        .into_iter()
        .filter_map(|kind| match verdict(o, kind) {
            Verdict::Allowed { unlock_at } => Some(AllowedAction { kind, unlock_at }),
            Verdict::UntilNewCode { .. } | Verdict::Refused(_) => None,
        })
        .collect()
}

/// Fill a view's `is_final` and `actions` from its fields (after its OTPs are loaded).
pub fn settle_order(o: &mut OrderView) {
    o.is_final = o.status.is_final();
    o.actions = order_actions(o);
}

/// The engine's gate before it sends an action: the typed "not yet" and "never" errors.
pub fn check(o: &OrderView, kind: ActionKind, now: Time) -> Result<()> {
    match verdict(o, kind) {
        Verdict::Allowed { unlock_at } => match unlock_at.filter(|t| *t > now) {
            None => Ok(()),
            Some(at) => Err(match kind {
                ActionKind::Cancel => EngineError::CancelCooldown { unlocks_at: at },
                ActionKind::Resend => EngineError::ResendLocked {
                    unlocks_at: Some(at),
                },
                _ => EngineError::NotAllowed {
                    action: kind.as_str(),
                    reason: format!("not before {at}"),
                },
            }),
        },
        Verdict::UntilNewCode { not_before } => Err(EngineError::ResendLocked {
            unlocks_at: not_before.filter(|t| *t > now),
        }),
        Verdict::Refused(reason) => Err(EngineError::NotAllowed {
            action: kind.as_str(),
            reason,
        }),
    }
}

/// OTPZap (API docs, "Order Management" and "Server 3"): SMS cancel only while pending, after
/// the 2-minute cooldown; finish once a code arrived; resend while open, one per new code;
/// replace on Server 1 while pending. Email: cancel before any message, finish once one arrived,
/// reorder while open (the window restarts); no resend or replace.
fn otpzap(o: &OrderView, kind: ActionKind) -> Verdict {
    let pending = o.status == OrderStatus::Pending;
    let now_ok = Verdict::Allowed { unlock_at: None };
    let refuse = |why: &str| Verdict::Refused(why.to_string());
    match o.kind {
        OrderKind::Sms => match kind {
            ActionKind::Cancel if pending => Verdict::Allowed {
                unlock_at: o.cancel_unlocks_at,
            },
            ActionKind::Cancel => {
                refuse("only a number still waiting for its code can be cancelled")
            }
            ActionKind::Finish if o.status == OrderStatus::OtpReceived => now_ok,
            ActionKind::Finish => refuse("a number can be finished once a code arrived"),
            ActionKind::Resend if o.resend_waiting_for_otp => Verdict::UntilNewCode {
                not_before: o.resend_locked_until,
            },
            ActionKind::Resend => Verdict::Allowed {
                unlock_at: o.resend_locked_until,
            },
            ActionKind::Replace if o.server != Some(1) => {
                refuse("only OTPZap Server 1 numbers can be replaced")
            }
            ActionKind::Replace if pending => now_ok,
            ActionKind::Replace => {
                refuse("only a number still waiting for its code can be replaced")
            }
            ActionKind::Reorder => refuse("only email orders can be reordered"),
        },
        OrderKind::Email => {
            let got_mail = !o.otps.is_empty();
            match kind {
                ActionKind::Cancel if pending && !got_mail => now_ok,
                ActionKind::Cancel => refuse("an inbox can only be cancelled before any message"),
                ActionKind::Finish if got_mail => now_ok,
                ActionKind::Finish => refuse("no message has arrived yet"),
                // A new message on the same inbox; before the first one it restarts the window.
                ActionKind::Reorder => now_ok,
                ActionKind::Resend => refuse("email orders use reorder"),
                ActionKind::Replace => refuse("only OTPZap Server 1 numbers can be replaced"),
            }
        }
    }
}

/// NumberOTP (API docs): activations are created and polled; there is no cancel, finish,
/// resend, replace or reorder endpoint.
fn numberotp(_o: &OrderView, kind: ActionKind) -> Verdict {
    Verdict::Refused(numberotp_refusal(kind))
}

/// Said before a NumberOTP purchase and when a cancel is asked for.
pub const NUMBEROTP_NO_REFUND: &str = "NumberOTP numbers cannot be cancelled or refunded";

/// Why NumberOTP refuses `kind` (it has no endpoint for any action).
pub fn numberotp_refusal(kind: ActionKind) -> String {
    match kind {
        ActionKind::Cancel => {
            format!("{NUMBEROTP_NO_REFUND}; the number stays yours until it expires")
        }
        ActionKind::Finish => "NumberOTP closes an activation by itself once its code came".into(),
        k => format!("NumberOTP has no {}", k.as_str()),
    }
}

/// What a deposit allows. None has any action today: OTPZap QRIS top-ups and OOPPay invoices
/// are paid or expire on their own.
pub fn deposit_actions(d: &DepositView) -> Vec<AllowedAction> {
    ActionKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let v = match d.provider {
                ProviderId::Otpzap => otpzap_deposit(d, kind),
                ProviderId::Ooppay => ooppay(d, kind),
                ProviderId::Numberotp => Verdict::Refused("NumberOTP has no deposits".into()),
            };
            match v {
                Verdict::Allowed { unlock_at } => Some(AllowedAction { kind, unlock_at }),
                _ => None,
            }
        })
        .collect()
}

/// Fill a deposit view's `is_final` and `actions`.
pub fn settle_deposit(d: &mut DepositView) {
    d.is_final = d.status.is_final();
    d.actions = deposit_actions(d);
}

/// OTPZap QRIS top-up (API docs, "Deposit"): create and check only.
fn otpzap_deposit(_d: &DepositView, kind: ActionKind) -> Verdict {
    Verdict::Refused(format!("OTPZap has no {} for top-ups", kind.as_str()))
}

/// OOPPay USDT invoice (API docs): create and query only; an unpaid invoice expires.
fn ooppay(d: &DepositView, kind: ActionKind) -> Verdict {
    let state = match &d.status {
        DepositStatus::Pending => "it expires on its own",
        _ => "it is closed",
    };
    Verdict::Refused(format!(
        "OOPPay has no {} for invoices; {state}",
        kind.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OtpView;
    use otpdesk_core::Money;

    fn at(secs: i64) -> Time {
        chrono::DateTime::from_timestamp(1_795_000_000 + secs, 0).unwrap()
    }

    /// One order of each provider / server in `status`, with a code when `with_code`.
    fn order(
        provider: ProviderId,
        server: Option<i64>,
        status: OrderStatus,
        with_code: bool,
    ) -> OrderView {
        let email = server == Some(3);
        let name = format!(
            "{}{}-{}{}",
            provider.as_str(),
            server.map(|s| format!("-s{s}")).unwrap_or_default(),
            status.as_str(),
            if with_code { "-code" } else { "" }
        );
        let mut o = OrderView {
            id: name.clone(),
            provider,
            kind: if email {
                OrderKind::Email
            } else {
                OrderKind::Sms
            },
            server,
            remote_id: "r1".into(),
            remote_ref: email.then(|| "APIE-3-x".into()),
            phone: (!email).then(|| "6281200000000".into()),
            email: email.then(|| "a@example.com".into()),
            service: "WhatsApp".into(),
            price: Some(Money::idr(2835)),
            status,
            created_at: at(0),
            updated_at: at(0),
            expires_at: Some(at(1200)),
            resend_count: 0,
            resend_locked_until: None,
            resend_waiting_for_otp: false,
            cancel_unlocks_at: (provider == ProviderId::Otpzap).then(|| at(120)),
            attempt_id: None,
            replaced_by: None,
            otps: Vec::new(),
            is_final: false,
            actions: Vec::new(),
        };
        if with_code {
            o.otps.push(OtpView {
                seq: 1,
                code: Some("123456".into()),
                text: None,
                sender: None,
                service: None,
                received_at: Some(at(30)),
                stored_at: at(30),
                late: false,
            });
        }
        settle_order(&mut o);
        o
    }

    /// Every provider / server × status the UI can meet (the fixture the vitest renders).
    pub(super) fn every_order() -> Vec<OrderView> {
        let statuses = [
            (OrderStatus::Pending, false),
            (OrderStatus::Pending, true),
            (OrderStatus::OtpReceived, true),
            (OrderStatus::Completed, true),
            (OrderStatus::Cancelled, false),
            (OrderStatus::Expired, false),
            (OrderStatus::Failed, false),
            (OrderStatus::Replaced, false),
            (OrderStatus::Unknown("cancelling".into()), false),
            (OrderStatus::CancelRequested, false),
        ];
        let sources = [
            (ProviderId::Otpzap, Some(1)),
            (ProviderId::Otpzap, Some(2)),
            (ProviderId::Otpzap, Some(3)),
            (ProviderId::Numberotp, None),
        ];
        let mut out = Vec::new();
        for (p, s) in sources {
            for (st, code) in &statuses {
                out.push(order(p, s, st.clone(), *code));
            }
        }
        // Resend states: locked until a time, and locked until a new code arrives.
        for (server, status, code) in [
            (1, OrderStatus::Pending, false),
            (1, OrderStatus::OtpReceived, true),
            (2, OrderStatus::Pending, false),
            (2, OrderStatus::OtpReceived, true),
        ] {
            let mut locked = order(ProviderId::Otpzap, Some(server), status.clone(), code);
            locked.id.push_str("-resend-locked");
            locked.resend_locked_until = Some(at(300));
            settle_order(&mut locked);
            out.push(locked);
            let mut waiting = order(ProviderId::Otpzap, Some(server), status, code);
            waiting.id.push_str("-resend-waiting");
            waiting.resend_waiting_for_otp = true;
            waiting.resend_locked_until = Some(at(300));
            settle_order(&mut waiting);
            out.push(waiting);
        }
        out
    }

    fn kinds(o: &OrderView) -> Vec<&'static str> {
        o.actions.iter().map(|a| a.kind.as_str()).collect()
    }

    #[test]
    fn each_provider_and_status_allows_what_its_api_has() {
        use ActionKind::*;
        let z = ProviderId::Otpzap;
        let pending = |s| order(z, Some(s), OrderStatus::Pending, false);
        let got = |s| order(z, Some(s), OrderStatus::OtpReceived, true);
        assert_eq!(kinds(&pending(1)), ["cancel", "replace", "resend"]);
        assert_eq!(pending(1).actions[0].unlock_at, Some(at(120)));
        assert_eq!(kinds(&got(1)), ["resend", "finish"]);
        assert_eq!(kinds(&pending(2)), ["cancel", "resend"]);
        assert_eq!(kinds(&got(2)), ["resend", "finish"]);
        assert_eq!(kinds(&pending(3)), ["cancel", "reorder"]);
        assert_eq!(
            pending(3).actions[0].unlock_at,
            None,
            "email cancel has no cooldown"
        );
        assert_eq!(kinds(&got(3)), ["reorder", "finish"]);
        // Reordered: pending again, but a message arrived, so no cancel.
        assert_eq!(
            kinds(&order(z, Some(3), OrderStatus::Pending, true)),
            ["reorder", "finish"]
        );
        for o in every_order() {
            if o.provider == ProviderId::Numberotp || o.status.is_final() {
                assert!(o.actions.is_empty(), "{}: {:?}", o.id, o.actions);
            }
            assert_eq!(o.is_final, o.status.is_final(), "{}", o.id);
            for a in &o.actions {
                assert!(!matches!(verdict(&o, a.kind), Verdict::Refused(_)));
            }
        }
        let n = order(ProviderId::Numberotp, None, OrderStatus::Pending, false);
        for k in [Cancel, Finish, Resend, Replace, Reorder] {
            match check(&n, k, at(999)) {
                Err(EngineError::NotAllowed { reason, .. }) => {
                    assert!(reason.contains("NumberOTP"), "{reason}")
                }
                other => panic!("{k:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_gate_refuses_exactly_what_the_view_does_not_offer_now() {
        for o in every_order() {
            for now in [at(0), at(119), at(120), at(400)] {
                for k in ActionKind::ALL {
                    let offered = o.actions.iter().find(|a| a.kind == k);
                    let res = check(&o, k, now);
                    match (offered, res) {
                        (Some(a), Ok(())) => assert!(a.unlock_at.is_none_or(|t| t <= now)),
                        (Some(a), Err(EngineError::CancelCooldown { unlocks_at })) => {
                            assert_eq!(k, ActionKind::Cancel);
                            assert_eq!(Some(unlocks_at), a.unlock_at);
                            assert!(unlocks_at > now);
                        }
                        (Some(a), Err(EngineError::ResendLocked { unlocks_at })) => {
                            assert_eq!(k, ActionKind::Resend);
                            assert_eq!(unlocks_at, a.unlock_at);
                            assert!(unlocks_at.is_some_and(|t| t > now));
                        }
                        (None, Err(EngineError::NotAllowed { action, .. })) => {
                            assert_eq!(action, k.as_str())
                        }
                        // Locked until a new code arrives: not offered, refused as locked.
                        (None, Err(EngineError::ResendLocked { .. })) => {
                            assert!(o.resend_waiting_for_otp && k == ActionKind::Resend)
                        }
                        (offered, res) => panic!("{} {k:?} at {now}: {offered:?} vs {res:?}", o.id),
                    }
                }
            }
        }
    }

    #[test]
    fn deposits_allow_nothing_and_say_when_final() {
        for (provider, kind) in [
            (ProviderId::Otpzap, crate::model::DepositKind::Qris),
            (ProviderId::Ooppay, crate::model::DepositKind::Usdt),
        ] {
            for status in [
                DepositStatus::Pending,
                DepositStatus::Paid,
                DepositStatus::Expired,
            ] {
                let mut d = DepositView {
                    id: "d".into(),
                    provider,
                    kind,
                    remote_id: "r".into(),
                    amount: Money::idr(100_000),
                    total: None,
                    pay_url: None,
                    pay_address: None,
                    status: status.clone(),
                    created_at: at(0),
                    updated_at: at(0),
                    expires_at: None,
                    paid_at: None,
                    credited: None,
                    attempt_id: None,
                    is_final: false,
                    actions: vec![AllowedAction {
                        kind: ActionKind::Cancel,
                        unlock_at: None,
                    }],
                };
                settle_deposit(&mut d);
                assert_eq!(d.is_final, status != DepositStatus::Pending);
                assert!(d.actions.is_empty());
            }
        }
    }

    /// The views the order card is tested with (`ui/src/lib/__fixtures__/order-actions.json`),
    /// produced by these rules. `OTPDESK_WRITE_FIXTURES=1` rewrites it.
    #[test]
    fn ui_fixture_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/__fixtures__/order-actions.json");
        let json = serde_json::to_string_pretty(&every_order()).unwrap() + "\n";
        if std::env::var_os("OTPDESK_WRITE_FIXTURES").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &json).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == json,
            "{} is out of date: run `OTPDESK_WRITE_FIXTURES=1 cargo test -p otpdesk-engine --lib allowed` and commit it",
            path.display()
        );
    }
}
