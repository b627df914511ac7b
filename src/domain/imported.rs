//! The classification and handling record a spreadsheet row may carry (an export's
//! columns, or a logbook's 状态/责任方/处理人/…): read cell by cell against the words the
//! export writes in every interface language, then checked as a whole against the closing.
//!
//! A closed row is imported closed with its whole record. An open row starts at triage,
//! where the desk's own moves owe its calls and revisits: what the file said of its stage
//! and handling is kept in its `imported` event, never lost.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::complaint::{Intent, Scope};
use crate::domain::handling::{self, Approval, Handling, Plan, Referral, Reply};
use crate::domain::names::{self, Choice};
use crate::domain::search::fold;
use crate::domain::stage::Stage;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};

/// The words value cells are read by: each value's key and its label in every interface
/// language (as an export with labels writes it), and the configured names.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// `in`, `out`.
    pub scope: Vec<Choice>,
    /// `genuine`, `venting`, `unclear`.
    pub intent: Vec<Choice>,
    /// Every stage.
    pub stage: Vec<Choice>,
    /// The configured responsible parties.
    pub party: Vec<Choice>,
    /// The configured complaint types.
    pub types: Vec<Choice>,
    /// The configured severities.
    pub severity: Vec<Choice>,
    /// Whom a case may be referred to: the parties and the external bodies.
    pub addressee: Vec<Choice>,
    /// `yes` and `no`.
    pub yes_no: Vec<Choice>,
    /// The label of a pending approval, per language.
    pub pending: Vec<String>,
    /// The label of an approval, per language, split around the agent: (before, after).
    pub approved: Vec<(String, String)>,
    /// The label of a refusal, per language, split around the agent and the note.
    pub declined: Vec<(String, String, String)>,
    /// What separates the items of a list cell, per language.
    pub separators: Vec<String>,
    /// Per kind, the key of each folded key, name or logbook word (`None`: it names two),
    /// made by [`Vocabulary::ready`] so a cell is folded once and looked up.
    pub(crate) index: HashMap<&'static str, HashMap<String, Option<String>>>,
}

/// Words logbooks use for a stage: a closed case, or one still open (read as untriaged).
const STAGE_WORDS: [(&str, Stage); 14] = [
    ("已完成", Stage::Closed),
    ("完成", Stage::Closed),
    ("已结案", Stage::Closed),
    ("结案", Stage::Closed),
    ("已关闭", Stage::Closed),
    ("关闭", Stage::Closed),
    ("已办结", Stage::Closed),
    ("done", Stage::Closed),
    ("处理中", Stage::Received),
    ("跟进中", Stage::Received),
    ("待处理", Stage::Received),
    ("未完成", Stage::Received),
    ("未结案", Stage::Received),
    ("open", Stage::Received),
];

/// Words logbooks use for the scope.
const SCOPE_WORDS: [(&str, Scope); 10] = [
    ("本方责任", Scope::In),
    ("本方", Scope::In),
    ("我方", Scope::In),
    ("物业责任", Scope::In),
    ("物业纠纷", Scope::In),
    ("他方责任", Scope::Out),
    ("他方", Scope::Out),
    ("非我方", Scope::Out),
    ("非物业责任", Scope::Out),
    ("非物业纠纷", Scope::Out),
];

/// The classification and handling record of one row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handled {
    /// The stage the file gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// In or out of scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Responsible party key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// Type key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_type: Option<String>,
    /// Severity key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// What the complainant was after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<Intent>,
    /// Spread risk flagged.
    #[serde(default)]
    pub spread_risk: bool,
    /// Responsibility explained up front.
    #[serde(default)]
    pub explained: bool,
    /// The handler as the file names them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub handler: String,
    /// The handling record (its closing summary is the row's closing).
    #[serde(default)]
    pub handling: Handling,
}

impl Handled {
    /// Whether the row carries more than an untriaged intake has: a stage past intake, a
    /// classification, a flag, or anything of the handling record (its handler aside).
    pub fn carries(&self) -> bool {
        self.stage.is_some_and(|s| s != Stage::Received)
            || self.scope.is_some()
            || self.party.is_some()
            || self.complaint_type.is_some()
            || self.severity.is_some()
            || self.intent.is_some_and(|i| i != Intent::Unclear)
            || self.spread_risk
            || self.explained
            || self.handling != Handling::default()
    }
}

/// The cells of the plan, the reply and the summary as read, before they are put together.
#[derive(Debug, Default)]
pub struct Parts {
    /// 责任部门.
    pub department: String,
    /// 处理措施.
    pub actions: String,
    /// The promised date.
    pub promised: Option<DateTime<Utc>>,
    /// The department confirmed.
    pub confirmed: Option<bool>,
    /// Compensation.
    pub compensation: Option<u32>,
    /// Gift.
    pub gift: String,
    /// Approval.
    pub approval: Approval,
    /// The customer's answer, if the cell says.
    pub accepted: Option<bool>,
    /// Alternatives offered.
    pub alternatives: String,
}

impl Parts {
    /// The plan and the reply these cells make (none where every cell is empty).
    pub fn into_handling(self, handling: &mut Handling) {
        let planned = !self.department.is_empty()
            || !self.actions.is_empty()
            || self.promised.is_some()
            || self.confirmed == Some(true)
            || self.compensation.is_some()
            || !self.gift.is_empty()
            || self.approval != Approval::NotNeeded;
        if planned {
            handling.plan = Some(Plan {
                department: self.department,
                actions: self.actions,
                promised: self.promised,
                confirmed: self.confirmed.unwrap_or(false),
                compensation: self.compensation,
                gift: (!self.gift.is_empty()).then_some(self.gift),
                approval: self.approval,
            });
        }
        if self.accepted.is_some() || !self.alternatives.is_empty() {
            handling.reply = Some(Reply {
                accepted: self.accepted.unwrap_or(false),
                alternatives: self.alternatives,
            });
        }
    }
}

impl Vocabulary {
    /// The kinds of value looked up by name.
    const KINDS: [&'static str; 7] = [
        "scope", "intent", "stage", "party", "type", "severity", "flag",
    ];

    fn choices(&self, kind: &str) -> &[Choice] {
        match kind {
            "scope" => &self.scope,
            "intent" => &self.intent,
            "stage" => &self.stage,
            "party" => &self.party,
            "type" => &self.types,
            "severity" => &self.severity,
            "flag" => &self.yes_no,
            _ => &[],
        }
    }

    /// The vocabulary with its lookup made: every key and name folded once, and the
    /// logbooks' words for stages and scopes (which win over a name they share).
    pub fn ready(mut self) -> Vocabulary {
        let mut index = HashMap::new();
        for kind in Vocabulary::KINDS {
            let mut map: HashMap<String, Option<String>> = HashMap::new();
            for c in self.choices(kind) {
                let mut names: Vec<String> = std::iter::once(&c.key)
                    .chain(&c.names)
                    .map(|n| fold(n.trim()))
                    .filter(|n| !n.is_empty())
                    .collect();
                names.sort();
                names.dedup();
                for name in names {
                    map.entry(name)
                        .and_modify(|k| {
                            if k.as_deref() != Some(c.key.as_str()) {
                                *k = None;
                            }
                        })
                        .or_insert_with(|| Some(c.key.clone()));
                }
            }
            let words: Vec<(&str, &str)> = match kind {
                "stage" => STAGE_WORDS.iter().map(|(w, s)| (*w, s.as_str())).collect(),
                "scope" => SCOPE_WORDS.iter().map(|(w, s)| (*w, s.as_str())).collect(),
                _ => Vec::new(),
            };
            for (word, key) in words {
                map.insert(fold(word), Some(key.to_string()));
            }
            index.insert(kind, map);
        }
        self.index = index;
        self
    }

    /// A value named by key or any name: its key; empty is none. Unknown or ambiguous text
    /// is refused by [`names::resolve`]'s rule.
    pub fn choice(&self, kind: &'static str, cell: &str) -> Result<Option<String>> {
        let t = cell.trim();
        if t.is_empty() {
            return Ok(None);
        }
        match self.index.get(kind).and_then(|m| m.get(&fold(t))) {
            Some(Some(key)) => Ok(Some(key.clone())),
            _ => names::resolve(kind, t, self.choices(kind)).map(|k| Some(k.to_string())),
        }
    }

    /// A scope: by key, label or a logbook's word; empty is none.
    pub fn scope(&self, cell: &str) -> Result<Option<Scope>> {
        Ok(self.choice("scope", cell)?.and_then(|k| Scope::parse(&k)))
    }

    /// A stage: by key, label or a logbook's word; empty is none.
    pub fn stage(&self, cell: &str) -> Result<Option<Stage>> {
        Ok(self.choice("stage", cell)?.and_then(|k| Stage::parse(&k)))
    }

    /// A yes/no cell: empty is `None`.
    pub fn flag(&self, cell: &str) -> Result<Option<bool>> {
        if cell.trim().is_empty() {
            return Ok(None);
        }
        if let Some(b) = super::import::yes_no(cell) {
            return Ok(Some(b));
        }
        match self.choice("flag", cell) {
            Ok(Some(k)) if k == "yes" => Ok(Some(true)),
            Ok(Some(k)) if k == "no" => Ok(Some(false)),
            _ => Err(Error::new("import.bad_flag").arg("value", cell.trim())),
        }
    }

    /// An approval: empty (none needed), pending, approved by or declined by an agent, as
    /// keys (`pending`, `approved:王丽`, `declined:王丽`) or labels.
    pub fn approval(&self, cell: &str) -> Result<Approval> {
        let t = cell.trim();
        if t.is_empty() {
            return Ok(Approval::NotNeeded);
        }
        if t == "pending" || self.pending.iter().any(|p| names::same(t, p)) {
            return Ok(Approval::Pending);
        }
        if let Some(by) = t.strip_prefix("approved:") {
            return agent(by, t).map(|by| Approval::Approved { by });
        }
        if let Some(by) = t.strip_prefix("declined:") {
            return agent(by, t).map(|by| Approval::Declined {
                by,
                note: String::new(),
            });
        }
        for (before, after) in &self.approved {
            if let Some(by) = t
                .strip_prefix(before.as_str())
                .and_then(|r| r.strip_suffix(after.as_str()))
            {
                return agent(by, t).map(|by| Approval::Approved { by });
            }
        }
        for (before, between, after) in &self.declined {
            if let Some((by, note)) = t
                .strip_prefix(before.as_str())
                .and_then(|r| r.strip_suffix(after.as_str()))
                .and_then(|r| r.split_once(between.as_str()))
            {
                let by = agent(by, t)?;
                let note = handling::text(note, "approval", false)?;
                return Ok(Approval::Declined { by, note });
            }
        }
        Err(Error::new("import.bad_approval").arg("value", t))
    }

    /// The referrals of a list cell: each `time addressee note`, the time as the export
    /// writes it (local minutes or RFC 3339), the addressee by key or name.
    pub fn referrals(&self, cell: &str, zone: Zone) -> Result<Vec<Referral>> {
        if cell.trim().is_empty() {
            return Ok(Vec::new());
        }
        let mut items: Vec<&str> = vec![cell];
        for sep in self
            .separators
            .iter()
            .map(String::as_str)
            .chain([";", "；"])
        {
            items = items.iter().flat_map(|i| i.split(sep)).collect();
        }
        items
            .into_iter()
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(|item| self.referral(item, zone))
            .collect()
    }

    fn referral(&self, item: &str, zone: Zone) -> Result<Referral> {
        let bad = || Error::new("import.bad_referral").arg("value", item);
        let mut words = item.splitn(3, ' ');
        let first = words.next().unwrap_or_default();
        let (at, rest) = match super::import::sheet_time(first, zone) {
            Ok(at) if first.contains('T') => (at, item[first.len()..].trim_start()),
            _ => {
                let second = words.next().ok_or_else(bad)?;
                let at = super::import::sheet_time(&format!("{first} {second}"), zone)
                    .map_err(|_| bad())?;
                (at, item[first.len() + 1 + second.len()..].trim_start())
            }
        };
        // The longest name or key the rest starts with; else its first word as written.
        let folded = fold(rest);
        let named = self
            .addressee
            .iter()
            .flat_map(|c| {
                std::iter::once(&c.key)
                    .chain(&c.names)
                    .map(move |n| (c, n.as_str()))
            })
            .filter(|(_, n)| !n.is_empty() && folded.starts_with(&fold(n)))
            .max_by_key(|(_, n)| fold(n).len());
        let (to, note) = match named {
            Some((c, n)) => (c.key.clone(), rest.get(n.len()..).unwrap_or_default()),
            None => rest
                .split_once(' ')
                .map_or((rest.to_string(), ""), |(to, note)| (to.to_string(), note)),
        };
        if to.is_empty() {
            return Err(bad());
        }
        Ok(Referral {
            to,
            note: handling::text(note, "referrals", false)?,
            at,
        })
    }
}

/// An agent's name in an approval cell.
fn agent(name: &str, cell: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::new("import.bad_approval").arg("value", cell));
    }
    Ok(name.to_string())
}

/// Checks `record` against the row's closing (`closed`): a closed stage needs a closing
/// time and an open one has none; a closed case out of scope (or closed as referred) is
/// 转交结案 and names its party, one in scope cannot have been closed as referred. Returns the stage a
/// closed row is imported at. The error names the field at fault.
pub fn check(record: &mut Handled, closed: bool) -> Result<Option<Stage>> {
    if let Some(stage) = record.stage {
        if stage.is_closed() && !closed {
            return Err(Error::new("import.closed_stage_without_time")
                .arg("field", "stage")
                .arg("value", stage.as_str()));
        }
        if !stage.is_closed() && closed {
            return Err(Error::new("import.open_stage_with_time")
                .arg("field", "stage")
                .arg("value", stage.as_str()));
        }
    }
    if !closed {
        return Ok(None);
    }
    let stage = match (record.stage, record.scope) {
        (Some(Stage::ClosedReferred), Some(Scope::In)) => {
            return Err(Error::new("import.stage_scope")
                .arg("field", "stage")
                .arg("value", record.stage.map_or("", Stage::as_str)));
        }
        (Some(Stage::ClosedReferred), _) | (_, Some(Scope::Out)) => {
            record.scope = Some(Scope::Out);
            Stage::ClosedReferred
        }
        _ => Stage::Closed,
    };
    if record.scope == Some(Scope::Out) && record.party.is_none() {
        return Err(Error::new("error.required").arg("field", "party"));
    }
    Ok(Some(stage))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(key: &str, names: &[&str]) -> Choice {
        Choice {
            key: key.into(),
            shown: names[0].into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn words() -> Vocabulary {
        Vocabulary {
            scope: vec![
                choice("in", &["物业纠纷（本方责任）", "In scope"]),
                choice("out", &["非物业纠纷（他方责任）", "Out of scope"]),
            ],
            stage: vec![
                choice("closed", &["已结案", "Closed"]),
                choice("closed_referred", &["转交结案", "Closed (referred)"]),
                choice("remedy_planned", &["已定解决方案", "Remedy planned"]),
            ],
            addressee: vec![
                choice("utility", &["公用事业单位", "Utility company"]),
                choice("developer", &["开发商", "Developer"]),
            ],
            yes_no: vec![choice("yes", &["是", "Yes"]), choice("no", &["否", "No"])],
            pending: vec!["待审批".into(), "pending".into()],
            approved: vec![
                ("已由 ".into(), " 审批".into()),
                ("approved by ".into(), String::new()),
            ],
            declined: vec![("已由 ".into(), " 驳回: ".into(), String::new())],
            separators: vec!["、".into(), ", ".into()],
            ..Vocabulary::default()
        }
        .ready()
    }

    fn zone() -> Zone {
        Zone::named("Asia/Shanghai").expect("zone")
    }

    #[test]
    fn approvals_read_as_keys_and_as_labels() {
        let w = words();
        assert_eq!(w.approval("").expect("none"), Approval::NotNeeded);
        assert_eq!(w.approval("待审批").expect("pending"), Approval::Pending);
        let approved = Approval::Approved {
            by: "王丽".into()
        };
        assert_eq!(w.approval("approved:王丽").expect("key"), approved);
        assert_eq!(w.approval("已由 王丽 审批").expect("zh"), approved);
        assert_eq!(w.approval("approved by 王丽").expect("en"), approved);
        assert_eq!(
            w.approval("已由 王丽 驳回: 超出预算").expect("declined"),
            Approval::Declined {
                by: "王丽".into(),
                note: "超出预算".into()
            }
        );
        assert_eq!(
            w.approval("maybe").expect_err("unknown").key,
            "import.bad_approval"
        );
    }

    #[test]
    fn referrals_read_back_with_time_addressee_and_note() {
        let w = words();
        let r = w
            .referrals(
                "2026-11-02 09:30 公用事业单位 已报修、2026-11-03T10:00:00+08:00 developer",
                zone(),
            )
            .expect("two");
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].to.as_str(), r[0].note.as_str()),
            ("utility", "已报修")
        );
        assert_eq!((r[1].to.as_str(), r[1].note.as_str()), ("developer", ""));
        let r = w
            .referrals("2026-11-02 09:30 Utility company called twice", zone())
            .expect("en");
        assert_eq!(
            (r[0].to.as_str(), r[0].note.as_str()),
            ("utility", "called twice")
        );
        assert_eq!(
            w.referrals("yesterday 开发商", zone())
                .expect_err("no time")
                .key,
            "import.bad_referral"
        );
    }

    #[test]
    fn stages_read_by_key_label_or_logbook_word() {
        let w = words();
        assert_eq!(w.stage("已结案").expect("label"), Some(Stage::Closed));
        assert_eq!(w.stage("已完成").expect("word"), Some(Stage::Closed));
        assert_eq!(w.stage("处理中").expect("word"), Some(Stage::Received));
        assert_eq!(
            w.stage("closed_referred").expect("key"),
            Some(Stage::ClosedReferred)
        );
        assert!(w.stage("半途而废").is_err());
        assert_eq!(w.scope("他方责任").expect("word"), Some(Scope::Out));
        assert_eq!(w.scope("Out of scope").expect("label"), Some(Scope::Out));
        assert_eq!(w.flag("Yes").expect("yes"), Some(true));
        assert_eq!(w.flag("").expect("empty"), None);
        assert!(w.flag("maybe").is_err());
    }

    #[test]
    fn the_record_must_fit_the_closing() {
        let mut r = Handled {
            stage: Some(Stage::Closed),
            ..Handled::default()
        };
        assert_eq!(
            check(&mut r, false).expect_err("no time").key,
            "import.closed_stage_without_time"
        );
        assert_eq!(check(&mut r, true).expect("closed"), Some(Stage::Closed));
        r.scope = Some(Scope::In);
        r.stage = Some(Stage::ClosedReferred);
        assert_eq!(
            check(&mut r, true).expect_err("scope").key,
            "import.stage_scope"
        );
        // A logbook's 已结案 out of scope is closed as referred, and names its party.
        r.scope = Some(Scope::Out);
        r.stage = Some(Stage::Closed);
        assert_eq!(
            check(&mut r, true).expect_err("party").key,
            "error.required"
        );
        r.party = Some("developer".into());
        assert_eq!(
            check(&mut r, true).expect("referred"),
            Some(Stage::ClosedReferred)
        );
        r.stage = Some(Stage::RemedyPlanned);
        assert_eq!(
            check(&mut r, true).expect_err("open").key,
            "import.open_stage_with_time"
        );
        assert_eq!(check(&mut r, false).expect("open"), None);
    }
}
