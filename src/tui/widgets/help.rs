//! The help popup: every key of the current context, then the global ones.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::i18n::Catalog;
use crate::text::{fit, width};
use crate::tui::keymap::{GLOBAL, Help, help_rows};
use crate::tui::theme;

/// Draws the help rows of the context, then the global keys, in a box centred in `area`.
pub fn render(catalog: &Catalog, context: &[Help], frame: &mut Frame<'_>, area: Rect) {
    let entries: Vec<(&str, &str)> = context
        .iter()
        .copied()
        .chain(help_rows(GLOBAL))
        .map(|h| (h.keys, catalog.text(h.text)))
        .collect();
    let key_w = entries.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let text_w = entries.iter().map(|(_, d)| width(d)).max().unwrap_or(0);
    let w = ((key_w + text_w + 6) as u16).min(area.width);
    let h = (entries.len() as u16 + 2).min(area.height);
    let popup = crate::tui::widgets::centred(area, w, h);
    // A description too long for a narrow terminal is cut with the cut mark, never silently.
    let text_room = usize::from(popup.width).saturating_sub(key_w + 5);
    let lines: Vec<Line<'_>> = entries
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!(" {} ", fit(k, key_w)), theme::header()),
                Span::raw(format!(" {}", fit(d, text_room))),
            ])
        })
        .collect();
    let block = Block::bordered()
        .title(Span::styled(
            catalog.text("tui.help_title"),
            theme::label_focused(),
        ))
        .title_bottom(Span::styled(catalog.text("tui.help_close"), theme::hint()))
        .border_style(theme::border_focused());
    super::clear_popup(frame, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
