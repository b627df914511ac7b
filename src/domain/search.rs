//! Chinese search: how text is folded, cut into the terms the index stores, and matched.
//!
//! Every character is folded on its own ([`fold_char`]: Traditional → Simplified, full-width
//! → half-width, ASCII lowercase), so folded text has as many characters as the original and
//! substring tests are exact. The index holds, per complaint, every folded character (the
//! unigram column), every pair of neighbouring characters (the bigram column) and, within
//! runs of ASCII digits and punctuation, every three (the trigram column), each written as
//! the lowercase hex of its UTF-8: opaque ASCII words that any stock tokenizer splits on
//! spaces and that no user text can turn into query syntax. A one-character query is one
//! unigram; a longer one is the phrase of its consecutive bigrams, or, when it is all digits
//! and punctuation (numbers, phone digits), of its trigrams: ten digits make too few pairs
//! for a pair to be selective. A phrase of overlapping grams at consecutive positions
//! matches exactly where the query is a substring of one field.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};

use crate::domain::complaint::{Complaint, Scope, halfwidth};
use crate::domain::stage::Stage;
use crate::error::{Error, Result};

/// Longest query, in characters (a longer paste is refused, not cut).
pub const MAX_QUERY: usize = 200;

/// The word between two fields (and two runs in the trigram column): not hex, so no query
/// phrase spans it.
pub const FIELD_BREAK: &str = "x";

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

/// The index words of a complaint: unigrams and bigrams of its folded fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Terms {
    /// Every character of every field, space-separated.
    pub unigrams: String,
    /// Every pair of neighbouring characters within a field, [`FIELD_BREAK`] between fields.
    pub bigrams: String,
    /// Every three neighbouring characters within a run of ASCII digits and punctuation,
    /// [`FIELD_BREAK`] between runs.
    pub trigrams: String,
}

/// The index words of `fields` (each searched on its own: no match spans two).
pub fn terms<'a>(fields: impl IntoIterator<Item = &'a str>) -> Terms {
    let mut t = Terms::default();
    let mut prev_field = false;
    for field in fields {
        if field.is_empty() {
            continue;
        }
        if prev_field {
            t.bigrams.push_str(FIELD_BREAK);
            t.bigrams.push(' ');
        }
        prev_field = true;
        let folded: Vec<char> = field.chars().map(fold_char).collect();
        for (i, &c) in folded.iter().enumerate() {
            push_hex(&mut t.unigrams, &[c]);
            t.unigrams.push(' ');
            if i > 0 {
                push_hex(&mut t.bigrams, &folded[i - 1..=i]);
                t.bigrams.push(' ');
            }
        }
        for run in folded.split(|c| !is_digit_run(*c)).filter(|r| r.len() >= 3) {
            if !t.trigrams.is_empty() {
                t.trigrams.push_str(FIELD_BREAK);
                t.trigrams.push(' ');
            }
            for gram in run.windows(3) {
                push_hex(&mut t.trigrams, gram);
                t.trigrams.push(' ');
            }
        }
    }
    t
}

/// Characters of the runs the trigram column covers: ASCII digits and punctuation.
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

/// What a query looks up in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryTerms {
    /// One character: this unigram.
    Unigram(String),
    /// Two or more: these bigrams at consecutive positions (a phrase).
    Bigrams(Vec<String>),
    /// Three or more, all digits and punctuation: these trigrams at consecutive positions.
    Trigrams(Vec<String>),
}

/// The index words a query matches; a query of only spaces, or longer than [`MAX_QUERY`]
/// characters, is refused. Its ends are trimmed; everything else is searched literally.
pub fn query_terms(query: &str) -> Result<QueryTerms> {
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
    Ok(match chars {
        [c] => QueryTerms::Unigram(hex(&[*c])),
        _ if chars.len() >= 3 && chars.iter().all(|c| is_digit_run(*c)) => {
            QueryTerms::Trigrams(chars.windows(3).map(hex).collect())
        }
        _ => QueryTerms::Bigrams(chars.windows(2).map(hex).collect()),
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
    let phone: String = c
        .phone
        .chars()
        .map(halfwidth)
        .filter(char::is_ascii_digit)
        .collect();
    let h = &c.handling;
    let mut out: Vec<Cow<'_, str>> = vec![
        Cow::Borrowed(c.number.as_str()),
        Cow::Borrowed(c.name.as_str()),
        Cow::Owned(phone),
        Cow::Borrowed(c.location.as_str()),
        Cow::Borrowed(c.description.as_str()),
        Cow::Borrowed(c.outcome.as_str()),
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

/// Whether `c` holds `query` in one of its searched fields (the rule the index answers).
pub fn complaint_matches(c: &Complaint, query: &str) -> bool {
    fields(c).iter().any(|f| !matches(f, query).is_empty())
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
}

impl View {
    /// Every view.
    pub const ALL: [View; 7] = [
        View::All,
        View::Mine,
        View::Open,
        View::Untriaged,
        View::Waiting,
        View::Approval,
        View::Closed,
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
    /// Category key.
    pub category: Option<String>,
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
    fn terms_are_unigrams_and_bigrams_in_hex_with_breaks_between_fields() {
        let t = terms(["漏水", "", "A", "3栋1902室 Flat 7-101"]);
        let uni: Vec<String> = t.unigrams.split_whitespace().map(unhex).collect();
        assert_eq!(uni[..3], ["漏", "水", "a"]);
        assert_eq!(uni.len(), 3 + 18);
        let bi: Vec<&str> = t.bigrams.split_whitespace().collect();
        assert_eq!(unhex(bi[0]), "漏水");
        assert_eq!(bi[1..3], [FIELD_BREAK, FIELD_BREAK]);
        assert_eq!(unhex(bi[3]), "3栋");
        let tri: Vec<String> = t
            .trigrams
            .split_whitespace()
            .map(|w| {
                if w == FIELD_BREAK {
                    w.to_string()
                } else {
                    unhex(w)
                }
            })
            .collect();
        assert_eq!(tri, ["190", "902", "x", "7-1", "-10", "101"]);
        assert!(
            t.unigrams
                .bytes()
                .chain(t.bigrams.bytes())
                .chain(t.trigrams.bytes())
                .all(|b| b == b' ' || b.is_ascii_alphanumeric())
        );
    }

    #[test]
    fn queries_become_a_unigram_or_a_phrase_of_bigrams() {
        match query_terms(" 電 ").expect("one") {
            QueryTerms::Unigram(w) => assert_eq!(unhex(&w), "电"),
            other => panic!("{other:?}"),
        }
        match query_terms("電梯困人").expect("four") {
            QueryTerms::Bigrams(ws) => {
                let ws: Vec<String> = ws.iter().map(|w| unhex(w)).collect();
                assert_eq!(ws, ["电梯", "梯困", "困人"]);
            }
            other => panic!("{other:?}"),
        }
        match query_terms("１３８００１").expect("digits") {
            QueryTerms::Trigrams(ws) => assert_eq!(unhex(&ws[0]), "138"),
            other => panic!("{other:?}"),
        }
        match query_terms("漏1").expect("two") {
            QueryTerms::Bigrams(ws) => assert_eq!(unhex(&ws[0]), "漏1"),
            other => panic!("{other:?}"),
        }
        match query_terms("20261130-0017").expect("number") {
            QueryTerms::Trigrams(ws) => assert_eq!(ws.len(), 11),
            other => panic!("{other:?}"),
        }
        // Syntax of the query language is just text.
        match query_terms("\"a\" OR NEAR(*)").expect("literal") {
            QueryTerms::Bigrams(ws) => assert_eq!(unhex(&ws[0]), "\"a"),
            other => panic!("{other:?}"),
        }
        match query_terms("\"*\"").expect("literal") {
            QueryTerms::Trigrams(ws) => assert_eq!(unhex(&ws[0]), "\"*\""),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            query_terms(" \u{3000}\t").map_err(|e| e.key),
            Err("error.search_empty")
        );
        assert_eq!(
            query_terms("").map_err(|e| e.key),
            Err("error.search_empty")
        );
        let paste = "漏".repeat(10_000);
        let err = query_terms(&paste).expect_err("too long");
        assert_eq!(
            (err.key, err.get("max")),
            ("error.search_too_long", Some("200"))
        );
        assert!(query_terms(&"漏".repeat(MAX_QUERY)).is_ok());
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
