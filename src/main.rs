//! The `complaint-desk` binary: parse the arguments, then run a command or, without one, the
//! terminal app; report a failure as one `error:` line in the user's language.

use std::io::Write;
use std::process::ExitCode;

use complaint_desk::cli::{self, Cli, Failure};
use complaint_desk::config::Config;
use complaint_desk::error::Error;
use complaint_desk::text::sanitize_line;
use complaint_desk::tui;

fn main() -> ExitCode {
    let cli = cli::parse();
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command).map(|()| None),
        None => app(&cli),
    };
    match result {
        Ok(None) => ExitCode::SUCCESS,
        // Ended by SIGTERM or SIGHUP, the terminal given back: 128 + the signal, as a shell
        // reports a process the signal killed.
        Ok(Some(signal)) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
        // The reader went away (`| head`): nothing to report.
        Err((err, _)) if err.key == cli::BROKEN_PIPE => ExitCode::SUCCESS,
        Err((err, lang)) => {
            let lang = lang.or(cli.lang).unwrap_or_else(cli::interface);
            let msg = sanitize_line(&cli::interface_catalogs().get(lang).render(&err));
            // A closed terminal cannot be told; nothing more to do then.
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(1)
        }
    }
}

/// The terminal app on the configuration `cli` names. What the user can act on (config,
/// database, no terminal) keeps its catalog message; a failure of the terminal itself is
/// told with the context it happened in. Returns the signal that ended the app, if one did.
fn app(cli: &Cli) -> Result<Option<i32>, Failure> {
    let (config, source) = Config::load(cli.config.as_deref()).map_err(|e| (e, cli.lang))?;
    let lang = cli.lang.unwrap_or(config.language);
    let opts = tui::Options {
        db: cli.db.clone(),
        lang: cli.lang,
        agent: cli.agent.clone(),
    };
    tui::run(&opts, config, &source).map_err(|e: anyhow::Error| {
        let err = match e.downcast::<Error>() {
            Ok(keyed) => keyed,
            Err(e) => Error::new("error.terminal").arg("detail", format!("{e:#}")),
        };
        (err, Some(lang))
    })
}
