//! The desk's time zone: an IANA zone by name (chrono-tz), so that business hours,
//! holidays and "today" are the desk's own wherever the process runs (a desk served over
//! SSH from a UTC server keeps Beijing office hours).

use std::fmt;

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An IANA time zone (`Asia/Shanghai`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Self {
        Zone::UTC
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Zone = Zone(Tz::UTC);

    /// The zone of an IANA name (exact spelling, e.g. `Asia/Shanghai`).
    pub fn named(name: &str) -> Option<Zone> {
        name.trim().parse::<Tz>().ok().map(Zone)
    }

    /// The zone of a `TZ` environment value: an IANA name, optionally after `:` or a
    /// zoneinfo path, or a POSIX zone without daylight saving (`CST-8`: UTC+8). `None`
    /// for anything else (a POSIX rule with daylight saving names no single zone here).
    pub fn from_tz_variable(value: &str) -> Option<Zone> {
        let v = value.trim().trim_start_matches(':');
        if v.is_empty() {
            return Some(Zone::UTC);
        }
        let name = v.rsplit_once("/zoneinfo/").map_or(v, |(_, name)| name);
        Zone::named(name).or_else(|| posix_fixed(v))
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The wall-clock time of `t` here.
    pub fn local(self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.0).naive_local()
    }

    /// The date of `t` here.
    pub fn day(self, t: DateTime<Utc>) -> NaiveDate {
        self.local(t).date()
    }

    /// The offset from UTC in force at `t`.
    pub fn offset(self, t: DateTime<Utc>) -> FixedOffset {
        self.0.offset_from_utc_datetime(&t.naive_utc()).fix()
    }

    /// `t` with the offset in force here (for RFC 3339 output).
    pub fn fixed(self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset(t))
    }

    /// The instant of a wall-clock time here: the earlier of a repeated hour; a time in
    /// a skipped hour (daylight saving begins) counts from the end of the gap.
    pub fn instant(self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => {
                // Gaps are at most a few hours: the offset before the gap says where the
                // wall clock would have been.
                let before = local
                    .checked_sub_signed(TimeDelta::days(1))
                    .unwrap_or(local);
                let offset = match self.0.from_local_datetime(&before) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                    LocalResult::None => Utc.fix(),
                };
                DateTime::<Utc>::from_naive_utc_and_offset(local - offset, Utc)
            }
        }
    }

    /// The first instant of `day` here.
    pub fn start_of(self, day: NaiveDate) -> DateTime<Utc> {
        self.instant(day.and_time(NaiveTime::MIN))
    }
}

/// `NAME±H[H][:MM]` (POSIX, west positive) as an `Etc/GMT` zone, when whole hours.
fn posix_fixed(v: &str) -> Option<Zone> {
    let split = v.find(|c: char| c == '+' || c == '-' || c.is_ascii_digit())?;
    let (name, rest) = v.split_at(split);
    if name.len() < 3 || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let (sign, digits) = match rest.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("+", rest.trim_start_matches('+')),
    };
    let hours: u8 = digits.strip_suffix(":00").unwrap_or(digits).parse().ok()?;
    match hours {
        0 => Some(Zone::UTC),
        1..=12 => Zone::named(&format!("Etc/GMT{sign}{hours}")),
        _ => None,
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Zone::named(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown time zone \"{name}\"; use an IANA name such as Asia/Shanghai"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn names_and_tz_values() {
        assert_eq!(
            Zone::named("Asia/Shanghai").map(Zone::name),
            Some("Asia/Shanghai")
        );
        assert_eq!(Zone::named("Mars/Olympus"), None);
        for (value, name) in [
            ("Asia/Shanghai", Some("Asia/Shanghai")),
            (":Asia/Taipei", Some("Asia/Taipei")),
            ("/usr/share/zoneinfo/Europe/London", Some("Europe/London")),
            ("", Some("UTC")),
            ("UTC", Some("UTC")),
            ("CST-8", Some("Etc/GMT-8")),
            ("EST+5", Some("Etc/GMT+5")),
            ("GMT0", Some("GMT0")),
            ("XYZ0", Some("UTC")),
            ("CET-1CEST,M3.5.0,M10.5.0/3", None),
            ("x-8", None),
            ("CST-99", None),
        ] {
            assert_eq!(
                Zone::from_tz_variable(value).map(Zone::name),
                name,
                "{value}"
            );
        }
    }

    #[test]
    fn wall_clock_round_trip() {
        let sh = Zone::named("Asia/Shanghai").expect("zone");
        let t = sh.instant(at("2026-11-20 17:50"));
        assert_eq!(t.to_rfc3339(), "2026-11-20T09:50:00+00:00");
        assert_eq!(sh.local(t), at("2026-11-20 17:50"));
        assert_eq!(sh.fixed(t).to_rfc3339(), "2026-11-20T17:50:00+08:00");
        assert_eq!(
            sh.start_of(t.date_naive()).to_rfc3339(),
            "2026-11-19T16:00:00+00:00"
        );
    }

    /// Daylight saving: a skipped hour counts from the end of the gap, a repeated one is
    /// the earlier.
    #[test]
    fn daylight_saving_edges() {
        let ny = Zone::named("America/New_York").expect("zone");
        let gap = ny.instant(at("2026-03-08 02:30"));
        assert_eq!(ny.fixed(gap).to_rfc3339(), "2026-03-08T03:30:00-04:00");
        let twice = ny.instant(at("2026-11-01 01:30"));
        assert_eq!(ny.fixed(twice).to_rfc3339(), "2026-11-01T01:30:00-04:00");
    }
}
