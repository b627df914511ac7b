//! Configuration: embedded presets, an optional user file on top, validation, paths.
//!
//! A config file sets a few top-level keys (`preset`, `language`, …) and may replace any
//! section of the preset (`[[categories]]`, `[[severities]]`, …) as a whole. The result is
//! validated before anything runs; a bad file is refused with its path, line and key.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::domain::complaint::{Complaint, Scope, normalise_phone};
use crate::domain::handling::EXTERNAL_BODIES;
use crate::domain::names::{self, Choice};
use crate::domain::risk::RiskWeights;
use crate::domain::script::Script;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::i18n::{Catalog, Catalogs, Lang, WORDING_KEYS, name_in};

// The sections of a config file are the domain's rule settings.
pub use crate::domain::policy::{
    BusinessHours, CarePlan, Category, ComplaintType, DuplicateRules, FollowUp, HandlerFrom,
    Handlers, IntakeRules, KeywordRule, Party, Policy, ReportRules, RevisitPlan, RevisitStep, Role,
    Severity, Site, WeekdayKey,
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
    /// Network/IT services after-sales desk (网络/IT 服务).
    ItServices,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 3] = [
        Preset::PropertyManagement,
        Preset::PestControl,
        Preset::ItServices,
    ];

    /// The preset's name as written in config.
    pub fn key(self) -> &'static str {
        match self {
            Preset::PropertyManagement => "property-management",
            Preset::PestControl => "pest-control",
            Preset::ItServices => "it-services",
        }
    }

    /// The catalog key of the preset's name (section `preset`, which `init --preset` also
    /// reads).
    pub fn name_key(self) -> &'static str {
        match self {
            Preset::PropertyManagement => "preset.property-management",
            Preset::PestControl => "preset.pest-control",
            Preset::ItServices => "preset.it-services",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Preset::PropertyManagement => {
                include_str!("../assets/presets/property-management.toml")
            }
            Preset::PestControl => include_str!("../assets/presets/pest-control.toml"),
            Preset::ItServices => include_str!("../assets/presets/it-services.toml"),
        }
    }
}

/// A configured entry with a stable key and a name in each interface language.
pub trait Named {
    /// Stable key.
    fn key(&self) -> &str;
    /// Chinese (Simplified), zh-TW (if configured) and English names.
    fn names(&self) -> (&str, Option<&str>, &str);
    /// The name in `lang`; for zh-TW without a configured `zh_tw`, `zh` converted.
    fn name(&self, lang: Lang) -> Cow<'_, str> {
        let (zh, zh_tw, en) = self.names();
        name_in(lang, zh, zh_tw, en)
    }
}

/// A desk's own words for a catalog message (`[wording]`), in each interface language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Chinese (Simplified).
    pub zh: String,
    /// For zh-TW screens; when absent, `zh` converted to Traditional (Taiwan usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<String>,
    /// English.
    pub en: String,
}

impl Term {
    /// The words in `lang`.
    pub fn text(&self, lang: Lang) -> Cow<'_, str> {
        name_in(lang, &self.zh, self.zh_tw.as_deref(), &self.en)
    }
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn key(&self) -> &str {
                &self.key
            }
            fn names(&self) -> (&str, Option<&str>, &str) {
                (&self.zh, self.zh_tw.as_deref(), &self.en)
            }
        }
    )*};
}

named!(
    Category,
    Party,
    ComplaintType,
    Severity,
    RevisitPlan,
    Role,
    Site,
    CarePlan
);

/// The configured values an option names (by key, or by name in any language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Configured {
    /// A complaint category.
    Category,
    /// A responsible party.
    Party,
    /// A complaint type.
    Type,
    /// A severity.
    Severity,
    /// A role.
    Role,
    /// Whom a complaint is referred to: a responsible party or an external body.
    Addressee,
}

impl Configured {
    /// The `field.…` catalog key naming it in errors.
    fn field(self) -> &'static str {
        match self {
            Configured::Category => "category",
            Configured::Party => "party",
            Configured::Type => "type",
            Configured::Severity => "severity",
            Configured::Role => "role",
            Configured::Addressee => "addressee",
        }
    }
}

/// A configured entry as a [`Choice`], shown by its name in `lang`.
fn choice<T: Named>(item: &T, lang: Lang) -> Choice {
    Choice {
        key: item.key().to_string(),
        shown: item.name(lang).into_owned(),
        names: Lang::ALL.map(|l| item.name(l).into_owned()).to_vec(),
    }
}

fn choices_of<T: Named>(items: &[T], lang: Lang) -> Vec<Choice> {
    items.iter().map(|i| choice(i, lang)).collect()
}

fn name_of<T: Named>(items: &[T], key: &str, lang: Lang) -> String {
    items
        .iter()
        .find(|i| i.key() == key)
        .map_or_else(|| key.to_string(), |i| i.name(lang).into_owned())
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
    /// The desk's words for catalog messages on [`WORDING_KEYS`], by key (`[wording]`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub wording: BTreeMap<String, Term>,
    /// Reply scripts (`[[scripts]]`), their texts parsed at load.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scripts: Vec<Script>,
    /// The catalogs with `wording` applied, made when the config is loaded.
    #[serde(skip)]
    catalogs: Catalogs,
}

/// A config file as written (a preset file is one too): settings plus sections.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    preset: Option<Preset>,
    language: Option<String>,
    idle_lock_minutes: Option<u32>,
    database: Option<PathBuf>,
    timezone: Option<String>,
    categories: Option<Vec<Category>>,
    parties: Option<Vec<Party>>,
    types: Option<Vec<ComplaintType>>,
    severities: Option<Vec<Severity>>,
    business_hours: Option<BusinessHours>,
    revisit_plans: Option<Vec<RevisitPlan>>,
    roles: Option<Vec<Role>>,
    keyword_rules: Option<Vec<KeywordRule>>,
    follow_up: Option<FollowUp>,
    handling: Option<Handlers>,
    sites: Option<Vec<Site>>,
    intake: Option<IntakeRules>,
    care_plans: Option<Vec<CarePlan>>,
    report: Option<ReportRules>,
    duplicates: Option<DuplicateRules>,
    wording: Option<BTreeMap<String, Term>>,
    scripts: Option<Vec<Script>>,
    risk: Option<RiskWeights>,
}

/// The allowed values of every number a config file may hold, by key (`[]`: every
/// entry). Documented in `config.example.toml`; a test checks that no number is missing.
const LIMITS: [(&str, RangeInclusive<i64>); 26] = [
    ("idle_lock_minutes", 1..=240),
    ("severities[].first_reply_hours", 1..=8_760),
    ("severities[].referral_reply_hours", 1..=8_760),
    ("revisit_plans[].steps[].after_days", 0..=3_660),
    ("roles[].compensation_limit", 0..=1_000_000),
    ("follow_up.retry_hours", 1..=8_760),
    ("follow_up.failed_attempts_flag", 1..=100),
    ("follow_up.escalate_after_hours", 1..=8_760),
    ("follow_up.reopen_at_or_below", 0..=5),
    ("follow_up.triage_hours", 1..=8_760),
    ("follow_up.waiting_update_days", 1..=365),
    ("care_plans[].every_days", 1..=365),
    ("duplicates.days", 1..=365),
    ("risk.repeat", 0..=1_000),
    ("risk.spread", 0..=1_000),
    ("risk.mood_anxious", 0..=1_000),
    ("risk.mood_disappointed", 0..=1_000),
    ("risk.mood_angry", 0..=1_000),
    ("risk.mood_agitated", 0..=1_000),
    ("risk.severity", 0..=1_000),
    ("risk.day_open", 0..=1_000),
    ("risk.max_days", 1..=3_660),
    ("risk.overdue_call", 0..=1_000),
    ("risk.declined_reply", 0..=1_000),
    ("risk.reopen", 0..=1_000),
    ("risk.low_satisfaction", 0..=1_000),
];

/// One step of a key path: a table key, an array index, or `[]` (every entry).
#[derive(Debug, Clone, Copy)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
    Each,
}

/// The steps of a key path such as `revisit_plans[0].steps[1].role`.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut pieces = part.split('[');
        out.extend(pieces.next().map(Step::Key));
        for index in pieces {
            out.push(
                index
                    .trim_end_matches(']')
                    .parse()
                    .map_or(Step::Each, Step::Index),
            );
        }
    }
    out
}

/// A config file's text and its parsed values with their places, to name the line of any
/// value.
struct Origin<'a> {
    name: String,
    source: &'a str,
    root: Spanned<DeValue<'a>>,
}

impl<'a> Origin<'a> {
    /// Parses `source` (named `name` in messages), refusing bad TOML with its line.
    fn parse(name: String, source: &'a str) -> Result<Origin<'a>> {
        let doc = DeTable::parse(source).map_err(|e| toml_error(&name, source, &e))?;
        let root = Spanned::new(doc.span(), DeValue::Table(doc.into_inner()));
        Ok(Origin { name, source, root })
    }

    /// Whether the file sets the top-level key `key`.
    fn has(&self, key: &str) -> bool {
        self.root.get_ref().get(key).is_some()
    }

    fn line_at(&self, offset: usize) -> usize {
        line_at(self.source, offset)
    }

    /// The line of the entry `key` of table `section`, if the file sets it.
    fn entry_line(&self, section: &str, key: &str) -> Option<usize> {
        let value = self.root.get_ref().get(section)?.get_ref().get(key)?;
        Some(self.line_at(value.span().start))
    }

    /// The line of the value at `path` (`severities[1].first_reply_hours`), else of the
    /// nearest enclosing entry the file has; 0 when the file does not set the section.
    fn line(&self, path: &str) -> usize {
        let mut value = &self.root;
        let mut found = None;
        for step in steps(path) {
            let next = match step {
                Step::Key(key) => value.get_ref().get(key),
                Step::Index(i) => value.get_ref().get(i),
                Step::Each => None,
            };
            let Some(next) = next else { break };
            found = Some(next.span().start);
            value = next;
        }
        found.map_or(0, |offset| self.line_at(offset))
    }

    /// Refuses the first number in the file (in file order) outside its [`LIMITS`].
    fn check_numbers(&self) -> Result<()> {
        let mut numbers = Vec::new();
        for (pattern, range) in &LIMITS {
            let mut found = Vec::new();
            collect(&self.root, &steps(pattern), String::new(), &mut found);
            numbers.extend(found.into_iter().map(|(path, v)| (path, v, range)));
        }
        numbers.sort_by_key(|(_, v, _)| v.span().start);
        for (path, value, range) in numbers {
            // Other types are refused by the typed parse, naming the type.
            let DeValue::Integer(n) = value.get_ref() else {
                continue;
            };
            let number = i64::from_str_radix(n.as_str(), n.radix()).ok();
            if !number.is_some_and(|x| range.contains(&x)) {
                return Err(Error::new("error.config_range")
                    .arg("file", &self.name)
                    .arg("line", self.line_at(value.span().start))
                    .arg("key", path)
                    .arg("value", n)
                    .arg("min", range.start())
                    .arg("max", range.end()));
            }
        }
        Ok(())
    }
}

/// Every value at `steps` below `value` (`[]` taking each entry), with its key path.
fn collect<'v, 'a>(
    value: &'v Spanned<DeValue<'a>>,
    steps: &[Step<'_>],
    path: String,
    out: &mut Vec<(String, &'v Spanned<DeValue<'a>>)>,
) {
    let Some((step, rest)) = steps.split_first() else {
        out.push((path, value));
        return;
    };
    match (step, value.get_ref()) {
        (Step::Key(key), v) => {
            if let Some(next) = v.get(*key) {
                let path = if path.is_empty() {
                    (*key).to_string()
                } else {
                    format!("{path}.{key}")
                };
                collect(next, rest, path, out);
            }
        }
        (Step::Index(i), v) => {
            if let Some(next) = v.get(*i) {
                collect(next, rest, format!("{path}[{i}]"), out);
            }
        }
        (Step::Each, DeValue::Array(items)) => {
            for (i, next) in items.iter().enumerate() {
                collect(next, rest, format!("{path}[{i}]"), out);
            }
        }
        (Step::Each, _) => {}
    }
}

/// The 1-based line of byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The user's file and the preset under it: each section comes from the first that sets it.
struct Places<'a> {
    user: Origin<'a>,
    builtin: Origin<'a>,
}

impl Places<'_> {
    /// The file and line of the value at `path`, from the file its section came from.
    fn of(&self, path: &str) -> (&str, usize) {
        let top = path.split(['.', '[']).next().unwrap_or(path);
        let origin = if self.user.has(top) || !self.builtin.has(top) {
            &self.user
        } else {
            &self.builtin
        };
        (&origin.name, origin.line(path))
    }

    /// A config error at the entry `key` of table `section` (a key with dots, such as
    /// `[wording]`'s), from the file that sets it, with `detail` (English).
    fn fail_entry(&self, section: &str, key: &str, detail: impl std::fmt::Display) -> Error {
        let (file, line) = [&self.user, &self.builtin]
            .into_iter()
            .find_map(|o| o.entry_line(section, key).map(|line| (&o.name, line)))
            .unwrap_or((&self.user.name, 0));
        Error::new("error.config_key")
            .arg("file", file)
            .arg("line", line)
            .arg("key", format!("{section}.\"{key}\""))
            .arg("detail", detail)
    }

    /// A config error at the value at `path`, with `detail` (English).
    fn fail(&self, path: &str, detail: impl std::fmt::Display) -> Error {
        let (file, line) = self.of(path);
        Error::new("error.config_key")
            .arg("file", file)
            .arg("line", line)
            .arg("key", path)
            .arg("detail", detail)
    }
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
        let user = Origin::parse(name.to_string(), text)?;
        user.check_numbers()?;
        let file: FileConfig = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
        let preset = file.preset.unwrap_or_default();
        let preset_src = preset.source();
        let builtin = Origin::parse(format!("preset {} (built in)", preset.key()), preset_src)?;
        builtin.check_numbers()?;
        let base: FileConfig =
            toml::from_str(preset_src).map_err(|e| toml_error(&builtin.name, preset_src, &e))?;
        let places = Places { user, builtin };
        let language = match file.language.as_deref() {
            None => Lang::default(),
            Some(tag) => Lang::parse(tag).ok_or_else(|| {
                places.fail(
                    "language",
                    format!("unknown language \"{tag}\"; known: en, zh-CN, zh-TW"),
                )
            })?,
        };
        if file
            .database
            .as_ref()
            .is_some_and(|d| d.to_string_lossy().trim().is_empty())
        {
            return Err(Error::new("error.config_empty")
                .arg("file", name)
                .arg("line", places.user.line("database"))
                .arg("key", "database"));
        }
        let timezone = match file.timezone.as_deref() {
            None => machine_zone(),
            Some(name) => Zone::named(name).ok_or_else(|| {
                places.fail(
                    "timezone",
                    format!("unknown time zone \"{name}\"; use an IANA name such as Asia/Shanghai"),
                )
            })?,
        };
        let mut config = assemble(file, base, preset, language, &places.builtin.name)?;
        config.policy.timezone = timezone;
        validate(&config, &places)?;
        validate_wording(&config.wording, &places)?;
        compile_scripts(&mut config, &places)?;
        config.catalogs = Catalogs::worded(|lang| {
            config
                .wording
                .iter()
                .map(|(key, term)| (key.clone(), term.text(lang).into_owned()))
                .collect()
        });
        Ok(config)
    }

    /// The messages in `lang`, in this desk's words (every front end draws with these).
    pub fn catalog(&self, lang: Lang) -> &'static Catalog {
        self.catalogs.get(lang)
    }

    /// The messages in every language, in this desk's words.
    pub fn catalogs(&self) -> Catalogs {
        self.catalogs
    }

    /// Display name of a category key in `lang` (the key itself when unknown).
    pub fn category_name(&self, key: &str, lang: Lang) -> String {
        name_of(&self.policy.categories, key, lang)
    }

    /// Display name of a complaint's site in `lang`: a configured site's name, else the
    /// site as typed (free entry).
    pub fn site_name(&self, site: &str, lang: Lang) -> String {
        self.policy
            .site(site)
            .map_or_else(|| site.to_string(), |s| s.name(lang).into_owned())
    }

    /// The main category and the further ones of a complaint, by name in `lang`, the main
    /// one first (`漏水 + 噪音`).
    pub fn categories_shown(&self, c: &Complaint, lang: Lang) -> String {
        std::iter::once(&c.category)
            .chain(&c.extra_categories)
            .map(|k| self.category_name(k, lang))
            .collect::<Vec<_>>()
            .join(" + ")
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

    /// What may be typed for `what`, each value shown by its name in `lang`.
    pub fn choices(&self, what: Configured, lang: Lang) -> Vec<Choice> {
        let p = &self.policy;
        match what {
            Configured::Category => choices_of(&p.categories, lang),
            Configured::Party => choices_of(&p.parties, lang),
            Configured::Type => choices_of(&p.types, lang),
            Configured::Severity => choices_of(&p.severities, lang),
            Configured::Role => choices_of(&p.roles, lang),
            Configured::Addressee => {
                let mut all = choices_of(&p.parties, lang);
                all.extend(self.catalogs.choices("external", &EXTERNAL_BODIES, lang));
                all
            }
        }
    }

    /// The key of the `what` that `text` names: a key, or a name in any interface language
    /// ([`names::resolve`]); refused listing what is accepted, shown in `lang`.
    pub fn resolve(&self, what: Configured, text: &str, lang: Lang) -> Result<String> {
        let choices = self.choices(what, lang);
        names::resolve(what.field(), text, &choices).map(str::to_string)
    }

    /// The effective configuration as TOML (for `config` and `init`).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self)
            .map_err(|e| Error::new("error.internal").arg("detail", e.to_string()))
    }
}

/// The machine's time zone: `TZ` when it names one, else the system's (`/etc/localtime`),
/// else UTC.
fn machine_zone() -> Zone {
    std::env::var("TZ")
        .ok()
        .and_then(|tz| Zone::from_tz_variable(&tz))
        .or_else(|| {
            iana_time_zone::get_timezone()
                .ok()
                .and_then(|name| Zone::named(&name))
        })
        .unwrap_or(Zone::UTC)
}

fn read_config(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    utf8(bytes, &path.display().to_string())
}

/// The text of a config file, refusing bytes that are not UTF-8 with the line, column and
/// byte offset of the first.
fn utf8(bytes: Vec<u8>, name: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let offset = e.utf8_error().valid_up_to();
        let before = &bytes[..offset];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Error::new("error.config_encoding")
            .arg("file", name)
            .arg("line", before.iter().filter(|&&b| b == b'\n').count() + 1)
            .arg("column", column)
            .arg("offset", offset)
    })
}

fn toml_error(name: &str, text: &str, err: &toml::de::Error) -> Error {
    let (line, snippet) = match err.span() {
        Some(span) => {
            let line = line_at(text, span.start);
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

/// A section from the user's file if it has one, else from the preset.
fn take<T>(user: Option<T>, base: Option<T>, section: &str, preset: &str) -> Result<T> {
    user.or(base).ok_or_else(|| {
        Error::new("error.config_key")
            .arg("file", preset)
            .arg("line", 0)
            .arg("key", section)
            .arg("detail", "section missing")
    })
}

fn assemble(
    s: FileConfig,
    base: FileConfig,
    preset: Preset,
    language: Lang,
    preset_name: &str,
) -> Result<Config> {
    let p = preset_name;
    // The preset's words, each replaced by the file's words for the same key.
    let mut wording = base.wording.unwrap_or_default();
    wording.extend(s.wording.unwrap_or_default());
    Ok(Config {
        preset,
        language,
        idle_lock_minutes: s.idle_lock_minutes.unwrap_or(5),
        database: s.database,
        policy: Policy {
            categories: take(s.categories, base.categories, "categories", p)?,
            parties: take(s.parties, base.parties, "parties", p)?,
            types: take(s.types, base.types, "types", p)?,
            severities: take(s.severities, base.severities, "severities", p)?,
            business_hours: take(s.business_hours, base.business_hours, "business_hours", p)?,
            revisit_plans: take(s.revisit_plans, base.revisit_plans, "revisit_plans", p)?,
            roles: take(s.roles, base.roles, "roles", p)?,
            keyword_rules: take(s.keyword_rules, base.keyword_rules, "keyword_rules", p)?,
            follow_up: s.follow_up.or(base.follow_up).unwrap_or_default(),
            handling: s.handling.or(base.handling).unwrap_or_default(),
            timezone: Zone::UTC,
            sites: s.sites.or(base.sites).unwrap_or_default(),
            intake: s.intake.or(base.intake).unwrap_or_default(),
            care_plans: s.care_plans.or(base.care_plans).unwrap_or_default(),
            report: s.report.or(base.report).unwrap_or_default(),
            duplicates: s.duplicates.or(base.duplicates).unwrap_or_default(),
            risk: s.risk.or(base.risk).unwrap_or_default(),
            site_index: Default::default(),
            category_index: Default::default(),
        },
        wording,
        scripts: s.scripts.or(base.scripts).unwrap_or_default(),
        catalogs: Catalogs::shipped(),
    })
}

/// Semantic checks: unique keys, references that resolve, opening before closing (the
/// numbers were checked against [`LIMITS`] before).
fn validate(config: &Config, places: &Places<'_>) -> Result<()> {
    let c = &config.policy;
    let unique = |section: &str, keys: Vec<&str>| -> Result<HashSet<String>> {
        if keys.is_empty() {
            return Err(places.fail(section, "at least one entry is required"));
        }
        let mut seen = HashSet::new();
        for (i, k) in keys.iter().enumerate() {
            let valid = !k.is_empty()
                && k.chars().all(|ch| {
                    ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_'
                });
            let path = format!("{section}[{i}].key");
            if !valid {
                return Err(places.fail(
                    &path,
                    format!("\"{k}\" must be lower-case ASCII letters, digits, - or _"),
                ));
            }
            if !seen.insert(k.to_string()) {
                return Err(places.fail(&path, format!("duplicate key \"{k}\"")));
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
    let known = |set: &HashSet<String>| {
        let mut v: Vec<_> = set.iter().cloned().collect();
        v.sort();
        v.join(", ")
    };
    unique(
        "revisit_plans",
        c.revisit_plans.iter().map(|p| p.key.as_str()).collect(),
    )?;
    for (i, cat) in c.categories.iter().enumerate() {
        let path = format!("categories[{i}].party");
        if let Some(p) = &cat.party
            && !parties.contains(p)
        {
            return Err(places.fail(
                &path,
                format!("unknown party \"{p}\"; known: {}", known(&parties)),
            ));
        }
        if cat.scope == Scope::Out && cat.party.is_none() {
            return Err(places.fail(
                &path,
                "an out-of-scope category names its responsible party",
            ));
        }
    }
    for (i, plan) in c.revisit_plans.iter().enumerate() {
        if let Some((j, s)) = plan
            .severities
            .iter()
            .enumerate()
            .find(|(_, s)| !severities.contains(*s))
        {
            return Err(places.fail(
                &format!("revisit_plans[{i}].severities[{j}]"),
                format!("unknown severity \"{s}\"; known: {}", known(&severities)),
            ));
        }
        if plan.steps.is_empty() {
            return Err(places.fail(
                &format!("revisit_plans[{i}].steps"),
                "a plan needs at least one step",
            ));
        }
        if let Some((j, step)) = plan
            .steps
            .iter()
            .enumerate()
            .find(|(_, st)| !roles.contains(&st.role))
        {
            return Err(places.fail(
                &format!("revisit_plans[{i}].steps[{j}].role"),
                format!("unknown role \"{}\"; known: {}", step.role, known(&roles)),
            ));
        }
    }
    for (i, rule) in c.keyword_rules.iter().enumerate() {
        let empty = if rule.keywords.is_empty() {
            Some(format!("keyword_rules[{i}].keywords"))
        } else {
            rule.keywords
                .iter()
                .position(|k| k.trim().is_empty())
                .map(|j| format!("keyword_rules[{i}].keywords[{j}]"))
        };
        if let Some(path) = empty {
            return Err(places.fail(&path, "keywords may not be empty"));
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
                return Err(places.fail(
                    &format!("keyword_rules[{i}].{key}"),
                    format!("unknown {key} \"{v}\"; known: {}", known(set)),
                ));
            }
        }
    }
    if !c.sites.is_empty() {
        unique("sites", c.sites.iter().map(|s| s.key.as_str()).collect())?;
    }
    let plans = if c.care_plans.is_empty() {
        HashSet::new()
    } else {
        unique(
            "care_plans",
            c.care_plans.iter().map(|p| p.key.as_str()).collect(),
        )?
    };
    for (i, plan) in c.care_plans.iter().enumerate() {
        if !roles.contains(&plan.role) {
            return Err(places.fail(
                &format!("care_plans[{i}].role"),
                format!("unknown role \"{}\"; known: {}", plan.role, known(&roles)),
            ));
        }
        if !categories.contains(&plan.category) {
            return Err(places.fail(
                &format!("care_plans[{i}].category"),
                format!(
                    "unknown category \"{}\"; known: {}",
                    plan.category,
                    known(&categories)
                ),
            ));
        }
    }
    for (i, site) in c.sites.iter().enumerate() {
        if let Some((field, _)) = [("zh", &site.zh), ("en", &site.en)]
            .into_iter()
            .find(|(_, name)| name.trim().is_empty())
        {
            return Err(places.fail(&format!("sites[{i}].{field}"), "a site needs a name"));
        }
        if let Some(plan) = site.care_plan.as_ref().filter(|p| !plans.contains(*p)) {
            return Err(places.fail(
                &format!("sites[{i}].care_plan"),
                format!("unknown care plan \"{plan}\"; known: {}", known(&plans)),
            ));
        }
        if let Some(phone) = site.phone.as_ref().filter(|p| normalise_phone(p).is_none()) {
            return Err(places.fail(
                &format!("sites[{i}].phone"),
                format!("\"{phone}\" does not look like a phone number"),
            ));
        }
    }
    let h = &c.business_hours;
    if h.open >= h.close {
        let (file, line) = places.of("business_hours.close");
        return Err(Error::new("error.config_close")
            .arg("file", file)
            .arg("line", line)
            .arg("key", "business_hours.close")
            .arg("close", h.close.format("%H:%M"))
            .arg("open", h.open.format("%H:%M")));
    }
    if h.weekdays.is_empty() {
        return Err(places.fail("business_hours.weekdays", "at least one working weekday"));
    }
    for (i, pattern) in c.report.building_patterns.iter().enumerate() {
        if let Err(e) = regex::Regex::new(pattern) {
            let text = e.to_string();
            let last = text.lines().last().unwrap_or_default();
            let why = last.trim_start_matches("error: ").to_string();
            return Err(places.fail(&format!("report.building_patterns[{i}]"), why));
        }
    }
    Ok(())
}

/// `[wording]` rewords only the desk-dependent terms ([`WORDING_KEYS`]), never with nothing.
fn validate_wording(wording: &BTreeMap<String, Term>, places: &Places<'_>) -> Result<()> {
    for (key, term) in wording {
        if !WORDING_KEYS.contains(&key.as_str()) {
            let what = match Catalog::english().keys().any(|k| k == key) {
                true => "is not a desk-dependent term",
                false => "is no message of the catalogs",
            };
            let detail = format!(
                "\"{key}\" {what}; may be reworded: {}",
                WORDING_KEYS.join(", ")
            );
            return Err(places.fail_entry("wording", key, detail));
        }
        let words = [Some(&term.zh), term.zh_tw.as_ref(), Some(&term.en)];
        if words.into_iter().flatten().any(|w| w.trim().is_empty()) {
            return Err(places.fail_entry("wording", key, "the words may not be empty"));
        }
    }
    Ok(())
}

/// `[[scripts]]`: unique keys, known categories, and texts that parse at their moment (the
/// zh-TW text of a script without one is its `zh` converted, parsed as such). The preset's
/// scripts for categories a file's own `[[categories]]` left out are dropped.
fn compile_scripts(config: &mut Config, places: &Places<'_>) -> Result<()> {
    let categories: HashSet<String> = config
        .policy
        .categories
        .iter()
        .map(|c| c.key.clone())
        .collect();
    if !places.user.has("scripts") {
        config
            .scripts
            .retain(|s| s.category.as_ref().is_none_or(|c| categories.contains(c)));
    }
    let mut seen = HashSet::new();
    for (i, script) in config.scripts.iter_mut().enumerate() {
        let key = script.key.clone();
        let fail = |field: &str, detail: String| {
            places.fail(
                &format!("scripts[{i}].{field}"),
                format!("script \"{key}\": {detail}"),
            )
        };
        let valid = !key.is_empty()
            && key
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
        if !valid {
            return Err(fail(
                "key",
                "the key must be lower-case ASCII letters, digits, - or _".into(),
            ));
        }
        if !seen.insert(key.clone()) {
            return Err(fail("key", "duplicate key".into()));
        }
        if let Some(cat) = script
            .category
            .as_deref()
            .filter(|c| !categories.contains(*c))
        {
            let mut known: Vec<&str> = categories.iter().map(String::as_str).collect();
            known.sort_unstable();
            return Err(fail(
                "category",
                format!("unknown category \"{cat}\"; known: {}", known.join(", ")),
            ));
        }
        let zh_tw =
            name_in(Lang::ZhTw, &script.zh, script.zh_tw.as_deref(), &script.en).into_owned();
        script
            .compile(&zh_tw)
            .map_err(|(field, why)| fail(field, why.to_string()))?;
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
    use crate::i18n::Catalog;

    #[test]
    fn every_preset_loads_and_validates() {
        assert_eq!(Preset::ALL.len(), 3);
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

    /// Every preset ships a default script (no category, no scope) for every moment, with
    /// its Chinese and English texts, and no text left with braces once rendered.
    #[test]
    fn every_preset_has_a_default_script_for_every_moment() {
        use crate::domain::script::{Moment, choose};
        for p in Preset::ALL {
            let c = Config::preset(p).expect("preset valid");
            for m in Moment::ALL {
                let s = choose(&c.scripts, m, None, None).expect("a default script");
                assert!(s.category.is_none() && s.scope.is_none(), "{p:?} {m:?}");
                for text in [&s.zh, &s.en] {
                    assert!(!text.trim().is_empty(), "{p:?} {}", s.key);
                }
                assert!(s.en.is_ascii(), "{p:?} {}: English text in ASCII", s.key);
            }
        }
    }

    #[test]
    fn a_script_with_an_unknown_or_unavailable_variable_is_refused_at_load() {
        let base = "preset = \"property-management\"\n[[scripts]]\nkey = \"hello\"\n";
        let cases = [
            (
                "moment = \"intake\"\nzh = \"{{nmae}}您好\"\nen = \"Hello\"\n",
                "scripts[0].zh: script \"hello\": unknown variable {{nmae}}",
            ),
            (
                "moment = \"intake\"\nzh = \"您好\"\nen = \"Your number is {{number}}\"\n",
                "scripts[0].en: script \"hello\": {{number}} is not known at this moment",
            ),
            (
                "moment = \"revisit\"\nzh = \"您好{{name\"\nen = \"Hello\"\n",
                "scripts[0].zh: script \"hello\": a {{ is not closed with }}",
            ),
            (
                "moment = \"revisit\"\nzh = \" \"\nen = \"Hello\"\n",
                "scripts[0].zh: script \"hello\": the text may not be empty",
            ),
            (
                "moment = \"revisit\"\ncategory = \"lifts\"\nzh = \"您好\"\nen = \"Hello\"\n",
                "scripts[0].category: script \"hello\": unknown category \"lifts\"",
            ),
        ];
        for (rest, expected) in cases {
            let text = format!("{base}{rest}");
            let err = Config::from_toml(&text, "desk.toml").expect_err(expected);
            let shown = Catalog::english().render(&err);
            assert!(shown.starts_with("config desk.toml, line "), "{shown}");
            assert!(shown.contains(expected), "{shown}\nwanted: {expected}");
        }
        let ok = format!(
            "{base}moment = \"progress\"\nscope = \"out\"\nzh = \"{{{{party}}}}在处理\"\nen = \"{{{{party}}}} is on it\"\n"
        );
        let c = Config::from_toml(&ok, "desk.toml").expect("the party is known out of scope");
        assert_eq!(c.scripts.len(), 1, "a file's scripts replace the preset's");
    }

    #[test]
    fn every_preset_is_named_in_every_catalog() {
        for p in Preset::ALL {
            assert_eq!(p.name_key(), format!("preset.{}", p.key()));
            for lang in Lang::ALL {
                let name = Catalog::get(lang).text(p.name_key());
                assert_ne!(name, p.name_key(), "{p:?} in {}", lang.tag());
            }
        }
    }

    /// The IT desk: technical versus service first, Mon–Fri office hours, a critical case
    /// answered within the hour, the department roles after the escalation levels, and
    /// its keywords suggesting the outage, the vendor and the spread risk.
    #[test]
    fn the_it_services_preset() {
        use crate::domain::complaint::Complaint;
        use crate::domain::suggest::suggest;
        let c = Config::preset(Preset::ItServices).expect("preset").policy;
        let keys = |keys: Vec<&str>| keys.join(" ");
        assert_eq!(
            keys(c.types.iter().map(|t| t.key.as_str()).collect()),
            "technical service"
        );
        assert_eq!(
            keys(c.roles.iter().take(3).map(|r| r.key.as_str()).collect()),
            "agent supervisor manager",
            "the escalation levels"
        );
        for department in ["tech-lead", "project-manager", "account-manager"] {
            assert!(c.roles.iter().any(|r| r.key == department), "{department}");
        }
        assert_eq!(c.business_hours.weekdays.len(), 5);
        let critical = c.severities.last().expect("severities");
        assert_eq!(
            (critical.key.as_str(), critical.first_reply_hours),
            ("critical", 1)
        );
        for (category, scope) in [
            ("site-down", Scope::In),
            ("bug-after-acceptance", Scope::In),
            ("billing", Scope::In),
            ("cloud-outage", Scope::Out),
        ] {
            let found = c.find_category(category).map(|x| x.scope);
            assert_eq!(found, Some(scope), "{category}");
        }

        let s = suggest(
            &c,
            &Complaint::sample(1, "site-down", "官网宕机，打开全是 502"),
        );
        assert_eq!(
            (s.scope, s.severity.as_deref()),
            (Some(Scope::In), Some("critical"))
        );
        let s = suggest(
            &c,
            &Complaint::sample(1, "site-down", "阿里雲機房斷電，網站打不開"),
        );
        assert_eq!(
            (s.scope, s.party.as_deref()),
            (Some(Scope::Out), Some("cloud")),
            "typed in Traditional"
        );
        let s = suggest(
            &c,
            &Complaint::sample(1, "billing", "多扣了500元，要发微博曝光"),
        );
        assert_eq!(s.severity, None, "an amount is no HTTP error");
        assert!(s.spread_risk);
        let s = suggest(
            &c,
            &Complaint::sample(1, "bug-after-acceptance", "The display issue"),
        );
        assert!(s.matched.is_empty(), "no word hidden in another: {s:?}");
    }

    #[test]
    fn a_file_replaces_whole_sections_and_keeps_the_rest() {
        let text = r#"
preset = "pest-control"
language = "en"
idle_lock_minutes = 3
keyword_rules = []
care_plans = []
sites = []

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

    /// `language = "zh-TW"` loads; a configured `zh_tw` name wins, else `zh` is converted.
    #[test]
    fn zh_tw_language_and_names() {
        let text = r#"
preset = "property-management"
language = "zh-TW"
keyword_rules = []
care_plans = []
sites = []

[[categories]]
key = "leak"
zh = "漏水"
en = "Leak"
scope = "in"

[[categories]]
key = "lift"
zh = "电梯故障"
en = "Lift fault"
scope = "in"

[[categories]]
key = "fees"
zh = "物业收费"
zh_tw = "管理費"
en = "Fees"
scope = "in"
"#;
        let c = Config::from_toml(text, "test.toml").expect("valid");
        assert_eq!(c.language, Lang::ZhTw);
        assert_eq!(c.category_name("lift", Lang::ZhTw), "電梯故障");
        assert_eq!(c.category_name("lift", Lang::ZhCn), "电梯故障");
        assert_eq!(c.category_name("fees", Lang::ZhTw), "管理費");
        assert_eq!(c.category_name("fees", Lang::ZhCn), "物业收费");
        // Typed in either script, or by the zh-TW name.
        for typed in ["电梯故障", "電梯故障", "管理費", "物業收費"] {
            assert!(c.policy.find_category(typed).is_some(), "{typed}");
        }
        // Written back as configured: no derived zh_tw.
        let back = c.to_toml().expect("toml");
        assert!(back.contains("zh_tw = \"管理費\""), "{back}");
        assert!(!back.contains("電梯故障"), "{back}");
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
    fn bad_reference_names_the_line_of_the_value() {
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
        assert_eq!(err.get("line"), Some("14"));
        assert_eq!(err.get("key"), Some("categories[1].party"));
        assert!(err.get("detail").unwrap_or("").contains("nobody"));
    }

    #[test]
    fn risk_weights_default_per_key_and_are_ranged() {
        let c = Config::from_toml("[risk]\nreopen = 7\n", "c.toml").expect("valid");
        assert_eq!(c.policy.risk.reopen, 7);
        assert_eq!(c.policy.risk.spread, RiskWeights::default().spread);
        let err = Config::from_toml("[risk]\nspread = 20\nmax_days = 0\n", "c.toml")
            .expect_err("refused");
        assert_eq!(
            (err.key, err.get("key"), err.get("line")),
            ("error.config_range", Some("risk.max_days"), Some("3"))
        );
        let err = Config::from_toml("[risk]\nrepeats = 1\n", "c.toml").expect_err("refused");
        assert_eq!(err.get("line"), Some("2"));
    }

    #[test]
    fn bad_language_and_bad_hours_are_refused() {
        let err = Config::from_toml("language = \"fr\"\n", "c.toml").expect_err("refused");
        assert_eq!(err.get("line"), Some("1"));
        let err = Config::from_toml("\nidle_lock_minutes = 0\n", "c.toml").expect_err("refused");
        assert_eq!(
            (err.key, err.get("file"), err.get("line")),
            ("error.config_range", Some("c.toml"), Some("2"))
        );
        let err = Config::from_toml("language = \"en\"\ntimezone = \"Beijing\"\n", "c.toml")
            .expect_err("refused");
        assert_eq!(
            (err.key, err.get("key"), err.get("line")),
            ("error.config_key", Some("timezone"), Some("2"))
        );
        assert!(
            err.get("detail")
                .is_some_and(|d| d.contains("Asia/Shanghai"))
        );
        let c = Config::from_toml("timezone = \"Asia/Taipei\"\n", "c.toml").expect("a zone");
        assert_eq!(c.policy.timezone.name(), "Asia/Taipei");
        let text = "[business_hours]\nopen = \"18:00\"\nclose = \"09:00\"\nweekdays = [\"mon\"]\n";
        let err = Config::from_toml(text, "c.toml").expect_err("refused");
        assert_eq!(err.key, "error.config_close");
        assert_eq!(err.get("key"), Some("business_hours.close"));
        assert_eq!(err.get("line"), Some("3"));
    }

    /// A valid file setting a value of every kind; each broken variant below changes it.
    const BASE: &str = r#"# A test desk.
preset = "property-management"
language = "en"
idle_lock_minutes = 5
database = "/tmp/desk.db"

[[severities]]
key = "general"
zh = "一般投诉"
en = "General"
first_reply_hours = 4
referral_reply_hours = 8

[[severities]]
key = "serious"
zh = "严重投诉"
en = "Serious"
first_reply_hours = 2
referral_reply_hours = 4

[business_hours]
open = "08:30"
close = "18:00"
weekdays = ["mon", "tue", "wed", "thu", "fri"]
holidays = [
  "2026-10-01",
  "2026-10-02",
]
workdays = ["2026-10-10"]

[[revisit_plans]]
key = "standard"
zh = "标准回访"
en = "Standard follow-up"
severities = ["general", "serious"]
steps = [
  { after_days = 1, business_days = true, role = "agent" },
  { after_days = 7, role = "supervisor" },
]

[[roles]]
key = "agent"
zh = "客服专员"
en = "Front-desk agent"
compensation_limit = 200

[[roles]]
key = "supervisor"
zh = "客服主管"
en = "Supervisor"
compensation_limit = 2000
permissions = ["approve_compensation", "take_over"]

[[roles]]
key = "admin"
zh = "系统管理员"
en = "Administrator"
compensation_limit = 0
permissions = ["manage_agents"]

[follow_up]
retry_hours = 2
failed_attempts_flag = 3
escalate_after_hours = 2
reopen_at_or_below = 2

[[keyword_rules]]
keywords = ["漏水", "leak"]
category = "leak"
severity = "serious"
"#;

    #[test]
    fn every_broken_value_is_named_by_its_own_line() {
        Config::from_toml(BASE, "desk.toml").expect("the base file is valid");
        // (the text in BASE, what it becomes, error, line, key)
        #[rustfmt::skip]
        let cases: &[(&str, &str, &str, usize, &str)] = &[
            ("idle_lock_minutes = 5", "idle_lock_minutes = 0", "error.config_range", 4, "idle_lock_minutes"),
            ("idle_lock_minutes = 5", "idle_lock_minutes = 241", "error.config_range", 4, "idle_lock_minutes"),
            ("idle_lock_minutes = 5", "idle_lock_minutes = -1", "error.config_range", 4, "idle_lock_minutes"),
            ("idle_lock_minutes = 5", "idle_lock_minutes = 40_000_000_000", "error.config_range", 4, "idle_lock_minutes"),
            ("idle_lock_minutes = 5", "idle_lock_minutes = \"five\"", "error.config_syntax", 4, ""),
            ("idle_lock_minutes = 5", "idle_lock_minuts = 5", "error.config_syntax", 4, ""),
            ("language = \"en\"", "language = \"fr\"", "error.config_key", 3, "language"),
            ("database = \"/tmp/desk.db\"", "database = \"\"", "error.config_empty", 5, "database"),
            ("database = \"/tmp/desk.db\"", "database = \" \t \"", "error.config_empty", 5, "database"),
            ("key = \"general\"", "key = \"General\"", "error.config_key", 8, "severities[0].key"),
            ("referral_reply_hours = 8", "referral_reply_hours = 0", "error.config_range", 12, "severities[0].referral_reply_hours"),
            ("first_reply_hours = 4", "first_reply_hours = 4.5", "error.config_syntax", 11, ""),
            ("first_reply_hours = 2", "first_reply_hours = 9000", "error.config_range", 18, "severities[1].first_reply_hours"),
            ("open = \"08:30\"", "open = \"25:00\"", "error.config_syntax", 22, ""),
            ("close = \"18:00\"", "close = \"08:00\"", "error.config_close", 23, "business_hours.close"),
            ("weekdays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]", "weekdays = []", "error.config_key", 24, "business_hours.weekdays"),
            ("\"thu\", \"fri\"]", "\"thu\", \"funday\"]", "error.config_syntax", 24, ""),
            ("\"2026-10-02\"", "\"2026-13-02\"", "error.config_syntax", 27, ""),
            ("severities = [\"general\", \"serious\"]", "severities = [\"general\", \"grave\"]", "error.config_key", 35, "revisit_plans[0].severities[1]"),
            ("{ after_days = 7, role", "{ after_days = 4000, role", "error.config_range", 38, "revisit_plans[0].steps[1].after_days"),
            ("role = \"supervisor\" }", "role = \"nobody\" }", "error.config_key", 38, "revisit_plans[0].steps[1].role"),
            ("{ after_days = 1,", "{ after_days = 1, hours = 2,", "error.config_syntax", 37, ""),
            ("compensation_limit = 200", "compensation_limit = -5", "error.config_range", 45, "roles[0].compensation_limit"),
            ("compensation_limit = 2000\n", "compensation_limit = 2000000\n", "error.config_range", 51, "roles[1].compensation_limit"),
            ("key = \"admin\"", "key = \"agent\"", "error.config_key", 55, "roles[2].key"),
            ("retry_hours = 2", "retry_hours = 8761", "error.config_range", 62, "follow_up.retry_hours"),
            ("retry_hours = 2", "retry_hours = 2\nretry_hours = 3", "error.config_syntax", 63, ""),
            ("retry_hours = 2", "retry_hour = 2", "error.config_syntax", 62, ""),
            ("failed_attempts_flag = 3", "failed_attempts_flag = 0", "error.config_range", 63, "follow_up.failed_attempts_flag"),
            ("escalate_after_hours = 2", "escalate_after_hours = 4000000000", "error.config_range", 64, "follow_up.escalate_after_hours"),
            ("reopen_at_or_below = 2", "reopen_at_or_below = 6", "error.config_range", 65, "follow_up.reopen_at_or_below"),
            ("[\"漏水\", \"leak\"]", "[\"漏水\", \" \"]", "error.config_key", 68, "keyword_rules[0].keywords[1]"),
            ("severity = \"serious\"", "severity = \"grave\"", "error.config_key", 70, "keyword_rules[0].severity"),
            ("database = \"/tmp/desk.db\"\n", "database = \"/tmp/desk.db\"\nparties = []\n", "error.config_key", 6, "parties"),
            ("[follow_up]", "[follow_up]\n[follow_up]", "error.config_syntax", 62, ""),
            // A missing key: the line of its entry.
            ("severity = \"serious\"\n", "severity = \"serious\"\n\n[[categories]]\nkey = \"leak\"\nzh = \"漏水\"\nen = \"Leak\"\nscope = \"out\"\n", "error.config_key", 72, "categories[0].party"),
        ];
        for &(from, to, key, line, path) in cases {
            assert!(BASE.contains(from), "{from}");
            let text = BASE.replacen(from, to, 1);
            let err = Config::from_toml(&text, "desk.toml").expect_err(to);
            let shown = Catalog::english().render(&err);
            assert_eq!(err.key, key, "{to}: {shown}");
            assert_eq!(err.get("file"), Some("desk.toml"), "{to}: {shown}");
            assert_eq!(
                err.get("line"),
                Some(line.to_string().as_str()),
                "{to}: {shown}"
            );
            if !path.is_empty() {
                assert_eq!(err.get("key"), Some(path), "{to}: {shown}");
            }
            for lang in Lang::ALL {
                let shown = Catalog::get(lang).render(&err);
                let holes = ["{file}", "{line}", "{key}", "{detail}", "{value}", "{min}"];
                assert!(holes.iter().all(|h| !shown.contains(h)), "{shown}");
                assert!(shown.contains(&line.to_string()), "{shown}");
            }
        }
        // A range error says the range, in both languages.
        let text = BASE.replacen(
            "escalate_after_hours = 2",
            "escalate_after_hours = 4000000000",
            1,
        );
        let err = Config::from_toml(&text, "desk.toml").expect_err("refused");
        assert_eq!(
            Catalog::english().render(&err),
            "config desk.toml, line 64, key follow_up.escalate_after_hours: 4000000000 is out \
             of range; allowed 1 to 8760"
        );
        assert_eq!(
            Catalog::get(Lang::ZhCn).render(&err),
            "配置文件 desk.toml 第 64 行，键 follow_up.escalate_after_hours：4000000000 超出范围，\
             允许 1 至 8760"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_named_by_line_column_and_offset() {
        let mut bytes = BASE.as_bytes().to_vec();
        let line7 = BASE.lines().take(6).map(|l| l.len() + 1).sum::<usize>();
        assert!(BASE[line7..].starts_with("[[severities]]"));
        bytes.insert(line7 + 7, 0xff);
        let err = utf8(bytes, "desk.toml").expect_err("refused");
        assert_eq!(err.key, "error.config_encoding");
        assert_eq!(err.get("line"), Some("7"));
        assert_eq!(err.get("column"), Some("8"));
        assert_eq!(err.get("offset"), Some((line7 + 7).to_string().as_str()));
        // The column counts characters, not bytes.
        let err = utf8(
            b"a = 1\nzh = \"\xe6\xbc\x8f\xe6\xb0\xb4\xc3\"\n".to_vec(),
            "x",
        )
        .expect_err("refused");
        assert_eq!(
            (err.get("line"), err.get("column"), err.get("offset")),
            (Some("2"), Some("9"), Some("18"))
        );
        assert_eq!(utf8(BASE.as_bytes().to_vec(), "x"), Ok(BASE.to_string()));
    }

    #[test]
    fn a_preset_value_is_named_in_the_preset() {
        // Replacing the categories leaves the preset's keyword rules dangling: the line is
        // the preset's, of the rule's category.
        let text = "[[categories]]\nkey = \"leak\"\nzh = \"漏水\"\nen = \"Leak\"\nscope = \"in\"\n";
        let err = Config::from_toml(text, "c.toml").expect_err("refused");
        let source = Preset::PropertyManagement.source();
        let line = source
            .lines()
            .position(|l| l == "category = \"wall-crack\"")
            .expect("the rule")
            + 1;
        assert_eq!(
            err.get("file"),
            Some("preset property-management (built in)")
        );
        assert_eq!(err.get("key"), Some("keyword_rules[0].category"));
        assert_eq!(err.get("line"), Some(line.to_string().as_str()));
    }

    #[test]
    fn every_number_has_a_range() {
        // Every integer of the effective configuration (both presets, every section
        // written out) has its entry in LIMITS; the presets and the example are inside.
        fn numbers(value: &toml::Value, path: String, out: &mut Vec<String>) {
            match value {
                toml::Value::Integer(_) | toml::Value::Float(_) => out.push(path),
                toml::Value::Array(items) => {
                    for item in items {
                        numbers(item, format!("{path}[]"), out);
                    }
                }
                toml::Value::Table(table) => {
                    for (k, v) in table {
                        let path = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        numbers(v, path, out);
                    }
                }
                _ => {}
            }
        }
        for preset in Preset::ALL {
            let text = Config::preset(preset)
                .expect("preset")
                .to_toml()
                .expect("toml");
            let value: toml::Value = toml::from_str(&text).expect("toml");
            let mut found = Vec::new();
            numbers(&value, String::new(), &mut found);
            assert!(found.len() >= 8, "{found:?}");
            for path in found {
                assert!(
                    LIMITS.iter().any(|(key, _)| *key == path),
                    "{path} has no range in LIMITS"
                );
            }
        }
        let example = include_str!("../config.example.toml");
        Config::from_toml(example, "config.example.toml").expect("example valid");
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
    fn the_pest_control_preset_has_its_own_words_in_every_language() {
        let pest = Config::preset(Preset::PestControl).expect("preset");
        let words = |lang| pest.catalog(lang).text("scope.in").to_string();
        assert_eq!(words(Lang::ZhCn), "本公司责任");
        assert_eq!(words(Lang::ZhTw), "本公司責任");
        assert_eq!(words(Lang::En), "Our responsibility");
        assert_eq!(pest.catalog(Lang::ZhCn).text("label.site"), "客户单位");
        // Every other message is the shipped one; the property preset keeps the catalog's.
        let zh = Catalog::get(Lang::ZhCn);
        assert_eq!(
            pest.catalog(Lang::ZhCn).text("label.phone"),
            zh.text("label.phone")
        );
        let property = Config::preset(Preset::PropertyManagement).expect("preset");
        assert!(property.wording.is_empty());
        assert!(std::ptr::eq(property.catalog(Lang::ZhCn), zh));
        // Made once: the same words loaded again are the same catalogs.
        let again = Config::preset(Preset::PestControl).expect("preset");
        assert!(std::ptr::eq(
            again.catalog(Lang::En),
            pest.catalog(Lang::En)
        ));
    }

    #[test]
    fn a_file_rewords_one_term_and_keeps_the_presets_others() {
        let text = "preset = \"pest-control\"\n\n[wording]\n\
                    \"label.site\" = { zh = \"门店\", en = \"Store\" }\n";
        let c = Config::from_toml(text, "c.toml").expect("valid");
        let site = |lang| c.catalog(lang).text("label.site").to_string();
        assert_eq!(site(Lang::ZhCn), "门店");
        assert_eq!(site(Lang::ZhTw), "門店", "zh converted when no zh_tw");
        assert_eq!(site(Lang::En), "Store");
        assert_eq!(c.catalog(Lang::ZhCn).text("scope.in"), "本公司责任");
        // On the property preset, the catalog's words for the rest.
        let text = "[wording]\n\"label.location\" = { zh = \"地址\", zh_tw = \"住址\", en = \"Address\" }\n";
        let c = Config::from_toml(text, "c.toml").expect("valid");
        assert_eq!(c.catalog(Lang::ZhTw).text("label.location"), "住址");
        assert_eq!(
            c.catalog(Lang::ZhCn).text("scope.in"),
            "物业纠纷（本方责任）"
        );
        let back = Config::from_toml(&c.to_toml().expect("toml"), "back.toml").expect("valid");
        assert_eq!(back, c, "written back and read again");
    }

    #[test]
    fn rewording_a_key_off_the_list_is_refused_with_its_line() {
        // (the entry, what the detail says)
        let cases = [
            (
                "\"label.nothing\" = { zh = \"无\", en = \"None\" }",
                "is no message",
            ),
            (
                "\"error.explain_first\" = { zh = \"随便\", en = \"Whatever\" }",
                "not a desk-dependent term",
            ),
            (
                "\"audit.content\" = { zh = \"没事\", en = \"Fine\" }",
                "not a desk-dependent",
            ),
            (
                "\"label.site\" = { zh = \" \", en = \"Site\" }",
                "may not be empty",
            ),
            (
                "\"label.site\" = { zh = \"门店\", zh_tw = \"\", en = \"Site\" }",
                "may not be empty",
            ),
        ];
        for (entry, says) in cases {
            let text = format!(
                "preset = \"pest-control\"\n\n[wording]\n\"scope.in\" = {{ zh = \"本方\", en = \"Ours\" }}\n{entry}\n"
            );
            let err = Config::from_toml(&text, "desk.toml").expect_err(entry);
            let key = entry.split('"').nth(1).expect("a key");
            assert_eq!(err.key, "error.config_key", "{entry}");
            assert_eq!(err.get("file"), Some("desk.toml"), "{entry}");
            assert_eq!(err.get("line"), Some("5"), "{entry}");
            assert_eq!(err.get("key"), Some(format!("wording.\"{key}\"").as_str()));
            let detail = err.get("detail").unwrap_or("");
            assert!(detail.contains(says), "{entry}: {detail}");
        }
        let text =
            "[wording]\n\"label.site\" = { zh = \"门店\", en = \"Store\", fr = \"Magasin\" }\n";
        let err = Config::from_toml(text, "desk.toml").expect_err("an unknown language");
        assert_eq!(
            (err.key, err.get("line")),
            ("error.config_syntax", Some("2"))
        );
    }

    #[test]
    fn the_example_lists_every_term_that_may_be_reworded() {
        let example = include_str!("../config.example.toml");
        let listed = example
            .split("# --- Wording")
            .nth(1)
            .expect("the wording section");
        for key in WORDING_KEYS {
            assert!(listed.contains(&format!("\"{key}\"")), "{key} not listed");
        }
    }

    #[test]
    fn effective_config_round_trips_through_toml() {
        for preset in Preset::ALL {
            let c = Config::preset(preset).expect("preset");
            let text = c.to_toml().expect("toml");
            let again = Config::from_toml(&text, "round.toml").expect("valid again");
            assert_eq!(c, again, "{preset:?}");
        }
    }
}
