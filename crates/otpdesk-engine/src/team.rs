//! Team mode's people: who works on a shared order book and what each may do. The owner (the
//! first login that opens a new team store) keeps the provider keys, the settings, the money
//! screens and the team; operators buy, cancel, copy and keep customers. Roles are checked here,
//! in the engine, whatever window or command line asks. Joining: the owner creates an invite
//! (a PostgreSQL login with a generated password, for this team's schema only), the operator
//! pastes it once; it holds the database password, so it is kept in the keyring like a key.

use crate::db::PgConfig;
use crate::error::{EngineError, Result};
use serde::{Deserialize, Serialize};

/// A member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "operator" => Some(Role::Operator),
            _ => None,
        }
    }

    /// Whether this role may do `c`.
    pub fn may(self, c: Capability) -> bool {
        match self {
            Role::Owner => true,
            Role::Operator => matches!(c, Capability::Sell),
        }
    }
}

/// What an engine call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Buy, cancel, resend, copy, customers, notes, paid.
    Sell,
    /// Price list, templates, maximum prices, blocklist, automation switches.
    Settings,
    /// Top-ups, the ledger, profit.
    Money,
    /// Invite and remove members.
    Team,
}

impl Capability {
    fn what(self) -> &'static str {
        match self {
            Capability::Sell => "selling",
            Capability::Settings => "the settings",
            Capability::Money => "money and profit",
            Capability::Team => "the team",
        }
    }
}

/// Refuse `c` to a role that may not do it (`None`: not in a team, everything is allowed).
pub fn require(role: Option<Role>, c: Capability) -> Result<()> {
    match role {
        Some(r) if !r.may(c) => Err(EngineError::TeamRole {
            role: r.as_str().to_string(),
            what: c.what().to_string(),
        }),
        _ => Ok(()),
    }
}

/// One member of the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Member {
    /// The PostgreSQL login (what orders are attributed to).
    pub login: String,
    pub name: String,
    pub role: Role,
}

/// What a desktop knows of its team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamInfo {
    /// Server, port, database and user (never the password).
    pub server: String,
    pub me: Member,
}

/// What an invite carries: where the team's store is and the new member's login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub host: String,
    pub port: u16,
    pub dbname: String,
    pub schema: String,
    pub user: String,
    pub password: String,
    /// The name the owner gave the member.
    pub name: String,
}

/// Invites start with this, so a pasted text is recognised (and a wrong paste named as such).
pub const INVITE_PREFIX: &str = "otpdesk-team:1:";

impl Invite {
    /// The text the owner hands over.
    pub fn encode(&self) -> String {
        use base64::Engine as _;
        let json = serde_json::to_vec(self).expect("an invite serialises");
        format!(
            "{INVITE_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    /// Read a pasted invite (spaces and line breaks from a chat app are ignored).
    pub fn decode(text: &str) -> Result<Invite> {
        use base64::Engine as _;
        let bad = || EngineError::Invalid("This is not an OTPDesk team invite.".into());
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let body = compact.strip_prefix(INVITE_PREFIX).ok_or_else(bad)?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| bad())?;
        let i: Invite = serde_json::from_slice(&json).map_err(|_| bad())?;
        if i.host.is_empty() || i.user.is_empty() || i.dbname.is_empty() || !is_ident(&i.schema) {
            return Err(bad());
        }
        Ok(i)
    }

    /// The connection string it stands for (saved in the keyring by whoever joins).
    pub fn connection_string(&self) -> String {
        let q = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
        format!(
            "host={} port={} dbname={} user={} password={} options={}",
            q(&self.host),
            self.port,
            q(&self.dbname),
            q(&self.user),
            q(&self.password),
            q(&format!("-c search_path={}", self.schema)),
        )
    }

    pub fn config(&self) -> Result<PgConfig> {
        Ok(PgConfig::parse(&self.connection_string())?)
    }
}

/// What a pasted text stands for when joining: an invite, or (the owner starting a team) a
/// PostgreSQL connection string (`postgres://…`). Returns the connection string to keep in the
/// keyring; `None` when it is neither (the caller names a wrong paste).
pub fn connection_from_paste(text: &str) -> Option<String> {
    let t = text.trim();
    let conn = if t.starts_with("postgres://") || t.starts_with("postgresql://") {
        t.to_string()
    } else {
        Invite::decode(t).ok()?.connection_string()
    };
    PgConfig::parse(&conn).ok()?;
    Some(conn)
}

/// A schema or login name OTPDesk creates or accepts: lower-case letters, digits, `_`.
pub fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// A login for a new member: `otpdesk_` + the name's letters + 6 random characters.
pub fn new_login(name: &str) -> String {
    let slug: String = name
        .chars()
        .filter_map(|c| {
            let c = c.to_ascii_lowercase();
            (c.is_ascii_lowercase() || c.is_ascii_digit()).then_some(c)
        })
        .take(20)
        .collect();
    format!("otpdesk_{slug}_{}", random_text(6).to_ascii_lowercase())
}

/// Random letters and digits (passwords: 24 of them, about 140 bits).
pub fn random_text(n: usize) -> String {
    use rand::Rng;
    const ABC: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| ABC[rng.gen_range(0..ABC.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> Invite {
        Invite {
            host: "db.toko.example".into(),
            port: 5433,
            dbname: "toko".into(),
            schema: "otpdesk".into(),
            user: "otpdesk_ani_x7k2qp".into(),
            password: "Pw'with\\odd".into(),
            name: "Ani".into(),
        }
    }

    #[test]
    fn an_invite_survives_a_chat_app_and_names_a_wrong_paste() {
        let text = invite().encode();
        assert!(text.starts_with(INVITE_PREFIX));
        let mangled = format!("  {}\n{}  ", &text[..20], &text[20..]);
        assert_eq!(Invite::decode(&mangled).unwrap(), invite());
        for bad in ["", "hello", "otpdesk-team:1:!!!", &text[..text.len() - 4]] {
            assert!(Invite::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_connection_string_quotes_what_it_carries() {
        let cfg = invite().config().unwrap();
        assert_eq!(
            cfg.describe(),
            "otpdesk_ani_x7k2qp@db.toko.example:5433/toko"
        );
        assert_eq!(cfg.schema().as_deref(), Some("otpdesk"));
        assert!(
            !format!("{cfg:?}").contains("odd"),
            "the password is never printed"
        );
    }

    #[test]
    fn operators_sell_and_owners_do_everything() {
        assert!(require(Some(Role::Operator), Capability::Sell).is_ok());
        for c in [Capability::Settings, Capability::Money, Capability::Team] {
            assert!(require(Some(Role::Operator), c).is_err());
            assert!(require(Some(Role::Owner), c).is_ok());
            assert!(require(None, c).is_ok());
        }
    }

    #[test]
    fn new_logins_are_plain_identifiers() {
        let l = new_login("Ani Rahayu!");
        assert!(is_ident(&l), "{l}");
        assert!(l.starts_with("otpdesk_anirahayu_"));
        assert!(!is_ident("x; DROP TABLE orders"));
    }
}
