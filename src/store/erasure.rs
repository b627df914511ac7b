//! Erasing a complainant (anonymisation on request): their personal text replaced in every
//! table that holds it, inside the caller's transaction. What counts as free text is the
//! domain's rule ([`erase_record`] for the handling record, [`erased_detail`] for the timeline).

use crate::store::sql::{self, Db, args};
use chrono::{DateTime, Utc};

use crate::domain::complaint::halfwidth;
use crate::domain::privacy::{ERASED, erase_record, erased_detail};
use crate::store::{audit, search};

/// What an erasure changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The complaints erased (row ids).
    pub complaints: Vec<i64>,
    /// Timeline entries whose text was erased, by complaint (row ids, ascending), in the
    /// order of `complaints`.
    pub events: Vec<Vec<i64>>,
    /// Half-typed forms naming the complainant, removed.
    pub drafts: usize,
}

/// Erases complaint `id` and every complaint with the phone digits `phone_norm`: name,
/// phone, location, description, desired outcome and the free text of the handling record,
/// the timeline (detail replaced by its erased form, nonce dropped: the audit chain stays
/// whole; anonymisations themselves hold no personal text and are kept), callbacks,
/// revisits, attachment paths and the search index (its old words removed from the pages);
/// drafts with that name or phone are deleted.
pub fn erase_complainant(
    tx: &Db<'_>,
    id: i64,
    name: &str,
    phone_norm: &str,
    now: DateTime<Utc>,
) -> sql::Result<Erased> {
    let complaints: Vec<i64> = tx.rows(
        "SELECT id FROM complaints WHERE id = ?1 OR (phone_norm = ?2 AND phone_norm <> '')",
        args![id, phone_norm],
        |r| r.get(0),
    )?;
    let mut events = Vec::with_capacity(complaints.len());
    for &id in &complaints {
        let handling: Option<String> = tx.row(
            "SELECT handling FROM complaints WHERE id = ?1",
            args![id],
            |r| r.get(0),
        )?;
        let handling = handling
            .and_then(|h| serde_json::from_str::<serde_json::Value>(&h).ok())
            .map(|h| erase_record(&h).to_string());
        tx.execute(
            "UPDATE complaints SET name = ?2, phone = ?2, phone_norm = '', location = ?2,
                    description = ?2, outcome = CASE WHEN outcome = '' THEN '' ELSE ?2 END,
                    handling = ?3, version = version + 1, updated_at = ?4
             WHERE id = ?1",
            args![id, ERASED, handling, now.timestamp()],
        )?;
        search::reindex(tx, id)?;
        let texts: Vec<(i64, String)> = tx.rows(
            "SELECT id, detail FROM events
                 WHERE complaint_id = ?1 AND nonce IS NOT NULL AND kind <> ?2 ORDER BY id",
            args![id, audit::ANONYMISED],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut erased_here = Vec::with_capacity(texts.len());
        for (event_id, detail) in texts {
            tx.execute(
                "UPDATE events SET detail = ?2, nonce = NULL WHERE id = ?1",
                args![event_id, erased_detail(&detail)],
            )?;
            erased_here.push(event_id);
        }
        events.push(erased_here);
        for sql in [
            "UPDATE callbacks SET note = ?2 WHERE complaint_id = ?1 AND note <> ''",
            "UPDATE revisits SET comment = ?2 WHERE complaint_id = ?1 AND comment <> ''",
            "UPDATE attachments SET path = ?2 WHERE complaint_id = ?1",
        ] {
            tx.execute(sql, args![id, ERASED])?;
        }
    }
    let drafts = erase_drafts(tx, name, phone_norm)?;
    Ok(Erased {
        complaints,
        events,
        drafts,
    })
}

/// Removes the drafts whose name or phone digits are the complainant's.
fn erase_drafts(tx: &Db<'_>, name: &str, phone_norm: &str) -> sql::Result<usize> {
    let drafts: Vec<(String, String)> =
        tx.rows("SELECT agent, form FROM drafts", args![], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let mut removed = 0;
    for (agent, form) in drafts {
        let form: serde_json::Value = serde_json::from_str(&form).unwrap_or_default();
        let field = |k: &str| form.get(k).and_then(|v| v.as_str()).unwrap_or("").trim();
        let phone: String = field("phone")
            .chars()
            .map(halfwidth)
            .filter(char::is_ascii_digit)
            .collect();
        let names_them = (!name.trim().is_empty() && field("name") == name.trim())
            || (!phone_norm.is_empty() && phone == phone_norm);
        if names_them {
            tx.execute("DELETE FROM drafts WHERE agent = ?1", args![&agent])?;
            removed += 1;
        }
    }
    Ok(removed)
}
