//! `export` on the command line: labels in the interface language or keys, the handling
//! record as columns, the timeline beside it (a second CSV file, a second sheet), periods and
//! queues, .xlsx read back with calamine (text stays text, dates are dates), and formula
//! injection neutralised in CSV and xlsx.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{ADMIN, Desk, leak};

/// A desk with a landline complaint whose name would be a formula, and a classified leak.
fn desk() -> (Desk, String, String) {
    let desk = Desk::new();
    let mut formula = leak();
    formula[3] = "=1+1";
    formula[5] = "021 5555 6666";
    let first = desk.add(&formula);
    let second = desk.add(&leak());
    desk.case(
        &second,
        &[
            "classify",
            "--scope",
            "in",
            "--severity",
            "general",
            "--intent",
            "genuine",
        ],
    )
    .success();
    (desk, first, second)
}

/// The rows of a CSV (BOM skipped) as header → value maps.
fn csv_rows(bytes: &[u8]) -> Vec<std::collections::BTreeMap<String, String>> {
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::Reader::from_reader(body);
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn csv_has_chinese_labels_the_handling_record_and_no_live_formula() {
    let (desk, first, second) = desk();
    let out = desk
        .as_agent(ADMIN)
        .args(["export", "--format", "csv"])
        .assert()
        .success();
    let bytes = &out.get_output().stdout;
    assert!(bytes.starts_with("\u{feff}编号,受理时间,渠道,投诉人,电话".as_bytes()));
    let rows = csv_rows(bytes);
    assert_eq!(rows.len(), 2);
    let a = rows.iter().find(|r| r["编号"] == first).expect("first");
    assert_eq!(a["投诉人"], "'=1+1", "a formula is written inert");
    assert_eq!(a["电话"], "021 5555 6666", "leading zero kept");
    assert_eq!(a["渠道"], "电话");
    assert_eq!(a["类别"], "漏水");
    assert_eq!(a["已致歉"], "是");
    assert_eq!(a["处理阶段"], "已受理");
    assert!(
        a.contains_key("调查事实") && a.contains_key("处理总结"),
        "{a:?}"
    );
    let b = rows.iter().find(|r| r["编号"] == second).expect("second");
    assert_eq!(b["判定"], "物业纠纷（本方责任）");
    assert_eq!(b["严重程度"], "一般投诉");
    assert!(
        b["受理时间"].len() == 16,
        "local minutes: {}",
        b["受理时间"]
    );
}

#[test]
fn keys_with_events_write_a_second_file_beside_the_first() {
    let (desk, _, second) = desk();
    let out = desk.path("out.csv");
    desk.as_agent(ADMIN)
        .args([
            "export",
            "--format",
            "csv",
            "--headers",
            "keys",
            "--with-events",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("out-events.csv"));
    let rows = csv_rows(&std::fs::read(&out).expect("out"));
    let b = rows.iter().find(|r| r["number"] == second).expect("second");
    assert_eq!(b["scope"], "in");
    assert_eq!(b["channel"], "phone");
    assert_eq!(b["stage"], "received");
    assert!(
        b["received_at"].contains('T'),
        "RFC 3339: {}",
        b["received_at"]
    );
    let events = csv_rows(&std::fs::read(desk.path("out-events.csv")).expect("events"));
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| e["number"] == second)
        .map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["received", "classified"]);
    // On stdout there is no second file to write.
    desk.as_agent(ADMIN)
        .args(["export", "--format", "csv", "--with-events"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--out"));
}

#[test]
fn queue_and_period_choose_the_complaints() {
    let (desk, _, second) = desk();
    let out = desk
        .as_agent(ADMIN)
        .args(["export", "--format", "json", "--queue", "untriaged"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(json.as_array().expect("array").len(), 1);
    assert_ne!(json[0]["number"], second.as_str());
    let out = desk
        .as_agent(ADMIN)
        .args([
            "export",
            "--format",
            "json",
            "--with-events",
            "--to",
            "2020-01-01",
        ])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(json, serde_json::json!([]));
    let out = desk
        .as_agent(ADMIN)
        .args([
            "export",
            "--format",
            "json",
            "--with-events",
            "--from",
            "2020-01-01",
        ])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(json.as_array().expect("array").len(), 2);
    assert!(json[0]["events"].as_array().is_some_and(|e| !e.is_empty()));
}

#[test]
fn xlsx_keeps_text_as_text_dates_as_dates_and_the_timeline_on_a_second_sheet() {
    let (desk, first, _) = desk();
    desk.as_agent(ADMIN)
        .args(["export", "--format", "xlsx"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--out"));
    let out = desk.path("导出.xlsx");
    desk.as_agent(ADMIN)
        .args(["export", "--format", "xlsx", "--with-events", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&out).expect("xlsx");
    assert_eq!(book.sheet_names(), ["投诉登记", "处理记录"]);
    let sheet = book.worksheet_range("投诉登记").expect("sheet");
    let header: Vec<String> = sheet
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&header[..4], ["编号", "受理时间", "渠道", "投诉人"]);
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let row = sheet
        .rows()
        .find(|r| r[0] == Data::String(first.clone()))
        .expect("first row");
    assert_eq!(
        row[col("投诉人")],
        Data::String("=1+1".into()),
        "text, not a formula"
    );
    assert_eq!(row[col("电话")], Data::String("021 5555 6666".into()));
    assert!(
        matches!(row[col("受理时间")], Data::DateTime(_)),
        "{:?}",
        row[col("受理时间")]
    );
    let formulas = book.worksheet_formula("投诉登记").expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula anywhere"
    );
    let timeline = book.worksheet_range("处理记录").expect("events");
    assert!(timeline.rows().count() >= 4, "header and three events");
    // Nothing but the workbook is left beside it.
    let names: Vec<String> = std::fs::read_dir(desk.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("导出"))
        .collect();
    assert_eq!(names, ["导出.xlsx"]);
}

/// The complaints of a desk as JSON, full phones (an export, keys).
fn exported(desk: &Desk) -> Vec<serde_json::Value> {
    let out = desk
        .as_agent(ADMIN)
        .args(["export", "--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("json")
}

/// What an import keeps of a complaint: the intake byte for byte; and of a closed one, its
/// classification and handling record too.
fn intake(c: &serde_json::Value, minutes: bool) -> Vec<String> {
    let received = c["received_at"].as_str().expect("received").to_string();
    // A labelled export writes minutes (as a spreadsheet shows them).
    let received = if minutes {
        received[..16].to_string()
    } else {
        received
    };
    let mut kept: Vec<String> = [
        "channel",
        "name",
        "phone",
        "location",
        "category",
        "description",
        "outcome",
    ]
    .iter()
    .map(|k| c[*k].as_str().unwrap_or_default().to_string())
    .chain([received, c["apologized"].to_string()])
    .collect();
    if c["closed_at"].is_string() {
        let mut handling = c["handling"].clone();
        // Labels write times to the minute, keys to the second.
        let width = if minutes { 16 } else { 19 };
        for r in handling["referrals"].as_array_mut().into_iter().flatten() {
            let at = r["at"].as_str().expect("at")[..width].to_string();
            r["at"] = at.into();
        }
        kept.extend(
            [
                "stage", "scope", "party", "type", "severity", "intent", "handler",
            ]
            .iter()
            .map(|k| c[*k].to_string()),
        );
        let closed = c["closed_at"].as_str().expect("closed");
        kept.push(if minutes {
            closed[..16].to_string()
        } else {
            closed.to_string()
        });
        kept.extend([
            c["spread_risk"].to_string(),
            c["explained"].to_string(),
            handling.to_string(),
        ]);
    }
    kept
}

/// A desk of four: the two of [`desk`], a leak handled to its close (plan with compensation
/// and gift, the reply, the remedy, the summary), and an out-of-scope case closed as
/// referred.
fn handled_desk() -> Desk {
    let (desk, _, _) = desk();
    let n = desk.add(&leak());
    for args in [
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
            "--spread-risk",
        ][..],
        &[
            "verify",
            "--motive",
            "担心楼下索赔",
            "--outcome",
            "维修并清理霉斑",
        ],
        &["assess", "--facts", "1901 防水层破损，\n已拍照"],
        &[
            "plan",
            "--department",
            "工程部",
            "--actions",
            "更换防水层",
            "--promised",
            "2099-01-05 10:00",
            "--confirmed",
            "--compensation",
            "150",
            "--gift",
            "清洁券一张",
        ],
        &["reply", "--accepted"],
        &["remedied", "--note", "防水层已更换"],
        &[
            "close",
            "--summary",
            "更换防水层，赠清洁券",
            "--root-cause",
            "防水层老化",
            "--lesson",
            "雨季前巡检",
        ],
    ] {
        desk.case(&n, args).success();
    }
    let out = desk.add(&leak());
    for args in common::REFER_TO_DEVELOPER
        .into_iter()
        .chain([&["close", "--referred"][..]])
    {
        desk.case(&out, args).success();
    }
    desk
}

/// Export → import into an empty desk, in CSV (labels and keys) and xlsx: the same
/// complaints, Chinese text byte-exact (a line break inside), the landline's leading zero, a
/// name that looks like a formula, and the closed cases' handling records whole. The open
/// classified case starts at triage in the new desk, its classification kept in its
/// `imported` event.
#[test]
fn an_export_imports_into_an_empty_desk_as_the_same_complaints() {
    let desk = handled_desk();
    let before = exported(&desk);
    assert_eq!(before.len(), 4);
    for (name, args, minutes) in [
        ("labels.csv", &["--format", "csv"][..], true),
        (
            "keys.csv",
            &["--format", "csv", "--headers", "keys"][..],
            false,
        ),
        ("book.xlsx", &["--format", "xlsx"][..], true),
    ] {
        let file = desk.path(name);
        desk.as_agent(ADMIN)
            .args(["export"])
            .args(args)
            .arg("--out")
            .arg(&file)
            .assert()
            .success();
        let other = Desk::new();
        let out = other
            .as_agent(ADMIN)
            .args(["--lang", "en", "import", "--write"])
            .arg(&file)
            .assert()
            .success();
        let said = common::stdout(&out);
        assert!(
            said.contains("1 open rows carry a stage or handling record"),
            "{name}: {said}"
        );
        let rows = |all: &[serde_json::Value]| {
            let mut rows: Vec<Vec<String>> = all.iter().map(|c| intake(c, minutes)).collect();
            rows.sort();
            rows
        };
        let after = exported(&other);
        assert_eq!(rows(&after), rows(&before), "{name}");
        let records: Vec<serde_json::Value> = after
            .iter()
            .filter(|c| c["closed_at"].is_null())
            .map(|c| {
                assert!(c["scope"].is_null(), "{name}: open cases start at triage");
                let shown = other.show(c["number"].as_str().expect("number"));
                shown["events"][0]["detail"]["record"].clone()
            })
            .filter(|r| !r.is_null())
            .collect();
        assert_eq!(records.len(), 1, "{name}: {records:?}");
        assert_eq!(
            (
                &records[0]["scope"],
                &records[0]["severity"],
                &records[0]["intent"]
            ),
            (&"in".into(), &"general".into(), &"genuine".into()),
            "{name}"
        );
        assert_eq!(
            other
                .as_agent(ADMIN)
                .args(["audit", "verify"])
                .assert()
                .get_output()
                .status
                .code(),
            Some(0),
            "{name}"
        );
    }
}
