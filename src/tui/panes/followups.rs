//! The callback queue and the revisit schedule: not scheduled by this release yet, and
//! the panes say so rather than show an empty list that looks like "nothing is due".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::tui::app::Ctx;
use crate::tui::panes::Pane;
use crate::tui::theme;

/// Draws the notice of a follow-up pane.
pub fn render(pane: Pane, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
    let c = ctx.catalog;
    let key = match pane {
        Pane::Revisits => "tui.revisits_pending",
        _ => "tui.callbacks_pending",
    };
    let block = Block::bordered()
        .title(Span::styled(c.text(pane.label_key()), theme::label()))
        .border_style(theme::border());
    frame.render_widget(
        Paragraph::new(c.text(key))
            .wrap(Wrap { trim: true })
            .block(block),
        area,
    );
}
