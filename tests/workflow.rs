//! The handling method end to end through the library, on real SQLite files: every move
//! from every stage (the expected table is written out here, not derived from the code under
//! test), the guards and their messages, and the authority limits of the roles.

mod common;

use chrono::{DateTime, Duration, Utc};
use complaint_desk::config::{Config, Preset, RevisitPlan, RevisitStep};
use complaint_desk::desk::{CaseFile, Desk, FixedClock};
use complaint_desk::domain::complaint::{Channel, Intent, NewComplaint, Scope};
use complaint_desk::domain::handling::{
    Action, Approval, Rules, WaitOn, available_moves, decide, revisit_plan,
};
use complaint_desk::domain::stage::{Move, REPLAN, Stage, moves_from, transition};
use complaint_desk::error::Error;
use complaint_desk::i18n::{Catalog, Lang};
use complaint_desk::store::Store;

// ---------------------------------------------------------------------------------------
// Setup: a database file, desks acting as named agents at a fixed time, typical complaints
// and the moves with valid content.

/// The desk's clock: Friday 2026-11-20 17:50 in Shanghai.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T17:50:00+08:00")
        .expect("time")
        .with_timezone(&Utc)
}

fn config() -> Config {
    Config::preset(Preset::PropertyManagement).expect("preset")
}

/// The preset without revisit plans: a remedy leaves the case at "remedied" (the preset
/// plans revisits for every severity, so only such a configuration reaches that stage).
fn without_revisit_plans() -> Config {
    let mut config = config();
    config.policy.revisit_plans.clear();
    config
}

/// One database file in a temporary directory.
struct World {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("desk.db");
        World { dir, db }
    }

    /// A desk on this file acting as `agent` (role as registered, else the first role).
    fn desk(&self, agent: &str) -> Desk {
        self.desk_with(agent, config())
    }

    /// A desk on this file with another configuration (an agent not registered yet is
    /// registered with the first role).
    fn desk_with(&self, agent: &str, config: Config) -> Desk {
        let mut store = Store::open(&self.db).expect("open");
        store.agent_active(agent, "agent", now()).expect("register");
        Desk::new(store, config, agent, Box::new(FixedClock(now()))).expect("desk")
    }

    /// A desk whose agent signed in with their PIN (set at this first sign-in), as needed
    /// for approving compensation.
    fn signed_in(&self, agent: &str) -> Desk {
        let mut desk = self.desk(agent);
        desk.sign_in(agent, PIN).expect("sign in");
        desk
    }

    /// Registers `agent` with `role` (test setup, through the store like sign-in does).
    fn register(&self, agent: &str, role: &str) {
        let mut store = Store::open(&self.db).expect("open");
        store.agent_active(agent, role, now()).expect("register");
    }
}

/// The PIN every test agent signs in with.
const PIN: &str = "2580";

/// An in-scope complaint: a leak from the flat above.
fn leak() -> NewComplaint {
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
        site: String::new(),
    }
}

/// An out-of-scope complaint: the developer's cracked wall.
fn crack() -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::WalkIn),
        name: "欧阳娜娜".into(),
        phone: "021-6234 5678".into(),
        location: "5栋101".into(),
        category: "墙面开裂".into(),
        description: "客厅墙面开裂，交房不到一年。".into(),
        outcome: "开发商给个说法".into(),
        apologized: true,
        received_at: None,
        extra_categories: Vec::new(),
        site: String::new(),
    }
}

fn classify_in() -> Action {
    Action::Classify {
        scope: Scope::In,
        party: None,
        complaint_type: Some("facility".into()),
        severity: "minor".into(),
        intent: Intent::Genuine,
        spread_risk: false,
        explained: false,
    }
}

fn classify_out() -> Action {
    Action::Classify {
        scope: Scope::Out,
        party: Some("developer".into()),
        complaint_type: None,
        severity: "minor".into(),
        intent: Intent::Unclear,
        spread_risk: false,
        explained: true,
    }
}

fn verify() -> Action {
    Action::Verify {
        motive: "担心影响楼下邻居，想尽快修好".into(),
        outcome: "维修并清理霉斑".into(),
        mood: None,
    }
}

fn assess() -> Action {
    Action::Assess {
        facts: "1901 卫生间防水层破损".into(),
        severity: None,
    }
}

fn plan(compensation: Option<u32>) -> Action {
    Action::Plan {
        department: "工程部".into(),
        actions: "更换防水层，清理霉斑".into(),
        promised: None,
        confirmed: true,
        compensation,
        gift: None,
    }
}

fn reply(accepted: bool) -> Action {
    Action::Reply {
        accepted,
        alternatives: if accepted {
            String::new()
        } else {
            "改为先做临时封堵，周末再施工".into()
        },
    }
}

fn remedied() -> Action {
    Action::Remedied {
        note: "防水层已更换".into(),
    }
}

fn close_in() -> Action {
    Action::Close {
        summary: "更换防水层并清理霉斑".into(),
        root_cause: "防水层老化".into(),
        lesson: "雨季前巡检卫生间防水".into(),
        referred: false,
    }
}

fn close_referred() -> Action {
    Action::Close {
        summary: String::new(),
        root_cause: String::new(),
        lesson: String::new(),
        referred: true,
    }
}

fn refer_party() -> Action {
    Action::Refer {
        to: "developer".into(),
        note: "已联系开发商售后".into(),
    }
}

fn external() -> Action {
    Action::Refer {
        to: "consumer-association".into(),
        note: "告知可向消费者协会反映".into(),
    }
}

fn wait(on: WaitOn) -> Action {
    Action::Wait {
        on,
        note: "等对方回复".into(),
    }
}

fn resume() -> Action {
    Action::Resume {
        note: "已回复".into(),
    }
}

fn escalate(severity: Option<&str>) -> Action {
    Action::Escalate {
        reason: "客户在业主群发了视频".into(),
        severity: severity.map(str::to_string),
    }
}

fn reopen() -> Action {
    Action::Reopen {
        reason: "客户回访不满意".into(),
    }
}

/// A transfer to 李娜 (registered by the tests that apply it through the desk).
fn transfer() -> Action {
    Action::Transfer {
        to: "李娜".into(),
        reason: "李娜负责该楼栋".into(),
    }
}

/// The action that makes `mv`, with valid content, for a complaint of `scope`.
fn action_for(mv: Move, scope: Option<Scope>) -> Action {
    let out = scope == Some(Scope::Out);
    match mv {
        Move::Classify if out => classify_out(),
        Move::Classify => classify_in(),
        Move::Verify => verify(),
        Move::Assess => assess(),
        Move::Plan => plan(None),
        Move::Approve => Action::Approve,
        Move::Reply => reply(true),
        Move::Remedied => remedied(),
        Move::Escalate => escalate(None),
        Move::Refer => refer_party(),
        Move::External => external(),
        Move::WaitParty => wait(WaitOn::ThirdParty),
        Move::WaitCustomer => wait(WaitOn::Customer),
        Move::Resume => resume(),
        Move::Close if out => close_referred(),
        Move::Close => close_in(),
        Move::Reopen => reopen(),
        Move::Transfer => transfer(),
    }
}

/// Takes a new complaint through `steps`, each of which must succeed; its number.
fn walk(desk: &mut Desk, intake: &NewComplaint, steps: &[Action]) -> String {
    let number = desk.intake(intake).expect("intake").number;
    for step in steps {
        desk.act(&number, None, step)
            .unwrap_or_else(|e| panic!("walking {number} through {step:?}: {e:?}"));
    }
    number
}

fn case(desk: &Desk, number: &str) -> CaseFile {
    desk.case_file(number).expect("case file")
}

/// `action` is refused with `key`, and nothing changed: the complaint and its timeline are
/// as they were. The error, for more checks.
fn refused(desk: &mut Desk, number: &str, action: &Action, key: &str) -> Error {
    let before = case(desk, number);
    let err = desk
        .act(number, Some(before.complaint.version), action)
        .expect_err("refused");
    assert_eq!(err.key, key, "{action:?} on {number}: {err:?}");
    let after = case(desk, number);
    assert_eq!(
        after.complaint, before.complaint,
        "{action:?}: complaint unchanged"
    );
    // A refused approval is a denied permission: recorded, and nothing else is.
    let denial = matches!(
        key,
        "error.not_permitted" | "error.over_limit" | "error.denied"
    );
    let added = &after.events[before.events.len().min(after.events.len())..];
    let kinds: Vec<&str> = added.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        &after.events[..before.events.len()],
        &before.events[..],
        "{action:?}: the timeline kept"
    );
    assert_eq!(
        kinds,
        if denial { vec!["denied"] } else { vec![] },
        "{action:?}: no event but a recorded denial"
    );
    err
}

/// `action` succeeds, bumps the version by one and appends exactly one event of `kind`
/// from the stage before to `to`, by the acting agent at the desk's time.
fn done(desk: &mut Desk, number: &str, action: &Action, to: Stage, kind: &str) -> CaseFile {
    let before = case(desk, number);
    let c = desk
        .act(number, Some(before.complaint.version), action)
        .unwrap_or_else(|e| panic!("{action:?} on {number}: {e:?}"));
    assert_eq!(c.stage, to, "{action:?}");
    assert_eq!(c.version, before.complaint.version + 1, "{action:?}");
    let after = case(desk, number);
    assert_eq!(after.complaint, c, "returned as stored");
    assert_eq!(after.events.len(), before.events.len() + 1, "{action:?}");
    assert_eq!(after.events[..before.events.len()], before.events[..]);
    let e = after.events.last().expect("event");
    assert_eq!(e.kind, kind, "{action:?}");
    assert_eq!(e.from_stage, Some(before.complaint.stage), "{action:?}");
    assert_eq!(e.to_stage, Some(to), "{action:?}");
    assert_eq!(e.agent, desk.agent());
    assert_eq!(e.at, now());
    after
}

// ---------------------------------------------------------------------------------------
// The table of every (stage, move).

/// What a move does from a given state.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Offered (the detail pane lists it) and done: the stage it leads to, the event kind.
    Done(Stage, &'static str),
    /// Offered and done, but its content lands it elsewhere than the table's stage: the
    /// table's stage, where it lands, the event kind (`remedied` without a revisit plan:
    /// the table says revisiting, the case waits at remedied).
    Lands(Stage, Stage, &'static str),
    /// Offered, but refused for who asks or what is pending.
    Refused(&'static str),
    /// In the stage table but not offered now; refused by its guard with this key.
    Guarded(&'static str),
    /// Not in the table: `error.move_forbidden`.
    Forbidden,
}

use Expect::{Done, Forbidden, Guarded, Lands, Refused};

/// Escalate, external referral and waiting on the customer keep an open in-scope complaint
/// where it is; resume has nothing to end unless a wait is on.
fn open_in_scope(stage: Stage) -> Vec<(Move, Expect)> {
    vec![
        (Move::Escalate, Done(stage, "escalated")),
        (Move::External, Done(stage, "external_referral")),
        (Move::WaitCustomer, Done(stage, "waiting")),
        (Move::Resume, Guarded("error.not_waiting")),
        (Move::Transfer, Done(stage, "transferred")),
    ]
}

/// Out of scope, escalation and external referrals keep the stage.
fn open_out_of_scope(stage: Stage) -> Vec<(Move, Expect)> {
    vec![
        (Move::Escalate, Done(stage, "escalated")),
        (Move::External, Done(stage, "external_referral")),
        (Move::Transfer, Done(stage, "transferred")),
    ]
}

/// A state to test from: how to get there, and what every move does from it. Moves not
/// listed are forbidden.
struct State {
    name: &'static str,
    stage: Stage,
    scope: Option<Scope>,
    intake: fn() -> NewComplaint,
    /// The configuration of the desk that walks it (the preset, or the preset without
    /// revisit plans).
    config: fn() -> Config,
    steps: Vec<Action>,
    moves: Vec<(Move, Expect)>,
}

fn with(mut listed: Vec<(Move, Expect)>, more: Vec<(Move, Expect)>) -> Vec<(Move, Expect)> {
    listed.extend(more);
    listed
}

/// Every reachable state of the method, each with its table row written out.
fn states() -> Vec<State> {
    use Stage as S;
    let to_planned = || vec![classify_in(), verify(), assess()];
    let mut v = vec![
        State {
            name: "untriaged",
            stage: S::Received,
            scope: None,
            intake: leak,
            config,
            steps: vec![],
            // Nobody handles it before triage: a transfer by an agent is a take-over, which
            // the agent role may not do.
            moves: vec![
                (Move::Classify, Done(S::Received, "classified")),
                (Move::Transfer, Refused("error.denied")),
            ],
        },
        State {
            name: "received, in scope",
            stage: S::Received,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: vec![classify_in()],
            moves: with(
                vec![
                    (Move::Classify, Done(S::Received, "classified")),
                    (Move::Verify, Done(S::Verified, "verified")),
                ],
                open_in_scope(S::Received),
            ),
        },
        State {
            name: "verified",
            stage: S::Verified,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: vec![classify_in(), verify()],
            moves: with(
                vec![(Move::Assess, Done(S::Assessed, "assessed"))],
                open_in_scope(S::Verified),
            ),
        },
        State {
            name: "assessed",
            stage: S::Assessed,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: to_planned(),
            moves: with(
                vec![(Move::Plan, Done(S::RemedyPlanned, "planned"))],
                open_in_scope(S::Assessed),
            ),
        },
        State {
            name: "assessed, waiting on the customer",
            stage: S::Assessed,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: with_steps(to_planned(), [wait(WaitOn::Customer)]),
            moves: vec![
                (Move::Plan, Done(S::RemedyPlanned, "planned")),
                (Move::Escalate, Done(S::Assessed, "escalated")),
                (Move::External, Done(S::Assessed, "external_referral")),
                (Move::WaitCustomer, Guarded("error.already_waiting")),
                (Move::Resume, Done(S::Assessed, "resumed")),
                (Move::Transfer, Done(S::Assessed, "transferred")),
            ],
        },
        State {
            name: "remedy planned",
            stage: S::RemedyPlanned,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: with_steps(to_planned(), [plan(None)]),
            moves: with(
                vec![
                    (Move::Plan, Done(S::RemedyPlanned, "planned")),
                    (Move::Approve, Guarded("error.nothing_to_approve")),
                    (Move::Reply, Done(S::Replied, "replied")),
                ],
                open_in_scope(S::RemedyPlanned),
            ),
        },
        State {
            name: "remedy planned, compensation awaiting approval (front-desk agent acts)",
            stage: S::RemedyPlanned,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: with_steps(to_planned(), [plan(Some(500))]),
            moves: with(
                vec![
                    (Move::Plan, Done(S::RemedyPlanned, "planned")),
                    (Move::Approve, Refused("error.not_permitted")),
                    (Move::Reply, Refused("error.approval_pending")),
                ],
                open_in_scope(S::RemedyPlanned),
            ),
        },
        // The preset plans revisits for every severity (standard: minor, general; serious:
        // serious, critical): the remedy starts them.
        State {
            name: "replied, accepted",
            stage: S::Replied,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: with_steps(to_planned(), [plan(None), reply(true)]),
            moves: with(
                vec![
                    (Move::Plan, Guarded("error.move_forbidden")),
                    (Move::Remedied, Done(S::Revisiting, "remedied")),
                ],
                open_in_scope(S::Replied),
            ),
        },
        // Without a revisit plan the remedy leaves the case at "remedied".
        State {
            name: "replied, accepted, no revisit plan",
            stage: S::Replied,
            scope: Some(Scope::In),
            intake: leak,
            config: without_revisit_plans,
            steps: with_steps(to_planned(), [plan(None), reply(true)]),
            moves: with(
                vec![
                    (Move::Plan, Guarded("error.move_forbidden")),
                    (
                        Move::Remedied,
                        Lands(S::Revisiting, S::Remedied, "remedied"),
                    ),
                ],
                open_in_scope(S::Replied),
            ),
        },
        State {
            name: "replied, declined",
            stage: S::Replied,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: with_steps(to_planned(), [plan(None), reply(false)]),
            moves: with(
                vec![
                    (Move::Plan, Done(S::RemedyPlanned, "planned")),
                    (Move::Remedied, Guarded("error.reply_declined")),
                ],
                open_in_scope(S::Replied),
            ),
        },
        State {
            name: "remedied (no revisit plan)",
            stage: S::Remedied,
            scope: Some(Scope::In),
            intake: leak,
            config: without_revisit_plans,
            steps: with_steps(to_planned(), [plan(None), reply(true), remedied()]),
            moves: with(
                vec![(Move::Close, Done(S::Closed, "closed"))],
                open_in_scope(S::Remedied),
            ),
        },
        // The revisits of the plan under way: close (their results are in) or reopen.
        State {
            name: "revisiting",
            stage: S::Revisiting,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: with_steps(to_planned(), [plan(None), reply(true), remedied()]),
            moves: with(
                vec![
                    (Move::Close, Done(S::Closed, "closed")),
                    (Move::Reopen, Done(S::Assessed, "reopened")),
                ],
                open_in_scope(S::Revisiting),
            ),
        },
        State {
            name: "closed",
            stage: S::Closed,
            scope: Some(Scope::In),
            intake: leak,
            config,
            steps: with_steps(
                to_planned(),
                [plan(None), reply(true), remedied(), close_in()],
            ),
            moves: vec![(Move::Reopen, Done(S::Assessed, "reopened"))],
        },
        State {
            name: "received, out of scope",
            stage: S::Received,
            scope: Some(Scope::Out),
            intake: crack,
            config,
            steps: vec![classify_out()],
            moves: with(
                vec![
                    (Move::Classify, Done(S::Received, "classified")),
                    (Move::Refer, Done(S::Referred, "referred")),
                ],
                open_out_of_scope(S::Received),
            ),
        },
        State {
            name: "referred",
            stage: S::Referred,
            scope: Some(Scope::Out),
            intake: crack,
            config,
            steps: vec![classify_out(), refer_party()],
            moves: with(
                vec![
                    (Move::WaitParty, Done(S::WaitingOnParty, "waiting")),
                    (Move::Close, Done(S::ClosedReferred, "closed")),
                ],
                open_out_of_scope(S::Referred),
            ),
        },
        State {
            name: "waiting on the responsible party",
            stage: S::WaitingOnParty,
            scope: Some(Scope::Out),
            intake: crack,
            config,
            steps: vec![classify_out(), refer_party(), wait(WaitOn::ThirdParty)],
            moves: with(
                vec![
                    (Move::Resume, Done(S::Referred, "resumed")),
                    (Move::Close, Done(S::ClosedReferred, "closed")),
                ],
                open_out_of_scope(S::WaitingOnParty),
            ),
        },
        State {
            name: "closed as referred",
            stage: S::ClosedReferred,
            scope: Some(Scope::Out),
            intake: crack,
            config,
            steps: vec![
                classify_out(),
                refer_party(),
                wait(WaitOn::ThirdParty),
                close_referred(),
            ],
            moves: vec![(Move::Reopen, Done(S::Referred, "reopened"))],
        },
    ];
    for s in &mut v {
        s.moves
            .sort_by_key(|(m, _)| Move::ALL.iter().position(|x| x == m));
    }
    v
}

fn with_steps<const N: usize>(mut steps: Vec<Action>, more: [Action; N]) -> Vec<Action> {
    steps.extend(more);
    steps
}

impl State {
    fn expect(&self, mv: Move) -> Expect {
        self.moves
            .iter()
            .find(|(m, _)| *m == mv)
            .map_or(Forbidden, |(_, e)| *e)
    }

    /// What the detail pane should offer: the moves done or refused for their content.
    fn offered(&self) -> Vec<Move> {
        Move::ALL
            .into_iter()
            .filter(|m| matches!(self.expect(*m), Done(..) | Lands(..) | Refused(_)))
            .collect()
    }

    /// The stage table's row: everything but the forbidden.
    fn in_table(&self) -> Vec<Move> {
        Move::ALL
            .into_iter()
            .filter(|m| self.expect(*m) != Forbidden)
            .collect()
    }
}

/// The table row of `state` agrees with `transition`, `moves_from` and `available_moves`.
fn check_row(state: &State, c: &complaint_desk::domain::complaint::Complaint) {
    let name = state.name;
    assert_eq!(
        (c.stage, c.scope),
        (state.stage, state.scope),
        "{name}: reached"
    );
    assert_eq!(
        moves_from(c.stage, c.scope),
        state.in_table(),
        "{name}: moves_from"
    );
    assert_eq!(available_moves(c), state.offered(), "{name}: offered");
    for mv in Move::ALL {
        let t = transition(c.stage, c.scope, mv);
        match state.expect(mv) {
            Done(to, _) => assert_eq!(t, Some(to), "{name}: {mv:?}"),
            Lands(table, _, _) => assert_eq!(t, Some(table), "{name}: {mv:?}"),
            Refused(_) | Guarded(_) => assert!(t.is_some(), "{name}: {mv:?}"),
            Forbidden => assert_eq!(t, None, "{name}: {mv:?}"),
        }
    }
}

#[test]
fn every_move_from_every_stage() {
    let world = World::new();
    world.register("李娜", "agent");
    let states = states();
    let mut tried = 0;
    for state in &states {
        let name = state.name;
        let mut desk = world.desk_with("王丽", (state.config)());
        let base = walk(&mut desk, &(state.intake)(), &state.steps);
        let c = case(&desk, &base).complaint;
        check_row(state, &c);
        let allowed = state
            .offered()
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        for mv in Move::ALL {
            let action = action_for(mv, state.scope);
            assert_eq!(
                action.kind(&desk.config().policy),
                mv,
                "{name}: the action makes {mv:?}"
            );
            match state.expect(mv) {
                Done(to, kind) | Lands(_, to, kind) => {
                    // A fresh complaint in the same state for each move that changes it.
                    let fresh = walk(&mut desk, &(state.intake)(), &state.steps);
                    done(&mut desk, &fresh, &action, to, kind);
                }
                Refused(key) | Guarded(key) => {
                    refused(&mut desk, &base, &action, key);
                }
                Forbidden => {
                    let err = refused(&mut desk, &base, &action, "error.move_forbidden");
                    assert_eq!(err.get("move"), Some(mv.as_str()), "{name}");
                    assert_eq!(err.get("stage"), Some(state.stage.as_str()), "{name}");
                    let expected = if allowed.is_empty() { "-" } else { &allowed };
                    assert_eq!(err.get("allowed"), Some(expected), "{name}: {mv:?}");
                }
            }
            tried += 1;
        }
    }
    assert_eq!(states.len(), 17, "every reachable state");
    assert_eq!(tried, states.len() * Move::ALL.len());
}

/// Revisiting is reached by a real walk (`remedied` when the severity has a revisit plan;
/// it is the row "revisiting" of `states`), and `remedied` from `replied` is the only move
/// into it. Its row is checked again on `decide` directly, and the remedy's decision with
/// and without a plan that applies.
/// (name, configuration, where the remedy lands, the plan the event names, the revisits).
type RemedyCase = (
    &'static str,
    Config,
    Stage,
    Option<&'static str>,
    Vec<RevisitStep>,
);

#[test]
fn revisiting_row() {
    use Stage as S;
    let state = states()
        .into_iter()
        .find(|s| s.name == "revisiting")
        .expect("the revisiting row");
    // Into Revisiting from another stage: only `remedied`, only from `replied` (the table
    // does not look at the scope there; only an in-scope complaint reaches `replied`).
    for from in Stage::ALL {
        if from == S::Revisiting {
            continue;
        }
        for scope in [None, Some(Scope::In), Some(Scope::Out)] {
            for mv in Move::ALL {
                assert_eq!(
                    transition(from, scope, mv) == Some(S::Revisiting),
                    from == S::Replied && mv == Move::Remedied,
                    "{from:?} {scope:?} {mv:?}"
                );
            }
        }
    }
    let world = World::new();
    let mut desk = world.desk("王丽");
    let replied = walk(
        &mut desk,
        &leak(),
        &[classify_in(), verify(), assess(), plan(None), reply(true)],
    );
    let number = walk(&mut desk, &leak(), &state.steps);
    let c = case(&desk, &number).complaint;
    assert_eq!(c.stage, S::Revisiting, "reached by the walk");
    let cfg = config();
    let role = cfg.policy.roles[0].clone();
    let rules = Rules {
        policy: &cfg.policy,
        agent: "王丽",
        role: &role,
        now: now(),
    };
    check_row(&state, &c);
    for mv in Move::ALL {
        let action = action_for(mv, c.scope);
        let result = decide(&c, &action, &rules);
        match state.expect(mv) {
            Done(to, kind) | Lands(_, to, kind) => {
                let d = result.unwrap_or_else(|e| panic!("{mv:?}: {e:?}"));
                assert_eq!((d.after.stage, d.event), (to, kind), "{mv:?}");
                assert!(d.revisits.is_empty(), "{mv:?} plans no revisits");
            }
            Refused(key) | Guarded(key) => {
                assert_eq!(result.map(|_| ()).map_err(|e| e.key), Err(key), "{mv:?}")
            }
            Forbidden => assert_eq!(
                result.map(|_| ()).map_err(|e| e.key),
                Err("error.move_forbidden"),
                "{mv:?}"
            ),
        }
    }

    // The preset has a plan for every severity.
    let cfg = config();
    for (severity, plan) in [
        ("minor", "standard"),
        ("general", "standard"),
        ("serious", "serious"),
        ("critical", "serious"),
    ] {
        assert_eq!(
            revisit_plan(&cfg.policy, Some(severity)).map(|p| p.key.as_str()),
            Some(plan),
            "{severity}"
        );
    }
    assert_eq!(
        revisit_plan(&cfg.policy, None),
        None,
        "no severity, no plan"
    );

    // The remedy of a minor complaint (preset: the standard plan, agent after one business
    // day, supervisor after seven days) under several configurations.
    let replied = case(&desk, &replied).complaint;
    assert_eq!(
        (replied.stage, replied.severity.as_deref()),
        (S::Replied, Some("minor"))
    );
    let step = |after_days: u32, business_days: bool, role: &str| RevisitStep {
        after_days,
        business_days,
        role: role.into(),
    };
    let plan_for = |key: &str, severities: &[&str], steps: Vec<RevisitStep>| RevisitPlan {
        key: key.into(),
        zh: key.into(),
        zh_tw: None,
        en: key.into(),
        severities: severities.iter().map(|s| s.to_string()).collect(),
        steps,
    };
    let with_plans = |plans: Vec<RevisitPlan>| {
        let mut config = config();
        config.policy.revisit_plans = plans;
        config
    };
    let only_serious = plan_for("serious-only", &["serious"], vec![step(3, false, "agent")]);
    let catch_all = plan_for("all", &[], vec![step(2, true, "manager")]);
    #[rustfmt::skip]
    let cases: Vec<RemedyCase> = vec![
        ("preset", config(), S::Revisiting, Some("standard"),
            vec![step(1, true, "agent"), step(7, false, "supervisor")]),
        ("no plans", without_revisit_plans(), S::Remedied, None, vec![]),
        ("a plan for another severity only", with_plans(vec![only_serious.clone()]),
            S::Remedied, None, vec![]),
        ("a plan naming no severity applies to all",
            with_plans(vec![only_serious, catch_all]),
            S::Revisiting, Some("all"), vec![step(2, true, "manager")]),
    ];
    for (name, cfg, to, plan_key, steps) in cases {
        let rules = Rules {
            policy: &cfg.policy,
            agent: "王丽",
            role: &cfg.policy.roles[0],
            now: now(),
        };
        let d = decide(&replied, &remedied(), &rules).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(d.after.stage, to, "{name}");
        assert_eq!(d.event, "remedied", "{name}");
        assert_eq!(
            d.detail["revisit_plan"].as_str(),
            plan_key,
            "{name}: the plan is named in the event"
        );
        assert_eq!(d.revisits, steps, "{name}");
    }
}

/// `available_moves` does not offer `plan` after an accepted reply, and `decide` refuses
/// it: an accepted remedy is carried out, not silently re-planned. What is offered and
/// what is accepted agree.
#[test]
fn a_move_not_offered_is_not_accepted() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    let number = walk(
        &mut desk,
        &leak(),
        &[classify_in(), verify(), assess(), plan(None), reply(true)],
    );
    let before = case(&desk, &number).complaint;
    let offered = available_moves(&before);
    let result = desk.act(&number, None, &plan(Some(100)));
    assert!(
        result.is_err() || offered.contains(&Move::Plan),
        "plan is accepted ({:?}) though only {offered:?} are offered",
        result.map(|c| c.stage)
    );
}

// ---------------------------------------------------------------------------------------
// Guards, each with its message; a refusal changes nothing.

#[test]
fn classify_guards() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    let n = desk.intake(&crack()).expect("intake").number;
    let out = |party: Option<&str>, explained: bool| Action::Classify {
        scope: Scope::Out,
        party: party.map(str::to_string),
        complaint_type: None,
        severity: "general".into(),
        intent: Intent::Unclear,
        spread_risk: false,
        explained,
    };
    refused(
        &mut desk,
        &n,
        &out(Some("developer"), false),
        "error.explain_first",
    );
    let err = refused(&mut desk, &n, &out(None, true), "error.required");
    assert_eq!(err.get("field"), Some("party"));
    let err = refused(
        &mut desk,
        &n,
        &out(Some("物业公司"), true),
        "error.unknown_key",
    );
    assert_eq!(err.get("field"), Some("party"));
    assert_eq!(err.get("value"), Some("物业公司"));
    assert_eq!(
        err.get("known"),
        Some("developer, utility, municipality, neighbour, insurer, other")
    );
    let mut bad_severity = classify_in();
    if let Action::Classify { severity, .. } = &mut bad_severity {
        *severity = "紧急".into();
    }
    let err = refused(&mut desk, &n, &bad_severity, "error.unknown_key");
    assert_eq!(err.get("field"), Some("severity"));
    assert_eq!(err.get("known"), Some("minor, general, serious, critical"));
    let mut bad_type = classify_in();
    if let Action::Classify { complaint_type, .. } = &mut bad_type {
        *complaint_type = Some("噪音".into());
    }
    let err = refused(&mut desk, &n, &bad_type, "error.unknown_key");
    assert_eq!(err.get("field"), Some("type"));
    assert_eq!(err.get("known"), Some("service, facility, fee, safety"));

    // The Chinese message names what to do.
    let zh = Catalog::get(Lang::ZhCn);
    let err = refused(
        &mut desk,
        &n,
        &out(Some("developer"), false),
        "error.explain_first",
    );
    assert!(
        zh.render(&err).contains("已说明责任归属"),
        "{}",
        zh.render(&err)
    );
    let err = refused(&mut desk, &n, &out(None, true), "error.required");
    assert_eq!(zh.render(&err), "责任方为必填项");
    let err = refused(
        &mut desk,
        &n,
        &out(Some("物业公司"), true),
        "error.unknown_key",
    );
    assert_eq!(
        zh.render(&err),
        "未知的责任方“物业公司”；可选：developer, utility, municipality, neighbour, insurer, other"
    );

    // With both, the complaint is out of scope, the party and the explanation recorded.
    let c = done(
        &mut desk,
        &n,
        &out(Some("developer"), true),
        Stage::Received,
        "classified",
    );
    assert_eq!(c.complaint.scope, Some(Scope::Out));
    assert_eq!(c.complaint.party.as_deref(), Some("developer"));
    assert!(c.complaint.explained);
    let e = c.events.last().expect("event");
    assert_eq!(e.detail["party"], "developer");
    assert_eq!(e.detail["explained"], true);
}

#[test]
fn plan_reply_and_remedy_guards() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    let n = walk(&mut desk, &leak(), &[classify_in(), verify(), assess()]);
    let promised = |at: DateTime<Utc>, confirmed: bool| Action::Plan {
        department: "工程部".into(),
        actions: "更换防水层".into(),
        promised: Some(at),
        confirmed,
        compensation: None,
        gift: None,
    };
    let tomorrow = now() + Duration::days(1);
    refused(
        &mut desk,
        &n,
        &promised(tomorrow, false),
        "error.promise_unconfirmed",
    );
    refused(
        &mut desk,
        &n,
        &promised(now() - Duration::hours(1), true),
        "error.promise_past",
    );
    refused(&mut desk, &n, &plan(Some(0)), "error.compensation_zero");
    let mut blank = plan(None);
    if let Action::Plan { department, .. } = &mut blank {
        *department = "  ".into();
    }
    let err = refused(&mut desk, &n, &blank, "error.required");
    assert_eq!(err.get("field"), Some("department"));
    let zh = Catalog::get(Lang::ZhCn);
    let err = refused(
        &mut desk,
        &n,
        &promised(tomorrow, false),
        "error.promise_unconfirmed",
    );
    assert!(zh.render(&err).contains("部门确认"));

    // A confirmed date is kept; compensation above the agent's limit waits for approval.
    let mut with_date = promised(tomorrow, true);
    if let Action::Plan { compensation, .. } = &mut with_date {
        *compensation = Some(500);
    }
    let c = done(&mut desk, &n, &with_date, Stage::RemedyPlanned, "planned");
    let p = c.complaint.handling.plan.as_ref().expect("plan");
    assert_eq!(p.promised, Some(tomorrow));
    assert_eq!(p.approval, Approval::Pending);
    assert_eq!(c.events.last().expect("e").detail["approval_pending"], true);
    let err = refused(&mut desk, &n, &reply(true), "error.approval_pending");
    assert!(zh.render(&err).contains("待审批"), "{}", zh.render(&err));

    // A declined reply needs its alternatives; after it, no remedy without a new plan.
    let m = walk(
        &mut desk,
        &leak(),
        &[classify_in(), verify(), assess(), plan(None)],
    );
    let declined_bare = Action::Reply {
        accepted: false,
        alternatives: " ".into(),
    };
    let err = refused(&mut desk, &m, &declined_bare, "error.required");
    assert_eq!(err.get("field"), Some("alternatives"));
    assert_eq!(zh.render(&err), "替代方案为必填项");
    let c = done(&mut desk, &m, &reply(false), Stage::Replied, "replied");
    let r = c.complaint.handling.reply.as_ref().expect("reply");
    assert!(!r.accepted);
    assert_eq!(r.alternatives, "改为先做临时封堵，周末再施工");
    let err = refused(&mut desk, &m, &remedied(), "error.reply_declined");
    assert!(zh.render(&err).contains("重新制定方案"));
    // Re-planning clears the declined reply; accepted this time, the remedy goes through.
    let c = done(&mut desk, &m, &plan(None), Stage::RemedyPlanned, "planned");
    assert_eq!(c.complaint.handling.reply, None);
    done(&mut desk, &m, &reply(true), Stage::Replied, "replied");
    // The preset plans revisits for a minor complaint: the remedy starts them.
    let c = done(&mut desk, &m, &remedied(), Stage::Revisiting, "remedied");
    assert_eq!(c.complaint.handling.remedy_note, "防水层已更换");
    assert_eq!(
        c.events.last().expect("e").detail["revisit_plan"],
        "standard"
    );
    let roles: Vec<&str> = c.revisits.iter().map(|r| r.role.as_str()).collect();
    assert_eq!(roles, ["agent", "supervisor"]);
    assert!(c.revisits.iter().all(|r| r.done_at.is_none()));

    // Without a revisit plan the case waits at "remedied" for its summary.
    let mut plain = world.desk_with("王丽", without_revisit_plans());
    let k = walk(
        &mut plain,
        &leak(),
        &[classify_in(), verify(), assess(), plan(None), reply(true)],
    );
    let c = done(&mut plain, &k, &remedied(), Stage::Remedied, "remedied");
    assert_eq!(
        c.events.last().expect("e").detail["revisit_plan"],
        serde_json::Value::Null
    );
    assert!(c.revisits.is_empty());
    done(&mut plain, &k, &close_in(), Stage::Closed, "closed");
}

#[test]
fn close_and_reopen_guards() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    let n = walk(
        &mut desk,
        &leak(),
        &[
            classify_in(),
            verify(),
            assess(),
            plan(None),
            reply(true),
            remedied(),
        ],
    );
    let zh = Catalog::get(Lang::ZhCn);
    for field in ["summary", "root_cause", "lesson"] {
        let mut close = close_in();
        if let Action::Close {
            summary,
            root_cause,
            lesson,
            ..
        } = &mut close
        {
            match field {
                "summary" => summary.clear(),
                "root_cause" => root_cause.clear(),
                _ => lesson.clear(),
            }
        }
        let err = refused(&mut desk, &n, &close, "error.required");
        assert_eq!(err.get("field"), Some(field));
    }
    let err = refused(
        &mut desk,
        &n,
        &close_referred(),
        "error.close_needs_summary",
    );
    assert!(zh.render(&err).contains("--referred"));
    let mut both = close_in();
    if let Action::Close { referred, .. } = &mut both {
        *referred = true;
    }
    refused(&mut desk, &n, &both, "error.close_needs_summary");

    let c = done(&mut desk, &n, &close_in(), Stage::Closed, "closed");
    assert_eq!(c.complaint.closed_at, Some(now()));
    let s = c.complaint.handling.summary.as_ref().expect("summary");
    assert_eq!(
        (s.summary.as_str(), s.root_cause.as_str(), s.lesson.as_str()),
        ("更换防水层并清理霉斑", "防水层老化", "雨季前巡检卫生间防水")
    );
    let err = refused(
        &mut desk,
        &n,
        &Action::Reopen { reason: "".into() },
        "error.required",
    );
    assert_eq!(err.get("field"), Some("reason"));
    let c = done(&mut desk, &n, &reopen(), Stage::Assessed, "reopened");
    assert_eq!(c.complaint.closed_at, None, "reopen clears closed_at");
    assert_eq!(c.complaint.handling.summary, None);
    assert_eq!(
        c.events.last().expect("e").detail["reason"],
        "客户回访不满意"
    );
    // From assessed again, the method goes on.
    done(&mut desk, &n, &plan(None), Stage::RemedyPlanned, "planned");

    // Out of scope: only a referred close, and it needs no summary.
    let m = walk(&mut desk, &crack(), &[classify_out(), refer_party()]);
    refused(&mut desk, &m, &close_in(), "error.close_referred_only");
    let c = done(
        &mut desk,
        &m,
        &close_referred(),
        Stage::ClosedReferred,
        "closed",
    );
    assert_eq!(c.complaint.closed_at, Some(now()));
    let c = done(&mut desk, &m, &reopen(), Stage::Referred, "reopened");
    assert_eq!(c.complaint.closed_at, None);
}

#[test]
fn escalation_goes_up_only() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    let n = walk(&mut desk, &leak(), &[classify_in()]);
    // Default: one level up.
    let c = done(&mut desk, &n, &escalate(None), Stage::Received, "escalated");
    assert_eq!(c.complaint.severity.as_deref(), Some("general"));
    let e = c.events.last().expect("e");
    assert_eq!(e.detail["from"], "minor");
    assert_eq!(e.detail["severity"], "general");
    assert_eq!(e.detail["reason"], "客户在业主群发了视频");
    // Not down, not sideways.
    let err = refused(&mut desk, &n, &escalate(Some("minor")), "error.not_higher");
    assert_eq!(err.get("value"), Some("minor"));
    refused(
        &mut desk,
        &n,
        &escalate(Some("general")),
        "error.not_higher",
    );
    let err = refused(&mut desk, &n, &escalate(Some("紧急")), "error.unknown_key");
    assert_eq!(err.get("known"), Some("minor, general, serious, critical"));
    let err = refused(
        &mut desk,
        &n,
        &Action::Escalate {
            reason: "".into(),
            severity: None,
        },
        "error.required",
    );
    assert_eq!(err.get("field"), Some("reason"));
    let zh = Catalog::get(Lang::ZhCn);
    let err = refused(&mut desk, &n, &escalate(Some("minor")), "error.not_higher");
    assert_eq!(zh.render(&err), "升级须提高严重程度；“minor”不高于当前等级");
    // Skipping a level is fine; past the top there is nothing higher.
    let c = done(
        &mut desk,
        &n,
        &escalate(Some("critical")),
        Stage::Received,
        "escalated",
    );
    assert_eq!(c.complaint.severity.as_deref(), Some("critical"));
    refused(&mut desk, &n, &escalate(None), "error.severity_highest");
}

#[test]
fn referrals_and_waits() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    // An external body is a record on any classified, open complaint; an unknown one lists
    // the parties and the bodies.
    let n = walk(&mut desk, &leak(), &[classify_in()]);
    let c = done(
        &mut desk,
        &n,
        &external(),
        Stage::Received,
        "external_referral",
    );
    let r = &c.complaint.handling.referrals[0];
    assert_eq!((r.to.as_str(), r.at), ("consumer-association", now()));
    let err = refused(
        &mut desk,
        &n,
        &Action::Refer {
            to: "媒体".into(),
            note: String::new(),
        },
        "error.unknown_key",
    );
    assert_eq!(err.get("field"), Some("to"));
    assert_eq!(
        err.get("known"),
        Some(
            "developer, utility, municipality, neighbour, insurer, other, consumer-association, \
             industry-association, regulator, arbitration, court"
        )
    );
    // In scope, no hand-over to a party.
    let err = refused(&mut desk, &n, &refer_party(), "error.move_forbidden");
    assert_eq!(err.get("hint"), Some("hint.in_scope"));
    // Waiting on the customer pauses in place; the flag is kept until resumed.
    let c = done(
        &mut desk,
        &n,
        &wait(WaitOn::Customer),
        Stage::Received,
        "waiting",
    );
    assert!(c.complaint.handling.waiting_on_customer);
    assert_eq!(c.events.last().expect("e").detail["on"], "customer");
    refused(
        &mut desk,
        &n,
        &wait(WaitOn::Customer),
        "error.already_waiting",
    );
    let c = done(&mut desk, &n, &resume(), Stage::Received, "resumed");
    assert!(!c.complaint.handling.waiting_on_customer);
    refused(&mut desk, &n, &resume(), "error.not_waiting");

    // Out of scope: the hand-over is recorded with the party, and the wait on it.
    let m = walk(&mut desk, &crack(), &[classify_out()]);
    let c = done(&mut desk, &m, &refer_party(), Stage::Referred, "referred");
    assert_eq!(c.complaint.handling.referrals[0].to, "developer");
    assert_eq!(c.events.last().expect("e").detail["to"], "developer");
    let c = done(
        &mut desk,
        &m,
        &wait(WaitOn::ThirdParty),
        Stage::WaitingOnParty,
        "waiting",
    );
    assert_eq!(c.events.last().expect("e").detail["on"], "third-party");
    let err = refused(
        &mut desk,
        &m,
        &wait(WaitOn::Customer),
        "error.move_forbidden",
    );
    assert_eq!(
        err.get("allowed"),
        Some("escalate, external, resume, close, transfer")
    );
}

#[test]
fn untriaged_and_out_of_scope_refusals_say_why_in_chinese() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    let zh = Catalog::get(Lang::ZhCn);
    let en = Catalog::english();

    let n = desk.intake(&leak()).expect("intake").number;
    let err = refused(&mut desk, &n, &verify(), "error.move_forbidden");
    assert_eq!(err.get("hint"), Some("hint.classify_first"));
    let text = zh.render(&err);
    assert_eq!(
        text,
        "处于“已受理”阶段的投诉不能核实投诉：请先判定类型（本方责任或他方责任）；当前可进行：判定类型、转办"
    );
    assert!(!en.render(&err).contains('{'), "{}", en.render(&err));

    let m = walk(&mut desk, &crack(), &[classify_out()]);
    let err = refused(&mut desk, &m, &verify(), "error.move_forbidden");
    let text = zh.render(&err);
    assert!(text.contains("“已受理”"), "{text}");
    assert!(text.contains("属他方责任，应转交责任方"), "{text}");
    assert!(
        text.contains("当前可进行：判定类型、升级、转交责任方、转介外部机构"),
        "{text}"
    );

    let k = walk(
        &mut desk,
        &leak(),
        &[
            classify_in(),
            verify(),
            assess(),
            plan(None),
            reply(true),
            remedied(),
            close_in(),
        ],
    );
    let err = refused(&mut desk, &k, &escalate(None), "error.move_forbidden");
    let text = zh.render(&err);
    assert!(text.starts_with("处于“已结案”阶段的投诉不能升级"), "{text}");
    assert!(text.contains("投诉已结案，须先重新打开"), "{text}");
    assert!(text.ends_with("当前可进行：重新打开"), "{text}");

    let p = walk(&mut desk, &leak(), &[classify_in(), verify()]);
    let err = refused(&mut desk, &p, &reply(true), "error.move_forbidden");
    let text = zh.render(&err);
    assert!(text.contains("“已核实”") && text.contains("回复客户前须先制定解决方案"));
    assert!(
        text.contains("当前可进行：调查评估、升级、转介外部机构、等待客户"),
        "{text}"
    );
}

#[test]
fn oversized_or_nul_text_is_refused() {
    let world = World::new();
    let mut desk = world.desk("王丽");
    let n = walk(&mut desk, &leak(), &[classify_in()]);
    let long = Action::Verify {
        motive: "漏".repeat(4001),
        outcome: "修".into(),
        mood: None,
    };
    let err = refused(&mut desk, &n, &long, "error.too_long");
    assert_eq!(err.get("len"), Some("4001"));
    let nul = Action::Verify {
        motive: "a\0b".into(),
        outcome: "修".into(),
        mood: None,
    };
    refused(&mut desk, &n, &nul, "error.control_chars");
    // Exactly at the limit is fine; the text is kept as typed (trimmed).
    let c = done(
        &mut desk,
        &n,
        &Action::Verify {
            motive: format!(" {} ", "漏".repeat(4000)),
            outcome: String::new(),
            mood: None,
        },
        Stage::Verified,
        "verified",
    );
    assert_eq!(c.complaint.handling.motive.chars().count(), 4000);
    assert_eq!(
        c.complaint.outcome, "尽快维修",
        "an empty outcome keeps the intake's"
    );
}

#[test]
fn a_stale_version_is_refused_naming_who_changed_it() {
    let world = World::new();
    let mut wang = world.desk("王丽");
    let mut li = world.desk("李娜");
    let n = walk(&mut wang, &leak(), &[classify_in()]);
    let seen = case(&wang, &n).complaint.version;
    li.act(&n, Some(seen), &verify()).expect("first writer");
    let before = case(&wang, &n);
    let err = wang
        .act(&n, Some(seen), &escalate(None))
        .expect_err("stale");
    assert_eq!(err.key, "error.conflict");
    assert_eq!(err.get("agent"), Some("李娜"));
    assert_eq!(err.get("what"), Some("verified"));
    assert_eq!(err.get("expected"), Some(seen.to_string().as_str()));
    assert_eq!(err.get("current"), Some((seen + 1).to_string().as_str()));
    let text = Catalog::get(Lang::ZhCn).render(&err);
    assert!(text.contains("李娜") && text.contains("核实投诉"), "{text}");
    let after = case(&wang, &n);
    assert_eq!(after.complaint, before.complaint);
    assert_eq!(after.events.len(), before.events.len());
    // Without an expected version, the move applies to what is there now.
    wang.act(&n, None, &escalate(None)).expect("fresh");
}

/// Declining is the approver's decision too: only a role that may approve it, with a note;
/// the plan goes back to where plans are made, and a revised plan above the limit asks again.
#[test]
fn a_declined_compensation_sends_the_plan_back_to_be_revised() {
    let world = World::new();
    world.register("王丽", "agent");
    world.register("赵主管", "supervisor");
    let mut agent = world.desk("王丽");
    let mut supervisor = world.signed_in("赵主管");
    let n = walk(
        &mut agent,
        &leak(),
        &[classify_in(), verify(), assess(), plan(Some(500))],
    );
    let decline = |note: &str| Action::Decline { note: note.into() };
    refused(&mut agent, &n, &decline("太多"), "error.not_permitted");
    let err = refused(&mut supervisor, &n, &decline("  "), "error.required");
    assert_eq!(err.get("field"), Some("note"));
    let c = done(
        &mut supervisor,
        &n,
        &decline("先按300补偿"),
        REPLAN,
        "approval_declined",
    );
    assert_eq!(REPLAN, Stage::Assessed);
    assert_eq!(
        c.complaint.handling.plan.as_ref().expect("plan").approval,
        Approval::Declined {
            by: "赵主管".into(),
            note: "先按300补偿".into()
        }
    );
    let e = c.events.last().expect("e");
    assert_eq!(
        (&e.detail["note"], &e.detail["compensation"]),
        (&serde_json::json!("先按300补偿"), &serde_json::json!(500))
    );
    let offered = available_moves(&c.complaint);
    assert!(offered.contains(&Move::Plan));
    assert!(!offered.contains(&Move::Approve) && !offered.contains(&Move::Reply));
    refused(&mut agent, &n, &reply(true), "error.move_forbidden");
    refused(
        &mut supervisor,
        &n,
        &Action::Approve,
        "error.move_forbidden",
    );
    // Revised, still above the agent's limit: it asks again.
    let c = done(
        &mut agent,
        &n,
        &plan(Some(400)),
        Stage::RemedyPlanned,
        "planned",
    );
    assert_eq!(
        c.complaint.handling.plan.as_ref().expect("plan").approval,
        Approval::Pending
    );
    done(
        &mut supervisor,
        &n,
        &Action::Approve,
        Stage::RemedyPlanned,
        "approved",
    );
    done(&mut agent, &n, &reply(true), Stage::Replied, "replied");
}

// ---------------------------------------------------------------------------------------
// Authority limits per role (preset: agent 200, supervisor 2000 and manager 10000 with
// approve_compensation, admin 0 without).

#[test]
fn compensation_authority_follows_the_role() {
    let world = World::new();
    world.register("王丽", "agent");
    world.register("赵主管", "supervisor");
    world.register("钱经理", "manager");
    world.register("孙管理员", "admin");
    let mut agent = world.desk("王丽");
    let mut supervisor = world.signed_in("赵主管");
    let mut manager = world.signed_in("钱经理");
    let mut admin = world.signed_in("孙管理员");
    assert_eq!(agent.role().expect("role").key, "agent");
    assert_eq!(supervisor.role().expect("role").key, "supervisor");
    assert_eq!(manager.role().expect("role").key, "manager");
    assert_eq!(admin.role().expect("role").key, "admin");
    let unregistered = Desk::new(
        Store::open(&world.db).expect("open"),
        config(),
        "新来的",
        Box::new(FixedClock(now())),
    )
    .expect("desk");
    assert_eq!(
        unregistered.role().map_err(|e| e.key),
        Err("error.agent_unknown"),
        "only registered agents act"
    );
    // A supervisor who has not proved who they are may not approve.
    let mut unverified = world.desk("赵主管");

    let assessed = |desk: &mut Desk| walk(desk, &leak(), &[classify_in(), verify(), assess()]);

    // Within the agent's own limit (inclusive): no approval.
    for amount in [150, 200] {
        let n = assessed(&mut agent);
        let c = done(
            &mut agent,
            &n,
            &plan(Some(amount)),
            Stage::RemedyPlanned,
            "planned",
        );
        let p = c.complaint.handling.plan.as_ref().expect("plan");
        assert_eq!(
            (p.compensation, &p.approval),
            (Some(amount), &Approval::NotNeeded)
        );
        assert!(!available_moves(&c.complaint).contains(&Move::Approve));
        refused(
            &mut supervisor,
            &n,
            &Action::Approve,
            "error.nothing_to_approve",
        );
        done(&mut agent, &n, &reply(true), Stage::Replied, "replied");
    }

    // 500: pending; the agent and the admin may not approve; the supervisor does.
    let n = assessed(&mut agent);
    let c = done(
        &mut agent,
        &n,
        &plan(Some(500)),
        Stage::RemedyPlanned,
        "planned",
    );
    assert_eq!(
        c.complaint.handling.plan.as_ref().expect("plan").approval,
        Approval::Pending
    );
    assert!(available_moves(&c.complaint).contains(&Move::Approve));
    let err = refused(&mut agent, &n, &Action::Approve, "error.not_permitted");
    assert_eq!(
        (err.get("role"), err.get("amount")),
        (Some("agent"), Some("500"))
    );
    let zh = Catalog::get(Lang::ZhCn);
    assert_eq!(
        zh.render(&err),
        "角色 agent 无权审批补偿（500），请由主管或经理审批"
    );
    refused(&mut admin, &n, &Action::Approve, "error.not_permitted");
    refused(
        &mut unverified,
        &n,
        &Action::Approve,
        "error.secret_required",
    );
    let c = done(
        &mut supervisor,
        &n,
        &Action::Approve,
        Stage::RemedyPlanned,
        "approved",
    );
    assert_eq!(
        c.complaint.handling.plan.as_ref().expect("plan").approval,
        Approval::Approved {
            by: "赵主管".into()
        }
    );
    let e = c.events.last().expect("e");
    assert_eq!(
        (e.agent.as_str(), &e.detail["compensation"]),
        ("赵主管", &serde_json::json!(500))
    );
    refused(
        &mut supervisor,
        &n,
        &Action::Approve,
        "error.nothing_to_approve",
    );
    done(&mut agent, &n, &reply(true), Stage::Replied, "replied");

    // 5000: above the supervisor's limit; the manager approves.
    let m = assessed(&mut agent);
    done(
        &mut agent,
        &m,
        &plan(Some(5000)),
        Stage::RemedyPlanned,
        "planned",
    );
    let err = refused(&mut supervisor, &m, &Action::Approve, "error.over_limit");
    assert_eq!(
        (err.get("role"), err.get("amount"), err.get("limit")),
        (Some("supervisor"), Some("5000"), Some("2000"))
    );
    assert!(
        zh.render(&err)
            .contains("超出角色 supervisor 的权限（2000）")
    );
    let c = done(
        &mut manager,
        &m,
        &Action::Approve,
        Stage::RemedyPlanned,
        "approved",
    );
    assert_eq!(
        c.complaint.handling.plan.as_ref().expect("plan").approval,
        Approval::Approved {
            by: "钱经理".into()
        }
    );

    // The supervisor's own limit is inclusive too, for planning and approving.
    let k = assessed(&mut supervisor);
    let c = done(
        &mut supervisor,
        &k,
        &plan(Some(2000)),
        Stage::RemedyPlanned,
        "planned",
    );
    assert_eq!(
        c.complaint.handling.plan.as_ref().expect("plan").approval,
        Approval::NotNeeded
    );
    let j = assessed(&mut agent);
    done(
        &mut agent,
        &j,
        &plan(Some(2000)),
        Stage::RemedyPlanned,
        "planned",
    );
    done(
        &mut supervisor,
        &j,
        &Action::Approve,
        Stage::RemedyPlanned,
        "approved",
    );
    // The admin's limit is 0: any compensation they plan waits for approval.
    let a = assessed(&mut admin);
    let c = done(
        &mut admin,
        &a,
        &plan(Some(50)),
        Stage::RemedyPlanned,
        "planned",
    );
    assert_eq!(
        c.complaint.handling.plan.as_ref().expect("plan").approval,
        Approval::Pending
    );

    // Compensation is a field of the plan only: nothing offsets fees.
    let out = common::command(&world.db, world.dir.path())
        .args(["show", &n, "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let plan_json = &json["handling"]["plan"];
    assert_eq!(plan_json["compensation"], 500);
    assert_eq!(plan_json["approval"]["state"], "approved");
    assert_eq!(plan_json["approval"]["by"], "赵主管");
    let mut keys: Vec<&str> = plan_json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "actions",
            "approval",
            "compensation",
            "confirmed",
            "department",
            "gift",
            "promised"
        ]
    );
    let mut paths = Vec::new();
    key_paths(&json, String::new(), &mut paths);
    let money: Vec<&String> = paths
        .iter()
        .filter(|p| {
            let last = p.rsplit('.').next().unwrap_or("");
            last.contains("fee") || last.contains("compensation") || last.contains("offset")
        })
        .collect();
    // (Events 5 and 6 are the agent's and the admin's refused approvals, recorded as
    // denials of the permission: no amount in them.)
    assert_eq!(
        money,
        [
            "events[4].detail.compensation",
            "events[7].detail.compensation",
            "handling.plan.compensation",
        ],
        "compensation appears in the plan and its events only; no fee field anywhere"
    );
}

/// Every key path of a JSON value (`a.b[2].c`).
fn key_paths(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                out.push(path.clone());
                key_paths(v, path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                key_paths(v, format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Compensation above every approving role's limit (preset: manager 10000) is refused up
/// front, and a pending plan can be revised (a supervisor who will not approve sends it
/// back): no dead end.
#[test]
fn compensation_no_role_may_approve_is_no_dead_end() {
    let world = World::new();
    world.register("王丽", "agent");
    world.register("钱经理", "manager");
    let mut agent = world.desk("王丽");
    let mut manager = world.signed_in("钱经理");
    let n = walk(&mut agent, &leak(), &[classify_in(), verify(), assess()]);
    refused(
        &mut agent,
        &n,
        &plan(Some(20_000)),
        "error.over_every_limit",
    );
    // 5000: pending, above what the agent may grant but within the manager's limit; the
    // plan can still be revised down before anyone approves.
    agent
        .act(&n, None, &plan(Some(5_000)))
        .expect("pending plan");
    let revised = agent
        .act(&n, None, &plan(Some(150)))
        .expect("a pending plan can be revised");
    assert_eq!(
        revised.handling.plan.map(|p| p.approval),
        Some(complaint_desk::domain::handling::Approval::NotNeeded)
    );
    refused(
        &mut manager,
        &n,
        &Action::Approve,
        "error.nothing_to_approve",
    );
}
