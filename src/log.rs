//! The log: one file a day (local date) in the platform state dir, the newest [`KEEP`] kept,
//! owner-only whatever the umask (files 0600 in a 0700 directory), like the database; never
//! the screen. The terminal app opens it when it starts; a command opens it only at its
//! first warning or error (a damage report), so a command with nothing to report leaves no
//! file behind.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use anyhow::{Context, anyhow};
use chrono::{Local, NaiveDate};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::EitherWriter;

use crate::config::Paths;
use crate::error::Result;
use crate::files::{create_dir_owner_only, owner_only_options};
use crate::i18n::Catalog;

/// Logs everything from now on to the file in `paths`' log dir, created now. Returns the dir.
pub fn start(paths: &Paths) -> anyhow::Result<PathBuf> {
    let dir = paths
        .log_dir()
        .ok_or_else(|| anyhow!("no home directory to keep a log in"))?;
    let writer = DailyLog::open(&dir)
        .map_err(|e| anyhow!(Catalog::english().render(&e)))
        .context("opening the log file")?;
    tracing_subscriber::fmt()
        .with_writer(writer)
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

/// The log file, opened when the first line is written.
struct OnDemand {
    dir: Option<PathBuf>,
    file: OnceLock<Option<DailyLog>>,
}

impl<'a> MakeWriter<'a> for OnDemand {
    type Writer = EitherWriter<LogWriter<'a>, io::Sink>;

    fn make_writer(&'a self) -> Self::Writer {
        let file = self
            .file
            .get_or_init(|| self.dir.as_deref().and_then(|dir| DailyLog::open(dir).ok()));
        match file {
            Some(log) => EitherWriter::A(LogWriter(log)),
            None => EitherWriter::B(io::sink()),
        }
    }
}

/// Log file name, before the day (`complaint-desk.log.2026-11-22`).
pub const LOG_FILE: &str = "complaint-desk.log";
/// How many daily files are kept.
pub const KEEP: usize = 7;

/// The daily log files in a directory, opened as the days turn.
#[derive(Debug)]
pub struct DailyLog {
    dir: PathBuf,
    today: Mutex<Option<(NaiveDate, File)>>,
}

impl DailyLog {
    /// Creates the directory if missing and opens today's file.
    pub fn open(dir: &Path) -> Result<DailyLog> {
        create_dir_owner_only(dir)?;
        let log = DailyLog {
            dir: dir.to_path_buf(),
            today: Mutex::new(None),
        };
        log.with_today(|_| Ok(()))
            .map_err(|e| crate::error::Error::io(dir, e))?;
        Ok(log)
    }

    /// Runs `f` on today's file, opening it (and pruning old ones) when the day has turned.
    fn with_today<T>(&self, f: impl FnOnce(&mut File) -> io::Result<T>) -> io::Result<T> {
        let mut today = self.today.lock().unwrap_or_else(PoisonError::into_inner);
        let day = Local::now().date_naive();
        let open = match today.take() {
            Some((d, file)) if d == day => (d, file),
            _ => {
                let path = self
                    .dir
                    .join(format!("{LOG_FILE}.{}", day.format("%Y-%m-%d")));
                let file = owner_only_options().append(true).create(true).open(path)?;
                self.prune();
                (day, file)
            }
        };
        let (_, file) = today.insert(open);
        f(file)
    }

    /// Removes all but the newest [`KEEP`] daily files.
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut days: Vec<(NaiveDate, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let day = name.strip_prefix(LOG_FILE)?.strip_prefix('.')?;
                let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
                Some((day, e.path()))
            })
            .collect();
        days.sort();
        let old = days.len().saturating_sub(KEEP);
        for (_, path) in days.drain(..old) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// One event's write to the log.
#[derive(Debug)]
pub struct LogWriter<'a>(&'a DailyLog);

impl Write for LogWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.with_today(|file| file.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.with_today(|file| file.flush())
    }
}

impl<'a> MakeWriter<'a> for DailyLog {
    type Writer = LogWriter<'a>;

    fn make_writer(&'a self) -> LogWriter<'a> {
        LogWriter(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_week_of_files() {
        let dir = tempfile::tempdir().expect("tmp");
        for day in 1..=9 {
            std::fs::write(dir.path().join(format!("{LOG_FILE}.2020-01-0{day}")), "old")
                .expect("old log");
        }
        std::fs::write(dir.path().join("notes.txt"), "mine").expect("other file");
        let log = DailyLog::open(dir.path()).expect("open");
        LogWriter(&log).write_all(b"line\n").expect("write");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        let today = format!("{LOG_FILE}.{}", Local::now().format("%Y-%m-%d"));
        assert_eq!(names.len(), KEEP + 1, "{names:?}");
        assert!(names.contains(&today) && names.contains(&"notes.txt".to_string()));
        assert!(
            !names.iter().any(|n| n.ends_with("2020-01-03")),
            "{names:?}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(today)).expect("today"),
            "line\n"
        );
    }
}
