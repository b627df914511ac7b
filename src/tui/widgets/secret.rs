//! A secret as typed (a PIN) and the keys a secret field takes: shared by the lock and
//! first-run screens.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A secret as typed (a PIN): passed to the core and dropped, never printed, logged or
/// drawn (its `Debug` says only how long it is).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps what was typed.
    pub fn new(text: String) -> Secret {
        Secret(text)
    }

    /// The secret itself, for the core to check or hash.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} chars)", self.0.chars().count())
    }
}

/// Whether a key may edit a secret field: text and the editing keys, never a chord (a
/// Ctrl chord of the editor could insert a line break or paste an old cut).
pub fn secret_key(key: &KeyEvent) -> bool {
    !key.modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        && matches!(
            key.code,
            KeyCode::Char(_)
                | KeyCode::Backspace
                | KeyCode::Delete
                | KeyCode::Left
                | KeyCode::Right
                | KeyCode::Home
                | KeyCode::End
        )
}
