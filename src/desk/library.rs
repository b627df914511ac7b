//! The case library (典型案例): a closed case made into a draft card with the person removed
//! (by the close move's tick, or later by a curator), edited and published by a curator
//! (`curate_library`), listed, searched and shown (drafts to curators only), exported, and
//! the published cards most like a case offered while classifying. Every card move is an
//! event of the audit trail that names the card and the fields changed, never their text.

use chrono::{DateTime, Utc};

use super::Desk;
use crate::config::Config;
use crate::domain::agent::Permission;
use crate::domain::complaint::Complaint;
use crate::domain::library::{
    self, Card, CardEdit, CardFilter, CardStatus, CardWords, rank_similar, similar_words,
};
use crate::domain::number;
use crate::domain::redact::Marks;
use crate::error::{Error, Result};
use crate::store::complaints;
use crate::store::library as cards;
use crate::store::sql::Db;

/// Similar cards offered while classifying.
pub const SIMILAR: usize = 3;

/// Event: a card made from a case (on the case's timeline).
pub const CARD_ADDED: &str = "library_added";
/// Event: a card's text changed (the fields named).
pub const CARD_EDITED: &str = "library_edited";
/// Event: a card published.
pub const CARD_PUBLISHED: &str = "library_published";

/// The words a card is made with, in the desk's language.
fn card_words(config: &Config) -> CardWords {
    let catalog = config.catalogs().get(config.language);
    let text = |key: &str| catalog.text(key).to_string();
    CardWords {
        marks: Marks {
            person: text("library.mark_person"),
            phone: text("library.mark_phone"),
            unit: text("library.mark_unit"),
        },
        accepted: text("library.reply_accepted"),
        declined: text("library.reply_declined"),
    }
}

/// Makes the draft card of closed case `c` inside a write, with its event on the case's
/// timeline; refused when the case has a card already.
pub(crate) fn add_in(
    tx: &Db<'_>,
    config: &Config,
    agent: &str,
    now: DateTime<Utc>,
    c: &Complaint,
) -> Result<Card> {
    if let Some(id) = cards::of_complaint(tx, c.id)? {
        return Err(Error::new("error.library_exists")
            .arg("number", &c.number)
            .arg("id", id));
    }
    let new = library::card_from(c, &card_words(config))?;
    let id = cards::insert(tx, &new, agent, now)?;
    super::access::record(
        tx,
        now,
        agent,
        Some(c.id),
        CARD_ADDED,
        serde_json::json!({ "card": id, "category": new.category }),
    )?;
    cards::by_id(tx, id)?.ok_or_else(|| Error::new("error.library_not_found").arg("id", id))
}

impl Desk {
    /// Whether the acting agent may add, edit and publish cards.
    pub fn curates_library(&self) -> bool {
        self.can(Permission::CurateLibrary)
    }

    /// Makes closed case `number` into a draft card, the person removed (a curator's move;
    /// closing a case with the tick does it for whoever closes, see [`Desk::close_to_library`]).
    pub fn library_add(&mut self, number_text: &str) -> Result<Card> {
        self.check_site_of(number_text)?;
        let found = self
            .store
            .complaint_by_number(&number::normalise(number_text))?
            .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
        self.permit(Permission::CurateLibrary, Some(found.id))?;
        let (config, agent, now) = (&self.config, self.agent.clone(), self.clock.now());
        self.store.write(|tx| {
            let c = complaints::by_number(tx, &found.number)?
                .ok_or_else(|| Error::new("error.not_found").arg("number", number_text.trim()))?;
            add_in(tx, config, &agent, now, &c)
        })
    }

    /// Changes the fields of card `id` that `edit` gives (a curator's move); with
    /// `expected_version`, a card changed meanwhile is refused.
    pub fn library_edit(
        &mut self,
        id: i64,
        edit: &CardEdit,
        expected_version: Option<i64>,
    ) -> Result<Card> {
        self.permit(Permission::CurateLibrary, None)?;
        let (agent, now) = (self.agent.clone(), self.clock.now());
        let marks = card_words(&self.config).marks;
        self.store.write(|tx| {
            let card = stored(tx, id, expected_version)?;
            let (after, changed) = library::edited(&card, edit, &marks)?;
            if changed.is_empty() {
                return Ok(card);
            }
            cards::update(tx, &after, now)?;
            super::access::record(
                tx,
                now,
                &agent,
                None,
                CARD_EDITED,
                serde_json::json!({ "card": id, "fields": changed }),
            )?;
            stored(tx, id, None)
        })
    }

    /// Publishes card `id` (a curator's move): it needs facts and a lesson. Publishing a
    /// published card changes nothing.
    pub fn library_publish(&mut self, id: i64, expected_version: Option<i64>) -> Result<Card> {
        self.permit(Permission::CurateLibrary, None)?;
        let (agent, now) = (self.agent.clone(), self.clock.now());
        self.store.write(|tx| {
            let mut card = stored(tx, id, expected_version)?;
            if card.status == CardStatus::Published {
                return Ok(card);
            }
            library::publishable(&card)?;
            card.status = CardStatus::Published;
            card.published_at = Some(now);
            cards::update(tx, &card, now)?;
            super::access::record(
                tx,
                now,
                &agent,
                None,
                CARD_PUBLISHED,
                serde_json::json!({ "card": id, "category": card.category }),
            )?;
            stored(tx, id, None)
        })
    }

    /// Card `id`; a draft only to a curator.
    pub fn library_card(&self, id: i64) -> Result<Card> {
        self.actor()?;
        self.store
            .library_card(id)?
            .filter(|c| c.status == CardStatus::Published || self.curates_library())
            .ok_or_else(|| Error::new("error.library_not_found").arg("id", id))
    }

    /// The cards `filter` keeps, newest first, at most `limit`; drafts only to a curator.
    pub fn library_list(&self, filter: &CardFilter, limit: u32) -> Result<Vec<Card>> {
        self.actor()?;
        let mut filter = filter.clone();
        if !self.curates_library() {
            if filter.status == Some(CardStatus::Draft) {
                return Ok(Vec::new());
            }
            filter.status = Some(CardStatus::Published);
        }
        self.store.library_list(&filter, limit)
    }

    /// Every published card, oldest first (for training sessions: `library export`).
    pub fn library_published(&self) -> Result<Vec<Card>> {
        self.actor()?;
        self.store.library_published()
    }

    /// The published cards most like a case of `category` described by `description`:
    /// the same category first, then the most pairs of characters shared, at most
    /// [`SIMILAR`].
    pub fn similar_cards(&self, category: &str, description: &str) -> Result<Vec<Card>> {
        self.actor()?;
        let words = similar_words(description);
        let candidates = self.store.library_candidates(category, &words, SIMILAR)?;
        let mut out = Vec::new();
        for id in rank_similar(category, &words, &candidates, SIMILAR) {
            if let Some(card) = self.store.library_card(id)? {
                out.push(card);
            }
        }
        Ok(out)
    }
}

/// Card `id` as stored, checked against the version the agent saw.
fn stored(tx: &Db<'_>, id: i64, expected_version: Option<i64>) -> Result<Card> {
    let card =
        cards::by_id(tx, id)?.ok_or_else(|| Error::new("error.library_not_found").arg("id", id))?;
    if let Some(v) = expected_version
        && v != card.version
    {
        return Err(Error::new("error.library_changed")
            .arg("id", id)
            .arg("expected", v)
            .arg("version", card.version));
    }
    Ok(card)
}
