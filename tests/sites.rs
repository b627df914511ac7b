//! Sites scope what an agent sees and does, on the built binary: an agent given sites sees
//! those sites' complaints (and those naming none) in lists, search and `show`; another
//! site's case is refused and the refusal recorded; head office and agents given no site
//! see every site.

mod common;

use common::{ADMIN, Desk, leak, stdout};
use predicates::prelude::*;

/// A complaint at `site` (none: `None`), recorded by the default agent; its number.
fn add_at(desk: &Desk, site: Option<&str>) -> String {
    let mut args = leak();
    if let Some(site) = site {
        args.extend(["--site", site]);
    }
    desk.add(&args)
}

/// The numbers `args` (a JSON listing) prints, run as `agent`.
fn numbers(desk: &Desk, agent: &str, args: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = desk
        .json_as(agent, args)
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["number"].as_str().unwrap_or_default().to_string())
        .collect();
    found.sort();
    found
}

fn sorted(numbers: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
    v.sort();
    v
}

#[test]
fn an_agent_of_one_site_sees_only_it_and_head_office_sees_all() {
    let desk = Desk::new();
    let lvjing = add_at(&desk, Some("lvjing"));
    let xiangshu = add_at(&desk, Some("香樹灣"));
    let nowhere = add_at(&desk, None);
    let everything = sorted(&[&lvjing, &xiangshu, &nowhere]);
    let list = ["list", "--queue", "all", "--format", "json"];
    let search = ["search", "张伟", "--format", "json"];
    // Nobody is scoped yet.
    assert_eq!(numbers(&desk, "王丽", &list), everything);

    desk.as_agent(ADMIN)
        .args(["--lang", "en", "agent", "sites", "王丽", "绿景花园"])
        .assert()
        .success()
        .stdout(predicate::str::contains("王丽's sites: Greenview Garden"));

    // 王丽 sees her site's complaints and those naming no site, everywhere.
    let hers = sorted(&[&lvjing, &nowhere]);
    assert_eq!(numbers(&desk, "王丽", &list), hers);
    assert_eq!(numbers(&desk, "王丽", &search), hers);
    let mut by_site = search.to_vec();
    by_site.extend(["--site", "xiangshu"]);
    assert!(numbers(&desk, "王丽", &by_site).is_empty());
    desk.as_agent("王丽")
        .args(["--lang", "en", "show", &xiangshu])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: 王丽 does not work at site \"xiangshu\"",
        ));
    desk.as_agent("王丽")
        .args([
            "case",
            &xiangshu,
            "classify",
            "--scope",
            "in",
            "--severity",
            "general",
        ])
        .assert()
        .code(1)
        .stdout("");
    desk.as_agent("王丽")
        .args(["show", &lvjing])
        .assert()
        .success();

    // Head office (the admin's role sees every site) and an agent given no site see all,
    // and may still filter by site.
    assert_eq!(numbers(&desk, ADMIN, &list), everything);
    assert_eq!(numbers(&desk, ADMIN, &search), everything);
    assert_eq!(
        numbers(&desk, ADMIN, &by_site),
        std::slice::from_ref(&xiangshu)
    );
    assert_eq!(numbers(&desk, "李娜", &list), everything);

    // Both refusals are in the case's timeline, and the move changed nothing.
    let case = desk.json_as(ADMIN, &["show", &xiangshu, "--format", "json"]);
    let denials: Vec<&serde_json::Value> = case["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "denied" && e["agent"] == "王丽")
        .collect();
    assert_eq!(denials.len(), 2, "{case}");
    assert_eq!(case["scope"], serde_json::Value::Null);
    // Changing sites is recorded too, and the chain accounts for it.
    desk.as_agent(ADMIN)
        .args(["audit", "verify"])
        .assert()
        .success();
}

#[test]
fn agents_are_added_with_sites_listed_with_them_and_set_back_to_none() {
    let desk = Desk::new();
    desk.as_agent(ADMIN)
        .env("COMPLAINT_DESK_NEW_SECRET", "1357")
        .args([
            "agent",
            "add",
            "小张",
            "--role",
            "agent",
            "--site",
            "香樹灣",
            "--site",
            "binjiang",
        ])
        .assert()
        .success();
    let list = desk.json_as(ADMIN, &["agent", "list", "--format", "json"]);
    let zhang = list
        .as_array()
        .expect("agents")
        .iter()
        .find(|a| a["name"] == "小张")
        .expect("小张 listed")
        .clone();
    assert_eq!(zhang["sites"], serde_json::json!(["binjiang", "xiangshu"]));
    let table = stdout(
        &desk
            .as_agent(ADMIN)
            .args(["agent", "list"])
            .assert()
            .success(),
    );
    assert!(table.contains("滨江壹号, 香树湾"), "{table}");
    assert!(table.contains("全部站点"), "{table}");

    // An unknown site is refused with the known ones; nothing changes.
    desk.as_agent(ADMIN)
        .args(["agent", "sites", "小张", "海底捞"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("海底捞").and(predicate::str::contains("lvjing")));
    // None: every site again.
    desk.as_agent(ADMIN)
        .args(["agent", "sites", "小张"])
        .assert()
        .success();
    let list = desk.json_as(ADMIN, &["agent", "list", "--format", "json"]);
    assert!(
        list.as_array()
            .expect("agents")
            .iter()
            .all(|a| a["sites"] == serde_json::json!([])),
        "{list}"
    );
    // Managing sites takes manage_agents.
    desk.as_agent("王丽")
        .args(["agent", "sites", "王丽", "lvjing"])
        .assert()
        .code(1);
    desk.as_agent(ADMIN)
        .args(["audit", "verify"])
        .assert()
        .success();
}

/// A site given to an agent in the file, not through the desk, is reported by `audit
/// verify` (sites decide what an agent sees, like their role).
#[test]
fn sites_edited_in_the_file_fail_the_audit() {
    let desk = Desk::new();
    desk.as_agent(ADMIN)
        .args(["agent", "sites", "王丽", "lvjing"])
        .assert()
        .success();
    let conn = rusqlite::Connection::open(&desk.db).expect("open");
    conn.execute(
        "INSERT INTO agent_sites (agent, site) VALUES ('王丽', 'xiangshu')",
        [],
    )
    .expect("edit");
    drop(conn);
    desk.as_agent(ADMIN)
        .args(["--lang", "en", "audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("王丽"));
}

/// A desk with no sites configured scopes nobody (not even an agent given sites before),
/// and refuses giving an agent sites.
#[test]
fn without_sites_configured_nobody_is_scoped() {
    let desk = Desk::new();
    let xiangshu = add_at(&desk, Some("xiangshu"));
    desk.as_agent(ADMIN)
        .args(["agent", "sites", "王丽", "lvjing"])
        .assert()
        .success();
    let list = ["list", "--queue", "all", "--format", "json"];
    assert!(numbers(&desk, "王丽", &list).is_empty());
    let config = desk.path("config.toml");
    std::fs::write(&config, "sites = []\n").expect("config");
    let config = config.to_str().expect("path");
    desk.as_agent(ADMIN)
        .args([
            "--config", config, "--lang", "en", "agent", "sites", "王丽", "lvjing",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no sites configured"));
    let mut list_there = vec!["--config", config];
    list_there.extend(list);
    assert_eq!(numbers(&desk, "王丽", &list_there), [xiangshu]);
}
