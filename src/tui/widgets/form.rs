//! A small form: labelled inputs of six kinds (one-line text, multi-line text, a secret, a
//! choice, a tick box, several options ticked) in Tab order. Tab / Shift+Tab (or Up/Down and Enter outside a
//! multi-line field) move between the inputs that apply; one that does not is drawn dim
//! with the reason, and says it was skipped when the focus passes it. Left/Right (or a
//! typed character) change a choice, stopping at the first and last option; Space ticks
//! (among several options, the one Left/Right went to).
//! Ctrl+S submits; Esc or Ctrl+W cancels, after asking when the agent changed something.
//! A refusal is shown under the input it names (the error's `field`, or the one the form
//! gives), which takes the focus, or above the inputs when it names none. Values the
//! software proposed (a suggestion) are marked until the agent changes them.
//!
//! Inputs are named by the field names the domain uses in its errors (`motive`, `party`,
//! …), so a refusal finds its input without a table per form.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::error::Error;
use crate::i18n::Catalog;
use crate::text::{fit, sanitize_line, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, Help, ctrl, footer, help_rows, key, lookup, plain};
use crate::tui::theme;
use crate::tui::widgets::confirm::{self, Answer};
use crate::tui::widgets::field::TextField;
use crate::tui::widgets::secret::{Secret, secret_key};

/// What a form's keys do (text keys go to the focused input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Submit,
    Cancel,
    Next,
    Prev,
    /// The next input, except in a multi-line one (a new line there).
    NextLine,
    /// The previous input, except in a multi-line one.
    PrevLine,
    /// Taken by the focused input itself (listed for the help).
    Input,
}

/// The keys of every form (the move forms and the follow-up forms).
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Down)], Cmd::NextLine),
    Binding::new(&[key(KeyCode::Up)], Cmd::PrevLine),
    Binding::new(&[key(KeyCode::Tab)], Cmd::Next)
        .help("Tab / Shift+Tab", "help.fields")
        .hint_at(1, "keys.next"),
    Binding::new(&[key(KeyCode::BackTab)], Cmd::Prev),
    Binding::new(&[], Cmd::Input).help("Left / Right", "help.choose"),
    Binding::new(&[], Cmd::Input).help("Space", "help.tick"),
    Binding::new(&[key(KeyCode::Enter)], Cmd::NextLine).help("Enter", "help.form_newline"),
    Binding::new(&[ctrl('s')], Cmd::Submit)
        .help("Ctrl+S", "help.apply")
        .hint_at(0, "keys.save"),
    Binding::new(&[key(KeyCode::Esc), ctrl('w')], Cmd::Cancel)
        .help("Esc / Ctrl+W", "help.cancel_form")
        .hint_at(2, "keys.cancel"),
];

/// What an input holds.
#[derive(Debug, Clone)]
enum Value {
    /// Text, one line or several (boxed: the editor is large).
    Text(Box<TextField>),
    /// One of the options `(key, label)`, or none yet.
    Choice {
        /// Stable key and display label of each option.
        options: Vec<(String, String)>,
        /// The chosen option.
        chosen: Option<usize>,
    },
    /// A tick box.
    Tick(bool),
    /// Any of the options `(key, label)` ticked, and the one the keys are at.
    Picks {
        /// Stable key and display label of each option.
        options: Vec<(String, String)>,
        /// Whether each option is ticked.
        picked: Vec<bool>,
        /// The option Space ticks.
        at: usize,
    },
}

/// One labelled input.
#[derive(Debug, Clone)]
pub struct Input {
    id: &'static str,
    label: &'static str,
    value: Value,
    /// Rows a multi-line text takes.
    rows: u16,
    suggested: bool,
    enabled: bool,
    /// Catalog key of a hint drawn after the value (a format, what the tick means).
    hint: Option<&'static str>,
    /// Catalog key of the hint drawn instead while the input does not apply.
    off_hint: Option<&'static str>,
}

impl Input {
    /// The input's name (the domain's field name).
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// Whether the value is still the software's suggestion.
    pub fn is_suggested(&self) -> bool {
        self.suggested
    }

    /// Whether the input applies now (inputs that do not are skipped and dimmed).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn height(&self) -> u16 {
        match &self.value {
            Value::Text(t) if t.is_multi_line() => self.rows.max(2),
            _ => 1,
        }
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStep {
    /// Nothing to tell.
    Nothing,
    /// The value of this input changed.
    Changed(&'static str),
    /// Ctrl+S: submit.
    Submit,
    /// Esc or Ctrl+W: leave without saving.
    Cancel,
}

/// A form: inputs, the focused one, and the refusal shown.
#[derive(Debug, Clone, Default)]
pub struct Form {
    inputs: Vec<Input>,
    focus: usize,
    /// The refusal, and the input it is shown under (None: above the inputs).
    error: Option<(Option<usize>, Error)>,
    /// The agent changed something since the form opened.
    edited: bool,
    /// Asking whether to throw the changes away (after Esc or Ctrl+W).
    asking: bool,
    /// Inputs that do not apply which the last focus move went past.
    passed: Vec<usize>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Form {
        Form::default()
    }

    fn push(mut self, id: &'static str, label: &'static str, value: Value) -> Form {
        self.inputs.push(Input {
            id,
            label,
            value,
            rows: 3,
            suggested: false,
            enabled: true,
            hint: None,
            off_hint: None,
        });
        self
    }

    /// Adds a one-line text input (`label` is a catalog key).
    pub fn text(self, id: &'static str, label: &'static str, value: &str) -> Form {
        self.push(id, label, Value::Text(Box::new(TextField::line(value))))
    }

    /// Adds an empty secret input (a PIN): drawn masked, kept out of `Debug`, and edited
    /// only by text and editing keys (never a chord).
    pub fn secret(self, id: &'static str, label: &'static str) -> Form {
        self.push(id, label, Value::Text(Box::new(TextField::secret())))
    }

    /// The secret typed in input `id` (empty for other kinds).
    pub fn secret_of(&self, id: &str) -> Secret {
        match self.input(id).map(|i| &i.value) {
            Some(Value::Text(t)) if t.is_secret() => Secret::new(t.value()),
            _ => Secret::new(String::new()),
        }
    }

    /// Empties secret input `id` (a PIN typed again after a refusal).
    pub fn clear_secret(&mut self, id: &str) {
        if let Some(i) = self.index(id)
            && let Value::Text(t) = &mut self.inputs[i].value
            && t.is_secret()
        {
            **t = TextField::secret();
        }
    }

    /// Adds a multi-line text input `rows` rows high.
    pub fn multi(self, id: &'static str, label: &'static str, value: &str, rows: u16) -> Form {
        let mut form = self.push(
            id,
            label,
            Value::Text(Box::new(TextField::multi_line(value))),
        );
        if let Some(last) = form.inputs.last_mut() {
            last.rows = rows;
        }
        form
    }

    /// Adds a choice among `(key, label)` options, `chosen` by key (None or an unknown key:
    /// nothing chosen yet).
    pub fn choice(
        self,
        id: &'static str,
        label: &'static str,
        options: Vec<(String, String)>,
        chosen: Option<&str>,
    ) -> Form {
        let chosen = chosen.and_then(|k| options.iter().position(|(key, _)| key == k));
        self.push(id, label, Value::Choice { options, chosen })
    }

    /// Adds a tick box.
    pub fn tick(self, id: &'static str, label: &'static str, ticked: bool) -> Form {
        self.push(id, label, Value::Tick(ticked))
    }

    /// Adds options `(key, label)` of which any may be ticked, those of `picked` (by key)
    /// ticked.
    pub fn picks(
        self,
        id: &'static str,
        label: &'static str,
        options: Vec<(String, String)>,
        picked: &[String],
    ) -> Form {
        let picked = options.iter().map(|(k, _)| picked.contains(k)).collect();
        self.push(
            id,
            label,
            Value::Picks {
                options,
                picked,
                at: 0,
            },
        )
    }

    /// Marks the last input added as the software's suggestion, when `suggested`.
    pub fn suggested(mut self, suggested: bool) -> Form {
        if let Some(last) = self.inputs.last_mut() {
            last.suggested = suggested;
        }
        self
    }

    /// A hint (catalog key) after the last input added.
    pub fn hint(mut self, key: &'static str) -> Form {
        if let Some(last) = self.inputs.last_mut() {
            last.hint = Some(key);
        }
        self
    }

    /// The hint (catalog key) the last input shows while it does not apply.
    pub fn off_hint(mut self, key: &'static str) -> Form {
        if let Some(last) = self.inputs.last_mut() {
            last.off_hint = Some(key);
        }
        self
    }

    /// Focus on the first input that applies and leaves something to decide (a choice of
    /// one option does not).
    pub fn focus_first(mut self) -> Form {
        let open = |i: &Input| {
            i.enabled && !matches!(&i.value, Value::Choice { options, .. } if options.len() < 2)
        };
        self.focus = self
            .inputs
            .iter()
            .position(open)
            .or_else(|| self.inputs.iter().position(|i| i.enabled))
            .unwrap_or(0);
        self
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.inputs.iter().position(|i| i.id == id)
    }

    fn input(&self, id: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.id == id)
    }

    /// The name of the focused input (None in a form without inputs).
    pub fn focus(&self) -> Option<&'static str> {
        self.inputs.get(self.focus).map(|i| i.id)
    }

    /// Moves the focus to input `id`.
    pub fn focus_on(&mut self, id: &str) {
        if let Some(i) = self.index(id) {
            self.focus = i;
        }
    }

    /// The text of input `id` as typed (empty for other kinds and secrets).
    pub fn text_of(&self, id: &str) -> String {
        match self.input(id).map(|i| &i.value) {
            Some(Value::Text(t)) if !t.is_secret() => t.value(),
            _ => String::new(),
        }
    }

    /// The key of the option chosen in input `id`.
    pub fn chosen(&self, id: &str) -> Option<&str> {
        match self.input(id).map(|i| &i.value) {
            Some(Value::Choice { options, chosen }) => {
                chosen.and_then(|c| options.get(c)).map(|(k, _)| k.as_str())
            }
            _ => None,
        }
    }

    /// The keys of the options ticked in input `id`, in their order.
    pub fn picked(&self, id: &str) -> Vec<String> {
        match self.input(id).map(|i| &i.value) {
            Some(Value::Picks {
                options, picked, ..
            }) => options
                .iter()
                .zip(picked)
                .filter(|(_, on)| **on)
                .map(|(o, _)| o.0.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether input `id` is ticked.
    pub fn ticked(&self, id: &str) -> bool {
        matches!(self.input(id).map(|i| &i.value), Some(Value::Tick(true)))
    }

    /// Whether input `id` still holds the suggestion.
    pub fn is_suggested(&self, id: &str) -> bool {
        self.input(id).is_some_and(|i| i.suggested)
    }

    /// Whether input `id` applies now.
    pub fn is_enabled(&self, id: &str) -> bool {
        self.input(id).is_some_and(|i| i.enabled)
    }

    /// Makes input `id` apply or not; the focus leaves an input that no longer applies.
    pub fn set_enabled(&mut self, id: &str, enabled: bool) {
        let Some(i) = self.index(id) else {
            return;
        };
        self.inputs[i].enabled = enabled;
        if !enabled && self.focus == i {
            self.move_focus(1);
        }
    }

    /// The refusal shown, and the input it is under.
    pub fn error(&self) -> Option<(Option<&'static str>, &Error)> {
        self.error
            .as_ref()
            .map(|(at, e)| (at.and_then(|i| self.inputs.get(i)).map(|i| i.id), e))
    }

    /// Shows a refusal under input `field`, else the input the error names (its `field`
    /// argument), and moves the focus there; when the form has no such input, above the
    /// inputs.
    pub fn refuse(&mut self, err: Error, field: Option<&str>) {
        let at = field
            .and_then(|f| self.index(f))
            .or_else(|| err.get("field").and_then(|f| self.index(f)));
        if let Some(i) = at {
            self.focus = i;
        }
        self.error = Some((at, err));
    }

    /// Forgets the refusal.
    pub fn clear_error(&mut self) {
        self.error = None;
    }

    /// The keys in force, for the help: the form's, or the question's while it asks.
    pub fn help(&self) -> Vec<Help> {
        if self.asking {
            confirm::help().collect()
        } else {
            help_rows(KEYS).collect()
        }
    }

    /// Whether the form asks if the changes may be thrown away.
    pub fn is_asking(&self) -> bool {
        self.asking
    }

    /// The inputs that do not apply which the last focus move went past.
    pub fn passed(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.passed.iter().map(|i| self.inputs[*i].id)
    }

    /// Moves the focus to the next input that applies in direction `by` (wrapping from the
    /// last to the first), noting the ones gone past.
    fn move_focus(&mut self, by: isize) {
        let n = self.inputs.len() as isize;
        let mut i = self.focus as isize;
        let mut passed = Vec::new();
        for _ in 0..n {
            i = (i + by).rem_euclid(n);
            if self.inputs[i as usize].enabled {
                self.focus = i as usize;
                self.passed = passed;
                return;
            }
            passed.push(i as usize);
        }
    }

    /// The answer to "throw the changes away?": yes cancels the form.
    fn answer(&mut self, key: &KeyEvent) -> FormStep {
        match confirm::answer(key) {
            Some(Answer::Discard) => {
                self.asking = false;
                FormStep::Cancel
            }
            Some(Answer::Keep) => {
                self.asking = false;
                FormStep::Nothing
            }
            None => FormStep::Nothing,
        }
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) -> FormStep {
        if self.asking {
            return self.answer(&key);
        }
        self.passed.clear();
        let multi = matches!(
            self.inputs.get(self.focus).map(|i| &i.value),
            Some(Value::Text(t)) if t.is_multi_line()
        );
        match lookup(KEYS, &key) {
            Some(Cmd::Submit) => return FormStep::Submit,
            Some(Cmd::Cancel) if self.edited => self.asking = true,
            Some(Cmd::Cancel) => return FormStep::Cancel,
            Some(Cmd::Next) => self.move_focus(1),
            Some(Cmd::Prev) => self.move_focus(-1),
            Some(Cmd::NextLine) if !multi => self.move_focus(1),
            Some(Cmd::PrevLine) if !multi => self.move_focus(-1),
            _ => {
                let Some(input) = self.inputs.get_mut(self.focus) else {
                    return FormStep::Nothing;
                };
                if !input.enabled {
                    return FormStep::Nothing;
                }
                let changed = match &mut input.value {
                    Value::Text(t) if t.is_secret() && !secret_key(&key) => false,
                    Value::Text(t) => t.input(key),
                    Value::Choice { options, chosen } => {
                        let labels: Vec<String> = options.iter().map(|(_, l)| l.clone()).collect();
                        match choose(key, *chosen, &labels) {
                            Some(i) if Some(i) != *chosen => {
                                *chosen = Some(i);
                                true
                            }
                            _ => false,
                        }
                    }
                    Value::Tick(t) => {
                        if ticks(&key) {
                            *t = !*t;
                            true
                        } else {
                            false
                        }
                    }
                    Value::Picks {
                        options,
                        picked,
                        at,
                    } => {
                        if ticks(&key) {
                            if let Some(on) = picked.get_mut(*at) {
                                *on = !*on;
                            }
                            true
                        } else {
                            let labels: Vec<String> =
                                options.iter().map(|(_, l)| l.clone()).collect();
                            if let Some(i) = choose(key, Some(*at), &labels) {
                                *at = i;
                            }
                            false
                        }
                    }
                };
                if changed {
                    return self.changed(self.focus);
                }
            }
        }
        FormStep::Nothing
    }

    fn changed(&mut self, i: usize) -> FormStep {
        self.edited = true;
        self.inputs[i].suggested = false;
        if matches!(self.error, Some((Some(at), _)) if at == i) {
            self.error = None;
        }
        FormStep::Changed(self.inputs[i].id)
    }

    /// Pasted text goes into the focused text input; returns the input changed (if any)
    /// and how many unsafe characters were left out.
    pub fn paste(&mut self, text: &str) -> (FormStep, usize) {
        if self.asking {
            return (FormStep::Nothing, 0);
        }
        let i = self.focus;
        match self.inputs.get_mut(i) {
            Some(Input {
                value: Value::Text(t),
                enabled: true,
                ..
            }) => {
                let removed = t.paste(text);
                (self.changed(i), removed)
            }
            _ => (FormStep::Nothing, 0),
        }
    }

    /// Rows the form takes at `cols` columns: every input, and the refusal under it.
    pub fn height(&self, ctx: &Ctx<'_>, cols: u16) -> u16 {
        let layout = self.layout(ctx, cols);
        layout.rows
    }

    fn label_width(&self, ctx: &Ctx<'_>) -> u16 {
        self.inputs
            .iter()
            .map(|i| width(ctx.catalog.text(i.label)))
            .max()
            .unwrap_or(0) as u16
            + 2
    }

    fn error_lines(&self, ctx: &Ctx<'_>, cols: u16) -> Vec<String> {
        let Some((_, e)) = &self.error else {
            return Vec::new();
        };
        let text = sanitize_line(&ctx.catalog.render(e));
        // Continuation rows line up under the message, after the mark (wrapped two columns
        // narrower, so that no row is cut at the edge).
        wrap_hanging(&text, usize::from(cols).saturating_sub(2))
            .into_iter()
            .enumerate()
            .map(|(n, row)| {
                if n == 0 {
                    format!("! {row}")
                } else {
                    format!("  {row}")
                }
            })
            .collect()
    }

    fn layout(&self, ctx: &Ctx<'_>, cols: u16) -> Layout {
        let label_w = self.label_width(ctx);
        let value_w = cols.saturating_sub(label_w);
        let mut rows = 0u16;
        let mut at = Vec::with_capacity(self.inputs.len());
        let error_at = self.error.as_ref().map(|(at, _)| *at);
        let mut top_error = 0;
        if error_at == Some(None) {
            top_error = self.error_lines(ctx, cols).len() as u16;
            rows += top_error;
        }
        let mut under = 0;
        let mut hints = Vec::with_capacity(self.inputs.len());
        for (i, input) in self.inputs.iter().enumerate() {
            at.push(rows);
            let hint = self.hint_under(i, ctx.catalog, value_w, true).len() as u16;
            hints.push(hint);
            rows += input.height() + hint;
            if error_at == Some(Some(i)) {
                under = self.error_lines(ctx, value_w).len() as u16;
                rows += under;
            }
        }
        Layout {
            label_w,
            at,
            hints,
            top_error,
            under,
            rows,
        }
    }

    /// Draws the inputs into `area` (scrolled so the focused input shows) and places the
    /// terminal cursor at the focused text input's caret.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let layout = self.layout(ctx, area.width);
        // Scroll: the focused input (and its refusal) in view.
        let mut offset = 0u16;
        if let Some(&top) = layout.at.get(self.focus) {
            let mut bottom = top + self.inputs[self.focus].height() + layout.hints[self.focus];
            if matches!(self.error, Some((Some(i), _)) if i == self.focus) {
                bottom += layout.under;
            }
            if bottom > area.height {
                offset = bottom - area.height;
            }
        }
        let row_area = |y: u16, h: u16| -> Option<Rect> {
            let y = y.checked_sub(offset)?;
            if y >= area.height {
                return None;
            }
            Some(Rect {
                x: area.x,
                y: area.y + y,
                width: area.width,
                height: h.min(area.height - y),
            })
        };
        if layout.top_error > 0 {
            let lines: Vec<Line<'_>> = self
                .error_lines(ctx, area.width)
                .into_iter()
                .map(|l| Line::styled(l, theme::error()))
                .collect();
            if let Some(r) = row_area(0, layout.top_error) {
                frame.render_widget(Paragraph::new(lines), r);
            }
        }
        let value_w = area.width.saturating_sub(layout.label_w);
        for (i, input) in self.inputs.iter().enumerate() {
            let focused = i == self.focus && !self.asking;
            let Some(row) = row_area(layout.at[i], input.height()) else {
                continue;
            };
            let label_style = if !input.enabled {
                theme::hint()
            } else if focused {
                theme::label_focused()
            } else {
                theme::label()
            };
            frame.render_widget(
                Span::styled(
                    fit(c.text(input.label), layout.label_w as usize),
                    label_style,
                ),
                Rect {
                    width: layout.label_w.min(row.width),
                    height: 1,
                    ..row
                },
            );
            let value = Rect {
                x: row.x + layout.label_w.min(row.width),
                width: value_w,
                ..row
            };
            let beside = self.hint_fits(i, c, value_w);
            self.render_value(i, focused, beside, ctx, frame, value);
            let below = layout.at[i] + input.height();
            let beneath = |r: Rect| Rect {
                x: value.x,
                width: value_w,
                ..r
            };
            if let Some(r) = row_area(below, layout.hints[i]) {
                let style = self
                    .hint_text(i, c, false)
                    .map_or(theme::hint(), |(_, s)| s);
                let lines = self.hint_under(i, c, value_w, false);
                under_value(frame, lines, style, beneath(r));
            }
            if matches!(self.error, Some((Some(at), _)) if at == i)
                && let Some(r) = row_area(below + layout.hints[i], layout.under)
            {
                let lines = self.error_lines(ctx, value_w);
                under_value(frame, lines, theme::error(), beneath(r));
            }
        }
    }

    /// What follows input `i`'s value: the suggestion mark, then the hint when it fits
    /// `beside` ([`Form::hint_text`]).
    fn after_value(&self, i: usize, ctx: &Ctx<'_>, beside: bool) -> Vec<Span<'static>> {
        let c = ctx.catalog;
        let input = &self.inputs[i];
        let mut after: Vec<Span<'static>> = Vec::new();
        if input.suggested {
            after.push(Span::raw(" "));
            after.push(Span::styled(
                format!("[{}]", c.text("tui.suggested")),
                theme::suggested(),
            ));
        }
        if let Some((hint, style)) = self.hint_text(i, c, false).filter(|_| beside) {
            after.push(Span::styled(format!("  {hint}"), style));
        }
        after
    }

    /// Input `i`'s hint as shown now, with its style: its hint; for an input that does not
    /// apply, why (marked as skipped when the focus just went past it). With `widest`, the
    /// longer form a disabled input's reason takes, so the layout does not move when the
    /// mark comes and goes.
    fn hint_text(&self, i: usize, c: &Catalog, widest: bool) -> Option<(String, Style)> {
        let input = self.inputs.get(i)?;
        if input.enabled {
            return input.hint.map(|h| (c.text(h).to_string(), theme::hint()));
        }
        let reason = c.text(input.off_hint.unwrap_or("tui.not_applicable"));
        Some(if widest || self.passed.contains(&i) {
            let skipped = c.format("tui.skipped", &[("reason", reason.to_string())]);
            (skipped, theme::suggested())
        } else {
            (reason.to_string(), theme::hint())
        })
    }

    /// Whether input `i`'s hint fits beside its value in `cols` columns (beside a text or
    /// a choice it takes at most half).
    fn hint_fits(&self, i: usize, c: &Catalog, cols: u16) -> bool {
        let Some((hint, _)) = self.hint_text(i, c, true) else {
            return true;
        };
        let beside = width(&hint) + 2;
        match self.inputs[i].value {
            Value::Tick(_) => beside + 3 <= usize::from(cols),
            Value::Picks { ref options, .. } => {
                let all: usize = options.iter().map(|(_, l)| width(l) + 5).sum();
                beside + all <= usize::from(cols)
            }
            _ => beside <= usize::from(cols / 2),
        }
    }

    /// The rows input `i`'s hint takes under its value in `cols` columns (`widest`: see
    /// [`Form::hint_text`]); none when it fits beside it.
    fn hint_under(&self, i: usize, c: &Catalog, cols: u16, widest: bool) -> Vec<String> {
        if self.hint_fits(i, c, cols) {
            return Vec::new();
        }
        self.hint_text(i, c, widest)
            .map(|(hint, _)| wrap_hanging(&hint, usize::from(cols)))
            .unwrap_or_default()
    }

    /// Draws input `i`'s value, and its hint beside it when it fits `beside`.
    fn render_value(
        &self,
        i: usize,
        focused: bool,
        beside: bool,
        ctx: &Ctx<'_>,
        frame: &mut Frame<'_>,
        area: Rect,
    ) {
        let c = ctx.catalog;
        let input = &self.inputs[i];
        let after = self.after_value(i, ctx, beside);
        let after_w: u16 = after.iter().map(|s| s.width() as u16).sum();
        match &input.value {
            Value::Text(t) => {
                // Room for the text first; the mark and hint take what is left, at most half.
                let tail = after_w.min(area.width / 2);
                let text_area = Rect {
                    width: area.width.saturating_sub(tail),
                    ..area
                };
                let bg = if !input.enabled {
                    Color::Reset
                } else if focused {
                    Color::Indexed(238)
                } else {
                    Color::Indexed(236)
                };
                frame.render_widget(Block::default().style(Style::default().bg(bg)), text_area);
                if input.enabled {
                    frame.render_widget(t.widget(), text_area);
                } else {
                    // What was typed before the input stopped applying, dim (not sent).
                    let kept = sanitize_line(&t.value());
                    let kept = fit(&kept, text_area.width as usize);
                    frame.render_widget(Line::styled(kept, theme::hint()), text_area);
                }
                if tail > 0 {
                    let tail_area = Rect {
                        x: text_area.right(),
                        width: tail,
                        height: 1,
                        ..area
                    };
                    let line = if after_w > tail {
                        // Cut, and say so.
                        let all: String = after.iter().map(|s| s.content.as_ref()).collect();
                        Line::styled(fit(&all, tail as usize), theme::hint())
                    } else {
                        Line::from(after)
                    };
                    frame.render_widget(line, tail_area);
                }
                if focused && input.enabled && text_area.width > 0 {
                    frame.set_cursor_position(t.caret(text_area));
                }
            }
            Value::Choice { options, chosen } => {
                let labels: Vec<String> = options.iter().map(|(_, l)| l.clone()).collect();
                let room = area.width.saturating_sub(after_w);
                let mut line = choice_line(&labels, *chosen, room);
                if !input.enabled {
                    // Dim, and nothing at all when nothing was chosen: the reason follows.
                    let shown = chosen.map(|_| line.to_string()).unwrap_or_default();
                    let shown = if width(&shown) > room as usize {
                        fit(&shown, room as usize)
                    } else {
                        shown.trim_end().to_string()
                    };
                    line = Line::styled(shown, theme::hint());
                } else if focused && chosen.is_none() {
                    line.push_span(Span::styled(
                        format!(" {}", c.text("tui.choose_hint")),
                        theme::hint(),
                    ));
                }
                line.spans.extend(after);
                frame.render_widget(fit_line(line, area.width), area);
            }
            Value::Tick(on) => {
                let mark = if *on { "[x]" } else { "[ ]" };
                let style = if !input.enabled {
                    theme::hint()
                } else if focused {
                    theme::selected()
                } else {
                    Style::default()
                };
                let mut spans = vec![Span::styled(mark, style)];
                spans.extend(after);
                frame.render_widget(fit_line(Line::from(spans), area.width), area);
            }
            Value::Picks {
                options,
                picked,
                at,
            } => {
                let room = area.width.saturating_sub(after_w);
                let mut line = picks_line(options, picked, focused.then_some(*at), room);
                if !input.enabled {
                    line = Line::styled(line.to_string(), theme::hint());
                }
                line.spans.extend(after);
                frame.render_widget(fit_line(line, area.width), area);
            }
        }
    }
}

/// Whether `key` ticks a tick box or the option a list of them is at.
fn ticks(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char(' ' | 'x' | 'X' | 'y' | 'Y')) && plain(key)
}

/// Options of which any may be ticked, on one line: `[x] label` each, the one the keys are
/// `at` marked (while focused). When they do not fit, those around it, with arrows where
/// more lie.
fn picks_line(
    options: &[(String, String)],
    picked: &[bool],
    at: Option<usize>,
    cols: u16,
) -> Line<'static> {
    let cols = usize::from(cols);
    let cell = |i: usize| {
        let mark = if picked.get(i).copied().unwrap_or(false) {
            "[x]"
        } else {
            "[ ]"
        };
        format!("{mark} {} ", options[i].1)
    };
    let w = |i: usize| width(&cell(i)) + 1;
    let all: usize = (0..options.len()).map(w).sum();
    // The first option shown: the first, or as late as it takes to show the one at.
    let mut first = 0;
    if all > cols {
        let upto = at.unwrap_or(0);
        while first < upto && 2 + (first..=upto).map(w).sum::<usize>() + 2 > cols {
            first += 1;
        }
    }
    let mut spans = Vec::new();
    let mut used = 0;
    if first > 0 {
        spans.push(Span::raw("< "));
        used += 2;
    }
    let mut last = first;
    for i in first..options.len() {
        let more = i + 1 < options.len();
        if used + w(i) + if more && all > cols { 2 } else { 0 } > cols && i > first {
            break;
        }
        let style = if Some(i) == at {
            theme::selected()
        } else {
            Style::default()
        };
        spans.push(Span::styled(cell(i), style));
        spans.push(Span::raw(" "));
        used += w(i);
        last = i;
    }
    if last + 1 < options.len() {
        spans.push(Span::raw(">"));
    }
    Line::from(spans)
}

/// A line cut to `cols` columns, the cut marked with `~` (a wide character never straddles
/// the edge).
fn fit_line(line: Line<'static>, cols: u16) -> Line<'static> {
    let cols = cols as usize;
    if line.width() <= cols {
        return line;
    }
    let mut out = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let w = span.width();
        if used + w <= cols.saturating_sub(1) {
            used += w;
            out.push(span);
            continue;
        }
        // More follows (the line is too wide): the cut is always marked.
        let room = cols - used;
        let rest = format!("{} ", span.content);
        out.push(Span::styled(fit(&rest, room), span.style));
        break;
    }
    Line::from(out)
}

/// Widest a form popup gets.
const POPUP_MAX_WIDTH: u16 = 90;

/// Draws `form` as a popup centred over `area`: a bordered box titled `title`, the lines
/// `head` makes for the inner width above the inputs, the form's keys at the foot. The
/// terminal cursor goes to the caret of the focused text input (so the input method's
/// window follows).
pub fn popup(
    ctx: &Ctx<'_>,
    frame: &mut Frame<'_>,
    area: Rect,
    title: &str,
    head: &dyn Fn(usize) -> Vec<Line<'static>>,
    form: &Form,
) {
    let c = ctx.catalog;
    let w = area
        .width
        .saturating_sub(2)
        .clamp(area.width.min(20), POPUP_MAX_WIDTH);
    let inner_w = w.saturating_sub(2);
    let head = head(inner_w as usize);
    let body = form.height(ctx, inner_w);
    let h = (head.len() as u16 + body + 2).min(area.height);
    let rect = crate::tui::widgets::centred(area, w, h);
    let block = Block::bordered()
        .title(Span::styled(title.to_string(), theme::label_focused()))
        .title_bottom(Span::styled(
            footer(c, KEYS, &[] as &[Binding<Cmd>], "  "),
            theme::hint(),
        ))
        .border_style(theme::border_focused());
    let inner = block.inner(rect);
    super::clear_popup(frame, rect);
    frame.render_widget(block, rect);
    let head_h = (head.len() as u16).min(inner.height);
    frame.render_widget(
        Paragraph::new(head),
        Rect {
            height: head_h,
            ..inner
        },
    );
    form.render(
        ctx,
        frame,
        Rect {
            y: inner.y + head_h,
            height: inner.height - head_h,
            ..inner
        },
    );
    if form.asking {
        confirm::render(ctx, frame, rect, c.text("tui.discard_form"));
    }
}

/// Draws `lines` in `style` into `area`, under an input's value.
fn under_value(frame: &mut Frame<'_>, lines: Vec<String>, style: Style, area: Rect) {
    let lines: Vec<Line<'_>> = lines.into_iter().map(|l| Line::styled(l, style)).collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// Where the rows of a form go at one width.
struct Layout {
    label_w: u16,
    /// First row of each input.
    at: Vec<u16>,
    /// Rows of each input's hint under it (0: beside it, or none).
    hints: Vec<u16>,
    /// Rows of a refusal shown above the inputs.
    top_error: u16,
    /// Rows of a refusal shown under its input.
    under: u16,
    rows: u16,
}

/// A choice key: Left/Right (and Space) step through the options and stop at the first
/// and the last (with nothing chosen yet, Right starts at the first, Left at the last),
/// Home/End jump to the ends, a typed character finds the next option containing it (from
/// the top when nothing is chosen, going round the matches). Returns the new choice.
pub fn choose(key: KeyEvent, current: Option<usize>, labels: &[String]) -> Option<usize> {
    let n = labels.len();
    if n == 0 {
        return None;
    }
    match (key.code, current) {
        (KeyCode::Char(_), _) if !plain(&key) => None,
        (KeyCode::Home, _) | (KeyCode::Right | KeyCode::Char(' '), None) => Some(0),
        (KeyCode::End, _) | (KeyCode::Left, None) => Some(n - 1),
        (KeyCode::Right | KeyCode::Char(' '), Some(i)) => Some(step(i, n, false)),
        (KeyCode::Left, Some(i)) => Some(step(i, n, true)),
        (KeyCode::Char(ch), _) => {
            let needle = ch.to_lowercase().to_string();
            let from = current.unwrap_or(n - 1);
            (1..=n)
                .map(|step| (from + step) % n)
                .find(|i| labels[*i].to_lowercase().contains(&needle))
        }
        _ => None,
    }
}

/// The option after `current` of `n` (before it, `back`), stopping at the first and last.
pub fn step(current: usize, n: usize, back: bool) -> usize {
    if back {
        current.saturating_sub(1)
    } else {
        (current + 1).min(n.saturating_sub(1))
    }
}

/// The options of a choice on one line with the chosen one marked; when they do not fit,
/// only the chosen one between arrows (none at the end the choice stops at) and where it
/// is among them.
pub fn choice_line(labels: &[String], chosen: Option<usize>, cols: u16) -> Line<'static> {
    // Each option padded, and the space after it (the last one's too: a mark may follow).
    let all: usize = labels.iter().map(|l| width(l) + 3).sum();
    if all <= cols as usize {
        let spans = labels.iter().enumerate().flat_map(|(i, l)| {
            let style = if Some(i) == chosen {
                theme::selected()
            } else {
                Style::default()
            };
            [Span::styled(format!(" {l} "), style), Span::raw(" ")]
        });
        return Line::from(spans.collect::<Vec<_>>());
    }
    let n = labels.len();
    match chosen.and_then(|i| Some((i, labels.get(i)?))) {
        Some((i, l)) => Line::from(vec![
            Span::raw(if i > 0 { "< " } else { "  " }),
            Span::styled(format!(" {l} "), theme::selected()),
            Span::raw(format!(
                " {}  {}/{n}",
                if i + 1 < n { ">" } else { " " },
                i + 1
            )),
        ]),
        None => Line::raw("<    >"),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    /// Left/Right go among several options, Space ticks the one they are at; what is
    /// ticked is read back in the options' order; a narrow line shows the one at.
    #[test]
    fn several_options_ticked_with_space_and_read_in_order() {
        let options: Vec<(String, String)> = ["a", "b", "c", "d"]
            .iter()
            .map(|k| (k.to_string(), format!("site {k}")))
            .collect();
        let mut form =
            Form::new().picks("sites", "tui.agents_sites", options.clone(), &["c".into()]);
        let press = |f: &mut Form, code| f.key(KeyEvent::new(code, KeyModifiers::NONE));
        assert_eq!(form.picked("sites"), ["c"]);
        assert_eq!(press(&mut form, KeyCode::Right), FormStep::Nothing);
        assert_eq!(
            press(&mut form, KeyCode::Char(' ')),
            FormStep::Changed("sites")
        );
        press(&mut form, KeyCode::End);
        press(&mut form, KeyCode::Right);
        press(&mut form, KeyCode::Char(' '));
        assert_eq!(form.picked("sites"), ["b", "c", "d"]);
        press(&mut form, KeyCode::Char(' '));
        assert_eq!(form.picked("sites"), ["b", "c"]);

        let picked = [false, true, true, false];
        let wide = picks_line(&options, &picked, Some(0), 80).to_string();
        assert_eq!(
            wide.trim_end(),
            "[ ] site a  [x] site b  [x] site c  [ ] site d"
        );
        let narrow = picks_line(&options, &picked, Some(3), 30).to_string();
        assert!(
            narrow.starts_with("< ") && narrow.contains("[ ] site d"),
            "{narrow}"
        );
        assert!(!narrow.contains("site a"), "{narrow}");
        let start = picks_line(&options, &picked, Some(0), 30).to_string();
        assert!(
            start.starts_with("[ ] site a") && start.ends_with('>'),
            "{start}"
        );
    }

    /// Checks that Tab, pressed through `tab` (which returns the focus after it), visits
    /// every input of `form` that applies once, in order from the focus, and comes back.
    pub fn check_tab_order(form: &Form, mut tab: impl FnMut() -> Option<&'static str>) {
        let enabled: Vec<&str> = form
            .inputs()
            .iter()
            .filter(|i| i.is_enabled())
            .map(Input::id)
            .collect();
        let Some(start) = enabled.iter().position(|id| Some(*id) == form.focus()) else {
            assert!(enabled.is_empty(), "the focus is on an input that applies");
            return;
        };
        let expected: Vec<&str> = enabled[start..]
            .iter()
            .chain(&enabled[..start])
            .chain(&enabled[start..=start])
            .copied()
            .collect();
        let mut visited = vec![form.focus().unwrap_or_default()];
        visited.extend((0..enabled.len()).map(|_| tab().unwrap_or_default()));
        assert_eq!(visited, expected);
    }

    #[test]
    fn the_form_keys() {
        check_table(KEYS);
    }

    fn press(form: &mut Form, code: KeyCode) -> FormStep {
        form.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn options(keys: &[&str]) -> Vec<(String, String)> {
        keys.iter()
            .map(|k| (k.to_string(), k.to_uppercase()))
            .collect()
    }

    fn form() -> Form {
        Form::new()
            .choice("scope", "label.scope", options(&["in", "out"]), Some("out"))
            .suggested(true)
            .choice(
                "party",
                "label.party",
                options(&["developer", "utility"]),
                None,
            )
            .tick("explained", "label.explained", false)
            .text("note", "label.note", "")
            .multi("motive", "label.motive", "", 3)
            .focus_first()
    }

    #[test]
    fn tab_moves_through_inputs_that_apply_and_wraps() {
        let mut f = form();
        assert_eq!(f.focus(), Some("scope"));
        press(&mut f, KeyCode::Tab);
        assert_eq!(f.focus(), Some("party"));
        f.set_enabled("party", false);
        assert_eq!(
            f.focus(),
            Some("explained"),
            "focus leaves a disabled input"
        );
        press(&mut f, KeyCode::BackTab);
        assert_eq!(f.focus(), Some("scope"), "the disabled input is skipped");
        press(&mut f, KeyCode::BackTab);
        assert_eq!(f.focus(), Some("motive"), "wraps to the last");
        // Enter is a new line in a multi-line input, the next input elsewhere.
        press(&mut f, KeyCode::Char('a'));
        press(&mut f, KeyCode::Enter);
        press(&mut f, KeyCode::Char('b'));
        assert_eq!(f.text_of("motive"), "a\nb");
        assert_eq!(f.focus(), Some("motive"));
        press(&mut f, KeyCode::Tab);
        assert_eq!(f.focus(), Some("scope"));
        press(&mut f, KeyCode::Enter);
        assert_eq!(f.focus(), Some("explained"));
    }

    #[test]
    fn choices_ticks_and_text_change_and_lose_their_suggestion_mark() {
        let mut f = form();
        assert!(f.is_suggested("scope"));
        assert_eq!(press(&mut f, KeyCode::Left), FormStep::Changed("scope"));
        assert_eq!(f.chosen("scope"), Some("in"));
        assert!(!f.is_suggested("scope"), "changed by the agent");
        press(&mut f, KeyCode::Tab);
        assert_eq!(f.chosen("party"), None);
        press(&mut f, KeyCode::Right);
        assert_eq!(
            f.chosen("party"),
            Some("developer"),
            "Right starts at the first"
        );
        press(&mut f, KeyCode::Char('u'));
        assert_eq!(
            f.chosen("party"),
            Some("utility"),
            "a typed character finds"
        );
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Char(' '));
        assert!(f.ticked("explained"));
        press(&mut f, KeyCode::Tab);
        for c in "张伟".chars() {
            press(&mut f, KeyCode::Char(c));
        }
        assert_eq!(f.text_of("note"), "张伟");
        let (step, removed) = f.paste("\u{1b}[2J好");
        assert_eq!((step, removed), (FormStep::Changed("note"), 1));
        assert_eq!(f.text_of("note"), "张伟[2J好");
    }

    #[test]
    fn ctrl_s_submits_and_esc_or_ctrl_w_cancel() {
        let mut f = form();
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(f.key(ctrl('s')), FormStep::Submit);
        assert_eq!(f.key(ctrl('w')), FormStep::Cancel);
        assert_eq!(press(&mut f, KeyCode::Esc), FormStep::Cancel);
    }

    #[test]
    fn choices_stop_at_their_ends() {
        let mut f = form();
        assert_eq!(f.chosen("scope"), Some("out"), "the last option");
        assert_eq!(press(&mut f, KeyCode::Right), FormStep::Nothing);
        assert_eq!(press(&mut f, KeyCode::Char(' ')), FormStep::Nothing);
        assert_eq!(f.chosen("scope"), Some("out"), "no wrap to the first");
        assert_eq!(press(&mut f, KeyCode::Left), FormStep::Changed("scope"));
        assert_eq!(press(&mut f, KeyCode::Left), FormStep::Nothing);
        assert_eq!(f.chosen("scope"), Some("in"), "no wrap to the last");
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Left);
        assert_eq!(
            f.chosen("party"),
            Some("utility"),
            "Left starts at the last"
        );
        press(&mut f, KeyCode::Home);
        assert_eq!(f.chosen("party"), Some("developer"));
        // A typed character goes round the options that contain it.
        press(&mut f, KeyCode::Char('e'));
        assert_eq!(f.chosen("party"), Some("developer"), "the only match");
        // The short form shows no arrow at the end it stops at.
        let labels: Vec<String> = ["甲", "乙"].map(String::from).to_vec();
        assert_eq!(
            choice_line(&labels, Some(0), 8).to_string(),
            "   甲  >  1/2"
        );
        assert_eq!(
            choice_line(&labels, Some(1), 8).to_string(),
            "<  乙     2/2"
        );
    }

    #[test]
    fn tab_says_which_inputs_it_went_past() {
        let mut f = form();
        f.set_enabled("party", false);
        f.set_enabled("explained", false);
        press(&mut f, KeyCode::Tab);
        assert_eq!(f.focus(), Some("note"));
        assert_eq!(f.passed().collect::<Vec<_>>(), ["party", "explained"]);
        press(&mut f, KeyCode::Char('x'));
        assert_eq!(f.passed().count(), 0, "said while the focus passes");
        press(&mut f, KeyCode::BackTab);
        assert_eq!(f.focus(), Some("scope"));
        assert_eq!(f.passed().collect::<Vec<_>>(), ["explained", "party"]);
    }

    #[test]
    fn cancelling_a_changed_form_asks_first() {
        let mut f = form();
        assert_eq!(
            press(&mut f, KeyCode::Esc),
            FormStep::Cancel,
            "nothing typed"
        );
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Char('x'));
        assert_eq!(press(&mut f, KeyCode::Esc), FormStep::Nothing);
        assert!(f.is_asking());
        // Other keys wait for the answer; no keeps typing where the agent was.
        assert_eq!(press(&mut f, KeyCode::Char('z')), FormStep::Nothing);
        assert_eq!(f.paste("z"), (FormStep::Nothing, 0));
        assert_eq!(press(&mut f, KeyCode::Char('n')), FormStep::Nothing);
        assert!(!f.is_asking());
        press(&mut f, KeyCode::Char('y'));
        assert_eq!(f.text_of("note"), "xy");
        let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(f.key(ctrl_w), FormStep::Nothing);
        assert_eq!(press(&mut f, KeyCode::Enter), FormStep::Cancel);
    }

    #[test]
    fn a_refusal_goes_to_its_input_and_a_change_there_clears_it() {
        let mut f = form();
        f.refuse(Error::new("error.explain_first"), Some("explained"));
        assert_eq!(f.focus(), Some("explained"));
        assert_eq!(f.error().map(|(at, _)| at), Some(Some("explained")));
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Char('x'));
        assert!(f.error().is_some(), "a change elsewhere keeps it");
        press(&mut f, KeyCode::BackTab);
        press(&mut f, KeyCode::Char(' '));
        assert!(f.error().is_none());
        // Without an input given, the one the error names.
        f.refuse(Error::new("error.required").arg("field", "motive"), None);
        assert_eq!(f.focus(), Some("motive"));
        // A refusal naming no input of the form is shown above them.
        f.refuse(Error::new("error.conflict"), Some("nowhere"));
        assert_eq!(f.error().map(|(at, _)| at), Some(None));
        assert_eq!(f.focus(), Some("motive"), "the focus stays");
    }
}
