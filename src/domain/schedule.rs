//! Due times in business hours: the configured weekly hours, public holidays and make-up
//! working days (调休), in a local time zone given as a fixed offset (the desk's zones have
//! no daylight saving). Pure: every instant is an argument.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::config::{BusinessHours, WeekdayKey};

/// Days searched for business time before giving up (a calendar with no working day).
const MAX_DAYS: u32 = 3 * 366;

/// The business calendar of a desk in one time zone.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    hours: &'a BusinessHours,
    zone: FixedOffset,
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
    pub fn new(hours: &'a BusinessHours, zone: FixedOffset) -> Calendar<'a> {
        Calendar { hours, zone }
    }

    /// Whether `day` has business hours: a make-up working day, or a configured weekday
    /// that is not a holiday.
    pub fn is_workday(&self, day: NaiveDate) -> bool {
        self.hours.workdays.contains(&day)
            || (!self.hours.holidays.contains(&day)
                && self.hours.weekdays.contains(&weekday_key(day)))
    }

    fn at(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.zone
            .from_local_datetime(&local)
            .single()
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The business window (open, close) of a working day, as instants.
    fn window(&self, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            self.at(day.and_time(self.hours.open)),
            self.at(day.and_time(self.hours.close)),
        )
    }

    fn local_day(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.zone).date_naive()
    }

    /// `start` plus `amount` of business time: the clock runs only inside business hours.
    /// A calendar without working days falls back to plain time.
    pub fn add(&self, start: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        let mut left = amount;
        let mut t = start;
        let mut day = self.local_day(start);
        for _ in 0..MAX_DAYS {
            if self.is_workday(day) {
                let (open, close) = self.window(day);
                if t < open {
                    t = open;
                }
                if t < close {
                    let room = close - t;
                    if left <= room {
                        return t + left;
                    }
                    left -= room;
                }
            }
            day = day.succ_opt().unwrap_or(day);
            t = self.at(day.and_time(self.hours.open));
        }
        start + amount
    }

    /// Business time between `from` and `to` (zero when `to` is not later).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
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
                    total += b - a;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }

    /// `days` working days after `start`, at the same local time of day (moved into
    /// business hours when outside them).
    pub fn add_workdays(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let local = start.with_timezone(&self.zone).naive_local();
        let mut day = local.date();
        let mut left = days;
        for _ in 0..MAX_DAYS {
            if left == 0 {
                break;
            }
            day = day.succ_opt().unwrap_or(day);
            if self.is_workday(day) {
                left -= 1;
            }
        }
        let time = local
            .time()
            .clamp(self.hours.open, self.hours.close);
        self.at(day.and_time(time))
    }
}
