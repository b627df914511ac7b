//! What a passer-by may see: masked phone numbers, and erasure of a complainant's text.

use serde_json::Value;

/// What erased personal text is replaced with.
pub const ERASED: &str = "***";

/// A phone number with its middle hidden, as digits only: `138****5678`. Three leading and
/// four trailing digits are kept when there are at least nine; shorter numbers show only
/// their last two. Full-width digits count as digits.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone
        .chars()
        .map(crate::domain::complaint::halfwidth)
        .filter(char::is_ascii_digit)
        .collect();
    let n = digits.len();
    let (head, tail) = if n >= 9 { (3, 4) } else { (0, 2.min(n)) };
    digits
        .iter()
        .enumerate()
        .map(|(i, &d)| if i < head || i >= n - tail { d } else { '*' })
        .collect()
}

/// Keys of event details and handling records that hold facts, never free text: kept when
/// a complainant is anonymised. Every other string is erased (deny by default).
///
/// The audit chain commits every event to the form [`erased_detail`] leaves of it when it is
/// written, so this list is part of the chain's format: an event written under one list and
/// erased under another no longer verifies. A change needs a new version of the rule, kept
/// beside this one (the test `the_fact_keys_are_the_chains` pins it).
const FACT_KEYS: &[&str] = &[
    "accepted",
    "apologized",
    "approved",
    "attempts",
    "category",
    "channel",
    "complaints",
    "compensation",
    "confidential",
    "confirmed",
    "due",
    "explained",
    "failures",
    "flagged",
    "from",
    "handler",
    "intent",
    "kind",
    "level",
    "on",
    "owner",
    "party",
    "paused_since",
    "pending",
    "permission",
    "promised",
    "purpose",
    "ready_to_close",
    "reached",
    "result",
    "role",
    "satisfaction",
    "scope",
    "severity",
    "sha256",
    "spread_risk",
    "stage",
    "to",
    "type",
    "waiting_on_customer",
];

/// Keys of a complaint's handling record that hold its structure, not text: kept besides
/// [`FACT_KEYS`] when the record is erased, so that it still reads as a handling record
/// (an approval's state, a referral's time). The record is not in the audit chain: this list
/// may grow with the record.
const RECORD_KEYS: &[&str] = &["at", "state", "mood"];

/// `value` with every string that is not under a fact key replaced by [`ERASED`]; numbers,
/// booleans and structure are kept, so statistics survive an erasure.
pub fn erase_text(value: &Value) -> Value {
    erase(value, false, &[])
}

/// A complaint's handling record (JSON) erased as [`erase_text`] erases, its structure
/// ([`RECORD_KEYS`]) kept.
pub fn erase_record(value: &Value) -> Value {
    erase(value, false, RECORD_KEYS)
}

/// What erasure leaves of a stored detail (JSON text): [`erase_text`] of it, written out;
/// `{}` for text that is not JSON.
pub fn erased_detail(detail: &str) -> String {
    serde_json::from_str::<Value>(detail)
        .map(|d| erase_text(&d).to_string())
        .unwrap_or_else(|_| "{}".to_string())
}

fn erase(value: &Value, fact: bool, kept: &[&str]) -> Value {
    match value {
        Value::String(s) if !fact && !s.is_empty() => Value::String(ERASED.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(|v| erase(v, fact, kept)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let fact = FACT_KEYS.contains(&k.as_str()) || kept.contains(&k.as_str());
                    (k.clone(), erase(v, fact, kept))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An erased handling record is still a handling record: every free text gone, its
    /// approvals, referrals and dates readable (a complaint with a plan could not be shown
    /// after an erasure before).
    #[test]
    fn an_erased_handling_record_still_reads() {
        use crate::domain::handling::{Approval, Handling, Plan, Referral, Reply, Summary};
        let at = chrono::DateTime::from_timestamp(1_763_600_000, 0).expect("time");
        for approval in [
            Approval::NotNeeded,
            Approval::Pending,
            Approval::Approved {
                by: "赵强".into()
            },
            Approval::Declined {
                by: "赵强".into(),
                note: "欧阳娜娜要求太高".into(),
            },
        ] {
            let record = Handling {
                motive: "欧阳娜娜怕影响楼下".into(),
                facts: "欧阳娜娜家漏水".into(),
                plan: Some(Plan {
                    department: "工程部".into(),
                    actions: "上门维修".into(),
                    promised: Some(at),
                    confirmed: true,
                    compensation: Some(300),
                    gift: Some("果篮".into()),
                    approval,
                }),
                reply: Some(Reply {
                    accepted: false,
                    alternatives: "周末施工".into(),
                }),
                remedy_note: "已修".into(),
                referrals: vec![Referral {
                    to: "developer".into(),
                    note: "欧阳娜娜的墙".into(),
                    at,
                }],
                waiting_on_customer: true,
                paused_since: Some(at),
                summary: Some(Summary {
                    summary: "修好".into(),
                    root_cause: "老化".into(),
                    lesson: "巡检".into(),
                }),
                mood: Some(crate::domain::handling::Mood::Angry),
            };
            let json = serde_json::to_value(&record).expect("json");
            let erased = erase_record(&json);
            assert!(!erased.to_string().contains("欧阳娜娜"), "{erased}");
            let back: Handling = serde_json::from_value(erased).expect("still a handling record");
            assert_eq!(back.mood, Some(crate::domain::handling::Mood::Angry));
            let plan = back.plan.expect("plan");
            assert_eq!(plan.compensation, Some(300));
            assert_eq!(plan.promised, Some(at));
            assert_eq!(back.referrals[0].at, at);
            assert_eq!(back.paused_since, Some(at));
        }
    }

    #[test]
    fn the_fact_keys_are_the_chains() {
        // Changing this list changes the erased form the audit chain commits every event to
        // (see FACT_KEYS): add a versioned rule instead.
        assert_eq!(
            FACT_KEYS.join(","),
            "accepted,apologized,approved,attempts,category,channel,complaints,compensation,\
             confidential,confirmed,due,explained,failures,flagged,from,handler,intent,kind,\
             level,on,owner,party,paused_since,pending,permission,promised,purpose,\
             ready_to_close,reached,result,role,satisfaction,scope,severity,sha256,\
             spread_risk,stage,to,type,waiting_on_customer"
        );
        assert_eq!(
            erased_detail(r#"{"note":"张伟","result":"reached","n":3,"list":["a"]}"#),
            r#"{"list":["***"],"n":3,"note":"***","result":"reached"}"#
        );
        assert_eq!(erased_detail("not json"), "{}");
        // An erased form is what erasing it again leaves.
        let once = erased_detail(r#"{"motive":"担心漏水","compensation":500}"#);
        assert_eq!(erased_detail(&once), once);
    }

    #[test]
    fn phones_keep_three_leading_and_four_trailing_digits() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("138 0013 8000"), "138****8000");
        assert_eq!(mask_phone("021-6234 5678"), "021****5678");
        assert_eq!(mask_phone("+86 138-0013-8000"), "861******8000");
        assert_eq!(mask_phone("１３８００１３８０００"), "138****8000");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn erasure_keeps_facts_and_structure_and_drops_free_text() {
        let detail = json!({
            "facts": "张伟家卫生间漏水",
            "severity": "serious",
            "compensation": 300,
            "note": "",
            "plan": { "department": "工程部", "promised": "2026-11-23T10:00:00+08:00" },
            "alternatives": ["换新", "退款"],
            "reached": true,
        });
        assert_eq!(
            erase_text(&detail),
            json!({
                "facts": ERASED,
                "severity": "serious",
                "compensation": 300,
                "note": "",
                "plan": { "department": ERASED, "promised": "2026-11-23T10:00:00+08:00" },
                "alternatives": [ERASED, ERASED],
                "reached": true,
            })
        );
    }
}
