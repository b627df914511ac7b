//! A caller phoning again about a case still open (重复来电): the call is attached to that
//! case, as an event on its timeline, instead of being saved as a new complaint.

use chrono::{DateTime, Duration, Utc};

use crate::domain::complaint::{
    Channel, Complaint, MAX_DESCRIPTION, MAX_OUTCOME, NewComplaint, check_text, normalise_phone,
};
use crate::domain::policy::Policy;
use crate::error::{Error, Result};

/// The event a call attached to an open case records.
pub const CALL_ATTACHED: &str = "call_attached";

/// Complaints the desk offers to attach a call to at most (of each lookup).
pub const OFFERED: u32 = 5;

/// A call about an open case, as attached to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedCall {
    /// How it came in.
    pub channel: Channel,
    /// What the caller said this time.
    pub description: String,
    /// What they ask for now.
    pub outcome: String,
    /// The caller phoned from the case's own number (else a neighbour, a relative, …).
    pub same_phone: bool,
}

impl AttachedCall {
    /// The event's detail: what was said, how, and whether from the case's phone (never
    /// the caller's name or number: those belong to a complaint of their own).
    pub fn detail(&self) -> serde_json::Value {
        serde_json::json!({
            "channel": self.channel.as_str(),
            "description": self.description,
            "outcome": self.outcome,
            "same_phone": self.same_phone,
        })
    }
}

/// The earliest receipt an open complaint may have to be offered as the case a call is
/// about (`duplicates.days` back from `now`).
pub fn since(policy: &Policy, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(i64::from(policy.duplicates.days))
}

/// The call typed at intake (`call`) checked for attaching to `to` (as stored, its phone
/// in full): `to` must be open; the channel and what was said are required, checked as
/// intake checks them.
pub fn attached_call(call: &NewComplaint, to: &Complaint) -> Result<AttachedCall> {
    crate::domain::merge::writable(to)?;
    if to.stage.is_closed() {
        return Err(Error::new("error.case_closed").arg("number", &to.number));
    }
    let channel = call
        .channel
        .ok_or_else(|| Error::new("error.required").arg("field", "channel"))?;
    let description = check_text(
        &call.description,
        "description",
        MAX_DESCRIPTION,
        true,
        false,
    )?;
    let outcome = check_text(&call.outcome, "outcome", MAX_OUTCOME, false, false)?;
    let same_phone = normalise_phone(&call.phone)
        .is_some_and(|p| normalise_phone(&to.phone).as_deref() == Some(p.as_str()));
    Ok(AttachedCall {
        channel,
        description,
        outcome,
        same_phone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stage::Stage;

    fn open_case() -> Complaint {
        Complaint::sample(1, "lift", "电梯困人")
    }

    fn call() -> NewComplaint {
        NewComplaint {
            channel: Some(Channel::Phone),
            phone: "138 0013 8000".into(),
            description: "  电梯又坏了，\r\n还是困人  ".into(),
            ..NewComplaint::default()
        }
    }

    #[test]
    fn a_call_is_checked_as_intake_checks_it_and_knows_its_phone() {
        let a = attached_call(&call(), &open_case()).expect("attached");
        assert_eq!(
            a.description, "  电梯又坏了，\n还是困人",
            "lines kept, the end trimmed"
        );
        assert!(a.same_phone);
        assert_eq!(a.detail()["same_phone"], true);
        assert!(a.detail().get("phone").is_none(), "no number kept");
        let mut neighbour = call();
        neighbour.phone = "13900139000".into();
        assert!(
            !attached_call(&neighbour, &open_case())
                .expect("neighbour")
                .same_phone
        );
        let mut empty = call();
        empty.description = " \n ".into();
        assert_eq!(
            attached_call(&empty, &open_case()).expect_err("empty").key,
            "error.required"
        );
        let mut closed = open_case();
        closed.stage = Stage::Closed;
        assert_eq!(
            attached_call(&call(), &closed).expect_err("closed").key,
            "error.case_closed"
        );
    }
}
