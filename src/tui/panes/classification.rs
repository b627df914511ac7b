//! Classification: the untriaged complaints, oldest first, a spread risk marked `!`. The
//! list is a window of a few pages over the queue's index (keyset paging both ways), never
//! the whole queue in memory. `c` opens the classification form of the selected complaint.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::config::Config;
use crate::desk::Cursor;
use crate::domain::complaint::{Complaint, Queue};
use crate::domain::suggest::suggest;
use crate::present::local_minutes;
use crate::text::{fit, sanitize_line};
use crate::tui::app::Ctx;
use crate::tui::theme;

/// The queue this pane lists.
pub const QUEUE: Queue = Queue::Untriaged;
/// Rows fetched per page.
pub const PAGE: u32 = 200;
/// Rows kept in memory at most; the far end of the window is dropped beyond this.
const WINDOW_MAX: usize = 1_000;
/// Fetch the next page when the selection comes this close to the window's edge.
const PREFETCH: usize = 60;

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    /// The oldest complaints.
    First,
    /// The newest complaints.
    Last,
    /// Just after a row.
    After(Cursor),
    /// Just before a row.
    Before(Cursor),
    /// From a row on, that row included (the rows in view, read again).
    From(Cursor),
}

/// What a key asks of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListStep {
    /// Nothing more.
    Nothing,
    /// Fetch a page.
    Load(PageAt),
    /// Open the complaint with this number.
    Open(String),
    /// Open the classification form of the selected complaint.
    Classify,
}

/// The list's state.
#[derive(Debug, Clone, Default)]
pub struct Classification {
    rows: Vec<Complaint>,
    selected: usize,
    top: usize,
    offset: u64,
    at_start: bool,
    at_end: bool,
    loading: bool,
    loaded: bool,
    pending: isize,
    /// Rows with a spread risk, decided or suggested by the keyword rules (worked out once
    /// per page, not on every frame).
    risky: HashSet<i64>,
}

impl Classification {
    /// Asks for the list from its start (on entering the pane, or after a change).
    pub fn reload(&mut self) -> PageAt {
        self.loading = true;
        PageAt::First
    }

    /// Asks for the rows in view again, from the top row shown, after a change elsewhere
    /// (the window keeps its place; from the start when it is there). None while a page is
    /// on its way (it is fresh).
    pub fn refresh(&mut self) -> Option<PageAt> {
        if self.loading {
            return None;
        }
        self.loading = true;
        match self.rows.get(self.top) {
            Some(c) if self.offset + self.top as u64 > 0 => {
                Some(PageAt::From(Cursor::of(QUEUE, c)))
            }
            _ => Some(PageAt::First),
        }
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[Complaint] {
        &self.rows
    }

    /// The selected complaint.
    pub fn selected(&self) -> Option<&Complaint> {
        self.rows.get(self.selected)
    }

    /// Position of the selection in the whole queue (0-based).
    pub fn position(&self) -> u64 {
        self.offset + self.selected as u64
    }

    /// Takes a fetched page; `total` is the queue's size as last counted.
    pub fn apply(
        &mut self,
        config: &Config,
        at: PageAt,
        rows: Vec<Complaint>,
        total: u64,
        height: usize,
    ) -> ListStep {
        if matches!(at, PageAt::First | PageAt::Last | PageAt::From(_)) {
            self.risky.clear();
        }
        // A page read again keeps the selected complaint selected while it is listed.
        let kept = self.selected().map(|c| c.id);
        self.risky.extend(
            rows.iter()
                .filter(|r| r.spread_risk || suggest(&config.policy, r).spread_risk)
                .map(|r| r.id),
        );
        self.loading = false;
        self.loaded = true;
        let full = rows.len() >= PAGE as usize;
        let got = rows.len();
        match at {
            PageAt::First => {
                let keep = self.selected;
                self.rows = rows;
                self.offset = 0;
                self.at_start = true;
                self.at_end = !full;
                self.selected = kept
                    .and_then(|id| self.rows.iter().position(|c| c.id == id))
                    .unwrap_or(keep)
                    .min(self.rows.len().saturating_sub(1));
            }
            PageAt::From(_) => {
                let keep = self.selected.saturating_sub(self.top);
                self.offset += self.top as u64;
                self.rows = rows;
                self.top = 0;
                self.at_start = self.offset == 0;
                self.at_end = !full;
                self.selected = kept
                    .and_then(|id| self.rows.iter().position(|c| c.id == id))
                    .unwrap_or(keep)
                    .min(self.rows.len().saturating_sub(1));
            }
            PageAt::Last => {
                self.rows = rows;
                self.offset = total.saturating_sub(got as u64);
                self.at_end = true;
                self.at_start = !full;
                self.selected = self.rows.len().saturating_sub(1);
            }
            PageAt::After(_) => {
                self.rows.extend(rows);
                self.at_end = !full;
                if self.rows.len() > WINDOW_MAX {
                    let drop = self.rows.len() - WINDOW_MAX;
                    self.rows.drain(..drop);
                    self.selected = self.selected.saturating_sub(drop);
                    self.top = self.top.saturating_sub(drop);
                    self.offset += drop as u64;
                    self.at_start = false;
                }
            }
            PageAt::Before(_) => {
                let mut merged = rows;
                merged.append(&mut self.rows);
                self.rows = merged;
                self.at_start = !full;
                self.selected += got;
                self.top += got;
                self.offset = self.offset.saturating_sub(got as u64);
                if self.rows.len() > WINDOW_MAX {
                    self.rows.truncate(WINDOW_MAX);
                    self.at_end = false;
                }
            }
        }
        if matches!(at, PageAt::From(_)) && self.rows.is_empty() && self.offset > 0 {
            // Every row in view left the queue: the end of it is what is left to show.
            self.loading = true;
            return ListStep::Load(PageAt::Last);
        }
        let pending = std::mem::take(&mut self.pending);
        self.move_by(pending, height)
    }

    /// Handles a list key (no text field has focus here, so bare letters work too).
    pub fn key(&mut self, key: KeyEvent, height: usize) -> ListStep {
        let page = height.max(1) as isize;
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1, height),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1, height),
            KeyCode::PageDown | KeyCode::Char(' ') => self.move_by(page, height),
            KeyCode::PageUp => self.move_by(-page, height),
            KeyCode::Char('d') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.move_by(page / 2, height)
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.move_by(-page / 2, height)
            }
            KeyCode::Home | KeyCode::Char('g') => {
                self.selected = 0;
                self.top = 0;
                if self.at_start {
                    ListStep::Nothing
                } else {
                    self.loading = true;
                    ListStep::Load(PageAt::First)
                }
            }
            KeyCode::End | KeyCode::Char('G') => {
                if self.at_end {
                    self.move_by(isize::MAX / 2, height)
                } else {
                    self.loading = true;
                    ListStep::Load(PageAt::Last)
                }
            }
            KeyCode::Char('r' | 'R') => ListStep::Load(self.reload()),
            KeyCode::Enter => self
                .selected()
                .map_or(ListStep::Nothing, |c| ListStep::Open(c.number.clone())),
            KeyCode::Char('c' | 'C') if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.selected().is_some() {
                    ListStep::Classify
                } else {
                    ListStep::Nothing
                }
            }
            _ => ListStep::Nothing,
        }
    }

    /// Moves the selection; past the rows in memory it asks for the next page and finishes
    /// the move when the page arrives.
    pub fn move_by(&mut self, delta: isize, height: usize) -> ListStep {
        if self.rows.is_empty() {
            return ListStep::Nothing;
        }
        let last = self.rows.len() - 1;
        let target = self.selected as isize + delta;
        let mut step = ListStep::Nothing;
        if target > last as isize {
            self.selected = last;
            if !self.at_end && !self.loading {
                self.pending = target - last as isize;
                step = self.load_after();
            }
        } else if target < 0 {
            self.selected = 0;
            if !self.at_start && !self.loading {
                self.pending = target;
                step = self.load_before();
            }
        } else {
            self.selected = target as usize;
        }
        if step == ListStep::Nothing && !self.loading {
            if !self.at_end && last - self.selected < PREFETCH {
                step = self.load_after();
            } else if !self.at_start && self.selected < PREFETCH {
                step = self.load_before();
            }
        }
        self.scroll_into_view(height);
        step
    }

    fn load_after(&mut self) -> ListStep {
        match self.rows.last() {
            Some(c) => {
                self.loading = true;
                ListStep::Load(PageAt::After(Cursor::of(QUEUE, c)))
            }
            None => ListStep::Nothing,
        }
    }

    fn load_before(&mut self) -> ListStep {
        match self.rows.first() {
            Some(c) => {
                self.loading = true;
                ListStep::Load(PageAt::Before(Cursor::of(QUEUE, c)))
            }
            None => ListStep::Nothing,
        }
    }

    fn scroll_into_view(&mut self, height: usize) {
        self.top = visible_top(self.top, self.selected, height);
    }

    /// Draws the list with aligned columns (display widths, so Chinese lines up).
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect, total: Option<i64>) {
        let c = ctx.catalog;
        let count = total.map_or_else(|| "-".to_string(), |t| t.to_string());
        let title = c.format("tui.classification_title", &[("count", count)]);
        let position = if self.rows.is_empty() {
            String::new()
        } else {
            format!(
                " {} / {} ",
                self.position() + 1,
                total.map_or_else(|| "?".to_string(), |t| t.to_string())
            )
        };
        let block = Block::bordered()
            .title(Span::styled(title, theme::label()))
            .title_top(Line::from(position).right_aligned())
            .border_style(theme::border());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.loaded && self.rows.is_empty() {
            frame.render_widget(
                Paragraph::new(c.text("tui.classification_empty")).style(theme::hint()),
                inner,
            );
            return;
        }
        // The first column marks a spread risk (传播风险), decided or suggested by the
        // keyword rules: a `!` that says it without colour.
        let w = (inner.width as usize).saturating_sub(1);
        let cols = Columns::fit(w);
        let mut lines = Vec::with_capacity(inner.height as usize);
        let header = [
            c.text("label.number"),
            c.text("label.received_at"),
            c.text("label.channel"),
            c.text("label.category"),
            c.text("label.name"),
            c.text("label.location"),
            c.text("label.description"),
        ];
        lines.push(Line::styled(
            format!(" {}", cols.line(header.map(str::to_string))),
            theme::header(),
        ));
        let height = (inner.height as usize).saturating_sub(1);
        let top = visible_top(self.top, self.selected, height);
        for (i, row) in self.rows.iter().enumerate().skip(top).take(height) {
            let first = row.description.lines().next().unwrap_or_default();
            let cells = [
                row.number.clone(),
                local_minutes(row.received_at)[5..].to_string(),
                c.text(row.channel.label_key()).to_string(),
                ctx.config.category_name(&row.category, ctx.lang),
                sanitize_line(&row.name),
                sanitize_line(&row.location),
                sanitize_line(first),
            ];
            let style = if i == self.selected {
                theme::selected()
            } else {
                ratatui::style::Style::default()
            };
            let mark = if self.risky.contains(&row.id) {
                Span::styled("!", theme::risk())
            } else {
                Span::raw(" ")
            };
            lines.push(Line::from(vec![
                mark,
                Span::styled(cols.line(cells), style),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// The first visible row that keeps `selected` on screen, moving as little as possible.
fn visible_top(top: usize, selected: usize, height: usize) -> usize {
    let height = height.max(1);
    if selected < top {
        selected
    } else if selected >= top + height {
        selected + 1 - height
    } else {
        top
    }
}

/// Column widths for the list at a given width; the description takes what is left.
struct Columns([usize; 7]);

impl Columns {
    fn fit(total: usize) -> Columns {
        // number, received (MM-DD HH:MM), channel, category, name, location, description
        let mut w = if total >= 100 {
            [13, 11, 10, 12, 8, 16, 0]
        } else {
            // Narrow: no channel, shorter category and location; the description keeps room.
            [13, 11, 0, 10, 8, 12, 0]
        };
        let shown = w.iter().filter(|c| **c > 0).count();
        let fixed: usize = w.iter().sum::<usize>() + shown;
        w[6] = total.saturating_sub(fixed);
        Columns(w)
    }

    fn line(&self, cells: [String; 7]) -> String {
        let mut out = String::new();
        for (cell, w) in cells.iter().zip(self.0) {
            if w == 0 {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&fit(cell, w));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visible_window_follows_the_selection() {
        assert_eq!(visible_top(0, 5, 10), 0);
        assert_eq!(visible_top(0, 12, 10), 3);
        assert_eq!(visible_top(8, 3, 10), 3);
        assert_eq!(visible_top(0, 0, 0), 0);
    }
}
