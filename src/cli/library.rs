//! `library …`: the case library (典型案例) on the command line: the cards listed, searched
//! and shown, a closed case added, a card edited and published, and the published cards
//! exported for a training session (Markdown, or CSV through the export's writer: a UTF-8
//! BOM, text that looks like a formula quote-prefixed).

use std::io::Write;

use serde::Serialize;

use super::commands::{named, stdout_error};
use super::output::{self, Column, JsonArray, csv_err, csv_writer, header_line, table_line};
use super::{CardStatusArg, LibraryAction, LibraryFormat, ListFormat, ShowFormat};
use crate::config::{Config, Configured};
use crate::desk::{CardEdit, CardFilter, CardStatus, Desk, LibraryCard};
use crate::error::{Error, Result};
use crate::files::Out;
use crate::i18n::Catalog;
use crate::text::{sanitize_line, sanitize_lines, spreadsheet_text};

/// Runs a `library` subcommand.
pub fn library(desk: &mut Desk, action: &LibraryAction, catalog: &Catalog) -> Result<()> {
    match action {
        LibraryAction::List {
            category,
            status,
            search,
            format,
            limit,
        } => {
            let filter = CardFilter {
                category: category
                    .as_deref()
                    .map(|c| named(desk, Configured::Category, c, catalog))
                    .transpose()?,
                status: status.map(|s| match s {
                    CardStatusArg::Draft => CardStatus::Draft,
                    CardStatusArg::Published => CardStatus::Published,
                }),
                text: search.clone(),
            };
            let cards = desk.library_list(&filter, *limit)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            list(desk.config(), &cards, *format, catalog, &mut out).map_err(stdout_error)
        }
        LibraryAction::Show { id, format } => {
            let card = desk.library_card(*id)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match format {
                ShowFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &CardJson::new(&card, desk.config()))
                        .map_err(|e| stdout_error(e.into()))?;
                    writeln!(out).map_err(stdout_error)
                }
                ShowFormat::Text => write!(out, "{}", card_text(&card, desk.config(), catalog))
                    .map_err(stdout_error),
            }
        }
        LibraryAction::Add { number } => {
            let card = desk.library_add(number)?;
            println!(
                "{}",
                catalog.format(
                    "cli.library_added",
                    &[("id", card.id.to_string()), ("number", number.clone())]
                )
            );
            Ok(())
        }
        LibraryAction::Edit {
            id,
            party,
            facts,
            plan,
            reply,
            outcome,
            root_cause,
            lesson,
            expect_version,
        } => {
            let edit = CardEdit {
                party: party.clone(),
                facts: facts.clone(),
                plan: plan.clone(),
                reply: reply.clone(),
                outcome: outcome.clone(),
                root_cause: root_cause.clone(),
                lesson: lesson.clone(),
            };
            let card = desk.library_edit(*id, &edit, *expect_version)?;
            println!(
                "{}",
                catalog.format(
                    "cli.library_edited",
                    &[
                        ("id", card.id.to_string()),
                        ("version", card.version.to_string())
                    ]
                )
            );
            Ok(())
        }
        LibraryAction::Publish { id, expect_version } => {
            let card = desk.library_publish(*id, *expect_version)?;
            println!(
                "{}",
                catalog.format(
                    "cli.library_published",
                    &[
                        ("id", card.id.to_string()),
                        ("version", card.version.to_string())
                    ]
                )
            );
            Ok(())
        }
        LibraryAction::Export { format, out } => {
            let cards = desk.library_published()?;
            match out {
                Some(path) => {
                    let mut file = Out::create(path)?;
                    export(desk.config(), &cards, *format, catalog, &mut file)
                        .map_err(|e| Error::io(path, e))?;
                    file.finish()?;
                    eprintln!(
                        "{}",
                        catalog.format(
                            "cli.library_exported",
                            &[
                                ("count", cards.len().to_string()),
                                ("path", path.display().to_string())
                            ]
                        )
                    );
                    Ok(())
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut out = stdout.lock();
                    export(desk.config(), &cards, *format, catalog, &mut out).map_err(stdout_error)
                }
            }
        }
    }
}

/// A card as JSON: keys, times RFC 3339 in the desk's zone.
#[derive(Serialize)]
struct CardJson<'a> {
    id: i64,
    category: &'a str,
    party: &'a str,
    facts: &'a str,
    plan: &'a str,
    reply: &'a str,
    outcome: &'a str,
    root_cause: &'a str,
    lesson: &'a str,
    status: &'static str,
    version: i64,
    created_at: String,
    updated_at: String,
    published_at: Option<String>,
}

impl<'a> CardJson<'a> {
    fn new(c: &'a LibraryCard, config: &Config) -> Self {
        let zone = config.policy.timezone;
        CardJson {
            id: c.id,
            category: &c.category,
            party: &c.party,
            facts: &c.text.facts,
            plan: &c.text.plan,
            reply: &c.text.reply,
            outcome: &c.text.outcome,
            root_cause: &c.text.root_cause,
            lesson: &c.text.lesson,
            status: c.status.as_str(),
            version: c.version,
            created_at: output::rfc3339(c.created_at, zone),
            updated_at: output::rfc3339(c.updated_at, zone),
            published_at: c.published_at.map(|t| output::rfc3339(t, zone)),
        }
    }
}

/// The labelled sections of a card, in order: (catalog key of the label, text).
fn sections(c: &LibraryCard) -> [(&'static str, &str); 6] {
    [
        ("card.facts", &c.text.facts),
        ("card.plan", &c.text.plan),
        ("card.reply", &c.text.reply),
        ("card.outcome", &c.text.outcome),
        ("card.root_cause", &c.text.root_cause),
        ("card.lesson", &c.text.lesson),
    ]
}

/// The party as shown: a configured party's name, else the text as it is.
fn party_name(config: &Config, party: &str, catalog: &Catalog) -> String {
    if party.is_empty() {
        return String::new();
    }
    config.party_name(party, catalog.lang())
}

/// A card as text for people, sanitised.
pub fn card_text(c: &LibraryCard, config: &Config, catalog: &Catalog) -> String {
    let lang = catalog.lang();
    let mut out = format!(
        "{}  {}  {}\n{}: {}\n{}: {}\n",
        catalog.format("card.title", &[("id", c.id.to_string())]),
        catalog.text(&format!("card_status.{}", c.status.as_str())),
        catalog.format("card.version", &[("version", c.version.to_string())]),
        catalog.text("card.category"),
        sanitize_line(&config.category_name(&c.category, lang)),
        catalog.text("card.party"),
        sanitize_line(&party_name(config, &c.party, catalog)),
    );
    for (label, text) in sections(c) {
        out.push_str(&format!(
            "\n{}:\n{}\n",
            catalog.text(label),
            sanitize_lines(text).join("\n")
        ));
    }
    out
}

/// Writes `cards` as a table, JSON or CSV.
fn list(
    config: &Config,
    cards: &[LibraryCard],
    format: ListFormat,
    catalog: &Catalog,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let lang = catalog.lang();
    match format {
        ListFormat::Json => {
            let mut json = JsonArray::new(&mut *out);
            for c in cards {
                json.push(&CardJson::new(c, config))?;
            }
            json.finish()
        }
        ListFormat::Csv => export(config, cards, LibraryFormat::Csv, catalog, out),
        ListFormat::Table => {
            let columns = [
                Column::fixed(catalog.text("card.id"), 6),
                Column::whole(
                    catalog.text("card.status"),
                    ["card_status.draft", "card_status.published"].map(|k| catalog.text(k)),
                ),
                Column::whole(
                    catalog.text("card.category"),
                    cards
                        .iter()
                        .map(|c| config.category_name(&c.category, lang)),
                ),
                Column::cut(catalog.text("card.party"), 16),
                Column::cut(catalog.text("card.facts"), 40),
            ];
            writeln!(out, "{}", header_line(&columns))?;
            for c in cards {
                let cells = [
                    c.id.to_string(),
                    catalog
                        .text(&format!("card_status.{}", c.status.as_str()))
                        .to_string(),
                    config.category_name(&c.category, lang),
                    party_name(config, &c.party, catalog),
                    c.text.facts.replace('\n', " "),
                ]
                .map(|t| sanitize_line(&t));
                writeln!(out, "{}", table_line(&columns, &cells))?;
            }
            Ok(())
        }
    }
}

/// Writes `cards` for a training session: Markdown (a section per card) or CSV (a row per
/// card, the BOM first, each text cell guarded against formulas).
fn export(
    config: &Config,
    cards: &[LibraryCard],
    format: LibraryFormat,
    catalog: &Catalog,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let lang = catalog.lang();
    match format {
        LibraryFormat::Md => {
            writeln!(out, "# {}\n", catalog.text("card.library"))?;
            for c in cards {
                writeln!(
                    out,
                    "## {} · {}\n",
                    catalog.format("card.title", &[("id", c.id.to_string())]),
                    md_line(&config.category_name(&c.category, lang))
                )?;
                if !c.party.is_empty() {
                    writeln!(
                        out,
                        "**{}**: {}\n",
                        catalog.text("card.party"),
                        md_line(&party_name(config, &c.party, catalog))
                    )?;
                }
                for (label, text) in sections(c) {
                    if text.trim().is_empty() {
                        continue;
                    }
                    writeln!(out, "### {}\n\n{}\n", catalog.text(label), md_text(text))?;
                }
            }
            Ok(())
        }
        LibraryFormat::Csv => {
            let mut w = csv_writer(&mut *out, true)?;
            let header = [
                "card.id",
                "card.category",
                "card.party",
                "card.facts",
                "card.plan",
                "card.reply",
                "card.outcome",
                "card.root_cause",
                "card.lesson",
            ]
            .map(|k| catalog.text(k).to_string());
            w.write_record(&header).map_err(csv_err)?;
            for c in cards {
                let row = [
                    c.id.to_string(),
                    config.category_name(&c.category, lang),
                    party_name(config, &c.party, catalog),
                    c.text.facts.clone(),
                    c.text.plan.clone(),
                    c.text.reply.clone(),
                    c.text.outcome.clone(),
                    c.text.root_cause.clone(),
                    c.text.lesson.clone(),
                ]
                .map(|t| spreadsheet_text(&t));
                w.write_record(&row).map_err(csv_err)?;
            }
            w.flush()
        }
    }
}

/// One line of Markdown: sanitised, its markup characters escaped.
fn md_line(text: &str) -> String {
    md_escape(&sanitize_line(text))
}

/// A block of Markdown text: sanitised, markup escaped, each line ending in a hard break.
fn md_text(text: &str) -> String {
    sanitize_lines(text)
        .iter()
        .map(|l| md_escape(l))
        .collect::<Vec<_>>()
        .join("  \n")
}

fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '<' | '>' | '|' | '!'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}
