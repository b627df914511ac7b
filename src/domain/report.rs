//! The desk's figures (issue 17): where it stands now and what a period shows, assembled
//! from the summary's sums by day and group (src/domain/summary.rs) and the few counts that
//! move with the clock alone. Pure: the rules of time (business hours, the reply clock) are
//! the calendar's and the handling's, applied in the summary, never again in SQL. Each
//! figure's written definition is the catalog's `report.def.*` text.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use regex::Regex;
use serde::Serialize;

use crate::domain::complaint::{Channel, Scope};
use crate::domain::handling::Handling;
use crate::domain::schedule::Calendar;
use crate::domain::stage::Stage;
use crate::domain::summary::{self, Cell, Summary, Tally};
use crate::domain::zone::Zone;

/// The figures every report holds, by key, in the order they are listed; each has its
/// definition under `report.def.<key>` in the catalogs.
pub const FIGURES: [&str; 28] = [
    "open",
    "untriaged",
    "triage_overdue",
    "callbacks_due_today",
    "callbacks_overdue",
    "revisits_due_today",
    "revisits_overdue",
    "waiting_on_third_parties",
    "pending_approvals",
    "received",
    "closed",
    "in_scope",
    "out_scope",
    "first_reply_within_sla",
    "first_reply_late",
    "first_reply_sla_pct",
    "close_days_median",
    "close_days_p90",
    "reopened",
    "reopen_rate_pct",
    "revisits_reached",
    "revisits_unreached",
    "revisit_reach_pct",
    "satisfaction_mean",
    "compensation_total",
    "compensated_cases",
    "front_line_settled_pct",
    "escalations",
];

/// Upper bounds (inclusive, in days) of the backlog ageing bands; the last band is open.
pub const AGE_BANDS: [(&str, Option<i64>); 5] = [
    ("0-2", Some(2)),
    ("3-5", Some(5)),
    ("6-10", Some(10)),
    ("11-30", Some(30)),
    ("31+", None),
];

/// The approver level of compensation within the planner's own limit.
pub const FRONT_LINE: &str = "front_line";

/// A period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First instant in it.
    pub from: DateTime<Utc>,
    /// First instant after it.
    pub to: DateTime<Utc>,
}

impl Period {
    /// Whether `t` falls in the period.
    pub fn holds(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.to
    }
}

/// What a breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Category key.
    Category,
    /// Severity key.
    Severity,
    /// Channel.
    Channel,
    /// Handler (承办人).
    Handler,
    /// The building the location names (the configured patterns).
    Building,
    /// Site.
    Site,
    /// Responsible party.
    Party,
    /// Local day.
    Day,
    /// ISO week (`2026-W48`).
    Week,
    /// Month (`2026-11`).
    Month,
}

impl By {
    /// Every grouping, as spelled on the command line.
    pub const ALL: [By; 10] = [
        By::Category,
        By::Severity,
        By::Channel,
        By::Handler,
        By::Building,
        By::Site,
        By::Party,
        By::Day,
        By::Week,
        By::Month,
    ];

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Category => "category",
            By::Severity => "severity",
            By::Channel => "channel",
            By::Handler => "handler",
            By::Building => "building",
            By::Site => "site",
            By::Party => "party",
            By::Day => "day",
            By::Week => "week",
            By::Month => "month",
        }
    }

    /// Whether rows are periods of time (each event counted in the bucket of its own time).
    pub fn is_time(self) -> bool {
        matches!(self, By::Day | By::Week | By::Month)
    }

    /// The summary's dimension of this grouping, when it has its own (site and periods of
    /// time group the whole desk's cells).
    pub fn dim(self) -> Option<&'static str> {
        summary::GROUPS.contains(&self).then(|| self.as_str())
    }
}

/// What the summary reads of one complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    /// Its number.
    pub number: String,
    /// When it came in.
    pub received_at: DateTime<Utc>,
    /// When it was closed, if it is.
    pub closed_at: Option<DateTime<Utc>>,
    /// Channel.
    pub channel: Channel,
    /// Category key.
    pub category: String,
    /// Severity key, once classified.
    pub severity: Option<String>,
    /// Handler.
    pub handler: Option<String>,
    /// Site.
    pub site: Option<String>,
    /// Responsible party.
    pub party: Option<String>,
    /// Scope, once classified.
    pub scope: Option<Scope>,
    /// Location as typed.
    pub location: String,
    /// Stage.
    pub stage: Stage,
    /// The handling record (plan, compensation, approval, pause).
    pub handling: Handling,
    /// The first-reply call: its due time (moved on by paused business time) and when it
    /// was settled.
    pub first_reply: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

/// The kinds of event the figures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The case reopened (`reopened`).
    Reopened,
    /// Severity escalated (`escalated`).
    Escalated,
    /// A revisit attempt (`revisited`): reached with a satisfaction, or not reached.
    Revisited {
        /// Satisfaction 1–5 when reached.
        satisfaction: Option<u8>,
    },
}

impl EventKind {
    /// The event kinds of the timeline the report reads.
    pub const KINDS: [&'static str; 3] = ["reopened", "escalated", "revisited"];

    /// The kind of a timeline event `kind` with `detail`, if the report counts it.
    pub fn of(kind: &str, detail: &serde_json::Value) -> Option<EventKind> {
        match kind {
            "reopened" => Some(EventKind::Reopened),
            "escalated" => Some(EventKind::Escalated),
            "revisited" => Some(EventKind::Revisited {
                satisfaction: detail
                    .get("satisfaction")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|s| u8::try_from(s).ok())
                    .filter(|s| (1..=5).contains(s)),
            }),
            _ => None,
        }
    }
}

/// The figures of "now" that are counted live, not summed: each moves with the clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NowCounts {
    /// Untriaged complaints received by the triage deadline.
    pub triage_overdue: u64,
    /// Open callbacks due later today.
    pub callbacks_due_today: u64,
    /// Open callbacks past due.
    pub callbacks_overdue: u64,
    /// Open revisits due later today.
    pub revisits_due_today: u64,
    /// Open revisits past due.
    pub revisits_overdue: u64,
}

/// What the report is assembled from: the summary's cells, read for a period and a
/// breakdown ([`Sums::dims`]).
#[derive(Debug, Clone, Default)]
pub struct Sums {
    /// The cells of the period's days: the dimensions [`Sums::dims`] names.
    pub period: Vec<(Cell, Tally)>,
    /// The cells holding anything open, of any day: dimension [`summary::ALL`] and the
    /// breakdown's.
    pub open: Vec<(Cell, Tally)>,
    /// The summaries whose running first reply fell due before now (late since).
    pub late: Vec<Summary>,
}

impl Sums {
    /// The dimensions of the period's cells a report by `by` reads.
    pub fn dims(by: Option<By>) -> Vec<&'static str> {
        let mut dims = vec![
            summary::ALL,
            By::Party.as_str(),
            summary::CLOSE_DAYS,
            summary::REVISIT,
            summary::GRANT,
        ];
        if let Some(d) = by.and_then(By::dim)
            && !dims.contains(&d)
        {
            dims.push(d);
        }
        dims
    }
}

/// What the report needs besides the sums.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The period: whole local days.
    pub period: Period,
    /// Now.
    pub now: DateTime<Utc>,
    /// The desk's zone.
    pub zone: Zone,
    /// The role of an agent (the level of an approver), by name.
    pub role_of: &'a dyn Fn(&str) -> Option<String>,
}

impl Context<'_> {
    /// The period's days as day numbers, `[first, end)`.
    pub fn days(&self) -> (i64, i64) {
        (
            summary::day_number(self.zone.day(self.period.from)),
            summary::day_number(self.zone.day(self.period.to)),
        )
    }
}

/// One row of a breakdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Row {
    /// The group (a key, a building, a period; empty: none).
    pub key: String,
    /// Received in the period.
    pub received: u64,
    /// Closed in the period.
    pub closed: u64,
    /// Open now (not for rows of time).
    pub open: u64,
    /// Of those received, in scope.
    pub in_scope: u64,
    /// Of those received, out of scope.
    pub out_scope: u64,
    /// First replies on time.
    pub first_reply_within_sla: u64,
    /// First replies late.
    pub first_reply_late: u64,
    /// Reopened in the period.
    pub reopened: u64,
    /// Escalated in the period.
    pub escalations: u64,
}

/// A repeat complainant: two or more complaints received in the period from one phone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repeat {
    /// Their phone, masked.
    pub phone: String,
    /// Their complaints' numbers, oldest first.
    pub numbers: Vec<String>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Each figure by key ([`FIGURES`]); `None` where it has nothing to count (a rate of
    /// nothing, a median of no case).
    pub figures: BTreeMap<&'static str, Option<f64>>,
    /// In scope and out of scope by responsible party (received in the period).
    pub by_party: BTreeMap<String, u64>,
    /// Satisfaction scores 1–5: how many of each.
    pub satisfaction: [u64; 5],
    /// Compensation granted by approver level ([`FRONT_LINE`] or the approver's role).
    pub compensation_by_level: BTreeMap<String, u64>,
    /// Repeat complainants.
    pub repeat_complainants: Vec<Repeat>,
    /// Open cases by age band ([`AGE_BANDS`]).
    pub ageing: Vec<(&'static str, u64)>,
    /// Received and closed per period of time (`trend_by`).
    pub trend: Vec<Row>,
    /// What the trend is grouped by (day, week or month).
    pub trend_by: &'static str,
    /// The breakdown asked for.
    pub rows: Vec<Row>,
}

/// The building `location` names by the first of `patterns` that matches it (its first
/// capture group, or the whole match), or an empty string.
pub fn building(location: &str, patterns: &[Regex]) -> String {
    patterns
        .iter()
        .find_map(|re| {
            re.captures(location).map(|c| {
                c.get(1)
                    .or_else(|| c.get(0))
                    .map_or("", |m| m.as_str())
                    .to_string()
            })
        })
        .unwrap_or_default()
}

/// The time grouping of a trend over `period`: days up to 62 days, weeks up to a year,
/// months beyond.
pub fn trend_grouping(period: Period) -> By {
    let days = (period.to - period.from).num_days();
    if days <= 62 {
        By::Day
    } else if days <= 366 {
        By::Week
    } else {
        By::Month
    }
}

/// The key of the period of time holding day `d`.
fn time_key(by: By, d: NaiveDate) -> String {
    match by {
        By::Week => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        By::Month => format!("{}-{:02}", d.year(), d.month()),
        _ => d.format("%Y-%m-%d").to_string(),
    }
}

/// Working days from the day after `from` through the day of `to` (closed the day it came
/// in: 0), in the calendar's zone.
pub fn business_days(
    cal: &Calendar<'_>,
    zone: Zone,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> u64 {
    let (first, last) = (zone.day(from), zone.day(to));
    first
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= last)
        .filter(|d| cal.is_workday(*d))
        .count() as u64
}

/// Whether a first reply due at `due`, settled at `done`, was on time (`Some(true)`), late
/// (`Some(false)`), or not decided yet: still open, not yet due or paused.
pub fn first_reply_on_time(
    due: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
    paused: bool,
    now: DateTime<Utc>,
) -> Option<bool> {
    match done {
        Some(done) => Some(done <= due),
        None if due < now && !paused => Some(false),
        None => None,
    }
}

/// The nearest-rank percentile `p` (0–100) of the values counted in `hist`.
fn percentile(hist: &BTreeMap<u64, u64>, p: u64) -> Option<f64> {
    let n: u64 = hist.values().sum();
    if n == 0 {
        return None;
    }
    let rank = (p * n).div_ceil(100).max(1);
    nth(hist, rank).map(|v| v as f64)
}

/// The `rank`-th smallest value (from 1) counted in `hist`.
fn nth(hist: &BTreeMap<u64, u64>, rank: u64) -> Option<u64> {
    let mut seen = 0;
    hist.iter().find_map(|(v, n)| {
        seen += n;
        (seen >= rank).then_some(*v)
    })
}

/// The median of the values counted in `hist` (the mean of the two middle ones for an
/// even count).
fn median(hist: &BTreeMap<u64, u64>) -> Option<f64> {
    let n: u64 = hist.values().sum();
    match n {
        0 => None,
        _ if n % 2 == 1 => nth(hist, n / 2 + 1).map(|v| v as f64),
        _ => Some((nth(hist, n / 2)? + nth(hist, n / 2 + 1)?) as f64 / 2.0),
    }
}

/// Sets figure `k` to the count `n`.
fn put(f: &mut BTreeMap<&'static str, Option<f64>>, k: &'static str, n: u64) {
    f.insert(k, Some(n as f64));
}

/// A sum as a count (never below zero).
fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The row of `key`, made empty if it is not there yet.
fn row_of(rows: &mut BTreeMap<String, Row>, key: String) -> &mut Row {
    rows.entry(key.clone()).or_insert_with(|| Row {
        key,
        ..Row::default()
    })
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64) * 100.0 / whole as f64)
}

/// The total of the cells of dimension `dim`.
fn total<'c>(cells: impl IntoIterator<Item = &'c (Cell, Tally)>, dim: &str) -> Tally {
    let mut t = Tally::default();
    for (c, v) in cells {
        if c.dim == dim {
            t += *v;
        }
    }
    t
}

/// The report of `sums`, the live `now` counts and the `repeats` under `ctx`, its
/// breakdown by `by`.
pub fn assemble(
    sums: &Sums,
    now: &NowCounts,
    repeat_complainants: Vec<Repeat>,
    by: Option<By>,
    ctx: &Context<'_>,
) -> Report {
    let (first, end) = ctx.days();
    let in_period = |day: i64| first <= day && day < end;
    let mut f: BTreeMap<&'static str, Option<f64>> = FIGURES.iter().map(|k| (*k, None)).collect();
    let open = total(&sums.open, summary::ALL);
    put(&mut f, "open", count(open.open));
    put(&mut f, "untriaged", count(open.untriaged));
    put(&mut f, "triage_overdue", now.triage_overdue);
    put(&mut f, "callbacks_due_today", now.callbacks_due_today);
    put(&mut f, "callbacks_overdue", now.callbacks_overdue);
    put(&mut f, "revisits_due_today", now.revisits_due_today);
    put(&mut f, "revisits_overdue", now.revisits_overdue);
    put(&mut f, "waiting_on_third_parties", count(open.waiting));
    put(&mut f, "pending_approvals", count(open.pending));
    let all = total(&sums.period, summary::ALL);
    let late_now: Vec<&Summary> = sums
        .late
        .iter()
        .filter(|s| {
            in_period(s.received) && s.first_reply_due.is_some_and(|d| d < ctx.now.timestamp())
        })
        .collect();
    put(&mut f, "received", count(all.received));
    put(&mut f, "closed", count(all.closed));
    put(&mut f, "in_scope", count(all.in_scope));
    put(&mut f, "out_scope", count(all.out_scope));
    let met = count(all.first_reply_met);
    let late = count(all.first_reply_late) + late_now.len() as u64;
    put(&mut f, "first_reply_within_sla", met);
    put(&mut f, "first_reply_late", late);
    f.insert("first_reply_sla_pct", pct(met, met + late));
    let mut days: BTreeMap<u64, u64> = BTreeMap::new();
    for (c, t) in sums
        .period
        .iter()
        .filter(|(c, _)| c.dim == summary::CLOSE_DAYS)
    {
        if let Ok(d) = c.key.parse::<u64>() {
            *days.entry(d).or_default() += count(t.n);
        }
    }
    f.insert("close_days_median", median(&days));
    f.insert("close_days_p90", percentile(&days, 90));
    let reopened = count(all.reopened);
    put(&mut f, "reopened", reopened);
    f.insert("reopen_rate_pct", pct(reopened, count(all.closed)));
    let mut satisfaction = [0u64; 5];
    let (mut reached, mut unreached) = (0, 0);
    for (c, t) in sums
        .period
        .iter()
        .filter(|(c, _)| c.dim == summary::REVISIT)
    {
        match c.key.parse::<usize>() {
            Ok(s @ 1..=5) => {
                reached += count(t.n);
                satisfaction[s - 1] += count(t.n);
            }
            _ => unreached += count(t.n),
        }
    }
    put(&mut f, "revisits_reached", reached);
    put(&mut f, "revisits_unreached", unreached);
    f.insert("revisit_reach_pct", pct(reached, reached + unreached));
    let scored: u64 = satisfaction.iter().sum();
    let points: u64 = satisfaction.iter().zip(1u64..).map(|(n, s)| n * s).sum();
    f.insert(
        "satisfaction_mean",
        (scored > 0).then(|| points as f64 / scored as f64),
    );
    let mut compensation_by_level: BTreeMap<String, u64> = BTreeMap::new();
    let (mut cases, mut front_line, mut amount) = (0, 0, 0);
    for (c, t) in sums.period.iter().filter(|(c, _)| c.dim == summary::GRANT) {
        let level = if c.key == FRONT_LINE {
            FRONT_LINE.to_string()
        } else {
            (ctx.role_of)(&c.key).unwrap_or_else(|| c.key.clone())
        };
        *compensation_by_level.entry(level).or_insert(0) += count(t.amount);
        cases += count(t.n);
        amount += count(t.amount);
        if c.key == FRONT_LINE {
            front_line += count(t.n);
        }
    }
    compensation_by_level.retain(|_, v| *v > 0);
    put(&mut f, "compensation_total", amount);
    put(&mut f, "compensated_cases", cases);
    f.insert("front_line_settled_pct", pct(front_line, cases));
    put(&mut f, "escalations", count(all.escalations));
    let mut by_party = BTreeMap::new();
    for (c, t) in sums
        .period
        .iter()
        .filter(|(c, _)| c.dim == By::Party.as_str())
    {
        if t.out_scope != 0 {
            *by_party.entry(c.key.clone()).or_insert(0) += count(t.out_scope);
        }
    }
    by_party.retain(|_, v| *v > 0);
    let today = summary::day_number(ctx.zone.day(ctx.now));
    let mut ageing: Vec<(&'static str, u64)> = AGE_BANDS.iter().map(|(k, _)| (*k, 0)).collect();
    for (c, t) in sums.open.iter().filter(|(c, _)| c.dim == summary::ALL) {
        let age = (today - c.day).max(0);
        let band = AGE_BANDS
            .iter()
            .position(|(_, top)| top.is_none_or(|t| age <= t))
            .unwrap_or(AGE_BANDS.len() - 1);
        ageing[band].1 += count(t.open);
    }
    let trend_by = trend_grouping(ctx.period);
    Report {
        figures: f,
        by_party,
        satisfaction,
        compensation_by_level,
        repeat_complainants,
        ageing,
        trend: breakdown(sums, &late_now, trend_by, ctx),
        trend_by: trend_by.as_str(),
        rows: by
            .map(|b| breakdown(sums, &late_now, b, ctx))
            .unwrap_or_default(),
    }
}

/// The key of a cell of dimension [`summary::ALL`] in a breakdown by `by` that reads
/// that dimension (site and periods of time), or of the breakdown's own dimension.
fn cell_key(by: By, c: &Cell) -> Option<String> {
    if by.is_time() {
        (c.dim == summary::ALL)
            .then(|| summary::day_of(c.day).map(|d| time_key(by, d)))
            .flatten()
    } else if by == By::Site {
        (c.dim == summary::ALL).then(|| c.site.clone())
    } else {
        (Some(c.dim) == by.dim()).then(|| c.key.clone())
    }
}

/// The key of a complaint's summary in a breakdown by `by`.
fn summary_key(by: By, s: &Summary) -> Option<String> {
    if by.is_time() {
        summary::day_of(s.received).map(|d| time_key(by, d))
    } else if by == By::Site {
        Some(s.site.clone())
    } else {
        summary::GROUPS
            .iter()
            .position(|g| *g == by)
            .map(|i| s.keys[i].clone())
    }
}

/// The rows of a breakdown by `by`: every figure of a [`Row`] per group, groups in key
/// order (a breakdown of time lists every period, empty ones too; its `open` counts the
/// cases received in that period and open now).
fn breakdown(sums: &Sums, late: &[&Summary], by: By, ctx: &Context<'_>) -> Vec<Row> {
    let (first, end) = ctx.days();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    if by.is_time() {
        for day in first..end {
            if let Some(d) = summary::day_of(day) {
                row_of(&mut rows, time_key(by, d));
            }
        }
    }
    for (c, t) in &sums.period {
        let Some(key) = cell_key(by, c) else {
            continue;
        };
        if t.received == 0 && t.closed == 0 && t.reopened == 0 && t.escalations == 0 {
            continue;
        }
        let r = row_of(&mut rows, key);
        r.received += count(t.received);
        r.closed += count(t.closed);
        r.in_scope += count(t.in_scope);
        r.out_scope += count(t.out_scope);
        r.first_reply_within_sla += count(t.first_reply_met);
        r.first_reply_late += count(t.first_reply_late);
        r.reopened += count(t.reopened);
        r.escalations += count(t.escalations);
    }
    for (c, t) in &sums.open {
        if by.is_time() && !(first <= c.day && c.day < end) {
            continue;
        }
        if let Some(key) = cell_key(by, c) {
            row_of(&mut rows, key).open += count(t.open);
        }
    }
    for s in late {
        if let Some(key) = summary_key(by, s) {
            row_of(&mut rows, key).first_reply_late += 1;
        }
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::fixtures::property_management;

    fn date(s: &str) -> DateTime<Utc> {
        let zone = Zone::named("Asia/Shanghai").expect("zone");
        zone.instant(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s))
    }

    #[test]
    fn buildings_are_found_by_the_first_matching_pattern() {
        let policy = property_management();
        let patterns: Vec<Regex> = policy
            .report
            .building_patterns
            .iter()
            .map(|p| Regex::new(p).expect("pattern"))
            .collect();
        assert_eq!(building("7栋1单元602", &patterns), "7");
        assert_eq!(building("12 幢 3 号", &patterns), "12");
        assert_eq!(building("Block 12, Flat 3", &patterns), "12");
        assert_eq!(building("building B, 3F", &patterns), "B");
        assert_eq!(building("小区北门", &patterns), "");
        assert_eq!(building("7栋", &[]), "");
    }

    #[test]
    fn business_days_skip_the_days_off() {
        let policy = property_management();
        let zone = Zone::named("Asia/Shanghai").expect("zone");
        let cal = Calendar::new(&policy.business_hours, zone);
        // Mon–Sat: Saturday to Tuesday is Monday and Tuesday; the same day is none.
        let days = |a, b| business_days(&cal, zone, date(a), date(b));
        assert_eq!(days("2026-11-21 17:00", "2026-11-24 15:00"), 2);
        assert_eq!(days("2026-11-23 09:00", "2026-11-23 17:00"), 0);
        assert_eq!(days("2026-11-23 09:00", "2026-11-30 09:00"), 6);
    }

    #[test]
    fn percentiles_by_nearest_rank_and_the_median_of_an_even_count() {
        let hist = |v: &[u64]| {
            let mut h = BTreeMap::new();
            for x in v {
                *h.entry(*x).or_insert(0) += 1;
            }
            h
        };
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&hist(&v), 90), Some(9.0));
        assert_eq!(percentile(&hist(&v[..1]), 90), Some(1.0));
        assert_eq!(percentile(&hist(&[]), 90), None);
        assert_eq!(median(&hist(&v)), Some(5.5));
        assert_eq!(median(&hist(&v[..3])), Some(2.0));
        assert_eq!(median(&hist(&[2, 2, 2, 9])), Some(2.0));
        assert_eq!(
            percentile(&hist(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 7]), 90),
            Some(0.0)
        );
    }

    #[test]
    fn a_first_reply_is_late_only_when_due_open_and_not_paused() {
        let due = date("2026-11-23 13:30");
        let now = date("2026-11-30 12:00");
        assert_eq!(first_reply_on_time(due, Some(due), false, now), Some(true));
        let after = date("2026-11-23 13:31");
        assert_eq!(
            first_reply_on_time(due, Some(after), false, now),
            Some(false)
        );
        assert_eq!(first_reply_on_time(due, None, false, now), Some(false));
        assert_eq!(first_reply_on_time(due, None, true, now), None, "paused");
        assert_eq!(
            first_reply_on_time(now, None, false, due),
            None,
            "not yet due"
        );
    }

    #[test]
    fn trends_group_by_day_week_or_month_with_the_period() {
        let from = date("2026-01-01 00:00");
        let p = |days| Period {
            from,
            to: from + chrono::Duration::days(days),
        };
        assert_eq!(trend_grouping(p(30)), By::Day);
        assert_eq!(trend_grouping(p(90)), By::Week);
        assert_eq!(trend_grouping(p(400)), By::Month);
        let zone = Zone::named("Asia/Shanghai").expect("zone");
        assert_eq!(
            time_key(By::Week, zone.day(date("2026-11-30 12:00"))),
            "2026-W49"
        );
        assert_eq!(
            time_key(By::Month, zone.day(date("2026-12-01 00:30"))),
            "2026-12"
        );
    }
}
