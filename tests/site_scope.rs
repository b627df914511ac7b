//! Sites scope every view of the desk, on a real file: queues and their counts, search,
//! the callback queue, the revisit and care agendas and the status line show an agent given
//! sites only those sites' work (and the complaints naming no site); a case of another site
//! is refused, and opening it is recorded as a denial.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, Utc};
use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{
    AgendaRange, CallbackView, CareResult, Desk, FixedClock, SearchFilter, View,
};
use complaint_desk::domain::complaint::{Channel, Complaint, Intent, NewComplaint, Queue, Scope};
use complaint_desk::domain::handling::Action;
use complaint_desk::domain::zone::Zone;
use complaint_desk::store::{Store, agents};

fn at(s: &str) -> DateTime<Utc> {
    Zone::named("Asia/Shanghai")
        .expect("zone")
        .instant(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s))
}

fn config() -> Config {
    let mut config = Config::preset(Preset::PropertyManagement).expect("preset");
    config.policy.timezone = Zone::named("Asia/Shanghai").expect("zone");
    config
}

struct World {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl World {
    /// A file with 王丽 (agent, of 绿景花园), 李娜 (supervisor, no site) and 管理员 (admin,
    /// head office, given a site all the same).
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("desk.db");
        let mut store = Store::open(&db).expect("open");
        for (name, role) in [
            ("王丽", "agent"),
            ("李娜", "supervisor"),
            ("管理员", "admin"),
        ] {
            store
                .agent_active(name, role, at("2026-01-05 09:00"))
                .expect("register");
        }
        store
            .write(|tx| {
                agents::set_sites(tx, "王丽", &["lvjing".into()])?;
                agents::set_sites(tx, "管理员", &["binjiang".into()])?;
                Ok(())
            })
            .expect("sites");
        World { _dir: dir, db }
    }

    fn desk(&self, agent: &str, when: &str) -> Desk {
        let store = Store::open(&self.db).expect("open");
        Desk::new(store, config(), agent, Box::new(FixedClock(at(when)))).expect("desk")
    }
}

fn leak(site: &str) -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::Phone),
        name: "张伟".into(),
        phone: "13800138000".into(),
        location: "3栋2单元1801".into(),
        category: "漏水".into(),
        description: "卫生间天花板漏水，楼下已经发霉。".into(),
        outcome: "尽快维修".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: site.into(),
    }
}

fn classify() -> Action {
    Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    }
}

/// Classified and taken to its remedy (a first-reply call owed before, revisits after).
fn remedied() -> Vec<Action> {
    vec![
        classify(),
        Action::Verify {
            motive: "担心楼下邻居索赔".into(),
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
            note: "防水层已更换".into(),
        },
    ]
}

fn sites(rows: &[Complaint]) -> Vec<Option<String>> {
    let mut s: Vec<Option<String>> = rows.iter().map(|c| c.site.clone()).collect();
    s.sort();
    s
}

#[test]
fn an_agent_given_a_site_sees_only_its_work_and_head_office_all() {
    let world = World::new();
    let mut head = world.desk("李娜", "2026-03-02 10:00");
    // Per site: one remedied (revisits owed), one classified (a reply call owed), and one
    // untriaged; and the same naming no site.
    for site in ["lvjing", "xiangshu", ""] {
        for steps in [remedied(), vec![classify()], Vec::new()] {
            let n = head.intake(&leak(site)).expect("intake").number;
            for step in &steps {
                head.act(&n, None, step).expect("move");
            }
        }
    }
    let wang = world.desk("王丽", "2026-03-20 10:00");
    let li = world.desk("李娜", "2026-03-20 10:00");
    let admin = world.desk("管理员", "2026-03-20 10:00");

    // Queues, counts.
    let (page, _) = wang.page(Queue::All, 50, None).expect("page");
    let lvjing = Some("lvjing".to_string());
    assert_eq!(
        sites(&page),
        [None, None, None, lvjing.clone(), lvjing.clone(), lvjing]
    );
    assert_eq!(wang.count(Queue::All).expect("count"), 6);
    assert_eq!(li.count(Queue::All).expect("count"), 9);
    assert_eq!(admin.count(Queue::All).expect("count"), 9, "head office");
    assert_eq!(wang.view_counts().expect("views").open, 6);
    let (back, _) = wang.page_before(Queue::All, 50, None).expect("page");
    assert_eq!(back.len(), 6);
    let mut streamed = 0;
    wang.for_each(Queue::Untriaged, None, |_| {
        streamed += 1;
        Ok(())
    })
    .expect("stream");
    assert_eq!(streamed, 2);

    // The status line.
    let (w, l) = (
        wang.status_counts().expect("counts"),
        li.status_counts().expect("counts"),
    );
    assert_eq!((w.untriaged, l.untriaged), (2, 3));
    assert!(
        w.due_today + w.overdue < l.due_today + l.overdue,
        "{w:?} {l:?}"
    );

    // Search, on the desk and on a searcher of its own.
    let filter = SearchFilter {
        text: Some("漏水".into()),
        view: View::All,
        ..SearchFilter::default()
    };
    let (found, _) = wang.search(&filter, 50, None).expect("search");
    assert_eq!(found.len(), 6);
    assert!(found.iter().all(|c| c.site.as_deref() != Some("xiangshu")));
    assert_eq!(wang.search_count(&filter).expect("count"), 6);
    let searcher = wang.searcher().expect("searcher");
    assert_eq!(searcher.count(&filter).expect("count"), 6);
    let other = SearchFilter {
        site: Some("xiangshu".into()),
        ..filter.clone()
    };
    assert_eq!(wang.search_count(&other).expect("count"), 0);
    assert_eq!(
        li.search_count(&other).expect("count"),
        3,
        "filtered by site"
    );

    // The callback queue, the revisit and care agendas.
    let calls = wang
        .callback_queue(CallbackView::All, 50, None)
        .expect("calls");
    assert!(!calls.is_empty());
    assert!(
        calls
            .iter()
            .all(|r| r.complaint.site.as_deref() != Some("xiangshu"))
    );
    let all_calls = li
        .callback_queue(CallbackView::All, 50, None)
        .expect("calls");
    assert!(all_calls.len() > calls.len());
    let visits = wang
        .revisit_agenda(AgendaRange::All, 50, None)
        .expect("agenda");
    let all_visits = li
        .revisit_agenda(AgendaRange::All, 50, None)
        .expect("agenda");
    assert!(!visits.is_empty() && visits.len() < all_visits.len());
    assert!(
        visits
            .iter()
            .all(|(_, c)| c.site.as_deref() != Some("xiangshu"))
    );
    let total = |a: complaint_desk::desk::AgendaCounts| a.overdue + a.today + a.tomorrow + a.week;
    assert!(total(wang.agenda_counts().expect("n")) < total(li.agenda_counts().expect("n")));
    let care = wang.care_agenda(AgendaRange::All, 50, None).expect("care");
    assert_eq!(
        care.iter().map(|c| c.site.as_str()).collect::<Vec<_>>(),
        ["lvjing"]
    );
    assert_eq!(
        li.care_agenda(AgendaRange::All, 50, None)
            .expect("care")
            .len(),
        3
    );
    // The plan staggers the sites' calls: 绿景花园's today, 滨江壹号's within the week.
    let (w, l) = (wang.care_counts().expect("n"), li.care_counts().expect("n"));
    assert_eq!((w.today, w.week), (1, 1));
    assert_eq!((l.today, l.week), (1, 2));
}

#[test]
fn another_sites_case_is_refused_and_opening_it_recorded() {
    let world = World::new();
    let mut head = world.desk("李娜", "2026-03-02 10:00");
    let theirs = head.intake(&leak("xiangshu")).expect("intake").number;
    let ours = head.intake(&leak("lvjing")).expect("intake").number;
    let mut wang = world.desk("王丽", "2026-03-02 11:00");
    assert_eq!(
        wang.case_file(&theirs).map(|_| ()).map_err(|e| e.key),
        Err("error.other_site")
    );
    assert_eq!(
        wang.open_case(&theirs).map(|_| ()).map_err(|e| e.key),
        Err("error.other_site")
    );
    assert_eq!(
        wang.act(&theirs, None, &classify())
            .map(|_| ())
            .map_err(|e| e.key),
        Err("error.other_site")
    );
    assert!(wang.open_case(&ours).is_ok());
    assert!(wang.act(&ours, None, &classify()).is_ok());
    let case = head.case_file(&theirs).expect("head office sees it");
    let denials: Vec<_> = case
        .events
        .iter()
        .filter(|e| e.kind == "denied" && e.agent == "王丽")
        .collect();
    assert_eq!(denials.len(), 2, "open and move, not the quiet read");
    assert_eq!(case.complaint.scope, None, "the move changed nothing");
    // Repeat complainants: only the sites seen.
    let earlier = wang.repeat_complainants("13800138000", "").expect("repeat");
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].number, ours);
}

/// The refusals of 王丽 recorded in the timeline: (complaint id, what the refusal named).
fn denials_of_wang(world: &World) -> Vec<(Option<i64>, String)> {
    let conn = rusqlite::Connection::open(&world.db).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT complaint_id, detail FROM events WHERE kind = 'denied' AND agent = '王丽'
             ORDER BY id",
        )
        .expect("query");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("denials")
}

/// Going to another site's number, and asking whether a transfer of it would take it over,
/// say "not yours" as opening it does, and are recorded as opening it is; the agent's own
/// site's and unsited numbers are found as before.
#[test]
fn going_to_or_taking_over_another_sites_case_is_refused_and_recorded() {
    let world = World::new();
    let mut head = world.desk("李娜", "2026-03-02 10:00");
    let theirs = head.intake(&leak("xiangshu")).expect("intake").number;
    let ours = head.intake(&leak("lvjing")).expect("intake").number;
    let nowhere = head.intake(&leak("")).expect("intake").number;
    let mut wang = world.desk("王丽", "2026-03-02 11:00");

    // Go to a number, whole or by today's sequence.
    let seq = theirs[9..].trim_start_matches('0').to_string();
    for typed in [theirs.as_str(), &seq] {
        assert_eq!(
            wang.find_number(typed).map_err(|e| e.key),
            Err("error.other_site"),
            "{typed}"
        );
    }
    assert_eq!(wang.find_number(&ours).expect("ours"), ours);
    assert_eq!(wang.find_number(&nowhere).expect("no site"), nowhere);
    assert_eq!(
        wang.find_number("99").map_err(|e| e.key),
        Err("error.not_found"),
        "an unknown number is still unknown"
    );
    assert_eq!(head.find_number(&theirs).expect("head office"), theirs);

    // Whether a transfer would take it over: refused before any PIN is asked.
    assert_eq!(
        wang.takes_over(&theirs).map_err(|e| e.key),
        Err("error.other_site")
    );
    assert!(wang.takes_over(&ours).expect("ours"), "nobody's yet");

    let case = head.case_file(&theirs).expect("head office sees it");
    let denied = case
        .events
        .iter()
        .filter(|e| e.kind == "denied" && e.agent == "王丽")
        .count();
    assert_eq!(denied, 3, "two goes and the take-over question");
    assert_eq!(denials_of_wang(&world).len(), 3, "nothing else refused");
    assert!(head.audit_verify(None).expect("verify").is_whole());
}

/// The complaint a low-scored care call opens is taken only by an agent who sees the call's
/// site; another site's is refused, recorded, and leaves the call open to its own site.
#[test]
fn a_care_call_of_another_site_opens_no_complaint_for_an_agent_not_there() {
    let world = World::new();
    let mut head = world.desk("李娜", "2026-03-20 10:00");
    let calls = head
        .care_agenda(AgendaRange::All, 50, None)
        .expect("care calls");
    let call = |site: &str| {
        calls
            .iter()
            .find(|c| c.site == site)
            .unwrap_or_else(|| panic!("{site}'s care call"))
            .id
    };
    let (xiangshu, lvjing) = (call("xiangshu"), call("lvjing"));
    let low = head
        .record_care_call(xiangshu, CareResult::Reached(1), "物业费涨了没人解释")
        .expect("low score");
    let mut theirs = low.opens.expect("a complaint to open");
    theirs.description = "回访满意度 1/5：物业费涨了没人解释".into();
    let low = head
        .record_care_call(lvjing, CareResult::Reached(2), "楼道灯坏了")
        .expect("low score");
    let mut ours = low.opens.expect("a complaint to open");
    ours.description = "回访满意度 2/5：楼道灯坏了".into();

    let mut wang = world.desk("王丽", "2026-03-20 10:30");
    assert_eq!(
        wang.intake_from_care(xiangshu, &theirs).map_err(|e| e.key),
        Err("error.other_site")
    );
    let denials = denials_of_wang(&world);
    assert_eq!(denials.len(), 1, "{denials:?}");
    let (about, detail) = &denials[0];
    assert_eq!(*about, None, "about a care call, not a complaint");
    let detail: serde_json::Value = serde_json::from_str(detail).expect("json");
    assert_eq!(detail["site"], "xiangshu");
    assert_eq!(detail["sites"], serde_json::json!(["lvjing"]));

    // Nothing opened; the call is still there for its site's agents, and her own works.
    assert_eq!(head.count(Queue::All).expect("count"), 0);
    let c = head
        .intake_from_care(xiangshu, &theirs)
        .expect("head office");
    assert_eq!(c.site.as_deref(), Some("xiangshu"));
    let c = wang.intake_from_care(lvjing, &ours).expect("her site");
    assert_eq!(c.site.as_deref(), Some("lvjing"));
    assert!(head.audit_verify(None).expect("verify").is_whole());
}

/// Merging into or from another site's case, unmerging or splitting one, is refused as
/// every move on it is (and recorded); the agent's own site's cases merge.
#[test]
fn merging_or_splitting_another_sites_case_is_refused() {
    let world = World::new();
    let mut head = world.desk("李娜", "2026-03-02 10:00");
    let theirs = head.intake(&leak("xiangshu")).expect("intake").number;
    let ours = head.intake(&leak("lvjing")).expect("intake").number;
    let again = head.intake(&leak("lvjing")).expect("intake").number;
    let mut wang = world.desk("王丽", "2026-03-02 11:00");
    let refused = |r: complaint_desk::error::Result<Complaint>| r.map(|_| ()).map_err(|e| e.key);
    assert_eq!(
        refused(wang.merge(&ours, None, &theirs, "")),
        Err("error.other_site")
    );
    assert_eq!(
        refused(wang.merge(&theirs, None, &ours, "")),
        Err("error.other_site")
    );
    assert_eq!(
        wang.split(&theirs, None, "噪音扰民", "楼上很吵", None)
            .map(|_| ())
            .map_err(|e| e.key),
        Err("error.other_site")
    );
    let denied = denials_of_wang(&world).len();
    assert_eq!(denied, 3, "each refusal recorded");
    assert!(head.case_file(&theirs).expect("theirs").absorbed.is_empty());
    wang.merge(&again, None, &ours, "同一处")
        .expect("our own site's");
    head.merge(&theirs, None, &ours, "")
        .expect("head office sees both");
    assert_eq!(
        refused(wang.unmerge(&theirs, None, "")),
        Err("error.other_site")
    );
}
