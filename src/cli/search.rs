//! `search QUERY`: every case whose text holds the query, with filters, newest first; printed
//! like `list` (the same table, JSON objects and CSV columns).

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};

use super::SearchArgs;
use super::commands::print_complaints;
use crate::desk::{Desk, SearchFilter};
use crate::error::{Error, Result};
use crate::i18n::Catalog;
use crate::when::parse_datetime;

/// Rows fetched per page.
const PAGE: u32 = 500;

/// Runs `search` with its arguments.
pub fn search(desk: &Desk, args: &SearchArgs, catalog: &Catalog) -> Result<()> {
    let filter = filter(desk, args)?;
    let cap = (args.limit > 0).then_some(args.limit);
    print_complaints(
        desk,
        catalog,
        args.format,
        cap,
        "cli.search_none",
        |n, f| each(desk, &filter, n, f),
    )
}

/// Calls `f` on each match, newest first, at most `cap` (all when `None`), a page at a time.
fn each(
    desk: &Desk,
    filter: &SearchFilter,
    cap: Option<u64>,
    mut f: impl FnMut(&crate::domain::complaint::Complaint) -> Result<()>,
) -> Result<()> {
    let mut seen = 0u64;
    let mut after = None;
    loop {
        let want = cap.map_or(PAGE, |c| {
            u32::try_from(c.saturating_sub(seen)).map_or(PAGE, |left| left.min(PAGE))
        });
        if want == 0 {
            return Ok(());
        }
        let (page, cursor) = desk.search(filter, want, after)?;
        for c in &page {
            f(c)?;
        }
        seen += page.len() as u64;
        if page.len() < want as usize {
            return Ok(());
        }
        after = cursor;
    }
}

/// The filter the arguments describe; a category or severity the configuration does not
/// know is refused with the known ones.
fn filter(desk: &Desk, a: &SearchArgs) -> Result<SearchFilter> {
    let policy = &desk.config().policy;
    let category = a
        .category
        .as_deref()
        .map(|text| {
            policy
                .find_category(text)
                .map(|c| c.key.clone())
                .ok_or_else(|| {
                    Error::new("error.unknown_category")
                        .arg("value", text)
                        .arg("known", policy.category_list())
                })
        })
        .transpose()?;
    let severity = a
        .severity
        .as_deref()
        .map(|text| {
            policy
                .severities
                .iter()
                .find(|s| s.key.eq_ignore_ascii_case(text.trim()))
                .map(|s| s.key.clone())
                .ok_or_else(|| {
                    Error::new("error.unknown_key")
                        .arg("field", "severity")
                        .arg("value", text)
                        .arg(
                            "known",
                            policy
                                .severities
                                .iter()
                                .map(|s| s.key.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        )
                })
        })
        .transpose()?;
    Ok(SearchFilter {
        text: Some(a.query.clone()),
        view: a.view.into(),
        stage: a.stage,
        scope: a.scope.map(Into::into),
        category,
        severity,
        handler: a.handler.as_deref().map(|h| h.trim().to_string()),
        from: a
            .from
            .as_deref()
            .map(|t| day_bound(t, "from", false))
            .transpose()?,
        to: a
            .to
            .as_deref()
            .map(|t| day_bound(t, "to", true))
            .transpose()?,
        location_prefix: a
            .location
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    })
}

/// A DATE (`YYYY-MM-DD`, the local day: its start, or with `end` the start of the next day,
/// so that `--to` takes the whole day) or a DATETIME.
fn day_bound(text: &str, field: &'static str, end: bool) -> Result<DateTime<Utc>> {
    let Ok(day) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") else {
        return parse_datetime(text, field);
    };
    let day = if end { day.succ_opt() } else { Some(day) };
    day.and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| Local.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            Error::new("error.bad_datetime")
                .arg("field", field)
                .arg("value", text.trim())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_to_date_takes_the_whole_day() {
        let from = day_bound("2026-11-20", "from", false).expect("from");
        let to = day_bound("2026-11-20", "to", true).expect("to");
        assert_eq!((to - from).num_hours(), 24);
        assert!(day_bound("2026-11-20 17:50", "to", true).is_ok());
        assert_eq!(
            day_bound("昨天", "from", false).map_err(|e| e.key),
            Err("error.bad_datetime")
        );
    }
}
