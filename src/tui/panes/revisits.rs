//! The revisit schedule (回访计划): an agenda in parts — overdue, today, tomorrow, this
//! week, all — each with its count, switched with 1–5 or Left/Right; the rows of the part
//! shown by due time, read in keyset pages into a bounded window. Enter opens the case, `r`
//! records the revisit's result, `c` puts the phone on the notice line.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::Revisit;
use crate::desk::{AgendaCounts, AgendaRange};
use crate::domain::complaint::Complaint;
use crate::present::role_name;
use crate::text::{sanitize_line, width};
use crate::tui::app::Ctx;
use crate::tui::panes::callbacks::{
    PHONE_MAX, PHONE_MIN, bar_line, cells_line, marks, position_text,
};
use crate::tui::panes::followups::due_cell;
use crate::tui::theme;
use crate::tui::widgets::window::{Fetch, Key, Keyed, Nav, Window};

/// A row of the agenda: the revisit and its complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaRow {
    /// The revisit.
    pub revisit: Revisit,
    /// Its complaint.
    pub complaint: Complaint,
}

impl Keyed for AgendaRow {
    fn key(&self) -> Key {
        (self.revisit.due_at.timestamp(), self.revisit.id)
    }
}

/// The parts of the agenda, in order, with their names.
pub const PARTS: [(AgendaRange, &str); 5] = [
    (AgendaRange::Overdue, "tui.part_overdue"),
    (AgendaRange::Today, "tui.part_today"),
    (AgendaRange::Tomorrow, "tui.part_tomorrow"),
    (AgendaRange::Week, "tui.part_week"),
    (AgendaRange::All, "tui.part_all"),
];

/// What a key asks of the agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisitsStep {
    /// Nothing more.
    Nothing,
    /// Read a page of the current part.
    Load(Fetch),
    /// Open the complaint with this number.
    Open(String),
    /// Open the form that records the selected revisit.
    Record,
    /// Show the selected complaint's phone on the notice line.
    Dial,
}

/// The agenda's state. It opens on the overdue part: what is late first; the other parts
/// show their counts beside them.
#[derive(Debug, Clone, Default)]
pub struct Revisits {
    part: usize,
    counts: Option<AgendaCounts>,
    window: Window<AgendaRow>,
}

impl Revisits {
    /// The part shown.
    pub fn range(&self) -> AgendaRange {
        PARTS[self.part].0
    }

    /// The counts per part, as last read.
    pub fn counts(&self) -> Option<AgendaCounts> {
        self.counts
    }

    /// Takes fresh counts.
    pub fn set_counts(&mut self, counts: AgendaCounts) {
        self.counts = Some(counts);
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[AgendaRow] {
        self.window.rows()
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&AgendaRow> {
        self.window.selected()
    }

    /// Whether anything was read yet.
    pub fn loaded(&self) -> bool {
        self.window.loaded()
    }

    /// On entering the pane or after a change: the window read again where it was, or
    /// from the start.
    pub fn reload(&mut self) -> Fetch {
        if self.window.loaded() {
            self.window.reload()
        } else {
            self.window.start()
        }
    }

    /// Takes a page read for `range`; a page of another part is dropped.
    pub fn apply(
        &mut self,
        range: AgendaRange,
        fetch: Fetch,
        rows: Vec<AgendaRow>,
        height: usize,
    ) -> Option<Fetch> {
        if range != self.range() {
            return None;
        }
        self.window.apply(fetch, rows, height)
    }

    fn show_part(&mut self, part: usize) -> RevisitsStep {
        self.part = part % PARTS.len();
        RevisitsStep::Load(self.window.start())
    }

    /// Handles a key of the agenda.
    pub fn key(&mut self, key: KeyEvent, height: usize) -> RevisitsStep {
        match self.window.nav(&key, height) {
            Nav::Load(f) => return RevisitsStep::Load(f),
            Nav::Done => return RevisitsStep::Nothing,
            Nav::Ignored => {}
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return RevisitsStep::Nothing;
        }
        let selected = self.selected().is_some();
        match key.code {
            KeyCode::Char(c @ '1'..='5') => self.show_part(c as usize - '1' as usize),
            KeyCode::Right | KeyCode::Tab => self.show_part(self.part + 1),
            KeyCode::Left | KeyCode::BackTab => self.show_part(self.part + PARTS.len() - 1),
            KeyCode::Enter => self.selected().map_or(RevisitsStep::Nothing, |r| {
                RevisitsStep::Open(r.complaint.number.clone())
            }),
            KeyCode::Char('r' | 'R') if selected => RevisitsStep::Record,
            KeyCode::Char('c' | 'C') if selected => RevisitsStep::Dial,
            _ => RevisitsStep::Nothing,
        }
    }

    fn count(&self, range: AgendaRange) -> Option<i64> {
        let c = self.counts?;
        match range {
            AgendaRange::Overdue => Some(c.overdue),
            AgendaRange::Today => Some(c.today),
            AgendaRange::Tomorrow => Some(c.tomorrow),
            AgendaRange::Week => Some(c.week),
            AgendaRange::All => None,
        }
    }

    /// Draws the parts with their counts, the column header and the rows in view; `now`
    /// decides which rows are overdue.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect, now: DateTime<Utc>) {
        let c = ctx.catalog;
        let inner = crate::tui::widgets::pane_frame(
            frame,
            area,
            c.text("tui.revisits_title"),
            c.text("tui.revisits_keys"),
        );
        if inner.height == 0 {
            return;
        }
        let cols = inner.width as usize;
        let mut lines: Vec<Line<'static>> = Vec::with_capacity(inner.height as usize);
        let mut tabs = Vec::new();
        for (i, (range, label)) in PARTS.iter().enumerate() {
            let mut text = format!("{} {}", i + 1, c.text(label));
            if let Some(n) = self.count(*range) {
                text.push_str(&format!(" {n}"));
            }
            let style = if i == self.part {
                theme::tab_active()
            } else if *range == AgendaRange::Overdue && self.count(*range).unwrap_or(0) > 0 {
                theme::risk()
            } else {
                theme::tab()
            };
            let text = if i == self.part {
                format!("[{text}]")
            } else {
                format!(" {text} ")
            };
            tabs.push(Span::styled(text, style));
        }
        let position = position_text(&self.window);
        lines.push(bar_line(tabs, "", &position, cols));
        let phone = self
            .window
            .rows()
            .iter()
            .map(|r| width(&sanitize_line(&r.complaint.phone)))
            .max()
            .unwrap_or(0)
            .clamp(PHONE_MIN, PHONE_MAX);
        let w = columns(cols.saturating_sub(1), phone);
        let header = [
            c.text("tui.col_due"),
            c.text("label.role"),
            c.text("label.number"),
            c.text("label.name"),
            c.text("label.phone"),
            c.text("label.location"),
            c.text("label.description"),
        ];
        lines.push(Line::styled(
            format!(" {}", cells_line(&w, header.map(str::to_string))),
            theme::header(),
        ));
        if self.window.loaded() && self.window.rows().is_empty() {
            lines.push(Line::styled(
                crate::text::fit(c.text("tui.revisits_empty"), cols),
                theme::hint(),
            ));
        }
        let height = (inner.height as usize).saturating_sub(2);
        let top = self.window.top(height);
        let selected = self.window.selected_index();
        for (i, row) in self.window.rows().iter().enumerate().skip(top).take(height) {
            let r = &row.revisit;
            let co = &row.complaint;
            let overdue = r.due_at < now;
            let first = co.description.lines().next().unwrap_or_default();
            let cells = [
                due_cell(r.due_at),
                role_name(&r.role, ctx.config, ctx.lang),
                co.number.clone(),
                sanitize_line(&co.name),
                sanitize_line(&co.phone),
                sanitize_line(&co.location),
                sanitize_line(first),
            ];
            let style = if i == selected {
                theme::selected()
            } else if overdue {
                theme::risk()
            } else {
                Style::default()
            };
            let mut spans = marks(overdue, false, false);
            spans.truncate(1);
            spans.push(Span::styled(cells_line(&w, cells), style));
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// Column widths of the agenda (the mark not counted): due, role, number, name, phone,
/// location, description; the description (wide) or the location (narrow) takes the rest.
fn columns(total: usize, phone: usize) -> [usize; 7] {
    let mut w = if total >= 100 {
        [11, 16, 13, 8, phone, 16, 0]
    } else {
        [11, 8, 13, 8, phone, 0, 0]
    };
    let shown = w.iter().filter(|c| **c > 0).count();
    let fixed: usize = w.iter().sum::<usize>() + shown;
    let rest = total.saturating_sub(fixed);
    if total >= 100 {
        w[6] = rest;
    } else {
        w[5] = rest;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_switch_with_digits_and_arrows() {
        let mut r = Revisits::default();
        assert_eq!(r.range(), AgendaRange::Overdue);
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert!(matches!(
            r.key(key(KeyCode::Char('2')), 10),
            RevisitsStep::Load(_)
        ));
        assert_eq!(r.range(), AgendaRange::Today);
        r.key(key(KeyCode::Char('1')), 10);
        r.key(key(KeyCode::Left), 10);
        assert_eq!(r.range(), AgendaRange::All);
        r.key(key(KeyCode::Right), 10);
        assert_eq!(r.range(), AgendaRange::Overdue);
        assert_eq!(
            r.key(key(KeyCode::Char('r')), 10),
            RevisitsStep::Nothing,
            "nothing selected"
        );
    }

    #[test]
    fn columns_fill_the_width() {
        for total in [77, 99, 100, 117, 197] {
            let w = columns(total, 13);
            let shown = w.iter().filter(|c| **c > 0).count();
            assert_eq!(w.iter().sum::<usize>() + shown - 1, total, "{total}: {w:?}");
        }
    }
}
