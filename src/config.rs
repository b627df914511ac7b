//! Configuration: embedded presets, an optional user file on top, validation, paths.
//!
//! A config file sets a few top-level keys (`preset`, `language`, …) and may replace any
//! section of the preset (`[[categories]]`, `[[severities]]`, …) as a whole. The result is
//! validated before anything runs; a bad file is refused with its path, line and key.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::domain::complaint::Scope;
use crate::error::{Error, Result};
use crate::i18n::Lang;

// The sections of a config file are the domain's rule settings.
pub use crate::domain::policy::{
    BusinessHours, Category, ComplaintType, FollowUp, HandlerFrom, Handlers, KeywordRule, Party,
    Policy, RevisitPlan, RevisitStep, Role, Severity, WeekdayKey,
};

/// Name of the config file inside the platform config dir.
pub const CONFIG_FILE: &str = "config.toml";
/// Name of the database file inside the platform data dir.
pub const DB_FILE: &str = "complaint-desk.db";

/// The organisation presets shipped in `assets/presets/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Property-management front desk (物业客服).
    #[default]
    PropertyManagement,
    /// Pest-control dispatch (有害生物防制).
    PestControl,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 2] = [Preset::PropertyManagement, Preset::PestControl];

    /// The preset's name as written in config.
    pub fn key(self) -> &'static str {
        match self {
            Preset::PropertyManagement => "property-management",
            Preset::PestControl => "pest-control",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Preset::PropertyManagement => {
                include_str!("../assets/presets/property-management.toml")
            }
            Preset::PestControl => include_str!("../assets/presets/pest-control.toml"),
        }
    }
}

/// A configured entry with a stable key and a name in both interface languages.
pub trait Named {
    /// Stable key.
    fn key(&self) -> &str;
    /// Chinese and English names.
    fn names(&self) -> (&str, &str);
    /// The name in `lang`.
    fn name(&self, lang: Lang) -> &str {
        let (zh, en) = self.names();
        match lang {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
    }
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn key(&self) -> &str {
                &self.key
            }
            fn names(&self) -> (&str, &str) {
                (&self.zh, &self.en)
            }
        }
    )*};
}

named!(Category, Party, ComplaintType, Severity, RevisitPlan, Role);

fn name_of<T: Named>(items: &[T], key: &str, lang: Lang) -> String {
    items
        .iter()
        .find(|i| i.key() == key)
        .map_or_else(|| key.to_string(), |i| i.name(lang).to_string())
}

/// The effective configuration: where and how the app runs, and the organisation's rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Organisation preset the sections came from.
    pub preset: Preset,
    /// Interface language.
    pub language: Lang,
    /// Minutes without input before the screen locks.
    pub idle_lock_minutes: u32,
    /// Database file; `None` means the platform data dir.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<PathBuf>,
    /// The sections: categories, severities, roles, … (written at the top level).
    #[serde(flatten)]
    pub policy: Policy,
}

/// A config file as written (a preset file is one too): settings plus sections.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    preset: Option<Preset>,
    language: Option<String>,
    idle_lock_minutes: Option<u32>,
    database: Option<PathBuf>,
    categories: Option<Vec<Spanned<Category>>>,
    parties: Option<Vec<Spanned<Party>>>,
    types: Option<Vec<Spanned<ComplaintType>>>,
    severities: Option<Vec<Spanned<Severity>>>,
    business_hours: Option<Spanned<BusinessHours>>,
    revisit_plans: Option<Vec<Spanned<RevisitPlan>>>,
    roles: Option<Vec<Spanned<Role>>>,
    keyword_rules: Option<Vec<Spanned<KeywordRule>>>,
    follow_up: Option<FollowUp>,
    handling: Option<Handlers>,
}

/// Where a section came from, for error messages.
#[derive(Debug, Clone)]
struct Origin<'a> {
    name: String,
    source: &'a str,
}

impl Origin<'_> {
    fn line_of(&self, span: std::ops::Range<usize>) -> usize {
        let end = span.start.min(self.source.len());
        self.source[..end].matches('\n').count() + 1
    }
}

/// Config and where each part of it came from, before validation.
struct Assembled<'a> {
    config: Config,
    // (section name, origin, span of each entry) for error lines.
    spans: Vec<(&'static str, Origin<'a>, Vec<std::ops::Range<usize>>)>,
}

/// How the config was found, for `init` and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// The file given with `--config` or `COMPLAINT_DESK_CONFIG`.
    Explicit(PathBuf),
    /// The file in the platform config dir.
    Platform(PathBuf),
    /// No file: embedded defaults.
    Embedded,
}

impl Config {
    /// The embedded defaults of a preset.
    pub fn preset(preset: Preset) -> Result<Config> {
        Self::from_toml(&format!("preset = \"{}\"", preset.key()), "<defaults>")
    }

    /// The text of a new config file choosing `preset` and `language` (written by `init` and
    /// the app's first-run screen).
    pub fn starter_text(preset: Preset, language: Lang) -> String {
        format!(
            "# complaint-desk configuration; config.example.toml in the source lists every key.\n\
             preset = \"{}\"\nlanguage = \"{}\"\n",
            preset.key(),
            language.tag()
        )
    }

    /// Loads `--config` if given, else the platform file if it exists, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, ConfigSource)> {
        if let Some(path) = explicit {
            let text = read_config(path)?;
            let config = Self::from_toml(&text, &path.display().to_string())?;
            return Ok((config, ConfigSource::Explicit(path.to_path_buf())));
        }
        if let Some(path) = Paths::platform()?.config_file()
            && path.exists()
        {
            let text = read_config(&path)?;
            let config = Self::from_toml(&text, &path.display().to_string())?;
            return Ok((config, ConfigSource::Platform(path)));
        }
        Ok((Self::preset(Preset::default())?, ConfigSource::Embedded))
    }

    /// Parses and validates a config file's text; `name` appears in error messages.
    pub fn from_toml(text: &str, name: &str) -> Result<Config> {
        let file: FileConfig = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
        let preset = file.preset.unwrap_or_default();
        let preset_name = format!("preset {} (built in)", preset.key());
        let preset_src = preset.source();
        let base: FileConfig =
            toml::from_str(preset_src).map_err(|e| toml_error(&preset_name, preset_src, &e))?;
        let language = match file.language.as_deref() {
            None => Lang::default(),
            Some(tag) => Lang::parse(tag).ok_or_else(|| {
                Error::new("error.config_key")
                    .arg("file", name)
                    .arg("line", find_key_line(text, "language"))
                    .arg("key", "language")
                    .arg(
                        "detail",
                        format!("unknown language \"{tag}\"; known: en, zh-CN"),
                    )
            })?,
        };
        let user = Origin {
            name: name.to_string(),
            source: text,
        };
        let builtin = Origin {
            name: preset_name,
            source: preset_src,
        };
        if let Some(minutes) = file.idle_lock_minutes
            && !(1..=240).contains(&minutes)
        {
            return Err(Error::new("error.config_key")
                .arg("file", name)
                .arg("line", find_key_line(text, "idle_lock_minutes"))
                .arg("key", "idle_lock_minutes")
                .arg("detail", format!("{minutes} is out of range: 1 to 240")));
        }
        let assembled = assemble(file, base, preset, language, &user, &builtin)?;
        validate(&assembled)?;
        Ok(assembled.config)
    }

    /// Display name of a category key in `lang` (the key itself when unknown).
    pub fn category_name(&self, key: &str, lang: Lang) -> String {
        name_of(&self.policy.categories, key, lang)
    }

    /// Display name of a party key in `lang` (the key itself when unknown).
    pub fn party_name(&self, key: &str, lang: Lang) -> String {
        name_of(&self.policy.parties, key, lang)
    }

    /// Display name of a severity key in `lang` (the key itself when unknown).
    pub fn severity_name(&self, key: &str, lang: Lang) -> String {
        name_of(&self.policy.severities, key, lang)
    }

    /// Display name of a type key in `lang` (the key itself when unknown).
    pub fn type_name(&self, key: &str, lang: Lang) -> String {
        name_of(&self.policy.types, key, lang)
    }

    /// The effective configuration as TOML (for `config` and `init`).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self)
            .map_err(|e| Error::new("error.internal").arg("detail", e.to_string()))
    }
}

fn read_config(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

fn toml_error(name: &str, text: &str, err: &toml::de::Error) -> Error {
    let (line, snippet) = match err.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let line = text[..start].matches('\n').count() + 1;
            let snippet = text.lines().nth(line - 1).unwrap_or("").trim().to_string();
            (line, snippet)
        }
        None => (0, String::new()),
    };
    Error::new("error.config_syntax")
        .arg("file", name)
        .arg("line", line)
        .arg("snippet", snippet)
        .arg("detail", err.message().trim())
}

fn find_key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

fn take<'a, T>(
    user: Option<Vec<Spanned<T>>>,
    base: Option<Vec<Spanned<T>>>,
    section: &'static str,
    user_origin: &Origin<'a>,
    builtin: &Origin<'a>,
    spans: &mut Vec<(&'static str, Origin<'a>, Vec<std::ops::Range<usize>>)>,
) -> Result<Vec<T>> {
    let (items, origin) = match (user, base) {
        (Some(items), _) => (items, user_origin.clone()),
        (None, Some(items)) => (items, builtin.clone()),
        (None, None) => {
            return Err(Error::new("error.config_key")
                .arg("file", &builtin.name)
                .arg("line", 0)
                .arg("key", section)
                .arg("detail", "section missing"));
        }
    };
    spans.push((section, origin, items.iter().map(Spanned::span).collect()));
    Ok(items.into_iter().map(Spanned::into_inner).collect())
}

fn assemble<'a>(
    file: FileConfig,
    base: FileConfig,
    preset: Preset,
    language: Lang,
    user: &Origin<'a>,
    builtin: &Origin<'a>,
) -> Result<Assembled<'a>> {
    let mut spans = Vec::new();
    let s = file;
    let categories = take(
        s.categories,
        base.categories,
        "categories",
        user,
        builtin,
        &mut spans,
    )?;
    let parties = take(
        s.parties,
        base.parties,
        "parties",
        user,
        builtin,
        &mut spans,
    )?;
    let types = take(s.types, base.types, "types", user, builtin, &mut spans)?;
    let severities = take(
        s.severities,
        base.severities,
        "severities",
        user,
        builtin,
        &mut spans,
    )?;
    let revisit_plans = take(
        s.revisit_plans,
        base.revisit_plans,
        "revisit_plans",
        user,
        builtin,
        &mut spans,
    )?;
    let roles = take(s.roles, base.roles, "roles", user, builtin, &mut spans)?;
    let keyword_rules = take(
        s.keyword_rules,
        base.keyword_rules,
        "keyword_rules",
        user,
        builtin,
        &mut spans,
    )?;
    let hours = take(
        s.business_hours.map(|h| vec![h]),
        base.business_hours.map(|h| vec![h]),
        "business_hours",
        user,
        builtin,
        &mut spans,
    )?;
    let business_hours = hours.into_iter().next().ok_or_else(|| {
        Error::new("error.config_key")
            .arg("file", &builtin.name)
            .arg("line", 0)
            .arg("key", "business_hours")
            .arg("detail", "section missing")
    })?;
    Ok(Assembled {
        config: Config {
            preset,
            language,
            idle_lock_minutes: s.idle_lock_minutes.unwrap_or(5),
            database: s.database,
            policy: Policy {
                categories,
                parties,
                types,
                severities,
                business_hours,
                revisit_plans,
                roles,
                keyword_rules,
                follow_up: s.follow_up.or(base.follow_up).unwrap_or_default(),
                handling: s.handling.or(base.handling).unwrap_or_default(),
            },
        },
        spans,
    })
}

/// Semantic checks: unique keys, references that resolve, sane hours.
fn validate(a: &Assembled<'_>) -> Result<()> {
    let c = &a.config.policy;
    let fail = |section: &'static str, index: usize, key: &str, detail: String| -> Error {
        let (file, line) = a.spans.iter().find(|(s, _, _)| *s == section).map_or(
            (String::new(), 0),
            |(_, origin, spans)| {
                let line = spans.get(index).map_or(0, |sp| origin.line_of(sp.clone()));
                (origin.name.clone(), line)
            },
        );
        Error::new("error.config_key")
            .arg("file", file)
            .arg("line", line)
            .arg("key", format!("{section}[{index}].{key}"))
            .arg("detail", detail)
    };
    let unique = |section: &'static str, keys: Vec<&str>| -> Result<HashSet<String>> {
        if keys.is_empty() {
            return Err(fail(
                section,
                0,
                "key",
                "at least one entry is required".into(),
            ));
        }
        let mut seen = HashSet::new();
        for (i, k) in keys.iter().enumerate() {
            let valid = !k.is_empty()
                && k.chars().all(|ch| {
                    ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_'
                });
            if !valid {
                return Err(fail(
                    section,
                    i,
                    "key",
                    format!("\"{k}\" must be lower-case ASCII letters, digits, - or _"),
                ));
            }
            if !seen.insert(k.to_string()) {
                return Err(fail(section, i, "key", format!("duplicate key \"{k}\"")));
            }
        }
        Ok(seen)
    };
    let parties = unique(
        "parties",
        c.parties.iter().map(|p| p.key.as_str()).collect(),
    )?;
    let categories = unique(
        "categories",
        c.categories.iter().map(|p| p.key.as_str()).collect(),
    )?;
    unique("types", c.types.iter().map(|p| p.key.as_str()).collect())?;
    let severities = unique(
        "severities",
        c.severities.iter().map(|p| p.key.as_str()).collect(),
    )?;
    let roles = unique("roles", c.roles.iter().map(|p| p.key.as_str()).collect())?;
    unique(
        "revisit_plans",
        c.revisit_plans.iter().map(|p| p.key.as_str()).collect(),
    )?;
    let known = |set: &HashSet<String>| {
        let mut v: Vec<_> = set.iter().cloned().collect();
        v.sort();
        v.join(", ")
    };
    for (i, cat) in c.categories.iter().enumerate() {
        if let Some(p) = &cat.party
            && !parties.contains(p)
        {
            return Err(fail(
                "categories",
                i,
                "party",
                format!("unknown party \"{p}\"; known: {}", known(&parties)),
            ));
        }
        if cat.scope == Scope::Out && cat.party.is_none() {
            return Err(fail(
                "categories",
                i,
                "party",
                "an out-of-scope category names its responsible party".into(),
            ));
        }
    }
    for (i, s) in c.severities.iter().enumerate() {
        if s.first_reply_hours == 0 || s.referral_reply_hours == 0 {
            return Err(fail(
                "severities",
                i,
                "first_reply_hours",
                "reply hours must be at least 1".into(),
            ));
        }
    }
    for (i, plan) in c.revisit_plans.iter().enumerate() {
        if let Some(s) = plan.severities.iter().find(|s| !severities.contains(*s)) {
            return Err(fail(
                "revisit_plans",
                i,
                "severities",
                format!("unknown severity \"{s}\"; known: {}", known(&severities)),
            ));
        }
        if plan.steps.is_empty() {
            return Err(fail(
                "revisit_plans",
                i,
                "steps",
                "a plan needs at least one step".into(),
            ));
        }
        if let Some(step) = plan.steps.iter().find(|st| !roles.contains(&st.role)) {
            return Err(fail(
                "revisit_plans",
                i,
                "steps.role",
                format!("unknown role \"{}\"; known: {}", step.role, known(&roles)),
            ));
        }
    }
    for (i, rule) in c.keyword_rules.iter().enumerate() {
        if rule.keywords.is_empty() || rule.keywords.iter().any(|k| k.trim().is_empty()) {
            return Err(fail(
                "keyword_rules",
                i,
                "keywords",
                "keywords may not be empty".into(),
            ));
        }
        let checks = [
            ("category", rule.category.as_ref(), &categories),
            ("party", rule.party.as_ref(), &parties),
            ("severity", rule.severity.as_ref(), &severities),
        ];
        for (key, value, set) in checks {
            if let Some(v) = value
                && !set.contains(v)
            {
                return Err(fail(
                    "keyword_rules",
                    i,
                    key,
                    format!("unknown {key} \"{v}\"; known: {}", known(set)),
                ));
            }
        }
    }
    let h = &c.business_hours;
    if h.open >= h.close {
        return Err(fail(
            "business_hours",
            0,
            "close",
            "close must be after open".into(),
        ));
    }
    if h.weekdays.is_empty() {
        return Err(fail(
            "business_hours",
            0,
            "weekdays",
            "at least one working weekday".into(),
        ));
    }
    if a.config.idle_lock_minutes == 0 || a.config.idle_lock_minutes > 240 {
        return Err(Error::new("error.config_key")
            .arg(
                "file",
                a.spans.first().map_or("", |(_, o, _)| o.name.as_str()),
            )
            .arg("line", 0)
            .arg("key", "idle_lock_minutes")
            .arg("detail", "between 1 and 240"));
    }
    let f = &c.follow_up;
    let bad = [
        ("follow_up.retry_hours", f.retry_hours == 0, "at least 1"),
        (
            "follow_up.failed_attempts_flag",
            f.failed_attempts_flag == 0,
            "at least 1",
        ),
        (
            "follow_up.escalate_after_hours",
            f.escalate_after_hours == 0,
            "at least 1",
        ),
        (
            "follow_up.reopen_at_or_below",
            f.reopen_at_or_below > 5,
            "between 0 and 5",
        ),
    ];
    if let Some((key, _, detail)) = bad.into_iter().find(|(_, wrong, _)| *wrong) {
        return Err(Error::new("error.config_key")
            .arg(
                "file",
                a.spans.first().map_or("", |(_, o, _)| o.name.as_str()),
            )
            .arg("line", 0)
            .arg("key", key)
            .arg("detail", detail));
    }
    Ok(())
}

/// Platform locations (config, data, logs) via `directories`.
#[derive(Debug, Clone)]
pub struct Paths {
    dirs: Option<directories::ProjectDirs>,
}

impl Paths {
    /// The platform directories for this application.
    pub fn platform() -> Result<Paths> {
        Ok(Paths {
            dirs: directories::ProjectDirs::from("", "", "complaint-desk"),
        })
    }

    /// The config file in the platform config dir.
    pub fn config_file(&self) -> Option<PathBuf> {
        self.dirs.as_ref().map(|d| d.config_dir().join(CONFIG_FILE))
    }

    /// Where the log file goes: the platform state dir, else the local data dir.
    pub fn log_dir(&self) -> Option<PathBuf> {
        self.dirs.as_ref().map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .to_path_buf()
        })
    }

    /// The default database file in the platform data dir.
    pub fn database(&self) -> Result<PathBuf> {
        self.dirs
            .as_ref()
            .map(|d| d.data_dir().join(DB_FILE))
            .ok_or_else(|| Error::new("error.no_home"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_presets_load_and_validate() {
        for p in Preset::ALL {
            let c = Config::preset(p).expect("preset valid");
            let c = &c.policy;
            assert!(c.categories.len() >= 6, "{p:?}");
            assert!(c.severities.len() >= 3);
            assert!(c.roles.iter().any(|r| r.key == "admin"));
            assert!(c.categories.iter().any(|cat| cat.scope == Scope::Out));
            assert!(!c.keyword_rules.is_empty());
        }
    }

    #[test]
    fn a_file_replaces_whole_sections_and_keeps_the_rest() {
        let text = r#"
preset = "pest-control"
language = "en"
idle_lock_minutes = 3
keyword_rules = []

[[categories]]
key = "leak"
zh = "漏水"
en = "Leak"
scope = "in"
"#;
        let c = Config::from_toml(text, "test.toml").expect("valid");
        assert_eq!(c.language, Lang::En);
        assert_eq!(c.preset, Preset::PestControl);
        assert_eq!(c.policy.categories.len(), 1);
        assert!(!c.policy.severities.is_empty());
        // Without replacing the keyword rules too, the preset's rules point at categories
        // that are gone: refused, naming the built-in preset's line.
        let err = Config::from_toml(&text.replace("keyword_rules = []\n", ""), "test.toml")
            .expect_err("dangling rule");
        assert_eq!(err.get("file"), Some("preset pest-control (built in)"));
        assert_eq!(err.get("key"), Some("keyword_rules[0].category"));
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = "preset = \"pest-control\"\n\nidle_lock_minuts = 3\n";
        let err = Config::from_toml(text, "/etc/x.toml").expect_err("refused");
        let msg = err.to_string();
        assert!(msg.contains("/etc/x.toml"), "{msg}");
        assert!(msg.contains("line 3"), "{msg}");
        assert!(msg.contains("idle_lock_minuts"), "{msg}");
    }

    #[test]
    fn bad_reference_names_the_entry_line() {
        let text = r#"preset = "property-management"

[[categories]]
key = "leak"
zh = "漏水"
en = "Leak"
scope = "in"

[[categories]]
key = "wall"
zh = "墙面开裂"
en = "Wall crack"
scope = "out"
party = "nobody"
"#;
        let err = Config::from_toml(text, "c.toml").expect_err("refused");
        assert_eq!(err.key, "error.config_key");
        assert_eq!(err.get("line"), Some("9"));
        assert_eq!(err.get("key"), Some("categories[1].party"));
        assert!(err.get("detail").unwrap_or("").contains("nobody"));
    }

    #[test]
    fn bad_language_and_bad_hours_are_refused() {
        let err = Config::from_toml("language = \"fr\"\n", "c.toml").expect_err("refused");
        assert_eq!(err.get("line"), Some("1"));
        let err = Config::from_toml("\nidle_lock_minutes = 0\n", "c.toml").expect_err("refused");
        assert_eq!(
            (err.get("file"), err.get("line")),
            (Some("c.toml"), Some("2"))
        );
        let text = "[business_hours]\nopen = \"18:00\"\nclose = \"09:00\"\nweekdays = [\"mon\"]\n";
        let err = Config::from_toml(text, "c.toml").expect_err("refused");
        assert_eq!(err.get("key"), Some("business_hours[0].close"));
    }

    #[test]
    fn categories_resolve_by_key_or_name() {
        let c = Config::preset(Preset::PropertyManagement)
            .expect("preset")
            .policy;
        assert_eq!(
            c.find_category("漏水").map(|c| c.key.as_str()),
            Some("leak")
        );
        assert_eq!(
            c.find_category("LEAK").map(|c| c.key.as_str()),
            Some("leak")
        );
        assert!(c.find_category("漏水x").is_none());
    }

    #[test]
    fn effective_config_round_trips_through_toml() {
        let c = Config::preset(Preset::PestControl).expect("preset");
        let text = c.to_toml().expect("toml");
        let again = Config::from_toml(&text, "round.toml").expect("valid again");
        assert_eq!(c, again);
    }
}
