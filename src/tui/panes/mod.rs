//! The panes: one file each, holding its state, its keys (a table that drives the key
//! handling, the help and the footer), the results that come back to it, and its drawing.

pub mod callbacks;
pub mod case;
pub mod classification;
pub mod first_run;
pub mod intake;
pub mod lock;
pub mod revisits;

/// The panes of the pane bar, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Take a complaint.
    Intake,
    /// The untriaged list.
    Classification,
    /// Replies owed.
    Callbacks,
    /// Follow-ups planned.
    Revisits,
}

impl Pane {
    /// Every pane, in bar order.
    pub const ALL: [Pane; 4] = [
        Pane::Intake,
        Pane::Classification,
        Pane::Callbacks,
        Pane::Revisits,
    ];

    /// Catalog key of the pane's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Pane::Intake => "tui.pane_intake",
            Pane::Classification => "tui.pane_classification",
            Pane::Callbacks => "tui.pane_callbacks",
            Pane::Revisits => "tui.pane_revisits",
        }
    }

    /// The function key that opens it (F2 …).
    pub fn function_key(self) -> u8 {
        match self {
            Pane::Intake => 2,
            Pane::Classification => 3,
            Pane::Callbacks => 4,
            Pane::Revisits => 5,
        }
    }
}
