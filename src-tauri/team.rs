//! Team mode in the app: the team's connection string lives in the OS keyring only (it holds a
//! database password; never in settings, logs, IPC or the window). What the window learns is
//! [`TeamStatus`]: the server without password, who this computer is, the members, and whether
//! the server answers.

use crate::error::{AppError, AppResult, ErrorCode};
use otpdesk_engine::db::PgConfig;
use otpdesk_engine::team::Member;
use otpdesk_engine::{Engine, RequestView};
use otpdesk_secrets::SecretStore;
use serde::Serialize;

/// What the window shows of the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TeamStatus {
    /// This computer joined a team (a connection is saved in the keyring).
    pub joined: bool,
    /// Server, port, database and login (never the password).
    pub server: Option<String>,
    /// This computer's member (its login, name and role), once the server answered.
    pub me: Option<Member>,
    /// Everyone in the team, the owner first.
    pub members: Vec<Member>,
    /// The server answered just now (false: nothing is bought until it is back).
    pub online: bool,
}

impl TeamStatus {
    pub fn alone() -> TeamStatus {
        TeamStatus {
            joined: false,
            server: None,
            me: None,
            members: Vec::new(),
            online: true,
        }
    }
}

/// One order another member sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SoldBy {
    pub order_id: String,
    /// The member's name (their login when they have left the team).
    pub name: String,
}

/// The connection string of a pasted invite (or of the owner's server); a wrong paste is
/// `bad_invite`.
pub fn connection_from_paste(text: &str) -> AppResult<String> {
    otpdesk_engine::team::connection_from_paste(text).ok_or_else(|| {
        AppError::new(
            ErrorCode::BadInvite,
            "This is not an OTPDesk team invite; copy the whole invite the owner sent.",
        )
    })
}

/// The saved connection string, if this computer joined a team.
pub async fn saved_connection(secrets: &SecretStore) -> AppResult<Option<String>> {
    let secrets = secrets.clone();
    blocking(move || Ok(secrets.team_store()?)).await
}

/// The saved team's server. A keyring that cannot be read counts as no team (as for keys);
/// a saved string that does not parse is an error (Leave clears it).
pub async fn saved(secrets: &SecretStore) -> AppResult<Option<PgConfig>> {
    let conn = match saved_connection(secrets).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(code = ?e.code, "keyring: the saved team could not be read: {e}");
            None
        }
    };
    conn.map(|c| {
        PgConfig::parse(&c).map_err(|e| AppError::from(otpdesk_engine::EngineError::from(e)))
    })
    .transpose()
}

/// Save (`Some`) or forget (`None`) the team's connection string.
pub async fn save(secrets: &SecretStore, connection: Option<String>) -> AppResult<()> {
    let secrets = secrets.clone();
    blocking(move || {
        match connection {
            Some(c) => secrets.set_team_store(&c)?,
            None => secrets.clear_team_store()?,
        }
        Ok(())
    })
    .await
}

/// The status of a session's engine (`engine: None` when the session could not open).
pub async fn status(secrets: &SecretStore, engine: Option<&Engine>) -> AppResult<TeamStatus> {
    let Some(cfg) = saved(secrets).await? else {
        return Ok(TeamStatus::alone());
    };
    let mut out = TeamStatus {
        joined: true,
        server: Some(cfg.describe()),
        me: None,
        members: Vec::new(),
        online: false,
    };
    let Some(engine) = engine else {
        return Ok(out);
    };
    if let Some(info) = engine.team() {
        out.server = Some(info.server);
        out.me = Some(info.me);
    }
    let e = engine.clone();
    match tokio::task::spawn_blocking(move || e.team_members()).await {
        Ok(Ok(members)) => {
            out.members = members;
            out.online = true;
        }
        Ok(Err(e)) if e.code() == ErrorCode::TeamOffline => {}
        Ok(Err(e)) => return Err(e.into()),
        Err(e) => return Err(AppError::internal(format!("team task: {e}"))),
    }
    Ok(out)
}

/// Who sold each of `ids`, for the orders another member sold (names from the member list).
pub async fn sold_by(engine: &Engine, ids: Vec<String>) -> AppResult<Vec<SoldBy>> {
    let Some(me) = engine.team().map(|t| t.me.login) else {
        return Ok(Vec::new());
    };
    let e = engine.clone();
    let (sellers, members) = store_task(move || Ok((e.sold_by(&ids)?, e.team_members()?))).await?;
    Ok(sellers
        .into_iter()
        .filter(|(_, login)| *login != me)
        .map(|(order_id, login)| SoldBy {
            order_id,
            name: members
                .iter()
                .find(|m| m.login == login)
                .map_or(login.clone(), |m| m.name.clone()),
        })
        .collect())
}

/// This desktop's requests still open: waiting for the key holder's desktop, or being carried
/// out there (newest first). Alone, or before the server answered: none.
pub async fn my_requests(engine: &Engine) -> AppResult<Vec<RequestView>> {
    let Some(me) = engine.team().map(|t| t.me.login) else {
        return Ok(Vec::new());
    };
    let e = engine.clone();
    let list = store_task(move || e.requests(true)).await?;
    Ok(list.into_iter().filter(|r| r.requested_by == me).collect())
}

/// Withdraw a request of this desktop nobody picked up yet; `false` when it was picked up (it
/// may be on the wire: its outcome arrives as usual) or had ended.
pub async fn withdraw(engine: &Engine, id: String) -> AppResult<bool> {
    let e = engine.clone();
    store_task(move || e.withdraw_request(&id)).await
}

/// The team's store is called synchronously: keep it off the async workers.
pub(crate) async fn store_task<T: Send + 'static>(
    f: impl FnOnce() -> otpdesk_engine::Result<T> + Send + 'static,
) -> AppResult<T> {
    Ok(tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("team task: {e}")))??)
}

/// The keyring speaks D-Bus synchronously: keep it off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("keyring task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpdesk_engine::team::Invite;

    #[test]
    fn a_paste_is_an_invite_or_a_connection_string_and_nothing_else() {
        let invite = Invite {
            host: "db.toko.example".into(),
            port: 5432,
            dbname: "toko".into(),
            schema: "otpdesk".into(),
            user: "otpdesk_ani_x7k2qp".into(),
            password: "Secret123".into(),
            name: "Ani".into(),
        };
        let conn = connection_from_paste(&format!("\n {} \n", invite.encode())).unwrap();
        assert_eq!(conn, invite.connection_string());
        let owner = "postgres://owner:pw@db.toko.example/toko";
        assert_eq!(connection_from_paste(owner).unwrap(), owner);
        for bad in ["", "hello", "otpdesk-team:1:xyz", &invite.encode()[..30]] {
            let e = connection_from_paste(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::BadInvite, "{bad}");
            assert!(!e.message.contains("Secret123"));
        }
    }
}
