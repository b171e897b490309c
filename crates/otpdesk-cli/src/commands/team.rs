//! `otpdesk team status|members|invite|remove|join|leave`: team mode from a terminal, the same
//! engine calls as the app's Settings › Team. An invite comes in on standard input (it holds a
//! password: never an argument, which would land in shell history) and is printed only by
//! `team invite`, once, for the owner to hand over.

use crate::args::Team;
use crate::context::Context;
use crate::error::CliError;
use crate::output::Out;
use otpdesk_engine::db::PgConfig;
use otpdesk_engine::team::Member;
use otpdesk_engine::{Engine, EngineConfig};
use serde_json::json;
use std::io::Read;

fn member_json(m: &Member) -> serde_json::Value {
    json!({"login": m.login, "name": m.name, "role": m.role.as_str()})
}

fn print_members(out: Out, members: &[Member]) {
    for m in members {
        out.emit("member", member_json(m), || {
            format!("{:<24} {:<9} {}", m.name, m.role.as_str(), m.login)
        });
    }
}

/// The team's engine, opened with the keys this computer has.
async fn engine(ctx: &Context, team: Option<PgConfig>) -> Result<Engine, CliError> {
    let team = match team {
        Some(t) => Some(t),
        None => ctx.team()?,
    };
    if team.is_none() {
        return Err(CliError::Usage(
            "This computer is not in a team: run `otpdesk team join` (or set OTPDESK_STORE)."
                .into(),
        ));
    }
    let mut cfg = ctx.with_keys(EngineConfig::new(ctx.data_dir()))?;
    cfg.team = team;
    Ok(Engine::open(cfg).await?)
}

fn status(out: Out, e: &Engine) -> Result<(), CliError> {
    let info = e
        .team()
        .ok_or_else(|| CliError::Usage("Not in a team.".into()))?;
    out.emit(
        "team",
        json!({"server": info.server, "me": member_json(&info.me)}),
        || {
            format!(
                "Team server {} — you are {} ({}).",
                info.server,
                info.me.name,
                info.me.role.as_str()
            )
        },
    );
    Ok(())
}

pub async fn run(ctx: &Context, out: Out, t: Team) -> Result<(), CliError> {
    match t {
        Team::Leave => {
            ctx.secrets.clear_team_store()?;
            out.emit("team", json!({"joined": false}), || {
                "Left the team: this computer's own order book is used again.".into()
            });
            return Ok(());
        }
        Team::Join => {
            out.progress("Paste the invite (or, to start a team, the server's postgres:// connection string) and press Enter, then Ctrl+D:");
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(CliError::Stdin)?;
            let conn = otpdesk_engine::team::connection_from_paste(&text).ok_or_else(|| {
                CliError::Usage(
                    "This is not an OTPDesk team invite; copy the whole invite the owner sent."
                        .into(),
                )
            })?;
            let cfg = PgConfig::parse(&conn).map_err(otpdesk_engine::EngineError::from)?;
            // Saved only once the server let this login in as a member.
            let e = engine(ctx, Some(cfg)).await?;
            let shown = status(out, &e);
            e.shutdown().await;
            shown?;
            ctx.secrets.set_team_store(&conn)?;
            return Ok(());
        }
        _ => {}
    }
    let e = engine(ctx, None).await?;
    let done = match t {
        Team::Status => status(out, &e).and_then(|()| {
            print_members(out, &e.team_members()?);
            Ok(())
        }),
        Team::Members => e
            .team_members()
            .map(|m| print_members(out, &m))
            .map_err(Into::into),
        Team::Invite { name } => e.team_invite(&name).map_err(Into::into).map(|invite| {
            out.progress("Send this invite to the new member only, privately: it contains their password and is shown once.");
            out.emit("invite", json!({"name": name.trim(), "invite": invite}), || invite.clone());
        }),
        Team::Remove { login } => e.team_remove(&login).map_err(Into::into).and_then(|gone| {
            if !gone {
                return Err(CliError::Usage(format!("No member has the login {login}.")));
            }
            out.emit("member_removed", json!({"login": login}), || {
                format!("{login} removed from the team.")
            });
            Ok(())
        }),
        Team::Join | Team::Leave => unreachable!(),
    };
    e.shutdown().await;
    done
}
