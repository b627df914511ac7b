//! `care …`: the care calls (定期回访) on the command line: the open ones by due time, and a
//! call recorded (a low score opening a complaint for the site).

use std::io::Write;

use serde::Serialize;

use super::commands::stdout_error;
use super::output::{self, Column, JsonArray, MINUTES_COLS, header_line, table_line};
use super::{CareAction, ListFormat, RangeArg};
use crate::desk::{AgendaRange, CareCall, CareResult, Desk};
use crate::error::Result;
use crate::i18n::Catalog;
use crate::present::{care_description, care_plan_name, local_minutes, role_name};
use crate::text::sanitize_line;

/// Care calls read per page.
const PAGE: u32 = 200;

/// Runs a `care` subcommand.
pub fn care(desk: &mut Desk, action: &CareAction, catalog: &Catalog) -> Result<()> {
    match action {
        CareAction::List {
            range,
            format,
            limit,
        } => {
            let stdout = std::io::stdout();
            output::held_back(&mut stdout.lock(), |out| {
                list(desk, (*range).into(), *format, *limit, catalog, out)
            })
        }
        CareAction::Record {
            id,
            satisfaction,
            unreached: _,
            note,
            name,
            phone,
        } => {
            let result = satisfaction.map_or(CareResult::Unreached, CareResult::Reached);
            let outcome = desk.record_care_call(*id, result, note)?;
            let zone = desk.config().policy.timezone;
            let line = match (result, outcome.next_due) {
                (_, None) => catalog.text("cli.care_made_last").to_string(),
                (CareResult::Unreached, Some(due)) => {
                    catalog.format("cli.care_retry", &[("due", local_minutes(due, zone))])
                }
                (CareResult::Reached(_), Some(due)) => {
                    catalog.format("cli.care_made", &[("due", local_minutes(due, zone))])
                }
            };
            println!("{line}");
            if let Some(mut new) = outcome.opens {
                new.description = care_description(desk.config(), catalog, &outcome.call);
                if let Some(n) = name {
                    new.name = n.clone();
                }
                if let Some(p) = phone {
                    new.phone = p.clone();
                }
                let c = desk.intake_from_care(*id, &new)?;
                println!(
                    "{}",
                    catalog.format("cli.care_opened", &[("number", c.number)])
                );
            }
            Ok(())
        }
    }
}

impl From<RangeArg> for AgendaRange {
    fn from(r: RangeArg) -> Self {
        match r {
            RangeArg::Overdue => AgendaRange::Overdue,
            RangeArg::Today => AgendaRange::Today,
            RangeArg::Tomorrow => AgendaRange::Tomorrow,
            RangeArg::Week => AgendaRange::Week,
            RangeArg::All => AgendaRange::All,
        }
    }
}

/// A care call as JSON: keys, times in the desk's zone.
#[derive(Serialize)]
struct CareJson<'a> {
    id: i64,
    site: &'a str,
    plan: &'a str,
    role: &'a str,
    due_at: String,
    overdue: bool,
    attempts: u32,
}

/// Streams the open care calls of `range`, at most `limit` (0: all), in `format`.
fn list(
    desk: &Desk,
    range: AgendaRange,
    format: ListFormat,
    limit: u64,
    catalog: &Catalog,
    out: &mut dyn Write,
) -> Result<()> {
    let io = stdout_error;
    let config = desk.config();
    let (lang, zone, now) = (catalog.lang(), config.policy.timezone, desk.now());
    let mut json = matches!(format, ListFormat::Json).then(|| JsonArray::new(&mut *out));
    let columns = [
        Column::fixed(catalog.text("label.due"), MINUTES_COLS + 1),
        Column::cut(catalog.text("label.site"), 24),
        Column::whole(
            catalog.text("label.care_plan"),
            config
                .policy
                .care_plans
                .iter()
                .map(|p| care_plan_name(config, &p.key, lang)),
        ),
        Column::whole(
            catalog.text("label.role"),
            config
                .policy
                .roles
                .iter()
                .map(|r| role_name(&r.key, config, lang)),
        ),
        Column::fixed(catalog.text("label.attempts"), 2),
        Column::fixed("ID", 6),
    ];
    let mut rows: Vec<String> = Vec::new();
    let (mut seen, mut after) = (0u64, None);
    loop {
        let page = desk.care_agenda(range, PAGE, after)?;
        for call in &page {
            if limit > 0 && seen >= limit {
                break;
            }
            seen += 1;
            let overdue = call.due_at < now;
            match json.as_mut() {
                Some(json) => json.push(&care_json(call, zone, overdue)).map_err(io)?,
                None => rows.push(table_line(&columns, &cells(desk, call, overdue, catalog))),
            }
        }
        after = page.last().map(|c| (c.due_at.timestamp(), c.id));
        if (limit > 0 && seen >= limit) || page.len() < PAGE as usize {
            break;
        }
    }
    match json {
        Some(json) => json.finish().map_err(io),
        None if rows.is_empty() => writeln!(out, "{}", catalog.text("cli.list_empty")).map_err(io),
        None => {
            writeln!(out, "{}", header_line(&columns)).map_err(io)?;
            rows.iter()
                .try_for_each(|r| writeln!(out, "{r}"))
                .map_err(io)
        }
    }
}

fn care_json(call: &CareCall, zone: crate::domain::zone::Zone, overdue: bool) -> CareJson<'_> {
    CareJson {
        id: call.id,
        site: &call.site,
        plan: &call.plan,
        role: &call.role,
        due_at: output::rfc3339(call.due_at, zone),
        overdue,
        attempts: call.attempts,
    }
}

/// A table row: `!` marks an overdue call.
fn cells(desk: &Desk, call: &CareCall, overdue: bool, catalog: &Catalog) -> Vec<String> {
    let (config, lang) = (desk.config(), catalog.lang());
    let mark = if overdue { "!" } else { " " };
    vec![
        format!(
            "{mark}{}",
            local_minutes(call.due_at, config.policy.timezone)
        ),
        sanitize_line(&config.site_name(&call.site, lang)),
        care_plan_name(config, &call.plan, lang),
        role_name(&call.role, config, lang),
        call.attempts.to_string(),
        call.id.to_string(),
    ]
}
