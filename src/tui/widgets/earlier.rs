//! The caller's earlier complaints to open one of (Ctrl+O at intake): a box over the form;
//! the case opens on the cases pane and the form waits as typed.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::domain::complaint::Complaint;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, Help, ch, footer, help_rows, key, lookup};

/// What the agent chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The next complaint.
    Down,
    /// The previous complaint.
    Up,
    /// Open the highlighted complaint.
    Open,
    /// Back to the form.
    Back,
}

/// The box's keys.
const KEYS: &[Binding<Choice>] = &[
    Binding::new(&[key(KeyCode::Down)], Choice::Down).help("Up / Down", "help.earlier_pick"),
    Binding::new(&[key(KeyCode::Up)], Choice::Up),
    Binding::new(&[key(KeyCode::Enter), ch('o'), ch('O')], Choice::Open)
        .help("Enter / o", "help.earlier_open")
        .hint_at(0, "keys.earlier_open"),
    Binding::new(&[key(KeyCode::Esc)], Choice::Back)
        .help("Esc", "help.earlier_back")
        .hint_at(1, "keys.earlier_back"),
];

/// The choice a key makes, if any.
pub fn choice(key: &KeyEvent) -> Option<Choice> {
    lookup(KEYS, key)
}

/// The box's keys, for the help.
pub fn help() -> impl Iterator<Item = Help> {
    help_rows(KEYS)
}

/// Draws the earlier complaints `earlier` (the `picked` one marked) in a box over `area`.
pub fn render(
    ctx: &Ctx<'_>,
    frame: &mut Frame<'_>,
    area: Rect,
    earlier: &[Complaint],
    picked: usize,
) {
    let c = ctx.catalog;
    let keys = footer(c, KEYS, &[] as &[Binding<Choice>], "  ");
    let title = c.text("tui.earlier_title");
    super::case_choice_box(ctx, frame, area, (title, keys), None, (earlier, picked));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    #[test]
    fn the_earlier_keys() {
        check_table(KEYS);
        let press = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(choice(&press(KeyCode::Enter)), Some(Choice::Open));
        assert_eq!(choice(&press(KeyCode::Char('o'))), Some(Choice::Open));
        assert_eq!(choice(&press(KeyCode::Esc)), Some(Choice::Back));
        assert_eq!(choice(&press(KeyCode::Char('a'))), None);
    }
}
