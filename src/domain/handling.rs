//! The handling method's rules: what each move needs, what it changes, and what it records.
//! `decide` is pure: the complaint, the move and the rules (the policy, the acting
//! agent's role, the time) in; the changed complaint and its event out, or a refusal that
//! says why. Each move is one method of `Draft`, called from `decide`'s match.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::agent::Permission;
use crate::domain::complaint::{Complaint, Intent, Scope};
use crate::domain::policy::{Policy, RevisitPlan, RevisitStep, Role};
use crate::domain::schedule::Calendar;
use crate::domain::stage::{Move, REPLAN, Stage, moves_from, transition};
use crate::error::{Error, Result};

/// Longest text of a handling field, in characters.
pub const MAX_TEXT: usize = 4000;

/// External bodies a customer may be referred to (record only; no stage move).
pub const EXTERNAL_BODIES: [&str; 5] = [
    "consumer-association",
    "industry-association",
    "regulator",
    "arbitration",
    "court",
];

/// Whether compensation needs, awaits or has approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Approval {
    /// Within the planner's own limit (or no money involved).
    #[default]
    NotNeeded,
    /// Above the planner's limit: waits for a role that may approve.
    Pending,
    /// Approved by this agent.
    Approved {
        /// Who approved.
        by: String,
    },
    /// Declined by this agent: the plan goes back to be revised (a revised plan above the
    /// limit asks again).
    Declined {
        /// Who declined.
        by: String,
        /// Why.
        note: String,
    },
}

/// The remedy agreed with the responsible department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Plan {
    /// Responsible department (repairs, cleaning, the technician team, …).
    pub department: String,
    /// What will be done.
    pub actions: String,
    /// Date promised to the customer, only once the department confirmed it.
    pub promised: Option<DateTime<Utc>>,
    /// The department confirmed the plan (and any promised date).
    pub confirmed: bool,
    /// Goodwill compensation, whole currency units (never a fee offset).
    pub compensation: Option<u32>,
    /// A gift offered.
    pub gift: Option<String>,
    /// Approval of the compensation.
    pub approval: Approval,
}

/// The customer's answer to the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Accepted the plan.
    pub accepted: bool,
    /// Alternatives offered when declined.
    pub alternatives: String,
}

/// A referral: to the responsible party (out of scope) or to an external body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// Party key or external body.
    pub to: String,
    /// Note.
    pub note: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The closing summary (投诉总结).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// What was done.
    pub summary: String,
    /// Root cause.
    pub root_cause: String,
    /// Lesson for the case library.
    pub lesson: String,
}

/// Everything the handling method records beyond the classification fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Handling {
    /// The customer's real motive (核实).
    pub motive: String,
    /// Facts found (调查评估).
    pub facts: String,
    /// The remedy plan.
    pub plan: Option<Plan>,
    /// The customer's reply to it.
    pub reply: Option<Reply>,
    /// Note when the remedy was carried out.
    pub remedy_note: String,
    /// Referrals, oldest first.
    pub referrals: Vec<Referral>,
    /// Waiting on the customer (the reply clock pauses).
    pub waiting_on_customer: bool,
    /// Since when the reply clock is paused (a wait on the customer or the third party).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_since: Option<DateTime<Utc>>,
    /// The closing summary.
    pub summary: Option<Summary>,
    /// The customer's mood as heard at verification (情绪); `None`: not noted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mood: Option<Mood>,
}

/// The customer's mood (情绪), heard beside the facts and what they ask for: it weighs in the
/// escalation risk ([`crate::domain::risk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mood {
    /// Calm, matter-of-fact (平静).
    Calm,
    /// Worried, pressed for time (焦虑).
    Anxious,
    /// Let down, feels wronged (失望).
    Disappointed,
    /// Angry (愤怒).
    Angry,
    /// Out of control: shouting, threatening to go public or to the authorities (激动).
    Agitated,
}

impl Mood {
    /// Every mood, calmest first.
    pub const ALL: [Mood; 5] = [
        Mood::Calm,
        Mood::Anxious,
        Mood::Disappointed,
        Mood::Angry,
        Mood::Agitated,
    ];

    /// Stable name (the catalog key is `mood.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mood::Calm => "calm",
            Mood::Anxious => "anxious",
            Mood::Disappointed => "disappointed",
            Mood::Angry => "angry",
            Mood::Agitated => "agitated",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Mood> {
        Mood::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What waits: the customer or the responsible third party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitOn {
    /// The customer (a document, access to the flat, …).
    Customer,
    /// The responsible party of an out-of-scope complaint.
    ThirdParty,
}

/// A move with what it needs (the `case` actions of the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// 判定类型.
    Classify {
        /// In or out of scope.
        scope: Scope,
        /// Responsible party (required out of scope).
        party: Option<String>,
        /// Type key.
        complaint_type: Option<String>,
        /// Severity key.
        severity: String,
        /// Intent ("unclear" is fine).
        intent: Intent,
        /// Media or social-network exposure.
        spread_risk: bool,
        /// The customer was told whose responsibility it is (丑话说在前).
        explained: bool,
    },
    /// 核实投诉.
    Verify {
        /// The real motive.
        motive: String,
        /// The outcome asked for.
        outcome: String,
        /// The customer's mood, when noted.
        mood: Option<Mood>,
    },
    /// 调查评估.
    Assess {
        /// Facts found.
        facts: String,
        /// Severity, if it changes.
        severity: Option<String>,
    },
    /// 解决方案.
    Plan {
        /// Responsible department.
        department: String,
        /// What will be done.
        actions: String,
        /// Date promised to the customer.
        promised: Option<DateTime<Utc>>,
        /// The department confirmed.
        confirmed: bool,
        /// Goodwill compensation.
        compensation: Option<u32>,
        /// A gift.
        gift: Option<String>,
    },
    /// Approve compensation above the planner's limit.
    Approve,
    /// Decline it: the plan goes back to be revised ([`REPLAN`]).
    Decline {
        /// Why (required).
        note: String,
    },
    /// 回复客户.
    Reply {
        /// Accepted (else declined).
        accepted: bool,
        /// Alternatives offered when declined.
        alternatives: String,
    },
    /// The remedy was carried out.
    Remedied {
        /// Note.
        note: String,
    },
    /// Severity up.
    Escalate {
        /// Why.
        reason: String,
        /// New severity (default: the next one up).
        severity: Option<String>,
    },
    /// Referral to the responsible party (out of scope) or an external body.
    Refer {
        /// Party key or external body.
        to: String,
        /// Note.
        note: String,
    },
    /// Wait on the customer or the third party.
    Wait {
        /// On whom.
        on: WaitOn,
        /// Note.
        note: String,
    },
    /// End the wait.
    Resume {
        /// Note.
        note: String,
    },
    /// Close with a summary, or as referred.
    Close {
        /// What was done.
        summary: String,
        /// Root cause.
        root_cause: String,
        /// Lesson.
        lesson: String,
        /// Out of scope: closed as referred.
        referred: bool,
    },
    /// Reopen.
    Reopen {
        /// Why.
        reason: String,
    },
    /// Reopen after a revisit at or below the satisfaction threshold: the revisit's role
    /// key and score are recorded as such (named in the reader's language when shown).
    RevisitReopen {
        /// Role key of the revisit.
        role: String,
        /// Satisfaction, 1–5.
        satisfaction: u8,
        /// The revisit's comment (may be empty).
        comment: String,
    },
    /// Hand the case to another agent (转办); to oneself, a take-over (接手).
    Transfer {
        /// The new handler: a registered, enabled agent.
        to: String,
        /// Why.
        reason: String,
    },
}

impl Action {
    /// The move of the transition table this action makes (a referral to an external body
    /// is a record, not the out-of-scope hand-over).
    pub fn kind(&self, policy: &Policy) -> Move {
        match self {
            Action::Classify { .. } => Move::Classify,
            Action::Verify { .. } => Move::Verify,
            Action::Assess { .. } => Move::Assess,
            Action::Plan { .. } => Move::Plan,
            Action::Approve | Action::Decline { .. } => Move::Approve,
            Action::Reply { .. } => Move::Reply,
            Action::Remedied { .. } => Move::Remedied,
            Action::Escalate { .. } => Move::Escalate,
            Action::Refer { to, .. } if policy.parties.iter().any(|p| &p.key == to) => Move::Refer,
            Action::Refer { .. } => Move::External,
            Action::Wait {
                on: WaitOn::ThirdParty,
                ..
            } => Move::WaitParty,
            Action::Wait { .. } => Move::WaitCustomer,
            Action::Resume { .. } => Move::Resume,
            Action::Close { .. } => Move::Close,
            Action::Reopen { .. } | Action::RevisitReopen { .. } => Move::Reopen,
            Action::Transfer { .. } => Move::Transfer,
        }
    }
}

/// What `decide` needs besides the complaint and the action.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The organisation's rules (parties, severities, roles, …).
    pub policy: &'a Policy,
    /// The acting agent.
    pub agent: &'a str,
    /// Their role (authority limit, permissions).
    pub role: &'a Role,
    /// Now.
    pub now: DateTime<Utc>,
}

/// The outcome of an allowed move.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The complaint after the move (stage, fields, handling; version not yet bumped).
    pub after: Complaint,
    /// The event kind to record.
    pub event: &'static str,
    /// The event's details.
    pub detail: serde_json::Value,
    /// A call now owed: its kind and the business hours it is due in, counted from the
    /// complaint's receipt ([`reply_due`]: the clock ran while it waited for triage).
    pub owes: Option<(&'static str, u32)>,
    /// Revisits the remedy starts (the revisit plan matching the severity).
    pub revisits: Vec<RevisitStep>,
    /// Kinds of open calls the move settles (a reply settles the first reply; closing
    /// settles everything; a wait that ends settles its calls).
    pub settles: Vec<&'static str>,
    /// Kinds of call the case owes while it waits after the move ([`waiting_calls`]): one
    /// of each stays open, the next due [`FollowUp::waiting_update_days`] business days on.
    ///
    /// [`FollowUp::waiting_update_days`]: crate::domain::policy::FollowUp
    pub keeps: &'static [&'static str],
}

/// Kind of the call owed to the customer after an in-scope classification.
pub const FIRST_REPLY: &str = "first_reply";
/// Kind of the chaser owed to the responsible party after an out-of-scope classification.
pub const CHASER: &str = "chaser";
/// Kind of a callback promised to the customer.
pub const PROMISED: &str = "promised";
/// Kind of the progress call owed to a customer while their case waits.
pub const PROGRESS: &str = "progress";

/// The calls a case owes while it waits, each falling due every
/// `follow_up.waiting_update_days` business days: referred out of scope or waiting on the
/// responsible party, a chaser to the party and a progress call to the customer (the
/// customer is kept informed while the other party acts); waiting on the customer, a
/// progress call to them. None for a case that does not wait, or is closed.
pub fn waiting_calls(c: &Complaint) -> &'static [&'static str] {
    match (c.scope, c.stage) {
        (_, s) if !s.is_open() => &[],
        (Some(Scope::Out), Stage::Referred | Stage::WaitingOnParty) => &[CHASER, PROGRESS],
        _ if c.handling.waiting_on_customer => &[PROGRESS],
        _ => &[],
    }
}

/// What a case owes at the stage it is at, as the moves that brought it there left it owing
/// (what a case put back at its stage, unmerged, owes again).
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    /// The reply clock its classification started ([`reply_clock`]) that neither the reply
    /// (in scope) nor the referral (out of scope) has settled yet.
    pub reply: Option<(&'static str, u32)>,
    /// The calls it owes while it waits ([`waiting_calls`]).
    pub keeps: &'static [&'static str],
    /// The revisits of its remedy, while revisiting ([`revisit_plan`]).
    pub revisits: Vec<RevisitStep>,
}

/// What `c` owes at its stage under `policy` (see [`Owed`]): the same rules `decide` follows
/// as the moves reach it — a classification starts the reply clock, the reply settles the
/// first reply and the referral the chaser, a wait keeps its calls, the remedy starts the
/// revisits.
pub fn owed_at_stage(policy: &Policy, c: &Complaint) -> Owed {
    let before_settled = match c.scope {
        Some(Scope::In) => matches!(
            c.stage,
            Stage::Received | Stage::Verified | Stage::Assessed | Stage::RemedyPlanned
        ),
        Some(Scope::Out) => c.stage == Stage::Received,
        None => false,
    };
    let reply = c
        .scope
        .zip(c.severity.as_deref())
        .filter(|_| before_settled)
        .and_then(|(scope, severity)| reply_clock(policy, scope, severity));
    let revisits = if c.stage == Stage::Revisiting {
        revisit_plan(policy, c.severity.as_deref())
            .map(|p| p.steps.clone())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Owed {
        reply,
        keeps: waiting_calls(c),
        revisits,
    }
}

/// The call started by a classification: a first reply within the severity's first-reply
/// hours in scope, a chaser within its referral hours out of scope (business hours).
pub fn reply_clock(policy: &Policy, scope: Scope, severity: &str) -> Option<(&'static str, u32)> {
    let s = policy.severities.iter().find(|s| s.key == severity)?;
    Some(match scope {
        Scope::In => (FIRST_REPLY, s.first_reply_hours),
        Scope::Out => (CHASER, s.referral_reply_hours),
    })
}

/// When the next call of a waiting case ([`waiting_calls`]) falls due:
/// `follow_up.waiting_update_days` business days after `from`.
pub fn waiting_call_due(cal: &Calendar<'_>, policy: &Policy, from: DateTime<Utc>) -> DateTime<Utc> {
    cal.add_workdays(from, policy.follow_up.waiting_update_days)
}

/// When a call of `hours` business hours ([`reply_clock`]) is due: counted from the
/// complaint's receipt, not from its classification.
pub fn reply_due(cal: &Calendar<'_>, received_at: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    cal.add_hours(received_at, i64::from(hours))
}

/// The revisit plan for a severity: the first plan naming it, else the first plan that
/// names no severity (applies to all).
pub fn revisit_plan<'c>(policy: &'c Policy, severity: Option<&str>) -> Option<&'c RevisitPlan> {
    let names = |p: &&RevisitPlan| severity.is_some_and(|s| p.severities.iter().any(|x| x == s));
    policy.revisit_plans.iter().find(names).or_else(|| {
        policy
            .revisit_plans
            .iter()
            .find(|p| p.severities.is_empty())
    })
}

/// A free text of the handling record: trimmed, at most [`MAX_TEXT`] characters, no NUL.
pub(crate) fn text(value: &str, field: &'static str, required: bool) -> Result<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::new("error.required").arg("field", field));
    }
    let len = v.chars().count();
    if len > MAX_TEXT {
        return Err(Error::new("error.too_long")
            .arg("field", field)
            .arg("max", MAX_TEXT)
            .arg("len", len));
    }
    if v.contains('\0') {
        return Err(Error::new("error.control_chars").arg("field", field));
    }
    Ok(v.to_string())
}

fn known(keys: impl Iterator<Item = String>, value: &str, field: &'static str) -> Result<String> {
    let keys: Vec<String> = keys.collect();
    if keys.iter().any(|k| k == value) {
        Ok(value.to_string())
    } else {
        Err(Error::new("error.unknown_key")
            .arg("field", field)
            .arg("value", value)
            .arg("known", keys.join(", ")))
    }
}

/// The largest compensation `role` may approve, or `None` when it may approve none.
pub fn approval_limit(role: &Role) -> Option<u32> {
    role.permissions
        .contains(&Permission::ApproveCompensation)
        .then_some(role.compensation_limit)
}

/// Whether `agent` transferring `c` takes it over from someone else (or from nobody): that
/// needs the take-over permission; the handler transfers their own case freely.
pub fn takes_over(c: &Complaint, agent: &str) -> bool {
    c.handler.as_deref() != Some(agent)
}

fn severity_rank(policy: &Policy, key: &str) -> Option<usize> {
    policy.severities.iter().position(|s| s.key == key)
}

/// The moves worth offering now: the table's, less those whose content cannot apply
/// (nothing to approve, no wait to end, already waiting).
pub fn available_moves(c: &Complaint) -> Vec<Move> {
    let pending = c
        .handling
        .plan
        .as_ref()
        .is_some_and(|p| p.approval == Approval::Pending);
    moves_from(c.stage, c.scope)
        .into_iter()
        .filter(|m| match m {
            Move::Approve => pending,
            Move::Resume => c.handling.waiting_on_customer || c.stage == Stage::WaitingOnParty,
            Move::WaitCustomer => !c.handling.waiting_on_customer,
            Move::Remedied => c.handling.reply.as_ref().is_some_and(|r| r.accepted),
            Move::Plan if c.stage == Stage::Replied => {
                c.handling.reply.as_ref().is_some_and(|r| !r.accepted)
            }
            _ => true,
        })
        .collect()
}

/// Applies `action` to `c` under `rules`: the changed complaint and its event, or the
/// reason it is refused. Nothing is changed on refusal (the caller writes nothing).
pub fn decide(c: &Complaint, action: &Action, rules: &Rules<'_>) -> Result<Decision> {
    crate::domain::merge::writable(c)?;
    let policy = rules.policy;
    let mv = action.kind(policy);
    let Some(to) = transition(c.stage, c.scope, mv) else {
        return Err(forbidden(c, mv));
    };
    let mut d = Draft {
        before: c,
        after: Complaint {
            stage: to,
            ..c.clone()
        },
        rules,
    };
    let (event, detail) = match action {
        Action::Classify {
            scope,
            party,
            complaint_type,
            severity,
            intent,
            spread_risk,
            explained,
        } => d.classify(&Classification {
            scope: *scope,
            party: party.as_deref(),
            complaint_type: complaint_type.as_deref(),
            severity,
            intent: *intent,
            spread_risk: *spread_risk,
            explained: *explained,
        }),
        Action::Verify {
            motive,
            outcome,
            mood,
        } => d.verify(motive, outcome, *mood),
        Action::Assess { facts, severity } => d.assess(facts, severity.as_deref()),
        Action::Plan {
            department,
            actions,
            promised,
            confirmed,
            compensation,
            gift,
        } => d.plan(
            department,
            actions,
            *promised,
            *confirmed,
            *compensation,
            gift.as_deref(),
        ),
        Action::Approve => d.approve(),
        Action::Decline { note } => d.decline(note),
        Action::Reply {
            accepted,
            alternatives,
        } => d.reply(*accepted, alternatives),
        Action::Remedied { note } => d.remedied(note),
        Action::Escalate { reason, severity } => d.escalate(reason, severity.as_deref()),
        Action::Refer { to, note } => d.refer(mv, to, note),
        Action::Wait { on, note } => d.wait(*on, note),
        Action::Resume { note } => d.resume(note),
        Action::Close {
            summary,
            root_cause,
            lesson,
            referred,
        } => d.close(summary, root_cause, lesson, *referred),
        Action::Reopen { reason } => {
            let reason = text(reason, "reason", true)?;
            d.reopen(json!({ "reason": reason }))
        }
        Action::RevisitReopen {
            role,
            satisfaction,
            comment,
        } => {
            let comment = text(comment, "reason", false)?;
            d.reopen(json!({ "reason": comment, "role": role, "satisfaction": satisfaction }))
        }
        Action::Transfer { to, reason } => d.transfer(to, reason),
    }?;
    let mut after = d.after;
    after.updated_at = rules.now;
    let owes = match action {
        // A first classification starts the clock; a correction while still received
        // does not start a second one.
        Action::Classify {
            scope, severity, ..
        } if c.scope.is_none() => reply_clock(policy, *scope, severity),
        _ => None,
    };
    let mut settles: Vec<&'static str> = match mv {
        Move::Reply => vec![FIRST_REPLY],
        Move::Refer => vec![CHASER],
        Move::Close => vec![FIRST_REPLY, CHASER, PROMISED, PROGRESS],
        _ => Vec::new(),
    };
    // A wait that ends settles the calls it owed.
    let keeps = waiting_calls(&after);
    for kind in waiting_calls(c) {
        if !keeps.contains(kind) && !settles.contains(kind) {
            settles.push(kind);
        }
    }
    let revisits = match mv {
        Move::Remedied if after.stage == Stage::Revisiting => {
            revisit_plan(policy, c.severity.as_deref())
                .map(|p| p.steps.clone())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    Ok(Decision {
        after,
        event,
        detail,
        owes,
        settles,
        keeps,
        revisits,
    })
}

/// The event a move records: its kind and its details.
type Recorded = (&'static str, serde_json::Value);

/// What a classification decides (the fields of [`Action::Classify`]).
struct Classification<'a> {
    scope: Scope,
    party: Option<&'a str>,
    complaint_type: Option<&'a str>,
    severity: &'a str,
    intent: Intent,
    spread_risk: bool,
    explained: bool,
}

/// A move being decided: the complaint as read, the complaint as the move leaves it (its
/// stage already the transition's), and the rules. Each method is one move: it checks
/// what the move needs, changes `after`, and says what to record.
struct Draft<'a> {
    before: &'a Complaint,
    after: Complaint,
    rules: &'a Rules<'a>,
}

impl Draft<'_> {
    /// A severity key of the policy.
    fn severity(&self, key: &str) -> Result<String> {
        known(
            self.rules.policy.severities.iter().map(|s| s.key.clone()),
            key,
            "severity",
        )
    }

    fn classify(&mut self, a: &Classification<'_>) -> Result<Recorded> {
        let policy = self.rules.policy;
        let severity = self.severity(a.severity)?;
        let complaint_type = a
            .complaint_type
            .map(|t| known(policy.types.iter().map(|x| x.key.clone()), t, "type"))
            .transpose()?;
        let party = match (a.scope, a.party) {
            (Scope::Out, None) => {
                return Err(Error::new("error.required").arg("field", "party"));
            }
            (Scope::Out, Some(p)) => Some(known(
                policy.parties.iter().map(|x| x.key.clone()),
                p,
                "party",
            )?),
            (Scope::In, _) => None,
        };
        if a.scope == Scope::Out && !a.explained {
            return Err(Error::new("error.explain_first").arg("field", "explained"));
        }
        let after = &mut self.after;
        // The first classification makes its agent the handler, unless intake did.
        let handler = after
            .handler
            .is_none()
            .then(|| self.rules.agent.to_string());
        if handler.is_some() {
            after.handler.clone_from(&handler);
        }
        after.scope = Some(a.scope);
        after.party = party.clone();
        after.complaint_type = complaint_type.clone();
        after.severity = Some(severity.clone());
        after.intent = a.intent;
        after.spread_risk = a.spread_risk;
        after.explained = a.explained;
        Ok((
            "classified",
            json!({
                "scope": a.scope.as_str(),
                "party": party,
                "type": complaint_type,
                "severity": severity,
                "intent": a.intent.as_str(),
                "spread_risk": a.spread_risk,
                "explained": a.explained,
                "handler": handler,
            }),
        ))
    }

    fn verify(&mut self, motive: &str, outcome: &str, mood: Option<Mood>) -> Result<Recorded> {
        let after = &mut self.after;
        after.handling.motive = text(motive, "motive", true)?;
        let outcome = text(outcome, "outcome", after.outcome.trim().is_empty())?;
        if !outcome.is_empty() {
            after.outcome = outcome;
        }
        after.handling.mood = mood;
        let mut detail = json!({ "motive": after.handling.motive, "outcome": after.outcome });
        if let Some(m) = mood {
            detail["mood"] = json!(m.as_str());
        }
        Ok(("verified", detail))
    }

    fn assess(&mut self, facts: &str, severity: Option<&str>) -> Result<Recorded> {
        self.after.handling.facts = text(facts, "facts", true)?;
        if let Some(s) = severity {
            self.after.severity = Some(self.severity(s)?);
        }
        Ok((
            "assessed",
            json!({ "facts": self.after.handling.facts, "severity": self.after.severity }),
        ))
    }

    fn plan(
        &mut self,
        department: &str,
        actions: &str,
        promised: Option<DateTime<Utc>>,
        confirmed: bool,
        compensation: Option<u32>,
        gift: Option<&str>,
    ) -> Result<Recorded> {
        let rules = self.rules;
        let h = &mut self.after.handling;
        if self.before.stage == Stage::Replied && h.reply.as_ref().is_some_and(|r| r.accepted) {
            // The customer accepted this plan: carry it out, do not re-plan it.
            return Err(forbidden(self.before, Move::Plan));
        }
        let department = text(department, "department", true)?;
        let actions = text(actions, "actions", true)?;
        if promised.is_some() && !confirmed {
            return Err(Error::new("error.promise_unconfirmed").arg("field", "confirmed"));
        }
        if let Some(p) = promised
            && p < rules.now
        {
            return Err(Error::new("error.promise_past").arg("field", "promised"));
        }
        if compensation == Some(0) {
            return Err(Error::new("error.compensation_zero").arg("field", "compensation"));
        }
        let gift = gift.map(|g| text(g, "gift", true)).transpose()?;
        let highest = rules
            .policy
            .roles
            .iter()
            .filter(|r| r.permissions.contains(&Permission::ApproveCompensation))
            .map(|r| r.compensation_limit)
            .chain([rules.role.compensation_limit])
            .max()
            .unwrap_or(0);
        if let Some(amount) = compensation
            && amount > highest
        {
            return Err(Error::new("error.over_every_limit")
                .arg("field", "compensation")
                .arg("amount", amount)
                .arg("limit", highest));
        }
        let approval = match compensation {
            Some(amount) if amount > rules.role.compensation_limit => Approval::Pending,
            _ => Approval::NotNeeded,
        };
        let pending = approval == Approval::Pending;
        let detail = json!({
            "department": department,
            "actions": actions,
            "promised": promised.map(|t| t.to_rfc3339()),
            "confirmed": confirmed,
            "compensation": compensation,
            "gift": gift,
            "approval_pending": pending,
        });
        h.plan = Some(Plan {
            department,
            actions,
            promised,
            confirmed,
            compensation,
            gift,
            approval,
        });
        h.reply = None;
        Ok(("planned", detail))
    }

    /// The plan awaiting approval, and its amount, when the acting role may decide it.
    fn awaiting_decision(&mut self) -> Result<(&mut Plan, u32)> {
        let role = self.rules.role;
        let Some(plan) = self
            .after
            .handling
            .plan
            .as_mut()
            .filter(|p| p.approval == Approval::Pending)
        else {
            return Err(Error::new("error.nothing_to_approve"));
        };
        let amount = plan.compensation.unwrap_or(0);
        let Some(limit) = approval_limit(role) else {
            return Err(Error::new("error.not_permitted")
                .arg("role", &role.key)
                .arg("amount", amount));
        };
        if amount > limit {
            return Err(Error::new("error.over_limit")
                .arg("role", &role.key)
                .arg("amount", amount)
                .arg("limit", role.compensation_limit));
        }
        Ok((plan, amount))
    }

    fn approve(&mut self) -> Result<Recorded> {
        let by = self.rules.agent.to_string();
        let (plan, amount) = self.awaiting_decision()?;
        plan.approval = Approval::Approved { by };
        Ok(("approved", json!({ "compensation": amount })))
    }

    /// Declines the compensation: the plan goes back to be revised, with the note.
    fn decline(&mut self, note: &str) -> Result<Recorded> {
        let by = self.rules.agent.to_string();
        let (plan, amount) = self.awaiting_decision()?;
        let note = text(note, "note", true)?;
        plan.approval = Approval::Declined {
            by,
            note: note.clone(),
        };
        self.after.stage = REPLAN;
        Ok((
            "approval_declined",
            json!({ "compensation": amount, "note": note }),
        ))
    }

    fn reply(&mut self, accepted: bool, alternatives: &str) -> Result<Recorded> {
        let h = &mut self.after.handling;
        if h.plan
            .as_ref()
            .is_some_and(|p| p.approval == Approval::Pending)
        {
            return Err(Error::new("error.approval_pending"));
        }
        let alternatives = text(alternatives, "alternatives", !accepted)?;
        h.reply = Some(Reply {
            accepted,
            alternatives: alternatives.clone(),
        });
        Ok((
            "replied",
            json!({ "accepted": accepted, "alternatives": alternatives }),
        ))
    }

    fn remedied(&mut self, note: &str) -> Result<Recorded> {
        let after = &mut self.after;
        if !after.handling.reply.as_ref().is_some_and(|r| r.accepted) {
            return Err(Error::new("error.reply_declined"));
        }
        after.handling.remedy_note = text(note, "note", false)?;
        let plan = revisit_plan(self.rules.policy, self.before.severity.as_deref());
        if plan.is_none_or(|p| p.steps.is_empty()) {
            // Nothing to revisit: the case waits at "remedied" for its summary.
            after.stage = Stage::Remedied;
        }
        Ok((
            "remedied",
            json!({
                "note": after.handling.remedy_note,
                "revisit_plan": plan.map(|p| p.key.clone()),
            }),
        ))
    }

    fn escalate(&mut self, reason: &str, severity: Option<&str>) -> Result<Recorded> {
        let reason = text(reason, "reason", true)?;
        let policy = self.rules.policy;
        let current = self
            .before
            .severity
            .as_deref()
            .and_then(|s| severity_rank(policy, s));
        let target = match severity {
            Some(s) => self.severity(s)?,
            None => policy
                .severities
                .get(current.map_or(0, |r| r + 1))
                .map(|s| s.key.clone())
                .ok_or_else(|| Error::new("error.severity_highest").arg("field", "severity"))?,
        };
        if current.is_some_and(|r| severity_rank(policy, &target) <= Some(r)) {
            return Err(Error::new("error.not_higher")
                .arg("field", "severity")
                .arg("value", &target));
        }
        self.after.severity = Some(target.clone());
        Ok((
            "escalated",
            json!({ "from": self.before.severity, "severity": target, "reason": reason }),
        ))
    }

    /// `mv` tells the hand-over to the responsible party from a referral to a body.
    fn refer(&mut self, mv: Move, to: &str, note: &str) -> Result<Recorded> {
        let note = text(note, "note", false)?;
        if mv == Move::External && !EXTERNAL_BODIES.contains(&to) {
            let parties = self.rules.policy.parties.iter().map(|p| p.key.clone());
            let keys: Vec<String> = parties
                .chain(EXTERNAL_BODIES.iter().map(|b| b.to_string()))
                .collect();
            return Err(Error::new("error.unknown_key")
                .arg("field", "to")
                .arg("value", to)
                .arg("known", keys.join(", ")));
        }
        self.after.handling.referrals.push(Referral {
            to: to.to_string(),
            note: note.clone(),
            at: self.rules.now,
        });
        let kind = if mv == Move::Refer {
            "referred"
        } else {
            "external_referral"
        };
        Ok((kind, json!({ "to": to, "note": note })))
    }

    fn wait(&mut self, on: WaitOn, note: &str) -> Result<Recorded> {
        let note = text(note, "note", false)?;
        let h = &mut self.after.handling;
        if on == WaitOn::Customer {
            if h.waiting_on_customer {
                return Err(Error::new("error.already_waiting"));
            }
            h.waiting_on_customer = true;
        }
        // The reply clock pauses from now until the wait ends.
        h.paused_since = Some(self.rules.now);
        let on = match on {
            WaitOn::Customer => "customer",
            WaitOn::ThirdParty => "third-party",
        };
        Ok(("waiting", json!({ "on": on, "note": note })))
    }

    fn resume(&mut self, note: &str) -> Result<Recorded> {
        let note = text(note, "note", false)?;
        let h = &mut self.after.handling;
        if self.before.stage != Stage::WaitingOnParty {
            if !h.waiting_on_customer {
                return Err(Error::new("error.not_waiting"));
            }
            h.waiting_on_customer = false;
        }
        let since = h.paused_since.take();
        Ok((
            "resumed",
            json!({ "note": note, "paused_since": since.map(|t| t.to_rfc3339()) }),
        ))
    }

    fn close(
        &mut self,
        summary: &str,
        root_cause: &str,
        lesson: &str,
        referred: bool,
    ) -> Result<Recorded> {
        let out = self.before.scope == Some(Scope::Out);
        if referred != out {
            return Err(Error::new(if out {
                "error.close_referred_only"
            } else {
                "error.close_needs_summary"
            }));
        }
        let summary = Summary {
            summary: text(summary, "summary", !out)?,
            root_cause: text(root_cause, "root_cause", !out)?,
            lesson: text(lesson, "lesson", !out)?,
        };
        let detail = json!({
            "summary": summary.summary,
            "root_cause": summary.root_cause,
            "lesson": summary.lesson,
            "referred": referred,
        });
        let after = &mut self.after;
        after.handling.waiting_on_customer = false;
        after.handling.summary = Some(summary);
        after.closed_at = Some(self.rules.now);
        Ok(("closed", detail))
    }

    /// `detail`: why (a reason, or the revisit that reopened it).
    fn reopen(&mut self, detail: serde_json::Value) -> Result<Recorded> {
        let after = &mut self.after;
        after.closed_at = None;
        // A reopened case needs a new remedy: the old reply and summary no longer hold
        // (they stay in the timeline).
        after.handling.summary = None;
        after.handling.reply = None;
        Ok(("reopened", detail))
    }

    /// The agent `to` is the desk's to check (registered, enabled); here: a reason, a new
    /// handler, and the take-over permission unless the handler transfers their own case.
    fn transfer(&mut self, to: &str, reason: &str) -> Result<Recorded> {
        let to = text(to, "handler", true)?;
        let reason = text(reason, "reason", true)?;
        let rules = self.rules;
        let from = self.before.handler.clone();
        if from.as_deref() == Some(to.as_str()) {
            return Err(Error::new("error.already_handler")
                .arg("field", "handler")
                .arg("agent", &to)
                .arg("number", &self.before.number));
        }
        let take_over = takes_over(self.before, rules.agent);
        if take_over && !rules.role.permissions.contains(&Permission::TakeOver) {
            return Err(Error::new("error.denied")
                .arg("agent", rules.agent)
                .arg("role", &rules.role.key)
                .arg("permission", "take_over"));
        }
        self.after.handler = Some(to.clone());
        Ok((
            "transferred",
            json!({ "from": from, "to": to, "reason": reason, "take_over": take_over }),
        ))
    }
}

/// The refusal of a move the table does not allow here: what is wrong and what is possible.
fn forbidden(c: &Complaint, mv: Move) -> Error {
    let hint = match (mv, c.scope) {
        (_, None) if mv != Move::Classify => "hint.classify_first",
        (
            Move::Verify | Move::Assess | Move::Plan | Move::Reply | Move::Remedied,
            Some(Scope::Out),
        ) => "hint.out_of_scope",
        (Move::Refer | Move::WaitParty, Some(Scope::In)) => "hint.in_scope",
        (Move::Reply, _) => "hint.reply_needs_plan",
        (Move::Close, _) => "hint.close_needs_remedy",
        (Move::Classify, _) => "hint.classified",
        _ if c.stage.is_closed() => "hint.closed",
        _ => "hint.order",
    };
    let allowed: Vec<&str> = available_moves(c).into_iter().map(Move::as_str).collect();
    Error::new("error.move_forbidden")
        .arg("move", mv.as_str())
        .arg("stage", c.stage.as_str())
        .arg("hint", hint)
        .arg(
            "allowed",
            if allowed.is_empty() {
                "-".to_string()
            } else {
                allowed.join(", ")
            },
        )
}
