//! Chinese search: how text is folded, cut into the words the index stores, and matched.
//!
//! Every character is folded on its own ([`fold_char`]: Traditional → Simplified, full-width
//! → half-width, ASCII lowercase), so folded text has as many characters as the original and
//! substring tests are exact. The index holds, per complaint and without positions, every
//! folded character (unigram), every pair of neighbouring characters within a field (bigram)
//! and every three within a run of ASCII digits and punctuation (trigram), each written as
//! the lowercase hex of its UTF-8: opaque ASCII words that any stock tokenizer splits on
//! spaces, that no user text can turn into query syntax, and whose kind their UTF-8 tells.
//! A one-character query is one unigram and a two-character one one bigram: the index answers
//! them exactly. A longer query needs all its bigrams (or, when it is all digits and
//! punctuation, its trigrams: ten digits make too few pairs for a pair to be selective), and
//! each complaint holding them all is checked by [`holds`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};

use crate::domain::complaint::{Channel, Complaint, Scope, halfwidth};
use crate::domain::handling::Handling;
use crate::domain::stage::Stage;
use crate::error::{Error, Result};

/// Longest query, in characters (a longer paste is refused, not cut).
pub const MAX_QUERY: usize = 200;

/// Traditional → Simplified, character by character (OpenCC's table, through `hanconv`).
static T2S: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
    hanconv::Dictionary::TSCharacters
        .iter()
        .filter_map(|(t, s)| Some((single(t)?, single(s)?)))
        .collect()
});

fn single(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// One character as search sees it: half-width, ASCII lowercase, Simplified.
pub fn fold_char(c: char) -> char {
    let c = halfwidth(c);
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        T2S.get(&c).copied().unwrap_or(c)
    }
}

/// `text` folded character by character (as many characters as `text`).
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// The index words of `fields` (each on its own: no gram spans two), space-separated:
/// every unigram, every bigram within a field, every trigram within a run of digits and
/// punctuation; repeats are left to the index, which keeps one entry per complaint.
pub fn words<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut folded: Vec<char> = Vec::new();
    for field in fields {
        folded.clear();
        folded.extend(field.chars().map(fold_char));
        for (i, &c) in folded.iter().enumerate() {
            push_word(&mut out, &[c]);
            if i > 0 {
                push_word(&mut out, &folded[i - 1..=i]);
            }
        }
        for run in folded.split(|c| !is_digit_run(*c)).filter(|r| r.len() >= 3) {
            for gram in run.windows(3) {
                push_word(&mut out, gram);
            }
        }
    }
    out
}

fn push_word(out: &mut String, chars: &[char]) {
    push_hex(out, chars);
    out.push(' ');
}

/// Characters of the runs trigrams cover: ASCII digits and punctuation.
fn is_digit_run(c: char) -> bool {
    c.is_ascii_digit() || c.is_ascii_punctuation()
}

fn push_hex(out: &mut String, chars: &[char]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 4];
    for c in chars {
        for b in c.encode_utf8(&mut buf).bytes() {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// The index words a query looks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWords {
    /// Every word a matching complaint holds (each once).
    pub words: Vec<String>,
    /// The query is one gram, so the complaints holding it are exactly the matches; else
    /// they are every match and a few more, which [`holds`] tells apart.
    pub exact: bool,
}

/// The index words of `query`. A query of only spaces, or longer than [`MAX_QUERY`]
/// characters, is refused. Its ends are trimmed; everything else is searched literally.
pub fn query_words(query: &str) -> Result<QueryWords> {
    let chars: Vec<char> = query.trim().chars().map(fold_char).collect();
    let chars: &[char] = {
        let start = chars.iter().position(|c| !c.is_whitespace());
        let end = chars.iter().rposition(|c| !c.is_whitespace());
        match (start, end) {
            (Some(s), Some(e)) => &chars[s..=e],
            _ => return Err(Error::new("error.search_empty")),
        }
    };
    if chars.len() > MAX_QUERY {
        return Err(Error::new("error.search_too_long")
            .arg("max", MAX_QUERY)
            .arg("length", chars.len()));
    }
    let hex = |cs: &[char]| {
        let mut s = String::new();
        push_hex(&mut s, cs);
        s
    };
    let size = match chars {
        [_] => 1,
        _ if chars.len() >= 3 && chars.iter().all(|c| is_digit_run(*c)) => 3,
        _ => 2,
    };
    let mut words: Vec<String> = chars.windows(size).map(hex).collect();
    words.sort();
    words.dedup();
    Ok(QueryWords {
        words,
        exact: chars.len() == size,
    })
}

/// Byte ranges of `text` (as typed) where the folded `query` occurs, left to right and not
/// overlapping: what a front end highlights. An empty query matches nowhere.
pub fn matches(text: &str, query: &str) -> Vec<Range<usize>> {
    let needle: Vec<char> = query.trim().chars().map(fold_char).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let hay: Vec<(usize, char)> = text
        .char_indices()
        .map(|(i, c)| (i, fold_char(c)))
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i..i + needle.len()]
            .iter()
            .zip(&needle)
            .all(|((_, h), n)| h == n)
        {
            let start = hay[i].0;
            let end = hay.get(i + needle.len()).map_or(text.len(), |&(at, _)| at);
            found.push(start..end);
            i += needle.len();
        } else {
            i += 1;
        }
    }
    found
}

/// The fields of a complaint that search reads, in order: number, name, phone digits,
/// location, description, desired outcome, and the free text of the handling record.
pub fn fields(c: &Complaint) -> Vec<Cow<'_, str>> {
    stored_fields(
        &c.number,
        &c.name,
        &c.phone,
        &c.location,
        &c.description,
        &c.outcome,
        &c.handling,
    )
}

/// [`fields`] from a complaint's stored columns.
pub fn stored_fields<'a>(
    number: &'a str,
    name: &'a str,
    phone: &str,
    location: &'a str,
    description: &'a str,
    outcome: &'a str,
    h: &'a Handling,
) -> Vec<Cow<'a, str>> {
    let phone: String = phone
        .chars()
        .map(halfwidth)
        .filter(char::is_ascii_digit)
        .collect();
    let mut out: Vec<Cow<'a, str>> = vec![
        Cow::Borrowed(number),
        Cow::Borrowed(name),
        Cow::Owned(phone),
        Cow::Borrowed(location),
        Cow::Borrowed(description),
        Cow::Borrowed(outcome),
        Cow::Borrowed(h.motive.as_str()),
        Cow::Borrowed(h.facts.as_str()),
    ];
    if let Some(p) = &h.plan {
        out.push(Cow::Borrowed(p.department.as_str()));
        out.push(Cow::Borrowed(p.actions.as_str()));
        if let Some(gift) = &p.gift {
            out.push(Cow::Borrowed(gift.as_str()));
        }
    }
    if let Some(r) = &h.reply {
        out.push(Cow::Borrowed(r.alternatives.as_str()));
    }
    out.push(Cow::Borrowed(h.remedy_note.as_str()));
    out.extend(h.referrals.iter().map(|r| Cow::Borrowed(r.note.as_str())));
    if let Some(s) = &h.summary {
        out.push(Cow::Borrowed(s.summary.as_str()));
        out.push(Cow::Borrowed(s.root_cause.as_str()));
        out.push(Cow::Borrowed(s.lesson.as_str()));
    }
    out
}

/// Whether one of `fields` holds `query` (the rule the index answers).
pub fn holds<S: AsRef<str>>(fields: &[S], query: &str) -> bool {
    fields
        .iter()
        .any(|f| !matches(f.as_ref(), query).is_empty())
}

/// Whether `c` holds `query` in one of its searched fields.
pub fn complaint_matches(c: &Complaint, query: &str) -> bool {
    holds(&fields(c), query)
}

/// Which complaints a search looks at, besides its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Every complaint.
    #[default]
    All,
    /// Not closed, handled by the agent searching.
    Mine,
    /// Not closed.
    Open,
    /// Scope not decided yet (and not closed).
    Untriaged,
    /// Waiting on the customer or the responsible party.
    Waiting,
    /// Compensation waiting for approval.
    Approval,
    /// Closed (in scope or as referred).
    Closed,
    /// Out of scope, referred to or waiting on the responsible party (and not closed).
    ThirdParty,
}

impl View {
    /// Every view.
    pub const ALL: [View; 8] = [
        View::All,
        View::Mine,
        View::Open,
        View::Untriaged,
        View::Waiting,
        View::Approval,
        View::Closed,
        View::ThirdParty,
    ];

    /// Stable name (`--view`).
    pub fn as_str(self) -> &'static str {
        match self {
            View::All => "all",
            View::Mine => "mine",
            View::Open => "open",
            View::Untriaged => "untriaged",
            View::Waiting => "waiting",
            View::Approval => "approval",
            View::Closed => "closed",
            View::ThirdParty => "third-party",
        }
    }
}

/// A search: text (any substring of a searched field) and filters, all combined.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchFilter {
    /// The text; `None` lists by the filters alone.
    pub text: Option<String>,
    /// Which complaints.
    pub view: View,
    /// In this stage.
    pub stage: Option<Stage>,
    /// In or out of scope.
    pub scope: Option<Scope>,
    /// Category key: the main category or a further one.
    pub category: Option<String>,
    /// The category is the main one only (as the report groups).
    pub main_category: bool,
    /// Site: a configured site's key, or a site typed freely.
    pub site: Option<String>,
    /// The sites the searching agent sees: only their complaints and those naming no
    /// site; `None`: every site's. Set by the desk, never by the one searching.
    pub sites: Option<Vec<String>>,
    /// Severity key.
    pub severity: Option<String>,
    /// Handled by this agent.
    pub handler: Option<String>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub to: Option<DateTime<Utc>>,
    /// Location starting with this (a building, a site), as stored.
    pub location_prefix: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Responsible party key.
    pub party: Option<String>,
    /// Closed at or after.
    pub closed_from: Option<DateTime<Utc>>,
    /// Closed before.
    pub closed_to: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(word: &str) -> String {
        let bytes: Vec<u8> = (0..word.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&word[i..i + 2], 16).expect("hex"))
            .collect();
        String::from_utf8(bytes).expect("utf-8")
    }

    #[test]
    fn folding_is_per_character_and_keeps_everything() {
        assert_eq!(fold("電梯"), "电梯");
        assert_eq!(fold("３栋　Ａ座"), "3栋 a座");
        assert_eq!(fold("Lift 2, 漏水!"), "lift 2, 漏水!");
        let odd = "衛生間\n「漏水」…";
        assert_eq!(fold(odd).chars().count(), odd.chars().count());
    }

    #[test]
    fn words_are_unigrams_bigrams_and_digit_trigrams_in_hex() {
        let w = words(["漏水", "", "A", "3栋1902室 Flat 7-101"]);
        assert!(w.bytes().all(|b| b == b' ' || b.is_ascii_hexdigit()));
        let w: Vec<String> = w.split_whitespace().map(unhex).collect();
        assert_eq!(w[..3], ["漏", "水", "漏水"]);
        assert_eq!(w[3], "a");
        // No gram spans two fields.
        assert!(!w.iter().any(|g| g == "水a" || g == "a3"));
        for gram in ["3栋", "19", "190", "902", "7-1", "-10", "101", " f"] {
            assert!(w.iter().any(|g| g == gram), "{gram} missing from {w:?}");
        }
        // Digit trigrams stay within their run.
        assert!(!w.iter().any(|g| g == "02室" || g == "栋19"));
        assert_eq!(w.iter().filter(|g| g.chars().count() == 3).count(), 5);
    }

    #[test]
    fn queries_become_one_word_or_every_word_they_need() {
        let words = |q: &str| -> Vec<String> {
            query_words(q)
                .expect("query")
                .words
                .iter()
                .map(|w| unhex(w))
                .collect()
        };
        assert_eq!(words(" 電 "), ["电"]);
        assert_eq!(words("電梯"), ["电梯"]);
        assert_eq!(words("電梯困人"), ["困人", "梯困", "电梯"]);
        assert_eq!(words("１３８００１")[0], "001");
        assert_eq!(words("漏1"), ["漏1"]);
        assert_eq!(words("20261130-0017").len(), 11);
        // A repeated gram is asked for once, and a query longer than one gram is checked.
        assert_eq!(words("哈哈哈"), ["哈哈"]);
        let exact = |q: &str| query_words(q).expect("query").exact;
        assert!(exact("漏") && exact("漏水") && exact("138"));
        assert!(!exact("哈哈哈") && !exact("1380") && !exact("电梯困人"));
        // Syntax of the query language is just text.
        assert!(words("\"a\" OR NEAR(*)").contains(&"\"a".to_string()));
        assert_eq!(words("\"*\""), ["\"*\""]);
        assert_eq!(
            query_words(" \u{3000}\t").map_err(|e| e.key),
            Err("error.search_empty")
        );
        assert_eq!(
            query_words("").map_err(|e| e.key),
            Err("error.search_empty")
        );
        let paste = "漏".repeat(10_000);
        let err = query_words(&paste).expect_err("too long");
        assert_eq!(
            (err.key, err.get("max")),
            ("error.search_too_long", Some("200"))
        );
        assert!(query_words(&"漏".repeat(MAX_QUERY)).is_ok());
    }

    #[test]
    fn holds_tells_a_substring_from_scattered_grams() {
        let fields = ["电梯困人已处理", "人困电梯"];
        assert!(holds(&fields, "困人"));
        assert!(holds(&fields, "電梯困人"));
        // All the bigrams of 梯困人电 are there, but not together.
        assert!(!holds(&fields, "困人电梯困"));
        assert!(!holds(&fields, "已处理人"));
    }

    #[test]
    fn matches_are_byte_ranges_of_the_text_as_typed() {
        let text = "３栋電梯困人，电梯又坏了";
        let ranges = matches(text, "电梯");
        assert_eq!(ranges.len(), 2);
        assert_eq!(&text[ranges[0].clone()], "電梯");
        assert_eq!(&text[ranges[1].clone()], "电梯");
        assert_eq!(&text[matches(text, "3栋")[0].clone()], "３栋");
        assert_eq!(matches("aaaa", "aa"), [0..2, 2..4]);
        assert!(matches(text, "  ").is_empty());
        assert!(matches("", "漏").is_empty());
    }
}
