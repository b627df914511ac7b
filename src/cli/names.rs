//! Option values by key or by name: a clap value parser over the core's one rule
//! ([`crate::domain::names`]), for the fixed values the catalogs name (channels, scopes,
//! stages, queues, …). Configured values (parties, severities, …) are resolved by the
//! commands, once the configuration is loaded.

use std::ffi::OsStr;
use std::sync::OnceLock;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Arg, Command, ValueEnum};

use crate::domain::names;
use crate::error::Error;
use crate::i18n::{Catalogs, Lang};

/// A refused value as clap reports it (a usage error): the core's message in `lang`.
fn refusal(lang: Lang, err: &Error) -> clap::Error {
    let msg = interface_catalogs().get(lang).render(err);
    clap::Error::raw(ErrorKind::InvalidValue, format!("{msg}\n"))
}

/// The interface language and the desk's words, known before the arguments are parsed (see
/// `super::help`).
static INTERFACE: OnceLock<(Lang, Catalogs)> = OnceLock::new();

/// Sets the language the command line speaks and the desk's catalogs (its words) for the
/// rest of the process (first call wins).
pub fn set_interface(lang: Lang, catalogs: Catalogs) {
    let _ = INTERFACE.set((lang, catalogs));
}

/// The language the command line speaks (English until set).
pub fn interface() -> Lang {
    INTERFACE.get().map_or(Lang::En, |(lang, _)| *lang)
}

/// The desk's catalogs, its words in every language (the shipped ones until set).
pub fn interface_catalogs() -> Catalogs {
    INTERFACE.get().map_or_else(Catalogs::shipped, |(_, c)| *c)
}

/// Parses a value by its key or its name (catalog section `section`) in any language.
#[derive(Clone)]
pub struct ByName<T> {
    section: &'static str,
    field: &'static str,
    values: fn() -> Vec<PossibleValue>,
    from_key: fn(&str) -> Option<T>,
}

/// A [`ByName`] parser for a clap value enum named in catalog section `section`.
pub fn by_name<E: ValueEnum + Clone + Send + Sync + 'static>(
    section: &'static str,
    field: &'static str,
) -> ByName<E> {
    ByName {
        section,
        field,
        values: || {
            E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value)
                .collect()
        },
        from_key: |key| E::from_str(key, false).ok(),
    }
}

impl<T> ByName<T> {
    /// A parser over `values`, turned into `T` by `from_key`.
    pub fn new(
        section: &'static str,
        field: &'static str,
        values: fn() -> Vec<PossibleValue>,
        from_key: fn(&str) -> Option<T>,
    ) -> Self {
        ByName {
            section,
            field,
            values,
            from_key,
        }
    }

    fn keys(&self) -> Vec<String> {
        (self.values)()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect()
    }
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for ByName<T> {
    type Value = T;

    fn parse_ref(&self, _: &Command, _: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let lang = interface();
        let keys = self.keys();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let choices = interface_catalogs().choices(self.section, &keys, lang);
        let text = value.to_string_lossy();
        let key = names::resolve(self.field, &text, &choices).map_err(|e| refusal(lang, &e))?;
        (self.from_key)(key).ok_or_else(|| {
            let e = Error::new("error.internal").arg("detail", format!("no value for {key}"));
            refusal(lang, &e)
        })
    }

    /// The keys, each with its name in the interface language (shown by `--help`).
    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let catalog = interface_catalogs().get(interface());
        let values = (self.values)().into_iter().map(move |v| {
            let name = catalog
                .text_or(&format!("{}.{}", self.section, v.get_name()), "")
                .to_string();
            v.help(name)
        });
        Some(Box::new(values))
    }
}
