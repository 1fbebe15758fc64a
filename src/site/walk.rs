//! The entries under a folder, for the two places that ask: a rebuild (which pages of the
//! previous archive are still there) and `verify` (which files the manifest does not list).
//! One walk of the folders that reads each entry's type from its folder's listing (no `stat` of
//! a file) and follows no symbolic link.

use std::fs::FileType;
use std::io;
use std::path::Path;

/// An entry other than a folder found under the root.
pub struct Found {
    /// `/`-separated, relative to the root; a name that is not UTF-8 is spelled lossily.
    pub path: String,
    /// Whether every name in `path` was UTF-8 (so `path` names exactly this entry).
    pub exact: bool,
    /// Not followed: a symbolic link is a symbolic link, whatever it points to.
    pub kind: FileType,
}

/// Whether entries whose names start with a dot (and everything in such folders) are walked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    Include,
    Skip,
}

/// Every entry under `root` but folders, in no particular order. The first folder or entry that
/// cannot be read ends the walk with its error.
pub fn walk(root: &Path, hidden: Hidden) -> io::Result<Vec<Found>> {
    let mut found = Vec::new();
    let mut folders = vec![(root.to_path_buf(), String::new(), true)];
    while let Some((folder, prefix, exact)) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let name = entry.file_name();
            let (name, exact) = match name.into_string() {
                Ok(name) => (name, exact),
                Err(name) => (name.to_string_lossy().into_owned(), false),
            };
            if hidden == Hidden::Skip && name.starts_with('.') {
                continue;
            }
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry.file_type()?;
            if kind.is_dir() {
                folders.push((entry.path(), path, exact));
            } else {
                found.push(Found { path, exact, kind });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder of its own under the system's temporary folder, removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("reportpress-walk-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn paths(root: &Path, hidden: Hidden) -> Vec<String> {
        let mut paths: Vec<String> = walk(root, hidden)
            .unwrap()
            .into_iter()
            .map(|f| f.path)
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn lists_files_and_links_below_every_folder_and_skips_hidden_ones_on_request() {
        let dir = Scratch::new("lists");
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        for file in ["top.html", "a/one.md", "a/b/two.html", ".hidden/x", ".dot"] {
            std::fs::write(root.join(file), "x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("a"), root.join("link")).unwrap();
        let mut all = vec![".dot", ".hidden/x", "a/b/two.html", "a/one.md", "top.html"];
        let mut visible = vec!["a/b/two.html", "a/one.md", "top.html"];
        if cfg!(unix) {
            all.push("link");
            visible.push("link");
            all.sort();
            visible.sort();
        }
        assert_eq!(paths(root, Hidden::Include), all);
        assert_eq!(paths(root, Hidden::Skip), visible);
        #[cfg(unix)]
        {
            let link = walk(root, Hidden::Skip).unwrap();
            let link = link.iter().find(|f| f.path == "link").unwrap();
            assert!(link.kind.is_symlink(), "a link to a folder is not followed");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_name_that_is_not_utf8_is_marked_inexact() {
        use std::os::unix::ffi::OsStrExt;
        let dir = Scratch::new("inexact");
        let name = std::ffi::OsStr::from_bytes(b"bad\xff.html");
        std::fs::write(dir.path().join(name), "x").unwrap();
        let found = walk(dir.path(), Hidden::Include).unwrap();
        assert_eq!(found.len(), 1);
        assert!(!found[0].exact);
        assert_eq!(found[0].path, "bad\u{fffd}.html");
    }

    #[test]
    fn a_root_that_is_not_there_is_an_error() {
        let dir = Scratch::new("none");
        assert!(walk(&dir.path().join("nothing"), Hidden::Include).is_err());
    }
}
