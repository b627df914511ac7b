//! `library …` and `case N close --to-library` on the built binary: a closed case becomes a
//! draft card without its person, a supervisor edits and publishes it, everyone lists,
//! searches and reads it, and the published cards export as Markdown and CSV.

mod common;

use common::{Desk, leak, stdout};

/// Walks a new complaint (the typical leak, its description `description`) to a close
/// with `close_args`; its number.
fn closed(desk: &Desk, description: &str, close_args: &[&str]) -> String {
    let mut add = leak();
    let at = add
        .iter()
        .position(|a| *a == "--description")
        .expect("description");
    add[at + 1] = description;
    let n = desk.add(&add);
    let steps: [&[&str]; 6] = [
        &["classify", "--scope", "in", "--severity", "general"],
        &[
            "verify",
            "--motive",
            "张伟担心楼下索赔",
            "--outcome",
            "尽快修好",
        ],
        &[
            "assess",
            "--facts",
            "1901 卫生间防水层破损，张先生家顶棚渗水",
        ],
        &[
            "plan",
            "--department",
            "工程部",
            "--actions",
            "更换1901防水层",
        ],
        &["reply", "--accepted"],
        &["remedied", "--note", "已修复，张伟确认"],
    ];
    for step in steps {
        desk.case(&n, step).success();
    }
    desk.case(&n, close_args).success();
    n
}

const CLOSE: [&str; 7] = [
    "close",
    "--summary",
    "更换防水层，回电 138 0013 8000 确认",
    "--root-cause",
    "防水层老化",
    "--lesson",
    "=雨季前巡检卫生间防水",
];

#[test]
fn a_closed_case_goes_to_the_library_without_its_person_and_is_published() {
    let desk = Desk::new();
    let mut close = CLOSE.to_vec();
    close.push("--to-library");
    let n = closed(&desk, "张伟反映3栋2单元1801卫生间天花板漏水", &close);
    let shown = desk.show(&n);
    let kinds = common::event_kinds(&shown);
    assert!(kinds.contains(&"library_added".to_string()), "{kinds:?}");
    assert_eq!(shown["library_card"], 1, "the case names its card");
    let text = stdout(
        &desk
            .cmd()
            .args(["--lang", "en", "show", &n])
            .assert()
            .success(),
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("Library card ") && l.ends_with("  1")),
        "{text}"
    );

    // 王丽 (agent) sees no drafts and may not publish.
    let mine = desk.json(&["library", "list", "--format", "json"]);
    assert_eq!(mine, serde_json::json!([]));
    desk.cmd()
        .args(["library", "publish", "1"])
        .assert()
        .code(1)
        .stderr(predicates::str::starts_with("error:"));

    // 李娜 (supervisor) reads the draft: no name, phone or unit.
    let cards = desk.json_as("李娜", &["library", "list", "--format", "json"]);
    let card = &cards[0];
    assert_eq!(card["status"], "draft");
    assert_eq!(card["category"], "leak");
    assert_eq!(card["party"], "工程部");
    let text = card.to_string();
    for personal in ["张伟", "张先生", "1801", "1901", "8000", "3栋"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    assert_eq!(
        card["facts"],
        "〔业主〕反映〔房号〕卫生间天花板漏水\n〔房号〕 卫生间防水层破损，〔业主〕家顶棚渗水"
    );
    let id = card["id"].as_i64().expect("id").to_string();
    // A card made once per case.
    desk.as_agent("李娜")
        .args(["library", "add", &n])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("已在典型案例库中"));
    desk.as_agent("李娜")
        .args([
            "library",
            "edit",
            &id,
            "--lesson",
            "雨季前巡检防水",
            "--expect-version",
            "1",
        ])
        .assert()
        .success()
        .stdout(format!("案例 {id} 已保存（版本 2）\n"));
    // What a curator types is cleaned as the case's text was.
    desk.as_agent("李娜")
        .args([
            "library",
            "edit",
            &id,
            "--outcome",
            "回访张先生 13800138000，1801 已不再渗水",
        ])
        .assert()
        .success();
    let card = desk.json_as("李娜", &["library", "show", &id, "--format", "json"]);
    assert_eq!(
        card["outcome"],
        "回访〔业主〕 〔电话〕，〔房号〕 已不再渗水"
    );
    assert_eq!(card["version"], 3);
    desk.as_agent("李娜")
        .args(["library", "publish", &id, "--expect-version", "2"])
        .assert()
        .code(1);
    desk.as_agent("李娜")
        .args(["library", "publish", &id])
        .assert()
        .success()
        .stdout(format!("案例 {id} 已发布（版本 4）\n"));

    // Everyone reads a published card, found by category or text.
    let found = desk.json(&[
        "library",
        "list",
        "--category",
        "漏水",
        "--search",
        "巡檢",
        "--format",
        "json",
    ]);
    assert_eq!(
        found[0]["id"].as_i64().map(|i| i.to_string()),
        Some(id.clone())
    );
    assert_eq!(found[0]["lesson"], "雨季前巡检防水");
    let none = desk.json(&["library", "list", "--search", "电梯", "--format", "json"]);
    assert_eq!(none, serde_json::json!([]));
    let text = stdout(&desk.cmd().args(["library", "show", &id]).assert().success());
    assert!(text.contains("经验教训:\n雨季前巡检防水"), "{text}");
    assert!(text.contains("已发布"), "{text}");
    let table = stdout(&desk.cmd().args(["library", "list"]).assert().success());
    assert!(
        table.contains("漏水") && table.contains("工程部"),
        "{table}"
    );

    // The audit trail is whole after the card's moves.
    desk.as_agent(common::ADMIN)
        .args(["audit", "verify"])
        .assert()
        .success();
}

#[test]
fn a_supervisor_adds_a_closed_case_later_and_the_export_has_published_cards_only() {
    let desk = Desk::new();
    let first = closed(&desk, "卫生间天花板漏水", &CLOSE);
    let second = closed(&desk, "厨房水管渗水", &CLOSE);
    for n in [&first, &second] {
        desk.as_agent("李娜")
            .args(["library", "add", n])
            .assert()
            .success();
    }
    desk.as_agent("李娜")
        .args(["library", "publish", "1"])
        .assert()
        .success();
    // An open case makes no card.
    let open = desk.add(&leak());
    desk.as_agent("李娜")
        .args(["library", "add", &open])
        .assert()
        .code(1)
        .stderr(format!(
            "error: 投诉 {open} 尚未结案：只有已结案的投诉才能加入典型案例库\n"
        ));

    let md = stdout(
        &desk
            .cmd()
            .args(["library", "export", "--format", "md"])
            .assert()
            .success(),
    );
    assert!(md.starts_with("# 典型案例库\n\n## 案例 1 · 漏水\n"), "{md}");
    assert!(md.contains("### 经验教训\n\n=雨季前巡检卫生间防水"), "{md}");
    assert!(!md.contains("案例 2"), "drafts stay out: {md}");

    let out = desk.path("cards.csv");
    desk.cmd()
        .args(["library", "export", "--format", "csv", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(format!("已导出 1 个案例到 {}\n", out.display()));
    let bytes = std::fs::read(&out).expect("csv");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM first");
    let rows = common::csv_rows(std::str::from_utf8(&bytes[3..]).expect("utf8"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][0], "案例");
    assert_eq!(rows[1][1], "漏水");
    // A formula is text in the spreadsheet.
    assert_eq!(rows[1][8], "'=雨季前巡检卫生间防水");
    assert!(!rows[1].join(" ").contains("8000"), "{rows:?}");
    // The file is never overwritten.
    desk.cmd()
        .args(["library", "export", "--format", "csv", "--out"])
        .arg(&out)
        .assert()
        .code(1);
    // English placeholders and labels on an English desk's card text.
    let shown = stdout(
        &desk
            .cmd()
            .args(["--lang", "en", "library", "show", "1"])
            .assert()
            .success(),
    );
    assert!(shown.contains("Lesson:\n=雨季前巡检卫生间防水"), "{shown}");
}
