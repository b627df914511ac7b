//! Colours and styles, in one place. Colour never carries meaning alone: every coloured
//! state also has a word or a mark.

use ratatui::style::{Color, Modifier, Style};

/// The bar of pane names.
pub fn tab() -> Style {
    Style::default().fg(Color::Gray)
}

/// The active pane's name.
pub fn tab_active() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// The status line.
pub fn status() -> Style {
    Style::default().fg(Color::White).bg(Color::DarkGray)
}

/// A field label.
pub fn label() -> Style {
    Style::default().fg(Color::Gray)
}

/// The focused field's label.
pub fn label_focused() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// A field's border.
pub fn border() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// The focused field's border.
pub fn border_focused() -> Style {
    Style::default().fg(Color::Cyan)
}

/// The selected row of a list, or the chosen option of a selector.
pub fn selected() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

/// Table headers.
pub fn header() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

/// An error message.
pub fn error() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// A confirmation.
pub fn success() -> Style {
    Style::default().fg(Color::Green)
}

/// Hints and secondary text.
pub fn hint() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// The status line saying the database connection is back.
pub fn restored() -> Style {
    Style::default().fg(Color::Black).bg(Color::Green)
}

/// Overdue counts (and a lost database connection).
pub fn overdue() -> Style {
    Style::default()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}

/// A value the software suggested (always with a word beside it, never colour alone).
pub fn suggested() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::ITALIC)
}

/// The spread-risk mark (传播风险) in lists, beside its `!`.
/// Text a search matched.
pub fn matched() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

/// A spread risk, overdue: red and bold.
pub fn risk() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// A key in a strip of keys.
pub fn key() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Gray)
        .add_modifier(Modifier::BOLD)
}

/// A mark asking for attention: a callback flagged after repeated failed calls (beside its
/// `#`), a repeat caller's count at intake.
pub fn flagged() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

/// The phone number put on the notice line to be dialled.
pub fn dial() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

/// The background of a one-line input on the first-run and sign-in screens.
pub fn input() -> Style {
    Style::default().bg(Color::Indexed(238))
}
