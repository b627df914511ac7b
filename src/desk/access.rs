//! Who may act: agents, their secrets and sign-ins, and the permissions of their roles.
//! Every denial and every sign-in, failed or not, is written to the audit trail.

use chrono::{DateTime, Utc};

use super::Desk;
use crate::domain::agent::{Permission, validate_agent_name};
use crate::domain::complaint::Complaint;
use crate::domain::number;
use crate::domain::policy::Role;
use crate::domain::secret::{
    MAX_FAILED_SIGN_INS, hash_secret, validate_secret, verify_nobody, verify_secret, wait_until,
};
use crate::domain::sites;
use crate::error::{Error, Result};
use crate::store::agents::{self, AgentRow};
use crate::store::events::{self, NewEvent};
use crate::store::sql::Db;

/// Who a failed sign-in under a name nobody has is recorded as.
pub const UNKNOWN_AGENT: &str = "?";

/// An agent as the admin sees it (never the secret's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentInfo {
    /// Name.
    pub name: String,
    /// Role key.
    pub role: String,
    /// May no longer act.
    pub disabled: bool,
    /// Locked after failed sign-ins.
    pub locked: bool,
    /// Has a secret (agents from before secrets existed set one at their next sign-in).
    pub has_secret: bool,
    /// When last at the desk.
    pub last_active_at: Option<DateTime<Utc>>,
    /// The sites they belong to, by key (none: not scoped to sites).
    pub sites: Vec<String>,
}

impl AgentInfo {
    /// The agent's state as a stable key (`active`, `locked`, `disabled`, `no-secret`),
    /// the first that applies in that order.
    pub fn state(&self) -> &'static str {
        if self.disabled {
            "disabled"
        } else if self.locked {
            "locked"
        } else if !self.has_secret {
            "no-secret"
        } else {
            "active"
        }
    }
}

impl From<AgentRow> for AgentInfo {
    fn from(a: AgentRow) -> Self {
        AgentInfo {
            has_secret: a.secret_hash.is_some(),
            name: a.name,
            role: a.role,
            disabled: a.disabled,
            locked: a.locked,
            last_active_at: a.last_active_at,
            sites: Vec::new(),
        }
    }
}

impl Desk {
    /// The acting agent as registered: refused when unknown, disabled or locked. Checked
    /// by every operation, so an agent disabled in another terminal stops at once.
    pub(crate) fn actor(&self) -> Result<AgentRow> {
        let row = self
            .store
            .agent(&self.agent)?
            .ok_or_else(|| Error::new("error.agent_unknown").arg("agent", &self.agent))?;
        usable(&row)?;
        Ok(row)
    }

    /// The acting agent's role, from the configured role table.
    pub fn role(&self) -> Result<Role> {
        let row = self.actor()?;
        self.config
            .policy
            .roles
            .iter()
            .find(|r| r.key == row.role)
            .cloned()
            .ok_or_else(|| {
                Error::new("error.role_unknown")
                    .arg("agent", &self.agent)
                    .arg("role", &row.role)
            })
    }

    /// Whether the acting agent proved who they are with their secret in this session.
    pub fn is_verified(&self) -> bool {
        self.verified
    }

    /// Whether nobody is registered yet: the first run then creates the admin.
    pub fn needs_first_admin(&self) -> Result<bool> {
        Ok(!self.store.has_agents()?)
    }

    /// Creates the first agent, with the role that manages agents, and signs them in.
    /// Refused once anyone is registered.
    pub fn create_first_admin(&mut self, name: &str, secret: &str) -> Result<()> {
        let name = validate_agent_name(name)?;
        let hash = hash_secret(secret)?;
        let role = self
            .config
            .policy
            .roles
            .iter()
            .find(|r| r.permissions.contains(&Permission::ManageAgents))
            .ok_or_else(|| Error::new("error.no_admin_role"))?
            .key
            .clone();
        let now = self.clock.now();
        self.store.write(|tx| {
            if agents::any(tx)? {
                return Err(Error::new("error.first_admin_exists"));
            }
            agents::insert(tx, &name, &role, &hash, now)?;
            agents::record_success(tx, &name, now)?;
            record(
                tx,
                now,
                &name,
                None,
                "agent_added",
                serde_json::json!({ "role": role }),
            )?;
            record(tx, now, &name, None, "signed_in", serde_json::json!({}))
        })?;
        self.agent = name;
        self.verified = true;
        Ok(())
    }

    /// Signs `name` in with `secret` and makes them the acting agent. A wrong secret (or an
    /// unknown name, which answers alike and as slowly) is recorded; each failure in a row
    /// doubles the wait before the next try, and the fifth locks the account until an admin
    /// resets its secret. An agent registered before secrets existed sets theirs here.
    pub fn sign_in(&mut self, name: &str, secret: &str) -> Result<()> {
        let name = validate_agent_name(name)?;
        let now = self.clock.now();
        let Some(row) = self.store.agent(&name)? else {
            verify_nobody(secret);
            // Not the name typed: it may be a PIN typed into the wrong field, and the
            // timeline keeps everything for good.
            self.store.write(|tx| {
                record(
                    tx,
                    now,
                    UNKNOWN_AGENT,
                    None,
                    "sign_in_failed",
                    serde_json::json!({ "known": false }),
                )
            })?;
            return Err(Error::new("error.sign_in_failed"));
        };
        usable(&row)?;
        if let Some(until) = wait_until(row.failed_sign_ins, row.last_failed_at, now) {
            return Err(
                Error::new("error.sign_in_wait").arg("seconds", (until - now).num_seconds().max(1))
            );
        }
        let set_now = match &row.secret_hash {
            None => Some(hash_secret(secret)?),
            Some(hash) if verify_secret(secret, hash) => None,
            Some(_) => {
                let failures = self.store.write(|tx| {
                    let n = agents::record_failure(tx, &name, now, MAX_FAILED_SIGN_INS)?;
                    record(
                        tx,
                        now,
                        &name,
                        None,
                        "sign_in_failed",
                        serde_json::json!({ "failures": n }),
                    )?;
                    if n >= MAX_FAILED_SIGN_INS {
                        record(
                            tx,
                            now,
                            &name,
                            None,
                            "account_locked",
                            serde_json::json!({ "failures": n }),
                        )?;
                    }
                    Ok(n)
                })?;
                return Err(if failures >= MAX_FAILED_SIGN_INS {
                    Error::new("error.account_locked").arg("agent", &name)
                } else {
                    Error::new("error.sign_in_failed")
                });
            }
        };
        self.store.write(|tx| {
            if let Some(hash) = &set_now {
                agents::set_secret(tx, &name, hash)?;
                record(tx, now, &name, None, "secret_set", serde_json::json!({}))?;
            }
            agents::record_success(tx, &name, now)?;
            record(tx, now, &name, None, "signed_in", serde_json::json!({}))
        })?;
        self.agent = name;
        self.verified = true;
        Ok(())
    }

    /// Forgets that the acting agent proved who they are (the screen locked).
    pub fn lock(&mut self) {
        self.verified = false;
    }

    /// Whether the acting agent's role grants `permission` (for showing what is possible;
    /// [`Desk::require`] is the check that counts).
    pub fn can(&self, permission: Permission) -> bool {
        self.role()
            .is_ok_and(|r| r.permissions.contains(&permission))
    }

    /// Checks that the acting agent's role grants `permission` and that they proved who
    /// they are with their secret; a denial is recorded (about complaint `complaint_id`,
    /// when there is one) before it is returned.
    pub fn require(&mut self, permission: Permission, complaint_id: Option<i64>) -> Result<Role> {
        let role = self.permit(permission, complaint_id)?;
        if !self.verified {
            return Err(Error::new("error.secret_required")
                .arg("agent", &self.agent)
                .arg("permission", permission_key(permission)));
        }
        Ok(role)
    }

    /// Checks that the acting agent's role grants `permission` (no secret asked: for moves
    /// that touch no personal data); a denial is recorded as in [`Desk::require`].
    pub fn permit(&mut self, permission: Permission, complaint_id: Option<i64>) -> Result<Role> {
        let role = self.role()?;
        let key = permission_key(permission);
        if !role.permissions.contains(&permission) {
            let now = self.clock.now();
            let agent = self.agent.clone();
            self.store.write(|tx| {
                record(
                    tx,
                    now,
                    &agent,
                    complaint_id,
                    "denied",
                    serde_json::json!({ "permission": key, "role": role.key }),
                )
            })?;
            return Err(Error::new("error.denied")
                .arg("agent", &self.agent)
                .arg("role", &role.key)
                .arg("permission", key));
        }
        Ok(role)
    }

    /// The sites whose complaints the acting agent sees, besides those naming no site;
    /// `None`: every site's ([`sites::scope`]). Read at each use, so sites changed in
    /// another terminal apply at once.
    pub fn site_scope(&self) -> Result<Option<Vec<String>>> {
        let row = self.actor()?;
        let own = self.store.agent_sites(&row.name)?;
        Ok(sites::scope(&self.config.policy, &row.role, own))
    }

    /// The sites the acting agent belongs to, by key (shown beside their name).
    pub fn own_sites(&self) -> Result<Vec<String>> {
        self.actor()?;
        self.store.agent_sites(&self.agent)
    }

    /// Refuses complaint `c` when it is of a site the acting agent does not see; the
    /// refusal is recorded as a denial about it.
    pub(crate) fn check_site(&mut self, c: &Complaint) -> Result<()> {
        self.check_site_at(Some(c.id), &c.number, c.site.as_deref())
    }

    /// Refuses what `shown` names (a complaint's number, a care call's id), of `site`, when
    /// the acting agent does not see that site; the refusal is recorded as a denial (about
    /// complaint `complaint_id`, when there is one).
    pub(crate) fn check_site_at(
        &mut self,
        complaint_id: Option<i64>,
        shown: &str,
        site: Option<&str>,
    ) -> Result<()> {
        let Err(refused) = self.site_allows(shown, site) else {
            return Ok(());
        };
        let now = self.clock.now();
        let agent = self.agent.clone();
        let detail = serde_json::json!({
            "site": site.unwrap_or_default(),
            "sites": self.site_scope()?,
        });
        self.store
            .write(|tx| record(tx, now, &agent, complaint_id, "denied", detail))?;
        Err(refused)
    }

    /// Whether the acting agent sees what `shown` names, of `site`: the refusal if not
    /// (not recorded; [`Desk::check_site_at`] records it).
    pub(crate) fn site_allows(&self, shown: &str, site: Option<&str>) -> Result<()> {
        let scope = self.site_scope()?;
        if sites::sees(scope.as_deref(), site) {
            return Ok(());
        }
        Err(Error::new("error.other_site")
            .arg("agent", &self.agent)
            .arg("number", shown)
            .arg("site", site.unwrap_or_default()))
    }

    /// Refuses complaint `number` when it is of a site the acting agent does not see
    /// (recorded, see [`Desk::check_site`]); an unknown number passes, for the operation
    /// to report.
    pub(crate) fn check_site_of(&mut self, number_text: &str) -> Result<()> {
        match self
            .store
            .complaint_by_number(&number::normalise(number_text))?
        {
            Some(c) => self.check_site(&c),
            None => Ok(()),
        }
    }

    /// The configured site keys `keys` names, each checked; refused when one is unknown.
    fn site_keys(&self, keys: &[String]) -> Result<Vec<String>> {
        let policy = &self.config.policy;
        if policy.sites.is_empty() && !keys.is_empty() {
            return Err(Error::new("error.no_sites"));
        }
        let mut out: Vec<String> = Vec::new();
        for key in keys {
            let site = policy.find_site(key).ok_or_else(|| {
                let known: Vec<&str> = policy.sites.iter().map(|s| s.key.as_str()).collect();
                Error::new("error.agent_site_unknown")
                    .arg("value", key.trim())
                    .arg("known", known.join(", "))
            })?;
            if !out.contains(&site.key) {
                out.push(site.key.clone());
            }
        }
        out.sort();
        Ok(out)
    }

    /// Makes `sites` (configured sites' keys or names) the sites agent `name` belongs to
    /// (manage_agents); none leaves them unscoped. Recorded with the sites; returns their
    /// keys.
    pub fn set_agent_sites(&mut self, name: &str, sites: &[String]) -> Result<Vec<String>> {
        self.require(Permission::ManageAgents, None)?;
        let name = name.trim().to_string();
        let sites = self.site_keys(sites)?;
        let now = self.clock.now();
        let actor = self.agent.clone();
        self.store.write(|tx| {
            agents::by_name(tx, &name)?
                .ok_or_else(|| Error::new("error.agent_unknown").arg("agent", &name))?;
            agents::set_sites(tx, &name, &sites)?;
            record(
                tx,
                now,
                &actor,
                None,
                "agent_sites",
                serde_json::json!({ "name": name, "sites": sites }),
            )
        })?;
        Ok(sites)
    }

    /// Registers agent `name` with `role` and `secret` (manage_agents), belonging to no
    /// site.
    pub fn add_agent(&mut self, name: &str, role: &str, secret: &str) -> Result<()> {
        self.add_agent_with_sites(name, role, secret, &[])
    }

    /// Registers agent `name` with `role` and `secret` (manage_agents), belonging to
    /// `sites` (configured sites' keys or names; none: not scoped to sites).
    pub fn add_agent_with_sites(
        &mut self,
        name: &str,
        role: &str,
        secret: &str,
        sites: &[String],
    ) -> Result<()> {
        self.require(Permission::ManageAgents, None)?;
        let name = validate_agent_name(name)?;
        let sites = self.site_keys(sites)?;
        if !self.config.policy.roles.iter().any(|r| r.key == role) {
            let known: Vec<&str> = self
                .config
                .policy
                .roles
                .iter()
                .map(|r| r.key.as_str())
                .collect();
            return Err(Error::new("error.unknown_role")
                .arg("value", role)
                .arg("known", known.join(", ")));
        }
        let hash = hash_secret(secret)?;
        let now = self.clock.now();
        let actor = self.agent.clone();
        self.store.write(|tx| {
            if !agents::insert(tx, &name, role, &hash, now)? {
                return Err(Error::new("error.agent_exists").arg("agent", &name));
            }
            agents::set_sites(tx, &name, &sites)?;
            record(
                tx,
                now,
                &actor,
                None,
                "agent_added",
                serde_json::json!({ "name": name, "role": role, "sites": sites }),
            )
        })
    }

    /// Every registered agent (manage_agents).
    pub fn agents(&mut self) -> Result<Vec<AgentInfo>> {
        self.require(Permission::ManageAgents, None)?;
        self.store
            .agents()?
            .into_iter()
            .map(|row| {
                let sites = self.store.agent_sites(&row.name)?;
                Ok(AgentInfo {
                    sites,
                    ..AgentInfo::from(row)
                })
            })
            .collect()
    }

    /// Disables agent `name` (manage_agents); the last enabled agent manager cannot be.
    pub fn disable_agent(&mut self, name: &str) -> Result<()> {
        self.require(Permission::ManageAgents, None)?;
        let name = name.trim().to_string();
        let managers: Vec<String> = self
            .config
            .policy
            .roles
            .iter()
            .filter(|r| r.permissions.contains(&Permission::ManageAgents))
            .map(|r| r.key.clone())
            .collect();
        let now = self.clock.now();
        let actor = self.agent.clone();
        self.store.write(|tx| {
            let target = agents::by_name(tx, &name)?
                .ok_or_else(|| Error::new("error.agent_unknown").arg("agent", &name))?;
            if managers.contains(&target.role)
                && agents::enabled_in_roles_except(tx, &managers, &name)? == 0
            {
                return Err(Error::new("error.last_admin").arg("agent", &name));
            }
            agents::disable(tx, &name)?;
            record(
                tx,
                now,
                &actor,
                None,
                "agent_disabled",
                serde_json::json!({ "name": name }),
            )
        })
    }

    /// Sets a new secret for agent `name` and unlocks it (manage_agents).
    pub fn reset_secret(&mut self, name: &str, secret: &str) -> Result<()> {
        self.require(Permission::ManageAgents, None)?;
        let name = name.trim().to_string();
        validate_secret(secret)?;
        let hash = hash_secret(secret)?;
        let now = self.clock.now();
        let actor = self.agent.clone();
        self.store.write(|tx| {
            agents::by_name(tx, &name)?
                .ok_or_else(|| Error::new("error.agent_unknown").arg("agent", &name))?;
            agents::set_secret(tx, &name, &hash)?;
            record(
                tx,
                now,
                &actor,
                None,
                "secret_reset",
                serde_json::json!({ "name": name }),
            )
        })
    }
}

/// Refuses a disabled or locked agent.
fn usable(row: &AgentRow) -> Result<()> {
    if row.disabled {
        return Err(Error::new("error.agent_disabled").arg("agent", &row.name));
    }
    if row.locked {
        return Err(Error::new("error.account_locked").arg("agent", &row.name));
    }
    Ok(())
}

/// The config key of a permission.
pub fn permission_key(p: Permission) -> &'static str {
    match p {
        Permission::ApproveCompensation => "approve_compensation",
        Permission::RevealPhone => "reveal_phone",
        Permission::ViewConfidential => "view_confidential",
        Permission::ExportPersonalData => "export_personal_data",
        Permission::Anonymise => "anonymise",
        Permission::ManageAgents => "manage_agents",
        Permission::TakeOver => "take_over",
        Permission::CurateLibrary => "curate_library",
    }
}

/// Appends an event of the acting agent inside a transaction.
pub(crate) fn record(
    tx: &Db<'_>,
    at: DateTime<Utc>,
    agent: &str,
    complaint_id: Option<i64>,
    kind: &str,
    detail: serde_json::Value,
) -> Result<()> {
    events::append(
        tx,
        &NewEvent {
            complaint_id,
            at,
            agent,
            kind,
            from_stage: None,
            to_stage: None,
            detail: &detail,
        },
    )?;
    Ok(())
}
