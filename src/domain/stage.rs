//! The stages of the handling method (受理 → 核实 → 调查评估 → 解决方案 → 回复 → 补救 → 回访 → 关闭)
//! plus the out-of-scope path (转交责任方 → 等待责任方 → 转交结案).

use serde::{Deserialize, Serialize};

use crate::domain::complaint::Scope;

/// Where a complaint stands in the handling method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Recorded at intake (接受投诉); untriaged until its scope is decided.
    Received,
    /// Motive and desired outcome recorded (核实投诉).
    Verified,
    /// Facts and severity assessed (调查评估).
    Assessed,
    /// Remedy agreed with the responsible department (解决方案).
    RemedyPlanned,
    /// Plan presented to the customer (回复客户).
    Replied,
    /// The remedy was carried out.
    Remedied,
    /// Follow-up visits or calls under way (回访).
    Revisiting,
    /// Closed with a summary (投诉总结).
    Closed,
    /// Out of scope: referred to the responsible party.
    Referred,
    /// Out of scope: waiting on the responsible party.
    WaitingOnParty,
    /// Out of scope: closed as referred.
    ClosedReferred,
    /// Merged into another (primary) case as its duplicate: read-only, out of every open
    /// queue, neither open nor closed in the figures, until unmerged.
    Merged,
}

impl Stage {
    /// Every stage, in the order of the method.
    pub const ALL: [Stage; 12] = [
        Stage::Received,
        Stage::Verified,
        Stage::Assessed,
        Stage::RemedyPlanned,
        Stage::Replied,
        Stage::Remedied,
        Stage::Revisiting,
        Stage::Closed,
        Stage::Referred,
        Stage::WaitingOnParty,
        Stage::ClosedReferred,
        Stage::Merged,
    ];

    /// The stable name stored in the database and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Verified => "verified",
            Stage::Assessed => "assessed",
            Stage::RemedyPlanned => "remedy_planned",
            Stage::Replied => "replied",
            Stage::Remedied => "remedied",
            Stage::Revisiting => "revisiting",
            Stage::Closed => "closed",
            Stage::Referred => "referred",
            Stage::WaitingOnParty => "waiting_on_party",
            Stage::ClosedReferred => "closed_referred",
            Stage::Merged => "merged",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the complaint is finished in this stage.
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Closed | Stage::ClosedReferred)
    }

    /// Whether the complaint is still being handled: neither closed nor merged into
    /// another case.
    pub fn is_open(self) -> bool {
        !self.is_closed() && self != Stage::Merged
    }

    /// Catalog key of the stage's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Stage::Received => "stage.received",
            Stage::Verified => "stage.verified",
            Stage::Assessed => "stage.assessed",
            Stage::RemedyPlanned => "stage.remedy_planned",
            Stage::Replied => "stage.replied",
            Stage::Remedied => "stage.remedied",
            Stage::Revisiting => "stage.revisiting",
            Stage::Closed => "stage.closed",
            Stage::Referred => "stage.referred",
            Stage::WaitingOnParty => "stage.waiting_on_party",
            Stage::ClosedReferred => "stage.closed_referred",
            Stage::Merged => "stage.merged",
        }
    }
}

/// A move of the handling method (what `case NUMBER ACTION` and the detail pane do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Move {
    /// Decide scope, party, type, severity, intent, spread risk (判定类型).
    Classify,
    /// Record the motive and the desired outcome (核实投诉).
    Verify,
    /// Record the facts and the severity (调查评估).
    Assess,
    /// Agree the remedy with the responsible department (解决方案).
    Plan,
    /// Approve compensation above the planner's limit.
    Approve,
    /// Present the plan to the customer (回复客户).
    Reply,
    /// The remedy was carried out.
    Remedied,
    /// Raise the severity, with a reason.
    Escalate,
    /// Out of scope: hand over to the responsible party.
    Refer,
    /// Record a referral to an external body (consumer association, regulator, …).
    External,
    /// Out of scope: wait on the responsible party.
    WaitParty,
    /// Wait on the customer (the reply clock pauses).
    WaitCustomer,
    /// End a wait.
    Resume,
    /// Close with a summary (投诉总结), or close as referred.
    Close,
    /// Reopen, with a reason.
    Reopen,
    /// Hand the case to another agent, with a reason (转办); the stage stays.
    Transfer,
}

impl Move {
    /// Every move, in the order of the method.
    pub const ALL: [Move; 16] = [
        Move::Classify,
        Move::Verify,
        Move::Assess,
        Move::Plan,
        Move::Approve,
        Move::Reply,
        Move::Remedied,
        Move::Escalate,
        Move::Refer,
        Move::External,
        Move::WaitParty,
        Move::WaitCustomer,
        Move::Resume,
        Move::Close,
        Move::Reopen,
        Move::Transfer,
    ];

    /// Stable name (events, errors).
    pub fn as_str(self) -> &'static str {
        match self {
            Move::Classify => "classify",
            Move::Verify => "verify",
            Move::Assess => "assess",
            Move::Plan => "plan",
            Move::Approve => "approve",
            Move::Reply => "reply",
            Move::Remedied => "remedied",
            Move::Escalate => "escalate",
            Move::Refer => "refer",
            Move::External => "external",
            Move::WaitParty => "wait_party",
            Move::WaitCustomer => "wait_customer",
            Move::Resume => "resume",
            Move::Close => "close",
            Move::Reopen => "reopen",
            Move::Transfer => "transfer",
        }
    }

    /// Catalog key of the move's display name.
    pub fn label_key(self) -> String {
        format!("move.{}", self.as_str())
    }
}

/// Where a plan is (re)made: a reopened case, and a plan whose compensation was declined,
/// go back here (a plan made from here asks for approval again when above the limit).
pub const REPLAN: Stage = Stage::Assessed;

/// The transition table: the stage `mv` leads to from `stage` for a complaint of `scope`
/// (`None` while untriaged), or `None` where the method does not allow it. Guards on the
/// move's content (a summary to close, a plan to reply, …) are in `domain::handling`.
pub fn transition(stage: Stage, scope: Option<Scope>, mv: Move) -> Option<Stage> {
    use Stage as S;
    // A merged case is read-only: no move of the method applies until it is unmerged.
    let open = stage.is_open();
    if stage == S::Merged {
        return None;
    }
    match (mv, stage, scope) {
        (Move::Classify, S::Received, _) => Some(S::Received),
        (Move::Verify, S::Received, Some(Scope::In)) => Some(S::Verified),
        (Move::Assess, S::Verified, _) => Some(S::Assessed),
        // A plan may be revised before the reply, and made again after a declined one.
        (Move::Plan, S::Assessed | S::RemedyPlanned | S::Replied, _) => Some(S::RemedyPlanned),
        // Approved, it stays; declined, the plan goes back to `REPLAN` (see `handling`).
        (Move::Approve, S::RemedyPlanned, _) => Some(S::RemedyPlanned),
        (Move::Reply, S::RemedyPlanned, _) => Some(S::Replied),
        // Into the revisits of the plan (or to "remedied" when no plan applies).
        (Move::Remedied, S::Replied, _) => Some(S::Revisiting),
        (Move::Close, S::Remedied | S::Revisiting, Some(Scope::In)) => Some(S::Closed),
        (Move::Close, S::Referred | S::WaitingOnParty, Some(Scope::Out)) => Some(S::ClosedReferred),
        (Move::Reopen, S::Revisiting | S::Closed, Some(Scope::In)) => Some(REPLAN),
        (Move::Reopen, S::ClosedReferred, Some(Scope::Out)) => Some(S::Referred),
        (Move::Refer, S::Received, Some(Scope::Out)) => Some(S::Referred),
        (Move::WaitParty, S::Referred, Some(Scope::Out)) => Some(S::WaitingOnParty),
        (Move::Resume, S::WaitingOnParty, _) => Some(S::Referred),
        (Move::WaitCustomer | Move::Resume, s, Some(Scope::In)) if open => Some(s),
        (Move::Escalate | Move::External, s, Some(_)) if open => Some(s),
        (Move::Transfer, s, _) if open => Some(s),
        _ => None,
    }
}

/// The moves the table allows from `stage` (what the detail pane offers).
pub fn moves_from(stage: Stage, scope: Option<Scope>) -> Vec<Move> {
    Move::ALL
        .into_iter()
        .filter(|m| transition(stage, scope, *m).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        assert_eq!(Stage::parse("bogus"), None);
    }

    #[test]
    fn only_the_two_closing_stages_are_closed() {
        let closed: Vec<_> = Stage::ALL.into_iter().filter(|s| s.is_closed()).collect();
        assert_eq!(closed, vec![Stage::Closed, Stage::ClosedReferred]);
    }

    #[test]
    fn a_merged_case_is_neither_open_nor_closed_and_takes_no_move() {
        assert!(!Stage::Merged.is_open());
        assert!(!Stage::Merged.is_closed());
        for scope in [None, Some(Scope::In), Some(Scope::Out)] {
            assert!(moves_from(Stage::Merged, scope).is_empty(), "{scope:?}");
        }
    }
}
