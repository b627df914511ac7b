//! The case library (典型案例): closed cases turned into case cards for training. A card holds
//! the category, the responsible party and the handling record's free text (facts, plan,
//! reply, outcome, root cause, lesson) with the person removed ([`super::redact`]); it is a
//! draft until a supervisor has reviewed it and published it. Pure: the card is made from a
//! complaint and checked here; the store keeps it, the desk decides who may do what.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::complaint::{Complaint, Scope};
use crate::domain::handling;
use crate::domain::redact::{Marks, Person, redact};
use crate::domain::search;
use crate::domain::stage::Stage;
use crate::error::{Error, Result};

/// Where a card is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// Made from a case, not yet reviewed: seen by curators only in lists and the export
    /// leaves it out.
    Draft,
    /// Reviewed and published: for everyone, offered while classifying.
    Published,
}

impl CardStatus {
    /// The stored key.
    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::Draft => "draft",
            CardStatus::Published => "published",
        }
    }

    /// The status of a stored key.
    pub fn parse(text: &str) -> Option<CardStatus> {
        match text {
            "draft" => Some(CardStatus::Draft),
            "published" => Some(CardStatus::Published),
            _ => None,
        }
    }
}

/// The text of a card, as a curator edits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CardText {
    /// What happened (the complaint and the facts found).
    pub facts: String,
    /// The remedy plan.
    pub plan: String,
    /// What the customer was told and how they took it.
    pub reply: String,
    /// What was done in the end.
    pub outcome: String,
    /// Root cause.
    pub root_cause: String,
    /// Lesson.
    pub lesson: String,
}

/// The fields of a card a curator may edit, by name (the CLI's flags, the event's detail).
pub const FIELDS: [&str; 7] = [
    "party",
    "facts",
    "plan",
    "reply",
    "outcome",
    "root_cause",
    "lesson",
];

/// Which cards a list shows: all of them when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFilter {
    /// Only this category.
    pub category: Option<String>,
    /// Only drafts, or only published cards.
    pub status: Option<CardStatus>,
    /// Only cards holding this text (as the case search finds it).
    pub text: Option<String>,
}

/// A case card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    /// Row id (the card's number).
    pub id: i64,
    /// The category's key.
    pub category: String,
    /// The responsible party (the party referred to, or the department of the plan).
    pub party: String,
    /// The text.
    #[serde(flatten)]
    pub text: CardText,
    /// Draft or published.
    pub status: CardStatus,
    /// Changes so far (1 when made).
    pub version: i64,
    /// When made.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When published.
    pub published_at: Option<DateTime<Utc>>,
}

/// A card about to be stored: made from a case ([`card_from`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCard {
    /// The complaint it was made from (one card per case).
    pub complaint_id: i64,
    /// The category's key.
    pub category: String,
    /// The responsible party.
    pub party: String,
    /// The text, the person removed.
    pub text: CardText,
}

/// The words a card is made with, in the desk's language: the placeholders, and how the
/// reply went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardWords {
    /// Placeholders for the person.
    pub marks: Marks,
    /// The customer accepted the plan.
    pub accepted: String,
    /// The customer declined the plan (the alternatives offered follow).
    pub declined: String,
}

/// A curator's change to a card: each field given is set (trimmed), the others stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardEdit {
    /// Responsible party.
    pub party: Option<String>,
    /// Facts.
    pub facts: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// Reply.
    pub reply: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Root cause.
    pub root_cause: Option<String>,
    /// Lesson.
    pub lesson: Option<String>,
}

/// The card of closed case `c`: its category, the party responsible, and its handling
/// record's text with the person removed. Refused for a case not closed.
pub fn card_from(c: &Complaint, words: &CardWords) -> Result<NewCard> {
    let handling = &c.handling;
    if c.stage != Stage::Closed {
        return Err(Error::new("error.library_not_closed").arg("number", &c.number));
    }
    let who = Person {
        name: &c.name,
        phone: &c.phone,
        unit: &c.location,
    };
    let clean = |text: &str| redact(text.trim(), &who, &words.marks);
    let join = |parts: &[&str]| {
        parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plan = handling.plan.as_ref();
    let party = match c.scope {
        Some(Scope::Out) => c.party.clone().unwrap_or_default(),
        _ => plan
            .map(|p| p.department.clone())
            .filter(|d| !d.trim().is_empty())
            .or_else(|| c.party.clone())
            .unwrap_or_default(),
    };
    let reply = match &handling.reply {
        None => String::new(),
        Some(r) if r.accepted => words.accepted.clone(),
        Some(r) => join(&[&words.declined, &r.alternatives]),
    };
    let summary = handling.summary.as_ref();
    let referrals: Vec<&str> = handling.referrals.iter().map(|r| r.note.as_str()).collect();
    let text = CardText {
        facts: clean(&join(&[&c.description, &handling.facts])),
        plan: clean(plan.map_or("", |p| p.actions.as_str())),
        reply: clean(&reply),
        outcome: clean(&join(&[
            summary.map_or("", |s| s.summary.as_str()),
            &handling.remedy_note,
            &referrals.join("\n"),
        ])),
        root_cause: clean(summary.map_or("", |s| s.root_cause.as_str())),
        lesson: clean(summary.map_or("", |s| s.lesson.as_str())),
    };
    Ok(NewCard {
        complaint_id: c.id,
        category: c.category.clone(),
        party: clean(&party),
        text: checked(text)?,
    })
}

/// Each field of `text` at most [`handling::MAX_TEXT`] characters, trimmed.
fn checked(text: CardText) -> Result<CardText> {
    let cut = |v: String| -> String { v.chars().take(handling::MAX_TEXT).collect() };
    Ok(CardText {
        facts: cut(text.facts),
        plan: cut(text.plan),
        reply: cut(text.reply),
        outcome: cut(text.outcome),
        root_cause: cut(text.root_cause),
        lesson: cut(text.lesson),
    })
}

/// `card` with `edit` applied, and the names of the fields it changed (in [`FIELDS`]
/// order). Each text is checked as the handling record's are, and a name, phone or unit
/// typed into it is taken out as when the card was made (`marks`); a published card must
/// keep its facts and its lesson.
pub fn edited(card: &Card, edit: &CardEdit, marks: &Marks) -> Result<(Card, Vec<&'static str>)> {
    let mut after = card.clone();
    let mut changed = Vec::new();
    let fields: [(&'static str, &Option<String>, &mut String); 7] = [
        ("party", &edit.party, &mut after.party),
        ("facts", &edit.facts, &mut after.text.facts),
        ("plan", &edit.plan, &mut after.text.plan),
        ("reply", &edit.reply, &mut after.text.reply),
        ("outcome", &edit.outcome, &mut after.text.outcome),
        ("root_cause", &edit.root_cause, &mut after.text.root_cause),
        ("lesson", &edit.lesson, &mut after.text.lesson),
    ];
    for (name, new, slot) in fields {
        if let Some(new) = new {
            let mut value = handling::text(new, name, false)?;
            if name != "party" {
                value = redact(&value, &Person::default(), marks);
            }
            if value != *slot {
                *slot = value;
                changed.push(name);
            }
        }
    }
    if after.status == CardStatus::Published {
        publishable(&after)?;
    }
    Ok((after, changed))
}

/// Refuses a card without facts or a lesson: nothing to learn from.
pub fn publishable(card: &Card) -> Result<()> {
    for (field, value) in [("facts", &card.text.facts), ("lesson", &card.text.lesson)] {
        if value.trim().is_empty() {
            return Err(Error::new("error.library_incomplete")
                .arg("id", card.id)
                .arg("field", field));
        }
    }
    Ok(())
}

/// The searched fields of a card, in order: category, party, facts, plan, reply, outcome,
/// root cause, lesson.
pub fn fields(category: &str, party: &str, text: &CardText) -> [String; 8] {
    [
        category.to_string(),
        party.to_string(),
        text.facts.clone(),
        text.plan.clone(),
        text.reply.clone(),
        text.outcome.clone(),
        text.root_cause.clone(),
        text.lesson.clone(),
    ]
}

/// The index words of a card (the case search's words: [`search::words`]).
pub fn words(category: &str, party: &str, text: &CardText) -> String {
    let f = fields(category, party, text);
    search::words(f.iter().map(String::as_str))
}

/// Whether `card` holds `query` in one of its searched fields (the rule the index answers).
pub fn card_matches(card: &Card, query: &str) -> bool {
    search::holds(&fields(&card.category, &card.party, &card.text)[..], query)
}

/// Most words of a description compared with the cards'.
pub const SIMILAR_WORDS: usize = 64;

/// The words of `description` that tell cards apart: its pairs of characters and its
/// ASCII words (single characters say too little), at most [`SIMILAR_WORDS`], first seen
/// first.
pub fn similar_words(description: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in search::words([description]).split(' ') {
        // A word is the hex of its UTF-8: one CJK character is 6 hex digits, one ASCII
        // character 2; longer than one character of either kind is a pair or an ASCII run.
        if w.len() > 6 && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
            if out.len() == SIMILAR_WORDS {
                break;
            }
        }
    }
    out
}

/// A candidate for [`rank_similar`]: a card's id, category and index words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Card id.
    pub id: i64,
    /// Category key.
    pub category: String,
    /// Index words, space-separated.
    pub words: String,
}

/// The ids of the `limit` cards most like a case of `category` described by `words`
/// ([`similar_words`]): the same category first, then the most words shared, then the
/// newest. A card of another category sharing no word is no match.
pub fn rank_similar(
    category: &str,
    words: &[String],
    candidates: &[Candidate],
    limit: usize,
) -> Vec<i64> {
    let wanted: std::collections::HashSet<&str> = words.iter().map(String::as_str).collect();
    let mut scored: Vec<(bool, usize, i64)> = candidates
        .iter()
        .map(|c| {
            let mut seen = std::collections::HashSet::new();
            let shared = c
                .words
                .split(' ')
                .filter(|w| wanted.contains(w) && seen.insert(*w))
                .count();
            (c.category == category, shared, c.id)
        })
        .filter(|&(same, shared, _)| same || shared > 0)
        .collect();
    scored.sort_by(|a, b| b.cmp(a));
    scored.dedup_by_key(|s| s.2);
    scored.into_iter().take(limit).map(|s| s.2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::complaint::Channel;
    use crate::domain::handling::{Handling, Plan, Reply, Summary};

    fn words() -> CardWords {
        CardWords {
            marks: Marks {
                person: "〔业主〕".into(),
                phone: "〔电话〕".into(),
                unit: "〔房号〕".into(),
            },
            accepted: "业主接受方案".into(),
            declined: "业主未接受方案，另提供：".into(),
        }
    }

    fn closed() -> Complaint {
        let h = Handling {
            facts: "楼上802的防水层老化，刘芳家顶棚渗水".into(),
            plan: Some(Plan {
                department: "工程部".into(),
                actions: "工程部上门维修802防水层，修复702顶棚".into(),
                ..Plan::default()
            }),
            reply: Some(Reply {
                accepted: true,
                alternatives: String::new(),
            }),
            summary: Some(Summary {
                summary: "已修复，刘女士满意".into(),
                root_cause: "防水层老化".into(),
                lesson: "渗水先查楼上防水，当天上门".into(),
            }),
            ..Handling::default()
        };
        Complaint {
            id: 7,
            number: "2026-000007".into(),
            received_at: DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default(),
            channel: Channel::Phone,
            name: "刘芳".into(),
            phone: "139 0011 2233".into(),
            location: "5栋1单元702".into(),
            category: "漏水".into(),
            extra_categories: Vec::new(),
            site: None,
            description: "刘女士反映5栋1单元702卫生间顶棚滴水，已持续两天，电话13900112233。"
                .into(),
            outcome: "尽快维修".into(),
            apologized: true,
            scope: Some(Scope::In),
            party: None,
            complaint_type: None,
            severity: Some("general".into()),
            intent: Default::default(),
            spread_risk: false,
            explained: false,
            stage: Stage::Closed,
            version: 9,
            handler: Some("客服小张".into()),
            closed_at: None,
            merged_into: None,
            updated_at: DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default(),
            handling: h,
        }
    }

    #[test]
    fn a_card_from_a_closed_case_holds_no_person() {
        let c = closed();
        let card = card_from(&c, &words()).expect("card");
        assert_eq!(card.category, "漏水");
        assert_eq!(card.party, "工程部");
        assert_eq!(
            card.text.facts,
            "〔业主〕反映〔房号〕卫生间顶棚滴水，已持续两天，电话〔电话〕。\n楼上〔房号〕的防水层老化，〔业主〕家顶棚渗水"
        );
        assert_eq!(
            card.text.plan,
            "工程部上门维修〔房号〕防水层，修复〔房号〕顶棚"
        );
        assert_eq!(card.text.reply, "业主接受方案");
        assert_eq!(card.text.outcome, "已修复，〔业主〕满意");
        assert_eq!(card.text.lesson, "渗水先查楼上防水，当天上门");
        let all = format!("{:?}", card);
        for personal in ["刘", "702", "2233", "5栋"] {
            assert!(!all.contains(personal), "{personal} left in {all}");
        }
    }

    #[test]
    fn an_open_case_makes_no_card() {
        let mut c = closed();
        c.stage = Stage::Remedied;
        assert_eq!(
            card_from(&c, &words()).map_err(|e| e.key),
            Err("error.library_not_closed")
        );
    }

    #[test]
    fn out_of_scope_names_the_party_and_a_declined_reply_its_alternatives() {
        let mut c = closed();
        c.scope = Some(Scope::Out);
        c.party = Some("developer".into());
        c.handling.reply = Some(Reply {
            accepted: false,
            alternatives: "协助联系开发商保修".into(),
        });
        let card = card_from(&c, &words()).expect("card");
        assert_eq!(card.party, "developer");
        assert_eq!(
            card.text.reply,
            "业主未接受方案，另提供：\n协助联系开发商保修"
        );
    }

    fn stored() -> Card {
        let c = closed();
        let new = card_from(&c, &words()).expect("card");
        Card {
            id: 1,
            category: new.category,
            party: new.party,
            text: new.text,
            status: CardStatus::Draft,
            version: 1,
            created_at: c.received_at,
            updated_at: c.received_at,
            published_at: None,
        }
    }

    #[test]
    fn an_edit_names_what_it_changed() {
        let card = stored();
        let edit = CardEdit {
            lesson: Some("  渗水当天上门，先查楼上  ".into()),
            plan: Some(card.text.plan.clone()),
            ..CardEdit::default()
        };
        let marks = &words().marks;
        let (after, changed) = edited(&card, &edit, marks).expect("edit");
        assert_eq!(after.text.lesson, "渗水当天上门，先查楼上");
        assert_eq!(changed, vec!["lesson"]);
        // What a curator types is cleaned as the case's text was.
        let typed = CardEdit {
            outcome: Some("王先生满意，回访电话 139-0000-1111，3栋1201已修好".into()),
            ..CardEdit::default()
        };
        let (after, _) = edited(&card, &typed, marks).expect("edit");
        assert_eq!(
            after.text.outcome,
            "〔业主〕满意，回访电话 〔电话〕，〔房号〕已修好"
        );
        let too_long = CardEdit {
            facts: Some("长".repeat(handling::MAX_TEXT + 1)),
            ..CardEdit::default()
        };
        assert_eq!(
            edited(&card, &too_long, marks)
                .map(|_| ())
                .map_err(|e| e.key),
            Err("error.too_long")
        );
    }

    #[test]
    fn a_published_card_keeps_facts_and_lesson() {
        let mut card = stored();
        card.status = CardStatus::Published;
        let edit = CardEdit {
            lesson: Some(" ".into()),
            ..CardEdit::default()
        };
        assert_eq!(
            edited(&card, &edit, &words().marks)
                .map(|_| ())
                .map_err(|e| e.key),
            Err("error.library_incomplete")
        );
        card.text.facts.clear();
        assert!(publishable(&card).is_err());
    }

    #[test]
    fn search_reads_every_field() {
        let card = stored();
        assert!(card_matches(&card, "防水"));
        assert!(card_matches(&card, "漏水"));
        assert!(card_matches(&card, "工程部"));
        assert!(card_matches(&card, "當天"));
        assert!(!card_matches(&card, "电梯"));
    }

    #[test]
    fn similar_cards_same_category_first_then_shared_words() {
        let w = similar_words("卫生间顶棚渗水");
        let card = |id: i64, category: &str, text: &str| Candidate {
            id,
            category: category.into(),
            words: search::words([text]),
        };
        let candidates = vec![
            card(1, "噪音", "楼上装修噪音"),
            card(2, "漏水", "阳台积水"),
            card(3, "漏水", "卫生间顶棚渗水，查楼上防水"),
            card(4, "墙面", "外墙渗水到卧室"),
            card(5, "电梯", "电梯困人"),
        ];
        assert_eq!(rank_similar("漏水", &w, &candidates, 3), vec![3, 2, 4]);
        assert_eq!(rank_similar("电梯", &w, &candidates, 3), vec![5, 3, 4]);
        assert!(rank_similar("停车", &[], &candidates, 3).is_empty());
        // Single characters do not count: 水 alone is in every watery card.
        assert!(w.iter().all(|x| x.len() > 6));
    }
}
