//! What a person types for a key: the key itself or the value's name in any interface
//! language. The one rule every front end reads such text by (`--to 开发商`, `--severity 紧急`).

use crate::domain::search::fold;
use crate::error::{Error, Result};

/// A value that may be named: its key, its name as the reader's interface shows it, and
/// every name it goes by (one per interface language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The stable key.
    pub key: String,
    /// The name in the reader's language (for listings).
    pub shown: String,
    /// Every name it goes by.
    pub names: Vec<String>,
}

impl Choice {
    /// Whether `typed` (already [`folded`]) is this value's key or one of its names.
    fn is(&self, typed: &str) -> bool {
        folded(&self.key) == typed || self.names.iter().any(|n| folded(n) == typed)
    }

    /// `key/name` for listings (the key alone when the name is just the key, spaced).
    fn label(&self) -> String {
        let spaced = |s: &str| folded(s).replace(['-', '_'], " ");
        if self.shown.trim().is_empty() || spaced(&self.shown) == spaced(&self.key) {
            self.key.clone()
        } else {
            format!("{}/{}", self.key, self.shown)
        }
    }
}

/// `text` as names are compared: trimmed, English case-insensitive, full-width and
/// Traditional characters as their half-width and Simplified forms.
pub fn folded(text: &str) -> String {
    fold(text.trim())
}

/// Whether `typed` is `name` by the rule of [`resolve`].
pub fn same(typed: &str, name: &str) -> bool {
    folded(typed) == folded(name)
}

/// The key of the one choice `text` names. Unknown text is refused listing every key with
/// its name; text that names two values is refused naming both. `field` names the option in
/// the error (`field.…` of the catalogs).
pub fn resolve<'c>(field: &'static str, text: &str, choices: &'c [Choice]) -> Result<&'c str> {
    let typed = folded(text);
    let mut found = choices.iter().filter(|c| c.is(&typed));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(&one.key),
        (Some(a), Some(b)) => Err(Error::new("error.ambiguous_name")
            .arg("field", field)
            .arg("value", text.trim())
            .arg("first", a.label())
            .arg("second", b.label())),
        (None, _) => Err(Error::new("error.unknown_key")
            .arg("field", field)
            .arg("value", text.trim())
            .arg("known", listing(choices))),
    }
}

/// `key/name, …` of every choice.
pub fn listing(choices: &[Choice]) -> String {
    choices
        .iter()
        .map(Choice::label)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(key: &str, names: [&str; 3]) -> Choice {
        Choice {
            key: key.into(),
            shown: names[1].into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn parties() -> Vec<Choice> {
        vec![
            choice("developer", ["Developer", "开发商", "建商"]),
            choice("utility", ["Utility", "供水供电供气单位", "水電瓦斯公司"]),
        ]
    }

    #[test]
    fn a_key_or_a_name_in_any_language_resolves() {
        let p = parties();
        for typed in [
            "developer",
            " Developer ",
            "DEVELOPER",
            "开发商",
            "建商",
            "開發商",
        ] {
            assert_eq!(resolve("party", typed, &p), Ok("developer"), "{typed}");
        }
        assert_eq!(resolve("party", "水電瓦斯公司", &p), Ok("utility"));
    }

    #[test]
    fn unknown_text_lists_keys_and_names() {
        let err = resolve("party", "开发", &parties()).expect_err("unknown");
        assert_eq!(err.key, "error.unknown_key");
        assert_eq!(err.get("field"), Some("party"));
        assert_eq!(
            err.get("known"),
            Some("developer/开发商, utility/供水供电供气单位")
        );
    }

    #[test]
    fn a_name_of_two_values_is_refused_naming_both() {
        let mut p = parties();
        p.push(choice("builder", ["Builder", "建商", "建商"]));
        let err = resolve("party", "建商", &p).expect_err("ambiguous");
        assert_eq!(err.key, "error.ambiguous_name");
        assert_eq!(err.get("first"), Some("developer/开发商"));
        assert_eq!(err.get("second"), Some("builder/建商"));
    }
}
