//! What drawing and key handling need besides a pane's own state: the configuration, the
//! language and its messages, the clock, the status counts and the terminal's size, with
//! the layout helpers every pane uses.

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;

use crate::config::Config;
use crate::desk::StatusCounts;
use crate::domain::zone::Zone;
use crate::i18n::{Catalog, Lang};

/// The shared context of one update or one frame.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The effective configuration.
    pub config: &'a Config,
    /// The interface language.
    pub lang: Lang,
    /// Its messages.
    pub catalog: &'static Catalog,
    /// The time of the last tick.
    pub now: DateTime<Utc>,
    /// The status-line counts, once counted.
    pub counts: Option<StatusCounts>,
    /// The terminal's size (columns, rows).
    pub size: (u16, u16),
}

impl<'a> Ctx<'a> {
    /// A context at the current time in an 80×24 terminal, nothing counted yet.
    pub fn new(config: &'a Config, lang: Lang) -> Ctx<'a> {
        Ctx {
            config,
            lang,
            catalog: config.catalog(lang),
            now: Utc::now(),
            counts: None,
            size: (80, 24),
        }
    }

    /// The desk's time zone, in which every time is shown and typed.
    pub fn zone(&self) -> Zone {
        self.config.policy.timezone
    }

    /// Where the panes are drawn: between the pane bar above and the notice and status
    /// lines below.
    pub fn body(&self) -> Rect {
        let (w, h) = self.size;
        Rect {
            x: 0,
            y: 1,
            width: w,
            height: h.saturating_sub(3),
        }
    }

    /// Rows of a list in view: the screen less the pane bar, the notice and status lines,
    /// the list's border and header, and `bars` lines of filters or parts above it.
    pub fn list_rows(&self, bars: usize) -> usize {
        (self.size.1 as usize).saturating_sub(6 + bars)
    }
}

/// The context of a struct holding `config`, `lang`, `now`, `counts` and `size` (the app),
/// built in place so that a pane of it can be changed while the context is borrowed.
macro_rules! ctx {
    ($app:expr) => {
        $crate::tui::ctx::Ctx {
            config: &$app.config,
            lang: $app.lang,
            catalog: $app.config.catalog($app.lang),
            now: $app.now,
            counts: $app.counts,
            size: $app.size,
        }
    };
}
pub(crate) use ctx;
