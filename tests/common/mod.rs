//! Helpers shared by the integration tests: the built binary on a temporary database.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

pub mod pg;

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_complaint-desk");

/// SQL that takes a file of the current schema back to schema 14 as the binary of then
/// left it (undoes migrations 23, the case library, 22, the merged cases' primary, 21, the
/// related cases' index, 20, the imports, 19, the report's summary, 18, the index of scoped
/// counts, 17, the agents' sites, 16, the care calls, and 15, the site and further
/// categories).
/// A test that sets a file back further runs it first.
pub const BACK_TO_14: &str = "DROP TABLE library_search;
     DROP TABLE library_cards;
     DROP INDEX complaints_merged_into;
     ALTER TABLE complaints DROP COLUMN merged_into;
     DROP INDEX complaints_related;
     DROP TABLE imported_rows;
     DROP TABLE import_staged;
     DROP TABLE imports;
     DROP INDEX events_counted;
     DROP TABLE report_days;
     DROP TABLE report_cases;
     DROP TABLE report_state;
     DROP INDEX complaints_site_closed;
     DROP TABLE agent_sites;
     DROP TABLE care_calls;
     DROP INDEX complaints_site;
     ALTER TABLE complaints DROP COLUMN site;
     ALTER TABLE complaints DROP COLUMN extra_categories;
     PRAGMA user_version = 14;";

/// Standard output of a finished command as text.
pub fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("utf8 output")
}

/// A temporary directory with a database path in it.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

/// The admin every test database starts with, and their secret.
pub const ADMIN: &str = "管理员";
pub const ADMIN_SECRET: &str = "9999";
/// The secret of the agents registered beside the admin.
pub const AGENT_SECRET: &str = "2580";
/// The agents registered beside the admin: (name, role).
pub const AGENTS: &[(&str, &str)] = &[
    ("王丽", "agent"),
    ("李娜", "supervisor"),
    ("赵强", "manager"),
];

/// A database with the admin and [`AGENTS`] registered through the binary (`agent add`),
/// made once per test binary: hashing secrets costs ~0.1 s each.
fn template() -> &'static Path {
    static TEMPLATE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("template.db");
        command(&db, dir.path())
            .env("COMPLAINT_DESK_NEW_SECRET", ADMIN_SECRET)
            .args(["agent", "add", ADMIN])
            .assert()
            .success();
        for (name, role) in AGENTS {
            command(&db, dir.path())
                .env("COMPLAINT_DESK_AGENT", ADMIN)
                .env("COMPLAINT_DESK_SECRET", ADMIN_SECRET)
                .env("COMPLAINT_DESK_NEW_SECRET", AGENT_SECRET)
                .args(["agent", "add", name, "--role", role])
                .assert()
                .success();
        }
        dir
    });
    Box::leak(dir.path().join("template.db").into_boxed_path())
}

impl Desk {
    /// A temporary database with the admin and [`AGENTS`] registered.
    pub fn new() -> Desk {
        let desk = Desk::empty();
        std::fs::copy(template(), &desk.db).expect("copy the template database");
        desk
    }

    /// A temporary directory where the database does not exist yet.
    pub fn empty() -> Desk {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("desk.db");
        Desk { dir, db }
    }

    /// The binary acting as `agent` with their secret in the environment.
    pub fn as_agent(&self, agent: &str) -> Command {
        let secret = if agent == ADMIN {
            ADMIN_SECRET
        } else {
            AGENT_SECRET
        };
        let mut cmd = self.cmd();
        cmd.env("COMPLAINT_DESK_AGENT", agent)
            .env("COMPLAINT_DESK_SECRET", secret);
        cmd
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

    /// JSON output of a command run as `agent` with their secret.
    pub fn json_as(&self, agent: &str, args: &[&str]) -> serde_json::Value {
        let out = self.as_agent(agent).args(args).assert().success();
        serde_json::from_slice(&out.get_output().stdout).expect("json output")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().args(args).assert().success();
        serde_json::from_slice(&out.get_output().stdout).expect("json output")
    }
}

/// The environment of every command: nothing inherited but PATH, a home of its own, a fixed
/// time zone, 王丽 acting.
fn test_env(home: &Path) -> Vec<(&'static str, OsString)> {
    vec![
        ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ("HOME", home.into()),
        ("XDG_CONFIG_HOME", home.join("config").into()),
        ("XDG_DATA_HOME", home.join("data").into()),
        ("TZ", "Asia/Shanghai".into()),
        ("COMPLAINT_DESK_AGENT", "王丽".into()),
    ]
}

/// The binary on `db` in the test environment; a run still going after [`STUCK`] is killed
/// and fails.
pub fn command(db: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(test_env(home))
        .timeout(STUCK)
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
    /// The binary in the test environment under umask 000 (a shell sets it, then becomes the
    /// binary), without `--db`: `args` are all its arguments.
    pub fn with_umask_000(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("sh");
        cmd.env_clear()
            .envs(test_env(self.dir.path()))
            .timeout(STUCK)
            .arg("-c")
            .arg(r#"umask 000; exec "$0" "$@""#)
            .arg(BIN)
            .args(args);
        cmd
    }

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
    pub fn gated(&self, gate: &Path, args: &[&str]) -> KillOnDrop<std::process::Child> {
        spawn(
            std::process::Command::new("sh")
                .env_clear()
                .envs(test_env(self.dir.path()))
                .arg("-c")
                .arg(r#"gate="$1"; shift; while [ ! -e "$gate" ]; do sleep 0.005; done; exec "$@""#)
                .arg("sh")
                .arg(gate)
                .arg(BIN)
                .arg("--db")
                .arg(&self.db)
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
    }

    /// The binary with this database and the environment of `cmd`, to start as a child
    /// process held by the test ([`spawn`]). `args` follow `--db PATH`.
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(BIN);
        cmd.env_clear()
            .envs(test_env(self.dir.path()))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }
}

/// How long a child process may take before it counts as stuck: far beyond what a loaded
/// debug build needs, so reaching it means something hangs.
pub const STUCK: Duration = Duration::from_secs(120);

/// A child process a test can end at once.
pub trait Kill {
    /// Kills the process (SIGKILL: no handler runs) and reaps it; errors are ignored, the
    /// process may have exited already.
    fn kill_and_reap(&mut self);
}

impl Kill for std::process::Child {
    fn kill_and_reap(&mut self) {
        let _ = self.kill();
        let _ = self.wait();
    }
}

impl Kill for Box<dyn portable_pty::Child + Send + Sync> {
    fn kill_and_reap(&mut self) {
        // portable-pty's own `kill` sends SIGHUP first, which the app handles; SIGKILL it.
        let child: &mut dyn portable_pty::Child = &mut **self;
        if let Some(process) = child.downcast_mut::<std::process::Child>() {
            process.kill_and_reap();
        } else {
            let _ = self.kill();
            let _ = self.wait();
        }
    }
}

/// A child process that is killed and reaped when dropped: a failing test leaves no process
/// behind (a `demo` would go on writing into a deleted temporary directory).
pub struct KillOnDrop<C: Kill>(C);

impl<C: Kill> KillOnDrop<C> {
    pub fn new(child: C) -> Self {
        KillOnDrop(child)
    }
}

impl<C: Kill> std::ops::Deref for KillOnDrop<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

impl<C: Kill> std::ops::DerefMut for KillOnDrop<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.0
    }
}

impl<C: Kill> Drop for KillOnDrop<C> {
    fn drop(&mut self) {
        self.0.kill_and_reap();
    }
}

/// Starts `cmd` as a guarded child process.
pub fn spawn(cmd: &mut std::process::Command) -> KillOnDrop<std::process::Child> {
    KillOnDrop::new(cmd.spawn().expect("spawn a child process"))
}

impl KillOnDrop<std::process::Child> {
    /// Waits for the process to exit and collects what it wrote to its piped stdout and
    /// stderr. Fails the test (the process killed) if it is still running after [`STUCK`].
    pub fn output(mut self) -> Output {
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let out = drain(
            self.stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err = drain(
            self.stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let status = self.wait_exit();
        Output {
            status,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
        }
    }

    /// Waits for the process to exit; fails the test (the process killed) after [`STUCK`].
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.try_wait().expect("poll a child process") {
                return status;
            }
            assert!(
                start.elapsed() < STUCK,
                "child process {} still running after {STUCK:?}",
                self.id()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
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

/// The moves that carry an in-scope complaint of `severity` from intake to its remedy (its
/// revisits planned): classify, verify, assess, plan, a reply accepted, remedied.
pub fn to_remedied(severity: &str) -> Vec<complaint_desk::domain::handling::Action> {
    use complaint_desk::domain::complaint::{Intent, Scope};
    use complaint_desk::domain::handling::Action;
    vec![
        Action::Classify {
            scope: Scope::In,
            party: None,
            complaint_type: None,
            severity: severity.into(),
            intent: Intent::Genuine,
            spread_risk: false,
            explained: false,
        },
        Action::Verify {
            motive: "希望尽快处理".into(),
            outcome: "修好".into(),
            mood: None,
        },
        Action::Assess {
            facts: "现场核实属实".into(),
            severity: None,
        },
        Action::Plan {
            department: "工程维修部".into(),
            actions: "上门维修".into(),
            promised: None,
            confirmed: false,
            compensation: None,
            gift: None,
        },
        Action::Reply {
            accepted: true,
            alternatives: String::new(),
        },
        Action::Remedied {
            note: "已修复".into(),
        },
    ]
}

/// A raw connection on a new WAL file at `db` with the schema of version 6 (the SQL
/// migrations 1–6 as they shipped), for upgrade tests to fill with old rows.
pub fn schema_6_file(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).expect("raw");
    conn.execute_batch("PRAGMA journal_mode = WAL")
        .expect("wal");
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    for n in 1..=6 {
        let file = std::fs::read_dir(&migrations)
            .expect("dir")
            .filter_map(Result::ok)
            .find(|f| {
                f.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("000{n}_"))
            })
            .expect("migration file");
        conn.execute_batch(&std::fs::read_to_string(file.path()).expect("sql"))
            .expect("old migration");
    }
    conn
}

/// The moves that refer an out-of-scope leak to the developer (classify with the party
/// explained up front, then refer): a case at stage "Referred".
pub const REFER_TO_DEVELOPER: [&[&str]; 2] = [
    &[
        "classify",
        "--scope",
        "out",
        "--party",
        "developer",
        "--severity",
        "general",
        "--explained",
    ],
    &["refer", "--to", "developer"],
];
