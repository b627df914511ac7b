//! `import FILE`: the counts and the first refusals, every refusal in `--errors FILE`, a
//! progress bar on a terminal; a dry run unless told to write.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::output::{csv_err, csv_writer};
use crate::desk::{Desk, ImportOptions, ImportProgress, ImportReport, RowRefusal};
use crate::domain::import::Field;
use crate::error::{Error, Result};
use crate::files::Out;
use crate::i18n::{Catalog, Lang};
use crate::text::{sanitize_line, sanitize_path, spreadsheet_text};

/// Refusals printed after the counts; the rest are counted (and all go to `--errors`).
const SHOWN: usize = 10;

/// The arguments of `import`.
pub struct ImportArgs<'a> {
    /// The file.
    pub file: &'a Path,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--write`.
    pub write: bool,
    /// `--map COLUMN=FIELD`, as typed.
    pub maps: &'a [String],
    /// `--errors FILE`.
    pub errors: Option<&'a PathBuf>,
    /// `--skip-invalid`.
    pub skip_invalid: bool,
}

/// The catalog keys of the header labels an export writes, per field: recognised in every
/// interface language.
const LABELS: [(Field, &str); 14] = [
    (Field::Number, "import.header_number"),
    (Field::ReceivedAt, "field.received_at"),
    (Field::Channel, "field.channel"),
    (Field::Name, "field.name"),
    (Field::Phone, "field.phone"),
    (Field::Location, "field.location"),
    (Field::Category, "field.category"),
    (Field::Description, "field.description"),
    (Field::Outcome, "field.outcome"),
    (Field::Apologized, "import.header_apologized"),
    (Field::Site, "field.site"),
    (Field::ExtraCategories, "field.extra_categories"),
    (Field::Result, "import.header_result"),
    (Field::ClosedAt, "import.header_closed_at"),
];

/// The header labels of every field in every interface language: the logbook's usual
/// ones and every column `export` writes (those the import does not take read past).
fn labels() -> Vec<(Field, String)> {
    let exported = super::export::COLUMNS
        .iter()
        .map(|(key, label)| (Field::parse(key).unwrap_or(Field::Ignore), *label));
    let all: Vec<(Field, &str)> = LABELS.iter().copied().chain(exported).collect();
    // `export --headers keys` writes the columns' keys.
    let keys = super::export::COLUMNS
        .iter()
        .map(|(key, _)| (Field::parse(key).unwrap_or(Field::Ignore), key.to_string()));
    Lang::ALL
        .iter()
        .flat_map(|lang| {
            let catalog = Catalog::get(*lang);
            all.iter()
                .map(move |(f, key)| (*f, catalog.text(key).to_string()))
                .collect::<Vec<_>>()
        })
        .chain(keys)
        .collect()
}

/// `--map COLUMN=FIELD` read; the field by its key.
fn parse_maps(maps: &[String]) -> Result<Vec<(String, Field)>> {
    maps.iter()
        .map(|m| {
            let bad = || {
                Error::new("import.map_bad")
                    .arg("value", m)
                    .arg("fields", Field::key_list())
            };
            let (column, field) = m.rsplit_once('=').ok_or_else(bad)?;
            let field = Field::parse(field).ok_or_else(bad)?;
            if column.trim().is_empty() {
                return Err(bad());
            }
            Ok((column.to_string(), field))
        })
        .collect()
}

/// Runs `import`.
pub fn import(desk: &mut Desk, args: &ImportArgs<'_>, catalog: &Catalog) -> Result<()> {
    let terminal = std::io::stdout().is_terminal();
    let write = !args.dry_run && (args.write || !terminal);
    let options = ImportOptions {
        maps: parse_maps(args.maps)?,
        labels: labels(),
        write,
        skip_invalid: args.skip_invalid,
    };
    let mut errors = match args.errors {
        Some(path) => {
            let mut out = csv_writer(Out::create(path)?, true).map_err(|e| Error::io(path, e))?;
            out.write_record([
                catalog.text("import.col_line"),
                catalog.text("import.col_column"),
                catalog.text("import.col_value"),
                catalog.text("import.col_reason"),
            ])
            .map_err(|e| Error::io(path, csv_err(e)))?;
            Some((path, out))
        }
        None => None,
    };
    let mut shown: Vec<String> = Vec::new();
    let bar = crate::progress::bar(0, catalog.text("import.progress_reading"));
    let mut writing = false;
    let result = desk.import(
        args.file,
        &options,
        &mut |r: &RowRefusal| {
            if shown.len() < SHOWN {
                shown.push(refusal_line(r, catalog));
            }
            if let Some((path, out)) = &mut errors {
                out.write_record([
                    r.line.to_string(),
                    spreadsheet_text(&r.column),
                    spreadsheet_text(&r.value),
                    catalog.render(&r.error),
                ])
                .map_err(|e| Error::io(path, csv_err(e)))?;
            }
            Ok(())
        },
        &mut |p| match p {
            ImportProgress::Reading { done, total } => {
                bar.set_length(total);
                bar.set_position(done);
            }
            ImportProgress::Writing { done, total } => {
                if !writing {
                    writing = true;
                    bar.set_message(catalog.text("import.progress_writing").to_string());
                }
                bar.set_length(total);
                bar.set_position(done);
            }
        },
    );
    bar.finish_and_clear();
    if let Some((path, out)) = errors {
        let out = out
            .into_inner()
            .map_err(|e| Error::io(path, e.error().to_string()))?;
        out.finish()?;
        if result.is_ok() {
            eprintln!(
                "{}",
                catalog.format("import.errors_written", &[("path", sanitize_path(path))])
            );
        }
    }
    let report = result?;
    print_report(args.file, write, &report, &shown, catalog)
        .map_err(super::commands::stdout_error)?;
    if report.refused > 0 && !args.skip_invalid && write {
        return Err(Error::new("import.refused").arg("count", report.refused));
    }
    Ok(())
}

/// One refusal as a line for people (the file's text sanitised).
fn refusal_line(r: &RowRefusal, catalog: &Catalog) -> String {
    let reason = catalog.render(&r.error);
    if r.column.is_empty() {
        catalog.format(
            "import.refusal_row",
            &[("line", r.line.to_string()), ("reason", reason)],
        )
    } else {
        catalog.format(
            "import.refusal",
            &[
                ("line", r.line.to_string()),
                ("column", sanitize_line(&r.column)),
                ("value", sanitize_line(&r.value)),
                ("reason", reason),
            ],
        )
    }
}

fn print_report(
    file: &Path,
    write: bool,
    report: &ImportReport,
    shown: &[String],
    catalog: &Catalog,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if report.finished_earlier > 0 {
        writeln!(
            out,
            "{}",
            catalog.format(
                "import.finished_earlier",
                &[("count", report.finished_earlier.to_string())]
            )
        )?;
    }
    writeln!(
        out,
        "{}",
        catalog.format(
            "import.summary",
            &[
                ("file", sanitize_path(file)),
                ("encoding", report.encoding.clone()),
                ("rows", report.rows.to_string()),
                ("new", report.new.to_string()),
                ("duplicates", report.duplicates.to_string()),
                ("refused", report.refused.to_string()),
            ]
        )
    )?;
    if report.channel_assumed {
        writeln!(out, "{}", catalog.text("import.channel_assumed"))?;
    }
    if !report.ignored.is_empty() {
        let columns: Vec<String> = report.ignored.iter().map(|c| sanitize_line(c)).collect();
        writeln!(
            out,
            "{}",
            catalog.format("import.ignored", &[("columns", columns.join(", "))])
        )?;
    }
    if report.open_to_triage > 0 {
        writeln!(
            out,
            "{}",
            catalog.format(
                "import.open_to_triage",
                &[("count", report.open_to_triage.to_string())]
            )
        )?;
    }
    for line in shown {
        writeln!(out, "{line}")?;
    }
    if report.refused > shown.len() as u64 {
        writeln!(
            out,
            "{}",
            catalog.format(
                "import.more_refusals",
                &[("count", (report.refused - shown.len() as u64).to_string())]
            )
        )?;
    }
    if !write {
        writeln!(out, "{}", catalog.text("import.dry_run"))?;
    } else if report.written > 0 || report.refused == 0 {
        writeln!(
            out,
            "{}",
            catalog.format("import.done", &[("count", report.written.to_string())])
        )?;
    }
    Ok(())
}
