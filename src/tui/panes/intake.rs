//! Intake: the form a complaint is taken in while the customer talks. Tab and Shift+Tab
//! move between fields, Enter is a newline in the description, Ctrl+S saves, Ctrl+N starts
//! a new form (asking first when something is typed: the draft goes with it). What is typed
//! is kept as a draft (debounced) and the complainant's earlier complaints are looked up as
//! the phone or location is typed.
//!
//! The site is chosen by typing a few characters: the configured sites matching them are
//! offered in the side panel (beside the field when there is none), Up/Down move among
//! them and Enter takes one; Tab keeps the text as typed (free entry). Further categories
//! are a multi-choice: Left/Right or a typed character move a cursor over the categories
//! and Space adds or removes the one under it.
//!
//! The intake script (thanks and an apology, for the category typed) shows under the side
//! panel (under the form on a narrow terminal); Ctrl+Y copies it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::desk::script::{Subject, script};
use crate::desk::{REPEAT_MIN_DIGITS, REPEAT_MIN_LOCATION};
use crate::domain::complaint::{Channel, Complaint, MAX_EXTRA_CATEGORIES, NewComplaint};
use crate::domain::script::Moment;
use crate::error::Error;
use crate::text::{fit, sanitize_line, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, HELP_HINT, Help, ctrl, footer, help_rows, key, lookup, plain};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::panes::Room;
use crate::tui::theme;
use crate::tui::widgets::confirm::{self, Answer};
use crate::tui::widgets::duplicates::{self, Choice};
use crate::tui::widgets::earlier::{self, Choice as EarlierChoice};
use crate::tui::widgets::field::TextField;
use crate::tui::widgets::form::{choice_line, choose};
use crate::tui::widgets::script::{self as script_box, Said};

/// Ticks of quiet typing before the draft is saved.
const DRAFT_QUIET_TICKS: u32 = 2;
/// Ticks after the first unsaved change by which the draft is saved even while typing goes on.
const DRAFT_MAX_TICKS: u32 = 8;
/// Most sites offered at once.
const SITE_OFFERS: usize = 8;

/// The fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// How it came in (a choice).
    Channel,
    /// Complainant's name.
    Name,
    /// Complainant's phone.
    Phone,
    /// The site: a configured one chosen by typing, or free text.
    Site,
    /// Unit, building or address.
    Location,
    /// Category (a choice).
    Category,
    /// Further categories (a multi-choice).
    Extra,
    /// What happened (several lines).
    Description,
    /// What the customer asks for.
    Outcome,
    /// Whether an apology was made (a tick box).
    Apologized,
}

impl Field {
    const ORDER: [Field; 10] = [
        Field::Channel,
        Field::Name,
        Field::Phone,
        Field::Site,
        Field::Location,
        Field::Category,
        Field::Extra,
        Field::Description,
        Field::Outcome,
        Field::Apologized,
    ];

    fn label_key(self) -> &'static str {
        match self {
            Field::Channel => "label.channel",
            Field::Name => "label.name",
            Field::Phone => "label.phone",
            Field::Site => "label.site",
            Field::Location => "label.location",
            Field::Category => "label.category",
            Field::Extra => "label.extra_categories",
            Field::Description => "label.description",
            Field::Outcome => "label.outcome",
            Field::Apologized => "label.apologized",
        }
    }

    /// The form field a validation error names (`field` argument of the error).
    fn of_error(err: &Error) -> Option<Field> {
        match err.key {
            "error.unknown_category" if err.get("field") != Some("extra_categories") => {
                return Some(Field::Category);
            }
            "error.phone_invalid" => return Some(Field::Phone),
            _ => {}
        }
        match err.get("field")? {
            "channel" => Some(Field::Channel),
            "name" => Some(Field::Name),
            "phone" => Some(Field::Phone),
            "site" => Some(Field::Site),
            "location" => Some(Field::Location),
            "category" => Some(Field::Category),
            "extra_categories" => Some(Field::Extra),
            "description" => Some(Field::Description),
            "outcome" => Some(Field::Outcome),
            _ => None,
        }
    }

    fn offset(self, by: isize) -> Field {
        let n = Field::ORDER.len() as isize;
        let i = Field::ORDER.iter().position(|f| *f == self).unwrap_or(0) as isize;
        Field::ORDER[(i + by).rem_euclid(n) as usize]
    }
}

/// What the form's keys do (text keys go to the focused field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    /// Save the form as a complaint.
    Save,
    /// Start over with an empty form.
    Clear,
    /// The next field.
    Next,
    /// The previous field.
    Prev,
    /// The next offered site, else the next field, except in the description.
    NextLine,
    /// The previous offered site, else the previous field, except in the description.
    PrevLine,
    /// The offered site, else the next field, except in the description (a new line there).
    Enter,
    /// Choose one of the caller's earlier complaints to open.
    Earlier,
    /// Taken by the focused field itself (listed for the help).
    Field,
}

/// The intake form's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Down)], Cmd::NextLine).help("Up / Down", "help.site_offers"),
    Binding::new(&[key(KeyCode::Up)], Cmd::PrevLine),
    Binding::new(&[key(KeyCode::Tab)], Cmd::Next)
        .help("Tab / Shift+Tab", "help.fields")
        .hint_at(1, "keys.next_field"),
    Binding::new(&[key(KeyCode::BackTab)], Cmd::Prev),
    Binding::new(&[], Cmd::Field).help("Left / Right", "help.choose"),
    Binding::new(&[], Cmd::Field).help("Space", "help.toggle"),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Enter).help("Enter", "help.newline"),
    Binding::new(&[ctrl('s')], Cmd::Save)
        .help("Ctrl+S", "help.save")
        .hint_at(0, "keys.save"),
    Binding::new(&[ctrl('n')], Cmd::Clear)
        .help("Ctrl+N", "help.clear_form")
        .hint_at(2, "keys.new_form"),
    Binding::new(&[ctrl('o')], Cmd::Earlier).help("Ctrl+O", "help.open_earlier"),
];

/// Results that come back to the intake pane.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The form was recorded as this complaint.
    Saved(Box<Complaint>),
    /// The desk refused the form.
    Refused(Error),
    /// Earlier complaints of the person being typed in, and the open ones the call may be
    /// about.
    Repeats {
        /// Earlier complaints, newest first.
        earlier: Vec<Complaint>,
        /// Open complaints of the same phone, or place and category, within
        /// `duplicates.days`.
        open: Vec<Complaint>,
        /// The phone's complaints in the last twelve months (the repeat caller's badge).
        year: u64,
    },
    /// The call was attached to this open complaint.
    Attached(Box<Complaint>),
    /// A draft kept from before.
    Draft(Box<NewComplaint>),
}

/// The intake form.
#[derive(Debug, Clone)]
pub struct Intake {
    focus: Field,
    channel: usize,
    category: Option<usize>,
    name: TextField,
    phone: TextField,
    site: TextField,
    location: TextField,
    /// Further categories chosen (positions among the configured ones), in order chosen.
    extras: Vec<usize>,
    /// The category the further categories' cursor is on.
    extra_cursor: Option<usize>,
    description: TextField,
    outcome: TextField,
    apologized: bool,
    /// The highlighted one of the sites offered.
    offer: usize,
    error: Option<(Field, Error)>,
    repeats: Vec<Complaint>,
    /// The phone's complaints in the last twelve months.
    year: u64,
    /// Choosing an earlier complaint to open: the highlighted one.
    picking: Option<usize>,
    /// Open complaints the call may be about (offered before saving).
    open: Vec<Complaint>,
    /// Offering them: the highlighted one.
    offering: Option<usize>,
    unsaved: bool,
    quiet_ticks: u32,
    waiting_ticks: u32,
    lookup_pending: bool,
    /// Ctrl+S came before the lookup of what was typed last: the lookup's answer saves the
    /// form, or offers the open cases it found.
    save_after_lookup: bool,
    /// Asking whether to throw the typed form (and its draft) away for a new one.
    asking: bool,
    /// The care call (and its site) a low score opened this form for: saved with it.
    from_care: Option<(i64, String)>,
}

impl Default for Intake {
    fn default() -> Self {
        Intake {
            focus: Field::Name,
            channel: 0,
            category: None,
            name: TextField::line(""),
            phone: TextField::line(""),
            site: TextField::line(""),
            location: TextField::line(""),
            extras: Vec::new(),
            extra_cursor: None,
            description: TextField::multi_line(""),
            outcome: TextField::line(""),
            apologized: false,
            offer: 0,
            error: None,
            repeats: Vec::new(),
            year: 0,
            picking: None,
            open: Vec::new(),
            offering: None,
            unsaved: false,
            quiet_ticks: 0,
            waiting_ticks: 0,
            lookup_pending: false,
            save_after_lookup: false,
            asking: false,
            from_care: None,
        }
    }
}

impl Intake {
    /// The field with focus.
    pub fn focus(&self) -> Field {
        self.focus
    }

    /// The form as a complaint to record (or a draft to keep).
    pub fn form(&self, ctx: &Ctx<'_>) -> NewComplaint {
        NewComplaint {
            channel: Channel::ALL.get(self.channel).copied(),
            name: self.name.value(),
            phone: self.phone.value(),
            location: self.location.value(),
            category: self
                .category
                .and_then(|i| ctx.config.policy.categories.get(i))
                .map(|c| c.key.clone())
                .unwrap_or_default(),
            description: self.description.value(),
            outcome: self.outcome.value(),
            apologized: self.apologized,
            received_at: None,
            site: self.site.value(),
            extra_categories: self
                .extras
                .iter()
                .filter_map(|i| ctx.config.policy.categories.get(*i))
                .map(|c| c.key.clone())
                .collect(),
        }
    }

    /// The intake script for what is typed (its category decides which).
    pub fn script(&self, ctx: &Ctx<'_>) -> Said {
        let subject = Subject::typed(&self.form(ctx), ctx.config);
        script(ctx.config, ctx.lang, Moment::Intake, &subject)
    }

    /// The positions of the configured sites offered for the site text (best first).
    pub fn offers(&self, ctx: &Ctx<'_>) -> Vec<usize> {
        ctx.config
            .policy
            .sites()
            .matches(&self.site.value(), SITE_OFFERS)
    }

    /// The sites offered while the site field has focus (none elsewhere: no matching).
    fn offers_shown(&self, ctx: &Ctx<'_>) -> Vec<usize> {
        if self.focus == Field::Site && !self.asking {
            self.offers(ctx)
        } else {
            Vec::new()
        }
    }

    /// The highlighted one of `offers` (its position among the configured sites).
    fn highlighted(&self, offers: &[usize]) -> Option<usize> {
        offers
            .get(self.offer.min(offers.len().checked_sub(1)?))
            .copied()
    }

    /// Takes the highlighted site: its name in the interface language fills the field.
    fn take_offer(&mut self, site: usize, ctx: &Ctx<'_>) {
        if let Some(s) = ctx.config.policy.sites.get(site) {
            self.site = TextField::line(&ctx.config.site_name(&s.key, ctx.lang));
            self.changed(Field::Site);
        }
        self.focus = Field::Site.offset(1);
    }

    /// Adds or removes the category under the cursor (never the main one).
    fn toggle_extra(&mut self) {
        let Some(at) = self.extra_cursor.filter(|i| Some(*i) != self.category) else {
            return;
        };
        if let Some(i) = self.extras.iter().position(|e| *e == at) {
            self.extras.remove(i);
        } else if self.extras.len() >= MAX_EXTRA_CATEGORIES {
            let err = Error::new("error.too_many_categories")
                .arg("field", "extra_categories")
                .arg("max", MAX_EXTRA_CATEGORIES);
            self.error = Some((Field::Extra, err));
            return;
        } else {
            self.extras.push(at);
        }
        self.changed(Field::Extra);
    }

    /// Moves the further categories' cursor by `key` over every category but the main one.
    fn move_extra(&mut self, key: KeyEvent, ctx: &Ctx<'_>) {
        let labels = category_labels(ctx);
        let others: Vec<usize> = (0..labels.len())
            .filter(|i| Some(*i) != self.category)
            .collect();
        let names: Vec<String> = others.iter().map(|i| labels[*i].clone()).collect();
        let current = self
            .extra_cursor
            .and_then(|c| others.iter().position(|i| *i == c));
        if let Some(i) = choose(key, current, &names) {
            self.extra_cursor = others.get(i).copied();
        }
    }

    /// A new main category: it leaves the further ones, and the cursor if there.
    fn set_category(&mut self, chosen: usize) {
        self.category = Some(chosen);
        self.extras.retain(|e| *e != chosen);
        if self.extra_cursor == Some(chosen) {
            self.extra_cursor = None;
        }
        self.changed(Field::Category);
    }

    /// Whether nothing was entered (choices at their defaults, every text empty).
    pub fn is_blank(&self) -> bool {
        self.category.is_none()
            && self.extras.is_empty()
            && !self.apologized
            && [
                &self.name,
                &self.phone,
                &self.site,
                &self.location,
                &self.description,
                &self.outcome,
            ]
            .iter()
            .all(|f| f.is_empty())
    }

    /// Fills the form from a kept draft.
    pub fn restore(&mut self, draft: &NewComplaint, ctx: &Ctx<'_>) {
        let policy = &ctx.config.policy;
        let position = |text: &str| {
            let key = &policy.find_category(text)?.key;
            policy.categories.iter().position(|c| c.key == *key)
        };
        let category = position(&draft.category);
        let mut extras: Vec<usize> = Vec::new();
        for i in draft.extra_categories.iter().filter_map(|t| position(t)) {
            if Some(i) != category && !extras.contains(&i) {
                extras.push(i);
            }
        }
        let mut form = Intake {
            channel: draft
                .channel
                .and_then(|c| Channel::ALL.iter().position(|x| *x == c))
                .unwrap_or(0),
            category,
            extras,
            name: TextField::line(&draft.name),
            phone: TextField::line(&draft.phone),
            site: TextField::line(&draft.site),
            location: TextField::line(&draft.location),
            description: TextField::multi_line(&draft.description),
            outcome: TextField::line(&draft.outcome),
            apologized: draft.apologized,
            lookup_pending: true,
            ..Intake::default()
        };
        form.focus = Field::ORDER
            .into_iter()
            .find(|f| form.is_empty_field(*f))
            .unwrap_or(Field::Description);
        *self = form;
    }

    /// Fills the form with the complaint a low-scored care call `care_id` opens (focus on
    /// the first empty field); saving it records the complaint with the call.
    pub fn open_from_care(&mut self, care_id: i64, new: &NewComplaint, ctx: &Ctx<'_>) {
        self.restore(new, ctx);
        self.from_care = Some((care_id, new.site.clone()));
        self.unsaved = true;
    }

    /// The care call the form was opened for, if any.
    pub fn care_id(&self) -> Option<i64> {
        self.from_care.as_ref().map(|(id, _)| *id)
    }

    /// What Ctrl+S records: the form, with its care call when a low score opened it.
    fn save(&self, ctx: &Ctx<'_>) -> Effect {
        let mut form = self.form(ctx);
        match &self.from_care {
            Some((care_id, site)) => {
                if form.site.is_empty() {
                    form.site.clone_from(site);
                }
                Effect::IntakeFromCare {
                    care_id: *care_id,
                    form: Box::new(form),
                }
            }
            None => Effect::Intake(Box::new(form)),
        }
    }

    /// Empties the form after a save or on request; the channel stays (a desk mostly
    /// takes calls on one channel).
    pub fn reset(&mut self) {
        *self = Intake {
            channel: self.channel,
            ..Intake::default()
        };
    }

    fn is_empty_field(&self, f: Field) -> bool {
        match f {
            // Optional choices: a restored form does not stop there.
            Field::Channel | Field::Apologized | Field::Extra => false,
            Field::Category => self.category.is_none(),
            _ => self.text(f).is_some_and(TextField::is_empty),
        }
    }

    fn text(&self, f: Field) -> Option<&TextField> {
        match f {
            Field::Name => Some(&self.name),
            Field::Phone => Some(&self.phone),
            Field::Site => Some(&self.site),
            Field::Location => Some(&self.location),
            Field::Description => Some(&self.description),
            Field::Outcome => Some(&self.outcome),
            Field::Channel | Field::Category | Field::Extra | Field::Apologized => None,
        }
    }

    fn text_mut(&mut self, f: Field) -> Option<&mut TextField> {
        match f {
            Field::Name => Some(&mut self.name),
            Field::Phone => Some(&mut self.phone),
            Field::Site => Some(&mut self.site),
            Field::Location => Some(&mut self.location),
            Field::Description => Some(&mut self.description),
            Field::Outcome => Some(&mut self.outcome),
            Field::Channel | Field::Category | Field::Extra | Field::Apologized => None,
        }
    }

    /// Shows a refusal from the desk beside its field and moves there.
    pub fn refused(&mut self, err: Error) {
        let field = Field::of_error(&err).unwrap_or(self.focus);
        self.focus = field;
        self.error = Some((field, err));
    }

    /// Whether the pane asks if the typed form may be thrown away for a new one.
    pub fn is_asking(&self) -> bool {
        self.asking
    }

    /// A new, empty form at once when nothing is typed; else the question first.
    fn new_form(&mut self) -> Out {
        if !self.is_blank() {
            self.asking = true;
            return Out::none();
        }
        self.discard()
    }

    /// Empties the form and drops its draft.
    fn discard(&mut self) -> Out {
        self.reset();
        Out::effect(Effect::ClearDraft).with_notice(Notice::FormCleared)
    }

    /// The answer to "throw the typed form away?".
    /// A key while the open complaints are offered: pick one, attach the call to it, save
    /// as new, or go back to the form.
    fn offered(&mut self, key: &KeyEvent, picked: usize, ctx: &Ctx<'_>) -> Out {
        let last = self.open.len().saturating_sub(1);
        match duplicates::choice(key) {
            Some(Choice::Down) => self.offering = Some((picked + 1).min(last)),
            Some(Choice::Up) => self.offering = Some(picked.saturating_sub(1)),
            Some(Choice::Attach) => {
                self.offering = None;
                if let Some(case) = self.open.get(picked) {
                    return Out::effect(Effect::AttachCall {
                        number: case.number.clone(),
                        form: Box::new(self.form(ctx)),
                    });
                }
            }
            Some(Choice::SaveNew) => {
                self.offering = None;
                return Out::effect(self.save(ctx));
            }
            Some(Choice::Back) => self.offering = None,
            None => {}
        }
        Out::none()
    }

    /// A key while an earlier complaint is being chosen: the chosen one opens on the cases
    /// pane, the form kept as typed.
    fn pick_earlier(&mut self, key: &KeyEvent, picked: usize) -> Out {
        let last = self.repeats.len().saturating_sub(1);
        match earlier::choice(key) {
            Some(EarlierChoice::Down) => self.picking = Some((picked + 1).min(last)),
            Some(EarlierChoice::Up) => self.picking = Some(picked.saturating_sub(1)),
            Some(EarlierChoice::Open) => {
                self.picking = None;
                if let Some(case) = self.repeats.get(picked) {
                    return Out::open_case(&case.number);
                }
            }
            Some(EarlierChoice::Back) => self.picking = None,
            None => {}
        }
        Out::none()
    }

    fn answer(&mut self, key: &KeyEvent) -> Out {
        match confirm::answer(key) {
            Some(Answer::Discard) => self.discard(),
            Some(Answer::Keep) => {
                self.asking = false;
                Out::none()
            }
            None => Out::none(),
        }
    }

    /// The refusal being shown, if any.
    pub fn error(&self) -> Option<&(Field, Error)> {
        self.error.as_ref()
    }

    /// The earlier complaints shown.
    pub fn repeats(&self) -> &[Complaint] {
        &self.repeats
    }

    fn changed(&mut self, field: Field) {
        if !self.unsaved {
            self.waiting_ticks = 0;
        }
        self.unsaved = true;
        self.quiet_ticks = 0;
        self.save_after_lookup = false;
        if matches!(self.error, Some((f, _)) if f == field) {
            self.error = None;
        }
        if matches!(field, Field::Phone | Field::Location | Field::Category) {
            self.lookup_pending = true;
        }
        if field == Field::Site {
            self.offer = 0;
        }
    }

    /// Whether there are changes not yet kept as a draft.
    pub fn unsaved(&self) -> bool {
        self.unsaved
    }

    /// The draft work due now: after a quiet moment, or at the latest a couple of seconds
    /// after the first unsaved change; plus a pending repeat-complainant lookup.
    pub fn tick(&mut self, ctx: &Ctx<'_>) -> Vec<Effect> {
        let mut work = Vec::new();
        if self.unsaved {
            self.quiet_ticks += 1;
            self.waiting_ticks += 1;
            if self.quiet_ticks >= DRAFT_QUIET_TICKS || self.waiting_ticks >= DRAFT_MAX_TICKS {
                work.push(self.take_draft(ctx));
            }
        }
        if self.lookup_pending {
            self.lookup_pending = false;
            work.push(self.lookup(ctx));
        }
        work
    }

    /// The lookup of earlier and open complaints for the phone, place and category typed.
    fn lookup(&self, ctx: &Ctx<'_>) -> Effect {
        let form = self.form(ctx);
        Effect::Lookup {
            phone: form.phone,
            location: form.location,
            category: form.category,
        }
    }

    /// The draft to keep now (or its removal, for an empty form); marks it kept.
    pub fn take_draft(&mut self, ctx: &Ctx<'_>) -> Effect {
        self.unsaved = false;
        if self.is_blank() {
            Effect::ClearDraft
        } else {
            Effect::SaveDraft(Box::new(self.form(ctx)))
        }
    }

    /// Takes a result from the desk.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        match msg {
            Msg::Saved(c) => {
                self.reset();
                Out::notice(Notice::Saved(c.number.clone())).changed(&c.number)
            }
            Msg::Refused(err) => {
                // Beside the field (cut to fit), and whole on the notice line.
                self.refused(err.clone());
                Out::notice(Notice::Failed(err))
            }
            Msg::Repeats {
                earlier,
                open,
                year,
            } => {
                self.repeats = earlier;
                self.open = open;
                self.year = year;
                self.picking = self.picking.filter(|&i| i < self.repeats.len());
                if std::mem::take(&mut self.save_after_lookup) {
                    if self.open.is_empty() {
                        return Out::effect(self.save(ctx));
                    }
                    self.offering = Some(0);
                }
                Out::none()
            }
            Msg::Attached(c) => {
                self.reset();
                Out::notice(Notice::CallAttached(c.number.clone())).changed(&c.number)
            }
            Msg::Draft(draft) => {
                self.restore(&draft, ctx);
                Out::notice(Notice::DraftRestored)
            }
        }
    }

    /// Draws the fields; `aside`: the side panel lists the sites `offered` (else the
    /// highlighted one is named beside the field).
    fn render_form(
        &self,
        ctx: &Ctx<'_>,
        frame: &mut Frame<'_>,
        area: Rect,
        (aside, offered): (bool, &[usize]),
    ) {
        let c = ctx.catalog;
        let label_w = Field::ORDER
            .iter()
            .map(|f| width(c.text(f.label_key())))
            .max()
            .unwrap_or(8) as u16
            + 2;
        // A refusal beside its field when it fits in half the room, else on rows under it.
        let value_w = usize::from(area.width.saturating_sub(label_w));
        let under = |field: Field| -> Vec<String> {
            match self.error_text(field, ctx) {
                Some(e) if field != Field::Description && width(&e) + 1 > value_w / 2 => {
                    wrap_hanging(&e, value_w.saturating_sub(1))
                }
                _ => Vec::new(),
            }
        };
        let line = |field: Field| Constraint::Length(1 + under(field).len() as u16);
        let rows = Layout::vertical([
            line(Field::Channel),
            line(Field::Name),
            line(Field::Phone),
            line(Field::Site),
            line(Field::Location),
            line(Field::Category),
            line(Field::Extra),
            Constraint::Min(3), // description
            line(Field::Outcome),
            line(Field::Apologized),
            Constraint::Length(1), // keys
        ])
        .split(area);
        let line_fields = [
            (Field::Channel, rows[0]),
            (Field::Name, rows[1]),
            (Field::Phone, rows[2]),
            (Field::Site, rows[3]),
            (Field::Location, rows[4]),
            (Field::Category, rows[5]),
            (Field::Extra, rows[6]),
            (Field::Outcome, rows[8]),
            (Field::Apologized, rows[9]),
        ];
        for (field, row) in line_fields {
            let below = under(field);
            let [row, below_area] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(row);
            let [label, rest] =
                Layout::horizontal([Constraint::Length(label_w), Constraint::Min(0)]).areas(row);
            let style = if self.focus == field {
                theme::label_focused()
            } else {
                theme::label()
            };
            frame.render_widget(Span::styled(c.text(field.label_key()), style), label);
            let error = self.error_text(field, ctx).filter(|_| below.is_empty());
            let beside = match error {
                Some(e) => Some((e, theme::error())),
                None if below.is_empty() && field == Field::Site => {
                    self.site_note(ctx, aside, offered)
                }
                None if below.is_empty() && field == Field::Phone && self.year > 0 => Some((
                    c.format("tui.repeat_badge", &[("count", self.year.to_string())]),
                    theme::flagged(),
                )),
                None => None,
            };
            if !below.is_empty() {
                let lines: Vec<Line<'_>> = below
                    .into_iter()
                    .map(|l| Line::styled(format!(" {l}"), theme::error()))
                    .collect();
                let [_, text] =
                    Layout::horizontal([Constraint::Length(label_w), Constraint::Min(0)])
                        .areas(below_area);
                frame.render_widget(Paragraph::new(lines), text);
            }
            let note_w = beside
                .as_ref()
                .map_or(0, |(e, _)| (width(e) as u16 + 1).min(rest.width / 2));
            let [input, note] =
                Layout::horizontal([Constraint::Min(0), Constraint::Length(note_w)]).areas(rest);
            if let Some((e, style)) = beside {
                let text = fit(&e, note.width.saturating_sub(1) as usize);
                frame.render_widget(Span::styled(format!(" {text}"), style), note);
            }
            self.render_value(field, ctx, frame, input);
        }
        // The description: a bordered area, its refusal in the border.
        let focused = self.focus == Field::Description && !self.asking;
        let mut block = Block::bordered()
            .title(Span::styled(
                c.text(Field::Description.label_key()),
                if focused {
                    theme::label_focused()
                } else {
                    theme::label()
                },
            ))
            .border_style(if focused {
                theme::border_focused()
            } else {
                theme::border()
            });
        if let Some(e) = self.error_text(Field::Description, ctx) {
            block = block.title_bottom(Span::styled(sanitize_line(&e), theme::error()));
        }
        let inner = block.inner(rows[7]);
        frame.render_widget(block, rows[7]);
        frame.render_widget(self.description.widget(), inner);
        if focused {
            frame.set_cursor_position(self.description.caret(inner));
        }
        frame.render_widget(
            Line::styled(footer(c, KEYS, HELP_HINT, "  "), theme::hint()),
            rows[10],
        );
    }

    /// What is said beside the site: the offer Enter takes when no side panel lists them,
    /// else whether the text is a configured site or free text (or refused as such).
    fn site_note(&self, ctx: &Ctx<'_>, aside: bool, offers: &[usize]) -> Option<(String, Style)> {
        let c = ctx.catalog;
        let text = self.site.value();
        if text.trim().is_empty() {
            return None;
        }
        let policy = &ctx.config.policy;
        if let Some(site) = self.highlighted(offers).filter(|_| !aside) {
            let count = offers.len();
            let name = policy
                .sites
                .get(site)
                .map(|s| ctx.config.site_name(&s.key, ctx.lang))
                .unwrap_or_default();
            let at = self.offer.min(count.saturating_sub(1)) + 1;
            let args = [
                ("name", sanitize_line(&name)),
                ("at", at.to_string()),
                ("count", count.to_string()),
            ];
            return Some((c.format("tui.site_offer_inline", &args), theme::hint()));
        }
        Some(match ctx.config.policy.sites().find(&text) {
            Some(_) => (c.text("tui.site_listed").to_string(), theme::hint()),
            None if policy.intake.free_site_entry => {
                (c.text("tui.site_free").to_string(), theme::hint())
            }
            None => (c.text("tui.site_unlisted").to_string(), theme::error()),
        })
    }

    /// The further categories: the one under the cursor with its tick (while focused), then
    /// those chosen.
    fn extra_line(&self, ctx: &Ctx<'_>, focused: bool) -> Line<'static> {
        let c = ctx.catalog;
        let name = |i: usize| {
            ctx.config
                .policy
                .categories
                .get(i)
                .map(|cat| ctx.config.category_name(&cat.key, ctx.lang))
                .unwrap_or_default()
        };
        let mut spans = Vec::new();
        if let Some(at) = self.extra_cursor.filter(|_| focused) {
            let mark = if self.extras.contains(&at) {
                "[x]"
            } else {
                "[ ]"
            };
            spans.push(Span::styled(
                format!("{mark} {} ", name(at)),
                theme::selected(),
            ));
            spans.push(Span::raw(" "));
        }
        if self.extras.is_empty() {
            spans.push(Span::styled(
                c.text("tui.extra_hint").to_string(),
                theme::hint(),
            ));
        } else {
            let chosen: Vec<String> = self.extras.iter().map(|i| name(*i)).collect();
            let args = [("categories", chosen.join(c.text("label.list_separator")))];
            spans.push(Span::raw(c.format("tui.extra_chosen", &args)));
        }
        Line::from(spans)
    }

    /// The sites offered for the text typed, the highlighted one marked (or how to find one).
    fn render_offers(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect, offers: &[usize]) {
        let c = ctx.catalog;
        let title = c.format(
            "tui.site_offers_title",
            &[
                ("label", c.text("label.site").to_string()),
                ("count", offers.len().to_string()),
            ],
        );
        let block = Block::bordered()
            .title(Span::styled(title, theme::label()))
            .border_style(theme::border());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let w = inner.width as usize;
        let mut lines: Vec<Line<'_>> = Vec::new();
        let highlighted = self.offer.min(offers.len().saturating_sub(1));
        let sites = &ctx.config.policy.sites;
        for (n, site) in offers.iter().filter_map(|i| sites.get(*i)).enumerate() {
            let name = sanitize_line(&ctx.config.site_name(&site.key, ctx.lang));
            let style = if n == highlighted {
                theme::selected()
            } else {
                Style::default()
            };
            let key = format!("  {}", sanitize_line(&site.key));
            let room = w.saturating_sub(width(&key));
            lines.push(Line::from(vec![
                Span::styled(fit(&name, room), style),
                Span::styled(fit(&key, w.saturating_sub(width(&name))), theme::hint()),
            ]));
        }
        let typed = !self.site.value().trim().is_empty();
        let hint = match (offers.is_empty(), typed) {
            (_, false) => "tui.site_offers_hint",
            (true, true) => "tui.site_offers_none",
            (false, true) => "tui.site_offers_keys",
        };
        let free = if ctx.config.policy.intake.free_site_entry {
            "tui.site_free_allowed"
        } else {
            "tui.site_free_off"
        };
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        let [list, rest] =
            Layout::vertical([Constraint::Length(lines.len() as u16), Constraint::Min(0)])
                .areas(inner);
        frame.render_widget(Paragraph::new(lines), list);
        let hints: Vec<Line<'_>> = [hint, free]
            .iter()
            .flat_map(|k| c.text(k).lines())
            .map(|l| Line::styled(l, theme::hint()))
            .collect();
        frame.render_widget(Paragraph::new(hints).wrap(Wrap { trim: true }), rest);
    }

    fn error_text(&self, field: Field, ctx: &Ctx<'_>) -> Option<String> {
        match &self.error {
            Some((f, e)) if *f == field => Some(sanitize_line(&ctx.catalog.render(e))),
            _ => None,
        }
    }

    fn render_value(&self, field: Field, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let focused = self.focus == field && !self.asking;
        match field {
            Field::Channel => {
                let labels = channel_labels(ctx);
                frame.render_widget(choice_line(&labels, Some(self.channel), area.width), area);
            }
            Field::Category => {
                let labels = category_labels(ctx);
                let mut line = choice_line(&labels, self.category, area.width);
                let scope = self
                    .category
                    .and_then(|i| ctx.config.policy.categories.get(i))
                    .map(|cat| {
                        ctx.catalog
                            .text(&format!("scope.{}", cat.scope.as_str()))
                            .to_string()
                    });
                match scope {
                    Some(s) => line.push_span(Span::styled(format!("  {s}"), theme::hint())),
                    None => line.push_span(Span::styled(
                        format!("  {}", ctx.catalog.text("tui.choose_hint")),
                        theme::hint(),
                    )),
                }
                frame.render_widget(line, area);
            }
            Field::Extra => frame.render_widget(self.extra_line(ctx, focused), area),
            Field::Apologized => {
                let mark = if self.apologized { "[x]" } else { "[ ]" };
                let style = if focused {
                    theme::selected()
                } else {
                    Style::default()
                };
                let line = Line::from(vec![
                    Span::styled(mark, style),
                    Span::styled(
                        format!("  {}", ctx.catalog.text("tui.tick_hint")),
                        theme::hint(),
                    ),
                ]);
                frame.render_widget(line, area);
            }
            _ => {
                let Some(text) = self.text(field) else {
                    return;
                };
                let bg = if focused {
                    Color::Indexed(238)
                } else {
                    Color::Indexed(236)
                };
                frame.render_widget(Block::default().style(Style::default().bg(bg)), area);
                frame.render_widget(text.widget(), area);
                if focused {
                    frame.set_cursor_position(text.caret(area));
                }
            }
        }
    }

    fn render_repeats(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let title = c.format(
            "tui.repeats_title",
            &[("count", self.repeats.len().to_string())],
        );
        let mut block = Block::bordered()
            .title(Span::styled(title, theme::label()))
            .border_style(theme::border());
        if !self.repeats.is_empty() {
            block = block.title_bottom(Span::styled(c.text("keys.open_earlier"), theme::hint()));
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let w = inner.width as usize;
        let mut lines: Vec<Line<'_>> = Vec::new();
        if self.repeats.is_empty() {
            let digits = self
                .phone
                .value()
                .chars()
                .filter(char::is_ascii_digit)
                .count();
            let loc = self.location.value().trim().chars().count();
            let key = if digits >= REPEAT_MIN_DIGITS || loc >= REPEAT_MIN_LOCATION {
                "tui.repeats_none"
            } else {
                "tui.repeats_hint"
            };
            frame.render_widget(
                Paragraph::new(c.text(key))
                    .style(theme::hint())
                    .wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
        for r in &self.repeats {
            let when = ctx.zone().day(r.received_at);
            lines.push(Line::styled(
                fit(&format!("{} {when}", r.number), w),
                theme::header(),
            ));
            let who = format!(
                "{} {} {}",
                ctx.config.category_name(&r.category, ctx.lang),
                c.text(r.stage.label_key()),
                sanitize_line(&r.name)
            );
            lines.push(Line::raw(fit(&who, w)));
            let first = r.description.lines().next().unwrap_or_default();
            lines.push(Line::styled(fit(&sanitize_line(first), w), theme::hint()));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl Room for Intake {
    /// Handles a key; text keys go to the focused field's editor.
    fn key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.asking {
            return self.answer(&key);
        }
        if let Some(picked) = self.offering {
            return self.offered(&key, picked, ctx);
        }
        if let Some(picked) = self.picking {
            return self.pick_earlier(&key, picked);
        }
        if let Some(out) = script_box::key(&key, || Some(self.script(ctx))) {
            return out;
        }
        let focus = self.focus;
        let in_text = focus == Field::Description;
        let cmd = lookup(KEYS, &key);
        // Only the keys that move among the offers or take one match the sites.
        let offers = match cmd {
            Some(Cmd::NextLine | Cmd::PrevLine | Cmd::Enter) => self.offers_shown(ctx),
            _ => Vec::new(),
        };
        match (cmd, self.highlighted(&offers)) {
            // What was typed last is not looked up yet (Ctrl+S within a tick of it): look
            // it up now, and save or offer on the answer.
            (Some(Cmd::Save), _) if self.lookup_pending && self.from_care.is_none() => {
                self.lookup_pending = false;
                self.save_after_lookup = true;
                return Out::effect(self.lookup(ctx));
            }
            // A call that may be about an open case: offer it first.
            (Some(Cmd::Save), _) if !self.open.is_empty() && self.from_care.is_none() => {
                self.offering = Some(0);
            }
            (Some(Cmd::Save), _) => return Out::effect(self.save(ctx)),
            (Some(Cmd::Clear), _) => return self.new_form(),
            (Some(Cmd::Earlier), _) if !self.repeats.is_empty() => self.picking = Some(0),
            (Some(Cmd::Earlier), _) => return Out::notice(Notice::NoEarlier),
            (Some(Cmd::Next), _) => self.focus = focus.offset(1),
            (Some(Cmd::Prev), _) => self.focus = focus.offset(-1),
            (Some(Cmd::NextLine), Some(_)) => {
                self.offer = (self.offer + 1).min(offers.len().saturating_sub(1));
            }
            (Some(Cmd::PrevLine), Some(_)) => self.offer = self.offer.saturating_sub(1),
            (Some(Cmd::Enter), Some(site)) => self.take_offer(site, ctx),
            (Some(Cmd::NextLine | Cmd::Enter), None) if !in_text => self.focus = focus.offset(1),
            (Some(Cmd::PrevLine), None) if !in_text => self.focus = focus.offset(-1),
            _ => match focus {
                Field::Channel => {
                    let chosen = choose(key, Some(self.channel), &channel_labels(ctx));
                    if let Some(i) = chosen.filter(|i| *i != self.channel) {
                        self.channel = i;
                        self.changed(focus);
                    }
                }
                Field::Category => {
                    let chosen = choose(key, self.category, &category_labels(ctx));
                    if let Some(i) = chosen.filter(|i| Some(*i) != self.category) {
                        self.set_category(i);
                    }
                }
                Field::Extra => {
                    if key.code == KeyCode::Char(' ') && plain(&key) {
                        self.toggle_extra();
                    } else {
                        self.move_extra(key, ctx);
                    }
                }
                Field::Apologized => {
                    if matches!(key.code, KeyCode::Char(' ' | 'x' | 'X' | 'y' | 'Y')) && plain(&key)
                    {
                        self.apologized = !self.apologized;
                        self.changed(focus);
                    }
                }
                _ => {
                    if let Some(field) = self.text_mut(focus)
                        && field.input(key)
                    {
                        self.changed(focus);
                    }
                }
            },
        }
        Out::none()
    }

    /// Pasted text goes into the focused text field (line breaks kept in the description).
    fn paste(&mut self, text: &str) -> Out {
        if self.asking {
            return Out::none();
        }
        let focus = self.focus;
        let Some(field) = self.text_mut(focus) else {
            return Out::none();
        };
        let removed = field.paste(text);
        self.changed(focus);
        if removed > 0 {
            Out::notice(Notice::PasteCleaned(removed))
        } else {
            Out::none()
        }
    }

    /// Draws the form and the earlier complaints; places the terminal cursor at the caret.
    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let side = if area.width >= 70 {
            (area.width * 2 / 5).clamp(26, 50)
        } else {
            0
        };
        let said = self.script(ctx);
        // The script under the side panel, else under the form, in at most part of the room.
        let (room, most) = if side > 0 {
            (side, area.height * 3 / 5)
        } else {
            (area.width, area.height / 3)
        };
        let script_h = script_box::height(ctx, &said, room).min(most);
        let (area, under) = if side > 0 {
            (area, Rect::default())
        } else {
            let [form, under] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(script_h)]).areas(area);
            (form, under)
        };
        let [form, aside] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(area);
        let [aside, script_area] = if side > 0 {
            Layout::vertical([Constraint::Min(0), Constraint::Length(script_h)]).areas(aside)
        } else {
            [aside, under]
        };
        script_box::render(ctx, frame, script_area, &said);
        let offers = self.offers_shown(ctx);
        self.render_form(ctx, frame, form, (side > 0, &offers));
        // The side panel lists the offers while the site is typed (on a desk with sites).
        let listing =
            self.focus == Field::Site && !self.asking && !ctx.config.policy.sites.is_empty();
        match (side > 0, listing) {
            (false, _) => {}
            (true, true) => self.render_offers(ctx, frame, aside, &offers),
            (true, false) => self.render_repeats(ctx, frame, aside),
        }
        if self.asking {
            confirm::render(ctx, frame, form, ctx.catalog.text("tui.discard_intake"));
        }
        if let Some(picked) = self.offering {
            duplicates::render(ctx, frame, form, &self.open, picked);
        }
        if let Some(picked) = self.picking {
            earlier::render(ctx, frame, form, &self.repeats, picked);
        }
    }

    /// The keys of the form (of the question, while it asks), for the help.
    fn help(&self) -> Vec<Help> {
        if self.asking {
            return confirm::help().collect();
        }
        if self.offering.is_some() {
            return duplicates::help().collect();
        }
        if self.picking.is_some() {
            return earlier::help().collect();
        }
        help_rows(KEYS).chain(script_box::help()).collect()
    }
}

fn channel_labels(ctx: &Ctx<'_>) -> Vec<String> {
    Channel::ALL
        .iter()
        .map(|ch| ctx.catalog.text(ch.label_key()).to_string())
        .collect()
}

fn category_labels(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.config
        .policy
        .categories
        .iter()
        .map(|cat| ctx.config.category_name(&cat.key, ctx.lang))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    #[test]
    fn the_intake_keys() {
        check_table(KEYS);
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(lookup(KEYS, &enter), Some(Cmd::Enter));
        let save = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::CONTROL);
        assert_eq!(lookup(KEYS, &save), Some(Cmd::Save));
        let text = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
        assert_eq!(lookup(KEYS, &text), None, "a letter is text");
    }
}
