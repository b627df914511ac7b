//! Text fields on `ratatui-textarea`: one-line inputs and multi-line areas, their values,
//! pasting, and where the real terminal cursor (and so the IME candidate window) goes.

use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::text::{clean_pasted, is_unsafe};

/// What a secret field draws for each character typed.
pub const MASK: char = '*';

/// A text field: one line or several.
#[derive(Clone)]
pub struct TextField {
    area: TextArea<'static>,
    multi_line: bool,
    /// A secret: drawn masked, and its `Debug` says only how long it is.
    secret: bool,
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.secret {
            let n = self
                .area
                .lines()
                .iter()
                .map(|l| l.chars().count())
                .sum::<usize>();
            return write!(f, "TextField(secret, {n} chars)");
        }
        f.debug_struct("TextField")
            .field("lines", &self.area.lines())
            .field("multi_line", &self.multi_line)
            .finish()
    }
}

impl TextField {
    /// A one-line field holding `text` (line breaks become spaces; a restored draft is text
    /// from a file, so unsafe characters are left out as in a paste).
    pub fn line(text: &str) -> TextField {
        TextField::new(&[clean_pasted(text, false).0], false)
    }

    /// A multi-line field holding `text`, wrapped at the field's width.
    pub fn multi_line(text: &str) -> TextField {
        let lines: Vec<String> = clean_pasted(text, true)
            .0
            .split('\n')
            .map(str::to_string)
            .collect();
        TextField::new(&lines, true)
    }

    /// An empty one-line field for a secret (a PIN): every character is drawn as
    /// [`MASK`], so what is typed never reaches the screen.
    pub fn secret() -> TextField {
        let mut field = TextField::new(&[String::new()], false);
        field.area.set_mask_char(MASK);
        field.secret = true;
        field
    }

    fn new(lines: &[String], multi_line: bool) -> TextField {
        let mut area = TextArea::new(lines.to_vec());
        // The real terminal cursor marks the caret; no drawn cursor, no underlined line.
        area.set_cursor_style(Style::default());
        area.set_cursor_line_style(Style::default());
        area.set_wrap_mode(if multi_line {
            WrapMode::WordOrGlyph
        } else {
            WrapMode::None
        });
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        TextField {
            area,
            multi_line,
            secret: false,
        }
    }

    /// The text as typed (lines joined with `\n`).
    pub fn value(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// Passes a key to the editor; true when the text changed. Control, bidi and invisible
    /// characters (a terminal without bracketed paste types a paste) are not inserted.
    pub fn input(&mut self, key: crossterm::event::KeyEvent) -> bool {
        if let crossterm::event::KeyCode::Char(c) = key.code
            && is_unsafe(c)
        {
            return false;
        }
        self.area.input(key)
    }

    /// Inserts pasted text at the caret; returns how many unsafe characters were dropped.
    pub fn paste(&mut self, text: &str) -> usize {
        let (clean, removed) = clean_pasted(text, self.multi_line);
        self.area.insert_str(clean);
        removed
    }

    /// Whether the field holds a secret (drawn masked).
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// Whether the field takes several lines (Enter is a new line there).
    pub fn is_multi_line(&self) -> bool {
        self.multi_line
    }

    /// A hint drawn while the field is empty.
    pub fn set_placeholder(&mut self, text: &str) {
        self.area.set_placeholder_text(text);
    }

    /// The widget to draw.
    pub fn widget(&self) -> &TextArea<'static> {
        &self.area
    }

    /// Where the caret is on screen once the field was drawn into `inner` (its text area,
    /// inside any border): display columns, not bytes or characters.
    pub fn caret(&self, inner: Rect) -> Position {
        let screen = self.area.screen_cursor();
        let (top_row, top_col) = self.area.scroll_offset();
        let row = (screen.row as u16).saturating_sub(top_row);
        let col = (screen.col as u16).saturating_sub(top_col);
        Position {
            x: inner
                .x
                .saturating_add(col)
                .min(inner.right().saturating_sub(1)),
            y: inner
                .y
                .saturating_add(row)
                .min(inner.bottom().saturating_sub(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn a_secret_is_never_in_debug_output() {
        let mut field = TextField::secret();
        for c in "8642".chars() {
            field.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(field.value(), "8642");
        let shown = format!("{field:?}");
        assert!(!shown.contains("8642"), "{shown}");
        assert!(format!("{:?}", TextField::line("王丽")).contains("王丽"));
    }
}
