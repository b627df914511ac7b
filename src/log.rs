//! The log: a daily file in the platform state dir (a week kept), never the screen. The
//! terminal app opens it when it starts; a command opens it only at its first warning or
//! error (a damage report), so a command with nothing to report leaves no file behind.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use tracing_appender::rolling::{RollingFileAppender, RollingWriter, Rotation};
use tracing_subscriber::fmt::writer::{EitherWriter, MakeWriter};

use crate::config::Paths;

/// Log file name (one per day, the date appended).
const LOG_FILE: &str = "complaint-desk.log";

/// Logs everything from now on to the file in `paths`' log dir, created now. Returns the dir.
pub fn start(paths: &Paths) -> anyhow::Result<PathBuf> {
    let dir = paths
        .log_dir()
        .ok_or_else(|| anyhow!("no home directory to keep a log in"))?;
    let appender = open(&dir)?;
    tracing_subscriber::fmt()
        .with_writer(appender)
        .with_ansi(false)
        .with_target(false)
        .try_init()
        .map_err(|e| anyhow!(e))
        .context("installing the logger")?;
    Ok(dir)
}

/// Logs warnings and errors to the file in `paths`' log dir, created at the first of them;
/// without a dir (no home) or a file that cannot be made, they are dropped.
pub fn on_demand(paths: &Paths) {
    let writer = OnDemand {
        dir: paths.log_dir(),
        file: OnceLock::new(),
    };
    // Only fails when a logger is installed already, which then keeps logging.
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

/// The daily file in `dir`, with the dir if missing.
fn open(dir: &Path) -> anyhow::Result<RollingFileAppender> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE)
        .max_log_files(7)
        .build(dir)
        .with_context(|| format!("opening the log file in {}", dir.display()))
}

/// The log file, opened when the first line is written.
struct OnDemand {
    dir: Option<PathBuf>,
    file: OnceLock<Option<RollingFileAppender>>,
}

impl<'a> MakeWriter<'a> for OnDemand {
    type Writer = EitherWriter<RollingWriter<'a>, std::io::Sink>;

    fn make_writer(&'a self) -> Self::Writer {
        let file = self
            .file
            .get_or_init(|| self.dir.as_deref().and_then(|dir| open(dir).ok()));
        match file {
            Some(file) => EitherWriter::A(file.make_writer()),
            None => EitherWriter::B(std::io::sink()),
        }
    }
}
