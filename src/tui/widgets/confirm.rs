//! Asking before typed work is thrown away: a small box over the form with the question
//! and its keys (Enter or y: yes, throw it away; Esc or n: no, keep typing). The forms and
//! the intake pane ask through it; other keys wait for the answer.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::text::{width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, Help, ch, footer, help_rows, key, lookup};

/// The answer to the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Throw the typed work away.
    Discard,
    /// Keep typing.
    Keep,
}

/// The keys of the question.
const KEYS: &[Binding<Answer>] = &[
    Binding::new(&[key(KeyCode::Enter), ch('y'), ch('Y')], Answer::Discard)
        .help("Enter / y", "help.discard")
        .hint_at(0, "keys.discard"),
    Binding::new(&[key(KeyCode::Esc), ch('n'), ch('N')], Answer::Keep)
        .help("Esc / n", "help.keep_typing")
        .hint_at(1, "keys.keep_typing"),
];

/// The answer a key gives, if any.
pub fn answer(key: &KeyEvent) -> Option<Answer> {
    lookup(KEYS, key)
}

/// The keys of the question, for the help.
pub fn help() -> impl Iterator<Item = Help> {
    help_rows(KEYS)
}

/// Widest the box gets.
const MAX_WIDTH: u16 = 60;

/// Draws `question` (already in the reader's language) in a box centred over `area`, its
/// keys at the foot.
pub fn render(ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect, question: &str) {
    let c = ctx.catalog;
    let keys = footer(c, KEYS, &[] as &[Binding<Answer>], "  ");
    let title = c.text("tui.discard_title");
    let w = (width(question).max(width(&keys)).max(width(title)) as u16 + 4)
        .min(MAX_WIDTH)
        .min(area.width);
    let lines: Vec<Line<'_>> = wrap_hanging(question, w.saturating_sub(2).into())
        .into_iter()
        .map(Line::raw)
        .collect();
    super::question_box(frame, area, w, title, keys, lines);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    #[test]
    fn the_question_keys() {
        check_table(KEYS);
        let press = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(answer(&press(KeyCode::Enter)), Some(Answer::Discard));
        assert_eq!(answer(&press(KeyCode::Char('n'))), Some(Answer::Keep));
        assert_eq!(answer(&press(KeyCode::Char('x'))), None);
    }
}
