//! The people who act at the desk.

use crate::store::sql::{self, Db, Optional, Row, args};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Store;

impl Store {
    /// Records that `name` is at the desk now; registers them with `role` if new.
    pub fn agent_active(&mut self, name: &str, role: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO agents (name, role, created_at, last_active_at)
                 VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT (name) DO UPDATE SET last_active_at = excluded.last_active_at",
                args![name, role, now.timestamp()],
            )?;
            Ok(())
        })
    }

    /// The role of agent `name`, if registered.
    pub fn agent_role(&self, name: &str) -> Result<Option<String>> {
        self.db()
            .row(
                "SELECT role FROM agents WHERE name = ?1",
                args![name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The enabled agent who was at the desk last, if anyone ever was.
    pub fn last_agent(&self) -> Result<Option<String>> {
        self.db()
            .row(
                "SELECT name FROM agents WHERE disabled = 0
                 ORDER BY last_active_at DESC NULLS LAST, id DESC LIMIT 1",
                args![],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

/// An agent as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    /// Name (unique).
    pub name: String,
    /// Role key.
    pub role: String,
    /// argon2id PHC string; `None` for an agent registered before secrets existed.
    pub secret_hash: Option<String>,
    /// May no longer act.
    pub disabled: bool,
    /// Locked after too many failed sign-ins, until an admin resets the secret.
    pub locked: bool,
    /// Failed sign-ins in a row.
    pub failed_sign_ins: u32,
    /// When the last of them was.
    pub last_failed_at: Option<DateTime<Utc>>,
    /// When registered.
    pub created_at: DateTime<Utc>,
    /// When last at the desk.
    pub last_active_at: Option<DateTime<Utc>>,
}

const AGENT_COLUMNS: &str = "name, role, secret_hash, disabled, locked, failed_sign_ins, \
                             last_failed_at, created_at, last_active_at";

fn agent_row(r: &Row<'_>) -> sql::Result<AgentRow> {
    let time = |t: Option<i64>| t.and_then(|t| DateTime::from_timestamp(t, 0));
    Ok(AgentRow {
        name: r.get(0)?,
        role: r.get(1)?,
        secret_hash: r.get(2)?,
        disabled: r.get(3)?,
        locked: r.get(4)?,
        failed_sign_ins: r.get(5)?,
        last_failed_at: time(r.get(6)?),
        created_at: time(r.get(7)?).unwrap_or_default(),
        last_active_at: time(r.get(8)?),
    })
}

/// The agent `name`, inside a transaction or out.
pub fn by_name(conn: &Db<'_>, name: &str) -> sql::Result<Option<AgentRow>> {
    conn.row(
        &format!("SELECT {AGENT_COLUMNS} FROM agents WHERE name = ?1"),
        args![name],
        agent_row,
    )
    .optional()
}

/// Whether any agent is registered, inside a transaction.
pub fn any(conn: &Db<'_>) -> sql::Result<bool> {
    conn.row("SELECT EXISTS (SELECT 1 FROM agents)", args![], |r| {
        r.get(0)
    })
}

/// How many enabled agents other than `name` have one of `roles`.
pub fn enabled_in_roles_except(conn: &Db<'_>, roles: &[String], name: &str) -> sql::Result<i64> {
    let roles = serde_json::Value::from(roles).to_string();
    conn.row(
        "SELECT count(*) FROM agents, json_each(?2)
         WHERE disabled = 0 AND name <> ?1 AND role = json_each.value",
        args![name, roles],
        |r| r.get(0),
    )
}

/// Registers a new agent; `false` when the name is taken.
pub fn insert(
    tx: &Db<'_>,
    name: &str,
    role: &str,
    secret_hash: &str,
    now: DateTime<Utc>,
) -> sql::Result<bool> {
    let n = tx.execute(
        "INSERT INTO agents (name, role, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO NOTHING",
        args![name, role, secret_hash, now.timestamp()],
    )?;
    Ok(n == 1)
}

/// Sets `name`'s secret and clears its failed sign-ins and lock.
pub fn set_secret(tx: &Db<'_>, name: &str, secret_hash: &str) -> sql::Result<()> {
    tx.execute(
        "UPDATE agents SET secret_hash = ?2, failed_sign_ins = 0, last_failed_at = NULL,
                           locked = 0
         WHERE name = ?1",
        args![name, secret_hash],
    )?;
    Ok(())
}

/// Disables `name` (it stays in the timeline, but may no longer act).
pub fn disable(tx: &Db<'_>, name: &str) -> sql::Result<()> {
    tx.execute(
        "UPDATE agents SET disabled = 1 WHERE name = ?1",
        args![name],
    )?;
    Ok(())
}

/// Counts a failed sign-in of `name`, locking it at `lock_at` in a row; returns the count.
pub fn record_failure(
    tx: &Db<'_>,
    name: &str,
    now: DateTime<Utc>,
    lock_at: u32,
) -> sql::Result<u32> {
    tx.row(
        "UPDATE agents SET failed_sign_ins = failed_sign_ins + 1, last_failed_at = ?2,
                           locked = (failed_sign_ins + 1 >= ?3)
         WHERE name = ?1 RETURNING failed_sign_ins",
        args![name, now.timestamp(), lock_at],
        |r| r.get(0),
    )
}

/// A successful sign-in of `name`: failures forgotten, at the desk now.
pub fn record_success(tx: &Db<'_>, name: &str, now: DateTime<Utc>) -> sql::Result<()> {
    tx.execute(
        "UPDATE agents SET failed_sign_ins = 0, last_failed_at = NULL, last_active_at = ?2
         WHERE name = ?1",
        args![name, now.timestamp()],
    )?;
    Ok(())
}

/// The sites agent `name` belongs to, by key.
pub fn sites_of(conn: &Db<'_>, name: &str) -> sql::Result<Vec<String>> {
    conn.rows(
        "SELECT site FROM agent_sites WHERE agent = ?1 ORDER BY site",
        args![name],
        |r| r.get(0),
    )
}

/// Makes `sites` the sites agent `name` belongs to (none: not scoped to sites).
pub fn set_sites(tx: &Db<'_>, name: &str, sites: &[String]) -> sql::Result<()> {
    tx.execute("DELETE FROM agent_sites WHERE agent = ?1", args![name])?;
    for site in sites {
        tx.execute(
            "INSERT INTO agent_sites (agent, site) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            args![name, site],
        )?;
    }
    Ok(())
}

impl Store {
    /// The sites agent `name` belongs to, by key.
    pub fn agent_sites(&self, name: &str) -> Result<Vec<String>> {
        sites_of(&self.db(), name).map_err(|e| self.err(e))
    }

    /// The agent `name`, if registered.
    pub fn agent(&self, name: &str) -> Result<Option<AgentRow>> {
        by_name(&self.db(), name).map_err(|e| self.err(e))
    }

    /// Every registered agent, by name.
    pub fn agents(&self) -> Result<Vec<AgentRow>> {
        self.db()
            .rows(
                &format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY name"),
                args![],
                agent_row,
            )
            .map_err(|e| self.err(e))
    }

    /// Whether any agent is registered (none: the first run creates the admin).
    pub fn has_agents(&self) -> Result<bool> {
        any(&self.db()).map_err(|e| self.err(e))
    }
}
