//! First run: the organisation preset and the language (when no config file exists yet),
//! and the first agent (when nobody is registered in this database): a name and a PIN typed
//! twice, drawn as `*`. That agent becomes the administrator and is signed in. Asks only
//! what is missing.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::config::Preset;
use crate::domain::agent::validate_agent_name;
use crate::domain::secret::{MIN_SECRET, validate_secret};
use crate::error::Error;
use crate::i18n::Lang;
use crate::text::{fit, sanitize_line, width};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, QUIT_HINT, ch, ctrl, footer, key, lookup};
use crate::tui::msg::Effect;
use crate::tui::theme;
use crate::tui::widgets::field::TextField;
use crate::tui::widgets::form::step;
use crate::tui::widgets::secret::{Secret, secret_key};

/// The first agent, as typed on the first-run screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    /// Their name.
    pub name: String,
    /// Their PIN.
    pub secret: Secret,
}

/// What the first-run screen settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Preset and language for a new config file, when there is none yet.
    pub setup: Option<(Preset, Lang)>,
    /// The first agent, when nobody is registered yet.
    pub admin: Option<Admin>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Preset,
    Language,
    Agent,
    Pin,
    PinAgain,
}

/// Columns of a text input on this screen.
const INPUT_W: u16 = 22;

/// The first-run screen.
#[derive(Debug, Clone)]
pub struct FirstRun {
    ask_setup: bool,
    ask_admin: bool,
    preset: usize,
    lang: Lang,
    agent: TextField,
    pin: TextField,
    pin_again: TextField,
    focus: Item,
    /// A refusal, beside the item it concerns (None: about the whole screen).
    error: Option<(Option<Item>, Error)>,
    /// Where the config file will be written, shown to the user.
    config_path: String,
}

/// What the screen's keys do (text keys go to the focused field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    /// Change the choice in focus (Left: the one before).
    Choose,
    Next,
    Prev,
    /// On the last item: start; else the next item.
    Enter,
    /// Start.
    Start,
}

/// The first-run screen's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(
        &[key(KeyCode::Left), key(KeyCode::Right), ch(' ')],
        Cmd::Choose,
    )
    .hint("keys.choose"),
    Binding::new(&[key(KeyCode::Tab), key(KeyCode::Down)], Cmd::Next).hint("keys.next_item"),
    Binding::new(&[key(KeyCode::BackTab), key(KeyCode::Up)], Cmd::Prev),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Enter).hint("keys.start"),
    Binding::new(&[ctrl('s')], Cmd::Start),
];

/// Results that come back to the first-run screen.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The core refused the choices (nothing half done is left but the config file, when
    /// `setup_done`).
    Refused {
        /// Why.
        error: Error,
        /// The config file was written already.
        setup_done: bool,
    },
}

impl FirstRun {
    /// Asks for the setup (when `ask_setup`) and the first agent with their PIN (when
    /// `ask_admin`).
    pub fn new(ask_setup: bool, ask_admin: bool, lang: Lang, config_path: String) -> FirstRun {
        FirstRun {
            ask_setup,
            ask_admin,
            preset: 0,
            lang,
            agent: TextField::line(""),
            pin: TextField::secret(),
            pin_again: TextField::secret(),
            focus: if ask_setup { Item::Preset } else { Item::Agent },
            error: None,
            config_path,
        }
    }

    /// The same screen with the first agent's name filled in (`--agent`).
    pub fn with_agent(mut self, name: &str) -> FirstRun {
        self.agent = TextField::line(name);
        if self.focus == Item::Agent && !self.agent.is_empty() {
            self.focus = Item::Pin;
        }
        self
    }

    /// The language chosen so far (the screen speaks it at once).
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Whether the first agent is asked for.
    pub fn asks_admin(&self) -> bool {
        self.ask_admin
    }

    /// The refusal shown, if any.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref().map(|(_, e)| e)
    }

    /// The core refused what was chosen (the config file could not be written, the agent
    /// could not be created): said on the screen, the PINs to type again. When the config
    /// file was written already (`setup_done`), its questions are not asked again.
    pub fn refused(&mut self, err: Error, setup_done: bool) {
        if setup_done {
            self.ask_setup = false;
        }
        let item = match err.key {
            "error.agent_invalid" | "error.agent_missing" => Some(Item::Agent),
            "error.secret_invalid" | "error.secret_mismatch" => Some(Item::Pin),
            _ => None,
        };
        if self.ask_admin {
            self.pin = TextField::secret();
            self.pin_again = TextField::secret();
            self.focus = item.unwrap_or(Item::Pin);
        }
        if !self.items().contains(&self.focus) {
            self.focus = self.items().first().copied().unwrap_or(Item::Agent);
        }
        self.error = Some((item, err));
    }

    fn items(&self) -> Vec<Item> {
        let mut items = Vec::new();
        if self.ask_setup {
            items.extend([Item::Preset, Item::Language]);
        }
        if self.ask_admin {
            items.extend([Item::Agent, Item::Pin, Item::PinAgain]);
        }
        items
    }

    fn move_focus(&mut self, by: isize) {
        let items = self.items();
        let n = items.len() as isize;
        if n == 0 {
            return;
        }
        let i = items.iter().position(|x| *x == self.focus).unwrap_or(0) as isize;
        self.focus = items[(i + by).rem_euclid(n) as usize];
    }

    /// Takes a result.
    pub fn update(&mut self, msg: Msg) {
        let Msg::Refused { error, setup_done } = msg;
        self.refused(error, setup_done);
    }

    fn refuse(&mut self, item: Item, err: Error) -> Vec<Effect> {
        self.focus = item;
        self.error = Some((Some(item), err));
        Vec::new()
    }

    fn finish(&mut self) -> Vec<Effect> {
        let admin = if self.ask_admin {
            let typed = self.agent.value();
            let checked = if typed.trim().is_empty() {
                Err(Error::new("error.required").arg("field", "agent"))
            } else {
                validate_agent_name(&typed)
            };
            let name = match checked {
                Ok(name) => name,
                Err(e) => return self.refuse(Item::Agent, e),
            };
            let pin = self.pin.value();
            if pin.chars().count() < MIN_SECRET {
                let err = Error::new("tui.pin_short").arg("min", MIN_SECRET);
                return self.refuse(Item::Pin, err);
            }
            if let Err(e) = validate_secret(&pin) {
                return self.refuse(Item::Pin, e);
            }
            if self.pin_again.value() != pin {
                self.pin_again = TextField::secret();
                return self.refuse(Item::PinAgain, Error::new("tui.pin_mismatch"));
            }
            Some(Admin {
                name,
                secret: Secret::new(pin),
            })
        } else {
            None
        };
        let preset = Preset::ALL.get(self.preset).copied().unwrap_or_default();
        vec![Effect::FinishFirstRun(Choice {
            setup: self.ask_setup.then_some((preset, self.lang)),
            admin,
        })]
    }

    fn field_mut(&mut self, item: Item) -> Option<&mut TextField> {
        match item {
            Item::Agent => Some(&mut self.agent),
            Item::Pin => Some(&mut self.pin),
            Item::PinAgain => Some(&mut self.pin_again),
            Item::Preset | Item::Language => None,
        }
    }

    fn field(&self, item: Item) -> Option<&TextField> {
        match item {
            Item::Agent => Some(&self.agent),
            Item::Pin => Some(&self.pin),
            Item::PinAgain => Some(&self.pin_again),
            Item::Preset | Item::Language => None,
        }
    }

    /// Handles a key: Tab/arrows move, Left/Right choose, Enter on the last item or Ctrl+S
    /// confirms.
    pub fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let focus = self.focus;
        let choice = matches!(focus, Item::Preset | Item::Language);
        match lookup(KEYS, &key) {
            Some(Cmd::Start) => return self.finish(),
            Some(Cmd::Enter) => {
                if self.items().last() == Some(&focus) {
                    return self.finish();
                }
                self.move_focus(1);
            }
            Some(Cmd::Next) => self.move_focus(1),
            Some(Cmd::Prev) => self.move_focus(-1),
            Some(Cmd::Choose) if choice => {
                // One option further, stopping at the ends (never round to the first).
                let back = key.code == KeyCode::Left;
                if focus == Item::Preset {
                    self.preset = step(self.preset, Preset::ALL.len(), back);
                } else {
                    let i = Lang::ALL.iter().position(|l| *l == self.lang).unwrap_or(0);
                    self.lang = Lang::ALL[step(i, Lang::ALL.len(), back)];
                }
            }
            _ if choice => {}
            _ => {
                let secret = matches!(focus, Item::Pin | Item::PinAgain);
                if (!secret || secret_key(&key))
                    && let Some(field) = self.field_mut(focus)
                    && field.input(key)
                    && matches!(self.error, Some((Some(at), _)) if at == focus)
                {
                    self.error = None;
                }
            }
        }
        Vec::new()
    }

    /// Pasted text goes into the focused text field.
    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        if let Some(field) = self.field_mut(focus) {
            field.paste(text);
        }
    }

    /// Draws the screen centred in `area`.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let w = area.width.min(72);
        let h = area.height.min(if self.ask_admin { 20 } else { 17 });
        let popup = crate::tui::widgets::centred(area, w, h);
        crate::tui::widgets::clear_popup(frame, popup);
        let block = Block::bordered()
            .title(Span::styled(
                c.text("tui.first_run_title"),
                theme::label_focused(),
            ))
            .border_style(theme::border_focused());
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let setup_h = if self.ask_setup { 2 } else { 0 };
        let admin_h = if self.ask_admin { 2 } else { 0 };
        let [intro, preset, lang, agent, pin, again, error, _, keys] = Layout::vertical([
            Constraint::Length(5),
            Constraint::Length(setup_h),
            Constraint::Length(setup_h),
            Constraint::Length(admin_h),
            Constraint::Length(admin_h),
            Constraint::Length(admin_h),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(inner);
        let intro_text = if self.ask_setup {
            c.format(
                "tui.first_run_intro",
                &[("path", sanitize_line(&self.config_path))],
            )
        } else {
            c.text("tui.first_run_agent_intro").to_string()
        };
        frame.render_widget(Paragraph::new(intro_text).wrap(Wrap { trim: true }), intro);
        let label_key = |item: Item| match item {
            Item::Preset => "tui.first_run_preset",
            Item::Language => "tui.first_run_language",
            Item::Agent => "tui.first_run_agent",
            Item::Pin => "tui.first_run_pin",
            Item::PinAgain => "tui.first_run_pin_again",
        };
        let label_w = self
            .items()
            .iter()
            .map(|i| width(c.text(label_key(*i))))
            .max()
            .unwrap_or(0) as u16
            + 2;
        let label = |item: Item| {
            Span::styled(
                fit(c.text(label_key(item)), label_w as usize),
                if self.focus == item {
                    theme::label_focused()
                } else {
                    theme::label()
                },
            )
        };
        if self.ask_setup {
            let preset_name = Preset::ALL
                .get(self.preset)
                .map_or("", |p| c.text(p.name_key()));
            frame.render_widget(
                Line::from(vec![
                    label(Item::Preset),
                    Span::raw("< "),
                    Span::styled(format!(" {preset_name} "), theme::selected()),
                    Span::raw(" >"),
                ]),
                preset,
            );
            frame.render_widget(
                Line::from(vec![
                    label(Item::Language),
                    Span::raw("< "),
                    Span::styled(format!(" {} ", language_name(self.lang)), theme::selected()),
                    Span::raw(" >"),
                ]),
                lang,
            );
        }
        // A refusal too long to stand beside its field is also written whole below.
        let mut whole = None;
        if self.ask_admin {
            for (item, row) in [
                (Item::Agent, agent),
                (Item::Pin, pin),
                (Item::PinAgain, again),
            ] {
                let [l, input, beside] = Layout::horizontal([
                    Constraint::Length(label_w),
                    Constraint::Length(INPUT_W),
                    Constraint::Min(0),
                ])
                .areas(Rect { height: 1, ..row });
                frame.render_widget(label(item), l);
                frame.render_widget(Block::default().style(theme::input()), input);
                let Some(field) = self.field(item) else {
                    continue;
                };
                frame.render_widget(field.widget(), input);
                if self.focus == item {
                    frame.set_cursor_position(field.caret(input));
                }
                if let Some((Some(at), e)) = &self.error
                    && *at == item
                {
                    let text = sanitize_line(&c.render(e));
                    let room = (beside.width as usize).saturating_sub(1);
                    if width(&text) > room {
                        whole = Some(text.clone());
                    }
                    frame.render_widget(
                        Span::styled(format!(" {}", fit(&text, room)), theme::error()),
                        beside,
                    );
                }
            }
        }
        if let Some((None, e)) = &self.error {
            whole = Some(sanitize_line(&c.render(e)));
        }
        if let Some(text) = whole {
            frame.render_widget(
                Span::styled(fit(&text, error.width as usize), theme::error()),
                error,
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

/// A language by its own name, the same in every interface language.
fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::ZhCn => "简体中文",
        Lang::ZhTw => "繁體中文（臺灣）",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crossterm::event::KeyModifiers;

    #[test]
    fn the_first_run_keys() {
        check_table(KEYS);
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(f: &mut FirstRun, text: &str) {
        for c in text.chars() {
            f.key(press(KeyCode::Char(c)));
        }
    }

    #[test]
    fn asks_setup_then_agent_and_pin_twice() {
        let mut f = FirstRun::new(true, true, Lang::ZhCn, "/tmp/c.toml".into());
        assert_eq!(f.key(press(KeyCode::Right)), Vec::new());
        f.key(press(KeyCode::Tab));
        f.key(press(KeyCode::Right));
        assert_eq!(f.lang(), Lang::ZhTw, "the three languages in turn");
        f.key(press(KeyCode::Right));
        assert_eq!(f.lang(), Lang::ZhTw, "the last stays: no wrap to the first");
        f.key(press(KeyCode::Left));
        f.key(press(KeyCode::Left));
        assert_eq!(f.lang(), Lang::En);
        f.key(press(KeyCode::Tab));
        assert_eq!(f.key(press(KeyCode::Enter)), Vec::new());
        assert_eq!(f.focus, Item::Pin, "Enter goes on to the PIN");
        assert_eq!(
            f.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Vec::new()
        );
        assert_eq!(
            f.error.as_ref().map(|(at, e)| (*at, e.key)),
            Some((Some(Item::Agent), "error.required")),
            "an empty name is refused beside it"
        );
        f.paste("王丽");
        f.key(press(KeyCode::Tab));
        type_text(&mut f, "258");
        f.key(press(KeyCode::Tab));
        type_text(&mut f, "258");
        assert_eq!(f.key(press(KeyCode::Enter)), Vec::new());
        assert_eq!(
            f.error.as_ref().map(|(at, e)| (*at, e.key)),
            Some((Some(Item::Pin), "tui.pin_short"))
        );
        type_text(&mut f, "0");
        assert!(f.error.is_none(), "typing in the field clears its refusal");
        f.key(press(KeyCode::Tab));
        type_text(&mut f, "1");
        assert_eq!(f.key(press(KeyCode::Enter)), Vec::new());
        assert_eq!(
            f.error.as_ref().map(|(at, e)| (*at, e.key)),
            Some((Some(Item::PinAgain), "tui.pin_mismatch"))
        );
        assert!(f.pin_again.is_empty(), "the second PIN is typed again");
        type_text(&mut f, "2580");
        assert_eq!(
            f.key(press(KeyCode::Enter)),
            vec![Effect::FinishFirstRun(Choice {
                setup: Some((Preset::PestControl, Lang::En)),
                admin: Some(Admin {
                    name: "王丽".into(),
                    secret: Secret::new("2580".into()),
                }),
            })]
        );
    }

    #[test]
    fn the_presets_in_turn_the_last_one_kept() {
        let mut f = FirstRun::new(true, false, Lang::ZhCn, String::new());
        for _ in 0..3 {
            f.key(press(KeyCode::Right));
        }
        assert_eq!(f.key(press(KeyCode::Tab)), Vec::new(), "on to the language");
        assert_eq!(
            f.key(press(KeyCode::Enter)),
            vec![Effect::FinishFirstRun(Choice {
                setup: Some((Preset::ItServices, Lang::ZhCn)),
                admin: None,
            })]
        );
    }

    #[test]
    fn asks_only_what_is_missing() {
        let mut f = FirstRun::new(false, true, Lang::En, String::new()).with_agent("Li");
        assert_eq!(f.focus, Item::Pin, "the name is filled in");
        f.paste("1234");
        f.key(press(KeyCode::Tab));
        f.paste("1234");
        assert_eq!(
            f.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            vec![Effect::FinishFirstRun(Choice {
                setup: None,
                admin: Some(Admin {
                    name: "Li".into(),
                    secret: Secret::new("1234".into()),
                }),
            })]
        );
        let mut setup_only = FirstRun::new(true, false, Lang::En, String::new());
        assert_eq!(
            setup_only.key(press(KeyCode::Enter)),
            Vec::new(),
            "Enter on the preset goes to the language"
        );
        assert_eq!(
            setup_only.key(press(KeyCode::Enter)),
            vec![Effect::FinishFirstRun(Choice {
                setup: Some((Preset::PropertyManagement, Lang::En)),
                admin: None,
            })]
        );
    }

    #[test]
    fn a_refusal_of_the_core_drops_the_setup_already_written() {
        let mut f = FirstRun::new(true, true, Lang::En, String::new());
        f.refused(Error::new("error.first_admin_exists"), true);
        assert!(!f.ask_setup);
        assert_eq!(f.focus, Item::Pin);
        assert_eq!(f.error().map(|e| e.key), Some("error.first_admin_exists"));
    }
}
