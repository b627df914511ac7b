//! Related cases (关联投诉): other open or recent cases of the same category in the same place,
//! so that one leaking riser or one restaurant's pests is seen as one problem. The place is
//! the site and, when the location names a building, that building (the location up to the
//! building the report patterns find); a case naming no site is placed by its location
//! alone.

use regex::Regex;

/// How far back a closed case still counts as related, in days (open ones always do).
pub const RELATED_DAYS: i64 = 30;

/// Related cases listed at most, newest first.
pub const RELATED_LIMIT: u32 = 20;

/// Where related cases are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The site (`None`: cases naming no site).
    pub site: Option<String>,
    /// The start of their location (empty: anywhere at the site).
    pub prefix: String,
}

/// The place of a case at `site` and `location` under the building `patterns`; `None` when
/// it names neither a site nor a location (nothing to relate it by).
pub fn place(site: Option<&str>, location: &str, patterns: &[Regex]) -> Option<Place> {
    let location = location.trim();
    let building = patterns
        .iter()
        .find_map(|re| re.find(location))
        .map(|m| &location[..m.end()]);
    let prefix = match (site, building) {
        (_, Some(b)) => b,
        (Some(_), None) => "",
        (None, None) => location,
    };
    if site.is_none() && prefix.is_empty() {
        return None;
    }
    Some(Place {
        site: site.map(str::to_string),
        prefix: prefix.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns() -> Vec<Regex> {
        [
            r"(\d+)\s*[栋棟幢座号號]楼?",
            r"(?i)(?:block|building|tower|bldg\.?)\s*(\w+)",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("pattern"))
        .collect()
    }

    #[test]
    fn the_building_narrows_the_site() {
        let p = place(Some("lvjing"), "7栋1单元602", &patterns()).expect("place");
        assert_eq!(p.site.as_deref(), Some("lvjing"));
        assert_eq!(p.prefix, "7栋");
        let p = place(Some("lvjing"), "Block 12, Flat 3", &patterns()).expect("place");
        assert_eq!(p.prefix, "Block 12");
    }

    #[test]
    fn without_a_building_the_whole_site_or_the_location() {
        let p = place(Some("lvjing"), "东门岗亭", &patterns()).expect("place");
        assert_eq!(p.prefix, "");
        let p = place(None, "  湘菜馆后厨 ", &patterns()).expect("place");
        assert_eq!((p.site, p.prefix.as_str()), (None, "湘菜馆后厨"));
        assert_eq!(place(None, "  ", &patterns()), None);
    }
}
