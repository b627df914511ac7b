//! Before intake saves a call, the open complaints it may be about (the same phone, or the
//! same place and category): a box over the form to attach the call to one of them (an
//! event on that case, no new complaint) or to save it as a new complaint anyway.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::domain::complaint::Complaint;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, Help, ch, footer, help_rows, key, lookup};

/// What the agent chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The next case offered.
    Down,
    /// The previous case offered.
    Up,
    /// Attach the call to the highlighted case.
    Attach,
    /// Save the call as a new complaint.
    SaveNew,
    /// Back to the form.
    Back,
}

/// The box's keys.
const KEYS: &[Binding<Choice>] = &[
    Binding::new(&[key(KeyCode::Down)], Choice::Down).help("Up / Down", "help.duplicate_pick"),
    Binding::new(&[key(KeyCode::Up)], Choice::Up),
    Binding::new(&[key(KeyCode::Enter), ch('a'), ch('A')], Choice::Attach)
        .help("Enter / a", "help.duplicate_attach")
        .hint_at(0, "keys.duplicate_attach"),
    Binding::new(&[ch('n'), ch('N')], Choice::SaveNew)
        .help("n", "help.duplicate_new")
        .hint_at(1, "keys.duplicate_new"),
    Binding::new(&[key(KeyCode::Esc)], Choice::Back)
        .help("Esc", "help.duplicate_back")
        .hint_at(2, "keys.duplicate_back"),
];

/// The choice a key makes, if any.
pub fn choice(key: &KeyEvent) -> Option<Choice> {
    lookup(KEYS, key)
}

/// The box's keys, for the help.
pub fn help() -> impl Iterator<Item = Help> {
    help_rows(KEYS)
}

/// Draws the open complaints `open` (the `picked` one marked) in a box centred over `area`.
pub fn render(ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect, open: &[Complaint], picked: usize) {
    let c = ctx.catalog;
    let keys = footer(c, KEYS, &[] as &[Binding<Choice>], "  ");
    let title = c.text("tui.duplicate_title");
    let question = Some(c.text("tui.duplicate_question"));
    super::case_choice_box(ctx, frame, area, (title, keys), question, (open, picked));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    #[test]
    fn the_offer_keys() {
        check_table(KEYS);
        let press = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(choice(&press(KeyCode::Enter)), Some(Choice::Attach));
        assert_eq!(choice(&press(KeyCode::Char('n'))), Some(Choice::SaveNew));
        assert_eq!(choice(&press(KeyCode::Esc)), Some(Choice::Back));
        assert_eq!(choice(&press(KeyCode::Char('x'))), None);
    }
}
