//! Helpers shared by the integration tests: the built binary on a temporary database.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_complaint-desk");

/// Standard output of a finished command as text.
pub fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("utf8 output")
}

/// A temporary directory with a database path in it.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Desk {
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("desk.db");
        Desk { dir, db }
    }

    /// The binary with this database, a fixed time zone, an agent and no config file.
    pub fn cmd(&self) -> Command {
        command(&self.db, self.dir.path())
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Adds a complaint; returns its number.
    pub fn add(&self, args: &[&str]) -> String {
        stdout(&self.cmd().arg("add").args(args).assert().success())
            .trim()
            .to_string()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().args(args).assert().success();
        serde_json::from_slice(&out.get_output().stdout).expect("json output")
    }
}

pub fn command(db: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TZ", "Asia/Shanghai")
        .env("COMPLAINT_DESK_AGENT", "王丽")
        .arg("--db")
        .arg(db);
    cmd
}

/// A typical Chinese complaint.
pub fn leak<'a>() -> Vec<&'a str> {
    vec![
        "--channel",
        "phone",
        "--name",
        "张伟",
        "--phone",
        "138 0013 8000",
        "--location",
        "3栋2单元1801",
        "--category",
        "漏水",
        "--description",
        "卫生间天花板漏水，\n楼下已经发霉。",
        "--outcome",
        "尽快维修",
        "--apologized",
    ]
}

impl Desk {
    /// `case NUMBER ARGS…` on this database (the outcome is for the caller to assert).
    pub fn case(&self, number: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd().arg("case").arg(number).args(args).assert()
    }

    /// `show NUMBER --format json`, which must succeed.
    pub fn show(&self, number: &str) -> serde_json::Value {
        self.json(&["show", number, "--format", "json"])
    }

    /// The binary with this database and the environment of `cmd`, started now as a child
    /// process but held in a shell until the file `gate` exists: several can be started
    /// before any of them runs. `args` follow `--db PATH`.
    pub fn gated(&self, gate: &Path, args: &[&str]) -> std::process::Child {
        let home = self.dir.path();
        std::process::Command::new("sh")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("TZ", "Asia/Shanghai")
            .env("COMPLAINT_DESK_AGENT", "王丽")
            .arg("-c")
            .arg(r#"gate="$1"; shift; while [ ! -e "$gate" ]; do sleep 0.005; done; exec "$@""#)
            .arg("sh")
            .arg(gate)
            .arg(BIN)
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    }
}

/// The kinds of a `show --format json` timeline, in order.
pub fn event_kinds(shown: &serde_json::Value) -> Vec<String> {
    shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_string())
        .collect()
}

/// A library desk on `db`, acting as 王丽 with the property preset, whose clock says
/// `rfc3339` (to place callbacks and revisits in the past for the binary, which runs on
/// the system clock). Its business calendar is in this process's zone, not the binary's:
/// assert no exact due time it computed.
pub fn desk_at(db: &Path, rfc3339: &str) -> complaint_desk::desk::Desk {
    use complaint_desk::config::{Config, Preset};
    let now = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("time")
        .with_timezone(&chrono::Utc);
    let store = complaint_desk::store::Store::open(db).expect("open");
    let config = Config::preset(Preset::PropertyManagement).expect("preset");
    complaint_desk::desk::Desk::new(
        store,
        config,
        "王丽",
        Box::new(complaint_desk::desk::FixedClock(now)),
    )
    .expect("desk")
}

/// The records of CSV text (a leading BOM is skipped), header included.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("csv record").iter().map(str::to_string).collect())
        .collect()
}
