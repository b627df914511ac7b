//! Who sits at the shared workstation: locking the screen keeps each agent's half-typed
//! form (as their draft) and the cases and forms they left open (in memory), and signing
//! in gives back only that agent's own.

use super::{App, Screen};
use crate::tui::ctx::ctx;
use crate::tui::msg::Effect;
use crate::tui::panes::Pane;
use crate::tui::panes::callbacks::Callbacks;
use crate::tui::panes::case::Covers;
use crate::tui::panes::classification::Classification;
use crate::tui::panes::intake::Intake;
use crate::tui::panes::lock::Lock;
use crate::tui::panes::revisits::Revisits;

impl App {
    /// Locks the screen: the half-typed intake form is kept as the agent's draft and
    /// emptied, cases and forms over the lists close (kept for the agent), the notice goes,
    /// and the desk forgets who signed in. The lock screen shows nothing personal.
    pub(super) fn lock(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.intake.unsaved() {
            effects.push(self.intake.take_draft(&ctx!(self)));
        }
        effects.push(Effect::Lock);
        self.intake = Intake::default();
        let covers = Covers {
            classification: std::mem::take(self.list.cover_mut()),
            callbacks: std::mem::take(self.callbacks.cover_mut()),
            revisits: std::mem::take(self.revisits.cover_mut()),
        };
        if covers.any_case() {
            self.stashed.insert(self.agent.clone(), (self.pane, covers));
        }
        self.help = false;
        self.notice = None;
        self.data_version = None;
        self.screen = Screen::Lock(Box::new(Lock::new(&self.agent)));
        effects
    }

    /// An agent signed in: their draft comes back (another agent's never shows), and what
    /// is shown is read again. Another agent than before starts on a fresh intake form.
    pub(super) fn signed_in(&mut self, agent: String) -> Vec<Effect> {
        if agent != self.agent {
            self.pane = Pane::Intake;
            self.list = Classification::default();
            self.callbacks = Callbacks::default();
            self.revisits = Revisits::default();
            self.counts = None;
            self.next_due = None;
        }
        self.agent = agent;
        self.screen = Screen::Desk;
        self.data_version = None;
        self.input_seen = true;
        // The data version before anything is read (see `open`).
        let mut effects = vec![
            Effect::DataVersion,
            Effect::LoadDraft,
            Effect::Counts,
            self.list.enter(),
        ];
        effects.extend(self.follow_ups_in_view());
        // Their cases and forms come back as they left them; the cases are read again (a
        // move saved from a form changed since is refused with what changed).
        if let Some((pane, covers)) = self.stashed.remove(&self.agent) {
            self.pane = pane;
            *self.list.cover_mut() = covers.classification;
            *self.callbacks.cover_mut() = covers.callbacks;
            *self.revisits.cover_mut() = covers.revisits;
            effects.extend(
                self.covers_mut()
                    .iter()
                    .filter_map(|(_, c)| c.number())
                    .map(|n| Effect::RefreshCase(n.to_string())),
            );
        }
        effects
    }
}
