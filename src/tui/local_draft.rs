//! The intake form kept on this computer while the database server cannot be reached (the
//! database normally keeps drafts): one owner-only file per database and agent under the
//! platform data dir, removed once the database has the draft again (or the complaint).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::complaint::NewComplaint;
use crate::error::{Error, Result};
use crate::files::{create_dir_owner_only, owner_only_options};

/// What a file holds: whose form, for which database; `None` when the form was emptied
/// (the database's draft is to be dropped).
#[derive(Serialize, Deserialize)]
struct Kept {
    db: String,
    agent: String,
    form: Option<NewComplaint>,
}

/// The directory of the kept forms.
#[derive(Debug, Clone)]
pub struct LocalDrafts {
    dir: PathBuf,
}

impl LocalDrafts {
    /// Forms kept in `dir` (created owner-only when the first is kept).
    pub fn new(dir: PathBuf) -> LocalDrafts {
        LocalDrafts { dir }
    }

    /// The file of `agent`'s form on database `db`: named by a digest of both (neither shows
    /// in a directory listing).
    fn file(&self, db: &Path, agent: &str) -> PathBuf {
        let mut digest = Sha256::new();
        digest.update(db.to_string_lossy().as_bytes());
        digest.update([0]);
        digest.update(agent.as_bytes());
        let hex: String = digest.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.dir.join(format!("draft-{hex}.json"))
    }

    /// Keeps `agent`'s form (`None`: emptied), replacing what was kept: written whole under
    /// a temporary name, readable by the owner only, then renamed into place.
    pub fn keep(&self, db: &Path, agent: &str, form: Option<&NewComplaint>) -> Result<()> {
        create_dir_owner_only(&self.dir)?;
        let path = self.file(db, agent);
        let partial = path.with_extension("json.partial");
        let kept = Kept {
            db: db.to_string_lossy().into_owned(),
            agent: agent.to_string(),
            form: form.cloned(),
        };
        let json =
            serde_json::to_vec(&kept).map_err(|e| Error::new("error.internal").arg("detail", e))?;
        let written = owner_only_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)
            .and_then(|mut f| {
                restrict(&f)?;
                f.write_all(&json)?;
                f.sync_all()
            })
            .and_then(|()| std::fs::rename(&partial, &path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            Error::io(&path, e)
        })
    }

    /// What is kept for `agent` on `db`: `None` when nothing is, `Some(None)` when the form
    /// was emptied. A file for another database or agent (a digest collision) is not theirs.
    pub fn kept(&self, db: &Path, agent: &str) -> Result<Option<Option<NewComplaint>>> {
        let path = self.file(db, agent);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let kept: Kept = serde_json::from_slice(&bytes).map_err(|e| {
            Error::new("error.draft_unreadable")
                .arg("path", path.display())
                .arg("detail", e)
        })?;
        Ok((kept.db == db.to_string_lossy() && kept.agent == agent).then_some(kept.form))
    }

    /// Removes what is kept for `agent` on `db` (nothing if nothing is).
    pub fn remove(&self, db: &Path, agent: &str) -> Result<()> {
        let path = self.file(db, agent);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&path, e)),
            _ => Ok(()),
        }
    }
}

/// Owner-only, also when an earlier run left the file with wider permissions.
fn restrict(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> NewComplaint {
        NewComplaint {
            name: "王丽".into(),
            phone: "13800138000".into(),
            description: "厨房漏水".into(),
            ..NewComplaint::default()
        }
    }

    #[test]
    fn a_form_is_kept_owner_only_per_database_and_agent_until_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let drafts = LocalDrafts::new(dir.path().join("drafts"));
        let db = Path::new("postgres://desk@db/desk");
        assert!(drafts.kept(db, "王丽").expect("read").is_none());
        drafts.keep(db, "王丽", Some(&form())).expect("keep");
        assert_eq!(drafts.kept(db, "王丽").expect("read"), Some(Some(form())));
        assert!(drafts.kept(db, "李娜").expect("read").is_none());
        assert!(
            drafts
                .kept(Path::new("postgres://desk@db/other"), "王丽")
                .expect("read")
                .is_none()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode();
            assert_eq!(mode(&drafts.file(db, "王丽")) & 0o777, 0o600);
            assert_eq!(mode(&dir.path().join("drafts")) & 0o777, 0o700);
        }
        drafts.keep(db, "王丽", None).expect("emptied");
        assert_eq!(drafts.kept(db, "王丽").expect("read"), Some(None));
        drafts.remove(db, "王丽").expect("remove");
        drafts.remove(db, "王丽").expect("nothing to remove");
        assert!(drafts.kept(db, "王丽").expect("read").is_none());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("drafts"))
            .expect("dir")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
