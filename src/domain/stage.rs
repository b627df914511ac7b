//! The stages of the handling method (受理 → 核实 → 调查评估 → 解决方案 → 回复 → 补救 → 回访 → 关闭)
//! plus the out-of-scope path (转交责任方 → 等待责任方 → 转交结案).

use serde::{Deserialize, Serialize};

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
}

impl Stage {
    /// Every stage, in the order of the method.
    pub const ALL: [Stage; 11] = [
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
        }
    }
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
}
