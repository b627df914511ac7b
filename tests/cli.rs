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

    let json = desk.json_as(common::ADMIN, &["export", "--format", "json"]);
    assert_eq!(json[0]["description"], description);

    let out = desk
        .as_agent(common::ADMIN)
        .args(["export", "--format", "csv", "--headers", "keys"])
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
        .as_agent(common::ADMIN)
        .args(["export", "--format", "csv", "--no-bom"])
        .assert()
        .success();
    assert!(
        out.get_output()
            .stdout
            .starts_with("编号,受理时间,".as_bytes())
    );
}

#[test]
fn export_to_a_file_is_owner_only_and_never_overwrites() {
    let desk = Desk::new();
    desk.add(&leak());
    let out = desk.path("export.csv");
    desk.as_agent(common::ADMIN)
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
    desk.as_agent(common::ADMIN)
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

/// `--lang zh-TW` (and `zh_tw`) prints Traditional headers, aligned like zh-CN.
#[test]
fn list_in_zh_tw_is_traditional() {
    let desk = Desk::new();
    desk.add(&leak());
    for tag in ["zh-TW", "zh_tw"] {
        let out = desk.cmd().args(["--lang", tag, "list"]).assert().success();
        let text = common::stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("編號"), "{text}");
        assert!(
            lines[0].contains("客訴人") && lines[0].contains("類別"),
            "{text}"
        );
        assert!(!lines[0].contains("投诉人"), "{text}");
        let col = |line: &str, needle: &str| {
            let at = line.find(needle).expect(needle);
            unicode_width::UnicodeWidthStr::width(&line[..at])
        };
        assert_eq!(col(lines[0], "客訴人"), col(lines[1], "张伟"), "{text}");
    }
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
        lines[1].contains("Untriaged") && lines[1].contains("Leak"),
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
    desk.as_agent(common::ADMIN)
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
    let desk = Desk::empty();
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
fn a_number_out_of_range_is_refused_at_load_and_nothing_is_written() {
    // The issue: 4·10⁹ hours passed validation and the app died on its timer.
    let text = "preset = \"property-management\"\nlanguage = \"en\"\n\n[follow_up]\n\
                retry_hours = 2\nescalate_after_hours = 4000000000\n";
    for desk in [Desk::empty(), Desk::new()] {
        let cfg = desk.path("big.toml");
        std::fs::write(&cfg, text).expect("write");
        let before = std::fs::read(&desk.db).ok();
        desk.cmd()
            .arg("--config")
            .arg(&cfg)
            .arg("add")
            .args(leak())
            .assert()
            .code(1)
            .stdout("")
            .stderr(format!(
                "error: config {}, line 6, key follow_up.escalate_after_hours: 4000000000 is \
                 out of range; allowed 1 to 8760\n",
                cfg.display()
            ));
        assert_eq!(
            std::fs::read(&desk.db).ok(),
            before,
            "the database is untouched"
        );
        assert_eq!(std::fs::read_to_string(&cfg).expect("config"), text);
    }
    // The same in Chinese, and the other refusals at load: an empty database path, bytes
    // that are not UTF-8.
    let desk = Desk::empty();
    let cfg = desk.path("big.toml");
    let refusals: [(&[u8], &[&str], &str); 3] = [
        (
            text.as_bytes(),
            &["--lang", "zh-CN"],
            "第 6 行，键 follow_up.escalate_after_hours：4000000000 超出范围，允许 1 至 8760",
        ),
        (
            b"language = \"en\"\n\ndatabase = \"  \"\n",
            &[],
            "line 3, key database: may not be empty",
        ),
        (
            b"language = \"en\"\n# caf\xe9\n",
            &[],
            "line 2, column 6 (byte offset 21): not UTF-8 text",
        ),
    ];
    for (file, args, says) in refusals {
        std::fs::write(&cfg, file).expect("write");
        desk.cmd()
            .args(args)
            .arg("--config")
            .arg(&cfg)
            .arg("list")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(says));
    }
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

/// On a pest-control desk the tables, `show` and the scope's names speak its words: the
/// address, the contact, whose responsibility; never the property desk's.
#[test]
fn the_command_line_speaks_the_pest_control_desks_words() {
    let desk = Desk::new();
    let cfg = desk.path("pest.toml");
    std::fs::write(&cfg, "preset = \"pest-control\"\n").expect("write");
    let run = |args: &[&str]| {
        let out = desk
            .cmd()
            .arg("--config")
            .arg(&cfg)
            .args(args)
            .assert()
            .success();
        common::stdout(&out)
    };
    let number = run(&[
        "add",
        "--channel",
        "phone",
        "--name",
        "周经理",
        "--phone",
        "13900002222",
        "--location",
        "朝阳区建国路88号 后厨",
        "--category",
        "相邻虫源",
        "--description",
        "隔壁商户装修以后，虫子一直往我们这边跑",
    ]);
    let number = number.trim();
    // The scope by the desk's own name for it.
    run(&[
        "case",
        number,
        "classify",
        "--scope",
        "他方责任",
        "--party",
        "neighbour",
        "--severity",
        "general",
        "--explained",
    ]);
    let property = ["物业", "业主", "房号", "小区"];
    for args in [
        vec!["list", "--queue", "all"],
        vec!["show", number],
        vec!["search", "虫子"],
    ] {
        let text = run(&args);
        assert!(
            text.contains("地址/区域") && text.contains("联系人"),
            "{args:?}: {text}"
        );
        assert!(
            !property.iter().any(|w| text.contains(w)),
            "{args:?}: {text}"
        );
    }
    assert!(run(&["show", number]).contains("他方责任"));
    let text = run(&["--lang", "en", "show", number]);
    assert!(
        text.contains("Another party's") && text.contains("Contact"),
        "{text}"
    );
    let text = run(&["--lang", "zh-TW", "list", "--queue", "all"]);
    assert!(
        text.contains("地址/區域") && text.contains("聯絡人"),
        "{text}"
    );
    // A refusal names the field in the desk's words too.
    let out = desk
        .cmd()
        .arg("--config")
        .arg(&cfg)
        .args([
            "add",
            "--channel",
            "phone",
            "--name",
            "周经理",
            "--phone",
            "13900002222",
        ])
        .args([
            "--location",
            " ",
            "--category",
            "蟑螂",
            "--description",
            "又有蟑螂",
        ])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("地址/区域") && !err.contains("房号"), "{err}");
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

/// `init --preset` takes the IT desk by its key or its name in any language, and the file it
/// writes gives that desk: technical versus service first, the IT categories.
#[test]
fn init_with_the_it_services_preset_by_key_or_name() {
    for (lang, preset) in [
        ("en", "it-services"),
        ("zh-CN", "网络/IT 服务"),
        ("zh-TW", "網路/IT 服務"),
        ("en", "it services"),
    ] {
        let desk = Desk::empty();
        let cfg = desk.path("config.toml");
        desk.cmd()
            .arg("--config")
            .arg(&cfg)
            .args(["--lang", lang, "init", "--preset", preset])
            .assert()
            .success()
            .stdout(predicate::str::contains("it-services"))
            .stderr("");
        let text = std::fs::read_to_string(&cfg).expect("config written");
        assert!(
            text.contains("preset = \"it-services\""),
            "{preset}: {text}"
        );
        let config = desk.json(&[
            "--config",
            cfg.to_str().expect("path"),
            "config",
            "--format",
            "json",
        ]);
        assert_eq!(config["preset"], "it-services");
        let keys = |section: &str| -> Vec<String> {
            config[section]
                .as_array()
                .expect(section)
                .iter()
                .map(|x| x["key"].as_str().expect("key").to_string())
                .collect()
        };
        assert_eq!(keys("types"), ["technical", "service"]);
        assert!(keys("categories").contains(&"bug-after-acceptance".to_string()));
    }
}

/// An IT complaint walked on the command line, on the desk `init --preset it-services`
/// set up: a site down, classified technical in scope; no fix date promised until the
/// technical department confirms; a service credit within the front line's limit; the
/// serious-case revisits; closed.
#[test]
fn case_walks_an_it_complaint_from_intake_to_close() {
    let desk = Desk::new();
    desk.cmd()
        .args(["init", "--preset", "it-services"])
        .assert()
        .success()
        .stdout(predicate::str::contains("（预设 it-services）"));
    let n = desk.add(&[
        "--channel",
        "email",
        "--name",
        "刘洋",
        "--phone",
        "0755-8888 6666",
        "--location",
        "官网/订单模块",
        "--category",
        "网站/系统无法访问",
        "--description",
        "官网从早上九点起打不开，一直 502，客户下不了单。",
        "--outcome",
        "今天恢复访问，并说明原因",
        "--apologized",
    ]);
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
            "技术类投诉",
            "--severity",
            "critical",
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
            "担心订单流失，想知道什么时候能恢复",
            "--outcome",
            "今天恢复访问，并说明原因",
        ],
        "已核实",
        3,
    );
    step(
        &[
            "assess",
            "--facts",
            "负载均衡配置变更后证书失效，技术部已定位",
        ],
        "已调查评估",
        4,
    );
    // A date for the fix before the technical department confirmed: refused, nothing
    // changed.
    let plan = [
        "plan",
        "--department",
        "技术部",
        "--actions",
        "回滚负载均衡配置，补充证书到期告警",
        "--promised",
        "2099-01-05 12:00",
        "--compensation",
        "300",
    ];
    desk.case(&n, &plan).code(1).stdout("").stderr(
        "error: 责任部门确认方案之前不得向客户承诺日期：部门确认后再勾选确认，或不填日期\n",
    );
    assert_eq!(desk.show(&n)["version"], 4, "the refusal changes nothing");
    step(&[&plan[..], &["--confirmed"]].concat(), "已定解决方案", 5);
    step(&["reply", "--accepted"], "已回复客户", 6);
    step(
        &["remedied", "--note", "配置已回滚，客户确认可以下单"],
        "回访中",
        7,
    );
    let roles: Vec<String> = desk.show(&n)["revisits"]
        .as_array()
        .expect("revisits")
        .iter()
        .map(|r| r["role"].as_str().expect("role").to_string())
        .collect();
    assert_eq!(roles, ["agent", "supervisor", "manager"]);
    for comment in ["运行正常", "已稳定一周", "满意，续签维护合同"] {
        step(
            &[
                "revisit",
                "record",
                "--satisfaction",
                "5",
                "--comment",
                comment,
            ],
            "回访中",
            7,
        );
    }
    step(
        &[
            "close",
            "--summary",
            "回滚配置恢复访问，赠一个月维护期抵扣",
            "--root-cause",
            "变更未经复核，证书未随配置迁移",
            "--lesson",
            "上线变更双人复核，证书到期提前告警",
        ],
        "已结案",
        8,
    );

    let shown = desk.show(&n);
    assert_eq!(shown["category"], "site-down");
    assert_eq!(shown["type"], "technical");
    assert_eq!(shown["severity"], "critical");
    let plan = &shown["handling"]["plan"];
    assert_eq!(plan["department"], "技术部");
    assert_eq!(plan["confirmed"], true);
    assert_eq!(plan["promised"], "2099-01-05T04:00:00Z");
    assert_eq!(plan["compensation"], 300);
    assert_eq!(
        plan["approval"]["state"], "not_needed",
        "within the agent's limit"
    );
    let kinds = common::event_kinds(&shown);
    assert_eq!(
        kinds,
        [
            "received",
            "classified",
            "verified",
            "assessed",
            "planned",
            "replied",
            "remedied",
            "revisited",
            "revisited",
            "revisited",
            "closed"
        ]
    );
    // The desk's names in both Chinese interfaces.
    let text = common::stdout(&desk.cmd().args(["show", &n]).assert().success());
    assert!(
        text.contains("类别: 网站/系统无法访问") && text.contains("技术类投诉"),
        "{text}"
    );
    let text = common::stdout(
        &desk
            .cmd()
            .args(["--lang", "zh-TW", "show", &n])
            .assert()
            .success(),
    );
    assert!(
        text.contains("網站/系統無法連線") && text.contains("技術類客訴"),
        "{text}"
    );
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
    let desk = Desk::empty();
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
    // Serious: the preset's serious-case revisit plan starts (agent, supervisor, manager).
    step(
        &["remedied", "--note", "防水层已更换，客户确认"],
        "回访中",
        7,
    );
    let roles: Vec<String> = desk.show(&n)["revisits"]
        .as_array()
        .expect("revisits")
        .iter()
        .map(|r| r["role"].as_str().expect("role").to_string())
        .collect();
    assert_eq!(roles, ["agent", "supervisor", "manager"]);
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
            ("replied", "revisiting"),
            ("revisiting", "closed"),
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
        "error: 他方责任的投诉须先向客户说明责任归属（丑话说在前）",
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
            "开发",
            "--severity",
            "general",
            "--explained",
        ],
    )
    .code(1)
    .stderr(
        predicate::str::starts_with(
            "error: unknown responsible party \"开发\"; known: developer, ",
        )
        .and(predicate::str::contains("insurer"))
        .and(predicate::str::ends_with("\n").and(predicate::str::contains('\n').count(1))),
    );
    assert_eq!(desk.show(&n)["version"], 1, "refusals change nothing");

    for (args, stage, version) in [
        (
            vec![
                "classify",
                "--scope",
                "非物业纠纷（他方责任）",
                "--party",
                "开发商",
                "--severity",
                "general",
                "--explained",
            ],
            "已受理",
            2,
        ),
        (
            vec!["refer", "--to", "建商", "--note", "已转开发商售后，王经理"],
            "已转责任方",
            3,
        ),
        (
            vec!["wait", "--on", "责任方", "--note", "等开发商一周内答复"],
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
        "error: 处于“已受理”阶段的投诉不能结案：结案前须完成补救（本方责任）或完成转交（他方责任）；\
         当前可进行：判定类型、核实投诉、升级、转介外部机构、等待客户、转办\n",
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
                "王丽",
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
                "李娜",
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
        let outs = [("王丽", a.output()), ("李娜", b.output())];
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
            if winner == "王丽" {
                "escalated"
            } else {
                "external_referral"
            }
        );
    }
}

// ---------------------------------------------------------------------------------------
// The follow-up queues (`list --queue callbacks|revisits`) and actions (`case N callback`,
// `case N revisit`). The binary runs on the system clock: what must be overdue is placed
// in 2020 by a library desk on the same file; what must not is due in 2099.

/// The complaint keys every queue row carries, besides its own.
const COMPLAINT_KEYS: [&str; 16] = [
    "number",
    "received_at",
    "channel",
    "name",
    "phone",
    "location",
    "category",
    "description",
    "outcome",
    "apologized",
    "scope",
    "party",
    "severity",
    "stage",
    "version",
    "closed_at",
];

/// A leak as the library takes it.
fn leak_intake() -> complaint_desk::domain::complaint::NewComplaint {
    complaint_desk::domain::complaint::NewComplaint {
        channel: Some(complaint_desk::domain::complaint::Channel::Phone),
        name: "张伟".into(),
        phone: "13800138000".into(),
        location: "3栋2单元1801".into(),
        category: "漏水".into(),
        description: "卫生间天花板漏水".into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

/// Through the library at the desk's (past) time: a complaint classified in scope at
/// `severity`, and with `remedy` walked on to its remedy (revisits planned); its number.
fn walk_in_the_past(desk: &mut complaint_desk::desk::Desk, severity: &str, remedy: bool) -> String {
    use complaint_desk::domain::complaint::{Intent, Scope};
    use complaint_desk::domain::handling::Action;
    let n = desk.intake(&leak_intake()).expect("intake").number;
    let mut steps = vec![Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: None,
        severity: severity.into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    }];
    if remedy {
        steps.extend([
            Action::Verify {
                motive: "想尽快修好".into(),
                outcome: "维修".into(),
                mood: None,
            },
            Action::Assess {
                facts: "防水层破损".into(),
                severity: None,
            },
            Action::Plan {
                department: "工程部".into(),
                actions: "更换防水层".into(),
                promised: None,
                confirmed: true,
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
        ]);
    }
    for step in &steps {
        desk.act(&n, None, step).expect("move");
    }
    n
}

fn due_at(row: &serde_json::Value) -> chrono::DateTime<chrono::FixedOffset> {
    let text = row["due_at"].as_str().expect("due_at");
    assert!(text.ends_with("+08:00"), "local offset: {text}");
    chrono::DateTime::parse_from_rfc3339(text).expect("rfc3339")
}

#[test]
fn callback_and_revisit_queues_in_json_csv_and_table() {
    let desk = Desk::new();
    // An untriaged complaint owes nothing yet: both queues are empty, in every format.
    desk.add(&leak());
    for queue in ["callbacks", "revisits"] {
        desk.cmd()
            .args(["list", "--queue", queue])
            .assert()
            .success()
            .stdout(predicate::str::ends_with("\n此队列为空\n"));
        desk.cmd()
            .args(["--lang", "en", "list", "--queue", queue])
            .assert()
            .success()
            .stdout(predicate::str::ends_with("\nnothing in this queue\n"));
        assert_eq!(
            desk.json(&["list", "--queue", queue, "--format", "json"]),
            serde_json::json!([])
        );
        let csv = common::stdout(
            &desk
                .cmd()
                .args(["list", "--queue", queue, "--format", "csv"])
                .assert()
                .success(),
        );
        assert_eq!(common::csv_rows(&csv).len(), 1, "header only: {csv}");
    }

    // In 2020: a serious complaint whose first reply is long overdue, and a remedied one
    // whose two revisits (standard plan) are too.
    let mut past = common::desk_at(&desk.db, "2020-06-01T09:00:00+08:00");
    let late = walk_in_the_past(&mut past, "serious", false);
    let revisited = walk_in_the_past(&mut past, "general", true);
    // Now: a minor complaint (first reply due within 8 business hours) and a callback
    // promised for 2099.
    let soon = desk.add(&leak());
    desk.case(&soon, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    desk.case(&soon, &["callback", "promise", "--due", "2099-01-01 10:00"])
        .success()
        .stderr("");

    // JSON: the complaint object plus due_at, overdue and the callback's fields.
    let rows = desk.json(&["list", "--queue", "callbacks", "--format", "json"]);
    let rows = rows.as_array().expect("array");
    let got: Vec<(&str, &str, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["number"].as_str().expect("number"),
                r["callback_kind"].as_str().expect("kind"),
                r["overdue"].as_bool().expect("overdue"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (late.as_str(), "first_reply", true),
            (soon.as_str(), "first_reply", false),
            (soon.as_str(), "promised", false),
        ]
    );
    let dues: Vec<_> = rows.iter().map(due_at).collect();
    assert!(
        dues.windows(2).all(|w| w[0] <= w[1]),
        "by due time: {dues:?}"
    );
    assert_eq!(rows[2]["due_at"], "2099-01-01T10:00:00+08:00");
    for row in rows {
        for key in COMPLAINT_KEYS {
            assert!(row.get(key).is_some(), "{key} in {row}");
        }
        assert_eq!(
            (row["attempts"].as_u64(), row["level"].as_u64()),
            (Some(0), Some(0))
        );
        assert!(row["owner"].is_null(), "nobody owns it yet: {row}");
        assert!(row.get("role").is_none(), "{row}");
        assert_eq!(row["scope"], "in");
    }
    assert_eq!(rows[0]["severity"], "serious");
    assert_eq!(rows[0]["stage"], "received");
    assert_eq!(rows[0]["name"], "张伟");
    // --limit.
    let two = desk.json(&[
        "list",
        "--queue",
        "callbacks",
        "--format",
        "json",
        "--limit",
        "2",
    ]);
    assert_eq!(two.as_array().expect("array").len(), 2);

    // Escalated (in 2020, a week late): level 1, the supervisor's.
    assert_eq!(
        common::desk_at(&desk.db, "2020-06-08T12:00:00+08:00")
            .escalate_overdue()
            .expect("escalate"),
        1
    );
    let rows = desk.json(&["list", "--queue", "callbacks", "--format", "json"]);
    assert_eq!(rows[0]["level"], 1);
    assert_eq!(rows[0]["owner"], "supervisor");

    // CSV: the complaint columns, then the queue's.
    let csv = common::stdout(
        &desk
            .cmd()
            .args(["list", "--queue", "callbacks", "--format", "csv"])
            .assert()
            .success(),
    );
    let records = common::csv_rows(&csv);
    let header = &records[0];
    assert_eq!(header[..3], ["number", "received_at", "channel"]);
    assert_eq!(
        header[header.len() - 6..],
        [
            "due_at",
            "overdue",
            "callback_kind",
            "attempts",
            "level",
            "owner"
        ]
    );
    assert_eq!(records.len(), 4);
    let tail = |r: &Vec<String>| r[r.len() - 6..].to_vec();
    assert_eq!(records[1][0], late);
    assert_eq!(
        tail(&records[1])[1..],
        ["true", "first_reply", "0", "1", "supervisor"]
    );
    assert_eq!(
        tail(&records[3]),
        [
            "2099-01-01T10:00:00+08:00",
            "false",
            "promised",
            "0",
            "0",
            ""
        ]
    );
    assert!(records.iter().all(|r| r.len() == header.len()));

    // Table: a header, then one line each, overdue marked "!", the call's kind by name.
    let table = common::stdout(
        &desk
            .cmd()
            .args(["list", "--queue", "callbacks"])
            .assert()
            .success(),
    );
    let lines: Vec<&str> = table.lines().skip(1).collect();
    assert!(table.starts_with(" 应办时间 "), "{table}");
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with('!') && lines[0].contains(&late) && lines[0].contains("首次回复客户"),
        "{table}"
    );
    assert!(
        lines[1].starts_with(' ') && lines[1].contains(&soon),
        "{table}"
    );
    assert!(
        lines[2].starts_with(" 2099-01-01 10:00 ")
            && lines[2].contains("约定回电")
            && lines[2].contains(&soon)
            && lines[2].contains("3栋2单元1801"),
        "{table}"
    );

    // Revisits: the role that owns each.
    let rows = desk.json(&["list", "--queue", "revisits", "--format", "json"]);
    let rows = rows.as_array().expect("array");
    let got: Vec<(&str, &str, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["number"].as_str().expect("number"),
                r["role"].as_str().expect("role"),
                r["overdue"].as_bool().expect("overdue"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (revisited.as_str(), "agent", true),
            (revisited.as_str(), "supervisor", true)
        ]
    );
    assert!(due_at(&rows[0]) < due_at(&rows[1]));
    for row in rows {
        for key in COMPLAINT_KEYS {
            assert!(row.get(key).is_some(), "{key} in {row}");
        }
        assert_eq!(row["stage"], "revisiting");
        for key in ["callback_kind", "attempts", "level", "owner"] {
            assert!(row.get(key).is_none(), "{key} in {row}");
        }
    }
    let csv = common::stdout(
        &desk
            .cmd()
            .args(["list", "--queue", "revisits", "--format", "csv"])
            .assert()
            .success(),
    );
    let records = common::csv_rows(&csv);
    let header = &records[0];
    assert_eq!(header[header.len() - 3..], ["due_at", "overdue", "role"]);
    assert_eq!(records.len(), 3);
    assert_eq!(records[1][records[1].len() - 2..], ["true", "agent"]);
    let table = common::stdout(
        &desk
            .cmd()
            .args(["list", "--queue", "revisits"])
            .assert()
            .success(),
    );
    let lines: Vec<&str> = table.lines().skip(1).collect();
    assert!(table.starts_with(" 应办时间 "), "{table}");
    assert_eq!(lines.len(), 2, "{table}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("!2020-06-") && l.contains(&revisited))
    );
    assert!(
        lines[0].contains("客服专员") && lines[1].contains("客服主管"),
        "{table}"
    );
}

#[test]
fn case_callback_log_promise_and_complete() {
    use chrono::{Duration, Utc};
    use complaint_desk::config::{Config, Preset};
    use complaint_desk::domain::schedule::Calendar;
    use complaint_desk::domain::zone::Zone;

    let desk = Desk::new();
    let n = desk.add(&leak());
    desk.case(&n, &["classify", "--scope", "in", "--severity", "serious"])
        .success();
    // A failed attempt: the next one 2 business hours on (preset retry_hours), printed in
    // local time. The expected time comes from the preset's calendar in Shanghai at the
    // moment of the command (either side of it, should a minute turn meanwhile).
    let config = Config::preset(Preset::PropertyManagement).expect("preset");
    let cst = Zone::named("Asia/Shanghai").expect("zone");
    let cal = Calendar::new(&config.policy.business_hours, cst);
    let expect = |t: chrono::DateTime<Utc>| {
        let due = cst.local(cal.add(t, Duration::hours(2)));
        format!("下次回电时间 {}\n", due.format("%Y-%m-%d %H:%M"))
    };
    let before = Utc::now();
    let out = desk
        .case(
            &n,
            &[
                "callback",
                "log",
                "--result",
                "no-answer",
                "--note",
                "无人接听",
            ],
        )
        .success()
        .stderr("");
    let after = Utc::now();
    let printed = common::stdout(&out);
    assert!(
        printed == expect(before) || printed == expect(after),
        "{printed:?} vs {:?}",
        expect(before)
    );
    let shown = desk.show(&n);
    let event = shown["events"]
        .as_array()
        .expect("events")
        .last()
        .expect("event");
    assert_eq!(event["kind"], "callback");
    assert_eq!(event["detail"]["result"], "no-answer");
    assert_eq!(event["detail"]["note"], "无人接听");
    assert_eq!(event["detail"]["attempts"], 1);
    assert_eq!(event["detail"]["flagged"], false);
    let next =
        chrono::DateTime::parse_from_rfc3339(event["detail"]["next_due"].as_str().expect("next"))
            .expect("rfc3339");
    assert_eq!(due_at(&shown["callbacks"][0]), next);

    // The customer asks to be called at a time of their choosing.
    desk.case(
        &n,
        &[
            "callback",
            "log",
            "--result",
            "later",
            "--due",
            "2099-01-02 09:00",
        ],
    )
    .success()
    .stdout("下次回电时间 2099-01-02 09:00\n");
    // A promise, then one in the past (refused, nothing written).
    desk.case(
        &n,
        &[
            "callback",
            "promise",
            "--due",
            "2099-01-01 10:00",
            "--note",
            "客户要求元旦回电",
        ],
    )
    .success()
    .stderr("");
    let events_before = desk.show(&n)["events"].as_array().expect("e").len();
    desk.case(&n, &["callback", "promise", "--due", "2020-01-01 10:00"])
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with("error: 承诺日期已过"));
    let shown = desk.show(&n);
    assert_eq!(shown["events"].as_array().expect("e").len(), events_before);
    let owed: Vec<(&str, &str)> = shown["callbacks"]
        .as_array()
        .expect("callbacks")
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().expect("kind"),
                c["due_at"].as_str().expect("due"),
            )
        })
        .collect();
    assert_eq!(
        owed,
        [
            ("promised", "2099-01-01T10:00:00+08:00"),
            ("first_reply", "2099-01-02T09:00:00+08:00"),
        ]
    );
    let promised = &shown["events"][events_before - 1];
    assert_eq!(promised["kind"], "promised");
    assert_eq!(promised["detail"]["note"], "客户要求元旦回电");

    // Complete: the earliest open one each time, then nothing is left.
    for _ in 0..2 {
        desk.case(&n, &["callback", "complete"])
            .success()
            .stdout("回电已完成\n");
    }
    let none = format!("error: 投诉 {n} 没有待办回电\n");
    desk.case(&n, &["callback", "complete"])
        .code(1)
        .stdout("")
        .stderr(none.clone());
    desk.case(&n, &["callback", "log", "--result", "reached"])
        .code(1)
        .stderr(none);
    let shown = desk.show(&n);
    assert!(
        shown["callbacks"]
            .as_array()
            .expect("callbacks")
            .iter()
            .all(|c| c["done_at"].is_string()),
        "{}",
        shown["callbacks"]
    );
    assert_eq!(
        shown["version"], 2,
        "calls are recorded, the complaint unchanged"
    );
    // Usage errors.
    for args in [
        vec!["callback", "log"],
        vec!["callback", "log", "--result", "maybe"],
        vec!["callback", "promise"],
        vec!["callback", "call"],
    ] {
        desk.case(&n, &args).code(2).stdout("");
    }
}

#[test]
fn case_revisit_record_closes_or_reopens() {
    let desk = Desk::new();
    let walk = |severity: &str| {
        let n = desk.add(&leak());
        for args in [
            vec!["classify", "--scope", "in", "--severity", severity],
            vec!["verify", "--motive", "想修好", "--outcome", "维修"],
            vec!["assess", "--facts", "防水层破损"],
            vec!["plan", "--department", "工程部", "--actions", "更换防水层"],
            vec!["reply", "--accepted"],
        ] {
            desk.case(&n, &args).success();
        }
        desk.case(&n, &["remedied"])
            .success()
            .stdout(format!("{n}：回访中（版本 7）\n"));
        n
    };

    // Serious: agent, supervisor, manager. Unreached first (no change to the case; the
    // agent's revisit stays open to be tried again), then dissatisfied: reopened to
    // assessed, the supervisor's and manager's revisits closed without a result.
    let n = walk("serious");
    desk.case(
        &n,
        &[
            "revisit",
            "record",
            "--unreached",
            "--comment",
            "电话无人接听",
        ],
    )
    .success()
    .stdout(format!("{n}：回访中（版本 7）\n"));
    desk.case(
        &n,
        &[
            "revisit",
            "record",
            "--satisfaction",
            "2",
            "--comment",
            "还在漏水",
        ],
    )
    .success()
    .stdout(format!("{n}：已调查评估（版本 8）\n"))
    .stderr("");
    let shown = desk.show(&n);
    assert_eq!(shown["stage"], "assessed");
    let revisits: Vec<(&str, serde_json::Value, serde_json::Value, &str, bool)> = shown["revisits"]
        .as_array()
        .expect("revisits")
        .iter()
        .map(|r| {
            (
                r["role"].as_str().expect("role"),
                r["reached"].clone(),
                r["satisfaction"].clone(),
                r["comment"].as_str().expect("comment"),
                r["done_at"].is_string(),
            )
        })
        .collect();
    use serde_json::{Value, json};
    assert_eq!(
        revisits,
        [
            // Unreached, the agent's revisit stayed open: the next result is its own.
            ("agent", json!(true), json!(2), "还在漏水", true),
            ("supervisor", Value::Null, Value::Null, "", true),
            ("manager", Value::Null, Value::Null, "", true),
        ]
    );
    let kinds = common::event_kinds(&shown);
    assert_eq!(
        kinds[kinds.len() - 3..],
        ["revisited", "revisited", "reopened"]
    );
    let reopened = shown["events"]
        .as_array()
        .expect("events")
        .last()
        .expect("event");
    assert_eq!(
        (&reopened["detail"]["reason"], &reopened["detail"]["role"]),
        (&json!("还在漏水"), &json!("agent"))
    );
    assert_eq!(
        (&reopened["from_stage"], &reopened["to_stage"]),
        (&json!("revisiting"), &json!("assessed"))
    );
    desk.case(&n, &["revisit", "record", "--satisfaction", "5"])
        .code(1)
        .stdout("")
        .stderr(format!("error: 投诉 {n} 没有待办回访\n"));
    for args in [
        vec!["revisit", "record", "--satisfaction", "6"],
        vec!["revisit", "record", "--satisfaction", "0"],
        vec!["revisit", "record", "--satisfaction", "很好"],
        vec!["revisit", "record"],
        vec!["revisit", "record", "--satisfaction", "3", "--unreached"],
    ] {
        desk.case(&n, &args).code(2).stdout("");
    }
    assert_eq!(desk.show(&n)["version"], 8, "refusals change nothing");

    // General: both revisits satisfied, the last says it is ready to close; close.
    let m = walk("general");
    for _ in 0..2 {
        desk.case(
            &m,
            &[
                "revisit",
                "record",
                "--satisfaction",
                "5",
                "--comment",
                "满意",
            ],
        )
        .success()
        .stdout(format!("{m}：回访中（版本 7）\n"));
    }
    let shown = desk.show(&m);
    let ready: Vec<bool> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "revisited")
        .map(|e| e["detail"]["ready_to_close"].as_bool().expect("flag"))
        .collect();
    assert_eq!(ready, [false, true]);
    desk.case(
        &m,
        &[
            "close",
            "--summary",
            "更换防水层",
            "--root-cause",
            "老化",
            "--lesson",
            "巡检",
        ],
    )
    .success()
    .stdout(format!("{m}：已结案（版本 8）\n"));
}

/// The demo generates on one thread and writes on another, in chunks: every case arrives
/// whole, in order, on one unbroken chain, and the same seed makes the same people.
#[test]
fn demo_writes_whole_cases_on_one_chain_and_the_seed_decides_the_data() {
    let load = || {
        let desk = Desk::new();
        desk.as_agent(common::ADMIN)
            .args(["demo", "--count", "1234", "--seed", "5"])
            .assert()
            .success();
        desk.cmd()
            .args(["--lang", "en", "audit", "verify"])
            .assert()
            .success()
            .stdout(predicate::str::starts_with("audit trail whole:"));
        let conn = rusqlite::Connection::open(&desk.db).expect("raw");
        let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
        assert_eq!(one("SELECT count(*) FROM complaints"), 1234);
        assert_eq!(one("SELECT count(DISTINCT number) FROM complaints"), 1234);
        // Each complaint's first event is its intake, and its events run forward in time.
        assert_eq!(
            one(
                "SELECT count(*) FROM complaints c WHERE (SELECT kind FROM events e
                 WHERE e.complaint_id = c.id ORDER BY e.id LIMIT 1) = 'received'"
            ),
            1234
        );
        assert_eq!(
            one("SELECT count(*) FROM events a JOIN events b
                 ON b.complaint_id = a.complaint_id AND b.id > a.id AND b.at < a.at"),
            0
        );
        // Complaints were written in the order they were received.
        assert_eq!(
            one("SELECT count(*) FROM complaints a JOIN complaints b
                 ON b.id = a.id + 1 AND b.received_at < a.received_at"),
            0
        );
        let all = desk.json(&["list", "--queue", "all", "--format", "json", "--limit", "0"]);
        all.as_array()
            .expect("array")
            .iter()
            .map(|r| {
                ["name", "description", "category", "stage", "location"]
                    .map(|k| r[k].as_str().expect(k).to_string())
            })
            .collect::<Vec<_>>()
    };
    let first = load();
    assert!(
        first
            .iter()
            .any(|r| r[1].chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    );
    assert_eq!(first, load());
}

/// An owner-only file at `path` holding `bytes`, as a partial of this program is created.
#[cfg(unix)]
fn owner_only_file(path: &std::path::Path, bytes: &[u8]) -> std::fs::File {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .expect("create a partial");
    file.write_all(bytes).expect("fill it");
    file
}

#[cfg(unix)]
#[test]
fn backup_and_export_remove_the_partials_killed_runs_left_and_keep_live_ones() {
    let desk = Desk::new();
    desk.add(&leak());
    let usb = desk.path("usb");
    std::fs::create_dir(&usb).expect("dir");
    // What a killed backup and a killed export leave behind: full copies under hidden names.
    let stale_backup = usb.join(".desk-20261122.db.partial");
    let stale_export = usb.join(".投诉导出.csv.partial");
    drop(owner_only_file(
        &stale_backup,
        "SQLite format 3\0 ... 张伟 13800138000".as_bytes(),
    ));
    drop(owner_only_file(
        &stale_export,
        "\u{feff}张伟,13800138000".as_bytes(),
    ));
    // Another backup still writing its copy holds its lock; a file of someone else's that
    // happens to end in .partial is not ours (not owner-only).
    let live = usb.join(".running.db.partial");
    let holder = owner_only_file(&live, b"SQLite format 3\0");
    holder.lock().expect("lock it as a live backup does");
    let foreign = usb.join(".notes.partial");
    std::fs::write(&foreign, "notes").expect("foreign");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let out = desk
        .as_agent(common::ADMIN)
        .args(["--lang", "en", "backup"])
        .arg(usb.join("desk-20261123.db"))
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    for stale in [&stale_backup, &stale_export] {
        assert!(!stale.exists(), "{} is removed", stale.display());
        let line = format!(
            "removed {}, an unfinished copy left by an interrupted backup or export\n",
            stale.display()
        );
        assert!(err.contains(&line), "{err}");
    }
    assert_eq!(err.lines().count(), 2, "one line each: {err}");
    assert!(common::stdout(&out).starts_with("backup written to"));
    assert!(live.exists(), "a partial a live run holds is kept");
    assert!(foreign.exists(), "a file that is not ours is kept");

    // A second backup to the file the live one is writing is refused, the live one kept.
    desk.as_agent(common::ADMIN)
        .args(["--lang", "en", "backup"])
        .arg(usb.join("running.db"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "another backup or export is writing",
        ));
    assert!(live.exists());
    assert!(!usb.join("running.db").exists());

    // Once that run has gone (killed: its lock released), an export there removes its copy,
    // and says so in the interface language.
    drop(holder);
    desk.as_agent(common::ADMIN)
        .args(["export", "--format", "csv", "--out"])
        .arg(usb.join("导出.csv"))
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "已删除 {}：中断的备份或导出留下的未完成副本\n",
            live.display()
        )));
    assert!(!live.exists());
    let mut left: Vec<String> = std::fs::read_dir(&usb)
        .expect("list")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [".notes.partial", "desk-20261123.db", "导出.csv"],
        "no partial of ours is left"
    );
}

#[test]
fn paths_given_on_the_command_line_are_echoed_inert() {
    let desk = Desk::new();
    desk.add(&leak());
    let name = "备份\u{1b}]0;pwned\u{7}\u{1b}[2J\u{2028}.db";
    let out = desk
        .as_agent(common::ADMIN)
        .args(["--lang", "en", "backup"])
        .arg(desk.path(name))
        .assert()
        .success();
    let text = common::stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{2028}'),
        "{text:?}"
    );
    assert!(text.contains("备份␛]0;pwned␇␛[2J<U+2028>.db"), "{text}");
    assert!(desk.path(name).exists(), "the file has the name given");

    let out = desk
        .as_agent(common::ADMIN)
        .args(["--lang", "en", "export", "--format", "json", "--out"])
        .arg(desk.path("导出\u{1b}[31m.json"))
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("导出␛[31m.json"), "{err}");
}

#[test]
fn show_and_list_print_line_separators_and_tag_characters_inert() {
    let desk = Desk::new();
    let mut args = leak();
    let description = "楼上漏水\u{2028}第二行\u{2029}\u{E0049}\u{E0067}\u{E006E}\u{E007F}藏字";
    args[11] = description;
    let number = desk.add(&args);
    for cmd in [
        vec!["show", number.as_str()],
        vec!["list", "--queue", "all"],
    ] {
        let text = common::stdout(&desk.cmd().args(&cmd).assert().success());
        assert!(
            !text
                .chars()
                .any(|c| matches!(c, '\u{2028}' | '\u{2029}' | '\u{E0000}'..='\u{E007F}')),
            "{text:?}"
        );
        // The list's column cuts it short; `show` prints it whole.
        let inert = "楼上漏水<U+2028>第二行<U+2029><U+E0049><U+E0067><U+E006E><U+E007F>藏字";
        let shown = if cmd[0] == "show" {
            inert
        } else {
            "楼上漏水<U+2028>"
        };
        assert!(text.contains(shown), "{text}");
    }
    assert_eq!(
        desk.show(&number)["description"],
        description,
        "stored as typed"
    );
}

#[test]
fn a_name_of_only_invisible_or_blank_characters_is_refused() {
    let desk = Desk::new();
    for name in [
        "\u{200B}",
        "\u{3164}\u{3164}",
        "\u{2800}",
        "\u{FEFF}",
        "\u{E0041}",
    ] {
        let mut args = leak();
        args[3] = name;
        desk.cmd()
            .arg("add")
            .args(&args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::starts_with(
                "error: 投诉人姓名只有空白或不可见的字符",
            ));
        desk.cmd()
            .args(["--lang", "en", "add"])
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::starts_with(
                "error: name has no visible character",
            ));
    }
    assert_eq!(
        desk.json(&["list", "--queue", "all", "--format", "json"]),
        serde_json::json!([]),
        "nothing was added"
    );
}

#[test]
fn every_write_that_names_a_version_checks_it() {
    let desk = Desk::new();
    let n = desk.add(&leak());
    for args in [
        vec!["classify", "--scope", "in", "--severity", "general"],
        vec!["verify", "--motive", "想修好", "--outcome", "维修"],
        vec!["assess", "--facts", "防水层破损"],
        vec!["plan", "--department", "工程部", "--actions", "更换防水层"],
        vec!["reply", "--accepted"],
        vec!["remedied"],
    ] {
        desk.case(&n, &args).success();
    }
    desk.case(&n, &["callback", "promise", "--due", "2099-01-05 10:00"])
        .success();
    let photo = desk.path("现场照片.jpg");
    std::fs::write(&photo, b"jpeg").expect("photo");
    let photo = photo.to_str().expect("utf-8 path");
    let before = desk.show(&n);
    assert_eq!(before["version"], 7);
    assert_eq!(before["stage"], "revisiting");

    // Read at version 6: every write refused with the conflict, as the moves are.
    for args in [
        vec![
            "callback",
            "log",
            "--result",
            "no-answer",
            "--note",
            "无人接",
        ],
        vec!["callback", "complete"],
        vec!["callback", "promise", "--due", "2099-01-06 10:00"],
        vec![
            "revisit",
            "record",
            "--satisfaction",
            "1",
            "--comment",
            "不满意",
        ],
        vec!["revisit", "record", "--unreached"],
        vec!["attach", photo],
    ] {
        let mut stale = vec!["--expect-version", "6"];
        stale.extend(&args);
        desk.case(&n, &stale).code(1).stdout("").stderr(
            predicate::str::starts_with(format!("error: 投诉 {n} 在您打开后已被 王丽"))
                .and(predicate::str::contains("（版本 6，现为 7）")),
        );
    }
    assert_eq!(desk.show(&n), before, "nothing changed");

    // At the version read, the write goes through.
    desk.case(
        &n,
        &[
            "--expect-version",
            "7",
            "revisit",
            "record",
            "--satisfaction",
            "5",
        ],
    )
    .success();
    desk.case(&n, &["--expect-version", "7", "attach", photo])
        .success();
}

#[cfg(unix)]
#[test]
fn files_and_directories_written_are_owner_only_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    desk.add(&leak());
    let home = desk.dir.path();
    // The platform config and data dirs, created by `init`.
    desk.with_umask_000(&["init"]).assert().success();
    // An export and a backup into directories that do not exist yet.
    let db = desk.db.to_str().expect("utf-8 path");
    desk.with_umask_000(&[
        "--db",
        db,
        "export",
        "--format",
        "csv",
        "--out",
        "exports/2026/a.csv",
    ])
    .env("COMPLAINT_DESK_AGENT", common::ADMIN)
    .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
    .current_dir(home)
    .assert()
    .success();
    desk.with_umask_000(&["--db", db, "backup", "backups/b.db"])
        .env("COMPLAINT_DESK_AGENT", common::ADMIN)
        .env("COMPLAINT_DESK_SECRET", common::ADMIN_SECRET)
        .current_dir(home)
        .assert()
        .success();
    let mode = |p: &str| {
        let path = home.join(p);
        std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    for dir in [
        "config",
        "config/complaint-desk",
        "data",
        "data/complaint-desk",
        "exports",
        "exports/2026",
        "backups",
    ] {
        assert_eq!(mode(dir), 0o700, "{dir}");
    }
    for file in [
        "config/complaint-desk/config.toml",
        "data/complaint-desk/complaint-desk.db",
        "exports/2026/a.csv",
        "backups/b.db",
    ] {
        assert_eq!(mode(file), 0o600, "{file}");
    }
}

/// `case N approve --decline --note …`: a supervisor declines; the plan goes back to be
/// revised, the note in the timeline; a revised plan above the limit asks again.
#[test]
fn case_approve_decline_sends_the_plan_back() {
    let desk = Desk::new();
    let n = desk.add(&leak());
    for args in [
        vec!["classify", "--scope", "in", "--severity", "general"],
        vec!["verify", "--motive", "想修好", "--outcome", "维修"],
        vec!["assess", "--facts", "防水层破损"],
        vec![
            "plan",
            "--department",
            "工程部",
            "--actions",
            "更换防水层",
            "--compensation",
            "500",
        ],
    ] {
        desk.case(&n, &args).success();
    }
    // The note goes with --decline, and --decline with a note.
    desk.case(&n, &["approve", "--decline"]).code(2);
    desk.as_agent("李娜")
        .args(["case", &n, "approve", "--decline", "--note", "先按300补偿"])
        .assert()
        .success()
        .stdout(format!("{n}：已调查评估（版本 6）\n"))
        .stderr("");
    let shown = desk.show(&n);
    assert_eq!(shown["stage"], "assessed");
    let approval = &shown["handling"]["plan"]["approval"];
    assert_eq!(
        (&approval["state"], &approval["by"], &approval["note"]),
        (
            &serde_json::json!("declined"),
            &serde_json::json!("李娜"),
            &serde_json::json!("先按300补偿")
        )
    );
    assert_eq!(
        common::event_kinds(&shown).last().map(String::as_str),
        Some("approval_declined")
    );
    let text = common::stdout(&desk.cmd().args(["show", &n]).assert().success());
    assert!(text.contains("驳回补偿，方案退回修改"), "{text}");
    assert!(text.contains("先按300补偿"), "{text}");
    desk.case(&n, &["reply", "--accepted"]).code(1);
    desk.case(
        &n,
        &[
            "plan",
            "--department",
            "工程部",
            "--actions",
            "更换防水层",
            "--compensation",
            "300",
        ],
    )
    .success();
    assert_eq!(
        desk.show(&n)["handling"]["plan"]["approval"]["state"],
        "pending"
    );
}

/// A desk configured for Shanghai keeps Shanghai hours whatever the machine's zone: the
/// same complaint, taken and classified under `TZ=UTC`, `TZ=Asia/Shanghai` and
/// `TZ=America/New_York`, is numbered on the same day, owes its first reply at the same
/// instant and prints the same times.
#[test]
fn a_configured_time_zone_wins_over_the_machines() {
    let mut seen = Vec::new();
    for tz in ["UTC", "Asia/Shanghai", "America/New_York"] {
        let desk = Desk::new();
        let config = desk.path("config.toml");
        std::fs::write(&config, "timezone = \"Asia/Shanghai\"\n").expect("config");
        let run = |args: &[&str]| {
            let mut cmd = desk.cmd();
            cmd.env("TZ", tz).arg("--config").arg(&config).args(args);
            common::stdout(&cmd.assert().success())
        };
        // Friday 00:30 in Shanghai is still Thursday in UTC and in New York.
        let mut add = vec!["add"];
        add.extend(leak());
        add.extend(["--received-at", "2026-11-20 00:30"]);
        let number = run(&add).trim().to_string();
        run(&[
            "case",
            &number,
            "classify",
            "--scope",
            "in",
            "--severity",
            "serious",
        ]);
        let json: serde_json::Value =
            serde_json::from_str(&run(&["show", &number, "--format", "json"])).expect("json");
        let text = run(&["show", &number]);
        assert!(text.contains("2026-11-20 00:30"), "{tz}: {text}");
        seen.push((
            number,
            json["received_at"].clone(),
            json["callbacks"][0]["due_at"].clone(),
        ));
    }
    // Serious: 2 business hours from before opening (08:30) on Friday: 10:30.
    let expected = (
        "20261120-0001".to_string(),
        serde_json::json!("2026-11-20T00:30:00+08:00"),
        serde_json::json!("2026-11-20T10:30:00+08:00"),
    );
    assert!(seen.iter().all(|s| *s == expected), "{seen:?}");
}

/// A complaint waiting on the developer (stage "Waiting on party").
fn waiting_on_the_developer(desk: &Desk) -> String {
    let n = desk.add(&leak());
    for args in common::REFER_TO_DEVELOPER
        .into_iter()
        .chain([&["wait", "--on", "third-party"][..]])
    {
        desk.case(&n, args).success();
    }
    n
}

#[test]
fn keys_or_names_in_any_language_are_accepted_and_unknown_names_refused() {
    let desk = Desk::new();
    let mut intake = leak();
    intake[1] = "電話";
    let pos = intake
        .iter()
        .position(|a| *a == "--category")
        .expect("category");
    intake[pos + 1] = " LEAK ";
    let n = desk.add(&intake);
    desk.case(
        &n,
        &[
            "classify",
            "--scope",
            "非物业纠纷（他方责任）",
            "--party",
            "建商",
            "--severity",
            "严重投诉",
            "--intent",
            "Venting",
            "--explained",
        ],
    )
    .success();
    let shown = desk.show(&n);
    for (key, value) in [
        ("channel", "phone"),
        ("category", "leak"),
        ("scope", "out"),
        ("party", "developer"),
        ("severity", "serious"),
        ("intent", "venting"),
    ] {
        assert_eq!(shown[key], value, "{key}");
    }
    desk.case(&n, &["refer", "--to", "開發商"]).success();
    desk.case(&n, &["wait", "--on", "责任方"]).success();
    let found = desk.json(&[
        "search",
        "漏水",
        "--stage",
        "等待责任方",
        "--severity",
        "Serious",
        "--category",
        "漏水",
        "--view",
        "等待中",
        "--format",
        "json",
    ]);
    assert_eq!(found[0]["number"], n.as_str());
    desk.cmd()
        .args(["list", "--queue", "回電清單"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(" 应办时间 "));

    // A fixed value (clap's usage error, exit 2) and a configured one (exit 1): one line in
    // the interface language listing keys and names.
    let mut pigeon = leak();
    pigeon[1] = "鸽子";
    desk.cmd()
        .arg("add")
        .args(&pigeon)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: 未知的受理渠道“鸽子”；可选：phone/电话, walk-in/来访,",
        ))
        .stderr(predicate::str::contains('\n').count(1));
    desk.case(
        &n,
        &[
            "--lang",
            "en",
            "escalate",
            "--reason",
            "x",
            "--severity",
            "严重",
        ],
    )
    .code(1)
    .stdout("")
    .stderr(predicate::str::starts_with(
        "error: unknown severity \"严重\"; known: minor, general, serious, critical",
    ))
    .stderr(predicate::str::contains('\n').count(1));
    desk.cmd()
        .args(["--lang", "zh-TW", "list", "--queue", "回電"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("callbacks/回電清單"));
}

#[test]
fn help_is_in_the_interface_language_with_the_contract_names() {
    let desk = Desk::new();
    let help = |args: &[&str]| common::stdout(&desk.cmd().args(args).assert().success());
    let zh = help(&["--lang", "zh-CN", "--help"]);
    assert!(zh.contains("受理客户投诉") && zh.contains("--db"), "{zh}");
    assert!(
        zh.contains("search ") && zh.contains("按文字的任意部分查找投诉"),
        "{zh}"
    );
    let refer = help(&["--lang", "zh-CN", "case", "x", "refer", "--help"]);
    assert!(
        refer.contains("--to") && refer.contains("代码或名称"),
        "{refer}"
    );
    let en = help(&["--lang", "en", "add", "--help"]);
    assert!(
        en.contains("--channel") && en.contains("How the complaint came in"),
        "{en}"
    );
    assert!(!en.contains("受理"), "{en}");
    // The config's language, when no --lang is given.
    let config = desk.path("tw.toml");
    std::fs::write(&config, "language = \"zh-TW\"\n").expect("config");
    let tw = common::stdout(
        &desk
            .cmd()
            .arg("--config")
            .arg(&config)
            .args(["list", "--help"])
            .assert()
            .success(),
    );
    assert!(
        tw.contains("列出一份清單中的客訴") && tw.contains("--queue"),
        "{tw}"
    );
}

#[test]
fn every_queue_table_has_a_header_and_whole_stages_and_kinds() {
    let desk = Desk::new();
    let n = waiting_on_the_developer(&desk);
    // An in-scope one owes the first reply.
    let m = desk.add(&leak());
    desk.case(&m, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    let table = |lang: &str, args: &[&str]| {
        let out = desk
            .cmd()
            .args(["--lang", lang])
            .args(args)
            .assert()
            .success();
        common::stdout(&out)
    };
    let queues = [
        "untriaged",
        "open",
        "mine",
        "waiting",
        "approval",
        "callbacks",
        "revisits",
        "closed",
        "all",
    ];
    for queue in queues {
        let en = table("en", &["list", "--queue", queue]);
        let header = if matches!(queue, "callbacks" | "revisits") {
            " Due "
        } else {
            "Number "
        };
        assert!(en.starts_with(header), "{queue}: {en}");
        let zh = table("zh-CN", &["list", "--queue", queue]);
        assert!(zh.starts_with([' ', '编']), "{queue}: {zh}");
    }
    let search = table("en", &["search", "漏水"]);
    assert!(search.starts_with("Number "), "{search}");

    // Stages and kinds whole, in the reader's language, aligned by display width.
    let waiting = table("en", &["list", "--queue", "waiting"]);
    assert!(
        waiting.contains(&n) && waiting.contains(" Waiting on party "),
        "{waiting}"
    );
    let calls = table("en", &["list", "--queue", "callbacks"]);
    assert!(calls.contains(" first reply to the customer "), "{calls}");
    let col = |line: &str, needle: &str| {
        let at = line
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {line}"));
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    let zh = table("zh-CN", &["list", "--queue", "waiting"]);
    let lines: Vec<&str> = zh.lines().collect();
    assert_eq!(
        col(lines[0], "处理阶段"),
        col(lines[1], "等待责任方"),
        "{zh}"
    );
    assert_eq!(col(lines[0], "类别"), col(lines[1], "漏水"), "{zh}");
    let calls = table("zh-CN", &["list", "--queue", "callbacks"]);
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(col(lines[0], "编号"), col(lines[1], &m), "{calls}");
    assert_eq!(
        col(lines[0], "房号/地点"),
        col(lines[1], "3栋2单元1801"),
        "{calls}"
    );
    assert!(lines[1].contains("首次回复客户"), "{calls}");
}

/// A case waiting on the developer owes a chaser and a progress call; `--kind` (a key or a
/// name) says which one was made, and a made progress call comes round again.
#[test]
fn the_call_made_is_picked_by_kind_and_a_waiting_case_owes_the_next() {
    let desk = Desk::new();
    let n = waiting_on_the_developer(&desk);
    let open = |desk: &Desk| -> Vec<String> {
        let shown = desk.json(&["show", &n, "--format", "json"]);
        let mut kinds: Vec<String> = shown["callbacks"]
            .as_array()
            .expect("calls")
            .iter()
            .filter(|c| c["done_at"].is_null())
            .map(|c| c["kind"].as_str().unwrap_or_default().to_string())
            .collect();
        kinds.sort();
        kinds
    };
    assert_eq!(open(&desk), ["chaser", "progress"]);
    desk.case(
        &n,
        &[
            "callback",
            "complete",
            "--kind",
            "向客户告知进度",
            "--note",
            "已告知开发商下周上门",
        ],
    )
    .success();
    let shown = desk.json(&["show", &n, "--format", "json"]);
    let progress: Vec<_> = shown["callbacks"]
        .as_array()
        .expect("calls")
        .iter()
        .filter(|c| c["kind"] == "progress")
        .collect();
    assert_eq!(
        progress.len(),
        2,
        "made, and the next one owed: {progress:?}"
    );
    assert!(!progress[0]["done_at"].is_null() && progress[1]["done_at"].is_null());
    assert_eq!(open(&desk), ["chaser", "progress"]);
    desk.case(
        &n,
        &[
            "callback",
            "log",
            "--kind",
            "chaser",
            "--result",
            "no-answer",
        ],
    )
    .success();
    desk.case(&n, &["callback", "complete", "--kind", "promised"])
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("约定回电"));
}

/// A complaint names its site (a configured one by key or name in any script, or one typed
/// freely) and further categories; the case, JSON and CSV show them, and the search finds
/// them by site and by any of its categories.
#[test]
fn sites_and_further_categories_are_kept_shown_and_searched() {
    let desk = Desk::new();
    let mut at_site = leak();
    at_site.extend([
        "--site",
        "香樹灣",
        "--extra-category",
        "noise",
        "--extra-category",
        "漏水",
    ]);
    let n = desk.add(&at_site);
    let mut free = leak();
    free.extend(["--site", "新开的盘 B区"]);
    let m = desk.add(&free);
    desk.add(&leak());
    let shown = desk.show(&n);
    assert_eq!(shown["site"], "xiangshu");
    // The main category is not repeated among the further ones.
    assert_eq!(shown["extra_categories"], serde_json::json!(["noise"]));
    assert_eq!(desk.show(&m)["site"], "新开的盘 B区");
    let text = common::stdout(&desk.cmd().args(["show", &n]).assert().success());
    assert!(
        text.contains("香树湾") && text.contains("漏水 + 噪音扰民"),
        "{text}"
    );

    let found = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["search", "张伟", "--format", "json"];
        all.extend(args);
        desk.json(&all)
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["number"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(found(&["--site", "Camphor Bay"]), [n.as_str()]);
    assert_eq!(found(&["--site", "新开的盘 B区"]), [m.as_str()]);
    assert_eq!(found(&["--category", "噪音扰民"]), [n.as_str()]);
    assert_eq!(found(&["--category", "leak"]).len(), 3);

    let csv = common::stdout(
        &desk
            .cmd()
            .args(["list", "--format", "csv"])
            .assert()
            .success(),
    );
    let rows = common::csv_rows(&csv);
    let col = |name: &str| rows[0].iter().position(|h| h == name).expect(name);
    let row = rows.iter().find(|r| r[0] == n).expect("row");
    assert_eq!(
        (
            row[col("site")].as_str(),
            row[col("extra_categories")].as_str()
        ),
        ("xiangshu", "noise")
    );

    // An unknown category among the further ones is refused, and nothing is written.
    let mut bad = leak();
    bad.extend(["--extra-category", "外星人"]);
    desk.cmd()
        .arg("add")
        .args(&bad)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("外星人"));
}

/// A desk that takes only configured sites refuses one typed freely, naming it.
#[test]
fn a_desk_without_free_site_entry_refuses_an_unknown_site() {
    let desk = Desk::new();
    let config = desk.path("config.toml");
    std::fs::write(
        &config,
        "[intake]\nfree_site_entry = false\nsite_required = true\n",
    )
    .expect("config");
    let add = |site: &str| {
        let mut args = vec!["--config", config.to_str().expect("path"), "add"];
        args.extend(leak());
        args.extend(["--site", site]);
        let mut cmd = desk.cmd();
        cmd.args(&args);
        cmd.assert()
    };
    add("无名小区")
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("无名小区"));
    add("").code(1).stdout("");
    let n = common::stdout(&add("lvjing").success()).trim().to_string();
    assert_eq!(desk.show(&n)["site"], "lvjing");
}

/// The property desk's estates on its care plan are called in turn: `care list` shows the
/// open calls, `care record` takes one, and a low score opens a complaint for the estate in
/// its representative's name, the care call in its timeline.
#[test]
fn care_calls_are_listed_recorded_and_a_low_score_opens_a_complaint() {
    let desk = Desk::new();
    desk.add(&leak());
    let calls = desk.json(&["care", "list", "--format", "json"]);
    let calls = calls.as_array().expect("calls");
    assert_eq!(calls.len(), 3, "{calls:?}");
    let lvjing = calls
        .iter()
        .find(|c| c["site"] == "lvjing")
        .expect("lvjing");
    let id = lvjing["id"].as_i64().expect("id").to_string();
    let table = common::stdout(&desk.cmd().args(["care", "list"]).assert().success());
    assert!(
        table.lines().next().is_some_and(|h| h.contains("回访计划"))
            && table.contains("绿景花园")
            && table.contains("楼栋代表季度回访"),
        "{table}"
    );
    let out = desk
        .cmd()
        .args([
            "care",
            "record",
            &id,
            "--satisfaction",
            "2",
            "--note",
            "楼道灯坏了两周没人修",
        ])
        .assert()
        .success();
    let printed = common::stdout(&out);
    // The number the line names: the first run of digits and a dash.
    let number: String = printed
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .find(|w| w.len() >= 13)
        .expect("a complaint number")
        .to_string();
    let shown = desk.show(&number);
    assert_eq!(shown["site"], "lvjing");
    assert_eq!(shown["name"], "张代表");
    assert!(
        shown["description"]
            .as_str()
            .is_some_and(|d| d.contains("2/5") && d.contains("楼道灯")),
        "{shown}"
    );
    assert_eq!(common::event_kinds(&shown), ["received", "care_call"]);
    // The next call of the estate is open; the made one is gone from the list.
    let after = desk.json(&["care", "list", "--format", "json"]);
    let after = after.as_array().expect("calls");
    assert_eq!(after.len(), 3);
    assert!(
        after
            .iter()
            .all(|c| c["id"].as_i64() != lvjing["id"].as_i64())
    );
    // A call that is not open is refused.
    desk.cmd()
        .args(["care", "record", &id, "--satisfaction", "5"])
        .assert()
        .code(1)
        .stdout("");
}

/// A second call from the same phone about an open leak: `add` saves it and names the open
/// case it may repeat; `case N attach-call` puts such a call on the case instead (an event,
/// no new complaint); a closed case is refused.
#[test]
fn a_repeated_call_is_named_by_add_and_attached_by_attach_call() {
    let desk = Desk::new();
    let first = desk.add(&leak());
    let out = desk.cmd().arg("add").args(leak()).assert().success();
    let second = common::stdout(&out).trim().to_string();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.starts_with(&format!(
            "提示：未结案投诉 {first} 可能与此次来电是同一问题"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("本次已登记为 {second}")), "{err}");
    desk.case(
        &first,
        &[
            "attach-call",
            "--channel",
            "电话",
            "--phone",
            "138 0013 8000",
            "--description",
            "又漏了，\n楼下也湿了",
        ],
    )
    .success()
    .stdout(format!("来电已并入 {first}（版本 1）\n"));
    let shown = desk.show(&first);
    let events = shown["events"].as_array().expect("events");
    let last = events.last().expect("event");
    assert_eq!(last["kind"], "call_attached");
    assert_eq!(last["detail"]["description"], "又漏了，\n楼下也湿了");
    assert_eq!(last["detail"]["same_phone"], true);
    let all = desk.json(&["list", "--queue", "all", "--format", "json"]);
    assert_eq!(all.as_array().expect("list").len(), 2, "no third complaint");
    desk.case(
        &first,
        &["attach-call", "--channel", "phone", "--description", " "],
    )
    .code(1)
    .stderr(predicate::str::contains("投诉内容"));
    desk.cmd().args(["audit", "verify"]).assert().success();
}

/// `case N script [MOMENT]` prints the reply script rendered for the case: at the moment
/// the case is at, or the moment named (by key or by name); in the interface language; a
/// value the case does not have yet is refused, never printed as `{{…}}`.
#[test]
fn case_script_prints_the_rendered_script() {
    let desk = Desk::new();
    let n = desk.add(&leak());
    // Untriaged: the first reply needs its due time, which classifying sets.
    desk.case(&n, &["script"])
        .code(1)
        .stdout("")
        .stderr("error: 话术 first-reply 要用到回电时间，这件投诉目前还没有\n");
    desk.case(&n, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    let said = common::stdout(&desk.case(&n, &["script"]).success());
    assert!(said.starts_with("张伟您好，我是物业客服中心"), "{said}");
    assert!(said.contains(&format!("漏水问题（编号{n}）")), "{said}");
    assert!(said.contains("前答复您") && !said.contains("{{"), "{said}");
    let due = desk.show(&n)["callbacks"][0]["due_at"].clone();
    assert!(due.is_string(), "a first reply is owed: {due}");

    // Out of scope: said up front, naming the category's party before triage; the wall's
    // own script.
    let mut wall = leak();
    wall[9] = "墙面开裂";
    let m = desk.add(&wall);
    let explain = common::stdout(&desk.case(&m, &["script", "explain"]).success());
    assert!(explain.contains("墙面开裂属于房屋本身的缺陷"), "{explain}");
    assert!(explain.contains("由开发商负责维修"), "{explain}");
    // The leak has no responsible party: refused, not shown with braces.
    desk.case(&n, &["script", "丑话说在前", "--lang", "en"])
        .code(1)
        .stderr(predicate::str::contains("needs the responsible party"));
    desk.case(&m, common::REFER_TO_DEVELOPER[0]).success();
    let progress = common::stdout(&desk.case(&m, &["--lang", "en", "script"]).success());
    assert!(
        progress
            .starts_with("Hello 张伟, an update: we passed the Wall cracks problem to Developer"),
        "{progress}"
    );
    let tw = common::stdout(
        &desk
            .case(&m, &["--lang", "zh-TW", "script", "explain"])
            .success(),
    );
    assert!(
        tw.contains("由建商負責維修") && tw.contains("牆面開裂"),
        "{tw}"
    );

    // An unknown moment is a usage error; the effective config lists the scripts.
    desk.case(&n, &["script", "goodbye"]).code(2);
    let config = common::stdout(&desk.cmd().args(["config"]).assert().success());
    assert!(config.contains("[[scripts]]") && config.contains("key = \"explain-noise\""));
}

/// `case verify --mood` records the mood (a key or a name); `show --format json` gives the
/// open case's risk with its factors and its related cases, the text shows both, and a
/// closed case's risk is null.
#[test]
fn show_gives_the_risk_and_the_related_cases() {
    let desk = Desk::new();
    let first = desk.add(&leak());
    let mut again = leak();
    again[11] = "又漏了，再不修就发抖音";
    let n = desk.add(&again);
    desk.case(&n, &["classify", "--scope", "in", "--severity", "serious"])
        .success();
    desk.case(
        &n,
        &[
            "verify",
            "--motive",
            "怕发霉",
            "--outcome",
            "修好",
            "--mood",
            "愤怒",
        ],
    )
    .success();
    desk.case(
        &first,
        &[
            "verify",
            "--motive",
            "x",
            "--outcome",
            "y",
            "--mood",
            "furious",
        ],
    )
    .code(2);
    let shown = desk.show(&n);
    assert_eq!(shown["handling"]["mood"], "angry");
    let risk = &shown["risk"];
    let factors = risk["factors"].as_array().expect("factors");
    let factor = |key: &str| factors.iter().find(|f| f["key"] == key).cloned();
    let repeat = factor("repeat").expect("a repeat from the same phone");
    assert_eq!(
        repeat["fact"],
        serde_json::json!({"type": "count", "value": 1})
    );
    assert_eq!(repeat["points"], repeat["weight"]);
    let spread = factor("spread").expect("spread-risk words");
    assert_eq!(spread["fact"]["value"], serde_json::json!(["抖音"]));
    assert_eq!(factor("mood").expect("mood")["fact"]["value"], "angry");
    let sum: u64 = factors
        .iter()
        .map(|f| f["points"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(risk["score"].as_u64(), Some(sum));
    let related = shown["related"].as_array().expect("related");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["number"], first.as_str());
    assert_eq!(related[0]["stage"], "received");
    let out = desk
        .cmd()
        .args(["--lang", "en", "show", &n])
        .assert()
        .success();
    let text = common::stdout(&out);
    assert!(text.contains("Escalation risk"), "{text}");
    assert!(text.contains("Mood  Angry  x20 = 20"), "{text}");
    assert!(text.contains(&format!(" 1  {first}")), "{text}");
    // Out of scope and closed as referred: no score.
    for args in common::REFER_TO_DEVELOPER
        .into_iter()
        .chain([&["close", "--referred"][..]])
    {
        desk.case(&first, args).success();
    }
    assert!(desk.show(&first)["risk"].is_null());
}

/// `case N merge --into M`: the duplicate leaves the open list, is read-only (a move refused
/// naming the primary), both timelines record it and `audit verify` passes; `show` names the
/// primary and the primary lists it; `case N unmerge` puts it back, recorded, and the audit
/// still verifies. `case N split` makes a linked complaint of the same complainant.
#[test]
fn merge_unmerge_and_split_on_the_command_line() {
    let desk = Desk::new();
    let primary = desk.add(&leak());
    let dup = desk.add(&leak());
    desk.case(&dup, &["classify", "--scope", "in", "--severity", "minor"])
        .success();
    desk.case(
        &dup,
        &["merge", "--into", &primary, "--reason", "同一处漏水"],
    )
    .success()
    .stdout(format!("{dup} 已合并到 {primary}（版本 3）\n"));
    desk.cmd().args(["audit", "verify"]).assert().success();
    let open = desk.json(&["list", "--queue", "open", "--format", "json"]);
    let open: Vec<&str> = open
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["number"].as_str())
        .collect();
    assert_eq!(
        open,
        vec![primary.as_str()],
        "the duplicate left the open list"
    );
    let shown = desk.show(&dup);
    assert_eq!(shown["stage"], "merged");
    assert_eq!(shown["merged_into"], primary.as_str());
    assert_eq!(
        common::event_kinds(&shown).last().map(String::as_str),
        Some("merged_into")
    );
    let shown = desk.show(&primary);
    assert_eq!(shown["absorbed"][0]["number"], dup.as_str());
    assert_eq!(
        common::event_kinds(&shown).last().map(String::as_str),
        Some("absorbed")
    );
    let text = common::stdout(&desk.cmd().args(["show", &dup]).assert().success());
    assert!(
        text.contains("已合并到") && text.contains(&primary),
        "{text}"
    );
    assert!(text.contains("合并到另一案"), "the event in words: {text}");
    // Read-only, except unmerge; the refusals name the primary.
    desk.case(&dup, &["verify", "--motive", "修好", "--outcome", "上门"])
        .code(1)
        .stderr(format!(
            "error: 投诉 {dup} 已合并到 {primary}，只读；请在 {primary} 上处理，或先撤销合并\n"
        ));
    desk.case(&primary, &["merge", "--into", &dup])
        .code(1)
        .stderr(predicate::str::contains("本身已合并到"));
    desk.case(&primary, &["merge", "--into", &primary])
        .code(1)
        .stderr(predicate::str::contains("不能合并到自己"));
    desk.case(&dup, &["unmerge", "--reason", "不是同一处"])
        .success()
        .stdout(format!("{dup} 已撤销合并，回到 已受理（版本 4）\n"));
    desk.cmd().args(["audit", "verify"]).assert().success();
    let shown = desk.show(&dup);
    assert_eq!(shown["stage"], "received");
    assert!(shown["merged_into"].is_null());
    let owed: Vec<&serde_json::Value> = shown["callbacks"]
        .as_array()
        .expect("callbacks")
        .iter()
        .filter(|c| c["done_at"].is_null())
        .collect();
    assert_eq!(owed.len(), 1, "the first reply is owed again: {shown}");
    assert_eq!(
        common::event_kinds(&desk.show(&primary))
            .last()
            .map(String::as_str),
        Some("released")
    );
    // Split: the new number alone on stdout, the link on stderr.
    let out = desk
        .case(
            &primary,
            &[
                "split",
                "--category",
                "噪音扰民",
                "--description",
                "楼上装修太吵",
            ],
        )
        .success();
    let new = common::stdout(&out).trim().to_string();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(err, format!("{primary} 已拆分：另一问题现为 {new}\n"));
    let shown = desk.show(&new);
    assert_eq!(
        (shown["name"].as_str(), shown["category"].as_str()),
        (Some("张伟"), Some("noise"))
    );
    assert_eq!(shown["split_from"], primary.as_str());
    assert_eq!(desk.show(&primary)["split_into"][0], new.as_str());
    desk.case(
        &primary,
        &["split", "--category", "漏水x", "--description", "x"],
    )
    .code(1)
    .stderr(predicate::str::starts_with("error: 未知的投诉类别"));
    desk.cmd().args(["audit", "verify"]).assert().success();
}
