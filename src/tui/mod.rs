//! The terminal app: a guard that always gives the terminal back, the event loop, and the
//! runner that performs the app's effects on the Desk.

pub mod app;
pub mod ctx;
pub mod forms;
pub mod keymap;
pub mod local_draft;
pub mod msg;
pub mod panes;
pub mod reporting;
pub mod runner;
pub mod searching;
pub mod theme;
pub mod widgets;
pub mod worker;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::config::{Config, ConfigSource, Paths};
use crate::desk::{Desk, SystemClock};
use crate::domain::agent::validate_agent_name;
use crate::error::Error;
use crate::i18n::{Catalog, Lang};
use crate::progress::MigrationBar;
use crate::text::{sanitize_line, sanitize_path};
use app::{App, TICK_MS};
use msg::Msg;
use panes::first_run::FirstRun;
use runner::{Pending, Runner};

/// Set to make the app panic right after its first frame: the end-to-end tests check that
/// the terminal comes back intact.
pub const PANIC_TEST_ENV: &str = "COMPLAINT_DESK_PANIC_TEST";

/// The global options the app shares with the command line (`--config` is applied by the
/// caller, which loads the configuration).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--db`.
    pub db: Option<PathBuf>,
    /// `--lang`.
    pub lang: Option<Lang>,
    /// `--agent`: the name filled in on the lock screen (or the first run's).
    pub agent: Option<String>,
}

/// Starts the app with the configuration `main` loaded (`source` tells whether a file was
/// found). Configuration and database problems are reported before the terminal is taken
/// over, as catalog-keyed errors; a failing terminal, with the context it failed in. Returns
/// the signal (SIGTERM, SIGHUP) that ended it, if one did, once the terminal is given back.
pub fn run(opts: &Options, config: Config, source: &ConfigSource) -> anyhow::Result<Option<i32>> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Error::new("error.no_terminal").into());
    }
    let paths = Paths::platform()?;
    let config_file = paths.config_file();
    let ask_setup = matches!(source, ConfigSource::Embedded);
    let db = match (&opts.db, &config.database) {
        (Some(p), _) | (None, Some(p)) => p.clone(),
        (None, None) => paths.database()?,
    };
    let lang = opts.lang.unwrap_or(config.language);
    // The app runs without a log; the reason is left on the screen the app returns to. It
    // starts before the database is opened, so that a damage report is kept.
    let log = crate::log::start(&paths)
        .map_err(|e| {
            let detail = sanitize_line(&format!("{e:#}"));
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                Catalog::get(lang).format("tui.no_log", &[("detail", detail)])
            );
        })
        .ok();
    tracing::info!(db = %db.display(), version = env!("CARGO_PKG_VERSION"), "start");
    // An upgrade that builds the search index of a large file shows how it is getting on,
    // before the terminal is taken over.
    let mut bar = MigrationBar::new(Catalog::get(lang).text("cli.index_progress"));
    let opened = Desk::open_unsigned_with_progress(&db, &mut |p| bar.update(p));
    bar.finish();
    let opened = opened?;
    let agent = match &opts.agent {
        Some(a) => Some(validate_agent_name(a)?),
        None => opened.remembered_agent()?,
    };
    let ask_admin = opened.needs_first_admin()?;

    // Nobody is signed in at the start: the first run creates the first agent and signs
    // them in; otherwise the lock screen asks for a PIN.
    let (mut app, runner) = if ask_setup || ask_admin {
        let path = config_file
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        let mut first = FirstRun::new(ask_setup, ask_admin, lang, path);
        if let Some(name) = &opts.agent {
            first = first.with_agent(name);
        }
        let runner = Runner::pending(Pending {
            opened,
            config: config.clone(),
            agent,
            config_file: config_file.filter(|_| ask_setup),
        });
        (App::first_run(config, opts.lang, first), runner)
    } else {
        let name = agent.unwrap_or_default();
        let desk = opened.into_desk(
            config.clone(),
            if name.is_empty() {
                runner::NOBODY
            } else {
                &name
            },
            Box::new(SystemClock),
        )?;
        (App::locked(config, opts.lang, name), Runner::ready(desk))
    };
    // The intake form is kept beside the default database (the platform data dir) while a
    // database server cannot be reached.
    let mut runner = match paths.database().ok().as_deref().and_then(Path::parent) {
        Some(data) => runner.with_local_drafts(data.join("drafts")),
        None => runner,
    };
    install_panic_hook(lang, log);
    let stop = watch_signals()?;
    let _guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))
        .context("setting up the terminal")?;
    let size = terminal.size().context("reading the terminal size")?;
    app.update(Msg::Resize(size.width, size.height));
    let mut quit = false;
    let panic_test = std::env::var_os(PANIC_TEST_ENV).is_some();
    let tick = Duration::from_millis(TICK_MS);
    // The first tick comes right after the first frame (it asks for the status counts).
    let mut last_tick = Instant::now()
        .checked_sub(tick)
        .unwrap_or_else(Instant::now);
    while !quit {
        terminal
            .draw(|frame| app.render(frame))
            .context("drawing a frame")?;
        if panic_test {
            panic!("{PANIC_TEST_ENV} is set: panicking after the first frame");
        }
        let mut msgs = Vec::new();
        if stop.load(Ordering::Relaxed) != 0 {
            tracing::info!("signal: keeping the draft and quitting");
            msgs.push(Msg::Terminate);
        } else if event::poll(wait(
            tick.saturating_sub(last_tick.elapsed()),
            runner.busy(),
        ))
        .context("waiting for a key")?
        {
            match event::read().context("reading a key")? {
                Event::Key(key) => msgs.push(Msg::Key(key)),
                Event::Paste(text) => msgs.push(Msg::Paste(text)),
                Event::Resize(w, h) => msgs.push(Msg::Resize(w, h)),
                _ => {}
            }
        }
        if last_tick.elapsed() >= tick {
            last_tick = Instant::now();
            msgs.push(Msg::Tick(Utc::now()));
        }
        for msg in msgs {
            let effects = app.update(msg);
            quit |= runner.perform(&mut app, effects);
        }
        // What the search thread finished shows with the next frame.
        quit |= runner.poll(&mut app);
    }
    tracing::info!("quit");
    let signal = stop.load(Ordering::Relaxed);
    Ok((signal != 0).then_some(signal))
}

/// How long to wait for a key: until the next tick, or while a search runs, a short while
/// (its results are drawn as soon as they come).
fn wait(until_tick: Duration, searching: bool) -> Duration {
    if searching {
        until_tick.min(SEARCH_POLL)
    } else {
        until_tick
    }
}

/// How often the loop looks for finished searches while one runs.
const SEARCH_POLL: Duration = Duration::from_millis(10);

/// How long the event loop has, after SIGTERM or SIGHUP, to keep the draft and leave by
/// itself before the process is ended for it (a hung-up terminal can keep crossterm's
/// `poll` busy without returning; crossterm-rs/crossterm#793).
const SIGNAL_GRACE: Duration = Duration::from_secs(2);

/// Sets the returned number to the signal on SIGTERM or SIGHUP (0 until then); if the loop
/// has not finished within `SIGNAL_GRACE`, restores the terminal and exits with 128 + the
/// signal number, as the loop's own exit does. Committed writes are safe in SQLite either
/// way; at most the last moments of typing are lost.
fn watch_signals() -> anyhow::Result<Arc<AtomicI32>> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let stop = Arc::new(AtomicI32::new(0));
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])
        .context("watching for SIGTERM and SIGHUP")?;
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            flag.store(signal, Ordering::Relaxed);
            std::thread::sleep(SIGNAL_GRACE);
            tracing::warn!(
                signal,
                "the event loop did not stop after the signal; exiting"
            );
            restore_terminal();
            std::process::exit(128 + signal);
        }
    });
    Ok(stop)
}

/// Whether the terminal is taken over (raw mode, alternate screen) and not yet given back.
static TERMINAL_TAKEN: AtomicBool = AtomicBool::new(false);

/// Raw mode, the alternate screen and bracketed paste for as long as it lives.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> anyhow::Result<TerminalGuard> {
        enable_raw_mode().context("entering raw mode")?;
        // From here on the guard restores the terminal, also if the rest fails.
        TERMINAL_TAKEN.store(true, Ordering::SeqCst);
        let guard = TerminalGuard;
        crossterm::execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste
        )
        .context("entering the alternate screen with bracketed paste")?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Gives the terminal back: paste mode off, main screen, cursor shown, cooked mode. Only
/// the first call after taking the terminal acts: leaving the alternate screen twice would
/// move the cursor back over what was printed in between (a panic notice).
fn restore_terminal() {
    if !TERMINAL_TAKEN.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    // Nothing useful can be done if the terminal refuses; carry on restoring the rest.
    let _ = crossterm::execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// On a panic: restore the terminal, log the panic, tell the user, then the default report.
fn install_panic_hook(lang: Lang, log: Option<PathBuf>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        tracing::error!(panic = %info, "panic");
        let log = log
            .as_ref()
            .map_or_else(|| "-".to_string(), |p| sanitize_path(p));
        // The terminal may be gone (hung up): then there is no one to tell.
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            Catalog::get(lang).format("tui.panic", &[("log", log)])
        );
        previous(info);
    }));
}
