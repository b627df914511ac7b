//! The case detail: everything about one complaint, read-only for now (the workflow
//! release makes it editable). Opened from a list with Enter.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::desk::CaseFile;
use crate::present::write_case_text;
use crate::text::wrap_hanging;
use crate::tui::app::Ctx;
use crate::tui::theme;

/// An open case.
#[derive(Debug, Clone)]
pub struct Detail {
    case: CaseFile,
    scroll: u16,
}

/// What a key does to the detail view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailStep {
    /// Stay.
    Stay,
    /// Back to the list.
    Close,
}

impl Detail {
    /// Shows `case` from its top.
    pub fn new(case: CaseFile) -> Detail {
        Detail { case, scroll: 0 }
    }

    /// The case shown.
    pub fn case(&self) -> &CaseFile {
        &self.case
    }

    /// Scrolls, or closes on Esc, Backspace, Left or q.
    pub fn key(&mut self, key: KeyEvent, height: u16) -> DetailStep {
        let page = height.saturating_sub(1).max(1);
        match key.code {
            KeyCode::Esc | KeyCode::Backspace | KeyCode::Left | KeyCode::Char('q') => {
                return DetailStep::Close;
            }
            KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => {
                self.scroll = self.scroll.saturating_add(page);
            }
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(page),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            _ => {}
        }
        DetailStep::Stay
    }

    /// Draws the case file (its text already sanitised and in the reader's language).
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let mut text = Vec::new();
        // Writing into memory cannot fail; an empty view would show if it did.
        let _ = write_case_text(&mut text, &self.case, ctx.config, c);
        let text = String::from_utf8_lossy(&text);
        // Long lines wrap under their value's column.
        let inner_w = area.width.saturating_sub(2) as usize;
        let lines: Vec<Line<'_>> = text
            .lines()
            .flat_map(|l| wrap_hanging(l, inner_w))
            .map(Line::raw)
            .collect();
        let max_scroll = (lines.len() as u16).saturating_sub(area.height.saturating_sub(2));
        let title = c.format(
            "tui.detail_title",
            &[("number", self.case.complaint.number.clone())],
        );
        let block = Block::bordered()
            .title(Span::styled(title, theme::label_focused()))
            .title_bottom(Span::styled(c.text("tui.detail_keys"), theme::hint()))
            .border_style(theme::border_focused());
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .scroll((self.scroll.min(max_scroll), 0)),
            area,
        );
    }
}
