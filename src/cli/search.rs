//! `search QUERY`: every case whose text holds the query, with filters, newest first; printed
//! like `list` (the same table, JSON objects and CSV columns).

use super::SearchArgs;
use super::commands::{named, print_complaints};
use crate::config::Configured;
use crate::desk::{Desk, FilterText, SearchFilter};
use crate::error::Result;
use crate::i18n::Catalog;

/// Rows fetched per page.
const PAGE: u32 = 500;

/// Runs `search` with its arguments.
pub fn search(desk: &Desk, args: &SearchArgs, catalog: &Catalog) -> Result<()> {
    let filter = filter(desk, args, catalog)?;
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

/// The search the arguments describe, by the desk's rule; a category or severity is read by
/// key or name, an unknown one refused with what is accepted.
fn filter(desk: &Desk, a: &SearchArgs, catalog: &Catalog) -> Result<SearchFilter> {
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let key = |what, t: &Option<String>| -> Result<String> {
        t.as_deref()
            .map_or(Ok(String::new()), |t| named(desk, what, t, catalog))
    };
    desk.search_filter(&FilterText {
        text: Some(a.query.clone()),
        view: a.view.into(),
        stage: a.stage,
        scope: a.scope.map(Into::into),
        category: key(Configured::Category, &a.category)?,
        severity: key(Configured::Severity, &a.severity)?,
        handler: text(&a.handler),
        from: text(&a.from),
        to: text(&a.to),
        location: text(&a.location),
        site: text(&a.site),
        ..FilterText::default()
    })
}
