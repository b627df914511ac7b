//! The non-interactive commands: each resolves config, database and agent, then calls Desk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::output;
use super::{
    AgentAction, CallKindArg, CallbackAction, CaseAction, Cli, Command, ConfigFormat, ExportFormat,
    ListFormat, ListQueue, RevisitAction, ShowFormat,
};
use crate::config::{Config, ConfigSource, Configured, Paths, Preset};
use crate::desk::CallResult;
use crate::desk::{Desk, ExportScope, IfMissing, SystemClock};
use crate::domain::agent::Permission;
use crate::domain::complaint::{Complaint, NewComplaint, Queue};
use crate::domain::handling::{Action, Mood};
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::files::write_new_file;
use crate::i18n::{Catalog, Lang};
use crate::progress::MigrationBar;
use crate::text::sanitize_path;
use crate::when::parse_datetime;

/// An error and the language to report it in (when known).
pub type Failure = (Error, Option<Lang>);

/// Runs `command` with the global options of `cli`.
pub fn run(cli: &Cli, command: &Command) -> std::result::Result<(), Failure> {
    // A damage report's whole text goes to the log; nothing else a command does is logged.
    if let Ok(paths) = Paths::platform() {
        crate::log::on_demand(&paths);
    }
    if let Command::Init { preset } = command {
        return init(cli, preset.map(Preset::from)).map_err(|e| (e, cli.lang));
    }
    let (config, source) = Config::load(cli.config.as_deref()).map_err(|e| (e, cli.lang))?;
    let lang = cli.lang.unwrap_or(config.language);
    let fail = |e: Error| (e, Some(lang));
    let catalog = config.catalog(lang);
    match command {
        Command::Config { format } => print_config(&config, &source, *format).map_err(fail),
        command => {
            let desk = open_desk(cli, config, if_missing(command))?;
            run_on_desk(desk, command, catalog).map_err(fail)
        }
    }
}

fn run_on_desk(mut desk: Desk, command: &Command, catalog: &Catalog) -> Result<()> {
    let stdout = std::io::stdout();
    match command {
        Command::Add(a) => {
            let received_at = a
                .received_at
                .as_deref()
                .map(|t| parse_datetime(t, "received_at", desk.config().policy.timezone))
                .transpose()?;
            let new = NewComplaint {
                channel: Some(a.channel.into()),
                name: a.name.clone(),
                phone: a.phone.clone(),
                location: a.location.clone(),
                category: named(&desk, Configured::Category, &a.category, catalog)?,
                description: a.description.clone(),
                outcome: a.outcome.clone(),
                apologized: a.apologized,
                received_at,
                site: a.site.clone(),
                extra_categories: a.extra_categories.clone(),
            };
            let earlier = desk.open_duplicates(&new)?;
            let c = desk.intake(&new)?;
            println!("{}", c.number);
            if !earlier.is_empty() {
                let numbers: Vec<&str> = earlier.iter().map(|e| e.number.as_str()).collect();
                eprintln!(
                    "{}",
                    catalog.format(
                        "cli.open_duplicates",
                        &[
                            ("numbers", numbers.join(", ")),
                            ("number", c.number.clone()),
                            ("first", numbers[0].to_string()),
                        ]
                    )
                );
            }
            Ok(())
        }
        Command::List {
            queue,
            format,
            limit,
        } => match queue {
            ListQueue::Callbacks | ListQueue::Revisits => {
                let cap = (*limit > 0).then_some(*limit);
                let revisits = *queue == ListQueue::Revisits;
                output::held_back(&mut stdout.lock(), |out| {
                    super::queues::list(&desk, revisits, *format, cap, catalog, out)
                })
            }
            ListQueue::Untriaged => list(&desk, Queue::Untriaged, *format, *limit, catalog),
            ListQueue::Open => list(&desk, Queue::Open, *format, *limit, catalog),
            ListQueue::Mine => list(&desk, Queue::Mine, *format, *limit, catalog),
            ListQueue::Waiting => list(&desk, Queue::Waiting, *format, *limit, catalog),
            ListQueue::Approval => list(&desk, Queue::Approval, *format, *limit, catalog),
            ListQueue::Closed => list(&desk, Queue::Closed, *format, *limit, catalog),
            ListQueue::All => list(&desk, Queue::All, *format, *limit, catalog),
        },
        Command::Search(args) => super::search::search(&desk, args, catalog),
        Command::Report(args) => {
            if args.rebuild {
                rebuild_report(&mut desk, catalog)?;
            }
            super::report::report(&desk, args, catalog)
        }
        Command::Show {
            number,
            format,
            reveal,
            confidential,
        } => {
            if *reveal || *confidential {
                super::access::elevate(&mut desk, catalog)?;
            }
            // Reveal first, so the timeline shown includes the reveal itself.
            let phone = if *reveal {
                Some(desk.reveal_phone(number)?)
            } else {
                None
            };
            let attachments = desk.attachments(number, *confidential)?;
            let mut case = desk.open_case(number)?;
            if let Some(phone) = phone {
                case.complaint.phone = phone;
            }
            case.attachments = attachments;
            let mut out = stdout.lock();
            match format {
                ShowFormat::Json => {
                    output::write_case_json(&mut out, &case, desk.config().policy.timezone)
                }
                ShowFormat::Text => {
                    crate::present::write_case_text(&mut out, &case, desk.config(), catalog)
                }
            }
            .map_err(stdout_error)
        }
        Command::Export {
            format,
            out,
            no_bom,
            with_events,
            from,
            to,
            queue,
            headers,
        } => {
            let period = desk.export_period(from.as_deref(), to.as_deref())?;
            let args = super::export::ExportArgs {
                format: *format,
                out: out.as_deref(),
                bom: !*no_bom,
                headers: *headers,
                scope: ExportScope {
                    queue: (*queue).into(),
                    period,
                    with_events: *with_events,
                },
            };
            export(&mut desk, &args, catalog)
        }
        Command::Import {
            file,
            dry_run,
            write,
            maps,
            errors,
            skip_invalid,
        } => super::import::import(
            &mut desk,
            &super::import::ImportArgs {
                file,
                dry_run: *dry_run,
                write: *write,
                maps,
                errors: errors.as_ref(),
                skip_invalid: *skip_invalid,
            },
            catalog,
        ),
        Command::Backup { file } => {
            if !desk.needs_first_admin()? {
                super::access::elevate(&mut desk, catalog)?;
            }
            let report = desk.backup(file)?;
            report_stale_partials(&report.stale_removed, catalog);
            println!(
                "{}",
                catalog.format(
                    "cli.backup_done",
                    &[
                        ("path", sanitize_path(file)),
                        ("count", report.complaints.to_string()),
                        ("size", output::human_size(report.bytes)),
                    ]
                )
            );
            Ok(())
        }
        Command::Migrate { to, start_over } => migrate(&mut desk, to, *start_over, catalog),
        Command::Demo { count, seed } => {
            if !desk.needs_first_admin()? {
                super::access::elevate(&mut desk, catalog)?;
            }
            demo(&mut desk, *count, *seed, catalog)
        }
        Command::Agent { action } => super::access::agent(&mut desk, action, catalog),
        Command::Care { action } => super::care::care(&mut desk, action, catalog),
        Command::Library { action } => super::library::library(&mut desk, action, catalog),
        Command::Audit { action } => super::access::audit(&desk, action, catalog),
        Command::Anonymise { number } => super::access::anonymise(&mut desk, number, catalog),
        Command::Case {
            number,
            expect_version,
            action: CaseAction::Callback { action },
        } => {
            match action {
                CallbackAction::Log {
                    result,
                    kind,
                    note,
                    due,
                } => {
                    let due = due
                        .as_deref()
                        .map(|t| parse_datetime(t, "due", desk.config().policy.timezone))
                        .transpose()?;
                    let id = open_call(&desk, number, *kind, catalog)?;
                    let cb = desk
                        .log_callback(number, *expect_version, id, (*result).into(), note, due)?
                        .callback;
                    match cb.done_at {
                        Some(_) => println!("{}", catalog.text("cli.callback_done")),
                        None => println!(
                            "{}",
                            catalog.format(
                                "cli.callback_next",
                                &[(
                                    "due",
                                    crate::when::local_minutes(
                                        cb.due_at,
                                        desk.config().policy.timezone
                                    )
                                )]
                            )
                        ),
                    }
                }
                CallbackAction::Promise { due, note } => {
                    let due = parse_datetime(due, "due", desk.config().policy.timezone)?;
                    desk.promise_callback(number, *expect_version, due, note)?;
                    println!(
                        "{}",
                        catalog.format(
                            "cli.callback_promised",
                            &[(
                                "due",
                                crate::when::local_minutes(due, desk.config().policy.timezone)
                            )]
                        )
                    );
                }
                CallbackAction::Complete { kind, note } => {
                    let id = open_call(&desk, number, *kind, catalog)?;
                    desk.log_callback(
                        number,
                        *expect_version,
                        id,
                        CallResult::Reached,
                        note,
                        None,
                    )?;
                    println!("{}", catalog.text("cli.callback_done"));
                }
            }
            Ok(())
        }
        Command::Case {
            number,
            expect_version,
            action:
                CaseAction::Revisit {
                    action:
                        RevisitAction::Record {
                            satisfaction,
                            comment,
                            ..
                        },
                },
        } => {
            let c = desk
                .record_revisit(number, *expect_version, None, *satisfaction, comment)?
                .complaint;
            print_stage(catalog, "cli.case_done", &c);
            Ok(())
        }
        Command::Case {
            number,
            action: CaseAction::Script { moment },
            ..
        } => {
            let said = desk.script(number, *moment, catalog.lang())?;
            println!("{}", crate::text::sanitize_lines(&said.text).join("\n"));
            Ok(())
        }
        Command::Case {
            number,
            expect_version,
            action:
                CaseAction::AttachCall {
                    channel,
                    phone,
                    description,
                    outcome,
                },
        } => {
            let call = NewComplaint {
                channel: Some((*channel).into()),
                phone: phone.clone(),
                description: description.clone(),
                outcome: outcome.clone(),
                ..NewComplaint::default()
            };
            let c = desk.attach_call(number, *expect_version, &call)?;
            println!(
                "{}",
                catalog.format(
                    "cli.call_attached",
                    &[
                        ("number", c.number.clone()),
                        ("version", c.version.to_string()),
                    ]
                )
            );
            Ok(())
        }
        Command::Case {
            number,
            expect_version,
            action: CaseAction::Merge { into, reason },
        } => {
            let c = desk.merge(number, *expect_version, into, reason)?;
            println!(
                "{}",
                catalog.format(
                    "cli.merged",
                    &[
                        ("number", c.number.clone()),
                        ("primary", c.merged_into.clone().unwrap_or_default()),
                        ("version", c.version.to_string()),
                    ]
                )
            );
            Ok(())
        }
        Command::Case {
            number,
            expect_version,
            action: CaseAction::Unmerge { reason },
        } => {
            let c = desk.unmerge(number, *expect_version, reason)?;
            print_stage(catalog, "cli.unmerged", &c);
            Ok(())
        }
        Command::Case {
            number,
            expect_version,
            action:
                CaseAction::Split {
                    category,
                    description,
                    location,
                },
        } => {
            let split = desk.split(
                number,
                *expect_version,
                category,
                description,
                location.as_deref(),
            )?;
            // The new number alone on stdout, as `add` prints it; the link on stderr.
            println!("{}", split.new.number);
            eprintln!(
                "{}",
                catalog.format(
                    "cli.split",
                    &[
                        ("number", split.from.number.clone()),
                        ("new", split.new.number.clone()),
                    ]
                )
            );
            Ok(())
        }
        Command::Case {
            number,
            expect_version,
            action: CaseAction::Attach { file, confidential },
        } => {
            let a = desk.attach(number, *expect_version, file, *confidential)?;
            println!("{}", a.sha256);
            Ok(())
        }
        Command::Case {
            number,
            expect_version,
            action,
        } => {
            let mut takes_over = || -> Result<bool> {
                Ok(desk.can(Permission::TakeOver) && desk.takes_over(number)?)
            };
            if matches!(action, CaseAction::Approve { .. })
                || matches!(action, CaseAction::Transfer { .. }) && takes_over()?
            {
                super::access::elevate(&mut desk, catalog)?;
            }
            let zone = desk.config().policy.timezone;
            let to_library = matches!(
                action,
                CaseAction::Close {
                    to_library: true,
                    ..
                }
            );
            let action = case_action(action, zone, &|what, text| {
                named(&desk, what, text, catalog)
            })?;
            let (c, card) = if to_library {
                let (c, card) = desk.close_to_library(number, *expect_version, &action)?;
                (c, Some(card))
            } else {
                (desk.act(number, *expect_version, &action)?, None)
            };
            print_stage(catalog, "cli.case_done", &c);
            if let Some(card) = card {
                println!(
                    "{}",
                    catalog.format(
                        "cli.library_added",
                        &[("id", card.id.to_string()), ("number", c.number.clone())]
                    )
                );
            }
            Ok(())
        }
        Command::Init { .. } | Command::Config { .. } => Ok(()),
    }
}

/// One line naming the case, the stage it is now at and its new version.
fn print_stage(catalog: &Catalog, key: &str, c: &Complaint) {
    println!(
        "{}",
        catalog.format(
            key,
            &[
                ("number", c.number.clone()),
                ("stage", catalog.text(c.stage.label_key()).to_string()),
                ("version", c.version.to_string()),
            ]
        )
    );
}

/// The open call of `kind` of complaint `number` (`None`: the earliest open one, as the
/// desk picks it); refused when the case owes no call of that kind.
fn open_call(
    desk: &Desk,
    number: &str,
    kind: Option<CallKindArg>,
    catalog: &Catalog,
) -> Result<Option<i64>> {
    let Some(kind) = kind else {
        return Ok(None);
    };
    desk.case_file(number)?
        .callbacks
        .iter()
        .find(|c| c.done_at.is_none() && c.kind == kind.key())
        .map(|c| Some(c.id))
        .ok_or_else(|| {
            Error::new("error.no_open_callback_of")
                .arg("number", number.trim())
                .arg(
                    "kind",
                    catalog.text_or(&format!("callback.{}", kind.key()), kind.key()),
                )
        })
}

/// The key of the configured `what` that `text` names (a key, or a name in any language),
/// refused in the catalog's language listing what is accepted.
pub(super) fn named(
    desk: &Desk,
    what: Configured,
    text: &str,
    catalog: &Catalog,
) -> Result<String> {
    desk.config().resolve(what, text, catalog.lang())
}

/// The domain's action for a `case` subcommand, times typed in `zone`, configured values
/// read by `key`.
fn case_action(
    a: &CaseAction,
    zone: Zone,
    key: &dyn Fn(Configured, &str) -> Result<String>,
) -> Result<Action> {
    let maybe = |what, text: &Option<String>| text.as_deref().map(|t| key(what, t)).transpose();
    Ok(match a {
        CaseAction::Classify {
            scope,
            party,
            complaint_type,
            severity,
            intent,
            spread_risk,
            explained,
        } => Action::Classify {
            scope: (*scope).into(),
            party: maybe(Configured::Party, party)?,
            complaint_type: maybe(Configured::Type, complaint_type)?,
            severity: key(Configured::Severity, severity)?,
            intent: (*intent).into(),
            spread_risk: *spread_risk,
            explained: *explained,
        },
        CaseAction::Verify {
            motive,
            outcome,
            mood,
        } => Action::Verify {
            motive: motive.clone(),
            outcome: outcome.clone(),
            mood: mood.map(Mood::from),
        },
        CaseAction::Assess { facts, severity } => Action::Assess {
            facts: facts.clone(),
            severity: maybe(Configured::Severity, severity)?,
        },
        CaseAction::Plan {
            department,
            actions,
            promised,
            confirmed,
            compensation,
            gift,
        } => Action::Plan {
            department: department.clone(),
            actions: actions.clone(),
            promised: promised
                .as_deref()
                .map(|t| parse_datetime(t, "promised", zone))
                .transpose()?,
            confirmed: *confirmed,
            compensation: *compensation,
            gift: gift.clone(),
        },
        CaseAction::Approve {
            decline: true,
            note,
        } => Action::Decline {
            note: note.clone().unwrap_or_default(),
        },
        CaseAction::Approve { .. } => Action::Approve,
        CaseAction::Reply {
            accepted,
            alternatives,
            ..
        } => Action::Reply {
            accepted: *accepted,
            alternatives: alternatives.clone(),
        },
        CaseAction::Remedied { note } => Action::Remedied { note: note.clone() },
        CaseAction::Escalate { reason, severity } => Action::Escalate {
            reason: reason.clone(),
            severity: maybe(Configured::Severity, severity)?,
        },
        CaseAction::Refer { to, note } => Action::Refer {
            to: key(Configured::Addressee, to)?,
            note: note.clone(),
        },
        CaseAction::Wait { on, note } => Action::Wait {
            on: (*on).into(),
            note: note.clone(),
        },
        CaseAction::Resume { note } => Action::Resume { note: note.clone() },
        CaseAction::Close {
            summary,
            root_cause,
            lesson,
            referred,
            ..
        } => Action::Close {
            summary: summary.clone(),
            root_cause: root_cause.clone(),
            lesson: lesson.clone(),
            referred: *referred,
        },
        CaseAction::Reopen { reason } => Action::Reopen {
            reason: reason.clone(),
        },
        CaseAction::Transfer { to, reason } => Action::Transfer {
            to: to.clone(),
            reason: reason.clone(),
        },
        CaseAction::Attach { .. }
        | CaseAction::AttachCall { .. }
        | CaseAction::Merge { .. }
        | CaseAction::Unmerge { .. }
        | CaseAction::Split { .. }
        | CaseAction::Callback { .. }
        | CaseAction::Revisit { .. }
        | CaseAction::Script { .. } => {
            return Err(Error::new("error.internal").arg("detail", "not a move of the method"));
        }
    })
}

/// Whether `command` may create its database: those that start a desk (`add`, `demo`, the
/// first `agent add`; `init` has its own way). Every other one needs the database there.
fn if_missing(command: &Command) -> IfMissing {
    match command {
        Command::Add(_)
        | Command::Demo { .. }
        | Command::Agent {
            action: AgentAction::Add { .. },
        } => IfMissing::Create,
        _ => IfMissing::Refuse,
    }
}

fn open_desk(
    cli: &Cli,
    config: Config,
    if_missing: IfMissing,
) -> std::result::Result<Desk, Failure> {
    let lang = cli.lang.unwrap_or(config.language);
    let fail = |e: Error| (e, Some(lang));
    let path = db_path(cli, &config).map_err(fail)?;
    let agent = agent_name(cli).map_err(fail)?;
    let mut bar = MigrationBar::new(Catalog::get(lang).text("cli.index_progress"));
    let desk = Desk::open_with_progress(
        &path,
        if_missing,
        config,
        &agent,
        Box::new(SystemClock),
        &mut |p| bar.update(p),
    );
    bar.finish();
    desk.map_err(fail)
}

/// Key of the error for a reader that stopped reading (`| head`): not reported.
pub const BROKEN_PIPE: &str = "error.broken_pipe";

/// An error writing to standard output; a closed pipe is told apart.
pub(super) fn stdout_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::new(BROKEN_PIPE)
    } else {
        Error::io(Path::new("<stdout>"), e)
    }
}

/// `--db`, else the config's `database`, else the platform data dir.
fn db_path(cli: &Cli, config: &Config) -> Result<PathBuf> {
    match (&cli.db, &config.database) {
        (Some(p), _) => Ok(p.clone()),
        (None, Some(p)) => Ok(p.clone()),
        (None, None) => Paths::platform()?.database(),
    }
}

/// `--agent` / `COMPLAINT_DESK_AGENT`, else the operating-system user.
fn agent_name(cli: &Cli) -> Result<String> {
    cli.agent
        .clone()
        .or_else(|| whoami::username().ok().filter(|s| !s.trim().is_empty()))
        .ok_or_else(|| Error::new("error.agent_missing"))
}

fn init(cli: &Cli, preset: Option<Preset>) -> Result<()> {
    let config_path = match &cli.config {
        Some(p) => p.clone(),
        None => Paths::platform()?
            .config_file()
            .ok_or_else(|| Error::new("error.no_home"))?,
    };
    let mut lines = Vec::new();
    let config = if config_path.exists() {
        let (config, _) = Config::load(Some(&config_path))?;
        lines.push((
            "cli.init_kept_config",
            vec![("path", sanitize_path(&config_path))],
        ));
        config
    } else {
        let preset = preset.unwrap_or_default();
        let lang = cli.lang.unwrap_or_default();
        let text = Config::starter_text(preset, lang);
        let config = Config::from_toml(&text, &config_path.display().to_string())?;
        write_new_file(&config_path, text.as_bytes())?;
        lines.push((
            "cli.init_created_config",
            vec![
                ("path", sanitize_path(&config_path)),
                ("preset", preset.key().to_string()),
            ],
        ));
        config
    };
    let lang = cli.lang.unwrap_or(config.language);
    let path = db_path(cli, &config)?;
    let report = Desk::init(&path)?;
    lines.push((
        "cli.init_database",
        vec![
            ("path", sanitize_path(&path)),
            ("version", report.version.to_string()),
            ("count", report.complaints.to_string()),
        ],
    ));
    let catalog = config.catalog(lang);
    for (key, args) in lines {
        println!("{}", catalog.format(key, &args));
    }
    Ok(())
}

fn print_config(config: &Config, source: &ConfigSource, format: ConfigFormat) -> Result<()> {
    let text = match format {
        ConfigFormat::Toml => {
            let from = match source {
                ConfigSource::Explicit(p) | ConfigSource::Platform(p) => sanitize_path(p),
                ConfigSource::Embedded => format!("built-in preset {}", config.preset.key()),
            };
            format!(
                "# effective configuration, from {from}\n{}",
                config.to_toml()?
            )
        }
        ConfigFormat::Json => serde_json::to_string_pretty(config)
            .map_err(|e| Error::new("error.internal").arg("detail", e))?,
    };
    println!("{text}");
    Ok(())
}

fn list(
    desk: &Desk,
    queue: Queue,
    format: ListFormat,
    limit: u64,
    catalog: &Catalog,
) -> Result<()> {
    let cap = (limit > 0).then_some(limit);
    print_complaints(desk, catalog, format, cap, "cli.list_empty", |n, f| {
        desk.for_each(queue, n, f)
    })
}

/// Prints the complaints that `rows` streams (at most `cap`; it is handed how many it may
/// give) as `format`: a JSON array, CSV, or a table that says `empty` (a catalog key) when
/// there is none and how many it showed when it was cut short. Shared by `list` and
/// `search`.
pub(super) fn print_complaints(
    desk: &Desk,
    catalog: &Catalog,
    format: ListFormat,
    cap: Option<u64>,
    empty: &str,
    rows: impl FnOnce(Option<u64>, &mut dyn FnMut(&Complaint) -> Result<()>) -> Result<()>,
) -> Result<()> {
    let stdout = std::io::stdout();
    write_complaints(&mut stdout.lock(), desk, catalog, format, cap, empty, rows)
}

/// [`print_complaints`] into `dest`, held back ([`output::held_back`]).
fn write_complaints(
    dest: &mut dyn Write,
    desk: &Desk,
    catalog: &Catalog,
    format: ListFormat,
    cap: Option<u64>,
    empty: &str,
    rows: impl FnOnce(Option<u64>, &mut dyn FnMut(&Complaint) -> Result<()>) -> Result<()>,
) -> Result<()> {
    let io = stdout_error;
    let zone = desk.config().policy.timezone;
    output::held_back(dest, |out| {
        match format {
            ListFormat::Json => {
                let mut json = output::JsonArray::new(&mut *out);
                rows(cap, &mut |c| {
                    json.push(&output::ComplaintJson::new(c, zone)).map_err(io)
                })?;
                json.finish().map_err(io)?;
            }
            ListFormat::Csv => {
                let mut csv = output::CsvOut::new(&mut *out, false, zone).map_err(io)?;
                rows(cap, &mut |c| csv.push(c).map_err(io))?;
                csv.finish().map_err(io)?;
            }
            ListFormat::Table => {
                let mut table = output::Table::new(desk.config(), catalog);
                table.header(out).map_err(io)?;
                // One row more than asked tells whether the table was cut short, without a count.
                let mut seen = 0u64;
                rows(cap.map(|c| c + 1), &mut |c| {
                    seen += 1;
                    if cap.is_some_and(|cap| seen > cap) {
                        return Ok(());
                    }
                    table.row(out, c).map_err(io)
                })?;
                if seen == 0 {
                    writeln!(out, "{}", catalog.text(empty)).map_err(io)?;
                } else if let Some(cap) = cap.filter(|cap| seen > *cap) {
                    let more = catalog.format("cli.list_more", &[("shown", cap.to_string())]);
                    writeln!(out, "{more}").map_err(io)?;
                }
            }
        }
        Ok(())
    })
}

/// `export`: the file (or stdout), then one line on stderr when it went to a file.
fn export(desk: &mut Desk, args: &super::export::ExportArgs<'_>, catalog: &Catalog) -> Result<()> {
    super::access::elevate(desk, catalog)?;
    let done = super::export::export(desk, args, catalog)?;
    report_stale_partials(&done.stale_removed, catalog);
    let count = done.count;
    if let Some(path) = args.out {
        let mut paths = vec![sanitize_path(path)];
        if args.scope.with_events && args.format == ExportFormat::Csv {
            paths.push(sanitize_path(&super::export::events_path(path)));
        }
        eprintln!(
            "{}",
            catalog.format(
                "cli.export_done",
                &[("count", count.to_string()), ("path", paths.join(", "))]
            )
        );
    }
    Ok(())
}

/// One line on stderr for each unfinished copy that a killed backup or export had left, and
/// that was removed.
fn report_stale_partials(removed: &[PathBuf], catalog: &Catalog) {
    for path in removed {
        eprintln!(
            "{}",
            catalog.format(
                "cli.stale_partial_removed",
                &[("path", sanitize_path(path))]
            )
        );
    }
}

fn demo(desk: &mut Desk, count: u64, seed: u64, catalog: &Catalog) -> Result<()> {
    let bar = crate::progress::bar(count, catalog.text("cli.demo_progress"));
    let started = Instant::now();
    let written = desk.demo(count, seed, &mut |n| bar.set_position(n))?;
    bar.finish_and_clear();
    println!(
        "{}",
        catalog.format(
            "cli.demo_done",
            &[
                ("count", written.to_string()),
                ("path", sanitize_path(desk.db_path())),
                ("seconds", format!("{:.1}", started.elapsed().as_secs_f64())),
            ]
        )
    );
    Ok(())
}

/// `report --rebuild`: the sums built again with a progress bar, then one line on stderr.
fn rebuild_report(desk: &mut Desk, catalog: &Catalog) -> Result<()> {
    let bar = crate::progress::bar(0, catalog.text("cli.report_rebuild_progress"));
    let started = Instant::now();
    let mut summed = 0;
    desk.rebuild_report(&mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
        summed = done;
    })?;
    bar.finish_and_clear();
    eprintln!(
        "{}",
        catalog.format(
            "cli.report_rebuilt",
            &[
                ("count", summed.to_string()),
                ("seconds", format!("{:.1}", started.elapsed().as_secs_f64())),
            ]
        )
    );
    Ok(())
}

/// `migrate --to URL`: the copy with a progress bar, then one summary line.
fn migrate(desk: &mut Desk, url: &str, start_over: bool, catalog: &Catalog) -> Result<()> {
    if !desk.needs_first_admin()? {
        super::access::elevate(desk, catalog)?;
    }
    let bar = crate::progress::bar(0, catalog.text("cli.migrate_progress"));
    let started = Instant::now();
    let report = desk.migrate_to(url, start_over, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    println!(
        "{}",
        catalog.format(
            "cli.migrate_done",
            &[
                ("url", crate::text::sanitize_line(url)),
                ("tables", report.tables.len().to_string()),
                ("rows", report.rows().to_string()),
                ("events", report.events.to_string()),
                ("head", report.head.clone()),
                ("seconds", format!("{:.1}", started.elapsed().as_secs_f64())),
            ]
        )
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Preset};
    use crate::desk::FixedClock;
    use crate::i18n::Lang;

    #[test]
    fn a_listing_that_fails_writes_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("a.db");
        Desk::init(&path).expect("init");
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let desk = Desk::open(
            &path,
            config,
            "王丽",
            Box::new(FixedClock(chrono::Utc::now())),
        )
        .expect("desk");
        let catalog = Catalog::get(Lang::ZhCn);
        for format in [ListFormat::Table, ListFormat::Json, ListFormat::Csv] {
            let mut out: Vec<u8> = Vec::new();
            let failed = write_complaints(&mut out, &desk, catalog, format, None, "", |_, _| {
                Err(Error::new("error.internal").arg("detail", "read failed"))
            });
            assert!(failed.is_err());
            assert!(out.is_empty(), "{format:?} wrote {out:?}");
            let mut out: Vec<u8> = Vec::new();
            write_complaints(
                &mut out,
                &desk,
                catalog,
                format,
                None,
                "cli.list_empty",
                |_, _| Ok(()),
            )
            .expect("an empty listing");
            assert!(!out.is_empty(), "{format:?} wrote nothing");
        }
    }
}
