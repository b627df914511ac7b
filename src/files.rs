//! Files the program writes for people (config, exports): new, owner-only, and complete or
//! not there at all.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A new owner-only file written through a temporary name: complete, or not there at all.
pub struct Out {
    path: PathBuf,
    partial: PathBuf,
    file: Option<io::BufWriter<std::fs::File>>,
}

impl Out {
    /// Starts writing `path`, which must not exist yet.
    pub fn create(path: &Path) -> Result<Out> {
        if path.exists() {
            return Err(Error::new("error.output_exists").arg("path", path.display()));
        }
        let name = path
            .file_name()
            .ok_or_else(|| Error::new("error.output_exists").arg("path", path.display()))?;
        let partial = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&partial).map_err(|e| Error::io(&partial, e))?;
        Ok(Out {
            path: path.to_path_buf(),
            partial,
            file: Some(io::BufWriter::new(file)),
        })
    }

    /// Flushes, syncs and moves the file into place.
    pub fn finish(mut self) -> Result<()> {
        let file = self
            .file
            .take()
            .ok_or_else(|| Error::io(&self.path, "already finished"))?;
        let file = file
            .into_inner()
            .map_err(|e| Error::io(&self.partial, e.error()))?;
        file.sync_all().map_err(|e| Error::io(&self.partial, e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| Error::io(&self.path, e))
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

impl Drop for Out {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Writes a file that must not exist yet, owner-only, through a temporary name.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Out::create(path)?;
    out.write_all(bytes).map_err(|e| Error::io(path, e))?;
    out.finish()
}
