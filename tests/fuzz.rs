//! Fuzzing the parsers a user or a file feeds, on the stable toolchain: property tests run
//! at scale (random and mutated inputs; a panic anywhere is a failure, shrunk to a small
//! input). `cargo test` runs a short round of each target; a long run:
//!
//! ```sh
//! FUZZ_SECONDS=1800 cargo test --release --test fuzz -- --ignored --nocapture fuzz_for_a_while
//! FUZZ_TARGET=config FUZZ_SECONDS=1800 cargo test --release --test fuzz -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{FilterText, search_filter};
use complaint_desk::domain::complaint::{Channel, NewComplaint, normalise_phone, validate};
use complaint_desk::domain::schedule::Calendar;
use complaint_desk::domain::search::{holds, matches, query_words, words};
use complaint_desk::domain::zone::Zone;
use complaint_desk::when::parse_datetime;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};

/// Characters people and files feed: ASCII, CJK (Simplified and Traditional), full-width
/// forms, separators, controls, invisible and odd code points, surrogates' neighbours.
fn any_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        4 => "[ -~]{0,12}",
        3 => "[漏水電梯困人栋号楼室１２３４５６７８９０：－（）　]{0,8}",
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{200b}-\\u{200f}\\u{2028}\\u{2029}\\u{202a}-\\u{202e}\\u{feff}\\u{3164}\\u{2800}\\u{e0000}-\\u{e007f}\\u{fffd}\\u{10ffff}]{0,4}",
        1 => any::<String>(),
        1 => "[0-9 +()\\-.x转#]{0,24}",
    ];
    proptest::collection::vec(pieces, 0..6).prop_map(|v| v.concat())
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn policy_config() -> Config {
    Config::preset(Preset::PropertyManagement).expect("preset")
}

/// The configuration file: a preset's text mutated (a number replaced by an extreme one, a
/// line dropped or doubled, bytes inserted) or random text is either refused or loads into a
/// configuration whose business-time arithmetic works for every value in it.
fn config(runner: &mut TestRunner) -> Result<(), String> {
    let preset = include_str!("../assets/presets/pest-control.toml");
    let lines: Vec<String> = preset.lines().map(str::to_string).collect();
    let n = lines.len();
    let number = prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| v.to_string()),
        Just("4000000000".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        "\"[0-9:]{0,6}\"",
    ];
    let mutated = (0..n, 0..4usize, number, any_text()).prop_map(move |(at, how, number, text)| {
        let mut lines = lines.clone();
        match how {
            0 => {
                // The number (or quoted value) after the line's `=` replaced.
                if let Some((key, _)) = lines[at].split_once('=') {
                    lines[at] = format!("{key}= {number}");
                }
            }
            1 => {
                lines.remove(at);
            }
            2 => {
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            _ => lines.insert(at, text),
        }
        lines.join("\n")
    });
    runner
        .run(&prop_oneof![4 => mutated, 1 => any_text()], |text| {
            if let Ok(config) = Config::from_toml(&text, "fuzz.toml") {
                let policy = &config.policy;
                let calendar = Calendar::new(&policy.business_hours, policy.timezone);
                let f = &policy.follow_up;
                for hours in policy
                    .severities
                    .iter()
                    .flat_map(|s| [s.first_reply_hours, s.referral_reply_hours])
                    .chain([f.retry_hours, f.escalate_after_hours])
                {
                    let due = calendar.add_hours(now(), i64::from(hours));
                    prop_assert!(due >= now());
                    let _ = calendar.between(now(), due);
                }
                for step in policy.revisit_plans.iter().flat_map(|p| &p.steps) {
                    let _ = calendar.add_days(now(), step.after_days, step.business_days);
                }
            }
            Ok(())
        })
        .map_err(|e| e.to_string())
}

/// Dates and times: `parse_datetime` and the search's day bounds never panic, and a time
/// that parses prints and parses back to itself.
fn dates(runner: &mut TestRunner) -> Result<(), String> {
    let config = policy_config();
    let strategy = (
        prop_oneof![
            any_text(),
            "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}( [0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?)?",
            "[+-]?[0-9]{4,6}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})",
        ],
        any_text(),
    );
    // A zone with daylight saving, so that skipped and repeated hours are met.
    let zone = Zone::named("America/New_York").expect("zone");
    runner
        .run(&strategy, |(a, b)| {
            if let Ok(t) = parse_datetime(&a, "received_at", zone) {
                let back =
                    parse_datetime(&t.to_rfc3339(), "received_at", zone).expect("round trip");
                prop_assert_eq!(back, t);
            }
            let _ = search_filter(
                &config.policy,
                &FilterText {
                    from: a.clone(),
                    to: b,
                    ..FilterText::default()
                },
            );
            Ok(())
        })
        .map_err(|e| e.to_string())
}

/// Phone numbers and the whole intake: normalising and validating never panic; a number
/// that normalises is 5–15 ASCII digits.
fn intake(runner: &mut TestRunner) -> Result<(), String> {
    let config = policy_config();
    let strategy = (any_text(), any_text(), any_text(), any_text(), any_text());
    runner
        .run(
            &strategy,
            |(name, phone, location, category, description)| {
                if let Some(digits) = normalise_phone(&phone) {
                    prop_assert!((5..=15).contains(&digits.len()));
                    prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
                }
                let new = NewComplaint {
                    channel: Some(Channel::Phone),
                    name,
                    phone,
                    location,
                    category,
                    description,
                    outcome: String::new(),
                    apologized: false,
                    received_at: None,
                    extra_categories: Vec::new(),
                    site: String::new(),
                };
                let _ = validate(&new, &config.policy, now());
                Ok(())
            },
        )
        .map_err(|e| e.to_string())
}

/// The search query and the index words: never a panic, highlights on character
/// boundaries, and a query found by `matches` is held by the field.
fn search_query(runner: &mut TestRunner) -> Result<(), String> {
    runner
        .run(&(any_text(), any_text()), |(query, text)| {
            if let Ok(q) = query_words(&query) {
                prop_assert!(!q.words.is_empty());
                prop_assert!(
                    q.words
                        .iter()
                        .all(|w| w.bytes().all(|b| b.is_ascii_hexdigit()))
                );
            }
            let found = matches(&text, &query);
            for r in &found {
                prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
            prop_assert_eq!(!found.is_empty(), holds(&[text.as_str()], &query));
            let w = words([text.as_str(), query.as_str()]);
            prop_assert!(w.bytes().all(|b| b == b' ' || b.is_ascii_hexdigit()));
            Ok(())
        })
        .map_err(|e| e.to_string())
}

/// A kept draft read back: any JSON (or not) either restores a form or is refused.
fn draft(runner: &mut TestRunner) -> Result<(), String> {
    let config = policy_config();
    let valid = serde_json::to_string(&NewComplaint {
        channel: Some(Channel::Phone),
        name: "张伟".into(),
        phone: "13800138000".into(),
        location: "3栋1902".into(),
        category: "leak".into(),
        description: "卫生间漏水".into(),
        outcome: "维修".into(),
        apologized: true,
        received_at: Some(now()),
        extra_categories: Vec::new(),
        site: String::new(),
    })
    .expect("json");
    let mutated = (0..valid.len(), any::<u8>(), 0..3usize).prop_map(move |(at, byte, how)| {
        let mut bytes = valid.clone().into_bytes();
        match how {
            0 => bytes[at] = byte,
            1 => {
                bytes.truncate(at);
            }
            _ => bytes.insert(at, byte),
        }
        String::from_utf8_lossy(&bytes).into_owned()
    });
    runner
        .run(&prop_oneof![mutated, any_text()], |json| {
            if let Ok(form) = serde_json::from_str::<NewComplaint>(&json) {
                let _ = validate(&form, &config.policy, now());
            }
            Ok(())
        })
        .map_err(|e| e.to_string())
}

type Target = fn(&mut TestRunner) -> Result<(), String>;

const TARGETS: [(&str, Target); 5] = [
    ("config", config),
    ("dates", dates),
    ("intake", intake),
    ("search_query", search_query),
    ("draft", draft),
];

fn runner(cases: u32, seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        RunnerConfig {
            cases,
            failure_persistence: None,
            ..RunnerConfig::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

#[test]
fn a_short_round_of_every_target() {
    for (name, target) in TARGETS {
        target(&mut runner(300, 1)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// The long run: every target (or `FUZZ_TARGET`) for `FUZZ_SECONDS` each, new seeds each
/// round; prints how many inputs each took.
#[test]
#[ignore = "long: run with FUZZ_SECONDS"]
fn fuzz_for_a_while() {
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let only = std::env::var("FUZZ_TARGET").ok();
    for (name, target) in TARGETS {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let start = Instant::now();
        let mut inputs = 0u64;
        let mut seed = u64::from(std::process::id()) << 32;
        while start.elapsed() < Duration::from_secs(seconds) {
            seed += 1;
            target(&mut runner(10_000, seed))
                .unwrap_or_else(|e| panic!("{name} (seed {seed}): {e}"));
            inputs += 10_000;
        }
        println!(
            "{name}: {inputs} inputs in {:.0} s, no panic",
            start.elapsed().as_secs_f64()
        );
    }
}
