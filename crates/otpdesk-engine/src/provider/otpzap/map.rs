//! OTPZap's replies in our shapes ([`RemoteOrder`]), and the bodies of its email purchases.

use crate::model::{BuyRequest, OrderView};
use crate::remote::{RemoteOrder, RemoteOtp};
use otpdesk_providers::otpzap::{EmailCheck, EmailDomainChoice, EmailOrderRequest, Order};
use otpdesk_providers::Id;

/// The `email-create` body of an email purchase (one inbox); `None` for other purchases.
pub(super) fn email_request(req: &BuyRequest) -> Option<EmailOrderRequest> {
    let (site, domain, subject, regex) = match req {
        BuyRequest::OtpzapEmail { site, domain } => {
            (site, EmailDomainChoice::Domain(domain.clone()), None, None)
        }
        BuyRequest::OtpzapEmailOptions {
            site,
            domain,
            domains,
            subject,
            regex,
        } => {
            let choice = if domains.is_empty() {
                EmailDomainChoice::Domain(domain.clone().unwrap_or_default())
            } else {
                EmailDomainChoice::Aggregator(domains.clone())
            };
            let keep = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
            (site, choice, keep(subject), keep(regex))
        }
        _ => return None,
    };
    Some(EmailOrderRequest {
        site: site.clone(),
        domain,
        qty: Some(1),
        subject,
        regex,
    })
}

pub(super) fn email_ref(o: &OrderView) -> String {
    o.remote_ref.clone().unwrap_or_else(|| o.remote_id.clone())
}

pub(super) fn remote_id(o: &OrderView) -> Id {
    Id::new(o.remote_id.clone())
}

pub(super) fn zap_order(c: Order) -> RemoteOrder {
    let mut o = RemoteOrder::new(c.order_id.as_str(), c.status).about(
        c.service,
        c.price,
        c.created_at,
        c.expires_at,
    );
    o.remote_ref = c.reference;
    o.server = c.server;
    o.phone = c.phone;
    o.resend_count = c.resend_count;
    o.resend_locked_until = c.resend_locked_until;
    o.otps = c
        .otps
        .into_iter()
        .map(|x| RemoteOtp {
            code: Some(x.code),
            text: None,
            sender: None,
            service: x.service,
            received_at: x.received_at,
        })
        .collect();
    o
}

pub(super) fn email_check(c: EmailCheck) -> RemoteOrder {
    let mut o = RemoteOrder::new(c.reference.clone(), c.status).about(
        c.site,
        c.price,
        c.created_at,
        c.expires_at,
    );
    o.remote_ref = Some(c.reference);
    o.server = Some(3);
    o.email = c.email;
    o.otps = c
        .messages
        .into_iter()
        .map(|m| RemoteOtp {
            code: m.otp,
            text: m.subject.map(|s| match &m.body {
                Some(b) => format!("{s}\n{b}"),
                None => s,
            }),
            sender: m.from,
            service: None,
            received_at: m.received_at,
        })
        .collect();
    o
}
