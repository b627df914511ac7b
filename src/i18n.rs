//! Message catalogs (`assets/locales/*.toml`): every user-facing string, keyed.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    /// English.
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    /// Every supported language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The tag used in config and on the command line.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Parses a tag (`en`, `zh-CN`; case-insensitive, `zh`/`zh_CN` accepted).
    pub fn parse(tag: &str) -> Option<Lang> {
        match tag.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../assets/locales/en.toml"),
            Lang::ZhCn => include_str!("../assets/locales/zh-CN.toml"),
        }
    }
}

/// One language's messages, flattened to dotted keys.
#[derive(Debug)]
pub struct Catalog {
    lang: Lang,
    messages: HashMap<String, String>,
}

static CATALOGS: [OnceLock<Catalog>; 2] = [OnceLock::new(), OnceLock::new()];

impl Catalog {
    /// The catalog of `lang`, parsed once per process.
    pub fn get(lang: Lang) -> &'static Catalog {
        let slot = match lang {
            Lang::En => &CATALOGS[0],
            Lang::ZhCn => &CATALOGS[1],
        };
        slot.get_or_init(|| Catalog::parse(lang))
    }

    /// The English catalog (used for logs and `Display`).
    pub fn english() -> &'static Catalog {
        Self::get(Lang::En)
    }

    fn parse(lang: Lang) -> Catalog {
        let mut messages = HashMap::new();
        // The catalogs are compiled in and checked by tests; a broken one yields an empty
        // catalog (keys then show as themselves) rather than a crash.
        if let Ok(table) = lang.source().parse::<toml::Table>() {
            flatten("", &table, &mut messages);
        }
        Catalog { lang, messages }
    }

    /// The language of this catalog.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Every key of this catalog.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    /// The message for `key`; the key itself when missing (tests keep that from shipping).
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message for `key`, or `fallback` when the catalog has none (a stored name shown
    /// as it is).
    pub fn text_or<'a>(&'a self, key: &str, fallback: &'a str) -> &'a str {
        self.messages.get(key).map_or(fallback, String::as_str)
    }

    /// The message for `key` with `{name}` placeholders filled from `args`.
    pub fn format(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut out = self.text(key).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// An error in this language.
    pub fn render(&self, err: &Error) -> String {
        // A field name is itself translated (`field.phone` → "联系电话").
        let args: Vec<(&str, String)> = err
            .args
            .iter()
            .map(|(n, v)| {
                let section = match *n {
                    "field" => "field",
                    "move" => "move",
                    "stage" => "stage",
                    "what" => "event",
                    "permission" => "permission",
                    "allowed" => {
                        let names: Vec<&str> = v
                            .split(", ")
                            .map(|m| self.text_or(&format!("move.{m}"), m))
                            .collect();
                        return (*n, names.join(self.text("label.list_separator")));
                    }
                    "hint" => return (*n, self.text(v).to_string()),
                    // What is damaged (`damage.…`), filled by the arguments after it.
                    "problem" => return ("detail", self.text(v).to_string()),
                    _ => return (*n, v.clone()),
                };
                (*n, self.text_or(&format!("{section}.{v}"), v).to_string())
            })
            .collect();
        self.format(err.key, &args)
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => flatten(&full, t, out),
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            other => {
                out.insert(full, other.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        let en: BTreeSet<&str> = Catalog::get(Lang::En).keys().collect();
        let zh: BTreeSet<&str> = Catalog::get(Lang::ZhCn).keys().collect();
        assert!(en.len() > 50, "English catalog looks empty: {}", en.len());
        let missing_zh: Vec<_> = en.difference(&zh).collect();
        let missing_en: Vec<_> = zh.difference(&en).collect();
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
    }

    #[test]
    fn placeholders_match_between_languages() {
        let en = Catalog::get(Lang::En);
        let zh = Catalog::get(Lang::ZhCn);
        for key in en.keys() {
            let names = |s: &str| -> BTreeSet<String> {
                s.split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                    .collect()
            };
            assert_eq!(
                names(en.text(key)),
                names(zh.text(key)),
                "placeholders differ for {key}"
            );
        }
    }

    /// Every catalog key written in the source (`"error.…"`, `"label.…"`, …) exists.
    #[test]
    fn every_key_used_in_source_exists() {
        let en = Catalog::get(Lang::En);
        let sections: BTreeSet<&str> = en.keys().filter_map(|k| k.split('.').next()).collect();
        let mut used = BTreeSet::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read source");
                    for literal in text.split('"').skip(1).step_by(2) {
                        let mut parts = literal.split('.');
                        let head = parts.next().unwrap_or("");
                        let is_key = sections.contains(head)
                            && literal.contains('.')
                            && literal.chars().all(|c| {
                                c.is_ascii_lowercase()
                                    || c.is_ascii_digit()
                                    || c == '_'
                                    || c == '.'
                                    || c == '-'
                            })
                            && !literal.ends_with('.');
                        if is_key {
                            used.insert((literal.to_string(), path.display().to_string()));
                        }
                    }
                }
            }
        }
        assert!(
            used.len() > 20,
            "found too few keys in source: {}",
            used.len()
        );
        for lang in Lang::ALL {
            let cat = Catalog::get(lang);
            let missing: Vec<_> = used
                .iter()
                .filter(|(k, _)| cat.keys().all(|have| have != k))
                .collect();
            assert!(
                missing.is_empty(),
                "keys missing in {}: {missing:?}",
                lang.tag()
            );
        }
    }

    #[test]
    fn lang_tags_parse() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh_cn"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn format_fills_placeholders() {
        let err = Error::new("error.unknown_category")
            .arg("value", "漏水x")
            .arg("known", "leak/漏水");
        let zh = Catalog::get(Lang::ZhCn).render(&err);
        assert!(zh.contains("漏水x") && zh.contains("leak/漏水"), "{zh}");
    }
}
