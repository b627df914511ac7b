//! Choosing a site while typing: the configured sites whose key or a name holds the text
//! typed so far, those it begins first. Names are folded once ([`fold`]: Traditional and
//! Simplified, full and half width, English case alike), so a keystroke only compares.

use std::collections::HashMap;

use crate::domain::policy::{Policy, Site};
use crate::domain::search::fold;

/// The configured sites' keys and names, folded once, in configured order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteIndex {
    /// Per site, its key and every name it goes by, folded.
    names: Vec<Vec<String>>,
    /// Position of each site by its key.
    keys: HashMap<String, usize>,
}

impl SiteIndex {
    /// The index of `sites` (positions in the answers of [`SiteIndex::matches`] are theirs).
    pub fn new(sites: &[Site]) -> SiteIndex {
        let names = sites
            .iter()
            .map(|s| {
                [Some(&s.key), Some(&s.zh), s.zh_tw.as_ref(), Some(&s.en)]
                    .into_iter()
                    .flatten()
                    .map(|n| fold(n.trim()))
                    .collect()
            })
            .collect();
        let keys = (0..).zip(sites).map(|(i, s)| (s.key.clone(), i)).collect();
        SiteIndex { names, keys }
    }

    /// Position of the site whose key is `key`.
    pub fn by_key(&self, key: &str) -> Option<usize> {
        self.keys.get(key).copied()
    }

    /// How many sites it holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether it holds no site.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Position of the site `text` names: its key or one of its names, folded alike
    /// ([`crate::domain::policy::Policy::find_site`]'s rule, on the names folded once).
    pub fn find(&self, text: &str) -> Option<usize> {
        let typed = fold(text.trim());
        self.names.iter().position(|names| names.contains(&typed))
    }

    /// Positions of at most `limit` sites matching `typed`: those with a key or name
    /// beginning with it first, then those holding it elsewhere, each group in configured
    /// order. Blank text matches nothing.
    pub fn matches(&self, typed: &str, limit: usize) -> Vec<usize> {
        let typed = fold(typed.trim());
        if typed.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut starts = Vec::new();
        let mut holds = Vec::new();
        for (i, names) in self.names.iter().enumerate() {
            if names.iter().any(|n| n.starts_with(&typed)) {
                starts.push(i);
                if starts.len() == limit {
                    return starts;
                }
            } else if holds.len() < limit && names.iter().any(|n| n.contains(&typed)) {
                holds.push(i);
            }
        }
        starts.extend(holds);
        starts.truncate(limit);
        starts
    }
}

/// The sites whose complaints an agent of role `role` belonging to `sites` sees, besides
/// the complaints naming no site (those are everyone's: a complaint taken before its site
/// was known must not vanish from every queue). `None`: every site's — when no site is
/// configured, when the role sees every site (head office), or when the agent belongs to
/// no site (an agent's sites are given to scope them; until then, as before sites scoped
/// anything).
pub fn scope(policy: &Policy, role: &str, sites: Vec<String>) -> Option<Vec<String>> {
    let all = policy.roles.iter().any(|r| r.key == role && r.all_sites);
    (!policy.sites.is_empty() && !all && !sites.is_empty()).then_some(sites)
}

/// Whether an agent of `scope` ([`scope`]) sees a complaint of `site`.
pub fn sees(scope: Option<&[String]>, site: Option<&str>) -> bool {
    match (scope, site) {
        (Some(sites), Some(site)) => sites.iter().any(|s| s == site),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_only_with_sites_configured_given_and_not_head_office() {
        let mut policy = crate::domain::policy::fixtures::property_management();
        let mine = || vec!["lvjing".to_string()];
        assert_eq!(scope(&policy, "agent", mine()), Some(mine()));
        assert_eq!(scope(&policy, "agent", Vec::new()), None, "no sites given");
        assert_eq!(scope(&policy, "admin", mine()), None, "head office");
        policy.sites.clear();
        assert_eq!(scope(&policy, "agent", mine()), None, "no sites configured");
    }

    #[test]
    fn a_scoped_agent_sees_their_sites_and_the_unsited() {
        let mine = ["lvjing".to_string()];
        assert!(sees(Some(&mine), Some("lvjing")));
        assert!(!sees(Some(&mine), Some("xiangshu")));
        assert!(sees(Some(&mine), None), "no site: everyone's");
        assert!(sees(None, Some("xiangshu")), "not scoped");
    }

    fn site(key: &str, zh: &str, zh_tw: Option<&str>, en: &str) -> Site {
        Site {
            key: key.into(),
            zh: zh.into(),
            zh_tw: zh_tw.map(str::to_string),
            en: en.into(),
            care_plan: None,
            contact: None,
            phone: None,
        }
    }

    fn sites() -> Vec<Site> {
        vec![
            site("lvjing", "绿景花园", None, "Greenview Garden"),
            site("xiangshu", "香树湾", Some("香樹灣"), "Camphor Bay"),
            site("binjiang", "滨江壹号", None, "Riverside One"),
            site("huayuan", "花园城", None, "Garden City"),
        ]
    }

    #[test]
    fn a_name_it_begins_comes_before_one_it_is_inside() {
        let index = SiteIndex::new(&sites());
        // 花园 is inside 绿景花园 (first configured) but begins 花园城.
        assert_eq!(index.matches("花园", 8), vec![3, 0]);
        assert_eq!(
            index.matches("garden", 8),
            vec![3, 0],
            "Garden City begins so"
        );
        assert_eq!(
            index.matches("花园", 1),
            vec![3],
            "the limit keeps the best"
        );
    }

    #[test]
    fn traditional_simplified_and_full_width_alike() {
        let index = SiteIndex::new(&sites());
        assert_eq!(index.matches("香树", 8), vec![1]);
        assert_eq!(index.matches("香樹", 8), vec![1]);
        assert_eq!(index.matches("濱江", 8), vec![2], "zh_tw absent: zh folded");
        assert_eq!(
            index.matches("ＣＡＭＰ", 8),
            vec![1],
            "full width, upper case"
        );
        assert_eq!(index.matches(" 绿景 ", 8), vec![0], "the ends trimmed");
    }

    #[test]
    fn by_key_and_english() {
        let index = SiteIndex::new(&sites());
        assert_eq!(index.matches("xiang", 8), vec![1]);
        assert_eq!(index.matches("Riverside", 8), vec![2]);
        assert_eq!(index.matches("one", 8), vec![2], "inside the English name");
        assert_eq!(index.matches("ang", 8), vec![1, 2], "inside two keys");
    }

    #[test]
    fn a_key_or_whole_name_finds_its_site() {
        let index = SiteIndex::new(&sites());
        assert_eq!(index.find("香樹灣"), Some(1));
        assert_eq!(index.find(" camphor bay "), Some(1));
        assert_eq!(index.find("BINJIANG"), Some(2));
        assert_eq!(index.find("香树"), None, "a part is not a name");
        assert_eq!(index.find(""), None);
    }

    #[test]
    fn blank_or_unknown_text_matches_nothing() {
        let index = SiteIndex::new(&sites());
        assert!(index.matches("", 8).is_empty());
        assert!(index.matches("   ", 8).is_empty());
        assert!(index.matches("海底捞", 8).is_empty());
        assert!(SiteIndex::new(&[]).matches("绿", 8).is_empty());
        assert_eq!((index.len(), index.is_empty()), (4, false));
    }

    /// The index finds a site by the names rule of `domain::names` (key or any name, folded
    /// alike), as every front end and the desk read a typed site.
    #[test]
    fn the_index_finds_by_the_names_rule() {
        let policy = crate::domain::policy::fixtures::property_management();
        let index = SiteIndex::new(&policy.sites);
        for text in [
            "香樹灣",
            "xiangshu",
            " Camphor Bay ",
            "ＢＩＮＪＩＡＮＧ",
            "香树",
            "海底捞",
            "",
        ] {
            let found = index.find(text).map(|i| policy.sites[i].key.as_str());
            let by_rule = policy
                .sites
                .iter()
                .find(|s| {
                    [Some(&s.key), Some(&s.en), Some(&s.zh), s.zh_tw.as_ref()]
                        .into_iter()
                        .flatten()
                        .any(|name| crate::domain::names::same(text, name))
                })
                .map(|s| s.key.as_str());
            assert_eq!(found, by_rule, "{text:?}");
            assert_eq!(policy.find_site(text).map(|s| s.key.as_str()), by_rule);
        }
    }
}
