//! Pieces shared by the panes: text fields, forms and their discard question, the one
//! pager, table cells, the secret field, the notice line, the pane bar and status line,
//! the help popup.

pub mod confirm;
pub mod duplicates;
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
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

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
