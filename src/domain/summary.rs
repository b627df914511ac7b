//! The report's summary (issue 17): what each complaint adds to the figures, by local day,
//! site and group, so that a report over a year sums a few thousand rows instead of reading
//! every complaint. The store keeps each complaint's [`Summary`] beside the sums and, in the
//! transaction of every write, puts back the difference between its old and new
//! [`contributions`]; a rebuild adds every complaint's from nothing. Both run this code, so
//! the maintained and the rebuilt sums can only differ if a write went unseen.

use std::collections::BTreeMap;
use std::ops::{AddAssign, Neg};

use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::complaint::Scope;
use crate::domain::handling::Approval;
use crate::domain::policy::BusinessHours;
use crate::domain::report::{By, CaseFacts, EventKind, FRONT_LINE, building, business_days};
use crate::domain::schedule::Calendar;
use crate::domain::stage::Stage;
use crate::domain::zone::Zone;

/// The groupings a complaint's summary carries a key for, in the order of [`Summary::keys`].
pub const GROUPS: [By; 6] = [
    By::Category,
    By::Severity,
    By::Channel,
    By::Handler,
    By::Building,
    By::Party,
];

/// The dimension named `name`, if the sums have it.
pub fn dim_named(name: &str) -> Option<&'static str> {
    [ALL, CLOSE_DAYS, REVISIT, GRANT]
        .into_iter()
        .chain(GROUPS.iter().map(|g| g.as_str()))
        .find(|d| *d == name)
}

/// The sums' dimension of the whole desk (every complaint under the key `""`).
pub const ALL: &str = "";
/// Closed cases by business days to close (the key), for the median and percentile.
pub const CLOSE_DAYS: &str = "close_days";
/// Revisit attempts by satisfaction (`1`..`5`; `""`: not reached), on the attempt's day.
pub const REVISIT: &str = "revisit";
/// Compensation granted by approver ([`FRONT_LINE`] or the approver's name), on the day
/// the case closed.
pub const GRANT: &str = "grant";

/// What the summary is built with: the desk's zone (local days), business calendar (days
/// to close) and building patterns, and a fingerprint of the three. Sums built under one
/// basis are wrong under another: the store keeps the fingerprint they were built with.
#[derive(Debug, Clone)]
pub struct Basis {
    /// The desk's zone.
    pub zone: Zone,
    /// Opening hours and holidays.
    pub hours: BusinessHours,
    /// The building patterns.
    pub buildings: Vec<Regex>,
    /// Hex digest of the zone, the hours and the patterns.
    pub fingerprint: String,
}

impl Basis {
    /// The basis of a desk in `zone` with `hours` and the building `patterns` (already
    /// checked as regular expressions).
    pub fn new(zone: Zone, hours: BusinessHours, buildings: Vec<Regex>) -> Basis {
        let patterns: Vec<&str> = buildings.iter().map(Regex::as_str).collect();
        let described = serde_json::json!({
            "zone": zone.name(),
            "hours": &hours,
            "buildings": patterns,
        });
        let digest = Sha256::digest(described.to_string().as_bytes());
        let fingerprint = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        Basis {
            zone,
            hours,
            buildings,
            fingerprint,
        }
    }

    /// The local day holding `t`, as a day number.
    pub fn day(&self, t: DateTime<Utc>) -> i64 {
        day_number(self.zone.day(t))
    }
}

/// A day as the summary numbers it (days from the Common Era).
pub fn day_number(d: NaiveDate) -> i64 {
    i64::from(chrono::Datelike::num_days_from_ce(&d))
}

/// The day of a day number, if it is one.
pub fn day_of(n: i64) -> Option<NaiveDate> {
    i32::try_from(n)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// A timeline event the figures count, on its local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    /// Reopened.
    Reopened,
    /// Escalated.
    Escalated,
    /// A revisit attempt: satisfaction 1–5 when reached.
    Revisited(Option<u8>),
}

/// What one complaint adds to the sums, as of its last write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Site (`""`: none).
    #[serde(rename = "s")]
    pub site: String,
    /// Day received.
    #[serde(rename = "r")]
    pub received: i64,
    /// Day closed.
    #[serde(rename = "c", default)]
    pub closed: Option<i64>,
    /// Its key in each of [`GROUPS`].
    #[serde(rename = "k")]
    pub keys: [String; 6],
    /// Scope once classified.
    #[serde(rename = "sc", default)]
    pub scope: Option<Scope>,
    /// Open, not classified yet.
    #[serde(rename = "u", default)]
    pub untriaged: bool,
    /// Open, waiting on a third party (waiting on the party or referred).
    #[serde(rename = "w", default)]
    pub waiting: bool,
    /// Open, compensation awaiting approval.
    #[serde(rename = "p", default)]
    pub pending: bool,
    /// The first reply, once decided: on time or late.
    #[serde(rename = "f", default)]
    pub first_reply: Option<bool>,
    /// The first reply still open and running (not paused): when it falls due (Unix
    /// seconds). Late from then on: the one figure that moves with the clock alone.
    #[serde(rename = "fd", default)]
    pub first_reply_due: Option<i64>,
    /// Business days from receipt to close.
    #[serde(rename = "bd", default)]
    pub close_days: Option<u64>,
    /// Compensation granted and who approved it ([`FRONT_LINE`]: within the planner's
    /// limit).
    #[serde(rename = "g", default)]
    pub grant: Option<(u32, String)>,
    /// The counted events, by day (a case reopened twice in a day counts once that day).
    #[serde(rename = "e", default)]
    pub marks: Vec<(i64, Mark)>,
    /// Merged into another case: absorbed (received, neither open nor closed).
    #[serde(rename = "m", default, skip_serializing_if = "std::ops::Not::not")]
    pub absorbed: bool,
}

/// The sums of one cell (day, site, dimension, key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Received that day.
    pub received: i64,
    /// Closed that day.
    pub closed: i64,
    /// Received that day and open now.
    pub open: i64,
    /// Received that day, open and not classified.
    pub untriaged: i64,
    /// Received that day, open and waiting on a third party.
    pub waiting: i64,
    /// Received that day, open with compensation awaiting approval.
    pub pending: i64,
    /// Received that day, in scope.
    pub in_scope: i64,
    /// Received that day, out of scope.
    pub out_scope: i64,
    /// Received that day, first reply on time.
    pub first_reply_met: i64,
    /// Received that day, first reply settled late.
    pub first_reply_late: i64,
    /// Reopened that day.
    pub reopened: i64,
    /// Escalated that day.
    pub escalations: i64,
    /// The special dimensions' count ([`CLOSE_DAYS`], [`REVISIT`], [`GRANT`]).
    pub n: i64,
    /// Compensation granted ([`GRANT`]).
    pub amount: i64,
}

impl Tally {
    /// Every sum in column order (the store's columns are named [`Tally::COLUMNS`]).
    pub fn values(&self) -> [i64; 14] {
        [
            self.received,
            self.closed,
            self.open,
            self.untriaged,
            self.waiting,
            self.pending,
            self.in_scope,
            self.out_scope,
            self.first_reply_met,
            self.first_reply_late,
            self.reopened,
            self.escalations,
            self.n,
            self.amount,
        ]
    }

    /// The sums in column order.
    pub fn from_values(v: [i64; 14]) -> Tally {
        Tally {
            received: v[0],
            closed: v[1],
            open: v[2],
            untriaged: v[3],
            waiting: v[4],
            pending: v[5],
            in_scope: v[6],
            out_scope: v[7],
            first_reply_met: v[8],
            first_reply_late: v[9],
            reopened: v[10],
            escalations: v[11],
            n: v[12],
            amount: v[13],
        }
    }

    /// The columns that hold the sums, in order.
    pub const COLUMNS: [&'static str; 14] = [
        "received",
        "closed",
        "open",
        "untriaged",
        "waiting",
        "pending",
        "in_scope",
        "out_scope",
        "fr_met",
        "fr_late",
        "reopened",
        "escalations",
        "n",
        "amount",
    ];

    /// Whether every sum is zero.
    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }
}

impl AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        let (a, b) = (self.values(), o.values());
        *self = Tally::from_values(std::array::from_fn(|i| a[i] + b[i]));
    }
}

impl Neg for Tally {
    type Output = Tally;
    fn neg(self) -> Tally {
        Tally::from_values(self.values().map(|v| -v))
    }
}

/// Where a tally is summed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    /// The dimension ([`ALL`], a grouping's name, [`CLOSE_DAYS`], [`REVISIT`], [`GRANT`]).
    pub dim: &'static str,
    /// The day.
    pub day: i64,
    /// The site (`""`: none).
    pub site: String,
    /// The key in the dimension.
    pub key: String,
}

/// The summary of a complaint from its facts and counted events under `basis`.
pub fn summarise(c: &CaseFacts, events: &[(DateTime<Utc>, EventKind)], basis: &Basis) -> Summary {
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    // A case merged into another is absorbed: received, but neither open nor closed, and a
    // reply the merge settled is no reply (neither on time nor late).
    let merged = c.stage == Stage::Merged;
    let closed_at = c.closed_at.filter(|_| !merged);
    let open = c.closed_at.is_none();
    let paused = c.handling.paused_since.is_some();
    let (first_reply, first_reply_due) = match c.first_reply {
        Some((_, Some(done))) if merged && c.closed_at.is_some_and(|m| done >= m) => (None, None),
        Some((_, None)) if merged => (None, None),
        // Decided once settled; open and running, late from its due time on.
        Some((due, Some(done))) => (Some(done <= due), None),
        Some((_, None)) if paused => (None, None),
        Some((due, None)) => (None, Some(due.timestamp())),
        None => (None, None),
    };
    let calendar = Calendar::new(&basis.hours, basis.zone);
    let mut marks: Vec<(i64, Mark)> = events
        .iter()
        .map(|(at, kind)| {
            let mark = match *kind {
                EventKind::Reopened => Mark::Reopened,
                EventKind::Escalated => Mark::Escalated,
                EventKind::Revisited { satisfaction } => Mark::Revisited(satisfaction),
            };
            (basis.day(*at), mark)
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    marks.retain(|(day, m)| *m != Mark::Reopened || seen.insert(*day));
    Summary {
        site: text(&c.site),
        received: basis.day(c.received_at),
        closed: closed_at.map(|t| basis.day(t)),
        keys: [
            c.category.clone(),
            text(&c.severity),
            c.channel.as_str().to_string(),
            text(&c.handler),
            building(&c.location, &basis.buildings),
            text(&c.party),
        ],
        scope: c.scope,
        untriaged: open && c.scope.is_none(),
        waiting: open && matches!(c.stage, Stage::WaitingOnParty | Stage::Referred),
        pending: open
            && c.handling
                .plan
                .as_ref()
                .is_some_and(|p| p.approval == Approval::Pending),
        first_reply,
        first_reply_due,
        close_days: closed_at.map(|t| business_days(&calendar, basis.zone, c.received_at, t)),
        grant: closed_at.and_then(|_| granted(c)),
        marks,
        absorbed: merged,
    }
}

/// The compensation a closed case granted and its approver, if it granted any.
fn granted(c: &CaseFacts) -> Option<(u32, String)> {
    let plan = c.handling.plan.as_ref()?;
    let amount = plan.compensation.filter(|a| *a > 0)?;
    let by = match &plan.approval {
        Approval::NotNeeded => FRONT_LINE.to_string(),
        Approval::Approved { by } => by.clone(),
        Approval::Pending | Approval::Declined { .. } => return None,
    };
    Some((amount, by))
}

/// The tally of a complaint on the day it was received (every grouping's row).
fn on_receipt(s: &Summary) -> Tally {
    let open = s.closed.is_none() && !s.absorbed;
    Tally {
        received: 1,
        open: i64::from(open),
        untriaged: i64::from(s.untriaged),
        waiting: i64::from(s.waiting),
        pending: i64::from(s.pending),
        in_scope: i64::from(s.scope == Some(Scope::In)),
        out_scope: i64::from(s.scope == Some(Scope::Out)),
        first_reply_met: i64::from(s.first_reply == Some(true)),
        first_reply_late: i64::from(s.first_reply == Some(false)),
        ..Tally::default()
    }
}

/// What `s` adds to each cell.
pub fn contributions(s: &Summary) -> Vec<(Cell, Tally)> {
    let mut out = Vec::with_capacity(32);
    let cell = |dim: &'static str, day: i64, key: &str| Cell {
        dim,
        day,
        site: s.site.clone(),
        key: key.to_string(),
    };
    let groups = std::iter::once((ALL, "")).chain(
        GROUPS
            .iter()
            .zip(&s.keys)
            .map(|(by, key)| (by.as_str(), key.as_str())),
    );
    for (dim, key) in groups {
        out.push((cell(dim, s.received, key), on_receipt(s)));
        if let Some(day) = s.closed {
            let closed = Tally {
                closed: 1,
                ..Tally::default()
            };
            out.push((cell(dim, day, key), closed));
        }
        for (day, mark) in &s.marks {
            let t = match mark {
                Mark::Reopened => Tally {
                    reopened: 1,
                    ..Tally::default()
                },
                Mark::Escalated => Tally {
                    escalations: 1,
                    ..Tally::default()
                },
                Mark::Revisited(_) => continue,
            };
            out.push((cell(dim, *day, key), t));
        }
    }
    let one = Tally {
        n: 1,
        ..Tally::default()
    };
    if let (Some(day), Some(days)) = (s.closed, s.close_days) {
        out.push((cell(CLOSE_DAYS, day, &days.to_string()), one));
    }
    for (day, mark) in &s.marks {
        if let Mark::Revisited(sat) = mark {
            let key = sat.map(|v| v.to_string()).unwrap_or_default();
            out.push((cell(REVISIT, *day, &key), one));
        }
    }
    if let (Some(day), Some((amount, by))) = (s.closed, &s.grant) {
        let t = Tally {
            n: 1,
            amount: i64::from(*amount),
            ..Tally::default()
        };
        out.push((cell(GRANT, day, by), t));
    }
    out
}

/// The change from `old` to `new` summaries of some complaints, by cell, zero cells left
/// out, in cell order (so that concurrent writers touch the rows in one order).
pub fn difference<'a>(
    old: impl IntoIterator<Item = &'a Summary>,
    new: impl IntoIterator<Item = &'a Summary>,
) -> Vec<(Cell, Tally)> {
    let mut cells: BTreeMap<Cell, Tally> = BTreeMap::new();
    for s in old {
        for (c, t) in contributions(s) {
            *cells.entry(c).or_default() += -t;
        }
    }
    for s in new {
        for (c, t) in contributions(s) {
            *cells.entry(c).or_default() += t;
        }
    }
    cells.into_iter().filter(|(_, t)| !t.is_zero()).collect()
}
