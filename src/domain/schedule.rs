//! Due times in business hours: the configured weekly hours, public holidays and make-up
//! working days (调休), in the desk's time zone ([`Zone`]). Pure: every instant is an argument. Nothing here panics, whatever
//! it is given: spans saturate, and instants stay between [`earliest`] and [`latest`].

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use crate::domain::policy::{BusinessHours, WeekdayKey};
use crate::domain::zone::Zone;

/// Consecutive days without business time after which a calendar counts as having none
/// (plain time applies).
const MAX_IDLE_DAYS: u32 = 3 * 366;

/// How far inside chrono's range instants are held, so that every local time of them
/// exists in any zone.
const EDGE: TimeDelta = TimeDelta::days(2);

/// The earliest instant worked with.
pub fn earliest() -> DateTime<Utc> {
    DateTime::<Utc>::MIN_UTC
        .checked_add_signed(EDGE)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The latest instant worked with: a due time this far off never falls due.
pub fn latest() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
        .checked_sub_signed(EDGE)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `t` held between [`earliest`] and [`latest`].
fn held(t: DateTime<Utc>) -> DateTime<Utc> {
    t.clamp(earliest(), latest())
}

/// `t` plus `span` of plain time, saturating at [`earliest`] and [`latest`].
pub fn plus(t: DateTime<Utc>, span: TimeDelta) -> DateTime<Utc> {
    match t.checked_add_signed(span) {
        Some(t) => held(t),
        None if span < TimeDelta::zero() => earliest(),
        None => latest(),
    }
}

fn saturating(n: i64, make: fn(i64) -> Option<TimeDelta>) -> TimeDelta {
    make(n).unwrap_or(if n < 0 {
        TimeDelta::MIN
    } else {
        TimeDelta::MAX
    })
}

/// `n` hours, saturating at the longest span there is.
pub fn hours(n: i64) -> TimeDelta {
    saturating(n, TimeDelta::try_hours)
}

/// `n` days, saturating at the longest span there is.
pub fn days(n: i64) -> TimeDelta {
    saturating(n, TimeDelta::try_days)
}

/// `n` minutes, saturating at the longest span there is.
pub fn minutes(n: i64) -> TimeDelta {
    saturating(n, TimeDelta::try_minutes)
}

/// A span in nanoseconds, exactly.
fn nanos(d: TimeDelta) -> i128 {
    i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos())
}

/// The business calendar of a desk in one time zone.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    hours: &'a BusinessHours,
    zone: Zone,
    /// The first and last of the holidays and make-up days: outside them every week is
    /// the same, and is skipped whole.
    listed: Option<(NaiveDate, NaiveDate)>,
    /// Distinct working weekdays.
    weekdays: u32,
    /// Business time of one regular week (none when open is not before close).
    week: TimeDelta,
}

fn weekday_key(d: NaiveDate) -> WeekdayKey {
    match d.weekday() {
        chrono::Weekday::Mon => WeekdayKey::Mon,
        chrono::Weekday::Tue => WeekdayKey::Tue,
        chrono::Weekday::Wed => WeekdayKey::Wed,
        chrono::Weekday::Thu => WeekdayKey::Thu,
        chrono::Weekday::Fri => WeekdayKey::Fri,
        chrono::Weekday::Sat => WeekdayKey::Sat,
        chrono::Weekday::Sun => WeekdayKey::Sun,
    }
}

impl<'a> Calendar<'a> {
    /// The calendar of `hours` in the zone `zone`.
    pub fn new(hours: &'a BusinessHours, zone: Zone) -> Calendar<'a> {
        let listed = hours.holidays.iter().chain(&hours.workdays).fold(
            None,
            |range: Option<(NaiveDate, NaiveDate)>, &d| {
                Some(range.map_or((d, d), |(a, b)| (a.min(d), b.max(d))))
            },
        );
        let weekdays = hours
            .weekdays
            .iter()
            .map(|&d| 1u8 << chrono::Weekday::from(d).num_days_from_monday())
            .fold(0u8, |set, d| set | d)
            .count_ones();
        let day = if hours.open < hours.close {
            hours.close - hours.open
        } else {
            TimeDelta::zero()
        };
        let week = i32::try_from(weekdays)
            .ok()
            .and_then(|n| day.checked_mul(n))
            .unwrap_or(TimeDelta::zero());
        Calendar {
            hours,
            zone,
            listed,
            weekdays,
            week,
        }
    }

    /// Whether `day` has business hours: a make-up working day, or a configured weekday
    /// that is not a holiday.
    pub fn is_workday(&self, day: NaiveDate) -> bool {
        self.hours.workdays.contains(&day)
            || (!self.hours.holidays.contains(&day)
                && self.hours.weekdays.contains(&weekday_key(day)))
    }

    fn at(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.zone.instant(local)
    }

    /// The business window (open, close) of a working day, as instants.
    fn window(&self, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            self.at(day.and_time(self.hours.open)),
            self.at(day.and_time(self.hours.close)),
        )
    }

    /// The local day of `t` (held within range, so it always exists).
    fn local_day(&self, t: DateTime<Utc>) -> NaiveDate {
        self.zone.day(held(t))
    }

    /// Whole weeks from `day` on, at most `max`, clear of the holidays and make-up days.
    fn regular_weeks(&self, day: NaiveDate, max: i64) -> i64 {
        match self.listed {
            None => max,
            Some((_, last)) if day > last => max,
            Some((first, _)) if day < first => max.min((first - day).num_days() / 7),
            Some(_) => 0,
        }
    }

    /// `day` plus `weeks` whole weeks, if that is a date.
    fn weeks_after(day: NaiveDate, weeks: i64) -> Option<NaiveDate> {
        u64::try_from(weeks)
            .ok()
            .and_then(|w| w.checked_mul(7))
            .and_then(|d| day.checked_add_days(Days::new(d)))
    }

    /// `start` plus `amount` of business time: the clock runs only inside business hours.
    /// A negative amount counts as none; a calendar without working days falls back to
    /// plain time; a due time past the last date there is is [`latest`].
    pub fn add(&self, start: DateTime<Utc>, amount: TimeDelta) -> DateTime<Utc> {
        let start = held(start);
        let amount = amount.max(TimeDelta::zero());
        let last_day = self.local_day(latest());
        let mut left = amount;
        let mut t = start;
        let mut day = self.local_day(start);
        let mut idle = 0;
        loop {
            let mut used = false;
            if self.is_workday(day) {
                let (open, close) = self.window(day);
                t = t.max(open);
                if t < close {
                    let room = close - t;
                    if left <= room {
                        return plus(t, left);
                    }
                    left -= room;
                    used = true;
                }
            }
            idle = if used { 0 } else { idle + 1 };
            // No business time for long, or none to come (no regular hours, no listed
            // days ahead).
            let none_ahead = self.week.is_zero() && self.listed.is_none_or(|(_, last)| day >= last);
            if idle > MAX_IDLE_DAYS || none_ahead {
                return plus(start, amount);
            }
            let Some(next) = day.succ_opt() else {
                return latest();
            };
            day = next;
            // Skip whole regular weeks, leaving at least one week of business time.
            if !self.week.is_zero() && left > self.week {
                let most = i64::try_from(nanos(left) / nanos(self.week) - 1).unwrap_or(i64::MAX);
                let weeks = self.regular_weeks(day, most);
                if weeks > 0 {
                    let skipped = i32::try_from(weeks)
                        .ok()
                        .and_then(|w| self.week.checked_mul(w));
                    match (Self::weeks_after(day, weeks), skipped) {
                        (Some(after), Some(skipped)) => {
                            day = after;
                            left -= skipped;
                            idle = 0;
                        }
                        _ => return latest(),
                    }
                }
            }
            if day > last_day {
                return latest();
            }
            t = self.at(day.and_time(self.hours.open));
        }
    }

    /// The latest start whose due time `start + amount` (see [`Calendar::add`]) is not
    /// after `due`: a start before it is due by then. Found by halving (`add` grows with
    /// its start), so that a due-time bound becomes a bound on the start (an index range).
    pub fn latest_start(&self, due: DateTime<Utc>, amount: TimeDelta) -> DateTime<Utc> {
        let due = held(due);
        let (mut lo, mut hi) = (earliest(), due);
        if self.add(lo, amount) > due {
            return lo;
        }
        // Invariant: add(lo) <= due; answer in [lo, hi].
        while hi - lo > TimeDelta::seconds(1) {
            let mid = lo + (hi - lo) / 2;
            if self.add(mid, amount) <= due {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if self.add(hi, amount) <= due { hi } else { lo }
    }

    /// `start` plus `hours` business hours (see [`Calendar::add`]).
    pub fn add_hours(&self, start: DateTime<Utc>, n: i64) -> DateTime<Utc> {
        self.add(start, hours(n))
    }

    /// `days` days after `start`: working days (see [`Calendar::add_workdays`]) when
    /// `business`, else plain days.
    pub fn add_days(&self, start: DateTime<Utc>, n: u32, business: bool) -> DateTime<Utc> {
        if business {
            self.add_workdays(start, n)
        } else {
            plus(start, days(i64::from(n)))
        }
    }

    /// Whether no working day comes within [`MAX_IDLE_DAYS`] days from `day` (the calendar
    /// has no working days: plain time applies).
    fn idle_from(&self, day: NaiveDate) -> bool {
        day.iter_days()
            .take(MAX_IDLE_DAYS as usize)
            .all(|d| !self.is_workday(d))
    }

    /// Business time between `from` and `to` (zero when `to` is not later). A calendar
    /// without working days falls back to plain time, as in [`Calendar::add`].
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        let (from, to) = (held(from), held(to));
        let mut total = TimeDelta::zero();
        if to <= from {
            return total;
        }
        let mut day = self.local_day(from);
        let last = self.local_day(to);
        while day <= last {
            if self.is_workday(day) {
                let (open, close) = self.window(day);
                let a = open.max(from);
                let b = close.min(to);
                if b > a {
                    total = total.checked_add(&(b - a)).unwrap_or(TimeDelta::MAX);
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
            // Whole regular weeks strictly before the last day are wholly inside.
            let weeks = self.regular_weeks(day, (last - day).num_days() / 7);
            if weeks > 0 {
                let skipped = i32::try_from(weeks)
                    .ok()
                    .and_then(|w| self.week.checked_mul(w))
                    .unwrap_or(TimeDelta::MAX);
                total = total.checked_add(&skipped).unwrap_or(TimeDelta::MAX);
                day = Self::weeks_after(day, weeks).unwrap_or(last);
            }
        }
        if total.is_zero() && self.idle_from(self.local_day(from)) {
            return to - from;
        }
        total
    }

    /// `days` working days after `start`, at the same local time of day (moved into
    /// business hours when outside them). A calendar without working days falls back to
    /// plain days; a day past the last date there is gives [`latest`].
    pub fn add_workdays(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let start = held(start);
        let local = self.zone.local(start);
        let mut day = local.date();
        let mut left = days;
        let mut idle = 0;
        while left > 0 {
            // Skip whole regular weeks, leaving at least one working day.
            if let Some(most) = (left - 1).checked_div(self.weekdays) {
                let weeks = match day.succ_opt() {
                    Some(next) => self.regular_weeks(next, i64::from(most)),
                    None => 0,
                };
                if weeks > 0 {
                    let Some(after) = Self::weeks_after(day, weeks) else {
                        return latest();
                    };
                    day = after;
                    // `weeks` is at most `(left - 1) / weekdays`: no underflow.
                    left -= u32::try_from(weeks).unwrap_or(0) * self.weekdays;
                    idle = 0;
                }
            }
            let Some(next) = day.succ_opt() else {
                return latest();
            };
            day = next;
            if self.is_workday(day) {
                left -= 1;
                idle = 0;
            } else {
                idle += 1;
                if idle > MAX_IDLE_DAYS {
                    return plus(start, self::days(i64::from(days)));
                }
            }
        }
        if day > self.local_day(latest()) {
            return latest();
        }
        let (open, close) = (self.hours.open, self.hours.close);
        let time = if open < close {
            local.time().clamp(open, close)
        } else {
            local.time()
        };
        held(self.at(day.and_time(time)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;

    use super::*;
    use crate::domain::policy::fixtures;
    use WeekdayKey::{Fri, Mon, Sat, Thu, Tue, Wed};

    /// Beijing time, the desk's usual zone.
    fn cst() -> Zone {
        Zone::named("Asia/Shanghai").expect("zone")
    }

    /// A zone `hours` east of UTC (`Etc/GMT` names count west positive).
    fn zone(hours: i32) -> Zone {
        Zone::named(&format!("Etc/GMT{:+}", -hours)).expect("zone")
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect(s)
    }

    fn time(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect(s)
    }

    /// The local time "YYYY-MM-DD HH:MM" in `zone`, as an instant.
    fn local(zone: Zone, s: &str) -> DateTime<Utc> {
        zone.instant(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s))
    }

    /// An instant as local "YYYY-MM-DD HH:MM" in `zone`.
    fn show(zone: Zone, t: DateTime<Utc>) -> String {
        zone.local(t).format("%Y-%m-%d %H:%M").to_string()
    }

    /// "2h", "30m", "1h30m", "0m".
    fn dur(s: &str) -> TimeDelta {
        let (h, rest) = match s.split_once('h') {
            Some((h, rest)) => (h.parse::<i64>().expect(s), rest),
            None => (0, s),
        };
        let m = rest
            .strip_suffix('m')
            .map_or(0, |m| m.parse::<i64>().expect(s));
        TimeDelta::hours(h) + TimeDelta::minutes(m)
    }

    fn hours(
        open: &str,
        close: &str,
        weekdays: &[WeekdayKey],
        holidays: &[&str],
        workdays: &[&str],
    ) -> BusinessHours {
        BusinessHours {
            open: time(open),
            close: time(close),
            weekdays: weekdays.to_vec(),
            holidays: holidays.iter().map(|d| date(d)).collect(),
            workdays: workdays.iter().map(|d| date(d)).collect(),
        }
    }

    /// 09:00–18:00 Mon–Fri, the 2026 National Day holiday (10-01..10-07) and its make-up
    /// working days (Sun 09-20, Sat 10-10).
    fn office() -> BusinessHours {
        hours(
            "09:00",
            "18:00",
            &[Mon, Tue, Wed, Thu, Fri],
            &[
                "2026-10-01",
                "2026-10-02",
                "2026-10-03",
                "2026-10-04",
                "2026-10-05",
                "2026-10-06",
                "2026-10-07",
            ],
            &["2026-09-20", "2026-10-10"],
        )
    }

    /// Rows (start, amount, expected due), all local times in `zone`.
    fn check_add(hours: &BusinessHours, zone: Zone, rows: &[(&str, &str, &str)]) {
        let cal = Calendar::new(hours, zone);
        for &(start, amount, expected) in rows {
            let due = cal.add(local(zone, start), dur(amount));
            assert_eq!(show(zone, due), expected, "{start} + {amount} in {zone}");
        }
    }

    #[test]
    fn add_runs_only_in_business_hours() {
        #[rustfmt::skip]
        let rows = [
            // The issue: Friday 17:50 + 2 business hours is Monday 10:50, not Friday 19:50.
            ("2026-11-20 17:50", "2h",    "2026-11-23 10:50"),
            // Before opening, after closing, exactly at open and at close.
            ("2026-11-19 07:00", "2h",    "2026-11-19 11:00"),
            ("2026-11-19 20:00", "2h",    "2026-11-20 11:00"),
            ("2026-11-19 00:00", "2h",    "2026-11-19 11:00"),
            ("2026-11-19 09:00", "2h",    "2026-11-19 11:00"),
            ("2026-11-19 18:00", "2h",    "2026-11-20 11:00"),
            // Ending exactly at close stays at close (not the next opening).
            ("2026-11-19 16:00", "2h",    "2026-11-19 18:00"),
            ("2026-11-19 17:59", "1m",    "2026-11-19 18:00"),
            ("2026-11-19 17:59", "2m",    "2026-11-20 09:01"),
            // Several evenings: Tue 1h + Wed 9h + Thu 9h + Fri 1h.
            ("2026-11-17 17:00", "20h",   "2026-11-20 10:00"),
            ("2026-11-16 09:00", "45h",   "2026-11-20 18:00"),
            ("2026-11-16 09:00", "45h1m", "2026-11-23 09:01"),
            ("2026-11-16 12:30", "1h30m", "2026-11-16 14:00"),
            // Weekends.
            ("2026-11-21 10:00", "1h",    "2026-11-23 10:00"),
            ("2026-11-22 23:59", "30m",   "2026-11-23 09:30"),
            ("2026-11-20 18:00", "9h",    "2026-11-23 18:00"),
            // National Day: the eve, and a start inside the holiday.
            ("2026-09-30 17:00", "2h",    "2026-10-08 10:00"),
            ("2026-10-03 12:00", "1h",    "2026-10-08 10:00"),
            // Make-up working days: Saturday 10-10, Sunday 09-20 (Saturday 09-19 is off).
            ("2026-10-09 17:00", "2h",    "2026-10-10 10:00"),
            ("2026-09-18 17:30", "1h",    "2026-09-20 09:30"),
            ("2026-10-10 17:00", "2h",    "2026-10-12 10:00"),
            // Zero: the start itself inside hours, else the next opening.
            ("2026-11-19 10:00", "0m",    "2026-11-19 10:00"),
            ("2026-11-19 09:00", "0m",    "2026-11-19 09:00"),
            ("2026-11-21 10:00", "0m",    "2026-11-23 09:00"),
            ("2026-11-20 18:00", "0m",    "2026-11-23 09:00"),
        ];
        check_add(&office(), cst(), &rows);
    }

    #[test]
    fn workdays_and_holidays() {
        let h = office();
        let cal = Calendar::new(&h, cst());
        #[rustfmt::skip]
        let rows = [
            ("2026-11-20", true),  // Friday
            ("2026-11-21", false), // Saturday
            ("2026-11-22", false), // Sunday
            ("2026-10-01", false), // National Day, a Thursday
            ("2026-10-07", false),
            ("2026-10-08", true),
            ("2026-10-10", true),  // make-up Saturday
            ("2026-09-20", true),  // make-up Sunday
            ("2026-09-19", false),
        ];
        for (day, expected) in rows {
            assert_eq!(cal.is_workday(date(day)), expected, "{day}");
        }
    }

    #[test]
    fn the_zone_is_respected() {
        // The same local rows hold in any fixed zone.
        for offset in [0, -5] {
            #[rustfmt::skip]
            let rows = [
                ("2026-11-20 17:50", "2h", "2026-11-23 10:50"),
                // 20:00 Friday in UTC-5 is already Saturday in UTC.
                ("2026-11-20 20:00", "1h", "2026-11-23 10:00"),
                ("2026-11-22 23:30", "1h", "2026-11-23 10:00"),
                ("2026-09-30 17:00", "2h", "2026-10-08 10:00"),
            ];
            check_add(&office(), zone(offset), &rows);
        }
        // One instant, three zones: Friday 09:50 UTC is 17:50 in Beijing, 09:50 in London
        // and 04:50 in New York.
        let h = office();
        let t: DateTime<Utc> = "2026-11-20T09:50:00Z".parse().expect("instant");
        #[rustfmt::skip]
        let rows = [
            (8,  "2026-11-23T02:50:00Z"), // Monday 10:50 in UTC+8
            (0,  "2026-11-20T11:50:00Z"), // Friday 11:50 in UTC
            (-5, "2026-11-20T16:00:00Z"), // Friday 11:00 in UTC-5 (clock starts at 09:00)
        ];
        for (offset, expected) in rows {
            let due = Calendar::new(&h, zone(offset)).add(t, dur("2h"));
            assert_eq!(
                due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                expected
            );
        }
    }

    #[test]
    fn saturday_hours_of_the_property_preset() {
        let policy = fixtures::property_management();
        let h = &policy.business_hours;
        assert_eq!((h.open, h.close), (time("08:30"), time("18:00")));
        assert_eq!(h.weekdays, [Mon, Tue, Wed, Thu, Fri, Sat]);
        let cal = Calendar::new(h, cst());
        #[rustfmt::skip]
        let days = [
            ("2026-11-21", true),  // Saturday
            ("2026-11-22", false), // Sunday
            ("2026-10-01", false), // National Day
            ("2026-10-10", true),  // make-up Saturday
            ("2026-09-20", true),  // make-up Sunday
            ("2026-01-04", true),  // make-up Sunday
            ("2026-02-17", false), // Spring Festival
        ];
        for (day, expected) in days {
            assert_eq!(cal.is_workday(date(day)), expected, "{day}");
        }
        #[rustfmt::skip]
        let rows = [
            // Friday evening runs on into Saturday morning.
            ("2026-11-20 17:50", "2h",    "2026-11-21 10:20"),
            ("2026-11-21 08:00", "1h",    "2026-11-21 09:30"),
            // Saturday evening skips Sunday.
            ("2026-11-21 17:00", "2h",    "2026-11-23 09:30"),
            // National Day (10-01..10-07).
            ("2026-09-30 17:00", "2h",    "2026-10-08 09:30"),
            // Mid-Autumn (09-25..09-27, Fri–Sun).
            ("2026-09-24 17:00", "2h",    "2026-09-28 09:30"),
            // Saturday 09-19 into the make-up Sunday 09-20.
            ("2026-09-19 17:00", "2h",    "2026-09-20 09:30"),
            // Spring Festival (02-15..02-23).
            ("2026-02-14 17:00", "2h",    "2026-02-24 09:30"),
            // A full week of six days is 57 hours.
            ("2026-11-16 08:30", "57h",   "2026-11-21 18:00"),
        ];
        check_add(h, cst(), &rows);
    }

    #[test]
    fn between_counts_business_time() {
        let h = office();
        let cal = Calendar::new(&h, cst());
        #[rustfmt::skip]
        let rows = [
            // A pause over a weekend: Friday 16:00–18:00 and Monday 09:00–10:00.
            ("2026-11-20 16:00", "2026-11-23 10:00", "3h"),
            ("2026-11-19 10:00", "2026-11-19 10:00", "0m"),
            ("2026-11-19 12:00", "2026-11-19 10:00", "0m"),
            ("2026-11-21 10:00", "2026-11-22 18:00", "0m"),
            ("2026-11-19 07:00", "2026-11-19 20:00", "9h"),
            ("2026-11-19 18:00", "2026-11-20 09:00", "0m"),
            ("2026-11-16 09:00", "2026-11-23 09:00", "45h"),
            ("2026-11-17 17:00", "2026-11-20 10:00", "20h"),
            ("2026-09-30 17:00", "2026-10-08 10:00", "2h"),
            ("2026-10-09 17:00", "2026-10-10 10:00", "2h"),
        ];
        for (from, to, expected) in rows {
            let got = cal.between(local(cst(), from), local(cst(), to));
            assert_eq!(got, dur(expected), "{from} .. {to}");
        }
    }

    #[test]
    fn add_and_between_agree() {
        let h = office();
        let cal = Calendar::new(&h, cst());
        let starts = [
            "2026-11-19 07:00",
            "2026-11-19 10:15",
            "2026-11-19 18:00",
            "2026-11-20 17:50",
            "2026-11-21 12:00",
            "2026-09-30 17:00",
            "2026-10-09 23:00",
        ];
        // Strictly inside business hours: a due time landing on a boundary is written as
        // the close of the day (see `a_boundary_is_the_close_of_the_day`).
        let ends = [
            "2026-11-19 09:01",
            "2026-11-19 10:15",
            "2026-11-19 17:59",
            "2026-11-20 09:30",
            "2026-11-23 10:50",
            "2026-10-08 09:05",
            "2026-10-10 12:00",
            "2026-10-12 17:30",
        ];
        for start in starts {
            for end in ends {
                let (s, x) = (local(cst(), start), local(cst(), end));
                if x < s {
                    continue;
                }
                let back = cal.add(s, cal.between(s, x));
                assert_eq!(
                    show(cst(), back),
                    end,
                    "add({start}, between({start}, {end}))"
                );
            }
            for amount in ["0m", "1m", "2h", "9h", "20h", "45h1m"] {
                let s = local(cst(), start);
                let d = dur(amount);
                assert_eq!(cal.between(s, cal.add(s, d)), d, "{start} + {amount}");
            }
        }
    }

    #[test]
    fn a_boundary_is_the_close_of_the_day() {
        // Thursday's close and Friday's opening are the same business moment; `add` ends
        // on the close, so the round trip through `between` does too.
        let h = office();
        let cal = Calendar::new(&h, cst());
        let s = local(cst(), "2026-11-19 07:00");
        let x = local(cst(), "2026-11-20 09:00");
        assert_eq!(cal.between(s, x), dur("9h"));
        assert_eq!(show(cst(), cal.add(s, dur("9h"))), "2026-11-19 18:00");
        let close = local(cst(), "2026-11-19 18:00");
        assert_eq!(cal.between(close, x), TimeDelta::zero());
    }

    #[test]
    fn add_workdays_keeps_the_time_of_day() {
        let h = office();
        let cal = Calendar::new(&h, cst());
        #[rustfmt::skip]
        let rows = [
            ("2026-11-20 17:50", 1, "2026-11-23 17:50"),
            ("2026-11-19 10:00", 1, "2026-11-20 10:00"),
            ("2026-11-16 10:00", 5, "2026-11-23 10:00"),
            ("2026-11-21 10:00", 1, "2026-11-23 10:00"), // from a Saturday
            // Holiday eve, and into the make-up Saturday.
            ("2026-09-30 10:00", 1, "2026-10-08 10:00"),
            ("2026-09-30 10:00", 2, "2026-10-09 10:00"),
            ("2026-10-09 10:00", 1, "2026-10-10 10:00"),
            ("2026-09-18 10:00", 1, "2026-09-20 10:00"),
            // Outside hours: clamped to close or open.
            ("2026-11-19 20:30", 1, "2026-11-20 18:00"),
            ("2026-11-19 07:15", 1, "2026-11-20 09:00"),
            ("2026-11-20 23:00", 1, "2026-11-23 18:00"),
            // Zero days: the same day, clamped.
            ("2026-11-19 10:00", 0, "2026-11-19 10:00"),
            ("2026-11-19 07:15", 0, "2026-11-19 09:00"),
        ];
        for (start, days, expected) in rows {
            let due = cal.add_workdays(local(cst(), start), days);
            assert_eq!(show(cst(), due), expected, "{start} + {days} working days");
        }
        // The zone is respected here too.
        let cal = Calendar::new(&h, zone(-5));
        let due = cal.add_workdays(local(zone(-5), "2026-11-20 17:50"), 1);
        assert_eq!(show(zone(-5), due), "2026-11-23 17:50");
    }

    #[test]
    fn no_working_days_falls_back_to_plain_time() {
        let none = hours("09:00", "18:00", &[], &[], &[]);
        // Only holidays on the only working weekday.
        let all_off = hours("09:00", "18:00", &[Sat], &[], &[]);
        let all_off = BusinessHours {
            holidays: (0..4 * 366)
                .map(|i| date("2026-01-01") + TimeDelta::days(i))
                .collect(),
            ..all_off
        };
        for h in [&none, &all_off] {
            let cal = Calendar::new(h, cst());
            let s = local(cst(), "2026-11-20 17:50");
            assert!(!cal.is_workday(date("2026-11-20")));
            assert_eq!(cal.add(s, dur("2h")), s + dur("2h"));
            assert_eq!(cal.add(s, dur("0m")), s);
            assert_eq!(cal.add_workdays(s, 1), s + TimeDelta::days(1));
            assert_eq!(cal.add_workdays(s, 0), s);
            let x = s + dur("3h");
            assert_eq!(cal.between(s, x), dur("3h"));
            assert_eq!(cal.add(s, cal.between(s, x)), x);
        }
    }

    /// The day-by-day walk `add` and `add_workdays` shorten by whole weeks.
    fn walk(
        cal: &Calendar<'_>,
        h: &BusinessHours,
        start: DateTime<Utc>,
        amount: TimeDelta,
    ) -> DateTime<Utc> {
        let (mut t, mut left) = (start, amount);
        let mut day = cal.local_day(start);
        loop {
            if cal.is_workday(day) {
                let (open, close) = cal.window(day);
                t = t.max(open);
                if t < close {
                    if left <= close - t {
                        return t + left;
                    }
                    left -= close - t;
                }
            }
            day = day.succ_opt().expect("day");
            t = cal.at(day.and_time(h.open));
        }
    }

    #[test]
    fn long_amounts_skip_whole_weeks_exactly() {
        let h = office();
        let cal = Calendar::new(&h, cst());
        // 52 regular weeks of 45 hours after the listed days: a year to the minute.
        let s = local(cst(), "2027-01-04 09:00");
        assert_eq!(show(cst(), cal.add(s, dur("2340h"))), "2027-12-31 18:00");
        assert_eq!(show(cst(), cal.add(s, dur("2340h1m"))), "2028-01-03 09:01");
        assert_eq!(
            cal.between(s, local(cst(), "2027-12-31 18:00")),
            dur("2340h")
        );
        assert_eq!(show(cst(), cal.add_workdays(s, 259)), "2027-12-31 09:00");
        assert_eq!(show(cst(), cal.add_workdays(s, 260)), "2028-01-03 09:00");
        // Across the listed days and far beyond them (more than the three years a
        // calendar may stay idle), against the plain walk.
        let starts = ["2025-06-30 10:00", "2026-09-30 17:00", "2026-11-20 17:50"];
        for start in starts {
            let s = local(cst(), start);
            for amount in ["1h", "45h", "460h", "8760h", "8760h1m", "20000h"] {
                let due = cal.add(s, dur(amount));
                assert_eq!(due, walk(&cal, &h, s, dur(amount)), "{start} + {amount}");
                assert_eq!(cal.between(s, due), dur(amount), "{start} + {amount}");
            }
            for days in [1, 6, 260, 3660] {
                let due = cal.add_workdays(s, days);
                let counted = cal
                    .local_day(s)
                    .iter_days()
                    .skip(1)
                    .take_while(|d| *d <= cal.local_day(due));
                let workdays = counted.filter(|d| cal.is_workday(*d)).count();
                assert_eq!(workdays, days as usize, "{start} + {days} working days");
                assert!(
                    cal.is_workday(cal.local_day(due)),
                    "{start} + {days} working days"
                );
            }
        }
    }

    #[test]
    fn extreme_values_never_panic() {
        // What a config or a clock could hand over: no working day, open after close,
        // the ends of time, the widest zones, spans too long for any calendar.
        let office = office();
        let empty = hours("09:00", "18:00", &[], &[], &[]);
        let backwards = hours("18:00", "09:00", &[Mon], &[], &[]);
        let zones = [
            cst(),
            Zone::named("Pacific/Kiritimati").expect("zone"),
            Zone::named("Etc/GMT+12").expect("zone"),
            Zone::named("America/New_York").expect("zone"),
        ];
        let normal = local(cst(), "2026-11-20 17:50");
        let instants = [
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            earliest(),
            latest(),
            normal,
        ];
        let amounts = [
            TimeDelta::MAX,
            TimeDelta::MIN,
            super::hours(i64::MAX),
            super::hours(i64::MIN),
            super::hours(4_000_000_000),
            super::hours(-4_000_000_000),
            days(i64::MAX),
            minutes(i64::MIN),
            super::hours(-1),
            TimeDelta::zero(),
        ];
        let inside = |t: DateTime<Utc>| earliest() <= t && t <= latest();
        for h in [&office, &empty, &backwards] {
            for zone in zones {
                let cal = Calendar::new(h, zone);
                for start in instants {
                    for amount in amounts {
                        assert!(inside(cal.add(start, amount)), "{start} + {amount}");
                        assert!(inside(plus(start, amount)), "{start} + {amount}");
                    }
                    for to in instants {
                        assert!(cal.between(start, to) >= TimeDelta::zero());
                    }
                    for n in [0, 1, 3660, 4_000_000_000, u32::MAX] {
                        assert!(inside(cal.add_workdays(start, n)), "{start} + {n} days");
                    }
                }
            }
        }
        // Saturation: a span past the end of time is the end; none before the start is
        // the start.
        assert_eq!(super::hours(i64::MAX), TimeDelta::MAX);
        assert_eq!(super::hours(i64::MIN), TimeDelta::MIN);
        let cal = Calendar::new(&office, cst());
        assert_eq!(cal.add(normal, super::hours(4_000_000_000)), latest());
        assert_eq!(cal.add(normal, super::hours(i64::MAX)), latest());
        assert_eq!(
            cal.add(normal, super::hours(-4_000_000_000)),
            cal.add(normal, TimeDelta::zero())
        );
        assert_eq!(cal.add_workdays(normal, u32::MAX), latest());
        assert_eq!(plus(normal, super::hours(-4_000_000_000)), earliest());
        assert_eq!(plus(DateTime::<Utc>::MAX_UTC, TimeDelta::zero()), latest());
    }
}
