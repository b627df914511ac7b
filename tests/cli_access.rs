//! The shared workstation on the command line, on the built binary: agents, secrets from
//! the environment (never an argument), masked phones, recorded reveals, the audit trail.

mod common;

use common::{ADMIN, Desk, leak, stdout};
use predicates::prelude::*;

#[test]
fn the_first_agent_added_is_the_admin_who_then_manages_the_others() {
    let desk = Desk::empty();
    desk.cmd()
        .env("COMPLAINT_DESK_NEW_SECRET", "8642")
        .args(["--lang", "en", "agent", "add", "老板"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "first agent 老板 registered with role admin",
        ));
    // Anyone else now needs the admin's secret, from the environment or a prompt.
    desk.cmd()
        .env("COMPLAINT_DESK_AGENT", "老板")
        .env("COMPLAINT_DESK_NEW_SECRET", "1111")
        .args(["--lang", "en", "agent", "add", "小陈", "--role", "agent"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: this command needs the secret of 老板",
        ));
    desk.cmd()
        .env("COMPLAINT_DESK_AGENT", "老板")
        .env("COMPLAINT_DESK_SECRET", "0000")
        .env("COMPLAINT_DESK_NEW_SECRET", "1111")
        .args(["--lang", "en", "agent", "add", "小陈", "--role", "agent"])
        .assert()
        .code(1)
        .stderr("error: name or secret is wrong\n");
    desk.cmd()
        .env("COMPLAINT_DESK_AGENT", "老板")
        .env("COMPLAINT_DESK_SECRET", "8642")
        .env("COMPLAINT_DESK_NEW_SECRET", "1111")
        .args(["agent", "add", "小陈", "--role", "agent"])
        .assert()
        .success()
        .stdout("已添加客服 小陈，角色 agent\n");
    // A secret is never an argument.
    desk.cmd()
        .args(["agent", "add", "小李", "--secret", "1234"])
        .assert()
        .code(2);
}

#[test]
fn agents_are_listed_disabled_and_reset_by_the_admin_only() {
    let desk = Desk::new();
    let list = desk.json_as(ADMIN, &["agent", "list", "--format", "json"]);
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names.len(), 4, "{list}");
    assert!(list.to_string().contains("\"role\":\"supervisor\""));
    assert!(!list.to_string().contains("argon2"), "no hashes");
    let table = stdout(
        &desk
            .as_agent(ADMIN)
            .args(["agent", "list"])
            .assert()
            .success(),
    );
    let header = table.lines().next().expect("header");
    assert!(
        header.starts_with("客服") && header.contains("状态"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("李娜") && l.contains("客服主管") && l.contains("正常")),
        "{table}"
    );

    // 王丽 (agent) may not manage agents: refused, recorded.
    desk.as_agent("王丽")
        .args(["agent", "disable", "李娜"])
        .assert()
        .code(1)
        .stderr("error: 王丽（agent）无权管理客服账号；已记录此次拒绝\n");

    desk.as_agent(ADMIN)
        .args(["agent", "disable", "王丽"])
        .assert()
        .success();
    desk.cmd()
        .args(["add"])
        .args(leak())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("王丽”已停用"));

    // An unregistered name cannot act at all.
    desk.cmd()
        .env("COMPLAINT_DESK_AGENT", "路人")
        .args(["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("客服“路人”尚未登记"));

    // The admin resets 李娜's secret: the old one no longer works, the new one does.
    desk.as_agent(ADMIN)
        .env("COMPLAINT_DESK_NEW_SECRET", "97531")
        .args(["agent", "reset-secret", "李娜"])
        .assert()
        .success();
    desk.as_agent("李娜")
        .args(["export", "--format", "json"])
        .assert()
        .code(1)
        .stderr("error: 姓名或密码不正确\n");
    desk.cmd()
        .env("COMPLAINT_DESK_AGENT", "李娜")
        .env("COMPLAINT_DESK_SECRET", "97531")
        .args(["show", "--reveal", "20991231-0001"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("没有编号为 20991231-0001"));
}

#[test]
fn lists_mask_phones_and_a_reveal_needs_the_permission_and_is_recorded() {
    let desk = Desk::new();
    let number = desk.add(&leak());
    let list = desk.json(&["list", "--queue", "all", "--format", "json"]);
    assert_eq!(list[0]["phone"], "138****8000");
    let table = stdout(
        &desk
            .cmd()
            .args(["list", "--queue", "all"])
            .assert()
            .success(),
    );
    assert!(!table.contains("0013"), "{table}");
    assert_eq!(desk.show(&number)["phone"], "138****8000");

    desk.as_agent("王丽")
        .args(["show", &number, "--reveal", "--format", "json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("无权查看完整电话号码"));
    let shown = desk.json_as("李娜", &["show", &number, "--reveal", "--format", "json"]);
    assert_eq!(shown["phone"], "138 0013 8000");
    let events: Vec<(String, String)> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["agent"].as_str().expect("agent").to_string(),
                e["kind"].as_str().expect("kind").to_string(),
            )
        })
        .collect();
    assert!(
        events.contains(&("王丽".into(), "denied".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&("李娜".into(), "phone_revealed".into())),
        "{events:?}"
    );

    // Export carries personal data: refused to an agent, full numbers for a manager.
    desk.as_agent("王丽")
        .args(["export", "--format", "json"])
        .assert()
        .code(1);
    let export = desk.json_as("赵强", &["export", "--format", "json"]);
    assert_eq!(export[0]["phone"], "138 0013 8000");
}

#[test]
fn anonymise_and_the_audit_trail_from_the_command_line() {
    let desk = Desk::new();
    let number = desk.add(&leak());
    let head = stdout(&desk.cmd().args(["audit", "head"]).assert().success());
    let head = head.trim().to_string();
    assert_eq!(head.len(), 64, "{head}");
    assert!(head.chars().all(|c| c.is_ascii_hexdigit()));

    desk.as_agent("李娜")
        .args(["anonymise", &number])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("无权对投诉人做匿名化处理"));
    desk.as_agent(ADMIN)
        .args(["--lang", "en", "anonymise", &number])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("anonymised 1 complaint(s)"))
        .stderr("");
    let shown = desk.json_as(ADMIN, &["show", &number, "--reveal", "--format", "json"]);
    assert_eq!(shown["name"], "***");
    assert_eq!(shown["phone"], "***");
    assert_eq!(shown["category"], "leak");

    // The chain is whole, and still holds the head kept before.
    desk.cmd()
        .args(["--lang", "en", "audit", "verify", "--head", &head])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("audit trail whole:"));

    // Another program reading the file all along: erased, and a warning names the log.
    let other = desk.add(&leak());
    let reader = rusqlite::Connection::open(&desk.db).expect("reader");
    reader.execute_batch("BEGIN").expect("begin");
    let _: i64 = reader
        .query_row("SELECT count(*) FROM complaints", [], |r| r.get(0))
        .expect("read");
    desk.as_agent(ADMIN)
        .args(["--lang", "en", "anonymise", &other])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("anonymised 1 complaint(s)"))
        .stderr(format!(
            "warning: another program held {db} open for more than 5 s, so the erased text \
             may stay in {db}-wal until every program using the database has closed it; close \
             the other complaint-desk windows and commands\n",
            db = desk.db.display()
        ));
    drop(reader);

    // Someone with the file rewrites an event: named, exit 1.
    let conn = rusqlite::Connection::open(&desk.db).expect("raw");
    conn.execute_batch(
        "DROP TRIGGER events_no_update; UPDATE events SET agent = '冒名' WHERE id = 2;",
    )
    .expect("tamper");
    drop(conn);
    desk.cmd()
        .args(["--lang", "en", "audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: audit trail broken at event 2:",
        ));
}

/// A backup holds every full phone number: refused to an agent without
/// export_personal_data (the refusal recorded), made by a manager with their secret and
/// recorded with the file's name; without the secret it is not made.
#[test]
fn backup_needs_the_export_permission_and_the_secret_and_is_recorded() {
    let desk = Desk::new();
    desk.add(&leak());
    let copy = desk.path("copy.db");
    desk.as_agent("王丽")
        .args(["backup"])
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error:"));
    assert!(!copy.exists());
    desk.cmd()
        .env("COMPLAINT_DESK_AGENT", "赵强")
        .env_remove("COMPLAINT_DESK_SECRET")
        .args(["backup"])
        .arg(&copy)
        .assert()
        .code(1);
    assert!(!copy.exists(), "no secret, no backup");
    desk.as_agent("赵强")
        .args(["backup"])
        .arg(&copy)
        .assert()
        .success();
    assert!(copy.exists());
    let conn = rusqlite::Connection::open(&desk.db).expect("open");
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT agent, kind, detail FROM events WHERE kind IN ('denied', 'backed_up') ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0].0.as_str(), rows[0].1.as_str()), ("王丽", "denied"));
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1.as_str()),
        ("赵强", "backed_up")
    );
    assert!(rows[1].2.contains("copy.db"), "{}", rows[1].2);
}
