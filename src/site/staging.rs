//! Safe writes: a build works in a staging folder beside `--out`, `.<name>.reportpress-staging`,
//! that starts as a copy of the archive made of hard links (so an unchanged file keeps its inode
//! and modification time, and a written file replaces its link instead of changing the old
//! archive's file), and is swapped in at the end. A build that is killed or fails leaves `--out`
//! as it was. Nothing outside `--out` is ever removed but these two folders of ours:
//! `.<name>.reportpress-staging` and `.<name>.reportpress-previous` (the old archive during the
//! swap).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::manifest;
use super::output::OutputError;

/// Why `--out` cannot be built into: raised by [`Target::check`] and [`Target::stage`].
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "{} holds files that are not a reportpress archive (e.g. {example}): pass --force to build into it anyway",
        dir.display()
    )]
    NotAnArchive { dir: PathBuf, example: String },
    /// Said after where `--out` came from (the flag, or the config file's `out`), which the
    /// caller names.
    #[error("{}: {reason}", path.display())]
    Unusable { path: PathBuf, reason: String },
    #[error(
        "another build is writing into {} (its staging folder {} is in use)",
        out.display(),
        staging.display()
    )]
    Busy { out: PathBuf, staging: PathBuf },
    /// The staging folder cannot be created beside `--out`: the OS error is the one this says
    /// (permission denied, or a read-only file system).
    #[error(
        "{}: the folder it is in, {}, must be writable: a build is staged beside it and swapped in",
        out.display(),
        parent.display()
    )]
    ParentNotWritable { out: PathBuf, parent: PathBuf },
    #[error(transparent)]
    Io(#[from] OutputError),
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError {
        action,
        path,
        source,
    }
}

/// `--out` checked: where the archive goes, and the folders beside it a build uses.
#[derive(Debug)]
pub struct Target {
    out: PathBuf,
    staging: PathBuf,
    previous: PathBuf,
    exists: bool,
}

impl Target {
    /// Checks `out` before a build: a folder (or nothing yet) that is empty but for hidden
    /// entries, or a reportpress archive, or anything with `force`. A swap that was killed
    /// between its two renames is undone first: the previous archive is put back.
    pub fn check(out: &Path, force: bool) -> Result<Target, TargetError> {
        let unusable = |reason: &str| TargetError::Unusable {
            path: out.to_path_buf(),
            reason: reason.to_string(),
        };
        let resolved = match fs::symlink_metadata(out) {
            // A symbolic link to a folder: the folder is built into, the link stays.
            Ok(_) => fs::canonicalize(out).map_err(|_| unusable("a link to nothing"))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = out
                    .file_name()
                    .ok_or_else(|| unusable("names no folder"))?
                    .to_owned();
                let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
                let parent = match parent.map(fs::canonicalize) {
                    Some(Ok(parent)) => parent,
                    // Created when the build starts writing.
                    Some(Err(_)) => out.parent().unwrap_or(Path::new(".")).to_path_buf(),
                    None => std::env::current_dir().map_err(io_err("reading", Path::new(".")))?,
                };
                parent.join(name)
            }
            Err(e) => return Err(io_err("reading", out)(e).into()),
        };
        let (Some(parent), Some(name)) = (resolved.parent(), resolved.file_name()) else {
            return Err(unusable("has no parent folder to stage the build in"));
        };
        let name = name.to_string_lossy();
        let target = Target {
            staging: parent.join(format!(".{name}.reportpress-staging")),
            previous: parent.join(format!(".{name}.reportpress-previous")),
            exists: false,
            out: resolved.clone(),
        };
        if !resolved.exists() && target.previous.is_dir() {
            // Killed between moving the old archive aside and moving the new one in.
            fs::rename(&target.previous, &resolved).map_err(io_err("restoring", &resolved))?;
        }
        let target = Target {
            exists: resolved.exists(),
            ..target
        };
        if !target.exists {
            return Ok(target);
        }
        if !resolved.is_dir() {
            return Err(unusable("is a file, not a folder"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let dev = |p: &Path| fs::metadata(p).map(|m| m.dev()).ok();
            if dev(&resolved) != dev(parent) {
                return Err(unusable(
                    "is a mount point: a build is swapped in by renaming the folder, so build \
                     into a folder inside it",
                ));
            }
        }
        if force || manifest::is_archive(&resolved) {
            return Ok(target);
        }
        let mut visible: Vec<String> = fs::read_dir(&resolved)
            .map_err(io_err("reading", &resolved))?
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let dir = entry.file_type().is_ok_and(|t| t.is_dir());
                (!name.starts_with('.')).then(|| if dir { format!("{name}/") } else { name })
            })
            .collect();
        visible.sort();
        match visible.into_iter().next() {
            None => Ok(target),
            Some(example) => Err(TargetError::NotAnArchive {
                dir: out.to_path_buf(),
                example,
            }),
        }
    }

    /// Creates the staging folder, a copy of the current archive made of hard links (copies
    /// where the file system has none). A staging or previous folder left by a killed build is
    /// removed first.
    pub fn stage(self) -> Result<Staging, TargetError> {
        if let Some(parent) = self.out.parent() {
            fs::create_dir_all(parent).map_err(io_err("creating", parent))?;
        }
        if self.exists && self.previous.exists() {
            // Killed while the old archive was being removed after a swap.
            remove_all(&self.previous)?;
        }
        if fs::symlink_metadata(&self.staging).is_ok() {
            if let Some(lock) = lock(&self.staging)
                && lock.is_err()
            {
                return Err(TargetError::Busy {
                    out: self.out,
                    staging: self.staging,
                });
            }
            remove_all(&self.staging)?;
        }
        match fs::create_dir(&self.staging) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(TargetError::Busy {
                    out: self.out,
                    staging: self.staging,
                });
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                return Err(TargetError::ParentNotWritable {
                    parent: self
                        .staging
                        .parent()
                        .unwrap_or(Path::new("/"))
                        .to_path_buf(),
                    out: self.out,
                });
            }
            Err(e) => return Err(io_err("creating", &self.staging)(e).into()),
        }
        let lock = match lock(&self.staging) {
            Some(Ok(file)) => Some(file),
            Some(Err(_)) => {
                return Err(TargetError::Busy {
                    out: self.out,
                    staging: self.staging,
                });
            }
            None => None,
        };
        let staging = Staging {
            target: self,
            done: false,
            _lock: lock,
        };
        if staging.target.exists {
            mirror(&staging.target.out, &staging.target.staging)?;
        }
        Ok(staging)
    }
}

/// A lock on the folder `dir` (`None` where folders cannot be locked): held by the build that
/// stages there, so a second build into the same `--out` is refused instead of removing it.
fn lock(dir: &Path) -> Option<Result<fs::File, fs::TryLockError>> {
    let file = fs::File::open(dir).ok()?;
    Some(file.try_lock().map(|()| file))
}

fn remove_all(path: &Path) -> Result<(), OutputError> {
    let is_dir = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if is_dir {
        // The folders directly inside are removed side by side first (an archive's two large
        // ones, `reports/` and `tasks/`, take most of the time); what fails there is tried
        // again below, where its error is the one reported.
        if let Ok(entries) = fs::read_dir(path) {
            let folders: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect();
            folders.par_iter().for_each(|folder| {
                let _ = fs::remove_dir_all(folder);
            });
        }
    }
    let result = if is_dir {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err("removing", path)(e)),
        _ => Ok(()),
    }
}

/// Recreates the tree `from` in the empty folder `to`: folders with their permissions, files as
/// hard links (copies where linking fails), symbolic links as links to the same place. The
/// folders of a folder are mirrored side by side: linking into one folder is serial in the
/// file system, linking into two is not (an archive's `reports/` and `tasks/` each hold tens of
/// thousands of files).
fn mirror(from: &Path, to: &Path) -> Result<(), OutputError> {
    if let Ok(meta) = fs::metadata(from) {
        let _ = fs::set_permissions(to, meta.permissions());
    }
    let mut folders = Vec::new();
    for entry in fs::read_dir(from).map_err(io_err("reading", from))? {
        let entry = entry.map_err(io_err("reading", from))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(io_err("reading", &source))?;
        if kind.is_dir() {
            fs::create_dir(&target).map_err(io_err("creating", &target))?;
            folders.push((source, target));
        } else if kind.is_symlink() {
            #[cfg(unix)]
            {
                let points_to = fs::read_link(&source).map_err(io_err("reading", &source))?;
                std::os::unix::fs::symlink(points_to, &target)
                    .map_err(io_err("creating", &target))?;
            }
            #[cfg(not(unix))]
            fs::copy(&source, &target).map_err(io_err("copying", &source))?;
        } else if fs::hard_link(&source, &target).is_err() {
            fs::copy(&source, &target).map_err(io_err("copying", &source))?;
        }
    }
    folders
        .par_iter()
        .try_for_each(|(source, target)| mirror(source, target))
}

/// The staging folder of a build under way: removed when dropped unless [`Staging::finish`]
/// swapped it in.
#[derive(Debug)]
pub struct Staging {
    target: Target,
    done: bool,
    _lock: Option<fs::File>,
}

impl Staging {
    /// Where the build writes.
    pub fn path(&self) -> &Path {
        &self.target.staging
    }

    /// Ends a build that succeeded: swaps the staging folder in as `--out` (the old archive is
    /// moved aside, then removed), or, when the build `changed` nothing, just removes it and
    /// leaves `--out` untouched.
    pub fn finish(mut self, changed: bool) -> Result<(), OutputError> {
        let Target {
            out,
            staging,
            previous,
            exists,
        } = &self.target;
        if !changed {
            self.done = true;
            return remove_all(staging);
        }
        if *exists {
            fs::rename(out, previous).map_err(io_err("moving aside", out))?;
            if let Err(e) = fs::rename(staging, out) {
                let _ = fs::rename(previous, out);
                return Err(io_err("moving into place", staging)(e));
            }
            self.done = true;
            remove_all(previous)
        } else {
            fs::rename(staging, out).map_err(io_err("moving into place", staging))?;
            self.done = true;
            Ok(())
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = remove_all(&self.target.staging);
        }
    }
}
