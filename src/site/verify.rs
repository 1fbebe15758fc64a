//! `reportpress verify DIR`: checks an archive against its manifest, offline. Every file the
//! manifest lists is hashed again (in parallel: a 10,000-report archive is about 1.5 GB) and
//! compared with the SHA-256 recorded when it was written; files of the folder that the
//! manifest does not list are reported too (hidden dot-files and dot-folders aside).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use super::manifest;
use super::output::hash_file;
use super::walk::{Hidden, walk};
use crate::render::links;

/// Why an archive could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{} is not a reportpress manifest: {reason}", path.display())]
    NotAManifest { path: PathBuf, reason: String },
}

/// The outcome of checking an archive: every list sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// Files the manifest lists.
    pub files: usize,
    /// Listed files whose bytes are not those the manifest records.
    pub changed: Vec<String>,
    /// Listed files that are not there.
    pub missing: Vec<String>,
    /// Listed files that could not be read, with why.
    pub unreadable: Vec<(String, String)>,
    /// Files of the folder the manifest does not list.
    pub unlisted: Vec<String>,
}

impl Verification {
    /// Whether every listed file is there with its recorded bytes and nothing else is.
    pub fn all_match(&self) -> bool {
        self.changed.is_empty()
            && self.missing.is_empty()
            && self.unreadable.is_empty()
            && self.unlisted.is_empty()
    }

    /// One line per problem (`changed: PATH`, `missing: PATH`, `unreadable: PATH (why)`,
    /// `unlisted: PATH`), then the summary line.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for path in &self.changed {
            out.push_str(&format!("changed: {path}\n"));
        }
        for path in &self.missing {
            out.push_str(&format!("missing: {path}\n"));
        }
        for (path, why) in &self.unreadable {
            out.push_str(&format!("unreadable: {path} ({why})\n"));
        }
        for path in &self.unlisted {
            out.push_str(&format!("unlisted: {path}\n"));
        }
        if self.all_match() {
            out.push_str(&format!("{} files verified: all match\n", self.files));
        } else {
            let mut counts = vec![
                format!("{} changed", self.changed.len()),
                format!("{} missing", self.missing.len()),
            ];
            if !self.unreadable.is_empty() {
                counts.push(format!("{} unreadable", self.unreadable.len()));
            }
            counts.push(format!("{} unlisted", self.unlisted.len()));
            out.push_str(&format!(
                "{} files verified: {}\n",
                self.files,
                counts.join(", ")
            ));
        }
        out
    }
}

/// Checks the archive in `dir` against its `manifest.json`.
pub fn verify(dir: &Path) -> Result<Verification, VerifyError> {
    #[derive(Deserialize)]
    struct Listing {
        generator: String,
        files: serde_json::Value,
    }
    let path = dir.join(links::MANIFEST);
    let not_manifest = |reason: &str| VerifyError::NotAManifest {
        path: path.clone(),
        reason: reason.to_string(),
    };
    let bytes = std::fs::read(&path).map_err(|source| VerifyError::Read {
        path: path.clone(),
        source,
    })?;
    let listing: Listing =
        serde_json::from_slice(&bytes).map_err(|e| not_manifest(&e.to_string()))?;
    if !listing.generator.starts_with("reportpress") {
        return Err(not_manifest(&format!("written by {:?}", listing.generator)));
    }
    let files: BTreeMap<String, String> = match listing.files {
        serde_json::Value::Array(_) => {
            return Err(not_manifest(
                "it records no file hashes (written by an older reportpress: build again)",
            ));
        }
        value => serde_json::from_value(value).map_err(|e| not_manifest(&format!("files: {e}")))?,
    };
    if let Some(bad) = files.keys().find(|p| !manifest::is_plain_path(p)) {
        return Err(not_manifest(&format!(
            "it lists {bad:?}, which is not a path inside the archive"
        )));
    }
    if let Some((bad, _)) = files.iter().find(|(_, h)| !is_sha256_hex(h)) {
        return Err(not_manifest(&format!(
            "the hash of {bad} is not a SHA-256 in hex"
        )));
    }

    enum Outcome {
        Match,
        Changed,
        Missing,
        Unreadable(String),
    }
    let outcomes: Vec<(&String, Outcome)> = files
        .par_iter()
        .map(|(relative, expected)| {
            let outcome = match hash_file(&dir.join(relative)) {
                Ok(actual) if actual.eq_ignore_ascii_case(expected) => Outcome::Match,
                Ok(_) => Outcome::Changed,
                Err(e) if e.kind() == io::ErrorKind::NotFound => Outcome::Missing,
                Err(e) if e.kind() == io::ErrorKind::IsADirectory => Outcome::Changed,
                Err(e) => Outcome::Unreadable(e.to_string()),
            };
            (relative, outcome)
        })
        .collect();
    let mut verification = Verification {
        files: files.len(),
        ..Verification::default()
    };
    for (relative, outcome) in outcomes {
        match outcome {
            Outcome::Match => {}
            Outcome::Changed => verification.changed.push(relative.clone()),
            Outcome::Missing => verification.missing.push(relative.clone()),
            Outcome::Unreadable(why) => verification.unreadable.push((relative.clone(), why)),
        }
    }
    // Hidden dot-files and dot-folders aside; symbolic links are listed, never followed.
    let present = walk(dir, Hidden::Skip).map_err(|source| VerifyError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    verification.unlisted = present
        .into_iter()
        .map(|f| f.path)
        .filter(|p| p != links::MANIFEST && !files.contains_key(p))
        .collect();
    verification.unlisted.sort();
    Ok(verification)
}

fn is_sha256_hex(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}
