//! Search over every case: text and filters, newest first, phones masked; and a searcher
//! with its own connection that a front end runs on another thread and cancels.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::privacy::masked;
use super::{Clock, Desk};
use crate::config::Config;
use crate::domain::complaint::{Channel, Complaint, Queue, Scope, halfwidth};
use crate::domain::number;
use crate::domain::policy::Policy;
use crate::domain::search::{SearchFilter, View};
use crate::domain::stage::Stage;
use crate::domain::zone::Zone;
use crate::error::{Error, Result};
use crate::store::complaints::Cursor;
use crate::store::{IfMissing, Interrupt, MigrationProgress, Store};
use crate::when::parse_datetime;

/// Longest "today's sequence" that [`Desk::find_number`] takes (more digits: a whole number).
const MAX_SEQUENCE_DIGITS: usize = 6;

/// A page of results and the cursor to continue from (its last row; for a page read
/// upwards, its first row).
pub type SearchPage = (Vec<Complaint>, Option<Cursor>);

/// A search as a person gives it (options on the command line, a form): raw text, checked by
/// [`search_filter`]. An empty or blank filter text means no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterText {
    /// The text searched for, as given (a blank one is refused by the search); `None` lists
    /// by the filters alone.
    pub text: Option<String>,
    /// Which complaints.
    pub view: View,
    /// In this stage.
    pub stage: Option<Stage>,
    /// In or out of scope.
    pub scope: Option<Scope>,
    /// A category by key or name.
    pub category: String,
    /// The category is the main one only (not a further one).
    pub main_category: bool,
    /// A severity by key.
    pub severity: String,
    /// Handled by this agent.
    pub handler: String,
    /// A site by key or name, or a site typed freely.
    pub site: String,
    /// Received on or after: a DATE (`YYYY-MM-DD`, the local day) or a DATETIME.
    pub from: String,
    /// Received on or before: a DATE (that whole day) or a DATETIME (before it).
    pub to: String,
    /// Location starting with this (a building, a site).
    pub location: String,
    /// Came in through this channel.
    pub channel: Option<Channel>,
    /// A responsible party by key or name.
    pub party: String,
    /// Closed on or after: a DATE or a DATETIME.
    pub closed_from: String,
    /// Closed on or before: a DATE (that whole day) or a DATETIME (before it).
    pub closed_to: String,
}

impl FilterText {
    /// Whether any filter besides the text and the view is given.
    pub fn has_filters(&self) -> bool {
        self.stage.is_some()
            || self.scope.is_some()
            || self.channel.is_some()
            || [
                &self.category,
                &self.severity,
                &self.handler,
                &self.site,
                &self.from,
                &self.to,
                &self.location,
                &self.party,
                &self.closed_from,
                &self.closed_to,
            ]
            .iter()
            .any(|t| !t.trim().is_empty())
    }
}

/// The search `typed` describes under `policy`: the category by key or name, the severity by
/// key (both case-insensitive, an unknown one refused with the known ones), the dates as day
/// bounds, a `from` not before `to` refused. Pure: no database, so a form can check as it goes.
pub fn search_filter(policy: &Policy, typed: &FilterText) -> Result<SearchFilter> {
    let category = given(&typed.category)
        .map(|text| {
            policy
                .find_category(text)
                .map(|c| c.key.clone())
                .ok_or_else(|| {
                    Error::new("error.unknown_category")
                        .arg("value", text)
                        .arg("known", policy.category_list())
                        .arg("field", "category")
                })
        })
        .transpose()?;
    let severity = given(&typed.severity)
        .map(|text| {
            policy
                .severities
                .iter()
                .find(|s| s.key.eq_ignore_ascii_case(text))
                .map(|s| s.key.clone())
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        policy.severities.iter().map(|s| s.key.as_str()).collect();
                    Error::new("error.unknown_key")
                        .arg("field", "severity")
                        .arg("value", text)
                        .arg("known", known.join(", "))
                })
        })
        .transpose()?;
    let from = given(&typed.from)
        .map(|t| day_bound(t, "received_from", false, policy.timezone))
        .transpose()?;
    let to = given(&typed.to)
        .map(|t| day_bound(t, "received_to", true, policy.timezone))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(Error::new("error.search_dates_reversed")
            .arg("field", "received_to")
            .arg("from", typed.from.trim())
            .arg("to", typed.to.trim()));
    }
    let closed_from = given(&typed.closed_from)
        .map(|t| day_bound(t, "closed_from", false, policy.timezone))
        .transpose()?;
    let closed_to = given(&typed.closed_to)
        .map(|t| day_bound(t, "closed_to", true, policy.timezone))
        .transpose()?;
    if let (Some(f), Some(t)) = (closed_from, closed_to)
        && f >= t
    {
        return Err(Error::new("error.search_dates_reversed")
            .arg("field", "closed_to")
            .arg("from", typed.closed_from.trim())
            .arg("to", typed.closed_to.trim()));
    }
    let party = given(&typed.party)
        .map(|text| {
            policy
                .parties
                .iter()
                .find(|p| {
                    p.key.eq_ignore_ascii_case(text)
                        || p.zh == text
                        || p.en.eq_ignore_ascii_case(text)
                })
                .map(|p| p.key.clone())
                .ok_or_else(|| {
                    let known: Vec<&str> = policy.parties.iter().map(|p| p.key.as_str()).collect();
                    Error::new("error.unknown_key")
                        .arg("field", "party")
                        .arg("value", text)
                        .arg("known", known.join(", "))
                })
        })
        .transpose()?;
    Ok(SearchFilter {
        text: typed.text.clone(),
        view: typed.view,
        stage: typed.stage,
        scope: typed.scope,
        main_category: typed.main_category && category.is_some(),
        category,
        severity,
        handler: given(&typed.handler).map(str::to_string),
        // A configured site by key or name; any other text is a site typed freely.
        site: given(&typed.site).map(|text| {
            policy
                .find_site(text)
                .map_or_else(|| text.to_string(), |s| s.key.clone())
        }),
        // The desk names the searching agent's sites when it searches.
        sites: None,
        from,
        to,
        location_prefix: given(&typed.location).map(str::to_string),
        channel: typed.channel,
        party,
        closed_from,
        closed_to,
    })
}

/// `text` trimmed, unless that leaves nothing.
fn given(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// A DATE (`YYYY-MM-DD`, the local day: its start, or with `end` the start of the next day,
/// so that a `to` takes the whole day) or a DATETIME.
pub(super) fn day_bound(
    text: &str,
    field: &'static str,
    end: bool,
    zone: Zone,
) -> Result<DateTime<Utc>> {
    let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") else {
        return parse_datetime(text, field, zone);
    };
    let day = if end { day.succ_opt() } else { Some(day) };
    day.map(|d| zone.start_of(d)).ok_or_else(|| {
        Error::new("error.bad_datetime")
            .arg("field", field)
            .arg("value", text)
    })
}

impl Desk {
    /// The search `typed` describes under this desk's rules (see [`search_filter`]).
    pub fn search_filter(&self, typed: &FilterText) -> Result<SearchFilter> {
        search_filter(&self.config.policy, typed)
    }

    /// Opens the database like [`Desk::open`], creating it only if `if_missing` says so, and
    /// telling `progress` how a long migration (building the search index of a large file)
    /// is getting on.
    pub fn open_with_progress(
        path: &Path,
        if_missing: IfMissing,
        config: Config,
        agent: &str,
        clock: Box<dyn Clock>,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Desk> {
        Desk::new(
            Store::open_as(path, if_missing, progress)?,
            config,
            agent,
            clock,
        )
    }

    /// The complaints matching `filter`, newest received first, older than `after`; at most
    /// `limit`, with the cursor of the last.
    pub fn search(
        &self,
        filter: &SearchFilter,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<SearchPage> {
        let filter = as_agent(filter, self.agent(), self.site_scope()?);
        Ok(last_cursor(self.store.search(&filter, limit, after)?))
    }

    /// The `limit` matches just newer than `before` (the page above), newest first, with the
    /// cursor of the first.
    pub fn search_before(
        &self,
        filter: &SearchFilter,
        limit: u32,
        before: Cursor,
    ) -> Result<SearchPage> {
        let filter = as_agent(filter, self.agent(), self.site_scope()?);
        Ok(first_cursor(
            self.store.search_before(&filter, limit, before)?,
        ))
    }

    /// How many complaints match `filter` (visits every match: ask after the first page).
    pub fn search_count(&self, filter: &SearchFilter) -> Result<u64> {
        let filter = as_agent(filter, self.agent(), self.site_scope()?);
        self.store.search_count(&filter)
    }

    /// The number of the complaint `text` names: a whole number (`20261130-0017`, the dash
    /// optional) or a sequence of today, the desk's local day (`17`); refused when there is
    /// no such complaint, and (recorded, as opening it would be) when it is of a site the
    /// acting agent does not see: going to a number says "not yours" as opening it does.
    pub fn find_number(&mut self, text: &str) -> Result<String> {
        self.actor()?;
        let typed: String = text.trim().chars().map(halfwidth).collect();
        let number = match typed.parse::<u32>() {
            Ok(seq) if typed.len() <= MAX_SEQUENCE_DIGITS => {
                let today = self.config.policy.timezone.day(self.clock.now());
                number::format(today, seq)
            }
            _ => number::normalise(&typed),
        };
        let c = self
            .store
            .complaint_by_number(&number)?
            .ok_or_else(|| Error::new("error.not_found").arg("number", text.trim()))?;
        self.check_site(&c)?;
        Ok(c.number)
    }

    /// A searcher on a connection of its own, to run searches on another thread while this
    /// desk goes on; cancel them through its [`Canceller`].
    pub fn searcher(&self) -> Result<Searcher> {
        Ok(Searcher {
            sites: self.site_scope()?,
            store: self.store.open_reader()?,
            agent: self.agent().to_string(),
        })
    }
}

/// The filter as the store reads it: "mine" names the agent searching as the handler, and
/// only the sites they see (`sites`, whatever the filter said) are searched.
fn as_agent(filter: &SearchFilter, agent: &str, sites: Option<Vec<String>>) -> SearchFilter {
    SearchFilter {
        handler: if filter.view == View::Mine {
            Some(agent.to_string())
        } else {
            filter.handler.clone()
        },
        sites,
        ..filter.clone()
    }
}

fn last_cursor(rows: Vec<Complaint>) -> SearchPage {
    let cursor = rows.last().map(|c| Cursor::of(Queue::All, c));
    (rows.into_iter().map(masked).collect(), cursor)
}

fn first_cursor(rows: Vec<Complaint>) -> SearchPage {
    let cursor = rows.first().map(|c| Cursor::of(Queue::All, c));
    (rows.into_iter().map(masked).collect(), cursor)
}

/// Searches on a read connection of its own (made by [`Desk::searcher`]): move it to a
/// background thread; a newer query cancels the running one through [`Searcher::canceller`].
#[derive(Debug)]
pub struct Searcher {
    store: Store,
    /// Whose cases are "mine".
    agent: String,
    /// The sites they see (`None`: every site's), as when the searcher was made.
    sites: Option<Vec<String>>,
}

impl Searcher {
    /// As [`Desk::search`].
    pub fn search(
        &self,
        filter: &SearchFilter,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<SearchPage> {
        let filter = as_agent(filter, &self.agent, self.sites.clone());
        Ok(last_cursor(self.store.search(&filter, limit, after)?))
    }

    /// As [`Desk::search_before`].
    pub fn search_before(
        &self,
        filter: &SearchFilter,
        limit: u32,
        before: Cursor,
    ) -> Result<SearchPage> {
        let filter = as_agent(filter, &self.agent, self.sites.clone());
        Ok(first_cursor(
            self.store.search_before(&filter, limit, before)?,
        ))
    }

    /// As [`Desk::search_count`].
    pub fn count(&self, filter: &SearchFilter) -> Result<u64> {
        self.store
            .search_count(&as_agent(filter, &self.agent, self.sites.clone()))
    }

    /// Cancels from any thread what this searcher is running at the time; the search or
    /// count returns the error `error.search_cancelled`.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.store.interrupt_handle())
    }
}

/// Stops a [`Searcher`]'s running query from another thread.
pub struct Canceller(Interrupt);

impl Canceller {
    /// Cancels what `store`'s connection runs.
    pub(super) fn of(store: &Store) -> Canceller {
        Canceller(store.interrupt_handle())
    }

    /// Interrupts the query running now, if any (one started later is not affected).
    pub fn cancel(&self) {
        self.0.interrupt();
    }
}

impl std::fmt::Debug for Canceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Canceller")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;

    fn policy() -> Policy {
        Config::preset(Preset::PropertyManagement)
            .expect("preset")
            .policy
    }

    fn typed() -> FilterText {
        FilterText::default()
    }

    #[test]
    fn categories_by_key_or_name_and_severities_by_key() {
        let p = policy();
        for text in ["leak", "LEAK", "漏水", " Leak "] {
            let f = search_filter(
                &p,
                &FilterText {
                    category: text.into(),
                    ..typed()
                },
            )
            .expect(text);
            assert_eq!(f.category.as_deref(), Some("leak"), "{text}");
        }
        let f = search_filter(
            &p,
            &FilterText {
                severity: "Serious".into(),
                ..typed()
            },
        )
        .expect("severity");
        assert_eq!(f.severity.as_deref(), Some("serious"));
        let err = search_filter(
            &p,
            &FilterText {
                category: "飞碟".into(),
                ..typed()
            },
        )
        .expect_err("unknown category");
        assert_eq!(
            (err.key, err.get("field")),
            ("error.unknown_category", Some("category"))
        );
        assert!(err.get("known").is_some_and(|k| k.contains("leak/漏水")));
        let err = search_filter(
            &p,
            &FilterText {
                severity: "huge".into(),
                ..typed()
            },
        )
        .expect_err("unknown severity");
        assert_eq!(
            (err.key, err.get("field")),
            ("error.unknown_key", Some("severity"))
        );
    }

    #[test]
    fn blanks_are_no_filter_and_the_rest_is_kept() {
        let p = policy();
        let blank = FilterText {
            text: Some("漏水".into()),
            view: View::Open,
            category: " ".into(),
            severity: "".into(),
            handler: "\u{3000}".into(),
            from: " ".into(),
            location: "  ".into(),
            ..typed()
        };
        assert!(!blank.has_filters());
        assert_eq!(
            search_filter(&p, &blank).expect("blank"),
            SearchFilter {
                text: Some("漏水".into()),
                view: View::Open,
                ..SearchFilter::default()
            }
        );
        let some = FilterText {
            stage: Some(Stage::Verified),
            scope: Some(Scope::Out),
            handler: " 王丽 ".into(),
            location: " 3栋".into(),
            ..typed()
        };
        assert!(some.has_filters());
        let f = search_filter(&p, &some).expect("filters");
        assert_eq!(f.text, None);
        assert_eq!(
            (f.stage, f.scope),
            (Some(Stage::Verified), Some(Scope::Out))
        );
        assert_eq!(f.handler.as_deref(), Some("王丽"));
        assert_eq!(f.location_prefix.as_deref(), Some("3栋"));
    }

    #[test]
    fn a_to_date_takes_the_whole_day_and_from_must_come_first() {
        let p = policy();
        let dates = |from: &str, to: &str| {
            search_filter(
                &p,
                &FilterText {
                    from: from.into(),
                    to: to.into(),
                    ..typed()
                },
            )
        };
        let f = dates("2026-11-20", "2026-11-20").expect("one day");
        let (from, to) = (f.from.expect("from"), f.to.expect("to"));
        assert_eq!((to - from).num_hours(), 24);
        let zone = policy().timezone;
        assert_eq!(crate::when::local_minutes(from, zone), "2026-11-20 00:00");
        let f = dates("", "2026-11-20 17:50").expect("a time");
        assert_eq!(
            f.to.map(|t| crate::when::local_minutes(t, zone)),
            Some("2026-11-20 17:50".to_string())
        );
        let err = dates("昨天", "").expect_err("not a date");
        assert_eq!(
            (err.key, err.get("field")),
            ("error.bad_datetime", Some("received_from"))
        );
        let err = dates("", "2026-13-01").expect_err("no such month");
        assert_eq!(err.get("field"), Some("received_to"));
        let err = dates("2026-11-21", "2026-11-20").expect_err("reversed");
        assert_eq!(
            (err.key, err.get("field")),
            ("error.search_dates_reversed", Some("received_to"))
        );
        let err = dates("2026-11-20 10:00", "2026-11-20 10:00").expect_err("empty");
        assert_eq!(err.key, "error.search_dates_reversed");
    }
}
