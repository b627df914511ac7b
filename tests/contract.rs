//! The store's contract, the same on both engines: every test here runs on a SQLite file
//! and on a PostgreSQL database (`sqlite::…` and `postgres::…`). The PostgreSQL run needs
//! the server `.ci/pg-cluster` starts (see tests/common/pg.rs); without one it is skipped,
//! saying so.

mod common;

use chrono::{DateTime, Duration, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::SearchFilter;
use complaint_desk::desk::{CallResult, CallbackView, Desk, FilterText, FixedClock};
use complaint_desk::desk::{ImportOptions, ImportReport};
use complaint_desk::domain::complaint::{Channel, Complaint, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::{Action, Mood};
use complaint_desk::domain::report::{By, Period};
use complaint_desk::domain::risk::Fact;
use complaint_desk::domain::search::View;
use complaint_desk::domain::stage::Stage;
use complaint_desk::store::imports::{self, Staged, State};
use complaint_desk::store::{IfMissing, Store, agents};

use common::pg::PgDb;

/// Where a test's database is: a file, or a PostgreSQL database of its own.
enum Place {
    File(tempfile::TempDir),
    Server(PgDb),
}

impl Place {
    fn sqlite() -> Place {
        Place::File(tempfile::tempdir().expect("tmp"))
    }

    fn postgres() -> Option<Place> {
        PgDb::new().map(Place::Server)
    }

    /// A new connection to it (the schema created on first use).
    fn store(&self) -> Store {
        match self {
            Place::File(dir) => Store::open(&dir.path().join("desk.db")).expect("open"),
            Place::Server(db) => {
                Store::open_postgres(&db.url, Some(&db.password), IfMissing::Create).expect("open")
            }
        }
    }

    /// A desk on a new connection, acting as `agent` at `now`.
    fn desk_at(&self, agent: &str, now: DateTime<Utc>) -> Desk {
        self.desk_as(agent, "agent", now)
    }

    /// A desk acting as `agent`, registered with `role` if new.
    fn desk_as(&self, agent: &str, role: &str, now: DateTime<Utc>) -> Desk {
        let mut store = self.store();
        store.agent_active(agent, role, now).expect("register");
        let config = Config::preset(Preset::PropertyManagement).expect("preset");
        Desk::new(store, config, agent, Box::new(FixedClock(now))).expect("desk")
    }

    fn desk(&self, agent: &str) -> Desk {
        self.desk_at(agent, now())
    }
}

/// Friday 2026-11-20 10:00 in Shanghai.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
        .expect("time")
        .with_timezone(&Utc)
}

fn complaint(i: usize, description: &str) -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::Phone),
        name: format!("住户{i}"),
        phone: format!("1380013{i:04}"),
        location: format!("{}栋{}单元{}", i % 5 + 1, i % 3 + 1, 100 + i),
        category: "漏水".into(),
        description: description.into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: Some(now() - Duration::minutes(10 * i as i64 + 1)),
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

/// Generates each contract test for both engines.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&super::Place::sqlite()); })*
        }
        mod postgres {
            $(#[test] fn $name() {
                if let Some(place) = super::Place::postgres() {
                    super::$name(&place);
                }
            })*
        }
    };
}

contract!(
    an_intake_is_stored_with_its_event_and_chained,
    queues_page_forwards_and_back_through_cursors,
    a_move_applies_under_its_version_and_a_stale_one_is_refused,
    search_finds_chinese_words_of_any_length_with_filters_and_pages,
    calls_owed_are_queued_logged_and_settled,
    an_erased_complainant_leaves_the_chain_whole_and_the_text_gone,
    drafts_and_agents_round_trip,
    two_connections_writing_at_once_keep_one_whole_chain,
    another_connections_commit_changes_the_data_version,
    sites_scope_pages_counts_and_search_alike,
    the_report_reads_the_period_and_the_timeline_scoped_to_sites,
    an_import_is_staged_then_published_whole_and_only_once,
    an_import_left_before_its_commit_point_is_abandoned_and_one_past_it_finished,
    search_filters_by_channel_party_closing_day_and_third_party,
    the_sums_every_write_keeps_equal_the_sums_rebuilt,
    a_call_about_an_open_case_is_offered_it_and_attached_to_it,
    a_repeat_caller_is_counted_over_twelve_months,
    the_risk_counts_repeats_overdue_calls_reopens_and_satisfaction,
    related_cases_are_open_or_recent_of_the_category_at_the_building,
    a_merged_case_leaves_the_queues_and_the_figures_and_comes_back_whole,
    a_split_makes_a_linked_complaint_by_the_intake_path,
    the_library_takes_a_closed_case_without_its_person_and_publishes_it,
    the_library_lists_searches_and_offers_similar_cards,
);

fn an_intake_is_stored_with_its_event_and_chained(place: &Place) {
    let mut desk = place.desk("王丽");
    let (_, before) = desk.audit_head().expect("head");
    let c = desk
        .intake(&complaint(1, "厨房天花板漏水，墙皮脱落"))
        .expect("intake");
    assert!(c.number.starts_with("20261120-"), "{}", c.number);
    let file = desk.case_file(&c.number).expect("case file");
    assert_eq!(file.complaint.name, "住户1");
    assert_eq!(file.complaint.location, "2栋2单元101");
    let kinds: Vec<&str> = file.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["received"]);
    let report = desk.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
    let (head, after) = desk.audit_head().expect("head");
    assert!(after > before);
    assert_eq!(report.head, head);
    // Numbers count up within the day, on any connection.
    let second = place
        .desk("李娜")
        .intake(&complaint(2, "楼上漏水"))
        .expect("intake");
    assert_ne!(second.number, c.number);
    assert!(second.number > c.number);
}

fn queues_page_forwards_and_back_through_cursors(place: &Place) {
    let mut desk = place.desk("王丽");
    for i in 1..=7 {
        desk.intake(&complaint(i, "漏水")).expect("intake");
    }
    assert_eq!(desk.count(Queue::Untriaged).expect("count"), 7);
    assert_eq!(desk.count(Queue::Closed).expect("count"), 0);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let (rows, next) = desk.page(Queue::Untriaged, 3, after).expect("page");
        seen.extend(rows.iter().map(|c| c.received_at));
        if rows.len() < 3 {
            break;
        }
        after = next;
    }
    assert_eq!(seen.len(), 7);
    let mut in_order = seen.clone();
    in_order.sort();
    // The untriaged queue is oldest first: the one waiting longest on top.
    assert_eq!(seen, in_order);
    let (last_two, first) = desk.page_before(Queue::Untriaged, 2, None).expect("back");
    assert_eq!(
        last_two.iter().map(|c| c.received_at).collect::<Vec<_>>(),
        seen[5..]
    );
    let (before, _) = desk
        .page_before(Queue::Untriaged, 2, first)
        .expect("back again");
    assert_eq!(
        before.iter().map(|c| c.received_at).collect::<Vec<_>>(),
        seen[3..5]
    );
    // Every row read as written, whatever the engine.
    let (all, _) = desk.page(Queue::All, 50, None).expect("all");
    assert_eq!(all.len(), 7);
    assert!(all.iter().all(|c| c.description == "漏水" && c.apologized));
}

fn a_move_applies_under_its_version_and_a_stale_one_is_refused(place: &Place) {
    let mut desk = place.desk("王丽");
    let c = desk.intake(&complaint(1, "电梯停在3楼")).expect("intake");
    let moves = common::to_remedied("minor");
    let moved = desk
        .act(&c.number, Some(c.version), &moves[0])
        .expect("classify");
    assert_eq!(moved.version, c.version + 1);
    assert_eq!(desk.count(Queue::Untriaged).expect("count"), 0);
    let err = place
        .desk("李娜")
        .act(&c.number, Some(c.version), &moves[1])
        .expect_err("stale");
    assert_eq!(err.key, "error.conflict", "{err:?}");
    let mut current = moved;
    for action in &moves[1..] {
        current = desk
            .act(&c.number, Some(current.version), action)
            .expect("move");
    }
    let file = desk.case_file(&c.number).expect("file");
    assert!(file.events.len() >= 7, "{:?}", file.events);
    assert!(desk.audit_verify(None).expect("verify").is_whole());
}

fn search_finds_chinese_words_of_any_length_with_filters_and_pages(place: &Place) {
    let mut desk = place.desk("王丽");
    let texts = [
        "厨房天花板漏水",
        "电梯停在3楼不动",
        "楼上噪音扰民",
        "卫生间漏水发霉",
        "天花板裂缝",
    ];
    let mut numbers = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        numbers.push(desk.intake(&complaint(i + 1, text)).expect("intake").number);
    }
    let find = |desk: &Desk, text: &str| -> Vec<String> {
        let filter = desk
            .search_filter(&FilterText {
                text: Some(text.into()),
                ..FilterText::default()
            })
            .expect("filter");
        let (rows, _) = desk.search(&filter, 50, None).expect("search");
        rows.into_iter().map(|c| c.description).collect()
    };
    assert_eq!(find(&desk, "漏水"), ["厨房天花板漏水", "卫生间漏水发霉"]);
    assert_eq!(find(&desk, "漏"), ["厨房天花板漏水", "卫生间漏水发霉"]);
    // Longer than its words: each candidate checked whole.
    assert_eq!(find(&desk, "天花板漏"), ["厨房天花板漏水"]);
    assert_eq!(find(&desk, "天花板"), ["厨房天花板漏水", "天花板裂缝"]);
    // Traditional characters find simplified text; phone digits find their complaint.
    assert_eq!(find(&desk, "電梯"), ["电梯停在3楼不动"]);
    assert_eq!(find(&desk, "00130003"), ["楼上噪音扰民"]);
    assert!(find(&desk, "燃气").is_empty());
    // Paging and the count.
    let filter = desk
        .search_filter(&FilterText {
            text: Some("楼".into()),
            ..FilterText::default()
        })
        .expect("filter");
    assert_eq!(desk.search_count(&filter).expect("count"), 2);
    let (first, cursor) = desk.search(&filter, 1, None).expect("page 1");
    let (second, _) = desk.search(&filter, 1, cursor).expect("page 2");
    assert_eq!(first.len() + second.len(), 2);
    assert!(first.iter().all(|a| second.iter().all(|b| a.id != b.id)));
    // A view: closed cases only (none).
    let closed = desk
        .search_filter(&FilterText {
            text: Some("漏水".into()),
            view: View::Closed,
            ..FilterText::default()
        })
        .expect("filter");
    assert_eq!(desk.search_count(&closed).expect("count"), 0);
    // A move is searchable at once (the words written in its transaction).
    let number = &numbers[2];
    let c = desk.case_file(number).expect("file").complaint;
    desk.act(number, Some(c.version), &common::to_remedied("minor")[0])
        .expect("classify");
    assert_eq!(find(&desk, "噪音"), ["楼上噪音扰民"]);
}

fn calls_owed_are_queued_logged_and_settled(place: &Place) {
    let mut desk = place.desk("王丽");
    let c = desk.intake(&complaint(1, "门禁坏了")).expect("intake");
    // Classifying starts the reply clock: a first reply is owed.
    desk.act(&c.number, Some(c.version), &common::to_remedied("minor")[0])
        .expect("classify");
    let owed = |desk: &Desk| -> Vec<String> {
        desk.callback_queue(CallbackView::All, 50, None)
            .expect("queue")
            .into_iter()
            .filter(|row| row.complaint.id == c.id)
            .map(|row| row.callback.kind)
            .collect()
    };
    assert_eq!(owed(&desk), ["first_reply"]);
    desk.log_callback(&c.number, None, None, CallResult::Reached, "已回电", None)
        .expect("log");
    assert!(owed(&desk).is_empty());
    assert!(desk.audit_verify(None).expect("verify").is_whole());
}

fn an_erased_complainant_leaves_the_chain_whole_and_the_text_gone(place: &Place) {
    let mut admin = place.desk_as("管理员", "admin", now());
    // The secret is set at the first sign-in; erasing needs a signed-in admin.
    admin.sign_in("管理员", "9999").expect("sign in");
    let c = admin
        .intake(&complaint(1, "欧阳娜娜家漏水"))
        .expect("intake");
    // Through a plan and a remedy first: the erased handling record must still read.
    let mut version = c.version;
    for action in common::to_remedied("minor") {
        version = admin
            .act(&c.number, Some(version), &action)
            .expect("move")
            .version;
    }
    admin.anonymise(&c.number).expect("anonymise");
    let file = admin.case_file(&c.number).expect("file");
    assert_ne!(file.complaint.name, "住户1");
    let plan = file
        .complaint
        .handling
        .plan
        .expect("the plan is still there");
    assert_eq!(plan.actions, "***");
    assert!(
        file.events
            .iter()
            .all(|e| !e.detail.to_string().contains("欧阳娜娜")),
        "{:?}",
        file.events
    );
    let report = admin.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
}

fn drafts_and_agents_round_trip(place: &Place) {
    let mut desk = place.desk("王丽");
    let draft = complaint(3, "半句话……");
    desk.save_draft(&draft).expect("save");
    let back = place.desk("王丽").draft().expect("draft").expect("one");
    assert_eq!(back.description, "半句话……");
    desk.clear_draft().expect("clear");
    assert!(desk.draft().expect("draft").is_none());
    let store = place.store();
    assert_eq!(
        store.agent_role("王丽").expect("role").as_deref(),
        Some("agent")
    );
    assert_eq!(store.agent_role("nobody").expect("role"), None);
}

fn two_connections_writing_at_once_keep_one_whole_chain(place: &Place) {
    std::thread::scope(|s| {
        for agent in ["王丽", "李娜"] {
            s.spawn(move || {
                let mut desk = place.desk(agent);
                for i in 0..15 {
                    desk.intake(&complaint(i, "并发写入")).expect("intake");
                }
            });
        }
    });
    let desk = place.desk("赵强");
    assert_eq!(desk.count(Queue::All).expect("count"), 30);
    let report = desk.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
}

fn another_connections_commit_changes_the_data_version(place: &Place) {
    let watcher = place.desk("王丽");
    let before = watcher.data_version().expect("version");
    let mut writer = place.desk("李娜");
    writer.intake(&complaint(1, "漏水")).expect("intake");
    // PostgreSQL's notification arrives on the socket: allow it a moment, no deadline.
    let mut changed = false;
    for _ in 0..200 {
        if watcher.data_version().expect("version") != before {
            changed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert!(changed, "the other connection's commit was not seen");
}

/// An agent given a site sees its complaints and those naming no site in pages, counts (read
/// from the sites index), the status line and search; head office sees all.
fn sites_scope_pages_counts_and_search_alike(place: &Place) {
    let mut head = place.desk_as("李娜", "supervisor", now());
    // Per site (and none): two complaints, one of them classified.
    for (i, site) in ["lvjing", "xiangshu", ""].iter().enumerate() {
        for j in 0..2 {
            let mut new = complaint(i * 2 + j + 1, "卫生间漏水");
            new.site = site.to_string();
            let c = head.intake(&new).expect("intake");
            if j == 0 {
                let classify = Action::Classify {
                    scope: Scope::In,
                    party: None,
                    complaint_type: None,
                    severity: "general".into(),
                    intent: Intent::Genuine,
                    spread_risk: false,
                    explained: false,
                };
                head.act(&c.number, None, &classify).expect("classify");
            }
        }
    }
    let mut store = place.store();
    store
        .agent_active("王丽", "agent", now())
        .expect("register");
    store
        .write(|tx| Ok(agents::set_sites(tx, "王丽", &["lvjing".into()])?))
        .expect("her site");
    let wang = place.desk("王丽");
    let counts = |desk: &Desk| {
        [Queue::Untriaged, Queue::Open, Queue::Closed, Queue::All]
            .map(|q| desk.count(q).expect("count"))
    };
    assert_eq!(counts(&wang), [2, 4, 0, 4]);
    assert_eq!(counts(&head), [3, 6, 0, 6]);
    assert_eq!(wang.view_counts().expect("views").open, 4);
    assert_eq!(wang.status_counts().expect("status").untriaged, 2);
    let (page, _) = wang.page(Queue::All, 50, None).expect("page");
    assert_eq!(page.len(), 4);
    assert!(
        page.iter()
            .all(|c| matches!(c.site.as_deref(), None | Some("lvjing")))
    );
    let filter = SearchFilter {
        text: Some("漏水".into()),
        view: View::All,
        ..SearchFilter::default()
    };
    assert_eq!(wang.search_count(&filter).expect("search"), 4);
    assert_eq!(head.search_count(&filter).expect("search"), 6);
}

fn the_report_reads_the_period_and_the_timeline_scoped_to_sites(place: &Place) {
    let mut head = place.desk_as("李娜", "supervisor", now());
    let mut numbers = Vec::new();
    for (i, site) in ["lvjing", "xiangshu", ""].iter().enumerate() {
        let mut new = complaint(i + 1, "卫生间漏水");
        new.site = site.to_string();
        numbers.push(head.intake(&new).expect("intake").number);
    }
    // lvjing's: replied at once (on time) and remedied; xiangshu's: general, escalated,
    // never replied (due 4 business hours after 09:49: late by Saturday).
    for action in common::to_remedied("minor") {
        head.act(&numbers[0], None, &action).expect("walk");
    }
    let classify = Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    };
    head.act(&numbers[1], None, &classify).expect("classify");
    let escalate = Action::Escalate {
        reason: "媒体".into(),
        severity: None,
    };
    head.act(&numbers[1], None, &escalate).expect("escalate");
    let saturday = now() + Duration::days(1);
    let mut head = place.desk_as("李娜", "supervisor", saturday);
    head.record_revisit(&numbers[0], None, None, Some(4), "")
        .expect("revisit");
    let period = head
        .report_period(Some("2026-11-20"), Some("2026-11-22"))
        .expect("period");
    let figures = |desk: &Desk| {
        let r = desk.report(period, Some(By::Site)).expect("report");
        let f = |k: &str| r.figures[k].unwrap_or(-1.0);
        let keys: Vec<String> = r.rows.iter().map(|x| x.key.clone()).collect();
        (
            [
                f("received"),
                f("open"),
                f("first_reply_within_sla"),
                f("first_reply_late"),
                f("escalations"),
                f("revisits_reached"),
                f("satisfaction_mean"),
            ],
            keys,
        )
    };
    assert_eq!(
        figures(&head),
        (
            [3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 4.0],
            vec!["".to_string(), "lvjing".into(), "xiangshu".into()]
        )
    );
    let mut store = place.store();
    store
        .agent_active("王丽", "agent", now())
        .expect("register");
    store
        .write(|tx| Ok(agents::set_sites(tx, "王丽", &["lvjing".into()])?))
        .expect("her site");
    let wang = place.desk_at("王丽", saturday);
    assert_eq!(
        figures(&wang),
        (
            [2.0, 2.0, 1.0, 0.0, 0.0, 1.0, 4.0],
            vec!["".to_string(), "lvjing".into()]
        )
    );
    // A supervisor sees any site as its agents do; an agent only their own.
    let received = |r: complaint_desk::domain::report::Report| r.figures["received"];
    let of = |desk: &Desk, site: &str| desk.site_report(period, None, site).map(received);
    assert_eq!(of(&head, "lvjing").expect("lvjing"), Some(2.0));
    assert_eq!(of(&head, "xiangshu").expect("xiangshu"), Some(2.0));
    assert_eq!(of(&wang, "lvjing").expect("her own"), Some(2.0));
    let refused = of(&wang, "xiangshu").expect_err("another site");
    assert_eq!(refused.key, "error.report_other_site");
}

/// A small logbook on disk: one case closed with its result, one open.
fn logbook(dir: &tempfile::TempDir, name: &str, rows: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    let text = format!("来电时间,姓名,电话,房号,类别,投诉内容,处理结果,结案时间\n{rows}");
    std::fs::write(&path, text).expect("write the logbook");
    path
}

fn import(desk: &mut Desk, file: &std::path::Path, write: bool) -> ImportReport {
    let options = ImportOptions {
        write,
        ..ImportOptions::default()
    };
    desk.import(
        file,
        &options,
        &mut |r| panic!("refused: {r:?}"),
        &mut |_| {},
    )
    .expect("import")
}

fn an_import_is_staged_then_published_whole_and_only_once(place: &Place) {
    let dir = tempfile::tempdir().expect("tmp");
    let file = logbook(
        &dir,
        "台账.csv",
        "2026-11-01 09:00,张伟,02155556666,3栋,漏水,卫生间漏水,已换防水层,2026-11-02 10:00
2026-11-03 09:00,李四,13800138001,5栋,电梯故障,电梯停了,,
",
    );
    let mut desk = place.desk("王丽");
    let dry = import(&mut desk, &file, false);
    assert_eq!((dry.rows, dry.new, dry.written), (2, 2, 0));
    assert_eq!(desk.count(Queue::All).expect("count"), 0);
    let done = import(&mut desk, &file, true);
    assert_eq!((done.new, done.written, done.refused), (2, 2, 0));
    assert_eq!(desk.count(Queue::All).expect("count"), 2);
    assert_eq!(desk.count(Queue::Closed).expect("count"), 1);
    let (all, _) = desk.page(Queue::All, 10, None).expect("page");
    let closed = all.iter().find(|c| c.name == "张伟").expect("张伟");
    let file_of = desk.case_file(&closed.number).expect("case file");
    let kinds: Vec<&str> = file_of.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["imported"]);
    assert_eq!(file_of.events[0].detail["file"], "台账.csv");
    assert_eq!(file_of.events[0].detail["line"], 2);
    // The historical complaint keeps when it came in (in the desk's zone).
    let typed = chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("time");
    let zone = desk.config().policy.timezone;
    assert_eq!(file_of.complaint.received_at, zone.instant(typed));
    let summary = file_of
        .complaint
        .handling
        .summary
        .as_ref()
        .expect("summary");
    assert_eq!(summary.summary, "已换防水层");
    let report = desk.audit_verify(None).expect("verify");
    assert!(report.is_whole(), "{report:?}");
    // The same rows again, from another connection: nothing new.
    let again = import(&mut place.desk("李娜"), &file, true);
    assert_eq!((again.new, again.duplicates, again.written), (0, 2, 0));
    assert_eq!(desk.count(Queue::All).expect("count"), 2);
}

fn an_import_left_before_its_commit_point_is_abandoned_and_one_past_it_finished(place: &Place) {
    let mut store = place.store();
    store
        .agent_active("王丽", "agent", now())
        .expect("register");
    let config = Config::preset(Preset::PropertyManagement).expect("preset");
    // Killed while staging: a row staged, nothing visible.
    let left = store.begin_import("a.csv", "王丽", now()).expect("begin");
    let staged = |line, hash: &str, payload: String| Staged {
        line,
        row_hash: hash.to_string(),
        payload,
    };
    let valid = complaint_desk::domain::complaint::validate(
        &complaint(1, "阳台漏水"),
        &config.policy,
        now(),
    )
    .expect("valid");
    let payload = serde_json::json!({ "valid": valid, "closing": null, "number": "B-7" });
    store
        .write(|tx| {
            Ok(imports::stage(
                tx,
                left,
                &staged(2, "aa", payload.to_string()),
            )?)
        })
        .expect("stage");
    // Killed after its commit point: a row staged, the import publishing.
    let past = store.begin_import("b.csv", "王丽", now()).expect("begin");
    store
        .write(|tx| {
            Ok(imports::stage(
                tx,
                past,
                &staged(5, "bb", payload.to_string()),
            )?)
        })
        .expect("stage");
    store
        .set_import_state(past, State::Publishing, now())
        .expect("commit point");
    let mut desk = place.desk_at("王丽", now() + Duration::minutes(5));
    assert_eq!(desk.count(Queue::All).expect("count"), 0);
    // A dry run leaves them; the next real import finishes one and abandons the other.
    let dir = tempfile::tempdir().expect("tmp");
    let file = logbook(
        &dir,
        "c.csv",
        "2026-11-03 09:00,李四,13800138001,5栋,漏水,漏水,,\n",
    );
    assert_eq!(import(&mut desk, &file, false).finished_earlier, 0);
    let report = import(&mut desk, &file, true);
    assert_eq!((report.finished_earlier, report.written), (1, 1));
    assert_eq!(desk.count(Queue::All).expect("count"), 2);
    assert_eq!(store.staged_rows(left).expect("staged"), 0);
    assert_eq!(store.staged_rows(past).expect("staged"), 0);
    let (all, _) = desk.page(Queue::All, 10, None).expect("page");
    let finished = all.iter().find(|c| c.name == "住户1").expect("published");
    let events = desk.case_file(&finished.number).expect("case").events;
    assert_eq!(events[0].kind, "imported");
    assert_eq!(events[0].detail["file"], "b.csv");
    assert_eq!(events[0].detail["number"], "B-7");
    assert!(desk.audit_verify(None).expect("verify").is_whole());
}

/// The filters the dashboard's drill-downs use: channel, responsible party, the days a case
/// was closed, and the cases with a third party (referred to it or waiting on it, open).
fn search_filters_by_channel_party_closing_day_and_third_party(place: &Place) {
    let mut desk = place.desk("王丽");
    let mut numbers = Vec::new();
    for i in 1..=4 {
        let mut new = complaint(i, "外墙渗水");
        if i == 2 {
            new.channel = Some(Channel::WalkIn);
        }
        if i == 1 {
            new.extra_categories = vec!["lift".into()];
        }
        numbers.push(desk.intake(&new).expect("intake").number);
    }
    let out = |party: &str| Action::Classify {
        scope: Scope::Out,
        party: Some(party.into()),
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: true,
    };
    let refer = |to: &str| Action::Refer {
        to: to.into(),
        note: "已告知业主".into(),
    };
    for step in [out("developer"), refer("developer")] {
        desk.act(&numbers[2], None, &step).expect("refer 3");
    }
    let close = Action::Close {
        summary: String::new(),
        root_cause: String::new(),
        lesson: String::new(),
        referred: true,
    };
    for step in [out("utility"), refer("utility"), close] {
        desk.act(&numbers[3], None, &step).expect("close 4");
    }
    let found = |typed: FilterText| -> Vec<String> {
        let filter = desk.search_filter(&typed).expect("filter");
        let (rows, _) = desk.search(&filter, 50, None).expect("search");
        let count = desk.search_count(&filter).expect("count");
        assert_eq!(count, rows.len() as u64, "{typed:?}");
        let mut numbers: Vec<String> = rows.into_iter().map(|c| c.number).collect();
        numbers.sort();
        numbers
    };
    assert_eq!(
        found(FilterText {
            channel: Some(Channel::WalkIn),
            ..FilterText::default()
        }),
        [numbers[1].clone()]
    );
    assert_eq!(
        found(FilterText {
            party: "开发商".into(),
            ..FilterText::default()
        }),
        [numbers[2].clone()]
    );
    assert_eq!(
        found(FilterText {
            party: "utility".into(),
            ..FilterText::default()
        }),
        [numbers[3].clone()]
    );
    assert_eq!(
        found(FilterText {
            closed_from: "2026-11-20".into(),
            closed_to: "2026-11-20".into(),
            ..FilterText::default()
        }),
        [numbers[3].clone()]
    );
    assert!(
        found(FilterText {
            closed_to: "2026-11-19".into(),
            ..FilterText::default()
        })
        .is_empty()
    );
    // With text too (the index's order on SQLite), and a view with a third party.
    assert_eq!(
        found(FilterText {
            text: Some("渗水".into()),
            closed_from: "2026-11-20".into(),
            ..FilterText::default()
        }),
        [numbers[3].clone()]
    );
    assert_eq!(
        found(FilterText {
            view: View::ThirdParty,
            ..FilterText::default()
        }),
        [numbers[2].clone()]
    );
    // A further category, or the main one only.
    assert_eq!(
        found(FilterText {
            category: "lift".into(),
            ..FilterText::default()
        }),
        [numbers[0].clone()]
    );
    assert!(
        found(FilterText {
            category: "lift".into(),
            main_category: true,
            ..FilterText::default()
        })
        .is_empty()
    );
    assert_eq!(
        found(FilterText {
            category: "leak".into(),
            main_category: true,
            channel: Some(Channel::WalkIn),
            ..FilterText::default()
        }),
        [numbers[1].clone()]
    );
    let err = desk
        .search_filter(&FilterText {
            party: "物业".into(),
            ..FilterText::default()
        })
        .expect_err("no such party");
    assert_eq!(err.get("field"), Some("party"));
}

/// One random step of a case's life, at `t`, by a supervisor; whether the desk took it.
fn random_step(
    place: &Place,
    t: DateTime<Utc>,
    numbers: &mut Vec<String>,
    rng: &mut fastrand::Rng,
) -> bool {
    let mut desk = place.desk_as("李娜", "supervisor", t);
    let pick = |rng: &mut fastrand::Rng, v: &[String]| v[rng.usize(..v.len())].clone();
    if numbers.len() < 3 || rng.u8(..6) == 0 {
        let i = numbers.len() + 1;
        let mut new = complaint(i % 7 + 1, "卫生间漏水");
        new.received_at = Some(t - Duration::minutes(rng.i64(0..600)));
        new.site = ["", "lvjing", "xiangshu"][rng.usize(..3)].to_string();
        new.location =
            ["7栋1单元602", "Block 12, Flat 3", "小区北门", "12 幢 3 号"][rng.usize(..4)].into();
        new.category = ["漏水", "噪音", "电梯"][rng.usize(..3)].into();
        return desk.intake(&new).map(|c| numbers.push(c.number)).is_ok();
    }
    let n = pick(rng, numbers);
    let mut kinds: Vec<u8> = (0..19).collect();
    rng.shuffle(&mut kinds);
    kinds
        .into_iter()
        .any(|kind| try_step(&mut desk, &n, kind, rng))
}

/// Move `kind` (of 19) on case `n`, its details drawn from `rng`; whether it was taken.
fn try_step(desk: &mut Desk, n: &str, kind: u8, rng: &mut fastrand::Rng) -> bool {
    let text = |s: &str| s.to_string();
    let action = match kind {
        0 | 1 => Action::Classify {
            scope: if rng.bool() { Scope::In } else { Scope::Out },
            party: rng.bool().then(|| text("developer")),
            complaint_type: None,
            severity: ["minor", "general", "major"][rng.usize(..3)].into(),
            intent: Intent::Genuine,
            spread_risk: false,
            explained: true,
        },
        2 => Action::Verify {
            motive: text("维修"),
            outcome: text("修好"),
            mood: None,
        },
        3 => Action::Assess {
            facts: text("属实"),
            severity: None,
        },
        4 => Action::Plan {
            department: text("工程部"),
            actions: text("维修"),
            promised: None,
            confirmed: true,
            compensation: [None, Some(50), Some(800)][rng.usize(..3)],
            gift: None,
        },
        5 => Action::Approve,
        6 => Action::Reply {
            accepted: rng.u8(..4) > 0,
            alternatives: text("换一种方案"),
        },
        7 => Action::Remedied {
            note: text("已修好"),
        },
        8 => Action::Escalate {
            reason: text("媒体"),
            severity: None,
        },
        9 => Action::Wait {
            on: complaint_desk::domain::handling::WaitOn::Customer,
            note: text("等业主"),
        },
        10 => Action::Resume {
            note: text("业主回来了"),
        },
        11 | 12 => Action::Close {
            summary: text("已解决"),
            root_cause: text("防水"),
            lesson: text("巡检"),
            referred: rng.bool(),
        },
        13 => Action::Reopen {
            reason: text("又漏了"),
        },
        14 => Action::Refer {
            to: text("developer"),
            note: text("转开发商"),
        },
        15 => {
            let sat = [None, Some(1), Some(4), Some(5)][rng.usize(..4)];
            return desk.record_revisit(n, None, None, sat, "").is_ok();
        }
        16 => {
            let result = if rng.bool() {
                CallResult::Reached
            } else {
                CallResult::NoAnswer
            };
            return desk.log_callback(n, None, None, result, "", None).is_ok();
        }
        17 => return rng.u8(..4) == 0 && desk.anonymise(n).is_ok(),
        _ => Action::Transfer {
            to: text("李娜"),
            reason: text("接手"),
        },
    };
    desk.act(n, None, &action).is_ok()
}

/// The sums kept write by write equal the sums built again from the tables: after a random
/// life of thirty cases over two weeks (every kind of move, revisits, calls, erasure), the
/// report of every breakdown over the whole time, a week inside it and a day is the same
/// before and after `rebuild_report`.
fn the_sums_every_write_keeps_equal_the_sums_rebuilt(place: &Place) {
    let mut rng = fastrand::Rng::with_seed(17);
    let start = now() - Duration::days(14);
    let mut numbers = Vec::new();
    let mut taken = 0;
    let steps = 220;
    for i in 0..steps {
        let t = start + Duration::minutes(i * 14 * 24 * 60 / steps);
        if random_step(place, t, &mut numbers, &mut rng) {
            taken += 1;
        }
    }
    assert!(
        taken >= steps / 3,
        "only {taken} of {steps} steps were taken"
    );
    assert!(numbers.len() >= 15, "{} cases", numbers.len());
    let end = now() + Duration::days(1);
    let mut desk = place.desk_as("李娜", "supervisor", end);
    let zone = desk.config().policy.timezone;
    let day = |t: DateTime<Utc>| zone.start_of(zone.day(t));
    let periods = [
        Period {
            from: day(start - Duration::days(1)),
            to: day(end),
        },
        Period {
            from: day(start + Duration::days(3)),
            to: day(start + Duration::days(10)),
        },
        Period {
            from: day(start + Duration::days(6)),
            to: day(start + Duration::days(7)),
        },
    ];
    let reports = |desk: &Desk| {
        let mut all = Vec::new();
        for p in periods {
            all.push(desk.report(p, None).expect("report"));
            for by in By::ALL {
                all.push(desk.report(p, Some(by)).expect("report"));
            }
        }
        all
    };
    let kept = reports(&desk);
    let whole = &kept[0];
    assert!(
        whole.figures["received"].unwrap_or(0.0) >= 15.0,
        "{:?}",
        whole.figures
    );
    assert!(
        whole.figures["closed"].unwrap_or(0.0) >= 1.0,
        "{:?}",
        whole.figures
    );
    desk.rebuild_report(&mut |_, _| {}).expect("rebuild");
    let rebuilt = reports(&desk);
    for (k, r) in kept.iter().zip(&rebuilt) {
        assert_eq!(k, r);
    }
}

/// A caller phoning again: the open cases of the same phone, or of the same location and
/// category, received within `duplicates.days` (30), are offered; a closed one, an older
/// one and one of another category are not. Attaching the call writes an event on the
/// case, no complaint, and the chain stays whole.
/// The repeat caller's badge: the phone's complaints of the last twelve months, open or
/// closed, however the number is typed; none for another phone or an unfinished one.
fn a_repeat_caller_is_counted_over_twelve_months(place: &Place) {
    let mut desk = place.desk("王丽");
    for (days, description) in [(400, "去年漏水"), (200, "又漏了"), (3, "还在漏")] {
        let mut c = complaint(7, description);
        c.received_at = Some(now() - Duration::days(days));
        desk.intake(&c).expect("intake");
    }
    desk.intake(&complaint(8, "别人家")).expect("another phone");
    assert_eq!(desk.repeat_count("138 0013 0007").expect("count"), 2);
    assert_eq!(desk.repeat_count("1380013").expect("partial"), 0);
    assert_eq!(desk.repeat_count("").expect("none"), 0);
    assert_eq!(desk.repeat_count("13800130008").expect("other"), 1);
}

fn a_call_about_an_open_case_is_offered_it_and_attached_to_it(place: &Place) {
    let mut desk = place.desk("王丽");
    let mut open = complaint(1, "厨房漏水");
    open.received_at = Some(now() - Duration::days(10));
    let open = desk.intake(&open).expect("open case");
    let mut old = complaint(2, "卫生间漏水");
    old.received_at = Some(now() - Duration::days(40));
    let old = desk.intake(&old).expect("old case");
    let mut closed = complaint(3, "阳台漏水");
    closed.phone = complaint(1, "").phone;
    let closed = desk.intake(&closed).expect("closed case");
    let mut steps = common::to_remedied("minor");
    steps.push(Action::Close {
        summary: "已修好".into(),
        root_cause: "老化".into(),
        lesson: "巡检".into(),
        referred: false,
    });
    for step in &steps {
        desk.act(&closed.number, None, step).expect("move");
    }
    let mut noise = complaint(4, "楼上噪音");
    noise.location = complaint(1, "").location;
    noise.category = "噪音扰民".into();
    desk.intake(&noise).expect("noise");
    let numbers = |found: Vec<complaint_desk::domain::complaint::Complaint>| -> Vec<String> {
        found.into_iter().map(|c| c.number).collect()
    };
    let only_open = vec![open.number.clone()];
    // The same phone, typed another way.
    let mut call = complaint(1, "又漏了");
    call.phone = "138-0013-0001".into();
    call.location = String::new();
    assert_eq!(
        numbers(desk.open_duplicates(&call).expect("by phone")),
        only_open
    );
    // A neighbour: the same location and category.
    let mut neighbour = complaint(1, "楼上漏到我家");
    neighbour.phone = "13900139000".into();
    assert_eq!(
        numbers(desk.open_duplicates(&neighbour).expect("by place")),
        only_open
    );
    // Nothing typed yet to tell by, an old case, another category.
    assert!(
        desk.open_duplicates(&NewComplaint::default())
            .expect("none")
            .is_empty()
    );
    let mut other = complaint(2, "漏水");
    other.phone = "13700137000".into();
    assert!(
        desk.open_duplicates(&other).expect("old").is_empty(),
        "{}",
        old.number
    );
    let before = place.store().complaint_count().expect("count");
    let c = desk
        .attach_call(&open.number, Some(open.version), &call)
        .expect("attach");
    assert_eq!(c.number, open.number);
    assert_eq!(
        place.store().complaint_count().expect("count"),
        before,
        "no new complaint"
    );
    let file = desk.case_file(&open.number).expect("case file");
    let last = file.events.last().expect("event");
    assert_eq!(last.kind, "call_attached");
    assert_eq!(last.detail["description"], "又漏了");
    assert_eq!(last.detail["same_phone"], true);
    assert_eq!(
        desk.attach_call(&closed.number, None, &call)
            .expect_err("closed")
            .key,
        "error.case_closed"
    );
    assert!(desk.audit_verify(None).expect("verify").is_whole());
}

/// The points of factor `key` of a case file's risk, if it applies.
fn risk_points(desk: &mut Desk, number: &str, key: &str) -> Option<u32> {
    let case = desk.open_case(number).expect("case");
    let risk = case.risk.expect("open cases have a risk");
    risk.factors.iter().find(|f| f.key == key).map(|f| f.points)
}

fn the_risk_counts_repeats_overdue_calls_reopens_and_satisfaction(place: &Place) {
    let mut desk = place.desk_as("李娜", "supervisor", now());
    let w = Config::preset(Preset::PropertyManagement)
        .expect("preset")
        .policy
        .risk;
    // The same phone 100 and 400 days ago: one repeat within 12 months.
    let mut earlier = complaint(1, "厨房漏水");
    earlier.received_at = Some(now() - Duration::days(100));
    desk.intake(&earlier).expect("intake");
    let mut old = complaint(1, "阳台漏水");
    old.received_at = Some(now() - Duration::days(400));
    desk.intake(&old).expect("intake");
    let n = desk
        .intake(&complaint(1, "卫生间漏水"))
        .expect("intake")
        .number;
    assert_eq!(risk_points(&mut desk, &n, "repeat"), Some(w.repeat));
    // The mood noted at verification, and the first reply overdue two days later.
    let steps = [
        Action::Classify {
            scope: Scope::In,
            party: None,
            complaint_type: None,
            severity: "general".into(),
            intent: Intent::Genuine,
            spread_risk: false,
            explained: false,
        },
        Action::Verify {
            motive: "怕楼下索赔".into(),
            outcome: "维修".into(),
            mood: Some(Mood::Angry),
        },
    ];
    for step in &steps {
        desk.act(&n, None, step).expect("move");
    }
    assert_eq!(risk_points(&mut desk, &n, "mood"), Some(w.mood_angry));
    let mut later = place.desk_as("李娜", "supervisor", now() + Duration::days(2));
    assert_eq!(
        risk_points(&mut later, &n, "overdue_calls"),
        Some(w.overdue_call)
    );
    let case = later.open_case(&n).expect("case");
    let risk = case.risk.expect("risk");
    assert_eq!(
        risk.score,
        risk.factors.iter().map(|f| f.points).sum::<u32>()
    );
    assert!(
        risk.factors
            .iter()
            .any(|f| f.key == "days_open" && f.fact == Fact::Count(2))
    );
    // Through the remedy (the moves after verifying) to a revisit at 2 of 5: reopened, low
    // satisfaction counted.
    for step in &common::to_remedied("minor")[2..] {
        later.act(&n, None, step).expect("move");
    }
    later
        .record_revisit(&n, None, None, Some(2), "还是渗水")
        .expect("revisit");
    assert_eq!(risk_points(&mut later, &n, "reopens"), Some(w.reopen));
    assert_eq!(
        risk_points(&mut later, &n, "low_satisfaction"),
        Some(2 * w.low_satisfaction)
    );
    // The views ranked by risk: this case first, with its score.
    let ranked = later.ranked_by_risk(Queue::Open).expect("ranked");
    assert_eq!(
        ranked.first().map(|(c, _)| c.number.as_str()),
        Some(n.as_str())
    );
    assert!(ranked.windows(2).all(|p| p[0].1 >= p[1].1));
}

fn related_cases_are_open_or_recent_of_the_category_at_the_building(place: &Place) {
    let mut head = place.desk_as("李娜", "supervisor", now());
    let add = |i: usize, site: &str, location: &str, category: &str, days: i64| {
        let mut new = complaint(i, "楼上管道漏水");
        new.site = site.into();
        new.location = location.into();
        new.category = category.into();
        new.received_at = Some(now() - Duration::days(days) - Duration::minutes(i as i64));
        place
            .desk_as("李娜", "supervisor", now())
            .intake(&new)
            .expect("intake")
            .number
    };
    let a = add(1, "lvjing", "3栋2单元101", "漏水", 0);
    let b = add(2, "lvjing", "3栋1单元502", "漏水", 100);
    let c = add(3, "lvjing", "3栋2单元201", "漏水", 5);
    add(4, "lvjing", "3栋2单元301", "噪音扰民", 1);
    add(5, "lvjing", "5栋2单元101", "漏水", 1);
    add(6, "xiangshu", "3栋2单元101", "漏水", 1);
    add(7, "", "3栋2单元101", "漏水", 1);
    let gone = add(8, "lvjing", "3栋3单元808", "漏水", 45);
    // Closed: b (open for 100 days) stays related, gone (received 45 days ago) does not.
    let close = [
        Action::Classify {
            scope: Scope::Out,
            party: Some("developer".into()),
            complaint_type: None,
            severity: "general".into(),
            intent: Intent::Genuine,
            spread_risk: false,
            explained: true,
        },
        Action::Refer {
            to: "developer".into(),
            note: "转开发商".into(),
        },
        Action::Close {
            summary: String::new(),
            root_cause: String::new(),
            lesson: String::new(),
            referred: true,
        },
    ];
    for step in &close {
        head.act(&gone, None, step).expect("close as referred");
    }
    assert!(
        head.open_case(&gone).expect("case").risk.is_none(),
        "closed: no score"
    );
    let related = |desk: &mut Desk, n: &str| -> Vec<String> {
        let case = desk.open_case(n).expect("case");
        case.related.into_iter().map(|c| c.number).collect()
    };
    // Newest first: c (5 days), b (100 days, open).
    assert_eq!(related(&mut head, &a), vec![c.clone(), b.clone()]);
    let case = head.open_case(&a).expect("case");
    assert!(case.related.iter().all(|r| r.phone.contains('*')), "masked");
    // A case naming no site is related by its location alone.
    let loose = add(9, "", "3栋2单元101", "漏水", 2);
    let seven = related(&mut head, &loose);
    assert_eq!(seven.len(), 1, "{seven:?}");
    // An agent of the site sees the same.
    let mut store = place.store();
    store
        .agent_active("王丽", "agent", now())
        .expect("register");
    store
        .write(|tx| Ok(agents::set_sites(tx, "王丽", &["lvjing".into()])?))
        .expect("her site");
    let mut wang = place.desk("王丽");
    assert_eq!(related(&mut wang, &a), vec![c.clone(), b.clone()]);
    // A case merged into another is seen through its primary only.
    head.merge(&c, None, &b, "同一根立管").expect("merge");
    assert_eq!(related(&mut head, &a), vec![b]);
}

/// The numbers of the open callbacks the desk lists (every one, at any time).
fn callback_numbers(desk: &Desk) -> Vec<String> {
    desk.callback_queue(CallbackView::All, 100, None)
        .expect("callbacks")
        .into_iter()
        .map(|r| r.complaint.number)
        .collect()
}

fn a_merged_case_leaves_the_queues_and_the_figures_and_comes_back_whole(place: &Place) {
    let mut desk = place.desk_as("李娜", "supervisor", now());
    let primary = desk.intake(&complaint(1, "3栋电梯困人")).expect("primary");
    let dup = desk
        .intake(&complaint(2, "电梯又困人了"))
        .expect("duplicate");
    let other = desk.intake(&complaint(3, "地库漏水")).expect("other");
    let classify = Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    };
    let dup = desk.act(&dup.number, None, &classify).expect("classify");
    assert!(
        callback_numbers(&desk).contains(&dup.number),
        "owes its first reply"
    );
    let open_before = desk.count(Queue::Open).expect("open");
    let merged = desk
        .merge(
            &dup.number,
            Some(dup.version),
            &primary.number,
            "同一部电梯",
        )
        .expect("merge");
    assert_eq!(merged.stage, Stage::Merged);
    assert_eq!(merged.merged_into.as_deref(), Some(primary.number.as_str()));
    assert_eq!(merged.version, dup.version + 1);
    // Out of every open queue and of the calls owed; nothing deleted.
    assert_eq!(desk.count(Queue::Open).expect("open"), open_before - 1);
    let (page, _) = desk.page(Queue::Open, 50, None).expect("page");
    assert!(!page.iter().any(|c| c.number == dup.number));
    assert!(!callback_numbers(&desk).contains(&dup.number));
    let file = desk.case_file(&dup.number).expect("duplicate's file");
    assert_eq!(file.callbacks.len(), 1, "settled, not deleted");
    assert!(file.callbacks[0].done_at.is_some());
    let event = file.events.last().expect("event");
    assert_eq!(event.kind, "merged_into");
    assert_eq!(event.detail["primary"], primary.number.as_str());
    assert_eq!(event.detail["stage"], "received");
    assert_eq!(event.detail["settled"][0]["call"], "first_reply");
    assert!(file.risk.is_none(), "not scored");
    let file = desk.case_file(&primary.number).expect("primary's file");
    let event = file.events.last().expect("event");
    assert_eq!(
        (event.kind.as_str(), event.detail["number"].as_str()),
        ("absorbed", Some(dup.number.as_str()))
    );
    let absorbed: Vec<&str> = file.absorbed.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(absorbed, vec![dup.number.as_str()]);
    assert!(desk.audit_verify(None).expect("verify").is_whole());
    // Read-only: every move refused naming the primary; the merges that would chain.
    let refused = |r: complaint_desk::error::Result<Complaint>| r.expect_err("refused").key;
    assert_eq!(
        refused(desk.act(&dup.number, None, &classify)),
        "error.case_merged"
    );
    let call = complaint(2, "再来电");
    assert_eq!(
        refused(desk.attach_call(&dup.number, None, &call)),
        "error.case_merged"
    );
    assert_eq!(
        refused(desk.merge(&other.number, None, &dup.number, "")),
        "error.merge_into_merged"
    );
    assert_eq!(
        refused(desk.merge(&primary.number, None, &other.number, "")),
        "error.merge_chain"
    );
    assert_eq!(
        refused(desk.merge(&other.number, None, &other.number, "")),
        "error.merge_self"
    );
    assert_eq!(
        refused(desk.unmerge(&other.number, None, "")),
        "error.not_merged"
    );
    // The figures: received, neither open nor closed, no reply counted either way.
    let period = desk
        .report_period(Some("2026-11-20"), Some("2026-11-20"))
        .expect("period");
    let figures = |desk: &Desk| {
        let r = desk.report(period, None).expect("report");
        let f = |k: &str| r.figures[k].unwrap_or(-1.0);
        [
            f("received"),
            f("open"),
            f("closed"),
            f("first_reply_within_sla"),
            f("first_reply_late"),
        ]
    };
    assert_eq!(figures(&desk), [3.0, 2.0, 0.0, 0.0, 0.0]);
    // The sums kept by the merge are the sums rebuilt from nothing.
    let kept: Vec<_> = std::iter::once(None)
        .chain(By::ALL.into_iter().map(Some))
        .map(|by| desk.report(period, by).expect("report"))
        .collect();
    desk.rebuild_report(&mut |_, _| {}).expect("rebuild");
    for (i, by) in std::iter::once(None)
        .chain(By::ALL.into_iter().map(Some))
        .enumerate()
    {
        assert_eq!(kept[i], desk.report(period, by).expect("report"), "{by:?}");
    }
    // Unmerged: back at its stage, open, owing its first reply again.
    let back = desk
        .unmerge(&dup.number, Some(merged.version), "不是同一件事")
        .expect("unmerge");
    assert_eq!(back.stage, Stage::Received);
    assert_eq!((back.merged_into, back.closed_at), (None, None));
    assert_eq!(desk.count(Queue::Open).expect("open"), open_before);
    assert!(callback_numbers(&desk).contains(&dup.number), "owes again");
    let file = desk.case_file(&dup.number).expect("file");
    let event = file.events.last().expect("event");
    assert_eq!(event.kind, "unmerged");
    assert_eq!(event.detail["owes"][0]["call"], "first_reply");
    assert!(file.risk.is_some());
    let file = desk.case_file(&primary.number).expect("primary's file");
    assert_eq!(file.events.last().expect("event").kind, "released");
    assert!(file.absorbed.is_empty());
    assert_eq!(figures(&desk), [3.0, 3.0, 0.0, 0.0, 0.0]);
    assert!(desk.audit_verify(None).expect("verify").is_whole());
    // Its moves work again.
    desk.act(&dup.number, None, &classify)
        .expect("a move again");
}

fn a_split_makes_a_linked_complaint_by_the_intake_path(place: &Place) {
    let mut desk = place.desk("王丽");
    let c = desk
        .intake(&complaint(1, "卫生间漏水，另外楼上装修很吵"))
        .expect("intake");
    let before = place.store().complaint_count().expect("count");
    let split = desk
        .split(&c.number, Some(c.version), "噪音扰民", "楼上装修很吵", None)
        .expect("split");
    assert_eq!(place.store().complaint_count().expect("count"), before + 1);
    let new = desk.case_file(&split.new.number).expect("new file");
    assert_eq!(new.complaint.name, "住户1");
    assert_eq!(new.complaint.location, c.location);
    assert_eq!(new.complaint.category, "noise");
    assert_eq!(new.complaint.stage, Stage::Received);
    assert_eq!(new.complaint.scope, None, "untriaged");
    let kinds: Vec<&str> = new.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["received", "split_from"]);
    assert_eq!(new.split.split_from.as_deref(), Some(c.number.as_str()));
    let old = desk.case_file(&c.number).expect("old file");
    assert_eq!(old.split.split_into, vec![split.new.number.clone()]);
    assert_eq!(old.events.last().expect("event").kind, "split_into");
    let elsewhere = desk
        .split(&c.number, None, "leak", "车库也漏", Some("地下车库B2"))
        .expect("split elsewhere");
    assert_eq!(elsewhere.new.location, "地下车库B2");
    // Refusals change nothing.
    let count = place.store().complaint_count().expect("count");
    let key =
        |r: complaint_desk::error::Result<complaint_desk::desk::Split>| r.expect_err("refused").key;
    assert_eq!(
        key(desk.split(&c.number, None, "漏水x", "x", None)),
        "error.unknown_category"
    );
    assert_eq!(
        key(desk.split(&c.number, None, "噪音扰民", " ", None)),
        "error.required"
    );
    let other = desk.intake(&complaint(2, "漏水")).expect("other");
    desk.merge(&other.number, None, &c.number, "")
        .expect("merge");
    assert_eq!(
        key(desk.split(&other.number, None, "噪音扰民", "吵", None)),
        "error.case_merged"
    );
    assert_eq!(place.store().complaint_count().expect("count"), count + 1);
    assert!(desk.audit_verify(None).expect("verify").is_whole());
}

/// Closes complaint `number` through the handling method; with `to_library`, the close
/// also makes its draft card.
fn close_case(
    desk: &mut Desk,
    number: &str,
    lesson: &str,
    to_library: bool,
) -> Option<complaint_desk::desk::LibraryCard> {
    for step in &common::to_remedied("minor") {
        desk.act(number, None, step).expect("move");
    }
    let close = Action::Close {
        summary: "已修复，业主满意".into(),
        root_cause: "设备老化".into(),
        lesson: lesson.into(),
        referred: false,
    };
    if to_library {
        Some(
            desk.close_to_library(number, None, &close)
                .expect("close")
                .1,
        )
    } else {
        desk.act(number, None, &close).expect("close");
        None
    }
}

fn the_library_takes_a_closed_case_without_its_person_and_publishes_it(place: &Place) {
    use complaint_desk::desk::{CardEdit, CardFilter, CardStatus};
    let mut agent = place.desk("王丽");
    let mut new = complaint(1, "王建国反映楼上1302漏水到自家卫生间，电话138-0013-0001");
    new.name = "王建国".into();
    let c = agent.intake(&new).expect("intake");
    let (head_before, _) = agent.audit_head().expect("head");
    // Whoever closes may tick the library: the draft comes in the close's transaction.
    let card = close_case(&mut agent, &c.number, "渗水先查楼上防水", true).expect("card");
    assert_eq!(card.status, CardStatus::Draft);
    assert_eq!(card.category, "leak");
    for personal in ["王建国", "1302", "0013", "2栋2单元101"] {
        assert!(
            !format!("{card:?}").contains(personal),
            "{personal} in {card:?}"
        );
    }
    assert!(
        card.text.facts.contains("〔业主〕反映楼上〔房号〕漏水"),
        "{}",
        card.text.facts
    );
    // Once per case; an agent without curate_library neither adds, edits, publishes nor
    // sees drafts.
    assert_eq!(
        agent.library_add(&c.number).map(|_| ()).map_err(|e| e.key),
        Err("error.denied")
    );
    let edit = CardEdit {
        lesson: Some("渗水当天上门，先查楼上防水".into()),
        ..CardEdit::default()
    };
    assert_eq!(
        agent
            .library_edit(card.id, &edit, None)
            .map(|_| ())
            .map_err(|e| e.key),
        Err("error.denied")
    );
    assert!(agent.library_card(card.id).is_err());
    assert!(
        agent
            .library_list(&CardFilter::default(), 10)
            .expect("list")
            .is_empty()
    );
    let mut lead = place.desk_as("陈主管", "supervisor", now());
    assert_eq!(
        lead.library_add(&c.number).map(|_| ()).map_err(|e| e.key),
        Err("error.library_exists")
    );
    let edited = lead.library_edit(card.id, &edit, Some(1)).expect("edit");
    assert_eq!(edited.version, 2);
    assert_eq!(edited.text.lesson, "渗水当天上门，先查楼上防水");
    assert_eq!(
        lead.library_edit(card.id, &edit, Some(1))
            .map(|_| ())
            .map_err(|e| e.key),
        Err("error.library_changed")
    );
    let published = lead.library_publish(card.id, Some(2)).expect("publish");
    assert_eq!(published.status, CardStatus::Published);
    assert!(published.published_at.is_some());
    // Published: everyone reads it.
    assert_eq!(agent.library_card(card.id).expect("read").id, card.id);
    // An open case makes no card; a closed one a supervisor adds later.
    let open = agent.intake(&complaint(2, "电梯异响")).expect("open");
    assert_eq!(
        lead.library_add(&open.number)
            .map(|_| ())
            .map_err(|e| e.key),
        Err("error.library_not_closed")
    );
    let later = agent.intake(&complaint(3, "阳台漏水")).expect("later");
    close_case(&mut agent, &later.number, "巡检", false);
    // The case file says whether this agent may make it a card now, and names the card.
    let may = |desk: &Desk, n: &str| desk.case_file(n).expect("file").may_add_card;
    assert!(may(&lead, &later.number));
    assert!(!may(&agent, &later.number), "not a curator");
    assert!(!may(&lead, &open.number), "still open");
    let added = lead.library_add(&later.number).expect("add later");
    assert_eq!(added.status, CardStatus::Draft);
    let file = lead.case_file(&later.number).expect("file");
    assert_eq!((file.card, file.may_add_card), (Some(added.id), false));
    // The moves are in the timeline, naming cards and fields, never their text.
    let file = lead.case_file(&c.number).expect("file");
    assert!(file.events.iter().any(|e| e.kind == "library_added"));
    let report = lead.audit_verify(Some(&head_before)).expect("verify");
    assert!(report.is_whole(), "{report:?}");
}

fn the_library_lists_searches_and_offers_similar_cards(place: &Place) {
    use complaint_desk::desk::{CardFilter, CardStatus};
    let mut agent = place.desk("王丽");
    let mut lead = place.desk_as("陈主管", "supervisor", now());
    let cases = [
        ("漏水", "卫生间顶棚渗水，楼上防水层老化"),
        ("漏水", "阳台积水"),
        ("噪音扰民", "楼上装修噪音，周末施工"),
        ("漏水", "厨房水管爆裂"),
    ];
    let mut ids = Vec::new();
    for (i, (category, description)) in cases.iter().enumerate() {
        let mut new = complaint(i + 1, description);
        new.category = (*category).into();
        let c = agent.intake(&new).expect("intake");
        let card = close_case(&mut agent, &c.number, "当天上门", true).expect("card");
        ids.push(card.id);
    }
    // The last stays a draft.
    for id in &ids[..3] {
        lead.library_publish(*id, None).expect("publish");
    }
    let list = |desk: &Desk, filter: CardFilter| -> Vec<i64> {
        desk.library_list(&filter, 10)
            .expect("list")
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(
        list(&lead, CardFilter::default()),
        vec![ids[3], ids[2], ids[1], ids[0]]
    );
    assert_eq!(
        list(&agent, CardFilter::default()),
        vec![ids[2], ids[1], ids[0]]
    );
    let drafts = CardFilter {
        status: Some(CardStatus::Draft),
        ..CardFilter::default()
    };
    assert_eq!(list(&lead, drafts.clone()), vec![ids[3]]);
    assert!(list(&agent, drafts).is_empty());
    let category = |c: &str| CardFilter {
        category: Some(c.into()),
        ..CardFilter::default()
    };
    assert_eq!(list(&lead, category("noise")), vec![ids[2]]);
    // Text as the case search finds it: one character, two, longer, Traditional.
    let text = |t: &str| CardFilter {
        text: Some(t.into()),
        ..CardFilter::default()
    };
    assert_eq!(list(&lead, text("噪")), vec![ids[2]]);
    assert_eq!(list(&lead, text("防水")), vec![ids[0]]);
    assert_eq!(list(&lead, text("水管爆裂")), vec![ids[3]]);
    assert_eq!(list(&lead, text("積水")), vec![ids[1]]);
    assert_eq!(list(&lead, text("楼上防水层老")), vec![ids[0]]);
    assert!(list(&lead, text("电梯")).is_empty());
    // Similar published cards: the category first, then the words shared; drafts never.
    let similar = |category: &str, description: &str| -> Vec<i64> {
        agent
            .similar_cards(category, description)
            .expect("similar")
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(similar("leak", "卫生间顶棚渗水"), vec![ids[0], ids[1]]);
    assert_eq!(similar("noise", "楼上渗水"), vec![ids[2], ids[0]]);
    assert!(similar("lift", "电梯困人").is_empty());
    // A text longer than its words pages through its candidates: the newest holds both
    // words of 防水层 apart, so a page of one reads on to the card that holds it whole.
    let mut apart = complaint(5, "楼上做过防水，水层仍渗");
    apart.category = "漏水".into();
    let c = agent.intake(&apart).expect("intake");
    let newest = close_case(&mut agent, &c.number, "当天上门", true).expect("card");
    assert!(newest.id > ids[3]);
    let one = |t: &str| -> Vec<i64> {
        lead.library_list(&text(t), 1)
            .expect("list")
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(one("防水层"), vec![ids[0]]);
    assert_eq!(one("水层仍"), vec![newest.id]);
    assert!(one("防水层仍").is_empty());
    // The report's sums kept by every write, the card moves among them, are the sums
    // rebuilt from the timeline.
    let zone = lead.config().policy.timezone;
    let period = Period {
        from: zone.start_of(zone.day(now() - Duration::days(2))),
        to: zone.start_of(zone.day(now() + Duration::days(1))),
    };
    let kept = lead.report(period, Some(By::Category)).expect("report");
    lead.rebuild_report(&mut |_, _| {}).expect("rebuild");
    assert_eq!(
        kept,
        lead.report(period, Some(By::Category)).expect("report")
    );
}
