//! The callback queue (回电队列): open callbacks by due time, read through the core in
//! keyset pages into a bounded window (never the whole queue in memory). Marks that say it
//! without colour: `!` overdue, `#` flagged after the configured failed calls, `*` a spread
//! risk. The phone is a column of its own and `c` puts it on the notice line. `m` / `a` /
//! `o` switch between mine (my role's or nobody's), all and overdue; Enter opens the case,
//! `l` logs a call, `p` promises a callback.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use chrono::{DateTime, Utc};

use crate::desk::{CallResult, Callback, CallbackRow, CallbackView};
use crate::present::{role_name, short_minutes};
use crate::text::{fit, sanitize_line, width};
use crate::tui::ctx::Ctx;
use crate::tui::forms::followups::{FollowForm, short_kind_name};
use crate::tui::keymap::{Binding, HELP_HINT, Help, ch, footer, key, lookup};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::panes::Room;
use crate::tui::panes::case::Cover;
use crate::tui::theme;
use crate::tui::widgets::table::{
    MARKS, PHONE_MAX, PHONE_MIN, bar_line, cells_line, label_width, marks, position_text,
    time_width,
};
use crate::tui::widgets::window::{self, Fetch, Key, Keyed, Window};

impl Keyed for CallbackRow {
    fn key(&self) -> Key {
        (self.callback.due_at.timestamp(), self.callback.id)
    }
}

/// What the queue's own keys do (the moves through it are the pager's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    View(CallbackView),
    Reload,
    Open,
    Log,
    Promise,
    Dial,
}

/// The queue's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[ch('m'), ch('M')], Cmd::View(CallbackView::Mine))
        .help("m / a / o", "help.callback_filter"),
    Binding::new(&[ch('a'), ch('A')], Cmd::View(CallbackView::All)),
    Binding::new(&[ch('o'), ch('O')], Cmd::View(CallbackView::Overdue)),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.open")
        .hint("keys.case"),
    Binding::new(&[ch('l'), ch('L')], Cmd::Log)
        .help("l", "help.callback_log")
        .hint("keys.log_call"),
    Binding::new(&[ch('p'), ch('P')], Cmd::Promise)
        .help("p", "help.callback_promise")
        .hint("keys.promise_call"),
    Binding::new(&[ch('c'), ch('C')], Cmd::Dial)
        .help("c", "help.show_phone")
        .hint("keys.phone"),
    Binding::new(&[ch('r'), ch('R')], Cmd::Reload)
        .help("r", "help.refresh")
        .hint("keys.reload"),
];

/// What the marks say.
const LEGEND: &[Help] = &[Help {
    keys: "!  #  *",
    text: "help.callback_marks",
}];

/// The filters in the order the pane shows them, with their names (their keys are in
/// the table above).
const VIEWS: [(CallbackView, &str); 3] = [
    (CallbackView::Mine, "tui.filter_mine"),
    (CallbackView::All, "tui.filter_all"),
    (CallbackView::Overdue, "tui.filter_overdue"),
];

/// The key that shows a filter.
fn view_key(view: CallbackView) -> char {
    KEYS.iter()
        .find_map(|b| match b.cmd {
            Cmd::View(v) if v == view => b.chords.first().and_then(|c| c.char()),
            _ => None,
        })
        .unwrap_or('?')
}

/// Results that come back to the queue.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A page of the queue.
    Page {
        /// The filter it was read for.
        view: CallbackView,
        /// What was read.
        fetch: Fetch,
        /// Its rows, by due time.
        rows: Vec<CallbackRow>,
    },
    /// A call was logged.
    Logged {
        /// The complaint.
        number: String,
        /// What the call came to.
        result: CallResult,
        /// The callback after the call (done, or due again).
        callback: Box<Callback>,
        /// Whether the callback is flagged after too many failed calls.
        flagged: bool,
    },
    /// A callback was promised.
    Promised {
        /// The complaint.
        number: String,
        /// By when.
        due: DateTime<Utc>,
    },
}

/// The queue's state.
#[derive(Debug, Clone, Default)]
pub struct Callbacks {
    view: CallbackView,
    window: Window<CallbackRow>,
    cover: Cover,
}

impl Callbacks {
    /// The filter shown.
    pub fn view(&self) -> CallbackView {
        self.view
    }

    /// Shows `view` next time the queue is read (from its start).
    pub fn set_view(&mut self, view: CallbackView) {
        if view != self.view {
            self.view = view;
            self.window = Window::default();
        }
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[CallbackRow] {
        self.window.rows()
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&CallbackRow> {
        self.window.selected()
    }

    /// Position of the selection in the queue (0-based).
    pub fn position(&self) -> u64 {
        self.window.position()
    }

    /// Whether anything was read yet.
    pub fn loaded(&self) -> bool {
        self.window.loaded()
    }

    /// The queue read again where it was (from the start the first time).
    pub fn reload(&mut self) -> Effect {
        Effect::LoadCallbacks {
            view: self.view,
            fetch: self.window.enter(),
        }
    }

    /// Takes a result.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        match msg {
            // A page of another view (switched meanwhile) is dropped.
            Msg::Page { view, .. } if view != self.view => Out::none(),
            Msg::Page { view, fetch, rows } => {
                let next = self.window.apply(fetch, rows, ctx.list_rows(1));
                Out::effects(
                    next.map(|fetch| Effect::LoadCallbacks { view, fetch })
                        .into_iter()
                        .collect(),
                )
            }
            Msg::Logged {
                number,
                result,
                callback,
                flagged,
            } => {
                self.cover.close_follow();
                let open = callback.done_at.is_none();
                Out::notice(Notice::Logged {
                    number: number.clone(),
                    result,
                    next: open.then_some(callback.due_at),
                    flagged: flagged.then_some(callback.attempts),
                })
                .changed(&number)
            }
            Msg::Promised { number, due } => {
                self.cover.close_follow();
                Out::notice(Notice::Promised {
                    number: number.clone(),
                    due,
                })
                .changed(&number)
            }
        }
    }

    /// Draws the filters, the column header and the rows in view.
    fn render_queue(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let inner = crate::tui::widgets::pane_frame(
            frame,
            area,
            c.text("tui.callbacks_title"),
            &footer(c, KEYS, HELP_HINT, "  "),
        );
        if inner.height == 0 {
            return;
        }
        let cols = inner.width as usize;
        let mut lines: Vec<Line<'static>> = Vec::with_capacity(inner.height as usize);
        // The filters, the active one bracketed (and coloured), then what the marks say
        // and where the selection is.
        let mut bar = Vec::new();
        for (view, label) in VIEWS {
            let text = format!("{} {}", view_key(view), c.text(label));
            if view == self.view {
                bar.push(Span::styled(format!("[{text}]"), theme::tab_active()));
            } else {
                bar.push(Span::styled(format!(" {text} "), theme::tab()));
            }
            bar.push(Span::raw(" "));
        }
        let legend = c.format(
            "tui.callbacks_legend",
            &[(
                "flag",
                ctx.config.policy.follow_up.failed_attempts_flag.to_string(),
            )],
        );
        let position = position_text(&self.window);
        lines.push(bar_line(bar, &legend, &position, cols));
        let now = ctx.now;
        let total = cols.saturating_sub(MARKS);
        let wide = Columns::wide(total);
        let header = [
            c.text("tui.col_due"),
            c.text("tui.col_call"),
            c.text("label.number"),
            c.text("label.name"),
            c.text("label.phone"),
            c.text("label.location"),
            c.text("tui.col_fails"),
            c.text(if wide {
                "tui.col_escalated"
            } else {
                "tui.col_level"
            }),
            c.text("label.description"),
        ];
        // Narrow: the level; wide: who owns it now.
        let escalated = |cb: &Callback| match (cb.level, &cb.owner) {
            (0, _) => String::new(),
            (level, Some(o)) if wide => format!("{level} {}", role_name(o, ctx.config, ctx.lang)),
            (level, _) => c.format("tui.level_short", &[("level", level.to_string())]),
        };
        let calls = || self.window.rows().iter().map(|r| &r.callback);
        let Columns(w) = Columns::fit(
            total,
            Widths {
                due: time_width(calls().map(|cb| cb.due_at), now, ctx.zone()),
                kind: label_width(
                    header[1],
                    calls().map(|cb| width(&short_kind_name(ctx, &cb.kind))),
                ),
                name: width(header[3]),
                phone: self.phone_width(),
                fails: width(header[6]),
                escalated: label_width(header[7], calls().map(|cb| width(&escalated(cb)))),
            },
        );
        lines.push(Line::styled(
            format!(
                "{}{}",
                " ".repeat(MARKS),
                cells_line(&w, header.map(str::to_string))
            ),
            theme::header(),
        ));
        let height = (inner.height as usize).saturating_sub(2);
        if self.window.loaded() && self.window.rows().is_empty() {
            lines.push(Line::styled(
                fit(c.text("tui.callbacks_empty"), cols),
                theme::hint(),
            ));
        }
        let top = self.window.top(height);
        let selected = self.window.selected_index();
        for (i, row) in self.window.rows().iter().enumerate().skip(top).take(height) {
            let cb = &row.callback;
            let co = &row.complaint;
            let first = co.description.lines().next().unwrap_or_default();
            let cells = [
                short_minutes(cb.due_at, now, ctx.zone()),
                short_kind_name(ctx, &cb.kind),
                co.number.clone(),
                sanitize_line(&co.name),
                sanitize_line(&co.phone),
                crate::present::place(co, ctx.config, ctx.lang),
                match cb.attempts {
                    0 => String::new(),
                    n => n.to_string(),
                },
                escalated(cb),
                sanitize_line(first),
            ];
            let style = if i == selected {
                theme::selected()
            } else if row.overdue {
                theme::risk()
            } else {
                Style::default()
            };
            let mut spans = marks(row.overdue, row.flagged, co.spread_risk);
            spans.push(Span::styled(cells_line(&w, cells), style));
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// The phone column's width: the widest phone in memory, within bounds.
    fn phone_width(&self) -> usize {
        self.window
            .rows()
            .iter()
            .map(|r| width(&sanitize_line(&r.complaint.phone)))
            .max()
            .unwrap_or(0)
            .clamp(PHONE_MIN, PHONE_MAX)
    }
}

impl Room for Callbacks {
    /// Handles a key: what covers the queue first, then the pager's keys, then the
    /// queue's (no text field has focus here, so bare letters work).
    fn key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.cover.is_up() {
            return self.cover.key(event, ctx);
        }
        let view = self.view;
        if let Some(go) = lookup(window::KEYS, &event) {
            let next = self.window.go(go, ctx.list_rows(1));
            return Out::effects(
                next.map(|fetch| Effect::LoadCallbacks { view, fetch })
                    .into_iter()
                    .collect(),
            );
        }
        let Some(cmd) = lookup(KEYS, &event) else {
            return Out::none();
        };
        if let Cmd::View(view) = cmd {
            self.view = view;
            return Out::effect(Effect::LoadCallbacks {
                view,
                fetch: self.window.start(),
            });
        }
        if cmd == Cmd::Reload {
            return Out::effect(Effect::LoadCallbacks {
                view,
                fetch: self.window.reload(),
            });
        }
        let Some(row) = self.window.selected() else {
            return Out::none();
        };
        match cmd {
            Cmd::Open => Out::effect(Effect::OpenCase(row.complaint.number.clone())),
            Cmd::Log => {
                self.cover.open_follow(FollowForm::log(ctx, row));
                Out::none()
            }
            Cmd::Promise => {
                self.cover.open_follow(FollowForm::promise(&row.complaint));
                Out::none()
            }
            Cmd::Dial => Out::effect(Effect::Dial {
                number: row.complaint.number.clone(),
                name: row.complaint.name.clone(),
            }),
            Cmd::View(_) | Cmd::Reload => Out::none(),
        }
    }

    fn help(&self) -> Vec<Help> {
        self.cover.help_over(KEYS, LEGEND)
    }

    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        self.cover
            .render_over(ctx, frame, area, |f| self.render_queue(ctx, f, area));
    }

    fn cover(&self) -> Option<&Cover> {
        Some(&self.cover)
    }

    fn cover_mut(&mut self) -> Option<&mut Cover> {
        Some(&mut self.cover)
    }

    /// The queue is read again on every F4, also when it is in view already.
    fn enter(&mut self, _again: bool) -> Vec<Effect> {
        vec![self.reload()]
    }

    fn refresh(&mut self) -> Vec<Effect> {
        vec![self.reload()]
    }
}

/// The widths the queue's columns need: the due time's, the phone's, the name header's
/// (the desk's word for the complainant), and those of the label columns (the widest label
/// in memory or the header).
struct Widths {
    due: usize,
    kind: usize,
    name: usize,
    phone: usize,
    fails: usize,
    escalated: usize,
}

/// Column widths of the queue at a width (the marks not counted); zero hides a column.
/// Order: due, call, number, name, phone, location, failed calls, escalated, description.
struct Columns([usize; 9]);

impl Columns {
    /// Whether the queue is wide enough for the description and the owner's role.
    fn wide(total: usize) -> bool {
        total >= 100
    }

    fn fit(total: usize, n: Widths) -> Columns {
        let mut w = if Columns::wide(total) {
            [
                n.due,
                n.kind,
                13,
                n.name.max(8),
                n.phone,
                14,
                n.fails,
                n.escalated,
                0,
            ]
        } else {
            // Narrow: a shorter name, the level without its owner; the location takes what
            // is left.
            let name = n.name.max(6);
            [n.due, n.kind, 13, name, n.phone, 0, n.fails, n.escalated, 0]
        };
        let shown = w.iter().filter(|c| **c > 0).count();
        let fixed: usize = w.iter().sum::<usize>() + shown;
        let rest = total.saturating_sub(fixed);
        if Columns::wide(total) {
            w[8] = rest;
        } else {
            w[5] = rest;
        }
        Columns(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;
    use crate::tui::widgets::table::TIME;

    #[test]
    fn the_queue_keys() {
        check_table(KEYS);
        for (view, _) in VIEWS {
            assert_ne!(view_key(view), '?');
        }
    }

    #[test]
    fn columns_fill_the_width() {
        for total in [75, 99, 100, 115, 197] {
            // Narrow, the level (`L2`) stands for the owner (`1 Supervisor`).
            let n = Widths {
                due: TIME,
                kind: 11,
                name: 7,
                phone: 13,
                fails: 4,
                escalated: if Columns::wide(total) { 14 } else { 4 },
            };
            let Columns(w) = Columns::fit(total, n);
            let shown = w.iter().filter(|c| **c > 0).count();
            assert_eq!(w.iter().sum::<usize>() + shown - 1, total, "{total}: {w:?}");
        }
    }
}
