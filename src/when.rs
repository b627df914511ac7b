//! Dates and times as people type and read them: local time, to the minute.

use chrono::{DateTime, Datelike, Local, NaiveDateTime, TimeZone, Utc};

use crate::error::{Error, Result};

/// A time as people read it: local, to the minute.
pub fn local_minutes(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// A time as a list or a notice shows it: local `MM-DD HH:MM` in the year of `now`, and
/// `YYYY-MM-DD HH:MM` in any other (a complaint logged from paper a year ago is not read
/// as this year's).
pub fn short_minutes(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let full = local_minutes(t);
    if this_year(t, now) {
        full.get(5..).unwrap_or(&full).to_string()
    } else {
        full
    }
}

/// Whether `t` is in the (local) year of `now`.
pub fn this_year(t: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    t.with_timezone(&Local).year() == now.with_timezone(&Local).year()
}

/// RFC 3339, or local `YYYY-MM-DD HH:MM[:SS]`.
pub fn parse_datetime(text: &str, field: &'static str) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .and_then(|naive| Local.from_local_datetime(&naive).earliest())
        .map(|dt| dt.with_timezone(&Utc))
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
        let t = parse_datetime("2026-11-20T17:50:00+08:00", "received_at").expect("rfc3339");
        assert_eq!(t.to_rfc3339(), "2026-11-20T09:50:00+00:00");
        assert!(parse_datetime("2026-11-20 17:50", "received_at").is_ok());
        let err = parse_datetime("昨天下午", "received_at").expect_err("bad");
        assert_eq!(err.key, "error.bad_datetime");
        assert_eq!(err.get("value"), Some("昨天下午"));
    }

    #[test]
    fn short_times_say_the_year_outside_this_one() {
        let at = |text| parse_datetime(text, "at").expect("time");
        let now = at("2026-11-20 17:50");
        assert_eq!(short_minutes(at("2026-01-02 08:05"), now), "01-02 08:05");
        assert_eq!(
            short_minutes(at("2025-11-20 17:50"), now),
            "2025-11-20 17:50"
        );
        assert_eq!(
            short_minutes(at("2027-01-04 09:00"), now),
            "2027-01-04 09:00"
        );
    }
}
