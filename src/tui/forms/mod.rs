//! The forms that open over a list or a case (overlays, not panes): the moves of the
//! handling method, and the follow-ups (log a call, promise a callback, record a revisit).
//! Both are built from the one form widget and share its keys.

pub mod followups;
pub mod moves;
