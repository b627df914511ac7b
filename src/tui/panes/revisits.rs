//! The revisit schedule (回访计划): an agenda in parts — overdue, today, tomorrow, this
//! week, all — each with its count, switched with 1–5 or Left/Right; the rows of the part
//! shown by due time, read in keyset pages into a bounded window. The care calls to sites on
//! a care plan (定期回访) fall due beside the revisits, marked as such. Enter opens the case,
//! `r` records the revisit's result, `c` puts the phone on the notice line; on a care call
//! Enter or `r` records it, and a low score opens its complaint on intake.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use chrono::{DateTime, Utc};

use crate::desk::{AgendaCounts, AgendaRange, CareCall, CareOutcome, Revisit};
use crate::domain::complaint::Complaint;
use crate::domain::stage::Stage;
use crate::present::{care_description, care_plan_name, role_name, short_minutes};
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

/// A row of the agenda: a revisit and its complaint, or a care call.
#[derive(Debug, Clone, PartialEq)]
pub enum AgendaRow {
    /// A revisit and its complaint.
    Revisit {
        /// The revisit.
        revisit: Revisit,
        /// Its complaint.
        complaint: Box<Complaint>,
    },
    /// A care call to a site on a care plan.
    Care(CareCall),
}

/// Care calls' keys in the merged agenda: their ids offset by this, so that at the same
/// due time they follow the revisits (whose row ids stay far below it).
const CARE_KEYS: i64 = 1 << 48;

impl AgendaRow {
    /// When it is due.
    pub fn due_at(&self) -> DateTime<Utc> {
        match self {
            AgendaRow::Revisit { revisit, .. } => revisit.due_at,
            AgendaRow::Care(call) => call.due_at,
        }
    }

    /// The revisit's complaint (None for a care call).
    pub fn complaint(&self) -> Option<&Complaint> {
        match self {
            AgendaRow::Revisit { complaint, .. } => Some(complaint),
            AgendaRow::Care(_) => None,
        }
    }

    /// The role that calls.
    fn role(&self) -> &str {
        match self {
            AgendaRow::Revisit { revisit, .. } => &revisit.role,
            AgendaRow::Care(call) => &call.role,
        }
    }
}

impl Keyed for AgendaRow {
    fn key(&self) -> Key {
        match self {
            AgendaRow::Revisit { revisit, .. } => (revisit.due_at.timestamp(), revisit.id),
            AgendaRow::Care(call) => (call.due_at.timestamp(), CARE_KEYS + call.id),
        }
    }
}

/// The keys to read the revisits and the care calls after, for the agenda's page after
/// `key`: the same due time, the care call's own id.
pub fn page_after(key: Option<Key>) -> (Option<Key>, Option<Key>) {
    (key, key.map(|(due, id)| (due, id - CARE_KEYS)))
}

/// One page of the agenda from the pages of revisits and care calls read after the same
/// key ([`page_after`]): the two merged by due time, at most `limit`.
pub fn merge_page(
    revisits: Vec<(Revisit, Complaint)>,
    care: Vec<CareCall>,
    limit: u32,
) -> Vec<AgendaRow> {
    let mut rows: Vec<AgendaRow> = revisits
        .into_iter()
        .map(|(revisit, complaint)| AgendaRow::Revisit {
            revisit,
            complaint: Box::new(complaint),
        })
        .chain(care.into_iter().map(AgendaRow::Care))
        .collect();
    rows.sort_by_key(Keyed::key);
    rows.truncate(limit as usize);
    rows
}

/// The agenda's counts: the revisits' and the care calls' together.
pub fn with_care(revisits: AgendaCounts, care: AgendaCounts) -> AgendaCounts {
    AgendaCounts {
        overdue: revisits.overdue + care.overdue,
        today: revisits.today + care.today,
        tomorrow: revisits.tomorrow + care.tomorrow,
        week: revisits.week + care.week,
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
const LEGEND: &[Help] = &[
    Help {
        keys: "!",
        text: "help.overdue_mark",
    },
    Help {
        keys: "",
        text: "help.care_mark",
    },
];

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
    /// A care call was recorded.
    CareRecorded(Box<CareOutcome>),
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

    /// Shows the part `range` next time the agenda is read (from its start).
    pub fn set_range(&mut self, range: AgendaRange) {
        if let Some(part) = PARTS.iter().position(|(r, _)| *r == range)
            && part != self.part
        {
            self.part = part;
            self.window = Window::default();
        }
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
            Msg::CareRecorded(outcome) => self.care_recorded(*outcome, ctx),
        }
    }

    /// A care call recorded: the form closes, the notice says when the site is called
    /// next, the agenda is read again; a low score's complaint goes to intake, worded.
    fn care_recorded(&mut self, outcome: CareOutcome, ctx: &Ctx<'_>) -> Out {
        self.cover.close_follow();
        let call = &outcome.call;
        let notice = Notice::CareRecorded {
            site: ctx.config.site_name(&call.site, ctx.lang),
            reached: call.reached == Some(true),
            next_due: outcome.next_due,
            flagged: outcome.flagged.then_some(call.attempts),
            opens: outcome.opens.is_some(),
            waiting: false,
        };
        let out = Out::effects(self.reload()).with_notice(notice);
        match outcome.opens {
            Some(mut form) => {
                form.description = care_description(ctx.config, ctx.catalog, call);
                out.intake(call.id, form)
            }
            None => out,
        }
    }

    /// Opens the form recording the selected revisit or care call.
    fn record(&mut self, ctx: &Ctx<'_>) -> Out {
        let form = match self.window.selected() {
            Some(AgendaRow::Revisit { revisit, complaint }) => {
                FollowForm::revisit(ctx, revisit, complaint)
            }
            Some(AgendaRow::Care(call)) => FollowForm::care(ctx, call),
            None => return Out::none(),
        };
        self.cover.open_follow(form);
        Out::none()
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
        let cells: Vec<[String; 7]> = self
            .window
            .rows()
            .iter()
            .map(|r| row_cells(r, ctx))
            .collect();
        let phone = cells
            .iter()
            .map(|c| width(&c[4]))
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
        let rows = || self.window.rows().iter();
        let due = time_width(rows().map(AgendaRow::due_at), now, ctx.zone());
        let roles = label_width(header[1], cells.iter().map(|c| width(&c[1])));
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
        let shown = rows().zip(cells).enumerate().skip(top).take(height);
        for (i, (row, mut cells)) in shown {
            let overdue = row.due_at() < now;
            if matches!(row, AgendaRow::Care(_)) {
                place_plan(&mut cells, &w);
            }
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
            Some(Cmd::Open) => match self.window.selected() {
                Some(AgendaRow::Revisit { complaint, .. }) => {
                    Out::effect(Effect::OpenCase(complaint.number.clone()))
                }
                Some(AgendaRow::Care(_)) => self.record(ctx),
                None => Out::none(),
            },
            Some(Cmd::Record) => self.record(ctx),
            // A care call's phone is the site's, on its row already.
            Some(Cmd::Dial) => match self.window.selected() {
                Some(AgendaRow::Revisit { complaint, .. }) => Out::effect(Effect::Dial {
                    number: complaint.number.clone(),
                    name: complaint.name.clone(),
                }),
                Some(AgendaRow::Care(_)) | None => Out::none(),
            },
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

/// The cells of an agenda row: due, role, number, name, phone, location, description. A
/// care call shows the care mark for a number, the site's contact, phone and name, and the
/// plan.
fn row_cells(row: &AgendaRow, ctx: &Ctx<'_>) -> [String; 7] {
    let due = short_minutes(row.due_at(), ctx.now, ctx.zone());
    let role = role_name(row.role(), ctx.config, ctx.lang);
    match row {
        AgendaRow::Revisit { complaint: co, .. } => [
            due,
            role,
            co.number.clone(),
            sanitize_line(&co.name),
            sanitize_line(&co.phone),
            crate::present::place(co, ctx.config, ctx.lang),
            sanitize_line(co.description.lines().next().unwrap_or_default()),
        ],
        AgendaRow::Care(call) => {
            let site = ctx.config.policy.site(&call.site);
            let contact = |f: fn(&crate::domain::policy::Site) -> &Option<String>| {
                sanitize_line(site.and_then(|s| f(s).as_deref()).unwrap_or_default())
            };
            [
                due,
                role,
                ctx.catalog.text("tui.care_mark").to_string(),
                contact(|s| &s.contact),
                contact(|s| &s.phone),
                sanitize_line(&ctx.config.site_name(&call.site, ctx.lang)),
                sanitize_line(&care_plan_name(ctx.config, &call.plan, ctx.lang)),
            ]
        }
    }
}

/// A care row's plan (its last cell), shown whole or not at all (the form names it): in
/// the description column, or beside the site when that column is hidden (narrow).
fn place_plan(cells: &mut [String; 7], w: &[usize; 7]) {
    let plan = std::mem::take(&mut cells[6]);
    let (at, text) = if w[6] > 0 {
        (6, plan)
    } else {
        (5, format!("{}  {plan}", cells[5]))
    };
    if width(&text) <= w[at] {
        cells[at] = text;
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

    /// Paging the merged agenda by keyset, two rows at a time, lists every revisit and
    /// care call once, by due time, also where the two fall due at the same minute.
    #[test]
    fn revisits_and_care_calls_page_merged_by_due_time() {
        let t0 = Complaint::sample(1, "leak", "漏水").received_at;
        let at = |h: i64| t0 + chrono::Duration::hours(h);
        let visit = |id: i64, h: i64| {
            let revisit = Revisit {
                id,
                role: "agent".into(),
                due_at: at(h),
                done_at: None,
                reached: None,
                satisfaction: None,
                comment: String::new(),
                attempts: 0,
            };
            (revisit, Complaint::sample(id, "leak", "漏水"))
        };
        let call = |id: i64, h: i64| CareCall {
            id,
            site: "lvjing".into(),
            plan: "quarterly-reps".into(),
            role: "supervisor".into(),
            due_at: at(h),
            done_at: None,
            reached: None,
            satisfaction: None,
            note: String::new(),
            attempts: 0,
            complaint_id: None,
        };
        let visits = [visit(1, 1), visit(2, 3), visit(3, 3), visit(4, 5)];
        let calls = [call(1, 0), call(2, 3), call(7, 3), call(8, 6)];
        // What the store gives: due time and id after the key, in that order.
        fn after<T: Clone>(all: &[T], key: Option<Key>, k: impl Fn(&T) -> Key) -> Vec<T> {
            all.iter()
                .filter(|r| key.is_none_or(|key| k(r) > key))
                .take(2)
                .cloned()
                .collect()
        }
        let (mut seen, mut key) = (Vec::new(), None);
        loop {
            let (v, c) = page_after(key);
            let page = merge_page(
                after(&visits, v, |(r, _)| (r.due_at.timestamp(), r.id)),
                after(&calls, c, |c| (c.due_at.timestamp(), c.id)),
                2,
            );
            key = page.last().map(Keyed::key);
            let more = page.len() == 2;
            seen.extend(page.into_iter().map(|r| match r {
                AgendaRow::Revisit { revisit, .. } => format!("r{}", revisit.id),
                AgendaRow::Care(c) => format!("c{}", c.id),
            }));
            if !more {
                break;
            }
        }
        assert_eq!(seen, ["c1", "r1", "r2", "r3", "c2", "c7", "r4", "c8"]);
        let counts = |n| AgendaCounts {
            overdue: n,
            today: n,
            tomorrow: n,
            week: 2 * n,
        };
        assert_eq!(with_care(counts(1), counts(2)), counts(3));
    }

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
