//! The callback queue (回电队列): open callbacks by due time, read through the core in
//! keyset pages into a bounded window (never the whole queue in memory). Marks that say it
//! without colour: `!` overdue, `#` flagged after the configured failed calls, `*` a spread
//! risk. The phone is a column of its own and `c` puts it on the notice line. `m` / `a` /
//! `o` switch between mine (my role's or nobody's), all and overdue; Enter opens the case,
//! `l` logs a call, `p` promises a callback.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::{CallbackRow, CallbackView};
use crate::present::role_name;
use crate::text::{fit, sanitize_line, width};
use crate::tui::app::Ctx;
use crate::tui::panes::followups::{due_cell, short_kind_name};
use crate::tui::theme;
use crate::tui::widgets::window::{Fetch, Key, Keyed, Nav, Window};

impl Keyed for CallbackRow {
    fn key(&self) -> Key {
        (self.callback.due_at.timestamp(), self.callback.id)
    }
}

/// The filters, with their keys, in the order the pane shows them.
pub const VIEWS: [(CallbackView, char, &str); 3] = [
    (CallbackView::Mine, 'm', "tui.filter_mine"),
    (CallbackView::All, 'a', "tui.filter_all"),
    (CallbackView::Overdue, 'o', "tui.filter_overdue"),
];

/// What a key asks of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbacksStep {
    /// Nothing more.
    Nothing,
    /// Read a page of the current view.
    Load(Fetch),
    /// Open the complaint with this number.
    Open(String),
    /// Open the form that logs a call on the selected callback.
    Log,
    /// Open the form that promises the selected complaint a callback.
    Promise,
    /// Show the selected complaint's phone on the notice line.
    Dial,
}

/// The queue's state.
#[derive(Debug, Clone, Default)]
pub struct Callbacks {
    view: CallbackView,
    window: Window<CallbackRow>,
}

impl Callbacks {
    /// The filter shown.
    pub fn view(&self) -> CallbackView {
        self.view
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[CallbackRow] {
        self.window.rows()
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&CallbackRow> {
        self.window.selected()
    }

    /// Position of the selection in the queue (0-based).
    pub fn position(&self) -> u64 {
        self.window.position()
    }

    /// On entering the pane: the window read again where it was, or from the start.
    pub fn enter(&mut self) -> Fetch {
        if self.window.loaded() {
            self.window.reload()
        } else {
            self.window.start()
        }
    }

    /// After a change: the window read again, the selection kept.
    pub fn reload(&mut self) -> Fetch {
        self.enter()
    }

    /// Whether anything was read yet.
    pub fn loaded(&self) -> bool {
        self.window.loaded()
    }

    /// Takes a page read for `view`; a page of another view (switched meanwhile) is
    /// dropped. Returns the next page a waiting move needs.
    pub fn apply(
        &mut self,
        view: CallbackView,
        fetch: Fetch,
        rows: Vec<CallbackRow>,
        height: usize,
    ) -> Option<Fetch> {
        if view != self.view {
            return None;
        }
        self.window.apply(fetch, rows, height)
    }

    /// Handles a key of the list (no text field has focus here, so bare letters work).
    pub fn key(&mut self, key: KeyEvent, height: usize) -> CallbacksStep {
        match self.window.nav(&key, height) {
            Nav::Load(f) => return CallbacksStep::Load(f),
            Nav::Done => return CallbacksStep::Nothing,
            Nav::Ignored => {}
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return CallbacksStep::Nothing;
        }
        let selected = self.selected().is_some();
        match key.code {
            KeyCode::Char(c) if VIEWS.iter().any(|(_, k, _)| *k == c) => {
                let view = VIEWS
                    .iter()
                    .find(|(_, k, _)| *k == c)
                    .map_or(CallbackView::All, |(v, _, _)| *v);
                self.view = view;
                CallbacksStep::Load(self.window.start())
            }
            KeyCode::Char('r' | 'R') => CallbacksStep::Load(self.window.reload()),
            KeyCode::Enter => self.selected().map_or(CallbacksStep::Nothing, |r| {
                CallbacksStep::Open(r.complaint.number.clone())
            }),
            KeyCode::Char('l' | 'L') if selected => CallbacksStep::Log,
            KeyCode::Char('p' | 'P') if selected => CallbacksStep::Promise,
            KeyCode::Char('c' | 'C') if selected => CallbacksStep::Dial,
            _ => CallbacksStep::Nothing,
        }
    }

    /// Draws the filters, the column header and the rows in view.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let inner = crate::tui::widgets::pane_frame(
            frame,
            area,
            c.text("tui.callbacks_title"),
            c.text("tui.callbacks_keys"),
        );
        if inner.height == 0 {
            return;
        }
        let cols = inner.width as usize;
        let mut lines: Vec<Line<'static>> = Vec::with_capacity(inner.height as usize);
        // The filters, the active one bracketed (and coloured), then what the marks say
        // and where the selection is.
        let mut bar = Vec::new();
        for (view, key, label) in VIEWS {
            let text = format!("{key} {}", c.text(label));
            if view == self.view {
                bar.push(Span::styled(format!("[{text}]"), theme::tab_active()));
            } else {
                bar.push(Span::styled(format!(" {text} "), theme::tab()));
            }
            bar.push(Span::raw(" "));
        }
        let legend = c.format(
            "tui.callbacks_legend",
            &[(
                "flag",
                ctx.config.policy.follow_up.failed_attempts_flag.to_string(),
            )],
        );
        let position = position_text(&self.window);
        lines.push(bar_line(bar, &legend, &position, cols));
        let Columns(w) = Columns::fit(cols.saturating_sub(MARKS), self.phone_width());
        let wide = w[8] > 0;
        let header = [
            c.text("tui.col_due"),
            c.text("tui.col_call"),
            c.text("label.number"),
            c.text("label.name"),
            c.text("label.phone"),
            c.text("label.location"),
            c.text("tui.col_fails"),
            c.text(if wide {
                "tui.col_escalated"
            } else {
                "tui.col_level"
            }),
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
        let height = (inner.height as usize).saturating_sub(2);
        if self.window.loaded() && self.window.rows().is_empty() {
            lines.push(Line::styled(
                fit(c.text("tui.callbacks_empty"), cols),
                theme::hint(),
            ));
        }
        let top = self.window.top(height);
        let selected = self.window.selected_index();
        for (i, row) in self.window.rows().iter().enumerate().skip(top).take(height) {
            let cb = &row.callback;
            let co = &row.complaint;
            // Narrow: the level; wide: who owns it now.
            let escalated = match (cb.level, &cb.owner) {
                (0, _) => String::new(),
                (level, Some(o)) if wide => {
                    format!("{level} {}", role_name(o, ctx.config, ctx.lang))
                }
                (level, _) => c.format("tui.level_short", &[("level", level.to_string())]),
            };
            let first = co.description.lines().next().unwrap_or_default();
            let cells = [
                due_cell(cb.due_at),
                short_kind_name(ctx, &cb.kind),
                co.number.clone(),
                sanitize_line(&co.name),
                sanitize_line(&co.phone),
                sanitize_line(&co.location),
                match cb.attempts {
                    0 => String::new(),
                    n => n.to_string(),
                },
                escalated,
                sanitize_line(first),
            ];
            let style = if i == selected {
                theme::selected()
            } else if row.overdue {
                theme::risk()
            } else {
                Style::default()
            };
            let mut spans = marks(row.overdue, row.flagged, co.spread_risk);
            spans.push(Span::styled(cells_line(&w, cells), style));
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// The phone column's width: the widest phone in memory, within bounds.
    fn phone_width(&self) -> usize {
        self.window
            .rows()
            .iter()
            .map(|r| width(&sanitize_line(&r.complaint.phone)))
            .max()
            .unwrap_or(0)
            .clamp(PHONE_MIN, PHONE_MAX)
    }
}

/// Columns the marks take.
pub const MARKS: usize = 3;
/// Narrowest and widest the phone column gets.
pub const PHONE_MIN: usize = 11;
/// The widest phone shown whole (`+86 138 0000 1234`).
pub const PHONE_MAX: usize = 17;

/// The marks of a row, each a character that says it without colour.
pub fn marks(overdue: bool, flagged: bool, risk: bool) -> Vec<Span<'static>> {
    let mark = |on: bool, c: &'static str, style: Style| {
        if on {
            Span::styled(c, style)
        } else {
            Span::raw(" ")
        }
    };
    vec![
        mark(overdue, "!", theme::overdue()),
        mark(flagged, "#", theme::flagged()),
        mark(risk, "*", theme::risk()),
    ]
}

/// The selection's place in the list: `n / total`, or `n / read+` while the end is not
/// read yet.
pub fn position_text<T: Keyed>(window: &Window<T>) -> String {
    if window.rows().is_empty() {
        return String::new();
    }
    let n = window.position() + 1;
    match window.total() {
        Some(t) => format!("{n} / {t}"),
        None => format!("{n} / {}+", window.read()),
    }
}

/// The first line of a list: `left` (filters or parts), then the legend and the position
/// on the right, each left out when there is no room.
pub fn bar_line(
    mut left: Vec<Span<'static>>,
    legend: &str,
    position: &str,
    cols: usize,
) -> Line<'static> {
    let used: usize = left.iter().map(Span::width).sum();
    let mut right = Vec::new();
    let mut right_w = 0;
    if !position.is_empty() && used + width(position) + 1 < cols {
        right_w += width(position) + 1;
        right.push(Span::raw(format!("{position} ")));
    }
    if !legend.is_empty() && used + right_w + width(legend) + 2 < cols {
        right_w += width(legend) + 2;
        right.insert(0, Span::styled(format!("{legend}  "), theme::hint()));
    }
    if used > cols {
        let text: String = left.iter().map(|s| s.content.as_ref()).collect();
        return Line::raw(fit(&text, cols));
    }
    left.push(Span::raw(
        " ".repeat(cols - used - right_w.min(cols - used)),
    ));
    left.extend(right);
    Line::from(left)
}

/// Column widths of the queue at a width (the marks not counted); zero hides a column.
/// Order: due, call, number, name, phone, location, failed calls, escalated, description.
struct Columns([usize; 9]);

impl Columns {
    fn fit(total: usize, phone: usize) -> Columns {
        let mut w = if total >= 100 {
            [11, 12, 13, 8, phone, 14, 4, 14, 0]
        } else {
            // Narrow: a shorter kind and name, the level without its owner; the location
            // takes what is left.
            [11, 8, 13, 6, phone, 0, 4, 4, 0]
        };
        let shown = w.iter().filter(|c| **c > 0).count();
        let fixed: usize = w.iter().sum::<usize>() + shown;
        let rest = total.saturating_sub(fixed);
        if total >= 100 {
            w[8] = rest;
        } else {
            w[5] = rest;
        }
        Columns(w)
    }
}

/// Cells fitted to their widths, one space apart (a column of width zero is left out).
pub fn cells_line<const N: usize>(widths: &[usize; N], cells: [String; N]) -> String {
    let mut out = String::new();
    let mut first = true;
    for (cell, w) in cells.iter().zip(widths) {
        if *w == 0 {
            continue;
        }
        if !first {
            out.push(' ');
        }
        first = false;
        out.push_str(&fit(cell, *w));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width() {
        for total in [75, 99, 100, 115, 197] {
            let Columns(w) = Columns::fit(total, 13);
            let shown = w.iter().filter(|c| **c > 0).count();
            assert_eq!(w.iter().sum::<usize>() + shown - 1, total, "{total}: {w:?}");
        }
    }

    #[test]
    fn the_bar_is_as_wide_as_the_list() {
        let line = bar_line(vec![Span::raw("[a 全部]")], "! 逾期", "3 / 9", 40);
        assert_eq!(line.width(), 40);
        let line = bar_line(vec![Span::raw("[a 全部]")], "! 逾期", "3 / 9", 8);
        assert_eq!(line.width(), 8);
        let line = bar_line(vec![Span::raw("[a 全部]")], "! 逾期", "3 / 9", 5);
        assert_eq!(line.width(), 5);
    }
}
