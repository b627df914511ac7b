//! The command line in the interface language: the language is settled from the arguments,
//! the environment and the config before clap reads them, and every about and help text
//! comes from the catalogs (`usage.…`). Command and option names stay as the contract spells
//! them.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Command, CommandFactory, FromArgMatches};

use super::Cli;
use crate::config::Config;
use crate::i18n::{Catalog, Catalogs, Lang};

/// Parses the process's arguments in the interface language; on a usage error or a help
/// request, prints it and exits (code 2 on an error).
pub fn parse() -> Cli {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (lang, catalogs) = interface(&args);
    super::names::set_interface(lang, catalogs);
    let matches = command(lang).get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The clap command with its help text in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut cmd = Cli::command();
    // Built first, so the generated `--help`, `--version` and `help` are there to translate.
    cmd.build();
    localize(cmd, "usage", Catalog::get(lang))
}

/// The language the command line speaks: `--lang`, else the config's (`--config`,
/// `COMPLAINT_DESK_CONFIG` or the platform file), else the locale's when no config loads.
pub fn interface_lang(args: &[OsString]) -> Lang {
    interface(args).0
}

/// The interface language ([`interface_lang`]) and the config's catalogs (the shipped ones
/// when no config loads), whose words option values are named by.
fn interface(args: &[OsString]) -> (Lang, Catalogs) {
    let explicit = option(args, "--config")
        .or_else(|| std::env::var("COMPLAINT_DESK_CONFIG").ok())
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    let config = Config::load(explicit.as_deref()).ok().map(|(c, _)| c);
    let lang = option(args, "--lang")
        .and_then(|t| Lang::parse(&t))
        .or(config.as_ref().map(|c| c.language))
        .unwrap_or_else(locale_lang);
    let catalogs = config.map_or_else(Catalogs::shipped, |c| c.catalogs());
    (lang, catalogs)
}

/// The value of `--name VALUE` or `--name=VALUE` among `args` (before a `--`).
fn option(args: &[OsString], name: &str) -> Option<String> {
    let mut words = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .take_while(|a| a != "--");
    while let Some(word) = words.next() {
        if word == name {
            return words.next().map(|v| v.into_owned());
        }
        if let Some(value) = word.strip_prefix(name).and_then(|w| w.strip_prefix('=')) {
            return Some(value.to_string());
        }
    }
    None
}

/// The locale's language (`LC_ALL`, `LC_MESSAGES`, `LANG`): `zh_TW` → zh-TW, any other
/// Chinese → zh-CN, else English.
pub fn locale_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_default();
    let tag = locale.split(['.', '@']).next().unwrap_or_default();
    match Lang::parse(tag) {
        Some(Lang::ZhTw) => Lang::ZhTw,
        _ if locale.starts_with("zh") => Lang::ZhCn,
        _ => Lang::En,
    }
}

/// The catalog key of each text of `cmd` (at `path`, e.g. `usage.case.classify`): its about,
/// then each argument's help. Global and generated arguments are named once, in
/// `usage.global`.
pub fn keys(cmd: &Command, path: &str) -> Vec<String> {
    if path == HELP_COMMAND {
        return vec![HELP_COMMAND.to_string()];
    }
    let mut keys = vec![format!("{path}.about")];
    keys.extend(cmd.get_arguments().map(|a| arg_key(path, a)));
    keys
}

fn arg_key(path: &str, arg: &clap::Arg) -> String {
    let id = arg.get_id().as_str();
    if arg.is_global_set() || matches!(id, "help" | "version") {
        format!("usage.global.{id}")
    } else {
        format!("{path}.{id}")
    }
}

/// The catalog key of clap's own `help` command (its about; it has no help of its own).
const HELP_COMMAND: &str = "usage.help_command";

/// The path of subcommand `sub` under `path`; clap's own `help` has one key wherever it is.
fn sub_path(path: &str, sub: &Command) -> String {
    match sub.get_name() {
        "help" => HELP_COMMAND.to_string(),
        name => format!("{path}.{name}"),
    }
}

/// Every command of `cmd` with its catalog path, `cmd` first.
pub fn commands<'c>(cmd: &'c Command, path: &str) -> Vec<(String, &'c Command)> {
    let mut all = vec![(path.to_string(), cmd)];
    for sub in cmd.get_subcommands() {
        match sub_path(path, sub) {
            // Its copies of the other commands are for completion, not shown.
            help if help == HELP_COMMAND => all.push((help, sub)),
            sub_path => all.extend(commands(sub, &sub_path)),
        }
    }
    all
}

/// The global and generated options, listed in this order after every command's own.
const GLOBAL_ORDER: [&str; 6] = ["db", "config", "lang", "agent", "help", "version"];

fn localize(cmd: Command, path: &str, catalog: &'static Catalog) -> Command {
    let about = catalog.text_or(&format!("{path}.about"), "").to_string();
    let text = |key: &str| catalog.text(key).to_string();
    // clap's own template, its headings in the catalog's words.
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}{{after-help}}",
        text("usage.heading_usage")
    );
    cmd.about(about)
        .long_about(None)
        .help_template(template)
        .subcommand_help_heading(catalog.text("usage.heading_commands"))
        .mut_args(|a| {
            let key = arg_key(path, &a);
            let heading = match a.is_positional() {
                true => catalog.text("usage.heading_arguments"),
                false => catalog.text("usage.heading_options"),
            };
            // The global options after the command's own, in their order.
            let a = match GLOBAL_ORDER.iter().position(|id| a.get_id() == *id) {
                Some(i) => a.display_order(1000 + i),
                None => a,
            };
            a.help(text(&key)).long_help(None).help_heading(heading)
        })
        .mut_subcommands(|sub| {
            let sub_path = sub_path(path, &sub);
            if sub_path == HELP_COMMAND {
                // clap's own `help NAME`: its argument needs no words of ours.
                return sub.about(text(HELP_COMMAND));
            }
            localize(sub, &sub_path, catalog)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_language_option_is_found_in_either_spelling() {
        let a = args(&["complaint-desk", "list", "--lang", "en"]);
        assert_eq!(option(&a, "--lang").as_deref(), Some("en"));
        let a = args(&["complaint-desk", "--lang=zh-TW", "list"]);
        assert_eq!(option(&a, "--lang").as_deref(), Some("zh-TW"));
        let a = args(&["complaint-desk", "add", "--", "--lang", "en"]);
        assert_eq!(option(&a, "--lang"), None);
        let a = args(&["complaint-desk", "list", "--lang", "en"]);
        assert_eq!(interface_lang(&a), Lang::En);
    }

    /// Every command's about and every argument's help is in all three catalogs.
    #[test]
    fn every_help_text_is_in_every_catalog() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut count = 0;
        for (path, c) in commands(&cmd, "usage") {
            for key in keys(c, &path) {
                count += 1;
                for lang in Lang::ALL {
                    let catalog = Catalog::get(lang);
                    assert!(
                        catalog.keys().any(|k| k == key),
                        "{key} missing in {}",
                        lang.tag()
                    );
                }
            }
        }
        assert!(count > 100, "only {count} help texts");
    }

    /// Every value an option lists is named in the catalogs (the names it also accepts).
    #[test]
    fn every_listed_value_has_a_name() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut count = 0;
        for (path, c) in commands(&cmd, "usage") {
            for arg in c.get_arguments() {
                for value in arg.get_possible_values() {
                    count += 1;
                    let name = value.get_help().map(|h| h.to_string()).unwrap_or_default();
                    assert!(
                        !name.is_empty(),
                        "{path} --{}: {} has no name",
                        arg.get_id(),
                        value.get_name()
                    );
                }
            }
        }
        assert!(count > 40, "only {count} values");
    }

    /// The help in zh-CN is Chinese and keeps the contract's names.
    #[test]
    fn help_speaks_the_interface_language() {
        let help = command(Lang::ZhCn)
            .find_subcommand_mut("case")
            .and_then(|c| c.find_subcommand_mut("refer"))
            .map(|c| c.render_long_help().to_string())
            .expect("case refer");
        assert!(help.contains("--to"), "{help}");
        assert!(help.contains("转交") && help.contains("选项"), "{help}");
        let en = command(Lang::En).render_help().to_string();
        assert!(en.contains("--db"), "{en}");
        assert!(!en.contains("数据库"), "{en}");
    }
}
