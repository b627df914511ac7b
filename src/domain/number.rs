//! Human-friendly complaint numbers: the day received and a sequence, `20261122-0007`.

use chrono::NaiveDate;

/// The number of the `seq`-th complaint received on `day` (at least four digits).
pub fn format(day: NaiveDate, seq: u32) -> String {
    format!("{}-{seq:04}", day.format("%Y%m%d"))
}

/// The day key under which sequences are counted (`20261122`).
pub fn day_key(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// Normalises a number as typed (spaces trimmed, a missing dash accepted: `202611220007`).
pub fn normalise(text: &str) -> String {
    let t: String = text.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if !t.contains('-') && t.len() > 8 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{}-{}", &t[..8], &t[8..])
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        assert_eq!(format(d, 7), "20261122-0007");
        assert_eq!(format(d, 12345), "20261122-12345");
        assert_eq!(day_key(d), "20261122");
        assert_eq!(normalise(" 202611220007 "), "20261122-0007");
        assert_eq!(normalise("20261122-0007"), "20261122-0007");
    }
}
