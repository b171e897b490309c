//! Fault injection rules (see the control module docs for the JSON). Every matching rule fires
//! (composable): delays add up, the first short-circuit kind (`status`, `html`, `rate_limit`,
//! `too_many_requests`) replaces the reply, and the first mangling kind (`drop_after_commit`,
//! `malformed_json`, `patch_reply`) reworks the committed reply.

use crate::control::types::{FaultKind, FaultRule, FaultView};
use crate::rng::SimRng;
use otpdesk_core::ProviderId;

#[derive(Debug, Default)]
pub struct FaultSet {
    rules: Vec<FaultView>,
    next_id: u64,
}

/// What the middleware must do to one request.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FaultPlan {
    pub delay_ms: u64,
    /// Reply with this instead of running the handler.
    pub short_circuit: Option<FaultKind>,
    /// Run the handler, then mangle its reply with this.
    pub mangle: Option<FaultKind>,
    /// Names of the rules that fired, for the request log.
    pub fired: Vec<String>,
}

pub fn kind_name(kind: &FaultKind) -> &'static str {
    match kind {
        FaultKind::DropAfterCommit => "drop_after_commit",
        FaultKind::Delay { .. } => "delay",
        FaultKind::Status { .. } => "status",
        FaultKind::Html => "html",
        FaultKind::MalformedJson => "malformed_json",
        FaultKind::RateLimit { .. } => "rate_limit",
        FaultKind::TooManyRequests { .. } => "too_many_requests",
        FaultKind::PatchReply { .. } => "patch_reply",
    }
}

impl FaultSet {
    pub fn add(&mut self, rule: FaultRule) -> u64 {
        self.next_id += 1;
        let remaining = rule.count;
        self.rules.push(FaultView {
            id: self.next_id,
            rule,
            remaining,
            hits: 0,
        });
        self.next_id
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn list(&self) -> Vec<FaultView> {
        self.rules.clone()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Decide what happens to one request, using up counts of the rules that fire.
    pub fn plan(
        &mut self,
        provider: ProviderId,
        method: &str,
        path: &str,
        rng: &mut SimRng,
    ) -> FaultPlan {
        let mut plan = FaultPlan::default();
        for view in self.rules.iter_mut() {
            let rule = &view.rule;
            if view.remaining == Some(0)
                || rule.provider.is_some_and(|p| p != provider)
                || rule
                    .method
                    .as_deref()
                    .is_some_and(|m| !m.eq_ignore_ascii_case(method))
                || rule
                    .path_contains
                    .as_deref()
                    .is_some_and(|s| !path.contains(s))
            {
                continue;
            }
            if let Some(p) = rule.probability {
                let permille = (p.clamp(0.0, 1.0) * 1000.0).round() as u32;
                if !rng.chance_permille(permille) {
                    continue;
                }
            }
            let fires = match &rule.kind {
                FaultKind::Delay { ms } => {
                    plan.delay_ms = plan.delay_ms.saturating_add(*ms);
                    true
                }
                k @ (FaultKind::Status { .. }
                | FaultKind::Html
                | FaultKind::RateLimit { .. }
                | FaultKind::TooManyRequests { .. }) => {
                    plan.short_circuit.is_none() && {
                        plan.short_circuit = Some(k.clone());
                        true
                    }
                }
                k @ (FaultKind::DropAfterCommit
                | FaultKind::MalformedJson
                | FaultKind::PatchReply { .. }) => {
                    plan.mangle.is_none() && {
                        plan.mangle = Some(k.clone());
                        true
                    }
                }
            };
            if fires {
                view.hits += 1;
                if let Some(n) = view.remaining.as_mut() {
                    *n -= 1;
                }
                plan.fired.push(kind_name(&rule.kind).to_string());
            }
        }
        // A short-circuited request never reaches the handler, so there is nothing to mangle.
        if plan.short_circuit.is_some() {
            plan.mangle = None;
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_compose_and_count_down() {
        let mut f = FaultSet::default();
        let mut rng = SimRng::new(1);
        f.add(
            FaultRule::new(FaultKind::Delay { ms: 10 })
                .path("order/create")
                .times(1),
        );
        f.add(FaultRule::new(FaultKind::Delay { ms: 5 }).provider(ProviderId::Otpzap));
        f.add(FaultRule::new(FaultKind::Html).method("POST").times(1));
        let p = f.plan(
            ProviderId::Otpzap,
            "POST",
            "/otpzap/api/v1/order/create",
            &mut rng,
        );
        assert_eq!(p.delay_ms, 15);
        assert_eq!(p.short_circuit, Some(FaultKind::Html));
        let p = f.plan(
            ProviderId::Otpzap,
            "POST",
            "/otpzap/api/v1/order/create",
            &mut rng,
        );
        assert_eq!((p.delay_ms, p.short_circuit), (5, None));
        let p = f.plan(
            ProviderId::Ooppay,
            "GET",
            "/ooppay/api/v1/orders/x",
            &mut rng,
        );
        assert_eq!(p, FaultPlan::default());
    }
}
