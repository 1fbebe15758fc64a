//! Diffs of commits read from local clones (`--git-dir OWNER/REPO=PATH`), for `commit`
//! entries whose diff PostHog did not store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Debug, Default)]
pub struct LocalRepos {
    /// `owner/repo`, lowercased → the clone's folder.
    repos: BTreeMap<String, PathBuf>,
}

/// Parses one `OWNER/REPO=PATH` (for the command line): the folder must exist.
pub fn parse_spec(spec: &str) -> Result<(String, PathBuf), String> {
    let (repo, path) = spec
        .split_once('=')
        .ok_or_else(|| format!("{spec:?} is not OWNER/REPO=PATH"))?;
    let repo = repo.trim();
    let mut parts = repo.split('/');
    let valid = |p: Option<&str>| p.is_some_and(|p| !p.is_empty());
    if !(valid(parts.next()) && valid(parts.next()) && parts.next().is_none()) {
        return Err(format!("{repo:?} is not OWNER/REPO"));
    }
    let path = PathBuf::from(path);
    if !path.is_dir() {
        return Err(format!("{} is not a folder", path.display()));
    }
    Ok((repo.to_ascii_lowercase(), path))
}

impl LocalRepos {
    pub fn new(specs: impl IntoIterator<Item = (String, PathBuf)>) -> LocalRepos {
        LocalRepos {
            repos: specs
                .into_iter()
                .map(|(repo, path)| (repo.to_ascii_lowercase(), path))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.repos.is_empty()
    }

    /// The diff of `sha` in the clone of `repository` against its first parent: `None` when no
    /// clone of that repository was named, `Err` with the reason when git could not give it.
    pub fn commit_diff(&self, repository: &str, sha: &str) -> Option<Result<String, String>> {
        let path = self.repos.get(&repository.trim().to_ascii_lowercase())?;
        let sha = sha.trim();
        if !(4..=64).contains(&sha.len()) || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Some(Err(format!("{sha:?} is not a commit id")));
        }
        Some(diff_of(path, sha))
    }
}

fn diff_of(path: &Path, sha: &str) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(path)
        .args([
            "diff-tree",
            "-p",
            "-M",
            "--root",
            "--no-commit-id",
            "--no-color",
            "--no-ext-diff",
            "-m",
            "--first-parent",
            sha,
        ])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "commit {sha} not found in the local clone {}",
            path.display()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
