//! Progress bars on standard error (hidden when that is not a terminal): for a demo load,
//! and for long work done before a front end starts (a migration that builds the search
//! index of a large file).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::desk::MigrationProgress;

/// Shows how a migration is getting on, from its first report.
pub struct MigrationBar {
    message: String,
    bar: Option<ProgressBar>,
}

impl MigrationBar {
    /// A bar that will say `message` (nothing is shown until the first report).
    pub fn new(message: &str) -> MigrationBar {
        MigrationBar {
            message: message.to_string(),
            bar: None,
        }
    }

    /// Takes a report.
    pub fn update(&mut self, p: MigrationProgress) {
        let message = &self.message;
        let bar = self.bar.get_or_insert_with(|| bar(p.total, message));
        bar.set_length(p.total);
        bar.set_position(p.done);
    }

    /// Clears the bar, once the work is done.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A bar of `len` steps that says `message` (hidden when standard error is no terminal).
pub fn bar(len: u64, message: &str) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message.to_string());
    bar
}
