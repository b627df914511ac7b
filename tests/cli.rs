//! CLI tests on the built binary and real database files.

mod common;

use common::{Desk, leak};
use predicates::prelude::*;

#[test]
fn chinese_text_round_trips_byte_exact_through_add_list_and_export() {
    let desk = Desk::new();
    let description = "卫生间天花板漏水，\n楼下已经发霉。「急」😀 \"引号\", 逗号";
    let number = desk.add(&[
        "--channel",
        "walk-in",
        "--name",
        "欧阳娜娜",
        "--phone",
        "021-6234 5678",
        "--location",
        "海底捞火锅(万达店)",
        "--category",
        "wall-crack",
        "--description",
        description,
        "--outcome",
        "开发商给个说法",
    ]);
    assert!(number.len() >= 13, "{number}");

    let list = desk.json(&["list", "--queue", "untriaged", "--format", "json"]);
    let row = &list.as_array().expect("array")[0];
    assert_eq!(row["number"], number.as_str());
    assert_eq!(row["name"], "欧阳娜娜");
    assert_eq!(row["description"], description);
    assert_eq!(row["outcome"], "开发商给个说法");
    assert_eq!(row["category"], "wall-crack");
    assert_eq!(row["channel"], "walk-in");
    assert_eq!(row["scope"], serde_json::Value::Null);
    assert_eq!(row["stage"], "received");
    assert_eq!(row["version"], 1);
    assert!(
        row["received_at"]
            .as_str()
            .expect("time")
            .ends_with("+08:00")
    );

    let json = desk.json(&["export", "--format", "json"]);
    assert_eq!(json[0]["description"], description);

    let out = desk
        .cmd()
        .args(["export", "--format", "csv"])
        .assert()
        .success();
    let bytes = out.get_output().stdout.clone();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "CSV export starts with a BOM"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().expect("header").clone();
    let record = reader.records().next().expect("one row").expect("row");
    let field = |name: &str| {
        record
            .get(headers.iter().position(|h| h == name).expect(name))
            .expect(name)
            .to_string()
    };
    assert_eq!(field("description"), description);
    assert_eq!(field("name"), "欧阳娜娜");
    assert_eq!(field("number"), number);

    let out = desk
        .cmd()
        .args(["export", "--format", "csv", "--no-bom"])
        .assert()
        .success();
    assert!(out.get_output().stdout.starts_with(b"number,"));
}

#[test]
fn export_to_a_file_is_owner_only_and_never_overwrites() {
    let desk = Desk::new();
    desk.add(&leak());
    let out = desk.path("export.csv");
    desk.cmd()
        .args(["export", "--format", "csv", "--out"])
        .arg(&out)
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    desk.cmd()
        .args(["--lang", "en", "export", "--format", "csv", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
}

#[test]
fn a_failed_add_explains_itself_and_changes_nothing() {
    let desk = Desk::new();
    desk.add(&leak());
    let mut bad = leak();
    bad[9] = "漏水x";
    desk.cmd()
        .arg("add")
        .args(&bad)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::starts_with("error: 未知的投诉类别“漏水x”")
                .and(predicate::str::contains("leak/漏水")),
        );
    let mut bad = leak();
    bad[5] = "12345678901234567890";
    desk.cmd()
        .args(["--lang", "en", "add"])
        .args(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: phone \"12345678901234567890\" does not look like a phone number",
        ));
    let mut bad = leak();
    bad[3] = "   ";
    desk.cmd()
        .args(["--lang", "en", "add"])
        .args(&bad)
        .assert()
        .code(1)
        .stderr("error: name is required\n");
    let list = desk.json(&["list", "--queue", "all", "--format", "json"]);
    assert_eq!(
        list.as_array().expect("array").len(),
        1,
        "nothing half-written"
    );
    let shown = desk.json(&[
        "show",
        list[0]["number"].as_str().expect("number"),
        "--format",
        "json",
    ]);
    assert_eq!(shown["events"].as_array().expect("events").len(), 1);
}

#[test]
fn usage_errors_exit_2() {
    let desk = Desk::new();
    desk.cmd()
        .args(["add", "--channel", "phone"])
        .assert()
        .code(2);
    desk.cmd()
        .args(["add", "--channel", "pigeon"])
        .assert()
        .code(2);
    desk.cmd()
        .args(["list", "--queue", "everything"])
        .assert()
        .code(2);
    desk.cmd().args(["--lang", "fr", "list"]).assert().code(2);
}

#[test]
fn numbers_follow_the_day_received_and_count_up() {
    let desk = Desk::new();
    let mut args = leak();
    args.extend(["--received-at", "2025-03-08 09:15"]);
    let a = desk.add(&args);
    let b = desk.add(&args);
    assert_eq!(a, "20250308-0001");
    assert_eq!(b, "20250308-0002");
    let shown = desk.json(&["show", "202503080002", "--format", "json"]);
    assert_eq!(shown["received_at"], "2025-03-08T09:15:00+08:00");
    assert_eq!(shown["events"][0]["agent"], "王丽");
    assert_eq!(shown["events"][0]["kind"], "received");
    assert_eq!(shown["callbacks"], serde_json::json!([]));
    assert_eq!(shown["revisits"], serde_json::json!([]));

    let mut future = leak();
    future.extend(["--received-at", "2099-01-01T00:00:00+08:00"]);
    desk.cmd()
        .arg("add")
        .args(&future)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("将来"));
    let mut garbage = leak();
    garbage.extend(["--received-at", "昨天"]);
    desk.cmd()
        .args(["--lang", "en", "add"])
        .args(&garbage)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "received time: \"昨天\" is not a date and time",
        ));
}

#[test]
fn show_and_table_never_print_escape_sequences() {
    let desk = Desk::new();
    let mut args = leak();
    args[11] = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}反转";
    let number = desk.add(&args);
    for cmd in [
        vec!["show", number.as_str()],
        vec!["list", "--queue", "all"],
    ] {
        let out = desk.cmd().args(&cmd).assert().success();
        let text = common::stdout(&out);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
            "{text}"
        );
        assert!(text.contains("␛]0;pwned␇␛[2J<U+202E>反转"), "{text}");
    }
    let shown = desk.json(&["show", &number, "--format", "json"]);
    assert_eq!(
        shown["description"], "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}反转",
        "stored as typed"
    );
}

#[test]
fn show_of_an_unknown_number_fails_clearly() {
    let desk = Desk::new();
    desk.cmd()
        .args(["--lang", "en", "show", "20260101-0042"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no complaint numbered 20260101-0042",
        ));
}

#[test]
fn list_table_is_localised_and_aligned() {
    let desk = Desk::new();
    desk.add(&leak());
    let out = desk.cmd().args(["--lang", "en", "list"]).assert().success();
    let text = common::stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Number"), "{text}");
    assert!(
        lines[1].contains("untriaged") && lines[1].contains("Leak"),
        "{text}"
    );
    let out = desk.cmd().args(["list"]).assert().success();
    let text = common::stdout(&out);
    let col = |line: &str, needle: &str| {
        let at = line.find(needle).expect(needle);
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(col(lines[0], "投诉人"), col(lines[1], "张伟"), "{text}");
    let empty = Desk::new();
    empty
        .cmd()
        .args(["--lang", "en", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing in this queue"));
}

#[test]
fn list_limits_and_streams() {
    let desk = Desk::new();
    desk.cmd()
        .args(["demo", "--count", "300", "--seed", "3"])
        .assert()
        .success();
    let page = desk.json(&[
        "list", "--queue", "all", "--format", "json", "--limit", "50",
    ]);
    assert_eq!(page.as_array().expect("array").len(), 50);
    let all = desk.json(&["list", "--queue", "all", "--format", "json", "--limit", "0"]);
    assert_eq!(all.as_array().expect("array").len(), 300);
    let times: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["received_at"].as_str().expect("t"))
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "all: newest first");
    let untriaged = desk.json(&[
        "list",
        "--queue",
        "untriaged",
        "--format",
        "json",
        "--limit",
        "0",
    ]);
    assert!(
        untriaged
            .as_array()
            .expect("array")
            .iter()
            .all(|r| r["scope"].is_null())
    );
    let closed = desk.json(&[
        "list", "--queue", "closed", "--format", "json", "--limit", "0",
    ]);
    assert!(!closed.as_array().expect("array").is_empty());
    assert!(
        closed
            .as_array()
            .expect("array")
            .iter()
            .all(|r| r["closed_at"].is_string())
    );
    let out = desk
        .cmd()
        .args(["list", "--queue", "all", "--format", "csv", "--limit", "5"])
        .assert()
        .success();
    let text = common::stdout(&out);
    assert!(
        text.starts_with("number,received_at,"),
        "list CSV has no BOM"
    );
    assert_eq!(
        csv::Reader::from_reader(text.as_bytes()).records().count(),
        5
    );
}

#[test]
fn config_prints_the_effective_configuration_and_refuses_bad_files() {
    let desk = Desk::new();
    let json = desk.json(&["config", "--format", "json"]);
    assert_eq!(json["preset"], "property-management");
    assert!(
        json["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .any(|c| c["zh"] == "墙面开裂")
    );
    let out = desk.cmd().args(["config"]).assert().success();
    let toml_text = common::stdout(&out);
    let file = desk.path("effective.toml");
    std::fs::write(&file, toml_text).expect("write");
    desk.cmd()
        .arg("--config")
        .arg(&file)
        .arg("config")
        .assert()
        .success();

    let bad = desk.path("bad.toml");
    std::fs::write(
        &bad,
        "preset = \"pest-control\"\nlanguage = \"en\"\nidle_lock_minutes = \"five\"\n",
    )
    .expect("write");
    desk.cmd()
        .arg("--config")
        .arg(&bad)
        .args(["list"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains(bad.display().to_string())
                .and(predicate::str::contains("line 3"))
                .and(predicate::str::contains("idle_lock_minutes")),
        );
    assert!(!desk.db.exists(), "a refused config opens no database");
}

#[test]
fn pest_control_preset_and_english_config() {
    let desk = Desk::new();
    let cfg = desk.path("pest.toml");
    std::fs::write(&cfg, "preset = \"pest-control\"\nlanguage = \"en\"\n").expect("write");
    let number = {
        let out = desk
            .cmd()
            .arg("--config")
            .arg(&cfg)
            .args([
                "add",
                "--channel",
                "chat",
                "--name",
                "Golden Dragon",
                "--phone",
                "+86 755 8888 6666",
                "--location",
                "Golden Dragon Restaurant",
                "--category",
                "蟑螂",
                "--description",
                "Cockroaches came back a week after the visit.",
            ])
            .assert()
            .success();
        common::stdout(&out).trim().to_string()
    };
    let out = desk
        .cmd()
        .arg("--config")
        .arg(&cfg)
        .args(["show", &number])
        .assert()
        .success();
    let text = common::stdout(&out);
    assert!(
        text.contains("Category") && text.contains("Cockroaches"),
        "{text}"
    );
}

#[test]
fn init_writes_config_once_and_prepares_the_database() {
    let desk = Desk::new();
    let cfg = desk.path("conf/config.toml");
    desk.cmd()
        .arg("--config")
        .arg(&cfg)
        .args(["--lang", "en", "init", "--preset", "pest-control"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote config").and(predicate::str::contains("is ready")));
    let text = std::fs::read_to_string(&cfg).expect("config written");
    assert!(text.contains("preset = \"pest-control\""));
    desk.cmd()
        .arg("--config")
        .arg(&cfg)
        .args(["--lang", "en", "init", "--preset", "property-management"])
        .assert()
        .success()
        .stdout(predicate::str::contains("kept existing config"));
    assert_eq!(std::fs::read_to_string(&cfg).expect("config"), text);
}

#[test]
fn default_paths_come_from_the_platform_dirs() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cmd = assert_cmd::Command::new(common::BIN);
    cmd.env_clear()
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("cfg"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("COMPLAINT_DESK_AGENT", "李娜")
        .args(["init"])
        .assert()
        .success();
    assert!(dir.path().join("cfg/complaint-desk/config.toml").exists());
    let db = dir.path().join("data/complaint-desk/complaint-desk.db");
    assert!(db.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(db.parent().expect("dir"))
            .expect("dir")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700, "data dir is owner-only");
    }
}

#[test]
fn the_example_config_loads_and_gives_the_defaults() {
    let desk = Desk::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let with = desk
        .cmd()
        .args(["--config", example, "config", "--format", "json"])
        .assert()
        .success();
    let without = desk
        .cmd()
        .args(["config", "--format", "json"])
        .assert()
        .success();
    assert_eq!(with.get_output().stdout, without.get_output().stdout);
}

#[test]
fn no_command_without_a_terminal_explains_and_touches_nothing() {
    let desk = Desk::new();
    desk.cmd()
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("needs a terminal"));
    desk.cmd()
        .assert()
        .code(1)
        .stderr(predicate::str::contains("需要在终端中运行"));
    assert!(!desk.db.exists(), "nothing touched");
}

#[test]
fn show_text_reads_in_both_languages() {
    let desk = Desk::new();
    let number = desk.add(&leak());
    let zh = desk.cmd().args(["show", &number]).assert().success();
    let zh = common::stdout(&zh);
    assert!(
        zh.contains("处理记录")
            && zh.contains("王丽  受理投诉")
            && zh.contains("渠道: 电话")
            && zh.contains("类别: 漏水"),
        "{zh}"
    );
    let line = zh
        .lines()
        .find(|l| l.starts_with("投诉内容"))
        .expect("description line");
    assert!(line.ends_with("  卫生间天花板漏水，"), "{zh}");
    assert!(
        zh.lines().any(|l| l.trim() == "楼下已经发霉。"),
        "second line of the description: {zh}"
    );
    let en = desk
        .cmd()
        .args(["--lang", "en", "show", &number])
        .assert()
        .success();
    let en = common::stdout(&en);
    assert!(
        en.contains("Timeline")
            && en.contains("Complaint received")
            && en.contains("Channel: Phone"),
        "{en}"
    );
}

// ---------------------------------------------------------------------------------------
// `case NUMBER ACTION`: the handling method on the command line.

#[test]
fn case_walks_an_in_scope_complaint_from_intake_to_close() {
    let desk = Desk::new();
    let n = desk.add(&leak());
    let step = |args: &[&str], stage: &str, version: i64| {
        desk.case(&n, args)
            .success()
            .stdout(format!("{n}：{stage}（版本 {version}）\n"))
            .stderr("");
    };
    step(
        &[
            "classify",
            "--scope",
            "in",
            "--type",
            "facility",
            "--severity",
            "general",
            "--intent",
            "genuine",
        ],
        "已受理",
        2,
    );
    step(
        &[
            "verify",
            "--motive",
            "担心楼下邻居索赔，想尽快修好",
            "--outcome",
            "维修并清理霉斑",
        ],
        "已核实",
        3,
    );
    step(
        &[
            "assess",
            "--facts",
            "1901 卫生间防水层破损，\n已拍照存档",
            "--severity",
            "serious",
        ],
        "已调查评估",
        4,
    );
    step(
        &[
            "plan",
            "--department",
            "工程部",
            "--actions",
            "更换防水层，清理霉斑",
            "--promised",
            "2099-01-05 10:00",
            "--confirmed",
            "--compensation",
            "150",
            "--gift",
            "清洁券一张",
        ],
        "已定解决方案",
        5,
    );
    step(&["reply", "--accepted"], "已回复客户", 6);
    step(
        &["remedied", "--note", "防水层已更换，客户确认"],
        "已补救",
        7,
    );
    step(
        &[
            "close",
            "--summary",
            "更换防水层并清理霉斑，赠清洁券",
            "--root-cause",
            "1901 防水层老化",
            "--lesson",
            "雨季前巡检卫生间防水",
        ],
        "已结案",
        8,
    );

    let shown = desk.show(&n);
    assert_eq!(shown["stage"], "closed");
    assert_eq!(shown["version"], 8);
    assert_eq!(shown["scope"], "in");
    assert_eq!(shown["party"], serde_json::Value::Null);
    assert_eq!(shown["type"], "facility");
    assert_eq!(shown["severity"], "serious");
    assert_eq!(shown["intent"], "genuine");
    assert_eq!(shown["outcome"], "维修并清理霉斑");
    assert!(
        shown["closed_at"]
            .as_str()
            .expect("closed")
            .ends_with("+08:00"),
        "{shown}"
    );
    assert_eq!(
        common::event_kinds(&shown),
        [
            "received",
            "classified",
            "verified",
            "assessed",
            "planned",
            "replied",
            "remedied",
            "closed"
        ]
    );
    let events = shown["events"].as_array().expect("events");
    let stages: Vec<(&str, &str)> = events[1..]
        .iter()
        .map(|e| {
            (
                e["from_stage"].as_str().expect("from"),
                e["to_stage"].as_str().expect("to"),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("received", "received"),
            ("received", "verified"),
            ("verified", "assessed"),
            ("assessed", "remedy_planned"),
            ("remedy_planned", "replied"),
            ("replied", "remedied"),
            ("remedied", "closed"),
        ]
    );
    assert!(events.iter().all(|e| e["agent"] == "王丽"));
    let h = &shown["handling"];
    assert_eq!(h["motive"], "担心楼下邻居索赔，想尽快修好");
    assert_eq!(h["facts"], "1901 卫生间防水层破损，\n已拍照存档");
    assert_eq!(h["plan"]["department"], "工程部");
    assert_eq!(h["plan"]["actions"], "更换防水层，清理霉斑");
    assert_eq!(h["plan"]["promised"], "2099-01-05T02:00:00Z");
    assert_eq!(h["plan"]["confirmed"], true);
    assert_eq!(h["plan"]["compensation"], 150);
    assert_eq!(h["plan"]["gift"], "清洁券一张");
    assert_eq!(h["plan"]["approval"]["state"], "not_needed");
    assert_eq!(h["reply"]["accepted"], true);
    assert_eq!(h["remedy_note"], "防水层已更换，客户确认");
    assert_eq!(h["summary"]["summary"], "更换防水层并清理霉斑，赠清洁券");
    assert_eq!(h["summary"]["root_cause"], "1901 防水层老化");
    assert_eq!(h["summary"]["lesson"], "雨季前巡检卫生间防水");
    assert_eq!(events[3]["detail"]["severity"], "serious");
    assert_eq!(events[4]["detail"]["promised"], "2099-01-05T02:00:00+00:00");

    // Closed: in the closed queue, not in the open one.
    let closed = desk.json(&["list", "--queue", "closed", "--format", "json"]);
    assert_eq!(closed[0]["number"], n.as_str());
    let open = desk.json(&["list", "--queue", "open", "--format", "json"]);
    assert_eq!(open, serde_json::json!([]));
    // The text form tells the story in Chinese.
    let text = common::stdout(&desk.cmd().args(["show", &n]).assert().success());
    assert!(
        text.contains("投诉结案") && text.contains("制定解决方案"),
        "{text}"
    );
}

#[test]
fn case_walks_an_out_of_scope_complaint_to_a_referred_close() {
    let desk = Desk::new();
    let n = desk.add(&[
        "--channel",
        "walk-in",
        "--name",
        "欧阳娜娜",
        "--phone",
        "021-6234 5678",
        "--location",
        "5栋101",
        "--category",
        "墙面开裂",
        "--description",
        "客厅墙面开裂，交房不到一年。",
        "--outcome",
        "开发商给个说法",
        "--apologized",
    ]);
    // Out of scope needs the party, and the customer told whose responsibility it is.
    desk.case(
        &n,
        &[
            "classify",
            "--scope",
            "out",
            "--party",
            "developer",
            "--severity",
            "general",
        ],
    )
    .code(1)
    .stdout("")
    .stderr(predicate::str::starts_with(
        "error: 非物业纠纷须先向客户说明责任归属（丑话说在前）",
    ));
    desk.case(
        &n,
        &[
            "classify",
            "--scope",
            "out",
            "--severity",
            "general",
            "--explained",
        ],
    )
    .code(1)
    .stderr("error: 责任方为必填项\n");
    desk.case(
        &n,
        &[
            "--lang",
            "en",
            "classify",
            "--scope",
            "out",
            "--party",
            "开发商",
            "--severity",
            "general",
            "--explained",
        ],
    )
    .code(1)
    .stderr(
        predicate::str::contains("开发商").and(predicate::str::contains(
            "developer, utility, municipality, neighbour, insurer, other",
        )),
    );
    assert_eq!(desk.show(&n)["version"], 1, "refusals change nothing");

    for (args, stage, version) in [
        (
            vec![
                "classify",
                "--scope",
                "out",
                "--party",
                "developer",
                "--severity",
                "general",
                "--explained",
            ],
            "已受理",
            2,
        ),
        (
            vec![
                "refer",
                "--to",
                "developer",
                "--note",
                "已转开发商售后，王经理",
            ],
            "已转责任方",
            3,
        ),
        (
            vec![
                "wait",
                "--on",
                "third-party",
                "--note",
                "等开发商一周内答复",
            ],
            "等待责任方",
            4,
        ),
        (vec!["close", "--referred"], "转交结案", 5),
    ] {
        desk.case(&n, &args)
            .success()
            .stdout(format!("{n}：{stage}（版本 {version}）\n"));
    }
    let shown = desk.show(&n);
    assert_eq!(shown["stage"], "closed_referred");
    assert_eq!(shown["version"], 5);
    assert_eq!(shown["scope"], "out");
    assert_eq!(shown["party"], "developer");
    assert_eq!(shown["explained"], true);
    assert_eq!(shown["category"], "wall-crack");
    assert!(shown["closed_at"].is_string());
    assert_eq!(
        common::event_kinds(&shown),
        ["received", "classified", "referred", "waiting", "closed"]
    );
    let events = &shown["events"];
    assert_eq!(events[1]["detail"]["party"], "developer");
    assert_eq!(events[1]["detail"]["explained"], true);
    assert_eq!(events[2]["detail"]["to"], "developer");
    assert_eq!(events[2]["to_stage"], "referred");
    assert_eq!(events[3]["detail"]["on"], "third-party");
    assert_eq!(events[3]["to_stage"], "waiting_on_party");
    assert_eq!(events[4]["detail"]["referred"], true);
    assert_eq!(events[4]["to_stage"], "closed_referred");
    let referral = &shown["handling"]["referrals"][0];
    assert_eq!(referral["to"], "developer");
    assert_eq!(referral["note"], "已转开发商售后，王经理");
    assert_eq!(shown["handling"]["plan"], serde_json::Value::Null);
}

#[test]
fn case_errors_exit_1_with_one_line_and_usage_errors_exit_2() {
    let desk = Desk::new();
    let n = desk.add(&leak());
    desk.case(&n, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    // A move the stage does not allow: exit 1, one Chinese `error:` line naming the stage
    // and what is possible, nothing on stdout, nothing changed.
    desk.case(
        &n,
        &["close", "--summary", "修好了", "--root-cause", "老化", "--lesson", "巡检"],
    )
    .code(1)
    .stdout("")
    .stderr(
        "error: 处于“已受理”阶段的投诉不能结案：结案前须完成补救（物业纠纷）或完成转交（非物业纠纷）；\
         当前可进行：判定类型、核实投诉、升级、转介外部机构、等待客户\n",
    );
    desk.case(&n, &["--lang", "en", "refer", "--to", "developer"])
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: cannot refer to the responsible party a complaint at stage \"Received\": \
             it is in scope: it is handled here, not referred; possible now: classify, verify,",
        ));
    // A guard of the move's content.
    desk.case(&n, &["escalate", "--reason", "降级", "--severity", "minor"])
        .code(1)
        .stderr("error: 升级须提高严重程度；“minor”不高于当前等级\n");
    // A date promised before the department confirmed: the domain's message, not clap's.
    let m = desk.add(&leak());
    desk.case(&m, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    desk.case(&m, &["verify", "--motive", "想修好", "--outcome", "维修"])
        .success();
    desk.case(&m, &["assess", "--facts", "漏水属实"]).success();
    desk.case(
        &m,
        &[
            "plan",
            "--department",
            "工程部",
            "--actions",
            "修",
            "--promised",
            "2099-01-05 10:00",
        ],
    )
    .code(1)
    .stderr(predicate::str::starts_with(
        "error: 责任部门确认方案之前不得向客户承诺日期",
    ));
    // No such complaint.
    desk.case(
        "20260101-0042",
        &["verify", "--motive", "x", "--outcome", "y"],
    )
    .code(1)
    .stderr(predicate::str::starts_with(
        "error: 没有编号为 20260101-0042 的投诉",
    ));
    // A stale version.
    desk.case(
        &n,
        &[
            "--expect-version",
            "1",
            "verify",
            "--motive",
            "想修好",
            "--outcome",
            "维修",
        ],
    )
    .code(1)
    .stderr(predicate::str::contains("已被 王丽").and(predicate::str::contains("版本 1，现为 2")));
    let shown = desk.show(&n);
    assert_eq!(shown["version"], 2, "refused moves change nothing");
    assert_eq!(shown["events"].as_array().expect("events").len(), 2);

    // Usage errors (clap): exit 2, nothing changed.
    for args in [
        vec!["reply"],
        vec!["reply", "--accepted", "--declined"],
        vec!["classify", "--scope", "sideways", "--severity", "minor"],
        vec!["classify", "--scope", "in"],
        vec!["fly"],
        vec!["wait", "--on", "neighbour"],
        vec![
            "plan",
            "--department",
            "工程部",
            "--actions",
            "修",
            "--compensation",
            "-5",
        ],
        vec![
            "--expect-version",
            "two",
            "verify",
            "--motive",
            "x",
            "--outcome",
            "y",
        ],
        vec!["revisit"],
    ] {
        desk.case(&n, &args).code(2);
    }
    desk.cmd().args(["case"]).assert().code(2);
    assert_eq!(desk.show(&n)["version"], 2);
}

#[test]
fn two_processes_acting_on_the_same_version_one_wins_the_other_is_told_who() {
    let desk = Desk::new();
    let n = desk.add(&leak());
    desk.case(&n, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    for round in 0..3 {
        let before = desk.show(&n);
        let version = before["version"].as_i64().expect("version").to_string();
        let gate = desk.path(&format!("go-{round}"));
        let reason = format!("第{round}轮：业主群里有视频");
        let a = desk.gated(
            &gate,
            &[
                "--agent",
                "甲",
                "case",
                &n,
                "--expect-version",
                &version,
                "escalate",
                "--reason",
                &reason,
            ],
        );
        let b = desk.gated(
            &gate,
            &[
                "--agent",
                "乙",
                "case",
                &n,
                "--expect-version",
                &version,
                "refer",
                "--to",
                "consumer-association",
                "--note",
                "告知可向消协反映",
            ],
        );
        // Both are started (held by the gate) before either runs.
        std::fs::write(&gate, b"").expect("open the gate");
        let outs = [
            ("甲", a.wait_with_output().expect("a")),
            ("乙", b.wait_with_output().expect("b")),
        ];
        let winners: Vec<&str> = outs
            .iter()
            .filter(|(_, o)| o.status.success())
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(winners.len(), 1, "exactly one succeeds: {outs:?}");
        let winner = winners[0];
        let (_, loser) = outs
            .iter()
            .find(|(_, o)| !o.status.success())
            .expect("one fails");
        assert_eq!(loser.status.code(), Some(1));
        let err = String::from_utf8_lossy(&loser.stderr);
        assert!(
            err.starts_with(&format!("error: 投诉 {n} 在您打开后已被 {winner} 于 "))
                && err.contains(&format!(
                    "（版本 {version}，现为 {}）",
                    before["version"].as_i64().unwrap_or(0) + 1
                ))
                && err.lines().count() == 1,
            "{err}"
        );
        assert!(loser.stdout.is_empty());
        let after = desk.show(&n);
        assert_eq!(
            after["version"],
            before["version"].as_i64().unwrap_or(0) + 1
        );
        let (old, new) = (
            before["events"].as_array().expect("events"),
            after["events"].as_array().expect("events"),
        );
        assert_eq!(new.len(), old.len() + 1, "exactly one new event");
        assert_eq!(&new[..old.len()], &old[..]);
        let last = new.last().expect("event");
        assert_eq!(last["agent"], winner);
        assert_eq!(
            last["kind"],
            if winner == "甲" {
                "escalated"
            } else {
                "external_referral"
            }
        );
    }
}
