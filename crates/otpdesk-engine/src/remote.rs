//! What the engine needs to know of a provider's reply, whatever the provider. The gateway turns
//! each client's typed replies into these, so the store and scheduler never see wire types.

use crate::model::Time;
use otpdesk_core::{DepositStatus, Money, OrderStatus};

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteOtp {
    pub code: Option<String>,
    pub text: Option<String>,
    pub sender: Option<String>,
    pub service: Option<String>,
    pub received_at: Option<Time>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteOrder {
    pub remote_id: String,
    pub remote_ref: Option<String>,
    pub server: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub service: Option<String>,
    pub price: Option<Money>,
    pub status: OrderStatus,
    /// The full timeline, oldest first (OTPZap `otps[]`, email `messages[]`, NumberOTP's one `otp`).
    pub otps: Vec<RemoteOtp>,
    pub created_at: Option<Time>,
    pub expires_at: Option<Time>,
    pub resend_count: Option<i64>,
    pub resend_locked_until: Option<Time>,
}

impl RemoteOrder {
    /// What every provider's order reply says besides its id and status: what was bought, at
    /// what price, and when it started and ends.
    pub fn about(
        mut self,
        service: Option<String>,
        price: Option<Money>,
        created_at: Option<Time>,
        expires_at: Option<Time>,
    ) -> RemoteOrder {
        self.service = service;
        self.price = price;
        self.created_at = created_at;
        self.expires_at = expires_at;
        self
    }

    pub fn new(remote_id: impl Into<String>, status: OrderStatus) -> RemoteOrder {
        RemoteOrder {
            remote_id: remote_id.into(),
            remote_ref: None,
            server: None,
            phone: None,
            email: None,
            service: None,
            price: None,
            status,
            otps: Vec::new(),
            created_at: None,
            expires_at: None,
            resend_count: None,
            resend_locked_until: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteDeposit {
    pub remote_id: String,
    pub amount: Option<Money>,
    pub total: Option<Money>,
    pub pay_url: Option<String>,
    pub pay_address: Option<String>,
    pub status: DepositStatus,
    pub expires_at: Option<Time>,
    pub paid_at: Option<Time>,
    /// What reached the balance (OOPPay `net_amount`; OTPZap credits `amount`).
    pub credited: Option<Money>,
}

/// What a cancel reply says about the refund. `confirmed` without `refunded`: refunded, amount
/// not stated (the order's price is booked). Not `confirmed`: only an acknowledgement; the
/// refund comes when the provider confirms the cancellation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CancelReply {
    pub refunded: Option<Money>,
    pub confirmed: bool,
}
