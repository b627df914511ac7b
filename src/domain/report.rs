//! The desk's figures (issue 17): where it stands now and what a period shows, computed from
//! what the store reads of each complaint alive in the period ([`CaseFacts`]) and the
//! timeline's events in it ([`PeriodEvent`]). Pure: the rules of time (business hours, the
//! reply clock) are the calendar's and the handling's, applied here, never again in SQL.
//! Each figure's written definition is the catalog's `report.def.*` text.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use regex::Regex;
use serde::Serialize;

use crate::domain::complaint::{Channel, Scope};
use crate::domain::handling::{Approval, Handling};
use crate::domain::schedule::Calendar;
use crate::domain::stage::Stage;
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
}

/// What the report reads of one complaint alive in the period (received before its end,
/// not closed before its start) or open now.
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
    /// Phone, digits only.
    pub phone_norm: String,
    /// Phone as lists show it (masked).
    pub phone_masked: String,
    /// Stage.
    pub stage: Stage,
    /// The handling record (plan, compensation, approval, pause).
    pub handling: Handling,
    /// The first-reply call: its due time (moved on by paused business time) and when it
    /// was settled.
    pub first_reply: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// Open callbacks past due now.
    pub callbacks_overdue: i64,
    /// Open callbacks due later today.
    pub callbacks_due_today: i64,
    /// Open revisits past due now.
    pub revisits_overdue: i64,
    /// Open revisits due later today.
    pub revisits_due_today: i64,
}

/// An event of the timeline in the period that a figure counts.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodEvent {
    /// The complaint's number (one of the [`CaseFacts`]).
    pub number: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
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

/// What the report needs besides the facts.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The period.
    pub period: Period,
    /// Now.
    pub now: DateTime<Utc>,
    /// The business calendar.
    pub calendar: &'a Calendar<'a>,
    /// The desk's zone.
    pub zone: Zone,
    /// An untriaged complaint received at or before this is overdue for triage (the
    /// status line's rule).
    pub triage_late_by: DateTime<Utc>,
    /// The configured building patterns, each with one capture group.
    pub buildings: &'a [Regex],
    /// The role of an agent (the level of an approver), by name.
    pub role_of: &'a dyn Fn(&str) -> Option<String>,
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

/// The key of the period of time holding `t`.
fn time_key(by: By, t: DateTime<Utc>, zone: Zone) -> String {
    let d = zone.day(t);
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

/// The compensation a case granted and its approver level, if it granted any.
fn granted(h: &Handling, role_of: &dyn Fn(&str) -> Option<String>) -> Option<(u32, String)> {
    let plan = h.plan.as_ref()?;
    let amount = plan.compensation.filter(|a| *a > 0)?;
    let level = match &plan.approval {
        Approval::NotNeeded => FRONT_LINE.to_string(),
        Approval::Approved { by } => role_of(by).unwrap_or_else(|| by.clone()),
        Approval::Pending | Approval::Declined { .. } => return None,
    };
    Some((amount, level))
}

/// The nearest-rank percentile `p` (0–100) of sorted `values`.
fn percentile(sorted: &[u64], p: u64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get((rank - 1) as usize).map(|v| *v as f64)
}

/// The median of sorted `values` (the mean of the two middle ones for an even count).
fn median(sorted: &[u64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// Sets figure `k` to the count `n`.
fn put(f: &mut BTreeMap<&'static str, Option<f64>>, k: &'static str, n: u64) {
    f.insert(k, Some(n as f64));
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

/// The key of `c` in a breakdown by `by` (not a grouping of time).
fn group_key(by: By, c: &CaseFacts, ctx: &Context<'_>) -> String {
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    match by {
        By::Category => c.category.clone(),
        By::Severity => text(&c.severity),
        By::Channel => c.channel.as_str().to_string(),
        By::Handler => text(&c.handler),
        By::Building => building(&c.location, ctx.buildings),
        By::Site => text(&c.site),
        By::Party => text(&c.party),
        By::Day | By::Week | By::Month => time_key(by, c.received_at, ctx.zone),
    }
}

/// The report of `cases` and `events` under `ctx`, its breakdown by `by`.
pub fn compute(
    cases: &[CaseFacts],
    events: &[PeriodEvent],
    by: Option<By>,
    ctx: &Context<'_>,
) -> Report {
    let period = ctx.period;
    let mut f: BTreeMap<&'static str, Option<f64>> = FIGURES.iter().map(|k| (*k, None)).collect();
    let open: Vec<&CaseFacts> = cases.iter().filter(|c| c.closed_at.is_none()).collect();
    let received: Vec<&CaseFacts> = cases
        .iter()
        .filter(|c| period.holds(c.received_at))
        .collect();
    let closed: Vec<&CaseFacts> = cases
        .iter()
        .filter(|c| c.closed_at.is_some_and(|t| period.holds(t)))
        .collect();
    let sum = |g: &dyn Fn(&CaseFacts) -> i64| open.iter().map(|c| g(c).max(0) as u64).sum::<u64>();
    put(&mut f, "open", open.len() as u64);
    put(
        &mut f,
        "untriaged",
        open.iter().filter(|c| c.scope.is_none()).count() as u64,
    );
    put(
        &mut f,
        "triage_overdue",
        open.iter()
            .filter(|c| c.scope.is_none() && c.received_at <= ctx.triage_late_by)
            .count() as u64,
    );
    put(
        &mut f,
        "callbacks_due_today",
        sum(&|c| c.callbacks_due_today),
    );
    put(&mut f, "callbacks_overdue", sum(&|c| c.callbacks_overdue));
    put(&mut f, "revisits_due_today", sum(&|c| c.revisits_due_today));
    put(&mut f, "revisits_overdue", sum(&|c| c.revisits_overdue));
    put(
        &mut f,
        "waiting_on_third_parties",
        open.iter()
            .filter(|c| matches!(c.stage, Stage::WaitingOnParty | Stage::Referred))
            .count() as u64,
    );
    put(
        &mut f,
        "pending_approvals",
        open.iter()
            .filter(|c| {
                c.handling
                    .plan
                    .as_ref()
                    .is_some_and(|p| p.approval == Approval::Pending)
            })
            .count() as u64,
    );
    put(&mut f, "received", received.len() as u64);
    put(&mut f, "closed", closed.len() as u64);
    put(
        &mut f,
        "in_scope",
        received
            .iter()
            .filter(|c| c.scope == Some(Scope::In))
            .count() as u64,
    );
    put(
        &mut f,
        "out_scope",
        received
            .iter()
            .filter(|c| c.scope == Some(Scope::Out))
            .count() as u64,
    );
    let on_time = |c: &CaseFacts| {
        c.first_reply.and_then(|(due, done)| {
            first_reply_on_time(due, done, c.handling.paused_since.is_some(), ctx.now)
        })
    };
    let met = received.iter().filter(|c| on_time(c) == Some(true)).count() as u64;
    let late = received
        .iter()
        .filter(|c| on_time(c) == Some(false))
        .count() as u64;
    put(&mut f, "first_reply_within_sla", met);
    put(&mut f, "first_reply_late", late);
    f.insert("first_reply_sla_pct", pct(met, met + late));
    let mut days: Vec<u64> = closed
        .iter()
        .filter_map(|c| {
            c.closed_at
                .map(|t| business_days(ctx.calendar, ctx.zone, c.received_at, t))
        })
        .collect();
    days.sort_unstable();
    f.insert("close_days_median", median(&days));
    f.insert("close_days_p90", percentile(&days, 90));
    let reopened: std::collections::BTreeSet<&str> = events
        .iter()
        .filter(|e| e.kind == EventKind::Reopened)
        .map(|e| e.number.as_str())
        .collect();
    put(&mut f, "reopened", reopened.len() as u64);
    f.insert(
        "reopen_rate_pct",
        pct(reopened.len() as u64, closed.len() as u64),
    );
    let mut satisfaction = [0u64; 5];
    let (mut reached, mut unreached) = (0, 0);
    for e in events {
        if let EventKind::Revisited { satisfaction: s } = e.kind {
            match s {
                Some(s) => {
                    reached += 1;
                    satisfaction[usize::from(s - 1)] += 1;
                }
                None => unreached += 1,
            }
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
    let mut compensation_by_level = BTreeMap::new();
    let mut front_line = 0;
    let grants: Vec<(u32, String)> = closed
        .iter()
        .filter_map(|c| granted(&c.handling, ctx.role_of))
        .collect();
    for (amount, level) in &grants {
        *compensation_by_level.entry(level.clone()).or_insert(0) += u64::from(*amount);
        if level == FRONT_LINE {
            front_line += 1;
        }
    }
    put(
        &mut f,
        "compensation_total",
        grants.iter().map(|(a, _)| u64::from(*a)).sum(),
    );
    put(&mut f, "compensated_cases", grants.len() as u64);
    f.insert(
        "front_line_settled_pct",
        pct(front_line, grants.len() as u64),
    );
    put(
        &mut f,
        "escalations",
        events
            .iter()
            .filter(|e| e.kind == EventKind::Escalated)
            .count() as u64,
    );
    let mut by_party = BTreeMap::new();
    for c in received.iter().filter(|c| c.scope == Some(Scope::Out)) {
        *by_party
            .entry(c.party.clone().unwrap_or_default())
            .or_insert(0) += 1;
    }
    let mut phones: BTreeMap<&str, Vec<&CaseFacts>> = BTreeMap::new();
    for c in received.iter().filter(|c| !c.phone_norm.is_empty()) {
        phones.entry(c.phone_norm.as_str()).or_default().push(c);
    }
    let mut repeat_complainants: Vec<Repeat> = phones
        .into_values()
        .filter(|cs| cs.len() >= 2)
        .map(|mut cs| {
            cs.sort_by_key(|c| (c.received_at, c.number.clone()));
            Repeat {
                phone: cs[0].phone_masked.clone(),
                numbers: cs.iter().map(|c| c.number.clone()).collect(),
            }
        })
        .collect();
    repeat_complainants.sort_by(|a, b| {
        b.numbers
            .len()
            .cmp(&a.numbers.len())
            .then(a.numbers.cmp(&b.numbers))
    });
    let today = ctx.zone.day(ctx.now);
    let mut ageing: Vec<(&'static str, u64)> = AGE_BANDS.iter().map(|(k, _)| (*k, 0)).collect();
    for c in &open {
        let age = (today - ctx.zone.day(c.received_at)).num_days().max(0);
        let band = AGE_BANDS
            .iter()
            .position(|(_, top)| top.is_none_or(|t| age <= t))
            .unwrap_or(AGE_BANDS.len() - 1);
        ageing[band].1 += 1;
    }
    let trend_by = trend_grouping(period);
    Report {
        figures: f,
        by_party,
        satisfaction,
        compensation_by_level,
        repeat_complainants,
        ageing,
        trend: breakdown(cases, events, trend_by, ctx),
        trend_by: trend_by.as_str(),
        rows: by
            .map(|b| breakdown(cases, events, b, ctx))
            .unwrap_or_default(),
    }
}

/// The rows of a breakdown by `by`: every figure of a [`Row`] per group, groups in key
/// order (a breakdown of time lists every period, empty ones too).
pub fn breakdown(
    cases: &[CaseFacts],
    events: &[PeriodEvent],
    by: By,
    ctx: &Context<'_>,
) -> Vec<Row> {
    let period = ctx.period;
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    if by.is_time() {
        let last = period.to - Duration::seconds(1);
        let mut day: NaiveDate = ctx.zone.day(period.from);
        while day <= ctx.zone.day(last) {
            let key = time_key(by, ctx.zone.start_of(day), ctx.zone);
            rows.entry(key.clone()).or_insert_with(|| Row {
                key,
                ..Row::default()
            });
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
    }
    let by_number: BTreeMap<&str, &CaseFacts> =
        cases.iter().map(|c| (c.number.as_str(), c)).collect();
    let key_at = |c: &CaseFacts, t: DateTime<Utc>| {
        if by.is_time() {
            time_key(by, t, ctx.zone)
        } else {
            group_key(by, c, ctx)
        }
    };
    for c in cases {
        if period.holds(c.received_at) {
            let r = row_of(&mut rows, key_at(c, c.received_at));
            r.received += 1;
            match c.scope {
                Some(Scope::In) => r.in_scope += 1,
                Some(Scope::Out) => r.out_scope += 1,
                None => {}
            }
            let paused = c.handling.paused_since.is_some();
            match c
                .first_reply
                .and_then(|(due, done)| first_reply_on_time(due, done, paused, ctx.now))
            {
                Some(true) => r.first_reply_within_sla += 1,
                Some(false) => r.first_reply_late += 1,
                None => {}
            }
        }
        if let Some(t) = c.closed_at.filter(|t| period.holds(*t)) {
            row_of(&mut rows, key_at(c, t)).closed += 1;
        }
        if c.closed_at.is_none() && !by.is_time() {
            row_of(&mut rows, group_key(by, c, ctx)).open += 1;
        }
    }
    let mut reopened = std::collections::BTreeSet::new();
    for e in events {
        let Some(c) = by_number.get(e.number.as_str()) else {
            continue;
        };
        match e.kind {
            EventKind::Reopened if reopened.insert((e.number.as_str(), key_at(c, e.at))) => {
                row_of(&mut rows, key_at(c, e.at)).reopened += 1;
            }
            EventKind::Escalated => row_of(&mut rows, key_at(c, e.at)).escalations += 1,
            _ => {}
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
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 90), Some(9.0));
        assert_eq!(percentile(&v[..1], 90), Some(1.0));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(median(&v), Some(5.5));
        assert_eq!(median(&v[..3]), Some(2.0));
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
            to: from + Duration::days(days),
        };
        assert_eq!(trend_grouping(p(30)), By::Day);
        assert_eq!(trend_grouping(p(90)), By::Week);
        assert_eq!(trend_grouping(p(400)), By::Month);
        let zone = Zone::named("Asia/Shanghai").expect("zone");
        assert_eq!(
            time_key(By::Week, date("2026-11-30 12:00"), zone),
            "2026-W49"
        );
        assert_eq!(
            time_key(By::Month, date("2026-12-01 00:30"), zone),
            "2026-12"
        );
    }
}
