//! The terminal app: a guard that always gives the terminal back, the event loop, and the
//! runner that performs the app's effects on the Desk.

pub mod app;
pub mod keymap;
pub mod panes;
pub mod theme;
pub mod widgets;

use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Local;
use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::config::{Config, ConfigSource, Paths};
use crate::desk::{Desk, SystemClock};
use crate::domain::agent::validate_agent_name;
use crate::error::{Error, Result};
use crate::files::write_new_file;
use crate::i18n::{Catalog, Lang};
use crate::store::Store;
use app::{App, Effect, Msg, TICK_MS};
use panes::classification::{PAGE, PageAt, QUEUE};
use panes::first_run::{Choice, FirstRun};

/// Log file name (one per day, a week kept) in the platform state dir.
const LOG_FILE: &str = "complaint-desk.log";
/// Set to make the app panic right after its first frame: the end-to-end tests check that
/// the terminal comes back intact.
pub const PANIC_TEST_ENV: &str = "COMPLAINT_DESK_PANIC_TEST";

/// The global options the app shares with the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--db`.
    pub db: Option<PathBuf>,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--lang`.
    pub lang: Option<Lang>,
    /// `--agent` (skips the agent question).
    pub agent: Option<String>,
}

/// Starts the app. Configuration and database problems are reported before the terminal is
/// taken over, as plain error lines.
pub fn run(opts: &Options) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Error::new("error.no_terminal"));
    }
    let paths = Paths::platform()?;
    let (config, source) = Config::load(opts.config.as_deref())?;
    let config_file = paths.config_file();
    let ask_setup = matches!(source, ConfigSource::Embedded) && opts.config.is_none();
    let db = match (&opts.db, &config.database) {
        (Some(p), _) | (None, Some(p)) => p.clone(),
        (None, None) => paths.database()?,
    };
    let store = Store::open(&db)?;
    let agent = match &opts.agent {
        Some(a) => Some(validate_agent_name(a)?),
        None => Desk::remembered_agent(&store)?,
    };
    let log = init_logging(&paths);
    tracing::info!(db = %db.display(), version = env!("CARGO_PKG_VERSION"), "start");
    let lang = opts.lang.unwrap_or(config.language);

    let mut runner = Runner {
        desk: None,
        pending: None,
    };
    let mut queue = VecDeque::new();
    let mut app = if ask_setup || agent.is_none() {
        let path = config_file
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        let first = FirstRun::new(ask_setup, agent.is_none(), lang, path);
        runner.pending = Some(Pending {
            store,
            config: config.clone(),
            agent,
            config_file: config_file.filter(|_| ask_setup),
        });
        App::first_run(config, opts.lang, first)
    } else {
        let name = agent.unwrap_or_default();
        let mut desk = Desk::new(store, config.clone(), &name, Box::new(SystemClock))?;
        desk.sign_in()?;
        runner.desk = Some(desk);
        let (app, effects) = App::desk(config, opts.lang, name);
        queue.extend(effects);
        app
    };

    install_panic_hook(lang, log);
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| Error::new("error.internal").arg("detail", e))?;
    }
    let _guard = TerminalGuard::enter()?;
    let mut terminal =
        Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(|e| terminal_error(&e))?;
    let size = terminal.size().map_err(|e| terminal_error(&e))?;
    app.update(Msg::Resize(size.width, size.height));
    let mut quit = runner.perform(&mut app, queue.drain(..).collect());
    let panic_test = std::env::var_os(PANIC_TEST_ENV).is_some();
    let tick = Duration::from_millis(TICK_MS);
    let mut last_tick = Instant::now();
    while !quit {
        terminal
            .draw(|frame| app.render(frame))
            .map_err(|e| terminal_error(&e))?;
        if panic_test {
            panic!("{PANIC_TEST_ENV} is set: panicking after the first frame");
        }
        let mut msgs = Vec::new();
        if stop.load(Ordering::Relaxed) {
            tracing::info!("signal: keeping the draft and quitting");
            msgs.push(Msg::Terminate);
        } else if event::poll(tick.saturating_sub(last_tick.elapsed()))
            .map_err(|e| terminal_error(&e))?
        {
            match event::read().map_err(|e| terminal_error(&e))? {
                Event::Key(key) => msgs.push(Msg::Key(key)),
                Event::Paste(text) => msgs.push(Msg::Paste(text)),
                Event::Resize(w, h) => msgs.push(Msg::Resize(w, h)),
                _ => {}
            }
        }
        if last_tick.elapsed() >= tick {
            last_tick = Instant::now();
            msgs.push(Msg::Tick(Local::now()));
        }
        for msg in msgs {
            let effects = app.update(msg);
            quit |= runner.perform(&mut app, effects);
        }
    }
    tracing::info!("quit");
    Ok(())
}

fn terminal_error(e: &dyn std::fmt::Display) -> Error {
    Error::new("error.terminal").arg("detail", e)
}

/// What is known before the first-run screen settles the rest.
struct Pending {
    store: Store,
    config: Config,
    agent: Option<String>,
    config_file: Option<PathBuf>,
}

/// Performs effects on the Desk and feeds their results back to the app.
struct Runner {
    desk: Option<Desk>,
    pending: Option<Pending>,
}

impl Runner {
    /// Runs `effects` and every effect their results lead to; true when the app quits.
    fn perform(&mut self, app: &mut App, effects: Vec<Effect>) -> bool {
        let mut queue: VecDeque<Effect> = effects.into();
        let mut quit = false;
        while let Some(effect) = queue.pop_front() {
            if effect == Effect::Quit {
                quit = true;
                continue;
            }
            if let Some(msg) = self.run(effect) {
                queue.extend(app.update(msg));
            }
        }
        quit
    }

    fn run(&mut self, effect: Effect) -> Option<Msg> {
        if let Effect::FinishFirstRun(choice) = effect {
            return Some(self.finish_first_run(choice).unwrap_or_else(Msg::Failed));
        }
        let desk = self.desk.as_mut()?;
        let result = match effect {
            Effect::FinishFirstRun(_) | Effect::Quit => return None,
            Effect::Intake(form) => match desk.intake(&form) {
                Ok(c) => Ok(Some(Msg::Saved(Box::new(c)))),
                Err(e)
                    if e.get("field").is_some()
                        || matches!(e.key, "error.unknown_category" | "error.phone_invalid") =>
                {
                    Ok(Some(Msg::Refused(e)))
                }
                Err(e) => Err(e),
            },
            Effect::SaveDraft(form) => desk.save_draft(&form).map(|()| None),
            Effect::ClearDraft => desk.clear_draft().map(|()| None),
            Effect::LoadDraft => desk.draft().map(|d| d.map(|d| Msg::Draft(Box::new(d)))),
            Effect::Lookup { phone, location } => desk
                .repeat_complainants(&phone, &location)
                .map(|found| Some(Msg::Repeats(found))),
            Effect::Counts => desk.status_counts().map(|c| Some(Msg::Counts(c))),
            Effect::LoadPage(at) => {
                let page = match at {
                    PageAt::First => desk.page(QUEUE, PAGE, None),
                    PageAt::After(c) => desk.page(QUEUE, PAGE, Some(c)),
                    PageAt::Last => desk.page_before(QUEUE, PAGE, None),
                    PageAt::Before(c) => desk.page_before(QUEUE, PAGE, Some(c)),
                };
                page.map(|(rows, _)| Some(Msg::Page { at, rows }))
            }
            Effect::OpenCase(number) => desk
                .case_file(&number)
                .map(|case| Some(Msg::Case(Box::new(case)))),
        };
        result.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "effect failed");
            Some(Msg::Failed(e))
        })
    }

    fn finish_first_run(&mut self, choice: Choice) -> Result<Msg> {
        let pending = self
            .pending
            .take()
            .ok_or_else(|| Error::new("error.internal").arg("detail", "no first run pending"))?;
        let config = match choice.setup {
            Some((preset, lang)) => {
                let text = Config::starter_text(preset, lang);
                let name = pending
                    .config_file
                    .as_ref()
                    .map_or_else(|| "config".to_string(), |p| p.display().to_string());
                let config = Config::from_toml(&text, &name);
                let written = config.and_then(|config| {
                    if let Some(path) = &pending.config_file {
                        write_new_file(path, text.as_bytes())?;
                    }
                    Ok(config)
                });
                match written {
                    Ok(config) => config,
                    Err(e) => {
                        self.pending = Some(pending);
                        return Err(e);
                    }
                }
            }
            None => pending.config.clone(),
        };
        let agent = choice
            .agent
            .or(pending.agent)
            .ok_or_else(|| Error::new("error.agent_missing"))?;
        let mut desk = Desk::new(pending.store, config.clone(), &agent, Box::new(SystemClock))?;
        desk.sign_in()?;
        tracing::info!(agent = %agent, "first run done");
        self.desk = Some(desk);
        Ok(Msg::Ready {
            config: Box::new(config),
            agent,
        })
    }
}

/// Raw mode, the alternate screen and bracketed paste for as long as it lives.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> Result<TerminalGuard> {
        enable_raw_mode().map_err(|e| terminal_error(&e))?;
        // From here on the guard restores the terminal, also if the rest fails.
        let guard = TerminalGuard;
        crossterm::execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste
        )
        .map_err(|e| terminal_error(&e))?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Gives the terminal back: paste mode off, main screen, cursor shown, cooked mode. Safe to
/// call more than once.
fn restore_terminal() {
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
            .map_or_else(|| "-".to_string(), |p| p.display().to_string());
        eprintln!(
            "{}",
            Catalog::get(lang).format("tui.panic", &[("log", log)])
        );
        previous(info);
    }));
}

/// Logs to a daily file in the platform state dir (a week kept); the screen is never
/// written to. Returns the log dir, or None when no log can be kept.
fn init_logging(paths: &Paths) -> Option<PathBuf> {
    let dir = paths.log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(LOG_FILE)
        .max_log_files(7)
        .build(&dir)
        .ok()?;
    tracing_subscriber::fmt()
        .with_writer(appender)
        .with_ansi(false)
        .with_target(false)
        .try_init()
        .ok()?;
    Some(dir)
}
