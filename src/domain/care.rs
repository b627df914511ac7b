//! Care plans (定期回访): a site is called on a fixed plan, before it complains, so that the
//! small unanswered issues complaints grow from are caught early. Pure rules: when calls fall
//! due, what a low score opens.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::domain::complaint::{Channel, NewComplaint};
use crate::domain::policy::{CarePlan, Policy, Site};
use crate::domain::schedule::Calendar;

/// When the first care call of `site` on `plan` falls due, the plan starting `now`: within
/// the plan's first interval, each site on its own working day (by its key), so that a
/// thousand sites put on a plan at once do not all fall due the same morning.
pub fn first_due(
    cal: &Calendar<'_>,
    site: &str,
    plan: &CarePlan,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let digest = Sha256::digest(site.as_bytes());
    let spread = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    let offset = spread % plan.every_days.max(1);
    cal.add_workdays(now, 1 + offset)
}

/// When the care call after one made at `made` falls due: the plan's interval later.
pub fn next_due(cal: &Calendar<'_>, plan: &CarePlan, made: DateTime<Utc>) -> DateTime<Utc> {
    cal.add_workdays(made, plan.every_days)
}

/// Whether a care call's satisfaction is low enough to open a complaint (the threshold
/// at which a revisit reopens a case: `follow_up.reopen_at_or_below`).
pub fn opens_complaint(policy: &Policy, satisfaction: u8) -> bool {
    policy.follow_up.reopens(satisfaction)
}

/// The plan of `site`, if it is on one.
pub fn plan_of<'p>(policy: &'p Policy, site: &Site) -> Option<&'p CarePlan> {
    let key = site.care_plan.as_deref()?;
    policy.care_plans.iter().find(|p| p.key == key)
}

/// The complaint a low-scored care call opens, prefilled: the site's contact (name and
/// phone, when configured), the site, its name as the location, the plan's category, and
/// `description` (what was said, in the desk's words). The agent completes what is missing.
pub fn complaint_from(site: &Site, plan: &CarePlan, description: String) -> NewComplaint {
    NewComplaint {
        channel: Some(Channel::Phone),
        name: site.contact.clone().unwrap_or_default(),
        phone: site.phone.clone().unwrap_or_default(),
        location: site.zh.clone(),
        category: plan.category.clone(),
        description,
        outcome: String::new(),
        apologized: false,
        received_at: None,
        site: site.key.clone(),
        extra_categories: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDateTime, TimeDelta};

    use super::*;
    use crate::domain::policy::fixtures;
    use crate::domain::zone::Zone;

    fn plan(every_days: u32) -> CarePlan {
        CarePlan {
            key: "monthly".into(),
            zh: "月度回访".into(),
            zh_tw: None,
            en: "Monthly".into(),
            role: "supervisor".into(),
            every_days,
            ask_zh: "近来如何？".into(),
            ask_zh_tw: None,
            ask_en: "How are things?".into(),
            category: "pests".into(),
        }
    }

    fn shanghai(s: &str) -> DateTime<Utc> {
        Zone::named("Asia/Shanghai")
            .expect("zone")
            .instant(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s))
    }

    /// First calls spread over the plan's first interval, each within it; the next call
    /// the interval after the last made, in working days (Saturday is one on this desk,
    /// Sunday and the National Day holidays are not).
    #[test]
    fn care_calls_fall_due_on_working_days_spread_over_the_interval() {
        let policy = fixtures::property_management();
        let cal = Calendar::new(
            &policy.business_hours,
            Zone::named("Asia/Shanghai").expect("zone"),
        );
        let now = shanghai("2026-11-20 10:00");
        let p = plan(20);
        let dues: Vec<DateTime<Utc>> = (0..200)
            .map(|i| first_due(&cal, &format!("site-{i}"), &p, now))
            .collect();
        let last = cal.add_workdays(now, 20);
        assert!(dues.iter().all(|d| *d > now && *d <= last));
        let distinct: std::collections::HashSet<_> = dues.iter().collect();
        assert!(
            distinct.len() >= 15,
            "spread over the days: {}",
            distinct.len()
        );
        assert_eq!(
            first_due(&cal, "site-7", &p, now),
            dues[7],
            "the same site, the same day"
        );
        // Made Thursday 2026-09-24 at 10:00, every 5 working days: Mid-Autumn (25–27
        // September) and National Day (1–7 October) are off; Mon 28 (1), Tue 29 (2), Wed 30
        // (3), Thu 8 October (4), Fri 9 October (5).
        let next = next_due(&cal, &plan(5), shanghai("2026-09-24 10:00"));
        assert_eq!(next, shanghai("2026-10-09 10:00"));
        assert!(next - shanghai("2026-09-24 10:00") > TimeDelta::days(14));
    }

    #[test]
    fn a_low_score_opens_a_prefilled_complaint() {
        let policy = fixtures::property_management();
        assert!(opens_complaint(&policy, 1) && opens_complaint(&policy, 2));
        assert!(!opens_complaint(&policy, 3));
        let site = Site {
            key: "hdl".into(),
            zh: "海底捞（徐家汇店）".into(),
            zh_tw: None,
            en: "Haidilao".into(),
            care_plan: Some("monthly".into()),
            contact: Some("王店长".into()),
            phone: Some("021-6234 5678".into()),
        };
        let new = complaint_from(&site, &plan(20), "蟑螂又出现了".into());
        assert_eq!(
            (new.name.as_str(), new.site.as_str(), new.category.as_str()),
            ("王店长", "hdl", "pests")
        );
        assert_eq!(new.location, "海底捞（徐家汇店）");
    }
}
