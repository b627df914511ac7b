//! Classification: the untriaged complaints, oldest first, those past the triage target
//! marked `!`, a spread risk `*`. The
//! list pages through the queue's index in both directions with the one pager (never the
//! whole queue in memory). Enter opens the case, `c` the classification form of the
//! selected complaint.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::desk::{Cursor, triage_overdue};
use crate::domain::complaint::{Complaint, Queue};
use crate::domain::stage::Move;
use crate::domain::suggest::suggest;
use crate::present::{categories_cell, place, short_minutes};
use crate::text::{sanitize_line, width};
use crate::tui::ctx::Ctx;
use crate::tui::forms::moves::MoveForm;
use crate::tui::keymap::{Binding, Help, ch, key, lookup};
use crate::tui::msg::{Effect, Out};
use crate::tui::panes::Room;
use crate::tui::panes::case::Cover;
use crate::tui::theme;
use crate::tui::widgets::table::{cells_line, label_width, time_width};
use crate::tui::widgets::window::{self, Fetch, FetchKind, Key, Keyed, Window};

/// The queue this pane lists.
pub const QUEUE: Queue = Queue::Untriaged;

impl Keyed for Complaint {
    fn key(&self) -> Key {
        let c = Cursor::of(QUEUE, self);
        (c.key, c.id)
    }
}

/// What the list's own keys do (the moves through it are the pager's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Open,
    Classify,
    Reload,
}

/// The list's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open).help("Enter", "help.open"),
    Binding::new(&[ch('c'), ch('C')], Cmd::Classify).help("c", "help.classify"),
    Binding::new(&[ch('r'), ch('R')], Cmd::Reload).help("r", "help.refresh"),
];

/// What the marks say.
const LEGEND: &[Help] = &[Help {
    keys: "!  *",
    text: "help.triage_marks",
}];

/// Results that come back to the list.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A page of the queue.
    Page {
        /// What was read.
        fetch: Fetch,
        /// Its rows, in queue order.
        rows: Vec<Complaint>,
    },
}

/// The list's state.
#[derive(Debug, Clone)]
pub struct Classification {
    window: Window<Complaint>,
    /// Rows with a spread risk, decided or suggested by the keyword rules (worked out once
    /// per page, not on every frame).
    risky: HashSet<i64>,
    cover: Cover,
}

impl Default for Classification {
    fn default() -> Self {
        Classification {
            window: Window::backward(),
            risky: HashSet::new(),
            cover: Cover::default(),
        }
    }
}

impl Classification {
    /// The rows in memory.
    pub fn rows(&self) -> &[Complaint] {
        self.window.rows()
    }

    /// The selected complaint.
    pub fn selected(&self) -> Option<&Complaint> {
        self.window.selected()
    }

    /// Position of the selection in the whole queue (0-based).
    pub fn position(&self) -> u64 {
        self.window.position()
    }

    /// Takes a page.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        let Msg::Page { fetch, rows } = msg;
        if matches!(
            fetch.kind,
            FetchKind::Start | FetchKind::Last | FetchKind::Reload
        ) {
            self.risky.clear();
        }
        self.risky.extend(
            rows.iter()
                .filter(|r| r.spread_risk || suggest(&ctx.config.policy, r).spread_risk)
                .map(|r| r.id),
        );
        self.window
            .set_count(ctx.counts.map(|c| c.untriaged.max(0) as u64));
        let next = self.window.apply(fetch, rows, ctx.list_rows(0));
        Out::effects(next.map(Effect::LoadPage).into_iter().collect())
    }

    fn render_list(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let total = ctx.counts.map(|c| c.untriaged);
        let count = total.map_or_else(|| "-".to_string(), |t| t.to_string());
        let title = c.format("tui.classification_title", &[("count", count)]);
        let rows = self.window.rows();
        let position = if rows.is_empty() {
            String::new()
        } else {
            format!(
                " {} / {} ",
                self.position() + 1,
                total.map_or_else(|| "?".to_string(), |t| t.to_string())
            )
        };
        let block = Block::bordered()
            .title(Span::styled(title, theme::label()))
            .title_top(Line::from(position).right_aligned())
            .border_style(theme::border());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.window.loaded() && rows.is_empty() {
            frame.render_widget(
                Paragraph::new(c.text("tui.classification_empty")).style(theme::hint()),
                inner,
            );
            return;
        }
        // The first two columns mark a triage overdue (`!`) and a spread risk (传播风险,
        // decided or suggested by the keyword rules: `*`), saying it without colour.
        let now = ctx.now;
        let header = [
            c.text("label.number"),
            c.text("label.received_at"),
            c.text("label.channel"),
            c.text("label.category"),
            c.text("label.name"),
            c.text("label.location"),
            c.text("label.description"),
        ];
        let channel = |r: &Complaint| c.text(r.channel.label_key());
        // Further categories counted (`漏水+1`), or named where they fit.
        let category = |r: &Complaint, cols| categories_cell(r, ctx.config, ctx.lang, cols);
        let labels = [
            label_width(header[2], rows.iter().map(|r| width(channel(r)))),
            label_width(header[3], rows.iter().map(|r| width(&category(r, 0)))),
        ];
        let received = time_width(rows.iter().map(|r| r.received_at), now, ctx.zone());
        let heads = [width(header[5]), width(header[6])];
        let w = columns(
            (inner.width as usize).saturating_sub(2),
            received,
            labels,
            heads,
        );
        let mut lines = Vec::with_capacity(inner.height as usize);
        lines.push(Line::styled(
            format!("  {}", cells_line(&w, header.map(str::to_string))),
            theme::header(),
        ));
        let height = (inner.height as usize).saturating_sub(1);
        let selected = self.window.selected_index();
        for (i, row) in rows
            .iter()
            .enumerate()
            .skip(self.window.top(height))
            .take(height)
        {
            let first = row.description.lines().next().unwrap_or_default();
            let cells = [
                row.number.clone(),
                short_minutes(row.received_at, now, ctx.zone()),
                channel(row).to_string(),
                category(row, w[3]),
                sanitize_line(&row.name),
                place(row, ctx.config, ctx.lang),
                sanitize_line(first),
            ];
            let style = if i == selected {
                theme::selected()
            } else {
                ratatui::style::Style::default()
            };
            let late = if triage_overdue(&ctx.config.policy, row.received_at, now) {
                Span::styled("!", theme::overdue())
            } else {
                Span::raw(" ")
            };
            let risk = if self.risky.contains(&row.id) {
                Span::styled("*", theme::risk())
            } else {
                Span::raw(" ")
            };
            lines.push(Line::from(vec![
                late,
                risk,
                Span::styled(cells_line(&w, cells), style),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl Room for Classification {
    fn key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.cover.is_up() {
            return self.cover.key(event, ctx);
        }
        if let Some(go) = lookup(window::KEYS, &event) {
            let next = self.window.go(go, ctx.list_rows(0));
            return Out::effects(next.map(Effect::LoadPage).into_iter().collect());
        }
        match lookup(KEYS, &event) {
            Some(Cmd::Reload) => Out::effect(Effect::LoadPage(self.window.reload())),
            Some(Cmd::Open) => self.selected().map_or_else(Out::none, |c| {
                Out::effect(Effect::OpenCase(c.number.clone()))
            }),
            Some(Cmd::Classify) => match self.window.selected() {
                Some(c) => {
                    let form = MoveForm::open(ctx, c, Move::Classify);
                    self.cover.open_form(form)
                }
                None => Out::none(),
            },
            None => Out::none(),
        }
    }

    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        self.cover
            .render_over(ctx, frame, area, |f| self.render_list(ctx, f, area));
    }

    fn help(&self) -> Vec<Help> {
        self.cover.help_over(KEYS, LEGEND)
    }

    fn cover(&self) -> Option<&Cover> {
        Some(&self.cover)
    }

    fn cover_mut(&mut self) -> Option<&mut Cover> {
        Some(&mut self.cover)
    }

    /// Entering the pane reads the list again where it is (from the start the first time).
    fn enter(&mut self, again: bool) -> Vec<Effect> {
        if again {
            Vec::new()
        } else {
            vec![Effect::LoadPage(self.window.enter())]
        }
    }

    /// The rows in view read again (nothing while a page is on its way: it is fresh; or
    /// before the list was read).
    fn refresh(&mut self) -> Vec<Effect> {
        if !self.window.loaded() {
            return Vec::new();
        }
        self.window
            .refresh()
            .map(Effect::LoadPage)
            .into_iter()
            .collect()
    }
}

/// Column widths for the list at a given width; the description takes what is left.
/// Order: number, received (`received` wide), channel, category (as wide as their widest
/// label), name, location, description. The location gives up room (down to its header's
/// width, `heads[0]`) for the description's header (`heads[1]`).
fn columns(
    total: usize,
    received: usize,
    [channel, category]: [usize; 2],
    heads: [usize; 2],
) -> [usize; 7] {
    let mut w = if total >= 100 {
        [13, received, channel, category, 8, 16, 0]
    } else {
        // Narrow: no channel, a shorter location; the description keeps room.
        [13, received, 0, category, 8, 12, 0]
    };
    let shown = w.iter().filter(|c| **c > 0).count();
    let fixed: usize = w.iter().sum::<usize>() + shown;
    let short = heads[1].saturating_sub(total.saturating_sub(fixed));
    w[5] = w[5].saturating_sub(short).max(heads[0]);
    let fixed: usize = w.iter().sum::<usize>() + shown;
    w[6] = total.saturating_sub(fixed);
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;

    #[test]
    fn the_list_keys() {
        check_table(KEYS);
        for (k, cmd) in [('c', Cmd::Classify), ('r', Cmd::Reload)] {
            let event = KeyEvent::new(KeyCode::Char(k), crossterm::event::KeyModifiers::NONE);
            assert_eq!(lookup(KEYS, &event), Some(cmd));
            assert_eq!(lookup(window::KEYS, &event), None, "{k} is not a pager key");
        }
    }

    #[test]
    fn columns_fill_the_width() {
        for total in [99, 100, 150] {
            let w = columns(total, crate::tui::widgets::table::TIME, [10, 12], [8, 11]);
            let shown = w.iter().filter(|c| **c > 0).count();
            assert_eq!(w.iter().sum::<usize>() + shown - 1, total, "{total}: {w:?}");
        }
    }
}
