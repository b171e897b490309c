//! Order and deposit statuses. Providers list only some of their statuses, so unknown values are
//! kept verbatim in `Unknown` (and treated as not final, so tracking goes on) instead of failing.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Life of an SMS number or email inbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Bought, waiting for the first code.
    Pending,
    /// A code arrived; the number may still take more (OTPZap S1 `otp_received`, NumberOTP `received`).
    OtpReceived,
    /// Done and paid for (OTPZap `success`, `finished`, `completed`).
    Completed,
    /// Cancelled by the user; refunded (maybe less a fee).
    Cancelled,
    /// Cancel accepted but the refund not yet confirmed (OTPZap: "refunded automatically when
    /// the system confirms cancellation"; provider `cancelling`). Not final: tracking goes on
    /// until the order shows `cancelled` (the refund is booked then). No new code is a sale.
    CancelRequested,
    /// Ran out of time without a code; refunded by the provider.
    Expired,
    /// Failed at the provider; OTPZap auto-refunds failed orders.
    Failed,
    /// Replaced by a fresh number (OTPZap S1 replace); the old order is closed.
    Replaced,
    /// A status the docs do not list, kept as sent.
    Unknown(String),
}

impl OrderStatus {
    /// Map a provider's status text (any provider). Assumption: synonyms below cover OTPZap's
    /// `pending|otp_received|success` and NumberOTP's webhook `received`; others are guesses of
    /// common spellings, and anything else is `Unknown`.
    pub fn from_provider(s: &str) -> OrderStatus {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" | "waiting" | "active" | "processing" | "wait_sms" => OrderStatus::Pending,
            "otp_received" | "received" | "sms_received" | "otp" => OrderStatus::OtpReceived,
            "success" | "finished" | "completed" | "complete" | "done" => OrderStatus::Completed,
            "cancelled" | "canceled" | "cancel" | "refunded" => OrderStatus::Cancelled,
            "cancel_requested" | "cancelling" | "canceling" | "cancel_pending" => {
                OrderStatus::CancelRequested
            }
            "expired" | "timeout" => OrderStatus::Expired,
            "failed" | "error" | "rejected" => OrderStatus::Failed,
            "replaced" => OrderStatus::Replaced,
            _ => OrderStatus::Unknown(s.trim().to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::OtpReceived => "otp_received",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::CancelRequested => "cancel_requested",
            OrderStatus::Expired => "expired",
            OrderStatus::Failed => "failed",
            OrderStatus::Replaced => "replaced",
            OrderStatus::Unknown(s) => s,
        }
    }

    /// No more codes or money movements are expected.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            OrderStatus::Completed
                | OrderStatus::Cancelled
                | OrderStatus::Expired
                | OrderStatus::Failed
                | OrderStatus::Replaced
        )
    }
}

/// Life of a top-up (OTPZap QRIS) or payment order (OOPPay USDT).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DepositStatus {
    Pending,
    /// OTPZap `success`, OOPPay `paid`.
    Paid,
    Expired,
    Failed,
    Unknown(String),
}

impl DepositStatus {
    /// OTPZap documents `pending|success|expired|failed`; OOPPay shows only `paid`, so its other
    /// states are assumed to be spelled like OTPZap's (`pending`, `expired`, `failed`).
    pub fn from_provider(s: &str) -> DepositStatus {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" | "unpaid" | "waiting" | "confirming" | "created" => DepositStatus::Pending,
            "success" | "paid" | "completed" | "settled" => DepositStatus::Paid,
            "expired" | "timeout" => DepositStatus::Expired,
            "failed" | "cancelled" | "canceled" | "error" => DepositStatus::Failed,
            _ => DepositStatus::Unknown(s.trim().to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            DepositStatus::Pending => "pending",
            DepositStatus::Paid => "paid",
            DepositStatus::Expired => "expired",
            DepositStatus::Failed => "failed",
            DepositStatus::Unknown(s) => s,
        }
    }

    pub fn is_final(&self) -> bool {
        matches!(
            self,
            DepositStatus::Paid | DepositStatus::Expired | DepositStatus::Failed
        )
    }
}

macro_rules! string_serde {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(<$t>::from_provider(&s))
            }
        }
    };
}
string_serde!(OrderStatus);
string_serde!(DepositStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_statuses_map() {
        assert_eq!(OrderStatus::from_provider("pending"), OrderStatus::Pending);
        assert_eq!(
            OrderStatus::from_provider("otp_received"),
            OrderStatus::OtpReceived
        );
        assert_eq!(
            OrderStatus::from_provider("received"),
            OrderStatus::OtpReceived
        );
        assert_eq!(
            OrderStatus::from_provider("SUCCESS"),
            OrderStatus::Completed
        );
        assert_eq!(DepositStatus::from_provider("success"), DepositStatus::Paid);
        assert_eq!(DepositStatus::from_provider("paid"), DepositStatus::Paid);
    }

    #[test]
    fn unknown_statuses_are_kept_and_not_final() {
        let s = OrderStatus::from_provider("on_hold");
        assert_eq!(s, OrderStatus::Unknown("on_hold".into()));
        assert!(!s.is_final());
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"on_hold\"");
        assert_eq!(serde_json::from_str::<OrderStatus>(&json).unwrap(), s);
        assert!(!DepositStatus::from_provider("partially_paid").is_final());
    }

    #[test]
    fn a_cancel_in_progress_is_not_final() {
        for s in [
            "cancelling",
            "canceling",
            "cancel_requested",
            "cancel_pending",
        ] {
            let st = OrderStatus::from_provider(s);
            assert_eq!(st, OrderStatus::CancelRequested, "{s}");
            assert!(!st.is_final());
        }
        let json = serde_json::to_string(&OrderStatus::CancelRequested).unwrap();
        assert_eq!(json, "\"cancel_requested\"");
    }

    #[test]
    fn canonical_names_round_trip() {
        for s in [
            "pending",
            "otp_received",
            "completed",
            "cancelled",
            "cancel_requested",
            "expired",
            "failed",
            "replaced",
        ] {
            assert_eq!(OrderStatus::from_provider(s).as_str(), s);
        }
        for s in ["pending", "paid", "expired", "failed"] {
            assert_eq!(DepositStatus::from_provider(s).as_str(), s);
        }
    }
}
