//! Classification suggestions from the configured keyword rules and the category's default
//! scope. A suggestion pre-fills the classification form; the agent confirms or changes it,
//! it never decides alone.

use crate::domain::complaint::{Complaint, Scope};
use crate::domain::policy::{KeywordRule, Policy};
use crate::domain::search::fold_char;

/// What the rules suggest for a complaint, and which keywords matched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggestion {
    /// Suggested scope.
    pub scope: Option<Scope>,
    /// Suggested responsible party (out of scope).
    pub party: Option<String>,
    /// Suggested severity: the highest any matching rule names.
    pub severity: Option<String>,
    /// A matching rule suggests a spread risk.
    pub spread_risk: bool,
    /// The keywords that matched, in rule order.
    pub matched: Vec<String>,
}

/// The suggestion for `c`: keyword rules over its description and outcome (first
/// matching rule with a scope wins the scope and party), else the category's default scope.
pub fn suggest(policy: &Policy, c: &Complaint) -> Suggestion {
    // What the customer said; the category's own default comes last, below.
    let haystack = said(c);
    let mut s = Suggestion::default();
    let rank = |key: &str| policy.severities.iter().position(|x| x.key == key);
    for rule in &policy.keyword_rules {
        let hits = hits(rule, &haystack);
        if hits.is_empty() {
            continue;
        }
        s.matched.extend(hits.into_iter().cloned());
        if s.scope.is_none() && rule.scope.is_some() {
            s.scope = rule.scope;
            s.party = rule.party.clone();
        }
        if let Some(sev) = &rule.severity
            && rank(sev) > s.severity.as_deref().and_then(rank)
        {
            s.severity = Some(sev.clone());
        }
        s.spread_risk |= rule.spread_risk;
    }
    if s.scope.is_none()
        && let Some(cat) = policy.categories.iter().find(|x| x.key == c.category)
    {
        s.scope = Some(cat.scope);
        s.party = cat.party.clone();
    }
    s
}

/// The keywords of the rules that suggest a spread risk found in what `c` said (its
/// description and outcome), in rule order.
pub fn spread_words(policy: &Policy, c: &Complaint) -> Vec<String> {
    let haystack = said(c);
    policy
        .keyword_rules
        .iter()
        .filter(|r| r.spread_risk)
        .flat_map(|r| hits(r, &haystack))
        .cloned()
        .collect()
}

/// Folded as search folds (case, width, Traditional → Simplified): a description typed in
/// Traditional matches keywords written in Simplified.
fn fold(t: &str) -> String {
    t.chars().map(fold_char).collect()
}

/// What the customer said, folded.
fn said(c: &Complaint) -> String {
    fold(&format!("{}\n{}", c.description, c.outcome))
}

/// The keywords of `rule` in the folded `haystack`.
fn hits<'r>(rule: &'r KeywordRule, haystack: &str) -> Vec<&'r String> {
    rule.keywords
        .iter()
        .filter(|k| haystack.contains(&fold(k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::fixtures;

    fn complaint(category: &str, description: &str) -> Complaint {
        Complaint::sample(1, category, description)
    }

    #[test]
    fn keywords_suggest_scope_party_severity_and_spread_risk() {
        let policy = fixtures::property_management();
        let s = suggest(&policy, &complaint("leak", "客厅墙面开裂，开发商不管"));
        assert_eq!(s.scope, Some(Scope::Out));
        assert_eq!(s.party.as_deref(), Some("developer"));
        assert!(s.matched.contains(&"开发商".to_string()));
        let s = suggest(&policy, &complaint("leak", "客廳牆面開裂，開發商不管"));
        assert_eq!(
            s.party.as_deref(),
            Some("developer"),
            "typed in Traditional"
        );
        assert!(s.matched.contains(&"开发商".to_string()));

        let s = suggest(&policy, &complaint("lift", "电梯困人半小时，已发抖音"));
        assert_eq!(s.scope, Some(Scope::In));
        assert_eq!(s.severity.as_deref(), Some("critical"));
        assert!(s.spread_risk, "{s:?}");

        // No keyword: the category's default scope.
        let s = suggest(&policy, &complaint("cleaning", "楼道有垃圾"));
        assert_eq!(s.scope, Some(Scope::In));
        assert!(s.matched.is_empty());
    }
}
