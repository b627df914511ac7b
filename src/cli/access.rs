//! The commands of the shared workstation: agents, the audit trail, anonymisation, and the
//! secrets that commands needing more than the basic role ask for.

use std::io::Write;

use super::commands::stdout_error;
use super::output::{Column, header_line, table_line};
use super::{AgentAction, AuditAction, ListFormat};
use crate::config::Configured;
use crate::desk::{Desk, ERASURE_PATIENCE};
use crate::error::{Error, Result};
use crate::i18n::Catalog;
use crate::text::sanitize_path;

/// The acting agent's secret, for commands that need more than the basic role.
pub const SECRET_ENV: &str = "COMPLAINT_DESK_SECRET";
/// A new agent's secret, for `agent add` and `agent reset-secret`.
pub const NEW_SECRET_ENV: &str = "COMPLAINT_DESK_NEW_SECRET";

/// Reads a secret from the terminal without echo; `None` without a terminal.
fn prompt(text: &str) -> Option<String> {
    rpassword::prompt_password(text).ok()
}

/// Proves the acting agent is who they say, with their secret from `COMPLAINT_DESK_SECRET`
/// or a prompt (never from an argument): a wrong one is recorded like a failed sign-in.
pub fn elevate(desk: &mut Desk, catalog: &Catalog) -> Result<()> {
    let agent = desk.agent().to_string();
    let secret = std::env::var(SECRET_ENV)
        .ok()
        .or_else(|| prompt(&catalog.format("cli.secret_prompt", &[("agent", agent.clone())])))
        .ok_or_else(|| Error::new("error.secret_missing").arg("agent", &agent))?;
    desk.sign_in(&agent, &secret)
}

/// A new secret for `name`: `COMPLAINT_DESK_NEW_SECRET`, else typed twice at a prompt.
fn new_secret(name: &str, catalog: &Catalog) -> Result<String> {
    if let Ok(secret) = std::env::var(NEW_SECRET_ENV) {
        return Ok(secret);
    }
    let ask = |key: &str| prompt(&catalog.format(key, &[("agent", name.to_string())]));
    let first = ask("cli.new_secret_prompt")
        .ok_or_else(|| Error::new("error.secret_missing").arg("agent", name))?;
    let second = ask("cli.new_secret_again")
        .ok_or_else(|| Error::new("error.secret_missing").arg("agent", name))?;
    if first != second {
        return Err(Error::new("error.secret_mismatch"));
    }
    Ok(first)
}

/// `agent add|list|disable|reset-secret`.
pub fn agent(desk: &mut Desk, action: &AgentAction, catalog: &Catalog) -> Result<()> {
    let role = match action {
        AgentAction::Add {
            role: Some(role), ..
        } => Some(super::commands::named(
            desk,
            Configured::Role,
            role,
            catalog,
        )?),
        _ => None,
    };
    if let AgentAction::Add { name, .. } = action
        && desk.needs_first_admin()?
    {
        let secret = new_secret(name, catalog)?;
        if let Some(role) = &role
            && !desk.config().policy.roles.iter().any(|r| {
                r.key == *role
                    && r.permissions
                        .contains(&crate::domain::agent::Permission::ManageAgents)
            })
        {
            return Err(Error::new("error.first_agent_admin").arg("role", role));
        }
        desk.create_first_admin(name, &secret)?;
        let role = desk.role()?;
        println!(
            "{}",
            catalog.format(
                "cli.first_admin",
                &[("agent", desk.agent().to_string()), ("role", role.key)]
            )
        );
        return Ok(());
    }
    elevate(desk, catalog)?;
    match action {
        AgentAction::Add { name, sites, .. } => {
            let role = role
                .or_else(|| desk.config().policy.roles.first().map(|r| r.key.clone()))
                .unwrap_or_default();
            let secret = new_secret(name, catalog)?;
            desk.add_agent_with_sites(name, &role, &secret, sites)?;
            println!(
                "{}",
                catalog.format(
                    "cli.agent_added",
                    &[("agent", name.trim().to_string()), ("role", role)]
                )
            );
        }
        AgentAction::List { format } => {
            let agents = desk.agents()?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match format {
                ListFormat::Json => {
                    let rows: Vec<serde_json::Value> = agents
                        .iter()
                        .map(|a| {
                            serde_json::json!({
                                "name": a.name, "role": a.role, "disabled": a.disabled,
                                "locked": a.locked, "has_secret": a.has_secret,
                                "sites": a.sites,
                                "last_active_at": a.last_active_at.map(|t| super::output::rfc3339(t, desk.config().policy.timezone)),
                            })
                        })
                        .collect();
                    let text = serde_json::to_string_pretty(&rows)
                        .map_err(|e| Error::new("error.internal").arg("detail", e))?;
                    writeln!(out, "{text}").map_err(stdout_error)?;
                }
                ListFormat::Csv => {
                    let mut csv = csv::Writer::from_writer(&mut out);
                    csv.write_record(["name", "role", "state", "last_active_at", "sites"])
                        .map_err(|e| stdout_error(super::output::csv_err(e)))?;
                    for a in &agents {
                        let last = a
                            .last_active_at
                            .map(|t| super::output::rfc3339(t, desk.config().policy.timezone))
                            .unwrap_or_default();
                        let sites = a.sites.join(" ");
                        csv.write_record([a.name.as_str(), &a.role, a.state(), &last, &sites])
                            .map_err(|e| stdout_error(super::output::csv_err(e)))?;
                    }
                    csv.flush().map_err(stdout_error)?;
                }
                ListFormat::Table => {
                    let t = |k: &str| catalog.text(k).to_string();
                    // The sites column only where sites are configured.
                    let with_sites = !desk.config().policy.sites.is_empty();
                    let rows: Vec<Vec<String>> = agents
                        .iter()
                        .map(|a| {
                            let mut row = vec![
                                crate::text::sanitize_line(&a.name).to_string(),
                                crate::present::role_name(&a.role, desk.config(), catalog.lang()),
                                t(&format!("agent_state.{}", a.state())),
                                a.last_active_at
                                    .map(|t| {
                                        crate::when::local_minutes(t, desk.config().policy.timezone)
                                    })
                                    .unwrap_or_default(),
                            ];
                            if with_sites {
                                row.push(site_names(desk, &a.sites, catalog));
                            }
                            row
                        })
                        .collect();
                    let mut headers = vec![
                        "agent_state.name",
                        "agent_state.role",
                        "agent_state.state",
                        "agent_state.last_active",
                    ];
                    if with_sites {
                        headers.push("agent_state.sites");
                    }
                    // Every cell whole: the columns are as wide as their widest.
                    let columns: Vec<Column> = headers
                        .iter()
                        .enumerate()
                        .map(|(i, h)| Column::whole(&t(h), rows.iter().map(|r| &r[i])))
                        .collect();
                    writeln!(out, "{}", header_line(&columns)).map_err(stdout_error)?;
                    for row in &rows {
                        writeln!(out, "{}", table_line(&columns, row)).map_err(stdout_error)?;
                    }
                }
            }
        }
        AgentAction::Sites { name, sites } => {
            let keys = desk.set_agent_sites(name, sites)?;
            let shown = site_names(desk, &keys, catalog);
            println!(
                "{}",
                catalog.format(
                    "cli.agent_sites",
                    &[("agent", name.trim().to_string()), ("sites", shown)]
                )
            );
        }
        AgentAction::Disable { name } => {
            desk.disable_agent(name)?;
            println!(
                "{}",
                catalog.format("cli.agent_disabled", &[("agent", name.trim().to_string())])
            );
        }
        AgentAction::ResetSecret { name } => {
            let secret = new_secret(name, catalog)?;
            desk.reset_secret(name, &secret)?;
            println!(
                "{}",
                catalog.format("cli.secret_reset", &[("agent", name.trim().to_string())])
            );
        }
    }
    Ok(())
}

/// The names of `sites` (keys) in the interface's language, or "every site" when none.
fn site_names(desk: &Desk, sites: &[String], catalog: &Catalog) -> String {
    if sites.is_empty() {
        return catalog.text("agent_state.all_sites").to_string();
    }
    sites
        .iter()
        .map(|s| {
            crate::text::sanitize_line(&desk.config().site_name(s, catalog.lang())).to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `audit verify|head`.
pub fn audit(desk: &Desk, action: &AuditAction, catalog: &Catalog) -> Result<()> {
    match action {
        AuditAction::Head => {
            let (head, _) = desk.audit_head()?;
            println!("{head}");
            Ok(())
        }
        AuditAction::Verify { head } => {
            let report = desk.audit_verify(head.as_deref())?;
            if let Some((id, breach)) = report.broken {
                return Err(Error::new("error.audit_broken").arg("id", id).arg(
                    "reason",
                    catalog.text(&format!("audit.{}", breach.as_str())),
                ));
            }
            if !report.guards_missing.is_empty() {
                return Err(Error::new("error.guards_missing")
                    .arg("path", desk.db_path().display())
                    .arg("triggers", report.guards_missing.join(", ")));
            }
            if !report.agents_altered.is_empty() {
                return Err(Error::new("error.agents_altered")
                    .arg("agents", report.agents_altered.join(", ")));
            }
            if report.kept_head_found == Some(false) {
                return Err(Error::new("error.audit_head_missing")
                    .arg("head", head.as_deref().unwrap_or_default()));
            }
            println!(
                "{}",
                catalog.format(
                    "cli.audit_whole",
                    &[("count", report.rows.to_string()), ("head", report.head)]
                )
            );
            Ok(())
        }
    }
}

/// `anonymise NUMBER`.
pub fn anonymise(desk: &mut Desk, number: &str, catalog: &Catalog) -> Result<()> {
    elevate(desk, catalog)?;
    let erased = desk.anonymise(number)?;
    println!(
        "{}",
        catalog.format(
            "cli.anonymised",
            &[
                ("complaints", erased.complaints.to_string()),
                ("events", erased.events.to_string()),
                ("drafts", erased.drafts.to_string()),
            ]
        )
    );
    if let Some(wal) = &erased.log_held {
        eprintln!(
            "{}",
            catalog.format(
                "cli.log_held",
                &[
                    ("path", sanitize_path(desk.db_path())),
                    ("wal", sanitize_path(wal)),
                    ("seconds", ERASURE_PATIENCE.as_secs().to_string()),
                ]
            )
        );
    }
    Ok(())
}
