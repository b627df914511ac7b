//! Message catalogs (`assets/locales/*.toml`): every user-facing string, keyed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};

use crate::domain::names::Choice;
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
    /// Traditional Chinese in Taiwan usage (a catalog of its own, not a conversion).
    #[serde(rename = "zh-TW")]
    ZhTw,
}

impl Lang {
    /// Every supported language.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::ZhCn, Lang::ZhTw];

    /// The tag used in config and on the command line.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
            Lang::ZhTw => "zh-TW",
        }
    }

    /// Parses a tag (`en`, `zh-CN`, `zh-TW`; case-insensitive, `_` for `-`; `zh` and
    /// `zh-Hans` mean zh-CN, `zh-Hant`, `zh-HK` and `zh-MO` mean zh-TW, the nearest catalog).
    pub fn parse(tag: &str) -> Option<Lang> {
        match tag.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" | "zh-sg" | "zh-hans-cn" => Some(Lang::ZhCn),
            "zh-tw" | "zh-hant" | "zh-hant-tw" | "zh-hk" | "zh-mo" => Some(Lang::ZhTw),
            _ => None,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../assets/locales/en.toml"),
            Lang::ZhCn => include_str!("../assets/locales/zh-CN.toml"),
            Lang::ZhTw => include_str!("../assets/locales/zh-TW.toml"),
        }
    }
}

/// A configured Chinese name (written in Simplified) for a zh-TW screen: OpenCC's
/// Simplified → Taiwan table with Taiwan phrases. Only for names from configuration;
/// catalog text is written for Taiwan, never converted.
pub fn taiwan_name(zh: &str) -> String {
    hanconv::s2twp(zh)
}

/// A configured name in `lang`: `en`, `zh`, or for zh-TW `zh_tw` when configured, else `zh`
/// converted.
pub fn name_in<'a>(lang: Lang, zh: &'a str, zh_tw: Option<&'a str>, en: &'a str) -> Cow<'a, str> {
    match (lang, zh_tw) {
        (Lang::En, _) => Cow::Borrowed(en),
        (Lang::ZhCn, _) => Cow::Borrowed(zh),
        (Lang::ZhTw, Some(tw)) => Cow::Borrowed(tw),
        (Lang::ZhTw, None) => Cow::Owned(taiwan_name(zh)),
    }
}

/// The catalog keys whose words depend on the kind of desk, which a preset or config file
/// may reword (`[wording]`); every other message (errors, warnings, help) is fixed.
pub const WORDING_KEYS: [&str; 12] = [
    "scope.in",
    "scope.out",
    "field.name",
    "label.name",
    "field.location",
    "label.location",
    "label.site",
    "field.site",
    "tui.repeats_none",
    "tui.repeats_hint",
    "tui.amount_hint",
    "tui.filter_location_hint",
];

/// Chinese text from configuration (a keyword, a name) as shown in `lang`: converted for
/// zh-TW, as written otherwise.
pub fn configured(zh: &str, lang: Lang) -> Cow<'_, str> {
    match lang {
        Lang::ZhTw => Cow::Owned(taiwan_name(zh)),
        Lang::En | Lang::ZhCn => Cow::Borrowed(zh),
    }
}

/// One language's messages, flattened to dotted keys.
#[derive(Debug)]
pub struct Catalog {
    lang: Lang,
    messages: HashMap<String, String>,
}

static CATALOGS: [OnceLock<Catalog>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];

impl Catalog {
    /// The catalog of `lang`, parsed once per process.
    pub fn get(lang: Lang) -> &'static Catalog {
        let slot = match lang {
            Lang::En => &CATALOGS[0],
            Lang::ZhCn => &CATALOGS[1],
            Lang::ZhTw => &CATALOGS[2],
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
                    "moment" => "moment",
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

/// The catalogs of every language as one desk words them: the shipped messages with the
/// desk's overrides of [`WORDING_KEYS`] on top.
#[derive(Clone, Copy)]
pub struct Catalogs([&'static Catalog; 3]);

impl std::fmt::Debug for Catalogs {
    /// Whether each language's catalog is reworded, not its thousand messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_map();
        for lang in Lang::ALL {
            let shipped = std::ptr::eq(self.get(lang), Catalog::get(lang));
            list.entry(&lang.tag(), &if shipped { "shipped" } else { "reworded" });
        }
        list.finish()
    }
}

/// The reworded catalogs made so far, by language and overrides: each is made once per
/// process, however often a config is loaded.
type Worded = Vec<(Lang, Vec<(String, String)>, &'static Catalog)>;
static WORDED: Mutex<Worded> = Mutex::new(Vec::new());

impl Catalogs {
    /// The shipped catalogs, nothing reworded.
    pub fn shipped() -> Catalogs {
        Catalogs(Lang::ALL.map(Catalog::get))
    }

    /// The catalogs with `overrides(lang)` (key, text) replacing the shipped messages.
    pub fn worded(overrides: impl Fn(Lang) -> Vec<(String, String)>) -> Catalogs {
        Catalogs(Lang::ALL.map(|lang| reworded(lang, overrides(lang))))
    }

    /// The catalog of `lang`.
    pub fn get(&self, lang: Lang) -> &'static Catalog {
        let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        self.0[i]
    }

    /// The values `keys` of catalog section `section` as choices: named in every catalog,
    /// shown in `lang` (`channel`, `scope`, `external`, …).
    pub fn choices(&self, section: &str, keys: &[&str], lang: Lang) -> Vec<Choice> {
        let name = |l: Lang, key: &str| {
            self.get(l)
                .text_or(&format!("{section}.{key}"), key)
                .to_string()
        };
        keys.iter()
            .map(|key| Choice {
                key: key.to_string(),
                shown: name(lang, key),
                names: Lang::ALL.iter().map(|l| name(*l, key)).collect(),
            })
            .collect()
    }
}

impl PartialEq for Catalogs {
    /// Made once per wording, so the same wording is the same catalogs.
    fn eq(&self, other: &Catalogs) -> bool {
        self.0.iter().zip(other.0).all(|(a, b)| std::ptr::eq(*a, b))
    }
}

/// The catalog of `lang` with `overrides`, made (and kept for the process) at its first use.
fn reworded(lang: Lang, mut overrides: Vec<(String, String)>) -> &'static Catalog {
    if overrides.is_empty() {
        return Catalog::get(lang);
    }
    overrides.sort();
    let mut made = WORDED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((.., catalog)) = made.iter().find(|(l, o, _)| *l == lang && *o == overrides) {
        return catalog;
    }
    let mut messages = Catalog::get(lang).messages.clone();
    messages.extend(overrides.iter().cloned());
    let catalog: &'static Catalog = Box::leak(Box::new(Catalog { lang, messages }));
    made.push((lang, overrides, catalog));
    catalog
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

    /// Every key of every catalog is in all the others.
    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        for a in Lang::ALL {
            let have: BTreeSet<&str> = Catalog::get(a).keys().collect();
            assert!(
                have.len() > 50,
                "{} catalog looks empty: {}",
                a.tag(),
                have.len()
            );
            for b in Lang::ALL {
                let other: BTreeSet<&str> = Catalog::get(b).keys().collect();
                let missing: Vec<_> = have.difference(&other).collect();
                assert!(missing.is_empty(), "missing in {}: {missing:?}", b.tag());
            }
        }
    }

    /// Each message has the same placeholders in every language.
    #[test]
    fn placeholders_match_between_languages() {
        let names = |s: &str| -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect()
        };
        let en = Catalog::get(Lang::En);
        for lang in Lang::ALL {
            let cat = Catalog::get(lang);
            for key in en.keys() {
                assert_eq!(
                    names(en.text(key)),
                    names(cat.text(key)),
                    "placeholders differ for {key} in {}",
                    lang.tag()
                );
            }
        }
    }

    /// Display width, East Asian wide characters counting 2.
    fn width(s: &str) -> usize {
        unicode_width::UnicodeWidthStr::width(s)
    }

    /// Strings fitted to columns (footer hints, column labels, view names) are no wider in
    /// zh-TW than in zh-CN, and carry no ambiguous-width symbol.
    #[test]
    fn zh_tw_fits_where_zh_cn_fits() {
        let cn = Catalog::get(Lang::ZhCn);
        let tw = Catalog::get(Lang::ZhTw);
        let fitted = |k: &str| match k.split_once('.') {
            Some(("keys" | "label", _)) => true,
            Some(("tui", name)) => matches!(name.split('_').next(), Some("view" | "col" | "pane")),
            _ => false,
        };
        for key in cn.keys().filter(|k| fitted(k)) {
            let (c, t) = (cn.text(key), tw.text(key));
            assert!(width(t) <= width(c), "{key}: {t:?} is wider than {c:?}");
            assert!(
                !t.chars().any(|ch| "“”‘’…·①■".contains(ch)),
                "{key}: ambiguous-width symbol in {t:?}"
            );
        }
    }

    /// The zh-TW catalog is Traditional and uses Taiwan terms, not mainland ones.
    #[test]
    fn zh_tw_is_traditional_and_taiwan_usage() {
        // Characters OpenCC maps to something else in Traditional are Simplified-only.
        let simplified: HashMap<&str, Vec<&str>> =
            hanconv::RawDictionary::STCharacters.var_iter().collect();
        let mainland = [
            "数据库",
            "數據庫",
            "设置",
            "設置",
            "搜索",
            "文件",
            "信息",
            "默認",
            "登錄",
            "賬號",
            "導出",
            "導入",
            "有害生物",
            "小區",
            "網絡",
            "屏幕",
            "打開",
            "保存",
            "視頻",
            "短信",
            "坐席",
            "審批",
            "刷新",
            "用戶",
        ];
        let tw = Catalog::get(Lang::ZhTw);
        for key in tw.keys() {
            let text = tw.text(key);
            for ch in text.chars() {
                let mut buf = [0u8; 4];
                let c = ch.encode_utf8(&mut buf);
                if let Some(t) = simplified.get(&*c) {
                    assert!(
                        t.contains(&&*c),
                        "{key}: Simplified {c} (Traditional {t:?}) in {text:?}"
                    );
                }
            }
            for word in mainland {
                assert!(
                    !text.contains(word),
                    "{key}: mainland term {word} in {text:?}"
                );
            }
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

    /// The terms a desk may reword are messages of every catalog, with no placeholder a
    /// desk's words could leave out.
    #[test]
    fn the_terms_a_desk_may_reword_are_plain_messages() {
        for lang in Lang::ALL {
            let catalog = Catalog::get(lang);
            for key in WORDING_KEYS {
                assert!(catalog.keys().any(|k| k == key), "{key} in {}", lang.tag());
                assert!(!catalog.text(key).contains('{'), "{key} has a placeholder");
            }
        }
    }

    #[test]
    fn reworded_catalogs_replace_only_their_terms() {
        let catalogs = Catalogs::worded(|lang| {
            vec![("label.site".to_string(), format!("site in {}", lang.tag()))]
        });
        assert_eq!(catalogs.get(Lang::En).text("label.site"), "site in en");
        assert_eq!(catalogs.get(Lang::ZhTw).text("label.site"), "site in zh-TW");
        assert_eq!(catalogs.get(Lang::En).lang(), Lang::En);
        let shipped = Catalog::get(Lang::En);
        assert_eq!(
            catalogs.get(Lang::En).text("label.phone"),
            shipped.text("label.phone")
        );
        assert_eq!(shipped.text("label.site"), "Estate");
        let scope = Catalogs::worded(|_| vec![("scope.in".into(), "Ours".into())]);
        let choices = scope.choices("scope", &["in", "out"], Lang::ZhCn);
        assert_eq!(choices[0].shown, "Ours");
        assert_eq!(choices[1].shown, Catalog::get(Lang::ZhCn).text("scope.out"));
        assert_eq!(Catalogs::shipped(), Catalogs::worded(|_| Vec::new()));
        let shown = format!("{scope:?}");
        assert!(
            shown.contains("\"en\": \"reworded\"") && shown.len() < 80,
            "{shown}"
        );
    }

    #[test]
    fn lang_tags_parse() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh_cn"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("zh-TW"), Some(Lang::ZhTw));
        assert_eq!(Lang::parse("zh_TW"), Some(Lang::ZhTw));
        assert_eq!(Lang::parse("zh-Hant"), Some(Lang::ZhTw));
        assert_eq!(Lang::parse("zh-HK"), Some(Lang::ZhTw));
        assert_eq!(Lang::parse("fr"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.tag()), Some(lang));
        }
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
