//! The forms that open over a list or a case (overlays, not panes): the moves of the
//! handling method, the moves that link cases (merge, unmerge, split), the follow-ups (log
//! a call, promise a callback, record a revisit), the filters of the cases pane, the edit of
//! a case library card; and the agents overlay (F9). All are built from the one form
//! widget and share its keys.

pub mod agents;
pub mod card;
pub mod filters;
pub mod followups;
pub mod links;
pub mod moves;
