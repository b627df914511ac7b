//! The case library (典型案例): case cards, their search words (FTS5 `library_search` on
//! SQLite, a GIN index over the tsvector of `library_cards.words` on PostgreSQL: the words
//! of the case search, [`crate::domain::search`]), listed by status and category, searched,
//! and the candidates of the similar cards.

use chrono::{DateTime, Utc};

use crate::domain::library::{self, Candidate, Card, CardFilter, CardStatus, NewCard};
use crate::error::Result;
use crate::store::Store;
use crate::store::complaints::arg_refs;
use crate::store::search::match_expr;
use crate::store::sql::{self, Db, Engine, Optional, Row, Value, args};

const COLUMNS: &str = "id, category, party, facts, plan, reply, outcome, root_cause, lesson, \
    status, version, created_at, updated_at, published_at";

/// The tsvector of a card's words on PostgreSQL, as its GIN index is built.
const PG_WORDS: &str = "array_to_tsvector(array_remove(string_to_array(c.words, ' '), ''))";

/// Candidates of each kind [`Store::library_candidates`] reads at most.
pub const CANDIDATES: u32 = 300;

/// Words of a description the cards of other categories are looked up by.
pub const OR_WORDS: usize = 16;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn card_at(r: &Row<'_>) -> sql::Result<Card> {
    let status: String = r.get(9)?;
    Ok(Card {
        id: r.get(0)?,
        category: r.get(1)?,
        party: r.get(2)?,
        text: library::CardText {
            facts: r.get(3)?,
            plan: r.get(4)?,
            reply: r.get(5)?,
            outcome: r.get(6)?,
            root_cause: r.get(7)?,
            lesson: r.get(8)?,
        },
        status: CardStatus::parse(&status)
            .ok_or_else(|| sql::Error::value(format!("unknown card status \"{status}\"")))?,
        version: r.get(10)?,
        created_at: at(r.get(11)?),
        updated_at: at(r.get(12)?),
        published_at: r.get::<Option<i64>>(13)?.map(at),
    })
}

/// The card with id `id`.
pub fn by_id(db: &Db<'_>, id: i64) -> sql::Result<Option<Card>> {
    db.row(
        &format!("SELECT {COLUMNS} FROM library_cards WHERE id = ?1"),
        args![id],
        card_at,
    )
    .optional()
}

/// The id of the card made from complaint `complaint_id`, if any.
pub fn of_complaint(db: &Db<'_>, complaint_id: i64) -> sql::Result<Option<i64>> {
    db.row(
        "SELECT id FROM library_cards WHERE complaint_id = ?1",
        args![complaint_id],
        |r| r.get(0),
    )
    .optional()
}

/// Stores `new` as a draft made by `by` at `now`, with its search words; its id.
pub fn insert(db: &Db<'_>, new: &NewCard, by: &str, now: DateTime<Utc>) -> sql::Result<i64> {
    let words = library::words(&new.category, &new.party, &new.text);
    let t = &new.text;
    let id: i64 = db.row(
        "INSERT INTO library_cards (complaint_id, category, party, facts, plan, reply, outcome,
             root_cause, lesson, status, created_at, created_by, updated_at, words)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'draft', ?10, ?11, ?10, ?12)
         RETURNING id",
        args![
            new.complaint_id,
            new.category,
            new.party,
            t.facts,
            t.plan,
            t.reply,
            t.outcome,
            t.root_cause,
            t.lesson,
            now.timestamp(),
            by,
            words
        ],
        |r| r.get(0),
    )?;
    index(db, id, &words, false)?;
    Ok(id)
}

/// Writes `card`'s text and status over the stored card (its version one up, its words
/// again), at `now`.
pub fn update(db: &Db<'_>, card: &Card, now: DateTime<Utc>) -> sql::Result<()> {
    let words = library::words(&card.category, &card.party, &card.text);
    let t = &card.text;
    db.execute(
        "UPDATE library_cards SET party = ?2, facts = ?3, plan = ?4, reply = ?5, outcome = ?6,
             root_cause = ?7, lesson = ?8, status = ?9, published_at = ?10, updated_at = ?11,
             version = version + 1, words = ?12
         WHERE id = ?1",
        args![
            card.id,
            card.party,
            t.facts,
            t.plan,
            t.reply,
            t.outcome,
            t.root_cause,
            t.lesson,
            card.status.as_str(),
            card.published_at.map(|p| p.timestamp()),
            now.timestamp(),
            words
        ],
    )?;
    index(db, card.id, &words, true)
}

/// Writes card `id`'s words into the FTS5 index (SQLite; PostgreSQL's index follows the
/// column).
fn index(db: &Db<'_>, id: i64, words: &str, replace: bool) -> sql::Result<()> {
    if db.engine() == Engine::Postgres {
        return Ok(());
    }
    let sql = if replace {
        "INSERT OR REPLACE INTO library_search (rowid, words) VALUES (?1, ?2)"
    } else {
        "INSERT INTO library_search (rowid, words) VALUES (?1, ?2)"
    };
    db.execute(sql, args![id, words])?;
    Ok(())
}

/// The condition that keeps cards whose words hold all of `expr` (or any, `any`), on the
/// card row `c`, with its argument `n`.
fn words_condition(engine: Engine, n: usize) -> String {
    match engine {
        Engine::Sqlite => {
            format!("c.id IN (SELECT rowid FROM library_search WHERE library_search MATCH ?{n})")
        }
        Engine::Postgres => format!("{PG_WORDS} @@ CAST(CAST(?{n} AS text) AS tsquery)"),
    }
}

impl Store {
    /// The id of the card made from complaint `complaint_id`, if any.
    pub fn library_card_of(&self, complaint_id: i64) -> Result<Option<i64>> {
        of_complaint(&self.db(), complaint_id).map_err(|e| self.err(e))
    }

    /// The card with id `id`.
    pub fn library_card(&self, id: i64) -> Result<Option<Card>> {
        by_id(&self.db(), id).map_err(|e| self.err(e))
    }

    /// The cards `filter` keeps, newest first, at most `limit`. A text longer than its
    /// words finds candidates that are checked whole here, read `limit` at a time until
    /// enough hold (as the case search does), never all of them at once.
    pub fn library_list(&self, filter: &CardFilter, limit: u32) -> Result<Vec<Card>> {
        let db = self.db();
        let engine = db.engine();
        let mut args: Vec<Value<'static>> = Vec::new();
        let mut conds: Vec<String> = Vec::new();
        let mut check = false;
        if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
            let (expr, whole) = match_expr(engine, text)?;
            args.push(Value::Text(expr.into()));
            conds.push(words_condition(engine, args.len()));
            check = whole;
        }
        if let Some(status) = filter.status {
            args.push(Value::Text(status.as_str().into()));
            conds.push(format!("c.status = ?{}", args.len()));
        }
        if let Some(category) = filter.category.as_deref() {
            args.push(Value::Text(category.to_string().into()));
            conds.push(format!("c.category = ?{}", args.len()));
        }
        let query = filter.text.as_deref().unwrap_or_default();
        let want = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut found = Vec::new();
        let mut before: Option<i64> = None;
        loop {
            let (mut args, mut conds) = (args.clone(), conds.clone());
            if let Some(id) = before {
                args.push(Value::Int(id));
                conds.push(format!("c.id < ?{}", args.len()));
            }
            let mut sql = format!("SELECT {COLUMNS} FROM library_cards c");
            if !conds.is_empty() {
                sql.push_str(" WHERE ");
                sql.push_str(&conds.join(" AND "));
            }
            args.push(Value::Int(limit.into()));
            sql.push_str(&format!(" ORDER BY c.id DESC LIMIT ?{}", args.len()));
            let cards = db
                .rows(&sql, &arg_refs(&args), card_at)
                .map_err(|e| self.err(e))?;
            if !check {
                return Ok(cards);
            }
            let full = cards.len() == want;
            before = cards.last().map(|c| c.id);
            found.extend(
                cards
                    .into_iter()
                    .filter(|c| library::card_matches(c, query)),
            );
            if !full || found.len() >= want {
                found.truncate(want);
                return Ok(found);
            }
        }
    }

    /// Every published card, oldest first (the export).
    pub fn library_published(&self) -> Result<Vec<Card>> {
        self.db()
            .rows(
                &format!(
                    "SELECT {COLUMNS} FROM library_cards INDEXED BY library_cards_status
                     WHERE status = 'published' ORDER BY id"
                ),
                args![],
                card_at,
            )
            .map_err(|e| self.err(e))
    }

    /// The published cards that may be like a case of `category` with the similar words
    /// `words` ([`library::similar_words`]): the newest [`CANDIDATES`] of the category and,
    /// when the category has fewer than `need` (a card of the category ranks before any
    /// other), the newest [`CANDIDATES`] holding any of the first [`OR_WORDS`] words.
    pub fn library_candidates(
        &self,
        category: &str,
        words: &[String],
        need: usize,
    ) -> Result<Vec<Candidate>> {
        let db = self.db();
        let candidate = |r: &Row<'_>| {
            Ok(Candidate {
                id: r.get(0)?,
                category: r.get(1)?,
                words: r.get(2)?,
            })
        };
        let mut out = db
            .rows(
                "SELECT c.id, c.category, c.words FROM library_cards c
                     INDEXED BY library_cards_status
                 WHERE c.status = 'published' AND c.category = ?1
                 ORDER BY c.id DESC LIMIT ?2",
                args![category, CANDIDATES],
                candidate,
            )
            .map_err(|e| self.err(e))?;
        let words = &words[..words.len().min(OR_WORDS)];
        if out.len() < need && !words.is_empty() {
            let engine = db.engine();
            let expr = match engine {
                Engine::Sqlite => words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(" OR "),
                Engine::Postgres => words
                    .iter()
                    .map(|w| format!("'{w}'"))
                    .collect::<Vec<_>>()
                    .join(" | "),
            };
            let sql = format!(
                "SELECT c.id, c.category, c.words FROM library_cards c
                 WHERE {} AND c.status = 'published' ORDER BY c.id DESC LIMIT ?2",
                words_condition(engine, 1)
            );
            out.extend(
                db.rows(&sql, args![expr, CANDIDATES], candidate)
                    .map_err(|e| self.err(e))?,
            );
        }
        Ok(out)
    }
}
