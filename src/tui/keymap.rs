//! Keys that mean the same everywhere: F-keys and Ctrl/Alt chords, so they work while a
//! Chinese input method holds the letters. Pane keys are handled by each pane.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::panes::Pane;

/// An action available from every pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Global {
    /// Show or hide the help.
    Help,
    /// Go to a pane.
    Pane(Pane),
    /// Quit (the draft is kept).
    Quit,
    /// Lock the screen now (the draft is kept for its agent).
    Lock,
}

/// Whether the app should act on the event: presses (and auto-repeats), never releases.
pub fn is_press(key: &KeyEvent) -> bool {
    matches!(key.kind, KeyEventKind::Press | KeyEventKind::Repeat)
}

/// The global action of a key, if it has one.
pub fn global(key: &KeyEvent) -> Option<Global> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::F(1) => Some(Global::Help),
        KeyCode::F(n) => Pane::ALL
            .into_iter()
            .find(|p| p.function_key() == n)
            .map(Global::Pane),
        KeyCode::Char('q' | 'Q') if ctrl => Some(Global::Quit),
        KeyCode::Char('l' | 'L') if ctrl => Some(Global::Lock),
        // Alt+1 … Alt+4 for terminals that keep the F-keys for themselves.
        KeyCode::Char(c @ '1'..='4') if alt => {
            let i = c as usize - '1' as usize;
            Pane::ALL.get(i).copied().map(Global::Pane)
        }
        _ => None,
    }
}

/// The keys of the global actions, for the help popup: (keys, catalog key).
pub const GLOBAL_HELP: &[(&str, &str)] = &[
    ("F1", "help.help"),
    ("F2 F3 F4 F5 / Alt+1..4", "help.panes"),
    ("Ctrl+L", "help.lock"),
    ("Ctrl+Q", "help.quit"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn function_keys_and_chords() {
        assert_eq!(
            global(&key(KeyCode::F(1), KeyModifiers::NONE)),
            Some(Global::Help)
        );
        assert_eq!(
            global(&key(KeyCode::F(3), KeyModifiers::NONE)),
            Some(Global::Pane(Pane::Classification))
        );
        assert_eq!(
            global(&key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Global::Quit)
        );
        assert_eq!(
            global(&key(KeyCode::Char('l'), KeyModifiers::CONTROL)),
            Some(Global::Lock)
        );
        assert_eq!(
            global(&key(KeyCode::Char('2'), KeyModifiers::ALT)),
            Some(Global::Pane(Pane::Classification))
        );
        // Bare letters are text.
        assert_eq!(global(&key(KeyCode::Char('q'), KeyModifiers::NONE)), None);
        assert_eq!(global(&key(KeyCode::Char('l'), KeyModifiers::NONE)), None);
        assert_eq!(global(&key(KeyCode::F(9), KeyModifiers::NONE)), None);
    }

    #[test]
    fn releases_are_ignored() {
        let mut k = key(KeyCode::Char('a'), KeyModifiers::NONE);
        assert!(is_press(&k));
        k.kind = KeyEventKind::Release;
        assert!(!is_press(&k));
    }
}
