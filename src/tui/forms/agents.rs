//! The agents overlay (F9, for roles that manage agents): the registered agents with their
//! role, state and (where the desk has sites) sites, and forms to add one (a role, their
//! sites, a first PIN typed twice), set one's sites, disable one, or reset one's PIN (which
//! unlocks it). It opens only with the list the desk gave (the desk checks the permission);
//! every change is an effect on the same desk calls as `agent …`, and the list is read
//! again after it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::desk::AgentInfo;
use crate::domain::secret::validate_secret;
use crate::error::Error;
use crate::present::role_name;
use crate::text::{fit, sanitize_line, width};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Binding, Help, ch, ctrl, footer, help_rows, key, lookup};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormStep, popup};

/// A change made, for the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Agent added, with this role key.
    Added {
        /// Who.
        name: String,
        /// Their role: its key from the desk, its name in the interface language once in
        /// a notice.
        role: String,
    },
    /// Agent disabled.
    Disabled(String),
    /// Agent's PIN reset (and the account unlocked).
    Reset(String),
    /// Agent's sites set.
    Sites {
        /// Whose.
        name: String,
        /// Their sites: keys from the desk, their names in the interface language (or
        /// "every site") once in a notice.
        sites: Vec<String>,
    },
}

/// Results for the overlay.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The agents, as the desk lists them.
    Listed(Vec<AgentInfo>),
    /// The desk made the change.
    Done(Change),
    /// The desk refused the change asked for in the open form.
    Refused(Error),
}

/// What the list's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Up,
    Down,
    Add,
    Disable,
    Reset,
    Sites,
    Close,
}

/// The list's keys (a form over it has the form's keys).
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Up)], Cmd::Up).help("Up / Down", "help.list_move"),
    Binding::new(&[key(KeyCode::Down)], Cmd::Down),
    Binding::new(&[ch('a')], Cmd::Add)
        .help("a", "help.agent_add")
        .hint("keys.agent_add"),
    Binding::new(&[ch('d')], Cmd::Disable)
        .help("d", "help.agent_disable")
        .hint("keys.agent_disable"),
    Binding::new(&[ch('r')], Cmd::Reset)
        .help("r", "help.agent_reset")
        .hint("keys.agent_reset"),
    Binding::new(&[ch('s')], Cmd::Sites)
        .help("s", "help.agent_sites")
        .hint("keys.agent_sites"),
    Binding::new(&[key(KeyCode::Esc), ctrl('w')], Cmd::Close)
        .help("Esc / Ctrl+W", "help.agents_close")
        .hint("keys.agents_close"),
];

/// The form open over the list, and what it does.
#[derive(Debug, Clone)]
enum Open {
    Add(Form),
    Disable(String, Form),
    Reset(String, Form),
    Sites(String, Form),
}

/// The overlay: the agents, the one selected, and a form over them.
#[derive(Debug, Clone)]
pub struct Agents {
    rows: Vec<AgentInfo>,
    selected: usize,
    open: Option<Open>,
    /// The desk has sites configured (agents' sites are shown and set).
    sites: bool,
}

impl Agents {
    /// The overlay over the agents the desk listed; `sites`: the desk has sites configured.
    pub fn new(rows: Vec<AgentInfo>, sites: bool) -> Agents {
        Agents {
            rows,
            selected: 0,
            open: None,
            sites,
        }
    }

    /// The list's keys in force: those of [`KEYS`] (setting sites only where the desk has
    /// sites).
    fn keys(&self) -> Vec<Binding<Cmd>> {
        KEYS.iter()
            .filter(|b| self.sites || b.cmd != Cmd::Sites)
            .copied()
            .collect()
    }

    /// The agents shown.
    pub fn rows(&self) -> &[AgentInfo] {
        &self.rows
    }

    /// The selected agent, if any.
    pub fn selected(&self) -> Option<&AgentInfo> {
        self.rows.get(self.selected)
    }

    /// The form open over the list, if any.
    pub fn form(&self) -> Option<&Form> {
        match &self.open {
            Some(Open::Add(f) | Open::Disable(_, f) | Open::Reset(_, f) | Open::Sites(_, f)) => {
                Some(f)
            }
            None => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.open {
            Some(Open::Add(f) | Open::Disable(_, f) | Open::Reset(_, f) | Open::Sites(_, f)) => {
                Some(f)
            }
            None => None,
        }
    }

    /// Handles a result of the desk.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        match msg {
            Msg::Listed(rows) => {
                self.rows = rows;
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                Out::none()
            }
            Msg::Done(mut change) => {
                self.open = None;
                match &mut change {
                    Change::Added { role, .. } => *role = role_name(role, ctx.config, ctx.lang),
                    Change::Sites { sites, .. } => *sites = vec![site_names(ctx, sites)],
                    Change::Disabled(_) | Change::Reset(_) => {}
                }
                Out::effect(Effect::LoadAgents).with_notice(Notice::AgentChanged(change))
            }
            Msg::Refused(err) => match self.form_mut() {
                Some(form) => {
                    let field = match err.key {
                        "error.secret_invalid" => Some("secret"),
                        "error.agent_missing" | "error.agent_invalid" | "error.agent_exists" => {
                            Some("agent")
                        }
                        "error.unknown_role" => Some("role"),
                        "error.agent_site_unknown" | "error.no_sites" => Some("sites"),
                        _ => None,
                    };
                    form.refuse(err, field);
                    Out::none()
                }
                None => Out::notice(Notice::Failed(err)),
            },
        }
    }

    /// Handles a key; `Close` asks the app to close the overlay (returns true).
    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> (Out, bool) {
        if let Some(form) = self.form_mut() {
            return match form.key(key) {
                FormStep::Submit => (self.submit(), false),
                FormStep::Cancel => {
                    self.open = None;
                    (Out::none(), false)
                }
                FormStep::Nothing | FormStep::Changed(_) => (Out::none(), false),
            };
        }
        match lookup(&self.keys(), &key) {
            Some(Cmd::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Cmd::Down) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1));
            }
            Some(Cmd::Add) => self.open = Some(Open::Add(add_form(ctx, self.sites))),
            Some(Cmd::Disable) => {
                if let Some(a) = self.selected() {
                    self.open = Some(Open::Disable(a.name.clone(), Form::new()));
                }
            }
            Some(Cmd::Reset) => {
                if let Some(a) = self.selected() {
                    let form = Form::new()
                        .secret("secret", "tui.agents_new_pin")
                        .hint("tui.agents_pin_hint")
                        .secret("secret_again", "tui.first_run_pin_again");
                    self.open = Some(Open::Reset(a.name.clone(), form));
                }
            }
            Some(Cmd::Sites) => {
                if let Some(a) = self.selected() {
                    let form = Form::new()
                        .picks("sites", "tui.agents_sites", site_options(ctx), &a.sites)
                        .hint("tui.agents_sites_hint");
                    self.open = Some(Open::Sites(a.name.clone(), form));
                }
            }
            Some(Cmd::Close) => return (Out::none(), true),
            None => {}
        }
        (Out::none(), false)
    }

    /// Pasted text goes into the open form.
    pub fn paste(&mut self, text: &str) -> Out {
        match self.form_mut() {
            Some(form) => match form.paste(text) {
                (_, 0) => Out::none(),
                (_, n) => Out::notice(Notice::PasteCleaned(n)),
            },
            None => Out::none(),
        }
    }

    /// The form's values checked and sent to the desk (the PIN by the domain's rule, the
    /// two typings compared); a refusal stays in the form.
    fn submit(&mut self) -> Out {
        let Some(open) = &mut self.open else {
            return Out::none();
        };
        let effect = match open {
            Open::Add(form) => {
                let Some(secret) = new_secret(form) else {
                    return Out::none();
                };
                Effect::AddAgent {
                    name: form.text_of("agent").trim().to_string(),
                    role: form.chosen("role").unwrap_or_default().to_string(),
                    sites: form.picked("sites"),
                    secret,
                }
            }
            Open::Disable(name, _) => Effect::DisableAgent(name.clone()),
            Open::Sites(name, form) => Effect::SetAgentSites {
                name: name.clone(),
                sites: form.picked("sites"),
            },
            Open::Reset(name, form) => {
                let Some(secret) = new_secret(form) else {
                    return Out::none();
                };
                Effect::ResetSecret {
                    name: name.clone(),
                    secret,
                }
            }
        };
        Out::effect(effect)
    }

    /// The keys in force, for the help.
    pub fn help(&self) -> Vec<Help> {
        match self.form() {
            Some(form) => form.help(),
            None => help_rows(&self.keys()).collect(),
        }
    }

    /// Draws the list in a box over `area`, and the open form over it.
    pub fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let role = |key: &str| role_name(key, ctx.config, ctx.lang);
        let mut header = vec![
            c.text("agent_state.name").to_string(),
            c.text("agent_state.role").to_string(),
            c.text("agent_state.state").to_string(),
        ];
        if self.sites {
            header.push(c.text("agent_state.sites").to_string());
        }
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|a| {
                let mut row = vec![
                    sanitize_line(&a.name),
                    role(&a.role),
                    c.text(&format!("agent_state.{}", a.state())).to_string(),
                ];
                if self.sites {
                    row.push(site_names(ctx, &a.sites));
                }
                row
            })
            .collect();
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| width(&r[i]))
                    .chain([width(&header[i])])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |r: &[String]| {
            let parts: Vec<String> = r.iter().zip(&widths).map(|(s, w)| fit(s, *w)).collect();
            format!(" {}", parts.join("  "))
        };
        let keys = footer(c, &self.keys(), &[] as &[Binding<Cmd>], "  ");
        let inner_w = widths.iter().sum::<usize>() + 2 * widths.len() - 1;
        let w = (inner_w.max(width(&keys)) as u16 + 4).min(area.width);
        let h = (self.rows.len() as u16 + 3).min(area.height);
        let rect = crate::tui::widgets::centred(area, w, h);
        // Scrolled so the selected agent is in view.
        let shown = usize::from(h.saturating_sub(3)).max(1);
        let skip = self.selected.saturating_sub(shown - 1);
        let mut lines = vec![Line::styled(line(&header), theme::header())];
        for (i, r) in cells.iter().enumerate().skip(skip).take(shown) {
            let style = if i == self.selected {
                theme::selected()
            } else {
                ratatui::style::Style::default()
            };
            lines.push(Line::from(Span::styled(
                fit(&line(r), w.saturating_sub(2) as usize),
                style,
            )));
        }
        let block = Block::bordered()
            .title(Span::styled(
                c.text("tui.agents_title"),
                theme::label_focused(),
            ))
            .title_bottom(Span::styled(keys, theme::hint()))
            .border_style(theme::border_focused());
        crate::tui::widgets::clear_popup(frame, rect);
        frame.render_widget(Paragraph::new(lines).block(block), rect);
        let Some(open) = &self.open else {
            return;
        };
        let (title, head, form) = match open {
            Open::Add(f) => (c.text("tui.agents_add_title").to_string(), None, f),
            Open::Disable(name, f) => (
                c.text("tui.agents_disable_title").to_string(),
                Some(c.format("tui.agents_disable_head", &[("agent", sanitize_line(name))])),
                f,
            ),
            Open::Reset(name, f) => (
                c.text("tui.agents_reset_title").to_string(),
                Some(c.format("tui.agents_reset_head", &[("agent", sanitize_line(name))])),
                f,
            ),
            Open::Sites(name, f) => (
                c.text("tui.agents_sites_title").to_string(),
                Some(c.format("tui.agents_sites_head", &[("agent", sanitize_line(name))])),
                f,
            ),
        };
        let head = |cols: usize| -> Vec<Line<'static>> {
            head.iter()
                .flat_map(|h| crate::text::wrap_hanging(h, cols))
                .map(Line::raw)
                .collect()
        };
        popup(ctx, frame, area, &title, &head, form);
    }
}

/// The configured sites as options `(key, name)`, in the interface language.
fn site_options(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    ctx.config
        .policy
        .sites
        .iter()
        .map(|s| {
            let name = ctx.config.site_name(&s.key, ctx.lang);
            (s.key.clone(), sanitize_line(&name))
        })
        .collect()
}

/// The names of `sites` (keys) in the interface language, or "every site" when none.
fn site_names(ctx: &Ctx<'_>, sites: &[String]) -> String {
    let names: Vec<String> = sites
        .iter()
        .filter(|k| !k.is_empty())
        .map(|k| sanitize_line(&ctx.config.site_name(k, ctx.lang)))
        .collect();
    if names.is_empty() {
        return ctx.catalog.text("agent_state.all_sites").to_string();
    }
    names.join(ctx.catalog.text("label.list_separator"))
}

/// The add form: a name, a role among the configured ones (the first chosen), the sites
/// they belong to (where the desk has sites; none ticked: every site), the PIN twice.
fn add_form(ctx: &Ctx<'_>, sites: bool) -> Form {
    let roles: Vec<(String, String)> = ctx
        .config
        .policy
        .roles
        .iter()
        .map(|r| (r.key.clone(), role_name(&r.key, ctx.config, ctx.lang)))
        .collect();
    let first = roles.first().map(|(k, _)| k.clone());
    let mut form = Form::new().text("agent", "tui.agents_name", "").choice(
        "role",
        "tui.agents_role",
        roles,
        first.as_deref(),
    );
    if sites {
        form = form
            .picks("sites", "tui.agents_sites", site_options(ctx), &[])
            .hint("tui.agents_sites_hint");
    }
    form.secret("secret", "tui.agents_pin")
        .hint("tui.agents_pin_hint")
        .secret("secret_again", "tui.first_run_pin_again")
        .focus_first()
}

/// The PIN typed twice in `form`, checked by the domain's rule; a refusal goes to its input
/// (the second typing emptied when they differ).
fn new_secret(form: &mut Form) -> Option<crate::tui::widgets::secret::Secret> {
    let secret = form.secret_of("secret");
    if let Err(e) = validate_secret(secret.expose()) {
        form.refuse(e, Some("secret"));
        return None;
    }
    if form.secret_of("secret_again") != secret {
        form.clear_secret("secret_again");
        form.refuse(Error::new("tui.pin_mismatch"), Some("secret_again"));
        return None;
    }
    Some(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;

    #[test]
    fn the_agents_keys() {
        check_table(KEYS);
    }

    #[test]
    fn tab_visits_every_input_of_the_add_form() {
        use crate::config::{Config, Preset};
        use crate::i18n::Lang;
        use crossterm::event::KeyModifiers;

        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let ctx = Ctx::new(&config, Lang::ZhCn);
        let mut form = add_form(&ctx, true);
        let shown = form.clone();
        crate::tui::widgets::form::tests::check_tab_order(&shown, || {
            form.key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
            form.focus()
        });
    }

    /// Where the desk has no sites, the list shows none, `s` does nothing, and neither the
    /// help nor the footer offers it; the add form asks for none.
    #[test]
    fn without_sites_configured_sites_are_neither_shown_nor_set() {
        use crate::config::{Config, Preset};
        use crate::i18n::Lang;
        use crossterm::event::KeyModifiers;

        let mut config = Config::preset(Preset::PropertyManagement).expect("preset");
        config.policy.sites.clear();
        let ctx = Ctx::new(&config, Lang::En);
        let mut overlay = Agents::new(Vec::new(), false);
        overlay.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE), &ctx);
        assert!(overlay.form().is_none());
        assert!(!overlay.help().iter().any(|h| h.text == "help.agent_sites"));
        overlay.key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE), &ctx);
        let form = overlay.form().expect("the add form");
        assert!(form.inputs().iter().all(|i| i.id() != "sites"));
        let with = Agents::new(Vec::new(), true);
        assert!(with.help().iter().any(|h| h.text == "help.agent_sites"));
    }

    #[test]
    fn a_long_list_scrolls_to_the_selected_agent() {
        use crate::config::{Config, Preset};
        use crate::i18n::Lang;
        use crossterm::event::KeyModifiers;
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;

        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        let ctx = Ctx::new(&config, Lang::En);
        let rows = (1..=30)
            .map(|i| AgentInfo {
                name: format!("agent{i:02}"),
                role: "agent".into(),
                disabled: false,
                locked: false,
                has_secret: true,
                last_active_at: None,
                sites: Vec::new(),
            })
            .collect();
        let mut overlay = Agents::new(rows, false);
        for _ in 0..40 {
            overlay.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE), &ctx);
        }
        assert_eq!(overlay.selected().map(|a| a.name.as_str()), Some("agent30"));
        let mut terminal = Terminal::new(TestBackend::new(70, 14)).expect("terminal");
        let frame = terminal
            .draw(|f| overlay.render(&ctx, f, f.area()))
            .expect("draw");
        let text: String = frame.buffer.content.iter().map(|c| c.symbol()).collect();
        assert!(text.contains("agent30"), "the selected agent in view");
        assert!(!text.contains("agent01"), "the top scrolled away");
    }
}
