//! The pane bar (top) and the status line (bottom): active agent, clock, what is due.

use chrono::{DateTime, Utc};

use crate::domain::zone::Zone;
use crate::when::local_minutes;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::desk::StatusCounts;
use crate::i18n::Catalog;
use crate::text::{fit, sanitize_line, width};
use crate::tui::panes::Pane;
use crate::tui::theme;

/// Draws the pane names with their F-keys, the active one marked, and the F1 hint at the
/// right (the panes closer together when it would not fit otherwise).
pub fn pane_bar(catalog: &Catalog, active: Option<Pane>, frame: &mut Frame<'_>, area: Rect) {
    let help = format!("F1 {} ", catalog.text("tui.help"));
    let mut spans = pane_tabs(catalog, active, " ", true);
    let fits = |spans: &[Span<'_>]| {
        spans.iter().map(|s| s.width()).sum::<usize>() + width(&help) < usize::from(area.width)
    };
    if !fits(&spans) {
        spans = pane_tabs(catalog, active, "", true);
    }
    if !fits(&spans) {
        // Still too narrow: the other panes by their F-key alone.
        spans = pane_tabs(catalog, active, "", false);
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = (area.width as usize).saturating_sub(used);
    if room > width(&help) {
        spans.push(Span::raw(" ".repeat(room - width(&help))));
        spans.push(Span::styled(help, theme::hint()));
    }
    frame.render_widget(Line::from(spans), area);
}

/// The panes with their F-keys, `gap` apart, the active one marked and named (the others
/// named too when `names`).
fn pane_tabs(
    catalog: &Catalog,
    active: Option<Pane>,
    gap: &'static str,
    names: bool,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for pane in Pane::ALL {
        let text = if names || Some(pane) == active {
            format!(
                " F{} {} ",
                pane.function_key(),
                catalog.text(pane.label_key())
            )
        } else {
            format!(" F{} ", pane.function_key())
        };
        let style = if Some(pane) == active {
            theme::tab_active()
        } else {
            theme::tab()
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(gap));
    }
    spans
}

/// What the status line shows.
#[derive(Debug, Clone, Copy)]
pub struct Status<'a> {
    /// Who acts.
    pub agent: &'a str,
    /// The names of the sites they see, when scoped to sites (empty: every site).
    pub sites: &'a [String],
    /// The clock.
    pub now: DateTime<Utc>,
    /// The desk's time zone.
    pub zone: Zone,
    /// Cached counts (None until first counted).
    pub counts: Option<StatusCounts>,
    /// The connection to the database server.
    pub link: Link,
}

/// The connection to the database server, as the status line tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Connected (or a file): nothing said.
    Up,
    /// Lost, reconnecting: said in place of the counts (which are not read meanwhile).
    Lost,
    /// Connected again a moment ago: said before the counts.
    Back,
}

/// Columns the names of an agent's sites take on the status line at most.
const MAX_SITES_WIDTH: usize = 24;

/// Draws the status line.
pub fn status_line(catalog: &Catalog, status: Status<'_>, frame: &mut Frame<'_>, area: Rect) {
    let mut agent = catalog.format(
        "tui.status_agent",
        &[("agent", sanitize_line(status.agent))],
    );
    if !status.sites.is_empty() {
        let names: Vec<_> = status.sites.iter().map(|s| sanitize_line(s)).collect();
        let joined = names.join(catalog.text("label.list_separator"));
        let sites = fit(&joined, MAX_SITES_WIDTH);
        agent = catalog.format(
            "tui.status_agent_sites",
            &[("agent", agent), ("sites", sites.trim_end().to_string())],
        );
    }
    let mut spans = vec![Span::styled(format!(" {agent} "), theme::status())];
    match status.link {
        Link::Up => {}
        Link::Lost => {
            let lost = catalog.text("tui.status_lost");
            spans.push(Span::styled(format!(" {lost} "), theme::overdue()));
        }
        Link::Back => {
            let back = catalog.text("tui.status_back");
            spans.push(Span::styled(format!(" {back} "), theme::restored()));
        }
    }
    let mut counted = Vec::new();
    if let Some(c) = status.counts.filter(|_| status.link != Link::Lost) {
        // Those past the triage target follow the untriaged count: "30 (4 late)".
        let untriaged = if c.triage_overdue > 0 {
            let late = catalog.format(
                "tui.status_triage_overdue",
                &[("count", c.triage_overdue.to_string())],
            );
            format!("{} {late}", c.untriaged)
        } else {
            c.untriaged.to_string()
        };
        let counts = catalog.format(
            "tui.status_counts",
            &[("untriaged", untriaged), ("due", c.due_today.to_string())],
        );
        counted.push(Span::styled(format!(" {counts} "), theme::status()));
        let overdue = catalog.format("tui.status_overdue", &[("overdue", c.overdue.to_string())]);
        let style = if c.overdue > 0 {
            theme::overdue()
        } else {
            theme::status()
        };
        counted.push(Span::styled(format!(" {overdue} "), style));
    }
    // Right after a reconnection the counts give way to saying so when both do not fit.
    let wide = |spans: &[Span<'_>]| spans.iter().map(Span::width).sum::<usize>();
    if status.link != Link::Back || wide(&spans) + wide(&counted) <= usize::from(area.width) {
        spans.extend(counted);
    }
    let clock = format!(" {} ", local_minutes(status.now, status.zone));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = (area.width as usize).saturating_sub(used);
    if room >= clock.len() {
        spans.push(Span::styled(fit("", room - clock.len()), theme::status()));
        spans.push(Span::styled(clock, theme::status()));
    } else {
        spans.push(Span::styled(fit("", room), theme::status()));
    }
    frame.render_widget(Line::from(spans), area);
}

/// Below `min` (columns, rows) the panes are not drawn: a message asks for more room.
/// Returns whether that is so.
pub fn too_small(catalog: &Catalog, min: (u16, u16), frame: &mut Frame<'_>, area: Rect) -> bool {
    if area.width >= min.0 && area.height >= min.1 {
        return false;
    }
    let text = catalog.format(
        "tui.enlarge",
        &[
            ("cols", min.0.to_string()),
            ("rows", min.1.to_string()),
            ("width", area.width.to_string()),
            ("height", area.height.to_string()),
        ],
    );
    frame.render_widget(
        ratatui::widgets::Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
    true
}
