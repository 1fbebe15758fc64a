//! The destination of the two SQLite writers, [`super::generate`] (`demo --out`) and
//! [`super::snapshot`] (`snapshot --to`): one check of the path they are given, and the names of
//! the files they keep beside it. Both write beside the destination under a hidden name and
//! rename into place, so the folder must exist and the path must name a file.

use std::path::{Path, PathBuf};

/// Why a path cannot be written as a SQLite file; `flag` names the option that gave it.
#[derive(Debug, thiserror::Error)]
pub enum SqliteTargetError {
    #[error("{flag} must name the SQLite file to write")]
    EmptyPath { flag: &'static str },
    #[error("{} is a directory: {flag} takes the path of the SQLite file to write", path.display())]
    IsDirectory { path: PathBuf, flag: &'static str },
    #[error(
        "cannot write {}: the folder {} does not exist",
        path.display(),
        dir.display()
    )]
    NoFolder { path: PathBuf, dir: PathBuf },
}

/// A checked destination: a file name in a folder that exists.
#[derive(Clone, Debug)]
pub struct SqliteTarget {
    /// The path as given.
    pub path: PathBuf,
    /// The folder it is in (`.` for a bare file name).
    pub dir: PathBuf,
    /// Its file name.
    pub name: String,
}

impl SqliteTarget {
    /// A hidden file beside the destination, `.<name>.<suffix>`: a work file or a lock.
    pub fn beside(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!(".{}.{suffix}", self.name))
    }
}

/// Checks `path`, given by `flag`, as the destination of a SQLite file: not empty, not a
/// directory, in a folder that exists. Whether a file already there may be replaced is the
/// writer's own rule.
pub fn check_target(path: &Path, flag: &'static str) -> Result<SqliteTarget, SqliteTargetError> {
    if path.as_os_str().is_empty() {
        return Err(SqliteTargetError::EmptyPath { flag });
    }
    if path.is_dir() {
        return Err(SqliteTargetError::IsDirectory {
            path: path.to_path_buf(),
            flag,
        });
    }
    let name = path
        .file_name()
        .ok_or(SqliteTargetError::EmptyPath { flag })?
        .to_string_lossy()
        .into_owned();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(SqliteTargetError::NoFolder {
            path: path.to_path_buf(),
            dir,
        });
    }
    Ok(SqliteTarget {
        path: path.to_path_buf(),
        dir,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_the_flag_and_the_path() {
        let tmp = std::env::temp_dir();
        let err = check_target(Path::new(""), "--to").unwrap_err();
        assert_eq!(err.to_string(), "--to must name the SQLite file to write");
        let err = check_target(&tmp, "--out").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("is a directory: --out takes the path of the SQLite file to write"),
            "{err}"
        );
        let missing = tmp.join("reportpress-no-such-folder").join("a.sqlite");
        let err = check_target(&missing, "--out").unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        // `..` has no file name: nothing to write.
        assert!(matches!(
            check_target(Path::new("a/.."), "--out"),
            Err(SqliteTargetError::EmptyPath { .. } | SqliteTargetError::IsDirectory { .. })
        ));
        let ok = check_target(Path::new("archive.sqlite"), "--out").unwrap();
        assert_eq!(ok.dir, PathBuf::from("."));
        assert_eq!(ok.beside("lock"), PathBuf::from("./.archive.sqlite.lock"));
    }
}
