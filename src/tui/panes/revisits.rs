//! The revisit schedule (回访计划): an agenda in parts — overdue, today, tomorrow, this
//! week, all — each with its count, switched with 1–5 or Left/Right; the rows of the part
//! shown by due time, read in keyset pages into a bounded window. Enter opens the case, `r`
//! records the revisit's result, `c` puts the phone on the notice line.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::{AgendaCounts, AgendaRange, Revisit};
use crate::domain::complaint::Complaint;
use crate::domain::stage::Stage;
use crate::present::{role_name, short_minutes};
use crate::text::{sanitize_line, width};
use crate::tui::ctx::Ctx;
use crate::tui::forms::followups::FollowForm;
use crate::tui::keymap::{Binding, HELP_HINT, Help, ch, footer, key, lookup};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::panes::Room;
use crate::tui::panes::case::Cover;
use crate::tui::theme;
use crate::tui::widgets::table::{
    PHONE_MAX, PHONE_MIN, bar_line, cells_line, label_width, marks, position_text, time_width,
};
use crate::tui::widgets::window::{self, Fetch, Key, Keyed, Window};

/// A row of the agenda: the revisit and its complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaRow {
    /// The revisit.
    pub revisit: Revisit,
    /// Its complaint.
    pub complaint: Complaint,
}

impl Keyed for AgendaRow {
    fn key(&self) -> Key {
        (self.revisit.due_at.timestamp(), self.revisit.id)
    }
}

/// The parts of the agenda, in order, with their names.
pub const PARTS: [(AgendaRange, &str); 5] = [
    (AgendaRange::Overdue, "tui.part_overdue"),
    (AgendaRange::Today, "tui.part_today"),
    (AgendaRange::Tomorrow, "tui.part_tomorrow"),
    (AgendaRange::Week, "tui.part_week"),
    (AgendaRange::All, "tui.part_all"),
];

/// What the agenda's own keys do (the moves through it are the pager's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Part(usize),
    NextPart,
    PrevPart,
    Open,
    Record,
    Dial,
}

/// The agenda's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[ch('1')], Cmd::Part(0))
        .help("1-5 / Left / Right / Tab / Shift+Tab", "help.agenda_part")
        .hint_at(3, "keys.part"),
    Binding::new(&[ch('2')], Cmd::Part(1)),
    Binding::new(&[ch('3')], Cmd::Part(2)),
    Binding::new(&[ch('4')], Cmd::Part(3)),
    Binding::new(&[ch('5')], Cmd::Part(4)),
    Binding::new(&[key(KeyCode::Right), key(KeyCode::Tab)], Cmd::NextPart),
    Binding::new(&[key(KeyCode::Left), key(KeyCode::BackTab)], Cmd::PrevPart),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.open")
        .hint_at(0, "keys.case"),
    Binding::new(&[ch('r'), ch('R')], Cmd::Record)
        .help("r", "help.revisit_record")
        .hint_at(1, "keys.record_revisit"),
    Binding::new(&[ch('c'), ch('C')], Cmd::Dial)
        .help("c", "help.show_phone")
        .hint_at(2, "keys.phone"),
];

/// What the mark says.
const LEGEND: &[Help] = &[Help {
    keys: "!",
    text: "help.overdue_mark",
}];

/// Results that come back to the agenda.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A page of a part.
    Page {
        /// The part it was read for.
        range: AgendaRange,
        /// What was read.
        fetch: Fetch,
        /// Its rows, by due time.
        rows: Vec<AgendaRow>,
    },
    /// Open revisits per part.
    Counts(AgendaCounts),
    /// A revisit was recorded (what it came to, as the desk says).
    Revisited {
        /// The complaint.
        number: String,
        /// Its stage now.
        stage: Stage,
        /// Whether the customer was reached.
        reached: bool,
        /// Whether the case reopened (the customer not satisfied).
        reopened: bool,
        /// Whether it was the last open revisit, reached and satisfied: ready to close.
        ready: bool,
    },
}

/// The agenda's state. It opens on the overdue part: what is late first; the other parts
/// show their counts beside them.
#[derive(Debug, Clone, Default)]
pub struct Revisits {
    part: usize,
    counts: Option<AgendaCounts>,
    window: Window<AgendaRow>,
    cover: Cover,
}

impl Revisits {
    /// The part shown.
    pub fn range(&self) -> AgendaRange {
        PARTS[self.part].0
    }

    /// The counts per part, as last read.
    pub fn counts(&self) -> Option<AgendaCounts> {
        self.counts
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[AgendaRow] {
        self.window.rows()
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&AgendaRow> {
        self.window.selected()
    }

    /// Whether anything was read yet.
    pub fn loaded(&self) -> bool {
        self.window.loaded()
    }

    /// The counts and the part read again, where it was (from the start the first time).
    fn reload(&mut self) -> Vec<Effect> {
        vec![
            Effect::AgendaCounts,
            Effect::LoadAgenda {
                range: self.range(),
                fetch: self.window.enter(),
            },
        ]
    }

    /// Takes a result.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        match msg {
            // A page of another part (switched meanwhile) is dropped.
            Msg::Page { range, .. } if range != self.range() => Out::none(),
            Msg::Page { range, fetch, rows } => {
                let next = self.window.apply(fetch, rows, ctx.list_rows(1));
                Out::effects(
                    next.map(|fetch| Effect::LoadAgenda { range, fetch })
                        .into_iter()
                        .collect(),
                )
            }
            Msg::Counts(counts) => {
                self.counts = Some(counts);
                Out::none()
            }
            Msg::Revisited {
                number,
                stage,
                reached,
                reopened,
                ready,
            } => {
                self.cover.close_follow();
                Out::notice(Notice::Revisited {
                    number: number.clone(),
                    stage,
                    reached,
                    reopened,
                    ready,
                })
                .changed(&number)
            }
        }
    }

    fn show_part(&mut self, part: usize) -> Out {
        self.part = part % PARTS.len();
        Out::effect(Effect::LoadAgenda {
            range: self.range(),
            fetch: self.window.start(),
        })
    }

    fn count(&self, range: AgendaRange) -> Option<i64> {
        let c = self.counts?;
        match range {
            AgendaRange::Overdue => Some(c.overdue),
            AgendaRange::Today => Some(c.today),
            AgendaRange::Tomorrow => Some(c.tomorrow),
            AgendaRange::Week => Some(c.week),
            AgendaRange::All => None,
        }
    }

    /// Draws the parts with their counts, the column header and the rows in view; `now`
    /// decides which rows are overdue.
    fn render_agenda(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let now = ctx.now;
        let c = ctx.catalog;
        let inner = crate::tui::widgets::pane_frame(
            frame,
            area,
            c.text("tui.revisits_title"),
            &footer(c, KEYS, HELP_HINT, "  "),
        );
        if inner.height == 0 {
            return;
        }
        let cols = inner.width as usize;
        let mut lines: Vec<Line<'static>> = Vec::with_capacity(inner.height as usize);
        let mut tabs = Vec::new();
        for (i, (range, label)) in PARTS.iter().enumerate() {
            let mut text = format!("{} {}", i + 1, c.text(label));
            if let Some(n) = self.count(*range) {
                text.push_str(&format!(" {n}"));
            }
            let style = if i == self.part {
                theme::tab_active()
            } else if *range == AgendaRange::Overdue && self.count(*range).unwrap_or(0) > 0 {
                theme::risk()
            } else {
                theme::tab()
            };
            let text = if i == self.part {
                format!("[{text}]")
            } else {
                format!(" {text} ")
            };
            tabs.push(Span::styled(text, style));
        }
        let position = position_text(&self.window);
        lines.push(bar_line(tabs, "", &position, cols));
        let phone = self
            .window
            .rows()
            .iter()
            .map(|r| width(&sanitize_line(&r.complaint.phone)))
            .max()
            .unwrap_or(0)
            .clamp(PHONE_MIN, PHONE_MAX);
        let header = [
            c.text("tui.col_due"),
            c.text("label.role"),
            c.text("label.number"),
            c.text("label.name"),
            c.text("label.phone"),
            c.text("label.location"),
            c.text("label.description"),
        ];
        let role = |r: &Revisit| role_name(&r.role, ctx.config, ctx.lang);
        let visits = || self.window.rows().iter().map(|r| &r.revisit);
        let due = time_width(visits().map(|r| r.due_at), now, ctx.zone());
        let roles = label_width(header[1], visits().map(|r| width(&role(r))));
        let w = columns(cols.saturating_sub(1), phone, [due, roles]);
        lines.push(Line::styled(
            format!(" {}", cells_line(&w, header.map(str::to_string))),
            theme::header(),
        ));
        if self.window.loaded() && self.window.rows().is_empty() {
            lines.push(Line::styled(
                crate::text::fit(c.text("tui.revisits_empty"), cols),
                theme::hint(),
            ));
        }
        let height = (inner.height as usize).saturating_sub(2);
        let top = self.window.top(height);
        let selected = self.window.selected_index();
        for (i, row) in self.window.rows().iter().enumerate().skip(top).take(height) {
            let r = &row.revisit;
            let co = &row.complaint;
            let overdue = r.due_at < now;
            let first = co.description.lines().next().unwrap_or_default();
            let cells = [
                short_minutes(r.due_at, now, ctx.zone()),
                role(r),
                co.number.clone(),
                sanitize_line(&co.name),
                sanitize_line(&co.phone),
                crate::present::place(co, ctx.config, ctx.lang),
                sanitize_line(first),
            ];
            let style = if i == selected {
                theme::selected()
            } else if overdue {
                theme::risk()
            } else {
                Style::default()
            };
            let mut spans = marks(overdue, false, false);
            spans.truncate(1);
            spans.push(Span::styled(cells_line(&w, cells), style));
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl Room for Revisits {
    /// Handles a key: what covers the agenda first, then the pager's keys, then the
    /// agenda's.
    fn key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.cover.is_up() {
            return self.cover.key(event, ctx);
        }
        let range = self.range();
        if let Some(go) = lookup(window::KEYS, &event) {
            let next = self.window.go(go, ctx.list_rows(1));
            return Out::effects(
                next.map(|fetch| Effect::LoadAgenda { range, fetch })
                    .into_iter()
                    .collect(),
            );
        }
        match lookup(KEYS, &event) {
            Some(Cmd::Part(part)) => self.show_part(part),
            Some(Cmd::NextPart) => self.show_part(self.part + 1),
            Some(Cmd::PrevPart) => self.show_part(self.part + PARTS.len() - 1),
            Some(Cmd::Open) => self.selected().map_or_else(Out::none, |r| {
                Out::effect(Effect::OpenCase(r.complaint.number.clone()))
            }),
            Some(Cmd::Record) => {
                if let Some(row) = self.window.selected() {
                    let form = FollowForm::revisit(ctx, &row.revisit, &row.complaint);
                    self.cover.open_follow(form);
                }
                Out::none()
            }
            Some(Cmd::Dial) => self.selected().map_or_else(Out::none, |r| {
                Out::effect(Effect::Dial {
                    number: r.complaint.number.clone(),
                    name: r.complaint.name.clone(),
                })
            }),
            None => Out::none(),
        }
    }

    fn help(&self) -> Vec<Help> {
        self.cover.help_over(KEYS, LEGEND)
    }

    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        self.cover
            .render_over(ctx, frame, area, |f| self.render_agenda(ctx, f, area));
    }

    fn cover(&self) -> Option<&Cover> {
        Some(&self.cover)
    }

    fn cover_mut(&mut self) -> Option<&mut Cover> {
        Some(&mut self.cover)
    }

    /// The agenda is read again on every F5, also when it is in view already.
    fn enter(&mut self, _again: bool) -> Vec<Effect> {
        self.reload()
    }

    fn refresh(&mut self) -> Vec<Effect> {
        self.reload()
    }
}

/// Column widths of the agenda (the mark not counted): due, role (as wide as the widest
/// role in memory), number, name, phone, location, description; the description (wide) or
/// the location (narrow) takes the rest.
fn columns(total: usize, phone: usize, [due, role]: [usize; 2]) -> [usize; 7] {
    let mut w = if total >= 100 {
        [due, role, 13, 8, phone, 16, 0]
    } else {
        [due, role, 13, 8, phone, 0, 0]
    };
    let shown = w.iter().filter(|c| **c > 0).count();
    let fixed: usize = w.iter().sum::<usize>() + shown;
    let rest = total.saturating_sub(fixed);
    if total >= 100 {
        w[6] = rest;
    } else {
        w[5] = rest;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;

    #[test]
    fn parts_switch_with_digits_and_arrows() {
        check_table(KEYS);
        let config = crate::config::Config::preset(crate::config::Preset::PropertyManagement)
            .expect("preset");
        let ctx = Ctx::new(&config, crate::i18n::Lang::ZhCn);
        let mut r = Revisits::default();
        assert_eq!(r.range(), AgendaRange::Overdue);
        let key = |c| KeyEvent::new(c, crossterm::event::KeyModifiers::NONE);
        let out = r.key(key(KeyCode::Char('2')), &ctx);
        assert!(matches!(
            out.effects.as_slice(),
            [Effect::LoadAgenda { .. }]
        ));
        assert_eq!(r.range(), AgendaRange::Today);
        r.key(key(KeyCode::Char('1')), &ctx);
        r.key(key(KeyCode::Left), &ctx);
        assert_eq!(r.range(), AgendaRange::All);
        r.key(key(KeyCode::Right), &ctx);
        assert_eq!(r.range(), AgendaRange::Overdue);
        let out = r.key(key(KeyCode::Char('r')), &ctx);
        assert!(
            out.effects.is_empty() && !r.cover().is_some_and(Cover::is_up),
            "nothing selected"
        );
    }

    #[test]
    fn columns_fill_the_width() {
        for total in [77, 99, 100, 117, 197] {
            let w = columns(total, 13, [crate::tui::widgets::table::TIME, 16]);
            let shown = w.iter().filter(|c| **c > 0).count();
            assert_eq!(w.iter().sum::<usize>() + shown - 1, total, "{total}: {w:?}");
        }
    }
}
