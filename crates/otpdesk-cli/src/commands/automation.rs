//! Guarded automation from a terminal, all through the engine: `buy … --auto-replace-after`
//! (an auto-replace job followed until it ends), `max-price`, `blocklist`, `watch` and `jobs`.
//! The limits live in the order book, so the app and every later run obey the same ones.

use super::buy::{money, number, numberotp_offer};
use super::tracked::emit_order;
use crate::args::{
    BlockKindArg, BlocklistAction, JobsAction, MaxPriceArgs, WatchAction, WatchOffer,
};
use crate::context::Context;
use crate::error::CliError;
use crate::output::{money_json, money_text, time_json, time_text, Out};
use otpdesk_core::{ErrorCode, ProviderId};
use otpdesk_engine::{
    BlockKind, BuyRequest, Engine, EngineEvent, JobRequest, JobState, JobView, WatchRequest,
    WatchView,
};
use serde_json::{json, Value};

/// `5` minutes or `90s` seconds, as milliseconds.
pub fn minutes(text: &str) -> Result<u32, CliError> {
    let t = text.trim();
    let bad = || {
        CliError::Usage(format!(
            "--auto-replace-after takes minutes (5) or seconds (90s), not {text:?}."
        ))
    };
    let ms = match t.strip_suffix('s') {
        Some(secs) => secs.parse::<u32>().map_err(|_| bad())?.checked_mul(1_000),
        None => t.parse::<u32>().map_err(|_| bad())?.checked_mul(60_000),
    };
    ms.filter(|m| *m >= 1_000).ok_or_else(bad)
}

pub fn job_json(j: &JobView) -> Value {
    json!({"id": j.id, "state": j.state, "reason": j.reason, "message": j.message,
           "replacements": j.replacements, "max_replacements": j.max_replacements,
           "spent": money_json(Some(j.spent)), "cap": money_json(Some(j.cap)),
           "current_order": j.current_order,
           "orders": j.orders.iter().map(|o| json!({"id": o.order_id, "n": o.n, "how": o.how,
               "bought_at": time_json(Some(o.bought_at)), "closed_at": time_json(o.closed_at)})).collect::<Vec<_>>()})
}

fn job_line(j: &JobView) -> String {
    let state = match j.state {
        JobState::Running => format!(
            "running, {}/{} replaced",
            j.replacements, j.max_replacements
        ),
        JobState::Done => "done: a code came".into(),
        JobState::GaveUp => format!("gave up: {}", j.reason.as_deref().unwrap_or("")),
        JobState::Stopped => format!("stopped: {}", j.reason.as_deref().unwrap_or("")),
    };
    format!(
        "{}  {}  spent {} of {}",
        j.id,
        state,
        money_text(Some(j.spent)),
        money_text(Some(j.cap))
    )
}

/// Start an auto-replace job and follow it: each number as it is bought, the code when it
/// comes. Ends with an error naming why when it stops without a code.
pub async fn auto_replace(ctx: &Context, out: Out, job: JobRequest) -> Result<(), CliError> {
    let engine = ctx.engine(job.req.provider()).await?;
    let r = follow(&engine, out, job).await;
    engine.shutdown().await;
    r
}

async fn follow(engine: &Engine, out: Out, job: JobRequest) -> Result<(), CliError> {
    let mut rx = engine.subscribe();
    let j = engine.start_job(job)?;
    out.progress(&format!(
        "Auto-replace job {}: a new number after {} s without a code, at most {} replacements, at most {} in all.",
        j.id,
        j.replace_after_ms / 1_000,
        j.max_replacements,
        money_text(Some(j.cap))
    ));
    let mut shown = 0usize;
    loop {
        let j = engine.job(&j.id)?;
        while shown < j.orders.len() {
            let o = engine.order(&j.orders[shown].order_id)?;
            shown += 1;
            let lead = if shown == 1 {
                "Bought".to_string()
            } else {
                format!("Replacement {}/{}:", shown - 1, j.max_replacements)
            };
            emit_order(out, &o, &lead);
        }
        if j.state != JobState::Running {
            out.emit("job", job_json(&j), || job_line(&j));
            if j.state == JobState::Done {
                if let Some(last) = j.orders.last() {
                    let o = engine.order(&last.order_id)?;
                    if let Some(otp) = o.otps.iter().rev().find(|x| !x.late) {
                        let code = otp.code.clone().unwrap_or_default();
                        out.emit(
                            "otp",
                            json!({"id": o.id, "order_id": o.remote_id, "phone": o.phone, "otp": otp.code, "seq": otp.seq}),
                            || format!("Code for {}: {code}", o.service),
                        );
                        let _ = engine.mark_code_shown(&o.id, otp.seq);
                    }
                }
                return Ok(());
            }
            let code = j
                .reason
                .as_deref()
                .and_then(|r| r.parse::<ErrorCode>().ok())
                .unwrap_or(ErrorCode::Provider);
            return Err(CliError::JobEnded {
                code,
                message: j.message.clone().unwrap_or_else(|| "The job ended.".into()),
            });
        }
        // News of the job, or a look every second.
        let news = async {
            loop {
                match rx.recv().await {
                    Ok(EngineEvent::JobChanged { job }) if job.id == j.id => return,
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), news).await;
    }
}

pub async fn max_price(ctx: &Context, out: Out, a: MaxPriceArgs) -> Result<(), CliError> {
    let engine = any_engine(ctx).await?;
    let r = max_price_on(&engine, out, a);
    engine.shutdown().await;
    r
}

fn max_price_on(engine: &Engine, out: Out, a: MaxPriceArgs) -> Result<(), CliError> {
    if let Some(service) = &a.service {
        let provider = service
            .split(':')
            .next()
            .and_then(|p| p.parse::<ProviderId>().ok())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "{service:?} is not a service: use otpzap:s1:PLATFORM_ID, otpzap:s2:SERVICE_ID, otpzap:email:SITE or numberotp:CODE."
                ))
            })?;
        let amount = if a.clear {
            None
        } else {
            let text = a.amount.as_deref().ok_or_else(|| {
                CliError::Usage("Give the maximum price, or --clear to remove it.".into())
            })?;
            money("AMOUNT", provider.currency(), Some(text))?
        };
        engine.set_max_price(service, amount)?;
        let svc = service.trim().to_ascii_lowercase();
        out.emit(
            "max_price",
            json!({"service": svc, "max": money_json(amount)}),
            || match amount {
                Some(m) => format!("{svc}: nothing above {} is bought.", money_text(Some(m))),
                None => format!("{svc}: no maximum price."),
            },
        );
        return Ok(());
    }
    let rows = engine
        .max_prices()?
        .into_iter()
        .map(|(s, m)| {
            (
                json!({"service": s, "max": money_json(Some(m))}),
                vec![s, money_text(Some(m))],
            )
        })
        .collect();
    out.table("max_price", &["SERVICE", "MAX PRICE"], rows);
    Ok(())
}

/// An engine with whatever keys there are (these commands only read and write the order book).
async fn any_engine(ctx: &Context) -> Result<Engine, CliError> {
    let p = ProviderId::ALL
        .into_iter()
        .find(|p| ctx.key(*p).is_ok())
        .unwrap_or(ProviderId::Otpzap);
    ctx.engine(p).await
}

fn kind(k: BlockKindArg) -> BlockKind {
    match k {
        BlockKindArg::Prefix => BlockKind::Prefix,
        BlockKindArg::Operator => BlockKind::Operator,
    }
}

pub async fn blocklist(ctx: &Context, out: Out, a: BlocklistAction) -> Result<(), CliError> {
    let engine = any_engine(ctx).await?;
    let r = blocklist_on(&engine, out, a);
    engine.shutdown().await;
    r
}

fn blocklist_on(engine: &Engine, out: Out, a: BlocklistAction) -> Result<(), CliError> {
    match a {
        BlocklistAction::List => {
            let all = engine.blocklist_all_purchases()?;
            out.progress(if all {
                "Matching Server 1 numbers are replaced after any purchase."
            } else {
                "Matching Server 1 numbers are replaced in auto-replace jobs (`blocklist all-purchases on` for every purchase)."
            });
            let rows = engine
                .blocklist()?
                .into_iter()
                .map(|e| {
                    (
                        json!({"kind": e.kind, "value": e.value, "note": e.note,
                               "created_at": time_json(Some(e.created_at)), "all_purchases": all}),
                        vec![
                            e.kind.as_str().to_string(),
                            e.value,
                            e.note.unwrap_or_default(),
                            time_text(Some(e.created_at)),
                        ],
                    )
                })
                .collect();
            out.table("block", &["KIND", "VALUE", "NOTE", "ADDED"], rows);
        }
        BlocklistAction::Add {
            kind: k,
            value,
            note,
        } => {
            let added = engine.add_block(kind(k), &value, note)?;
            out.emit(
                "block",
                json!({"kind": kind(k), "value": value, "added": added}),
                || {
                    if added {
                        format!("Added {} {value}.", kind(k).as_str())
                    } else {
                        format!("{} {value} was listed already.", kind(k).as_str())
                    }
                },
            );
        }
        BlocklistAction::Remove { kind: k, value } => {
            let removed = engine.remove_block(kind(k), &value)?;
            if !removed {
                return Err(CliError::Usage(format!(
                    "{} {value} is not on the blocklist.",
                    kind(k).as_str()
                )));
            }
            out.emit(
                "block",
                json!({"kind": kind(k), "value": value, "removed": true}),
                || format!("Removed {} {value}.", kind(k).as_str()),
            );
        }
        BlocklistAction::Suggest => {
            let rows = engine
                .suggest_blocks()?
                .into_iter()
                .map(|s| {
                    (
                        json!({"kind": s.kind, "value": s.value, "failures": s.failures, "total": s.total}),
                        vec![
                            s.kind.as_str().to_string(),
                            s.value.clone(),
                            format!("{} of {}", s.failures, s.total),
                            format!("otpdesk blocklist add {} {}", s.kind.as_str(), s.value),
                        ],
                    )
                })
                .collect();
            out.table(
                "block_suggestion",
                &["KIND", "VALUE", "WITHOUT A CODE", "TO ADD"],
                rows,
            );
        }
        BlocklistAction::AllPurchases { state } => {
            let on = state == "on";
            engine.set_blocklist_all_purchases(on)?;
            out.emit("blocklist_all_purchases", json!({"on": on}), || {
                if on {
                    "Blocklisted Server 1 numbers are now replaced after any purchase.".into()
                } else {
                    "Blocklisted numbers are now replaced in auto-replace jobs only.".into()
                }
            });
        }
    }
    Ok(())
}

fn watch_json(w: &WatchView) -> Value {
    json!({"id": w.id, "label": w.label, "provider": w.provider, "service": w.req.service_key(),
           "state": w.state, "target": money_json(w.target), "auto_buy": w.auto_buy,
           "auto_max": money_json(w.auto_max), "last_price": money_json(w.last_price),
           "last_stock": w.last_stock, "checked_at": time_json(w.checked_at),
           "fired_at": time_json(w.fired_at), "order_id": w.order_id, "note": w.note})
}

fn watch_row(w: &WatchView) -> (Value, Vec<String>) {
    (
        watch_json(w),
        vec![
            w.id.clone(),
            w.label.clone(),
            w.state.as_str().to_string(),
            money_text(w.target),
            money_text(w.last_price),
            w.last_stock
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            if w.auto_buy {
                format!("buy 1 ≤ {}", money_text(w.auto_max))
            } else {
                "alert".into()
            },
        ],
    )
}

const WATCH_HEADERS: &[&str] = &[
    "ID", "OFFER", "STATE", "TARGET", "PRICE", "STOCK", "ON ALERT",
];

pub async fn watch(ctx: &Context, out: Out, a: WatchAction) -> Result<(), CliError> {
    let engine = match &a {
        WatchAction::Add { offer, .. } => ctx.engine(offer_provider(offer)).await?,
        _ => any_engine(ctx).await?,
    };
    let r = watch_on(ctx, &engine, out, a).await;
    engine.shutdown().await;
    r
}

fn offer_provider(o: &WatchOffer) -> ProviderId {
    match o {
        WatchOffer::Numberotp { .. } => ProviderId::Numberotp,
        _ => ProviderId::Otpzap,
    }
}

async fn watch_on(
    ctx: &Context,
    engine: &Engine,
    out: Out,
    a: WatchAction,
) -> Result<(), CliError> {
    match a {
        WatchAction::Add {
            target,
            auto_buy,
            cap,
            label,
            offer,
        } => {
            let (req, default_label) = match offer {
                WatchOffer::S1 {
                    product,
                    country,
                    platform,
                } => (
                    BuyRequest::OtpzapS1 {
                        product_id: number("--product", &product)?,
                        country_id: number("--country", &country)?,
                        platform_id: number("--platform", &platform)?,
                    },
                    format!("OTPZap Server 1 product {product}"),
                ),
                WatchOffer::S2 {
                    service,
                    country,
                    operator,
                } => (
                    BuyRequest::OtpzapS2 {
                        service_id: number("--service", &service)?,
                        country_id: number("--country", &country)?,
                        operator_id: operator.unwrap_or_else(|| "random".into()),
                    },
                    format!("OTPZap Server 2 service {service} in {country}"),
                ),
                WatchOffer::Numberotp { service, country } => (
                    numberotp_offer(ctx, &service, &country).await?,
                    format!("NumberOTP {service} in {country}"),
                ),
            };
            let cur = req.provider().currency();
            let w = engine.watch_offer(WatchRequest {
                req,
                label: label.unwrap_or(default_label),
                target: money("--target", cur, target.as_deref())?,
                auto_buy,
                auto_max: money("--cap", cur, cap.as_deref())?,
            })?;
            out.emit("watch", watch_json(&w), || {
                format!(
                    "Watching {} ({}).{}",
                    w.label,
                    w.id,
                    if w.auto_buy {
                        format!(
                            " One number is bought when it fires, at most {}.",
                            money_text(w.auto_max)
                        )
                    } else {
                        String::new()
                    }
                )
            });
        }
        WatchAction::List => {
            let rows = engine.watches()?.iter().map(watch_row).collect();
            out.table("watch", WATCH_HEADERS, rows);
        }
        WatchAction::Remove { id } => {
            if !engine.remove_watch(&id)? {
                return Err(CliError::Usage(format!("No watch {id}.")));
            }
            out.emit("watch", json!({"id": id, "removed": true}), || {
                format!("Stopped watching ({id}).")
            });
        }
        WatchAction::Rearm { id } => {
            let w = engine.rearm_watch(&id)?;
            out.emit("watch", watch_json(&w), || {
                format!("Watching {} again.", w.label)
            });
        }
        WatchAction::Check => {
            let mut rx = engine.subscribe();
            engine.check_watches_now().await;
            let mut fired = 0;
            while let Ok(e) = rx.try_recv() {
                if let EngineEvent::WatchAlert { watch, order } = e {
                    fired += 1;
                    let mut v = watch_json(&watch);
                    v["bought"] = json!(order.as_ref().map(|o| o.id.clone()));
                    out.emit("watch_alert", v, || {
                        format!(
                            "{} is available{}.",
                            watch.label,
                            watch
                                .last_price
                                .map(|p| format!(" at {}", money_text(Some(p))))
                                .unwrap_or_default()
                        )
                    });
                    if let Some(o) = order {
                        emit_order(out, &o, "Bought");
                    }
                }
            }
            if fired == 0 {
                out.progress("Nothing watched is available yet.");
            }
        }
    }
    Ok(())
}

pub async fn jobs(ctx: &Context, out: Out, a: JobsAction) -> Result<(), CliError> {
    let engine = any_engine(ctx).await?;
    let r = match a {
        JobsAction::List { running } => engine.jobs(running).map(|js| {
            let rows = js
                .iter()
                .map(|j| (job_json(j), vec![job_line(j)]))
                .collect();
            out.table("job", &["JOB"], rows);
        }),
        JobsAction::Stop { id } => engine.stop_job(&id).map(|j| {
            out.emit("job", job_json(&j), || job_line(&j));
        }),
    };
    engine.shutdown().await;
    Ok(r?)
}
