//! Pieces shared by the panes: text fields, forms and their discard question, the one
//! pager, table cells, the secret field, the notice line, the pane bar and status line,
//! the help popup.

pub mod confirm;
pub mod duplicates;
pub mod earlier;
pub mod field;
pub mod form;
pub mod help;
pub mod notice;
pub mod script;
pub mod secret;
pub mod status;
pub mod table;
pub mod window;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::domain::complaint::Complaint;
use crate::present::place;
use crate::text::{fit, sanitize_line, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::theme;

/// A `width` × `height` rectangle centred in `area` (each clamped to the area).
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A question box `w` columns wide over the middle of `area`: `title` on its top edge,
/// `keys` (its key hints) on its bottom edge, `lines` inside, bordered as needing an answer.
pub fn question_box(
    frame: &mut Frame<'_>,
    area: Rect,
    w: u16,
    title: &str,
    keys: String,
    lines: Vec<Line<'_>>,
) {
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = centred(area, w, h);
    let block = Block::bordered()
        .title(Span::styled(title, theme::label_focused()))
        .title_bottom(Span::styled(keys, theme::hint()))
        .border_style(theme::error());
    clear_popup(frame, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The complaints `cases` to choose from in a question box `inner` columns wide, two rows
/// each (number, day, stage and place; the first line of what was said), the `picked` one
/// marked.
fn case_choices(
    ctx: &Ctx<'_>,
    cases: &[Complaint],
    picked: usize,
    inner: usize,
) -> Vec<Line<'static>> {
    let c = ctx.catalog;
    let mut lines = Vec::with_capacity(cases.len() * 2);
    for (i, o) in cases.iter().enumerate() {
        let mark = if i == picked { "> " } else { "  " };
        let row = format!(
            "{mark}{}  {}  {}  {}",
            o.number,
            ctx.zone().day(o.received_at),
            c.text(o.stage.label_key()),
            place(o, ctx.config, ctx.lang),
        );
        let style = if i == picked {
            theme::selected()
        } else {
            Style::default()
        };
        lines.push(Line::styled(fit(&row, inner), style));
        let said = o.description.lines().next().unwrap_or_default();
        lines.push(Line::styled(
            fit(&format!("    {}", sanitize_line(said)), inner),
            theme::hint(),
        ));
    }
    lines
}

/// Widest a box of complaints to choose from gets.
const CHOICE_WIDTH: u16 = 72;

/// A question box over the middle of `area` offering the complaints `cases` (the `picked`
/// one marked) under `intro`: `title` on its top edge, `keys` on its bottom edge.
pub fn case_choice_box(
    ctx: &Ctx<'_>,
    frame: &mut Frame<'_>,
    area: Rect,
    (title, keys): (&str, String),
    intro: Option<&str>,
    (cases, picked): (&[Complaint], usize),
) {
    let w = CHOICE_WIDTH.min(area.width);
    let inner = usize::from(w.saturating_sub(2));
    let mut lines: Vec<Line<'_>> = intro
        .map(|q| wrap_hanging(q, inner))
        .unwrap_or_default()
        .into_iter()
        .map(|l| Line::styled(l, theme::hint()))
        .collect();
    lines.extend(case_choices(ctx, cases, picked, inner));
    let w = w.max((width(&keys) as u16 + 4).min(area.width));
    question_box(frame, area, w, title, keys, lines);
}

/// Clears the area of a popup, one column wider on each side: a wide (Chinese) character
/// straddling the popup's edge would otherwise survive and hide the border.
pub fn clear_popup(frame: &mut Frame<'_>, popup: Rect) {
    let screen = frame.area();
    let left = popup.x.saturating_sub(1).max(screen.x);
    let right = (popup.right() + 1).min(screen.right());
    frame.render_widget(
        Clear,
        Rect {
            x: left,
            width: right.saturating_sub(left),
            ..popup
        },
    );
}

/// Draws a pane's frame (its title above, its keys below) and returns the area inside.
pub fn pane_frame(frame: &mut Frame<'_>, area: Rect, title: &str, keys: &str) -> Rect {
    use ratatui::text::Span;
    use ratatui::widgets::Block;

    use crate::tui::theme;
    let block = Block::bordered()
        .title(Span::styled(title.to_string(), theme::label()))
        .title_bottom(Span::styled(keys.to_string(), theme::hint()))
        .border_style(theme::border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
