//! The form that edits a card of the case library (a curator's review before it is
//! published, or a correction after): the responsible party and the six sections of its
//! text. It belongs to one card at the version it was opened at; Ctrl+S turns it into the
//! edit, which the desk applies with that version (a card changed meanwhile is refused) and
//! cleans of any name, phone or unit typed into it.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::desk::{CardEdit, LibraryCard};
use crate::error::Error;
use crate::text::{fit, sanitize_line};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Help;
use crate::tui::msg::Effect;
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormStep, popup};

/// Rows of each section's input.
const SECTION_ROWS: u16 = 3;

/// The sections of a card's text, as the form and the desk name them.
const SECTIONS: [(&str, &str); 6] = [
    ("facts", "card.facts"),
    ("plan", "card.plan"),
    ("reply", "card.reply"),
    ("outcome", "card.outcome"),
    ("root_cause", "card.root_cause"),
    ("lesson", "card.lesson"),
];

/// An open card form.
#[derive(Debug, Clone)]
pub struct CardForm {
    id: i64,
    version: i64,
    form: Form,
    /// The card's category, for the head.
    category: String,
}

impl CardForm {
    /// The form of `card`, filled with what it holds.
    pub fn open(ctx: &Ctx<'_>, card: &LibraryCard) -> CardForm {
        // The configured parties; a party written out (a department) stays one of the
        // choices, and "none" is one too.
        let mut parties = vec![(String::new(), ctx.catalog.text("tui.no_party").to_string())];
        parties.extend(
            ctx.config
                .policy
                .parties
                .iter()
                .map(|p| (p.key.clone(), ctx.config.party_name(&p.key, ctx.lang))),
        );
        if !parties.iter().any(|(k, _)| *k == card.party) {
            parties.push((card.party.clone(), sanitize_line(&card.party)));
        }
        let t = &card.text;
        let texts = [
            &t.facts,
            &t.plan,
            &t.reply,
            &t.outcome,
            &t.root_cause,
            &t.lesson,
        ];
        let mut form = Form::new().choice("party", "card.party", parties, Some(&card.party));
        for ((id, label), text) in SECTIONS.into_iter().zip(texts) {
            form = form.multi(id, label, text, SECTION_ROWS);
        }
        CardForm {
            id: card.id,
            version: card.version,
            form: form.focus_first(),
            category: ctx.config.category_name(&card.category, ctx.lang),
        }
    }

    /// The card's number.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The form's inputs.
    pub fn form(&self) -> &Form {
        &self.form
    }

    /// The keys of the form, for the help.
    pub fn help(&self) -> Vec<Help> {
        self.form.help()
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) -> FormStep {
        self.form.key(key)
    }

    /// Pasted text into the focused input; how many unsafe characters were left out.
    pub fn paste(&mut self, text: &str) -> usize {
        self.form.paste(text).1
    }

    /// The edit as the form stands: every field given (the desk records only the changed).
    pub fn edit(&self) -> CardEdit {
        let text = |id: &str| Some(self.form.text_of(id));
        CardEdit {
            party: Some(self.form.chosen("party").unwrap_or_default().to_string()),
            facts: text("facts"),
            plan: text("plan"),
            reply: text("reply"),
            outcome: text("outcome"),
            root_cause: text("root_cause"),
            lesson: text("lesson"),
        }
    }

    /// What saving the form asks of the desk.
    pub fn effect(&self) -> Effect {
        Effect::EditCard {
            id: self.id,
            version: self.version,
            edit: Box::new(self.edit()),
        }
    }

    /// Shows the desk's refusal beside the input it names.
    pub fn refused(&mut self, err: Error) {
        let field = err.get("field").map(str::to_string);
        self.form.refuse(err, field.as_deref());
    }

    /// Draws the form as a popup over `area`.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let title = c.format("tui.card_edit_title", &[("id", self.id.to_string())]);
        let head = |cols: usize| {
            vec![Line::styled(
                fit(
                    &format!(
                        "{} {}  {}",
                        c.text("card.category"),
                        sanitize_line(&self.category),
                        c.text("tui.card_edit_hint")
                    ),
                    cols,
                ),
                theme::hint(),
            )]
        };
        popup(ctx, frame, area, &title, &head, &self.form);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Preset};
    use crate::desk::{CardStatus, CardText};
    use crate::i18n::Lang;
    use chrono::{DateTime, Utc};
    use crossterm::event::{KeyCode, KeyModifiers};

    fn card(party: &str) -> LibraryCard {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        LibraryCard {
            id: 4,
            category: "leak".into(),
            party: party.into(),
            text: CardText {
                facts: "楼上渗水".into(),
                lesson: "先查楼上".into(),
                ..CardText::default()
            },
            status: CardStatus::Draft,
            version: 3,
            created_at: at,
            updated_at: at,
            published_at: None,
        }
    }

    #[test]
    fn the_form_holds_the_card_and_gives_the_edit_at_its_version() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let ctx = Ctx::new(&config, Lang::ZhCn);
        let mut f = CardForm::open(&ctx, &card("工程部"));
        assert_eq!(
            f.form().chosen("party"),
            Some("工程部"),
            "a department kept"
        );
        assert_eq!(f.form().text_of("facts"), "楼上渗水");
        // Left moves the party to the configured one before it.
        f.key(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        assert_ne!(f.form().chosen("party"), Some("工程部"));
        f.key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        f.paste("，已查明");
        let Effect::EditCard { id, version, edit } = f.effect() else {
            panic!("an edit");
        };
        assert_eq!((id, version), (4, 3));
        assert_eq!(edit.facts.as_deref(), Some("楼上渗水，已查明"));
        assert_eq!(edit.lesson.as_deref(), Some("先查楼上"));

        let f = CardForm::open(&ctx, &card("developer"));
        assert_eq!(f.form().chosen("party"), Some("developer"));
    }
}
