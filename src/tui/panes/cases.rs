//! Cases (案件, F6): every case has a home here, whatever it owes. Views with their counts
//! (1–3 or Left/Right): the open cases oldest first, the closed ones most recently closed
//! first, all of them newest first. Each view pages through its index in both directions
//! with the one pager; Enter opens the case, where every move is available. Marks that say
//! it without colour: `*` a spread risk, `$` compensation awaiting approval.

use chrono::{DateTime, Datelike, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::Cursor;
use crate::domain::complaint::{Complaint, Queue};
use crate::domain::handling::Approval;
use crate::present::local_minutes;
use crate::text::{fit, sanitize_line};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, HELP_HINT, Help, ch, footer, key, lookup};
use crate::tui::msg::{Effect, Out};
use crate::tui::panes::Room;
use crate::tui::panes::case::Cover;
use crate::tui::theme;
use crate::tui::widgets::table::{bar_line, cells_line, position_text};
use crate::tui::widgets::window::{self, Fetch, Key, Keyed, Window};

/// The views, in the order the pane shows them: the queue each lists and its name.
pub const VIEWS: [(Queue, &str); 3] = [
    (Queue::Open, "tui.view_open"),
    (Queue::Closed, "tui.view_closed"),
    (Queue::All, "tui.view_all"),
];

/// A case in a view, with its place in the view's order.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    /// The complaint.
    pub complaint: Complaint,
    key: Key,
}

impl Keyed for CaseRow {
    fn key(&self) -> Key {
        self.key
    }
}

/// A row's key in the pager's ascending order: a view listed newest first counts its sort
/// key and id down, so the pager reads it like any other list.
fn row_key(queue: Queue, c: &Complaint) -> Key {
    let at = Cursor::of(queue, c);
    if queue.newest_first() {
        (-at.key, -at.id)
    } else {
        (at.key, at.id)
    }
}

/// The core's cursor for a pager key of `queue` (the inverse of [`row_key`]).
pub fn cursor(queue: Queue, (key, id): Key) -> Cursor {
    if queue.newest_first() {
        Cursor { key: -key, id: -id }
    } else {
        Cursor { key, id }
    }
}

/// What the pane's own keys do (the moves through the list are the pager's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    View(usize),
    NextView,
    PrevView,
    Open,
    Reload,
}

/// The pane's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[ch('1')], Cmd::View(0))
        .help("1-3 / Left / Right / Tab", "help.case_view")
        .hint_at(2, "keys.view"),
    Binding::new(&[ch('2')], Cmd::View(1)),
    Binding::new(&[ch('3')], Cmd::View(2)),
    Binding::new(&[key(KeyCode::Right), key(KeyCode::Tab)], Cmd::NextView),
    Binding::new(&[key(KeyCode::Left), key(KeyCode::BackTab)], Cmd::PrevView),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.open")
        .hint_at(0, "keys.case"),
    Binding::new(&[ch('r'), ch('R')], Cmd::Reload)
        .help("r", "help.refresh")
        .hint_at(1, "keys.reload"),
];

/// What the marks say.
const LEGEND: &[Help] = &[Help {
    keys: "*  $",
    text: "help.case_marks",
}];

/// Results that come back to the pane.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A page of a view.
    Page {
        /// The view's queue it was read for.
        queue: Queue,
        /// What was read.
        fetch: Fetch,
        /// Its rows, in the view's order.
        rows: Vec<Complaint>,
    },
    /// How many cases each view holds, in the order of [`VIEWS`].
    Counts(Vec<i64>),
}

/// The pane's state. It opens on the open cases.
#[derive(Debug, Clone)]
pub struct Cases {
    view: usize,
    counts: Option<Vec<i64>>,
    window: Window<CaseRow>,
    cover: Cover,
}

impl Default for Cases {
    fn default() -> Self {
        Cases {
            view: 0,
            counts: None,
            window: Window::backward(),
            cover: Cover::default(),
        }
    }
}

impl Cases {
    /// The queue of the view shown.
    pub fn queue(&self) -> Queue {
        VIEWS[self.view].0
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[CaseRow] {
        self.window.rows()
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&CaseRow> {
        self.window.selected()
    }

    /// Takes a result.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        match msg {
            // A page of another view (switched meanwhile) is dropped.
            Msg::Page { queue, .. } if queue != self.queue() => Out::none(),
            Msg::Page { queue, fetch, rows } => {
                let rows = rows
                    .into_iter()
                    .map(|complaint| CaseRow {
                        key: row_key(queue, &complaint),
                        complaint,
                    })
                    .collect();
                self.window
                    .set_count(self.count(self.view).map(|n| n.max(0) as u64));
                let next = self.window.apply(fetch, rows, ctx.list_rows(1));
                Out::effects(
                    next.map(|fetch| Effect::LoadCases { queue, fetch })
                        .into_iter()
                        .collect(),
                )
            }
            Msg::Counts(counts) => {
                self.counts = Some(counts);
                Out::none()
            }
        }
    }

    fn count(&self, view: usize) -> Option<i64> {
        self.counts.as_ref().and_then(|c| c.get(view).copied())
    }

    /// The counts and the view read again, where it was (from the start the first time).
    fn reload(&mut self) -> Vec<Effect> {
        vec![
            Effect::CaseCounts(VIEWS.iter().map(|(q, _)| *q).collect()),
            Effect::LoadCases {
                queue: self.queue(),
                fetch: self.window.enter(),
            },
        ]
    }

    fn show_view(&mut self, view: usize) -> Out {
        self.view = view % VIEWS.len();
        Out::effect(Effect::LoadCases {
            queue: self.queue(),
            fetch: self.window.start(),
        })
    }

    /// Draws the views with their counts, the column header and the rows in view.
    fn render_list(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let inner = crate::tui::widgets::pane_frame(
            frame,
            area,
            c.text("tui.cases_title"),
            &footer(c, KEYS, HELP_HINT, "  "),
        );
        if inner.height == 0 {
            return;
        }
        let cols = inner.width as usize;
        let mut lines: Vec<Line<'static>> = Vec::with_capacity(inner.height as usize);
        let mut tabs = Vec::new();
        for (i, (_, label)) in VIEWS.iter().enumerate() {
            let mut text = format!("{} {}", i + 1, c.text(label));
            if let Some(n) = self.count(i) {
                text.push_str(&format!(" {n}"));
            }
            tabs.push(if i == self.view {
                Span::styled(format!("[{text}]"), theme::tab_active())
            } else {
                Span::styled(format!(" {text} "), theme::tab())
            });
        }
        let legend = c.text("tui.cases_legend");
        lines.push(bar_line(tabs, legend, &position_text(&self.window), cols));
        let w = columns(cols.saturating_sub(MARKS));
        let header = [
            c.text("label.number"),
            c.text("label.received_at"),
            c.text("label.stage"),
            c.text("label.category"),
            c.text("label.severity"),
            c.text("label.location"),
            c.text("tui.col_age"),
            c.text("label.description"),
        ];
        lines.push(Line::styled(
            format!(
                "{}{}",
                " ".repeat(MARKS),
                cells_line(&w, header.map(str::to_string))
            ),
            theme::header(),
        ));
        if self.window.loaded() && self.window.rows().is_empty() {
            lines.push(Line::styled(
                fit(c.text("tui.cases_empty"), cols),
                theme::hint(),
            ));
        }
        let now = ctx.now_utc();
        let height = (inner.height as usize).saturating_sub(2);
        let selected = self.window.selected_index();
        for (i, row) in self
            .window
            .rows()
            .iter()
            .enumerate()
            .skip(self.window.top(height))
            .take(height)
        {
            let co = &row.complaint;
            let first = co.description.lines().next().unwrap_or_default();
            let cells = [
                co.number.clone(),
                received_cell(co.received_at, now),
                c.text(co.stage.label_key()).to_string(),
                ctx.config.category_name(&co.category, ctx.lang),
                co.severity
                    .as_deref()
                    .map(|s| ctx.config.severity_name(s, ctx.lang))
                    .unwrap_or_default(),
                sanitize_line(&co.location),
                c.format("tui.age_days", &[("days", age_days(co, now).to_string())]),
                sanitize_line(first),
            ];
            let style = if i == selected {
                theme::selected()
            } else {
                Style::default()
            };
            let pending = co
                .handling
                .plan
                .as_ref()
                .is_some_and(|p| p.approval == Approval::Pending);
            let mut spans = vec![
                mark(co.spread_risk, "*", theme::risk()),
                mark(pending, "$", theme::flagged()),
            ];
            spans.push(Span::styled(cells_line(&w, cells), style));
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl Room for Cases {
    fn key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.cover.is_up() {
            return self.cover.key(event, ctx);
        }
        let queue = self.queue();
        if let Some(go) = lookup(window::KEYS, &event) {
            let next = self.window.go(go, ctx.list_rows(1));
            return Out::effects(
                next.map(|fetch| Effect::LoadCases { queue, fetch })
                    .into_iter()
                    .collect(),
            );
        }
        match lookup(KEYS, &event) {
            Some(Cmd::View(view)) => self.show_view(view),
            Some(Cmd::NextView) => self.show_view(self.view + 1),
            Some(Cmd::PrevView) => self.show_view(self.view + VIEWS.len() - 1),
            Some(Cmd::Reload) => Out::effects(self.reload()),
            Some(Cmd::Open) => self.selected().map_or_else(Out::none, |r| {
                Out::effect(Effect::OpenCase(r.complaint.number.clone()))
            }),
            None => Out::none(),
        }
    }

    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        self.cover
            .render_over(ctx, frame, area, |f| self.render_list(ctx, f, area));
    }

    fn help(&self) -> Vec<Help> {
        self.cover.help_over(KEYS, LEGEND)
    }

    fn cover(&self) -> Option<&Cover> {
        Some(&self.cover)
    }

    fn cover_mut(&mut self) -> Option<&mut Cover> {
        Some(&mut self.cover)
    }

    /// The counts and the view are read again on every F6.
    fn enter(&mut self, _again: bool) -> Vec<Effect> {
        self.reload()
    }

    fn refresh(&mut self) -> Vec<Effect> {
        self.reload()
    }
}

/// Columns the marks take.
const MARKS: usize = 2;

fn mark(on: bool, text: &'static str, style: Style) -> Span<'static> {
    if on {
        Span::styled(text, style)
    } else {
        Span::raw(" ")
    }
}

/// When a case was received: month, day and time this year, the date in an earlier one.
fn received_cell(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = local_minutes(at);
    let this_year =
        at.with_timezone(&chrono::Local).year() == now.with_timezone(&chrono::Local).year();
    if this_year {
        local.get(5..).unwrap_or(&local).to_string()
    } else {
        local.get(..10).unwrap_or(&local).to_string()
    }
}

/// Whole days from receipt to the close (closed cases) or to now.
fn age_days(c: &Complaint, now: DateTime<Utc>) -> i64 {
    (c.closed_at.unwrap_or(now) - c.received_at)
        .num_days()
        .max(0)
}

/// Column widths (the marks not counted): number, received, stage, category, severity,
/// location, age, description; the description (wide) or the location (narrow) takes the
/// rest.
fn columns(total: usize) -> [usize; 8] {
    let mut w = if total >= 100 {
        [13, 11, 10, 10, 8, 14, 5, 0]
    } else {
        [13, 11, 8, 8, 0, 0, 4, 0]
    };
    let shown = w.iter().filter(|c| **c > 0).count() + 1;
    let fixed: usize = w.iter().sum::<usize>() + shown - 1;
    w[7] = total.saturating_sub(fixed);
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;

    #[test]
    fn the_pane_keys() {
        check_table(KEYS);
        for k in ['1', 'r'] {
            let event = KeyEvent::new(KeyCode::Char(k), crossterm::event::KeyModifiers::NONE);
            assert!(lookup(KEYS, &event).is_some());
            assert_eq!(lookup(window::KEYS, &event), None, "{k} is not a pager key");
        }
    }

    #[test]
    fn keys_follow_the_order_of_each_view() {
        for (queue, _) in VIEWS {
            let mut a = Complaint::sample(1, "leak", "漏水");
            let mut b = Complaint::sample(2, "leak", "漏水");
            b.received_at = a.received_at + chrono::Duration::hours(1);
            a.closed_at = Some(b.received_at);
            b.closed_at = Some(b.received_at + chrono::Duration::hours(1));
            let (ka, kb) = (row_key(queue, &a), row_key(queue, &b));
            assert_eq!(ka < kb, !queue.newest_first(), "{queue:?}");
            for (k, c) in [(ka, &a), (kb, &b)] {
                assert_eq!(cursor(queue, k), Cursor::of(queue, c), "{queue:?}");
            }
        }
    }

    #[test]
    fn columns_fill_the_width() {
        for total in [77, 99, 100, 117, 197] {
            let w = columns(total);
            let shown = w.iter().filter(|c| **c > 0).count();
            assert_eq!(w.iter().sum::<usize>() + shown - 1, total, "{total}: {w:?}");
        }
    }
}
