//! The case library (典型案例, F8): the case cards newest first, a search line on top (a text
//! field: an input method works in it; Enter searches as the case search does) and the
//! category shown, Tab / Shift+Tab to the next or the previous one. Enter opens a card: its
//! category, party and text, each section under its label. A curator (curate_library) sees
//! the drafts too, marked; on the card open, `e` edits it (the party and each section, any
//! name, phone or unit typed taken out by the desk) and `p` publishes it; others read the
//! published cards. A long card scrolls.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::{CardFilter, CardStatus, LibraryCard};
use crate::error::Error;
use crate::text::{fit, sanitize_line, sanitize_lines, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::forms::card::CardForm;
use crate::tui::keymap::{Binding, HELP_HINT, Help, ch, footer, help_rows, key, lookup, plain};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::panes::Room;
use crate::tui::theme;
use crate::tui::widgets::field::TextField;
use crate::tui::widgets::form::FormStep;

/// Cards a list reads at most.
pub const LIMIT: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Up,
    Down,
    Open,
    Query,
    Leave,
    NextCategory,
    PrevCategory,
    Reload,
    Publish,
    Edit,
    ScrollDown,
    ScrollUp,
    PageDown,
    PageUp,
}

/// The keys while the list has the focus.
const LIST_KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Up)], Cmd::Up).help("Up / Down", "help.list_move"),
    Binding::new(&[key(KeyCode::Down)], Cmd::Down),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.library_open")
        .hint_at(0, "keys.library_card"),
    Binding::new(&[ch('/')], Cmd::Query)
        .help("/", "help.library_query")
        .hint_at(1, "keys.query"),
    Binding::new(&[key(KeyCode::Tab)], Cmd::NextCategory)
        .help("Tab / Shift+Tab", "help.library_category")
        .hint_at(2, "keys.library_category"),
    Binding::new(&[key(KeyCode::BackTab)], Cmd::PrevCategory),
    Binding::new(&[ch('r'), ch('R')], Cmd::Reload).help("r", "help.refresh"),
];

/// The keys while the search line has the focus: every other key is text.
const QUERY_KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.library_search")
        .hint_at(0, "keys.library_search"),
    Binding::new(&[key(KeyCode::Down)], Cmd::Down).help("Down", "help.library_to_list"),
    Binding::new(&[key(KeyCode::Esc)], Cmd::Leave)
        .help("Esc", "help.case_leave")
        .hint_at(1, "keys.leave_query"),
    Binding::new(&[key(KeyCode::Tab)], Cmd::NextCategory)
        .help("Tab / Shift+Tab", "help.library_category")
        .hint_at(2, "keys.library_category"),
    Binding::new(&[key(KeyCode::BackTab)], Cmd::PrevCategory),
];

/// The keys while a card is open; the first [`CURATORS_ONLY`] are a curator's.
const CARD_KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[ch('p'), ch('P')], Cmd::Publish)
        .help("p", "help.library_publish")
        .hint_at(0, "keys.library_publish"),
    Binding::new(&[ch('e'), ch('E')], Cmd::Edit)
        .help("e", "help.library_edit")
        .hint_at(1, "keys.library_edit"),
    Binding::new(&[key(KeyCode::Esc), key(KeyCode::Backspace)], Cmd::Leave)
        .help("Esc / Backspace", "help.library_back")
        .hint_at(2, "keys.library_back"),
    Binding::new(&[key(KeyCode::Down), ch('j')], Cmd::ScrollDown)
        .help("Up/Down/j/k PgUp/PgDn/Space", "help.library_scroll"),
    Binding::new(&[key(KeyCode::Up), ch('k')], Cmd::ScrollUp),
    Binding::new(&[key(KeyCode::PageDown), ch(' ')], Cmd::PageDown),
    Binding::new(&[key(KeyCode::PageUp)], Cmd::PageUp),
];

/// How many of [`CARD_KEYS`], first, only a curator has.
const CURATORS_ONLY: usize = 2;

/// Results that come back to the pane.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The cards of the filter, and whether the agent curates the library.
    Listed {
        /// What was read for.
        filter: CardFilter,
        /// The cards, newest first.
        cards: Vec<LibraryCard>,
        /// The acting agent may edit and publish.
        curator: bool,
    },
    /// A card was published.
    Published(Box<LibraryCard>),
    /// A card was edited: the card as it is now.
    Edited(Box<LibraryCard>),
    /// The desk refused an edit (a stale version, an empty lesson on a published card…);
    /// nothing changed, the form stays.
    EditRefused(Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Focus {
    #[default]
    List,
    Query,
}

/// The pane's state.
#[derive(Debug, Clone)]
pub struct Library {
    focus: Focus,
    query: TextField,
    /// The category shown by key: none for all.
    category: Option<String>,
    cards: Vec<LibraryCard>,
    selected: usize,
    open: Option<usize>,
    curator: bool,
    loaded: bool,
    /// How far the open card is scrolled (rows).
    scroll: u16,
    /// The edit form over the open card.
    edit: Option<CardForm>,
}

impl Default for Library {
    fn default() -> Self {
        Library {
            focus: Focus::List,
            query: TextField::line(""),
            category: None,
            cards: Vec::new(),
            selected: 0,
            open: None,
            curator: false,
            loaded: false,
            scroll: 0,
            edit: None,
        }
    }
}

impl Library {
    /// The cards shown.
    pub fn cards(&self) -> &[LibraryCard] {
        &self.cards
    }

    /// The card open, if any.
    pub fn open_card(&self) -> Option<&LibraryCard> {
        self.open.and_then(|i| self.cards.get(i))
    }

    /// The edit form open, if any.
    pub fn edit_form(&self) -> Option<&CardForm> {
        self.edit.as_ref()
    }

    /// The filter of what is shown.
    fn filter(&self) -> CardFilter {
        let text = self.query.value();
        CardFilter {
            category: self.category.clone(),
            status: None,
            text: (!text.trim().is_empty()).then_some(text),
        }
    }

    fn load(&self) -> Vec<Effect> {
        vec![Effect::LoadLibrary(self.filter())]
    }

    /// Takes a result of the pane's effects.
    pub fn update(&mut self, msg: Msg, _ctx: &Ctx<'_>) -> Out {
        match msg {
            Msg::Listed {
                filter,
                cards,
                curator,
            } => {
                // A list read for an older filter is dropped.
                if filter != self.filter() {
                    return Out::none();
                }
                let open_id = self.open_card().map(|c| c.id);
                self.cards = cards;
                self.curator = curator;
                self.loaded = true;
                self.selected = self.selected.min(self.cards.len().saturating_sub(1));
                self.open = open_id.and_then(|id| self.cards.iter().position(|c| c.id == id));
                Out::none()
            }
            Msg::Published(card) => {
                let id = card.id;
                if let Some(slot) = self.cards.iter_mut().find(|c| c.id == id) {
                    *slot = *card;
                }
                Out::notice(Notice::CardPublished(id))
            }
            Msg::Edited(card) => {
                let id = card.id;
                if let Some(slot) = self.cards.iter_mut().find(|c| c.id == id) {
                    *slot = *card;
                }
                if self.edit.as_ref().is_some_and(|f| f.id() == id) {
                    self.edit = None;
                }
                Out::notice(Notice::CardEdited(id))
            }
            Msg::EditRefused(err) => {
                if let Some(form) = &mut self.edit {
                    form.refused(err.clone());
                }
                Out::notice(Notice::Failed(err))
            }
        }
    }

    fn step_category(&mut self, ctx: &Ctx<'_>, forward: bool) -> Out {
        let all = &ctx.config.policy.categories;
        let n = all.len();
        let at = self
            .category
            .as_ref()
            .and_then(|k| all.iter().position(|c| &c.key == k));
        let next = match (at, forward) {
            (None, true) if n > 0 => Some(0),
            (None, false) if n > 0 => Some(n - 1),
            (Some(i), true) if i + 1 < n => Some(i + 1),
            (Some(i), false) if i > 0 => Some(i - 1),
            _ => None,
        };
        self.category = next.and_then(|i| all.get(i)).map(|c| c.key.clone());
        self.selected = 0;
        self.open = None;
        Out::effects(self.load())
    }

    fn query_key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        match lookup(QUERY_KEYS, &event) {
            Some(Cmd::Open) => {
                self.focus = Focus::List;
                self.selected = 0;
                Out::effects(self.load())
            }
            Some(Cmd::Down) => {
                self.focus = Focus::List;
                Out::none()
            }
            Some(Cmd::Leave) => {
                if self.query.is_empty() {
                    self.focus = Focus::List;
                    Out::none()
                } else {
                    self.query = TextField::line("");
                    Out::effects(self.load())
                }
            }
            Some(Cmd::NextCategory) => self.step_category(ctx, true),
            Some(Cmd::PrevCategory) => self.step_category(ctx, false),
            _ => {
                if plain(&event) {
                    self.query.input(event);
                }
                Out::none()
            }
        }
    }

    fn card_key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if let Some(form) = &mut self.edit {
            return match form.key(event) {
                FormStep::Submit => Out::effect(form.effect()),
                FormStep::Cancel => {
                    self.edit = None;
                    Out::none()
                }
                FormStep::Changed(_) | FormStep::Nothing => Out::none(),
            };
        }
        // The card is drawn in the body, inside its frame.
        let body = ctx.body();
        let (cols, rows) = (body.width.saturating_sub(2), body.height.saturating_sub(2));
        let max = self.open_card().map_or(0, |card| {
            (card_lines(ctx, card, cols.into()).len() as u16).saturating_sub(rows)
        });
        let page = rows.saturating_sub(1).max(1);
        let cmd = lookup(CARD_KEYS, &event);
        self.scroll = match cmd {
            Some(Cmd::ScrollDown) => self.scroll.saturating_add(1),
            Some(Cmd::ScrollUp) => self.scroll.saturating_sub(1),
            Some(Cmd::PageDown) => self.scroll.saturating_add(page),
            Some(Cmd::PageUp) => self.scroll.saturating_sub(page),
            _ => self.scroll,
        }
        .min(max);
        match cmd {
            Some(Cmd::Leave) => {
                self.open = None;
                Out::none()
            }
            Some(Cmd::Edit) => match self.open_card() {
                Some(card) if self.curator => {
                    self.edit = Some(CardForm::open(ctx, card));
                    Out::none()
                }
                Some(_) => Out::notice(Notice::Failed(Error::new("error.library_read_only"))),
                None => Out::none(),
            },
            Some(Cmd::Publish) => match self.open_card() {
                Some(card) if self.curator && card.status == CardStatus::Draft => {
                    Out::effect(Effect::PublishCard {
                        id: card.id,
                        version: card.version,
                    })
                }
                Some(_) if !self.curator => {
                    Out::notice(Notice::Failed(Error::new("error.library_read_only")))
                }
                _ => Out::none(),
            },
            _ => Out::none(),
        }
    }

    /// The category's name as shown (all of them when none).
    fn category_name(&self, ctx: &Ctx<'_>) -> String {
        match &self.category {
            Some(key) => ctx.config.category_name(key, ctx.lang),
            None => ctx.catalog.text("tui.library_all").to_string(),
        }
    }

    fn render_list(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let keys = match self.focus {
            Focus::List => footer(c, LIST_KEYS, HELP_HINT, "  "),
            Focus::Query => footer(c, QUERY_KEYS, HELP_HINT, "  "),
        };
        let inner =
            crate::tui::widgets::pane_frame(frame, area, c.text("tui.library_title"), &keys);
        if inner.height < 3 {
            return;
        }
        let cols = inner.width as usize;
        // The search line, the caret placed for the input method.
        let label = format!("{} ", c.text("tui.query_label"));
        let label_w = width(&label) as u16;
        let line = Rect { height: 1, ..inner };
        frame.render_widget(Span::styled(label, theme::label_focused()), line);
        let input = Rect {
            x: line.x + label_w.min(line.width),
            width: line.width.saturating_sub(label_w),
            ..line
        };
        frame.render_widget(self.query.widget(), input);
        if self.query.is_empty() && self.focus == Focus::List {
            frame.render_widget(
                Span::styled(c.text("tui.library_query_hint").to_string(), theme::hint()),
                input,
            );
        }
        if self.focus == Focus::Query {
            frame.set_cursor_position(self.query.caret(input));
        }
        let mut lines: Vec<Line<'static>> = Vec::new();
        let count = c.format(
            "tui.library_count",
            &[("count", self.cards.len().to_string())],
        );
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {}", c.text("card.category"), self.category_name(ctx)),
                theme::tab_active(),
            ),
            Span::raw(format!("  {count}")),
        ]));
        let status_w = ["card_status.draft", "card_status.published"]
            .iter()
            .map(|k| width(c.text(k)))
            .max()
            .unwrap_or(0);
        if self.cards.is_empty() && self.loaded {
            lines.push(Line::styled(
                c.text("tui.library_empty").to_string(),
                theme::hint(),
            ));
        }
        let rows = (inner.height as usize).saturating_sub(2);
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        for (i, card) in self.cards.iter().enumerate().skip(first).take(rows) {
            let status = fit(
                c.text(&format!("card_status.{}", card.status.as_str())),
                status_w,
            );
            let category = fit(
                &sanitize_line(&ctx.config.category_name(&card.category, ctx.lang)),
                10,
            );
            let head = format!("{:>5}  {status}  {category}  ", card.id);
            let rest = cols.saturating_sub(width(&head));
            let text = format!(
                "{head}{}",
                fit(&sanitize_line(&card.text.facts.replace('\n', " ")), rest)
            );
            let style = if i == self.selected && self.focus == Focus::List {
                theme::selected()
            } else if card.status == CardStatus::Draft {
                theme::hint()
            } else {
                ratatui::style::Style::default()
            };
            lines.push(Line::styled(text, style));
        }
        let body = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(lines), body);
    }

    /// The keys of the open card for this agent (a curator's first).
    fn card_keys(&self) -> &'static [Binding<Cmd>] {
        if self.curator {
            CARD_KEYS
        } else {
            &CARD_KEYS[CURATORS_ONLY..]
        }
    }

    fn render_card(&self, ctx: &Ctx<'_>, card: &LibraryCard, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let keys = footer(c, self.card_keys(), HELP_HINT, "  ");
        let title = format!(
            "{}  {}",
            c.format("card.title", &[("id", card.id.to_string())]),
            c.text(&format!("card_status.{}", card.status.as_str()))
        );
        let inner = crate::tui::widgets::pane_frame(frame, area, &title, &keys);
        let lines = card_lines(ctx, card, inner.width as usize);
        let max = (lines.len() as u16).saturating_sub(inner.height);
        frame.render_widget(
            Paragraph::new(lines).scroll((self.scroll.min(max), 0)),
            inner,
        );
        if let Some(form) = &self.edit {
            form.render(ctx, frame, area);
        }
    }
}

/// The rows of card `card` open, wrapped to `cols` columns: its category and party, then
/// each section of its text under its label.
fn card_lines(ctx: &Ctx<'_>, card: &LibraryCard, cols: usize) -> Vec<Line<'static>> {
    let c = ctx.catalog;
    let mut lines: Vec<Line<'static>> = vec![Line::from(vec![
        Span::styled(format!("{} ", c.text("card.category")), theme::label()),
        Span::raw(sanitize_line(
            &ctx.config.category_name(&card.category, ctx.lang),
        )),
        Span::raw("   "),
        Span::styled(format!("{} ", c.text("card.party")), theme::label()),
        Span::raw(sanitize_line(&party_name(ctx, &card.party))),
    ])];
    for (label, text) in [
        ("card.facts", &card.text.facts),
        ("card.plan", &card.text.plan),
        ("card.reply", &card.text.reply),
        ("card.outcome", &card.text.outcome),
        ("card.root_cause", &card.text.root_cause),
        ("card.lesson", &card.text.lesson),
    ] {
        if text.trim().is_empty() {
            continue;
        }
        lines.push(Line::styled(c.text(label).to_string(), theme::label()));
        for l in sanitize_lines(text) {
            lines.extend(
                wrap_hanging(&format!("  {l}"), cols)
                    .into_iter()
                    .map(Line::raw),
            );
        }
    }
    lines
}

/// A configured party's name, else the text as it is.
fn party_name(ctx: &Ctx<'_>, party: &str) -> String {
    if party.is_empty() {
        return String::new();
    }
    ctx.config.party_name(party, ctx.lang)
}

impl Room for Library {
    fn key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.open.is_some() {
            return self.card_key(event, ctx);
        }
        if self.focus == Focus::Query {
            return self.query_key(event, ctx);
        }
        match lookup(LIST_KEYS, &event) {
            Some(Cmd::Up) => {
                self.selected = self.selected.saturating_sub(1);
                Out::none()
            }
            Some(Cmd::Down) => {
                if self.selected + 1 < self.cards.len() {
                    self.selected += 1;
                }
                Out::none()
            }
            Some(Cmd::Open) if !self.cards.is_empty() => {
                self.open = Some(self.selected);
                self.scroll = 0;
                Out::none()
            }
            Some(Cmd::Query) => {
                self.focus = Focus::Query;
                Out::none()
            }
            Some(Cmd::NextCategory) => self.step_category(ctx, true),
            Some(Cmd::PrevCategory) => self.step_category(ctx, false),
            Some(Cmd::Reload) => Out::effects(self.load()),
            _ => Out::none(),
        }
    }

    fn paste(&mut self, text: &str) -> Out {
        let removed = match (&mut self.edit, self.open) {
            (Some(form), _) => form.paste(text),
            (None, Some(_)) => return Out::none(),
            (None, None) => {
                self.focus = Focus::Query;
                self.query.paste(text)
            }
        };
        if removed > 0 {
            Out::notice(Notice::PasteCleaned(removed))
        } else {
            Out::none()
        }
    }

    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        match self.open_card() {
            Some(card) => self.render_card(ctx, card, frame, area),
            None => self.render_list(ctx, frame, area),
        }
    }

    fn help(&self) -> Vec<Help> {
        if let Some(form) = &self.edit {
            return form.help();
        }
        if self.open.is_some() {
            return help_rows(self.card_keys()).collect();
        }
        match self.focus {
            Focus::List => help_rows(LIST_KEYS).collect(),
            Focus::Query => help_rows(QUERY_KEYS).collect(),
        }
    }

    fn enter(&mut self, _again: bool) -> Vec<Effect> {
        self.load()
    }

    fn refresh(&mut self) -> Vec<Effect> {
        self.load()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Preset};
    use crate::desk::CardText;
    use crate::i18n::Lang;
    use crate::tui::keymap::tests::check_table;
    use chrono::{DateTime, Utc};
    use crossterm::event::KeyModifiers;

    fn press(lib: &mut Library, ctx: &Ctx<'_>, code: KeyCode) -> Out {
        lib.key(KeyEvent::new(code, KeyModifiers::NONE), ctx)
    }

    fn long_card() -> LibraryCard {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        LibraryCard {
            id: 1,
            category: "leak".into(),
            party: String::new(),
            text: CardText {
                facts: (1..=40)
                    .map(|i| format!("第{i}行"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                lesson: "先查楼上".into(),
                ..CardText::default()
            },
            status: CardStatus::Draft,
            version: 1,
            created_at: at,
            updated_at: at,
            published_at: None,
        }
    }

    #[test]
    fn the_pane_keys() {
        check_table(LIST_KEYS);
        check_table(QUERY_KEYS);
        check_table(CARD_KEYS);
    }

    /// A long card scrolls as far as its last row and no further; `e` edits it for a
    /// curator only.
    #[test]
    fn a_long_card_scrolls_to_its_end_and_a_curator_edits_it() {
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let ctx = Ctx::new(&config, Lang::ZhCn);
        let mut lib = Library::default();
        let listed = |curator| Msg::Listed {
            filter: CardFilter::default(),
            cards: vec![long_card()],
            curator,
        };
        lib.update(listed(false), &ctx);
        press(&mut lib, &ctx, KeyCode::Enter);
        for _ in 0..10 {
            press(&mut lib, &ctx, KeyCode::PageDown);
        }
        // Category line, two labels, 40 facts rows and the lesson, in the body's frame.
        let rows = ctx.body().height - 2;
        assert_eq!(lib.scroll, 1 + 1 + 40 + 1 + 1 - rows);
        press(&mut lib, &ctx, KeyCode::Up);
        assert_eq!(lib.scroll, 1 + 1 + 40 + 1 + 1 - rows - 1);
        let out = press(&mut lib, &ctx, KeyCode::Char('e'));
        assert!(lib.edit_form().is_none(), "an agent reads");
        assert!(matches!(out.notice, Some(Notice::Failed(_))));

        lib.update(listed(true), &ctx);
        press(&mut lib, &ctx, KeyCode::Char('e'));
        assert_eq!(lib.edit_form().map(CardForm::id), Some(1));
        let out = lib.key(
            KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
            &ctx,
        );
        assert!(matches!(
            out.effects.as_slice(),
            [Effect::EditCard {
                id: 1,
                version: 1,
                ..
            }]
        ));
        lib.update(Msg::Edited(Box::new(long_card())), &ctx);
        assert!(lib.edit_form().is_none(), "saved: the form closes");
    }
}
