//! The case detail: everything about one complaint (fields, handling record, timeline, as
//! `show` prints them) and, at its foot, the moves of the handling method possible now, each
//! with the key that opens its form. Opened from a list with Enter. The phone is masked as
//! the core gives it; `n` asks the core for the full number (a recorded reveal), which then
//! shows at the top until the detail is closed.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::desk::CaseFile;
use crate::domain::handling::available_moves;
use crate::domain::stage::Move;
use crate::present::write_case_text;
use crate::text::{sanitize_line, width, wrap_hanging};
use crate::tui::app::Ctx;
use crate::tui::panes::moves::{move_for_key, move_key};
use crate::tui::theme;

/// An open case.
#[derive(Debug, Clone)]
pub struct Detail {
    case: CaseFile,
    /// The case file as text, made once per case (not per frame or key).
    text: String,
    scroll: u16,
    /// The full phone number, once revealed (for as long as the detail is open).
    revealed: Option<String>,
}

/// The case file as people read it, in the context's language.
fn case_text(case: &CaseFile, ctx: &Ctx<'_>) -> String {
    let mut text = Vec::new();
    // Writing into memory cannot fail; an empty view would show if it did.
    let _ = write_case_text(&mut text, case, ctx.config, ctx.catalog);
    String::from_utf8_lossy(&text).into_owned()
}

/// What a key does to the detail view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailStep {
    /// Stay.
    Stay,
    /// Back to the list.
    Close,
    /// Open the form of this move.
    Open(Move),
    /// Ask for the full phone number.
    Reveal,
}

impl Detail {
    /// Shows `case` from its top.
    pub fn new(case: CaseFile, ctx: &Ctx<'_>) -> Detail {
        Detail {
            text: case_text(&case, ctx),
            case,
            scroll: 0,
            revealed: None,
        }
    }

    /// The case shown.
    pub fn case(&self) -> &CaseFile {
        &self.case
    }

    /// Shows a fresher copy of the same case where the reader was. A revealed number stays
    /// while the (masked) phone is the same.
    pub fn replace(&mut self, case: CaseFile, ctx: &Ctx<'_>) {
        if case.complaint.phone != self.case.complaint.phone {
            self.revealed = None;
        }
        self.text = case_text(&case, ctx);
        self.case = case;
    }

    /// Shows the full phone number the core revealed.
    pub fn reveal(&mut self, phone: String) {
        self.revealed = Some(phone);
    }

    /// The full phone number, when revealed.
    pub fn revealed(&self) -> Option<&str> {
        self.revealed.as_deref()
    }

    /// How far the text is scrolled (rows).
    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    /// Scrolls, closes on Esc, Backspace, Left or q, or opens a move's form by its key;
    /// `area` is where the detail is drawn.
    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx<'_>, area: Rect) -> DetailStep {
        let (lines, _, text_h) = self.layout(ctx, area);
        let max = (lines.len() as u16).saturating_sub(text_h);
        let page = text_h.saturating_sub(1).max(1);
        self.scroll = self.scroll.min(max);
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return DetailStep::Stay;
        }
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
            KeyCode::End | KeyCode::Char('G') => self.scroll = max,
            KeyCode::Char('n' | 'N') => return DetailStep::Reveal,
            KeyCode::Char(c) => {
                if let Some(mv) = move_for_key(&self.case.complaint, c) {
                    return DetailStep::Open(mv);
                }
            }
            _ => {}
        }
        self.scroll = self.scroll.min(max);
        DetailStep::Stay
    }

    /// The text rows (wrapped to the width), the rows of the moves strip, and the height
    /// left for the text.
    fn layout(&self, ctx: &Ctx<'_>, area: Rect) -> (Vec<String>, Vec<Line<'static>>, u16) {
        // Long lines wrap under their value's column.
        let inner_w = area.width.saturating_sub(2) as usize;
        let lines: Vec<String> = self
            .text
            .lines()
            .flat_map(|l| wrap_hanging(l, inner_w))
            .collect();
        let strip = self.strip(ctx, inner_w);
        let revealed_h = u16::from(self.revealed.is_some());
        let inner_h = area.height.saturating_sub(2).saturating_sub(revealed_h);
        // The strip keeps at least one row of text above it.
        let strip_h = (strip.len() as u16).min(inner_h.saturating_sub(1));
        (lines, strip, inner_h - strip_h)
    }

    /// The moves possible now with their keys, wrapped to `cols` columns.
    fn strip(&self, ctx: &Ctx<'_>, cols: usize) -> Vec<Line<'static>> {
        let c = ctx.catalog;
        let moves = available_moves(&self.case.complaint);
        let lead = format!("{} ", c.text("tui.moves_now"));
        let mut rows: Vec<Line<'static>> = Vec::new();
        let mut row = vec![Span::styled(lead.clone(), theme::header())];
        let mut used = width(&lead);
        if moves.is_empty() {
            row.push(Span::styled(
                c.text("tui.moves_none").to_string(),
                theme::hint(),
            ));
            return vec![Line::from(row)];
        }
        for mv in moves {
            let key = format!(" {} ", move_key(mv));
            let label = format!(" {}  ", c.text(&mv.label_key()));
            let w = width(&key) + width(&label);
            // The two spaces after a label may run past the edge.
            if used + w - 2 > cols && used > width(&lead) {
                rows.push(Line::from(std::mem::take(&mut row)));
                row.push(Span::raw(" ".repeat(width(&lead))));
                used = width(&lead);
            }
            row.push(Span::styled(key, theme::key()));
            row.push(Span::raw(label));
            used += w;
        }
        rows.push(Line::from(row));
        rows
    }

    /// Draws the case file (its text already sanitised and in the reader's language) and
    /// the moves possible now.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let (lines, strip, text_h) = self.layout(ctx, area);
        let max_scroll = (lines.len() as u16).saturating_sub(text_h);
        let title = c.format(
            "tui.case_title",
            &[
                ("number", self.case.complaint.number.clone()),
                (
                    "stage",
                    c.text(self.case.complaint.stage.label_key()).to_string(),
                ),
            ],
        );
        let block = Block::bordered()
            .title(Span::styled(title, theme::label_focused()))
            .title_bottom(Span::styled(c.text("tui.detail_keys"), theme::hint()))
            .border_style(theme::border_focused());
        let mut inner = block.inner(area);
        frame.render_widget(Clear, area);
        frame.render_widget(block, area);
        if let Some(phone) = &self.revealed
            && inner.height > 0
        {
            let line = Line::from(vec![
                Span::styled(
                    format!("{} ", c.text("tui.revealed_label")),
                    theme::header(),
                ),
                Span::styled(format!(" {} ", sanitize_line(phone)), theme::dial()),
                Span::styled(
                    format!(" {}", c.text("tui.revealed_recorded")),
                    theme::hint(),
                ),
            ]);
            frame.render_widget(line, Rect { height: 1, ..inner });
            inner.y += 1;
            inner.height -= 1;
        }
        let lines: Vec<Line<'_>> = lines.into_iter().map(Line::raw).collect();
        frame.render_widget(
            Paragraph::new(lines).scroll((self.scroll.min(max_scroll), 0)),
            Rect {
                height: text_h,
                ..inner
            },
        );
        let strip_h = inner.height.saturating_sub(text_h);
        if strip_h > 0 {
            frame.render_widget(
                Paragraph::new(strip),
                Rect {
                    y: inner.y + text_h,
                    height: strip_h,
                    ..inner
                },
            );
        }
    }
}
