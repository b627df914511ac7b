//! The dashboard (统计, F7): where the desk stands now and what a period shows, the figures
//! of `Desk::report` (the same call as `report` on the command line), each with its written
//! definition (F1 lists them all). Tiles for the figures now and for the period, a period
//! chosen with 1–7 (today, 7 days, 30 days, this month, this quarter, this year, or dates
//! typed), a breakdown drawn as horizontal bars and switched with `b`, the backlog's ageing
//! and the trend of received and closed cases.
//!
//! The figures are computed on a thread of their own (the frame never waits on them) and
//! arrive a moment after; meanwhile the pane says it is counting, over the figures before.
//! Enter on a tile, a bar or an ageing row opens the cases pane (or the callback queue, the
//! revisit agenda) filtered to what the number counts, so it can be checked case by case.
//! The selection is marked with `>` besides its colour; bars and the trend are drawn in
//! characters, so nothing is told by colour alone.

use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::{AgendaRange, CallbackView, FilterText, triage_late_by};
use crate::domain::complaint::{Channel, Scope};
use crate::domain::report::{AGE_BANDS, By, FIGURES, Period, Report, Row};
use crate::domain::search::View;
use crate::error::Error;
use crate::present::{figure_label, figure_number, local_minutes};
use crate::text::{fit, sanitize_line, width, wrap_hanging};
use crate::tui::ctx::Ctx;
use crate::tui::forms::filters::Filters;
use crate::tui::keymap::{Binding, GLOBAL, HELP_HINT, Help, ch, footer, help_rows, key, lookup};
use crate::tui::msg::{Effect, Out};
use crate::tui::panes::Room;
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormStep, popup};
use crate::tui::widgets::table::bar_line;

/// The periods of the chooser, in order, with their names (the dates typed last).
const PERIODS: [(Choice, &str); 6] = [
    (Choice::Today, "dash.period_today"),
    (Choice::Days(7), "dash.period_7"),
    (Choice::Days(30), "dash.period_30"),
    (Choice::Month, "dash.period_month"),
    (Choice::Quarter, "dash.period_quarter"),
    (Choice::Year, "dash.period_year"),
];

/// A period chosen: up to the end of today, or between dates typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Today.
    Today,
    /// The last n days, today included.
    Days(u64),
    /// This month so far.
    Month,
    /// This quarter so far.
    Quarter,
    /// This year so far.
    Year,
    /// From and to as typed (each a DATE, a whole local day, as `report` takes them).
    Custom(String, String),
}

impl Choice {
    /// `from` and `to` as `report --from --to` takes them, `today` being the local day.
    pub fn days(&self, today: NaiveDate) -> (String, String) {
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let first = match self {
            Choice::Today => today,
            Choice::Days(n) => today - Duration::days(i64::try_from(*n).unwrap_or(1) - 1),
            Choice::Month => today.with_day(1).unwrap_or(today),
            Choice::Quarter => {
                NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1)
                    .unwrap_or(today)
            }
            Choice::Year => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
            Choice::Custom(from, to) => return (from.clone(), to.clone()),
        };
        (day(first), day(today))
    }
}

/// The breakdowns, in the order `b` goes through them, with their names.
pub const BREAKDOWNS: [(By, &str); 7] = [
    (By::Category, "dash.by_category"),
    (By::Severity, "dash.by_severity"),
    (By::Channel, "dash.by_channel"),
    (By::Handler, "dash.by_handler"),
    (By::Building, "dash.by_building"),
    (By::Site, "label.site"),
    (By::Party, "dash.by_party"),
];

/// The figures now, in tile order (the first of [`FIGURES`]).
const NOW: usize = 9;

/// The cut the ASCII trend draws with: no case, then more and more.
const RAMP: &[u8] = b"_.:-=+*#%@";

/// What the dashboard's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Period(usize),
    NextBy,
    PrevBy,
    Next,
    Prev,
    First,
    Last,
    PageDown,
    PageUp,
    Drill,
    Reload,
}

/// The dashboard's keys.
const KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Enter)], Cmd::Drill)
        .help("Enter", "dash.help_drill")
        .hint_at(0, "dash.key_drill"),
    Binding::new(&[ch('1')], Cmd::Period(0))
        .help("1-7", "dash.help_period")
        .hint_at(1, "dash.key_period"),
    Binding::new(&[ch('2')], Cmd::Period(1)),
    Binding::new(&[ch('3')], Cmd::Period(2)),
    Binding::new(&[ch('4')], Cmd::Period(3)),
    Binding::new(&[ch('5')], Cmd::Period(4)),
    Binding::new(&[ch('6')], Cmd::Period(5)),
    Binding::new(&[ch('7')], Cmd::Period(6)),
    Binding::new(&[ch('b')], Cmd::NextBy)
        .help("b / B", "dash.help_by")
        .hint_at(2, "dash.key_by"),
    Binding::new(&[ch('B')], Cmd::PrevBy),
    Binding::new(&[key(KeyCode::Down), key(KeyCode::Right)], Cmd::Next)
        .help("Up / Down / Left / Right", "dash.help_move"),
    Binding::new(&[key(KeyCode::Up), key(KeyCode::Left)], Cmd::Prev),
    Binding::new(&[key(KeyCode::Home)], Cmd::First).help("Home / End", "dash.help_ends"),
    Binding::new(&[key(KeyCode::End)], Cmd::Last),
    Binding::new(&[key(KeyCode::PageDown)], Cmd::PageDown).help("PgDn / PgUp", "dash.help_page"),
    Binding::new(&[key(KeyCode::PageUp)], Cmd::PageUp),
    Binding::new(&[ch('r'), ch('R')], Cmd::Reload).help("r", "dash.help_reload"),
];

/// The keys of the definitions page (any other key closes it).
const DEF_KEYS: &[Binding<Cmd>] = &[
    Binding::new(&[key(KeyCode::Down)], Cmd::Next)
        .help("Up / Down", "dash.help_scroll")
        .hint("dash.key_scroll"),
    Binding::new(&[key(KeyCode::Up)], Cmd::Prev),
    Binding::new(&[key(KeyCode::PageDown)], Cmd::PageDown).help("PgDn / PgUp", "dash.help_page"),
    Binding::new(&[key(KeyCode::PageUp)], Cmd::PageUp),
];

/// The catalog keys of every figure's definition, in the order of [`FIGURES`].
static DEFINITIONS: LazyLock<Vec<String>> =
    LazyLock::new(|| FIGURES.iter().map(|k| format!("report.def.{k}")).collect());

/// Where a number is checked case by case.
#[derive(Debug, Clone, PartialEq)]
pub enum Drill {
    /// The cases pane, in this view, with these filters.
    Cases {
        /// The view (one the pane has a tab for, or one the filters carry).
        view: View,
        /// The filters.
        filters: Box<Filters>,
    },
    /// The callback queue, in this view.
    Callbacks(CallbackView),
    /// The revisit agenda, at this part.
    Revisits(AgendaRange),
    /// The cases pane with this case open (by number).
    Case(String),
}

/// Results that come back to the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The report of load `seq`.
    Loaded {
        /// Which load.
        seq: u64,
        /// The period it covers.
        period: Period,
        /// The days asked for (`from`, `to`).
        days: (String, String),
        /// The figures.
        report: Box<Report>,
    },
    /// The report of load `seq` was refused (dates that do not read, a failed read).
    Refused {
        /// Which load.
        seq: u64,
        /// Why.
        error: Error,
    },
}

/// The report shown, and what it was asked for.
#[derive(Debug, Clone)]
struct Shown {
    period: Period,
    by: By,
    /// The days asked for (`from`, `to`), as the drill-downs filter by them.
    days: (String, String),
    report: Report,
}

/// The period the dashboard opens on: 30 days, as `report` without dates.
const FIRST_PERIOD: usize = 2;

/// The dashboard's state: the period and breakdown chosen, the report shown, the load in
/// flight, the selection and the scroll, the custom dates form and the definitions page.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The period chosen: one of [`PERIODS`], or (past them) the dates typed.
    period: usize,
    by: usize,
    /// The custom dates, as typed (`from`, `to`).
    custom: (String, String),
    shown: Option<Shown>,
    /// The newest load asked for (older answers are dropped).
    seq: u64,
    /// A load is in flight: the breakdown it asked for.
    loading: Option<By>,
    refusal: Option<Error>,
    selected: usize,
    top: usize,
    /// The custom dates form, while open.
    form: Option<Form>,
    /// The definitions page (F1), while open: its scroll.
    definitions: Option<usize>,
}

impl Default for Dashboard {
    fn default() -> Dashboard {
        Dashboard {
            period: FIRST_PERIOD,
            by: 0,
            custom: (String::new(), String::new()),
            shown: None,
            seq: 0,
            loading: None,
            refusal: None,
            selected: 0,
            top: 0,
            form: None,
            definitions: None,
        }
    }
}

/// One selectable thing on the page and where it takes Enter.
struct Target {
    line: usize,
    drill: Option<Drill>,
}

/// The page drawn under the period bar: its lines and what can be selected on them.
struct Page {
    lines: Vec<Line<'static>>,
    targets: Vec<Target>,
}

impl Dashboard {
    /// The breakdown chosen.
    pub fn by(&self) -> By {
        BREAKDOWNS[self.by].0
    }

    /// The report shown, once one came.
    pub fn report(&self) -> Option<&Report> {
        self.shown.as_ref().map(|s| &s.report)
    }

    /// Whether figures are being computed.
    pub fn loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Whether the definitions page is open.
    pub fn definitions_shown(&self) -> bool {
        self.definitions.is_some()
    }

    /// The period chosen.
    fn choice(&self) -> Choice {
        match PERIODS.get(self.period) {
            Some((choice, _)) => choice.clone(),
            None => Choice::Custom(self.custom.0.clone(), self.custom.1.clone()),
        }
    }

    /// Asks for the figures of the period and breakdown chosen (the desk's clock says
    /// which day is today).
    fn load(&mut self) -> Vec<Effect> {
        self.seq += 1;
        self.loading = Some(self.by());
        vec![Effect::Report {
            seq: self.seq,
            choice: self.choice(),
            by: self.by(),
        }]
    }

    /// Takes a result.
    pub fn update(&mut self, msg: Msg, ctx: &Ctx<'_>) -> Out {
        match msg {
            Msg::Loaded { seq, .. } | Msg::Refused { seq, .. } if seq != self.seq => Out::none(),
            Msg::Loaded {
                period,
                days,
                report,
                ..
            } => {
                let Some(by) = self.loading.take() else {
                    return Out::none();
                };
                self.refusal = None;
                self.shown = Some(Shown {
                    period,
                    by,
                    days,
                    report: *report,
                });
                let count = self.page(ctx, self.cols(ctx)).targets.len();
                self.selected = self.selected.min(count.saturating_sub(1));
                Out::none()
            }
            Msg::Refused { error, .. } => {
                self.loading = None;
                self.refusal = Some(error);
                Out::none()
            }
        }
    }

    /// Columns inside the pane's frame.
    fn cols(&self, ctx: &Ctx<'_>) -> usize {
        usize::from(ctx.body().width.saturating_sub(2))
    }

    /// Rows of the page in view (inside the frame, under the two bar lines).
    fn rows(&self, ctx: &Ctx<'_>) -> usize {
        usize::from(ctx.body().height.saturating_sub(4)).max(1)
    }

    /// Moves the selection to `i` and scrolls it into view.
    fn select(&mut self, i: usize, ctx: &Ctx<'_>) {
        let page = self.page(ctx, self.cols(ctx));
        let Some(last) = page.targets.len().checked_sub(1) else {
            return;
        };
        self.selected = i.min(last);
        let line = page.targets[self.selected].line;
        let rows = self.rows(ctx);
        if line < self.top {
            // The heading above the first target of a section comes along.
            self.top = line.saturating_sub(1);
        } else if line >= self.top + rows {
            self.top = line + 1 - rows;
        }
    }

    fn scroll(&mut self, down: bool, ctx: &Ctx<'_>) {
        let rows = self.rows(ctx);
        let len = self.page(ctx, self.cols(ctx)).lines.len();
        let step = rows.saturating_sub(1).max(1);
        self.top = if down {
            (self.top + step).min(len.saturating_sub(rows))
        } else {
            self.top.saturating_sub(step)
        };
    }

    fn choose_period(&mut self, i: usize) -> Out {
        if i >= PERIODS.len() {
            let form = Form::new()
                .text("period_from", "dash.from", &self.custom.0)
                .hint("dash.date_hint")
                .text("period_to", "dash.to", &self.custom.1)
                .hint("dash.date_hint")
                .focus_first();
            self.form = Some(form);
            return Out::none();
        }
        self.period = i;
        Out::effects(self.load())
    }

    /// A key in the custom dates form: Ctrl+S takes dates the desk's rule reads (a refusal
    /// stays under its input), Esc closes it.
    fn form_key(&mut self, event: KeyEvent) -> Out {
        let Some(form) = &mut self.form else {
            return Out::none();
        };
        match form.key(event) {
            FormStep::Submit => {
                let (from, to) = (form.text_of("period_from"), form.text_of("period_to"));
                let (from, to) = (from.trim(), to.trim());
                // Whole days: the report's sums are kept by day.
                let day = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
                let days = match (day(from), day(to)) {
                    (Some(a), Some(b)) => Ok((a, b)),
                    (None, _) => Err(("period_from", from)),
                    (_, None) => Err(("period_to", to)),
                };
                let refusal = match days {
                    Err((field, value)) => Some(
                        Error::new("dash.date_bad")
                            .arg("field", field)
                            .arg("value", value),
                    ),
                    Ok((a, b)) if a > b => Some(
                        Error::new("dash.dates_reversed")
                            .arg("field", "period_to")
                            .arg("from", from)
                            .arg("to", to),
                    ),
                    Ok(_) => None,
                };
                if let Some(e) = refusal {
                    form.refuse(e, None);
                    return Out::none();
                }
                self.custom = (from.to_string(), to.to_string());
                self.form = None;
                self.period = PERIODS.len();
                Out::effects(self.load())
            }
            FormStep::Cancel => {
                self.form = None;
                Out::none()
            }
            FormStep::Changed(_) | FormStep::Nothing => Out::none(),
        }
    }

    fn definitions_key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        let len = self.definition_lines(ctx, self.cols(ctx)).len();
        let rows = self.rows(ctx) + 2;
        let most = len.saturating_sub(rows);
        let at = self.definitions.unwrap_or(0);
        let step = rows.saturating_sub(1).max(1);
        self.definitions = match lookup(DEF_KEYS, &event) {
            Some(Cmd::Next) => Some((at + 1).min(most)),
            Some(Cmd::Prev) => Some(at.saturating_sub(1)),
            Some(Cmd::PageDown) => Some((at + step).min(most)),
            Some(Cmd::PageUp) => Some(at.saturating_sub(step)),
            _ => None,
        };
        Out::none()
    }

    /// Where Enter on the selection goes.
    fn drill(&self, ctx: &Ctx<'_>) -> Option<Drill> {
        let page = self.page(ctx, self.cols(ctx));
        page.targets.into_iter().nth(self.selected)?.drill
    }

    /// The lines of the definitions page: the keys, then every figure with its definition.
    fn definition_lines(&self, ctx: &Ctx<'_>, cols: usize) -> Vec<Line<'static>> {
        let c = ctx.catalog;
        let mut lines = vec![Line::styled(
            fit(c.text("dash.definitions_keys"), cols),
            theme::header(),
        )];
        let keys: Vec<Help> = help_rows(KEYS).chain(help_rows(GLOBAL)).collect();
        let key_w = keys.iter().map(|h| width(h.keys)).max().unwrap_or(0);
        for h in keys {
            let text = format!(" {}  {}", fit(h.keys, key_w), c.text(h.text));
            lines.extend(wrap_hanging(&text, cols).into_iter().map(Line::raw));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            fit(c.text("dash.definitions"), cols),
            theme::header(),
        ));
        for (i, key) in DEFINITIONS.iter().enumerate() {
            if i == NOW {
                lines.push(Line::raw(""));
            }
            let text = format!(" {}", c.text(key));
            lines.extend(wrap_hanging(&text, cols).into_iter().map(Line::raw));
        }
        lines
    }

    /// The page under the period bar, for `cols` columns: the tiles now and for the
    /// period, the satisfaction scores, the breakdown's bars, the ageing, the trend.
    fn page(&self, ctx: &Ctx<'_>, cols: usize) -> Page {
        let mut page = Page {
            lines: Vec::new(),
            targets: Vec::new(),
        };
        let Some(shown) = &self.shown else {
            return page;
        };
        let c = ctx.catalog;
        let r = &shown.report;
        let fig = |k: &str| r.figures.get(k).copied().flatten();
        let count = |k: &str| fig(k).map_or_else(|| "-".to_string(), figure_number);
        let count_of = |k: &str| fig(k).map_or(0, |v| v as u64);
        let pct = |k: &str, part: u64, whole: u64| match fig(k) {
            Some(p) => format!(
                "{}% {part}/{whole}",
                figure_number((p * 10.0).round() / 10.0)
            ),
            None => "-".to_string(),
        };
        let cases = |view: View, typed: FilterText| cases_drill(ctx, view, typed);
        let period = |typed: FilterText| FilterText {
            from: shown.days.0.clone(),
            to: shown.days.1.clone(),
            ..typed
        };
        // Now.
        let mut tiles: Vec<(String, String, Option<Drill>)> = Vec::new();
        for key in &FIGURES[..NOW] {
            let drill = match *key {
                "open" => cases(View::Open, FilterText::default()),
                "untriaged" => cases(View::Untriaged, FilterText::default()),
                "triage_overdue" => triage_drill(ctx),
                "callbacks_due_today" => Some(Drill::Callbacks(CallbackView::All)),
                "callbacks_overdue" => Some(Drill::Callbacks(CallbackView::Overdue)),
                "revisits_due_today" => Some(Drill::Revisits(AgendaRange::Today)),
                "revisits_overdue" => Some(Drill::Revisits(AgendaRange::Overdue)),
                "waiting_on_third_parties" => cases(View::ThirdParty, FilterText::default()),
                "pending_approvals" => cases(View::Approval, FilterText::default()),
                _ => None,
            };
            tiles.push((figure_label(c, key).to_string(), count(key), drill));
        }
        self.heading(&mut page, c.text("report.now"), cols);
        self.grid(&mut page, tiles, cols);
        // The period.
        let (within, late) = (
            count_of("first_reply_within_sla"),
            count_of("first_reply_late"),
        );
        let (reached, unreached) = (count_of("revisits_reached"), count_of("revisits_unreached"));
        let compensation = format!(
            "{} ({})",
            count("compensation_total"),
            count("compensated_cases")
        );
        let tiles: Vec<(String, String, Option<Drill>)> = vec![
            (
                figure_label(c, "received").into(),
                count("received"),
                cases(View::All, period(FilterText::default())),
            ),
            (
                figure_label(c, "closed").into(),
                count("closed"),
                cases(
                    View::All,
                    FilterText {
                        closed_from: shown.days.0.clone(),
                        closed_to: shown.days.1.clone(),
                        ..FilterText::default()
                    },
                ),
            ),
            (
                figure_label(c, "in_scope").into(),
                count("in_scope"),
                cases(
                    View::All,
                    period(FilterText {
                        scope: Some(Scope::In),
                        ..FilterText::default()
                    }),
                ),
            ),
            (
                figure_label(c, "out_scope").into(),
                count("out_scope"),
                cases(
                    View::All,
                    period(FilterText {
                        scope: Some(Scope::Out),
                        ..FilterText::default()
                    }),
                ),
            ),
            (
                figure_label(c, "first_reply_sla_pct").into(),
                pct("first_reply_sla_pct", within, within + late),
                None,
            ),
            (
                figure_label(c, "close_days_median").into(),
                count("close_days_median"),
                None,
            ),
            (
                figure_label(c, "close_days_p90").into(),
                count("close_days_p90"),
                None,
            ),
            (
                figure_label(c, "reopen_rate_pct").into(),
                pct("reopen_rate_pct", count_of("reopened"), count_of("closed")),
                None,
            ),
            (
                figure_label(c, "revisit_reach_pct").into(),
                pct("revisit_reach_pct", reached, reached + unreached),
                None,
            ),
            (
                figure_label(c, "satisfaction_mean").into(),
                fig("satisfaction_mean").map_or_else(|| "-".into(), |m| format!("{m:.1}")),
                None,
            ),
            (
                figure_label(c, "compensation_total").into(),
                compensation,
                None,
            ),
            (
                figure_label(c, "front_line_settled_pct").into(),
                fig("front_line_settled_pct").map_or_else(
                    || "-".into(),
                    |p| format!("{}%", figure_number((p * 10.0).round() / 10.0)),
                ),
                None,
            ),
            (
                figure_label(c, "escalations").into(),
                count("escalations"),
                None,
            ),
        ];
        self.heading(&mut page, c.text("report.period"), cols);
        self.grid(&mut page, tiles, cols);
        let scores: Vec<String> = (1..=5)
            .zip(r.satisfaction)
            .map(|(s, n)| format!("{s}:{n}"))
            .collect();
        page.lines.push(Line::raw(fit(
            &format!(" {}  {}", c.text("dash.satisfaction"), scores.join("  ")),
            cols,
        )));
        // The breakdown.
        let by_name = c.text(
            BREAKDOWNS
                .iter()
                .find(|b| b.0 == shown.by)
                .map_or("", |b| b.1),
        );
        let title = c.format("report.breakdown", &[("by", by_name.to_string())]);
        self.heading(&mut page, &title, cols);
        let mut rows: Vec<&Row> = r.rows.iter().collect();
        rows.sort_by(|a, b| b.received.cmp(&a.received).then(a.key.cmp(&b.key)));
        let bars: Vec<(String, u64, Option<Drill>, String)> = rows
            .iter()
            .map(|row| {
                let extra = format!(
                    "{} {}  {} {}",
                    c.text("report.closed"),
                    row.closed,
                    c.text("report.open"),
                    row.open
                );
                (
                    group_name(ctx, shown.by, &row.key),
                    row.received,
                    bar_drill(ctx, shown.by, &row.key, &period),
                    extra,
                )
            })
            .collect();
        if bars.is_empty() {
            page.lines.push(Line::styled(
                fit(c.text("report.none"), cols),
                theme::hint(),
            ));
        }
        let head = [c.text("report.key"), c.text("report.received")];
        self.bars(&mut page, bars, Some(head), cols);
        // The ageing.
        self.heading(&mut page, c.text("report.ageing"), cols);
        let today = ctx.zone().day(ctx.now);
        let day = |back: i64| {
            (today - Duration::days(back))
                .format("%Y-%m-%d")
                .to_string()
        };
        let mut low = 0;
        let ageing: Vec<(String, u64, Option<Drill>, String)> = AGE_BANDS
            .iter()
            .zip(&r.ageing)
            .map(|((band, top), (_, n))| {
                let typed = FilterText {
                    from: top.map(day).unwrap_or_default(),
                    to: day(low),
                    ..FilterText::default()
                };
                low = top.map_or(low, |t| t + 1);
                let name = c.format("dash.age_band", &[("band", band.to_string())]);
                (name, *n, cases(View::Open, typed), String::new())
            })
            .collect();
        self.bars(&mut page, ageing, None, cols);
        // The trend.
        let trend_by = c.text(match r.trend_by {
            "week" => "dash.trend_week",
            "month" => "dash.trend_month",
            _ => "dash.trend_day",
        });
        let title = c.format("report.trend", &[("by", trend_by.to_string())]);
        self.heading(&mut page, &title, cols);
        trend(&mut page, ctx, &r.trend, cols);
        page
    }

    /// A section's heading.
    fn heading(&self, page: &mut Page, title: &str, cols: usize) {
        page.lines
            .push(Line::styled(fit(title, cols), theme::header()));
    }

    /// Tiles, `label  value` each, as many to a line as fit (each at least 24 columns).
    fn grid(&self, page: &mut Page, tiles: Vec<(String, String, Option<Drill>)>, cols: usize) {
        let per_line = (cols / 24).clamp(1, 4);
        let tile_w = cols / per_line;
        for chunk in tiles.chunks(per_line) {
            let line = page.lines.len();
            let mut spans = Vec::new();
            for (label, value, drill) in chunk {
                let at = page.targets.len();
                let selected = at == self.selected;
                page.targets.push(Target {
                    line,
                    drill: drill.clone(),
                });
                let value_w = width(value);
                let room = tile_w.saturating_sub(value_w + 3);
                let text = format!(
                    "{}{} {} ",
                    if selected { '>' } else { ' ' },
                    fit(label, room),
                    value
                );
                spans.push(Span::styled(fit(&text, tile_w), tile_style(selected)));
            }
            page.lines.push(Line::from(spans));
        }
    }

    /// Horizontal bars: the name (cut with the cut mark when long), the bar in `#`, the
    /// number, and on a wide screen what else the row says; under a header naming the
    /// name's and the number's columns, if given.
    fn bars(
        &self,
        page: &mut Page,
        bars: Vec<(String, u64, Option<Drill>, String)>,
        head: Option<[&str; 2]>,
        cols: usize,
    ) {
        if bars.is_empty() {
            return;
        }
        let most = bars.iter().map(|b| b.1).max().unwrap_or(0);
        let names = bars.iter().map(|b| width(&b.0)).max().unwrap_or(0);
        let name_w = names.min((cols / 3).max(8));
        let count_w = bars
            .iter()
            .map(|b| b.1.to_string().len())
            .max()
            .unwrap_or(1);
        let extra_w = if cols >= 100 {
            bars.iter().map(|b| width(&b.3)).max().unwrap_or(0)
        } else {
            0
        };
        let count_w = head.map_or(count_w, |[_, n]| count_w.max(width(n)));
        let bar_w = cols.saturating_sub(1 + name_w + 1 + 1 + count_w + 1 + extra_w + 1);
        if let Some([name, count]) = head {
            let pad = count_w.saturating_sub(width(count));
            let text = format!(
                " {} {} {}{count}",
                fit(name, name_w),
                " ".repeat(bar_w),
                " ".repeat(pad)
            );
            page.lines
                .push(Line::styled(fit(&text, cols), theme::hint()));
        }
        for (name, n, drill, extra) in bars {
            let at = page.targets.len();
            let selected = at == self.selected;
            page.targets.push(Target {
                line: page.lines.len(),
                drill,
            });
            let len = if most == 0 {
                0
            } else {
                ((n as usize * bar_w).div_ceil(most as usize)).min(bar_w)
            };
            let bar = format!("{}{}", "#".repeat(len), " ".repeat(bar_w - len));
            let text = format!(
                "{}{} {bar} {n:>count_w$} {}",
                if selected { '>' } else { ' ' },
                fit(&name, name_w),
                if extra_w > 0 {
                    fit(&extra, extra_w)
                } else {
                    String::new()
                },
            );
            page.lines
                .push(Line::styled(fit(&text, cols), tile_style(selected)));
        }
    }

    /// Draws the period bar, the period and its state, and the page in view.
    fn render_page(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        let c = ctx.catalog;
        let title = c.text("dash.title");
        let keys = match self.definitions {
            Some(_) => footer(c, DEF_KEYS, HELP_HINT, "  "),
            None => footer(c, KEYS, HELP_HINT, "  "),
        };
        let inner = crate::tui::widgets::pane_frame(frame, area, title, &keys);
        if inner.height == 0 {
            return;
        }
        let cols = usize::from(inner.width);
        let rows = usize::from(inner.height);
        if let Some(at) = self.definitions {
            let lines: Vec<Line<'static>> = self
                .definition_lines(ctx, cols)
                .into_iter()
                .skip(at)
                .take(rows)
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
            return;
        }
        let mut lines: Vec<Line<'static>> = Vec::with_capacity(rows);
        let tabs: Vec<Span<'static>> = PERIODS
            .iter()
            .map(|(_, label)| *label)
            .chain(["dash.period_custom"])
            .enumerate()
            .map(|(i, label)| {
                let text = format!("{} {}", i + 1, c.text(label));
                if i == self.period {
                    Span::styled(format!("[{text}]"), theme::tab_active())
                } else {
                    Span::styled(format!(" {text} "), theme::tab())
                }
            })
            .collect();
        lines.push(bar_line(tabs, "", "", cols));
        lines.push(self.state_line(ctx, cols));
        let page = self.page(ctx, cols);
        let room = rows.saturating_sub(2);
        let top = self.top.min(page.lines.len().saturating_sub(room));
        lines.extend(page.lines.into_iter().skip(top).take(room));
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// The period shown and the breakdown, then whether figures are being computed or why
    /// they were refused.
    fn state_line(&self, ctx: &Ctx<'_>, cols: usize) -> Line<'static> {
        let c = ctx.catalog;
        let mut spans = Vec::new();
        if let Some(shown) = &self.shown {
            let zone = ctx.zone();
            let last = shown.period.to - Duration::seconds(1);
            let day = |t| local_minutes(t, zone).chars().take(10).collect::<String>();
            let text = c.format(
                "dash.period_line",
                &[("from", day(shown.period.from)), ("to", day(last))],
            );
            spans.push(Span::raw(format!("{text}  ")));
        }
        if self.loading.is_some() {
            spans.push(Span::styled(
                format!("{}  ", c.text("dash.loading")),
                theme::hint(),
            ));
        }
        if let Some(e) = &self.refusal {
            let text = sanitize_line(&c.render(e));
            spans.push(Span::styled(format!("! {text}"), theme::error()));
        }
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        if width(&text) > cols {
            let style = if self.refusal.is_some() {
                theme::error()
            } else {
                Style::default()
            };
            return Line::styled(fit(&text, cols), style);
        }
        Line::from(spans)
    }
}

/// A tile's style: the selection stands out (it is also marked with `>`).
fn tile_style(selected: bool) -> Style {
    if selected {
        theme::selected()
    } else {
        Style::default()
    }
}

/// The cases pane in `view` with the filters `typed` gives, when the desk's rule reads them.
fn cases_drill(ctx: &Ctx<'_>, view: View, typed: FilterText) -> Option<Drill> {
    let filters = Filters::checked_text(ctx, typed)?;
    Some(Drill::Cases {
        view,
        filters: Box::new(filters),
    })
}

/// The untriaged cases received at or before the triage limit (the status line's rule).
fn triage_drill(ctx: &Ctx<'_>) -> Option<Drill> {
    let late_by = triage_late_by(&ctx.config.policy, ctx.now);
    let typed = FilterText {
        to: local_minutes(late_by, ctx.zone()),
        ..FilterText::default()
    };
    let mut filters = Filters::checked_text(ctx, typed)?;
    // Received at or before the limit: before the second after it.
    filters.set_received_before(late_by + Duration::seconds(1));
    Some(Drill::Cases {
        view: View::Untriaged,
        filters: Box::new(filters),
    })
}

/// The cases a bar counts: received in the period, in the group `key` of `by`. A case of
/// no group (an empty key) is not a filter the search has: no drill then.
fn bar_drill(
    ctx: &Ctx<'_>,
    by: By,
    key: &str,
    period: &dyn Fn(FilterText) -> FilterText,
) -> Option<Drill> {
    if key.is_empty() {
        return None;
    }
    let k = key.to_string();
    let typed = match by {
        // The main category, as the report groups (a further one is not counted there).
        By::Category => FilterText {
            category: k,
            main_category: true,
            ..FilterText::default()
        },
        By::Severity => FilterText {
            severity: k,
            ..FilterText::default()
        },
        By::Handler => FilterText {
            handler: k,
            ..FilterText::default()
        },
        By::Site => FilterText {
            site: k,
            ..FilterText::default()
        },
        By::Channel => FilterText {
            channel: Channel::parse(key),
            ..FilterText::default()
        },
        By::Party => FilterText {
            party: k,
            ..FilterText::default()
        },
        // Location starting with the building's key: also a longer number (`7` holds
        // `71栋`); the search has no building of its own.
        By::Building => FilterText {
            location: k,
            ..FilterText::default()
        },
        By::Day | By::Week | By::Month => return None,
    };
    cases_drill(ctx, View::All, period(typed))
}

/// A group's name as people know it: a configured name for a key, sanitised; "none" for
/// the cases of no group.
fn group_name(ctx: &Ctx<'_>, by: By, key: &str) -> String {
    let c = ctx.catalog;
    if key.is_empty() {
        return c.text("report.none").to_string();
    }
    let name = match by {
        By::Category => ctx.config.category_name(key, ctx.lang),
        By::Severity => ctx.config.severity_name(key, ctx.lang),
        By::Channel => c.text_or(&format!("channel.{key}"), key).to_string(),
        By::Site => ctx.config.site_name(key, ctx.lang),
        By::Party => ctx.config.party_name(key, ctx.lang),
        By::Building => c.format("dash.building", &[("key", key.to_string())]),
        By::Handler | By::Day | By::Week | By::Month => key.to_string(),
    };
    sanitize_line(&name)
}

/// The trend in characters: a line each for received and closed, one character per period
/// of time (the newest that fit), from `_` (none) up to `@` (the most), then the total;
/// under them the first and last period shown.
fn trend(page: &mut Page, ctx: &Ctx<'_>, rows: &[Row], cols: usize) {
    let c = ctx.catalog;
    let labels = [c.text("report.received"), c.text("report.closed")];
    let label_w = labels.iter().map(|l| width(l)).max().unwrap_or(0);
    let total_w = 8;
    let room = cols.saturating_sub(label_w + 3 + total_w);
    let shown = &rows[rows.len().saturating_sub(room)..];
    let most = shown
        .iter()
        .map(|r| r.received.max(r.closed))
        .max()
        .unwrap_or(0);
    let spark = |n: u64| {
        if n == 0 || most == 0 {
            char::from(RAMP[0])
        } else {
            let steps = (RAMP.len() - 1) as u64;
            char::from(RAMP[((n * steps).div_ceil(most)).clamp(1, steps) as usize])
        }
    };
    for (label, pick) in labels
        .iter()
        .zip([(|r: &Row| r.received) as fn(&Row) -> u64, |r: &Row| {
            r.closed
        }])
    {
        let line: String = shown.iter().map(|r| spark(pick(r))).collect();
        let total: u64 = shown.iter().map(pick).sum();
        let text = format!(" {}  {line} {total}", fit(label, label_w));
        page.lines.push(Line::raw(fit(&text, cols)));
    }
    if let (Some(first), Some(last)) = (shown.first(), shown.last()) {
        let span = shown.len();
        let left = sanitize_line(&first.key);
        let right = sanitize_line(&last.key);
        let gap = span.saturating_sub(width(&left) + width(&right));
        let axis = if span > width(&left) + width(&right) {
            format!("{left}{}{right}", " ".repeat(gap))
        } else {
            left
        };
        let text = format!(" {}  {axis}", " ".repeat(label_w));
        page.lines
            .push(Line::styled(fit(&text, cols), theme::hint()));
        let legend = c.format("dash.trend_legend", &[("most", most.to_string())]);
        page.lines.push(Line::styled(
            fit(&format!(" {legend}"), cols),
            theme::hint(),
        ));
    }
}

impl Room for Dashboard {
    /// Handles a key: the definitions page and the dates form first, then the pane's keys.
    fn key(&mut self, event: KeyEvent, ctx: &Ctx<'_>) -> Out {
        if self.definitions.is_some() {
            return self.definitions_key(event, ctx);
        }
        if self.form.is_some() {
            return self.form_key(event);
        }
        match lookup(KEYS, &event) {
            Some(Cmd::Period(i)) => self.choose_period(i),
            Some(Cmd::NextBy) => {
                self.by = (self.by + 1) % BREAKDOWNS.len();
                Out::effects(self.load())
            }
            Some(Cmd::PrevBy) => {
                self.by = (self.by + BREAKDOWNS.len() - 1) % BREAKDOWNS.len();
                Out::effects(self.load())
            }
            Some(Cmd::Next) => {
                self.select(self.selected + 1, ctx);
                Out::none()
            }
            Some(Cmd::Prev) => {
                self.select(self.selected.saturating_sub(1), ctx);
                Out::none()
            }
            Some(Cmd::First) => {
                self.top = 0;
                self.select(0, ctx);
                Out::none()
            }
            Some(Cmd::Last) => {
                self.select(usize::MAX, ctx);
                let len = self.page(ctx, self.cols(ctx)).lines.len();
                self.top = len.saturating_sub(self.rows(ctx));
                Out::none()
            }
            Some(Cmd::PageDown) => {
                self.scroll(true, ctx);
                Out::none()
            }
            Some(Cmd::PageUp) => {
                self.scroll(false, ctx);
                Out::none()
            }
            Some(Cmd::Drill) => {
                let mut out = Out::none();
                out.drill = self.drill(ctx);
                out
            }
            Some(Cmd::Reload) => Out::effects(self.load()),
            None => Out::none(),
        }
    }

    fn paste(&mut self, text: &str) -> Out {
        if let Some(form) = &mut self.form {
            form.paste(text);
        }
        Out::none()
    }

    fn help(&self) -> Vec<Help> {
        match &self.form {
            Some(form) => form.help(),
            None => help_rows(KEYS).collect(),
        }
    }

    fn render(&self, ctx: &Ctx<'_>, frame: &mut Frame<'_>, area: Rect) {
        self.render_page(ctx, frame, area);
        if let Some(form) = &self.form {
            let c = ctx.catalog;
            let head = |cols: usize| {
                vec![Line::styled(
                    fit(c.text("dash.custom_head"), cols),
                    theme::hint(),
                )]
            };
            popup(ctx, frame, area, c.text("dash.custom_title"), &head, form);
        }
    }

    /// The figures are read again on every F7 (the definitions page closes).
    fn enter(&mut self, _again: bool) -> Vec<Effect> {
        self.definitions = None;
        self.load()
    }

    /// After a change here or at another terminal, the figures are read again.
    fn refresh(&mut self) -> Vec<Effect> {
        self.load()
    }

    /// F1 on the dashboard: the definitions page, with the keys on top (again: closed).
    fn own_help(&mut self) -> bool {
        self.definitions = match self.definitions {
            Some(_) => None,
            None => Some(0),
        };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::tests::check_table;

    #[test]
    fn the_keys_and_the_definitions_pages_keys() {
        check_table(KEYS);
        check_table(DEF_KEYS);
        assert_eq!(DEFINITIONS.len(), FIGURES.len());
    }

    #[test]
    fn periods_run_up_to_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("day");
        let days = |c: Choice| c.days(today);
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(days(Choice::Today), pair("2026-11-30", "2026-11-30"));
        assert_eq!(days(Choice::Days(7)), pair("2026-11-24", "2026-11-30"));
        assert_eq!(days(Choice::Days(30)), pair("2026-11-01", "2026-11-30"));
        assert_eq!(days(Choice::Month), pair("2026-11-01", "2026-11-30"));
        assert_eq!(days(Choice::Quarter), pair("2026-10-01", "2026-11-30"));
        assert_eq!(days(Choice::Year), pair("2026-01-01", "2026-11-30"));
        let typed = Choice::Custom("2026-11-20".into(), "2026-11-20 18:00".into());
        assert_eq!(days(typed), pair("2026-11-20", "2026-11-20 18:00"));
    }

    #[test]
    fn groups_show_configured_names_and_untrusted_text_made_safe() {
        let config = crate::config::Config::preset(crate::config::Preset::PropertyManagement)
            .expect("preset");
        let ctx = Ctx::new(&config, crate::i18n::Lang::ZhCn);
        assert_eq!(group_name(&ctx, By::Category, "leak"), "漏水");
        assert_eq!(group_name(&ctx, By::Party, "developer"), "开发商");
        assert_eq!(group_name(&ctx, By::Channel, "walk-in"), "来访");
        assert_eq!(
            group_name(&ctx, By::Severity, ""),
            ctx.catalog.text("report.none")
        );
        let hostile = group_name(&ctx, By::Site, "\u{1b}]0;pwned\u{7}绿景\u{202e}");
        assert!(!hostile.chars().any(crate::text::is_unsafe), "{hostile:?}");
        // A bar of no group, or of a period of time, has no drill-down.
        let period = |t: FilterText| t;
        assert_eq!(bar_drill(&ctx, By::Handler, "", &period), None);
        assert_eq!(bar_drill(&ctx, By::Week, "2026-W48", &period), None);
        assert!(bar_drill(&ctx, By::Party, "developer", &period).is_some());
    }
}
