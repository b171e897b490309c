//! The team's members and who sold each order, on the shared store (team mode; a solo SQLite
//! store has the same tables, empty). Creating a member creates its PostgreSQL login, limited
//! to this order book's schema, in the same transaction as the member row.

use super::{ms, Store};
use crate::db::{params, Backend, OptionalExtension};
use crate::model::Time;
use crate::team::{Member, Role};

fn member(r: &crate::db::Row<'_>) -> crate::db::Result<Member> {
    let role: String = r.get(2)?;
    Ok(Member {
        login: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Operator),
    })
}

impl Store {
    /// The login this store was opened with (team mode), as PostgreSQL names it.
    pub fn login(&self) -> crate::db::Result<Option<String>> {
        let c = self.conn();
        match c.backend() {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => c.query_row("SELECT CAST(current_user AS TEXT)", (), |r| r.get(0)),
        }
    }

    /// This login's membership. The first login to open a new team store becomes its owner
    /// (under the write lock: two first desktops cannot both be). `None`: not a member.
    pub fn team_me(&self, first_name: &str, now: Time) -> crate::db::Result<Option<Member>> {
        let mut c = self.conn();
        if c.backend() == Backend::Sqlite {
            return Ok(None);
        }
        let tx = super::write_tx(&mut c)?;
        let me = tx
            .query_row(
                "SELECT login, name, role FROM team_members WHERE login = CAST(current_user AS TEXT)",
                (),
                member,
            )
            .optional()?;
        if me.is_some() {
            return Ok(me);
        }
        let owners: i64 = tx.query_row(
            "SELECT COUNT(*) FROM team_members WHERE role = 'owner'",
            (),
            |r| r.get(0),
        )?;
        if owners > 0 {
            return Ok(None);
        }
        let me = tx.query_row(
            "INSERT INTO team_members (login, name, role, added_at)
             VALUES (CAST(current_user AS TEXT), ?1, 'owner', ?2) RETURNING login, name, role",
            params![first_name, ms(now)],
            member,
        )?;
        tx.commit()?;
        Ok(Some(me))
    }

    pub fn team_members(&self) -> crate::db::Result<Vec<Member>> {
        let c = self.conn();
        let mut st = c.prepare(
            "SELECT login, name, role FROM team_members ORDER BY role DESC, added_at, login",
        )?;
        let rows = st.query_map((), member)?;
        rows.collect()
    }

    /// Create an operator: a login with `password` that may use this schema's tables only, and
    /// its member row. Returns the schema (for the invite). `login` and `password` are letters,
    /// digits and `_` only (made by [`crate::team`]): they are written into the DDL.
    pub fn add_operator(
        &self,
        login: &str,
        password: &str,
        name: &str,
        now: Time,
    ) -> crate::db::Result<String> {
        assert!(
            crate::team::is_ident(login) && password.chars().all(|c| c.is_ascii_alphanumeric())
        );
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let schema: String = tx.query_row("SELECT current_schema()", (), |r| r.get(0))?;
        tx.execute_batch(&format!(
            "CREATE ROLE {login} LOGIN PASSWORD '{password}';
             GRANT USAGE ON SCHEMA \"{schema}\" TO {login};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"{schema}\" TO {login};
             GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \"{schema}\" TO {login};
             ALTER DEFAULT PRIVILEGES IN SCHEMA \"{schema}\"
                 GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {login};
             ALTER DEFAULT PRIVILEGES IN SCHEMA \"{schema}\" GRANT USAGE, SELECT ON SEQUENCES TO {login};
             ALTER ROLE {login} SET search_path = \"{schema}\";"
        ))?;
        tx.execute(
            "INSERT INTO team_members (login, name, role, added_at) VALUES (?1, ?2, 'operator', ?3)",
            params![login, name, ms(now)],
        )?;
        tx.commit()?;
        Ok(schema)
    }

    /// Remove an operator: its login can no longer connect; its orders keep its name.
    pub fn remove_member(&self, login: &str) -> crate::db::Result<bool> {
        let mut c = self.conn();
        let tx = super::write_tx(&mut c)?;
        let n = tx.execute(
            "DELETE FROM team_members WHERE login = ?1 AND role = 'operator'",
            [login],
        )?;
        if n > 0 && crate::team::is_ident(login) {
            tx.execute_batch(&format!("ALTER ROLE {login} NOLOGIN"))?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// Who sold these orders (team mode; orders bought before or outside a team have nobody).
    pub fn sellers(&self, ids: &[String]) -> crate::db::Result<Vec<(String, String)>> {
        let c = self.conn();
        let mut st = c.prepare("SELECT sold_by FROM orders WHERE id = ?1")?;
        let mut out = Vec::new();
        for id in ids {
            let who: Option<Option<String>> = st.query_row([id], |r| r.get(0)).optional()?;
            if let Some(Some(w)) = who {
                out.push((id.clone(), w));
            }
        }
        Ok(out)
    }
}
