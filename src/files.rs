//! Files the program writes for people (config, exports, backups, logs): new, owner-only
//! whatever the umask, and complete or not there at all.
//!
//! A file is written under a hidden partial name beside it (`.NAME.partial`) and renamed
//! into place when complete. While it is written, the partial is held under an exclusive
//! advisory lock, so that a later run can tell a partial that a killed run left behind (a
//! full copy of personal data that nothing else would remove) from one that another live
//! run is still writing, and remove only the former.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The end of every partial name.
const PARTIAL_SUFFIX: &str = ".partial";

/// Creates `dir` and any missing parents, readable by their owner only (0700 whatever the
/// umask). An existing directory is left as it is.
pub fn create_dir_owner_only(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| Error::io(dir, e))
}

/// Open options for a file readable and writable by its owner only (0600 whatever the umask,
/// which can only take bits away) when it is created.
pub fn owner_only_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// The partial name `path` is written under: `.NAME.partial` beside it.
fn partial_path(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    Some(path.with_file_name(format!(".{}{PARTIAL_SUFFIX}", name.to_string_lossy())))
}

/// Whether `name` is a partial name of ours (`.NAME.partial` with a non-empty NAME).
fn is_partial_name(name: &OsStr) -> bool {
    name.to_str().is_some_and(|n| {
        n.len() > 1 + PARTIAL_SUFFIX.len() && n.starts_with('.') && n.ends_with(PARTIAL_SUFFIX)
    })
}

/// Whether `path` is a regular file (not a link) that this program could have written: owner
/// only, as every partial is created.
fn looks_like_ours(path: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o777 != 0o600 {
            return false;
        }
    }
    meta.file_type().is_file()
}

/// Removes the partials in `dir` that no live run holds (left by a run that was killed or
/// lost its power); returns them. A partial another run is writing is locked, and kept.
pub fn remove_stale_partials(dir: &Path) -> Vec<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        if !is_partial_name(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        if !looks_like_ours(&path) {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        // Removed while locked: a run that created it a moment ago and locks it now finds
        // its name gone and starts again (see `Partial::create`).
        if file.try_lock().is_ok() && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed.sort();
    removed
}

/// Whether `file` is still the file at `path` (not removed, nor replaced, since opened).
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

/// A new file being written under its partial name: owner-only, locked for as long as it
/// lives, removed when dropped unless [`Partial::finish`] moved it into place.
#[derive(Debug)]
pub struct Partial {
    dest: PathBuf,
    path: PathBuf,
    /// Holds the lock; `None` once finished.
    lock: Option<File>,
    removed: Vec<PathBuf>,
}

impl Partial {
    /// Starts writing `dest`, which must not exist yet (else the error `exists_key` with its
    /// path). Creates its directory owner-only if missing, and first removes the stale
    /// partials of that directory ([`Partial::removed`]).
    pub fn create(dest: &Path, exists_key: &'static str) -> Result<Partial> {
        let exists = || Error::new(exists_key).arg("path", dest.display());
        if dest.exists() {
            return Err(exists());
        }
        let path = partial_path(dest).ok_or_else(exists)?;
        let dir = dest.parent().unwrap_or(Path::new(""));
        create_dir_owner_only(dir)?;
        let removed = remove_stale_partials(dir);
        let lock = loop {
            let file = owner_only_options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => {
                        Error::new("error.partial_busy").arg("path", dest.display())
                    }
                    _ => Error::io(&path, e),
                })?;
            file.lock().map_err(|e| Error::io(&path, e))?;
            // Another run's sweep may have taken it between its creation and the lock.
            if still_at(&file, &path) {
                break file;
            }
        };
        Ok(Partial {
            dest: dest.to_path_buf(),
            path,
            lock: Some(lock),
            removed,
        })
    }

    /// The partial file, to write to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stale partials removed from the directory before this one was created.
    pub fn removed(&self) -> &[PathBuf] {
        &self.removed
    }

    /// A handle on the partial to write through (the lock stays with `self`).
    pub fn writer(&self) -> Result<File> {
        let lock = self
            .lock
            .as_ref()
            .ok_or_else(|| Error::io(&self.path, "already finished"))?;
        lock.try_clone().map_err(|e| Error::io(&self.path, e))
    }

    /// Moves the complete file into place, then lets go of the lock.
    pub fn finish(mut self) -> Result<()> {
        let lock = self
            .lock
            .take()
            .ok_or_else(|| Error::io(&self.path, "already finished"))?;
        let renamed = std::fs::rename(&self.path, &self.dest).map_err(|e| Error::io(&self.dest, e));
        if renamed.is_err() {
            let _ = std::fs::remove_file(&self.path);
        }
        drop(lock);
        renamed
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if self.lock.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A new owner-only file written through a [`Partial`]: complete, or not there at all.
pub struct Out {
    partial: Partial,
    file: Option<io::BufWriter<File>>,
}

impl Out {
    /// Starts writing `path`, which must not exist yet.
    pub fn create(path: &Path) -> Result<Out> {
        let partial = Partial::create(path, "error.output_exists")?;
        let file = partial.writer()?;
        Ok(Out {
            partial,
            file: Some(io::BufWriter::new(file)),
        })
    }

    /// The stale partials removed from the directory before writing started.
    pub fn removed(&self) -> &[PathBuf] {
        self.partial.removed()
    }

    /// Flushes, syncs and moves the file into place.
    pub fn finish(mut self) -> Result<()> {
        let path = self.partial.path().to_path_buf();
        let file = self
            .file
            .take()
            .ok_or_else(|| Error::io(&path, "already finished"))?;
        let file = file.into_inner().map_err(|e| Error::io(&path, e.error()))?;
        file.sync_all().map_err(|e| Error::io(&path, e))?;
        drop(file);
        self.partial.finish()
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("finished")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Writes a file that must not exist yet, owner-only, through a temporary name.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Out::create(path)?;
    out.write_all(bytes).map_err(|e| Error::io(path, e))?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_names() {
        assert!(is_partial_name(OsStr::new(".a.csv.partial")));
        assert!(is_partial_name(OsStr::new(".x.partial")));
        assert!(!is_partial_name(OsStr::new("..partial")));
        assert!(!is_partial_name(OsStr::new(".partial")));
        assert!(!is_partial_name(OsStr::new("a.csv.partial")));
        assert!(!is_partial_name(OsStr::new(".a.csv.partial~")));
        assert_eq!(
            partial_path(Path::new("/d/导出.csv")),
            Some(PathBuf::from("/d/.导出.csv.partial"))
        );
    }

    #[test]
    fn a_stale_partial_goes_and_a_locked_one_stays() {
        let dir = tempfile::tempdir().expect("tmp");
        let stale = dir.path().join(".old.db.partial");
        let live = dir.path().join(".live.db.partial");
        let foreign = dir.path().join(".notes.partial");
        for p in [&stale, &live] {
            owner_only_options()
                .write(true)
                .create_new(true)
                .open(p)
                .expect("partial");
        }
        std::fs::write(&foreign, "someone else's").expect("foreign");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o644))
                .expect("chmod");
        }
        let holder = File::open(&live).expect("open");
        holder.lock().expect("lock");

        let out = Out::create(&dir.path().join("new.csv")).expect("create");
        assert_eq!(out.removed(), std::slice::from_ref(&stale));
        assert!(!stale.exists());
        assert!(live.exists(), "a partial a live run holds is kept");
        assert!(foreign.exists(), "a file that is not ours is kept");
        drop(out);
        assert!(!dir.path().join(".new.csv.partial").exists());
        assert!(!dir.path().join("new.csv").exists());
    }

    #[test]
    fn two_writers_of_one_file_do_not_clobber_each_other() {
        let dir = tempfile::tempdir().expect("tmp");
        let dest = dir.path().join("a.json");
        let mut first = Out::create(&dest).expect("first");
        let second = Out::create(&dest).map(|_| ()).map_err(|e| e.key);
        assert_eq!(second, Err("error.partial_busy"));
        first.write_all(b"[]").expect("write");
        first.finish().expect("finish");
        assert_eq!(std::fs::read(&dest).expect("read"), b"[]");
    }
}
