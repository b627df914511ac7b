//! Pieces shared by the panes: text fields, the pane bar and status line, the help popup.

pub mod field;
pub mod help;
pub mod status;
