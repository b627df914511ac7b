//! First run: the organisation preset, the language, and the first agent's name. Shown when
//! no config file exists yet, or when nobody has used this database yet and `--agent` was
//! not given; asks only what is missing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::config::Preset;
use crate::domain::agent::validate_agent_name;
use crate::error::Error;
use crate::i18n::Lang;
use crate::tui::app::Ctx;
use crate::tui::theme;
use crate::tui::widgets::field::TextField;

/// What the first-run screen settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Preset and language for a new config file, when there is none yet.
    pub setup: Option<(Preset, Lang)>,
    /// The first agent, when none is known yet.
    pub agent: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Preset,
    Language,
    Agent,
}

/// The first-run screen.
#[derive(Debug, Clone)]
pub struct FirstRun {
    ask_setup: bool,
    ask_agent: bool,
    preset: usize,
    lang: Lang,
    agent: TextField,
    focus: Item,
    error: Option<Error>,
    /// Where the config file will be written, shown to the user.
    config_path: String,
}

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstRunStep {
    /// Keep asking.
    Stay,
    /// Done.
    Done(Choice),
}

impl FirstRun {
    /// Asks for the setup (when `ask_setup`) and the agent (when `ask_agent`).
    pub fn new(ask_setup: bool, ask_agent: bool, lang: Lang, config_path: String) -> FirstRun {
        FirstRun {
            ask_setup,
            ask_agent,
            preset: 0,
            lang,
            agent: TextField::line(""),
            focus: if ask_setup { Item::Preset } else { Item::Agent },
            error: None,
            config_path,
        }
    }

    /// The language chosen so far (the screen speaks it at once).
    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn items(&self) -> Vec<Item> {
        let mut items = Vec::new();
        if self.ask_setup {
            items.extend([Item::Preset, Item::Language]);
        }
        if self.ask_agent {
            items.push(Item::Agent);
        }
        items
    }

    fn move_focus(&mut self, by: isize) {
        let items = self.items();
        let n = items.len() as isize;
        let i = items.iter().position(|x| *x == self.focus).unwrap_or(0) as isize;
        self.focus = items[(i + by).rem_euclid(n) as usize];
    }

    fn finish(&mut self) -> FirstRunStep {
        let agent = if self.ask_agent {
            let typed = self.agent.value();
            let checked = if typed.trim().is_empty() {
                Err(Error::new("error.required").arg("field", "agent"))
            } else {
                validate_agent_name(&typed)
            };
            match checked {
                Ok(name) => Some(name),
                Err(e) => {
                    self.error = Some(e);
                    self.focus = Item::Agent;
                    return FirstRunStep::Stay;
                }
            }
        } else {
            None
        };
        let preset = Preset::ALL.get(self.preset).copied().unwrap_or_default();
        FirstRunStep::Done(Choice {
            setup: self.ask_setup.then_some((preset, self.lang)),
            agent,
        })
    }

    /// Handles a key: Tab/arrows move, Left/Right choose, Enter on the last item or Ctrl+S
    /// confirms.
    pub fn key(&mut self, key: KeyEvent) -> FirstRunStep {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s' | 'S') if ctrl => return self.finish(),
            KeyCode::Enter => {
                if self.items().last() == Some(&self.focus) {
                    return self.finish();
                }
                self.move_focus(1);
            }
            KeyCode::Tab | KeyCode::Down => self.move_focus(1),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(-1),
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if self.focus != Item::Agent => {
                let back = key.code == KeyCode::Left;
                match self.focus {
                    Item::Preset => {
                        let n = Preset::ALL.len();
                        self.preset = (self.preset + if back { n - 1 } else { 1 }) % n;
                    }
                    Item::Language => {
                        let n = Lang::ALL.len();
                        let i = Lang::ALL.iter().position(|l| *l == self.lang).unwrap_or(0);
                        self.lang = Lang::ALL[(i + if back { n - 1 } else { 1 }) % n];
                    }
                    Item::Agent => {}
                }
            }
            _ if self.focus == Item::Agent && self.agent.input(key) => self.error = None,
            _ => {}
        }
        FirstRunStep::Stay
    }

    /// Pasted text goes into the name.
    pub fn paste(&mut self, text: &str) {
        if self.focus == Item::Agent {
            self.agent.paste(text);
        }
    }

    /// Draws the screen centred in `area`.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let w = area.width.min(72);
        let h = area.height.min(17);
        let popup = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        crate::tui::widgets::clear_popup(frame, popup);
        let block = Block::bordered()
            .title(Span::styled(
                c.text("tui.first_run_title"),
                theme::label_focused(),
            ))
            .border_style(theme::border_focused());
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let [intro, preset, lang, agent, error, _, keys] = Layout::vertical([
            Constraint::Length(5),
            Constraint::Length(if self.ask_setup { 2 } else { 0 }),
            Constraint::Length(if self.ask_setup { 2 } else { 0 }),
            Constraint::Length(if self.ask_agent { 2 } else { 0 }),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(inner);
        let intro_text = if self.ask_setup {
            c.format(
                "tui.first_run_intro",
                &[("path", crate::text::sanitize_line(&self.config_path))],
            )
        } else {
            c.text("tui.first_run_agent_intro").to_string()
        };
        frame.render_widget(Paragraph::new(intro_text).wrap(Wrap { trim: true }), intro);
        let label = |item: Item, key: &str| {
            Span::styled(
                format!("{}  ", c.text(key)),
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
                .map_or("", |p| c.text(preset_key(*p)));
            frame.render_widget(
                Line::from(vec![
                    label(Item::Preset, "tui.first_run_preset"),
                    Span::raw("< "),
                    Span::styled(format!(" {preset_name} "), theme::selected()),
                    Span::raw(" >"),
                ]),
                preset,
            );
            frame.render_widget(
                Line::from(vec![
                    label(Item::Language, "tui.first_run_language"),
                    Span::raw("< "),
                    Span::styled(format!(" {} ", language_name(self.lang)), theme::selected()),
                    Span::raw(" >"),
                ]),
                lang,
            );
        }
        if self.ask_agent {
            let name = label(Item::Agent, "tui.first_run_agent");
            let label_w = name.width() as u16;
            let [l, input] = Layout::horizontal([Constraint::Length(label_w), Constraint::Min(1)])
                .areas(Rect { height: 1, ..agent });
            frame.render_widget(name, l);
            frame.render_widget(
                Block::default().style(Style::default().bg(Color::Indexed(238))),
                input,
            );
            frame.render_widget(self.agent.widget(), input);
            if self.focus == Item::Agent {
                frame.set_cursor_position(self.agent.caret(input));
            }
        }
        if let Some(e) = &self.error {
            frame.render_widget(
                Span::styled(crate::text::sanitize_line(&c.render(e)), theme::error()),
                error,
            );
        }
        frame.render_widget(
            Span::styled(c.text("tui.first_run_keys"), theme::hint()),
            keys,
        );
    }
}

fn preset_key(p: Preset) -> &'static str {
    match p {
        Preset::PropertyManagement => "tui.preset_property_management",
        Preset::PestControl => "tui.preset_pest_control",
    }
}

/// A language by its own name, the same in every interface language.
fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::ZhCn => "简体中文",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn asks_setup_then_agent_and_refuses_an_empty_name() {
        let mut f = FirstRun::new(true, true, Lang::ZhCn, "/tmp/c.toml".into());
        assert_eq!(f.key(press(KeyCode::Right)), FirstRunStep::Stay);
        f.key(press(KeyCode::Tab));
        f.key(press(KeyCode::Right));
        assert_eq!(f.lang(), Lang::En);
        f.key(press(KeyCode::Tab));
        assert_eq!(f.key(press(KeyCode::Enter)), FirstRunStep::Stay);
        assert!(f.error.is_some(), "an empty name is refused");
        f.paste("王丽");
        assert_eq!(
            f.key(press(KeyCode::Enter)),
            FirstRunStep::Done(Choice {
                setup: Some((Preset::PestControl, Lang::En)),
                agent: Some("王丽".into()),
            })
        );
    }

    #[test]
    fn asks_only_what_is_missing() {
        let mut f = FirstRun::new(false, true, Lang::En, String::new());
        f.paste("Li");
        assert_eq!(
            f.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            FirstRunStep::Done(Choice {
                setup: None,
                agent: Some("Li".into()),
            })
        );
    }
}
