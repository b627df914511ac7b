//! The lock screen, where every session starts and where Ctrl+L or a quiet desk leads: the
//! screen of a shared workstation between two agents. It shows no personal data, only the
//! app's name, the clock, the agent's name and a PIN drawn as `*`. The remembered agent's
//! name is filled in and the PIN has the focus; Tab goes to the name, where the first
//! character typed replaces it, so the next agent signs in with a few keys.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::error::Error;
use crate::text::{fit, sanitize_line, width};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, QUIT_HINT, ctrl, footer, key, lookup};
use crate::tui::msg::Effect;
use crate::tui::theme;
use crate::tui::widgets::field::TextField;
use crate::tui::widgets::secret::{Secret, secret_key};
use crate::when::local_minutes;

/// The fields of the lock screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockField {
    /// Who signs in.
    Name,
    /// Their PIN.
    Pin,
}

/// What the lock screen's keys do (text keys go to the focused field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    /// Sign in (in the name, with a name typed: on to the PIN).
    Submit,
    /// The other field.
    Switch,
    /// Empty the PIN.
    ClearPin,
}

/// The lock screen's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Enter), ctrl('s')], Cmd::Submit).hint("keys.sign_in"),
    Binding::new(
        &[
            key(KeyCode::Tab),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
            key(KeyCode::Down),
        ],
        Cmd::Switch,
    )
    .hint("keys.switch_field"),
    Binding::new(&[key(KeyCode::Esc)], Cmd::ClearPin).hint("keys.clear_pin"),
];

/// Results that come back to the lock screen.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The sign-in was refused (wrong name or PIN, a wait, a locked or disabled account),
    /// or failed.
    Refused(Error),
}

/// The lock screen's state.
#[derive(Debug, Clone)]
pub struct Lock {
    name: TextField,
    pin: TextField,
    focus: LockField,
    /// The name was just entered with Tab: the first character typed replaces it.
    replace_name: bool,
    error: Option<Error>,
}

impl Lock {
    /// The lock screen with `agent` filled in (the PIN focused), or an empty name to type.
    pub fn new(agent: &str) -> Lock {
        let name = TextField::line(agent);
        let focus = if name.is_empty() {
            LockField::Name
        } else {
            LockField::Pin
        };
        Lock {
            name,
            pin: TextField::secret(),
            focus,
            replace_name: false,
            error: None,
        }
    }

    /// The field with focus.
    pub fn focus(&self) -> LockField {
        self.focus
    }

    /// The name as typed.
    pub fn name(&self) -> String {
        self.name.value()
    }

    /// How many characters of the PIN are typed.
    pub fn pin_len(&self) -> usize {
        self.pin.value().chars().count()
    }

    /// The refusal shown, if any.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// A sign-in was refused (or failed): the reason is shown, the PIN emptied and focused
    /// (the name, when the name is what was wrong).
    pub fn refused(&mut self, err: Error) {
        self.pin = TextField::secret();
        // About the name's account: the next agent types their own name.
        self.focus = if matches!(
            err.key,
            "error.agent_disabled"
                | "error.agent_invalid"
                | "error.agent_missing"
                | "error.agent_unknown"
                | "error.account_locked"
        ) {
            LockField::Name
        } else {
            LockField::Pin
        };
        self.replace_name = false;
        self.error = Some(err);
    }

    /// Empties the PIN (a PIN half typed and left on a quiet desk).
    pub fn clear_pin(&mut self) {
        if !self.pin.is_empty() {
            self.pin = TextField::secret();
        }
    }

    fn set_focus(&mut self, focus: LockField) {
        self.replace_name = focus == LockField::Name && self.focus != LockField::Name;
        self.focus = focus;
    }

    /// Takes a result.
    pub fn update(&mut self, msg: Msg) {
        let Msg::Refused(err) = msg;
        self.refused(err);
    }

    fn submit(&mut self) -> Vec<Effect> {
        let name = self.name.value().trim().to_string();
        if name.is_empty() {
            self.error = Some(Error::new("tui.lock_name_required"));
            self.set_focus(LockField::Name);
            return Vec::new();
        }
        if self.pin.is_empty() {
            self.error = Some(Error::new("tui.lock_pin_required"));
            self.set_focus(LockField::Pin);
            return Vec::new();
        }
        let secret = Secret::new(self.pin.value());
        self.pin = TextField::secret();
        self.error = None;
        self.focus = LockField::Pin;
        vec![Effect::SignIn { name, secret }]
    }

    /// Handles a key: Enter or Ctrl+S signs in (Enter in the name goes to the PIN), Tab and
    /// the arrows switch fields, Esc empties the PIN.
    pub fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match lookup(KEYS, &key) {
            Some(Cmd::Submit)
                if key.code == KeyCode::Enter
                    && self.focus == LockField::Name
                    && !self.name.is_empty() =>
            {
                self.set_focus(LockField::Pin);
            }
            Some(Cmd::Submit) => return self.submit(),
            Some(Cmd::Switch) => {
                self.set_focus(match self.focus {
                    LockField::Name => LockField::Pin,
                    LockField::Pin => LockField::Name,
                });
            }
            Some(Cmd::ClearPin) => {
                self.pin = TextField::secret();
                self.error = None;
            }
            None if !secret_key(&key) => {}
            None => match self.focus {
                LockField::Name => {
                    if self.replace_name {
                        self.replace_name = false;
                        match key.code {
                            KeyCode::Char(_) => self.name = TextField::line(""),
                            KeyCode::Backspace | KeyCode::Delete => {
                                self.name = TextField::line("");
                                self.error = None;
                                return Vec::new();
                            }
                            _ => {}
                        }
                    }
                    if self.name.input(key) {
                        self.error = None;
                    }
                }
                LockField::Pin => {
                    if self.pin.input(key) {
                        self.error = None;
                    }
                }
            },
        }
        Vec::new()
    }

    /// Pasted text goes into the focused field (replacing a name just entered with Tab).
    pub fn paste(&mut self, text: &str) {
        match self.focus {
            LockField::Name => {
                if std::mem::take(&mut self.replace_name) {
                    self.name = TextField::line("");
                }
                self.name.paste(text);
            }
            LockField::Pin => {
                self.pin.paste(text);
            }
        }
        self.error = None;
    }

    /// Draws the screen: the app's name and the clock on top, the sign-in box centred.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let now = ctx.now;
        let c = ctx.catalog;
        let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let clock = format!(" {} ", local_minutes(now, ctx.zone()));
        let name = format!(" {}", c.text("tui.app_name"));
        let room = (top.width as usize).saturating_sub(width(&clock));
        frame.render_widget(
            Line::from(vec![
                Span::styled(fit(&name, room), theme::status()),
                Span::styled(clock, theme::status()),
            ]),
            top,
        );

        let w = body.width.saturating_sub(4).min(64);
        let h = body.height.min(13);
        let popup = crate::tui::widgets::centred(body, w, h);
        let block = Block::bordered()
            .title(Span::styled(
                c.text("tui.lock_title"),
                theme::label_focused(),
            ))
            .border_style(theme::border_focused());
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let [intro, _, name_row, _, pin_row, _, error_row, _, keys] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(c.text("tui.lock_intro")).wrap(Wrap { trim: true }),
            intro,
        );
        let labels = [
            (LockField::Name, c.text("tui.lock_name")),
            (LockField::Pin, c.text("tui.lock_pin")),
        ];
        let label_w = labels.iter().map(|(_, l)| width(l)).max().unwrap_or(0) as u16 + 2;
        for ((field, label), row) in labels.into_iter().zip([name_row, pin_row]) {
            let [l, input, _] = Layout::horizontal([
                Constraint::Length(label_w),
                Constraint::Length(24),
                Constraint::Min(0),
            ])
            .areas(row);
            let style = if self.focus == field {
                theme::label_focused()
            } else {
                theme::label()
            };
            frame.render_widget(Span::styled(label, style), l);
            frame.render_widget(Block::default().style(theme::input()), input);
            let value = match field {
                LockField::Name => &self.name,
                LockField::Pin => &self.pin,
            };
            frame.render_widget(value.widget(), input);
            if self.focus == field {
                frame.set_cursor_position(value.caret(input));
            }
        }
        if let Some(e) = &self.error {
            frame.render_widget(
                Span::styled(
                    fit(&sanitize_line(&c.render(e)), error_row.width as usize),
                    theme::error(),
                ),
                error_row,
            );
        }
        frame.render_widget(
            Span::styled(
                fit(&footer(c, KEYS, QUIT_HINT, "   "), keys.width as usize),
                theme::hint(),
            ),
            keys,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    #[test]
    fn the_lock_keys() {
        check_table(KEYS);
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(lock: &mut Lock, text: &str) {
        for c in text.chars() {
            lock.key(press(KeyCode::Char(c)));
        }
    }

    #[test]
    fn the_remembered_agent_types_the_pin_and_enter_signs_in() {
        let mut lock = Lock::new("王丽");
        assert_eq!(lock.focus(), LockField::Pin);
        type_text(&mut lock, "2580");
        assert_eq!(lock.pin_len(), 4);
        assert_eq!(
            lock.key(press(KeyCode::Enter)),
            vec![Effect::SignIn {
                name: "王丽".into(),
                secret: Secret::new("2580".into()),
            }]
        );
        assert_eq!(lock.pin_len(), 0, "the PIN is not kept once sent");
    }

    #[test]
    fn tab_to_the_name_and_typing_replaces_it() {
        let mut lock = Lock::new("王丽");
        lock.key(press(KeyCode::Tab));
        assert_eq!(lock.focus(), LockField::Name);
        type_text(&mut lock, "李娜");
        assert_eq!(lock.name(), "李娜");
        // Enter in the name goes to the PIN; Enter with no PIN says so.
        lock.key(press(KeyCode::Enter));
        assert_eq!(lock.focus(), LockField::Pin);
        assert_eq!(lock.key(press(KeyCode::Enter)), Vec::new());
        assert_eq!(lock.error().map(|e| e.key), Some("tui.lock_pin_required"));
        type_text(&mut lock, "1234");
        assert!(lock.error().is_none(), "typing clears the refusal");
        assert!(matches!(
            lock.key(press(KeyCode::Enter)).as_slice(),
            [Effect::SignIn { name, .. }] if name == "李娜"
        ));
        // Back in the name: Backspace empties it at once; moving the caret keeps it.
        lock.key(press(KeyCode::BackTab));
        lock.key(press(KeyCode::Backspace));
        assert_eq!(lock.name(), "");
        type_text(&mut lock, "赵强");
        lock.key(press(KeyCode::Tab));
        lock.key(press(KeyCode::Tab));
        lock.key(press(KeyCode::End));
        type_text(&mut lock, "2");
        assert_eq!(lock.name(), "赵强2");
    }

    #[test]
    fn a_refusal_empties_the_pin_and_chords_never_reach_it() {
        let mut lock = Lock::new("");
        assert_eq!(lock.focus(), LockField::Name);
        assert_eq!(lock.key(press(KeyCode::Enter)), Vec::new());
        assert_eq!(lock.error().map(|e| e.key), Some("tui.lock_name_required"));
        type_text(&mut lock, "王丽");
        lock.key(press(KeyCode::Tab));
        type_text(&mut lock, "99");
        lock.key(KeyEvent::new(KeyCode::Char('m'), KeyModifiers::CONTROL));
        lock.key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
        assert_eq!(lock.pin_len(), 2);
        lock.refused(Error::new("error.sign_in_failed"));
        assert_eq!(lock.pin_len(), 0);
        assert_eq!(lock.focus(), LockField::Pin);
        lock.refused(Error::new("error.agent_disabled").arg("agent", "王丽"));
        assert_eq!(lock.focus(), LockField::Name);
        assert_eq!(
            format!("{:?}", Secret::new("2580".into())),
            "Secret(4 chars)",
            "a secret never prints"
        );
    }
}
