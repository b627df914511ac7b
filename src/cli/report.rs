//! `report`: the desk's figures now and over a period (`Desk::report`, the call the
//! dashboard makes), as a table for people, one JSON object, or CSV for spreadsheets (with
//! a UTF-8 BOM): the figures with their definitions, or with `--by` the breakdown's rows.

use std::io::Write;

use serde_json::{Value, json};

use super::ListFormat;
use super::ReportArgs;
use super::commands::stdout_error;
use super::output::{self, csv_err, rfc3339};
use crate::desk::Desk;
use crate::domain::report::{FIGURES, Period, Report, Row};
use crate::error::Result;
use crate::i18n::Catalog;
use crate::present::{figure_label as label, figure_number as number};
use crate::text::spreadsheet_text;

/// The columns of a breakdown's rows, in order (CSV header and JSON keys).
const ROW_COLUMNS: [&str; 10] = [
    "key",
    "received",
    "closed",
    "open",
    "in_scope",
    "out_scope",
    "first_reply_within_sla",
    "first_reply_late",
    "reopened",
    "escalations",
];

/// Runs `report` with its arguments.
pub fn report(desk: &Desk, args: &ReportArgs, catalog: &Catalog) -> Result<()> {
    let period = desk.report_period(args.from.as_deref(), args.to.as_deref())?;
    let by = args.by.map(Into::into);
    let report = match &args.site {
        Some(site) => desk.site_report(period, by, site)?,
        None => desk.report(period, by)?,
    };
    let zone = desk.config().policy.timezone;
    let io = stdout_error;
    let stdout = std::io::stdout();
    output::held_back(&mut stdout.lock(), |out| {
        match args.format {
            ListFormat::Json => {
                let mut doc = json_of(&report, period, zone);
                doc["by"] = args.by.map_or(Value::Null, |b| {
                    crate::domain::report::By::from(b).as_str().into()
                });
                serde_json::to_writer_pretty(&mut *out, &doc)
                    .map_err(|e| io(std::io::Error::other(e)))?;
                writeln!(out).map_err(io)?;
            }
            ListFormat::Csv => {
                let mut csv = output::csv_writer(&mut *out, true).map_err(io)?;
                if by.is_some() {
                    csv.write_record(ROW_COLUMNS).map_err(|e| io(csv_err(e)))?;
                    for row in &report.rows {
                        csv.write_record(row_cells(row))
                            .map_err(|e| io(csv_err(e)))?;
                    }
                } else {
                    csv.write_record(["figure", "value", "definition"])
                        .map_err(|e| io(csv_err(e)))?;
                    for key in FIGURES {
                        let value = report.figures.get(key).copied().flatten();
                        csv.write_record([
                            key.to_string(),
                            value.map(number).unwrap_or_default(),
                            catalog.text(&format!("report.def.{key}")).to_string(),
                        ])
                        .map_err(|e| io(csv_err(e)))?;
                    }
                }
                csv.flush().map_err(io)?;
            }
            ListFormat::Table => {
                table(out, &report, period, by.map(|b| b.as_str()), catalog, zone).map_err(io)?
            }
        }
        Ok(())
    })
}

/// A row's cells, in [`ROW_COLUMNS`] order.
fn row_cells(r: &Row) -> Vec<String> {
    vec![
        // A group's name may come from what people typed (a building, a site): never a
        // formula in the spreadsheet.
        spreadsheet_text(&r.key),
        r.received.to_string(),
        r.closed.to_string(),
        r.open.to_string(),
        r.in_scope.to_string(),
        r.out_scope.to_string(),
        r.first_reply_within_sla.to_string(),
        r.first_reply_late.to_string(),
        r.reopened.to_string(),
        r.escalations.to_string(),
    ]
}

/// The report as one JSON object: the period, every figure (null where it has nothing to
/// count), the distributions and lists, the trend and the breakdown.
fn json_of(r: &Report, period: Period, zone: crate::domain::zone::Zone) -> Value {
    let ageing: Vec<Value> = r
        .ageing
        .iter()
        .map(|(band, n)| json!({ "days": band, "open": n }))
        .collect();
    json!({
        "from": rfc3339(period.from, zone),
        "to": rfc3339(period.to, zone),
        "figures": r.figures,
        "out_of_scope_by_party": r.by_party,
        "satisfaction": {
            "1": r.satisfaction[0], "2": r.satisfaction[1], "3": r.satisfaction[2],
            "4": r.satisfaction[3], "5": r.satisfaction[4],
        },
        "compensation_by_level": r.compensation_by_level,
        "repeat_complainants": r.repeat_complainants,
        "ageing": ageing,
        "trend_by": r.trend_by,
        "trend": r.trend,
        "rows": r.rows,
    })
}

/// The report for people: the figures now and in the period, the distributions, ageing,
/// the trend and the breakdown.
fn table(
    out: &mut dyn Write,
    r: &Report,
    period: Period,
    by: Option<&str>,
    catalog: &Catalog,
    zone: crate::domain::zone::Zone,
) -> std::io::Result<()> {
    let day = |t| crate::when::local_minutes(t, zone);
    let args = [("from", day(period.from)), ("to", day(period.to))];
    writeln!(out, "{}", catalog.format("report.title", &args))?;
    let width = FIGURES
        .iter()
        .map(|k| crate::text::width(label(catalog, k)))
        .max()
        .unwrap_or(0);
    for (i, key) in FIGURES.iter().enumerate() {
        if i == 0 {
            writeln!(out, "\n{}", catalog.text("report.now"))?;
        } else if *key == "received" {
            writeln!(out, "\n{}", catalog.text("report.period"))?;
        }
        let name = label(catalog, key);
        let value = r
            .figures
            .get(key)
            .copied()
            .flatten()
            .map_or_else(|| "–".to_string(), number);
        let pad = width.saturating_sub(crate::text::width(name));
        writeln!(out, "  {name}{}  {value}", " ".repeat(pad))?;
    }
    let pairs = |out: &mut dyn Write, title: String, items: Vec<(String, String)>| {
        writeln!(out, "\n{title}")?;
        if items.is_empty() {
            writeln!(out, "  {}", catalog.text("report.none"))?;
        }
        for (k, v) in items {
            let k = crate::text::sanitize_line(&k);
            writeln!(out, "  {k}  {v}")?;
        }
        Ok::<(), std::io::Error>(())
    };
    pairs(
        out,
        catalog.text("report.by_party").to_string(),
        r.by_party
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
    )?;
    pairs(
        out,
        catalog.text("report.satisfaction").to_string(),
        (1..=5)
            .zip(r.satisfaction)
            .map(|(s, n)| (s.to_string(), n.to_string()))
            .collect(),
    )?;
    pairs(
        out,
        catalog.text("report.compensation_by_level").to_string(),
        r.compensation_by_level
            .iter()
            .map(|(k, v)| {
                let level = if k == crate::domain::report::FRONT_LINE {
                    catalog.text("report.front_line").to_string()
                } else {
                    k.clone()
                };
                (level, v.to_string())
            })
            .collect(),
    )?;
    pairs(
        out,
        catalog.text("report.repeat").to_string(),
        r.repeat_complainants
            .iter()
            .map(|x| (x.phone.clone(), x.numbers.join(", ")))
            .collect(),
    )?;
    pairs(
        out,
        catalog.text("report.ageing").to_string(),
        r.ageing
            .iter()
            .map(|(b, n)| (b.to_string(), n.to_string()))
            .collect(),
    )?;
    let trend_by = [("by", r.trend_by.to_string())];
    rows_table(
        out,
        &catalog.format("report.trend", &trend_by),
        &r.trend,
        catalog,
    )?;
    if let Some(by) = by {
        let title = catalog.format("report.breakdown", &[("by", by.to_string())]);
        rows_table(out, &title, &r.rows, catalog)?;
    }
    Ok(())
}

/// A breakdown's rows as aligned columns under `title`.
fn rows_table(
    out: &mut dyn Write,
    title: &str,
    rows: &[Row],
    catalog: &Catalog,
) -> std::io::Result<()> {
    writeln!(out, "\n{title}")?;
    let headers: Vec<&str> = ROW_COLUMNS
        .iter()
        .map(|c| catalog.text_or(&format!("report.{c}"), c))
        .collect();
    // Keys may be typed text (a handler, a building): drawn inert.
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = row_cells(r);
            c[0] = crate::text::sanitize_line(&c[0]);
            c
        })
        .collect();
    let widths: Vec<usize> = (0..ROW_COLUMNS.len())
        .map(|i| {
            cells
                .iter()
                .map(|r| crate::text::width(&r[i]))
                .chain([crate::text::width(headers[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(crate::text::width(c)))))
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "  {}", line(&headers).trim_end())?;
    for r in &cells {
        let refs: Vec<&str> = r.iter().map(String::as_str).collect();
        writeln!(out, "  {}", line(&refs).trim_end())?;
    }
    Ok(())
}
