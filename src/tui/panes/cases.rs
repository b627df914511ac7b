//! Cases (案件, F6): every case has a home here, whatever it owes. Views with their counts:
//! the open cases oldest first, the closed ones most recently closed first, all of them
//! newest first. Each view pages through its index in both directions with the one pager;
//! Enter opens the case, where every move is available. Marks that say it without colour:
//! `!` a call or revisit overdue, `*` a spread risk, `$` compensation awaiting approval.
//!
//! The query line on top is a text field (an input method works in it), focused when the
//! pane opens: typing searches the view, newest first, a tick after the last key; the search
//! runs on a thread of its own, a newer one cancels it, and the frame never waits on it. The
//! matched text is highlighted. Esc empties the query, then leaves it for the list, where
//! the list keys work as in every list (`/` or Ctrl+F comes back). Ctrl+G opens a case by
//! its number, or by today's sequence (`17`).
//!
//! Filters (stage, scope, category, severity, handler, received dates, site, location prefix) are
//! set in a form, Ctrl+T from the query line or the list (`f` there too), and cleared with
//! `F`; with any set, the view is searched by them (and by the text, if any), and the line
//! under the query says which are active.
//!
//! `s` in the list ranks a view by escalation risk (风险评估): the open cases among its first
//! [`RANKED`] in its own order, riskiest first, the score in the age column; `s` again
//! returns to the view's order. A search lists in its own order.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::{Cursor, RANKED, ViewCounts};
use crate::domain::complaint::{Complaint, Queue};
use crate::domain::handling::Approval;
use crate::domain::search::{SearchFilter, View, matches};
use crate::error::Error;
use crate::i18n::Catalog;
use crate::present::{categories_cell, place, short_minutes};
use crate::text::{fit, sanitize_line, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::forms::filters::{FilterForm, Filters};
use crate::tui::keymap::{Binding, HELP_HINT, Help, ch, ctrl, footer, help_rows, key, lookup};
use crate::tui::msg::{Effect, Notice, Out};
use crate::tui::panes::Room;
use crate::tui::panes::case::Cover;
use crate::tui::theme;
use crate::tui::widgets::field::TextField;
use crate::tui::widgets::form::FormStep;
use crate::tui::widgets::table::{bar_line, label_width, position_text, time_width};
use crate::tui::widgets::window::{self, Fetch, FetchKind, Go, Key, Keyed, Window};

/// The views, in the order the pane shows them: the queue each lists when nothing is
/// typed, the same set for a search, and its name. It opens on the agent's own cases.
pub const VIEWS: [(Queue, View, &str); 6] = [
    (Queue::Mine, View::Mine, "tui.view_mine"),
    (Queue::Open, View::Open, "tui.view_open"),
    (Queue::Waiting, View::Waiting, "tui.view_waiting"),
    (Queue::Approval, View::Approval, "tui.view_approval"),
    (Queue::Closed, View::Closed, "tui.view_closed"),
    (Queue::All, View::All, "tui.view_all"),
];

/// The count of each view, in the order of [`VIEWS`] (closed: in the last 30 days).
fn view_counts(c: &ViewCounts) -> [i64; 6] {
    [
        c.mine,
        c.open,
        c.waiting,
        c.approval,
        c.closed_recently,
        c.all,
    ]
}

/// Search results are newest first, like the queue of every complaint.
const SEARCH_ORDER: Queue = Queue::All;

/// A case in a view, with its place in the view's order.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    /// The complaint.
    pub complaint: Complaint,
    key: Key,
}

impl Keyed for CaseRow {
    fn key(&self) -> Key {
        self.key
    }
}

/// A row's key in the pager's ascending order: a view listed newest first counts its sort
/// key and id down, so the pager reads it like any other list.
fn row_key(queue: Queue, c: &Complaint) -> Key {
    let at = Cursor::of(queue, c);
    if queue.newest_first() {
        (-at.key, -at.id)
    } else {
        (at.key, at.id)
    }
}

/// The core's cursor for a pager key of `queue` (the inverse of [`row_key`]).
pub fn cursor(queue: Queue, (key, id): Key) -> Cursor {
    if queue.newest_first() {
        Cursor { key: -key, id: -id }
    } else {
        Cursor { key, id }
    }
}

/// What the pane's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    View(usize),
    NextView,
    PrevView,
    Open,
    Reload,
    /// To the query line.
    Query,
    /// In the query: empty it, or (empty) leave it for the list.
    Leave,
    /// In the query: move through the list.
    Go(Go),
    /// Open the filter form.
    Filter,
    /// Clear every filter.
    Unfilter,
    /// Rank the view by escalation risk, or back to its order.
    RiskOrder,
}

/// The keys while the list has the focus (the moves through it are the pager's).
const LIST_KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[ch('1')], Cmd::View(0))
        .help("1-6 / Left / Right / Tab / Shift+Tab", "help.case_view")
        .hint_at(2, "keys.view"),
    Binding::new(&[ch('2')], Cmd::View(1)),
    Binding::new(&[ch('3')], Cmd::View(2)),
    Binding::new(&[ch('4')], Cmd::View(3)),
    Binding::new(&[ch('5')], Cmd::View(4)),
    Binding::new(&[ch('6')], Cmd::View(5)),
    Binding::new(&[key(KeyCode::Right), key(KeyCode::Tab)], Cmd::NextView),
    Binding::new(&[key(KeyCode::Left), key(KeyCode::BackTab)], Cmd::PrevView),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.open")
        .hint_at(0, "keys.case"),
    Binding::new(&[ch('/')], Cmd::Query)
        .help("/", "help.case_query")
        .hint_at(1, "keys.query"),
    Binding::new(&[ch('f'), ctrl('t')], Cmd::Filter)
        .help("f / Ctrl+T", "help.case_filter")
        .hint_at(3, "keys.filter"),
    Binding::new(&[ch('F')], Cmd::Unfilter)
        .help("F", "help.case_filter_clear")
        .hint_at(4, "keys.clear_filters"),
    Binding::new(&[ch('r'), ch('R')], Cmd::Reload).help("r", "help.refresh"),
    Binding::new(&[ch('s')], Cmd::RiskOrder)
        .help("s", "help.case_risk_order")
        .hint_at(5, "keys.risk_order"),
];

/// The keys while the query line has the focus: every other key is text.
const QUERY_KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Down)], Cmd::Go(Go::Down)).help("Up / Down", "help.list_move"),
    Binding::new(&[key(KeyCode::Up)], Cmd::Go(Go::Up)),
    Binding::new(&[key(KeyCode::PageDown)], Cmd::Go(Go::PageDown))
        .help("PgDn / PgUp", "help.list_page"),
    Binding::new(&[key(KeyCode::PageUp)], Cmd::Go(Go::PageUp)),
    Binding::new(&[ctrl('d')], Cmd::Go(Go::HalfDown)).help("Ctrl+D / Ctrl+U", "help.list_half"),
    Binding::new(&[ctrl('u')], Cmd::Go(Go::HalfUp)),
    Binding::new(&[key(KeyCode::Tab)], Cmd::NextView)
        .help("Tab / Shift+Tab", "help.case_view")
        .hint_at(2, "keys.view_tab"),
    Binding::new(&[key(KeyCode::BackTab)], Cmd::PrevView),
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.open")
        .hint_at(0, "keys.case"),
    Binding::new(&[key(KeyCode::Esc)], Cmd::Leave)
        .help("Esc", "help.case_leave")
        .hint_at(1, "keys.leave_query"),
    Binding::new(&[ctrl('t')], Cmd::Filter)
        .help("Ctrl+T", "help.case_filter")
        .hint_at(3, "keys.filter_query"),
];

/// The keys of the go-to line.
const GOTO_KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Enter)], Cmd::Open)
        .help("Enter", "help.goto_open")
        .hint_at(0, "keys.goto_open"),
    Binding::new(&[key(KeyCode::Esc)], Cmd::Leave)
        .help("Esc", "help.cancel_form")
        .hint_at(1, "keys.goto_cancel"),
];

/// What the marks say.
const LEGEND: &[Help] = &[Help {
    keys: "!  *  $",
    text: "help.case_marks",
}];

/// Results that come back to the pane.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A page of a view.
    Page {
        /// The view's queue it was read for.
        queue: Queue,
        /// What was read.
        fetch: Fetch,
        /// Its rows, in the view's order.
        rows: Vec<Complaint>,
    },
    /// How many cases each view holds.
    Counts(ViewCounts),
    /// A page of search results.
    Found {
        /// The search it answers.
        seq: u64,
        /// What was read.
        fetch: Fetch,
        /// Its rows, newest first.
        rows: Vec<Complaint>,
    },
    /// How many complaints a search matches.
    Counted {
        /// The search it answers.
        seq: u64,
        /// The count.
        count: u64,
    },
    /// Of the rows just read, those owing an overdue call or revisit (row ids).
    Overdue(Vec<i64>),
    /// A view's open cases ranked by escalation risk, riskiest first, with their scores.
    Ranked {
        /// The view's queue it was ranked for.
        queue: Queue,
        /// The cases and their scores.
        rows: Vec<(Complaint, u32)>,
    },
    /// The search was refused (a query of only spaces, one too long).
    Refused {
        /// The search it answers.
        seq: u64,
        /// Why.
        error: Error,
    },
}

/// Where the keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    Query,
    List,
}

/// The pane's state. It opens on the open cases, the query line focused.
#[derive(Debug, Clone)]
pub struct Cases {
    view: usize,
    counts: Option<[i64; 6]>,
    focus: Focus,
    query: TextField,
    /// The text searched for (None: the view is listed).
    searched: Option<String>,
    /// The query changed and is not searched yet.
    typed: bool,
    /// The newest search asked for (older results are dropped).
    seq: u64,
    /// How many the search matches, once counted.
    found: Option<u64>,
    /// Why the query was refused, shown under it.
    refusal: Option<Error>,
    /// The go-to line, while open.
    goto: Option<TextField>,
    /// The filters applied.
    filters: Filters,
    /// The filter form, while open.
    filter_form: Option<FilterForm>,
    /// Rows owing an overdue call or revisit, as read with their pages.
    overdue: HashSet<i64>,
    /// The view is ranked by escalation risk (a search keeps its own order).
    risk_order: bool,
    /// The scores of the ranked rows, by row id.
    scores: HashMap<i64, u32>,
    window: Window<CaseRow>,
    cover: Cover,
}

impl Default for Cases {
    fn default() -> Self {
        Cases {
            view: 0,
            counts: None,
            focus: Focus::Query,
            query: TextField::line(""),
            searched: None,
            typed: false,
            seq: 0,
            found: None,
            refusal: None,
            goto: None,
            filters: Filters::default(),
            filter_form: None,
            overdue: HashSet::new(),
            risk_order: false,
            scores: HashMap::new(),
            window: Window::backward(),
            cover: Cover::default(),
        }
    }
}

impl Cases {
    /// The queue of the view shown.
    pub fn queue(&self) -> Queue {
        VIEWS[self.view].0
    }

    /// The rows in memory.
    pub fn rows(&self) -> &[CaseRow] {
        self.window.rows()
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&CaseRow> {
        self.window.selected()
    }

    /// The text searched for, if the list shows search results.
    pub fn searched(&self) -> Option<&str> {
        self.searched.as_deref()
    }

    /// How many complaints the search matches, once counted.
    pub fn found(&self) -> Option<u64> {
        self.found
    }

    /// The filters applied.
    pub fn filters(&self) -> &Filters {
        &self.filters
    }

    /// The filter form, while open.
    pub fn filter_form(&self) -> Option<&FilterForm> {
        self.filter_form.as_ref()
    }

    /// Whether the list shows search results (text, filters or both) rather than a view.
    fn searching(&self) -> bool {
        self.searched.is_some() || self.filters.is_active()
    }

    /// Whether the list shows the view ranked by escalation risk.
    pub fn ranked(&self) -> bool {
        self.risk_order && !self.searching()
    }

    /// Puts a ranking into the window, riskiest first: the whole of it at once (it is at
    /// most [`RANKED`] rows), from the top.
    fn take_ranked(&mut self, rows: Vec<(Complaint, u32)>, ctx: &Ctx<'_>) -> Effect {
        self.scores = rows.iter().map(|(c, s)| (c.id, *s)).collect();
        let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, (complaint, _))| CaseRow {
                key: (i as i64, complaint.id),
                complaint,
            })
            .collect();
        let fetch = Fetch {
            limit: u32::MAX,
            ..self.window.start()
        };
        self.window
            .apply(fetch, rows, ctx.list_rows(self.bars(ctx)));
        Effect::CaseOverdue(ids)
    }

    /// Ranks the view by risk, or lists it in its order again.
    fn toggle_risk_order(&mut self) -> Out {
        if self.searching() {
            return Out::none();
        }
        self.risk_order = !self.risk_order;
        let fetch = self.window.start();
        Out::effects(self.load(fetch).into_iter().collect())
    }

    /// Lines above the list: the query, the filters when any, the views.
    fn bars(&self, ctx: &Ctx<'_>) -> usize {
        let cols = usize::from(ctx.body().width.saturating_sub(2));
        2 + self.summary_rows(ctx, cols).len()
    }

    /// The active filters' summary in rows of `cols` columns: wrapped onto a second row
    /// when it is longer than one, cut only beyond that.
    fn summary_rows(&self, ctx: &Ctx<'_>, cols: usize) -> Vec<String> {
        let Some(line) = self.filters.summary(ctx) else {
            return Vec::new();
        };
        let mut rows = wrap_hanging(&line, cols);
        if rows.len() > 2 {
            let rest = rows.split_off(1).concat();
            rows.push(fit(&rest, cols));
        }
        rows
    }

    /// Whether the query line has the focus.
    pub fn query_focused(&self) -> bool {
        self.focus == Focus::Query && self.goto.is_none() && self.filter_form.is_none()
    }

    /// To the query line (Ctrl+F), closing a case that is only being read (and the filter
    /// form, unapplied).
    pub fn focus_query(&mut self) {
        self.focus = Focus::Query;
        self.goto = None;
        self.filter_form = None;
        self.cover.close_reading();
    }

    /// Shows the cases of `view` that `filters` keep (the dashboard's drill-down): on the
    /// tab of the open cases or of every case, or on the latter with the view among the
    /// filters (the other tabs list their queues, which depend on who looks: mine, the
    /// approvals my role may give); the query emptied, the list focused. Returns what to
    /// read.
    pub fn drill(&mut self, view: View, mut filters: Filters) -> Vec<Effect> {
        let tab = VIEWS
            .iter()
            .position(|(_, v, _)| *v == view && matches!(v, View::Open | View::All));
        match tab {
            Some(tab) => self.view = tab,
            None => {
                self.view = VIEWS.len() - 1;
                filters.set_view(view);
            }
        }
        self.filters = filters;
        self.query = TextField::line("");
        self.focus = Focus::List;
        self.goto = None;
        self.filter_form = None;
        self.cover.close_reading();
        self.run_query()
    }

    /// Opens the go-to line (Ctrl+G), closing the filter form unapplied.
    pub fn open_goto(&mut self) {
        self.filter_form = None;
        self.goto = Some(TextField::line(""));
    }

    /// Takes a result.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        match msg {
            // A page of another view, or of the view while a search shows, is dropped.
            Msg::Page { queue, .. }
                if queue != self.queue() || self.searching() || self.ranked() =>
            {
                Out::none()
            }
            Msg::Page { queue, fetch, rows } => {
                self.window
                    .set_count(self.count(self.view).map(|n| n.max(0) as u64));
                let (next, overdue) = self.take(queue, fetch, rows, ctx);
                let mut effects = vec![overdue];
                effects.extend(next.map(|fetch| Effect::LoadCases { queue, fetch }));
                Out::effects(effects)
            }
            Msg::Counts(counts) => {
                self.counts = Some(view_counts(&counts));
                Out::none()
            }
            Msg::Overdue(ids) => {
                self.overdue.extend(ids);
                Out::none()
            }
            Msg::Ranked { queue, .. } if queue != self.queue() || !self.ranked() => Out::none(),
            Msg::Ranked { rows, .. } => {
                self.window
                    .set_count(Some(rows.len() as u64).filter(|_| !rows.is_empty()));
                Out::effect(self.take_ranked(rows, ctx))
            }
            Msg::Found { seq, .. } | Msg::Counted { seq, .. } | Msg::Refused { seq, .. }
                if seq != self.seq =>
            {
                Out::none()
            }
            Msg::Found { fetch, rows, .. } => {
                let (next, overdue) = self.take(SEARCH_ORDER, fetch, rows, ctx);
                let mut effects = vec![overdue];
                effects.extend(next.and_then(|fetch| self.search(fetch)));
                Out::effects(effects)
            }
            Msg::Counted { count, .. } => {
                self.found = Some(count);
                Out::none()
            }
            Msg::Refused { error, .. } => {
                self.refusal = Some(error);
                Out::none()
            }
        }
    }

    /// Puts a page read in `queue`'s order into the window; the next page a waiting move
    /// needs, and the effect that asks which of its rows are overdue.
    fn take(
        &mut self,
        queue: Queue,
        fetch: Fetch,
        rows: Vec<Complaint>,
        ctx: &Ctx<'_>,
    ) -> (Option<Fetch>, Effect) {
        let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
        for id in &ids {
            self.overdue.remove(id);
        }
        let rows = rows
            .into_iter()
            .map(|complaint| CaseRow {
                key: row_key(queue, &complaint),
                complaint,
            })
            .collect();
        let next = self
            .window
            .apply(fetch, rows, ctx.list_rows(self.bars(ctx)));
        (next, Effect::CaseOverdue(ids))
    }

    fn count(&self, view: usize) -> Option<i64> {
        self.counts.and_then(|c| c.get(view).copied())
    }

    /// The views as tabs, the active one bracketed; each with its count when `counted`
    /// (the active one always).
    fn tabs(&self, c: &Catalog, counted: bool) -> Vec<Span<'static>> {
        let mut tabs = Vec::new();
        for (i, (_, _, label)) in VIEWS.iter().enumerate() {
            let mut text = format!("{} {}", i + 1, c.text(label));
            if let Some(n) = self.count(i).filter(|_| counted || i == self.view) {
                text.push_str(&format!(" {n}"));
            }
            tabs.push(if i == self.view {
                Span::styled(format!("[{text}]"), theme::tab_active())
            } else {
                Span::styled(format!(" {text} "), theme::tab())
            });
        }
        tabs
    }

    /// The effect that reads `fetch` of the list shown: the view's queue, or the search.
    fn load(&mut self, fetch: Fetch) -> Option<Effect> {
        if self.searching() {
            self.search(fetch)
        } else if self.ranked() {
            // The ranking is in the window whole: only a new one is read.
            matches!(fetch.kind, FetchKind::Start | FetchKind::Reload)
                .then(|| Effect::RankCases(self.queue()))
        } else {
            Some(Effect::LoadCases {
                queue: self.queue(),
                fetch,
            })
        }
    }

    /// A page of the search: the text, the view and the filters (counted with its first
    /// page); none while the view is listed.
    fn search(&mut self, fetch: Fetch) -> Option<Effect> {
        if !self.searching() {
            return None;
        }
        Some(Effect::Search {
            seq: self.seq,
            filter: Box::new(SearchFilter {
                text: self.searched.clone(),
                // The tab's view; on the tab of every case, the one the filters carry.
                view: match VIEWS[self.view].1 {
                    View::All => self.filters.filter().view,
                    tab => tab,
                },
                ..self.filters.filter().clone()
            }),
            fetch,
            count: fetch.kind == FetchKind::Start,
        })
    }

    /// Searches what is typed now with the filters (or lists the view again when there is
    /// neither).
    fn run_query(&mut self) -> Vec<Effect> {
        self.typed = false;
        self.refusal = None;
        self.found = None;
        self.seq += 1;
        let text = self.query.value();
        self.searched = (!text.trim().is_empty()).then_some(text);
        if !self.searching() {
            self.window = Window::backward();
            return self.reload();
        }
        // Results newest first, read forward (the core has no "last page" of a search).
        self.window = Window::default();
        let fetch = self.window.start();
        self.search(fetch).into_iter().collect()
    }

    /// The counts and the list read again, where it was (from the start the first time).
    fn reload(&mut self) -> Vec<Effect> {
        let mut effects = vec![Effect::CaseCounts];
        let fetch = self.window.enter();
        effects.extend(self.load(fetch));
        effects
    }

    fn show_view(&mut self, view: usize) -> Out {
        self.view = view % VIEWS.len();
        if self.searching() {
            return Out::effects(self.run_query());
        }
        let fetch = self.window.start();
        Out::effects(self.load(fetch).into_iter().collect())
    }

    fn go(&mut self, go: Go, ctx: &Ctx<'_>) -> Out {
        let next = self.window.go(go, ctx.list_rows(self.bars(ctx)));
        Out::effects(next.and_then(|f| self.load(f)).into_iter().collect())
    }

    fn open_selected(&self) -> Out {
        self.selected().map_or_else(Out::none, |r| {
            Out::effect(Effect::OpenCase(r.complaint.number.clone()))
        })
    }

    /// Opens the filter form on the filters applied.
    fn open_filters(&mut self, ctx: &Ctx<'_>) -> Out {
        self.filter_form = Some(FilterForm::open(ctx, &self.filters));
        Out::none()
    }

    /// Clears every filter: the text alone is searched, or the view listed.
    fn clear_filters(&mut self) -> Out {
        if !self.filters.is_active() {
            return Out::none();
        }
        self.filters = Filters::default();
        Out::effects(self.run_query())
    }

    /// A key in the filter form: Ctrl+S applies what the desk's rule accepts (a refusal
    /// stays under its input), Esc closes it unapplied.
    fn filter_key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        let Some(form) = &mut self.filter_form else {
            return Out::none();
        };
        match form.key(event) {
            FormStep::Submit => match form.checked(ctx) {
                Some(filters) => {
                    self.filter_form = None;
                    self.filters = filters;
                    Out::effects(self.run_query())
                }
                None => Out::none(),
            },
            FormStep::Cancel => {
                self.filter_form = None;
                Out::none()
            }
            FormStep::Changed(_) | FormStep::Nothing => Out::none(),
        }
    }

    fn goto_key(&mut self, event: KeyEvent) -> Out {
        let Some(line) = &mut self.goto else {
            return Out::none();
        };
        match lookup(GOTO_KEYS, &event) {
            Some(Cmd::Open) => {
                let text = line.value();
                if text.trim().is_empty() {
                    return Out::none();
                }
                self.goto = None;
                Out::effect(Effect::GoTo(text))
            }
            Some(_) => {
                self.goto = None;
                Out::none()
            }
            None => {
                line.input(event);
                Out::none()
            }
        }
    }

    fn query_key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        match lookup(QUERY_KEYS, &event) {
            Some(Cmd::Go(go)) => self.go(go, ctx),
            Some(Cmd::NextView) => self.show_view(self.view + 1),
            Some(Cmd::PrevView) => self.show_view(self.view + VIEWS.len() - 1),
            Some(Cmd::Open) => self.open_selected(),
            Some(Cmd::Leave) if !self.query.is_empty() => {
                self.query = TextField::line("");
                Out::effects(self.run_query())
            }
            Some(Cmd::Leave) => {
                self.focus = Focus::List;
                Out::none()
            }
            Some(Cmd::Filter) => self.open_filters(ctx),
            Some(_) => Out::none(),
            None => {
                if self.query.input(event) {
                    self.typed = true;
                }
                Out::none()
            }
        }
    }

    /// Draws the query line (the go-to line over it while open), the active filters, the
    /// views with their counts, the column header and the rows in view.
    fn render_list(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let keys = match (&self.goto, self.focus) {
            (Some(_), _) => GOTO_KEYS,
            (None, Focus::Query) => QUERY_KEYS,
            (None, Focus::List) => LIST_KEYS,
        };
        let inner = crate::tui::widgets::pane_frame(
            frame,
            area,
            c.text("tui.cases_title"),
            &footer(c, keys, HELP_HINT, "  "),
        );
        let cols = inner.width as usize;
        let summary = self.summary_rows(ctx, cols);
        let top = summary.len() as u16 + 1;
        if inner.height < top + 2 {
            return;
        }
        self.render_query(ctx, frame, Rect { height: 1, ..inner });
        let summary: Vec<Line<'_>> = summary
            .into_iter()
            .map(|r| Line::styled(r, theme::label()))
            .collect();
        frame.render_widget(
            Paragraph::new(summary),
            Rect {
                y: inner.y + 1,
                height: top - 1,
                ..inner
            },
        );
        let mut lines: Vec<Line<'static>> = Vec::with_capacity(inner.height as usize);
        // The views with their counts; when they do not fit, only the active one counted.
        let mut tabs = self.tabs(c, true);
        if tabs.iter().map(Span::width).sum::<usize>() > cols {
            tabs = self.tabs(c, false);
        }
        let position = match (self.searching(), self.found) {
            (true, Some(n)) if !self.window.rows().is_empty() => {
                format!("{} / {n}", self.window.position() + 1)
            }
            _ => position_text(&self.window),
        };
        let legend = if self.ranked() {
            c.format("tui.cases_ranked", &[("n", RANKED.to_string())])
        } else {
            c.text("tui.cases_legend").to_string()
        };
        lines.push(bar_line(tabs, &legend, &position, cols));
        let now = ctx.now;
        let header = [
            c.text("label.number"),
            c.text("label.received_at"),
            c.text("label.stage"),
            c.text("label.category"),
            c.text("label.severity"),
            c.text("label.handler"),
            c.text("label.location"),
            c.text(if self.ranked() {
                "tui.col_risk"
            } else {
                "tui.col_age"
            }),
            c.text("label.description"),
        ];
        let stage = |co: &Complaint| c.text(co.stage.label_key());
        // Further categories counted (`漏水+1`), or named where they fit.
        let category = |co: &Complaint, cols| categories_cell(co, ctx.config, ctx.lang, cols);
        let severity = |co: &Complaint| {
            co.severity
                .as_deref()
                .map(|s| ctx.config.severity_name(s, ctx.lang))
                .unwrap_or_default()
        };
        let age = |co: &Complaint| match self.scores.get(&co.id).filter(|_| self.ranked()) {
            Some(score) => score.to_string(),
            None => c.format("tui.age_days", &[("days", age_days(co, now).to_string())]),
        };
        let rows = || self.window.rows().iter().map(|r| &r.complaint);
        let w = columns(
            cols.saturating_sub(MARKS),
            Labels {
                received: time_width(rows().map(|co| co.received_at), now, ctx.zone()),
                stage: label_width(header[2], rows().map(|co| width(stage(co)))),
                category: label_width(header[3], rows().map(|co| width(&category(co, 0)))),
                severity: label_width(header[4], rows().map(|co| width(&severity(co)))),
                handler: width(header[5]),
                age: label_width(header[7], rows().map(|co| width(&age(co)))),
                description: width(header[8]),
            },
        );
        let mut head = vec![Span::styled(" ".repeat(MARKS), theme::header())];
        head.extend(cells(&w, header.map(plain), theme::header(), ""));
        lines.push(Line::from(head));
        let body = Rect {
            y: inner.y + top,
            height: inner.height - top,
            ..inner
        };
        if self.window.loaded() && self.window.rows().is_empty() {
            let key = if self.searching() {
                "tui.cases_none_found"
            } else {
                "tui.cases_empty"
            };
            lines.push(Line::styled(fit(c.text(key), cols), theme::hint()));
        }
        let height = (body.height as usize).saturating_sub(2);
        let selected = self.window.selected_index();
        let query = self.searched.as_deref().unwrap_or("");
        for (i, row) in self
            .window
            .rows()
            .iter()
            .enumerate()
            .skip(self.window.top(height))
            .take(height)
        {
            let co = &row.complaint;
            let first = co.description.lines().next().unwrap_or_default();
            let texts = [
                co.number.clone(),
                short_minutes(co.received_at, now, ctx.zone()),
                stage(co).to_string(),
                category(co, w[3]),
                severity(co),
                co.handler.as_deref().map(sanitize_line).unwrap_or_default(),
                place(co, ctx.config, ctx.lang),
                age(co),
                sanitize_line(first),
            ];
            let style = if i == selected {
                theme::selected()
            } else {
                Style::default()
            };
            let pending = co
                .handling
                .plan
                .as_ref()
                .is_some_and(|p| p.approval == Approval::Pending);
            let mut spans = vec![
                mark(self.overdue.contains(&co.id), "!", theme::overdue()),
                mark(co.spread_risk, "*", theme::risk()),
                mark(pending, "$", theme::flagged()),
            ];
            spans.extend(cells(&w, texts, style, query));
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), body);
    }

    /// The query line (or the go-to line), the caret placed for the input method.
    fn render_query(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let (label, field, focused) = match &self.goto {
            Some(line) => (c.text("tui.goto_label"), line, true),
            None => (c.text("tui.query_label"), &self.query, self.query_focused()),
        };
        let label = format!("{label} ");
        let label_w = width(&label) as u16;
        frame.render_widget(Span::styled(label.clone(), theme::label_focused()), area);
        let input = Rect {
            x: area.x + label_w.min(area.width),
            width: area.width.saturating_sub(label_w),
            ..area
        };
        let note = match (&self.refusal, &self.goto) {
            (Some(e), None) => Some(Span::styled(sanitize_line(&c.render(e)), theme::error())),
            (None, None) if field.is_empty() && !focused => Some(Span::styled(
                c.text("tui.query_hint").to_string(),
                theme::hint(),
            )),
            _ => None,
        };
        frame.render_widget(field.widget(), input);
        if let Some(note) = note
            && field.is_empty()
        {
            frame.render_widget(note, input);
        }
        if focused {
            frame.set_cursor_position(field.caret(input));
        }
    }
}

impl Room for Cases {
    fn key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.goto.is_some() {
            return self.goto_key(event);
        }
        if self.cover.is_up() {
            return self.cover.key(event, ctx);
        }
        if self.filter_form.is_some() {
            return self.filter_key(event, ctx);
        }
        if self.focus == Focus::Query {
            return self.query_key(event, ctx);
        }
        if let Some(go) = lookup(window::KEYS, &event) {
            return self.go(go, ctx);
        }
        match lookup(LIST_KEYS, &event) {
            Some(Cmd::View(view)) => self.show_view(view),
            Some(Cmd::NextView) => self.show_view(self.view + 1),
            Some(Cmd::PrevView) => self.show_view(self.view + VIEWS.len() - 1),
            Some(Cmd::Reload) => Out::effects(self.reload()),
            Some(Cmd::Open) => self.open_selected(),
            Some(Cmd::Query) => {
                self.focus = Focus::Query;
                Out::none()
            }
            Some(Cmd::Filter) => self.open_filters(ctx),
            Some(Cmd::Unfilter) => self.clear_filters(),
            Some(Cmd::RiskOrder) => self.toggle_risk_order(),
            Some(Cmd::Leave | Cmd::Go(_)) | None => Out::none(),
        }
    }

    fn paste(&mut self, text: &str) -> Out {
        if let Some(form) = &mut self.filter_form
            && self.goto.is_none()
            && !self.cover.is_up()
        {
            let removed = form.paste(text);
            return if removed > 0 {
                Out::notice(Notice::PasteCleaned(removed))
            } else {
                Out::none()
            };
        }
        let field = match (&mut self.goto, self.cover.is_up(), self.focus) {
            (Some(line), _, _) => line,
            (None, true, _) => return self.cover.paste(text),
            (None, false, Focus::Query) => &mut self.query,
            (None, false, Focus::List) => return Out::none(),
        };
        let removed = field.paste(text);
        if self.goto.is_none() {
            self.typed = true;
        }
        if removed > 0 {
            Out::notice(Notice::PasteCleaned(removed))
        } else {
            Out::none()
        }
    }

    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        self.cover.render_over(ctx, frame, area, |f| {
            self.render_list(ctx, f, area);
            if let Some(form) = &self.filter_form {
                form.render(ctx, f, area);
            }
        });
    }

    fn help(&self) -> Vec<Help> {
        if self.goto.is_some() {
            return help_rows(GOTO_KEYS).collect();
        }
        if let Some(f) = self.filter_form.as_ref().filter(|_| !self.cover.is_up()) {
            return f.form().help();
        }
        match self.focus {
            Focus::Query => self.cover.help().unwrap_or_else(|| {
                help_rows(QUERY_KEYS)
                    .chain(LEGEND.iter().copied())
                    .collect()
            }),
            Focus::List => self.cover.help_over(LIST_KEYS, LEGEND),
        }
    }

    fn cover(&self) -> Option<&Cover> {
        Some(&self.cover)
    }

    fn cover_mut(&mut self) -> Option<&mut Cover> {
        Some(&mut self.cover)
    }

    /// The counts and the list are read again on every F6.
    fn enter(&mut self, _again: bool) -> Vec<Effect> {
        self.reload()
    }

    fn refresh(&mut self) -> Vec<Effect> {
        self.reload()
    }

    /// A tick after the last key in the query line, what is typed is searched.
    fn tick(&mut self) -> Vec<Effect> {
        if self.typed {
            self.run_query()
        } else {
            Vec::new()
        }
    }
}

/// Columns the marks take.
const MARKS: usize = 3;

fn mark(on: bool, text: &'static str, style: Style) -> Span<'static> {
    if on {
        Span::styled(text, style)
    } else {
        Span::raw(" ")
    }
}

fn plain(text: &str) -> String {
    text.to_string()
}

/// Cells fitted to their widths, one space apart (a column of width zero left out), the
/// parts matching `query` highlighted within each (by display width, after fitting).
fn cells<const N: usize>(
    widths: &[usize; N],
    texts: [String; N],
    style: Style,
    query: &str,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut first = true;
    for (text, w) in texts.iter().zip(widths) {
        if *w == 0 {
            continue;
        }
        if !first {
            spans.push(Span::styled(" ", style));
        }
        first = false;
        let fitted = fit(text, *w);
        let found: Vec<Range<usize>> = if query.is_empty() {
            Vec::new()
        } else {
            matches(&fitted, query)
        };
        let mut at = 0;
        for r in found {
            if r.start > at {
                spans.push(Span::styled(fitted[at..r.start].to_string(), style));
            }
            spans.push(Span::styled(
                fitted[r.clone()].to_string(),
                theme::matched(),
            ));
            at = r.end;
        }
        spans.push(Span::styled(fitted[at..].to_string(), style));
    }
    spans
}

/// Whole days from receipt to the close (closed cases) or to now.
fn age_days(c: &Complaint, now: DateTime<Utc>) -> i64 {
    (c.closed_at.unwrap_or(now) - c.received_at)
        .num_days()
        .max(0)
}

/// The widths the list's columns need: the time column's, those of the label columns (the
/// widest label in memory or the header) and the headers of the free-text columns.
struct Labels {
    received: usize,
    stage: usize,
    category: usize,
    severity: usize,
    handler: usize,
    age: usize,
    description: usize,
}

/// Column widths (the marks not counted): number, received, stage, category, severity,
/// handler, location, age, description; the description takes the rest. Narrow, the
/// severity and the location are left out, and the handler too when the description
/// would have less room than its header.
fn columns(total: usize, l: Labels) -> [usize; 9] {
    let mut w = if total >= 100 {
        let handler = l.handler.max(8);
        [
            13, l.received, l.stage, l.category, l.severity, handler, 14, l.age, 0,
        ]
    } else {
        let handler = l.handler.max(6);
        [13, l.received, l.stage, l.category, 0, handler, 0, l.age, 0]
    };
    let rest = |w: &[usize; 9]| {
        let shown = w.iter().filter(|c| **c > 0).count() + 1;
        total.saturating_sub(w.iter().sum::<usize>() + shown - 1)
    };
    if rest(&w) < l.description {
        w[5] = 0;
    }
    w[8] = rest(&w);
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stage::Stage;
    use crate::tui::keymap::tests::check_table;
    use crate::tui::widgets::table::TIME;
    use crossterm::event::KeyModifiers;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_pane_keys() {
        check_table(LIST_KEYS);
        check_table(QUERY_KEYS);
        check_table(GOTO_KEYS);
        for k in ['1', 'r', '/', 'f', 'F'] {
            let event = press(KeyCode::Char(k));
            assert!(lookup(LIST_KEYS, &event).is_some());
            assert_eq!(lookup(window::KEYS, &event), None, "{k} is not a pager key");
            assert_eq!(lookup(QUERY_KEYS, &event), None, "{k} is text in the query");
        }
        let filter = ctrl_key('t');
        assert_eq!(lookup(LIST_KEYS, &filter), Some(Cmd::Filter));
        assert_eq!(lookup(QUERY_KEYS, &filter), Some(Cmd::Filter));
    }

    fn ctrl_key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn config() -> crate::config::Config {
        crate::config::Config::preset(crate::config::Preset::PropertyManagement).expect("preset")
    }

    /// The filter of the one search effect in `effects`.
    fn searched(effects: &[Effect]) -> SearchFilter {
        match effects {
            [Effect::Search { filter, .. }] => (**filter).clone(),
            other => panic!("one search: {other:?}"),
        }
    }

    #[test]
    fn filters_search_the_view_with_or_without_text_and_clearing_lists_it_again() {
        let config = config();
        let ctx = Ctx::new(&config, crate::i18n::Lang::ZhCn);
        let mut p = Cases::default();
        assert!(p.key(ctrl_key('t'), &ctx).effects.is_empty());
        assert!(
            p.filter_form().is_some(),
            "Ctrl+T opens the form from the query line"
        );
        assert!(!p.query_focused());
        assert!(
            p.help().iter().any(|h| h.keys == "Ctrl+S"),
            "the form's keys"
        );
        // Stage: any, received, verified; category: the first with 漏.
        p.key(press(KeyCode::Right), &ctx);
        p.key(press(KeyCode::Right), &ctx);
        p.key(press(KeyCode::Tab), &ctx);
        p.key(press(KeyCode::Tab), &ctx);
        p.key(press(KeyCode::Char('漏')), &ctx);
        let effects = p.key(ctrl_key('s'), &ctx).effects;
        let [Effect::Search { count, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert!(*count, "counted like a search");
        let f = searched(&effects);
        assert_eq!(f.text, None, "the filters alone");
        assert_eq!(f.view, View::Mine);
        assert_eq!(f.stage, Some(Stage::Verified));
        assert_eq!(f.category.as_deref(), Some("leak"));
        assert!(p.filter_form().is_none() && p.query_focused());
        assert!(p.filters().is_active());
        // A page of the view meanwhile is not what is shown.
        let fetch = p.window.start();
        p.update(
            Msg::Page {
                queue: Queue::Mine,
                fetch,
                rows: vec![Complaint::sample(1, "leak", "漏水")],
            },
            &ctx,
        );
        assert!(p.rows().is_empty());
        // The views keep working, and the text combines with the filters.
        let f = searched(&p.key(press(KeyCode::Tab), &ctx).effects);
        assert_eq!((f.view, f.stage), (View::Open, Some(Stage::Verified)));
        p.key(press(KeyCode::Char('水')), &ctx);
        let f = searched(&p.tick());
        assert_eq!(f.text.as_deref(), Some("水"));
        assert_eq!(f.category.as_deref(), Some("leak"));
        // Esc empties the query: the filters alone again.
        let f = searched(&p.key(press(KeyCode::Esc), &ctx).effects);
        assert_eq!((f.text, f.category.as_deref()), (None, Some("leak")));
        // From the list, F clears them: the view is listed again.
        p.key(press(KeyCode::Esc), &ctx);
        let out = p.key(press(KeyCode::Char('F')), &ctx);
        assert!(matches!(
            out.effects.as_slice(),
            [
                Effect::CaseCounts,
                Effect::LoadCases {
                    queue: Queue::Open,
                    ..
                }
            ]
        ));
        assert!(!p.filters().is_active());
        assert!(p.key(press(KeyCode::Char('F')), &ctx).effects.is_empty());
        // `f` opens the form from the list, on the filters applied.
        p.key(press(KeyCode::Char('f')), &ctx);
        assert_eq!(p.filter_form().map(|f| f.typed()), Some(Default::default()));
    }

    #[test]
    fn a_date_that_does_not_read_is_refused_under_it_and_esc_applies_nothing() {
        let config = config();
        let ctx = Ctx::new(&config, crate::i18n::Lang::En);
        let mut p = Cases::default();
        p.key(press(KeyCode::Esc), &ctx);
        p.key(press(KeyCode::Char('f')), &ctx);
        for _ in 0..5 {
            p.key(press(KeyCode::Tab), &ctx);
        }
        for c in "last week".chars() {
            p.key(press(KeyCode::Char(c)), &ctx);
        }
        assert!(p.key(ctrl_key('s'), &ctx).effects.is_empty());
        let form = p.filter_form().expect("still open");
        let (at, err) = form.form().error().expect("refused");
        assert_eq!((at, err.key), (Some("received_from"), "error.bad_datetime"));
        assert_eq!(form.typed().from, "last week");
        // From after to: refused under "to".
        for _ in 0.."last week".chars().count() {
            p.key(press(KeyCode::Backspace), &ctx);
        }
        for c in "2026-11-30".chars() {
            p.key(press(KeyCode::Char(c)), &ctx);
        }
        p.key(press(KeyCode::Tab), &ctx);
        for c in "2026-11-01".chars() {
            p.key(press(KeyCode::Char(c)), &ctx);
        }
        assert!(p.key(ctrl_key('s'), &ctx).effects.is_empty());
        let form = p.filter_form().expect("still open");
        assert_eq!(
            form.form().error().map(|(at, e)| (at, e.key)),
            Some((Some("received_to"), "error.search_dates_reversed"))
        );
        assert!(p.key(press(KeyCode::Esc), &ctx).effects.is_empty());
        assert!(p.filter_form().is_some(), "asks before the typing goes");
        p.key(press(KeyCode::Enter), &ctx);
        assert!(p.filter_form().is_none());
        assert!(!p.filters().is_active(), "nothing applied");
    }

    #[test]
    fn typing_searches_a_tick_later_and_esc_clears_then_leaves() {
        let config = crate::config::Config::preset(crate::config::Preset::PropertyManagement)
            .expect("preset");
        let ctx = Ctx::new(&config, crate::i18n::Lang::ZhCn);
        let mut p = Cases::default();
        assert!(p.query_focused());
        for c in "漏水".chars() {
            let out = p.key(press(KeyCode::Char(c)), &ctx);
            assert!(out.effects.is_empty(), "nothing searched while typing");
        }
        let effects = p.tick();
        let [
            Effect::Search {
                seq, filter, count, ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}");
        };
        assert_eq!(filter.text.as_deref(), Some("漏水"));
        assert!(*count, "the first page is counted");
        assert!(p.tick().is_empty(), "searched once");
        // A stale answer is dropped.
        let stale = Msg::Counted {
            seq: seq - 1,
            count: 9,
        };
        p.update(stale, &ctx);
        assert_eq!(p.found(), None);
        p.update(
            Msg::Counted {
                seq: *seq,
                count: 3,
            },
            &ctx,
        );
        assert_eq!(p.found(), Some(3));
        // Esc empties the query (the view is listed again), then leaves it for the list.
        let out = p.key(press(KeyCode::Esc), &ctx);
        assert!(matches!(
            out.effects.as_slice(),
            [Effect::CaseCounts, Effect::LoadCases { .. }]
        ));
        assert_eq!(p.searched(), None);
        p.key(press(KeyCode::Esc), &ctx);
        assert!(!p.query_focused());
        assert!(matches!(
            p.key(press(KeyCode::Char('6')), &ctx).effects.as_slice(),
            [Effect::LoadCases {
                queue: Queue::All,
                ..
            }]
        ));
        p.key(press(KeyCode::Char('/')), &ctx);
        assert!(p.query_focused());
    }

    #[test]
    fn the_go_to_line_asks_for_a_number() {
        let config = crate::config::Config::preset(crate::config::Preset::PropertyManagement)
            .expect("preset");
        let ctx = Ctx::new(&config, crate::i18n::Lang::ZhCn);
        let mut p = Cases::default();
        p.open_goto();
        assert!(
            p.key(press(KeyCode::Enter), &ctx).effects.is_empty(),
            "nothing typed"
        );
        p.key(press(KeyCode::Char('1')), &ctx);
        p.key(press(KeyCode::Char('7')), &ctx);
        let out = p.key(press(KeyCode::Enter), &ctx);
        assert!(matches!(out.effects.as_slice(), [Effect::GoTo(t)] if t == "17"));
        assert!(p.query_focused(), "back to the query line");
    }

    #[test]
    fn matched_text_is_highlighted_within_the_fitted_cell() {
        let spans = cells(
            &[10],
            ["卫生間漏水严重".to_string()],
            Style::default(),
            "间漏",
        );
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(
            texts,
            vec!["卫生", "間漏", "~ "],
            "Traditional text, Simplified query"
        );
        assert_eq!(spans[1].style, theme::matched());
    }

    #[test]
    fn keys_follow_the_order_of_each_view() {
        for (queue, _, _) in VIEWS {
            let mut a = Complaint::sample(1, "leak", "漏水");
            let mut b = Complaint::sample(2, "leak", "漏水");
            b.received_at = a.received_at + chrono::Duration::hours(1);
            a.closed_at = Some(b.received_at);
            b.closed_at = Some(b.received_at + chrono::Duration::hours(1));
            let (ka, kb) = (row_key(queue, &a), row_key(queue, &b));
            assert_eq!(ka < kb, !queue.newest_first(), "{queue:?}");
            for (k, c) in [(ka, &a), (kb, &b)] {
                assert_eq!(cursor(queue, k), Cursor::of(queue, c), "{queue:?}");
            }
        }
    }

    #[test]
    fn columns_fill_the_width() {
        for total in [77, 99, 100, 117, 197] {
            let w = columns(
                total,
                Labels {
                    received: TIME,
                    stage: 10,
                    category: 10,
                    severity: 8,
                    handler: 7,
                    age: 4,
                    description: 11,
                },
            );
            let shown = w.iter().filter(|c| **c > 0).count();
            assert_eq!(w.iter().sum::<usize>() + shown - 1, total, "{total}: {w:?}");
        }
    }
}
