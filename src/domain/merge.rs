//! Merge, unmerge and split (issue 19, item 2). A duplicate is merged into a primary case:
//! both timelines stay whole (`merged_into` on the duplicate, `absorbed` on the primary), the
//! duplicate leaves every open queue and is read-only until it is unmerged (`unmerged` on it,
//! `released` on the primary), when it goes back to the stage it had. A case that holds two
//! issues is split: the second becomes a complaint of its own, linked both ways
//! (`split_into` on the case, `split_from` on the new one).

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::domain::complaint::{Complaint, NewComplaint};
use crate::domain::handling::text;
use crate::domain::stage::Stage;
use crate::error::{Error, Result};

/// The event on a duplicate merged into a primary (detail: the primary's number, the stage
/// before, the reason, the calls the merge settled).
pub const MERGED_INTO: &str = "merged_into";
/// The event on the primary a duplicate was merged into (detail: the duplicate's number).
pub const ABSORBED: &str = "absorbed";
/// The event on a merged case put back (detail: the primary's number, the stage it is back
/// at, the calls it owes again).
pub const UNMERGED: &str = "unmerged";
/// The event on the primary a merged case was taken back from (detail: its number).
pub const RELEASED: &str = "released";
/// The event on the complaint a split made (detail: the number it was split from).
pub const SPLIT_FROM: &str = "split_from";
/// The event on the complaint split (detail: the new complaint's number).
pub const SPLIT_INTO: &str = "split_into";

/// A move that links cases (beside the moves of the handling method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// Merge this case, a duplicate, into a primary.
    Merge,
    /// Undo the merge of this case.
    Unmerge,
    /// Split a second issue off this case.
    Split,
}

impl Link {
    /// Stable name (the catalog key is `link.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Merge => "merge",
            Link::Unmerge => "unmerge",
            Link::Split => "split",
        }
    }

    /// Catalog key of the move's display name.
    pub fn label_key(self) -> String {
        format!("link.{}", self.as_str())
    }
}

/// The linking moves possible for `c` now: a merged case may only be unmerged; an open one
/// merged or split; a closed one neither.
pub fn links_possible(c: &Complaint) -> Vec<Link> {
    if c.stage == Stage::Merged {
        vec![Link::Unmerge]
    } else if c.stage.is_open() {
        vec![Link::Merge, Link::Split]
    } else {
        Vec::new()
    }
}

/// Refuses any change to a merged case, naming the primary it is merged into (only an
/// unmerge may touch it).
pub fn writable(c: &Complaint) -> Result<()> {
    if c.stage != Stage::Merged && c.merged_into.is_none() {
        return Ok(());
    }
    Err(Error::new("error.case_merged")
        .arg("number", &c.number)
        .arg("primary", c.merged_into.as_deref().unwrap_or("-")))
}

/// Checks that `duplicate` may be merged into `primary`: two different cases, both open
/// (neither closed nor merged), and the duplicate absorbing no case of its own
/// (`duplicate_absorbs`: how many are merged into it), so that no chain or cycle forms.
pub fn check_merge(
    duplicate: &Complaint,
    primary: &Complaint,
    duplicate_absorbs: usize,
) -> Result<()> {
    if duplicate.id == primary.id {
        return Err(Error::new("error.merge_self").arg("number", &duplicate.number));
    }
    writable(duplicate)?;
    if let Some(further) = &primary.merged_into {
        return Err(Error::new("error.merge_into_merged")
            .arg("number", &primary.number)
            .arg("primary", further));
    }
    for c in [duplicate, primary] {
        if !c.stage.is_open() {
            return Err(Error::new("error.case_closed").arg("number", &c.number));
        }
    }
    if duplicate_absorbs > 0 {
        return Err(Error::new("error.merge_chain")
            .arg("number", &duplicate.number)
            .arg("count", duplicate_absorbs));
    }
    Ok(())
}

/// A merge decided: the duplicate as the merge leaves it and what each timeline records.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// The duplicate after the merge: stage `merged`, closed to the open queues at `now`,
    /// naming the primary.
    pub after: Complaint,
    /// The reason given (may be empty).
    pub reason: String,
}

impl Merge {
    /// The `merged_into` event's detail on the duplicate, with the calls the merge settled.
    pub fn merged_detail(&self, before: Stage, settled: serde_json::Value) -> serde_json::Value {
        json!({
            "primary": self.after.merged_into,
            "stage": before.as_str(),
            "reason": self.reason,
            "settled": settled,
        })
    }

    /// The `absorbed` event's detail on the primary.
    pub fn absorbed_detail(&self) -> serde_json::Value {
        json!({ "number": self.after.number, "reason": self.reason })
    }
}

/// Merges `duplicate` into `primary` at `now` (checked by [`check_merge`] first).
pub fn merge(
    duplicate: &Complaint,
    primary: &Complaint,
    duplicate_absorbs: usize,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Merge> {
    check_merge(duplicate, primary, duplicate_absorbs)?;
    let reason = text(reason, "reason", false)?;
    let after = Complaint {
        stage: Stage::Merged,
        closed_at: Some(now),
        merged_into: Some(primary.number.clone()),
        updated_at: now,
        ..duplicate.clone()
    };
    Ok(Merge { after, reason })
}

/// The stage a merged case goes back to: the one its `merged_into` event left (`from`, the
/// event's stage before; `detail`, its detail, read when the column says nothing).
pub fn stage_before(from: Option<Stage>, detail: &serde_json::Value) -> Option<Stage> {
    from.or_else(|| detail["stage"].as_str().and_then(Stage::parse))
        .filter(|s| s.is_open())
}

/// Unmerges `c` at `now`, back to stage `before` (see [`stage_before`]): open again, naming
/// no primary. Refused for a case that is not merged.
pub fn unmerge(
    c: &Complaint,
    before: Option<Stage>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(Complaint, String)> {
    let (Some(_), Stage::Merged) = (&c.merged_into, c.stage) else {
        return Err(Error::new("error.not_merged").arg("number", &c.number));
    };
    let before = before.ok_or_else(|| {
        Error::new("error.internal").arg("detail", format!("{}: no stage to go back to", c.number))
    })?;
    let reason = text(reason, "reason", false)?;
    let after = Complaint {
        stage: before,
        closed_at: None,
        merged_into: None,
        updated_at: now,
        ..c.clone()
    };
    Ok((after, reason))
}

/// The second issue of `c` as an intake: the same complainant (name, phone, channel, site),
/// at `location` (default `c`'s), of `category`, saying `description`. The desk validates
/// it as every intake is validated (an unknown category, an empty description are refused
/// there). Refused for a closed or merged case.
pub fn split_intake(
    c: &Complaint,
    category: &str,
    description: &str,
    location: Option<&str>,
) -> Result<NewComplaint> {
    writable(c)?;
    if !c.stage.is_open() {
        return Err(Error::new("error.case_closed").arg("number", &c.number));
    }
    let location = location
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or(&c.location);
    Ok(NewComplaint {
        channel: Some(c.channel),
        name: c.name.clone(),
        phone: c.phone.clone(),
        location: location.to_string(),
        category: category.to_string(),
        description: description.to_string(),
        site: c.site.clone().unwrap_or_default(),
        ..NewComplaint::default()
    })
}

/// The links a case's timeline records: the complaints split from it, and the one it was
/// split from (numbers, oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitLinks {
    /// The complaint this one was split from.
    pub split_from: Option<String>,
    /// The complaints split from this one.
    pub split_into: Vec<String>,
}

/// The split links among `events` (kind and detail of each, oldest first).
pub fn split_links<'a>(
    events: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>,
) -> SplitLinks {
    let mut links = SplitLinks::default();
    for (kind, detail) in events {
        let Some(number) = detail["number"].as_str() else {
            continue;
        };
        match kind {
            SPLIT_FROM => links.split_from = Some(number.to_string()),
            SPLIT_INTO => links.split_into.push(number.to_string()),
            _ => {}
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::complaint::{Channel, Scope};

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_763_900_000, 0).unwrap_or_default()
    }

    fn verified(id: i64) -> Complaint {
        let mut c = Complaint::sample(id, "lift", "电梯困人");
        c.scope = Some(Scope::In);
        c.severity = Some("serious".into());
        c.stage = Stage::Verified;
        c
    }

    #[test]
    fn a_merge_names_the_primary_and_leaves_the_open_queues() {
        let (dup, primary) = (verified(1), verified(2));
        let m = merge(&dup, &primary, 0, " 同一部电梯 ", at()).expect("merge");
        assert_eq!(m.after.stage, Stage::Merged);
        assert_eq!(m.after.closed_at, Some(at()), "the open indexes drop it");
        assert_eq!(m.after.merged_into.as_deref(), Some("20261122-0002"));
        assert_eq!(m.reason, "同一部电梯");
        let d = m.merged_detail(dup.stage, json!([]));
        assert_eq!(d["primary"], "20261122-0002");
        assert_eq!(d["stage"], "verified");
        assert_eq!(m.absorbed_detail()["number"], "20261122-0001");
    }

    #[test]
    fn merges_that_would_lose_track_are_refused() {
        let (dup, primary) = (verified(1), verified(2));
        let key = |r: Result<Merge>| r.expect_err("refused").key;
        assert_eq!(key(merge(&dup, &dup, 0, "", at())), "error.merge_self");
        let mut chained = primary.clone();
        chained.stage = Stage::Merged;
        chained.merged_into = Some("20261122-0009".into());
        assert_eq!(
            key(merge(&dup, &chained, 0, "", at())),
            "error.merge_into_merged"
        );
        assert_eq!(key(merge(&chained, &dup, 0, "", at())), "error.case_merged");
        let mut closed = primary.clone();
        closed.stage = Stage::Closed;
        assert_eq!(key(merge(&dup, &closed, 0, "", at())), "error.case_closed");
        assert_eq!(key(merge(&closed, &dup, 0, "", at())), "error.case_closed");
        assert_eq!(key(merge(&dup, &primary, 1, "", at())), "error.merge_chain");
    }

    #[test]
    fn a_merged_case_refuses_every_change_naming_its_primary() {
        let m = merge(&verified(1), &verified(2), 0, "", at()).expect("merge");
        let e = writable(&m.after).expect_err("read-only");
        assert_eq!(e.key, "error.case_merged");
        assert!(
            e.args
                .iter()
                .any(|(k, v)| *k == "primary" && v == "20261122-0002"),
            "{:?}",
            e.args
        );
        assert_eq!(
            split_intake(&m.after, "lift", "另一件事", None)
                .expect_err("split")
                .key,
            "error.case_merged"
        );
        assert!(writable(&verified(3)).is_ok());
    }

    #[test]
    fn a_merged_case_offers_only_its_unmerge() {
        let open = verified(1);
        assert_eq!(links_possible(&open), vec![Link::Merge, Link::Split]);
        let m = merge(&open, &verified(2), 0, "", at()).expect("merge");
        assert_eq!(links_possible(&m.after), vec![Link::Unmerge]);
        let mut closed = verified(3);
        closed.stage = Stage::Closed;
        assert!(links_possible(&closed).is_empty());
    }

    #[test]
    fn an_unmerge_goes_back_to_the_stage_before() {
        let dup = verified(1);
        let m = merge(&dup, &verified(2), 0, "", at()).expect("merge");
        let before = stage_before(Some(Stage::Verified), &json!({}));
        let (after, _) = unmerge(&m.after, before, "不是同一件事", at()).expect("unmerge");
        assert_eq!(after.stage, Stage::Verified);
        assert_eq!((after.closed_at, after.merged_into), (None, None));
        assert_eq!(
            stage_before(None, &json!({ "stage": "referred" })),
            Some(Stage::Referred),
            "from the detail when the column says nothing"
        );
        assert_eq!(stage_before(Some(Stage::Closed), &json!({})), None);
        assert_eq!(
            unmerge(&dup, before, "", at()).expect_err("open").key,
            "error.not_merged"
        );
    }

    #[test]
    fn an_unmerged_case_owes_what_its_stage_owes() {
        use crate::domain::handling::{CHASER, FIRST_REPLY, PROGRESS, owed_at_stage};
        let policy = crate::domain::policy::fixtures::property_management();
        let mut c = verified(1);
        let owed = owed_at_stage(&policy, &c);
        assert_eq!(
            owed.reply.map(|r| r.0),
            Some(FIRST_REPLY),
            "not replied yet"
        );
        assert!(owed.keeps.is_empty() && owed.revisits.is_empty());
        c.stage = Stage::Replied;
        assert_eq!(
            owed_at_stage(&policy, &c).reply,
            None,
            "the reply settled it"
        );
        c.stage = Stage::Revisiting;
        assert!(
            !owed_at_stage(&policy, &c).revisits.is_empty(),
            "the remedy's revisits"
        );
        c.scope = Some(Scope::Out);
        c.stage = Stage::Received;
        assert_eq!(owed_at_stage(&policy, &c).reply.map(|r| r.0), Some(CHASER));
        c.stage = Stage::WaitingOnParty;
        let owed = owed_at_stage(&policy, &c);
        assert_eq!((owed.reply, owed.keeps), (None, &[CHASER, PROGRESS][..]));
        c.scope = None;
        c.stage = Stage::Received;
        assert_eq!(
            owed_at_stage(&policy, &c).reply,
            None,
            "untriaged: no clock yet"
        );
    }

    #[test]
    fn a_split_keeps_the_complainant_and_takes_the_new_issue() {
        let mut c = verified(1);
        c.site = Some("north".into());
        let new = split_intake(&c, "noise", "楼上装修噪音", None).expect("split");
        assert_eq!(new.channel, Some(Channel::Phone));
        assert_eq!(
            (new.name.as_str(), new.phone.as_str()),
            ("张伟", "13800138000")
        );
        assert_eq!((new.location.as_str(), new.site.as_str()), ("3栋", "north"));
        assert_eq!(
            (new.category.as_str(), new.description.as_str()),
            ("noise", "楼上装修噪音")
        );
        let elsewhere = split_intake(&c, "noise", "x", Some(" 5栋 ")).expect("split");
        assert_eq!(elsewhere.location, "5栋");
        c.stage = Stage::Closed;
        assert_eq!(
            split_intake(&c, "noise", "x", None)
                .expect_err("closed")
                .key,
            "error.case_closed"
        );
    }

    #[test]
    fn split_links_are_read_from_the_timeline() {
        let (a, b, c) = (
            json!({ "number": "20261122-0003" }),
            json!({ "number": "20261122-0001" }),
            json!({ "channel": "phone" }),
        );
        let links = split_links([(SPLIT_FROM, &b), (SPLIT_INTO, &a), ("call_attached", &c)]);
        assert_eq!(links.split_from.as_deref(), Some("20261122-0001"));
        assert_eq!(links.split_into, vec!["20261122-0003".to_string()]);
    }
}
