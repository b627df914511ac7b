//! Dates and times as people type and read them: the desk's time zone, to the minute.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};

use crate::domain::zone::Zone;
use crate::error::{Error, Result};

/// A time as people read it: in the desk's zone, to the minute.
pub fn local_minutes(t: DateTime<Utc>, zone: Zone) -> String {
    zone.local(t).format("%Y-%m-%d %H:%M").to_string()
}

/// A time as a list or a notice shows it: `MM-DD HH:MM` in the year of `now`, and
/// `YYYY-MM-DD HH:MM` in any other (a complaint logged from paper a year ago is not read
/// as this year's); in the desk's zone.
pub fn short_minutes(t: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> String {
    let full = local_minutes(t, zone);
    if this_year(t, now, zone) {
        full.get(5..).unwrap_or(&full).to_string()
    } else {
        full
    }
}

/// Whether `t` is in the year of `now`, in the desk's zone.
pub fn this_year(t: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> bool {
    zone.day(t).year() == zone.day(now).year()
}

/// RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in the desk's zone.
pub fn parse_datetime(text: &str, field: &'static str, zone: Zone) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .map(|naive| zone.instant(naive))
        .ok_or_else(|| {
            Error::new("error.bad_datetime")
                .arg("field", field)
                .arg("value", t)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        let zone = Zone::named("Asia/Shanghai").expect("zone");
        let t = parse_datetime("2026-11-20T17:50:00+08:00", "received_at", zone).expect("rfc3339");
        assert_eq!(t.to_rfc3339(), "2026-11-20T09:50:00+00:00");
        let typed = parse_datetime("2026-11-20 17:50", "received_at", zone).expect("typed");
        assert_eq!(typed, t);
        assert_eq!(local_minutes(t, zone), "2026-11-20 17:50");
        assert_eq!(local_minutes(t, Zone::UTC), "2026-11-20 09:50");
        let err = parse_datetime("昨天下午", "received_at", zone).expect_err("bad");
        assert_eq!(err.key, "error.bad_datetime");
        assert_eq!(err.get("value"), Some("昨天下午"));
    }

    #[test]
    fn short_times_say_the_year_outside_this_one() {
        let zone = Zone::named("Asia/Shanghai").expect("zone");
        let at = |text| parse_datetime(text, "at", zone).expect("time");
        let short = |t, now| short_minutes(t, now, zone);
        let now = at("2026-11-20 17:50");
        assert_eq!(short(at("2026-01-02 08:05"), now), "01-02 08:05");
        assert_eq!(short(at("2025-11-20 17:50"), now), "2025-11-20 17:50");
        assert_eq!(short(at("2027-01-04 09:00"), now), "2027-01-04 09:00");
        // New Year's Day 00:30 in Shanghai is still the old year in UTC: the desk's year.
        assert_eq!(short(at("2026-01-01 00:30"), now), "01-01 00:30");
    }
}
