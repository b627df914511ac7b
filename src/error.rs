//! The one error type of the core: a catalog key plus named arguments, so every front end
//! can show it in the agent's language (`i18n::Catalog::render`).

use std::fmt;

/// A user-facing failure: what went wrong, as a message key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Catalog key, e.g. `error.unknown_category`.
    pub key: &'static str,
    /// Named values substituted into the message (`{name}` placeholders).
    pub args: Vec<(&'static str, String)>,
}

/// Result with the core's error.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with no arguments yet.
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a named argument.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The value of a named argument, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A storage failure on `path`.
    pub fn storage(path: &std::path::Path, err: impl fmt::Display) -> Self {
        Self::new("error.storage")
            .arg("path", path.display())
            .arg("detail", err)
    }

    /// An I/O failure on `path`.
    pub fn io(path: &std::path::Path, err: impl fmt::Display) -> Self {
        Self::new("error.io")
            .arg("path", path.display())
            .arg("detail", err)
    }
}

/// A SQLite failure inside a transaction; [`crate::store::Store::write`] adds the path.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::new("error.storage").arg("detail", e)
    }
}

/// A statement's failure inside a transaction (either engine); the store adds where.
impl From<crate::store::sql::Error> for Error {
    fn from(e: crate::store::sql::Error) -> Self {
        Self::new("error.storage").arg("detail", e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::Catalog::english().render(self))
    }
}

impl std::error::Error for Error {}
