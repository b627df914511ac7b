//! `report` on the command line: the JSON object's shape, CSV with a BOM (the figures with
//! their definitions, or a breakdown's rows), a breakdown by building from the location, a
//! refused period.

mod common;

use common::{Desk, leak};

/// Two complaints from one phone in building 3 and one in Block 12.
fn desk() -> (Desk, Vec<String>) {
    let desk = Desk::new();
    let mut numbers = vec![desk.add(&leak()), desk.add(&leak())];
    let mut other = leak();
    other[5] = "139 0000 0001";
    other[7] = "Block 12, Flat 3";
    numbers.push(desk.add(&other));
    (desk, numbers)
}

#[test]
fn json_holds_every_figure_and_the_lists() {
    let (desk, numbers) = desk();
    let r = desk.json(&["report", "--format", "json", "--by", "building"]);
    let figures = r["figures"].as_object().expect("figures");
    assert_eq!(figures.len(), 28);
    assert_eq!(r["figures"]["received"], 3.0);
    assert_eq!(r["figures"]["open"], 3.0);
    assert_eq!(r["figures"]["untriaged"], 3.0);
    assert_eq!(r["figures"]["first_reply_sla_pct"], serde_json::Value::Null);
    assert!(r["from"].as_str().expect("from").ends_with("+08:00"));
    assert_eq!(r["by"], "building");
    assert_eq!(r["trend_by"], "day");
    assert_eq!(r["trend"].as_array().expect("trend").len(), 30);
    let repeat = r["repeat_complainants"].as_array().expect("repeat");
    assert_eq!(repeat.len(), 1);
    assert_eq!(repeat[0]["numbers"], serde_json::json!(numbers[..2]));
    assert!(
        !repeat[0]["phone"]
            .as_str()
            .expect("phone")
            .contains("00138000")
    );
    assert_eq!(
        r["ageing"][0],
        serde_json::json!({ "days": "0-2", "open": 3 })
    );
    let rows: Vec<(String, u64)> = r["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|x| {
            (
                x["key"].as_str().expect("key").to_string(),
                x["received"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(rows, [("12".to_string(), 1), ("3".to_string(), 2)]);
    assert_eq!(r["satisfaction"]["5"], 0);
}

#[test]
fn csv_starts_with_a_bom_and_lists_figures_or_rows() {
    let (desk, _) = desk();
    let out = desk
        .cmd()
        .args(["report", "--format", "csv"])
        .assert()
        .success();
    let bytes = out.get_output().stdout.clone();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        reader.headers().expect("header"),
        vec!["figure", "value", "definition"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 28);
    let received = records
        .iter()
        .find(|r| &r[0] == "received")
        .expect("received");
    assert_eq!(&received[1], "3");
    assert!(!received[2].is_empty(), "a definition");

    let out = desk
        .cmd()
        .args(["report", "--format", "csv", "--by", "category"])
        .assert()
        .success();
    let bytes = out.get_output().stdout.clone();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().expect("header").clone();
    assert_eq!(&header[0], "key");
    assert_eq!(&header[1], "received");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][1], "3");
}

#[test]
fn the_table_defines_its_figures_and_a_reversed_period_is_refused() {
    let (desk, _) = desk();
    let out = desk
        .cmd()
        .args(["--lang", "en", "report", "--by", "week"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    assert!(text.contains("First reply within SLA %"), "{text}");
    assert!(text.contains("Backlog ageing"), "{text}");
    desk.cmd()
        .args(["report", "--from", "2026-11-30", "--to", "2026-11-01"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicates::str::starts_with("error:"));
    desk.cmd()
        .args(["report", "--from", "yesterday"])
        .assert()
        .failure()
        .code(1);
}

#[test]
fn a_bad_building_pattern_is_refused_with_its_place() {
    let (desk, _) = desk();
    let config = desk.path("config.toml");
    std::fs::write(&config, "[report]\nbuilding_patterns = ['(\\d+']\n").expect("write");
    let out = desk
        .cmd()
        .arg("--config")
        .arg(&config)
        .args(["report", "--by", "building"])
        .assert()
        .failure()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).expect("utf-8");
    assert!(err.starts_with("error:"), "{err}");
    assert!(err.contains("report.building_patterns[0]"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("unclosed group"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}

/// The figures of `report --by building` as (building, received) pairs.
fn buildings(r: &serde_json::Value) -> Vec<(String, u64)> {
    r["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|x| {
            (
                x["key"].as_str().expect("key").to_string(),
                x["received"].as_u64().expect("n"),
            )
        })
        .collect()
}

#[test]
fn new_building_patterns_are_summed_again_and_rebuild_says_how_many() {
    let (desk, _) = desk();
    let by = ["report", "--format", "json", "--by", "building"];
    assert_eq!(
        buildings(&desk.json(&by)),
        [("12".to_string(), 1), ("3".to_string(), 2)]
    );
    // Other patterns: the sums built under the old ones are not read; a small desk sums
    // its complaints again as it opens.
    let config = desk.path("config.toml");
    std::fs::write(&config, "[report]\nbuilding_patterns = ['Block (\\d+)']\n").expect("write");
    let out = desk
        .cmd()
        .arg("--config")
        .arg(&config)
        .args(by)
        .assert()
        .success();
    let r: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(buildings(&r), [("".to_string(), 2), ("12".to_string(), 1)]);
    // Marked stale by hand (as a write by a desk of other settings would), then rebuilt on
    // request: the same figures, and one line on stderr.
    let db = rusqlite::Connection::open(&desk.db).expect("open");
    db.execute(
        "UPDATE report_state SET value = 'stale' WHERE key = 'basis'",
        [],
    )
    .expect("stale");
    drop(db);
    let out = desk
        .cmd()
        .args([
            "report",
            "--rebuild",
            "--format",
            "json",
            "--by",
            "building",
        ])
        .assert()
        .success();
    let err = String::from_utf8(out.get_output().stderr.clone()).expect("utf-8");
    assert!(
        err.contains("3 件") || err.contains("3 complaints"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(buildings(&r), [("12".to_string(), 1), ("3".to_string(), 2)]);
    assert_eq!(r["figures"]["received"], 3.0);
}

#[test]
fn a_period_of_part_days_is_refused() {
    let (desk, _) = desk();
    let out = desk
        .cmd()
        .args(["report", "--from", "2026-11-01 12:00", "--to", "2026-11-02"])
        .assert()
        .failure()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).expect("utf-8");
    assert!(err.contains("whole days") || err.contains("整天"), "{err}");
}
