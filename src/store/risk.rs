//! What the escalation risk counts beyond the complaint row ([`RiskFacts`]), and the related
//! cases ([`crate::domain::related`]); both through indexes, on either engine.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::domain::complaint::Complaint;
use crate::domain::related::Place;
use crate::domain::risk::{REPEAT_DAYS, RiskFacts};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::complaints::{
    COLUMNS, arg_refs, from_row, indexed_by, prefix_upper_bound, scope_to_sites,
};
use crate::store::sql::Value;

impl Store {
    /// The risk facts at `now` of the complaints `ids`, by id: other complaints from the
    /// same phone in the last [`REPEAT_DAYS`] (the phone index), open calls past due (the
    /// callbacks' complaint index), reopenings (the timeline's) and the newest revisit's
    /// satisfaction (the revisits').
    pub fn risk_facts(&self, ids: &[i64], now: DateTime<Utc>) -> Result<HashMap<i64, RiskFacts>> {
        let list =
            serde_json::to_string(ids).map_err(|e| Error::new("error.storage").arg("detail", e))?;
        let db = self.db();
        let listed = db.engine().json_integers("?1");
        let sql = format!(
            "SELECT c.id,
               CASE WHEN c.phone_norm = '' THEN 0 ELSE
                 (SELECT count(*) FROM complaints p{}
                  WHERE p.phone_norm = c.phone_norm AND p.received_at >= ?2 AND p.id <> c.id)
               END,
               (SELECT count(*) FROM callbacks k
                WHERE k.complaint_id = c.id AND k.done_at IS NULL AND k.due_at < ?3),
               (SELECT count(*) FROM events e WHERE e.complaint_id = c.id AND e.kind = 'reopened'),
               (SELECT r.satisfaction FROM revisits r
                WHERE r.complaint_id = c.id AND r.satisfaction IS NOT NULL
                ORDER BY r.done_at DESC, r.id DESC LIMIT 1)
             FROM complaints c WHERE c.id IN ({listed})",
            indexed_by("complaints_phone")
        );
        let since = (now - Duration::days(REPEAT_DAYS)).timestamp();
        let args = [
            Value::Text(list.into()),
            Value::Int(since),
            Value::Int(now.timestamp()),
        ];
        let rows = db
            .rows(&sql, &arg_refs(&args), |r| {
                Ok((
                    r.get::<i64>(0)?,
                    RiskFacts {
                        repeats: r.get(1)?,
                        overdue_calls: r.get(2)?,
                        reopens: r.get(3)?,
                        last_satisfaction: r.get(4)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().collect())
    }

    /// Cases related to `c` at `place`: of its category, open or received since `since`,
    /// not `c` itself nor merged into a case (the primary stands for it), of `sites`
    /// (`None`: all); newest first, at most `limit`. Read from a range of the related index
    /// (category, site, location prefix); a merged case is closed (at the merge), so only
    /// a closed candidate's row is read for `merged_into`.
    pub fn related(
        &self,
        c: &Complaint,
        place: &Place,
        since: DateTime<Utc>,
        sites: Option<&[String]>,
        limit: u32,
    ) -> Result<Vec<Complaint>> {
        let mut args = vec![
            Value::Text(c.category.clone().into()),
            Value::Int(c.id),
            Value::Int(since.timestamp()),
            Value::Int(limit.into()),
        ];
        let mut sql = format!(
            "SELECT {COLUMNS} FROM complaints{}
             WHERE category = ?1 AND id <> ?2
               AND (closed_at IS NULL OR (received_at >= ?3 AND merged_into IS NULL))",
            indexed_by("complaints_related")
        );
        match &place.site {
            Some(site) => {
                args.push(Value::Text(site.clone().into()));
                sql.push_str(&format!(" AND site = ?{}", args.len()));
            }
            None => sql.push_str(" AND site IS NULL"),
        }
        if let Some(upper) = prefix_upper_bound(&place.prefix) {
            args.push(Value::Text(place.prefix.clone().into()));
            args.push(Value::Text(upper.into()));
            let n = args.len();
            sql.push_str(&format!(" AND location >= ?{} AND location < ?{n}", n - 1));
        }
        scope_to_sites(&mut sql, &mut args, "site", sites);
        sql.push_str(" ORDER BY received_at DESC, id DESC LIMIT ?4");
        self.db()
            .rows(&sql, &arg_refs(&args), from_row)
            .map_err(|e| self.err(e))
    }
}
