//! Chinese search on real SQLite files: substrings of 1–4 characters and more, Traditional
//! and Simplified, full- and half-width, every filter, paging both ways, the index kept in
//! step through every move, a reopen and an erasure (down to the file's bytes), hostile
//! queries, cancellation, going to a number, and the `search` command.

mod common;

use chrono::{DateTime, Duration, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{Cursor, Desk, FixedClock, SearchFilter, View};
use complaint_desk::domain::complaint::{Channel, Complaint, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::Action;
use complaint_desk::domain::search::{complaint_matches, fold};
use complaint_desk::domain::stage::Stage;
use complaint_desk::store::Store;
use complaint_desk::store::complaints::Viewer;
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
        .expect("time")
        .with_timezone(&Utc)
}

fn config() -> Config {
    Config::preset(Preset::PropertyManagement).expect("preset")
}

/// A database with 王丽 (agent) registered, and a desk acting as her at [`t0`].
struct World {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    desk: Desk,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("desk.db");
        let mut store = Store::open(&db).expect("open");
        store.agent_active("王丽", "agent", t0()).expect("agent");
        let desk = Desk::new(store, config(), "王丽", Box::new(FixedClock(t0()))).expect("desk");
        World {
            _dir: dir,
            db,
            desk,
        }
    }

    /// Records a complaint received `hours_ago`; returns its number.
    fn add(&mut self, name: &str, phone: &str, location: &str, description: &str) -> String {
        self.add_at(name, phone, location, description, 0)
    }

    fn add_at(
        &mut self,
        name: &str,
        phone: &str,
        location: &str,
        description: &str,
        hours_ago: i64,
    ) -> String {
        let new = NewComplaint {
            channel: Some(Channel::Phone),
            name: name.into(),
            phone: phone.into(),
            location: location.into(),
            category: "漏水".into(),
            description: description.into(),
            outcome: String::new(),
            apologized: false,
            received_at: Some(t0() - Duration::hours(hours_ago)),
            extra_categories: Vec::new(),
            site: String::new(),
        };
        self.desk.intake(&new).expect("intake").number
    }

    /// Records a complaint received at `received`; returns its number.
    fn add_received(&mut self, description: &str, received: DateTime<Utc>) -> String {
        let new = NewComplaint {
            channel: Some(Channel::Phone),
            name: "赵敏".into(),
            phone: "13700137000".into(),
            location: "2栋".into(),
            category: "漏水".into(),
            description: description.into(),
            outcome: String::new(),
            apologized: false,
            received_at: Some(received),
            extra_categories: Vec::new(),
            site: String::new(),
        };
        self.desk.intake(&new).expect("intake").number
    }

    /// The numbers `filter` finds, newest first (every page of 3).
    fn find(&self, filter: &SearchFilter) -> Vec<String> {
        let mut found = Vec::new();
        let mut after = None;
        loop {
            let (page, cursor) = self.desk.search(filter, 3, after).expect("search");
            found.extend(page.iter().map(|c| c.number.clone()));
            if page.len() < 3 {
                return found;
            }
            after = cursor;
        }
    }

    fn text(&self, query: &str) -> Vec<String> {
        self.find(&text(query))
    }

    /// The numbers whose fields hold `query`, by the domain's rule over every stored
    /// complaint (unmasked), newest first: what the index must answer.
    fn brute_force(&self, query: &str) -> Vec<String> {
        let store = Store::open(&self.db).expect("open");
        let mut all: Vec<Complaint> = Vec::new();
        store
            .for_each(Queue::All, &Viewer::NOBODY, None, |c| {
                all.push(c.clone());
                Ok(())
            })
            .expect("all");
        all.into_iter()
            .filter(|c| complaint_matches(c, query))
            .map(|c| c.number)
            .collect()
    }
}

fn text(query: &str) -> SearchFilter {
    SearchFilter {
        text: Some(query.into()),
        ..SearchFilter::default()
    }
}

fn classify(scope: Scope, severity: &str) -> Action {
    Action::Classify {
        scope,
        party: (scope == Scope::Out).then(|| "developer".to_string()),
        complaint_type: None,
        severity: severity.into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: scope == Scope::Out,
    }
}

#[test]
fn chinese_substrings_of_any_length_find_exactly_what_contains_finds() {
    let mut w = World::new();
    let a = w.add(
        "张伟",
        "13800138000",
        "3栋2单元1801",
        "卫生间漏水，楼下已经发霉",
    );
    let b = w.add("李娜", "139 0013 9000", "5栋101", "电梯困人二十分钟");
    let c = w.add("王芳", "021-6234 5678", "12栋", "漏电了，电梯也坏了");
    let d = w.add(
        "Mary Wilson",
        "13700137000",
        "Block 3, Flat 101",
        "Lift 2 is broken",
    );
    for q in [
        "漏",
        "漏水",
        "电梯",
        "电梯困人",
        "梯困人二十",
        "水，楼",
        "坏了",
        "了",
    ] {
        assert_eq!(w.text(q), w.brute_force(q), "{q}");
    }
    assert_eq!(w.text("漏"), [c.clone(), a.clone()]);
    assert_eq!(w.text("漏水"), [a.as_str()]);
    assert_eq!(w.text("电梯"), [c.clone(), b.clone()]);
    assert_eq!(w.text("电梯困人"), [b.as_str()]);
    // Across fields: never.
    assert!(w.text("张伟1380").is_empty());
    // ASCII, digits and mixed text; case does not matter.
    assert_eq!(w.text("lift 2"), [d.as_str()]);
    assert_eq!(w.text("FLAT"), [d.as_str()]);
    assert_eq!(
        w.text("8000"),
        [a.as_str()],
        "phone digits, whatever the separators"
    );
    assert_eq!(w.text("62345678"), [c.as_str()]);
    assert_eq!(w.text("1801"), [a.as_str()]);
    assert_eq!(w.text("2单元18"), [a.as_str()]);
    assert_eq!(w.text(&b), [b.as_str()], "the number");
    assert_eq!(w.text("-0002"), [b.as_str()]);
    assert_eq!(w.text("Mary W"), [d]);
}

#[test]
fn traditional_and_simplified_full_and_half_width_match_each_other() {
    let mut w = World::new();
    let simplified = w.add("张伟", "13800138000", "3栋", "电梯困人");
    let traditional = w.add("張偉", "13900139000", "３棟", "電梯困人，衛生間漏水");
    let both = [traditional.clone(), simplified.clone()];
    assert_eq!(w.text("电梯"), both);
    assert_eq!(w.text("電梯"), both);
    assert_eq!(w.text("张伟"), both);
    assert_eq!(w.text("3栋"), both);
    assert_eq!(w.text("３棟"), both);
    assert_eq!(w.text("卫生间"), [traditional.as_str()]);
    assert_eq!(w.text("１３９"), [traditional.as_str()]);
    // Shown exactly as typed.
    let (page, _) = w.desk.search(&text("电梯"), 1, None).expect("search");
    assert_eq!(page[0].description, "電梯困人，衛生間漏水");
    assert_eq!(page[0].location, "３棟");
    assert_eq!(fold(&page[0].location), "3栋");
}

#[test]
fn hostile_queries_are_searched_literally_or_refused_clearly() {
    let mut w = World::new();
    let quote = w.add(
        "张伟",
        "13800138000",
        "3栋",
        "他说\"漏水\" OR 电梯 NEAR(a b) -x *y",
    );
    w.add("李娜", "13900139000", "5栋", "漏水 电梯");
    for q in [
        "\"",
        "\"漏水\"",
        "OR",
        " OR 电",
        "NEAR(",
        "NEAR(a b)",
        "-x",
        "*",
        "*y",
        "'",
        "a:b",
        "uni : x",
        "{bi}",
        "^",
        "x",
        "\u{0}",
        "漏水 OR",
    ] {
        let found = w.text(q);
        assert_eq!(found, w.brute_force(q), "{q:?}");
    }
    assert_eq!(w.text("\"漏水\""), [quote]);
    for blank in ["", " ", "\u{3000}\t\n"] {
        let err = w.desk.search(&text(blank), 10, None).expect_err("blank");
        assert_eq!(err.key, "error.search_empty");
    }
    let paste = "漏水".repeat(5_000);
    let err = w.desk.search(&text(&paste), 10, None).expect_err("paste");
    assert_eq!(err.key, "error.search_too_long");
    let err = w.desk.search_count(&text(&paste)).expect_err("paste");
    assert_eq!(err.key, "error.search_too_long");
}

#[test]
fn every_filter_combines_with_the_text() {
    let mut w = World::new();
    let old = w.add_at("张伟", "13800138000", "3栋2单元", "漏水", 24 * 40);
    let open_in = w.add_at("李娜", "13900139000", "3栋5单元", "漏水严重", 24 * 3);
    let out = w.add_at("王芳", "13700137000", "5栋101", "墙面漏水开裂", 24 * 2);
    let untriaged = w.add_at("赵强", "13600136000", "3栋1单元", "漏水", 1);
    let closed = w.add_at("孙丽", "13500135000", "12栋", "漏水已修", 5);
    w.desk
        .act(&open_in, None, &classify(Scope::In, "serious"))
        .expect("classify");
    w.desk
        .act(&out, None, &classify(Scope::Out, "minor"))
        .expect("classify");
    for action in [
        Action::Refer {
            to: "developer".into(),
            note: String::new(),
        },
        Action::Wait {
            on: complaint_desk::domain::handling::WaitOn::ThirdParty,
            note: String::new(),
        },
    ] {
        w.desk.act(&out, None, &action).expect("move");
    }
    w.desk
        .act(&closed, None, &classify(Scope::Out, "minor"))
        .expect("classify");
    w.desk
        .act(
            &closed,
            None,
            &Action::Refer {
                to: "developer".into(),
                note: String::new(),
            },
        )
        .expect("refer");
    w.desk
        .act(
            &closed,
            None,
            &Action::Close {
                summary: String::new(),
                root_cause: String::new(),
                lesson: String::new(),
                referred: true,
            },
        )
        .expect("close");
    w.desk
        .act(&old, None, &classify(Scope::In, "minor"))
        .expect("classify");
    let all = [
        untriaged.clone(),
        closed.clone(),
        out.clone(),
        open_in.clone(),
        old.clone(),
    ];
    let q = |f: SearchFilter| {
        let f = SearchFilter {
            text: Some("漏水".into()),
            ..f
        };
        let found = w.find(&f);
        assert_eq!(
            w.desk.search_count(&f).expect("count"),
            found.len() as u64,
            "{f:?}"
        );
        // The same filters without text list the same complaints (all hold 漏水).
        let listed = w.find(&SearchFilter { text: None, ..f });
        assert_eq!(listed, found);
        found
    };
    assert_eq!(q(SearchFilter::default()), all);
    let view = |view| {
        q(SearchFilter {
            view,
            ..SearchFilter::default()
        })
    };
    assert_eq!(
        view(View::Open),
        [
            untriaged.as_str(),
            out.as_str(),
            open_in.as_str(),
            old.as_str()
        ]
    );
    assert_eq!(view(View::Untriaged), [untriaged.as_str()]);
    assert_eq!(view(View::Waiting), [out.as_str()]);
    assert_eq!(view(View::Closed), [closed.as_str()]);
    assert!(view(View::Approval).is_empty());
    assert_eq!(
        q(SearchFilter {
            stage: Some(Stage::WaitingOnParty),
            ..SearchFilter::default()
        }),
        [out.as_str()]
    );
    assert_eq!(
        q(SearchFilter {
            scope: Some(Scope::In),
            ..SearchFilter::default()
        }),
        [open_in.as_str(), old.as_str()]
    );
    assert_eq!(
        q(SearchFilter {
            severity: Some("serious".into()),
            ..SearchFilter::default()
        }),
        [open_in.as_str()]
    );
    assert_eq!(
        q(SearchFilter {
            category: Some("leak".into()),
            ..SearchFilter::default()
        }),
        all
    );
    assert!(
        q(SearchFilter {
            category: Some("noise".into()),
            ..SearchFilter::default()
        })
        .is_empty()
    );
    assert_eq!(
        q(SearchFilter {
            location_prefix: Some("3栋".into()),
            ..SearchFilter::default()
        }),
        [untriaged.as_str(), open_in.as_str(), old.as_str()]
    );
    assert_eq!(
        q(SearchFilter {
            from: Some(t0() - Duration::days(4)),
            to: Some(t0() - Duration::days(1)),
            ..SearchFilter::default()
        }),
        [out.as_str(), open_in.as_str()]
    );
    assert_eq!(
        q(SearchFilter {
            from: Some(t0() - Duration::days(4)),
            scope: Some(Scope::In),
            location_prefix: Some("3栋".into()),
            view: View::Open,
            ..SearchFilter::default()
        }),
        [open_in.as_str()]
    );
}

#[test]
fn pages_go_newest_received_first_both_ways_and_a_backdated_complaint_takes_its_place() {
    let mut w = World::new();
    let mut numbers: Vec<String> = (0..7)
        .map(|i| w.add_at("张伟", "13800138000", "3栋", "漏水", 10 * (7 - i)))
        .collect();
    // Logged last, received first of all (a paper log): it comes last, newest first.
    let paper = w.add_at("李娜", "13900139000", "5栋", "漏水", 1000);
    numbers.insert(0, paper);
    numbers.reverse();
    assert_eq!(w.text("漏水"), numbers);
    assert_eq!(w.desk.search_count(&text("漏水")).expect("count"), 8);
    let filter = text("漏");
    let (first, after) = w.desk.search(&filter, 3, None).expect("page 1");
    let (second, after) = w.desk.search(&filter, 3, after).expect("page 2");
    let (third, end) = w.desk.search(&filter, 3, after).expect("page 3");
    let numbers_of = |p: &[Complaint]| p.iter().map(|c| c.number.clone()).collect::<Vec<_>>();
    assert_eq!(numbers_of(&third).len(), 2);
    // Back up from the first row of page 3: page 2 again, with the cursor of its first row.
    let top_of_third = Cursor::of(Queue::All, &third[0]);
    let (back, up) = w
        .desk
        .search_before(&filter, 3, top_of_third)
        .expect("back");
    assert_eq!(numbers_of(&back), numbers_of(&second));
    let (back, _) = w
        .desk
        .search_before(&filter, 3, up.expect("cursor"))
        .expect("back");
    assert_eq!(numbers_of(&back), numbers_of(&first));
    let (past_end, _) = w.desk.search(&filter, 3, end).expect("after the end");
    assert!(past_end.is_empty());
    // Phones are masked like every desk read.
    assert_eq!(first[0].phone, "138****8000");
}

/// Complaints logged late, many into one gap of a day and before its first, keep received
/// order in the index (the day's keys are spaced out again when a gap is used up).
#[test]
fn late_entries_crowding_one_day_keep_received_order() {
    let mut w = World::new();
    let day = t0() - Duration::hours(2);
    w.add_received("卫生间漏水", day + Duration::minutes(90));
    w.add_received("厨房漏水", day + Duration::minutes(100));
    // Forty logged in received order, each just before the 90-minute one: each takes the
    // middle of a gap that halves every time.
    for i in 0..40 {
        w.add_received(
            "卫生间漏水",
            day + Duration::minutes(30) + Duration::seconds(i),
        );
    }
    // Twenty logged newest first, each before the day's earliest so far.
    for i in 0..20 {
        w.add_received("阳台漏水", day + Duration::minutes(20 - i));
    }
    // Five received at the same second, and one from the day before.
    for _ in 0..5 {
        w.add_received("卫生间漏水", day + Duration::minutes(30));
    }
    w.add_received("卫生间漏水", day - Duration::minutes(1));
    for query in ["漏水", "卫生间漏水", "漏", "间漏水"] {
        assert_eq!(w.text(query), w.brute_force(query), "{query}");
    }
    let all = w.brute_force("漏水");
    assert_eq!(all.len(), 68);
    assert_eq!(w.desk.search_count(&text("卫生间漏水")).expect("count"), 47);
    // A date range is a range of keys.
    let filter = SearchFilter {
        from: Some(day + Duration::minutes(30)),
        to: Some(day + Duration::minutes(31)),
        ..text("漏水")
    };
    assert_eq!(w.find(&filter).len(), 45);
}

#[test]
fn the_index_follows_every_move_and_a_reopen() {
    let mut w = World::new();
    let n = w.add("张伟", "13800138000", "3栋", "卫生间漏水");
    w.add("李娜", "13900139000", "5栋", "电梯坏了");
    let found = |w: &World, q: &str| w.text(q) == [n.as_str()];
    let moves: Vec<(Action, &str)> = vec![
        (classify(Scope::In, "serious"), "卫生间"),
        (
            Action::Verify {
                motive: "担心楼下索赔".into(),
                outcome: "上门维修赔偿".into(),
                mood: None,
            },
            "楼下索赔",
        ),
        (
            Action::Assess {
                facts: "防水层破损".into(),
                severity: None,
            },
            "防水层",
        ),
        (
            Action::Plan {
                department: "工程维修部".into(),
                actions: "修复防水层并复查".into(),
                promised: None,
                confirmed: false,
                compensation: None,
                gift: Some("清洁券".into()),
            },
            "清洁券",
        ),
        (
            Action::Reply {
                accepted: false,
                alternatives: "改为更换吊顶".into(),
            },
            "更换吊顶",
        ),
        (
            Action::Plan {
                department: "外包施工队".into(),
                actions: "更换吊顶".into(),
                promised: None,
                confirmed: false,
                compensation: None,
                gift: None,
            },
            "施工队",
        ),
        (
            Action::Reply {
                accepted: true,
                alternatives: String::new(),
            },
            "施工队",
        ),
        (
            Action::Remedied {
                note: "已更换完毕".into(),
            },
            "更换完毕",
        ),
        (
            Action::Refer {
                to: "consumer-association".into(),
                note: "客户已投诉到消协".into(),
            },
            "消协",
        ),
        (
            Action::Close {
                summary: "更换吊顶结案".into(),
                root_cause: "防水老化".into(),
                lesson: "雨季前巡检".into(),
                referred: false,
            },
            "雨季前巡检",
        ),
    ];
    for (action, newly) in moves {
        w.desk.act(&n, None, &action).expect("move");
        assert!(found(&w, newly), "{newly} after {action:?}");
        assert!(found(&w, "卫生间漏水"), "the intake text stays");
    }
    // The first plan's department is gone with it; the verified outcome replaced the empty one.
    assert!(w.text("工程维修部").is_empty());
    assert!(found(&w, "上门维修赔偿"));
    // Reopened from the file by another process: the same answers.
    drop(w.desk);
    let store = Store::open(&w.db).expect("reopen");
    w.desk = Desk::new(store, config(), "王丽", Box::new(FixedClock(t0()))).expect("desk");
    assert!(found(&w, "雨季前巡检"));
    for q in ["漏", "更换", "防水", "巡检", "13800"] {
        assert_eq!(w.text(q), w.brute_force(q), "{q}");
    }
}

#[test]
fn erasure_removes_the_person_from_the_index_and_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("desk.db");
    let mut admin =
        Desk::open(&db, config(), "孙管理员", Box::new(FixedClock(t0()))).expect("open");
    admin
        .create_first_admin("孙管理员", "2580")
        .expect("first admin");
    let add = |desk: &mut Desk, name: &str, phone: &str, description: &str| {
        desk.intake(&NewComplaint {
            channel: Some(Channel::Phone),
            name: name.into(),
            phone: phone.into(),
            location: "鹦鹉洲".into(),
            category: "漏水".into(),
            description: description.into(),
            outcome: String::new(),
            apologized: false,
            received_at: None,
            extra_categories: Vec::new(),
            site: String::new(),
        })
        .expect("intake")
        .number
    };
    let first = add(
        &mut admin,
        "欧阳娜娜",
        "13812345678",
        "龘靐齉爩的卫生间漏水",
    );
    add(&mut admin, "欧阳娜娜", "13812345678", "又来投诉");
    let other = add(&mut admin, "司马光", "13900139000", "电梯坏了");
    admin
        .act(
            &first,
            None,
            &Action::Classify {
                scope: Scope::In,
                party: None,
                complaint_type: None,
                severity: "minor".into(),
                intent: Intent::Genuine,
                spread_risk: false,
                explained: false,
            },
        )
        .expect("classify");
    admin
        .act(
            &first,
            None,
            &Action::Verify {
                motive: "欧阳娜娜担心".into(),
                outcome: "维修".into(),
                mood: None,
            },
        )
        .expect("verify");
    let search = |desk: &Desk, q: &str| desk.search_count(&text(q)).expect("count");
    assert_eq!(search(&admin, "欧阳娜娜"), 2);
    assert_eq!(search(&admin, "龘靐"), 1);
    // The index words of a text: its hex unigrams, bigrams, or trigrams for digits
    // (domain::search).
    let words = |q: &str, n: usize| -> Vec<String> {
        let chars: Vec<char> = fold(q).chars().collect();
        chars
            .windows(n)
            .map(|p| p.iter().collect::<String>())
            .map(|s| s.bytes().map(|b| format!("{b:02x}")).collect())
            .collect()
    };
    let vocabulary = || -> Vec<String> {
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch(
            "CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, complaints_search, 'row');",
        )
        .expect("vocab");
        conn.prepare("SELECT term FROM temp.vocab")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("terms")
    };
    let secret_words: Vec<String> = [
        ("欧阳娜娜", 1),
        ("欧阳娜娜", 2),
        ("龘靐齉爩", 1),
        ("龘靐齉爩", 2),
        ("13812345678", 3),
    ]
    .iter()
    .flat_map(|(s, n)| words(s, *n))
    .collect();
    let before = vocabulary();
    assert!(
        secret_words.iter().all(|w| before.contains(w)),
        "the test sees the words"
    );

    admin.anonymise(&first).expect("anonymise");
    assert_eq!(search(&admin, "欧阳娜娜"), 0);
    assert_eq!(search(&admin, "龘靐"), 0);
    assert_eq!(search(&admin, "12345678"), 0);
    assert_eq!(search(&admin, "司马光"), 1);
    assert_eq!(search(&admin, &other), 1);
    let after = vocabulary();
    for w in &secret_words {
        assert!(!after.contains(w), "{w} is still a word of the index");
    }
    // Nor in the file's bytes once checkpointed: neither the text nor its index words.
    let conn = rusqlite::Connection::open(&db).expect("raw");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    let mut bytes = std::fs::read(&db).expect("bytes");
    bytes.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for s in ["欧阳娜娜", "龘靐齉爩"]
        .iter()
        .map(|s| s.to_string())
        .chain(secret_words.iter().filter(|w| w.len() >= 12).cloned())
    {
        assert!(!contains(&s), "{s} lingers in the file");
    }
    assert!(contains("司马光"));
}

#[test]
fn a_searcher_runs_on_its_own_connection_and_is_cancelled_from_another_thread() {
    fn send<T: Send>(_: &T) {}
    fn send_sync<T: Send + Sync>(_: &T) {}
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("desk.db");
    {
        let mut desk = Desk::open(&db, config(), "王丽", Box::new(FixedClock(t0()))).expect("open");
        desk.demo(3000, 7, &mut |_| {}).expect("demo");
    }
    let mut store = Store::open(&db).expect("open");
    store.agent_active("王丽", "agent", t0()).expect("agent");
    let desk = Desk::new(store, config(), "王丽", Box::new(FixedClock(t0()))).expect("desk");
    let searcher = desk.searcher().expect("searcher");
    let canceller = searcher.canceller();
    send(&searcher);
    send_sync(&canceller);
    let filter = SearchFilter {
        text: Some("漏".into()),
        view: View::Waiting,
        ..SearchFilter::default()
    };
    let expected = desk.search_count(&filter).expect("count");
    let found = std::thread::spawn(move || searcher.count(&filter).map(|n| (n, searcher)))
        .join()
        .expect("thread");
    let (n, searcher) = found.expect("uncancelled");
    assert_eq!(n, expected);
    // Cancel over and over from another thread while the searcher counts: it gives up with
    // a distinguishable error.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hammer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                canceller.cancel();
            }
        })
    };
    let every = SearchFilter {
        text: Some("1".into()),
        view: View::Approval,
        ..SearchFilter::default()
    };
    let cancelled = (0..1000).find_map(|_| searcher.count(&every).err());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    hammer.join().expect("canceller");
    assert_eq!(cancelled.map(|e| e.key), Some("error.search_cancelled"));
    // A query after the cancellation runs as usual.
    let (page, _) = searcher.search(&text("漏"), 5, None).expect("search");
    assert_eq!(page.len(), 5);
    assert!(page.iter().all(|c| c.phone.contains('*')), "masked");
}

#[test]
fn go_to_a_number_whole_or_by_todays_sequence() {
    let mut w = World::new();
    let yesterday = w.add_at("张伟", "13800138000", "3栋", "漏水", 30);
    let today = w.add("李娜", "13900139000", "5栋", "漏水");
    assert_eq!(w.desk.find_number(&yesterday).expect("whole"), yesterday);
    assert_eq!(
        w.desk
            .find_number(&yesterday.replace('-', ""))
            .expect("no dash"),
        yesterday
    );
    let seq: u32 = today[9..].parse().expect("sequence");
    assert_eq!(w.desk.find_number(&seq.to_string()).expect("short"), today);
    assert_eq!(w.desk.find_number(" ０１ ").expect("full-width"), today);
    for unknown in ["99", "20990101-0001", "漏水", ""] {
        assert_eq!(
            w.desk.find_number(unknown).map_err(|e| e.key),
            Err("error.not_found"),
            "{unknown:?}"
        );
    }
}

/// Text over a small alphabet (so that queries hit), with Traditional, full-width and
/// upper-case twins of its characters.
fn alphabet_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            '漏', '水', '电', '電', '梯', '困', '人', '3', '３', '栋', '棟', 'a', 'A', ' ', '-',
        ]),
        0..12,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// On a generated set, every query finds exactly the complaints whose folded fields
    /// contain it, and counts them alike.
    #[test]
    fn hits_equal_a_brute_force_contains(
        cases in proptest::collection::vec((alphabet_text(), alphabet_text()), 1..25),
        queries in proptest::collection::vec(alphabet_text(), 1..12),
    ) {
        let mut w = World::new();
        for (i, (location, description)) in cases.iter().enumerate() {
            let location = if location.trim().is_empty() { "1栋" } else { location };
            let description = if description.trim().is_empty() { "漏" } else { description };
            w.add_at("张伟", "13800138000", location, description, i as i64);
        }
        for q in &queries {
            if q.trim().is_empty() {
                continue;
            }
            let expected = w.brute_force(q);
            prop_assert_eq!(w.text(q), expected.clone(), "{:?}", q);
            prop_assert_eq!(w.desk.search_count(&text(q)).expect("count"), expected.len() as u64);
        }
    }
}

#[test]
fn the_search_command_prints_like_list() {
    let desk = common::Desk::new();
    let add = |name: &str, description: &str| {
        desk.add(&[
            "--channel",
            "phone",
            "--name",
            name,
            "--phone",
            "13800138000",
            "--location",
            "3栋2单元",
            "--category",
            "漏水",
            "--description",
            description,
        ])
    };
    let leak = add("张伟", "卫生间漏水");
    let lift = add("李娜", "電梯困人");
    let json = desk.json(&["search", "电梯", "--format", "json"]);
    let listed = desk.json(&["list", "--queue", "all", "--format", "json"]);
    let same = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["number"] == lift.as_str())
        .expect("listed");
    assert_eq!(json, serde_json::json!([same]), "the same objects as list");
    let csv = |args: &[&str]| common::stdout(&desk.cmd().args(args).assert().success());
    let found = csv(&["search", "漏水", "--format", "csv"]);
    let all = csv(&["list", "--queue", "all", "--format", "csv"]);
    let header = all.lines().next().expect("header");
    assert_eq!(found.lines().next(), Some(header));
    assert_eq!(found.lines().count(), 2);
    assert!(found.contains(&leak));
    let table = csv(&["search", "3栋", "--limit", "1", "--lang", "en"]);
    assert!(table.contains(&lift) && !table.contains(&leak), "{table}");
    assert!(table.contains("showing 1"), "{table}");
    let none = csv(&["search", "噪音", "--lang", "en"]);
    assert!(none.contains("no complaint matches"), "{none}");
    let filtered = desk.json(&[
        "search",
        "3栋",
        "--format",
        "json",
        "--view",
        "untriaged",
        "--category",
        "leak",
        "--location",
        "3栋",
        "--from",
        "2000-01-01",
        "--to",
        "2999-12-31",
    ]);
    assert_eq!(filtered.as_array().map(Vec::len), Some(2));
    // A blank query is an error (exit 1, one line); a bad value a usage error (exit 2).
    let blank = desk
        .cmd()
        .args(["search", "  ", "--lang", "en"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&blank.get_output().stderr).to_string();
    assert!(err.starts_with("error: nothing to search for"), "{err}");
    assert_eq!(err.lines().count(), 1);
    desk.cmd()
        .args(["search", "漏", "--view", "nowhere"])
        .assert()
        .code(2);
    desk.cmd()
        .args(["search", "漏", "--stage", "nowhere"])
        .assert()
        .code(2);
    let bad = desk
        .cmd()
        .args(["search", "漏", "--severity", "huge", "--lang", "en"])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("unknown severity"));
}

/// "Mine" is the open cases the agent searching handles; `handler` names anyone's.
#[test]
fn mine_and_the_handler_filter_combine_with_the_text() {
    let mut w = World::new();
    let hers = w.add("张伟", "13800138000", "3栋", "卫生间漏水");
    let other = w.add("李娜", "13900139000", "5栋", "阳台漏水");
    let untriaged = w.add("赵强", "13700137000", "7栋", "厨房漏水");
    w.desk
        .act(&hers, None, &classify(Scope::In, "minor"))
        .expect("王丽 classifies");
    let mut store = Store::open(&w.db).expect("open");
    store.agent_active("李工", "agent", t0()).expect("agent");
    let mut other_desk =
        Desk::new(store, config(), "李工", Box::new(FixedClock(t0()))).expect("desk");
    other_desk
        .act(&other, None, &classify(Scope::In, "minor"))
        .expect("李工 classifies");
    let mine = SearchFilter {
        view: View::Mine,
        ..text("漏水")
    };
    assert_eq!(w.find(&mine), vec![hers.clone()]);
    assert_eq!(
        other_desk.search(&mine, 10, None).expect("search").0.len(),
        1
    );
    assert_eq!(
        other_desk.search(&mine, 10, None).expect("search").0[0].number,
        other
    );
    let by_handler = SearchFilter {
        handler: Some("李工".into()),
        ..text("漏")
    };
    assert_eq!(w.find(&by_handler), vec![other.clone()]);
    assert_eq!(w.desk.search_count(&mine).expect("count"), 1);
    assert!(!w.text("漏水").is_empty() && w.text("漏水").contains(&untriaged));
}

/// A file with the first search index (schema 10: bigrams with positions and a unigram
/// table, keyed by time and id) gets the smaller one on its next open, every complaint in it.
#[test]
fn a_file_with_the_first_index_is_reindexed_on_open() {
    let mut w = World::new();
    let numbers: Vec<String> = (0..5)
        .map(|i| w.add_at("张伟", "13800138000", "3栋", "电梯困人", i))
        .collect();
    let World { _dir, db, desk } = w;
    drop(desk);
    let conn = rusqlite::Connection::open(&db).expect("raw");
    // Back to schema 10 as the binary of then left it: without migration 14's list, 13's column and
    // list, nor 12's column and seal (the rows' hashes no longer verify after this; only
    // the index is looked at).
    conn.execute_batch(common::BACK_TO_14).expect("back to 14");
    conn.execute_batch(
        "DROP TABLE waiting_calls_owed;
         DROP TABLE reply_clock_moves;
         ALTER TABLE revisits DROP COLUMN attempts;
         DROP TRIGGER events_no_update;
         DROP TRIGGER events_no_delete;
         DELETE FROM events WHERE kind = 'chain_sealed';
         ALTER TABLE events DROP COLUMN erased_digest;
         DROP TABLE complaints_search;
         DROP INDEX complaints_search_key;
         ALTER TABLE complaints DROP COLUMN search_key;
         CREATE VIRTUAL TABLE complaints_search USING fts5 (
             bi, tri, content = '', contentless_delete = 1, tokenize = 'ascii');
         CREATE VIRTUAL TABLE complaints_search_uni USING fts5 (
             uni, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii');
         INSERT INTO complaints_search (rowid, bi, tri) VALUES (1, 'e794b5e6a2af', '');
         PRAGMA user_version = 10;",
    )
    .expect("the first index");
    drop(conn);
    let mut progress = Vec::new();
    let store = Store::open_with_progress(&db, &mut |p| progress.push(p)).expect("upgrade");
    let search_build: Vec<_> = progress.iter().filter(|p| p.version == 11).collect();
    assert_eq!(search_build.last().map(|p| (p.done, p.total)), Some((5, 5)));
    let desk = Desk::new(store, config(), "王丽", Box::new(FixedClock(t0()))).expect("desk");
    let (found, _) = desk.search(&text("梯困人"), 50, None).expect("search");
    // Received an hour apart, the first added the newest.
    assert_eq!(
        found.iter().map(|c| c.number.clone()).collect::<Vec<_>>(),
        numbers
    );
    let raw = rusqlite::Connection::open(&db).expect("raw");
    let old: i64 = raw
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'complaints_search_uni%'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert_eq!(old, 0, "the unigram table is gone");
}
