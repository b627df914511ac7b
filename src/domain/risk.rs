//! Escalation risk (风险评估): a transparent score of an open case from named factors, each
//! a fact times its configured weight (`[risk]`), so the agent sees why a case ranks high and
//! phones it first. Pure: the facts the store counts come in as [`RiskFacts`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::complaint::Complaint;
use crate::domain::handling::Mood;
use crate::domain::policy::Policy;
use crate::domain::suggest::spread_words;

/// How far back earlier complaints from the same phone count as repeats, in days.
pub const REPEAT_DAYS: i64 = 365;

/// A revisit score below this counts as low satisfaction (one weight per point below).
pub const SATISFIED: u8 = 4;

/// The points of each factor (`[risk]`): each is added once per unit of its fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskWeights {
    /// Each other complaint from the same phone in the last 12 months.
    pub repeat: u32,
    /// A spread risk flagged at triage, or spread-risk words in what the customer said.
    pub spread: u32,
    /// The customer was anxious.
    pub mood_anxious: u32,
    /// The customer was disappointed.
    pub mood_disappointed: u32,
    /// The customer was angry.
    pub mood_angry: u32,
    /// The customer was agitated (shouting, threatening to go public).
    pub mood_agitated: u32,
    /// Each severity step above the lowest.
    pub severity: u32,
    /// Each day the case has been open, up to `max_days`.
    pub day_open: u32,
    /// Days open counted at most.
    pub max_days: u32,
    /// Each call to the customer or party past its due time.
    pub overdue_call: u32,
    /// The customer declined the plan.
    pub declined_reply: u32,
    /// Each reopening.
    pub reopen: u32,
    /// Each point below 4 of the last revisit's satisfaction.
    pub low_satisfaction: u32,
}

impl Default for RiskWeights {
    fn default() -> Self {
        RiskWeights {
            repeat: 10,
            spread: 30,
            mood_anxious: 5,
            mood_disappointed: 10,
            mood_angry: 20,
            mood_agitated: 30,
            severity: 10,
            day_open: 1,
            max_days: 30,
            overdue_call: 15,
            declined_reply: 20,
            reopen: 20,
            low_satisfaction: 10,
        }
    }
}

impl RiskWeights {
    /// The weight of a mood (calm weighs nothing).
    pub fn mood(&self, mood: Mood) -> u32 {
        match mood {
            Mood::Calm => 0,
            Mood::Anxious => self.mood_anxious,
            Mood::Disappointed => self.mood_disappointed,
            Mood::Angry => self.mood_angry,
            Mood::Agitated => self.mood_agitated,
        }
    }
}

/// What the score needs that is not on the complaint, counted by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RiskFacts {
    /// Other complaints from the same phone received in the last [`REPEAT_DAYS`].
    pub repeats: u32,
    /// Open calls past their due time.
    pub overdue_calls: u32,
    /// Times the case was reopened.
    pub reopens: u32,
    /// The satisfaction of the newest revisit that reached the customer.
    pub last_satisfaction: Option<u8>,
}

/// What a factor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Fact {
    /// A count (repeats, days, calls, reopenings).
    Count(u32),
    /// Flagged at triage.
    Flagged,
    /// Words found in what the customer said.
    Words(Vec<String>),
    /// The mood noted at verification.
    Mood(Mood),
    /// The severity key and its steps above the lowest.
    Severity {
        /// Severity key.
        key: String,
        /// Steps above the lowest.
        steps: u32,
    },
    /// The last revisit's satisfaction, 1–5.
    Satisfaction(u8),
}

/// One factor of a score: its name key, what it found, its weight and the points it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    /// Stable name (`risk_factor.<key>` in the catalogs).
    pub key: &'static str,
    /// What was found.
    pub fact: Fact,
    /// The configured weight.
    pub weight: u32,
    /// Points added: the weight times the fact's units.
    pub points: u32,
}

/// The escalation risk of an open case: the sum of its factors, highest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// The score.
    pub score: u32,
    /// The factors that apply, the heaviest first.
    pub factors: Vec<Factor>,
}

/// The risk of `c` at `now` under `policy.risk`, from the store's `facts`; `None` for a
/// closed case (only open cases are scored). A factor appears when its fact applies, even
/// at weight 0, so the detail shows what was seen.
pub fn score(
    policy: &Policy,
    c: &Complaint,
    facts: &RiskFacts,
    now: DateTime<Utc>,
) -> Option<Risk> {
    if !c.stage.is_open() {
        return None;
    }
    let w = &policy.risk;
    let mut factors = Vec::new();
    let mut add = |key, fact, weight: u32, units: u32| {
        if units > 0 {
            factors.push(Factor {
                key,
                fact,
                weight,
                points: weight.saturating_mul(units),
            });
        }
    };
    add(
        "repeat",
        Fact::Count(facts.repeats),
        w.repeat,
        facts.repeats,
    );
    if c.spread_risk {
        add("spread", Fact::Flagged, w.spread, 1);
    } else {
        let words = spread_words(policy, c);
        if !words.is_empty() {
            add("spread", Fact::Words(words), w.spread, 1);
        }
    }
    if let Some(m) = c.handling.mood.filter(|m| *m != Mood::Calm) {
        add("mood", Fact::Mood(m), w.mood(m), 1);
    }
    if let Some(key) = &c.severity {
        let steps = policy
            .severities
            .iter()
            .position(|s| &s.key == key)
            .map_or(0, |p| u32::try_from(p).unwrap_or(u32::MAX));
        let fact = Fact::Severity {
            key: key.clone(),
            steps,
        };
        add("severity", fact, w.severity, steps);
    }
    let days = u32::try_from((now - c.received_at).num_days().max(0))
        .unwrap_or(u32::MAX)
        .min(w.max_days);
    add("days_open", Fact::Count(days), w.day_open, days);
    let overdue = facts.overdue_calls;
    add(
        "overdue_calls",
        Fact::Count(overdue),
        w.overdue_call,
        overdue,
    );
    if c.handling.reply.as_ref().is_some_and(|r| !r.accepted) {
        add("declined_reply", Fact::Flagged, w.declined_reply, 1);
    }
    add(
        "reopens",
        Fact::Count(facts.reopens),
        w.reopen,
        facts.reopens,
    );
    if let Some(s) = facts.last_satisfaction.filter(|s| *s < SATISFIED) {
        let below = u32::from(SATISFIED - s);
        add(
            "low_satisfaction",
            Fact::Satisfaction(s),
            w.low_satisfaction,
            below,
        );
    }
    factors.sort_by_key(|f| std::cmp::Reverse(f.points));
    let score = factors.iter().fold(0u32, |s, f| s.saturating_add(f.points));
    Some(Risk { score, factors })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::complaint::Complaint;
    use crate::domain::handling::Reply;
    use crate::domain::policy::fixtures;
    use crate::domain::stage::Stage;
    use chrono::Duration;

    fn case(description: &str) -> Complaint {
        Complaint::sample(1, "leak", description)
    }

    /// The points of factor `key`, if it applies.
    fn points(risk: &Risk, key: &str) -> Option<u32> {
        risk.factors.iter().find(|f| f.key == key).map(|f| f.points)
    }

    fn scored(c: &Complaint, facts: RiskFacts, days: i64) -> Risk {
        let policy = fixtures::property_management();
        score(&policy, c, &facts, c.received_at + Duration::days(days)).expect("open")
    }

    #[test]
    fn a_fresh_calm_case_scores_nothing() {
        let r = scored(&case("楼上漏水"), RiskFacts::default(), 0);
        assert_eq!(r.score, 0);
        assert!(r.factors.is_empty(), "{r:?}");
    }

    #[test]
    fn each_factor_is_its_fact_times_its_weight() {
        let w = RiskWeights::default();
        let c = case("漏水");
        let repeats = RiskFacts {
            repeats: 3,
            ..RiskFacts::default()
        };
        assert_eq!(
            points(&scored(&c, repeats, 0), "repeat"),
            Some(3 * w.repeat)
        );
        let overdue = RiskFacts {
            overdue_calls: 2,
            ..RiskFacts::default()
        };
        assert_eq!(
            points(&scored(&c, overdue, 0), "overdue_calls"),
            Some(2 * w.overdue_call)
        );
        let reopens = RiskFacts {
            reopens: 1,
            ..RiskFacts::default()
        };
        assert_eq!(points(&scored(&c, reopens, 0), "reopens"), Some(w.reopen));
        // Satisfaction 2 is two points below 4; 4 and 5 are not low.
        let low = RiskFacts {
            last_satisfaction: Some(2),
            ..RiskFacts::default()
        };
        let r = scored(&c, low, 0);
        assert_eq!(points(&r, "low_satisfaction"), Some(2 * w.low_satisfaction));
        assert_eq!(r.factors[0].fact, Fact::Satisfaction(2));
        let fine = RiskFacts {
            last_satisfaction: Some(4),
            ..RiskFacts::default()
        };
        assert_eq!(points(&scored(&c, fine, 0), "low_satisfaction"), None);
    }

    #[test]
    fn days_open_count_up_to_the_cap() {
        let w = RiskWeights::default();
        let c = case("漏水");
        assert_eq!(
            points(&scored(&c, RiskFacts::default(), 5), "days_open"),
            Some(5 * w.day_open)
        );
        let r = scored(&c, RiskFacts::default(), 400);
        assert_eq!(points(&r, "days_open"), Some(w.max_days * w.day_open));
        assert_eq!(r.factors[0].fact, Fact::Count(w.max_days));
    }

    #[test]
    fn spread_risk_by_flag_or_by_words() {
        let w = RiskWeights::default();
        let mut flagged = case("漏水");
        flagged.spread_risk = true;
        let r = scored(&flagged, RiskFacts::default(), 0);
        assert_eq!(r.factors[0].fact, Fact::Flagged);
        assert_eq!(r.score, w.spread);
        // Words of the spread-risk rule, in Traditional too.
        let said = case("再不修我就發抖音曝光");
        let r = scored(&said, RiskFacts::default(), 0);
        assert_eq!(
            r.factors[0].fact,
            Fact::Words(vec!["抖音".into(), "曝光".into()])
        );
        assert_eq!(points(&r, "spread"), Some(w.spread));
    }

    #[test]
    fn mood_severity_and_a_declined_reply() {
        let w = RiskWeights::default();
        let mut c = case("漏水");
        c.handling.mood = Some(Mood::Angry);
        assert_eq!(
            points(&scored(&c, RiskFacts::default(), 0), "mood"),
            Some(w.mood_angry)
        );
        c.handling.mood = Some(Mood::Calm);
        assert_eq!(points(&scored(&c, RiskFacts::default(), 0), "mood"), None);
        // The preset's severities, lowest first: minor, general, serious, critical.
        let policy = fixtures::property_management();
        let third = policy.severities[2].key.clone();
        c.severity = Some(third.clone());
        let r = scored(&c, RiskFacts::default(), 0);
        assert_eq!(points(&r, "severity"), Some(2 * w.severity));
        assert_eq!(
            r.factors[0].fact,
            Fact::Severity {
                key: third,
                steps: 2
            }
        );
        c.handling.reply = Some(Reply {
            accepted: false,
            alternatives: "改期".into(),
        });
        let r = scored(&c, RiskFacts::default(), 0);
        assert_eq!(points(&r, "declined_reply"), Some(w.declined_reply));
        assert_eq!(r.score, 2 * w.severity + w.declined_reply);
        // Heaviest first.
        assert!(r.factors.windows(2).all(|p| p[0].points >= p[1].points));
    }

    #[test]
    fn a_closed_case_has_no_score() {
        let mut c = case("漏水");
        c.stage = Stage::Closed;
        let policy = fixtures::property_management();
        let facts = RiskFacts::default();
        assert_eq!(score(&policy, &c, &facts, c.received_at), None);
    }

    #[test]
    fn weights_come_from_the_policy() {
        let mut policy = fixtures::property_management();
        policy.risk.reopen = 7;
        let c = case("漏水");
        let facts = RiskFacts {
            reopens: 2,
            ..RiskFacts::default()
        };
        let r = score(&policy, &c, &facts, c.received_at).expect("open");
        assert_eq!(r.score, 14);
        assert_eq!(r.factors[0].weight, 7);
    }
}
