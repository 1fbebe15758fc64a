//! The output folder: the only code that writes to it. Each file is written to a temporary
//! name beside its target and renamed into place, so a reader never sees half a page.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("{action} {path}: {source}")]
pub struct OutputError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

pub struct Output {
    root: PathBuf,
    /// Bytes written so far (files left unchanged count nothing).
    written: std::sync::atomic::AtomicU64,
    /// The SHA-256 of every file `write` was given, written or already holding those bytes.
    hashes: std::sync::Mutex<BTreeMap<String, String>>,
    /// Held while the folders on the way to a file are checked and made: two workers writing
    /// into one folder that is a planted link would otherwise both try to replace the link
    /// (the second failing to remove what the first already had).
    folders: std::sync::Mutex<()>,
}

impl Output {
    pub fn create(root: &Path) -> Result<Output, OutputError> {
        fs::create_dir_all(root).map_err(|source| OutputError {
            action: "creating",
            path: root.to_path_buf(),
            source,
        })?;
        Ok(Output {
            root: root.to_path_buf(),
            written: std::sync::atomic::AtomicU64::new(0),
            hashes: std::sync::Mutex::new(BTreeMap::new()),
            folders: std::sync::Mutex::new(()),
        })
    }

    /// The SHA-256 (hex) of the bytes each file was given by [`Output::write`] so far, by
    /// path; taken, so the next call starts empty.
    pub fn take_hashes(&self) -> BTreeMap<String, String> {
        std::mem::take(&mut *self.hashes.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Bytes written by this build so far.
    pub fn bytes_written(&self) -> u64 {
        self.written.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether `relative` exists as a file of the archive's own: reached without following a
    /// symbolic link.
    pub fn exists(&self, relative: &str) -> bool {
        !self.through_link(relative)
            && fs::symlink_metadata(self.root.join(relative)).is_ok_and(|m| m.is_file())
    }

    /// Whether a folder on the way to `relative` is a symbolic link (one the build did not
    /// make: it makes none).
    fn through_link(&self, relative: &str) -> bool {
        self.folders(relative)
            .any(|path| fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()))
    }

    /// The folders on the way to `relative`, outermost first.
    fn folders(&self, relative: &str) -> impl Iterator<Item = PathBuf> {
        let parts: Vec<&str> = relative.split('/').collect();
        let folders = parts.len().saturating_sub(1);
        let mut path = self.root.clone();
        parts.into_iter().take(folders).map(move |part| {
            path.push(part);
            path.clone()
        })
    }

    /// Makes the folders of `relative` real folders of the archive: a symbolic link planted where
    /// one of them goes is removed (the link, never what it points to) and replaced by a folder,
    /// so nothing is ever written through a link.
    fn real_folders(&self, relative: &str) -> Result<(), OutputError> {
        let _one_at_a_time = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        for path in self.folders(relative) {
            let err = |action, source| OutputError {
                action,
                path: path.clone(),
                source,
            };
            match fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    fs::remove_file(&path).map_err(|e| err("removing the link", e))?;
                    fs::create_dir(&path).map_err(|e| err("creating", e))?;
                }
                Ok(_) => {}
                // Another worker may make the same folder at the same moment: fine.
                Err(_) => match fs::create_dir(&path) {
                    Err(e) if !(e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir()) => {
                        return Err(err("creating", e));
                    }
                    _ => {}
                },
            }
        }
        Ok(())
    }

    /// Writes `bytes` to `relative` (a `/`-separated path made by `render::links`) unless the file
    /// already holds exactly them: a rebuild that changes nothing writes nothing. Returns whether
    /// it wrote.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<bool, OutputError> {
        let hash = crate::model::digest::sha256_hex(bytes);
        self.hashes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(relative.to_string(), hash);
        let path = self.root.join(relative);
        if self.exists(relative)
            && let Ok(existing) = fs::read(&path)
            && existing == bytes
        {
            return Ok(false);
        }
        let err = |action, source| OutputError {
            action,
            path: path.clone(),
            source,
        };
        self.real_folders(relative)?;
        let tmp = path.with_extension(format!(
            "{}.tmp-reportpress",
            path.extension().and_then(|e| e.to_str()).unwrap_or("")
        ));
        // A fresh file: whatever has that name (a leftover, a planted link) goes first, and is
        // never opened through.
        let _ = fs::remove_file(&tmp);
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| err("writing", e))?;
        file.write_all(bytes).map_err(|e| err("writing", e))?;
        drop(file);
        fs::rename(&tmp, &path).map_err(|e| err("renaming into", e))?;
        self.written
            .fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(true)
    }

    /// Writes the file `relative` (a file of the build's own, not a page: not hashed, not
    /// counted) through `write`, into a temporary name renamed into place.
    pub fn write_stream(
        &self,
        relative: &str,
        write: impl FnOnce(&mut std::io::BufWriter<fs::File>) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let path = self.root.join(relative);
        let tmp = self.root.join(format!("{relative}.tmp-reportpress"));
        let err = |action, source| OutputError {
            action,
            path: path.clone(),
            source,
        };
        self.real_folders(relative)?;
        let _ = fs::remove_file(&tmp);
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| err("writing", e))?;
        let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
        let result = write(&mut file).and_then(|()| file.flush());
        drop(file);
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(err("writing", e));
        }
        fs::rename(&tmp, &path).map_err(|e| err("renaming into", e))
    }

    /// Removes the files of `listed` (those the previous build's manifest named) that `keep`
    /// does not name: pages of reports, tasks and people that are gone. Nothing else is removed.
    pub fn prune(
        &self,
        listed: &std::collections::BTreeSet<String>,
        keep: &std::collections::BTreeSet<String>,
    ) -> Result<usize, OutputError> {
        let mut removed = 0;
        for relative in listed.difference(keep) {
            let path = self.root.join(relative);
            // Never through a link, never a link's target.
            if !self.exists(relative) {
                continue;
            }
            fs::remove_file(&path).map_err(|source| OutputError {
                action: "removing",
                path,
                source,
            })?;
            removed += 1;
        }
        Ok(removed)
    }

    /// The SHA-256 (hex) of the file `relative` as it is on disk.
    pub fn hash_file(&self, relative: &str) -> Result<String, OutputError> {
        let path = self.root.join(relative);
        hash_file(&path).map_err(|source| OutputError {
            action: "reading",
            path,
            source,
        })
    }
}

/// The SHA-256 (lowercase hex) of the file at `path`, read in blocks.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(crate::model::digest::hex(&hasher.finalize()))
}

/// Writes `bytes` to the file `path` as the archive writes its pages: into a temporary file
/// beside it, flushed to disk, then renamed over it. A failed write (a full disk) leaves the
/// previous file, or none, never a partial one, and removes its temporary file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-reportpress-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
