//! The panes: one file each, holding its state, its keys (a table that drives the key
//! handling, the help and the footer), the results that come back to it, and its drawing.
//! The desk's panes answer the app through [`Room`]; the app reaches the one in view by
//! its [`Pane`] name.

pub mod callbacks;
pub mod case;
pub mod cases;
pub mod classification;
pub mod dashboard;
pub mod first_run;
pub mod intake;
pub mod library;
pub mod lock;
pub mod revisits;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::ctx::Ctx;
use crate::tui::keymap::Help;
use crate::tui::msg::{Effect, Out};
use case::Cover;

/// What the app asks of a desk pane. Results of its effects come back to it through its
/// own `update` (each pane has its own message type), called from the app's one arm for it.
pub trait Room {
    /// Handles a key (what covers the pane first; text fields before shortcuts).
    fn key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Out;
    /// Takes pasted text (into the form over a list, by default).
    fn paste(&mut self, text: &str) -> Out {
        self.cover_mut().map_or_else(Out::none, |c| c.paste(text))
    }
    /// Draws the pane (and what covers it) in `area`.
    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect);
    /// The keys in force, for the help.
    fn help(&self) -> Vec<Help>;
    /// What covers a list pane (a case, a form).
    fn cover(&self) -> Option<&Cover> {
        None
    }
    /// The same, to change.
    fn cover_mut(&mut self) -> Option<&mut Cover> {
        None
    }
    /// What to read on switching to the pane (`again`: it was in view already).
    fn enter(&mut self, again: bool) -> Vec<Effect> {
        let _ = again;
        Vec::new()
    }
    /// What to read again, where it is, after a change here or at another terminal.
    fn refresh(&mut self) -> Vec<Effect> {
        Vec::new()
    }
    /// Time passes while the pane is in view (a search waits for typing to pause).
    fn tick(&mut self) -> Vec<Effect> {
        Vec::new()
    }
    /// F1: whether the pane shows help of its own (opened or closed), instead of the popup.
    fn own_help(&mut self) -> bool {
        false
    }
}

/// Every desk pane's state, by name.
#[derive(Debug, Clone, Default)]
pub struct Rooms {
    /// Intake.
    pub intake: intake::Intake,
    /// The classification list.
    pub classification: classification::Classification,
    /// The callback queue.
    pub callbacks: callbacks::Callbacks,
    /// The revisit agenda.
    pub revisits: revisits::Revisits,
    /// Every case, in views.
    pub cases: cases::Cases,
    /// The figures.
    pub dashboard: dashboard::Dashboard,
    /// The case library.
    pub library: library::Library,
}

impl Rooms {
    /// The pane named.
    pub fn get(&self, pane: Pane) -> &dyn Room {
        match pane {
            Pane::Intake => &self.intake,
            Pane::Classification => &self.classification,
            Pane::Callbacks => &self.callbacks,
            Pane::Revisits => &self.revisits,
            Pane::Cases => &self.cases,
            Pane::Dashboard => &self.dashboard,
            Pane::Library => &self.library,
        }
    }

    /// The pane named, to change.
    pub fn get_mut(&mut self, pane: Pane) -> &mut dyn Room {
        match pane {
            Pane::Intake => &mut self.intake,
            Pane::Classification => &mut self.classification,
            Pane::Callbacks => &mut self.callbacks,
            Pane::Revisits => &mut self.revisits,
            Pane::Cases => &mut self.cases,
            Pane::Dashboard => &mut self.dashboard,
            Pane::Library => &mut self.library,
        }
    }
}

/// The panes of the pane bar, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// Take a complaint.
    Intake,
    /// The untriaged list.
    Classification,
    /// Replies owed.
    Callbacks,
    /// Follow-ups planned.
    Revisits,
    /// Every case.
    Cases,
    /// The figures (统计).
    Dashboard,
    /// The case library (典型案例).
    Library,
}

impl Pane {
    /// Every pane, in bar order.
    pub const ALL: [Pane; 7] = [
        Pane::Intake,
        Pane::Classification,
        Pane::Callbacks,
        Pane::Revisits,
        Pane::Cases,
        Pane::Dashboard,
        Pane::Library,
    ];

    /// Catalog key of the pane's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Pane::Intake => "tui.pane_intake",
            Pane::Classification => "tui.pane_classification",
            Pane::Callbacks => "tui.pane_callbacks",
            Pane::Revisits => "tui.pane_revisits",
            Pane::Cases => "tui.pane_cases",
            Pane::Dashboard => "dash.pane",
            Pane::Library => "tui.pane_library",
        }
    }

    /// The function key that opens it (F2 …).
    pub fn function_key(self) -> u8 {
        match self {
            Pane::Intake => 2,
            Pane::Classification => 3,
            Pane::Callbacks => 4,
            Pane::Revisits => 5,
            Pane::Cases => 6,
            Pane::Dashboard => 7,
            Pane::Library => 8,
        }
    }
}
