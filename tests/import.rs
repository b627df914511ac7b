//! `import FILE` on the built binary with real files: Chinese headers, GB18030 and Big5
//! text, an `.xlsx` workbook, the errors file, every kind of bad input (each refused with
//! one clear line, nothing written), a dry run, a second run, and a kill mid-import.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Desk, Kill, csv_rows, event_kinds, stdout};

/// A logbook as a front desk keeps it: Chinese headers, a landline with its leading zero,
/// a name that looks like a formula (guarded as an export writes it), one case closed.
const LOGBOOK: &str = "编号,来电时间,渠道,投诉人,联系电话,房号,类别,投诉内容,客户诉求,处理结果,结案时间
A-001,2026/11/3 9:05,电话,张伟,02155556666,3栋2单元1801,漏水,卫生间天花板漏水，已经三天了,尽快维修,已更换防水层,2026年11月5日 16时30分
A-002,2026-11-04 10:00,微信,'=1+1,13800138000,5栋1单元302,噪音扰民,\"楼上装修太吵，
晚上十点还在施工\",,,
A-003,2026年11月6日,来访,李娜,13900139000,6栋,电梯故障,电梯困人,,,
";

/// (line, column, value) of each row of an errors file after its header.
fn lines_columns_values(rows: &[Vec<String>]) -> Vec<(&str, &str, &str)> {
    rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
        .collect()
}

fn write(desk: &Desk, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = desk.path(name);
    std::fs::write(&path, bytes).expect("write the file");
    path
}

/// Every complaint of the desk, as `list --queue all --format json` gives them.
fn all(desk: &Desk) -> Vec<serde_json::Value> {
    desk.json(&["list", "--queue", "all", "--format", "json", "--limit", "0"])
        .as_array()
        .expect("array")
        .clone()
}

/// The number of events in the audit trail, from `audit verify` (which must pass).
fn events(desk: &Desk) -> u64 {
    let out = stdout(&desk.cmd().args(["audit", "verify"]).assert().success());
    out.split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no count in {out}"))
}

fn import(desk: &Desk, file: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    desk.cmd()
        .args(["--lang", "en", "import"])
        .arg(file)
        .args(args)
        .assert()
}

#[test]
fn a_logbook_with_chinese_headers_is_imported_whole_and_a_second_run_adds_nothing() {
    let desk = Desk::new();
    let file = write(&desk, "台账.csv", format!("\u{feff}{LOGBOOK}").as_bytes());
    let out = stdout(&import(&desk, &file, &[]).success());
    assert!(
        out.contains("3 rows; 3 new, 0 imported before, 0 refused"),
        "{out}"
    );
    assert!(out.contains("imported 3 complaints"), "{out}");
    let rows = all(&desk);
    assert_eq!(rows.len(), 3);
    let zhang = rows.iter().find(|c| c["name"] == "张伟").expect("张伟");
    // The historical complaint keeps when it came in; closed with its result.
    assert_eq!(zhang["received_at"], "2026-11-03T09:05:00+08:00");
    assert_eq!(zhang["stage"], "closed");
    assert_eq!(zhang["category"], "leak");
    let shown = desk.show(zhang["number"].as_str().expect("number"));
    assert_eq!(event_kinds(&shown), ["imported"]);
    let detail = &shown["events"][0]["detail"];
    assert_eq!(detail["file"], "台账.csv");
    assert_eq!(detail["line"], 2);
    assert_eq!(detail["number"], "A-001");
    let formula = rows.iter().find(|c| c["channel"] == "chat").expect("chat");
    assert_eq!(formula["name"], "=1+1", "the export's guard is taken off");
    assert!(
        formula["description"]
            .as_str()
            .is_some_and(|d| d.contains("太吵，\n晚上")),
        "{formula}"
    );
    let walk_in = rows
        .iter()
        .find(|c| c["channel"] == "walk-in")
        .expect("来访");
    assert_eq!(walk_in["received_at"], "2026-11-06T00:00:00+08:00");
    // The landline keeps its leading zero (revealed by the admin).
    let revealed = desk.json_as(
        common::ADMIN,
        &[
            "show",
            zhang["number"].as_str().expect("number"),
            "--format",
            "json",
            "--reveal",
        ],
    );
    assert_eq!(revealed["phone"], "02155556666");
    let before = events(&desk);
    let again = stdout(&import(&desk, &file, &[]).success());
    assert!(
        again.contains("0 new, 3 imported before, 0 refused"),
        "{again}"
    );
    assert_eq!(all(&desk).len(), 3);
    assert_eq!(events(&desk), before, "nothing written the second time");
}

/// A logbook with the handling columns old ledgers keep (状态, 责任方, 处理人, 补偿, 原因, …):
/// a closed row comes in closed with its record (a handler who is no agent here kept in the
/// event), an open one at triage with what the file said in its event, and a bad record cell
/// is refused naming its column.
#[test]
fn a_logbook_with_handling_columns_keeps_the_record_of_closed_rows() {
    let desk = Desk::new();
    let text = "来电时间,投诉人,联系电话,房号,类别,投诉内容,状态,责任归属,责任方,严重程度,处理人,调查情况,责任部门,处理措施,补偿金额,客户接受,处理结果,原因,经验教训,结案时间
2026-11-03 09:05,张伟,13800138000,3栋1801,漏水,卫生间漏水,已完成,本方责任,,一般投诉,老周,防水层破损,工程部,更换防水层,２００,是,已修好,防水层老化,雨季前巡检,2026-11-05 16:30
2026-11-04 10:00,李娜,13900139000,5栋302,漏水,外墙渗水,已结案,他方责任,开发商,,,,,,,,已转开发商,,,2026-11-06
2026-11-05 11:00,王芳,13700137000,6栋,漏水,楼顶渗水,处理中,,,,王丽,已上楼顶查看,,,,,,,,
";
    let file = write(&desk, "台账.csv", text.as_bytes());
    let out = stdout(&import(&desk, &file, &[]).success());
    assert!(out.contains("3 new, 0 imported before, 0 refused"), "{out}");
    assert!(out.contains("1 open rows carry"), "{out}");
    let rows = all(&desk);
    let zhang = rows.iter().find(|c| c["name"] == "张伟").expect("张伟");
    assert_eq!(
        (&zhang["stage"], &zhang["scope"], &zhang["severity"]),
        (&"closed".into(), &"in".into(), &"general".into())
    );
    let shown = desk.show(zhang["number"].as_str().expect("number"));
    let h = &shown["handling"];
    assert_eq!(h["facts"], "防水层破损");
    assert_eq!(h["plan"]["department"], "工程部");
    assert_eq!(h["plan"]["compensation"], 200, "full-width digits read");
    assert_eq!(h["reply"]["accepted"], true);
    assert_eq!(h["summary"]["summary"], "已修好");
    assert_eq!(h["summary"]["root_cause"], "防水层老化");
    assert_eq!(h["summary"]["lesson"], "雨季前巡检");
    assert_eq!(shown["events"][0]["detail"]["handler_in_file"], "老周");
    let li = rows.iter().find(|c| c["name"] == "李娜").expect("李娜");
    assert_eq!(
        (&li["stage"], &li["scope"], &li["party"]),
        (
            &"closed_referred".into(),
            &"out".into(),
            &"developer".into()
        )
    );
    let wang = rows.iter().find(|c| c["name"] == "王芳").expect("王芳");
    assert_eq!(wang["stage"], "received");
    assert!(wang["scope"].is_null(), "open rows start at triage");
    assert_eq!(wang["handler"], "王丽", "a registered agent keeps the case");
    let shown = desk.show(wang["number"].as_str().expect("number"));
    assert_eq!(
        shown["events"][0]["detail"]["record"]["handling"]["facts"],
        "已上楼顶查看"
    );
    desk.cmd().args(["audit", "verify"]).assert().success();

    // Bad record cells: an unknown party, a stage that contradicts the closing, an amount.
    let other = Desk::new();
    let text = "来电时间,投诉人,联系电话,房号,类别,投诉内容,状态,责任方,补偿金额,处理结果,结案时间
2026-11-03 09:05,张伟,13800138000,3栋,漏水,漏水,已结案,隔壁老王,,已修好,2026-11-05
2026-11-03 09:05,李娜,13900139000,3栋,漏水,漏水,已结案,,,,
2026-11-03 09:05,王芳,13700137000,3栋,漏水,漏水,,,二百,已修好,2026-11-05
";
    let file = write(&other, "bad.csv", text.as_bytes());
    let errors = other.path("errors.csv");
    other
        .cmd()
        .args(["--lang", "zh-CN", "import"])
        .arg(&file)
        .arg("--errors")
        .arg(&errors)
        .assert()
        .code(1);
    assert!(all(&other).is_empty());
    let rows = csv_rows(&std::fs::read_to_string(&errors).expect("errors file"));
    let by_line = lines_columns_values(&rows);
    assert_eq!(
        by_line,
        [
            ("2", "责任方", "隔壁老王"),
            ("3", "状态", "已结案"),
            ("4", "补偿金额", "二百"),
        ]
    );
    assert!(rows[2][3].contains("没有结案时间"), "{:?}", rows[2]);
}

#[test]
fn gb18030_and_big5_files_are_read_in_their_encoding() {
    let desk = Desk::new();
    let (gbk, _, bad) = encoding_rs::GB18030.encode(LOGBOOK);
    assert!(!bad);
    let file = write(&desk, "gbk.csv", &gbk);
    let out = stdout(&import(&desk, &file, &["--dry-run"]).success());
    assert!(out.contains("(GB18030): 3 rows; 3 new"), "{out}");
    import(&desk, &file, &[]).success();
    assert!(all(&desk).iter().any(|c| c["description"] == "电梯困人"));

    let big5_text = "編號,來電時間,姓名,聯絡電話,房號,類別,投訴內容
T-1,2026/11/10 08:00,陳大文,0223456789,信義路五段7號,漏水,浴室天花板漏水
";
    let (big5, _, bad) = encoding_rs::BIG5.encode(big5_text);
    assert!(!bad);
    let file = write(&desk, "big5.csv", &big5);
    let out = stdout(
        &import(
            &desk,
            &file,
            &["--map", "聯絡電話=phone", "--map", "編號=number"],
        )
        .success(),
    );
    assert!(out.contains("(Big5): 1 rows; 1 new"), "{out}");
    let chen = all(&desk)
        .into_iter()
        .find(|c| c["name"] == "陳大文")
        .expect("陳大文");
    assert_eq!(chen["description"], "浴室天花板漏水");
    assert_eq!(chen["location"], "信義路五段7號");
}

#[test]
fn an_xlsx_workbook_is_read_with_its_dates_and_text_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let desk = Desk::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "受理时间",
        "姓名",
        "电话",
        "房号",
        "类别",
        "投诉内容",
        "结案时间",
        "处理结果",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let at = ExcelDateTime::parse_from_str("2026-10-01 08:30:00").expect("date");
    sheet
        .write_datetime_with_format(1, 0, &at, &date)
        .expect("date");
    sheet.write_string(1, 1, "王芳").expect("name");
    sheet.write_string(1, 2, "075512345678").expect("phone");
    sheet.write_string(1, 3, "9栋").expect("unit");
    sheet.write_string(1, 4, "leak").expect("category");
    sheet.write_string(1, 5, "阳台渗水").expect("text");
    // A closing time typed as an Excel serial number (2026-10-03 12:00).
    sheet.write_number(1, 6, 46298.5).expect("serial");
    sheet.write_string(1, 7, "已修复").expect("result");
    let file = desk.path("台账.xlsx");
    book.save(&file).expect("save");
    let out = stdout(&import(&desk, &file, &[]).success());
    assert!(out.contains("(xlsx): 1 rows; 1 new"), "{out}");
    let rows = all(&desk);
    assert_eq!(rows[0]["received_at"], "2026-10-01T08:30:00+08:00");
    assert_eq!(rows[0]["stage"], "closed");
    let number = rows[0]["number"].as_str().expect("number");
    let revealed = desk.json_as(
        common::ADMIN,
        &["show", number, "--format", "json", "--reveal"],
    );
    assert_eq!(revealed["phone"], "075512345678");
}

#[test]
fn seeded_bad_rows_are_listed_in_the_errors_file_and_nothing_is_written() {
    let desk = Desk::new();
    let text = "来电时间,姓名,电话,房号,类别,投诉内容,处理结果,结案时间
2026-11-01 09:00,张伟,13800138000,3栋,漏水,漏水,,
2026-02-30,李四,13800138001,3栋,漏水,漏水,,
2026-11-01 09:00,王五,1234,3栋,漏水,漏水,,
2026-11-01 09:00,赵六,13800138002,3栋,不存在,漏水,,
2026-11-01 09:00,钱七,13800138003,3栋,漏水,漏水,修好了,
2026-11-01 09:00,张伟,13800138000,3栋,漏水,漏水,,
2026-11-01 09:00,孙\u{1b}[31m八,13800138004,3栋,漏水,漏水,,
";
    let file = write(&desk, "bad.csv", text.as_bytes());
    let errors = desk.path("errors.csv");
    let before = events(&desk);
    let assert = desk
        .cmd()
        .args(["--lang", "zh-CN", "import"])
        .arg(&file)
        .arg("--errors")
        .arg(&errors)
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("error: 未导入：6 行被拒"), "{err}");
    assert!(all(&desk).is_empty());
    assert_eq!(events(&desk), before);
    let rows = csv_rows(&std::fs::read_to_string(&errors).expect("errors file"));
    assert_eq!(rows[0], ["行号", "列", "内容", "原因"]);
    let by_line = lines_columns_values(&rows);
    assert_eq!(
        by_line,
        [
            ("3", "来电时间", "2026-02-30"),
            ("4", "电话", "1234"),
            ("5", "类别", "不存在"),
            ("6", "处理结果", "修好了"),
            ("7", "", ""),
            ("8", "姓名", "孙\u{1b}[31m八"),
        ]
    );
    assert!(rows[1][3].contains("没有这一天"), "{:?}", rows[1]);
    assert!(rows[5][3].contains("第 2 行"), "{:?}", rows[5]);
    // With --skip-invalid the valid row goes in.
    let out = stdout(&import(&desk, &file, &["--skip-invalid"]).success());
    assert!(out.contains("imported 1 complaints"), "{out}");
    assert_eq!(all(&desk).len(), 1);
}

#[test]
fn a_dry_run_counts_and_writes_nothing() {
    let desk = Desk::new();
    let file = write(&desk, "台账.csv", LOGBOOK.as_bytes());
    let before = std::fs::read(&desk.db).expect("db");
    let out = stdout(&import(&desk, &file, &["--dry-run"]).success());
    assert!(
        out.contains("3 rows; 3 new, 0 imported before, 0 refused"),
        "{out}"
    );
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(all(&desk).is_empty());
    let conn = rusqlite::Connection::open(&desk.db).expect("open");
    let imports: i64 = conn
        .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
        .expect("count");
    assert_eq!(imports, 0);
    assert!(!before.is_empty());
}

/// Each bad file is refused with one `error:` line naming what and where; nothing written.
#[test]
fn bad_input_is_refused_with_one_clear_line_and_nothing_written() {
    let desk = Desk::new();
    let before = events(&desk);
    let header = "姓名,电话,房号,类别,投诉内容\n";
    let wide = {
        let mut s = String::new();
        for _ in 0..3 {
            s.push_str(&vec!["x"; 30_000].join(","));
            s.push('\n');
        }
        s
    };
    let mixed = {
        let mut bytes = format!("{header}张伟,13800138000,3栋,漏水,漏水\n").into_bytes();
        let (gbk, _, _) = encoding_rs::GB18030.encode("李四,13800138001,3栋,漏水,漏水\n");
        bytes.extend_from_slice(&gbk);
        bytes
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "is empty"),
        (
            "header.csv",
            header.as_bytes().to_vec(),
            "has a header row and no complaints",
        ),
        (
            "wide.csv",
            wide.into_bytes(),
            "line 1 has 30000 columns; at most 200",
        ),
        (
            "binary.csv",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff],
            "is not a text file",
        ),
        (
            "mixed.csv",
            mixed,
            "mixes text encodings: line 1 is UTF-8, line 3 is not",
        ),
        (
            "quote.csv",
            format!("{header}张伟,13800138000,3栋,漏水,\"漏水\n李四,13800138001,3栋,漏水,漏水\n")
                .into_bytes(),
            "a quote opened in the row at line 2 is never closed",
        ),
        (
            "unknown.csv",
            "姓名,电话,房号,类别,投诉内容,楼栋经理\n张伟,13800138000,3栋,漏水,漏水,老王\n"
                .as_bytes()
                .to_vec(),
            "columns not recognised: 楼栋经理",
        ),
        (
            "notes.doc",
            b"hello".to_vec(),
            "import reads .csv and .xlsx files",
        ),
    ];
    for (name, bytes, want) in cases {
        let file = write(&desk, name, &bytes);
        let assert = import(&desk, &file, &[]).code(1);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: {err}");
        assert!(lines[0].starts_with("error: "), "{name}: {err}");
        assert!(lines[0].contains(want), "{name}: {err}");
    }
    // Repeated rows inside the file are refused, naming the first.
    let file = write(
        &desk,
        "twice.csv",
        format!("{header}张伟,13800138000,3栋,漏水,漏水\n张伟,13800138000,3栋,漏水,漏水\n")
            .as_bytes(),
    );
    let assert = import(&desk, &file, &[]).code(1);
    let out = stdout(&assert);
    assert!(
        out.contains("line 3: the same complaint as line 2"),
        "{out}"
    );
    assert!(all(&desk).is_empty());
    assert_eq!(events(&desk), before);
}

/// An `.xlsx` that unpacks to more than the limit is refused before it is opened.
#[test]
fn an_xlsx_zip_bomb_is_refused_unopened() {
    let desk = Desk::new();
    let file = desk.path("bomb.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&file).expect("create"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("entry");
    let zeros = vec![b'0'; 1 << 20];
    let limit = complaint_desk::sheet::MAX_UNPACKED >> 20;
    for _ in 0..=limit {
        zip.write_all(&zeros).expect("write");
    }
    zip.finish().expect("finish");
    assert!(std::fs::metadata(&file).expect("size").len() < 20 << 20);
    let assert = import(&desk, &file, &[]).code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("unpacks to more than"), "{err}");
    assert!(all(&desk).is_empty());
}

/// A file far larger than the free space of the database's disk is refused before a byte
/// of it is read (a sparse file stands in for the 2 GB logbook on a small disk).
#[test]
fn a_file_larger_than_the_free_disk_is_refused_first() {
    let desk = Desk::new();
    let file = desk.path("huge.csv");
    let f = std::fs::File::create(&file).expect("create");
    let free = rustix::fs::statvfs(desk.dir.path()).expect("statvfs");
    f.set_len(free.f_bavail * free.f_frsize).expect("sparse");
    let assert = import(&desk, &file, &[]).code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("free some space first"), "{err}");
    let conn = rusqlite::Connection::open(&desk.db).expect("open");
    let imports: i64 = conn
        .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
        .expect("count");
    assert_eq!(imports, 0);
}

/// `kill -9` while the rows are being staged: nothing visible, the audit trail whole, and
/// the next run imports the file whole.
#[test]
fn an_import_killed_mid_run_leaves_the_desk_unchanged() {
    let desk = Desk::new();
    let mut text = String::from("来电时间,姓名,电话,房号,类别,投诉内容\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "2026-10-{:02} 09:{:02},住户{i},1380013{:04},{}栋{}单元,漏水,第{i}户卫生间漏水\n",
            i % 28 + 1,
            i % 60,
            i % 10_000,
            i % 30 + 1,
            i % 4 + 1
        ));
    }
    let file = write(&desk, "big.csv", text.as_bytes());
    let before = events(&desk);
    let mut child = common::spawn(&mut desk.process(&["import", file.to_str().expect("path")]));
    let conn = rusqlite::Connection::open(&desk.db).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("busy");
    let started = Instant::now();
    loop {
        let staged: i64 = conn
            .query_row(
                "SELECT coalesce(sum(staged), 0) FROM imports WHERE state = 'staging'",
                [],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if staged > 0 {
            break;
        }
        assert!(
            started.elapsed() < common::STUCK,
            "the import never started staging"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill_and_reap();
    let complaints: i64 = conn
        .query_row("SELECT count(*) FROM complaints", [], |r| r.get(0))
        .expect("count");
    assert_eq!(complaints, 0);
    drop(conn);
    assert_eq!(
        events(&desk),
        before,
        "the audit trail is whole and unchanged"
    );
    let out = stdout(&import(&desk, &file, &[]).success());
    assert!(out.contains("imported 20000 complaints"), "{out}");
    assert_eq!(events(&desk), before + 20_000);
    // Every imported complaint is in the search index (written in bulk before each commit).
    for i in [0, 17_777, 19_999] {
        let found = desk.json(&["search", &format!("第{i}户"), "--format", "json"]);
        assert_eq!(found.as_array().map(Vec::len), Some(1), "第{i}户: {found}");
    }
}
